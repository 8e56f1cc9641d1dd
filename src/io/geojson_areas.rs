//! Areas from GeoJSON: the union of a file's Polygon and MultiPolygon features, in
//! lon/lat (RFC 7946), with the features that are not areas listed, not dropped
//! silently.

use std::path::Path;

use geo::{Geometry, MultiPolygon};
use geojson::GeoJson;

/// Why an area file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AreaError {
    #[error(transparent)]
    Io(#[from] super::FileError),
    #[error("{path}: {detail}")]
    Syntax { path: String, detail: String },
    #[error("{path}: no Polygon or MultiPolygon feature{}", if skipped.is_empty() { String::new() } else { format!(" ({})", skipped.join("; ")) })]
    NoPolygons { path: String, skipped: Vec<String> },
}

/// One named area of a GeoJSON file.
#[derive(Debug, Clone)]
pub struct Area {
    /// The feature's `name` property, or its index.
    pub name: String,
    /// Every string property, for labels and lookups.
    pub properties: Vec<(String, String)>,
    /// Lon/lat.
    pub shape: MultiPolygon<f64>,
}

impl Area {
    /// A string property.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// The areas of a file, and a note for each feature that is not an area.
#[derive(Debug, Clone, Default)]
pub struct AreaFile {
    pub areas: Vec<Area>,
    pub skipped: Vec<String>,
}

impl AreaFile {
    /// The union of all areas, as one multipolygon (rings kept as they are; selection
    /// treats it as "inside any of them").
    pub fn union(&self) -> MultiPolygon<f64> {
        MultiPolygon(self.areas.iter().flat_map(|a| a.shape.0.iter().cloned()).collect())
    }
}

fn polygons(g: Geometry<f64>, out: &mut Vec<geo::Polygon<f64>>) -> Result<(), String> {
    match g {
        Geometry::Polygon(p) => out.push(p),
        Geometry::MultiPolygon(mp) => out.extend(mp.0),
        Geometry::GeometryCollection(gc) => {
            for g in gc.0 {
                polygons(g, out)?;
            }
        }
        Geometry::Point(_) | Geometry::MultiPoint(_) => return Err("a point, not an area".to_owned()),
        _ => return Err("a line, not an area".to_owned()),
    }
    Ok(())
}

/// Parses GeoJSON text; `path` names the file in errors.
pub fn parse(text: &str, path: &str) -> Result<AreaFile, AreaError> {
    let gj: GeoJson =
        text.parse().map_err(|e: geojson::Error| AreaError::Syntax { path: path.to_owned(), detail: e.to_string() })?;
    let features: Vec<(Option<geojson::Geometry>, Option<geojson::JsonObject>)> = match gj {
        GeoJson::FeatureCollection(fc) => fc.features.into_iter().map(|f| (f.geometry, f.properties)).collect(),
        GeoJson::Feature(f) => vec![(f.geometry, f.properties)],
        GeoJson::Geometry(g) => vec![(Some(g), None)],
    };
    let mut file = AreaFile::default();
    for (i, (geometry, props)) in features.into_iter().enumerate() {
        let properties: Vec<(String, String)> = props
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                serde_json::Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect();
        let name = properties
            .iter()
            .find(|(k, _)| k == "name")
            .map_or_else(|| format!("feature {}", i + 1), |(_, v)| v.clone());
        let Some(geometry) = geometry else {
            file.skipped.push(format!("feature {} ({name}) has no geometry", i + 1));
            continue;
        };
        let mut out = Vec::new();
        let result = Geometry::<f64>::try_from(geometry).map_err(|e| e.to_string()).and_then(|g| polygons(g, &mut out));
        match result {
            Ok(()) => file.areas.push(Area { name, properties, shape: MultiPolygon(out) }),
            Err(why) => file.skipped.push(format!("feature {} ({name}) is {why}", i + 1)),
        }
    }
    if file.areas.is_empty() {
        return Err(AreaError::NoPolygons { path: path.to_owned(), skipped: file.skipped });
    }
    Ok(file)
}

/// Reads a GeoJSON file.
pub fn load(path: &Path) -> Result<AreaFile, AreaError> {
    let text = std::fs::read_to_string(path).map_err(|e| super::FileError::new(path, e))?;
    parse(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_listed_polygons_kept() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"name":"Box"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
            {"type":"Feature","properties":{"name":"Road"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}]}"#;
        let f = parse(text, "a.geojson").expect("parses");
        assert_eq!(f.areas.len(), 1);
        assert_eq!(f.skipped, vec!["feature 2 (Road) is a line, not an area".to_owned()]);
        assert!(matches!(parse("{", "b.geojson"), Err(AreaError::Syntax { .. })));
        let only_line = r#"{"type":"LineString","coordinates":[[0,0],[1,1]]}"#;
        assert!(matches!(parse(only_line, "c.geojson"), Err(AreaError::NoPolygons { .. })));
    }
}
