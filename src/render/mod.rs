//! Maps to hand out, drawn without a GPU or a window: the plan as an SVG document
//! (basemap, territory areas or dots, names, a legend with each territory's figures, a
//! scale bar, the attribution), and that document rasterised to PNG by `resvg` with
//! the editor's own font, so that the command line makes the same picture on any
//! machine.
//!
//! The map is in Web Mercator, like the editor's; its extent is the accounts in view
//! (the plan's, a region's or a territory's) with a margin. `svg.rs` holds the SVG
//! writing (paths, text), `legend.rs` the legend and the scale bar, `labels.rs` the
//! placement of the names.

mod book;
mod labels;
mod legend;
mod svg;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use crate::basemap::Basemap;
use crate::metrics::{Balance, Metrics};
use crate::model::{Plan, RegionIdx, Rgb, TerritoryIdx};
use crate::shapes::Shapes;
use crate::spatial::to_mercator;

pub use book::{BookError, book_pdf};
pub use labels::place_labels;
pub use svg::escape;

/// Default width of a map, pixels.
pub const DEFAULT_WIDTH: u32 = 2400;
/// The widest map `map` draws, pixels.
pub const MAX_WIDTH: u32 = 12_000;
/// The narrowest, pixels: room for the legend's columns beside a map.
pub const MIN_WIDTH: u32 = 1200;

/// Colours of the printed basemap (the editor's light theme).
pub(crate) const SEA: Rgb = Rgb([0xd5, 0xe1, 0xea]);
pub(crate) const LAND: Rgb = Rgb([0xef, 0xee, 0xe9]);
pub(crate) const US_LAND: Rgb = Rgb([0xfb, 0xfa, 0xf6]);
const BORDER: Rgb = Rgb([0x9c, 0x9c, 0x98]);
const STATE: Rgb = Rgb([0xb4, 0xb4, 0xb0]);
/// Opacity of a territory's area over the land.
pub const AREA_OPACITY: f64 = 0.45;
const FAINT: Rgb = Rgb([0xb8, 0xb8, 0xb8]);

/// What to draw.
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    /// Width in pixels (the height follows from the extent).
    pub width: u32,
    pub title: Option<String>,
    /// Accounts as dots instead of territory areas.
    pub dots: bool,
    /// Only this region's territories (and the extent of their accounts).
    pub region: Option<RegionIdx>,
    /// Only this territory (its neighbours faint), zoomed to its accounts.
    pub territory: Option<TerritoryIdx>,
    /// The Changes view: the accounts whose territory differs from another scenario
    /// (by account index), drawn in their colour here; everything else faint.
    pub changes: Option<Vec<u32>>,
    /// Layout for pages ([`book_pdf`]): the type size in pixels (default: width / 150,
    /// at least 12), the picture's exact height (default: from the extent), and no
    /// legend band (the whole width is map).
    pub font: Option<f64>,
    pub height: Option<f64>,
    pub no_legend: bool,
}

/// A projection from Web Mercator metres to the picture's pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// Mercator of the picture's top-left corner.
    x0: f64,
    y1: f64,
    /// Pixels a metre.
    scale: f64,
    /// The map's size in pixels.
    pub width: f64,
    pub height: f64,
}

impl Frame {
    fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = to_mercator(lon, lat);
        ((x - self.x0) * self.scale, (self.y1 - y) * self.scale)
    }

    /// Ground metres a pixel at latitude `lat`.
    fn metres_per_px(&self, lat: f64) -> f64 {
        lat.to_radians().cos() / self.scale
    }

    /// The lon/lat box the map shows.
    fn lon_lat_box(&self) -> (f64, f64, f64, f64) {
        let (lon0, lat0) = crate::spatial::from_mercator(self.x0, self.y1 - self.height / self.scale);
        let (lon1, lat1) = crate::spatial::from_mercator(self.x0 + self.width / self.scale, self.y1);
        (lon0, lat0, lon1, lat1)
    }
}

/// Which territories the map is about.
fn in_scope(plan: &Plan, opts: &MapOptions, t: TerritoryIdx) -> bool {
    let tt = &plan.territories[t.get()];
    tt.alive
        && opts.territory.is_none_or(|x| x == t)
        && opts.region.is_none_or(|r| crate::model::within(&plan.regions, tt.region, r))
}

