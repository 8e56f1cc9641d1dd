//! The in-memory plan: accounts, territories and who owns what.
//!
//! Money is kept in integer [`Cents`] and workload in integer [`Minutes`], so that
//! totals kept up to date edit by edit equal totals recomputed from scratch, exactly.
//! Territories live in stable slots ([`TerritoryIdx`]); deleting one tombstones its
//! slot instead of shifting indices, so that undo can bring it back without touching
//! the assignment of every account.

use serde::{Deserialize, Serialize};

/// Money in integer cents of the plan's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cents(pub i64);

impl Cents {
    /// The amount in currency units, for display and JSON.
    pub fn units(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// Workload in integer minutes per year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Minutes(pub i64);

impl Minutes {
    /// The workload in hours, unrounded.
    pub fn hours(self) -> f64 {
        self.0 as f64 / 60.0
    }
}

/// The largest figures an account may carry, and the check that a plan's totals fit.
///
/// Every total the program keeps (per territory, per selection, the prefix sums) is a
/// sum of some of the accounts' figures in `i64`. Each account is held to the limits
/// below on input, and a plan whose sums of absolute values would not fit in `i64` is
/// refused as a whole (it takes 92,000 accounts at the money limit, which no real
/// plan has): then no partial sum can wrap, whatever is edited.
pub mod limits {
    use super::{Cents, Minutes};

    /// At most 10^14 cents (one trillion currency units) of potential or revenue on one
    /// account, either sign.
    pub const MAX_CENTS: i64 = 100_000_000_000_000;
    /// At most 100,000 visits a year (274 a day) on one account.
    pub const MAX_VISITS: u32 = 100_000;
    /// At most 100,000 minutes (69 days) a visit.
    pub const MAX_MINUTES: u32 = 100_000;
    /// At most 10,000 territories in a plan, an import, a Redraw or a k-means
    /// reference: a ZIP or account column mapped as the territory by mistake is caught
    /// here, and every per-territory table stays small.
    pub const MAX_TERRITORIES: usize = 10_000;
    /// Why a number of territories is refused, if it is.
    pub fn check_territories(n: usize) -> Result<(), String> {
        if n > MAX_TERRITORIES {
            return Err(format!(
                "{} territories; at most {} are supported",
                crate::format::thousands(n as i64),
                crate::format::thousands(MAX_TERRITORIES as i64)
            ));
        }
        Ok(())
    }

    /// Why an account's figure is refused, if it is.
    pub fn check_money(what: &str, v: Cents) -> Result<(), String> {
        if v.0.unsigned_abs() > MAX_CENTS as u64 {
            return Err(format!(
                "{what} {} is beyond the limit of ±{} per account",
                v.units(),
                crate::format::thousands(MAX_CENTS / 100)
            ));
        }
        Ok(())
    }

    /// Why an account's visits or minutes are refused, if they are.
    pub fn check_workload(visits: u32, minutes: u32) -> Result<(), String> {
        if visits > MAX_VISITS {
            return Err(format!("{visits} visits a year is beyond the limit of {MAX_VISITS}"));
        }
        if minutes > MAX_MINUTES {
            return Err(format!("{minutes} minutes a visit is beyond the limit of {MAX_MINUTES}"));
        }
        Ok(())
    }

    /// Running sums of absolute values in `i128`, to check that a plan's totals fit.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct TotalsCheck {
        potential: i128,
        revenue: i128,
        workload: i128,
    }

    impl TotalsCheck {
        pub fn add(&mut self, potential: Cents, revenue: Cents, workload: Minutes) {
            self.potential += i128::from(potential.0).abs();
            self.revenue += i128::from(revenue.0).abs();
            self.workload += i128::from(workload.0).abs();
        }

        pub fn merge(&mut self, other: TotalsCheck) {
            self.potential += other.potential;
            self.revenue += other.revenue;
            self.workload += other.workload;
        }

        /// Why the totals do not fit, if they do not.
        pub fn check(&self) -> Result<(), String> {
            let max = i128::from(i64::MAX);
            for (what, v) in [("potential", self.potential), ("revenue", self.revenue), ("workload", self.workload)] {
                if v > max {
                    return Err(format!("the accounts' total {what} is too large to add up exactly (over 9.2e18)"));
                }
            }
            Ok(())
        }
    }
}

/// Index of an account in [`Plan::accounts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountIdx(pub u32);

/// Index of a territory slot in [`Plan::territories`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TerritoryIdx(pub u32);

impl TerritoryIdx {
    /// The slot as a `usize`, for indexing.
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// An sRGB colour, without alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// `#rrggbb`.
    pub fn to_hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Parses `#rrggbb` (the `#` is optional).
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.trim().trim_start_matches('#');
        if s.len() != 6 || !s.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&s[i..i + 2], 16).ok();
        Some(Rgb([byte(0)?, byte(2)?, byte(4)?]))
    }
}

