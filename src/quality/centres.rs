//! The nearest, or the cheapest, of many centres for each of many points, without
//! trying every centre: plain k-means, and Redraw's balanced k-means, whose cost is
//! the chord distance plus a price per centre (an additively weighted diagram), at up
//! to the ceiling of 10,000 territories.
//!
//! `rstar` finds nearest neighbours by distance alone; a price per centre needs the
//! least price of each subtree as part of the bound, so this is a small k-d tree of
//! its own: median splits on the widest axis, each node with its bounding box and the
//! least price below it; a query goes depth first, nearer child first, and skips a
//! node whose box distance plus least price cannot beat the best cost found.

use super::d2;

/// Below this many centres, trying each one is faster than walking a tree.
const TREE_FROM: usize = 24;

/// Centres per leaf.
const LEAF: usize = 8;

/// A node's lower bound is shrunk by this factor, so that rounding can never make it
/// exceed the cost of a centre inside (a centre on the box's face).
const BOUND_SLACK: f64 = 1.0 - 1e-12;

#[derive(Debug, Clone)]
struct Node {
    lo: [f64; 3],
    hi: [f64; 3],
    /// The node's centres: `order[start..end]`.
    start: u32,
    end: u32,
    /// Children (none for a leaf).
    kids: Option<(u32, u32)>,
    /// The least price of the node's centres.
    floor: f64,
}

/// Centres (unit vectors, or means of unit vectors) in a k-d tree when there are many.
pub(crate) struct Centres<'a> {
    centres: &'a [[f64; 3]],
    order: Vec<u32>,
    nodes: Vec<Node>,
}

