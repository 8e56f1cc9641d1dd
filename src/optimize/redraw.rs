//! Redraw: K territories from scratch, named after the old ones they overlap most,
//! made whole, balanced and polished.

use super::*;

/// Redraw: `opts.territories` territories from scratch, balanced on workload, compact and
/// in one piece, named after the old territories they overlap most.
pub fn redraw(
    plan: &Plan,
    adj: &Adjacency,
    opts: &RedrawOptions,
    progress: Option<&Progress>,
) -> Result<Proposal, OptimizeError> {
    check_tolerance(opts.tolerance)?;
    let frame = Frame::new(plan, opts)?;
    let firsts = first_steps(plan, &frame, opts);
    let mut best: Option<((bool, usize, f64, f64), Proposal)> = None;
    let n = firsts.len() as u64;
    for (i, &first) in firsts.iter().enumerate() {
        let i = i as u64;
        let span = (i * 100 / n, (i + 1) * 100 / n);
        let p = redraw_once(plan, adj, opts, &frame, first, progress, span)?;
        if n == 1 {
            return Ok(p);
        }
        let key = attempt_key(plan, adj, opts, &p);
        let better = best.as_ref().is_none_or(|(b, _)| {
            key.0.cmp(&b.0).then(key.1.cmp(&b.1)).then(key.2.total_cmp(&b.2)).then(key.3.total_cmp(&b.3))
                == std::cmp::Ordering::Less
        });
        if better {
            best = Some((key, p));
        }
    }
    best.map(|(_, p)| p).ok_or(OptimizeError::NoTerritories)
}

/// How Redraw's first step groups the free accounts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FirstStep {
    /// Balanced k-means from k-means++ centres of this seed: the most compact groups
    /// while the territories are few enough for its prices to settle.
    KMeans(u64),
    /// Recursive bisection ([`super::bisect`]): groups of exactly their share, boxes
    /// rather than cells; what holds at thousands of territories.
    Bisection,
}

/// Balanced k-means is tried for at most this many territories. Its prices settle
/// among a few hundred centres and chase each other among thousands: on 100,000
/// generated accounts, its groups into 100 territories span 0.04–1.29 of the target
/// (Redraw still ends 11 % more compact than from bisection), into 500 already
/// 0.13–2.0 (Redraw ends less compact than from bisection, in 36 times the time), and
/// into 1,000 it misses the tolerance that bisection reaches.
const KMEANS_MAX_TERRITORIES: usize = 250;

/// The first steps Redraw tries; the best result wins ([`attempt_key`]). Up to
/// [`KMEANS_MAX_TERRITORIES`], k-means from several seeds on smaller plans (where an
/// attempt takes well under a second), and bisection besides on plans of up to
/// [`BISECT_BESIDE_MAX`] accounts into more than [`BISECT_BESIDE_FROM`] territories,
/// a cheap second opinion; above it, bisection alone.
/// Where reps' homes must each grow a territory, k-means alone (only it places them).
fn first_steps(plan: &Plan, frame: &Frame, opts: &RedrawOptions) -> Vec<FirstStep> {
    let n = plan.accounts.len();
    let homes = !frame.homes.is_empty();
    let few = frame.free_k <= KMEANS_MAX_TERRITORIES;
    let kmeans: u64 = match n {
        _ if !few && !homes => 0,
        0..=30_000 => 4,
        30_001..=200_000 => 2,
        _ => 1,
    };
    let mut firsts: Vec<FirstStep> =
        (0..kmeans).map(|i| FirstStep::KMeans(opts.seed.wrapping_add(i.wrapping_mul(0x9E37)))).collect();
    if !homes && (!few || (n <= BISECT_BESIDE_MAX && frame.free_k > BISECT_BESIDE_FROM)) {
        firsts.push(FirstStep::Bisection);
    }
    firsts
}

