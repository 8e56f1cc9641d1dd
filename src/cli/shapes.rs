//! `shapes`: the territories as areas, a GeoJSON FeatureCollection (RFC 7946, lon/lat)
//! with each territory's figures as properties, for QGIS, ArcGIS or a web map.

use super::*;
use crate::shapes::{Land, ShapeOptions, Shaper};

/// What `shapes` is asked for.
pub(super) struct ShapesArgs<'a> {
    pub out: &'a Path,
    pub max_km: f64,
    pub land: bool,
    pub json: bool,
}

pub(super) fn shapes(path: &Path, scenario: &ScenarioArg, args: &ShapesArgs) -> Result<(), Failure> {
    let (plan, _) = load_in(path, scenario)?;
    let m = Metrics::recompute(&plan);
    let land = if args.land { Some(Land::bundled().map_err(Failure::data)?) } else { None };
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let options = ShapeOptions { max_km: args.max_km, ..ShapeOptions::default() };
    // The triangulation counts as much as all the territories' merges (about so at a
    // million accounts), then each territory one.
    let k = plan.territories.len();
    let progress = Progress::default();
    progress.add_total(2 * k as u64);
    let shapes = with_progress("making the areas", &progress, || {
        let shaper = Shaper::new(&positions, land, options);
        progress.advance(k as u64);
        shaper.shapes_then(&plan.assignment, k, &|| progress.step())
    });
    let written = crate::export::write_shapes(&plan, &m, &shapes, args.out).map_err(Failure::data)?;
    let n = written.territories;
    if args.json {
        print_json(&json::ShapesJson {
            schema: 1,
            out: args.out.display().to_string(),
            territories: n,
            shared_positions: shapes.shared.len(),
        });
    } else {
        let what = crate::format::count(n as i64, "territory", "territories");
        out(&format!("wrote the shapes of {what} to {}\n", args.out.display()));
        if !shapes.shared.is_empty() {
            eprintln!(
                "note: {}: {} hold accounts of more than one territory (listed as shared_positions; each is \
                 drawn in the territory with most accounts there)",
                path.display(),
                crate::format::count(shapes.shared.len() as i64, "position", "positions")
            );
        }
    }
    Ok(())
}
