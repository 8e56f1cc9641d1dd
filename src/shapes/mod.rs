//! Territory shapes: each territory as an area, derived from its accounts.
//!
//! Definition (the README's "Territory areas"):
//! - every point belongs to the territory of its nearest account: the Voronoi cells of
//!   the accounts' positions ([`Voronoi`]), merged per territory, with edges straight
//!   in lon/lat;
//! - nothing farther than [`ShapeOptions::max_km`] (50 km) from an account is coloured;
//! - the result is cut to the land ([`Land`]), except that a disc of
//!   [`ShapeOptions::keep_km`] (1 km) around every account is always kept, so an
//!   account geocoded just offshore stays inside its shape;
//! - a position where accounts of several territories stand goes to the territory with
//!   most accounts there (the lowest slot on a tie) and is listed in
//!   [`Shapes::shared`], never hidden.
//!
//! Shapes never overlap (the cells do not), and each contains all its accounts but
//! those listed as shared. The triangulation is built once per set of accounts
//! ([`Shaper::new`], O(N log N)); after an edit only the territories that changed are
//! merged again ([`Shaper::update`]), in parallel; a large territory's cells are merged
//! `MERGE_CHUNK` at a time and then the chunks' outlines, which bounds the overlay's
//! memory.

mod land;
mod voronoi;

#[cfg(test)]
mod tests;

use geo::orient::{Direction, Orient};
use geo::{BooleanOps, BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon, unary_union};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;
use i_overlay::i_float::float::rect::FloatRect;
use rayon::prelude::*;

pub use land::{Land, Shore};
pub use voronoi::{KM_PER_DEGREE, Voronoi};

use crate::model::TerritoryIdx;

/// Cells merged at once: a territory of more sites is merged a chunk at a time.
const MERGE_CHUNK: usize = 8_192;

/// How shapes are cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapeOptions {
    /// Nothing farther than this from an account is part of a shape, km.
    pub max_km: f64,
    /// A disc of this radius around each account is always part of its shape, km.
    pub keep_km: f64,
}

impl Default for ShapeOptions {
    fn default() -> ShapeOptions {
        ShapeOptions { max_km: 50.0, keep_km: 1.0 }
    }
}

/// A position where accounts of more than one territory stand.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSite {
    /// (lon, lat).
    pub position: [f64; 2],
    /// The territories of its accounts, by slot, ascending.
    pub territories: Vec<TerritoryIdx>,
    /// The territory whose shape holds the position.
    pub owner: TerritoryIdx,
    /// Its accounts.
    pub accounts: Vec<u32>,
}

/// The shapes of a plan's territories.
#[derive(Debug, Clone, Default)]
pub struct Shapes {
    /// By territory slot: its area, lon/lat (empty for a territory without accounts).
    pub areas: Vec<MultiPolygon<f64>>,
    /// Positions shared by territories.
    pub shared: Vec<SharedSite>,
}

/// What stays the same while accounts change hands: the sites, their triangulation and
/// where each lies with respect to the land.
#[derive(Debug, Clone)]
pub struct Shaper {
    voronoi: Voronoi,
    /// By site: whether its keep-disc reaches beyond the land (always, without land).
    needs_keep: Vec<bool>,
    land: Option<Land>,
    options: ShapeOptions,
    /// Cells merged at once ([`MERGE_CHUNK`]; the tests' small chunks).
    merge_chunk: usize,
}

impl Shaper {
    /// Triangulates the positions and places them against the land: O(N log N).
    pub fn new(positions: &[(f64, f64)], land: Option<Land>, options: ShapeOptions) -> Shaper {
        Shaper::of(Voronoi::new(positions), land, options)
    }

    /// The shaper of cells made before (from the triangulation the adjacency shares):
    /// O(N) to place the sites against the land.
    pub fn of(voronoi: Voronoi, land: Option<Land>, options: ShapeOptions) -> Shaper {
        let tri = voronoi.triangulation();
        let needs_keep = (0..tri.sites())
            .into_par_iter()
            .map(|s| {
                let [lon, lat] = tri.position(s);
                land.as_ref().is_none_or(|l| l.shore(lon, lat, options.keep_km) != Shore::Inland)
            })
            .collect();
        Shaper { voronoi, needs_keep, land, options, merge_chunk: MERGE_CHUNK }
    }

