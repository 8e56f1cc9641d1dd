//! The optional OpenStreetMap raster layer: fetched with a descriptive User-Agent,
//! cached on disk, and harmless when there is no network (the vector basemap stays).
//!
//! walkers logs one warning per failed tile; [`install_logger`] counts those instead
//! of printing each, prints the first one once, and lets the UI show one "offline" mark.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use walkers::sources::{Attribution, TileSource};
use walkers::{HeaderValue, HttpOptions, HttpTiles, TileId};

/// The User-Agent sent with every tile request, as OpenStreetMap's tile policy asks.
pub const USER_AGENT: &str =
    concat!("territory-editor/", env!("CARGO_PKG_VERSION"), " (offline-first desktop sales-territory editor)");

/// OpenStreetMap's standard tile server.
pub const OSM_URL: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

static TILE_FAILURES: AtomicUsize = AtomicUsize::new(0);

/// How many tile fetches failed since start.
pub fn tile_failures() -> usize {
    TILE_FAILURES.load(Ordering::Relaxed)
}

/// A raster tile source given by a URL template with `{z}`, `{x}`, `{y}`.
pub struct UrlSource {
    pub template: String,
}

impl TileSource for UrlSource {
    fn tile_url(&self, tile_id: TileId) -> String {
        self.template
            .replace("{z}", &tile_id.zoom.to_string())
            .replace("{x}", &tile_id.x.to_string())
            .replace("{y}", &tile_id.y.to_string())
    }

    fn attribution(&self) -> Attribution {
        Attribution {
            text: "© OpenStreetMap contributors",
            url: "https://www.openstreetmap.org/copyright",
            logo_light: None,
            logo_dark: None,
        }
    }
}

/// Where tiles are cached: `$XDG_CACHE_HOME/territory-editor/tiles`, else
/// `~/.cache/territory-editor/tiles`, else the system's temporary directory.
pub fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("territory-editor").join("tiles")
}

/// Builds the online layer for `template`, caching in `cache`.
pub fn online_tiles(template: &str, cache: PathBuf, ctx: egui::Context) -> HttpTiles {
    let options = HttpOptions {
        cache: Some(cache),
        user_agent: Some(HeaderValue::from_static(USER_AGENT)),
        ..HttpOptions::default()
    };
    HttpTiles::with_options(UrlSource { template: template.to_owned() }, options, ctx)
}

/// Logs through env_logger, but counts walkers' per-tile warnings and prints only
/// the first.
struct TileAwareLogger {
    inner: env_logger::Logger,
}

impl log::Log for TileAwareLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        self.inner.enabled(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("walkers") && record.level() <= log::Level::Warn {
            if TILE_FAILURES.fetch_add(1, Ordering::Relaxed) == 0 {
                log::warn!(
                    "online map tiles are unavailable (offline?); the offline basemap stays. First error: {}",
                    record.args()
                );
            }
            return;
        }
        self.inner.log(record);
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

/// Installs the logger (once; later calls do nothing). `RUST_LOG` sets the level,
/// `warn` by default.
pub fn install_logger() {
    let inner = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).build();
    let level = inner.filter();
    if log::set_boxed_logger(Box::new(TileAwareLogger { inner })).is_ok() {
        log::set_max_level(level);
    }
}
