use geo::{Area, BooleanOps, Contains, Intersects, Point};
use proptest::prelude::*;

use super::*;

fn t(i: u32) -> Option<TerritoryIdx> {
    Some(TerritoryIdx::new(i))
}

fn covers(area: &MultiPolygon<f64>, [lon, lat]: [f64; 2]) -> bool {
    area.intersects(&Point::new(lon, lat))
}

/// Every account inside its own territory's shape and inside no other; no two shapes
/// overlapping by more than `tolerance` square degrees.
fn check(positions: &[(f64, f64)], assignment: &[Option<TerritoryIdx>], shapes: &Shapes, tolerance: f64) {
    let shared: Vec<u32> = shapes.shared.iter().flat_map(|s| s.accounts.iter().copied()).collect();
    for (a, (&(lon, lat), owner)) in positions.iter().zip(assignment).enumerate() {
        let Some(owner) = owner else { continue };
        if shared.contains(&(a as u32)) {
            continue;
        }
        for (k, area) in shapes.areas.iter().enumerate() {
            let inside = area.contains(&Point::new(lon, lat));
            assert_eq!(inside, k == owner.get(), "account {a} at ({lon}, {lat}) of {} in shape {k}", owner.get());
        }
    }
    for i in 0..shapes.areas.len() {
        for j in i + 1..shapes.areas.len() {
            let overlap = shapes.areas[i].intersection(&shapes.areas[j]).unsigned_area();
            assert!(overlap <= tolerance, "shapes {i} and {j} overlap by {overlap} square degrees");
        }
    }
}

#[test]
fn two_territories_split_along_the_bisector() {
    // Two columns 0.2° apart at the equator: the border is the meridian 0.1°.
    let positions = [(0.0, 0.0), (0.0, 0.1), (0.2, 0.0), (0.2, 0.1)];
    let assignment = [t(0), t(0), t(1), t(1)];
    let shaper = Shaper::new(&positions, None, ShapeOptions::default());
    let shapes = shaper.shapes(&assignment, 2);
    check(&positions, &assignment, &shapes, 1e-12);
    assert!(covers(&shapes.areas[0], [0.09, 0.05]) && !covers(&shapes.areas[0], [0.11, 0.05]));
    assert!(covers(&shapes.areas[1], [0.11, 0.05]) && !covers(&shapes.areas[1], [0.09, 0.05]));
    assert!(shapes.shared.is_empty());
}

#[test]
fn nothing_farther_than_the_limit_is_coloured() {
    // One territory of two accounts 3° (about 330 km) apart: two pieces, 50 km each.
    let positions = [(10.0, 0.0), (13.0, 0.0)];
    let shapes = Shaper::new(&positions, None, ShapeOptions::default()).shapes(&[t(0), t(0)], 1);
    assert_eq!(shapes.areas[0].0.len(), 2, "two pieces");
    let deg = |km: f64| km / KM_PER_DEGREE;
    assert!(covers(&shapes.areas[0], [10.0 + deg(49.0), 0.0]));
    assert!(!covers(&shapes.areas[0], [10.0 + deg(51.0), 0.0]));
    assert!(!covers(&shapes.areas[0], [11.5, 0.0]), "the gap between them stays empty");
    // The inscribed 32-gon of a 50-km disc: area within 1 % of π r².
    let r = deg(50.0);
    let piece = shapes.areas[0].0[0].unsigned_area();
    assert!((piece / (std::f64::consts::PI * r * r) - 1.0).abs() < 0.01, "{piece}");
}

#[test]
fn a_shared_position_is_listed_and_goes_to_the_majority() {
    let positions = [(0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.3, 0.0)];
    let assignment = [t(1), t(0), t(1), t(0)];
    let shapes = Shaper::new(&positions, None, ShapeOptions::default()).shapes(&assignment, 2);
    assert_eq!(shapes.shared.len(), 1);
    let s = &shapes.shared[0];
    assert_eq!(s.territories, vec![TerritoryIdx::new(0), TerritoryIdx::new(1)]);
    assert_eq!(s.owner, TerritoryIdx::new(1), "two accounts of slot 1 against one of slot 0");
    assert_eq!(s.accounts, vec![0, 1, 2]);
    assert!(covers(&shapes.areas[1], [0.0, 0.0]) && !covers(&shapes.areas[0], [0.0, 0.0]));
    check(&positions, &assignment, &shapes, 1e-12);
}

