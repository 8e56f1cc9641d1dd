//! Units and ids: integer cents and minutes, the input limits that keep their sums
//! exact, account and territory indices.

use super::*;

/// `x.round() as i64`, half away from zero, for |x| < 2^52 (every coordinate in
/// metres, every drive in minutes), without the libm call that baseline x86-64 makes
/// of `round` (a tenth of a lasso's time with travel on went into it).
#[inline]
pub fn round_to_i64(x: f64) -> i64 {
    let t = x as i64;
    let f = x - t as f64;
    t + i64::from(f >= 0.5) - i64::from(f <= -0.5)
}

/// Money in integer cents of the plan's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cents(pub i64);

impl Cents {
    /// The amount in currency units, for display and JSON.
    pub fn units(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// Currency units with two decimals, exact ("1234.50", "-0.05"): for files.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Workload in integer minutes per year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Minutes(pub i64);

impl Minutes {
    /// The workload of an account: visits a year × minutes a visit. The one place
    /// that says so; at most 10^10 with the input limits, so it never wraps.
    pub fn of_visits(visits_per_year: u32, minutes_per_visit: u32) -> Minutes {
        Minutes(i64::from(visits_per_year) * i64::from(minutes_per_visit))
    }

    /// The workload in hours, unrounded.
    pub fn hours(self) -> f64 {
        self.0 as f64 / 60.0
    }
}

/// The largest figures an account may carry, and the check that a plan's totals fit.
///
/// Every total the program keeps (per territory, per selection, the prefix sums) is a
/// sum of some of the accounts' figures in `i64`. Each account is held to the limits
/// below on input, and a plan whose sums of absolute values would not fit in `i64` is
/// refused as a whole (it takes 92,000 accounts at the money limit, which no real
/// plan has): then no partial sum can wrap, whatever is edited.
pub mod limits {
    use super::{Cents, Minutes};

    /// At most 10^14 cents (one trillion currency units) of potential or revenue on one
    /// account, either sign.
    pub const MAX_CENTS: i64 = 100_000_000_000_000;
    /// At most 100,000 visits a year (274 a day) on one account.
    pub const MAX_VISITS: u32 = 100_000;
    /// At most 100,000 minutes (69 days) a visit.
    pub const MAX_MINUTES: u32 = 100_000;
    /// Web Mercator's latitude limit, the map's edge: imports, edits and reps' homes keep
    /// to it. Plan files written by older versions may hold accounts up to ±90° and keep
    /// opening ([`crate::io::plan_file`] checks ±90 only).
    pub const MAX_LAT: f64 = 85.051_128_779_806_59;
    /// At most 10,000 territories in a plan, an import, a Redraw or a k-means
    /// reference: a ZIP or account column mapped as the territory by mistake is caught
    /// here, and every per-territory table stays small.
    pub const MAX_TERRITORIES: usize = 10_000;
    /// A territory's capacity lies between these (a rep at 5 % of a book up to ten
    /// books): outside, a typing slip (50 for 0.5) would pull every target with it.
    pub const MIN_CAPACITY: f64 = 0.05;
    pub const MAX_CAPACITY: f64 = 10.0;
    /// Why a capacity is refused, if it is.
    pub fn check_capacity(c: f64) -> Result<(), String> {
        if !(MIN_CAPACITY..=MAX_CAPACITY).contains(&c) {
            return Err(format!("a capacity of {c} is outside {MIN_CAPACITY} to {MAX_CAPACITY}"));
        }
        Ok(())
    }

    /// Why a number of territories is refused, if it is.
    pub fn check_territories(n: usize) -> Result<(), String> {
        if n > MAX_TERRITORIES {
            return Err(format!(
                "{} territories; at most {} are supported",
                crate::format::thousands(n as i64),
                crate::format::thousands(MAX_TERRITORIES as i64)
            ));
        }
        Ok(())
    }

    /// Why an account's figure is refused, if it is.
    pub fn check_money(what: &str, v: Cents) -> Result<(), String> {
        if v.0.unsigned_abs() > MAX_CENTS as u64 {
            return Err(format!(
                "{what} {} is beyond the limit of ±{} per account",
                v.units(),
                crate::format::thousands(MAX_CENTS / 100)
            ));
        }
        Ok(())
    }

    /// Why an account's visits or minutes are refused, if they are.
    pub fn check_workload(visits: u32, minutes: u32) -> Result<(), String> {
        if visits > MAX_VISITS {
            return Err(format!("{visits} visits a year is beyond the limit of {MAX_VISITS}"));
        }
        if minutes > MAX_MINUTES {
            return Err(format!("{minutes} minutes a visit is beyond the limit of {MAX_MINUTES}"));
        }
        Ok(())
    }

    /// Running sums of absolute values in `i128`, to check that a plan's totals fit.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct TotalsCheck {
        potential: i128,
        revenue: i128,
        workload: i128,
    }

    impl TotalsCheck {
        pub fn add(&mut self, potential: Cents, revenue: Cents, workload: Minutes) {
            self.potential += i128::from(potential.0).abs();
            self.revenue += i128::from(revenue.0).abs();
            self.workload += i128::from(workload.0).abs();
        }

        pub fn merge(&mut self, other: TotalsCheck) {
            self.potential += other.potential;
            self.revenue += other.revenue;
            self.workload += other.workload;
        }

        /// Why the totals do not fit, if they do not.
        pub fn check(&self) -> Result<(), String> {
            let max = i128::from(i64::MAX);
            for (what, v) in [("potential", self.potential), ("revenue", self.revenue), ("workload", self.workload)] {
                if v > max {
                    return Err(format!("the accounts' total {what} is too large to add up exactly (over 9.2e18)"));
                }
            }
            Ok(())
        }
    }
}

/// Index of an account in [`Plan::accounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountIdx(pub u32);

/// Index of a territory slot in [`Plan::territories`].
///
/// Kept as the index + 1 in a `NonZeroU32`, so that an account's owner,
/// `Option<TerritoryIdx>`, takes 4 bytes rather than 8: the assignment of a million
/// accounts, which every scenario holds, is 4 MB. Written as the bare index.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct TerritoryIdx(std::num::NonZeroU32);

impl TerritoryIdx {
    /// Slot `i`. Slots are counted from the territories of a plan (at most
    /// [`limits::MAX_TERRITORIES`]); `u32::MAX` is no slot and panics.
    pub const fn new(i: u32) -> TerritoryIdx {
        match std::num::NonZeroU32::new(i.wrapping_add(1)) {
            Some(n) => TerritoryIdx(n),
            None => panic!("territory slot u32::MAX"),
        }
    }

