//! From a command to its change set (the moves and territory changes that undo can
//! reverse), and applying a change set forward or backward.

use super::*;
use crate::model::TravelTotals;
use rayon::prelude::*;

/// The fewest accounts of a run whose travel one task computes: below, sending work
/// to another core costs more than it saves.
const PARALLEL_RUN: usize = 8_000;

/// `f` over `runs` (covering `accounts` accounts): on this thread for a small edit (a
/// click, a few runs: handing them to the pool would cost more), else spread over
/// every core (a lasso is thousands of runs, each too short to split).
pub(super) fn map_runs<R: Sync, T: Send>(runs: &[R], accounts: usize, f: impl Fn(&R) -> T + Sync + Send) -> Vec<T> {
    if accounts < PARALLEL_RUN { runs.iter().map(f).collect() } else { runs.par_iter().map(f).collect() }
}

impl Editor {
    pub(super) fn live(&self, t: TerritoryIdx) -> Result<&Territory, EditError> {
        self.plan.territories.get(t.get()).filter(|t| t.alive).ok_or(EditError::NoSuchTerritory(t.index()))
    }

    pub(super) fn empty(label: String) -> ChangeSet {
        ChangeSet {
            label,
            territories: Vec::new(),
            moves: Vec::new(),
            account_locks: Vec::new(),
            regions: None,
            travel: None,
            scenario: None,
            serial: 0,
        }
    }

