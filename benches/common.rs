//! Shared bench data: generated accounts and hand-drawn lassos scaled to a coverage.

#![allow(dead_code)]

use geo::{Coord, LineString, MultiPolygon, Polygon};
use territory_editor::grid::{Grid, sort_plan};
use territory_editor::io::csv_import::{ImportOptions, import_bytes};
use territory_editor::model::Plan;
use territory_editor::spatial::to_mercator;

/// `n` generated accounts in 12 longitude bands (seed 0), as CSV text.
pub fn csv_text(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    territory_editor::generate::generate(n, 12, 0, &mut out).expect("generate");
    out
}

/// The plan of `n` generated accounts, sorted into grid order, and its grid.
pub fn sorted_plan(n: usize) -> (Plan, Grid) {
    let (plan, _) = import_bytes(&csv_text(n), "bench.csv", &ImportOptions::default()).expect("import");
    sort_plan(plan)
}

/// A hand-drawn-looking loop of `vertices` points around (cx, cy), radius r (metres).
pub fn lasso(cx: f64, cy: f64, r: f64, vertices: usize, seed: u64) -> MultiPolygon<f64> {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 33) as f64) / f64::from(1u32 << 31)
    };
    let (p1, p2) = (rnd() * 6.0, rnd() * 6.0);
    let ring: Vec<Coord<f64>> = (0..vertices)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / vertices as f64;
            let wobble = 1.0 + 0.12 * (3.0 * a + p1).sin() + 0.06 * (7.0 * a + p2).sin() + 0.02 * (rnd() - 0.5);
            Coord { x: cx + r * wobble * a.cos(), y: cy + r * 0.8 * wobble * a.sin() }
        })
        .collect();
    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
}

/// A lasso around Chicago holding about `coverage` of the accounts (found by bisection).
pub fn lasso_for_coverage(grid: &Grid, coverage: f64, vertices: usize) -> MultiPolygon<f64> {
    let (cx, cy) = to_mercator(-87.8, 41.9);
    let want = (grid.len() as f64 * coverage) as usize;
    let (mut lo, mut hi) = (1_000.0, 5_000_000.0);
    for _ in 0..50 {
        let mid = (lo + hi) / 2.0;
        if grid.select(&lasso(cx, cy, mid, vertices, 1)).len() < want {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lasso(cx, cy, hi, vertices, 1)
}
