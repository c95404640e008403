//! Cross-links by meaning (docs/configuration.md#similar-incidents-and-recurring-lessons):
//! similar incidents and recurring lessons, computed once in the link stage
//! and read by the pages, the metrics and the JSON files. Words are
//! normalised by the search engine's own analyzer, so "similar" and
//! "found by search" mean the same words.

mod incidents;
mod lessons;
mod terms;

use jiff::civil::Date;

use crate::incident::Incident;
use crate::quarter::Quarter;

/// `similar:` in hindsight.yaml.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `similar: false` turns both computations off.
    pub enabled: bool,
    /// How many similar incidents a page shows at most.
    pub incidents: usize,
    /// The least cosine similarity (0–1) of a similar incident.
    pub min_score: f32,
    /// The least cosine similarity (0–1) of two lessons in one group.
    pub lesson_threshold: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: true,
            incidents: 3,
            min_score: 0.19,
            lesson_threshold: 0.32,
        }
    }
}

/// An incident similar to another one.
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    /// Index into `Kb::incidents`.
    pub target: usize,
    /// Cosine similarity, 0–1.
    pub score: f32,
    /// The distinctive words both share, most telling first, as the
    /// incident whose list this is writes them.
    pub words: Vec<String>,
}

/// A lesson: its incident and its position in that incident's lessons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LessonRef {
    pub incident: usize,
    pub lesson: usize,
}

/// One lesson learned in more than one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonGroup {
    /// Every wording of it, oldest incident first (undated last).
    pub members: Vec<LessonRef>,
    /// The most central wording.
    pub best: LessonRef,
    /// The incidents that learned it, in the order of `members`.
    pub incidents: Vec<usize>,
    /// `members` by wording: those with word-for-word the same text
    /// together, in the order of first use ([`wordings`]).
    pub wordings: Vec<Vec<LessonRef>>,
}

/// `members` grouped by their exact text, in the order of first use (each
/// group in `members`' order): a recurring lesson shows each wording once.
pub fn wordings(incidents: &[Incident], members: &[LessonRef]) -> Vec<Vec<LessonRef>> {
    let mut wordings: Vec<Vec<LessonRef>> = Vec::new();
    let mut index: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for m in members {
        let text = incidents[m.incident].lessons[m.lesson].text.as_str();
        let w = *index.entry(text).or_insert_with(|| {
            wordings.push(Vec::new());
            wordings.len() - 1
        });
        wordings[w].push(*m);
    }
    wordings
}

/// What the link stage knows about meaning.
#[derive(Debug, Clone, Default)]
pub struct Meaning {
    /// Per incident: its similar incidents, best first.
    pub similar: Vec<Vec<Similar>>,
    /// Recurring lessons, those learned by the most incidents first.
    pub lesson_groups: Vec<LessonGroup>,
    /// Per incident, per lesson: its group in `lesson_groups`.
    pub group_of: Vec<Vec<Option<usize>>>,
    /// Per incident: how many of its lessons were learned already by an
    /// incident of an earlier quarter (docs/metrics.md: lessons learned again).
    pub learned_again: Vec<usize>,
}

impl Meaning {
    /// Similar incidents (never one in `excluded[n]`, the explicitly
    /// related) and recurring lessons. `days[n]` and `quarters[n]` are
    /// incident `n`'s day and quarter.
    pub fn compute(
        incidents: &[Incident],
        excluded: &[Vec<usize>],
        days: &[Option<Date>],
        quarters: &[Option<Quarter>],
        synonyms: &[Vec<String>],
        settings: &Settings,
    ) -> Meaning {
        let mut group_of: Vec<Vec<Option<usize>>> = incidents
            .iter()
            .map(|i| vec![None; i.lessons.len()])
            .collect();
        if !settings.enabled {
            return Meaning {
                similar: vec![Vec::new(); incidents.len()],
                lesson_groups: Vec::new(),
                group_of,
                learned_again: vec![0; incidents.len()],
            };
        }
        let (similar, lesson_groups) = rayon::join(
            || incidents::similar_incidents(incidents, excluded, synonyms, settings),
            || {
                crate::profile::stage("    lessons", || {
                    lessons::lesson_groups(incidents, days, synonyms, settings)
                })
            },
        );
        let mut learned_again = vec![0; incidents.len()];
        for (g, group) in lesson_groups.iter().enumerate() {
            let first = group
                .members
                .iter()
                .filter_map(|m| quarters[m.incident])
                .min();
            for m in &group.members {
                group_of[m.incident][m.lesson] = Some(g);
                if quarters[m.incident].is_some_and(|q| first.is_some_and(|f| q > f)) {
                    learned_again[m.incident] += 1;
                }
            }
        }
        Meaning {
            similar,
            lesson_groups,
            group_of,
            learned_again,
        }
    }
}
