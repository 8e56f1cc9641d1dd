//! `map`: the plan as a picture to hand out (PNG or SVG), drawn without a window.

use super::*;
use crate::render::{self, MapOptions};

/// What `map` is asked for.
pub(super) struct MapArgs<'a> {
    pub out: &'a Path,
    pub width: u32,
    pub region: Option<&'a str>,
    pub territory: Option<&'a str>,
    pub changes_from: Option<&'a str>,
    pub title: Option<&'a str>,
    pub dots: bool,
    pub json: bool,
}

pub(super) fn map(path: &Path, scenario: &ScenarioArg, args: &MapArgs) -> Result<(), Failure> {
    if render::is_png_path(args.out).is_none() {
        return Err(Failure::usage(format!("--out {}: the map is written as .png or .svg", args.out.display())));
    }
    let (mut plan, _) = load_in(path, scenario)?;
    let mut opts = MapOptions {
        width: args.width,
        title: Some(args.title.map_or_else(|| default_title(path), str::to_owned)),
        dots: args.dots,
        region: args.region.map(|r| find_region(&plan, path, r)).transpose()?,
        territory: args.territory.map(|t| find_territory(&plan, path, t)).transpose()?,
        ..MapOptions::default()
    };
    if let Some(name) = args.changes_from {
        let a = find_scenario(&plan, path, name)?;
        let on_screen = plan.current;
        plan.switch_scenario(a);
        let ma = Metrics::recompute(&plan);
        plan.switch_scenario(on_screen);
        let mb = Metrics::recompute(&plan);
        let c = crate::compare::compare_sides(
            &crate::compare::Side::scenario(&plan, a, &ma),
            &crate::compare::Side::of(&plan, &mb),
        );
        opts.changes = Some(c.changes.iter().map(|ch| ch.b as u32).collect());
    }
    let progress = Progress::default();
    let ready = render::Ready { progress: Some(&progress), ..render::Ready::default() };
    let bytes = with_progress("drawing the map", &progress, || render::map_file(&plan, &opts, args.out, ready))
        .map_err(Failure::data)?;
    if args.json {
        print_json(&json::MapJson { schema: 1, out: args.out.display().to_string(), bytes });
    } else {
        out(&format!("wrote the map to {}\n", args.out.display()));
    }
    Ok(())
}

/// The file's name without its extension, as the map's title.
fn default_title(path: &Path) -> String {
    path.file_stem().map_or_else(|| "Territories".to_owned(), |s| s.to_string_lossy().into_owned())
}

/// `book`: the territory book as a PDF.
pub(super) fn book(path: &Path, scenario: &ScenarioArg, out_path: &Path, title: Option<&str>) -> Result<(), Failure> {
    if out_path.extension().and_then(|e| e.to_str()).is_none_or(|e| !e.eq_ignore_ascii_case("pdf")) {
        return Err(Failure::usage(format!("--out {}: the book is written as .pdf", out_path.display())));
    }
    let (plan, _) = load_in(path, scenario)?;
    let title = title.map_or_else(|| default_title(path), str::to_owned);
    let progress = Progress::default();
    let ready = render::Ready { progress: Some(&progress), ..render::Ready::default() };
    let pdf = with_progress("making the book", &progress, || render::book_pdf(&plan, &title, ready))
        .map_err(|e| Failure::data(format!("{}: {e}", path.display())))?;
    crate::io::write_atomic(out_path, |w| w.write_all(&pdf)).map_err(Failure::data)?;
    out(&format!(
        "wrote the territory book ({} pages) to {}\n",
        1 + plan.live_territories().count(),
        out_path.display()
    ));
    Ok(())
}
