//! The balance panel, the menu bar, the toolbar, the status bar and the territory
//! dialogs. They read the document and queue [`Action`]s.

use egui::{Color32, RichText, Sense, Ui, Vec2};
use egui_extras::{Column, TableBuilder};

use super::{Action, TerritoryApp, Tool};
use crate::edit::Command;
use crate::format::{money_compact, percent, thousands};
use crate::metrics::{Balance, Totals, deviation};
use crate::model::{Plan, Rgb, TerritoryIdx};

/// The balance table's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Plan,
    Name,
    Accounts,
    Potential,
    Workload,
    Deviation,
}

/// Sort key and direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// A territory dialog in progress.
#[derive(Debug, Clone)]
pub enum Dialog {
    Rename { territory: TerritoryIdx, name: String, rep: String },
    Delete { territory: TerritoryIdx, to: Option<TerritoryIdx> },
    Shortcuts,
    About,
}

impl Dialog {
    /// The rename dialog, pre-filled.
    pub fn rename(plan: &Plan, t: TerritoryIdx) -> Dialog {
        let tt = &plan.territories[t.get()];
        Dialog::Rename { territory: t, name: tt.name.clone(), rep: tt.rep.clone().unwrap_or_default() }
    }
}

/// Up to `limit` accounts whose name or city contains `query` (lower case), whose id
/// is it, or whose ZIP starts with it, in plan order.
fn search_accounts(plan: &Plan, query: &str, limit: usize) -> Vec<u32> {
    let contains = |text: &str| text.to_lowercase().contains(query);
    plan.accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            contains(a.name)
                || a.id.eq_ignore_ascii_case(query)
                || a.city.is_some_and(contains)
                || a.zip.is_some_and(|z| z.starts_with(query))
        })
        .map(|(i, _)| i as u32)
        .take(limit)
        .collect()
}

fn rgb(c: Rgb, ui: &Ui) -> Color32 {
    super::territory_color(c, ui.visuals().dark_mode)
}

/// Green within ±5 %, amber within ±15 %, red beyond.
fn deviation_color(d: f64) -> Color32 {
    let a = d.abs();
    if a <= 0.05 {
        Color32::from_rgb(0x2e, 0x9e, 0x4f)
    } else if a <= 0.15 {
        Color32::from_rgb(0xe0, 0x9a, 0x1a)
    } else {
        Color32::from_rgb(0xd0, 0x3b, 0x2f)
    }
}

/// A bar centred on 0 for a deviation, ±50 % full scale, with a faint marker of the
/// value before a previewed change.
fn deviation_bar(ui: &mut Ui, width: f32, d: Option<f64>, before: Option<f64>) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, 18.0), Sense::hover());
    let p = ui.painter();
    p.rect_filled(rect, 2.0, ui.visuals().faint_bg_color);
    let mid = rect.center().x;
    p.line_segment(
        [egui::pos2(mid, rect.top()), egui::pos2(mid, rect.bottom())],
        ui.visuals().widgets.noninteractive.bg_stroke,
    );
    let x = |d: f64| mid + (d.clamp(-0.5, 0.5) as f32) * rect.width();
    if let Some(d) = d {
        let r = egui::Rect::from_x_y_ranges(mid.min(x(d))..=mid.max(x(d)), rect.y_range().shrink(3.0));
        p.rect_filled(r, 1.0, deviation_color(d));
    }
    if let Some(b) = before {
        let bx = x(b);
        p.line_segment(
            [egui::pos2(bx, rect.top()), egui::pos2(bx, rect.bottom())],
            egui::Stroke::new(2.0, ui.visuals().text_color()),
        );
    }
    response
}

