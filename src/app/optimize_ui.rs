//! Balance… and Redraw…: the settings form, the run on a worker thread with progress
//! and Cancel, and the proposal preview (moved accounts selected on the map, a
//! before/after table) with Apply (one undo step) and Discard.

use std::sync::Arc;

use egui::{Context, RichText, Ui};

use super::files::TaskResult;
use super::selection::Combine;
use super::{Action, Document, TerritoryApp, UiState};
use crate::edit::Command;
use crate::format::thousands;
use crate::io::Progress;
use crate::model::{AccountSet, Plan, RegionIdx, region_path};
use crate::optimize::{self, BalanceOptions, Budget, Proposal, RedrawOptions, Report, Target};

/// Which job the form sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Balance,
    Redraw,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Balance => "Balance",
            Kind::Redraw => "Redraw",
        }
    }
}

/// The settings form.
#[derive(Debug, Clone)]
pub struct Form {
    pub kind: Kind,
    /// ± percent of the mean.
    pub tolerance_pct: f64,
    pub target: Target,
    /// Budgets in percent: accounts, workload, potential (`None`: no limit).
    pub budget_pct: [Option<f64>; 3],
    pub territories: usize,
    pub lock_selection: bool,
    /// Redraw: grow a territory around each rep's home.
    pub homes: bool,
    /// Work within this region only.
    pub region: Option<RegionIdx>,
}

impl Form {
    pub fn new(kind: Kind, territories: usize) -> Self {
        Form {
            kind,
            tolerance_pct: 3.0,
            target: Target::Workload,
            budget_pct: [None; 3],
            territories,
            lock_selection: false,
            homes: false,
            region: None,
        }
    }
}

/// A finished proposal waiting for Apply or Discard.
pub struct Pending {
    pub kind: Kind,
    pub proposal: Proposal,
    pub report: Report,
    /// The plan revision it was computed for.
    pub revision: u64,
    pub tolerance: f64,
    /// The adjacency used, kept by the document for the next run.
    pub adjacency: Arc<crate::quality::Adjacency>,
}

impl TerritoryApp {
    /// Starts Balance or Redraw on a worker thread.
    pub(super) fn run_optimize(&mut self, ctx: &Context, form: &Form) {
        let kind = form.kind;
        let job = self.start_job(format!("{}: computing a proposal", kind.title()));
        let progress = Arc::new(Progress::default());
        self.tasks.progress = Some(progress.clone());
        // Shared, not copied: the UI thread stays free even with a million accounts.
        let plan = self.doc.editor.snapshot();
        let locked_accounts: Vec<u32> =
            if form.lock_selection { self.ui.selection.accounts().iter().collect() } else { Vec::new() };
        let tolerance = form.tolerance_pct / 100.0;
        let [accounts, workload, potential] = form.budget_pct.map(|b| b.map(|x| x / 100.0));
        let balance = BalanceOptions {
            tolerance,
            target: form.target,
            budget: Budget { accounts, workload, potential },
            locked_territories: Vec::new(),
            locked_accounts: locked_accounts.clone(),
            region: form.region,
            seed: 0,
        };
        let redraw = RedrawOptions {
            territories: form.territories,
            tolerance,
            locked_territories: Vec::new(),
            locked_accounts,
            homes: form.homes,
            region: form.region,
            seed: 0,
        };
        let revision = self.doc.editor.revision();
        // The adjacency depends on the accounts only: the one made for an earlier
        // proposal, or for the areas.
        let known = self.doc.adjacency.clone().or_else(|| self.doc.areas.adjacency().cloned());
        let tx = self.tasks.tx.clone();
        let ctx = ctx.clone();
        crate::app::spawn_background(move || {
            let p = Some(progress.as_ref());
            let work = || {
                let adjacency = match known {
                    Some(a) => Ok(a),
                    None => optimize::adjacency_cancellable(&plan.accounts, p).map(Arc::new),
                };
                adjacency
                    .and_then(|adj| {
                        let proposal = match kind {
                            Kind::Balance => optimize::balance(&plan, &adj, &balance, p)?,
                            Kind::Redraw => optimize::redraw(&plan, &adj, &redraw, p)?,
                        };
                        let after = proposal.apply_to(&plan);
                        let report = optimize::report(&plan, &after, &adj, tolerance, proposal.run());
                        Ok(Pending { kind, proposal, report, revision, tolerance, adjacency: adj })
                    })
                    .map_err(|e| e.to_string())
            };
            // A panic (a bug) ends the spinner with an error, like any other failure.
            let result = crate::catch_panic(work).and_then(|r| r);
            let _ = tx.send(TaskResult::Optimized { job, result: Box::new(result) });
            ctx.request_repaint();
        });
    }

