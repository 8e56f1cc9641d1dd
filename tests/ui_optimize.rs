//! Balance… and Redraw… in the editor, driven headless with egui_kittest: the
//! proposal's preview, Apply as one undo step, Discard, and the reasons a tolerance is
//! out of reach, checked against deviations the tests sum from the accounts.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;
use common::{
    compute_proposal, generated_harness, harness_for, headline, label_exists, max_workload_deviation, mercator,
};
use territory_editor::app::TerritoryApp;
use territory_editor::io::csv_import::ImportOptions;

#[test]
fn balance_previews_applies_as_one_step_and_undoes() {
    let mut h = generated_harness();
    let before_plan = h.state().doc.editor.plan().clone();
    let before = headline(&h);
    assert!(label_exists(&h, &before), "{before}");
    let before_dev = max_workload_deviation(&before_plan);
    assert!(before_dev > 0.03, "the plan starts out of balance: {before_dev}");

    // Edit ▸ Balance… opens the form; Compute runs it on a worker thread.
    compute_proposal(&mut h, "⚖ Balance…", "Compute balance");
    // The preview: the moved accounts are selected on the map, the plan is untouched.
    assert_eq!(h.state().doc.editor.plan(), &before_plan);
    let moved = h.state().selection().len();
    assert!(moved > 0);
    assert!(label_exists(&h, "Balance proposal"));
    assert!(h.query_all_by_label_contains("Every territory within ±3.0 %").next().is_some());
    // What routing the excess across the borders needs, as the library computes it.
    let adj = territory_editor::quality::adjacency(&before_plan.accounts);
    let flow = territory_editor::optimize::border_flow_bound(&before_plan, &adj, 0.03, None);
    let line = format!("the excess needs about {:.1} %", flow * 100.0);
    assert!(flow > 0.0 && h.query_all_by_label_contains(&line).next().is_some(), "{line}");

    h.get_by_label("Apply").click();
    h.run();
    h.run();
    let after = headline(&h);
    assert!(label_exists(&h, &after), "{after}");
    let after_dev = max_workload_deviation(h.state().doc.editor.plan());
    assert!(after_dev <= 0.03 + 1e-9, "{after_dev}");
    assert_ne!(before, after);
    assert_eq!(h.state().doc.editor.undo_depth(), 1);
    let changed =
        before_plan.assignment.iter().zip(&h.state().doc.editor.plan().assignment).filter(|(a, b)| a != b).count();
    assert_eq!(changed, moved);

    // One Ctrl+Z restores the plan and the panel.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.run();
    assert_eq!(h.state().doc.editor.plan().assignment, before_plan.assignment);
    assert!(label_exists(&h, &before));
}