/// A customer or prospect.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// The CRM's identifier, unique in a plan.
    pub id: String,
    pub name: String,
    /// WGS84 longitude, degrees.
    pub lon: f64,
    /// WGS84 latitude, degrees.
    pub lat: f64,
    /// What the account could buy per year.
    pub potential: Cents,
    pub annual_revenue: Cents,
    pub visits_per_year: u32,
    pub minutes_per_visit: u32,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    /// A locked account never moves.
    pub locked: bool,
}

impl Account {
    /// Visits per year × minutes per visit.
    pub fn workload(&self) -> Minutes {
        Minutes(i64::from(self.visits_per_year) * i64::from(self.minutes_per_visit))
    }

    /// The account as a borrowed row, as [`Accounts`] hands them out.
    pub fn view(&self) -> AccountRef<'_> {
        AccountRef {
            id: &self.id,
            name: &self.name,
            lon: self.lon,
            lat: self.lat,
            potential: self.potential,
            annual_revenue: self.annual_revenue,
            visits_per_year: self.visits_per_year,
            minutes_per_visit: self.minutes_per_visit,
            city: self.city.as_deref(),
            state: self.state.as_deref(),
            zip: self.zip.as_deref(),
            locked: self.locked,
        }
    }
}

/// One account read out of [`Accounts`]: the same fields as [`Account`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub lon: f64,
    pub lat: f64,
    pub potential: Cents,
    pub annual_revenue: Cents,
    pub visits_per_year: u32,
    pub minutes_per_visit: u32,
    pub city: Option<&'a str>,
    pub state: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub locked: bool,
}

impl AccountRef<'_> {
    /// Visits per year × minutes per visit.
    pub fn workload(&self) -> Minutes {
        Minutes(i64::from(self.visits_per_year) * i64::from(self.minutes_per_visit))
    }

    /// An owned copy.
    pub fn to_account(&self) -> Account {
        Account {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            lon: self.lon,
            lat: self.lat,
            potential: self.potential,
            annual_revenue: self.annual_revenue,
            visits_per_year: self.visits_per_year,
            minutes_per_visit: self.minutes_per_visit,
            city: self.city.map(str::to_owned),
            state: self.state.map(str::to_owned),
            zip: self.zip.map(str::to_owned),
            locked: self.locked,
        }
    }
}

impl<'a> From<&'a Account> for AccountRef<'a> {
    fn from(a: &'a Account) -> Self {
        a.view()
    }
}

/// Text fields a row: id, name, city, state, zip.
pub const TEXTS: usize = 5;

/// An account's text fields in [`Texts`] order (an absent one is empty).
fn text_fields<'a>(a: &AccountRef<'a>) -> [&'a str; TEXTS] {
    [a.id, a.name, a.city.unwrap_or(""), a.state.unwrap_or(""), a.zip.unwrap_or("")]
}

/// The accounts of a plan, column by column.
///
/// Hot loops (metrics, the grid, drawing, Balance) read the numeric columns as slices;
/// the text fields of the accounts share a few large buffers (one per piece of a file
/// parsed in parallel), reached through `text_row`, so that loading a million accounts
/// allocates a handful of vectors rather than five strings an account, joining the
/// pieces copies no text, and putting the accounts in grid order moves 4 bytes of
/// text reference an account. An empty city, state or zip reads as `None`.
#[derive(Debug, Clone, Default)]
pub struct Accounts {
    lon: Vec<f64>,
    lat: Vec<f64>,
    potential: Vec<Cents>,
    annual_revenue: Vec<Cents>,
    visits_per_year: Vec<u32>,
    minutes_per_visit: Vec<u32>,
    locked: Vec<bool>,
    /// The row of each account's text in `text`.
    text_row: Vec<u32>,
    text: Texts,
}

/// Text rows of five fields (id, name, city, state, zip) in a few large buffers.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    chunks: Vec<TextChunk>,
    /// The first row of each chunk.
    chunk_start: Vec<u32>,
    /// Rows held, across the chunks.
    rows: u32,
}

impl Texts {
    pub fn reserve(&mut self, rows: usize, bytes: usize) {
        match self.chunks.last_mut() {
            Some(c) => {
                c.ends.reserve(rows * TEXTS);
                c.text.reserve(bytes);
            }
            None => {
                self.chunk_start.push(self.rows);
                self.chunks.push(TextChunk::with_capacity(rows, bytes));
            }
        }
    }

    /// Appends a row; returns its number.
    pub fn push(&mut self, fields: [&str; TEXTS]) -> u32 {
        let bytes: usize = fields.iter().map(|f| f.len()).sum();
        // A chunk's offsets are u32: start another before one would pass 4 GiB.
        if self.chunks.last().is_none_or(|c| c.text.len() + bytes > u32::MAX as usize) {
            self.chunk_start.push(self.rows);
            self.chunks.push(TextChunk::with_capacity(0, 0));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            let mut end = chunk.text.len() as u32;
            chunk.text.reserve(bytes);
            for field in fields {
                chunk.text.push_str(field);
                end += field.len() as u32;
                chunk.ends.push(end);
            }
        }
        self.rows += 1;
        self.rows - 1
    }

