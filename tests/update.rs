//! `update` against what the test computes itself from the CSV text: a new export of the
//! fixture with rows gone, changed, moved, rejected and new, checked through the JSON
//! report and the `export` of the updated plan.

use std::collections::BTreeMap;

mod common;
use common::{fixture, json, run, tmp};

/// A CSV as its header and records.
fn read(path: &std::path::Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header = r.headers().expect("header").clone();
    (header, r.records().map(|r| r.expect("row")).collect())
}

fn write(path: &std::path::Path, header: &csv::StringRecord, rows: &[csv::StringRecord]) {
    let mut w = csv::Writer::from_path(path).expect("write");
    w.write_record(header).expect("header");
    for r in rows {
        w.write_record(r).expect("row");
    }
    w.flush().expect("flush");
}

fn col(header: &csv::StringRecord, name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"))
}

/// Great-circle distance, km (haversine on the mean Earth radius).
fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.1.to_radians(), b.1.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.0 - a.0).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

fn set(rec: &csv::StringRecord, i: usize, value: &str) -> csv::StringRecord {
    rec.iter().enumerate().map(|(k, v)| if k == i { value } else { v }).collect()
}

/// The territory name of each account id in a plan, through `export`.
fn territories_of(plan: &std::path::Path) -> BTreeMap<String, String> {
    let csv = tmp(&format!("{}.export.csv", plan.file_name().and_then(|n| n.to_str()).unwrap_or("plan")));
    let out = run(&["export", &plan.to_string_lossy(), "--out", &csv.to_string_lossy()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (h, rows) = read(&csv);
    let (id, t) = (col(&h, "account_id"), col(&h, "territory"));
    rows.iter().map(|r| (r[id].to_owned(), r[t].to_owned())).collect()
}

fn import(csv: &std::path::Path, out: &std::path::Path) {
    let o = run(&["import", &csv.to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_export_the_plan_came_from_changes_nothing() {
    let plan = tmp("same.ron");
    let out = tmp("same-updated.ron");
    import(&fixture("small_accounts.csv"), &plan);
    let report = json(&run(&[
        "update",
        &plan.to_string_lossy(),
        "--accounts",
        &fixture("small_accounts.csv").to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
        "--json",
    ]));
    assert_eq!(report["kept"], 300);
    for k in ["changed", "moved", "new", "removed", "held"] {
        assert_eq!(report[k], 0, "{k}");
    }
    assert_eq!(std::fs::read(&plan).expect("plan"), std::fs::read(&out).expect("updated"));
}

#[test]
fn a_new_export_is_matched_by_id_and_new_accounts_join_their_nearest_neighbour() {
    let plan = tmp("upd.ron");
    import(&fixture("small_accounts.csv"), &plan);
    let (header, rows) = read(&fixture("small_accounts.csv"));
    let (id_c, lat_c, lon_c, pot_c, v_c, m_c, t_c) = (
        col(&header, "id"),
        col(&header, "lat"),
        col(&header, "lon"),
        col(&header, "potential"),
        col(&header, "visits_per_year"),
        col(&header, "visit_minutes"),
        col(&header, "territory"),
    );
    let pos = |r: &csv::StringRecord| (r[lon_c].parse::<f64>().expect("lon"), r[lat_c].parse::<f64>().expect("lat"));
    // Every 20th row from the 4th gone (15); every 10th from the 2nd with a new
    // potential (30); every 50th from the 8th one degree north (6, 111 km); row 6
    // rejected (a potential that is no number); 10 new accounts next to existing ones
    // and one in the Pacific; the territory column scrambled (the plan is the truth).
    let mut export: Vec<csv::StringRecord> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let r = set(r, t_c, "Somewhere Else");
        let r = match i {
            _ if i % 20 == 3 => continue,
            _ if i % 10 == 1 => set(&r, pot_c, "123456"),
            _ if i % 50 == 7 => {
                let lat: f64 = r[lat_c].parse().expect("lat");
                set(&r, lat_c, &format!("{:.6}", lat + 1.0))
            }
            5 => set(&r, pot_c, "viel"),
            _ => r,
        };
        export.push(r);
    }
    let mut new_ids = Vec::new();
    for k in 0..10 {
        let near = &rows[k * 29 + 2];
        let (lon, lat) = pos(near);
        let id = format!("NEU-{k}");
        let r = set(&set(&set(near, id_c, &id), lat_c, &format!("{:.6}", lat + 0.013)), lon_c, &format!("{lon:.6}"));
        new_ids.push(id);
        export.push(r);
    }
    export.push(set(&set(&set(&rows[0], id_c, "NEU-PAZIFIK"), lat_c, "30.0"), lon_c, "-140.0"));
    new_ids.push("NEU-PAZIFIK".to_owned());
    let csv = tmp("upd-export.csv");
    write(&csv, &header, &export);

    let out = tmp("upd-updated.ron");
    let report = json(&run(&[
        "update",
        &plan.to_string_lossy(),
        "--accounts",
        &csv.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
        "--json",
    ]));
    assert_eq!(report["removed"], 15);
    assert_eq!(report["changed"], 30);
    assert_eq!(report["moved"], 6);
    assert_eq!(report["held"], 1);
    assert_eq!(report["held_accounts"][0]["id"], rows[5][id_c].to_owned());
    assert_eq!(report["new"], 11);
    assert_eq!(report["kept"], 300 - 15 - 30 - 6 - 1);
    for m in report["moved_accounts"].as_array().expect("moved") {
        let km = m["km"].as_f64().expect("km");
        assert!((110.0..112.5).contains(&km), "{m}");
    }

    // The expectation: old accounts keep the fixture's territory; a new one takes the
    // territory of the nearest remaining account (new positions) within 50 km.
    let old_territory: BTreeMap<&str, &str> = rows.iter().map(|r| (&r[id_c], &r[t_c])).collect();
    let remaining: Vec<((f64, f64), &str)> =
        export.iter().filter_map(|r| old_territory.get(&r[id_c]).map(|t| (pos(r), *t))).collect();
    let got = territories_of(&out);
    assert_eq!(got.len(), 300 - 15 + 11);
    for r in &export {
        let want = match old_territory.get(&r[id_c]) {
            Some(t) => (*t).to_owned(),
            None => {
                let p = pos(r);
                let nearest = remaining
                    .iter()
                    .map(|&(q, t)| (km(p, q), t))
                    .filter(|&(d, _)| d <= 50.0)
                    .min_by(|a, b| a.0.total_cmp(&b.0));
                nearest.map_or(String::new(), |(_, t)| t.to_owned())
            }
        };
        assert_eq!(got[&r[id_c]], want, "account {}", &r[id_c]);
    }
    assert_eq!(got["NEU-PAZIFIK"], "", "nothing within 50 km: Unassigned");

    // Workload per territory after: the export's values for what stays, the old row's
    // for the held one.
    let mut after: BTreeMap<String, u64> = BTreeMap::new();
    let minutes = |r: &csv::StringRecord| r[v_c].parse::<u64>().expect("v") * r[m_c].parse::<u64>().expect("m");
    for r in &export {
        let w = if r[id_c] == rows[5][id_c] { minutes(&rows[5]) } else { minutes(r) };
        *after.entry(got[&r[id_c]].clone()).or_default() += w;
    }
    let mut before: BTreeMap<String, u64> = BTreeMap::new();
    for r in &rows {
        *before.entry(r[t_c].to_owned()).or_default() += minutes(r);
    }
    for t in report["territories"].as_array().expect("territories") {
        let name = t["name"].as_str().expect("name");
        let want_after = after.get(name).copied().unwrap_or(0) as f64 / 60.0;
        let want_before = before.get(name).copied().unwrap_or(0) as f64 / 60.0;
        assert!((t["workload_hours_after"].as_f64().expect("after") - want_after).abs() < 1e-9, "{t}");
        assert!((t["workload_hours_before"].as_f64().expect("before") - want_before).abs() < 1e-9, "{t}");
    }
}

#[test]
fn a_partial_export_needs_allow_removals_and_take_territories_reads_the_column() {
    let plan = tmp("part.ron");
    import(&fixture("small_accounts.csv"), &plan);
    let (header, rows) = read(&fixture("small_accounts.csv"));
    let (id_c, t_c) = (col(&header, "id"), col(&header, "territory"));
    // The first 250 rows only (50 of 300 gone: 17 %); row 0 moved to row 1's territory.
    let mut part: Vec<csv::StringRecord> = rows[..250].to_vec();
    let other = rows.iter().map(|r| r[t_c].to_owned()).find(|t| *t != rows[0][t_c]).expect("two territories");
    part[0] = set(&part[0], t_c, &other);
    let csv = tmp("part-export.csv");
    write(&csv, &header, &part);
    let out = tmp("part-updated.ron");
    let args = |extra: &[&str]| {
        let mut a: Vec<String> = ["update", &plan.to_string_lossy(), "--accounts", &csv.to_string_lossy(), "--out"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.push(out.to_string_lossy().into_owned());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let refused = common::bin().args(args(&[])).output().expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&refused.stderr);
    assert!(msg.contains("50 of 300") && msg.contains("--allow-removals"), "{msg}");
    assert!(!out.exists(), "nothing written");

    let o = common::bin().args(args(&["--allow-removals", "--json"])).output().expect("runs");
    let report = json(&o);
    assert_eq!(report["removed"], 50);
    assert_eq!(territories_of(&out)[&rows[0][id_c]], rows[0][t_c].to_owned(), "the plan is the truth");

    let o = common::bin().args(args(&["--allow-removals", "--take-territories", "--json"])).output().expect("runs");
    let report = json(&o);
    assert_eq!(report["taken"], 1);
    assert_eq!(territories_of(&out)[&rows[0][id_c]], other);
}
