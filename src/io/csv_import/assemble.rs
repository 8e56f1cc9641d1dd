//! Assembly: the parsed pieces become one plan (territories by name, accounts in file or
//! grid order) and the report of what was rejected or warned about.

use super::*;

/// Joins the parsed pieces of a body, in file order: line numbers (each piece counts
/// from its own start, so its first line is known once all have counted theirs), the
/// territories by first appearance. `NotUtf8` if any piece met text that is not UTF-8
/// (the only error left once records are split: quoting errors do not exist for a
/// reader that, like `csv`'s, takes any text).
pub(super) fn finish_parse(
    mut results: Vec<Piece>,
    layout: &Layout,
    mut report: ImportReport,
) -> Result<Parsed, ParseError> {
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
            report.skipped.push(RowIssue::line(line, "blank line"));
        }
    }

    // Territories by first appearance (each piece lists its names in order of first
    // appearance), the first rep named with each, and a totals row only as the very
    // last record.
    let mut plan = Plan::default();
    let mut owners: Vec<Vec<Option<TerritoryIdx>>> = Vec::with_capacity(results.len());
    let mut territory_of: ahash::AHashMap<String, TerritoryIdx> = ahash::AHashMap::new();
    // O(1) a territory, whatever the names (`Plan::fresh_territory_id` scans them).
    let mut ids = crate::model::TerritoryIds::default();
    // The file's last record (a totals row is skipped only there).
    let last_record = results.iter().rev().find_map(|p| p.last_line);
    for piece in &mut results {
        let mut global: Vec<Option<TerritoryIdx>> = vec![None; piece.names.len()];
        for (n, name) in piece.names.iter().enumerate() {
            let Some(rep) = piece.first_rep[n] else { continue };
            let idx = match territory_of.get(name) {
                Some(&t) => t,
                None => {
                    let idx = TerritoryIdx::new(plan.territories.len() as u32);
                    plan.territories.push(Territory::new(
                        ids.fresh(name),
                        name.clone(),
                        palette_color(plan.territories.len()),
                    ));
                    territory_of.insert(name.clone(), idx);
                    idx
                }
            };
            global[n] = Some(idx);
            let t = &mut plan.territories[idx.get()];
            if t.rep.is_none() && rep != NO_NAME {
                t.rep = Some(piece.names[rep as usize].clone());
            }
            let region = piece.first_region[n];
            if t.region.is_none() && region != NO_NAME {
                // The first region named with the territory, as a path from the top; one
                // the tree cannot take leaves the territory at the top, and says so.
                let path = &piece.names[region as usize];
                match crate::model::ensure_path(&mut plan.regions, path) {
                    Ok(r) => t.region = Some(r),
                    Err(e) => report.notes.push(format!(
                        "territory {}: region {} left out ({e})",
                        crate::format::quoted(&t.name),
                        crate::format::quoted(path)
                    )),
                }
            }
        }
        owners.push(piece.territory.iter().map(|&t| if t == NO_NAME { None } else { global[t as usize] }).collect());
        for (line, other) in std::mem::take(&mut piece.others) {
            match other {
                Other::Blank => report.skipped.push(RowIssue::line(line, "blank line")),
                Other::Rejected(reason, id) => report.rejected.push(RowIssue { line, reason, id }),
                Other::Totals if Some(line) == last_record => report.skipped.push(RowIssue::line(line, "totals row")),
                Other::Totals => report.rejected.push(RowIssue::line(line, "missing latitude")),
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
        *owner = TerritoryIdx::new(new_of[owner.get()]);
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
    let mut parsed = Parsed {
        pieces: results,
        territories: plan.territories,
        regions: plan.regions,
        owners,
        removed: Vec::new(),
        report,
    };
    parsed.check_geocodes(layout.fix_coordinates);
    Ok(parsed)
}

impl Parsed {
    /// Runs the geocode check ([`crate::io::geocode`]) over every account: swapped or
    /// sign-lost positions are corrected (`fix`) or rejected, far ones listed, rows
    /// off the map rejected unless a swap corrects them.
    pub(super) fn check_geocodes(&mut self, fix: bool) {
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
        let findings = crate::io::geocode::check(&positions, &off_map);
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
    pub(super) fn in_file_order(self) -> (Plan, ImportReport) {
        let Parsed { pieces, territories, regions, owners, removed, mut report } = self;
        let duplicate = duplicates(&pieces);
        let lines = lines_of(&pieces);
        let rows = lines.len();
        let identity: Vec<u32> = (0..rows as u32).collect();
        let accounts = Accounts::gather_rows(pieces.into_iter().map(|p| p.accounts).collect(), &identity);
        let assignment = owners.into_iter().flatten().collect();
        let mut plan = Plan { accounts, territories, regions, assignment, ..Plan::default() };
        // Rows the geocode check rejects; then duplicate ids: the first one wins,
        // later ones are rejected.
        if !duplicate.is_empty() || !removed.is_empty() {
            let mut keep = vec![true; rows];
            for (i, reason) in removed {
                keep[i] = false;
                let id = Some(plan.accounts.id(i).to_owned());
                report.rejected.push(RowIssue { line: lines[i], reason, id });
            }
            for &(i, first) in &duplicate {
                if !keep[i] {
                    continue;
                }
                keep[i] = false;
                report.rejected.push(RowIssue {
                    line: lines[i],
                    reason: format!("duplicate id {} (first on line {})", quoted(plan.accounts.id(i)), lines[first]),
                    id: Some(plan.accounts.id(i).to_owned()),
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
    pub(super) fn in_grid_order(self) -> (Plan, Grid, ImportReport) {
        let ((grid, order), duplicate) = rayon::join(
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
        let Parsed { pieces, territories, regions, owners, removed: _, mut report } = self;
        let parts: Vec<AccountRows> = pieces.into_iter().map(|p| p.accounts).collect();
        let (accounts, assignment) = rayon::join(
            || Accounts::gather_rows(parts, &order),
            || {
                let all: Vec<Option<TerritoryIdx>> = owners.into_iter().flatten().collect();
                order.iter().map(|&i| all[i as usize]).collect::<Vec<_>>()
            },
        );
        let plan = Plan { accounts, territories, regions, assignment, ..Plan::default() };
        report.finish(plan.accounts.len());
        (plan, grid, report)
    }
}

/// The line of every account, pieces joined.
pub(super) fn lines_of(pieces: &[Piece]) -> Vec<u64> {
    pieces.iter().flat_map(|p| p.lines.iter().copied()).collect()
}

/// Puts the territories in name order ("Band 2" before "Band 10"), renumbering the
/// assignment: a stable, findable order for the balance panel and the number keys.
pub(super) fn sort_territories_by_name(territories: &mut Vec<Territory>) -> Vec<u32> {
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
