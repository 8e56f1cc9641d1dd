//! The Changes map mode: the accounts whose territory differs between a scenario (by
//! default the baseline) and the one on screen are drawn in their colour here and
//! emphasised, everything else faint. Which accounts differ is the comparison's rule
//! ([`crate::compare`]: accounts and territories matched by id), computed once per plan
//! revision.

use super::super::{Document, UiState};
use crate::compare::{Side, compare_sides};
use crate::model::AccountSet;

/// The accounts that differ from `state.changes_against` in the scenario on screen, or
/// `None` when the mode is off.
pub(in crate::app) fn changed_accounts<'a>(doc: &Document, state: &'a mut UiState) -> Option<&'a AccountSet> {
    let a = state.changes_against?;
    let ed = &doc.editor;
    let plan = ed.plan();
    if a >= plan.scenarios.len() {
        state.changes_against = None;
        return None;
    }
    let key = (ed.revision(), a, plan.current);
    if state.changes_cache.as_ref().is_none_or(|(k, _)| *k != key) {
        let ma = ed.scenario_metrics(a);
        let c = compare_sides(&Side::scenario(plan, a, &ma), &Side::of(plan, ed.metrics()));
        let set = AccountSet::from_indices(c.changes.iter().map(|ch| ch.b as u32).collect());
        state.changes_cache = Some((key, set));
    }
    state.changes_cache.as_ref().map(|(_, s)| s)
}
