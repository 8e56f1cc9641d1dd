//! CPU time of one editor frame, headless: the real app's UI through
//! `egui::Context::run_ui` plus tessellation, 1600×1000 points at 1 pixel per point.
//! Views: the contiguous US, and a 40-km-wide New York view; steady frames (nothing
//! changes), panning frames (a drag moves the map every frame), and lasso frames (a
//! lasso being drawn, with the live selection and preview). Territory areas are off
//! but in the cases named `…_areas`, where they are on and already computed.

mod common;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egui::{Event, Modifiers, PointerButton, Pos2, RawInput, Rect, Vec2};
use territory_editor::app::{AreasSetting, Document, TerritoryApp, Tool};

fn input(events: Vec<Event>) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1600.0, 1000.0))),
        events,
        ..RawInput::default()
    }
}

/// Runs one frame and tessellates it; returns the time taken.
fn frame(ctx: &egui::Context, app: &mut TerritoryApp, events: Vec<Event>) -> Duration {
    let t0 = Instant::now();
    let out = ctx.run_ui(input(events), |ui| app.show(ui));
    let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
    std::hint::black_box(prims);
    t0.elapsed()
}

fn button(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton { pos, button: PointerButton::Primary, pressed, modifiers: Modifiers::NONE }
}

/// The editor on `plan`, headless (ppp 1, the projector style), after 8 frames;
/// territory areas as `areas` says.
fn app_with(plan: territory_editor::model::Plan, areas: AreasSetting) -> (egui::Context, TerritoryApp) {
    let mut app = TerritoryApp::new(Document::new(plan, None, "bench".into()));
    app.settings.areas = areas;
    let ctx = egui::Context::default();
    ctx.set_pixels_per_point(1.0);
    territory_editor::app::style_for_projector(&ctx);
    for _ in 0..8 {
        frame(&ctx, &mut app, vec![]);
    }
    (ctx, app)
}

/// `iters` panning frames: the view moves by 4 points of longitude a frame, back and
/// forth, so that every frame redraws what is in view; then back where it was.
fn pan_frames(ctx: &egui::Context, app: &mut TerritoryApp, iters: u64, (lon, lat, zoom): (f64, f64, f64)) -> Duration {
    let step = 4.0 / (256.0 * 2f64.powf(zoom)) * 360.0;
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let k = if (i / 50) % 2 == 0 { (i % 50) as f64 } else { 50.0 - (i % 50) as f64 };
        app.set_view(lon + step * (k + 1.0), lat, zoom);
        total += frame(ctx, app, vec![]);
    }
    app.set_view(lon, lat, zoom);
    frame(ctx, app, vec![]);
    total
}

/// The editor on `plan` without territory areas.
fn app_on(plan: territory_editor::model::Plan) -> (egui::Context, TerritoryApp) {
    app_with(plan, AreasSetting::Never)
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    group.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(4));
    // The balance panel as a tree: 1M accounts, the 12 territories in 4 regions (all
    // expanded) with capacities, a steady frame of the US view.
    {
        let (mut plan, _) = common::sorted_plan(1_000_000);
        for (i, name) in ["West", "Central", "South", "East"].iter().enumerate() {
            let r = territory_editor::model::ensure_path(&mut plan.regions, name).expect("region");
            for t in (i * 3)..(i * 3 + 3) {
                plan.territories[t].region = Some(r);
                plan.territories[t].capacity = [0.5, 1.0, 1.5][t % 3];
            }
        }
        let (ctx, mut app) = app_on(plan);
        app.zoom_to_plan();
        for _ in 0..4 {
            frame(&ctx, &mut app, vec![]);
        }
        group.bench_function(BenchmarkId::new("1000000/us", "steady_regions"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| frame(&ctx, &mut app, vec![])).sum())
        });
    }
    // A plan of 10,000 territories (a ZIP column taken for the territory, say): the
    // table lays out only the rows in view.
    {
        let mut csv = Vec::new();
        territory_editor::generate::generate(200_000, 10_000, 0, &mut csv).expect("generate");
        let options = territory_editor::io::csv_import::ImportOptions::default();
        let plan = territory_editor::io::csv_import::import_bytes(&csv, "generated.csv", &options).expect("import").0;
        let (ctx, mut app) = app_on(plan);
        group.bench_function(BenchmarkId::new("200000/us", "steady_10000_territories"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| frame(&ctx, &mut app, vec![])).sum())
        });
    }
    // Territory areas over 1M accounts, once the worker has made them: a steady frame
    // and panning, US view.
    {
        let (plan, _) = common::sorted_plan(1_000_000);
        let (ctx, mut app) = app_with(plan, AreasSetting::Always);
        app.zoom_to_plan();
        let t0 = Instant::now();
        while !app.doc.areas.current(&app.doc.editor) && t0.elapsed() < Duration::from_secs(60) {
            frame(&ctx, &mut app, vec![]);
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(app.doc.areas.current(&app.doc.editor), "the areas are made");
        group.bench_function(BenchmarkId::new("1000000/us", "steady_areas"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| frame(&ctx, &mut app, vec![])).sum())
        });
        let (lon, lat, zoom) = app.view().expect("map drawn");
        group.bench_function(BenchmarkId::new("1000000/us", "panning_areas"), |b| {
            b.iter_custom(|iters| pan_frames(&ctx, &mut app, iters, (lon, lat, zoom)))
        });
    }
    for n in [10_000usize, 100_000, 1_000_000] {
        let (plan, _) = common::sorted_plan(n);
        let (ctx, mut app) = app_on(plan);
        let map = app.map_transform().expect("map drawn").rect;
        let views = [("us", None), ("nyc", Some((-73.95, 40.72, 11.5)))];
        for (view, at) in views {
            match at {
                Some((lon, lat, zoom)) => app.set_view(lon, lat, zoom),
                None => app.zoom_to_plan(),
            }
            for _ in 0..4 {
                frame(&ctx, &mut app, vec![]);
            }
            let steady = BenchmarkId::new(format!("{n}/{view}"), "steady");
            group.bench_function(steady, |b| {
                b.iter_custom(|iters| (0..iters).map(|_| frame(&ctx, &mut app, vec![])).sum())
            });
            // Panning: the view moves by a few points every frame (as a drag moves it), so
            // that every frame redraws what is in view.
            let pan = BenchmarkId::new(format!("{n}/{view}"), "panning");
            let (lon, lat, zoom) = app.view().expect("map drawn");
            group.bench_function(pan, |b| b.iter_custom(|iters| pan_frames(&ctx, &mut app, iters, (lon, lat, zoom))));
        }
        // A lasso drawn over the US view, with the live selection and preview.
        app.zoom_to_plan();
        for _ in 0..4 {
            frame(&ctx, &mut app, vec![]);
        }
        group.bench_function(BenchmarkId::new(format!("{n}/us"), "lasso_drag"), |b| {
            b.iter_custom(|iters| {
                app.ui.tool = Tool::Lasso;
                let c = map.center();
                let at = |k: u64| {
                    let a = std::f32::consts::TAU * (k % 200) as f32 / 200.0;
                    c + Vec2::new(220.0 * a.cos(), 150.0 * a.sin())
                };
                frame(&ctx, &mut app, vec![Event::PointerMoved(at(0)), button(at(0), true)]);
                let mut total = Duration::ZERO;
                for i in 1..=iters {
                    total += frame(&ctx, &mut app, vec![Event::PointerMoved(at(i))]);
                }
                frame(&ctx, &mut app, vec![button(at(iters), false)]);
                total
            })
        });
        app.ui.tool = Tool::Pan;
    }
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
