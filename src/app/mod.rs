//! The editor: eframe + egui + walkers on top of the core.
//!
//! [`TerritoryApp`] owns one [`Document`] (the [`Editor`] and the spatial index) and
//! the UI state around it. Views read the document and queue [`Action`]s; actions are
//! applied once per frame, after the views, so that no view mutates the plan.

mod files;
mod map;
mod optimize_ui;
mod panel;
mod recover;
pub mod selection;
pub mod tiles;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Key, KeyboardShortcut, Modifiers};
use walkers::{HttpTiles, MapMemory};

use crate::basemap::Basemap;
use crate::edit::{Command, Editor};
use crate::io::csv_import::{self, ImportOptions, ImportReport};
use crate::model::{AccountSet, Plan, TerritoryIdx};
use crate::spatial::SpatialIndex;
use selection::{Combine, Selection};

/// The bundled demo accounts, imported when no file is given.
pub const DEMO_CSV: &[u8] = include_bytes!("../../assets/demo_accounts_us.csv");

/// A value computed on a background thread, waited for on first use.
pub struct Deferred<T> {
    value: std::sync::OnceLock<T>,
    job: std::sync::Mutex<Option<std::thread::JoinHandle<T>>>,
}

impl<T: Send + 'static> Deferred<T> {
    /// Starts computing the value on its own thread.
    pub fn spawn(f: impl FnOnce() -> T + Send + 'static) -> Deferred<T> {
        Deferred { value: std::sync::OnceLock::new(), job: std::sync::Mutex::new(Some(std::thread::spawn(f))) }
    }

    /// The value, waiting for the thread if it is still at work. A panic on that
    /// thread (a bug) is passed on.
    pub fn get(&self) -> &T {
        self.value.get_or_init(|| match self.take_job() {
            Some(job) => job.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            None => unreachable!("the job is taken only here, once"),
        })
    }

    /// The value if it is ready, without waiting.
    pub fn try_get(&self) -> Option<&T> {
        if let Some(v) = self.value.get() {
            return Some(v);
        }
        let finished = self
            .job
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(std::thread::JoinHandle::is_finished);
        finished.then(|| self.get())
    }

    fn take_job(&self) -> Option<std::thread::JoinHandle<T>> {
        self.job.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
    }
}

/// A plan being edited: the editor, its spatial index, and where it came from.
pub struct Document {
    pub editor: Editor,
    /// The R-tree: nearest account, envelope and lon/lat queries. Built on a
    /// background thread after the plan opens (0.3 s at a million accounts): drawing
    /// and lasso selection use the grid and do not wait for it.
    pub index: Deferred<SpatialIndex>,
    /// The grid: exact lasso and rectangle selection as index ranges.
    pub grid: crate::grid::Grid,
    /// The `.ron` file it is saved to; `None` for the demo and for imported CSV.
    pub path: Option<PathBuf>,
    /// The window title's name.
    pub title: String,
    /// The accounts' adjacency for Balance and Redraw, computed by the first of them
    /// (positions never change within a document).
    pub adjacency: Option<Arc<crate::quality::Adjacency>>,
    /// What the plan was opened from, with the fingerprint of its bytes: the base of
    /// the recovery journal. `None` for a plan made here (nothing to replay onto).
    pub origin: Option<crate::recovery::Base>,
    /// The size and modification time of `path` when it was opened or saved: a file
    /// changed since (someone else saved it) is not overwritten without asking.
    pub disk: Option<recover::DiskStamp>,
}

impl Document {
    /// Wraps a plan, sorting its accounts into grid order and building the indexes and
    /// metrics (O(N log N)).
    pub fn new(plan: Plan, path: Option<PathBuf>, title: String) -> Document {
        let (plan, grid) = crate::grid::sort_plan(plan);
        Document::with_grid(plan, grid, path, title)
    }

