//! The balance panel: the headline figures, the preview of a selection, and the table
//! of territories.

use super::*;
use crate::model::limits;

/// The capacities a territory's context menu offers, with what each usually means.
const CAPACITY_PRESETS: [(f64, &str); 5] =
    [(1.0, "full time"), (0.5, "part time"), (0.8, "new hire"), (1.2, "senior"), (1.5, "senior, large book")];

impl TerritoryApp {
    /// The balance panel: plan balance, selection and assignment, territories table.
    pub(in crate::app) fn balance_panel(&mut self, ui: &mut Ui) {
        let plan = self.doc.editor.plan();
        let m = self.doc.editor.metrics();
        let balance = self.doc.editor.balance();
        ui.add_space(6.0);
        ui.heading(&self.doc.title);
        ui.label(format!(
            "{} in {}{}",
            crate::format::count(plan.accounts.len() as i64, "account", "accounts"),
            crate::format::count(plan.live_territories().count() as i64, "territory", "territories"),
            if m.unassigned.accounts > 0 {
                format!(", {} unassigned", thousands(m.unassigned.accounts as i64))
            } else {
                String::new()
            }
        ));
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(format!("Workload balance: max ±{:.1}%", balance.workload.max_abs_deviation * 100.0))
                    .color(deviation_color(balance.workload.max_abs_deviation))
                    .strong(),
            )
            .on_hover_text(
                "The largest deviation of a territory's workload from its target: the mean, or with capacities \
                 its share (total × its capacity / the sum of capacities).",
            );
            ui.label(format!("CV {:.3}", balance.workload.cv)).on_hover_text(
                "Coefficient of variation: the root mean square of the territories' deviations from their targets \
                 (standard deviation / mean when every capacity is 1).",
            );
            ui.separator();
            ui.label(format!(
                "Potential: max ±{:.1}%  CV {:.3}",
                balance.potential.max_abs_deviation * 100.0,
                balance.potential.cv
            ));
        });
        ui.separator();
        // A Balance or Redraw proposal takes the panel's place until it is applied or
        // discarded, so that the map beside it shows what moves.
        if self.pending.is_some() {
            self.proposal_ui(ui);
            return;
        }

        // The selection and the Assign action.
        ui.label(RichText::new(selection_summary(&self.ui.selection)).strong());
        let has_sel = !self.ui.selection.is_empty();
        ui.horizontal(|ui| {
            let live: Vec<(TerritoryIdx, String, Rgb, bool)> =
                plan.live_territories().map(|(i, t)| (i, t.name.clone(), t.color, t.locked)).collect();
            ui.add_enabled_ui(has_sel, |ui| {
                ui.menu_button("Assign to ⏵", |ui| {
                    for (n, (i, name, c, locked)) in live.iter().enumerate() {
                        let key = if n < 10 { format!("{}", (n + 1) % 10) } else { String::new() };
                        let r = ui.add_enabled(!locked, egui::Button::new(RichText::new(format!("■ {name}")).color(rgb(*c, ui))).shortcut_text(key));
                        if r.hovered() {
                            self.ui.preview = Some(Some(*i));
                        }
                        if r.clicked() {
                            self.actions.push(Action::AssignSelection(Some(*i)));
                        }
                    }
                    ui.separator();
                    let r = ui.button("Unassigned");
                    if r.hovered() {
                        self.ui.preview = Some(None);
                    }
                    if r.clicked() {
                        self.actions.push(Action::AssignSelection(None));
                    }
                })
                .response
                .on_hover_text("Give the selected accounts to a territory. Keys 1–9 and 0 assign to the territory of that number; T finds one by name.");
                let find = ui
                    .add(egui::TextEdit::singleline(&mut self.ui.assign_find).hint_text("…or type a territory (T)").desired_width(170.0))
                    .on_hover_text("Type a territory's name, then Enter, to assign the selection to it (T)");
                if self.ui.focus_find {
                    find.request_focus();
                    self.ui.focus_find = false;
                }
                let q = self.ui.assign_find.trim().to_lowercase();
                if !q.is_empty() {
                    let starts = |n: &String| n.to_lowercase().starts_with(&q);
                    let contains = |n: &String| n.to_lowercase().contains(&q);
                    let hit = live
                        .iter()
                        .find(|(_, n, _, _)| starts(n))
                        .or_else(|| live.iter().find(|(_, n, _, _)| contains(n)));
                    match hit {
                        Some((i, name, c, _)) => {
                            self.ui.preview = Some(Some(*i));
                            ui.label(RichText::new(format!("⎆ {name}")).color(rgb(*c, ui)));
                            if find.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                                self.actions.push(Action::AssignSelection(Some(*i)));
                                self.ui.assign_find.clear();
                            }
                        }
                        None => {
                            ui.label("no match");
                        }
                    }
                }
                if ui.button("Clear").on_hover_text("Clear the selection (Esc)").clicked() {
                    self.actions.push(Action::ClearSelection);
                }
            });
        });
        ui.separator();
        self.territory_table(ui);
        ui.horizontal(|ui| {
            if ui.button("➕ New territory").clicked() {
                self.actions.push(Action::NewTerritory);
            }
            ui.label(RichText::new("Right-click a row to rename, recolour or delete.").weak());
        });
    }

    pub(super) fn territory_table(&mut self, ui: &mut Ui) {
        let plan = self.doc.editor.plan();
        let m = self.doc.editor.metrics();
        let preview = if self.ui.selection.is_empty() { None } else { self.ui.preview };
        let before = self.doc.editor.balance();
        // Totals after the previewed assignment, per live territory: O(territories).
        let live: Vec<TerritoryIdx> = plan.live_territories().map(|(i, _)| i).collect();
        let now: Vec<Totals> = live.iter().map(|i| m.territories[i.get()]).collect();
        let after: Option<Vec<Totals>> = preview
            .map(|target| live.iter().zip(&now).map(|(i, t)| self.ui.selection.preview(Some(*i), t, target)).collect());
        // Capacities, with the one being dragged at its dragged value.
        let mut draft = self.ui.capacity_draft;
        let capacity_of = |t: TerritoryIdx| match draft {
            Some((d, c)) if d == t => c,
            _ => plan.territories[t.get()].capacity,
        };
        let caps: Vec<f64> = live.iter().map(|&i| capacity_of(i)).collect();
        let before = if draft.is_some() { Balance::of_totals(now.iter().zip(caps.iter().copied())) } else { before };
        let after_balance = after.as_ref().map(|a| Balance::of_totals(a.iter().zip(caps.iter().copied())));
        let mut rows: Vec<usize> = (0..live.len()).collect();
        let key_of = |r: usize| -> f64 {
            let t = &now[r];
            match self.ui.sort.key {
                SortKey::Plan => r as f64,
                SortKey::Name => 0.0,
                SortKey::Accounts => t.accounts as f64,
                SortKey::Potential => t.potential.0 as f64,
                SortKey::Workload => t.workload.0 as f64,
                SortKey::Deviation => before.workload.deviation(t.workload.0 as f64, caps[r]).unwrap_or(0.0),
            }
        };
        if self.ui.sort.key == SortKey::Name {
            rows.sort_by(|&a, &b| {
                plan.territories[live[a].get()]
                    .name
                    .to_lowercase()
                    .cmp(&plan.territories[live[b].get()].name.to_lowercase())
            });
        } else {
            rows.sort_by(|&a, &b| key_of(a).total_cmp(&key_of(b)));
        }
        if self.ui.sort.descending {
            rows.reverse();
        }
        // Always one line here, so that the table does not move under the pointer.
        match preview {
            Some(target) => {
                ui.label(
                    RichText::new(format!("Preview: assigning the selection to {}", plan.territory_name(target)))
                        .italics()
                        .strong(),
                );
            }
            None if !self.ui.selection.is_empty() => {
                ui.label(RichText::new("Hover a territory to preview the move; its number key assigns.").weak());
            }
            None => {
                ui.label(RichText::new("Select accounts on the map to move them.").weak());
            }
        }

        let mut new_sort = None;
        let mut hovered_row = None;
        let mut clicked_row = None;
        let mut lock_toggle = None;
        let mut capacity_set: Option<(TerritoryIdx, f64)> = None;
        // What a row's context menu asked for.
        const RENAME: u8 = 0;
        const DELETE: u8 = 1;
        const HOME: u8 = 2;
        const CLEAR_HOME: u8 = 3;
        let mut context: Option<(TerritoryIdx, u8)> = None;
        let text_height = 24.0;
        let sort = self.ui.sort;
        TableBuilder::new(ui)
            .id_salt("territories")
            .striped(true)
            .sense(Sense::click())
            .cell_layout(egui::Layout::right_to_left(egui::Align::Center))
            .column(Column::exact(46.0))
            .column(Column::exact(44.0))
            .column(Column::auto().at_least(150.0).clip(true))
            .column(Column::exact(58.0))
            .column(Column::auto().at_least(80.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(90.0))
            // The last column takes what is left, so the table never runs past the panel.
            .column(Column::remainder().at_least(150.0))
            .min_scrolled_height(200.0)
            .header(26.0, |mut header| {
                let mut head = |ui: &mut Ui, label: &str, key: SortKey, tip: &str| {
                    let arrow = if sort.key == key { if sort.descending { " ⏷" } else { " ⏶" } } else { "" };
                    if ui.button(RichText::new(format!("{label}{arrow}")).strong()).on_hover_text(tip).clicked() {
                        new_sort = Some(Sort { key, descending: sort.key == key && !sort.descending });
                    }
                };
                header.col(|ui| {
                    head(ui, "#", SortKey::Plan, "Plan order; the number is the key that assigns the selection here")
                });
                header.col(|ui| {
                    ui.label(RichText::new("Lock").strong())
                        .on_hover_text("A locked territory neither gives nor receives accounts");
                });
                header.col(|ui| {
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        head(ui, "Territory", SortKey::Name, "Sort by name")
                    });
                });
                header.col(|ui| {
                    ui.label(RichText::new("Cap.").strong()).on_hover_text(
                        "Capacity: the share of a full book this territory's rep carries (1 full time, 0.5 part \
                         time, 1.2 a senior). Its target is the total × its capacity / the sum of capacities. \
                         Drag or type to change it.",
                    );
                });
                header.col(|ui| head(ui, "Accounts", SortKey::Accounts, "Number of accounts"));
                header.col(|ui| head(ui, "Potential", SortKey::Potential, "Sum of the accounts' potential"));
                header
                    .col(|ui| head(ui, "Workload h", SortKey::Workload, "Visit hours per year: visits × minutes / 60"));
                header.col(|ui| {
                    head(
                        ui,
                        "Workload vs target",
                        SortKey::Deviation,
                        "Deviation of workload from the territory's target (the mean, or its share by capacity): \
                         green within ±5%, amber ±15%, red beyond",
                    )
                });
            })
            .body(|mut body| {
                for &r in &rows {
                    let ti = live[r];
                    let t = &plan.territories[ti.get()];
                    let cur = &now[r];
                    let aft = after.as_ref().map(|a| &a[r]);
                    body.row(text_height, |mut row| {
                        row.set_selected(self.ui.highlighted == Some(ti));
                        row.col(|ui| {
                            if r < 10 {
                                ui.label(RichText::new(format!("{}", (r + 1) % 10)).monospace().weak());
                            }
                        });
                        row.col(|ui| {
                            let mut locked = t.locked;
                            if ui
                                .checkbox(&mut locked, "")
                                .on_hover_text("Lock: accounts neither leave nor join this territory")
                                .changed()
                            {
                                lock_toggle = Some((ti, locked));
                            }
                        });
                        row.col(|ui| {
                            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                                let (sw, _) = ui.allocate_exact_size(Vec2::new(14.0, 14.0), Sense::hover());
                                ui.painter().rect_filled(sw, 3.0, rgb(t.color, ui));
                                let name = RichText::new(&t.name).strong();
                                ui.add(egui::Label::new(name).selectable(false)).on_hover_text(
                                    t.rep.as_deref().map_or("No rep set".to_owned(), |r| format!("Rep: {r}")),
                                );
                            });
                        });
                        row.col(|ui| {
                            let mut c = caps[r];
                            let resp = ui
                                .add(
                                    egui::DragValue::new(&mut c)
                                        .range(limits::MIN_CAPACITY..=limits::MAX_CAPACITY)
                                        .speed(0.01)
                                        .max_decimals(2)
                                        // Typed values count on Enter, not keystroke by keystroke.
                                        .update_while_editing(false)
                                        .custom_formatter(|c, _| crate::format::capacity(c)),
                                )
                                .on_hover_text(format!(
                                    "Capacity: a target of {} h of workload. Drag, or click to type.",
                                    thousands((before.workload.target(caps[r]) / 60.0).round() as i64)
                                ));
                            if resp.changed() {
                                draft = Some((ti, c));
                            }
                            let done = resp.drag_stopped() || resp.lost_focus() || (resp.changed() && !resp.dragged());
                            if done && let Some((d, c)) = draft.filter(|(d, _)| *d == ti) {
                                capacity_set = Some((d, c));
                                draft = None;
                            }
                        });
                        let changed = |ui: &mut Ui, now: String, after: Option<String>| match after {
                            Some(a) if a != now => {
                                ui.label(RichText::new(a).strong().color(ui.visuals().hyperlink_color));
                            }
                            _ => {
                                ui.label(now);
                            }
                        };
                        row.col(|ui| {
                            changed(ui, thousands(cur.accounts as i64), aft.map(|a| thousands(a.accounts as i64)))
                        });
                        row.col(|ui| {
                            changed(ui, money_compact(cur.potential.0), aft.map(|a| money_compact(a.potential.0)))
                        });
                        row.col(|ui| {
                            changed(
                                ui,
                                thousands(cur.workload.hours().round() as i64),
                                aft.map(|a| thousands(a.workload.hours().round() as i64)),
                            )
                        });
                        row.col(|ui| {
                            let d_now = before.workload.deviation(cur.workload.0 as f64, caps[r]);
                            let (d, ghost) = match (aft, after_balance) {
                                (Some(a), Some(b)) => (b.workload.deviation(a.workload.0 as f64, caps[r]), d_now),
                                _ => (d_now, None),
                            };
                            // The same bar width in every row (whatever the figure's
                            // length), and never past the panel.
                            let bar = (ui.available_width() - 76.0).clamp(40.0, 110.0);
                            ui.allocate_ui_with_layout(
                                Vec2::new(70.0, 18.0),
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    ui.set_min_width(70.0);
                                    ui.label(
                                        RichText::new(percent(d))
                                            .monospace()
                                            .color(d.map_or(Color32::GRAY, deviation_color)),
                                    );
                                },
                            );
                            deviation_bar(ui, bar, d, ghost);
                        });
                        let resp = row.response();
                        if resp.hovered() {
                            hovered_row = Some(ti);
                        }
                        if resp.clicked() {
                            clicked_row = Some(ti);
                        }
                        resp.context_menu(|ui| {
                            if ui.button("Rename / set rep…").clicked() {
                                context = Some((ti, RENAME));
                            }
                            if ui.button("Delete…").clicked() {
                                context = Some((ti, DELETE));
                            }
                            if ui
                                .button("Set rep's home on the map…")
                                .on_hover_text(
                                    "Then click where the rep lives: Redraw can grow the territory around it",
                                )
                                .clicked()
                            {
                                context = Some((ti, HOME));
                            }
                            if t.rep_home.is_some() && ui.button("Clear rep's home").clicked() {
                                context = Some((ti, CLEAR_HOME));
                            }
                            ui.menu_button("Capacity ⏵", |ui| {
                                for (c, what) in CAPACITY_PRESETS {
                                    let text = format!("{} · {what}", crate::format::capacity(c));
                                    if ui.radio(t.capacity == c, text).clicked() {
                                        capacity_set = Some((ti, c));
                                        ui.close();
                                    }
                                }
                                ui.label(RichText::new("Any other value: drag or type in the Cap. column").weak());
                            });
                            ui.separator();
                            ui.label("Colour");
                            let mut c = t.color.0;
                            if ui.color_edit_button_srgb(&mut c).changed() {
                                context = None;
                                self.actions
                                    .push(Action::Edit(Command::RecolorTerritory { territory: ti, color: Rgb(c) }));
                            }
                        });
                    });
                }
            });
        if let Some(s) = new_sort {
            self.ui.sort = s;
        }
        if let Some(h) = hovered_row
            && !self.ui.selection.is_empty()
        {
            self.ui.preview_next = Some(Some(h));
        }
        if let Some(c) = clicked_row {
            self.ui.highlighted = if self.ui.highlighted == Some(c) { None } else { Some(c) };
        }
        self.ui.capacity_draft = draft;
        if let Some((t, capacity)) = capacity_set
            && capacity != self.doc.editor.plan().territories[t.get()].capacity
        {
            self.actions.push(Action::Edit(Command::SetCapacity { territory: t, capacity }));
        }
        if let Some((t, locked)) = lock_toggle {
            self.actions.push(Action::Edit(Command::LockTerritory { territory: t, locked }));
        }
        let mut note = None;
        match context {
            Some((t, RENAME)) => self.ui.dialog = Some(Dialog::rename(self.doc.editor.plan(), t)),
            Some((t, DELETE)) => self.ui.dialog = Some(Dialog::Delete { territory: t, to: None }),
            Some((t, HOME)) => {
                self.ui.placing_home = Some(t);
                let name = &self.doc.editor.plan().territories[t.get()].name;
                note = Some(format!("Click the home of {name}'s rep on the map (Esc cancels)"));
            }
            Some((t, CLEAR_HOME)) => self.actions.push(Action::Edit(Command::SetRepHome { territory: t, home: None })),
            _ => {}
        }
        let u = &m.unassigned;
        if u.accounts > 0 {
            ui.label(format!(
                "Unassigned: {} · potential {} · workload {} h",
                crate::format::count(u.accounts as i64, "account", "accounts"),
                money_compact(u.potential.0),
                thousands(u.workload.hours().round() as i64)
            ));
        }
        if let Some(note) = note {
            self.notify(note);
        }
    }
}
