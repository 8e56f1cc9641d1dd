//! Edits as commands, each turned into one reversible [`ChangeSet`].
//!
//! [`Editor`] owns the plan and its [`Metrics`]. Every change goes through
//! [`Editor::apply`], which validates the command, builds its change set, applies it
//! and pushes it onto the unlimited undo history; [`Editor::undo`] and [`Editor::redo`]
//! replay change sets backwards and forwards.
//!
//! Moves are recorded as *runs*: consecutive accounts with the same owner that go to
//! the same territory. Building the runs scans the moved accounts' owners (O(k), at
//! memory speed); applying a run costs O(1) metric updates, through the
//! [`PrefixSums`] of the accounts (running totals every 16 accounts, the ends of a run
//! summed from the columns), plus a `fill` of the owners. A lasso over spatially
//! sorted accounts therefore costs O(k) bytes scanned and O(runs) arithmetic, and so
//! does its undo.
//!
//! `changes.rs` turns a command into its change set and applies change sets forward
//! and backward; `scenarios.rs` switches scenarios, each with its own metrics and
//! history; the commands, the change sets and the history are here.

use crate::metrics::{Balance, Metrics, PrefixSums, Totals};
use crate::model::{AccountIdx, AccountSet, Plan, Region, RegionIdx, Rgb, Territory, TerritoryIdx};

mod changes;
mod regions;
mod saved;
mod scenarios;
#[cfg(test)]
mod tests;

pub use saved::SavePoint;

/// A user's edit, before it is validated (serialisable: the recovery journal keeps
/// them).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Command {
    /// Give accounts to a territory (`None`: the Unassigned pool). Locked accounts and
    /// accounts of locked territories stay where they are.
    Reassign {
        accounts: AccountSet,
        to: Option<TerritoryIdx>,
    },
    CreateTerritory {
        name: String,
        color: Rgb,
        rep: Option<String>,
    },
    RenameTerritory {
        territory: TerritoryIdx,
        name: String,
    },
    RecolorTerritory {
        territory: TerritoryIdx,
        color: Rgb,
    },
    SetRep {
        territory: TerritoryIdx,
        rep: Option<String>,
    },
    /// Set (or clear) where the territory's rep lives, (lon, lat): what Redraw can grow
    /// the territory around.
    SetRepHome {
        territory: TerritoryIdx,
        home: Option<(f64, f64)>,
    },
    LockTerritory {
        territory: TerritoryIdx,
        locked: bool,
    },
    /// Set the share of a full book the territory's rep carries (1.0 full, 0.5 part
    /// time): its target is the total × capacity / the sum of capacities.
    SetCapacity {
        territory: TerritoryIdx,
        capacity: f64,
    },
    /// Delete a territory; its accounts go to `accounts_to` (`None`: Unassigned).
    DeleteTerritory {
        territory: TerritoryIdx,
        accounts_to: Option<TerritoryIdx>,
    },
    LockAccounts {
        accounts: AccountSet,
        locked: bool,
    },
    /// A new region named `name` inside `parent` (`None`: at the top).
    CreateRegion {
        name: String,
        parent: Option<RegionIdx>,
    },
    RenameRegion {
        region: RegionIdx,
        name: String,
    },
    /// Put a region inside another (`None`: at the top); never inside itself.
    MoveRegion {
        region: RegionIdx,
        parent: Option<RegionIdx>,
    },
    /// Delete a region; its territories and regions go to its parent.
    DeleteRegion {
        region: RegionIdx,
    },
    /// Put a territory in a region (`None`: at the top).
    SetTerritoryRegion {
        territory: TerritoryIdx,
        region: Option<RegionIdx>,
    },
    /// Lock or unlock every territory within a region (its subregions too).
    LockRegion {
        region: RegionIdx,
        locked: bool,
    },
    /// Switch travel in the workload on (with these settings) or off. Switching it on
    /// stores each territory's centre where it has no rep's home and no centre yet.
    SetTravel {
        travel: Option<crate::model::Travel>,
    },
    /// Store each territory's centre (its accounts' mean position) anew, where it has no
    /// rep's home: where travel starts from.
    Recentre,
    /// Replace the territories and the assignment at once (a Balance or Redraw
    /// proposal): one undo step. Locked accounts and territories keep what they have.
    ApplyProposal {
        label: String,
        territories: Vec<Territory>,
        assignment: Vec<Option<TerritoryIdx>>,
    },
}

