//! `compare` and `changes` against what the test computes itself from the CSV text: a
//! copy of the fixture with some territories changed, some emptied (Unassigned), one
//! account dropped and one added.

use std::collections::{BTreeMap, BTreeSet};

mod common;
use common::{fixture, json, run, tmp};

/// One row of the fixture: id, territory, potential (units), workload (minutes).
#[derive(Clone)]
struct Row {
    record: csv::StringRecord,
    id: String,
    territory: String,
    potential: f64,
    minutes: u64,
}

fn read(path: &std::path::Path) -> (csv::StringRecord, Vec<Row>) {
    let mut r = csv::Reader::from_path(path).expect("fixture");
    let header = r.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (id, t, p, v, m) =
        (col("id"), col("territory"), col("potential"), col("visits_per_year"), col("visit_minutes"));
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.expect("row");
            let num = |i: usize| rec[i].parse::<f64>().expect("number");
            Row {
                id: rec[id].to_owned(),
                territory: rec[t].to_owned(),
                potential: num(p),
                minutes: num(v) as u64 * num(m) as u64,
                record: rec,
            }
        })
        .collect();
    (header, rows)
}

/// The B side: every 7th row to the next territory (alphabetically), every 11th
/// Unassigned, the last row dropped, and a new account added.
fn plan_b(header: &csv::StringRecord, rows: &[Row]) -> Vec<Row> {
    let names: Vec<String> = rows.iter().map(|r| r.territory.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let t_col = header.iter().position(|h| h == "territory").expect("territory column");
    let id_col = header.iter().position(|h| h == "id").expect("id column");
    let mut out: Vec<Row> = Vec::new();
    for (i, r) in rows[..rows.len() - 1].iter().enumerate() {
        let mut r = r.clone();
        if i % 11 == 0 {
            r.territory = String::new();
        } else if i % 7 == 0 {
            let k = names.iter().position(|n| *n == r.territory).expect("known");
            r.territory = names[(k + 1) % names.len()].clone();
        }
        let mut rec: Vec<String> = r.record.iter().map(str::to_owned).collect();
        rec[t_col].clone_from(&r.territory);
        r.record = csv::StringRecord::from(rec);
        out.push(r);
    }
    let mut new = rows[1].clone();
    let mut rec: Vec<String> = new.record.iter().map(str::to_owned).collect();
    rec[id_col] = "NEU-0001".to_owned();
    new.id = "NEU-0001".to_owned();
    new.record = csv::StringRecord::from(rec);
    out.push(new);
    out
}

fn write(path: &std::path::Path, header: &csv::StringRecord, rows: &[Row]) {
    let mut w = csv::Writer::from_path(path).expect("write");
    w.write_record(header).expect("header");
    for r in rows {
        w.write_record(&r.record).expect("row");
    }
    w.flush().expect("flush");
}

fn name_or_null(t: &str) -> Option<String> {
    (!t.is_empty()).then(|| t.to_owned())
}

#[test]
fn compare_and_changes_agree_with_the_csv_text() {
    let a_path = fixture("small_accounts.csv");
    let (header, a) = read(&a_path);
    let b = plan_b(&header, &a);
    let b_path = tmp("compare_b.csv");
    write(&b_path, &header, &b);
    let b_of: BTreeMap<&str, &Row> = b.iter().map(|r| (r.id.as_str(), r)).collect();

    // Expected, from the text: moves, flows by (from, to) name, and per territory the
    // A workload and the workload that leaves it.
    let mut moved = (0u64, 0.0f64, 0u64);
    let mut flows: BTreeMap<(Option<String>, Option<String>), (u64, u64)> = BTreeMap::new();
    let mut a_minutes: BTreeMap<String, u64> = BTreeMap::new();
    let mut lost: BTreeMap<String, u64> = BTreeMap::new();
    let mut expected_changes: BTreeMap<String, Option<String>> = BTreeMap::new();
    for r in &a {
        *a_minutes.entry(r.territory.clone()).or_default() += r.minutes;
        let Some(rb) = b_of.get(r.id.as_str()) else { continue };
        if rb.territory != r.territory {
            moved = (moved.0 + 1, moved.1 + r.potential, moved.2 + r.minutes);
            let f = flows.entry((name_or_null(&r.territory), name_or_null(&rb.territory))).or_default();
            *f = (f.0 + 1, f.1 + r.minutes);
            *lost.entry(r.territory.clone()).or_default() += r.minutes;
            expected_changes.insert(r.id.clone(), name_or_null(&rb.territory));
        }
    }
    assert!(moved.0 > 20, "the fixture gives enough moves: {}", moved.0);

    let out = run(&["compare", a_path.to_str().expect("utf-8"), b_path.to_str().expect("utf-8"), "--json"]);
    let doc = json(&out);
    assert_eq!(doc["moved"]["accounts"].as_u64(), Some(moved.0));
    assert!((doc["moved"]["potential"].as_f64().expect("potential") - moved.1).abs() < 1e-6);
    assert!((doc["moved"]["workload_hours"].as_f64().expect("hours") - moved.2 as f64 / 60.0).abs() < 1e-9);
    assert_eq!((doc["only_in_a"].as_u64(), doc["only_in_b"].as_u64()), (Some(1), Some(1)));
    let got: BTreeMap<(Option<String>, Option<String>), (u64, u64)> = doc["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .map(|f| {
            let side = |id: &str, name: &str| f[id].as_str().map(|_| f[name].as_str().expect("name").to_owned());
            let minutes = (f["workload_hours"].as_f64().expect("hours") * 60.0).round() as u64;
            ((side("from", "from_name"), side("to", "to_name")), (f["accounts"].as_u64().expect("n"), minutes))
        })
        .collect();
    assert_eq!(got, flows);
    for t in doc["territories"].as_array().expect("territories") {
        let name = t["name"].as_str().expect("name");
        let want = lost.get(name).copied().unwrap_or(0) as f64 / a_minutes[name] as f64;
        let share = t["changed_share_of_workload"].as_f64().expect("share");
        assert!((share - want).abs() < 1e-12, "{name}: {share} vs {want}");
        let a_side = t["a"]["workload_hours"].as_f64().expect("A figures");
        assert!((a_side - a_minutes[name] as f64 / 60.0).abs() < 1e-9, "{name}");
    }

    // The change list: one row per moved account, and applying it to A gives B.
    let csv_out = tmp("changes.csv");
    let out = run(&[
        "changes",
        a_path.to_str().expect("utf-8"),
        b_path.to_str().expect("utf-8"),
        "--out",
        csv_out.to_str().expect("utf-8"),
        "--json",
    ]);
    let doc = json(&out);
    assert_eq!(doc["changes"].as_u64(), Some(moved.0));
    let mut r = csv::Reader::from_path(&csv_out).expect("change list");
    let head = r.headers().expect("header").clone();
    assert_eq!(
        head.iter().collect::<Vec<_>>(),
        [
            "account_id",
            "account_name",
            "city",
            "from_territory_id",
            "from_territory",
            "from_rep",
            "to_territory_id",
            "to_territory",
            "to_rep",
            "potential",
            "annual_revenue",
            "workload_hours"
        ]
    );
    let listed: BTreeMap<String, Option<String>> = r
        .records()
        .map(|rec| {
            let rec = rec.expect("row");
            (rec[0].to_owned(), name_or_null(&rec[7]))
        })
        .collect();
    assert_eq!(listed, expected_changes);
    for ra in &a {
        let Some(rb) = b_of.get(ra.id.as_str()) else { continue };
        let after = listed.get(&ra.id).cloned().unwrap_or_else(|| name_or_null(&ra.territory));
        assert_eq!(after, name_or_null(&rb.territory), "{}", ra.id);
    }
    // Per territory: gained − lost = net, as the text says.
    for t in doc["territories"].as_array().expect("territories") {
        let (g, l, n) = (&t["gained"], &t["lost"], &t["net"]);
        assert_eq!(
            g["accounts"].as_i64().expect("g") - l["accounts"].as_i64().expect("l"),
            n["accounts"].as_i64().expect("n")
        );
    }
}

