//! The editor and the user's data, driven headless with egui_kittest: the import
//! report's Fix and Show, and recovery after a crash.

use std::path::{Path, PathBuf};

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::model::Plan;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn harness_on(app: TerritoryApp) -> Harness<'static, TerritoryApp> {
    let mut h = Harness::builder()
        .with_size(Vec2::new(1500.0, 950.0))
        .build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);
    h.run_steps(4);
    h
}

fn step_until(h: &mut Harness<'_, TerritoryApp>, done: impl Fn(&Harness<'_, TerritoryApp>) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done(h) && std::time::Instant::now() < deadline {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(done(h), "timed out");
}

/// (note, id, lat, lon) of each row of the fixture, read here line by line.
fn fixture_rows() -> Vec<(String, String, f64, f64)> {
    let text = std::fs::read_to_string(fixture("geocode_de.csv")).expect("fixture");
    let num = |s: Option<&&str>| s.and_then(|s| s.replace(',', ".").parse::<f64>().ok()).unwrap_or(f64::NAN);
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.trim_end_matches('\r').split(';').collect();
            (c[0].to_owned(), c[1].to_owned(), num(c.get(3)), num(c.get(4)))
        })
        .collect()
}

#[test]
fn the_import_report_fixes_swapped_rows_and_shows_far_ones() {
    let rows = fixture_rows();
    let count = |notes: &[&str]| rows.iter().filter(|r| notes.contains(&r.0.as_str())).count();
    let mut h = harness_on(TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into())));
    h.state_mut().open_path(fixture("geocode_de.csv"));
    let kept = count(&["ok", "far", "short"]);
    step_until(&mut h, |h| h.state().doc.editor.plan().accounts.len() == kept);
    h.run_steps(3);
    // None of the swapped or sign-lost rows is on the map; the report offers Fix.
    let fixable = count(&["swapped", "flipped"]);
    assert!(h.query_by_label_contains(&format!("{fixable} rows' coordinates look swapped")).is_some());
    let plan = h.state().doc.editor.plan();
    for (note, id, ..) in &rows {
        if note == "swapped" || note == "flipped" {
            assert!(plan.accounts.iter().all(|a| a.id != id), "{id} must not be placed");
        }
    }
    h.get_by_label("Fix").click();
    step_until(&mut h, |h| h.state().doc.editor.plan().accounts.len() == kept + fixable);
    h.run_steps(3);
    assert!(h.query_by_label_contains(&format!("{fixable} rows were placed at a corrected position")).is_some());
    let plan = h.state().doc.editor.plan();
    for (note, id, lat, lon) in &rows {
        let want = match note.as_str() {
            "swapped" => (*lat, *lon),
            "flipped" => (-*lon, *lat),
            _ => continue,
        };
        let a = plan.accounts.iter().find(|a| a.id == id).expect("placed after Fix");
        assert_eq!((a.lon, a.lat), want, "{id}");
    }
    // Show puts the far account (Madrid) in the middle of the map, selected.
    let (_, far_id, lat, lon) = rows.iter().find(|r| r.0 == "far").expect("a far row").clone();
    h.get_by_label(&far_id).click();
    h.run_steps(4);
    let sel: Vec<u32> = h.state().selection().iter().collect();
    assert_eq!(sel.len(), 1);
    assert_eq!(h.state().doc.editor.plan().accounts.get(sel[0] as usize).id, far_id);
    let (vlon, vlat, _) = h.state().view().expect("view");
    assert!((vlon - lon).abs() < 1e-6 && (vlat - lat).abs() < 1e-6, "centred on {far_id}");
}
