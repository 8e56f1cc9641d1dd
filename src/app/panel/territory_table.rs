//! The table of territories, as a tree when the plan has regions: a region row with its
//! roll-up (collapsible), its territories indented under it. Each row's buttons and
//! context menu ask for something ([`Ask`]); what they asked is done after the table.

use super::*;
use crate::app::selection::drive_change;
use crate::metrics::{RegionFigures, region_rollup};
use crate::model::{RegionIdx, limits, region_path, tree_order};

/// The capacities a territory's context menu offers, with what each usually means.
const CAPACITY_PRESETS: [(f64, &str); 5] =
    [(1.0, "full time"), (0.5, "part time"), (0.8, "new hire"), (1.2, "senior"), (1.5, "senior, large book")];

/// Indentation of a tree level, in points.
const INDENT: f32 = 16.0;

/// What a row asked for.
enum Ask {
    Rename(TerritoryIdx),
    Delete(TerritoryIdx),
    Home(TerritoryIdx),
    Edit(Command),
    Toggle(String),
    NewRegion(Option<RegionIdx>),
    RenameRegion(RegionIdx),
}

/// One line of the table.
#[derive(Clone, Copy)]
enum Line {
    /// A region: its index in the roll-up.
    Region(usize),
    /// A territory: its row among the live territories, and its depth.
    Territory(usize, usize),
}

