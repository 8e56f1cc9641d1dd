//! The real editor driven headless with egui_kittest (no network, no tile source):
//! switch to the lasso, draw it over the map, assign the selection with the Assign
//! action, check the panel's text against totals computed here, and undo.

use std::path::Path;

use egui::{Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
mod common;
use common::{FixtureRow as Row, fixture_rows, mercator, select_rectangle, step_until};
use territory_editor::app::{Document, TerritoryApp};
use territory_editor::format::thousands;
use territory_editor::io::csv_import::{ImportOptions, import_file};

fn harness() -> Harness<'static, TerritoryApp> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small_accounts.csv");
    let (plan, _) = import_file(&path, &ImportOptions::default()).expect("fixture imports");
    let app = TerritoryApp::new(Document::new(plan, None, "Fixture".into()));
    common::harness_on(app, 8)
}

fn inside(poly: &[Pos2], p: Pos2) -> bool {
    let mut c = false;
    for i in 0..poly.len() {
        let (a, b) = (poly[i], poly[(i + poly.len() - 1) % poly.len()]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            c = !c;
        }
    }
    c
}

/// Selects the accounts under a square of `inset` points around the map's centre with
/// the rectangle tool.
fn label_exists(h: &Harness<'_, TerritoryApp>, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

#[test]
fn lasso_assign_and_undo_update_the_panel() {
    let mut h = harness();
    let rows = fixture_rows();
    h.get_by_label_contains("Lasso").click();
    h.run();
    let t = h.state().map_transform().expect("the map was drawn");

    // A hand-drawn loop around Texas and its neighbours, 48 points on screen.
    let to_screen = |lon: f64, lat: f64| {
        let (x, y) = mercator(lon, lat);
        let c = t.rect.center();
        Pos2::new(
            (f64::from(c.x) + (x - t.center[0]) * t.scale) as f32,
            (f64::from(c.y) - (y - t.center[1]) * t.scale) as f32,
        )
    };
    let lasso: Vec<Pos2> = (0..48)
        .map(|i| {
            let a = std::f64::consts::TAU * f64::from(i) / 48.0;
            let wobble = 1.0 + 0.08 * (3.0 * a).sin();
            to_screen(-99.0 + 7.5 * wobble * a.cos(), 31.0 + 5.0 * wobble * a.sin())
        })
        .collect();
    let selected: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            let p = to_screen(r.lon, r.lat);
            inside(&lasso, p)
        })
        .collect();
    assert!(selected.len() >= 10, "the lasso should catch accounts, got {}", selected.len());

    h.hover_at(lasso[0]);
    h.run();
    h.drag_at(lasso[0]);
    h.run();
    for p in &lasso[1..] {
        h.hover_at(*p);
        h.run();
    }
    h.drop_at(lasso[lasso.len() - 1]);
    h.run();
    assert_eq!(h.state().selection().len(), selected.len());
    let sel_minutes: i64 = selected.iter().map(|r| r.minutes).sum();
    let summary = format!("Selected: {} accounts", thousands(selected.len() as i64));
    assert!(h.query_by_label_contains(&summary).is_some(), "no label with {summary:?}");
    assert!(
        h.query_by_label_contains(&format!("workload {} h", thousands((sel_minutes as f64 / 60.0).round() as i64)))
            .is_some()
    );

    // Before and after, computed here: Plains gains every selected account.
    let target = "Plains";
    let before_n = rows.iter().filter(|r| r.territory == target).count();
    let before_min: i64 = rows.iter().filter(|r| r.territory == target).map(|r| r.minutes).sum();
    let gained: Vec<&&Row> = selected.iter().filter(|r| r.territory != target).collect();
    let after_n = before_n + gained.len();
    let after_min = before_min + gained.iter().map(|r| r.minutes).sum::<i64>();
    let hours = |m: i64| thousands((m as f64 / 60.0).round() as i64);
    assert!(label_exists(&h, &hours(before_min)));
    assert!(!label_exists(&h, &hours(after_min)), "pick a fixture where the figure changes");

    h.get_by_label("Assign to ⏵").click();
    h.run();
    // Hovering the menu entry previews the move before anything changes.
    h.get_by_label_contains(&format!("■ {target}")).hover();
    h.run();
    assert!(label_exists(&h, &hours(after_min)), "preview of Plains' workload: {}", hours(after_min));
    assert!(h.query_by_label_contains(&format!("Preview: assigning the selection to {target}")).is_some());
    assert_eq!(h.state().doc.editor.undo_depth(), 0);
    h.get_by_label_contains(&format!("■ {target}")).click();
    h.run();
    h.run();
    assert_eq!(h.state().doc.editor.undo_depth(), 1, "{:?}", h.state().notice());
    // Move the pointer off the panel: hovering a row previews that row's territory.
    h.hover_at(t.rect.center());
    h.run();
    assert!(label_exists(&h, &hours(after_min)), "Plains' workload after the move: {}", hours(after_min));
    assert!(label_exists(&h, &thousands(after_n as i64)));
    assert!(!label_exists(&h, &hours(before_min)));
    let plan = h.state().doc.editor.plan();
    let plains = plan.find_territory(target).expect("Plains");
    for i in h.state().selection().iter() {
        assert_eq!(plan.assignment[i as usize], Some(plains));
    }

    // Ctrl+Z puts it back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.run();
    assert!(label_exists(&h, &hours(before_min)));
    assert!(!label_exists(&h, &hours(after_min)));
    // And Ctrl+Shift+Z redoes it; Ctrl+Y, as the Help window lists, too.
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    h.run();
    assert!(label_exists(&h, &hours(after_min)));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.run();
    assert!(label_exists(&h, &hours(before_min)));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    h.run();
    assert!(label_exists(&h, &hours(after_min)));
}

