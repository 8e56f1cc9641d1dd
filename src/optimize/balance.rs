//! Balance: rounds of flow plan and realisation and the stages it goes through when
//! rounds stop helping (the last slivers and the polish are in `polish.rs`).

use super::*;

/// At most this many balance rounds, and as many again for [`Stage::Peaks`]: a round
/// moves whole borders, so even the skewed starts of the tests (one band 100 times
/// another) settle within about 15.
pub(super) const BALANCE_ROUNDS: usize = 60;

/// Rounds without coming closer to the tolerance after which Balance tries its next
/// [`Stage`]: long enough for a flow along a chain to arrive, short enough that two
/// territories trading an account back and forth do not spend the rounds.
pub(super) const STALE_ROUNDS: usize = 3;

/// Passes of giving moved accounts back to their old territory after Balance (each
/// pass moves fewer; five leave almost nothing), and of polish until the plan is as
/// compact as before (each pass moves only border accounts, so the limit bounds time).
const GIVE_BACK_PASSES: usize = 5;
const COMPACT_PASSES: usize = 10;

/// Rounds without a better plan after which a stage ends even though its sliver fixes
/// still move accounts: fixing a sliver can itself push a territory out, and the plans
/// with 10 accounts a territory spent all [`BALANCE_ROUNDS`] that way, never reaching
/// [`Stage::Peaks`].
pub(super) const STAGE_ROUNDS: usize = 3 * STALE_ROUNDS;

/// How hard Balance tries, each stage entered when the one before moves nothing or
/// [`STALE_ROUNDS`] rounds bring the plan no closer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Stage {
    /// Flows aim at the tolerance itself: every unit moved beyond it is disruption.
    AtTheEdge,
    /// Territories outside aim half a typical account inside, so that a fix-up flow is
    /// large enough to move an account.
    Inset,
    /// Every territory aims at half the tolerance, which makes room along chains of
    /// territories that all sit at the band's edge.
    Squeezed,
    /// A territory may also take a piece back on an island where it had accounts in the
    /// starting plan and has none left, nearest across the gap: giving its last account
    /// on an island can cut a territory off from its neighbours there, and parts of the
    /// plan can be left with no border to balance across. No territory ends with more
    /// pieces than it started with.
    Jumps,
    /// The tolerance is out of reach: bring the extremes in instead, halfway to the
    /// band each round (the heaviest give to neighbours with room below that cap, the
    /// lightest take from those above that floor), so that a plan Balance cannot bring
    /// within the tolerance still ends as even as its islands and locks allow.
    Peaks,
}

/// Balance from here: the plan's territories brought within the tolerance, moving as
/// little as it can. `adj` is the accounts' adjacency.
pub fn balance(
    plan: &Plan,
    adj: &Adjacency,
    opts: &BalanceOptions,
    progress: Option<&Progress>,
) -> Result<Proposal, OptimizeError> {
    check_tolerance(opts.tolerance)?;
    let k = plan.territories.len();
    // The territories worked on (those of the region, when limited to one): "live"
    // below means live and in scope.
    let live = in_scope(&plan.territories, &plan.regions, opts.region);
    if !live.contains(&true) {
        return Err(if opts.region.is_some() { OptimizeError::EmptyRegion } else { OptimizeError::NoTerritories });
    }
    let locked = locked_slots(plan, &opts.locked_territories);
    let active: Vec<bool> = (0..k).map(|t| live[t] && !locked[t]).collect();
    set_progress(progress, 5);
    let mut st =
        State::new(plan, adj, plan.assignment.clone(), fixed_accounts(plan, &opts.locked_accounts), active, opts.seed);
    st.progress = progress;
    st.budget = opts.budget;
    st.scope.clone_from(&live);
    // With travel on, the territories worked on start their drives from their
    // accounts' centre now (the proposal stores it, so Apply keeps what was balanced).
    let mut territories = plan.territories.clone();
    st.recentre(&plan.accounts, &mut territories, |t| live[t] && !locked[t]);
    // The mean per unit of capacity over all live territories (locked ones included):
    // each territory's target is this times its capacity, as the panel shows it.
    let mean = (st.mean_per_capacity(Dim::Workload, |t| live[t]), st.mean_per_capacity(Dim::Potential, |t| live[t]));
    set_progress(progress, 10);
    st.balance(opts.target, mean, opts.tolerance, progress)?;
    // Accounts that moved but sit nearer their old territory's centre go back, where
    // both territories stay within tolerance: less disruption, more compact.
    let dims = dims(opts.target, mean);
    let t = opts.tolerance;
    for _ in 0..GIVE_BACK_PASSES {
        if st.polish(&dims, t, true) == 0 {
            break;
        }
    }
    // Compactness no worse than before: border accounts nearer a neighbouring centre
    // move there, within tolerance, until it is.
    let before = quality::compactness_of(&plan.accounts, &st.original, k).overall;
    for _ in 0..COMPACT_PASSES {
        if quality::compactness_of(&plan.accounts, &st.owner, k).overall <= before {
            break;
        }
        if st.polish(&dims, t, false) == 0 {
            break;
        }
    }
    if st.cancelled() {
        return Err(OptimizeError::Cancelled);
    }
    set_progress(progress, 100);
    // With travel the total moved with the accounts: the final means.
    let mean = if st.travel.is_some() {
        (st.mean_per_capacity(Dim::Workload, |t| live[t]), st.mean_per_capacity(Dim::Potential, |t| live[t]))
    } else {
        mean
    };
    let dims = self::dims(opts.target, mean);
    let reached = locked_aware_reached(&st, &live, opts.target, mean, opts.tolerance);
    let budget_exhausted = st.budget_hit && !reached;
    let held_over = if reached { Vec::new() } else { st.held_over(&dims, t) };
    let stop_reasons = if reached { Vec::new() } else { st.stop_reasons(&live, &dims, t) };
    Ok(Proposal {
        job: Job::Balance,
        label: format!("Balance to ±{:.1} %", opts.tolerance * 100.0),
        territories,
        assignment: st.into_assignment(),
        tolerance_reached: reached,
        budget_exhausted,
        held_over,
        stop_reasons,
        region: opts.region,
    })
}

