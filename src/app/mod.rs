//! The editor: eframe + egui + walkers on top of the core.
//!
//! [`TerritoryApp`] owns one [`Document`] (the [`Editor`] and the grid: what
//! is saved), one [`UiState`] (tool, selection, previews, open dialogs: what is on
//! screen) and the queue of [`Action`]s. Views read the document, change only the UI
//! state and queue actions: every panel, bar, dialog and window (the balance panel and
//! its proposal, the Balance/Redraw form, the file, update and recovery windows) is a
//! free function of the document (or what it shows of it), the UI state and the
//! action queue. Actions are applied once per frame, after the views, so that no view
//! mutates the plan or starts a job; a question's answer is an action too ("Save
//! changes?" ▸ Save runs the same background save as Ctrl+S, and what waited for the
//! question follows once it lands: `UiState::after_save`). One table (`Action::label`, `icon`, `tooltip`,
//! `keys`, with the shortcut table) gives the menus, toolbar, tooltips, the Help window
//! and the key handler their words and keys.
//!
//! The folder: `document.rs` (the plan, its editor and indexes), `actions.rs` (tools,
//! actions, the action table, shortcuts and what each action does), `settings.rs`, `files/` (file jobs
//! and windows), `map/`, `panel/`, `optimize_ui.rs` (Balance and Redraw), `recover.rs`
//! (autosave and recovery), `scenarios.rs` (what the scenario actions do),
//! `selection.rs`, `tiles.rs`; the app's frame is here.

mod actions;
mod document;
mod files;
mod map;
mod optimize_ui;
mod panel;
mod recover;
mod scenarios;
pub mod selection;
mod settings;
pub mod tiles;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Key, KeyboardShortcut, Modifiers};
use walkers::{HttpTiles, MapMemory};

use crate::basemap::Basemap;
use crate::edit::{Command, Editor};
use crate::io::csv_import::{self, ImportOptions, ImportReport};
use crate::model::{AccountSet, Plan, TerritoryIdx};
use selection::{Combine, Selection};

pub use actions::*;
pub use document::*;
pub use map::{AUTO_AREAS_ABOVE, Areas, AreasSetting};
pub use settings::*;

/// The bundled demo accounts, imported when no file is given.
pub const DEMO_CSV: &[u8] = include_bytes!("../../assets/demo_accounts_us.csv");

/// A message for the status bar.
#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// The editor application: the document, what the user is doing on screen, the queue
/// of actions the views pushed this frame, and the machinery (basemap, tiles, worker
/// tasks, recovery, caches).
pub struct TerritoryApp {
    /// The plan, its editor and its file: what is saved.
    pub doc: Document,
    /// Tool, selection, view state and open dialogs: what is on screen.
    pub ui: UiState,
    /// What the views asked for this frame, applied after they ran.
    actions: Vec<Action>,
    basemap: Option<Arc<Basemap>>,
    map_memory: MapMemory,
    /// Fit the view to the plan for this many more frames (panels settle first).
    fit_pending: u8,
    /// The map's size, zoom and centre right after the last fit to the plan: while the
    /// map is not moved from there, a window that changes size is fitted again.
    fitted: Option<map::Fitted>,
    pub settings: Settings,
    tiles: Option<HttpTiles>,
    tile_url: String,
    tile_cache: PathBuf,
    tasks: files::Tasks,
    allow_close: bool,
    window_title: String,
    /// CPU time of the last frame's UI code, in milliseconds.
    last_frame_ms: f64,
    /// When the program started, to report the time to the first frame.
    started: Option<std::time::Instant>,
    /// A Balance or Redraw proposal shown for Apply or Discard.
    pending: Option<optimize_ui::Pending>,
    dots: map::DotLayer,
    /// Autosave: the recovery journal, and the offer to restore a crashed session.
    recovery: recover::Recovery,
    /// The last frame's map transform (for tests and hover).
    last_transform: Option<map::MapTransform>,
    /// Whether this frame's map shows the territory areas (the names then stay inside
    /// them).
    areas_drawn: bool,
}

