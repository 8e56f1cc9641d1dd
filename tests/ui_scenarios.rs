//! Scenarios and updates in the editor, driven headless with egui_kittest: a new
//! scenario edited apart from the baseline, the comparison window, a proposal applied
//! as a new scenario, the Changes map mode; File ▸ Update accounts from CSV… (the
//! report, the new accounts selected where the test's own nearest-neighbour search puts
//! them, and Undo and Redo of the whole update).

use std::path::Path;

use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
mod common;
use common::{
    compute_proposal, fixture_harness, generated_harness, headline, label_exists, max_workload_deviation,
    select_rectangle, step_until, tmp,
};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small_accounts.csv")
}

/// Great-circle distance, km.
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

#[test]
fn an_update_selects_the_new_account_and_undoes_in_one_step() {
    let mut h = fixture_harness();
    // With the areas on, to see them set aside with the document that waits for Undo.
    h.state_mut().settings.areas = territory_editor::app::AreasSetting::Always;
    step_until(&mut h, |h| h.state().doc.areas.adjacency().is_some());
    let before = h.state().doc.editor.plan().clone();
    // The export: the fixture without its third row, the first with a new potential,
    // and a new account a few metres from the fifth.
    let mut r = csv::Reader::from_path(fixture()).expect("fixture");
    let header = r.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
    let set = |rec: &csv::StringRecord, i: usize, v: &str| -> csv::StringRecord {
        rec.iter().enumerate().map(|(k, x)| if k == i { v } else { x }).collect()
    };
    let mut out: Vec<csv::StringRecord> = Vec::new();
    for (k, rec) in rows.iter().enumerate() {
        match k {
            0 => out.push(set(rec, 8, "999999")),
            2 => {}
            _ => out.push(rec.clone()),
        }
    }
    let lat: f64 = rows[4][2].parse().expect("lat");
    let new = set(&set(&set(&rows[4], 0, "NEU-1"), 1, "Neukunde GmbH"), 2, &format!("{:.6}", lat + 0.0003));
    let path = tmp("ui-update-export.csv");
    let mut w = csv::Writer::from_path(&path).expect("write");
    w.write_record(&header).expect("header");
    for rec in out.iter().chain([&new]) {
        w.write_record(rec).expect("row");
    }
    w.flush().expect("flush");
    // Where the test expects it: the territory of the nearest remaining account.
    let pos = |c: &csv::StringRecord| (c[3].parse::<f64>().expect("lon"), c[2].parse::<f64>().expect("lat"));
    let new_pos = pos(&new);
    let want = out
        .iter()
        .min_by(|a, b| km(pos(a), new_pos).total_cmp(&km(pos(b), new_pos)))
        .map(|c| c[11].to_owned())
        .expect("accounts");

    h.state_mut().update_accounts_from(path);
    step_until(&mut h, |h| h.state().doc.before.is_some());
    h.run_steps(3);
    assert!(h.query_by_label_contains("1 new · 1 removed · 1 changed").is_some(), "the report window");
    let plan = h.state().doc.editor.plan().clone();
    assert_eq!(plan.accounts.len(), 300);
    let i = plan.accounts.ids().position(|id| id == "NEU-1").expect("the new account");
    assert_eq!(plan.territory_name(plan.assignment[i]), want);
    assert!(!plan.accounts.ids().any(|id| id == &rows[2][0]), "the third row's account is gone");
    let selected = h.state().selection().clone();
    assert_eq!(selected.len(), 1);
    assert!(selected.contains(i as u32), "the new account is selected");
    assert!(h.state().doc.editor.is_dirty());
    let waiting = |h: &egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>, back: bool| {
        let doc = if back { &h.state().doc.before } else { &h.state().doc.after };
        doc.as_ref().expect("a document waits").areas.adjacency().is_some()
    };
    assert!(!waiting(&h, true), "the document before the update keeps no areas while it waits");

    // Ctrl+Z: the plan as it was, whole, and its areas made again; Ctrl+Shift+Z: the
    // update again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan(), &before);
    assert!(!waiting(&h, false), "nor the updated one");
    step_until(&mut h, |h| h.state().doc.areas.current(&h.state().doc.editor));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan(), &plan);
}

