//! Bar charts as data for inline SVG: this module computes the geometry
//! (bars, ticks, labels) and a text alternative; `partials/chart.html` draws
//! it. No JavaScript, no colours: bars carry CSS classes, text uses
//! `currentColor`, so the theme decides how they look in light, dark and print.

use serde::Serialize;

use super::views::format_minutes;

/// One bar position on the x axis: a quarter or a year.
#[derive(Debug, Clone)]
pub struct Category {
    pub label: String,
    /// Second label line (the year under `Q1`), shown where it changes.
    pub sublabel: Option<String>,
    /// Full name for tooltips and the data table, e.g. `2024-Q1`.
    pub name: String,
    /// Page of the category, relative to the site root.
    pub href: Option<String>,
    /// Periods were skipped before this one (drawn as a break).
    pub gap_before: bool,
    /// A small sample: bars are drawn faded and marked with `*`.
    pub small_sample: bool,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// CSS class of the bars (and the legend swatch).
    pub class: String,
    /// One value per category; None = no data (nothing drawn, `–` in the table).
    pub values: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Series stacked in one bar per category, the total above it.
    Stacked,
    /// Series side by side.
    Grouped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Count,
    Minutes,
    /// Values in percent, 0–100.
    Percent,
}

impl Scale {
    /// The top of the axis and the step between ticks.
    fn axis(self, max: f64) -> (f64, f64) {
        let steps: Vec<f64> = match self {
            Scale::Percent => return (100.0, 25.0),
            Scale::Count => (0..12)
                .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
                .collect(),
            // Steps people read as durations: minutes, hours, days, weeks.
            Scale::Minutes => [
                1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 180.0, 360.0, 720.0, 1440.0, 2880.0,
                4320.0, 10080.0, 20160.0, 43200.0,
            ]
            .into_iter()
            .chain((1..8).flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 43200.0 * 10f64.powi(e))))
            .collect(),
        };
        // Whatever the data, the axis has at most MAX_TICKS steps.
        let max = if max.is_finite() { max.max(1.0) } else { 1.0 };
        let step = steps
            .iter()
            .copied()
            .find(|s| (max / s).ceil() <= MAX_TICKS as f64)
            .unwrap_or_else(|| round_step(max / MAX_TICKS as f64));
        ((max / step).ceil() * step, step)
    }

    pub fn format(self, value: f64) -> String {
        match self {
            Scale::Count => format!("{}", value.round() as i64),
            Scale::Minutes if value == 0.0 => "0".into(),
            Scale::Minutes => format_minutes(value),
            Scale::Percent => format!("{}%", value.round() as i64),
        }
    }
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    /// Unique within the page (ids of the title and description).
    pub id: String,
    pub title: String,
    /// Heading of the categories column in the data table.
    pub category_heading: String,
    pub layout: Layout,
    pub scale: Scale,
    pub size: Size,
    pub categories: Vec<Category>,
    pub series: Vec<Series>,
    /// What `*` means here, e.g. "fewer than 5 incidents with a known time".
    pub small_sample_note: Option<String>,
}

