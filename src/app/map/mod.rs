//! The map: offline basemap, accounts as dots, territory names, and the selection
//! tools. Everything is painted through one affine [`MapTransform`] from Web
//! Mercator metres to screen points, derived once per frame from walkers' projector.
//!
//! The folder: `transform.rs`, `basemap_layer.rs`, `areas.rs` (territory areas, made
//! off the UI thread), `dots.rs`, `changes.rs` (the Changes
//! mode's accounts), `labels.rs`, `tools.rs`
//! (lasso, rectangle, click, rep's home), `hover.rs`; the map's frame and palette here.

use egui::{Color32, Pos2, Rect, Shape, Stroke, Ui, Vec2};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use walkers::{Map, Tiles, lon_lat};

use super::selection::Combine;
use super::{Action, TerritoryApp, Tool};
use crate::model::{AccountSet, Rgb, View};
use crate::spatial::{EARTH_RADIUS_M, from_mercator, to_mercator};

mod areas;
mod basemap_layer;
mod changes;
mod dots;
mod hover;
mod labels;
mod tools;
mod transform;

pub(in crate::app) use areas::SHOW_WORK_AFTER;
pub use areas::{AUTO_AREAS_ABOVE, Areas, AreasSetting};
pub(in crate::app) use changes::changed_accounts;
pub(in crate::app) use dots::DotLayer;
pub use transform::*;

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

/// The map right after a fit to the plan: its size, zoom and centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(in crate::app) struct Fitted {
    size: egui::Vec2,
    zoom: f64,
    centre: Option<(f64, f64)>,
}

impl TerritoryApp {
    fn fitted_at(&self, rect: Rect) -> Fitted {
        let centre = self.map_memory.detached().map(|p| (p.x(), p.y()));
        Fitted { size: rect.size(), zoom: self.map_memory.zoom(), centre }
    }

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

    pub(in crate::app) fn map(&mut self, ui: &mut Ui) {
        let rect = ui.available_rect_before_wrap();
        if self.fit_pending > 0 {
            self.fit_to_plan(rect);
            self.fit_pending -= 1;
            self.fitted = Some(self.fitted_at(rect));
        } else if let Some(f) = self.fitted {
            // Until the map is moved, the plan stays fitted to the window: a window
            // maximised or put on a projector after the plan opened shows all of it.
            let now = self.fitted_at(rect);
            if (now.zoom, now.centre) != (f.zoom, f.centre) {
                self.fitted = None;
            } else if now.size != f.size {
                self.fit_to_plan(rect);
                self.fitted = Some(self.fitted_at(rect));
            }
        }
        let space = ui.input(|i| i.key_down(egui::Key::Space)) && !ui.ctx().egui_wants_keyboard_input();
        let panning = self.ui.tool == Tool::Pan || space;
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
        // The wheel zooms, as in every desktop map (walkers' default needs Ctrl).
        Map::new(layer, &mut memory, home)
            .drag_pan_buttons(buttons)
            .double_click_to_zoom(panning)
            .zoom_with_ctrl(false)
            .show(ui, |ui, response, projector, mem| {
                let center = projector.unproject(response.rect.center().to_vec2());
                let t = MapTransform::new(response.rect, center.x(), center.y(), mem.zoom());
                self.last_transform = Some(t);
                let painter = ui.painter().with_clip_rect(response.rect);
                let pal = Palette::new(ui.visuals().dark_mode);
                self.paint_basemap(&painter, &t, &pal, mem.zoom());
                self.paint_areas(&painter, &t, &pal);
                self.paint_accounts(&painter, &t, &pal, mem.zoom());
                self.paint_labels(&painter, &t, &pal);
                if self.ui.placing_home.is_some() {
                    self.place_home(ui, response, &t);
                } else if !panning {
                    self.gestures(ui, response, &t);
                } else {
                    self.ui.gesture.clear();
                    self.ui.gesture_base = None;
                }
                self.paint_gesture(&painter);
                self.hover(ui, response, &t);
                self.map_overlay(ui, response.rect);
            });
        self.map_memory = memory;
        self.tiles = tiles;
    }
}
