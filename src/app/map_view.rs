//! The map: offline basemap, accounts as dots, territory names, and the selection
//! tools. Everything is painted through one affine [`MapTransform`] from Web
//! Mercator metres to screen points, derived once per frame from walkers' projector.

use egui::{Color32, Pos2, Rect, Shape, Stroke, Ui, Vec2};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use walkers::{Map, Tiles, lon_lat};

use super::selection::Combine;
use super::{Action, TerritoryApp, Tool};
use crate::model::{AccountSet, Rgb, View};
use crate::spatial::{EARTH_RADIUS_M, from_mercator, to_mercator};

/// Above this many accounts in view, dots are splatted into a texture instead of
/// tessellated as circles.
const CIRCLE_LIMIT: usize = 25_000;
/// A territory of at most this many accounts has its label above its centre, not on
/// its dots.
const LABEL_LIFT_MAX_ACCOUNTS: u64 = 5;

/// A territory's label on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapLabel<'a> {
    pub territory: &'a crate::model::Territory,
    /// Web Mercator metres.
    pub centre: (f64, f64),
    pub accounts: u64,
}

/// Where a territory's label goes: a box around its text, centred on the territory's
/// centre, or just above it for a territory of a few accounts, which the label would
/// otherwise hide.
fn label_rect(centre: Pos2, text: Vec2, accounts: u64) -> Rect {
    let lift = if accounts <= LABEL_LIFT_MAX_ACCOUNTS { Vec2::new(0.0, -(text.y / 2.0 + 12.0)) } else { Vec2::ZERO };
    Rect::from_center_size(centre + lift, text).expand2(Vec2::new(6.0, 2.0))
}

/// What the dot texture shows; redrawn when any of it changes.
#[derive(Debug, Clone, PartialEq)]
struct DotKey {
    transform: MapTransform,
    generation: u64,
    selection: u64,
    colors: Vec<Color32>,
    ppp: f32,
    radius: f32,
}

/// The cached dot textures: all accounts, and the selected ones on top.
#[derive(Default)]
pub(super) struct DotLayer {
    texture: Option<egui::TextureHandle>,
    key: Option<DotKey>,
    overlay: Option<egui::TextureHandle>,
    overlay_key: Option<DotKey>,
}

/// The rows `y0..y0 + rows` of the buffer that one splat writes.
struct Band {
    y0: usize,
    rows: usize,
}

/// The pixel buffer a splat writes into and the view's transform, in pixels.
struct SplatView {
    w: usize,
    h: usize,
    scale: f64,
    center: [f64; 2],
}

/// Splats accounts as `D`×`D`-pixel squares coloured by owner: the hot loop of a
/// large plan's frame. `D` is a constant so that the row fills unroll; a truncating
/// cast of a non-negative value replaces floor(); the slices are zipped so that
/// indexing is checked once.
#[allow(clippy::too_many_arguments)]
fn splat<const D: usize>(
    px: &mut [Color32],
    v: &SplatView,
    band: &Band,
    xs: &[f64],
    ys: &[f64],
    owners: &[Option<crate::model::TerritoryIdx>],
    colors: &[Color32],
    unassigned: usize,
) {
    if v.w < D || v.h < D {
        return;
    }
    let half = (D / 2) as f64;
    let ox = v.w as f64 / 2.0 - half - v.center[0] * v.scale;
    let oy = v.h as f64 / 2.0 - half + v.center[1] * v.scale;
    let (maxx, maxy) = ((v.w - D) as f64, (v.h - D) as f64);
    let (y0, y1) = (band.y0, band.y0 + band.rows);
    for ((&x, &y), owner) in xs.iter().zip(ys).zip(owners) {
        let fx = x * v.scale + ox;
        let fy = oy - y * v.scale;
        if !(fx >= 0.0 && fy >= 0.0 && fx <= maxx && fy <= maxy) {
            continue;
        }
        let (px0, py0) = (fx as usize, fy as usize);
        if py0 + D <= y0 || py0 >= y1 {
            continue;
        }
        let c = colors[owner.map_or(unassigned, |o| o.get())];
        for py in py0.max(y0)..(py0 + D).min(y1) {
            let row = (py - y0) * v.w + px0;
            if let Some(cells) = px.get_mut(row..row + D) {
                cells.fill(c);
            }
        }
    }
}

/// Replaces a texture's pixels, creating it the first time.
fn upload(ctx: &egui::Context, slot: &mut Option<egui::TextureHandle>, name: &str, image: egui::ColorImage) {
    match slot {
        Some(tex) => tex.set(image, egui::TextureOptions::NEAREST),
        None => *slot = Some(ctx.load_texture(name, image, egui::TextureOptions::NEAREST)),
    }
}

