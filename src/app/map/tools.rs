//! The tools on the map: lasso, rectangle and click selection with their modifiers,
//! and placing a rep's home.

use super::*;

impl TerritoryApp {
    pub(super) fn combine_mode(ui: &Ui) -> Combine {
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
    pub(super) fn place_home(&mut self, ui: &mut Ui, response: &egui::Response, t: &MapTransform) {
        if response.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }
        if response.clicked()
            && let (Some(territory), Some(p)) = (self.ui.placing_home, ui.input(|i| i.pointer.interact_pos()))
        {
            let [x, y] = t.to_mercator(p);
            let home = Some(from_mercator(x, y));
            self.actions.push(Action::Edit(crate::edit::Command::SetRepHome { territory, home }));
            self.ui.placing_home = None;
        }
    }

    pub(super) fn gestures(&mut self, ui: &mut Ui, response: &egui::Response, t: &MapTransform) {
        let pointer = ui.input(|i| i.pointer.interact_pos());
        if response.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::Crosshair);
        }

        match self.ui.tool {
            Tool::Lasso | Tool::Rectangle => {
                if response.drag_started_by(egui::PointerButton::Primary) {
                    self.ui.gesture.clear();
                    if let Some(o) = ui.input(|i| i.pointer.press_origin()) {
                        self.ui.gesture.push(o);
                    }
                }
                if (response.dragged_by(egui::PointerButton::Primary)
                    || response.drag_stopped_by(egui::PointerButton::Primary))
                    && let Some(p) = pointer
                {
                    match self.ui.tool {
                        Tool::Lasso => {
                            if self.ui.gesture.last().is_none_or(|l| l.distance(p) >= 2.0) {
                                self.ui.gesture.push(p);
                            }
                        }
                        _ => {
                            self.ui.gesture.truncate(1);
                            if self.ui.gesture.is_empty() {
                                self.ui.gesture.push(p);
                            }
                            self.ui.gesture.push(p);
                        }
                    }
                }
                let stopped = response.drag_stopped_by(egui::PointerButton::Primary);
                if !stopped
                    && response.dragged_by(egui::PointerButton::Primary)
                    && self.ui.gesture.len() >= if self.ui.tool == Tool::Lasso { 3 } else { 2 }
                {
                    // The live selection: what the gesture holds so far, as if closed now.
                    let found = self.gesture_selection(&self.ui.gesture, t);
                    self.actions.push(Action::LiveSelect(found, Self::combine_mode(ui)));
                }
                if stopped {
                    let pts = std::mem::take(&mut self.ui.gesture);
                    let how = Self::combine_mode(ui);
                    if self.ui.tool == Tool::Lasso && pts.len() < 3 {
                        self.ui.gesture_base = None;
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
                    let found =
                        AccountSet::from_indices(self.doc.grid.nearest(x, y, 10.0 / t.scale).into_iter().collect());
                    self.actions.push(Action::Select(found, Self::combine_mode(ui)));
                }
            }
            Tool::Area => {
                if response.clicked()
                    && let (Some(p), Some(basemap)) = (pointer, self.basemap.clone())
                {
                    let [x, y] = t.to_mercator(p);
                    let (lon, lat) = from_mercator(x, y);
                    let layer = if self.ui.area_counties { &basemap.counties } else { &basemap.states };
                    match layer.area_at(lon, lat) {
                        Some(i) => {
                            let area = &layer.areas[i];
                            let accounts = &self.doc.editor.plan().accounts;
                            let found =
                                self.doc.grid.select_lonlat(&area.shape, |i| (accounts.lon()[i], accounts.lat()[i]));
                            let name = match area.property("state") {
                                Some(st) if self.ui.area_counties => format!("{} County, {st}", area.name),
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
    pub(super) fn gesture_selection(&self, pts: &[Pos2], t: &MapTransform) -> AccountSet {
        if self.ui.tool == Tool::Lasso {
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

    pub(super) fn paint_gesture(&self, painter: &egui::Painter) {
        if self.ui.gesture.len() < 2 {
            return;
        }
        let dark = painter.ctx().global_style().visuals.dark_mode;
        let stroke = Stroke::new(
            2.0,
            if dark { Color32::from_rgb(0xff, 0xd5, 0x4f) } else { Color32::from_rgb(0x1f, 0x3b, 0x8f) },
        );
        if self.ui.tool == Tool::Rectangle {
            let r = Rect::from_two_pos(self.ui.gesture[0], self.ui.gesture[self.ui.gesture.len() - 1]);
            painter.rect_filled(r, 0.0, stroke.color.gamma_multiply(0.12));
            painter.rect_stroke(r, 0.0, stroke, egui::StrokeKind::Middle);
        } else {
            painter.add(Shape::closed_line(self.ui.gesture.clone(), stroke));
        }
    }
}
