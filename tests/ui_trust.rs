//! The editor and the user's data, driven headless with egui_kittest: the import
//! report's Fix and Show, and recovery after a crash.

use std::path::{Path, PathBuf};

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;
use common::step_until;
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::model::Plan;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn harness_on(app: TerritoryApp) -> Harness<'static, TerritoryApp> {
    common::harness_on(app, 4)
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
    // A rejected row names its account (the (0, 0) row N1), not shown on the map.
    assert!(h.query_by_label("N1").is_some(), "the rejected row's id");
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

/// A plan file of the small fixture, saved in `dir`.
fn fixture_plan(dir: &Path) -> PathBuf {
    let (plan, _) = territory_editor::io::csv_import::import_file(
        &fixture("small_accounts.csv"),
        &territory_editor::io::csv_import::ImportOptions::default(),
    )
    .expect("fixture imports");
    let path = dir.join("Vertrieb Süd.ron");
    territory_editor::io::plan_file::save(&plan, &path).expect("saved");
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("te-ui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The small fixture's plan file, saved in `dir` and opened in the editor (its data
/// folder in `dir` too), with the accounts of a rectangle moved to territory 2.
fn edited_fixture_plan(dir: &Path) -> (Harness<'static, TerritoryApp>, PathBuf) {
    let plan_path = fixture_plan(dir);
    let mut app = TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into()));
    app.set_data_dir(dir.join("data"));
    let mut h = harness_on(app);
    h.state_mut().open_path(plan_path.clone());
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(4);
    assign_rectangle(&mut h, 150.0, egui::Key::Num2);
    (h, plan_path)
}

/// Draws a rectangle over the middle of the map and presses a number key.
fn assign_rectangle(h: &mut Harness<'_, TerritoryApp>, inset: f32, key: egui::Key) {
    h.key_press(egui::Key::R);
    h.run();
    let t = h.state().map_transform().expect("map");
    let (a, b) = (t.rect.center() - Vec2::splat(inset), t.rect.center() + Vec2::splat(inset));
    h.drag_at(a);
    h.run();
    h.hover_at(egui::Pos2::new(b.x, a.y + 40.0));
    h.run();
    h.drop_at(b);
    h.run();
    h.key_press(key);
    h.run();
}

