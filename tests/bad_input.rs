//! Bad input on the command line: geocoding mistakes, short rows, numbers that would
//! wrap, one-line errors and exit codes. The expectations come from the fixtures' own
//! text (a hand-written note per row), read here line by line.

use std::path::Path;

use serde_json::Value;

mod common;

use common::{bin, fixture, json, run, tmp};

/// A row of `geocode_de.csv`: its line, the note written by hand in its first column
/// (what the import must make of it), its id and its coordinates as written.
struct Row {
    line: u64,
    note: String,
    id: String,
    lat: Option<f64>,
    lon: Option<f64>,
}

fn rows() -> Vec<Row> {
    // One record a line (the fixture quotes no line breaks): the line is its number.
    let text = std::fs::read_to_string(fixture("geocode_de.csv")).expect("fixture");
    let num = |s: Option<&&str>| s.and_then(|s| s.replace(',', ".").parse::<f64>().ok());
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(i, line)| {
            let cells: Vec<&str> = line.trim_end_matches('\r').split(';').collect();
            Row {
                line: i as u64 + 1,
                note: cells[0].to_owned(),
                id: cells[1].to_owned(),
                lat: num(cells.get(3)),
                lon: num(cells.get(4)),
            }
        })
        .collect()
}

fn lines_of(v: &Value, key: &str) -> Vec<u64> {
    v[key].as_array().expect(key).iter().map(|r| r["line"].as_u64().expect("line")).collect()
}

fn lines_noted(rows: &[Row], notes: &[&str]) -> Vec<u64> {
    rows.iter().filter(|r| notes.contains(&r.note.as_str())).map(|r| r.line).collect()
}

#[test]
fn swapped_null_and_far_rows_are_never_placed_silently() {
    let rows = rows();
    let out = tmp("geocode.ron");
    let o = run(&[
        "import",
        fixture("geocode_de.csv").to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--json",
    ]);
    let v = json(&o);
    // Rejected, each by its line: (0, 0), swapped and sign-lost rows (without
    // --fix-coordinates), a row with a missing potential, a row off the map.
    let rejected = lines_of(&v, "rejected");
    assert_eq!(rejected, lines_noted(&rows, &["swapped", "null", "flipped", "toofew", "offmap"]));
    let reasons: Vec<&str> =
        v["rejected"].as_array().expect("rejected").iter().map(|r| r["reason"].as_str().expect("reason")).collect();
    for (row, reason) in rows.iter().filter(|r| rejected.contains(&r.line)).zip(&reasons) {
        let want = match row.note.as_str() {
            "swapped" => "latitude and longitude look swapped",
            "flipped" => "longitude sign looks wrong",
            "null" => "no geocode: 0, 0",
            "toofew" => "5 of 8 fields: no potential, city, territory",
            "offmap" => "latitude 123 is out of range",
            other => panic!("unexpected {other}"),
        };
        assert!(reason.starts_with(want), "line {}: {reason}", row.line);
    }
    // Kept with a warning: the far one (Madrid, 1,064 km from Konstanz by the
    // haversine formula) and the short row whose city is missing.
    let warnings = lines_of(&v, "warnings");
    assert_eq!(warnings, lines_noted(&rows, &["far", "short"]));
    let far = &v["warnings"][0];
    assert!(far["reason"].as_str().expect("reason").ends_with("km from the nearest other account"), "{far}");
    assert_eq!(v["accepted"].as_u64(), Some(lines_noted(&rows, &["ok", "far", "short"]).len() as u64));
    assert_eq!(v["fixable"].as_u64(), Some(lines_noted(&rows, &["swapped", "flipped"]).len() as u64));
    // The CRLF file has no phantom blank line.
    assert_eq!(v["skipped"].as_array().map(Vec::len), Some(0));
}

#[test]
fn fix_coordinates_places_swapped_and_sign_lost_rows_at_the_corrected_position() {
    let rows = rows();
    let out = tmp("geocode-fixed.ron");
    let o = run(&[
        "import",
        fixture("geocode_de.csv").to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--fix-coordinates",
        "--json",
    ]);
    let v = json(&o);
    let fixed = lines_noted(&rows, &["swapped", "flipped"]);
    assert_eq!(v["fixed"].as_u64(), Some(fixed.len() as u64));
    assert_eq!(lines_of(&v, "rejected"), lines_noted(&rows, &["null", "toofew", "offmap"]));
    // Each fixed row is placed where its note says: swapped, or the longitude negated.
    for w in v["warnings"].as_array().expect("warnings") {
        let line = w["line"].as_u64().expect("line");
        let row = rows.iter().find(|r| r.line == line).expect("row");
        let (lat, lon) = (row.lat.expect("lat"), row.lon.expect("lon"));
        let (want_lon, want_lat) = match row.note.as_str() {
            "swapped" => (lat, lon),
            "flipped" => (-lon, lat),
            _ => continue,
        };
        assert_eq!((w["lon"].as_f64(), w["lat"].as_f64()), (Some(want_lon), Some(want_lat)), "{w}");
        assert_eq!(w["id"].as_str(), Some(row.id.as_str()));
    }
    // The saved plan holds them at the corrected positions.
    let plan = std::fs::read_to_string(&out).expect("plan");
    for row in rows.iter().filter(|r| r.note == "swapped") {
        let needle = format!("(\"{}\",", row.id);
        let at = plan.find(&needle).unwrap_or_else(|| panic!("{} in the plan", row.id));
        let line = &plan[at..plan[at..].find('\n').map_or(plan.len(), |e| at + e)];
        assert!(line.contains(&format!(",{},{},", row.lat.expect("lat"), row.lon.expect("lon"))), "{line}");
    }
}