/// The figures `target` balances, each with its mean per unit of capacity (workload,
/// potential).
pub(super) fn dims(target: Target, mean: (f64, f64)) -> Vec<(Dim, f64)> {
    match target {
        Target::Workload => vec![(Dim::Workload, mean.0)],
        Target::Potential => vec![(Dim::Potential, mean.1)],
        Target::Both => vec![(Dim::Workload, mean.0), (Dim::Potential, mean.1)],
    }
}

/// Whether every live territory, locked ones too, is within the tolerance of its target.
pub(super) fn locked_aware_reached(st: &State, live: &[bool], target: Target, mean: (f64, f64), tol: f64) -> bool {
    dims(target, mean).into_iter().all(|(d, m)| (0..live.len()).filter(|&t| live[t]).all(|t| st.within(d, m, tol, t)))
}

impl<'a> State<'a> {
    /// Balances the active territories: rounds of flows until within `tol` on every
    /// figure of `target`, the budget is spent, or nothing moves.
    pub(super) fn balance(
        &mut self,
        target: Target,
        mean: (f64, f64),
        tol: f64,
        progress: Option<&Progress>,
    ) -> Result<bool, OptimizeError> {
        let mut dims = dims(target, mean);
        // With travel, moving an account changes its workload (its drive starts from
        // another place), so the total drifts: the mean is taken anew each round.
        let scope: Vec<bool> = (0..self.active.len()).map(|t| self.scope.get(t).copied().unwrap_or(false)).collect();
        self.blocked.clear();
        // Flows aim at the tolerance itself: every unit moved beyond it is disruption.
        // When a round moves nothing while some territory is still just outside
        // (rounding to whole accounts), the outside ones aim half a typical account
        // inside, so that the fix-up flows are large enough to move an account; after
        // that, single best moves.
        let half_account = |d: Dim| {
            let (sum, n) = (0..self.owner.len())
                .filter(|&v| self.can_move(v))
                .fold((0i64, 0i64), |(s, n), v| (s + self.weight(d, v), n + 1));
            if n > 0 { sum as f64 / n as f64 / 2.0 } else { 0.0 }
        };
        let margins: Vec<f64> = dims.iter().map(|&(d, _)| half_account(d)).collect();
        let mut stage = Stage::AtTheEdge;
        let (mut best_outside, mut stale) = (self.outside(&dims, tol), 0);
        // Rounds of this stage since the best plan last improved, sliver fixes
        // included: a stage whose sliver fixes keep it busy without getting closer
        // ends after [`STAGE_ROUNDS`] of them.
        let mut stage_stale = 0;
        // The best plan seen. A round realises its flows border by border, and a
        // territory that could not pass on what it received ends above the plan;
        // Balance returns no plan farther from the tolerance than one it has seen.
        let mut best = self.owner.clone();
        let mut rounds = 0;
        while rounds < BALANCE_ROUNDS {
            rounds += 1;
            if progress.is_some_and(Progress::is_cancelled) {
                return Err(OptimizeError::Cancelled);
            }
            if self.travel.is_some() {
                for (d, m) in dims.iter_mut() {
                    *m = self.mean_per_capacity(*d, |t| scope[t]);
                }
            }
            if dims.iter().all(|&(d, m)| self.balanced(d, m, tol)) {
                return Ok(true);
            }
            let mut moved = 0.0;
            // From `Squeezed` on, every territory aims at half the tolerance: territories
            // left at the band's very edge have no room to pass an account along a chain.
            let aim = if stage >= Stage::Squeezed { tol / 2.0 } else { tol };
            for (&(d, m), &margin) in dims.iter().zip(&margins) {
                if !self.balanced(d, m, tol) {
                    // Territories within the aim may stay where they are; those
                    // outside aim the inset inside it.
                    let bounds: Vec<(f64, f64)> = if stage == Stage::Peaks {
                        self.peak_bounds(d, m, aim)
                    } else {
                        (0..self.active.len())
                            .map(|t| {
                                let goal = self.target(m, t);
                                let (lo, hi) = (goal * (1.0 - aim), goal * (1.0 + aim));
                                let inset = if stage >= Stage::Inset { margin.min(goal * aim / 2.0) } else { 0.0 };
                                let l = self.load(d, t) as f64;
                                if l < lo {
                                    (lo + inset, hi)
                                } else if l > hi {
                                    (lo, hi - inset)
                                } else {
                                    (lo, hi)
                                }
                            })
                            .collect()
                    };
                    moved += self.balance_round(d, &bounds);
                }
            }
            // Rounds that move accounts without bringing the plan closer (two territories
            // at the band's edge trading one account back and forth) count as stuck.
            let outside = self.outside(&dims, tol);
            if outside < best_outside {
                best_outside = outside;
                best.clone_from(&self.owner);
                (stale, stage_stale) = (0, 0);
            } else {
                stale += 1;
                stage_stale += 1;
            }
            if moved == 0.0 || stale >= STALE_ROUNDS {
                stale = 0;
                if stage_stale < STAGE_ROUNDS {
                    let fixed: usize = dims.iter().map(|&(d, m)| self.fix_slivers(d, m, tol)).sum();
                    if fixed > 0 {
                        continue;
                    }
                }
                stage_stale = 0;
                stage = match stage {
                    Stage::AtTheEdge => Stage::Inset,
                    Stage::Inset => Stage::Squeezed,
                    Stage::Squeezed => Stage::Jumps,
                    Stage::Jumps => Stage::Peaks,
                    Stage::Peaks => break,
                };
                // A border where a flow too small for any account moved nothing gets
                // another try in the next stage.
                self.blocked.clear();
                if stage == Stage::Jumps && self.jumps == Jumps::Never {
                    self.jumps = Jumps::Back;
                    self.was_on = (0..self.original.len())
                        .filter_map(|v| {
                            Some((self.original[v]?.index(), self.adj.island_of(self.adj.site_of(v)) as u32))
                        })
                        .collect();
                }
                if stage == Stage::Peaks {
                    // Bring the peaks in from the best plan, not from where the other
                    // stages left it (their moves did not help), with rounds of its own.
                    self.restore(&best);
                    rounds = 0;
                }
            }
        }
        if self.outside(&dims, tol) > best_outside {
            self.restore(&best);
        }
        Ok(dims.iter().all(|&(d, m)| self.balanced(d, m, tol)))
    }

