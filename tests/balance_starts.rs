//! Balance and Redraw from hard starts: generated plans (seeds 0–19) as bands, with a territory
//! enclosed by a single neighbour and far below the mean, and as a capacitated
//! nearest-centre assignment; and skewed bands, which reach the tolerance or say why.
//! Every expectation is computed here from the assignment, not by the optimizer.

use std::collections::BTreeSet;

use territory_editor::io::csv_import::{ImportOptions, import_bytes};
use territory_editor::model::{Plan, TerritoryIdx};
use territory_editor::optimize::{BalanceOptions, RedrawOptions, StopReason, balance, redraw};
use territory_editor::quality::{self, Adjacency};

const TOLERANCE: f64 = 0.03;

fn generated(n: usize, k: usize, seed: u64) -> Plan {
    let mut buf = Vec::new();
    territory_editor::generate::generate(n, k, seed, &mut buf).expect("generate");
    import_bytes(&buf, "generated.csv", &ImportOptions::default()).expect("import").0
}

/// Squared distance in degrees, longitude scaled by the cosine of the latitude: enough
/// to rank neighbours at these scales.
fn dist2(p: &Plan, a: usize, b: usize) -> f64 {
    let (x1, y1) = (p.accounts.lon()[a], p.accounts.lat()[a]);
    let (x2, y2) = (p.accounts.lon()[b], p.accounts.lat()[b]);
    ((x1 - x2) * y1.to_radians().cos()).powi(2) + (y1 - y2).powi(2)
}

fn members(p: &Plan, t: u32) -> Vec<usize> {
    (0..p.accounts.len()).filter(|&v| p.assignment[v] == Some(TerritoryIdx::new(t))).collect()
}

/// Territory `t` gives all its accounts to `t + 1` and takes back only the `share` of a
/// mean territory's accounts nearest the middle account of `t + 1`: a small territory
/// inside its one neighbour.
fn enclosed(mut p: Plan, t: u32, share: f64) -> Plan {
    let (n, k) = (p.accounts.len(), p.territories.len());
    let mut around = members(&p, t + 1);
    let centre = around[around.len() / 2];
    for v in members(&p, t) {
        p.assignment[v] = Some(TerritoryIdx::new(t + 1));
    }
    around.sort_by(|&a, &b| dist2(&p, a, centre).total_cmp(&dist2(&p, b, centre)));
    for &v in around.iter().take(((n / k) as f64 * share) as usize) {
        p.assignment[v] = Some(TerritoryIdx::new(t));
    }
    p
}

