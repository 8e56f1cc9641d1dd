//! Tests of the editor: commands, undo and redo, the metrics kept up to date.

use super::*;
use crate::model::{Account, Cents, palette_color};

/// `n` generated accounts (`generate`'s bands), imported.
fn generated(n: usize, k: usize, seed: u64) -> Plan {
    let mut buf = Vec::new();
    crate::generate::generate(n, k, seed, &mut buf).expect("generate");
    crate::io::csv_import::import_bytes(&buf, "g.csv", &crate::io::csv_import::ImportOptions::default())
        .expect("import")
        .0
}

fn plan() -> Plan {
    let account = |i: u32| Account {
        id: format!("A{i}"),
        name: format!("Account {i}"),
        lon: f64::from(i),
        lat: 40.0,
        potential: Cents(i64::from(i) * 100),
        annual_revenue: Cents(1000),
        visits_per_year: 4,
        minutes_per_visit: 30,
        city: None,
        state: None,
        zip: None,
        locked: false,
    };
    let territory = |n: usize| Territory::new(format!("t{n}"), format!("T{n}"), palette_color(n));
    Plan {
        accounts: (0..4).map(account).collect(),
        territories: vec![territory(0), territory(1)],
        assignment: vec![Some(TerritoryIdx::new(0)), Some(TerritoryIdx::new(0)), Some(TerritoryIdx::new(1)), None],
        ..Plan::default()
    }
}

#[test]
fn reassign_undo_redo() {
    let original = plan();
    let mut ed = Editor::new(original.clone());
    let cmd = Command::Reassign { accounts: AccountSet::from_indices(vec![0, 3]), to: Some(TerritoryIdx::new(1)) };
    let cs = ed.apply(cmd).expect("valid").expect("changes");
    assert_eq!(cs.moved(), 2);
    assert_eq!(ed.metrics().territories[1].accounts, 3);
    assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
    assert!(ed.is_dirty());
    ed.undo();
    assert_eq!(ed.plan(), &original);
    assert_eq!(ed.metrics(), &Metrics::recompute(&original));
    ed.redo();
    assert_eq!(ed.metrics().territories[1].accounts, 3);
}

#[test]
fn locks_are_respected() {
    let mut ed = Editor::new(plan());
    ed.apply(Command::LockTerritory { territory: TerritoryIdx::new(1), locked: true }).expect("ok");
    let err =
        ed.apply(Command::Reassign { accounts: AccountSet::from_indices(vec![0]), to: Some(TerritoryIdx::new(1)) });
    assert!(matches!(err, Err(EditError::TerritoryLocked(_))));
    // An account of a locked territory does not leave it.
    let r = ed.apply(Command::Reassign { accounts: AccountSet::from_indices(vec![2]), to: Some(TerritoryIdx::new(0)) });
    assert_eq!(r, Ok(None));
    ed.apply(Command::LockAccounts { accounts: AccountSet::from_indices(vec![0]), locked: true }).expect("ok");
    let r = ed.apply(Command::Reassign { accounts: AccountSet::from_indices(vec![0]), to: None });
    assert_eq!(r, Ok(None));
}

#[test]
fn delete_and_create_undo() {
    let original = plan();
    let mut ed = Editor::new(original.clone());
    ed.apply(Command::DeleteTerritory { territory: TerritoryIdx::new(0), accounts_to: None }).expect("ok");
    assert_eq!(ed.metrics().unassigned.accounts, 3);
    assert_eq!(ed.plan().live_territories().count(), 1);
    ed.apply(Command::CreateTerritory { name: "New".into(), color: palette_color(5), rep: None }).expect("ok");
    assert_eq!(ed.plan().territories.len(), 3);
    ed.undo();
    ed.undo();
    assert_eq!(ed.plan(), &original);
    assert!(!ed.is_dirty());
}

