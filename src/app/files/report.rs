//! The file windows: the import report (rejected rows, warnings, Fix, show on map),
//! column mapping, and the questions before a file is replaced or a plan closed.

use super::*;

/// What the import report asks for.
pub(super) enum ReportAction {
    /// Import again, placing swapped and sign-lost rows at their corrected positions.
    Fix,
    /// Show the account with this id on the map.
    Show(String),
}

/// The import report: counts, the Fix offer, and every rejected, checked and skipped
/// row with its line (only the rows in view are laid out: a file of bad rows can list
/// a million of them).
pub(super) fn import_report_ui(ui: &mut egui::Ui, path: &Path, report: &ImportReport) -> Option<ReportAction> {
    let mut action = None;
    let count = |n: usize, one, many| crate::format::count(n as i64, one, many);
    ui.label(format!(
        "{}: {} imported, {} rejected, {} skipped, {} to check.",
        path.display(),
        count(report.accepted, "account", "accounts"),
        count(report.rejected.len(), "row", "rows"),
        count(report.skipped.len(), "line", "lines"),
        count(report.warnings.len(), "row", "rows"),
    ));
    ui.label(format!(
        "Read as {}-delimited with a {}.",
        match report.delimiter {
            b';' => "semicolon",
            b'\t' => "tab",
            _ => "comma",
        },
        report.decimal.map_or("decimal point".to_owned(), |d| d.to_string())
    ));
    for note in &report.notes {
        ui.colored_label(ui.visuals().warn_fg_color, note);
    }
    if report.fixed > 0 {
        ui.label(format!(
            "{} placed at a corrected position (latitude and longitude swapped, or a lost minus sign): listed below.",
            count(report.fixed, "row was", "rows were")
        ));
    }
    if report.fixable > 0 {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "{} look swapped or lost a minus sign, and were not placed.",
                    count(report.fixable, "row's coordinates", "rows' coordinates")
                ),
            );
            if ui
                .button("Fix")
                .on_hover_text(
                    "Import again, placing these rows where the corrected coordinates put them, among other accounts",
                )
                .clicked()
            {
                action = Some(ReportAction::Fix);
            }
        });
    }
    ui.separator();
    let (rejected, warnings, skipped) = (&report.rejected, &report.warnings, &report.skipped);
    // Rejected first, then the rows to check, then the skipped lines; the account's id
    // where the row gives one, and whether it is on the map to be shown.
    let row = |i: usize| -> (&str, u64, &str, Option<(&str, bool)>) {
        if let Some(r) = rejected.get(i) {
            return ("rejected", r.line, &r.reason, r.id.as_deref().map(|id| (id, false)));
        }
        let i = i - rejected.len();
        if let Some(w) = warnings.get(i) {
            return ("check", w.line, &w.reason, Some((w.id.as_str(), w.at.is_some())));
        }
        let r = &skipped[i - warnings.len()];
        ("skipped", r.line, &r.reason, None)
    };
    let line_w = 70.0;
    let kind_w = 64.0;
    let show_w = 90.0;
    ui.horizontal(|ui| {
        ui.add_sized([line_w, 18.0], egui::Label::new(egui::RichText::new("Line").strong()));
        ui.add_sized([kind_w, 18.0], egui::Label::new(""));
        ui.add_sized([show_w, 18.0], egui::Label::new(egui::RichText::new("Account").strong()))
            .on_hover_text("Click an account to show it on the map");
        ui.strong("Reason");
    });
    let row_h = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y + 4.0;
    let total = rejected.len() + warnings.len() + skipped.len();
    egui::ScrollArea::vertical().max_height(320.0).show_rows(ui, row_h, total, |ui, rows| {
        for i in rows {
            let (kind, line, reason, show) = row(i);
            ui.horizontal(|ui| {
                ui.add_sized([line_w, row_h], egui::Label::new(line.to_string()));
                ui.add_sized([kind_w, row_h], egui::Label::new(kind));
                match show {
                    Some((id, false)) => {
                        ui.add_sized([show_w, row_h], egui::Label::new(id).truncate());
                    }
                    Some((id, true)) => {
                        let link = egui::Link::new(egui::RichText::new(id));
                        if ui.add_sized([show_w, row_h], link).on_hover_text(format!("Show {id} on the map")).clicked()
                        {
                            action = Some(ReportAction::Show(id.to_owned()));
                        }
                    }
                    None => {
                        ui.add_sized([show_w, row_h], egui::Label::new(""));
                    }
                }
                // One line a row (the rows are laid out by a fixed height): a long
                // reason is cut at the window's edge and shown whole on hover.
                ui.add(egui::Label::new(reason).truncate());
            });
        }
    });
    action
}

