//! The metrics pages (SPEC §4): `metrics/index.html`, one page per quarter,
//! the latest quarter's headline on the home page, and the per-quarter trend
//! on tag and service pages. The figures come from the metrics stage; this
//! module turns them into display strings, comparisons and charts.

use jiff::civil::Date;
use serde::Serialize;

use super::charts::{self, Category, Chart, ChartSpec, Layout, Scale, Series};
use super::pages::{Page, PageRenderer};
use super::theme::TemplateError;
use super::views::{
    ActionItemView, IncidentCard, SeverityView, action_item_view, format_minutes, service_path,
    tag_path,
};
use crate::metrics::{
    ActionItemCounts, DurationStats, Figures, Metrics, Ranked, SMALL_SAMPLE, quiet_figures,
};
use crate::quarter::Quarter;

/// Quarters shown side by side in the table and the charts; older history is
/// rolled up by year.
const RECENT_QUARTERS: usize = 8;
const METRICS_PATH: &str = "metrics/index.html";

pub fn quarter_path(quarter: Quarter) -> String {
    format!("metrics/{quarter}/index.html")
}

/// `Jan – Mar 2024`, or `Nov 2024 – Jan 2025` across a year boundary.
fn period_dates(start: Date, end: Date) -> String {
    if start.year() == end.year() {
        format!("{} – {}", start.strftime("%b"), end.strftime("%b %Y"))
    } else {
        format!("{} – {}", start.strftime("%b %Y"), end.strftime("%b %Y"))
    }
}

fn percent(rate: f64) -> String {
    format!("{}%", (rate * 100.0).round() as i64)
}