#[test]
fn money_that_would_wrap_is_refused_with_its_line() {
    // Two accounts of 5e16 (cents 5e18 each) once summed to a negative total.
    let csv = tmp("huge.csv");
    std::fs::write(
        &csv,
        "id,lat,lon,potential\nA,40.0,-100.0,50000000000000000\nB,40.1,-100.1,50000000000000000\nC,40.2,-100.2,12.5\n",
    )
    .expect("written");
    let out = tmp("huge.ron");
    let v = json(&run(&["import", csv.to_str().expect("path"), "--out", out.to_str().expect("path"), "--json"]));
    assert_eq!(lines_of(&v, "rejected"), vec![2, 3]);
    assert!(v["rejected"][0]["reason"].as_str().expect("reason").contains("beyond the limit"), "{v}");
    // The plan's total is the one account left, exactly.
    let s = json(&run(&["stats", out.to_str().expect("path"), "--json"]));
    let total: f64 =
        s["territories"].as_array().expect("t").iter().map(|t| t["potential"].as_f64().expect("p")).sum::<f64>()
            + s["unassigned"]["potential"].as_f64().expect("u");
    assert_eq!(total, 12.5);
    // A plan file that carries such figures is refused, naming the account.
    let ron = tmp("huge-plan.ron");
    std::fs::write(
        &ron,
        r#"(version: 2, territories: [], accounts: [("A", "x", -100.0, 40.0, 500000000000000000, 0, 1, 1, None, None, None, None, false)])"#,
    )
    .expect("written");
    let o = run(&["stats", ron.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("\"A\"") && err.contains("beyond the limit"), "{err}");
}

#[test]
fn errors_are_one_line_and_stats_agrees_with_import_on_exit_codes() {
    // A CSV where nothing can be imported: both commands exit 1 and say why in one line.
    let csv = tmp("nothing.csv");
    let long = "x".repeat(10_000);
    std::fs::write(&csv, format!("id,lat,lon\nA,{long},1\nB,\"multi\nline\",2\n")).expect("written");
    for args in [
        vec!["import", csv.to_str().expect("path"), "--out", tmp("n.ron").to_str().expect("path")],
        vec!["stats", csv.to_str().expect("path")],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("no account could be imported: 2 rows rejected (line 2: latitude"), "{err}");
        // The offending text is quoted to 80 characters.
        assert!(err.len() < 400, "{} bytes", err.len());
    }
    // Usage errors are one line too, with a pointer to --help; exit 2.
    for args in [
        vec!["stats"],
        vec!["stats", "a.ron", "--bogus"],
        vec!["redraw", "a.ron", "--territories", "x", "--out", "b.ron"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("--help"), "{err}");
    }
}

