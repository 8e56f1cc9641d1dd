//! Two plans of the same accounts side by side: which accounts change territory, the
//! flows between territories, each territory's figures in both and the share of its
//! book that changes hands (disruption per rep). What `compare` and `changes` print,
//! and what the editor's comparison will show.
//!
//! Accounts are matched by id and territories by id (a territory of one side only has
//! no figures on the other). Accounts of one side only are counted and listed apart,
//! never as moves. The figures of a move are the account's in A. O(N) after one hash
//! of B's ids (none when both list the same ids in the same order).

mod changes;

pub use changes::{HEADER as CHANGES_HEADER, changes_file, write_changes};

use ahash::AHashMap;

use crate::metrics::{Balance, Metrics, Totals};
use crate::model::{Accounts, Plan, Territory, TerritoryIdx};

/// A territory of either side: its slot in A and in B, where it exists.
#[derive(Debug, Clone, PartialEq)]
pub struct TerritoryRow {
    pub id: String,
    /// B's name and rep where the territory is in B (the newer), else A's.
    pub name: String,
    pub rep: Option<String>,
    pub a: Option<SideFigures>,
    pub b: Option<SideFigures>,
    /// Matched accounts that leave it (in A here, elsewhere in B) and that join it.
    pub lost: Totals,
    pub gained: Totals,
}

impl TerritoryRow {
    /// The share of its A workload that leaves it: the rep's disruption. 0 when it has
    /// no workload in A.
    pub fn changed_share_of_workload(&self) -> f64 {
        match &self.a {
            Some(a) if a.totals.workload.0 > 0 => self.lost.workload.0 as f64 / a.totals.workload.0 as f64,
            _ => 0.0,
        }
    }
}

/// A territory's figures on one side, with its deviations from that side's means.
#[derive(Debug, Clone, PartialEq)]
pub struct SideFigures {
    pub slot: TerritoryIdx,
    pub totals: Totals,
    /// The rep's capacity on this side; the deviations are against its target.
    pub capacity: f64,
    pub workload_deviation: Option<f64>,
    pub potential_deviation: Option<f64>,
}

/// Accounts that go from one territory to another (`None`: Unassigned); the
/// territories are indices into [`Comparison::territories`].
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub from: Option<usize>,
    pub to: Option<usize>,
    pub totals: Totals,
}

/// One account whose territory differs: its index in A and in B, and the rows it leaves
/// and joins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub a: usize,
    pub b: usize,
    pub from: Option<usize>,
    pub to: Option<usize>,
}

/// A compared with B.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// A's live territories in A's order, then B's that A lacks.
    pub territories: Vec<TerritoryRow>,
    /// Every account that changes territory, in A's order.
    pub changes: Vec<Change>,
    /// What changes hands, summed.
    pub moved: Totals,
    /// The non-empty flows, the largest workload first.
    pub flows: Vec<Flow>,
    /// Matched accounts, and accounts (indices) found on one side only.
    pub matched: usize,
    pub only_in_a: Vec<usize>,
    pub only_in_b: Vec<usize>,
    /// The totals of all matched accounts in A: what the moved shares are of.
    pub matched_totals: Totals,
}

/// One side of a comparison: a scenario's territories and assignment over accounts,
/// with its metrics. Two scenarios of one plan share the accounts.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub accounts: &'a Accounts,
    pub territories: &'a [Territory],
    pub assignment: &'a [Option<TerritoryIdx>],
    pub metrics: &'a Metrics,
}

impl<'a> Side<'a> {
    /// The scenario on screen of `plan`.
    pub fn of(plan: &'a Plan, metrics: &'a Metrics) -> Side<'a> {
        Side::scenario(plan, plan.current, metrics)
    }

    /// Scenario `i` of `plan`, on screen or not, with its metrics.
    pub fn scenario(plan: &'a Plan, i: usize, metrics: &'a Metrics) -> Side<'a> {
        let (territories, assignment, _) = plan.scenario_parts(i);
        Side { accounts: &plan.accounts, territories, assignment, metrics }
    }

    fn live(&self) -> impl Iterator<Item = (TerritoryIdx, &'a Territory)> + 'a {
        crate::model::live_slots(self.territories)
    }
}

/// Each live territory's figures and deviations on one side.
fn side(s: &Side<'_>) -> Vec<Option<SideFigures>> {
    let m = s.metrics;
    let b = Balance::of_totals(s.live().map(|(t, tt)| (&m.territories[t.get()], tt.capacity)));
    let mut out = vec![None; s.territories.len()];
    for (t, tt) in s.live() {
        let totals = m.territories[t.get()];
        out[t.get()] = Some(SideFigures {
            slot: t,
            totals,
            capacity: tt.capacity,
            workload_deviation: b.workload.deviation(totals.workload.0 as f64, tt.capacity),
            potential_deviation: b.potential.deviation(totals.potential.0 as f64, tt.capacity),
        });
    }
    out
}

