//! Balance and Redraw: proposals that finish a manager's plan, or draw a fresh one.
//!
//! Both work on the accounts' adjacency graph ([`crate::quality::Adjacency`]: Delaunay
//! edges of the accounts' positions up to 150 km) and return a [`Proposal`], a complete
//! new assignment that the editor applies as one undoable step
//! ([`crate::edit::Command::ApplyProposal`]) and the command line writes as a plan.
//!
//! **Balance** keeps the manager's plan and moves as little as it can:
//! 1. *Flow plan.* On the small graph of territories (two are neighbours when their
//!    accounts are), decide how much workload crosses each border: successive shortest
//!    paths (fewest borders crossed) from the territories above (1 + τ)·mean to those
//!    with room, then to those still below (1 − τ)·mean from those with some to spare.
//!    This is what bounds the moved workload by the excess that must leave, times the
//!    borders it crosses.
//! 2. *Realise the flow* border by border: move the border accounts of the giving
//!    territory that lie most towards the receiving one (the smallest difference of
//!    distances to the two centres), growing the front as it goes, each move checked to
//!    keep the giving territory in one piece and to touch the receiving one. Territories
//!    go sources first, and each passes on what was planned less what did not reach it,
//!    so a border that carries less than planned never drains a territory mid-chain.
//! 3. Repeat from 1 with the new loads until every territory is within tolerance, the
//!    disruption budget is spent, or nothing more can move. When rounds stop bringing
//!    the plan closer, the next stage begins: flows aimed half an account inside the
//!    band, then every territory aiming at half the tolerance (room along chains), then
//!    a territory may take a piece back on an island it had in the starting plan; when
//!    the tolerance is out of reach, the extremes are brought in halfway to their
//!    groups' means, round by round. The best plan seen is what Balance returns, never
//!    one farther from balance.
//!
//! The first round's flow is also what the report calls the *border-flow bound*
//! ([`border_flow_bound`]): the least workload that crosses the old borders, once per
//! border. Where the excess and the deficit lie several territories apart (longitude
//! bands form nearly a chain) it is well above the lower bound (the excess
//! alone), and no balance that keeps territories whole can move much less.
//!
//! **Redraw** draws K territories from scratch:
//! 1. *Balanced k-means:* k-means++ centres on the accounts' unit-sphere positions, then
//!    alternating a capacity-aware assignment (each account to the centre minimising
//!    distance + an additive price per centre: an additively weighted Voronoi diagram;
//!    a part that is not empty holds its centre and is star-shaped around it, so it is
//!    connected) with moving each centre to its accounts' mean. Distance rather than
//!    its square, as k-means uses, because compactness is the *mean distance*: on the
//!    ten generated 10k plans of seeds 0–9 and the make_accounts plan, redraws end
//!    0.7 % more compact on average (from 1.6 % worse to 2.5 % better), 8 seeds of 10
//!    within 1.2× k-means instead of 7. The prices only rise: each centre over its
//!    share is raised by exactly the margin that sheds its excess to its accounts'
//!    next-best centres (`rebalance`; lowering the prices of under-filled centres too
//!    makes two of them trade the same accounts back and forth). Run on a sample of at
//!    most 60,000 accounts, then once on all.
//!    With reps' homes (`RedrawOptions::homes`), each home replaces the nearest k-means
//!    centre and stays put through the rounds.
//!    *Or recursive bisection* (`bisect.rs`): the accounts cut across the widest axis
//!    of their box where the weight on each side matches the groups sent there, until
//!    each side is one group: every group its share to within an account, as boxes.
//!    Past 250 territories k-means's prices no longer settle (thousands of centres of a
//!    few accounts chase each other), so Redraw draws from bisection alone; below, it
//!    tries k-means from several seeds and, on plans of up to 200,000 accounts into
//!    more than 50 territories, bisection beside, and keeps the best end result:
//!    within the tolerance, fewest extra pieces, least worst deviation, most compact.
//! 2. *Names:* a territory grown around a rep's home keeps that rep's slot, the account
//!    nearest the home is pinned in it, and the home stands for its centre in Balance
//!    and polish (its accounts' mean can lie far from the home: a Pittsburgh rep's
//!    territory among six holds New York, whose weight pulls the mean there). Each other new territory takes the
//!    slot (name, colour, rep) of the old territory it overlaps most, greedily by
//!    overlap; the rest are new slots, unmatched old territories are deleted.
//! 3. *One piece:* every piece but the largest of a territory goes, whole, to the
//!    lightest neighbour whose main piece it touches (a neighbour's stray piece only if
//!    none: two stray pieces that touch would otherwise trade it back and forth).
//! 4. Balance rounds as above, then *polish*: border accounts that are nearer another
//!    neighbouring centre move there while both territories stay within tolerance and in
//!    one piece, alternating with balance rounds.
//!
//! **The connectivity test** is local and conservative: an account may leave territory
//! A when another account of A shares its position, or when its neighbours in A, walked
//! in angular order around it, form one chain of linked neighbours. Then any path of A
//! through it can go around it, so A keeps its pieces. When the test fails, a bounded
//! search (at most 400 accounts) finds what A would lose with it: if that is a small
//! part and the rest of A one large part, the small part moves along (it stays joined
//! to the receiver through the account); otherwise the account stays. Receiving
//! accounts must touch the receiving territory, so no new piece is ever created.
//!
//! Locks: locked territories neither give nor receive, locked accounts never move. Same
//! input and seed give the same output: all choices are ordered by score and then by an
//! account hash of the seed. Costs: the adjacency is O(N log N); a balance round is
//! O(N) to find the borders plus O(moved × degree × log) to move; a k-means pass is
//! O(N·K). Cancel is checked between steps, and the triangulation runs on its own
//! thread so that a cancel returns at once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::io::Progress;
use crate::metrics::{Balance, Metrics};
use crate::model::{Accounts, Plan, RegionIdx, Rgb, Territory, TerritoryIdx, distinct_color};
use crate::quality::{self, Adjacency, Compactness, Disruption, d2};
use crate::rng::Rng;

