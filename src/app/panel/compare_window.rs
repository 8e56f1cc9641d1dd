//! The comparison of two scenarios (by default the baseline against the one on
//! screen): the headline, each territory in A and B with its disruption, and the
//! flows between territories; a click on a flow selects its accounts on the map.

use super::*;
use crate::compare::{Comparison, Side, compare_sides};
use crate::model::AccountSet;

/// The comparison window's state: which scenarios, and the last comparison (kept until
/// the plan or the choice changes).
#[derive(Default)]
pub struct CompareView {
    pub a: usize,
    pub b: usize,
    cache: Option<((u64, usize, usize), Comparison)>,
    /// How the flows are sorted: by which column, and whether descending.
    flow_sort: (FlowColumn, bool),
}

/// A column of the flows table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum FlowColumn {
    /// By the from territory's name, then the to territory's.
    Flow,
    Accounts,
    Potential,
    #[default]
    Workload,
}

impl CompareView {
    /// The baseline against the scenario on screen.
    pub fn new(plan: &Plan) -> CompareView {
        CompareView { a: 0, b: plan.current, cache: None, flow_sort: (FlowColumn::Workload, true) }
    }
}

/// Brings the comparison of `view.a` and `view.b` up to date in `view.cache`.
fn comparison(view: &mut CompareView, doc: &Document) {
    let ed = &doc.editor;
    let plan = ed.plan();
    let n = plan.scenarios.len();
    view.a = view.a.min(n - 1);
    view.b = view.b.min(n - 1);
    let key = (ed.revision(), view.a, view.b);
    if view.cache.as_ref().is_none_or(|(k, _)| *k != key) {
        let (ma, mb) = (ed.scenario_metrics(view.a), ed.scenario_metrics(view.b));
        let c = compare_sides(&Side::scenario(plan, view.a, &ma), &Side::scenario(plan, view.b, &mb));
        view.cache = Some((key, c));
    }
}

fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 { part as f64 / whole as f64 } else { 0.0 }
}

/// The window; `open` turns false when it is closed.
pub(in crate::app) fn compare_window(
    ctx: &egui::Context,
    doc: &Document,
    view: &mut CompareView,
    open: &mut bool,
    actions: &mut Vec<Action>,
) {
    // Over the balance panel, so that the map (the Changes mode) stays in view.
    let screen = ctx.content_rect();
    let pos = [(screen.right() - 780.0).max(16.0), 100.0];
    // No taller than the window below its top (on a 720-point projector the flows'
    // last rows were under the window's edge).
    let height = (screen.height() - 120.0).clamp(300.0, 760.0);
    // What the two tables share of it, besides the headline and buttons (200 points):
    // 300 points each at most.
    let tables = ((height - 200.0) / 2.0).clamp(100.0, 300.0);
    egui::Window::new("Compare scenarios")
        .id(egui::Id::unique("compare-window"))
        .open(open)
        .default_pos(pos)
        .default_size([760.0, height])
        .show(ctx, |ui| {
            let plan = doc.editor.plan();
            let names = plan.scenario_names();
            ui.horizontal(|ui| {
                for (label, pick) in [("A", &mut view.a), ("B", &mut view.b)] {
                    let l = ui.label(RichText::new(label).strong());
                    egui::ComboBox::from_id_salt(label)
                        .selected_text(names.get(*pick).copied().unwrap_or(""))
                        .show_ui(ui, |ui| {
                            for (i, n) in names.iter().enumerate() {
                                ui.selectable_value(pick, i, *n);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                }
            });
            // Borrowed, not copied: at a million accounts the comparison lists every change.
            comparison(view, doc);
            let c = &view.cache.as_ref().expect("just filled").1;
            ui.label(
                RichText::new(format!(
                    "{} of {} accounts change territory: {} of the potential and {} of the workload change hands.",
                    thousands(c.moved.accounts as i64),
                    thousands(c.matched as i64),
                    percent(Some(share(c.moved.potential.0, c.matched_totals.potential.0))).trim_start_matches('+'),
                    percent(Some(share(c.moved.workload.0, c.matched_totals.workload.0))).trim_start_matches('+'),
                ))
                .strong(),
            );
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(view.a != view.b, egui::Button::new("Show the changes on the map"))
                    .on_hover_text(
                        "Show B with the accounts that differ from A in their colour in B, everything else faint",
                    )
                    .clicked()
                {
                    actions.push(Action::ShowChanges { against: view.a, on: view.b });
                }
                if !c.changes.is_empty()
                    && ui
                        .button(format!("Select the {} accounts that change", thousands(c.changes.len() as i64)))
                        .on_hover_text("Select them on the map (in the scenario on screen)")
                        .clicked()
                {
                    let set = AccountSet::from_indices(c.changes.iter().map(|ch| ch.a as u32).collect());
                    actions.push(Action::Select(set, crate::app::selection::Combine::Replace));
                }
            });
            ui.separator();
            territories_table(ui, c, tables);
            ui.separator();
            ui.label(RichText::new("Flows (click a column to sort, a row to select its accounts)").strong());
            flows_table(ui, c, &mut view.flow_sort, actions, tables);
        });
}

/// Each territory in A and in B, and the share of its book that changes. Only the rows
/// in view are laid out (a plan may have 10,000 territories).
fn territories_table(ui: &mut Ui, c: &Comparison, height: f32) {
    let hours = |f: Option<&crate::compare::SideFigures>| {
        f.map_or("–".to_owned(), |f| thousands(f.totals.workload.hours().round() as i64))
    };
    let count =
        |f: Option<&crate::compare::SideFigures>| f.map_or("–".to_owned(), |f| thousands(f.totals.accounts as i64));
    let heads =
        ["Territory", "Accounts A", "Accounts B", "Workload h A", "Workload h B", "Dev. A", "Dev. B", "Book changing"];
    figures_table(ui, "compare-territories", heads.len(), (130.0, 56.0))
        .max_scroll_height(height)
        .header(22.0, |mut header| figures_header(&mut header, &heads))
        .body(|body| {
            body.rows(20.0, c.territories.len(), |mut row| {
                let t = &c.territories[row.index()];
                row.col(|ui| {
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| ui.label(&t.name));
                });
                let cells = [
                    count(t.a.as_ref()),
                    count(t.b.as_ref()),
                    hours(t.a.as_ref()),
                    hours(t.b.as_ref()),
                    percent(t.a.as_ref().and_then(|f| f.workload_deviation)),
                    percent(t.b.as_ref().and_then(|f| f.workload_deviation)),
                ];
                for text in cells {
                    row.col(|ui| {
                        ui.label(text);
                    });
                }
                row.col(|ui| {
                    ui.label(percent(Some(t.changed_share_of_workload())).trim_start_matches('+'))
                        .on_hover_text("The share of this rep's workload in A that goes to another territory in B");
                });
            });
        });
}

