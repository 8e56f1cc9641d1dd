//! Web Mercator (EPSG:3857) and exact selection by shape: the crossing-number test and
//! [`PolygonIndex`], a polygon of any vertex count made quick to test. (The accounts'
//! own index is the grid, [`crate::grid`]; nearest-neighbour questions between
//! accounts, in the geocode check and the update of a plan, use `rstar` directly.)
//! Selection by polygon is exact: it returns the same set as a plain crossing-number
//! (even–odd) test of every account, in the coordinates where the polygon's edges are
//! straight: Web Mercator for a lasso drawn on screen, lon/lat for GeoJSON input.

use geo::{Coord, LineString, MultiPolygon, Polygon};

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
}
