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
//! | [`model`] | the plan: accounts stored by column ([`model::Accounts`]: numeric columns, text in a few shared buffers), territories (stable slots), the assignment, newtypes for cents and minutes, the palette; [`model::limits`], the figures an account may carry, the territory ceiling and the check that totals fit; scenarios ([`model::Scenario`]: territories, region tree, assignment and account locks over the shared accounts, the one on screen in the plan's own fields); each territory's capacity; regions ([`model::Region`]: a tree in stable slots, paths, which territories lie within); travel ([`model::Travel`]: the settings and the one definition of an account's drive, whole minutes) |
//! | [`grid`] | the fast exact path for selection by polygon: accounts sorted into grid cells, whole cells taken as index ranges; in the editor also the nearest account (hover, click) and selection by a state or county in lon/lat |
//! | [`spatial`] | Web Mercator; exact selection by polygon in the polygon's own coordinates (the crossing-number test), and [`spatial::PolygonIndex`], a polygon of any vertex count made quick to test (edges in horizontal bands), for the command line's `select` and `assign` and the grid's lon/lat selection |
//! | [`metrics`] | per-territory totals (integers, kept incrementally), deviations against each territory's target (total × capacity / Σ capacities), the plan's balance (max \|deviation\|, CV), the regions' roll-ups (`rollup.rs`, from the territories' totals, on demand) |
//! | [`edit`] | commands → reversible change sets, the [`edit::Editor`] that applies them and keeps the unlimited undo/redo history |
//! | [`io`] | the versioned RON plan file, CSV import (two stages: raw row → validated account or a listed rejection), the geocode checks ([`io::geocode`]: (0, 0), swapped and sign-lost coordinates, outliers), CSV export, GeoJSON areas, atomic writes (symlinks followed, devices refused, stale temporaries removed) |
//! | [`recovery`] | autosave: the journal of edit commands since a plan was opened or saved, written off the UI thread at most once a second, tied to its base file by a fingerprint; finding and replaying a crashed session's journal |
//! | [`basemap`] | the bundled offline basemap (countries, US states, counties), pre-projected outlines, "which area is here" |
//! | [`quality`] | reports beyond balance: compactness; the accounts' one triangulation ([`quality::Triangulation`]: Delaunay over distinct positions, in lon/lat with longitude scaled by the cosine of the middle latitude; built a strip of sites at a time, the strips' unsure sites together, so its memory while built is a strip's) and the adjacency made of it (150 km cut, islands), which the areas' Voronoi cells share; pieces, disruption and its lower bound, the k-means reference; the nearest or cheapest of many centres (a k-d tree with each subtree's least price, for k-means and Redraw's pricing) |
//! | [`optimize`] | Balance (min-cost flow between neighbouring territories, realised border by border with a local one-piece test) and Redraw (balanced k-means, optionally around reps' homes, or recursive bisection past 250 territories, names by overlap, one piece per island, then Balance and polish); proposals and their before/after report (with the lower bound and the border-flow bound of the moved workload) |
//! | [`shapes`] | territory areas: the Voronoi cells of the accounts' positions (cut to a disc of 50 km around each, edges straight in lon/lat) merged per territory, cut to the bundled land (cut once into 1° tiles, so each piece meets only the land near it) but never nearer than 1 km around an account; positions shared by territories listed; after an edit only the changed territories merged again; where a name goes over an area (its centre, or its account nearest the centre when the area does not hold it), for the editor and the printed map alike |
//! | [`render`] | maps to hand out: the plan as an SVG document (basemap, areas or dots, names placed without overlap, legend with each territory's figures, scale bar, attribution; a region's, a territory's or the Changes view), rasterised to PNG by `resvg` with the bundled font; the territory book (`book.rs`: SVG pages made into a PDF by `krilla`) |
//! | [`rng`] | the deterministic random number generator of generated data and seeded algorithms |
//! | [`format`](mod@format) | number formatting shared by the CLI and the UI |
//! | [`generate`] | realistic synthetic accounts around real places, in longitude bands |
//! | [`export`] | documents of a plan for other programs, shared by the CLI and the editor: the stats document (each territory's figures against its target, the regions' roll-ups, the balance; the schema of `stats --json`) and the territory shapes as a GeoJSON FeatureCollection with those figures as properties |
//! | [`compare`] | two plans of the same accounts side by side (accounts and territories matched by id): the accounts that change territory, the flows between territories, each territory's figures in both and its disruption; the change list for the CRM |
//! | [`update`] | a plan refreshed from a new CRM export: accounts matched by id keep their territory and lock in every scenario, new ones join the nearest account's territory that may receive them (an R-tree on the unit sphere), missing ones are removed unless their row was rejected; the report |
//! | [`cli`] | the headless subcommands (`stats`, `select`, `assign`, `import`, `update`, `set`, `export`, `generate`, `quality`, `balance`, `redraw`, `compare`, `changes`, `shapes`, `map`, `book`), their range-checked options, one-line errors and `--json` documents (`Serialize` structs, one per command; the stats document from [`export`]) |
//!
//! The **editor** ([`app`]) is the only part that knows egui, eframe and walkers
//! (`app::recover` keeps the journal in step with the editor and offers a crashed
//! session back at start).
//! It reads the core and sends it [`edit::Command`]s; it never mutates the plan itself.
//!
//! ## Layering
//!
//! Which module uses which (`crate::…`), apart from tests; `tests/architecture.rs` holds
//! the same list and fails on any other arrow. Core modules never use `app` or `cli`,
//! and `io` never uses `optimize`.
//!
//! | module | uses |
//! |---|---|
//! | `app` | basemap, compare, edit, export, format, grid, io, metrics, model, optimize, quality, recovery, render, shapes, spatial, update |
//! | `cli` | basemap, compare, edit, export, format, generate, io, metrics, model, optimize, quality, render, shapes, spatial, update |
//! | `export` | io (the atomic write), metrics, model, shapes |
//! | `shapes` | basemap (the bundled boundaries), io (GeoJSON), model, quality (the Earth's radius) |
//! | `render` | basemap, compare (the book's gains and losses), format, io (the atomic write), metrics, model, shapes, spatial |
//! | `update` | io (the import's rejected rows), metrics, model, quality (the great-circle distance) |
//! | `compare` | io (the change list's atomic write), metrics, model |
//! | `optimize` | io (progress and cancel), metrics, model, quality, rng |
//! | `recovery` | edit, io, model |
//! | `io` | format, grid, metrics, model, recovery (a saved file's fingerprint), spatial |
//! | `basemap` | io, spatial |
//! | `quality` | metrics, model, rng, spatial |
//! | `edit` | format, metrics, model |
//! | `metrics` | model, spatial |
//! | `grid` | model, spatial |
//! | `spatial` | model |
//! | `model` | format |
//! | `generate` | rng |
//! | `format`, `rng` | nothing |
//!
//! `optimize` is a folder, one part a file: `mod.rs` (options, errors, the proposal),
//! `state.rs` (the working state and its one move), `contiguity.rs` (the one-piece
//! rules), `flow.rs` (the territory graph and the min-cost flow), `balance.rs`,
//! `stop.rs` (why a run stopped short), `polish.rs` (the last slivers, polish),
//! `pricing.rs` (balanced k-means), `bisect.rs` (recursive bisection), `redraw.rs`,
//! `report.rs`. `cli` is one too: `args.rs`, `output.rs`, and a file per command.
//! So are `model` (units, account, accounts, colour, account_set, region, scenario, travel), `edit`
//! (changes, regions, scenarios), `metrics` (rollup), `compare` (changes), `update`,
//! `io::csv_import` (columns, detect, stream, parse, duplicates, assemble),
//! `io::plan_file` (records, checks, rows, scenarios, read, write), and in the editor
//! `app::map` (with `changes.rs`, the Changes mode), `app::panel` and `app::files`
//! (with `update.rs`, File ▸ Update accounts); each folder's `mod.rs` opens with what it
//! holds.
//!
//! ## Data flow
//!
//! *File to pixel.* A large `.ron` file is read in two halves on two threads
//! ([`io::read_file`]); its header is parsed into [`io::plan_file::PlanFileV2`] and
//! its account rows, one a line, are parsed in pieces on every core (directly, as
//! `io::plan_file`'s `rows.rs` reads the layout it writes; by `ron` otherwise). A `.csv` goes
//! through [`io::csv_import`]: a large file is parsed as it is read (each thread reads
//! a 2 MB region into a buffer it reuses and parses it; cuts are guessed at newlines
//! and checked by quote parity), otherwise the bytes are cut at record boundaries
//! (quotes counted per region in parallel, so the cuts are exact); each piece is
//! split into records by [`io::records`] (plain and simply quoted lines split at
//! their delimiters directly, any other record read by `csv_core`, the `csv` crate's
//! own state machine; equal to the `csv` reader, a property test checks) and parsed
//! into records of numbers plus text
//! ([`model::AccountRows`]), the ids' hashes and the Web Mercator positions, on every
//! core, rows rejected with their line; no row allocates. The
//! editor opens a CSV with [`io::csv_import::import_bytes_sorted`]: the duplicate-id
//! check (256 hash buckets) runs beside the [`grid::Grid`] build, and the pieces are
//! gathered straight into grid order (cell by cell, so that every cell is a contiguous
//! range of account indices) in one pass, with no joined copy; a `.ron` plan is sorted
//! by [`grid::sort_plan`]. Either way the result is a validated [`model::Plan`] in grid
//! order. `app::Document` then builds the [`edit::Editor`], which sums the metrics and
//! the prefix sums once (O(N), on every core); drawing, every selection tool, hover
//! and click then use the grid (the editor builds no R-tree, which cost 28 MB and
//! 0.3 s of a background thread at a million accounts). Each
//! frame, the map layer (`app::map`) turns the walkers `Projector` into one affine
//! transform from Web Mercator metres to screen points and visits only the grid rows
//! in view: up to 25,000 accounts are drawn as circles; more are splatted into a
//! texture (and the selection into a second one) that is redrawn only when the view,
//! the plan or the selection changed. The balance panel reads the metrics
//! (O(territories)); with regions it rolls them up per region each frame
//! (O(territories × depth)), and a territory's deviation is against its target.
//!
//! *Drag to metric.* A lasso is a list of screen points, turned into a Web Mercator
//! polygon by the inverse transform. [`grid::Grid::select`] rasterises it onto the
//! grid: cells no edge touches are taken whole as index ranges, dense cells on the
//! outline are refined in a 16×16 sub-grid, and only accounts in cells an edge crosses
//! are tested, against the edges of their row. The result is an [`model::AccountSet`]
//! of ranges; while the lasso is drawn it is recomputed every frame (live selection),
//! and [`edit::Editor::summarize`] gives its sums by owner, from which the panel's
//! preview costs O(territories). "Assign to" sends [`edit::Command::Reassign`]; the
//! editor scans the owners of the selected ranges into runs of equal owner, and applies
//! each run with one `fill` of the owners and O(1) metric updates from the prefix sums
//! (kept every 16 accounts: a run's ends add at most 15 accounts each from the columns);
//! the runs are the undo record. Undo replays them backwards.
//!
//! *Proposal to plan.* Balance… and Redraw… take [`edit::Editor::snapshot`] (the plan
//! shared, not copied) to a worker thread, which builds the adjacency once per document
//! (kept for later runs), runs [`optimize::balance`] or [`optimize::redraw`] and its
//! [`optimize::report`]. The editor selects the accounts that move (drawn in their new
//! territory's colour) and shows the report in the balance panel; Apply sends one
//! [`edit::Command::ApplyProposal`], whose change set is the runs of changed owners plus
//! the territory slots created, renamed or deleted. Save and Export take the same
//! snapshot.
//!
//! *Edit to area.* With territory areas on (View ▸ Territory areas; automatic over
//! 5,000 accounts in view), `app::map`'s areas layer sends a copy of the owners to a
//! worker thread whenever [`edit::Editor::revision`] moves; the worker compares it with
//! the assignment its shapes were made of, [`shapes::Shaper::update`] merges the Voronoi
//! cells of the territories that differ again (the triangulation is built once per
//! document, and shared with the adjacency that Balance, Redraw and the pieces use), and
//! the worker triangulates them for drawing. The frame never waits; the old areas stay until the
//! new ones arrive.
//!
//! ## Invariants
//!
//! - Territory shapes never overlap (beyond the polygon overlay's snapping, about a
//!   square metre) and each holds its own accounts and no other's, but for positions
//!   shared by territories, which are listed (property-tested on random plans, and
//!   against the CSV for `shapes`' GeoJSON); what they cover is land, or within the
//!   1-km disc of an account (property-tested on random plans on the coast at Los
//!   Angeles).
//! - `Editor::metrics() == Metrics::recompute(Editor::plan())`, exactly, after any
//!   sequence of edits, undos and redos (integer totals; property-tested), capacity
//!   and region edits included; the panel's balance equals deviations against
//!   total × capacity / Σ capacities worked out account by account, and every region's
//!   roll-up equals the sums over the territories within it (property-tested).
//! - With travel on, the editor's travel per territory (kept move by move, O(k), and
//!   recomputed for a territory whose home or centre moves) equals
//!   [`model::travel_by_territory`] after any sequence of edits, undos and redos
//!   (property-tested); balance, Balance and Redraw measure workload with travel.
//! - With every capacity 1.0 a target is the mean, exactly, and Balance and Redraw
//!   behave as before capacities existed (the golden outputs did not change).
//! - The region tree has no cycle (a move into a region's own subtree is refused, a
//!   file whose parents loop is refused), and no live territory names a dead region
//!   (deleting a region moves its territories up; a proposal naming a missing region
//!   is refused). Balance and Redraw limited to a region move no account outside it
//!   and keep its total (tested on the demo).
//! - Undoing every edit restores the original plan exactly (property-tested).
//! - Scenarios share the accounts: switching exchanges vectors and copies nothing, and
//!   a change to the scenario on screen never touches another (tested); a plan file
//!   writes the baseline in its rows and each other scenario as its differences from it.
//!   Creating and deleting a scenario are undo steps; a scenario brought back by undo or
//!   redo is exactly as it was left, history included (property-tested).
//! - An account's owner is 4 bytes (`Option<TerritoryIdx>`, a niche in the slot
//!   number): what each scenario's assignment costs.
//! - An update from a new export keeps every matched account's territory and lock in
//!   every scenario; a new account joins the territory of its nearest receiving account
//!   within the radius (property-tested against a brute-force search); the export the
//!   plan came from changes nothing, byte for byte (tested).
//! - The plan file's rows are written and read directly, as exactly the text and
//!   values `ron` writes and reads (property-tested); anything else goes to `ron`.
//! - Selection by polygon — the grid's, and the command line's scan — returns
//!   the same set as a brute-force crossing-number test in the polygon's own
//!   coordinates, except points within 1e-9 of an edge (property-tested against `geo`,
//!   also in dense clusters that exercise the sub-grids).
//! - Locked accounts and accounts of locked territories never move by reassignment;
//!   nothing is assigned to a locked territory.
//! - Files are written atomically (temporary file, flushed, then renamed): a save
//!   killed at any moment leaves the old file or the new one whole (tested with
//!   SIGKILLs), and the next save removes the temporary it left.
//! - A save marks saved exactly what it wrote ([`edit::SavePoint`], taken with its
//!   snapshot): an edit made while the file is written stays unsaved (tested). Saves
//!   and exports run beside the job in flight (Balance, Redraw, an open, an update)
//!   without taking its place, and always report back.
//! - No total wraps: each account's figures are held to [`model::limits`] on input,
//!   and a plan whose sums of absolute values would not fit in `i64` is refused.
//! - No account is placed where its position is plainly wrong: (0, 0) is rejected,
//!   swapped or sign-lost coordinates are rejected or, when asked, corrected
//!   ([`io::geocode`]).
//! - Replaying a recovery journal on its base (the same bytes, by fingerprint) gives
//!   the plan and its undo history as they were at the journal's last write (at most
//!   a second before a crash); it is never replayed on another file.
//! - No loader panics on any input (fuzzed; a property test feeds random and mutated
//!   files to all three in `cargo test`); a panic on a worker thread (a bug) reaches
//!   the user as an error naming the file.
//! - Every cache of the plan in the editor (dots, selection sums, search hits, a
//!   pending proposal) is keyed on [`edit::Editor::revision`], which changes with every
//!   edit, undo and redo and differs between editors; nothing refreshes it by hand.
//! - One home per rule: the latitude limit ([`model::limits::MAX_LAT`]; plan files
//!   keep ±90° so older files open), an account's workload ([`model::Minutes::of_visits`]),
//!   which files are accounts CSV ([`io::csv_import::is_csv_path`]), the shortcuts
//!   (`app::actions::shortcuts`), which accounts may move ([`model::may_move`], for hand
//!   edits and optimizers alike).
//! - Balance and Redraw never move a locked account or an account of a locked
//!   territory (property-tested); every territory Redraw draws holds an account;
//!   neither splits a territory (an account leaves only when its neighbours in the
//!   territory stay linked around it) nor adds a piece (an account joins only a
//!   territory it touches, or, as Balance's late stage, one that had accounts on its
//!   island in the starting plan; Redraw may start a territory on an island it has no
//!   accounts on yet). The same input and seed give the same proposal.
//!   A proposal is applied as one [`edit::Command::ApplyProposal`]: one undo step.
//!
//! ## Costs
//!
//! O(N) work, and why it is acceptable:
//! - loading a plan (reading, parsing, validation, duplicate ids, grid sort, metrics,
//!   prefix sums) and saving or exporting
//!   it: once per file, and split over every core (rayon);
//! - `stats`: it reads every account by definition, but keeps none of them;
//! - deleting a territory scans the owners for its accounts (rare, and a memory-speed
//!   scan);
//! - locking accounts keeps a count, not an index, so its cost is O(locked);
//! - the [`quality`] reports (compactness O(N), pieces O(N log N) for the Delaunay
//!   triangulation, k-means O(restarts × (N × k seeding + iterations × N × log k))) run on demand, from the
//!   command line, never per frame;
//! - Balance and Redraw ([`optimize`]): the adjacency O(N log N), each balance round
//!   O(N) to find the borders plus O(moved × degree × log) to move, Redraw's k-means
//!   O(iterations × sample × log K) plus a few O(N × log K) passes (each point's
//!   cheapest centre from a k-d tree, not all K); they run off the UI thread with
//!   a progress bar and Cancel, and the proposal's report is O(N).
//!
//! *Threads.* Parallel passes are `rayon`'s, so they use every core a machine has.
//! The command line and the editor's UI thread use the global pool; the editor's
//! workers (loading, saving, the areas, Balance and Redraw) run on a
//! pool of their own (`app::spawn_background`), so that a step of the UI thread never
//! waits in a queue behind a job of seconds. The dots are splatted on two scoped
//! threads of their own for the same reason. Below `PARALLEL_MIN`-sized pieces a
//! pass stays on one core. A worker gives the system back what it freed when it ends
//! (`app::release_freed_memory`, glibc's `malloc_trim`, the crate's one `unsafe` call),
//! and the areas' first computation between its steps: glibc keeps a thread's freed
//! memory otherwise, and the editor's peak at a million accounts was that much higher.
//!
//! Autosave costs an edit the copy of its command (its ranges, not the plan) and a
//! channel send on the UI thread; the journal's writer appends a line a step, at most
//! once a second. An undo past the journal's base (past a save) writes the plan beside
//! it once (O(N), rare).
//!
//! Nothing is quadratic in the number of territories (up to the ceiling of 10,000):
//! the optimizer's territory × territory and territory × island tables are sparse,
//! and its flows are a primal–dual min-cost flow (phases a distinct path cost, not a
//! path).
//!
//! Everything interactive grows with what is selected or in view instead: a lasso costs
//! O(outline cells + accounts near the outline) to select and O(selected) bytes scanned
//! plus O(runs) arithmetic to assign, undo or redo; a frame visits the grid rows in
//! view, and a steady frame over a million accounts reuses its textures. The measured
//! figures are in the README's Performance section.

