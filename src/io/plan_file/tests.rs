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
    assert_eq!(plan.assignment, vec![Some(TerritoryIdx(0)), None]);
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