/// Screen ↔ Web Mercator for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapTransform {
    /// The map's rectangle on screen.
    pub rect: Rect,
    /// Web Mercator metres at the rectangle's centre.
    pub center: [f64; 2],
    /// Screen points per metre.
    pub scale: f64,
}

impl MapTransform {
    /// The transform for a view of `zoom` centred on `center` (lon, lat).
    pub fn new(rect: Rect, center_lon: f64, center_lat: f64, zoom: f64) -> MapTransform {
        let (x, y) = to_mercator(center_lon, center_lat);
        let world_px = 256.0 * 2f64.powf(zoom);
        MapTransform { rect, center: [x, y], scale: world_px / (2.0 * std::f64::consts::PI * EARTH_RADIUS_M) }
    }

    /// Web Mercator metres → screen point.
    #[inline]
    pub fn to_screen(self, x: f64, y: f64) -> Pos2 {
        let c = self.rect.center();
        Pos2::new(
            (f64::from(c.x) + (x - self.center[0]) * self.scale) as f32,
            (f64::from(c.y) - (y - self.center[1]) * self.scale) as f32,
        )
    }

    /// Screen point → Web Mercator metres.
    pub fn to_mercator(self, p: Pos2) -> [f64; 2] {
        let c = self.rect.center();
        [self.center[0] + f64::from(p.x - c.x) / self.scale, self.center[1] - f64::from(p.y - c.y) / self.scale]
    }

    /// The visible Web Mercator box, (min, max).
    pub fn visible(self) -> ([f64; 2], [f64; 2]) {
        let a = self.to_mercator(self.rect.left_bottom());
        let b = self.to_mercator(self.rect.right_top());
        (a, b)
    }

    /// The view to save with a plan.
    pub fn view(self, zoom: f64) -> View {
        let (lon, lat) = from_mercator(self.center[0], self.center[1]);
        View { center_lon: lon, center_lat: lat, zoom }
    }
}

fn color(c: Rgb, dark: bool) -> Color32 {
    super::territory_color(c, dark)
}

/// Colours of the basemap for the current theme.
struct Palette {
    dark: bool,
    sea: Color32,
    land: Color32,
    us: Color32,
    border: Color32,
    state: Color32,
    county: Color32,
    label: Color32,
    halo: Color32,
    unassigned: Color32,
}

impl Palette {
    fn new(dark: bool) -> Palette {
        if dark {
            Palette {
                dark: true,
                sea: Color32::from_rgb(0x1a, 0x22, 0x2e),
                land: Color32::from_rgb(0x2a, 0x2e, 0x35),
                us: Color32::from_rgb(0x33, 0x37, 0x3f),
                border: Color32::from_rgb(0x60, 0x66, 0x70),
                state: Color32::from_rgb(0x70, 0x78, 0x84),
                county: Color32::from_rgb(0x44, 0x4a, 0x53),
                label: Color32::from_rgb(0xf2, 0xf2, 0xf2),
                halo: Color32::from_rgba_unmultiplied(0x10, 0x12, 0x16, 0xd0),
                unassigned: Color32::from_rgb(0x9a, 0x9a, 0x9a),
            }
        } else {
            Palette {
                dark: false,
                sea: Color32::from_rgb(0xd5, 0xe1, 0xea),
                land: Color32::from_rgb(0xef, 0xee, 0xe9),
                us: Color32::from_rgb(0xfb, 0xfa, 0xf6),
                border: Color32::from_rgb(0x9c, 0x9c, 0x98),
                state: Color32::from_rgb(0x8a, 0x8a, 0x86),
                county: Color32::from_rgb(0xdb, 0xda, 0xd4),
                label: Color32::from_rgb(0x14, 0x14, 0x14),
                halo: Color32::from_rgba_unmultiplied(0xff, 0xff, 0xff, 0xd8),
                unassigned: Color32::from_rgb(0x6e, 0x6e, 0x6e),
            }
        }
    }
}

/// The smallest extent, in Web Mercator metres, that opening a plan zooms to.
const MIN_FIT_M: f64 = 150_000.0;

