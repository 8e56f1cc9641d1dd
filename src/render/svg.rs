//! Writing the map's layers as SVG elements: polygons as paths (pixels, one decimal),
//! dots as circles, text escaped.

use std::fmt::Write as _;

use geo::{LineString, MultiPolygon};

use super::{BORDER, Frame, LAND, STATE, US_LAND, hex};
use crate::basemap::{AreaLayer, Basemap};
use crate::model::{Plan, Rgb, TerritoryIdx};
use crate::shapes::Shapes;

/// Text for an SVG document: `&`, `<`, `>` and quotes escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A text cut to `n` characters, with an ellipsis.
pub(super) fn cut(text: &str, n: usize) -> String {
    if text.chars().count() <= n { text.to_owned() } else { text.chars().take(n - 1).collect::<String>() + "…" }
}

/// Appends a ring as a closed subpath; points closer than a fifth of a pixel to the
/// last one written are left out.
fn ring(out: &mut String, f: &Frame, ring: &LineString<f64>) {
    let mut last: Option<(f64, f64)> = None;
    let mut n = 0;
    for c in &ring.0 {
        let (x, y) = f.px(c.x, c.y);
        if last.is_some_and(|(lx, ly)| (lx - x).abs() < 0.2 && (ly - y).abs() < 0.2) {
            continue;
        }
        let _ = write!(out, "{}{x:.1} {y:.1}", if n == 0 { "M" } else { "L" });
        last = Some((x, y));
        n += 1;
    }
    if n > 0 {
        out.push('Z');
    }
}

/// The path data of a multipolygon (even-odd holes), or `None` when it is off the map.
fn path(f: &Frame, area: &MultiPolygon<f64>, bbox: (f64, f64, f64, f64)) -> Option<String> {
    let (lon0, lat0, lon1, lat1) = f.lon_lat_box();
    if bbox.2 < lon0 || bbox.0 > lon1 || bbox.3 < lat0 || bbox.1 > lat1 {
        return None;
    }
    let mut d = String::new();
    for p in &area.0 {
        for r in std::iter::once(p.exterior()).chain(p.interiors()) {
            ring(&mut d, f, r);
        }
    }
    (!d.is_empty()).then_some(d)
}

fn bbox_of(area: &MultiPolygon<f64>) -> (f64, f64, f64, f64) {
    use geo::BoundingRect;
    area.bounding_rect().map_or((0.0, 0.0, -1.0, -1.0), |r| (r.min().x, r.min().y, r.max().x, r.max().y))
}

fn layer(out: &mut String, f: &Frame, layer: &AreaLayer, fill: Option<Rgb>, stroke: Rgb, width: f64) {
    let fill = fill.map_or_else(|| "none".to_owned(), hex);
    let _ = write!(out, r#"<g fill="{fill}" stroke="{}" stroke-width="{width}" fill-rule="evenodd">"#, hex(stroke));
    for (area, b) in layer.areas.iter().zip(&layer.bboxes) {
        if let Some(d) = path(f, &area.shape, (b[0], b[1], b[2], b[3])) {
            let _ = write!(out, r#"<path d="{d}"/>"#);
        }
    }
    out.push_str("</g>");
}

/// Countries, then US states over them.
pub(super) fn basemap(out: &mut String, f: &Frame, b: &Basemap) {
    layer(out, f, &b.countries, Some(LAND), BORDER, 1.0);
    layer(out, f, &b.states, Some(US_LAND), STATE, 0.8);
}

/// Territory areas: translucent fills, then the borders between them on top.
pub(super) fn areas(out: &mut String, f: &Frame, shapes: &Shapes, look: impl Fn(TerritoryIdx) -> (bool, Rgb)) {
    let paths: Vec<(TerritoryIdx, String)> = shapes
        .areas
        .iter()
        .enumerate()
        .filter_map(|(i, a)| path(f, a, bbox_of(a)).map(|d| (TerritoryIdx::new(i as u32), d)))
        .collect();
    let _ = write!(out, r#"<g fill-rule="evenodd" stroke="none" fill-opacity="{}">"#, super::AREA_OPACITY);
    for (t, d) in &paths {
        let (lit, c) = look(*t);
        let fill = if lit { hex(c) } else { hex(super::FAINT) };
        let _ = write!(out, r#"<path fill="{fill}" d="{d}"/>"#);
    }
    out.push_str("</g>");
    out.push_str(
        r##"<g fill="none" stroke="#3a3a3a" stroke-opacity="0.75" stroke-width="1.2" stroke-linejoin="round">"##,
    );
    for (_, d) in &paths {
        let _ = write!(out, r#"<path d="{d}"/>"#);
    }
    out.push_str("</g>");
}

/// Accounts as dots, grouped by colour; out-of-scope territories faint.
pub(super) fn dots(
    out: &mut String,
    f: &Frame,
    plan: &Plan,
    look: impl Fn(TerritoryIdx) -> (bool, Rgb),
    faint: String,
) {
    let r = (f.width / 900.0).clamp(1.2, 4.0);
    let mut groups: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for ((lon, lat), owner) in plan.accounts.positions().zip(&plan.assignment) {
        let (x, y) = f.px(lon, lat);
        if x < -r || y < -r || x > f.width + r || y > f.height + r {
            continue;
        }
        let fill = match owner.map(&look) {
            Some((true, c)) => hex(c),
            _ => faint.clone(),
        };
        let _ = write!(groups.entry(fill).or_default(), "M{x:.1} {y:.1}h0");
    }
    // Each dot a zero-length segment with round caps: one path per colour.
    for (fill, d) in groups {
        let _ = write!(out, r#"<path d="{d}" stroke="{fill}" stroke-width="{:.1}" stroke-linecap="round"/>"#, 2.0 * r);
    }
}

/// The Changes view: every account faint, the `moved` ones in their colour here,
/// larger.
pub(super) fn changes(
    out: &mut String,
    f: &Frame,
    plan: &Plan,
    moved: &[u32],
    colour: impl Fn(TerritoryIdx) -> Rgb,
    faint: String,
) {
    dots(out, f, plan, |_| (false, Rgb([0; 3])), faint);
    let r = (f.width / 500.0).clamp(2.0, 6.0);
    let mut groups: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for &i in moved {
        let i = i as usize;
        let Some(&owner) = plan.assignment.get(i) else { continue };
        let (lon, lat) = (plan.accounts.lon()[i], plan.accounts.lat()[i]);
        let (x, y) = f.px(lon, lat);
        let fill = owner.map_or_else(|| "#6e6e6e".to_owned(), |t| hex(colour(t)));
        let _ = write!(groups.entry(fill).or_default(), "M{x:.1} {y:.1}h0");
    }
    out.push_str(r#"<g id="moved">"#);
    for (fill, d) in groups {
        let _ = write!(out, r#"<path d="{d}" stroke="{fill}" stroke-width="{:.1}" stroke-linecap="round"/>"#, 2.0 * r);
    }
    out.push_str("</g>");
}
