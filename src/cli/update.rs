//! `update`: a plan refreshed from a new CRM export ([`crate::update`]).

use super::import::{import_json, print_import_report, read_options};
use super::*;
use crate::update::{UpdateOptions, UpdateReport};

pub(super) fn update(
    plan_path: &Path,
    csv: &Path,
    out_path: &Path,
    read: &ReadArgs,
    opts: &UpdateOptions,
    scenario: &ScenarioArg,
    as_json: bool,
) -> Result<(), Failure> {
    let (old, saved) = load_in(plan_path, scenario)?;
    let (import_opts, progress) = read_options(read)?;
    let (fresh, import) = with_progress("reading the export", &progress, || import_csv(csv, &import_opts))?;
    let (mut plan, report) = crate::update::update(&old, fresh, &import.rejected, opts).map_err(|e| {
        let hint = match e {
            crate::update::UpdateError::TooManyRemovals { .. } => " Pass --allow-removals to go ahead.",
            _ => "",
        };
        Failure::data(format!("{}: {e}{hint}", csv.display()))
    })?;
    // The old plan's territory names, for the removed accounts.
    let old_id = |t: Option<TerritoryIdx>| t.map(|t| old.territories[t.get()].id.as_str());
    if as_json {
        let id = |t: Option<TerritoryIdx>| t.map(|t| plan.territories[t.get()].id.as_str());
        print_json(&json::UpdateJson {
            schema: 1,
            kept: report.kept,
            changed: report.changed,
            moved: report.moved.len(),
            new: report.new.len(),
            removed: report.removed.len(),
            held: report.held.len(),
            taken: report.taken,
            created_territories: &report.created,
            moved_accounts: report
                .moved
                .iter()
                .map(|m| json::RelocatedJson { id: &m.id, name: &m.name, km: m.km })
                .collect(),
            new_accounts: report
                .new
                .iter()
                .map(|a| json::AccountInJson { id: &a.id, name: &a.name, territory: id(a.territory) })
                .collect(),
            removed_accounts: report
                .removed
                .iter()
                .map(|r| json::RemovedJson {
                    id: &r.id,
                    name: &r.name,
                    territory: old_id(r.territory),
                    potential: r.potential.units(),
                })
                .collect(),
            held_accounts: report
                .held
                .iter()
                .map(|h| json::HeldJson { id: &h.id, line: h.line, reason: &h.reason })
                .collect(),
            territories: report
                .territories
                .iter()
                .map(|t| {
                    let terr = &plan.territories[t.territory.get()];
                    json::UpdateTerritoryJson {
                        id: &terr.id,
                        name: &terr.name,
                        accounts_before: t.accounts_before,
                        accounts_after: t.accounts_after,
                        workload_hours_before: t.workload_before.hours(),
                        workload_hours_after: t.workload_after.hours(),
                    }
                })
                .collect(),
            import: import_json(&import),
        });
    } else {
        print_import_report(csv, &import);
        print_lists(&report, &plan, &old);
    }
    save_in(&mut plan, saved, out_path)?;
    if !as_json {
        out(&format!(
            "updated {} from {}: {} kept, {} changed, {} moved more than {} km, {} new, {} removed, {} held \
             (rejected rows, kept as they were){}; wrote {}\n",
            plan_path.display(),
            csv.display(),
            thousands(report.kept as i64),
            thousands(report.changed as i64),
            thousands(report.moved.len() as i64),
            crate::update::MOVED_KM,
            thousands(report.new.len() as i64),
            thousands(report.removed.len() as i64),
            thousands(report.held.len() as i64),
            if opts.take_territories {
                format!(", {} took the export's territory", report.taken)
            } else {
                String::new()
            },
            out_path.display()
        ));
    }
    Ok(())
}

/// The listed accounts (the first of each kind) and the territories before and after.
fn print_lists(report: &UpdateReport, plan: &Plan, old: &Plan) {
    const SHOWN: usize = 20;
    let more = |n: usize, kind: &str| {
        if n > SHOWN {
            eprintln!("… and {} more {kind} (--json lists all)", thousands((n - SHOWN) as i64));
        }
    };
    for m in report.moved.iter().take(SHOWN) {
        eprintln!("moved {:.0} km: {} ({})", m.km, m.name, m.id);
    }
    more(report.moved.len(), "moved");
    for a in report.new.iter().take(SHOWN) {
        eprintln!("new: {} ({}) → {}", a.name, a.id, plan.territory_name(a.territory));
    }
    more(report.new.len(), "new");
    for r in report.removed.iter().take(SHOWN) {
        eprintln!(
            "removed: {} ({}) from {}, potential {}",
            r.name,
            r.id,
            old.territory_name(r.territory),
            thousands(r.potential.0 / 100)
        );
    }
    more(report.removed.len(), "removed");
    for h in report.held.iter().take(SHOWN) {
        eprintln!("held: {} (line {}: {})", h.id, h.line, h.reason);
    }
    more(report.held.len(), "held");
    let rows: Vec<Vec<String>> = report
        .territories
        .iter()
        .map(|t| {
            vec![
                plan.territories[t.territory.get()].name.clone(),
                thousands(t.accounts_before as i64),
                thousands(t.accounts_after as i64),
                format!("{:.1}", t.workload_before.hours()),
                format!("{:.1}", t.workload_after.hours()),
            ]
        })
        .collect();
    out(&table(&["territory", "accounts before", "after", "workload h before", "after"], &rows));
}
