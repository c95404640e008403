//! The figures of a period ready to show: display strings, paths, top lists.

use jiff::civil::Date;
use serde::Serialize;

use super::quarter_path;
use crate::link::Kb;
use crate::metrics::{ActionItemCounts, DurationStats, Figures, Metrics, Ranked};
use crate::render::pages::SeverityCount;
use crate::render::views::{SeverityView, format_minutes, service_path, tag_path};

/// A quarter or a year, ready to show.
#[derive(Debug, Serialize)]
pub struct PeriodView {
    /// `2024-Q1`, `2024` or `FY2024`.
    pub name: String,
    pub path: Option<String>,
    /// `Jan – Mar 2024`.
    pub dates: String,
    /// "Today" (`--now`) falls in it: figures so far.
    pub in_progress: bool,
    pub incidents: usize,
    /// Every level of the scale, most severe first.
    pub severities: Vec<SeverityCount>,
    pub unrated: usize,
    /// Time to resolve; none when no incident has one.
    pub ttr: Option<StatsView>,
    /// Time to detect.
    pub ttd: Option<StatsView>,
    pub action_items: ActionItemCounts,
    /// Action items done, `40%` (`33%*` from a small sample).
    pub completion: Option<String>,
    /// Some figure of the period is a small sample (marked `*`).
    pub small_sample: bool,
    pub repeats: usize,
    pub top_tags: Vec<CountView>,
    pub top_services: Vec<CountView>,
    pub top_factors: Vec<CountView>,
}

/// Durations of a period, as display strings (`1h 5m`).
#[derive(Debug, Serialize)]
pub struct StatsView {
    pub median: String,
    pub p90: String,
    pub mean: String,
    pub n: usize,
    /// From fewer than `SMALL_SAMPLE` values.
    pub small_sample: bool,
}

impl StatsView {
    fn new(stats: Option<&DurationStats>) -> Option<StatsView> {
        stats.map(|s| StatsView {
            median: format_minutes(s.median.get()),
            p90: format_minutes(s.p90.get()),
            mean: format_minutes(s.mean.get()),
            n: s.n,
            small_sample: s.is_small_sample(),
        })
    }
}

/// A tag, service or contributing factor with its count.
#[derive(Debug, Serialize)]
pub struct CountView {
    pub name: String,
    /// Its page, when it has one (factors do not).
    pub path: Option<String>,
    pub count: usize,
}

/// A link to a listed quarter.
#[derive(Debug, Serialize)]
pub struct QuarterLink {
    /// `Q1` in a year's row, `2024-Q1` elsewhere.
    pub name: String,
    pub path: String,
}

/// `Jan – Mar 2024`, or `Nov 2024 – Jan 2025` across a year boundary.
pub fn period_dates(start: Date, end: Date) -> String {
    if start.year() == end.year() {
        format!("{} – {}", start.strftime("%b"), end.strftime("%b %Y"))
    } else {
        format!("{} – {}", start.strftime("%b %Y"), end.strftime("%b %Y"))
    }
}

/// `40%`.
pub fn percent(rate: f64) -> String {
    format!("{}%", (rate * 100.0).round() as i64)
}

/// `2024`, or `FY2024` when the fiscal year does not start in January.
pub fn year_name(kb: &Kb, year: i16) -> String {
    if kb.config.fiscal_year_start_month == 1 {
        year.to_string()
    } else {
        format!("FY{year}")
    }
}

/// The names of the severity levels, most severe first.
pub fn severity_names(kb: &Kb) -> Vec<String> {
    kb.config
        .severities
        .levels()
        .iter()
        .map(|l| l.name.clone())
        .collect()
}

/// Top tags, services or factors; those with a page (`page` and a slug) link to it.
fn count_views(top: &[Ranked], page: Option<fn(&str) -> String>) -> Vec<CountView> {
    top.iter()
        .map(|r| CountView {
            name: r.name.clone(),
            path: page.zip(r.slug.as_deref()).map(|(page, slug)| page(slug)),
            count: r.count,
        })
        .collect()
}

pub fn period_view(
    kb: &Kb,
    name: String,
    path: Option<String>,
    (start, end): (Date, Date),
    figures: &Figures,
) -> PeriodView {
    let now = kb.scope.now;
    PeriodView {
        name,
        path,
        dates: period_dates(start, end),
        in_progress: start <= now && now <= end,
        incidents: figures.incidents,
        severities: figures
            .by_severity
            .0
            .iter()
            .enumerate()
            .map(|(i, (level, count))| SeverityCount {
                severity: SeverityView::new(level, i + 1),
                count: *count,
            })
            .collect(),
        unrated: figures.unrated,
        ttr: StatsView::new(figures.mttr_minutes.as_ref()),
        ttd: StatsView::new(figures.mttd_minutes.as_ref()),
        action_items: figures.action_items,
        completion: figures.action_items.completion_rate.map(|rate| {
            let flag = if figures.action_items.is_small_sample() {
                "*"
            } else {
                ""
            };
            format!("{}{flag}", percent(rate))
        }),
        small_sample: figures.action_items.is_small_sample()
            || [&figures.mttr_minutes, &figures.mttd_minutes]
                .into_iter()
                .flatten()
                .any(DurationStats::is_small_sample),
        repeats: figures.repeat_incidents,
        top_tags: count_views(&figures.top_tags, Some(tag_path)),
        top_services: count_views(&figures.top_services, Some(service_path)),
        top_factors: count_views(&figures.top_contributing_factors, None),
    }
}

/// The listed quarter at `index`.
pub fn quarter_view(kb: &Kb, metrics: &Metrics, index: usize) -> PeriodView {
    let q = &metrics.quarters[index];
    period_view(
        kb,
        q.quarter.label(),
        Some(quarter_path(q.quarter)),
        (q.start, q.end),
        &q.figures,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_dates_span_years() {
        use jiff::civil::date;
        assert_eq!(
            period_dates(date(2024, 1, 1), date(2024, 3, 31)),
            "Jan – Mar 2024"
        );
        assert_eq!(
            period_dates(date(2024, 11, 1), date(2025, 1, 31)),
            "Nov 2024 – Jan 2025"
        );
    }
}
