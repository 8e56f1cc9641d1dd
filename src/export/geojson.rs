//! The territory shapes as a GeoJSON FeatureCollection (RFC 7946, lon/lat), which
//! QGIS, ArcGIS and web maps open as they are: one feature a live territory, its
//! area as the geometry (a MultiPolygon, one polygon a piece) and, as properties, its
//! figures from the stats document plus its rep, its region's path and its count of
//! pieces; positions that hold accounts of several territories as the foreign member
//! `shared_positions`.

use std::path::Path;

use geojson::{Feature, FeatureCollection, JsonObject, JsonValue, feature::Id};

use crate::io::FileError;
use crate::metrics::Metrics;
use crate::model::{Plan, TerritoryIdx};
use crate::shapes::Shapes;

/// What a shapes file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapesFile {
    pub territories: usize,
    /// Positions where accounts of more than one territory stand.
    pub shared_positions: usize,
}

/// The shapes of `plan` (made of its assignment) as a FeatureCollection, with the
/// figures of `metrics` (the plan's visit totals, as kept by the editor or recomputed).
pub fn shapes_collection(plan: &Plan, metrics: &Metrics, shapes: &Shapes) -> FeatureCollection {
    let figures = super::stats_document(plan, metrics, plan.accounts.len());
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
    let ids = |ts: &[TerritoryIdx]| ts.iter().map(|t| plan.territories[t.get()].id.clone()).collect::<Vec<_>>();
    let shared: Vec<JsonValue> = shapes
        .shared
        .iter()
        .map(|s| {
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
    FeatureCollection { bbox: None, features, foreign_members: Some(members) }
}

/// Writes [`shapes_collection`] to `path`, atomically.
pub fn write_shapes(plan: &Plan, metrics: &Metrics, shapes: &Shapes, path: &Path) -> Result<ShapesFile, FileError> {
    let collection = shapes_collection(plan, metrics, shapes);
    crate::io::write_atomic(path, |w| serde_json::to_writer(w, &collection).map_err(std::io::Error::other))?;
    Ok(ShapesFile { territories: collection.features.len(), shared_positions: shapes.shared.len() })
}
