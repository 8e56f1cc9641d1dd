//! Tests of the plan model.

use super::*;

#[test]
fn a_new_colour_stands_apart_from_those_in_use() {
    // With the first twelve in use, the next palette entry (a crimson) is close to
    // the red in use; the chosen one is farther from every colour in use.
    let used: Vec<Rgb> = PALETTE[..12].to_vec();
    let c = distinct_color(&used);
    assert!(!used.contains(&c));
    let nearest = |c: Rgb| used.iter().map(|&u| color_distance(c, u)).fold(f64::INFINITY, f64::min);
    assert!(nearest(c) > nearest(PALETTE[12]), "{c:?}");
    assert!(PALETTE.iter().all(|&p| nearest(p) <= nearest(c)));
    assert_eq!(distinct_color(&[]), PALETTE[0]);
}

fn account(i: usize) -> Account {
    Account {
        id: format!("A{i}"),
        name: format!("Name {i} — ü"),
        lon: i as f64 * 0.5 - 100.0,
        lat: 40.0 - i as f64 * 0.25,
        potential: Cents(i as i64 * 100),
        annual_revenue: Cents(7 * i as i64),
        visits_per_year: i as u32 % 12,
        minutes_per_visit: 30 + i as u32,
        city: (!i.is_multiple_of(3)).then(|| format!("City {i}")),
        state: i.is_multiple_of(2).then(|| "TX".to_owned()),
        zip: None,
        locked: i.is_multiple_of(5),
    }
}

#[test]
fn accounts_read_back_what_was_pushed_joined_and_gathered() {
    let all: Vec<Account> = (0..40).map(account).collect();
    let store: Accounts = all.iter().collect();
    assert_eq!(store.len(), 40);
    for (i, a) in all.iter().enumerate() {
        assert_eq!(store.get(i), a.view());
        assert_eq!(store.id(i), a.id);
        assert_eq!(store.workload(i), a.workload());
    }
    // Three parts joined by `append`, and the same gathered in reverse order.
    let parts: Vec<Accounts> = [0..10, 10..25, 25..40].into_iter().map(|r| all[r].iter().collect()).collect();
    let mut joined = Accounts::new();
    for p in parts {
        joined.append(p);
    }
    assert_eq!(joined, store);
    let reverse: Vec<u32> = (0..40).rev().collect();
    let gathered = joined.permuted(&reverse);
    for (new, &old) in reverse.iter().enumerate() {
        assert_eq!(gathered.get(new), all[old as usize].view());
    }
    assert_eq!(gathered.clone().permuted(&reverse), store);
    // Row-by-row parts gather to the same columns.
    let rows: Vec<AccountRows> = [0..10, 10..25, 25..40]
        .into_iter()
        .map(|r| {
            let mut p = AccountRows::with_capacity(r.len(), 0);
            for a in &all[r] {
                p.push(a);
            }
            p
        })
        .collect();
    assert_eq!(rows[1].id(2), "A12");
    assert_eq!(Accounts::gather_rows(rows, &reverse), gathered);
    let mut kept = store.clone();
    kept.retain_flagged(&(0..40).map(|i| i % 4 != 1).collect::<Vec<_>>());
    assert_eq!(kept.len(), 30);
    assert_eq!(kept.get(1), all[2].view());
}

#[test]
fn hex_round_trips() {
    for c in PALETTE {
        assert_eq!(Rgb::from_hex(&c.to_hex()), Some(c));
    }
    assert_eq!(Rgb::from_hex("#12345"), None);
    assert_eq!(Rgb::from_hex("zzzzzz"), None);
}

#[test]
fn fresh_ids_do_not_collide() {
    let mut plan = Plan::default();
    for n in 0..3 {
        let id = plan.fresh_territory_id("New York Metro");
        plan.territories.push(Territory::new(id, "New York Metro", palette_color(n)));
    }
    let ids: Vec<_> = plan.territories.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["new-york-metro", "new-york-metro-2", "new-york-metro-3"]);
    // Handed out from a set, starting from these territories: the same sequence
    // continues, and an id taken out of order ("a-3") is skipped.
    let mut set = TerritoryIds::of(&plan.territories);
    assert_eq!(set.fresh("New York Metro"), "new-york-metro-4");
    assert_eq!(set.fresh("A"), "a");
    let mut with_gap =
        TerritoryIds::of(&[Territory::new("a", "A", palette_color(0)), Territory::new("a-3", "A", palette_color(1))]);
    assert_eq!([with_gap.fresh("A"), with_gap.fresh("A"), with_gap.fresh("A")], ["a-2", "a-4", "a-5"]);
}

