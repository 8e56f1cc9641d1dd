//! CSV import of accounts, as CRMs and spreadsheets write them.
//!
//! Two stages: each raw record is validated into an account ([`crate::model::AccountRef`]) or rejected with its
//! line number and reason; good rows are kept, bad rows are listed, blank lines and a
//! trailing totals row are skipped and reported. The delimiter (`,` `;` tab), a UTF-8
//! BOM, quoting and the number format are detected per file; columns are found by
//! header synonyms in English and German, or mapped explicitly.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::number::{DecimalFormat, looks_like_decimal_comma, parse_cents, parse_count, parse_f64};
use super::records::{Record, for_each_record};
use crate::format::quoted;
use crate::grid::Grid;
use crate::model::{AccountRef, AccountRows, Accounts, Cents, Plan, Territory, TerritoryIdx, limits, palette_color};
use crate::spatial::MAX_MERCATOR_LAT;

/// A column the importer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Id,
    Name,
    Lat,
    Lon,
    Potential,
    AnnualRevenue,
    VisitsPerYear,
    VisitMinutes,
    City,
    State,
    Zip,
    Territory,
    Rep,
}

impl Field {
    /// Every field, in the order columns are listed.
    pub const ALL: [Field; 13] = [
        Field::Id,
        Field::Name,
        Field::Lat,
        Field::Lon,
        Field::Potential,
        Field::AnnualRevenue,
        Field::VisitsPerYear,
        Field::VisitMinutes,
        Field::City,
        Field::State,
        Field::Zip,
        Field::Territory,
        Field::Rep,
    ];

    /// Fields without which no row can be imported.
    pub const REQUIRED: [Field; 3] = [Field::Id, Field::Lat, Field::Lon];

    /// The name used on the command line (`--column lat=Breite`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Lat => "lat",
            Field::Lon => "lon",
            Field::Potential => "potential",
            Field::AnnualRevenue => "annual_revenue",
            Field::VisitsPerYear => "visits_per_year",
            Field::VisitMinutes => "visit_minutes",
            Field::City => "city",
            Field::State => "state",
            Field::Zip => "zip",
            Field::Territory => "territory",
            Field::Rep => "rep",
        }
    }

    /// Whether a row may lack this cell (short rows are taken as empty there): text
    /// that describes an account. A missing number or territory rejects the row.
    fn may_be_missing(self) -> bool {
        matches!(self, Field::Name | Field::City | Field::State | Field::Zip | Field::Rep)
    }

    /// Parses a field key (its synonyms work too).
    pub fn parse(s: &str) -> Option<Field> {
        let n = normalize_header(s);
        Field::ALL.into_iter().find(|f| normalize_header(f.key()) == n || f.synonyms().contains(&n.as_str()))
    }

    /// Normalized header names that mean this field.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Id => &[
                "id",
                "accountid",
                "accountnumber",
                "accountno",
                "customerid",
                "customerno",
                "customernumber",
                "kundennummer",
                "kundennr",
                "kdnr",
                "debitorennummer",
                "debitor",
                "crmid",
                "number",
                "nr",
            ],
            Field::Name => &[
                "name",
                "accountname",
                "company",
                "companyname",
                "customer",
                "customername",
                "firma",
                "firmenname",
                "kunde",
                "kundenname",
                "unternehmen",
                "name1",
            ],
            Field::Lat => {
                &["lat", "latitude", "billinglatitude", "shippinglatitude", "breitengrad", "breite", "geolat", "y"]
            }
            Field::Lon => &[
                "lon",
                "lng",
                "long",
                "longitude",
                "billinglongitude",
                "shippinglongitude",
                "laengengrad",
                "laenge",
                "geolon",
                "geolng",
                "x",
            ],
            Field::Potential => &[
                "potential",
                "potenzial",
                "salespotential",
                "marketpotential",
                "umsatzpotenzial",
                "umsatzpotential",
                "potentialusd",
                "potentialeur",
                "potenzialeur",
            ],
            Field::AnnualRevenue => {
                &["annualrevenue", "revenue", "umsatz", "jahresumsatz", "annualsales", "sales", "umsatzeur"]
            }
            Field::VisitsPerYear => &[
                "visitsperyear",
                "visits",
                "visitfrequency",
                "callsperyear",
                "callfrequency",
                "calls",
                "besuche",
                "besucheprojahr",
                "besuchsfrequenz",
                "besuchehaeufigkeit",
            ],
            Field::VisitMinutes => &[
                "visitminutes",
                "minutespervisit",
                "visitduration",
                "visitlength",
                "callduration",
                "callminutes",
                "besuchsdauer",
                "besuchsdauermin",
                "minutenprobesuch",
                "dauer",
            ],
            Field::City => &["city", "billingcity", "shippingcity", "town", "ort", "stadt"],
            Field::State => {
                &["state", "billingstate", "billingstateprovince", "stateprovince", "province", "bundesland"]
            }
            Field::Zip => &[
                "zip",
                "zipcode",
                "postalcode",
                "billingpostalcode",
                "billingzippostalcode",
                "postcode",
                "plz",
                "postleitzahl",
            ],
            Field::Territory => &["territory", "territoryname", "salesterritory", "gebiet", "verkaufsgebiet", "bezirk"],
            Field::Rep => {
                &["rep", "salesrep", "accountowner", "owner", "ownername", "aussendienst", "vertreter", "betreuer"]
            }
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Lower case, umlauts spelled out, letters and digits only: `Billing Latitude`,
/// `billing_latitude` and `BILLING-LATITUDE` all become `billinglatitude`.
pub fn normalize_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim_start_matches('\u{feff}').chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
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

/// The delimiter that splits the header line into the most fields, outside quotes.
fn detect_delimiter(text: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b',', b';', b'\t'];
    let mut in_quotes = false;
    for &b in text {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            _ if !in_quotes => {
                if let Some(i) = candidates.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], usize::MAX - i)).unwrap_or(0);
    candidates[best]
}

/// Line numbers (1-based) of empty lines outside quoted fields.
fn blank_lines(text: &[u8]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut line = 1u64;
    let mut line_empty = true;
    for &b in text {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                line_empty = false;
            }
            b'\n' => {
                if line_empty && !in_quotes {
                    out.push(line);
                }
                line += 1;
                if !in_quotes {
                    line_empty = true;
                }
            }
            b'\r' => {}
            _ => line_empty = false,
        }
    }
    out
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

/// Bytes of a file read and parsed as one piece.
const REGION: usize = 2 << 20;
/// Files from this size on are parsed as they are read.
const STREAM_FROM: u64 = 32 << 20;
/// The start of a file read for its header.
const HEAD: usize = 1 << 20;

