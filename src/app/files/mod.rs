//! Opening, importing, saving and exporting, off the UI thread: file dialogs (`rfd`
//! blocks while a dialog is open) and file work run on worker threads and report
//! back through a channel; the UI shows their progress with a Cancel button meanwhile.
//!
//! `report.rs` holds the file windows (the import report and the questions before a
//! file is replaced), `results.rs` what the editor does with each worker's answer,
//! `update.rs` the update from a new CRM export, `write.rs` the saves and exports
//! (beside the job, always reported back); the jobs and the dialogs are here.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::{Action, Document, Notice, TerritoryApp, UiState};
use crate::io::csv_import::{self, Field, ImportError, ImportOptions, ImportReport};
use crate::io::{Progress, plan_file};
use std::sync::Arc;

mod report;
mod results;
mod update;
mod write;

pub(super) use report::file_windows;
pub use update::UpdateSummary;
pub use write::SaveKind;
use write::Writing;

/// What a worker thread reports.
pub enum TaskResult {
    /// A Balance or Redraw proposal, or why there is none.
    Optimized {
        job: u64,
        result: Box<Result<super::optimize_ui::Pending, String>>,
    },
    /// A dialog picked a path for this purpose (or was cancelled: `None`); `unavailable`
    /// when no system dialog could be shown (it came back at once with nothing).
    Picked {
        purpose: Purpose,
        path: Option<PathBuf>,
        unavailable: bool,
    },
    Loaded {
        job: u64,
        doc: Box<Document>,
        report: Option<ImportReport>,
        path: PathBuf,
        /// The plan on screen when the open began, and how the file was read (to open
        /// it again, after asking, when the plan on screen was edited meanwhile).
        before: crate::edit::SavePoint,
        opts: Box<ImportOptions>,
    },
    ImportFailed {
        job: u64,
        path: PathBuf,
        error: ImportError,
    },
    Failed {
        job: u64,
        message: String,
    },
    /// An export stopped by its Cancel: no file was written.
    WriteCancelled {
        job: u64,
    },
    /// The accounts updated from a new export: the new document, with the new accounts
    /// to select.
    Updated {
        job: u64,
        doc: Box<Document>,
        summary: Box<UpdateSummary>,
        new_accounts: Vec<u32>,
        /// The plan the update was made of, and whether it might remove more than a
        /// tenth of the accounts (to run it again on a plan edited meanwhile).
        before: crate::edit::SavePoint,
        allow_removals: bool,
    },
    /// The update would remove more than a tenth of the accounts: ask first.
    UpdateNeedsConsent {
        job: u64,
        path: PathBuf,
        message: String,
    },
    Saved {
        job: u64,
        path: PathBuf,
        /// The fingerprint of the file as written (a plan, not an export).
        hash: Option<u64>,
        what: SaveKind,
        /// What a plan's save wrote (edits made since stay unsaved).
        point: Option<crate::edit::SavePoint>,
    },
}

/// Why a file dialog was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Open,
    Import,
    SaveAs,
    Export,
    /// The change list from the baseline to the scenario on screen.
    ExportChanges,
    /// A map of the plan to hand out.
    ExportMap,
    /// The territory book (PDF).
    ExportBook,
    /// The territory shapes as GeoJSON, for a GIS.
    ExportShapes,
    /// A new CRM export to update the accounts from.
    UpdateAccounts,
}

impl Purpose {
    /// The file name a save dialog suggests, from the plan's file stem (`None` for the
    /// purposes that open a file).
    fn suggested_name(self, stem: &str) -> Option<String> {
        match self {
            Purpose::SaveAs => Some(format!("{stem}.ron")),
            Purpose::Export => Some(format!("{stem}-assignments.csv")),
            Purpose::ExportChanges => Some(format!("{stem}-changes.csv")),
            Purpose::ExportMap => Some(format!("{stem}-map.png")),
            Purpose::ExportBook => Some(format!("{stem}-book.pdf")),
            Purpose::ExportShapes => Some(format!("{stem}-territories.geojson")),
            Purpose::Open | Purpose::Import | Purpose::UpdateAccounts => None,
        }
    }
}

