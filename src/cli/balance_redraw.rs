//! `balance` and `redraw`: options, locks, the run and its before/after report.

use super::*;

/// More territories than the plan has accounts: a data error.
pub(super) fn check_against_accounts(plan: &Plan, path: &Path, what: &str, k: usize) -> Result<(), Failure> {
    if k > plan.accounts.len() {
        return Err(Failure::data(format!(
            "{}: {what} {k} is more than the plan's {} accounts",
            path.display(),
            thousands(plan.accounts.len() as i64)
        )));
    }
    Ok(())
}

pub(super) fn parse_budget(items: &[String]) -> Result<Budget, Failure> {
    let mut b = Budget::default();
    for item in items {
        let (what, share) = item
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--max-moved {item}: expected WHAT=SHARE, e.g. workload=0.15")))?;
        let share: f64 = share
            .trim()
            .trim_end_matches('%')
            .parse()
            .map_err(|_| Failure::usage(format!("--max-moved {item}: \"{share}\" is not a number")))?;
        let share = if item.trim_end().ends_with('%') { share / 100.0 } else { share };
        if !(0.0..=1.0).contains(&share) {
            return Err(Failure::usage(format!("--max-moved {item}: the share must be between 0 and 1")));
        }
        match what.trim() {
            "accounts" => b.accounts = Some(share),
            "workload" => b.workload = Some(share),
            "potential" => b.potential = Some(share),
            other => {
                return Err(Failure::usage(format!(
                    "--max-moved {item}: \"{other}\" is not one of accounts, workload, potential"
                )));
            }
        }
    }
    Ok(b)
}