std::thread_local! {
    /// Each parsing thread's read buffer, reused from piece to piece.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Parses a large file as it is read, without holding it whole: the body is split into
/// regions of `region` bytes, and each thread reads a region into a buffer it reuses
/// (warm in cache, where reading the file whole into fresh memory costs a page fault
/// every 4 KB) and parses it at once. A region's records start after its first newline
/// and end at the first newline after it, on the guess that neither is inside a quoted
/// field; every piece then has an even number of quotes, which is checked. `None` when
/// this path does not apply (a small file, a byte order mark, a header longer than the
/// head, text that is not UTF-8, a guess that failed): the caller reads the file whole
/// and cuts it exactly.
fn parse_file(path: &Path, opts: &ImportOptions, region: usize, min_len: u64) -> Result<Option<Parsed>, ImportError> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e| ImportError::from(super::FileError::new(path, e));
    let len = std::fs::metadata(path).map_err(io)?.len();
    let Ok(len) = usize::try_from(len) else { return Ok(None) };
    if (len as u64) < min_len {
        return Ok(None);
    }
    let name = path.display().to_string();
    let mut head = Vec::with_capacity(HEAD.min(len));
    std::fs::File::open(path).map_err(io)?.take(HEAD.min(len) as u64).read_to_end(&mut head).map_err(io)?;
    if head.starts_with(b"\xef\xbb\xbf") {
        return Ok(None);
    }
    let (layout, report) = match read_layout(&head, &name, opts) {
        Ok(l) => l,
        Err(ParseError::NotUtf8) => return Ok(None),
        Err(ParseError::Import(e)) => return Err(e),
    };
    if layout.body_start >= head.len() || head.len() < len.min(HEAD) {
        return Ok(None);
    }
    drop(head);
    let first = layout.body_start;
    let jobs: Vec<(usize, usize)> =
        (first..len).step_by(region.max(1)).map(|a| (a, (a + region.max(1)).min(len))).collect();
    let progress = opts.progress.as_deref();
    let read_and_parse = |&(a, b): &(usize, usize)| -> std::io::Result<Piece> {
        READ_BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            buf.clear();
            let mut f = std::fs::File::open(path)?;
            f.seek(SeekFrom::Start(a as u64))?;
            (&mut f).take((b - a) as u64).read_to_end(&mut buf)?;
            // Read on to the first newline at or after `b`.
            let mut end = buf.len();
            if b < len {
                let mut from = b - a;
                loop {
                    if let Some(p) = memchr::memchr(b'\n', &buf[from..]) {
                        end = from + p + 1;
                        break;
                    }
                    from = buf.len();
                    if (&mut f).take(64 << 10).read_to_end(&mut buf)? == 0 {
                        end = buf.len();
                        break;
                    }
                }
            }
            let start = if a == first { 0 } else { memchr::memchr(b'\n', &buf[..end]).map_or(end, |p| p + 1) };
            let bytes = &buf[start..end];
            Ok(layout.parse(bytes))
        })
    };
    let results = super::parallel_with(&jobs, progress, read_and_parse);
    if results.len() < jobs.len() || progress.is_some_and(super::Progress::is_cancelled) {
        return Err(ImportError::Cancelled { path: name });
    }
    let mut pieces = Vec::with_capacity(results.len());
    for r in results {
        let piece = r.map_err(io)?;
        if piece.odd_quotes || piece.not_utf8 {
            return Ok(None);
        }
        pieces.push(piece);
    }
    match finish_parse(pieces, &layout, report) {
        Ok(parsed) => Ok(Some(parsed)),
        Err(ParseError::NotUtf8) => Ok(None),
        Err(ParseError::Import(e)) => Err(e),
    }
}

/// A file parsed into pieces, with its territories named, before the pieces are joined.
struct Parsed {
    pieces: Vec<Piece>,
    territories: Vec<Territory>,
    /// The owner of each account, piece by piece.
    owners: Vec<Vec<Option<TerritoryIdx>>>,
    /// Accounts the geocode check rejects (index across the pieces, reason).
    removed: Vec<(usize, String)>,
    report: ImportReport,
}

/// Parses a file as UTF-8 and, if any of it is not, again as Windows-1252 (Latin-1 with
/// € and typographic quotes in 0x80–0x9F), which is what Excel on Windows writes. The UTF-8 check is the CSV
/// reader's own, record by record on every core, rather than a pass of its own.
fn parse_all(bytes: &[u8], path: &str, opts: &ImportOptions) -> Result<Parsed, ImportError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match parse_text(bytes, path, opts) {
        Err(ParseError::NotUtf8) => {
            let latin: String = bytes.iter().map(|&b| windows_1252(b)).collect();
            parse_text(latin.as_bytes(), path, opts).map_err(|e| match e {
                ParseError::Import(e) => e,
                ParseError::NotUtf8 => ImportError::Csv {
                    path: path.to_owned(),
                    line: 0,
                    detail: "not readable as UTF-8 or Latin-1".to_owned(),
                },
            })
        }
        Err(ParseError::Import(e)) => Err(e),
        Ok(parsed) => Ok(parsed),
    }
}

/// A byte of Windows-1252, what Excel on a German or French Windows writes: Latin-1,
/// except 0x80–0x9F, which hold €, „, “, ”, –, —, ‰, Š, š, Ž, ž, Œ, œ, Ÿ and the like
/// (the five bytes it leaves undefined are kept as their Latin-1 control characters).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    if (0x80..0xa0).contains(&b) { HIGH[usize::from(b - 0x80)] } else { char::from(b) }
}

/// Why [`parse_text`] stopped.
enum ParseError {
    /// Some of the text is not UTF-8: try Latin-1.
    NotUtf8,
    Import(ImportError),
}

impl From<ImportError> for ParseError {
    fn from(e: ImportError) -> Self {
        ParseError::Import(e)
    }
}

fn is_utf8_error(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Utf8 { .. })
}

/// Parses text that should be UTF-8.
fn parse_text(text: &[u8], path: &str, opts: &ImportOptions) -> Result<Parsed, ParseError> {
    let (layout, report) = read_layout(text, path, opts)?;
    let body = &text[layout.body_start.min(text.len())..];
    let pieces = cut_points(body);
    let progress = opts.progress.as_deref();
    let results = super::parallel_with(&pieces, progress, |&(start, end)| layout.parse(&body[start..end]));
    if results.len() < pieces.len() || progress.is_some_and(super::Progress::is_cancelled) {
        return Err(ParseError::Import(ImportError::Cancelled { path: path.to_owned() }));
    }
    finish_parse(results, &layout, report)
}

/// What the header says about the records that follow it.
struct Layout {
    delimiter: u8,
    n_fields: usize,
    cols: Columns,
    decimal: DecimalFormat,
    /// Where the records start, in bytes.
    body_start: usize,
    /// Lines before the records.
    header_lines: u64,
    /// The file, for messages.
    path: String,
    /// [`ImportOptions::fix_coordinates`].
    fix_coordinates: bool,
}