    /// Field `field` of row `row`.
    #[inline]
    pub fn get(&self, row: u32, field: usize) -> &str {
        let c = if self.chunks.len() == 1 { 0 } else { self.chunk_start.partition_point(|&s| s <= row) - 1 };
        let chunk = &self.chunks[c];
        let k = (row - self.chunk_start[c]) as usize * TEXTS + field;
        &chunk.text[chunk.ends[k] as usize..chunk.ends[k + 1] as usize]
    }

    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Moves `other`'s rows after these, copying no text; returns the number its first
    /// row now has.
    pub fn append(&mut self, other: Texts) -> u32 {
        let offset = self.rows;
        self.chunk_start.extend(other.chunk_start.iter().map(|s| s + offset));
        self.chunks.extend(other.chunks);
        self.rows += other.rows;
        offset
    }
}

/// Text rows in one buffer: field `f` of local row `r` is
/// `text[ends[r * TEXTS + f]..ends[r * TEXTS + f + 1]]`; `ends` starts with 0.
#[derive(Debug, Clone)]
struct TextChunk {
    text: String,
    ends: Vec<u32>,
}

impl TextChunk {
    fn with_capacity(rows: usize, bytes: usize) -> TextChunk {
        let mut ends = Vec::with_capacity(rows * TEXTS + 1);
        ends.push(0);
        TextChunk { text: String::with_capacity(bytes), ends }
    }
}

impl PartialEq for Accounts {
    fn eq(&self, other: &Accounts) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Accounts {
    pub fn new() -> Accounts {
        Accounts::default()
    }

    /// Room for `n` accounts of about `text_bytes` bytes of text in all.
    pub fn with_capacity(n: usize, text_bytes: usize) -> Accounts {
        let mut a = Accounts::default();
        a.reserve(n, text_bytes);
        a
    }

    pub fn reserve(&mut self, n: usize, text_bytes: usize) {
        self.lon.reserve(n);
        self.lat.reserve(n);
        self.potential.reserve(n);
        self.annual_revenue.reserve(n);
        self.visits_per_year.reserve(n);
        self.minutes_per_visit.reserve(n);
        self.locked.reserve(n);
        self.text_row.reserve(n);
        self.text.reserve(n, text_bytes);
    }

    pub fn len(&self) -> usize {
        self.lon.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lon.is_empty()
    }

    /// Appends an account (an `&Account` or an [`AccountRef`]).
    pub fn push<'a>(&mut self, a: impl Into<AccountRef<'a>>) {
        let a = a.into();
        self.text_row.push(self.text.push(text_fields(&a)));
        self.lon.push(a.lon);
        self.lat.push(a.lat);
        self.potential.push(a.potential);
        self.annual_revenue.push(a.annual_revenue);
        self.visits_per_year.push(a.visits_per_year);
        self.minutes_per_visit.push(a.minutes_per_visit);
        self.locked.push(a.locked);
    }

    /// Moves all of `other`'s accounts to the end of these.
    pub fn append(&mut self, mut other: Accounts) {
        let rows = self.text.append(std::mem::take(&mut other.text));
        self.text_row.extend(other.text_row.iter().map(|r| r + rows));
        self.lon.append(&mut other.lon);
        self.lat.append(&mut other.lat);
        self.potential.append(&mut other.potential);
        self.annual_revenue.append(&mut other.annual_revenue);
        self.visits_per_year.append(&mut other.visits_per_year);
        self.minutes_per_visit.append(&mut other.minutes_per_visit);
        self.locked.append(&mut other.locked);
    }

    #[inline]
    fn text(&self, row: u32, field: usize) -> &str {
        self.text.get(row, field)
    }