#[test]
fn rep_home_is_set_checked_and_undone() {
    let original = plan();
    let mut ed = Editor::new(original.clone());
    let home = Some((-87.6, 41.9));
    ed.apply(Command::SetRepHome { territory: TerritoryIdx::new(1), home }).expect("ok");
    assert_eq!(ed.plan().territories[1].rep_home, home);
    assert_eq!(ed.undo_label(), Some("Set rep's home"));
    for bad in [(-200.0, 40.0), (10.0, 89.0), (f64::NAN, 0.0)] {
        let r = ed.apply(Command::SetRepHome { territory: TerritoryIdx::new(0), home: Some(bad) });
        assert!(matches!(r, Err(EditError::HomeOffTheMap(..))), "{bad:?}");
    }
    ed.undo();
    assert_eq!(ed.plan(), &original);
    ed.redo();
    assert_eq!(ed.plan().territories[1].rep_home, home);
}

#[test]
fn the_revision_changes_with_every_edit_undo_and_redo_and_differs_between_editors() {
    let mut ed = Editor::new(small_plan_for_revision());
    let other = Editor::new(small_plan_for_revision());
    assert_ne!(ed.revision(), other.revision());
    let r0 = ed.revision();
    let cmd = Command::Reassign { accounts: AccountSet::from_indices(vec![0]), to: Some(TerritoryIdx::new(1)) };
    ed.apply(cmd.clone()).expect("applies").expect("changes");
    let r1 = ed.revision();
    assert_ne!(r1, r0);
    // A command that changes nothing leaves it, and so does the saved view.
    assert!(ed.apply(cmd).expect("valid").is_none());
    ed.set_view(None);
    assert_eq!(ed.revision(), r1);
    ed.undo();
    let r2 = ed.revision();
    assert!(r2 != r1 && r2 != r0, "undo gives a new revision, not the old one: caches keyed on it refresh");
    ed.redo();
    assert!(![r0, r1, r2].contains(&ed.revision()));
}

fn small_plan_for_revision() -> Plan {
    let accounts: Vec<crate::model::Account> = (0..3)
        .map(|i| crate::model::Account {
            id: format!("A{i}"),
            name: String::new(),
            lon: -100.0 + f64::from(i),
            lat: 40.0,
            potential: crate::model::Cents(100),
            annual_revenue: crate::model::Cents(0),
            visits_per_year: 1,
            minutes_per_visit: 60,
            city: None,
            state: None,
            zip: None,
            locked: false,
        })
        .collect();
    let territories =
        (0..2).map(|t| Territory::new(format!("t{t}"), format!("T{t}"), crate::model::palette_color(t))).collect();
    Plan {
        accounts: accounts.into_iter().collect(),
        territories,
        assignment: vec![Some(TerritoryIdx::new(0)); 3],
        ..Plan::default()
    }
}

#[test]
fn each_scenario_has_its_own_history_and_metrics() {
    let original = plan();
    let mut ed = Editor::new(original.clone());
    let to_t1 =
        |v: Vec<u32>| Command::Reassign { accounts: AccountSet::from_indices(v), to: Some(TerritoryIdx::new(1)) };
    // An edit in the baseline, then a new scenario with an edit of its own.
    ed.apply(to_t1(vec![0])).expect("valid");
    let baseline = ed.plan().assignment.clone();
    let s = ed.new_scenario("Plan B").expect("new");
    // Its history starts with its creation.
    assert_eq!((s, ed.plan().scenario_name(), ed.undo_depth()), (1, "Plan B", 1));
    assert_eq!(ed.plan().assignment, baseline, "a copy of the baseline");
    ed.apply(to_t1(vec![1, 3])).expect("valid");
    ed.apply(Command::LockAccounts { accounts: AccountSet::from_indices(vec![2]), locked: true }).expect("valid");
    let in_b = ed.plan().assignment.clone();
    assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
    // Back to the baseline: its assignment, locks, metrics and history.
    ed.switch_scenario(0);
    assert_eq!(ed.plan().assignment, baseline);
    assert!(!ed.plan().accounts.locked()[2]);
    assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
    assert_eq!(ed.undo_depth(), 1);
    // Undo here undoes the baseline's edit, never Plan B's.
    ed.undo();
    assert_eq!(ed.plan().assignment, original.assignment);
    ed.switch_scenario(1);
    assert_eq!(ed.plan().assignment, in_b);
    assert!(ed.plan().accounts.locked()[2]);
    assert_eq!(ed.undo_depth(), 3);
    ed.undo();
    ed.undo();
    assert_eq!(ed.plan().assignment, baseline, "Plan B's own edits undone");
    assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
    // Locked account 2 in B moved by nothing; the mirror of locks follows the scenario.
    ed.redo();
    ed.redo();
    ed.apply(to_t1(vec![2])).expect("valid");
    assert_eq!(ed.plan().assignment, in_b, "account 2 is locked in Plan B");
    // Saving marks every scenario clean; a rename makes the plan dirty again.
    ed.mark_saved();
    assert!(!ed.is_dirty());
    ed.rename_scenario(1, "Plan C").expect("renamed");
    assert!(ed.is_dirty());
    ed.mark_saved();
    // Deleting the scenario on screen shows the baseline.
    ed.delete_scenario(1).expect("deleted");
    assert_eq!((ed.plan().scenario_names(), ed.plan().current), (vec!["As is"], 0));
    assert_eq!(ed.plan().assignment, original.assignment);
    assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
    assert!(ed.is_dirty());
}