impl Layout {
    fn parse(&self, bytes: &[u8]) -> Piece {
        parse_piece(bytes, self.delimiter, self.n_fields, &self.cols, self.decimal)
    }
}

/// Reads the header of `text` (which may hold just the start of a file): the delimiter,
/// the columns, the number format; and a report with the blank lines before the body.
fn read_layout(text: &[u8], path: &str, opts: &ImportOptions) -> Result<(Layout, ImportReport), ParseError> {
    if text.trim_ascii().is_empty() {
        return Err(ParseError::Import(ImportError::Empty { path: path.to_owned() }));
    }
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text);
    let csv_err = |e: csv::Error| {
        if is_utf8_error(&e) {
            return ParseError::NotUtf8;
        }
        let line = e.position().map_or(0, |p| p.line());
        ParseError::Import(ImportError::Csv { path: path.to_owned(), line, detail: e.to_string() })
    };
    let headers: Vec<String> = reader.headers().map_err(csv_err)?.iter().map(|h| h.trim().to_owned()).collect();

    // Map fields to columns: explicit mappings first, then synonyms.
    let mut col: HashMap<Field, usize> = HashMap::new();
    for (field, header) in &opts.columns {
        let want = normalize_header(header);
        let i = headers.iter().position(|h| h == header || normalize_header(h) == want).ok_or_else(|| {
            ImportError::UnknownHeader { path: path.to_owned(), field: *field, header: header.clone() }
        })?;
        col.insert(*field, i);
    }
    for (i, h) in headers.iter().enumerate() {
        let n = normalize_header(h);
        if col.values().any(|&c| c == i) {
            continue;
        }
        if let Some(f) = Field::ALL.into_iter().find(|f| f.synonyms().contains(&n.as_str())) {
            col.entry(f).or_insert(i);
        }
    }
    let missing: Vec<Field> = Field::REQUIRED.into_iter().filter(|f| !col.contains_key(f)).collect();
    if !missing.is_empty() {
        return Err(ParseError::Import(ImportError::MissingColumns { path: path.to_owned(), missing, headers }));
    }
    let mut cols = Columns([None; Field::ALL.len()]);
    for (f, &i) in &col {
        cols.0[*f as usize] = Some(i);
    }
    // Where the records start: after the header record.
    let mut body_start = reader.position().byte() as usize;
    // The reader stops after the `\r` of a CRLF header: the `\n` belongs to it too
    // (else the body starts with an empty line, reported as a phantom blank line).
    if body_start > 0 && text.get(body_start - 1) == Some(&b'\r') && text.get(body_start) == Some(&b'\n') {
        body_start += 1;
    }
    let body = &text[body_start.min(text.len())..];
    let header_lines = text[..body_start.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64;

    // The number format: forced, or a decimal comma in the coordinates of a file not
    // delimited by commas (judged on the first thousand records).
    let decimal = opts.decimal.unwrap_or_else(|| {
        if delimiter == b',' {
            return DecimalFormat::Point;
        }
        let mut sample =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(body);
        let comma =
            sample.records().take(1000).flatten().any(|r| {
                [Field::Lat, Field::Lon].iter().any(|f| cols.get(&r, *f).is_some_and(looks_like_decimal_comma))
            });
        if comma { DecimalFormat::Comma } else { DecimalFormat::Point }
    });

    let mut report = ImportReport {
        delimiter,
        decimal: Some(decimal),
        columns: {
            let mut c: Vec<(Field, String)> = col.iter().map(|(f, &i)| (*f, headers[i].clone())).collect();
            c.sort();
            c
        },
        ..ImportReport::default()
    };
    for line in blank_lines(&text[..body_start.min(text.len())]) {
        report.skipped.push(RowIssue { line, reason: "blank line".to_owned() });
    }
    let layout = Layout {
        delimiter,
        n_fields: headers.len(),
        cols,
        decimal,
        body_start,
        header_lines,
        path: path.to_owned(),
        fix_coordinates: opts.fix_coordinates,
    };
    Ok((layout, report))
}

