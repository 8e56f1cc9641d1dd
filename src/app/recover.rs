//! Autosave and recovery in the editor ([`crate::recovery`] does the work): every
//! edit, undo and redo goes to the journal; a save or a clean exit removes it; at
//! start, a journal left by a crash is offered: Restore reopens its base and replays
//! it, Discard deletes it. A save over a file that changed on disk since it was
//! opened asks first.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Action, Document, TerritoryApp, UiState};
use crate::grid::Grid;
use crate::io::csv_import::{Field, ImportOptions};
use crate::io::number::DecimalFormat;
use crate::model::Plan;
use crate::recovery::{self, Base, Found, Header, Journal, Origin, Step};

/// A file's size and modification time, as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiskStamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl DiskStamp {
    pub fn of(path: &Path) -> Option<DiskStamp> {
        let m = std::fs::metadata(path).ok()?;
        Some(DiskStamp { len: m.len(), modified: m.modified().ok() })
    }
}

/// The directory of the recovery journals: `TERRITORY_EDITOR_DATA_DIR`, or the
/// platform's data directory for the app (where eframe keeps its settings).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("TERRITORY_EDITOR_DATA_DIR") {
        return Some(PathBuf::from(d));
    }
    eframe::storage_dir(super::APP_ID)
}

/// The editor's side of autosave.
#[derive(Default)]
pub struct Recovery {
    journal: Option<Journal>,
    /// A crashed session's journal, offered at start.
    offer: Option<Found>,
    /// The journal being restored, while its base loads.
    restoring: Option<Found>,
    /// The plan revision when the running save started (edits after it are not in the
    /// saved file).
    pub(super) save_revision: u64,
}

impl Recovery {
    /// Whether a crashed session's journal is being restored (its base file opening).
    pub(super) fn restoring(&self) -> bool {
        self.restoring.is_some()
    }

    /// A crashed session's journal, while it is offered.
    pub(super) fn offer(&self) -> Option<&Found> {
        self.offer.as_ref()
    }

    /// Whether edits are journaled.
    pub fn journaling(&self) -> bool {
        self.journal.is_some()
    }
}

/// The import options a CSV origin records.
pub fn origin_of_csv(path: &Path, opts: &ImportOptions) -> Origin {
    Origin::Csv {
        path: path.to_owned(),
        columns: opts.columns.iter().map(|(f, h)| (f.key().to_owned(), h.clone())).collect(),
        decimal: opts.decimal.map(|d| if d == DecimalFormat::Comma { "comma" } else { "point" }.to_owned()),
        fix_coordinates: opts.fix_coordinates,
    }
}

/// A document on an imported CSV, with its origin for the journal (the file's
/// fingerprint is computed here, on the loading thread).
pub fn csv_document(plan: Plan, grid: Grid, title: String, path: &Path, opts: &ImportOptions) -> Document {
    let mut doc = Document::with_grid(plan, grid, None, title);
    let origin = origin_of_csv(path, opts);
    doc.origin = recovery::fingerprint_file(path).ok().map(|hash| Base { origin, hash });
    doc
}

/// A document on a plan file read with the fingerprint `hash`, with its origin and
/// disk stamp.
pub fn plan_document(plan: Plan, hash: u64, title: String, path: &Path) -> Document {
    let mut doc = Document::new(plan, Some(path.to_owned()), title);
    doc.origin = Some(Base { origin: Origin::Plan { path: path.to_owned() }, hash });
    doc.disk = DiskStamp::of(path);
    doc
}

fn options_of_csv(columns: &[(String, String)], decimal: Option<&str>, fix_coordinates: bool) -> ImportOptions {
    ImportOptions {
        columns: columns.iter().filter_map(|(k, h)| Field::parse(k).map(|f| (f, h.clone()))).collect(),
        decimal: decimal.and_then(|d| d.parse().ok()),
        fix_coordinates,
        ..ImportOptions::default()
    }
}

