//! Territory areas under the dots: the shapes of [`crate::shapes`], computed off the UI
//! thread and drawn as translucent fills with a firm border.
//!
//! The shaper (the accounts' triangulation and where they lie against the land) is
//! built once per document on a worker thread; after an edit the worker merges again
//! only the territories whose accounts changed (found by comparing the assignment with
//! the one the shapes were made for) and triangulates them for drawing. The frame
//! never waits: until the worker answers, the previous shapes stay on screen.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

use geo::{MultiPolygon, TriangulateEarcut};

use super::*;
use crate::model::TerritoryIdx;
use crate::quality::{Adjacency, Triangulation};
use crate::shapes::{Land, ShapeOptions, Shaper, Shapes, Voronoi};

/// Over this many accounts in view, the areas are on unless switched off: dots alone
/// no longer show where a territory ends.
pub const AUTO_AREAS_ABOVE: usize = 5_000;

/// Whether the map shows territory areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum AreasSetting {
    /// When more than [`AUTO_AREAS_ABOVE`] accounts are in view.
    #[default]
    Auto,
    Always,
    Never,
}

/// A computation of the areas that has run this long is shown in the status bar (a
/// quicker one, after an edit of a small plan, would only flicker there).
pub(in crate::app) const SHOW_WORK_AFTER: std::time::Duration = std::time::Duration::from_millis(400);

/// Simplification tolerances of an area's levels of detail, Web Mercator metres: the
/// full shape, and two simplified ones (Ramer–Douglas–Peucker) for the wide views,
/// where a vertex every kilometre would cost drawing time and show nothing more.
const DETAIL_M: [f64; 3] = [0.0, 1_000.0, 4_000.0];

/// The finest level a view needs: a tolerance under this many screen points.
const DETAIL_POINTS: f64 = 0.75;

/// One level of detail of a territory's area, in Web Mercator metres.
#[derive(Debug, Clone, Default)]
struct Level {
    vertices: Vec<[f64; 2]>,
    indices: Vec<u32>,
    /// Its rings (outer and holes), with their bounding boxes.
    rings: Vec<(Vec<[f64; 2]>, [f64; 4])>,
}

impl Level {
    fn of(area: &MultiPolygon<f64>) -> Level {
        let mut level = Level::default();
        for p in &area.0 {
            let t = p.earcut_triangles_raw();
            let base = level.vertices.len() as u32;
            level.vertices.extend(&t.vertices);
            level.indices.extend(t.triangle_indices.iter().map(|&i| base + i as u32));
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                let pts: Vec<[f64; 2]> = ring.0.iter().map(|c| [c.x, c.y]).collect();
                let bb = pts.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
                    [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
                });
                level.rings.push((pts, bb));
            }
        }
        level
    }
}

/// One territory's area ready to draw, at each level of detail of [`DETAIL_M`].
#[derive(Debug, Clone, Default)]
pub(in crate::app) struct AreaMesh {
    levels: Vec<Level>,
}

impl AreaMesh {
    fn of(area: &MultiPolygon<f64>) -> AreaMesh {
        use geo::{MapCoords, Simplify};
        let projected = area.map_coords(|c| {
            let (x, y) = to_mercator(c.x, c.y);
            geo::Coord { x, y }
        });
        let levels = DETAIL_M
            .iter()
            .map(|&eps| if eps == 0.0 { Level::of(&projected) } else { Level::of(&projected.simplify(eps)) })
            .collect();
        AreaMesh { levels }
    }

    /// The level for a view of `scale` screen points a metre.
    fn level(&self, scale: f64) -> Option<&Level> {
        let fine = DETAIL_M.iter().rposition(|&eps| eps * scale <= DETAIL_POINTS).unwrap_or(0);
        self.levels.get(fine)
    }
}

