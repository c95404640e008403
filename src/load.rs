//! The only reader of the knowledge base: configuration, content files and the
//! site's theme overrides. A merge request can carry symlinks, so a symlink is
//! followed only to a file or folder of its own folder (`content/` or
//! `theme/`) that is not hidden: never out of the root, never to `.git/config`,
//! `.env` or another dot-file. The others are refused with a diagnostic.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, codes};

/// Content files larger than this are refused: a postmortem is a few KB, and
/// the limit bounds the memory and time a hostile file can cost.
pub const MAX_CONTENT_BYTES: u64 = 8 * 1024 * 1024;

/// One content file, read and decoded.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the root, `/`-separated, e.g. `content/2024/inc-7.md`.
    pub path: String,
    pub text: String,
}

/// Everything a build reads, in memory.
#[derive(Debug)]
pub struct Sources {
    pub config: Config,
    /// Sorted by path.
    pub content: Vec<SourceFile>,
    /// The site's own `theme/` files (relative to `theme/`), overriding the built-in theme.
    pub theme_overrides: BTreeMap<String, Vec<u8>>,
    /// Problems met while reading (unreadable files, refused symlinks, …).
    pub diagnostics: Diagnostics,
}

/// A content file's size and modification time, as read: while both are
/// unchanged, `serve` neither reads nor hashes the file again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }
}

/// Content files as an earlier load read them, by path.
pub type Reads = HashMap<String, (Stamp, Arc<SourceFile>)>;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{} is not a folder", .0.display())]
    NoRoot(PathBuf),
    #[error("no content/ folder in {}", .0.display())]
    NoContent(PathBuf),
    #[error("invalid {CONFIG_FILE}")]
    Config(Vec<Diagnostic>),
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Reads the knowledge base at `root`.
pub fn load(root: &Path) -> Result<Sources, LoadError> {
    load_reusing(root, &Reads::new()).map(|(sources, _)| sources)
}

/// Reads the knowledge base at `root`, taking from `previous` every content
/// file whose [`Stamp`] is unchanged instead of reading it. Also returns
/// the content files as read now, for the next call.
pub fn load_reusing(root: &Path, previous: &Reads) -> Result<(Sources, Reads), LoadError> {
    if !root.is_dir() {
        return Err(LoadError::NoRoot(root.to_path_buf()));
    }
    let canonical_root = root.canonicalize().map_err(|source| LoadError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let config = read_config(root)?;
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        return Err(LoadError::NoContent(root.to_path_buf()));
    }

    let mut diagnostics = Diagnostics::default();
    let content_paths = walk(&canonical_root, root, "content", &mut diagnostics, |rel| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let within_content = rel.strip_prefix("content/").unwrap_or(rel);
        name.ends_with(".md")
            && !name.starts_with(['_', '.'])
            && !config.ignore.is_match(within_content)
    });
    let results: Vec<Result<(Stamp, Arc<SourceFile>), Diagnostic>> = content_paths
        .par_iter()
        .map(|(rel, path)| read_content(rel, path, previous.get(rel)))
        .collect();
    let mut content = Vec::with_capacity(results.len());
    let mut reads = Reads::with_capacity(results.len());
    for result in results {
        match result {
            Ok((stamp, file)) => {
                content.push(SourceFile::clone(&file));
                reads.insert(file.path.clone(), (stamp, file));
            }
            Err(d) => diagnostics.push(d),
        }
    }

    let mut theme_overrides = BTreeMap::new();
    if root.join("theme").is_dir() {
        for (rel, path) in walk(&canonical_root, root, "theme", &mut diagnostics, |rel| {
            !rel.rsplit('/').next().unwrap_or(rel).starts_with('.')
        }) {
            let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?;
            theme_overrides.insert(rel.trim_start_matches("theme/").to_string(), bytes);
        }
    }

    let sources = Sources {
        config,
        content,
        theme_overrides,
        diagnostics,
    };
    Ok((sources, reads))
}

