//! Documents of a plan for other programs, shared by the command line and the editor:
//! the plan's figures as one serialisable document (`stats.rs`, the schema of
//! `stats --json`), and the territory shapes as a GeoJSON FeatureCollection with those
//! figures as properties (`geojson.rs`, `shapes` and File ▸ Export shapes…).

mod geojson;
mod stats;

pub use geojson::{ShapesFile, shapes_collection, write_shapes};
pub use stats::{BalanceJson, StatsJson, StatsRegion, StatsTerritory, TotalsJson, stats_document};
