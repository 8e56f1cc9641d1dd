//! The balance panel, the menu bar, the toolbar, the scenario bar, the status bar, the
//! comparison window and the dialogs. They read the document and queue [`Action`]s.
//!
//! One file each: `menu_bar.rs`, `toolbar.rs`, `scenario_bar.rs`, `status_bar.rs`,
//! `balance_table.rs`, `territory_table/` (the territories, as a tree of regions;
//! `rows.rs`: the region rows and the cells they share), `compare_window.rs`,
//! `dialogs.rs`; the shared pieces (sorting, dialog state, deviation colours, the layout
//! of the tables of names and figures) are here.
//! The menu bar, toolbar, scenario bar, status bar, comparison window, the balance
//! panel's headline, Assign and table of territories, and the dialogs are functions of
//! what they read (the document, the UI state) that change only the UI state and push
//! actions; a Balance or Redraw proposal's view (`app::optimize_ui`) and the file and
//! recovery windows still take the whole app.

use egui::{Color32, RichText, Sense, Ui, Vec2};
use egui_extras::{Column, TableBuilder};

use super::{Action, Document, Settings, TerritoryApp, Tool, UiState, menu_entry, optimize_ui, tool_button};
use crate::edit::Command;
use crate::format::{money_compact, percent, thousands};
use crate::metrics::{Balance, Totals};
use crate::model::{Plan, Rgb, TerritoryIdx};

mod balance_table;
mod compare_window;
mod dialogs;
mod menu_bar;
mod territory_table;
pub(in crate::app) use compare_window::{CompareView, compare_window};
pub(in crate::app) use territory_table::{CAPACITY_COLUMN_MIN_WIDTH, WIDE_TABLE_MIN_WIDTH};
mod scenario_bar;
pub(in crate::app) use menu_bar::menu_bar;
pub(in crate::app) use scenario_bar::{fresh_scenario_name, scenario_bar};
mod status_bar;
pub(in crate::app) use status_bar::{Busy, selection_summary, status_bar};
mod toolbar;
pub(in crate::app) use toolbar::toolbar;

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
    Rename {
        territory: TerritoryIdx,
        name: String,
        rep: String,
    },
    Delete {
        territory: TerritoryIdx,
        to: Option<TerritoryIdx>,
    },
    Shortcuts,
    About,
    RenameScenario {
        index: usize,
        name: String,
    },
    /// The travel settings being edited (on, settings).
    Travel {
        on: bool,
        travel: crate::model::Travel,
    },
    /// A new region (`region` is `None`) inside `parent`, or a region renamed.
    RegionName {
        region: Option<crate::model::RegionIdx>,
        parent: Option<crate::model::RegionIdx>,
        name: String,
    },
    DeleteScenario {
        index: usize,
    },
}

impl Dialog {
    /// The rename dialog, pre-filled.
    pub fn rename(plan: &Plan, t: TerritoryIdx) -> Dialog {
        let tt = &plan.territories[t.get()];
        Dialog::Rename { territory: t, name: tt.name.clone(), rep: tt.rep.clone().unwrap_or_default() }
    }
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

impl TerritoryApp {}

/// A table of a name column and figure columns (the proposal's, the comparison's): the
/// figures right-aligned, each heading over its column's text, and only the rows in
/// view laid out by the caller's `body.rows`.
pub(in crate::app) fn figures_table<'a>(
    ui: &'a mut Ui,
    id: &str,
    columns: usize,
    (name_least, figure_least): (f32, f32),
) -> TableBuilder<'a> {
    TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .cell_layout(egui::Layout::right_to_left(egui::Align::Center))
        .column(Column::auto().at_least(name_least).clip(true))
        .columns(Column::auto().at_least(figure_least), columns.saturating_sub(1))
}

/// The headings of a [`figures_table`]: the names' over the names, the figures' over
/// the figures.
pub(in crate::app) fn figures_header(header: &mut egui_extras::TableRow<'_, '_>, heads: &[&str]) {
    for (i, h) in heads.iter().enumerate() {
        header.col(|ui| {
            let side = if i == 0 { egui::Align::Min } else { egui::Align::Max };
            ui.with_layout(egui::Layout::top_down(side), |ui| ui.label(RichText::new(*h).strong()));
        });
    }
}
