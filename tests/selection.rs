//! Selection, property-tested against brute force: the grid's selection by polygon
//! equals a point-in-polygon test by `geo`, for concave, clockwise, holed and
//! multi-part polygons, in Web Mercator and lon/lat, also in dense clusters; the grid's
//! nearest account is the brute-force nearest; account sets behave as `BTreeSet`s.

use geo::{Contains, Coord, Distance, Euclidean, LineString, MultiPolygon, Point, Polygon};
use proptest::prelude::*;
use territory_editor::grid::Grid;
use territory_editor::model::AccountSet;
use territory_editor::spatial::to_mercator;

fn mercator_xy(lon: f64, lat: f64) -> [f64; 2] {
    let (x, y) = to_mercator(lon, lat);
    [x, y]
}

/// A simple star-shaped polygon ring around (cx, cy), optionally clockwise.
fn star(cx: f64, cy: f64, radius: f64, radii: &[f64], jitter: &[f64], clockwise: bool) -> LineString<f64> {
    let n = radii.len();
    let mut pts: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * (i as f64 + 0.4 * jitter[i]) / n as f64;
            let r = radius * radii[i];
            Coord { x: cx + r * a.cos(), y: cy + r * a.sin() }
        })
        .collect();
    if clockwise {
        pts.reverse();
    }
    pts.push(pts[0]);
    LineString(pts)
}

#[derive(Debug, Clone)]
struct Shape {
    cx: f64,
    cy: f64,
    radius: f64,
    radii: Vec<f64>,
    jitter: Vec<f64>,
    clockwise: bool,
    hole: Option<(Vec<f64>, Vec<f64>, bool)>,
}

fn shape() -> impl Strategy<Value = Shape> {
    (6usize..40).prop_flat_map(|n| {
        (
            0.0f64..1.0,
            0.0f64..1.0,
            0.05f64..0.6,
            prop::collection::vec(0.2f64..1.0, n),
            prop::collection::vec(0.0f64..1.0, n),
            any::<bool>(),
            prop::option::of((
                prop::collection::vec(0.3f64..1.0, 6..12),
                prop::collection::vec(0.0f64..1.0, 12),
                any::<bool>(),
            )),
        )
            .prop_map(|(cx, cy, radius, radii, jitter, clockwise, hole)| Shape {
                cx,
                cy,
                radius,
                radii,
                jitter,
                clockwise,
                hole: hole.map(|(r, j, cw)| {
                    let n = r.len();
                    (r, j[..n].to_vec(), cw)
                }),
            })
    })
}

/// Builds the multipolygon in a box [x0, x0 + w] × [y0, y0 + h].
fn build(shapes: &[Shape], x0: f64, y0: f64, w: f64, h: f64) -> MultiPolygon<f64> {
    MultiPolygon(
        shapes
            .iter()
            .map(|s| {
                let (cx, cy, r) = (x0 + s.cx * w, y0 + s.cy * h, s.radius * w.min(h));
                let exterior = star(cx, cy, r, &s.radii, &s.jitter, s.clockwise);
                let holes =
                    s.hole.iter().map(|(radii, jitter, cw)| star(cx, cy, r * 0.1, radii, jitter, *cw)).collect();
                Polygon::new(exterior, holes)
            })
            .collect(),
    )
}

fn near_an_edge(mp: &MultiPolygon<f64>, p: Point<f64>) -> bool {
    mp.0.iter()
        .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
        .any(|ring| Euclidean.distance(&p, ring) < 1e-9)
}

fn brute_force(mp: &MultiPolygon<f64>, pts: &[(f64, f64)]) -> (Vec<u32>, Vec<u32>) {
    let mut inside = Vec::new();
    let mut ambiguous = Vec::new();
    for (i, &(x, y)) in pts.iter().enumerate() {
        let p = Point::new(x, y);
        if near_an_edge(mp, p) {
            ambiguous.push(i as u32);
        } else if mp.0.iter().any(|poly| poly.contains(&p)) {
            inside.push(i as u32);
        }
    }
    (inside, ambiguous)
}

/// (lon, lat) points in Web Mercator metres.
fn mercator(pts: &[(f64, f64)]) -> Vec<[f64; 2]> {
    pts.iter()
        .map(|&(lon, lat)| {
            let (x, y) = to_mercator(lon, lat);
            [x, y]
        })
        .collect()
}

