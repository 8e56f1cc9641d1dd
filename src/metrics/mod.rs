//! Per-territory totals, kept up to date edit by edit, and the balance figures
//! derived from them.
//!
//! Totals are integers (cents, minutes, counts, and Web Mercator metres for the
//! centre), so [`Metrics::move_totals`] applied edit by edit gives exactly what
//! [`Metrics::recompute`] gives from scratch. Deviations and the coefficient of
//! variation are derived on demand in O(territories), and so are the regions' roll-ups
//! (`rollup.rs`).

use crate::model::{AccountRef, Accounts, Cents, Minutes, Plan, RegionIdx, TerritoryIdx};
use crate::spatial::to_mercator;
use rayon::prelude::*;

/// The fewest accounts one task of the prefix sums takes: below, a plan is summed in
/// one pass on one core.
const PREFIX_CHUNK: usize = 100_000;

mod rollup;

pub use rollup::{RegionFigures, region_rollup};

/// A Web Mercator coordinate rounded to whole metres, half away from zero
/// ([`crate::model::round_to_i64`]).
#[inline]
pub fn metres(x: f64) -> i64 {
    crate::model::round_to_i64(x)
}

/// x² + y² of a Web Mercator position rounded to metres, as [`Totals::sum_x`] and
/// `sum_y` round it (at most 8 × 10¹⁴ m², so that `i128` sums never wrap): what
/// [`Totals::spread_km`] is kept from, exactly.
#[inline]
pub fn square(x: f64, y: f64) -> i128 {
    let (mx, my) = (i128::from(metres(x)), i128::from(metres(y)));
    mx * mx + my * my
}

/// The sums over a set of accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub accounts: u64,
    pub potential: Cents,
    pub annual_revenue: Cents,
    pub workload: Minutes,
    /// Sum of the accounts' Web Mercator x, rounded to metres (for the centre).
    pub sum_x: i64,
    /// Sum of the accounts' Web Mercator y, rounded to metres.
    pub sum_y: i64,
    /// Sum of their x² + y² in square metres ([`square`]), for the spread.
    pub sum_sq: i128,
}

impl Totals {
    /// Adds one account.
    pub fn add(&mut self, a: AccountRef<'_>) {
        let (x, y) = to_mercator(a.lon, a.lat);
        self.accounts += 1;
        self.potential.0 += a.potential.0;
        self.annual_revenue.0 += a.annual_revenue.0;
        self.workload.0 += a.workload().0;
        self.sum_x += metres(x);
        self.sum_y += metres(y);
        self.sum_sq += square(x, y);
    }

    /// The totals of account `i` alone, read from the columns.
    #[inline]
    pub fn one(accounts: &Accounts, i: usize) -> Totals {
        let (x, y) = to_mercator(accounts.lon()[i], accounts.lat()[i]);
        Totals {
            accounts: 1,
            potential: accounts.potential()[i],
            annual_revenue: accounts.annual_revenue()[i],
            workload: accounts.workload(i),
            sum_x: metres(x),
            sum_y: metres(y),
            sum_sq: square(x, y),
        }
    }

    /// Removes one account that was added before.
    pub fn remove(&mut self, a: AccountRef<'_>) {
        let (x, y) = to_mercator(a.lon, a.lat);
        self.accounts -= 1;
        self.potential.0 -= a.potential.0;
        self.annual_revenue.0 -= a.annual_revenue.0;
        self.workload.0 -= a.workload().0;
        self.sum_x -= metres(x);
        self.sum_y -= metres(y);
        self.sum_sq -= square(x, y);
    }

    /// Adds other totals.
    pub fn merge(&mut self, o: &Totals) {
        self.accounts += o.accounts;
        self.potential.0 += o.potential.0;
        self.annual_revenue.0 += o.annual_revenue.0;
        self.workload.0 += o.workload.0;
        self.sum_x += o.sum_x;
        self.sum_y += o.sum_y;
        self.sum_sq += o.sum_sq;
    }

