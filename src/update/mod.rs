//! Refreshing a plan from a new CRM export: the accounts change, the work on the plan
//! stays.
//!
//! The new export's accounts are matched to the plan's by id:
//! - a matched account keeps its territory and its lock in every scenario and takes the
//!   new values and position (one that moved more than [`MOVED_KM`] is listed);
//! - a new account goes, in each scenario, to the territory of the nearest existing
//!   account within the radius that may receive it ([`crate::model::may_move`]: the
//!   account is not locked, nor is its territory), else to Unassigned;
//! - an account the export no longer has is removed, unless a row of the export that
//!   names it was rejected: that account is kept as it was (held) and listed;
//! - removing more than [`MAX_REMOVED_SHARE`] of the accounts is refused unless allowed,
//!   since partial exports are common;
//! - the export's territory column is ignored (the plan is the truth) unless
//!   `take_territories`: then the baseline scenario takes it for every account that may
//!   move there, creating territories it does not have.
//!
//! The plan keeps its accounts in their order, the removed ones left out, and appends
//! the new ones in the export's order.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::io::csv_import::RowIssue;
use crate::metrics::Metrics;
use crate::model::{Minutes, Plan, Scenario, Territory, TerritoryIdx, may_move, palette_color};
use crate::quality::{distance_km, unit_vector};

#[cfg(test)]
mod tests;

/// A matched account whose position moved farther than this is listed, km.
pub const MOVED_KM: f64 = 25.0;
/// How far a new account looks for a territory to join, km, by default.
pub const DEFAULT_RADIUS_KM: f64 = 50.0;
/// Removing a larger share of the accounts needs `allow_removals`.
pub const MAX_REMOVED_SHARE: f64 = 0.10;

/// How to update.
#[derive(Debug, Clone, Copy)]
pub struct UpdateOptions {
    /// How far a new account looks for a territory, km.
    pub radius_km: f64,
    /// Take the export's territory column in the baseline scenario.
    pub take_territories: bool,
    /// Allow removing more than [`MAX_REMOVED_SHARE`] of the accounts.
    pub allow_removals: bool,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions { radius_km: DEFAULT_RADIUS_KM, take_territories: false, allow_removals: false }
    }
}

/// Why an update was refused; the plan is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "the export would remove {} of {} accounts ({share:.1} %, more than {limit:.0} %): is it a partial export?",
        crate::format::thousands(*removed as i64),
        crate::format::thousands(*total as i64)
    )]
    TooManyRemovals { removed: usize, total: usize, share: f64, limit: f64 },
    #[error("the radius must be a distance ≥ 0 km, not {0}")]
    BadRadius(f64),
}

/// A matched account that moved more than [`MOVED_KM`].
#[derive(Debug, Clone, PartialEq)]
pub struct MovedAccount {
    pub id: String,
    pub name: String,
    pub km: f64,
}

/// A new account and where it went (in the scenario on screen).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAccount {
    pub id: String,
    pub name: String,
    /// Its index in the updated plan.
    pub index: usize,
    pub territory: Option<TerritoryIdx>,
}

/// A removed account and where it was (in the scenario on screen).
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedAccount {
    pub id: String,
    pub name: String,
    pub territory: Option<TerritoryIdx>,
    pub potential: crate::model::Cents,
}

/// An account kept as it was because the export's row for it was rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldAccount {
    pub id: String,
    pub line: u64,
    pub reason: String,
}

/// A territory of the scenario on screen before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct TerritoryUpdate {
    pub territory: TerritoryIdx,
    pub accounts_before: u64,
    pub accounts_after: u64,
    pub workload_before: Minutes,
    pub workload_after: Minutes,
}

/// What an update did. `kept + changed + moved.len() + held.len() + removed.len()` is
/// the plan's old account count; the new count adds `new.len()`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateReport {
    /// Matched, and nothing changed.
    pub kept: usize,
    /// Matched, with new values or a position within [`MOVED_KM`].
    pub changed: usize,
    pub moved: Vec<MovedAccount>,
    pub new: Vec<NewAccount>,
    pub removed: Vec<RemovedAccount>,
    pub held: Vec<HeldAccount>,
    /// Accounts the baseline took from the export's territory column
    /// (`take_territories`), and the territories it created for it.
    pub taken: usize,
    pub created: Vec<String>,
    /// The scenario on screen, territory by territory (live slots of the updated plan).
    pub territories: Vec<TerritoryUpdate>,
}