#[test]
fn a_plan_compared_with_itself_has_no_changes() {
    let a = fixture("small_accounts.csv");
    let a = a.to_str().expect("utf-8");
    let doc = json(&run(&["compare", a, a, "--json"]));
    assert_eq!(doc["moved"]["accounts"].as_u64(), Some(0));
    assert_eq!(doc["flows"].as_array().map(Vec::len), Some(0));
    assert!(doc["territories"].as_array().expect("rows").iter().all(|t| t["changed_share_of_workload"] == 0.0));
}

#[test]
fn changes_refuses_to_write_over_an_input() {
    let a = fixture("small_accounts.csv");
    let copy = tmp("changes_input.csv");
    std::fs::copy(&a, &copy).expect("copy");
    let before = std::fs::read(&copy).expect("read");
    let out = run(&[
        "changes",
        a.to_str().expect("utf-8"),
        copy.to_str().expect("utf-8"),
        "--out",
        copy.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&copy).expect("read"), before);
}

/// Reads an assignments export: id → territory name.
fn exported(path: &std::path::Path) -> BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(path).expect("export");
    r.records()
        .map(|rec| {
            let rec = rec.expect("row");
            (rec[0].to_owned(), rec[2].to_owned())
        })
        .collect()
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf-8")
}

#[test]
fn scenarios_on_the_command_line() {
    let csv_in = fixture("small_accounts.csv");
    let plan = tmp("scen_plan.ron");
    // Balance into a new scenario: the file keeps "As is" as it was, and current.
    let out = run(&["balance", s(&csv_in), "--new-scenario", "Ausgeglichen", "--out", s(&plan), "--json"]);
    let balanced = json(&out);
    let (as_is, after) = (tmp("scen_as_is.csv"), tmp("scen_after.csv"));
    json(&run(&["export", s(&plan), "--out", s(&as_is), "--json"]));
    json(&run(&["export", s(&plan), "--scenario", "ausgeglichen", "--out", s(&after), "--json"]));
    let before_csv = tmp("scen_csv.csv");
    json(&run(&["export", s(&csv_in), "--out", s(&before_csv), "--json"]));
    assert_eq!(exported(&as_is), exported(&before_csv), "the baseline is the CSV's plan");
    let (a, b) = (exported(&as_is), exported(&after));
    let differ = a.iter().filter(|(id, t)| b.get(*id) != Some(t)).count() as u64;
    assert!(differ > 0);
    assert_eq!(balanced["moved"]["accounts"].as_u64(), Some(differ));
    // compare of one file: by default the baseline against the current one (the same
    // here), and with --b the new scenario.
    let same = json(&run(&["compare", s(&plan), "--json"]));
    assert_eq!((same["a"].as_str(), same["b"].as_str()), (Some("As is"), Some("As is")));
    assert_eq!(same["moved"]["accounts"].as_u64(), Some(0));
    let doc = json(&run(&["compare", s(&plan), "--b", "Ausgeglichen", "--json"]));
    assert_eq!(doc["moved"]["accounts"].as_u64(), Some(differ));
    // Assign in one scenario: the other keeps every account where it was.
    let plan2 = tmp("scen_plan2.ron");
    let area = fixture("area_box.geojson");
    let doc = json(&run(&[
        "assign",
        s(&plan),
        "--scenario",
        "Ausgeglichen",
        "--polygon",
        s(&area),
        "--to",
        "Unassigned",
        "--out",
        s(&plan2),
        "--json",
    ]));
    assert!(doc["moved"].as_u64().expect("moved") > 0);
    let (as_is2, after2) = (tmp("scen_as_is2.csv"), tmp("scen_after2.csv"));
    json(&run(&["export", s(&plan2), "--scenario", "As is", "--out", s(&as_is2), "--json"]));
    json(&run(&["export", s(&plan2), "--scenario", "Ausgeglichen", "--out", s(&after2), "--json"]));
    assert_eq!(exported(&as_is2), a);
    let emptied = exported(&after2).values().filter(|t| t.is_empty()).count();
    assert_eq!(
        emptied as u64,
        doc["moved"].as_u64().expect("moved") + b.values().filter(|t| t.is_empty()).count() as u64
    );
    // An unknown scenario is a data error that names the ones there are.
    let out = run(&["stats", s(&plan), "--scenario", "Nirgendwo"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no scenario \"Nirgendwo\"") && err.contains("As is, Ausgeglichen"), "{err}");
    // The new name must be new.
    let out = run(&["balance", s(&plan), "--new-scenario", "as is", "--out", s(&tmp("never.ron"))]);
    assert_eq!(out.status.code(), Some(1));
}