impl TerritoryApp {
    pub(super) fn territory_table(&mut self, ui: &mut Ui) {
        let plan = self.doc.editor.plan();
        let preview = if self.ui.selection.is_empty() { None } else { self.ui.preview };
        let before = self.doc.editor.balance();
        // Totals after the previewed assignment, per live territory: O(territories).
        let live: Vec<TerritoryIdx> = plan.live_territories().map(|(i, _)| i).collect();
        // With travel on, a territory's workload is its visits plus its travel, and a
        // preview moves the drives too.
        let m = self.doc.editor.workload_metrics();
        let travel = self.doc.editor.travel();
        let travel_on = plan.travel.is_some();
        let now: Vec<Totals> = live.iter().map(|i| m.territories[i.get()]).collect();
        // With travel on, each row's travel minutes after the previewed move too.
        let mut travel_after: Option<Vec<i64>> = None;
        let after: Option<Vec<Totals>> = preview.map(|target| {
            let selection = &mut self.ui.selection;
            let drives = selection.travel_preview(&self.doc.editor, target).map(|(l, g)| (l.to_vec(), g));
            let drives = drives.as_ref().map(|(l, g)| (l.as_slice(), *g));
            if drives.is_some() {
                let minutes = |i: &TerritoryIdx| travel[i.get()].minutes + drive_change(drives, Some(*i), target);
                travel_after = Some(live.iter().map(minutes).collect());
            }
            live.iter().zip(&now).map(|(i, t)| selection.preview(Some(*i), t, target, drives)).collect()
        });
        // Capacities, with the one being dragged at its dragged value.
        let mut draft = self.ui.capacity_draft;
        let capacity_of = |t: TerritoryIdx| match draft {
            Some((d, c)) if d == t => c,
            _ => plan.territories[t.get()].capacity,
        };
        let caps: Vec<f64> = live.iter().map(|&i| capacity_of(i)).collect();
        let before = if draft.is_some() { Balance::of_totals(now.iter().zip(caps.iter().copied())) } else { before };
        let after_balance = after.as_ref().map(|a| Balance::of_totals(a.iter().zip(caps.iter().copied())));
        let rows = self.sorted_rows(&live, &now, &caps, &before);
        let rollup = region_rollup(&plan.territories, &plan.regions, &m.territories);
        let u = m.unassigned;
        let lines = lines(plan, &live, &rows, &rollup, &self.ui.collapsed_regions);
        // Always one line here, so that the table does not move under the pointer.
        match preview {
            Some(target) => {
                ui.label(
                    RichText::new(format!("Preview: assigning the selection to {}", plan.territory_name(target)))
                        .italics()
                        .strong(),
                );
            }
            None if !self.ui.selection.is_empty() => {
                ui.label(RichText::new("Hover a territory to preview the move; its number key assigns.").weak());
            }
            None => {
                ui.label(RichText::new("Select accounts on the map to move them.").weak());
            }
        }

        let mut new_sort = None;
        let mut hovered_row = None;
        let mut clicked_row = None;
        let mut asks: Vec<Ask> = Vec::new();
        let sort = self.ui.sort;
        let has_regions = !rollup.is_empty();
        TableBuilder::new(ui)
            .id_salt("territories")
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::right_to_left(egui::Align::Center))
            .column(Column::exact(46.0))
            .column(Column::exact(44.0))
            .column(Column::auto().at_least(if has_regions { 190.0 } else { 150.0 }).clip(true))
            .column(Column::exact(58.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(60.0))
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
                header.col(|ui| {
                    ui.label(RichText::new("Cap.").strong()).on_hover_text(
                        "Capacity: the share of a full book this territory's rep carries (1 full time, 0.5 part \
                         time, 1.2 a senior). Its target is the total × its capacity / the sum of capacities. \
                         Drag or type to change it.",
                    );
                });
                header.col(|ui| head(ui, "Accounts", SortKey::Accounts, "Number of accounts"));
                header.col(|ui| head(ui, "Potential", SortKey::Potential, "Sum of the accounts' potential"));
                header
                    .col(|ui| head(ui, "Workload h", SortKey::Workload, "Visit hours per year: visits × minutes / 60"));
                header.col(|ui| {
                    ui.label(RichText::new("Spread").strong()).on_hover_text(
                        "How spread out the territory is: the root-mean-square distance of its accounts to their \
                         centre, in km (a small, round territory has a small spread)",
                    );
                });
                header.col(|ui| {
                    head(
                        ui,
                        "Workload vs target",
                        SortKey::Deviation,
                        "Deviation of workload from the territory's target (the mean, or its share by capacity; \
                         a region's against its share of the region above it): green within ±5%, amber ±15%, \
                         red beyond",
                    )
                });
            })
            .body(|mut body| {
                for &line in &lines {
                    let (r, depth) = match line {
                        Line::Region(k) => {
                            body.row(24.0, |row| {
                                region_row(row, plan, &rollup[k], &self.ui.collapsed_regions, &mut asks)
                            });
                            continue;
                        }
                        Line::Territory(r, depth) => (r, depth),
                    };
                    let ti = live[r];
                    let t = &plan.territories[ti.get()];
                    let cur = &now[r];
                    let aft = after.as_ref().map(|a| &a[r]);
                    let mut name_clicked = false;
                    body.row(24.0, |mut row| {
                        row.set_selected(self.ui.highlighted == Some(ti));
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
                                asks.push(Ask::Edit(Command::LockTerritory { territory: ti, locked }));
                            }
                        });
                        row.col(|ui| {
                            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                                ui.add_space(INDENT * depth as f32);
                                let (sw, _) = ui.allocate_exact_size(Vec2::new(14.0, 14.0), Sense::hover());
                                ui.painter().rect_filled(sw, 3.0, rgb(t.color, ui));
                                let name = RichText::new(&t.name).strong();
                                // Dragged onto a region's row, the territory moves there; a
                                // click or right-click is the row's.
                                let label = ui
                                    .add(egui::Label::new(name).selectable(false).sense(Sense::click_and_drag()))
                                    .on_hover_text(territory_tip(plan, t));
                                if label.drag_started() {
                                    egui::DragAndDrop::set_payload(ui.ctx(), ti);
                                }
                                if label.dragged() {
                                    ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
                                }
                                if label.clicked() {
                                    name_clicked = true;
                                }
                                label.context_menu(|ui| territory_menu(ui, plan, ti, &mut asks));
                                if let Some(n) = self.doc.areas.pieces(&self.doc.editor, ti).filter(|&n| n > 1) {
                                    ui.label(RichText::new(format!("{n} pieces")).small().weak()).on_hover_text(format!(
                                        "{} is in {n} pieces: groups of its accounts that no chain of its own accounts \
                                         joins (neighbours within 150 km on the map of all accounts). Shown while the \
                                         territory areas are on.",
                                        t.name
                                    ));
                                }
                            });
                        });
                        row.col(|ui| {
                            let mut c = caps[r];
                            let resp = ui
                                .add(
                                    egui::DragValue::new(&mut c)
                                        .range(limits::MIN_CAPACITY..=limits::MAX_CAPACITY)
                                        .speed(0.01)
                                        .max_decimals(2)
                                        // Typed values count on Enter, not keystroke by keystroke.
                                        .update_while_editing(false)
                                        .custom_formatter(|c, _| crate::format::capacity(c)),
                                )
                                .on_hover_text(format!(
                                    "Capacity: a target of {} h of workload. Drag, or click to type.",
                                    thousands((before.workload.target(caps[r]) / 60.0).round() as i64)
                                ));
                            if resp.changed() {
                                draft = Some((ti, c));
                            }
                            let done = resp.drag_stopped() || resp.lost_focus() || (resp.changed() && !resp.dragged());
                            if done && let Some((d, c)) = draft.filter(|(d, _)| *d == ti) {
                                asks.push(Ask::Edit(Command::SetCapacity { territory: d, capacity: c }));
                                draft = None;
                            }
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
                            );
                            if travel_on {
                                let tr = travel[ti.get()];
                                // Previewing a move: the travel after it.
                                let shown = travel_after.as_ref().and_then(|v| v.get(r)).copied().unwrap_or(tr.minutes);
                                ui.label(
                                    RichText::new(format!("🚗{}", thousands((shown as f64 / 60.0).round() as i64)))
                                        .weak()
                                        .small(),
                                )
                                .on_hover_text(format!(
                                    "Of which travel: {} h a year; the accounts are on average {} km from {}",
                                    thousands(tr.hours().round() as i64),
                                    tr.mean_km().map_or("–".to_owned(), |k| format!("{k:.0}")),
                                    if t.rep_home.is_some() { "the rep's home" } else { "the territory's centre" }
                                ));
                            }
                        });
                        row.col(|ui| changed(ui, spread(cur), aft.map(spread)));
                        row.col(|ui| {
                            let d_now = before.workload.deviation(cur.workload.0 as f64, caps[r]);
                            let (d, ghost) = match (aft, after_balance) {
                                (Some(a), Some(b)) => (b.workload.deviation(a.workload.0 as f64, caps[r]), d_now),
                                _ => (d_now, None),
                            };
                            deviation_cell(ui, d, ghost);
                        });
                        let resp = row.response();
                        if resp.hovered() {
                            hovered_row = Some(ti);
                        }
                        if resp.clicked() || name_clicked {
                            clicked_row = Some(ti);
                        }
                        resp.context_menu(|ui| territory_menu(ui, plan, ti, &mut asks));
                    });
                }
            });
        if let Some(s) = new_sort {
            self.ui.sort = s;
        }
        if let Some(h) = hovered_row
            && !self.ui.selection.is_empty()
        {
            self.ui.preview_next = Some(Some(h));
        }
        if let Some(c) = clicked_row {
            self.ui.highlighted = if self.ui.highlighted == Some(c) { None } else { Some(c) };
        }
        self.ui.capacity_draft = draft;
        for ask in asks {
            self.answer(ask);
        }
        if u.accounts > 0 {
            ui.label(format!(
                "Unassigned: {} · potential {} · workload {} h",
                crate::format::count(u.accounts as i64, "account", "accounts"),
                money_compact(u.potential.0),
                thousands(u.workload.hours().round() as i64)
            ));
        }
    }

    /// The live territories' rows in the table's sort order.
    fn sorted_rows(&self, live: &[TerritoryIdx], now: &[Totals], caps: &[f64], before: &Balance) -> Vec<usize> {
        let plan = self.doc.editor.plan();
        let mut rows: Vec<usize> = (0..live.len()).collect();
        let key_of = |r: usize| -> f64 {
            let t = &now[r];
            match self.ui.sort.key {
                SortKey::Plan => r as f64,
                SortKey::Name => 0.0,
                SortKey::Accounts => t.accounts as f64,
                SortKey::Potential => t.potential.0 as f64,
                SortKey::Workload => t.workload.0 as f64,
                SortKey::Deviation => before.workload.deviation(t.workload.0 as f64, caps[r]).unwrap_or(0.0),
            }
        };
        if self.ui.sort.key == SortKey::Name {
            let name = |r: usize| plan.territories[live[r].get()].name.to_lowercase();
            rows.sort_by_cached_key(|&r| name(r));
        } else {
            rows.sort_by(|&a, &b| key_of(a).total_cmp(&key_of(b)));
        }
        if self.ui.sort.descending {
            rows.reverse();
        }
        rows
    }

    /// Does what a row asked for.
    fn answer(&mut self, ask: Ask) {
        let plan = self.doc.editor.plan();
        match ask {
            Ask::Rename(t) => self.ui.dialog = Some(Dialog::rename(plan, t)),
            Ask::Delete(t) => self.ui.dialog = Some(Dialog::Delete { territory: t, to: None }),
            Ask::Home(t) => {
                self.ui.placing_home = Some(t);
                let note =
                    format!("Click the home of {}'s rep on the map (Esc cancels)", plan.territories[t.get()].name);
                self.notify(note);
            }
            Ask::Edit(Command::SetCapacity { territory, capacity })
                if plan.territories[territory.get()].capacity == capacity => {}
            Ask::Edit(c) => self.actions.push(Action::Edit(c)),
            Ask::Toggle(id) => {
                if !self.ui.collapsed_regions.remove(&id) {
                    self.ui.collapsed_regions.insert(id);
                }
            }
            Ask::NewRegion(parent) => {
                self.ui.dialog = Some(Dialog::RegionName { region: None, parent, name: String::new() })
            }
            Ask::RenameRegion(r) => {
                let name = plan.regions[r.get()].name.clone();
                self.ui.dialog = Some(Dialog::RegionName { region: Some(r), parent: None, name });
            }
        }
    }
}

