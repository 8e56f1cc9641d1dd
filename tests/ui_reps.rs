//! Reps in the editor, driven headless with egui_kittest: the capacity column, the
//! region rows (roll-ups, the preview, collapsing) and a rep's home set by a click on
//! the map; what the panel shows is checked against figures worked out here from the
//! fixture CSV.

use std::collections::BTreeMap;

use egui::accesskit::Role;
use egui::{Key, Modifiers, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{Queryable, by};
use territory_editor::app::{Document, TerritoryApp};

mod common;
use common::{fixture_harness, mercator};

/// Workload minutes per territory name, read from the fixture with the `csv` crate.
fn workload_by_territory() -> BTreeMap<String, i64> {
    let mut sums = BTreeMap::new();
    for r in common::fixture_rows() {
        *sums.entry(r.territory).or_default() += r.minutes;
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
    let mut h = fixture_harness();
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
/// West (California, Pacific Northwest).
fn regions_harness() -> Harness<'static, TerritoryApp> {
    regions_harness_of(egui::Vec2::new(1500.0, 950.0))
}

/// [`regions_harness`] in a window of this size.
fn regions_harness_of(size: egui::Vec2) -> Harness<'static, TerritoryApp> {
    let mut plan = common::fixture_plan();
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
    common::harness_sized(app, size, 8)
}

/// Minutes a year of each account of the fixture: (name, territory, minutes).
fn accounts_with_minutes() -> Vec<(String, String, i64)> {
    common::fixture_rows().into_iter().map(|r| (r.name, r.territory, r.minutes)).collect()
}

/// With an East account selected, hovering California's row previews the move in the
/// region rows too: East's workload without the account, West's with it, worked out
/// here from the fixture; nothing changes until it is assigned.
#[test]
fn a_previewed_move_shows_in_the_region_rows() {
    let mut h = regions_harness();
    let sums = workload_by_territory();
    let rows = accounts_with_minutes();
    let east: [&str; 3] = ["New York Metro", "Mid-Atlantic", "Northeast"];
    let west: [&str; 2] = ["California", "Pacific Northwest"];
    // The heaviest East account whose name is unique, so that the search finds it alone.
    let (name, _, minutes) = rows
        .iter()
        .filter(|(n, t, _)| east.contains(&t.as_str()) && rows.iter().filter(|r| &r.0 == n).count() == 1)
        .max_by_key(|r| r.2)
        .cloned()
        .expect("an East account");
    let hours = |m: i64| territory_editor::format::thousands((m as f64 / 60.0).round() as i64);
    let east_now: i64 = east.iter().map(|n| sums[*n]).sum();
    let west_now: i64 = west.iter().map(|n| sums[*n]).sum();
    let (east_after, west_after) = (east_now - minutes, west_now + minutes);
    assert_ne!(hours(east_now), hours(east_after), "pick an account that changes the rounded hours");
    assert!(h.query_by_label(&hours(east_now)).is_some() && h.query_by_label(&hours(west_now)).is_some());
    assert!(h.query_by_label(&hours(east_after)).is_none() && h.query_by_label(&hours(west_after)).is_none());

    h.get_by_label("🔎").click();
    h.run();
    h.get_by_label("🔎").type_text(&name);
    h.run();
    h.get_by_label_contains(&name).click();
    h.run_steps(3);
    assert_eq!(h.state().selection().len(), 1, "the account is selected");
    // Hover California's row in the Accounts column (its name is a drag handle).
    let x = h.get_by_label("Accounts").rect().center().x;
    let y = h.get_by_label("California").rect().center().y;
    h.hover_at(egui::pos2(x, y));
    h.run_steps(3);
    assert!(h.query_by_label_contains("Preview: assigning the selection to California").is_some());
    assert!(h.query_by_label(&hours(east_after)).is_some(), "East after the move: {} h", hours(east_after));
    assert!(h.query_by_label(&hours(west_after)).is_some(), "West after the move: {} h", hours(west_after));
    assert_eq!(h.state().doc.editor.undo_depth(), 0, "a preview changes nothing");
}

/// The fixture with two regions, East (New York Metro, Mid-Atlantic, Northeast) and
/// West (California, Pacific Northwest): collapsing East hides its three territories'
/// rows and keeps its roll-up, worked out here; expanding shows them again.
#[test]
fn a_region_collapses_and_expands() {
    collapse_and_expand(regions_harness());
}

/// The same on a projector's 1280 points, where the table leaves out two columns and
/// the panel is held to its share of the window.
#[test]
fn a_region_collapses_and_expands_in_a_narrow_window() {
    collapse_and_expand(regions_harness_of(egui::Vec2::new(1280.0, 950.0)));
}

fn collapse_and_expand(mut h: Harness<'static, TerritoryApp>) {
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

#[test]
fn a_reps_home_is_set_by_a_click_on_the_map_and_undone() {
    let mut h = fixture_harness();
    let (slot, name) = {
        let plan = h.state().doc.editor.plan();
        let (i, t) = plan.live_territories().next().expect("a territory");
        (i.get(), t.name.clone())
    };
    assert_eq!(h.state().doc.editor.plan().territories[slot].rep_home, None);
    // Right-click the territory's row, then "Set rep's home on the map…".
    h.query_all_by_label(&name).next().expect("the territory's row").click_secondary();
    h.run();
    h.get_by_label("Set rep's home on the map…").click();
    h.run();
    let notice = h.state().notice().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("Click the home"), "{notice}");
    // A click on the map sets the home there, whatever the tool.
    let t = h.state().map_transform().expect("map");
    let p = t.rect.center() + Vec2::new(60.0, -40.0);
    h.hover_at(p);
    h.run();
    h.drag_at(p);
    h.run();
    h.drop_at(p);
    h.run();
    h.run();
    let (lon, lat) = h.state().doc.editor.plan().territories[slot].rep_home.expect("the home is set");
    let (x, y) = mercator(lon, lat);
    let clicked = t.to_mercator(p);
    assert!((x - clicked[0]).abs() < 1.0 && (y - clicked[1]).abs() < 1.0, "{lon}, {lat}");
    assert_eq!(h.state().doc.editor.undo_depth(), 1);
    assert!(h.state().selection().is_empty(), "the click placed the home, it selected nothing");
    // The Redraw form now offers to grow the territory around it.
    h.get_by_label("Redraw…").click();
    h.run();
    // A new window's first frame only measures it.
    h.run();
    assert!(h.query_all_by_label_contains("around each rep's home (1 set)").next().is_some());
    // Ctrl+Z takes it back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().doc.editor.plan().territories[slot].rep_home, None);
}