/// Each account to the nearest of k centres (accounts picked by a seeded LCG) that still
/// has room for N/k accounts, pairs taken nearest first.
fn capacitated(mut p: Plan, seed: u64) -> Plan {
    let (n, k) = (p.accounts.len(), p.territories.len());
    let mut s = seed;
    let centres: Vec<usize> = (0..k)
        .map(|_| {
            s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (s >> 33) as usize % n
        })
        .collect();
    let mut pairs: Vec<(f64, usize, usize)> = (0..n).flat_map(|v| (0..k).map(move |j| (0.0, v, j))).collect();
    for e in &mut pairs {
        e.0 = dist2(&p, e.1, centres[e.2]);
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (cap, mut fill, mut done) = (n.div_ceil(k), vec![0usize; k], vec![false; n]);
    for (_, v, j) in pairs {
        if !done[v] && fill[j] < cap {
            done[v] = true;
            fill[j] += 1;
            p.assignment[v] = Some(TerritoryIdx::new(j as u32));
        }
    }
    p
}

/// Longitude bands whose account counts grow as 1, 2, …, k.
fn skewed(mut p: Plan) -> Plan {
    let (n, k) = (p.accounts.len(), p.territories.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p.accounts.lon()[a].total_cmp(&p.accounts.lon()[b]));
    let total = (k * (k + 1) / 2) as f64;
    let mut band = 0;
    let mut upto = 0.0;
    for (i, &v) in order.iter().enumerate() {
        while i as f64 >= (upto + (band + 1) as f64) / total * n as f64 && band + 1 < k {
            upto += (band + 1) as f64;
            band += 1;
        }
        p.assignment[v] = Some(TerritoryIdx::new(band as u32));
    }
    p
}

/// Workload (minutes) per territory.
fn loads(p: &Plan, assignment: &[Option<TerritoryIdx>]) -> Vec<f64> {
    let mut out = vec![0.0; p.territories.len()];
    for (v, a) in assignment.iter().enumerate() {
        if let Some(t) = a {
            out[t.get()] +=
                (u64::from(p.accounts.visits_per_year()[v]) * u64::from(p.accounts.minutes_per_visit()[v])) as f64;
        }
    }
    out
}

fn max_deviation(l: &[f64]) -> f64 {
    let mean = l.iter().sum::<f64>() / l.len() as f64;
    l.iter().map(|x| (x / mean - 1.0).abs()).fold(0.0, f64::max)
}

/// Balances `plan`; checks the result against the tolerance (when `must_reach`), that no
/// territory gains a piece, and that it is never farther from balance than the start.
/// Returns the stop reasons and the max |deviation| before and after.
fn check(what: &str, plan: &Plan, adj: &Adjacency, seed: u64, must_reach: bool) -> (Vec<StopReason>, f64, f64) {
    let opts = BalanceOptions { seed, tolerance: TOLERANCE, ..BalanceOptions::default() };
    let p = balance(plan, adj, &opts, None).expect("balance");
    let (before, after) = (loads(plan, &plan.assignment), loads(plan, &p.assignment));
    let (dev_before, dev_after) = (max_deviation(&before), max_deviation(&after));
    assert_eq!(p.tolerance_reached, dev_after <= TOLERANCE + 1e-12, "{what} seed {seed}: {dev_after}");
    if must_reach {
        assert!(p.tolerance_reached, "{what} seed {seed}: {dev_before:.3} → {dev_after:.4}, {:?}", p.stop_reasons);
    }
    assert!(dev_after <= dev_before + 1e-12, "{what} seed {seed}: worse, {dev_before:.3} → {dev_after:.3}");
    let pieces_before = quality::pieces(plan, adj);
    let pieces_after = quality::pieces(&p.apply_to(plan), adj);
    for (t, (b, a)) in pieces_before.iter().zip(&pieces_after).enumerate() {
        assert!(a <= b, "{what} seed {seed}: territory {t} {b} → {a} pieces");
    }
    (p.stop_reasons, dev_before, dev_after)
}

#[test]
fn balance_reaches_the_tolerance_from_bands_enclosed_and_capacitated_starts() {
    for seed in 0..20 {
        let plan = generated(4000, 10, seed);
        let adj = quality::adjacency(&plan.accounts);
        check("bands", &plan, &adj, seed, true);
        let small = enclosed(plan.clone(), 4, 0.15);
        // The start is what the test says: territory 4 is far below the mean.
        assert!(loads(&small, &small.assignment)[4] < 0.5 * loads(&plan, &plan.assignment).iter().sum::<f64>() / 10.0);
        check("enclosed", &small, &adj, seed, true);
        check("capacitated", &capacitated(plan.clone(), seed), &adj, seed, true);
    }
}

/// Skewed bands over the generated islands (parts of the data more than 150 km apart):
/// the larger plans reach the tolerance; the smaller ones cannot without a territory
/// taking a new piece on another island, and Balance says so, naming the island's
/// territories, with the ratio computed here from the accounts on it, and brings the
/// extremes in as far as the islands allow.
#[test]
fn skewed_bands_reach_the_tolerance_or_name_the_island() {
    for seed in 0..2 {
        let plan = skewed(generated(20_000, 25, seed));
        let adj = quality::adjacency(&plan.accounts);
        check("skewed 20k", &plan, &adj, seed, true);
    }
    let plan = skewed(generated(4000, 10, 0));
    let adj = quality::adjacency(&plan.accounts);
    let (reasons, before, after) = check("skewed 4k", &plan, &adj, 0, false);
    // Out of reach, Balance still brings the extremes in (88.5 % → 58.4 % when written;
    // the light island's own mean is 54 % below the plan's).
    assert!(after < before - 0.2, "{before} → {after}");
    let l = loads(&plan, &plan.assignment);
    let mean = l.iter().sum::<f64>() / l.len() as f64;
    let mut found = 0;
    for r in &reasons {
        if let StopReason::Island { near, territories, ratio, .. } = r {
            let island = adj.island_of(adj.site_of(*near as usize));
            let on: Vec<usize> =
                (0..plan.accounts.len()).filter(|&v| adj.island_of(adj.site_of(v)) == island).collect();
            let weight: f64 = on.iter().map(|&v| loads_one(&plan, v)).sum();
            let owners: BTreeSet<u32> = on.iter().filter_map(|&v| plan.assignment[v].map(|t| t.index())).collect();
            let named: BTreeSet<u32> = territories.iter().map(|t| t.index()).collect();
            if *ratio > 1.0 {
                assert_eq!(named, owners);
            } else {
                assert!(named.is_subset(&owners));
            }
            let expected = weight / (named.len() as f64 * mean);
            assert!((ratio - expected).abs() < 1e-9, "{ratio} vs {expected}");
            assert!(!(1.0 - TOLERANCE..=1.0 + TOLERANCE).contains(&expected));
            found += 1;
        }
    }
    assert!(found > 0, "{reasons:?}");
}

fn loads_one(p: &Plan, v: usize) -> f64 {
    (u64::from(p.accounts.visits_per_year()[v]) * u64::from(p.accounts.minutes_per_visit()[v])) as f64
}

/// Redraw into territories of about ten accounts each, where one account is half a
/// mean territory's workload: k-means leaves some centres without a point, which once
/// became territories with no account (and no border for Balance to grow them across),
/// and Balance spent its rounds fixing slivers before bringing the peaks in. Every
/// territory now holds an account, and none is as far out as an empty one (−100 %) or
/// a double share.
#[test]
fn redraw_into_territories_of_ten_accounts_leaves_none_empty() {
    let plan = generated(2000, 12, 1);
    let adj = quality::adjacency(&plan.accounts);
    let opts = RedrawOptions { territories: 200, tolerance: TOLERANCE, ..RedrawOptions::default() };
    let p = redraw(&plan, &adj, &opts, None).expect("redraw");
    let live: Vec<usize> = (0..p.territories.len()).filter(|&t| p.territories[t].alive).collect();
    assert_eq!(live.len(), 200);
    let mut all = vec![0.0; p.territories.len()];
    let mut counts = vec![0usize; p.territories.len()];
    for (v, t) in p.assignment.iter().enumerate() {
        if let Some(t) = t {
            all[t.get()] += loads_one(&plan, v);
            counts[t.get()] += 1;
        }
    }
    let empty: Vec<&str> = live.iter().filter(|&&t| counts[t] == 0).map(|&t| p.territories[t].name.as_str()).collect();
    assert!(empty.is_empty(), "territories without an account: {empty:?}");
    let l: Vec<f64> = live.iter().map(|&t| all[t]).collect();
    let dev = max_deviation(&l);
    assert!(dev < 0.5, "max |deviation| {dev:.3}");
}
