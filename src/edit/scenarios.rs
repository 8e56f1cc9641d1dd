//! Scenarios in the editor: each keeps its own metrics and its own undo history, so
//! that switching is instant and Ctrl+Z never changes a scenario that is not on screen.
//!
//! Creating and deleting a scenario are undo steps too ([`ScenarioStep`]). A created
//! scenario's history starts with its creation: undoing that removes it (kept whole in
//! the step) and goes back to the scenario it was copied from, whose Redo brings it
//! back. A deletion is a step of the scenario shown after it: undoing it puts the
//! deleted scenario back, with its own history, and on screen; its Redo deletes it
//! again.

use super::*;
use crate::model::{Scenario, ScenarioError};

/// What the editor keeps of a scenario that is not on screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Parked {
    metrics: Metrics,
    account_locked: Vec<bool>,
    locked_accounts: usize,
    undo: Vec<ChangeSet>,
    redo: Vec<ChangeSet>,
    saved_serial: Option<u64>,
}

/// A scenario created or deleted, as an undo step.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ScenarioStep {
    kind: StepKind,
    /// Where the scenario sits among the others.
    index: usize,
    /// The scenario shown on the other side of the step: the one a new scenario was
    /// copied from, or the one on screen after a deletion.
    other: usize,
    /// The scenario and its editor state while it does not exist (after a deletion,
    /// or after its creation was undone).
    stash: Option<(Scenario, Parked)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepKind {
    Created,
    Deleted,
}

impl Parked {
    fn is_dirty(&self) -> bool {
        self.last_serial() != self.saved_serial
    }

    /// The serial of the last edit in its history.
    pub(super) fn last_serial(&self) -> Option<u64> {
        self.undo.last().map(|c| c.serial)
    }

    pub(super) fn set_saved_serial(&mut self, serial: Option<u64>) {
        self.saved_serial = serial;
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
        // Travel depends on the plan's settings, which any scenario may have changed
        // since: recomputed (O(N) with travel on, nothing otherwise).
        self.travel = crate::model::travel_by_territory(&self.plan);
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
        let step = ScenarioStep { kind: StepKind::Created, index: i, other: cur, stash: None };
        self.push_step(format!("New scenario \"{}\"", self.plan.scenario_name()), step);
        Ok(i)
    }

    /// Deletes scenario `i` (the one on screen gives way to the baseline, or to the
    /// next when it is the baseline), as an undo step of the scenario then on screen.
    pub fn delete_scenario(&mut self, i: usize) -> Result<(), ScenarioError> {
        if self.plan.scenarios.len() <= 1 {
            return Err(ScenarioError::Last);
        }
        if i >= self.plan.scenarios.len() {
            return Err(ScenarioError::Unknown(format!("#{i}"), self.plan.scenario_names().join(", ")));
        }
        if i == self.plan.current {
            self.switch_scenario(if i == 0 { 1 } else { 0 });
        }
        let label = format!("Delete scenario \"{}\"", self.plan.scenarios[i].name);
        let stash = self.take_scenario(i);
        let other = self.plan.current;
        self.push_step(label, ScenarioStep { kind: StepKind::Deleted, index: i, other, stash: Some(stash) });
        Ok(())
    }

    /// Records a scenario step on the history of the scenario on screen.
    fn push_step(&mut self, label: String, step: ScenarioStep) {
        let mut cs = Editor::empty(label);
        cs.scenario = Some(Box::new(step));
        cs.serial = self.next_serial;
        self.next_serial += 1;
        self.redo.clear();
        self.undo.push(cs);
        self.structure_changes += 1;
        self.revision = next_revision();
    }

    /// Removes scenario `i` (not on screen) with its editor state.
    fn take_scenario(&mut self, i: usize) -> (Scenario, Parked) {
        debug_assert_ne!(i, self.plan.current);
        let parked = self.parked_mut().remove(i);
        let plan = std::sync::Arc::make_mut(&mut self.plan);
        let removed = plan.remove_scenario(i).unwrap_or_default();
        // A scenario never shown since the plan opened has its metrics computed now.
        let parked = parked.unwrap_or_else(|| {
            let metrics = Metrics::of_assignment(&plan.accounts, removed.territories.len(), &removed.assignment);
            Parked {
                metrics,
                locked_accounts: removed.locked.iter().filter(|&&l| l).count(),
                account_locked: removed.locked.clone(),
                ..Parked::default()
            }
        });
        (removed, parked)
    }

    /// Puts a taken scenario back at `i` (or last) and on screen.
    fn restore_scenario(&mut self, i: usize, (scenario, parked): (Scenario, Parked)) -> usize {
        let plan = std::sync::Arc::make_mut(&mut self.plan);
        let i = plan.insert_scenario(i, scenario);
        self.parked_mut().insert(i, Some(parked));
        self.parked.truncate(self.plan.scenarios.len());
        self.switch_scenario(i);
        i
    }

    /// Undoes a scenario step (popped from the history on screen): a creation removes
    /// the scenario again, a deletion brings it back. The step goes to the redo history
    /// of the scenario then on screen.
    pub(super) fn undo_scenario_step(&mut self, mut cs: ChangeSet) -> &ChangeSet {
        if let Some(step) = cs.scenario.as_deref_mut() {
            match step.kind {
                StepKind::Created => self.step_remove(step),
                StepKind::Deleted => self.step_restore(step),
            }
        }
        self.redo.push(cs);
        self.redo.last().unwrap_or_else(|| unreachable!("just pushed"))
    }

    /// Redoes a scenario step (popped from the redo history on screen): the mirror of
    /// [`Editor::undo_scenario_step`], onto the undo history.
    pub(super) fn redo_scenario_step(&mut self, mut cs: ChangeSet) -> &ChangeSet {
        if let Some(step) = cs.scenario.as_deref_mut() {
            match step.kind {
                StepKind::Created => self.step_restore(step),
                StepKind::Deleted => self.step_remove(step),
            }
        }
        self.undo.push(cs);
        self.undo.last().unwrap_or_else(|| unreachable!("just pushed"))
    }

    /// The scenario on screen goes into the step, and the step's other scenario (the
    /// one it was copied from, or shown after its deletion) comes on screen.
    fn step_remove(&mut self, step: &mut ScenarioStep) {
        let here = self.plan.current;
        let back = if step.other < self.plan.scenarios.len() && step.other != here {
            step.other
        } else {
            usize::from(here == 0)
        };
        // Switching moves no scenario: `here` still names the one that goes.
        self.switch_scenario(back);
        step.index = here;
        step.stash = Some(self.take_scenario(here));
        step.other = self.plan.current;
        self.structure_changes += 1;
        self.revision = next_revision();
    }

    /// The scenario kept in the step comes back at its place and on screen.
    fn step_restore(&mut self, step: &mut ScenarioStep) {
        step.other = self.plan.current;
        if let Some(stash) = step.stash.take() {
            step.index = self.restore_scenario(step.index, stash);
        }
        self.structure_changes += 1;
        self.revision = next_revision();
    }

    pub fn rename_scenario(&mut self, i: usize, name: &str) -> Result<(), ScenarioError> {
        std::sync::Arc::make_mut(&mut self.plan).rename_scenario(i, name)?;
        self.structure_changes += 1;
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
        self.structure_changes += 1;
        self.revision = next_revision();
    }

    /// Whether a scenario not on screen has unsaved edits.
    pub(super) fn parked_dirty(&self) -> bool {
        self.parked.iter().flatten().any(Parked::is_dirty)
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