    /// Account `i`, read out of the columns. Panics if `i >= len()`, like indexing.
    #[inline]
    pub fn get(&self, i: usize) -> AccountRef<'_> {
        let row = self.text_row[i];
        let opt = |f: usize| Some(self.text(row, f)).filter(|s| !s.is_empty());
        AccountRef {
            id: self.text(row, 0),
            name: self.text(row, 1),
            lon: self.lon[i],
            lat: self.lat[i],
            potential: self.potential[i],
            annual_revenue: self.annual_revenue[i],
            visits_per_year: self.visits_per_year[i],
            minutes_per_visit: self.minutes_per_visit[i],
            city: opt(2),
            state: opt(3),
            zip: opt(4),
            locked: self.locked[i],
        }
    }

    /// The CRM id of account `i`.
    #[inline]
    pub fn id(&self, i: usize) -> &str {
        self.text(self.text_row[i], 0)
    }

    /// The accounts in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = AccountRef<'_>> + DoubleEndedIterator + Clone + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// (lon, lat) of each account, degrees.
    pub fn positions(&self) -> impl ExactSizeIterator<Item = (f64, f64)> + Clone + '_ {
        self.lon.iter().zip(&self.lat).map(|(&x, &y)| (x, y))
    }

    /// Longitudes, degrees.
    pub fn lon(&self) -> &[f64] {
        &self.lon
    }

    /// Latitudes, degrees.
    pub fn lat(&self) -> &[f64] {
        &self.lat
    }

    pub fn potential(&self) -> &[Cents] {
        &self.potential
    }

    pub fn annual_revenue(&self) -> &[Cents] {
        &self.annual_revenue
    }

    pub fn visits_per_year(&self) -> &[u32] {
        &self.visits_per_year
    }

    pub fn minutes_per_visit(&self) -> &[u32] {
        &self.minutes_per_visit
    }

    pub fn locked(&self) -> &[bool] {
        &self.locked
    }

    /// The workload of account `i`.
    #[inline]
    pub fn workload(&self, i: usize) -> Minutes {
        Minutes(i64::from(self.visits_per_year[i]) * i64::from(self.minutes_per_visit[i]))
    }

    pub fn set_locked(&mut self, i: usize, locked: bool) {
        self.locked[i] = locked;
    }

    /// The accounts in the given order (`order[new] = old`; each old index at most
    /// once). The text stays where it is; only its row references move. Half the
    /// columns are gathered on a second thread when it pays.
    pub fn permuted(self, order: &[u32]) -> Accounts {
        fn gather<T: Copy>(v: &[T], order: &[u32]) -> Vec<T> {
            order.iter().map(|&i| v[i as usize]).collect()
        }
        let first = || {
            (
                gather(&self.lon, order),
                gather(&self.lat, order),
                gather(&self.potential, order),
                gather(&self.annual_revenue, order),
            )
        };
        let second = || {
            (
                gather(&self.visits_per_year, order),
                gather(&self.minutes_per_visit, order),
                gather(&self.locked, order),
                gather(&self.text_row, order),
            )
        };
        let ((lon, lat, potential, annual_revenue), (visits_per_year, minutes_per_visit, locked, text_row)) =
            if order.len() < 50_000 { (first(), second()) } else { crate::both(first, second) };
        Accounts {
            lon,
            lat,
            potential,
            annual_revenue,
            visits_per_year,
            minutes_per_visit,
            locked,
            text_row,
            text: self.text,
        }
    }

    /// The accounts of `parts`, collected row by row and numbered as if concatenated,
    /// in the given order (`order[new] = old`; each old index at most once): joining
    /// the pieces of a parsed file and sorting them into grid order in one gather, one
    /// read an account. The parts' text chunks are kept as they are. Half the columns
    /// are gathered on a second thread when it pays.
    pub fn gather_rows(parts: Vec<AccountRows>, order: &[u32]) -> Accounts {
        let at = locate(&parts.iter().map(AccountRows::len).collect::<Vec<_>>(), order);
        let text_offset = text_offsets(parts.iter().map(|p| p.text.rows()));
        let row = |&(k, i): &(u32, u32)| &parts[k as usize].rows[i as usize];
        let first = || {
            let mut lon = Vec::with_capacity(at.len());
            let mut lat = Vec::with_capacity(at.len());
            let mut potential = Vec::with_capacity(at.len());
            let mut annual_revenue = Vec::with_capacity(at.len());
            for r in at.iter().map(row) {
                lon.push(r.lon);
                lat.push(r.lat);
                potential.push(r.potential);
                annual_revenue.push(r.annual_revenue);
            }
            (lon, lat, potential, annual_revenue)
        };
        let second = || {
            let mut visits = Vec::with_capacity(at.len());
            let mut minutes = Vec::with_capacity(at.len());
            let mut locked = Vec::with_capacity(at.len());
            let mut text_row = Vec::with_capacity(at.len());
            for (&(k, _), r) in at.iter().zip(at.iter().map(row)) {
                visits.push(r.visits_per_year);
                minutes.push(r.minutes_per_visit);
                locked.push(r.locked);
                text_row.push(r.text_row + text_offset[k as usize]);
            }
            (visits, minutes, locked, text_row)
        };
        let ((lon, lat, potential, annual_revenue), (visits_per_year, minutes_per_visit, locked, text_row)) =
            if order.len() < 50_000 { (first(), second()) } else { crate::both(first, second) };
        let mut text = Texts::default();
        for p in parts {
            text.append(p.text);
        }
        Accounts { lon, lat, potential, annual_revenue, visits_per_year, minutes_per_visit, locked, text_row, text }
    }

    /// Keeps the accounts whose `keep` flag is set (the text of the others stays in
    /// the buffer until the next copy).
    pub fn retain_flagged(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut k = keep.iter();
            v.retain(|_| k.next().copied().unwrap_or(true));
        }
        filter(&mut self.lon, keep);
        filter(&mut self.lat, keep);
        filter(&mut self.potential, keep);
        filter(&mut self.annual_revenue, keep);
        filter(&mut self.visits_per_year, keep);
        filter(&mut self.minutes_per_visit, keep);
        filter(&mut self.locked, keep);
        filter(&mut self.text_row, keep);
    }
}

