//! Autosave cost per edit at 10k, 100k and 1M accounts: a 5 % lasso reassignment
//! recorded in the recovery journal. `record` is what the UI thread pays (the
//! command's copy and a channel send); `record_and_write` adds the writer's work,
//! forced at once (JSON line, append, fsync), which normally happens at most once a
//! second off the UI thread. Neither should grow with the plan.

mod common;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use territory_editor::edit::{Command, Editor};
use territory_editor::model::TerritoryIdx;
use territory_editor::recovery::{Base, Header, Journal, Origin, Step, journal_path};

fn autosave(c: &mut Criterion) {
    let mut group = c.benchmark_group("autosave");
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    let dir = std::env::temp_dir().join(format!("te-bench-autosave-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for n in [10_000, 100_000, 1_000_000] {
        let (plan, grid) = common::sorted_plan(n);
        let mut editor = Editor::new(plan);
        let poly = common::lasso_for_coverage(&grid, 0.05, 200);
        let mut journal = Journal::new(journal_path(&dir));
        journal.begin(Header::new(Base { origin: Origin::Demo, hash: 0 }, "bench".into(), None));
        for (name, write) in [("record", false), ("record_and_write", true)] {
            group.bench_function(BenchmarkId::new(format!("{n}"), name), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        let to = Some(TerritoryIdx::new((i % 12) as u32));
                        let cmd = Command::Reassign { accounts: grid.select(&poly), to };
                        editor.apply(cmd.clone()).expect("valid");
                        let t0 = Instant::now();
                        journal.record(Step::Apply(cmd), || editor.snapshot());
                        if write {
                            journal.flush();
                        }
                        total += t0.elapsed();
                        editor.undo();
                        journal.record(Step::Undo, || editor.snapshot());
                    }
                    journal.flush();
                    total
                })
            });
        }
        journal.clear();
    }
    let _ = std::fs::remove_dir_all(&dir);
    group.finish();
}

criterion_group!(benches, autosave);
criterion_main!(benches);