/// Up to this many accounts, Redraw into few territories tries bisection beside
/// k-means: it costs about 0.05 s at 10,000 accounts, but 6 s (for the Balance from
/// its boxes) at a million, where k-means into 20 wins anyway.
const BISECT_BESIDE_MAX: usize = 200_000;

/// ... and only past this many territories: up to it k-means's groups hold their
/// shares (into 20, within 0.94–1.02 of the target on 100,000 accounts) and win on
/// compactness every time measured, so a bisection beside only costs time (5–10 % of
/// Redraw 10k into 20); into 100 its groups already stray to 0.04–1.29.
const BISECT_BESIDE_FROM: usize = 50;

/// What ranks Redraw's attempts, least first: within the tolerance first, then fewest
/// extra pieces, then (short of the tolerance) the least worst deviation, then the most
/// compact.
fn attempt_key(plan: &Plan, adj: &Adjacency, opts: &RedrawOptions, p: &Proposal) -> (bool, usize, f64, f64) {
    let after = p.apply_to(plan);
    let pieces = quality::pieces(&after, adj);
    let islands = quality::islands_reached(&after, adj);
    let extra: usize = after.live_territories().map(|(t, _)| pieces[t.get()].saturating_sub(islands[t.get()])).sum();
    let worst = if p.tolerance_reached {
        0.0
    } else {
        let m = Metrics::recompute(&after).with_plan_travel(&after);
        Balance::within(&after, &m, opts.region).workload.max_abs_deviation
    };
    (!p.tolerance_reached, extra, worst, quality::compactness(&after).overall)
}

/// Balanced k-means runs first on an even sample of at most this many free accounts (its
/// rounds cost O(sample × K)), then once on all of them from the sample's centres and
/// prices: the sample fixes the shape, the last round the exact counts.
const SAMPLE_MAX: usize = 60_000;

/// Restarts of the plain k-means that places the first centres; the best is kept.
const KMEANS_RESTARTS: usize = 5;

/// (outer rounds, pricing passes) of balanced k-means on the sample, and then on all free
/// accounts: the sample's centres move, so it takes many rounds; on all accounts one
/// round of assignment and pricing from there is enough.
const SAMPLE_ROUNDS: (usize, usize) = (20, 40);
const FULL_ROUNDS: (usize, usize) = (1, 60);

/// At most this many rounds of polish (border accounts to a nearer centre) and Balance
/// after the first balance; polish stops early once fewer than one account in
/// [`POLISH_SETTLED`] moves in a pass.
const POLISH_ROUNDS: u64 = 12;
const POLISH_SETTLED: usize = 2000;

/// Polish keeps every territory within this share of the tolerance, so that the Balance
/// after it has room and does not undo it.
const POLISH_MARGIN: f64 = 0.85;

/// An old territory's name goes to a new group holding at least 1 / this of its accounts
/// (or pinned there by locked accounts); otherwise the group is named after its city.
const NAME_SHARE: u64 = 5;

/// What stays and what moves: the frame every step of one Redraw works in.
struct Frame {
    /// Slots of the old plan, and which of them are locked (or named in the options).
    old_k: usize,
    locked: Vec<bool>,
    /// Territories to draw besides the locked ones.
    free_k: usize,
    /// The old owners.
    old: Vec<Option<TerritoryIdx>>,
    /// Accounts that stay where they are (locked, or in a locked territory), and the rest.
    stays: Vec<bool>,
    free: Vec<usize>,
    /// Old territories with locked accounts (they must survive), sorted.
    pinned: Vec<usize>,
    /// Reps' homes that grow a territory each: (old slot, position).
    homes: Vec<(usize, [f64; 3])>,
    /// Every account's position on the unit sphere (once for all attempts).
    pos: Vec<[f64; 3]>,
}

