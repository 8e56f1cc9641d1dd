//! Redraw's first step: balanced k-means, an additively weighted Voronoi diagram whose
//! prices only rise until every centre holds its share.

use super::*;
use rayon::prelude::*;

/// A centre holding more than this share above the mean weight raises its price: half a
/// percent, well inside any tolerance Balance then works to, so that pricing does the
/// bulk and Balance only the last whole accounts.
const OVER: f64 = 0.005;

/// The least raise, relative to the mean distance from a point to its centre: what
/// keeps two crowded centres from trading points back and forth by ever smaller raises
/// (as an auction's ε does).
const MIN_RAISE: f64 = 1e-4;

/// What each centre of [`balanced_kmeans`] is held to.
pub(super) struct CentreRules {
    /// Centres that stay put (a rep's home).
    pub(super) fixed: Vec<bool>,
    /// Each centre's share of the weight, relative to the others: its territory's
    /// capacity (all 1.0: equal shares).
    pub(super) share: Vec<f64>,
}

impl CentreRules {
    /// `k` centres, none fixed, equal shares.
    pub(super) fn equal(k: usize) -> CentreRules {
        CentreRules { fixed: vec![false; k], share: vec![1.0; k] }
    }

    fn fixed(&self, c: usize) -> bool {
        self.fixed.get(c).copied().unwrap_or(false)
    }
}

/// Balanced k-means: alternately assigns each point to the centre with the least
/// distance plus that centre's price (an additively weighted Voronoi diagram) with the
/// prices set so that every centre's weight is within half a percent of its share where
/// points allow ([`rebalance`]), and moves each centre to its points' mean. `outer`
/// such rounds, then a last assignment for the final centres, where a centre left
/// without a point takes the nearest one ([`give_empty_a_point`]). The prices carry over
/// between calls (the sample's prices start the run on all accounts).
pub(super) fn balanced_kmeans(
    pts: &[[f64; 3]],
    weight: &[f64],
    centres: &mut [[f64; 3]],
    prices: &mut Vec<f64>,
    (outer, passes): (usize, usize),
    rules: &CentreRules,
    progress: Option<&Progress>,
) -> Result<Vec<u32>, OptimizeError> {
    let k = centres.len();
    let n = pts.len();
    let mut label = vec![0u32; n];
    let mut cost = vec![0.0f64; n];
    let assign = |label: &mut [u32], cost: &mut [f64], centres: &[[f64; 3]], price: &[f64]| {
        let index = quality::Centres::new(centres, price);
        label
            .par_iter_mut()
            .zip(cost.par_iter_mut())
            .zip(pts)
            .with_min_len(crate::PARALLEL_MIN / 4)
            .for_each(|((l, c), p)| (*c, *l) = index.cheapest(p, price, Some(*l), None));
    };
    if prices.len() != k {
        *prices = vec![0.0; k];
    }
    for round in 0..=outer {
        if progress.is_some_and(Progress::is_cancelled) {
            return Err(OptimizeError::Cancelled);
        }
        assign(&mut label, &mut cost, centres, prices);
        // Early rounds only start the prices: the centres still move a lot.
        let passes = if round + 3 > outer { passes } else { passes / 4 };
        rebalance(pts, weight, (centres, &rules.share), prices, &mut label, &mut cost, passes, progress);
        if round == outer {
            give_empty_a_point(pts, centres, &mut label, rules);
            break;
        }
        let mut sum = vec![[0.0; 3]; k];
        let mut count = vec![0usize; k];
        for (&l, p) in label.iter().zip(pts) {
            for d in 0..3 {
                sum[l as usize][d] += p[d];
            }
            count[l as usize] += 1;
        }
        for c in 0..k {
            let s = sum[c];
            let norm = (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).sqrt();
            if count[c] > 0 && norm > 0.0 && !rules.fixed(c) {
                centres[c] = [s[0] / norm, s[1] / norm, s[2] / norm];
            }
        }
    }
    Ok(label)
}

/// Gives every centre that still holds no point the point nearest to it among those
/// whose centre holds more than one, so that every group becomes a territory with a
/// border that Balance's flows can grow (an empty territory has none).
fn give_empty_a_point(pts: &[[f64; 3]], centres: &[[f64; 3]], label: &mut [u32], rules: &CentreRules) {
    let k = centres.len();
    let mut count = vec![0usize; k];
    for &l in label.iter() {
        count[l as usize] += 1;
    }
    for c in 0..k {
        if count[c] > 0 || rules.fixed(c) {
            continue;
        }
        let nearest = (0..pts.len())
            .filter(|&i| count[label[i] as usize] > 1)
            .min_by(|&a, &b| chord(&pts[a], &centres[c]).total_cmp(&chord(&pts[b], &centres[c])).then(a.cmp(&b)));
        if let Some(i) = nearest {
            count[label[i] as usize] -= 1;
            label[i] = c as u32;
            count[c] = 1;
        }
    }
}