    /// Wraps a plan already in grid order with its grid (as
    /// [`csv_import::import_bytes_sorted`] gives them): the metrics on two cores, the
    /// R-tree on a background thread.
    pub fn with_grid(plan: Plan, grid: crate::grid::Grid, path: Option<PathBuf>, title: String) -> Document {
        let editor = Editor::with_positions(plan, grid.xs(), grid.ys());
        // The plan is shared with the builder only while it copies the positions.
        let plan = editor.snapshot();
        let index = Deferred::spawn(move || {
            let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
            drop(plan);
            SpatialIndex::build(positions)
        });
        Document { editor, index, grid, path, title, adjacency: None, origin: None, disk: None }
    }

    /// The bundled demo plan.
    pub fn demo() -> Document {
        match csv_import::import_bytes_sorted(DEMO_CSV, "demo_accounts_us.csv", &ImportOptions::default()) {
            Ok((plan, grid, _)) => {
                let mut doc = Document::with_grid(plan, grid, None, "Demo plan (US, 50,000 accounts)".to_owned());
                let hash = crate::recovery::fingerprint(DEMO_CSV);
                doc.origin = Some(crate::recovery::Base { origin: crate::recovery::Origin::Demo, hash });
                doc
            }
            Err(e) => {
                log::error!("the bundled demo did not import: {e}");
                Document::new(Plan::default(), None, "Empty plan".to_owned())
            }
        }
    }
}

/// The editing tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Tool {
    Pan,
    Lasso,
    Rectangle,
    Click,
    Area,
}

impl Tool {
    pub const ALL: [Tool; 5] = [Tool::Pan, Tool::Lasso, Tool::Rectangle, Tool::Click, Tool::Area];

    pub fn label(self) -> &'static str {
        match self {
            Tool::Pan => "✋ Pan",
            Tool::Lasso => "➰ Lasso",
            Tool::Rectangle => "⬜ Rectangle",
            Tool::Click => "👆 Click",
            Tool::Area => "🗺 Area",
        }
    }

    pub fn key(self) -> Key {
        match self {
            Tool::Pan => Key::P,
            Tool::Lasso => Key::L,
            Tool::Rectangle => Key::R,
            Tool::Click => Key::C,
            Tool::Area => Key::A,
        }
    }

    pub fn tooltip(self) -> &'static str {
        match self {
            Tool::Pan => "Pan and zoom the map (P). Hold Space to pan in any tool; the wheel zooms.",
            Tool::Lasso => "Draw around accounts to select them (L). Shift adds, Ctrl removes.",
            Tool::Rectangle => "Drag a rectangle to select accounts (R). Shift adds, Ctrl removes.",
            Tool::Click => "Click an account to select it (C). Shift adds, Ctrl removes.",
            Tool::Area => "Click a state, or a county when zoomed in, to select its accounts (A).",
        }
    }
}

/// Something the user asked for, applied after the frame's views ran.
#[derive(Debug, Clone)]
pub enum Action {
    Edit(Command),
    Undo,
    Redo,
    Select(AccountSet, Combine),
    /// The lasso being drawn: the selection it started from, combined with what it
    /// holds so far.
    LiveSelect(AccountSet, Combine),
    ClearSelection,
    /// Assign the selection to a territory (`None`: Unassigned).
    AssignSelection(Option<TerritoryIdx>),
    /// Assign the selection to the n-th live territory (keys 1–9, 0).
    AssignToNth(usize),
    FocusAccount(u32),
    Open,
    OpenPath(PathBuf),
    ImportCsv,
    Save,
    SaveAs,
    /// Save over a file that changed on disk since it was opened (the user said so).
    SaveOverwrite,
    Export,
    ZoomToPlan,
    NewTerritory,
    /// Open the Balance… or Redraw… form.
    OpenOptimize(optimize_ui::Kind),
    RunOptimize(Box<optimize_ui::Form>),
    ApplyProposal,
    DiscardProposal,
}