#[test]
fn unassigned_accounts_keep_their_cells_empty() {
    let positions = [(0.0, 0.0), (0.2, 0.0)];
    let shapes = Shaper::new(&positions, None, ShapeOptions::default()).shapes(&[t(0), None], 1);
    assert!(covers(&shapes.areas[0], [0.09, 0.0]) && !covers(&shapes.areas[0], [0.11, 0.0]));
}

#[test]
fn the_land_knows_austin_from_the_gulf() {
    let land = Land::bundled().expect("bundled land");
    assert!(land.contains(-97.74, 30.27), "Austin");
    assert!(!land.contains(-90.0, 26.0), "Gulf of Mexico");
    assert!(land.contains(13.4, 52.5), "Berlin");
    assert!(!land.contains(-40.0, 30.0), "Atlantic");
    assert_eq!(land.shore(-97.74, 30.27, 1.0), Shore::Inland);
    assert_eq!(land.shore(-90.0, 26.0, 1.0), Shore::Sea);
    // Santa Monica pier, on the 1:10m coastline within a kilometre.
    assert_eq!(land.shore(-118.4973, 34.0101, 1.0), Shore::Coast);
}

#[test]
fn shapes_stop_at_the_coast_but_keep_an_offshore_account() {
    let land = Land::bundled().expect("bundled land");
    // An account in Los Angeles and one about 6 km off Santa Monica, same territory.
    let la = (-118.25, 34.05);
    let offshore = (-118.58, 33.97);
    assert_eq!(land.shore(offshore.0, offshore.1, 1.0), Shore::Sea);
    let positions = [la, offshore];
    let shaper = Shaper::new(&positions, Some(land), ShapeOptions::default());
    let shapes = shaper.shapes(&[t(0), t(0)], 1);
    let area = &shapes.areas[0];
    assert!(area.contains(&Point::new(la.0, la.1)));
    assert!(area.contains(&Point::new(offshore.0, offshore.1)), "the offshore account keeps its disc");
    // 0.9 km west of it is still kept; 3 km west of it is sea.
    let deg = |km: f64| km / (KM_PER_DEGREE * offshore.1.to_radians().cos());
    assert!(covers(area, [offshore.0 - deg(0.9), offshore.1]));
    assert!(!covers(area, [offshore.0 - deg(3.0), offshore.1]));
    // Inland, 20 km north-east of LA, is in.
    assert!(covers(area, [-118.1, 34.15]));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random plans on a 0.01° lattice (so positions repeat and territories share
    /// them): every account in its own shape and no other, shapes disjoint.
    #[test]
    fn shapes_hold_their_accounts_and_never_overlap(
        points in prop::collection::vec((0u32..120, 0u32..120, 0u32..4, any::<bool>()), 1..160),
    ) {
        let positions: Vec<(f64, f64)> =
            points.iter().map(|&(x, y, _, _)| (5.0 + x as f64 * 0.01, 45.0 + y as f64 * 0.01)).collect();
        let assignment: Vec<Option<TerritoryIdx>> =
            points.iter().map(|&(_, _, k, assigned)| assigned.then(|| TerritoryIdx::new(k))).collect();
        let shaper = Shaper::new(&positions, None, ShapeOptions::default());
        let shapes = shaper.shapes(&assignment, 4);
        // 1e-7 square degrees is about 0.1 ha: the snapping of the polygon overlay
        // (its integer grid) leaves slivers of a few square metres along borders.
        check(&positions, &assignment, &shapes, 1e-7);
        // Merged a few cells at a time and then the chunks: the same areas.
        let chunked = shaper.clone().with_merge_chunk(7).shapes(&assignment, 4);
        check(&positions, &assignment, &chunked, 1e-7);
        for (a, b) in shapes.areas.iter().zip(&chunked.areas) {
            let differ = a.xor(b).unsigned_area();
            prop_assert!(differ <= 1e-7, "merged in chunks, an area differs by {differ} square degrees");
        }
        // Nothing farther than 50 km from every account: each vertex of every area is
        // within the limit of some account (distances on the sphere).
        let nearest = |x: f64, y: f64| {
            positions.iter().map(|&(lon, lat)| crate::quality::distance_km(lon, lat, x, y)).fold(f64::MAX, f64::min)
        };
        for area in &shapes.areas {
            let rings = area.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
            for c in rings.flat_map(|r| &r.0) {
                let near = nearest(c.x, c.y);
                prop_assert!(near <= 50.0 * 1.003, "a vertex {near} km from the nearest account");
            }
        }
        // A shared site is one whose accounts carry two territories or more.
        for s in &shapes.shared {
            prop_assert!(s.territories.len() >= 2);
        }
    }
}

/// The bundled land, loaded once for the tests that cut to it.
/// The bundled land's area, for checks independent of the tiles.
fn land_area() -> &'static MultiPolygon<f64> {
    static AREA: std::sync::OnceLock<MultiPolygon<f64>> = std::sync::OnceLock::new();
    AREA.get_or_init(|| Land::bundled_area().expect("bundled land"))
}

