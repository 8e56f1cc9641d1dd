//! The tools and the actions the views queue, with their labels, keys and tooltips, and
//! what each action does.

use super::*;

/// The editing tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Tool {
    #[default]
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
    /// Open a file with these import options (the column mapping, the import report's
    /// Fix).
    OpenWith(PathBuf, Box<ImportOptions>),
    /// A path typed into the prompt that stands in for a system file dialog.
    Picked(files::Purpose, PathBuf),
    /// The answer to "Save changes?".
    Unsaved(files::UnsavedAnswer),
    /// Restore (`true`) or discard the edits recovered from a session that crashed.
    Recover(bool),
    ImportCsv,
    Save,
    SaveAs,
    /// Save over a file that changed on disk since it was opened (the user said so).
    SaveOverwrite,
    Export,
    /// The change list from the baseline to the scenario on screen.
    ExportChanges,
    /// A picture of the plan on screen (PNG or SVG) to hand out.
    ExportMap,
    /// The territory book of the scenario on screen (PDF).
    ExportBook,
    /// The territory shapes of the scenario on screen (GeoJSON).
    ExportShapes,
    /// Refresh the accounts from a new CRM export ([`crate::update`]).
    UpdateAccounts,
    /// Update the accounts from this export; `true`: even if that removes more than a
    /// tenth of them (the user said so).
    UpdateAccountsFrom(PathBuf, bool),
    ZoomToPlan,
    /// The window over the whole screen (the projector), or back.
    ToggleFullscreen,
    /// Hide or show the balance panel (the map takes the whole window).
    TogglePanel,
    /// Draw OpenStreetMap's tiles under the accounts, or stop.
    SetOnlineTiles(bool),
    /// A copy of the scenario on screen, shown.
    NewScenario,
    /// Open the comparison of two scenarios.
    OpenCompare,
    /// The Changes map mode: scenario `on` shown, the accounts that differ from
    /// `against` emphasised.
    ShowChanges {
        against: usize,
        on: usize,
    },
    SwitchScenario(usize),
    /// The next or previous scenario (wrapping around).
    NextScenario,
    PreviousScenario,
    RenameScenario(usize, String),
    DeleteScenario(usize),
    MakeBaseline(usize),
    NewTerritory,
    /// Open the Balance… or Redraw… form.
    OpenOptimize(optimize_ui::Kind),
    RunOptimize(Box<optimize_ui::Form>),
    ApplyProposal,
    /// Apply the proposal to a new scenario instead.
    ApplyProposalAsScenario,
    DiscardProposal,
    /// Stop the work in flight (its result is ignored).
    CancelJob,
    /// Stop the export with this job number (it writes no file).
    CancelWrite(u64),
}

/// The keyboard shortcuts of the file and edit actions: the one table that the key
/// handler, the menus, the toolbar's tooltips and the Help window read. Longer
/// combinations first, so that Ctrl+Shift+Z is not taken for Ctrl+Z.
pub(super) fn shortcuts() -> [(KeyboardShortcut, Action); 12] {
    let cmd = Modifiers::COMMAND;
    let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
    [
        (KeyboardShortcut::new(cmd_shift, Key::Z), Action::Redo),
        (KeyboardShortcut::new(cmd, Key::Y), Action::Redo),
        (KeyboardShortcut::new(cmd, Key::Z), Action::Undo),
        (KeyboardShortcut::new(cmd_shift, Key::S), Action::SaveAs),
        (KeyboardShortcut::new(cmd, Key::S), Action::Save),
        (KeyboardShortcut::new(cmd, Key::O), Action::Open),
        (KeyboardShortcut::new(cmd, Key::I), Action::ImportCsv),
        (KeyboardShortcut::new(cmd, Key::E), Action::Export),
        // As tabs switch in browsers and editors; the number keys assign.
        (KeyboardShortcut::new(cmd, Key::PageDown), Action::NextScenario),
        (KeyboardShortcut::new(cmd, Key::PageUp), Action::PreviousScenario),
        (KeyboardShortcut::new(Modifiers::NONE, Key::F11), Action::ToggleFullscreen),
        // As a side bar is hidden in code editors.
        (KeyboardShortcut::new(cmd, Key::B), Action::TogglePanel),
    ]
}

