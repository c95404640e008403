//! Terminal output: diagnostics, errors, the progress bar and the summary line.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::Error;
use crate::diagnostics::{Diagnostic, Level};
use crate::terminal::printable;

/// Colour only on a terminal, and never when NO_COLOR is set.
fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Interactive output (progress bars) only on a terminal outside CI.
pub fn interactive() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var("CI").map_or(true, |v| v.is_empty() || v == "false" || v == "0")
}

pub fn diagnostics(items: &[Diagnostic]) {
    let color = color();
    for d in items {
        eprintln!("{}", shown(d).render(color));
    }
}

/// The root, and the root as seen from the current folder as a prefix for
/// the paths of diagnostics (set once, from `--root`).
static SHOWN_ROOT: OnceLock<(PathBuf, String)> = OnceLock::new();

/// Diagnostics name files relative to the root; printed, they name them
/// relative to the current folder, so that editors and CI annotations find
/// them when `--root` is not `.`.
pub fn show_paths_from(root: &Path) {
    let cwd = std::env::current_dir().ok();
    let _ = SHOWN_ROOT.set((root.to_path_buf(), shown_root(root, cwd.as_deref())));
}

/// `d` as printed: the path of a file under the root relative to the
/// current folder (other paths, such as the built-in theme's, as they are).
pub fn shown(d: &Diagnostic) -> Cow<'_, Diagnostic> {
    match SHOWN_ROOT.get() {
        Some((root, prefix))
            if !prefix.is_empty() && !d.path.is_empty() && root.join(&d.path).exists() =>
        {
            let mut d = d.clone();
            d.path = format!("{prefix}{}", d.path);
            Cow::Owned(d)
        }
        _ => Cow::Borrowed(d),
    }
}

/// `root` relative to `cwd` with a trailing `/` (empty for the current
/// folder): `site/` for `--root site`, `` for `--root $PWD`, the absolute
/// path for a root outside the current folder.
fn shown_root(root: &Path, cwd: Option<&Path>) -> String {
    let relative = match cwd {
        Some(cwd) if root.is_absolute() => root
            .strip_prefix(cwd)
            .ok()
            .map(Path::to_path_buf)
            .or_else(|| {
                let (root, cwd) = (root.canonicalize().ok()?, cwd.canonicalize().ok()?);
                root.strip_prefix(cwd).ok().map(Path::to_path_buf)
            })
            .unwrap_or_else(|| root.to_path_buf()),
        _ => root.to_path_buf(),
    };
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [] => String::new(),
        [first, rest @ ..] if first == "/" => format!("/{}/", rest.join("/")),
        _ => format!("{}/", parts.join("/")),
    }
}

/// A one-off error (not tied to a content file), with an optional hint.
pub fn error(message: &str, hint: Option<&str>) {
    let mut text = format!("error: {}", printable(message, false));
    if let Some(hint) = hint {
        text.push_str(&format!("\n  help: {}", printable(hint, true)));
    }
    eprintln!("{text}");
}

/// A failed command: its diagnostics, its message, its closing line.
pub fn failure(failure: &Error) {
    diagnostics(&failure.diagnostics);
    if let Some((message, hint)) = &failure.message {
        error(message, hint.as_deref());
    }
    if let Some(line) = &failure.closing {
        eprintln!("{line}");
    }
}

/// "1 file", "2 files".
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "2 errors, 3 warnings" (empty when there are none).
pub fn counts(items: &[Diagnostic]) -> String {
    let errors = items.iter().filter(|d| d.level == Level::Error).count();
    let warnings = items.len() - errors;
    match (errors, warnings) {
        (0, 0) => String::new(),
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// A progress bar that appears only if the work takes longer than a second,
/// and only on an interactive terminal.
pub fn progress() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if interactive() {
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:12} [{bar:30}] {pos}/{len}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        let delayed = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            if !delayed.is_finished() {
                delayed.set_draw_target(ProgressDrawTarget::stderr());
                delayed.enable_steady_tick(Duration::from_millis(120));
            }
        });
    }
    bar
}

/// Bytes for people: `512 B`, `14.2 KB`, `4.6 MB` (powers of 1,024).
pub fn size(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

pub fn seconds(elapsed: Duration) -> String {
    format!("{:.2}s", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_paths_are_shown_from_the_current_folder() {
        let cwd = Some(Path::new("/work/repo"));
        assert_eq!(shown_root(Path::new("."), cwd), "");
        assert_eq!(shown_root(Path::new("./site/"), cwd), "site/");
        assert_eq!(shown_root(Path::new("docs/kb"), cwd), "docs/kb/");
        assert_eq!(shown_root(Path::new("/work/repo"), cwd), "");
        assert_eq!(shown_root(Path::new("/work/repo/kb"), cwd), "kb/");
        assert_eq!(
            shown_root(Path::new("/elsewhere/kb"), cwd),
            "/elsewhere/kb/"
        );
        assert_eq!(shown_root(Path::new("../kb"), cwd), "../kb/");
    }
}
