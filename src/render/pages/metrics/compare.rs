//! The measures of a period, in one table: how each figure is read, shown
//! and compared. The quarters-side-by-side table shows every measure; a
//! comparison (a quarter against earlier ones, the home page headline)
//! shows those that say whether things got better or worse.

use serde::Serialize;

use crate::metrics::{DurationStats, Figures};
use crate::render::charts::Scale;
use crate::render::views::format_minutes;

/// Which way is good.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    Lower,
    Higher,
}

/// Reads a figure from a period's figures.
type Read<T> = Box<dyn Fn(&Figures) -> T>;

/// One figure of a period.
struct Measure {
    /// Row label in the quarters table.
    label: String,
    /// Indented under the row above in that table.
    sub: bool,
    /// `None` when unknown.
    read: Read<Option<f64>>,
    scale: Scale,
    /// The figure comes from too few values: marked `*`.
    small_sample: Read<bool>,
    /// What the table shows instead of the value, e.g. `3 / 5`.
    text: Option<fn(&Figures) -> String>,
    /// The table shows the row only when some period has a non-zero value.
    only_if_any: bool,
    /// How comparisons show it; `None` when they leave it out.
    compared: Option<Compared>,
}

struct Compared {
    /// Row label in comparisons, when the table's would not say alone what
    /// it is (`p90` of what).
    renamed: Option<&'static str>,
    /// Shown in the home page headline.
    key: bool,
    goal: Goal,
}

impl Measure {
    fn new(label: &str, sub: bool, scale: Scale, read: Read<Option<f64>>) -> Measure {
        Measure {
            label: label.to_string(),
            sub,
            read,
            scale,
            small_sample: Box::new(|_| false),
            text: None,
            only_if_any: false,
            compared: None,
        }
    }

    fn count(label: &str, sub: bool, read: impl Fn(&Figures) -> usize + 'static) -> Measure {
        Measure::new(
            label,
            sub,
            Scale::Count,
            Box::new(move |f| Some(read(f) as f64)),
        )
    }

    /// A statistic of durations; marked when its sample is small.
    fn duration(
        label: &str,
        sub: bool,
        stats: fn(&Figures) -> Option<&DurationStats>,
        pick: fn(&DurationStats) -> f64,
    ) -> Measure {
        Measure {
            small_sample: Box::new(move |f| stats(f).is_some_and(DurationStats::is_small_sample)),
            ..Measure::new(
                label,
                sub,
                Scale::Minutes,
                Box::new(move |f| stats(f).map(pick)),
            )
        }
    }

    /// Comparisons show it, better when it moves towards `goal`.
    fn compared(self, goal: Goal) -> Measure {
        Measure {
            compared: Some(Compared {
                renamed: None,
                key: false,
                goal,
            }),
            ..self
        }
    }

    /// Comparisons show it under another label.
    fn compared_as(self, metric: &'static str, goal: Goal) -> Measure {
        let mut measure = self.compared(goal);
        if let Some(compared) = &mut measure.compared {
            compared.renamed = Some(metric);
        }
        measure
    }

    /// The home page headline shows it too.
    fn key(mut self) -> Measure {
        if let Some(compared) = &mut self.compared {
            compared.key = true;
        }
        self
    }

    /// The figure as shown: `–` when unknown, `*` after a small sample.
    fn display(&self, figures: &Figures) -> String {
        display(
            (self.read)(figures),
            self.scale,
            (self.small_sample)(figures),
        )
    }
}

fn ttr(f: &Figures) -> Option<&DurationStats> {
    f.mttr_minutes.as_ref()
}

fn ttd(f: &Figures) -> Option<&DurationStats> {
    f.mttd_minutes.as_ref()
}

/// Every measure, in the order tables and comparisons show them; `levels`
/// are the names of the severity scale.
fn measures(levels: &[String]) -> Vec<Measure> {
    use Goal::{Higher, Lower};
    let mut list = vec![
        Measure::count("Incidents", false, |f| f.incidents)
            .compared(Lower)
            .key(),
    ];
    for (i, level) in levels.iter().enumerate() {
        let read: Read<Option<f64>> =
            Box::new(move |f| f.by_severity.0.get(i).map(|(_, c)| *c as f64));
        list.push(Measure::new(level, true, Scale::Count, read).compared(Lower));
    }
    list.extend([
        Measure {
            only_if_any: true,
            ..Measure::count("Unrated", true, |f| f.unrated)
        },
        Measure::duration("Time to resolve (median)", false, ttr, |s| s.median.get())
            .compared(Lower)
            .key(),
        Measure::duration("p90", true, ttr, |s| s.p90.get())
            .compared_as("Time to resolve (p90)", Lower),
        Measure::duration("mean", true, ttr, |s| s.mean.get()),
        Measure::count("known (n)", true, |f| f.mttr_minutes.map_or(0, |s| s.n)),
        Measure::duration("Time to detect (median)", false, ttd, |s| s.median.get())
            .compared(Lower),
        Measure::duration("p90", true, ttd, |s| s.p90.get()),
        Measure::count("known (n)", true, |f| f.mttd_minutes.map_or(0, |s| s.n)),
        Measure {
            text: Some(|f| format!("{} / {}", f.action_items.done, f.action_items.total)),
            ..Measure::count("Action items done", false, |f| f.action_items.done)
        },
        Measure {
            small_sample: Box::new(|f| f.action_items.is_small_sample()),
            ..Measure::new(
                "completed",
                true,
                Scale::Percent,
                Box::new(|f| f.action_items.completion_rate.map(|r| r * 100.0)),
            )
        }
        .compared_as("Action items completed", Higher)
        .key(),
        Measure::count("still open", true, |f| f.action_items.open),
        Measure::count("Repeat incidents", false, |f| f.repeat_incidents)
            .compared(Lower)
            .key(),
        Measure::count("Lessons learned again", false, |f| f.lessons_learned_again).compared(Lower),
    ]);
    list
}

