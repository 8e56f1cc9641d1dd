//! Format detection: delimiter, encoding (UTF-8 or Windows-1252), decimal format, the
//! header and its columns.

use super::*;

/// The delimiter that splits the header line into the most fields, outside quotes.
pub(super) fn detect_delimiter(text: &[u8]) -> u8 {
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
pub(super) fn blank_lines(text: &[u8]) -> Vec<u64> {
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

/// A byte of Windows-1252, what Excel on a German or French Windows writes: Latin-1,
/// except 0x80–0x9F, which hold €, „, “, ”, –, —, ‰, Š, š, Ž, ž, Œ, œ, Ÿ and the like
/// (the five bytes it leaves undefined are kept as their Latin-1 control characters).
pub(super) fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}', '‘',
        '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    if (0x80..0xa0).contains(&b) { HIGH[usize::from(b - 0x80)] } else { char::from(b) }
}

/// Why [`parse_text`] stopped.
pub(super) enum ParseError {
    /// Some of the text is not UTF-8: try Latin-1.
    NotUtf8,
    Import(ImportError),
}

impl From<ImportError> for ParseError {
    fn from(e: ImportError) -> Self {
        ParseError::Import(e)
    }
}

pub(super) fn is_utf8_error(e: &csv::Error) -> bool {
    matches!(e.kind(), csv::ErrorKind::Utf8 { .. })
}

/// What the header says about the records that follow it.
pub(super) struct Layout {
    pub(super) delimiter: u8,
    pub(super) n_fields: usize,
    pub(super) cols: Columns,
    pub(super) decimal: DecimalFormat,
    /// Where the records start, in bytes.
    pub(super) body_start: usize,
    /// Lines before the records.
    pub(super) header_lines: u64,
    /// The file, for messages.
    pub(super) path: String,
    /// [`ImportOptions::fix_coordinates`].
    pub(super) fix_coordinates: bool,
}

impl Layout {
    pub(super) fn parse(&self, bytes: &[u8]) -> Piece {
        parse_piece(bytes, self.delimiter, self.n_fields, &self.cols, self.decimal)
    }
}

/// Reads the header of `text` (which may hold just the start of a file): the delimiter,
/// the columns, the number format; and a report with the blank lines before the body.
pub(super) fn read_layout(text: &[u8], path: &str, opts: &ImportOptions) -> Result<(Layout, ImportReport), ParseError> {
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
    // "Bezirk" without another territory column is the territory.
    if !col.contains_key(&Field::Territory)
        && !opts.columns.iter().any(|(f, _)| *f == Field::Region)
        && let Some(&i) = col.get(&Field::Region)
        && normalize_header(&headers[i]) == REGION_OR_TERRITORY
    {
        col.remove(&Field::Region);
        col.insert(Field::Territory, i);
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
        report.skipped.push(RowIssue::line(line, "blank line"));
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
