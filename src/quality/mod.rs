//! How good a plan's shape is, beyond balance: compactness, pieces, disruption, and the
//! plain k-means reference to compare compactness against. These are reports (O(N) or
//! O(N log N)), computed off the UI thread; the balance figures live in
//! [`crate::metrics`].
//!
//! Definitions:
//! - *Centre* of a territory: the mean of its accounts' positions (lon, lat).
//! - *Compactness*: the mean great-circle distance, in km, from each account to its
//!   territory's centre (per territory, and over all assigned accounts).
//! - *Pieces*: connected components of each territory's part of the accounts'
//!   adjacency graph ([`Adjacency`]), the Delaunay triangulation of the account
//!   positions (in lon/lat with longitude scaled by the cosine of the middle latitude,
//!   the plane of the territory areas) without edges longer than 150 km. Accounts with no neighbour within 150 km at all do not count
//!   as pieces of their own.
//! - *Disruption*: the share of accounts, of workload and of potential whose territory
//!   changed between two plans of the same accounts.
//! - *Lower bound* of disruption for a tolerance τ: the workload above (1 + τ) · mean
//!   that must leave the overloaded territories, as a share of all workload.

mod centres;
mod strips;
mod triangulation;

pub(crate) use centres::Centres;
use rayon::prelude::*;
pub use triangulation::{Adjacency, Triangulation, adjacency, adjacency_of_columns};

use crate::metrics::{Balance, Metrics};
use crate::model::{Accounts, Plan, TerritoryIdx};
use crate::rng::Rng;

/// Mean Earth radius, km.
pub const EARTH_KM: f64 = 6371.0088;
/// Longest adjacency edge, km.
pub const MAX_EDGE_KM: f64 = 150.0;

/// Great-circle distance in km (haversine).
pub fn distance_km(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_KM * h.sqrt().min(1.0).asin()
}

/// The mean (lon, lat) of each group's accounts; `None` for an empty group.
fn centres(accounts: &Accounts, group: &[Option<TerritoryIdx>], k: usize) -> Vec<Option<(f64, f64)>> {
    let mut sum = vec![(0.0, 0.0, 0usize); k];
    for ((lon, lat), g) in accounts.positions().zip(group) {
        if let Some(g) = g.map(TerritoryIdx::get) {
            sum[g].0 += lon;
            sum[g].1 += lat;
            sum[g].2 += 1;
        }
    }
    sum.into_iter().map(|(x, y, n)| (n > 0).then(|| (x / n as f64, y / n as f64))).collect()
}

/// Compactness of a grouping of accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Compactness {
    /// Mean distance to the centre, km, by group (`None` for an empty group).
    pub by_group: Vec<Option<f64>>,
    /// Mean distance over all grouped accounts, km.
    pub overall: f64,
}

pub(crate) fn compactness_of(accounts: &Accounts, group: &[Option<TerritoryIdx>], k: usize) -> Compactness {
    let c = centres(accounts, group, k);
    let mut sum = vec![(0.0, 0usize); k];
    for ((a_lon, a_lat), g) in accounts.positions().zip(group) {
        if let Some(g) = g.map(TerritoryIdx::get)
            && let Some((lon, lat)) = c[g]
        {
            sum[g].0 += distance_km(a_lon, a_lat, lon, lat);
            sum[g].1 += 1;
        }
    }
    let total: f64 = sum.iter().map(|s| s.0).sum();
    let n: usize = sum.iter().map(|s| s.1).sum();
    Compactness {
        by_group: sum.iter().map(|&(d, n)| (n > 0).then(|| d / n as f64)).collect(),
        overall: if n > 0 { total / n as f64 } else { 0.0 },
    }
}

/// The plan's compactness, by territory slot.
pub fn compactness(plan: &Plan) -> Compactness {
    compactness_of(&plan.accounts, &plan.assignment, plan.territories.len())
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[parent[x as usize] as usize];
        parent[x as usize] = p;
        x = p;
    }
    x
}

/// The piece of each grouped account that is not isolated, as a representative account
/// index: accounts of a group are connected when they share a site or their sites are
/// neighbours. O(N α(N)).
pub(crate) fn components(group: &[Option<TerritoryIdx>], adj: &Adjacency) -> Vec<Option<u32>> {
    let mut parent = joined(group, adj);
    (0..group.len()).map(|v| (group[v].is_some() && !adj.is_isolated(v)).then(|| find(&mut parent, v as u32))).collect()
}

