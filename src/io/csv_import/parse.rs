//! Cutting the body into pieces at record boundaries and parsing each piece into rows of
//! numbers and text; the validation of one row.

use super::*;

/// `str::trim`, with a shortcut for the usual field that starts and ends with a
/// visible ASCII character.
#[inline]
pub(super) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// A territory or rep name that is absent.
pub(super) const NO_NAME: u32 = u32::MAX;

/// A record that is not an account.
pub(super) enum Other {
    Blank,
    Totals,
    /// Why, and the id the row gives (if any).
    Rejected(String, Option<String>),
}

/// What one piece of the file holds, in file order.
pub(super) struct Piece {
    pub(super) accounts: AccountRows,
    /// The line of each account.
    pub(super) lines: Vec<u64>,
    /// The hash of each account's id by [`id_hasher`].
    pub(super) hashes: Vec<u64>,
    /// The Web Mercator position of each account (projected here, on every core).
    pub(super) xy: Vec<[f64; 2]>,
    /// Each account's territory name (an index into `names`, or [`NO_NAME`]).
    pub(super) territory: Vec<u32>,
    /// Territory and rep names, each once, in order of first appearance.
    pub(super) names: Vec<String>,
    /// For a name used as a territory: the first rep named with it ([`NO_NAME`] if none
    /// yet); `None` for names used only as reps.
    pub(super) first_rep: Vec<Option<u32>>,
    /// For a name used as a territory: the first region path named with it (an index
    /// into `names`, [`NO_NAME`] if none yet).
    pub(super) first_region: Vec<u32>,
    /// Blank, totals and rejected records, with their lines.
    pub(super) others: Vec<(u64, Other)>,
    /// The line of the piece's last record.
    pub(super) last_line: Option<u64>,
    /// Empty lines outside quoted fields.
    pub(super) blanks: Vec<u64>,
    /// Newlines in the piece.
    pub(super) newlines: u64,
    /// Some record is not UTF-8.
    pub(super) not_utf8: bool,
    /// Accounts whose position as written is off the map (local index, reason): the
    /// geocode check corrects or rejects them.
    pub(super) off_map: Vec<(u32, String)>,
    /// Rows imported with a warning (line, account index in the piece, reason).
    pub(super) warnings: Vec<(u64, u32, String)>,
    /// The sums that must fit in `i64`.
    pub(super) totals: limits::TotalsCheck,
    /// The piece has an odd number of quotes: it was cut inside a quoted field.
    pub(super) odd_quotes: bool,
}

impl Piece {
    /// Adds `offset` to every line number.
    pub(super) fn shift_lines(&mut self, offset: u64) {
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
pub(super) fn cut_points(body: &[u8]) -> Vec<(usize, usize)> {
    cut_points_every(body, (body.len() / 48).max(1 << 20))
}

/// [`cut_points`] with regions of `size` bytes.
pub(super) fn cut_points_every(body: &[u8], size: usize) -> Vec<(usize, usize)> {
    let regions: Vec<(usize, usize)> =
        (0..body.len()).step_by(size.max(1)).map(|s| (s, (s + size).min(body.len()))).collect();
    let quotes = crate::io::parallel(&regions, |&(s, e)| memchr::memchr_iter(b'"', &body[s..e]).count());
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
pub(super) fn parse_piece(
    bytes: &[u8],
    delimiter: u8,
    n_fields: usize,
    cols: &Columns,
    decimal: DecimalFormat,
) -> Piece {
    let rows_guess = bytes.len() / 100;
    let mut piece = Piece {
        accounts: AccountRows::with_capacity(rows_guess, bytes.len() / 2),
        lines: Vec::with_capacity(rows_guess),
        hashes: Vec::with_capacity(rows_guess),
        xy: Vec::with_capacity(rows_guess),
        territory: Vec::with_capacity(rows_guess),
        names: Vec::new(),
        first_rep: Vec::new(),
        first_region: Vec::new(),
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
        let id = || Some(trim(get(Field::Id))).filter(|s| !s.is_empty()).map(str::to_owned);
        if get(Field::Lat).is_empty()
            && get(Field::Lon).is_empty()
            && looks_like_totals(get(Field::Id), get(Field::Name))
        {
            piece.others.push((line, Other::Totals));
            return;
        }
        if rec.len() > n_fields {
            let reason = format!("{} fields, but the header has {n_fields} (an unquoted delimiter?)", rec.len());
            piece.others.push((line, Other::Rejected(reason, id())));
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
                piece.others.push((line, Other::Rejected(format!("{counts}: no {what}"), id())));
                return;
            }
            if !missing.is_empty() {
                short = Some(format!("{counts}: {what} taken as empty"));
            }
        }
        match validate_row(&get, decimal) {
            Err(reason) => piece.others.push((line, Other::Rejected(reason, id()))),
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
                    piece.first_region.push(NO_NAME);
                    name_idx.insert(v.to_owned(), k);
                    k
                };
                let t = intern(get(Field::Territory));
                let rep = intern(get(Field::Rep));
                let region = intern(get(Field::Region));
                if t != NO_NAME {
                    let first = &mut piece.first_rep[t as usize];
                    if first.is_none_or(|r| r == NO_NAME) {
                        *first = Some(rep);
                    }
                    let first = &mut piece.first_region[t as usize];
                    if *first == NO_NAME {
                        *first = region;
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

pub(super) fn validate_row<'a>(
    get: &impl Fn(Field) -> &'a str,
    decimal: DecimalFormat,
) -> Result<Validated<'a>, String> {
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
    // ([`crate::io::geocode`]), so it is kept here with its reason.
    let mut out_of_range = None;
    if lat.abs() > 90.0 {
        out_of_range = Some(format!("latitude {lat} is out of range (±90)"));
    } else if lon.abs() > 180.0 {
        out_of_range = Some(format!("longitude {lon} is out of range (±180)"));
    } else if lat.abs() > MAX_MERCATOR_LAT {
        out_of_range = Some(format!("latitude {lat} is beyond the map's ±85.05° limit"));
    }
    if crate::io::geocode::is_null_island(lon, lat) {
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
pub(super) struct Validated<'a> {
    pub(super) account: AccountRef<'a>,
    pub(super) out_of_range: Option<String>,
}
