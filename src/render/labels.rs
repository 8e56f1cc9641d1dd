//! Territory names on the printed map: at each territory's centre (the mean of its
//! accounts' positions), or, where the territory is drawn as an area that does not
//! hold its centre (two clusters with the sea between), at its account nearest the
//! centre; largest territories first; a name that would overlap one already placed
//! tries just above and below, and is left out otherwise (the legend still lists it).
//! Text width is estimated from the font's average advance.

use std::fmt::Write as _;

use super::{Frame, escape};
use crate::metrics::Metrics;
use crate::model::{Plan, TerritoryIdx};
use crate::shapes::Shapes;

/// Average advance of Ubuntu Light, in ems (measured on territory-like names).
const EM_ADVANCE: f64 = 0.52;

/// The estimated width of a text, pixels.
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * EM_ADVANCE
}

/// The box a name takes, (x0, y0, x1, y1), centred at (x, y).
pub(super) fn text_box(x: f64, y: f64, text: &str, size: f64) -> [f64; 4] {
    let w = text_width(text, size) + size * 0.6;
    let h = size * 1.3;
    [x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0]
}

fn overlap(a: &[f64; 4], b: &[f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Where the territories' names are anchored, (lon, lat), by slot: their centres, kept
/// inside their areas when they are drawn as areas ([`crate::shapes::label_anchors`]).
pub(super) fn anchors(plan: &Plan, m: &Metrics, areas: Option<&Shapes>) -> Vec<Option<(f64, f64)>> {
    let centres: Vec<Option<(f64, f64)>> = m.territories.iter().map(|t| t.center_lon_lat()).collect();
    match areas {
        Some(areas) => {
            crate::shapes::label_anchors(plan.accounts.positions().enumerate(), &plan.assignment, &centres, areas)
        }
        None => centres,
    }
}

/// Where each name goes (the territory, its text's centre), without overlaps; `areas`
/// when the territories are drawn as areas.
pub(super) fn placements(
    f: &Frame,
    plan: &Plan,
    m: &Metrics,
    scope: &[TerritoryIdx],
    size: f64,
    areas: Option<&Shapes>,
) -> Vec<(TerritoryIdx, f64, f64)> {
    let mut order: Vec<TerritoryIdx> = scope.to_vec();
    order.sort_by_key(|t| std::cmp::Reverse(m.territories[t.get()].accounts));
    let anchors = anchors(plan, m, areas);
    let mut at = Vec::new();
    let mut boxes = Vec::new();
    for t in order {
        let Some((lon, lat)) = anchors[t.get()] else { continue };
        let (x, y) = f.px(lon, lat);
        at.push((t, x, y));
        boxes.push(text_box(x, y, &plan.territories[t.get()].name, size));
    }
    let steps = vec![1.4 * size; boxes.len()];
    place_labels(&boxes, &steps, [0.0, 0.0, f.width, f.height])
        .into_iter()
        .zip(at)
        .filter_map(|(dy, (t, x, y))| dy.map(|dy| (t, x, y + dy)))
        .collect()
}

/// Label boxes placed without overlaps, the most important first (the printed map's
/// names and the editor's): box `i`, (x0, y0, x1, y1), stays where it is or moves up
/// or down by `steps[i]` or twice that, to the first spot that overlaps no box placed
/// before it and lies within `bounds`; where none does, it is left out (`None`).
/// Returns each box's vertical shift. O(boxes²): a label per territory in view.
pub fn place_labels(boxes: &[[f64; 4]], steps: &[f64], bounds: [f64; 4]) -> Vec<Option<f64>> {
    let mut placed: Vec<[f64; 4]> = Vec::new();
    boxes
        .iter()
        .zip(steps)
        .map(|(b, &step)| {
            for dy in [0.0, -step, step, -2.0 * step, 2.0 * step] {
                let b = [b[0], b[1] + dy, b[2], b[3] + dy];
                let inside = b[0] >= bounds[0] && b[1] >= bounds[1] && b[2] <= bounds[2] && b[3] <= bounds[3];
                if inside && !placed.iter().any(|p| overlap(p, &b)) {
                    placed.push(b);
                    return Some(dy);
                }
            }
            None
        })
        .collect()
}

/// The names, dark text on a white halo.
pub(super) fn names(
    out: &mut String,
    f: &Frame,
    plan: &Plan,
    m: &Metrics,
    scope: &[TerritoryIdx],
    font: f64,
    areas: Option<&Shapes>,
) {
    let size = font * 1.15;
    let _ = write!(
        out,
        r##"<g font-size="{size:.1}" text-anchor="middle" dominant-baseline="central" fill="#141414" stroke="white" stroke-width="{:.1}" stroke-linejoin="round" paint-order="stroke">"##,
        size * 0.28
    );
    for (t, x, y) in placements(f, plan, m, scope, size, areas) {
        let _ = write!(out, r#"<text x="{x:.1}" y="{y:.1}">{}</text>"#, escape(&plan.territories[t.get()].name));
    }
    out.push_str("</g>");
}
