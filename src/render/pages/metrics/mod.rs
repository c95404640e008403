//! The metrics pages (docs/metrics.md): `metrics/index.html`, one page per
//! listed quarter, the latest quarter's headline on the home page, and the
//! per-quarter trend on tag and service pages. The figures come from the
//! metrics stage; [`views`] turns them into display strings, [`compare`]
//! holds the table of measures and the comparisons, [`chart_specs`] the
//! charts.

pub mod chart_specs;
pub mod compare;
pub mod views;

use serde::Serialize;

use self::compare::{Against, Baseline, Comparison, Row, comparison, summary_rows};
use self::views::{PeriodView, QuarterLink, period_view, quarter_view, severity_names, year_name};
use super::SiteData;
use super::action_items::{self, Owned};
use crate::link::Kb;
use crate::metrics::{Figures, Metrics, SMALL_SAMPLE, quiet_figures};
use crate::quarter::Quarter;
use crate::render::charts::{Chart, ChartSpec};
use crate::render::views::{ActionItemView, IncidentCard};

/// Quarters shown side by side in the table and the charts; older history is
/// rolled up by year.
const RECENT_QUARTERS: usize = 8;

pub fn quarter_path(quarter: Quarter) -> String {
    format!("metrics/{quarter}/index.html")
}

/// The context of `metrics.html`.
#[derive(Debug, Serialize)]
pub struct MetricsIndexPage {
    pub metrics: MetricsOverview,
}

/// Everything the metrics page shows.
#[derive(Debug, Serialize)]
pub struct MetricsOverview {
    /// The latest quarter against the one before.
    pub headline: Option<Headline>,
    /// The last [`RECENT_QUARTERS`] listed quarters, oldest first.
    pub quarters: Vec<PeriodView>,
    /// The measures of those quarters, side by side.
    pub rows: Vec<Row>,
    pub charts: Vec<Chart>,
    /// A sentence for each chart left out for lack of data.
    pub chart_notes: Vec<String>,
    /// Some year has incidents without a severity.
    pub has_unrated: bool,
    /// Every listed year, newest first.
    pub years: Vec<YearRow>,
    /// Some year has a figure from a small sample.
    pub small_sample_years: bool,
    /// Incidents per year, when there are two years or more.
    pub year_chart: Option<Chart>,
    /// Median time to resolve per year, when some year has one.
    pub year_ttr_chart: Option<Chart>,
    /// Incidents in some period.
    pub incidents: usize,
    /// Incidents without any date.
    pub undated: usize,
    pub quarter_count: usize,
    pub recent_count: usize,
    /// The first and last listed quarters, `2024-Q1`.
    pub first: Option<String>,
    pub last: Option<String>,
    /// The month fiscal years start in, when it is not January.
    pub fiscal_start: Option<String>,
    pub timezone: String,
    /// Figures from fewer values than this are marked as small samples.
    pub small_sample: usize,
}

/// A year in the table of years.
#[derive(Debug, Serialize)]
pub struct YearRow {
    pub period: PeriodView,
    /// Its listed quarters, `Q1`…
    pub quarters: Vec<QuarterLink>,
    /// Incidents against the year before (when that year is within the data).
    pub change: Option<Against>,
}

/// The context of `quarter.html`.
#[derive(Debug, Serialize)]
pub struct QuarterPage<'a> {
    pub quarter: PeriodView,
    /// Against the quarter before and the same quarter a year earlier.
    pub comparison: Comparison,
    pub incidents: Vec<&'a IncidentCard>,
    /// Its incidents' action items still open, most urgent first.
    pub open_items: Vec<ActionItemView>,
    /// The neighbouring listed quarters.
    pub previous: Option<QuarterLink>,
    pub next: Option<QuarterLink>,
    pub small_sample: usize,
}

