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

mod centres;

pub(crate) use centres::Centres;
use rayon::prelude::*;
use spade::{DelaunayTriangulation, Point2, Triangulation};

use crate::metrics::{Balance, Metrics};
use crate::model::{Accounts, Plan, TerritoryIdx};
use crate::rng::Rng;
use crate::spatial::to_mercator;

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

/// The accounts' adjacency graph, over *sites* (distinct positions; accounts at one
/// position share a site): the Delaunay triangulation of the sites in Web Mercator,
/// without edges longer than [`MAX_EDGE_KM`]. Each site's neighbours are sorted by
/// angle around it, which is what the local connectivity test of
/// [`crate::optimize`] walks.
#[derive(Debug, Clone, Default)]
pub struct Adjacency {
    site_of: Vec<u32>,
    site_start: Vec<u32>,
    site_accounts: Vec<u32>,
    nb_start: Vec<u32>,
    nb: Vec<u32>,
    /// Delaunay neighbours farther than 150 km (the links between islands).
    far_start: Vec<u32>,
    far: Vec<u32>,
    /// The island of each site: connected components of the whole graph.
    island: Vec<u32>,
    islands: usize,
}

impl Adjacency {
    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.site_start.len().saturating_sub(1)
    }

    /// The site of an account.
    pub fn site_of(&self, account: usize) -> usize {
        self.site_of[account] as usize
    }

    /// The accounts at a site.
    pub fn accounts_at(&self, site: usize) -> &[u32] {
        &self.site_accounts[self.site_start[site] as usize..self.site_start[site + 1] as usize]
    }

    /// The neighbour sites within 150 km, in angular order around `site`.
    pub fn neighbours(&self, site: usize) -> &[u32] {
        &self.nb[self.nb_start[site] as usize..self.nb_start[site + 1] as usize]
    }

    /// Whether two sites are neighbours.
    pub fn linked(&self, a: usize, b: usize) -> bool {
        self.neighbours(a).contains(&(b as u32))
    }

    /// An account with no other account within 150 km (not even at its own position).
    pub fn is_isolated(&self, account: usize) -> bool {
        let s = self.site_of(account);
        self.neighbours(s).is_empty() && self.accounts_at(s).len() == 1
    }

    /// Number of edges between sites.
    pub fn edges(&self) -> usize {
        self.nb.len() / 2
    }

    /// Delaunay neighbours of `site` farther than 150 km.
    pub fn far_neighbours(&self, site: usize) -> &[u32] {
        &self.far[self.far_start[site] as usize..self.far_start[site + 1] as usize]
    }

    /// The island (connected component of the whole adjacency graph) of a site.
    pub fn island_of(&self, site: usize) -> usize {
        self.island[site] as usize
    }

    /// Number of islands: parts of the data farther than 150 km apart. A territory
    /// spanning several islands cannot be in one piece; it can be in one piece per
    /// island.
    pub fn islands(&self) -> usize {
        self.islands
    }
}

/// Compressed rows of a directed pair list, neighbours sorted by angle around each site.
fn rows(pairs: &[(u32, u32)], points: &[Point2<f64>]) -> (Vec<u32>, Vec<u32>) {
    let sites = points.len();
    let mut start = vec![0u32; sites + 1];
    for &(a, _) in pairs {
        start[a as usize + 1] += 1;
    }
    for s in 0..sites {
        start[s + 1] += start[s];
    }
    let mut fill = start.clone();
    let mut nb = vec![0u32; pairs.len()];
    for &(a, b) in pairs {
        nb[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
    }
    for s in 0..sites {
        let p = points[s];
        let ring = &mut nb[start[s] as usize..start[s + 1] as usize];
        ring.sort_unstable_by(|&a, &b| {
            let (pa, pb) = (points[a as usize], points[b as usize]);
            (pa.y - p.y).atan2(pa.x - p.x).total_cmp(&(pb.y - p.y).atan2(pb.x - p.x)).then(a.cmp(&b))
        });
    }
    (start, nb)
}

/// Triangulates the accounts' positions: O(N log N).
pub fn adjacency(accounts: &Accounts) -> Adjacency {
    let positions: Vec<(f64, f64)> = accounts.positions().collect();
    adjacency_of(&positions)
}

/// Accounts grouped by distinct position: the accounts sorted by position (`order`),
/// the site of each account, and where each site's accounts start in `order` (one
/// more entry than sites). The one home of "accounts at one position share a site",
/// for the adjacency here and the territory shapes.
pub(crate) struct Sites {
    pub order: Vec<u32>,
    pub site_of: Vec<u32>,
    pub start: Vec<u32>,
}

impl Sites {
    pub(crate) fn of(positions: &[(f64, f64)]) -> Sites {
        let n = positions.len();
        let key = |i: u32| {
            let (lon, lat) = positions[i as usize];
            (lon.to_bits(), lat.to_bits())
        };
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&i| (key(i), i));
        let mut site_of = vec![0u32; n];
        let mut start: Vec<u32> = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            if k == 0 || key(order[k - 1]) != key(i) {
                start.push(k as u32);
            }
            site_of[i as usize] = (start.len() - 1) as u32;
        }
        start.push(n as u32);
        Sites { order, site_of, start }
    }

    /// (lon, lat) of each site, from its first account.
    pub(crate) fn positions<'a>(&'a self, positions: &'a [(f64, f64)]) -> impl Iterator<Item = (f64, f64)> + 'a {
        self.start[..self.start.len() - 1].iter().map(move |&k| positions[self.order[k as usize] as usize])
    }
}

