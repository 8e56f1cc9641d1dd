//! The accounts' one triangulation, and the adjacency graph made from it.
//!
//! Accounts at one position share a *site* ([`Sites`]). The sites are triangulated once
//! ([`Triangulation`], Delaunay) in the plane where longitude is scaled by the cosine
//! of the data's middle latitude: a linear map of lon/lat, so that the territory areas'
//! Voronoi cells ([`crate::shapes`]), which are made from the same triangulation, have
//! edges straight in lon/lat as RFC 7946 draws them. The adjacency ([`Adjacency`]) is
//! that triangulation without edges longer than [`MAX_EDGE_KM`]; the optimizer walks
//! it, the pieces are counted on it. One triangulation serves both, so the editor with
//! areas on builds it once. Past two strips' worth of sites it is built a strip at a
//! time ([`super::strips`]: at a million accounts about 9 MB a strip while it is
//! built, two at a time, where the whole set at once took about 150 MB); its result
//! is 56 MB, or 40 MB when it keeps the accounts' own position columns, shared
//! ([`Triangulation::of_columns`], as the editor and [`adjacency`] build it) instead of
//! its sites' positions. What it is built from is reused, not copied: the positions
//! handed to [`Triangulation::new`] become the sites' positions in place, and the
//! strips' rows are written into the one buffer of the result.

use std::sync::Arc;

use rayon::prelude::*;
use spade::{DelaunayTriangulation, Point2, Triangulation as _};

use super::{MAX_EDGE_KM, distance_km};
use crate::model::Accounts;

/// Accounts grouped by distinct position: the accounts sorted by position (`order`),
/// the site of each account, and where each site's accounts start in `order` (one
/// more entry than sites). The one home of "accounts at one position share a site".
struct Sites {
    order: Vec<u32>,
    site_of: Vec<u32>,
    start: Vec<u32>,
}

impl Sites {
    /// Sites as points of the plane of longitude scale `kx`: two positions the plane
    /// cannot tell apart (a longitude one unit in the last place off, −0 and +0) are one
    /// site, so the triangulation gets each point once.
    fn of(positions: &[(f64, f64)], kx: f64) -> Sites {
        let n = positions.len();
        let key = |i: u32| {
            let (lon, lat) = positions[i as usize];
            ((lon * kx + 0.0).to_bits(), (lat + 0.0).to_bits())
        };
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_unstable_by_key(|&i| (key(i), i));
        let mut site_of = vec![0u32; n];
        let mut start: Vec<u32> = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            if k == 0 || key(order[k - 1]) != key(i) {
                start.push(k as u32);
            }
            site_of[i as usize] = (start.len() - 1) as u32;
        }
        start.push(n as u32);
        start.shrink_to_fit();
        Sites { order, site_of, start }
    }
}

/// The sites and their Delaunay neighbours (see the module's introduction).
#[derive(Debug, Clone, Default)]
pub struct Triangulation {
    /// Site of each account.
    site_of: Vec<u32>,
    /// Accounts by site: `site_accounts[site_start[s]..site_start[s + 1]]`; empty when
    /// every site holds one account (then `site_accounts[s..s + 1]`), as in most plans:
    /// 4 bytes a site saved.
    site_start: Vec<u32>,
    site_accounts: Vec<u32>,
    /// Where each site stands.
    positions: SitePositions,
    /// Number of sites.
    sites: usize,
    /// Each site's Delaunay neighbours, sorted by angle around it in the plane.
    nb_start: Vec<u32>,
    nb: Vec<u32>,
    /// Longitude scale of the plane.
    kx: f64,
}

impl Triangulation {
    /// Groups the positions into sites and triangulates them: O(N log N). Past two
    /// strips' worth of sites, a strip at a time (the module `strips`). The positions'
    /// buffer becomes the sites' positions.
    pub fn new(positions: Vec<(f64, f64)>) -> Triangulation {
        Triangulation::in_strips(positions, super::strips::STRIP_SITES)
    }