impl Action {
    /// The actions the menus, the toolbar and the Help window offer, in the Help
    /// window's order.
    pub(super) const COMMANDS: [Action; 18] = [
        Action::Undo,
        Action::Redo,
        Action::ClearSelection,
        Action::Open,
        Action::ImportCsv,
        Action::UpdateAccounts,
        Action::Save,
        Action::SaveAs,
        Action::Export,
        Action::NewTerritory,
        Action::OpenOptimize(optimize_ui::Kind::Balance),
        Action::OpenOptimize(optimize_ui::Kind::Redraw),
        Action::NewScenario,
        Action::OpenCompare,
        Action::NextScenario,
        Action::PreviousScenario,
        Action::ToggleFullscreen,
        Action::TogglePanel,
    ];

    /// Its name in menus and on buttons ("" for actions the views queue themselves).
    pub(super) fn label(&self) -> &'static str {
        match self {
            Action::Undo => "Undo",
            Action::Redo => "Redo",
            Action::ClearSelection => "Clear selection",
            Action::Open => "Open…",
            Action::ImportCsv => "Import accounts CSV…",
            Action::Save => "Save",
            Action::SaveAs => "Save as…",
            Action::Export => "Export assignments CSV…",
            Action::ExportChanges => "Export changes…",
            Action::ExportMap => "Export map…",
            Action::ExportBook => "Export territory book…",
            Action::ExportShapes => "Export territory shapes…",
            Action::UpdateAccounts => "Update accounts from CSV…",
            Action::NewTerritory => "New territory",
            Action::OpenOptimize(optimize_ui::Kind::Balance) => "Balance…",
            Action::OpenOptimize(optimize_ui::Kind::Redraw) => "Redraw…",
            Action::ZoomToPlan => "Zoom to plan",
            Action::ToggleFullscreen => "Full screen",
            Action::TogglePanel => "Show/hide the balance panel",
            Action::NewScenario => "New scenario",
            Action::OpenCompare => "Compare…",
            Action::NextScenario => "Next scenario",
            Action::PreviousScenario => "Previous scenario",
            _ => "",
        }
    }

    /// The icon the toolbar puts before the label.
    pub(super) fn icon(&self) -> &'static str {
        match self {
            Action::Undo => "⟲",
            Action::Redo => "⟳",
            Action::NewTerritory | Action::NewScenario => "➕",
            Action::OpenOptimize(optimize_ui::Kind::Balance) => "⚖",
            _ => "",
        }
    }

    /// What it does, for tooltips and the Help window.
    pub(super) fn tooltip(&self) -> &'static str {
        match self {
            Action::Undo => "Undo the last edit",
            Action::Redo => "Redo the edit last undone",
            Action::ClearSelection => "Clear the selection",
            Action::Open => "Open a plan (.ron) or accounts (.csv)",
            Action::ImportCsv => "Import accounts from a CSV file",
            Action::Save => "Save the plan",
            Action::SaveAs => "Save the plan under another name",
            Action::Export => "Export the assignments as CSV, for the CRM",
            Action::ExportMap => {
                "A picture of this scenario to hand out (PNG or SVG): the territory areas, their names, a legend with \
                 each territory's rep, accounts, workload and deviation, a scale bar"
            }
            Action::ExportBook => {
                "A PDF for the workshop and the reps: an overview page with the map and the balance table, then a \
                 page per territory with its map, its figures against target and its largest accounts"
            }
            Action::ExportShapes => {
                "The territory areas as GeoJSON with each territory's figures, for QGIS, ArcGIS or a web map"
            }
            Action::ExportChanges => {
                "Export the accounts that change territory from the baseline to this scenario, for the CRM"
            }
            Action::UpdateAccounts => {
                "Take a new CRM export: accounts keep their territories in every scenario, new ones join the \
                 territory of their nearest neighbour, missing ones are removed (one undo step)"
            }
            Action::NewTerritory => "Add an empty territory",
            Action::OpenOptimize(optimize_ui::Kind::Balance) => {
                "Bring every territory within a tolerance of the mean, moving as little as possible"
            }
            Action::OpenOptimize(optimize_ui::Kind::Redraw) => "Draw balanced, compact territories from scratch",
            Action::ZoomToPlan => "Fit the map to the plan's accounts",
            Action::ToggleFullscreen => "The window over the whole screen, for the projector (again to leave)",
            Action::TogglePanel => {
                "The map over the whole window, for a small screen or a projector (again to bring the panel back; \
                 a Balance or Redraw proposal always shows it)"
            }
            Action::NewScenario => "A copy of the scenario on screen, to change without touching this one",
            Action::OpenCompare => "Compare two scenarios: what changes hands, territory by territory and flow by flow",
            Action::NextScenario => "Show the next scenario",
            Action::PreviousScenario => "Show the previous scenario",
            _ => "",
        }
    }

    /// Its keys as the Help window lists them: the [`shortcuts`] table's, or the
    /// fixed keys of the map's key handler.
    pub(super) fn keys(&self, ctx: &egui::Context) -> String {
        match self {
            Action::ClearSelection => "Esc".to_owned(),
            a => shortcut_text(ctx, a),
        }
    }
}