    /// The shaper merging `chunk` cells at a time.
    #[cfg(test)]
    fn with_merge_chunk(self, chunk: usize) -> Shaper {
        Shaper { merge_chunk: chunk.max(1), ..self }
    }

    /// The triangulation.
    pub fn voronoi(&self) -> &Voronoi {
        &self.voronoi
    }

    /// The owner of each site under an assignment of the accounts: the territory with
    /// most accounts there (the lowest slot on a tie).
    pub fn owners(&self, assignment: &[Option<TerritoryIdx>]) -> Vec<Option<TerritoryIdx>> {
        (0..self.voronoi.triangulation().sites()).into_par_iter().map(|s| self.owner(s, assignment)).collect()
    }

    /// The owner of site `s` ([`Shaper::owners`]).
    fn owner(&self, s: usize, assignment: &[Option<TerritoryIdx>]) -> Option<TerritoryIdx> {
        let accounts = self.voronoi.triangulation().accounts_at(s);
        let first = assignment[accounts[0] as usize];
        if accounts.len() == 1 || accounts.iter().all(|&a| assignment[a as usize] == first) {
            return first;
        }
        let mut count: Vec<(TerritoryIdx, usize)> = Vec::new();
        for t in accounts.iter().filter_map(|&a| assignment[a as usize]) {
            match count.iter_mut().find(|c| c.0 == t) {
                Some(c) => c.1 += 1,
                None => count.push((t, 1)),
            }
        }
        count.sort_unstable_by_key(|c| (std::cmp::Reverse(c.1), c.0));
        count.first().map(|c| c.0)
    }

    /// Positions that hold accounts of more than one territory.
    pub fn shared(&self, assignment: &[Option<TerritoryIdx>]) -> Vec<SharedSite> {
        let mut out = Vec::new();
        for s in 0..self.voronoi.triangulation().sites() {
            let accounts = self.voronoi.triangulation().accounts_at(s);
            if accounts.len() < 2 {
                continue;
            }
            let mut territories: Vec<TerritoryIdx> = accounts.iter().filter_map(|&a| assignment[a as usize]).collect();
            territories.sort_unstable();
            territories.dedup();
            if let (true, Some(owner)) = (territories.len() > 1, self.owner(s, assignment)) {
                out.push(SharedSite {
                    position: self.voronoi.triangulation().position(s),
                    territories,
                    owner,
                    accounts: accounts.to_vec(),
                });
            }
        }
        out
    }

    /// The shape of the given sites: their cells merged, cut to the land, with the
    /// keep-discs of the coastal and offshore ones added back, cracks removed.
    fn area_of(&self, sites: &[u32]) -> MultiPolygon<f64> {
        despike(self.merge(sites))
    }

    fn merge(&self, sites: &[u32]) -> MultiPolygon<f64> {
        if sites.is_empty() {
            return MultiPolygon::new(Vec::new());
        }
        // A chunk of cells at a time, and then the chunks' outlines: the overlay of all
        // a territory's cells at once held some 30 MB a territory at a million accounts.
        // (A territory's sites run in x, so a chunk is a band of it.) All on one grid,
        // so that the chunks' outlines meet exactly where they were cut.
        let grid = self.grid_of(sites);
        let merged = if sites.len() <= self.merge_chunk {
            union_on(&grid, &self.cells(sites, self.options.max_km, false))
        } else {
            let parts: Vec<Polygon<f64>> = sites
                .chunks(self.merge_chunk)
                .flat_map(|chunk| union_on(&grid, &self.cells(chunk, self.options.max_km, false)).0)
                .collect();
            union_on(&grid, &parts)
        };
        let Some(land) = &self.land else { return merged };
        // Each piece cut to the land of the tiles it touches only.
        let on_land = MultiPolygon::new(
            merged
                .0
                .into_iter()
                .flat_map(|piece| {
                    let near = piece.bounding_rect().map(|bb| land.near(&bb)).unwrap_or_default();
                    if near.is_empty() {
                        return Vec::new();
                    }
                    MultiPolygon::new(vec![piece]).intersection(&MultiPolygon::new(near)).0
                })
                .collect(),
        );
        let keep: Vec<u32> = sites.iter().copied().filter(|&s| self.needs_keep[s as usize]).collect();
        if keep.is_empty() {
            return on_land;
        }
        // The union fills by winding: a hole must wind against its outer ring, or the
        // union fills it (an enclosed neighbour's cell would then be covered twice).
        let mut parts = on_land.orient(Direction::Default).0;
        parts.extend(self.cells(&keep, self.options.keep_km, true));
        unary_union(&parts)
    }

