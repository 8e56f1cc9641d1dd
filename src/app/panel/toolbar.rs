//! The toolbar: tools, assign, find account, Balance and Redraw.

use super::*;

/// The account search field's width, points.
const SEARCH_WIDTH: f32 = 240.0;

/// The toolbar, as every view should be: it reads the document, changes only what is
/// on screen (`state`), and pushes what the user asked for onto `actions`.
pub(in crate::app) fn toolbar(ui: &mut Ui, doc: &Document, state: &mut UiState, actions: &mut Vec<Action>) {
    {
        // Wrapped: in a narrow window the search field goes to a second line rather
        // than past the window's edge.
        ui.horizontal_wrapped(|ui| {
            for tool in Tool::ALL {
                let text = format!("{}  ({})", tool.label(), tool.key().name());
                if ui.selectable_label(state.tool == tool, text).on_hover_text(tool.tooltip()).clicked() {
                    state.tool = tool;
                }
            }
            if state.tool == Tool::Area {
                ui.separator();
                ui.selectable_value(&mut state.area_counties, false, "States");
                ui.selectable_value(&mut state.area_counties, true, "Counties");
            }
            ui.separator();
            let undo = doc.undo_label();
            let tip = undo.map_or("Nothing to undo".to_owned(), |l| format!("Undo: {l}"));
            tool_button(ui, actions, Action::Undo, undo.is_some(), Some(tip));
            let redo = doc.redo_label();
            let tip = redo.map_or("Nothing to redo".to_owned(), |l| format!("Redo: {l}"));
            tool_button(ui, actions, Action::Redo, redo.is_some(), Some(tip));
            ui.separator();
            for kind in [optimize_ui::Kind::Balance, optimize_ui::Kind::Redraw] {
                tool_button(ui, actions, Action::OpenOptimize(kind), true, None);
            }
            ui.separator();
            // The magnifier and its field go to a line of their own together when the
            // window is too narrow for them here.
            if ui.available_size_before_wrap().x < SEARCH_WIDTH + 40.0 {
                ui.end_row();
            }
            let search = ui
                .horizontal(|ui| {
                    let find_label = ui.label("🔎");
                    ui.add(
                        egui::TextEdit::singleline(&mut state.search)
                            .hint_text("Find account: name, city or ZIP")
                            .desired_width(SEARCH_WIDTH),
                    )
                    .labelled_by(find_label.id)
                    .on_hover_text("Find account: name, city or ZIP; Enter jumps to the first")
                })
                .inner;
            let query = state.search.trim().to_lowercase();
            if query.len() >= 2 {
                // The scan is O(N): run it when the query or the plan changes, not every frame.
                let key = (query.clone(), doc.editor.revision());
                if state.search_hits.as_ref().is_none_or(|(k, _)| *k != key) {
                    let hits = doc.editor.plan().accounts.search(&query, 12);
                    state.search_hits = Some((key, hits));
                }
                let hits: Vec<u32> = state.search_hits.as_ref().map(|(_, h)| h.clone()).unwrap_or_default();
                let plan = doc.editor.plan();
                if search.lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && let Some(&first) = hits.first()
                {
                    actions.push(Action::FocusAccount(first));
                }
                if search.has_focus() || search.lost_focus() {
                    let popup_id = ui.make_persistent_id("search-hits");
                    egui::Popup::from_response(&search).id(popup_id).open(true).show(|ui| {
                        if hits.is_empty() {
                            ui.label("No account matches");
                        }
                        for &i in &hits {
                            let a = plan.accounts.get(i as usize);
                            let text = format!(
                                "{} — {} {} {}",
                                a.name,
                                a.city.unwrap_or(""),
                                a.state.unwrap_or(""),
                                a.zip.unwrap_or("")
                            );
                            if ui.button(text).clicked() {
                                actions.push(Action::FocusAccount(i));
                                state.search.clear();
                            }
                        }
                    });
                }
            }
        });
    }
}
