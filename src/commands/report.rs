//! Terminal output: diagnostics, errors, the progress bar and the summary line.

use std::io::IsTerminal;
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
        eprintln!("{}", d.render(color));
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
