use super::*;
use crate::model::{Account, Cents};
use proptest::prelude::*;

fn account(id: &str, lon: f64, lat: f64, potential: i64) -> Account {
    crate::model::testing::account(id, &format!("Firma {id}"), lon, lat, potential)
}

use crate::model::testing::plan_of as plan;

/// The owner and lock of account `id` in scenario `k`.
fn owner_of(p: &Plan, k: usize, id: &str) -> (Option<String>, bool) {
    let (territories, assignment, locked) = p.scenario_parts(k);
    let i = p.accounts.ids().position(|x| x == id).expect("account");
    (assignment[i].map(|t| territories[t.get()].id.clone()), locked[i])
}

#[test]
fn the_export_the_plan_came_from_changes_nothing() {
    let old = plan(
        vec![account("a", 10.0, 50.0, 100), account("b", 10.1, 50.0, 200), account("c", 11.0, 50.0, 300)],
        &["n", "s"],
        &[Some(0), Some(1), None],
    );
    let fresh = plan(old.accounts.iter().map(|a| a.to_account()).collect(), &["x"], &[Some(0), None, Some(0)]);
    let (new, report) = update(&old, fresh.clone(), &[], &UpdateOptions::default()).expect("update");
    assert_eq!(new, old);
    assert_eq!((report.kept, report.changed), (3, 0));
    assert!(report.moved.is_empty() && report.new.is_empty() && report.removed.is_empty());
}

#[test]
fn kept_changed_moved_new_removed_and_held_by_hand() {
    // Old: a, b in n (b locked in the second scenario); c, d in s; e in n.
    let mut old = plan(
        vec![
            account("a", 10.0, 50.0, 100),
            account("b", 10.2, 50.0, 200),
            account("c", 12.0, 50.0, 300),
            account("d", 12.1, 50.0, 400),
            account("e", 10.4, 50.0, 500),
        ],
        &["n", "s"],
        &[Some(0), Some(0), Some(1), Some(1), Some(0)],
    );
    old.add_scenario("Plan B").expect("scenario");
    // In "Plan B": c goes to n, and d is locked.
    old.assignment[2] = Some(TerritoryIdx::new(0));
    old.accounts.set_locked(3, true);
    old.switch_scenario(0);
    // The export: a unchanged; b with a new potential; c moved 1° of latitude
    // (111 km); d's row rejected; e gone; f new next to d (0.02° east); g new far
    // from everything.
    let fresh = plan(
        vec![
            account("a", 10.0, 50.0, 100),
            account("b", 10.2, 50.0, 999),
            account("c", 12.0, 51.0, 300),
            account("f", 12.12, 50.0, 50),
            account("g", -70.0, 10.0, 60),
        ],
        &[],
        &[None; 5],
    );
    let rejected = vec![RowIssue { line: 5, reason: "potential \"x\" is not a number".into(), id: Some("d".into()) }];
    let opts = UpdateOptions { allow_removals: true, ..UpdateOptions::default() };
    let (new, report) = update(&old, fresh.clone(), &rejected, &opts).expect("update");

    assert_eq!(new.accounts.ids().collect::<Vec<_>>(), ["a", "b", "c", "d", "f", "g"]);
    assert_eq!((report.kept, report.changed), (1, 1));
    assert_eq!(report.moved.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["c"]);
    // 1° of latitude on a sphere of 6371.0088 km.
    let want_km = 6371.0088 * std::f64::consts::PI / 180.0;
    assert!((report.moved[0].km - want_km).abs() < 1e-6, "{}", report.moved[0].km);
    assert_eq!(report.held.iter().map(|h| (h.id.as_str(), h.line)).collect::<Vec<_>>(), [("d", 5)]);
    assert_eq!(report.removed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["e"]);
    assert_eq!(report.removed[0].potential, Cents(500));
    // d is held as it was (potential 400), b took the new potential.
    assert_eq!(new.accounts.get(3).potential, Cents(400));
    assert_eq!(new.accounts.get(1).potential, Cents(999));
    assert_eq!(new.accounts.get(2).lat, 51.0);

    // Baseline: f's nearest is d (s); g has no account within 50 km.
    assert_eq!(owner_of(&new, 0, "f"), (Some("s".into()), false));
    assert_eq!(owner_of(&new, 0, "g"), (None, false));
    assert_eq!(owner_of(&new, 0, "c"), (Some("s".into()), false));
    // Plan B: d is locked, so f looks further: c is now 111 km away, b at 1.9° of
    // longitude (about 136 km): nothing within 50 km, Unassigned.
    assert_eq!(owner_of(&new, 1, "d"), (Some("s".into()), true));
    assert_eq!(owner_of(&new, 1, "c"), (Some("n".into()), false));
    assert_eq!(owner_of(&new, 1, "f"), (None, false));
    // With a radius of 150 km it reaches c (111.5 km: 1° north, 0.12° west), which
    // Plan B gives to n; b (1.92° west at 50° N, about 137 km) is farther.
    let wide = UpdateOptions { radius_km: 150.0, ..opts };
    let (new, _) = update(&old, fresh.clone(), &rejected, &wide).expect("update");
    assert_eq!(owner_of(&new, 1, "f"), (Some("n".into()), false));

    // Per territory, the scenario on screen: n had a, b, e (3 × 1 h), now a, b;
    // s had c, d, now c, d, f.
    let n = &report.territories[0];
    assert_eq!((n.accounts_before, n.accounts_after), (3, 2));
    assert_eq!((n.workload_before.0, n.workload_after.0), (180, 120));
    let s = &report.territories[1];
    assert_eq!((s.accounts_before, s.accounts_after), (2, 3));
}

