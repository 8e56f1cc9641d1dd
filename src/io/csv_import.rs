//! CSV import of accounts, as CRMs and spreadsheets write them.
//!
//! Two stages: each raw record is validated into an [`Account`] or rejected with its
//! line number and reason; good rows are kept, bad rows are listed, blank lines and a
//! trailing totals row are skipped and reported. The delimiter (`,` `;` tab), a UTF-8
//! BOM, quoting and the number format are detected per file; columns are found by
//! header synonyms in English and German, or mapped explicitly.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use super::number::{DecimalFormat, looks_like_decimal_comma, parse_cents, parse_count, parse_f64};
use crate::model::{Account, Cents, Plan, Territory, TerritoryIdx, palette_color};
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
}

/// A row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub accepted: usize,
    pub rejected: Vec<RowIssue>,
    pub skipped: Vec<RowIssue>,
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
}

/// Reads and imports a CSV file.
pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<(Plan, ImportReport), ImportError> {
    let bytes = std::fs::read(path).map_err(|e| super::FileError::new(path, e))?;
    import_bytes(&bytes, &path.display().to_string(), opts)
}

/// Decodes UTF-8 (with or without BOM), falling back to Windows-1252's Latin-1 subset,
/// which is what older Excel versions write.
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// The delimiter that splits the header line into the most fields, outside quotes.
fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let candidates = [b',', b';', b'\t'];
    let mut in_quotes = false;
    for b in text.bytes() {
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
fn blank_lines(text: &str) -> Vec<u64> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut line = 1u64;
    let mut line_empty = true;
    for b in text.bytes() {
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
    let text = decode(bytes);
    if text.trim().is_empty() {
        return Err(ImportError::Empty { path: path.to_owned() });
    }
    let delimiter = detect_delimiter(&text);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text.as_bytes());
    let csv_err = |e: csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        ImportError::Csv { path: path.to_owned(), line, detail: e.to_string() }
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
        return Err(ImportError::MissingColumns { path: path.to_owned(), missing, headers });
    }
    let mut cols = Columns([None; Field::ALL.len()]);
    for (f, &i) in &col {
        cols.0[*f as usize] = Some(i);
    }
    // Where the records start: after the header record.
    let body_start = reader.position().byte() as usize;
    let body = &text.as_bytes()[body_start.min(text.len())..];
    let header_lines = text.as_bytes()[..body_start.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64;

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
    for line in blank_lines(&text) {
        report.skipped.push(RowIssue { line, reason: "blank line".to_owned() });
    }

    // Parse pieces of the body on every core; each piece starts at a record boundary.
    let pieces = split_records(body, header_lines + 1);
    let n_fields = headers.len();
    let progress = opts.progress.as_deref();
    let parsed = super::parallel_with(&pieces, progress, |&(start, end, first_line)| {
        parse_piece(&body[start..end], first_line, delimiter, n_fields, &cols, decimal)
    });
    if parsed.len() < pieces.len() || progress.is_some_and(super::Progress::is_cancelled) {
        return Err(ImportError::Cancelled { path: path.to_owned() });
    }
    let mut results = Vec::with_capacity(parsed.len());
    for p in parsed {
        results.push(p.map_err(|(line, detail)| ImportError::Csv { path: path.to_owned(), line, detail })?);
    }

    // Merge in file order: duplicates (the first one wins), territories by first
    // appearance, and a trailing totals row.
    let total_rows: usize = results.iter().map(|r| r.rows.len()).sum();
    let mut plan = Plan::default();
    plan.accounts.reserve(total_rows);
    plan.assignment.reserve(total_rows);
    let mut lines: Vec<u64> = Vec::with_capacity(total_rows);
    let mut territory_of: ahash::AHashMap<String, TerritoryIdx> = ahash::AHashMap::new();
    let last_piece = results.len().saturating_sub(1);
    for (k, mut piece) in results.into_iter().enumerate() {
        let n = piece.rows.len();
        let rows = std::mem::take(&mut piece.rows);
        for (r, row) in rows.into_iter().enumerate() {
            match row {
                Row::Blank(line) => report.skipped.push(RowIssue { line, reason: "blank line".to_owned() }),
                Row::Rejected(issue) => report.rejected.push(issue),
                Row::Totals(line) if k == last_piece && r + 1 == n => {
                    report.skipped.push(RowIssue { line, reason: "totals row".to_owned() })
                }
                Row::Totals(line) => report.rejected.push(RowIssue { line, reason: "missing latitude".to_owned() }),
                Row::Account(line, account, territory, rep) => {
                    let owner = territory.map(|k| match territory_of.get(&piece.names[k as usize]) {
                        Some(&t) => t,
                        None => {
                            let name = piece.names[k as usize].clone();
                            let idx = TerritoryIdx(plan.territories.len() as u32);
                            plan.territories.push(Territory {
                                id: plan.fresh_territory_id(&name),
                                name: name.clone(),
                                color: palette_color(plan.territories.len()),
                                rep: None,
                                rep_home: None,
                                locked: false,
                                alive: true,
                            });
                            territory_of.insert(name, idx);
                            idx
                        }
                    });
                    if let (Some(t), Some(rep)) = (owner, rep) {
                        let t = &mut plan.territories[t.get()];
                        if t.rep.is_none() {
                            t.rep = Some(piece.names[rep as usize].clone());
                        }
                    }
                    plan.accounts.push(account);
                    plan.assignment.push(owner);
                    lines.push(line);
                }
            }
        }
    }
    sort_territories_by_name(&mut plan);
    // Duplicate ids: the first one wins, later ones are rejected.
    let mut seen: ahash::AHashMap<&str, u64> = ahash::AHashMap::with_capacity(plan.accounts.len());
    let mut duplicate = vec![false; plan.accounts.len()];
    for (i, a) in plan.accounts.iter().enumerate() {
        if let Some(&first) = seen.get(a.id.as_str()) {
            duplicate[i] = true;
            report.rejected.push(RowIssue {
                line: lines[i],
                reason: format!("duplicate id \"{}\" (first on line {first})", a.id),
            });
        } else {
            seen.insert(a.id.as_str(), lines[i]);
        }
    }
    drop(seen);
    if duplicate.iter().any(|&d| d) {
        let mut keep = duplicate.iter().map(|d| !d);
        plan.accounts.retain(|_| keep.next().unwrap_or(true));
        let mut keep = duplicate.iter().map(|d| !d);
        plan.assignment.retain(|_| keep.next().unwrap_or(true));
    }
    report.skipped.sort_by_key(|s| s.line);
    report.skipped.dedup();
    report.rejected.sort_by_key(|s| s.line);
    report.accepted = plan.accounts.len();
    Ok((plan, report))
}

