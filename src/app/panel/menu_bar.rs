//! The menu bar: File, Edit, View, Help.

use super::*;

/// The menu bar: reads the document, changes what is on screen and the display
/// settings, and pushes what the user asked for onto `actions`.
pub(in crate::app) fn menu_bar(
    ui: &mut Ui,
    doc: &Document,
    state: &mut UiState,
    settings: &mut Settings,
    actions: &mut Vec<Action>,
) {
    {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                menu_entry(ui, actions, Action::Open, true, None);
                menu_entry(ui, actions, Action::ImportCsv, true, None);
                let has_accounts = !doc.editor.plan().accounts.is_empty();
                menu_entry(ui, actions, Action::UpdateAccounts, has_accounts, None);
                ui.menu_button("Open recent", |ui| {
                    if settings.recent.is_empty() {
                        ui.label("(none yet)");
                    }
                    for p in settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            actions.push(Action::OpenPath(p));
                        }
                    }
                });
                ui.separator();
                for action in [Action::Save, Action::SaveAs, Action::Export] {
                    menu_entry(ui, actions, action, true, None);
                }
                let scenarios = doc.editor.plan().scenarios.len() > 1;
                menu_entry(ui, actions, Action::ExportChanges, scenarios, None);
                for action in [Action::ExportMap, Action::ExportBook, Action::ExportShapes] {
                    menu_entry(ui, actions, action, has_accounts, None);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = doc.undo_label().map(|l| format!("Undo {l}"));
                menu_entry(ui, actions, Action::Undo, undo.is_some(), undo);
                let redo = doc.redo_label().map(|l| format!("Redo {l}"));
                menu_entry(ui, actions, Action::Redo, redo.is_some(), redo);
                ui.separator();
                let has_sel = !state.selection.is_empty();
                menu_entry(ui, actions, Action::ClearSelection, has_sel, None);
                let accounts = || state.selection.accounts().clone();
                if ui.add_enabled(has_sel, egui::Button::new("Lock selected accounts")).clicked() {
                    actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: true }));
                }
                if ui.add_enabled(has_sel, egui::Button::new("Unlock selected accounts")).clicked() {
                    actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: false }));
                }
                menu_entry(ui, actions, Action::NewTerritory, true, None);
                ui.separator();
                for kind in [optimize_ui::Kind::Balance, optimize_ui::Kind::Redraw] {
                    menu_entry(ui, actions, Action::OpenOptimize(kind), true, None);
                }
                ui.separator();
                if ui
                    .button("Travel in the workload…")
                    .on_hover_text("Count each account's round trips from its rep's home (or its territory's centre) in the workload")
                    .clicked()
                {
                    let now = doc.editor.plan().travel;
                    state.dialog = Some(Dialog::Travel { on: now.is_some(), travel: now.unwrap_or_default() });
                    ui.close();
                }
                ui.separator();
                menu_entry(ui, actions, Action::NewScenario, true, None);
                menu_entry(ui, actions, Action::OpenCompare, doc.editor.plan().scenarios.len() > 1, None);
            });
            ui.menu_button("View", |ui| {
                menu_entry(ui, actions, Action::ZoomToPlan, true, None);
                menu_entry(ui, actions, Action::ToggleFullscreen, true, None);
                menu_entry(ui, actions, Action::TogglePanel, true, None);
                let mut online = settings.online_tiles;
                if ui
                    .checkbox(&mut online, "OpenStreetMap tiles (online)")
                    .on_hover_text("Draw OpenStreetMap's raster map under the accounts. Needs a network; tiles are cached on disk. The offline basemap is always there.")
                    .changed()
                {
                    actions.push(Action::SetOnlineTiles(online));
                }
                let mut changes = state.changes_against.is_some();
                let scenarios = doc.editor.plan().scenarios.len() > 1;
                if ui
                    .add_enabled(scenarios, egui::Checkbox::new(&mut changes, "Changes against the baseline"))
                    .on_hover_text("Draw the accounts whose territory differs from the baseline in their colour here, the rest faint")
                    .changed()
                {
                    state.changes_against = changes.then_some(0);
                }
                let regions = doc.editor.plan().regions.iter().any(|r| r.alive);
                ui.add_enabled(regions, egui::Checkbox::new(&mut state.color_by_region, "Colour by region"))
                    .on_hover_text("Draw each account in its territory's region's colour, with the regions' names on the map");
                ui.menu_button("Territory areas", |ui| {
                    use crate::app::map::{AUTO_AREAS_ABOVE, AreasSetting};
                    let auto = format!("Automatic (over {} accounts in view)", crate::format::thousands(AUTO_AREAS_ABOVE as i64));
                    ui.radio_value(&mut settings.areas, AreasSetting::Auto, auto)
                        .on_hover_text("Fill each territory's area when the dots get too many to show its borders");
                    ui.radio_value(&mut settings.areas, AreasSetting::Always, "Always");
                    ui.radio_value(&mut settings.areas, AreasSetting::Never, "Never (dots only)");
                })
                .response
                .on_hover_text("Each territory as an area: every place goes to its nearest account's territory, cut to the land and to 50 km around the accounts");
                ui.checkbox(&mut settings.show_counties, "County borders when zoomed in");
                ui.checkbox(&mut settings.show_frame_time, "Frame time in the status bar")
                    .on_hover_text("The CPU time of the last frame's UI code, for judging speed on large plans");
                ui.separator();
                let mut dark = settings.dark;
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut dark, false, "☀ Light");
                    ui.selectable_value(&mut dark, true, "🌙 Dark");
                });
                if dark != settings.dark {
                    settings.dark = dark;
                    ui.ctx().set_theme(if dark { egui::Theme::Dark } else { egui::Theme::Light });
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Keyboard shortcuts").clicked() {
                    state.dialog = Some(Dialog::Shortcuts);
                }
                if ui.button("About and data credits").clicked() {
                    state.dialog = Some(Dialog::About);
                }
            });
        });
    }
}
