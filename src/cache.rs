//! What `serve` keeps from one build to the next, so that a rebuild redoes
//! only what an edit affects (docs/architecture.md#rebuilds): each content
//! file as read (with its size and modification time) and its parse
//! result with a hash of its text, the template-context fingerprint of
//! every page, the files of the last good build, whose pages are reused
//! when their fingerprint is unchanged, and what the whole-corpus stages
//! (similar incidents, the search index) made in the last complete build,
//! which a quick rebuild carries over while they catch up.
//!
//! A cache holds one build's state as a whole: the pipeline replaces it
//! only after a build succeeds. It is valid for the configuration, theme
//! and options it was built with; after a change to any of them,
//! [`RebuildCache::clear`] it.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
use crate::incident::Incident;
use crate::link::{Kb, Related};
use crate::load::{Reads, SourceFile};
use crate::metrics::Metrics;
use crate::render::theme::Theme;
use crate::similar::{LessonGroup, LessonRef, Meaning, Similar};
use crate::write::Files;

/// One content file's parse result.
#[derive(Clone)]
pub struct Parsed {
    /// Hash of the text it came from.
    pub text_hash: u64,
    pub incident: Option<Incident>,
    pub diagnostics: Vec<Diagnostic>,
    /// The warning about template placeholders left in it, unless it is a
    /// draft (`build` reports it if the incident is published).
    pub placeholder: Option<Diagnostic>,
}

/// Template-context fingerprints of rendered pages, by page path.
pub type Fingerprints = HashMap<String, u64>;

/// Dependency keys of incident pages, by page path
/// (`render::pages::incident::dependencies`).
pub type Dependencies = HashMap<String, u64>;

/// A rebuild's incidents' versions (a hash of each one's source path and
/// text), by index, and whether an incident page whose dependencies are
/// unchanged may be kept without assembling its context: a quick rebuild
/// may, a complete one checks every page's fingerprint.
pub struct Versions {
    pub of: Vec<u64>,
    pub keep_by_dependencies: bool,
}

/// What the whole-corpus stages of the last complete build made: its
/// meaning (similar incidents, recurring lessons) with the source path of
/// each incident it indexes, and the paths of the search files.
pub struct Corpus {
    pub meaning: Meaning,
    pub sources: Vec<String>,
    pub search: Vec<String>,
}

/// The last build's knowledge base, metrics and theme: `serve` renders an
/// edited incident's page from them before the rest of the site follows.
pub struct Latest {
    pub kb: Kb,
    pub metrics: Metrics,
    pub theme: Arc<Theme>,
}

#[derive(Default)]
pub struct RebuildCache {
    /// By source path; empty when the files were given in memory.
    reads: Arc<Reads>,
    /// By source path.
    parsed: Arc<HashMap<String, Arc<Parsed>>>,
    fingerprints: Arc<Fingerprints>,
    dependencies: Arc<Dependencies>,
    files: Arc<Files>,
    corpus: Option<Arc<Corpus>>,
    related: Option<Arc<Related>>,
    latest: Option<Latest>,
}

/// The hash a parse result is kept under.
pub fn text_hash(file: &SourceFile) -> u64 {
    let mut hasher = DefaultHasher::new();
    file.text.hash(&mut hasher);
    hasher.finish()
}

/// An incident's version: a hash of its source path and of its text.
pub fn version(source_path: &str, text_hash: u64) -> u64 {
    let mut hasher = DefaultHasher::new();
    (source_path, text_hash).hash(&mut hasher);
    hasher.finish()
}

/// What a successful build leaves for the next one.
pub(crate) struct Kept {
    pub reads: Reads,
    pub parsed: HashMap<String, Arc<Parsed>>,
    pub fingerprints: Fingerprints,
    pub dependencies: Dependencies,
    pub files: Files,
    /// `None` after a quick build, which carried the last one over.
    pub corpus: Option<Corpus>,
    pub related: Related,
    pub latest: Latest,
}

