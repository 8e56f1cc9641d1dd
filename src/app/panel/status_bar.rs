//! The status bar: what is selected, what is loading, hints.

use super::*;

impl TerritoryApp {
    pub(in crate::app) fn status_bar(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if self.settings.show_frame_time {
                ui.monospace(format!("{:5.1} ms", self.last_frame_ms));
                ui.separator();
            }
            if let Some(what) = self.busy().map(str::to_owned) {
                match self.busy_fraction() {
                    Some(f) => {
                        ui.add(egui::ProgressBar::new(f).desired_width(180.0).show_percentage());
                    }
                    None => {
                        ui.spinner();
                    }
                }
                ui.label(what);
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                if ui.button("Cancel").clicked() {
                    self.cancel_job();
                }
                ui.separator();
            }
            match &self.ui.notice {
                Some(n) if n.error => {
                    ui.colored_label(ui.visuals().error_fg_color, format!("⚠ {}", n.text));
                }
                Some(n) => {
                    ui.label(&n.text);
                }
                None => {
                    ui.label(self.ui.tool.tooltip());
                }
            }
        });
    }

    pub(super) fn selection_summary(&self) -> String {
        let s = &self.ui.selection;
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
}
