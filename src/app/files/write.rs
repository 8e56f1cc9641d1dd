//! Saves and exports: each runs on a worker beside whatever job runs, reports its
//! progress to the status bar (an export has Cancel), and always reports back; a
//! window closed meanwhile waits for them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Action, AfterConfirm, TaskResult, TerritoryApp};
use crate::io::{Progress, csv_export, plan_file};

/// The change list from the baseline (the first scenario) to the scenario on screen.
pub(super) fn write_change_list(plan: &crate::model::Plan, path: &std::path::Path) -> Result<(), crate::io::FileError> {
    use crate::compare::{Side, changes_file, compare_sides};
    use crate::metrics::Metrics;
    let (ma, mb) = (Metrics::of_scenario(plan, 0), Metrics::recompute(plan));
    let (a, b) = (Side::scenario(plan, 0, &ma), Side::of(plan, &mb));
    changes_file(&a, &b, &compare_sides(&a, &b), path)
}

/// The territory book of the scenario on screen.
fn write_book(plan: &crate::model::Plan, title: &str, path: &Path, ready: crate::render::Ready) -> Result<(), String> {
    let pdf = crate::render::book_pdf(plan, title, ready).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::io::write_atomic(path, |w| std::io::Write::write_all(w, &pdf)).map_err(|e| e.to_string())
}

/// The territory shapes of the scenario on screen as GeoJSON, as the areas make them,
/// with its figures (summed here, off the UI thread, as `shapes` sums them).
fn write_shapes(plan: &crate::model::Plan, ready: crate::render::Ready, path: &Path) -> Result<(), String> {
    ready.expect(ready.shapes_cost(plan) + 1);
    let shapes = ready.shapes_of(plan).map_err(|e| e.to_string())?;
    let metrics = crate::metrics::Metrics::recompute(plan);
    crate::export::write_shapes(plan, &metrics, &shapes, path).map(|_| ()).map_err(|e| e.to_string())?;
    ready.done(1).map_err(|e| e.to_string())
}

/// A save or export in flight: its job number, what the status bar says, its progress,
/// and whether it offers Cancel (an export does; a plan's save, under a second even
/// at a million accounts, runs to its end).
pub(super) struct Writing {
    pub(super) job: u64,
    pub(super) what: String,
    progress: Arc<Progress>,
    cancellable: bool,
}

/// What a background save writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveKind {
    Plan,
    Assignments,
    Changes,
    Map,
    Book,
    Shapes,
}

impl TerritoryApp {
    /// A save or an export, started beside whatever job runs; its number and progress.
    pub(super) fn start_write(&mut self, what: String, cancellable: bool) -> (u64, Arc<Progress>) {
        let job = self.next_job();
        let progress = Arc::new(Progress::default());
        self.tasks.writing.push(Writing { job, what, progress: progress.clone(), cancellable });
        (job, progress)
    }

    /// Whether `job` is a save or export in flight; it is no longer.
    pub(in crate::app) fn write_landed(&mut self, job: u64) -> bool {
        let before = self.tasks.writing.len();
        self.tasks.writing.retain(|w| w.job != job);
        self.tasks.writing.len() != before
    }

    /// Asks the export `job` to stop; it reports back ([`TaskResult::WriteCancelled`]).
    pub(in crate::app) fn cancel_write(&mut self, job: u64) {
        if let Some(w) = self.tasks.writing.iter().find(|w| w.job == job && w.cancellable) {
            w.progress.cancel();
        }
    }

    /// The save or export in flight (the latest), for the progress display.
    pub(in crate::app) fn writing(&self) -> Option<&str> {
        self.tasks.writing.last().map(|w| w.what.as_str())
    }

    /// The latest save or export as the status bar shows it: its share done, and its
    /// Cancel when it has one (not once pressed).
    pub(in crate::app) fn writing_busy(&self) -> Option<crate::app::panel::Busy> {
        self.tasks.writing.last().map(|w| crate::app::panel::Busy {
            what: w.what.clone(),
            fraction: w.progress.fraction(),
            cancel: (w.cancellable && !w.progress.is_cancelled()).then_some(Action::CancelWrite(w.job)),
        })
    }