#[test]
fn number_keys_assign_and_escape_clears() {
    let mut h = harness();
    h.key_press(Key::R);
    h.run();
    let t = h.state().map_transform().expect("map");
    let (a, b) = (t.rect.center() - Vec2::splat(200.0), t.rect.center() + Vec2::splat(200.0));
    h.hover_at(a);
    h.run();
    h.drag_at(a);
    h.run();
    h.hover_at(Pos2::new(b.x, a.y + 50.0));
    h.run();
    h.hover_at(b);
    h.run();
    h.drop_at(b);
    h.run();
    let n = h.state().selection().len();
    assert!(n > 0, "the rectangle should select accounts");
    // Key 1 assigns to the first territory in plan order.
    h.key_press(Key::Num1);
    h.run();
    let plan = h.state().doc.editor.plan();
    let first = plan.live_territories().next().map(|(i, _)| i);
    assert!(h.state().selection().iter().all(|i| plan.assignment[i as usize] == first));
    assert_eq!(h.state().doc.editor.undo_depth(), 1);
    h.key_press(Key::Escape);
    h.run();
    assert!(h.state().selection().is_empty());
    assert!(h.query_by_label("Nothing selected").is_some());
}

#[test]
fn create_rename_delete_territory_and_undo() {
    let mut h = harness();
    let before = h.state().doc.editor.plan().live_territories().count();
    h.get_by_label("➕ New territory").click();
    h.run();
    // The rename dialog opens with the new territory's name selected for editing.
    let default_name = format!("Territory {}", before + 1);
    assert_eq!(h.get_by_label("Name").value().as_deref(), Some(default_name.as_str()));
    h.get_by_label("Name").focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Name").type_text("Gulf Coast");
    h.run();
    h.get_by_label("OK").click();
    h.run();
    h.run();
    assert!(h.query_by_label("Gulf Coast").is_some(), "the renamed territory is listed");
    assert_eq!(h.state().doc.editor.plan().live_territories().count(), before + 1);
    assert_eq!(h.state().doc.editor.undo_depth(), 2, "create and rename are two steps");

    // Delete Plains; its accounts go to Unassigned (the dialog's default).
    let plains = h.state().doc.editor.plan().find_territory("Plains").expect("Plains");
    let n = h.state().doc.editor.metrics().territories[plains.get()].accounts;
    h.get_by_label("Plains").click_secondary();
    h.run();
    h.get_by_label("Delete…").click();
    h.run();
    h.get_by_label("Delete").click();
    h.run();
    h.run();
    assert!(h.query_by_label("Plains").is_none(), "Plains is gone from the table");
    assert_eq!(h.state().doc.editor.metrics().unassigned.accounts, n);
    assert!(h.query_by_label_contains(&format!("Unassigned: {} accounts", thousands(n as i64))).is_some());
    // Undo brings it back with its accounts.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    h.run();
    assert!(h.query_by_label("Plains").is_some());
    assert_eq!(h.state().doc.editor.metrics().unassigned.accounts, 0);
}