#[test]
fn the_editor_recovers_after_a_crash() {
    let dir = temp_dir("recover");
    let data = dir.join("data");
    let plan_path = fixture_plan(&dir);
    let empty = || TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into()));

    // A session: open the plan, three edits and an undo, then a crash (the app is
    // dropped without a clean exit).
    let mut app = empty();
    app.set_data_dir(data.clone());
    assert!(app.recovery_offer().is_none());
    let mut h = harness_on(app);
    h.state_mut().open_path(plan_path.clone());
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(4);
    assign_rectangle(&mut h, 150.0, egui::Key::Num2);
    assign_rectangle(&mut h, 60.0, egui::Key::Num3);
    assign_rectangle(&mut h, 220.0, egui::Key::Num1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run();
    assert_eq!(h.state().doc.editor.undo_depth(), 2, "three edits, one undone");
    let before = h.state().doc.editor.plan().clone();
    let metrics = h.state().doc.editor.metrics().clone();
    // The journal is written within a second; the test does not wait for it.
    h.state().flush_journal();
    drop(h);

    // The next start offers the work back.
    let mut app = empty();
    app.set_data_dir(data.clone());
    let offer = app.recovery_offer().expect("a journal to recover");
    assert_eq!(offer.edits(), 4);
    let mut h = harness_on(app);
    assert!(h.query_by_label_contains("on Vertrieb Süd.ron was recovered (4 edits)").is_some());
    h.get_by_label("Restore").click();
    step_until(&mut h, |h| h.state().doc.editor.undo_depth() == 2);
    h.run_steps(3);
    let ed = &h.state().doc.editor;
    assert_eq!(ed.plan().assignment, before.assignment);
    assert_eq!(ed.metrics(), &metrics);
    assert!(ed.is_dirty(), "restored work is unsaved");
    assert_eq!(h.state().doc.path.as_deref(), Some(plan_path.as_path()));
    // The undo history came back too: Redo repeats the undone edit.
    assert!(ed.redo_label().is_some());
    // The panel shows the restored totals: the first territory's account count.
    let (t0, name) = ed.plan().live_territories().next().map(|(i, t)| (i, t.name.clone())).expect("a territory");
    let n = ed.metrics().territories[t0.get()].accounts;
    assert!(h.query_by_label_contains(&name).is_some() && n > 0);

    // A clean exit removes the journal: the start after it offers nothing.
    h.state_mut().clean_exit();
    drop(h);
    let mut app = empty();
    app.set_data_dir(data.clone());
    assert!(app.recovery_offer().is_none());
    // Nothing is left of the earlier sessions: only this editor's own lock.
    let left: Vec<String> = std::fs::read_dir(&data)
        .expect("data dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].ends_with(".lock"), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn recovered_edits_are_never_applied_to_a_changed_file() {
    let dir = temp_dir("changed");
    let data = dir.join("data");
    let plan_path = fixture_plan(&dir);
    let empty = || TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into()));
    let mut app = empty();
    app.set_data_dir(data.clone());
    let mut h = harness_on(app);
    h.state_mut().open_path(plan_path.clone());
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(4);
    assign_rectangle(&mut h, 150.0, egui::Key::Num2);
    h.state().flush_journal();
    drop(h);
    // Someone else saves the file meanwhile.
    let mut text = std::fs::read_to_string(&plan_path).expect("plan");
    text = text.replacen("name: \"", "name: \"Neu ", 1);
    std::fs::write(&plan_path, text).expect("written");

    let mut app = empty();
    app.set_data_dir(data.clone());
    let mut h = harness_on(app);
    h.get_by_label("Restore").click();
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(3);
    assert_eq!(h.state().doc.editor.undo_depth(), 0, "nothing replayed");
    assert!(h.query_by_label_contains("Not restored").is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Work in a new scenario survives a crash: the recovered plan has both scenarios, the
/// new one on screen with its edits, the baseline untouched.
#[test]
fn the_editor_recovers_work_in_a_new_scenario() {
    let dir = temp_dir("recover-scenario");
    let data = dir.join("data");
    let plan_path = fixture_plan(&dir);
    let empty = || TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into()));
    let mut app = empty();
    app.set_data_dir(data.clone());
    let mut h = harness_on(app);
    h.state_mut().open_path(plan_path.clone());
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(4);
    let baseline = h.state().doc.editor.plan().assignment.clone();
    // An edit in the baseline, then a new scenario with two edits of its own.
    assign_rectangle(&mut h, 60.0, egui::Key::Num3);
    let baseline_edited = h.state().doc.editor.plan().assignment.clone();
    assert_ne!(baseline_edited, baseline);
    h.get_by_label_contains("New scenario").click();
    h.run_steps(2);
    assign_rectangle(&mut h, 150.0, egui::Key::Num2);
    assign_rectangle(&mut h, 220.0, egui::Key::Num1);
    let in_new = h.state().doc.editor.plan().assignment.clone();
    assert_ne!(in_new, baseline_edited);
    h.state().flush_journal();
    drop(h);

    let mut app = empty();
    app.set_data_dir(data.clone());
    assert!(app.recovery_offer().is_some());
    let mut h = harness_on(app);
    h.get_by_label("Restore").click();
    step_until(&mut h, |h| h.state().doc.editor.plan().scenarios.len() == 2);
    step_until(&mut h, |h| h.state().doc.editor.plan().assignment == in_new);
    h.run_steps(3);
    let ed = &h.state().doc.editor;
    assert_eq!(ed.plan().scenario_name(), "Scenario 2");
    assert_eq!(ed.plan().scenario_parts(0).1, baseline_edited.as_slice());
    assert!(ed.is_dirty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The import report belongs to the file it reports on: opening another file after it
/// closes it, so it never stands over a plan it says nothing about.
#[test]
fn the_import_report_closes_when_another_file_opens() {
    let mut h = harness_on(TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into())));
    h.state_mut().open_path(fixture("geocode_de.csv"));
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(3);
    assert!(h.query_by_label("Import report").is_some(), "the bad rows are reported");
    h.state_mut().open_path(fixture("small_accounts.csv"));
    step_until(&mut h, |h| h.state().doc.title.contains("small_accounts"));
    h.run_steps(3);
    assert!(h.query_by_label("Import report").is_none(), "the other file's report is closed");
}

