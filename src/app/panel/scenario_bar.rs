//! The scenario bar above the map: a tab per scenario (the baseline first, starred),
//! New, and on right-click Rename, Make baseline and Delete.

use super::*;

/// Reads the document, opens dialogs (UI state) and pushes actions.
pub(in crate::app) fn scenario_bar(ui: &mut Ui, doc: &Document, state: &mut UiState, actions: &mut Vec<Action>) {
    let plan = doc.editor.plan();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Scenario").strong());
        for (i, s) in plan.scenarios.iter().enumerate() {
            let text = if i == 0 { format!("⭐ {}", s.name) } else { s.name.clone() };
            let tip = if i == 0 {
                "The baseline, what the other scenarios are compared with. Right-click to rename."
            } else {
                "Show this scenario. Right-click to rename, make it the baseline or delete it."
            };
            let r = ui.selectable_label(i == plan.current, text).on_hover_text(tip);
            if r.clicked() && i != plan.current {
                actions.push(Action::SwitchScenario(i));
            }
            r.context_menu(|ui| {
                if ui.button("Rename…").clicked() {
                    state.dialog = Some(Dialog::RenameScenario { index: i, name: s.name.clone() });
                    ui.close();
                }
                if ui.add_enabled(i != 0, egui::Button::new("Make baseline")).clicked() {
                    actions.push(Action::MakeBaseline(i));
                    ui.close();
                }
                if ui.add_enabled(plan.scenarios.len() > 1, egui::Button::new("Delete…")).clicked() {
                    state.dialog = Some(Dialog::DeleteScenario { index: i });
                    ui.close();
                }
            });
        }
        tool_button(ui, actions, Action::NewScenario, true, None);
        tool_button(ui, actions, Action::OpenCompare, plan.scenarios.len() > 1, None);
        ui.separator();
        let on = state.changes_against.is_some();
        let toggle = ui.add_enabled(plan.scenarios.len() > 1, egui::Button::selectable(on, "Changes")).on_hover_text(
            "Draw the accounts whose territory differs from the baseline in their colour here, the rest faint",
        );
        if toggle.clicked() {
            state.changes_against = if on { None } else { Some(0) };
        }
        if let Some(against) = state.changes_against {
            let name = plan.scenarios.get(against).map_or("", |s| s.name.as_str()).to_owned();
            if against == plan.current {
                ui.label(format!("Showing \"{name}\" itself: pick another scenario to see what it changes"));
            } else if let Some(set) = crate::app::map::changed_accounts(doc, state) {
                let n = set.len();
                ui.label(
                    RichText::new(format!(
                        "{} differ from \"{name}\"",
                        crate::format::count(n as i64, "account", "accounts")
                    ))
                    .strong(),
                );
            }
        }
    });
}

/// A name "Scenario N" that no scenario of `plan` has.
pub(in crate::app) fn fresh_scenario_name(plan: &Plan) -> String {
    (2..)
        .map(|n| format!("Scenario {n}"))
        .find(|name| plan.scenarios.iter().all(|s| !s.name.eq_ignore_ascii_case(name)))
        .unwrap_or_else(|| "Scenario".to_owned())
}
