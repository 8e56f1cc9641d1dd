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
//!   adjacency graph, the Delaunay triangulation of the account positions without edges
//!   longer than 150 km. Accounts with no neighbour within 150 km at all do not count
//!   as pieces of their own.
//! - *Disruption*: the share of accounts, of workload and of potential whose territory
//!   changed between two plans of the same accounts.
//! - *Lower bound* of disruption for a tolerance τ: the workload above (1 + τ) · mean
//!   that must leave the overloaded territories, as a share of all workload.

use spade::{DelaunayTriangulation, Point2, Triangulation};

use crate::metrics::{Balance, Metrics};
use crate::model::{Account, Plan, TerritoryIdx};
use crate::rng::Rng;
use crate::spatial::to_mercator;

/// Mean Earth radius, km.
const EARTH_KM: f64 = 6371.0088;
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
fn centres(accounts: &[Account], group: &[Option<usize>], k: usize) -> Vec<Option<(f64, f64)>> {
    let mut sum = vec![(0.0, 0.0, 0usize); k];
    for (a, g) in accounts.iter().zip(group) {
        if let Some(g) = *g {
            sum[g].0 += a.lon;
            sum[g].1 += a.lat;
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

fn compactness_of(accounts: &[Account], group: &[Option<usize>], k: usize) -> Compactness {
    let c = centres(accounts, group, k);
    let mut sum = vec![(0.0, 0usize); k];
    for (a, g) in accounts.iter().zip(group) {
        if let Some(g) = *g
            && let Some((lon, lat)) = c[g]
        {
            sum[g].0 += distance_km(a.lon, a.lat, lon, lat);
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

fn groups_of(plan: &Plan) -> Vec<Option<usize>> {
    plan.assignment.iter().map(|t| t.map(TerritoryIdx::get)).collect()
}

/// The plan's compactness, by territory slot.
pub fn compactness(plan: &Plan) -> Compactness {
    compactness_of(&plan.accounts, &groups_of(plan), plan.territories.len())
}

/// The accounts' adjacency: Delaunay edges no longer than [`MAX_EDGE_KM`], between
/// account indices, plus the accounts that share a position.
pub struct Adjacency {
    /// Pairs of account indices.
    pub edges: Vec<(u32, u32)>,
    /// Accounts with no neighbour within 150 km.
    pub isolated: Vec<bool>,
}

/// Triangulates the accounts (Web Mercator, duplicates merged): O(N log N).
pub fn adjacency(accounts: &[Account]) -> Adjacency {
    let n = accounts.len();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    // Unique positions, each with the accounts there.
    let mut order: Vec<u32> = (0..n as u32).collect();
    let key = |i: u32| {
        let a = &accounts[i as usize];
        (a.lon.to_bits(), a.lat.to_bits())
    };
    order.sort_unstable_by_key(|&i| key(i));
    let mut first_at: Vec<u32> = Vec::new();
    let mut points: Vec<Point2<f64>> = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && key(order[k - 1]) == key(i) {
            edges.push((order[k - 1], i));
            continue;
        }
        let a = &accounts[i as usize];
        let (x, y) = to_mercator(a.lon, a.lat);
        first_at.push(i);
        points.push(Point2::new(x, y));
    }
    let mut isolated = vec![true; n];
    for &(a, b) in &edges {
        isolated[a as usize] = false;
        isolated[b as usize] = false;
    }
    if points.len() >= 2
        && let Ok(t) = DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(points)
    {
        for e in t.undirected_edges() {
            let [u, v] = e.vertices();
            let (a, b) = (first_at[u.fix().index()], first_at[v.fix().index()]);
            let (pa, pb) = (&accounts[a as usize], &accounts[b as usize]);
            if distance_km(pa.lon, pa.lat, pb.lon, pb.lat) <= MAX_EDGE_KM {
                edges.push((a, b));
                isolated[a as usize] = false;
                isolated[b as usize] = false;
            }
        }
    }
    // Accounts sharing a position with a non-isolated one are not isolated either.
    for k in 1..order.len() {
        if key(order[k - 1]) == key(order[k]) {
            let (a, b) = (order[k - 1] as usize, order[k] as usize);
            let any = !isolated[a] || !isolated[b];
            isolated[a] &= !any;
            isolated[b] &= !any;
        }
    }
    Adjacency { edges, isolated }
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[parent[x as usize] as usize];
        parent[x as usize] = p;
        x = p;
    }
    x
}

/// Pieces of each group: connected components of its accounts over same-group edges,
/// not counting isolated accounts.
fn pieces_of(group: &[Option<usize>], k: usize, adj: &Adjacency) -> Vec<usize> {
    let n = group.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    for &(a, b) in &adj.edges {
        if group[a as usize].is_some() && group[a as usize] == group[b as usize] {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra as usize] = rb;
            }
        }
    }
    let mut seen = vec![false; n];
    let mut pieces = vec![0; k];
    for (i, g) in group.iter().enumerate() {
        if let Some(g) = *g
            && !adj.isolated[i]
        {
            let r = find(&mut parent, i as u32) as usize;
            if !seen[r] {
                seen[r] = true;
                pieces[g] += 1;
            }
        }
    }
    pieces
}

/// Pieces per territory slot.
pub fn pieces(plan: &Plan, adj: &Adjacency) -> Vec<usize> {
    pieces_of(&groups_of(plan), plan.territories.len(), adj)
}

/// Shares of what changed territory between two assignments of the same accounts.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Disruption {
    pub accounts: f64,
    pub workload: f64,
    pub potential: f64,
}

/// Disruption from `before` to `after` (the same accounts, the same territory slots).
pub fn disruption(accounts: &[Account], before: &[Option<TerritoryIdx>], after: &[Option<TerritoryIdx>]) -> Disruption {
    let (mut n, mut w, mut p) = (0u64, 0i64, 0i64);
    let (mut tw, mut tp) = (0i64, 0i64);
    for ((a, b), c) in accounts.iter().zip(before).zip(after) {
        tw += a.workload().0;
        tp += a.potential.0;
        if b != c {
            n += 1;
            w += a.workload().0;
            p += a.potential.0;
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
/// (1 + τ) · mean: what the overloaded territories hold above that line.
pub fn disruption_lower_bound(plan: &Plan, m: &Metrics, tau: f64) -> f64 {
    let b = Balance::of(plan, m);
    let line = (1.0 + tau) * b.workload.mean;
    let over: f64 =
        plan.live_territories().map(|(i, _)| (m.territories[i.get()].workload.0 as f64 - line).max(0.0)).sum();
    let total: f64 = m.territories.iter().map(|t| t.workload.0 as f64).sum::<f64>() + m.unassigned.workload.0 as f64;
    if total > 0.0 { over / total } else { 0.0 }
}

/// The k-means reference: k-means++ initialisation, `restarts` restarts, unweighted,
/// on the accounts' 3-D unit-sphere coordinates; the best restart's compactness (km).
/// O(restarts × iterations × N × k): for reports on up to about 100,000 accounts.
pub fn kmeans_compactness(accounts: &[Account], k: usize, restarts: usize, seed: u64) -> f64 {
    let n = accounts.len();
    if n == 0 || k == 0 {
        return 0.0;
    }
    let pts: Vec<[f64; 3]> = accounts
        .iter()
        .map(|a| {
            let (l, p) = (a.lon.to_radians(), a.lat.to_radians());
            [p.cos() * l.cos(), p.cos() * l.sin(), p.sin()]
        })
        .collect();
    let d2 = |a: &[f64; 3], b: &[f64; 3]| (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2);
    let mut rng = Rng(seed ^ 0x4B4D_4541_4E53);
    let mut best: Option<(f64, Vec<Option<usize>>)> = None;
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
            for (d, p) in dist.iter_mut().zip(&pts) {
                *d = d.min(d2(p, &c));
            }
        }
        let mut label = vec![0usize; n];
        for _ in 0..100 {
            let mut changed = false;
            for (l, p) in label.iter_mut().zip(&pts) {
                let nearest =
                    (0..centres.len()).min_by(|&a, &b| d2(p, &centres[a]).total_cmp(&d2(p, &centres[b]))).unwrap_or(0);
                changed |= *l != nearest;
                *l = nearest;
            }
            let mut sum = vec![[0.0; 3]; centres.len()];
            let mut count = vec![0usize; centres.len()];
            for (l, p) in label.iter().zip(&pts) {
                for d in 0..3 {
                    sum[*l][d] += p[d];
                }
                count[*l] += 1;
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
        let inertia: f64 = label.iter().zip(&pts).map(|(l, p)| d2(p, &centres[*l])).sum();
        if best.as_ref().is_none_or(|(b, _)| inertia < *b) {
            best = Some((inertia, label.into_iter().map(Some).collect()));
        }
    }
    best.map_or(0.0, |(_, group)| compactness_of(accounts, &group, k).overall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cents, Territory, palette_color};

    fn account(lon: f64, lat: f64) -> Account {
        Account {
            id: format!("{lon},{lat}"),
            name: String::new(),
            lon,
            lat,
            potential: Cents(100),
            annual_revenue: Cents(0),
            visits_per_year: 1,
            minutes_per_visit: 60,
            city: None,
            state: None,
            zip: None,
            locked: false,
        }
    }

    fn plan(points: &[(f64, f64, u32)], k: usize) -> Plan {
        Plan {
            accounts: points.iter().map(|&(x, y, _)| account(x, y)).collect(),
            territories: (0..k)
                .map(|i| Territory {
                    id: format!("t{i}"),
                    name: format!("T{i}"),
                    color: palette_color(i),
                    rep: None,
                    rep_home: None,
                    locked: false,
                    alive: true,
                })
                .collect(),
            assignment: points.iter().map(|&(_, _, t)| Some(TerritoryIdx(t))).collect(),
            ..Plan::default()
        }
    }

    #[test]
    fn distances_and_compactness() {
        // One degree of latitude is about 111.2 km.
        assert!((distance_km(0.0, 0.0, 0.0, 1.0) - 111.195).abs() < 0.01);
        let p = plan(&[(0.0, -0.5, 0), (0.0, 0.5, 0)], 1);
        let c = compactness(&p);
        assert!((c.overall - 55.6).abs() < 0.1, "{c:?}");
    }

    #[test]
    fn pieces_count_separated_parts_but_not_lonely_accounts() {
        // Territory 0: two clusters 500 km apart, joined only through territory 1's
        // accounts; plus one lonely account far out at sea.
        let mut pts = Vec::new();
        for i in 0..5 {
            let d = f64::from(i) * 0.1;
            pts.push((-100.0 + d, 40.0, 0));
            pts.push((-95.0 + d, 40.0 + d * 0.5, 0));
            pts.push((-97.5 + d, 40.0 - d * 0.3, 1));
        }
        for i in 0..20 {
            pts.push((-99.5 + f64::from(i) * 0.22, 40.05, 1));
        }
        pts.push((-60.0, 30.0, 0));
        let p = plan(&pts, 2);
        let adj = adjacency(&p.accounts);
        assert!(adj.isolated[pts.len() - 1]);
        assert_eq!(pieces(&p, &adj), vec![2, 1]);
    }

    #[test]
    fn disruption_and_lower_bound() {
        let p = plan(&[(0.0, 0.0, 0), (0.0, 0.1, 0), (0.0, 0.2, 0), (0.0, 0.3, 1)], 2);
        let mut after = p.assignment.clone();
        after[0] = Some(TerritoryIdx(1));
        let d = disruption(&p.accounts, &p.assignment, &after);
        assert_eq!(d.accounts, 0.25);
        assert_eq!(d.workload, 0.25);
        // Workload 3 h vs 1 h: mean 2 h, the line at +0 % is 2 h, 1 h of 4 must move.
        let m = Metrics::recompute(&p);
        assert!((disruption_lower_bound(&p, &m, 0.0) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn kmeans_is_deterministic_and_compact() {
        let mut pts = Vec::new();
        for i in 0..300 {
            let c = [(-100.0, 35.0), (-80.0, 40.0), (-120.0, 45.0)][i % 3];
            let j = (i / 3) as f64;
            pts.push((c.0 + (j * 0.37).sin(), c.1 + (j * 0.53).cos(), (i % 2) as u32));
        }
        let p = plan(&pts, 2);
        let a = kmeans_compactness(&p.accounts, 3, 10, 0);
        assert_eq!(a, kmeans_compactness(&p.accounts, 3, 10, 0));
        // Three clusters of radius ~1°: well under 150 km from their centres.
        assert!(a < 120.0, "{a}");
        assert!(a < compactness(&p).overall);
    }
}