    /// Subtracts totals that are part of these.
    pub fn subtract(&mut self, o: &Totals) {
        self.accounts -= o.accounts;
        self.potential.0 -= o.potential.0;
        self.annual_revenue.0 -= o.annual_revenue.0;
        self.workload.0 -= o.workload.0;
        self.sum_x -= o.sum_x;
        self.sum_y -= o.sum_y;
        self.sum_sq -= o.sum_sq;
    }

    /// Totals of `accounts` accounts from sums of potential, annual revenue,
    /// workload, x and y (as [`PrefixSums`] keeps them).
    #[inline]
    fn from_sums(accounts: u64, [potential, revenue, workload, sum_x, sum_y]: [i64; 5], sum_sq: i128) -> Totals {
        Totals {
            accounts,
            potential: Cents(potential),
            annual_revenue: Cents(revenue),
            workload: Minutes(workload),
            sum_x,
            sum_y,
            sum_sq,
        }
    }

    /// The spread: the root-mean-square distance of the accounts to their centre (their
    /// mean position), in km on the ground (Web Mercator's scale at the centre's
    /// latitude taken out); `None` without accounts. Kept from running sums, so it is
    /// exact to the sums and O(1) to update; a different figure from `quality`'s
    /// compactness (the mean great-circle distance).
    pub fn spread_km(&self) -> Option<f64> {
        let (cx, cy) = self.center_mercator()?;
        // n² × the variance, in integers (no cancellation): n Σ(x² + y²) − (Σx)² − (Σy)².
        let n = i128::from(self.accounts as i64);
        let (sx, sy) = (i128::from(self.sum_x), i128::from(self.sum_y));
        let scaled = (n * self.sum_sq - sx * sx - sy * sy).max(0) as f64;
        let lat = crate::spatial::from_mercator(cx, cy).1;
        Some(scaled.sqrt() / n as f64 * lat.to_radians().cos() / 1000.0)
    }

    /// The mean position as (lon, lat), if there is any account.
    pub fn center_lon_lat(&self) -> Option<(f64, f64)> {
        self.center_mercator().map(|(x, y)| crate::spatial::from_mercator(x, y))
    }

    /// The mean Web Mercator position, if there is any account.
    pub fn center_mercator(&self) -> Option<(f64, f64)> {
        (self.accounts > 0).then(|| {
            let n = self.accounts as f64;
            (self.sum_x as f64 / n, self.sum_y as f64 / n)
        })
    }
}

/// Accounts per block of [`PrefixSums`]: running totals are kept at block boundaries
/// only, and each end of a range adds at most `BLOCK − 1` accounts from the columns.
/// At 16, the sums take 3.5 bytes an account beside the 8 of its rounded position,
/// where a running total at every account took 56 (56 MB at a million accounts).
const BLOCK: usize = 16;

/// Running totals over the accounts in plan order, so that the totals of any range of
/// accounts cost O(1): what lets a reassignment of k accounts cost O(runs), not O(k)
/// metric updates. At every 16th account (`BLOCK`) it holds the potential, annual
/// revenue, workload and the sums of x and y of the accounts before it (the count is
/// the index itself), and beside them the sum of x² + y² (`i128`); a range adds the
/// accounts between its ends and the nearest boundaries inside it from the columns
/// and from each account's position rounded to metres, kept here.
#[derive(Debug, Clone, Default)]
pub struct PrefixSums {
    /// `blocks[b]`: the totals of accounts `0..b × BLOCK`.
    blocks: Vec<[i64; 5]>,
    block_squares: Vec<i128>,
    /// Each account's Web Mercator position in whole metres ([`metres`]; within ±2.1 ×
    /// 10⁷, so `i32`).
    xy: Vec<[i32; 2]>,
}

impl PrefixSums {
    /// The running totals and the per-territory metrics of a plan in one pass (each
    /// account's position is projected once): what the editor needs when it opens.
    pub fn with_metrics(plan: &Plan) -> (PrefixSums, Metrics) {
        let (xs, ys): (Vec<f64>, Vec<f64>) = plan.accounts.positions().map(|(lon, lat)| to_mercator(lon, lat)).unzip();
        PrefixSums::with_metrics_at(plan, &xs, &ys)
    }