/// The table's lines: without regions, the territories in sort order; with regions,
/// each region (tree order) followed by its own territories in sort order, a collapsed
/// region hiding what is inside it, and the territories of no region last.
fn lines(
    plan: &Plan,
    live: &[TerritoryIdx],
    rows: &[usize],
    rollup: &[RegionFigures],
    collapsed: &std::collections::BTreeSet<String>,
) -> Vec<Line> {
    if rollup.is_empty() {
        return rows.iter().map(|&r| Line::Territory(r, 0)).collect();
    }
    let region_of = |r: usize| plan.territories[live[r].get()].region;
    let mut out = Vec::with_capacity(rows.len() + rollup.len());
    // The depth below which everything is hidden (a collapsed region's).
    let mut hidden_below: Option<usize> = None;
    for (k, f) in rollup.iter().enumerate() {
        if hidden_below.is_some_and(|d| f.depth > d) {
            continue;
        }
        hidden_below = None;
        out.push(Line::Region(k));
        if collapsed.contains(&plan.regions[f.region.get()].id) {
            hidden_below = Some(f.depth);
            continue;
        }
        out.extend(rows.iter().filter(|&&r| region_of(r) == Some(f.region)).map(|&r| Line::Territory(r, f.depth + 1)));
    }
    let live_region = |r: Option<RegionIdx>| r.is_some_and(|r| crate::model::region_live(&plan.regions, r));
    out.extend(rows.iter().filter(|&&r| !live_region(region_of(r))).map(|&r| Line::Territory(r, 0)));
    out
}

