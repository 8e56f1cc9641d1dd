//! The plan file: a readable RON document, versioned separately from the model.
//!
//! Version 2 (written now, [`PlanFileV2`]): the territories as named structs, then one
//! account a line as a tuple whose fields `account_fields` names, referring to its
//! territory by id: it reads and diffs like a table, and a million accounts take
//! about 130 MB instead of 240. Version 1 files ([`PlanFileV1`], named fields per
//! account) keep loading. Optional fields carry `#[serde(default)]`.
//!
//! Speed: the canonical layout (one account a line, as [`to_ron_string`] writes) is
//! parsed in pieces on every core, and `stats` folds the rows into totals without
//! keeping them ([`load_stats`]). Any other layout that is valid RON still loads,
//! sequentially. Files are written atomically.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::format::quoted;
use crate::metrics::Metrics;

use serde::{Deserialize, Serialize};

use crate::model::{AccountRef, Accounts, Cents, Plan, Rgb, Territory, TerritoryIdx, View, limits};

/// The newest format version this program writes.
pub const CURRENT_VERSION: u32 = 2;
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
    #[error("{path}: loading cancelled")]
    Cancelled { path: String },
    #[error("{path}: written by a newer version (format {found}; this program reads up to {CURRENT_VERSION})")]
    TooNew { path: String, found: u32 },
}

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

/// The on-disk plan, version 2: accounts as rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanFileV2<'a> {
    #[serde(default = "format_name")]
    pub format: String,
    pub version: u32,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ViewRecord>,
    pub territories: Vec<TerritoryRecord>,
    #[serde(default)]
    pub account_fields: Vec<String>,
    #[serde(borrow, default)]
    pub accounts: Vec<AccountRow<'a>>,
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

fn territory_records(plan: &Plan) -> Vec<TerritoryRecord> {
    plan.live_territories()
        .map(|(_, t)| TerritoryRecord {
            id: t.id.clone(),
            name: t.name.clone(),
            color: t.color.to_hex(),
            rep: t.rep.clone(),
            rep_home: t.rep_home,
            locked: t.locked,
        })
        .collect()
}

fn territories_from(records: &[TerritoryRecord], path: &str) -> Result<Vec<Territory>, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    limits::check_territories(records.len()).map_err(invalid)?;
    let mut seen = HashMap::new();
    records
        .iter()
        .map(|t| {
            if seen.insert(t.id.as_str(), ()).is_some() {
                return Err(invalid(format!("territory id {} is used twice", quoted(&t.id))));
            }
            let color = Rgb::from_hex(&t.color).ok_or_else(|| {
                invalid(format!("territory {}: colour {} is not #rrggbb", quoted(&t.id), quoted(&t.color)))
            })?;
            if let Some((lon, lat)) = t.rep_home.filter(|&h| !crate::model::home_on_map(h)) {
                return Err(invalid(format!("territory {}: rep's home ({lon}, {lat}) is off the map", quoted(&t.id))));
            }
            Ok(Territory {
                id: t.id.clone(),
                name: t.name.clone(),
                color,
                rep: t.rep.clone(),
                rep_home: t.rep_home,
                locked: t.locked,
                alive: true,
            })
        })
        .collect()
}

/// Checks one account's position and figures against [`limits`] (positions to ±90°,
/// as older versions wrote them; imports and edits keep to the map's 85.05°).
fn check_account(id: &str, lon: f64, lat: f64, money: [i64; 2], visits: u32, minutes: u32) -> Result<(), String> {
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("account {}: coordinates ({lon}, {lat}) are out of range", quoted(id)));
    }
    let context = |e: String| format!("account {}: {e}", quoted(id));
    limits::check_money("potential", Cents(money[0])).map_err(context)?;
    limits::check_money("revenue", Cents(money[1])).map_err(context)?;
    limits::check_workload(visits, minutes).map_err(context)
}

/// Checks that the plan's totals fit ([`limits::TotalsCheck`]).
fn check_totals(accounts: &Accounts, path: &str) -> Result<(), PlanFileError> {
    let mut totals = limits::TotalsCheck::default();
    for i in 0..accounts.len() {
        totals.add(accounts.potential()[i], accounts.annual_revenue()[i], accounts.workload(i));
    }
    totals.check().map_err(|detail| PlanFileError::Invalid { path: path.to_owned(), detail })
}

