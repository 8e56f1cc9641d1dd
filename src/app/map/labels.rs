//! Territory names on the map, placed so that a small territory's dot stays visible.

use super::*;

/// A territory of at most this many accounts has its label above its centre, not on
/// its dots.
pub(super) const LABEL_LIFT_MAX_ACCOUNTS: u64 = 5;

/// At most this many territory names are placed on the map, the largest territories'
/// (a map in view holds far fewer legibly).
const MAX_MAP_LABELS: usize = 400;

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
pub(super) fn label_rect(centre: Pos2, text: Vec2, accounts: u64) -> Rect {
    let lift = if accounts <= LABEL_LIFT_MAX_ACCOUNTS { Vec2::new(0.0, -(text.y / 2.0 + 12.0)) } else { Vec2::ZERO };
    Rect::from_center_size(centre + lift, text).expand2(Vec2::new(6.0, 2.0))
}

impl TerritoryApp {
    /// The territory labels on the map: each live territory with accounts, at its centre
    /// (over the areas, kept inside its area). With a proposal on show, its territories
    /// are labelled where they would be.
    pub fn map_labels(&self) -> Vec<MapLabel<'_>> {
        let (territories, totals) = match &self.pending {
            Some(p) => (&p.proposal.territories, &p.report.metrics_after.territories),
            None => (&self.doc.editor.plan().territories, &self.doc.editor.metrics().territories),
        };
        // Over areas of the plan on screen, a name stays inside its territory's area.
        let over_areas = self.pending.is_none() && self.areas_drawn;
        territories
            .iter()
            .zip(totals)
            .enumerate()
            .filter(|(_, (tt, _))| tt.alive)
            .filter_map(|(t, (tt, totals))| {
                let anchor = (over_areas && totals.accounts > 0)
                    .then(|| self.doc.areas.anchor(crate::model::TerritoryIdx::new(t as u32)))
                    .flatten()
                    .map(|(lon, lat)| to_mercator(lon, lat));
                let centre = anchor.or_else(|| totals.center_mercator())?;
                Some(MapLabel { territory: tt, centre, accounts: totals.accounts })
            })
            .collect()
    }

    pub(super) fn paint_labels(&self, painter: &egui::Painter, t: &MapTransform, pal: &Palette) {
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
        if self.colors_by_region() && self.pending.is_none() {
            self.paint_region_labels(painter, t, pal);
            return;
        }
        // The largest territories first; a label that would overlap one already placed
        // moves up or down a line or two, or is left out (the panel lists it).
        let mut labels: Vec<(MapLabel<'_>, Pos2)> = self
            .map_labels()
            .into_iter()
            .map(|l| (t.to_screen(l.centre.0, l.centre.1), l))
            .filter(|(p, _)| t.rect.contains(*p))
            .map(|(p, l)| (l, p))
            .collect();
        labels.sort_by_key(|(l, _)| std::cmp::Reverse(l.accounts));
        // Placing is quadratic in the labels: beyond this many in view no more would
        // fit legibly anyway.
        labels.truncate(MAX_MAP_LABELS);
        let laid: Vec<(&MapLabel<'_>, std::sync::Arc<egui::Galley>, Rect)> = labels
            .iter()
            .map(|(l, p)| {
                let galley = painter.layout_no_wrap(l.territory.name.clone(), font.clone(), pal.label);
                let r = label_rect(*p, galley.size(), l.accounts);
                // A label at the map's edge slides inside it.
                let dx = (t.rect.min.x - r.min.x).max(0.0) + (t.rect.max.x - r.max.x).min(0.0);
                (l, galley, r.translate(Vec2::new(dx, 0.0)))
            })
            .collect();
        let boxes: Vec<[f64; 4]> =
            laid.iter().map(|(_, _, r)| [r.min.x, r.min.y, r.max.x, r.max.y].map(f64::from)).collect();
        let steps: Vec<f64> = laid.iter().map(|(_, _, r)| f64::from(r.height()) * 1.1).collect();
        let area = [t.rect.min.x, t.rect.min.y, t.rect.max.x, t.rect.max.y].map(f64::from);
        let shifts = crate::render::place_labels(&boxes, &steps, area);
        for ((l, galley, r), dy) in laid.into_iter().zip(shifts) {
            let Some(dy) = dy else { continue };
            let (tt, r) = (l.territory, r.translate(Vec2::new(0.0, dy as f32)));
            painter.rect_filled(r, 4.0, pal.halo);
            painter.rect_filled(
                Rect::from_min_size(r.left_top(), Vec2::new(4.0, r.height())),
                2.0,
                color(tt.color, pal.dark),
            );
            painter.galley(r.left_top() + Vec2::new(6.0, 2.0), galley, pal.label);
        }
    }
}

impl TerritoryApp {
    /// The regions' names at their accounts' centres, the deepest regions only (a
    /// parent's centre falls among its children's), in the region's colour.
    fn paint_region_labels(&self, painter: &egui::Painter, t: &MapTransform, pal: &Palette) {
        let plan = self.doc.editor.plan();
        let rollup =
            crate::metrics::region_rollup(&plan.territories, &plan.regions, &self.doc.editor.metrics().territories);
        let font = egui::FontId::proportional(19.0);
        let has_child = |r: crate::model::RegionIdx| plan.regions.iter().any(|x| x.alive && x.parent == Some(r));
        for f in rollup.iter().filter(|f| !has_child(f.region)) {
            let Some((x, y)) = f.totals.center_mercator() else { continue };
            let p = t.to_screen(x, y);
            if !t.rect.contains(p) {
                continue;
            }
            let region = &plan.regions[f.region.get()];
            let galley = painter.layout_no_wrap(region.name.clone(), font.clone(), pal.label);
            let r = label_rect(p, galley.size(), f.totals.accounts);
            painter.rect_filled(r, 4.0, pal.halo);
            painter.rect_stroke(
                r,
                4.0,
                egui::Stroke::new(2.5, color(region.color, pal.dark)),
                egui::StrokeKind::Inside,
            );
            painter.galley(r.left_top() + Vec2::new(6.0, 2.0), galley, pal.label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