/// What the worker hands back.
struct Done {
    shaper: Arc<Shaper>,
    adjacency: Arc<Adjacency>,
    pieces: Vec<usize>,
    assignment: Vec<Option<TerritoryIdx>>,
    shapes: Shapes,
    meshes: Vec<(usize, AreaMesh)>,
    anchors: Vec<Option<(f64, f64)>>,
    revision: u64,
}

/// The areas of one document.
#[derive(Default)]
pub struct Areas {
    shaper: Option<Arc<Shaper>>,
    /// The accounts' adjacency, for the pieces (the optimizer's, when it made one first).
    adjacency: Option<Arc<Adjacency>>,
    /// Pieces by territory slot, of the same assignment as the shapes.
    pieces: Vec<usize>,
    /// The assignment the shapes are of, and the editor revision it was taken at.
    assignment: Vec<Option<TerritoryIdx>>,
    revision: Option<u64>,
    shapes: Shapes,
    meshes: Vec<AreaMesh>,
    /// Where the names go over these areas, (lon, lat) by slot
    /// ([`crate::shapes::label_anchors`]).
    anchors: Vec<Option<(f64, f64)>>,
    job: Option<Receiver<Done>>,
    /// When the computation under way started.
    started: Option<std::time::Instant>,
}

impl Areas {
    /// Whether a computation is under way.
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// How long the computation under way has run.
    pub fn working_for(&self) -> Option<std::time::Duration> {
        self.started.filter(|_| self.busy()).map(|t| t.elapsed())
    }

    /// Where a territory's name goes over the areas on screen, (lon, lat): its centre,
    /// or its account nearest it when its area does not hold the centre. Of the areas
    /// as drawn, which after an edit are the previous ones until the worker answers.
    pub fn anchor(&self, t: TerritoryIdx) -> Option<(f64, f64)> {
        self.anchors.get(t.get()).copied().flatten()
    }

    /// The accounts' adjacency the areas made (shared with Balance and Redraw, which
    /// would otherwise triangulate the same positions again).
    pub fn adjacency(&self) -> Option<&Arc<Adjacency>> {
        self.adjacency.as_ref()
    }

    /// What makes the shapes (the accounts' triangulation against the land), once made:
    /// exports of another assignment share it instead of triangulating again.
    pub fn shaper(&self) -> Option<&Arc<Shaper>> {
        self.shaper.as_ref()
    }

    /// The shapes as last computed (by territory slot).
    pub fn shapes(&self) -> &Shapes {
        &self.shapes
    }

    /// The pieces of a territory (`quality`'s definition: parts over the accounts'
    /// 150-km adjacency), when the areas are of the plan as it is now.
    pub fn pieces(&self, editor: &crate::edit::Editor, t: TerritoryIdx) -> Option<usize> {
        self.pieces.get(t.get()).copied().filter(|_| self.current(editor))
    }

    /// Whether the shapes are of the editor's plan as it is now.
    pub fn current(&self, editor: &crate::edit::Editor) -> bool {
        self.revision == Some(editor.revision()) && !self.busy()
    }

