//! Summary statistics of durations (docs/metrics.md): median and p90 by linear
//! interpolation between closest ranks (numpy's default), the mean beside
//! them, minutes rounded to one decimal.

use serde::Serialize;

/// Figures from fewer samples than this are marked as a small sample.
pub const SMALL_SAMPLE: usize = 5;

/// A duration in minutes, rounded to one decimal.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Minutes(f64);

impl Minutes {
    pub fn rounded(minutes: f64) -> Minutes {
        Minutes((minutes * 10.0).round() / 10.0)
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// Mean, median and p90 of the durations that are known, and how many are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DurationStats {
    pub mean: Minutes,
    pub median: Minutes,
    pub p90: Minutes,
    pub n: usize,
}

impl DurationStats {
    /// None when there are no values (the figure is null, not zero).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<DurationStats> {
        let mut sorted: Vec<f64> = values.into_iter().collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let mean = sorted.iter().sum::<f64>() / n as f64;
        Some(DurationStats {
            mean: Minutes::rounded(mean),
            median: Minutes::rounded(percentile(&sorted, 0.5)),
            p90: Minutes::rounded(percentile(&sorted, 0.9)),
            n,
        })
    }

    pub fn is_small_sample(&self) -> bool {
        self.n < SMALL_SAMPLE
    }
}

/// The `fraction` quantile of sorted, non-empty values: rank (n − 1)·p,
/// interpolated linearly between the two closest ranks.
pub fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let rank = (sorted.len() - 1) as f64 * fraction;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([10, 20, 30, 40], [50, 90]) == [25.0, 37.0]
        let values = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&values, 0.5), 25.0);
        assert!((percentile(&values, 0.9) - 37.0).abs() < 1e-9);
        // numpy.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 90) == 18.1
        let tail = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0];
        assert!((percentile(&tail, 0.9) - 18.1).abs() < 1e-9);
        assert_eq!(percentile(&[42.0], 0.9), 42.0);
    }

    #[test]
    fn stats_round_to_one_decimal_and_sort_first() {
        let stats = DurationStats::of([40.0, 10.0, 20.0, 30.0, 12.34]).unwrap();
        // sorted: 10, 12.34, 20, 30, 40; mean 112.34 / 5 = 22.468
        // p90: rank 3.6 → 30 + 0.6 · 10 = 36
        assert_eq!(
            stats,
            DurationStats {
                mean: Minutes(22.5),
                median: Minutes(20.0),
                p90: Minutes(36.0),
                n: 5
            }
        );
        assert!(!stats.is_small_sample());
        assert!(DurationStats::of([1.0]).unwrap().is_small_sample());
        assert_eq!(DurationStats::of([]), None);
    }

    #[test]
    fn minutes_round_half_away_from_zero() {
        assert_eq!(Minutes::rounded(2.25).get(), 2.3);
        assert_eq!(Minutes::rounded(107.04).get(), 107.0);
        assert_eq!(Minutes::rounded(0.0).get(), 0.0);
    }
}