/// Joins the parsed pieces of a body, in file order: line numbers (each piece counts
/// from its own start, so its first line is known once all have counted theirs), the
/// territories by first appearance. `NotUtf8` if any piece met text that is not UTF-8
/// (the only error left once records are split: quoting errors do not exist for a
/// reader that, like `csv`'s, takes any text).
fn finish_parse(mut results: Vec<Piece>, layout: &Layout, mut report: ImportReport) -> Result<Parsed, ParseError> {
    let mut offset = layout.header_lines;
    for piece in &mut results {
        piece.shift_lines(offset);
        offset += piece.newlines;
    }
    if results.iter().any(|p| p.not_utf8) {
        return Err(ParseError::NotUtf8);
    }
    for piece in &results {
        for &line in &piece.blanks {
            report.skipped.push(RowIssue { line, reason: "blank line".to_owned() });
        }
    }

    // Territories by first appearance (each piece lists its names in order of first
    // appearance), the first rep named with each, and a totals row only as the very
    // last record.
    let mut plan = Plan::default();
    let mut owners: Vec<Vec<Option<TerritoryIdx>>> = Vec::with_capacity(results.len());
    let mut territory_of: ahash::AHashMap<String, TerritoryIdx> = ahash::AHashMap::new();
    // Ids given so far, and the next suffix to try for each base: O(1) a territory,
    // whatever the names (`Plan::fresh_territory_id` scans the territories).
    let mut ids: ahash::AHashSet<String> = ahash::AHashSet::new();
    let mut next_suffix: ahash::AHashMap<String, u32> = ahash::AHashMap::new();
    let mut fresh_id = |name: &str| -> String {
        let base = crate::model::territory_id_base(name);
        let mut id = base.clone();
        if ids.contains(&id) {
            let n = next_suffix.entry(base.clone()).or_insert(2);
            loop {
                id = format!("{base}-{n}");
                *n += 1;
                if !ids.contains(&id) {
                    break;
                }
            }
        }
        ids.insert(id.clone());
        id
    };
    // The file's last record (a totals row is skipped only there).
    let last_record = results.iter().rev().find_map(|p| p.last_line);
    for piece in &mut results {
        let mut global: Vec<Option<TerritoryIdx>> = vec![None; piece.names.len()];
        for (n, name) in piece.names.iter().enumerate() {
            let Some(rep) = piece.first_rep[n] else { continue };
            let idx = match territory_of.get(name) {
                Some(&t) => t,
                None => {
                    let idx = TerritoryIdx(plan.territories.len() as u32);
                    plan.territories.push(Territory {
                        id: fresh_id(name),
                        name: name.clone(),
                        color: palette_color(plan.territories.len()),
                        rep: None,
                        rep_home: None,
                        locked: false,
                        alive: true,
                    });
                    territory_of.insert(name.clone(), idx);
                    idx
                }
            };
            global[n] = Some(idx);
            let t = &mut plan.territories[idx.get()];
            if t.rep.is_none() && rep != NO_NAME {
                t.rep = Some(piece.names[rep as usize].clone());
            }
        }
        owners.push(piece.territory.iter().map(|&t| if t == NO_NAME { None } else { global[t as usize] }).collect());
        for (line, other) in std::mem::take(&mut piece.others) {
            match other {
                Other::Blank => report.skipped.push(RowIssue { line, reason: "blank line".to_owned() }),
                Other::Rejected(reason) => report.rejected.push(RowIssue { line, reason }),
                Other::Totals if Some(line) == last_record => {
                    report.skipped.push(RowIssue { line, reason: "totals row".to_owned() })
                }
                Other::Totals => report.rejected.push(RowIssue { line, reason: "missing latitude".to_owned() }),
            }
        }
    }
    // A ZIP or account column mapped as the territory: refused beyond the ceiling,
    // remarked on from one territory per 20 accounts.
    let column = || report.columns.iter().find(|(f, _)| *f == Field::Territory).map_or(String::new(), |c| c.1.clone());
    limits::check_territories(plan.territories.len()).map_err(|detail| ImportError::TooManyTerritories {
        path: layout.path.clone(),
        detail,
        column: column(),
    })?;
    let rows: usize = results.iter().map(|p| p.accounts.len()).sum();
    if plan.territories.len() > 20 && plan.territories.len() * 20 > rows {
        report.notes.push(format!(
            "{} territories for {} accounts (more than one per 20): is the {:?} column really the territory?",
            crate::format::thousands(plan.territories.len() as i64),
            crate::format::thousands(rows as i64),
            column()
        ));
    }
    let new_of = sort_territories_by_name(&mut plan.territories);
    for owner in owners.iter_mut().flatten().flatten() {
        *owner = TerritoryIdx(new_of[owner.get()]);
    }
    let mut totals = limits::TotalsCheck::default();
    for piece in &mut results {
        totals.merge(piece.totals);
        for (line, k, reason) in std::mem::take(&mut piece.warnings) {
            let id = piece.accounts.id(k as usize).to_owned();
            let at = Some(piece.accounts.position(k as usize));
            report.warnings.push(RowWarning { line, id, reason, at });
        }
    }
    totals.check().map_err(|detail| ImportError::TooLarge { path: layout.path.clone(), detail })?;
    let mut parsed = Parsed { pieces: results, territories: plan.territories, owners, removed: Vec::new(), report };
    parsed.check_geocodes(layout.fix_coordinates);
    Ok(parsed)
}

impl Parsed {
    /// Runs the geocode check ([`super::geocode`]) over every account: swapped or
    /// sign-lost positions are corrected (`fix`) or rejected, far ones listed, rows
    /// off the map rejected unless a swap corrects them.
    fn check_geocodes(&mut self, fix: bool) {
        let n: usize = self.pieces.iter().map(|p| p.accounts.len()).sum();
        let mut positions = Vec::with_capacity(n);
        // Rows off the map are rare: the flags are made only when there is one.
        let mut off_map = Vec::new();
        let mut reasons: ahash::AHashMap<usize, String> = ahash::AHashMap::new();
        let mut starts = Vec::with_capacity(self.pieces.len());
        for p in &mut self.pieces {
            starts.push(positions.len());
            let base = positions.len();
            for (k, reason) in std::mem::take(&mut p.off_map) {
                off_map.resize(n, false);
                off_map[base + k as usize] = true;
                reasons.insert(base + k as usize, reason);
            }
            positions.extend((0..p.accounts.len()).map(|i| p.accounts.position(i)));
        }
        let findings = super::geocode::check(&positions, &off_map);
        if findings.is_empty() {
            return;
        }
        let off_map = |g: usize| off_map.get(g).copied().unwrap_or(false);
        let lines = lines_of(&self.pieces);
        for (g, finding) in findings {
            let k = starts.partition_point(|&s| s <= g) - 1;
            let (piece, i) = (&mut self.pieces[k], g - starts[k]);
            let id = piece.accounts.id(i).to_owned();
            let (lon, lat) = positions[g];
            let what = finding.describe();
            match finding.corrected() {
                Some((lon2, lat2)) if fix => {
                    piece.accounts.set_position(i, lon2, lat2);
                    let (x, y) = crate::spatial::to_mercator(lon2, lat2);
                    piece.xy[i] = [x, y];
                    self.report.fixed += 1;
                    self.report.warnings.push(RowWarning {
                        line: lines[g],
                        id,
                        reason: format!("{what}: placed at {lat2}, {lon2} instead of {lat}, {lon} (lat, lon)"),
                        at: Some((lon2, lat2)),
                    });
                }
                Some((lon2, lat2)) => {
                    self.report.fixable += 1;
                    self.removed.push((
                        g,
                        format!("{what} ({lat}, {lon} as lat, lon; {lat2}, {lon2} is among other accounts): not placed; import with --fix-coordinates (the editor's Fix) to place it there"),
                    ));
                }
                None if off_map(g) => {
                    let reason = reasons.remove(&g).unwrap_or_else(|| what.clone());
                    self.removed.push((g, reason));
                }
                None => {
                    self.report.warnings.push(RowWarning { line: lines[g], id, reason: what, at: Some((lon, lat)) })
                }
            }
        }
    }
}

impl Parsed {
    /// The accounts in file order, duplicates removed.
    fn in_file_order(self) -> (Plan, ImportReport) {
        let Parsed { pieces, territories, owners, removed, mut report } = self;
        let duplicate = duplicates(&pieces);
        let lines = lines_of(&pieces);
        let rows = lines.len();
        let identity: Vec<u32> = (0..rows as u32).collect();
        let accounts = Accounts::gather_rows(pieces.into_iter().map(|p| p.accounts).collect(), &identity);
        let assignment = owners.into_iter().flatten().collect();
        let mut plan = Plan { accounts, territories, assignment, ..Plan::default() };
        // Rows the geocode check rejects; then duplicate ids: the first one wins,
        // later ones are rejected.
        if !duplicate.is_empty() || !removed.is_empty() {
            let mut keep = vec![true; rows];
            for (i, reason) in removed {
                keep[i] = false;
                report.rejected.push(RowIssue { line: lines[i], reason });
            }
            for &(i, first) in &duplicate {
                if !keep[i] {
                    continue;
                }
                keep[i] = false;
                report.rejected.push(RowIssue {
                    line: lines[i],
                    reason: format!("duplicate id {} (first on line {})", quoted(plan.accounts.id(i)), lines[first]),
                });
            }
            plan.accounts.retain_flagged(&keep);
            let mut k = keep.iter();
            plan.assignment.retain(|_| k.next().copied().unwrap_or(true));
        }
        report.finish(plan.accounts.len());
        (plan, report)
    }