impl<'a> Centres<'a> {
    /// The tree of these centres at these prices (`price[j]`, 0 where `price` is
    /// shorter): O(K log K).
    pub(crate) fn new(centres: &'a [[f64; 3]], price: &[f64]) -> Centres<'a> {
        let mut c = Centres { centres, order: (0..centres.len() as u32).collect(), nodes: Vec::new() };
        if centres.len() >= TREE_FROM {
            c.split(0, centres.len());
            c.reprice(price);
        }
        c
    }

    /// Builds the node of `order[start..end]` and those below it; returns its index.
    fn split(&mut self, start: usize, end: usize) -> u32 {
        let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        for &j in &self.order[start..end] {
            let c = self.centres[j as usize];
            for d in 0..3 {
                lo[d] = lo[d].min(c[d]);
                hi[d] = hi[d].max(c[d]);
            }
        }
        let at = self.nodes.len();
        self.nodes.push(Node { lo, hi, start: start as u32, end: end as u32, kids: None, floor: 0.0 });
        if end - start > LEAF {
            let axis = (0..3).max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b]))).unwrap_or(0);
            let mid = start + (end - start) / 2;
            let centres = self.centres;
            self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
                centres[a as usize][axis].total_cmp(&centres[b as usize][axis]).then(a.cmp(&b))
            });
            let left = self.split(start, mid);
            let right = self.split(mid, end);
            self.nodes[at].kids = Some((left, right));
        }
        at as u32
    }

    /// Sets each node's least price from `price`: O(K). Prices that have only risen
    /// since leave the old floors valid (lower) bounds, so a caller whose prices only
    /// rise may call this as seldom as it likes.
    pub(crate) fn reprice(&mut self, price: &[f64]) {
        // Children come after their parent: fill from the last node back.
        for k in (0..self.nodes.len()).rev() {
            let floor = match self.nodes[k].kids {
                Some((a, b)) => self.nodes[a as usize].floor.min(self.nodes[b as usize].floor),
                None => {
                    let n = &self.nodes[k];
                    self.order[n.start as usize..n.end as usize]
                        .iter()
                        .map(|&j| price.get(j as usize).copied().unwrap_or(0.0))
                        .fold(f64::INFINITY, f64::min)
                }
            };
            self.nodes[k].floor = floor;
        }
    }

    /// The centre with the least chord distance to `p` plus its price (`price[j]`, 0
    /// where `price` is shorter), and that cost; the lowest index among equals; never
    /// `except`. Every price must be at least the one the tree was built or last
    /// repriced with (prices may only rise). `hint`, a centre likely to be cheap (the point's last one), only
    /// speeds the search up. (∞, `except` or 0) when there is no other centre.
    pub(crate) fn cheapest(&self, p: &[f64; 3], price: &[f64], hint: Option<u32>, except: Option<u32>) -> (f64, u32) {
        let cost = |j: u32| d2(p, &self.centres[j as usize]).sqrt() + price.get(j as usize).copied().unwrap_or(0.0);
        let mut best = (f64::INFINITY, except.unwrap_or(0));
        let consider = |j: u32, best: &mut (f64, u32)| {
            if Some(j) != except {
                let d = cost(j);
                if d < best.0 || (d == best.0 && j < best.1) {
                    *best = (d, j);
                }
            }
        };
        if self.nodes.is_empty() {
            for j in 0..self.centres.len() as u32 {
                consider(j, &mut best);
            }
            return best;
        }
        if let Some(h) = hint.filter(|&h| (h as usize) < self.centres.len()) {
            consider(h, &mut best);
        }
        let bound = |n: &Node| {
            let gap = |d: usize| (n.lo[d] - p[d]).max(p[d] - n.hi[d]).max(0.0);
            ((gap(0).powi(2) + gap(1).powi(2) + gap(2).powi(2)).sqrt() + n.floor) * BOUND_SLACK
        };
        let mut stack: Vec<u32> = Vec::with_capacity(64);
        stack.push(0);
        while let Some(k) = stack.pop() {
            let n = &self.nodes[k as usize];
            if bound(n) > best.0 {
                continue;
            }
            match n.kids {
                None => {
                    for &j in &self.order[n.start as usize..n.end as usize] {
                        consider(j, &mut best);
                    }
                }
                Some((a, b)) => {
                    // The nearer child last, so that it is searched first.
                    let (ba, bb) = (bound(&self.nodes[a as usize]), bound(&self.nodes[b as usize]));
                    if ba <= bb {
                        stack.extend([b, a]);
                    } else {
                        stack.extend([a, b]);
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The tree's answer equals trying every centre (the definition), with and without
    /// prices, with an excluded centre and a hint, for few centres and many, with
    /// repeated positions and prices (ties), and after prices rise.
    #[test]
    fn cheapest_equals_trying_every_centre() {
        let mut rng = Rng(42);
        for k in [1usize, 5, 23, 24, 300, 2000] {
            let mut centres: Vec<[f64; 3]> = (0..k).map(|_| [rng.u(), rng.u(), rng.u()]).collect();
            // Some centres at the same place.
            for j in (0..k).step_by(7).skip(1) {
                centres[j] = centres[j - 1];
            }
            let mut price: Vec<f64> = (0..k).map(|_| (rng.u() * 6.0).floor() * 0.05).collect();
            let mut index = Centres::new(&centres, &price);
            let unpriced = Centres::new(&centres, &[]);
            for round in 0..3 {
                if round > 0 {
                    for p in price.iter_mut() {
                        *p += (rng.u() * 3.0).floor() * 0.1;
                    }
                    if round == 2 {
                        index.reprice(&price);
                    }
                }
                for _ in 0..200 {
                    let p = [rng.u(), rng.u(), rng.u()];
                    let except = (rng.u() < 0.5).then(|| (rng.u() * k as f64) as u32 % k as u32);
                    let hint = (rng.u() < 0.5).then(|| (rng.u() * k as f64) as u32 % k as u32);
                    for (index, prices) in [(&index, &price[..]), (&unpriced, &[][..])] {
                        let mut want = (f64::INFINITY, except.unwrap_or(0));
                        for (j, c) in centres.iter().enumerate() {
                            let d = ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2) + (p[2] - c[2]).powi(2)).sqrt()
                                + prices.get(j).copied().unwrap_or(0.0);
                            if Some(j as u32) != except && d < want.0 {
                                want = (d, j as u32);
                            }
                        }
                        assert_eq!(index.cheapest(&p, prices, hint, except), want, "k {k} round {round}");
                    }
                }
            }
        }
    }
}
