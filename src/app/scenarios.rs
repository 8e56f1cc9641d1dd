//! What the scenario actions do in the editor: switch, create, rename, delete and
//! reorder through the [`crate::edit::Editor`], each followed by a new base for the
//! recovery journal (a switch changes which history later steps belong to).

use super::*;

impl TerritoryApp {
    pub(super) fn scenario_action(&mut self, action: Action) {
        // Deleting and making a baseline move scenarios to other indices.
        let reorders = matches!(action, Action::DeleteScenario(_) | Action::MakeBaseline(_));
        let n = self.doc.editor.plan().scenarios.len();
        let cur = self.doc.editor.plan().current;
        let result = match action {
            Action::NewScenario => {
                let name = panel::fresh_scenario_name(self.doc.editor.plan());
                self.doc.editor.new_scenario(&name).map(|_| format!("New scenario \"{name}\": a copy to change"))
            }
            Action::SwitchScenario(i) => Ok(self.show_scenario(i)),
            Action::NextScenario => Ok(self.show_scenario((cur + 1) % n)),
            Action::PreviousScenario => Ok(self.show_scenario((cur + n - 1) % n)),
            Action::RenameScenario(i, name) => {
                self.doc.editor.rename_scenario(i, &name).map(|()| format!("Scenario renamed \"{name}\""))
            }
            Action::DeleteScenario(i) => {
                let name = self.doc.editor.plan().scenarios.get(i).map(|s| s.name.clone()).unwrap_or_default();
                self.discard_proposal();
                self.doc.editor.delete_scenario(i).map(|()| format!("Scenario \"{name}\" deleted"))
            }
            Action::MakeBaseline(i) => {
                self.doc.editor.make_baseline(i);
                Ok(format!("\"{}\" is the baseline", self.doc.editor.plan().scenarios[0].name))
            }
            _ => return,
        };
        match result {
            Ok(text) => self.notify(text),
            Err(e) => self.fail(e.to_string()),
        }
        if reorders {
            self.scenarios_reordered();
        }
        self.journal_rebase();
    }

    /// Scenarios were deleted, restored or reordered: the indices the comparison and
    /// the Changes mode hold may name other scenarios now, so they go back to the
    /// baseline against the scenario on screen.
    pub(super) fn scenarios_reordered(&mut self) {
        if self.ui.changes_against.is_some() {
            self.ui.changes_against = Some(0);
        }
        if self.ui.compare.is_some() {
            self.ui.compare = Some(panel::CompareView::new(self.doc.editor.plan()));
        }
    }

    /// Shows scenario `i`; a pending proposal belongs to the one left and is discarded.
    fn show_scenario(&mut self, i: usize) -> String {
        if self.pending.is_some() {
            self.discard_proposal();
        }
        self.doc.editor.switch_scenario(i);
        format!("Showing scenario \"{}\"", self.doc.editor.plan().scenario_name())
    }
}