impl TerritoryApp {
    /// Keeps recovery journals in `dir` (created if needed), and offers a crashed
    /// session's journal found there.
    pub fn set_data_dir(&mut self, dir: PathBuf) {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            log::warn!("no autosave: {}: {e}", dir.display());
            return;
        }
        self.recovery.offer = recovery::pending(&dir).into_iter().next();
        self.recovery.journal = Some(Journal::new(recovery::journal_path(&dir)));
        self.journal_begin();
    }

    /// The offer to restore a crashed session, if one is shown.
    pub fn recovery_offer(&self) -> Option<&Found> {
        self.recovery.offer.as_ref()
    }

    /// Writes the journal now (tests; the writer does it within a second anyway).
    pub fn flush_journal(&self) {
        if let Some(j) = &self.recovery.journal {
            j.flush();
        }
    }

    /// The clean exit: the journal goes (the user saved, or chose to discard).
    pub fn clean_exit(&mut self) {
        if let Some(j) = &mut self.recovery.journal {
            j.clear();
            j.flush();
        }
    }

    /// Starts the journal on the current document.
    pub(super) fn journal_begin(&mut self) {
        let Some(journal) = &mut self.recovery.journal else { return };
        match &self.doc.origin {
            Some(base) => journal.begin(Header::new(base.clone(), self.doc.title.clone(), self.doc.path.clone())),
            None => journal.clear(),
        }
    }

    /// The plan as it is becomes the journal's base (after a change the steps cannot
    /// describe: a scenario switched, created, renamed or deleted).
    pub(super) fn journal_rebase(&mut self) {
        let plan = self.doc.editor.snapshot();
        if let Some(j) = &mut self.recovery.journal {
            j.rebase(plan);
        }
    }

    pub(super) fn journal(&mut self, step: Step) {
        let editor = &self.doc.editor;
        if let Some(j) = &mut self.recovery.journal {
            j.record(step, || editor.snapshot());
        }
    }

    /// A save finished: the file is the journal's new base, or, when edits were made
    /// while it was written, the plan as it is now.
    pub(super) fn journal_saved(&mut self, path: &Path, hash: Option<u64>) {
        self.doc.disk = DiskStamp::of(path);
        let edited_since = self.doc.editor.revision() != self.recovery.save_revision;
        match hash {
            Some(hash) if !edited_since => {
                self.doc.origin = Some(Base { origin: Origin::Plan { path: path.to_owned() }, hash });
                self.journal_begin();
            }
            _ => {
                let plan = self.doc.editor.snapshot();
                if let Some(j) = &mut self.recovery.journal {
                    j.rebase(plan);
                }
            }
        }
    }

    /// Whether the document's file changed on disk since it was opened or saved.
    pub(super) fn changed_on_disk(&self, path: &Path) -> bool {
        self.doc.path.as_deref() == Some(path)
            && self.doc.disk.is_some()
            && DiskStamp::of(path).is_some_and(|now| Some(now) != self.doc.disk)
    }

    /// The recovered edits restored (`true`) or discarded.
    pub(super) fn recover(&mut self, ctx: &egui::Context, restore: bool) {
        let Some(found) = self.recovery.offer.take() else { return };
        if restore {
            self.restore(ctx, found);
        } else {
            found.discard();
            self.notify("Recovered edits discarded");
        }
    }

    /// Reopens a journal's base and replays it (the demo at once, a file in the
    /// background: [`TerritoryApp::restore_loaded`] finishes).
    fn restore(&mut self, ctx: &egui::Context, found: Found) {
        match found.header.base.origin.clone() {
            Origin::Demo => {
                self.set_document(Document::demo());
                self.recovery.restoring = Some(found);
                self.restore_loaded();
            }
            Origin::Plan { path } => {
                self.recovery.restoring = Some(found);
                self.load_in_background(ctx, path, ImportOptions::default());
            }
            Origin::Csv { path, columns, decimal, fix_coordinates } => {
                self.recovery.restoring = Some(found);
                let opts = options_of_csv(&columns, decimal.as_deref(), fix_coordinates);
                self.load_in_background(ctx, path, opts);
            }
        }
    }

    /// The base of a journal being restored has loaded: replay it, if it is the file
    /// the journal was made on.
    pub(super) fn restore_loaded(&mut self) {
        let Some(found) = self.recovery.restoring.take() else { return };
        if self.doc.origin.as_ref().map(|b| b.hash) != Some(found.header.base.hash) {
            self.fail(format!(
                "Not restored: {} changed since the recovered edits were made; they are kept in {}",
                found.header.title,
                found.path.display()
            ));
            return;
        }
        match recovery::replay(&mut self.doc.editor, &found.steps) {
            Ok(()) => {
                self.doc.title = found.header.title.clone();
                self.doc.path = found.header.saved_to.clone();
                self.doc.disk = self.doc.path.as_deref().and_then(DiskStamp::of);
                // The new journal holds the same base and steps; the old one goes.
                self.journal_begin();
                for step in &found.steps {
                    self.journal(step.clone());
                }
                let _ = std::fs::remove_file(&found.path);
                self.notify(format!(
                    "Restored {} of unsaved work on {}",
                    crate::format::count(found.edits() as i64, "edit", "edits"),
                    found.header.title
                ));
            }
            Err(e) => self.fail(format!("Not restored: {e}; the recovered edits are kept in {}", found.path.display())),
        }
    }

    /// Opening the base of a journal failed: say so, and keep the journal.
    pub(super) fn restore_failed(&mut self, why: &str) {
        if let Some(found) = self.recovery.restoring.take() {
            self.fail(format!("Not restored: {why}; the recovered edits are kept in {}", found.path.display()));
        }
    }
}

/// The offer to restore a crashed session's edits, and the question before overwriting
/// a file that changed on disk: they push the answers as actions.
pub(super) fn recovery_windows(
    ctx: &egui::Context,
    offer: Option<&Found>,
    state: &mut UiState,
    actions: &mut Vec<Action>,
) {
    if let Some(path) = &state.overwrite_prompt {
        let mut answer = None;
        egui::Modal::new(egui::Id::unique("overwrite")).show(ctx, |ui| {
            ui.heading("The file changed on disk");
            ui.label(format!(
                "{} was changed since you opened it (someone else may have saved it). Saving now replaces their version.",
                path.display()
            ));
            ui.horizontal(|ui| {
                if ui.button("Overwrite").clicked() {
                    answer = Some(Some(Action::SaveOverwrite));
                }
                if ui.button("Save as…").clicked() {
                    answer = Some(Some(Action::SaveAs));
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(None);
                }
            });
        });
        if let Some(a) = answer {
            state.overwrite_prompt = None;
            // No save: what was to follow it does not.
            if a.is_none() {
                state.after_save = None;
            }
            actions.extend(a);
        }
    }
    let Some(found) = offer else { return };
    egui::Modal::new(egui::Id::unique("recovery")).show(ctx, |ui| {
        ui.heading("Recover unsaved work?");
        ui.label(format!(
            "Unsaved work from {} on {} was recovered ({}).",
            found.when(),
            found.header.title,
            crate::format::count(found.edits() as i64, "edit", "edits")
        ));
        ui.label("The editor did not close normally. Restore reopens the plan and replays the edits.");
        ui.horizontal(|ui| {
            if ui.button("Restore").on_hover_text("Reopen the plan with the recovered edits").clicked() {
                actions.push(Action::Recover(true));
            }
            if ui.button("Discard").on_hover_text("Delete the recovered edits").clicked() {
                actions.push(Action::Recover(false));
            }
        });
    });
}
