//! Invariants, property-tested:
//! - incremental metrics equal a full recomputation after any sequence of edits,
//!   undos and redos, and undoing everything restores the original plan;
//! - locked accounts and territories never move;
//! - edits in one scenario never change another.
//!
//! Selection's properties are in `selection.rs`.

use proptest::prelude::*;
use territory_editor::edit::{Command, Editor};
use territory_editor::metrics::{Metrics, region_rollup};
use territory_editor::model::{
    Account, AccountSet, Cents, Plan, RegionIdx, Rgb, Territory, TerritoryIdx, Travel, live_regions, palette_color,
    travel_by_territory,
};

#[derive(Debug, Clone)]
enum Op {
    Reassign(Vec<usize>, Option<usize>),
    ReassignRange(usize, usize, Option<usize>),
    Create,
    Rename(usize),
    Recolor(usize, [u8; 3]),
    Lock(usize, bool),
    Delete(usize, Option<usize>),
    LockAccounts(Vec<usize>, bool),
    /// A capacity from a list that holds refused values too.
    Capacity(usize, usize),
    /// A region inside the n-th live region (or at the top).
    CreateRegion(Option<usize>),
    /// The n-th territory into the m-th live region (or to the top).
    TerritoryRegion(usize, Option<usize>),
    /// The n-th region into the m-th (refused when that makes a cycle) or to the top.
    MoveRegion(usize, Option<usize>),
    DeleteRegion(usize),
    LockRegion(usize, bool),
    /// Travel on (speed, visits a trip) or off.
    Travel(Option<(f64, u32)>),
    Recentre,
    /// A rep's home at (lon, lat), or cleared.
    Home(usize, Option<(f64, f64)>),
    /// A whole new assignment as Balance or Redraw proposes it: one slot added, the
    /// first live one deleted, accounts scattered by the seed.
    Proposal(u64),
    Undo,
    Redo,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (prop::collection::vec(0usize..1000, 0..20), prop::option::of(0usize..100))
            .prop_map(|(a, t)| Op::Reassign(a, t)),
        3 => (0usize..1000, 0usize..40, prop::option::of(0usize..100)).prop_map(|(s, l, t)| Op::ReassignRange(s, l, t)),
        1 => Just(Op::Create),
        1 => (0usize..100).prop_map(Op::Rename),
        1 => (0usize..100, any::<[u8; 3]>()).prop_map(|(t, c)| Op::Recolor(t, c)),
        2 => (0usize..100, any::<bool>()).prop_map(|(t, l)| Op::Lock(t, l)),
        1 => (0usize..100, prop::option::of(0usize..100)).prop_map(|(t, to)| Op::Delete(t, to)),
        2 => (prop::collection::vec(0usize..1000, 0..8), any::<bool>()).prop_map(|(a, l)| Op::LockAccounts(a, l)),
        1 => any::<u64>().prop_map(Op::Proposal),
        2 => (0usize..100, 0usize..CAPACITIES.len()).prop_map(|(t, c)| Op::Capacity(t, c)),
        2 => prop::option::of(0usize..10).prop_map(Op::CreateRegion),
        3 => (0usize..100, prop::option::of(0usize..10)).prop_map(|(t, r)| Op::TerritoryRegion(t, r)),
        1 => (0usize..10, prop::option::of(0usize..10)).prop_map(|(r, p)| Op::MoveRegion(r, p)),
        1 => (0usize..10).prop_map(Op::DeleteRegion),
        1 => (0usize..10, any::<bool>()).prop_map(|(r, l)| Op::LockRegion(r, l)),
        2 => prop::option::of((20.0f64..120.0, 1u32..4)).prop_map(Op::Travel),
        1 => Just(Op::Recentre),
        2 => (0usize..100, prop::option::of((-125.0f64..-65.0, 25.0f64..49.0))).prop_map(|(t, h)| Op::Home(t, h)),
        3 => Just(Op::Undo),
        2 => Just(Op::Redo),
    ]
}

/// Capacities the property tests set: valid ones, and 0, 20 and NaN, which are refused.
const CAPACITIES: [f64; 8] = [1.0, 0.5, 1.5, 0.8, 0.05, 0.0, 20.0, f64::NAN];