    /// The accounts in grid order and their grid. The duplicate check (one thread)
    /// runs beside the projection and grid build (the other); with duplicates, which
    /// are rare, the file-order path is taken and then sorted.
    fn in_grid_order(self) -> (Plan, Grid, ImportReport) {
        let ((grid, order), duplicate) = crate::both(
            || {
                let mut points: Vec<[f64; 2]> = Vec::with_capacity(self.pieces.iter().map(|p| p.xy.len()).sum());
                for p in &self.pieces {
                    points.extend_from_slice(&p.xy);
                }
                Grid::build(&points, crate::grid::PER_CELL)
            },
            || duplicates(&self.pieces),
        );
        if !duplicate.is_empty() || !self.removed.is_empty() {
            let (plan, report) = self.in_file_order();
            let (plan, grid) = crate::grid::sort_plan(plan);
            return (plan, grid, report);
        }
        let Parsed { pieces, territories, owners, removed: _, mut report } = self;
        let parts: Vec<AccountRows> = pieces.into_iter().map(|p| p.accounts).collect();
        let (accounts, assignment) = crate::both(
            || Accounts::gather_rows(parts, &order),
            || {
                let all: Vec<Option<TerritoryIdx>> = owners.into_iter().flatten().collect();
                order.iter().map(|&i| all[i as usize]).collect::<Vec<_>>()
            },
        );
        let plan = Plan { accounts, territories, assignment, ..Plan::default() };
        report.finish(plan.accounts.len());
        (plan, grid, report)
    }
}

/// The line of every account, pieces joined.
fn lines_of(pieces: &[Piece]) -> Vec<u64> {
    pieces.iter().flat_map(|p| p.lines.iter().copied()).collect()
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

/// Puts the territories in name order ("Band 2" before "Band 10"), renumbering the
/// assignment: a stable, findable order for the balance panel and the number keys.
fn sort_territories_by_name(territories: &mut Vec<Territory>) -> Vec<u32> {
    let key = |name: &str| -> (Vec<(String, u64)>, String) {
        // Natural order: runs of digits compare as numbers.
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut num: Option<u64> = None;
        for c in name.to_lowercase().chars() {
            match (c.to_digit(10), num) {
                (Some(d), Some(n)) => num = Some(n.saturating_mul(10).saturating_add(u64::from(d))),
                (Some(d), None) => num = Some(u64::from(d)),
                (None, Some(n)) => {
                    parts.push((std::mem::take(&mut text), n));
                    num = None;
                    text.push(c);
                }
                (None, None) => text.push(c),
            }
        }
        parts.push((text, num.unwrap_or(0)));
        (parts, name.to_owned())
    };
    let mut order: Vec<usize> = (0..territories.len()).collect();
    order.sort_by_cached_key(|&i| key(&territories[i].name));
    let mut new_of = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new as u32;
    }
    if order.iter().enumerate().any(|(new, &old)| new != old) {
        let mut slots: Vec<Option<Territory>> = std::mem::take(territories).into_iter().map(Some).collect();
        *territories = order.iter().filter_map(|&old| slots[old].take()).collect();
        for (i, t) in territories.iter_mut().enumerate() {
            t.color = palette_color(i);
        }
    }
    new_of
}

/// Field → column index.
struct Columns([Option<usize>; Field::ALL.len()]);

impl Columns {
    #[inline]
    fn get<'r>(&self, rec: &'r csv::StringRecord, f: Field) -> Option<&'r str> {
        self.0[f as usize].and_then(|i| rec.get(i)).map(trim)
    }

    /// Every field of a record, trimmed (`""` where absent).
    #[inline]
    fn all<'r>(&self, rec: &Record<'r>) -> [&'r str; Field::ALL.len()] {
        let mut out = [""; Field::ALL.len()];
        for (o, c) in out.iter_mut().zip(&self.0) {
            if let Some(v) = c.and_then(|i| rec.get(i)) {
                *o = trim(v);
            }
        }
        out
    }
}

/// `str::trim`, with a shortcut for the usual field that starts and ends with a
/// visible ASCII character.
#[inline]
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// A territory or rep name that is absent.
const NO_NAME: u32 = u32::MAX;

/// A record that is not an account.
enum Other {
    Blank,
    Totals,
    Rejected(String),
}

/// What one piece of the file holds, in file order.
struct Piece {
    accounts: AccountRows,
    /// The line of each account.
    lines: Vec<u64>,
    /// The hash of each account's id by [`id_hasher`].
    hashes: Vec<u64>,
    /// The Web Mercator position of each account (projected here, on every core).
    xy: Vec<[f64; 2]>,
    /// Each account's territory name (an index into `names`, or [`NO_NAME`]).
    territory: Vec<u32>,
    /// Territory and rep names, each once, in order of first appearance.
    names: Vec<String>,
    /// For a name used as a territory: the first rep named with it ([`NO_NAME`] if none
    /// yet); `None` for names used only as reps.
    first_rep: Vec<Option<u32>>,
    /// Blank, totals and rejected records, with their lines.
    others: Vec<(u64, Other)>,
    /// The line of the piece's last record.
    last_line: Option<u64>,
    /// Empty lines outside quoted fields.
    blanks: Vec<u64>,
    /// Newlines in the piece.
    newlines: u64,
    /// Some record is not UTF-8.
    not_utf8: bool,
    /// Accounts whose position as written is off the map (local index, reason): the
    /// geocode check corrects or rejects them.
    off_map: Vec<(u32, String)>,
    /// Rows imported with a warning (line, account index in the piece, reason).
    warnings: Vec<(u64, u32, String)>,
    /// The sums that must fit in `i64`.
    totals: limits::TotalsCheck,
    /// The piece has an odd number of quotes: it was cut inside a quoted field.
    odd_quotes: bool,
}

impl Piece {
    /// Adds `offset` to every line number.
    fn shift_lines(&mut self, offset: u64) {
        let warnings = self.warnings.iter_mut().map(|(l, _, _)| l);
        for l in
            self.lines.iter_mut().chain(&mut self.blanks).chain(self.others.iter_mut().map(|(l, _)| l)).chain(warnings)
        {
            *l += offset;
        }
        if let Some(l) = &mut self.last_line {
            *l += offset;
        }
    }
}

/// Cuts the body into pieces of about 4 MB (at least one per core) at record
/// boundaries, newlines outside quotes: the quotes of each region are counted in
/// parallel, so that the parity at each region's start is known, and each cut is the
/// first such newline from there. Returns (start, end) byte ranges.
fn cut_points(body: &[u8]) -> Vec<(usize, usize)> {
    cut_points_every(body, (body.len() / 48).max(1 << 20))
}

