//! The metrics stage (docs/metrics.md): knowledge base in, per-quarter and per-year
//! figures out. Pure numbers: no I/O, no HTML. The types serialise to the
//! `metrics.json` schema of docs/output.md.

pub mod stats;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;

use jiff::civil::Date;
use serde::{Serialize, Serializer};

pub use stats::{DurationStats, SMALL_SAMPLE};

use crate::incident::{ActionStatus, Incident, Label};
use crate::link::{Group, Kb};
use crate::quarter::Quarter;

/// Runs of at most this many quiet quarters between two quarters with
/// incidents (or between the last of them and the current quarter) are
/// listed with zeros; longer gaps are left out.
pub const MAX_FILLED_GAP: i32 = 4;
/// How many tags, services and contributing factors a period lists.
pub const TOP_LABELS: usize = 5;

#[derive(Debug, Serialize)]
pub struct Metrics {
    /// In time order.
    pub quarters: Vec<QuarterMetrics>,
    /// Fiscal years of the listed quarters, in time order.
    pub years: Vec<YearMetrics>,
}

#[derive(Debug, Serialize)]
pub struct QuarterMetrics {
    #[serde(serialize_with = "display")]
    pub quarter: Quarter,
    #[serde(serialize_with = "display")]
    pub start: Date,
    /// Last day, inclusive.
    #[serde(serialize_with = "display")]
    pub end: Date,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize)]
pub struct YearMetrics {
    /// The fiscal year, named by the calendar year in which it starts.
    pub year: i16,
    #[serde(serialize_with = "display")]
    pub start: Date,
    #[serde(serialize_with = "display")]
    pub end: Date,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The figures of one period (a quarter or a year).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub incidents: usize,
    /// Every level of the configured scale, most severe first, zeros included.
    pub by_severity: SeverityCounts,
    /// Incidents without a severity.
    pub unrated: usize,
    /// Time to resolve.
    pub mttr_minutes: Option<DurationStats>,
    /// Time to detect.
    pub mttd_minutes: Option<DurationStats>,
    pub action_items: ActionItemCounts,
    pub repeat_incidents: usize,
    /// Lessons of the period's incidents that an incident of an earlier
    /// quarter had learned already (a recurring lesson learned again).
    pub lessons_learned_again: usize,
    pub top_tags: Vec<Ranked>,
    pub top_services: Vec<Ranked>,
    pub top_contributing_factors: Vec<Ranked>,
    /// The period's incidents (indexes into `Kb::incidents`, newest first).
    #[serde(skip)]
    pub members: Vec<usize>,
}

/// Counts by severity level in the order of the scale; a JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct SeverityCounts(pub Vec<(String, usize)>);

impl Serialize for SeverityCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(level, count)| (level, count)))
    }
}

/// A tag, service or contributing factor and how many incidents have it;
/// `[name, count]` in JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub name: String,
    /// Tags and services: the slug of their page.
    pub slug: Option<String>,
    pub count: usize,
}

impl Serialize for Ranked {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (&self.name, self.count).serialize(serializer)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ActionItemCounts {
    pub total: usize,
    pub done: usize,
    /// Open or in progress (won't-do items are neither open nor done).
    pub open: usize,
    /// done / total, rounded to three decimals; null when there are none.
    pub completion_rate: Option<f64>,
}

impl ActionItemCounts {
    /// A completion rate from fewer than [`SMALL_SAMPLE`] action items.
    pub fn is_small_sample(&self) -> bool {
        self.total > 0 && self.total < SMALL_SAMPLE
    }
}

impl Metrics {
    pub fn quarter(&self, quarter: Quarter) -> Option<&QuarterMetrics> {
        self.quarters
            .binary_search_by(|q| q.quarter.cmp(&quarter))
            .ok()
            .map(|i| &self.quarters[i])
    }

