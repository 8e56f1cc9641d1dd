//! Regions: territories roll up into regions, and regions into regions (area, region,
//! territory is typical; any depth is allowed). A region lives in a stable slot
//! ([`RegionIdx`]) like a territory, so that undo brings a deleted one back without
//! renumbering; a territory names its region in [`Territory::region`]. The tree belongs
//! to the scenario, as the territories do.

use serde::{Deserialize, Serialize};

use super::{Rgb, Territory, TerritoryIdx, distinct_color, live_slots, palette_color, territory_id_base};

/// The most regions a plan holds (a region per territory is already more than any
/// hierarchy needs), and the deepest a tree may be.
pub const MAX_REGIONS: usize = 10_000;
pub const MAX_DEPTH: usize = 16;

/// A region's slot in [`super::Plan::regions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionIdx(pub u32);

impl RegionIdx {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// A region: a name, a colour for the map's region view, and its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Stable identifier, unique among live regions.
    pub id: String,
    pub name: String,
    pub color: Rgb,
    /// The region it belongs to; `None` at the top.
    pub parent: Option<RegionIdx>,
    /// False once deleted; the slot is kept so that undo can restore it.
    pub alive: bool,
}

/// Why a change to the tree was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("region #{0} does not exist")]
    NoSuchRegion(u32),
    #[error("a region needs a name")]
    EmptyName,
    #[error("\"{0}\" cannot go into itself or a region inside it")]
    Cycle(String),
    #[error("a region path of more than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("more than {MAX_REGIONS} regions")]
    TooMany,
}

/// The live regions of a slot list, in slot order.
pub fn live_regions(regions: &[Region]) -> impl Iterator<Item = (RegionIdx, &Region)> {
    regions.iter().enumerate().filter(|(_, r)| r.alive).map(|(i, r)| (RegionIdx(i as u32), r))
}

/// Whether `r` names a live region.
pub fn region_live(regions: &[Region], r: RegionIdx) -> bool {
    regions.get(r.get()).is_some_and(|x| x.alive)
}

/// `r` and its ancestors, nearest first (a broken or cyclic chain stops after
/// [`MAX_DEPTH`] steps, so that this always ends).
pub fn ancestors(regions: &[Region], r: Option<RegionIdx>) -> impl Iterator<Item = RegionIdx> + '_ {
    let mut next = r.filter(|&r| region_live(regions, r));
    let mut steps = 0;
    std::iter::from_fn(move || {
        let r = next?;
        steps += 1;
        next = if steps > MAX_DEPTH { None } else { regions[r.get()].parent.filter(|&p| region_live(regions, p)) };
        Some(r)
    })
}

/// Whether a territory in region `territory_region` lies within `r` (in it, or in a
/// region inside it).
pub fn within(regions: &[Region], territory_region: Option<RegionIdx>, r: RegionIdx) -> bool {
    ancestors(regions, territory_region).any(|a| a == r)
}

/// The region's path from the top, names joined by `/`: "East/Mid-Atlantic".
pub fn region_path(regions: &[Region], r: RegionIdx) -> String {
    let mut names: Vec<&str> = ancestors(regions, Some(r)).map(|a| regions[a.get()].name.as_str()).collect();
    names.reverse();
    names.join("/")
}

/// How deep `r` sits (0 at the top).
pub fn depth(regions: &[Region], r: RegionIdx) -> usize {
    ancestors(regions, Some(r)).count().saturating_sub(1)
}

/// The territories within `r` (recursively), in slot order.
pub fn territories_within(regions: &[Region], territories: &[Territory], r: RegionIdx) -> Vec<TerritoryIdx> {
    live_slots(territories).filter(|(_, t)| within(regions, t.region, r)).map(|(i, _)| i).collect()
}

/// The region a key names among the live ones: its id, or its path ("East/Mid-Atlantic"),
/// or its name when no other region has it; exactly, then ignoring case.
pub fn find_region(regions: &[Region], key: &str) -> Option<RegionIdx> {
    let key = key.trim().trim_matches('/');
    let exact = |eq: &dyn Fn(&str, &str) -> bool| {
        let by_id = live_regions(regions).find(|(_, r)| eq(&r.id, key));
        let by_path = || live_regions(regions).find(|(i, _)| eq(&region_path(regions, *i), key));
        let by_name = || {
            let mut named = live_regions(regions).filter(|(_, r)| eq(&r.name, key));
            let first = named.next();
            if named.next().is_some() { None } else { first }
        };
        by_id.or_else(by_path).or_else(by_name).map(|(i, _)| i)
    };
    exact(&|a, b| a == b).or_else(|| exact(&|a, b| a.eq_ignore_ascii_case(b)))
}

/// An id not used by any region slot, derived from `name` (as territories' are).
pub fn fresh_region_id(regions: &[Region], name: &str) -> String {
    let base = territory_id_base(name);
    let taken = |id: &str| regions.iter().any(|r| r.id == id);
    if !taken(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|id| !taken(id)).unwrap_or(base)
}

/// A new live region named `name` under `parent`, in the first palette colour no other
/// region has (the palette's order keeps neighbouring colours apart), or else the one
/// farthest from theirs.
pub fn new_region(regions: &[Region], name: &str, parent: Option<RegionIdx>) -> Region {
    let used: Vec<Rgb> = live_regions(regions).map(|(_, r)| r.color).collect();
    let color = (0..64).map(palette_color).find(|c| !used.contains(c)).unwrap_or_else(|| distinct_color(&used));
    Region { id: fresh_region_id(regions, name), name: name.trim().to_owned(), color, parent, alive: true }
}

