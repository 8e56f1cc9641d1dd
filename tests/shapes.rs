//! Territory areas. `shapes` from the command line: the GeoJSON parses with the
//! `geojson` crate, each account of the fixture (read here from its CSV) lies in its
//! own territory's area (checked in lon/lat with `geo`) and in no other, the properties
//! carry the figures, the land and the distance limit cut the areas, and bad options
//! are refused. In the editor: the areas come on over 5,000 accounts in view, follow an
//! edit that moves a city, and switch off and on from the View menu.

use std::collections::BTreeMap;

use geo::{Contains, Intersects, MultiPolygon, Point};
use geojson::{FeatureCollection, GeoJson};

mod common;

use common::{fixture, json, run, select_rectangle, step_until, tmp};
use egui::Key;
use egui_kittest::kittest::Queryable;
use territory_editor::app::{AreasSetting, Document, TerritoryApp};

/// The fixture's accounts: (lon, lat, territory name).
fn accounts() -> Vec<(f64, f64, String)> {
    let mut reader = csv::Reader::from_path(fixture("small_accounts.csv")).expect("fixture");
    reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[3].parse().expect("lon"), r[2].parse().expect("lat"), r[11].to_owned())
        })
        .collect()
}

/// A territory's area and its properties, by name.
type Areas = BTreeMap<String, (MultiPolygon<f64>, serde_json::Value)>;

/// The areas of a shapes file by territory name, and its shared positions.
fn read(path: &std::path::Path) -> (Areas, Vec<(f64, f64)>) {
    let text = std::fs::read_to_string(path).expect("shapes file");
    let fc = FeatureCollection::try_from(text.parse::<GeoJson>().expect("GeoJSON")).expect("a FeatureCollection");
    let mut areas = BTreeMap::new();
    for f in &fc.features {
        let props = serde_json::Value::Object(f.properties.clone().expect("properties"));
        let geometry = f.geometry.clone().expect("geometry");
        let area: MultiPolygon<f64> =
            geo::Geometry::<f64>::try_from(geometry).expect("geometry converts").try_into().expect("a MultiPolygon");
        areas.insert(props["name"].as_str().expect("name").to_owned(), (area, props));
    }
    let shared = fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("shared_positions"))
        .and_then(|s| s.as_array())
        .map(|a| a.iter().map(|p| (p["lon"].as_f64().expect("lon"), p["lat"].as_f64().expect("lat"))).collect())
        .unwrap_or_default();
    (areas, shared)
}

