//! The current selection and its sums, which drive the live preview.

use crate::edit::{Editor, SetSummary};
use crate::metrics::Totals;
use crate::model::{AccountSet, TerritoryIdx};

/// How a new shape combines with the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    Replace,
    /// Shift held.
    Add,
    /// Ctrl held.
    Subtract,
}

/// The selected accounts and their sums by owner, refreshed when the plan changes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    set: AccountSet,
    /// What the selection holds, by owner, and what of it may move.
    pub summary: SetSummary,
    /// The plan revision the summary was computed for.
    revision: u64,
    /// With travel on, the drives of a previewed move ([`Editor::travel_if_assigned`])
    /// for one target: O(selected) once per target hovered, not per frame.
    travel: Option<(Option<TerritoryIdx>, Vec<i64>, i64)>,
}

impl Selection {
    /// The selected accounts.
    pub fn accounts(&self) -> &AccountSet {
        &self.set
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Combines a shape's accounts with the selection.
    pub fn combine(&mut self, found: AccountSet, how: Combine, editor: &Editor, revision: u64) {
        let base = std::mem::take(&mut self.set);
        self.combine_from(&base, found, how, editor, revision);
    }

    /// Sets the selection to `base` combined with a shape's accounts (a lasso being
    /// drawn combines with the selection it started from, every frame).
    pub fn combine_from(&mut self, base: &AccountSet, found: AccountSet, how: Combine, editor: &Editor, revision: u64) {
        self.set = match how {
            Combine::Replace => found,
            Combine::Add => base.union(&found),
            Combine::Subtract => base.difference(&found),
        };
        self.refresh(editor, revision);
    }

    /// Empties the selection.
    pub fn clear(&mut self) {
        *self = Selection { revision: self.revision, ..Selection::default() };
    }

    /// Recomputes the summary if the plan changed since: O(selected) scanning.
    pub fn refresh_if_stale(&mut self, editor: &Editor, revision: u64) {
        if revision != self.revision {
            self.refresh(editor, revision);
        }
    }

    fn refresh(&mut self, editor: &Editor, revision: u64) {
        self.revision = revision;
        self.summary = editor.summarize(&self.set);
        self.travel = None;
    }

    /// With travel on, the drives the selection's movable accounts would lose, by
    /// slot, and gain in `target` if assigned there (see
    /// [`Editor::travel_if_assigned`]); `None` with travel off. The summary must be
    /// fresh ([`Selection::refresh_if_stale`]).
    pub fn travel_preview(&mut self, editor: &Editor, target: Option<TerritoryIdx>) -> Option<(&[i64], i64)> {
        if self.travel.as_ref().is_none_or(|(t, _, _)| *t != target) {
            let (lost, gained) = editor.travel_if_assigned(&self.set, target)?;
            self.travel = Some((target, lost, gained));
        }
        self.travel.as_ref().map(|(_, lost, gained)| (lost.as_slice(), *gained))
    }

    /// What the selection would take from `slot` if it went elsewhere.
    pub fn leaving(&self, slot: Option<TerritoryIdx>) -> Totals {
        match slot {
            Some(t) => self.summary.movable_by_slot.get(t.get()).copied().unwrap_or_default(),
            None => self.summary.movable_unassigned,
        }
    }

    /// The totals of `slot` after assigning the selection to `target`, from its
    /// totals now: O(territories). With travel on, `travel` (from
    /// [`Selection::travel_preview`]) moves the drives too: `now` then holds the
    /// workload with travel.
    pub fn preview(
        &self,
        slot: Option<TerritoryIdx>,
        now: &Totals,
        target: Option<TerritoryIdx>,
        travel: Option<(&[i64], i64)>,
    ) -> Totals {
        let mut after = *now;
        after.workload.0 += drive_change(travel, slot, target);
        if slot == target {
            for (i, t) in self.summary.movable_by_slot.iter().enumerate() {
                if Some(TerritoryIdx::new(i as u32)) != target {
                    after.merge(t);
                }
            }
            if target.is_some() {
                after.merge(&self.summary.movable_unassigned);
            }
        } else {
            after.subtract(&self.leaving(slot));
        }
        after
    }
}

/// How a previewed move changes `slot`'s drives, in minutes: the target gains the
/// selection's drives from its start, every other territory loses those it has now
/// (`travel` from [`Selection::travel_preview`]; 0 without travel).
pub fn drive_change(travel: Option<(&[i64], i64)>, slot: Option<TerritoryIdx>, target: Option<TerritoryIdx>) -> i64 {
    match (travel, slot) {
        (Some((_, gained)), Some(_)) if slot == target => gained,
        (Some((lost, _)), Some(s)) => -lost.get(s.get()).copied().unwrap_or(0),
        _ => 0,
    }
}