    pub(super) fn save_in_background(&mut self, ctx: &egui::Context, path: PathBuf, what: SaveKind) {
        // The map's view goes into the file; the plan itself is shared with the
        // worker, not copied on this thread.
        if let Some(t) = self.last_transform {
            self.doc.editor.set_view(Some(t.view(self.map_memory.zoom())));
        }
        let plan = self.doc.editor.snapshot();
        let point = (what == SaveKind::Plan).then(|| self.doc.editor.save_point());
        if what == SaveKind::Plan {
            self.recovery.save_revision = self.doc.editor.revision();
        }
        let verb = if what == SaveKind::Plan { "Saving" } else { "Exporting" };
        let title = format!("{} – {}", self.doc.title, plan.scenario_name());
        let map = crate::render::MapOptions {
            width: crate::render::DEFAULT_WIDTH,
            title: Some(title.clone()),
            ..crate::render::MapOptions::default()
        };
        // The areas on screen are of this very plan when they are current: no need to
        // make them again; else the document's shaper makes them without triangulating
        // the accounts again; nor is the basemap parsed again.
        let drawn = matches!(what, SaveKind::Map | SaveKind::Book | SaveKind::Shapes);
        let shapes = (drawn && self.doc.areas.current(&self.doc.editor)).then(|| self.doc.areas.shapes().clone());
        let shaper = self.doc.areas.shaper().filter(|_| drawn).cloned();
        let basemap = self.basemap.clone();
        let (job, progress) = self.start_write(format!("{verb} {}", path.display()), drawn);
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        crate::app::spawn_background(move || {
            let result = crate::catch_panic(|| {
                // A plan's save gives the fingerprint of what it wrote: the recovery
                // journal's new base.
                match what {
                    SaveKind::Plan => {
                        plan_file::save_with(&plan, &path, Some(&progress)).map(Some).map_err(|e| e.to_string())
                    }
                    SaveKind::Assignments => {
                        csv_export::export_file(&plan, &path).map(|()| None).map_err(|e| e.to_string())
                    }
                    SaveKind::Changes => write_change_list(&plan, &path).map(|()| None).map_err(|e| e.to_string()),
                    SaveKind::Map | SaveKind::Book | SaveKind::Shapes => {
                        let ready = crate::render::Ready {
                            shapes: shapes.as_ref(),
                            shaper: shaper.as_deref(),
                            basemap: basemap.as_deref(),
                            progress: Some(&progress),
                        };
                        match what {
                            SaveKind::Map => crate::render::map_file(&plan, &map, &path, ready)
                                .map(|_| None)
                                .map_err(|e| e.to_string()),
                            SaveKind::Book => write_book(&plan, &title, &path, ready).map(|()| None),
                            _ => write_shapes(&plan, ready, &path).map(|()| None),
                        }
                    }
                }
            })
            .unwrap_or_else(|e| Err(format!("{}: {e}", path.display())));
            let _ = tx.send(match result {
                Ok(hash) => TaskResult::Saved { job, path, hash, what, point },
                Err(_) if progress.is_cancelled() => TaskResult::WriteCancelled { job },
                Err(message) => TaskResult::Failed { job, message },
            });
            ctx.request_repaint();
        });
    }

    pub(in crate::app) fn handle_close_request(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if self.doc.editor.is_dirty() && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.ui.confirm = Some(AfterConfirm::Close);
        } else if let Some(what) = self.writing() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.notify(format!("Closing once it is written: {what}"));
            self.tasks.close_when_written = true;
        }
    }

    /// Closes the window that was closed while a save or export was in flight, once
    /// they have landed.
    pub(in crate::app) fn close_when_written(&mut self, ctx: &egui::Context) {
        if self.tasks.close_when_written && self.tasks.writing.is_empty() {
            self.tasks.close_when_written = false;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }
}
