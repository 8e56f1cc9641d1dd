//! `select` and `assign`: the accounts inside a GeoJSON area.

use super::*;

/// Selects the accounts inside a GeoJSON file's areas; warns about skipped features.
pub(super) fn select_in(plan: &Plan, polygon: &Path) -> Result<Vec<u32>, Failure> {
    let areas = geojson_areas::load(polygon).map_err(Failure::data)?;
    for s in &areas.skipped {
        eprintln!("warning: {}: {s}", polygon.display());
    }
    // One pass over the accounts against the banded polygon: no R-tree to build, and
    // a polygon of a million vertices costs tens of edge tests an account.
    let mp = areas.union();
    let Some((lo, hi)) = crate::spatial::bbox(&mp) else { return Ok(Vec::new()) };
    let index = crate::spatial::PolygonIndex::new(&mp);
    let (lon, lat) = (plan.accounts.lon(), plan.accounts.lat());
    Ok((0..plan.accounts.len() as u32)
        .filter(|&i| {
            let (x, y) = (lon[i as usize], lat[i as usize]);
            (lo.x..=hi.x).contains(&x) && (lo.y..=hi.y).contains(&y) && index.contains(x, y)
        })
        .collect())
}

pub(super) fn select(path: &Path, scenario: &ScenarioArg, polygon: &Path, as_json: bool) -> Result<(), Failure> {
    let (plan, _) = load_in(path, scenario)?;
    let selected = select_in(&plan, polygon)?;
    let mut total = Totals::default();
    let mut by = vec![Totals::default(); plan.territories.len()];
    let mut unassigned = Totals::default();
    for &i in &selected {
        let a = plan.accounts.get(i as usize);
        total.add(a);
        match plan.assignment[i as usize] {
            Some(t) => by[t.get()].add(a),
            None => unassigned.add(a),
        }
    }
    let named: Vec<(String, String, &Totals)> = plan
        .live_territories()
        .filter(|(i, _)| by[i.get()].accounts > 0)
        .map(|(i, t)| (t.id.clone(), t.name.clone(), &by[i.get()]))
        .chain((unassigned.accounts > 0).then(|| (String::new(), "Unassigned".to_owned(), &unassigned)))
        .collect();
    if as_json {
        let by_territory = named
            .iter()
            .map(|(id, name, t)| json::SelectTerritory {
                id: (!id.is_empty()).then_some(id.as_str()),
                name,
                totals: (*t).into(),
            })
            .collect();
        print_json(&json::SelectJson { schema: 1, selected: (&total).into(), by_territory });
    } else {
        let mut rows: Vec<Vec<String>> = named.iter().map(|(_, n, t)| totals_row(n, t)).collect();
        rows.push(totals_row("selected", &total));
        out(&table(&["territory", "accounts", "potential", "revenue", "workload h"], &rows));
    }
    Ok(())
}

pub(super) fn assign(
    path: &Path,
    scenario: &ScenarioArg,
    polygon: &Path,
    to: &str,
    out_path: &Path,
    as_json: bool,
) -> Result<(), Failure> {
    let (plan, saved) = load_in(path, scenario)?;
    let target = if to.eq_ignore_ascii_case("unassigned") { None } else { Some(find_territory(&plan, path, to)?) };
    let selected = select_in(&plan, polygon)?;
    let mut editor = Editor::new(plan);
    let accounts = AccountSet::from_indices(selected.clone());
    let moved = editor
        .apply(EditCommand::Reassign { accounts, to: target })
        .map_err(|e| Failure::data(format!("{}: {e}", path.display())))?
        .map_or(0, |cs| cs.moved());
    let already = selected.iter().filter(|&&i| editor.plan().assignment[i as usize] == target).count() - moved;
    let locked = selected.len() - moved - already;
    let name = editor.plan().territory_name(target).to_owned();
    // The editor's plan, taken over without a copy.
    let shared = editor.snapshot();
    drop(editor);
    let mut plan = std::sync::Arc::unwrap_or_clone(shared);
    save_in(&mut plan, saved, out_path)?;
    if as_json {
        print_json(&json::AssignJson {
            schema: 1,
            selected: selected.len(),
            moved,
            already_there: already,
            locked,
            to: &name,
            out: out_path.display().to_string(),
        });
    } else {
        out(&format!(
            "{} accounts in the area: {moved} moved to {name}, {already} were there already, {locked} locked; wrote {}\n",
            selected.len(),
            out_path.display()
        ));
    }
    Ok(())
}