/// [`adjacency`] of (lon, lat) positions.
pub fn adjacency_of(positions: &[(f64, f64)]) -> Adjacency {
    let sites = Sites::of(positions);
    let points: Vec<Point2<f64>> = sites
        .positions(positions)
        .map(|(lon, lat)| {
            let (x, y) = to_mercator(lon, lat);
            Point2::new(x, y)
        })
        .collect();
    let Sites { order, site_of, start: site_start } = sites;
    let sites = points.len();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut far_pairs: Vec<(u32, u32)> = Vec::new();
    if sites >= 2
        && let Ok(t) = DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(points.clone())
    {
        for e in t.undirected_edges() {
            let [u, v] = e.vertices();
            let (a, b) = (u.fix().index() as u32, v.fix().index() as u32);
            let (pa, pb) = (
                positions[order[site_start[a as usize] as usize] as usize],
                positions[order[site_start[b as usize] as usize] as usize],
            );
            if distance_km(pa.0, pa.1, pb.0, pb.1) <= MAX_EDGE_KM {
                pairs.push((a, b));
                pairs.push((b, a));
            } else {
                far_pairs.push((a, b));
                far_pairs.push((b, a));
            }
        }
    }
    let (nb_start, nb) = rows(&pairs, &points);
    let (far_start, far) = rows(&far_pairs, &points);
    // Islands: components over the short edges.
    let mut island = vec![u32::MAX; sites];
    let mut islands = 0;
    let mut stack = Vec::new();
    for s0 in 0..sites {
        if island[s0] != u32::MAX {
            continue;
        }
        island[s0] = islands as u32;
        stack.push(s0);
        while let Some(s) = stack.pop() {
            for &t in &nb[nb_start[s] as usize..nb_start[s + 1] as usize] {
                if island[t as usize] == u32::MAX {
                    island[t as usize] = islands as u32;
                    stack.push(t as usize);
                }
            }
        }
        islands += 1;
    }
    Adjacency { site_of, site_start, site_accounts: order, nb_start, nb, far_start, far, island, islands }
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
    let n = group.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let union = |parent: &mut [u32], a: u32, b: u32| {
        let (ra, rb) = (find(parent, a), find(parent, b));
        if ra != rb {
            parent[ra.max(rb) as usize] = ra.min(rb);
        }
    };
    // One representative account per (site, group).
    let mut reps: Vec<(TerritoryIdx, u32)> = Vec::new();
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
    (0..n).map(|v| (group[v].is_some() && !adj.is_isolated(v)).then(|| find(&mut parent, v as u32))).collect()
}

/// Pieces of each group (see [`components`]); isolated accounts do not count.
pub(crate) fn pieces_of(group: &[Option<TerritoryIdx>], k: usize, adj: &Adjacency) -> Vec<usize> {
    let mut seen = vec![false; group.len()];
    let mut pieces = vec![0; k];
    for (c, g) in components(group, adj).into_iter().zip(group) {
        if let (Some(c), Some(g)) = (c, *g)
            && !seen[c as usize]
        {
            seen[c as usize] = true;
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