#[test]
fn removing_more_than_a_tenth_needs_permission() {
    let accounts: Vec<Account> = (0..20).map(|i| account(&format!("{i}"), 10.0 + i as f64 * 0.01, 50.0, 1)).collect();
    let old = plan(accounts.clone(), &["n"], &[Some(0); 20]);
    // 3 of 20 gone: 15 %.
    let fresh = plan(accounts[3..].to_vec(), &[], &[None; 17]);
    let err = update(&old, fresh.clone(), &[], &UpdateOptions::default()).expect_err("refused");
    assert!(matches!(err, UpdateError::TooManyRemovals { removed: 3, total: 20, .. }), "{err}");
    // 2 of 20 is exactly 10 %: allowed.
    let fresh = plan(accounts[2..].to_vec(), &[], &[None; 18]);
    let (new, report) = update(&old, fresh.clone(), &[], &UpdateOptions::default()).expect("update");
    assert_eq!((new.accounts.len(), report.removed.len()), (18, 2));
}

#[test]
fn take_territories_moves_the_baseline_only_and_respects_locks() {
    let mut old = plan(
        vec![account("a", 10.0, 50.0, 1), account("b", 10.1, 50.0, 1), account("c", 10.2, 50.0, 1)],
        &["n", "s"],
        &[Some(0), Some(0), Some(1)],
    );
    old.accounts.set_locked(1, true);
    old.add_scenario("B").expect("scenario");
    old.switch_scenario(0);
    // The CRM says: a in S, b in S (locked: stays), c in "WEST" (new).
    let fresh = plan(
        vec![account("a", 10.0, 50.0, 1), account("b", 10.1, 50.0, 1), account("c", 10.2, 50.0, 1)],
        &["S", "West"],
        &[Some(0), Some(0), Some(1)],
    );
    let opts = UpdateOptions { take_territories: true, ..UpdateOptions::default() };
    let (new, report) = update(&old, fresh.clone(), &[], &opts).expect("update");
    assert_eq!(owner_of(&new, 0, "a").0.as_deref(), Some("s"));
    assert_eq!(owner_of(&new, 0, "b").0.as_deref(), Some("n"));
    assert_eq!(owner_of(&new, 0, "c").0.as_deref(), Some("west"));
    assert_eq!((report.taken, report.created.clone()), (2, vec!["WEST".to_owned()]));
    // The other scenario keeps its own.
    assert_eq!(owner_of(&new, 1, "a").0.as_deref(), Some("n"));
    assert_eq!(new.scenario_parts(1).0.len(), 2);
}