/// The union-find forest of [`components`]: accounts joined to their neighbours of the
/// same group.
fn joined(group: &[Option<TerritoryIdx>], adj: &Adjacency) -> Vec<u32> {
    let n = group.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let union = |parent: &mut [u32], a: u32, b: u32| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    };
    // One representative account per (site, group).
    let mut reps: Vec<(TerritoryIdx, u32)> = Vec::with_capacity(adj.sites());
    let mut rep_start = vec![0u32; adj.sites() + 1];
    for s in 0..adj.sites() {
        for &a in adj.accounts_at(s) {
            if let Some(g) = group[a as usize] {
                let first = rep_start[s] as usize;
                match reps[first..].iter().find(|r| r.0 == g) {
                    Some(&(_, r)) => union(&mut parent, a, r),
                    None => reps.push((g, a)),
                }
            }
        }
        rep_start[s + 1] = reps.len() as u32;
    }
    for s in 0..adj.sites() {
        for &t in adj.neighbours(s) {
            let t = t as usize;
            if t < s {
                continue;
            }
            for i in rep_start[s]..rep_start[s + 1] {
                let (g, a) = reps[i as usize];
                if let Some(&(_, b)) = reps[rep_start[t] as usize..rep_start[t + 1] as usize].iter().find(|r| r.0 == g)
                {
                    union(&mut parent, a, b);
                }
            }
        }
    }
    parent
}

/// Pieces of each group (see [`components`]); isolated accounts do not count.
pub(crate) fn pieces_of(group: &[Option<TerritoryIdx>], k: usize, adj: &Adjacency) -> Vec<usize> {
    let mut parent = joined(group, adj);
    let mut seen = vec![false; group.len()];
    let mut pieces = vec![0; k];
    for (v, g) in group.iter().enumerate() {
        let Some(g) = *g else { continue };
        if adj.is_isolated(v) {
            continue;
        }
        let c = find(&mut parent, v as u32) as usize;
        if !seen[c] {
            seen[c] = true;
            pieces[g.get()] += 1;
        }
    }
    pieces
}

/// Islands (see [`Adjacency::islands`]) each territory slot reaches with accounts that
/// are not isolated: the fewest pieces it can have. "In one piece" means one piece per
/// island reached.
pub fn islands_reached(plan: &Plan, adj: &Adjacency) -> Vec<usize> {
    islands_of(&plan.assignment, plan.territories.len(), adj)
}

/// [`islands_reached`] of a grouping.
pub(crate) fn islands_of(group: &[Option<TerritoryIdx>], k: usize, adj: &Adjacency) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    for (v, g) in group.iter().enumerate() {
        if let Some(t) = g
            && !adj.is_isolated(v)
        {
            seen.insert((t.get(), adj.island_of(adj.site_of(v))));
        }
    }
    let mut out = vec![0; k];
    for (t, _) in seen {
        if t < k {
            out[t] += 1;
        }
    }
    out
}

/// Pieces per territory slot.
pub fn pieces(plan: &Plan, adj: &Adjacency) -> Vec<usize> {
    pieces_of(&plan.assignment, plan.territories.len(), adj)
}

/// Shares of what changed territory between two assignments of the same accounts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Disruption {
    pub accounts: f64,
    pub workload: f64,
    pub potential: f64,
}

/// Disruption from `before` to `after` (the same accounts, the same territory slots).
pub fn disruption(accounts: &Accounts, before: &[Option<TerritoryIdx>], after: &[Option<TerritoryIdx>]) -> Disruption {
    let (mut n, mut w, mut p) = (0u64, 0i64, 0i64);
    let (mut tw, mut tp) = (0i64, 0i64);
    for (i, (b, c)) in before.iter().zip(after).enumerate().take(accounts.len()) {
        let (wi, pi) = (accounts.workload(i).0, accounts.potential()[i].0);
        tw += wi;
        tp += pi;
        if b != c {
            n += 1;
            w += wi;
            p += pi;
        }
    }
    let share = |x: i64, t: i64| if t > 0 { x as f64 / t as f64 } else { 0.0 };
    Disruption {
        accounts: if accounts.is_empty() { 0.0 } else { n as f64 / accounts.len() as f64 },
        workload: share(w, tw),
        potential: share(p, tp),
    }
}

/// The least share of workload that must move to bring every territory within
/// (1 + τ) · its target: what the overloaded territories hold above that line. Within
/// `region`, the territories there against their shares of it (still a share of the
/// whole plan's workload, as moves are counted).
pub fn disruption_lower_bound(plan: &Plan, m: &Metrics, tau: f64, region: Option<crate::model::RegionIdx>) -> f64 {
    let b = Balance::within(plan, m, region);
    let over: f64 = plan
        .live_territories()
        .filter(|(_, t)| region.is_none_or(|r| crate::model::within(&plan.regions, t.region, r)))
        .map(|(i, t)| {
            let line = (1.0 + tau) * b.workload.target(t.capacity);
            (m.territories[i.get()].workload.0 as f64 - line).max(0.0)
        })
        .sum();
    let total: f64 = m.territories.iter().map(|t| t.workload.0 as f64).sum::<f64>() + m.unassigned.workload.0 as f64;
    if total > 0.0 { over / total } else { 0.0 }
}