/// Preferences kept between runs (never the plan itself).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub dark: bool,
    pub online_tiles: bool,
    pub show_counties: bool,
    pub map: Option<MapMemory>,
    /// Show the CPU time of the last frame in the status bar.
    pub show_frame_time: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            dark: false,
            online_tiles: false,
            show_counties: true,
            map: None,
            show_frame_time: false,
        }
    }
}

impl Settings {
    /// Puts a file at the top of the recent list.
    pub fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_owned());
        self.recent.truncate(10);
    }
}

const SETTINGS_KEY: &str = "territory-editor-settings";

/// A message for the status bar.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// The editor application.
pub struct TerritoryApp {
    pub doc: Document,
    /// Counts edits, undos and redos, so that derived views know when to refresh.
    generation: u64,
    basemap: Option<Arc<Basemap>>,
    map_memory: MapMemory,
    /// Fit the view to the plan for this many more frames (panels settle first).
    fit_pending: u8,
    pub tool: Tool,
    selection: Selection,
    /// The lasso or rectangle being drawn, in screen points.
    gesture: Vec<egui::Pos2>,
    /// The selection when the current gesture started.
    gesture_base: Option<AccountSet>,
    /// The territory whose assignment is previewed (`Some(None)`: Unassigned).
    preview: Option<Option<TerritoryIdx>>,
    /// The preview asked for by what the pointer hovered late in the last frame.
    preview_next: Option<Option<TerritoryIdx>>,
    /// The territory highlighted by a click on its row.
    highlighted: Option<TerritoryIdx>,
    sort: panel::Sort,
    area_counties: bool,
    search: String,
    /// The last search: (query, plan generation) and its hits.
    search_hits: Option<((String, u64), Vec<u32>)>,
    assign_find: String,
    focus_find: bool,
    pub settings: Settings,
    tiles: Option<HttpTiles>,
    tile_url: String,
    tile_cache: PathBuf,
    notice: Option<Notice>,
    tasks: files::Tasks,
    import_report: Option<(PathBuf, ImportReport)>,
    column_mapping: Option<files::ColumnMapping>,
    /// A typed path, when no system file dialog is available.
    path_prompt: Option<(files::Purpose, String)>,
    dialog: Option<panel::Dialog>,
    /// What to do once the unsaved-changes question is answered.
    confirm: Option<files::AfterConfirm>,
    allow_close: bool,
    close_after_save: bool,
    window_title: String,
    /// CPU time of the last frame's UI code, in milliseconds.
    last_frame_ms: f64,
    /// When the program started, to report the time to the first frame.
    started: Option<std::time::Instant>,
    /// Bumped whenever the selection changes (the dot texture shows it).
    selection_version: u64,
    optimize_form: Option<optimize_ui::Form>,
    /// A Balance or Redraw proposal shown for Apply or Discard.
    pending: Option<optimize_ui::Pending>,
    /// The territory whose rep's home the next click on the map sets.
    placing_home: Option<TerritoryIdx>,
    dots: map::DotLayer,
    /// Autosave: the recovery journal, and the offer to restore a crashed session.
    recovery: recover::Recovery,
    /// The file a Save would overwrite although it changed on disk: asked first.
    overwrite_prompt: Option<PathBuf>,
    /// The last frame's map transform (for tests and hover).
    last_transform: Option<map::MapTransform>,
    actions: Vec<Action>,
}

impl TerritoryApp {
    /// An app on a document, with default settings and no online tiles: what tests use.
    pub fn new(doc: Document) -> TerritoryApp {
        TerritoryApp::with_basemap(doc, load_basemap())
    }

