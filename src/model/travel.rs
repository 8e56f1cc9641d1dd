//! Travel in the workload: optional, off by default. With it on, an account's workload
//! is its visit time plus, per trip, the round trip from its rep's home (or, for a
//! territory without a home, from the territory's centre stored in the plan), one trip
//! per `visits_per_trip` visits, at an average speed, over the great-circle distance
//! times a detour factor. Each account's travel is a whole number of minutes, computed
//! by one function from the same inputs wherever it is needed, so that totals kept
//! move by move equal totals recomputed from scratch, exactly.

use serde::{Deserialize, Serialize};

use super::{Plan, Territory, TerritoryIdx};

/// The Earth's mean radius, km.
const EARTH_KM: f64 = 6371.0088;

/// The travel settings of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Travel {
    /// Average speed on the road, km/h.
    pub speed_kmh: f64,
    /// Road distance over great-circle distance.
    pub detour: f64,
    /// Visits made on one trip (a rep who sees three rural accounts on one day drives once).
    pub visits_per_trip: u32,
}

impl Default for Travel {
    fn default() -> Self {
        Travel { speed_kmh: 60.0, detour: 1.3, visits_per_trip: 1 }
    }
}

impl Travel {
    /// Why settings are refused, if they are: a speed of 5 to 200 km/h, a detour of 1
    /// to 3, 1 to 100 visits a trip.
    pub fn check(&self) -> Result<(), String> {
        if !(5.0..=200.0).contains(&self.speed_kmh) {
            return Err(format!("a speed of {} km/h is outside 5 to 200", self.speed_kmh));
        }
        if !(1.0..=3.0).contains(&self.detour) {
            return Err(format!("a detour factor of {} is outside 1 to 3", self.detour));
        }
        if !(1..=100).contains(&self.visits_per_trip) {
            return Err(format!("{} visits a trip is outside 1 to 100", self.visits_per_trip));
        }
        Ok(())
    }

    /// The minutes a year of driving to an account at `pos` (lon, lat) with `visits`
    /// visits a year from `anchor` (lon, lat): trips × the round trip, rounded to the
    /// minute.
    pub fn minutes(&self, visits: u32, pos: (f64, f64), anchor: (f64, f64)) -> i64 {
        self.leg(visits, pos, anchor).minutes
    }

    /// An account's travel: the minutes of [`Travel::minutes`] and its great-circle
    /// distance from `anchor` in whole metres.
    pub fn leg(&self, visits: u32, pos: (f64, f64), anchor: (f64, f64)) -> TravelTotals {
        self.leg_between(visits, &unit(pos), &unit(anchor))
    }

    /// [`Travel::leg`] from the two points' [`unit()`] vectors (what a move of many
    /// accounts computes once per account and once per start): the one definition of an
    /// account's travel.
    pub fn leg_between(&self, visits: u32, pos: &[f64; 3], anchor: &[f64; 3]) -> TravelTotals {
        let km = arc_km(pos, anchor);
        let metres = super::round_to_i64(km * 1000.0);
        if visits == 0 {
            return TravelTotals { minutes: 0, metres, accounts: 1 };
        }
        let trips = visits.div_ceil(self.visits_per_trip.max(1));
        let minutes = super::round_to_i64(f64::from(trips) * 2.0 * km * self.detour / self.speed_kmh * 60.0);
        TravelTotals { minutes, metres, accounts: 1 }
    }
}

/// A territory's travel: minutes a year, and the accounts' distances from where its rep
/// starts, summed in whole metres over the accounts counted (for the mean distance).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TravelTotals {
    pub minutes: i64,
    pub metres: i64,
    pub accounts: u64,
}

impl TravelTotals {
    pub fn add(&mut self, o: TravelTotals) {
        self.minutes += o.minutes;
        self.metres += o.metres;
        self.accounts += o.accounts;
    }

    pub fn subtract(&mut self, o: TravelTotals) {
        self.minutes -= o.minutes;
        self.metres -= o.metres;
        self.accounts -= o.accounts;
    }

