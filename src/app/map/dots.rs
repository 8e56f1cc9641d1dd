//! The accounts as dots: circles up to 25,000 in view, above that splatted into a
//! texture redrawn only when the view, the plan or the selection changed.

use super::*;

/// How much of its colour an account keeps in the Changes mode when it did not change.
const CHANGES_FAINT: f32 = 0.15;

/// Above this many accounts in view, dots are splatted into a texture instead of
/// tessellated as circles.
pub(super) const CIRCLE_LIMIT: usize = 25_000;

/// What the dot texture shows; redrawn when any of it changes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DotKey {
    transform: MapTransform,
    revision: u64,
    selection: u64,
    /// The Changes mode's comparison, when it is on.
    changes: Option<(u64, usize, usize)>,
    colors: Vec<Color32>,
    ppp: f32,
    radius: f32,
}

/// The cached dot textures: all accounts, and the selected ones on top.
#[derive(Default)]
pub(in crate::app) struct DotLayer {
    texture: Option<egui::TextureHandle>,
    key: Option<DotKey>,
    overlay: Option<egui::TextureHandle>,
    overlay_key: Option<DotKey>,
}

/// The rows `y0..y0 + rows` of the buffer that one splat writes.
pub(super) struct Band {
    y0: usize,
    rows: usize,
}

