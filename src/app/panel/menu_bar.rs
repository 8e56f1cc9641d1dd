//! The menu bar: File, Edit, View, Help.

use super::*;

impl TerritoryApp {
    pub(in crate::app) fn menu_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                menu_entry(ui, &mut self.actions, Action::Open, true, None);
                menu_entry(ui, &mut self.actions, Action::ImportCsv, true, None);
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
                for action in [Action::Save, Action::SaveAs, Action::Export] {
                    menu_entry(ui, &mut self.actions, action, true, None);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.doc.editor.undo_label().map(|l| format!("Undo {l}"));
                menu_entry(ui, &mut self.actions, Action::Undo, undo.is_some(), undo);
                let redo = self.doc.editor.redo_label().map(|l| format!("Redo {l}"));
                menu_entry(ui, &mut self.actions, Action::Redo, redo.is_some(), redo);
                ui.separator();
                let has_sel = !self.selection.is_empty();
                menu_entry(ui, &mut self.actions, Action::ClearSelection, has_sel, None);
                let accounts = || self.selection.accounts().clone();
                if ui.add_enabled(has_sel, egui::Button::new("Lock selected accounts")).clicked() {
                    self.actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: true }));
                }
                if ui.add_enabled(has_sel, egui::Button::new("Unlock selected accounts")).clicked() {
                    self.actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: false }));
                }
                menu_entry(ui, &mut self.actions, Action::NewTerritory, true, None);
                ui.separator();
                for kind in [optimize_ui::Kind::Balance, optimize_ui::Kind::Redraw] {
                    menu_entry(ui, &mut self.actions, Action::OpenOptimize(kind), true, None);
                }
            });
            ui.menu_button("View", |ui| {
                menu_entry(ui, &mut self.actions, Action::ZoomToPlan, true, None);
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