/// The latest quarter, for the home and metrics pages (`partials/headline.html`).
#[derive(Debug, Serialize)]
pub struct Headline {
    pub quarter: PeriodView,
    /// The key measures against the quarter before.
    pub comparison: Comparison,
    pub small_sample: usize,
}

/// Incidents per quarter of a tag or service (`partials/trend.html`).
#[derive(Debug, Serialize)]
pub struct TrendView {
    /// None when none of the label's incidents fall in the window.
    pub chart: Option<Chart>,
    pub total: usize,
    pub first: String,
    pub last: String,
    pub quarters: usize,
}

/// A listed quarter against the quarter before it and the same quarter a
/// year earlier, as far back as the data reaches (quarters in a long quiet
/// gap had no incidents).
fn quarter_comparison(kb: &Kb, metrics: &Metrics, quarter: Quarter, quiet: &Figures) -> Comparison {
    let first = metrics.quarters[0].quarter;
    let baseline = |q: Quarter| -> Option<(Baseline, &Figures)> {
        if q < first {
            return None;
        }
        let listed = metrics.quarter(q);
        Some((
            Baseline {
                name: q.label(),
                path: listed.map(|l| quarter_path(l.quarter)),
                quiet: listed.is_none_or(|l| l.figures.incidents == 0),
            },
            listed.map_or(quiet, |l| &l.figures),
        ))
    };
    let current = &metrics
        .quarter(quarter)
        .expect("compared quarters are listed")
        .figures;
    let baselines = [
        baseline(quarter.previous()),
        baseline(Quarter::from_index(quarter.index() - 4)),
    ]
    .into_iter()
    .flatten()
    .collect();
    comparison(current, baselines, &severity_names(kb))
}

/// The latest listed quarter's headline (the current one, by `--now`,
/// unless incidents are dated later); none without dated incidents.
pub fn headline(data: &SiteData<'_>) -> Option<Headline> {
    let (kb, metrics) = (data.kb, data.metrics);
    let last = metrics.quarters.len().checked_sub(1)?;
    let quiet = quiet_figures(kb);
    let comparison = quarter_comparison(kb, metrics, metrics.quarters[last].quarter, &quiet);
    Some(Headline {
        quarter: quarter_view(kb, metrics, last),
        comparison: comparison.key_only(),
        small_sample: SMALL_SAMPLE,
    })
}

/// Incidents per quarter of `members` over the recent listed quarters; `id`
/// names the chart within its page.
pub fn trend(data: &SiteData<'_>, members: &[usize], id: &str) -> TrendView {
    let (kb, metrics) = (data.kb, data.metrics);
    let window = &metrics.quarters[metrics.quarters.len().saturating_sub(RECENT_QUARTERS)..];
    let quarters: Vec<Quarter> = window.iter().map(|q| q.quarter).collect();
    let counts = Metrics::counts_by_quarter(kb, members, &quarters);
    let total: usize = counts.iter().sum();
    TrendView {
        chart: (total > 0).then(|| chart_specs::trend_chart(kb, id, &quarters, &counts)),
        total,
        first: quarters.first().map(|q| q.label()).unwrap_or_default(),
        last: quarters.last().map(|q| q.label()).unwrap_or_default(),
        quarters: quarters.len(),
    }
}

