//! The spatial index over the accounts and exact selection by shape.
//!
//! Accounts are indexed in Web Mercator metres (EPSG:3857) in a bulk-loaded
//! `rstar` R-tree (of blocks of accounts that lie together), the index of record for
//! envelope and nearest-account queries.
//! Selection by polygon is exact: it returns the same set as a plain crossing-number
//! (even–odd) test of every account, in the coordinates where the polygon's edges are
//! straight: Web Mercator for a lasso drawn on screen, lon/lat for GeoJSON input.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// WGS84 semi-major axis, the sphere radius of Web Mercator.
pub const EARTH_RADIUS_M: f64 = 6_378_137.0;
/// Web Mercator's latitude limit ([`crate::model::limits::MAX_LAT`]).
pub const MAX_MERCATOR_LAT: f64 = crate::model::limits::MAX_LAT;

/// (lon, lat) in degrees → Web Mercator (x, y) in metres, latitude clamped to the
/// projection's limit.
pub fn to_mercator(lon: f64, lat: f64) -> (f64, f64) {
    let lat = lat.clamp(-MAX_MERCATOR_LAT, MAX_MERCATOR_LAT);
    let x = EARTH_RADIUS_M * lon.to_radians();
    let y = EARTH_RADIUS_M * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln();
    (x, y)
}

/// Web Mercator (x, y) in metres → (lon, lat) in degrees.
pub fn from_mercator(x: f64, y: f64) -> (f64, f64) {
    let lon = (x / EARTH_RADIUS_M).to_degrees();
    let lat = (2.0 * (y / EARTH_RADIUS_M).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
    (lon, lat)
}

/// The edges of a ring as the crossing-number test pairs their ends: (point i,
/// point i − 1), the first with the last. Rings of fewer than three points have none.
/// The grid's fast path uses the same pairing, so that its arithmetic is the same.
pub fn ring_edges(ring: &LineString<f64>) -> impl Iterator<Item = (Coord<f64>, Coord<f64>)> + '_ {
    let pts = &ring.0;
    let n = if pts.len() < 3 { 0 } else { pts.len() };
    (0..n).map(move |i| (pts[i], pts[if i == 0 { n - 1 } else { i - 1 }]))
}

/// Whether (x, y) lies inside the rings by the crossing-number (even–odd) rule.
/// Rings may be open or closed, in any winding.
pub fn crossing_number_contains<'a>(rings: impl IntoIterator<Item = &'a LineString<f64>>, x: f64, y: f64) -> bool {
    let mut inside = false;
    for ring in rings {
        for (a, b) in ring_edges(ring) {
            if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Whether (x, y) lies inside the polygon (exterior and holes, even–odd).
pub fn polygon_contains(p: &Polygon<f64>, x: f64, y: f64) -> bool {
    crossing_number_contains(std::iter::once(p.exterior()).chain(p.interiors()), x, y)
}

/// Whether (x, y) lies inside any polygon of the union.
pub fn multipolygon_contains(mp: &MultiPolygon<f64>, x: f64, y: f64) -> bool {
    mp.0.iter().any(|p| polygon_contains(p, x, y))
}

/// A multipolygon made quick to test points against, whatever its vertex count: each
/// polygon's edges are bucketed into horizontal bands, and a point is tested only
/// against the edges of its band, by the same crossing-number arithmetic as
/// [`multipolygon_contains`] (an edge outside the band cannot cross the point's ray),
/// so the answer is the same. A 1,000,000-vertex polygon costs about 64 edge tests a
/// point instead of 1,000,000.
pub struct PolygonIndex {
    polygons: Vec<BandedPolygon>,
}

struct BandedPolygon {
    y0: f64,
    inv_dy: f64,
    bands: usize,
    /// Band b's edges are `edges[starts[b]..starts[b + 1]]`, as (a, b) pairs.
    starts: Vec<usize>,
    edges: Vec<(Coord<f64>, Coord<f64>)>,
}

impl BandedPolygon {
    fn new(p: &Polygon<f64>) -> BandedPolygon {
        let all: Vec<(Coord<f64>, Coord<f64>)> =
            std::iter::once(p.exterior()).chain(p.interiors()).flat_map(ring_edges).collect();
        let (y0, y1) =
            all.iter().fold((f64::MAX, f64::MIN), |(lo, hi), (a, b)| (lo.min(a.y).min(b.y), hi.max(a.y).max(b.y)));
        let height = if y1 > y0 { y1 - y0 } else { 1.0 };
        // About 64 edges a band; fewer bands while long edges would be copied into too
        // many of them (memory stays within 16 copies an edge).
        let mut bands = (all.len() / 64).clamp(1, 1 << 20);
        let band_of = |y: f64, bands: usize, inv: f64| (((y - y0) * inv) as usize).min(bands - 1);
        loop {
            let inv = bands as f64 / height;
            let copies: usize = all
                .iter()
                .map(|(a, b)| band_of(a.y.max(b.y), bands, inv) - band_of(a.y.min(b.y), bands, inv) + 1)
                .sum();
            if bands == 1 || copies <= 16 * all.len() + bands {
                break;
            }
            bands /= 2;
        }
        let inv_dy = bands as f64 / height;
        let mut starts = vec![0usize; bands + 1];
        for (a, b) in &all {
            for band in band_of(a.y.min(b.y), bands, inv_dy)..=band_of(a.y.max(b.y), bands, inv_dy) {
                starts[band + 1] += 1;
            }
        }
        for b in 0..bands {
            starts[b + 1] += starts[b];
        }
        let mut next = starts.clone();
        let mut edges = vec![(Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: 0.0 }); starts[bands]];
        for &(a, b) in &all {
            for band in band_of(a.y.min(b.y), bands, inv_dy)..=band_of(a.y.max(b.y), bands, inv_dy) {
                edges[next[band]] = (a, b);
                next[band] += 1;
            }
        }
        BandedPolygon { y0, inv_dy, bands, starts, edges }
    }

    fn contains(&self, x: f64, y: f64) -> bool {
        if self.edges.is_empty() || y.is_nan() {
            return false;
        }
        let band = (((y - self.y0) * self.inv_dy).max(0.0) as usize).min(self.bands - 1);
        let mut inside = false;
        for (a, b) in &self.edges[self.starts[band]..self.starts[band + 1]] {
            if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
                inside = !inside;
            }
        }
        inside
    }
}

impl PolygonIndex {
    pub fn new(mp: &MultiPolygon<f64>) -> PolygonIndex {
        PolygonIndex { polygons: mp.0.iter().map(BandedPolygon::new).collect() }
    }

    /// [`multipolygon_contains`], exactly.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.polygons.iter().any(|p| p.contains(x, y))
    }
}