    /// A proposal arrived: select what moves, so the map shows it, and open the preview.
    pub(super) fn proposal_ready(&mut self, pending: Pending) {
        self.doc.adjacency.get_or_insert_with(|| pending.adjacency.clone());
        let plan = self.doc.editor.plan();
        let moved: Vec<u32> = plan
            .assignment
            .iter()
            .zip(&pending.proposal.assignment)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i as u32)
            .collect();
        let n = moved.len();
        self.ui.selection.combine(
            AccountSet::from_indices(moved),
            Combine::Replace,
            &self.doc.editor,
            self.doc.editor.revision(),
        );
        self.ui.selection_version += 1;
        self.notify(format!(
            "{} proposal: {} accounts move (selected on the map). Apply or Discard.",
            pending.kind.title(),
            thousands(n as i64)
        ));
        self.pending = Some(pending);
    }

    pub(super) fn apply_proposal(&mut self) {
        let Some(p) = self.pending.take() else { return };
        if p.revision != self.doc.editor.revision() {
            self.fail("The plan changed while the proposal was computed; run it again");
            return;
        }
        let label = p.proposal.label.clone();
        self.edit(Command::ApplyProposal {
            label,
            territories: p.proposal.territories,
            assignment: p.proposal.assignment,
        });
        self.ui.selection.clear();
        self.ui.selection_version += 1;
    }

    /// The proposal into a new scenario (a copy of the one it was computed on), which
    /// is then on screen; the scenario it came from stays as it was.
    pub(super) fn apply_proposal_as_scenario(&mut self) {
        let Some(p) = self.pending.as_ref() else { return };
        if p.revision != self.doc.editor.revision() {
            self.pending = None;
            self.fail("The plan changed while the proposal was computed; run it again");
            return;
        }
        let base = match p.kind {
            Kind::Balance => "Balanced",
            Kind::Redraw => "Redrawn",
        };
        let plan = self.doc.editor.plan();
        let taken = |n: &str| plan.scenarios.iter().any(|s| s.name.eq_ignore_ascii_case(n));
        let name = std::iter::once(base.to_owned())
            .chain((2..).map(|k| format!("{base} {k}")))
            .find(|n| !taken(n))
            .unwrap_or_else(|| base.to_owned());
        if let Err(e) = self.doc.editor.new_scenario(&name) {
            self.fail(e.to_string());
            return;
        }
        self.journal_rebase();
        // The copy is the plan the proposal was computed on: it applies as it is.
        if let Some(p) = self.pending.as_mut() {
            p.revision = self.doc.editor.revision();
        }
        self.apply_proposal();
        self.notify(format!("The proposal is the new scenario \"{name}\"; Compare… shows what it changes"));
    }

    pub(super) fn discard_proposal(&mut self) {
        if self.pending.take().is_some() {
            self.ui.selection.clear();
            self.ui.selection_version += 1;
            self.notify("Proposal discarded; the plan is unchanged");
        }
    }
}

/// The settings form of Balance… or Redraw… (the proposal itself is shown in the
/// balance panel): reads the plan, edits the form, pushes [`Action::RunOptimize`].
pub(super) fn optimize_window(
    ctx: &Context,
    doc: &Document,
    state: &mut UiState,
    busy: bool,
    actions: &mut Vec<Action>,
) {
    let Some(mut form) = state.optimize_form.take() else { return };
    let mut keep = true;
    let selected = state.selection.accounts().len();
    let plan = doc.editor.plan();
    let locked_names: Vec<String> =
        plan.live_territories().filter(|(_, t)| t.locked).map(|(_, t)| t.name.clone()).collect();
    egui::Window::new(format!("{}…", form.kind.title()))
        .collapsible(false)
        .resizable(false)
        .default_width(440.0)
        // Over the map's left, clear of the balance panel it changes.
        .default_pos(ctx.content_rect().left_top() + egui::vec2(40.0, 110.0))
        .show(ctx, |ui| {
            let facts = FormFacts { plan, selected, locked: &locked_names, busy };
            if form_ui(ui, &mut form, &facts, actions) {
                keep = false;
            }
        });
    if keep {
        state.optimize_form = Some(form);
    }
}

