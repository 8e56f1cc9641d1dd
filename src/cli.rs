//! The headless command line: the same library as the editor, without a window.
//!
//! Each subcommand prints a readable table, or with `--json` one JSON document on
//! stdout; messages go to stderr. Exit codes: 0 success, 1 bad data or a failed
//! operation, 2 bad usage (clap's own code for usage errors).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

use crate::edit::{Command as EditCommand, Editor};
use crate::format::thousands;
use crate::io::csv_import::{self, Field, ImportOptions};
use crate::io::number::DecimalFormat;
use crate::io::{Progress, csv_export, geojson_areas, plan_file};
use crate::metrics::{Balance, Metrics, Totals, deviation};
use crate::model::{AccountSet, Plan, TerritoryIdx, limits};
use crate::optimize::{self, BalanceOptions, Budget, Proposal, RedrawOptions, Target};

/// Territory editor: redraw sales territories on a map. Without a subcommand it
/// opens the editor (on FILE, or on the bundled demo plan).
#[derive(Debug, Parser)]
#[command(name = "territory-editor", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A plan (.ron) or accounts (.csv) to open in the editor.
    pub file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// The headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Per-territory totals and the plan's balance.
    Stats {
        plan: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The accounts inside the union of a GeoJSON file's polygons.
    Select {
        plan: PathBuf,
        #[arg(long)]
        polygon: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Give the accounts inside a GeoJSON area to a territory.
    Assign {
        plan: PathBuf,
        #[arg(long)]
        polygon: PathBuf,
        /// Territory id or name.
        #[arg(long)]
        to: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Import accounts from CSV into a plan.
    Import {
        csv: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Map a field to a header, e.g. `--column lat=Breite` (repeatable).
        #[arg(long = "column", value_name = "FIELD=HEADER")]
        columns: Vec<String>,
        /// Number format of the file (detected when omitted).
        #[arg(long, value_parser = ["comma", "point"])]
        decimal: Option<String>,
        /// Place rows whose latitude and longitude look swapped, or whose sign looks
        /// lost, at the corrected position (they are rejected otherwise).
        #[arg(long)]
        fix_coordinates: bool,
        #[arg(long)]
        json: bool,
    },
    /// Shape of a plan beyond balance: compactness (km) and pieces per territory, and
    /// optionally the plain k-means reference compactness for comparison.
    Quality {
        plan: PathBuf,
        /// Also compute the k-means reference with this many clusters (10 restarts;
        /// 1 to 10,000, and at most the number of accounts).
        #[arg(long, value_parser = territory_count)]
        kmeans: Option<usize>,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Balance from here: bring every territory within the tolerance of the mean,
    /// moving as few accounts as it can, keeping territories in one piece.
    Balance {
        plan: PathBuf,
        /// What to balance.
        #[arg(long = "balance", default_value = "workload", value_parser = ["workload", "potential", "both"])]
        target: String,
        /// Disruption budget: the most that may move, e.g. `accounts=0.20`,
        /// `workload=0.15`, `potential=0.15` (repeatable). No budget by default.
        #[arg(long = "max-moved", value_name = "WHAT=SHARE")]
        max_moved: Vec<String>,
        #[command(flatten)]
        common: OptimizeArgs,
    },
    /// Redraw: K territories from scratch, balanced on workload, compact, in one piece,
    /// named after the old territories they overlap most.
    Redraw {
        plan: PathBuf,
        /// Number of territories, locked ones included (1 to 10,000, and at most the
        /// number of accounts).
        #[arg(long, value_parser = territory_count)]
        territories: usize,
        /// Grow a territory around each rep's home (the plan's `rep_home`): it keeps
        /// that territory's name and rep, and its centre stays at the home.
        #[arg(long)]
        homes: bool,
        #[command(flatten)]
        common: OptimizeArgs,
    },
    /// Generate realistic synthetic accounts (CSV) in longitude-band territories.
    Generate {
        /// Number of accounts (at most 50,000,000).
        #[arg(long, value_parser = account_count)]
        accounts: usize,
        /// Number of territories (1 to 10,000).
        #[arg(long, default_value_t = 12, value_parser = territory_count)]
        territories: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Export the assignments as CSV for the CRM.
    Export {
        plan: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// What Balance and Redraw share on the command line.
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    /// Where to write the proposed plan.
    #[arg(long)]
    pub out: PathBuf,
    /// Allowed |deviation| from the mean (0.03 = ±3%; between 0 and 1).
    #[arg(long, default_value_t = 0.03, value_parser = tolerance, allow_negative_numbers = true)]
    pub tolerance: f64,
    /// A territory (id or name) that keeps its accounts (repeatable).
    #[arg(long = "lock", value_name = "TERRITORY")]
    pub lock: Vec<String>,
    /// A file of account ids, one per line, that must not move.
    #[arg(long = "lock-accounts", value_name = "IDS.txt")]
    pub lock_accounts: Option<PathBuf>,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}

/// `--territories` and `--kmeans`: 1 to [`limits::MAX_TERRITORIES`] (a usage error,
/// exit 2, otherwise; more than the plan's accounts is a data error, exit 1).
fn territory_count(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("{} is not a whole number", crate::format::quoted(s)))?;
    if n == 0 {
        return Err("must be at least 1".to_owned());
    }
    limits::check_territories(n)?;
    Ok(n)
}

/// The most accounts `generate` writes.
const MAX_GENERATED: usize = 50_000_000;

fn account_count(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| format!("{} is not a whole number", crate::format::quoted(s)))?;
    if n > MAX_GENERATED {
        return Err(format!("at most {} accounts", thousands(MAX_GENERATED as i64)));
    }
    Ok(n)
}

/// `--tolerance`: a share strictly between 0 and 1.
fn tolerance(s: &str) -> Result<f64, String> {
    let t: f64 = s.trim().parse().map_err(|_| format!("{} is not a number", crate::format::quoted(s)))?;
    if !(t.is_finite() && t > 0.0 && t < 1.0) {
        return Err(format!("{t} is not between 0 and 1 (0.03 is ±3%)"));
    }
    Ok(t)
}

/// More territories than the plan has accounts: a data error.
fn check_against_accounts(plan: &Plan, path: &Path, what: &str, k: usize) -> Result<(), Failure> {
    if k > plan.accounts.len() {
        return Err(Failure::data(format!(
            "{}: {what} {k} is more than the plan's {} accounts",
            path.display(),
            thousands(plan.accounts.len() as i64)
        )));
    }
    Ok(())
}

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
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        import_csv(path, &ImportOptions::default()).map(|(p, _)| p)
    } else {
        plan_file::load(path).map_err(Failure::data)
    }
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

fn out(text: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn print_json(v: &Value) {
    out(&format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default()));
}

fn totals_json(t: &Totals) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("accounts".into(), json!(t.accounts));
    m.insert("potential".into(), json!(t.potential.units()));
    m.insert("annual_revenue".into(), json!(t.annual_revenue.units()));
    m.insert("workload_hours".into(), json!(t.workload.hours()));
    m
}

/// Runs `work`, showing its progress on stderr when stderr is a terminal (a line
/// redrawn four times a second, cleared at the end); nothing otherwise, so that logs
/// and pipes stay clean. Ctrl+C ends the process (exit 130 in the shell); a file it
/// was writing is left as it was, since saves are atomic.
fn with_progress<T>(what: &str, progress: &Progress, work: impl FnOnce() -> T) -> T {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = std::time::Instant::now();
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(250));
                if let Some(f) = progress.fraction() {
                    eprint!("\r{what}: {:>3.0} % ({:.0} s)  ", f * 100.0, started.elapsed().as_secs_f64());
                }
            }
            eprint!("\r{}\r", " ".repeat(what.len() + 24));
        });
        let out = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        out
    })
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
    !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// Refuses an `--out` that is one of the command's inputs in another format (a plan
