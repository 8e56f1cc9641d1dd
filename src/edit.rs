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
//! [`PrefixSums`] of the accounts, plus a `fill` of the owners. A lasso over spatially
//! sorted accounts therefore costs O(k) bytes scanned and O(runs) arithmetic, and so
//! does its undo.

use crate::metrics::{Balance, Metrics, PrefixSums, Totals};
use crate::model::{AccountIdx, AccountSet, Plan, Rgb, Territory, TerritoryIdx};

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
    /// Delete a territory; its accounts go to `accounts_to` (`None`: Unassigned).
    DeleteTerritory {
        territory: TerritoryIdx,
        accounts_to: Option<TerritoryIdx>,
    },
    LockAccounts {
        accounts: AccountSet,
        locked: bool,
    },
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
    serial: u64,
}

impl ChangeSet {
    fn is_empty(&self) -> bool {
        self.territories.is_empty() && self.moves.is_empty() && self.account_locks.is_empty()
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
    undo: Vec<ChangeSet>,
    redo: Vec<ChangeSet>,
    next_serial: u64,
    saved_serial: Option<u64>,
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
        Editor {
            plan: std::sync::Arc::new(plan),
            metrics,
            prefix,
            account_locked,
            locked_accounts,
            undo: Vec::new(),
            redo: Vec::new(),
            next_serial: 1,
            saved_serial: None,
        }
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The plan as it is now, shared without copying, for work on another thread.
    pub fn snapshot(&self) -> std::sync::Arc<Plan> {
        self.plan.clone()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The plan's balance, O(territories).
    pub fn balance(&self) -> Balance {
        Balance::of(&self.plan, &self.metrics)
    }

    /// Gives the plan back, dropping the history.
    pub fn into_plan(self) -> Plan {
        std::sync::Arc::unwrap_or_clone(self.plan)
    }

    /// Sets the saved view without making the plan dirty.
    pub fn set_view(&mut self, view: Option<crate::model::View>) {
        std::sync::Arc::make_mut(&mut self.plan).view = view;
    }

    /// Whether the plan changed since [`Editor::mark_saved`].
    pub fn is_dirty(&self) -> bool {
        self.undo.last().map(|c| c.serial) != self.saved_serial
    }

    /// Records the current state as the saved one.
    pub fn mark_saved(&mut self) {
        self.saved_serial = self.undo.last().map(|c| c.serial);
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
        self.backward(&cs);
        self.redo.push(cs);
        self.redo.last()
    }

    /// Repeats the last undone edit.
    pub fn redo(&mut self) -> Option<&ChangeSet> {
        let cs = self.redo.pop()?;
        self.forward(&cs);
        self.undo.push(cs);
        self.undo.last()
    }

    fn live(&self, t: TerritoryIdx) -> Result<&Territory, EditError> {
        self.plan.territories.get(t.get()).filter(|t| t.alive).ok_or(EditError::NoSuchTerritory(t.0))
    }

    fn empty(label: String) -> ChangeSet {
        ChangeSet { label, territories: Vec::new(), moves: Vec::new(), account_locks: Vec::new(), serial: 0 }
    }

    fn territory_edit(
        &self,
        t: TerritoryIdx,
        label: String,
        f: impl FnOnce(&mut Territory),
    ) -> Result<ChangeSet, EditError> {
        let before = self.live(t)?.clone();
        let mut after = before.clone();
        f(&mut after);
        let mut cs = Self::empty(label);
        if after != before {
            cs.territories.push(TerritoryChange { slot: t, before: Some(before), after: Some(after) });
        }
        Ok(cs)
    }

    /// Splits `set` into runs of equal owner and movability: O(|set|) scanning.
    /// `f(start, end, owner, movable)` is called for each run, in order.
    fn runs(&self, set: &AccountSet, mut f: impl FnMut(u32, u32, Option<TerritoryIdx>, bool)) {
        let owners = &self.plan.assignment;
        let locked_slot: Vec<bool> = self.plan.territories.iter().map(|t| t.locked).collect();
        // Usually nothing is locked: then runs end only where the owner changes, which
        // a tight loop over the owners finds at memory speed.
        let any_locked = self.locked_accounts > 0 || locked_slot.iter().any(|&l| l);
        let movable = |i: usize| !self.account_locked[i] && owners[i].is_none_or(|t| !locked_slot[t.get()]);
        for &(s, e) in set.ranges() {
            let (s, e) = (s as usize, e as usize);
            let mut start = s;
            while start < e {
                let owner = owners[start];
                let end = if any_locked {
                    let m = movable(start);
                    let mut end = start + 1;
                    while end < e && owners[end] == owner && movable(end) == m {
                        end += 1;
                    }
                    f(start as u32, end as u32, owner, m);
                    end
                } else {
                    let end = owners[start..e].iter().position(|&o| o != owner).map_or(e, |k| start + k);
                    f(start as u32, end as u32, owner, true);
                    end
                };
                start = end;
            }
        }
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
            let t = self.prefix.range(start, end);
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

    fn change_set(&self, cmd: Command) -> Result<ChangeSet, EditError> {
        let n = self.plan.accounts.len();
        let check_accounts = |accounts: &AccountSet| {
            if accounts.fits(n) {
                Ok(())
            } else {
                Err(EditError::NoSuchAccount(accounts.ranges().last().map_or(0, |r| r.1 - 1)))
            }
        };
        match cmd {
            Command::Reassign { accounts, to } => {
                check_accounts(&accounts)?;
                let target = match to {
                    Some(t) => {
                        let tt = self.live(t)?;
                        if tt.locked {
                            return Err(EditError::TerritoryLocked(tt.name.clone()));
                        }
                        tt.name.clone()
                    }
                    None => "Unassigned".to_owned(),
                };
                let mut moves: Vec<Move> = Vec::new();
                self.runs(&accounts, |start, end, from, movable| {
                    if movable && from != to {
                        moves.push(Move { start, end, from, to });
                    }
                });
                let moved: usize = moves.iter().map(Move::len).sum();
                let mut cs =
                    Self::empty(format!("Move {} accounts to {target}", crate::format::thousands(moved as i64)));
                cs.moves = moves;
                Ok(cs)
            }
            Command::CreateTerritory { name, color, rep } => {
                let name = name.trim().to_owned();
                if name.is_empty() {
                    return Err(EditError::EmptyName);
                }
                let slot = TerritoryIdx(self.plan.territories.len() as u32);
                let t = Territory {
                    id: self.plan.fresh_territory_id(&name),
                    name: name.clone(),
                    color,
                    rep,
                    rep_home: None,
                    locked: false,
                    alive: true,
                };
                let mut cs = Self::empty(format!("Create territory {name}"));
                cs.territories.push(TerritoryChange { slot, before: None, after: Some(t) });
                Ok(cs)
            }
            Command::RenameTerritory { territory, name } => {
                let name = name.trim().to_owned();
                if name.is_empty() {
                    return Err(EditError::EmptyName);
                }
                self.territory_edit(territory, format!("Rename territory to {name}"), |t| t.name = name)
            }
            Command::RecolorTerritory { territory, color } => {
                self.territory_edit(territory, "Change colour".to_owned(), |t| t.color = color)
            }
            Command::SetRep { territory, rep } => {
                self.territory_edit(territory, "Change rep".to_owned(), |t| t.rep = rep)
            }
            Command::SetRepHome { territory, home } => {
                if let Some((lon, lat)) = home
                    && !crate::model::home_on_map((lon, lat))
                {
                    return Err(EditError::HomeOffTheMap(lon.to_string(), lat.to_string()));
                }
                let label = if home.is_some() { "Set rep's home" } else { "Clear rep's home" };
                self.territory_edit(territory, label.to_owned(), |t| t.rep_home = home)
            }
            Command::LockTerritory { territory, locked } => {
                let verb = if locked { "Lock" } else { "Unlock" };
                let name = self.live(territory)?.name.clone();
                self.territory_edit(territory, format!("{verb} {name}"), |t| t.locked = locked)
            }
            Command::DeleteTerritory { territory, accounts_to } => {
                let before = self.live(territory)?.clone();
                if accounts_to == Some(territory) {
                    return Err(EditError::DeleteIntoItself);
                }
                if let Some(to) = accounts_to {
                    self.live(to)?;
                }
                let mut after = before.clone();
                after.alive = false;
                let mut cs = Self::empty(format!("Delete territory {}", before.name));
                // Deleting moves every account, locked or not: the territory is gone.
                let owners = &self.plan.assignment;
                let mut i = 0;
                while i < n {
                    if owners[i] == Some(territory) {
                        let start = i;
                        while i < n && owners[i] == Some(territory) {
                            i += 1;
                        }
                        cs.moves.push(Move {
                            start: start as u32,
                            end: i as u32,
                            from: Some(territory),
                            to: accounts_to,
                        });
                    } else {
                        i += 1;
                    }
                }
                cs.territories.push(TerritoryChange { slot: territory, before: Some(before), after: Some(after) });
                Ok(cs)
            }
            Command::ApplyProposal { label, territories, assignment } => {
                let old = &self.plan.territories;
                if assignment.len() != n || territories.len() < old.len() {
                    return Err(EditError::ProposalMismatch(assignment.len(), territories.len()));
                }
                let k = territories.len();
                if assignment.iter().flatten().any(|t| t.get() >= k || !territories[t.get()].alive) {
                    return Err(EditError::ProposalMismatch(assignment.len(), territories.len()));
                }
                let mut cs = Self::empty(label);
                for (i, t) in territories.iter().enumerate() {
                    let before = old.get(i).cloned();
                    if before.as_ref() != Some(t) {
                        cs.territories.push(TerritoryChange {
                            slot: TerritoryIdx(i as u32),
                            before,
                            after: Some(t.clone()),
                        });
                    }
                }
                let locked_slot =
                    |t: Option<TerritoryIdx>| t.is_some_and(|t| old.get(t.get()).is_some_and(|x| x.locked));
                // As with DeleteTerritory, a territory the proposal deletes loses all its
                // accounts, locked ones too.
                let dying = |t: Option<TerritoryIdx>| t.is_some_and(|t| !territories[t.get()].alive);
                let stays = |i: usize, from: Option<TerritoryIdx>, to: Option<TerritoryIdx>| {
                    !dying(from) && (self.account_locked[i] || locked_slot(from) || locked_slot(to))
                };
                let owners = &self.plan.assignment;
                let mut i = 0;
                while i < n {
                    let (from, to) = (owners[i], assignment[i]);
                    if from == to || stays(i, from, to) {
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < n && owners[i] == from && assignment[i] == to && !stays(i, from, to) {
                        i += 1;
                    }
                    cs.moves.push(Move { start: start as u32, end: i as u32, from, to });
                }
                Ok(cs)
            }
            Command::LockAccounts { accounts, locked } => {
                check_accounts(&accounts)?;
                let verb = if locked { "Lock" } else { "Unlock" };
                let mut cs =
                    Self::empty(format!("{verb} {} accounts", crate::format::thousands(accounts.len() as i64)));
                cs.account_locks = accounts
                    .iter()
                    .filter(|&a| self.account_locked[a as usize] != locked)
                    .map(|a| (AccountIdx(a), !locked, locked))
                    .collect();
                Ok(cs)
            }
        }
    }

    fn set_slot(&mut self, slot: TerritoryIdx, value: &Option<Territory>) {
        let i = slot.get();
        match value {
            Some(t) if i == self.plan.territories.len() => {
                std::sync::Arc::make_mut(&mut self.plan).territories.push(t.clone());
                self.metrics.ensure_slots(i + 1);
            }
            Some(t) => std::sync::Arc::make_mut(&mut self.plan).territories[i] = t.clone(),
            None => {
                // Only the newest slot is ever removed (undo of a creation).
                debug_assert_eq!(i + 1, self.plan.territories.len());
                std::sync::Arc::make_mut(&mut self.plan).territories.truncate(i);
                self.metrics.territories.truncate(i);
            }
        }
    }

    fn move_run(&mut self, m: &Move, from: Option<TerritoryIdx>, to: Option<TerritoryIdx>) {
        let run = &mut std::sync::Arc::make_mut(&mut self.plan).assignment[m.start as usize..m.end as usize];
        debug_assert!(run.iter().all(|&o| o == from));
        run.fill(to);
        let t = self.prefix.range(m.start, m.end);
        self.metrics.move_totals(&t, from, to);
    }

    fn set_lock(&mut self, a: AccountIdx, locked: bool) {
        let i = a.0 as usize;
        if self.account_locked[i] != locked {
            if locked {
                self.locked_accounts += 1;
            } else {
                self.locked_accounts -= 1;
            }
        }
        std::sync::Arc::make_mut(&mut self.plan).accounts.set_locked(i, locked);
        self.account_locked[i] = locked;
    }

    fn forward(&mut self, cs: &ChangeSet) {
        for c in &cs.territories {
            self.set_slot(c.slot, &c.after);
        }
        for m in &cs.moves {
            self.move_run(m, m.from, m.to);
        }
        for &(a, _, after) in &cs.account_locks {
            self.set_lock(a, after);
        }
    }

    fn backward(&mut self, cs: &ChangeSet) {
        for &(a, before, _) in cs.account_locks.iter().rev() {
            self.set_lock(a, before);
        }
        for m in cs.moves.iter().rev() {
            self.move_run(m, m.to, m.from);
        }
        for c in cs.territories.iter().rev() {
            self.set_slot(c.slot, &c.before);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Cents, palette_color};

    fn plan() -> Plan {
        let account = |i: u32| Account {
            id: format!("A{i}"),
            name: format!("Account {i}"),
            lon: f64::from(i),
            lat: 40.0,
            potential: Cents(i64::from(i) * 100),
            annual_revenue: Cents(1000),
            visits_per_year: 4,
            minutes_per_visit: 30,
            city: None,
            state: None,
            zip: None,
            locked: false,
        };
        let territory = |n: usize| Territory {
            id: format!("t{n}"),
            name: format!("T{n}"),
            color: palette_color(n),
            rep: None,
            rep_home: None,
            locked: false,
            alive: true,
        };
        Plan {
            accounts: (0..4).map(account).collect(),
            territories: vec![territory(0), territory(1)],
            assignment: vec![Some(TerritoryIdx(0)), Some(TerritoryIdx(0)), Some(TerritoryIdx(1)), None],
            ..Plan::default()
        }
    }

    #[test]
    fn reassign_undo_redo() {
        let original = plan();
        let mut ed = Editor::new(original.clone());
        let cmd = Command::Reassign { accounts: AccountSet::from_indices(vec![0, 3]), to: Some(TerritoryIdx(1)) };
        let cs = ed.apply(cmd).expect("valid").expect("changes");
        assert_eq!(cs.moved(), 2);
        assert_eq!(ed.metrics().territories[1].accounts, 3);
        assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
        assert!(ed.is_dirty());
        ed.undo();
        assert_eq!(ed.plan(), &original);
        assert_eq!(ed.metrics(), &Metrics::recompute(&original));
        ed.redo();
        assert_eq!(ed.metrics().territories[1].accounts, 3);
    }

    #[test]
    fn locks_are_respected() {
        let mut ed = Editor::new(plan());
        ed.apply(Command::LockTerritory { territory: TerritoryIdx(1), locked: true }).expect("ok");
        let err =
            ed.apply(Command::Reassign { accounts: AccountSet::from_indices(vec![0]), to: Some(TerritoryIdx(1)) });
        assert!(matches!(err, Err(EditError::TerritoryLocked(_))));
        // An account of a locked territory does not leave it.
        let r = ed.apply(Command::Reassign { accounts: AccountSet::from_indices(vec![2]), to: Some(TerritoryIdx(0)) });
        assert_eq!(r, Ok(None));
        ed.apply(Command::LockAccounts { accounts: AccountSet::from_indices(vec![0]), locked: true }).expect("ok");
        let r = ed.apply(Command::Reassign { accounts: AccountSet::from_indices(vec![0]), to: None });
        assert_eq!(r, Ok(None));
    }

    #[test]
    fn delete_and_create_undo() {
        let original = plan();
        let mut ed = Editor::new(original.clone());
        ed.apply(Command::DeleteTerritory { territory: TerritoryIdx(0), accounts_to: None }).expect("ok");
        assert_eq!(ed.metrics().unassigned.accounts, 3);
        assert_eq!(ed.plan().live_territories().count(), 1);
        ed.apply(Command::CreateTerritory { name: "New".into(), color: palette_color(5), rep: None }).expect("ok");
        assert_eq!(ed.plan().territories.len(), 3);
        ed.undo();
        ed.undo();
        assert_eq!(ed.plan(), &original);
        assert!(!ed.is_dirty());
    }

    #[test]
    fn rep_home_is_set_checked_and_undone() {
        let original = plan();
        let mut ed = Editor::new(original.clone());
        let home = Some((-87.6, 41.9));
        ed.apply(Command::SetRepHome { territory: TerritoryIdx(1), home }).expect("ok");
        assert_eq!(ed.plan().territories[1].rep_home, home);
        assert_eq!(ed.undo_label(), Some("Set rep's home"));
        for bad in [(-200.0, 40.0), (10.0, 89.0), (f64::NAN, 0.0)] {
            let r = ed.apply(Command::SetRepHome { territory: TerritoryIdx(0), home: Some(bad) });
            assert!(matches!(r, Err(EditError::HomeOffTheMap(..))), "{bad:?}");
        }
        ed.undo();
        assert_eq!(ed.plan(), &original);
        ed.redo();
        assert_eq!(ed.plan().territories[1].rep_home, home);
    }
}
