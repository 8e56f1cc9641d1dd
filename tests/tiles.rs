//! Online tiles against a tile server on localhost started here: the User-Agent is
//! sent, tiles land in the disk cache, and with the server gone the map still works.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

use egui::{Pos2, Vec2};
use egui_kittest::Harness;
use territory_editor::app::tiles::{USER_AGENT, tile_failures};
use territory_editor::app::{Document, TerritoryApp, Tool};
use territory_editor::io::csv_import::{ImportOptions, import_file};

/// A minimal HTTP/1.1 tile server: records each request's path and User-Agent.
fn serve(listener: TcpListener, seen: Arc<Mutex<Vec<(String, String)>>>, stop: Arc<AtomicBool>) {
    let png =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tile.png")).expect("tile fixture");
    listener.set_nonblocking(true).expect("non-blocking");
    while !stop.load(Ordering::Relaxed) {
        let Ok((mut stream, _)) = listener.accept() else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let _ = stream.set_nonblocking(false);
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            continue;
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut agent = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).map_or(true, |n| n == 0) || line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("user-agent")
            {
                agent = v.trim().to_owned();
            }
        }
        seen.lock().expect("lock").push((path, agent));
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nCache-Control: public, max-age=86400\r\nConnection: close\r\n\r\n",
            png.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&png);
    }
}

fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| if e.path().is_dir() { files_under(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}

#[test]
fn online_tiles_send_user_agent_fill_the_cache_and_survive_the_server_going_away() {
    // The editor's logger, which counts failed tile fetches instead of logging each.
    territory_editor::app::tiles::install_logger();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind localhost");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let server = {
        let (seen, stop) = (seen.clone(), stop.clone());
        std::thread::spawn(move || serve(listener, seen, stop))
    };

    let cache = std::env::temp_dir().join(format!("te-tiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small_accounts.csv");
    let (plan, _) = import_file(&fixture, &ImportOptions::default()).expect("fixture");
    let mut app = TerritoryApp::new(Document::new(plan, None, "Tiles".into()));
    app.set_tile_source(&format!("http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"), cache.clone());
    app.set_online_tiles(true);
    let mut h = Harness::builder()
        .with_size(Vec2::new(1200.0, 800.0))
        .build_ui_state(|ui, app: &mut TerritoryApp| app.show(ui), app);

    let deadline = Instant::now() + Duration::from_secs(20);
    while (seen.lock().expect("lock").len() < 4 || files_under(&cache) == 0) && Instant::now() < deadline {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    let requests = seen.lock().expect("lock").clone();
    assert!(requests.len() >= 4, "tiles were requested: {requests:?}");
    for (path, agent) in &requests {
        assert!(path.ends_with(".png"), "{path}");
        assert_eq!(agent, USER_AGENT);
    }
    assert!(files_under(&cache) > 0, "tiles land in the disk cache at {}", cache.display());

    // The server goes away; new tiles fail, and the map keeps working.
    stop.store(true, Ordering::Relaxed);
    server.join().expect("server thread");
    let failures_before = tile_failures();
    let center = h.state().map_transform().expect("map").rect.center();
    // Pan somewhere new so that tiles must be fetched, then zoom in.
    common::drag_map(&mut h, center, Vec2::new(400.0, 250.0), 10);
    let deadline = Instant::now() + Duration::from_secs(20);
    while tile_failures() == failures_before && Instant::now() < deadline {
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(tile_failures() > failures_before, "failed fetches are counted (the offline mark)");
    // Selecting still works offline.
    h.state_mut().zoom_to_plan();
    h.run_steps(3);
    h.state_mut().ui.tool = Tool::Rectangle;
    let rect = h.state().map_transform().expect("map").rect;
    let (a, b) = (rect.min + Vec2::splat(5.0), rect.max - Vec2::splat(5.0));
    h.hover_at(a);
    h.run_steps(3);
    h.drag_at(a);
    h.run_steps(3);
    h.hover_at(Pos2::new(b.x, a.y + 10.0));
    h.run_steps(3);
    h.hover_at(b);
    h.run_steps(3);
    h.drop_at(b);
    h.run_steps(3);
    h.run_steps(3);
    assert!(!h.state().selection().is_empty(), "the map still selects with the tile server gone");
    let _ = std::fs::remove_dir_all(&cache);
}
