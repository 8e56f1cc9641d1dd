//! The last moves of Balance and Redraw: single best moves for the slivers outside the
//! band, and polish (border accounts to a nearer neighbouring centre, within the band).

use super::*;

/// Polish moves an account only when the other centre is nearer by 2 % of the squared
/// distance, so that accounts halfway between two centres do not swap back and forth.
const NEARER: f64 = 0.98;

impl<'a> State<'a> {
    /// The last slivers: for each territory outside its band (its target ± `tol`, for
    /// the mean per unit of capacity `mean`) on `dim`, the single best border account
    /// move (to or from a neighbour) that brings it closer without pushing the neighbour
    /// outside. Returns the number of moves.
    pub(super) fn fix_slivers(&mut self, dim: Dim, mean: f64, tol: f64) -> usize {
        let k = self.active.len();
        let band: Vec<(f64, f64)> = (0..k).map(|t| self.band(mean, tol, t)).collect();
        let centres: Vec<[f64; 3]> = (0..k).map(|t| self.centre(t)).collect();
        // Best (score, account, to) per territory that is outside.
        let mut best: Vec<Option<(Key, usize, TerritoryIdx)>> = vec![None; k];
        for v in 0..self.owner.len() {
            if v % 65_536 == 0 && self.cancelled() {
                return 0;
            }
            if !self.can_move(v) {
                continue;
            }
            let Some(a) = self.owner[v] else { continue };
            let x = self.weight(dim, v) as f64;
            let la = self.load(dim, a.get()) as f64;
            let s = self.adj.site_of(v);
            let near = std::iter::once(s as u32).chain(self.adj.neighbours(s).iter().copied());
            for n in near {
                for &u in self.adj.accounts_at(n as usize) {
                    let Some(b) = self.owner[u as usize].filter(|&b| b != a && self.active[b.get()]) else {
                        continue;
                    };
                    let lb = self.load(dim, b.get()) as f64;
                    let ((lo_a, hi_a), (lo_b, hi_b)) = (band[a.get()], band[b.get()]);
                    // Helps `a` (over) or `b` (under), and leaves the other inside.
                    let fix_a = la > hi_a && la - x >= lo_a && lb + x <= hi_b && (la - x - hi_a).abs() < la - hi_a + x;
                    let fix_b = lb < lo_b && lb + x <= hi_b && la - x >= lo_a && (lo_b - lb - x).abs() < lo_b - lb + x;
                    let who = if fix_a {
                        a
                    } else if fix_b {
                        b
                    } else {
                        continue;
                    };
                    let key = Key(
                        d2(&self.pos[v], &centres[b.get()]).sqrt() - d2(&self.pos[v], &centres[a.get()]).sqrt(),
                        mix(self.seed, v as u32),
                    );
                    let slot = &mut best[who.get()];
                    if slot.is_none_or(|(k0, _, _)| key < k0) && self.touches(v, b) && self.removable(v) {
                        *slot = Some((key, v, b));
                    }
                }
            }
        }
        let mut moved = 0;
        for (_, v, b) in best.into_iter().flatten() {
            let Some(a) = self.owner[v] else { continue };
            let x = self.weight(dim, v) as f64;
            let (la, lb) = (self.load(dim, a.get()) as f64, self.load(dim, b.get()) as f64);
            let (lo, hi) = (band[a.get()].0, band[b.get()].1);
            if la - x >= lo && lb + x <= hi && self.touches(v, b) && self.removable(v) && self.within_budget(v, b) {
                self.do_move(v, b);
                moved += 1;
            }
        }
        moved
    }

    /// Border accounts nearer another neighbouring centre move there while both stay
    /// within `tol` of their targets on the balanced figures (`dims`, each with its mean
    /// per unit of capacity). Returns the number moved.
    pub(super) fn polish(&mut self, dims: &[(Dim, f64)], tol: f64, only_back: bool) -> usize {
        let centres: Vec<[f64; 3]> = (0..self.active.len()).map(|t| self.centre(t)).collect();
        let mut moved = 0;
        for v in 0..self.owner.len() {
            if v % 65_536 == 0 && self.cancelled() {
                break;
            }
            if !self.can_move(v) {
                continue;
            }
            let Some(a) = self.owner[v] else { continue };
            let da = d2(&self.pos[v], &centres[a.get()]);
            let s = self.adj.site_of(v);
            let mut best: Option<(f64, TerritoryIdx)> = None;
            let near = std::iter::once(s as u32).chain(self.adj.neighbours(s).iter().copied());
            for n in near {
                for &u in self.adj.accounts_at(n as usize) {
                    let Some(b) = self.owner[u as usize] else { continue };
                    if b == a || !self.active[b.get()] || (only_back && Some(b) != self.original[v]) {
                        continue;
                    }
                    let db = d2(&self.pos[v], &centres[b.get()]);
                    if db < da * NEARER && best.is_none_or(|(x, bb)| db < x || (db == x && b < bb)) {
                        best = Some((db, b));
                    }
                }
            }
            let Some((_, b)) = best else { continue };
            let fits = dims.iter().all(|&(dim, m)| {
                let x = self.weight(dim, v) as f64;
                let (lo, hi) = (self.band(m, tol, a.get()).0, self.band(m, tol, b.get()).1);
                self.load(dim, a.get()) as f64 - x >= lo && self.load(dim, b.get()) as f64 + x <= hi
            });
            if fits && self.removable(v) && self.within_budget(v, b) {
                self.do_move(v, b);
                moved += 1;
            }
        }
        moved
    }
}
