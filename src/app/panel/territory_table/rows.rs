//! The table's rows apart from a territory's own: which lines the tree shows, a
//! region's row, a territory's context menu and tooltip, and the cells both kinds of
//! row share (a previewed figure, the spread, the deviation bar).

use super::*;

/// The table's lines: without regions, the territories in sort order; with regions,
/// each region (tree order) followed by its own territories in sort order, a collapsed
/// region hiding what is inside it, and the territories of no region last.
pub(super) fn lines(
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

/// A figure, or, while a move is previewed and changes it, its value after the move,
/// highlighted.
pub(super) fn figure(ui: &mut Ui, now: String, after: Option<String>, strong: bool) {
    match after {
        Some(a) if a != now => {
            ui.label(RichText::new(a).strong().color(ui.visuals().hyperlink_color));
        }
        _ => {
            let text = RichText::new(now);
            ui.label(if strong { text.strong() } else { text });
        }
    }
}

/// A region's row: collapse toggle, lock, name, its capacity and roll-up, and its
/// deviation against its share of the region above it (of the plan at the top); while
/// a move is previewed (`after`), the roll-up after it.
pub(super) fn region_row(
    mut row: egui_extras::TableRow<'_, '_>,
    plan: &Plan,
    f: &RegionFigures,
    after: Option<&RegionFigures>,
    collapsed: &std::collections::BTreeSet<String>,
    asks: &mut Vec<Ask>,
    (wide, with_capacity): (bool, bool),
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
    if with_capacity {
        row.col(|ui| {
            ui.label(RichText::new(crate::format::capacity(f.capacity)).weak())
                .on_hover_text("The region's capacity: the sum of its territories'");
        });
    }
    let accounts = |f: &RegionFigures| thousands(f.totals.accounts as i64);
    let potential = |f: &RegionFigures| money_compact(f.totals.potential.0);
    let workload = |f: &RegionFigures| thousands(f.totals.workload.hours().round() as i64);
    row.col(|ui| figure(ui, accounts(f), after.map(accounts), true));
    if wide {
        row.col(|ui| figure(ui, potential(f), after.map(potential), true));
    }
    row.col(|ui| figure(ui, workload(f), after.map(workload), true));
    if wide {
        row.col(|ui| {
            ui.label(RichText::new(spread(&f.totals)).weak());
        });
    }
    row.col(|ui| match after {
        Some(a) => deviation_cell(ui, a.workload_deviation, f.workload_deviation),
        None => deviation_cell(ui, f.workload_deviation, None),
    });
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
pub(super) fn territory_menu(ui: &mut Ui, plan: &Plan, ti: TerritoryIdx, asks: &mut Vec<Ask>) {
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

pub(super) fn territory_tip(plan: &Plan, t: &crate::model::Territory) -> String {
    let rep = t.rep.as_deref().map_or("No rep set".to_owned(), |r| format!("Rep: {r}"));
    match t.region.filter(|&r| crate::model::region_live(&plan.regions, r)) {
        Some(r) => format!("{rep}\nRegion: {}", region_path(&plan.regions, r)),
        None => rep,
    }
}

/// A spread in km, as the table shows it.
pub(super) fn spread(t: &Totals) -> String {
    t.spread_km().map_or("–".to_owned(), |s| format!("{s:.0} km"))
}

/// Points kept free at the right of the last column for the floating scroll bar.
const SCROLL_BAR_ROOM: f32 = 8.0;

/// The deviation figure and its bar, the same width in every row and never past the
/// panel.
pub(super) fn deviation_cell(ui: &mut Ui, d: Option<f64>, ghost: Option<f64>) {
    // Room at the right for the table's scroll bar, which floats over the last column
    // (it had covered the % of every row in a short window).
    ui.add_space(SCROLL_BAR_ROOM);
    let bar = (ui.available_width() - 76.0).clamp(40.0, 110.0);
    ui.allocate_ui_with_layout(Vec2::new(70.0, 18.0), egui::Layout::right_to_left(egui::Align::Center), |ui| {
        ui.set_min_width(70.0);
        ui.label(RichText::new(percent(d)).monospace().color(d.map_or(Color32::GRAY, deviation_color)));
    });
    deviation_bar(ui, bar, d, ghost);
}