/// Where each account of the updated plan comes from.
#[derive(Clone, Copy)]
enum Source {
    /// Old account `i` with the export's row `j`.
    Matched(u32, u32),
    /// Old account `i` as it was.
    Held(u32),
    /// The export's row `j`.
    New(u32),
}

/// Updates `old` from `fresh` (the new export as imported) and the rows the import
/// rejected. Returns the updated plan (the same scenario on screen) and the report.
pub fn update(
    old: &Plan,
    mut fresh: Plan,
    rejected: &[RowIssue],
    opts: &UpdateOptions,
) -> Result<(Plan, UpdateReport), UpdateError> {
    if !(opts.radius_km >= 0.0 && opts.radius_km.is_finite()) {
        return Err(UpdateError::BadRadius(opts.radius_km));
    }
    let n = old.accounts.len();
    let mut index: ahash::AHashMap<&str, u32> = ahash::AHashMap::with_capacity(n);
    index.extend(old.accounts.ids().zip(0u32..));
    // The old account of each of the export's rows, looked up on every core.
    let m = fresh.accounts.len();
    let chunks: Vec<std::ops::Range<usize>> = (0..m).step_by(1 << 16).map(|s| s..(s + (1 << 16)).min(m)).collect();
    let found = crate::io::parallel(&chunks, |r| -> Vec<Option<u32>> {
        r.clone().map(|j| index.get(fresh.accounts.id(j)).copied()).collect()
    });
    // The export's row of each old account, and the export's new rows.
    let mut row_of: Vec<Option<u32>> = vec![None; n];
    let mut new_rows: Vec<u32> = Vec::new();
    for (j, i) in found.into_iter().flatten().enumerate() {
        match i {
            Some(i) if row_of[i as usize].is_none() => row_of[i as usize] = Some(j as u32),
            _ => new_rows.push(j as u32),
        }
    }
    let mut report = UpdateReport::default();
    let mut held = vec![false; n];
    for r in rejected {
        let Some(id) = r.id.as_deref() else { continue };
        if let Some(&i) = index.get(id)
            && row_of[i as usize].is_none()
            && !held[i as usize]
        {
            held[i as usize] = true;
            report.held.push(HeldAccount { id: id.to_owned(), line: r.line, reason: r.reason.clone() });
        }
    }
    let removed: Vec<usize> = (0..n).filter(|&i| row_of[i].is_none() && !held[i]).collect();
    if removed.len() as f64 > MAX_REMOVED_SHARE * n as f64 && !opts.allow_removals {
        return Err(UpdateError::TooManyRemovals {
            removed: removed.len(),
            total: n,
            share: 100.0 * removed.len() as f64 / n as f64,
            limit: 100.0 * MAX_REMOVED_SHARE,
        });
    }
    for &i in &removed {
        let a = old.accounts.get(i);
        let territory = old.assignment[i];
        report.removed.push(RemovedAccount {
            id: a.id.to_owned(),
            name: a.name.to_owned(),
            territory,
            potential: a.potential,
        });
    }

    // The accounts: the old order without the removed, then the new rows. The export's
    // accounts are taken as they are (a gather, no text copied), the held ones from the
    // old plan appended to them first.
    let mut sources: Vec<Source> = Vec::with_capacity(n - removed.len() + new_rows.len());
    for (i, row) in row_of.iter().enumerate() {
        match row {
            Some(j) => sources.push(Source::Matched(i as u32, *j)),
            None if held[i] => sources.push(Source::Held(i as u32)),
            None => {}
        }
    }
    let kept_count = sources.len();
    sources.extend(new_rows.iter().map(|&j| Source::New(j)));
    let m = m as u32;
    let mut held_rows = 0u32;
    let order: Vec<u32> = sources
        .iter()
        .map(|s| match *s {
            Source::Matched(_, j) | Source::New(j) => j,
            Source::Held(_) => {
                held_rows += 1;
                m + held_rows - 1
            }
        })
        .collect();
    let position = |s: &Source| match *s {
        Source::Matched(_, j) | Source::New(j) => (fresh.accounts.lon()[j as usize], fresh.accounts.lat()[j as usize]),
        Source::Held(i) => (old.accounts.lon()[i as usize], old.accounts.lat()[i as usize]),
    };
    let kept_positions: Vec<(f64, f64)> =
        if kept_count < sources.len() { sources[..kept_count].iter().map(position).collect() } else { Vec::new() };
    // The nearest-neighbour tree on one thread, the comparison of the matched accounts
    // on the other.
    let (near, (same, moved)) = rayon::join(
        || Neighbours::new(&kept_positions, opts.radius_km),
        || {
            let mut same = 0usize;
            let mut moved = Vec::new();
            for s in &sources[..kept_count] {
                let Source::Matched(i, j) = *s else { continue };
                let was = old.accounts.get(i as usize);
                let mut now = fresh.accounts.get(j as usize);
                now.locked = was.locked;
                if now == was {
                    same += 1;
                } else {
                    let km = distance_km(was.lon, was.lat, now.lon, now.lat);
                    if km > MOVED_KM {
                        moved.push(MovedAccount { id: now.id.to_owned(), name: now.name.to_owned(), km });
                    }
                }
            }
            (same, moved)
        },
    );
    report.kept = same;
    report.changed = kept_count - report.held.len() - same - moved.len();
    report.moved = moved;
    let fresh_territories = std::mem::take(&mut fresh.territories);
    let fresh_owners = std::mem::take(&mut fresh.assignment);
    let mut all = fresh.accounts;
    for s in &sources[..kept_count] {
        if let Source::Held(i) = *s {
            all.push(old.accounts.get(i as usize));
        }
    }
    let accounts = all.permuted(&order);

    // Each scenario: the old owners and locks of the kept accounts; the new accounts
    // by their nearest neighbour that may receive them.
    let old_of = |s: &Source| match *s {
        Source::Matched(i, _) | Source::Held(i) => Some(i as usize),
        Source::New(_) => None,
    };
    let mut parts: Vec<Scenario> = Vec::new();
    for k in 0..old.scenarios.len() {
        let (territories, assignment, locked) = old.scenario_parts(k);
        let mut owners: Vec<Option<TerritoryIdx>> = Vec::with_capacity(sources.len());
        let mut locks: Vec<bool> = Vec::with_capacity(sources.len());
        for s in &sources[..kept_count] {
            let i = old_of(s).unwrap_or(0);
            owners.push(assignment[i]);
            locks.push(locked[i]);
        }
        for a in kept_count..sources.len() {
            let receives =
                |b: usize| owners[b].is_some() && may_move(locks[b], owners[b], |t| territories[t.get()].locked);
            let owner = near.nearest((accounts.lon()[a], accounts.lat()[a]), receives).and_then(|b| owners[b]);
            owners.push(owner);
            locks.push(false);
        }
        let mut territories = territories.to_vec();
        if k == 0 && opts.take_territories {
            take_territories(
                (&fresh_territories, &fresh_owners),
                &sources,
                &mut territories,
                &mut owners,
                &locks,
                &mut report,
            );
        }
        let regions = old.scenario_regions(k).to_vec();
        parts.push(Scenario {
            name: old.scenarios[k].name.clone(),
            territories,
            regions,
            assignment: owners,
            locked: locks,
        });
    }

    let mut plan = Plan {
        accounts,
        territories: Vec::new(),
        regions: Vec::new(),
        assignment: Vec::new(),
        currency: old.currency.clone(),
        travel: old.travel,
        view: old.view,
        scenarios: old.scenarios.iter().map(|s| Scenario::hollow(&s.name)).collect(),
        current: old.current,
    };
    for (k, mut part) in parts.into_iter().enumerate() {
        if k == old.current {
            plan.territories = std::mem::take(&mut part.territories);
            plan.regions = std::mem::take(&mut part.regions);
            plan.assignment = std::mem::take(&mut part.assignment);
            plan.accounts.swap_locked(&mut part.locked);
        } else {
            plan.scenarios[k] = part;
        }
    }
    for (a, s) in sources.iter().enumerate().skip(kept_count) {
        let r = plan.accounts.get(a);
        let Source::New(_) = s else { continue };
        report.new.push(NewAccount {
            id: r.id.to_owned(),
            name: r.name.to_owned(),
            index: a,
            territory: plan.assignment[a],
        });
    }
    let before = Metrics::recompute(old);
    let after = Metrics::recompute(&plan);
    report.territories = plan
        .live_territories()
        .map(|(t, _)| {
            let b = before.territories.get(t.get()).cloned().unwrap_or_default();
            let a = &after.territories[t.get()];
            TerritoryUpdate {
                territory: t,
                accounts_before: b.accounts,
                accounts_after: a.accounts,
                workload_before: b.workload,
                workload_after: a.workload,
            }
        })
        .collect();
    Ok((plan, report))
}

