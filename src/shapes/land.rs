//! The land that territory shapes are cut to: the bundled world countries with the
//! United States replaced by its finer states layer, merged into one area, with an
//! index of its boundary by latitude band for the two questions the shapes ask of a
//! point: is it on land, and is the coast within a distance.

use geo::{MultiPolygon, unary_union};

use super::voronoi::KM_PER_DEGREE;
use crate::io::geojson_areas::{self, AreaError};

/// Height of a latitude band of the boundary index, degrees: small enough that a band
/// holds a few dozen boundary segments, large enough that a 1-km question reads one
/// or two bands.
const BAND_DEGREES: f64 = 0.05;

/// The land area and its boundary index.
#[derive(Debug, Clone)]
pub struct Land {
    /// The land, lon/lat.
    pub area: MultiPolygon<f64>,
    /// Boundary segments (lon0, lat0, lon1, lat1).
    segments: Vec<[f64; 4]>,
    band_start: Vec<u32>,
    band_segments: Vec<u32>,
}

/// Where a point lies with respect to the land.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shore {
    /// On land, and the coast is farther than the distance asked.
    Inland,
    /// The coast is within the distance asked.
    Coast,
    /// At sea, and the coast is farther than the distance asked.
    Sea,
}

fn band(lat: f64) -> usize {
    (((lat + 90.0) / BAND_DEGREES).floor().max(0.0) as usize).min(bands() - 1)
}

fn bands() -> usize {
    (180.0 / BAND_DEGREES).ceil() as usize
}

impl Land {
    /// The bundled land: Natural Earth's countries at 1:110m without the United States,
    /// and the U.S. Census states at 1:10m (about 0.2 s).
    pub fn bundled() -> Result<Land, AreaError> {
        let world = geojson_areas::parse(crate::basemap::WORLD, "world_countries_110m.geojson")?;
        let states = geojson_areas::parse(crate::basemap::STATES, "us_states_10m.geojson")?;
        let parts: Vec<_> = world
            .areas
            .iter()
            .filter(|a| a.property("iso_n3") != Some("840"))
            .chain(&states.areas)
            .flat_map(|a| a.shape.0.iter().cloned())
            .collect();
        Ok(Land::new(unary_union(&parts)))
    }

    /// Indexes an area's boundary.
    pub fn new(area: MultiPolygon<f64>) -> Land {
        let mut segments = Vec::new();
        for p in &area.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    segments.push([w[0].x, w[0].y, w[1].x, w[1].y]);
                }
            }
        }
        let mut count = vec![0u32; bands() + 1];
        let span = |s: &[f64; 4]| band(s[1].min(s[3]))..=band(s[1].max(s[3]));
        for s in &segments {
            for b in span(s) {
                count[b + 1] += 1;
            }
        }
        for b in 0..bands() {
            count[b + 1] += count[b];
        }
        let mut fill = count.clone();
        let mut band_segments = vec![0u32; count[bands()] as usize];
        for (i, s) in segments.iter().enumerate() {
            for b in span(s) {
                band_segments[fill[b] as usize] = i as u32;
                fill[b] += 1;
            }
        }
        Land { area, segments, band_start: count, band_segments }
    }

    fn band_segments(&self, b: usize) -> impl Iterator<Item = &[f64; 4]> {
        self.band_segments[self.band_start[b] as usize..self.band_start[b + 1] as usize]
            .iter()
            .map(|&i| &self.segments[i as usize])
    }

    /// Whether a point is on land: the parity of the boundary crossings of the ray
    /// eastwards from it, among the segments of its band.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let mut inside = false;
        for s in self.band_segments(band(lat)) {
            let (y0, y1) = (s[1], s[3]);
            if (y0 > lat) != (y1 > lat) {
                let x = s[0] + (lat - y0) / (y1 - y0) * (s[2] - s[0]);
                if x > lon {
                    inside = !inside;
                }
            }
        }
        inside
    }

    /// Where a point lies, with the coast counted within `km`.
    pub fn shore(&self, lon: f64, lat: f64, km: f64) -> Shore {
        let dlat = km / KM_PER_DEGREE;
        let cos = lat.to_radians().cos().max(1e-6);
        let local = |x: f64, y: f64| [(x - lon) * cos * KM_PER_DEGREE, (y - lat) * KM_PER_DEGREE];
        for b in band(lat - dlat)..=band(lat + dlat) {
            for s in self.band_segments(b) {
                let (a, c) = (local(s[0], s[1]), local(s[2], s[3]));
                if segment_distance(a, c) <= km {
                    return Shore::Coast;
                }
            }
        }
        if self.contains(lon, lat) { Shore::Inland } else { Shore::Sea }
    }
}

/// Distance from the origin to the segment a–c.
fn segment_distance(a: [f64; 2], c: [f64; 2]) -> f64 {
    let d = [c[0] - a[0], c[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 > 0.0 { (-(a[0] * d[0] + a[1] * d[1]) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (x, y) = (a[0] + t * d[0], a[1] + t * d[1]);
    (x * x + y * y).sqrt()
}