    /// [`PrefixSums::with_metrics`] with the accounts' Web Mercator positions known
    /// (the grid has them), on every core for large plans: the blocks' totals and the
    /// metrics in parallel, then the running totals over the blocks.
    pub fn with_metrics_at(plan: &Plan, xs: &[f64], ys: &[f64]) -> (PrefixSums, Metrics) {
        let n = plan.accounts.len().min(plan.assignment.len()).min(xs.len()).min(ys.len());
        let slots = plan.territories.len();
        let acc = &plan.accounts;
        let to_i32 = |m: i64| m.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
        let xy: Vec<[i32; 2]> = (0..n)
            .into_par_iter()
            .with_min_len(PREFIX_CHUNK)
            .map(|i| [to_i32(metres(xs[i])), to_i32(metres(ys[i]))])
            .collect();
        let mut p = PrefixSums { blocks: Vec::new(), block_squares: Vec::new(), xy };
        let totals: Vec<([i64; 5], i128)> = (0..n / BLOCK)
            .into_par_iter()
            .with_min_len(PREFIX_CHUNK / BLOCK)
            .map(|b| p.sum(acc, b * BLOCK, (b + 1) * BLOCK))
            .collect();
        let (mut run, mut run_sq) = ([0i64; 5], 0i128);
        let (mut blocks, mut block_squares) =
            (Vec::with_capacity(totals.len() + 1), Vec::with_capacity(totals.len() + 1));
        blocks.push(run);
        block_squares.push(run_sq);
        for (t, t_sq) in totals {
            add(&mut run, &t);
            run_sq += t_sq;
            blocks.push(run);
            block_squares.push(run_sq);
        }
        (p.blocks, p.block_squares) = (blocks, block_squares);
        let m = (0..n)
            .into_par_iter()
            .with_min_len(PREFIX_CHUNK)
            .fold(
                || Metrics::empty(slots),
                |mut m, i| {
                    let (x, sq) = p.one(acc, i);
                    m.slot_mut(plan.assignment[i]).merge(&Totals::from_sums(1, x, sq));
                    m
                },
            )
            .reduce(
                || Metrics::empty(slots),
                |mut a, b| {
                    for (x, y) in a.territories.iter_mut().zip(&b.territories) {
                        x.merge(y);
                    }
                    a.unassigned.merge(&b.unassigned);
                    a
                },
            );
        (p, m)
    }

    /// Account `i`'s figures as the sums hold them, and x² + y².
    #[inline]
    fn one(&self, acc: &Accounts, i: usize) -> ([i64; 5], i128) {
        let [x, y] = self.xy[i];
        let (x, y) = (i64::from(x), i64::from(y));
        ([acc.potential()[i].0, acc.annual_revenue()[i].0, acc.workload(i).0, x, y], i128::from(x * x + y * y))
    }

    /// The figures of accounts `a..b`, one by one.
    #[inline]
    fn sum(&self, acc: &Accounts, a: usize, b: usize) -> ([i64; 5], i128) {
        let (mut s, mut sq) = ([0i64; 5], 0i128);
        for i in a..b {
            let (x, x_sq) = self.one(acc, i);
            add(&mut s, &x);
            sq += x_sq;
        }
        (s, sq)
    }

    /// The totals of accounts `start..end` of `accounts` (the accounts these sums were
    /// made of): the blocks between the ends, and at most `BLOCK − 1` accounts at each.
    #[inline]
    pub fn range(&self, accounts: &Accounts, start: u32, end: u32) -> Totals {
        let (s, e) = (start as usize, end as usize);
        let (first, last) = (s.div_ceil(BLOCK), e / BLOCK);
        let (sums, squares) = if first < last {
            let (a, b) = (&self.blocks[first], &self.blocks[last]);
            let mut sums = [b[0] - a[0], b[1] - a[1], b[2] - a[2], b[3] - a[3], b[4] - a[4]];
            let mut squares = self.block_squares[last] - self.block_squares[first];
            for (x, x_sq) in [self.sum(accounts, s, first * BLOCK), self.sum(accounts, last * BLOCK, e)] {
                add(&mut sums, &x);
                squares += x_sq;
            }
            (sums, squares)
        } else {
            self.sum(accounts, s, e)
        };
        Totals::from_sums(u64::from(end - start), sums, squares)
    }
}