/// The frame around the accounts in scope, `width` pixels wide for the map part, at
/// least `min_height` high, or exactly `opts.height`.
fn frame(plan: &Plan, opts: &MapOptions, map_width: f64, min_height: f64) -> Frame {
    let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
    for ((lon, lat), owner) in plan.accounts.positions().zip(&plan.assignment) {
        if owner.is_some_and(|t| in_scope(plan, opts, t)) || (opts.territory.is_none() && opts.region.is_none()) {
            let (x, y) = to_mercator(lon, lat);
            lo = [lo[0].min(x), lo[1].min(y)];
            hi = [hi[0].max(x), hi[1].max(y)];
        }
    }
    if lo[0] > hi[0] {
        // No account: the contiguous US.
        let (a, b) = (to_mercator(-125.0, 24.0), to_mercator(-66.0, 50.0));
        (lo, hi) = ([a.0, a.1], [b.0, b.1]);
    }
    // A margin of 6 % on every side, and at least the reach of an area beyond its
    // outermost account (the 50-km limit and a quarter, in Mercator metres at the middle
    // latitude),
    // so that no area is cut at the edge.
    let (cx, cy) = ((lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0);
    let lat = crate::spatial::from_mercator(cx, cy).1;
    let reach = 2.0 * 1.25 * crate::shapes::ShapeOptions::default().max_km * 1000.0 / lat.to_radians().cos().max(0.05);
    let w = ((hi[0] - lo[0]) * 1.12).max(hi[0] - lo[0] + reach);
    let mut h = ((hi[1] - lo[1]) * 1.12).max(hi[1] - lo[1] + reach);
    let mut scale = map_width / w;
    // Never taller than 1.3 × wide: a tall extent is fitted by its height instead.
    let max_height = opts.height.unwrap_or((map_width * 1.3).max(min_height));
    if h * scale > max_height {
        scale = max_height / h;
    }
    // Never flatter than 0.55 × wide (a slide's proportions or taller), nor shorter
    // than the legend beside it: a flat extent gets more of the land above and below.
    h = h.max(opts.height.unwrap_or(min_height.max(map_width * 0.55)) / scale);
    let width = map_width;
    let height = h * scale;
    Frame { x0: cx - width / scale / 2.0, y1: cy + h / 2.0, scale, width, height }
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0[0], c.0[1], c.0[2])
}

/// The map as an SVG document.
pub fn map_svg(
    plan: &Plan,
    metrics: &Metrics,
    shapes: Option<&Shapes>,
    basemap: &Basemap,
    opts: &MapOptions,
) -> String {
    let width = f64::from(opts.width.clamp(MIN_WIDTH, MAX_WIDTH));
    // The type scale: 9 pt at 2400 px (an A4 page's width at 290 dpi), never below.
    let font = opts.font.unwrap_or((width / 150.0).max(12.0));
    let legend_width = if opts.no_legend { 0.0 } else { (width * 0.30).max(legend::WIDTH_EMS * font + 2.0 * font) };
    let map_width = (width - legend_width).round();
    let scope: Vec<TerritoryIdx> =
        plan.live_territories().map(|(t, _)| t).filter(|&t| in_scope(plan, opts, t)).collect();
    let legend_height = legend::height(scope.len(), font, opts.title.is_some());
    let f = frame(plan, opts, map_width, legend_height);
    let height = f.height.ceil();
    let mut out = String::with_capacity(1 << 20);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-size="{font:.1}">"#
    );
    let _ = write!(out, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
    let _ = write!(
        out,
        r#"<svg x="0" y="0" width="{mw}" height="{height}" viewBox="0 0 {mw} {height}" overflow="hidden">"#,
        mw = f.width
    );
    let _ = write!(out, r#"<rect width="{}" height="{height}" fill="{}"/>"#, f.width, hex(SEA));
    svg::basemap(&mut out, &f, basemap);
    let colour = |t: TerritoryIdx| plan.territories[t.get()].color;
    let areas = match (&opts.changes, shapes) {
        (Some(moved), _) => {
            svg::changes(&mut out, &f, plan, moved, colour, hex(FAINT));
            false
        }
        (None, Some(shapes)) if !opts.dots => {
            svg::areas(&mut out, &f, shapes, |t| (in_scope(plan, opts, t), colour(t)));
            true
        }
        _ => {
            svg::dots(&mut out, &f, plan, |t| (in_scope(plan, opts, t), colour(t)), hex(FAINT));
            false
        }
    };
    labels::names(&mut out, &f, plan, metrics, &scope, font, shapes.filter(|_| areas));
    legend::scale_bar(&mut out, &f, font);
    // The attribution, bottom right; on two lines when one would reach the scale bar.
    let size = if opts.font.is_some() { font } else { font * 0.75 };
    let full = crate::basemap::ATTRIBUTION;
    let lines: Vec<&str> = if labels::text_width(full, size) > f.width * 0.7 {
        match full.find(" Places:") {
            Some(i) => vec![&full[..i], &full[i + 1..]],
            None => vec![full],
        }
    } else {
        vec![full]
    };
    for (k, line) in lines.iter().rev().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="{size:.1}" fill="#555" stroke="white" stroke-width="{:.1}" paint-order="stroke">{}</text>"##,
            f.width - font * 0.5,
            height - font * 0.6 - k as f64 * size * 1.25,
            size * 0.25,
            escape(line)
        );
    }
    out.push_str("</svg>");
    if !opts.no_legend {
        let balance = Balance::of(plan, metrics);
        legend::legend(&mut out, plan, metrics, &balance, &scope, (map_width, width - map_width), font, opts, areas);
    }
    out.push_str("</svg>");
    out
}

