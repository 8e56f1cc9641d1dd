//! Tests of `quality`, and plans built by hand that other tests use too.

use super::*;
use std::sync::Arc;

use crate::model::Account;
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

/// A plan of one-hour accounts at (lon, lat) in territories `T0`… (test helper).
pub(crate) fn plan(points: &[(f64, f64, u32)], k: usize) -> Plan {
    Plan {
        accounts: points.iter().map(|&(x, y, _)| account(x, y)).collect(),
        territories: (0..k).map(|i| Territory::new(format!("t{i}"), format!("T{i}"), palette_color(i))).collect(),
        assignment: points.iter().map(|&(_, _, t)| Some(TerritoryIdx::new(t))).collect(),
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
    assert!(adj.is_isolated(pts.len() - 1));
    assert_eq!(pieces(&p, &adj), vec![2, 1]);
}

#[test]
fn disruption_and_lower_bound() {
    let p = plan(&[(0.0, 0.0, 0), (0.0, 0.1, 0), (0.0, 0.2, 0), (0.0, 0.3, 1)], 2);
    let mut after = p.assignment.clone();
    after[0] = Some(TerritoryIdx::new(1));
    let d = disruption(&p.accounts, &p.assignment, &after);
    assert_eq!(d.accounts, 0.25);
    assert_eq!(d.workload, 0.25);
    // Workload 3 h vs 1 h: mean 2 h, the line at +0 % is 2 h, 1 h of 4 must move.
    let m = Metrics::recompute(&p);
    assert!((disruption_lower_bound(&p, &m, 0.0, None) - 0.25).abs() < 1e-12);
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

/// The adjacency is symmetric (a neighbour's neighbour list holds the site back, near
/// and far alike) and its near edges are exactly the triangulation's edges within
/// 150 km, measured here with the haversine.
#[test]
fn the_adjacency_is_the_triangulation_within_150_km_both_ways() {
    let positions: Vec<(f64, f64)> = (0..600)
        .map(|i| {
            let f = f64::from(i);
            // Clusters 3° apart with spread-out points: edges both sides of 150 km.
            (-100.0 + (i % 6) as f64 * 3.0 + (f * 0.37).sin() * 0.9, 35.0 + (f * 0.53).cos() * 1.2)
        })
        .collect();
    let adj = Adjacency::of(Arc::new(Triangulation::new(positions.clone())));
    let tri = adj.triangulation().clone();
    for s in 0..adj.sites() {
        let mut near: Vec<u32> = adj.neighbours(s).to_vec();
        let mut far: Vec<u32> = adj.far_neighbours(s).to_vec();
        for &q in &near {
            assert!(adj.neighbours(q as usize).contains(&(s as u32)), "{s} ~ {q} both ways");
        }
        for &q in &far {
            assert!(adj.far_neighbours(q as usize).contains(&(s as u32)), "{s} .. {q} both ways");
        }
        let [lon, lat] = tri.position(s);
        let (mut want_near, mut want_far) = (Vec::new(), Vec::new());
        for &q in tri.neighbours(s) {
            let [qlon, qlat] = tri.position(q as usize);
            if distance_km(lon, lat, qlon, qlat) <= MAX_EDGE_KM { want_near.push(q) } else { want_far.push(q) }
        }
        near.sort_unstable();
        far.sort_unstable();
        want_near.sort_unstable();
        want_far.sort_unstable();
        assert_eq!((near, far), (want_near, want_far), "site {s}");
    }
    let far_edges: usize = (0..adj.sites()).map(|s| adj.far_neighbours(s).len()).sum();
    assert!(far_edges > 0 && adj.edges() > 0, "edges on both sides of the limit");
}

/// Positions the plane cannot tell apart (a longitude one unit in the last place off,
/// −0° and +0°) are one site: the triangulation gets each point once, so its vertices
/// stay the sites and every account keeps its neighbours.
#[test]
fn positions_the_plane_cannot_tell_apart_share_a_site() {
    let lon = -97.123_456_789_f64;
    let next = f64::from_bits(lon.to_bits() + 1);
    let positions = [(lon, 30.0), (next, 30.0), (0.0, 31.0), (-0.0, 31.0), (-96.0, 30.5), (-98.0, 29.5)];
    let tri = Triangulation::new(positions.to_vec());
    let kx = tri.kx();
    assert_eq!((lon * kx).to_bits() == (next * kx).to_bits(), tri.site_of(0) == tri.site_of(1));
    assert_eq!(tri.site_of(2), tri.site_of(3), "−0° and +0° are one site");
    for s in 0..tri.sites() {
        assert!(!tri.neighbours(s).is_empty(), "site {s} has neighbours");
    }
}

/// Each site's neighbours as a sorted set.
fn neighbour_sets(tri: &Triangulation) -> Vec<Vec<u32>> {
    (0..tri.sites())
        .map(|s| {
            let mut ring = tri.neighbours(s).to_vec();
            ring.sort_unstable();
            ring
        })
        .collect()
}

/// No positions, one, and several at one place: sites, positions and (no) neighbours
/// as counted by hand.
#[test]
fn tiny_sets_triangulate() {
    let tri = Triangulation::new(Vec::new());
    assert_eq!(tri.sites(), 0);
    let tri = Triangulation::new(vec![(8.5, 47.4)]);
    assert_eq!((tri.sites(), tri.position(0), tri.neighbours(0).len()), (1, [8.5, 47.4], 0));
    let tri = Triangulation::new(vec![(8.5, 47.4), (9.0, 47.0), (8.5, 47.4)]);
    assert_eq!(tri.sites(), 2);
    assert_eq!(tri.site_of(0), tri.site_of(2));
    let s = tri.site_of(0);
    assert_eq!(tri.position(s), [8.5, 47.4]);
    assert_eq!(tri.accounts_at(s), &[0, 2]);
    assert_eq!(tri.position(tri.site_of(1)), [9.0, 47.0]);
}

/// Triangulated a strip at a time, the sites get exactly the neighbours spade's one
/// triangulation of them all gives.
fn strips_agree_with_one_triangulation(positions: &[(f64, f64)], strip: usize) {
    let whole = Triangulation::in_strips(positions.to_vec(), usize::MAX);
    let strips = Triangulation::in_strips(positions.to_vec(), strip);
    assert_eq!(whole.sites(), strips.sites());
    let lon_lat: Vec<[f64; 2]> = (0..whole.sites()).map(|s| whole.position(s)).collect();
    let made = super::strips::neighbours(&lon_lat, whole.kx(), strip).is_some();
    assert!(made || lon_lat.len() / 2 <= strip, "{} sites, triangulated in strips of {strip}", lon_lat.len());
    let (a, b) = (neighbour_sets(&whole), neighbour_sets(&strips));
    for s in 0..a.len() {
        assert_eq!(a[s], b[s], "site {s} at {:?}", whole.position(s));
    }
}

/// Random positions in general position: towns (dense clusters), a countryside, a few
/// far outliers, and longitudes on both sides of 0° (the sites' two runs of x).
fn towns(seed: u64, n: usize, lon0: f64) -> Vec<(f64, f64)> {
    let mut rng = Rng(seed);
    let centres: Vec<(f64, f64)> = (0..12).map(|_| (lon0 + 20.0 * rng.u(), 35.0 + 15.0 * rng.u())).collect();
    (0..n)
        .map(|i| match i % 10 {
            0..=5 => {
                let c = centres[i % centres.len()];
                (c.0 + 0.3 * rng.normal(), c.1 + 0.2 * rng.normal())
            }
            6..=8 => (lon0 + 20.0 * rng.u(), 35.0 + 15.0 * rng.u()),
            _ if i % 1000 == 9 => (lon0 - 30.0 * rng.u(), 20.0 * rng.u()),
            _ => (lon0 + 20.0 * rng.u(), 35.0 + 15.0 * rng.u()),
        })
        .collect()
}

#[test]
fn strips_give_the_one_triangulations_neighbours() {
    strips_agree_with_one_triangulation(&towns(1, 20_000, -100.0), 1_000);
    // Across 0°: positive longitudes ascending, then negative ones descending.
    strips_agree_with_one_triangulation(&towns(2, 20_000, -10.0), 700);
    // Accounts sharing positions.
    let mut shared = towns(3, 6_000, 5.0);
    shared.extend_from_within(..2_000);
    strips_agree_with_one_triangulation(&shared, 400);
    // All on one parallel: no triangle at all, every site unsure.
    let line: Vec<(f64, f64)> = (0..3_000).map(|i| (-100.0 + f64::from(i) * 0.003, 40.0)).collect();
    strips_agree_with_one_triangulation(&line, 500);
}

/// Rounded coordinates put four sites on one circle everywhere (a lattice), where the
/// triangulation may choose either diagonal: the strips may choose differently, but
/// the neighbours stay both ways, and every Voronoi cell is the one triangulation's.
#[test]
fn strips_over_a_lattice_keep_the_cells() {
    let mut rng = Rng(7);
    let positions: Vec<(f64, f64)> = (0..12_000)
        .map(|_| {
            let lon = ((-5.0 + 10.0 * rng.u()) * 100.0).round() / 100.0;
            (lon, ((40.0 + 5.0 * rng.u()) * 100.0).round() / 100.0)
        })
        .collect();
    let whole = Arc::new(Triangulation::in_strips(positions.clone(), usize::MAX));
    let strips = Arc::new(Triangulation::in_strips(positions.clone(), 500));
    let lon_lat: Vec<[f64; 2]> = (0..whole.sites()).map(|s| whole.position(s)).collect();
    assert!(super::strips::neighbours(&lon_lat, whole.kx(), 500).is_some(), "triangulated in strips");
    let b = neighbour_sets(&strips);
    for (s, ring) in b.iter().enumerate() {
        for &q in ring {
            assert!(b[q as usize].binary_search(&(s as u32)).is_ok(), "{s} ~ {q} both ways");
        }
    }
    let area = |v: &crate::shapes::Voronoi, s: usize| {
        let (mut ring, mut scratch) = (Vec::new(), Vec::new());
        v.cell(s, 50.0, false, &mut ring, &mut scratch);
        let n = ring.len();
        (0..n).map(|i| ring[i][0] * ring[(i + 1) % n][1] - ring[(i + 1) % n][0] * ring[i][1]).sum::<f64>() / 2.0
    };
    let (vw, vs) = (crate::shapes::Voronoi::of(whole.clone()), crate::shapes::Voronoi::of(strips));
    for s in 0..whole.sites() {
        let (a, b) = (area(&vw, s), area(&vs, s));
        assert!((a - b).abs() <= 1e-9 * a.abs(), "site {s}: cell {a} against {b}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Any point set, any strip size.
    #[test]
    fn strips_agree_on_random_sets(
        points in proptest::collection::vec((-20.0f64..20.0, 30.0f64..60.0), 10..400),
        strip in 3usize..60,
    ) {
        strips_agree_with_one_triangulation(&points, strip);
    }

    /// Each account's site stands where the account does, and holds it: the positions
    /// are put in site order in place, checked here against the input.
    #[test]
    fn sites_stand_where_their_accounts_do(
        cells in proptest::collection::vec((0u32..12, 0u32..12), 1..300),
        strip in 3usize..40,
    ) {
        // A coarse lattice, so that many accounts share a position.
        let positions: Vec<(f64, f64)> =
            cells.iter().map(|&(i, j)| (-100.0 + f64::from(i) * 0.37, 30.0 + f64::from(j) * 0.41)).collect();
        let tri = Triangulation::in_strips(positions.clone(), strip);
        let distinct: std::collections::BTreeSet<(u32, u32)> = cells.iter().copied().collect();
        proptest::prop_assert_eq!(tri.sites(), distinct.len());
        for (a, &(lon, lat)) in positions.iter().enumerate() {
            let s = tri.site_of(a);
            proptest::prop_assert_eq!(tri.position(s), [lon, lat]);
            proptest::prop_assert!(tri.accounts_at(s).contains(&(a as u32)));
        }
    }

    /// Built on shared position columns, a triangulation's sites stand where their
    /// accounts do (checked against the input) with the same neighbours as one built
    /// on a copy of the positions; with and without shared positions.
    #[test]
    fn a_triangulation_of_columns_is_the_same_triangulation(
        cells in proptest::collection::vec((0u32..40, 0u32..40), 1..300),
    ) {
        let positions: Vec<(f64, f64)> =
            cells.iter().map(|&(i, j)| (-100.0 + f64::from(i) * 0.37, 30.0 + f64::from(j) * 0.41)).collect();
        let copied = Triangulation::new(positions.clone());
        let lon = Arc::new(positions.iter().map(|p| p.0).collect::<Vec<f64>>());
        let lat = Arc::new(positions.iter().map(|p| p.1).collect::<Vec<f64>>());
        let shared = Triangulation::of_columns(lon.clone(), lat);
        proptest::prop_assert_eq!(Arc::strong_count(&lon), 2, "the columns are kept, not copied");
        proptest::prop_assert_eq!(shared.sites(), copied.sites());
        for (a, &(x, y)) in positions.iter().enumerate() {
            let s = shared.site_of(a);
            proptest::prop_assert_eq!(shared.position(s), [x, y]);
            proptest::prop_assert!(shared.accounts_at(s).contains(&(a as u32)));
        }
        for s in 0..shared.sites() {
            proptest::prop_assert_eq!(shared.neighbours(s), copied.neighbours(s));
            proptest::prop_assert_eq!(shared.position(s), copied.position(s));
        }
    }

    /// Rows with extras added in place are each row's set union with its extras,
    /// ascending, computed here with sets.
    #[test]
    fn extras_are_added_to_rows_in_place(
        rows in proptest::collection::vec(proptest::collection::btree_set(0u32..40, 0..12), 1..30),
        extras in proptest::collection::btree_set((0u32..30, 0u32..40), 0..80),
        spare in 0usize..20,
    ) {
        let n = rows.len();
        let extra: Vec<(u32, u32)> = extras.into_iter().filter(|e| (e.0 as usize) < n).collect();
        let mut expected: Vec<std::collections::BTreeSet<u32>> = rows.clone();
        for &(s, q) in &extra {
            expected[s as usize].insert(q);
        }
        let (mut start, mut nb) = (vec![0u32], Vec::with_capacity(spare));
        for row in &rows {
            // Rows come unsorted (a triangulation's edges go round a vertex).
            nb.extend(row.iter().rev());
            start.push(nb.len() as u32);
        }
        super::strips::add_to_rows(&mut start, &mut nb, &extra);
        let got: Vec<Vec<u32>> = (0..n).map(|s| nb[start[s] as usize..start[s + 1] as usize].to_vec()).collect();
        let want: Vec<Vec<u32>> = expected.into_iter().map(|r| r.into_iter().collect()).collect();
        proptest::prop_assert_eq!(got, want);
        proptest::prop_assert_eq!(nb.len(), start[n] as usize);
    }
}