/// What the form shows about the plan and the editor.
struct FormFacts<'a> {
    plan: &'a Plan,
    /// Accounts selected on the map.
    selected: usize,
    /// The names of the locked territories.
    locked: &'a [String],
    /// Another job runs: Compute waits.
    busy: bool,
}

/// The form's fields and buttons; whether it closes.
fn form_ui(ui: &mut Ui, form: &mut Form, facts: &FormFacts<'_>, actions: &mut Vec<Action>) -> bool {
    let FormFacts { plan, selected, locked, busy } = *facts;
    let mut close = false;
    match form.kind {
        Kind::Balance => {
            ui.label(
                "Bring every territory within the tolerance of its target (the mean, or its share by capacity), \
                 moving as little as possible; territories stay compact and in one piece.",
            );
        }
        Kind::Redraw => {
            ui.label(
                "Draw the territories afresh: balanced, compact, in one piece. New territories keep the names of \
                 the old ones they overlap most.",
            );
        }
    }
    ui.add_space(6.0);
    egui::Grid::new("optimize-form").num_columns(2).spacing([16.0, 8.0]).show(ui, |ui| {
        let l = ui.label("Tolerance ±").on_hover_text("How far from its target each territory may end, in percent");
        ui.add(egui::Slider::new(&mut form.tolerance_pct, 0.5..=15.0).suffix(" %").fixed_decimals(1)).labelled_by(l.id);
        ui.end_row();
        if !plan.regions.iter().any(|r| r.alive) {
            form.region = None;
        } else {
            let l = ui.label("Within").on_hover_text(
                "Limit the run to one region: only its territories give and receive, its total stays, and they \
                 aim at their shares of it",
            );
            let name = |r: Option<RegionIdx>| r.map_or("The whole plan".to_owned(), |r| region_path(&plan.regions, r));
            let before = form.region;
            egui::ComboBox::from_id_salt("optimize-region")
                .selected_text(name(form.region))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut form.region, None, name(None));
                    for (r, _) in crate::model::tree_order(&plan.regions) {
                        ui.selectable_value(&mut form.region, Some(r), name(Some(r)));
                    }
                })
                .response
                .labelled_by(l.id);
            if form.region != before {
                // Redraw counts the territories of what it draws.
                form.territories = match form.region {
                    Some(r) => plan.territories_within(r).len().max(1),
                    None => plan.live_territories().count().max(1),
                };
            }
            ui.end_row();
        }
        match form.kind {
            Kind::Balance => {
                ui.label("Balance");
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut form.target, Target::Workload, "Workload");
                    ui.selectable_value(&mut form.target, Target::Potential, "Potential");
                    ui.selectable_value(&mut form.target, Target::Both, "Both");
                });
                ui.end_row();
                for (i, what) in ["accounts", "workload", "potential"].iter().enumerate() {
                    let l = ui
                        .label(format!("Move at most, {what}"))
                        .on_hover_text("Disruption budget: Balance stops there and shows the best plan within it");
                    ui.horizontal(|ui| {
                        let mut on = form.budget_pct[i].is_some();
                        if ui.add(egui::Checkbox::without_text(&mut on)).labelled_by(l.id).changed() {
                            form.budget_pct[i] = on.then_some(15.0);
                        }
                        if let Some(v) = &mut form.budget_pct[i] {
                            ui.add(egui::DragValue::new(v).range(0.0..=100.0).suffix(" %").speed(0.5))
                                .labelled_by(l.id);
                        } else {
                            ui.weak("no limit");
                        }
                    });
                    ui.end_row();
                }
            }
            Kind::Redraw => {
                let l = ui.label("Territories");
                ui.add(
                    egui::DragValue::new(&mut form.territories)
                        .range(1..=plan.accounts.len().clamp(1, crate::model::limits::MAX_TERRITORIES)),
                )
                .labelled_by(l.id);
                ui.end_row();
                let homes = plan.live_territories().filter(|(_, t)| t.rep_home.is_some()).count();
                ui.label("Reps' homes");
                let text = match homes {
                    0 => "None set yet".to_owned(),
                    n => format!("Grow a territory around each rep's home ({n} set)"),
                };
                let tip = "Each territory whose rep has a home keeps its name and rep, and is drawn around the \
                           home. Set a home: right-click a territory ▸ Set rep's home on the map…";
                ui.add_enabled(homes > 0, egui::Checkbox::new(&mut form.homes, text))
                    .on_hover_text(tip)
                    .on_disabled_hover_text(tip);
                form.homes &= homes > 0;
                ui.end_row();
            }
        }
        ui.label("Locks");
        ui.vertical(|ui| {
            ui.add_enabled(
                selected > 0,
                egui::Checkbox::new(
                    &mut form.lock_selection,
                    if selected > 0 {
                        format!("Keep the {} selected accounts where they are", thousands(selected as i64))
                    } else {
                        "Keep the selected accounts where they are".to_owned()
                    },
                ),
            )
            .on_disabled_hover_text("No account is selected: select some on the map first");
            if locked.is_empty() {
                ui.weak("No territory is locked (use the Lock column)");
            } else {
                ui.label(format!("Locked territories keep their accounts: {}", locked.join(", ")));
            }
        });
        ui.end_row();
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                !busy,
                egui::Button::new(RichText::new(format!("Compute {}", form.kind.title().to_lowercase())).strong()),
            )
            .clicked()
        {
            form.lock_selection &= selected > 0;
            actions.push(Action::RunOptimize(Box::new(form.clone())));
            close = true;
        }
        if ui.button("Close").clicked() {
            close = true;
        }
    });
    close
}