/// written over the CSV it came from, a CSV export over its plan, anything over a
/// polygon or id list): the input would be lost. Writing a plan over itself is fine.
fn check_out(cmd: &Cmd) -> Result<(), Failure> {
    // (the output, whether it is a plan, the inputs with whether each is a plan)
    let (out, out_plan, inputs): (&Path, bool, Vec<(&Path, bool)>) = match cmd {
        Cmd::Assign { plan, polygon, out, .. } => (out, true, vec![(plan, is_plan_path(plan)), (polygon, false)]),
        Cmd::Import { csv, out, .. } => (out, true, vec![(csv, false)]),
        Cmd::Balance { plan, common, .. } | Cmd::Redraw { plan, common, .. } => {
            let mut inputs = vec![(plan.as_path(), is_plan_path(plan))];
            inputs.extend(common.lock_accounts.as_deref().map(|p| (p, false)));
            (&common.out, true, inputs)
        }
        Cmd::Export { plan, out, .. } => (out, false, vec![(plan, is_plan_path(plan))]),
        Cmd::Stats { .. } | Cmd::Select { .. } | Cmd::Quality { .. } | Cmd::Generate { .. } => return Ok(()),
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
        Cmd::Stats { plan, json } => stats(&plan, json),
        Cmd::Select { plan, polygon, json } => select(&plan, &polygon, json),
        Cmd::Assign { plan, polygon, to, out, json } => assign(&plan, &polygon, &to, &out, json),
        Cmd::Import { csv, out, columns, decimal, fix_coordinates, json } => {
            import(&csv, &out, &columns, decimal.as_deref(), fix_coordinates, json)
        }
        Cmd::Quality { plan, kmeans, seed, json } => quality(&plan, kmeans, seed, json),
        Cmd::Balance { plan, target, max_moved, common } => {
            let p = load_plan(&plan)?;
            let target = match target.as_str() {
                "potential" => Target::Potential,
                "both" => Target::Both,
                _ => Target::Workload,
            };
            let opts = BalanceOptions {
                tolerance: common.tolerance,
                target,
                budget: parse_budget(&max_moved)?,
                locked_territories: find_territories(&p, &plan, &common.lock)?,
                locked_accounts: read_account_ids(&p, common.lock_accounts.as_deref())?,
                seed: common.seed,
            };
            optimize_cli(&p, &common, |adj, progress| optimize::balance(&p, adj, &opts, progress))
        }
        Cmd::Redraw { plan, territories, homes, common } => {
            let p = load_plan(&plan)?;
            check_against_accounts(&p, &plan, "--territories", territories)?;
            let opts = RedrawOptions {
                territories,
                tolerance: common.tolerance,
                locked_territories: find_territories(&p, &plan, &common.lock)?,
                locked_accounts: read_account_ids(&p, common.lock_accounts.as_deref())?,
                homes,
                seed: common.seed,
            };
            if homes && !p.live_territories().any(|(_, t)| t.rep_home.is_some()) {
                return Err(Failure::usage("--homes: no territory of the plan has a rep's home (rep_home)"));
            }
            optimize_cli(&p, &common, |adj, progress| optimize::redraw(&p, adj, &opts, progress))
        }
        Cmd::Generate { accounts, territories, seed, out: path } => {
            crate::io::write_atomic(&path, |w| crate::generate::generate(accounts, territories, seed, w))
                .map_err(Failure::data)?;
            out(&format!("wrote {accounts} accounts in {territories} territories to {}\n", path.display()));
            Ok(())
        }
        Cmd::Export { plan, out: path, json } => {
            let p = load_plan(&plan)?;
            csv_export::export_file(&p, &path).map_err(Failure::data)?;
            if json {
                print_json(&json!({"schema": 1, "accounts": p.accounts.len(), "out": path.display().to_string()}));
            } else {
                out(&format!("exported {} accounts to {}\n", p.accounts.len(), path.display()));
            }
            Ok(())
        }
    }
}