/// Where each index of `order` lives among parts of these lengths, numbered as if
/// concatenated: (part, index in part). Two threads for large orders.
fn locate(lens: &[usize], order: &[u32]) -> Vec<(u32, u32)> {
    let mut part_of: Vec<u32> = Vec::with_capacity(lens.iter().sum());
    let mut starts = Vec::with_capacity(lens.len());
    for (k, &n) in lens.iter().enumerate() {
        starts.push(part_of.len() as u32);
        part_of.resize(part_of.len() + n, k as u32);
    }
    let find = |o: &[u32]| -> Vec<(u32, u32)> {
        o.iter()
            .map(|&g| {
                let k = part_of[g as usize];
                (k, g - starts[k as usize])
            })
            .collect()
    };
    if order.len() < 50_000 {
        return find(order);
    }
    let (a, b) = order.split_at(order.len() / 2);
    let (mut a, b) = crate::both(|| find(a), || find(b));
    a.extend(b);
    a
}

/// The number each part's first text row gets when the parts' texts are joined.
fn text_offsets(rows: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut total = 0;
    rows.map(|r| {
        total += r;
        total - r
    })
    .collect()
}

/// The numbers of one account, as [`AccountRows`] keeps them.
#[derive(Debug, Clone, Copy)]
struct Numbers {
    lon: f64,
    lat: f64,
    potential: Cents,
    annual_revenue: Cents,
    visits_per_year: u32,
    minutes_per_visit: u32,
    text_row: u32,
    locked: bool,
}

/// Accounts row by row, as a parser collects them before [`Accounts::gather_rows`]
/// puts them in columns: each account's numbers in one record (one stream to write
/// while parsing, one read when gathered), its text in [`Texts`].
#[derive(Debug, Clone, Default)]
pub struct AccountRows {
    rows: Vec<Numbers>,
    text: Texts,
}

impl AccountRows {
    /// Room for `n` accounts of about `text_bytes` bytes of text in all.
    pub fn with_capacity(n: usize, text_bytes: usize) -> AccountRows {
        let mut text = Texts::default();
        text.reserve(n, text_bytes);
        AccountRows { rows: Vec::with_capacity(n), text }
    }

    pub fn push<'a>(&mut self, a: impl Into<AccountRef<'a>>) {
        let a = a.into();
        let text_row = self.text.push(text_fields(&a));
        self.rows.push(Numbers {
            lon: a.lon,
            lat: a.lat,
            potential: a.potential,
            annual_revenue: a.annual_revenue,
            visits_per_year: a.visits_per_year,
            minutes_per_visit: a.minutes_per_visit,
            text_row,
            locked: a.locked,
        });
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The id of account `i`.
    pub fn id(&self, i: usize) -> &str {
        self.text.get(self.rows[i].text_row, 0)
    }

    /// The (lon, lat) of account `i`.
    pub fn position(&self, i: usize) -> (f64, f64) {
        (self.rows[i].lon, self.rows[i].lat)
    }

    /// Moves account `i` (a corrected geocode).
    pub fn set_position(&mut self, i: usize, lon: f64, lat: f64) {
        self.rows[i].lon = lon;
        self.rows[i].lat = lat;
    }
}

impl<'a> FromIterator<AccountRef<'a>> for Accounts {
    fn from_iter<I: IntoIterator<Item = AccountRef<'a>>>(iter: I) -> Accounts {
        let mut out = Accounts::new();
        out.extend(iter);
        out
    }
}

impl<'a> FromIterator<&'a Account> for Accounts {
    fn from_iter<I: IntoIterator<Item = &'a Account>>(iter: I) -> Accounts {
        iter.into_iter().map(Account::view).collect()
    }
}

impl FromIterator<Account> for Accounts {
    fn from_iter<I: IntoIterator<Item = Account>>(iter: I) -> Accounts {
        let mut out = Accounts::new();
        out.extend(iter);
        out
    }
}

impl<'a> Extend<AccountRef<'a>> for Accounts {
    fn extend<I: IntoIterator<Item = AccountRef<'a>>>(&mut self, iter: I) {
        for a in iter {
            self.push(a);
        }
    }
}

impl Extend<Account> for Accounts {
    fn extend<I: IntoIterator<Item = Account>>(&mut self, iter: I) {
        for a in iter {
            self.push(&a);
        }
    }
}

/// Whether a rep's home, (lon, lat), is a place on the map (Web Mercator reaches 85°).
pub fn home_on_map((lon, lat): (f64, f64)) -> bool {
    (-180.0..=180.0).contains(&lon) && (-85.0..=85.0).contains(&lat)
}

/// The id a territory named `name` gets when it is free: its name in lower case,
/// words joined by `-` (a taken id gets `-2`, `-3`, … appended).
pub fn territory_id_base(name: &str) -> String {
    let mut base: String =
        name.chars().map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    base = base.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    if base.is_empty() {
        base = "territory".to_owned();
    }
    base
}