/// Puts the territories in name order ("Band 2" before "Band 10"), renumbering the
/// assignment: a stable, findable order for the balance panel and the number keys.
fn sort_territories_by_name(plan: &mut Plan) {
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
    let mut order: Vec<usize> = (0..plan.territories.len()).collect();
    order.sort_by_cached_key(|&i| key(&plan.territories[i].name));
    if order.iter().enumerate().all(|(new, &old)| new == old) {
        return;
    }
    let mut new_of = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new as u32;
    }
    let mut slots: Vec<Option<Territory>> = std::mem::take(&mut plan.territories).into_iter().map(Some).collect();
    plan.territories = order.iter().filter_map(|&old| slots[old].take()).collect();
    for (i, t) in plan.territories.iter_mut().enumerate() {
        t.color = palette_color(i);
    }
    for owner in plan.assignment.iter_mut().flatten() {
        *owner = TerritoryIdx(new_of[owner.get()]);
    }
}

/// Field → column index.
struct Columns([Option<usize>; Field::ALL.len()]);

impl Columns {
    #[inline]
    fn get<'r>(&self, rec: &'r csv::StringRecord, f: Field) -> Option<&'r str> {
        self.0[f as usize].and_then(|i| rec.get(i)).map(str::trim)
    }
}

/// One record's fate.
enum Row {
    Blank(u64),
    Totals(u64),
    Rejected(RowIssue),
    /// Line, account, territory name and rep (indices into the piece's names).
    Account(u64, Account, Option<u32>, Option<u32>),
}

struct Piece {
    rows: Vec<Row>,
    /// Territory and rep names, each once.
    names: Vec<String>,
}