impl TerritoryApp {
    /// Points the map at the plan's accounts.
    fn fit_to_plan(&mut self, rect: Rect) {
        let (xs, ys) = (self.doc.grid.xs(), self.doc.grid.ys());
        if rect.width() < 10.0 {
            return;
        }
        if xs.is_empty() {
            // Nothing to fit: show the contiguous US.
            self.map_memory.center_at(lon_lat(-96.0, 38.5));
            let _ = self.map_memory.set_zoom(4.0);
            return;
        }
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for (&x, &y) in xs.iter().zip(ys) {
            lo = [lo[0].min(x), lo[1].min(y)];
            hi = [hi[0].max(x), hi[1].max(y)];
        }
        // At least a 150-km view, so that a plan of a few accounts in one town still
        // shows where it is (county lines, coast), not one colour of land.
        let w = (hi[0] - lo[0]).max(MIN_FIT_M) * 1.15;
        let h = (hi[1] - lo[1]).max(MIN_FIT_M) * 1.15;
        let px_per_m = (f64::from(rect.width()) / w).min(f64::from(rect.height()) / h);
        let zoom = (px_per_m * 2.0 * std::f64::consts::PI * EARTH_RADIUS_M / 256.0).log2().clamp(1.0, 18.0);
        let (lon, lat) = from_mercator((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0);
        self.map_memory.center_at(lon_lat(lon, lat));
        let _ = self.map_memory.set_zoom(zoom);
    }

    pub(super) fn map(&mut self, ui: &mut Ui) {
        let rect = ui.available_rect_before_wrap();
        if self.fit_pending > 0 {
            self.fit_to_plan(rect);
            self.fit_pending -= 1;
        }
        let space = ui.input(|i| i.key_down(egui::Key::Space)) && !ui.ctx().egui_wants_keyboard_input();
        let panning = self.tool == Tool::Pan || space;
        let buttons = if panning {
            egui::DragPanButtons::PRIMARY | egui::DragPanButtons::SECONDARY | egui::DragPanButtons::MIDDLE
        } else {
            egui::DragPanButtons::SECONDARY | egui::DragPanButtons::MIDDLE
        };
        if self.settings.online_tiles && self.tiles.is_none() {
            self.tiles = Some(super::tiles::online_tiles(&self.tile_url, self.tile_cache.clone(), ui.ctx().clone()));
        }
        let mut tiles = self.tiles.take();
        let mut memory = std::mem::take(&mut self.map_memory);
        let home = lon_lat(-96.0, 38.5);
        let layer: Option<&mut dyn Tiles> = match tiles.as_mut() {
            Some(t) if self.settings.online_tiles => Some(t),
            _ => None,
        };
        Map::new(layer, &mut memory, home).drag_pan_buttons(buttons).double_click_to_zoom(panning).show(
            ui,
            |ui, response, projector, mem| {
                let center = projector.unproject(response.rect.center().to_vec2());
                let t = MapTransform::new(response.rect, center.x(), center.y(), mem.zoom());
                self.last_transform = Some(t);
                let painter = ui.painter().with_clip_rect(response.rect);
                let pal = Palette::new(ui.visuals().dark_mode);
                self.paint_basemap(&painter, &t, &pal, mem.zoom());
                self.paint_accounts(&painter, &t, &pal, mem.zoom());
                self.paint_labels(&painter, &t, &pal);
                if self.placing_home.is_some() {
                    self.place_home(ui, response, &t);
                } else if !panning {
                    self.gestures(ui, response, &t);
                } else {
                    self.gesture.clear();
                    self.gesture_base = None;
                }
                self.paint_gesture(&painter);
                self.hover(ui, response, &t);
                self.map_overlay(ui, response.rect);
            },
        );
        self.map_memory = memory;
        self.tiles = tiles;
    }

    fn paint_basemap(&self, painter: &egui::Painter, t: &MapTransform, pal: &Palette, zoom: f64) {
        let Some(basemap) = self.basemap.clone() else { return };
        let online = self.settings.online_tiles;
        if !online {
            painter.rect_filled(t.rect, 0.0, pal.sea);
            for (layer, fill) in [(&basemap.countries, pal.land), (&basemap.states, pal.us)] {
                let mesh = egui::Mesh {
                    vertices: layer
                        .fill_vertices
                        .iter()
                        .map(|p| egui::epaint::Vertex {
                            pos: t.to_screen(p[0], p[1]),
                            uv: egui::epaint::WHITE_UV,
                            color: fill,
                        })
                        .collect(),
                    indices: layer.fill_indices.clone(),
                    ..Default::default()
                };
                painter.add(Shape::mesh(mesh));
            }
        }
        let (lo, hi) = t.visible();
        let outline = |layer: &crate::basemap::AreaLayer, stroke: Stroke| {
            for (ring, bb) in layer.rings.iter().zip(&layer.ring_bboxes) {
                if bb[2] < lo[0] || bb[0] > hi[0] || bb[3] < lo[1] || bb[1] > hi[1] {
                    continue;
                }
                let pts: Vec<Pos2> = ring.iter().map(|p| t.to_screen(p[0], p[1])).collect();
                painter.add(Shape::closed_line(pts, stroke));
            }
        };
        if self.settings.show_counties && zoom >= 5.5 {
            outline(&basemap.counties, Stroke::new(0.6, pal.county));
        }
        outline(&basemap.countries, Stroke::new(1.0, pal.border));
        outline(&basemap.states, Stroke::new(if online { 1.5 } else { 1.0 }, pal.state));
    }

    /// Dot colours by territory slot, with the Unassigned colour last.
    fn dot_colors(&self, pal: &Palette) -> Vec<Color32> {
        let plan = self.doc.editor.plan();
        let fade = |c: Color32, i: Option<usize>| match (self.highlighted, i) {
            (Some(h), Some(i)) if h.get() == i => c,
            (Some(_), _) => c.gamma_multiply(0.18),
            (None, _) => c,
        };
        let mut colors: Vec<Color32> =
            plan.territories.iter().enumerate().map(|(i, tt)| fade(color(tt.color, pal.dark), Some(i))).collect();
        colors.push(fade(pal.unassigned, None));
        colors
    }

    /// The colours and owners of selected dots: with a Balance or Redraw proposal open,
    /// the moved accounts (the selection) show in the colour of where they would go.
    fn selection_look(
        &self,
        colors: &[Color32],
        pal: &Palette,
    ) -> (Vec<Color32>, &[Option<crate::model::TerritoryIdx>]) {
        match &self.pending {
            Some(p) => {
                let mut cs: Vec<Color32> = p.proposal.territories.iter().map(|tt| color(tt.color, pal.dark)).collect();
                cs.push(pal.unassigned);
                (cs, &p.proposal.assignment)
            }
            None => (colors.to_vec(), &self.doc.editor.plan().assignment),
        }
    }

    /// Draws the accounts in view: as circles when there are few, else splatted into a
    /// texture that is redrawn only when the view, the plan or the selection changed.
    fn paint_accounts(&mut self, painter: &egui::Painter, t: &MapTransform, pal: &Palette, zoom: f64) {
        let r = (1.6 + (zoom as f32 - 4.0) * 0.6).clamp(1.6, 6.0);
        let margin = f64::from(r + 2.0) / t.scale;
        let (lo, hi) = t.visible();
        let (lo, hi) = ([lo[0] - margin, lo[1] - margin], [hi[0] + margin, hi[1] + margin]);
        let in_view: usize = self.doc.grid.ranges_in_rect(lo, hi).map(|(s, e)| (e - s) as usize).sum();
        let colors = self.dot_colors(pal);
        let ring = if painter.ctx().global_style().visuals.dark_mode { Color32::WHITE } else { Color32::BLACK };
        if in_view > CIRCLE_LIMIT {
            self.paint_raster(painter, t, pal, r, (lo, hi), in_view);
            return;
        }
        self.dots.key = None;
        let plan = self.doc.editor.plan();
        let unassigned = colors.len() - 1;
        let clip = t.rect.expand(r);
        let (xs, ys) = (self.doc.grid.xs(), self.doc.grid.ys());
        let mut shapes = Vec::with_capacity(in_view);
        for (s, e) in self.doc.grid.ranges_in_rect(lo, hi) {
            for i in s as usize..e as usize {
                let p = t.to_screen(xs[i], ys[i]);
                if clip.contains(p) {
                    let c = colors[plan.assignment[i].map_or(unassigned, |o| o.get())];
                    shapes.push(Shape::circle_filled(p, r, c));
                }
            }
        }
        painter.extend(shapes);
        // The selection: each dot ringed in the theme's strong colour.
        let (sel_colors, sel_owners) = self.selection_look(&colors, pal);
        let sel_unassigned = sel_colors.len() - 1;
        let mut sel = Vec::new();
        for &(s, e) in self.selection.accounts().ranges() {
            for i in s as usize..e as usize {
                let p = t.to_screen(xs[i], ys[i]);
                if clip.contains(p) {
                    let c = sel_colors[sel_owners[i].map_or(sel_unassigned, |o| o.get())];
                    sel.push(Shape::circle_filled(p, r + 1.6, ring));
                    sel.push(Shape::circle_filled(p, r, c));
                }
            }
        }
        painter.extend(sel);
    }

    /// Splats the accounts in view into the base texture (unselected look) and the
    /// selected ones into an overlay texture, each redrawn only when what it shows
    /// changed: a lasso being drawn redraws only the overlay.
    fn paint_raster(
        &mut self,
        painter: &egui::Painter,
        t: &MapTransform,
        pal: &Palette,
        r: f32,
        (lo, hi): ([f64; 2], [f64; 2]),
        in_view: usize,
    ) {
        let ppp = painter.ctx().pixels_per_point();
        let w = (t.rect.width() * ppp).round().max(1.0) as usize;
        let h = (t.rect.height() * ppp).round().max(1.0) as usize;
        // Dot size in pixels: at least 2, growing with zoom.
        let d = ((r * ppp * 1.6).round() as usize).clamp(3, 7);
        // Very dense views: 2-pixel dots (they overlap anyway, and cost half).
        let d = if in_view > 200_000 { 2 } else { d };
        let colors = &self.dot_colors(pal);
        let has_selection = !self.selection.is_empty();
        // With a selection, the other dots are dimmed so that it stands out.
        let base_colors: Vec<Color32> =
            if has_selection { colors.iter().map(|c| c.gamma_multiply(0.3)).collect() } else { colors.to_vec() };
        let grid = &self.doc.grid;
        let view = SplatView { w, h, scale: t.scale * f64::from(ppp), center: t.center };
        // Splats ranges of accounts into the whole buffer, on two cores: the top half of
        // the screen and the bottom half, each from the grid rows that reach it.
        let splat_ranges = |px: &mut [Color32],
                            ranges: &[((u32, u32), f64, f64)],
                            cs: &[Color32],
                            size: usize,
                            all_owners: &[Option<crate::model::TerritoryIdx>]| {
            let unassigned = cs.len() - 1;
            let mid = h / 2;
            let y_mid = t.center[1];
            let margin = (size as f64 + 1.0) / view.scale;
            let (top, bottom) = px.split_at_mut(mid * w);
            let band = |px: &mut [Color32], y0: usize, rows: usize, keep: &dyn Fn(f64, f64) -> bool| {
                let b = Band { y0, rows };
                for &((s, e), y_lo, y_hi) in ranges {
                    if !keep(y_lo, y_hi) {
                        continue;
                    }
                    let (s, e) = (s as usize, e as usize);
                    let (xs, ys, owners) = (&grid.xs()[s..e], &grid.ys()[s..e], &all_owners[s..e]);
                    match size {
                        0..=2 => splat::<2>(px, &view, &b, xs, ys, owners, cs, unassigned),
                        3 => splat::<3>(px, &view, &b, xs, ys, owners, cs, unassigned),
                        4 => splat::<4>(px, &view, &b, xs, ys, owners, cs, unassigned),
                        5 => splat::<5>(px, &view, &b, xs, ys, owners, cs, unassigned),
                        6 => splat::<6>(px, &view, &b, xs, ys, owners, cs, unassigned),
                        _ => splat::<7>(px, &view, &b, xs, ys, owners, cs, unassigned),
                    }
                }
            };
            std::thread::scope(|scope| {
                scope.spawn(|| band(top, 0, mid, &|_, y_hi| y_hi >= y_mid - margin));
                band(bottom, mid, h - mid, &|y_lo, _| y_lo <= y_mid + margin);
            });
        };

        let base_key = DotKey {
            transform: *t,
            generation: self.generation,
            selection: 0,
            colors: base_colors.clone(),
            ppp,
            radius: r,
        };
        if self.dots.key.as_ref() != Some(&base_key) || self.dots.texture.is_none() {
            let mut px = vec![Color32::TRANSPARENT; w * h];
            let bands: Vec<((u32, u32), f64, f64)> = grid.row_bands_in_rect(lo, hi).collect();
            splat_ranges(&mut px, &bands, &base_colors, d, &self.doc.editor.plan().assignment);
            upload(painter.ctx(), &mut self.dots.texture, "account-dots", egui::ColorImage::new([w, h], px));
            self.dots.key = Some(base_key);
        }
        let (sel_colors, sel_owners) = self.selection_look(colors, pal);
        let overlay_key = DotKey {
            transform: *t,
            generation: self.generation,
            selection: self.selection_version,
            colors: sel_colors.clone(),
            ppp,
            radius: r,
        };
        if has_selection && (self.dots.overlay_key.as_ref() != Some(&overlay_key) || self.dots.overlay.is_none()) {
            let mut px = vec![Color32::TRANSPARENT; w * h];
            // The selection's ranges, each with the y extent of its accounts' rows unknown:
            // both halves take them all.
            let bands: Vec<((u32, u32), f64, f64)> =
                self.selection.accounts().ranges().iter().map(|&r| (r, f64::MIN, f64::MAX)).collect();
            splat_ranges(&mut px, &bands, &sel_colors, d + 1, sel_owners);
            upload(painter.ctx(), &mut self.dots.overlay, "selected-dots", egui::ColorImage::new([w, h], px));
            self.dots.overlay_key = Some(overlay_key);
        }
        let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
        if let Some(tex) = &self.dots.texture {
            painter.image(tex.id(), t.rect, uv, Color32::WHITE);
        }
        if has_selection && let Some(tex) = &self.dots.overlay {
            painter.image(tex.id(), t.rect, uv, Color32::WHITE);
        }
    }

    /// The territory labels on the map: each live territory with accounts, at its centre.
    /// With a proposal on show, its territories are labelled where they would be.
    pub fn map_labels(&self) -> Vec<MapLabel<'_>> {
        let (territories, totals) = match &self.pending {
            Some(p) => (&p.proposal.territories, &p.report.metrics_after.territories),
            None => (&self.doc.editor.plan().territories, &self.doc.editor.metrics().territories),
        };
        territories
            .iter()
            .zip(totals)
            .filter(|(tt, _)| tt.alive)
            .filter_map(|(tt, totals)| {
                let centre = totals.center_mercator()?;
                Some(MapLabel { territory: tt, centre, accounts: totals.accounts })
            })
            .collect()
    }

