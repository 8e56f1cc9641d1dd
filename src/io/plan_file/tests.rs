//! Tests of the plan file.

use super::*;

#[test]
fn minimal_older_file_loads() {
    // What a first-version file may hold at least: no view, no locks, no reps.
    let text = r##"(version: 1, territories: [(id: "n", name: "North", color: "#ff0000")],
        accounts: [(id: "A1", name: "Acme", lon: -100.0, lat: 40.0, potential_cents: 150, territory: "n"),
                   (id: "A2", name: "Beta", lon: -101.0, lat: 41.0)])"##;
    let plan = from_ron_str(text, "old.ron").expect("loads");
    assert_eq!(plan.accounts.len(), 2);
    assert_eq!(plan.assignment, vec![Some(TerritoryIdx::new(0)), None]);
    assert_eq!(plan.accounts.get(0).potential, Cents(150));
    assert_eq!(plan.currency, "USD");
}

#[test]
fn errors_name_file_and_reason() {
    let err = from_ron_str("(version: 2, territories: [", "cut.ron").expect_err("truncated");
    let msg = err.to_string();
    assert!(msg.starts_with("cut.ron: line 1"), "{msg}");
    let err = from_ron_str(
        r#"(version: 1, territories: [], accounts: [(id: "A", name: "x", lon: 0.0, lat: 0.0, territory: "zz")])"#,
        "bad.ron",
    )
    .expect_err("unknown territory");
    assert!(err.to_string().contains("unknown territory \"zz\""));
    let err = from_ron_str("(version: 9, territories: [], accounts: [])", "new.ron").expect_err("newer");
    let row = r##"(version: 2, territories: [(id: "n", name: "N", color: "#00ff00")],
        accounts: [("A", "x", 0.0, 0.0, 1, 2, 3, 4, None, None, None, "q", false)])"##;
    let e = from_ron_str(row, "v2.ron").expect_err("unknown territory in a row");
    assert!(e.to_string().contains("unknown territory \"q\""), "{e}");
    assert!(matches!(err, PlanFileError::TooNew { found: 9, .. }));
}

/// Three accounts in North and South, and a second scenario "Split" (current) that
/// adds a territory East, drops South, moves accounts and flips two locks.
fn scenario_plan() -> Plan {
    let text = r##"(version: 1, territories: [(id: "n", name: "North", color: "#ff0000"), (id: "s", name: "Süd", color: "#00ff00")],
        accounts: [(id: "A1", name: "Müller", lon: -100.0, lat: 40.0, territory: "n", locked: true),
                   (id: "A2", name: "Beta", lon: -101.0, lat: 41.0, territory: "s"),
                   (id: "A3", name: "Gamma", lon: -102.0, lat: 42.0)])"##;
    let mut plan = from_ron_str(text, "base.ron").expect("loads");
    plan.add_scenario("Split").expect("new scenario");
    plan.territories[1].alive = false;
    plan.territories.push(crate::model::Territory::new("e", "East", crate::model::palette_color(2)));
    plan.assignment = vec![Some(TerritoryIdx::new(2)), Some(TerritoryIdx::new(0)), Some(TerritoryIdx::new(2))];
    plan.accounts.set_locked(0, false);
    plan.accounts.set_locked(2, true);
    plan
}

