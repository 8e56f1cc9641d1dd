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

fn comparison<'a>(view: &'a mut CompareView, doc: &Document) -> &'a Comparison {
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
    &view.cache.as_ref().expect("just filled").1
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
    let pos = [(ctx.content_rect().right() - 780.0).max(16.0), 100.0];
    egui::Window::new("Compare scenarios").open(open).default_pos(pos).default_size([760.0, 760.0]).show(ctx, |ui| {
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
        let c = comparison(view, doc).clone();
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
        let hours = |f: Option<&crate::compare::SideFigures>| {
            f.map_or("–".to_owned(), |f| thousands(f.totals.workload.hours().round() as i64))
        };
        let count = |f: Option<&crate::compare::SideFigures>| {
            f.map_or("–".to_owned(), |f| thousands(f.totals.accounts as i64))
        };
        egui::Grid::new("compare-territories").striped(true).show(ui, |ui| {
            for h in [
                "Territory",
                "Accounts A",
                "Accounts B",
                "Workload h A",
                "Workload h B",
                "Dev. A",
                "Dev. B",
                "Book changing",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            let right = |ui: &mut Ui, text: String| {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| ui.label(text)).inner
            };
            for t in &c.territories {
                ui.label(&t.name);
                right(ui, count(t.a.as_ref()));
                right(ui, count(t.b.as_ref()));
                right(ui, hours(t.a.as_ref()));
                right(ui, hours(t.b.as_ref()));
                right(ui, percent(t.a.as_ref().and_then(|f| f.workload_deviation)));
                right(ui, percent(t.b.as_ref().and_then(|f| f.workload_deviation)));
                right(ui, percent(Some(t.changed_share_of_workload())).trim_start_matches('+').to_owned())
                    .on_hover_text("The share of this rep's workload in A that goes to another territory in B");
                ui.end_row();
            }
        });
        ui.separator();
        ui.label(RichText::new("Flows (click a column to sort, a row to select its accounts)").strong());
        flows_table(ui, &c, &mut view.flow_sort, actions);
    });
}

/// The flows between territories as a table sortable by any column; a click on a row
/// selects the flow's accounts.
fn flows_table(ui: &mut Ui, c: &Comparison, sort: &mut (FlowColumn, bool), actions: &mut Vec<Action>) {
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
    egui::ScrollArea::vertical().min_scrolled_height(260.0).max_height(320.0).show(ui, |ui| {
        egui::Grid::new("compare-flows").striped(true).show(ui, |ui| {
            for (col, label) in [
                (FlowColumn::Flow, "Flow"),
                (FlowColumn::Accounts, "Accounts"),
                (FlowColumn::Potential, "Potential"),
                (FlowColumn::Workload, "Workload h"),
            ] {
                let arrow = if column == col { if descending { " ⏷" } else { " ⏶" } } else { "" };
                if ui.selectable_label(column == col, RichText::new(format!("{label}{arrow}")).strong()).clicked() {
                    // Names sort A to Z first, figures largest first.
                    let first = col != FlowColumn::Flow;
                    *sort = (col, if column == col { !descending } else { first });
                }
            }
            ui.end_row();
            for &k in &order {
                let f = &c.flows[k];
                let cells = [
                    format!("{} ⏵ {}", name(f.from), name(f.to)),
                    thousands(f.totals.accounts as i64),
                    crate::format::money_compact(f.totals.potential.0),
                    thousands(f.totals.workload.hours().round() as i64),
                ];
                let mut clicked = false;
                for (i, text) in cells.into_iter().enumerate() {
                    let r = if i == 0 {
                        ui.selectable_label(false, text)
                    } else {
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            ui.selectable_label(false, text)
                        })
                        .inner
                    };
                    clicked |= r.on_hover_text("Select these accounts on the map").clicked();
                }
                if clicked {
                    let set = AccountSet::from_indices(
                        c.changes
                            .iter()
                            .filter(|ch| ch.from == f.from && ch.to == f.to)
                            .map(|ch| ch.a as u32)
                            .collect(),
                    );
                    actions.push(Action::Select(set, crate::app::selection::Combine::Replace));
                }
                ui.end_row();
            }
        });
    });
}