impl Frame {
    fn new(plan: &Plan, opts: &RedrawOptions) -> Result<Frame, OptimizeError> {
        let n = plan.accounts.len();
        let old_k = plan.territories.len();
        let scope = in_scope(&plan.territories, &plan.regions, opts.region);
        if !scope.contains(&true) && opts.region.is_some() {
            return Err(OptimizeError::EmptyRegion);
        }
        let mut locked = locked_slots(plan, &opts.locked_territories);
        let locked_live = (0..old_k).filter(|&t| scope[t] && locked[t]).count();
        // Outside the region, every territory keeps its accounts.
        for (t, l) in locked.iter_mut().enumerate() {
            *l |= plan.territories[t].alive && !scope[t];
        }
        let free_k = opts
            .territories
            .checked_sub(locked_live)
            .filter(|&f| f > 0)
            .ok_or(OptimizeError::TooFewTerritories { needed: locked_live + 1, locked: locked_live })?;
        let fixed = fixed_accounts(plan, &opts.locked_accounts);
        let old = plan.assignment.clone();
        let stays: Vec<bool> = (0..n).map(|v| !crate::model::may_move(fixed[v], old[v], |t| locked[t.get()])).collect();
        let free: Vec<usize> = (0..n).filter(|&v| !stays[v]).collect();
        let mut pinned: Vec<usize> = (0..n)
            .filter(|&v| fixed[v])
            .filter_map(|v| old[v].map(TerritoryIdx::get))
            .filter(|&t| !locked[t])
            .collect();
        pinned.sort_unstable();
        pinned.dedup();
        if pinned.len() > free_k {
            return Err(OptimizeError::TooManyPinned(pinned.len(), free_k));
        }
        let homes: Vec<(usize, [f64; 3])> = if opts.homes {
            (0..old_k)
                .filter(|&t| plan.territories[t].alive && !locked[t])
                .filter_map(|t| plan.territories[t].rep_home.map(|h| (t, quality::unit_vector(h))))
                .collect()
        } else {
            Vec::new()
        };
        if homes.len() > free_k {
            return Err(OptimizeError::TooManyHomes { homes: homes.len(), territories: free_k });
        }
        let pos = plan.accounts.positions().map(quality::unit_vector).collect();
        Ok(Frame { old_k, locked, free_k, old, stays, free, pinned, homes, pos })
    }

    /// Groups in the result: one per free territory, but never more than free accounts.
    fn groups_k(&self) -> usize {
        if self.free.is_empty() { 0 } else { self.free_k.min(self.free.len()) }
    }
}