/// Converts a version-1 file to the model. `path` names the file in errors.
pub fn from_file(file: PlanFileV1, path: &str) -> Result<Plan, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    let territories = territories_from(&file.territories, path)?;
    let by_id: HashMap<&str, TerritoryIdx> =
        file.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), TerritoryIdx(i as u32))).collect();
    let mut accounts = Accounts::with_capacity(file.accounts.len(), file.accounts.len() * 40);
    let mut assignment = Vec::with_capacity(file.accounts.len());
    for a in &file.accounts {
        check_account(&a.id, a.lon, a.lat, [a.potential_cents, a.revenue_cents], a.visits, a.minutes)
            .map_err(invalid)?;
        let t = match &a.territory {
            Some(id) => Some(
                *by_id
                    .get(id.as_str())
                    .ok_or_else(|| invalid(format!("account {}: unknown territory {}", quoted(&a.id), quoted(id))))?,
            ),
            None => None,
        };
        accounts.push(AccountRef {
            id: &a.id,
            name: &a.name,
            lon: a.lon,
            lat: a.lat,
            potential: Cents(a.potential_cents),
            annual_revenue: Cents(a.revenue_cents),
            visits_per_year: a.visits,
            minutes_per_visit: a.minutes,
            city: a.city.as_deref(),
            state: a.state.as_deref(),
            zip: a.zip.as_deref(),
            locked: a.locked,
        });
        assignment.push(t);
    }
    let plan = Plan {
        accounts,
        territories,
        assignment,
        currency: file.currency,
        view: file.view.map(|v| View { center_lon: v.lon, center_lat: v.lat, zoom: v.zoom }),
    };
    check_unique_ids(&plan, path)?;
    check_totals(&plan.accounts, path)?;
    Ok(plan)
}

fn check_unique_ids(plan: &Plan, path: &str) -> Result<(), PlanFileError> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(plan.accounts.len());
    for (i, a) in plan.accounts.iter().enumerate() {
        if let Some(first) = seen.insert(a.id, i) {
            return Err(PlanFileError::Invalid {
                path: path.to_owned(),
                detail: format!("account id {} appears twice (accounts #{} and #{})", quoted(a.id), first + 1, i + 1),
            });
        }
    }
    Ok(())
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

fn row_of<'a>(a: AccountRef<'a>, territory: Option<&'a str>) -> AccountRow<'a> {
    AccountRow(
        Cow::Borrowed(a.id),
        Cow::Borrowed(a.name),
        a.lon,
        a.lat,
        a.potential.0,
        a.annual_revenue.0,
        a.visits_per_year,
        a.minutes_per_visit,
        a.city.map(Cow::Borrowed),
        a.state.map(Cow::Borrowed),
        a.zip.map(Cow::Borrowed),
        territory.map(Cow::Borrowed),
        a.locked,
    )
}

/// The indentation of account rows in the canonical layout.
const ROW_INDENT: &str = "        ";
/// Where the rows start and end in the canonical layout.
const ROWS_OPEN: &str = "\n    accounts: [\n";
const ROWS_CLOSE: &str = "\n    ],\n)";

/// The plan as RON text: the territories, then one account a line.
pub fn to_ron_string(plan: &Plan) -> Result<String, ron::Error> {
    Ok(to_ron_parts(plan)?.concat())
}

/// The plan's RON text in consecutive parts (written one after another, so that a
/// large plan is never copied into one string).
pub fn to_ron_parts(plan: &Plan) -> Result<Vec<String>, ron::Error> {
    let header = PlanFileV2 {
        format: format_name(),
        version: CURRENT_VERSION,
        currency: plan.currency.clone(),
        view: plan.view.map(|v| ViewRecord { lon: v.center_lon, lat: v.center_lat, zoom: v.zoom }),
        territories: territory_records(plan),
        account_fields: ACCOUNT_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
        accounts: Vec::new(),
    };
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(2)
        .struct_names(false)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    let head = ron::ser::to_string_pretty(&header, config)?;
    let Some(cut) = head.rfind("accounts: [],") else {
        return Err(ron::Error::Message("unexpected layout of the plan header".to_owned()));
    };
    let chunks: Vec<std::ops::Range<usize>> =
        (0..plan.accounts.len()).step_by(20_000).map(|s| s..(s + 20_000).min(plan.accounts.len())).collect();
    let opts = ron_options();
    let bodies = super::parallel(&chunks, |r| -> Result<String, ron::Error> {
        let mut out = String::with_capacity(r.len() * 140);
        for i in r.clone() {
            let t = plan.assignment[i].map(|t| plan.territories[t.get()].id.as_str());
            out.push_str(ROW_INDENT);
            opts.to_writer(&mut out, &row_of(plan.accounts.get(i), t))?;
            out.push_str(",\n");
        }
        Ok(out)
    });
    let mut parts = Vec::with_capacity(bodies.len() + 2);
    parts.push(format!("{}accounts: [\n", &head[..cut]));
    for b in bodies {
        parts.push(b?);
    }
    parts.push(format!("    ],{}", &head[cut + "accounts: [],".len()..]));
    Ok(parts)
}