#[test]
fn an_out_that_is_an_input_or_a_device_is_refused_and_links_are_followed() {
    let csv = tmp("same.csv");
    std::fs::write(&csv, "id,lat,lon\nA,40.0,-100.0\n").expect("written");
    let o = run(&["import", csv.to_str().expect("path"), "--out", csv.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is an input of the command"));
    assert_eq!(std::fs::read_to_string(&csv).expect("csv"), "id,lat,lon\nA,40.0,-100.0\n", "the CSV is untouched");
    #[cfg(unix)]
    {
        let o = run(&["import", csv.to_str().expect("path"), "--out", "/dev/null"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&o.stderr).contains("not a regular file"));
        // A plan saved through a symlink replaces the link's target; the link stays.
        let real = tmp("real-plan.ron");
        std::fs::write(&real, "old").expect("written");
        let link = tmp("link-plan.ron");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let o = run(&["import", csv.to_str().expect("path"), "--out", link.to_str().expect("path")]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink());
        assert!(std::fs::read_to_string(&real).expect("plan").contains("territory-editor plan"));
    }
}

/// The accounts of a generated CSV, counted here: `None` unless the file is whole
/// (a header, then rows of the header's field count, ending with a newline).
fn complete_rows(path: &Path) -> Option<usize> {
    let bytes = std::fs::read(path).ok()?;
    if !bytes.ends_with(b"\n") {
        return None;
    }
    // The csv crate's strict reader: a row of another field count is an error.
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes.as_slice());
    let mut n = 0;
    for r in reader.records() {
        r.ok()?;
        n += 1;
    }
    Some(n)
}

/// `generate` streams its rows into the file as it makes them: the whole run is one
/// save, so a kill at any moment lands in the middle of writing.
#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_file_whole() {
    use std::time::Instant;
    let dir = std::env::temp_dir().join(format!("te-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("accounts.csv");
    let generate = |n: &str| {
        bin()
            .args(["generate", "--accounts", n, "--out", out.to_str().expect("path")])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("spawned")
    };
    let t0 = Instant::now();
    assert!(generate("200000").wait().expect("ran").success());
    let whole = t0.elapsed();
    assert_eq!(complete_rows(&out), Some(200_000));
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut killed_mid_save = 0;
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let at = whole.mul_f64(0.05 + (seed % 1000) as f64 / 1000.0);
        let mut child = generate(if round % 2 == 0 { "150000" } else { "200000" });
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        let n = complete_rows(&out);
        assert!(matches!(n, Some(150_000) | Some(200_000)), "round {round}: {n:?} after a kill at {at:?}");
        let temporaries = std::fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .count();
        killed_mid_save += usize::from(temporaries > 0);
    }
    eprintln!("kills in the middle of a save: {killed_mid_save} of 12");
    // The next save removes the temporary files the killed ones left.
    assert!(generate("1000").wait().expect("ran").success());
    let left: Vec<String> =
        std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, vec!["accounts.csv".to_owned()]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn numeric_options_are_range_checked_with_one_line() {
    let csv = fixture("geocode_de.csv");
    let plan = tmp("limits.ron");
    assert!(run(&["import", csv.to_str().expect("path"), "--out", plan.to_str().expect("path")]).status.success());
    let p = plan.to_str().expect("path");
    let out = tmp("limits-out.ron");
    let o = out.to_str().expect("path");
    // No input could accept these: exit 2.
    for args in [
        vec!["redraw", p, "--territories", "0", "--out", o],
        vec!["redraw", p, "--territories", "10001", "--out", o],
        vec!["redraw", p, "--territories", "1000000000", "--out", o],
        vec!["quality", p, "--kmeans", "0"],
        vec!["quality", p, "--kmeans", "1000000000"],
        vec!["balance", p, "--tolerance", "0", "--out", o],
        vec!["balance", p, "--tolerance", "-0.5", "--out", o],
        vec!["balance", p, "--tolerance", "1", "--out", o],
        vec!["balance", p, "--tolerance", "NaN", "--out", o],
        vec!["balance", p, "--tolerance", "inf", "--out", o],
        vec!["generate", "--accounts", "10", "--territories", "0", "--out", o],
        vec!["balance", p, "--seed", "-1", "--out", o],
    ] {
        let r = run(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    // Limits that depend on the data: exit 1 (the plan has 52 accounts).
    for args in [vec!["redraw", p, "--territories", "53", "--out", o], vec!["quality", p, "--kmeans", "60"]] {
        let r = run(&args);
        assert_eq!(r.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&r.stderr).contains("more than the plan's 52 accounts"));
    }
    // Seeds take any u64.
    let r = run(&["redraw", p, "--territories", "2", "--seed", "18446744073709551615", "--out", o]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
}

#[test]
fn a_territory_column_that_is_not_one_is_caught() {
    // Every account its own territory (a ZIP column mapped as the territory): more
    // than the ceiling is refused; one per account under it is remarked on.
    let header = "id,lat,lon,territory\n";
    let rows = |n: usize| -> String {
        (0..n)
            .map(|i| format!("A{i},{},{},{:05}\n", 30.0 + (i % 100) as f64 * 0.1, -100.0 + (i / 100) as f64 * 0.1, i))
            .collect()
    };
    let big = tmp("zip-territories.csv");
    std::fs::write(&big, format!("{header}{}", rows(10_001))).expect("written");
    let r = run(&["import", big.to_str().expect("path"), "--out", tmp("zip.ron").to_str().expect("path")]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("10,001 territories; at most 10,000") && err.contains("\"territory\" column"), "{err}");
    let small = tmp("zip-territories-small.csv");
    std::fs::write(&small, format!("{header}{}", rows(500))).expect("written");
    let v = json(&run(&[
        "import",
        small.to_str().expect("path"),
        "--out",
        tmp("zip2.ron").to_str().expect("path"),
        "--json",
    ]));
    let notes = v["notes"].as_array().expect("notes");
    assert!(notes[0].as_str().expect("note").starts_with("500 territories for 500 accounts"), "{notes:?}");
}
