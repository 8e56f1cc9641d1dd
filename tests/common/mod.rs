//! What the command-line tests share: the binary, the fixtures, a temporary folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_territory-editor"))
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A path in this test process's own temporary folder.
pub fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("te-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Imports `csv` into a plan `name` in the temporary folder (the import must succeed).
pub fn import_to(csv: &Path, name: &str) -> PathBuf {
    let out = tmp(name);
    let r = run(&["import", csv.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    out
}

/// Web Mercator, written out here rather than taken from the library.
pub fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let r = 6_378_137.0;
    (r * lon.to_radians(), r * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln())
}

/// The JSON document a successful run printed.
pub fn json(out: &Output) -> Value {
    assert!(out.status.success(), "exit {:?}: {}", out.status.code(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

/// The real editor on `app`, headless, at 1500 × 950 points, after `steps` frames.
pub fn harness_on(
    app: territory_editor::app::TerritoryApp,
    steps: usize,
) -> egui_kittest::Harness<'static, territory_editor::app::TerritoryApp> {
    harness_sized(app, egui::Vec2::new(1500.0, 950.0), steps)
}

/// The real editor on `app`, headless, in a window of `size` points, after `steps`
/// frames.
pub fn harness_sized(
    app: territory_editor::app::TerritoryApp,
    size: egui::Vec2,
    steps: usize,
) -> egui_kittest::Harness<'static, territory_editor::app::TerritoryApp> {
    let mut h = egui_kittest::Harness::builder()
        .with_size(size)
        .build_ui_state(|ui, app: &mut territory_editor::app::TerritoryApp| app.show(ui), app);
    h.run_steps(steps);
    h
}

/// Steps an editor harness until `done` holds (work runs on background threads),
/// at most 20 s.
pub fn step_until(
    h: &mut egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>,
    done: impl Fn(&egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !done(h) && std::time::Instant::now() < deadline {
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(done(h), "timed out");
}

/// Drags a rectangle (the R tool) from `inset` points up-left of the map's centre to
/// `inset` down-right: a selection in the middle of the map.
pub fn select_rectangle(h: &mut egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>, inset: f32) {
    h.key_press(egui::Key::R);
    h.run();
    let t = h.state().map_transform().expect("map");
    let (a, b) = (t.rect.center() - egui::Vec2::splat(inset), t.rect.center() + egui::Vec2::splat(inset));
    h.hover_at(a);
    h.run();
    h.drag_at(a);
    h.run();
    h.hover_at(b);
    h.run();
    h.drop_at(b);
    h.run();
}

/// Drags the map from `from` by `by` points, as a hand on the mouse does: press, move
/// in `steps` steps with a frame each, release.
pub fn drag_map(
    h: &mut egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>,
    from: egui::Pos2,
    by: egui::Vec2,
    steps: u32,
) {
    h.drag_at(from);
    h.step();
    for i in 1..=steps {
        h.hover_at(from + by * (i as f32 / (steps + 1) as f32));
        h.step();
    }
    h.drop_at(from + by);
}

/// A row of `tests/fixtures/small_accounts.csv`, read with the `csv` crate (not the
/// program's importer), for expectations worked out independently.
pub struct FixtureRow {
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    /// Visits × minutes a visit.
    pub minutes: i64,
    pub territory: String,
}

/// The rows of the small fixture.
pub fn fixture_rows() -> Vec<FixtureRow> {
    let mut reader = csv::Reader::from_path(fixture("small_accounts.csv")).expect("fixture");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            FixtureRow {
                name: r[1].to_owned(),
                lat: r[2].parse().expect("lat"),
                lon: r[3].parse().expect("lon"),
                minutes: r[9].parse::<i64>().expect("visits") * r[10].parse::<i64>().expect("minutes"),
                territory: r[11].to_owned(),
            }
        })
        .collect()
}

/// The editor on the small fixture, after its first frames.
pub fn fixture_harness() -> egui_kittest::Harness<'static, territory_editor::app::TerritoryApp> {
    harness_for(fixture_plan(), "Fixture")
}

/// The small fixture, imported.
pub fn fixture_plan() -> territory_editor::model::Plan {
    territory_editor::io::csv_import::import_file(
        &fixture("small_accounts.csv"),
        &territory_editor::io::csv_import::ImportOptions::default(),
    )
    .expect("fixture imports")
    .0
}

/// The editor on `plan`, after its first frames.
pub fn harness_for(
    plan: territory_editor::model::Plan,
    title: &str,
) -> egui_kittest::Harness<'static, territory_editor::app::TerritoryApp> {
    let app = territory_editor::app::TerritoryApp::new(territory_editor::app::Document::new(plan, None, title.into()));
    harness_on(app, 8)
}

/// 2,000 generated accounts in 6 longitude bands: connected enough to balance.
pub fn generated_harness() -> egui_kittest::Harness<'static, territory_editor::app::TerritoryApp> {
    let mut csv = Vec::new();
    territory_editor::generate::generate(2000, 6, 3, &mut csv).expect("generate");
    let options = territory_editor::io::csv_import::ImportOptions::default();
    let (plan, _) = territory_editor::io::csv_import::import_bytes(&csv, "generated.csv", &options)
        .expect("generated data imports");
    harness_for(plan, "Generated")
}