    /// The overlay's integer grid for the cells of `sites`: fitted to their extent,
    /// discs included.
    fn grid_of(&self, sites: &[u32]) -> Snapping {
        let tri = self.voronoi.triangulation();
        let (lo, hi) = sites.iter().fold(([f64::MAX; 2], [f64::MIN; 2]), |(lo, hi), &s| {
            let [x, y] = tri.position(s as usize);
            ([lo[0].min(x), lo[1].min(y)], [hi[0].max(x), hi[1].max(y)])
        });
        // The circumscribed polygon of the larger disc, with room to spare.
        let ry = 1.1 * self.options.max_km.max(self.options.keep_km) / KM_PER_DEGREE;
        let rx = ry / lo[1].abs().max(hi[1].abs()).min(89.0).to_radians().cos();
        Snapping::new(FloatRect::new(lo[0] - rx, hi[0] + rx, lo[1] - ry, hi[1] + ry))
    }

    fn cells(&self, sites: &[u32], km: f64, outer: bool) -> Vec<Polygon<f64>> {
        let (mut ring, mut scratch) = (Vec::new(), Vec::new());
        let mut out = Vec::with_capacity(sites.len());
        for &s in sites {
            self.voronoi.cell(s as usize, km, outer, &mut ring, &mut scratch);
            if ring.len() >= 3 {
                let mut coords: Vec<Coord<f64>> = ring.iter().map(|&[x, y]| Coord { x, y }).collect();
                coords.push(coords[0]);
                out.push(Polygon::new(LineString::new(coords), Vec::new()));
            }
        }
        out
    }

    /// Every territory's shape (`k` slots), the territories in parallel.
    pub fn shapes(&self, assignment: &[Option<TerritoryIdx>], k: usize) -> Shapes {
        self.shapes_then(assignment, k, &|| {})
    }

    /// [`Shaper::shapes`], calling `after_each` as each territory's area is made (a
    /// progress count).
    pub fn shapes_then(&self, assignment: &[Option<TerritoryIdx>], k: usize, after_each: &(dyn Fn() + Sync)) -> Shapes {
        let mut shapes = Shapes { areas: vec![MultiPolygon::new(Vec::new()); k], shared: Vec::new() };
        let all: Vec<TerritoryIdx> = (0..k as u32).map(TerritoryIdx::new).collect();
        self.update_then(&mut shapes, assignment, &all, after_each);
        shapes
    }