mod balance;
mod bisect;
mod contiguity;
mod flow;
mod polish;
mod pricing;
mod redraw;
mod report;
mod state;
mod stop;
#[cfg(test)]
mod tests;

pub use balance::balance;
pub use redraw::redraw;
pub use report::{Report, adjacency_cancellable, border_flow_bound, report};
pub use stop::{HeldOver, StopReason};

use balance::locked_aware_reached;
use contiguity::{Jumps, make_whole};
use flow::{flows_from, sources_first};
use pricing::{CentreRules, balanced_kmeans};
use state::{PairTable, State};

/// What must be balanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    #[default]
    Workload,
    Potential,
    /// Workload and potential, each within the tolerance.
    Both,
}

/// The most Balance may move, as shares of all accounts, workload and potential.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Budget {
    pub accounts: Option<f64>,
    pub workload: Option<f64>,
    pub potential: Option<f64>,
}

/// Settings of Balance.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceOptions {
    /// Allowed |deviation| from the mean, e.g. 0.03.
    pub tolerance: f64,
    pub target: Target,
    pub budget: Budget,
    /// Territories that keep their accounts, besides those locked in the plan.
    pub locked_territories: Vec<TerritoryIdx>,
    /// Accounts that stay, besides those locked in the plan (indices).
    pub locked_accounts: Vec<u32>,
    /// Balance within this region only: only its territories give and receive, its
    /// total stays, and its territories aim at their shares of it.
    pub region: Option<RegionIdx>,
    pub seed: u64,
}

impl Default for BalanceOptions {
    fn default() -> Self {
        BalanceOptions {
            tolerance: 0.03,
            target: Target::Workload,
            budget: Budget::default(),
            locked_territories: Vec::new(),
            locked_accounts: Vec::new(),
            region: None,
            seed: 0,
        }
    }
}

/// Settings of Redraw.
#[derive(Debug, Clone, PartialEq)]
pub struct RedrawOptions {
    /// Territories in the result, locked ones included.
    pub territories: usize,
    pub tolerance: f64,
    pub locked_territories: Vec<TerritoryIdx>,
    pub locked_accounts: Vec<u32>,
    /// Grow a territory around each rep's home: every live, unlocked territory with a
    /// `rep_home` keeps its name and rep, and its centre stays at the home.
    pub homes: bool,
    /// Redraw within this region only: `territories` counts its territories, the others
    /// keep their accounts, and new territories join the region.
    pub region: Option<RegionIdx>,
    pub seed: u64,
}