/// Why a command was refused. The plan is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("territory #{0} does not exist")]
    NoSuchTerritory(u32),
    #[error("territory \"{0}\" is locked")]
    TerritoryLocked(String),
    #[error("account #{0} does not exist")]
    NoSuchAccount(u32),
    #[error("a territory needs a name")]
    EmptyName,
    #[error("the accounts cannot go to the territory being deleted")]
    DeleteIntoItself,
    #[error("the proposal is for another plan ({0} accounts, {1} slots)")]
    ProposalMismatch(usize, usize),
    #[error("a home at longitude {0}, latitude {1} is off the map")]
    HomeOffTheMap(String, String),
    #[error("{0}")]
    BadCapacity(String),
    #[error(transparent)]
    Region(#[from] crate::model::RegionError),
    #[error("travel: {0}")]
    BadTravel(String),
}

/// A run of consecutive accounts `start..end`, all owned by `from`, moving to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub start: u32,
    pub end: u32,
    pub from: Option<TerritoryIdx>,
    pub to: Option<TerritoryIdx>,
}

impl Move {
    /// Number of accounts in the run.
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A territory slot before and after (`None`: the slot does not exist).
#[derive(Debug, Clone, PartialEq)]
pub struct TerritoryChange {
    pub slot: TerritoryIdx,
    pub before: Option<Territory>,
    pub after: Option<Territory>,
}

/// Everything one edit changed, enough to undo and redo it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// What the user did, for the Undo menu.
    pub label: String,
    /// Applied before the moves, undone after them.
    pub territories: Vec<TerritoryChange>,
    pub moves: Vec<Move>,
    /// (account, locked before, locked after).
    pub account_locks: Vec<(AccountIdx, bool, bool)>,
    /// The region tree before and after, when it changed (a few hundred regions at
    /// most: kept whole).
    pub regions: Option<Box<(Vec<Region>, Vec<Region>)>>,
    /// The travel settings before and after, when they changed.
    pub travel: Option<(Option<crate::model::Travel>, Option<crate::model::Travel>)>,
    /// A scenario created or deleted (the other fields are then empty): see
    /// `scenarios.rs`.
    scenario: Option<Box<scenarios::ScenarioStep>>,
    serial: u64,
}

impl ChangeSet {
    fn is_empty(&self) -> bool {
        self.territories.is_empty()
            && self.moves.is_empty()
            && self.account_locks.is_empty()
            && self.regions.is_none()
            && self.travel.is_none()
            && self.scenario.is_none()
    }

    /// Whether it creates or deletes a scenario (rather than changing the one on
    /// screen).
    pub fn changes_scenarios(&self) -> bool {
        self.scenario.is_some()
    }

    /// Number of accounts that change territory.
    pub fn moved(&self) -> usize {
        self.moves.iter().map(Move::len).sum()
    }
}

/// What a set of accounts holds, by owner: for the selection summary and the live
/// preview.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetSummary {
    pub total: Totals,
    /// Totals of the accounts that may move, by territory slot.
    pub movable_by_slot: Vec<Totals>,
    /// Totals of the unassigned accounts that may move.
    pub movable_unassigned: Totals,
    /// Accounts that cannot move (locked, or in a locked territory).
    pub locked: u64,
}

/// The plan, its metrics and its history.
pub struct Editor {
    /// Shared with background work through [`Editor::snapshot`]; an edit while a
    /// snapshot is out copies it first.
    plan: std::sync::Arc<Plan>,
    metrics: Metrics,
    prefix: PrefixSums,
    /// The accounts' lock flags, contiguous (mirrors `plan.accounts[i].locked`).
    account_locked: Vec<bool>,
    /// How many accounts are locked.
    locked_accounts: usize,
    /// Travel minutes per territory slot, kept move by move (all zero with travel off):
    /// always equal to [`crate::model::travel_by_territory`] of the plan.
    travel: Vec<crate::model::TravelTotals>,
    /// With travel on, each account's position on the unit sphere (24 bytes an
    /// account), so that a move computes only the distances; empty with travel off.
    units: Vec<[f64; 3]>,
    undo: Vec<ChangeSet>,
    redo: Vec<ChangeSet>,
    next_serial: u64,
    saved_serial: Option<u64>,
    /// See [`Editor::revision`].
    revision: u64,
    /// The scenarios not on screen: their metrics and histories (see `scenarios.rs`).
    parked: Vec<Option<scenarios::Parked>>,
    /// Scenarios created, deleted, renamed or made the baseline (and accounts updated)
    /// since the editor was made, and as many at the last save: the structure is dirty
    /// while they differ.
    structure_changes: u64,
    saved_structure: u64,
    /// This editor among those of the process (see [`SavePoint`]).
    id: u64,
}

