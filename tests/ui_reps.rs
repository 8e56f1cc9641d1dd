//! The editor's capacity column (and, later, regions), driven headless with
//! egui_kittest: what the panel shows is checked against figures worked out here from
//! the fixture CSV.

use std::collections::BTreeMap;
use std::path::Path;

use egui::Key;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{Queryable, by};
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::io::csv_import::{ImportOptions, import_file};

mod common;

fn harness() -> Harness<'static, TerritoryApp> {
    let path = common::fixture("small_accounts.csv");
    let (plan, _) = import_file(&path, &ImportOptions::default()).expect("fixture imports");
    let app = TerritoryApp::new(Document::new(plan, None, "Fixture".into()));
    common::harness_on(app, 8)
}

/// Workload minutes per territory name, read from the fixture with the `csv` crate.
fn workload_by_territory() -> BTreeMap<String, i64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small_accounts.csv");
    let mut reader = csv::Reader::from_path(path).expect("fixture");
    let mut sums = BTreeMap::new();
    for r in reader.records() {
        let r = r.expect("row");
        let minutes = r[9].parse::<i64>().expect("visits") * r[10].parse::<i64>().expect("minutes");
        *sums.entry(r[11].to_owned()).or_default() += minutes;
    }
    sums
}

fn deviation_text(load: i64, target: f64) -> String {
    format!("{:+.1}%", (load as f64 - target) / target * 100.0)
}

/// Typing 0.5 into the first territory's Cap. cell halves its target: its deviation
/// reads as worked out here, the others' targets grow, it is one undo step, and Ctrl+Z
/// brings the mean back.
#[test]
fn a_capacity_typed_in_the_table_sets_the_target() {
    let mut h = harness();
    let sums = workload_by_territory();
    let first = h.state().doc.editor.plan().live_territories().next().map(|(_, t)| t.name.clone()).expect("one");
    let total: i64 = sums.values().sum();
    let n = sums.len() as f64;
    // Before: every target is the mean.
    let mean = total as f64 / n;
    assert!(h.query_by_label(&deviation_text(sums[&first], mean)).is_some(), "{first} before");

    let cells: Vec<_> = h.query_all(by().role(Role::SpinButton)).collect();
    assert_eq!(cells.len(), sums.len(), "one Cap. cell a territory");
    cells[0].click();
    h.run();
    h.get(by().predicate(|n| n.is_focused())).type_text("0.5");
    h.run();
    // Nothing is set while typing.
    assert_eq!(h.state().doc.editor.undo_depth(), 0);
    h.key_press(Key::Enter);
    h.run_steps(3);
    let plan = h.state().doc.editor.plan();
    let (_, t) = plan.live_territories().next().expect("one");
    assert_eq!(t.capacity, 0.5);
    assert_eq!(h.state().doc.editor.undo_depth(), 1, "one edit");
    let target = |cap: f64| total as f64 * cap / (n - 0.5);
    assert!(h.query_by_label(&deviation_text(sums[&first], target(0.5))).is_some(), "{first} against half a share");
    let other = plan.live_territories().nth(1).map(|(_, t)| t.name.clone()).expect("two");
    assert!(h.query_by_label(&deviation_text(sums[&other], target(1.0))).is_some(), "{other} against a full share");
    assert!(h.state().doc.editor.undo_label().is_some_and(|l| l.contains("capacity to 0.5")));

    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert_eq!(h.state().doc.editor.plan().live_territories().next().map(|(_, t)| t.capacity), Some(1.0));
    assert!(h.query_by_label(&deviation_text(sums[&first], mean)).is_some(), "{first} after undo");
}

/// The fixture with two regions, East (New York Metro, Mid-Atlantic, Northeast) and
/// West (California, Pacific Northwest): collapsing East hides its three territories'
/// rows and keeps its roll-up, worked out here; expanding shows them again.
#[test]
fn a_region_collapses_and_expands() {
    let path = common::fixture("small_accounts.csv");
    let (mut plan, _) = import_file(&path, &ImportOptions::default()).expect("fixture imports");
    let east = territory_editor::model::ensure_path(&mut plan.regions, "East").expect("east");
    let west = territory_editor::model::ensure_path(&mut plan.regions, "West").expect("west");
    let members = [
        ("New York Metro", east),
        ("Mid-Atlantic", east),
        ("Northeast", east),
        ("California", west),
        ("Pacific Northwest", west),
    ];
    for (name, r) in members {
        let t = plan.find_territory(name).expect("fixture territory");
        plan.territories[t.get()].region = Some(r);
    }
    let app = TerritoryApp::new(Document::new(plan, None, "Regions".into()));
    let mut h = common::harness_on(app, 8);
    let sums = workload_by_territory();
    let east_hours: i64 = ["New York Metro", "Mid-Atlantic", "Northeast"].iter().map(|n| sums[*n]).sum::<i64>();
    let hours = territory_editor::format::thousands((east_hours as f64 / 60.0).round() as i64);
    assert!(h.query_by_label("East (3)").is_some(), "the region's row names its territories' count");
    assert!(h.query_by_label(&hours).is_some(), "East's workload, {hours} h");
    let shown = |h: &Harness<'_, TerritoryApp>, name: &str| h.query_by_label(name).is_some();
    assert!(shown(&h, "Mid-Atlantic") && shown(&h, "Northeast"));
    // East comes first (regions by name): its toggle is the first.
    h.get_all_by_label("⏷").next().expect("a toggle").click();
    h.run_steps(3);
    assert!(!shown(&h, "Mid-Atlantic") && !shown(&h, "Northeast") && !shown(&h, "New York Metro"), "East collapsed");
    assert!(shown(&h, "California") && shown(&h, "Texas"), "the others stay");
    assert!(h.query_by_label(&hours).is_some(), "the roll-up stays");
    h.get_by_label("⏵").click();
    h.run_steps(3);
    assert!(shown(&h, "Mid-Atlantic") && shown(&h, "Northeast") && shown(&h, "New York Metro"), "East expanded");
}