#[inline]
fn add(run: &mut [i64; 5], x: &[i64; 5]) {
    for (r, v) in run.iter_mut().zip(x) {
        *r += v;
    }
}

/// Totals per territory slot and for the Unassigned pool.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metrics {
    /// Parallel to [`Plan::territories`] (dead slots keep zero totals).
    pub territories: Vec<Totals>,
    pub unassigned: Totals,
}

impl Metrics {
    /// All zero, for `slots` territory slots.
    pub fn empty(slots: usize) -> Metrics {
        Metrics { territories: vec![Totals::default(); slots], unassigned: Totals::default() }
    }

    /// Sums every account: O(N), for loading and for checking.
    pub fn recompute(plan: &Plan) -> Metrics {
        Metrics::of_assignment(&plan.accounts, plan.territories.len(), &plan.assignment)
    }

    /// The metrics of scenario `i` of `plan` (on screen or not): O(N).
    pub fn of_scenario(plan: &Plan, i: usize) -> Metrics {
        let (territories, assignment, _) = plan.scenario_parts(i);
        Metrics::of_assignment(&plan.accounts, territories.len(), assignment)
    }

    /// The metrics of any assignment of `accounts` to `slots` territory slots (a
    /// scenario not on screen): O(N).
    pub fn of_assignment(accounts: &Accounts, slots: usize, assignment: &[Option<TerritoryIdx>]) -> Metrics {
        let mut m = Metrics::empty(slots);
        for (i, t) in assignment.iter().enumerate().take(accounts.len()) {
            m.slot_mut(*t).merge(&Totals::one(accounts, i));
        }
        m
    }

    /// The totals of a territory, or of the Unassigned pool.
    pub fn slot(&self, t: Option<TerritoryIdx>) -> &Totals {
        match t {
            Some(t) => &self.territories[t.get()],
            None => &self.unassigned,
        }
    }

    fn slot_mut(&mut self, t: Option<TerritoryIdx>) -> &mut Totals {
        match t {
            Some(t) => {
                if self.territories.len() <= t.get() {
                    self.territories.resize(t.get() + 1, Totals::default());
                }
                &mut self.territories[t.get()]
            }
            None => &mut self.unassigned,
        }
    }

    /// Moves accounts with these totals between owners: O(1).
    pub fn move_totals(&mut self, t: &Totals, from: Option<TerritoryIdx>, to: Option<TerritoryIdx>) {
        if from != to {
            self.slot_mut(from).subtract(t);
            self.slot_mut(to).merge(t);
        }
    }

    /// These totals with each territory's travel minutes added to its workload: what
    /// balance is measured on when travel is on (`travel` per slot, as
    /// [`crate::model::travel_by_territory`] gives it). O(territories).
    pub fn with_travel(&self, travel: &[i64]) -> Metrics {
        let mut m = self.clone();
        for (t, minutes) in m.territories.iter_mut().zip(travel) {
            t.workload.0 += minutes;
        }
        m
    }

    /// These totals with `plan`'s travel added to each territory's workload when travel
    /// is on (O(N) then), else a copy: what a plan's balance is measured on.
    pub fn with_plan_travel(&self, plan: &Plan) -> Metrics {
        if plan.travel.is_none() {
            return self.clone();
        }
        let minutes: Vec<i64> = crate::model::travel_by_territory(plan).iter().map(|t| t.minutes).collect();
        self.with_travel(&minutes)
    }

    /// Makes room for a new territory slot.
    pub fn ensure_slots(&mut self, n: usize) {
        if self.territories.len() < n {
            self.territories.resize(n, Totals::default());
        }
    }
}

