//! The in-memory plan: accounts, territories and who owns what.
//!
//! Money is kept in integer [`Cents`] and workload in integer [`Minutes`], so that
//! totals kept up to date edit by edit equal totals recomputed from scratch, exactly.
//! Territories live in stable slots ([`TerritoryIdx`]); deleting one tombstones its
//! slot instead of shifting indices, so that undo can bring it back without touching
//! the assignment of every account.

use serde::{Deserialize, Serialize};

/// Money in integer cents of the plan's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cents(pub i64);

impl Cents {
    /// The amount in currency units, for display and JSON.
    pub fn units(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// Workload in integer minutes per year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Minutes(pub i64);

impl Minutes {
    /// The workload in hours, unrounded.
    pub fn hours(self) -> f64 {
        self.0 as f64 / 60.0
    }
}

/// Index of an account in [`Plan::accounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountIdx(pub u32);

/// Index of a territory slot in [`Plan::territories`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TerritoryIdx(pub u32);

impl TerritoryIdx {
    /// The slot as a `usize`, for indexing.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// An sRGB colour, without alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// `#rrggbb`.
    pub fn to_hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Parses `#rrggbb` (the `#` is optional).
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.trim().trim_start_matches('#');
        if s.len() != 6 || !s.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
        Some(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }
}

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
        Minutes(i64::from(self.visits_per_year) * i64::from(self.minutes_per_visit))
    }
}

/// A sales territory, one per rep.
#[derive(Debug, Clone, PartialEq)]
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
}

/// The view the plan was saved with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub center_lon: f64,
    pub center_lat: f64,
    pub zoom: f64,
}

/// A whole plan: what the file holds and the editor edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub accounts: Vec<Account>,
    pub territories: Vec<Territory>,
    /// The owner of each account, `None` for the Unassigned pool; parallel to `accounts`.
    pub assignment: Vec<Option<TerritoryIdx>>,
    /// ISO currency code of the money fields, for display.
    pub currency: String,
    pub view: Option<View>,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            accounts: Vec::new(),
            territories: Vec::new(),
            assignment: Vec::new(),
            currency: "USD".to_owned(),
            view: None,
        }
    }
}

impl Plan {
    /// Live territories in plan order.
    pub fn live_territories(&self) -> impl Iterator<Item = (TerritoryIdx, &Territory)> {
        self.territories.iter().enumerate().filter(|(_, t)| t.alive).map(|(i, t)| (TerritoryIdx(i as u32), t))
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

    /// An id not used by any territory slot, derived from `name`.
    pub fn fresh_territory_id(&self, name: &str) -> String {
        let mut base: String =
            name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
        base = base.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
        if base.is_empty() {
            base = "territory".to_owned();
        }
        let taken = |id: &str| self.territories.iter().any(|t| t.id == id);
        if !taken(&base) {
            return base;
        }
        (2..).map(|n| format!("{base}-{n}")).find(|id| !taken(id)).unwrap_or(base)
    }

    /// The plan with its accounts in the given order (`order[new] = old`).
    pub fn permuted(self, order: &[u32]) -> Plan {
        let Plan { accounts, territories, assignment, currency, view } = self;
        let mut slots: Vec<Option<Account>> = accounts.into_iter().map(Some).collect();
        let accounts = order.iter().filter_map(|&i| slots[i as usize].take()).collect();
        let assignment = order.iter().map(|&i| assignment[i as usize]).collect();
        Plan { accounts, territories, assignment, currency, view }
    }

    /// Whether the account may be moved: neither it nor its territory is locked.
    pub fn is_movable(&self, a: AccountIdx) -> bool {
        let i = a.0 as usize;
        !self.accounts[i].locked && self.assignment[i].is_none_or(|t| !self.territories[t.get()].locked)
    }
}

/// A palette that keeps 24 territories apart, on screen and projected (after Kelly's
/// colours of maximum contrast, without white and black).
pub const PALETTE: [Rgb; 24] = [
    Rgb([0x1f, 0x77, 0xb4]),
    Rgb([0xff, 0x7f, 0x0e]),
    Rgb([0x2c, 0xa0, 0x2c]),
    Rgb([0xd6, 0x27, 0x28]),
    Rgb([0x94, 0x67, 0xbd]),
    Rgb([0x8c, 0x56, 0x4b]),
    Rgb([0xe3, 0x77, 0xc2]),
    Rgb([0x17, 0xbe, 0xcf]),
    Rgb([0xbc, 0xbd, 0x22]),
    Rgb([0x00, 0x2e, 0x8f]),
    Rgb([0xf3, 0xc3, 0x00]),
    Rgb([0x00, 0x88, 0x56]),
    Rgb([0xbe, 0x00, 0x32]),
    Rgb([0x87, 0x56, 0x92]),
    Rgb([0xf9, 0x93, 0x79]),
    Rgb([0x60, 0x4e, 0x97]),
    Rgb([0x8d, 0xb6, 0x00]),
    Rgb([0x88, 0x2d, 0x17]),
    Rgb([0xa1, 0xca, 0xf1]),
    Rgb([0x65, 0x45, 0x22]),
    Rgb([0xe2, 0x58, 0x22]),
    Rgb([0x2b, 0x3d, 0x26]),
    Rgb([0xc2, 0xb2, 0x80]),
    Rgb([0x00, 0x67, 0xa5]),
];

/// The palette colour for the n-th territory.
pub fn palette_color(n: usize) -> Rgb {
    PALETTE[n % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        for c in PALETTE {
            assert_eq!(Rgb::from_hex(&c.to_hex()), Some(c));
        }
        assert_eq!(Rgb::from_hex("#12345"), None);
        assert_eq!(Rgb::from_hex("zzzzzz"), None);
    }

    #[test]
    fn fresh_ids_do_not_collide() {
        let mut plan = Plan::default();
        for n in 0..3 {
            let id = plan.fresh_territory_id("New York Metro");
            plan.territories.push(Territory {
                id,
                name: "New York Metro".into(),
                color: palette_color(n),
                rep: None,
                rep_home: None,
                locked: false,
                alive: true,
            });
        }
        let ids: Vec<_> = plan.territories.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["new-york-metro", "new-york-metro-2", "new-york-metro-3"]);
    }
}

