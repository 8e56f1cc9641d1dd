//! What a save wrote, so that the save marks exactly that as saved when it lands: a
//! save runs off the UI thread while the manager goes on editing, and an edit made
//! meanwhile is not in the file, so it must stay unsaved (the close asks about it, the
//! recovery journal keeps it).

use super::*;

/// The editor's state when a save took its snapshot: which editor, the last edit of
/// each scenario's history, and the scenarios' structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePoint {
    editor: u64,
    structure: u64,
    /// By scenario: the serial of the last edit in its history (`None`: none).
    serials: Vec<Option<u64>>,
}

impl Editor {
    /// The state a save of [`Editor::snapshot`] taken now writes.
    pub fn save_point(&self) -> SavePoint {
        let serials = (0..self.plan.scenarios.len())
            .map(|i| {
                if i == self.plan.current {
                    self.undo.last().map(|c| c.serial)
                } else {
                    self.parked.get(i).and_then(Option::as_ref).and_then(scenarios::Parked::last_serial)
                }
            })
            .collect();
        SavePoint { editor: self.id, structure: self.structure_changes, serials }
    }

    /// Whether the plan changed since `point` was taken: an edit, undo or redo in any
    /// scenario, a scenario made, deleted or renamed, or another editor altogether
    /// (switching scenarios is no change).
    pub fn edited_since(&self, point: &SavePoint) -> bool {
        self.save_point() != *point
    }

    /// Whether `point` was taken of this editor (not of another plan opened since).
    pub fn owns(&self, point: &SavePoint) -> bool {
        point.editor == self.id
    }

    /// A save of `point` landed: what it wrote is the saved state. Edits made since stay
    /// unsaved; so does everything when scenarios were created, deleted, renamed or
    /// reordered meanwhile (the histories then no longer line up with the file's
    /// scenarios). Nothing changes when `point` is of another editor.
    pub fn mark_saved_at(&mut self, point: &SavePoint) {
        if !self.owns(point) || point.structure != self.structure_changes {
            return;
        }
        self.saved_structure = point.structure;
        let current = self.plan.current;
        for (i, &serial) in point.serials.iter().enumerate() {
            if i == current {
                self.saved_serial = serial;
            } else if let Some(Some(p)) = self.parked.get_mut(i) {
                p.set_saved_serial(serial);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{account, plan_of};

    /// Four accounts, two in each of two territories.
    fn two_territory_plan() -> Plan {
        let accounts = (0..4).map(|i| account(&format!("K{i}"), "Kunde", -100.0 + f64::from(i), 40.0, 100)).collect();
        plan_of(accounts, &["a", "b"], &[Some(0), Some(0), Some(1), Some(1)])
    }

    /// Moves one account (that is not already there: a move that changes nothing
    /// makes no history).
    fn reassign(ed: &mut Editor, account: u32, to: u32) {
        let accounts = AccountSet::from_indices(vec![account]);
        let done = ed.apply(Command::Reassign { accounts, to: Some(TerritoryIdx::new(to)) }).expect("applies");
        assert!(done.is_some(), "account {account} moved");
    }

    #[test]
    fn an_edit_made_while_a_save_ran_stays_unsaved() {
        let mut ed = Editor::new(two_territory_plan());
        reassign(&mut ed, 0, 1);
        let point = ed.save_point();
        // The manager goes on while the file is written.
        reassign(&mut ed, 1, 1);
        ed.mark_saved_at(&point);
        assert!(ed.is_dirty(), "the second move is not in the file");
        ed.undo();
        assert!(!ed.is_dirty(), "undone, the plan is the file's again");
        // Saved with nothing done meanwhile: clean.
        reassign(&mut ed, 1, 1);
        let point = ed.save_point();
        ed.mark_saved_at(&point);
        assert!(!ed.is_dirty());
    }

    #[test]
    fn a_save_point_of_another_editor_or_structure_marks_nothing() {
        let mut ed = Editor::new(two_territory_plan());
        let other = Editor::new(two_territory_plan()).save_point();
        reassign(&mut ed, 0, 1);
        ed.mark_saved_at(&other);
        assert!(ed.is_dirty(), "another plan's save");
        assert!(!ed.owns(&other));
        let point = ed.save_point();
        ed.new_scenario("B").expect("a new scenario");
        ed.mark_saved_at(&point);
        assert!(ed.is_dirty(), "a scenario made meanwhile is not in the file");
    }

    #[test]
    fn each_scenario_is_marked_by_its_own_history() {
        let mut ed = Editor::new(two_territory_plan());
        ed.new_scenario("B").expect("a new scenario");
        reassign(&mut ed, 0, 1);
        ed.switch_scenario(0);
        reassign(&mut ed, 1, 1);
        let point = ed.save_point();
        // Meanwhile: an edit in B (not on screen at the save).
        ed.switch_scenario(1);
        reassign(&mut ed, 1, 1);
        ed.mark_saved_at(&point);
        assert!(ed.is_dirty(), "B's edit made during the save");
        ed.undo();
        assert!(!ed.is_dirty(), "both scenarios as written");
    }

    #[test]
    fn switching_scenarios_is_no_edit_but_a_move_is_until_undone() {
        let mut ed = Editor::new(two_territory_plan());
        ed.new_scenario("B").expect("a new scenario");
        let point = ed.save_point();
        ed.switch_scenario(0);
        assert!(!ed.edited_since(&point), "switching changes nothing");
        reassign(&mut ed, 0, 1);
        assert!(ed.edited_since(&point));
        ed.undo();
        assert!(!ed.edited_since(&point), "undone, the plan is as it was");
        assert!(Editor::new(two_territory_plan()).edited_since(&point), "another editor");
    }
}