    /// One balance round on `dim`: plan the flows, realise them. Returns the amount moved.
    pub(super) fn balance_round(&mut self, dim: Dim, bounds: &[(f64, f64)]) -> f64 {
        let graph = self.territory_graph();
        let flows = self.flows(dim, &graph, bounds);
        if flows.is_empty() {
            return 0.0;
        }
        // The accounts along each border that a flow crosses (few borders, sparse).
        let mut borders: ahash::AHashMap<(u32, u32), Vec<u32>> =
            flows.iter().map(|&(a, b, _)| ((a as u32, b as u32), Vec::new())).collect();
        // Only a territory that sends has accounts to list.
        let mut sends = vec![false; self.active.len()];
        for &(a, _, _) in &flows {
            sends[a] = true;
        }
        for v in 0..self.owner.len() {
            if v % 65_536 == 0 && self.cancelled() {
                return 0.0;
            }
            let Some(a) = self.owner[v].filter(|a| sends[a.get()]) else { continue };
            if !self.can_move(v) {
                continue;
            }
            let s = self.adj.site_of(v);
            let mut seen: [TerritoryIdx; 8] = [a; 8];
            let mut nseen = 0;
            let far: &[u32] = if self.jumps != Jumps::Never { self.adj.far_neighbours(s) } else { &[] };
            let near =
                std::iter::once(s as u32).chain(self.adj.neighbours(s).iter().copied()).chain(far.iter().copied());
            for n in near {
                for &u in self.adj.accounts_at(n as usize) {
                    if let Some(b) = self.owner[u as usize]
                        && b != a
                        && !seen[..nseen].contains(&b)
                        && let Some(list) = borders.get_mut(&(a.index(), b.index()))
                    {
                        list.push(v as u32);
                        if nseen < seen.len() {
                            seen[nseen] = b;
                            nseen += 1;
                        }
                    }
                }
            }
        }
        // Territory by territory, sources first: each passes on what it was planned to
        // pass on less what did not reach it. A border that moves less than planned then
        // leaves its giver above the plan, never drains a territory in the middle of a
        // chain (which gave before it received, emptied, and lost its borders).
        let k = self.active.len();
        let mut shortfall = vec![0.0f64; k];
        let mut total = 0.0;
        for t in sources_first(k, &flows) {
            let outs = flows_from(&flows, t);
            let planned: f64 = outs.iter().map(|f| f.2).sum();
            let scale = if planned > 0.0 { ((planned - shortfall[t]) / planned).max(0.0) } else { 0.0 };
            for &(a, b, amount) in outs {
                if self.cancelled() {
                    return total;
                }
                let want = amount * scale;
                let border = borders.get(&(a as u32, b as u32)).map_or(&[][..], Vec::as_slice);
                let got = if want > 0.5 { self.realise(dim, a, b, want, border) } else { 0.0 };
                // A border that could not carry a full-sized flow is left out of the
                // next plans (until a stage clears the list).
                if got == 0.0 && scale > 0.5 {
                    self.blocked.insert((a as u32, b as u32));
                }
                shortfall[b] += (amount - got).max(0.0);
                total += got;
            }
        }
        total
    }

