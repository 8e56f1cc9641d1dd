//! From records to a plan and back: territories, and the checks every account and the
//! totals pass on the way in.

use super::*;

/// The live regions as records, in slot order (so that a plan reopens with the same
/// slots when none was deleted), each naming its parent by id.
pub(super) fn region_records(regions: &[Region]) -> Vec<RegionRecord> {
    live_regions(regions)
        .map(|(_, r)| RegionRecord {
            id: r.id.clone(),
            name: r.name.clone(),
            color: r.color.to_hex(),
            parent: r.parent.filter(|&p| region_live(regions, p)).map(|p| regions[p.get()].id.clone()),
        })
        .collect()
}

/// The regions of `records`, checked: ids unique, names not empty, every parent one of
/// them, no region inside itself (a cycle), at most [`crate::model::MAX_DEPTH`] levels.
pub(super) fn regions_from(records: &[RegionRecord], path: &str) -> Result<Vec<Region>, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    if records.len() > crate::model::MAX_REGIONS {
        return Err(invalid(format!("{} regions; at most {} are supported", records.len(), crate::model::MAX_REGIONS)));
    }
    let mut by_id: HashMap<&str, RegionIdx> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if by_id.insert(r.id.as_str(), RegionIdx(i as u32)).is_some() {
            return Err(invalid(format!("region id {} is used twice", quoted(&r.id))));
        }
        if r.name.trim().is_empty() {
            return Err(invalid(format!("region {} has no name", quoted(&r.id))));
        }
    }
    let regions = records
        .iter()
        .map(|r| {
            let color = Rgb::from_hex(&r.color).ok_or_else(|| {
                invalid(format!("region {}: colour {} is not #rrggbb", quoted(&r.id), quoted(&r.color)))
            })?;
            let parent = match &r.parent {
                Some(p) => Some(*by_id.get(p.as_str()).ok_or_else(|| {
                    invalid(format!("region {}: unknown parent region {}", quoted(&r.id), quoted(p)))
                })?),
                None => None,
            };
            Ok(Region { id: r.id.clone(), name: r.name.clone(), color, parent, alive: true })
        })
        .collect::<Result<Vec<Region>, PlanFileError>>()?;
    // Following parents from any region reaches the top within the depth limit; a
    // cycle never does.
    for (i, r) in records.iter().enumerate() {
        let mut at = Some(RegionIdx(i as u32));
        let mut levels = 0;
        while let Some(x) = at {
            levels += 1;
            if levels > crate::model::MAX_DEPTH {
                return Err(invalid(format!("region {} is nested too deep, or inside itself", quoted(&r.id))));
            }
            at = regions[x.get()].parent;
        }
    }
    Ok(regions)
}

pub(super) fn territory_records(territories: &[Territory], regions: &[Region]) -> Vec<TerritoryRecord> {
    territories
        .iter()
        .filter(|t| t.alive)
        .map(|t| TerritoryRecord {
            id: t.id.clone(),
            name: t.name.clone(),
            color: t.color.to_hex(),
            rep: t.rep.clone(),
            rep_home: t.rep_home,
            locked: t.locked,
            capacity: (t.capacity != 1.0).then_some(t.capacity),
            region: t.region.filter(|&r| region_live(regions, r)).map(|r| regions[r.get()].id.clone()),
            centre: t.centre,
        })
        .collect()
}

/// The territories of `records`, checked, their regions found among `regions`.
pub(super) fn territories_from(
    records: &[TerritoryRecord],
    regions: &[Region],
    path: &str,
) -> Result<Vec<Territory>, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    let region_of: HashMap<&str, RegionIdx> = live_regions(regions).map(|(i, r)| (r.id.as_str(), i)).collect();
    limits::check_territories(records.len()).map_err(invalid)?;
    let mut seen = HashMap::new();
    records
        .iter()
        .map(|t| {
            if seen.insert(t.id.as_str(), ()).is_some() {
                return Err(invalid(format!("territory id {} is used twice", quoted(&t.id))));
            }
            let color = Rgb::from_hex(&t.color).ok_or_else(|| {
                invalid(format!("territory {}: colour {} is not #rrggbb", quoted(&t.id), quoted(&t.color)))
            })?;
            if let Some((lon, lat)) = t.rep_home.filter(|&h| !crate::model::home_on_map(h)) {
                return Err(invalid(format!("territory {}: rep's home ({lon}, {lat}) is off the map", quoted(&t.id))));
            }
            if let Some((lon, lat)) = t.centre.filter(|&h| !crate::model::home_on_map(h)) {
                return Err(invalid(format!("territory {}: centre ({lon}, {lat}) is off the map", quoted(&t.id))));
            }
            let capacity = t.capacity.unwrap_or(1.0);
            let region =
                match &t.region {
                    Some(id) => Some(*region_of.get(id.as_str()).ok_or_else(|| {
                        invalid(format!("territory {}: unknown region {}", quoted(&t.id), quoted(id)))
                    })?),
                    None => None,
                };
            limits::check_capacity(capacity).map_err(|e| invalid(format!("territory {}: {e}", quoted(&t.id))))?;
            Ok(Territory {
                id: t.id.clone(),
                name: t.name.clone(),
                color,
                rep: t.rep.clone(),
                rep_home: t.rep_home,
                locked: t.locked,
                alive: true,
                capacity,
                region,
                centre: t.centre,
            })
        })
        .collect()
}