#[test]
fn a_bad_radius_is_refused() {
    let old = plan(vec![account("a", 10.0, 50.0, 1)], &["n"], &[Some(0)]);
    for r in [-1.0, f64::NAN, f64::INFINITY] {
        let opts = UpdateOptions { radius_km: r, ..UpdateOptions::default() };
        assert!(matches!(update(&old, old.clone(), &[], &opts), Err(UpdateError::BadRadius(_))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any export: the counts add up, every account that stays keeps its owner and
    /// lock in every scenario, and every new account goes where a brute-force search
    /// of the nearest receiving account within the radius says.
    #[test]
    fn updates_keep_the_work_and_place_new_accounts_by_the_nearest(
        old_pos in prop::collection::vec((0.0f64..2.0, 0.0f64..2.0), 1..40),
        owners in prop::collection::vec(prop::option::of(0u32..3), 40),
        locks in prop::collection::vec(prop::bool::weighted(0.2), 40),
        keep in prop::collection::vec(0u8..4, 40),
        new_pos in prop::collection::vec((0.0f64..2.5, 0.0f64..2.5), 0..15),
        locked_territory in prop::option::of(0u32..3),
        radius in 1.0f64..120.0,
    ) {
        let n = old_pos.len();
        let accounts: Vec<Account> =
            old_pos.iter().enumerate().map(|(i, &(x, y))| account(&format!("o{i}"), 8.0 + x, 48.0 + y, 10)).collect();
        let mut old = plan(accounts.clone(), &["t0", "t1", "t2"], &owners[..n]);
        for (i, &l) in locks[..n].iter().enumerate() {
            old.accounts.set_locked(i, l);
        }
        // A second scenario with the territory locked and the locks inverted.
        old.add_scenario("B").expect("scenario");
        if let Some(t) = locked_territory {
            old.territories[t as usize].locked = true;
        }
        for (i, &l) in locks[..n].iter().enumerate() {
            old.accounts.set_locked(i, !l);
        }
        old.switch_scenario(0);
        // keep: 0 gone, 1 same, 2 new potential, 3 moved a little.
        let mut rows: Vec<Account> = Vec::new();
        for (i, a) in accounts.iter().enumerate() {
            match keep[i] {
                0 => {}
                1 => rows.push(a.clone()),
                2 => rows.push(Account { potential: Cents(77), ..a.clone() }),
                _ => rows.push(Account { lon: a.lon + 0.001, ..a.clone() }),
            }
        }
        let first_new = rows.len();
        rows.extend(new_pos.iter().enumerate().map(|(k, &(x, y))| account(&format!("n{k}"), 8.0 + x, 48.0 + y, 5)));
        let m = rows.len();
        let fresh = plan(rows.clone(), &[], &vec![None; m]);
        let opts = UpdateOptions { radius_km: radius, allow_removals: true, take_territories: false };
        let (new, report) = update(&old, fresh.clone(), &[], &opts).expect("update");

        let gone = keep[..n].iter().filter(|&&k| k == 0).count();
        prop_assert_eq!(report.kept + report.changed + report.moved.len() + report.held.len() + gone, n);
        prop_assert_eq!(report.removed.len(), gone);
        prop_assert_eq!(new.accounts.len(), n - gone + new_pos.len());
        prop_assert_eq!(report.new.len(), new_pos.len());
        for k in 0..2 {
            let (ot, oa, ol) = old.scenario_parts(k);
            let (nt, na, nl) = new.scenario_parts(k);
            prop_assert_eq!(ot, nt);
            for (i, a) in accounts.iter().enumerate().filter(|(i, _)| keep[*i] != 0) {
                let j = new.accounts.ids().position(|x| x == a.id).expect("kept");
                prop_assert_eq!(na[j], oa[i]);
                prop_assert_eq!(nl[j], ol[i]);
            }
            // The brute force: kept accounts by distance, the first that receives.
            for r in &rows[first_new..] {
                let j = new.accounts.ids().position(|x| x == r.id).expect("new");
                let mut cands: Vec<(f64, usize)> = (0..n)
                    .filter(|&i| keep[i] != 0)
                    .map(|i| {
                        let b = &rows[rows.iter().position(|x| x.id == accounts[i].id).expect("row")];
                        (distance_km(r.lon, r.lat, b.lon, b.lat), i)
                    })
                    .filter(|&(d, _)| d <= radius)
                    .collect();
                cands.sort_by(|a, b| a.0.total_cmp(&b.0));
                let want = cands
                    .iter()
                    .find(|&&(_, i)| !ol[i] && oa[i].is_some_and(|t| !ot[t.get()].locked))
                    .and_then(|&(_, i)| oa[i]);
                prop_assert_eq!(na[j], want, "new account {} in scenario {}", r.id, k);
                prop_assert!(!nl[j]);
            }
        }
    }
}
