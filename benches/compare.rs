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
            *t = t.map(|t| TerritoryIdx::new((t.index() + 1) % k));
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

/// Switching between two scenarios of one plan in the editor (both shown once before,
/// so their metrics are kept; B has every tenth account in another territory): the
/// target at 1M is 20 ms; and comparing them (target 50 ms).
fn switch(c: &mut Criterion) {
    let mut g = c.benchmark_group("scenarios");
    g.sample_size(10);
    for n in [10_000, 100_000, 1_000_000] {
        let (plan, _) = common::sorted_plan(n);
        let mut ed = territory_editor::edit::Editor::new(plan);
        ed.new_scenario("B").expect("new");
        // B: every tenth account to the second territory.
        let tenth = territory_editor::model::AccountSet::from_indices((0..n as u32).step_by(10).collect());
        ed.apply(territory_editor::edit::Command::Reassign { accounts: tenth, to: Some(TerritoryIdx::new(1)) })
            .expect("valid");
        ed.switch_scenario(0);
        ed.switch_scenario(1);
        g.bench_function(format!("switch_{}k", n / 1000), |bench| {
            bench.iter(|| {
                let next = 1 - ed.plan().current;
                ed.switch_scenario(next);
                black_box(ed.metrics().unassigned.accounts)
            })
        });
        // Two scenarios of one plan compared as the editor does (the accounts shared).
        let (ma, mb) = (ed.scenario_metrics(0).into_owned(), ed.scenario_metrics(1).into_owned());
        let p = ed.plan();
        let a = territory_editor::compare::Side::scenario(p, 0, &ma);
        let b = territory_editor::compare::Side::scenario(p, 1, &mb);
        g.bench_function(format!("compare_scenarios_{}k", n / 1000), |bench| {
            bench.iter(|| black_box(territory_editor::compare::compare_sides(&a, &b)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench, switch);
criterion_main!(benches);