#[test]
fn a_csv_without_known_columns_offers_a_mapping_and_reports_bad_rows() {
    use egui::accesskit::Role;
    let mut h = harness();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unmapped_de.csv");
    h.state_mut().open_path(path);
    step_until(&mut h, |h| h.query_by_label_contains("no column the importer recognises").is_some());
    for (field, header) in [("id", "Nummer"), ("lat", "Y-Koordinate"), ("lon", "X-Koordinate")] {
        h.get_by_role_and_label(Role::ComboBox, field).click();
        h.run();
        h.get_by_label(header).click();
        h.run();
    }
    h.get_by_label("Import with this mapping").click();
    step_until(&mut h, |h| h.state().doc.editor.plan().accounts.len() == 2);
    h.run_steps(4);
    // The report lists the rejected row with its line and reason.
    assert!(h.query_by_label_contains("2 accounts imported, 1 row rejected").is_some());
    assert!(h.query_by_label_contains("latitude \"abc\" is not a number (decimal comma)").is_some());
    let plan = h.state().doc.editor.plan();
    let alpha = plan.accounts.iter().find(|a| a.id == "K1").expect("K1");
    assert_eq!((alpha.lat, alpha.lon), (48.1, 11.5));
    assert_eq!(alpha.potential, territory_editor::model::Cents(100_050));
}

#[test]
fn closing_with_unsaved_changes_asks_first() {
    let mut h = harness();
    // Nothing changed: no question.
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.run();
    assert!(h.query_by_label("Save changes?").is_none());
    // After an edit, closing asks; Cancel keeps the editor open with the change.
    h.key_press(Key::R);
    h.run();
    let t = h.state().map_transform().expect("map");
    let (a, b) = (t.rect.center() - Vec2::splat(150.0), t.rect.center() + Vec2::splat(150.0));
    h.drag_at(a);
    h.run();
    h.hover_at(Pos2::new(b.x, a.y + 40.0));
    h.run();
    h.drop_at(b);
    h.run();
    h.key_press(Key::Num2);
    h.run();
    assert_eq!(h.state().doc.editor.undo_depth(), 1);
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.run();
    assert!(h.query_by_label("Save changes?").is_some(), "unsaved changes must be asked about");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Save changes?").is_none());
    assert_eq!(h.state().doc.editor.undo_depth(), 1);
}

#[test]
fn search_finds_an_account_and_zooms_to_it() {
    let mut h = harness();
    let rows = fixture_rows();
    assert!(!rows.is_empty());
    let plan = h.state().doc.editor.plan();
    let target = plan.accounts.iter().position(|a| a.city == Some("Austin")).map(|i| plan.accounts.get(i).to_account());
    let Some(target) = target else { panic!("the fixture has an account in Austin") };
    h.get_by_label("🔎").click();
    h.run();
    h.get_by_label("🔎").type_text("Austin");
    h.run();
    h.get_by_label_contains(&target.name).click();
    h.run();
    h.run_steps(3);
    let sel: Vec<u32> = h.state().selection().iter().collect();
    assert_eq!(sel.len(), 1);
    let chosen = h.state().doc.editor.plan().accounts.get(sel[0] as usize);
    assert_eq!(chosen.city, Some("Austin"));
    let (lon, lat, zoom) = h.state().view().expect("view");
    assert!((lon - chosen.lon).abs() < 1e-6 && (lat - chosen.lat).abs() < 1e-6, "centred on the account");
    assert!(zoom >= 11.0);
}

/// The largest |workload − mean| / mean over the live territories, summed here from the
/// accounts (visits × minutes), not taken from the editor's metrics.
fn max_workload_deviation(plan: &territory_editor::model::Plan) -> f64 {
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
fn headline(h: &Harness<'_, TerritoryApp>) -> String {
    format!("Workload balance: max ±{:.1}%", max_workload_deviation(h.state().doc.editor.plan()) * 100.0)
}

/// Opens Balance… or Redraw… with `open`, runs it with `compute`, and waits until the
/// proposal is on show (a new window's first frame only measures it).
fn compute_proposal(h: &mut Harness<'_, TerritoryApp>, open: &str, compute: &str) {
    h.get_by_label(open).click();
    h.run();
    h.get_by_label(compute).click();
    h.step();
    step_until(h, |h| label_exists(h, "Discard"));
    h.run();
}

/// 2,000 generated accounts in 6 longitude bands: connected enough to balance.
fn generated_harness() -> Harness<'static, TerritoryApp> {
    let mut csv = Vec::new();
    territory_editor::generate::generate(2000, 6, 3, &mut csv).expect("generate");
    let (plan, _) = territory_editor::io::csv_import::import_bytes(&csv, "generated.csv", &ImportOptions::default())
        .expect("generated data imports");
    harness_for(plan, "Generated")
}