    /// Moves about `amount` of `dim` from `a` to `b` across their border. Returns what
    /// it moved.
    pub(super) fn realise(&mut self, dim: Dim, a: usize, b: usize, amount: f64, border: &[u32]) -> f64 {
        let (au, bu) = (TerritoryIdx::new(a as u32), TerritoryIdx::new(b as u32));
        let mut heap: BinaryHeap<Reverse<(Key, u32)>> = BinaryHeap::new();
        let score = |s: &State, v: usize, ca: &[f64; 3], cb: &[f64; 3]| {
            Key(d2(&s.pos[v], cb).sqrt() - d2(&s.pos[v], ca).sqrt(), mix(s.seed, v as u32))
        };
        let (mut ca, mut cb) = (self.centre(a), self.centre(b));
        for &v in border {
            heap.push(Reverse((score(self, v as usize, &ca, &cb), v)));
        }
        let mut moved = 0.0;
        let mut since = 0;
        while moved < amount
            && let Some(Reverse((key, v))) = heap.pop()
        {
            let v = v as usize;
            if self.owner[v] != Some(au) || !self.can_move(v) {
                continue;
            }
            since += 1;
            if since % 1024 == 0 && self.cancelled() {
                break;
            }
            if since % 64 == 0 {
                ca = self.centre(a);
                cb = self.centre(b);
            }
            let fresh = score(self, v, &ca, &cb);
            if let Some(Reverse((top, _))) = heap.peek()
                && fresh.0 > key.0 + 1e-12
                && fresh.0 > top.0
            {
                heap.push(Reverse((fresh, v as u32)));
                continue;
            }
            let x = self.weight(dim, v) as f64;
            if moved + x > amount + 0.5 * x.max(1.0) && x > 0.0 {
                continue;
            }
            if !self.touches(v, bu) {
                continue;
            }
            // An account whose leaving would cut off a small part of `a` takes that
            // part along (it stays joined to `b` through the account).
            let mut group = vec![v];
            if !self.removable(v) {
                let Some(cut) = self.cut_off(v, 400) else { continue };
                let extra: f64 = cut.iter().map(|&u| self.weight(dim, u) as f64).sum();
                if cut.iter().any(|&u| !self.can_move(u)) || moved + x + extra > amount + 0.5 * (x + extra) {
                    continue;
                }
                group.extend(cut);
            }
            if !group.iter().all(|&u| self.within_budget(u, bu)) {
                self.budget_hit = true;
                continue;
            }
            for &u in &group {
                moved += self.weight(dim, u) as f64;
                self.do_move(u, bu);
            }
            // Accounts of `a` next to the moved ones now border `b`.
            for &m in &group {
                let s = self.adj.site_of(m);
                let near = std::iter::once(s as u32).chain(self.adj.neighbours(s).iter().copied());
                for n in near {
                    for &u in self.adj.accounts_at(n as usize) {
                        if self.owner[u as usize] == Some(au) {
                            heap.push(Reverse((score(self, u as usize, &ca, &cb), u)));
                        }
                    }
                }
            }
        }
        moved
    }

