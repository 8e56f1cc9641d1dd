//! The file's records: what version 2 and version 1 files hold, field by field.

use super::*;

/// The names of an account row's fields, in order (written into every file).
pub const ACCOUNT_FIELDS: [&str; 13] = [
    "id",
    "name",
    "lon",
    "lat",
    "potential_cents",
    "revenue_cents",
    "visits",
    "minutes",
    "city",
    "state",
    "zip",
    "territory",
    "locked",
];

/// The on-disk plan, versions 2 and 3: accounts as rows. Version 3 adds the
/// scenarios: `scenario` names the first (the baseline, whose territories and
/// assignment the rows carry; "As is" when absent), `current` the one on screen when
/// saved (the first when absent), and `scenarios` the others after the rows, each as
/// its territories and its differences from the first. A plan of one scenario writes
/// none of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFileV2<'a> {
    #[serde(default = "format_name")]
    pub format: String,
    pub version: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewRecord>,
    /// Version 4: travel in the workload, when on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel: Option<crate::model::Travel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// Version 4: the first scenario's region tree, each region naming its parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionRecord>,
    pub territories: Vec<TerritoryRecord>,
    #[serde(default)]
    pub account_fields: Vec<String>,
    #[serde(borrow, default)]
    pub accounts: Vec<AccountRow<'a>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<ScenarioRecord>,
}

/// A scenario after the first, on disk (version 3): its territories, the accounts
/// whose territory differs from the first scenario's (account id, territory id or
/// `None` for Unassigned), and the accounts locked or unlocked unlike in the first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionRecord>,
    pub territories: Vec<TerritoryRecord>,
    #[serde(default)]
    pub moves: Vec<(String, Option<String>)>,
    #[serde(default)]
    pub locked: Vec<String>,
    #[serde(default)]
    pub unlocked: Vec<String>,
}

/// One account on disk, version 2: the fields of [`ACCOUNT_FIELDS`], in order. Money
/// in integer cents, so that it round-trips exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow<'a>(
    #[serde(borrow)] pub Cow<'a, str>,
    #[serde(borrow)] pub Cow<'a, str>,
    pub f64,
    pub f64,
    pub i64,
    pub i64,
    pub u32,
    pub u32,
    #[serde(borrow)] pub Option<Cow<'a, str>>,
    #[serde(borrow)] pub Option<Cow<'a, str>>,
    #[serde(borrow)] pub Option<Cow<'a, str>>,
    #[serde(borrow)] pub Option<Cow<'a, str>>,
    #[serde(default)] pub bool,
);

/// The on-disk plan, version 1 (read only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFileV1 {
    #[serde(default = "format_name")]
    pub format: String,
    pub version: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewRecord>,
    pub territories: Vec<TerritoryRecord>,
    pub accounts: Vec<AccountRecord>,
}

pub(super) fn format_name() -> String {
    FORMAT_NAME.to_owned()
}

pub(super) fn default_currency() -> String {
    "USD".to_owned()
}

/// The saved map view.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ViewRecord {
    pub lon: f64,
    pub lat: f64,
    pub zoom: f64,
}

/// A territory on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TerritoryRecord {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rep: Option<String>,
    /// (lon, lat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rep_home: Option<(f64, f64)>,
    #[serde(default)]
    pub locked: bool,
    /// Version 4: the rep's capacity, absent for a full book (1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    /// Version 4: the id of the territory's region, absent at the top.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Version 4: where its rep starts from when travel is on and it has no home, (lon, lat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub centre: Option<(f64, f64)>,
}

/// A region on disk (version 4): its parent by id, absent at the top.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionRecord {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

/// An account on disk. Money in integer cents, so that it round-trips exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRecord {
    pub id: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
    #[serde(default)]
    pub potential_cents: i64,
    #[serde(default)]
    pub revenue_cents: i64,
    #[serde(default)]
    pub visits: u32,
    #[serde(default)]
    pub minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// The territory's id; absent for the Unassigned pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}
