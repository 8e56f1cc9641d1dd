//! The plan file: a readable RON document, versioned separately from the model.
//!
//! [`PlanFileV1`] is the on-disk shape; [`to_file`] and [`from_file`] convert to and
//! from [`Plan`]. Optional fields carry `#[serde(default)]`, so that files written by
//! an older version (without locks, reps or a view) keep loading. Accounts refer to
//! their territory by its id, so the file reads well and diffs well: one account a line.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::{Account, Cents, Plan, Rgb, Territory, TerritoryIdx, View};

/// The newest format version this program writes.
pub const CURRENT_VERSION: u32 = 1;
const FORMAT_NAME: &str = "territory-editor plan";

/// Why a plan file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error(transparent)]
    Io(#[from] super::FileError),
    #[error("{path}: {detail}")]
    Syntax { path: String, detail: String },
    #[error("{path}: {detail}")]
    Invalid { path: String, detail: String },
    #[error("{path}: written by a newer version (format {found}; this program reads up to {CURRENT_VERSION})")]
    TooNew { path: String, found: u32 },
}

/// The on-disk plan, version 1.
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

fn format_name() -> String {
    FORMAT_NAME.to_owned()
}

fn default_currency() -> String {
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

/// Converts a plan to its on-disk form (live territories only).
pub fn to_file(plan: &Plan) -> PlanFileV1 {
    PlanFileV1 {
        format: format_name(),
        version: CURRENT_VERSION,
        currency: plan.currency.clone(),
        view: plan.view.map(|v| ViewRecord { lon: v.center_lon, lat: v.center_lat, zoom: v.zoom }),
        territories: plan
            .live_territories()
            .map(|(_, t)| TerritoryRecord {
                id: t.id.clone(),
                name: t.name.clone(),
                color: t.color.to_hex(),
                rep: t.rep.clone(),
                rep_home: t.rep_home,
                locked: t.locked,
            })
            .collect(),
        accounts: plan
            .accounts
            .iter()
            .zip(&plan.assignment)
            .map(|(a, t)| AccountRecord {
                id: a.id.clone(),
                name: a.name.clone(),
                lon: a.lon,
                lat: a.lat,
                potential_cents: a.potential.0,
                revenue_cents: a.annual_revenue.0,
                visits: a.visits_per_year,
                minutes: a.minutes_per_visit,
                city: a.city.clone(),
                state: a.state.clone(),
                zip: a.zip.clone(),
                territory: t.map(|t| plan.territories[t.get()].id.clone()),
                locked: a.locked,
            })
            .collect(),
    }
}

/// Validates an on-disk plan and converts it to the model. `path` names the file in
/// errors.
pub fn from_file(file: PlanFileV1, path: &str) -> Result<Plan, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    if file.version > CURRENT_VERSION {
        return Err(PlanFileError::TooNew { path: path.to_owned(), found: file.version });
    }
    let mut by_id: HashMap<&str, TerritoryIdx> = HashMap::new();
    let mut territories = Vec::with_capacity(file.territories.len());
    for (i, t) in file.territories.iter().enumerate() {
        if by_id.insert(t.id.as_str(), TerritoryIdx(i as u32)).is_some() {
            return Err(invalid(format!("territory id \"{}\" is used twice", t.id)));
        }
        let color = Rgb::from_hex(&t.color)
            .ok_or_else(|| invalid(format!("territory \"{}\": colour \"{}\" is not #rrggbb", t.id, t.color)))?;
        territories.push(Territory {
            id: t.id.clone(),
            name: t.name.clone(),
            color,
            rep: t.rep.clone(),
            rep_home: t.rep_home,
            locked: t.locked,
            alive: true,
        });
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(file.accounts.len());
    let mut accounts = Vec::with_capacity(file.accounts.len());
    let mut assignment = Vec::with_capacity(file.accounts.len());
    for (i, a) in file.accounts.iter().enumerate() {
        if let Some(first) = seen.insert(a.id.as_str(), i) {
            return Err(invalid(format!(
                "account id \"{}\" appears twice (accounts #{} and #{})",
                a.id,
                first + 1,
                i + 1
            )));
        }
        if !(-180.0..=180.0).contains(&a.lon) || !(-90.0..=90.0).contains(&a.lat) {
            return Err(invalid(format!("account \"{}\": coordinates ({}, {}) are out of range", a.id, a.lon, a.lat)));
        }
        let t = match &a.territory {
            Some(id) => Some(
                *by_id
                    .get(id.as_str())
                    .ok_or_else(|| invalid(format!("account \"{}\": unknown territory \"{id}\"", a.id)))?,
            ),
            None => None,
        };
        accounts.push(Account {
            id: a.id.clone(),
            name: a.name.clone(),
            lon: a.lon,
            lat: a.lat,
            potential: Cents(a.potential_cents),
            annual_revenue: Cents(a.revenue_cents),
            visits_per_year: a.visits,
            minutes_per_visit: a.minutes,
            city: a.city.clone(),
            state: a.state.clone(),
            zip: a.zip.clone(),
            locked: a.locked,
        });
        assignment.push(t);
    }
    Ok(Plan {
        accounts,
        territories,
        assignment,
        currency: file.currency,
        view: file.view.map(|v| View { center_lon: v.lon, center_lat: v.lat, zoom: v.zoom }),
    })
}

/// The plan as RON text: one account or territory a line.
pub fn to_ron_string(plan: &Plan) -> Result<String, ron::Error> {
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(2)
        .struct_names(false)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    ron::ser::to_string_pretty(&to_file(plan), config)
}

/// Parses RON text; `path` names the file in errors.
pub fn from_ron_str(text: &str, path: &str) -> Result<Plan, PlanFileError> {
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let file: PlanFileV1 = options
        .from_str(text)
        .map_err(|e| PlanFileError::Syntax { path: path.to_owned(), detail: format!("line {e}") })?;
    from_file(file, path)
}

/// Reads a plan file.
pub fn load(path: &Path) -> Result<Plan, PlanFileError> {
    let text = std::fs::read_to_string(path).map_err(|e| super::FileError::new(path, e))?;
    from_ron_str(&text, &path.display().to_string())
}

/// Writes a plan file atomically.
pub fn save(plan: &Plan, path: &Path) -> Result<(), PlanFileError> {
    let text = to_ron_string(plan)
        .map_err(|e| PlanFileError::Invalid { path: path.display().to_string(), detail: e.to_string() })?;
    super::write_atomic(path, |w| w.write_all(text.as_bytes()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_older_file_loads() {
        // What a first-version file may hold at least: no view, no locks, no reps.
        let text = r##"(version: 1, territories: [(id: "n", name: "North", color: "#ff0000")],
            accounts: [(id: "A1", name: "Acme", lon: -100.0, lat: 40.0, potential_cents: 150, territory: "n"),
                       (id: "A2", name: "Beta", lon: -101.0, lat: 41.0)])"##;
        let plan = from_ron_str(text, "old.ron").expect("loads");
        assert_eq!(plan.accounts.len(), 2);
        assert_eq!(plan.assignment, vec![Some(TerritoryIdx(0)), None]);
        assert_eq!(plan.accounts[0].potential, Cents(150));
        assert_eq!(plan.currency, "USD");
    }

    #[test]
    fn errors_name_file_and_reason() {
        let err = from_ron_str("(version: 1, territories: [", "cut.ron").expect_err("truncated");
        let msg = err.to_string();
        assert!(msg.starts_with("cut.ron: line 1"), "{msg}");
        let err = from_ron_str(
            r#"(version: 1, territories: [], accounts: [(id: "A", name: "x", lon: 0.0, lat: 0.0, territory: "zz")])"#,
            "bad.ron",
        )
        .expect_err("unknown territory");
        assert!(err.to_string().contains("unknown territory \"zz\""));
        let err = from_ron_str("(version: 9, territories: [], accounts: [])", "new.ron").expect_err("newer");
        assert!(matches!(err, PlanFileError::TooNew { found: 9, .. }));
    }
}