    fn paint_labels(&self, painter: &egui::Painter, t: &MapTransform, pal: &Palette) {
        // Reps' homes: a small house in the territory's colour.
        let territories = match &self.pending {
            Some(p) => &p.proposal.territories,
            None => &self.doc.editor.plan().territories,
        };
        for tt in territories.iter().filter(|tt| tt.alive) {
            let Some((lon, lat)) = tt.rep_home else { continue };
            let (x, y) = to_mercator(lon, lat);
            let p = t.to_screen(x, y);
            if t.rect.contains(p) {
                let house = [(-7.0, -1.0), (0.0, -9.0), (7.0, -1.0), (7.0, 7.0), (-7.0, 7.0)]
                    .map(|(dx, dy)| p + Vec2::new(dx, dy))
                    .to_vec();
                let stroke = egui::Stroke::new(2.0, pal.label);
                painter.add(egui::Shape::convex_polygon(house, color(tt.color, pal.dark), stroke));
            }
        }
        let font = egui::FontId::proportional(17.0);
        for MapLabel { territory: tt, centre: (x, y), accounts } in self.map_labels() {
            let p = t.to_screen(x, y);
            if !t.rect.contains(p) {
                continue;
            }
            let galley = painter.layout_no_wrap(tt.name.clone(), font.clone(), pal.label);
            let r = label_rect(p, galley.size(), accounts);
            painter.rect_filled(r, 4.0, pal.halo);
            painter.rect_filled(
                Rect::from_min_size(r.left_top(), Vec2::new(4.0, r.height())),
                2.0,
                color(tt.color, pal.dark),
            );
            painter.galley(r.left_top() + Vec2::new(6.0, 2.0), galley, pal.label);
        }
    }