pub mod app;
pub mod basemap;
pub mod cli;
pub mod compare;
pub mod edit;
pub mod export;
pub mod format;
pub mod generate;
pub mod grid;
pub mod io;
pub mod metrics;
pub mod model;
pub mod optimize;
pub mod quality;
pub mod recovery;
pub mod render;
pub mod rng;
pub mod shapes;
pub mod spatial;
pub mod update;

static PANIC_NEXT_WORKER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// For tests of the editor's error paths: the next work run through [`catch_panic`]
/// (a load, a save, Balance or Redraw on its worker thread) panics before it starts, as
/// a bug would. Process-wide: a test that uses it runs in a test binary of its own.
#[doc(hidden)]
pub fn panic_in_next_worker() {
    PANIC_NEXT_WORKER.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Runs `f`, turning a panic (a bug) into its message, so that a worker thread always
/// reports back: an error the user can read instead of a spinner that never ends.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let work = || {
        if PANIC_NEXT_WORKER.swap(false, std::sync::atomic::Ordering::SeqCst) {
            panic!("a panic injected by a test");
        }
        f()
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_owned());
        format!("internal error: {what} (please report it)")
    })
}

/// The fewest items one task of a parallel pass (rayon) is given: below about this
/// many memory-speed steps, sending work to another core costs more than it saves.
pub(crate) const PARALLEL_MIN: usize = 16_384;
