//! Plans for unit tests, written the same way everywhere.

use super::*;

/// An account at (lon, lat) with this potential (cents): 2 visits a year of 30 minutes,
/// no revenue, no city.
pub(crate) fn account(id: &str, name: &str, lon: f64, lat: f64, potential: i64) -> Account {
    Account {
        id: id.to_owned(),
        name: name.to_owned(),
        lon,
        lat,
        potential: Cents(potential),
        annual_revenue: Cents(0),
        visits_per_year: 2,
        minutes_per_visit: 30,
        city: None,
        state: None,
        zip: None,
        locked: false,
    }
}

/// A plan of `accounts` in territories with these ids (named in capitals), each
/// account owned by the slot `owners` gives (`None`: Unassigned).
pub(crate) fn plan_of(accounts: Vec<Account>, territories: &[&str], owners: &[Option<u32>]) -> Plan {
    Plan {
        accounts: accounts.into_iter().collect(),
        territories: territories
            .iter()
            .enumerate()
            .map(|(t, id)| Territory::new(*id, id.to_uppercase(), palette_color(t)))
            .collect(),
        assignment: owners.iter().map(|o| o.map(TerritoryIdx::new)).collect(),
        ..Plan::default()
    }
}