fn land() -> Land {
    static LAND: std::sync::OnceLock<Land> = std::sync::OnceLock::new();
    LAND.get_or_init(|| Land::bundled().expect("bundled land")).clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Random plans on the coast at Los Angeles, some accounts offshore: every account
    /// in its own shape and no other, and every point the shapes cover is on land or
    /// within the 1-km keep-disc of an account (sampled on a 0.01° lattice, the land
    /// and the distance checked here with `geo` and the haversine).
    #[test]
    fn shapes_stay_within_the_land_but_keep_offshore_accounts(
        points in prop::collection::vec((0u32..100, 0u32..70, 0u32..3), 1..50),
    ) {
        let land = land();
        let positions: Vec<(f64, f64)> =
            points.iter().map(|&(x, y, _)| (-118.9 + x as f64 * 0.01, 33.6 + y as f64 * 0.01)).collect();
        let assignment: Vec<Option<TerritoryIdx>> = points.iter().map(|&(_, _, k)| t(k)).collect();
        let shapes = Shaper::new(&positions, Some(land.clone()), ShapeOptions::default()).shapes(&assignment, 3);
        check(&positions, &assignment, &shapes, 1e-7);
        let keep_km = ShapeOptions::default().keep_km;
        let mut covered = 0;
        for i in 0..=120 {
            for j in 0..=90 {
                let (lon, lat) = (-119.0 + f64::from(i) * 0.01 + 0.003, 33.5 + f64::from(j) * 0.01 + 0.003);
                if !shapes.areas.iter().any(|a| a.contains(&Point::new(lon, lat))) {
                    continue;
                }
                covered += 1;
                let on_land = land_area().contains(&Point::new(lon, lat));
                let near = positions
                    .iter()
                    .map(|&(x, y)| crate::quality::distance_km(x, y, lon, lat))
                    .fold(f64::MAX, f64::min);
                // The keep-disc is the circumscribed 32-gon: within 0.5 % of the circle.
                prop_assert!(on_land || near <= keep_km * 1.006, "({lon}, {lat}) covered at sea, {near} km from an account");
            }
        }
        prop_assert!(covered > 0);
    }
}

/// Found by the property above: an account of one territory enclosed by another's, on
/// the coast, so that the enclosing area is cut to the land and then joined with its
/// keep-discs. The enclosed cell must stay a hole (the union had filled it when the
/// cut gave the hole the outer ring's winding).
#[test]
fn an_enclosed_territory_stays_a_hole_after_the_cut_to_land() {
    let pts = [
        (13, 49, 1),
        (43, 1, 0),
        (63, 43, 1),
        (74, 59, 1),
        (93, 31, 2),
        (77, 15, 1),
        (63, 49, 0),
        (40, 47, 1),
        (39, 66, 1),
    ];
    let positions: Vec<(f64, f64)> =
        pts.iter().map(|&(x, y, _)| (-118.9 + f64::from(x) * 0.01, 33.6 + f64::from(y) * 0.01)).collect();
    let assignment: Vec<Option<TerritoryIdx>> = pts.iter().map(|&(_, _, k)| t(k)).collect();
    let shapes = Shaper::new(&positions, Some(land()), ShapeOptions::default()).shapes(&assignment, 3);
    let enclosed = Point::new(positions[6].0, positions[6].1);
    assert!(shapes.areas[0].contains(&enclosed), "in its own territory's area");
    assert!(!shapes.areas[1].contains(&enclosed), "not in the enclosing territory's area");
    assert!(shapes.areas[1].0.iter().any(|p| !p.interiors().is_empty()), "the enclosing area has a hole");
    check(&positions, &assignment, &shapes, 1e-7);
}