/// The `version` the text declares, if it can be found before the accounts.
fn sniff_version(text: &str) -> Option<u32> {
    // Bytes, not `str`: 64 KiB may end inside a multi-byte character.
    let head = &text.as_bytes()[..text.len().min(1 << 16)];
    let at = memchr::memmem::find(head, b"version:")? + "version:".len();
    let rest = head[at..].trim_ascii_start();
    let digits = &rest[..rest.iter().take_while(|b| b.is_ascii_digit()).count()];
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Splits the canonical layout into the header (with an empty account list) and the
/// rows' text; `None` for any other layout.
fn split_canonical(text: &str) -> Option<(String, &str, usize)> {
    let open = text.find(ROWS_OPEN)?;
    let close = text.rfind(ROWS_CLOSE)?;
    let rows_start = open + ROWS_OPEN.len();
    if close + 1 < rows_start {
        return None;
    }
    let header = format!("{}\n    accounts: [],{}", &text[..open], &text[close + ROWS_CLOSE.len() - 2..]);
    let first_line = text[..rows_start].bytes().filter(|&b| b == b'\n').count() + 1;
    Some((header, &text[rows_start..close + 1], first_line))
}

/// Cuts the rows' text into pieces of about 1 MB at line ends, with each piece's
/// first line number.
fn pieces(rows: &str, first_line: usize) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = first_line;
    while start < rows.len() {
        // Cut after a newline byte found in the bytes: the 1 MiB mark itself may fall
        // inside a multi-byte character, a newline never does.
        let mut end = (start + (1 << 20)).min(rows.len());
        if end < rows.len() {
            end = memchr::memchr(b'\n', &rows.as_bytes()[end..]).map_or(rows.len(), |k| end + k + 1);
        }
        out.push((&rows[start..end], line));
        line += rows[start..end].bytes().filter(|&b| b == b'\n').count();
        start = end;
    }
    out
}

fn syntax(path: &str, line_offset: usize, e: &ron::error::SpannedError) -> PlanFileError {
    let line = e.span.start.line + line_offset.saturating_sub(1);
    PlanFileError::Syntax { path: path.to_owned(), detail: format!("line {line}: {}", e.code) }
}

/// The header of a version-2 file and its rows' text (or the rows themselves, when
/// the layout is not canonical).
enum Parsed<'a> {
    Canonical { header: PlanFileV2<'static>, pieces: Vec<(&'a str, usize)> },
    Whole(PlanFileV2<'a>),
}

fn parse_v2<'a>(text: &'a str, path: &str) -> Result<Parsed<'a>, PlanFileError> {
    if let Some((header_text, rows, first_line)) = split_canonical(text)
        && let Ok(header) = ron_options().from_str::<PlanFileV2<'_>>(&header_text)
    {
        let header = PlanFileV2 { accounts: Vec::new(), ..header };
        return Ok(Parsed::Canonical { header, pieces: pieces(rows, first_line) });
    }
    let file: PlanFileV2<'_> = ron_options().from_str(text).map_err(|e| syntax(path, 1, &e))?;
    Ok(Parsed::Whole(file))
}

fn check_version(text: &str, path: &str) -> Result<u32, PlanFileError> {
    let version = sniff_version(text).unwrap_or(CURRENT_VERSION);
    if version > CURRENT_VERSION {
        return Err(PlanFileError::TooNew { path: path.to_owned(), found: version });
    }
    Ok(version)
}

/// Converts rows to accounts and owners, checking them.
fn accounts_of(
    rows: Vec<AccountRow<'_>>,
    by_id: &HashMap<&str, TerritoryIdx>,
    path: &str,
) -> Result<(Accounts, Vec<Option<TerritoryIdx>>), PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    let mut accounts = Accounts::with_capacity(rows.len(), rows.len() * 40);
    let mut owners = Vec::with_capacity(rows.len());
    for AccountRow(id, name, lon, lat, pot, rev, visits, minutes, city, state, zip, territory, locked) in rows {
        check_account(&id, lon, lat, [pot, rev], visits, minutes).map_err(invalid)?;
        let owner = match territory {
            Some(t) => Some(
                *by_id
                    .get(t.as_ref())
                    .ok_or_else(|| invalid(format!("account {}: unknown territory {}", quoted(&id), quoted(&t))))?,
            ),
            None => None,
        };
        accounts.push(AccountRef {
            id: &id,
            name: &name,
            lon,
            lat,
            potential: Cents(pot),
            annual_revenue: Cents(rev),
            visits_per_year: visits,
            minutes_per_visit: minutes,
            city: city.as_deref(),
            state: state.as_deref(),
            zip: zip.as_deref(),
            locked,
        });
        owners.push(owner);
    }
    Ok((accounts, owners))
}