    /// The slot as a `usize`, for indexing.
    pub fn get(self) -> usize {
        self.index() as usize
    }

    /// The slot's number.
    pub const fn index(self) -> u32 {
        self.0.get() - 1
    }
}

impl std::fmt::Debug for TerritoryIdx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TerritoryIdx({})", self.index())
    }
}

impl TryFrom<u32> for TerritoryIdx {
    type Error = String;

    fn try_from(i: u32) -> Result<Self, Self::Error> {
        if i == u32::MAX { Err(format!("territory slot {i} is out of range")) } else { Ok(TerritoryIdx::new(i)) }
    }
}

impl From<TerritoryIdx> for u32 {
    fn from(t: TerritoryIdx) -> u32 {
        t.index()
    }
}

#[cfg(test)]
mod tests {
    use super::round_to_i64;

    proptest::proptest! {
        #[test]
        fn round_to_i64_rounds_like_round(x in -2.1e7f64..2.1e7, k in -3i64..3) {
            proptest::prop_assert_eq!(round_to_i64(x), x.round() as i64);
            // Halves and their neighbours.
            let h = (x.trunc()) + 0.5 * k as f64;
            for y in [h, f64::from_bits(h.to_bits() + 1), f64::from_bits(h.to_bits().saturating_sub(1))] {
                proptest::prop_assert_eq!(round_to_i64(y), y.round() as i64, "{}", y);
            }
        }
    }
}
