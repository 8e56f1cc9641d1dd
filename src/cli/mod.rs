//! The headless command line: the same library as the editor, without a window.
//!
//! Each subcommand prints a readable table, or with `--json` one JSON document on
//! stdout; messages go to stderr. Exit codes: 0 success, 1 bad data or a failed
//! operation, 2 bad usage (clap's own code for usage errors).
//!
//! One file a part: `args.rs` (clap's arguments and their range checks), `json.rs` (the
//! `--json` documents as `Serialize` structs: the schema in one place), `output.rs`
//! (tables, printing, progress), one file per command (`stats`, `select` with `assign`,
//! `quality`, `import`, `balance_redraw`); this file loads plans, checks `--out` and
//! dispatches.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::edit::{Command as EditCommand, Editor};
use crate::format::thousands;
use crate::io::csv_import::{self, Field, ImportOptions};
use crate::io::number::DecimalFormat;
use crate::io::{Progress, csv_export, geojson_areas, plan_file};
use crate::metrics::{Balance, Metrics, Totals};
use crate::model::{AccountSet, Plan, TerritoryIdx, limits};
use crate::optimize::{self, BalanceOptions, Budget, Proposal, RedrawOptions, Target};

mod args;
mod balance_redraw;
mod compare;
mod import;
mod json;
mod map;
mod output;
mod quality;
mod select;
mod set;
mod shapes;
mod stats;
mod update;

pub use args::{Cli, Cmd, OnOff, OptimizeArgs, ReadArgs, ScenarioArg, SidesArg, TravelArgs};

use balance_redraw::*;
use compare::{changes, compare};
use import::import;
use output::*;
use quality::quality;
use select::*;
use set::set;
use stats::stats;
use update::update;

/// A failure at the edge: one line for the user, and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: i32,
}

impl Failure {
    fn data(e: impl std::fmt::Display) -> Self {
        Failure { message: e.to_string(), code: 1 }
    }
    fn usage(e: impl std::fmt::Display) -> Self {
        Failure { message: e.to_string(), code: 2 }
    }
}

/// Loads a plan: `.csv` files are imported on the fly, anything else is read as RON.
pub fn load_plan(path: &Path) -> Result<Plan, Failure> {
    if csv_import::is_csv_path(path) {
        import_csv(path, &ImportOptions::default()).map(|(p, _)| p)
    } else {
        plan_file::load(path).map_err(Failure::data)
    }
}

/// Loads a plan with the scenario `--scenario` names on screen; returns it and the
/// scenario the file has as current (which a command that writes the plan keeps).
pub(super) fn load_in(path: &Path, s: &ScenarioArg) -> Result<(Plan, usize), Failure> {
    let mut plan = load_plan(path)?;
    let saved = plan.current;
    if let Some(name) = &s.scenario {
        plan.switch_scenario(find_scenario(&plan, path, name)?);
    }
    Ok((plan, saved))
}

/// The live territory `key` names (its id, or else its name), or a failure that lists
/// the plan's territories.
pub(super) fn find_territory(plan: &Plan, path: &Path, key: &str) -> Result<TerritoryIdx, Failure> {
    plan.find_territory(key).ok_or_else(|| {
        let names: Vec<&str> = plan.live_territories().map(|(_, t)| t.name.as_str()).collect();
        Failure::data(format!("{}: no territory \"{key}\" (the plan has: {})", path.display(), names.join(", ")))
    })
}

/// The live region `key` names (its id, path or name), or a failure that lists the
/// plan's regions.
pub(super) fn find_region(plan: &Plan, path: &Path, key: &str) -> Result<crate::model::RegionIdx, Failure> {
    plan.find_region(key).ok_or_else(|| {
        let paths: Vec<String> = crate::model::tree_order(&plan.regions)
            .iter()
            .map(|&(r, _)| crate::model::region_path(&plan.regions, r))
            .collect();
        let has = if paths.is_empty() { "no regions".to_owned() } else { paths.join(", ") };
        Failure::data(format!("{}: no region \"{key}\" (the plan has: {has})", path.display()))
    })
}

pub(super) fn find_scenario(plan: &Plan, path: &Path, name: &str) -> Result<usize, Failure> {
    plan.find_scenario(name).map_err(|e| Failure::data(format!("{}: {e}", path.display())))
}