    fn combine_mode(ui: &Ui) -> Combine {
        ui.input(|i| {
            if i.modifiers.shift {
                Combine::Add
            } else if i.modifiers.command {
                Combine::Subtract
            } else {
                Combine::Replace
            }
        })
    }

    /// Placing a rep's home: a click sets it, whatever the tool.
    fn place_home(&mut self, ui: &mut Ui, response: &egui::Response, t: &MapTransform) {
        if response.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }
        if response.clicked()
            && let (Some(territory), Some(p)) = (self.placing_home, ui.input(|i| i.pointer.interact_pos()))
        {
            let [x, y] = t.to_mercator(p);
            let home = Some(from_mercator(x, y));
            self.actions.push(Action::Edit(crate::edit::Command::SetRepHome { territory, home }));
            self.placing_home = None;
        }
    }

    fn gestures(&mut self, ui: &mut Ui, response: &egui::Response, t: &MapTransform) {
        let pointer = ui.input(|i| i.pointer.interact_pos());
        if response.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }

        match self.tool {
            Tool::Lasso | Tool::Rectangle => {
                if response.drag_started_by(egui::PointerButton::Primary) {
                    self.gesture.clear();
                    if let Some(o) = ui.input(|i| i.pointer.press_origin()) {
                        self.gesture.push(o);
                    }
                }
                if (response.dragged_by(egui::PointerButton::Primary)
                    || response.drag_stopped_by(egui::PointerButton::Primary))
                    && let Some(p) = pointer
                {
                    match self.tool {
                        Tool::Lasso => {
                            if self.gesture.last().is_none_or(|l| l.distance(p) >= 2.0) {
                                self.gesture.push(p);
                            }
                        }
                        _ => {
                            self.gesture.truncate(1);
                            if self.gesture.is_empty() {
                                self.gesture.push(p);
                            }
                            self.gesture.push(p);
                        }
                    }
                }
                let stopped = response.drag_stopped_by(egui::PointerButton::Primary);
                if !stopped
                    && response.dragged_by(egui::PointerButton::Primary)
                    && self.gesture.len() >= if self.tool == Tool::Lasso { 3 } else { 2 }
                {
                    // The live selection: what the gesture holds so far, as if closed now.
                    let found = self.gesture_selection(&self.gesture, t);
                    self.actions.push(Action::LiveSelect(found, Self::combine_mode(ui)));
                }
                if stopped {
                    let pts = std::mem::take(&mut self.gesture);
                    let how = Self::combine_mode(ui);
                    if self.tool == Tool::Lasso && pts.len() < 3 {
                        self.gesture_base = None;
                        return;
                    }
                    let found = self.gesture_selection(&pts, t);
                    self.actions.push(Action::Select(found, how));
                }
            }
            Tool::Click => {
                if response.clicked()
                    && let Some(p) = pointer
                {
                    let [x, y] = t.to_mercator(p);
                    let found = AccountSet::from_indices(
                        self.doc.index.get().nearest(x, y, 10.0 / t.scale).into_iter().collect(),
                    );
                    self.actions.push(Action::Select(found, Self::combine_mode(ui)));
                }
            }
            Tool::Area => {
                if response.clicked()
                    && let (Some(p), Some(basemap)) = (pointer, self.basemap.clone())
                {
                    let [x, y] = t.to_mercator(p);
                    let (lon, lat) = from_mercator(x, y);
                    let layer = if self.area_counties { &basemap.counties } else { &basemap.states };
                    match layer.area_at(lon, lat) {
                        Some(i) => {
                            let area = &layer.areas[i];
                            let found =
                                AccountSet::from_indices(self.doc.index.get().select_polygon_lonlat(&area.shape));
                            let name = match area.property("state") {
                                Some(st) if self.area_counties => format!("{} County, {st}", area.name),
                                _ => area.name.clone(),
                            };
                            self.notify(format!("{name}: {} accounts", crate::format::thousands(found.len() as i64)));
                            self.actions.push(Action::Select(found, Self::combine_mode(ui)));
                        }
                        None => self.notify("No state or county here"),
                    }
                }
            }
            Tool::Pan => {}
        }
    }

    /// The accounts inside a lasso (closed) or the rectangle of its first and last points.
    fn gesture_selection(&self, pts: &[Pos2], t: &MapTransform) -> AccountSet {
        if self.tool == Tool::Lasso {
            let ring: Vec<Coord<f64>> = pts
                .iter()
                .map(|p| {
                    let [x, y] = t.to_mercator(*p);
                    Coord { x, y }
                })
                .collect();
            self.doc.grid.select(&MultiPolygon(vec![Polygon::new(LineString(ring), vec![])]))
        } else {
            let (Some(a), Some(b)) = (pts.first(), pts.last()) else { return AccountSet::default() };
            let (a, b) = (t.to_mercator(*a), t.to_mercator(*b));
            let (lo, hi) = ([a[0].min(b[0]), a[1].min(b[1])], [a[0].max(b[0]), a[1].max(b[1])]);
            let rect = geo::Rect::new(Coord { x: lo[0], y: lo[1] }, Coord { x: hi[0], y: hi[1] });
            self.doc.grid.select(&MultiPolygon(vec![rect.to_polygon()]))
        }
    }

    fn paint_gesture(&self, painter: &egui::Painter) {
        if self.gesture.len() < 2 {
            return;
        }
        let dark = painter.ctx().global_style().visuals.dark_mode;
        let stroke = Stroke::new(
            2.0,
            if dark { Color32::from_rgb(0xff, 0xd5, 0x4f) } else { Color32::from_rgb(0x1f, 0x3b, 0x8f) },
        );
        if self.tool == Tool::Rectangle {
            let r = Rect::from_two_pos(self.gesture[0], self.gesture[self.gesture.len() - 1]);
            painter.rect_filled(r, 0.0, stroke.color.gamma_multiply(0.12));
            painter.rect_stroke(r, 0.0, stroke, egui::StrokeKind::Middle);
        } else {
            painter.add(Shape::closed_line(self.gesture.clone(), stroke));
        }
    }

    fn hover(&mut self, ui: &mut Ui, response: &egui::Response, t: &MapTransform) {
        if !response.hovered() || response.dragged() {
            return;
        }
        let Some(p) = ui.input(|i| i.pointer.hover_pos()) else { return };
        // A rep's home first: its house is drawn over the dots.
        let plan = self.doc.editor.plan();
        let home = plan.live_territories().find_map(|(_, tt)| {
            let (lon, lat) = tt.rep_home?;
            let (hx, hy) = to_mercator(lon, lat);
            (t.to_screen(hx, hy).distance(p) <= 9.0).then_some(tt)
        });
        if let Some(tt) = home {
            let who = tt.rep.as_deref().map_or_else(|| format!("{}'s rep", tt.name), |r| format!("{r} ({})", tt.name));
            response.clone().on_hover_text_at_pointer(format!(
                "Home of {who}. Redraw can grow the territory around it; right-click the territory to move it."
            ));
            return;
        }
        let [x, y] = t.to_mercator(p);
        let Some(i) = self.doc.index.try_get().and_then(|index| index.nearest(x, y, 8.0 / t.scale)) else { return };
        let plan = self.doc.editor.plan();
        let a = plan.accounts.get(i as usize);
        let owner = plan.assignment[i as usize];
        let dark = ui.visuals().dark_mode;
        let owner_color = owner.map_or(Color32::GRAY, |o| color(plan.territories[o.get()].color, dark));
        let place = [a.city, a.state, a.zip].into_iter().flatten().collect::<Vec<_>>().join(" ");
        let territory = plan.territory_name(owner).to_owned();
        response.clone().on_hover_ui_at_pointer(|ui| {
            ui.strong(a.name);
            ui.label(format!("{}   {place}", a.id));
            ui.horizontal(|ui| {
                let (r, _) = ui.allocate_exact_size(Vec2::splat(12.0), egui::Sense::hover());
                ui.painter().rect_filled(r, 2.0, owner_color);
                ui.label(territory);
            });
            ui.label(format!(
                "Potential {}   Revenue {}",
                crate::format::money_compact(a.potential.0),
                crate::format::money_compact(a.annual_revenue.0)
            ));
            ui.label(format!(
                "Workload {:.1} h/yr ({} visits × {} min){}",
                a.workload().hours(),
                a.visits_per_year,
                a.minutes_per_visit,
                if a.locked { "   🔒 locked" } else { "" }
            ));
        });
    }

    fn map_overlay(&mut self, ui: &mut Ui, rect: Rect) {
        let credit = if self.settings.online_tiles {
            "© OpenStreetMap contributors".to_owned()
        } else {
            crate::basemap::ATTRIBUTION.to_owned()
        };
        let painter = ui.painter();
        let font = egui::FontId::proportional(11.0);
        let text_color = ui.visuals().weak_text_color();
        let galley = painter.layout_no_wrap(credit, font, text_color);
        let pos = rect.right_bottom() - galley.size() - Vec2::new(6.0, 4.0);
        painter.rect_filled(
            Rect::from_min_size(pos - Vec2::splat(3.0), galley.size() + Vec2::splat(6.0)),
            3.0,
            ui.visuals().extreme_bg_color.gamma_multiply(0.85),
        );
        painter.galley(pos, galley, text_color);
        if self.settings.online_tiles && super::tiles::tile_failures() > 0 {
            let r = Rect::from_min_size(rect.right_top() + Vec2::new(-96.0, 8.0), Vec2::new(88.0, 24.0));
            painter.rect_filled(r, 4.0, Color32::from_rgb(0xb0, 0x3a, 0x2e));
            painter.text(
                r.center(),
                egui::Align2::CENTER_CENTER,
                "⚠ offline",
                egui::FontId::proportional(14.0),
                Color32::WHITE,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_round_trips_and_matches_walkers() {
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::new(800.0, 600.0));
        let t = MapTransform::new(rect, -97.0, 38.0, 5.0);
        let (x, y) = to_mercator(-97.0, 38.0);
        let c = t.to_screen(x, y);
        assert!((c - rect.center()).length() < 1e-3);
        let p = Pos2::new(123.0, 456.0);
        let back = t.to_mercator(p);
        assert!((t.to_screen(back[0], back[1]) - p).length() < 1e-3);
        // One tile of 256 points spans 360° / 2^zoom of longitude.
        let (x2, _) = to_mercator(-97.0 + 360.0 / 32.0, 38.0);
        assert!(((x2 - x) * t.scale - 256.0).abs() < 1e-6);
    }

    #[test]
    fn a_small_territorys_label_leaves_its_dot_visible() {
        let c = Pos2::new(300.0, 200.0);
        let text = Vec2::new(60.0, 20.0);
        // The dot (6 points in radius at the closest zooms) stays clear of the box.
        let dot = Rect::from_center_size(c, Vec2::splat(12.0));
        assert!(!label_rect(c, text, 1).intersects(dot));
        assert!(!label_rect(c, text, LABEL_LIFT_MAX_ACCOUNTS).intersects(dot));
        // A larger territory's label marks its centre.
        assert!(label_rect(c, text, LABEL_LIFT_MAX_ACCOUNTS + 1).contains(c));
    }
}
