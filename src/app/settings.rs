//! What the editor remembers between sessions: recent files, theme, online tiles, the view.

use super::*;

/// Preferences kept between runs (never the plan itself).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub dark: bool,
    pub online_tiles: bool,
    pub show_counties: bool,
    pub map: Option<MapMemory>,
    /// Show the CPU time of the last frame in the status bar.
    pub show_frame_time: bool,
    /// Territory areas on the map.
    pub areas: map::AreasSetting,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            dark: false,
            online_tiles: false,
            show_counties: true,
            map: None,
            show_frame_time: false,
            areas: map::AreasSetting::Auto,
        }
    }
}

impl Settings {
    /// Puts a file at the top of the recent list.
    pub fn remember(&mut self, path: &Path) {
        self.recent.retain(|p| p != path);
        self.recent.insert(0, path.to_owned());
        self.recent.truncate(10);
    }
}

pub(super) const SETTINGS_KEY: &str = "territory-editor-settings";
