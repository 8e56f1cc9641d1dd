//! The accounts' Voronoi cells, in a plane where straight lines are straight in lon/lat.
//!
//! The plane is lon/lat with longitude scaled by the cosine of the data's middle
//! latitude (a linear map, so a segment straight here is straight in lon/lat, as
//! RFC 7946 draws it). Sites are the distinct positions; a site's cell is the set of
//! points nearer to it than to any other site, cut to a disc around the site. It is
//! computed on demand as the disc cut by the half-planes towards each Delaunay
//! neighbour, O(degree × disc vertices), so the triangulation is the only thing kept:
//! about 40 bytes a site.

use spade::{DelaunayTriangulation, Point2, Triangulation};

/// Kilometres per degree of latitude on the mean sphere.
pub const KM_PER_DEGREE: f64 = std::f64::consts::PI * crate::quality::EARTH_KM / 180.0;

/// Vertices of the polygon that stands for a disc. The 50-km limit uses the inscribed
/// polygon (never farther than the limit), the 1-km guarantee the circumscribed one
/// (never nearer than the guarantee); 32 vertices keep both within 0.5 % of the circle.
const DISC_VERTICES: usize = 32;

/// The sites of a set of positions and their Delaunay neighbours.
#[derive(Debug, Clone, Default)]
pub struct Voronoi {
    /// Site of each account.
    site_of: Vec<u32>,
    /// Accounts by site: `site_accounts[site_start[s]..site_start[s + 1]]`.
    site_start: Vec<u32>,
    site_accounts: Vec<u32>,
    /// (lon, lat) of each site.
    lon_lat: Vec<[f64; 2]>,
    nb_start: Vec<u32>,
    nb: Vec<u32>,
    /// Longitude scale of the plane.
    kx: f64,
}

impl Voronoi {
    /// Groups the positions into sites and triangulates them: O(N log N).
    pub fn new(positions: &[(f64, f64)]) -> Voronoi {
        let sites = crate::quality::Sites::of(positions);
        let lon_lat: Vec<[f64; 2]> = sites.positions(positions).map(|(lon, lat)| [lon, lat]).collect();
        let crate::quality::Sites { order, site_of, start: site_start } = sites;
        let (lat_lo, lat_hi) = lon_lat.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p[1]), hi.max(p[1])));
        let mid = if lon_lat.is_empty() { 0.0 } else { (lat_lo + lat_hi) / 2.0 };
        let kx = mid.to_radians().cos().max(0.1);
        let points: Vec<Point2<f64>> = lon_lat.iter().map(|p| Point2::new(p[0] * kx, p[1])).collect();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        if points.len() >= 2
            && let Ok(t) = DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(points)
        {
            for e in t.undirected_edges() {
                let [u, v] = e.vertices();
                let (a, b) = (u.fix().index() as u32, v.fix().index() as u32);
                pairs.push((a, b));
                pairs.push((b, a));
            }
        }
        pairs.sort_unstable();
        let mut nb_start = vec![0u32; lon_lat.len() + 1];
        for &(a, _) in &pairs {
            nb_start[a as usize + 1] += 1;
        }
        for s in 0..lon_lat.len() {
            nb_start[s + 1] += nb_start[s];
        }
        let nb = pairs.into_iter().map(|(_, b)| b).collect();
        Voronoi { site_of, site_start, site_accounts: order, lon_lat, nb_start, nb, kx }
    }

    /// Number of sites.
    pub fn sites(&self) -> usize {
        self.lon_lat.len()
    }

    /// The site of an account.
    pub fn site_of(&self, account: usize) -> usize {
        self.site_of[account] as usize
    }

    /// The accounts at a site.
    pub fn accounts_at(&self, site: usize) -> &[u32] {
        &self.site_accounts[self.site_start[site] as usize..self.site_start[site + 1] as usize]
    }

    /// (lon, lat) of a site.
    pub fn position(&self, site: usize) -> [f64; 2] {
        self.lon_lat[site]
    }

    /// The Delaunay neighbours of a site.
    pub fn neighbours(&self, site: usize) -> &[u32] {
        &self.nb[self.nb_start[site] as usize..self.nb_start[site + 1] as usize]
    }

    /// The site's cell cut to the disc of `km` around it, as a counter-clockwise ring of
    /// (lon, lat) vertices (not closed), into `out`. `outer` picks the circumscribed
    /// polygon of the disc instead of the inscribed one.
    pub fn cell(&self, site: usize, km: f64, outer: bool, out: &mut Vec<[f64; 2]>, scratch: &mut Vec<[f64; 2]>) {
        let [lon, lat] = self.lon_lat[site];
        let p = [lon * self.kx, lat];
        let stretch = if outer { 1.0 / (std::f64::consts::PI / DISC_VERTICES as f64).cos() } else { 1.0 };
        let ry = km * stretch / KM_PER_DEGREE;
        let rx = ry / lat.to_radians().cos().max(1e-6) * self.kx;
        out.clear();
        out.extend((0..DISC_VERTICES).map(|i| {
            let a = i as f64 * std::f64::consts::TAU / DISC_VERTICES as f64;
            [p[0] + rx * a.cos(), p[1] + ry * a.sin()]
        }));
        for &q in self.neighbours(site) {
            let [qlon, qlat] = self.lon_lat[q as usize];
            let q = [qlon * self.kx, qlat];
            // Keep the points x with (x − m) · (q − p) ≤ 0, m the midpoint.
            let d = [q[0] - p[0], q[1] - p[1]];
            let c = d[0] * (p[0] + q[0]) / 2.0 + d[1] * (p[1] + q[1]) / 2.0;
            let far = |x: [f64; 2]| d[0] * x[0] + d[1] * x[1] - c;
            if out.iter().all(|&x| far(x) <= 0.0) {
                continue;
            }
            clip(out, scratch, far);
            if out.is_empty() {
                break;
            }
        }
        for v in out.iter_mut() {
            v[0] /= self.kx;
        }
    }
}

/// Sutherland–Hodgman: keeps the part of the convex ring where `f ≤ 0`.
fn clip(ring: &mut Vec<[f64; 2]>, scratch: &mut Vec<[f64; 2]>, f: impl Fn([f64; 2]) -> f64) {
    scratch.clear();
    let n = ring.len();
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        let (fa, fb) = (f(a), f(b));
        if fa <= 0.0 {
            scratch.push(a);
        }
        if (fa <= 0.0) != (fb <= 0.0) {
            let t = fa / (fa - fb);
            scratch.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    std::mem::swap(ring, scratch);
}
