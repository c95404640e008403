//! Watching the knowledge base: `content/`, `theme/` and `hindsight.yaml`,
//! debounced, and sorted into what a rebuild must redo.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::config::CONFIG_FILE;

/// How long the watcher waits for a burst of writes (an editor's save, a
/// `git checkout`) to end before reporting it.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// What changed in a burst of file events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Changes {
    /// Something under `content/`.
    pub content: bool,
    /// The configuration or the theme: everything is rendered again.
    pub everything: bool,
}

impl Changes {
    pub fn any(self) -> bool {
        self.content || self.everything
    }

    pub fn merge(self, other: Changes) -> Changes {
        Changes {
            content: self.content || other.content,
            everything: self.everything || other.everything,
        }
    }
}

/// Sorts changed paths (under the canonical `root`) into [`Changes`].
pub fn classify<'a>(root: &Path, paths: impl IntoIterator<Item = &'a Path>) -> Changes {
    let mut changes = Changes::default();
    for path in paths {
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let first = rel.components().next().map(|c| c.as_os_str());
        match first.and_then(|c| c.to_str()) {
            Some("content") => changes.content = true,
            Some("theme") | Some(CONFIG_FILE) => changes.everything = true,
            // The output folder, `.git` and the like.
            _ => {}
        }
    }
    changes
}

#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {source}", path.display())]
pub struct WatchError {
    path: PathBuf,
    source: notify_debouncer_full::notify::Error,
}

/// Watches the knowledge base until dropped; each burst of relevant changes
/// is sent as [`Changes`] through `send`.
pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    theme_watched: bool,
}

impl Watcher {
    /// `root` must be canonical (event paths are compared with it).
    pub fn start<E: From<Changes> + Send + 'static>(
        root: &Path,
        send: Sender<E>,
    ) -> Result<Watcher, WatchError> {
        let watched_root = root.to_path_buf();
        let debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
            // Watcher errors (e.g. a removed folder) are followed by the
            // events that matter; there is nothing else to do with them.
            let Ok(events) = result else { return };
            let changes = classify(
                &watched_root,
                events
                    .iter()
                    .flat_map(|e| e.paths.iter().map(PathBuf::as_path)),
            );
            if changes.any() {
                let _ = send.send(E::from(changes));
            }
        })
        .map_err(|source| WatchError {
            path: root.to_path_buf(),
            source,
        })?;
        // The root itself, not recursively: `hindsight.yaml` (editors save by
        // replacing the file) and a `theme/` created later.
        let mut watcher = Watcher {
            debouncer,
            theme_watched: false,
        };
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        watcher.watch(&root.join("content"), RecursiveMode::Recursive)?;
        watcher.watch_theme(root);
        Ok(watcher)
    }

    /// Watches `theme/` when it exists and is not watched yet (call after
    /// each change: it may have just been created).
    pub fn watch_theme(&mut self, root: &Path) {
        let theme = root.join("theme");
        if !theme.is_dir() {
            // Removed: a new one must be watched again.
            self.theme_watched = false;
        } else if !self.theme_watched {
            // A failure leaves theme edits unseen until a restart; the
            // content is still watched.
            self.theme_watched = self.watch(&theme, RecursiveMode::Recursive).is_ok();
        }
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> Result<(), WatchError> {
        self.debouncer
            .watch(path, mode)
            .map_err(|source| WatchError {
                path: path.to_path_buf(),
                source,
            })
    }

    pub fn stop(self) {
        self.debouncer.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_sorted_by_what_they_affect() {
        let root = Path::new("/kb");
        let changes = |paths: &[&str]| classify(root, paths.iter().map(Path::new));
        assert_eq!(
            changes(&["/kb/content/2024/a.md"]),
            Changes {
                content: true,
                everything: false
            }
        );
        assert!(changes(&["/kb/hindsight.yaml"]).everything);
        assert!(changes(&["/kb/theme/templates/base.html"]).everything);
        assert!(changes(&["/kb/theme"]).everything);
        assert!(
            !changes(&[
                "/kb/public/index.html",
                "/kb/.git/index",
                "/elsewhere/content/a.md"
            ])
            .any()
        );
        assert!(!changes(&["/kb/hindsight.yaml.swp"]).any());
    }
}