/// Work in flight.
pub struct Tasks {
    pub(super) tx: Sender<TaskResult>,
    rx: Receiver<TaskResult>,
    /// The running job and its description; results of other jobs are ignored
    /// (that is what Cancel does).
    running: Option<(u64, String)>,
    /// Saves and exports in flight: they run beside the job (a save neither cancels a
    /// Balance nor waits for it) and always report back.
    writing: Vec<Writing>,
    /// The window was closed while a save or export was in flight: it closes once they
    /// have landed (a close then would have cut the write short, and lost it).
    close_when_written: bool,
    /// The running job's progress and Cancel.
    pub(super) progress: Option<Arc<Progress>>,
    next_job: u64,
    dialog_open: bool,
}

impl Default for Tasks {
    fn default() -> Self {
        let (tx, rx) = channel();
        Tasks {
            tx,
            rx,
            running: None,
            writing: Vec::new(),
            close_when_written: false,
            progress: None,
            next_job: 1,
            dialog_open: false,
        }
    }
}

/// The column-mapping form shown when a CSV lacks a needed column.
pub struct ColumnMapping {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub choices: Vec<(Field, Option<usize>)>,
}

/// What to do after the unsaved-changes question (and after the save it may start).
#[derive(Debug, Clone)]
pub enum AfterConfirm {
    Close,
    Run(Action),
}

/// The answer to "Save changes?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsavedAnswer {
    /// Save as Ctrl+S does (in the background, asking first if the file changed on
    /// disk, or for a name), then go on once the save has landed; a failed or
    /// cancelled save goes no further and keeps the plan open and dirty.
    Save,
    DontSave,
    Cancel,
}

impl TerritoryApp {
    /// A number no job had before.
    fn next_job(&mut self) -> u64 {
        self.tasks.next_job += 1;
        self.tasks.next_job - 1
    }

    pub(in crate::app) fn start_job(&mut self, what: String) -> u64 {
        let job = self.next_job();
        self.tasks.running = Some((job, what));
        self.tasks.progress = None;
        job
    }

    /// The running job's description, for the progress display.
    pub(in crate::app) fn busy(&self) -> Option<&str> {
        self.tasks.running.as_ref().map(|(_, s)| s.as_str())
    }

    /// The running job's share done, when it reports one.
    pub(in crate::app) fn busy_fraction(&self) -> Option<f32> {
        self.tasks.progress.as_ref().and_then(|p| p.fraction())
    }

    pub(in crate::app) fn cancel_job(&mut self) {
        if let Some(p) = self.tasks.progress.take() {
            p.cancel();
        }
        if let Some((_, what)) = self.tasks.running.take() {
            self.notify(format!("Cancelled: {what}"));
        }
    }

    /// After a failed open at start-up, the window says so instead of "Opening …".
    fn opening_failed(&mut self) {
        if self.doc.editor.plan().accounts.is_empty() && self.doc.path.is_none() {
            self.doc.title = "No plan open: open one (File menu, Ctrl+O) or drop a .ron or .csv here".to_owned();
        }
    }

    /// The plan's file name without extension, for suggested file names.
    fn doc_stem(&self) -> String {
        self.doc
            .path
            .as_ref()
            .and_then(|p| p.file_stem())
            .map_or_else(|| "plan".to_owned(), |s| s.to_string_lossy().into_owned())
    }