    pub fn year(&self, year: i16) -> Option<&YearMetrics> {
        self.years
            .binary_search_by(|y| y.year.cmp(&year))
            .ok()
            .map(|i| &self.years[i])
    }

    /// How many of `members` (incident indexes) fall in each of `quarters`.
    pub fn counts_by_quarter(kb: &Kb, members: &[usize], quarters: &[Quarter]) -> Vec<usize> {
        let mut counts: HashMap<Quarter, usize> = HashMap::new();
        for &n in members {
            if let Some(q) = kb.quarters[n] {
                *counts.entry(q).or_default() += 1;
            }
        }
        quarters
            .iter()
            .map(|q| counts.get(q).copied().unwrap_or(0))
            .collect()
    }
}

/// Computes every figure of docs/metrics.md from the knowledge base.
pub fn compute(kb: &Kb) -> Metrics {
    let fiscal = kb.config.fiscal_year_start_month;
    let mut by_quarter: BTreeMap<Quarter, Vec<usize>> = BTreeMap::new();
    for (n, quarter) in kb.quarters.iter().enumerate() {
        if let Some(q) = quarter {
            by_quarter.entry(*q).or_default().push(n);
        }
    }
    let names = LabelNames::new(kb);
    // The current quarter (by `--now`) is listed even without incidents: a
    // quiet quarter is news too, and the headline is about now.
    let current = (!by_quarter.is_empty()).then(|| Quarter::of(kb.scope.now, fiscal));
    let listed = listed_quarters(by_quarter.keys().copied().chain(current));
    let quarters: Vec<QuarterMetrics> = listed
        .iter()
        .map(|&q| QuarterMetrics {
            quarter: q,
            start: q.start(fiscal),
            end: q.end(fiscal),
            figures: figures(kb, &names, by_quarter.get(&q).cloned().unwrap_or_default()),
        })
        .collect();
    let years: BTreeSet<i16> = listed.iter().map(|q| q.year).collect();
    let years = years
        .into_iter()
        .map(|year| {
            let first = Quarter { year, number: 1 };
            let last = Quarter { year, number: 4 };
            let mut members: Vec<usize> = by_quarter
                .range(first..=last)
                .flat_map(|(_, m)| m.iter().copied())
                .collect();
            members.sort_unstable();
            YearMetrics {
                year,
                start: first.start(fiscal),
                end: last.end(fiscal),
                figures: figures(kb, &names, members),
            }
        })
        .collect();
    Metrics { quarters, years }
}

/// The figures of a quarter or year without incidents.
pub fn quiet_figures(kb: &Kb) -> Figures {
    figures(kb, &LabelNames::new(kb), Vec::new())
}

/// The given quarters (in time order, except the current one last, which may
/// come before the others or repeat one) plus the quiet quarters inside
/// short gaps.
fn listed_quarters(with_incidents: impl Iterator<Item = Quarter>) -> Vec<Quarter> {
    let mut listed: Vec<Quarter> = Vec::new();
    for q in with_incidents {
        if let Some(&last) = listed.last() {
            if q <= last {
                continue;
            }
            let gap = q.index() - last.index() - 1;
            if gap <= MAX_FILLED_GAP {
                listed.extend((last.index() + 1..q.index()).map(Quarter::from_index));
            }
        }
        listed.push(q);
    }
    listed
}

/// Display names of tags and services, by slug (as on their pages).
struct LabelNames<'a> {
    tags: HashMap<&'a str, &'a str>,
    services: HashMap<&'a str, &'a str>,
}

impl<'a> LabelNames<'a> {
    fn new(kb: &'a Kb) -> Self {
        let names = |groups: &'a [Group]| {
            groups
                .iter()
                .map(|g| (g.label.slug.as_str(), g.label.name.as_str()))
                .collect()
        };
        LabelNames {
            tags: names(&kb.tags),
            services: names(&kb.services),
        }
    }
}