/// [`cut_points`] with regions of `size` bytes.
fn cut_points_every(body: &[u8], size: usize) -> Vec<(usize, usize)> {
    let regions: Vec<(usize, usize)> =
        (0..body.len()).step_by(size.max(1)).map(|s| (s, (s + size).min(body.len()))).collect();
    let quotes = super::parallel(&regions, |&(s, e)| memchr::memchr_iter(b'"', &body[s..e]).count());
    let mut cuts = vec![0usize];
    let mut odd = false;
    for (k, &(s, _)) in regions.iter().enumerate().skip(1) {
        odd ^= quotes[k - 1] % 2 == 1;
        // The first newline outside quotes from `s`, given the parity there.
        let mut in_quotes = odd;
        let mut cut = body.len();
        for i in memchr::memchr2_iter(b'"', b'\n', &body[s..]) {
            if body[s + i] == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                cut = s + i + 1;
                break;
            }
        }
        if cut > *cuts.last().unwrap_or(&0) {
            cuts.push(cut);
        }
    }
    if *cuts.last().unwrap_or(&0) < body.len() || cuts.len() == 1 {
        cuts.push(body.len());
    }
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Parses and validates one piece of records straight into columns.
fn parse_piece(bytes: &[u8], delimiter: u8, n_fields: usize, cols: &Columns, decimal: DecimalFormat) -> Piece {
    let rows_guess = bytes.len() / 100;
    let mut piece = Piece {
        accounts: AccountRows::with_capacity(rows_guess, bytes.len() / 2),
        lines: Vec::with_capacity(rows_guess),
        hashes: Vec::with_capacity(rows_guess),
        xy: Vec::with_capacity(rows_guess),
        territory: Vec::with_capacity(rows_guess),
        names: Vec::new(),
        first_rep: Vec::new(),
        others: Vec::new(),
        last_line: None,
        blanks: Vec::new(),
        newlines: 0,
        not_utf8: false,
        odd_quotes: false,
        off_map: Vec::new(),
        warnings: Vec::new(),
        totals: limits::TotalsCheck::default(),
    };
    let mut name_idx: ahash::AHashMap<String, u32> = ahash::AHashMap::new();
    let hasher = id_hasher();
    let each = |line: u64, rec: &Record<'_>| {
        piece.last_line = Some(line);
        if rec.iter().all(|v| trim(v).is_empty()) {
            piece.others.push((line, Other::Blank));
            return;
        }
        let fields = cols.all(rec);
        let get = |f: Field| fields[f as usize];
        if get(Field::Lat).is_empty()
            && get(Field::Lon).is_empty()
            && looks_like_totals(get(Field::Id), get(Field::Name))
        {
            piece.others.push((line, Other::Totals));
            return;
        }
        if rec.len() > n_fields {
            let reason = format!("{} fields, but the header has {n_fields} (an unquoted delimiter?)", rec.len());
            piece.others.push((line, Other::Rejected(reason)));
            return;
        }
        // A short row: its missing cells are taken as empty only when they are text
        // that may be empty anyway; a missing number or territory rejects the row.
        let mut short = None;
        if rec.len() < n_fields {
            let missing: Vec<Field> =
                Field::ALL.into_iter().filter(|&f| cols.0[f as usize].is_some_and(|c| c >= rec.len())).collect();
            let what = missing.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ");
            let counts = format!("{} of {n_fields} fields", rec.len());
            if missing.iter().any(|f| !f.may_be_missing()) {
                piece.others.push((line, Other::Rejected(format!("{counts}: no {what}"))));
                return;
            }
            if !missing.is_empty() {
                short = Some(format!("{counts}: {what} taken as empty"));
            }
        }
        match validate_row(&get, decimal) {
            Err(reason) => piece.others.push((line, Other::Rejected(reason))),
            Ok(Validated { account, out_of_range }) => {
                let k = piece.accounts.len() as u32;
                if let Some(reason) = out_of_range {
                    piece.off_map.push((k, reason));
                }
                if let Some(reason) = short {
                    piece.warnings.push((line, k, reason));
                }
                piece.totals.add(account.potential, account.annual_revenue, account.workload());
                let mut intern = |v: &str| -> u32 {
                    if v.is_empty() {
                        return NO_NAME;
                    }
                    if let Some(&k) = name_idx.get(v) {
                        return k;
                    }
                    let k = piece.names.len() as u32;
                    piece.names.push(v.to_owned());
                    piece.first_rep.push(None);
                    name_idx.insert(v.to_owned(), k);
                    k
                };
                let t = intern(get(Field::Territory));
                let rep = intern(get(Field::Rep));
                if t != NO_NAME {
                    let first = &mut piece.first_rep[t as usize];
                    if first.is_none_or(|r| r == NO_NAME) {
                        *first = Some(rep);
                    }
                }
                piece.hashes.push(hasher.hash_one(account.id));
                let (x, y) = crate::spatial::to_mercator(account.lon, account.lat);
                piece.xy.push([x, y]);
                piece.accounts.push(account);
                piece.lines.push(line);
                piece.territory.push(t);
            }
        }
    };
    match for_each_record(bytes, delimiter, each) {
        Ok(lines) => {
            piece.blanks = lines.blanks;
            piece.newlines = lines.newlines;
            piece.odd_quotes = lines.odd_quotes;
        }
        Err(_) => piece.not_utf8 = true,
    }
    piece
}

/// The hasher of ids that [`duplicates`] buckets and looks them up by (fixed seeds:
/// every piece must hash alike).
fn id_hasher() -> ahash::RandomState {
    ahash::RandomState::with_seeds(1, 2, 3, 4)
}

