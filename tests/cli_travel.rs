//! Travel from the command line: `set --travel on` stores each territory's centre and
//! the settings; `stats --json` gives visit, travel and workload hours per territory,
//! checked against a computation here from the CSV (haversine from the centre of the
//! territory's accounts, trips rounded up, minutes rounded per account).

use std::collections::BTreeMap;

mod common;

use common::{fixture, json, mercator, run, tmp};

fn haversine_km((lon1, lat1): (f64, f64), (lon2, lat2): (f64, f64)) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((lon2 - lon1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

#[test]
fn travel_hours_follow_the_centres_and_the_settings() {
    let plan = common::import_to(&fixture("small_accounts.csv"), "travel.ron");
    let on = tmp("travel_on.ron");
    let args = ["set", plan.to_str().expect("utf-8"), "--travel", "on", "--speed", "50", "--visits-per-trip", "3"];
    let out = run(&[&args[..], &["--out", on.to_str().expect("utf-8"), "--json"]].concat());
    assert_eq!(json(&out)["changed"][0], "Switch travel on");
    let stats = json(&run(&["stats", on.to_str().expect("utf-8"), "--json"]));

    // The accounts by territory: (lon, lat, visits, minutes a visit).
    let mut reader = csv::Reader::from_path(fixture("small_accounts.csv")).expect("fixture");
    let mut by: BTreeMap<String, Vec<(f64, f64, f64, f64)>> = BTreeMap::new();
    for r in reader.records() {
        let r = r.expect("row");
        let row = (
            r[3].parse().expect("lon"),
            r[2].parse().expect("lat"),
            r[9].parse().expect("v"),
            r[10].parse().expect("m"),
        );
        by.entry(r[11].to_owned()).or_default().push(row);
    }
    let mut total_workload = 0.0;
    let mut rows = Vec::new();
    for t in stats["territories"].as_array().expect("territories") {
        let name = t["name"].as_str().expect("name");
        let accounts = &by[name];
        let n = accounts.len() as f64;
        let (sx, sy) = accounts.iter().map(|a| mercator(a.0, a.1)).fold((0.0, 0.0), |s, p| (s.0 + p.0, s.1 + p.1));
        let (cx, cy) = (sx / n, sy / n);
        let centre = (
            (cx / 6_378_137.0).to_degrees(),
            (2.0 * (cy / 6_378_137.0).exp().atan() - std::f64::consts::FRAC_PI_2).to_degrees(),
        );
        let travel: f64 = accounts
            .iter()
            .filter(|a| a.2 > 0.0)
            .map(|a| ((a.2 / 3.0).ceil() * 2.0 * haversine_km((a.0, a.1), centre) * 1.3 / 50.0 * 60.0).round())
            .sum::<f64>()
            / 60.0;
        let visit = accounts.iter().map(|a| a.2 * a.3).sum::<f64>() / 60.0;
        let got = t["travel_hours"].as_f64().expect("travel");
        // The centre is stored from positions rounded to the metre: a minute an account
        // at most apart.
        assert!((got - travel).abs() <= n / 60.0, "{name}: {got} h, worked out {travel} h");
        assert!(got > 0.0);
        assert!((t["visit_hours"].as_f64().expect("visit") - visit).abs() < 1e-9, "{name}");
        let workload = t["workload_hours"].as_f64().expect("workload");
        assert!((workload - got - visit).abs() < 1e-6, "{name}: workload is visits plus travel");
        total_workload += workload;
        rows.push((workload, t["workload_deviation"].as_f64().expect("deviation")));
    }
    // Deviations are of the workload with travel.
    let mean = total_workload / rows.len() as f64;
    for (w, d) in rows {
        assert!((d - (w - mean) / mean).abs() < 1e-9);
    }
    // Off again: no travel, the visits alone.
    let off = tmp("travel_off.ron");
    assert!(
        run(&["set", on.to_str().expect("utf-8"), "--travel", "off", "--out", off.to_str().expect("utf-8")])
            .status
            .success()
    );
    let stats = json(&run(&["stats", off.to_str().expect("utf-8"), "--json"]));
    assert!(stats["territories"].as_array().expect("t").iter().all(|t| t["travel_hours"] == 0.0));
    // Settings out of range, or settings without travel on, are usage errors.
    for args in
        [vec!["--travel", "on", "--speed", "0"], vec!["--speed", "70"], vec!["--travel", "off", "--detour", "2"]]
    {
        let from = if args[0] == "--speed" { &off } else { &on };
        let base = ["set", from.to_str().expect("utf-8")];
        let r = run(&[&base[..], &args[..], &["--out", tmp("x.ron").to_str().expect("utf-8")]].concat());
        assert_eq!(r.status.code(), Some(2), "{args:?}");
    }
}
