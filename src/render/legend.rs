//! The legend beside the map (title, the scenario, one row per territory: colour,
//! name, rep, accounts, workload and its deviation from target) and the scale bar.

use std::fmt::Write as _;

use super::svg::cut;
use super::{Frame, MapOptions, escape, hex};
use crate::format::{count, percent, thousands};
use crate::metrics::{Balance, Metrics};
use crate::model::{Plan, TerritoryIdx};

/// Line height of a legend row, ems.
const ROW: f64 = 1.7;
/// The legend's width, ems: what its columns need.
pub(super) const WIDTH_EMS: f64 = 40.0;

/// The legend's height for `rows` territories, pixels.
pub(super) fn height(rows: usize, font: f64, title: bool) -> f64 {
    let head = if title { 2.4 } else { 0.0 } + 2.0 * ROW + ROW;
    (head + rows as f64 * ROW + 2.0 * ROW) * font
}

/// The legend, in the band `x0 .. x0 + width` at the right of the map.
#[allow(clippy::too_many_arguments)]
pub(super) fn legend(
    out: &mut String,
    plan: &Plan,
    m: &Metrics,
    b: &Balance,
    scope: &[TerritoryIdx],
    (x0, width): (f64, f64),
    font: f64,
    opts: &MapOptions,
    areas: bool,
) {
    let pad = font;
    let x = x0 + pad;
    let mut y = pad * 1.5;
    let _ = write!(out, r##"<g fill="#141414">"##);
    if let Some(title) = &opts.title {
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{:.1}" dominant-baseline="hanging">{}</text>"#,
            font * 1.6,
            escape(&cut(title, 40))
        );
        y += font * 2.4;
    }
    let accounts: u64 = scope.iter().map(|t| m.territories[t.get()].accounts).sum();
    let what = if opts.changes.is_some() { "changes: accounts that move, in their new colour" } else { "" };
    let lines = [
        format!("Scenario: {}", plan.scenario_name()),
        format!(
            "{} in {}{}{what}",
            count(accounts as i64, "account", "accounts"),
            count(scope.len() as i64, "territory", "territories"),
            if what.is_empty() { "" } else { "; " }
        ),
    ];
    for line in lines {
        let _ = write!(
            out,
            r##"<text x="{x:.1}" y="{y:.1}" dominant-baseline="hanging" fill="#444">{}</text>"##,
            escape(&line)
        );
        y += font * ROW;
    }
    // Columns, in ems from the left edge.
    let col = |em: f64| x + em * font;
    let right = |em: f64| format!(r#"x="{:.1}" text-anchor="end""#, col(em));
    y += font * 0.6;
    let _ = write!(
        out,
        r##"<g fill="#555" dominant-baseline="hanging"><text x="{:.1}" y="{y:.1}">Territory</text><text x="{:.1}" y="{y:.1}">Rep</text><text {} y="{y:.1}">Accounts</text><text {} y="{y:.1}">Workload h</text><text {} y="{y:.1}">vs target</text></g>"##,
        col(1.6),
        col(15.0),
        right(28.0),
        right(34.5),
        right(39.5),
    );
    y += font * ROW;
    let _ = write!(
        out,
        r##"<line x1="{x:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#999" stroke-width="1"/>"##,
        col(39.5).min(x0 + width - pad),
        y - font * 0.35,
        y - font * 0.35
    );
    for &t in scope {
        let tt = &plan.territories[t.get()];
        let tot = &m.territories[t.get()];
        let dev = b.workload.deviation(tot.workload.0 as f64, tt.capacity);
        let tone = match dev.map(f64::abs) {
            Some(d) if d > 0.10 => "#b3261e",
            Some(d) if d <= 0.03 => "#1b6e20",
            _ => "#141414",
        };
        // The swatch looks as the territory does on the map: an area's translucent
        // fill over the land with its boundary line, or a dot's full colour.
        let (top, side) = (y + font * 0.05, font);
        if areas {
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{top:.1}" width="{side:.1}" height="{side:.1}" fill="{}"/><rect x="{x:.1}" y="{top:.1}" width="{side:.1}" height="{side:.1}" fill="{}" fill-opacity="{}" stroke="#3a3a3a" stroke-opacity="0.75" stroke-width="1.2"/>"##,
                hex(super::US_LAND),
                hex(tt.color),
                super::AREA_OPACITY
            );
        } else {
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{side:.1}" height="{side:.1}" rx="2" fill="{}"/>"#,
                hex(tt.color)
            );
        }
        let _ = write!(
            out,
            r##"<g dominant-baseline="hanging"><text x="{:.1}" y="{y:.1}">{}</text><text x="{:.1}" y="{y:.1}" fill="#444">{}</text><text {} y="{y:.1}">{}</text><text {} y="{y:.1}">{}</text><text {} y="{y:.1}" fill="{tone}">{}</text></g>"##,
            col(1.6),
            escape(&cut(&tt.name, 22)),
            col(15.0),
            escape(&cut(tt.rep.as_deref().unwrap_or("–"), 14)),
            right(28.0),
            thousands(tot.accounts as i64),
            right(34.5),
            thousands(tot.workload.hours().round() as i64),
            right(39.5),
            percent(dev),
        );
        y += font * ROW;
    }
    out.push_str("</g>");
}

/// A scale bar at the bottom left of the map: a round distance about a fifth of the
/// map's width, at the map's middle latitude.
pub(super) fn scale_bar(out: &mut String, f: &Frame, font: f64) {
    let (_, lat0, _, lat1) = f.lon_lat_box();
    let m_per_px = f.metres_per_px((lat0 + lat1) / 2.0);
    let want_km = f.width * 0.2 * m_per_px / 1000.0;
    let magnitude = 10f64.powf(want_km.log10().floor());
    let km = [5.0, 2.0, 1.0].iter().map(|k| k * magnitude).find(|&k| k <= want_km).unwrap_or(magnitude);
    let px = km * 1000.0 / m_per_px;
    let (x, y) = (font, f.height - font * 1.2);
    let label = if km >= 1.0 { format!("{} km", thousands(km as i64)) } else { format!("{:.0} m", km * 1000.0) };
    let _ = write!(
        out,
        r##"<g stroke="#222" stroke-width="2" fill="none"><path d="M{x:.1} {:.1}V{y:.1}H{:.1}V{:.1}"/></g><text x="{:.1}" y="{:.1}" fill="#222" stroke="white" stroke-width="3" paint-order="stroke" text-anchor="middle">{label}</text>"##,
        y - font * 0.5,
        x + px,
        y - font * 0.5,
        x + px / 2.0,
        y - font * 0.4,
    );
}