/// Raises the prices of a weighted diagram until no centre holds more than half a percent
/// above its share of the weight (the total × its share / the sum of shares): a pass takes the centres over their share, the most over
/// first, and raises each one's price by exactly what sheds its excess to its points'
/// next-best centres (the points that switch are those whose margin is within the
/// raise, so every point stays at its cheapest centre). Prices only rise: lowering the
/// price of an under-filled centre as well makes two under-filled neighbours trade the
/// same points back and forth. At most `passes` passes; what little deficit is left,
/// Balance's flows fill. `label` and `cost` (each point's centre and its cost there)
/// are kept up to date.
#[allow(clippy::too_many_arguments)]
pub(super) fn rebalance(
    pts: &[[f64; 3]],
    weight: &[f64],
    (centres, share): (&[[f64; 3]], &[f64]),
    price: &mut [f64],
    label: &mut [u32],
    cost: &mut [f64],
    passes: usize,
    progress: Option<&Progress>,
) {
    let k = centres.len();
    let n = pts.len();
    let total: f64 = weight.iter().sum();
    let shares: f64 = (0..k).map(|c| share.get(c).copied().unwrap_or(1.0)).sum();
    if k < 2 || n == 0 || total <= 0.0 || shares <= 0.0 {
        return;
    }
    let target: Vec<f64> = (0..k).map(|c| total * share.get(c).copied().unwrap_or(1.0) / shares).collect();
    let over: Vec<f64> = target.iter().map(|t| t * (1.0 + OVER)).collect();
    let mean_weight = total / n as f64;
    let mut load = vec![0.0; k];
    for (&l, &w) in label.iter().zip(weight) {
        load[l as usize] += w;
    }
    // The least raise: what keeps two crowded centres from trading points back and
    // forth by ever smaller raises (as an auction's ε does).
    let spread = pts.iter().zip(label.iter()).map(|(p, &l)| chord(p, &centres[l as usize])).sum::<f64>() / n as f64;
    let min_raise = spread * MIN_RAISE;
    // The centres stay put here, and prices only rise: the tree's floors, refreshed
    // once a pass, stay valid bounds between refreshes.
    let mut index = quality::Centres::new(centres, price);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); k];
    // (margin, point, centre it goes to)
    let mut cand: Vec<(f64, u32, u32)> = Vec::new();
    let by = |a: &(f64, u32, u32), b: &(f64, u32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    for pass in 0..passes {
        if progress.is_some_and(Progress::is_cancelled) {
            return;
        }
        if pass > 0 {
            index.reprice(price);
        }
        let mut order: Vec<usize> = (0..k).filter(|&c| load[c] > over[c]).collect();
        if order.is_empty() {
            return;
        }
        order.sort_by(|&a, &b| (load[b] / target[b]).total_cmp(&(load[a] / target[a])).then(a.cmp(&b)));
        members.iter_mut().for_each(Vec::clear);
        for (i, &l) in label.iter().enumerate() {
            members[l as usize].push(i as u32);
        }
        for c in order {
            if load[c] <= over[c] || progress.is_some_and(Progress::is_cancelled) {
                continue;
            }
            let need = load[c] - target[c];
            let cu = c as u32;
            cand.clear();
            for &i in &members[c] {
                let i = i as usize;
                if label[i] != cu {
                    continue;
                }
                let best = index.cheapest(&pts[i], price, None, Some(cu));
                cand.push((best.0 - cost[i], i as u32, best.1));
            }
            // The raise: the margin at which the points cheapest to shed cover the
            // excess (found among the smallest margins, sorted).
            let guess = ((need / mean_weight.max(1e-9)) * 2.0 + 32.0) as usize;
            let mut sorted = cand.len();
            if guess < cand.len() {
                cand.select_nth_unstable_by(guess, by);
                let covered: f64 = cand[..guess].iter().map(|&(_, i, _)| weight[i as usize]).sum();
                if covered >= need {
                    sorted = guess;
                }
            }
            cand[..sorted].sort_unstable_by(by);
            let mut got = 0.0;
            let mut step = None;
            for &(m, i, _) in &cand[..sorted] {
                if got >= need {
                    break;
                }
                got += weight[i as usize];
                step = Some(m);
            }
            let Some(step) = step.filter(|s| s.is_finite()) else { continue };
            let step = step.max(min_raise);
            price[c] += step;
            // Every point whose margin the raise covers goes, so that each stays at its
            // cheapest centre.
            for &(m, i, to) in &cand {
                if m > step {
                    continue;
                }
                let i = i as usize;
                load[c] -= weight[i];
                load[to as usize] += weight[i];
                label[i] = to;
                cost[i] = chord(&pts[i], &centres[to as usize]) + price[to as usize];
                members[to as usize].push(i as u32);
            }
            for &i in &members[c] {
                if label[i as usize] == cu {
                    cost[i as usize] += step;
                }
            }
        }
    }
}