fn redraw_once(
    plan: &Plan,
    adj: &Adjacency,
    opts: &RedrawOptions,
    frame: &Frame,
    first: FirstStep,
    progress: Option<&Progress>,
    span: (u64, u64),
) -> Result<Proposal, OptimizeError> {
    let step = |x: u64| set_progress(progress, span.0 + x * (span.1 - span.0) / 100);
    step(2);
    // Balance and polish draw their tie-breaks from the seed.
    let seed = match first {
        FirstStep::KMeans(seed) => seed,
        FirstStep::Bisection => opts.seed,
    };
    let pos = &frame.pos;
    let mut grouping = match first {
        FirstStep::KMeans(seed) => group_free_accounts(plan, frame, pos, seed, progress, &step)?,
        FirstStep::Bisection => bisect_free_accounts(plan, frame, pos),
    };
    // Pricing returns early on a cancel; what follows is O(N) before its next check.
    if progress.is_some_and(Progress::is_cancelled) {
        return Err(OptimizeError::Cancelled);
    }
    let (mut territories, slot_of_group) = name_groups(plan, frame, &grouping.labels, &grouping.home_of_group);
    // New territories join the region drawn in.
    for t in territories.iter_mut().skip(frame.old_k) {
        t.region = opts.region;
    }
    reprice_for_capacities(plan, frame, pos, &mut grouping, &territories, &slot_of_group, progress)?;
    let home_of_group = grouping.home_of_group;
    let mut groups = grouping.labels;
    let anchors = anchor_homes(frame, pos, &mut groups, &home_of_group);
    let k = territories.len();
    let mut owner = frame.old.clone();
    for (j, &v) in frame.free.iter().enumerate() {
        owner[v] = Some(TerritoryIdx::new(slot_of_group[groups[j] as usize] as u32));
    }
    let active: Vec<bool> = (0..k).map(|t| territories[t].alive && !(t < frame.old_k && frame.locked[t])).collect();
    let mut stays = frame.stays.clone();
    for &v in &anchors {
        stays[v] = true;
    }
    let mut st = State::new(plan, adj, owner, stays, active, seed);
    st.capacity = territories.iter().map(|t| t.capacity).collect();
    st.progress = progress;
    st.jumps = Jumps::Anywhere;
    st.home = vec![None; k];
    for &(slot, home) in &frame.homes {
        st.home[slot] = Some(home);
    }
    st.original = frame.old.clone();
    make_whole(&mut st, progress)?;
    step(55);
    // With travel on, each drawn territory without a rep's home starts from its
    // accounts' centre (stored in the proposal, as Apply stores it).
    st.recentre(&plan.accounts, &mut territories, |t| !(t < frame.old_k && frame.locked[t]));
    let live = in_scope(&territories, &plan.regions, opts.region);
    st.scope.clone_from(&live);
    let mean = balance_and_polish(&mut st, &live, opts.tolerance, progress, &step)?;
    // With travel the total moved with the accounts: the final mean.
    let mean = if st.travel.is_some() { st.mean_per_capacity(Dim::Workload, |t| live[t]) } else { mean };
    step(100);
    let tol = opts.tolerance;
    let reached = locked_aware_reached(&st, &live, Target::Workload, (mean, 0.0), tol);
    let held_over = if reached { Vec::new() } else { st.held_over(&[(Dim::Workload, mean)], tol) };
    let stop_reasons = if reached { Vec::new() } else { st.stop_reasons(&live, &[(Dim::Workload, mean)], tol) };
    Ok(Proposal {
        job: Job::Redraw,
        label: format!("Redraw into {} territories", opts.territories),
        territories,
        assignment: st.into_assignment(),
        tolerance_reached: reached,
        budget_exhausted: false,
        held_over,
        stop_reasons,
        region: opts.region,
    })
}

/// The free accounts in groups: each free account's group, the old slot whose home
/// each group grows around, and the centres and prices of the balanced k-means that
/// drew them (none for a bisection).
struct Grouping {
    labels: Vec<u32>,
    home_of_group: Vec<Option<usize>>,
    centres: Vec<[f64; 3]>,
    prices: Vec<f64>,
    rules: CentreRules,
    first: FirstStep,
}