impl Default for RedrawOptions {
    fn default() -> Self {
        RedrawOptions {
            territories: 12,
            tolerance: 0.03,
            locked_territories: Vec::new(),
            locked_accounts: Vec::new(),
            homes: false,
            region: None,
            seed: 0,
        }
    }
}

/// Why no proposal was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptimizeError {
    #[error("cancelled")]
    Cancelled,
    #[error("the plan has no territory to balance")]
    NoTerritories,
    #[error("redraw needs at least {needed} territories: {locked} are locked")]
    TooFewTerritories { needed: usize, locked: usize },
    #[error("{0} territories hold locked accounts, more than the {1} territories to draw")]
    TooManyPinned(usize, usize),
    #[error("the tolerance must be between 0 and 1, not {0}")]
    BadTolerance(String),
    #[error("{homes} reps have a home, more than the {territories} territories to draw")]
    TooManyHomes { homes: usize, territories: usize },
    #[error("the region has no territory")]
    EmptyRegion,
}

/// Which job made a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Keeps the territories, moves accounts across their borders.
    Balance,
    /// Draws new territories.
    Redraw,
}

/// A new assignment of the same accounts, to apply as one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub job: Job,
    /// For the Undo menu.
    pub label: String,
    /// The territory slots afterwards: the plan's slots (some renamed or deleted by a
    /// redraw), then any new ones.
    pub territories: Vec<Territory>,
    pub assignment: Vec<Option<TerritoryIdx>>,
    /// Whether every territory that could move ended within the tolerance.
    pub tolerance_reached: bool,
    /// Whether the disruption budget stopped Balance.
    pub budget_exhausted: bool,
    /// When the tolerance was not reached: territories whose accounts that may not move
    /// (locked, or in a locked territory) already weigh more than it allows.
    pub held_over: Vec<HeldOver>,
    /// When the tolerance was not reached: why, from the list of [`StopReason`]s.
    pub stop_reasons: Vec<StopReason>,
    /// The region the run was limited to.
    pub region: Option<RegionIdx>,
}

impl Proposal {
    /// What [`report`] needs to know of the run: its job and its region.
    pub fn run(&self) -> (Job, Option<RegionIdx>) {
        (self.job, self.region)
    }
}

impl Proposal {
    /// The plan with the proposal applied.
    pub fn apply_to(&self, plan: &Plan) -> Plan {
        Plan { territories: self.territories.clone(), assignment: self.assignment.clone(), ..plan.clone() }
    }
}

fn mix(seed: u64, v: u32) -> u64 {
    Rng(seed ^ (u64::from(v) << 20) ^ 0xB1A5).next_u64()
}

fn check_tolerance(t: f64) -> Result<(), OptimizeError> {
    if t.is_finite() && (0.0..1.0).contains(&t) { Ok(()) } else { Err(OptimizeError::BadTolerance(t.to_string())) }
}

/// Which of an account's figures a flow moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Workload,
    Potential,
}

/// A score with a deterministic tie-break.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64, u64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

/// The live territories a run works on: all of them, or those within `region`.
fn in_scope(territories: &[Territory], regions: &[crate::model::Region], region: Option<RegionIdx>) -> Vec<bool> {
    territories.iter().map(|t| t.alive && region.is_none_or(|r| crate::model::within(regions, t.region, r))).collect()
}

fn locked_slots(plan: &Plan, extra: &[TerritoryIdx]) -> Vec<bool> {
    plan.territories.iter().enumerate().map(|(i, t)| t.locked || extra.iter().any(|e| e.get() == i)).collect()
}

fn fixed_accounts(plan: &Plan, extra: &[u32]) -> Vec<bool> {
    let mut fixed: Vec<bool> = plan.accounts.locked().to_vec();
    for &i in extra {
        if let Some(f) = fixed.get_mut(i as usize) {
            *f = true;
        }
    }
    fixed
}

fn set_progress(progress: Option<&Progress>, done: u64) {
    if let Some(p) = progress {
        p.set(done, 100);
    }
}

/// The straight-line distance between two points on the unit sphere.
fn chord(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    d2(a, b).sqrt()
}