/// Saves `plan` with `saved` on screen, as the file had it; the scenario worked on is
/// on screen again afterwards (switching copies nothing).
pub(super) fn save_in(plan: &mut Plan, saved: usize, out: &Path) -> Result<(), Failure> {
    let worked = plan.current;
    plan.switch_scenario(saved);
    let written = plan_file::save(plan, out).map(|_| ()).map_err(Failure::data);
    plan.switch_scenario(worked);
    written
}

/// Imports a CSV; a file from which no account could be imported is a failure whose
/// one line says why (how many rows were rejected, and the first reason).
fn import_csv(path: &Path, opts: &ImportOptions) -> Result<(Plan, csv_import::ImportReport), Failure> {
    let (plan, report) = csv_import::import_file(path, opts).map_err(Failure::data)?;
    if report.accepted == 0 {
        let why = match report.rejected.first() {
            Some(r) => format!(
                "{} rejected (line {}: {})",
                crate::format::count(report.rejected.len() as i64, "row", "rows"),
                r.line,
                r.reason
            ),
            None => "the file has a header but no rows".to_owned(),
        };
        return Err(Failure::data(format!("{}: no account could be imported: {why}", path.display())));
    }
    Ok((plan, report))
}

/// Whether two paths name the same existing file (through links and `..`).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Whether a path is read or written as a plan (RON), not CSV.
fn is_plan_path(p: &Path) -> bool {
    !csv_import::is_csv_path(p)
}

/// Refuses an `--out` that is one of the command's inputs in another format (a plan
/// written over the CSV it came from, a CSV export over its plan, anything over a
/// polygon or id list): the input would be lost. Writing a plan over itself is fine.
fn check_out(cmd: &Cmd) -> Result<(), Failure> {
    // (the output, whether it is a plan, the inputs with whether each is a plan)
    let (out, out_plan, inputs): (&Path, bool, Vec<(&Path, bool)>) = match cmd {
        Cmd::Assign { plan, polygon, out, .. } => (out, true, vec![(plan, is_plan_path(plan)), (polygon, false)]),
        Cmd::Import { csv, out, .. } => (out, true, vec![(csv, false)]),
        Cmd::Update { plan, accounts, out, .. } => (out, true, vec![(plan, is_plan_path(plan)), (accounts, false)]),
        Cmd::Balance { plan, common, .. } | Cmd::Redraw { plan, common, .. } => {
            let mut inputs = vec![(plan.as_path(), is_plan_path(plan))];
            inputs.extend(common.lock_accounts.as_deref().map(|p| (p, false)));
            (&common.out, true, inputs)
        }
        Cmd::Export { plan, out, .. }
        | Cmd::Shapes { plan, out, .. }
        | Cmd::Map { plan, out, .. }
        | Cmd::Book { plan, out, .. } => (out, false, vec![(plan, is_plan_path(plan))]),
        Cmd::Set { plan, out, .. } => (out, true, vec![(plan, is_plan_path(plan))]),
        Cmd::Changes { plan, other, out, .. } => {
            let mut inputs = vec![(plan.as_path(), is_plan_path(plan))];
            inputs.extend(other.as_deref().map(|o| (o, is_plan_path(o))));
            (out, false, inputs)
        }
        Cmd::Compare { .. } | Cmd::Stats { .. } | Cmd::Select { .. } | Cmd::Quality { .. } | Cmd::Generate { .. } => {
            return Ok(());
        }
    };
    for (input, input_plan) in inputs {
        if same_file(out, input) && !(out_plan && input_plan) {
            return Err(Failure::usage(format!(
                "--out {} is an input of the command; writing it would replace that file with {}",
                out.display(),
                if out_plan { "a plan" } else { "a CSV export" }
            )));
        }
    }
    Ok(())
}