/// "Save changes?" ▸ Save goes the way Ctrl+S goes: a plan that someone else saved
/// meanwhile is not replaced without asking (it was, when that button saved on the
/// spot), and the file to open waits until the save has landed.
#[test]
fn saving_from_the_unsaved_question_asks_before_overwriting_and_then_goes_on() {
    let dir = temp_dir("unsaved-save");
    let (mut h, plan_path) = edited_fixture_plan(&dir);
    assert!(h.state().doc.editor.is_dirty());
    let moved = h.state().doc.editor.plan().assignment.clone();
    // Someone else saves the file meanwhile.
    let theirs = std::fs::read_to_string(&plan_path).expect("plan").replacen("name: \"", "name: \"Neu ", 1);
    std::fs::write(&plan_path, &theirs).expect("written");

    h.state_mut().open_path(fixture("small_accounts.csv"));
    h.run_steps(4);
    h.get_by_label("Save changes?");
    h.get_by_label("Save").click();
    h.run_steps(4);
    assert!(h.query_by_label("The file changed on disk").is_some(), "asked before replacing their version");
    assert_eq!(std::fs::read_to_string(&plan_path).expect("plan"), theirs, "their version is still there");
    assert!(h.state().doc.title.contains("Vertrieb"), "the other file waits for the answer");

    h.get_by_label("Overwrite").click();
    step_until(&mut h, |h| h.state().doc.title.contains("small_accounts"));
    let saved = territory_editor::io::plan_file::load(&plan_path).expect("our save reopens");
    assert_eq!(saved.assignment, moved, "the save holds the edit");
    let _ = std::fs::remove_dir_all(&dir);
}

/// On a 1024-point window the import report stays on screen: a long reason (a swapped
/// row's) is cut at the window's edge instead of widening the report past both edges of
/// the window, where its lines' starts could not be read.
#[test]
fn the_import_report_fits_a_small_window() {
    let app = TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into()));
    let mut h = common::harness_sized(app, Vec2::new(1024.0, 720.0), 2);
    territory_editor::app::style_for_projector(&h.ctx);
    h.state_mut().open_path(fixture("geocode_de.csv"));
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(10);
    let on_screen = |r: egui::Rect| r.min.x >= 0.0 && r.max.x <= 1024.0;
    for text in ["Import report", "Line", "Reason", "Fix"] {
        let r = h.get_by_label(text).rect();
        assert!(on_screen(r), "{text} at {r:?}");
    }
    let reasons: Vec<egui::Rect> =
        h.query_all_by_label_contains("latitude and longitude look swapped").map(|n| n.rect()).collect();
    assert!(!reasons.is_empty(), "a swapped row is reported");
    for r in reasons {
        assert!(on_screen(r), "a reason at {r:?}");
    }
}

/// Ctrl+S saves the plan as it is when pressed, off the UI thread; an edit made while
/// the file is written is not in it, so it stays unsaved (it had been marked saved when
/// the save landed: a close would not have asked, and the edit was lost).
#[test]
fn an_edit_made_while_saving_stays_unsaved() {
    let dir = temp_dir("edit-while-saving");
    let (mut h, plan_path) = edited_fixture_plan(&dir);
    let saved_state = h.state().doc.editor.plan().assignment.clone();
    // Ctrl+S down: the frame that takes it starts the save.
    h.event(egui::Event::Key {
        key: egui::Key::S,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND,
    });
    h.step();
    // Before the save's answer is read (the next frame), another account moves.
    let plan = h.state().doc.editor.plan().clone();
    let (a, to) = (0..plan.accounts.len())
        .find_map(|a| {
            let owner = plan.assignment[a]?;
            plan.live_territories().map(|(t, _)| t).find(|&t| t != owner).map(|t| (a, t))
        })
        .expect("an account that can move");
    let accounts = territory_editor::model::AccountSet::from_indices(vec![a as u32]);
    let cmd = territory_editor::edit::Command::Reassign { accounts, to: Some(to) };
    h.state_mut().doc.editor.apply(cmd).expect("moves").expect("a change");
    step_until(&mut h, |h| h.query_by_label_contains("Saved ").is_some());
    assert!(h.state().doc.editor.is_dirty(), "the move made during the save is not in the file");
    let on_disk = territory_editor::io::plan_file::load(&plan_path).expect("the save reopens");
    assert_eq!(on_disk.assignment, saved_state, "the file holds the plan as it was when Ctrl+S was pressed");
    // Undone, the plan is the file's again: nothing to save.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert!(!h.state().doc.editor.is_dirty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// An account moved while another file opens is not dropped without asking: the
/// editor asks "Save changes?" before the file replaces the plan (it had replaced it,
/// the edit with it); Don't save then opens it.
#[test]
fn an_edit_made_while_another_file_opens_is_asked_about() {
    let mut h = common::fixture_harness();
    h.state_mut().open_path(fixture("geocode_de.csv"));
    h.step();
    // Before the open's answer is read (the next frame), an account changes hands.
    let (_, to) = common::move_first_account(&mut h);
    step_until(&mut h, |h| h.query_by_label("Save changes?").is_some());
    assert_eq!(h.state().doc.title, "Fixture", "the edited plan is still on screen");
    assert_eq!(h.state().doc.editor.plan().assignment[0], Some(to));
    h.get_by_label("Don't save").click();
    step_until(&mut h, |h| h.state().doc.title.contains("geocode_de"));
}