/// Cuts the body into about one piece per 4 MB at record boundaries (a newline outside
/// quotes), with each piece's first line number: (start, end, line).
fn split_records(body: &[u8], first_line: u64) -> Vec<(usize, usize, u64)> {
    let target = (body.len() / 8).max(1 << 22);
    let mut out = Vec::new();
    let (mut start, mut line, mut in_quotes) = (0usize, first_line, false);
    let mut lines_in_piece = 0u64;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' => {
                lines_in_piece += 1;
                if !in_quotes && i + 1 - start >= target {
                    out.push((start, i + 1, line));
                    line += lines_in_piece;
                    lines_in_piece = 0;
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    if start < body.len() || out.is_empty() {
        out.push((start, body.len(), line));
    }
    out
}

/// Parses and validates one piece of records.
fn parse_piece(
    bytes: &[u8],
    first_line: u64,
    delimiter: u8,
    n_fields: usize,
    cols: &Columns,
    decimal: DecimalFormat,
) -> Result<Piece, (u64, String)> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(bytes);
    let mut rows = Vec::with_capacity(bytes.len() / 100);
    let mut names: Vec<String> = Vec::new();
    let mut name_idx: ahash::AHashMap<String, u32> = ahash::AHashMap::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(first_line, |p| first_line + p.line() - 1);
                return Err((line, e.to_string()));
            }
        }
        let line = rec.position().map_or(first_line, |p| first_line + p.line() - 1);
        if rec.iter().all(|v| v.trim().is_empty()) {
            rows.push(Row::Blank(line));
            continue;
        }
        let get = |f: Field| cols.get(&rec, f).unwrap_or("");
        if get(Field::Lat).is_empty()
            && get(Field::Lon).is_empty()
            && looks_like_totals(get(Field::Id), get(Field::Name))
        {
            rows.push(Row::Totals(line));
            continue;
        }
        if rec.len() > n_fields {
            rows.push(Row::Rejected(RowIssue {
                line,
                reason: format!("{} fields, but the header has {n_fields} (an unquoted delimiter?)", rec.len()),
            }));
            continue;
        }
        match validate_row(&get, decimal) {
            Err(reason) => rows.push(Row::Rejected(RowIssue { line, reason })),
            Ok(account) => {
                let mut intern = |f: Field| {
                    let v = get(f);
                    (!v.is_empty()).then(|| match name_idx.get(v) {
                        Some(&k) => k,
                        None => {
                            let k = names.len() as u32;
                            names.push(v.to_owned());
                            name_idx.insert(v.to_owned(), k);
                            k
                        }
                    })
                };
                let (t, rep) = (intern(Field::Territory), intern(Field::Rep));
                rows.push(Row::Account(line, account, t, rep));
            }
        }
    }
    Ok(Piece { rows, names })
}

fn validate_row<'a>(get: &impl Fn(Field) -> &'a str, decimal: DecimalFormat) -> Result<Account, String> {
    let id = get(Field::Id);
    if id.is_empty() {
        return Err("missing id".to_owned());
    }
    let coord = |f: Field, what: &str, limit: f64| -> Result<f64, String> {
        let s = get(f);
        if s.is_empty() {
            return Err(format!("missing {what}"));
        }
        let v = parse_f64(s, decimal).ok_or_else(|| format!("{what} \"{s}\" is not a number ({decimal})"))?;
        if v.abs() > limit {
            return Err(format!("{what} {v} is out of range (±{limit})"));
        }
        Ok(v)
    };
    let lat = coord(Field::Lat, "latitude", 90.0)?;
    let lon = coord(Field::Lon, "longitude", 180.0)?;
    if lat.abs() > MAX_MERCATOR_LAT {
        return Err(format!("latitude {lat} is beyond the map's ±85.05° limit"));
    }
    let money = |f: Field, what: &str| -> Result<Cents, String> {
        match get(f) {
            "" => Ok(Cents(0)),
            s => {
                parse_cents(s, decimal).map(Cents).ok_or_else(|| format!("{what} \"{s}\" is not a number ({decimal})"))
            }
        }
    };
    let count = |f: Field, what: &str| -> Result<u32, String> {
        match get(f) {
            "" => Ok(0),
            s => parse_count(s, decimal).ok_or_else(|| format!("{what} \"{s}\" is not a whole number ≥ 0 ({decimal})")),
        }
    };
    let text = |f: Field| Some(get(f)).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(Account {
        id: id.to_owned(),
        name: text(Field::Name).unwrap_or_else(|| id.to_owned()),
        lon,
        lat,
        potential: money(Field::Potential, "potential")?,
        annual_revenue: money(Field::AnnualRevenue, "annual revenue")?,
        visits_per_year: count(Field::VisitsPerYear, "visits per year")?,
        minutes_per_visit: count(Field::VisitMinutes, "minutes per visit")?,
        city: text(Field::City),
        state: text(Field::State),
        zip: text(Field::Zip),
        locked: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(detect_delimiter("a;b;c\n1;2;3"), b';');
        assert_eq!(detect_delimiter("a\tb\n"), b'\t');
        assert_eq!(detect_delimiter("\"x;y\",b,c\n"), b',');
        assert_eq!(blank_lines("a\n\nb\n\"x\n\ny\"\n"), vec![2]);
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
        assert_eq!(plan.accounts[0].potential, Cents(123_400_000));
        assert_eq!(plan.accounts[1].name, "Schmidt; Söhne");
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