fn plan() -> impl Strategy<Value = Plan> {
    (1usize..6, 1usize..60).prop_flat_map(|(k, n)| {
        let account =
            (-125.0f64..-65.0, 25.0f64..49.0, 0i64..10_000_000, 0i64..100_000_000, 0u32..25, 0u32..120, any::<bool>());
        (Just(k), prop::collection::vec(account, n), prop::collection::vec(prop::option::of(0..k as u32), n)).prop_map(
            |(k, accounts, owners)| Plan {
                accounts: accounts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (lon, lat, pot, rev, visits, minutes, locked))| Account {
                        id: format!("A{i}"),
                        name: format!("Account {i}"),
                        lon,
                        lat,
                        potential: Cents(pot),
                        annual_revenue: Cents(rev),
                        visits_per_year: visits,
                        minutes_per_visit: minutes,
                        city: None,
                        state: None,
                        zip: None,
                        locked: locked && i % 3 == 0,
                    })
                    .collect(),
                territories: (0..k)
                    .map(|i| Territory::new(format!("t{i}"), format!("T{i}"), palette_color(i)))
                    .collect(),
                assignment: owners.into_iter().map(|o| o.map(TerritoryIdx::new)).collect(),
                ..Plan::default()
            },
        )
    })
}

/// The n-th live region, wrapping around.
fn live_region(ed: &Editor, n: usize) -> Option<RegionIdx> {
    let live: Vec<RegionIdx> = live_regions(&ed.plan().regions).map(|(i, _)| i).collect();
    (!live.is_empty()).then(|| live[n % live.len()])
}

/// The n-th live territory, wrapping around.
fn live(ed: &Editor, n: usize) -> Option<TerritoryIdx> {
    let live: Vec<TerritoryIdx> = ed.plan().live_territories().map(|(i, _)| i).collect();
    (!live.is_empty()).then(|| live[n % live.len()])
}