/// The typed-path prompt, the unsaved-changes question, the import report, the column
/// mapping and the update's windows: they read the document, change only UI state and
/// push actions.
pub(in crate::app) fn file_windows(
    ctx: &egui::Context,
    doc: &Document,
    state: &mut UiState,
    actions: &mut Vec<Action>,
) {
    update::update_windows(ctx, state, actions);
    path_prompt(ctx, state, actions);
    if state.confirm.is_some() {
        egui::Modal::new(egui::Id::unique("unsaved")).show(ctx, |ui| {
            ui.heading("Save changes?");
            ui.label(format!("\"{}\" has changes that are not saved.", doc.title));
            ui.horizontal(|ui| {
                for (text, answer) in [
                    ("Save", UnsavedAnswer::Save),
                    ("Don't save", UnsavedAnswer::DontSave),
                    ("Cancel", UnsavedAnswer::Cancel),
                ] {
                    if ui.button(text).clicked() {
                        actions.push(Action::Unsaved(answer));
                    }
                }
            });
        });
    }

    let mut report_action = None;
    if let Some((path, report)) = &state.import_report {
        let mut open = true;
        let center = ctx.content_rect().center();
        egui::Window::new("Import report")
            .open(&mut open)
            .default_size([640.0, 440.0])
            // Within the window, however long a reason (they are cut, above).
            .max_width((ctx.content_rect().width() - 40.0).max(320.0))
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(center)
            .show(ctx, |ui| report_action = import_report_ui(ui, path, report));
        if !open {
            state.import_report = None;
        }
    }
    match report_action {
        Some(ReportAction::Fix) => {
            if let Some((path, report)) = state.import_report.take() {
                let opts = ImportOptions { columns: report.columns, fix_coordinates: true, ..ImportOptions::default() };
                actions.push(Action::OpenWith(path, Box::new(opts)));
            }
        }
        Some(ReportAction::Show(id)) => match doc.editor.plan().accounts.iter().position(|a| a.id == id) {
            Some(i) => actions.push(Action::FocusAccount(i as u32)),
            None => state.notice = Some(Notice { text: format!("Account {id} is not in the plan"), error: false }),
        },
        None => {}
    }

    if let Some(m) = &mut state.column_mapping {
        let mut open = true;
        let mut run = None;
        egui::Window::new("Map columns").open(&mut open).show(ctx, |ui| {
            ui.label(format!("{} has no column the importer recognises for:", m.path.display()));
            egui::Grid::new("mapping").show(ui, |ui| {
                for (field, choice) in &mut m.choices {
                    let label = ui.label(field.key());
                    let text = choice.map_or("(choose a column)".to_owned(), |i| m.headers[i].clone());
                    egui::ComboBox::from_id_salt(field.key())
                        .selected_text(text)
                        .show_ui(ui, |ui| {
                            for (i, h) in m.headers.iter().enumerate() {
                                ui.selectable_value(choice, Some(i), h);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
            let ready = m.choices.iter().all(|(_, c)| c.is_some());
            if ui.add_enabled(ready, egui::Button::new("Import with this mapping")).clicked() {
                let columns = m.choices.iter().filter_map(|(f, c)| c.map(|i| (*f, m.headers[i].clone()))).collect();
                run = Some(Action::OpenWith(
                    m.path.clone(),
                    Box::new(ImportOptions { columns, ..ImportOptions::default() }),
                ));
            }
        });
        if !open || run.is_some() {
            state.column_mapping = None;
        }
        actions.extend(run);
    }
}

/// A typed path, when no system file dialog is available. Cancelling a Save As also
/// drops what was to follow the save (a close, an open).
fn path_prompt(ctx: &egui::Context, state: &mut UiState, actions: &mut Vec<Action>) {
    let Some((purpose, mut text)) = state.path_prompt.take() else { return };
    let mut keep = true;
    let mut chosen = None;
    egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
        ui.heading(match purpose {
            Purpose::Open => "Open a plan or accounts",
            Purpose::Import => "Import accounts",
            Purpose::SaveAs => "Save the plan as",
            Purpose::Export => "Export assignments to",
            Purpose::ExportChanges => "Export the change list to",
            Purpose::ExportMap => "Export the map (.png or .svg) to",
            Purpose::ExportBook => "Export the territory book (.pdf) to",
            Purpose::ExportShapes => "Export the territory shapes (.geojson) to",
            Purpose::UpdateAccounts => "Update the accounts from a new export",
        });
        ui.label("No system file dialog is available here (it needs a desktop portal or zenity). Type a path:");
        let l = ui.label("Path");
        let r = ui.add(egui::TextEdit::singleline(&mut text).desired_width(520.0)).labelled_by(l.id);
        if ui.memory(|m| m.focused().is_none()) {
            r.request_focus();
        }
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            if ui.button("OK").clicked() || enter {
                chosen = Some(PathBuf::from(text.trim()));
            }
            if ui.button("Cancel").clicked() {
                keep = false;
            }
        });
    });
    match chosen {
        Some(path) if !path.as_os_str().is_empty() => actions.push(Action::Picked(purpose, path)),
        _ if keep => state.path_prompt = Some((purpose, text)),
        _ => {
            if purpose == Purpose::SaveAs {
                state.after_save = None;
            }
        }
    }
}
