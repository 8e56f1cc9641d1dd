//! The territory book: an A4-landscape PDF for the workshop and the reps. An overview
//! page (the map with the balance table), then one page per territory: its map zoomed
//! to it with its neighbours faint, its rep, home and region, its figures against
//! target, its 20 largest accounts by potential, and, when the baseline scenario
//! differs, what it gains and loses (at most 20 rows each, with a count of the rest).
//!
//! Each page is an SVG document drawn at 3 pixels a point, turned into PDF by `krilla`
//! (text embedded as text, in the bundled font); no text is under 9 pt.

use std::fmt::Write as _;

use super::svg::cut;
use super::{MapOptions, escape, map_svg, usvg_options};
use crate::basemap::Basemap;
use crate::compare::{Side, compare_sides};
use crate::format::{count, money_compact, percent, thousands};
use crate::metrics::{Balance, Metrics};
use crate::model::{Plan, TerritoryIdx};
use crate::shapes::Shapes;

/// A4 landscape, points.
const PAGE: (f64, f64) = (842.0, 595.0);
/// Pixels a point in the page documents.
const K: f64 = 3.0;
const MARGIN: f64 = 28.0;
/// Body text, points: the smallest on any page.
pub(super) const BODY_PT: f64 = 9.0;
/// Rows of a list.
const LIST_ROWS: usize = 20;

/// Errors of making the book.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    #[error("a page could not be drawn: {0}")]
    Page(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the book was {0}")]
    Cancelled(#[from] super::Cancelled),
}

/// A page's SVG document: its size and a body in points (scaled by K).
fn page(body: &str) -> String {
    let (w, h) = (PAGE.0 * K, PAGE.1 * K);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-size="{:.1}"><rect width="{w}" height="{h}" fill="white"/><g transform="scale({K})" fill="#141414">{body}</g></svg>"##,
        BODY_PT * K
    )
}