/// What the user is doing on screen: the tool, the selection, the gesture being drawn,
/// previews, sorting, searches, and the dialogs and questions that are open. Nothing
/// here is saved with the plan.
#[derive(Default)]
pub struct UiState {
    pub tool: Tool,
    pub(in crate::app) selection: Selection,
    /// Bumped whenever the selection changes (the dot texture shows it).
    pub(in crate::app) selection_version: u64,
    /// The lasso or rectangle being drawn, in screen points.
    pub(in crate::app) gesture: Vec<egui::Pos2>,
    /// The selection when the current gesture started.
    pub(in crate::app) gesture_base: Option<AccountSet>,
    /// The territory whose assignment is previewed (`Some(None)`: Unassigned).
    pub(in crate::app) preview: Option<Option<TerritoryIdx>>,
    /// The preview asked for by what the pointer hovered late in the last frame.
    pub(in crate::app) preview_next: Option<Option<TerritoryIdx>>,
    /// The territory highlighted by a click on its row.
    pub(in crate::app) highlighted: Option<TerritoryIdx>,
    /// A capacity being dragged in the table: shown (and its deviations previewed)
    /// while the drag lasts, one undoable edit when it ends.
    pub(in crate::app) capacity_draft: Option<(TerritoryIdx, f64)>,
    /// The regions collapsed in the table, by id (ids survive undo and reloads).
    pub(in crate::app) collapsed_regions: std::collections::BTreeSet<String>,
    /// The map's dots coloured by region instead of territory.
    pub(in crate::app) color_by_region: bool,
    /// The Changes map mode: the scenario the one on screen is compared with (the
    /// accounts that differ drawn in their colour, emphasised, the rest faint).
    pub(in crate::app) changes_against: Option<usize>,
    /// The accounts that differ, for (plan revision, against, on screen).
    pub(in crate::app) changes_cache: Option<((u64, usize, usize), AccountSet)>,
    pub(in crate::app) sort: panel::Sort,
    pub(in crate::app) area_counties: bool,
    pub(in crate::app) search: String,
    /// The last search: (query, plan revision) and its hits.
    pub(in crate::app) search_hits: Option<((String, u64), Vec<u32>)>,
    pub(in crate::app) assign_find: String,
    pub(in crate::app) focus_find: bool,
    /// The message in the status bar.
    pub(in crate::app) notice: Option<Notice>,
    pub(in crate::app) import_report: Option<(PathBuf, ImportReport)>,
    /// The report of the last update of the accounts, while its window is open.
    pub(in crate::app) update_report: Option<files::UpdateSummary>,
    /// An update that would remove more than a tenth of the accounts, asking first.
    pub(in crate::app) update_consent: Option<(PathBuf, String)>,
    pub(in crate::app) column_mapping: Option<files::ColumnMapping>,
    /// A typed path, when no system file dialog is available.
    pub(in crate::app) path_prompt: Option<(files::Purpose, String)>,
    pub(in crate::app) dialog: Option<panel::Dialog>,
    /// What to do once the unsaved-changes question is answered.
    pub(in crate::app) confirm: Option<files::AfterConfirm>,
    /// What to do once the save that question started has landed (nothing if it fails
    /// or is cancelled).
    pub(in crate::app) after_save: Option<files::AfterConfirm>,
    pub(in crate::app) optimize_form: Option<optimize_ui::Form>,
    /// The territory whose rep's home the next click on the map sets.
    pub(in crate::app) placing_home: Option<TerritoryIdx>,
    /// The file a Save would overwrite although it changed on disk: asked first.
    pub(in crate::app) overwrite_prompt: Option<PathBuf>,
    /// The comparison of two scenarios, while its window is open.
    pub(in crate::app) compare: Option<panel::CompareView>,
    /// The balance panel hidden: the map takes the whole window.
    pub(in crate::app) panel_hidden: bool,
}

impl TerritoryApp {
    /// An app on a document, with default settings and no online tiles: what tests use.
    pub fn new(doc: Document) -> TerritoryApp {
        TerritoryApp::with_basemap(doc, load_basemap())
    }