/// A figure as shown: `–` when unknown, `*` after a small sample.
fn display(value: Option<f64>, scale: Scale, small_sample: bool) -> String {
    match value {
        None => "–".into(),
        Some(v) if small_sample => format!("{}*", scale.format(v)),
        Some(v) => scale.format(v),
    }
}

/// One metric of an earlier period, and how the current one differs from it.
#[derive(Debug, Clone, Serialize)]
pub struct Against {
    /// The earlier period's figure.
    pub value: String,
    /// `+2`, `−15m`, `+10 pts`, `no change`, or `–` when either side is unknown.
    pub change: String,
    /// `better`, `worse`, `same`, `unknown`, or `unclear` when either side
    /// is a small sample (a change between a few values is not a trend, so
    /// it is shown uncoloured).
    pub direction: &'static str,
    /// The earlier figure is a small sample.
    #[serde(skip)]
    pub small_sample: bool,
}

impl Against {
    /// Incidents of a period against an earlier one.
    pub fn incidents(now: &Figures, before: &Figures) -> Against {
        let (change, direction) = change(
            Some(now.incidents as f64),
            Some(before.incidents as f64),
            Goal::Lower,
            Scale::Count,
        );
        Against {
            value: before.incidents.to_string(),
            change,
            direction,
            small_sample: false,
        }
    }
}

/// The change from `before` to `now`, and whether it is an improvement.
fn change(
    now: Option<f64>,
    before: Option<f64>,
    goal: Goal,
    scale: Scale,
) -> (String, &'static str) {
    let (Some(now), Some(before)) = (now, before) else {
        return ("–".into(), "unknown");
    };
    let delta = now - before;
    let same = match scale {
        Scale::Minutes => delta.abs() < 0.05,
        Scale::Count | Scale::Percent => delta.abs() < 0.5,
    };
    if same {
        return ("no change".into(), "same");
    }
    let magnitude = match scale {
        Scale::Count => format!("{}", delta.abs().round() as i64),
        Scale::Minutes => format_minutes(delta.abs()),
        Scale::Percent => format!("{} pts", delta.abs().round() as i64),
    };
    let sign = if delta > 0.0 { "+" } else { "−" };
    let better = (delta < 0.0) == (goal == Goal::Lower);
    (
        format!("{sign}{magnitude}"),
        if better { "better" } else { "worse" },
    )
}

/// An earlier period a comparison is made against.
#[derive(Debug, Serialize)]
pub struct Baseline {
    pub name: String,
    pub path: Option<String>,
    /// Listed as a quarter without incidents, or skipped as part of a long quiet gap.
    pub quiet: bool,
}

/// A period against earlier ones, measure by measure.
#[derive(Debug, Serialize)]
pub struct Comparison {
    pub baselines: Vec<Baseline>,
    pub rows: Vec<ComparisonRow>,
    /// Some row holds a small sample (the page explains the `*`).
    pub small_samples: bool,
}

#[derive(Debug, Serialize)]
pub struct ComparisonRow {
    pub metric: String,
    pub current: String,
    /// One per baseline.
    pub against: Vec<Against>,
    /// Shown in the home page headline.
    pub key: bool,
    /// A detail of the row above (severity levels under incidents).
    pub sub: bool,
    /// The current figure is a small sample.
    #[serde(skip)]
    pub small_sample: bool,
}

impl Comparison {
    /// Only the key measures against the first baseline (the home page headline).
    pub fn key_only(mut self) -> Comparison {
        self.baselines.truncate(1);
        self.rows.retain(|r| r.key);
        for row in &mut self.rows {
            row.against.truncate(1);
        }
        self.small_samples = any_small_sample(&self.rows);
        self
    }
}