/// A ring of accounts 70 km around an empty centre: their 50-km discs leave a hole
/// there, enclosed by cells of many chunks when merged a few at a time. The hole stays
/// (nothing there is within 50 km of an account) however the cells are merged.
#[test]
fn a_hole_enclosed_by_many_chunks_stays_a_hole() {
    let centre: (f64, f64) = (10.0, 45.0);
    let ky = 70.0 / KM_PER_DEGREE;
    let kx = ky / centre.1.to_radians().cos();
    let positions: Vec<(f64, f64)> = (0..60)
        .map(|i| {
            let a = f64::from(i) * std::f64::consts::TAU / 60.0;
            (centre.0 + kx * a.cos(), centre.1 + ky * a.sin())
        })
        .collect();
    let assignment = vec![t(0); positions.len()];
    let shaper = Shaper::new(&positions, None, ShapeOptions::default());
    for chunk in [usize::MAX, 7, 13] {
        let shapes = shaper.clone().with_merge_chunk(chunk).shapes(&assignment, 1);
        assert!(!covers(&shapes.areas[0], [centre.0, centre.1]), "merged {chunk} at a time, the centre is covered");
        assert!(covers(&shapes.areas[0], [centre.0 + kx, centre.1]), "merged {chunk} at a time");
        check(&positions, &assignment, &shapes, 1e-9);
    }
}

/// Rings of towns around empty country (nothing within 50 km of their centres), so
/// that the 50-km limit leaves holes enclosed by the cells of several chunks: merged a
/// few dozen cells at a time, every territory's area is the one merged at once.
#[test]
fn chunked_merges_keep_the_holes_of_sparse_land() {
    let mut rng = crate::rng::Rng(11);
    let mut positions: Vec<(f64, f64)> = Vec::new();
    for ring in 0..12 {
        let (cx, cy) = (-110.0 + 2.2 * f64::from(ring % 4), 37.0 + 2.0 * f64::from(ring / 4));
        let r = (65.0 + 15.0 * rng.u()) / KM_PER_DEGREE;
        for i in 0..(30 + ring * 3) {
            let a = f64::from(i) * std::f64::consts::TAU / f64::from(30 + ring * 3) + 0.05 * rng.normal();
            let rr = r * (1.0 + 0.08 * rng.normal());
            positions.push((cx + rr * a.cos() / cy.to_radians().cos(), cy + rr * a.sin()));
        }
    }
    let assignment: Vec<Option<TerritoryIdx>> =
        positions.iter().map(|&(x, y)| t(u32::from(x > -107.0) + u32::from(y > 40.0))).collect();
    let shaper = Shaper::new(&positions, None, ShapeOptions::default());
    let whole = shaper.clone().with_merge_chunk(usize::MAX).shapes(&assignment, 3);
    let holes: usize = whole.areas.iter().flat_map(|a| &a.0).map(|p| p.interiors().len()).sum();
    assert!(holes >= 6, "the rings leave holes ({holes})");
    for chunk in [17, 40, 101] {
        let chunked = shaper.clone().with_merge_chunk(chunk).shapes(&assignment, 3);
        for (k, (a, b)) in whole.areas.iter().zip(&chunked.areas).enumerate() {
            let differ = a.xor(b).unsigned_area();
            assert!(differ <= 1e-7, "merged {chunk} at a time, area {k} differs by {differ} square degrees");
        }
    }
}