/// A revision no editor in this process had before.
fn next_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Every account's [`crate::model::unit()`] vector when the plan counts travel; none
/// otherwise. O(N).
fn units_for(plan: &Plan) -> Vec<[f64; 3]> {
    if plan.travel.is_none() {
        return Vec::new();
    }
    plan.accounts.positions().map(crate::model::unit).collect()
}

impl Editor {
    /// Takes a plan, computing its metrics once.
    pub fn new(plan: Plan) -> Editor {
        let (prefix, metrics) = PrefixSums::with_metrics(&plan);
        Editor::with_sums(plan, prefix, metrics)
    }

    /// [`Editor::new`] with the accounts' Web Mercator positions known (the grid has
    /// them), which saves projecting them again.
    pub fn with_positions(plan: Plan, xs: &[f64], ys: &[f64]) -> Editor {
        let (prefix, metrics) = PrefixSums::with_metrics_at(&plan, xs, ys);
        Editor::with_sums(plan, prefix, metrics)
    }

    fn with_sums(plan: Plan, prefix: PrefixSums, metrics: Metrics) -> Editor {
        let account_locked: Vec<bool> = plan.accounts.locked().to_vec();
        let locked_accounts = account_locked.iter().filter(|&&l| l).count();
        let travel = crate::model::travel_by_territory(&plan);
        let units = units_for(&plan);
        Editor {
            travel,
            units,
            plan: std::sync::Arc::new(plan),
            metrics,
            prefix,
            account_locked,
            locked_accounts,
            undo: Vec::new(),
            redo: Vec::new(),
            next_serial: 1,
            saved_serial: None,
            revision: next_revision(),
            parked: Vec::new(),
            structure_changes: 0,
            saved_structure: 0,
            id: next_revision(),
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Travel per territory slot (all zero with travel off), kept up to date move by
    /// move: O(k) for k accounts moved.
    pub fn travel(&self) -> &[crate::model::TravelTotals] {
        &self.travel
    }

    /// The territories' totals with travel added to their workload when it is on: what
    /// balance is measured on (the metrics themselves stay visits only).
    pub fn workload_metrics(&self) -> std::borrow::Cow<'_, Metrics> {
        if self.plan.travel.is_some() {
            let minutes: Vec<i64> = self.travel.iter().map(|t| t.minutes).collect();
            std::borrow::Cow::Owned(self.metrics.with_travel(&minutes))
        } else {
            std::borrow::Cow::Borrowed(&self.metrics)
        }
    }

    /// Changes with every edit, undo and redo, and no two editors share one: what the
    /// caches of a plan (the dots' colours, a selection's sums, search hits, a pending
    /// proposal) key on, so that none is refreshed by hand.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// The plan as it is now, shared without copying, for work on another thread.
    pub fn snapshot(&self) -> std::sync::Arc<Plan> {
        self.plan.clone()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The plan's balance, O(territories): of the workload with travel when it is on.
    pub fn balance(&self) -> Balance {
        Balance::of(&self.plan, &self.workload_metrics())
    }

    /// Sets the saved view without making the plan dirty.
    pub fn set_view(&mut self, view: Option<crate::model::View>) {
        std::sync::Arc::make_mut(&mut self.plan).view = view;
    }

    /// Whether the plan changed since [`Editor::mark_saved`].
    pub fn is_dirty(&self) -> bool {
        self.undo.last().map(|c| c.serial) != self.saved_serial
            || self.structure_changes != self.saved_structure
            || self.parked_dirty()
    }

    /// Marks the plan as changed since it was saved (it was made from another: an
    /// update of the accounts).
    pub fn mark_unsaved(&mut self) {
        self.structure_changes += 1;
    }

    /// Records the current state as the saved one.
    pub fn mark_saved(&mut self) {
        let now = self.save_point();
        self.mark_saved_at(&now);
    }

    /// The label of the edit that Undo would revert.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|c| c.label.as_str())
    }

    /// The label of the edit that Redo would repeat.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|c| c.label.as_str())
    }