/// `hindsight.yaml` of `root`, or the defaults when there is none.
pub fn read_config(root: &Path) -> Result<Config, LoadError> {
    let path = root.join(CONFIG_FILE);
    if path.is_symlink() {
        let canonical_root = root.canonicalize().map_err(|source| LoadError::Io {
            path: root.to_path_buf(),
            source,
        })?;
        if let Some(refusal) = refused_link(&canonical_root, &canonical_root, &path) {
            return Err(LoadError::Config(vec![refusal.diagnostic(CONFIG_FILE)]));
        }
    }
    match std::fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| {
                LoadError::Config(vec![
                    Diagnostic::error(
                        codes::CONFIG_INVALID,
                        CONFIG_FILE,
                        "configuration is not valid UTF-8",
                    )
                    .hint("save hindsight.yaml as UTF-8"),
                ])
            })?;
            Config::parse(&text).map_err(LoadError::Config)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(source) => Err(LoadError::Io { path, source }),
    }
}

/// Why a symlink is not followed.
enum Refusal {
    /// Its target does not exist.
    Broken,
    /// It leads outside the knowledge base.
    OutsideRoot,
    /// It leads to a hidden file or folder of the root (`.git/config`, `.env`).
    Hidden(String),
    /// It leads elsewhere in the root than its own folder (`content/`, `theme/`).
    OutsideFolder { target: String, folder: String },
}

impl Refusal {
    fn diagnostic(&self, link: impl Into<String>) -> Diagnostic {
        match self {
            Refusal::Broken => Diagnostic::error(
                "unreadable",
                link,
                "broken symlink: its target does not exist",
            )
            .hint("fix the link or remove it"),
            Refusal::OutsideRoot => Diagnostic::error(
                codes::SYMLINK_OUTSIDE_ROOT,
                link,
                "symlink leads outside the knowledge base; it was not read",
            )
            .hint("copy the file into the repository instead of linking to it"),
            Refusal::Hidden(target) => Diagnostic::error(
                codes::SYMLINK_REFUSED,
                link,
                format!("symlink leads to `{target}`, which is hidden; it was not read"),
            )
            .hint("hidden files (`.git/`, `.env`…) hold settings and secrets, never pages: remove the link"),
            Refusal::OutsideFolder { target, folder } => Diagnostic::error(
                codes::SYMLINK_REFUSED,
                link,
                format!("symlink leads to `{target}`, outside {folder}/; it was not read"),
            )
            .hint(format!("move or copy the file into {folder}/ instead of linking to it")),
        }
    }
}

/// Why the symlink at `link` may not be followed, if it may not: its target
/// must be inside `area` (a canonical folder inside `canonical_root`) and
/// nothing on the way there from the root may be hidden.
fn refused_link(canonical_root: &Path, area: &Path, link: &Path) -> Option<Refusal> {
    let Ok(target) = link.canonicalize() else {
        return Some(Refusal::Broken);
    };
    let Ok(within_root) = target.strip_prefix(canonical_root) else {
        return Some(Refusal::OutsideRoot);
    };
    let shown = relative(Path::new(""), within_root);
    if within_root
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
    {
        return Some(Refusal::Hidden(shown));
    }
    if !target.starts_with(area) {
        let folder = relative(canonical_root, area);
        return Some(Refusal::OutsideFolder {
            target: shown,
            folder: if folder.is_empty() {
                ".".into()
            } else {
                folder
            },
        });
    }
    None
}

