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
    // Several attempts from different k-means seeds on smaller plans; the best wins:
    // within tolerance first, then fewest extra pieces, then most compact.
    let attempts: u64 = match plan.accounts.len() {
        0..=30_000 => 4,
        30_001..=200_000 => 2,
        _ => 1,
    };
    let mut best: Option<((bool, usize, f64), Proposal)> = None;
    for i in 0..attempts {
        let span = (i * 100 / attempts, (i + 1) * 100 / attempts);
        let p = redraw_once(plan, adj, opts, opts.seed.wrapping_add(i.wrapping_mul(0x9E37)), progress, span)?;
        if attempts == 1 {
            return Ok(p);
        }
        let after = p.apply_to(plan);
        let pieces = quality::pieces(&after, adj);
        let islands = quality::islands_reached(&after, adj);
        let extra: usize =
            after.live_territories().map(|(t, _)| pieces[t.get()].saturating_sub(islands[t.get()])).sum();
        let key = (!p.tolerance_reached, extra, quality::compactness(&after).overall);
        let better = best.as_ref().is_none_or(|(b, _)| {
            key.0.cmp(&b.0).then(key.1.cmp(&b.1)).then(key.2.total_cmp(&b.2)) == std::cmp::Ordering::Less
        });
        if better {
            best = Some((key, p));
        }
    }
    best.map(|(_, p)| p).ok_or(OptimizeError::NoTerritories)
}

