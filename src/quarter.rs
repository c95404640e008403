//! Fiscal quarters. A fiscal year is named by the calendar year in which it
//! starts: with `fiscal_year_start_month: 2`, Feb 2024 – Jan 2025 is fiscal
//! 2024, and Jan 2025 falls in 2024-Q4.

use std::fmt;

use jiff::civil::{Date, date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i16,
    /// 1..=4
    pub number: u8,
}

impl Quarter {
    pub fn of(day: Date, fiscal_start_month: u8) -> Quarter {
        let shifted = (i16::from(day.month()) - i16::from(fiscal_start_month)).rem_euclid(12);
        let year = if i16::from(day.month()) >= i16::from(fiscal_start_month) {
            day.year()
        } else {
            day.year() - 1
        };
        Quarter {
            year,
            number: (shifted / 3 + 1) as u8,
        }
    }

    /// Quarters counted from year 0, for gaps and ordering arithmetic.
    pub fn index(self) -> i32 {
        i32::from(self.year) * 4 + i32::from(self.number) - 1
    }

    pub fn from_index(index: i32) -> Quarter {
        Quarter {
            year: index.div_euclid(4) as i16,
            number: (index.rem_euclid(4) + 1) as u8,
        }
    }

    pub fn next(self) -> Quarter {
        Quarter::from_index(self.index() + 1)
    }

    pub fn previous(self) -> Quarter {
        Quarter::from_index(self.index() - 1)
    }

    /// First day of the quarter.
    pub fn start(self, fiscal_start_month: u8) -> Date {
        let month0 = i32::from(fiscal_start_month) - 1 + (i32::from(self.number) - 1) * 3;
        let year = i32::from(self.year) + month0 / 12;
        date(year as i16, (month0 % 12 + 1) as i8, 1)
    }

    /// Last day of the quarter (inclusive).
    pub fn end(self, fiscal_start_month: u8) -> Date {
        self.next()
            .start(fiscal_start_month)
            .yesterday()
            .expect("quarters are within jiff's range")
    }

    /// `2024-Q1`, also the path segment of the quarter's page.
    pub fn label(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_quarters() {
        assert_eq!(Quarter::of(date(2024, 3, 31), 1).label(), "2024-Q1");
        assert_eq!(Quarter::of(date(2024, 4, 1), 1).label(), "2024-Q2");
        assert_eq!(Quarter::of(date(2024, 12, 31), 1).label(), "2024-Q4");
        let q = Quarter::of(date(2024, 5, 5), 1);
        assert_eq!(
            (q.start(1), q.end(1)),
            (date(2024, 4, 1), date(2024, 6, 30))
        );
    }

    #[test]
    fn fiscal_years_starting_in_another_month() {
        // Q1 = Feb–Apr; January belongs to the previous fiscal year's Q4.
        assert_eq!(Quarter::of(date(2024, 2, 1), 2).label(), "2024-Q1");
        assert_eq!(Quarter::of(date(2024, 4, 30), 2).label(), "2024-Q1");
        assert_eq!(Quarter::of(date(2025, 1, 15), 2).label(), "2024-Q4");
        let q = Quarter::of(date(2025, 1, 15), 2);
        assert_eq!(
            (q.start(2), q.end(2)),
            (date(2024, 11, 1), date(2025, 1, 31))
        );
        // July start (e.g. a July–June fiscal year).
        assert_eq!(Quarter::of(date(2024, 6, 30), 7).label(), "2023-Q4");
        assert_eq!(Quarter::of(date(2024, 7, 1), 7).start(7), date(2024, 7, 1));
    }

    #[test]
    fn index_round_trips() {
        let q = Quarter {
            year: 1628,
            number: 3,
        };
        assert_eq!(Quarter::from_index(q.index()), q);
        assert_eq!(q.next().label(), "1628-Q4");
        assert_eq!(q.next().next().label(), "1629-Q1");
        assert_eq!(
            Quarter {
                year: 2024,
                number: 1
            }
            .previous()
            .label(),
            "2023-Q4"
        );
    }
}