impl RebuildCache {
    /// The parse result of `file`, if its text is unchanged since the last
    /// build: by its stamp when both builds know it (`reads`), else by the
    /// hash of its text.
    pub fn parsed(&self, file: &SourceFile, reads: Option<&Reads>) -> Option<&Arc<Parsed>> {
        let parsed = self.parsed.get(&file.path)?;
        let stamp = |reads: &Reads| reads.get(&file.path).map(|(stamp, _)| *stamp);
        let unchanged = match reads {
            Some(now) => stamp(now).is_some() && stamp(now) == stamp(&self.reads),
            None => parsed.text_hash == text_hash(file),
        };
        unchanged.then_some(parsed)
    }

    /// The content files as the last build read them, for the next load.
    pub fn reads(&self) -> &Reads {
        &self.reads
    }

    /// The last build's bytes of the page at `path`, if its context had the
    /// same fingerprint then.
    pub fn page(&self, path: &str, fingerprint: u64) -> Option<&bytes::Bytes> {
        if self.fingerprints.get(path) != Some(&fingerprint) {
            return None;
        }
        self.files.get(path)
    }

    /// The last build's fingerprint and bytes of the incident page at
    /// `path`, if its dependencies had the same key then.
    pub fn page_by_dependencies(&self, path: &str, key: u64) -> Option<(u64, &bytes::Bytes)> {
        if self.dependencies.get(path) != Some(&key) {
            return None;
        }
        Some((*self.fingerprints.get(path)?, self.files.get(path)?))
    }

    /// The files of the last good build (empty before the first).
    pub fn files(&self) -> &Arc<Files> {
        &self.files
    }

    /// What the last complete build's whole-corpus stages made; `None`
    /// before the first one.
    pub fn corpus(&self) -> Option<&Corpus> {
        self.corpus.as_deref()
    }

    /// The last build's related incidents, with their keys.
    pub fn related(&self) -> Option<&Related> {
        self.related.as_deref()
    }

    /// The last build's knowledge base, metrics and theme.
    pub fn latest(&self) -> Option<&Latest> {
        self.latest.as_ref()
    }

    /// The same, to render an edited incident's page from.
    pub fn latest_mut(&mut self) -> Option<&mut Latest> {
        self.latest.as_mut()
    }

    /// The same state, for a build on another thread (without the last
    /// knowledge base, which only renders an edited page at once).
    pub fn snapshot(&self) -> RebuildCache {
        RebuildCache {
            reads: self.reads.clone(),
            parsed: self.parsed.clone(),
            fingerprints: self.fingerprints.clone(),
            dependencies: self.dependencies.clone(),
            files: self.files.clone(),
            corpus: self.corpus.clone(),
            related: self.related.clone(),
            latest: None,
        }
    }

    /// Forgets everything: the next build parses and renders from scratch.
    pub fn clear(&mut self) {
        *self = RebuildCache::default();
    }

    /// Keeps a successful build's state for the next one.
    pub(crate) fn replace(&mut self, kept: Kept) {
        *self = RebuildCache {
            reads: Arc::new(kept.reads),
            parsed: Arc::new(kept.parsed),
            fingerprints: Arc::new(kept.fingerprints),
            dependencies: Arc::new(kept.dependencies),
            files: Arc::new(kept.files),
            corpus: kept.corpus.map(Arc::new).or_else(|| self.corpus.take()),
            related: Some(Arc::new(kept.related)),
            latest: Some(kept.latest),
        };
    }
}