    /// [`Triangulation::new`] with strips of `strip` sites (the tests' small strips).
    pub(super) fn in_strips(positions: Vec<(f64, f64)>, strip: usize) -> Triangulation {
        let (lat_lo, lat_hi) = positions.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let mid = if positions.is_empty() { 0.0 } else { (lat_lo + lat_hi) / 2.0 };
        let kx = mid.to_radians().cos().max(0.1);
        let Sites { order, site_of, start: site_start } = Sites::of(&positions, kx);
        let lon_lat = site_positions(positions, &order, &site_start);
        let sites = lon_lat.len();
        let site_start = if sites == order.len() { Vec::new() } else { site_start };
        let stripped = (sites / 2 > strip).then(|| super::strips::neighbours(&lon_lat, kx, strip)).flatten();
        let (nb_start, mut nb) = stripped.unwrap_or_else(|| whole(&lon_lat, kx));
        sort_rings(&mut nb, &nb_start, &lon_lat, kx);
        let positions = SitePositions::Own(lon_lat);
        Triangulation { site_of, site_start, site_accounts: order, positions, sites, nb_start, nb, kx }
    }

    /// The triangulation of accounts at these positions (by account, degrees), which it
    /// keeps shared instead of a copy by site: what the editor's areas build from the
    /// plan's own columns ([`Accounts::position_columns`]), 16 bytes a site less.
    pub fn of_columns(lon: Arc<Vec<f64>>, lat: Arc<Vec<f64>>) -> Triangulation {
        let positions = lon.iter().zip(lat.iter()).map(|(&x, &y)| (x, y)).collect();
        let mut tri = Triangulation::new(positions);
        tri.positions = SitePositions::Accounts { lon, lat };
        tri
    }

    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.sites
    }

    /// The site of an account.
    pub fn site_of(&self, account: usize) -> usize {
        self.site_of[account] as usize
    }

    /// The accounts at a site.
    pub fn accounts_at(&self, site: usize) -> &[u32] {
        if self.site_start.is_empty() {
            &self.site_accounts[site..site + 1]
        } else {
            &self.site_accounts[self.site_start[site] as usize..self.site_start[site + 1] as usize]
        }
    }

    /// (lon, lat) of a site.
    pub fn position(&self, site: usize) -> [f64; 2] {
        match &self.positions {
            SitePositions::Own(lon_lat) => lon_lat[site],
            SitePositions::Accounts { lon, lat } => {
                let a = self.accounts_at(site)[0] as usize;
                [lon[a], lat[a]]
            }
        }
    }

    /// All Delaunay neighbours of a site, in angular order around it.
    pub fn neighbours(&self, site: usize) -> &[u32] {
        &self.nb[self.nb_start[site] as usize..self.nb_start[site + 1] as usize]
    }

    /// The longitude scale of the plane: a point (lon, lat) lies at (lon × kx, lat).
    pub fn kx(&self) -> f64 {
        self.kx
    }
}

/// The position of each site (of its first account in `order`), in the positions' own
/// buffer: the positions are put in `order` in place, following the permutation's
/// cycles, then each site's first is moved to the site's index (never after it).
fn site_positions(positions: Vec<(f64, f64)>, order: &[u32], site_start: &[u32]) -> Vec<[f64; 2]> {
    let mut p: Vec<[f64; 2]> = positions.into_iter().map(|(lon, lat)| [lon, lat]).collect();
    let mut done = vec![false; p.len()];
    for i in 0..p.len() {
        if done[i] {
            continue;
        }
        // Slot j takes the position at order[j].
        let first = p[i];
        let mut j = i;
        loop {
            done[j] = true;
            let from = order[j] as usize;
            if from == i {
                p[j] = first;
                break;
            }
            p[j] = p[from];
            j = from;
        }
    }
    let sites = site_start.len() - 1;
    for s in 0..sites {
        p[s] = p[site_start[s] as usize];
    }
    p.truncate(sites);
    p
}

/// Where the sites of a [`Triangulation`] stand.
#[derive(Debug, Clone)]
enum SitePositions {
    /// (lon, lat) by site.
    Own(Vec<[f64; 2]>),
    /// The accounts' own columns, by account: a site stands where its first account does.
    Accounts { lon: Arc<Vec<f64>>, lat: Arc<Vec<f64>> },
}

impl Default for SitePositions {
    fn default() -> SitePositions {
        SitePositions::Own(Vec::new())
    }
}

