//! The accounts' Voronoi cells, in a plane where straight lines are straight in lon/lat.
//!
//! The plane is lon/lat with longitude scaled by the cosine of the data's middle
//! latitude (a linear map, so a segment straight here is straight in lon/lat, as
//! RFC 7946 draws it): the plane of [`crate::quality::Triangulation`], whose
//! triangulation the cells share with the accounts' adjacency. Sites are the distinct
//! positions; a site's cell is the set of points nearer to it than to any other site,
//! cut to a disc around the site. It is computed on demand as the disc cut by the
//! half-planes towards each Delaunay neighbour, O(degree × disc vertices), so the
//! triangulation is the only thing kept: about 56 bytes a site.

use std::sync::Arc;

use crate::quality::Triangulation;

/// Kilometres per degree of latitude on the mean sphere.
pub const KM_PER_DEGREE: f64 = std::f64::consts::PI * crate::quality::EARTH_KM / 180.0;

/// Vertices of the polygon that stands for a disc. The 50-km limit uses the inscribed
/// polygon (never farther than the limit), the 1-km guarantee the circumscribed one
/// (never nearer than the guarantee); 32 vertices keep both within 0.5 % of the circle.
const DISC_VERTICES: usize = 32;

/// The Voronoi cells of the accounts' one [`Triangulation`] (shared with the adjacency
/// of [`crate::quality`], which answers for the sites and their neighbours).
#[derive(Debug, Clone, Default)]
pub struct Voronoi {
    tri: Arc<Triangulation>,
}

impl Voronoi {
    /// Groups the positions into sites and triangulates them: O(N log N).
    pub fn new(positions: &[(f64, f64)]) -> Voronoi {
        Voronoi::of(Arc::new(Triangulation::new(positions.to_vec())))
    }

    /// The cells of a triangulation made before.
    pub fn of(tri: Arc<Triangulation>) -> Voronoi {
        Voronoi { tri }
    }

    /// The triangulation.
    pub fn triangulation(&self) -> &Arc<Triangulation> {
        &self.tri
    }

    /// The site's cell cut to the disc of `km` around it, as a counter-clockwise ring of
    /// (lon, lat) vertices (not closed), into `out`. `outer` picks the circumscribed
    /// polygon of the disc instead of the inscribed one.
    pub fn cell(&self, site: usize, km: f64, outer: bool, out: &mut Vec<[f64; 2]>, scratch: &mut Vec<[f64; 2]>) {
        let kx = self.tri.kx();
        let [lon, lat] = self.tri.position(site);
        let p = [lon * kx, lat];
        let stretch = if outer { 1.0 / (std::f64::consts::PI / DISC_VERTICES as f64).cos() } else { 1.0 };
        let ry = km * stretch / KM_PER_DEGREE;
        let rx = ry / lat.to_radians().cos().max(1e-6) * kx;
        out.clear();
        out.extend((0..DISC_VERTICES).map(|i| {
            let a = i as f64 * std::f64::consts::TAU / DISC_VERTICES as f64;
            [p[0] + rx * a.cos(), p[1] + ry * a.sin()]
        }));
        for &q in self.tri.neighbours(site) {
            let [qlon, qlat] = self.tri.position(q as usize);
            let q = [qlon * kx, qlat];
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
            v[0] /= kx;
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
