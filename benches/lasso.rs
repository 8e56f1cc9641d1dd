//! Lasso select + reassign + updated totals + undo record, on generated accounts, for
//! lassos of 200 vertices covering 1 %, 5 % and 20 % of the accounts; and the full
//! recomputation of the metrics beside the incremental update.

mod common;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use geo::MultiPolygon;
use territory_editor::edit::{Command, Editor};
use territory_editor::grid::Grid;
use territory_editor::metrics::{Metrics, region_rollup};
use territory_editor::model::TerritoryIdx;

/// `iters` lassos: select, reassign to the next of `k` territories, the balance (and,
/// with `regions`, the regions' roll-up, as the panel computes them), timed; each undone
/// untimed (only when something moved: else the undo would take back an earlier edit,
/// such as switching travel on).
fn assign_lassos(
    editor: &mut Editor,
    grid: &Grid,
    poly: &MultiPolygon<f64>,
    k: u64,
    regions: bool,
    iters: u64,
) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let to = Some(TerritoryIdx::new((i % k) as u32));
        let t0 = Instant::now();
        let set = grid.select(poly);
        let cs = editor.apply(Command::Reassign { accounts: set, to }).expect("valid");
        let edited = cs.is_some();
        std::hint::black_box(cs.map(|c| c.moved()));
        std::hint::black_box(editor.balance());
        if regions {
            let p = editor.plan();
            std::hint::black_box(region_rollup(&p.territories, &p.regions, &editor.metrics().territories));
        }
        total += t0.elapsed();
        if edited {
            editor.undo();
        }
    }
    total
}

fn lasso(c: &mut Criterion) {
    let mut group = c.benchmark_group("lasso_assign");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    for n in [10_000, 100_000, 1_000_000] {
        let (plan, grid) = common::sorted_plan(n);
        let mut editor = Editor::new(plan);
        for coverage in [0.01, 0.05, 0.20] {
            let poly = common::lasso_for_coverage(&grid, coverage, 200);
            let selected = grid.select(&poly).len();
            let id = BenchmarkId::new(format!("{n}"), format!("{:.0}%_{selected}", coverage * 100.0));
            group.bench_function(id, |b| {
                b.iter_custom(|iters| assign_lassos(&mut editor, &grid, &poly, 12, false, iters))
            });
        }
        group.bench_function(BenchmarkId::new(format!("{n}"), "full_recompute"), |b| {
            b.iter(|| std::hint::black_box(Metrics::recompute(editor.plan())))
        });
    }
    group.finish();
    // The capacities issue: 1M accounts in 20 territories with capacities from 0.5 to
    // 1.5, in 4 regions; each iteration also rolls the regions up, as the panel does.
    let mut group = c.benchmark_group("lasso_assign_regions");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    let n = 1_000_000;
    let mut csv = Vec::new();
    territory_editor::generate::generate(n, 20, 0, &mut csv).expect("generate");
    let opts = territory_editor::io::csv_import::ImportOptions::default();
    let (mut plan, _) = territory_editor::io::csv_import::import_bytes(&csv, "b.csv", &opts).expect("import");
    for (i, name) in ["West", "Central", "South", "East"].iter().enumerate() {
        let r = territory_editor::model::ensure_path(&mut plan.regions, name).expect("region");
        for t in (i * 5)..(i * 5 + 5) {
            plan.territories[t].region = Some(r);
            plan.territories[t].capacity = [0.5, 0.8, 1.0, 1.2, 1.5][t % 5];
        }
    }
    let (plan, grid) = territory_editor::grid::sort_plan(plan);
    let mut editor = Editor::new(plan);
    for travel in [false, true] {
        if travel {
            // Travel on: every moved account's drive from its old start and to its new one.
            editor
                .apply(Command::SetTravel { travel: Some(territory_editor::model::Travel::default()) })
                .expect("travel");
        }
        let suffix = if travel { "_travel" } else { "" };
        for coverage in [0.01, 0.05, 0.20] {
            let poly = common::lasso_for_coverage(&grid, coverage, 200);
            let selected = grid.select(&poly).len();
            let id = BenchmarkId::new(format!("{n}"), format!("{:.0}%_{selected}{suffix}", coverage * 100.0));
            group.bench_function(id, |b| {
                b.iter_custom(|iters| assign_lassos(&mut editor, &grid, &poly, 20, true, iters))
            });
        }
    }
    group.finish();
}

/// Hover and click ask the grid for the nearest account within 8 or 10 pixels, once a
/// frame while the pointer moves: at 1M accounts, over Manhattan (the densest place of
/// the generated data) and over Kansas, at a city zoom (8 px ≈ 150 m), the US view
/// (≈ 60 km) and the world view (≈ 600 km).
fn hover(c: &mut Criterion) {
    let mut group = c.benchmark_group("hover_nearest");
    group.sample_size(30).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    let (_, grid) = common::sorted_plan(1_000_000);
    for (place, lon, lat) in [("manhattan", -73.98, 40.75), ("kansas", -98.0, 38.5)] {
        let (x, y) = territory_editor::spatial::to_mercator(lon, lat);
        for (zoom, reach) in [("city", 150.0), ("us", 60_000.0), ("world", 600_000.0)] {
            group.bench_function(BenchmarkId::new(place, zoom), |b| {
                b.iter(|| std::hint::black_box(grid.nearest(x, y, reach)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, lasso, hover);
criterion_main!(benches);
