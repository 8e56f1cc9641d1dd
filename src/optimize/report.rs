//! The before/after report of a proposal, the border-flow figure, and the adjacency
//! computed so that a cancel returns at once.

use super::*;

/// Before/after figures of a proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub before: Balance,
    pub after: Balance,
    pub compactness_before: Compactness,
    pub compactness_after: Compactness,
    /// Pieces per slot (the after plan's slots; before counts for the old slots).
    pub pieces_before: Vec<usize>,
    pub pieces_after: Vec<usize>,
    /// Islands reached per slot, before and after: the fewest pieces possible.
    pub islands_before: Vec<usize>,
    pub islands_after: Vec<usize>,
    pub moved: Disruption,
    pub moved_accounts: usize,
    /// Accounts gained and lost, by slot of the after plan.
    pub gained: Vec<usize>,
    pub lost: Vec<usize>,
    /// Totals by slot before (old slots) and after.
    pub metrics_before: Metrics,
    pub metrics_after: Metrics,
    /// The least workload share that had to move for the tolerance.
    pub lower_bound: f64,
    /// The least workload share that had to cross the old plan's borders for the
    /// tolerance ([`border_flow_bound`]), for a Balance; `None` for a Redraw, which
    /// draws new borders.
    pub flow_bound: Option<f64>,
}

/// Computes the before/after report of a proposal by `job` (within `region`, when the
/// run was limited to one: the balance figures and bounds are then the region's):
/// O(N), with the adjacency given.
pub fn report(
    before: &Plan,
    after: &Plan,
    adj: &Adjacency,
    tolerance: f64,
    (job, region): (Job, Option<RegionIdx>),
) -> Report {
    let mb = Metrics::recompute(before);
    let ma = Metrics::recompute(after);
    // Balance is of the workload with travel when it is on.
    let (wb, wa) = (mb.with_plan_travel(before), ma.with_plan_travel(after));
    let pieces_before = quality::pieces(before, adj);
    let pieces_after = quality::pieces(after, adj);
    let k = after.territories.len();
    let (mut gained, mut lost) = (vec![0; k], vec![0; k]);
    let mut moved_accounts = 0;
    for (a, b) in before.assignment.iter().zip(&after.assignment) {
        if a != b {
            moved_accounts += 1;
            if let Some(t) = b {
                gained[t.get()] += 1;
            }
            if let Some(t) = a
                && t.get() < k
            {
                lost[t.get()] += 1;
            }
        }
    }
    Report {
        gained,
        lost,
        before: Balance::within(before, &wb, region),
        after: Balance::within(after, &wa, region),
        compactness_before: quality::compactness(before),
        compactness_after: quality::compactness(after),
        pieces_before,
        pieces_after,
        islands_before: quality::islands_reached(before, adj),
        islands_after: quality::islands_reached(after, adj),
        moved: moved_share(before, after, &wb),
        moved_accounts,
        lower_bound: quality::disruption_lower_bound(before, &wb, tolerance, region),
        flow_bound: (job == Job::Balance).then(|| border_flow_bound(before, adj, tolerance, region)),
        metrics_before: mb,
        metrics_after: ma,
    }
}

/// The shares of accounts, workload and potential that change territory. With travel
/// on, an account's workload counts its drive from where it was, as the bounds'
/// excess does, and the share is of the whole workload with travel (`wb`): so the
/// moved workload is comparable with [`Report::lower_bound`] and the border flow.
fn moved_share(before: &Plan, after: &Plan, wb: &Metrics) -> Disruption {
    let mut moved = quality::disruption(&before.accounts, &before.assignment, &after.assignment);
    let Some(travel) = before.travel else { return moved };
    let total = wb.territories.iter().map(|t| t.workload.0).sum::<i64>() + wb.unassigned.workload.0;
    let starts: Vec<Option<[f64; 3]>> =
        before.territories.iter().map(|t| crate::model::anchor(t).map(crate::model::unit)).collect();
    let acc = &before.accounts;
    let mut w = 0i64;
    for (v, (b, a)) in before.assignment.iter().zip(&after.assignment).enumerate() {
        if b == a {
            continue;
        }
        w += acc.workload(v).0;
        if let Some(start) = b.and_then(|t| starts.get(t.get()).copied().flatten()) {
            let pos = crate::model::unit((acc.lon()[v], acc.lat()[v]));
            w += travel.leg_between(acc.visits_per_year()[v], &pos, &start).minutes;
        }
    }
    moved.workload = if total > 0 { w as f64 / total as f64 } else { 0.0 };
    moved
}

/// The least share of workload that must cross the plan's borders to bring every live
/// territory within `tolerance` of the mean: the min-cost flow of Balance's first round
/// on the graph of territories (two are neighbours when their accounts are), each unit
/// of workload costing one per border it crosses. An account can only go to a
/// territory it touches if both are to stay in one piece, so moving excess to a
/// deficit several borders away moves it once per border: a balance that keeps
/// territories whole moves about this much at least (about: the borders shift as
/// accounts move). It is at least [`quality::disruption_lower_bound`], and well above
/// it where excess and deficit lie far apart, as on longitude bands.
pub fn border_flow_bound(plan: &Plan, adj: &Adjacency, tolerance: f64, region: Option<RegionIdx>) -> f64 {
    let live = in_scope(&plan.territories, &plan.regions, region);
    if !live.contains(&true) || plan.accounts.is_empty() {
        return 0.0;
    }
    let st = State::new(plan, adj, plan.assignment.clone(), vec![false; plan.accounts.len()], live, 0);
    // The whole workload (with travel, where the accounts are): what the share is of.
    let unassigned: i64 = (0..st.owner.len()).filter(|&v| st.owner[v].is_none()).map(|v| st.w[v]).sum();
    let total = (st.load_w.iter().sum::<i64>() + unassigned) as f64;
    let mean = st.mean_per_capacity(Dim::Workload, |t| st.active[t]);
    let bounds: Vec<(f64, f64)> = (0..st.active.len()).map(|t| st.band(mean, tolerance, t)).collect();
    let flows = st.flows(Dim::Workload, &st.territory_graph(), &bounds);
    if total > 0.0 { flows.iter().map(|f| f.2).sum::<f64>() / total } else { 0.0 }
}

/// The adjacency of the accounts, computed on its own thread so that a cancel returns
/// at once (the thread then finishes in the background and its result is dropped).
pub fn adjacency_cancellable(accounts: &Accounts, progress: Option<&Progress>) -> Result<Adjacency, OptimizeError> {
    let Some(progress) = progress else {
        return Ok(quality::adjacency(accounts));
    };
    if accounts.len() < 50_000 {
        return Ok(quality::adjacency(accounts));
    }
    let (lon, lat) = accounts.position_columns();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(quality::adjacency_of_columns(lon, lat));
    });
    loop {
        match rx.recv_timeout(std::time::Duration::from_millis(20)) {
            Ok(a) => return Ok(a),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if progress.is_cancelled() {
                    return Err(OptimizeError::Cancelled);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(quality::adjacency(accounts)),
        }
    }
}
