//! CSV import of accounts, as CRMs and spreadsheets write them.
//!
//! Two stages: each raw record is validated into an account ([`crate::model::AccountRef`]) or rejected with its
//! line number and reason; good rows are kept, bad rows are listed, blank lines and a
//! trailing totals row are skipped and reported. The delimiter (`,` `;` tab), a UTF-8
//! BOM, quoting and the number format are detected per file; columns are found by
//! header synonyms in English and German, or mapped explicitly.
//!
//! The folder, in the order a file goes through it: `columns.rs` (fields, synonyms),
//! `detect.rs` (delimiter, encoding, header), `stream.rs` (reading region by region),
//! `parse.rs` (cutting at record boundaries, parsing, validating a row),
//! `duplicates.rs` (duplicate ids), `assemble.rs` (the plan and the report); options,
//! errors and the entry points are here.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::number::{DecimalFormat, looks_like_decimal_comma, parse_cents, parse_count, parse_f64};
use super::records::{Record, for_each_record};
use crate::format::quoted;
use crate::grid::Grid;
use crate::model::{AccountRef, AccountRows, Accounts, Cents, Plan, Territory, TerritoryIdx, limits, palette_color};
use crate::spatial::MAX_MERCATOR_LAT;

mod assemble;
mod columns;
mod detect;
mod duplicates;
mod parse;
mod stream;
#[cfg(test)]
mod tests;

use assemble::*;
pub use columns::*;
use detect::*;
use duplicates::*;
use parse::*;
use stream::*;

/// The file name extensions read as accounts CSV (CRM exports often come as `.txt`),
/// everywhere: the editor's Open, drop and file dialogs, and the command line.
pub const CSV_EXTENSIONS: [&str; 2] = ["csv", "txt"];

/// Whether `path` names accounts CSV rather than a plan, by its extension
/// ([`CSV_EXTENSIONS`], any case).
pub fn is_csv_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| CSV_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// How to read a file; the defaults detect everything.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force the number format instead of detecting it.
    pub decimal: Option<DecimalFormat>,
    /// Explicit column mapping: field → header as written in the file.
    pub columns: Vec<(Field, String)>,
    /// Where to report progress, and whether to stop.
    pub progress: Option<std::sync::Arc<super::Progress>>,
    /// Place rows whose coordinates look swapped or whose sign looks lost at the
    /// corrected position ([`super::geocode`]) instead of rejecting them.
    pub fix_coordinates: bool,
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    pub reason: String,
    /// The account id the row gives, when it gives one (a rejected row of an update
    /// keeps its account as it was).
    pub id: Option<String>,
}

impl RowIssue {
    /// An issue of a line that names no account (a blank line, a totals row).
    pub fn line(line: u64, reason: impl Into<String>) -> RowIssue {
        RowIssue { line, reason: reason.into(), id: None }
    }
}

/// A row imported with a warning; `at` is the account's (lon, lat) as placed, for
/// "show on map".
#[derive(Debug, Clone, PartialEq)]
pub struct RowWarning {
    pub line: u64,
    pub id: String,
    pub reason: String,
    pub at: Option<(f64, f64)>,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub accepted: usize,
    pub rejected: Vec<RowIssue>,
    pub skipped: Vec<RowIssue>,
    /// Rows imported, with something to check: a position far from every other
    /// account, a corrected position, cells missing at the end of a row.
    pub warnings: Vec<RowWarning>,
    /// Remarks on the file as a whole (a territory column that looks like something
    /// else).
    pub notes: Vec<String>,
    /// Rows placed at a corrected position (`fix_coordinates`).
    pub fixed: usize,
    /// Rows rejected only because their position looks swapped or its sign lost: what
    /// importing again with `fix_coordinates` would place.
    pub fixable: usize,
    pub delimiter: u8,
    pub decimal: Option<DecimalFormat>,
    /// Which header each field was read from.
    pub columns: Vec<(Field, String)>,
}

/// Why nothing could be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Io(#[from] super::FileError),
    #[error("{path}: the file is empty")]
    Empty { path: String },
    #[error("{path}: line {line}: {detail}")]
    Csv { path: String, line: u64, detail: String },
    #[error("{path}: no column for {} (the header has: {})", missing.iter().map(|f| f.key()).collect::<Vec<_>>().join(", "), headers.join(", "))]
    MissingColumns { path: String, missing: Vec<Field>, headers: Vec<String> },
    #[error("{path}: import cancelled")]
    Cancelled { path: String },
    #[error("{path}: column \"{header}\" (mapped to {field}) is not in the header")]
    UnknownHeader { path: String, field: Field, header: String },
    #[error("{path}: {detail}")]
    TooLarge { path: String, detail: String },
    #[error("{path}: {detail} (is the {column:?} column really the territory?)")]
    TooManyTerritories { path: String, detail: String, column: String },
}

/// Reads and imports a CSV file.
pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<(Plan, ImportReport), ImportError> {
    if let Some(parsed) = parse_file(path, opts, REGION, STREAM_FROM)? {
        return Ok(parsed.in_file_order());
    }
    let bytes = super::read_file(path)?;
    import_bytes(&bytes, &path.display().to_string(), opts)
}

fn looks_like_totals(id: &str, name: &str) -> bool {
    let n = normalize_header(&format!("{id} {name}"));
    ["total", "summe", "gesamt", "sum"].iter().any(|w| n.starts_with(w) || n.ends_with(w))
}

/// Imports CSV text. `path` names the file in messages.
pub fn import_bytes(bytes: &[u8], path: &str, opts: &ImportOptions) -> Result<(Plan, ImportReport), ImportError> {
    let parsed = parse_all(bytes, path, opts)?;
    Ok(parsed.in_file_order())
}

/// Imports CSV text with the accounts in grid order and their grid: what the editor
/// opens. Joining the parsed pieces and sorting them is one gather; the duplicate-id
/// check runs beside the grid build.
pub fn import_bytes_sorted(
    bytes: &[u8],
    path: &str,
    opts: &ImportOptions,
) -> Result<(Plan, Grid, ImportReport), ImportError> {
    let parsed = parse_all(bytes, path, opts)?;
    Ok(parsed.in_grid_order())
}

/// [`import_bytes_sorted`] of a file.
pub fn import_file_sorted(path: &Path, opts: &ImportOptions) -> Result<(Plan, Grid, ImportReport), ImportError> {
    if let Some(parsed) = parse_file(path, opts, REGION, STREAM_FROM)? {
        return Ok(parsed.in_grid_order());
    }
    let bytes = super::read_file(path)?;
    import_bytes_sorted(&bytes, &path.display().to_string(), opts)
}

impl ImportReport {
    /// Sorts the issues by line and records how many accounts were kept.
    fn finish(&mut self, accepted: usize) {
        self.skipped.sort_by_key(|s| s.line);
        self.skipped.dedup();
        self.rejected.sort_by_key(|s| s.line);
        self.warnings.sort_by_key(|s| s.line);
        self.accepted = accepted;
    }
}
