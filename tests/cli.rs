//! The command line on fixtures: `--json` parsed and checked against values computed
//! here from the fixture text; exit codes 2 for bad usage and 1 for bad data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;

use common::{fixture, json, mercator, run, tmp};

/// One fixture account, read by hand.
struct Row {
    id: String,
    name: String,
    lat: f64,
    lon: f64,
    potential: i64,
    revenue: i64,
    minutes: i64,
    territory: String,
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(fixture("small_accounts.csv")).expect("fixture");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            Row {
                id: r[0].to_owned(),
                name: r[1].to_owned(),
                lat: r[2].parse().expect("lat"),
                lon: r[3].parse().expect("lon"),
                revenue: r[7].parse().expect("revenue"),
                potential: r[8].parse().expect("potential"),
                minutes: r[9].parse::<i64>().expect("visits") * r[10].parse::<i64>().expect("minutes"),
                territory: r[11].to_owned(),
            }
        })
        .collect()
}

fn import_small(name: &str) -> PathBuf {
    common::import_to(&fixture("small_accounts.csv"), name)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn stats_match_sums_of_the_csv() {
    let plan = import_small("stats.ron");
    let stats = json(&run(&["stats", plan.to_str().expect("utf-8"), "--json"]));
    let rows = rows();
    assert_eq!(stats["schema"], 1);
    assert_eq!(stats["accounts"].as_u64(), Some(rows.len() as u64));
    let mut sums: BTreeMap<&str, (u64, i64, i64, i64)> = BTreeMap::new();
    for r in &rows {
        let e = sums.entry(r.territory.as_str()).or_default();
        e.0 += 1;
        e.1 += r.potential;
        e.2 += r.revenue;
        e.3 += r.minutes;
    }
    let territories = stats["territories"].as_array().expect("territories");
    assert_eq!(territories.len(), sums.len());
    let mean_w = sums.values().map(|s| s.3 as f64).sum::<f64>() / sums.len() as f64;
    let mean_p = sums.values().map(|s| s.1 as f64).sum::<f64>() / sums.len() as f64;
    let mut max_dev: f64 = 0.0;
    for t in territories {
        let name = t["name"].as_str().expect("name");
        let (n, pot, rev, min) = sums[name];
        assert_eq!(t["accounts"].as_u64(), Some(n), "{name}");
        assert!(close(t["potential"].as_f64().expect("num"), pot as f64), "{name}");
        assert!(close(t["annual_revenue"].as_f64().expect("num"), rev as f64), "{name}");
        assert!(close(t["workload_hours"].as_f64().expect("num"), min as f64 / 60.0), "{name}");
        let dev = (min as f64 - mean_w) / mean_w;
        assert!(close(t["workload_deviation"].as_f64().expect("num"), dev), "{name}");
        assert!(close(t["potential_deviation"].as_f64().expect("num"), (pot as f64 - mean_p) / mean_p), "{name}");
        max_dev = max_dev.max(dev.abs());
    }
    assert!(close(stats["balance"]["workload_max_abs_deviation"].as_f64().expect("num"), max_dev));
    let var = sums.values().map(|s| (s.3 as f64 - mean_w).powi(2)).sum::<f64>() / sums.len() as f64;
    assert!(close(stats["balance"]["workload_cv"].as_f64().expect("num"), var.sqrt() / mean_w));
    assert_eq!(stats["unassigned"]["accounts"], 0);
    // Spread: the RMS distance to the centre (the mean Web Mercator position), in km on
    // the ground at the centre's latitude, worked out here in floating point.
    for t in territories {
        let name = t["name"].as_str().expect("name");
        let pts: Vec<(f64, f64)> =
            rows.iter().filter(|r| r.territory == name).map(|r| mercator(r.lon, r.lat)).collect();
        let n = pts.len() as f64;
        let (cx, cy) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
        let ms = pts.iter().map(|p| (p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sum::<f64>() / n;
        let lat = (2.0 * (cy / 6_378_137.0).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees();
        let want = ms.sqrt() * lat.to_radians().cos() / 1000.0;
        let got = t["spread_km"].as_f64().expect("spread");
        assert!((got - want).abs() < 1e-3 + 1e-6 * want, "{name}: {got} km, worked out {want} km");
    }

    // The readable table names every territory.
    let table = run(&["stats", plan.to_str().expect("utf-8")]);
    let text = String::from_utf8(table.stdout).expect("utf-8");
    for name in sums.keys() {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
}

/// Crossing-number test, written here independently of the library.
/// `set --capacity` on two territories, then `stats --json`: each territory's capacity,
/// its targets (the total × capacity / the sum of capacities) and its deviations from
/// them, and the balance figures, all worked out here from the CSV.
#[test]
fn capacities_set_the_targets_that_stats_reports() {
    let plan = import_small("caps.ron");
    let rows = rows();
    let mut sums: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in &rows {
        let e = sums.entry(r.territory.as_str()).or_default();
        e.0 += r.potential;
        e.1 += r.minutes;
    }
    let names: Vec<&str> = sums.keys().copied().collect();
    let caps: BTreeMap<&str, f64> =
        names.iter().enumerate().map(|(i, &n)| (n, [0.5, 1.5].get(i).copied().unwrap_or(1.0))).collect();
    let (one, two) = (tmp("caps1.ron"), tmp("caps2.ron"));
    for (from, to, name, cap) in [(&plan, &one, names[0], "0.5"), (&one, &two, names[1], "1.5")] {
        let args = ["set", from.to_str().expect("utf-8"), "--territory", name, "--capacity", cap];
        let out = run(&[&args[..], &["--out", to.to_str().expect("utf-8"), "--json"]].concat());
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let j = json(&out);
        assert!(j["changed"][0].as_str().expect("label").contains(cap), "{j}");
    }
    let stats = json(&run(&["stats", two.to_str().expect("utf-8"), "--json"]));
    let total_cap: f64 = caps.values().sum();
    let total_w = sums.values().map(|s| s.1 as f64).sum::<f64>();
    let total_p = sums.values().map(|s| s.0 as f64).sum::<f64>();
    let (mut worst, mut squares) = (0.0f64, 0.0);
    for t in stats["territories"].as_array().expect("territories") {
        let name = t["name"].as_str().expect("name");
        let (pot, min) = sums[name];
        let cap = caps[name];
        assert_eq!(t["capacity"].as_f64(), Some(cap), "{name}");
        let target_w = total_w * cap / total_cap;
        let target_p = total_p * cap / total_cap;
        assert!(close(t["target_workload_hours"].as_f64().expect("num"), target_w / 60.0), "{name}");
        assert!(close(t["target_potential"].as_f64().expect("num"), target_p), "{name}");
        let dev = (min as f64 - target_w) / target_w;
        assert!(close(t["workload_deviation"].as_f64().expect("num"), dev), "{name}");
        assert!(close(t["potential_deviation"].as_f64().expect("num"), (pot as f64 - target_p) / target_p), "{name}");
        worst = worst.max(dev.abs());
        squares += dev * dev;
    }
    assert!(close(stats["balance"]["workload_max_abs_deviation"].as_f64().expect("num"), worst));
    let cv = (squares / sums.len() as f64).sqrt();
    assert!(close(stats["balance"]["workload_cv"].as_f64().expect("num"), cv));
    // Out of range, or without a territory: refused, nothing written.
    let bad = tmp("caps_bad.ron");
    for args in [
        vec!["set", two.to_str().expect("utf-8"), "--territory", names[0], "--capacity", "50"],
        vec!["set", two.to_str().expect("utf-8"), "--capacity", "0.5"],
        vec!["set", two.to_str().expect("utf-8"), "--territory", names[0]],
    ] {
        let out = run(&[&args[..], &["--out", bad.to_str().expect("utf-8")]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!bad.exists());
    }
    let out = run(&[
        "set",
        two.to_str().expect("utf-8"),
        "--territory",
        "Atlantis",
        "--capacity",
        "1",
        "--out",
        bad.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no territory \"Atlantis\""));
    assert!(!bad.exists());
}

fn inside(rings: &[Vec<(f64, f64)>], x: f64, y: f64) -> bool {
    let mut c = false;
    for ring in rings {
        for i in 0..ring.len() {
            let (xi, yi) = ring[i];
            let (xj, yj) = ring[(i + ring.len() - 1) % ring.len()];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                c = !c;
            }
        }
    }
    c
}

fn area_box_selects(r: &Row) -> bool {
    let west = [
        vec![(-125.0, 30.0), (-110.0, 30.0), (-110.0, 45.0), (-125.0, 45.0)],
        vec![(-120.0, 34.0), (-120.0, 38.0), (-116.0, 38.0), (-116.0, 34.0)],
    ];
    let florida = [vec![(-88.0, 24.0), (-79.0, 24.0), (-79.0, 31.0), (-88.0, 31.0)]];
    inside(&west, r.lon, r.lat) || inside(&florida, r.lon, r.lat)
}

#[test]
fn select_counts_the_accounts_inside_the_areas() {
    let plan = import_small("select.ron");
    let out = run(&[
        "select",
        plan.to_str().expect("utf-8"),
        "--polygon",
        fixture("area_box.geojson").to_str().expect("utf-8"),
        "--json",
    ]);
    let sel = json(&out);
    // The LineString feature is reported, not silently dropped.
    assert!(String::from_utf8_lossy(&out.stderr).contains("A road"));
    let rows = rows();
    let chosen: Vec<&Row> = rows.iter().filter(|r| area_box_selects(r)).collect();
    assert!(chosen.len() > 20, "the fixture area should hold accounts");
    assert_eq!(sel["selected"]["accounts"].as_u64(), Some(chosen.len() as u64));
    let pot: i64 = chosen.iter().map(|r| r.potential).sum();
    assert!(close(sel["selected"]["potential"].as_f64().expect("num"), pot as f64));
    let min: i64 = chosen.iter().map(|r| r.minutes).sum();
    assert!(close(sel["selected"]["workload_hours"].as_f64().expect("num"), min as f64 / 60.0));
    let mut by: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &chosen {
        *by.entry(r.territory.as_str()).or_default() += 1;
    }
    let got: BTreeMap<&str, u64> = sel["by_territory"]
        .as_array()
        .expect("array")
        .iter()
        .map(|t| (t["name"].as_str().expect("name"), t["accounts"].as_u64().expect("n")))
        .collect();
    assert_eq!(got, by);
}

#[test]
fn assign_moves_the_area_and_export_writes_the_crm_table() {
    let plan = import_small("assign.ron");
    let out_plan = tmp("assigned.ron");
    let out = run(&[
        "assign",
        plan.to_str().expect("utf-8"),
        "--polygon",
        fixture("area_box.geojson").to_str().expect("utf-8"),
        "--to",
        "texas",
        "--out",
        out_plan.to_str().expect("utf-8"),
        "--json",
    ]);
    let report = json(&out);
    let rows = rows();
    let inside: Vec<&Row> = rows.iter().filter(|r| area_box_selects(r)).collect();
    let already = inside.iter().filter(|r| r.territory == "Texas").count();
    assert_eq!(report["moved"].as_u64(), Some((inside.len() - already) as u64));

    let csv_path = tmp("assignments.csv");
    let out = run(&["export", out_plan.to_str().expect("utf-8"), "--out", csv_path.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&csv_path).expect("export written");
    assert!(!bytes.starts_with(b"\xef\xbb\xbf"), "no BOM");
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["account_id", "account_name", "territory", "rep"]
    );
    let exported: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(exported.len(), rows.len());
    for (r, e) in rows.iter().zip(&exported) {
        assert_eq!(&e[0], r.id);
        assert_eq!(&e[1], r.name);
        let want = if area_box_selects(r) { "Texas" } else { r.territory.as_str() };
        assert_eq!(&e[2], want, "{}", r.id);
    }
}

#[test]
fn import_reports_rejected_and_skipped_lines() {
    let plan = tmp("broken.ron");
    let out = run(&[
        "import",
        fixture("broken_de.csv").to_str().expect("utf-8"),
        "--out",
        plan.to_str().expect("utf-8"),
        "--json",
    ]);
    let report = json(&out);
    assert_eq!(report["accepted"], 4);
    let lines: Vec<u64> =
        report["rejected"].as_array().expect("array").iter().map(|r| r["line"].as_u64().expect("line")).collect();
    assert_eq!(lines, [7, 8, 9, 10, 11]);
    let skipped: Vec<u64> =
        report["skipped"].as_array().expect("array").iter().map(|r| r["line"].as_u64().expect("line")).collect();
    assert_eq!(skipped, [4, 12, 14]);
    // Forcing the point format rejects everything: exit 1, nothing written.
    let none = tmp("none.ron");
    let out = run(&[
        "import",
        fixture("broken_de.csv").to_str().expect("utf-8"),
        "--out",
        none.to_str().expect("utf-8"),
        "--decimal",
        "point",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!none.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account could be imported"));
}

#[test]
fn bad_usage_exits_2_and_bad_data_exits_1() {
    let plan = import_small("codes.ron");
    let p = plan.to_str().expect("utf-8");
    for args in [
        vec!["stats"],
        vec!["import", "x.csv"],
        vec!["stats", p, "--bogus"],
        vec!["import", "x.csv", "--out", "y.ron", "--decimal", "roman"],
        vec!["import", "x.csv", "--out", "y.ron", "--column", "nonsense=foo"],
        vec!["select", p],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let missing = tmp("missing.ron");
    let area = fixture("area_box.geojson");
    for args in [
        vec!["stats", missing.to_str().expect("utf-8")],
        vec!["stats", fixture("garbage.ron").to_str().expect("utf-8")],
        vec!["stats", fixture("truncated.ron").to_str().expect("utf-8")],
        vec!["select", p, "--polygon", fixture("garbage_text.ron").to_str().expect("utf-8")],
        vec!["assign", p, "--polygon", area.to_str().expect("utf-8"), "--to", "Atlantis", "--out", "/tmp/never.ron"],
    ] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
}

#[test]
fn quality_reports_compactness_computed_independently() {
    let plan = import_small("quality.ron");
    let q = json(&run(&["quality", plan.to_str().expect("utf-8"), "--kmeans", "12", "--json"]));
    let rows = rows();
    // Mean great-circle distance to the territory's mean position, by hand.
    let mut centre: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new();
    for r in &rows {
        let c = centre.entry(r.territory.as_str()).or_default();
        c.0 += r.lon;
        c.1 += r.lat;
        c.2 += 1.0;
    }
    let hav = |lon1: f64, lat1: f64, lon2: f64, lat2: f64| {
        let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
        let h =
            ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
        2.0 * 6371.0088 * h.sqrt().asin()
    };
    let total: f64 = rows
        .iter()
        .map(|r| {
            let c = centre[r.territory.as_str()];
            hav(r.lon, r.lat, c.0 / c.2, c.1 / c.2)
        })
        .sum();
    let want = total / rows.len() as f64;
    let got = q["compactness_km"].as_f64().expect("num");
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
    let reference = q["kmeans_compactness_km"].as_f64().expect("num");
    assert!(reference > 0.0 && reference <= got, "k-means ({reference}) is at least as compact as the plan ({got})");
    for t in q["territories"].as_array().expect("array") {
        assert!(t["pieces"].as_u64().expect("pieces") >= 1, "{t}");
    }
}

#[test]
fn balance_and_redraw_from_the_command_line() {
    let csv = tmp("bal_gen.csv");
    let plan = tmp("bal_gen.ron");
    assert!(
        run(&[
            "generate",
            "--accounts",
            "3000",
            "--territories",
            "8",
            "--seed",
            "2",
            "--out",
            csv.to_str().expect("utf8")
        ])
        .status
        .success()
    );
    assert!(run(&["import", csv.to_str().expect("utf8"), "--out", plan.to_str().expect("utf8")]).status.success());
    let out = tmp("bal_out.ron");
    let o = run(&[
        "balance",
        plan.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--tolerance",
        "0.02",
        "--lock",
        "Band 03",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(&o);
    assert_eq!(j["tolerance_reached"], true);
    // What had to cross borders is at least what had to leave the overloaded ones.
    let share = |k: &str| j[k].as_f64().unwrap_or_else(|| panic!("{k}: {j}"));
    assert!(share("border_flow_bound_workload_share") >= share("lower_bound_workload_share") - 1e-12);
    assert!(share("moved_workload_vs_border_flow_bound") > 0.0);
    // The after figures are the written plan's own, recomputed by `stats`.
    let s = json(&run(&["stats", out.to_str().expect("utf8"), "--json"]));
    let max_dev = s["territories"]
        .as_array()
        .expect("territories")
        .iter()
        .map(|t| t["workload_deviation"].as_f64().expect("dev").abs())
        .fold(0.0, f64::max);
    assert!(max_dev <= 0.02 + 1e-9, "{max_dev}");
    assert!((j["after"]["workload_max_abs_deviation"].as_f64().expect("after") - max_dev).abs() < 1e-9);
    assert!(j["after"]["pieces"].as_u64() <= j["before"]["pieces"].as_u64());
    let band3 = |j: &Value| {
        j["territories"]
            .as_array()
            .expect("t")
            .iter()
            .find(|t| t["name"] == "Band 03")
            .map(|t| t["workload_hours"].as_f64())
            .expect("Band 03")
    };
    let before = json(&run(&["stats", plan.to_str().expect("utf8"), "--json"]));
    assert_eq!(band3(&before), band3(&s), "a locked territory does not change");

    let red = tmp("red_out.ron");
    let o = run(&[
        "redraw",
        plan.to_str().expect("utf8"),
        "--territories",
        "6",
        "--out",
        red.to_str().expect("utf8"),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(&o);
    assert_eq!(j["after"]["territories"], 6);
    assert_eq!(j["after"]["pieces_beyond_one_per_island"], 0);

    // --homes: a territory grows around its rep's home (set in the plan file).
    let redraw_homes = |plan: &Path| {
        run(&[
            "redraw",
            plan.to_str().expect("utf8"),
            "--territories",
            "6",
            "--homes",
            "--out",
            red.to_str().expect("utf8"),
        ])
    };
    let o = redraw_homes(&plan);
    assert_eq!(o.status.code(), Some(2), "no home in the plan is a usage error");
    assert!(String::from_utf8_lossy(&o.stderr).contains("rep_home"));
    let mut p = territory_editor::io::plan_file::load(&plan).expect("plan");
    let at = 2_700;
    let home = (p.accounts.get(at).lon, p.accounts.get(at).lat);
    p.territories[1].rep_home = Some(home);
    let with_home = tmp("homes.ron");
    territory_editor::io::plan_file::save(&p, &with_home).expect("save");
    let o = redraw_homes(&with_home);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = territory_editor::io::plan_file::load(&red).expect("redrawn");
    assert_eq!(r.territories[1].name, p.territories[1].name);
    assert_eq!(r.territories[1].rep_home, Some(home));
    assert_eq!(r.assignment[at].map(|t| t.get()), Some(1), "the account at the home is in the rep's territory");
    // So are the accounts around it (here Pittsburgh's, in a territory whose weight is
    // New York's): the home, not the accounts' mean, is the territory's centre.
    let near: Vec<usize> = (0..r.accounts.len())
        .filter(|&v| {
            let a = r.accounts.get(v);
            territory_editor::quality::distance_km(home.0, home.1, a.lon, a.lat) < 40.0
        })
        .collect();
    let inside = near.iter().filter(|&&v| r.assignment[v].map(|t| t.get()) == Some(1)).count();
    assert!(near.len() >= 10 && inside * 10 >= near.len() * 9, "{inside} of {} near the home", near.len());

    // Bad flags are usage errors; unknown locked ids are named with their line.
    let o = run(&[
        "balance",
        plan.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--max-moved",
        "sales=0.1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let ids = tmp("ids.txt");
    std::fs::write(&ids, "# locked\nA0000001\nNOPE-1\n").expect("write");
    let o = run(&[
        "balance",
        plan.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--lock-accounts",
        ids.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3") && err.contains("NOPE-1"), "{err}");
}

/// A CRM export named `.txt` is accounts CSV for the command line as for the editor
/// (one rule, `csv_import::is_csv_path`): the same rows as the `.csv` original.
#[test]
fn a_txt_export_is_read_as_csv() {
    let txt = tmp("accounts.TXT");
    std::fs::copy(fixture("small_accounts.csv"), &txt).expect("copy");
    let from_txt = json(&run(&["stats", txt.to_str().expect("utf-8"), "--json"]));
    let from_csv = json(&run(&["stats", fixture("small_accounts.csv").to_str().expect("utf-8"), "--json"]));
    assert!(from_txt["accounts"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(from_txt, from_csv);
}
