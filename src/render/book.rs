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
    // What changed since the baseline, by territory id.
    let moves = (plan.current != 0).then(|| {
        let ma = Metrics::of_scenario(plan, 0);
        let (a, bside) = (Side::scenario(plan, 0, &ma), Side::of(plan, m));
        let c = compare_sides(&a, &bside);
        let (base, _, _) = plan.scenario_parts(0);
        c.changes
            .iter()
            .map(|ch| (ch.b, ch.from.map(|f| base[f].id.clone()), ch.to.map(|t| plan.territories[t].id.clone())))
            .collect::<Vec<_>>()
    });
    // The accounts of each territory, largest potential first.
    let mut by: Vec<Vec<u32>> = vec![Vec::new(); plan.territories.len()];
    for (i, o) in plan.assignment.iter().enumerate() {
        if let Some(o) = o {
            by[o.get()].push(i as u32);
        }
    }
    let by: Vec<(usize, Vec<u32>)> =
        by.into_iter().map(|list| (list.len(), largest(list, plan.accounts.potential(), LIST_ROWS))).collect();
    for (t, tt) in plan.live_territories() {
        out.push(territory_page(plan, m, &b, shapes, basemap, t, &by[t.get()], moves.as_deref(), &tt.id));
    }
    out
}

/// An account that changed territory since the baseline: its index, the territory it
/// left and the one it joined (by id).
type Move = (usize, Option<String>, Option<String>);
type Moves = [Move];

#[allow(clippy::too_many_arguments)]
fn territory_page(
    plan: &Plan,
    m: &Metrics,
    b: &Balance,
    shapes: &Shapes,
    basemap: &Basemap,
    t: TerritoryIdx,
    (count, biggest): &(usize, Vec<u32>),
    moves: Option<&Moves>,
    id: &str,
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
    // The moves into and out of this territory, the largest by potential first.
    let moved = |side: fn(&Move) -> &Option<String>| {
        let list: Vec<u32> = moves
            .unwrap_or_default()
            .iter()
            .filter(|mv| side(mv).as_deref() == Some(id))
            .map(|mv| mv.0 as u32)
            .collect();
        (list.len(), largest(list, plan.accounts.potential(), LIST_ROWS))
    };
    let (gains, losses) = (moved(|mv| &mv.2), moved(|mv| &mv.1));
    let lists = gains.0 > 0 || losses.0 > 0;
    let full = PAGE.1 - top - MARGIN;
    let map_h = if lists { full - 14.0 - (LIST_ROWS as f64 + 2.0) * 10.5 } else { full };
    let opts = MapOptions { territory: Some(t), no_legend: true, ..map_options(left_w, map_h) };
    body += &placed_map(&map_svg(plan, m, Some(shapes), basemap, &opts), (MARGIN, top));
    if lists {
        let y = top + map_h + 16.0;
        let half = left_w / 2.0;
        list(&mut body, plan, (MARGIN, y), half - 8.0, "Gains since the baseline", &gains);
        list(&mut body, plan, (MARGIN + half, y), half - 8.0, "Losses since the baseline", &losses);
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
fn list(
    out: &mut String,
    plan: &Plan,
    (x, mut y): (f64, f64),
    w: f64,
    heading: &str,
    (count, shown): &(usize, Vec<u32>),
) {
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
