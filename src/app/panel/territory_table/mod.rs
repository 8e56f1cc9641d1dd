//! The table of territories, as a tree when the plan has regions: a region row with its
//! roll-up (collapsible), its territories indented under it. Each row's buttons and
//! context menu ask for something ([`Ask`]); what they asked is done after the table.

mod rows;

use rows::{deviation_cell, figure, lines, region_row, spread, territory_menu, territory_tip};

use super::*;
use crate::app::selection::drive_change;
use crate::metrics::{RegionFigures, region_rollup};
use crate::model::{RegionIdx, limits, region_path, tree_order};

/// The capacities a territory's context menu offers, with what each usually means.
const CAPACITY_PRESETS: [(f64, &str); 5] =
    [(1.0, "full time"), (0.5, "part time"), (0.8, "new hire"), (1.2, "senior"), (1.5, "senior, large book")];

/// Indentation of a tree level, in points.
const INDENT: f32 = 16.0;

/// Below this window width the table leaves out its Potential and Spread columns, so
/// that the map keeps room on a projector's 1280 × 720 (the headline still gives the
/// potential's balance, and a row's tooltip its potential and spread).
pub(in crate::app) const WIDE_TABLE_MIN_WIDTH: f32 = 1500.0;

/// Below this window width (a 1366-pixel laptop at 125 %, a 1280 one at 125 %) the
/// table also leaves out the Capacity column (the row's tooltip gives it, its context
/// menu sets it), cuts long names (the tooltip gives them whole) and shortens the last
/// header, so that the table fits the panel.
pub(in crate::app) const CAPACITY_COLUMN_MIN_WIDTH: f32 = 1250.0;

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

