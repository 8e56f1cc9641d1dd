//! Region commands: the tree kept whole in the change set (before and after), and the
//! territories whose region or lock changes with it as territory changes.

use super::*;
use crate::model::{RegionError, ancestors, live_slots, new_region, region_live, within};

impl Editor {
    fn live_region(&self, r: RegionIdx) -> Result<&Region, EditError> {
        self.plan.regions.get(r.get()).filter(|x| x.alive).ok_or(EditError::Region(RegionError::NoSuchRegion(r.0)))
    }

    /// The change set of a region command (the others go to `change_set`).
    pub(super) fn region_change_set(&self, cmd: Command) -> Result<ChangeSet, EditError> {
        let before = self.plan.regions.clone();
        let mut after = before.clone();
        let mut cs = Self::empty(String::new());
        match cmd {
            Command::CreateRegion { name, parent } => {
                if name.trim().is_empty() {
                    return Err(RegionError::EmptyName.into());
                }
                if let Some(p) = parent {
                    self.live_region(p)?;
                    if ancestors(&before, Some(p)).count() >= crate::model::MAX_DEPTH {
                        return Err(RegionError::TooDeep.into());
                    }
                }
                if after.len() >= crate::model::MAX_REGIONS {
                    return Err(RegionError::TooMany.into());
                }
                let region = new_region(&after, &name, parent);
                cs.label = format!("Create region {}", region.name);
                after.push(region);
            }
            Command::RenameRegion { region, name } => {
                self.live_region(region)?;
                if name.trim().is_empty() {
                    return Err(RegionError::EmptyName.into());
                }
                cs.label = format!("Rename region to {}", name.trim());
                after[region.get()].name = name.trim().to_owned();
            }
            Command::MoveRegion { region, parent } => {
                let name = self.live_region(region)?.name.clone();
                if let Some(p) = parent {
                    self.live_region(p)?;
                    if ancestors(&before, Some(p)).any(|a| a == region) {
                        return Err(RegionError::Cycle(name).into());
                    }
                }
                after[region.get()].parent = parent;
                if self.deepest_below(&after, region) > crate::model::MAX_DEPTH {
                    return Err(RegionError::TooDeep.into());
                }
                let to = parent.map_or("the top".to_owned(), |p| before[p.get()].name.clone());
                cs.label = format!("Move region {name} into {to}");
            }
            Command::DeleteRegion { region } => {
                let gone = self.live_region(region)?.clone();
                cs.label = format!("Delete region {}", gone.name);
                after[region.get()].alive = false;
                for r in after.iter_mut().filter(|r| r.alive && r.parent == Some(region)) {
                    r.parent = gone.parent;
                }
                for (t, tt) in live_slots(&self.plan.territories).filter(|(_, t)| t.region == Some(region)) {
                    let mut moved = tt.clone();
                    moved.region = gone.parent;
                    cs.territories.push(TerritoryChange { slot: t, before: Some(tt.clone()), after: Some(moved) });
                }
            }
            Command::SetTerritoryRegion { territory, region } => {
                if let Some(r) = region {
                    self.live_region(r)?;
                }
                let name = self.live(territory)?.name.clone();
                let to = region.map_or("no region".to_owned(), |r| before[r.get()].name.clone());
                return self.territory_edit(territory, format!("Move {name} to {to}"), |t| t.region = region);
            }
            Command::LockRegion { region, locked } => {
                let name = self.live_region(region)?.name.clone();
                cs.label = format!("{} region {name}", if locked { "Lock" } else { "Unlock" });
                for (t, tt) in live_slots(&self.plan.territories) {
                    if within(&before, tt.region, region) && tt.locked != locked {
                        let mut changed = tt.clone();
                        changed.locked = locked;
                        cs.territories.push(TerritoryChange {
                            slot: t,
                            before: Some(tt.clone()),
                            after: Some(changed),
                        });
                    }
                }
                return Ok(cs);
            }
            _ => unreachable!("not a region command"),
        }
        if after != before {
            cs.regions = Some(Box::new((before, after)));
        }
        Ok(cs)
    }

    /// The depth of the deepest region within `r` (itself included), counted from the
    /// top, in `regions`.
    fn deepest_below(&self, regions: &[Region], r: RegionIdx) -> usize {
        (0..regions.len())
            .map(|i| RegionIdx(i as u32))
            .filter(|&i| region_live(regions, i) && ancestors(regions, Some(i)).any(|a| a == r))
            .map(|i| ancestors(regions, Some(i)).count())
            .max()
            .unwrap_or(0)
    }
}