fn command(ed: &Editor, op: &Op) -> Option<Command> {
    let n = ed.plan().accounts.len();
    let accounts = |a: &[usize]| AccountSet::from_indices(a.iter().map(|&i| (i % n) as u32).collect());
    Some(match op {
        Op::Reassign(a, t) => Command::Reassign { accounts: accounts(a), to: t.and_then(|t| live(ed, t)) },
        Op::ReassignRange(s, l, t) => {
            let s = (s % n) as u32;
            let e = (s as usize + l).min(n) as u32;
            Command::Reassign { accounts: AccountSet::from_sorted_ranges([(s, e)]), to: t.and_then(|t| live(ed, t)) }
        }
        Op::Create => Command::CreateTerritory { name: "New".into(), color: palette_color(3), rep: None },
        Op::Rename(t) => Command::RenameTerritory { territory: live(ed, *t)?, name: format!("Renamed {t}") },
        Op::Recolor(t, c) => Command::RecolorTerritory { territory: live(ed, *t)?, color: Rgb(*c) },
        Op::Lock(t, l) => Command::LockTerritory { territory: live(ed, *t)?, locked: *l },
        Op::Delete(t, to) => {
            let t = live(ed, *t)?;
            let to = to.and_then(|to| live(ed, to)).filter(|&to| to != t);
            Command::DeleteTerritory { territory: t, accounts_to: to }
        }
        Op::LockAccounts(a, l) => Command::LockAccounts { accounts: accounts(a), locked: *l },
        Op::Capacity(t, c) => Command::SetCapacity { territory: live(ed, *t)?, capacity: CAPACITIES[*c] },
        Op::CreateRegion(p) => {
            Command::CreateRegion { name: "Region".into(), parent: p.and_then(|p| live_region(ed, p)) }
        }
        Op::TerritoryRegion(t, r) => {
            Command::SetTerritoryRegion { territory: live(ed, *t)?, region: r.and_then(|r| live_region(ed, r)) }
        }
        Op::MoveRegion(r, p) => {
            Command::MoveRegion { region: live_region(ed, *r)?, parent: p.and_then(|p| live_region(ed, p)) }
        }
        Op::DeleteRegion(r) => Command::DeleteRegion { region: live_region(ed, *r)? },
        Op::LockRegion(r, l) => Command::LockRegion { region: live_region(ed, *r)?, locked: *l },
        Op::Travel(t) => Command::SetTravel {
            travel: t.map(|(speed_kmh, visits_per_trip)| Travel { speed_kmh, visits_per_trip, ..Travel::default() }),
        },
        Op::Recentre => Command::Recentre,
        Op::Home(t, home) => Command::SetRepHome { territory: live(ed, *t)?, home: *home },
        Op::Proposal(seed) => {
            let mut territories = ed.plan().territories.clone();
            let mut added = territories.last()?.clone();
            added.name = "Proposed".into();
            added.alive = true;
            territories.push(added);
            if let Some(first) = live(ed, 0).filter(|_| ed.plan().live_territories().count() > 1) {
                territories[first.get()].alive = false;
            }
            let targets: Vec<TerritoryIdx> =
                (0..territories.len()).filter(|&i| territories[i].alive).map(|i| TerritoryIdx::new(i as u32)).collect();
            let assignment = (0..n)
                .map(|i| {
                    let h = (i as u64 ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
                    (!h.is_multiple_of(5)).then(|| targets[(h as usize) % targets.len()])
                })
                .collect();
            Command::ApplyProposal { label: "Proposal".into(), territories, assignment }
        }
        Op::Undo | Op::Redo => return None,
    })
}

/// The panel's balance, worked out here account by account: each live territory's
/// target is the total workload of the live territories × its capacity / the sum of
/// their capacities, and the headline is the largest |workload − target| / target. With
/// travel on, an account's workload adds its travel from its territory's home or centre
/// (each account's leg by the one definition, [`Travel::minutes`]).
fn check_balance_against_capacities(ed: &Editor) -> Result<(), TestCaseError> {
    let p = ed.plan();
    let mut load = vec![0i64; p.territories.len()];
    for (i, t) in p.assignment.iter().enumerate() {
        if let Some(t) = t {
            let visits = p.accounts.visits_per_year()[i];
            load[t.get()] += i64::from(visits) * i64::from(p.accounts.minutes_per_visit()[i]);
            let tt = &p.territories[t.get()];
            if let (Some(travel), Some(start)) = (p.travel, tt.rep_home.or(tt.centre)) {
                load[t.get()] += travel.minutes(visits, (p.accounts.lon()[i], p.accounts.lat()[i]), start);
            }
        }
    }
    let live: Vec<usize> = (0..p.territories.len()).filter(|&t| p.territories[t].alive).collect();
    let total: f64 = live.iter().map(|&t| load[t] as f64).sum();
    let caps: f64 = live.iter().map(|&t| p.territories[t].capacity).sum();
    let mut worst = 0.0f64;
    for &t in &live {
        let c = p.territories[t].capacity;
        prop_assert!((0.05..=10.0).contains(&c), "capacity {} kept", c);
        let target = total * c / caps;
        if target != 0.0 {
            worst = worst.max(((load[t] as f64 - target) / target).abs());
        }
    }
    let shown = ed.balance().workload.max_abs_deviation;
    prop_assert!((shown - worst).abs() <= 1e-9 * worst.max(1.0), "shown {} computed {}", shown, worst);
    Ok(())
}

/// Every live region's roll-up equals the sums, worked out here, over the territories
/// whose chain of parents (followed by hand) reaches it; the tree has no cycle and no
/// territory names a dead region.
fn check_region_rollups(ed: &Editor) -> Result<(), TestCaseError> {
    let p = ed.plan();
    let rollup = region_rollup(&p.territories, &p.regions, &ed.metrics().territories);
    prop_assert_eq!(rollup.len(), live_regions(&p.regions).count());
    for t in p.territories.iter().filter(|t| t.alive) {
        prop_assert!(t.region.is_none_or(|r| p.regions[r.get()].alive), "territory in a dead region");
    }
    for f in &rollup {
        let (mut accounts, mut workload, mut capacity) = (0u64, 0i64, 0.0f64);
        for (i, t) in p.territories.iter().enumerate().filter(|(_, t)| t.alive) {
            let mut r = t.region;
            let mut steps = 0;
            while let Some(x) = r {
                prop_assert!(steps <= p.regions.len(), "a cycle");
                if x == f.region {
                    let tot = &ed.metrics().territories[i];
                    accounts += tot.accounts;
                    workload += tot.workload.0;
                    capacity += t.capacity;
                    break;
                }
                r = p.regions[x.get()].parent;
                steps += 1;
            }
        }
        prop_assert_eq!(f.totals.accounts, accounts);
        prop_assert_eq!(f.totals.workload.0, workload);
        prop_assert!((f.capacity - capacity).abs() < 1e-9);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn incremental_metrics_equal_recomputation(original in plan(), ops in prop::collection::vec(op(), 0..40)) {
        let mut ed = Editor::new(original.clone());
        for op in &ops {
            match op {
                Op::Undo => { ed.undo(); }
                Op::Redo => { ed.redo(); }
                _ => {
                    if let Some(cmd) = command(&ed, op) {
                        // Refusals (a locked target) are fine; they must change nothing.
                        let before = ed.plan().clone();
                        if ed.apply(cmd).is_err() {
                            prop_assert_eq!(ed.plan(), &before);
                        }
                    }
                }
            }
            prop_assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
            check_balance_against_capacities(&ed)?;
            check_region_rollups(&ed)?;
            // Travel kept move by move equals travel recomputed account by account.
            prop_assert_eq!(ed.travel(), &travel_by_territory(ed.plan())[..]);
            // Nobody belongs to a deleted territory.
            let p = ed.plan();
            prop_assert!(p.assignment.iter().flatten().all(|t| p.territories[t.get()].alive));
        }
        while ed.undo().is_some() {
            prop_assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
            prop_assert_eq!(ed.travel(), &travel_by_territory(ed.plan())[..]);
        }
        prop_assert_eq!(ed.plan(), &original);
        prop_assert!(!ed.is_dirty());
    }

    #[test]
    fn locked_accounts_and_territories_do_not_move(
        original in plan(),
        targets in prop::collection::vec(0usize..100, 1..6),
    ) {
        let mut ed = Editor::new(original);
        // Lock the first live territory.
        let locked_t = live(&ed, 0);
        if let Some(t) = locked_t {
            ed.apply(Command::LockTerritory { territory: t, locked: true }).expect("lock");
        }
        let before = ed.plan().assignment.clone();
        let all = AccountSet::all(ed.plan().accounts.len());
        for t in targets {
            let _ = ed.apply(Command::Reassign { accounts: all.clone(), to: live(&ed, t) });
        }
        for (i, a) in ed.plan().accounts.iter().enumerate() {
            if a.locked || before[i] == locked_t {
                prop_assert_eq!(ed.plan().assignment[i], before[i]);
            }
        }
    }
}

/// A scenario's territories, assignment and account locks.
type ScenarioState = (Vec<Territory>, Vec<Option<TerritoryIdx>>, Vec<bool>);

#[derive(Debug, Clone)]
enum ScenarioOp {
    Edit(Op),
    New,
    Switch(usize),
    Delete(usize),
}

fn scenario_op() -> impl Strategy<Value = ScenarioOp> {
    prop_oneof![
        6 => op().prop_map(ScenarioOp::Edit),
        1 => Just(ScenarioOp::New),
        2 => (0usize..4).prop_map(ScenarioOp::Switch),
        1 => (0usize..4).prop_map(ScenarioOp::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Edits, undos and redos in one scenario never change another, and scenarios
    /// created, deleted, and brought back or removed again by undo and redo come back
    /// exactly as they were: each scenario is found as it was when the editor left it,
    /// and the metrics are a recomputation's after every step.
    #[test]
    fn scenarios_never_change_each_other(
        original in plan(),
        ops in prop::collection::vec(scenario_op(), 0..40),
    ) {
        let mut ed = Editor::new(original);
        // What each scenario held when it left the screen, by name (names are never
        // reused here): still in the plan, or gone (deleted, or its creation undone).
        let mut left: std::collections::HashMap<String, ScenarioState> = Default::default();
        let mut gone: std::collections::HashMap<String, ScenarioState> = Default::default();
        let mut made = 0;
        let state = |ed: &Editor| -> ScenarioState {
            let p = ed.plan();
            (p.territories.clone(), p.assignment.clone(), p.accounts.locked().to_vec())
        };
        for op in &ops {
            let (name, before) = (ed.plan().scenario_name().to_owned(), state(&ed));
            match op {
                ScenarioOp::Edit(Op::Undo) => { ed.undo(); }
                ScenarioOp::Edit(Op::Redo) => { ed.redo(); }
                ScenarioOp::Edit(op) => {
                    if let Some(cmd) = command(&ed, op) {
                        let _ = ed.apply(cmd);
                    }
                }
                ScenarioOp::New => {
                    made += 1;
                    ed.new_scenario(&format!("S{made}")).expect("a new name");
                    prop_assert_eq!(state(&ed), before.clone(), "a copy of the scenario on screen");
                    left.insert(name.clone(), before.clone());
                    prop_assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
                    continue;
                }
                ScenarioOp::Switch(n) => ed.switch_scenario(n % ed.plan().scenarios.len()),
                ScenarioOp::Delete(n) => {
                    let _ = ed.delete_scenario(n % ed.plan().scenarios.len());
                }
            }
            let names: Vec<String> = ed.plan().scenario_names().iter().map(|s| s.to_string()).collect();
            let now = ed.plan().scenario_name().to_owned();
            if now != name {
                if names.contains(&name) {
                    left.insert(name, before);
                } else {
                    gone.insert(name, before);
                }
                let back = left.remove(&now).or_else(|| gone.remove(&now)).expect("a scenario seen before");
                prop_assert_eq!(state(&ed), back, "scenario {} as it was left", now);
            }
            let vanished: Vec<String> = left.keys().filter(|k| !names.contains(k)).cloned().collect();
            for k in vanished {
                let s = left.remove(&k).expect("listed");
                gone.insert(k, s);
            }
            prop_assert_eq!(ed.metrics(), &Metrics::recompute(ed.plan()));
        }
    }
}