    /// Number of edits that can be undone.
    pub fn undo_depth(&self) -> usize {
        self.undo.len()
    }

    /// Validates and applies a command as one undo step. Returns the change set, or
    /// `None` when the command changed nothing (and was not recorded).
    pub fn apply(&mut self, cmd: Command) -> Result<Option<&ChangeSet>, EditError> {
        let mut cs = self.change_set(cmd)?;
        if cs.is_empty() {
            return Ok(None);
        }
        cs.serial = self.next_serial;
        self.next_serial += 1;
        self.forward(&cs);
        self.redo.clear();
        self.undo.push(cs);
        Ok(self.undo.last())
    }

    /// Reverts the last edit; returns it, or `None` when there is nothing to undo.
    pub fn undo(&mut self) -> Option<&ChangeSet> {
        let cs = self.undo.pop()?;
        if cs.scenario.is_some() {
            return Some(self.undo_scenario_step(cs));
        }
        self.backward(&cs);
        self.redo.push(cs);
        self.redo.last()
    }

    /// Repeats the last undone edit.
    pub fn redo(&mut self) -> Option<&ChangeSet> {
        let cs = self.redo.pop()?;
        if cs.scenario.is_some() {
            return Some(self.redo_scenario_step(cs));
        }
        self.forward(&cs);
        self.undo.push(cs);
        self.undo.last()
    }

    /// The totals of a set of accounts by owner, and what of it may move: O(|set|)
    /// scanning, O(runs) arithmetic.
    pub fn summarize(&self, set: &AccountSet) -> SetSummary {
        let mut s = SetSummary {
            movable_by_slot: vec![Totals::default(); self.plan.territories.len()],
            ..SetSummary::default()
        };
        if !set.fits(self.plan.accounts.len()) {
            return s;
        }
        self.runs(set, |start, end, owner, movable| {
            let t = self.prefix.range(&self.plan.accounts, start, end);
            s.total.merge(&t);
            if !movable {
                s.locked += u64::from(end - start);
            } else {
                match owner {
                    Some(o) => s.movable_by_slot[o.get()].merge(&t),
                    None => s.movable_unassigned.merge(&t),
                }
            }
        });
        s
    }

    /// With travel on, what assigning the movable accounts of `set` to `to` does to
    /// the drives: the minutes they drive now, by territory slot (what each would
    /// lose), and the minutes they would drive from `to`'s start (those already in
    /// `to` left out). `None` with travel off. O(selected): what a preview of the move
    /// adds to the visit totals of [`Editor::summarize`].
    pub fn travel_if_assigned(&self, set: &AccountSet, to: Option<TerritoryIdx>) -> Option<(Vec<i64>, i64)> {
        self.plan.travel?;
        let mut lost = vec![0i64; self.plan.territories.len()];
        let mut gained = 0i64;
        let mut runs = Vec::new();
        if set.fits(self.plan.accounts.len()) {
            self.runs(set, |start, end, owner, movable| {
                if movable && owner != to {
                    runs.push((start as usize..end as usize, owner));
                }
            });
        }
        // The runs' drives now and from `to`, as a move computes them.
        let drive = |(range, owner): &(std::ops::Range<usize>, Option<TerritoryIdx>)| {
            let now = owner.map_or(0, |o| self.legs(range.clone(), o).minutes);
            (*owner, now, to.map_or(0, |t| self.legs(range.clone(), t).minutes))
        };
        let drives = changes::map_runs(&runs, runs.iter().map(|(r, _)| r.len()).sum(), drive);
        for (owner, now, then) in drives {
            if let Some(o) = owner {
                lost[o.get()] += now;
            }
            gained += then;
        }
        Some((lost, gained))
    }
}
