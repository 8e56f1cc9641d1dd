//! Redraw's other first step, for many territories: recursive bisection of the accounts
//! into groups of equal weight (or weight in proportion to each group's share).
//!
//! Balanced k-means prices its centres until each holds its share; with thousands of
//! centres of a few accounts each, the prices chase each other over the whole plan and
//! the groups stay far apart (at 5,000 territories of 20 accounts, a tenth of the groups
//! ended below a third of the mean and one at 13 times it). Bisection is exact by
//! construction: split the accounts across the widest axis of their box where the
//! weight on each side matches the shares of the groups sent there, and again on each
//! side, until every side holds one group. Each group then holds its share to within
//! one account, in O(N log N log K); the groups are compact boxes rather than Voronoi
//! cells, so Redraw keeps whichever first step comes out nearer the targets.

/// Each point's group, `0..shares.len()`: points (unit vectors) cut recursively so
/// that each group's weight is the total × its share / the sum of shares, to within
/// one point's weight. Every group gets at least one point while there are as many
/// points as groups. Zero weights count as a tiny weight, so that a plan of zero
/// workloads is cut by count.
pub(super) fn bisect(pts: &[[f64; 3]], weight: &[f64], shares: &[f64]) -> Vec<u32> {
    let n = pts.len();
    let k = shares.len();
    let mut label = vec![0u32; n];
    if n == 0 || k == 0 {
        return label;
    }
    // A tiny weight for every point keeps cuts well defined where weights are zero.
    let tiny = weight.iter().copied().filter(|w| *w > 0.0).fold(f64::INFINITY, f64::min);
    let tiny = if tiny.is_finite() { tiny * 1e-6 } else { 1.0 };
    let w = |i: u32| weight[i as usize].max(0.0) + tiny;
    let share = |g: usize| shares[g].max(0.0) + 1e-12;
    let mut order: Vec<u32> = (0..n as u32).collect();
    // (points order[a..b], groups g0..g1)
    let mut stack = vec![(0usize, n, 0usize, k)];
    while let Some((a, b, g0, g1)) = stack.pop() {
        if g1 - g0 == 1 || b - a <= 1 {
            for &i in &order[a..b] {
                label[i as usize] = g0 as u32;
            }
            continue;
        }
        let gm = g0 + (g1 - g0) / 2;
        let left: f64 = (g0..gm).map(share).sum();
        let right: f64 = (gm..g1).map(share).sum();
        let part = &mut order[a..b];
        let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        for &i in part.iter() {
            for d in 0..3 {
                lo[d] = lo[d].min(pts[i as usize][d]);
                hi[d] = hi[d].max(pts[i as usize][d]);
            }
        }
        let axis = (0..3).max_by(|&x, &y| (hi[x] - lo[x]).total_cmp(&(hi[y] - lo[y]))).unwrap_or(0);
        part.sort_unstable_by(|&x, &y| pts[x as usize][axis].total_cmp(&pts[y as usize][axis]).then(x.cmp(&y)));
        let total: f64 = part.iter().map(|&i| w(i)).sum();
        let goal = total * left / (left + right);
        // The cut nearest the goal, each side keeping a point for each of its groups
        // where it can.
        let (min_cut, max_cut) = ((gm - g0).min(part.len()), part.len().saturating_sub(g1 - gm));
        let (mut cut, mut run) = (0, 0.0);
        while cut < part.len() && run + w(part[cut]) / 2.0 < goal {
            run += w(part[cut]);
            cut += 1;
        }
        let cut = if min_cut <= max_cut { cut.clamp(min_cut, max_cut) } else { cut };
        stack.push((a, a + cut, g0, gm));
        stack.push((a + cut, b, gm, g1));
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(lon: f64, lat: f64) -> [f64; 3] {
        let (lo, la) = (lon.to_radians(), lat.to_radians());
        [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
    }

    #[test]
    fn every_group_holds_its_share_within_one_account() {
        let mut rng = crate::rng::Rng(7);
        let n = 5_000;
        let pts: Vec<[f64; 3]> = (0..n).map(|_| unit(-120.0 + 50.0 * rng.u(), 30.0 + 15.0 * rng.u())).collect();
        let weight: Vec<f64> = (0..n).map(|_| (1.0 + 99.0 * rng.u()).round()).collect();
        let shares: Vec<f64> = (0..37).map(|g| if g % 5 == 0 { 0.5 } else { 1.0 }).collect();
        let label = bisect(&pts, &weight, &shares);
        let total: f64 = weight.iter().sum();
        let sum_shares: f64 = shares.iter().sum();
        let mut load = vec![0.0; shares.len()];
        for (l, w) in label.iter().zip(&weight) {
            load[*l as usize] += w;
        }
        // Each cut is off by at most half an account of 100 on each side, and a group
        // goes through at most log2(37) < 6 cuts.
        for (g, l) in load.iter().enumerate() {
            let want = total * shares[g] / sum_shares;
            assert!((l - want).abs() <= 6.0 * 100.0, "group {g}: {l} against {want}");
        }
    }

    #[test]
    fn more_groups_than_points_leaves_no_point_without_a_group() {
        let pts: Vec<[f64; 3]> = (0..5).map(|i| unit(i as f64, 0.0)).collect();
        let label = bisect(&pts, &[1.0; 5], &[1.0; 8]);
        assert!(label.iter().all(|&l| l < 8));
        let mut used: Vec<u32> = label.clone();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), 5, "five points, five groups: {label:?}");
    }
}