/// Compares `a` with `b`.
pub fn compare(a: &Plan, b: &Plan) -> Comparison {
    compare_with(a, &Metrics::recompute(a), b, &Metrics::recompute(b))
}

/// [`compare`] with each side's metrics at hand (the editor keeps them up to date).
pub fn compare_with(a: &Plan, ma: &Metrics, b: &Plan, mb: &Metrics) -> Comparison {
    compare_sides(&Side::of(a, ma), &Side::of(b, mb))
}

/// Compares two sides. O(N) with a small constant when both share the accounts (two
/// scenarios of one plan) or list the same ids in the same order; one hash of B's ids
/// otherwise.
pub fn compare_sides(a: &Side<'_>, b: &Side<'_>) -> Comparison {
    let ma = a.metrics;
    // Territory rows, matched by id.
    let (fig_a, fig_b) = (side(a), side(b));
    let mut territories: Vec<TerritoryRow> = Vec::new();
    let mut row_of_id: AHashMap<&str, usize> = AHashMap::new();
    let mut row_a = vec![None; a.territories.len()];
    let mut row_b = vec![None; b.territories.len()];
    for (t, tt) in a.live() {
        row_of_id.insert(&tt.id, territories.len());
        row_a[t.get()] = Some(territories.len());
        territories.push(TerritoryRow {
            id: tt.id.clone(),
            name: tt.name.clone(),
            rep: tt.rep.clone(),
            a: fig_a[t.get()].clone(),
            b: None,
            lost: Totals::default(),
            gained: Totals::default(),
        });
    }
    for (t, tt) in b.live() {
        let r = match row_of_id.get(tt.id.as_str()) {
            Some(&r) => r,
            None => {
                territories.push(TerritoryRow {
                    id: tt.id.clone(),
                    name: tt.name.clone(),
                    rep: tt.rep.clone(),
                    a: None,
                    b: None,
                    lost: Totals::default(),
                    gained: Totals::default(),
                });
                territories.len() - 1
            }
        };
        row_b[t.get()] = Some(r);
        let row = &mut territories[r];
        row.name.clone_from(&tt.name);
        row.rep.clone_from(&tt.rep);
        row.b = fig_b[t.get()].clone();
    }
    // Accounts, matched by id: the same accounts (scenarios of one plan) need no
    // matching at all.
    let shared = std::ptr::eq(a.accounts, b.accounts);
    let same_order = shared || a.accounts.same_ids(b.accounts);
    let index_b: AHashMap<&str, usize> =
        if same_order { AHashMap::new() } else { b.accounts.ids().enumerate().map(|(i, id)| (id, i)).collect() };
    let mut seen_b = vec![same_order; b.accounts.len()];
    let mut changes = Vec::new();
    let mut only_in_a = Vec::new();
    let mut moved = Totals::default();
    let mut flows: AHashMap<(Option<usize>, Option<usize>), Totals> = AHashMap::new();
    let owners_b = &b.assignment;
    for (ia, owner_a) in a.assignment.iter().enumerate() {
        let ib = if same_order {
            ia
        } else {
            match index_b.get(a.accounts.id(ia)) {
                Some(&ib) => {
                    seen_b[ib] = true;
                    ib
                }
                None => {
                    only_in_a.push(ia);
                    continue;
                }
            }
        };
        let from = owner_a.and_then(|t| row_a[t.get()]);
        let to = owners_b[ib].and_then(|t| row_b[t.get()]);
        if from == to {
            continue;
        }
        let one = Totals::one(a.accounts, ia);
        changes.push(Change { a: ia, b: ib, from, to });
        moved.merge(&one);
        flows.entry((from, to)).or_default().merge(&one);
        if let Some(f) = from {
            territories[f].lost.merge(&one);
        }
        if let Some(t) = to {
            territories[t].gained.merge(&one);
        }
    }
    // What the shares are of: every matched account of A (all of A's totals when every
    // account matched).
    let mut matched_totals = ma.unassigned;
    for t in &ma.territories {
        matched_totals.merge(t);
    }
    for &ia in &only_in_a {
        matched_totals.subtract(&Totals::one(a.accounts, ia));
    }
    let only_in_b: Vec<usize> = (0..b.accounts.len()).filter(|&i| !seen_b[i]).collect();
    let mut flows: Vec<Flow> = flows.into_iter().map(|((from, to), totals)| Flow { from, to, totals }).collect();
    flows.sort_by(|x, y| y.totals.workload.cmp(&x.totals.workload).then(x.from.cmp(&y.from)).then(x.to.cmp(&y.to)));
    Comparison {
        territories,
        changes,
        moved,
        flows,
        matched: a.accounts.len() - only_in_a.len(),
        only_in_a,
        only_in_b,
        matched_totals,
    }
}

#[cfg(test)]
mod tests;