fn points() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((-124.0f64..-67.0, 25.0f64..49.0), 1..1500)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The grid's nearest account (hover, click) is as near as the nearest a scan of
    /// every account finds, within the limit, and none is found beyond it.
    #[test]
    fn grid_nearest_is_the_brute_force_answer(
        pts in points(),
        queries in prop::collection::vec(((-125.0f64..-66.0, 24.0f64..50.0), 1.0f64..300_000.0), 1..20),
    ) {
        let merc = mercator(&pts);
        let (grid, order) = territory_editor::grid::Grid::build(&merc, territory_editor::grid::PER_CELL);
        for ((lon, lat), reach) in queries {
            let (x, y) = to_mercator(lon, lat);
            let d2 = |i: usize| (merc[i][0] - x).powi(2) + (merc[i][1] - y).powi(2);
            let want = (0..merc.len()).map(d2).filter(|&d| d <= reach * reach).min_by(f64::total_cmp);
            let got = grid.nearest(x, y, reach).map(|k| d2(order[k as usize] as usize));
            prop_assert_eq!(got, want);
        }
    }

    /// A GeoJSON area (a state, a county) selects in lon/lat exactly what `geo` finds.
    #[test]
    fn grid_selection_in_lonlat_is_exact(pts in points(), shapes in prop::collection::vec(shape(), 1..4)) {
        let merc = mercator(&pts);
        let (grid, order) = territory_editor::grid::Grid::build(&merc, territory_editor::grid::PER_CELL);
        let mp = build(&shapes, -124.0, 25.0, 57.0, 24.0);
        let (want, ambiguous) = brute_force(&mp, &pts);
        let selected = grid.select_lonlat(&mp, |k| pts[order[k] as usize]);
        let mut got: Vec<u32> = selected.iter().map(|k| order[k as usize]).collect();
        got.sort_unstable();
        got.retain(|i| !ambiguous.contains(i));
        prop_assert_eq!(got, want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The fast path: the grid returns exactly the brute-force set, as ranges.
    #[test]
    fn grid_lasso_selection_is_exact(
        pts in points(),
        shapes in prop::collection::vec(shape(), 1..4),
        per_cell in 1usize..40,
    ) {
        let merc: Vec<[f64; 2]> = pts.iter().map(|&(lon, lat)| mercator_xy(lon, lat)).collect();
        let (grid, order) = Grid::build(&merc, per_cell);
        let (x0, y0) = to_mercator(-124.0, 25.0);
        let (x1, y1) = to_mercator(-67.0, 49.0);
        let mp = build(&shapes, x0, y0, x1 - x0, y1 - y0);
        let merc_t: Vec<(f64, f64)> = merc.iter().map(|p| (p[0], p[1])).collect();
        let (want, ambiguous) = brute_force(&mp, &merc_t);
        let mut got: Vec<u32> = grid.select(&mp).iter().map(|p| order[p as usize]).collect();
        got.sort_unstable();
        got.retain(|i| !ambiguous.contains(i));
        prop_assert_eq!(got, want);
    }

    #[test]
    fn account_set_operations_match_btreeset(
        a in prop::collection::vec(0u32..200, 0..80),
        b in prop::collection::vec(0u32..200, 0..80),
    ) {
        use std::collections::BTreeSet;
        let (sa, sb) = (AccountSet::from_indices(a.clone()), AccountSet::from_indices(b.clone()));
        let (ba, bb): (BTreeSet<u32>, BTreeSet<u32>) = (a.into_iter().collect(), b.into_iter().collect());
        prop_assert_eq!(sa.union(&sb).iter().collect::<Vec<_>>(), ba.union(&bb).copied().collect::<Vec<_>>());
        prop_assert_eq!(sa.difference(&sb).iter().collect::<Vec<_>>(), ba.difference(&bb).copied().collect::<Vec<_>>());
        prop_assert_eq!(sa.len(), ba.len());
        for i in 0..200 {
            prop_assert_eq!(sa.contains(i), ba.contains(&i));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Dense clusters, so that cells get sub-grids, with lassos the size of a cluster.
    #[test]
    fn grid_selection_is_exact_in_dense_clusters(
        offsets in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 300..2500),
        shapes in prop::collection::vec(shape(), 1..3),
        spread in 0.001f64..0.05,
    ) {
        // Three tight clusters and a sparse background, in lon/lat.
        let centres = [(-87.6, 41.9), (-74.0, 40.7), (-118.2, 34.0)];
        let pts: Vec<(f64, f64)> = offsets
            .iter()
            .enumerate()
            .map(|(i, &(u, v))| match i % 4 {
                3 => (-124.0 + 57.0 * u, 25.0 + 24.0 * v),
                k => (centres[k].0 + spread * (u - 0.5), centres[k].1 + spread * (v - 0.5)),
            })
            .collect();
        let merc: Vec<[f64; 2]> = pts.iter().map(|&(lon, lat)| mercator_xy(lon, lat)).collect();
        let (grid, order) = Grid::build(&merc, 8);
        let (cx, cy) = to_mercator(-87.6 - spread, 41.9 - spread);
        let side = to_mercator(-87.6 + spread, 41.9 + spread).0 - cx;
        let mp = build(&shapes, cx, cy, side, side);
        let merc_t: Vec<(f64, f64)> = merc.iter().map(|p| (p[0], p[1])).collect();
        let (want, ambiguous) = brute_force(&mp, &merc_t);
        let mut got: Vec<u32> = grid.select(&mp).iter().map(|p| order[p as usize]).collect();
        got.sort_unstable();
        got.retain(|i| !ambiguous.contains(i));
        prop_assert_eq!(got, want);
    }
}
