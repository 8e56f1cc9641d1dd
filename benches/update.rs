//! Refreshing a plan from a new CRM export: generated accounts (12 bands) against an
//! export in which every 20th account is gone, every 10th has a new potential and one
//! new account follows every 20th (5 % each), at 10k, 100k and 1M accounts.
//! `update_core_*` is [`territory_editor::update::update`] alone; `update_files_*` the
//! whole of `territory-editor update`: read the plan file, import the CSV, update,
//! write the plan (target at 1M: 2 s).
//!
//! `cargo bench --bench update`

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use territory_editor::io::csv_import::{ImportOptions, import_bytes, import_file};
use territory_editor::io::plan_file;
use territory_editor::update::{UpdateOptions, update};

mod common;

/// The export: the generated CSV with rows gone, changed and new.
fn export(csv: &[u8]) -> Vec<u8> {
    let mut r = csv::Reader::from_reader(csv);
    let header = r.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, lat, pot) = (col("id"), col("lat"), col("potential"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("header");
    for (i, rec) in r.records().enumerate() {
        let rec = rec.expect("row");
        if i % 20 == 0 {
            continue;
        }
        let mut row: Vec<String> = rec.iter().map(str::to_owned).collect();
        if i % 10 == 1 {
            row[pot] = format!("{}", row[pot].parse::<f64>().expect("potential") + 1.0);
        }
        w.write_record(&row).expect("row");
        if i % 20 == 7 {
            row[id] = format!("NEW{i}");
            row[lat] = format!("{:.6}", row[lat].parse::<f64>().expect("lat") + 0.01);
            w.write_record(&row).expect("row");
        }
    }
    w.into_inner().expect("flush")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("update");
    g.sample_size(10);
    let dir = std::env::temp_dir().join(format!("te-bench-update-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for n in [10_000, 100_000, 1_000_000] {
        let csv = common::csv_text(n);
        let (old, _) = import_bytes(&csv, "old.csv", &ImportOptions::default()).expect("import");
        let new_csv = export(&csv);
        let (fresh, report) = import_bytes(&new_csv, "new.csv", &ImportOptions::default()).expect("import");
        let opts = UpdateOptions::default();
        g.bench_function(format!("update_core_{}k", n / 1000), |b| {
            b.iter_batched(
                || fresh.clone(),
                |f| black_box(update(&old, f, &report.rejected, &opts).expect("update")),
                BatchSize::LargeInput,
            )
        });
        let (plan_path, csv_path, out) = (dir.join("plan.ron"), dir.join("new.csv"), dir.join("out.ron"));
        plan_file::save(&old, &plan_path).expect("save");
        std::fs::write(&csv_path, &new_csv).expect("write");
        g.bench_function(format!("update_files_{}k", n / 1000), |b| {
            b.iter(|| {
                let old = plan_file::load(&plan_path).expect("load");
                let (fresh, report) = import_file(&csv_path, &ImportOptions::default()).expect("import");
                let (plan, _) = update(&old, fresh, &report.rejected, &opts).expect("update");
                plan_file::save(&plan, &out).expect("save")
            })
        });
    }
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