/// The proposal, in the balance panel: verdict and Apply/Discard first, then the
/// plan-level figures, then the per-territory before/after table.
pub(super) fn proposal_ui(ui: &mut Ui, doc: &Document, p: &Pending, actions: &mut Vec<Action>) {
    let r = &p.report;
    let plan = doc.editor.plan();
    let pct = |x: f64| format!("{:.1} %", x * 100.0);
    let live = |pieces: &[usize], islands: &[usize], slots: &mut dyn Iterator<Item = usize>| {
        slots.fold((0, 0), |(a, b), s| {
            (a + pieces.get(s).copied().unwrap_or(0), b + islands.get(s).copied().unwrap_or(0))
        })
    };
    let after_slots: Vec<usize> =
        p.proposal.territories.iter().enumerate().filter(|(_, t)| t.alive).map(|(i, _)| i).collect();
    let (pb, ib) = live(&r.pieces_before, &r.islands_before, &mut plan.live_territories().map(|(i, _)| i.get()));
    let (pa, ia) = live(&r.pieces_after, &r.islands_after, &mut after_slots.iter().copied());
    ui.heading(format!("{} proposal", p.kind.title()));
    if p.proposal.tolerance_reached {
        ui.label(RichText::new(format!("✔ Every territory within ±{:.1} %", p.tolerance * 100.0)).strong());
    } else {
        let why = if p.proposal.budget_exhausted { " within the budget" } else { "" };
        ui.colored_label(ui.visuals().warn_fg_color, format!("⚠ Tolerance not reached{why}: the best plan found"));
        for r in &p.proposal.stop_reasons {
            ui.label(r.describe(&p.proposal.territories, p.tolerance));
        }
    }
    // Wrapped: in a narrow panel the note goes to a line of its own instead of pushing
    // the panel's content past its edge.
    ui.horizontal_wrapped(|ui| {
        if ui.button(RichText::new("Apply").strong()).on_hover_text("One step: Ctrl+Z undoes it").clicked() {
            actions.push(Action::ApplyProposal);
        }
        if ui
            .button("Apply as new scenario")
            .on_hover_text("Keep this scenario as it is and put the proposal into a new one, to compare")
            .clicked()
        {
            actions.push(Action::ApplyProposalAsScenario);
        }
        if ui.button("Discard").on_hover_text("Leave the plan as it is").clicked() {
            actions.push(Action::DiscardProposal);
        }
        ui.weak("Moving accounts are selected on the map, in their new colour.");
    });
    ui.add_space(4.0);
    egui::Grid::new("proposal-summary").num_columns(3).striped(true).spacing([24.0, 4.0]).show(ui, |ui| {
        ui.label("");
        ui.strong("Before");
        ui.strong("After");
        ui.end_row();
        for (name, b, a) in [
            (
                "Workload, max |deviation|",
                pct(r.before.workload.max_abs_deviation),
                pct(r.after.workload.max_abs_deviation),
            ),
            (
                "Potential, max |deviation|",
                pct(r.before.potential.max_abs_deviation),
                pct(r.after.potential.max_abs_deviation),
            ),
            (
                "Compactness (mean km to centre)",
                format!("{:.1}", r.compactness_before.overall),
                format!("{:.1}", r.compactness_after.overall),
            ),
            ("Pieces beyond one per island", (pb - ib.min(pb)).to_string(), (pa - ia.min(pa)).to_string()),
        ] {
            ui.label(name);
            ui.monospace(b);
            ui.monospace(a);
            ui.end_row();
        }
    });
    ui.label(format!(
        "Moves {} accounts ({}), {} of workload, {} of potential. The least workload that had to move: {}.",
        thousands(r.moved_accounts as i64),
        pct(r.moved.accounts),
        pct(r.moved.workload),
        pct(r.moved.potential),
        pct(r.lower_bound)
    ));
    if let Some(flow) = r.flow_bound {
        ui.weak(format!(
            "Routed across the territories' borders, the excess needs about {}: it crosses every border \
             between it and a territory short of work.",
            pct(flow)
        ))
        .on_hover_text(
            "Accounts can only go to a territory they touch, so workload bound for a territory \
             several borders away moves once per border on its way.",
        );
    }
    ui.separator();
    // In a panel narrower than the table, the table scrolls sideways rather than push
    // the panel's content past its edges.
    egui::ScrollArea::horizontal().id_salt("proposal-sideways").show(ui, |ui| {
        proposal_table(ui, plan, p, &after_slots);
    });
}

