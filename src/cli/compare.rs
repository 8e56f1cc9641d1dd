//! `compare` and `changes`: two plans of the same accounts side by side.

use super::*;
use crate::compare::{self as cmp, Comparison};

fn row_name(c: &Comparison, r: Option<usize>) -> &str {
    r.map_or("Unassigned", |r| c.territories[r].name.as_str())
}

fn share(part: i64, whole: i64) -> f64 {
    if whole > 0 { part as f64 / whole as f64 } else { 0.0 }
}

/// One line for the moved accounts: "1,234 of 50,000 accounts change territory: …".
fn headline(c: &Comparison) -> String {
    format!(
        "{} of {} accounts change territory: {} of the potential and {} of the workload change hands.",
        thousands(c.moved.accounts as i64),
        thousands(c.matched as i64),
        pct(share(c.moved.potential.0, c.matched_totals.potential.0)),
        pct(share(c.moved.workload.0, c.matched_totals.workload.0)),
    )
}

/// Side A and side B with their labels: two scenarios of one plan (by default the
/// baseline and the current one; the plan is read once and not copied), or a scenario
/// of each of two plans (by default each one's current).
struct Sides {
    plans: Vec<Plan>,
    /// (plan, scenario) of each side.
    a: (usize, usize),
    b: (usize, usize),
    ma: Metrics,
    mb: Metrics,
    label_a: String,
    label_b: String,
}

impl Sides {
    fn a(&self) -> cmp::Side<'_> {
        cmp::Side::scenario(&self.plans[self.a.0], self.a.1, &self.ma)
    }

    fn b(&self) -> cmp::Side<'_> {
        cmp::Side::scenario(&self.plans[self.b.0], self.b.1, &self.mb)
    }
}

fn load_both(path: &Path, other: Option<&Path>, sides: &SidesArg) -> Result<(Sides, Comparison), Failure> {
    let pick = |plan: &Plan, p: &Path, name: &Option<String>, default: usize| {
        name.as_deref().map_or(Ok(default), |n| find_scenario(plan, p, n))
    };
    let (plans, a, b, labels) = match other {
        None => {
            let plan = load_plan(path)?;
            let (ia, ib) = (pick(&plan, path, &sides.a, 0)?, pick(&plan, path, &sides.b, plan.current)?);
            let labels = (plan.scenarios[ia].name.clone(), plan.scenarios[ib].name.clone());
            (vec![plan], (0, ia), (0, ib), labels)
        }
        Some(other) => {
            let (pa, pb) = (load_plan(path)?, load_plan(other)?);
            let (ia, ib) = (pick(&pa, path, &sides.a, pa.current)?, pick(&pb, other, &sides.b, pb.current)?);
            let labels = (path.display().to_string(), other.display().to_string());
            (vec![pa, pb], (0, ia), (1, ib), labels)
        }
    };
    let (ma, mb) = (Metrics::of_scenario(&plans[a.0], a.1), Metrics::of_scenario(&plans[b.0], b.1));
    let s = Sides { plans, a, b, ma, mb, label_a: labels.0, label_b: labels.1 };
    let c = cmp::compare_sides(&s.a(), &s.b());
    Ok((s, c))
}