    fn pick(&mut self, ctx: &egui::Context, purpose: Purpose) {
        if self.tasks.dialog_open {
            return;
        }
        self.tasks.dialog_open = true;
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        let dir = self.doc.path.as_ref().and_then(|p| p.parent().map(Path::to_owned));
        let name = purpose.suggested_name(&self.doc_stem());
        crate::app::spawn_background(move || {
            let started = std::time::Instant::now();
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = dir {
                d = d.set_directory(dir);
            }
            if let Some(name) = name {
                d = d.set_file_name(name);
            }
            let picked = match purpose {
                Purpose::Open => d
                    .add_filter("Plans and accounts", &[&["ron"][..], &csv_import::CSV_EXTENSIONS].concat())
                    .add_filter("Territory plan", &["ron"])
                    .add_filter("Accounts CSV", &csv_import::CSV_EXTENSIONS)
                    .pick_file(),
                Purpose::Import | Purpose::UpdateAccounts => {
                    d.add_filter("Accounts CSV", &csv_import::CSV_EXTENSIONS).pick_file()
                }
                Purpose::SaveAs => d.add_filter("Territory plan", &["ron"]).save_file(),
                Purpose::Export | Purpose::ExportChanges => d.add_filter("CSV", &["csv"]).save_file(),
                Purpose::ExportMap => {
                    d.add_filter("PNG picture", &["png"]).add_filter("SVG drawing", &["svg"]).save_file()
                }
                Purpose::ExportBook => d.add_filter("PDF document", &["pdf"]).save_file(),
                Purpose::ExportShapes => d.add_filter("GeoJSON", &["geojson", "json"]).save_file(),
            };
            // Without a desktop portal or zenity, rfd returns nothing at once.
            let unavailable = picked.is_none() && started.elapsed() < std::time::Duration::from_millis(250);
            let _ = tx.send(TaskResult::Picked { purpose, path: picked, unavailable });
            ctx.request_repaint();
        });
    }

    /// Loads a plan or a CSV on a worker thread.
    pub(in crate::app) fn load_in_background(&mut self, ctx: &egui::Context, path: PathBuf, mut opts: ImportOptions) {
        let job = self.start_job(format!("Opening {}", path.display()));
        let before = self.doc.editor.save_point();
        let again = Box::new(ImportOptions { progress: None, ..opts.clone() });
        let progress = Arc::new(Progress::default());
        self.tasks.progress = Some(progress.clone());
        opts.progress = Some(progress.clone());
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        crate::app::spawn_background(move || {
            let title =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            let work = || {
                if csv_import::is_csv_path(&path) {
                    match csv_import::import_file_sorted(&path, &opts) {
                        Ok((plan, grid, report)) => TaskResult::Loaded {
                            job,
                            doc: Box::new(super::recover::csv_document(plan, grid, title, &path, &opts)),
                            report: Some(report),
                            path: path.clone(),
                            before: before.clone(),
                            opts: again,
                        },
                        Err(error) => TaskResult::ImportFailed { job, path: path.clone(), error },
                    }
                } else {
                    match plan_file::load_fingerprinted(&path, Some(&progress)) {
                        Ok((plan, hash)) => TaskResult::Loaded {
                            job,
                            doc: Box::new(super::recover::plan_document(plan, hash, title, &path)),
                            report: None,
                            path: path.clone(),
                            before: before.clone(),
                            opts: again,
                        },
                        Err(e) => TaskResult::Failed { job, message: e.to_string() },
                    }
                }
            };
            let result = crate::catch_panic(work)
                .unwrap_or_else(|e| TaskResult::Failed { job, message: format!("{}: {e}", path.display()) });
            let _ = tx.send(result);
            ctx.request_repaint();
        });
    }

    pub(in crate::app) fn file_action(&mut self, ctx: &egui::Context, action: Action) {
        let needs_confirm =
            matches!(action, Action::Open | Action::OpenPath(_) | Action::OpenWith(..) | Action::ImportCsv);
        if needs_confirm && self.doc.editor.is_dirty() && self.ui.confirm.is_none() {
            self.ui.confirm = Some(AfterConfirm::Run(action));
            return;
        }
        self.file_action_now(ctx, action);
    }