/// Sorts each site's neighbours by angle around it in the plane (from −π), so that the
/// order does not depend on how the triangulation was built.
fn sort_rings(nb: &mut [u32], nb_start: &[u32], lon_lat: &[[f64; 2]], kx: f64) {
    let mut rings: Vec<&mut [u32]> = Vec::with_capacity(lon_lat.len());
    let mut rest: &mut [u32] = nb;
    for s in 0..lon_lat.len() {
        let (ring, tail) = rest.split_at_mut((nb_start[s + 1] - nb_start[s]) as usize);
        rings.push(ring);
        rest = tail;
    }
    rings.par_iter_mut().enumerate().with_min_len(crate::PARALLEL_MIN / 8).for_each(|(s, ring)| {
        let [x, y] = lon_lat[s];
        let angle = |q: u32| {
            let [qx, qy] = lon_lat[q as usize];
            (qy - y).atan2((qx - x) * kx)
        };
        ring.sort_unstable_by(|&a, &b| angle(a).total_cmp(&angle(b)).then(a.cmp(&b)));
    });
}

/// Each site's Delaunay neighbours, (start, rows), the sites triangulated at once.
fn whole(lon_lat: &[[f64; 2]], kx: f64) -> (Vec<u32>, Vec<u32>) {
    let sites = lon_lat.len();
    let mut nb_start = Vec::with_capacity(sites + 1);
    nb_start.push(0u32);
    let mut nb: Vec<u32> = Vec::new();
    let points: Vec<Point2<f64>> = lon_lat.iter().map(|p| Point2::new(p[0] * kx, p[1])).collect();
    // `bulk_load_stable` keeps the vertices in the order given: vertex i is site i.
    match DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(points) {
        // (Each site is a distinct point of the plane, so no vertex was merged; were
        // one merged, the vertices would not be the sites, and no edge is kept.)
        Ok(t) if sites >= 2 && t.num_vertices() == sites => {
            nb.reserve_exact(t.num_directed_edges());
            for v in t.vertices() {
                nb.extend(v.out_edges().map(|e| e.to().fix().index() as u32));
                nb_start.push(nb.len() as u32);
            }
        }
        _ => nb_start.resize(sites + 1, 0),
    }
    (nb_start, nb)
}

/// Which sites have a row of their own, and which row: a bit a site, and the number of
/// set bits before each 64-site word, so a lookup is O(1) in 1.5 bits a site (a `u32`
/// a site took 4 MB at a million sites, nearly all of it saying "none").
#[derive(Debug, Clone, Default)]
struct SparseRows {
    bits: Vec<u64>,
    /// Set bits in the words before each word.
    before: Vec<u32>,
}

impl SparseRows {
    /// Rows for `with` (ascending sites), numbered in that order.
    fn of(sites: usize, with: &[u32]) -> SparseRows {
        let mut bits = vec![0u64; sites.div_ceil(64)];
        for &s in with {
            bits[s as usize / 64] |= 1 << (s % 64);
        }
        let before = bits
            .iter()
            .scan(0u32, |n, w| {
                let at = *n;
                *n += w.count_ones();
                Some(at)
            })
            .collect();
        SparseRows { bits, before }
    }

    /// The site's row, if it has one.
    fn row(&self, site: usize) -> Option<usize> {
        let word = *self.bits.get(site / 64)?;
        let bit = 1u64 << (site % 64);
        (word & bit != 0).then(|| (self.before[site / 64] + (word & (bit - 1)).count_ones()) as usize)
    }
}

/// The accounts' adjacency graph, over sites: the [`Triangulation`] without edges
/// longer than [`MAX_EDGE_KM`]. Each site's neighbours keep the triangulation's angular
/// order, which is what the local connectivity test of [`crate::optimize`] walks.
///
/// Most sites have no Delaunay neighbour that far, and their row is the
/// triangulation's own; only the others (at a coast, across a gulf, on the hull) get
/// rows of their own, so the graph adds 4 bytes a site (its island) and a bit to the
/// triangulation, not another copy of its 24 bytes a site.
#[derive(Debug, Clone, Default)]
pub struct Adjacency {
    tri: Arc<Triangulation>,
    /// By site: none when all its Delaunay neighbours are within 150 km, else its row
    /// in `own_*`.
    rows: SparseRows,
    /// The sites with a far neighbour: their near ones (`own_start`, `own`) and far
    /// ones (`far_start`, `far`, the links between islands), by row.
    own_start: Vec<u32>,
    own: Vec<u32>,
    far_start: Vec<u32>,
    far: Vec<u32>,
    /// Number of edges within 150 km.
    edges: usize,
    /// The island of each site: connected components of the whole graph.
    island: Vec<u32>,
    islands: usize,
}