#[test]
fn a_discarded_proposal_leaves_the_plan_alone() {
    let mut h = generated_harness();
    let before_plan = h.state().doc.editor.plan().clone();
    let labels = |h: &Harness<'_, TerritoryApp>| -> Vec<(String, (f64, f64))> {
        h.state().map_labels().iter().map(|l| (l.territory.name.clone(), l.centre)).collect()
    };
    let labels_before = labels(&h);
    assert_eq!(labels_before.len(), 6);
    // With the balance panel hidden (Ctrl+B), the proposal still shows it: its Apply
    // and Discard live there.
    h.key_press_modifiers(Modifiers::COMMAND, Key::B);
    h.run();
    assert!(h.query_by_label_contains("vs target").is_none(), "the panel is hidden");
    compute_proposal(&mut h, "Redraw…", "Compute redraw");
    // A redraw draws new borders: no figure for crossing the old ones.
    assert!(h.query_all_by_label_contains("the excess needs about").next().is_none());
    let preview = labels(&h);
    assert_ne!(preview, labels_before);
    h.get_by_label("Discard").click();
    h.run();
    h.run();
    assert!(h.query_by_label_contains("vs target").is_none(), "hidden again once the proposal is gone");
    assert_eq!(labels(&h), labels_before);
    assert_eq!(h.state().doc.editor.plan(), &before_plan);
    assert_eq!(h.state().doc.editor.undo_depth(), 0);
    assert!(h.state().selection().is_empty());

    // The preview labelled the proposed territories where they would be: Redraw is
    // deterministic, so running it again and applying it gives the plan the preview
    // showed, and each label sat at the mean Web Mercator position of that
    // territory's accounts, computed here.
    compute_proposal(&mut h, "Redraw…", "Compute redraw");
    h.get_by_label("Apply").click();
    h.run();
    h.run();
    let plan = h.state().doc.editor.plan();
    let mut sums: Vec<(f64, f64, f64)> = vec![(0.0, 0.0, 0.0); plan.territories.len()];
    for (i, owner) in plan.assignment.iter().enumerate() {
        if let Some(t) = owner {
            let a = plan.accounts.get(i);
            let (x, y) = mercator(a.lon, a.lat);
            let s = &mut sums[t.get()];
            *s = (s.0 + x, s.1 + y, s.2 + 1.0);
        }
    }
    let expected: Vec<(String, (f64, f64))> = plan
        .territories
        .iter()
        .zip(&sums)
        .filter(|(t, s)| t.alive && s.2 > 0.0)
        .map(|(t, s)| (t.name.clone(), (s.0 / s.2, s.1 / s.2)))
        .collect();
    assert_eq!(preview.len(), expected.len());
    for ((name, (x, y)), (want_name, (wx, wy))) in preview.iter().zip(&expected) {
        assert_eq!(name, want_name);
        assert!((x - wx).abs() < 2.0 && (y - wy).abs() < 2.0, "{name}: ({x}, {y}) vs ({wx}, {wy})");
    }
}

#[test]
fn balance_says_which_locks_keep_a_territory_over_the_tolerance() {
    // The heaviest band, with every account locked: no plan can bring it down.
    let mut csv = Vec::new();
    territory_editor::generate::generate(2000, 6, 3, &mut csv).expect("generate");
    let (mut plan, _) =
        territory_editor::io::csv_import::import_bytes(&csv, "generated.csv", &ImportOptions::default())
            .expect("generated data imports");
    let m = territory_editor::metrics::Metrics::recompute(&plan);
    let heavy = (0..plan.territories.len()).max_by_key(|&t| m.territories[t].workload.0).expect("territories");
    let mean = m.territories.iter().map(|t| t.workload.0 as f64).sum::<f64>() / plan.territories.len() as f64;
    let above = m.territories[heavy].workload.0 as f64 / mean - 1.0;
    assert!(above > 0.03, "the heaviest band is over the default tolerance: {above}");
    for v in 0..plan.accounts.len() {
        if plan.assignment[v].map(|t| t.get()) == Some(heavy) {
            plan.accounts.set_locked(v, true);
        }
    }
    let name = plan.territories[heavy].name.clone();
    let mut h = harness_for(plan, "Locked");
    compute_proposal(&mut h, "⚖ Balance…", "Compute balance");
    assert!(h.query_all_by_label_contains("Tolerance not reached").next().is_some());
    let why = format!("{name}'s accounts that must stay");
    let shown = format!("{:.1} % more workload than the mean", above * 100.0);
    assert!(h.query_all_by_label_contains(&why).next().is_some(), "{why}");
    assert!(h.query_all_by_label_contains(&shown).next().is_some(), "{shown}");
}

/// Balance after the areas are drawn uses the adjacency the areas made (one
/// triangulation of the accounts, not a second: at a million accounts a second would
/// cost about a second and 64 MB).
#[test]
fn balance_shares_the_areas_triangulation() {
    let mut h = generated_harness();
    h.state_mut().settings.areas = territory_editor::app::AreasSetting::Always;
    common::step_until(&mut h, |h| {
        let s = h.state();
        s.doc.areas.current(&s.doc.editor) && s.doc.areas.adjacency().is_some()
    });
    assert!(h.state().doc.adjacency.is_none(), "no proposal has made one yet");
    compute_proposal(&mut h, "⚖ Balance…", "Compute balance");
    let doc = &h.state().doc;
    let (used, areas) = (doc.adjacency.as_ref().expect("kept"), doc.areas.adjacency().expect("the areas'"));
    assert!(std::sync::Arc::ptr_eq(used, areas), "the proposal used the areas' adjacency");
}