/// One figure's spread over the live territories, each against its own target: a
/// territory's target is the total × its capacity / the sum of capacities, so that a
/// half-time rep's territory aims at half a share. With every capacity 1.0 the target
/// is the mean, as it always was.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spread {
    /// The sum over the territories.
    pub total: f64,
    /// The sum of their capacities.
    pub capacity: f64,
    /// max |x − target| / target over the territories whose target is not 0.
    pub max_abs_deviation: f64,
    /// The coefficient of variation against the targets: the root mean square of the
    /// deviations (with equal capacities, the standard deviation / the mean).
    pub cv: f64,
}

impl Spread {
    /// What a territory of capacity `capacity` should carry: 0 when no territory has
    /// a capacity.
    pub fn target(&self, capacity: f64) -> f64 {
        if self.capacity > 0.0 { self.total * capacity / self.capacity } else { 0.0 }
    }

    /// (x − target) / target for a territory of capacity `capacity`, or `None` when
    /// its target is 0.
    pub fn deviation(&self, x: f64, capacity: f64) -> Option<f64> {
        deviation(x, self.target(capacity))
    }

    /// The target of a full book (capacity 1.0): the mean when every capacity is 1.0.
    pub fn per_capacity(&self) -> f64 {
        self.target(1.0)
    }
}

/// (x − target) / target, or `None` when the target is 0.
pub fn deviation(x: f64, target: f64) -> Option<f64> {
    (target != 0.0).then(|| (x - target) / target)
}

/// The spread of `values`, one (value, capacity) per live territory.
pub fn spread(values: &[(f64, f64)]) -> Spread {
    let total = values.iter().map(|v| v.0).sum::<f64>();
    let capacity = values.iter().map(|v| v.1).sum::<f64>();
    let mut s = Spread { total, capacity, ..Spread::default() };
    let devs: Vec<f64> = values.iter().filter_map(|&(x, c)| s.deviation(x, c)).collect();
    if devs.is_empty() {
        return s;
    }
    s.max_abs_deviation = devs.iter().map(|d| d.abs()).fold(0.0, f64::max);
    s.cv = (devs.iter().map(|d| d * d).sum::<f64>() / devs.len() as f64).sqrt();
    s
}

/// The plan-level balance of workload and potential.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Balance {
    pub workload: Spread,
    pub potential: Spread,
}

impl Balance {
    /// Balance over the live territories of `plan` with totals `m`: O(territories).
    pub fn of(plan: &Plan, m: &Metrics) -> Balance {
        Balance::within(plan, m, None)
    }

    /// Balance over the live territories within `region` (all of them for `None`), each
    /// against its share of their total: O(territories × depth).
    pub fn within(plan: &Plan, m: &Metrics, region: Option<RegionIdx>) -> Balance {
        Balance::of_totals(
            plan.live_territories()
                .filter(|(_, t)| region.is_none_or(|r| crate::model::within(&plan.regions, t.region, r)))
                .map(|(i, t)| (&m.territories[i.get()], t.capacity)),
        )
    }

