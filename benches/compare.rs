//! Comparing two plans of the same accounts (as two scenarios will be): generated
//! accounts in 12 bands (A) against the same with every tenth account in the next band
//! and every hundredth Unassigned (B), at 10k, 100k and 1M accounts. The target at 1M
//! (scenarios issue): headline, per-territory table and flows within 50 ms.
//!
//! `cargo bench --bench compare`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use territory_editor::compare::{compare, compare_with};
use territory_editor::metrics::Metrics;
use territory_editor::model::{Plan, TerritoryIdx};

mod common;

fn other(a: &Plan) -> Plan {
    let mut b = a.clone();
    let k = b.territories.len() as u32;
    for (i, t) in b.assignment.iter_mut().enumerate() {
        if i % 100 == 0 {
            *t = None;
        } else if i % 10 == 0 {
            *t = t.map(|t| TerritoryIdx((t.0 + 1) % k));
        }
    }
    b
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("compare");
    g.sample_size(10);
    for n in [10_000, 100_000, 1_000_000] {
        let (a, _) = common::sorted_plan(n);
        let b = other(&a);
        // Two files: each side's metrics computed, the ids matched.
        g.bench_function(format!("compare_{}k", n / 1000), |bench| bench.iter(|| black_box(compare(&a, &b))));
        // As the editor will: the metrics at hand.
        let (ma, mb) = (Metrics::recompute(&a), Metrics::recompute(&b));
        g.bench_function(format!("compare_with_metrics_{}k", n / 1000), |bench| {
            bench.iter(|| black_box(compare_with(&a, &ma, &b, &mb)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
