//! `set`: what the editor sets on a territory, for scripts and tests. Each change goes
//! through the editor's own commands, so it is checked exactly as a hand edit is.

use super::*;

/// What `set` changes.
pub(super) struct SetArgs {
    pub territory: Option<String>,
    pub capacity: Option<f64>,
    pub rep: Option<String>,
    pub region: Option<String>,
    pub travel: Option<OnOff>,
    pub travel_settings: TravelArgs,
}

/// The region at `path` from the top ("East/Mid-Atlantic"), each missing level created
/// by the editor's own command (so a script's regions are checked as the editor's are);
/// `None` for an empty path (the top).
fn region_at(
    editor: &mut Editor,
    path: &str,
    changed: &mut Vec<String>,
) -> Result<Option<crate::model::RegionIdx>, crate::edit::EditError> {
    let mut parent = None;
    for name in path.split('/').map(str::trim).filter(|n| !n.is_empty()) {
        parent = Some(match crate::model::find_child(&editor.plan().regions, parent, name) {
            Some(r) => r,
            None => {
                let cs = editor.apply(EditCommand::CreateRegion { name: name.to_owned(), parent })?;
                changed.extend(cs.map(|cs| cs.label.clone()));
                crate::model::RegionIdx(editor.plan().regions.len() as u32 - 1)
            }
        });
    }
    Ok(parent)
}

pub(super) fn set(
    path: &Path,
    scenario: &ScenarioArg,
    what: &SetArgs,
    out_path: &Path,
    as_json: bool,
) -> Result<(), Failure> {
    let territory_changes = what.capacity.is_some() || what.rep.is_some() || what.region.is_some();
    let travel_changes = what.travel.is_some()
        || what.travel_settings.speed.is_some()
        || what.travel_settings.detour.is_some()
        || what.travel_settings.visits_per_trip.is_some();
    if !territory_changes && !travel_changes {
        return Err(Failure::usage("set: nothing to set (give --capacity, --region, --rep or --travel)"));
    }
    if territory_changes && what.territory.is_none() {
        return Err(Failure::usage("set: --capacity, --region and --rep need --territory"));
    }
    let (plan, saved) = load_in(path, scenario)?;
    let mut commands = Vec::new();
    if let Some(travel) = what.travel_settings.resolve(what.travel, plan.travel).map_err(Failure::usage)? {
        commands.push(EditCommand::SetTravel { travel });
    }
    let t = match &what.territory {
        Some(key) => Some(find_territory(&plan, path, key)?),
        None => None,
    };
    if let (Some(t), Some(capacity)) = (t, what.capacity) {
        commands.push(EditCommand::SetCapacity { territory: t, capacity });
    }
    if let (Some(t), Some(rep)) = (t, &what.rep) {
        let rep = Some(rep.trim().to_owned()).filter(|r| !r.is_empty());
        commands.push(EditCommand::SetRep { territory: t, rep });
    }
    let mut editor = Editor::new(plan);
    let mut changed = Vec::new();
    let fail = |e: crate::edit::EditError| Failure::data(format!("{}: {e}", path.display()));
    if let (Some(t), Some(region_path)) = (t, &what.region) {
        let region = region_at(&mut editor, region_path, &mut changed).map_err(fail)?;
        commands.push(EditCommand::SetTerritoryRegion { territory: t, region });
    }
    for c in commands {
        let cs = editor.apply(c).map_err(fail)?;
        changed.extend(cs.map(|cs| cs.label.clone()));
    }
    let shared = editor.snapshot();
    drop(editor);
    let mut plan = std::sync::Arc::unwrap_or_clone(shared);
    save_in(&mut plan, saved, out_path)?;
    if as_json {
        print_json(&json::SetJson { schema: 1, changed, out: out_path.display().to_string() });
    } else {
        let what = if changed.is_empty() { "nothing changed".to_owned() } else { changed.join("; ") };
        out(&format!("{what}; wrote {}\n", out_path.display()));
    }
    Ok(())
}