/// The k-means reference: k-means++ initialisation, `restarts` restarts, unweighted,
/// on the accounts' 3-D unit-sphere coordinates; the best restart's compactness (km).
/// O(restarts × iterations × N × k): for reports on up to about 100,000 accounts.
pub fn kmeans_compactness(accounts: &Accounts, k: usize, restarts: usize, seed: u64) -> f64 {
    if accounts.is_empty() || k == 0 {
        return 0.0;
    }
    let pts: Vec<[f64; 3]> = accounts.positions().map(unit_vector).collect();
    let (_, label) = kmeans(&pts, k, restarts, seed, &|| false);
    let group: Vec<Option<TerritoryIdx>> = label.into_iter().map(|l| Some(TerritoryIdx::new(l))).collect();
    compactness_of(accounts, &group, k).overall
}

/// Squared chord distance between two unit vectors.
pub(crate) fn d2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// An account's position on the unit sphere.
pub(crate) fn unit_vector((lon, lat): (f64, f64)) -> [f64; 3] {
    let (l, p) = (lon.to_radians(), lat.to_radians());
    [p.cos() * l.cos(), p.cos() * l.sin(), p.sin()]
}

/// Plain k-means (Lloyd) with k-means++ seeding: the centres and labels of the restart
/// with the least inertia. `pts` must not be empty. When `cancelled` turns true it
/// stops early with what it has.
pub(crate) fn kmeans(
    pts: &[[f64; 3]],
    k: usize,
    restarts: usize,
    seed: u64,
    cancelled: &dyn Fn() -> bool,
) -> (Vec<[f64; 3]>, Vec<u32>) {
    let n = pts.len();
    let mut rng = Rng(seed ^ 0x4B4D_4541_4E53);
    let mut best: Option<(f64, Vec<[f64; 3]>, Vec<u32>)> = None;
    for _ in 0..restarts.max(1) {
        // k-means++: each next centre drawn with probability ∝ squared distance.
        let mut centres: Vec<[f64; 3]> = vec![pts[(rng.u() * n as f64) as usize % n]];
        let mut dist: Vec<f64> = pts.iter().map(|p| d2(p, &centres[0])).collect();
        while centres.len() < k.min(n) {
            let total: f64 = dist.iter().sum();
            let mut target = rng.u() * total;
            let mut pick = n - 1;
            for (i, d) in dist.iter().enumerate() {
                target -= d;
                if target <= 0.0 {
                    pick = i;
                    break;
                }
            }
            centres.push(pts[pick]);
            let c = centres[centres.len() - 1];
            for (d, p) in dist.iter_mut().zip(pts) {
                *d = d.min(d2(p, &c));
            }
        }
        let mut label = vec![0u32; n];
        for _ in 0..100 {
            if cancelled() {
                break;
            }
            // Each point to its nearest centre (the first of equals), on every core.
            let index = Centres::new(&centres, &[]);
            let changed = label
                .par_iter_mut()
                .zip(pts)
                .with_min_len(crate::PARALLEL_MIN / 4)
                .map(|(l, p)| {
                    let (_, best) = index.cheapest(p, &[], Some(*l), None);
                    let changed = *l != best;
                    *l = best;
                    changed
                })
                .reduce(|| false, |a, b| a | b);
            let mut sum = vec![[0.0; 3]; centres.len()];
            let mut count = vec![0usize; centres.len()];
            for (l, p) in label.iter().zip(pts) {
                for d in 0..3 {
                    sum[*l as usize][d] += p[d];
                }
                count[*l as usize] += 1;
            }
            for (c, (s, m)) in centres.iter_mut().zip(sum.iter().zip(&count)) {
                if *m > 0 {
                    *c = [s[0] / *m as f64, s[1] / *m as f64, s[2] / *m as f64];
                }
            }
            if !changed {
                break;
            }
        }
        let inertia: f64 = label.iter().zip(pts).map(|(l, p)| d2(p, &centres[*l as usize])).sum();
        if best.as_ref().is_none_or(|(b, _, _)| inertia < *b) {
            best = Some((inertia, centres, label));
        }
    }
    best.map_or((Vec::new(), Vec::new()), |(_, c, l)| (c, l))
}

#[cfg(test)]
pub(crate) mod tests;
