//! `map`: the plan as a picture to hand out (PNG or SVG), drawn without a window.

use super::*;
use crate::render::{self, MapOptions};
use crate::shapes::{Land, ShapeOptions, Shaper};

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

/// Whether `--out` names a PNG (else an SVG); anything else is a usage error.
fn is_png(out: &Path) -> Result<bool, Failure> {
    match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("png") => Ok(true),
        Some("svg") => Ok(false),
        _ => Err(Failure::usage(format!("--out {}: the map is written as .png or .svg", out.display()))),
    }
}

pub(super) fn map(path: &Path, scenario: &ScenarioArg, args: &MapArgs) -> Result<(), Failure> {
    let png = is_png(args.out)?;
    let (mut plan, _) = load_in(path, scenario)?;
    // With travel on, the workload is visits plus travel, as everywhere.
    let minutes: Vec<i64> = crate::model::travel_by_territory(&plan).iter().map(|t| t.minutes).collect();
    let m = Metrics::recompute(&plan).with_travel(&minutes);
    let mut opts = MapOptions {
        width: args.width,
        title: Some(args.title.map_or_else(|| default_title(path), str::to_owned)),
        dots: args.dots,
        region: args.region.map(|r| find_region(&plan, path, r)).transpose()?,
        territory: args.territory.map(|t| find_territory(&plan, path, t)).transpose()?,
        changes: None,
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
    let shapes = if opts.dots || opts.changes.is_some() {
        None
    } else {
        let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
        let land = Land::bundled().map_err(Failure::data)?;
        Some(
            Shaper::new(&positions, Some(land), ShapeOptions::default())
                .shapes(&plan.assignment, plan.territories.len()),
        )
    };
    let basemap = crate::basemap::Basemap::bundled().map_err(Failure::data)?;
    let svg = render::map_svg(&plan, &m, shapes.as_ref(), &basemap, &opts);
    let bytes = if png { render::svg_to_png(&svg).map_err(Failure::data)? } else { svg.into_bytes() };
    crate::io::write_atomic(args.out, |w| w.write_all(&bytes)).map_err(Failure::data)?;
    if args.json {
        print_json(&json::MapJson { schema: 1, out: args.out.display().to_string(), bytes: bytes.len() });
    } else {
        out(&format!("wrote the map to {}\n", args.out.display()));
    }
    Ok(())
}

/// The file's name without its extension, as the map's title.
fn default_title(path: &Path) -> String {
    path.file_stem().map_or_else(|| "Territories".to_owned(), |s| s.to_string_lossy().into_owned())
}
