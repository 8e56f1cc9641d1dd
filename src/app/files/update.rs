//! File ▸ Update accounts from CSV…: the new export is read and matched on a worker
//! thread ([`crate::update`]); the updated plan becomes the document, the one before it
//! kept whole for Undo (an update changes the accounts, which no change set describes);
//! the new accounts are selected and the report shown.

use super::*;
use crate::update::{UpdateError, UpdateOptions, UpdateReport};

/// What the update window shows.
pub struct UpdateSummary {
    pub path: PathBuf,
    pub report: UpdateReport,
    pub import: ImportReport,
    /// The territory names of the plan before (for the removed accounts) and after.
    names_before: Vec<String>,
    names_after: Vec<String>,
}

impl UpdateSummary {
    fn name(names: &[String], t: Option<crate::model::TerritoryIdx>) -> &str {
        t.and_then(|t| names.get(t.get())).map_or("Unassigned", String::as_str)
    }
}

impl TerritoryApp {
    /// Reads `path` and updates the plan on screen from it, on a worker thread.
    pub(in crate::app) fn update_in_background(&mut self, ctx: &egui::Context, path: PathBuf, allow_removals: bool) {
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let job = self.start_job(format!("Updating the accounts from {}", path.display()));
        let progress = Arc::new(Progress::default());
        self.tasks.progress = Some(progress.clone());
        let opts = ImportOptions { progress: Some(progress), ..ImportOptions::default() };
        let plan = self.doc.editor.snapshot();
        let before = self.doc.editor.save_point();
        let (doc_path, title) = (self.doc.path.clone(), self.doc.title.clone());
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        crate::app::spawn_background(move || {
            let work = || -> TaskResult {
                let (fresh, import) = match csv_import::import_file(&path, &opts) {
                    Ok(r) => r,
                    Err(error) => return TaskResult::ImportFailed { job, path: path.clone(), error },
                };
                if import.accepted == 0 {
                    let why = import.rejected.first().map_or_else(
                        || "the file has a header but no rows".to_owned(),
                        |r| format!("line {}: {}", r.line, r.reason),
                    );
                    return TaskResult::Failed {
                        job,
                        message: format!("{}: no account could be read ({why}); the plan is unchanged", path.display()),
                    };
                }
                let update_opts = UpdateOptions { allow_removals, ..UpdateOptions::default() };
                let names_before = plan.territories.iter().map(|t| t.name.clone()).collect();
                match crate::update::update(&plan, fresh, &import.rejected, &update_opts) {
                    Ok((updated, report)) => {
                        let names_after = updated.territories.iter().map(|t| t.name.clone()).collect();
                        let new_ids: ahash::AHashSet<&str> = report.new.iter().map(|a| a.id.as_str()).collect();
                        let doc = Document::new(updated, doc_path, title);
                        let new_accounts = doc
                            .editor
                            .plan()
                            .accounts
                            .ids()
                            .enumerate()
                            .filter(|(_, id)| new_ids.contains(id))
                            .map(|(i, _)| i as u32)
                            .collect();
                        drop(new_ids);
                        let summary = UpdateSummary { path: path.clone(), report, import, names_before, names_after };
                        TaskResult::Updated {
                            job,
                            doc: Box::new(doc),
                            summary: Box::new(summary),
                            new_accounts,
                            before,
                            allow_removals,
                        }
                    }
                    Err(UpdateError::TooManyRemovals { removed, total, share, .. }) => {
                        let message = format!(
                            "The export lacks {} of the {} accounts ({share:.0} %). Updating removes them from \
                             every scenario.",
                            crate::format::thousands(removed as i64),
                            crate::format::thousands(total as i64),
                        );
                        TaskResult::UpdateNeedsConsent { job, path: path.clone(), message }
                    }
                    Err(e) => TaskResult::Failed { job, message: format!("{}: {e}", path.display()) },
                }
            };
            let result = crate::catch_panic(work)
                .unwrap_or_else(|e| TaskResult::Failed { job, message: format!("{}: {e}", path.display()) });
            let _ = tx.send(result);
            ctx.request_repaint();
        });
    }

    /// The updated document takes the screen; the one before waits for Undo.
    pub(in crate::app) fn updated(&mut self, mut doc: Document, summary: UpdateSummary, new_accounts: Vec<u32>) {
        self.discard_proposal();
        doc.origin = self.doc.origin.clone();
        doc.disk = self.doc.disk;
        doc.editor.mark_unsaved();
        let before = std::mem::replace(&mut self.doc, doc);
        self.doc.before = Some(before.set_aside());
        self.screen_changed();
        let r = &summary.report;
        self.notify(format!(
            "Updated from {}: {} new{}, {} removed, {} changed, {} moved, {} kept as they were",
            summary.path.display(),
            crate::format::thousands(r.new.len() as i64),
            if r.new.is_empty() { "" } else { " (selected)" },
            crate::format::thousands(r.removed.len() as i64),
            crate::format::thousands(r.changed as i64),
            crate::format::thousands(r.moved.len() as i64),
            crate::format::thousands(r.held.len() as i64),
        ));
        if !new_accounts.is_empty() {
            let set = crate::model::AccountSet::from_indices(new_accounts);
            self.actions.push(Action::Select(set, crate::app::selection::Combine::Replace));
        }
        self.ui.update_report = Some(summary);
    }