/// A set of accounts as sorted, disjoint, non-adjacent ranges of indices: compact for
/// what a lasso selects (whole runs of spatially sorted accounts), cheap to combine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSet {
    ranges: Vec<(u32, u32)>,
    len: usize,
}

impl AccountSet {
    /// The set of these indices (any order, duplicates allowed).
    pub fn from_indices(mut idx: Vec<u32>) -> AccountSet {
        idx.sort_unstable();
        idx.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for i in idx {
            match ranges.last_mut() {
                Some(r) if r.1 == i => r.1 = i + 1,
                _ => ranges.push((i, i + 1)),
            }
        }
        AccountSet::from_sorted_ranges(ranges)
    }

    /// The set of sorted, disjoint half-open ranges (adjacent ones are merged).
    pub fn from_sorted_ranges(ranges: impl IntoIterator<Item = (u32, u32)>) -> AccountSet {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for (s, e) in ranges {
            if s >= e {
                continue;
            }
            match out.last_mut() {
                Some(r) if r.1 >= s => r.1 = r.1.max(e),
                _ => out.push((s, e)),
            }
        }
        let len = out.iter().map(|(s, e)| (e - s) as usize).sum();
        AccountSet { ranges: out, len }
    }

    /// Every account of a plan with `n` accounts.
    pub fn all(n: usize) -> AccountSet {
        AccountSet::from_sorted_ranges([(0, n as u32)])
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The indices, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(s, e)| s..e)
    }

    pub fn contains(&self, i: u32) -> bool {
        let k = self.ranges.partition_point(|r| r.1 <= i);
        self.ranges.get(k).is_some_and(|r| r.0 <= i)
    }

    /// Whether no index is `>= n`.
    pub fn fits(&self, n: usize) -> bool {
        self.ranges.last().is_none_or(|r| r.1 as usize <= n)
    }

    /// Union.
    pub fn union(&self, other: &AccountSet) -> AccountSet {
        let mut all: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len() + other.ranges.len());
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() || j < other.ranges.len() {
            let take_self = j >= other.ranges.len() || (i < self.ranges.len() && self.ranges[i].0 <= other.ranges[j].0);
            if take_self {
                all.push(self.ranges[i]);
                i += 1;
            } else {
                all.push(other.ranges[j]);
                j += 1;
            }
        }
        AccountSet::from_sorted_ranges(all)
    }

    /// Difference self − other.
    pub fn difference(&self, other: &AccountSet) -> AccountSet {
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut j = 0;
        for &(s, e) in &self.ranges {
            let mut cur = s;
            while j < other.ranges.len() && other.ranges[j].1 <= cur {
                j += 1;
            }
            let mut k = j;
            while cur < e && k < other.ranges.len() && other.ranges[k].0 < e {
                let (os, oe) = other.ranges[k];
                if os > cur {
                    out.push((cur, os.min(e)));
                }
                cur = cur.max(oe);
                k += 1;
            }
            if cur < e {
                out.push((cur, e));
            }
        }
        AccountSet::from_sorted_ranges(out)
    }
}

#[cfg(test)]
mod set_tests {
    use super::AccountSet;

    #[test]
    fn ranges_merge_and_combine() {
        let a = AccountSet::from_indices(vec![5, 1, 2, 3, 9, 3]);
        assert_eq!(a.ranges(), &[(1, 4), (5, 6), (9, 10)]);
        assert_eq!(a.len(), 5);
        let b = AccountSet::from_sorted_ranges([(3, 6), (8, 12)]);
        assert_eq!(a.union(&b).ranges(), &[(1, 6), (8, 12)]);
        assert_eq!(a.difference(&b).ranges(), &[(1, 3)]);
        assert_eq!(b.difference(&a).ranges(), &[(4, 5), (8, 9), (10, 12)]);
        assert!(a.contains(2) && !a.contains(4) && a.contains(9));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 2, 3, 5, 9]);
    }
}