/// The editor on `plan`, after its first frames.
fn harness_for(plan: territory_editor::model::Plan, title: &str) -> Harness<'static, TerritoryApp> {
    let app = TerritoryApp::new(Document::new(plan, None, title.into()));
    common::harness_on(app, 8)
}

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
    compute_proposal(&mut h, "Redraw…", "Compute redraw");
    // A redraw draws new borders: no figure for crossing the old ones.
    assert!(h.query_all_by_label_contains("the excess needs about").next().is_none());
    let preview = labels(&h);
    assert_ne!(preview, labels_before);
    h.get_by_label("Discard").click();
    h.run();
    h.run();
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
fn a_reps_home_is_set_by_a_click_on_the_map_and_undone() {
    let mut h = harness();
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

/// The menus, the toolbar and the Help window take their shortcuts from the table the
/// key handler uses: Redo shows both of its keys (Ctrl+Y redoes: see the lasso test).
#[test]
fn shortcuts_shown_are_the_ones_that_work() {
    let mut h = harness();
    h.get_by_label("Help").click();
    h.run();
    h.get_by_label("Keyboard shortcuts").click();
    h.run();
    assert!(h.query_by_label("Ctrl+Shift+Z, Ctrl+Y").is_some(), "Redo's keys in the Help window");
    assert!(h.query_by_label("Ctrl+Z").is_some(), "Undo's key in the Help window");
    assert!(h.query_by_label("Ctrl+E").is_some(), "Export's key in the Help window");
}

/// The Help window lists the keys and what they do from the same table as the menus:
/// the File menu's Save shows Ctrl+S, and the Help window pairs Ctrl+S with saving.
#[test]
fn help_lists_the_menus_shortcuts() {
    let mut h = harness();
    h.get_by_label("File").click();
    h.run_steps(2);
    assert!(h.query_all_by_label_contains("Ctrl+S").next().is_some(), "the File menu shows Save's keys");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label_contains("Keyboard shortcuts").click();
    h.run_steps(3);
    for (keys, what) in [
        ("Ctrl+S", "Save the plan"),
        ("Ctrl+Shift+S", "Save the plan under another name"),
        ("Ctrl+Z", "Undo the last edit"),
        ("Esc", "Clear the selection"),
    ] {
        assert!(h.query_by_label(keys).is_some(), "{keys}");
        assert!(h.query_by_label(what).is_some(), "{what}");
    }
}

/// A new scenario from the bar, an edit in it by rectangle and number key; the
/// baseline's panel and plan are untouched, Ctrl+Z in the baseline does not reach the
/// new scenario's edit, and Ctrl+PageDown switches back to it.
#[test]
fn a_new_scenario_is_edited_apart_from_the_baseline() {
    let mut h = harness();
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
    let mut h = harness();
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
        h.query_all_by_label_contains(" ⏵ ").next().expect("a flow").accesskit_node().label().unwrap_or_default()
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

/// With areas on, a reassignment redraws them off the UI thread: once the worker has
/// answered, every moved account lies in its new territory's area and in no other
/// (tested with `geo` on the areas the editor holds), and Ctrl+Z brings the old areas
/// back.
#[test]
fn the_areas_follow_a_reassignment_and_its_undo() {
    use geo::Contains;
    let mut h = harness();
    h.state_mut().settings.areas = territory_editor::app::AreasSetting::Always;
    let current = |h: &Harness<'_, TerritoryApp>| h.state().doc.areas.current(&h.state().doc.editor);
    step_until(&mut h, current);
    let holds = |h: &Harness<'_, TerritoryApp>, i: usize| {
        let plan = h.state().doc.editor.plan();
        let a = plan.accounts.get(i);
        let p = geo::Point::new(a.lon, a.lat);
        let shapes = h.state().doc.areas.shapes();
        let owner = plan.assignment[i].map(|t| t.get());
        let shared = shapes.shared.iter().any(|s| s.accounts.contains(&(i as u32)));
        shared || shapes.areas.iter().enumerate().all(|(k, area)| area.contains(&p) == (Some(k) == owner))
    };
    let before = h.state().doc.editor.plan().assignment.clone();
    select_rectangle(&mut h, 120.0);
    h.key_press(Key::Num1);
    h.run_steps(2);
    let after = h.state().doc.editor.plan().assignment.clone();
    let moved: Vec<usize> = (0..after.len()).filter(|&i| after[i] != before[i]).collect();
    assert!(!moved.is_empty(), "the rectangle moved accounts");
    step_until(&mut h, current);
    for &i in &moved {
        assert!(holds(&h, i), "account {i} in its new territory's area only");
    }
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().doc.editor.plan().assignment, before);
    step_until(&mut h, current);
    for &i in &moved {
        assert!(holds(&h, i), "account {i} back in its old territory's area");
    }
}