#[test]
fn search_finds_by_name_city_id_and_zip_prefix_in_plan_order() {
    let account = |id: &str, name: &str, city: &str, zip: &str| Account {
        id: id.to_owned(),
        name: name.to_owned(),
        lon: 9.0,
        lat: 48.0,
        potential: Cents(0),
        annual_revenue: Cents(0),
        visits_per_year: 1,
        minutes_per_visit: 1,
        city: Some(city.to_owned()),
        state: None,
        zip: Some(zip.to_owned()),
        locked: false,
    };
    let accounts: Accounts = [
        account("A1", "Bäckerei Müller", "Zürich", "8001"),
        account("B2", "Hofladen", "München", "80331"),
        account("C3", "Müller & Söhne", "Ulm", "89073"),
        account("mü", "Kiosk", "Bern", "3011"),
    ]
    .into_iter()
    .collect();
    assert_eq!(accounts.search("MÜLLER", 10), vec![0, 2]);
    assert_eq!(accounts.search("münchen", 10), vec![1]);
    assert_eq!(accounts.search("b2", 10), vec![1]);
    assert_eq!(accounts.search("80", 10), vec![0, 1]);
    assert_eq!(accounts.search("mü", 10), vec![0, 1, 2, 3]);
    assert_eq!(accounts.search("mü", 2), vec![0, 1]);
    assert!(accounts.search("xyz", 10).is_empty());
}

#[test]
fn the_latitude_limit_is_web_mercators_edge() {
    // Web Mercator maps latitude atan(sinh(π)) to the top of the square world.
    let edge = std::f64::consts::PI.sinh().atan().to_degrees();
    assert!((limits::MAX_LAT - edge).abs() < 1e-12, "{edge}");
    assert!(home_on_map((-150.0, 85.03)));
    assert!(!home_on_map((-150.0, 85.06)));
    assert!(!home_on_map((180.5, 10.0)));
}

#[test]
fn same_ids_compares_ids_in_order() {
    let a: Accounts = (0..5).map(account).collect();
    assert!(a.same_ids(&a.clone()));
    // The same ids stored in another order of text rows, in the same account order.
    let b: Accounts = (0..5).rev().map(account).collect::<Accounts>().permuted(&[4, 3, 2, 1, 0]);
    assert_eq!(b.ids().collect::<Vec<_>>(), a.ids().collect::<Vec<_>>());
    assert!(a.same_ids(&b));
    // Another order, one id fewer, one id changed.
    let c: Accounts = (0..5).rev().map(account).collect();
    assert!(!a.same_ids(&c));
    assert!(!a.same_ids(&(0..4).map(account).collect()));
    let mut other = account(4);
    other.id = "X".into();
    assert!(!a.same_ids(&(0..4).map(account).chain([other]).collect()));
}

fn two_territory_plan() -> Plan {
    let accounts: Accounts = (0..6).map(account).collect();
    let n = accounts.len();
    Plan {
        accounts,
        territories: vec![
            Territory::new("n", "North", palette_color(0)),
            Territory::new("s", "South", palette_color(1)),
        ],
        assignment: (0..n).map(|i| Some(TerritoryIdx::new((i % 2) as u32))).collect(),
        ..Plan::default()
    }
}

