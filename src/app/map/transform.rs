//! One affine transform from Web Mercator metres to screen points, and back.

use super::*;

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

/// Triangles given in Web Mercator metres (vertices, index triples), filled with one
/// colour, as a shape on screen.
pub(in crate::app) fn filled_mesh(t: &MapTransform, vertices: &[[f64; 2]], indices: &[u32], color: Color32) -> Shape {
    Shape::mesh(egui::Mesh {
        vertices: vertices
            .iter()
            .map(|p| egui::epaint::Vertex { pos: t.to_screen(p[0], p[1]), uv: egui::epaint::WHITE_UV, color })
            .collect(),
        indices: indices.to_vec(),
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transform_round_trips_and_a_tile_spans_256_points() {
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
}
