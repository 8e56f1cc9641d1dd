//! The bundled offline basemap drawn under the accounts: countries, states, counties by zoom.

use super::*;

impl TerritoryApp {
    pub(super) fn paint_basemap(&self, painter: &egui::Painter, t: &MapTransform, pal: &Palette, zoom: f64) {
        let Some(basemap) = self.basemap.clone() else { return };
        let online = self.settings.online_tiles;
        if !online {
            painter.rect_filled(t.rect, 0.0, pal.sea);
            for (layer, fill) in [(&basemap.countries, pal.land), (&basemap.states, pal.us)] {
                painter.add(filled_mesh(t, &layer.fill_vertices, &layer.fill_indices, fill));
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
}
