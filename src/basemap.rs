//! The offline vector basemap: world countries, US states and US counties, bundled
//! in the binary, with their outlines pre-projected to Web Mercator for drawing and
//! their lon/lat shapes kept for "select by area".

use crate::io::geojson_areas::{self, Area, AreaError};
use crate::spatial::{self, multipolygon_contains, to_mercator};

/// Attribution of the bundled data, shown with the map.
pub const ATTRIBUTION: &str = "Boundaries: Natural Earth, U.S. Census Bureau (public domain). \
Places: GeoNames (CC BY 4.0), modified; accounts are synthetic.";

pub(crate) const WORLD: &str = include_str!("../assets/world_countries_110m.geojson");
pub(crate) const STATES: &str = include_str!("../assets/us_states_10m.geojson");
const COUNTIES: &str = include_str!("../assets/us_counties_10m.geojson");

/// A layer of areas: their shapes, bounding boxes and projected outlines.
pub struct AreaLayer {
    pub areas: Vec<Area>,
    /// (min lon, min lat, max lon, max lat) by area.
    pub bboxes: Vec<[f64; 4]>,
    /// Every ring of every area, in Web Mercator metres.
    pub rings: Vec<Vec<[f64; 2]>>,
    /// Web Mercator bounding box of each ring, to skip what is off screen.
    pub ring_bboxes: Vec<[f64; 4]>,
    /// The areas' interiors as triangles (Web Mercator vertices, index triples), for
    /// filling land; empty for layers that are only outlined.
    pub fill_vertices: Vec<[f64; 2]>,
    pub fill_indices: Vec<u32>,
}

impl AreaLayer {
    fn new(areas: Vec<Area>) -> AreaLayer {
        let mut bboxes = Vec::with_capacity(areas.len());
        let mut rings = Vec::new();
        let mut ring_bboxes = Vec::new();
        for a in &areas {
            let bb = spatial::bbox(&a.shape).map_or([0.0; 4], |(lo, hi)| [lo.x, lo.y, hi.x, hi.y]);
            bboxes.push(bb);
            for p in &a.shape.0 {
                for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                    let pts: Vec<[f64; 2]> = ring
                        .0
                        .iter()
                        .map(|c| {
                            let (x, y) = to_mercator(c.x, c.y);
                            [x, y]
                        })
                        .collect();
                    let mut rb = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                    for [x, y] in &pts {
                        rb = [rb[0].min(*x), rb[1].min(*y), rb[2].max(*x), rb[3].max(*y)];
                    }
                    ring_bboxes.push(rb);
                    rings.push(pts);
                }
            }
        }
        AreaLayer { areas, bboxes, rings, ring_bboxes, fill_vertices: Vec::new(), fill_indices: Vec::new() }
    }

    /// Triangulates the areas for filling (ear clipping in lon/lat, then projected).
    fn with_fill(mut self) -> AreaLayer {
        use geo::TriangulateEarcut;
        for a in &self.areas {
            for p in &a.shape.0 {
                let t = p.earcut_triangles_raw();
                let base = self.fill_vertices.len() as u32;
                self.fill_vertices.extend(t.vertices.iter().map(|&[lon, lat]| {
                    let (x, y) = to_mercator(lon, lat);
                    [x, y]
                }));
                self.fill_indices.extend(t.triangle_indices.iter().map(|&i| base + i as u32));
            }
        }
        self
    }

    /// The area containing a lon/lat point, if any.
    pub fn area_at(&self, lon: f64, lat: f64) -> Option<usize> {
        (0..self.areas.len()).find(|&i| {
            let b = self.bboxes[i];
            lon >= b[0]
                && lon <= b[2]
                && lat >= b[1]
                && lat <= b[3]
                && multipolygon_contains(&self.areas[i].shape, lon, lat)
        })
    }
}

/// The three bundled layers.
pub struct Basemap {
    pub countries: AreaLayer,
    pub states: AreaLayer,
    pub counties: AreaLayer,
}

impl Basemap {
    /// Parses the bundled GeoJSON (about 0.1 s).
    pub fn bundled() -> Result<Basemap, AreaError> {
        let layer = |text: &str, name: &str| geojson_areas::parse(text, name).map(|f| AreaLayer::new(f.areas));
        Ok(Basemap {
            countries: layer(WORLD, "world_countries_110m.geojson")?.with_fill(),
            states: layer(STATES, "us_states_10m.geojson")?.with_fill(),
            counties: layer(COUNTIES, "us_counties_10m.geojson")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_layers_load_and_locate() {
        let b = Basemap::bundled().expect("bundled basemap parses");
        assert_eq!(b.states.areas.len(), 56);
        assert_eq!(b.counties.areas.len(), 3230);
        let tx = b.states.area_at(-97.74, 30.27).expect("Austin is in a state");
        assert_eq!(b.states.areas[tx].property("postal"), Some("TX"));
        let county = b.counties.area_at(-97.74, 30.27).expect("and in a county");
        assert_eq!(b.counties.areas[county].name, "Travis");
        assert!(b.states.area_at(-40.0, 30.0).is_none());
    }
}