#[test]
fn scenarios_switch_without_touching_each_other() {
    let mut p = two_territory_plan();
    let base_assignment = p.assignment.clone();
    let base_locks = p.accounts.locked().to_vec();
    assert_eq!(p.scenario_names(), [BASELINE_NAME]);
    let texas = p.add_scenario("Texas split").expect("new");
    assert_eq!((texas, p.current, p.scenario_name()), (1, 1, "Texas split"));
    // Edit the new scenario: every account to North, account 1 locked, a territory renamed.
    p.assignment.iter_mut().for_each(|a| *a = Some(TerritoryIdx::new(0)));
    p.accounts.set_locked(1, !base_locks[1]);
    p.territories[1].name = "South 2".into();
    let (edited_assignment, edited_locks) = (p.assignment.clone(), p.accounts.locked().to_vec());
    p.switch_scenario(0);
    assert_eq!(p.assignment, base_assignment);
    assert_eq!(p.accounts.locked(), base_locks.as_slice());
    assert_eq!(p.territories[1].name, "South");
    let (t, a, l) = p.scenario_parts(1);
    assert_eq!((t[1].name.as_str(), a, l), ("South 2", edited_assignment.as_slice(), edited_locks.as_slice()));
    p.switch_scenario(1);
    assert_eq!(p.assignment, edited_assignment);
    assert_eq!(p.accounts.locked(), edited_locks.as_slice());
    // Names are unique ignoring case; the last scenario stays.
    assert_eq!(p.add_scenario("texas SPLIT"), Err(ScenarioError::Taken("texas SPLIT".into())));
    assert!(p.find_scenario("as IS").is_ok_and(|i| i == 0));
    let removed = p.remove_scenario(1).expect("removed");
    assert_eq!((removed.name.as_str(), removed.assignment.as_slice()), ("Texas split", edited_assignment.as_slice()));
    assert_eq!((p.current, p.assignment.clone()), (0, base_assignment));
    assert_eq!(p.remove_scenario(0), Err(ScenarioError::Last));
}

#[test]
fn a_permuted_plan_permutes_every_scenario() {
    let mut p = two_territory_plan();
    p.add_scenario("B").expect("new");
    p.assignment[0] = None;
    p.switch_scenario(0);
    let order: Vec<u32> = (0..6).rev().collect();
    let mut q = p.clone().permuted(&order);
    q.switch_scenario(1);
    // Account 0 is last now, and Unassigned in B.
    assert_eq!(q.assignment[5], None);
    assert_eq!(q.accounts.id(5), p.accounts.id(0));
    assert_eq!(q.assignment[..5], p.scenario_parts(1).1[1..].iter().rev().copied().collect::<Vec<_>>()[..]);
}

#[test]
fn an_owner_takes_four_bytes_and_is_written_as_its_index() {
    assert_eq!(std::mem::size_of::<Option<TerritoryIdx>>(), 4);
    let t = TerritoryIdx::new(7);
    assert_eq!((t.get(), t.index()), (7, 7));
    assert_eq!(serde_json::to_string(&Some(t)).expect("json"), "7");
    assert_eq!(serde_json::from_str::<TerritoryIdx>("0").expect("slot 0"), TerritoryIdx::new(0));
    assert!(serde_json::from_str::<TerritoryIdx>("4294967295").is_err(), "u32::MAX is no slot");
    assert!(TerritoryIdx::new(0) < TerritoryIdx::new(1));
}

/// Every field reads back as it was pushed, in chunks that keep lengths and in one
/// widened by a field of 255 bytes or more midway (rows before it included), and
/// after another piece's rows are appended.
#[test]
fn text_rows_read_back_as_pushed() {
    let long = "Ä".repeat(200); // 400 bytes
    let rows: Vec<[String; TEXTS]> = (0..300)
        .map(|i| {
            let name = if i == 150 { long.clone() } else { format!("Müller {i} GmbH") };
            let city = if i % 7 == 0 { String::new() } else { format!("Zürich {}", "x".repeat(i % 300)) };
            [format!("K{i}"), name, city, "ZH".into(), format!("{:05}", i * 37)]
        })
        .collect();
    let mut texts = texts::Texts::default();
    let mut other = texts::Texts::default();
    for (i, r) in rows.iter().enumerate() {
        let fields = [r[0].as_str(), r[1].as_str(), r[2].as_str(), r[3].as_str(), r[4].as_str()];
        if i < 200 {
            texts.push(fields)
        } else {
            other.push(fields)
        };
    }
    assert_eq!(texts.append(other), 200);
    assert_eq!(texts.rows(), 300);
    for (i, r) in rows.iter().enumerate() {
        for (f, want) in r.iter().enumerate() {
            assert_eq!(texts.get(i as u32, f), want, "row {i} field {f}");
        }
    }
}