/// The Changes mode counts what the test counts from the two assignments, follows edits
/// and Undo, and the compare window's "Show the changes on the map" turns it on.
#[test]
fn the_changes_mode_counts_the_accounts_that_differ() {
    let mut h = fixture_harness();
    let baseline = h.state().doc.editor.plan().assignment.clone();
    h.get_by_label_contains("New scenario").click();
    h.run_steps(2);
    // A rectangle in the middle of the map to the first territory.
    select_rectangle(&mut h, 220.0);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let now = h.state().doc.editor.plan().assignment.clone();
    let differ = baseline.iter().zip(&now).filter(|(x, y)| x != y).count();
    assert!(differ > 0, "the rectangle moved accounts");
    h.get_by_label("Changes").click();
    h.run_steps(2);
    let label = format!("{differ} accounts differ from \"As is\"");
    assert!(h.query_by_label_contains(&label).is_some(), "{label}");
    // Undo the edit: nothing differs any more.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert!(h.query_by_label_contains("0 accounts differ from \"As is\"").is_some());
    // Off, then on again from the comparison window.
    h.get_by_label("Changes").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("differ from").is_none());
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    h.get_by_label_contains("Compare…").click();
    h.run_steps(3);
    assert!(h.query_by_label_contains("accounts change territory").is_some(), "the comparison window");
    h.get_by_label("Show the changes on the map").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains(&label).is_some(), "{label}");
}

/// A partial export (a sixth of the accounts missing) asks first; the plan stays as it
/// is until the answer, and the update goes ahead on "Remove them and update".
#[test]
fn a_partial_export_asks_before_removing_accounts() {
    let mut h = fixture_harness();
    let before = h.state().doc.editor.plan().clone();
    let mut r = csv::Reader::from_path(fixture()).expect("fixture");
    let header = r.headers().expect("header").clone();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
    let path = tmp("ui-update-partial.csv");
    let mut w = csv::Writer::from_path(&path).expect("write");
    w.write_record(&header).expect("header");
    for rec in &rows[..250] {
        w.write_record(rec).expect("row");
    }
    w.flush().expect("flush");

    h.state_mut().update_accounts_from(path);
    step_until(&mut h, |h| h.query_by_label("Remove them and update").is_some());
    assert!(h.query_by_label_contains("lacks 50 of the 300 accounts").is_some(), "the question says how many");
    assert_eq!(h.state().doc.editor.plan(), &before, "nothing changed yet");
    h.get_by_label("Remove them and update").click();
    step_until(&mut h, |h| h.state().doc.before.is_some());
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan().accounts.len(), 250);
    assert!(h.query_by_label_contains("0 new · 50 removed").is_some(), "the report");
}

