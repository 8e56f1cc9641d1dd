//! Scenarios on disk (version 3): each after the first as its territories and its
//! differences from the first, one move a line, so that a scenario reads and diffs
//! like a change list and a plan of one scenario is as small as before.

use super::*;
use crate::model::{BASELINE_NAME, Scenario};

/// Every scenario after the first as a record.
pub(super) fn scenario_records(plan: &Plan) -> Vec<ScenarioRecord> {
    let (base_t, base_a, base_l) = plan.scenario_parts(0);
    let id_of = |ts: &[Territory], t: Option<TerritoryIdx>| t.map(|t| ts[t.get()].id.clone());
    (1..plan.scenarios.len())
        .map(|i| {
            let (ts, a, l) = plan.scenario_parts(i);
            let regions = plan.scenario_regions(i);
            let mut rec = ScenarioRecord {
                name: plan.scenarios[i].name.clone(),
                regions: region_records(regions),
                territories: territory_records(ts, regions),
                moves: Vec::new(),
                locked: Vec::new(),
                unlocked: Vec::new(),
            };
            for v in 0..plan.accounts.len() {
                let (here, there) = (id_of(ts, a[v]), id_of(base_t, base_a[v]));
                if here != there {
                    rec.moves.push((plan.accounts.id(v).to_owned(), here));
                }
                match (l[v], base_l[v]) {
                    (true, false) => rec.locked.push(plan.accounts.id(v).to_owned()),
                    (false, true) => rec.unlocked.push(plan.accounts.id(v).to_owned()),
                    _ => {}
                }
            }
            rec
        })
        .collect()
}

/// The scenarios after the rows, in the canonical layout: "" for none.
pub(super) fn scenarios_text(records: &[ScenarioRecord]) -> Result<String, ron::Error> {
    if records.is_empty() {
        return Ok(String::new());
    }
    // Explicit `Some`: the file enables implicit ones once, at its top.
    let config = ron::ser::PrettyConfig::new().depth_limit(2).struct_names(false);
    let mut out = format!("{SCENARIOS_OPEN}\n");
    for r in records {
        for line in ron::ser::to_string_pretty(r, config.clone())?.lines() {
            out.push_str(ROW_INDENT);
            out.push_str(line);
            out.push('\n');
        }
        // The record's closing parenthesis is its last line.
        out.pop();
        out.push_str(",\n");
    }
    out.push_str("    ],\n");
    Ok(out)
}

/// Gives `plan` (read with the first scenario's rows) the file's scenarios, checked,
/// and puts the one saved as current on screen.
pub(super) fn attach_scenarios(plan: &mut Plan, header: &PlanFileV2<'_>, path: &str) -> Result<(), PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    let first = header.scenario.clone().unwrap_or_else(|| BASELINE_NAME.to_owned());
    plan.scenarios = vec![Scenario::hollow(&first)];
    plan.current = 0;
    if header.scenarios.is_empty() && header.current.is_none() {
        return Ok(());
    }
    // The accounts the scenarios name, found in one pass over the ids: a map of what
    // the file refers to, not of every account (at a million accounts that map took
    // 50 MB while the plan opened).
    let mut index: ahash::AHashMap<&str, usize> = header
        .scenarios
        .iter()
        .flat_map(|rec| {
            rec.moves
                .iter()
                .map(|(id, _)| id.as_ref())
                .chain(rec.locked.iter().chain(&rec.unlocked).map(|id| id.as_ref()))
        })
        .map(|id| (id, usize::MAX))
        .collect();
    for (i, id) in plan.accounts.ids().enumerate() {
        if let Some(slot) = index.get_mut(id) {
            *slot = i;
        }
    }
    let account = |id: &str, what: &str, name: &str| {
        index
            .get(id)
            .copied()
            .filter(|&i| i != usize::MAX)
            .ok_or_else(|| invalid(format!("scenario {}: {what} unknown account {}", quoted(name), quoted(id))))
    };
    let mut names = vec![first.to_lowercase()];
    for rec in &header.scenarios {
        if names.contains(&rec.name.to_lowercase()) || rec.name.trim().is_empty() {
            return Err(invalid(format!("scenario name {} is empty or used twice", quoted(&rec.name))));
        }
        names.push(rec.name.to_lowercase());
        let regions = regions_from(&rec.regions, path)?;
        let territories = territories_from(&rec.territories, &regions, path)?;
        let slot_of: HashMap<&str, TerritoryIdx> =
            territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), TerritoryIdx::new(i as u32))).collect();
        // The first scenario's territory of each account, as this scenario's slot
        // (`Err` where this scenario lacks it: such accounts must be among the moves).
        let base_to_here: Vec<Result<TerritoryIdx, ()>> =
            plan.territories.iter().map(|t| slot_of.get(t.id.as_str()).copied().ok_or(())).collect();
        let mut missing = Vec::new();
        let mut assignment: Vec<Option<TerritoryIdx>> = plan
            .assignment
            .iter()
            .enumerate()
            .map(|(v, o)| match o.map(|t| base_to_here[t.get()]) {
                None => None,
                Some(Ok(t)) => Some(t),
                Some(Err(())) => {
                    missing.push(v);
                    None
                }
            })
            .collect();
        let mut moved = vec![false; assignment.len()];
        for (id, to) in &rec.moves {
            let v = account(id, "moves", &rec.name)?;
            assignment[v] = match to {
                Some(t) => Some(*slot_of.get(t.as_str()).ok_or_else(|| {
                    invalid(format!(
                        "scenario {}: account {}: unknown territory {}",
                        quoted(&rec.name),
                        quoted(id),
                        quoted(t)
                    ))
                })?),
                None => None,
            };
            moved[v] = true;
        }
        if let Some(&v) = missing.iter().find(|&&v| !moved[v]) {
            return Err(invalid(format!(
                "scenario {}: account {} is in a territory the scenario does not have",
                quoted(&rec.name),
                quoted(plan.accounts.id(v))
            )));
        }
        let mut locked = plan.accounts.locked().to_vec();
        for id in &rec.locked {
            locked[account(id, "locks", &rec.name)?] = true;
        }
        for id in &rec.unlocked {
            locked[account(id, "unlocks", &rec.name)?] = false;
        }
        plan.scenarios.push(Scenario { name: rec.name.clone(), territories, regions, assignment, locked });
    }
    if let Some(current) = &header.current {
        let i = plan.find_scenario(current).map_err(|e| invalid(format!("current scenario: {e}")))?;
        plan.switch_scenario(i);
    }
    Ok(())
}