/// The bounding box of a multipolygon, `None` when it has no vertex.
pub fn bbox(mp: &MultiPolygon<f64>) -> Option<(Coord<f64>, Coord<f64>)> {
    let mut it = mp.0.iter().flat_map(|p| p.exterior().0.iter());
    let first = *it.next()?;
    Some(it.fold((first, first), |(lo, hi), c| {
        (Coord { x: lo.x.min(c.x), y: lo.y.min(c.y) }, Coord { x: hi.x.max(c.x), y: hi.y.max(c.y) })
    }))
}

/// Accounts a leaf of the R-tree holds: a block of accounts that lie together.
const BLOCK: usize = 8;

/// A leaf: the bounding box of a block, and the block's number.
type Leaf = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// The R-tree over the accounts' Web Mercator positions.
///
/// Its leaves are blocks of 8 accounts that are neighbours in Z-order, not
/// single accounts: an `rstar` node costs about 60 bytes, so a tree of a million
/// single accounts took 70 MB, while a tree of blocks takes an eighth of that beside
/// the positions (16 bytes an account) and the order (4). A query visits the leaves
/// whose boxes it reaches and tests their accounts one by one, so every answer is
/// exact, as it was with one account a leaf.
pub struct SpatialIndex {
    /// Account indices, block after block.
    order: Vec<u32>,
    /// Web Mercator positions, in `order`.
    xy: Vec<[f64; 2]>,
    tree: RTree<Leaf>,
}

impl SpatialIndex {
    /// Bulk-loads the index from (lon, lat) positions, in account order: O(N log N).
    pub fn build(positions: impl IntoIterator<Item = (f64, f64)>) -> SpatialIndex {
        let xy: Vec<[f64; 2]> = positions
            .into_iter()
            .map(|(lon, lat)| {
                let (x, y) = to_mercator(lon, lat);
                [x, y]
            })
            .collect();
        SpatialIndex::from_mercator(xy)
    }

