//! Tests of `grid`.

use super::*;

/// The two-thread build (above 100,000 points) sorts exactly as the definition
/// says: by cell, then by sub-cell in dense cells, then by index; with the
/// positions and sub-cell starts to match.
#[test]
fn large_build_sorts_by_cell_then_sub_cell_stably() {
    let mut s = 7u64;
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    // Clustered, so that many cells are dense, plus a uniform scatter.
    let pts: Vec<[f64; 2]> = (0..150_000)
        .map(|i| {
            if i % 3 == 0 {
                [rnd() * 1e6, rnd() * 6e5]
            } else {
                let c = (i % 7) as f64;
                [2e5 + c * 9e4 + rnd() * 3e3, 1e5 + c * 5e4 + rnd() * 3e3]
            }
        })
        .collect();
    let (g, order) = Grid::build(&pts, PER_CELL);
    let mut seen = vec![false; pts.len()];
    let key = |i: u32| {
        let p = pts[i as usize];
        let c = g.cell_of(p[0], p[1]);
        let sub = if g.sub_of[c] == u32::MAX {
            0
        } else {
            let (cx0, cy0) = (g.x0 + (c % g.nx) as f64 * g.cell, g.y0 + (c / g.nx) as f64 * g.cell);
            let sub = g.cell / SUB as f64;
            let col = (((p[0] - cx0) / sub).max(0.0) as usize).min(SUB - 1);
            let row = (((p[1] - cy0) / sub).max(0.0) as usize).min(SUB - 1);
            row * SUB + col
        };
        (c, sub, i)
    };
    assert!(g.sub_of.iter().filter(|&&s| s != u32::MAX).count() > 10, "dense cells exist");
    for (pos, w) in order.windows(2).enumerate() {
        assert!(key(w[0]) < key(w[1]), "sorted at {pos}");
    }
    for (pos, &i) in order.iter().enumerate() {
        assert!(!std::mem::replace(&mut seen[i as usize], true), "a permutation");
        assert_eq!([g.xs[pos], g.ys[pos]], pts[i as usize]);
        let c = g.cell_of(pts[i as usize][0], pts[i as usize][1]);
        assert!((g.cell_start[c] as usize..g.cell_start[c + 1] as usize).contains(&pos));
        if g.sub_of[c] != u32::MAX {
            let base = g.sub_of[c] as usize * (SUB * SUB + 1);
            let k = key(i).1;
            assert!((g.sub_start[base + k] as usize..g.sub_start[base + k + 1] as usize).contains(&pos));
        }
    }
}

#[test]
fn square_selects_what_brute_force_selects() {
    let pts: Vec<[f64; 2]> = (0..10_000).map(|i| [f64::from(i % 100), f64::from(i / 100)]).collect();
    let (grid, order) = Grid::build(&pts, 4);
    let square = Polygon::new(
        LineString::from(vec![(10.5, 10.5), (60.5, 10.5), (60.5, 40.5), (10.5, 40.5), (10.5, 10.5)]),
        vec![],
    );
    let got: Vec<u32> = grid.select_polygon(&square).iter().map(|p| order[p as usize]).collect();
    let mut want: Vec<u32> = (0..10_000u32)
        .filter(|&i| crate::spatial::polygon_contains(&square, pts[i as usize][0], pts[i as usize][1]))
        .collect();
    let mut got = got;
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got.len(), 50 * 30);
    assert_eq!(got, want);
}

/// Clustered and scattered Web Mercator points over the US, for the queries below.
fn us_points(n: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut s = seed;
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|i| {
            let (lon, lat) = if i % 2 == 0 {
                (-74.0 + rnd() * 0.3, 40.6 + rnd() * 0.3)
            } else {
                (-125.0 + rnd() * 58.0, 25.0 + rnd() * 24.0)
            };
            let (x, y) = to_mercator(lon, lat);
            [x, y]
        })
        .collect()
}

/// The nearest account within a distance is the one a scan of every account finds
/// (ties to the lowest index), and none beyond it.
#[test]
fn nearest_is_what_a_scan_finds() {
    let pts = us_points(20_000, 3);
    let (grid, order) = Grid::build(&pts, PER_CELL);
    let sorted: Vec<[f64; 2]> = order.iter().map(|&i| pts[i as usize]).collect();
    let probes = us_points(400, 99);
    for (k, p) in probes.iter().enumerate() {
        let r = [50.0, 2_000.0, 40_000.0][k % 3];
        let want = (0..sorted.len() as u32)
            .map(|i| ((sorted[i as usize][0] - p[0]).powi(2) + (sorted[i as usize][1] - p[1]).powi(2), i))
            .filter(|&(d2, _)| d2 <= r * r)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| i);
        assert_eq!(grid.nearest(p[0], p[1], r), want, "probe {k} within {r} m");
    }
}

/// A polygon in lon/lat selects the accounts `geo` finds inside it, tested in lon/lat.
#[test]
fn lonlat_polygon_selects_what_geo_finds() {
    use geo::Contains;
    let pts = us_points(20_000, 5);
    let (grid, order) = Grid::build(&pts, PER_CELL);
    let lonlat: Vec<(f64, f64)> =
        order.iter().map(|&i| crate::spatial::from_mercator(pts[i as usize][0], pts[i as usize][1])).collect();
    // A long-edged quadrilateral with a hole, and one around New York.
    let shape = MultiPolygon(vec![
        Polygon::new(
            LineString::from(vec![(-120.0, 30.0), (-80.0, 28.0), (-70.0, 45.0), (-110.0, 48.0), (-120.0, 30.0)]),
            vec![LineString::from(vec![(-100.0, 35.0), (-90.0, 35.0), (-90.0, 40.0), (-100.0, 40.0), (-100.0, 35.0)])],
        ),
        Polygon::new(LineString::from(vec![(-73.95, 40.65), (-73.8, 40.7), (-73.85, 40.85), (-73.95, 40.65)]), vec![]),
    ]);
    let got: Vec<u32> = grid.select_lonlat(&shape, |i| lonlat[i]).iter().collect();
    let want: Vec<u32> =
        (0..lonlat.len() as u32).filter(|&i| shape.contains(&geo::Point::from(lonlat[i as usize]))).collect();
    assert!(want.len() > 1_000, "{}", want.len());
    assert_eq!(got, want);
}