/// Runs a subcommand; returns the exit code's reason on failure.
pub fn run(cmd: Cmd) -> Result<(), Failure> {
    check_out(&cmd)?;
    match cmd {
        Cmd::Stats { plan, scenario, json } => stats(&plan, &scenario, json),
        Cmd::Select { plan, scenario, polygon, json } => select(&plan, &scenario, &polygon, json),
        Cmd::Assign { plan, scenario, polygon, to, out, json } => assign(&plan, &scenario, &polygon, &to, &out, json),
        Cmd::Import { csv, out, read, json } => import(&csv, &out, &read, json),
        Cmd::Update { plan, accounts, out, read, radius, take_territories, allow_removals, scenario, json } => {
            let opts = crate::update::UpdateOptions { radius_km: radius, take_territories, allow_removals };
            update(&plan, &accounts, &out, &read, &opts, &scenario, json)
        }
        Cmd::Quality { plan, scenario, kmeans, seed, json } => quality(&plan, &scenario, kmeans, seed, json),
        Cmd::Compare { plan, other, sides, json } => compare(&plan, other.as_deref(), &sides, json),
        Cmd::Changes { plan, other, sides, out, json } => changes(&plan, other.as_deref(), &sides, &out, json),
        Cmd::Balance { plan, target, max_moved, common } => {
            let (mut p, saved) = load_in(&plan, &common.scenario)?;
            new_scenario(&mut p, &plan, &common)?;
            let target = Target::from(target);
            let opts = BalanceOptions {
                tolerance: common.tolerance,
                target,
                budget: parse_budget(&max_moved)?,
                locked_territories: locked_territories(&p, &plan, &common)?,
                locked_accounts: read_account_ids(&p, common.lock_accounts.as_deref())?,
                region: common.region.as_deref().map(|r| find_region(&p, &plan, r)).transpose()?,
                seed: common.seed,
            };
            optimize_cli(&p, saved, &common, |adj, progress| optimize::balance(&p, adj, &opts, progress))
        }
        Cmd::Redraw { plan, territories, homes, common } => {
            let (mut p, saved) = load_in(&plan, &common.scenario)?;
            new_scenario(&mut p, &plan, &common)?;
            check_against_accounts(&p, &plan, "--territories", territories)?;
            let opts = RedrawOptions {
                territories,
                tolerance: common.tolerance,
                locked_territories: locked_territories(&p, &plan, &common)?,
                locked_accounts: read_account_ids(&p, common.lock_accounts.as_deref())?,
                homes,
                region: common.region.as_deref().map(|r| find_region(&p, &plan, r)).transpose()?,
                seed: common.seed,
            };
            if homes && !p.live_territories().any(|(_, t)| t.rep_home.is_some()) {
                return Err(Failure::usage("--homes: no territory of the plan has a rep's home (rep_home)"));
            }
            optimize_cli(&p, saved, &common, |adj, progress| optimize::redraw(&p, adj, &opts, progress))
        }
        Cmd::Set { plan, scenario, territory, capacity, rep, region, travel, travel_settings, out, json } => {
            let what = set::SetArgs { territory, capacity, rep, region, travel, travel_settings };
            set(&plan, &scenario, &what, &out, json)
        }
        Cmd::Generate { accounts, territories, seed, out: path } => {
            crate::io::write_atomic(&path, |w| crate::generate::generate(accounts, territories, seed, w))
                .map_err(Failure::data)?;
            out(&format!("wrote {accounts} accounts in {territories} territories to {}\n", path.display()));
            Ok(())
        }
        Cmd::Map { plan, scenario, out, width, region, territory, changes_from, title, dots, json } => {
            let args = map::MapArgs {
                out: &out,
                width,
                region: region.as_deref(),
                territory: territory.as_deref(),
                changes_from: changes_from.as_deref(),
                title: title.as_deref(),
                dots,
                json,
            };
            map::map(&plan, &scenario, &args)
        }
        Cmd::Book { plan, scenario, out, title } => map::book(&plan, &scenario, &out, title.as_deref()),
        Cmd::Shapes { plan, scenario, out, max_km, no_land, json } => {
            shapes::shapes(&plan, &scenario, &shapes::ShapesArgs { out: &out, max_km, land: !no_land, json })
        }
        Cmd::Export { plan, scenario, out: path, json } => {
            let (p, _) = load_in(&plan, &scenario)?;
            csv_export::export_file(&p, &path).map_err(Failure::data)?;
            if json {
                print_json(&json::ExportJson {
                    schema: 1,
                    accounts: p.accounts.len(),
                    out: path.display().to_string(),
                });
            } else {
                out(&format!("exported {} accounts to {}\n", p.accounts.len(), path.display()));
            }
            Ok(())
        }
    }
}