/// The land cut into tiles holds the same land: the tiles' pieces add up to the land's
/// area without overlapping, and the land near a box, cut to the box, is the land cut
/// to it by `geo`'s own overlay of the whole (here a "U" across several tiles, with a
/// lake across a tile's edge, and an island inside one tile).
#[test]
fn the_land_near_a_box_is_the_land_in_it() {
    let ring = |pts: &[(f64, f64)]| LineString::from(pts.to_vec());
    let u = Polygon::new(
        ring(&[(-3.5, -2.5), (3.5, -2.5), (3.5, 2.5), (1.5, 2.5), (1.5, -0.5), (-1.5, -0.5), (-1.5, 2.5), (-3.5, 2.5)]),
        vec![ring(&[(-3.2, -2.2), (-0.2, -2.2), (-0.2, -1.2), (-3.2, -1.2)])],
    );
    let island = Polygon::new(ring(&[(10.2, 10.2), (10.8, 10.2), (10.5, 10.9)]), Vec::new());
    let area = MultiPolygon::new(vec![u, island]);
    let land = Land::new(area.clone());
    let world = geo::Rect::new(Coord { x: -180.0, y: -90.0 }, Coord { x: 180.0, y: 90.0 });
    let pieces = land.near(&world);
    let sum: f64 = pieces.iter().map(|p| p.unsigned_area()).sum();
    assert!((sum - area.unsigned_area()).abs() < 1e-9, "{sum} against {}", area.unsigned_area());
    assert!(pieces.len() > 10, "cut into tiles: {} pieces", pieces.len());
    for (lo, hi) in
        [((-3.0, -2.0), (-1.0, 1.0)), ((0.2, -2.4), (2.9, 2.9)), ((10.0, 10.0), (11.0, 11.0)), ((5.0, 5.0), (6.0, 6.0))]
    {
        let bb = geo::Rect::new(Coord { x: lo.0, y: lo.1 }, Coord { x: hi.0, y: hi.1 });
        let b = MultiPolygon::new(vec![bb.to_polygon()]);
        let want = area.intersection(&b).unsigned_area();
        let got = MultiPolygon::new(land.near(&bb)).intersection(&b).unsigned_area();
        // (To the overlay's snapping of vertices to its grid.)
        assert!((got - want).abs() < 1e-6, "in {bb:?}: {got} against {want}");
    }
}

/// `Shaper::of_plan` draws what it is given: the shapes when the caller has them (not
/// a copy), else the caller's shaper (the editor's, made of the accounts' position
/// columns) makes the same shapes as a shaper made afresh, and follows an edit.
#[test]
fn the_shapes_of_a_plan_come_from_what_the_caller_has() {
    use crate::model::{Plan, Territory, palette_color};
    // Two clusters in Kansas, west and east.
    let accounts: Vec<_> = (0..40)
        .map(|i| {
            let (lon, lat) =
                (-99.5 + f64::from(i % 10) * 0.05 + f64::from(i / 20) * 2.0, 38.5 + f64::from(i % 7) * 0.04);
            crate::model::testing::account(&format!("K{i}"), "Kunde", lon, lat, 60)
        })
        .collect();
    let mut plan = Plan {
        accounts: accounts.into_iter().collect(),
        territories: vec![Territory::new("w", "West", palette_color(0)), Territory::new("e", "East", palette_color(1))],
        assignment: (0..40).map(|i| t(i / 20)).collect(),
        ..Plan::default()
    };
    let fresh = Shaper::of_plan(&plan, None, None).expect("the bundled land");
    let (lon, lat) = plan.accounts.position_columns();
    let tri = std::sync::Arc::new(crate::quality::Triangulation::of_columns(lon, lat));
    let shaper = Shaper::of(Voronoi::of(tri), Some(Land::bundled().expect("land")), ShapeOptions::default());
    let shared = Shaper::of_plan(&plan, None, Some(&shaper)).expect("made");
    assert_eq!(shared.areas, fresh.areas, "the editor's shaper draws what a fresh one draws");
    let given = Shapes { areas: vec![MultiPolygon::new(Vec::new()); 2], shared: Vec::new() };
    let borrowed = Shaper::of_plan(&plan, Some(&given), Some(&shaper)).expect("given");
    assert!(std::ptr::eq(&*borrowed, &given), "the caller's shapes, not a copy");
    // The east cluster's first account goes west: its point now lies in West's shape.
    plan.assignment[20] = t(0);
    let after = Shaper::of_plan(&plan, None, Some(&shaper)).expect("made");
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    check(&positions, &plan.assignment, &after, 1e-9);
    assert!(covers(&after.areas[0], [positions[20].0, positions[20].1]));
}
