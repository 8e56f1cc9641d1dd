//! `stats`: per-territory totals and the plan's balance.

use super::*;
use crate::metrics::region_rollup;
use crate::model::region_live;

/// The stats document of a plan.
pub(super) fn stats_json<'a>(plan: &'a Plan, visits: &Metrics, accounts: usize) -> json::StatsJson<'a> {
    // With travel on, the workload is visits plus travel, everywhere below.
    let travel = crate::model::travel_by_territory(plan);
    let minutes: Vec<i64> = travel.iter().map(|t| t.minutes).collect();
    let m = &visits.with_travel(&minutes);
    let b = Balance::of(plan, m);
    let territories = plan
        .live_territories()
        .map(|(i, t)| {
            let tot = &m.territories[i.get()];
            json::StatsTerritory {
                id: &t.id,
                name: &t.name,
                region: t.region.filter(|&r| region_live(&plan.regions, r)).map(|r| plan.regions[r.get()].id.as_str()),
                totals: tot.into(),
                capacity: t.capacity,
                visit_hours: visits.territories[i.get()].workload.hours(),
                travel_hours: travel[i.get()].hours(),
                travel_mean_km: travel[i.get()].mean_km().filter(|_| plan.travel.is_some()),
                target_workload_hours: b.workload.target(t.capacity) / 60.0,
                target_potential: b.potential.target(t.capacity) / 100.0,
                spread_km: tot.spread_km(),
                potential_deviation: b.potential.deviation(tot.potential.0 as f64, t.capacity),
                workload_deviation: b.workload.deviation(tot.workload.0 as f64, t.capacity),
            }
        })
        .collect();
    let regions = region_rollup(&plan.territories, &plan.regions, &m.territories)
        .into_iter()
        .map(|f| {
            let r = &plan.regions[f.region.get()];
            json::StatsRegion {
                id: &r.id,
                name: &r.name,
                parent: r.parent.filter(|&p| region_live(&plan.regions, p)).map(|p| plan.regions[p.get()].id.as_str()),
                territories: f.territories.iter().map(|t| plan.territories[t.get()].id.as_str()).collect(),
                totals: (&f.totals).into(),
                capacity: f.capacity,
                workload_deviation: f.workload_deviation,
                potential_deviation: f.potential_deviation,
            }
        })
        .collect();
    json::StatsJson {
        schema: 1,
        accounts,
        territories,
        regions,
        unassigned: (&m.unassigned).into(),
        balance: (&b).into(),
    }
}

pub(super) fn stats(path: &Path, scenario: &ScenarioArg, as_json: bool) -> Result<(), Failure> {
    let whole = csv_import::is_csv_path(path) || scenario.scenario.is_some();
    let (plan, m, n) = if whole {
        let (plan, _) = load_in(path, scenario)?;
        let m = Metrics::recompute(&plan);
        let n = plan.accounts.len();
        (plan, m, n)
    } else {
        // Folds the accounts into totals as they are parsed, without keeping them
        // (with travel on, a territory's workload needs its accounts: read whole).
        let s = plan_file::load_stats(path).map_err(Failure::data)?;
        if s.plan.travel.is_some() {
            let (plan, _) = load_in(path, scenario)?;
            let m = Metrics::recompute(&plan);
            let n = plan.accounts.len();
            (plan, m, n)
        } else {
            (s.plan, s.metrics, s.accounts)
        }
    };
    if as_json {
        print_json(&stats_json(&plan, &m, n));
        return Ok(());
    }
    let travel: Vec<i64> = crate::model::travel_by_territory(&plan).iter().map(|t| t.minutes).collect();
    let m = m.with_travel(&travel);
    let b = Balance::of(&plan, &m);
    let mut rows: Vec<Vec<String>> = plan
        .live_territories()
        .map(|(i, t)| {
            let tot = &m.territories[i.get()];
            let mut r = totals_row(&t.name, tot);
            r.insert(1, crate::format::capacity(t.capacity));
            r.push(crate::format::percent(b.workload.deviation(tot.workload.0 as f64, t.capacity)));
            r.push(crate::format::percent(b.potential.deviation(tot.potential.0 as f64, t.capacity)));
            r
        })
        .collect();
    let mut u = totals_row("(Unassigned)", &m.unassigned);
    u.insert(1, String::new());
    u.extend(["".into(), "".into()]);
    rows.push(u);
    let header =
        ["territory", "capacity", "accounts", "potential", "revenue", "workload h", "workload dev", "potential dev"];
    out(&table(&header, &rows));
    out(&format!(
        "\n{} accounts. Workload: max |deviation| {:.1}%, CV {:.3}. Potential: max |deviation| {:.1}%, CV {:.3}.\n",
        crate::format::thousands(n as i64),
        b.workload.max_abs_deviation * 100.0,
        b.workload.cv,
        b.potential.max_abs_deviation * 100.0,
        b.potential.cv
    ));
    Ok(())
}
