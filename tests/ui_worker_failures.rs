//! The editor when its work fails: a worker that panics (a bug) and a save that cannot
//! be written end with an error naming the file, never an endless spinner, and the
//! plan stays open, unchanged and unsaved. Driven headless with egui_kittest.
//!
//! A test binary of its own: `panic_in_next_worker` is process-wide.

use std::path::{Path, PathBuf};

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;
use common::step_until;
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::model::Plan;

fn harness_on(app: TerritoryApp) -> Harness<'static, TerritoryApp> {
    common::harness_on(app, 4)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("te-ui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A plan file of the small fixture, saved in `dir` under a German name.
fn fixture_plan(dir: &Path) -> PathBuf {
    let (plan, _) = territory_editor::io::csv_import::import_file(
        &common::fixture("small_accounts.csv"),
        &territory_editor::io::csv_import::ImportOptions::default(),
    )
    .expect("fixture imports");
    let path = dir.join("Gebiete Müller.ron");
    territory_editor::io::plan_file::save(&plan, &path).expect("saved");
    path
}

/// The error notice's text once the running job has ended (no Cancel button left).
fn error_after_job(h: &mut Harness<'_, TerritoryApp>) -> String {
    step_until(h, |h| h.state().notice().is_some_and(|n| n.error));
    h.run_steps(3);
    assert!(h.query_by_label("Cancel").is_none(), "the job's progress bar is gone");
    let text = h.state().notice().map(|n| n.text.clone()).unwrap_or_default();
    // The notice is on screen, not only in the state.
    assert!(h.query_by_label_contains(&text).is_some(), "shown: {text}");
    text
}

/// Moves the accounts under a rectangle in the middle of the map to territory 2.
fn assign_rectangle(h: &mut Harness<'_, TerritoryApp>) {
    h.key_press(egui::Key::R);
    h.run();
    let t = h.state().map_transform().expect("map");
    let (a, b) = (t.rect.center() - Vec2::splat(200.0), t.rect.center() + Vec2::splat(200.0));
    h.drag_at(a);
    h.run();
    h.hover_at(egui::Pos2::new(b.x, a.y + 40.0));
    h.run();
    h.drop_at(b);
    h.run();
    h.key_press(egui::Key::Num2);
    h.run();
}

/// The same assignment and territories (a save also records the map's view).
fn same_plan(a: &Plan, b: &Plan) -> bool {
    a.assignment == b.assignment && a.territories == b.territories && a.accounts == b.accounts
}

fn save(h: &mut Harness<'_, TerritoryApp>) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::S);
    h.run();
}

#[test]
fn failed_loads_and_saves_end_with_an_error_and_keep_the_plan() {
    let dir = temp_dir("failures");
    let plan_path = fixture_plan(&dir);
    let file_name = "Gebiete Müller.ron";
    let mut app = TerritoryApp::new(Document::new(Plan::default(), None, "Empty".into()));
    app.set_data_dir(dir.join("data"));
    let mut h = harness_on(app);

    // A loader that panics: an error naming the file, and the empty plan stays.
    territory_editor::panic_in_next_worker();
    h.state_mut().open_path(plan_path.clone());
    let text = error_after_job(&mut h);
    assert!(text.contains(file_name) && text.contains("internal error"), "{text}");
    assert!(h.state().doc.editor.plan().accounts.is_empty());

    // The same file opens once the bug is gone; one edit makes it unsaved.
    h.state_mut().open_path(plan_path.clone());
    step_until(&mut h, |h| !h.state().doc.editor.plan().accounts.is_empty());
    h.run_steps(4);
    assign_rectangle(&mut h);
    assert!(h.state().doc.editor.is_dirty(), "the rectangle moved accounts");
    let edited = h.state().doc.editor.plan().clone();
    let on_disk = std::fs::read(&plan_path).expect("plan file");

    // A saver that panics: an error naming the file; the file and the edit are kept.
    territory_editor::panic_in_next_worker();
    save(&mut h);
    let text = error_after_job(&mut h);
    assert!(text.contains(file_name) && text.contains("internal error"), "{text}");
    assert!(h.state().doc.editor.is_dirty());
    assert!(same_plan(h.state().doc.editor.plan(), &edited), "the edit is kept");
    assert!(std::fs::read(&plan_path).expect("plan file") == on_disk, "the file on disk is untouched");

    // A folder without write permission. Permission bits do not stop root (as CI may
    // run), so the test says when it cannot check this case.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let root = std::fs::write(dir.join("probe"), b"x").is_ok();
    if root {
        let _ = std::fs::remove_file(dir.join("probe"));
        eprintln!("running as root: a read-only folder does not stop root, checked the other failures only");
    } else {
        save(&mut h);
        let text = error_after_job(&mut h);
        assert!(text.contains("permission denied") && text.contains(&dir.display().to_string()), "{text}");
        assert!(h.state().doc.editor.is_dirty());
        assert!(same_plan(h.state().doc.editor.plan(), &edited), "the edit is kept");
        assert!(std::fs::read(&plan_path).expect("plan file") == on_disk);
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod back");

    // A folder that cannot exist (its parent is a file): the same, for every user.
    let blocker = dir.join("a file");
    std::fs::write(&blocker, b"not a folder").expect("blocker");
    h.state_mut().doc.path = Some(blocker.join(file_name));
    save(&mut h);
    let text = error_after_job(&mut h);
    assert!(text.contains("a file"), "names the folder: {text}");
    assert!(h.state().doc.editor.is_dirty());
    assert!(same_plan(h.state().doc.editor.plan(), &edited), "the edit is kept");

    // Balance whose worker panics: an error, no proposal, the plan as it was.
    territory_editor::panic_in_next_worker();
    h.get_by_label_contains("Balance…").click();
    h.run_steps(3);
    h.get_by_label("Compute balance").click();
    let text = error_after_job(&mut h);
    assert!(text.contains("internal error"), "{text}");
    assert!(same_plan(h.state().doc.editor.plan(), &edited), "the edit is kept");

    // And a save that works: written, clean, and the file reopens as the edited plan.
    h.state_mut().doc.path = Some(plan_path.clone());
    save(&mut h);
    step_until(&mut h, |h| !h.state().doc.editor.is_dirty());
    let reopened = territory_editor::io::plan_file::load(&plan_path).expect("reopens");
    assert!(reopened.assignment == edited.assignment, "the saved file holds the edit");
    let _ = std::fs::remove_dir_all(&dir);
}