/// The baseline takes the export's territory column: each account that may move goes
/// to the territory of that name (found by id or name, created when missing).
fn take_territories(
    (fresh_territories, fresh_owners): (&[Territory], &[Option<TerritoryIdx>]),
    sources: &[Source],
    territories: &mut Vec<Territory>,
    owners: &mut [Option<TerritoryIdx>],
    locks: &[bool],
    report: &mut UpdateReport,
) {
    let mut slot_of: ahash::AHashMap<String, Option<TerritoryIdx>> = ahash::AHashMap::new();
    for (a, s) in sources.iter().enumerate() {
        let j = match *s {
            Source::Matched(_, j) | Source::New(j) => j as usize,
            Source::Held(_) => continue,
        };
        let Some(ft) = fresh_owners[j] else { continue };
        let name = &fresh_territories[ft.get()].name;
        if !may_move(locks[a], owners[a], |t| territories[t.get()].locked) {
            continue;
        }
        let to = match slot_of.get(name) {
            Some(&t) => t,
            None => {
                let found = crate::model::live_slots(territories)
                    .find(|(_, t)| t.id == *name || t.name.eq_ignore_ascii_case(name))
                    .map(|(i, t)| (i, t.locked));
                let t = match found {
                    Some((_, true)) => None,
                    Some((i, false)) => Some(i),
                    None => {
                        let id = crate::model::fresh_territory_id(territories, name);
                        territories.push(Territory::new(id, name.clone(), palette_color(territories.len())));
                        report.created.push(name.clone());
                        Some(TerritoryIdx::new(territories.len() as u32 - 1))
                    }
                };
                slot_of.insert(name.clone(), t);
                t
            }
        };
        if let Some(to) = to
            && owners[a] != Some(to)
        {
            owners[a] = Some(to);
            report.taken += 1;
        }
    }
}