/// A sales territory, one per rep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Territory {
    /// Stable identifier, unique among live territories.
    pub id: String,
    pub name: String,
    pub color: Rgb,
    pub rep: Option<String>,
    /// The rep's home, (lon, lat).
    pub rep_home: Option<(f64, f64)>,
    /// A locked territory neither gives nor receives accounts.
    pub locked: bool,
    /// False once deleted; the slot is kept so that undo can restore it.
    pub alive: bool,
}

/// The view the plan was saved with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub center_lon: f64,
    pub center_lat: f64,
    pub zoom: f64,
}

/// A whole plan: what the file holds and the editor edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub accounts: Accounts,
    pub territories: Vec<Territory>,
    /// The owner of each account, `None` for the Unassigned pool; parallel to `accounts`.
    pub assignment: Vec<Option<TerritoryIdx>>,
    /// ISO currency code of the money fields, for display.
    pub currency: String,
    pub view: Option<View>,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            accounts: Accounts::new(),
            territories: Vec::new(),
            assignment: Vec::new(),
            currency: "USD".to_owned(),
            view: None,
        }
    }
}

impl Plan {
    /// Live territories in plan order.
    pub fn live_territories(&self) -> impl Iterator<Item = (TerritoryIdx, &Territory)> {
        self.territories.iter().enumerate().filter(|(_, t)| t.alive).map(|(i, t)| (TerritoryIdx(i as u32), t))
    }

    /// Finds a live territory by id, or else by name, case-insensitively.
    pub fn find_territory(&self, key: &str) -> Option<TerritoryIdx> {
        let key = key.trim();
        self.live_territories()
            .find(|(_, t)| t.id == key)
            .or_else(|| {
                self.live_territories()
                    .find(|(_, t)| t.id.eq_ignore_ascii_case(key) || t.name.eq_ignore_ascii_case(key))
            })
            .map(|(i, _)| i)
    }

    /// The territory's name, or "Unassigned".
    pub fn territory_name(&self, t: Option<TerritoryIdx>) -> &str {
        match t {
            Some(t) => &self.territories[t.get()].name,
            None => "Unassigned",
        }
    }

    /// An id not used by any territory slot, derived from `name`.
    pub fn fresh_territory_id(&self, name: &str) -> String {
        let base = territory_id_base(name);
        let taken = |id: &str| self.territories.iter().any(|t| t.id == id);
        if !taken(&base) {
            return base;
        }
        (2..).map(|n| format!("{base}-{n}")).find(|id| !taken(id)).unwrap_or(base)
    }

    /// The plan with its accounts in the given order (`order[new] = old`).
    pub fn permuted(self, order: &[u32]) -> Plan {
        let Plan { accounts, territories, assignment, currency, view } = self;
        let accounts = accounts.permuted(order);
        let assignment = order.iter().map(|&i| assignment[i as usize]).collect();
        Plan { accounts, territories, assignment, currency, view }
    }

    /// Whether the account may be moved: neither it nor its territory is locked.
    pub fn is_movable(&self, a: AccountIdx) -> bool {
        let i = a.0 as usize;
        !self.accounts.locked()[i] && self.assignment[i].is_none_or(|t| !self.territories[t.get()].locked)
    }
}

/// A palette that keeps 24 territories apart, on screen and projected (after Kelly's
/// colours of maximum contrast, without white and black).
pub const PALETTE: [Rgb; 24] = [
    Rgb([0x1f, 0x77, 0xb4]),
    Rgb([0xff, 0x7f, 0x0e]),
    Rgb([0x2c, 0xa0, 0x2c]),
    Rgb([0xd6, 0x27, 0x28]),
    Rgb([0x94, 0x67, 0xbd]),
    Rgb([0x8c, 0x56, 0x4b]),
    Rgb([0xe3, 0x77, 0xc2]),
    Rgb([0x17, 0xbe, 0xcf]),
    Rgb([0xbc, 0xbd, 0x22]),
    Rgb([0x00, 0x2e, 0x8f]),
    Rgb([0xf3, 0xc3, 0x00]),
    Rgb([0x00, 0x88, 0x56]),
    Rgb([0xbe, 0x00, 0x32]),
    Rgb([0x87, 0x56, 0x92]),
    Rgb([0xf9, 0x93, 0x79]),
    Rgb([0x60, 0x4e, 0x97]),
    Rgb([0x8d, 0xb6, 0x00]),
    Rgb([0x88, 0x2d, 0x17]),
    Rgb([0xa1, 0xca, 0xf1]),
    Rgb([0x65, 0x45, 0x22]),
    Rgb([0xe2, 0x58, 0x22]),
    Rgb([0x2b, 0x3d, 0x26]),
    Rgb([0xc2, 0xb2, 0x80]),
    Rgb([0x00, 0x67, 0xa5]),
];

/// The palette colour for the n-th territory.
pub fn palette_color(n: usize) -> Rgb {
    PALETTE[n % PALETTE.len()]
}