    /// Gives every account back to its owner in `owners`.
    fn restore(&mut self, owners: &[Option<TerritoryIdx>]) {
        // Optimizers never unassign, so an account that differs has an owner there.
        for (v, &o) in owners.iter().enumerate() {
            if self.owner[v] != o
                && let Some(o) = o
            {
                self.do_move(v, o);
            }
        }
    }

    /// The bounds of a [`Stage::Peaks`] round on `dim`, each territory's load taken per
    /// unit of its capacity (so that the band is `mean` ± `aim` for all): the cap halfway
    /// from the heaviest load to the mean load of the territories above the band, the
    /// floor halfway from the lightest to the mean of those below it. A territory above
    /// the band must come down to the cap and may take up to it; one below must come up
    /// to the floor and may give down to it; the others keep to the band. Round by round
    /// the extremes close in on what their neighbours can share.
    fn peak_bounds(&self, dim: Dim, mean: f64, aim: f64) -> Vec<(f64, f64)> {
        let (lo, hi) = (mean * (1.0 - aim), mean * (1.0 + aim));
        let loads: Vec<(usize, f64)> = (0..self.active.len())
            .filter(|&t| self.active[t])
            .map(|t| (t, self.load(dim, t) as f64 / self.capacity[t]))
            .collect();
        let mean_of = |keep: &dyn Fn(f64) -> bool| {
            let (sum, n) = loads.iter().filter(|&&(_, l)| keep(l)).fold((0.0, 0.0), |(s, n), &(_, l)| (s + l, n + 1.0));
            if n > 0.0 { sum / n } else { 0.0 }
        };
        let top = loads.iter().map(|&(_, l)| l).fold(f64::NEG_INFINITY, f64::max);
        let bottom = loads.iter().map(|&(_, l)| l).fold(f64::INFINITY, f64::min);
        let cap = if top > hi { (top + mean_of(&|l| l > hi)) / 2.0 } else { hi };
        let floor = if bottom < lo { (bottom + mean_of(&|l| l < lo)) / 2.0 } else { lo };
        let scaled = |t: usize, (l, h): (f64, f64)| (l * self.capacity[t], h * self.capacity[t]);
        let mut bounds: Vec<(f64, f64)> = (0..self.active.len()).map(|t| scaled(t, (lo, hi))).collect();
        for &(t, l) in &loads {
            if l > hi {
                bounds[t] = scaled(t, (lo, cap.max(hi)));
            } else if l < lo {
                bounds[t] = scaled(t, (floor.min(lo), hi));
            }
        }
        bounds
    }

    /// How far the active territories lie outside the tolerance, each relative to its
    /// target: the farthest first (what the balance panel's headline shows), then the
    /// sum over them and over `dims`. (0, 0) when balanced; compared lexicographically.
    pub(super) fn outside(&self, dims: &[(Dim, f64)], tol: f64) -> (f64, f64) {
        let (mut max, mut sum) = (0.0f64, 0.0);
        for &(d, m) in dims {
            for t in (0..self.active.len()).filter(|&t| self.active[t]) {
                let goal = self.target(m, t);
                let x = ((self.load(d, t) as f64 - goal).abs() - tol * goal).max(0.0) / goal.max(1.0);
                max = max.max(x);
                sum += x;
            }
        }
        (max, sum)
    }

    /// Territory `t`'s band on a figure whose mean per unit of capacity is `mean`: its
    /// target ± `tol`.
    pub(super) fn band(&self, mean: f64, tol: f64, t: usize) -> (f64, f64) {
        let goal = self.target(mean, t);
        (goal * (1.0 - tol), goal * (1.0 + tol))
    }

    /// Whether territory `t` is within `tol` of its target on `dim`.
    pub(super) fn within(&self, dim: Dim, mean: f64, tol: f64, t: usize) -> bool {
        let goal = self.target(mean, t);
        (self.load(dim, t) as f64 - goal).abs() <= tol * goal
    }

    /// Whether every active territory is within `tol` of its target on `dim`.
    pub(super) fn balanced(&self, dim: Dim, mean: f64, tol: f64) -> bool {
        (0..self.active.len()).filter(|&t| self.active[t]).all(|t| self.within(dim, mean, tol, t))
    }
}