impl Adjacency {
    /// The adjacency of a triangulation: O(edges).
    pub fn of(tri: Arc<Triangulation>) -> Adjacency {
        let sites = tri.sites();
        let t: &Triangulation = &tri;
        // Whether an edge is short, measured from the lower site to the higher, so that
        // both directions agree to the bit.
        let short = |s: usize, q: u32| {
            let (a, b) = (s.min(q as usize), s.max(q as usize));
            let ([alon, alat], [blon, blat]) = (t.position(a), t.position(b));
            distance_km(alon, alat, blon, blat) <= MAX_EDGE_KM
        };
        let with_far: Vec<u32> = (0..sites)
            .into_par_iter()
            .with_min_len(crate::PARALLEL_MIN / 8)
            .filter(|&s| !t.neighbours(s).iter().all(|&q| short(s, q)))
            .map(|s| s as u32)
            .collect();
        let mut adj = Adjacency {
            rows: SparseRows::of(sites, &with_far),
            own_start: vec![0],
            far_start: vec![0],
            islands: 0,
            ..Adjacency::default()
        };
        for &s in &with_far {
            for &q in t.neighbours(s as usize) {
                if short(s as usize, q) { adj.own.push(q) } else { adj.far.push(q) }
            }
            adj.own_start.push(adj.own.len() as u32);
            adj.far_start.push(adj.far.len() as u32);
        }
        adj.edges = (t.nb.len() - adj.far.len()) / 2;
        adj.tri = tri;
        // Islands: components over the short edges.
        let mut island = vec![u32::MAX; sites];
        let mut stack = Vec::new();
        for s0 in 0..sites {
            if island[s0] != u32::MAX {
                continue;
            }
            island[s0] = adj.islands as u32;
            stack.push(s0);
            while let Some(s) = stack.pop() {
                for &q in adj.neighbours(s) {
                    if island[q as usize] == u32::MAX {
                        island[q as usize] = adj.islands as u32;
                        stack.push(q as usize);
                    }
                }
            }
            adj.islands += 1;
        }
        adj.island = island;
        adj
    }

    /// The triangulation it is made of (shared, for the territory areas).
    pub fn triangulation(&self) -> &Arc<Triangulation> {
        &self.tri
    }

    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.tri.sites()
    }

    /// The site of an account.
    pub fn site_of(&self, account: usize) -> usize {
        self.tri.site_of(account)
    }

    /// The accounts at a site.
    pub fn accounts_at(&self, site: usize) -> &[u32] {
        self.tri.accounts_at(site)
    }

    /// The neighbour sites within 150 km, in angular order around `site`.
    pub fn neighbours(&self, site: usize) -> &[u32] {
        match self.rows.row(site) {
            None => self.tri.neighbours(site),
            Some(r) => &self.own[self.own_start[r] as usize..self.own_start[r + 1] as usize],
        }
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
        self.edges
    }

    /// Delaunay neighbours of `site` farther than 150 km.
    pub fn far_neighbours(&self, site: usize) -> &[u32] {
        match self.rows.row(site) {
            None => &[],
            Some(r) => &self.far[self.far_start[r] as usize..self.far_start[r + 1] as usize],
        }
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

/// Triangulates the accounts' positions: O(N log N).
pub fn adjacency(accounts: &Accounts) -> Adjacency {
    let (lon, lat) = accounts.position_columns();
    adjacency_of_columns(lon, lat)
}

/// [`adjacency`] of the accounts' position columns, which its triangulation keeps
/// (shared): for a thread of its own, which cannot borrow the accounts.
pub fn adjacency_of_columns(lon: Arc<Vec<f64>>, lat: Arc<Vec<f64>>) -> Adjacency {
    Adjacency::of(Arc::new(Triangulation::of_columns(lon, lat)))
}

#[cfg(test)]
mod sparse_rows_tests {
    use super::SparseRows;

    proptest::proptest! {
        /// A site's row is its place among the sites with rows; the others have none.
        #[test]
        fn a_row_is_the_sites_place_among_those_with_rows(
            sites in 0usize..300,
            picks in proptest::collection::vec(proptest::bool::weighted(0.2), 300),
        ) {
            let with: Vec<u32> = (0..sites as u32).filter(|&s| picks[s as usize]).collect();
            let rows = SparseRows::of(sites, &with);
            for s in 0..sites + 70 {
                let expected = with.iter().position(|&w| w as usize == s);
                proptest::prop_assert_eq!(rows.row(s), expected, "site {}", s);
            }
        }
    }
}