#[test]
fn every_account_lies_in_its_own_territory_and_no_other() {
    let plan = common::import_to(&fixture("small_accounts.csv"), "shapes.ron");
    let out = tmp("shapes.geojson");
    let doc = json(&run(&["shapes", plan.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8"), "--json"]));
    let accounts = accounts();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &accounts {
        *count.entry(&a.2).or_default() += 1;
    }
    assert_eq!(doc["territories"], count.len());
    let (areas, shared) = read(&out);
    assert_eq!(areas.len(), count.len());
    let mut checked = 0;
    for (lon, lat, territory) in &accounts {
        if shared.contains(&(*lon, *lat)) {
            continue;
        }
        let p = Point::new(*lon, *lat);
        for (name, (area, _)) in &areas {
            if name == territory {
                assert!(area.contains(&p), "{territory}'s account at ({lon}, {lat}) is outside its area");
            } else {
                assert!(!area.intersects(&p), "{territory}'s account at ({lon}, {lat}) is inside {name}");
            }
        }
        checked += 1;
    }
    assert!(checked >= accounts.len() - 2 * shared.len() - 2, "{checked} of {} checked", accounts.len());
    for (name, (area, props)) in &areas {
        assert_eq!(props["accounts"], count[name.as_str()], "{name}: the accounts property");
        assert_eq!(props["pieces"], area.0.len(), "{name}: pieces are the polygons");
        assert!(props["workload_deviation"].is_number(), "{name}: the figures come along");
    }
}

#[test]
fn the_land_and_the_distance_limit_cut_the_areas() {
    let plan = common::import_to(&fixture("small_accounts.csv"), "shapes_cut.ron");
    let accounts = accounts();
    let near = |lon: f64, lat: f64, km: f64| {
        accounts.iter().any(|a| {
            let dx = (a.0 - lon) * 111.2 * lat.to_radians().cos();
            let dy = (a.1 - lat) * 111.2;
            (dx * dx + dy * dy).sqrt() < km
        })
    };
    // 30 km off Miami Beach, in the Atlantic: within 50 km of an account, but at sea.
    let sea = (-79.8, 25.8);
    assert!(near(sea.0, sea.1, 50.0), "the fixture has accounts in Miami");
    let with_land = tmp("shapes_land.geojson");
    run(&["shapes", plan.to_str().expect("utf-8"), "--out", with_land.to_str().expect("utf-8")]);
    let without = tmp("shapes_sea.geojson");
    run(&["shapes", plan.to_str().expect("utf-8"), "--out", without.to_str().expect("utf-8"), "--no-land"]);
    let covered = |path: &std::path::Path, (lon, lat): (f64, f64)| {
        read(path).0.values().any(|(area, _)| area.intersects(&Point::new(lon, lat)))
    };
    assert!(!covered(&with_land, sea), "the sea off Miami is not coloured");
    assert!(covered(&without, sea), "without the land cut it is");
    // Central Nevada is land, but more than 50 km from every account of the fixture.
    let desert = (-116.5, 39.0);
    assert!(!near(desert.0, desert.1, 60.0));
    assert!(!covered(&without, desert) && !covered(&with_land, desert), "an empty desert is not coloured");
}

#[test]
fn bad_options_are_refused() {
    let csv = fixture("small_accounts.csv");
    let out = common::bin()
        .args(["shapes", csv.to_str().expect("utf-8"), "--out", tmp("x.geojson").to_str().expect("utf-8")])
        .args(["--max-km", "0.5"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = tmp("shapes_input.csv");
    std::fs::copy(&csv, &copy).expect("copy");
    let out = common::bin()
        .args(["shapes", copy.to_str().expect("utf-8"), "--out", copy.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "--out over its own input");
    assert_eq!(std::fs::read(&copy).expect("still there"), std::fs::read(&csv).expect("fixture"));
}

/// The territory slot whose area covers (lon, lat) in the editor, if any.
fn owner_at(app: &TerritoryApp, (lon, lat): (f64, f64)) -> Vec<usize> {
    let p = Point::new(lon, lat);
    app.doc.areas.shapes().areas.iter().enumerate().filter(|(_, a)| a.intersects(&p)).map(|(i, _)| i).collect()
}

/// View ▸ Territory areas ▸ `choice`.
fn choose_areas(h: &mut egui_kittest::Harness<'_, TerritoryApp>, choice: &str) {
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Territory areas").hover();
    h.run();
    h.get_by_label(choice).click();
    h.run();
}

fn areas_ready(h: &egui_kittest::Harness<'_, TerritoryApp>) -> bool {
    let s = h.state();
    s.doc.areas.current(&s.doc.editor) && !s.doc.areas.shapes().areas.is_empty()
}

/// Areas that take a while (here: the demo's first areas, held up by the test) are
/// named in the status bar until they are drawn. Deterministic: the worker's answer is
/// taken only in a frame, after the status bar is laid out, so a computation under way
/// before a frame is still under way when that frame's status bar is drawn.
#[test]
fn the_status_bar_names_areas_that_take_a_while() {
    let note = "⏳ Drawing territory areas…";
    let mut h = common::harness_on(TerritoryApp::new(Document::demo()), 0);
    // The first frame starts the computation; no frame has taken its answer yet.
    h.step();
    assert!(h.state().doc.areas.busy());
    assert!(h.query_by_label(note).is_none(), "not at once");
    std::thread::sleep(std::time::Duration::from_millis(450));
    assert!(h.state().doc.areas.busy());
    h.step();
    assert!(h.query_by_label(note).is_some(), "named once it has taken 0.4 s");
    step_until(&mut h, areas_ready);
    h.step();
    assert!(h.query_by_label(note).is_none(), "gone once the areas are drawn");
}

#[test]
fn the_editor_areas_follow_an_edit_and_switch_off() {
    let mut h = common::harness_on(TerritoryApp::new(Document::demo()), 4);
    assert_eq!(h.state().settings.areas, AreasSetting::Auto);
    // The demo's 50,000 accounts are in view: over 5,000, so the areas come on.
    step_until(&mut h, areas_ready);
    h.run_steps(2);
    // Each territory in more than one piece says so in the panel, as `quality` counts.
    {
        let plan = h.state().doc.editor.plan();
        let pieces = territory_editor::quality::pieces(plan, &territory_editor::quality::adjacency(&plan.accounts));
        let mut by_count: BTreeMap<usize, usize> = BTreeMap::new();
        for (t, _) in plan.live_territories() {
            if pieces[t.get()] > 1 {
                *by_count.entry(pieces[t.get()]).or_default() += 1;
            }
        }
        assert!(!by_count.is_empty(), "the demo has territories in several pieces");
        for (n, territories) in by_count {
            assert_eq!(h.query_all_by_label(&format!("{n} pieces")).count(), territories, "{n} pieces");
        }
    }
    // A city in the middle of the map: the first account the rectangle selects that
    // stands alone at its position.
    select_rectangle(&mut h, 30.0);
    let plan = h.state().doc.editor.plan().clone();
    let chosen: Vec<u32> = h.state().selection().iter().collect();
    assert!(!chosen.is_empty(), "the rectangle selects accounts");
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let city = chosen
        .iter()
        .map(|&a| a as usize)
        .find(|&a| positions.iter().filter(|&&p| p == positions[a]).count() == 1)
        .expect("an account alone at its position");
    let before = plan.assignment[city].expect("assigned").get();
    assert_eq!(owner_at(h.state(), positions[city]), vec![before], "the city lies in its territory's area");
    // Assign the selection to another territory with its number key.
    let key = if before == 0 { Key::Num2 } else { Key::Num1 };
    h.key_press(key);
    h.run_steps(2);
    let after = h.state().doc.editor.plan().assignment[city].expect("assigned").get();
    assert_ne!(after, before, "the key moved the city");
    step_until(&mut h, areas_ready);
    assert_eq!(owner_at(h.state(), positions[city]), vec![after], "the area at the city changed hands");
    // View ▸ Territory areas ▸ Never: an undo no longer redraws the areas.
    choose_areas(&mut h, "Never (dots only)");
    assert_eq!(h.state().settings.areas, AreasSetting::Never);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(5);
    assert_eq!(h.state().doc.editor.plan().assignment[city].map(|t| t.get()), Some(before));
    assert!(!h.state().doc.areas.current(&h.state().doc.editor), "off: nothing is computed");
    assert!(!h.state().doc.areas.busy());
    // Always: they come back, with the city home again.
    choose_areas(&mut h, "Always");
    step_until(&mut h, areas_ready);
    assert_eq!(owner_at(h.state(), positions[city]), vec![before]);
}

#[test]
fn map_writes_a_png_and_an_svg_with_the_figures() {
    let plan = common::import_to(&fixture("small_accounts.csv"), "map.ron");
    let png = tmp("map.png");
    run(&["map", plan.to_str().expect("utf-8"), "--out", png.to_str().expect("utf-8"), "--width", "1600"]);
    let bytes = std::fs::read(&png).expect("written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&bytes).expect("decodes");
    assert_eq!(pixmap.width(), 1600);
    let h = pixmap.height();
    assert!((1600 / 3..=1600 * 2).contains(&h), "a sensible height: {h}");
    // The SVG names every territory once in the legend, with its accounts.
    let svg_path = tmp("map.svg");
    run(&[
        "map",
        plan.to_str().expect("utf-8"),
        "--out",
        svg_path.to_str().expect("utf-8"),
        "--title",
        "Q3 <plan> & more",
    ]);
    let svg = std::fs::read_to_string(&svg_path).expect("written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("Q3 &lt;plan&gt; &amp; more"), "the title, escaped");
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for a in accounts() {
        *count.entry(a.2).or_default() += 1;
    }
    for (name, n) in &count {
        assert!(svg.contains(&format!(">{name}</text>")), "{name} is named");
        assert!(svg.contains(&format!(">{n}</text>")), "{name}'s {n} accounts are in the legend");
    }
}

#[test]
fn map_changes_draws_what_moved_and_refuses_bad_options() {
    let plan = common::import_to(&fixture("small_accounts.csv"), "map_changes.ron");
    let two = tmp("map_two.ron");
    let p = plan.to_str().expect("utf-8");
    run(&["balance", p, "--new-scenario", "Balanced", "--out", two.to_str().expect("utf-8")]);
    let t = two.to_str().expect("utf-8");
    let moved = json(&run(&["compare", t, "--a", "As is", "--b", "Balanced", "--json"]))["moved"]["accounts"]
        .as_u64()
        .expect("moved accounts");
    assert!(moved > 0, "Balance moved accounts");
    let out = tmp("map_changes.svg");
    run(&["map", t, "--scenario", "Balanced", "--changes-from", "As is", "--out", out.to_str().expect("utf-8")]);
    let svg = std::fs::read_to_string(&out).expect("written");
    let group = svg.split(r#"<g id="moved">"#).nth(1).and_then(|s| s.split("</g>").next()).expect("the moved group");
    assert_eq!(group.matches('M').count() as u64, moved, "one emphasised dot per account that moved");
    for bad in [vec!["--out", "x.jpg"], vec!["--out", "x.png", "--width", "100"]] {
        let out = common::bin().args(["map", p]).args(&bad).output().expect("runs");
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Picks `entry` in the File menu and, as no system file dialog is here, types `out`
/// into the prompt titled `prompt`; waits for the notice that starts with `done`.
fn export_through_the_menu(
    h: &mut egui_kittest::Harness<'_, TerritoryApp>,
    entry: &str,
    prompt: &str,
    out: &std::path::Path,
    done: &str,
) {
    let _ = std::fs::remove_file(out);
    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains(entry).click();
    // The menu closes with an animation: step, and wait for the prompt below.
    h.step();
    step_until(h, |h| h.query_by_label(prompt).is_some());
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.run();
    h.event(egui::Event::Text(out.display().to_string()));
    h.run();
    h.key_press(Key::Enter);
    h.step();
    step_until(h, |h| h.query_by_label_contains(done).is_some());
}

#[test]
fn file_export_map_writes_the_picture() {
    let mut h = common::harness_on(TerritoryApp::new(Document::demo()), 4);
    let out = tmp("editor_map.png");
    export_through_the_menu(&mut h, "Export map", "Export the map (.png or .svg) to", &out, "Exported the map");
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(&out).expect("written")).expect("a PNG");
    assert_eq!(pixmap.width(), territory_editor::render::DEFAULT_WIDTH);
}

/// File ▸ Export territory book… and Export territory shapes… write what `book` and
/// `shapes` write, of the plan as edited: after an account changes territory in the
/// editor, the shapes put it in its new territory.
#[test]
fn file_exports_the_book_and_the_shapes_of_the_plan_as_edited() {
    let mut h = common::fixture_harness();
    // A rectangle in the middle of the map, given to territory 1 (or 2) by its key.
    select_rectangle(&mut h, 40.0);
    let plan = h.state().doc.editor.plan().clone();
    let chosen: Vec<u32> = h.state().selection().iter().collect();
    assert!(!chosen.is_empty(), "the rectangle selects accounts");
    let key = if plan.assignment[chosen[0] as usize].is_some_and(|t| t.get() == 0) { Key::Num2 } else { Key::Num1 };
    h.key_press(key);
    h.run_steps(2);
    let plan = h.state().doc.editor.plan().clone();
    let to = plan.territories[plan.assignment[chosen[0] as usize].expect("assigned").get()].name.clone();
    let moved: std::collections::BTreeSet<&str> = chosen.iter().map(|&a| plan.accounts.id(a as usize)).collect();
    // The fixture's rows (read with the csv crate), with the selected ones moved.
    let mut reader = csv::Reader::from_path(fixture("small_accounts.csv")).expect("fixture");
    let accounts: Vec<(f64, f64, String)> = reader
        .records()
        .map(|r| {
            let r = r.expect("row");
            let territory = if moved.contains(&r[0]) { to.clone() } else { r[11].to_owned() };
            (r[3].parse().expect("lon"), r[2].parse().expect("lat"), territory)
        })
        .collect();
    assert!(accounts.iter().zip(self::accounts()).any(|(a, b)| a.2 != b.2), "the edit changed a territory");

    let shapes = tmp("editor_shapes.geojson");
    export_through_the_menu(
        &mut h,
        "Export territory shapes",
        "Export the territory shapes (.geojson) to",
        &shapes,
        "Exported the territory shapes",
    );
    let (areas, shared) = read(&shapes);
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &accounts {
        *count.entry(&a.2).or_default() += 1;
    }
    assert_eq!(areas.len(), count.len(), "a feature a territory");
    for (name, (_, props)) in &areas {
        assert_eq!(props["accounts"], count[name.as_str()], "{name}: the accounts as edited");
    }
    for (lon, lat, territory) in accounts.iter().filter(|a| !shared.contains(&(a.0, a.1))) {
        let p = Point::new(*lon, *lat);
        assert!(areas[territory].0.contains(&p), "{territory}'s account at ({lon}, {lat}) is outside its area");
    }

    let book = tmp("editor_book.pdf");
    export_through_the_menu(
        &mut h,
        "Export territory book",
        "Export the territory book (.pdf) to",
        &book,
        "Exported the territory book",
    );
    let pdf = lopdf::Document::load(&book).expect("a PDF that a reader opens");
    assert_eq!(pdf.get_pages().len(), 1 + count.len(), "an overview and a page per territory");
}

#[test]
fn book_has_an_overview_and_a_page_per_territory() {
    let plan = common::import_to(&fixture("small_accounts.csv"), "book.ron");
    let two = tmp("book_two.ron");
    let p = plan.to_str().expect("utf-8");
    run(&["balance", p, "--new-scenario", "Balanced", "--out", two.to_str().expect("utf-8")]);
    let out = tmp("book.pdf");
    run(&["book", two.to_str().expect("utf-8"), "--scenario", "Balanced", "--out", out.to_str().expect("utf-8")]);
    let territories = accounts().into_iter().map(|a| a.2).collect::<std::collections::BTreeSet<_>>().len();
    let pdf = lopdf::Document::load(&out).expect("a PDF that a reader opens");
    assert_eq!(pdf.get_pages().len(), 1 + territories, "1 + K pages");
    let bad = common::bin().args(["book", p, "--out", "book.txt"]).output().expect("runs");
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_panel_lists_a_position_shared_by_two_territories() {
    let csv = tmp("shared_position.csv");
    std::fs::write(
        &csv,
        "id,name,lat,lon,territory\nA1,Alpha,38.0,-98.0,North\nA2,Beta,38.0,-98.0,South\nA3,Gamma,38.2,-98.3,North\nA4,Delta,37.9,-97.6,South\n",
    )
    .expect("written");
    let (plan, _) = territory_editor::io::csv_import::import_file(&csv, &Default::default()).expect("imports");
    let mut app = TerritoryApp::new(Document::new(plan, None, "shared".into()));
    app.settings.areas = AreasSetting::Always;
    let mut h = common::harness_on(app, 4);
    step_until(&mut h, areas_ready);
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("1 position holds accounts of more than one territory").is_some(),
        "the shared position is said, not hidden"
    );
}