/// The live region named `name` directly inside `parent` (`None`: at the top), exactly
/// or else ignoring case.
pub fn find_child(regions: &[Region], parent: Option<RegionIdx>, name: &str) -> Option<RegionIdx> {
    let here = || live_regions(regions).filter(move |(_, r)| r.parent == parent);
    here()
        .find(|(_, r)| r.name == name)
        .or_else(|| here().find(|(_, r)| r.name.eq_ignore_ascii_case(name)))
        .map(|(i, _)| i)
}

/// The region at `path` ("East/Mid-Atlantic": names from the top, `/` between them),
/// creating the regions that are missing (added to `regions`). Returns it.
pub fn ensure_path(regions: &mut Vec<Region>, path: &str) -> Result<RegionIdx, RegionError> {
    let parts: Vec<&str> = path.split('/').map(str::trim).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Err(RegionError::EmptyName);
    }
    if parts.len() > MAX_DEPTH {
        return Err(RegionError::TooDeep);
    }
    let mut parent: Option<RegionIdx> = None;
    for name in parts {
        parent = Some(match find_child(regions, parent, name) {
            Some(r) => r,
            None => {
                if regions.len() >= MAX_REGIONS {
                    return Err(RegionError::TooMany);
                }
                let region = new_region(regions, name, parent);
                regions.push(region);
                RegionIdx(regions.len() as u32 - 1)
            }
        });
    }
    parent.ok_or(RegionError::EmptyName)
}

/// The live regions in tree order (each before the regions inside it, siblings by
/// name), with their depth: how the balance panel lists them.
pub fn tree_order(regions: &[Region]) -> Vec<(RegionIdx, usize)> {
    let mut children: Vec<Vec<RegionIdx>> = vec![Vec::new(); regions.len() + 1];
    for (i, r) in live_regions(regions) {
        let slot = r.parent.filter(|&p| region_live(regions, p)).map_or(regions.len(), RegionIdx::get);
        children[slot].push(i);
    }
    for c in &mut children {
        c.sort_by(|a, b| regions[a.get()].name.to_lowercase().cmp(&regions[b.get()].name.to_lowercase()));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(RegionIdx, usize)> = children[regions.len()].iter().rev().map(|&r| (r, 0)).collect();
    while let Some((r, d)) = stack.pop() {
        if out.len() > regions.len() {
            break; // a cycle in a malformed tree
        }
        out.push((r, d));
        stack.extend(children[r.get()].iter().rev().map(|&c| (c, d + 1)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Vec<Region> {
        let mut regions = Vec::new();
        ensure_path(&mut regions, "East/Mid-Atlantic").expect("path");
        ensure_path(&mut regions, "East/New England").expect("path");
        ensure_path(&mut regions, "West").expect("path");
        regions
    }

    #[test]
    fn paths_are_created_once_and_found_again() {
        let mut regions = tree();
        assert_eq!(regions.len(), 4);
        let mid = ensure_path(&mut regions, " east / mid-atlantic ").expect("same path");
        assert_eq!(regions.len(), 4, "nothing new");
        assert_eq!(region_path(&regions, mid), "East/Mid-Atlantic");
        assert_eq!(depth(&regions, mid), 1);
        assert_eq!(find_region(&regions, "East/Mid-Atlantic"), Some(mid));
        assert_eq!(find_region(&regions, "mid-atlantic"), Some(mid), "by id");
        assert_eq!(find_region(&regions, "New England"), Some(RegionIdx(2)), "by name");
        assert_eq!(find_region(&regions, "Atlantis"), None);
        assert_eq!(ensure_path(&mut regions, " / "), Err(RegionError::EmptyName));
        let deep = vec!["x"; MAX_DEPTH + 1].join("/");
        assert_eq!(ensure_path(&mut regions, &deep), Err(RegionError::TooDeep));
    }

    #[test]
    fn territories_within_a_region_include_its_subregions() {
        let regions = tree();
        let mut ts: Vec<Territory> = (0..4).map(|i| Territory::new(format!("t{i}"), "T", palette_color(i))).collect();
        ts[0].region = Some(RegionIdx(1)); // Mid-Atlantic
        ts[1].region = Some(RegionIdx(2)); // New England
        ts[2].region = Some(RegionIdx(3)); // West
        let east = territories_within(&regions, &ts, RegionIdx(0));
        assert_eq!(east, vec![TerritoryIdx::new(0), TerritoryIdx::new(1)]);
        assert_eq!(territories_within(&regions, &ts, RegionIdx(3)), vec![TerritoryIdx::new(2)]);
        assert!(!within(&regions, None, RegionIdx(0)));
    }

    #[test]
    fn tree_order_lists_parents_first_and_siblings_by_name() {
        let regions = tree();
        let order: Vec<(String, usize)> =
            tree_order(&regions).into_iter().map(|(r, d)| (regions[r.get()].name.clone(), d)).collect();
        let want = [("East", 0), ("Mid-Atlantic", 1), ("New England", 1), ("West", 0)];
        assert_eq!(order, want.map(|(n, d)| (n.to_owned(), d)));
    }

    /// A malformed file could hold a cycle; walking it still ends.
    #[test]
    fn a_cycle_does_not_hang() {
        let mut regions = tree();
        regions[0].parent = Some(RegionIdx(1));
        assert!(ancestors(&regions, Some(RegionIdx(1))).count() <= MAX_DEPTH + 1);
        assert!(tree_order(&regions).len() <= regions.len() + 1);
    }
}
