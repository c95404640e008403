//! Watching the knowledge base: `content/`, `theme/` and `hindsight.yaml`,
//! debounced, and sorted into what a rebuild must redo.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify_debouncer_full::file_id::{FileId, get_file_id};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::config::CONFIG_FILE;

/// How long the watcher waits for a burst of writes (an editor's save, a
/// `git checkout`) to end before reporting it: an editor's save is a few
/// writes within a millisecond or two, and an edit should show at once.
const DEBOUNCE: Duration = Duration::from_millis(20);

/// What changed in a burst of file events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// Something under `content/`.
    pub content: bool,
    /// The configuration or the theme: everything is rendered again.
    pub everything: bool,
    /// The Markdown files under `content/` among the changed paths.
    pub edited: BTreeSet<PathBuf>,
}

impl Changes {
    pub fn any(&self) -> bool {
        self.content || self.everything
    }

    pub fn merge(mut self, other: Changes) -> Changes {
        self.content |= other.content;
        self.everything |= other.everything;
        self.edited.extend(other.edited);
        self
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
            Some("content") => {
                changes.content = true;
                if rel.extension().is_some_and(|e| e == "md") {
                    changes.edited.insert(path.to_path_buf());
                }
            }
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

/// A folder watched recursively. A folder removed and made again (restored
/// from a backup, checked out anew) is another folder to the system, whose
/// watch is gone with the old one: it is told by its identity.
struct Folder {
    path: PathBuf,
    /// The identity of the folder watched now, if one is.
    watched: Option<FileId>,
}

/// What became of a watched folder since the last look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// As it was: watched, or still missing.
    Same,
    /// Removed: its changes are unseen until it comes back.
    Gone,
    /// There again, and watched again.
    Back,
}

impl Folder {
    fn new(path: PathBuf) -> Folder {
        Folder {
            path,
            watched: None,
        }
    }

    /// Watches the folder again if it was made anew, and forgets it when it
    /// was removed.
    fn refresh(&mut self, debouncer: &mut WatchDebouncer) -> Result<Presence, WatchError> {
        let now = get_file_id(&self.path).ok().filter(|_| self.path.is_dir());
        if now == self.watched {
            return Ok(Presence::Same);
        }
        if self.watched.take().is_some() {
            // The system dropped the watch with the folder; this drops what
            // the watcher kept about it.
            let _ = debouncer.unwatch(&self.path);
        }
        let Some(id) = now else {
            return Ok(Presence::Gone);
        };
        debouncer
            .watch(&self.path, RecursiveMode::Recursive)
            .map_err(|source| WatchError {
                path: self.path.clone(),
                source,
            })?;
        self.watched = Some(id);
        Ok(Presence::Back)
    }
}

type WatchDebouncer = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Watches the knowledge base until dropped; each burst of relevant changes
/// is sent as [`Changes`] through `send`.
pub struct Watcher {
    debouncer: WatchDebouncer,
    content: Folder,
    theme: Folder,
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
        let mut watcher = Watcher {
            debouncer,
            content: Folder::new(root.join("content")),
            theme: Folder::new(root.join("theme")),
        };
        // The root itself, not recursively: `hindsight.yaml` (editors save
        // by replacing the file), and `content/` or `theme/` made (again).
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|source| WatchError {
                path: root.to_path_buf(),
                source,
            })?;
        watcher.content.refresh(&mut watcher.debouncer)?;
        watcher.refresh_theme();
        Ok(watcher)
    }

    /// Call after each burst of changes: `content/` (and `theme/`) may have
    /// been removed or made anew, and a new one must be watched again.
    pub fn refresh(&mut self) -> Result<Presence, WatchError> {
        self.refresh_theme();
        self.content.refresh(&mut self.debouncer)
    }

    fn refresh_theme(&mut self) {
        // A failure leaves theme edits unseen until the next change to it;
        // the content is still watched.
        let _ = self.theme.refresh(&mut self.debouncer);
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
            changes(&["/kb/content/2024/a.md", "/kb/content/2024"]),
            Changes {
                content: true,
                everything: false,
                edited: [PathBuf::from("/kb/content/2024/a.md")].into(),
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