/// Accounts whose id an earlier account already has: (index, index of the first),
/// indices counted across the pieces, in index order. The ids are looked up by their
/// hash (by [`id_hasher`], computed while parsing) and compared on a hit. The (hash, index) pairs
/// are first partitioned by the hash's top byte, in index order, so that each of the
/// 256 buckets is checked with a small map that stays in cache; the buckets are split
/// over two threads.
fn duplicates(pieces: &[Piece]) -> Vec<(usize, usize)> {
    let mut starts = Vec::with_capacity(pieces.len());
    let mut n = 0;
    for p in pieces {
        starts.push(n);
        n += p.hashes.len();
    }
    let id = |g: usize| {
        let k = starts.partition_point(|&s| s <= g) - 1;
        pieces[k].accounts.id(g - starts[k])
    };
    let hashes = || pieces.iter().flat_map(|p| p.hashes.iter().copied());
    let mut bucket_start = [0usize; 257];
    for h in hashes() {
        bucket_start[(h >> 56) as usize + 1] += 1;
    }
    for b in 0..256 {
        bucket_start[b + 1] += bucket_start[b];
    }
    let mut next = bucket_start;
    let mut pairs = vec![(0u64, 0u32); n];
    for (i, h) in hashes().enumerate() {
        let b = (h >> 56) as usize;
        pairs[next[b]] = (h, i as u32);
        next[b] += 1;
    }
    let check = |buckets: std::ops::Range<usize>| {
        let mut first: ahash::AHashMap<u64, u32> = ahash::AHashMap::new();
        // Ids that share a hash with a different id, by text (practically never used).
        let mut collided: ahash::AHashMap<&str, usize> = ahash::AHashMap::new();
        let mut out = Vec::new();
        for b in buckets {
            first.clear();
            for &(h, i) in &pairs[bucket_start[b]..bucket_start[b + 1]] {
                let i = i as usize;
                match first.entry(h) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(i as u32);
                    }
                    std::collections::hash_map::Entry::Occupied(e) => {
                        let j = *e.get() as usize;
                        if id(j) == id(i) {
                            out.push((i, j));
                        } else if let Some(&k) = collided.get(id(i)) {
                            out.push((i, k));
                        } else {
                            collided.insert(id(i), i);
                        }
                    }
                }
            }
        }
        out
    };
    // A small file is checked on this thread; a large one on two.
    let (mut a, b) =
        if n < 50_000 { (check(0..128), check(128..256)) } else { crate::both(|| check(0..128), || check(128..256)) };
    a.extend(b);
    a.sort_unstable();
    a
}

fn validate_row<'a>(get: &impl Fn(Field) -> &'a str, decimal: DecimalFormat) -> Result<Validated<'a>, String> {
    let id = get(Field::Id);
    if id.is_empty() {
        return Err("missing id".to_owned());
    }
    let coord = |f: Field, what: &str| -> Result<f64, String> {
        let s = get(f);
        if s.is_empty() {
            return Err(format!("missing {what}"));
        }
        parse_f64(s, decimal).ok_or_else(|| format!("{what} {} is not a number ({decimal})", quoted(s)))
    };
    let lat = coord(Field::Lat, "latitude")?;
    let lon = coord(Field::Lon, "longitude")?;
    // A row out of range may be a swapped one: the geocode check decides
    // ([`super::geocode`]), so it is kept here with its reason.
    let mut out_of_range = None;
    if lat.abs() > 90.0 {
        out_of_range = Some(format!("latitude {lat} is out of range (±90)"));
    } else if lon.abs() > 180.0 {
        out_of_range = Some(format!("longitude {lon} is out of range (±180)"));
    } else if lat.abs() > MAX_MERCATOR_LAT {
        out_of_range = Some(format!("latitude {lat} is beyond the map's ±85.05° limit"));
    }
    if super::geocode::is_null_island(lon, lat) {
        return Err(format!("no geocode: 0, 0 (lat {lat}, lon {lon}: what a failed geocoder leaves)"));
    }
    let money = |f: Field, what: &str| -> Result<Cents, String> {
        match get(f) {
            "" => Ok(Cents(0)),
            s => parse_cents(s, decimal)
                .map(Cents)
                .ok_or_else(|| format!("{what} {} is not a number ({decimal})", quoted(s))),
        }
    };
    let count = |f: Field, what: &str| -> Result<u32, String> {
        match get(f) {
            "" => Ok(0),
            s => parse_count(s, decimal)
                .ok_or_else(|| format!("{what} {} is not a whole number ≥ 0 ({decimal})", quoted(s))),
        }
    };
    let text = |f: Field| Some(get(f)).filter(|s| !s.is_empty());
    let potential = money(Field::Potential, "potential")?;
    let annual_revenue = money(Field::AnnualRevenue, "annual revenue")?;
    let visits_per_year = count(Field::VisitsPerYear, "visits per year")?;
    let minutes_per_visit = count(Field::VisitMinutes, "minutes per visit")?;
    limits::check_money("potential", potential)?;
    limits::check_money("annual revenue", annual_revenue)?;
    limits::check_workload(visits_per_year, minutes_per_visit)?;
    let account = AccountRef {
        id,
        name: text(Field::Name).unwrap_or(id),
        lon,
        lat,
        potential,
        annual_revenue,
        visits_per_year,
        minutes_per_visit,
        city: text(Field::City),
        state: text(Field::State),
        zip: text(Field::Zip),
        locked: false,
    };
    Ok(Validated { account, out_of_range })
}

