//! `stats`: per-territory totals and the plan's balance.

use super::*;
use crate::export::stats_document;

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
        print_json(&stats_document(&plan, &m, n));
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