/// The kept accounts as points on the unit sphere: the chord between two points grows
/// with their great-circle distance, so the R-tree's nearest neighbours come in the
/// order of distance on the Earth.
struct Neighbours {
    tree: RTree<GeomWithData<[f64; 3], u32>>,
    /// The radius as a chord of the unit sphere, squared.
    max_chord2: f64,
}

impl Neighbours {
    /// The tree over the kept accounts' (lon, lat) (empty when no account is new).
    fn new(kept: &[(f64, f64)], radius_km: f64) -> Neighbours {
        let points =
            kept.iter().zip(0u32..).map(|(&(lon, lat), i)| GeomWithData::new(unit_vector((lon, lat)), i)).collect();
        let chord = 2.0 * (radius_km / (2.0 * EARTH_KM)).min(std::f64::consts::FRAC_PI_2).sin();
        Neighbours { tree: RTree::bulk_load(points), max_chord2: chord * chord }
    }

    /// The nearest kept account to (lon, lat) within the radius that `receives`.
    fn nearest(&self, (lon, lat): (f64, f64), receives: impl Fn(usize) -> bool) -> Option<usize> {
        self.tree
            .nearest_neighbor_iter_with_distance_2(&unit_vector((lon, lat)))
            .take_while(|(_, d2)| *d2 <= self.max_chord2 * (1.0 + 1e-12))
            .map(|(e, _)| e.data as usize)
            .find(|&b| receives(b))
    }
}

/// The mean Earth radius of [`distance_km`], km.
const EARTH_KM: f64 = crate::quality::EARTH_KM;
