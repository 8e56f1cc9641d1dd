use super::*;
use crate::model::{Account, Cents};

/// Accounts `ids` with potential 100·(i+1) cents and workload (i+1) hours each.
fn plan(ids: &[&str], territories: &[&str], owners: &[Option<u32>]) -> Plan {
    let accounts: Vec<Account> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| Account {
            id: (*id).to_owned(),
            name: format!("Firma {id}"),
            lon: -100.0 + i as f64,
            lat: 40.0,
            potential: Cents(100 * (i as i64 + 1)),
            annual_revenue: Cents(0),
            visits_per_year: 1,
            minutes_per_visit: 60 * (i as u32 + 1),
            city: None,
            state: None,
            zip: None,
            locked: false,
        })
        .collect();
    crate::model::testing::plan_of(accounts, territories, owners)
}

#[test]
fn a_plan_compared_with_itself_has_no_changes() {
    let a = plan(&["1", "2", "3"], &["n", "s"], &[Some(0), Some(1), None]);
    let c = compare(&a, &a);
    assert!(c.changes.is_empty() && c.flows.is_empty());
    assert_eq!(c.moved, Totals::default());
    assert_eq!((c.matched, c.only_in_a.len(), c.only_in_b.len()), (3, 0, 0));
    assert!(c.territories.iter().all(|t| t.changed_share_of_workload() == 0.0));
}

#[test]
fn moves_flows_and_disruption_are_counted_by_hand() {
    // Accounts 1..4 with workload 1, 2, 3, 4 h. A: n = {1, 2, 3}, s = {4}.
    // B: n = {1}, s = {2, 4}, and 3 Unassigned.
    let a = plan(&["1", "2", "3", "4"], &["n", "s"], &[Some(0), Some(0), Some(0), Some(1)]);
    let b = plan(&["1", "2", "3", "4"], &["n", "s"], &[Some(0), Some(1), None, Some(1)]);
    let c = compare(&a, &b);
    assert_eq!(c.changes.iter().map(|ch| a.accounts.id(ch.a)).collect::<Vec<_>>(), ["2", "3"]);
    assert_eq!(c.moved.accounts, 2);
    assert_eq!(c.moved.workload.0, 120 + 180);
    assert_eq!(c.moved.potential.0, 200 + 300);
    // Two flows: n → s (account 2, 2 h) and n → Unassigned (account 3, 3 h), the
    // larger workload first.
    let flows: Vec<(Option<&str>, Option<&str>, i64)> = c
        .flows
        .iter()
        .map(|f| {
            let name = |r: Option<usize>| r.map(|r| c.territories[r].id.as_str());
            (name(f.from), name(f.to), f.totals.workload.0)
        })
        .collect();
    assert_eq!(flows, [(Some("n"), None, 180), (Some("n"), Some("s"), 120)]);
    // n had 1 + 2 + 3 = 6 h and lost 5 h; s lost nothing and gained 2 h.
    let n = &c.territories[0];
    assert_eq!(n.id, "n");
    assert!((n.changed_share_of_workload() - 5.0 / 6.0).abs() < 1e-12);
    assert_eq!(c.territories[1].gained.workload.0, 120);
    assert_eq!(c.territories[1].changed_share_of_workload(), 0.0);
    // B's figures: n holds 1 h, s 2 + 4 = 6 h.
    assert_eq!(n.b.as_ref().map(|f| f.totals.workload.0), Some(60));
    assert_eq!(c.territories[1].b.as_ref().map(|f| f.totals.workload.0), Some(360));
}

#[test]
fn accounts_and_territories_are_matched_by_id_whatever_the_order() {
    // B lists the accounts in another order, drops "3", adds "5", and has a territory
    // "w" that A lacks; its slots are in another order too.
    let a = plan(&["1", "2", "3", "4"], &["n", "s"], &[Some(0), Some(0), Some(1), Some(1)]);
    let b = plan(&["4", "5", "2", "1"], &["w", "s", "n"], &[Some(1), Some(0), Some(0), Some(2)]);
    let c = compare(&a, &b);
    // Account 2 goes n → w; 1 stays in n; 4 stays in s.
    assert_eq!(c.changes.len(), 1);
    let ch = c.changes[0];
    assert_eq!((a.accounts.id(ch.a), b.accounts.id(ch.b)), ("2", "2"));
    assert_eq!(c.territories[ch.from.expect("from n")].id, "n");
    assert_eq!(c.territories[ch.to.expect("to w")].id, "w");
    assert_eq!(c.only_in_a.iter().map(|&i| a.accounts.id(i)).collect::<Vec<_>>(), ["3"]);
    assert_eq!(c.only_in_b.iter().map(|&i| b.accounts.id(i)).collect::<Vec<_>>(), ["5"]);
    assert_eq!(c.matched, 3);
    let w = c.territories.iter().find(|t| t.id == "w").expect("w is listed");
    assert!(w.a.is_none() && w.b.is_some());
}

proptest::proptest! {
    /// Applying the changes of (A, B) to A's assignment gives B's, and the moved totals
    /// are the sums over the accounts whose owner differs, counted here.
    #[test]
    fn the_changes_turn_a_into_b(
        owners in proptest::collection::vec((proptest::option::of(0u32..4), proptest::option::of(0u32..4)), 1..60)
    ) {
        let ids: Vec<String> = (0..owners.len()).map(|i| format!("K{i}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let a_owner: Vec<Option<u32>> = owners.iter().map(|o| o.0).collect();
        let b_owner: Vec<Option<u32>> = owners.iter().map(|o| o.1).collect();
        let a = plan(&ids, &["n", "e", "s", "w"], &a_owner);
        let b = plan(&ids, &["n", "e", "s", "w"], &b_owner);
        let c = compare(&a, &b);
        let mut applied = a.assignment.clone();
        for ch in &c.changes {
            applied[ch.a] = ch.to.map(|r| c.territories[r].b.as_ref().expect("live in B").slot);
        }
        proptest::prop_assert_eq!(&applied, &b.assignment);
        let (mut n, mut minutes) = (0u64, 0i64);
        for i in 0..owners.len() {
            if a_owner[i] != b_owner[i] {
                n += 1;
                minutes += 60 * (i as i64 + 1);
            }
        }
        proptest::prop_assert_eq!(c.moved.accounts, n);
        proptest::prop_assert_eq!(c.moved.workload.0, minutes);
        let flow_sum: u64 = c.flows.iter().map(|f| f.totals.accounts).sum();
        proptest::prop_assert_eq!(flow_sum, n);
    }
}
