//! One account, owned ([`Account`]) or borrowed from the column store ([`AccountRef`]).

use super::*;

/// A customer or prospect.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The CRM's identifier, unique in a plan.
    pub id: String,
    pub name: String,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// What the account could buy per year.
    pub potential: Cents,
    pub annual_revenue: Cents,
    pub visits_per_year: u32,
    pub minutes_per_visit: u32,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    /// A locked account never moves.
    pub locked: bool,
}

impl Account {
    /// Visits per year × minutes per visit.
    pub fn workload(&self) -> Minutes {
        Minutes::of_visits(self.visits_per_year, self.minutes_per_visit)
    }

    /// The account as a borrowed row, as [`Accounts`] hands them out.
    pub fn view(&self) -> AccountRef<'_> {
        AccountRef {
            id: &self.id,
            name: &self.name,
            lon: self.lon,
            lat: self.lat,
            potential: self.potential,
            annual_revenue: self.annual_revenue,
            visits_per_year: self.visits_per_year,
            minutes_per_visit: self.minutes_per_visit,
            city: self.city.as_deref(),
            state: self.state.as_deref(),
            zip: self.zip.as_deref(),
            locked: self.locked,
        }
    }
}

/// One account read out of [`Accounts`]: the same fields as [`Account`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub lon: f64,
    pub lat: f64,
    pub potential: Cents,
    pub annual_revenue: Cents,
    pub visits_per_year: u32,
    pub minutes_per_visit: u32,
    pub city: Option<&'a str>,
    pub state: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub locked: bool,
}

impl AccountRef<'_> {
    /// Visits per year × minutes per visit.
    pub fn workload(&self) -> Minutes {
        Minutes::of_visits(self.visits_per_year, self.minutes_per_visit)
    }

    /// An owned copy.
    pub fn to_account(&self) -> Account {
        Account {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            lon: self.lon,
            lat: self.lat,
            potential: self.potential,
            annual_revenue: self.annual_revenue,
            visits_per_year: self.visits_per_year,
            minutes_per_visit: self.minutes_per_visit,
            city: self.city.map(str::to_owned),
            state: self.state.map(str::to_owned),
            zip: self.zip.map(str::to_owned),
            locked: self.locked,
        }
    }
}

impl<'a> From<&'a Account> for AccountRef<'a> {
    fn from(a: &'a Account) -> Self {
        a.view()
    }
}

/// Text fields a row: id, name, city, state, zip.
pub const TEXTS: usize = 5;

/// An account's text fields in [`Texts`] order (an absent one is empty).
pub(super) fn text_fields<'a>(a: &AccountRef<'a>) -> [&'a str; TEXTS] {
    [a.id, a.name, a.city.unwrap_or(""), a.state.unwrap_or(""), a.zip.unwrap_or("")]
}