    fn with_basemap(doc: Document, basemap: Option<Arc<Basemap>>) -> TerritoryApp {
        TerritoryApp {
            doc,
            generation: 0,
            basemap,
            map_memory: MapMemory::default(),
            fit_pending: 6,
            tool: Tool::Pan,
            selection: Selection::default(),
            gesture: Vec::new(),
            gesture_base: None,
            preview: None,
            preview_next: None,
            highlighted: None,
            sort: panel::Sort::default(),
            area_counties: false,
            search: String::new(),
            search_hits: None,
            assign_find: String::new(),
            focus_find: false,
            settings: Settings::default(),
            tiles: None,
            tile_url: tiles::OSM_URL.to_owned(),
            tile_cache: tiles::default_cache_dir(),
            notice: None,
            tasks: files::Tasks::default(),
            import_report: None,
            column_mapping: None,
            path_prompt: None,
            dialog: None,
            confirm: None,
            allow_close: false,
            close_after_save: false,
            window_title: String::new(),
            started: None,
            last_frame_ms: 0.0,
            last_transform: None,
            selection_version: 0,
            optimize_form: None,
            pending: None,
            placing_home: None,
            dots: map::DotLayer::default(),
            actions: Vec::new(),
            recovery: recover::Recovery::default(),
            overwrite_prompt: None,
        }
    }