/// Whether some widget shows exactly this text.
pub fn label_exists(h: &egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>, text: &str) -> bool {
    use egui_kittest::kittest::Queryable;
    h.query_all_by_label(text).next().is_some()
}

/// The largest |workload − mean| / mean over the live territories, summed here from the
/// accounts (visits × minutes), not taken from the editor's metrics.
pub fn max_workload_deviation(plan: &territory_editor::model::Plan) -> f64 {
    let mut load = vec![0.0f64; plan.territories.len()];
    for (i, owner) in plan.assignment.iter().enumerate() {
        if let Some(t) = owner {
            let a = plan.accounts.get(i);
            load[t.get()] += f64::from(a.visits_per_year) * f64::from(a.minutes_per_visit);
        }
    }
    let live: Vec<f64> = plan.territories.iter().zip(&load).filter(|(t, _)| t.alive).map(|(_, &l)| l).collect();
    let mean = live.iter().sum::<f64>() / live.len() as f64;
    live.iter().map(|l| (l / mean - 1.0).abs()).fold(0.0, f64::max)
}

/// The panel's headline figure, "Workload balance: max ±x.y%", for the editor's plan.
pub fn headline(h: &egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>) -> String {
    format!("Workload balance: max ±{:.1}%", max_workload_deviation(h.state().doc.editor.plan()) * 100.0)
}

/// Opens Balance… or Redraw… with `open`, runs it with `compute`, and waits until the
/// proposal is on show (a new window's first frame only measures it).
pub fn compute_proposal(
    h: &mut egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>,
    open: &str,
    compute: &str,
) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label(open).click();
    h.run();
    h.get_by_label(compute).click();
    h.step();
    step_until(h, |h| label_exists(h, "Discard"));
    h.run();
}

/// Moves the first account to another territory in the editor directly, between two
/// frames (as an edit lands while a worker runs); its id and where it went.
pub fn move_first_account(
    h: &mut egui_kittest::Harness<'_, territory_editor::app::TerritoryApp>,
) -> (String, territory_editor::model::TerritoryIdx) {
    let plan = h.state().doc.editor.plan().clone();
    let owner = plan.assignment[0].expect("assigned");
    let to = plan.live_territories().map(|(t, _)| t).find(|&t| t != owner).expect("another territory");
    let accounts = territory_editor::model::AccountSet::from_indices(vec![0]);
    h.state_mut()
        .doc
        .editor
        .apply(territory_editor::edit::Command::Reassign { accounts, to: Some(to) })
        .expect("moves")
        .expect("a change");
    (plan.accounts.id(0).to_owned(), to)
}