fn plan_shell(header: &PlanFileV2<'_>, path: &str) -> Result<Plan, PlanFileError> {
    Ok(Plan {
        accounts: Accounts::new(),
        territories: territories_from(&header.territories, path)?,
        assignment: Vec::new(),
        currency: header.currency.clone(),
        view: header.view.map(|v| View { center_lon: v.lon, center_lat: v.lat, zoom: v.zoom }),
    })
}

/// Parses RON text of any version; `path` names the file in errors.
pub fn from_ron_str(text: &str, path: &str) -> Result<Plan, PlanFileError> {
    from_ron_str_with(text, path, None)
}

/// [`from_ron_str`], reporting progress and stopping when cancelled.
pub fn from_ron_str_with(text: &str, path: &str, progress: Option<&super::Progress>) -> Result<Plan, PlanFileError> {
    if check_version(text, path)? == 1 {
        let file: PlanFileV1 = ron_options().from_str(text).map_err(|e| syntax(path, 1, &e))?;
        return from_file(file, path);
    }
    let parsed = parse_v2(text, path)?;
    let header = match &parsed {
        Parsed::Canonical { header, .. } => header,
        Parsed::Whole(file) => file,
    };
    if header.version > CURRENT_VERSION {
        return Err(PlanFileError::TooNew { path: path.to_owned(), found: header.version });
    }
    let mut plan = plan_shell(header, path)?;
    let by_id: HashMap<&str, TerritoryIdx> =
        header.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), TerritoryIdx(i as u32))).collect();
    let parts = match &parsed {
        Parsed::Canonical { pieces, .. } => super::parallel_with(pieces, progress, |(piece, line)| {
            let text = format!("[{piece}]");
            let rows: Vec<AccountRow<'_>> = ron_options().from_str(&text).map_err(|e| syntax(path, *line, &e))?;
            accounts_of(rows, &by_id, path)
        }),
        Parsed::Whole(file) => vec![accounts_of(file.accounts.clone(), &by_id, path)],
    };
    if progress.is_some_and(super::Progress::is_cancelled) {
        return Err(PlanFileError::Cancelled { path: path.to_owned() });
    }
    for part in parts {
        let (accounts, owners) = part?;
        plan.accounts.append(accounts);
        plan.assignment.extend(owners);
    }
    check_unique_ids(&plan, path)?;
    check_totals(&plan.accounts, path)?;
    Ok(plan)
}

/// What `stats` needs of a plan, without keeping its accounts.
pub struct PlanStats {
    /// The plan's territories, currency and view; no accounts.
    pub plan: Plan,
    pub metrics: Metrics,
    pub accounts: usize,
}