pub fn index_page(data: &SiteData<'_>) -> MetricsIndexPage {
    let (kb, metrics) = (data.kb, data.metrics);
    let levels = severity_names(kb);
    let recent = &metrics.quarters[metrics.quarters.len().saturating_sub(RECENT_QUARTERS)..];
    let start = metrics.quarters.len() - recent.len();
    let quarter_views: Vec<PeriodView> = (start..metrics.quarters.len())
        .map(|i| quarter_view(kb, metrics, i))
        .collect();
    let columns: Vec<&Figures> = recent.iter().map(|q| &q.figures).collect();
    let quarters: Vec<Quarter> = recent.iter().map(|q| q.quarter).collect();
    // A chart without a single value says nothing: a sentence says it better.
    let (specs, empty): (Vec<ChartSpec>, Vec<ChartSpec>) =
        chart_specs::quarter_charts(kb, &levels, &quarters, &columns)
            .into_iter()
            .partition(ChartSpec::has_data);

    let quiet = quiet_figures(kb);
    let years: Vec<YearRow> = metrics
        .years
        .iter()
        .enumerate()
        .rev()
        .map(|(i, y)| {
            let previous = (i > 0).then(|| metrics.year(y.year - 1).map_or(&quiet, |p| &p.figures));
            YearRow {
                period: period_view(
                    kb,
                    year_name(kb, y.year),
                    None,
                    (y.start, y.end),
                    &y.figures,
                ),
                quarters: metrics
                    .quarters
                    .iter()
                    .filter(|q| q.quarter.year == y.year)
                    .map(|q| QuarterLink {
                        name: format!("Q{}", q.quarter.number),
                        path: quarter_path(q.quarter),
                    })
                    .collect(),
                change: previous.map(|p| Against::incidents(&y.figures, p)),
            }
        })
        .collect();
    let dated: usize = metrics.years.iter().map(|y| y.figures.incidents).sum();
    let fiscal_start = Quarter {
        year: 2000,
        number: 1,
    }
    .start(kb.config.fiscal_year_start_month)
    .strftime("%B")
    .to_string();
    MetricsIndexPage {
        metrics: MetricsOverview {
            headline: headline(data),
            quarters: quarter_views,
            rows: summary_rows(&columns, &levels),
            charts: specs.into_iter().map(Chart::build).collect(),
            chart_notes: empty
                .iter()
                .map(|spec| format!("{}: no data in these quarters.", spec.title))
                .collect(),
            has_unrated: metrics.years.iter().any(|y| y.figures.unrated > 0),
            small_sample_years: years.iter().any(|y| y.period.small_sample),
            years,
            year_chart: (metrics.years.len() > 1)
                .then(|| chart_specs::year_chart(kb, &levels, metrics)),
            year_ttr_chart: Some(chart_specs::year_ttr_chart(kb, metrics))
                .filter(ChartSpec::has_data)
                .map(Chart::build),
            incidents: dated,
            undated: kb.incidents.len() - dated,
            quarter_count: metrics.quarters.len(),
            recent_count: recent.len(),
            first: metrics.quarters.first().map(|q| q.quarter.label()),
            last: metrics.quarters.last().map(|q| q.quarter.label()),
            fiscal_start: (kb.config.fiscal_year_start_month != 1).then_some(fiscal_start),
            timezone: kb.config.timezone_name.clone(),
            small_sample: SMALL_SAMPLE,
        },
    }
}

/// The page of the listed quarter at `index`.
pub fn quarter_page<'a>(data: &'a SiteData<'_>, index: usize) -> QuarterPage<'a> {
    let (kb, metrics) = (data.kb, data.metrics);
    let q = &metrics.quarters[index];
    let mut open: Vec<Owned<'_>> = q
        .figures
        .members
        .iter()
        .map(|&n| &kb.incidents[n])
        .flat_map(|i| i.action_items.iter().map(move |a| (i, a)))
        .filter(|(_, a)| a.status.is_pending())
        .collect();
    action_items::sort_by_urgency(&mut open, kb);
    let neighbour = |i: Option<usize>| {
        i.and_then(|i| metrics.quarters.get(i))
            .map(|q| QuarterLink {
                name: q.quarter.label(),
                path: quarter_path(q.quarter),
            })
    };
    QuarterPage {
        quarter: quarter_view(kb, metrics, index),
        comparison: quarter_comparison(kb, metrics, q.quarter, &quiet_figures(kb)),
        incidents: data.cards_of(&q.figures.members),
        open_items: action_items::views(&open, kb),
        previous: neighbour(index.checked_sub(1)),
        next: neighbour(Some(index + 1)),
        small_sample: SMALL_SAMPLE,
    }
}
