//! The land that territory shapes are cut to: the bundled world countries with the
//! United States replaced by its finer states layer, merged into one area, with an
//! index of its boundary by latitude band for the two questions the shapes ask of a
//! point: is it on land, and is the coast within a distance; and cut into square tiles,
//! so that a shape is cut to the land near it only ([`Land::near`]), not to the
//! hundred thousand vertices of a whole continent.

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Polygon, Rect, unary_union};

use super::voronoi::KM_PER_DEGREE;
use crate::io::geojson_areas::{self, AreaError};

/// Height of a latitude band of the boundary index, degrees: small enough that a band
/// holds a few dozen boundary segments, large enough that a 1-km question reads one
/// or two bands.
const BAND_DEGREES: f64 = 0.05;

/// Side of the land's square tiles, degrees: a territory's piece touches a few, and a
/// tile holds a few hundred of the land's vertices.
const TILE_DEGREES: f64 = 1.0;

/// The land's boundary index and its tiles (the area itself is not kept: the tiles
/// hold it).
#[derive(Debug, Clone)]
pub struct Land {
    /// Boundary segments (lon0, lat0, lon1, lat1).
    segments: Vec<[f64; 4]>,
    band_start: Vec<u32>,
    band_segments: Vec<u32>,
    /// The land cut into tiles of [`TILE_DEGREES`], row-major from (−180°, −90°): tile
    /// t's pieces are `tile_parts[tile_start[t]..tile_start[t + 1]]`.
    tile_start: Vec<u32>,
    tile_parts: Vec<Polygon<f64>>,
}

/// Tiles across and down.
fn tile_grid() -> (usize, usize) {
    ((360.0 / TILE_DEGREES).ceil() as usize, (180.0 / TILE_DEGREES).ceil() as usize)
}

/// The tile column (`x` = longitude) or row (`x` = latitude + 90) of a coordinate.
fn tile_of(x: f64, n: usize) -> usize {
    ((x / TILE_DEGREES).floor().max(0.0) as usize).min(n - 1)
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
        Ok(Land::new(Land::bundled_area()?))
    }

    /// The area [`Land::bundled`] is made of, lon/lat.
    pub fn bundled_area() -> Result<MultiPolygon<f64>, AreaError> {
        let world = geojson_areas::parse(crate::basemap::WORLD, "world_countries_110m.geojson")?;
        let states = geojson_areas::parse(crate::basemap::STATES, "us_states_10m.geojson")?;
        let parts: Vec<_> = world
            .areas
            .iter()
            .filter(|a| a.property("iso_n3") != Some("840"))
            .chain(&states.areas)
            .flat_map(|a| a.shape.0.iter().cloned())
            .collect();
        Ok(unary_union(&parts))
    }

    /// Indexes an area's boundary and cuts it into tiles.
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
        let (tile_start, tile_parts) = tiles(&area);
        Land { segments, band_start: count, band_segments, tile_start, tile_parts }
    }

    /// The land in the tiles that `bb` touches: every piece of land within `bb`, and
    /// some around it (so a shape within `bb` cut to it is cut to the land).
    pub fn near(&self, bb: &Rect<f64>) -> Vec<Polygon<f64>> {
        let (nx, ny) = tile_grid();
        let (c0, c1) = (tile_of(bb.min().x + 180.0, nx), tile_of(bb.max().x + 180.0, nx));
        let (r0, r1) = (tile_of(bb.min().y + 90.0, ny), tile_of(bb.max().y + 90.0, ny));
        let mut out = Vec::new();
        for r in r0..=r1 {
            for c in c0..=c1 {
                let t = r * nx + c;
                out.extend_from_slice(&self.tile_parts[self.tile_start[t] as usize..self.tile_start[t + 1] as usize]);
            }
        }
        out
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

/// The land cut into tiles (see [`Land::near`]): each polygon cut to the columns of
/// tiles it spans, then each column's part to its tiles, so a continent is read once a
/// column and not once a tile.
fn tiles(area: &MultiPolygon<f64>) -> (Vec<u32>, Vec<Polygon<f64>>) {
    let (nx, ny) = tile_grid();
    let mut by_tile: Vec<(u32, Polygon<f64>)> = Vec::new();
    let span = |lo: f64, hi: f64, off: f64, n: usize| tile_of(lo + off, n)..=tile_of(hi + off, n);
    for p in &area.0 {
        let Some(bb) = p.bounding_rect() else { continue };
        for c in span(bb.min().x, bb.max().x, 180.0, nx) {
            let (x0, x1) = (c as f64 * TILE_DEGREES - 180.0, (c + 1) as f64 * TILE_DEGREES - 180.0);
            let Some(column) = clip_polygon(p, [x0, f64::NEG_INFINITY, x1, f64::INFINITY]) else { continue };
            let Some(cb) = column.bounding_rect() else { continue };
            for r in span(cb.min().y, cb.max().y, 90.0, ny) {
                let (y0, y1) = (r as f64 * TILE_DEGREES - 90.0, (r + 1) as f64 * TILE_DEGREES - 90.0);
                if let Some(part) = clip_polygon(&column, [x0, y0, x1, y1]) {
                    by_tile.push(((r * nx + c) as u32, part));
                }
            }
        }
    }
    by_tile.sort_by_key(|(t, _)| *t);
    let mut start = vec![0u32; nx * ny + 1];
    for (t, _) in &by_tile {
        start[*t as usize + 1] += 1;
    }
    for t in 0..nx * ny {
        start[t + 1] += start[t];
    }
    (start, by_tile.into_iter().map(|(_, p)| p).collect())
}

/// A polygon cut to the rectangle [x0, y0, x1, y1] (Sutherland–Hodgman, ring by ring:
/// where a ring runs outside, the cut ring runs along the rectangle's edge, which the
/// overlay that uses it reads as the same area). `None` when nothing is left.
fn clip_polygon(p: &Polygon<f64>, [x0, y0, x1, y1]: [f64; 4]) -> Option<Polygon<f64>> {
    let clip_ring = |ring: &LineString<f64>| -> Option<LineString<f64>> {
        let mut pts: Vec<Coord<f64>> = ring.0[..ring.0.len().saturating_sub(1)].to_vec();
        // Each edge of the rectangle in turn: keep what is inside, put the crossings on
        // the edge exactly (so that neighbouring tiles meet without a gap).
        // (x or y, where, whether the inside is above it)
        for (is_x, at, low) in [(true, x0, true), (true, x1, false), (false, y0, true), (false, y1, false)] {
            if !at.is_finite() || pts.is_empty() {
                continue;
            }
            let axis = |c: Coord<f64>| if is_x { c.x } else { c.y };
            let inside = |c: Coord<f64>| if low { axis(c) >= at } else { axis(c) <= at };
            let mut out = Vec::with_capacity(pts.len() + 4);
            for i in 0..pts.len() {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                if inside(a) {
                    out.push(a);
                }
                if inside(a) != inside(b) {
                    let t = (at - axis(a)) / (axis(b) - axis(a));
                    let mut q = Coord { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
                    if is_x {
                        q.x = at
                    } else {
                        q.y = at
                    }
                    out.push(q);
                }
            }
            pts = out;
        }
        (pts.len() >= 3).then(|| {
            pts.push(pts[0]);
            LineString::new(pts)
        })
    };
    let exterior = clip_ring(p.exterior())?;
    Some(Polygon::new(exterior, p.interiors().iter().filter_map(clip_ring).collect()))
}