/// `meaning`, made for the incidents at `sources` (their source paths),
/// carried over to `incidents`: links to incidents that are gone are
/// dropped, new incidents have none yet. A quick rebuild shows it until
/// the similarity stage catches up.
pub fn carry_over(meaning: &Meaning, sources: &[String], incidents: &[Incident]) -> Meaning {
    let now: HashMap<&str, usize> = incidents
        .iter()
        .enumerate()
        .map(|(n, i)| (i.source_path.as_str(), n))
        .collect();
    let then: Vec<Option<usize>> = sources
        .iter()
        .map(|p| now.get(p.as_str()).copied())
        .collect();
    let mut earlier: Vec<Option<usize>> = vec![None; incidents.len()];
    for (old, new) in then.iter().enumerate() {
        if let Some(new) = *new {
            earlier[new] = Some(old);
        }
    }
    let lesson = |r: &LessonRef| {
        let incident = then[r.incident]?;
        (r.lesson < incidents[incident].lessons.len()).then_some(LessonRef {
            incident,
            lesson: r.lesson,
        })
    };
    let similar = earlier
        .iter()
        .map(|old| {
            old.map(|old| {
                meaning.similar[old]
                    .iter()
                    .filter_map(|s| {
                        Some(Similar {
                            target: then[s.target]?,
                            ..s.clone()
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
        })
        .collect();
    let lesson_groups: Vec<LessonGroup> = meaning
        .lesson_groups
        .iter()
        .filter_map(|group| {
            let members: Vec<LessonRef> = group.members.iter().filter_map(lesson).collect();
            let best = lesson(&group.best).or_else(|| members.first().copied())?;
            Some(LessonGroup {
                wordings: crate::similar::wordings(incidents, &members),
                incidents: group.incidents.iter().filter_map(|&n| then[n]).collect(),
                members,
                best,
            })
        })
        .collect();
    let mut group_of: Vec<Vec<Option<usize>>> = incidents
        .iter()
        .map(|i| vec![None; i.lessons.len()])
        .collect();
    for (g, group) in lesson_groups.iter().enumerate() {
        for m in &group.members {
            group_of[m.incident][m.lesson] = Some(g);
        }
    }
    let learned_again = earlier
        .iter()
        .zip(incidents)
        .map(|(old, incident)| {
            old.map_or(0, |old| meaning.learned_again[old])
                .min(incident.lessons.len())
        })
        .collect();
    Meaning {
        similar,
        lesson_groups,
        group_of,
        learned_again,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn incident(path: &str, lessons: &[&str]) -> Incident {
        let lessons: String = lessons.iter().map(|l| format!("- {l}\n")).collect();
        let text = format!(
            "---\nid: {path}\ntitle: {path}\ndate: 2025-01-01\n---\n## Lessons Learned\n\n{lessons}"
        );
        let file = SourceFile {
            path: path.into(),
            text,
        };
        crate::incident::parse_incident(&file, &Config::default())
            .0
            .expect("valid incident")
    }

    fn lesson(incident: usize, lesson: usize) -> LessonRef {
        LessonRef { incident, lesson }
    }

    #[test]
    fn meaning_carried_over_follows_the_incidents_and_drops_what_is_gone() {
        let incidents = vec![
            incident("a", &["one", "two"]),
            incident("b", &["one"]),
            incident("c", &["three"]),
        ];
        let sources: Vec<String> = ["a", "b", "c"].map(String::from).into();
        // `a` learned the lesson twice: it is one of the group's incidents.
        let group = LessonGroup {
            members: vec![lesson(0, 0), lesson(0, 1), lesson(1, 0)],
            best: lesson(1, 0),
            incidents: vec![0, 1],
            wordings: vec![vec![lesson(0, 0), lesson(1, 0)], vec![lesson(0, 1)]],
        };
        let similar = |target| Similar {
            target,
            score: 0.5,
            words: vec!["pool".into()],
        };
        let meaning = Meaning {
            similar: vec![vec![similar(2)], vec![], vec![similar(0)]],
            lesson_groups: vec![group.clone()],
            group_of: vec![vec![Some(0), Some(0)], vec![Some(0)], vec![None]],
            learned_again: vec![1, 0, 0],
        };

        let same = carry_over(&meaning, &sources, &incidents);
        assert_eq!(same.similar, meaning.similar);
        assert_eq!(same.lesson_groups, meaning.lesson_groups);
        assert_eq!(same.group_of, meaning.group_of);
        assert_eq!(same.learned_again, meaning.learned_again);

        // `b` deleted, `c` first now, `d` new.
        let now = vec![
            incident("c", &["three"]),
            incident("a", &["one", "two"]),
            incident("d", &["four"]),
        ];
        let moved = carry_over(&meaning, &sources, &now);
        assert_eq!(moved.similar, [vec![similar(1)], vec![similar(0)], vec![]]);
        assert_eq!(
            moved.lesson_groups,
            [LessonGroup {
                members: vec![lesson(1, 0), lesson(1, 1)],
                best: lesson(1, 0),
                incidents: vec![1],
                wordings: vec![vec![lesson(1, 0)], vec![lesson(1, 1)]],
            }]
        );
        assert_eq!(
            moved.group_of,
            [vec![None], vec![Some(0), Some(0)], vec![None]]
        );
        assert_eq!(moved.learned_again, [0, 1, 0]);
    }
}