/// Step 1: the free accounts in `groups_k` groups by balanced k-means, of equal
/// workload but for groups around a rep's home, which take their territory's capacity
/// (plain k-means places the centres where compact territories sit; reps' homes replace
/// the nearest centres and stay put), on a sample and then on all free accounts.
fn group_free_accounts(
    plan: &Plan,
    frame: &Frame,
    pos: &[[f64; 3]],
    seed: u64,
    progress: Option<&Progress>,
    step: &dyn Fn(u64),
) -> Result<Grouping, OptimizeError> {
    let mut home_of_group: Vec<Option<usize>> = vec![None; frame.free_k];
    let free = &frame.free;
    if free.is_empty() {
        let rules = CentreRules::equal(0);
        let first = FirstStep::KMeans(seed);
        return Ok(Grouping {
            labels: Vec::new(),
            home_of_group,
            centres: Vec::new(),
            prices: Vec::new(),
            rules,
            first,
        });
    }
    let weight = |v: usize| plan.accounts.workload(v).0 as f64;
    let sample: Vec<usize> = free.iter().copied().step_by(free.len().div_ceil(SAMPLE_MAX).max(1)).collect();
    let spts: Vec<[f64; 3]> = sample.iter().map(|&v| pos[v]).collect();
    let sw: Vec<f64> = sample.iter().map(|&v| weight(v)).collect();
    let cancelled = || progress.is_some_and(Progress::is_cancelled);
    let (mut centres, _) = quality::kmeans(&spts, frame.free_k.min(spts.len()), KMEANS_RESTARTS, seed, &cancelled);
    if cancelled() {
        return Err(OptimizeError::Cancelled);
    }
    for c in &mut centres {
        let norm = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
        if norm > 0.0 {
            *c = [c[0] / norm, c[1] / norm, c[2] / norm];
        }
    }
    let mut rules = CentreRules::equal(centres.len());
    for &(slot, home) in &frame.homes {
        let free_centre = (0..centres.len())
            .filter(|&c| !rules.fixed[c])
            .min_by(|&a, &b| d2(&home, &centres[a]).total_cmp(&d2(&home, &centres[b])).then(a.cmp(&b)));
        if let Some(c) = free_centre {
            centres[c] = home;
            rules.fixed[c] = true;
            rules.share[c] = plan.territories[slot].capacity;
            home_of_group[c] = Some(slot);
        }
    }
    let mut prices = Vec::new();
    balanced_kmeans(&spts, &sw, &mut centres, &mut prices, SAMPLE_ROUNDS, &rules, progress)?;
    step(25);
    let (fpts, fw) = free_points(plan, frame, pos);
    let labels = balanced_kmeans(&fpts, &fw, &mut centres, &mut prices, FULL_ROUNDS, &rules, progress)?;
    step(40);
    Ok(Grouping { labels, home_of_group, centres, prices, rules, first: FirstStep::KMeans(seed) })
}

/// Step 1 by bisection: the free accounts in `groups_k` groups of equal workload (no
/// group grows around a home: [`first_steps`] leaves bisection out where there are).
fn bisect_free_accounts(plan: &Plan, frame: &Frame, pos: &[[f64; 3]]) -> Grouping {
    let k = frame.groups_k();
    let (fpts, fw) = free_points(plan, frame, pos);
    let rules = CentreRules::equal(k);
    Grouping {
        labels: super::bisect::bisect(&fpts, &fw, &rules.share),
        home_of_group: vec![None; frame.free_k],
        centres: Vec::new(),
        prices: Vec::new(),
        rules,
        first: FirstStep::Bisection,
    }
}

/// The free accounts' positions and workloads, in `frame.free` order.
fn free_points(plan: &Plan, frame: &Frame, pos: &[[f64; 3]]) -> (Vec<[f64; 3]>, Vec<f64>) {
    frame.free.iter().map(|&v| (pos[v], plan.accounts.workload(v).0 as f64)).unzip()
}

/// Step 2b: when the territories the groups were named after have capacities other
/// than 1.0 (known only once they are named), one more round of pricing on all free
/// accounts (or the bisection again) gives each group its territory's share, so that
/// Balance starts near it.
fn reprice_for_capacities(
    plan: &Plan,
    frame: &Frame,
    pos: &[[f64; 3]],
    grouping: &mut Grouping,
    territories: &[Territory],
    slot_of_group: &[usize],
    progress: Option<&Progress>,
) -> Result<(), OptimizeError> {
    let share: Vec<f64> = slot_of_group.iter().map(|&s| territories[s].capacity).collect();
    if share == grouping.rules.share {
        return Ok(());
    }
    let (fpts, fw) = free_points(plan, frame, pos);
    if grouping.first == FirstStep::Bisection {
        // The same cuts in the same order, each now at its groups' shares: every
        // group stays where it was named.
        if share.len() == grouping.rules.share.len() {
            grouping.labels = super::bisect::bisect(&fpts, &fw, &share);
            grouping.rules.share = share;
        }
        return Ok(());
    }
    if share.len() != grouping.centres.len() {
        return Ok(());
    }
    grouping.rules.share = share;
    let (centres, prices) = (&mut grouping.centres, &mut grouping.prices);
    grouping.labels = balanced_kmeans(&fpts, &fw, centres, prices, FULL_ROUNDS, &grouping.rules, progress)?;
    Ok(())
}