/// `current` against each baseline; `levels` are the severity scale's names.
pub fn comparison(
    current: &Figures,
    baselines: Vec<(Baseline, &Figures)>,
    levels: &[String],
) -> Comparison {
    let rows = measures(levels)
        .into_iter()
        .filter_map(|m| {
            let compared = m.compared.as_ref()?;
            let now = (m.read)(current);
            Some(ComparisonRow {
                small_sample: (m.small_sample)(current),
                current: m.display(current),
                against: baselines
                    .iter()
                    .map(|(_, before)| {
                        let (change, mut direction) =
                            change(now, (m.read)(before), compared.goal, m.scale);
                        let small_before = (m.small_sample)(before);
                        if (small_before || (m.small_sample)(current))
                            && matches!(direction, "better" | "worse")
                        {
                            direction = "unclear";
                        }
                        Against {
                            small_sample: small_before,
                            value: m.display(before),
                            change,
                            direction,
                        }
                    })
                    .collect(),
                // A renamed row stands alone; the others keep their place.
                sub: m.sub && compared.renamed.is_none(),
                metric: compared
                    .renamed
                    .map_or_else(|| m.label.clone(), str::to_string),
                key: compared.key,
            })
        })
        .collect::<Vec<ComparisonRow>>();
    Comparison {
        baselines: baselines.into_iter().map(|(b, _)| b).collect(),
        small_samples: any_small_sample(&rows),
        rows,
    }
}

fn any_small_sample(rows: &[ComparisonRow]) -> bool {
    rows.iter()
        .any(|r| r.small_sample || r.against.iter().any(|a| a.small_sample))
}

/// A row of the quarters-side-by-side table.
#[derive(Debug, Serialize)]
pub struct Row {
    pub label: String,
    /// A detail of the row above (indented).
    pub sub: bool,
    /// One per period.
    pub cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
pub struct Cell {
    pub text: String,
    pub small_sample: bool,
}

/// The quarters-side-by-side table (like a hand-kept summary): every
/// measure, one column per period.
pub fn summary_rows(columns: &[&Figures], levels: &[String]) -> Vec<Row> {
    measures(levels)
        .into_iter()
        .filter(|m| !m.only_if_any || columns.iter().any(|f| (m.read)(f).is_some_and(|v| v > 0.0)))
        .map(|m| Row {
            cells: columns
                .iter()
                .map(|f| Cell {
                    text: m.text.map_or_else(|| m.display(f), |text| text(f)),
                    small_sample: (m.small_sample)(f),
                })
                .collect(),
            label: m.label,
            sub: m.sub,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{ActionItemCounts, SeverityCounts};

    #[test]
    fn changes_read_as_better_or_worse() {
        let c = |now, before, goal, scale| change(Some(now), Some(before), goal, scale);
        assert_eq!(
            c(3.0, 1.0, Goal::Lower, Scale::Count),
            ("+2".into(), "worse")
        );
        assert_eq!(
            c(30.0, 95.0, Goal::Lower, Scale::Minutes),
            ("−1h 5m".into(), "better")
        );
        assert_eq!(
            c(80.0, 50.0, Goal::Higher, Scale::Percent),
            ("+30 pts".into(), "better")
        );
        assert_eq!(
            c(2.0, 2.0, Goal::Lower, Scale::Count),
            ("no change".into(), "same")
        );
        assert_eq!(
            change(None, Some(2.0), Goal::Lower, Scale::Minutes),
            ("–".into(), "unknown")
        );
        assert_eq!(display(Some(90.0), Scale::Minutes, true), "1h 30m*");
        assert_eq!(display(None, Scale::Percent, false), "–");
    }

    fn quiet(levels: &[String]) -> Figures {
        Figures {
            incidents: 0,
            by_severity: SeverityCounts(levels.iter().map(|l| (l.clone(), 0)).collect()),
            unrated: 0,
            mttr_minutes: None,
            mttd_minutes: None,
            action_items: ActionItemCounts {
                total: 0,
                done: 0,
                open: 0,
                completion_rate: None,
            },
            repeat_incidents: 0,
            lessons_learned_again: 0,
            top_tags: Vec::new(),
            top_services: Vec::new(),
            top_contributing_factors: Vec::new(),
            members: Vec::new(),
        }
    }

    #[test]
    fn comparisons_show_the_compared_measures_of_the_table() {
        let levels = ["SEV1".to_string(), "SEV2".to_string()];
        let table: Vec<String> = summary_rows(&[&quiet(&levels)], &levels)
            .into_iter()
            .map(|r| r.label)
            .collect();
        let compared: Vec<String> = measures(&levels)
            .into_iter()
            .filter_map(|m| {
                let compared = m.compared?;
                Some(compared.renamed.map_or(m.label, str::to_string))
            })
            .collect();
        assert_eq!(
            compared,
            [
                "Incidents",
                "SEV1",
                "SEV2",
                "Time to resolve (median)",
                "Time to resolve (p90)",
                "Time to detect (median)",
                "Action items completed",
                "Repeat incidents",
                "Lessons learned again"
            ]
        );
        assert!(
            !table.contains(&"Unrated".to_string()),
            "no unrated incidents"
        );
        assert_eq!(table.len(), 15, "{table:?}");
    }
}
