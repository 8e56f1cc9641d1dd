//! The accounts stored by column: numbers in vectors, text in a few shared buffers;
//! rows gathered in parallel ([`AccountRows`]) and put in any order.

use super::texts::Texts;
use super::*;
use rayon::prelude::*;
use std::sync::Arc;

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
    /// The positions, degrees: shared (not copied) with the accounts' triangulation
    /// of the editor's areas ([`Accounts::position_columns`]); a change copies them.
    lon: Arc<Vec<f64>>,
    lat: Arc<Vec<f64>>,
    potential: Vec<Cents>,
    annual_revenue: Vec<Cents>,
    visits_per_year: Vec<u32>,
    minutes_per_visit: Vec<u32>,
    locked: Vec<bool>,
    /// The row of each account's text in `text`.
    text_row: Vec<u32>,
    text: Texts,
}

impl PartialEq for Accounts {
    fn eq(&self, other: &Accounts) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Accounts {
    /// Up to `limit` accounts, in plan order, whose name or city contains `query`
    /// (ignoring case), whose id is `query` (ignoring ASCII case), or whose ZIP starts
    /// with it: the editor's "Find account", O(N).
    pub fn search(&self, query: &str, limit: usize) -> Vec<u32> {
        let query = query.to_lowercase();
        let contains = |text: &str| text.to_lowercase().contains(&query);
        self.iter()
            .enumerate()
            .filter(|(_, a)| {
                contains(a.name)
                    || a.id.eq_ignore_ascii_case(&query)
                    || a.city.is_some_and(contains)
                    || a.zip.is_some_and(|z| z.starts_with(&query))
            })
            .map(|(i, _)| i as u32)
            .take(limit)
            .collect()
    }

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
        self.reserve_columns(n);
        self.text.reserve(n, text_bytes);
    }

    /// Room for `n` more accounts in the numeric columns, exactly (for joining parts,
    /// whose text chunks are taken over as they are).
    pub fn reserve_columns(&mut self, n: usize) {
        Arc::make_mut(&mut self.lon).reserve_exact(n);
        Arc::make_mut(&mut self.lat).reserve_exact(n);
        self.potential.reserve_exact(n);
        self.annual_revenue.reserve_exact(n);
        self.visits_per_year.reserve_exact(n);
        self.minutes_per_visit.reserve_exact(n);
        self.locked.reserve_exact(n);
        self.text_row.reserve_exact(n);
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
        Arc::make_mut(&mut self.lon).push(a.lon);
        Arc::make_mut(&mut self.lat).push(a.lat);
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
        Arc::make_mut(&mut self.lon).append(Arc::make_mut(&mut other.lon));
        Arc::make_mut(&mut self.lat).append(Arc::make_mut(&mut other.lat));
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

    /// The CRM ids in order.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(move |i| self.id(i))
    }

    /// Whether `other` lists the same ids in the same order. Fast when both keep their
    /// text in the same rows (a copy, or the same file): the ids are then compared in
    /// storage order, at memory speed, instead of account by account.
    pub fn same_ids(&self, other: &Accounts) -> bool {
        if self.len() != other.len() {
            return false;
        }
        // Rows no account uses may differ: then the account-by-account check decides.
        let stored_alike = self.text_row == other.text_row
            && self.text.rows() == other.text.rows()
            && (0..self.text.rows()).all(|r| self.text.get(r, 0) == other.text.get(r, 0));
        stored_alike || self.ids().eq(other.ids())
    }

