//! Hover: the account under the pointer and its tooltip, and the overlay on the map.

use super::*;

impl TerritoryApp {
    pub(super) fn hover(&mut self, ui: &mut Ui, response: &egui::Response, t: &MapTransform) {
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
        let Some(i) = self.doc.grid.nearest(x, y, 8.0 / t.scale) else { return };
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

    pub(super) fn map_overlay(&mut self, ui: &mut Ui, rect: Rect) {
        let credit = if self.settings.online_tiles {
            "© OpenStreetMap contributors".to_owned()
        } else {
            crate::basemap::ATTRIBUTION.to_owned()
        };
        let painter = ui.painter();
        let font = egui::FontId::proportional(11.0);
        let text_color = ui.visuals().weak_text_color();
        // Wrapped on a narrow map, so that the credit is read whole.
        let galley = painter.layout(credit, font, text_color, (rect.width() - 18.0).max(60.0));
        let pos = rect.right_bottom() - galley.size() - Vec2::new(6.0, 4.0);
        painter.rect_filled(
            Rect::from_min_size(pos - Vec2::splat(3.0), galley.size() + Vec2::splat(6.0)),
            3.0,
            ui.visuals().extreme_bg_color.gamma_multiply(0.85),
        );
        painter.galley(pos, galley, text_color);
        if self.settings.online_tiles && crate::app::tiles::tile_failures() > 0 {
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
