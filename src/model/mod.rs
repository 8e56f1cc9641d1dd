//! The in-memory plan: accounts, territories and who owns what.
//!
//! Money is kept in integer [`Cents`] and workload in integer [`Minutes`], so that
//! totals kept up to date edit by edit equal totals recomputed from scratch, exactly.
//! Territories live in stable slots ([`TerritoryIdx`]); deleting one tombstones its
//! slot instead of shifting indices, so that undo can bring it back without touching
//! the assignment of every account.
//!
//! The folder: `units.rs` (cents, minutes, the input limits, indices), `account.rs`,
//! `accounts.rs` (the column store), `texts.rs` (the accounts' text rows), `colour.rs` (the palette), `account_set.rs`
//! (sets of accounts as ranges), `scenario.rs` (alternative plans over the same
//! accounts); the territory and the plan are here.

use serde::{Deserialize, Serialize};

mod account;
mod account_set;
mod accounts;
mod colour;
mod region;
mod scenario;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
mod texts;
mod travel;
mod units;

pub use account::*;
pub use account_set::*;
pub use accounts::*;
pub use colour::*;
pub use region::*;
pub use scenario::*;
pub use texts::Texts;
pub use travel::*;
pub use units::*;

/// Whether a rep's home, (lon, lat), is a place on the map ([`limits::MAX_LAT`]).
pub fn home_on_map((lon, lat): (f64, f64)) -> bool {
    lon.abs() <= 180.0 && lat.abs() <= limits::MAX_LAT
}

/// The one rule of which accounts may change territory, for hand edits and optimizers
/// alike: an account moves unless it is locked itself or its territory is
/// (`territory_locked`; an optimizer counts the territories it was told to keep as
/// locked too). An unassigned account has no territory to hold it.
pub fn may_move(
    account_locked: bool,
    owner: Option<TerritoryIdx>,
    territory_locked: impl Fn(TerritoryIdx) -> bool,
) -> bool {
    !account_locked && owner.is_none_or(|t| !territory_locked(t))
}

/// The id a territory named `name` gets when it is free: its name in lower case,
/// words joined by `-` (a taken id gets `-2`, `-3`, … appended).
pub fn territory_id_base(name: &str) -> String {
    let mut base: String =
        name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    base = base.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    if base.is_empty() {
        base = "territory".to_owned();
    }
    base
}

/// An id not used by any of `territories` (a plan's, or a scenario's not on screen),
/// derived from `name`: [`territory_id_base`], then `-2`, `-3`, … while taken.
pub fn fresh_territory_id(territories: &[Territory], name: &str) -> String {
    let base = territory_id_base(name);
    let taken = |id: &str| territories.iter().any(|t| t.id == id);
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|id| !taken(id)).unwrap_or(base)
}

/// Territory ids handed out so far, for giving many fresh ones at O(1) each (an import
/// of 10,000 territories, a Redraw into as many): the ids [`fresh_territory_id`] would
/// give one at a time.
#[derive(Debug, Default)]
pub struct TerritoryIds {
    taken: ahash::AHashSet<String>,
    next_suffix: ahash::AHashMap<String, u32>,
}

impl TerritoryIds {
    /// The ids of these territories (live or not) taken.
    pub fn of(territories: &[Territory]) -> TerritoryIds {
        TerritoryIds { taken: territories.iter().map(|t| t.id.clone()).collect(), ..TerritoryIds::default() }
    }

    /// A fresh id for a territory named `name`, taken from now on.
    pub fn fresh(&mut self, name: &str) -> String {
        let base = territory_id_base(name);
        let mut id = base.clone();
        if self.taken.contains(&id) {
            let n = self.next_suffix.entry(base.clone()).or_insert(2);
            loop {
                id = format!("{base}-{n}");
                *n += 1;
                if !self.taken.contains(&id) {
                    break;
                }
            }
        }
        self.taken.insert(id.clone());
        id
    }
}

/// A sales territory, one per rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Territory {
    /// Stable identifier, unique among live territories.
    pub id: String,
    pub name: String,
    pub color: Rgb,
    pub rep: Option<String>,
    /// The rep's home, (lon, lat).
    pub rep_home: Option<(f64, f64)>,
    /// A locked territory neither gives nor receives accounts.
    pub locked: bool,
    /// False once deleted; the slot is kept so that undo can restore it.
    pub alive: bool,
    /// How large a share this territory's rep carries: 1.0 a full book, 0.5 part time,
    /// 1.2 a senior. Its target is the total × capacity / the sum of capacities
    /// ([`crate::metrics::Spread::target`]); within [`limits::check_capacity`].
    #[serde(default = "full_capacity")]
    pub capacity: f64,
    /// The region the territory belongs to (a slot of [`Plan::regions`]); `None` at the
    /// top, beside the top-level regions.
    #[serde(default)]
    pub region: Option<RegionIdx>,
    /// Where the rep starts from when the territory has no home and travel is on: its
    /// accounts' centre when travel was switched on or last recentred, (lon, lat).
    #[serde(default)]
    pub centre: Option<(f64, f64)>,
}