    /// Takes the worker's answer, and starts the next computation when the plan has
    /// changed since the shapes were made. Never blocks.
    pub(in crate::app) fn refresh(
        &mut self,
        editor: &crate::edit::Editor,
        known: Option<&Arc<Adjacency>>,
        ctx: &egui::Context,
    ) {
        if let Some(rx) = &self.job {
            match rx.try_recv() {
                Ok(done) => {
                    self.job = None;
                    self.shaper = Some(done.shaper);
                    self.adjacency = Some(done.adjacency);
                    self.pieces = done.pieces;
                    self.assignment = done.assignment;
                    self.shapes = done.shapes;
                    self.anchors = done.anchors;
                    self.meshes.resize_with(self.shapes.areas.len(), AreaMesh::default);
                    for (slot, mesh) in done.meshes {
                        self.meshes[slot] = mesh;
                    }
                    self.revision = Some(done.revision);
                }
                Err(TryRecvError::Empty) => return,
                // The worker died (a bug): keep what is drawn, try again next time.
                Err(TryRecvError::Disconnected) => self.job = None,
            }
        }
        if self.revision == Some(editor.revision()) {
            return;
        }
        let plan = editor.plan();
        let k = plan.territories.len();
        // A copy of the owners (4 bytes an account) is all the frame pays; which
        // territories changed is worked out on the worker.
        let assignment = plan.assignment.clone();
        let reusable =
            self.shapes.areas.len() == k && self.shaper.is_some() && self.assignment.len() == assignment.len();
        let previous = reusable.then(|| std::mem::take(&mut self.assignment));
        let pieces_before = std::mem::take(&mut self.pieces);
        let mut shapes = std::mem::take(&mut self.shapes);
        shapes.areas.resize(k, MultiPolygon::new(Vec::new()));
        let shaper = self.shaper.clone();
        let adjacency = self.adjacency.clone().or_else(|| known.cloned());
        // One triangulation serves the areas and the adjacency (the optimizer's, when it
        // made one first); it keeps the plan's position columns, shared, not a copy.
        let (lon, lat) = plan.accounts.position_columns();
        let centres: Vec<Option<(f64, f64)>> =
            editor.metrics().territories.iter().map(|t| t.center_lon_lat()).collect();
        let revision = editor.revision();
        let (tx, rx) = std::sync::mpsc::channel();
        // A frame when the status bar is to show the work, should it last.
        ctx.request_repaint_after(SHOW_WORK_AFTER);
        let ctx = ctx.clone();
        crate::app::spawn_background(move || {
            // The first computation builds the triangulation, the adjacency and the
            // shaper one after the other, and every computation merges areas, then
            // meshes them: what each step freed goes back to the system before the next
            // allocates (it would otherwise stay resident, and count in the editor's
            // peak, until the job's end).
            let step_done = crate::app::release_freed_memory;
            let tri = match (&shaper, &adjacency) {
                (Some(s), _) => s.voronoi().triangulation().clone(),
                (None, Some(a)) => a.triangulation().clone(),
                (None, None) => Arc::new(Triangulation::of_columns(lon, lat)),
            };
            step_done();
            let adjacency = adjacency.unwrap_or_else(|| Arc::new(Adjacency::of(tri.clone())));
            step_done();
            let shaper = shaper.unwrap_or_else(|| {
                let land = Land::bundled().ok();
                Arc::new(Shaper::of(Voronoi::of(tri), land, ShapeOptions::default()))
            });
            step_done();
            let changed = match &previous {
                Some(before) => changed_territories(before, &assignment, k),
                None => (0..k as u32).map(TerritoryIdx::new).collect(),
            };
            let (meshes, pieces) = if changed.is_empty() {
                (Vec::new(), pieces_before)
            } else {
                shaper.update_then(&mut shapes, &assignment, &changed, &crate::app::release_freed_memory);
                step_done();
                let meshes = changed.iter().map(|t| (t.get(), AreaMesh::of(&shapes.areas[t.get()]))).collect();
                (meshes, crate::quality::pieces_of(&assignment, k, &adjacency))
            };
            step_done();
            let tri = shaper.voronoi().triangulation();
            let accounts =
                (0..tri.sites()).flat_map(|s| tri.accounts_at(s).iter().map(move |&a| (a as usize, tri.position(s))));
            let positions = accounts.map(|(a, [lon, lat])| (a, (lon, lat)));
            let anchors = crate::shapes::label_anchors(positions, &assignment, &centres, &shapes);
            let _ = tx.send(Done { shaper, adjacency, pieces, assignment, shapes, meshes, anchors, revision });
            ctx.request_repaint();
        });
        self.job = Some(rx);
        self.started = Some(std::time::Instant::now());
    }
}

