//! `shapes`: the territories as areas, a GeoJSON FeatureCollection (RFC 7946, lon/lat)
//! with each territory's figures as properties, for QGIS, ArcGIS or a web map.

use geojson::{Feature, FeatureCollection, JsonObject, JsonValue, feature::Id};

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
    let figures = stats::stats_json(&plan, &m, plan.accounts.len());
    let land = if args.land { Some(Land::bundled().map_err(Failure::data)?) } else { None };
    let positions: Vec<(f64, f64)> = plan.accounts.positions().collect();
    let options = ShapeOptions { max_km: args.max_km, ..ShapeOptions::default() };
    let shapes = Shaper::new(&positions, land, options).shapes(&plan.assignment, plan.territories.len());
    let mut features = Vec::new();
    for ((i, t), f) in plan.live_territories().zip(&figures.territories) {
        let area = &shapes.areas[i.get()];
        let mut properties = match serde_json::to_value(f) {
            Ok(JsonValue::Object(o)) => o,
            _ => JsonObject::new(),
        };
        properties.insert("rep".into(), t.rep.clone().into());
        let region = t.region.map(|r| crate::model::region_path(&plan.regions, r));
        properties.insert("region_path".into(), region.into());
        properties.insert("pieces".into(), area.0.len().into());
        features.push(Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::from(area)),
            id: Some(Id::String(t.id.clone())),
            properties: Some(properties),
            foreign_members: None,
        });
    }
    let shared: Vec<JsonValue> = shapes
        .shared
        .iter()
        .map(|s| {
            let ids = |ts: &[TerritoryIdx]| ts.iter().map(|t| plan.territories[t.get()].id.clone()).collect::<Vec<_>>();
            serde_json::json!({
                "lon": s.position[0],
                "lat": s.position[1],
                "territories": ids(&s.territories),
                "shape": plan.territories[s.owner.get()].id,
                "accounts": s.accounts.iter().map(|&a| plan.accounts.id(a as usize)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut members = JsonObject::new();
    members.insert("shared_positions".into(), shared.into());
    let collection = FeatureCollection { bbox: None, features, foreign_members: Some(members) };
    crate::io::write_atomic(args.out, |w| serde_json::to_writer(w, &collection).map_err(std::io::Error::other))
        .map_err(Failure::data)?;
    let n = collection.features.len();
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