impl TerritoryApp {
    pub(super) fn menu_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.add(egui::Button::new("Open…").shortcut_text("Ctrl+O")).clicked() {
                    self.actions.push(Action::Open);
                }
                if ui.add(egui::Button::new("Import accounts CSV…").shortcut_text("Ctrl+I")).clicked() {
                    self.actions.push(Action::ImportCsv);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label("(none yet)");
                    }
                    for p in self.settings.recent.clone() {
                        if ui.button(p.display().to_string()).clicked() {
                            self.actions.push(Action::OpenPath(p));
                        }
                    }
                });
                ui.separator();
                if ui.add(egui::Button::new("Save").shortcut_text("Ctrl+S")).clicked() {
                    self.actions.push(Action::Save);
                }
                if ui.add(egui::Button::new("Save as…").shortcut_text("Ctrl+Shift+S")).clicked() {
                    self.actions.push(Action::SaveAs);
                }
                if ui.add(egui::Button::new("Export assignments CSV…").shortcut_text("Ctrl+E")).clicked() {
                    self.actions.push(Action::Export);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("Edit", |ui| {
                let undo = self.doc.editor.undo_label().map(|l| format!("Undo {l}"));
                if ui.add_enabled(undo.is_some(), egui::Button::new(undo.unwrap_or_else(|| "Undo".into())).shortcut_text("Ctrl+Z")).clicked() {
                    self.actions.push(Action::Undo);
                }
                let redo = self.doc.editor.redo_label().map(|l| format!("Redo {l}"));
                if ui.add_enabled(redo.is_some(), egui::Button::new(redo.unwrap_or_else(|| "Redo".into())).shortcut_text("Ctrl+Shift+Z")).clicked() {
                    self.actions.push(Action::Redo);
                }
                ui.separator();
                let has_sel = !self.selection.is_empty();
                if ui.add_enabled(has_sel, egui::Button::new("Clear selection").shortcut_text("Esc")).clicked() {
                    self.actions.push(Action::ClearSelection);
                }
                let accounts = || self.selection.accounts().clone();
                if ui.add_enabled(has_sel, egui::Button::new("Lock selected accounts")).clicked() {
                    self.actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: true }));
                }
                if ui.add_enabled(has_sel, egui::Button::new("Unlock selected accounts")).clicked() {
                    self.actions.push(Action::Edit(Command::LockAccounts { accounts: accounts(), locked: false }));
                }
                if ui.button("New territory").clicked() {
                    self.actions.push(Action::NewTerritory);
                }
                ui.separator();
                if ui.button("Balance…").on_hover_text("Bring every territory within a tolerance, moving as little as possible").clicked() {
                    self.actions.push(Action::OpenOptimize(super::optimize_ui::Kind::Balance));
                }
                if ui.button("Redraw…").on_hover_text("Draw balanced, compact territories from scratch").clicked() {
                    self.actions.push(Action::OpenOptimize(super::optimize_ui::Kind::Redraw));
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Zoom to plan").clicked() {
                    self.actions.push(Action::ZoomToPlan);
                }
                let mut online = self.settings.online_tiles;
                if ui
                    .checkbox(&mut online, "OpenStreetMap tiles (online)")
                    .on_hover_text("Draw OpenStreetMap's raster map under the accounts. Needs a network; tiles are cached on disk. The offline basemap is always there.")
                    .changed()
                {
                    self.set_online_tiles(online);
                }
                ui.checkbox(&mut self.settings.show_counties, "County borders when zoomed in");
                ui.checkbox(&mut self.settings.show_frame_time, "Frame time in the status bar")
                    .on_hover_text("The CPU time of the last frame's UI code, for judging speed on large plans");
                ui.separator();
                let mut dark = self.settings.dark;
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut dark, false, "☀ Light");
                    ui.selectable_value(&mut dark, true, "🌙 Dark");
                });
                if dark != self.settings.dark {
                    self.settings.dark = dark;
                    self.apply_theme(ui.ctx());
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Keyboard shortcuts").clicked() {
                    self.dialog = Some(Dialog::Shortcuts);
                }
                if ui.button("About and data credits").clicked() {
                    self.dialog = Some(Dialog::About);
                }
            });
        });
    }

    pub(super) fn toolbar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            for tool in Tool::ALL {
                let text = format!("{}  ({})", tool.label(), tool.key().name());
                if ui.selectable_label(self.tool == tool, text).on_hover_text(tool.tooltip()).clicked() {
                    self.tool = tool;
                }
            }
            if self.tool == Tool::Area {
                ui.separator();
                ui.selectable_value(&mut self.area_counties, false, "States");
                ui.selectable_value(&mut self.area_counties, true, "Counties");
            }
            ui.separator();
            let undo_tip =
                self.doc.editor.undo_label().map_or("Nothing to undo".to_owned(), |l| format!("Undo: {l} (Ctrl+Z)"));
            if ui
                .add_enabled(self.doc.editor.undo_label().is_some(), egui::Button::new("⟲ Undo"))
                .on_hover_text(undo_tip)
                .clicked()
            {
                self.actions.push(Action::Undo);
            }
            let redo_tip = self
                .doc
                .editor
                .redo_label()
                .map_or("Nothing to redo".to_owned(), |l| format!("Redo: {l} (Ctrl+Shift+Z)"));
            if ui
                .add_enabled(self.doc.editor.redo_label().is_some(), egui::Button::new("⟳ Redo"))
                .on_hover_text(redo_tip)
                .clicked()
            {
                self.actions.push(Action::Redo);
            }
            ui.separator();
            if ui
                .button("⚖ Balance…")
                .on_hover_text("Bring every territory within a tolerance of the mean, moving as little as possible")
                .clicked()
            {
                self.actions.push(Action::OpenOptimize(super::optimize_ui::Kind::Balance));
            }
            if ui.button("Redraw…").on_hover_text("Draw balanced, compact territories from scratch").clicked() {
                self.actions.push(Action::OpenOptimize(super::optimize_ui::Kind::Redraw));
            }
            ui.separator();
            let find_label = ui.label("🔎");
            let search = ui
                .add(
                    egui::TextEdit::singleline(&mut self.search)
                        .hint_text("Find account: name, city or ZIP")
                        .desired_width(240.0),
                )
                .labelled_by(find_label.id)
                .on_hover_text("Find account: name, city or ZIP; Enter jumps to the first");
            let query = self.search.trim().to_lowercase();
            if query.len() >= 2 {
                // The scan is O(N): run it when the query or the plan changes, not every frame.
                let key = (query.clone(), self.generation);
                if self.search_hits.as_ref().is_none_or(|(k, _)| *k != key) {
                    let hits = search_accounts(self.doc.editor.plan(), &query, 12);
                    self.search_hits = Some((key, hits));
                }
                let hits: Vec<u32> = self.search_hits.as_ref().map(|(_, h)| h.clone()).unwrap_or_default();
                let plan = self.doc.editor.plan();
                if search.lost_focus()
                    && ui.input(|i| i.key_pressed(egui::Key::Enter))
                    && let Some(&first) = hits.first()
                {
                    self.actions.push(Action::FocusAccount(first));
                }
                if search.has_focus() || search.lost_focus() {
                    let popup_id = ui.make_persistent_id("search-hits");
                    egui::Popup::from_response(&search).id(popup_id).open(true).show(|ui| {
                        if hits.is_empty() {
                            ui.label("No account matches");
                        }
                        for &i in &hits {
                            let a = plan.accounts.get(i as usize);
                            let text = format!(
                                "{} — {} {} {}",
                                a.name,
                                a.city.unwrap_or(""),
                                a.state.unwrap_or(""),
                                a.zip.unwrap_or("")
                            );
                            if ui.button(text).clicked() {
                                self.actions.push(Action::FocusAccount(i));
                                self.search.clear();
                            }
                        }
                    });
                }
            }
        });
    }

    pub(super) fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if self.settings.show_frame_time {
                ui.monospace(format!("{:5.1} ms", self.last_frame_ms));
                ui.separator();
            }
            if let Some(what) = self.busy().map(str::to_owned) {
                match self.busy_fraction() {
                    Some(f) => {
                        ui.add(egui::ProgressBar::new(f).desired_width(180.0).show_percentage());
                    }
                    None => {
                        ui.spinner();
                    }
                }
                ui.label(what);
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                if ui.button("Cancel").clicked() {
                    self.cancel_job();
                }
                ui.separator();
            }
            match &self.notice {
                Some(n) if n.error => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {}", n.text));
                }
                Some(n) => {
                    ui.label(&n.text);
                }
                None => {
                    ui.label(self.tool.tooltip());
                }
            }
        });
    }

    fn selection_summary(&self) -> String {
        let s = &self.selection;
        if s.is_empty() {
            return "Nothing selected".to_owned();
        }
        let mut text = format!(
            "Selected: {} · potential {} · workload {} h",
            crate::format::count(s.summary.total.accounts as i64, "account", "accounts"),
            money_compact(s.summary.total.potential.0),
            thousands(s.summary.total.workload.hours().round() as i64)
        );
        if s.summary.locked > 0 {
            text += &format!(" · {} locked", thousands(s.summary.locked as i64));
        }
        text
    }

    /// The balance panel: plan balance, selection and assignment, territories table.
    pub(super) fn balance_panel(&mut self, ui: &mut Ui) {
        let plan = self.doc.editor.plan();
        let m = self.doc.editor.metrics();
        let balance = self.doc.editor.balance();
        ui.add_space(6.0);
        ui.heading(&self.doc.title);
        ui.label(format!(
            "{} in {}{}",
            crate::format::count(plan.accounts.len() as i64, "account", "accounts"),
            crate::format::count(plan.live_territories().count() as i64, "territory", "territories"),
            if m.unassigned.accounts > 0 {
                format!(", {} unassigned", thousands(m.unassigned.accounts as i64))
            } else {
                String::new()
            }
        ));
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("Workload balance: max ±{:.1}%", balance.workload.max_abs_deviation * 100.0))
                    .color(deviation_color(balance.workload.max_abs_deviation))
                    .strong(),
            )
            .on_hover_text("The largest deviation of a territory's workload from the mean over territories.");
            ui.label(format!("CV {:.3}", balance.workload.cv))
                .on_hover_text("Coefficient of variation: standard deviation / mean of the territories' workloads.");
            ui.separator();
            ui.label(format!(
                "Potential: max ±{:.1}%  CV {:.3}",
                balance.potential.max_abs_deviation * 100.0,
                balance.potential.cv
            ));
        });
        ui.separator();
        // A Balance or Redraw proposal takes the panel's place until it is applied or
        // discarded, so that the map beside it shows what moves.
        if self.pending.is_some() {
            self.proposal_ui(ui);
            return;
        }

        // The selection and the Assign action.
        ui.label(RichText::new(self.selection_summary()).strong());
        let has_sel = !self.selection.is_empty();
        ui.horizontal(|ui| {
            let live: Vec<(TerritoryIdx, String, Rgb, bool)> =
                plan.live_territories().map(|(i, t)| (i, t.name.clone(), t.color, t.locked)).collect();
            ui.add_enabled_ui(has_sel, |ui| {
                ui.menu_button("Assign to ⏵", |ui| {
                    for (n, (i, name, c, locked)) in live.iter().enumerate() {
                        let key = if n < 10 { format!("{}", (n + 1) % 10) } else { String::new() };
                        let r = ui.add_enabled(!locked, egui::Button::new(RichText::new(format!("■ {name}")).color(rgb(*c, ui))).shortcut_text(key));
                        if r.hovered() {
                            self.preview = Some(Some(*i));
                        }
                        if r.clicked() {
                            self.actions.push(Action::AssignSelection(Some(*i)));
                        }
                    }
                    ui.separator();
                    let r = ui.button("Unassigned");
                    if r.hovered() {
                        self.preview = Some(None);
                    }
                    if r.clicked() {
                        self.actions.push(Action::AssignSelection(None));
                    }
                })
                .response
                .on_hover_text("Give the selected accounts to a territory. Keys 1–9 and 0 assign to the territory of that number; T finds one by name.");
                let find = ui
                    .add(egui::TextEdit::singleline(&mut self.assign_find).hint_text("…or type a territory (T)").desired_width(170.0))
                    .on_hover_text("Type a territory's name, then Enter, to assign the selection to it (T)");
                if self.focus_find {
                    find.request_focus();
                    self.focus_find = false;
                }
                let q = self.assign_find.trim().to_lowercase();
                if !q.is_empty() {
                    let starts = |n: &String| n.to_lowercase().starts_with(&q);
                    let contains = |n: &String| n.to_lowercase().contains(&q);
                    let hit = live
                        .iter()
                        .find(|(_, n, _, _)| starts(n))
                        .or_else(|| live.iter().find(|(_, n, _, _)| contains(n)));
                    match hit {
                        Some((i, name, c, _)) => {
                            self.preview = Some(Some(*i));
                            ui.label(RichText::new(format!("⎆ {name}")).color(rgb(*c, ui)));
                            if find.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                                self.actions.push(Action::AssignSelection(Some(*i)));
                                self.assign_find.clear();
                            }
                        }
                        None => {
                            ui.label("no match");
                        }
                    }
                }
                if ui.button("Clear").on_hover_text("Clear the selection (Esc)").clicked() {
                    self.actions.push(Action::ClearSelection);
                }
            });
        });
        ui.separator();
        self.territory_table(ui);
        ui.horizontal(|ui| {
            if ui.button("➕ New territory").clicked() {
                self.actions.push(Action::NewTerritory);
            }
            ui.label(RichText::new("Right-click a row to rename, recolour or delete.").weak());
        });
    }

    fn territory_table(&mut self, ui: &mut Ui) {
        let plan = self.doc.editor.plan();
        let m = self.doc.editor.metrics();
        let preview = if self.selection.is_empty() { None } else { self.preview };
        let before = self.doc.editor.balance();
        // Totals after the previewed assignment, per live territory: O(territories).
        let live: Vec<TerritoryIdx> = plan.live_territories().map(|(i, _)| i).collect();
        let now: Vec<Totals> = live.iter().map(|i| m.territories[i.get()]).collect();
        let after: Option<Vec<Totals>> = preview
            .map(|target| live.iter().zip(&now).map(|(i, t)| self.selection.preview(Some(*i), t, target)).collect());
        let after_balance = after.as_ref().map(|a| Balance::of_totals(a.iter()));
        let mut rows: Vec<usize> = (0..live.len()).collect();
        let key_of = |r: usize| -> f64 {
            let t = &now[r];
            match self.sort.key {
                SortKey::Plan => r as f64,
                SortKey::Name => 0.0,
                SortKey::Accounts => t.accounts as f64,
                SortKey::Potential => t.potential.0 as f64,
                SortKey::Workload => t.workload.0 as f64,
                SortKey::Deviation => deviation(t.workload.0 as f64, before.workload.mean).unwrap_or(0.0),
            }
        };
        if self.sort.key == SortKey::Name {
            rows.sort_by(|&a, &b| {
                plan.territories[live[a].get()]
                    .name
                    .to_lowercase()
                    .cmp(&plan.territories[live[b].get()].name.to_lowercase())
            });
        } else {
            rows.sort_by(|&a, &b| key_of(a).total_cmp(&key_of(b)));
        }
        if self.sort.descending {
            rows.reverse();
        }
        // Always one line here, so that the table does not move under the pointer.
        match preview {
            Some(target) => {
                ui.label(
                    RichText::new(format!("Preview: assigning the selection to {}", plan.territory_name(target)))
                        .italics()
                        .strong(),
                );
            }
            None if !self.selection.is_empty() => {
                ui.label(RichText::new("Hover a territory to preview the move; its number key assigns.").weak());
            }
            None => {
                ui.label(RichText::new("Select accounts on the map to move them.").weak());
            }
        }

        let mut new_sort = None;
        let mut hovered_row = None;
        let mut clicked_row = None;
        let mut lock_toggle = None;
        // What a row's context menu asked for.
        const RENAME: u8 = 0;
        const DELETE: u8 = 1;
        const HOME: u8 = 2;
        const CLEAR_HOME: u8 = 3;
        let mut context: Option<(TerritoryIdx, u8)> = None;
        let text_height = 24.0;
        let sort = self.sort;
        TableBuilder::new(ui)
            .id_salt("territories")
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::right_to_left(egui::Align::Center))
            .column(Column::exact(46.0))
            .column(Column::exact(44.0))
            .column(Column::auto().at_least(150.0).clip(true))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(90.0))
            // The last column takes what is left, so the table never runs past the panel.
            .column(Column::remainder().at_least(150.0))
            .min_scrolled_height(200.0)
            .header(26.0, |mut header| {
                let mut head = |ui: &mut Ui, label: &str, key: SortKey, tip: &str| {
                    let arrow = if sort.key == key { if sort.descending { " ⏷" } else { " ⏶" } } else { "" };
                    if ui.button(RichText::new(format!("{label}{arrow}")).strong()).on_hover_text(tip).clicked() {
                        new_sort = Some(Sort { key, descending: sort.key == key && !sort.descending });
                    }
                };
                header.col(|ui| {
                    head(ui, "#", SortKey::Plan, "Plan order; the number is the key that assigns the selection here")
                });
                header.col(|ui| {
                    ui.label(RichText::new("Lock").strong())
                        .on_hover_text("A locked territory neither gives nor receives accounts");
                });
                header.col(|ui| {
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        head(ui, "Territory", SortKey::Name, "Sort by name")
                    });
                });
                header.col(|ui| head(ui, "Accounts", SortKey::Accounts, "Number of accounts"));
                header.col(|ui| head(ui, "Potential", SortKey::Potential, "Sum of the accounts' potential"));
                header
                    .col(|ui| head(ui, "Workload h", SortKey::Workload, "Visit hours per year: visits × minutes / 60"));
                header.col(|ui| {
                    head(
                        ui,
                        "Workload vs mean",
                        SortKey::Deviation,
                        "Deviation of workload from the mean: green within ±5%, amber ±15%, red beyond",
                    )
                });
            })
            .body(|mut body| {
                for &r in &rows {
                    let ti = live[r];
                    let t = &plan.territories[ti.get()];
                    let cur = &now[r];
                    let aft = after.as_ref().map(|a| &a[r]);
                    body.row(text_height, |mut row| {
                        row.set_selected(self.highlighted == Some(ti));
                        row.col(|ui| {
                            if r < 10 {
                                ui.label(RichText::new(format!("{}", (r + 1) % 10)).monospace().weak());
                            }
                        });
                        row.col(|ui| {
                            let mut locked = t.locked;
                            if ui
                                .checkbox(&mut locked, "")
                                .on_hover_text("Lock: accounts neither leave nor join this territory")
                                .changed()
                            {
                                lock_toggle = Some((ti, locked));
                            }
                        });
                        row.col(|ui| {
                            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                                let (sw, _) = ui.allocate_exact_size(Vec2::new(14.0, 14.0), Sense::hover());
                                ui.painter().rect_filled(sw, 3.0, rgb(t.color, ui));
                                let name = RichText::new(&t.name).strong();
                                ui.add(egui::Label::new(name).selectable(false)).on_hover_text(
                                    t.rep.as_deref().map_or("No rep set".to_owned(), |r| format!("Rep: {r}")),
                                );
                            });
                        });
                        let changed = |ui: &mut Ui, now: String, after: Option<String>| match after {
                            Some(a) if a != now => {
                                ui.label(RichText::new(a).strong().color(ui.visuals().hyperlink_color));
                            }
                            _ => {
                                ui.label(now);
                            }
                        };
                        row.col(|ui| {
                            changed(ui, thousands(cur.accounts as i64), aft.map(|a| thousands(a.accounts as i64)))
                        });
                        row.col(|ui| {
                            changed(ui, money_compact(cur.potential.0), aft.map(|a| money_compact(a.potential.0)))
                        });
                        row.col(|ui| {
                            changed(
                                ui,
                                thousands(cur.workload.hours().round() as i64),
                                aft.map(|a| thousands(a.workload.hours().round() as i64)),
                            )
                        });
                        row.col(|ui| {
                            let d_now = deviation(cur.workload.0 as f64, before.workload.mean);
                            let (d, ghost) = match (aft, after_balance) {
                                (Some(a), Some(b)) => (deviation(a.workload.0 as f64, b.workload.mean), d_now),
                                _ => (d_now, None),
                            };
                            // The same bar width in every row (whatever the figure's
                            // length), and never past the panel.
                            let bar = (ui.available_width() - 76.0).clamp(40.0, 110.0);
                            ui.allocate_ui_with_layout(
                                Vec2::new(70.0, 18.0),
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    ui.set_min_width(70.0);
                                    ui.label(
                                        RichText::new(percent(d))
                                            .monospace()
                                            .color(d.map_or(Color32::GRAY, deviation_color)),
                                    );
                                },
                            );
                            deviation_bar(ui, bar, d, ghost);
                        });
                        let resp = row.response();
                        if resp.hovered() {
                            hovered_row = Some(ti);
                        }
                        if resp.clicked() {
                            clicked_row = Some(ti);
                        }
                        resp.context_menu(|ui| {
                            if ui.button("Rename / set rep…").clicked() {
                                context = Some((ti, RENAME));
                            }
                            if ui.button("Delete…").clicked() {
                                context = Some((ti, DELETE));
                            }
                            if ui
                                .button("Set rep's home on the map…")
                                .on_hover_text(
                                    "Then click where the rep lives: Redraw can grow the territory around it",
                                )
                                .clicked()
                            {
                                context = Some((ti, HOME));
                            }
                            if t.rep_home.is_some() && ui.button("Clear rep's home").clicked() {
                                context = Some((ti, CLEAR_HOME));
                            }
                            ui.separator();
                            ui.label("Colour");
                            let mut c = t.color.0;
                            if ui.color_edit_button_srgb(&mut c).changed() {
                                context = None;
                                self.actions
                                    .push(Action::Edit(Command::RecolorTerritory { territory: ti, color: Rgb(c) }));
                            }
                        });
                    });
                }
            });
        if let Some(s) = new_sort {
            self.sort = s;
        }
        if let Some(h) = hovered_row
            && !self.selection.is_empty()
        {
            self.preview_next = Some(Some(h));
        }
        if let Some(c) = clicked_row {
            self.highlighted = if self.highlighted == Some(c) { None } else { Some(c) };
        }
        if let Some((t, locked)) = lock_toggle {
            self.actions.push(Action::Edit(Command::LockTerritory { territory: t, locked }));
        }
        let mut note = None;
        match context {
            Some((t, RENAME)) => self.dialog = Some(Dialog::rename(self.doc.editor.plan(), t)),
            Some((t, DELETE)) => self.dialog = Some(Dialog::Delete { territory: t, to: None }),
            Some((t, HOME)) => {
                self.placing_home = Some(t);
                let name = &self.doc.editor.plan().territories[t.get()].name;
                note = Some(format!("Click the home of {name}'s rep on the map (Esc cancels)"));
            }
            Some((t, CLEAR_HOME)) => self.actions.push(Action::Edit(Command::SetRepHome { territory: t, home: None })),
            _ => {}
        }
        let u = &m.unassigned;
        if u.accounts > 0 {
            ui.label(format!(
                "Unassigned: {} · potential {} · workload {} h",
                crate::format::count(u.accounts as i64, "account", "accounts"),
                money_compact(u.potential.0),
                thousands(u.workload.hours().round() as i64)
            ));
        }
        if let Some(note) = note {
            self.notify(note);
        }
    }

    /// Dialogs and windows, after the panels.
    pub(super) fn windows(&mut self, ctx: &egui::Context) {
        self.file_windows(ctx);
        self.recovery_windows(ctx);
        self.optimize_windows(ctx);
        let Some(mut dialog) = self.dialog.take() else { return };
        let mut keep = true;
        let plan = self.doc.editor.plan();
        match &mut dialog {
            Dialog::Rename { territory, name, rep } => {
                egui::Modal::new(egui::Id::unique("rename")).show(ctx, |ui| {
                    ui.heading("Territory");
                    egui::Grid::new("rename-grid").show(ui, |ui| {
                        let l = ui.label("Name");
                        ui.add(egui::TextEdit::singleline(name).desired_width(280.0)).labelled_by(l.id);
                        ui.end_row();
                        let l = ui.label("Rep");
                        ui.add(egui::TextEdit::singleline(rep).desired_width(280.0).hint_text("Sales rep's name"))
                            .labelled_by(l.id);
                        ui.end_row();
                    });
                    ui.horizontal(|ui| {
                        if ui.button("OK").clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                            let t = &plan.territories[territory.get()];
                            if name.trim() != t.name {
                                self.actions.push(Action::Edit(Command::RenameTerritory {
                                    territory: *territory,
                                    name: name.clone(),
                                }));
                            }
                            let new_rep = Some(rep.trim().to_owned()).filter(|r| !r.is_empty());
                            if new_rep != t.rep {
                                self.actions
                                    .push(Action::Edit(Command::SetRep { territory: *territory, rep: new_rep }));
                            }
                            keep = false;
                        }
                        if ui.button("Cancel").clicked() {
                            keep = false;
                        }
                    });
                });
            }
            Dialog::Delete { territory, to } => {
                egui::Modal::new(egui::Id::unique("delete")).show(ctx, |ui| {
                    let t = &plan.territories[territory.get()];
                    let n = self.doc.editor.metrics().territories[territory.get()].accounts;
                    ui.heading(format!("Delete {}?", t.name));
                    let l = ui.label(format!("Its {} accounts go to:", thousands(n as i64)));
                    egui::ComboBox::from_id_salt("delete-to")
                        .selected_text(plan.territory_name(*to).to_owned())
                        .show_ui(ui, |ui| {
                            ui.selectable_value(to, None, "Unassigned");
                            for (i, o) in plan.live_territories() {
                                if i != *territory {
                                    ui.selectable_value(to, Some(i), &o.name);
                                }
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    ui.horizontal(|ui| {
                        if ui.button("Delete").clicked() {
                            self.actions.push(Action::Edit(Command::DeleteTerritory {
                                territory: *territory,
                                accounts_to: *to,
                            }));
                            keep = false;
                        }
                        if ui.button("Cancel").clicked() {
                            keep = false;
                        }
                    });
                });
            }
            Dialog::Shortcuts => {
                egui::Window::new("Keyboard shortcuts").open(&mut keep).show(ctx, |ui| {
                    egui::Grid::new("keys").striped(true).show(ui, |ui| {
                        for (k, what) in [
                            ("P / L / R / C / A", "Pan, Lasso, Rectangle, Click, Area tool"),
                            ("Space (held)", "Pan in any tool"),
                            ("Shift / Ctrl + select", "Add to / remove from the selection"),
                            ("Esc", "Clear the selection"),
                            ("1–9, 0", "Assign the selection to territory 1–10"),
                            ("T", "Find a territory to assign to"),
                            ("Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y", "Undo / redo"),
                            ("Ctrl+O / Ctrl+I", "Open a plan / import accounts"),
                            ("Ctrl+S / Ctrl+Shift+S", "Save / save as"),
                            ("Ctrl+E", "Export assignments as CSV"),
                            ("Right or middle drag", "Pan in any tool"),
                        ] {
                            ui.monospace(k);
                            ui.label(what);
                            ui.end_row();
                        }
                    });
                });
            }
            Dialog::About => {
                egui::Window::new("About Territory Editor").open(&mut keep).show(ctx, |ui| {
                    ui.label(format!("Territory Editor {}", env!("CARGO_PKG_VERSION")));
                    ui.label("Redraw sales territories on a map, offline.");
                    ui.separator();
                    ui.label("Data credits");
                    ui.label(crate::basemap::ATTRIBUTION);
                    ui.label("Place names and populations: GeoNames (geonames.org), CC BY 4.0. Modified: filtered, de-duplicated and redistributed over ZIP areas; account records are synthetic.");
                    ui.label("Online map tiles, when switched on: © OpenStreetMap contributors.");
                });
            }
        }
        if keep && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            keep = false;
        }
        if keep {
            self.dialog = Some(dialog);
        }
    }
}