/// Reads a plan and folds its accounts into totals: the memory of the file's text,
/// not of its accounts.
pub fn load_stats(path: &Path) -> Result<PlanStats, PlanFileError> {
    let text = super::read_text(path)?;
    let name = path.display().to_string();
    if check_version(&text, &name)? == 1 {
        let plan = from_ron_str(&text, &name)?;
        let metrics = Metrics::recompute(&plan);
        let accounts = plan.accounts.len();
        return Ok(PlanStats { plan, metrics, accounts });
    }
    let Parsed::Canonical { header, pieces } = parse_v2(&text, &name)? else {
        let plan = from_ron_str(&text, &name)?;
        let metrics = Metrics::recompute(&plan);
        let accounts = plan.accounts.len();
        return Ok(PlanStats { plan, metrics, accounts });
    };
    let plan = plan_shell(&header, &name)?;
    let by_id: HashMap<&str, usize> = header.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let k = plan.territories.len();
    let folded =
        super::parallel(&pieces, |(piece, line)| -> Result<(Metrics, usize, limits::TotalsCheck), PlanFileError> {
            let text = format!("[{piece}]");
            let rows: Vec<AccountRow<'_>> = ron_options().from_str(&text).map_err(|e| syntax(&name, *line, &e))?;
            let mut m = Metrics { territories: vec![Default::default(); k], unassigned: Default::default() };
            let mut totals = limits::TotalsCheck::default();
            for AccountRow(id, _, lon, lat, pot, rev, visits, minutes, _, _, _, territory, _) in &rows {
                check_account(id, *lon, *lat, [*pot, *rev], *visits, *minutes)
                    .map_err(|detail| PlanFileError::Invalid { path: name.clone(), detail })?;
                totals.add(Cents(*pot), Cents(*rev), crate::model::Minutes(i64::from(*visits) * i64::from(*minutes)));
                let slot = match territory {
                    Some(t) => {
                        &mut m.territories[*by_id.get(t.as_ref()).ok_or_else(|| PlanFileError::Invalid {
                            path: name.clone(),
                            detail: format!("account {}: unknown territory {}", quoted(id), quoted(t)),
                        })?]
                    }
                    None => &mut m.unassigned,
                };
                slot.accounts += 1;
                slot.potential.0 += pot;
                slot.annual_revenue.0 += rev;
                slot.workload.0 += i64::from(*visits) * i64::from(*minutes);
            }
            Ok((m, rows.len(), totals))
        });
    let mut metrics = Metrics { territories: vec![Default::default(); k], unassigned: Default::default() };
    let folded = folded.into_iter().collect::<Result<Vec<_>, _>>()?;
    // The totals are checked before they are added up: then no sum can wrap.
    let mut totals = limits::TotalsCheck::default();
    for (_, _, t) in &folded {
        totals.merge(*t);
    }
    totals.check().map_err(|detail| PlanFileError::Invalid { path: name.clone(), detail })?;
    let mut accounts = 0;
    for (m, n, _) in folded {
        for (a, b) in metrics.territories.iter_mut().zip(&m.territories) {
            a.merge(b);
        }
        metrics.unassigned.merge(&m.unassigned);
        accounts += n;
    }
    Ok(PlanStats { plan, metrics, accounts })
}

/// Reads a plan file.
pub fn load(path: &Path) -> Result<Plan, PlanFileError> {
    load_with(path, None)
}

/// [`load`], reporting progress and stopping when cancelled.
pub fn load_with(path: &Path, progress: Option<&super::Progress>) -> Result<Plan, PlanFileError> {
    load_fingerprinted(path, progress).map(|(plan, _)| plan)
}

/// [`load_with`], and the [`crate::recovery::fingerprint`] of the bytes it read
/// (what the recovery journal ties itself to), without reading them twice.
pub fn load_fingerprinted(path: &Path, progress: Option<&super::Progress>) -> Result<(Plan, u64), PlanFileError> {
    let text = super::read_text(path)?;
    let hash = crate::recovery::fingerprint(text.as_bytes());
    Ok((from_ron_str_with(&text, &path.display().to_string(), progress)?, hash))
}

/// Writes a plan file atomically; returns the [`crate::recovery::fingerprint`] of
/// the bytes written.
pub fn save(plan: &Plan, path: &Path) -> Result<u64, PlanFileError> {
    let parts = to_ron_parts(plan)
        .map_err(|e| PlanFileError::Invalid { path: path.display().to_string(), detail: e.to_string() })?;
    let mut hash = crate::recovery::Fingerprint::default();
    for p in &parts {
        hash.update(p.as_bytes());
    }
    super::write_atomic(path, |w| parts.iter().try_for_each(|p| w.write_all(p.as_bytes())))?;
    Ok(hash.finish())
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
        assert_eq!(plan.accounts.get(0).potential, Cents(150));
        assert_eq!(plan.currency, "USD");
    }

    #[test]
    fn errors_name_file_and_reason() {
        let err = from_ron_str("(version: 2, territories: [", "cut.ron").expect_err("truncated");
        let msg = err.to_string();
        assert!(msg.starts_with("cut.ron: line 1"), "{msg}");
        let err = from_ron_str(
            r#"(version: 1, territories: [], accounts: [(id: "A", name: "x", lon: 0.0, lat: 0.0, territory: "zz")])"#,
            "bad.ron",
        )
        .expect_err("unknown territory");
        assert!(err.to_string().contains("unknown territory \"zz\""));
        let err = from_ron_str("(version: 9, territories: [], accounts: [])", "new.ron").expect_err("newer");
        let row = r##"(version: 2, territories: [(id: "n", name: "N", color: "#00ff00")],
            accounts: [("A", "x", 0.0, 0.0, 1, 2, 3, 4, None, None, None, "q", false)])"##;
        let e = from_ron_str(row, "v2.ron").expect_err("unknown territory in a row");
        assert!(e.to_string().contains("unknown territory \"q\""), "{e}");
        assert!(matches!(err, PlanFileError::TooNew { found: 9, .. }));
    }
}