/// A row that passed validation; `out_of_range` when its position is off the map
/// as written (the geocode check may still find it swapped, or rejects it).
struct Validated<'a> {
    account: AccountRef<'a>,
    out_of_range: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file parsed as it is read, in regions of a few bytes (so that cuts land
    /// everywhere), gives what parsing its bytes gives; where a guessed cut falls
    /// inside a quoted field, it declines and the exact path takes over.
    #[test]
    fn files_parsed_as_read_equal_bytes_parsed() {
        let dir = std::env::temp_dir().join(format!("te-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let plain = "id,name,lat,lon,potential,territory,rep\n\
            A1,Alpha,40.1,-100.2,1000,North,Ann\n\
            A2,\"Beta, Inc.\",41.2,-101.3,2000,South,\n\
            \n\
            A3,Gamma,,,,North,Bob\n\
            A1,Again,42.0,-99.0,5,North,\n\
            A4,Delta,43.5,-98.1,4000,,\n\
            Total,,,,7005,,\n";
        let multiline = "id,name,lat,lon\nB1,\"two\nlines\",40,-100\nB2,\"x\",41,-101\nB3,\"three\n\nlines\",42,-102\n";
        let crlf = plain.replace('\n', "\r\n");
        for (k, text) in [plain, multiline, crlf.as_str()].into_iter().enumerate() {
            let path = dir.join(format!("f{k}.csv"));
            std::fs::write(&path, text).expect("written");
            let (want, want_report) =
                import_bytes(text.as_bytes(), &path.display().to_string(), &ImportOptions::default()).expect("imports");
            if k == 0 {
                // After a blank line, the next record's line is still its own.
                let a3 = RowIssue { line: 5, reason: "missing latitude".to_owned() };
                assert!(want_report.rejected.contains(&a3), "{:?}", want_report.rejected);
                assert_eq!(want_report.skipped.last().map(|s| s.line), Some(8), "the totals row");
            }
            let mut streamed = 0;
            for region in 1..=text.len() {
                let Some(parsed) = parse_file(&path, &ImportOptions::default(), region, 0).expect("reads") else {
                    continue;
                };
                streamed += 1;
                let (plan, report) = parsed.in_file_order();
                assert_eq!(plan, want, "region {region}");
                assert_eq!(report.rejected, want_report.rejected, "region {region}");
                assert_eq!(report.skipped, want_report.skipped, "region {region}");
            }
            assert!(streamed > 0, "file {k} was parsed as read at some region size");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    proptest::proptest! {
        /// Cuts fall on record boundaries whatever the region size: quoted newlines,
        /// doubled quotes and blank lines included, the pieces hold the records whole.
        #[test]
        fn cuts_keep_records_whole(
            rows in proptest::collection::vec(("[a-z]{0,3}", proptest::bool::ANY, proptest::bool::ANY), 1..40),
            size in 1usize..64,
        ) {
            let mut body = String::new();
            for (text, quoted, blank) in &rows {
                if *quoted {
                    body.push_str(&format!("\"{text}\n\"\"x\",1\n"));
                } else {
                    body.push_str(&format!("{text},1\n"));
                }
                if *blank {
                    body.push('\n');
                }
            }
            let records = |b: &[u8]| -> Vec<csv::ByteRecord> {
                let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(b);
                reader.byte_records().flatten().collect()
            };
            let whole = records(body.as_bytes());
            let cuts = cut_points_every(body.as_bytes(), size);
            proptest::prop_assert_eq!(cuts.first().map(|c| c.0), Some(0));
            proptest::prop_assert_eq!(cuts.last().map(|c| c.1), Some(body.len()));
            let mut joined = Vec::new();
            for &(a, b) in &cuts {
                proptest::prop_assert!(a < b);
                proptest::prop_assert!(a == 0 || body.as_bytes()[a - 1] == b'\n');
                joined.extend(records(&body.as_bytes()[a..b]));
            }
            proptest::prop_assert_eq!(joined, whole);
            let blanks: usize = cuts
                .iter()
                .map(|&(a, b)| for_each_record(&body.as_bytes()[a..b], b',', |_, _| {}).map_or(0, |l| l.blanks.len()))
                .sum();
            proptest::prop_assert_eq!(blanks, rows.iter().filter(|r| r.2).count());
        }
    }

    #[test]
    fn headers_normalize() {
        assert_eq!(normalize_header("Billing Latitude"), "billinglatitude");
        assert_eq!(normalize_header("Längengrad"), "laengengrad");
        assert_eq!(Field::parse("Kundennummer"), Some(Field::Id));
        assert_eq!(Field::parse("visits_per_year"), Some(Field::VisitsPerYear));
        assert_eq!(Field::parse("nonsense"), None);
    }

    #[test]
    fn delimiter_and_blank_lines() {
        assert_eq!(detect_delimiter(b"a;b;c\n1;2;3"), b';');
        assert_eq!(detect_delimiter(b"a\tb\n"), b'\t');
        assert_eq!(detect_delimiter(b"\"x;y\",b,c\n"), b',');
        assert_eq!(blank_lines(b"a\n\nb\n\"x\n\ny\"\n"), vec![2]);
    }

    /// A file that is not UTF-8 anywhere (here in its last record) is read as Latin-1,
    /// all of it; a UTF-8 file keeps its accents.
    #[test]
    fn latin1_files_are_read_whole() {
        let mut bytes = "id;name;lat;lon\n1;Caf\u{e9} M\u{fc}ller;48.1;11.5\n".as_bytes().to_vec();
        let (plan, _) = import_bytes(&bytes, "utf8.csv", &ImportOptions::default()).expect("imports");
        assert_eq!(plan.accounts.get(0).name, "Caf\u{e9} M\u{fc}ller");
        bytes.extend_from_slice(b"2;B\xe4cker;48.2;11.6\n");
        let (plan, report) = import_bytes(&bytes, "latin1.csv", &ImportOptions::default()).expect("imports");
        assert_eq!(report.accepted, 2);
        assert_eq!(plan.accounts.get(1).name, "B\u{e4}cker");
        // The first record's UTF-8 bytes, read as Latin-1, as the whole file is.
        assert_eq!(plan.accounts.get(0).name, "Caf\u{c3}\u{a9} M\u{c3}\u{bc}ller");
    }

    /// Windows-1252's own characters (0x80–0x9F) come through as what Excel meant:
    /// byte values from the code page's published table.
    #[test]
    fn windows_1252_files_keep_euro_signs_and_quotes() {
        let bytes = b"id;name;lat;lon
1;\x84M\xfcller\x93 \x96 \x80 \x8a\x9e\x9f;48,1;11,5
"
        .to_vec();
        let (plan, report) = import_bytes(&bytes, "cp1252.csv", &ImportOptions::default()).expect("imports");
        assert_eq!(report.accepted, 1);
        assert_eq!(plan.accounts.get(0).name, "\u{201e}M\u{fc}ller\u{201c} \u{2013} \u{20ac} \u{160}\u{17e}\u{178}");
    }

    #[test]
    fn german_file() {
        let text = "Kundennummer;Firma;Breitengrad;Längengrad;Potenzial\n\
                    K1;Müller GmbH;48,137;11,575;1.234.000,00\n\
                    K2;\"Schmidt; Söhne\";52,52;13,405;12,5\n\
                    K3;Kaputt;abc;13,4;1\n\
                    K1;Doppelt;50,0;10,0;1\n\
                    Summe;;;;1.234.012,50\n";
        let (plan, report) = import_bytes(text.as_bytes(), "de.csv", &ImportOptions::default()).expect("imports");
        assert_eq!(report.decimal, Some(DecimalFormat::Comma));
        assert_eq!(plan.accounts.len(), 2);
        assert_eq!(plan.accounts.get(0).potential, Cents(123_400_000));
        assert_eq!(plan.accounts.get(1).name, "Schmidt; Söhne");
        let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 5]);
        assert_eq!(report.skipped, vec![RowIssue { line: 6, reason: "totals row".into() }]);
    }

    #[test]
    fn missing_columns_are_named() {
        let err = import_bytes(b"foo,bar\n1,2\n", "x.csv", &ImportOptions::default()).expect_err("no columns");
        let msg = err.to_string();
        assert!(msg.contains("no column for id, lat, lon"), "{msg}");
        assert!(msg.contains("foo, bar"), "{msg}");
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn territories_in_natural_name_order() {
        let text = "id,lat,lon,territory\na,1,1,Band 10\nb,1,1,Band 2\nc,1,1,Alpha\nd,1,1,Band 2\n";
        let (plan, _) = import_bytes(text.as_bytes(), "t.csv", &ImportOptions::default()).expect("imports");
        let names: Vec<&str> = plan.territories.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Band 2", "Band 10"]);
        let owner = |i: usize| plan.territory_name(plan.assignment[i]);
        assert_eq!([owner(0), owner(1), owner(2), owner(3)], ["Band 10", "Band 2", "Alpha", "Band 2"]);
    }
}