/// A region's row: collapse toggle, lock, name, its capacity and roll-up, and its
/// deviation against its share of the region above it (of the plan at the top).
fn region_row(
    mut row: egui_extras::TableRow<'_, '_>,
    plan: &Plan,
    f: &RegionFigures,
    collapsed: &std::collections::BTreeSet<String>,
    asks: &mut Vec<Ask>,
) {
    let region = &plan.regions[f.region.get()];
    let open = !collapsed.contains(&region.id);
    row.col(|ui| {
        let arrow = if open { "⏷" } else { "⏵" };
        let tip = if open { "Collapse the region" } else { "Expand the region" };
        if ui.button(arrow).on_hover_text(tip).clicked() {
            asks.push(Ask::Toggle(region.id.clone()));
        }
    });
    row.col(|ui| {
        let all = !f.territories.is_empty() && f.territories.iter().all(|t| plan.territories[t.get()].locked);
        let mut locked = all;
        if ui.checkbox(&mut locked, "").on_hover_text("Lock or unlock every territory of the region").changed() {
            asks.push(Ask::Edit(Command::LockRegion { region: f.region, locked }));
        }
    });
    row.col(|ui| {
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            ui.add_space(INDENT * f.depth as f32);
            let (sw, _) = ui.allocate_exact_size(Vec2::new(14.0, 14.0), Sense::hover());
            ui.painter().rect_stroke(sw, 3.0, egui::Stroke::new(2.0, rgb(region.color, ui)), egui::StrokeKind::Inside);
            let text = RichText::new(format!("{} ({})", region.name, f.territories.len())).strong().italics();
            ui.add(egui::Label::new(text).selectable(false)).on_hover_text(format!(
                "Region {}: {} territories. Drag a territory's name here to move it in.",
                region_path(&plan.regions, f.region),
                f.territories.len()
            ));
        });
    });
    row.col(|ui| {
        ui.label(RichText::new(crate::format::capacity(f.capacity)).weak())
            .on_hover_text("The region's capacity: the sum of its territories'");
    });
    row.col(|ui| {
        ui.label(RichText::new(thousands(f.totals.accounts as i64)).strong());
    });
    row.col(|ui| {
        ui.label(RichText::new(money_compact(f.totals.potential.0)).strong());
    });
    row.col(|ui| {
        ui.label(RichText::new(thousands(f.totals.workload.hours().round() as i64)).strong());
    });
    row.col(|ui| {
        ui.label(RichText::new(spread(&f.totals)).weak());
    });
    row.col(|ui| deviation_cell(ui, f.workload_deviation, None));
    let resp = row.response();
    // A territory dropped on the row joins the region.
    if let Some(t) = resp.dnd_release_payload::<TerritoryIdx>() {
        asks.push(Ask::Edit(Command::SetTerritoryRegion { territory: *t, region: Some(f.region) }));
    }
    resp.context_menu(|ui| {
        if ui.button("Rename region…").clicked() {
            asks.push(Ask::RenameRegion(f.region));
        }
        if ui.button("New region inside…").clicked() {
            asks.push(Ask::NewRegion(Some(f.region)));
        }
        ui.menu_button("Move into", |ui| {
            if ui.button("The top level").clicked() {
                asks.push(Ask::Edit(Command::MoveRegion { region: f.region, parent: None }));
            }
            for (r, depth) in tree_order(&plan.regions) {
                let inside = crate::model::within(&plan.regions, Some(r), f.region);
                let text = format!("{}{}", "  ".repeat(depth), plan.regions[r.get()].name);
                if ui.add_enabled(!inside, egui::Button::new(text)).clicked() {
                    asks.push(Ask::Edit(Command::MoveRegion { region: f.region, parent: Some(r) }));
                }
            }
        });
        ui.separator();
        if ui
            .button("Delete region")
            .on_hover_text("Its territories and regions move up to the region above it (undo brings it back)")
            .clicked()
        {
            asks.push(Ask::Edit(Command::DeleteRegion { region: f.region }));
        }
    });
}