    /// The shapes of `plan`'s assignment with the bundled land and the default options,
    /// as the editor's areas, the printed map and the book draw them: `made` when the
    /// caller has them (the areas on screen, current), else made by `shaper` (the
    /// document's, when it has one: no second triangulation of the accounts), else by a
    /// shaper made here.
    pub fn of_plan<'a>(
        plan: &crate::model::Plan,
        made: Option<&'a Shapes>,
        shaper: Option<&Shaper>,
    ) -> Result<std::borrow::Cow<'a, Shapes>, crate::io::geojson_areas::AreaError> {
        Shaper::of_plan_then(plan, made, shaper, &|| {}, &|| {})
    }

    /// [`Shaper::of_plan`], calling `triangulated` when a shaper made here has
    /// triangulated the accounts, and `after_each` as each territory's area is made
    /// (a progress count).
    pub fn of_plan_then<'a>(
        plan: &crate::model::Plan,
        made: Option<&'a Shapes>,
        shaper: Option<&Shaper>,
        triangulated: &dyn Fn(),
        after_each: &(dyn Fn() + Sync),
    ) -> Result<std::borrow::Cow<'a, Shapes>, crate::io::geojson_areas::AreaError> {
        use std::borrow::Cow;
        let k = plan.territories.len();
        Ok(match (made, shaper) {
            (Some(s), _) => Cow::Borrowed(s),
            (None, Some(shaper)) => Cow::Owned(shaper.shapes_then(&plan.assignment, k, after_each)),
            (None, None) => {
                let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
                let shaper = Shaper::new(&positions, Some(Land::bundled()?), ShapeOptions::default());
                triangulated();
                Cow::Owned(shaper.shapes_then(&plan.assignment, k, after_each))
            }
        })
    }

    /// After an edit: the shapes of the `changed` territories (those that gained or lost
    /// accounts) under the new assignment, the others kept. O(N) to find the sites'
    /// owners, then the changed territories' merges, in parallel.
    pub fn update(&self, shapes: &mut Shapes, assignment: &[Option<TerritoryIdx>], changed: &[TerritoryIdx]) {
        self.update_then(shapes, assignment, changed, &|| {});
    }

    /// [`Shaper::update`], calling `after_each` as each territory's area is made: the
    /// editor gives the memory it freed back to the system there (two territories
    /// merged at once on two threads otherwise leave each other's freed memory
    /// resident: 8 MB more at the peak of an edit of a million accounts).
    pub fn update_then(
        &self,
        shapes: &mut Shapes,
        assignment: &[Option<TerritoryIdx>],
        changed: &[TerritoryIdx],
        after_each: &(dyn Fn() + Sync),
    ) {
        let k = shapes.areas.len();
        let mut slot = vec![usize::MAX; k];
        for (i, t) in changed.iter().enumerate() {
            if t.get() < k {
                slot[t.get()] = i;
            }
        }
        let owners = self.owners(assignment);
        // Each changed territory's sites, each list allocated at its size, and the
        // owners let go, before the merges: what they hold is the peak of an edit.
        let slot_of =
            |o: &Option<TerritoryIdx>| o.and_then(|o| slot.get(o.get()).copied()).filter(|&i| i != usize::MAX);
        let mut counts = vec![0usize; changed.len()];
        for i in owners.iter().filter_map(slot_of) {
            counts[i] += 1;
        }
        let mut by_owner: Vec<Vec<u32>> = counts.iter().map(|&n| Vec::with_capacity(n)).collect();
        for (s, o) in owners.iter().enumerate() {
            if let Some(i) = slot_of(o) {
                by_owner[i].push(s as u32);
            }
        }
        drop(owners);
        let areas: Vec<MultiPolygon<f64>> = by_owner
            .par_iter()
            .map(|sites| {
                let area = self.area_of(sites);
                after_each();
                area
            })
            .collect();
        for (t, area) in changed.iter().zip(areas) {
            if t.get() < k {
                shapes.areas[t.get()] = area;
            }
        }
        shapes.shared = self.shared(assignment);
    }
}

/// The polygon overlay's integer grid (`i_overlay` snaps every vertex to one).
type Snapping = FloatPointAdapter<[f64; 2], f64>;

/// The union of counter-clockwise polygons (holes clockwise) on the given grid, wound
/// the same way. `geo`'s `unary_union` fits a grid to each call's own extent, so two
/// pieces merged apart and then together would be snapped to different grids and leave
/// slivers along the seam; on one grid their shared edges meet exactly. The overlay can
/// hand back a hole wound like its outer ring (seen at a million accounts), which a
/// later union by winding would fill: every ring is wound again on the way out.
fn union_on(grid: &Snapping, polygons: &[Polygon<f64>]) -> MultiPolygon<f64> {
    let paths: Vec<Vec<[f64; 2]>> = polygons
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| ring.0[..ring.0.len().saturating_sub(1)].iter().map(|c| [c.x, c.y]).collect())
        .collect();
    let capacity = paths.iter().map(Vec::len).sum();
    let shapes = FloatOverlay::new_custom(grid.clone(), OverlayOptions::ogc(), Solver::default(), capacity)
        .unsafe_add_source(&paths, ShapeType::Subject)
        .overlay(OverlayRule::Subject, FillRule::Positive);
    let ring = |c: Vec<[f64; 2]>| {
        let mut coords: Vec<Coord<f64>> = c.into_iter().map(|[x, y]| Coord { x, y }).collect();
        if let Some(&first) = coords.first() {
            coords.push(first);
        }
        LineString::new(coords)
    };
    MultiPolygon::new(
        shapes
            .into_iter()
            .filter_map(|shape| {
                let mut rings = shape.into_iter().map(ring);
                let exterior = rings.next()?;
                Some(Polygon::new(exterior, rings.collect()))
            })
            .collect(),
    )
    .orient(Direction::Default)
}