/// A map placed at (x, y) points, `w` × `h` points.
fn placed_map(svg: &str, (x, y): (f64, f64)) -> String {
    format!(r#"<g transform="translate({x:.1} {y:.1}) scale({:.4})">{svg}</g>"#, 1.0 / K)
}

fn text(out: &mut String, (x, y): (f64, f64), size: f64, s: &str) {
    let _ = write!(out, r#"<text x="{x:.1}" y="{y:.1}" font-size="{size:.1}">{}</text>"#, escape(s));
}

fn right(out: &mut String, (x, y): (f64, f64), s: &str) {
    let _ = write!(out, r#"<text x="{x:.1}" y="{y:.1}" font-size="{BODY_PT}" text-anchor="end">{}</text>"#, escape(s));
}

fn map_options(width_pt: f64, height_pt: f64) -> MapOptions {
    MapOptions {
        width: (width_pt * K) as u32,
        font: Some(BODY_PT * K),
        height: Some(height_pt * K),
        ..MapOptions::default()
    }
}

/// The page SVG documents of the book, overview first.
pub(super) fn pages(plan: &Plan, m: &Metrics, shapes: &Shapes, basemap: &Basemap, title: &str) -> Vec<String> {
    let b = Balance::of(plan, m);
    let mut out = Vec::new();
    // Overview: the map with its legend, the whole page below the heading.
    let mut body = String::new();
    text(&mut body, (MARGIN, MARGIN + 8.0), 18.0, title);
    let sub = format!(
        "Scenario {} · {} in {} · workload balance: max ±{:.1}%",
        plan.scenario_name(),
        count(plan.accounts.len() as i64, "account", "accounts"),
        count(plan.live_territories().count() as i64, "territory", "territories"),
        b.workload.max_abs_deviation * 100.0
    );
    text(&mut body, (MARGIN, MARGIN + 26.0), 10.0, &sub);
    let top = MARGIN + 36.0;
    let opts = map_options(PAGE.0 - 2.0 * MARGIN, PAGE.1 - top - MARGIN);
    body += &placed_map(&map_svg(plan, m, Some(shapes), basemap, &opts), (MARGIN, top));
    out.push(page(&body));
    // Each territory's accounts, and what it gained and lost since the baseline (a
    // baseline territory is this scenario's of the same id), in one pass each.
    let k = plan.territories.len();
    let (mut by, mut gains, mut losses) = (vec![Vec::new(); k], vec![Vec::new(); k], vec![Vec::new(); k]);
    for (i, o) in plan.assignment.iter().enumerate() {
        if let Some(o) = o {
            by[o.get()].push(i as u32);
        }
    }
    if plan.current != 0 {
        let ma = Metrics::of_scenario(plan, 0);
        let (a, bside) = (Side::scenario(plan, 0, &ma), Side::of(plan, m));
        let (base, _, _) = plan.scenario_parts(0);
        let slot: std::collections::HashMap<&str, usize> =
            plan.territories.iter().enumerate().map(|(i, t)| (t.id.as_str(), i)).collect();
        for ch in compare_sides(&a, &bside).changes {
            if let Some(t) = ch.to {
                gains[t].push(ch.b as u32);
            }
            if let Some(&f) = ch.from.and_then(|f| slot.get(base[f].id.as_str())) {
                losses[f].push(ch.b as u32);
            }
        }
    }
    // Each list's length and its largest accounts by potential.
    let listed = |lists: Vec<Vec<u32>>| -> Vec<Listed> {
        lists.into_iter().map(|l| (l.len(), largest(l, plan.accounts.potential(), LIST_ROWS))).collect()
    };
    let (by, gains, losses) = (listed(by), listed(gains), listed(losses));
    for (t, _) in plan.live_territories() {
        let i = t.get();
        out.push(territory_page(plan, m, &b, shapes, basemap, t, [&by[i], &gains[i], &losses[i]]));
    }
    out
}

/// A list of accounts as a page shows it: how many, and the largest by potential (at
/// most [`LIST_ROWS`]).
type Listed = (usize, Vec<u32>);

fn territory_page(
    plan: &Plan,
    m: &Metrics,
    b: &Balance,
    shapes: &Shapes,
    basemap: &Basemap,
    t: TerritoryIdx,
    // Its accounts, its gains and its losses since the baseline.
    [(count, biggest), gains, losses]: [&Listed; 3],
) -> String {
    let tt = &plan.territories[t.get()];
    let tot = &m.territories[t.get()];
    let mut body = String::new();
    text(&mut body, (MARGIN, MARGIN + 8.0), 18.0, &tt.name);
    let mut sub = vec![format!("Rep: {}", tt.rep.as_deref().unwrap_or("–"))];
    if let Some((lon, lat)) = tt.rep_home {
        sub.push(format!("home {lat:.4}, {lon:.4}"));
    }
    if let Some(r) = tt.region.filter(|&r| crate::model::region_live(&plan.regions, r)) {
        sub.push(format!("region {}", crate::model::region_path(&plan.regions, r)));
    }
    sub.push(format!("scenario {}", plan.scenario_name()));
    text(&mut body, (MARGIN, MARGIN + 26.0), 10.0, &sub.join(" · "));
    let top = MARGIN + 36.0;
    let left_w = (PAGE.0 - 2.0 * MARGIN) * 0.56;
    let lists = gains.0 > 0 || losses.0 > 0;
    let full = PAGE.1 - top - MARGIN;
    let map_h = if lists { full - 14.0 - (LIST_ROWS as f64 + 2.0) * 10.5 } else { full };
    let opts = MapOptions { territory: Some(t), no_legend: true, ..map_options(left_w, map_h) };
    body += &placed_map(&map_svg(plan, m, Some(shapes), basemap, &opts), (MARGIN, top));
    if lists {
        let y = top + map_h + 16.0;
        let half = left_w / 2.0;
        list(&mut body, plan, (MARGIN, y), half - 8.0, "Gains since the baseline", gains);
        list(&mut body, plan, (MARGIN + half, y), half - 8.0, "Losses since the baseline", losses);
    }
    // Right: figures against target, then the largest accounts.
    let x = MARGIN + left_w + 18.0;
    let w = PAGE.0 - MARGIN - x;
    let mut y = top + 10.0;
    text(&mut body, (x, y), 11.0, "Figures against target");
    y += 16.0;
    for (i, h) in ["", "this territory", "target", "deviation"].iter().enumerate() {
        right(&mut body, (x + [0.0, 0.45, 0.72, 1.0][i] * w, y), h);
    }
    y += 13.0;
    let wl_target = b.workload.target(tt.capacity);
    let pot_target = b.potential.target(tt.capacity);
    let rows = [
        ("Accounts", thousands(tot.accounts as i64), "".to_owned(), "".to_owned()),
        (
            "Workload (h)",
            thousands(tot.workload.hours().round() as i64),
            thousands((wl_target / 60.0).round() as i64),
            percent(b.workload.deviation(tot.workload.0 as f64, tt.capacity)),
        ),
        (
            "Potential",
            money_compact(tot.potential.0),
            money_compact(pot_target.round() as i64),
            percent(b.potential.deviation(tot.potential.0 as f64, tt.capacity)),
        ),
        ("Capacity", format!("{:.2}", tt.capacity), "".to_owned(), "".to_owned()),
    ];
    for (name, v, target, dev) in rows {
        text(&mut body, (x, y), BODY_PT, name);
        right(&mut body, (x + 0.45 * w, y), &v);
        right(&mut body, (x + 0.72 * w, y), &target);
        right(&mut body, (x + w, y), &dev);
        y += 12.0;
    }
    y += 14.0;
    text(&mut body, (x, y), 11.0, &format!("Largest accounts by potential (of {})", thousands(*count as i64)));
    y += 15.0;
    for &a in biggest {
        let acc = plan.accounts.get(a as usize);
        text(&mut body, (x, y), BODY_PT, &cut(acc.name, 30));
        text(&mut body, (x + 0.55 * w, y), BODY_PT, &cut(acc.city.unwrap_or(""), 16));
        right(&mut body, (x + w, y), &money_compact(acc.potential.0));
        y += 10.5;
    }
    page(&body)
}

/// The `n` accounts of `list` with the largest potential, largest first (ties in the
/// order of the accounts): a selection, then a sort of the `n`, not a sort of the list.
pub(super) fn largest(mut list: Vec<u32>, potential: &[crate::model::Cents], n: usize) -> Vec<u32> {
    let key = |&i: &u32| (std::cmp::Reverse(potential[i as usize]), i);
    if list.len() > n && n > 0 {
        list.select_nth_unstable_by_key(n - 1, key);
        list.truncate(n);
    }
    list.sort_unstable_by_key(key);
    list.truncate(n);
    list
}

/// A list of accounts under a heading: `count` of them, of which `shown` (at most
/// [`LIST_ROWS`]), then a count of the rest.
fn list(out: &mut String, plan: &Plan, (x, mut y): (f64, f64), w: f64, heading: &str, (count, shown): &Listed) {
    text(out, (x, y), 10.0, &format!("{heading} ({}), largest first", thousands(*count as i64)));
    y += 13.0;
    for &a in shown {
        let acc = plan.accounts.get(a as usize);
        text(out, (x, y), BODY_PT, &cut(acc.name, 26));
        right(out, (x + w, y), &money_compact(acc.potential.0));
        y += 10.5;
    }
    if *count > shown.len() {
        text(out, (x, y), BODY_PT, &format!("… and {} more", thousands((count - shown.len()) as i64)));
    }
}

/// The book as PDF bytes: one page per SVG document.
pub fn book_pdf(plan: &Plan, title: &str, ready: super::Ready) -> Result<Vec<u8>, BookError> {
    let m = super::printed_metrics(plan);
    let shapes_cost = ready.shapes_cost(plan);
    let n_pages = 1 + plan.live_territories().count() as u64;
    // A page's cost: half to write its document, half to draw it into the PDF.
    ready.expect(shapes_cost + n_pages * super::cost::PAGE);
    let shapes = ready.shapes_of(plan).map_err(|e| match e {
        super::RenderError::Cancelled(c) => BookError::Cancelled(c),
        e => BookError::Page(e.to_string()),
    })?;
    let mut parsed = None;
    let basemap = ready.basemap(&mut parsed).map_err(BookError::Page)?;
    let options = usvg_options();
    let mut doc = krilla::Document::new();
    let pages = pages(plan, &m, &shapes, basemap, title);
    ready.done(n_pages * super::cost::PAGE / 2)?;
    for svg in pages {
        let tree = resvg::usvg::Tree::from_str(&svg, &options).map_err(|e| BookError::Page(e.to_string()))?;
        let mut page = doc.start_page_with(krilla::page::PageSettings::new(PAGE.0 as f32, PAGE.1 as f32));
        let mut surface = page.surface();
        let size = krilla::geom::Size::from_wh(PAGE.0 as f32, PAGE.1 as f32)
            .ok_or_else(|| BookError::Page("the page has no size".into()))?;
        krilla_svg::SurfaceExt::draw_svg(&mut surface, &tree, size, krilla_svg::SvgSettings::default())
            .ok_or_else(|| BookError::Page("the page could not be drawn".into()))?;
        surface.finish();
        page.finish();
        ready.done(super::cost::PAGE / 2)?;
    }
    doc.finish().map_err(|e| BookError::Pdf(format!("{e:?}")))
}