/// The palette colour farthest from all of `used` (the first of equals): what a new
/// territory gets, so that it does not look like one already on the map.
pub fn distinct_color(used: &[Rgb]) -> Rgb {
    let nearest = |c: Rgb| used.iter().map(|&u| color_distance(c, u)).fold(f64::INFINITY, f64::min);
    let mut best = (f64::NEG_INFINITY, PALETTE[0]);
    for &c in &PALETTE {
        let d = nearest(c);
        if d > best.0 {
            best = (d, c);
        }
    }
    best.1
}

/// How far apart two colours look: the "redmean" weighting of RGB differences, a
/// cheap stand-in for a perceptual distance.
pub fn color_distance(a: Rgb, b: Rgb) -> f64 {
    let [r1, g1, b1] = a.0.map(f64::from);
    let [r2, g2, b2] = b.0.map(f64::from);
    let rm = (r1 + r2) / 2.0;
    let (dr, dg, db) = (r1 - r2, g1 - g2, b1 - b2);
    ((2.0 + rm / 256.0) * dr * dr + 4.0 * dg * dg + (2.0 + (255.0 - rm) / 256.0) * db * db).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_colour_stands_apart_from_those_in_use() {
        // With the first twelve in use, the next palette entry (a crimson) is close to
        // the red in use; the chosen one is farther from every colour in use.
        let used: Vec<Rgb> = PALETTE[..12].to_vec();
        let c = distinct_color(&used);
        assert!(!used.contains(&c));
        let nearest = |c: Rgb| used.iter().map(|&u| color_distance(c, u)).fold(f64::INFINITY, f64::min);
        assert!(nearest(c) > nearest(PALETTE[12]), "{c:?}");
        assert!(PALETTE.iter().all(|&p| nearest(p) <= nearest(c)));
        assert_eq!(distinct_color(&[]), PALETTE[0]);
    }

    fn account(i: usize) -> Account {
        Account {
            id: format!("A{i}"),
            name: format!("Name {i} — ü"),
            lon: i as f64 * 0.5 - 100.0,
            lat: 40.0 - i as f64 * 0.25,
            potential: Cents(i as i64 * 100),
            annual_revenue: Cents(7 * i as i64),
            visits_per_year: i as u32 % 12,
            minutes_per_visit: 30 + i as u32,
            city: (!i.is_multiple_of(3)).then(|| format!("City {i}")),
            state: i.is_multiple_of(2).then(|| "TX".to_owned()),
            zip: None,
            locked: i.is_multiple_of(5),
        }
    }

    #[test]
    fn accounts_read_back_what_was_pushed_joined_and_gathered() {
        let all: Vec<Account> = (0..40).map(account).collect();
        let store: Accounts = all.iter().collect();
        assert_eq!(store.len(), 40);
        for (i, a) in all.iter().enumerate() {
            assert_eq!(store.get(i), a.view());
            assert_eq!(store.id(i), a.id);
            assert_eq!(store.workload(i), a.workload());
        }
        // Three parts joined by `append`, and the same gathered in reverse order.
        let parts: Vec<Accounts> = [0..10, 10..25, 25..40].into_iter().map(|r| all[r].iter().collect()).collect();
        let mut joined = Accounts::new();
        for p in parts {
            joined.append(p);
        }
        assert_eq!(joined, store);
        let reverse: Vec<u32> = (0..40).rev().collect();
        let gathered = joined.permuted(&reverse);
        for (new, &old) in reverse.iter().enumerate() {
            assert_eq!(gathered.get(new), all[old as usize].view());
        }
        assert_eq!(gathered.clone().permuted(&reverse), store);
        // Row-by-row parts gather to the same columns.
        let rows: Vec<AccountRows> = [0..10, 10..25, 25..40]
            .into_iter()
            .map(|r| {
                let mut p = AccountRows::with_capacity(r.len(), 0);
                for a in &all[r] {
                    p.push(a);
                }
                p
            })
            .collect();
        assert_eq!(rows[1].id(2), "A12");
        assert_eq!(Accounts::gather_rows(rows, &reverse), gathered);
        let mut kept = store.clone();
        kept.retain_flagged(&(0..40).map(|i| i % 4 != 1).collect::<Vec<_>>());
        assert_eq!(kept.len(), 30);
        assert_eq!(kept.get(1), all[2].view());
    }

    #[test]
    fn hex_round_trips() {
        for c in PALETTE {
            assert_eq!(Rgb::from_hex(&c.to_hex()), Some(c));
        }
        assert_eq!(Rgb::from_hex("#12345"), None);
        assert_eq!(Rgb::from_hex("zzzzzz"), None);
    }

    #[test]
    fn fresh_ids_do_not_collide() {
        let mut plan = Plan::default();
        for n in 0..3 {
            let id = plan.fresh_territory_id("New York Metro");
            plan.territories.push(Territory {
                id,
                name: "New York Metro".into(),
                color: palette_color(n),
                rep: None,
                rep_home: None,
                locked: false,
                alive: true,
            });
        }
        let ids: Vec<_> = plan.territories.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["new-york-metro", "new-york-metro-2", "new-york-metro-3"]);
    }
}