    /// The index of Web Mercator positions (as [`to_mercator`] gives them), in account
    /// order: O(N log N).
    pub fn from_mercator(xy: Vec<[f64; 2]>) -> SpatialIndex {
        use rayon::prelude::*;
        let mut order: Vec<u32> = (0..xy.len() as u32).collect();
        order.par_sort_unstable_by_key(|&i| (z_order(xy[i as usize]), i));
        let xy: Vec<[f64; 2]> = order.iter().map(|&i| xy[i as usize]).collect();
        let leaves = xy
            .chunks(BLOCK)
            .enumerate()
            .map(|(b, block)| {
                let (lo, hi) = block.iter().fold(([f64::MAX; 2], [f64::MIN; 2]), |(lo, hi), p| {
                    ([lo[0].min(p[0]), lo[1].min(p[1])], [hi[0].max(p[0]), hi[1].max(p[1])])
                });
                Leaf::new(Rectangle::from_corners(lo, hi), b as u32)
            })
            .collect();
        SpatialIndex { order, xy, tree: RTree::bulk_load(leaves) }
    }

    /// Builds the index of a plan's accounts.
    pub fn of_plan(plan: &crate::model::Plan) -> SpatialIndex {
        SpatialIndex::build(plan.accounts.positions())
    }

    /// Number of indexed accounts.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no account is indexed.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The (slot, account) pairs of the blocks whose boxes meet `env`.
    fn candidates<'a>(&'a self, env: &'a AABB<[f64; 2]>) -> impl Iterator<Item = (usize, u32)> + 'a {
        self.tree.locate_in_envelope_intersecting(env).flat_map(move |leaf| {
            let start = leaf.data as usize * BLOCK;
            let end = (start + BLOCK).min(self.order.len());
            (start..end).map(move |k| (k, self.order[k]))
        })
    }

    /// Accounts inside the Web Mercator rectangle (edges included), in index order.
    pub fn select_rect(&self, min: [f64; 2], max: [f64; 2]) -> Vec<u32> {
        let env = AABB::from_corners(min, max);
        let (lo, hi) = (env.lower(), env.upper());
        let mut out: Vec<u32> = self
            .candidates(&env)
            .filter(|&(k, _)| {
                let [x, y] = self.xy[k];
                x >= lo[0] && x <= hi[0] && y >= lo[1] && y <= hi[1]
            })
            .map(|(_, i)| i)
            .collect();
        out.sort_unstable();
        out
    }

    /// Accounts inside a multipolygon given in Web Mercator metres (a lasso drawn on
    /// screen), in index order.
    pub fn select_polygon_mercator(&self, mp: &MultiPolygon<f64>) -> Vec<u32> {
        let Some((lo, hi)) = bbox(mp) else { return Vec::new() };
        let env = AABB::from_corners([lo.x, lo.y], [hi.x, hi.y]);
        let index = PolygonIndex::new(mp);
        let mut out: Vec<u32> = self
            .candidates(&env)
            .filter(|&(k, _)| index.contains(self.xy[k][0], self.xy[k][1]))
            .map(|(_, i)| i)
            .collect();
        out.sort_unstable();
        out
    }

    /// Accounts inside a multipolygon given in lon/lat degrees (GeoJSON, basemap
    /// areas), tested in lon/lat, in index order. `lonlat` gives an account's (lon,
    /// lat), as the index was built from.
    pub fn select_polygon_lonlat(&self, mp: &MultiPolygon<f64>, lonlat: impl Fn(usize) -> (f64, f64)) -> Vec<u32> {
        let Some((lo, hi)) = bbox(mp) else { return Vec::new() };
        let (x0, y0) = to_mercator(lo.x, lo.y);
        let (x1, y1) = to_mercator(hi.x, hi.y);
        // Widen by a metre so that rounding in the projection never drops a candidate.
        let env = AABB::from_corners([x0 - 1.0, y0 - 1.0], [x1 + 1.0, y1 + 1.0]);
        let index = PolygonIndex::new(mp);
        let mut out: Vec<u32> = self
            .candidates(&env)
            .filter(|&(k, i)| {
                let [x, y] = self.xy[k];
                if x < x0 - 1.0 || x > x1 + 1.0 || y < y0 - 1.0 || y > y1 + 1.0 {
                    return false;
                }
                let (lon, lat) = lonlat(i as usize);
                index.contains(lon, lat)
            })
            .map(|(_, i)| i)
            .collect();
        out.sort_unstable();
        out
    }