/// Checks one account's position and figures against [`limits`] (positions to ±90°,
/// as older versions wrote them; imports and edits keep to the map's 85.05°).
pub(super) fn check_account(
    id: &str,
    lon: f64,
    lat: f64,
    money: [i64; 2],
    visits: u32,
    minutes: u32,
) -> Result<(), String> {
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("account {}: coordinates ({lon}, {lat}) are out of range", quoted(id)));
    }
    let context = |e: String| format!("account {}: {e}", quoted(id));
    limits::check_money("potential", Cents(money[0])).map_err(context)?;
    limits::check_money("revenue", Cents(money[1])).map_err(context)?;
    limits::check_workload(visits, minutes).map_err(context)
}

/// Checks that the plan's totals fit ([`limits::TotalsCheck`]).
pub(super) fn check_totals(accounts: &Accounts, path: &str) -> Result<(), PlanFileError> {
    let mut totals = limits::TotalsCheck::default();
    for i in 0..accounts.len() {
        totals.add(accounts.potential()[i], accounts.annual_revenue()[i], accounts.workload(i));
    }
    totals.check().map_err(|detail| PlanFileError::Invalid { path: path.to_owned(), detail })
}

/// Converts a version-1 file to the model. `path` names the file in errors.
pub fn from_file(file: PlanFileV1, path: &str) -> Result<Plan, PlanFileError> {
    let invalid = |detail: String| PlanFileError::Invalid { path: path.to_owned(), detail };
    let territories = territories_from(&file.territories, &[], path)?;
    let by_id: HashMap<&str, TerritoryIdx> =
        file.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), TerritoryIdx::new(i as u32))).collect();
    let mut accounts = Accounts::with_capacity(file.accounts.len(), file.accounts.len() * 40);
    let mut assignment = Vec::with_capacity(file.accounts.len());
    for a in &file.accounts {
        check_account(&a.id, a.lon, a.lat, [a.potential_cents, a.revenue_cents], a.visits, a.minutes)
            .map_err(invalid)?;
        let t = match &a.territory {
            Some(id) => Some(
                *by_id
                    .get(id.as_str())
                    .ok_or_else(|| invalid(format!("account {}: unknown territory {}", quoted(&a.id), quoted(id))))?,
            ),
            None => None,
        };
        accounts.push(AccountRef {
            id: &a.id,
            name: &a.name,
            lon: a.lon,
            lat: a.lat,
            potential: Cents(a.potential_cents),
            annual_revenue: Cents(a.revenue_cents),
            visits_per_year: a.visits,
            minutes_per_visit: a.minutes,
            city: a.city.as_deref(),
            state: a.state.as_deref(),
            zip: a.zip.as_deref(),
            locked: a.locked,
        });
        assignment.push(t);
    }
    let plan = Plan {
        accounts,
        territories,
        assignment,
        currency: file.currency,
        view: file.view.map(|v| View { center_lon: v.lon, center_lat: v.lat, zoom: v.zoom }),
        ..Plan::default()
    };
    check_unique_ids(&plan, path)?;
    check_totals(&plan.accounts, path)?;
    Ok(plan)
}

pub(super) fn check_unique_ids(plan: &Plan, path: &str) -> Result<(), PlanFileError> {
    let accounts = &plan.accounts;
    let n = accounts.len();
    let hasher = crate::io::ids::id_hasher();
    let chunks: Vec<std::ops::Range<usize>> = (0..n).step_by(1 << 16).map(|s| s..(s + (1 << 16)).min(n)).collect();
    let hashes: Vec<u64> =
        crate::io::parallel(&chunks, |r| r.clone().map(|i| hasher.hash_one(accounts.id(i))).collect::<Vec<_>>())
            .concat();
    match crate::io::ids::duplicate_ids(n, || hashes.iter().copied(), |i| accounts.id(i)).first() {
        Some(&(i, first)) => Err(PlanFileError::Invalid {
            path: path.to_owned(),
            detail: format!(
                "account id {} appears twice (accounts #{} and #{})",
                quoted(accounts.id(i)),
                first + 1,
                i + 1
            ),
        }),
        None => Ok(()),
    }
}