#[test]
fn creating_and_deleting_a_scenario_are_undone_and_redone() {
    let original = plan();
    let mut ed = Editor::new(original.clone());
    let to_t1 =
        |v: Vec<u32>| Command::Reassign { accounts: AccountSet::from_indices(v), to: Some(TerritoryIdx::new(1)) };
    let names = |ed: &Editor| ed.plan().scenario_names().iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let check = |ed: &Editor| assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
    ed.new_scenario("B").expect("new");
    ed.apply(to_t1(vec![0, 3])).expect("valid");
    let in_b = ed.plan().assignment.clone();
    assert_ne!(in_b, original.assignment);

    // Undo the edit, then the creation: B is gone and the baseline is on screen.
    ed.undo();
    assert_eq!(ed.undo().map(|c| c.label.clone()).as_deref(), Some("New scenario \"B\""));
    assert_eq!((names(&ed), ed.plan().current), (vec!["As is".to_owned()], 0));
    assert_eq!(ed.plan().assignment, original.assignment);
    check(&ed);
    // Redo brings it back on screen, its own edit still to redo.
    ed.redo();
    assert_eq!((names(&ed), ed.plan().current), (vec!["As is".to_owned(), "B".to_owned()], 1));
    assert_eq!(ed.plan().assignment, original.assignment);
    ed.redo();
    assert_eq!(ed.plan().assignment, in_b);
    check(&ed);

    // Delete B while it is on screen: the baseline shows, and its Undo restores B
    // with its history.
    ed.delete_scenario(1).expect("deleted");
    assert_eq!((names(&ed), ed.plan().current), (vec!["As is".to_owned()], 0));
    assert_eq!(ed.undo_label(), Some("Delete scenario \"B\""));
    check(&ed);
    ed.undo();
    assert_eq!((names(&ed), ed.plan().current), (vec!["As is".to_owned(), "B".to_owned()], 1));
    assert_eq!(ed.plan().assignment, in_b);
    assert_eq!(ed.undo_depth(), 2, "its creation and its edit");
    check(&ed);
    // Redo deletes it again; Undo brings it back again.
    ed.redo();
    assert_eq!(names(&ed), vec!["As is".to_owned()]);
    assert_eq!(ed.plan().assignment, original.assignment);
    ed.undo();
    assert_eq!(ed.plan().assignment, in_b);

    // A scenario deleted from the middle comes back at its place.
    ed.new_scenario("C").expect("new");
    ed.apply(to_t1(vec![1])).expect("valid");
    let in_c = ed.plan().assignment.clone();
    ed.delete_scenario(1).expect("deleted");
    assert_eq!((names(&ed), ed.plan().scenario_name()), (vec!["As is".to_owned(), "C".to_owned()], "C"));
    assert_eq!(ed.plan().assignment, in_c);
    ed.undo();
    assert_eq!(names(&ed), vec!["As is".to_owned(), "B".to_owned(), "C".to_owned()]);
    assert_eq!((ed.plan().scenario_name(), &ed.plan().assignment), ("B", &in_b));
    check(&ed);
    ed.switch_scenario(2);
    assert_eq!(ed.plan().assignment, in_c);
    check(&ed);
    ed.switch_scenario(0);
    assert_eq!(ed.plan().assignment, original.assignment);
    check(&ed);
}