/// Where the territories' names go, (lon, lat), by slot, when they are drawn as
/// areas: each one's `centres` entry (its accounts' centre), unless its area does not
/// hold it (two clusters with the sea between, or a gap between its discs); then its
/// account nearest the centre, which its area holds. One pass over `accounts`
/// ((account, (lon, lat))) for all such territories, none when there are none.
pub fn label_anchors(
    accounts: impl Iterator<Item = (usize, (f64, f64))>,
    assignment: &[Option<TerritoryIdx>],
    centres: &[Option<(f64, f64)>],
    shapes: &Shapes,
) -> Vec<Option<(f64, f64)>> {
    let mut at = centres.to_vec();
    let away: Vec<bool> = at
        .iter()
        .enumerate()
        .map(|(t, c)| match (c, shapes.areas.get(t)) {
            (Some(c), Some(area)) => !area.0.is_empty() && !area.contains(&Point::new(c.0, c.1)),
            _ => false,
        })
        .collect();
    if !away.contains(&true) {
        return at;
    }
    // Squared distance in a plane where a degree of longitude is shortened by the
    // cosine of the latitude, which is all "nearest" needs at a territory's scale.
    let mut best: Vec<(f64, Option<(f64, f64)>)> = vec![(f64::INFINITY, None); at.len()];
    for (i, (lon, lat)) in accounts {
        let Some(t) = assignment[i].map(TerritoryIdx::get).filter(|&t| away.get(t) == Some(&true)) else { continue };
        let Some((cx, cy)) = at[t] else { continue };
        let dx = (lon - cx) * cy.to_radians().cos();
        let d = dx * dx + (lat - cy) * (lat - cy);
        if d < best[t].0 {
            best[t] = (d, Some((lon, lat)));
        }
    }
    for (t, (_, p)) in best.into_iter().enumerate() {
        if p.is_some() {
            at[t] = p;
        }
    }
    at
}

/// Removes what the overlay leaves where the cells' shared edges differed by rounding:
/// hairline cracks (a ring that runs in along a zero-width slit and back out) and
/// rings of no area. A vertex where a ring turns back on itself by more than about
/// 178° is dropped until none is left; the area changes by less than the slits'.
fn despike(area: MultiPolygon<f64>) -> MultiPolygon<f64> {
    fn clean(ring: &LineString<f64>) -> Option<LineString<f64>> {
        let hairpin = |a: Coord<f64>, b: Coord<f64>, c: Coord<f64>| {
            let (u, v) = (b - a, c - b);
            let (lu, lv) = ((u.x * u.x + u.y * u.y).sqrt(), (v.x * v.x + v.y * v.y).sqrt());
            lu == 0.0 || lv == 0.0 || (u.x * v.x + u.y * v.y) / (lu * lv) < -0.9995
        };
        let mut out: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
        let open = &ring.0[..ring.0.len().saturating_sub(1)];
        for &p in open {
            while out.len() >= 2 && hairpin(out[out.len() - 2], out[out.len() - 1], p) {
                out.pop();
            }
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
        loop {
            let n = out.len();
            if n < 3 {
                return None;
            }
            if out[n - 1] == out[0] || hairpin(out[n - 2], out[n - 1], out[0]) {
                out.pop();
            } else if hairpin(out[n - 1], out[0], out[1]) {
                out.remove(0);
            } else {
                break;
            }
        }
        out.push(out[0]);
        let ring = LineString::new(out);
        (geo::Area::unsigned_area(&Polygon::new(ring.clone(), Vec::new())) > 1e-14).then_some(ring)
    }
    MultiPolygon::new(
        area.0
            .into_iter()
            .filter_map(|p| {
                let exterior = clean(p.exterior())?;
                Some(Polygon::new(exterior, p.interiors().iter().filter_map(clean).collect()))
            })
            .collect(),
    )
}