/// A new scenario from the bar, an edit in it by rectangle and number key; the
/// baseline's panel and plan are untouched, Ctrl+Z in the baseline does not reach the
/// new scenario's edit, and Ctrl+PageDown switches back to it.
#[test]
fn a_new_scenario_is_edited_apart_from_the_baseline() {
    let mut h = fixture_harness();
    let original = h.state().doc.editor.plan().clone();
    let base_headline = format!("Workload balance: max ±{:.1}%", max_workload_deviation(&original) * 100.0);
    assert!(label_exists(&h, &base_headline), "{base_headline}");
    h.get_by_label_contains("New scenario").click();
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan().scenario_name(), "Scenario 2");
    assert!(label_exists(&h, "Scenario 2") && label_exists(&h, "⭐ As is"));
    // Edit Scenario 2: a rectangle in the middle of the map to the first territory.
    select_rectangle(&mut h, 200.0);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let edited = h.state().doc.editor.plan().clone();
    assert_ne!(edited.assignment, original.assignment, "the rectangle moved accounts");
    let edited_headline = format!("Workload balance: max ±{:.1}%", max_workload_deviation(&edited) * 100.0);
    assert!(label_exists(&h, &edited_headline), "{edited_headline}");
    // Back to the baseline: its plan and its panel.
    h.get_by_label("⭐ As is").click();
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan().assignment, original.assignment);
    assert!(label_exists(&h, &base_headline));
    assert_eq!(h.state().doc.editor.undo_depth(), 0);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run();
    // Ctrl+PageDown: the next scenario, with its edit and its history.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::PageDown);
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan().scenario_name(), "Scenario 2");
    assert_eq!(h.state().doc.editor.plan().assignment, edited.assignment);
    assert_eq!(h.state().doc.editor.undo_depth(), 2, "its creation and its edit");
    assert!(h.state().doc.editor.is_dirty());
    // Ctrl+Z twice: the edit, then the scenario's creation; the baseline shows.
    for _ in 0..2 {
        h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
        h.run_steps(2);
    }
    assert_eq!(h.state().doc.editor.plan().scenario_names(), ["As is"]);
    assert!(!label_exists(&h, "Scenario 2"));
    assert_eq!(h.state().doc.editor.plan().assignment, original.assignment);
    assert!(label_exists(&h, &base_headline));
    // Ctrl+Shift+Z twice: the scenario is back, on screen, with its edit.
    for _ in 0..2 {
        h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::Z);
        h.run_steps(2);
    }
    assert!(label_exists(&h, "Scenario 2"));
    assert_eq!(h.state().doc.editor.plan().scenario_name(), "Scenario 2");
    assert_eq!(h.state().doc.editor.plan().assignment, edited.assignment);
    assert!(label_exists(&h, &edited_headline));
}

/// The comparison window's headline against sums the test makes itself, and a click
/// on a flow selecting exactly the accounts of that flow.
#[test]
fn the_comparison_shows_what_changes_hands() {
    let mut h = fixture_harness();
    let original = h.state().doc.editor.plan().clone();
    h.get_by_label_contains("New scenario").click();
    h.run_steps(2);
    // Everything under a rectangle in the middle of the map to the first territory.
    select_rectangle(&mut h, 220.0);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let edited = h.state().doc.editor.plan().clone();
    // The sums, from the two assignments and the accounts' own figures.
    let (mut moved, mut pot, mut work, mut all_pot, mut all_work) = (0u64, 0i64, 0u64, 0i64, 0u64);
    for i in 0..original.accounts.len() {
        let a = original.accounts.get(i);
        let w = u64::from(a.visits_per_year) * u64::from(a.minutes_per_visit);
        all_pot += a.potential.0;
        all_work += w;
        if original.assignment[i] != edited.assignment[i] {
            moved += 1;
            pot += a.potential.0;
            work += w;
        }
    }
    assert!(moved > 0);
    h.get_by_label_contains("Compare…").click();
    h.run_steps(3);
    let headline = format!(
        "{moved} of {} accounts change territory: {:.1}% of the potential and {:.1}% of the workload change hands.",
        original.accounts.len(),
        pot as f64 / all_pot as f64 * 100.0,
        work as f64 / all_work as f64 * 100.0
    );
    assert!(label_exists(&h, &headline), "{headline}");
    // The first flow: click it, and exactly its accounts are selected.
    let first = original.live_territories().next().map(|(i, _)| i).expect("a territory");
    let flow = {
        use egui_kittest::kittest::NodeT;
        // (A label's text is its value.)
        let node = h.query_all_by_label_contains(" ⏵ ").next().expect("a flow");
        let text = node.accesskit_node().value().or(node.accesskit_node().label());
        text.unwrap_or_default().to_owned()
    };
    let from_name = flow.split(" ⏵ ").next().expect("from").to_owned();
    h.get_by_label(&flow).click();
    h.run_steps(2);
    let want: Vec<u32> = (0..original.accounts.len())
        .filter(|&i| {
            original.assignment[i] != edited.assignment[i]
                && original.territory_name(original.assignment[i]) == from_name
                && edited.assignment[i] == Some(first)
        })
        .map(|i| i as u32)
        .collect();
    assert!(!want.is_empty());
    assert_eq!(h.state().selection().iter().collect::<Vec<_>>(), want);
}