/// The pixel buffer a splat writes into and the view's transform, in pixels.
pub(super) struct SplatView {
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
pub(super) fn splat<const D: usize>(
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
pub(super) fn upload(ctx: &egui::Context, slot: &mut Option<egui::TextureHandle>, name: &str, image: egui::ColorImage) {
    match slot {
        Some(tex) => tex.set(image, egui::TextureOptions::NEAREST),
        None => *slot = Some(ctx.load_texture(name, image, egui::TextureOptions::NEAREST)),
    }
}

impl TerritoryApp {
    /// Whether the map colours by region (asked for, and the plan has regions).
    pub(super) fn colors_by_region(&self) -> bool {
        self.ui.color_by_region && self.doc.editor.plan().regions.iter().any(|r| r.alive)
    }

    /// Dot colours by territory slot, with the Unassigned colour last.
    pub(super) fn dot_colors(&self, pal: &Palette) -> Vec<Color32> {
        let plan = self.doc.editor.plan();
        let fade = |c: Color32, i: Option<usize>| match (self.ui.highlighted, i) {
            (Some(h), Some(i)) if h.get() == i => c,
            (Some(_), _) => c.gamma_multiply(0.18),
            (None, _) => c,
        };
        // Coloured by region: a territory takes its region's colour (grey outside any).
        let of = |tt: &crate::model::Territory| match tt.region.filter(|_| self.colors_by_region()) {
            Some(r) if crate::model::region_live(&plan.regions, r) => color(plan.regions[r.get()].color, pal.dark),
            _ if self.colors_by_region() => pal.unassigned,
            _ => color(tt.color, pal.dark),
        };
        let mut colors: Vec<Color32> =
            plan.territories.iter().enumerate().map(|(i, tt)| fade(of(tt), Some(i))).collect();
        colors.push(fade(pal.unassigned, None));
        colors
    }

    /// The colours and owners of selected dots: with a Balance or Redraw proposal open,
    /// the moved accounts (the selection) show in the colour of where they would go.
    pub(super) fn selection_look(
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
    pub(super) fn paint_accounts(&mut self, painter: &egui::Painter, t: &MapTransform, pal: &Palette, zoom: f64) {
        let r = (1.6 + (zoom as f32 - 4.0) * 0.6).clamp(1.6, 6.0);
        let margin = f64::from(r + 2.0) / t.scale;
        let (lo, hi) = t.visible();
        let (lo, hi) = ([lo[0] - margin, lo[1] - margin], [hi[0] + margin, hi[1] + margin]);
        let in_view: usize = self.doc.grid.ranges_in_rect(lo, hi).map(|(s, e)| (e - s) as usize).sum();
        let ring = if painter.ctx().global_style().visuals.dark_mode { Color32::WHITE } else { Color32::BLACK };
        // The Changes mode's accounts, taken out of the UI state while drawing.
        let changes = match super::changed_accounts(&self.doc, &mut self.ui) {
            Some(_) => self.ui.changes_cache.take(),
            None => None,
        };
        if in_view > CIRCLE_LIMIT {
            self.paint_raster(painter, t, pal, r, (lo, hi, in_view), changes.as_ref());
        } else {
            self.paint_circles(painter, t, pal, (r, ring), (lo, hi, in_view), changes.as_ref());
        }
        if changes.is_some() {
            self.ui.changes_cache = changes;
        }
    }

    /// Draws the accounts in view as circles, the selection ringed on top.
    fn paint_circles(
        &mut self,
        painter: &egui::Painter,
        t: &MapTransform,
        pal: &Palette,
        (r, ring): (f32, Color32),
        (lo, hi, in_view): ([f64; 2], [f64; 2], usize),
        changes: Option<&((u64, usize, usize), AccountSet)>,
    ) {
        let colors = &self.dot_colors(pal);
        self.dots.key = None;
        let changes = changes.map(|(_, set)| set);
        // Opaque, so that overlapping circles do not add up to full colour.
        let faint: Vec<Color32> = colors.iter().map(|&c| pal.land.lerp_to_gamma(c, CHANGES_FAINT)).collect();
        let plan = self.doc.editor.plan();
        let unassigned = colors.len() - 1;
        let clip = t.rect.expand(r);
        let (xs, ys) = (self.doc.grid.xs(), self.doc.grid.ys());
        let mut shapes = Vec::with_capacity(in_view);
        let base = if changes.is_some() { &faint[..] } else { colors };
        for (s, e) in self.doc.grid.ranges_in_rect(lo, hi) {
            for i in s as usize..e as usize {
                let p = t.to_screen(xs[i], ys[i]);
                if clip.contains(p) {
                    let c = base[plan.assignment[i].map_or(unassigned, |o| o.get())];
                    shapes.push(Shape::circle_filled(p, r, c));
                }
            }
        }
        // The Changes mode: what moved, in its colour here, larger and outlined.
        for &(s, e) in changes.iter().flat_map(|set| set.ranges()) {
            for i in s as usize..e as usize {
                let p = t.to_screen(xs[i], ys[i]);
                if clip.contains(p) {
                    let c = colors[plan.assignment[i].map_or(unassigned, |o| o.get())];
                    shapes.push(Shape::Circle(egui::epaint::CircleShape {
                        center: p,
                        radius: r + 1.2,
                        fill: c,
                        stroke: Stroke::new(1.0, ring),
                    }));
                }
            }
        }
        painter.extend(shapes);
        // The selection: each dot ringed in the theme's strong colour.
        let (sel_colors, sel_owners) = self.selection_look(colors, pal);
        let sel_unassigned = sel_colors.len() - 1;
        let mut sel = Vec::new();
        for &(s, e) in self.ui.selection.accounts().ranges() {
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
    pub(super) fn paint_raster(
        &mut self,
        painter: &egui::Painter,
        t: &MapTransform,
        pal: &Palette,
        r: f32,
        (lo, hi, in_view): ([f64; 2], [f64; 2], usize),
        changes: Option<&((u64, usize, usize), AccountSet)>,
    ) {
        let ppp = painter.ctx().pixels_per_point();
        let w = (t.rect.width() * ppp).round().max(1.0) as usize;
        let h = (t.rect.height() * ppp).round().max(1.0) as usize;
        // Dot size in pixels: at least 2, growing with zoom.
        let d = ((r * ppp * 1.6).round() as usize).clamp(3, 7);
        // Very dense views: 2-pixel dots (they overlap anyway, and cost half).
        let d = if in_view > 200_000 { 2 } else { d };
        let colors = &self.dot_colors(pal);
        let has_selection = !self.ui.selection.is_empty();
        // With a selection, the other dots are dimmed so that it stands out; in the
        // Changes mode, all but the changed ones are faint.
        let dim = if changes.is_some() {
            CHANGES_FAINT
        } else if has_selection {
            0.3
        } else {
            1.0
        };
        let base_colors: Vec<Color32> = colors.iter().map(|c| c.gamma_multiply(dim)).collect();
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
            revision: self.doc.editor.revision(),
            selection: 0,
            changes: changes.map(|(k, _)| *k),
            colors: base_colors.clone(),
            ppp,
            radius: r,
        };
        if self.dots.key.as_ref() != Some(&base_key) || self.dots.texture.is_none() {
            let mut px = vec![Color32::TRANSPARENT; w * h];
            let bands: Vec<((u32, u32), f64, f64)> = grid.row_bands_in_rect(lo, hi).collect();
            splat_ranges(&mut px, &bands, &base_colors, d, &self.doc.editor.plan().assignment);
            // The Changes mode: what moved, in its colour here, one pixel larger.
            if let Some((_, set)) = changes {
                let moved: Vec<((u32, u32), f64, f64)> =
                    set.ranges().iter().map(|&r| (r, f64::MIN, f64::MAX)).collect();
                splat_ranges(&mut px, &moved, colors, d + 1, &self.doc.editor.plan().assignment);
            }
            upload(painter.ctx(), &mut self.dots.texture, "account-dots", egui::ColorImage::new([w, h], px));
            self.dots.key = Some(base_key);
        }
        let (sel_colors, sel_owners) = self.selection_look(colors, pal);
        let overlay_key = DotKey {
            transform: *t,
            revision: self.doc.editor.revision(),
            selection: self.ui.selection_version,
            changes: None,
            colors: sel_colors.clone(),
            ppp,
            radius: r,
        };
        if has_selection && (self.dots.overlay_key.as_ref() != Some(&overlay_key) || self.dots.overlay.is_none()) {
            let mut px = vec![Color32::TRANSPARENT; w * h];
            // The selection's ranges, each with the y extent of its accounts' rows unknown:
            // both halves take them all.
            let bands: Vec<((u32, u32), f64, f64)> =
                self.ui.selection.accounts().ranges().iter().map(|&r| (r, f64::MIN, f64::MAX)).collect();
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
}