/// Each home's nearest free account anchors its territory: it joins the home's group
/// and never moves afterwards (Balance and polish follow the territories' means, which
/// can lie far from the home). Returns the anchors.
fn anchor_homes(frame: &Frame, pos: &[[f64; 3]], groups: &mut [u32], home_of_group: &[Option<usize>]) -> Vec<usize> {
    let free = &frame.free;
    let mut anchors = Vec::new();
    for &(slot, home) in &frame.homes {
        let Some(g) = home_of_group.iter().position(|&h| h == Some(slot)) else { continue };
        let nearest = (0..free.len())
            .min_by(|&a, &b| d2(&pos[free[a]], &home).total_cmp(&d2(&pos[free[b]], &home)).then(a.cmp(&b)));
        if let Some(j) = nearest {
            groups[j] = g as u32;
            anchors.push(free[j]);
        }
    }
    anchors
}

/// Step 2: names. A group grown around a home keeps that rep's territory; the others
/// take the old unlocked territories they overlap most (pinned ones first, and only
/// where the old territory really was: [`NAME_SHARE`]); the rest become new territories
/// named after their main city, in a colour unlike those that stay. Old unlocked
/// territories no group took are deleted. Returns the territories and each group's slot.
fn name_groups(
    plan: &Plan,
    frame: &Frame,
    groups: &[u32],
    home_of_group: &[Option<usize>],
) -> (Vec<Territory>, Vec<usize>) {
    let (old_k, groups_k, free, old, locked) = (frame.old_k, frame.groups_k(), &frame.free, &frame.old, &frame.locked);
    let open = |t: usize| plan.territories[t].alive && !locked[t];
    // The (group, old territory) pairs that share accounts, with how many: sparse, so
    // that 10,000 groups over 10,000 old territories cost O(N log N), not a table.
    let mut pairs: Vec<(u32, u32)> = free
        .iter()
        .enumerate()
        .filter_map(|(j, &v)| old[v].map(|t| (groups[j], t.get() as u32)))
        .filter(|&(_, t)| open(t as usize))
        .collect();
    pairs.sort_unstable();
    let mut overlap: Vec<(u64, usize, usize)> = Vec::new();
    for run in pairs.chunk_by(|a, b| a == b) {
        overlap.push((run.len() as u64, run[0].0 as usize, run[0].1 as usize));
    }
    drop(pairs);
    let pinned: Vec<bool> = (0..old_k).map(|t| frame.pinned.binary_search(&t).is_ok()).collect();
    overlap.sort_by(|a, b| pinned[b.2].cmp(&pinned[a.2]).then(b.0.cmp(&a.0)).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut slot_of_group = vec![usize::MAX; groups_k];
    let mut taken = vec![false; old_k];
    for (g, slot) in slot_of_group.iter_mut().enumerate() {
        if let Some(t) = home_of_group.get(g).copied().flatten() {
            *slot = t;
            taken[t] = true;
        }
    }
    let mut group_size = vec![0u64; groups_k];
    for &g in groups {
        group_size[g as usize] += 1;
    }
    let take = |g: usize, t: usize, slot_of_group: &mut [usize], taken: &mut [bool]| {
        if slot_of_group[g] == usize::MAX && !taken[t] {
            slot_of_group[g] = t;
            taken[t] = true;
        }
    };
    // Pinned territories first, by overlap; a pinned territory that shares no account
    // with a group still left goes to the first such group.
    let split = overlap.partition_point(|o| pinned[o.2]);
    for &(_, g, t) in &overlap[..split] {
        take(g, t, &mut slot_of_group, &mut taken);
    }
    for t in (0..old_k).filter(|&t| pinned[t] && open(t)) {
        if let Some(g) = (0..groups_k).find(|&g| slot_of_group[g] == usize::MAX) {
            take(g, t, &mut slot_of_group, &mut taken);
        }
    }
    for &(overlap, g, t) in &overlap[split..] {
        if overlap * NAME_SHARE >= group_size[g] {
            take(g, t, &mut slot_of_group, &mut taken);
        }
    }
    // A group left without accounts takes any territory still free (overlap 0 is
    // "real" for it).
    for g in (0..groups_k).filter(|&g| group_size[g] == 0) {
        if let Some(t) = (0..old_k).find(|&t| open(t) && !taken[t] && !pinned[t]) {
            take(g, t, &mut slot_of_group, &mut taken);
        }
    }
    // The groups still without a name: their main city, counted in one pass.
    let unnamed: Vec<usize> = (0..groups_k).filter(|&g| slot_of_group[g] == usize::MAX).collect();
    let mut row_of = vec![usize::MAX; groups_k];
    for (r, &g) in unnamed.iter().enumerate() {
        row_of[g] = r;
    }
    let mut cities: Vec<std::collections::BTreeMap<&str, usize>> = vec![Default::default(); unnamed.len()];
    for (j, &v) in free.iter().enumerate() {
        let r = row_of[groups[j] as usize];
        if r != usize::MAX
            && let Some(c) = plan.accounts.get(v).city.filter(|c| !c.trim().is_empty())
        {
            *cities[r].entry(c.trim()).or_default() += 1;
        }
    }
    let mut territories = plan.territories.clone();
    let mut names: ahash::AHashSet<String> = territories.iter().filter(|t| t.alive).map(|t| t.name.clone()).collect();
    let mut ids = crate::model::TerritoryIds::of(&territories);
    // The colours of the territories that stay, each once: a new territory's colour is
    // the one least like them.
    let mut staying: Vec<Rgb> = territories
        .iter()
        .enumerate()
        .filter(|&(t, tt)| tt.alive && (taken[t] || locked[t]))
        .map(|(_, tt)| tt.color)
        .collect();
    staying.sort_unstable_by_key(|c| c.0);
    staying.dedup();
    for (g, cities) in unnamed.into_iter().zip(cities) {
        let base = cities
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map_or_else(|| "New territory".to_owned(), |(c, _)| format!("{c} area"));
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base} {n}");
            n += 1;
        }
        names.insert(name.clone());
        let color = distinct_color(&staying);
        if let Err(at) = staying.binary_search_by_key(&color.0, |c| c.0) {
            staying.insert(at, color);
        }
        territories.push(Territory::new(ids.fresh(&name), name, color));
        slot_of_group[g] = territories.len() - 1;
    }
    for t in 0..old_k {
        if territories[t].alive && !locked[t] && !taken[t] {
            territories[t].alive = false;
        }
    }
    (territories, slot_of_group)
}

/// Step 4 (after step 3, [`make_whole`]): Balance to the tolerance, then rounds of polish
/// and Balance while polish still moves accounts. Returns the mean workload.
fn balance_and_polish(
    st: &mut State,
    live: &[bool],
    tol: f64,
    progress: Option<&Progress>,
    step: &dyn Fn(u64),
) -> Result<f64, OptimizeError> {
    let mean = st.mean_per_capacity(Dim::Workload, |t| live[t]);
    st.balance(Target::Workload, (mean, 0.0), tol, progress)?;
    for round in 0..POLISH_ROUNDS {
        if progress.is_some_and(Progress::is_cancelled) {
            return Err(OptimizeError::Cancelled);
        }
        let moved = st.polish(&[(Dim::Workload, mean)], tol * POLISH_MARGIN, false);
        st.balance(Target::Workload, (mean, 0.0), tol, progress)?;
        step(60 + round * 3);
        if moved < 1 + st.owner.len() / POLISH_SETTLED {
            break;
        }
    }
    st.balance(Target::Workload, (mean, 0.0), tol, progress)?;
    Ok(mean)
}