fn full_capacity() -> f64 {
    1.0
}

impl Territory {
    /// A live, unlocked territory of full capacity without a rep or a home.
    pub fn new(id: impl Into<String>, name: impl Into<String>, color: Rgb) -> Territory {
        Territory {
            id: id.into(),
            name: name.into(),
            color,
            rep: None,
            rep_home: None,
            locked: false,
            alive: true,
            capacity: 1.0,
            region: None,
            centre: None,
        }
    }
}

/// The view the plan was saved with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub center_lon: f64,
    pub center_lat: f64,
    pub zoom: f64,
}

/// The live territories of any slot list (a plan's, or a scenario's not on screen),
/// in slot order.
pub fn live_slots(territories: &[Territory]) -> impl Iterator<Item = (TerritoryIdx, &Territory)> {
    territories.iter().enumerate().filter(|(_, t)| t.alive).map(|(i, t)| (TerritoryIdx::new(i as u32), t))
}

/// A whole plan: what the file holds and the editor edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub accounts: Accounts,
    pub territories: Vec<Territory>,
    /// The region tree of the scenario on screen (stable slots, [`Region::alive`]).
    pub regions: Vec<Region>,
    /// The owner of each account, `None` for the Unassigned pool; parallel to `accounts`.
    pub assignment: Vec<Option<TerritoryIdx>>,
    /// ISO currency code of the money fields, for display.
    pub currency: String,
    /// Travel in the workload, when on ([`Travel`]).
    pub travel: Option<Travel>,
    pub view: Option<View>,
    /// Every scenario of the plan, the baseline first. The one on screen
    /// (`scenarios[current]`) is hollow: its territories, assignment and account locks
    /// are the fields above.
    pub scenarios: Vec<Scenario>,
    pub current: usize,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            accounts: Accounts::new(),
            territories: Vec::new(),
            regions: Vec::new(),
            assignment: Vec::new(),
            currency: "USD".to_owned(),
            travel: None,
            view: None,
            scenarios: vec![Scenario::hollow(BASELINE_NAME)],
            current: 0,
        }
    }
}

impl Plan {
    /// Live territories in plan order.
    pub fn live_territories(&self) -> impl Iterator<Item = (TerritoryIdx, &Territory)> {
        live_slots(&self.territories)
    }

    /// Finds a live territory by id, or else by name, case-insensitively.
    pub fn find_territory(&self, key: &str) -> Option<TerritoryIdx> {
        let key = key.trim();
        self.live_territories()
            .find(|(_, t)| t.id == key)
            .or_else(|| {
                self.live_territories()
                    .find(|(_, t)| t.id.eq_ignore_ascii_case(key) || t.name.eq_ignore_ascii_case(key))
            })
            .map(|(i, _)| i)
    }

    /// The territory's name, or "Unassigned".
    pub fn territory_name(&self, t: Option<TerritoryIdx>) -> &str {
        match t {
            Some(t) => &self.territories[t.get()].name,
            None => "Unassigned",
        }
    }

    /// The live region `key` names: its id, its path ("East/Mid-Atlantic"), or its name.
    pub fn find_region(&self, key: &str) -> Option<RegionIdx> {
        find_region(&self.regions, key)
    }

    /// The live territories within region `r`, its subregions included.
    pub fn territories_within(&self, r: RegionIdx) -> Vec<TerritoryIdx> {
        territories_within(&self.regions, &self.territories, r)
    }

    /// An id not used by any territory slot, derived from `name`.
    pub fn fresh_territory_id(&self, name: &str) -> String {
        fresh_territory_id(&self.territories, name)
    }

    /// The plan with its accounts in the given order (`order[new] = old`).
    pub fn permuted(self, order: &[u32]) -> Plan {
        let Plan { accounts, territories, regions, assignment, currency, travel, view, mut scenarios, current } = self;
        let accounts = accounts.permuted(order);
        let assignment = order.iter().map(|&i| assignment[i as usize]).collect();
        for s in scenarios.iter_mut().filter(|s| !s.is_hollow()) {
            s.assignment = order.iter().map(|&i| s.assignment[i as usize]).collect();
            s.locked = order.iter().map(|&i| s.locked[i as usize]).collect();
        }
        Plan { accounts, territories, regions, assignment, currency, travel, view, scenarios, current }
    }
}