    pub(super) fn territory_edit(
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
    pub(super) fn runs(&self, set: &AccountSet, mut f: impl FnMut(u32, u32, Option<TerritoryIdx>, bool)) {
        let owners = &self.plan.assignment;
        let locked_slot: Vec<bool> = self.plan.territories.iter().map(|t| t.locked).collect();
        // Usually nothing is locked: then runs end only where the owner changes, which
        // a tight loop over the owners finds at memory speed.
        let any_locked = self.locked_accounts > 0 || locked_slot.iter().any(|&l| l);
        let movable = |i: usize| crate::model::may_move(self.account_locked[i], owners[i], |t| locked_slot[t.get()]);
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

    pub(super) fn change_set(&self, cmd: Command) -> Result<ChangeSet, EditError> {
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
                let slot = TerritoryIdx::new(self.plan.territories.len() as u32);
                let t = Territory { rep, ..Territory::new(self.plan.fresh_territory_id(&name), name.clone(), color) };
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
            Command::SetCapacity { territory, capacity } => {
                crate::model::limits::check_capacity(capacity).map_err(EditError::BadCapacity)?;
                let name = self.live(territory)?.name.clone();
                let label = format!("Set {name}'s capacity to {}", crate::format::capacity(capacity));
                self.territory_edit(territory, label, |t| t.capacity = capacity)
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
                // Every live territory's region must be one of the plan's.
                let regions = &self.plan.regions;
                if territories
                    .iter()
                    .any(|t| t.alive && t.region.is_some_and(|r| !crate::model::region_live(regions, r)))
                {
                    return Err(EditError::ProposalMismatch(assignment.len(), territories.len()));
                }
                let mut cs = Self::empty(label);
                for (i, t) in territories.iter().enumerate() {
                    let before = old.get(i).cloned();
                    if before.as_ref() != Some(t) {
                        cs.territories.push(TerritoryChange {
                            slot: TerritoryIdx::new(i as u32),
                            before,
                            after: Some(t.clone()),
                        });
                    }
                }
                let locked = |t: TerritoryIdx| old.get(t.get()).is_some_and(|x| x.locked);
                // As with DeleteTerritory, a territory the proposal deletes loses all its
                // accounts, locked ones too.
                let dying = |t: Option<TerritoryIdx>| t.is_some_and(|t| !territories[t.get()].alive);
                let stays = |i: usize, from: Option<TerritoryIdx>, to: Option<TerritoryIdx>| {
                    !dying(from)
                        && (!crate::model::may_move(self.account_locked[i], from, locked) || to.is_some_and(locked))
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
            Command::CreateRegion { .. }
            | Command::RenameRegion { .. }
            | Command::MoveRegion { .. }
            | Command::DeleteRegion { .. }
            | Command::SetTerritoryRegion { .. }
            | Command::LockRegion { .. } => self.region_change_set(cmd),
            Command::SetTravel { travel } => {
                if let Some(t) = &travel {
                    t.check().map_err(EditError::BadTravel)?;
                }
                let label = match (self.plan.travel, travel) {
                    (None, Some(_)) => "Switch travel on",
                    (Some(_), Some(_)) => "Change travel settings",
                    _ => "Switch travel off",
                };
                let mut cs = Self::empty(label.to_owned());
                if travel.is_some() && self.plan.travel.is_none() {
                    cs.territories = self.recentred(true);
                }
                if travel != self.plan.travel {
                    cs.travel = Some((self.plan.travel, travel));
                }
                Ok(cs)
            }
            Command::Recentre => {
                let mut cs = Self::empty("Recentre territories".to_owned());
                cs.territories = self.recentred(false);
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

    pub(super) fn set_slot(&mut self, slot: TerritoryIdx, value: &Option<Territory>) {
        let i = slot.get();
        let anchor_before = self.plan.territories.get(i).and_then(crate::model::anchor);
        match value {
            Some(t) if i == self.plan.territories.len() => {
                std::sync::Arc::make_mut(&mut self.plan).territories.push(t.clone());
                self.metrics.ensure_slots(i + 1);
                self.travel.push(crate::model::TravelTotals::default());
            }
            Some(t) => std::sync::Arc::make_mut(&mut self.plan).territories[i] = t.clone(),
            None => {
                // Only the newest slot is ever removed (undo of a creation).
                debug_assert_eq!(i + 1, self.plan.territories.len());
                std::sync::Arc::make_mut(&mut self.plan).territories.truncate(i);
                self.metrics.territories.truncate(i);
                self.travel.truncate(i);
            }
        }
        // A rep's home or centre that moved: that territory's travel anew (O(N), rare).
        if self.plan.travel.is_some()
            && let Some(t) = value
            && crate::model::anchor(t) != anchor_before
        {
            self.travel[i] = crate::model::travel_of(&self.plan, slot);
        }
    }

    /// Territory changes that store each live territory's centre (its accounts' mean
    /// position) where it has no rep's home; `only_missing`: only where it has no
    /// centre yet either.
    pub(super) fn recentred(&self, only_missing: bool) -> Vec<TerritoryChange> {
        crate::model::live_slots(&self.plan.territories)
            .filter(|(_, t)| t.rep_home.is_none() && !(only_missing && t.centre.is_some()))
            .filter_map(|(i, t)| {
                let centre = self.metrics.territories[i.get()].center_lon_lat()?;
                (t.centre != Some(centre)).then(|| {
                    let mut after = t.clone();
                    after.centre = Some(centre);
                    TerritoryChange { slot: i, before: Some(t.clone()), after: Some(after) }
                })
            })
            .collect()
    }

    /// Sets the travel settings and recomputes every territory's travel: O(N).
    fn set_travel(&mut self, travel: Option<crate::model::Travel>) {
        std::sync::Arc::make_mut(&mut self.plan).travel = travel;
        self.travel = crate::model::travel_by_territory(&self.plan);
        if travel.is_none() {
            self.units = Vec::new();
        } else if self.units.len() != self.plan.accounts.len() {
            self.units = super::units_for(&self.plan);
        }
    }

    /// Moves the runs of `moves`, forward (`from` → `to`) or back: the owners, the totals
    /// from the prefix sums (O(runs)), and with travel on each account's drive from its
    /// old start and to its new one (O(accounts moved), the runs spread over every
    /// core: a lasso is thousands of short runs).
    pub(super) fn move_runs(&mut self, moves: &[Move], back: bool) {
        let ends = |m: &Move| if back { (m.to, m.from) } else { (m.from, m.to) };
        // The drives first: they depend on the accounts and the territories' starts,
        // which moving owners does not change.
        let drive = |m: &Move| {
            let ((from, to), range) = (ends(m), m.start as usize..m.end as usize);
            if from == to {
                return Default::default();
            }
            let lost = from.map(|f| self.legs(range.clone(), f)).unwrap_or_default();
            let gained = to.map(|t| self.legs(range, t)).unwrap_or_default();
            (lost, gained)
        };
        let drives: Vec<(TravelTotals, TravelTotals)> = match self.plan.travel {
            None => Vec::new(),
            Some(_) => map_runs(moves, moves.iter().map(Move::len).sum(), drive),
        };
        for j in 0..moves.len() {
            // Back in the reverse order, as a change set is undone.
            let i = if back { moves.len() - 1 - j } else { j };
            let m = &moves[i];
            let (from, to) = ends(m);
            let run = &mut std::sync::Arc::make_mut(&mut self.plan).assignment[m.start as usize..m.end as usize];
            debug_assert!(run.iter().all(|&o| o == from));
            run.fill(to);
            let t = self.prefix.range(&self.plan.accounts, m.start, m.end);
            self.metrics.move_totals(&t, from, to);
            if let Some(&(lost, gained)) = drives.get(i) {
                if let Some(f) = from {
                    self.travel[f.get()].subtract(lost);
                }
                if let Some(t) = to {
                    self.travel[t.get()].add(gained);
                }
            }
        }
    }

    /// The drives of accounts `range` from territory `t`'s start (nothing without
    /// travel or a start): O(range), a long range on every core. Integer sums: the
    /// same in any order, on one core or many.
    pub(super) fn legs(&self, range: std::ops::Range<usize>, t: TerritoryIdx) -> TravelTotals {
        let (Some(travel), Some(anchor)) =
            (self.plan.travel, self.plan.territories.get(t.get()).and_then(crate::model::anchor))
        else {
            return TravelTotals::default();
        };
        let anchor = crate::model::unit(anchor);
        let acc = &self.plan.accounts;
        let units = &self.units;
        let leg = |mut sum: TravelTotals, v: usize| {
            // The same vector either way (cached when travel was switched on).
            let pos = units.get(v).copied().unwrap_or_else(|| crate::model::unit((acc.lon()[v], acc.lat()[v])));
            sum.add(travel.leg_between(acc.visits_per_year()[v], &pos, &anchor));
            sum
        };
        // A short run on this thread: handing it to the pool and waiting for it costs
        // more than the run (a lasso is thousands of runs).
        if range.len() < 2 * PARALLEL_RUN {
            return range.fold(TravelTotals::default(), leg);
        }
        range.into_par_iter().with_min_len(PARALLEL_RUN).fold(TravelTotals::default, leg).reduce(
            TravelTotals::default,
            |mut a, b| {
                a.add(b);
                a
            },
        )
    }

    pub(super) fn set_lock(&mut self, a: AccountIdx, locked: bool) {
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

    pub(super) fn forward(&mut self, cs: &ChangeSet) {
        self.revision = next_revision();
        if let Some(r) = &cs.regions {
            std::sync::Arc::make_mut(&mut self.plan).regions.clone_from(&r.1);
        }
        for c in &cs.territories {
            self.set_slot(c.slot, &c.after);
        }
        self.move_runs(&cs.moves, false);
        for &(a, _, after) in &cs.account_locks {
            self.set_lock(a, after);
        }
        if let Some((_, after)) = cs.travel {
            self.set_travel(after);
        }
    }

    pub(super) fn backward(&mut self, cs: &ChangeSet) {
        self.revision = next_revision();
        for &(a, before, _) in cs.account_locks.iter().rev() {
            self.set_lock(a, before);
        }
        self.move_runs(&cs.moves, true);
        for c in cs.territories.iter().rev() {
            self.set_slot(c.slot, &c.before);
        }
        if let Some((before, _)) = cs.travel {
            self.set_travel(before);
        }
        if let Some(r) = &cs.regions {
            std::sync::Arc::make_mut(&mut self.plan).regions.clone_from(&r.0);
        }
    }
}