/// The territories (slots below `k`) that gained or lost accounts between two
/// assignments, ascending.
fn changed_territories(before: &[Option<TerritoryIdx>], after: &[Option<TerritoryIdx>], k: usize) -> Vec<TerritoryIdx> {
    let mut c: Vec<TerritoryIdx> = after
        .iter()
        .zip(before)
        .filter(|(a, b)| a != b)
        .flat_map(|(a, b)| [*a, *b])
        .flatten()
        .filter(|t| t.get() < k)
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

impl TerritoryApp {
    /// Whether the areas are drawn with this many accounts in view.
    pub(in crate::app) fn areas_shown(&self, in_view: usize) -> bool {
        match self.settings.areas {
            AreasSetting::Auto => in_view > AUTO_AREAS_ABOVE,
            AreasSetting::Always => true,
            AreasSetting::Never => false,
        }
    }

    pub(super) fn paint_areas(&mut self, painter: &egui::Painter, t: &MapTransform, pal: &Palette) {
        let (lo, hi) = t.visible();
        let in_view: usize = self.doc.grid.ranges_in_rect(lo, hi).map(|(s, e)| (e - s) as usize).sum();
        self.areas_drawn = self.areas_shown(in_view);
        if !self.areas_drawn {
            return;
        }
        self.doc.areas.refresh(&self.doc.editor, self.doc.adjacency.as_ref(), painter.ctx());
        let colors = self.dot_colors(pal);
        let areas = &self.doc.areas;
        let fill_alpha = if pal.dark { 0.30 } else { 0.34 };
        for (slot, mesh) in areas.meshes.iter().enumerate() {
            let Some(&c) = colors.get(slot) else { continue };
            let Some(mesh) = mesh.level(t.scale) else { continue };
            if mesh.vertices.is_empty() || !mesh.rings.iter().any(|(_, bb)| overlaps(bb, lo, hi)) {
                continue;
            }
            painter.add(filled_mesh(t, &mesh.vertices, &mesh.indices, c.gamma_multiply(fill_alpha)));
            // Borders in the text colour, half strength: firm between territories of
            // any two colours, and never mistaken for a territory of their own.
            let stroke = Stroke::new(1.2, pal.label.gamma_multiply(0.55));
            for (ring, bb) in &mesh.rings {
                if overlaps(bb, lo, hi) {
                    let pts = screen_ring(ring.iter().map(|p| t.to_screen(p[0], p[1])));
                    if pts.len() >= 3 {
                        painter.add(Shape::closed_line(pts, stroke));
                    }
                }
            }
        }
    }
}

/// A ring in screen points, thinned for drawing: points within half a point of the
/// last kept one are dropped, and so are hairpin turns (a point where the line doubles
/// back on itself), which a mitred line would draw as a long spike.
fn screen_ring(points: impl Iterator<Item = Pos2>) -> Vec<Pos2> {
    let near = |a: Pos2, b: Pos2| a.distance_sq(b) < 1.0;
    // The turn at b is sharper than about 170°.
    let hairpin = |a: Pos2, b: Pos2, c: Pos2| (b - a).normalized().dot((c - b).normalized()) < -0.985;
    let mut out: Vec<Pos2> = Vec::new();
    for p in points {
        while out.len() >= 2 && hairpin(out[out.len() - 2], out[out.len() - 1], p) {
            out.pop();
        }
        if out.last().is_none_or(|&q| !near(q, p)) {
            out.push(p);
        }
    }
    // The same where the ring closes.
    while out.len() >= 3 {
        let n = out.len();
        if near(out[n - 1], out[0]) || hairpin(out[n - 2], out[n - 1], out[0]) {
            out.pop();
        } else if hairpin(out[n - 1], out[0], out[1]) {
            out.remove(0);
        } else {
            break;
        }
    }
    out
}

fn overlaps(bb: &[f64; 4], lo: [f64; 2], hi: [f64; 2]) -> bool {
    bb[2] >= lo[0] && bb[0] <= hi[0] && bb[3] >= lo[1] && bb[1] <= hi[1]
}