    /// The account nearest to a Web Mercator point, within `max_dist` metres (of
    /// several at the same distance, the first).
    pub fn nearest(&self, x: f64, y: f64, max_dist: f64) -> Option<u32> {
        let mut best: Option<(f64, u32)> = None;
        let limit = max_dist * max_dist;
        // Leaves come nearest box first; no account of a box is nearer than the box.
        for (leaf, box_d2) in self.tree.nearest_neighbor_iter_with_distance_2(&[x, y]) {
            if box_d2 > limit || best.is_some_and(|(d2, _)| box_d2 > d2) {
                break;
            }
            let start = leaf.data as usize * BLOCK;
            for k in start..(start + BLOCK).min(self.order.len()) {
                let [px, py] = self.xy[k];
                let d2 = (px - x).powi(2) + (py - y).powi(2);
                let i = self.order[k];
                if d2 <= limit && best.is_none_or(|(b, j)| d2 < b || (d2 == b && i < j)) {
                    best = Some((d2, i));
                }
            }
        }
        best.map(|(_, i)| i)
    }
}

/// The position's place on the Z-order (Morton) curve over the Web Mercator square:
/// positions near on the curve are near on the map, so consecutive ones make compact
/// blocks.
fn z_order([x, y]: [f64; 2]) -> u64 {
    let span = 2.0 * std::f64::consts::PI * EARTH_RADIUS_M;
    let q = |v: f64| (((v / span + 0.5).clamp(0.0, 1.0)) * f64::from(u32::MAX)) as u32;
    let spread = |v: u32| {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    };
    spread(q(x)) | (spread(q(y)) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mercator_round_trips() {
        for (lon, lat) in [(0.0, 0.0), (-122.4, 37.8), (179.9, -60.0), (13.4, 52.5)] {
            let (x, y) = to_mercator(lon, lat);
            let (lon2, lat2) = from_mercator(x, y);
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9);
        }
        let (x, _) = to_mercator(180.0, 0.0);
        assert!((x - 20_037_508.342_789_244).abs() < 1e-6);
    }

    #[test]
    fn banded_polygons_answer_as_the_plain_crossing_test() {
        // A 6,000-vertex star with a hole, and a long-edged zigzag: many bands, and
        // edges copied into many of them.
        let star: Vec<Coord<f64>> = (0..6000)
            .map(|i| {
                let a = std::f64::consts::TAU * f64::from(i) / 6000.0;
                let r = 10.0 + 3.0 * (a * 37.0).sin();
                Coord { x: r * a.cos(), y: r * a.sin() }
            })
            .collect();
        let hole = LineString::from(vec![(-2.0, -2.0), (2.0, -2.0), (2.0, 2.0), (-2.0, 2.0)]);
        let zigzag: Vec<Coord<f64>> = (0..400)
            .map(|i| Coord { x: 20.0 + f64::from(i) * 0.05, y: if i % 2 == 0 { -12.0 } else { 12.0 } })
            .chain([Coord { x: 40.0, y: -13.0 }, Coord { x: 20.0, y: -13.0 }])
            .collect();
        let mp =
            MultiPolygon(vec![Polygon::new(LineString(star), vec![hole]), Polygon::new(LineString(zigzag), vec![])]);
        let index = PolygonIndex::new(&mp);
        let mut s = 7u64;
        let mut rnd = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut inside = 0;
        for _ in 0..40_000 {
            let (x, y) = (rnd() * 60.0 - 15.0, rnd() * 30.0 - 15.0);
            let want = multipolygon_contains(&mp, x, y);
            assert_eq!(index.contains(x, y), want, "({x}, {y})");
            inside += usize::from(want);
        }
        assert!(inside > 5_000, "{inside}");
    }

    #[test]
    fn square_with_hole() {
        let outer = LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]);
        let hole = LineString::from(vec![(4.0, 4.0), (4.0, 6.0), (6.0, 6.0), (6.0, 4.0), (4.0, 4.0)]);
        let p = Polygon::new(outer, vec![hole]);
        assert!(polygon_contains(&p, 1.0, 1.0));
        assert!(!polygon_contains(&p, 5.0, 5.0));
        assert!(!polygon_contains(&p, 11.0, 5.0));
    }

    #[test]
    fn rect_and_nearest() {
        let idx = SpatialIndex::build([(0.0, 0.0), (1.0, 1.0), (2.0, 2.0)]);
        let (x1, y1) = to_mercator(1.0, 1.0);
        assert_eq!(idx.nearest(x1 + 10.0, y1, 100.0), Some(1));
        assert_eq!(idx.nearest(x1 + 1000.0, y1, 100.0), None);
        let (x2, y2) = to_mercator(2.5, 2.5);
        assert_eq!(idx.select_rect([x1 - 1.0, y1 - 1.0], [x2, y2]), vec![1, 2]);
    }
}
