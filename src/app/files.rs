//! Opening, importing, saving and exporting, off the UI thread: file dialogs (`rfd`
//! blocks while a dialog is open) and file work run on worker threads and report
//! back through a channel; the UI shows a spinner with a Cancel button meanwhile.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use super::{Action, Document, TerritoryApp};
use crate::io::csv_import::{self, Field, ImportError, ImportOptions, ImportReport};
use crate::io::{Progress, csv_export, plan_file};
use std::sync::Arc;

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
    Saved {
        job: u64,
        path: PathBuf,
        /// The fingerprint of the file as written (a plan, not an export).
        hash: Option<u64>,
        export: bool,
    },
}

/// Why a file dialog was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Open,
    Import,
    SaveAs,
    Export,
}

/// Work in flight.
pub struct Tasks {
    pub(super) tx: Sender<TaskResult>,
    rx: Receiver<TaskResult>,
    /// The running job and its description; results of other jobs are ignored
    /// (that is what Cancel does).
    running: Option<(u64, String)>,
    /// The running job's progress and Cancel.
    pub(super) progress: Option<Arc<Progress>>,
    next_job: u64,
    dialog_open: bool,
}

impl Default for Tasks {
    fn default() -> Self {
        let (tx, rx) = channel();
        Tasks { tx, rx, running: None, progress: None, next_job: 1, dialog_open: false }
    }
}

/// The column-mapping form shown when a CSV lacks a needed column.
pub struct ColumnMapping {
    pub path: PathBuf,
    pub headers: Vec<String>,
    pub choices: Vec<(Field, Option<usize>)>,
}

/// What to do after the unsaved-changes question.
#[derive(Debug, Clone)]
pub enum AfterConfirm {
    Close,
    Run(Action),
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"))
}

impl TerritoryApp {
    pub(super) fn start_job(&mut self, what: String) -> u64 {
        let job = self.tasks.next_job;
        self.tasks.next_job += 1;
        self.tasks.running = Some((job, what));
        self.tasks.progress = None;
        job
    }

    /// The running job's description, for the progress display.
    pub(super) fn busy(&self) -> Option<&str> {
        self.tasks.running.as_ref().map(|(_, s)| s.as_str())
    }

    /// The running job's share done, when it reports one.
    pub(super) fn busy_fraction(&self) -> Option<f32> {
        self.tasks.progress.as_ref().and_then(|p| p.fraction())
    }