/// Files under `root/dir`, sorted, as (relative path, real path). Folders
/// whose name starts with `.` are skipped; symlinks are followed only within
/// `dir` and never to anything hidden (see [`refused_link`]); the others are
/// reported and not read. `dir` itself may be a symlink to a folder of the
/// root that is not hidden.
fn walk(
    canonical_root: &Path,
    root: &Path,
    dir: &str,
    diagnostics: &mut Diagnostics,
    keep: impl Fn(&str) -> bool,
) -> Vec<(String, PathBuf)> {
    let top = root.join(dir);
    if top.is_symlink()
        && let Some(refusal) = refused_link(canonical_root, canonical_root, &top)
    {
        diagnostics.push(refusal.diagnostic(dir));
        return Vec::new();
    }
    let Ok(area) = top.canonicalize() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut refused = Vec::new();
    let walker = WalkDir::new(&top)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            if entry.depth() == 0 {
                return true;
            }
            if entry.file_type().is_dir() && entry.file_name().to_string_lossy().starts_with('.') {
                return false;
            }
            if entry.path_is_symlink()
                && let Some(refusal) = refused_link(canonical_root, &area, entry.path())
            {
                refused.push((entry.path().to_path_buf(), refusal));
                return false;
            }
            true
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                let rel = relative(root, entry.path());
                if keep(&rel) {
                    found.push((rel, entry.into_path()));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| dir.to_string());
                let message = if e.loop_ancestor().is_some() {
                    "symlink loop".to_string()
                } else {
                    e.to_string()
                };
                diagnostics.push(
                    Diagnostic::error(codes::UNREADABLE, path, message)
                        .hint("fix the file's permissions or remove it"),
                );
            }
        }
    }
    for (path, refusal) in refused {
        diagnostics.push(refusal.diagnostic(relative(root, &path)));
    }
    found
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The file at `path`, or `known` when its stamp is unchanged.
fn read_content(
    rel: &str,
    path: &Path,
    known: Option<&(Stamp, Arc<SourceFile>)>,
) -> Result<(Stamp, Arc<SourceFile>), Diagnostic> {
    let unreadable = |e: std::io::Error| {
        Diagnostic::error(codes::UNREADABLE, rel, format!("cannot read file: {e}"))
    };
    let stamp = Stamp::of(&std::fs::metadata(path).map_err(unreadable)?);
    if let Some((known_stamp, file)) = known
        && *known_stamp == stamp
    {
        return Ok((stamp, file.clone()));
    }
    let size = stamp.len;
    if size > MAX_CONTENT_BYTES {
        return Err(Diagnostic::error(
            codes::FILE_TOO_LARGE,
            rel,
            format!(
                "file is {:.1} MB; postmortems are limited to {} MB",
                size as f64 / 1_048_576.0,
                MAX_CONTENT_BYTES / 1_048_576
            ),
        )
        .hint("move attachments such as logs or dumps out of content/ and link to them"));
    }
    let bytes = read_capped(path).map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CONTENT_BYTES {
        return Err(Diagnostic::error(
            codes::FILE_TOO_LARGE,
            rel,
            format!(
                "file grew past {} MB while it was read",
                MAX_CONTENT_BYTES / 1_048_576
            ),
        ));
    }
    let text = decode(rel, bytes)?;
    let file = SourceFile {
        path: rel.to_string(),
        text,
    };
    Ok((stamp, Arc::new(file)))
}

/// At most [`MAX_CONTENT_BYTES`] + 1 bytes of the file at `path`: a file
/// that grows while it is read, or a device that never ends (`/dev/zero`),
/// costs no more than a file over the limit.
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_CONTENT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// UTF-8 text without NUL bytes; a BOM is dropped.
pub fn decode(rel: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let line = bytes[..nul].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(Diagnostic::error(
            codes::BINARY_FILE,
            rel,
            "file looks binary (it contains NUL bytes)",
        )
        .at(crate::diagnostics::Location {
            line,
            ..Default::default()
        })
        .hint("only Markdown files belong in content/; rename or remove it"));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let mut location = LineIndex::new(&lossy).location(valid, 1);
            location.column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(
                Diagnostic::error(codes::INVALID_UTF8, rel, "file is not valid UTF-8")
                    .at(location)
                    .hint("save the file as UTF-8 (most editors: \"Save with encoding\")"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn a_file_whose_size_and_time_are_unchanged_is_not_read_again() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir(root.path().join("content")).unwrap();
        let kept = root.path().join("content/a.md");
        let edited = root.path().join("content/b.md");
        fs::write(&kept, "first").unwrap();
        fs::write(&edited, "first").unwrap();
        let (_, reads) = load_reusing(root.path(), &Reads::new()).unwrap();

        // Same size and time: taken from the earlier read, not the disk.
        let time = fs::metadata(&kept).unwrap().modified().unwrap();
        fs::write(&kept, "other").unwrap();
        fs::File::options()
            .write(true)
            .open(&kept)
            .unwrap()
            .set_modified(time)
            .unwrap();
        fs::write(&edited, "second").unwrap();
        fs::write(root.path().join("content/c.md"), "new").unwrap();
        let (sources, reads) = load_reusing(root.path(), &reads).unwrap();
        let texts: Vec<(&str, &str)> = sources
            .content
            .iter()
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                ("content/a.md", "first"),
                ("content/b.md", "second"),
                ("content/c.md", "new")
            ]
        );
        assert_eq!(reads.len(), 3);
        // A plain load always reads.
        assert_eq!(load(root.path()).unwrap().content[0].text, "other");
    }
}
