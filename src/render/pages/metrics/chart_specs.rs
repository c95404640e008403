//! What the metrics charts show: their series and categories, built from
//! the figures of listed periods ([`crate::render::charts`] draws them).

use super::quarter_path;
use super::views::year_name;
use crate::link::Kb;
use crate::metrics::{DurationStats, Figures, Metrics, SMALL_SAMPLE};
use crate::quarter::Quarter;
use crate::render::charts::{self, Category, Chart, ChartSpec, Layout, Scale, Series};
use crate::render::views::SeverityView;

/// The three charts of the metrics page over the given quarters: incidents
/// by severity, time to resolve, action items completed.
pub fn quarter_charts(
    kb: &Kb,
    levels: &[String],
    quarters: &[Quarter],
    columns: &[&Figures],
) -> Vec<ChartSpec> {
    let categories = |small: &dyn Fn(usize) -> bool| quarter_categories(kb, quarters, small);
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
            series: severity_series(levels, columns),
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

/// Incidents per quarter of a tag or service (`counts`, one per quarter).
pub fn trend_chart(kb: &Kb, id: &str, quarters: &[Quarter], counts: &[usize]) -> Chart {
    Chart::build(ChartSpec {
        id: id.to_string(),
        title: "Incidents per quarter".into(),
        category_heading: "Quarter".into(),
        layout: Layout::Stacked,
        scale: Scale::Count,
        size: charts::SMALL,
        categories: quarter_categories(kb, quarters, |_| false),
        series: vec![Series {
            name: "Incidents".into(),
            class: "s-all".into(),
            values: counts.iter().map(|&c| Some(c as f64)).collect(),
        }],
        small_sample_note: None,
    })
}

/// Incidents per year, by severity.
pub fn year_chart(kb: &Kb, levels: &[String], metrics: &Metrics) -> Chart {
    let columns: Vec<&Figures> = metrics.years.iter().map(|y| &y.figures).collect();
    Chart::build(ChartSpec {
        id: "chart-years".into(),
        title: "Incidents per year, by severity".into(),
        category_heading: "Year".into(),
        layout: Layout::Stacked,
        scale: Scale::Count,
        size: charts::WIDE,
        categories: year_categories(kb, metrics, |_| false),
        series: severity_series(levels, &columns),
        small_sample_note: None,
    })
}

/// Median time to resolve per year, each bar labelled with its value; none
/// when no year has a known time.
pub fn year_ttr_chart(kb: &Kb, metrics: &Metrics) -> ChartSpec {
    let stats = |i: usize| metrics.years[i].figures.mttr_minutes.as_ref();
    ChartSpec {
        id: "chart-years-ttr".into(),
        title: "Time to resolve per year (median)".into(),
        category_heading: "Year".into(),
        // One series, stacked: every bar carries its value on top.
        layout: Layout::Stacked,
        scale: Scale::Minutes,
        size: charts::WIDE,
        categories: year_categories(kb, metrics, |i| {
            stats(i).is_some_and(DurationStats::is_small_sample)
        }),
        series: vec![Series {
            name: "Median".into(),
            class: "median".into(),
            values: (0..metrics.years.len())
                .map(|i| stats(i).map(|s| s.median.get()))
                .collect(),
        }],
        small_sample_note: Some(format!(
            "small sample: fewer than {SMALL_SAMPLE} incidents with a known time to resolve"
        )),
    }
}

/// Chart categories for the listed years, breaks where years were skipped.
fn year_categories(
    kb: &Kb,
    metrics: &Metrics,
    small_sample: impl Fn(usize) -> bool,
) -> Vec<Category> {
    metrics
        .years
        .iter()
        .enumerate()
        .map(|(i, y)| Category {
            label: year_name(kb, y.year),
            sublabel: None,
            name: year_name(kb, y.year),
            href: None,
            gap_before: i > 0 && metrics.years[i - 1].year != y.year - 1,
            small_sample: small_sample(i),
        })
        .collect()
}

/// Chart categories for quarters: `Q1` over the (fiscal) year, breaks
/// where quarters were skipped.
fn quarter_categories(
    kb: &Kb,
    quarters: &[Quarter],
    small_sample: impl Fn(usize) -> bool,
) -> Vec<Category> {
    quarters
        .iter()
        .enumerate()
        .map(|(i, q)| Category {
            label: format!("Q{}", q.number),
            sublabel: Some(year_name(kb, q.year)),
            name: q.label(),
            href: Some(quarter_path(*q)),
            gap_before: i > 0 && quarters[i - 1].index() + 1 != q.index(),
            small_sample: small_sample(i),
        })
        .collect()
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