pub(super) fn redraw_once(
    plan: &Plan,
    adj: &Adjacency,
    opts: &RedrawOptions,
    seed: u64,
    progress: Option<&Progress>,
    span: (u64, u64),
) -> Result<Proposal, OptimizeError> {
    let set_progress = |p: Option<&Progress>, x: u64| set_progress(p, span.0 + x * (span.1 - span.0) / 100);
    check_tolerance(opts.tolerance)?;
    let n = plan.accounts.len();
    let old_k = plan.territories.len();
    let locked = locked_slots(plan, &opts.locked_territories);
    let locked_live: Vec<usize> = (0..old_k).filter(|&t| plan.territories[t].alive && locked[t]).collect();
    let free_k = opts
        .territories
        .checked_sub(locked_live.len())
        .filter(|&f| f > 0)
        .ok_or(OptimizeError::TooFewTerritories { needed: locked_live.len() + 1, locked: locked_live.len() })?;
    let fixed = fixed_accounts(plan, &opts.locked_accounts);
    let old = plan.assignment.clone();
    // Accounts that stay where they are: locked ones, and those of locked territories.
    let stays: Vec<bool> = (0..n).map(|v| !crate::model::may_move(fixed[v], old[v], |t| locked[t.get()])).collect();
    let free: Vec<usize> = (0..n).filter(|&v| !stays[v]).collect();
    // Old territories with locked accounts must survive.
    let mut pinned: Vec<usize> =
        (0..n).filter(|&v| fixed[v]).filter_map(|v| old[v].map(TerritoryIdx::get)).filter(|&t| !locked[t]).collect();
    pinned.sort_unstable();
    pinned.dedup();
    if pinned.len() > free_k {
        return Err(OptimizeError::TooManyPinned(pinned.len(), free_k));
    }
    // Reps' homes: each grows a territory of its own.
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
    let mut home_of_group: Vec<Option<usize>> = vec![None; free_k];
    set_progress(progress, 2);
    let pos: Vec<[f64; 3]> = plan.accounts.positions().map(quality::unit_vector).collect();
    let wts: Vec<f64> = (0..plan.accounts.len()).map(|i| plan.accounts.workload(i).0 as f64).collect();
    // 1. Balanced k-means on a sample, then on all free accounts.
    let groups: Vec<u32> = if free.is_empty() {
        Vec::new()
    } else {
        let stride = free.len().div_ceil(60_000).max(1);
        let sample: Vec<usize> = free.iter().copied().step_by(stride).collect();
        let spts: Vec<[f64; 3]> = sample.iter().map(|&v| pos[v]).collect();
        let sw: Vec<f64> = sample.iter().map(|&v| wts[v]).collect();
        // Plain k-means first (its centres are where compact territories sit), then
        // the balanced version from there.
        let mut prices = Vec::new();
        let cancelled = || progress.is_some_and(Progress::is_cancelled);
        let (mut centres, _) = quality::kmeans(&spts, free_k.min(spts.len()), 5, seed, &cancelled);
        if cancelled() {
            return Err(OptimizeError::Cancelled);
        }
        for c in &mut centres {
            let norm = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
            if norm > 0.0 {
                *c = [c[0] / norm, c[1] / norm, c[2] / norm];
            }
        }
        // Reps' homes replace the nearest k-means centres and stay where they are.
        let mut fixed_centres = vec![false; centres.len()];
        for &(slot, home) in &homes {
            let free_centre = (0..centres.len())
                .filter(|&c| !fixed_centres[c])
                .min_by(|&a, &b| d2(&home, &centres[a]).total_cmp(&d2(&home, &centres[b])).then(a.cmp(&b)));
            if let Some(c) = free_centre {
                centres[c] = home;
                fixed_centres[c] = true;
                home_of_group[c] = Some(slot);
            }
        }
        balanced_kmeans(&spts, &sw, &mut centres, &mut prices, (20, 40), &fixed_centres, progress)?;
        set_progress(progress, 25);
        let fpts: Vec<[f64; 3]> = free.iter().map(|&v| pos[v]).collect();
        let fw: Vec<f64> = free.iter().map(|&v| wts[v]).collect();
        let labels = balanced_kmeans(&fpts, &fw, &mut centres, &mut prices, (1, 60), &fixed_centres, progress)?;
        set_progress(progress, 40);
        labels
    };
    // Pricing returns early on a cancel; what follows is O(N) before its next check.
    if progress.is_some_and(Progress::is_cancelled) {
        return Err(OptimizeError::Cancelled);
    }
    let groups_k = if free.is_empty() { 0 } else { free_k.min(free.len()) };
    // Each home's nearest free account anchors its territory: it joins the home's group
    // and never moves afterwards (Balance and polish follow the territories' means,
    // which can lie far from the home).
    let mut groups = groups;
    let mut anchors = Vec::new();
    for &(slot, home) in &homes {
        let Some(g) = home_of_group.iter().position(|&h| h == Some(slot)) else { continue };
        let nearest = (0..free.len())
            .min_by(|&a, &b| d2(&pos[free[a]], &home).total_cmp(&d2(&pos[free[b]], &home)).then(a.cmp(&b)));
        if let Some(j) = nearest {
            groups[j] = g as u32;
            anchors.push(free[j]);
        }
    }
    // 2. Names: match groups to old unlocked live territories by overlap, pinned first.
    let mut overlap: Vec<(u64, usize, usize)> = Vec::new();
    {
        let mut count = vec![0u64; groups_k * old_k.max(1)];
        for (j, &v) in free.iter().enumerate() {
            if let Some(t) = old[v] {
                count[groups[j] as usize * old_k + t.get()] += 1;
            }
        }
        for g in 0..groups_k {
            for t in 0..old_k {
                if plan.territories[t].alive && !locked[t] {
                    overlap.push((count[g * old_k + t], g, t));
                }
            }
        }
    }
    let pinned_set: Vec<bool> = (0..old_k).map(|t| pinned.binary_search(&t).is_ok()).collect();
    overlap.sort_by(|a, b| {
        pinned_set[b.2].cmp(&pinned_set[a.2]).then(b.0.cmp(&a.0)).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    });
    let mut slot_of_group = vec![usize::MAX; groups_k];
    let mut taken = vec![false; old_k];
    // A territory grown around a rep's home keeps that rep's territory.
    for (g, slot) in slot_of_group.iter_mut().enumerate() {
        if let Some(t) = home_of_group.get(g).copied().flatten() {
            *slot = t;
            taken[t] = true;
        }
    }
    let mut group_size = vec![0u64; groups_k];
    for &g in &groups {
        group_size[g as usize] += 1;
    }
    for &(overlap, g, t) in &overlap {
        // A name is carried over only where the old territory really was (a fifth of
        // the new one's accounts at least), or where locked accounts pin it.
        let real = overlap * 5 >= group_size[g] || pinned_set[t];
        if real && slot_of_group[g] == usize::MAX && !taken[t] {
            slot_of_group[g] = t;
            taken[t] = true;
        }
    }
    let mut territories = plan.territories.clone();
    for (g, slot) in slot_of_group.iter_mut().enumerate() {
        if *slot == usize::MAX {
            // A new territory is named after the city most of its accounts are in.
            let mut cities: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
            for (j, &v) in free.iter().enumerate() {
                if groups[j] as usize == g
                    && let Some(c) = plan.accounts.get(v).city.filter(|c| !c.trim().is_empty())
                {
                    *cities.entry(c.trim()).or_default() += 1;
                }
            }
            let base = cities
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or_else(|| "New territory".to_owned(), |(c, _)| format!("{c} area"));
            let mut name = base.clone();
            let mut n = 2;
            while territories.iter().any(|t| t.alive && t.name == name) {
                name = format!("{base} {n}");
                n += 1;
            }
            let probe = Plan { territories: territories.clone(), ..Plan::default() };
            // A colour unlike those of the territories that stay (kept, locked or new).
            let staying: Vec<Rgb> = territories
                .iter()
                .enumerate()
                .filter(|&(t, tt)| t >= old_k || (tt.alive && (taken[t] || locked[t])))
                .map(|(_, tt)| tt.color)
                .collect();
            territories.push(Territory::new(probe.fresh_territory_id(&name), name, distinct_color(&staying)));
            *slot = territories.len() - 1;
        }
    }
    // Old unlocked territories that no group took are deleted.
    for t in 0..old_k {
        if territories[t].alive && !locked[t] && !taken[t] {
            territories[t].alive = false;
        }
    }
    let k = territories.len();
    let mut owner = old.clone();
    for (j, &v) in free.iter().enumerate() {
        owner[v] = Some(TerritoryIdx(slot_of_group[groups[j] as usize] as u32));
    }
    let active: Vec<bool> = (0..k).map(|t| territories[t].alive && !(t < old_k && locked[t])).collect();
    let mut stays = stays;
    for &v in &anchors {
        stays[v] = true;
    }
    let mut st = State::new(plan, adj, owner, stays, active, seed);
    st.progress = progress;
    st.jumps = Jumps::Anywhere;
    st.home = vec![None; k];
    for &(slot, home) in &homes {
        st.home[slot] = Some(home);
    }
    st.original = old;
    // 3. One piece.
    make_whole(&mut st, progress)?;

    set_progress(progress, 55);
    // 4. Balance and polish.
    let live: Vec<bool> = territories.iter().map(|t| t.alive).collect();
    let live_count = live.iter().filter(|&&l| l).count().max(1);
    let total_w: f64 = (0..k).filter(|&t| live[t]).map(|t| st.load_w[t] as f64).sum();
    let mean = total_w / live_count as f64;
    let tol = opts.tolerance;
    st.balance(Target::Workload, (mean, 0.0), tol, progress)?;

    for pass in 0..12 {
        if progress.is_some_and(Progress::is_cancelled) {
            return Err(OptimizeError::Cancelled);
        }
        let moved = st.polish(&[(Dim::Workload, mean * (1.0 - tol * 0.85), mean * (1.0 + tol * 0.85))], false);
        st.balance(Target::Workload, (mean, 0.0), tol, progress)?;
        set_progress(progress, 60 + pass * 3);

        if moved < 1 + n / 2000 {
            break;
        }
    }
    st.balance(Target::Workload, (mean, 0.0), tol, progress)?;
    set_progress(progress, 100);
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
    })
}
