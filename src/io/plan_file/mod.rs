//! The plan file: a readable RON document, versioned separately from the model.
//!
//! Version 4 (written now) adds each territory's `capacity` (absent for 1.0) to
//! version 3. Version 3 adds scenarios to version 2 ([`PlanFileV2`], see there).
//! Version 2: the territories as named structs, then one
//! account a line as a tuple whose fields `account_fields` names, referring to its
//! territory by id: it reads and diffs like a table, and a million accounts take
//! about 130 MB instead of 240. Version 1 files ([`PlanFileV1`], named fields per
//! account) keep loading. Optional fields carry `#[serde(default)]`.
//!
//! Speed: the canonical layout (one account a line, as [`to_ron_string`] writes) is
//! parsed in pieces on every core, and `stats` folds the rows into totals without
//! keeping them ([`load_stats`]). Any other layout that is valid RON still loads,
//! sequentially. Files are written atomically.
//!
//! The folder: `records.rs` (what each version holds), `checks.rs` (records to a plan,
//! with the checks), `scenarios.rs` (scenarios as differences from the first),
//! `rows.rs` (the account rows of the canonical layout written and read directly,
//! exactly as `ron` would, `ron` taking over for anything else), `write.rs`, `read.rs`,
//! `stream.rs` (a large file opened region by region, never held whole); errors, load
//! and save are here.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use crate::format::quoted;
use crate::metrics::Metrics;

use serde::{Deserialize, Serialize};

use crate::model::{
    AccountRef, Accounts, Cents, Plan, Region, RegionIdx, Rgb, Territory, TerritoryIdx, View, limits, live_regions,
    region_live,
};

mod checks;
mod read;
mod records;
mod rows;
mod scenarios;
mod stream;
#[cfg(test)]
mod tests;
mod write;

pub use checks::*;
pub use read::*;
pub use records::*;
pub use write::*;

/// The newest format version this program writes.
pub const CURRENT_VERSION: u32 = 4;
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
    if let Some(loaded) = stream::load_streamed(path, progress)? {
        return Ok(loaded);
    }
    let text = super::read_text(path)?;
    let hash = crate::recovery::fingerprint(text.as_bytes());
    Ok((from_ron_str_with(&text, &path.display().to_string(), progress)?, hash))
}

/// Writes a plan file atomically; returns the [`crate::recovery::fingerprint`] of
/// the bytes written.
pub fn save(plan: &Plan, path: &Path) -> Result<u64, PlanFileError> {
    save_with(plan, path, None)
}

/// [`save`], reporting progress (the text made in parts, then each part written). It
/// is not cut short: a save, once started, writes the whole plan or nothing (a Cancel
/// before the file is replaced leaves the old file, with [`PlanFileError::Cancelled`]).
pub fn save_with(plan: &Plan, path: &Path, progress: Option<&super::Progress>) -> Result<u64, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.display().to_string(), detail };
    let parts = write::to_ron_parts_with(plan, progress).map_err(|e| invalid(e.to_string()))?;
    if progress.is_some_and(super::Progress::is_cancelled) {
        return Err(PlanFileError::Cancelled { path: path.display().to_string() });
    }
    if let Some(p) = progress {
        p.add_total(parts.len() as u64);
    }
    let mut hash = crate::recovery::Fingerprint::default();
    for p in &parts {
        hash.update(p.as_bytes());
    }
    super::write_atomic(path, |w| {
        parts.iter().try_for_each(|part| {
            w.write_all(part.as_bytes())?;
            if let Some(p) = progress {
                p.step();
            }
            Ok(())
        })
    })?;
    Ok(hash.finish())
}