/// A menu entry for `action`: its label (or `label`, e.g. "Undo Lasso"), its keys and
/// its tooltip, from the one table. Queues the action when clicked.
pub(super) fn menu_entry(
    ui: &mut egui::Ui,
    queue: &mut Vec<Action>,
    action: Action,
    enabled: bool,
    label: Option<String>,
) {
    let text = label.unwrap_or_else(|| action.label().to_owned());
    let button = egui::Button::new(text).shortcut_text(action.keys(ui.ctx()));
    if ui.add_enabled(enabled, button).on_hover_text(action.tooltip()).clicked() {
        queue.push(action);
    }
}

/// A toolbar button for `action`: icon and label, with the tooltip and keys from the
/// one table (or `tooltip`, e.g. what Undo would undo). Queues the action when clicked.
pub(super) fn tool_button(
    ui: &mut egui::Ui,
    queue: &mut Vec<Action>,
    action: Action,
    enabled: bool,
    tooltip: Option<String>,
) {
    let text = format!("{} {}", action.icon(), action.label()).trim().to_owned();
    let keys = action.keys(ui.ctx());
    let tip = tooltip.unwrap_or_else(|| action.tooltip().to_owned());
    let tip = if keys.is_empty() { tip } else { format!("{tip} ({keys})") };
    if ui.add_enabled(enabled, egui::Button::new(text)).on_hover_text(tip).clicked() {
        queue.push(action);
    }
}

/// The shortcuts of `action` as this platform writes them ("Ctrl+Shift+Z, Ctrl+Y"), or
/// "" when it has none.
pub(super) fn shortcut_text(ctx: &egui::Context, action: &Action) -> String {
    let same = |a: &Action| std::mem::discriminant(a) == std::mem::discriminant(action);
    let keys: Vec<String> = shortcuts().iter().filter(|(_, a)| same(a)).map(|(k, _)| ctx.format_shortcut(k)).collect();
    keys.join(", ")
}