/// A set of accounts as sorted, disjoint, non-adjacent ranges of indices: compact for
/// what a lasso selects (whole runs of spatially sorted accounts), cheap to combine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<(u32, u32)>", into = "Vec<(u32, u32)>")]
pub struct AccountSet {
    ranges: Vec<(u32, u32)>,
    len: usize,
}

/// Serialised as its ranges; read back through [`AccountSet::from_sorted_ranges`]
/// after sorting, so that any list of ranges gives a valid set.
impl From<Vec<(u32, u32)>> for AccountSet {
    fn from(mut ranges: Vec<(u32, u32)>) -> AccountSet {
        ranges.sort_unstable();
        AccountSet::from_sorted_ranges(ranges)
    }
}

impl From<AccountSet> for Vec<(u32, u32)> {
    fn from(set: AccountSet) -> Vec<(u32, u32)> {
        set.ranges
    }
}

impl AccountSet {
    /// The set of these indices (any order, duplicates allowed).
    pub fn from_indices(mut idx: Vec<u32>) -> AccountSet {
        idx.sort_unstable();
        idx.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for i in idx {
            match ranges.last_mut() {
                Some(r) if r.1 == i => r.1 = i + 1,
                _ => ranges.push((i, i + 1)),
            }
        }
        AccountSet::from_sorted_ranges(ranges)
    }

    /// The set of sorted, disjoint half-open ranges (adjacent ones are merged).
    pub fn from_sorted_ranges(ranges: impl IntoIterator<Item = (u32, u32)>) -> AccountSet {
        let mut out: Vec<(u32, u32)> = Vec::new();
        for (s, e) in ranges {
            if s >= e {
                continue;
            }
            match out.last_mut() {
                Some(r) if r.1 >= s => r.1 = r.1.max(e),
                _ => out.push((s, e)),
            }
        }
        let len = out.iter().map(|(s, e)| (e - s) as usize).sum();
        AccountSet { ranges: out, len }
    }

    /// Every account of a plan with `n` accounts.
    pub fn all(n: usize) -> AccountSet {
        AccountSet::from_sorted_ranges([(0, n as u32)])
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The indices, in order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(s, e)| s..e)
    }

    pub fn contains(&self, i: u32) -> bool {
        let k = self.ranges.partition_point(|r| r.1 <= i);
        self.ranges.get(k).is_some_and(|r| r.0 <= i)
    }

    /// Whether no index is `>= n`.
    pub fn fits(&self, n: usize) -> bool {
        self.ranges.last().is_none_or(|r| r.1 as usize <= n)
    }

    /// Union.
    pub fn union(&self, other: &AccountSet) -> AccountSet {
        let mut all: Vec<(u32, u32)> = Vec::with_capacity(self.ranges.len() + other.ranges.len());
        let (mut i, mut j) = (0, 0);
        while i < self.ranges.len() || j < other.ranges.len() {
            let take_self = j >= other.ranges.len() || (i < self.ranges.len() && self.ranges[i].0 <= other.ranges[j].0);
            if take_self {
                all.push(self.ranges[i]);
                i += 1;
            } else {
                all.push(other.ranges[j]);
                j += 1;
            }
        }
        AccountSet::from_sorted_ranges(all)
    }

    /// Difference self − other.
    pub fn difference(&self, other: &AccountSet) -> AccountSet {
        let mut out = Vec::with_capacity(self.ranges.len());
        let mut j = 0;
        for &(s, e) in &self.ranges {
            let mut cur = s;
            while j < other.ranges.len() && other.ranges[j].1 <= cur {
                j += 1;
            }
            let mut k = j;
            while cur < e && k < other.ranges.len() && other.ranges[k].0 < e {
                let (os, oe) = other.ranges[k];
                if os > cur {
                    out.push((cur, os.min(e)));
                }
                cur = cur.max(oe);
                k += 1;
            }
            if cur < e {
                out.push((cur, e));
            }
        }
        AccountSet::from_sorted_ranges(out)
    }
}

#[cfg(test)]
mod set_tests {
    use super::AccountSet;

    #[test]
    fn ranges_merge_and_combine() {
        let a = AccountSet::from_indices(vec![5, 1, 2, 3, 9, 3]);
        assert_eq!(a.ranges(), &[(1, 4), (5, 6), (9, 10)]);
        assert_eq!(a.len(), 5);
        let b = AccountSet::from_sorted_ranges([(3, 6), (8, 12)]);
        assert_eq!(a.union(&b).ranges(), &[(1, 6), (8, 12)]);
        assert_eq!(a.difference(&b).ranges(), &[(1, 3)]);
        assert_eq!(b.difference(&a).ranges(), &[(4, 5), (8, 9), (10, 12)]);
        assert!(a.contains(2) && !a.contains(4) && a.contains(9));
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![1, 2, 3, 5, 9]);
    }
}