    pub(super) fn cancel_job(&mut self) {
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
            self.doc.title = "No plan open: File ▸ Open, or drop a .ron or .csv here".to_owned();
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
        let stem = self.doc_stem();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let mut d = rfd::FileDialog::new();
            if let Some(dir) = dir {
                d = d.set_directory(dir);
            }
            let picked = match purpose {
                Purpose::Open => d
                    .add_filter("Plans and accounts", &["ron", "csv"])
                    .add_filter("Territory plan", &["ron"])
                    .add_filter("Accounts CSV", &["csv", "txt"])
                    .pick_file(),
                Purpose::Import => d.add_filter("Accounts CSV", &["csv", "txt"]).pick_file(),
                Purpose::SaveAs => {
                    d.add_filter("Territory plan", &["ron"]).set_file_name(format!("{stem}.ron")).save_file()
                }
                Purpose::Export => {
                    d.add_filter("CSV", &["csv"]).set_file_name(format!("{stem}-assignments.csv")).save_file()
                }
            };
            // Without a desktop portal or zenity, rfd returns nothing at once.
            let unavailable = picked.is_none() && started.elapsed() < std::time::Duration::from_millis(250);
            let _ = tx.send(TaskResult::Picked { purpose, path: picked, unavailable });
            ctx.request_repaint();
        });
    }

    /// Loads a plan or a CSV on a worker thread.
    pub(super) fn load_in_background(&mut self, ctx: &egui::Context, path: PathBuf, mut opts: ImportOptions) {
        let job = self.start_job(format!("Opening {}", path.display()));
        let progress = Arc::new(Progress::default());
        self.tasks.progress = Some(progress.clone());
        opts.progress = Some(progress.clone());
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let title =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            let work = || {
                if is_csv(&path) {
                    match csv_import::import_file_sorted(&path, &opts) {
                        Ok((plan, grid, report)) => TaskResult::Loaded {
                            job,
                            doc: Box::new(super::recover::csv_document(plan, grid, title, &path, &opts)),
                            report: Some(report),
                            path: path.clone(),
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

    fn save_in_background(&mut self, ctx: &egui::Context, path: PathBuf, export: bool) {
        // The map's view goes into the file; the plan itself is shared with the
        // worker, not copied on this thread.
        if let Some(t) = self.last_transform {
            self.doc.editor.set_view(Some(t.view(self.map_memory.zoom())));
        }
        let plan = self.doc.editor.snapshot();
        self.recovery.save_generation = self.generation;
        let what = if export { "Exporting" } else { "Saving" };
        let job = self.start_job(format!("{what} {}", path.display()));
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let result = crate::catch_panic(|| {
                // A plan's save gives the fingerprint of what it wrote: the recovery
                // journal's new base.
                if export {
                    csv_export::export_file(&plan, &path).map(|()| None).map_err(|e| e.to_string())
                } else {
                    plan_file::save(&plan, &path).map(Some).map_err(|e| e.to_string())
                }
            })
            .unwrap_or_else(|e| Err(format!("{}: {e}", path.display())));
            let _ = tx.send(match result {
                Ok(hash) => TaskResult::Saved { job, path, hash, export },
                Err(message) => TaskResult::Failed { job, message },
            });
            ctx.request_repaint();
        });
    }

    pub(super) fn file_action(&mut self, ctx: &egui::Context, action: Action) {
        let needs_confirm = matches!(action, Action::Open | Action::OpenPath(_) | Action::ImportCsv);
        if needs_confirm && self.doc.editor.is_dirty() && self.confirm.is_none() {
            self.confirm = Some(AfterConfirm::Run(action));
            return;
        }
        match action {
            Action::Open => self.pick(ctx, Purpose::Open),
            Action::ImportCsv => self.pick(ctx, Purpose::Import),
            Action::OpenPath(path) => self.load_in_background(ctx, path, ImportOptions::default()),
            Action::Save => match self.doc.path.clone() {
                Some(path) if self.changed_on_disk(&path) => self.overwrite_prompt = Some(path),
                Some(path) => self.save_in_background(ctx, path, false),
                None => self.pick(ctx, Purpose::SaveAs),
            },
            Action::SaveOverwrite => match self.doc.path.clone() {
                Some(path) => self.save_in_background(ctx, path, false),
                None => self.pick(ctx, Purpose::SaveAs),
            },
            Action::SaveAs => self.pick(ctx, Purpose::SaveAs),
            Action::Export => self.pick(ctx, Purpose::Export),
            _ => {}
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
                self.save_in_background(ctx, path, false);
            }
            Purpose::Export => self.save_in_background(ctx, path, true),
        }
    }

    pub(super) fn poll_tasks(&mut self, ctx: &egui::Context) {
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
                        let stem = self.doc_stem();
                        let dir = std::env::current_dir().unwrap_or_default();
                        let suggestion = match purpose {
                            Purpose::SaveAs => dir.join(format!("{stem}.ron")).display().to_string(),
                            Purpose::Export => dir.join(format!("{stem}-assignments.csv")).display().to_string(),
                            Purpose::Open | Purpose::Import => format!("{}/", dir.display()),
                        };
                        self.path_prompt = Some((purpose, suggestion));
                        continue;
                    }
                    let Some(path) = path else { continue };
                    self.picked(ctx, purpose, path);
                }
                TaskResult::Loaded { job, doc, report, path } => {
                    if !current(job, &self.tasks.running) {
                        continue;
                    }
                    self.tasks.running = None;
                    self.settings.remember(&path);
                    self.set_document(*doc);
                    self.confirm = None;
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
                                self.import_report = Some((path.clone(), r));
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
                        self.column_mapping = Some(ColumnMapping {
                            path: path.clone(),
                            headers: headers.clone(),
                            choices: missing.iter().map(|f| (*f, None)).collect(),
                        });
                    }
                    self.fail(error.to_string());
                    self.restore_failed(&error.to_string());
                }
                TaskResult::Failed { job, message } => {
                    if current(job, &self.tasks.running) {
                        self.tasks.running = None;
                        self.opening_failed();
                        self.fail(message.clone());
                        self.restore_failed(&message);
                    }
                }
                TaskResult::Saved { job, path, hash, export } => {
                    if current(job, &self.tasks.running) {
                        self.tasks.running = None;
                    }
                    if export {
                        self.notify(format!("Exported assignments to {}", path.display()));
                    } else {
                        self.doc.editor.mark_saved();
                        self.journal_saved(&path, hash);
                        self.doc.title = path
                            .file_name()
                            .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
                        self.doc.path = Some(path.clone());
                        self.settings.remember(&path);
                        self.notify(format!("Saved {}", path.display()));
                        if self.close_after_save {
                            self.allow_close = true;
                            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                        }
                    }
                }
            }
        }
    }

    pub(super) fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| i.raw.dropped_files.iter().map(|f| f.path().to_owned()).collect());
        if let Some(path) = dropped.into_iter().next() {
            let ok = path.extension().is_some_and(|e| ["ron", "csv", "txt"].iter().any(|x| e.eq_ignore_ascii_case(x)));
            if ok {
                self.actions.push(Action::OpenPath(path));
            } else {
                self.fail(format!("{}: drop a .ron plan or a .csv of accounts", path.display()));
            }
        }
    }

    pub(super) fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && self.doc.editor.is_dirty() && !self.allow_close {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm = Some(AfterConfirm::Close);
        }
    }

    /// The unsaved-changes question, the import report and the column mapping.
    pub(super) fn file_windows(&mut self, ctx: &egui::Context) {
        if let Some((purpose, mut text)) = self.path_prompt.take() {
            let mut keep = true;
            let mut chosen = None;
            egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
                ui.heading(match purpose {
                    Purpose::Open => "Open a plan or accounts",
                    Purpose::Import => "Import accounts",
                    Purpose::SaveAs => "Save the plan as",
                    Purpose::Export => "Export assignments to",
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
                Some(path) if !path.as_os_str().is_empty() => self.picked(ctx, purpose, path),
                _ if keep => self.path_prompt = Some((purpose, text)),
                _ => {}
            }
        }
        if let Some(after) = self.confirm.clone() {
            let mut choice = None;
            egui::Modal::new(egui::Id::unique("unsaved")).show(ctx, |ui| {
                ui.heading("Save changes?");
                ui.label(format!("\"{}\" has changes that are not saved.", self.doc.title));
                ui.horizontal(|ui| {
                    if ui.button("Save").clicked() {
                        choice = Some(0);
                    }
                    if ui.button("Don't save").clicked() {
                        choice = Some(1);
                    }
                    if ui.button("Cancel").clicked() {
                        choice = Some(2);
                    }
                });
            });
            match choice {
                Some(0) => match self.doc.path.clone() {
                    Some(path) => match plan_file::save(self.doc.editor.plan(), &path) {
                        Ok(_) => {
                            self.doc.editor.mark_saved();
                            self.confirm = None;
                            match after {
                                AfterConfirm::Close => {
                                    self.allow_close = true;
                                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                                }
                                AfterConfirm::Run(a) => self.actions.push(a),
                            }
                        }
                        Err(e) => {
                            self.confirm = None;
                            self.fail(e.to_string());
                        }
                    },
                    None => {
                        // Save As first; a pending close happens once the save lands.
                        self.close_after_save = matches!(after, AfterConfirm::Close);
                        self.confirm = None;
                        self.pick(ctx, Purpose::SaveAs);
                    }
                },
                Some(1) => match after {
                    AfterConfirm::Close => {
                        self.allow_close = true;
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                    AfterConfirm::Run(a) => {
                        self.doc.editor.mark_saved();
                        self.confirm = None;
                        self.actions.push(a);
                    }
                },
                Some(_) => self.confirm = None,
                None => {}
            }
        }

        let mut report_action = None;
        if let Some((path, report)) = &self.import_report {
            let mut open = true;
            let center = ctx.content_rect().center();
            egui::Window::new("Import report")
                .open(&mut open)
                .default_size([640.0, 440.0])
                .pivot(egui::Align2::CENTER_CENTER)
                .default_pos(center)
                .show(ctx, |ui| report_action = import_report_ui(ui, path, report));
            if !open {
                self.import_report = None;
            }
        }
        match report_action {
            Some(ReportAction::Fix) => {
                if let Some((path, report)) = self.import_report.take() {
                    let opts =
                        ImportOptions { columns: report.columns, fix_coordinates: true, ..ImportOptions::default() };
                    self.load_in_background(ctx, path, opts);
                }
            }
            Some(ReportAction::Show(id)) => {
                let found = self.doc.editor.plan().accounts.iter().position(|a| a.id == id);
                match found {
                    Some(i) => self.actions.push(Action::FocusAccount(i as u32)),
                    None => self.notify(format!("Account {id} is not in the plan")),
                }
            }
            None => {}
        }

        let mut run_mapping = None;
        if let Some(m) = &mut self.column_mapping {
            let mut open = true;
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
                    run_mapping = Some((m.path.clone(), ImportOptions { columns, ..ImportOptions::default() }));
                }
            });
            if !open {
                self.column_mapping = None;
            }
        }
        if let Some((path, opts)) = run_mapping {
            self.column_mapping = None;
            self.load_in_background(ctx, path, opts);
        }
    }
}

/// What the import report asks for.
enum ReportAction {
    /// Import again, placing swapped and sign-lost rows at their corrected positions.
    Fix,
    /// Show the account with this id on the map.
    Show(String),
}

/// The import report: counts, the Fix offer, and every rejected, checked and skipped
/// row with its line (only the rows in view are laid out: a file of bad rows can list
/// a million of them).
fn import_report_ui(ui: &mut egui::Ui, path: &Path, report: &ImportReport) -> Option<ReportAction> {
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
        ui.horizontal(|ui| {
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
    // Rejected first, then the rows to check, then the skipped lines.
    let row = |i: usize| -> (&str, u64, &str, Option<&str>) {
        if let Some(r) = rejected.get(i) {
            return ("rejected", r.line, &r.reason, None);
        }
        let i = i - rejected.len();
        if let Some(w) = warnings.get(i) {
            return ("check", w.line, &w.reason, w.at.map(|_| w.id.as_str()));
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
                    Some(id) => {
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
                ui.label(reason);
            });
        }
    });
    action
}
