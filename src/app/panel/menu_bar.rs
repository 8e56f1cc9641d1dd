//! The menu bar: File, Edit, View, Help.

use super::*;

impl TerritoryApp {
    pub(in crate::app) fn menu_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.add(egui::Button::new("Open…").shortcut_text(shortcut_text(ui.ctx(), &Action::Open))).clicked() {
                    self.actions.push(Action::Open);
                }
                if ui.add(egui::Button::new("Import accounts CSV…").shortcut_text(shortcut_text(ui.ctx(), &Action::ImportCsv))).clicked() {
                    self.actions.push(Action::ImportCsv);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label("(none yet)");
                    }
                    for p in self.settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.actions.push(Action::OpenPath(p));
                        }
                    }
                });
                ui.separator();
                if ui.add(egui::Button::new("Save").shortcut_text(shortcut_text(ui.ctx(), &Action::Save))).clicked() {
                    self.actions.push(Action::Save);
                }
                if ui.add(egui::Button::new("Save as…").shortcut_text(shortcut_text(ui.ctx(), &Action::SaveAs))).clicked() {
                    self.actions.push(Action::SaveAs);
                }
                if ui.add(egui::Button::new("Export assignments CSV…").shortcut_text(shortcut_text(ui.ctx(), &Action::Export))).clicked() {
                    self.actions.push(Action::Export);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.doc.editor.undo_label().map(|l| format!("Undo {l}"));
                if ui.add_enabled(undo.is_some(), egui::Button::new(undo.unwrap_or_else(|| "Undo".into())).shortcut_text(shortcut_text(ui.ctx(), &Action::Undo))).clicked() {
                    self.actions.push(Action::Undo);
                }
                let redo = self.doc.editor.redo_label().map(|l| format!("Redo {l}"));
                if ui.add_enabled(redo.is_some(), egui::Button::new(redo.unwrap_or_else(|| "Redo".into())).shortcut_text(shortcut_text(ui.ctx(), &Action::Redo))).clicked() {
                    self.actions.push(Action::Redo);
                }
                ui.separator();
                let has_sel = !self.selection.is_empty();
                if ui.add_enabled(has_sel, egui::Button::new("Clear selection").shortcut_text("Esc")).clicked() {
                    self.actions.push(Action::ClearSelection);
                }
                let accounts = || self.selection.accounts().clone();
                if ui.add_enabled(has_sel, egui::Button::new("Lock selected accounts")).clicked() {
                    self.actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: true }));
                }
                if ui.add_enabled(has_sel, egui::Button::new("Unlock selected accounts")).clicked() {
                    self.actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: false }));
                }
                if ui.button("New territory").clicked() {
                    self.actions.push(Action::NewTerritory);
                }
                ui.separator();
                if ui.button("Balance…").on_hover_text("Bring every territory within a tolerance, moving as little as possible").clicked() {
                    self.actions.push(Action::OpenOptimize(crate::app::optimize_ui::Kind::Balance));
                }
                if ui.button("Redraw…").on_hover_text("Draw balanced, compact territories from scratch").clicked() {
                    self.actions.push(Action::OpenOptimize(crate::app::optimize_ui::Kind::Redraw));
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Zoom to plan").clicked() {
                    self.actions.push(Action::ZoomToPlan);
                }
                let mut online = self.settings.online_tiles;
                if ui
                    .checkbox(&mut online, "OpenStreetMap tiles (online)")
                    .on_hover_text("Draw OpenStreetMap's raster map under the accounts. Needs a network; tiles are cached on disk. The offline basemap is always there.")
                    .changed()
                {
                    self.set_online_tiles(online);
                }
                ui.checkbox(&mut self.settings.show_counties, "County borders when zoomed in");
                ui.checkbox(&mut self.settings.show_frame_time, "Frame time in the status bar")
                    .on_hover_text("The CPU time of the last frame's UI code, for judging speed on large plans");
                ui.separator();
                let mut dark = self.settings.dark;
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut dark, false, "☀ Light");
                    ui.selectable_value(&mut dark, true, "🌙 Dark");
                });
                if dark != self.settings.dark {
                    self.settings.dark = dark;
                    self.apply_theme(ui.ctx());
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Keyboard shortcuts").clicked() {
                    self.dialog = Some(Dialog::Shortcuts);
                }
                if ui.button("About and data credits").clicked() {
                    self.dialog = Some(Dialog::About);
                }
            });
        });
    }
}
