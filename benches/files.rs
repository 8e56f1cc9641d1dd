//! Files at scale, on generated accounts: a CSV loaded ready to draw and select (parse,
//! grid sort, metrics), the `import` and `stats` commands as a user runs them
//! (wall time of the release binary), a plan file opened and saved, and the editor's start-up on the bundled demo
//! (demo import, basemap, first frame headless).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::io::csv_import::{ImportOptions, import_bytes_sorted, import_file_sorted};

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("territory-editor-bench");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_csv");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(8));
    for n in [10_000usize, 100_000, 1_000_000] {
        let bytes = common::csv_text(n);
        let open = || {
            let (plan, grid, _) = import_bytes_sorted(&bytes, "bench.csv", &ImportOptions::default()).expect("import");
            Document::with_grid(plan, grid, None, "bench".into())
        };
        // Ready to draw, select, hover and click (the grid answers all of them); the
        // drop is left out of the timed part.
        group.bench_function(BenchmarkId::new("ready", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let doc = std::hint::black_box(open());
                    total += t.elapsed();
                    drop(doc);
                }
                total
            })
        });
        // The same from the file (in the OS cache), as the editor opens it.
        let file = tmp(&format!("load_{n}.csv"));
        std::fs::write(&file, &bytes).expect("write csv");
        group.bench_function(BenchmarkId::new("from_file", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let (plan, grid, _) = import_file_sorted(&file, &ImportOptions::default()).expect("import");
                    let doc = std::hint::black_box(Document::with_grid(plan, grid, None, "bench".into()));
                    total += t.elapsed();
                    drop(doc);
                }
                total
            })
        });
    }
    group.finish();
}

/// A plan file (format 3, as saved) opened as the editor opens it: read and parse,
/// sort into grid order, metrics; ready to draw and select. Target at 1M: 0.5 s.
fn load_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_plan");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(8));
    for n in [10_000usize, 100_000, 1_000_000] {
        let (plan, _) = common::sorted_plan(n);
        let file = tmp(&format!("load_{n}.ron"));
        territory_editor::io::plan_file::save(&plan, &file).expect("save");
        drop(plan);
        group.bench_function(BenchmarkId::new("ready", n), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    let plan = territory_editor::io::plan_file::load(&file).expect("load");
                    let doc = std::hint::black_box(Document::new(plan, None, "bench".into()));
                    total += t.elapsed();
                    drop(doc);
                }
                total
            })
        });
        group.bench_function(BenchmarkId::new("save", n), |b| {
            let plan = territory_editor::io::plan_file::load(&file).expect("load");
            let out = tmp(&format!("save_{n}.ron"));
            b.iter(|| territory_editor::io::plan_file::save(&plan, &out).expect("save"))
        });
    }
    group.finish();
}

fn cli(c: &mut Criterion) {
    let bin = env!("CARGO_BIN_EXE_territory-editor");
    let mut group = c.benchmark_group("cli");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(15));
    for n in [10_000usize, 100_000, 1_000_000] {
        let csv = tmp(&format!("accounts_{n}.csv"));
        let plan = tmp(&format!("plan_{n}.ron"));
        std::fs::write(&csv, common::csv_text(n)).expect("write csv");
        let run = |args: &[&str]| {
            let out = Command::new(bin).args(args).output().expect("runs");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        let (c_s, p_s) = (csv.to_str().expect("utf-8"), plan.to_str().expect("utf-8"));
        group.bench_function(BenchmarkId::new("import", n), |b| b.iter(|| run(&["import", c_s, "--out", p_s])));
        group.bench_function(BenchmarkId::new("stats", n), |b| b.iter(|| run(&["stats", p_s, "--json"])));
    }
    group.finish();
}

fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    group.bench_function("demo_to_first_frame", |b| {
        b.iter(|| {
            let ctx = egui::Context::default();
            let mut app = TerritoryApp::new(Document::demo());
            let input = egui::RawInput {
                screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1600.0, 1000.0))),
                ..Default::default()
            };
            let out = ctx.run_ui(input, |ui| app.show(ui));
            std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point))
        })
    });
    group.finish();
}

criterion_group!(benches, load, load_plan, cli, startup);
criterion_main!(benches);
