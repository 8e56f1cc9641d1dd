//! Scenarios and updates in the editor, driven headless with egui_kittest: the Changes
//! map mode; File ▸ Update accounts from CSV… (the report, the new accounts selected
//! where the test's own nearest-neighbour search puts them, and Undo and Redo of the
//! whole update).

use std::path::Path;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;
use common::{select_rectangle, step_until, tmp};
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::io::csv_import::{ImportOptions, import_file};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small_accounts.csv")
}

fn harness() -> Harness<'static, TerritoryApp> {
    let (plan, _) = import_file(&fixture(), &ImportOptions::default()).expect("fixture imports");
    let app = TerritoryApp::new(Document::new(plan, None, "Fixture".into()));
    common::harness_on(app, 8)
}

/// Great-circle distance, km.
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

#[test]
fn an_update_selects_the_new_account_and_undoes_in_one_step() {
    let mut h = harness();
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

    // Ctrl+Z: the plan as it was, whole; Ctrl+Shift+Z: the update again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan(), &before);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan(), &plan);
}

/// The Changes mode counts what the test counts from the two assignments, follows edits
/// and Undo, and the compare window's "Show the changes on the map" turns it on.
#[test]
fn the_changes_mode_counts_the_accounts_that_differ() {
    let mut h = harness();
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
    let mut h = harness();
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