    /// A file action, the unsaved-changes question answered or not needed.
    fn file_action_now(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Open => self.pick(ctx, Purpose::Open),
            Action::ImportCsv => self.pick(ctx, Purpose::Import),
            Action::OpenPath(path) => self.load_in_background(ctx, path, ImportOptions::default()),
            Action::OpenWith(path, opts) => self.load_in_background(ctx, path, *opts),
            Action::Picked(purpose, path) => self.picked(ctx, purpose, path),
            Action::Unsaved(answer) => self.unsaved_answer(ctx, answer),
            Action::Save => match self.doc.path.clone() {
                Some(path) if self.changed_on_disk(&path) => self.ui.overwrite_prompt = Some(path),
                Some(path) => self.save_in_background(ctx, path, SaveKind::Plan),
                None => self.pick(ctx, Purpose::SaveAs),
            },
            Action::SaveOverwrite => match self.doc.path.clone() {
                Some(path) => self.save_in_background(ctx, path, SaveKind::Plan),
                None => self.pick(ctx, Purpose::SaveAs),
            },
            Action::SaveAs => self.pick(ctx, Purpose::SaveAs),
            Action::Export => self.pick(ctx, Purpose::Export),
            Action::ExportChanges => self.pick(ctx, Purpose::ExportChanges),
            Action::ExportMap => self.pick(ctx, Purpose::ExportMap),
            Action::ExportBook => self.pick(ctx, Purpose::ExportBook),
            Action::ExportShapes => self.pick(ctx, Purpose::ExportShapes),
            Action::UpdateAccounts => self.pick(ctx, Purpose::UpdateAccounts),
            Action::UpdateAccountsFrom(path, allow) => self.update_in_background(ctx, path, allow),
            _ => {}
        }
    }

    /// "Save changes?" answered. Save goes the way Ctrl+S goes (off the UI thread,
    /// the changed-on-disk question, Save As for a new plan) and what was waiting
    /// follows once the save lands.
    fn unsaved_answer(&mut self, ctx: &egui::Context, answer: UnsavedAnswer) {
        let Some(after) = self.ui.confirm.take() else { return };
        match answer {
            UnsavedAnswer::Save => {
                self.ui.after_save = Some(after);
                self.file_action_now(ctx, Action::Save);
            }
            UnsavedAnswer::DontSave => self.go_on(ctx, after),
            UnsavedAnswer::Cancel => {}
        }
    }

    /// What waited for the unsaved-changes question (or for the save it started).
    fn go_on(&mut self, ctx: &egui::Context, after: AfterConfirm) {
        match after {
            AfterConfirm::Close => {
                self.allow_close = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            AfterConfirm::Run(a) => self.file_action_now(ctx, a),
        }
    }

    /// Acts on a path chosen in a dialog or typed into the fallback prompt.
    fn picked(&mut self, ctx: &egui::Context, purpose: Purpose, mut path: PathBuf) {
        match purpose {
            Purpose::Open | Purpose::Import => self.load_in_background(ctx, path, ImportOptions::default()),
            Purpose::SaveAs => {
                if path.extension().is_none() {
                    path.set_extension("ron");
                }
                self.save_in_background(ctx, path, SaveKind::Plan);
            }
            Purpose::Export => self.save_in_background(ctx, path, SaveKind::Assignments),
            Purpose::ExportChanges => self.save_in_background(ctx, path, SaveKind::Changes),
            Purpose::ExportMap => {
                if crate::render::is_png_path(&path).is_none() {
                    path.set_extension("png");
                }
                self.save_in_background(ctx, path, SaveKind::Map);
            }
            Purpose::ExportBook => {
                if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
                    path.set_extension("pdf");
                }
                self.save_in_background(ctx, path, SaveKind::Book);
            }
            Purpose::ExportShapes => {
                if path.extension().is_none() {
                    path.set_extension("geojson");
                }
                self.save_in_background(ctx, path, SaveKind::Shapes);
            }
            Purpose::UpdateAccounts => self.update_in_background(ctx, path, false),
        }
    }

    pub(in crate::app) fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_owned()).collect());
        if let Some(path) = dropped.into_iter().next() {
            let ok = csv_import::is_csv_path(&path) || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ron"));
            if ok {
                self.actions.push(Action::OpenPath(path));
            } else {
                self.fail(format!("{}: drop a .ron plan or a .csv of accounts", path.display()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Purpose, TaskResult};
    use crate::app::{Document, TerritoryApp};
    use crate::model::{Account, Plan, Territory, TerritoryIdx, palette_color};

    /// Without a system file dialog, the prompt that asks for the path suggests the
    /// file the dialog would have: the plan's name and what is written, in the working
    /// folder; for opening, the folder alone.
    #[test]
    fn the_path_prompt_suggests_what_the_dialog_would() {
        let doc = Document::new(Plan::default(), Some("/plans/Nord Süd.ron".into()), "Nord Süd".into());
        let mut app = TerritoryApp::new(doc);
        let ctx = egui::Context::default();
        let dir = std::env::current_dir().expect("a working folder");
        for (purpose, want) in [
            (Purpose::SaveAs, dir.join("Nord Süd.ron").display().to_string()),
            (Purpose::Export, dir.join("Nord Süd-assignments.csv").display().to_string()),
            (Purpose::ExportChanges, dir.join("Nord Süd-changes.csv").display().to_string()),
            (Purpose::ExportMap, dir.join("Nord Süd-map.png").display().to_string()),
            (Purpose::ExportBook, dir.join("Nord Süd-book.pdf").display().to_string()),
            (Purpose::ExportShapes, dir.join("Nord Süd-territories.geojson").display().to_string()),
            (Purpose::UpdateAccounts, format!("{}/", dir.display())),
        ] {
            let picked = TaskResult::Picked { purpose, path: None, unavailable: true };
            app.tasks.tx.send(picked).expect("sent");
            app.poll_tasks(&ctx);
            assert_eq!(app.ui.path_prompt.take(), Some((purpose, want)));
        }
    }

    /// A save started while a job runs (Balance computing, a plan opening) runs beside
    /// it: the job stays the running one and its answer is still taken, and the save
    /// reports back (it had taken the job's place, whose answer was then dropped).
    #[test]
    fn a_save_runs_beside_the_job_and_both_report_back() {
        let accounts = (0..4)
            .map(|i| crate::model::testing::account(&format!("K{i}"), "Kunde", -100.0 + f64::from(i), 40.0, 150))
            .collect();
        let plan = crate::model::testing::plan_of(accounts, &["n", "s"], &[Some(0), Some(0), Some(1), Some(1)]);
        let mut app = TerritoryApp::new(Document::new(plan, None, "Nord Süd".into()));
        let ctx = egui::Context::default();
        let job = app.start_job("Balance: computing a proposal".into());
        let path = std::env::temp_dir().join(format!("te-save-beside-{}.ron", std::process::id()));
        app.save_in_background(&ctx, path.clone(), super::SaveKind::Plan);
        assert_eq!(app.busy(), Some("Balance: computing a proposal"), "the job is still the running one");
        assert!(app.writing().is_some_and(|w| w.starts_with("Saving")), "the save is in flight beside it");
        let started = std::time::Instant::now();
        while app.writing().is_some() && started.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(5));
            app.poll_tasks(&ctx);
        }
        assert!(app.writing().is_none(), "the save landed");
        assert!(crate::io::plan_file::load(&path).is_ok(), "and wrote the plan");
        assert_eq!(app.doc.path.as_deref(), Some(path.as_path()), "the plan is that file now");
        assert_eq!(app.busy(), Some("Balance: computing a proposal"));
        // The job's answer is taken, not dropped.
        app.tasks.tx.send(TaskResult::Failed { job, message: "no proposal".into() }).expect("sent");
        app.poll_tasks(&ctx);
        assert_eq!(app.busy(), None);
        assert!(app.ui.notice.as_ref().is_some_and(|n| n.error && n.text.contains("no proposal")));
        let _ = std::fs::remove_file(&path);
    }

    /// A window closed while an export is being written stays open until it lands,
    /// then closes (closing then had cut the write short).
    #[test]
    fn a_close_waits_for_the_writes_in_flight() {
        let mut app = TerritoryApp::new(Document::new(crate::model::Plan::default(), None, "Leer".into()));
        let ctx = egui::Context::default();
        // (The font texture's delta, which no renderer takes here, is dropped.)
        let commands = |mut out: egui::FullOutput| -> Vec<egui::ViewportCommand> {
            out.textures_delta.clear();
            out.viewport_output.into_values().flat_map(|v| v.commands).collect()
        };
        let (job, _) = app.start_write("Exporting the map".into(), true);
        let mut input = egui::RawInput::default();
        input.viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
        let out = ctx.run_ui(input, |ui| app.handle_close_request(ui.ctx()));
        let asked = commands(out);
        assert!(asked.contains(&egui::ViewportCommand::CancelClose), "{asked:?}");
        assert!(!asked.contains(&egui::ViewportCommand::Close));
        let landed =
            TaskResult::Saved { job, path: "map.png".into(), hash: None, what: super::SaveKind::Map, point: None };
        app.tasks.tx.send(landed).expect("sent");
        let out = ctx.run_ui(egui::RawInput::default(), |ui| app.poll_tasks(ui.ctx()));
        assert!(commands(out).contains(&egui::ViewportCommand::Close), "closes once written");
    }

    /// An export offers Cancel beside its progress, a plan's save does not; a cancelled
    /// export lands as cancelled, and what was to follow it does not follow.
    #[test]
    fn an_export_can_be_cancelled_and_a_save_runs_to_its_end() {
        let mut app = TerritoryApp::new(Document::new(crate::model::Plan::default(), None, "Leer".into()));
        let ctx = egui::Context::default();
        let (save, _) = app.start_write("Saving plan.ron".into(), false);
        assert!(app.writing_busy().is_some_and(|b| b.cancel.is_none()), "no Cancel on a save");
        let (export, progress) = app.start_write("Exporting book.pdf".into(), true);
        progress.add_total(4);
        progress.advance(1);
        let busy = app.writing_busy().expect("busy");
        assert_eq!(busy.fraction, Some(0.25));
        assert!(matches!(busy.cancel, Some(super::Action::CancelWrite(j)) if j == export));
        app.ui.after_save = Some(super::AfterConfirm::Close);
        app.cancel_write(export);
        assert!(progress.is_cancelled());
        assert!(app.writing_busy().is_some_and(|b| b.cancel.is_none()), "Cancel pressed once");
        app.tasks.tx.send(TaskResult::WriteCancelled { job: export }).expect("sent");
        app.poll_tasks(&ctx);
        assert!(app.ui.notice.as_ref().is_some_and(|n| !n.error && n.text == "Cancelled: Exporting book.pdf"));
        assert!(app.ui.after_save.is_none());
        assert_eq!(app.writing(), Some("Saving plan.ron"), "the save still runs");
        assert!(app.write_landed(save));
    }

    #[test]
    fn the_change_list_goes_from_the_baseline_to_the_scenario_on_screen() {
        let accounts: Vec<Account> = (0..4)
            .map(|i| {
                crate::model::testing::account(
                    &format!("K{i}"),
                    &format!("Kunde {i}"),
                    -100.0 + f64::from(i),
                    40.0,
                    150,
                )
            })
            .collect();
        let mut plan = Plan {
            accounts: accounts.into_iter().collect(),
            territories: vec![
                Territory::new("n", "Nord", palette_color(0)),
                Territory::new("s", "Süd", palette_color(1)),
            ],
            assignment: vec![Some(TerritoryIdx::new(0)); 4],
            ..Plan::default()
        };
        plan.add_scenario("B").expect("new");
        plan.assignment[1] = Some(TerritoryIdx::new(1));
        plan.assignment[3] = None;
        let path = std::env::temp_dir().join(format!("te-changes-{}.csv", std::process::id()));
        super::write::write_change_list(&plan, &path).expect("written");
        let text = std::fs::read_to_string(&path).expect("read");
        let _ = std::fs::remove_file(&path);
        let rows: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows, ["K1,Kunde 1,,n,Nord,,s,Süd,,1.50,0.00,1", "K3,Kunde 3,,n,Nord,,,,,1.50,0.00,1"]);
    }
}
