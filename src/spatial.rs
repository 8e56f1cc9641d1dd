//! The spatial index over the accounts and exact selection by shape.
//!
//! Accounts are indexed in Web Mercator metres (EPSG:3857) in a bulk-loaded
//! `rstar` R-tree, the index of record for envelope and nearest-account queries.
//! Selection by polygon is exact: it returns the same set as a plain crossing-number
//! (even–odd) test of every account, in the coordinates where the polygon's edges are
//! straight: Web Mercator for a lasso drawn on screen, lon/lat for GeoJSON input.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use rstar::{AABB, RTree, primitives::GeomWithData};

/// WGS84 semi-major axis, the sphere radius of Web Mercator.
pub const EARTH_RADIUS_M: f64 = 6_378_137.0;
/// Web Mercator's latitude limit.
pub const MAX_MERCATOR_LAT: f64 = 85.051_128_779_806_59;

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

/// The bounding box of a multipolygon, `None` when it has no vertex.
pub fn bbox(mp: &MultiPolygon<f64>) -> Option<(Coord<f64>, Coord<f64>)> {
    let mut it = mp.0.iter().flat_map(|p| p.exterior().0.iter());
    let first = *it.next()?;
    Some(it.fold((first, first), |(lo, hi), c| {
        (Coord { x: lo.x.min(c.x), y: lo.y.min(c.y) }, Coord { x: hi.x.max(c.x), y: hi.y.max(c.y) })
    }))
}

/// Projects a lon/lat multipolygon to Web Mercator.
pub fn multipolygon_to_mercator(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    use geo::MapCoords;
    mp.map_coords(|c| {
        let (x, y) = to_mercator(c.x, c.y);
        Coord { x, y }
    })
}

type Entry = GeomWithData<[f64; 2], u32>;

/// The accounts' positions and the R-tree over them (which holds the Web Mercator
/// positions; the editor's [`crate::grid::Grid`] keeps them in account order).
pub struct SpatialIndex {
    /// Lon/lat degrees, by account index.
    lonlat: Vec<[f64; 2]>,
    tree: RTree<Entry>,
}

impl SpatialIndex {
    /// Bulk-loads the index from (lon, lat) positions, in account order.
    pub fn build(positions: impl IntoIterator<Item = (f64, f64)>) -> SpatialIndex {
        let lonlat: Vec<[f64; 2]> = positions.into_iter().map(|(lon, lat)| [lon, lat]).collect();
        let entries = lonlat
            .iter()
            .enumerate()
            .map(|(i, &[lon, lat])| {
                let (x, y) = to_mercator(lon, lat);
                Entry::new([x, y], i as u32)
            })
            .collect();
        SpatialIndex { lonlat, tree: RTree::bulk_load(entries) }
    }

    /// Builds the index of a plan's accounts.
    pub fn of_plan(plan: &crate::model::Plan) -> SpatialIndex {
        SpatialIndex::build(plan.accounts.positions())
    }

    /// Number of indexed accounts.
    pub fn len(&self) -> usize {
        self.lonlat.len()
    }

    /// Whether no account is indexed.
    pub fn is_empty(&self) -> bool {
        self.lonlat.is_empty()
    }

    /// Accounts inside the Web Mercator rectangle (edges included), in index order.
    pub fn select_rect(&self, min: [f64; 2], max: [f64; 2]) -> Vec<u32> {
        let env = AABB::from_corners(min, max);
        let mut out: Vec<u32> = self.tree.locate_in_envelope(&env).map(|e| e.data).collect();
        out.sort_unstable();
        out
    }

    /// Accounts inside a multipolygon given in Web Mercator metres (a lasso drawn on
    /// screen), in index order.
    pub fn select_polygon_mercator(&self, mp: &MultiPolygon<f64>) -> Vec<u32> {
        let Some((lo, hi)) = bbox(mp) else { return Vec::new() };
        let env = AABB::from_corners([lo.x, lo.y], [hi.x, hi.y]);
        let mut out: Vec<u32> = self
            .tree
            .locate_in_envelope(&env)
            .filter(|e| multipolygon_contains(mp, e.geom()[0], e.geom()[1]))
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// Accounts inside a multipolygon given in lon/lat degrees (GeoJSON, basemap
    /// areas), tested in lon/lat, in index order.
    pub fn select_polygon_lonlat(&self, mp: &MultiPolygon<f64>) -> Vec<u32> {
        let Some((lo, hi)) = bbox(mp) else { return Vec::new() };
        let (x0, y0) = to_mercator(lo.x, lo.y);
        let (x1, y1) = to_mercator(hi.x, hi.y);
        // Widen by a metre so that rounding in the projection never drops a candidate.
        let env = AABB::from_corners([x0 - 1.0, y0 - 1.0], [x1 + 1.0, y1 + 1.0]);
        let mut out: Vec<u32> = self
            .tree
            .locate_in_envelope(&env)
            .filter(|e| {
                let [lon, lat] = self.lonlat[e.data as usize];
                multipolygon_contains(mp, lon, lat)
            })
            .map(|e| e.data)
            .collect();
        out.sort_unstable();
        out
    }

    /// The account nearest to a Web Mercator point, within `max_dist` metres.
    pub fn nearest(&self, x: f64, y: f64, max_dist: f64) -> Option<u32> {
        let e = self.tree.nearest_neighbor(&[x, y])?;
        let [ex, ey] = *e.geom();
        ((ex - x).hypot(ey - y) <= max_dist).then_some(e.data)
    }
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