impl TerritoryApp {
    pub(super) fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        ctx.input_mut(|i| {
            for (shortcut, action) in shortcuts() {
                if i.consume_shortcut(&shortcut) {
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
                    self.ui.tool = tool;
                }
            }
            if i.key_pressed(Key::Escape) && self.ui.placing_home.take().is_some() {
                self.notify("Rep's home not set");
            } else if i.key_pressed(Key::Escape) {
                self.actions.push(Action::ClearSelection);
                self.ui.gesture.clear();
                self.ui.gesture_base = None;
            }
            if i.key_pressed(Key::T) {
                self.ui.focus_find = true;
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

    pub(super) fn apply_actions(&mut self, ctx: &egui::Context) {
        for action in std::mem::take(&mut self.actions) {
            self.apply_action(ctx, action);
        }
    }

    pub(super) fn edit(&mut self, cmd: Command) {
        // The journal keeps the command (its size, not the plan's).
        let step = self.recovery.journaling().then(|| cmd.clone());
        match self.doc.editor.apply(cmd) {
            Ok(Some(cs)) => {
                let label = cs.label.clone();
                self.notify(label);
                if let Some(cmd) = step {
                    self.journal(crate::recovery::Step::Apply(cmd));
                }
            }
            Ok(None) => self.notify("Nothing changed (the accounts are locked or already there)"),
            Err(e) => self.fail(e.to_string()),
        }
    }

    pub(super) fn apply_action(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Edit(cmd) => self.edit(cmd),
            Action::OpenOptimize(kind) => {
                let live = self.doc.editor.plan().live_territories().count().max(1);
                self.ui.optimize_form = Some(optimize_ui::Form::new(kind, live));
            }
            Action::RunOptimize(form) => self.run_optimize(ctx, &form),
            Action::ShowChanges { against, on } => {
                self.ui.changes_against = Some(against);
                if on != self.doc.editor.plan().current {
                    self.actions.push(Action::SwitchScenario(on));
                }
            }
            Action::ApplyProposal => self.apply_proposal(),
            Action::ApplyProposalAsScenario => self.apply_proposal_as_scenario(),
            Action::DiscardProposal => self.discard_proposal(),
            Action::CancelJob => self.cancel_job(),
            Action::CancelWrite(job) => self.cancel_write(job),
            Action::Undo | Action::Redo => {
                let undo = matches!(action, Action::Undo);
                // Past the editor's history: the update of the accounts (a whole document).
                if undo && self.doc.editor.undo_label().is_none() && self.doc.before.is_some() {
                    return self.swap_update(true);
                }
                if !undo && self.doc.editor.redo_label().is_none() && self.doc.after.is_some() {
                    return self.swap_update(false);
                }
                let done = if undo { self.doc.editor.undo() } else { self.doc.editor.redo() };
                let Some(cs) = done else { return };
                let (label, scenarios) = (cs.label.clone(), cs.changes_scenarios());
                self.notify(format!("{}: {label}", if undo { "Undone" } else { "Redone" }));
                if scenarios {
                    // A scenario came or went: the journal takes the plan as it is.
                    self.discard_proposal();
                    self.scenarios_reordered();
                    self.journal_rebase();
                } else {
                    self.journal(if undo { crate::recovery::Step::Undo } else { crate::recovery::Step::Redo });
                }
            }
            Action::Select(found, how) => {
                match self.ui.gesture_base.take() {
                    Some(base) => {
                        self.ui.selection.combine_from(&base, found, how, &self.doc.editor, self.doc.editor.revision())
                    }
                    None => self.ui.selection.combine(found, how, &self.doc.editor, self.doc.editor.revision()),
                }
                self.ui.selection_version += 1;
            }
            Action::LiveSelect(found, how) => {
                let base = self.ui.gesture_base.get_or_insert_with(|| self.ui.selection.accounts().clone()).clone();
                self.ui.selection.combine_from(&base, found, how, &self.doc.editor, self.doc.editor.revision());
                self.ui.selection_version += 1;
            }
            Action::ClearSelection => {
                self.ui.selection.clear();
                self.ui.selection_version += 1;
            }
            Action::AssignSelection(to) => {
                if self.ui.selection.is_empty() {
                    self.notify("Select accounts first: lasso (L), rectangle (R), click (C) or area (A)");
                } else {
                    let accounts = self.ui.selection.accounts().clone();
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
                self.ui.selection.combine(
                    AccountSet::from_indices(vec![i]),
                    Combine::Replace,
                    &self.doc.editor,
                    self.doc.editor.revision(),
                );
            }
            Action::ZoomToPlan => self.zoom_to_plan(),
            Action::ToggleFullscreen => {
                let full = ctx.input(|i| i.viewport().fullscreen.unwrap_or(false));
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(!full));
            }
            Action::TogglePanel => self.ui.panel_hidden = !self.ui.panel_hidden,
            Action::SetOnlineTiles(on) => self.set_online_tiles(on),
            Action::OpenCompare => self.ui.compare = Some(panel::CompareView::new(self.doc.editor.plan())),
            Action::NewScenario
            | Action::SwitchScenario(_)
            | Action::NextScenario
            | Action::PreviousScenario
            | Action::RenameScenario(..)
            | Action::DeleteScenario(_)
            | Action::MakeBaseline(_) => self.scenario_action(action),
            Action::NewTerritory => {
                let plan = self.doc.editor.plan();
                let name = format!("Territory {}", plan.live_territories().count() + 1);
                let used: Vec<_> = plan.live_territories().map(|(_, t)| t.color).collect();
                self.edit(Command::CreateTerritory { name, color: crate::model::distinct_color(&used), rep: None });
                let slot = TerritoryIdx::new(self.doc.editor.plan().territories.len() as u32 - 1);
                self.ui.dialog = Some(panel::Dialog::rename(self.doc.editor.plan(), slot));
            }
            Action::Recover(restore) => self.recover(ctx, restore),
            Action::Open
            | Action::OpenPath(_)
            | Action::OpenWith(..)
            | Action::Picked(..)
            | Action::Unsaved(_)
            | Action::ImportCsv
            | Action::Save
            | Action::SaveAs
            | Action::SaveOverwrite
            | Action::Export
            | Action::ExportChanges
            | Action::ExportMap
            | Action::ExportBook
            | Action::ExportShapes
            | Action::UpdateAccounts
            | Action::UpdateAccountsFrom(..) => {
                self.file_action(ctx, action);
            }
        }
    }
}