    /// Balance over any set of territory totals, each with its capacity.
    pub fn of_totals<'a>(totals: impl Iterator<Item = (&'a Totals, f64)>) -> Balance {
        // (value, capacity) of each territory, per figure.
        type Figures = Vec<(f64, f64)>;
        let (w, p): (Figures, Figures) =
            totals.map(|(t, c)| ((t.workload.0 as f64, c), (t.potential.0 as f64, c))).unzip();
        Balance { workload: spread(&w), potential: spread(&p) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunked build (chunks of 100,000 accounts, here in a pool of four threads
    /// whatever the machine) equals sums account by account: the metrics, and ranges
    /// within each chunk, across chunks and around the blocks' boundaries.
    #[test]
    fn prefix_sums_equal_plain_sums() {
        let mut buf = Vec::new();
        crate::generate::generate(120_000, 7, 3, &mut buf).expect("generate");
        let opts = crate::io::csv_import::ImportOptions::default();
        let (mut plan, _) = crate::io::csv_import::import_bytes(&buf, "g.csv", &opts).expect("import");
        // Some accounts unassigned, so that the pool is summed too.
        for t in plan.assignment.iter_mut().step_by(97) {
            *t = None;
        }
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build().expect("pool");
        let (prefix, metrics) = pool.install(|| PrefixSums::with_metrics(&plan));
        assert_eq!(metrics, Metrics::recompute(&plan));
        let n = plan.accounts.len() as u32;
        for (a, b) in
            [(0, n), (0, 1), (17, 59_999), (59_990, 60_010), (99_990, 100_010), (100_000, n), (n, n), (1_234, 118_765)]
                .into_iter()
                // Around the blocks' boundaries (every 16th account): within one block,
                // across one, from or to a boundary, and the plan's last partial block.
                .chain([
                    (15, 16),
                    (16, 32),
                    (15, 33),
                    (16, 16),
                    (31, 49),
                    (3, 20),
                    (0, 31),
                    (n - 5, n),
                    (n - 40, n - 1),
                ])
        {
            let mut want = Totals::default();
            for i in a..b {
                want.merge(&Totals::one(&plan.accounts, i as usize));
            }
            assert_eq!(prefix.range(&plan.accounts, a, b), want, "{a}..{b}");
        }
    }

    /// Four accounts on a square of side 2 km around a point at 45° N: each is √2 km
    /// from the centre, so the spread is √2 km (to the metre rounding of the positions).
    #[test]
    fn spread_is_the_rms_distance_to_the_centre() {
        let (cx, cy) = to_mercator(10.0, 45.0);
        // 1 km on the ground is 1 km / cos(45°) in Web Mercator there.
        let k = 1000.0 / 45f64.to_radians().cos();
        let mut t = Totals::default();
        for (dx, dy) in [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)] {
            let (x, y) = (cx + dx * k, cy + dy * k);
            t.sum_x += metres(x);
            t.sum_y += metres(y);
            t.sum_sq += square(x, y);
            t.accounts += 1;
        }
        let s = t.spread_km().expect("accounts");
        assert!((s - 2f64.sqrt()).abs() < 0.02, "{s}");
        assert_eq!(Totals::default().spread_km(), None);
    }

    #[test]
    fn spread_of_known_values() {
        let s = spread(&[(90.0, 1.0), (100.0, 1.0), (110.0, 1.0)]);
        assert!((s.per_capacity() - 100.0).abs() < 1e-12);
        assert!((s.max_abs_deviation - 0.1).abs() < 1e-12);
        let pop_sd = (200.0f64 / 3.0).sqrt();
        assert!((s.cv - pop_sd / 100.0).abs() < 1e-12);
        assert_eq!(spread(&[(0.0, 1.0), (0.0, 1.0)]).cv, 0.0);
        assert_eq!(deviation(5.0, 0.0), None);
        assert_eq!(deviation(110.0, 100.0), Some(0.1));
    }

    /// Capacities: 300 over capacities 0.5, 1.0, 1.5 gives targets 50, 100, 150.
    #[test]
    fn spread_against_capacity_targets() {
        let s = spread(&[(55.0, 0.5), (100.0, 1.0), (145.0, 1.5)]);
        assert_eq!(s.target(0.5), 50.0);
        assert_eq!(s.target(1.5), 150.0);
        assert!((s.max_abs_deviation - 0.1).abs() < 1e-12);
        let rms = ((0.1f64 * 0.1 + 0.0 + (5.0f64 / 150.0).powi(2)) / 3.0).sqrt();
        assert!((s.cv - rms).abs() < 1e-12);
        // Equal capacities of any size give the plain mean-based figures.
        let twice = spread(&[(90.0, 2.0), (100.0, 2.0), (110.0, 2.0)]);
        assert!((twice.target(2.0) - 100.0).abs() < 1e-12);
        assert!((twice.max_abs_deviation - 0.1).abs() < 1e-12);
    }
}
