//! The dialogs: rename, recolour, delete, and the other windows.

use super::*;

impl TerritoryApp {
    /// Dialogs and windows, after the panels.
    pub(in crate::app) fn windows(&mut self, ctx: &egui::Context) {
        crate::app::files::file_windows(ctx, &self.doc, &mut self.ui, &mut self.actions);
        crate::app::recover::recovery_windows(ctx, self.recovery.offer(), &mut self.ui, &mut self.actions);
        let busy = self.busy().is_some();
        optimize_ui::optimize_window(ctx, &self.doc, &mut self.ui, busy, &mut self.actions);
        if let Some(view) = &mut self.ui.compare {
            let mut open = true;
            compare_window(ctx, &self.doc, view, &mut open, &mut self.actions);
            if !open {
                self.ui.compare = None;
            }
        }
        let Some(mut dialog) = self.ui.dialog.take() else { return };
        if dialog_window(ctx, &self.doc, &mut dialog, &mut self.actions) {
            self.ui.dialog = Some(dialog);
        }
    }
}

/// One dialog: reads the document, asks for edits by pushing actions; whether it stays
/// open.
fn dialog_window(ctx: &egui::Context, doc: &Document, dialog: &mut Dialog, actions: &mut Vec<Action>) -> bool {
    let mut keep = true;
    let plan = doc.editor.plan();
    match dialog {
        Dialog::Rename { territory, name, rep } => {
            egui::Modal::new(egui::Id::unique("rename")).show(ctx, |ui| {
                ui.heading("Territory");
                egui::Grid::new("rename-grid").show(ui, |ui| {
                    let l = ui.label("Name");
                    ui.add(egui::TextEdit::singleline(name).desired_width(280.0)).labelled_by(l.id);
                    ui.end_row();
                    let l = ui.label("Rep");
                    ui.add(egui::TextEdit::singleline(rep).desired_width(280.0).hint_text("Sales rep's name"))
                        .labelled_by(l.id);
                    ui.end_row();
                });
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        let t = &plan.territories[territory.get()];
                        if name.trim() != t.name {
                            actions.push(Action::Edit(Command::RenameTerritory {
                                territory: *territory,
                                name: name.clone(),
                            }));
                        }
                        let new_rep = Some(rep.trim().to_owned()).filter(|r| !r.is_empty());
                        if new_rep != t.rep {
                            actions.push(Action::Edit(Command::SetRep { territory: *territory, rep: new_rep }));
                        }
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        keep = false;
                    }
                });
            });
        }
        Dialog::Travel { on, travel } => {
            egui::Modal::new(egui::Id::unique("travel")).show(ctx, |ui| {
                ui.heading("Travel in the workload");
                ui.label(
                    "With travel on, an account's workload is its visit time plus the round trips from its rep's \n\
                         home (or, without a home, from the territory's centre), one trip per so many visits.",
                );
                ui.checkbox(on, "Count travel");
                ui.add_enabled_ui(*on, |ui| {
                    egui::Grid::new("travel-grid").num_columns(2).show(ui, |ui| {
                        let l = ui.label("Average speed");
                        ui.add(egui::DragValue::new(&mut travel.speed_kmh).range(5.0..=200.0).suffix(" km/h"))
                            .labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label("Detour factor").on_hover_text("Road distance over the straight line");
                        ui.add(egui::DragValue::new(&mut travel.detour).range(1.0..=3.0).speed(0.01)).labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label("Visits a trip");
                        ui.add(egui::DragValue::new(&mut travel.visits_per_trip).range(1..=100)).labelled_by(l.id);
                        ui.end_row();
                    });
                });
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() {
                        let want = on.then_some(*travel);
                        if want != plan.travel {
                            actions.push(Action::Edit(Command::SetTravel { travel: want }));
                        }
                        keep = false;
                    }
                    if ui
                        .add_enabled(plan.travel.is_some(), egui::Button::new("Recentre territories"))
                        .on_hover_text("Store each territory's centre anew (where its rep has no home)")
                        .clicked()
                    {
                        actions.push(Action::Edit(Command::Recentre));
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        keep = false;
                    }
                });
            });
        }
        Dialog::RegionName { region, parent, name } => {
            egui::Modal::new(egui::Id::unique("region-name")).show(ctx, |ui| {
                ui.heading(if region.is_some() { "Rename region" } else { "New region" });
                if let Some(p) = parent {
                    ui.label(format!("Inside {}", crate::model::region_path(&plan.regions, *p)));
                }
                ui.horizontal(|ui| {
                    let l = ui.label("Name");
                    let edit = ui
                        .add(egui::TextEdit::singleline(name).desired_width(240.0).hint_text("e.g. East"))
                        .labelled_by(l.id);
                    if !edit.has_focus() && name.is_empty() {
                        edit.request_focus();
                    }
                });
                ui.horizontal(|ui| {
                    let ok = !name.trim().is_empty();
                    let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if ui.add_enabled(ok, egui::Button::new("OK")).clicked() || (ok && enter) {
                        let cmd = match region {
                            Some(r) => Command::RenameRegion { region: *r, name: name.trim().to_owned() },
                            None => Command::CreateRegion { name: name.trim().to_owned(), parent: *parent },
                        };
                        actions.push(Action::Edit(cmd));
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                        keep = false;
                    }
                });
            });
        }
        Dialog::RenameScenario { index, name } => {
            egui::Modal::new(egui::Id::unique("rename-scenario")).show(ctx, |ui| {
                ui.heading("Scenario");
                ui.horizontal(|ui| {
                    let l = ui.label("Name");
                    ui.add(egui::TextEdit::singleline(name).desired_width(280.0)).labelled_by(l.id);
                });
                ui.horizontal(|ui| {
                    if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                        actions.push(Action::RenameScenario(*index, name.trim().to_owned()));
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        keep = false;
                    }
                });
            });
        }
        Dialog::DeleteScenario { index } => {
            let name = plan.scenarios.get(*index).map_or("", |s| s.name.as_str()).to_owned();
            egui::Modal::new(egui::Id::unique("delete-scenario")).show(ctx, |ui| {
                ui.heading(format!("Delete scenario \"{name}\"?"));
                ui.label("Its territories, assignment and history are deleted; this cannot be undone.");
                ui.horizontal(|ui| {
                    if ui.button("Delete").clicked() {
                        actions.push(Action::DeleteScenario(*index));
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        keep = false;
                    }
                });
            });
        }
        Dialog::Delete { territory, to } => {
            egui::Modal::new(egui::Id::unique("delete")).show(ctx, |ui| {
                let t = &plan.territories[territory.get()];
                let n = doc.editor.metrics().territories[territory.get()].accounts;
                ui.heading(format!("Delete {}?", t.name));
                let l = ui.label(format!("Its {} accounts go to:", thousands(n as i64)));
                egui::ComboBox::from_id_salt("delete-to")
                    .selected_text(plan.territory_name(*to).to_owned())
                    .show_ui(ui, |ui| {
                        ui.selectable_value(to, None, "Unassigned");
                        for (i, o) in plan.live_territories() {
                            if i != *territory {
                                ui.selectable_value(to, Some(i), &o.name);
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.horizontal(|ui| {
                    if ui.button("Delete").clicked() {
                        actions
                            .push(Action::Edit(Command::DeleteTerritory { territory: *territory, accounts_to: *to }));
                        keep = false;
                    }
                    if ui.button("Cancel").clicked() {
                        keep = false;
                    }
                });
            });
        }
        Dialog::Shortcuts => {
            egui::Window::new("Keyboard shortcuts").open(&mut keep).show(ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    let tools: Vec<&str> = Tool::ALL.iter().map(|t| t.key().name()).collect();
                    let tool_names: Vec<&str> = Tool::ALL.iter().map(|t| t.label()).collect();
                    let mut rows: Vec<(String, String)> = vec![
                        (tools.join(" / "), format!("{} tool", tool_names.join(", "))),
                        ("Space (held)".into(), "Pan in any tool".into()),
                        ("Right or middle drag".into(), "Pan in any tool".into()),
                        ("Shift / Ctrl + select".into(), "Add to / remove from the selection".into()),
                        ("1–9, 0".into(), "Assign the selection to territory 1–10".into()),
                        ("T".into(), "Find a territory to assign to".into()),
                    ];
                    // The actions with keys, from the one table.
                    rows.extend(
                        Action::COMMANDS
                            .iter()
                            .map(|a| (a.keys(ctx), a.tooltip().to_owned()))
                            .filter(|(k, _)| !k.is_empty()),
                    );
                    for (k, what) in rows {
                        ui.monospace(k);
                        ui.label(what);
                        ui.end_row();
                    }
                });
            });
        }
        Dialog::About => {
            egui::Window::new("About Territory Editor").open(&mut keep).show(ctx, |ui| {
                    ui.label(format!("Territory Editor {}", env!("CARGO_PKG_VERSION")));
                    ui.label("Redraw sales territories on a map, offline.");
                    ui.separator();
                    ui.label("Data credits");
                    ui.label(crate::basemap::ATTRIBUTION);
                    ui.label("Place names and populations: GeoNames (geonames.org), CC BY 4.0. Modified: filtered, de-duplicated and redistributed over ZIP areas; account records are synthetic.");
                    ui.label("Online map tiles, when switched on: © OpenStreetMap contributors.");
                });
        }
    }
    if keep && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        keep = false;
    }
    keep
}