#[derive(Debug, Serialize)]
struct StatsView {
    median: String,
    p90: String,
    mean: String,
    n: usize,
    small_sample: bool,
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

#[derive(Debug, Serialize)]
struct CountView {
    name: String,
    path: Option<String>,
    count: usize,
}

#[derive(Debug, Serialize)]
struct SeverityCount {
    severity: SeverityView,
    count: usize,
}

/// A quarter or a year, ready to show.
#[derive(Debug, Serialize)]
struct PeriodView {
    /// `2024-Q1`, `2024` or `FY2024`.
    name: String,
    path: Option<String>,
    dates: String,
    /// "Today" (`--now`) falls in it: figures so far.
    in_progress: bool,
    incidents: usize,
    severities: Vec<SeverityCount>,
    unrated: usize,
    ttr: Option<StatsView>,
    ttd: Option<StatsView>,
    action_items: ActionItemCounts,
    completion: Option<String>,
    repeats: usize,
    top_tags: Vec<CountView>,
    top_services: Vec<CountView>,
    top_factors: Vec<CountView>,
}

/// One metric of an earlier period, and how the current one differs from it.
#[derive(Debug, Clone, Serialize)]
struct Against {
    /// The earlier period's figure.
    value: String,
    /// `+2`, `−15m`, `+10 pts`, `no change`, or `–` when either side is unknown.
    change: String,
    /// `better`, `worse`, `same` or `unknown`.
    direction: &'static str,
}

#[derive(Debug, Serialize)]
struct ComparisonRow {
    metric: String,
    current: String,
    /// One per baseline.
    against: Vec<Against>,
    /// Shown in the home page headline.
    key: bool,
    /// A detail of the row above (severity levels under incidents).
    sub: bool,
}

#[derive(Debug, Serialize)]
struct Baseline {
    name: String,
    path: Option<String>,
    /// Listed as a quarter without incidents, or skipped as part of a long quiet gap.
    quiet: bool,
}

#[derive(Debug, Serialize)]
struct Comparison {
    baselines: Vec<Baseline>,
    rows: Vec<ComparisonRow>,
}

#[derive(Debug, Serialize)]
struct Row {
    label: String,
    /// A detail of the row above (indented).
    sub: bool,
    cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
struct Cell {
    text: String,
    small_sample: bool,
}

#[derive(Debug, Serialize)]
struct QuarterLink {
    /// `Q1`
    name: String,
    path: String,
}

#[derive(Debug, Serialize)]
struct YearRow {
    period: PeriodView,
    quarters: Vec<QuarterLink>,
    /// Incidents against the year before (when that year is within the data).
    change: Option<Against>,
}

#[derive(Debug, Serialize)]
pub(super) struct Headline {
    quarter: PeriodView,
    comparison: Comparison,
}

#[derive(Debug, Serialize)]
pub(super) struct TrendView {
    /// None when none of the label's incidents fall in the window.
    chart: Option<Chart>,
    total: usize,
    first: String,
    last: String,
    quarters: usize,
}

/// Better when lower (incidents, durations) or when higher (completion).
#[derive(Clone, Copy, PartialEq)]
enum Goal {
    Lower,
    Higher,
}

fn display(value: Option<f64>, unit: Scale, small_sample: bool) -> String {
    match value {
        None => "–".into(),
        Some(v) if small_sample => format!("{}*", unit.format(v)),
        Some(v) => unit.format(v),
    }
}

/// The change from `before` to `now`, and whether it is an improvement.
fn change(
    now: Option<f64>,
    before: Option<f64>,
    goal: Goal,
    unit: Scale,
) -> (String, &'static str) {
    let (Some(now), Some(before)) = (now, before) else {
        return ("–".into(), "unknown");
    };
    let delta = now - before;
    let same = match unit {
        Scale::Minutes => delta.abs() < 0.05,
        Scale::Count | Scale::Percent => delta.abs() < 0.5,
    };
    if same {
        return ("no change".into(), "same");
    }
    let magnitude = match unit {
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

type Reader = Box<dyn Fn(&Figures) -> Option<f64>>;

/// A figure to compare: how to read it, and which way is good.
struct Measure {
    metric: String,
    key: bool,
    sub: bool,
    goal: Goal,
    unit: Scale,
    read: Reader,
    small_sample: Box<dyn Fn(&Figures) -> bool>,
}

impl Measure {
    fn new(metric: &str, key: bool, goal: Goal, unit: Scale, read: Reader) -> Measure {
        Measure {
            metric: metric.to_string(),
            key,
            sub: false,
            goal,
            unit,
            read,
            small_sample: Box::new(|_| false),
        }
    }

    /// A statistic of durations; marked when its sample is small.
    fn durations(
        metric: &str,
        key: bool,
        stats: fn(&Figures) -> Option<&DurationStats>,
        pick: fn(&DurationStats) -> f64,
    ) -> Measure {
        Measure {
            small_sample: Box::new(move |f| stats(f).is_some_and(DurationStats::is_small_sample)),
            ..Measure::new(
                metric,
                key,
                Goal::Lower,
                Scale::Minutes,
                Box::new(move |f| stats(f).map(pick)),
            )
        }
    }

    fn display(&self, figures: &Figures) -> String {
        display(
            (self.read)(figures),
            self.unit,
            (self.small_sample)(figures),
        )
    }
}

fn measures(levels: &[String]) -> Vec<Measure> {
    let mut list = vec![Measure::new(
        "Incidents",
        true,
        Goal::Lower,
        Scale::Count,
        Box::new(|f| Some(f.incidents as f64)),
    )];
    for (i, level) in levels.iter().enumerate() {
        list.push(Measure {
            sub: true,
            ..Measure::new(
                level,
                false,
                Goal::Lower,
                Scale::Count,
                Box::new(move |f| f.by_severity.0.get(i).map(|(_, c)| *c as f64)),
            )
        });
    }
    fn ttr(f: &Figures) -> Option<&DurationStats> {
        f.mttr_minutes.as_ref()
    }
    fn ttd(f: &Figures) -> Option<&DurationStats> {
        f.mttd_minutes.as_ref()
    }
    list.extend([
        Measure::durations("Time to resolve (median)", true, ttr, |s| s.median.get()),
        Measure::durations("Time to resolve (p90)", false, ttr, |s| s.p90.get()),
        Measure::durations("Time to detect (median)", false, ttd, |s| s.median.get()),
        Measure::new(
            "Action items completed",
            true,
            Goal::Higher,
            Scale::Percent,
            Box::new(|f| f.action_items.completion_rate.map(|r| r * 100.0)),
        ),
        Measure::new(
            "Repeat incidents",
            true,
            Goal::Lower,
            Scale::Count,
            Box::new(|f| Some(f.repeat_incidents as f64)),
        ),
    ]);
    list
}

impl PageRenderer<'_> {
    fn severity_names(&self) -> Vec<String> {
        self.kb
            .config
            .severities
            .levels()
            .iter()
            .map(|l| l.name.clone())
            .collect()
    }

    fn year_name(&self, year: i16) -> String {
        if self.kb.config.fiscal_year_start_month == 1 {
            year.to_string()
        } else {
            format!("FY{year}")
        }
    }

    /// Top tags, services or factors; those with a page (`page` and a slug) link to it.
    fn count_views(&self, top: &[Ranked], page: Option<fn(&str) -> String>) -> Vec<CountView> {
        top.iter()
            .map(|r| CountView {
                name: r.name.clone(),
                path: page.zip(r.slug.as_deref()).map(|(page, slug)| page(slug)),
                count: r.count,
            })
            .collect()
    }

    fn period_view(
        &self,
        name: String,
        path: Option<String>,
        (start, end): (Date, Date),
        figures: &Figures,
    ) -> PeriodView {
        let now = self.kb.scope.now;
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
            completion: figures.action_items.completion_rate.map(percent),
            repeats: figures.repeat_incidents,
            top_tags: self.count_views(&figures.top_tags, Some(tag_path)),
            top_services: self.count_views(&figures.top_services, Some(service_path)),
            top_factors: self.count_views(&figures.top_contributing_factors, None),
        }
    }

    fn quarter_view(&self, metrics: &Metrics, index: usize) -> PeriodView {
        let q = &metrics.quarters[index];
        self.period_view(
            q.quarter.label(),
            Some(quarter_path(q.quarter)),
            (q.start, q.end),
            &q.figures,
        )
    }

    /// `current` against each baseline.
    fn comparison(&self, current: &Figures, baselines: Vec<(Baseline, &Figures)>) -> Comparison {
        let rows = measures(&self.severity_names())
            .into_iter()
            .map(|m| {
                let now = (m.read)(current);
                ComparisonRow {
                    current: m.display(current),
                    against: baselines
                        .iter()
                        .map(|(_, before)| {
                            let (change, direction) = change(now, (m.read)(before), m.goal, m.unit);
                            Against {
                                value: m.display(before),
                                change,
                                direction,
                            }
                        })
                        .collect(),
                    metric: m.metric,
                    key: m.key,
                    sub: m.sub,
                }
            })
            .collect();
        Comparison {
            baselines: baselines.into_iter().map(|(b, _)| b).collect(),
            rows,
        }
    }

    /// A listed quarter against the quarter before it and the same quarter a
    /// year earlier, as far back as the data reaches (quarters in a long quiet
    /// gap had no incidents).
    fn quarter_comparison(
        &self,
        metrics: &Metrics,
        quarter: Quarter,
        quiet: &Figures,
    ) -> Comparison {
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
        self.comparison(current, baselines)
    }

    pub(super) fn headline(&self, metrics: &Metrics) -> Option<Headline> {
        let last = metrics.quarters.len().checked_sub(1)?;
        let quiet = quiet_figures(self.kb);
        let mut comparison =
            self.quarter_comparison(metrics, metrics.quarters[last].quarter, &quiet);
        comparison.baselines.truncate(1);
        comparison.rows.retain(|r| r.key);
        for row in &mut comparison.rows {
            row.against.truncate(1);
        }
        Some(Headline {
            quarter: self.quarter_view(metrics, last),
            comparison,
        })
    }

    pub(super) fn trend(&self, metrics: &Metrics, members: &[usize], id: &str) -> TrendView {
        let window = &metrics.quarters[metrics.quarters.len().saturating_sub(RECENT_QUARTERS)..];
        let quarters: Vec<Quarter> = window.iter().map(|q| q.quarter).collect();
        let counts = Metrics::counts_by_quarter(self.kb, members, &quarters);
        let total: usize = counts.iter().sum();
        let chart = (total > 0).then(|| {
            Chart::build(ChartSpec {
                id: id.to_string(),
                title: "Incidents per quarter".into(),
                category_heading: "Quarter".into(),
                layout: Layout::Stacked,
                scale: Scale::Count,
                size: charts::SMALL,
                categories: self.quarter_categories(&quarters, |_| false),
                series: vec![Series {
                    name: "Incidents".into(),
                    class: "s-all".into(),
                    values: counts.iter().map(|&c| Some(c as f64)).collect(),
                }],
                small_sample_note: None,
            })
        });
        TrendView {
            chart,
            total,
            first: quarters.first().map(|q| q.label()).unwrap_or_default(),
            last: quarters.last().map(|q| q.label()).unwrap_or_default(),
            quarters: quarters.len(),
        }
    }

    pub(super) fn metrics_index(&self, metrics: &Metrics) -> Result<Page, TemplateError> {
        let kb = self.kb;
        let start = metrics.quarters.len().saturating_sub(RECENT_QUARTERS);
        let recent: Vec<usize> = (start..metrics.quarters.len()).collect();
        let quarter_views: Vec<PeriodView> = recent
            .iter()
            .map(|&i| self.quarter_view(metrics, i))
            .collect();
        let columns: Vec<&Figures> = recent
            .iter()
            .map(|&i| &metrics.quarters[i].figures)
            .collect();
        let quarters: Vec<Quarter> = recent
            .iter()
            .map(|&i| metrics.quarters[i].quarter)
            .collect();
        let rows = summary_rows(&columns, &self.severity_names());
        // A chart without a single value says nothing: a sentence says it better.
        let (specs, empty): (Vec<ChartSpec>, Vec<ChartSpec>) = self
            .quarter_charts(&quarters, &columns)
            .into_iter()
            .partition(ChartSpec::has_data);
        let charts: Vec<Chart> = specs.into_iter().map(Chart::build).collect();
        let chart_notes: Vec<String> = empty
            .iter()
            .map(|spec| format!("{}: no data in these quarters.", spec.title))
            .collect();

        let quiet = quiet_figures(kb);
        let years: Vec<YearRow> = metrics
            .years
            .iter()
            .enumerate()
            .rev()
            .map(|(i, y)| {
                let previous =
                    (i > 0).then(|| metrics.year(y.year - 1).map_or(&quiet, |p| &p.figures));
                YearRow {
                    period: self.period_view(
                        self.year_name(y.year),
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
                    change: previous.map(|p| {
                        let (change, direction) = change(
                            Some(y.figures.incidents as f64),
                            Some(p.incidents as f64),
                            Goal::Lower,
                            Scale::Count,
                        );
                        Against {
                            value: p.incidents.to_string(),
                            change,
                            direction,
                        }
                    }),
                }
            })
            .collect();
        let year_chart = (metrics.years.len() > 1).then(|| self.year_chart(metrics));

        let dated: usize = metrics.years.iter().map(|y| y.figures.incidents).sum();
        let fiscal_start = Quarter {
            year: 2000,
            number: 1,
        }
        .start(kb.config.fiscal_year_start_month)
        .strftime("%B")
        .to_string();
        let context = serde_json::json!({
            "headline": self.headline(metrics),
            "quarters": quarter_views,
            "rows": rows,
            "charts": charts,
            "chart_notes": chart_notes,
            "has_unrated": metrics.years.iter().any(|y| y.figures.unrated > 0),
            "years": years,
            "year_chart": year_chart,
            "incidents": dated,
            "undated": kb.incidents.len() - dated,
            "quarter_count": metrics.quarters.len(),
            "recent_count": recent.len(),
            "first": metrics.quarters.first().map(|q| q.quarter.label()),
            "last": metrics.quarters.last().map(|q| q.quarter.label()),
            "fiscal_start": (kb.config.fiscal_year_start_month != 1).then_some(fiscal_start),
            "timezone": kb.config.timezone_name,
            "small_sample": SMALL_SAMPLE,
        });
        self.page(METRICS_PATH, "metrics.html", "Metrics", "metrics", |ctx| {
            ctx.insert("metrics", &context);
        })
    }

    fn quarter_charts(&self, quarters: &[Quarter], columns: &[&Figures]) -> Vec<ChartSpec> {
        let categories = |small: &dyn Fn(usize) -> bool| self.quarter_categories(quarters, small);
        let severity_series = severity_series(&self.severity_names(), columns);
        let ttr = |pick: fn(&DurationStats) -> f64| -> Vec<Option<f64>> {
            columns
                .iter()
                .map(|f| f.mttr_minutes.as_ref().map(pick))
                .collect()
        };
        vec![
            ChartSpec {
                id: "chart-incidents".into(),
                title: "Incidents per quarter, by severity".into(),
                category_heading: "Quarter".into(),
                layout: Layout::Stacked,
                scale: Scale::Count,
                size: charts::HALF,
                categories: categories(&|_| false),
                series: severity_series,
                small_sample_note: None,
            },
            ChartSpec {
                id: "chart-ttr".into(),
                title: "Time to resolve per quarter: median and p90".into(),
                category_heading: "Quarter".into(),
                layout: Layout::Grouped,
                scale: Scale::Minutes,
                size: charts::HALF,
                categories: categories(&|i| {
                    columns[i].mttr_minutes.is_some_and(|s| s.is_small_sample())
                }),
                series: vec![
                    Series {
                        name: "Median".into(),
                        class: "median".into(),
                        values: ttr(|s| s.median.get()),
                    },
                    Series {
                        name: "p90".into(),
                        class: "p90".into(),
                        values: ttr(|s| s.p90.get()),
                    },
                ],
                small_sample_note: Some(format!(
                    "small sample: fewer than {SMALL_SAMPLE} incidents with a known time to resolve"
                )),
            },
            ChartSpec {
                id: "chart-actions".into(),
                title: "Action items completed per quarter".into(),
                category_heading: "Quarter".into(),
                layout: Layout::Stacked,
                scale: Scale::Percent,
                size: charts::HALF,
                categories: categories(&|i| {
                    let total = columns[i].action_items.total;
                    total > 0 && total < SMALL_SAMPLE
                }),
                series: vec![Series {
                    name: "Completed".into(),
                    class: "rate".into(),
                    values: columns
                        .iter()
                        .map(|f| f.action_items.completion_rate.map(|r| r * 100.0))
                        .collect(),
                }],
                small_sample_note: Some(format!(
                    "small sample: fewer than {SMALL_SAMPLE} action items"
                )),
            },
        ]
    }

    /// Chart categories for quarters: `Q1` over the (fiscal) year, breaks
    /// where quarters were skipped.
    fn quarter_categories(
        &self,
        quarters: &[Quarter],
        small_sample: impl Fn(usize) -> bool,
    ) -> Vec<Category> {
        quarters
            .iter()
            .enumerate()
            .map(|(i, q)| Category {
                label: format!("Q{}", q.number),
                sublabel: Some(self.year_name(q.year)),
                name: q.label(),
                href: Some(quarter_path(*q)),
                gap_before: i > 0 && quarters[i - 1].index() + 1 != q.index(),
                small_sample: small_sample(i),
            })
            .collect()
    }

    fn year_chart(&self, metrics: &Metrics) -> Chart {
        let columns: Vec<&Figures> = metrics.years.iter().map(|y| &y.figures).collect();
        let series = severity_series(&self.severity_names(), &columns);
        Chart::build(ChartSpec {
            id: "chart-years".into(),
            title: "Incidents per year, by severity".into(),
            category_heading: "Year".into(),
            layout: Layout::Stacked,
            scale: Scale::Count,
            size: charts::WIDE,
            categories: metrics
                .years
                .iter()
                .enumerate()
                .map(|(i, y)| Category {
                    label: self.year_name(y.year),
                    sublabel: None,
                    name: self.year_name(y.year),
                    href: None,
                    gap_before: i > 0 && metrics.years[i - 1].year != y.year - 1,
                    small_sample: false,
                })
                .collect(),
            series,
            small_sample_note: None,
        })
    }

    pub(super) fn quarter_page(
        &self,
        metrics: &Metrics,
        index: usize,
    ) -> Result<Page, TemplateError> {
        let kb = self.kb;
        let q = &metrics.quarters[index];
        let quiet = quiet_figures(kb);
        let period = self.quarter_view(metrics, index);
        let comparison = self.quarter_comparison(metrics, q.quarter, &quiet);
        let mut open_items: Vec<(ActionItemView, Option<Date>)> = q
            .figures
            .members
            .iter()
            .map(|&n| &kb.incidents[n])
            .flat_map(|i| i.action_items.iter().map(move |a| (i, a)))
            .filter(|(_, a)| a.status.is_pending())
            .map(|(i, a)| (action_item_view(a, kb, Some(i)), a.due))
            .collect();
        // Overdue first, then by due date (undated last).
        open_items.sort_by(|(a, ad), (b, bd)| {
            b.overdue
                .cmp(&a.overdue)
                .then_with(|| ad.is_none().cmp(&bd.is_none()))
                .then(ad.cmp(bd))
        });
        let open_items: Vec<ActionItemView> = open_items.into_iter().map(|(v, _)| v).collect();
        let neighbour = |i: Option<usize>| {
            i.and_then(|i| metrics.quarters.get(i))
                .map(|q| QuarterLink {
                    name: q.quarter.label(),
                    path: quarter_path(q.quarter),
                })
        };
        let incidents: Vec<&IncidentCard> = self.cards_of(&q.figures.members);
        let path = quarter_path(q.quarter);
        let title = format!("Metrics {}", q.quarter);
        self.page(&path, "quarter.html", &title, "metrics", |ctx| {
            ctx.insert("quarter", &period);
            ctx.insert("comparison", &comparison);
            ctx.insert("incidents", &incidents);
            ctx.insert("open_items", &open_items);
            ctx.insert("previous", &neighbour(index.checked_sub(1)));
            ctx.insert("next", &neighbour(Some(index + 1)));
            ctx.insert("small_sample", &SMALL_SAMPLE);
        })
    }
}

/// Incidents per severity level (and unrated), one value per period; levels
/// without incidents in these periods are left out of the chart (and its legend).
fn severity_series(levels: &[String], columns: &[&Figures]) -> Vec<Series> {
    let mut series: Vec<Series> = levels
        .iter()
        .enumerate()
        .map(|(i, level)| Series {
            name: level.clone(),
            class: SeverityView::new(level, i + 1).class.replace("sev-", "s-"),
            values: columns
                .iter()
                .map(|f| f.by_severity.0.get(i).map(|(_, c)| *c as f64))
                .collect(),
        })
        .collect();
    series.push(Series {
        name: "Unrated".into(),
        class: "s-unrated".into(),
        values: columns.iter().map(|f| Some(f.unrated as f64)).collect(),
    });
    series.retain(|s| s.values.iter().any(|v| v.is_some_and(|v| v > 0.0)));
    series
}

/// The rows of the quarters-side-by-side table (like a hand-kept summary).
fn summary_rows(columns: &[&Figures], levels: &[String]) -> Vec<Row> {
    let row = |label: &str, sub: bool, cell: &dyn Fn(&Figures) -> Cell| Row {
        label: label.to_string(),
        sub,
        cells: columns.iter().map(|f| cell(f)).collect(),
    };
    let plain = |text: String| Cell {
        text,
        small_sample: false,
    };
    let duration = |stats: Option<&DurationStats>, pick: fn(&DurationStats) -> f64| Cell {
        text: display(
            stats.map(pick),
            Scale::Minutes,
            stats.is_some_and(|s| s.is_small_sample()),
        ),
        small_sample: stats.is_some_and(|s| s.is_small_sample()),
    };
    let mut rows = vec![row("Incidents", false, &|f| plain(f.incidents.to_string()))];
    for (i, level) in levels.iter().enumerate() {
        rows.push(row(level, true, &|f| {
            plain(f.by_severity.0.get(i).map_or(0, |(_, c)| *c).to_string())
        }));
    }
    if columns.iter().any(|f| f.unrated > 0) {
        rows.push(row("Unrated", true, &|f| plain(f.unrated.to_string())));
    }
    rows.extend([
        row("Time to resolve (median)", false, &|f| {
            duration(f.mttr_minutes.as_ref(), |s| s.median.get())
        }),
        row("p90", true, &|f| {
            duration(f.mttr_minutes.as_ref(), |s| s.p90.get())
        }),
        row("mean", true, &|f| {
            duration(f.mttr_minutes.as_ref(), |s| s.mean.get())
        }),
        row("known (n)", true, &|f| {
            plain(f.mttr_minutes.map_or(0, |s| s.n).to_string())
        }),
        row("Time to detect (median)", false, &|f| {
            duration(f.mttd_minutes.as_ref(), |s| s.median.get())
        }),
        row("p90", true, &|f| {
            duration(f.mttd_minutes.as_ref(), |s| s.p90.get())
        }),
        row("known (n)", true, &|f| {
            plain(f.mttd_minutes.map_or(0, |s| s.n).to_string())
        }),
        row("Action items done", false, &|f| {
            plain(format!(
                "{} / {}",
                f.action_items.done, f.action_items.total
            ))
        }),
        row("completed", true, &|f| {
            plain(f.action_items.completion_rate.map_or("–".into(), percent))
        }),
        row("still open", true, &|f| {
            plain(f.action_items.open.to_string())
        }),
        row("Repeat incidents", false, &|f| {
            plain(f.repeat_incidents.to_string())
        }),
    ]);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_better_or_worse() {
        let c = |now, before, goal, unit| change(Some(now), Some(before), goal, unit);
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
