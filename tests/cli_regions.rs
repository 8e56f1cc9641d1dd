//! Regions from the command line: a CSV with a region column (German headers, `;`),
//! `stats --json` regions against sums worked out here from the CSV, `balance
//! --region` moving nothing outside the region, `--lock-region`, and "Bezirk" read as
//! the territory when the file has no other territory column.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod common;

use common::{json, run, tmp};

/// Where each fixture territory goes: East/…, Central, West/….
fn region_of(territory: &str) -> &'static str {
    match territory {
        "New York Metro" | "Mid-Atlantic" | "Northeast" => "Ost/Nordost",
        "Southeast" => "Ost/Südost",
        "California" | "Pacific Northwest" | "Mountain" => "West",
        _ => "Mitte",
    }
}

/// One fixture account: id, territory, workload minutes.
struct Row {
    id: String,
    territory: String,
    minutes: i64,
}

/// The fixture rewritten as a German export with a region column; returns its path and rows.
fn german_csv(name: &str) -> (std::path::PathBuf, Vec<Row>) {
    let mut reader = csv::Reader::from_path(common::fixture("small_accounts.csv")).expect("fixture");
    let mut out =
        String::from("Kundennummer;Name;Breite;Länge;Besuche;Besuchsdauer;Potenzial;Gebiet;Vertriebsregion\n");
    let mut rows = Vec::new();
    for r in reader.records() {
        let r = r.expect("row");
        let (visits, minutes): (i64, i64) = (r[9].parse().expect("visits"), r[10].parse().expect("minutes"));
        let potential: i64 = r[8].parse().expect("potential");
        out.push_str(&format!(
            "{};{};{};{};{visits};{minutes};{potential};{};{}\n",
            &r[0],
            r[1].replace(';', " "),
            r[2].replace('.', ","),
            r[3].replace('.', ","),
            &r[11],
            region_of(&r[11])
        ));
        rows.push(Row { id: r[0].to_owned(), territory: r[11].to_owned(), minutes: visits * minutes });
    }
    let path = tmp(name);
    std::fs::write(&path, out).expect("write");
    (path, rows)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// The region column makes the tree; `stats --json` gives each region its territories,
/// sums and deviation against its share of the parent, all worked out here.
#[test]
fn a_region_column_builds_the_tree_that_stats_rolls_up() {
    let (csv, rows) = german_csv("regions.csv");
    let plan = common::import_to(&csv, "regions.ron");
    let stats = json(&run(&["stats", plan.to_str().expect("utf-8"), "--json"]));
    let regions = stats["regions"].as_array().expect("regions");
    let by_name: BTreeMap<&str, &Value> = regions.iter().map(|r| (r["name"].as_str().expect("name"), r)).collect();
    assert_eq!(by_name.keys().copied().collect::<Vec<_>>(), ["Mitte", "Nordost", "Ost", "Südost", "West"]);
    assert_eq!(by_name["Nordost"]["parent"], by_name["Ost"]["id"]);
    assert!(by_name["Ost"]["parent"].is_null());
    // Sums per region path prefix, from the rows.
    let within = |region: &str, territory: &str| {
        let path = region_of(territory);
        path == region || path.starts_with(&format!("{region}/")) || path.ends_with(&format!("/{region}"))
    };
    let sums = |region: &str| {
        let rs: Vec<&Row> = rows.iter().filter(|r| within(region, &r.territory)).collect();
        let names: BTreeSet<&str> = rs.iter().map(|r| r.territory.as_str()).collect();
        (rs.len() as u64, rs.iter().map(|r| r.minutes).sum::<i64>(), names.len() as f64)
    };
    let all_minutes: i64 = rows.iter().map(|r| r.minutes).sum();
    let all_territories = rows.iter().map(|r| r.territory.as_str()).collect::<BTreeSet<_>>().len() as f64;
    for (name, parent) in
        [("Ost", None), ("Nordost", Some("Ost")), ("Südost", Some("Ost")), ("Mitte", None), ("West", None)]
    {
        let r = by_name[name];
        let (n, minutes, territories) = sums(name);
        assert_eq!(r["accounts"].as_u64(), Some(n), "{name}");
        assert!(close(r["workload_hours"].as_f64().expect("num"), minutes as f64 / 60.0), "{name}");
        assert_eq!(r["capacity"].as_f64(), Some(territories), "{name}: every capacity is 1");
        assert_eq!(r["territories"].as_array().expect("ids").len() as f64, territories, "{name}");
        let (pm, pc) = match parent {
            Some(p) => (sums(p).1 as f64, sums(p).2),
            None => (all_minutes as f64, all_territories),
        };
        let target = pm * territories / pc;
        assert!(close(r["workload_deviation"].as_f64().expect("num"), (minutes as f64 - target) / target), "{name}");
    }
    // Each territory names its region.
    for t in stats["territories"].as_array().expect("territories") {
        let name = t["name"].as_str().expect("name");
        let leaf = region_of(name).rsplit('/').next().expect("leaf");
        assert_eq!(t["region"], by_name[leaf]["id"], "{name}");
    }
}

/// `balance --region Ost` keeps every account outside Ost where it was and Ost's total;
/// `--lock-region West` keeps West's accounts in a plan-wide Balance.
#[test]
fn balance_within_a_region_and_a_locked_region() {
    let (csv, rows) = german_csv("regions_balance.csv");
    let plan = common::import_to(&csv, "regions_balance.ron");
    let plan_s = plan.to_str().expect("utf-8");
    let owner_of = |path: &std::path::Path| -> BTreeMap<String, String> {
        let out = tmp("owners.csv");
        let r = run(&["export", path.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
        assert!(r.status.success());
        let mut reader = csv::Reader::from_path(&out).expect("export");
        reader.records().map(|r| r.expect("row")).map(|r| (r[0].to_owned(), r[2].to_owned())).collect()
    };
    let before = owner_of(&plan);
    let out = tmp("ost.ron");
    let r = run(&["balance", plan_s, "--region", "Ost", "--tolerance", "0.1", "--out", out.to_str().expect("utf-8")]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let after = owner_of(&out);
    let in_ost = |t: &str| region_of(t).starts_with("Ost");
    let mut moved = 0;
    for row in &rows {
        let (b, a) = (&before[&row.id], &after[&row.id]);
        if !in_ost(b) {
            assert_eq!(b, a, "{} is outside Ost", row.id);
        }
        assert_eq!(in_ost(b), in_ost(a), "{} crossed Ost's edge", row.id);
        moved += usize::from(a != b);
    }
    assert!(moved > 0, "Ost was out of balance and something moved");

    let locked = tmp("west_locked.ron");
    let r = run(&[
        "balance",
        plan_s,
        "--lock-region",
        "West",
        "--tolerance",
        "0.1",
        "--out",
        locked.to_str().expect("utf-8"),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let after = owner_of(&locked);
    for row in &rows {
        let (b, a) = (&before[&row.id], &after[&row.id]);
        if region_of(b) == "West" || region_of(a) == "West" {
            assert_eq!(b, a, "{} is in locked West", row.id);
        }
    }
    // An unknown region is a data error that lists the plan's regions.
    let r = run(&["balance", plan_s, "--region", "Atlantis", "--out", tmp("x.ron").to_str().expect("utf-8")]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("no region \"Atlantis\"") && err.contains("Ost/Nordost"), "{err}");
}

/// A German file whose only territory column is "Bezirk" keeps reading it as the
/// territory; beside "Gebiet", "Bezirk" is the region.
#[test]
fn bezirk_is_the_territory_unless_there_is_one() {
    let alone = tmp("bezirk.csv");
    std::fs::write(&alone, "Kundennummer;Breite;Länge;Bezirk\nK1;48,1;11,5;Süd\nK2;52,5;13,4;Nord\n").expect("write");
    let s = json(&run(&["stats", alone.to_str().expect("utf-8"), "--json"]));
    let names: BTreeSet<&str> =
        s["territories"].as_array().expect("t").iter().map(|t| t["name"].as_str().expect("n")).collect();
    assert_eq!(names, BTreeSet::from(["Nord", "Süd"]));
    assert_eq!(s["regions"].as_array().map(Vec::len), Some(0));
    let both = tmp("bezirk_gebiet.csv");
    std::fs::write(
        &both,
        "Kundennummer;Breite;Länge;Gebiet;Bezirk\nK1;48,1;11,5;München;Süd\nK2;52,5;13,4;Berlin;Nord\n",
    )
    .expect("write");
    let s = json(&run(&["stats", both.to_str().expect("utf-8"), "--json"]));
    let regions: BTreeSet<&str> =
        s["regions"].as_array().expect("r").iter().map(|r| r["name"].as_str().expect("n")).collect();
    assert_eq!(regions, BTreeSet::from(["Nord", "Süd"]));
    assert_eq!(s["territories"].as_array().map(Vec::len), Some(2));
}
