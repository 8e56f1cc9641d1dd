//! The `--json` documents, one `Serialize` struct each: the schema the README
//! documents, in one place (but `stats --json`, whose document the shapes' GeoJSON
//! carries too: it lives in [`crate::export`]). Printed through a `serde_json::Value`,
//! whose keys come out sorted, as they always have (the golden files hold the bytes).

use serde::Serialize;

use super::*;
pub(super) use crate::export::TotalsJson;

/// `select --json`.
#[derive(Serialize)]
pub(super) struct SelectJson<'a> {
    pub schema: u32,
    pub selected: TotalsJson,
    pub by_territory: Vec<SelectTerritory<'a>>,
}

#[derive(Serialize)]
pub(super) struct SelectTerritory<'a> {
    /// `None` for the unassigned accounts.
    pub id: Option<&'a str>,
    pub name: &'a str,
    #[serde(flatten)]
    pub totals: TotalsJson,
}

/// `assign --json`.
#[derive(Serialize)]
pub(super) struct AssignJson<'a> {
    pub schema: u32,
    pub selected: usize,
    pub moved: usize,
    pub already_there: usize,
    pub locked: usize,
    pub to: &'a str,
    pub out: String,
}

/// `set --json`: what was changed (the editor's words for each edit), in order.
#[derive(Serialize)]
pub(super) struct SetJson {
    pub schema: u32,
    pub changed: Vec<String>,
    pub out: String,
}

/// `map --json`.
#[derive(Serialize)]
pub(super) struct MapJson {
    pub schema: u32,
    pub out: String,
    pub bytes: usize,
}

/// `shapes --json`.
#[derive(Serialize)]
pub(super) struct ShapesJson {
    pub schema: u32,
    pub out: String,
    pub territories: usize,
    pub shared_positions: usize,
}

/// `export --json`.
#[derive(Serialize)]
pub(super) struct ExportJson {
    pub schema: u32,
    pub accounts: usize,
    pub out: String,
}

/// `import --json`.
#[derive(Serialize)]
pub(super) struct ImportJson<'a> {
    pub accepted: usize,
    pub rejected: Vec<IssueJson<'a>>,
    pub skipped: Vec<IssueJson<'a>>,
    pub warnings: Vec<WarningJson<'a>>,
    pub fixed: usize,
    pub fixable: usize,
    pub notes: &'a [String],
}

#[derive(Serialize)]
pub(super) struct IssueJson<'a> {
    pub line: u64,
    pub reason: &'a str,
}

pub(super) fn issues(rows: &[csv_import::RowIssue]) -> Vec<IssueJson<'_>> {
    rows.iter().map(|r| IssueJson { line: r.line, reason: &r.reason }).collect()
}

#[derive(Serialize)]
pub(super) struct WarningJson<'a> {
    pub line: u64,
    pub id: &'a str,
    pub reason: &'a str,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
}

/// `quality --json`.
#[derive(Serialize)]
pub(super) struct QualityJson<'a> {
    pub schema: u32,
    pub accounts: usize,
    pub compactness_km: f64,
    pub kmeans_compactness_km: Option<f64>,
    pub territories: Vec<QualityTerritory<'a>>,
    pub balance: QualityBalance,
}

#[derive(Serialize)]
pub(super) struct QualityTerritory<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub compactness_km: Option<f64>,
    pub pieces: usize,
}

#[derive(Serialize)]
pub(super) struct QualityBalance {
    pub workload_max_abs_deviation: f64,
    pub workload_cv: f64,
}

/// `balance --json` and `redraw --json`.
#[derive(Serialize)]
pub(super) struct OptimizeJson<'a> {
    pub schema: u32,
    pub tolerance: f64,
    pub tolerance_reached: bool,
    pub stop_reasons: Vec<StopReasonJson>,
    pub held_over_by_locks: Vec<HeldOverJson<'a>>,
    pub budget_exhausted: bool,
    pub before: SideJson,
    pub after: SideJson,
    pub moved: MovedJson,
    pub lower_bound_workload_share: f64,
    pub moved_workload_vs_lower_bound: Option<f64>,
    pub border_flow_bound_workload_share: Option<f64>,
    pub moved_workload_vs_border_flow_bound: Option<f64>,
    pub territories: Vec<OptimizeTerritory<'a>>,
    pub seconds: f64,
    pub out: String,
}

#[derive(Serialize)]
pub(super) struct StopReasonJson {
    pub kind: &'static str,
    pub detail: String,
}

#[derive(Serialize)]
pub(super) struct HeldOverJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub dimension: &'static str,
    pub above_mean: f64,
}

