//! The current selection and its sums, which drive the live preview.

use crate::metrics::Totals;
use crate::model::{Plan, TerritoryIdx};

/// How a new shape combines with the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    Replace,
    /// Shift held.
    Add,
    /// Ctrl held.
    Subtract,
}

/// Selected accounts (sorted, unique) and their sums, refreshed when the plan changes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    accounts: Vec<u32>,
    /// Sums of all selected accounts.
    pub total: Totals,
    /// Sums of the selected accounts that may move, by territory slot.
    pub movable_by_slot: Vec<Totals>,
    /// Sums of the selected unassigned accounts (they may always move unless locked).
    pub movable_unassigned: Totals,
    /// Selected accounts that cannot move (locked, or in a locked territory).
    pub locked: u64,
    /// The plan generation the sums were computed for.
    generation: u64,
}

/// Sorted-set union.
fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Sorted-set difference a − b.
fn difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if j >= b.len() || b[j] != x {
            out.push(x);
        }
    }
    out
}

impl Selection {
    /// The selected account indices, sorted.
    pub fn accounts(&self) -> &[u32] {
        &self.accounts
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Combines a shape's accounts (sorted) with the selection.
    pub fn combine(&mut self, found: Vec<u32>, how: Combine, plan: &Plan, generation: u64) {
        self.accounts = match how {
            Combine::Replace => found,
            Combine::Add => union(&self.accounts, &found),
            Combine::Subtract => difference(&self.accounts, &found),
        };
        self.refresh(plan, generation);
    }

    /// Empties the selection.
    pub fn clear(&mut self) {
        *self = Selection { generation: self.generation, ..Selection::default() };
    }

    /// Recomputes the sums if the plan changed since: O(selected).
    pub fn refresh_if_stale(&mut self, plan: &Plan, generation: u64) {
        if generation != self.generation {
            self.refresh(plan, generation);
        }
    }

    fn refresh(&mut self, plan: &Plan, generation: u64) {
        self.generation = generation;
        self.total = Totals::default();
        self.movable_by_slot = vec![Totals::default(); plan.territories.len()];
        self.movable_unassigned = Totals::default();
        self.locked = 0;
        for &i in &self.accounts {
            let a = &plan.accounts[i as usize];
            self.total.add(a);
            if !plan.is_movable(crate::model::AccountIdx(i)) {
                self.locked += 1;
                continue;
            }
            match plan.assignment[i as usize] {
                Some(t) => self.movable_by_slot[t.get()].add(a),
                None => self.movable_unassigned.add(a),
            }
        }
    }

    /// What the selection would take from `slot` if it went elsewhere.
    pub fn leaving(&self, slot: Option<TerritoryIdx>) -> Totals {
        match slot {
            Some(t) => self.movable_by_slot.get(t.get()).copied().unwrap_or_default(),
            None => self.movable_unassigned,
        }
    }

    /// The totals of `slot` after assigning the selection to `target`, from its
    /// totals now: O(territories).
    pub fn preview(&self, slot: Option<TerritoryIdx>, now: &Totals, target: Option<TerritoryIdx>) -> Totals {
        let mut after = *now;
        if slot == target {
            for (i, t) in self.movable_by_slot.iter().enumerate() {
                if Some(TerritoryIdx(i as u32)) != target {
                    after.merge(t);
                }
            }
            if target.is_some() {
                after.merge(&self.movable_unassigned);
            }
        } else {
            after.subtract(&self.leaving(slot));
        }
        after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        assert_eq!(union(&[1, 3, 5], &[2, 3, 6]), vec![1, 2, 3, 5, 6]);
        assert_eq!(difference(&[1, 3, 5], &[3, 4]), vec![1, 5]);
        assert_eq!(difference(&[1, 3, 5], &[]), vec![1, 3, 5]);
    }
}
