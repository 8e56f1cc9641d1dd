//! Reading: the version sniff, the canonical layout cut into pieces parsed on every
//! core (any other valid RON sequentially), and `stats` without keeping the rows.

use super::*;

/// The `version` the text declares, if it can be found before the accounts.
pub(super) fn sniff_version(text: &str) -> Option<u32> {
    // Bytes, not `str`: 64 KiB may end inside a multi-byte character.
    let head = &text.as_bytes()[..text.len().min(1 << 16)];
    let at = memchr::memmem::find(head, b"version:")? + "version:".len();
    let rest = head[at..].trim_ascii_start();
    let digits = &rest[..rest.iter().take_while(|b| b.is_ascii_digit()).count()];
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Splits the canonical layout into the header (with an empty account list) and the
/// rows' text; `None` for any other layout.
pub(super) fn split_canonical(text: &str) -> Option<(String, &str, usize)> {
    let open = text.find(ROWS_OPEN)?;
    let rows_start = open + ROWS_OPEN.len();
    // The rows' close, from the newline that ends the last row (or the list's own for
    // an empty one).
    let close = rows_close(text)?;
    if close + 1 < rows_start {
        return None;
    }
    let header = format!("{}\n    accounts: [],{}", &text[..open], &text[close + ROWS_CLOSE.len() - 1..]);
    let first_line = text[..rows_start].bytes().filter(|&b| b == b'\n').count() + 1;
    Some((header, &text[rows_start..close + 1], first_line))
}

/// Where the rows' close starts: line by line from the end, the scenarios of version 3
/// (when the line that opens them comes before any account row) or else the file's
/// last close. Only the lines after the rows are read.
fn rows_close(text: &str) -> Option<usize> {
    let mut end = text.len();
    while let Some(nl) = memchr::memrchr(b'\n', &text.as_bytes()[..end]) {
        let line = &text[nl + 1..end];
        if line == SCENARIOS_OPEN {
            return text[..nl + 1].rfind(ROWS_CLOSE);
        }
        if line.starts_with(ROW_INDENT) && line[ROW_INDENT.len()..].starts_with("(\"") {
            break;
        }
        end = nl;
    }
    text.rfind(ROWS_CLOSE)
}

/// [`rows_close`] in the last part of a file (`tail`, its first line perhaps cut): the
/// close's offset in `tail`, or `None` when more of the file before it is needed.
pub(super) fn rows_close_in_tail(tail: &str) -> Option<usize> {
    let first_whole = tail.find('\n')?;
    let mut end = tail.len();
    while let Some(nl) = memchr::memrchr(b'\n', &tail.as_bytes()[..end]) {
        if nl < first_whole {
            return None;
        }
        let line = &tail[nl + 1..end];
        if line == SCENARIOS_OPEN {
            return tail[..nl + 1].rfind(ROWS_CLOSE);
        }
        if line.starts_with(ROW_INDENT) && line[ROW_INDENT.len()..].starts_with("(\"") {
            return tail.rfind(ROWS_CLOSE).filter(|&c| c > nl);
        }
        end = nl;
    }
    None
}

/// Cuts the rows' text into pieces of about 1 MB at line ends, with each piece's
/// first line number.
pub(super) fn pieces(rows: &str, first_line: usize) -> Vec<(&str, usize)> {
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
        line += memchr::memchr_iter(b'\n', &rows.as_bytes()[start..end]).count();
        start = end;
    }
    out
}

pub(super) fn syntax(path: &str, line_offset: usize, e: &ron::error::SpannedError) -> PlanFileError {
    let line = e.span.start.line + line_offset.saturating_sub(1);
    PlanFileError::Syntax { path: path.to_owned(), detail: format!("line {line}: {}", e.code) }
}

/// The header of a version-2 file and its rows' text (or the rows themselves, when
/// the layout is not canonical).
pub(super) enum Parsed<'a> {
    Canonical { header: PlanFileV2<'static>, pieces: Vec<(&'a str, usize)> },
    Whole(PlanFileV2<'a>),
}

impl<'a> Parsed<'a> {
    /// `Whole` in place of a canonical layout with scenarios, which `stats` reads whole.
    fn filter_single_scenario(self) -> Parsed<'a> {
        match self {
            Parsed::Canonical { header, .. } if !header.scenarios.is_empty() || header.current.is_some() => {
                Parsed::Whole(PlanFileV2 { accounts: Vec::new(), ..header })
            }
            other => other,
        }
    }
}

pub(super) fn parse_v2<'a>(text: &'a str, path: &str) -> Result<Parsed<'a>, PlanFileError> {
    if let Some((header_text, rows, first_line)) = split_canonical(text)
        && let Ok(header) = ron_options().from_str::<PlanFileV2<'_>>(&header_text)
    {
        let header = PlanFileV2 { accounts: Vec::new(), ..header };
        return Ok(Parsed::Canonical { header, pieces: pieces(rows, first_line) });
    }
    let file: PlanFileV2<'_> = ron_options().from_str(text).map_err(|e| syntax(path, 1, &e))?;
    Ok(Parsed::Whole(file))
}

