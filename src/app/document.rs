//! The document: a plan, its editor, its file and the grid its accounts are sorted
//! into (selection, hover and click, drawing what is in view).

use super::*;

/// Starts `f` on a thread of its own whose parallel passes run on the background
/// pool (rayon), not on the global one: so the UI thread's own parallel steps (an
/// edit's travel legs) never wait in a queue behind a long job such as the areas, a
/// Redraw or a load. The operating system shares the cores between the two pools.
pub fn spawn_background<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> std::thread::JoinHandle<T> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool =
        POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().thread_name(|i| format!("background-{i}")).build().ok());
    std::thread::spawn(move || {
        let out = match pool {
            Some(pool) => pool.install(f),
            // No threads to be had: the job runs here, on the global pool.
            None => f(),
        };
        release_freed_memory();
        out
    })
}

/// Gives the operating system back the memory the allocator holds free. glibc keeps
/// what a thread freed in that thread's arena, and returns only the top of each heap:
/// after a load or the areas of a million accounts some 150 MB of freed memory stayed
/// resident, never used again. `malloc_trim(0)` returns the free pages of every arena;
/// it takes no pointers and locks each arena while it walks it (a few milliseconds,
/// here on a background thread). Elsewhere (musl, macOS, Windows) nothing to do.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed_memory() {
    // SAFETY: `malloc_trim` has no preconditions: it reads no memory of the caller's
    // and serialises itself with every other call into the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed_memory() {}

/// The Undo menu's name of an update of the accounts.
pub const UPDATE_LABEL: &str = "Update accounts";

/// A plan being edited: the editor, its grid, and where it came from.
pub struct Document {
    pub editor: Editor,
    /// The grid: exact lasso, rectangle and state or county selection as index ranges,
    /// the nearest account (hover, click), what is in view. (The editor keeps no R-tree:
    /// the grid answers all of it, and an R-tree of a million accounts took 28 MB and
    /// 0.3 s on a background thread.)
    pub grid: crate::grid::Grid,
    /// The `.ron` file it is saved to; `None` for the demo and for imported CSV.
    pub path: Option<PathBuf>,
    /// The window title's name.
    pub title: String,
    /// The accounts' adjacency for Balance and Redraw, computed by the first of them
    /// (positions never change within a document).
    pub adjacency: Option<Arc<crate::quality::Adjacency>>,
    /// The territory areas drawn on the map, made off the UI thread.
    pub areas: map::Areas,
    /// What the plan was opened from, with the fingerprint of its bytes: the base of
    /// the recovery journal. `None` for a plan made here (nothing to replay onto).
    pub origin: Option<crate::recovery::Base>,
    /// The size and modification time of `path` when it was opened or saved: a file
    /// changed since (someone else saved it) is not overwritten without asking.
    pub disk: Option<recover::DiskStamp>,
    /// The document before File ▸ Update accounts replaced it: what Undo brings back
    /// once the editor has nothing left to undo (an update changes the accounts
    /// themselves, which no change set describes).
    pub before: Option<Box<Document>>,
    /// The updated document after its update was undone: what Redo brings back.
    pub after: Option<Box<Document>>,
}

impl Document {
    /// Wraps a plan, sorting its accounts into grid order and building the indexes and
    /// metrics (O(N log N)).
    pub fn new(plan: Plan, path: Option<PathBuf>, title: String) -> Document {
        let (plan, grid) = crate::grid::sort_plan(plan);
        Document::with_grid(plan, grid, path, title)
    }

    /// Wraps a plan already in grid order with its grid (as
    /// [`csv_import::import_bytes_sorted`] gives them): the metrics on every core.
    pub fn with_grid(plan: Plan, grid: crate::grid::Grid, path: Option<PathBuf>, title: String) -> Document {
        let editor = Editor::with_positions(plan, grid.xs(), grid.ys());
        Document {
            editor,
            grid,
            path,
            title,
            adjacency: None,
            areas: map::Areas::default(),
            origin: None,
            disk: None,
            before: None,
            after: None,
        }
    }

    /// The document as it waits off screen for the undo or redo of an update of the
    /// accounts: without what its plan makes again when it returns (the areas and the
    /// accounts' triangulation, some 80 MB at a million accounts).
    pub fn set_aside(mut self) -> Box<Document> {
        self.areas = map::Areas::default();
        self.adjacency = None;
        Box::new(self)
    }

    /// What Undo would revert: the editor's last edit, or else an update of the accounts.
    pub fn undo_label(&self) -> Option<&str> {
        self.editor.undo_label().or(self.before.as_ref().map(|_| UPDATE_LABEL))
    }

    /// What Redo would repeat.
    pub fn redo_label(&self) -> Option<&str> {
        self.editor.redo_label().or(self.after.as_ref().map(|_| UPDATE_LABEL))
    }

    /// The bundled demo plan.
    pub fn demo() -> Document {
        match csv_import::import_bytes_sorted(DEMO_CSV, "demo_accounts_us.csv", &ImportOptions::default()) {
            Ok((plan, grid, _)) => {
                let mut doc = Document::with_grid(plan, grid, None, "Demo plan (US)".to_owned());
                let hash = crate::recovery::fingerprint(DEMO_CSV);
                doc.origin = Some(crate::recovery::Base { origin: crate::recovery::Origin::Demo, hash });
                doc
            }
            Err(e) => {
                log::error!("the bundled demo did not import: {e}");
                Document::new(Plan::default(), None, "Empty plan".to_owned())
            }
        }
    }
}