/// A territory's context menu.
fn territory_menu(ui: &mut Ui, plan: &Plan, ti: TerritoryIdx, asks: &mut Vec<Ask>) {
    let t = &plan.territories[ti.get()];
    if ui.button("Rename / set rep…").clicked() {
        asks.push(Ask::Rename(ti));
    }
    if ui.button("Delete…").clicked() {
        asks.push(Ask::Delete(ti));
    }
    if ui
        .button("Set rep's home on the map…")
        .on_hover_text("Then click where the rep lives: Redraw can grow the territory around it")
        .clicked()
    {
        asks.push(Ask::Home(ti));
    }
    if t.rep_home.is_some() && ui.button("Clear rep's home").clicked() {
        asks.push(Ask::Edit(Command::SetRepHome { territory: ti, home: None }));
    }
    ui.menu_button("Capacity", |ui| {
        for (c, what) in CAPACITY_PRESETS {
            let text = format!("{} · {what}", crate::format::capacity(c));
            if ui.radio(t.capacity == c, text).clicked() {
                asks.push(Ask::Edit(Command::SetCapacity { territory: ti, capacity: c }));
                ui.close();
            }
        }
        ui.label(RichText::new("Any other value: drag or type in the Cap. column").weak());
    });
    ui.menu_button("Region", |ui| {
        if ui.radio(t.region.is_none(), "No region").clicked() {
            asks.push(Ask::Edit(Command::SetTerritoryRegion { territory: ti, region: None }));
            ui.close();
        }
        for (r, depth) in tree_order(&plan.regions) {
            let text = format!("{}{}", "  ".repeat(depth), plan.regions[r.get()].name);
            if ui.radio(t.region == Some(r), text).clicked() {
                asks.push(Ask::Edit(Command::SetTerritoryRegion { territory: ti, region: Some(r) }));
                ui.close();
            }
        }
        ui.separator();
        if ui.button("New region…").clicked() {
            asks.push(Ask::NewRegion(None));
            ui.close();
        }
    });
    ui.separator();
    ui.label("Colour");
    let mut c = t.color.0;
    if ui.color_edit_button_srgb(&mut c).changed() {
        asks.push(Ask::Edit(Command::RecolorTerritory { territory: ti, color: Rgb(c) }));
    }
}

fn territory_tip(plan: &Plan, t: &crate::model::Territory) -> String {
    let rep = t.rep.as_deref().map_or("No rep set".to_owned(), |r| format!("Rep: {r}"));
    match t.region.filter(|&r| crate::model::region_live(&plan.regions, r)) {
        Some(r) => format!("{rep}\nRegion: {}", region_path(&plan.regions, r)),
        None => rep,
    }
}

/// A spread in km, as the table shows it.
fn spread(t: &Totals) -> String {
    t.spread_km().map_or("–".to_owned(), |s| format!("{s:.0} km"))
}

/// The deviation figure and its bar, the same width in every row and never past the
/// panel.
fn deviation_cell(ui: &mut Ui, d: Option<f64>, ghost: Option<f64>) {
    let bar = (ui.available_width() - 76.0).clamp(40.0, 110.0);
    ui.allocate_ui_with_layout(Vec2::new(70.0, 18.0), egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.set_min_width(70.0);
        ui.label(RichText::new(percent(d)).monospace().color(d.map_or(Color32::GRAY, deviation_color)));
    });
    deviation_bar(ui, bar, d, ghost);
}
