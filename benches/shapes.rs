//! Territory shapes (the Voronoi cells of the accounts merged per territory, cut to the
//! bundled land): all shapes of the 50k demo as `shapes` computes them (triangulation
//! included), and after an edit, what the editor recomputes off the UI thread: the
//! sites' owners and the shapes of the territories that changed (the triangulation is
//! built once per plan). The edit gives the accounts of a 4° × 3° box around Dallas to
//! the next territory. Targets: demo after an edit ≤ 100 ms, 1M after an edit ≤ 3 s,
//! `shapes` of 1M ≤ 5 s. And `map` of the demo at 3000 px wide (areas, basemap, names,
//! legend, SVG and its PNG), ≤ 2 s; the demo's territory book (13 A4 pages), ≤ 5 s. Filter with e.g. `cargo bench --bench shapes -- demo`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use territory_editor::io::csv_import::{ImportOptions, import_bytes, import_file};
use territory_editor::model::{Plan, TerritoryIdx};
use territory_editor::render::{self, MapOptions};
use territory_editor::shapes::{Land, ShapeOptions, Shaper, Voronoi};

mod common;

fn positions(plan: &Plan) -> Vec<(f64, f64)> {
    plan.accounts.positions().collect()
}

/// The assignment after the edit, and the territories it changed.
fn edit(plan: &Plan) -> (Vec<Option<TerritoryIdx>>, Vec<TerritoryIdx>) {
    let k = plan.territories.len() as u32;
    let mut assignment = plan.assignment.clone();
    let mut changed = Vec::new();
    for (i, (lon, lat)) in plan.accounts.positions().enumerate() {
        if (-99.0..-95.0).contains(&lon)
            && (31.0..34.0).contains(&lat)
            && let Some(t) = assignment[i]
        {
            let to = TerritoryIdx::new((t.get() as u32 + 1) % k);
            assignment[i] = Some(to);
            changed.extend([t, to]);
        }
    }
    changed.sort_unstable();
    changed.dedup();
    (assignment, changed)
}

/// The shapes after [`edit`], from the shapes before it (the triangulation built once),
/// as the editor makes them: its triangulation keeps the plan's position columns.
fn after_edit(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, plan: &Plan, land: &Land) {
    let (lon, lat) = plan.accounts.position_columns();
    let tri = std::sync::Arc::new(territory_editor::quality::Triangulation::of_columns(lon, lat));
    let shaper = Shaper::of(Voronoi::of(tri), Some(land.clone()), ShapeOptions::default());
    let before = shaper.shapes(&plan.assignment, plan.territories.len());
    let (after, changed) = edit(plan);
    assert!(changed.len() >= 2, "the edit moves accounts");
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut shapes = before.clone();
            shaper.update(&mut shapes, &after, &changed);
            black_box(shapes)
        })
    });
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("shapes");
    g.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(5));
    let land = Land::bundled().expect("bundled land");
    let demo_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo_accounts_us.csv");
    let demo = import_file(&demo_path, &ImportOptions::default()).expect("demo").0;
    let k = demo.territories.len();
    g.bench_function("demo_all", |b| {
        b.iter(|| {
            let shaper = Shaper::new(&positions(&demo), Some(land.clone()), ShapeOptions::default());
            black_box(shaper.shapes(&demo.assignment, k))
        })
    });
    g.bench_function("map_demo_3000", |b| {
        b.iter(|| {
            let shaper = Shaper::new(&positions(&demo), Some(land.clone()), ShapeOptions::default());
            let shapes = shaper.shapes(&demo.assignment, k);
            let basemap = territory_editor::basemap::Basemap::bundled().expect("basemap");
            let m = territory_editor::metrics::Metrics::recompute(&demo);
            let opts = MapOptions { width: 3000, title: Some("Demo".into()), ..MapOptions::default() };
            let svg = render::map_svg(&demo, &m, Some(&shapes), &basemap, &opts);
            black_box(render::svg_to_png(&svg).expect("drawn"))
        })
    });
    g.bench_function("book_demo", |b| {
        b.iter(|| black_box(render::book_pdf(&demo, "Demo", render::Ready::default()).expect("book")))
    });
    after_edit(&mut g, "demo_after_edit", &demo, &land);
    let (big, _) = import_bytes(&common::csv_text(1_000_000), "1m.csv", &ImportOptions::default()).expect("1M");
    let k = big.territories.len();
    g.bench_function("1m_all", |b| {
        b.iter(|| {
            let shaper = Shaper::new(&positions(&big), Some(land.clone()), ShapeOptions::default());
            black_box(shaper.shapes(&big.assignment, k))
        })
    });
    after_edit(&mut g, "1m_after_edit", &big, &land);
    // 10,000 territories of 20 accounts scattered over the country (a ZIP column taken
    // for the territory): many small pieces, each cut to the land near it.
    let mut csv = Vec::new();
    territory_editor::generate::generate(200_000, 10_000, 0, &mut csv).expect("generate");
    let (many, _) = import_bytes(&csv, "many.csv", &ImportOptions::default()).expect("200k");
    let k = many.territories.len();
    g.bench_function("200k_10000_all", |b| {
        b.iter(|| {
            let shaper = Shaper::new(&positions(&many), Some(land.clone()), ShapeOptions::default());
            black_box(shaper.shapes(&many.assignment, k))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