    fn with_basemap(doc: Document, basemap: Option<Arc<Basemap>>) -> TerritoryApp {
        TerritoryApp {
            doc,
            ui: UiState::default(),
            actions: Vec::new(),
            basemap,
            map_memory: MapMemory::default(),
            fit_pending: 6,
            fitted: None,
            settings: Settings::default(),
            tiles: None,
            tile_url: tiles::OSM_URL.to_owned(),
            tile_cache: tiles::default_cache_dir(),
            tasks: files::Tasks::default(),
            allow_close: false,
            window_title: String::new(),
            started: None,
            last_frame_ms: 0.0,
            last_transform: None,
            areas_drawn: false,
            pending: None,
            dots: map::DotLayer::default(),
            recovery: recover::Recovery::default(),
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

    /// Updates the accounts from a new CRM export in the background, as File ▸ Update
    /// accounts from CSV… does with the file it picks.
    pub fn update_accounts_from(&mut self, path: PathBuf) {
        self.actions.push(Action::UpdateAccountsFrom(path, false));
    }

    /// The map's centre (lon, lat) and zoom in the last frame.
    pub fn view(&self) -> Option<(f64, f64, f64)> {
        let t = self.last_transform?;
        let v = t.view(self.map_memory.zoom());
        Some((v.center_lon, v.center_lat, v.zoom))
    }

    /// Puts the map's view into the settings kept between sessions: the place the
    /// manager moved it to, or none while it is still fitted to the plan, so that the
    /// next start fits the plan to that window (a view remembered from a wide screen
    /// cut the plan off on a narrower projector).
    pub fn remember_view(&mut self) {
        self.settings.map = if self.fitted.is_some() { None } else { Some(self.map_memory.clone()) };
    }

    /// Fits the map to the plan's accounts on the next frames.
    pub fn zoom_to_plan(&mut self) {
        self.fit_pending = 2;
    }

    /// The selected accounts.
    pub fn selection(&self) -> &AccountSet {
        self.ui.selection.accounts()
    }

    /// The map's transform in the last frame (screen ↔ Web Mercator).
    pub fn map_transform(&self) -> Option<map::MapTransform> {
        self.last_transform
    }

    /// The status bar's notice, if any.
    pub fn notice(&self) -> Option<&Notice> {
        self.ui.notice.as_ref()
    }

    fn apply_theme(&self, ctx: &egui::Context) {
        ctx.set_theme(if self.settings.dark { egui::Theme::Dark } else { egui::Theme::Light });
    }

    fn notify(&mut self, text: impl Into<String>) {
        self.ui.notice = Some(Notice { text: text.into(), error: false });
    }

    fn fail(&mut self, text: impl Into<String>) {
        let text = text.into();
        log::warn!("{text}");
        self.ui.notice = Some(Notice { text, error: true });
    }

    /// Replaces the document (after an open or import).
    fn set_document(&mut self, doc: Document) {
        self.doc = doc;
        // The last file's import report is about another document now.
        self.ui.import_report = None;
        self.journal_begin();
        self.clear_view_state();
        self.fit_pending = 3;
        if let Some(v) = self.doc.editor.plan().view {
            self.map_memory.center_at(walkers::lon_lat(v.center_lon, v.center_lat));
            let _ = self.map_memory.set_zoom(v.zoom);
            self.fit_pending = 0;
        }
    }

    /// What belongs to the document on screen and goes with it: the selection, the
    /// highlighted territory, the preview.
    fn clear_view_state(&mut self) {
        self.ui.selection = Selection::default();
        self.ui.selection_version += 1;
        self.ui.highlighted = None;
        self.ui.preview = None;
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
        self.ui.selection.refresh_if_stale(&self.doc.editor, self.doc.editor.revision());
        // A row hovered in the last frame previews in this one.
        self.ui.preview = self.ui.preview_next.take();

        egui::Panel::top("menu").show(ui, |ui| {
            panel::menu_bar(ui, &self.doc, &mut self.ui, &mut self.settings, &mut self.actions);
        });
        egui::Panel::top("toolbar").show(ui, |ui| panel::toolbar(ui, &self.doc, &mut self.ui, &mut self.actions));
        let busy = self
            .busy()
            .map(|what| panel::Busy {
                what: what.to_owned(),
                fraction: self.busy_fraction(),
                cancel: Some(Action::CancelJob),
            })
            .or_else(|| self.writing_busy());
        let frame_ms = self.settings.show_frame_time.then_some(self.last_frame_ms);
        // The areas drawn on a background thread, once that takes a while.
        let areas_working = self.areas_drawn && self.doc.areas.working_for().is_some_and(|t| t >= map::SHOW_WORK_AFTER);
        egui::Panel::bottom("status")
            .show(ui, |ui| panel::status_bar(ui, &self.ui, (busy, areas_working), frame_ms, &mut self.actions));
        // In a narrow window the map keeps over two-fifths of it, whatever width was
        // remembered (the table then leaves out two columns to fit).
        let width = ctx.content_rect().width();
        // (Below the width where the Capacity column goes too, the panel keeps what the
        // narrowest table needs, 625 points.)
        let least = if width < panel::CAPACITY_COLUMN_MIN_WIDTH { 625.0 } else { 420.0 };
        let panel_max = if width < panel::WIDE_TABLE_MIN_WIDTH { (width * 0.56).max(least) } else { f32::INFINITY };
        // Hidden on request, but never while a proposal waits for Apply or Discard.
        if !self.ui.panel_hidden || self.pending.is_some() {
            egui::Panel::right("balance")
                .resizable(true)
                .default_size(600.0)
                .min_size(420.0)
                .max_size(panel_max)
                .show(ui, |ui| self.balance_panel(ui));
        }
        egui::Panel::top("scenarios").show(ui, |ui| {
            panel::scenario_bar(ui, &self.doc, &mut self.ui, &mut self.actions);
        });
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
        self.remember_view();
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