/// Whether a map file is a PNG (else an SVG), by its extension; `None` for any other.
pub fn is_png_path(path: &std::path::Path) -> Option<bool> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => Some(true),
        Some("svg") => Some(false),
        _ => None,
    }
}

/// What a map is drawn over when the caller has it already (the editor's areas of the
/// same assignment, its parsed basemap); what is missing is made here.
#[derive(Default)]
pub struct Ready<'a> {
    /// The plan's shapes, when the caller has them.
    pub shapes: Option<&'a Shapes>,
    /// What makes them otherwise, when the caller has one (see [`crate::shapes::Shaper::of_plan`]).
    pub shaper: Option<&'a crate::shapes::Shaper>,
    pub basemap: Option<&'a Basemap>,
    /// Where to report the share done; its Cancel stops the work between phases (a
    /// book between pages), with [`Cancelled`].
    pub progress: Option<&'a crate::io::Progress>,
}

/// The work was cancelled through [`Ready::progress`].
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// Rough costs of the phases of a map or a book, in milliseconds as measured on the
/// 2-core machine of the README's figures (a million accounts' shapes from scratch
/// took 2.1 s, a book page 0.05 s, a 2400-pixel PNG 0.32 s). They only share out the
/// progress bar.
pub(crate) mod cost {
    /// Shapes of `n` accounts made from scratch, or by a shaper that has the cells.
    pub fn shapes(n: usize, have_shaper: bool) -> u64 {
        let per_million = if have_shaper { 1000 } else { 2100 };
        (n as u64 * per_million / 1_000_000).max(1)
    }
    /// One page of the book: its SVG and its PDF drawing.
    pub const PAGE: u64 = 50;
    /// Drawing a map's SVG document.
    pub const SVG: u64 = 30;
    /// Rasterising and encoding a map of `width` pixels (about as high as wide).
    pub fn png(width: u32) -> u64 {
        let mp = u64::from(width) * u64::from(width) * 2 / 3 / 1_000_000;
        (mp * 85).max(1)
    }
}

impl<'a> Ready<'a> {
    /// Announces `ms` more of estimated work.
    pub(crate) fn expect(&self, ms: u64) {
        if let Some(p) = self.progress {
            p.add_total(ms);
        }
    }

    /// `ms` of the work done; [`Cancelled`] when Cancel was pressed meanwhile.
    pub(crate) fn done(&self, ms: u64) -> Result<(), Cancelled> {
        self.advance(ms);
        if self.progress.is_some_and(crate::io::Progress::is_cancelled) { Err(Cancelled) } else { Ok(()) }
    }

    fn advance(&self, ms: u64) {
        if let Some(p) = self.progress {
            p.advance(ms);
        }
    }

    /// The estimated cost of the shapes of `plan` here (none when they are given).
    pub(crate) fn shapes_cost(&self, plan: &Plan) -> u64 {
        if self.shapes.is_some() { 0 } else { cost::shapes(plan.accounts.len(), self.shaper.is_some()) }
    }

