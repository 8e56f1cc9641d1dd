//! Tests of `quality`, and plans built by hand that other tests use too.

use super::*;
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
    let adj = adjacency_of(&positions);
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
    let tri = Triangulation::new(&positions);
    let kx = tri.kx();
    assert_eq!((lon * kx).to_bits() == (next * kx).to_bits(), tri.site_of(0) == tri.site_of(1));
    assert_eq!(tri.site_of(2), tri.site_of(3), "−0° and +0° are one site");
    for s in 0..tri.sites() {
        assert!(!tri.neighbours(s).is_empty(), "site {s} has neighbours");
    }
}
