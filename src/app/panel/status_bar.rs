//! The status bar: what is selected, what is loading, hints.

use super::*;

/// The work in flight, as the status bar shows it: what, and the share done if known.
pub(in crate::app) struct Busy {
    pub what: String,
    pub fraction: Option<f32>,
    /// What its Cancel button does, when it has one (a job, an export; not a plan's
    /// save, which runs to its end).
    pub cancel: Option<Action>,
}

/// Reads the UI state and pushes Cancel as an action; `areas_working` while the territory
/// areas have been computing for a while, `frame_ms` when the frame time is shown.
pub(in crate::app) fn status_bar(
    ui: &mut Ui,
    state: &UiState,
    (busy, areas_working): (Option<Busy>, bool),
    frame_ms: Option<f64>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        if let Some(ms) = frame_ms {
            ui.monospace(format!("{ms:5.1} ms"));
            ui.separator();
        }
        if let Some(Busy { what, fraction, cancel }) = busy {
            match fraction {
                Some(f) => {
                    ui.add(egui::ProgressBar::new(f).desired_width(180.0).show_percentage());
                }
                None => {
                    ui.spinner();
                }
            }
            ui.label(what);
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
            if let Some(cancel) = cancel
                && ui.button("Cancel").clicked()
            {
                actions.push(cancel);
            }
            ui.separator();
        }
        match &state.notice {
            Some(n) if n.error => {
                ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {}", n.text));
            }
            Some(n) => {
                ui.label(&n.text);
            }
            None => {
                ui.label(state.tool.tooltip());
            }
        }
        if areas_working {
            // At the right end: it needs no action, and the map works meanwhile. Still (no
            // spinner): a spinner repaints every frame, and the frames of a million dots
            // would take the cores the areas are computed on; the worker asks for the
            // frame that clears it.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new("⏳ Drawing territory areas…").weak()).on_hover_text(
                    "The areas follow the accounts on a background thread; the map and the table work meanwhile.",
                );
            });
        }
    });
}

/// "Selected: 1,234 accounts · potential … · workload … h", or "Nothing selected".
pub(in crate::app) fn selection_summary(s: &crate::app::selection::Selection) -> String {
    if s.is_empty() {
        return "Nothing selected".to_owned();
    }
    let mut text = format!(
        "Selected: {} · potential {} · workload {} h",
        crate::format::count(s.summary.total.accounts as i64, "account", "accounts"),
        money_compact(s.summary.total.potential.0),
        thousands(s.summary.total.workload.hours().round() as i64)
    );
    if s.summary.locked > 0 {
        text += &format!(" · {} locked", thousands(s.summary.locked as i64));
    }
    text
}