/// The stats document of a plan.
pub fn stats_json(plan: &Plan, m: &Metrics, accounts: usize) -> Value {
    let b = Balance::of(plan, m);
    let territories: Vec<Value> = plan
        .live_territories()
        .map(|(i, t)| {
            let tot = &m.territories[i.get()];
            let mut o = serde_json::Map::new();
            o.insert("id".into(), json!(t.id));
            o.insert("name".into(), json!(t.name));
            o.extend(totals_json(tot));
            o.insert("potential_deviation".into(), json!(deviation(tot.potential.0 as f64, b.potential.mean)));
            o.insert("workload_deviation".into(), json!(deviation(tot.workload.0 as f64, b.workload.mean)));
            Value::Object(o)
        })
        .collect();
    json!({
        "schema": 1,
        "accounts": accounts,
        "territories": territories,
        "unassigned": Value::Object(totals_json(&m.unassigned)),
        "balance": {
            "workload_max_abs_deviation": b.workload.max_abs_deviation,
            "workload_cv": b.workload.cv,
            "potential_max_abs_deviation": b.potential.max_abs_deviation,
            "potential_cv": b.potential.cv,
        }
    })
}

fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(c, s)| if c == 0 { format!("{s:<w$}", w = widths[c]) } else { format!("{s:>w$}", w = widths[c]) })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
            + "\n"
    };
    let mut s = line(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    for r in rows {
        s += &line(r);
    }
    s
}