    /// The app as eframe starts it: settings restored, the file (or the demo) opened.
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, file: Option<PathBuf>) -> TerritoryApp {
        let t0 = std::time::Instant::now();
        let settings: Settings = cc.storage.and_then(|s| eframe::get_value(s, SETTINGS_KEY)).unwrap_or_default();
        // The basemap parses on a second core while the demo imports.
        let basemap = std::thread::spawn(load_basemap);
        // With a file to open, start empty rather than import the demo for nothing.
        let first = match &file {
            Some(path) => Document::new(Plan::default(), None, format!("Opening {}…", path.display())),
            None => Document::demo(),
        };
        log::info!("start-up plan ready in {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
        let mut app = TerritoryApp::with_basemap(first, basemap.join().ok().flatten());
        log::info!("editor ready (basemap loaded) after {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
        // The map as it was left, if it shows this plan; another plan's place (the
        // last session's file was elsewhere) would open on an empty map.
        if let Some(map) = settings.map.clone()
            && map.detached().is_some_and(|c| app.doc_covers(c.x(), c.y()))
        {
            app.map_memory = map;
            app.fit_pending = 0;
        }
        app.settings = settings;
        app.apply_theme(&cc.egui_ctx);
        style_for_projector(&cc.egui_ctx);
        if let Some(dir) = recover::data_dir() {
            app.set_data_dir(dir);
        }
        if let Some(path) = file {
            app.fit_pending = 6;
            app.actions.push(Action::OpenPath(path));
        }
        app
    }

    /// Whether (lon, lat) lies within the bounding box of the plan's accounts.
    fn doc_covers(&self, lon: f64, lat: f64) -> bool {
        let a = &self.doc.editor.plan().accounts;
        let (lons, lats) = (a.lon(), a.lat());
        let span = |v: &[f64]| v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        let ((x0, x1), (y0, y1)) = (span(lons), span(lats));
        !lons.is_empty() && (x0..=x1).contains(&lon) && (y0..=y1).contains(&lat)
    }

    /// Uses another tile server (tests point this at localhost).
    pub fn set_tile_source(&mut self, url_template: &str, cache: PathBuf) {
        self.tile_url = url_template.to_owned();
        self.tile_cache = cache;
        self.tiles = None;
    }

    /// Switches the online tile layer on or off.
    pub fn set_online_tiles(&mut self, on: bool) {
        self.settings.online_tiles = on;
        if !on {
            self.tiles = None;
        }
    }

    /// Points the map at (lon, lat) with a zoom level (0–26).
    pub fn set_view(&mut self, lon: f64, lat: f64, zoom: f64) {
        self.map_memory.center_at(walkers::lon_lat(lon, lat));
        let _ = self.map_memory.set_zoom(zoom);
        self.fit_pending = 0;
    }

    /// Opens a plan (`.ron`) or accounts (`.csv`) in the background, as a drop or the
    /// command line does.
    pub fn open_path(&mut self, path: PathBuf) {
        self.actions.push(Action::OpenPath(path));
    }

    /// The map's centre (lon, lat) and zoom in the last frame.
    pub fn view(&self) -> Option<(f64, f64, f64)> {
        let t = self.last_transform?;
        let v = t.view(self.map_memory.zoom());
        Some((v.center_lon, v.center_lat, v.zoom))
    }

    /// Fits the map to the plan's accounts on the next frames.
    pub fn zoom_to_plan(&mut self) {
        self.fit_pending = 2;
    }

    /// The selected accounts.
    pub fn selection(&self) -> &AccountSet {
        self.selection.accounts()
    }

    /// The map's transform in the last frame (screen ↔ Web Mercator).
    pub fn map_transform(&self) -> Option<map::MapTransform> {
        self.last_transform
    }

    /// The status bar's notice, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    fn apply_theme(&self, ctx: &egui::Context) {
        ctx.set_theme(if self.settings.dark { egui::Theme::Dark } else { egui::Theme::Light });
    }

    fn notify(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: text.into(), error: false });
    }

    fn fail(&mut self, text: impl Into<String>) {
        let text = text.into();
        log::warn!("{text}");
        self.notice = Some(Notice { text, error: true });
    }

    /// Replaces the document (after an open or import).
    fn set_document(&mut self, doc: Document) {
        self.doc = doc;
        self.journal_begin();
        self.generation += 1;
        self.selection = Selection::default();
        self.selection_version += 1;
        self.highlighted = None;
        self.preview = None;
        self.fit_pending = 3;
        if let Some(v) = self.doc.editor.plan().view {
            self.map_memory.center_at(walkers::lon_lat(v.center_lon, v.center_lat));
            let _ = self.map_memory.set_zoom(v.zoom);
            self.fit_pending = 0;
        }
    }

    /// The whole UI, one frame. `eframe::App::ui` and the tests call this.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let frame_start = std::time::Instant::now();
        self.show_inner(ui);
        self.last_frame_ms = frame_start.elapsed().as_secs_f64() * 1000.0;
    }

    fn show_inner(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if let Some(t0) = self.started.take() {
            log::info!("first frame after {:.0} ms", t0.elapsed().as_secs_f64() * 1000.0);
        }
        self.poll_tasks(&ctx);
        self.handle_dropped_files(&ctx);
        self.handle_shortcuts(&ctx);
        self.handle_close_request(&ctx);
        self.selection.refresh_if_stale(&self.doc.editor, self.generation);
        // A row hovered in the last frame previews in this one.
        self.preview = self.preview_next.take();

        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        egui::Panel::right("balance")
            .resizable(true)
            .default_size(600.0)
            .min_size(420.0)
            .show(ui, |ui| self.balance_panel(ui));
        egui::CentralPanel::default().frame(egui::Frame::NONE).show(ui, |ui| self.map(ui));

        self.windows(&ctx);
        self.apply_actions(&ctx);
        let title =
            format!("{}{} — Territory Editor", if self.doc.editor.is_dirty() { "• " } else { "" }, self.doc.title);
        // Only on change: a viewport command asks for another frame.
        if title != self.window_title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.window_title = title;
        }
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        let sc = |m: Modifiers, k: Key| KeyboardShortcut::new(m, k);
        let cmd = Modifiers::COMMAND;
        let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        // Longer combinations first, so that Ctrl+Shift+Z is not taken for Ctrl+Z.
        let table = [
            (cmd_shift, Key::Z, Action::Redo),
            (cmd, Key::Y, Action::Redo),
            (cmd, Key::Z, Action::Undo),
            (cmd_shift, Key::S, Action::SaveAs),
            (cmd, Key::S, Action::Save),
            (cmd, Key::O, Action::Open),
            (cmd, Key::I, Action::ImportCsv),
            (cmd, Key::E, Action::Export),
        ];
        ctx.input_mut(|i| {
            for (m, k, action) in table {
                if i.consume_shortcut(&sc(m, k)) {
                    self.actions.push(action);
                }
            }
        });
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        ctx.input(|i| {
            if i.modifiers.command || i.modifiers.alt {
                return;
            }
            for tool in Tool::ALL {
                if i.key_pressed(tool.key()) {
                    self.tool = tool;
                }
            }
            if i.key_pressed(Key::Escape) && self.placing_home.take().is_some() {
                self.notify("Rep's home not set");
            } else if i.key_pressed(Key::Escape) {
                self.actions.push(Action::ClearSelection);
                self.gesture.clear();
                self.gesture_base = None;
            }
            if i.key_pressed(Key::T) {
                self.focus_find = true;
            }
            let digits = [
                Key::Num1,
                Key::Num2,
                Key::Num3,
                Key::Num4,
                Key::Num5,
                Key::Num6,
                Key::Num7,
                Key::Num8,
                Key::Num9,
                Key::Num0,
            ];
            for (n, k) in digits.iter().enumerate() {
                if i.key_pressed(*k) {
                    self.actions.push(Action::AssignToNth(n));
                }
            }
        });
    }

    fn apply_actions(&mut self, ctx: &egui::Context) {
        for action in std::mem::take(&mut self.actions) {
            self.apply_action(ctx, action);
        }
    }

    fn edit(&mut self, cmd: Command) {
        // The journal keeps the command (its size, not the plan's).
        let step = self.recovery.journaling().then(|| cmd.clone());
        match self.doc.editor.apply(cmd) {
            Ok(Some(cs)) => {
                let label = cs.label.clone();
                self.generation += 1;
                self.notify(label);
                if let Some(cmd) = step {
                    self.journal(crate::recovery::Step::Apply(cmd));
                }
            }
            Ok(None) => self.notify("Nothing changed (the accounts are locked or already there)"),
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn apply_action(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Edit(cmd) => self.edit(cmd),
            Action::OpenOptimize(kind) => {
                let live = self.doc.editor.plan().live_territories().count().max(1);
                self.optimize_form = Some(optimize_ui::Form::new(kind, live));
            }
            Action::RunOptimize(form) => self.run_optimize(ctx, &form),
            Action::ApplyProposal => self.apply_proposal(),
            Action::DiscardProposal => self.discard_proposal(),
            Action::Undo => {
                if let Some(cs) = self.doc.editor.undo() {
                    let label = format!("Undone: {}", cs.label);
                    self.generation += 1;
                    self.notify(label);
                    self.journal(crate::recovery::Step::Undo);
                }
            }
            Action::Redo => {
                if let Some(cs) = self.doc.editor.redo() {
                    let label = format!("Redone: {}", cs.label);
                    self.generation += 1;
                    self.notify(label);
                    self.journal(crate::recovery::Step::Redo);
                }
            }
            Action::Select(found, how) => {
                match self.gesture_base.take() {
                    Some(base) => self.selection.combine_from(&base, found, how, &self.doc.editor, self.generation),
                    None => self.selection.combine(found, how, &self.doc.editor, self.generation),
                }
                self.selection_version += 1;
            }
            Action::LiveSelect(found, how) => {
                let base = self.gesture_base.get_or_insert_with(|| self.selection.accounts().clone()).clone();
                self.selection.combine_from(&base, found, how, &self.doc.editor, self.generation);
                self.selection_version += 1;
            }
            Action::ClearSelection => {
                self.selection.clear();
                self.selection_version += 1;
            }
            Action::AssignSelection(to) => {
                if self.selection.is_empty() {
                    self.notify("Select accounts first: lasso (L), rectangle (R), click (C) or area (A)");
                } else {
                    let accounts = self.selection.accounts().clone();
                    self.edit(Command::Reassign { accounts, to });
                }
            }
            Action::AssignToNth(n) => {
                let t = self.doc.editor.plan().live_territories().nth(n).map(|(i, _)| i);
                match t {
                    Some(t) => self.apply_action(ctx, Action::AssignSelection(Some(t))),
                    None => self.notify(format!("There is no territory number {}", (n + 1) % 10)),
                }
            }
            Action::FocusAccount(i) => {
                let a = self.doc.editor.plan().accounts.get(i as usize);
                self.map_memory.center_at(walkers::lon_lat(a.lon, a.lat));
                let _ = self.map_memory.set_zoom(12.0);
                self.selection.combine(
                    AccountSet::from_indices(vec![i]),
                    Combine::Replace,
                    &self.doc.editor,
                    self.generation,
                );
            }
            Action::ZoomToPlan => self.zoom_to_plan(),
            Action::NewTerritory => {
                let plan = self.doc.editor.plan();
                let name = format!("Territory {}", plan.live_territories().count() + 1);
                let used: Vec<_> = plan.live_territories().map(|(_, t)| t.color).collect();
                self.edit(Command::CreateTerritory { name, color: crate::model::distinct_color(&used), rep: None });
                let slot = TerritoryIdx(self.doc.editor.plan().territories.len() as u32 - 1);
                self.dialog = Some(panel::Dialog::rename(self.doc.editor.plan(), slot));
            }
            Action::Open
            | Action::OpenPath(_)
            | Action::ImportCsv
            | Action::Save
            | Action::SaveAs
            | Action::SaveOverwrite
            | Action::Export => {
                self.file_action(ctx, action);
            }
        }
    }
}