/// Balance's proposal applied as a new scenario: the scenario it came from keeps its
/// plan; the new one is within the tolerance and compares against it.
#[test]
fn a_proposal_applied_as_a_new_scenario_leaves_the_baseline() {
    let mut h = generated_harness();
    let before_plan = h.state().doc.editor.plan().clone();
    compute_proposal(&mut h, "⚖ Balance…", "Compute balance");
    let moved = h.state().selection().len();
    h.get_by_label("Apply as new scenario").click();
    h.run_steps(3);
    let ed = &h.state().doc.editor;
    assert_eq!(ed.plan().scenario_names(), ["As is", "Balanced"]);
    assert_eq!(ed.plan().scenario_name(), "Balanced");
    assert!(max_workload_deviation(ed.plan()) <= 0.03 + 1e-9);
    let changed = before_plan.assignment.iter().zip(&ed.plan().assignment).filter(|(a, b)| a != b).count();
    assert_eq!(changed, moved);
    assert_eq!(ed.undo_depth(), 2, "the scenario's creation, then the proposal in one step");
    assert!(ed.undo_label().is_some_and(|l| l.starts_with("Balance")), "{:?}", ed.undo_label());
    h.get_by_label("⭐ As is").click();
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan().assignment, before_plan.assignment);
    assert!(label_exists(&h, &headline(&h)));
}

/// On a 1024 × 720 projector the comparison window stays within the window: its tables
/// share the height there is (it had been 800 points tall, the flows' last rows and
/// its resize corner under the window's bottom edge).
#[test]
fn the_comparison_fits_a_projector_window() {
    let app = territory_editor::app::TerritoryApp::new(territory_editor::app::Document::demo());
    let mut h = common::harness_sized(app, egui::Vec2::new(1024.0, 720.0), 0);
    territory_editor::app::style_for_projector(&h.ctx);
    h.run_steps(10);
    compute_proposal(&mut h, "⚖ Balance…", "Compute balance");
    h.get_by_label("Apply as new scenario").click();
    h.run_steps(3);
    h.get_by_label("Compare…").click();
    h.run_steps(10);
    let window = h.ctx.memory(|m| m.area_rect(egui::Id::unique("compare-window"))).expect("the window is open");
    assert!(window.min.y >= 0.0 && window.max.y <= 720.0, "the window at {window:?}");
    assert!(window.min.x >= 0.0 && window.max.x <= 1024.0, "the window at {window:?}");
    let flows = h.get_by_label_contains("Flows (click").rect();
    assert!(window.contains_rect(flows), "the flows' heading at {flows:?}");
}

/// An account moved while File ▸ Update accounts reads the export is not lost: the
/// update, made of the plan before the move, is made again of the plan after it (it had
/// replaced the plan, the move with it).
#[test]
fn an_edit_made_while_updating_is_kept() {
    let mut h = fixture_harness();
    h.state_mut().update_accounts_from(fixture());
    h.step();
    // Before the update's answer is read (the next frame), an account changes hands.
    let (id, to) = common::move_first_account(&mut h);
    step_until(&mut h, |h| h.state().notice().is_some_and(|n| n.text.starts_with("Updated from")));
    let plan = h.state().doc.editor.plan();
    let a = plan.accounts.ids().position(|x| x == id).expect("still there");
    assert_eq!(plan.assignment[a], Some(to), "{id} stays where it was moved during the update");
}
