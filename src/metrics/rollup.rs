//! Region roll-ups: a region's figures are the sums of the territories within it (its
//! subregions' too), and its deviation is against its share of its parent (of the whole
//! plan at the top): the parent's total × the region's capacity / the parent's. Computed
//! on demand from the territories' totals: O(territories × depth + regions), nothing
//! per account, so a lasso costs what it did.

use super::{Totals, deviation};
use crate::model::{Region, RegionIdx, Territory, TerritoryIdx, ancestors, live_slots, tree_order};

/// One region's roll-up.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionFigures {
    pub region: RegionIdx,
    /// 0 at the top.
    pub depth: usize,
    /// The sums over the territories within the region.
    pub totals: Totals,
    /// The sum of their capacities.
    pub capacity: f64,
    /// The territories within the region, subregions included, in slot order.
    pub territories: Vec<TerritoryIdx>,
    /// Against the region's share of its parent; `None` when that share is 0.
    pub workload_deviation: Option<f64>,
    pub potential_deviation: Option<f64>,
}

/// The roll-up of every live region, in tree order (parents first, siblings by name).
/// `totals` is per territory slot (a scenario's metrics).
pub fn region_rollup(territories: &[Territory], regions: &[Region], totals: &[Totals]) -> Vec<RegionFigures> {
    let order = tree_order(regions);
    let mut at: Vec<usize> = vec![usize::MAX; regions.len()];
    let mut out: Vec<RegionFigures> = order
        .iter()
        .enumerate()
        .map(|(k, &(region, depth))| {
            at[region.get()] = k;
            RegionFigures {
                region,
                depth,
                totals: Totals::default(),
                capacity: 0.0,
                territories: Vec::new(),
                workload_deviation: None,
                potential_deviation: None,
            }
        })
        .collect();
    // The whole plan: what the top level is measured against.
    let (mut all, mut all_capacity) = (Totals::default(), 0.0);
    for (t, tt) in live_slots(territories) {
        let tot = totals.get(t.get()).copied().unwrap_or_default();
        all.merge(&tot);
        all_capacity += tt.capacity;
        for r in ancestors(regions, tt.region) {
            if let Some(f) = out.get_mut(at[r.get()]) {
                f.totals.merge(&tot);
                f.capacity += tt.capacity;
                f.territories.push(t);
            }
        }
    }
    let share = |x: i64, parent_x: i64, cap: f64, parent_cap: f64| {
        let target = if parent_cap > 0.0 { parent_x as f64 * cap / parent_cap } else { 0.0 };
        deviation(x as f64, target)
    };
    for k in 0..out.len() {
        let parent =
            regions[out[k].region.get()].parent.and_then(|p| at.get(p.get()).copied()).filter(|&p| p != usize::MAX);
        let (pt, pc) = parent.map_or((all, all_capacity), |p| (out[p].totals, out[p].capacity));
        let f = &mut out[k];
        f.workload_deviation = share(f.totals.workload.0, pt.workload.0, f.capacity, pc);
        f.potential_deviation = share(f.totals.potential.0, pt.potential.0, f.capacity, pc);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cents, Minutes, ensure_path, palette_color};

    fn totals(workload: i64, potential: i64) -> Totals {
        Totals { accounts: 1, workload: Minutes(workload), potential: Cents(potential), ..Totals::default() }
    }

    /// East (Mid-Atlantic: 100 + 200, New England: 300) and West (400), a territory at
    /// the top (500), capacities 1 but one of 0.5: sums, capacities and deviations
    /// worked out by hand.
    #[test]
    fn regions_sum_their_territories_and_deviate_from_their_share() {
        let mut regions = Vec::new();
        let mid = ensure_path(&mut regions, "East/Mid-Atlantic").expect("path");
        let ne = ensure_path(&mut regions, "East/New England").expect("path");
        let west = ensure_path(&mut regions, "West").expect("path");
        let mut ts: Vec<Territory> = (0..5).map(|i| Territory::new(format!("t{i}"), "T", palette_color(i))).collect();
        for (t, r) in [(0, mid), (1, mid), (2, ne), (3, west)] {
            ts[t].region = Some(r);
        }
        ts[2].capacity = 0.5;
        let tot: Vec<Totals> = [100, 200, 300, 400, 500].map(|w| totals(w, 10 * w)).to_vec();
        let r = region_rollup(&ts, &regions, &tot);
        let names: Vec<&str> = r.iter().map(|f| regions[f.region.get()].name.as_str()).collect();
        assert_eq!(names, ["East", "Mid-Atlantic", "New England", "West"]);
        let east = &r[0];
        assert_eq!(east.totals.workload, Minutes(600));
        assert_eq!(east.capacity, 2.5);
        assert_eq!(east.territories, [0, 1, 2].map(TerritoryIdx::new));
        // The whole plan: 1500 over capacity 4.5; East's share 1500 × 2.5 / 4.5.
        let want = (600.0 - 1500.0 * 2.5 / 4.5) / (1500.0 * 2.5 / 4.5);
        assert!((east.workload_deviation.expect("some") - want).abs() < 1e-12);
        // Mid-Atlantic against East: 600 × 2 / 2.5 = 480; it holds 300.
        assert!((r[1].workload_deviation.expect("some") - (300.0 - 480.0) / 480.0).abs() < 1e-12);
        assert!((r[1].potential_deviation.expect("some") - (3000.0 - 4800.0) / 4800.0).abs() < 1e-12);
        assert_eq!(r[1].depth, 1);
        // West against the whole plan: 1500 / 4.5 = 333.3.
        assert!((r[3].workload_deviation.expect("some") - (400.0 - 1500.0 / 4.5) / (1500.0 / 4.5)).abs() < 1e-12);
    }
}