    /// Undo (`back`) or Redo of an update: the document from before it, or the updated
    /// one, takes the screen, and the other waits on the opposite side.
    pub(in crate::app) fn swap_update(&mut self, back: bool) {
        let waiting = if back { self.doc.before.take() } else { self.doc.after.take() };
        let Some(other) = waiting else { return };
        self.discard_proposal();
        let left = std::mem::replace(&mut self.doc, *other).set_aside();
        if back {
            self.doc.after = Some(left);
        } else {
            self.doc.before = Some(left);
        }
        self.doc.editor.mark_unsaved();
        self.screen_changed();
        let verb = if back { "Undone" } else { "Redone" };
        self.notify(format!("{verb}: {}", super::super::document::UPDATE_LABEL));
    }

    /// After the document on screen was exchanged for another of the same file: what
    /// was selected or previewed goes, and the journal takes the plan as it is.
    fn screen_changed(&mut self) {
        self.clear_view_state();
        self.journal_rebase();
    }
}

/// The update's report and the question before many accounts are removed.
pub(super) fn update_windows(ctx: &egui::Context, state: &mut UiState, actions: &mut Vec<Action>) {
    let center = ctx.content_rect().center();
    let mut go_on = None;
    if let Some((path, message)) = &state.update_consent {
        let mut answer = None;
        egui::Window::new("Remove accounts?")
            .collapsible(false)
            .resizable(false)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(center)
            .show(ctx, |ui| {
                ui.label(format!("{}:", path.display()));
                ui.label(message.as_str());
                ui.label(
                    "Partial exports are common: is this one complete? Update anyway? (Undo brings the accounts back.)",
                );
                ui.horizontal(|ui| {
                    if ui.button("Remove them and update").clicked() {
                        answer = Some(true);
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(false);
                    }
                });
            });
        match answer {
            Some(true) => go_on = Some(path.clone()),
            Some(false) => state.update_consent = None,
            None => {}
        }
    }
    if let Some(path) = go_on {
        state.update_consent = None;
        actions.push(Action::UpdateAccountsFrom(path, true));
    }

    let Some(summary) = &state.update_report else { return };
    let mut open = true;
    egui::Window::new("Accounts updated")
        .open(&mut open)
        .default_size([620.0, 480.0])
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(center)
        .show(ctx, |ui| update_report_ui(ui, summary));
    if !open {
        state.update_report = None;
    }
}

/// The counts, each territory's workload before and after, and the listed accounts.
fn update_report_ui(ui: &mut egui::Ui, s: &UpdateSummary) {
    use crate::format::thousands;
    let r = &s.report;
    let n = |x: usize| thousands(x as i64);
    ui.label(format!("From {}:", s.path.display()));
    ui.label(
        egui::RichText::new(format!(
            "{} new · {} removed · {} changed · {} moved over {} km · {} unchanged",
            n(r.new.len()),
            n(r.removed.len()),
            n(r.changed),
            n(r.moved.len()),
            crate::update::MOVED_KM,
            n(r.kept)
        ))
        .strong(),
    );
    if !r.held.is_empty() {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            format!(
                "{} rows of the export were rejected: their accounts are kept as they were (listed below).",
                n(r.held.len())
            ),
        );
    }
    if !s.import.rejected.is_empty() {
        ui.label(format!("{} rows rejected in all (File ▸ Import shows why, row by row).", n(s.import.rejected.len())));
    }
    ui.label("New accounts joined the territory of their nearest neighbour within 50 km (else Unassigned); they are selected on the map.");
    ui.separator();
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        egui::CollapsingHeader::new("Workload by territory (hours)").default_open(true).show(ui, |ui| {
            egui::Grid::new("update-territories").striped(true).show(ui, |ui| {
                for h in ["Territory", "Accounts before", "after", "Workload before", "after"] {
                    ui.strong(h);
                }
                ui.end_row();
                for t in &r.territories {
                    ui.label(UpdateSummary::name(&s.names_after, Some(t.territory)));
                    let right = |ui: &mut egui::Ui, text: String| {
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.label(text));
                    };
                    right(ui, thousands(t.accounts_before as i64));
                    right(ui, thousands(t.accounts_after as i64));
                    right(ui, thousands(t.workload_before.hours().round() as i64));
                    right(ui, thousands(t.workload_after.hours().round() as i64));
                    ui.end_row();
                }
            });
        });
        const SHOWN: usize = 200;
        let list = |ui: &mut egui::Ui, title: String, rows: Vec<String>| {
            if rows.is_empty() {
                return;
            }
            egui::CollapsingHeader::new(title).show(ui, |ui| {
                for row in rows.iter().take(SHOWN) {
                    ui.label(row);
                }
                if rows.len() > SHOWN {
                    ui.label(format!("… and {} more (the command line's update --json lists all)", rows.len() - SHOWN));
                }
            });
        };
        list(
            ui,
            format!("New ({})", n(r.new.len())),
            r.new
                .iter()
                .map(|a| format!("{} ({}) → {}", a.name, a.id, UpdateSummary::name(&s.names_after, a.territory)))
                .collect(),
        );
        list(
            ui,
            format!("Removed ({})", n(r.removed.len())),
            r.removed
                .iter()
                .map(|a| {
                    let t = UpdateSummary::name(&s.names_before, a.territory);
                    format!("{} ({}) from {t}, potential {}", a.name, a.id, thousands(a.potential.0 / 100))
                })
                .collect(),
        );
        list(
            ui,
            format!("Moved more than {} km ({})", crate::update::MOVED_KM, n(r.moved.len())),
            r.moved.iter().map(|m| format!("{} ({}): {:.0} km", m.name, m.id, m.km)).collect(),
        );
        list(
            ui,
            format!("Kept as they were ({})", n(r.held.len())),
            r.held.iter().map(|h| format!("{} (line {}: {})", h.id, h.line, h.reason)).collect(),
        );
    });
}