pub(super) fn check_version(text: &str, path: &str) -> Result<u32, PlanFileError> {
    let version = sniff_version(text).unwrap_or(CURRENT_VERSION);
    if version > CURRENT_VERSION {
        return Err(PlanFileError::TooNew { path: path.to_owned(), found: version });
    }
    Ok(version)
}

/// Converts rows to accounts and owners, checking them.
pub(super) fn accounts_of(
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

pub(super) fn plan_shell(header: &PlanFileV2<'_>, path: &str) -> Result<Plan, PlanFileError> {
    let regions = regions_from(&header.regions, path)?;
    if let Some(t) = &header.travel {
        t.check().map_err(|e| PlanFileError::Invalid { path: path.to_owned(), detail: format!("travel: {e}") })?;
    }
    Ok(Plan {
        accounts: Accounts::new(),
        territories: territories_from(&header.territories, &regions, path)?,
        regions,
        assignment: Vec::new(),
        currency: header.currency.clone(),
        travel: header.travel,
        view: header.view.map(|v| View { center_lon: v.lon, center_lat: v.lat, zoom: v.zoom }),
        ..Plan::default()
    })
}

/// Parses RON text of any version; `path` names the file in errors.
pub fn from_ron_str(text: &str, path: &str) -> Result<Plan, PlanFileError> {
    from_ron_str_with(text, path, None)
}

/// [`from_ron_str`], reporting progress and stopping when cancelled.
pub fn from_ron_str_with(
    text: &str,
    path: &str,
    progress: Option<&crate::io::Progress>,
) -> Result<Plan, PlanFileError> {
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
        header.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), TerritoryIdx::new(i as u32))).collect();
    let parts = match &parsed {
        Parsed::Canonical { pieces, .. } => crate::io::parallel_with(pieces, progress, |(piece, line)| {
            accounts_of(rows::parse_rows(piece, *line, path)?, &by_id, path)
        }),
        Parsed::Whole(file) => vec![accounts_of(file.accounts.clone(), &by_id, path)],
    };
    if progress.is_some_and(crate::io::Progress::is_cancelled) {
        return Err(PlanFileError::Cancelled { path: path.to_owned() });
    }
    let total: usize = parts.iter().filter_map(|p| p.as_ref().ok()).map(|(a, _)| a.len()).sum();
    plan.accounts.reserve_columns(total);
    plan.assignment.reserve_exact(total);
    for part in parts {
        let (accounts, owners) = part?;
        plan.accounts.append(accounts);
        plan.assignment.extend(owners);
    }
    check_unique_ids(&plan, path)?;
    check_totals(&plan.accounts, path)?;
    scenarios::attach_scenarios(&mut plan, header, path)?;
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
    let text = crate::io::read_text(path)?;
    let name = path.display().to_string();
    if check_version(&text, &name)? == 1 {
        let plan = from_ron_str(&text, &name)?;
        let metrics = Metrics::recompute(&plan);
        let accounts = plan.accounts.len();
        return Ok(PlanStats { plan, metrics, accounts });
    }
    // A plan with scenarios (its current one may not be the rows') is read whole.
    let parsed = parse_v2(&text, &name)?;
    let Parsed::Canonical { header, pieces } = parsed.filter_single_scenario() else {
        let plan = from_ron_str(&text, &name)?;
        let metrics = Metrics::recompute(&plan);
        let accounts = plan.accounts.len();
        return Ok(PlanStats { plan, metrics, accounts });
    };
    let plan = plan_shell(&header, &name)?;
    let by_id: HashMap<&str, usize> = header.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
    let k = plan.territories.len();
    let folded =
        crate::io::parallel(&pieces, |(piece, line)| -> Result<(Metrics, usize, limits::TotalsCheck), PlanFileError> {
            let rows = rows::parse_rows(piece, *line, &name)?;
            let mut m = Metrics::empty(k);
            let mut totals = limits::TotalsCheck::default();
            for AccountRow(id, _, lon, lat, pot, rev, visits, minutes, _, _, _, territory, _) in &rows {
                check_account(id, *lon, *lat, [*pot, *rev], *visits, *minutes)
                    .map_err(|detail| PlanFileError::Invalid { path: name.clone(), detail })?;
                totals.add(Cents(*pot), Cents(*rev), crate::model::Minutes::of_visits(*visits, *minutes));
                let slot = match territory {
                    Some(t) => {
                        &mut m.territories[*by_id.get(t.as_ref()).ok_or_else(|| PlanFileError::Invalid {
                            path: name.clone(),
                            detail: format!("account {}: unknown territory {}", quoted(id), quoted(t)),
                        })?]
                    }
                    None => &mut m.unassigned,
                };
                // What an account adds, as the metrics add it (the centre sums too).
                slot.add(AccountRef {
                    id,
                    name: "",
                    lon: *lon,
                    lat: *lat,
                    potential: Cents(*pot),
                    annual_revenue: Cents(*rev),
                    visits_per_year: *visits,
                    minutes_per_visit: *minutes,
                    city: None,
                    state: None,
                    zip: None,
                    locked: false,
                });
            }
            Ok((m, rows.len(), totals))
        });
    let mut metrics = Metrics::empty(k);
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
