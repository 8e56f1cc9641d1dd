//! The balance panel: the headline figures, the selection and Assign, and below them
//! the table of territories (`territory_table.rs`).

use super::*;

impl TerritoryApp {
    /// The balance panel: plan balance, selection and assignment, territories table.
    pub(in crate::app) fn balance_panel(&mut self, ui: &mut Ui) {
        headline(ui, &self.doc);
        ui.separator();
        // A Balance or Redraw proposal takes the panel's place until it is applied or
        // discarded, so that the map beside it shows what moves.
        if let Some(p) = &self.pending {
            optimize_ui::proposal_ui(ui, &self.doc, p, &mut self.actions);
            return;
        }
        territories(ui, &self.doc, &mut self.ui, &mut self.actions);
    }
}

/// The plan's name, size and balance.
fn headline(ui: &mut Ui, doc: &Document) {
    let plan = doc.editor.plan();
    let m = doc.editor.metrics();
    let balance = doc.editor.balance();
    ui.add_space(6.0);
    ui.heading(&doc.title);
    ui.label(format!(
        "{} in {}{}",
        crate::format::count(plan.accounts.len() as i64, "account", "accounts"),
        crate::format::count(plan.live_territories().count() as i64, "territory", "territories"),
        if m.unassigned.accounts > 0 {
            format!(", {} unassigned", thousands(m.unassigned.accounts as i64))
        } else {
            String::new()
        }
    ));
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!("Workload balance: max ±{:.1}%", balance.workload.max_abs_deviation * 100.0))
                .color(deviation_color(balance.workload.max_abs_deviation))
                .strong(),
        )
        .on_hover_text(
            "The largest deviation of a territory's workload from its target: the mean, or with capacities \
                 its share (total × its capacity / the sum of capacities).",
        );
        ui.label(format!("CV {:.3}", balance.workload.cv)).on_hover_text(
            "Coefficient of variation: the root mean square of the territories' deviations from their targets \
                 (standard deviation / mean when every capacity is 1).",
        );
        ui.separator();
        ui.label(format!(
            "Potential: max ±{:.1}%  CV {:.3}",
            balance.potential.max_abs_deviation * 100.0,
            balance.potential.cv
        ));
    });
}

/// The selection and Assign, the table of territories, and what sits under it: reads
/// the document, changes only the UI state, and asks for edits by pushing actions.
fn territories(ui: &mut Ui, doc: &Document, state: &mut UiState, actions: &mut Vec<Action>) {
    let plan = doc.editor.plan();
    ui.label(RichText::new(selection_summary(&state.selection)).strong());
    let has_sel = !state.selection.is_empty();
    ui.horizontal(|ui| {
            let live: Vec<(TerritoryIdx, String, Rgb, bool)> =
                plan.live_territories().map(|(i, t)| (i, t.name.clone(), t.color, t.locked)).collect();
            ui.add_enabled_ui(has_sel, |ui| {
                ui.menu_button("Assign to ⏵", |ui| {
                    for (n, (i, name, c, locked)) in live.iter().enumerate() {
                        let key = if n < 10 { format!("{}", (n + 1) % 10) } else { String::new() };
                        let r = ui.add_enabled(!locked, egui::Button::new(RichText::new(format!("■ {name}")).color(rgb(*c, ui))).shortcut_text(key));
                        if r.hovered() {
                            state.preview = Some(Some(*i));
                        }
                        if r.clicked() {
                            actions.push(Action::AssignSelection(Some(*i)));
                        }
                    }
                    ui.separator();
                    let r = ui.button("Unassigned");
                    if r.hovered() {
                        state.preview = Some(None);
                    }
                    if r.clicked() {
                        actions.push(Action::AssignSelection(None));
                    }
                })
                .response
                .on_hover_text("Give the selected accounts to a territory. Keys 1–9 and 0 assign to the territory of that number; T finds one by name.");
                let find = ui
                    .add(egui::TextEdit::singleline(&mut state.assign_find).hint_text("…or type a territory (T)").desired_width(170.0))
                    .on_hover_text("Type a territory's name, then Enter, to assign the selection to it (T)");
                if state.focus_find {
                    find.request_focus();
                    state.focus_find = false;
                }
                let q = state.assign_find.trim().to_lowercase();
                if !q.is_empty() {
                    let starts = |n: &String| n.to_lowercase().starts_with(&q);
                    let contains = |n: &String| n.to_lowercase().contains(&q);
                    let hit = live
                        .iter()
                        .find(|(_, n, _, _)| starts(n))
                        .or_else(|| live.iter().find(|(_, n, _, _)| contains(n)));
                    match hit {
                        Some((i, name, c, _)) => {
                            state.preview = Some(Some(*i));
                            ui.label(RichText::new(format!("⎆ {name}")).color(rgb(*c, ui)));
                            if find.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                                actions.push(Action::AssignSelection(Some(*i)));
                                state.assign_find.clear();
                            }
                        }
                        None => {
                            ui.label("no match");
                        }
                    }
                }
                if ui.button("Clear").on_hover_text("Clear the selection (Esc)").clicked() {
                    actions.push(Action::ClearSelection);
                }
            });
        });
    ui.separator();
    territory_table::territory_table(ui, doc, state, actions);
    // Wrapped, so that the hint never makes the panel wider than the window gives it.
    ui.horizontal_wrapped(|ui| {
        if ui.button("➕ New territory").clicked() {
            actions.push(Action::NewTerritory);
        }
        if ui
            .button("➕ New region")
            .on_hover_text("Group territories into regions (and regions into regions) to see their roll-ups")
            .clicked()
        {
            state.dialog = Some(Dialog::RegionName { region: None, parent: None, name: String::new() });
        }
        ui.label(RichText::new("Right-click a row to rename, recolour, set capacity or region.").weak());
    });
    shared_positions(ui, doc);
}

/// Positions where accounts of several territories stand, which the territory areas
/// give to one of them: said, and listed on hover, never hidden.
fn shared_positions(ui: &mut egui::Ui, doc: &Document) {
    let areas = &doc.areas;
    let shared = &areas.shapes().shared;
    if shared.is_empty() || !areas.current(&doc.editor) {
        return;
    }
    let plan = doc.editor.plan();
    let text = format!(
        "⚠ {} {} accounts of more than one territory; each is drawn in the territory with most accounts there.",
        crate::format::count(shared.len() as i64, "position", "positions"),
        if shared.len() == 1 { "holds" } else { "hold" }
    );
    ui.label(RichText::new(text).weak()).on_hover_ui(|ui| {
        for s in shared.iter().take(20) {
            let names: Vec<&str> = s.territories.iter().map(|t| plan.territories[t.get()].name.as_str()).collect();
            let first = plan.accounts.get(s.accounts[0] as usize);
            ui.label(format!(
                "{:.5}, {:.5}: {} accounts ({}{}) in {}",
                s.position[1],
                s.position[0],
                s.accounts.len(),
                first.name,
                if s.accounts.len() > 1 { ", …" } else { "" },
                names.join(", ")
            ));
        }
        if shared.len() > 20 {
            ui.label(format!("… and {} more (territory-editor shapes lists all)", shared.len() - 20));
        }
    });
}