pub(super) fn compare(path: &Path, other: Option<&Path>, sides: &SidesArg, as_json: bool) -> Result<(), Failure> {
    let (s, c) = load_both(path, other, sides)?;
    if as_json {
        let id = |r: Option<usize>| r.map(|r| c.territories[r].id.as_str());
        print_json(&json::CompareJson {
            schema: 1,
            a: s.label_a.clone(),
            b: s.label_b.clone(),
            moved: (&c.moved).into(),
            flows: c
                .flows
                .iter()
                .map(|f| json::FlowJson {
                    from: id(f.from),
                    from_name: row_name(&c, f.from),
                    to: id(f.to),
                    to_name: row_name(&c, f.to),
                    totals: (&f.totals).into(),
                })
                .collect(),
            territories: c
                .territories
                .iter()
                .map(|t| json::CompareTerritory {
                    id: &t.id,
                    name: &t.name,
                    rep: t.rep.as_deref(),
                    a: t.a.as_ref().map(Into::into),
                    b: t.b.as_ref().map(Into::into),
                    changed_share_of_workload: t.changed_share_of_workload(),
                })
                .collect(),
            only_in_a: c.only_in_a.len(),
            only_in_b: c.only_in_b.len(),
        });
        return Ok(());
    }
    let hours =
        |f: Option<&cmp::SideFigures>| f.map_or("–".to_owned(), |f| format!("{:.1}", f.totals.workload.hours()));
    let count = |f: Option<&cmp::SideFigures>| f.map_or("–".to_owned(), |f| thousands(f.totals.accounts as i64));
    let rows: Vec<Vec<String>> = c
        .territories
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                count(t.a.as_ref()),
                count(t.b.as_ref()),
                hours(t.a.as_ref()),
                hours(t.b.as_ref()),
                crate::format::percent(t.a.as_ref().and_then(|f| f.workload_deviation)),
                crate::format::percent(t.b.as_ref().and_then(|f| f.workload_deviation)),
                pct(t.changed_share_of_workload()),
            ]
        })
        .collect();
    let header = ["territory", "accounts A", "accounts B", "workload h A", "workload h B", "dev A", "dev B", "changes"];
    out(&table(&header, &rows));
    out(&format!("\n{}\n", headline(&c)));
    if !c.flows.is_empty() {
        let flows: Vec<Vec<String>> = c
            .flows
            .iter()
            .map(|f| {
                vec![
                    row_name(&c, f.from).to_owned(),
                    row_name(&c, f.to).to_owned(),
                    thousands(f.totals.accounts as i64),
                    thousands(f.totals.potential.0 / 100),
                    format!("{:.1}", f.totals.workload.hours()),
                ]
            })
            .collect();
        out("\n");
        out(&table(&["from", "to", "accounts", "potential", "workload h"], &flows));
    }
    if !c.only_in_a.is_empty() || !c.only_in_b.is_empty() {
        out(&format!(
            "\n{} accounts only in {}, {} only in {} (not counted as changes).\n",
            thousands(c.only_in_a.len() as i64),
            s.label_a,
            thousands(c.only_in_b.len() as i64),
            s.label_b
        ));
    }
    Ok(())
}

pub(super) fn changes(
    path: &Path,
    other: Option<&Path>,
    sides: &SidesArg,
    out_path: &Path,
    as_json: bool,
) -> Result<(), Failure> {
    let (s, c) = load_both(path, other, sides)?;
    cmp::changes_file(&s.a(), &s.b(), &c, out_path).map_err(Failure::data)?;
    let touched: Vec<&cmp::TerritoryRow> =
        c.territories.iter().filter(|t| t.gained.accounts > 0 || t.lost.accounts > 0).collect();
    let net_hours = |t: &cmp::TerritoryRow| (t.gained.workload.0 - t.lost.workload.0) as f64 / 60.0;
    if as_json {
        print_json(&json::ChangesJson {
            schema: 1,
            changes: c.changes.len(),
            territories: touched
                .iter()
                .map(|t| json::ChangesTerritory {
                    id: &t.id,
                    name: &t.name,
                    gained: json::AccountsHours {
                        accounts: t.gained.accounts,
                        workload_hours: t.gained.workload.hours(),
                    },
                    lost: json::AccountsHours { accounts: t.lost.accounts, workload_hours: t.lost.workload.hours() },
                    net: json::NetHours {
                        accounts: t.gained.accounts as i64 - t.lost.accounts as i64,
                        workload_hours: net_hours(t),
                    },
                })
                .collect(),
            out: out_path.display().to_string(),
        });
        return Ok(());
    }
    let rows: Vec<Vec<String>> = touched
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                thousands(t.gained.accounts as i64),
                format!("{:.1}", t.gained.workload.hours()),
                thousands(t.lost.accounts as i64),
                format!("{:.1}", t.lost.workload.hours()),
                format!("{:+}", t.gained.accounts as i64 - t.lost.accounts as i64),
                format!("{:+.1}", net_hours(t)),
            ]
        })
        .collect();
    let header = ["territory", "gained", "gained h", "lost", "lost h", "net", "net h"];
    out(&table(&header, &rows));
    out(&format!(
        "\n{}\nwrote {} changes to {}\n",
        headline(&c),
        thousands(c.changes.len() as i64),
        out_path.display()
    ));
    Ok(())
}