#[test]
fn a_scenario_brought_back_under_a_name_taken_meanwhile_is_renamed() {
    let mut ed = Editor::new(plan());
    ed.new_scenario("B").expect("new");
    ed.delete_scenario(1).expect("deleted");
    // The baseline's history ends with the deletion; a new "B" is made meanwhile.
    ed.new_scenario("B").expect("the name is free");
    ed.switch_scenario(0);
    ed.undo();
    assert_eq!(ed.plan().scenario_names(), ["As is", "B (2)", "B"]);
    assert_eq!(ed.plan().scenario_name(), "B (2)");
}

/// Travel on: a reassignment moves each account's drive from its old territory's start
/// to its new one's, and both territories' totals follow, equal to a recomputation.
#[test]
fn travel_follows_a_reassignment() {
    let mut ed = Editor::new(generated(3000, 4, 1));
    ed.apply(Command::SetTravel { travel: Some(crate::model::Travel::default()) }).expect("on");
    assert!(ed.plan().live_territories().all(|(_, t)| t.centre.is_some()), "centres stored");
    let before: Vec<i64> = ed.travel().iter().map(|t| t.minutes).collect();
    assert!(before.iter().all(|&m| m > 0), "{before:?}");
    let to = Some(TerritoryIdx::new(0));
    ed.apply(Command::Reassign { accounts: AccountSet::from_sorted_ranges([(0, 3000)]), to }).expect("moved");
    let after: Vec<i64> = ed.travel().iter().map(|t| t.minutes).collect();
    assert_eq!(&after[1..], &[0, 0, 0], "the others lost all their accounts");
    assert!(after[0] > before[0]);
    assert_eq!(ed.travel(), &crate::model::travel_by_territory(ed.plan())[..]);
    ed.undo();
    assert_eq!(ed.travel().iter().map(|t| t.minutes).collect::<Vec<_>>(), before);
}

/// The drives a preview adds ([`Editor::travel_if_assigned`]) are what the move
/// really does: each territory's travel after the reassignment, recomputed from the
/// plan, equals its travel before minus what the preview says it loses, plus (for the
/// target) what it gains; a locked account neither loses nor gains.
#[test]
fn travel_preview_equals_the_move() {
    let mut ed = Editor::new(generated(3000, 5, 4));
    assert_eq!(ed.travel_if_assigned(&AccountSet::from_sorted_ranges([(0, 10)]), None), None, "travel off");
    ed.apply(Command::SetTravel { travel: Some(crate::model::Travel::default()) }).expect("on");
    ed.apply(Command::LockAccounts { accounts: AccountSet::from_indices(vec![1500]), locked: true }).expect("lock");
    let before: Vec<i64> = crate::model::travel_by_territory(ed.plan()).iter().map(|t| t.minutes).collect();
    let set = AccountSet::from_sorted_ranges([(200, 900), (1400, 2100)]);
    let to = Some(TerritoryIdx::new(2));
    let (lost, gained) = ed.travel_if_assigned(&set, to).expect("travel on");
    assert!(gained > 0 && lost.iter().any(|&m| m > 0));
    assert_eq!(lost[2], 0, "the target's own accounts stay");
    ed.apply(Command::Reassign { accounts: set, to }).expect("moved");
    let after: Vec<i64> = crate::model::travel_by_territory(ed.plan()).iter().map(|t| t.minutes).collect();
    for t in 0..before.len() {
        let want = if t == 2 { before[t] + gained } else { before[t] - lost[t] };
        assert_eq!(after[t], want, "territory {t}");
    }
}