/// The table of territories: reads the document, changes only the UI state, and asks
/// for edits by pushing actions.
pub(super) fn territory_table(ui: &mut Ui, doc: &Document, state: &mut UiState, actions: &mut Vec<Action>) {
    let plan = doc.editor.plan();
    let preview = if state.selection.is_empty() { None } else { state.preview };
    let before = doc.editor.balance();
    // Totals after the previewed assignment, per live territory: O(territories).
    let live: Vec<TerritoryIdx> = plan.live_territories().map(|(i, _)| i).collect();
    // With travel on, a territory's workload is its visits plus its travel, and a
    // preview moves the drives too.
    let m = doc.editor.workload_metrics();
    let travel = doc.editor.travel();
    let travel_on = plan.travel.is_some();
    let now: Vec<Totals> = live.iter().map(|i| m.territories[i.get()]).collect();
    // With travel on, each row's travel minutes after the previewed move too.
    let mut travel_after: Option<Vec<i64>> = None;
    let after: Option<Vec<Totals>> = preview.map(|target| {
        let selection = &mut state.selection;
        let drives = selection.travel_preview(&doc.editor, target).map(|(l, g)| (l.to_vec(), g));
        let drives = drives.as_ref().map(|(l, g)| (l.as_slice(), *g));
        if drives.is_some() {
            let minutes = |i: &TerritoryIdx| travel[i.get()].minutes + drive_change(drives, Some(*i), target);
            travel_after = Some(live.iter().map(minutes).collect());
        }
        live.iter().zip(&now).map(|(i, t)| selection.preview(Some(*i), t, target, drives)).collect()
    });
    // Capacities, with the one being dragged at its dragged value.
    let mut draft = state.capacity_draft;
    let capacity_of = |t: TerritoryIdx| match draft {
        Some((d, c)) if d == t => c,
        _ => plan.territories[t.get()].capacity,
    };
    let caps: Vec<f64> = live.iter().map(|&i| capacity_of(i)).collect();
    let before = if draft.is_some() { Balance::of_totals(now.iter().zip(caps.iter().copied())) } else { before };
    let after_balance = after.as_ref().map(|a| Balance::of_totals(a.iter().zip(caps.iter().copied())));
    let rows = sorted_rows(doc, state, &live, &now, &caps, &before);
    let rollup = region_rollup(&plan.territories, &plan.regions, &m.territories);
    // The regions after the previewed move: the same roll-up of the previewed totals.
    let rollup_after = after.as_ref().filter(|_| !rollup.is_empty()).map(|a| {
        let mut by_slot = m.territories.clone();
        for (i, t) in live.iter().zip(a) {
            by_slot[i.get()] = *t;
        }
        region_rollup(&plan.territories, &plan.regions, &by_slot)
    });
    let u = m.unassigned;
    let lines = lines(plan, &live, &rows, &rollup, &state.collapsed_regions);
    // Always one line here, so that the table does not move under the pointer.
    match preview {
        Some(target) => {
            ui.label(
                RichText::new(format!("Preview: assigning the selection to {}", plan.territory_name(target)))
                    .italics()
                    .strong(),
            );
        }
        None if !state.selection.is_empty() => {
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
    let sort = state.sort;
    let has_regions = !rollup.is_empty();
    let window = ui.ctx().content_rect().width();
    let (wide, with_capacity) = (window >= WIDE_TABLE_MIN_WIDTH, window >= CAPACITY_COLUMN_MIN_WIDTH);
    let name_width: f32 = match (wide, with_capacity) {
        (true, _) if has_regions => 190.0,
        (_, false) => 120.0,
        _ => 150.0,
    };
    let name_most = if with_capacity { f32::INFINITY } else { 150.0 };
    let name_width = name_width.max(name_cell_width(ui, doc, &live, &lines).min(name_most));
    let mut table = TableBuilder::new(ui)
        .id_salt("territories")
        .striped(true)
        .sense(Sense::click())
        .cell_layout(egui::Layout::right_to_left(egui::Align::Center))
        .column(Column::exact(46.0))
        .column(Column::exact(44.0))
        .column(Column::auto().at_least(name_width).at_most(name_most).clip(true));
    if with_capacity {
        table = table.column(Column::exact(58.0));
    }
    table = table.column(Column::auto().at_least(80.0));
    if wide {
        table = table.column(Column::auto().at_least(90.0));
    }
    table = table.column(Column::auto().at_least(90.0));
    if wide {
        table = table.column(Column::auto().at_least(60.0));
    }
    table
        // The last column takes what is left, clipped to it, so the table never runs past
        // the panel (unclipped, it grew to its own content's width, two points a frame,
        // and the panel gave way over the map).
        .column(Column::remainder().at_least(if with_capacity { 150.0 } else { 120.0 }).clip(true))
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
            if with_capacity {
                header.col(|ui| {
                    ui.label(RichText::new("Cap.").strong()).on_hover_text(
                        "Capacity: the share of a full book this territory's rep carries (1 full time, 0.5 part \
                         time, 1.2 a senior). Its target is the total × its capacity / the sum of capacities. \
                         Drag or type to change it.",
                    );
                });
            }
            header.col(|ui| head(ui, "Accounts", SortKey::Accounts, "Number of accounts"));
            if wide {
                header.col(|ui| head(ui, "Potential", SortKey::Potential, "Sum of the accounts' potential"));
            }
            header.col(|ui| head(ui, "Workload h", SortKey::Workload, "Visit hours per year: visits × minutes / 60"));
            if wide {
                header.col(|ui| {
                    ui.label(RichText::new("Spread").strong()).on_hover_text(
                        "How spread out the territory is: the root-mean-square distance of its accounts to their \
                         centre, in km (a small, round territory has a small spread)",
                    );
                });
            }
            header.col(|ui| {
                head(
                    ui,
                    // (Narrowest, the header is short; its tooltip says the rest.)
                    if with_capacity { "Workload vs target" } else { "vs target" },
                    SortKey::Deviation,
                    "Deviation of workload from the territory's target (the mean, or its share by capacity; \
                     a region's against its share of the region above it): green within ±5%, amber ±15%, \
                     red beyond",
                )
            });
        })
        // Only the rows in view are laid out: a plan of 10,000 territories had taken
        // 270 ms a frame laying out all of them.
        .body(|body| {
            body.rows(24.0, lines.len(), |mut row| {
                let (r, depth) = match lines[row.index()] {
                    Line::Region(k) => {
                        let after = rollup_after.as_ref().and_then(|a| a.get(k));
                        region_row(
                            row,
                            plan,
                            &rollup[k],
                            after,
                            &state.collapsed_regions,
                            &mut asks,
                            (wide, with_capacity),
                        );
                        return;
                    }
                    Line::Territory(r, depth) => (r, depth),
                };
                let ti = live[r];
                let t = &plan.territories[ti.get()];
                let cur = &now[r];
                let aft = after.as_ref().map(|a| &a[r]);
                let mut name_clicked = false;
                row.set_selected(state.highlighted == Some(ti));
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
                            .on_hover_text({
                                // The columns a narrow window leaves out.
                                let mut tip = territory_tip(plan, t);
                                if !wide {
                                    tip += &format!(
                                        "\nPotential: {}\nSpread: {}",
                                        money_compact(cur.potential.0),
                                        spread(cur)
                                    );
                                }
                                if !with_capacity {
                                    tip += &format!("\nCapacity: {}", crate::format::capacity(caps[r]));
                                }
                                tip
                            });
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
                        if let Some(n) = doc.areas.pieces(&doc.editor, ti).filter(|&n| n > 1) {
                            ui.label(RichText::new(format!("{n} pieces")).small().weak()).on_hover_text(format!(
                                "{} is in {n} pieces: groups of its accounts that no chain of its own accounts \
                                 joins (neighbours within 150 km on the map of all accounts). Shown while the \
                                 territory areas are on.",
                                t.name
                            ));
                        }
                    });
                });
                if with_capacity {
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
                }
                let changed = |ui: &mut Ui, now: String, after: Option<String>| figure(ui, now, after, false);
                row.col(|ui| changed(ui, thousands(cur.accounts as i64), aft.map(|a| thousands(a.accounts as i64))));
                if wide {
                    row.col(|ui| {
                        changed(ui, money_compact(cur.potential.0), aft.map(|a| money_compact(a.potential.0)))
                    });
                }
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
                        let hours = |minutes: i64| thousands((minutes as f64 / 60.0).round() as i64);
                        // In the row's own size, read from the back of a room too, and
                        // compact (`138.8 k`), so that the table stays in the panel.
                        let text = RichText::new(format!("🚗{}", crate::format::compact(shown as f64 / 60.0)));
                        let text =
                            if shown == tr.minutes { text.weak() } else { text.color(ui.visuals().hyperlink_color) };
                        let travel_now = if shown == tr.minutes {
                            format!("Of which travel: {} h a year", hours(tr.minutes))
                        } else {
                            format!(
                                "Of which travel: {} h a year after the previewed move ({} h now)",
                                hours(shown),
                                hours(tr.minutes)
                            )
                        };
                        ui.label(text).on_hover_text(format!(
                            "{travel_now}; the accounts are now on average {} km from {}",
                            tr.mean_km().map_or("–".to_owned(), |k| format!("{k:.0}")),
                            if t.rep_home.is_some() { "the rep's home" } else { "the territory's centre" }
                        ));
                    }
                });
                if wide {
                    row.col(|ui| changed(ui, spread(cur), aft.map(spread)));
                }
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
        });
    if let Some(s) = new_sort {
        state.sort = s;
    }
    if let Some(h) = hovered_row
        && !state.selection.is_empty()
    {
        state.preview_next = Some(Some(h));
    }
    if let Some(c) = clicked_row {
        state.highlighted = if state.highlighted == Some(c) { None } else { Some(c) };
    }
    state.capacity_draft = draft;
    for ask in asks {
        answer(doc, state, actions, ask);
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
fn sorted_rows(
    doc: &Document,
    state: &UiState,
    live: &[TerritoryIdx],
    now: &[Totals],
    caps: &[f64],
    before: &Balance,
) -> Vec<usize> {
    let plan = doc.editor.plan();
    let mut rows: Vec<usize> = (0..live.len()).collect();
    let key_of = |r: usize| -> f64 {
        let t = &now[r];
        match state.sort.key {
            SortKey::Plan => r as f64,
            SortKey::Name => 0.0,
            SortKey::Accounts => t.accounts as f64,
            SortKey::Potential => t.potential.0 as f64,
            SortKey::Workload => t.workload.0 as f64,
            SortKey::Deviation => before.workload.deviation(t.workload.0 as f64, caps[r]).unwrap_or(0.0),
        }
    };
    if state.sort.key == SortKey::Name {
        let name = |r: usize| plan.territories[live[r].get()].name.to_lowercase();
        rows.sort_by_cached_key(|&r| name(r));
    } else {
        rows.sort_by(|&a, &b| key_of(a).total_cmp(&key_of(b)));
    }
    if state.sort.descending {
        rows.reverse();
    }
    rows
}

/// Does what a row asked for.
fn answer(doc: &Document, state: &mut UiState, actions: &mut Vec<Action>, ask: Ask) {
    let plan = doc.editor.plan();
    match ask {
        Ask::Rename(t) => state.dialog = Some(Dialog::rename(plan, t)),
        Ask::Delete(t) => state.dialog = Some(Dialog::Delete { territory: t, to: None }),
        Ask::Home(t) => {
            state.placing_home = Some(t);
            let note = format!("Click the home of {}'s rep on the map (Esc cancels)", plan.territories[t.get()].name);
            state.notice = Some(crate::app::Notice { text: note, error: false });
        }
        Ask::Edit(Command::SetCapacity { territory, capacity })
            if plan.territories[territory.get()].capacity == capacity => {}
        Ask::Edit(c) => actions.push(Action::Edit(c)),
        Ask::Toggle(id) => {
            if !state.collapsed_regions.remove(&id) {
                state.collapsed_regions.insert(id);
            }
        }
        Ask::NewRegion(parent) => state.dialog = Some(Dialog::RegionName { region: None, parent, name: String::new() }),
        Ask::RenameRegion(r) => {
            let name = plan.regions[r.get()].name.clone();
            state.dialog = Some(Dialog::RegionName { region: Some(r), parent: None, name });
        }
    }
}

/// Names with a pieces note measured for the width of the Territory column, at most:
/// beyond, a note may be cut short.
const NAME_MEASURE_MAX: usize = 500;

/// The width the Territory cells of territories in several pieces need: indent, swatch,
/// name and "N pieces". Measured, because the pieces arrive from the areas' worker after
/// the table was first laid out, and a column that clips keeps the width of its first
/// layout (it had cut "Mid-Atlantic 2 pie…").
fn name_cell_width(ui: &Ui, doc: &Document, live: &[TerritoryIdx], lines: &[Line]) -> f32 {
    let (body, small) = (egui::TextStyle::Body.resolve(ui.style()), egui::TextStyle::Small.resolve(ui.style()));
    let gap = ui.spacing().item_spacing.x;
    let width = |text: String, font: &egui::FontId| {
        ui.painter().layout_no_wrap(text, font.clone(), egui::Color32::PLACEHOLDER).size().x
    };
    let plan = doc.editor.plan();
    lines
        .iter()
        .filter_map(|l| match *l {
            Line::Territory(r, depth) => Some((live[r], depth)),
            Line::Region(_) => None,
        })
        // (The others' names the column's own sizing fits.)
        .filter_map(|(t, depth)| doc.areas.pieces(&doc.editor, t).filter(|&n| n > 1).map(|n| (t, depth, n)))
        .take(NAME_MEASURE_MAX)
        .map(|(t, depth, n)| {
            let note = gap + width(format!("{n} pieces"), &small);
            INDENT * depth as f32 + 14.0 + gap + width(plan.territories[t.get()].name.clone(), &body) + note + 2.0
        })
        .fold(0.0, f32::max)
}
