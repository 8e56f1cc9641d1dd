//! # territory-editor
//!
//! An offline-first desktop editor for sales territories, and the headless command
//! line that shares its core.
//!
//! ## Architecture map
//!
//! The **core** knows no UI (a test, `tests/architecture.rs`, fails if these modules
//! name egui, eframe or walkers):
//!
//! | module | owns |
//! |---|---|
//! | [`model`] | the plan: accounts, territories (stable slots), the assignment, newtypes for cents and minutes, the palette |
//! | [`grid`] | the fast exact path for selection by polygon: accounts sorted into grid cells, whole cells taken as index ranges |
//! | [`spatial`] | Web Mercator, the bulk-loaded `rstar` R-tree over the accounts, exact selection by polygon, rectangle, nearest account |
//! | [`metrics`] | per-territory totals (integers, kept incrementally), deviations, the plan's balance (max \|deviation\|, CV) |
//! | [`edit`] | commands → reversible change sets, the [`edit::Editor`] that applies them and keeps the unlimited undo/redo history |
//! | [`io`] | the versioned RON plan file, CSV import (two stages: raw row → validated account or a listed rejection), CSV export, GeoJSON areas, atomic writes |
//! | [`basemap`] | the bundled offline basemap (countries, US states, counties), pre-projected outlines, "which area is here" |
//! | [`format`] | number formatting shared by the CLI and the UI |
//! | [`generate`] | realistic synthetic accounts around real places, in longitude bands |
//! | [`cli`] | the headless subcommands (`stats`, `select`, `assign`, `import`, `export`) |
//!
//! The **editor** ([`app`]) is the only part that knows egui, eframe and walkers.
//! It reads the core and sends it [`edit::Command`]s; it never mutates the plan itself.
//!
//! ## Data flow
//!
//! *File to pixel.* A `.ron` file is parsed into [`io::plan_file::PlanFileV1`] and
//! validated into a [`model::Plan`]; a `.csv` goes through [`io::csv_import`]. The
//! plan goes into an [`edit::Editor`], which computes the [`metrics::Metrics`] once
//! (O(N)); [`spatial::SpatialIndex`] bulk-loads the accounts' Web Mercator positions
//! (O(N log N)). Each frame, the map layer (`app::map_view`) turns the walkers
//! `Projector` into one affine transform from Web Mercator metres to screen points,
//! culls the accounts to the view and paints them coloured by their territory; the
//! balance panel reads the metrics (O(territories)).
//!
//! *Drag to metric.* A lasso is a list of screen points, turned into a Web Mercator
//! polygon by the inverse transform; [`spatial::SpatialIndex::select_polygon_mercator`]
//! queries the R-tree with its envelope and keeps the accounts inside by the
//! crossing-number rule. Its per-territory sums give the live preview (O(selected) once,
//! then O(territories) per frame). "Assign to" sends [`edit::Command::Reassign`]; the
//! editor builds a [`edit::ChangeSet`] of the k moves, applies it to the assignment and
//! the metrics in O(k), and pushes it onto the history. Undo replays it backwards in O(k).
//!
//! ## Invariants
//!
//! - `Editor::metrics() == Metrics::recompute(Editor::plan())`, exactly, after any
//!   sequence of edits, undos and redos (integer totals; property-tested).
//! - Undoing every edit restores the original plan exactly (property-tested).
//! - Selection by polygon returns the same set as a brute-force crossing-number test
//!   in the polygon's own coordinates, except points within 1e-9 of an edge
//!   (property-tested against `geo`).
//! - Locked accounts and accounts of locked territories never move by reassignment;
//!   nothing is assigned to a locked territory.
//! - Files are written atomically (temporary file, then rename).
//!
//! ## Costs
//!
//! O(N) work happens only when a plan is loaded (parse, metrics, index) or saved, and
//! in the editor's drawing of the dots in view. Edits, undo and redo cost O(moved
//! accounts); the balance panel costs O(territories) per frame.

pub mod app;
pub mod basemap;
pub mod cli;
pub mod edit;
pub mod format;
pub mod generate;
pub mod grid;
pub mod io;
pub mod metrics;
pub mod model;
pub mod spatial;
