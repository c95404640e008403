//! A knowledge base's id scheme, read from the ids it already has, and the
//! next free id in it: `INC-2026-003` after `INC-2026-002` (a counter per
//! year), `INC-20260301-02` (per day) or `PM-043` (one counter).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use crate::slug::id_slug;

static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<prefix>[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z][A-Za-z0-9]*)*[-_])(?:(?P<day>(?:19|20)\d{6})(?P<daysep>[-_])|(?P<year>(?:19|20)\d{2})(?P<yearsep>[-_]))?(?P<number>\d+)$",
    )
    .expect("valid regex")
});

/// How ids are made; `prefix` includes its separator (`INC-`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Scheme {
    /// `INC-2026-003`: numbered within each year.
    Yearly { prefix: String, separator: String },
    /// `INC-20260301-02`: numbered within each day.
    Daily { prefix: String, separator: String },
    /// `PM-043`: one counter.
    Sequential { prefix: String },
}

/// One existing id read through its scheme.
struct Parsed {
    scheme: Scheme,
    /// The year or the day (`2026`, `20260301`); empty for sequential ids.
    period: String,
    number: u64,
    width: usize,
}

fn parse(id: &str) -> Option<Parsed> {
    let caps = SHAPE.captures(id)?;
    let prefix = caps["prefix"].to_string();
    let digits = &caps["number"];
    let (scheme, period) = if let Some(day) = caps.name("day") {
        let separator = caps["daysep"].to_string();
        (
            Scheme::Daily { prefix, separator },
            day.as_str().to_string(),
        )
    } else if let Some(year) = caps.name("year") {
        let separator = caps["yearsep"].to_string();
        (
            Scheme::Yearly { prefix, separator },
            year.as_str().to_string(),
        )
    } else {
        (Scheme::Sequential { prefix }, String::new())
    };
    Some(Parsed {
        scheme,
        period,
        number: digits.parse().ok()?,
        width: digits.len(),
    })
}

/// The next free id in the dominant scheme of `existing` (the scheme most
/// ids follow); `INC-<year>-001` when there is none.
pub fn next_id<'a>(existing: impl IntoIterator<Item = &'a str>, today: Date) -> String {
    let existing: Vec<&str> = existing.into_iter().collect();
    let taken: BTreeSet<String> = existing.iter().map(|id| id_slug(id)).collect();
    let mut by_scheme: BTreeMap<Scheme, Vec<Parsed>> = BTreeMap::new();
    for parsed in existing.iter().filter_map(|id| parse(id)) {
        by_scheme
            .entry(parsed.scheme.clone())
            .or_default()
            .push(parsed);
    }
    let dominant = by_scheme
        .into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(&a.0)));
    let Some((scheme, ids)) = dominant else {
        return first_free(&taken, |n| format!("INC-{}-{n:03}", today.year()));
    };
    let width = most_common(ids.iter().map(|p| p.width));
    let period = match &scheme {
        Scheme::Yearly { .. } => today.year().to_string(),
        Scheme::Daily { .. } => today.strftime("%Y%m%d").to_string(),
        Scheme::Sequential { .. } => String::new(),
    };
    let last = ids
        .iter()
        .filter(|p| p.period == period)
        .map(|p| p.number)
        .max()
        .unwrap_or(0);
    let format = |n: u64| match &scheme {
        Scheme::Yearly { prefix, separator } | Scheme::Daily { prefix, separator } => {
            format!("{prefix}{period}{separator}{n:0width$}")
        }
        Scheme::Sequential { prefix } => format!("{prefix}{n:0width$}"),
    };
    first_free(&taken, |n| format(last + n))
}

/// The first of `make(1)`, `make(2)`… that no existing id takes (ids compare like slugs).
fn first_free(taken: &BTreeSet<String>, make: impl Fn(u64) -> String) -> String {
    (1..)
        .map(make)
        .find(|id| !taken.contains(&id_slug(id)))
        .expect("an unbounded range has a free id")
}

/// The most common value; the largest among equals.
fn most_common(values: impl Iterator<Item = usize>) -> usize {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map_or(3, |(width, _)| width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        jiff::civil::date(2026, 3, 1)
    }

    #[test]
    fn continues_a_yearly_counter() {
        let ids = [
            "INC-2024-012",
            "INC-2026-001",
            "INC-2026-002",
            "INC-2025-010",
        ];
        assert_eq!(next_id(ids, today()), "INC-2026-003");
        // A new year starts again at 1, with the same width.
        assert_eq!(next_id(["INC-2025-0023"], today()), "INC-2026-0001");
    }

    #[test]
    fn continues_daily_and_sequential_counters() {
        assert_eq!(
            next_id(["OPS-20260301-01", "OPS-20260228-07"], today()),
            "OPS-20260301-02"
        );
        assert_eq!(next_id(["PM-041", "PM-042", "PM-7"], today()), "PM-043");
    }

    #[test]
    fn follows_the_dominant_scheme_and_falls_back() {
        let ids = ["INC-2026-001", "INC-2026-002", "postmortem-3", "9f1c-uuid"];
        assert_eq!(next_id(ids, today()), "INC-2026-003");
        assert_eq!(next_id(["b8e3c2f0-1a2b"], today()), "INC-2026-001");
        assert_eq!(next_id([], today()), "INC-2026-001");
        // Never an id that exists, whatever its case.
        assert_eq!(next_id(["inc-2026-001"], today()), "inc-2026-002");
    }
}