#[test]
fn scenarios_round_trip_as_differences_from_the_first() {
    let plan = scenario_plan();
    let text = to_ron_string(&plan).expect("writes");
    assert!(text.contains("version: 4") && text.contains("current: \"Split\""), "{text}");
    // The rows carry the first scenario: A2 still in "s", A1 locked.
    assert!(text.contains(r#"("A2","Beta",-101.0,41.0,0,0,0,0,None,None,None,"s",false)"#), "{text}");
    // The second scenario lists only what differs, one entry a line.
    for line in [r#"("A1", Some("e")),"#, r#"("A2", Some("n")),"#, r#"("A3", Some("e")),"#] {
        assert!(text.lines().any(|l| l.trim() == line), "{line} in {text}");
    }
    let back = from_ron_str(&text, "split.ron").expect("reads");
    assert_eq!(back.scenario_names(), ["As is", "Split"]);
    assert_eq!(back.scenario_name(), "Split");
    assert_eq!(
        back.assignment,
        plan.assignment
            .iter()
            .map(|a| a.map(|t| if t.index() == 2 { TerritoryIdx::new(1) } else { t }))
            .collect::<Vec<_>>()
    );
    assert_eq!(back.territories.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["n", "e"]);
    assert_eq!(back.accounts.locked(), [false, false, true]);
    let (t, a, l) = back.scenario_parts(0);
    assert_eq!(t.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["North", "Süd"]);
    assert_eq!(a, [Some(TerritoryIdx::new(0)), Some(TerritoryIdx::new(1)), None]);
    assert_eq!(l, [true, false, false]);
    // Written again, the same text.
    assert_eq!(to_ron_string(&back).expect("writes"), text);
}

#[test]
fn a_plan_of_one_scenario_writes_no_scenario_fields() {
    let mut plan = scenario_plan();
    plan.remove_scenario(1).expect("removed");
    let text = to_ron_string(&plan).expect("writes");
    assert!(!text.contains("scenario") && !text.contains("current"), "{text}");
    assert_eq!(from_ron_str(&text, "one.ron").expect("reads"), plan);
}

#[test]
fn bad_scenarios_are_refused_with_the_reason() {
    let text = to_ron_string(&scenario_plan()).expect("writes");
    let cases = [
        (text.replace(r#"("A2", Some("n")),"#, ""), "account \"A2\" is in a territory the scenario does not have"),
        (text.replace(r#"("A2", Some("n")),"#, r#"("ZZ", Some("n")),"#), "unknown account \"ZZ\""),
        (text.replace(r#"("A2", Some("n")),"#, r#"("A2", Some("q")),"#), "unknown territory \"q\""),
        (text.replace("current: \"Split\"", "current: \"Nope\""), "no scenario \"Nope\""),
        (text.replace("name: \"Split\"", "name: \"as is\""), "used twice"),
    ];
    for (bad, why) in cases {
        let e = from_ron_str(&bad, "bad.ron").expect_err(why);
        assert!(e.to_string().starts_with("bad.ron: ") && e.to_string().contains(why), "{e} / {why}");
    }
}

/// A capacity other than 1.0 is written (in the baseline and in another scenario) and
/// read back; 1.0 is not written at all; one out of range is refused with the
/// territory's id.
#[test]
fn capacities_round_trip_and_are_checked() {
    let mut plan = scenario_plan();
    plan.territories[0].capacity = 0.5;
    plan.scenarios[0].territories[1].capacity = 1.25;
    let text = to_ron_string(&plan).expect("writes");
    assert_eq!(text.matches("capacity:").count(), 2, "{text}");
    let back = from_ron_str(&text, "caps.ron").expect("reads");
    let capacity = |p: &Plan, scenario: usize, id: &str| {
        let (territories, _, _) = p.scenario_parts(scenario);
        territories.iter().find(|t| t.alive && t.id == id).map(|t| t.capacity)
    };
    for (scenario, id, want) in [(1, "n", 0.5), (1, "e", 1.0), (0, "n", 1.0), (0, "s", 1.25)] {
        assert_eq!(capacity(&plan, scenario, id), Some(want));
        assert_eq!(capacity(&back, scenario, id), Some(want), "scenario {scenario}, {id}");
    }
    // Out of range in the first scenario's territories, and in another's.
    for (from, to, what) in [("capacity: 1.25", "capacity: 12.5", "12.5"), ("Some(0.5)", "Some(0.0)", "0 is")] {
        let bad = text.replacen(from, to, 1);
        assert_ne!(bad, text, "{text}");
        let err = from_ron_str(&bad, "caps.ron").expect_err("out of range").to_string();
        assert!(err.contains("caps.ron") && err.contains(&format!("capacity of {what}")), "{err}");
    }
}

/// Regions on disk: each names its parent by id (in any order); an unknown parent, a
/// region inside itself and a territory in an unknown region are refused, naming them.
#[test]
fn region_trees_are_checked() {
    let file = |regions: &str, region: &str| {
        format!(
            r##"(version: 4, regions: [{regions}], territories: [(id: "n", name: "N", color: "#00ff00", region: "{region}")],
               account_fields: [], accounts: [("A","x",-100.0,40.0,0,0,1,1,None,None,None,"n",false)])"##
        )
    };
    let ok = file(
        r##"(id: "mid", name: "Mid", color: "#123456", parent: "east"), (id: "east", name: "East", color: "#654321")"##,
        "mid",
    );
    let plan = from_ron_str(&ok, "ok.ron").expect("a child before its parent is fine");
    assert_eq!(crate::model::region_path(&plan.regions, plan.territories[0].region.expect("region")), "East/Mid");
    for (regions, region, want) in [
        (r##"(id: "a", name: "A", color: "#123456", parent: "zz")"##, "a", "unknown parent region \"zz\""),
        (
            r##"(id: "a", name: "A", color: "#123456", parent: "b"), (id: "b", name: "B", color: "#123456", parent: "a")"##,
            "a",
            "inside itself",
        ),
        (r##"(id: "a", name: "A", color: "#123456")"##, "q", "unknown region \"q\""),
    ] {
        let err = from_ron_str(&file(regions, region), "bad.ron").expect_err("refused").to_string();
        assert!(err.contains("bad.ron") && err.contains(want), "{err}");
    }
}

/// A save reports its parts until the bar is full and writes what `to_ron_string`
/// gives; cancelled before the file is replaced, it leaves the old file.
#[test]
fn a_save_reports_progress_and_a_cancelled_one_keeps_the_old_file() {
    let plan = scenario_plan();
    let path = std::env::temp_dir().join(format!("te-save-progress-{}.ron", std::process::id()));
    let progress = crate::io::Progress::default();
    save_with(&plan, &path, Some(&progress)).expect("saved");
    assert_eq!(progress.fraction(), Some(1.0));
    let written = std::fs::read_to_string(&path).expect("read");
    assert_eq!(written, to_ron_string(&plan).expect("text"));
    let cancelled = crate::io::Progress::default();
    cancelled.cancel();
    let mut other = plan.clone();
    other.territories[0].name = "Nord".into();
    assert!(matches!(save_with(&other, &path, Some(&cancelled)), Err(PlanFileError::Cancelled { .. })));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), written, "the old file stays");
    let _ = std::fs::remove_file(&path);
}
