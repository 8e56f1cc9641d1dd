//! Scenarios in the editor: each keeps its own metrics and its own undo history, so
//! that switching is instant and Ctrl+Z never changes a scenario that is not on screen.

use super::*;
use crate::model::ScenarioError;

/// What the editor keeps of a scenario that is not on screen.
#[derive(Default)]
pub(super) struct Parked {
    metrics: Metrics,
    account_locked: Vec<bool>,
    locked_accounts: usize,
    undo: Vec<ChangeSet>,
    redo: Vec<ChangeSet>,
    saved_serial: Option<u64>,
}

impl Parked {
    fn is_dirty(&self) -> bool {
        self.undo.last().map(|c| c.serial) != self.saved_serial
    }
}

impl Editor {
    /// Parks the scenario on screen: its metrics, locks and history.
    fn park(&mut self) -> Parked {
        Parked {
            metrics: std::mem::take(&mut self.metrics),
            account_locked: std::mem::take(&mut self.account_locked),
            locked_accounts: self.locked_accounts,
            undo: std::mem::take(&mut self.undo),
            redo: std::mem::take(&mut self.redo),
            saved_serial: self.saved_serial,
        }
    }

    /// Brings a parked scenario back, or (never seen since the plan was opened) computes
    /// its metrics once.
    fn unpark(&mut self, parked: Option<Parked>) {
        let p = parked.unwrap_or_else(|| {
            let account_locked = self.plan.accounts.locked().to_vec();
            Parked {
                metrics: Metrics::recompute(&self.plan),
                locked_accounts: account_locked.iter().filter(|&&l| l).count(),
                account_locked,
                ..Parked::default()
            }
        });
        self.metrics = p.metrics;
        self.account_locked = p.account_locked;
        self.locked_accounts = p.locked_accounts;
        self.undo = p.undo;
        self.redo = p.redo;
        self.saved_serial = p.saved_serial;
        self.revision = next_revision();
    }

    /// The parked states, one per scenario (`None` for the one on screen and those not
    /// yet seen).
    fn parked_mut(&mut self) -> &mut Vec<Option<Parked>> {
        let n = self.plan.scenarios.len();
        self.parked.resize_with(n, || None);
        &mut self.parked
    }

    /// Puts scenario `i` on screen: O(1) for the plan, and the scenario's own metrics
    /// and history come back (computed once, O(N), the first time it is shown).
    pub fn switch_scenario(&mut self, i: usize) {
        let cur = self.plan.current;
        if i == cur || i >= self.plan.scenarios.len() {
            return;
        }
        let parked = self.park();
        self.parked_mut()[cur] = Some(parked);
        std::sync::Arc::make_mut(&mut self.plan).switch_scenario(i);
        let incoming = self.parked_mut()[i].take();
        self.unpark(incoming);
    }

    /// A copy of the scenario on screen, named `name`, put on screen with an empty
    /// history. Returns its index.
    pub fn new_scenario(&mut self, name: &str) -> Result<usize, ScenarioError> {
        let cur = self.plan.current;
        let copy = Parked {
            metrics: self.metrics.clone(),
            account_locked: self.account_locked.clone(),
            locked_accounts: self.locked_accounts,
            ..Parked::default()
        };
        let parked = self.park();
        let i = match std::sync::Arc::make_mut(&mut self.plan).add_scenario(name) {
            Ok(i) => i,
            Err(e) => {
                self.unpark(Some(parked));
                return Err(e);
            }
        };
        self.parked_mut()[cur] = Some(parked);
        self.parked_mut()[i] = None;
        self.unpark(Some(copy));
        self.structure_dirty = true;
        Ok(i)
    }

    /// Deletes scenario `i` (the one on screen gives way to the baseline, or to the
    /// next when it is the baseline).
    pub fn delete_scenario(&mut self, i: usize) -> Result<(), ScenarioError> {
        if self.plan.scenarios.len() <= 1 {
            return Err(ScenarioError::Last);
        }
        if i == self.plan.current {
            self.switch_scenario(if i == 0 { 1 } else { 0 });
        }
        std::sync::Arc::make_mut(&mut self.plan).remove_scenario(i)?;
        if i < self.parked.len() {
            self.parked.remove(i);
        }
        self.structure_dirty = true;
        self.revision = next_revision();
        Ok(())
    }

    pub fn rename_scenario(&mut self, i: usize, name: &str) -> Result<(), ScenarioError> {
        std::sync::Arc::make_mut(&mut self.plan).rename_scenario(i, name)?;
        self.structure_dirty = true;
        self.revision = next_revision();
        Ok(())
    }

    /// Makes scenario `i` the baseline (first).
    pub fn make_baseline(&mut self, i: usize) {
        if i == 0 || i >= self.plan.scenarios.len() {
            return;
        }
        let parked = self.parked_mut();
        let p = parked.remove(i);
        parked.insert(0, p);
        std::sync::Arc::make_mut(&mut self.plan).make_baseline(i);
        self.structure_dirty = true;
        self.revision = next_revision();
    }

    /// Whether a scenario not on screen has unsaved edits.
    pub(super) fn parked_dirty(&self) -> bool {
        self.parked.iter().flatten().any(Parked::is_dirty)
    }

    /// Marks every parked scenario saved.
    pub(super) fn mark_parked_saved(&mut self) {
        for p in self.parked.iter_mut().flatten() {
            p.saved_serial = p.undo.last().map(|c| c.serial);
        }
    }
}

impl Editor {
    /// Scenario `i`'s metrics: kept for the one on screen and those shown before,
    /// computed (O(N)) for the others.
    pub fn scenario_metrics(&self, i: usize) -> std::borrow::Cow<'_, Metrics> {
        if i == self.plan.current {
            return std::borrow::Cow::Borrowed(&self.metrics);
        }
        if let Some(Some(p)) = self.parked.get(i) {
            return std::borrow::Cow::Borrowed(&p.metrics);
        }
        std::borrow::Cow::Owned(Metrics::of_scenario(&self.plan, i))
    }
}