/// The plan before or after: balance, compactness and pieces.
#[derive(Serialize)]
pub(super) struct SideJson {
    pub territories: usize,
    pub workload_max_abs_deviation: f64,
    pub workload_cv: f64,
    pub potential_max_abs_deviation: f64,
    pub potential_cv: f64,
    pub compactness_km: f64,
    pub pieces: usize,
    pub pieces_beyond_one_per_island: usize,
}

#[derive(Serialize)]
pub(super) struct MovedJson {
    pub accounts: usize,
    pub accounts_share: f64,
    pub workload_share: f64,
    pub potential_share: f64,
}

#[derive(Serialize)]
pub(super) struct OptimizeTerritory<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub workload_hours_before: Option<f64>,
    pub workload_hours: f64,
    pub potential_before: Option<f64>,
    pub potential: f64,
    pub workload_deviation: Option<f64>,
    pub accounts: u64,
    pub gained: usize,
    pub lost: usize,
    pub pieces: usize,
    pub islands: usize,
    pub compactness_km: Option<f64>,
}

/// `compare --json`.
#[derive(Serialize)]
pub(super) struct CompareJson<'a> {
    pub schema: u32,
    pub a: String,
    pub b: String,
    pub moved: TotalsJson,
    pub flows: Vec<FlowJson<'a>>,
    pub territories: Vec<CompareTerritory<'a>>,
    pub only_in_a: usize,
    pub only_in_b: usize,
}

#[derive(Serialize)]
pub(super) struct FlowJson<'a> {
    /// `None` (null) for Unassigned.
    pub from: Option<&'a str>,
    pub from_name: &'a str,
    pub to: Option<&'a str>,
    pub to_name: &'a str,
    #[serde(flatten)]
    pub totals: TotalsJson,
}

#[derive(Serialize)]
pub(super) struct CompareTerritory<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub rep: Option<&'a str>,
    pub a: Option<CompareSide>,
    pub b: Option<CompareSide>,
    pub changed_share_of_workload: f64,
}

#[derive(Serialize)]
pub(super) struct CompareSide {
    pub accounts: u64,
    pub potential: f64,
    pub workload_hours: f64,
    /// The rep's capacity on this side; the deviations are against its target.
    pub capacity: f64,
    pub workload_deviation: Option<f64>,
    pub potential_deviation: Option<f64>,
}

impl From<&crate::compare::SideFigures> for CompareSide {
    fn from(f: &crate::compare::SideFigures) -> Self {
        CompareSide {
            accounts: f.totals.accounts,
            potential: f.totals.potential.units(),
            capacity: f.capacity,
            workload_hours: f.totals.workload.hours(),
            workload_deviation: f.workload_deviation,
            potential_deviation: f.potential_deviation,
        }
    }
}

/// `changes --json`.
#[derive(Serialize)]
pub(super) struct ChangesJson<'a> {
    pub schema: u32,
    pub changes: usize,
    pub territories: Vec<ChangesTerritory<'a>>,
    pub out: String,
}

#[derive(Serialize)]
pub(super) struct ChangesTerritory<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub gained: AccountsHours,
    pub lost: AccountsHours,
    pub net: NetHours,
}

#[derive(Serialize)]
pub(super) struct AccountsHours {
    pub accounts: u64,
    pub workload_hours: f64,
}

#[derive(Serialize)]
pub(super) struct NetHours {
    pub accounts: i64,
    pub workload_hours: f64,
}

/// `update --json`.
#[derive(Serialize)]
pub(super) struct UpdateJson<'a> {
    pub schema: u32,
    pub kept: usize,
    pub changed: usize,
    pub moved: usize,
    pub new: usize,
    pub removed: usize,
    pub held: usize,
    /// Accounts the baseline took from the export's territory column.
    pub taken: usize,
    pub created_territories: &'a [String],
    pub moved_accounts: Vec<RelocatedJson<'a>>,
    pub new_accounts: Vec<AccountInJson<'a>>,
    pub removed_accounts: Vec<RemovedJson<'a>>,
    pub held_accounts: Vec<HeldJson<'a>>,
    pub territories: Vec<UpdateTerritoryJson<'a>>,
    pub import: ImportJson<'a>,
}

#[derive(Serialize)]
pub(super) struct RelocatedJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub km: f64,
}

/// An account and its territory id (`None`: Unassigned).
#[derive(Serialize)]
pub(super) struct AccountInJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub territory: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct RemovedJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub territory: Option<&'a str>,
    pub potential: f64,
}

#[derive(Serialize)]
pub(super) struct HeldJson<'a> {
    pub id: &'a str,
    pub line: u64,
    pub reason: &'a str,
}

#[derive(Serialize)]
pub(super) struct UpdateTerritoryJson<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub accounts_before: u64,
    pub accounts_after: u64,
    pub workload_hours_before: f64,
    pub workload_hours_after: f64,
}