    /// The accounts in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = AccountRef<'_>> + DoubleEndedIterator + Clone + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// (lon, lat) of each account, degrees.
    pub fn positions(&self) -> impl ExactSizeIterator<Item = (f64, f64)> + Clone + '_ {
        self.lon.iter().zip(self.lat.iter()).map(|(&x, &y)| (x, y))
    }

    /// The longitude and latitude columns themselves, shared: what the accounts'
    /// triangulation keeps ([`crate::quality::adjacency_of_columns`]), without a copy
    /// of 16 bytes an account.
    pub fn position_columns(&self) -> (Arc<Vec<f64>>, Arc<Vec<f64>>) {
        (self.lon.clone(), self.lat.clone())
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
        Minutes::of_visits(self.visits_per_year[i], self.minutes_per_visit[i])
    }

    pub fn set_locked(&mut self, i: usize, locked: bool) {
        self.locked[i] = locked;
    }

    /// Exchanges the lock column with `other` (a scenario's account locks): O(1).
    /// `other` must hold one flag per account.
    pub fn swap_locked(&mut self, other: &mut Vec<bool>) {
        debug_assert_eq!(other.len(), self.locked.len());
        std::mem::swap(&mut self.locked, other);
    }

    /// The accounts in the given order (`order[new] = old`; each old index at most
    /// once). The text stays where it is; only its row references move. A column at a
    /// time, each gathered on every core and its old copy freed before the next, so
    /// that sorting a million accounts needs one column (8 MB) beside them, not a second
    /// copy of them all.
    pub fn permuted(self, order: &[u32]) -> Accounts {
        fn gather<T: Copy + Send + Sync>(v: Vec<T>, order: &[u32]) -> Vec<T> {
            use rayon::prelude::*;
            order.par_iter().with_min_len(crate::PARALLEL_MIN).map(|&i| v[i as usize]).collect()
        }
        let Accounts {
            lon,
            lat,
            potential,
            annual_revenue,
            visits_per_year,
            minutes_per_visit,
            locked,
            text_row,
            text,
        } = self;
        Accounts {
            lon: Arc::new(gather(Arc::unwrap_or_clone(lon), order)),
            lat: Arc::new(gather(Arc::unwrap_or_clone(lat), order)),
            potential: gather(potential, order),
            annual_revenue: gather(annual_revenue, order),
            visits_per_year: gather(visits_per_year, order),
            minutes_per_visit: gather(minutes_per_visit, order),
            locked: gather(locked, order),
            text_row: gather(text_row, order),
            text,
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
            if order.len() < 50_000 { (first(), second()) } else { rayon::join(first, second) };
        let mut text = Texts::default();
        for p in parts {
            text.append(p.text);
        }
        let (lon, lat) = (Arc::new(lon), Arc::new(lat));
        Accounts { lon, lat, potential, annual_revenue, visits_per_year, minutes_per_visit, locked, text_row, text }
    }

    /// Keeps the accounts whose `keep` flag is set (the text of the others stays in
    /// the buffer until the next copy).
    pub fn retain_flagged(&mut self, keep: &[bool]) {
        fn filter<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut k = keep.iter();
            v.retain(|_| k.next().copied().unwrap_or(true));
        }
        filter(Arc::make_mut(&mut self.lon), keep);
        filter(Arc::make_mut(&mut self.lat), keep);
        filter(&mut self.potential, keep);
        filter(&mut self.annual_revenue, keep);
        filter(&mut self.visits_per_year, keep);
        filter(&mut self.minutes_per_visit, keep);
        filter(&mut self.locked, keep);
        filter(&mut self.text_row, keep);
    }
}

/// Where each index of `order` lives among parts of these lengths, numbered as if
/// concatenated: (part, index in part), on every core for large orders.
pub(super) fn locate(lens: &[usize], order: &[u32]) -> Vec<(u32, u32)> {
    let mut part_of: Vec<u32> = Vec::with_capacity(lens.iter().sum());
    let mut starts = Vec::with_capacity(lens.len());
    for (k, &n) in lens.iter().enumerate() {
        starts.push(part_of.len() as u32);
        part_of.resize(part_of.len() + n, k as u32);
    }
    order
        .par_iter()
        .with_min_len(crate::PARALLEL_MIN)
        .map(|&g| {
            let k = part_of[g as usize];
            (k, g - starts[k as usize])
        })
        .collect()
}

/// The number each part's first text row gets when the parts' texts are joined.
pub(super) fn text_offsets(rows: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut total = 0;
    rows.map(|r| {
        total += r;
        total - r
    })
    .collect()
}

/// The numbers of one account, as [`AccountRows`] keeps them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Numbers {
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