impl ChartSpec {
    /// At least one value is known (zero counts as known).
    pub fn has_data(&self) -> bool {
        self.series
            .iter()
            .any(|s| s.values.iter().any(Option::is_some))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// A chart across the page (years).
pub const WIDE: Size = Size {
    width: 720.0,
    height: 260.0,
};
/// Charts two to a row (quarters).
pub const HALF: Size = Size {
    width: 560.0,
    height: 240.0,
};
/// The per-quarter trend on tag and service pages.
pub const SMALL: Size = Size {
    width: 480.0,
    height: 150.0,
};

/// Steps on a value axis, at most (so at most this many + 1 ticks).
const MAX_TICKS: usize = 5;

const LEFT: f64 = 52.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 18.0;
const BOTTOM: f64 = 36.0;
/// Narrower than this, x labels are thinned out.
const MIN_LABEL_SPACING: f64 = 44.0;
const MAX_BAR_WIDTH: f64 = 44.0;

/// The drawable chart: coordinates in the SVG's viewBox.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    /// The text alternative: what the chart shows, in words.
    pub description: String,
    pub width: f64,
    pub height: f64,
    pub plot: Plot,
    pub ticks: Vec<Tick>,
    pub columns: Vec<Column>,
    /// x of the breaks where periods were skipped.
    pub breaks: Vec<f64>,
    pub legend: Vec<LegendEntry>,
    /// Shown when some category is a small sample.
    pub small_sample_note: Option<String>,
    pub table: DataTable,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plot {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub y: f64,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub x: f64,
    /// Empty when thinned out.
    pub label: String,
    pub sublabel: Option<String>,
    pub bars: Vec<Bar>,
    /// Text above the bars: the total, a percentage, `*` for a small sample.
    pub top_label: Option<String>,
    pub top_y: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub class: String,
    /// Tooltip: `2024-Q1 · SEV1: 3`.
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendEntry {
    pub class: String,
    pub label: String,
}

/// The chart's numbers as a table (for screen readers and anyone who wants them).
#[derive(Debug, Clone, Serialize)]
pub struct DataTable {
    pub headers: Vec<String>,
    pub rows: Vec<DataRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataRow {
    pub label: String,
    pub href: Option<String>,
    pub cells: Vec<String>,
}

/// The smallest of 1, 2 or 5 × 10ⁿ that is at least `at_least` (> 0).
fn round_step(at_least: f64) -> f64 {
    let power = 10f64.powf(at_least.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&s| s >= at_least)
        .unwrap_or(10.0 * power)
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

impl Chart {
    pub fn build(spec: ChartSpec) -> Chart {
        let ChartSpec {
            id,
            title,
            category_heading,
            layout,
            scale,
            size,
            categories,
            series,
            small_sample_note,
        } = spec;
        let count = categories.len().max(1);
        let plot = Plot {
            left: LEFT,
            right: size.width - RIGHT,
            top: TOP,
            bottom: size.height - BOTTOM,
        };
        let stacked = layout == Layout::Stacked;
        let column_value = |i: usize| -> f64 {
            let values = series.iter().filter_map(|s| s.values[i]);
            if stacked {
                values.sum()
            } else {
                values.fold(0.0, f64::max)
            }
        };
        let max = (0..categories.len()).map(column_value).fold(0.0, f64::max);
        let (axis_top, step) = scale.axis(max);
        let plot_height = plot.bottom - plot.top;
        let y_of = |value: f64| round1(plot.bottom - value / axis_top * plot_height);
        let ticks = (0..=((axis_top / step).round() as usize).min(MAX_TICKS))
            .map(|k| Tick {
                y: y_of(k as f64 * step),
                label: scale.format(k as f64 * step),
            })
            .collect();

        let slot = (plot.right - plot.left) / count as f64;
        let label_every = ((MIN_LABEL_SPACING / slot).ceil() as usize).max(1);
        let bar_width = |share: f64| round1((slot * 0.7 * share).min(MAX_BAR_WIDTH * share));
        let columns = categories
            .iter()
            .enumerate()
            .map(|(i, category)| {
                let center = plot.left + slot * (i as f64 + 0.5);
                let small = if category.small_sample {
                    " small-sample"
                } else {
                    ""
                };
                let mut bars = Vec::new();
                let mut base = 0.0;
                for (k, s) in series.iter().enumerate() {
                    let Some(value) = s.values[i] else { continue };
                    let (x, width, from) = if stacked {
                        let width = bar_width(1.0);
                        (center - width / 2.0, width, base)
                    } else {
                        let width = bar_width(1.0 / series.len() as f64);
                        let start = center - width * series.len() as f64 / 2.0;
                        (start + width * k as f64, width, 0.0)
                    };
                    if value > 0.0 {
                        let (top, bottom) = (y_of(from + value), y_of(from));
                        bars.push(Bar {
                            x: round1(x),
                            y: top,
                            width,
                            height: round1(bottom - top),
                            class: format!("{}{small}", s.class),
                            title: format!(
                                "{} · {}: {}",
                                category.name,
                                s.name,
                                scale.format(value)
                            ),
                        });
                    }
                    if stacked {
                        base += value;
                    }
                }
                let known = series.iter().any(|s| s.values[i].is_some());
                let top_label = match (stacked, known) {
                    (_, false) => Some("–".to_string()),
                    (true, true) => Some(scale.format(column_value(i))),
                    (false, true) if series.len() == 1 => Some(scale.format(column_value(i))),
                    (false, true) => None,
                }
                .map(|l| {
                    if category.small_sample {
                        format!("{l}*")
                    } else {
                        l
                    }
                })
                .or_else(|| category.small_sample.then(|| "*".to_string()));
                let labelled = (count - 1 - i) % label_every == 0;
                let year_changes = i == 0
                    || category.gap_before
                    || categories[i - 1].sublabel != category.sublabel;
                Column {
                    x: round1(center),
                    label: if labelled {
                        category.label.clone()
                    } else {
                        String::new()
                    },
                    sublabel: category
                        .sublabel
                        .clone()
                        .filter(|_| labelled && year_changes),
                    bars,
                    top_label,
                    top_y: y_of(column_value(i)) - 4.0,
                }
            })
            .collect();
        let breaks = categories
            .iter()
            .enumerate()
            .filter(|(_, c)| c.gap_before)
            .map(|(i, _)| round1(plot.left + slot * i as f64))
            .collect();

        let mut headers = vec![category_heading];
        headers.extend(series.iter().map(|s| s.name.clone()));
        if stacked && series.len() > 1 {
            headers.push("Total".into());
        }
        let rows = categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut cells: Vec<String> = series
                    .iter()
                    .map(|s| s.values[i].map_or("–".into(), |v| scale.format(v)))
                    .collect();
                if stacked && series.len() > 1 {
                    cells.push(scale.format(column_value(i)));
                }
                DataRow {
                    label: if c.small_sample {
                        format!("{} (small sample)", c.name)
                    } else {
                        c.name.clone()
                    },
                    href: c.href.clone(),
                    cells,
                }
            })
            .collect();
        let description = describe(&title, &categories, &series, layout, scale);
        Chart {
            id,
            title,
            description,
            width: size.width,
            height: size.height,
            plot,
            ticks,
            columns,
            breaks,
            legend: series
                .iter()
                .map(|s| LegendEntry {
                    class: s.class.clone(),
                    label: s.name.clone(),
                })
                .collect(),
            small_sample_note: small_sample_note
                .filter(|_| categories.iter().any(|c| c.small_sample))
                .map(|note| format!("* {note}")),
            table: DataTable { headers, rows },
        }
    }
}

/// One or two sentences a screen reader can read instead of the picture.
fn describe(
    title: &str,
    categories: &[Category],
    series: &[Series],
    layout: Layout,
    scale: Scale,
) -> String {
    let (Some(first), Some(last)) = (categories.first(), categories.last()) else {
        return format!("{title}: no data.");
    };
    let span = if categories.len() == 1 {
        first.name.clone()
    } else {
        format!("{} to {}", first.name, last.name)
    };
    let list = |values: &dyn Fn(usize) -> Option<f64>| {
        categories
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "{} {}",
                    c.name,
                    values(i).map_or("no data".into(), |v| scale.format(v))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match layout {
        Layout::Stacked => format!(
            "{title}, {span}: {}.",
            list(&|i| {
                let values: Vec<f64> = series.iter().filter_map(|s| s.values[i]).collect();
                (!values.is_empty()).then(|| values.iter().sum())
            })
        ),
        Layout::Grouped => series
            .iter()
            .map(|s| format!("{} ({span}): {}.", s.name, list(&|i| s.values[i])))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(name: &str, gap_before: bool, small_sample: bool) -> Category {
        Category {
            label: name.into(),
            sublabel: None,
            name: name.into(),
            href: None,
            gap_before,
            small_sample,
        }
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(Scale::Count.axis(0.0), (1.0, 1.0));
        assert_eq!(Scale::Count.axis(7.0), (8.0, 2.0));
        assert_eq!(Scale::Count.axis(23.0), (25.0, 5.0));
        assert_eq!(Scale::Minutes.axis(200.0), (240.0, 60.0));
        assert_eq!(Scale::Minutes.axis(3000.0), (3600.0, 720.0));
        assert_eq!(Scale::Percent.axis(12.0), (100.0, 25.0));
        // Beyond the table of steps, and for values no table could foresee.
        let (top, step) = Scale::Minutes.axis(1.8e19);
        assert!(top / step <= 5.0 && top >= 1.8e19, "{top} {step}");
        assert_eq!(Scale::Count.axis(f64::INFINITY), (1.0, 1.0));
        assert_eq!(Scale::Count.axis(f64::NAN), (1.0, 1.0));
        assert_eq!(Scale::Minutes.format(90.0), "1h 30m");
        assert_eq!(Scale::Percent.format(66.7), "67%");
    }

    #[test]
    fn stacked_bars_sit_on_each_other() {
        let chart = Chart::build(ChartSpec {
            id: "c".into(),
            title: "Incidents".into(),
            category_heading: "Quarter".into(),
            layout: Layout::Stacked,
            scale: Scale::Count,
            size: WIDE,
            categories: vec![category("A", false, false), category("B", true, true)],
            series: vec![
                Series {
                    name: "SEV1".into(),
                    class: "s-1".into(),
                    values: vec![Some(1.0), Some(0.0)],
                },
                Series {
                    name: "SEV2".into(),
                    class: "s-2".into(),
                    values: vec![Some(3.0), Some(2.0)],
                },
            ],
            small_sample_note: Some("fewer than 5".into()),
        });
        // Axis 0–4 over 206 units (18 … 224): 51.5 per incident.
        let a = &chart.columns[0];
        assert_eq!(a.bars.len(), 2);
        assert_eq!((a.bars[0].y, a.bars[0].height), (172.5, 51.5));
        assert_eq!((a.bars[1].y, a.bars[1].height), (18.0, 154.5));
        assert_eq!(a.top_label.as_deref(), Some("4"));
        let b = &chart.columns[1];
        assert_eq!(b.bars.len(), 1, "zero draws nothing");
        assert_eq!(b.bars[0].class, "s-2 small-sample");
        assert_eq!(b.bars[0].title, "B · SEV2: 2");
        assert_eq!(b.top_label.as_deref(), Some("2*"));
        assert_eq!(chart.breaks, [382.0]);
        assert_eq!(chart.table.headers, ["Quarter", "SEV1", "SEV2", "Total"]);
        assert_eq!(chart.table.rows[1].label, "B (small sample)");
        assert_eq!(chart.table.rows[1].cells, ["0", "2", "2"]);
        assert_eq!(chart.description, "Incidents, A to B: A 4, B 2.");
        assert_eq!(chart.small_sample_note.as_deref(), Some("* fewer than 5"));
    }

    #[test]
    fn grouped_bars_and_missing_values() {
        let chart = Chart::build(ChartSpec {
            id: "c".into(),
            title: "Time to resolve".into(),
            category_heading: "Quarter".into(),
            layout: Layout::Grouped,
            scale: Scale::Minutes,
            size: WIDE,
            categories: vec![category("A", false, false), category("B", false, false)],
            series: vec![
                Series {
                    name: "Median".into(),
                    class: "median".into(),
                    values: vec![Some(30.0), None],
                },
                Series {
                    name: "p90".into(),
                    class: "p90".into(),
                    values: vec![Some(60.0), None],
                },
            ],
            small_sample_note: Some("fewer than 5".into()),
        });
        let a = &chart.columns[0];
        assert_eq!(a.bars.len(), 2);
        assert!(a.bars[0].x < a.bars[1].x, "side by side");
        assert_eq!(a.bars[1].y, chart.plot.top, "60 min is the top of the axis");
        assert_eq!(chart.columns[1].top_label.as_deref(), Some("–"));
        assert_eq!(chart.table.rows[1].cells, ["–", "–"]);
        assert_eq!(chart.small_sample_note, None, "no small sample here");
        assert_eq!(
            chart.description,
            "Median (A to B): A 30m, B no data. p90 (A to B): A 1h, B no data."
        );
    }

    #[test]
    fn many_columns_thin_their_labels_from_the_latest() {
        let categories: Vec<Category> = (0..40)
            .map(|y| category(&format!("{}", 1990 + y), false, false))
            .collect();
        let chart = Chart::build(ChartSpec {
            id: "c".into(),
            title: "Years".into(),
            category_heading: "Year".into(),
            layout: Layout::Stacked,
            scale: Scale::Count,
            size: WIDE,
            categories,
            series: vec![Series {
                name: "All".into(),
                class: "s-1".into(),
                values: vec![Some(1.0); 40],
            }],
            small_sample_note: None,
        });
        let shown: Vec<&str> = chart
            .columns
            .iter()
            .map(|c| c.label.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(shown.last(), Some(&"2029"));
        assert!(shown.len() <= 15, "{shown:?}");
    }
}