/// The figures of the incidents `members` (newest first).
fn figures(kb: &Kb, names: &LabelNames<'_>, members: Vec<usize>) -> Figures {
    let incidents = || members.iter().map(|&n| &kb.incidents[n]);
    let levels = kb.config.severities.levels();
    let mut by_rank = vec![0usize; levels.len()];
    let mut unrated = 0;
    for incident in incidents() {
        match &incident.severity {
            Some(s) if (1..=levels.len()).contains(&s.rank) => by_rank[s.rank - 1] += 1,
            _ => unrated += 1,
        }
    }
    let items: Vec<ActionStatus> = incidents()
        .flat_map(|i| i.action_items.iter().map(|a| a.status))
        .collect();
    let done = items.iter().filter(|s| **s == ActionStatus::Done).count();
    let action_items = ActionItemCounts {
        total: items.len(),
        done,
        open: items.iter().filter(|s| s.is_pending()).count(),
        completion_rate: (!items.is_empty())
            .then(|| (done as f64 / items.len() as f64 * 1000.0).round() / 1000.0),
    };
    Figures {
        incidents: members.len(),
        by_severity: SeverityCounts(
            levels
                .iter()
                .zip(by_rank)
                .map(|(level, count)| (level.name.clone(), count))
                .collect(),
        ),
        unrated,
        mttr_minutes: DurationStats::of(incidents().filter_map(|i| i.time_to_resolve())),
        mttd_minutes: DurationStats::of(incidents().filter_map(|i| i.time_to_detect())),
        action_items,
        repeat_incidents: members.iter().filter(|&&n| kb.repeats[n].is_some()).count(),
        lessons_learned_again: members.iter().map(|&n| kb.meaning.learned_again[n]).sum(),
        top_tags: top_labels(kb, &members, |i| &i.tags, &names.tags),
        top_services: top_labels(kb, &members, |i| &i.services, &names.services),
        top_contributing_factors: top_factors(members.iter().rev().map(|&n| &kb.incidents[n])),
        members,
    }
}

/// How many of `members` carry each label (once per incident), most first.
fn top_labels(
    kb: &Kb,
    members: &[usize],
    labels: fn(&Incident) -> &[Label],
    display: &HashMap<&str, &str>,
) -> Vec<Ranked> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for &n in members {
        let distinct: BTreeSet<&str> = labels(&kb.incidents[n])
            .iter()
            .map(|l| l.slug.as_str())
            .collect();
        for slug in distinct {
            *counts.entry(slug).or_default() += 1;
        }
    }
    top(counts.into_iter().map(|(slug, count)| Ranked {
        name: display.get(slug).copied().unwrap_or(slug).to_string(),
        slug: Some(slug.to_string()),
        count,
    }))
}

/// Contributing factors are free text: the same words in another case or
/// spacing count as one factor (once per incident), shown as first written.
fn top_factors<'a>(oldest_first: impl Iterator<Item = &'a Incident>) -> Vec<Ranked> {
    let mut counts: HashMap<String, Ranked> = HashMap::new();
    for incident in oldest_first {
        let mut seen = BTreeSet::new();
        for factor in &incident.contributing_factors {
            let spaced = factor.split_whitespace().collect::<Vec<_>>().join(" ");
            let key = spaced.to_lowercase();
            if seen.insert(key.clone()) {
                counts
                    .entry(key)
                    .or_insert(Ranked {
                        name: spaced,
                        slug: None,
                        count: 0,
                    })
                    .count += 1;
            }
        }
    }
    top(counts.into_values())
}

/// The most frequent first, ties by name; at most [`TOP_LABELS`].
fn top(items: impl Iterator<Item = Ranked>) -> Vec<Ranked> {
    let mut ranked: Vec<Ranked> = items.collect();
    ranked.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    ranked.truncate(TOP_LABELS);
    ranked
}

fn display<S: Serializer, T: Display>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

#[cfg(test)]
mod tests;