fn totals_row(name: &str, t: &Totals) -> Vec<String> {
    use crate::format::thousands;
    vec![
        name.to_owned(),
        thousands(t.accounts as i64),
        thousands(t.potential.0 / 100),
        thousands(t.annual_revenue.0 / 100),
        format!("{:.1}", t.workload.hours()),
    ]
}

fn stats(path: &Path, as_json: bool) -> Result<(), Failure> {
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let (plan, m, n) = if is_csv {
        let plan = load_plan(path)?;
        let m = Metrics::recompute(&plan);
        let n = plan.accounts.len();
        (plan, m, n)
    } else {
        // Folds the accounts into totals as they are parsed, without keeping them.
        let s = plan_file::load_stats(path).map_err(Failure::data)?;
        (s.plan, s.metrics, s.accounts)
    };
    if as_json {
        print_json(&stats_json(&plan, &m, n));
        return Ok(());
    }
    let b = Balance::of(&plan, &m);
    let mut rows: Vec<Vec<String>> = plan
        .live_territories()
        .map(|(i, t)| {
            let tot = &m.territories[i.get()];
            let mut r = totals_row(&t.name, tot);
            r.push(crate::format::percent(deviation(tot.workload.0 as f64, b.workload.mean)));
            r.push(crate::format::percent(deviation(tot.potential.0 as f64, b.potential.mean)));
            r
        })
        .collect();
    let mut u = totals_row("(Unassigned)", &m.unassigned);
    u.extend(["".into(), "".into()]);
    rows.push(u);
    let header = ["territory", "accounts", "potential", "revenue", "workload h", "workload dev", "potential dev"];
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

/// Selects the accounts inside a GeoJSON file's areas; warns about skipped features.
fn select_in(plan: &Plan, polygon: &Path) -> Result<Vec<u32>, Failure> {
    let areas = geojson_areas::load(polygon).map_err(Failure::data)?;
    for s in &areas.skipped {
        eprintln!("warning: {}: {s}", polygon.display());
    }
    // One pass over the accounts against the banded polygon: no R-tree to build, and
    // a polygon of a million vertices costs tens of edge tests an account.
    let mp = areas.union();
    let Some((lo, hi)) = crate::spatial::bbox(&mp) else { return Ok(Vec::new()) };
    let index = crate::spatial::PolygonIndex::new(&mp);
    let (lon, lat) = (plan.accounts.lon(), plan.accounts.lat());
    Ok((0..plan.accounts.len() as u32)
        .filter(|&i| {
            let (x, y) = (lon[i as usize], lat[i as usize]);
            (lo.x..=hi.x).contains(&x) && (lo.y..=hi.y).contains(&y) && index.contains(x, y)
        })
        .collect())
}

fn select(path: &Path, polygon: &Path, as_json: bool) -> Result<(), Failure> {
    let plan = load_plan(path)?;
    let selected = select_in(&plan, polygon)?;
    let mut total = Totals::default();
    let mut by = vec![Totals::default(); plan.territories.len()];
    let mut unassigned = Totals::default();
    for &i in &selected {
        let a = plan.accounts.get(i as usize);
        total.add(a);
        match plan.assignment[i as usize] {
            Some(t) => by[t.get()].add(a),
            None => unassigned.add(a),
        }
    }
    let named: Vec<(String, String, &Totals)> = plan
        .live_territories()
        .filter(|(i, _)| by[i.get()].accounts > 0)
        .map(|(i, t)| (t.id.clone(), t.name.clone(), &by[i.get()]))
        .chain((unassigned.accounts > 0).then(|| (String::new(), "Unassigned".to_owned(), &unassigned)))
        .collect();
    if as_json {
        let by_territory: Vec<Value> = named
            .iter()
            .map(|(id, name, t)| {
                let mut o = serde_json::Map::new();
                o.insert("id".into(), if id.is_empty() { Value::Null } else { json!(id) });
                o.insert("name".into(), json!(name));
                o.extend(totals_json(t));
                Value::Object(o)
            })
            .collect();
        print_json(&json!({"schema": 1, "selected": Value::Object(totals_json(&total)), "by_territory": by_territory}));
    } else {
        let mut rows: Vec<Vec<String>> = named.iter().map(|(_, n, t)| totals_row(n, t)).collect();
        rows.push(totals_row("selected", &total));
        out(&table(&["territory", "accounts", "potential", "revenue", "workload h"], &rows));
    }
    Ok(())
}

fn assign(path: &Path, polygon: &Path, to: &str, out_path: &Path, as_json: bool) -> Result<(), Failure> {
    let plan = load_plan(path)?;
    let target = if to.eq_ignore_ascii_case("unassigned") {
        None
    } else {
        Some(plan.find_territory(to).ok_or_else(|| {
            let names: Vec<&str> = plan.live_territories().map(|(_, t)| t.name.as_str()).collect();
            Failure::data(format!("{}: no territory \"{to}\" (the plan has: {})", path.display(), names.join(", ")))
        })?)
    };
    let selected = select_in(&plan, polygon)?;
    let mut editor = Editor::new(plan);
    let accounts = AccountSet::from_indices(selected.clone());
    let moved = editor
        .apply(EditCommand::Reassign { accounts, to: target })
        .map_err(|e| Failure::data(format!("{}: {e}", path.display())))?
        .map_or(0, |cs| cs.moved());
    let already = selected.iter().filter(|&&i| editor.plan().assignment[i as usize] == target).count() - moved;
    let locked = selected.len() - moved - already;
    plan_file::save(editor.plan(), out_path).map_err(Failure::data)?;
    let name = editor.plan().territory_name(target).to_owned();
    if as_json {
        print_json(&json!({"schema": 1, "selected": selected.len(), "moved": moved, "already_there": already,
            "locked": locked, "to": name, "out": out_path.display().to_string()}));
    } else {
        out(&format!(
            "{} accounts in the area: {moved} moved to {name}, {already} were there already, {locked} locked; wrote {}\n",
            selected.len(),
            out_path.display()
        ));
    }
    Ok(())
}

fn quality(path: &Path, kmeans: Option<usize>, seed: u64, as_json: bool) -> Result<(), Failure> {
    use crate::quality;
    let plan = load_plan(path)?;
    if let Some(k) = kmeans {
        check_against_accounts(&plan, path, "--kmeans", k)?;
    }
    let m = Metrics::recompute(&plan);
    let b = Balance::of(&plan, &m);
    let comp = quality::compactness(&plan);
    let adj = quality::adjacency(&plan.accounts);
    let pieces = quality::pieces(&plan, &adj);
    let reference = kmeans.map(|k| quality::kmeans_compactness(&plan.accounts, k, 10, seed));
    if as_json {
        let territories: Vec<Value> = plan
            .live_territories()
            .map(|(i, t)| {
                json!({"id": t.id, "name": t.name, "compactness_km": comp.by_group[i.get()], "pieces": pieces[i.get()]})
            })
            .collect();
        print_json(&json!({
            "schema": 1,
            "accounts": plan.accounts.len(),
            "compactness_km": comp.overall,
            "kmeans_compactness_km": reference,
            "territories": territories,
            "balance": {"workload_max_abs_deviation": b.workload.max_abs_deviation, "workload_cv": b.workload.cv},
        }));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = plan
        .live_territories()
        .map(|(i, t)| {
            vec![
                t.name.clone(),
                crate::format::thousands(m.territories[i.get()].accounts as i64),
                comp.by_group[i.get()].map_or("–".to_owned(), |c| format!("{c:.1}")),
                pieces[i.get()].to_string(),
            ]
        })
        .collect();
    out(&table(&["territory", "accounts", "compactness km", "pieces"], &rows));
    out(&format!("\nCompactness {:.1} km (mean distance to the territory's centre).", comp.overall));
    if let Some(r) = reference {
        out(&format!(
            " k-means reference {r:.1} km: this plan is {:.2}× it.",
            if r > 0.0 { comp.overall / r } else { 0.0 }
        ));
    }
    out(&format!(" Workload max |deviation| {:.1}%.\n", b.workload.max_abs_deviation * 100.0));
    Ok(())
}

fn import(
    csv: &Path,
    out_path: &Path,
    columns: &[String],
    decimal: Option<&str>,
    fix_coordinates: bool,
    as_json: bool,
) -> Result<(), Failure> {
    let mut opts = ImportOptions { fix_coordinates, ..ImportOptions::default() };
    if let Some(d) = decimal {
        opts.decimal = Some(d.parse::<DecimalFormat>().map_err(Failure::usage)?);
    }
    for c in columns {
        let (field, header) =
            c.split_once('=').ok_or_else(|| Failure::usage(format!("--column {c}: expected FIELD=HEADER")))?;
        let f = Field::parse(field).ok_or_else(|| {
            let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
            Failure::usage(format!("--column {c}: unknown field \"{field}\" (fields: {})", keys.join(", ")))
        })?;
        opts.columns.push((f, header.to_owned()));
    }
    let progress = std::sync::Arc::new(Progress::default());
    opts.progress = Some(progress.clone());
    let (plan, report) = with_progress("importing", &progress, || import_csv(csv, &opts))?;
    let issues = |v: &[csv_import::RowIssue]| -> Vec<Value> {
        v.iter().map(|r| json!({"line": r.line, "reason": r.reason})).collect()
    };
    let warnings: Vec<Value> = report
        .warnings
        .iter()
        .map(|w| {
            json!({"line": w.line, "id": w.id, "reason": w.reason, "lon": w.at.map(|p| p.0), "lat": w.at.map(|p| p.1)})
        })
        .collect();
    if as_json {
        print_json(&json!({
            "accepted": report.accepted,
            "rejected": issues(&report.rejected),
            "skipped": issues(&report.skipped),
            "warnings": warnings,
            "fixed": report.fixed,
            "fixable": report.fixable,
            "notes": report.notes,
        }));
    } else {
        // The report on stderr: the first rows of each kind (--json lists them all).
        const SHOWN: usize = 20;
        let list = |kind: &str, rows: &mut dyn ExactSizeIterator<Item = (u64, &str)>| {
            let n = rows.len();
            for (line, reason) in rows.take(SHOWN) {
                eprintln!("{}: line {line}: {kind}: {reason}", csv.display());
            }
            if n > SHOWN {
                eprintln!(
                    "{}: … and {} more {kind} (--json lists all)",
                    csv.display(),
                    thousands(n as i64 - SHOWN as i64)
                );
            }
        };
        list("rejected", &mut report.rejected.iter().map(|r| (r.line, r.reason.as_str())));
        list("skipped", &mut report.skipped.iter().map(|r| (r.line, r.reason.as_str())));
        list("warning", &mut report.warnings.iter().map(|r| (r.line, r.reason.as_str())));
        for note in &report.notes {
            eprintln!("{}: note: {note}", csv.display());
        }
    }
    plan_file::save(&plan, out_path).map_err(Failure::data)?;
    if !as_json {
        out(&format!(
            "imported {} accounts into {} territories ({}, {}); {} rejected, {} skipped, {} warnings{}; wrote {}\n",
            report.accepted,
            plan.territories.len(),
            match report.delimiter {
                b';' => "semicolon-delimited",
                b'\t' => "tab-delimited",
                _ => "comma-delimited",
            },
            report.decimal.unwrap_or(DecimalFormat::Point),
            report.rejected.len(),
            report.skipped.len(),
            report.warnings.len(),
            if report.fixed > 0 { format!(" ({} positions corrected)", report.fixed) } else { String::new() },
            out_path.display()
        ));
    }
    Ok(())
}

fn parse_budget(items: &[String]) -> Result<Budget, Failure> {
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

fn find_territories(plan: &Plan, path: &Path, keys: &[String]) -> Result<Vec<TerritoryIdx>, Failure> {
    keys.iter()
        .map(|key| {
            plan.find_territory(key).ok_or_else(|| {
                let names: Vec<&str> = plan.live_territories().map(|(_, t)| t.name.as_str()).collect();
                Failure::data(format!(
                    "{}: no territory \"{key}\" (the plan has: {})",
                    path.display(),
                    names.join(", ")
                ))
            })
        })
        .collect()
}

/// Reads account ids, one per line (blank lines and `#` comments skipped); every id must
/// be in the plan.
fn read_account_ids(plan: &Plan, path: Option<&Path>) -> Result<Vec<u32>, Failure> {
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

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Runs Balance or Redraw, writes the plan and prints the before/after report.
fn optimize_cli(
    plan: &Plan,
    args: &OptimizeArgs,
    run: impl FnOnce(&crate::quality::Adjacency, Option<&Progress>) -> Result<Proposal, optimize::OptimizeError>,
) -> Result<(), Failure> {
    let (out_path, tolerance, as_json) = (args.out.as_path(), args.tolerance, args.json);
    let started = std::time::Instant::now();
    let adj = crate::quality::adjacency(&plan.accounts);
    let progress = Progress::default();
    let proposal = with_progress("computing", &progress, || run(&adj, Some(&progress))).map_err(Failure::data)?;
    let seconds = started.elapsed().as_secs_f64();
    let after = proposal.apply_to(plan);
    plan_file::save(&after, out_path).map_err(Failure::data)?;
    let r = optimize::report(plan, &after, &adj, tolerance, proposal.job);
    let live_pieces = |p: &Plan, pieces: &[usize]| p.live_territories().map(|(i, _)| pieces[i.get()]).sum::<usize>();
    let (pb, pa) = (live_pieces(plan, &r.pieces_before), live_pieces(&after, &r.pieces_after));
    let (ib, ia) = (live_pieces(plan, &r.islands_before), live_pieces(&after, &r.islands_after));
    let moved_vs_bound = (r.lower_bound > 0.0).then(|| r.moved.workload / r.lower_bound);
    let moved_vs_flow = r.flow_bound.filter(|&f| f > 0.0).map(|f| r.moved.workload / f);
    if as_json {
        let side = |b: &Balance, c: &crate::quality::Compactness, pieces: usize, islands: usize, n: usize| {
            json!({
                "territories": n,
                "workload_max_abs_deviation": b.workload.max_abs_deviation,
                "workload_cv": b.workload.cv,
                "potential_max_abs_deviation": b.potential.max_abs_deviation,
                "potential_cv": b.potential.cv,
                "compactness_km": c.overall,
                "pieces": pieces,
                "pieces_beyond_one_per_island": pieces - islands.min(pieces),
            })
        };
        let territories: Vec<Value> = after
            .live_territories()
            .map(|(i, t)| {
                let s = i.get();
                let alive = plan.territories.get(s).is_some_and(|t| t.alive);
                let before = r.metrics_before.territories.get(s).filter(|_| alive);
                json!({
                    "id": t.id, "name": t.name,
                    "workload_hours_before": before.map(|b| b.workload.hours()),
                    "workload_hours": r.metrics_after.territories[s].workload.hours(),
                    "potential_before": before.map(|b| b.potential.units()),
                    "potential": r.metrics_after.territories[s].potential.units(),
                    "workload_deviation": deviation(r.metrics_after.territories[s].workload.0 as f64, r.after.workload.mean),
                    "accounts": r.metrics_after.territories[s].accounts,
                    "gained": r.gained[s], "lost": r.lost[s],
                    "pieces": r.pieces_after[s],
                    "islands": r.islands_after[s],
                    "compactness_km": r.compactness_after.by_group[s],
                })
            })
            .collect();
        print_json(&json!({
            "schema": 1,
            "tolerance": tolerance,
            "tolerance_reached": proposal.tolerance_reached,
            "stop_reasons": proposal.stop_reasons.iter().map(|r| json!({
                "kind": r.kind(),
                "detail": r.describe(&proposal.territories, tolerance),
            })).collect::<Vec<_>>(),
            "held_over_by_locks": proposal.held_over.iter().map(|h| json!({
                "id": proposal.territories[h.territory.get()].id,
                "name": proposal.territories[h.territory.get()].name,
                "dimension": if h.dimension == optimize::Target::Potential { "potential" } else { "workload" },
                "above_mean": h.above_mean,
            })).collect::<Vec<_>>(),
            "budget_exhausted": proposal.budget_exhausted,
            "before": side(&r.before, &r.compactness_before, pb, ib, plan.live_territories().count()),
            "after": side(&r.after, &r.compactness_after, pa, ia, after.live_territories().count()),
            "moved": {"accounts": r.moved_accounts, "accounts_share": r.moved.accounts,
                "workload_share": r.moved.workload, "potential_share": r.moved.potential},
            "lower_bound_workload_share": r.lower_bound,
            "moved_workload_vs_lower_bound": moved_vs_bound,
            "border_flow_bound_workload_share": r.flow_bound,
            "moved_workload_vs_border_flow_bound": moved_vs_flow,
            "territories": territories,
            "seconds": seconds,
            "out": out_path.display().to_string(),
        }));
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