    /// The shapes of `plan` ([`crate::shapes::Shaper::of_plan`]): those given, or made
    /// here, reporting [`Ready::shapes_cost`] as they are made (half of it for the
    /// triangulation when there is no shaper, the rest territory by territory); then
    /// [`Cancelled`] if Cancel was pressed meanwhile.
    pub(crate) fn shapes_of<'s>(&'s self, plan: &Plan) -> Result<std::borrow::Cow<'s, Shapes>, RenderError> {
        let cost = self.shapes_cost(plan);
        let k = plan.territories.len().max(1) as u64;
        let triangulation = if self.shaper.is_none() { cost / 2 } else { 0 };
        let per_territory = (cost - triangulation) / k;
        let shapes = crate::shapes::Shaper::of_plan_then(
            plan,
            self.shapes,
            self.shaper,
            &|| self.advance(triangulation),
            &|| self.advance(per_territory),
        )
        .map_err(|e| RenderError::Data(e.to_string()))?;
        // What the division left over.
        let left = cost - triangulation - per_territory * plan.territories.len() as u64;
        self.done(left)?;
        Ok(shapes)
    }

    /// The basemap given, or the bundled one, parsed into `parsed`.
    fn basemap<'b>(&self, parsed: &'b mut Option<Basemap>) -> Result<&'b Basemap, String>
    where
        'a: 'b,
    {
        match self.basemap {
            Some(b) => Ok(b),
            None => Ok(parsed.insert(Basemap::bundled().map_err(|e| e.to_string())?)),
        }
    }
}

/// The figures a printed map or book shows: with travel on, the workload is visits
/// plus travel, as everywhere.
fn printed_metrics(plan: &Plan) -> Metrics {
    let minutes: Vec<i64> = crate::model::travel_by_territory(plan).iter().map(|t| t.minutes).collect();
    Metrics::recompute(plan).with_travel(&minutes)
}

/// Draws the plan on screen (its scenario) and writes it, PNG or SVG by the path's
/// extension, atomically: the territory areas (cut to the bundled land) unless `opts`
/// asks for dots or the Changes view. Returns the bytes written.
pub fn map_file(plan: &Plan, opts: &MapOptions, path: &std::path::Path, ready: Ready) -> Result<usize, RenderError> {
    let png = is_png_path(path).ok_or_else(|| RenderError::Format(path.display().to_string()))?;
    let m = printed_metrics(plan);
    let areas = !opts.dots && opts.changes.is_none();
    let shapes_cost = if areas { ready.shapes_cost(plan) } else { 0 };
    let png_cost = if png { cost::png(opts.width) } else { 0 };
    ready.expect(shapes_cost + cost::SVG + png_cost);
    let shapes = if areas { Some(ready.shapes_of(plan)?) } else { None };
    let mut parsed = None;
    let basemap = ready.basemap(&mut parsed).map_err(RenderError::Data)?;
    let svg = map_svg(plan, &m, shapes.as_deref(), basemap, opts);
    ready.done(cost::SVG)?;
    let bytes = if png { svg_to_png(&svg)? } else { svg.into_bytes() };
    ready.done(png_cost)?;
    crate::io::write_atomic(path, |w| w.write_all(&bytes)).map_err(|e| RenderError::Data(e.to_string()))?;
    Ok(bytes.len())
}

/// Errors of drawing and writing a map.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the map could not be drawn: {0}")]
    Svg(String),
    #[error("{0}: a map is written as .png or .svg")]
    Format(String),
    #[error("{0}")]
    Data(String),
    #[error("a {width} × {height} pixel picture is too large to draw")]
    TooLarge { width: u32, height: u32 },
    #[error("the map was {0}")]
    Cancelled(#[from] Cancelled),
}

/// SVG reading options with the editor's font (Ubuntu Light) as the only and default
/// font: the same picture on every machine, no system font needed.
pub(crate) fn usvg_options() -> resvg::usvg::Options<'static> {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
    if let Some(family) = options.fontdb.faces().next().and_then(|f| f.families.first()) {
        options.font_family = family.0.clone();
    }
    options
}

/// Rasterises an SVG document to PNG bytes, with the editor's font (Ubuntu Light).
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, RenderError> {
    let options = usvg_options();
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| RenderError::Svg(e.to_string()))?;
    let size = tree.size().to_int_size();
    let (w, h) = (size.width(), size.height());
    if u64::from(w) * u64::from(h) > 400_000_000 {
        return Err(RenderError::TooLarge { width: w, height: h });
    }
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or(RenderError::TooLarge { width: w, height: h })?;
    resvg::render(&tree, resvg::tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| RenderError::Svg(e.to_string()))
}