/// The territories `--lock` names and those within each `--lock-region`.
pub(super) fn locked_territories(
    plan: &Plan,
    path: &Path,
    common: &OptimizeArgs,
) -> Result<Vec<TerritoryIdx>, Failure> {
    let mut out = find_territories(plan, path, &common.lock)?;
    for key in &common.lock_region {
        out.extend(plan.territories_within(find_region(plan, path, key)?));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

pub(super) fn find_territories(plan: &Plan, path: &Path, keys: &[String]) -> Result<Vec<TerritoryIdx>, Failure> {
    keys.iter().map(|key| find_territory(plan, path, key)).collect()
}

/// Reads account ids, one per line (blank lines and `#` comments skipped); every id must
/// be in the plan.
pub(super) fn read_account_ids(plan: &Plan, path: Option<&Path>) -> Result<Vec<u32>, Failure> {
    let Some(path) = path else { return Ok(Vec::new()) };
    let text = std::fs::read_to_string(path).map_err(|e| Failure::data(format!("{}: {e}", path.display())))?;
    let index: ahash::AHashMap<&str, u32> = plan.accounts.iter().enumerate().map(|(i, a)| (a.id, i as u32)).collect();
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let id = line.trim();
        if id.is_empty() || id.starts_with('#') {
            continue;
        }
        match index.get(id) {
            Some(&i) => ids.push(i),
            None => unknown.push(format!("line {}: \"{id}\"", n + 1)),
        }
    }
    if !unknown.is_empty() {
        let more = if unknown.len() > 5 { format!(" and {} more", unknown.len() - 5) } else { String::new() };
        return Err(Failure::data(format!(
            "{}: {} account ids are not in the plan ({}{more})",
            path.display(),
            unknown.len(),
            unknown[..unknown.len().min(5)].join(", ")
        )));
    }
    Ok(ids)
}

/// Runs Balance or Redraw, writes the plan and prints the before/after report.
/// `--new-scenario`: a copy of the scenario worked on, on screen, for the proposal.
pub(super) fn new_scenario(plan: &mut Plan, path: &Path, args: &OptimizeArgs) -> Result<(), Failure> {
    if let Some(name) = &args.new_scenario {
        plan.add_scenario(name).map_err(|e| Failure::data(format!("{}: --new-scenario: {e}", path.display())))?;
    }
    Ok(())
}

pub(super) fn optimize_cli(
    plan: &Plan,
    saved: usize,
    args: &OptimizeArgs,
    run: impl FnOnce(&crate::quality::Adjacency, Option<&Progress>) -> Result<Proposal, optimize::OptimizeError>,
) -> Result<(), Failure> {
    let (out_path, tolerance, as_json) = (args.out.as_path(), args.tolerance, args.json);
    let started = std::time::Instant::now();
    let adj = crate::quality::adjacency(&plan.accounts);
    let progress = Progress::default();
    let proposal = with_progress("computing", &progress, || run(&adj, Some(&progress))).map_err(Failure::data)?;
    let seconds = started.elapsed().as_secs_f64();
    let mut after = proposal.apply_to(plan);
    // The file keeps the scenario it had on screen; a new scenario is saved beside it.
    save_in(&mut after, saved, out_path)?;
    let r = optimize::report(plan, &after, &adj, tolerance, proposal.run());
    let live_pieces = |p: &Plan, pieces: &[usize]| p.live_territories().map(|(i, _)| pieces[i.get()]).sum::<usize>();
    let (pb, pa) = (live_pieces(plan, &r.pieces_before), live_pieces(&after, &r.pieces_after));
    let (ib, ia) = (live_pieces(plan, &r.islands_before), live_pieces(&after, &r.islands_after));
    let moved_vs_bound = (r.lower_bound > 0.0).then(|| r.moved.workload / r.lower_bound);
    let moved_vs_flow = r.flow_bound.filter(|&f| f > 0.0).map(|f| r.moved.workload / f);
    if as_json {
        let side =
            |b: &Balance, c: &crate::quality::Compactness, pieces: usize, islands: usize, n: usize| json::SideJson {
                territories: n,
                workload_max_abs_deviation: b.workload.max_abs_deviation,
                workload_cv: b.workload.cv,
                potential_max_abs_deviation: b.potential.max_abs_deviation,
                potential_cv: b.potential.cv,
                compactness_km: c.overall,
                pieces,
                pieces_beyond_one_per_island: pieces - islands.min(pieces),
            };
        let territories = after
            .live_territories()
            .map(|(i, t)| {
                let s = i.get();
                let alive = plan.territories.get(s).is_some_and(|t| t.alive);
                let before = r.metrics_before.territories.get(s).filter(|_| alive);
                let now = &r.metrics_after.territories[s];
                json::OptimizeTerritory {
                    id: &t.id,
                    name: &t.name,
                    workload_hours_before: before.map(|b| b.workload.hours()),
                    workload_hours: now.workload.hours(),
                    potential_before: before.map(|b| b.potential.units()),
                    potential: now.potential.units(),
                    workload_deviation: r.after.workload.deviation(now.workload.0 as f64, t.capacity),
                    accounts: now.accounts,
                    gained: r.gained[s],
                    lost: r.lost[s],
                    pieces: r.pieces_after[s],
                    islands: r.islands_after[s],
                    compactness_km: r.compactness_after.by_group[s],
                }
            })
            .collect();
        let named = |t: TerritoryIdx| &proposal.territories[t.get()];
        print_json(&json::OptimizeJson {
            schema: 1,
            tolerance,
            tolerance_reached: proposal.tolerance_reached,
            stop_reasons: proposal
                .stop_reasons
                .iter()
                .map(|r| json::StopReasonJson { kind: r.kind(), detail: r.describe(&proposal.territories, tolerance) })
                .collect(),
            held_over_by_locks: proposal
                .held_over
                .iter()
                .map(|h| json::HeldOverJson {
                    id: &named(h.territory).id,
                    name: &named(h.territory).name,
                    dimension: if h.dimension == optimize::Target::Potential { "potential" } else { "workload" },
                    above_mean: h.above_mean,
                })
                .collect(),
            budget_exhausted: proposal.budget_exhausted,
            before: side(&r.before, &r.compactness_before, pb, ib, plan.live_territories().count()),
            after: side(&r.after, &r.compactness_after, pa, ia, after.live_territories().count()),
            moved: json::MovedJson {
                accounts: r.moved_accounts,
                accounts_share: r.moved.accounts,
                workload_share: r.moved.workload,
                potential_share: r.moved.potential,
            },
            lower_bound_workload_share: r.lower_bound,
            moved_workload_vs_lower_bound: moved_vs_bound,
            border_flow_bound_workload_share: r.flow_bound,
            moved_workload_vs_border_flow_bound: moved_vs_flow,
            territories,
            seconds,
            out: out_path.display().to_string(),
        });
        return Ok(());
    }
    let rows = vec![
        vec![
            "workload max |deviation|".to_owned(),
            pct(r.before.workload.max_abs_deviation),
            pct(r.after.workload.max_abs_deviation),
        ],
        vec!["workload CV".to_owned(), pct(r.before.workload.cv), pct(r.after.workload.cv)],
        vec![
            "potential max |deviation|".to_owned(),
            pct(r.before.potential.max_abs_deviation),
            pct(r.after.potential.max_abs_deviation),
        ],
        vec![
            "compactness km".to_owned(),
            format!("{:.1}", r.compactness_before.overall),
            format!("{:.1}", r.compactness_after.overall),
        ],
        vec!["pieces".to_owned(), pb.to_string(), pa.to_string()],
        vec!["pieces beyond one per island".to_owned(), (pb - ib.min(pb)).to_string(), (pa - ia.min(pa)).to_string()],
        vec![
            "territories".to_owned(),
            plan.live_territories().count().to_string(),
            after.live_territories().count().to_string(),
        ],
    ];
    out(&table(&["", "before", "after"], &rows));
    out(&format!(
        "\nMoved {} accounts ({}), {} of workload, {} of potential; the least workload that had to move for ±{} was {}{}.\n",
        crate::format::thousands(r.moved_accounts as i64),
        pct(r.moved.accounts),
        pct(r.moved.workload),
        pct(r.moved.potential),
        pct(tolerance),
        pct(r.lower_bound),
        moved_vs_bound.map_or(String::new(), |x| format!(" ({x:.2}× that)")),
    ));
    // Balance keeps the territories: then what had to cross their borders says how
    // close to the least possible it came.
    if let Some(flow) = r.flow_bound {
        out(&format!(
            "Routed across the territories' borders (once per border crossed), the excess needs about {}{}.\n",
            pct(flow),
            moved_vs_flow.map_or(String::new(), |x| format!(" ({x:.2}× that)")),
        ));
    }
    if !proposal.tolerance_reached {
        out(&format!(
            "The tolerance was not reached{}; this is the best plan found.\n",
            if proposal.budget_exhausted { " within the disruption budget" } else { "" }
        ));
        for r in &proposal.stop_reasons {
            out(&format!("{}\n", r.describe(&proposal.territories, tolerance)));
        }
    }
    out(&format!("Done in {seconds:.2} s; wrote {}\n", out_path.display()));
    Ok(())
}