/// A territory's colour as drawn: in the dark theme, dark colours are lightened so
/// that they stand out from the dark map.
pub(crate) fn territory_color(c: crate::model::Rgb, dark: bool) -> egui::Color32 {
    let [r, g, b] = c.0;
    let luma = 0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b);
    if dark && luma < 60.0 {
        let lift = |v: u8| (f32::from(v) + (255.0 - f32::from(v)) * 0.45) as u8;
        egui::Color32::from_rgb(lift(r), lift(g), lift(b))
    } else {
        egui::Color32::from_rgb(r, g, b)
    }
}

fn load_basemap() -> Option<Arc<Basemap>> {
    match Basemap::bundled() {
        Ok(b) => Some(Arc::new(b)),
        Err(e) => {
            log::error!("bundled basemap: {e}");
            None
        }
    }
}

/// Larger type than egui's default, legible on a projector.
pub fn style_for_projector(ctx: &egui::Context) {
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily, FontId, TextStyle};
        style.text_styles = [
            (TextStyle::Small, FontId::new(12.0, FontFamily::Proportional)),
            (TextStyle::Body, FontId::new(15.0, FontFamily::Proportional)),
            (TextStyle::Button, FontId::new(15.0, FontFamily::Proportional)),
            (TextStyle::Heading, FontId::new(20.0, FontFamily::Proportional)),
            (TextStyle::Monospace, FontId::new(14.0, FontFamily::Monospace)),
        ]
        .into();
        style.spacing.interact_size.y = 24.0;
    });
}

impl eframe::App for TerritoryApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.map = Some(self.map_memory.clone());
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }

    /// A clean exit: the user saved or chose to discard, so the recovery journal goes.
    fn on_exit(&mut self) {
        self.clean_exit();
    }
}

/// The app's name for eframe: where settings and recovery journals are kept.
pub const APP_ID: &str = "territory-editor";

/// Opens the editor window on `file`, or on the bundled demo.
pub fn run_native(file: Option<PathBuf>) -> Result<(), String> {
    let started = std::time::Instant::now();
    tiles::install_logger();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1600.0, 1000.0])
            .with_min_inner_size([900.0, 600.0])
            .with_title("Territory Editor")
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        APP_ID,
        options,
        Box::new(move |cc| {
            let mut app = TerritoryApp::from_creation_context(cc, file);
            app.started = Some(started);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| format!("could not open a window: {e}"))
}