/// The proposal's territories before and after, the retired ones last. Only the rows in
/// view are laid out: a Redraw into 10,000 territories lists them all.
fn proposal_table(ui: &mut Ui, plan: &Plan, p: &Pending, after_slots: &[usize]) {
    let r = &p.report;
    let count = |n: usize, sign: &str| if n == 0 { "–".to_owned() } else { format!("{sign}{}", thousands(n as i64)) };
    let dev = |d: Option<f64>| d.map_or("–".to_owned(), |d| format!("{:+.1} %", d * 100.0));
    let retired = plan.live_territories().map(|(s, _)| s.get()).filter(|&s| !p.proposal.territories[s].alive);
    let rows: Vec<(usize, bool)> = after_slots.iter().map(|&s| (s, false)).chain(retired.map(|s| (s, true))).collect();
    let heads = ["Territory", "Workload h", "Dev. before", "Dev. after", "Potential", "Gained", "Lost"];
    super::panel::figures_table(ui, "proposal-table", heads.len(), (140.0, 64.0))
        .min_scrolled_height(160.0)
        .header(22.0, |mut header| super::panel::figures_header(&mut header, &heads))
        .body(|body| {
            body.rows(20.0, rows.len(), |mut row| {
                let (s, retired) = rows[row.index()];
                let t = if retired { &plan.territories[s] } else { &p.proposal.territories[s] };
                let b = &r.metrics_before.territories[s];
                let before = plan.territories.get(s).filter(|t| t.alive).map(|_| b);
                row.col(|ui| {
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        let color = super::territory_color(t.color, ui.visuals().dark_mode);
                        ui.label(RichText::new("■").color(color));
                        if retired {
                            ui.label(RichText::new(format!("{} (retired)", t.name)).italics());
                        } else {
                            ui.label(&t.name);
                        }
                    });
                });
                let lost = count(r.lost.get(s).copied().unwrap_or(0), "-");
                let cells = if retired {
                    let before = dev(r.before.workload.deviation(b.workload.0 as f64, t.capacity));
                    ["–".to_owned(), before, "–".to_owned(), "–".to_owned(), "–".to_owned(), lost]
                } else {
                    let after = &r.metrics_after.territories[s];
                    [
                        thousands(after.workload.hours().round() as i64),
                        before.map_or("new".to_owned(), |b| {
                            dev(r.before.workload.deviation(b.workload.0 as f64, plan.territories[s].capacity))
                        }),
                        dev(r.after.workload.deviation(after.workload.0 as f64, t.capacity)),
                        crate::format::money_compact(after.potential.0),
                        count(r.gained[s], "+"),
                        lost,
                    ]
                };
                for text in cells {
                    row.col(|ui| {
                        ui.monospace(text);
                    });
                }
            });
        });
}