/// The flows between territories as a table sortable by any column; a click on a row
/// selects the flow's accounts.
fn flows_table(ui: &mut Ui, c: &Comparison, sort: &mut (FlowColumn, bool), actions: &mut Vec<Action>, height: f32) {
    let name = |r: Option<usize>| r.map_or("Unassigned", |r| c.territories[r].name.as_str());
    let mut order: Vec<usize> = (0..c.flows.len()).collect();
    let (column, descending) = *sort;
    order.sort_by(|&x, &y| {
        let (f, g) = (&c.flows[x], &c.flows[y]);
        let o = match column {
            FlowColumn::Flow => (name(f.from), name(f.to)).cmp(&(name(g.from), name(g.to))),
            FlowColumn::Accounts => f.totals.accounts.cmp(&g.totals.accounts),
            FlowColumn::Potential => f.totals.potential.cmp(&g.totals.potential),
            FlowColumn::Workload => f.totals.workload.cmp(&g.totals.workload),
        };
        if descending { o.reverse() } else { o }
    });
    let heads = [
        (FlowColumn::Flow, "Flow"),
        (FlowColumn::Accounts, "Accounts"),
        (FlowColumn::Potential, "Potential"),
        (FlowColumn::Workload, "Workload h"),
    ];
    let mut clicked_flow = None;
    // Only the rows in view are laid out: 10,000 territories can make many flows.
    figures_table(ui, "compare-flows", heads.len(), (200.0, 80.0))
        .sense(egui::Sense::click())
        .min_scrolled_height(height.min(260.0))
        .max_scroll_height(height)
        .header(22.0, |mut header| {
            for (col, label) in heads {
                header.col(|ui| {
                    // On one line, the sort arrow too (the column takes its width).
                    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                    let side = if col == FlowColumn::Flow { egui::Align::Min } else { egui::Align::Max };
                    ui.with_layout(egui::Layout::top_down(side), |ui| {
                        let arrow = if column == col { if descending { " ⏷" } else { " ⏶" } } else { "" };
                        let head = RichText::new(format!("{label}{arrow}")).strong();
                        if ui.selectable_label(column == col, head).clicked() {
                            // Names sort A to Z first, figures largest first.
                            let first = col != FlowColumn::Flow;
                            *sort = (col, if column == col { !descending } else { first });
                        }
                    });
                });
            }
        })
        .body(|body| {
            body.rows(22.0, order.len(), |mut row| {
                let k = order[row.index()];
                let f = &c.flows[k];
                // Labels that leave the click to the row.
                let cell = |ui: &mut Ui, text: String| ui.add(egui::Label::new(text).selectable(false));
                row.col(|ui| {
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        cell(ui, format!("{} ⏵ {}", name(f.from), name(f.to)))
                    });
                });
                for text in [
                    thousands(f.totals.accounts as i64),
                    crate::format::money_compact(f.totals.potential.0),
                    thousands(f.totals.workload.hours().round() as i64),
                ] {
                    row.col(|ui| {
                        cell(ui, text);
                    });
                }
                if row.response().on_hover_text("Select these accounts on the map").clicked() {
                    clicked_flow = Some(k);
                }
            });
        });
    if let Some(k) = clicked_flow {
        let f = &c.flows[k];
        let set = AccountSet::from_indices(
            c.changes.iter().filter(|ch| ch.from == f.from && ch.to == f.to).map(|ch| ch.a as u32).collect(),
        );
        actions.push(Action::Select(set, crate::app::selection::Combine::Replace));
    }
}
