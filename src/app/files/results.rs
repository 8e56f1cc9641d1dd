//! What the editor does with each worker's answer: a proposal, a picked path, a
//! loaded or updated document, a save that landed, or a failure. Answers of a job that
//! is no longer the running one (it was cancelled) are dropped.

use super::{ColumnMapping, Purpose, SaveKind, TaskResult};
use crate::app::{Action, TerritoryApp};
use crate::io::csv_import::ImportError;

impl TerritoryApp {
    pub(in crate::app) fn poll_tasks(&mut self, ctx: &egui::Context) {
        while let Ok(result) = self.tasks.rx.try_recv() {
            let current = |job: u64, running: &Option<(u64, String)>| running.as_ref().is_some_and(|(j, _)| *j == job);
            match result {
                TaskResult::Optimized { job, result } => {
                    if !current(job, &self.tasks.running) {
                        continue;
                    }
                    self.tasks.running = None;
                    self.tasks.progress = None;
                    match *result {
                        Ok(p) => self.proposal_ready(p),
                        Err(e) => self.fail(format!("No proposal: {e}")),
                    }
                }
                TaskResult::Picked { purpose, path, unavailable } => {
                    self.tasks.dialog_open = false;
                    if unavailable {
                        let dir = std::env::current_dir().unwrap_or_default();
                        let suggestion = match purpose.suggested_name(&self.doc_stem()) {
                            Some(name) => dir.join(name).display().to_string(),
                            None => format!("{}/", dir.display()),
                        };
                        self.ui.path_prompt = Some((purpose, suggestion));
                        continue;
                    }
                    let Some(path) = path else {
                        // A cancelled Save As: what was to follow it does not.
                        if purpose == Purpose::SaveAs {
                            self.ui.after_save = None;
                        }
                        continue;
                    };
                    self.picked(ctx, purpose, path);
                }
                TaskResult::Loaded { job, doc, report, path, before, opts } => {
                    if !current(job, &self.tasks.running) {
                        continue;
                    }
                    self.tasks.running = None;
                    // The plan on screen was edited while the file was read: those
                    // edits are not dropped without asking (a crashed session being
                    // restored was asked about already).
                    if self.doc.editor.edited_since(&before) && !self.recovery.restoring() {
                        drop(doc);
                        self.actions.push(Action::OpenWith(path, opts));
                        continue;
                    }
                    self.settings.remember(&path);
                    self.set_document(*doc);
                    self.ui.confirm = None;
                    match report {
                        Some(r) => {
                            let msg = format!(
                                "Imported {} from {}; {} rejected, {} skipped, {} to check{}",
                                crate::format::count(r.accepted as i64, "account", "accounts"),
                                path.display(),
                                crate::format::thousands(r.rejected.len() as i64),
                                crate::format::thousands(r.skipped.len() as i64),
                                crate::format::thousands(r.warnings.len() as i64),
                                if r.fixed > 0 { format!(" ({} positions corrected)", r.fixed) } else { String::new() }
                            );
                            if !r.rejected.is_empty()
                                || !r.skipped.is_empty()
                                || !r.warnings.is_empty()
                                || !r.notes.is_empty()
                            {
                                self.ui.import_report = Some((path.clone(), r));
                            }
                            self.notify(msg);
                        }
                        None => self.notify(format!("Opened {}", path.display())),
                    }
                    // A journal being restored is replayed now (its message last).
                    self.restore_loaded();
                }
                TaskResult::ImportFailed { job, path, error } => {
                    if !current(job, &self.tasks.running) {
                        continue;
                    }
                    self.tasks.running = None;
                    self.opening_failed();
                    if let ImportError::MissingColumns { missing, headers, .. } = &error {
                        self.ui.column_mapping = Some(ColumnMapping {
                            path: path.clone(),
                            headers: headers.clone(),
                            choices: missing.iter().map(|f| (*f, None)).collect(),
                        });
                    }
                    self.fail(error.to_string());
                    self.restore_failed(&error.to_string());
                }
                TaskResult::Failed { job, message } => {
                    if self.write_landed(job) {
                        // A save or export that failed says so, whatever ran since; a
                        // failed save keeps the plan dirty, and nothing follows it.
                        self.ui.after_save = None;
                        self.fail(message);
                    } else if current(job, &self.tasks.running) {
                        self.tasks.running = None;
                        // A save that failed keeps the plan open: nothing follows it.
                        self.ui.after_save = None;
                        self.opening_failed();
                        self.fail(message.clone());
                        self.restore_failed(&message);
                    }
                }
                TaskResult::WriteCancelled { job } => {
                    if let Some(what) = self.tasks.writing.iter().find(|w| w.job == job).map(|w| w.what.clone()) {
                        self.write_landed(job);
                        // What was to follow a save does not follow a cancelled one.
                        self.ui.after_save = None;
                        self.notify(format!("Cancelled: {what}"));
                    }
                }
                TaskResult::Updated { job, doc, summary, new_accounts, before, allow_removals } => {
                    if !current(job, &self.tasks.running) {
                        continue;
                    }
                    self.tasks.running = None;
                    if !self.doc.editor.edited_since(&before) {
                        self.updated(*doc, *summary, new_accounts);
                    } else {
                        // The plan was edited while the export was read: the update,
                        // made of the plan before, would drop those edits. Again, of
                        // the plan as it is now.
                        self.notify("The plan changed while the accounts were updated: updating again");
                        drop(doc);
                        self.update_in_background(ctx, summary.path.clone(), allow_removals);
                    }
                }
                TaskResult::UpdateNeedsConsent { job, path, message } => {
                    if current(job, &self.tasks.running) {
                        self.tasks.running = None;
                        self.ui.update_consent = Some((path, message));
                    }
                }
                TaskResult::Saved { job, path, hash, what, point } => {
                    self.write_landed(job);
                    let exported = match what {
                        SaveKind::Plan => None,
                        SaveKind::Assignments => Some("assignments"),
                        SaveKind::Changes => Some("the change list"),
                        SaveKind::Map => Some("the map"),
                        SaveKind::Book => Some("the territory book"),
                        SaveKind::Shapes => Some("the territory shapes"),
                    };
                    if let Some(what) = exported {
                        self.notify(format!("Exported {what} to {}", path.display()));
                        continue;
                    }
                    self.settings.remember(&path);
                    self.notify(format!("Saved {}", path.display()));
                    // The plan saved is the one on screen (not another opened since):
                    // it is now that file, saved as it was when the save began.
                    match point {
                        Some(point) if self.doc.editor.owns(&point) => {
                            self.doc.editor.mark_saved_at(&point);
                            self.journal_saved(&path, hash);
                            self.doc.title = path
                                .file_name()
                                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                            self.doc.path = Some(path.clone());
                            if let Some(after) = self.ui.after_save.take() {
                                self.go_on(ctx, after);
                            }
                        }
                        // Another plan is open now: what was to follow the save does not.
                        _ => self.ui.after_save = None,
                    }
                }
            }
        }
        self.close_when_written(ctx);
    }
}