    /// The mean great-circle distance of the accounts from the rep's start, km.
    pub fn mean_km(&self) -> Option<f64> {
        (self.accounts > 0).then(|| self.metres as f64 / self.accounts as f64 / 1000.0)
    }

    pub fn hours(&self) -> f64 {
        self.minutes as f64 / 60.0
    }
}

/// A (lon, lat) point on the unit sphere.
#[inline]
pub fn unit((lon, lat): (f64, f64)) -> [f64; 3] {
    let (sl, cl) = lat.to_radians().sin_cos();
    let (so, co) = lon.to_radians().sin_cos();
    [cl * co, cl * so, sl]
}

/// The great-circle distance between two points given as [`unit()`] vectors, km: from
/// their chord, 2 R asin(chord / 2).
#[inline]
pub fn arc_km(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let chord = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
    2.0 * EARTH_KM * (chord / 2.0).min(1.0).asin()
}

/// The great-circle distance between two (lon, lat) points, km.
pub fn great_circle_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    arc_km(&unit(a), &unit(b))
}

/// Where a territory's rep starts from: the rep's home, else the territory's stored
/// centre; `None` when it has neither (its accounts then cost no travel).
pub fn anchor(t: &Territory) -> Option<(f64, f64)> {
    t.rep_home.or(t.centre)
}

/// Travel per territory slot of a plan (all zero with travel off, or for a territory
/// with no start): O(N), what the editor's running totals must always equal.
pub fn travel_by_territory(plan: &Plan) -> Vec<TravelTotals> {
    let mut out = vec![TravelTotals::default(); plan.territories.len()];
    let Some(travel) = plan.travel else { return out };
    let anchors: Vec<Option<(f64, f64)>> = plan.territories.iter().map(anchor).collect();
    for (v, owner) in plan.assignment.iter().enumerate() {
        if let Some(t) = owner
            && let Some(a) = anchors[t.get()]
        {
            let pos = (plan.accounts.lon()[v], plan.accounts.lat()[v]);
            out[t.get()].add(travel.leg(plan.accounts.visits_per_year()[v], pos, a));
        }
    }
    out
}

/// The travel of one territory: O(N) over the assignment.
pub fn travel_of(plan: &Plan, t: TerritoryIdx) -> TravelTotals {
    let mut out = TravelTotals::default();
    let (Some(travel), Some(a)) = (plan.travel, plan.territories.get(t.get()).and_then(anchor)) else { return out };
    let acc = &plan.accounts;
    for v in (0..plan.assignment.len()).filter(|&v| plan.assignment[v] == Some(t)) {
        out.add(travel.leg(acc.visits_per_year()[v], (acc.lon()[v], acc.lat()[v]), a));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Munich to Berlin is about 504 km as the crow flies: 12 visits, 3 a trip, at
    /// 60 km/h and a detour of 1.3: 4 trips × 2 × 504 × 1.3 / 60 h.
    #[test]
    fn minutes_are_trips_times_the_round_trip() {
        let (munich, berlin) = ((11.576, 48.137), (13.405, 52.520));
        let km = great_circle_km(munich, berlin);
        assert!((km - 504.0).abs() < 3.0, "{km}");
        let t = Travel { visits_per_trip: 3, ..Travel::default() };
        let want = (4.0 * 2.0 * km * 1.3 / 60.0 * 60.0).round() as i64;
        assert_eq!(t.minutes(12, munich, berlin), want);
        assert_eq!(t.minutes(13, munich, berlin), (5.0 * 2.0 * km * 1.3).round() as i64, "13 visits are 5 trips");
        assert_eq!(t.minutes(0, munich, berlin), 0);
        assert_eq!(t.minutes(5, munich, munich), 0);
        assert!(Travel { speed_kmh: 0.0, ..Travel::default() }.check().is_err());
        assert!(Travel { visits_per_trip: 0, ..Travel::default() }.check().is_err());
        assert!(Travel::default().check().is_ok());
    }
}
