//! Why Balance or Redraw ended outside the tolerance: the fixed list of reasons, and how
//! the working state finds them.

use super::*;

/// Why Balance or Redraw ended outside the tolerance: a fixed list, documented in the
/// README, so that a proposal never says only "not reached".
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// A locked territory is itself outside the tolerance: it neither gives nor
    /// receives, so nothing can bring it within. `deviation`: (load − mean) / mean.
    LockedOutside { territory: TerritoryIdx, dimension: Target, deviation: f64 },
    /// Accounts that may not move already hold more than the territory may.
    HeldByLocks(HeldOver),
    /// Locked territories cut the others into parts that cannot trade with each other,
    /// and this part's own mean is outside the tolerance.
    CutByLocks { part: Vec<TerritoryIdx>, dimension: Target, deviation: f64 },
    /// One movable account weighs more than the tolerance band is wide (2 × tolerance
    /// × mean): whole accounts cannot land inside it.
    AccountTooHeavy { account: u32, dimension: Target, share_of_band: f64 },
    /// The accounts on one island (a part of the data more than 150 km from the rest)
    /// weigh more than the territories on it may carry together, or less than the
    /// territories found only there need, and Balance adds no piece across a gap.
    /// `near`: an account on the island; `ratio`: its accounts' weight over what its
    /// territories may carry at the mean (above 1 + tolerance: too heavy; below
    /// 1 − tolerance: too light).
    Island { near: u32, territories: Vec<TerritoryIdx>, dimension: Target, ratio: f64 },
    /// The disruption budget was spent first.
    BudgetSpent,
    /// None of the above: the search found no further move that brings a territory
    /// closer without splitting one or adding a piece.
    NoMoveFound,
}

impl StopReason {
    /// One sentence for the user.
    pub fn describe(&self, plan_territories: &[Territory], tolerance: f64) -> String {
        let name =
            |t: &TerritoryIdx| plan_territories.get(t.get()).map_or("a territory", |t| t.name.as_str()).to_owned();
        let what = |d: &Target| if *d == Target::Potential { "potential" } else { "workload" };
        match self {
            StopReason::LockedOutside { territory, dimension, deviation } => format!(
                "{} is locked and {:+.1} % from the mean {}: unlock it or raise the tolerance.",
                name(territory),
                deviation * 100.0,
                what(dimension)
            ),
            StopReason::HeldByLocks(h) => h.describe(plan_territories, tolerance),
            StopReason::CutByLocks { part, dimension, deviation } => {
                let names: Vec<String> = part.iter().take(6).map(name).collect();
                let more = if part.len() > 6 { format!(" and {} more", part.len() - 6) } else { String::new() };
                format!(
                    "Locked territories cut off {}{more}: together {:+.1} % from the mean {}, and they can trade only among themselves.",
                    names.join(", "),
                    deviation * 100.0,
                    what(dimension)
                )
            }
            StopReason::AccountTooHeavy { share_of_band, dimension, .. } => format!(
                "An account alone carries {:.0} % of the ±{:.1} % band's width in {}: whole accounts cannot land inside it.",
                share_of_band * 100.0,
                tolerance * 100.0,
                what(dimension)
            ),
            StopReason::Island { territories, dimension, ratio, .. } => {
                let names: Vec<String> = territories.iter().take(6).map(name).collect();
                let more =
                    if territories.len() > 6 { format!(" and {} more", territories.len() - 6) } else { String::new() };
                let (how, whose) = if *ratio > 1.0 { ("more", "on it") } else { ("less", "found only there") };
                format!(
                    "The accounts on one island (more than 150 km from the rest) carry {:.0} % of the mean {} of the {} territories {whose} ({}{more}), {how} than the ±{:.1} % band allows, and Balance adds no piece across a gap: redraw, or assign a territory there by hand.",
                    ratio * 100.0,
                    what(dimension),
                    territories.len(),
                    names.join(", "),
                    tolerance * 100.0
                )
            }
            StopReason::BudgetSpent => "The disruption budget was spent before the tolerance was reached.".to_owned(),
            StopReason::NoMoveFound => {
                "No further move brings a territory closer without splitting one or adding a piece.".to_owned()
            }
        }
    }

    /// The reason's name in JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            StopReason::LockedOutside { .. } => "locked_outside",
            StopReason::HeldByLocks(_) => "held_by_locks",
            StopReason::CutByLocks { .. } => "cut_by_locks",
            StopReason::AccountTooHeavy { .. } => "account_too_heavy",
            StopReason::Island { .. } => "island",
            StopReason::BudgetSpent => "budget_spent",
            StopReason::NoMoveFound => "no_move_found",
        }
    }
}

impl HeldOver {
    /// One sentence for the user: which territory, and why no plan can balance it.
    pub fn describe(&self, territories: &[Territory], tolerance: f64) -> String {
        let name = territories.get(self.territory.get()).map_or("A territory", |t| t.name.as_str());
        let what = if self.dimension == Target::Potential { "potential" } else { "workload" };
        format!(
            "{name}'s accounts that must stay (locked, or kept in place for this run) already hold {:.1} % more \
             {what} than the mean: no plan brings it within ±{:.1} %. Let some of them move, or raise the tolerance.",
            self.above_mean * 100.0,
            tolerance * 100.0
        )
    }
}

/// A territory that locks hold above the tolerance: no plan can bring it within.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOver {
    pub territory: TerritoryIdx,
    /// [`Target::Workload`] or [`Target::Potential`].
    pub dimension: Target,
    /// The locked accounts' total over the territory's target, minus one (0.10: 10 %
    /// above it; the target is the mean when every capacity is 1.0).
    pub above_mean: f64,
}

impl<'a> State<'a> {
    /// Why the tolerance was not reached (it was not): every reason that holds, in the
    /// order of [`StopReason`]; [`StopReason::NoMoveFound`] when none does.
    pub(super) fn stop_reasons(&self, live: &[bool], dims: &[(Dim, f64)], tol: f64) -> Vec<StopReason> {
        let target = |d: Dim| if d == Dim::Potential { Target::Potential } else { Target::Workload };
        let mut out = Vec::new();
        for &(dim, mean) in dims {
            if mean <= 0.0 {
                continue;
            }
            for t in (0..live.len()).filter(|&t| live[t] && !self.active[t]) {
                let dev = self.load(dim, t) as f64 / self.target(mean, t) - 1.0;
                if dev.abs() > tol {
                    out.push(StopReason::LockedOutside {
                        territory: TerritoryIdx::new(t as u32),
                        dimension: target(dim),
                        deviation: dev,
                    });
                }
            }
        }
        out.extend(self.held_over(dims, tol).into_iter().map(StopReason::HeldByLocks));
        // Parts of the movable territories that locked ones cut apart (only when some
        // territory is locked: otherwise islands, not locks, separate them).
        if (0..live.len()).any(|t| live[t] && !self.active[t]) {
            let graph = self.territory_graph();
            let k = self.active.len();
            let mut part = vec![usize::MAX; k];
            let mut parts: Vec<Vec<usize>> = Vec::new();
            for start in (0..k).filter(|&t| self.active[t]) {
                if part[start] != usize::MAX {
                    continue;
                }
                let id = parts.len();
                let mut members = vec![start];
                part[start] = id;
                let mut i = 0;
                while i < members.len() {
                    for &(b, _) in &graph[members[i]] {
                        if part[b] == usize::MAX && self.active[b] {
                            part[b] = id;
                            members.push(b);
                        }
                    }
                    i += 1;
                }
                parts.push(members);
            }
            if parts.len() > 1 {
                for &(dim, mean) in dims {
                    for members in &parts {
                        let load: f64 = members.iter().map(|&t| self.load(dim, t) as f64).sum();
                        let goal: f64 = members.iter().map(|&t| self.target(mean, t)).sum();
                        let dev = load / goal - 1.0;
                        if mean > 0.0 && dev.abs() > tol {
                            out.push(StopReason::CutByLocks {
                                part: members.iter().map(|&t| TerritoryIdx::new(t as u32)).collect(),
                                dimension: target(dim),
                                deviation: dev,
                            });
                        }
                    }
                }
            }
        }
        // Islands only where no lock explains it already (a locked territory's share
        // also weighs on the others of its island).
        if self.jumps != Jumps::Anywhere && out.is_empty() {
            out.extend(self.islands_out_of_reach(dims, tol));
        }
        for &(dim, mean) in dims {
            let heaviest = (0..self.owner.len()).filter(|&v| self.can_move(v)).max_by_key(|&v| self.weight(dim, v));
            // The band of the account's own territory (its target ± the tolerance).
            let band = heaviest.and_then(|v| self.owner[v]).map_or(0.0, |o| 2.0 * tol * self.target(mean, o.get()));
            if let Some(v) = heaviest
                && band > 0.0
                && self.weight(dim, v) as f64 > band
            {
                out.push(StopReason::AccountTooHeavy {
                    account: v as u32,
                    dimension: target(dim),
                    share_of_band: self.weight(dim, v) as f64 / band,
                });
            }
        }
        if self.budget_hit {
            out.push(StopReason::BudgetSpent);
        }
        if out.is_empty() {
            out.push(StopReason::NoMoveFound);
        }
        out
    }

    /// Active territories whose fixed accounts alone weigh more than their target
    /// · (1 + tol).
    pub(super) fn held_over(&self, dims: &[(Dim, f64)], tol: f64) -> Vec<HeldOver> {
        let k = self.active.len();
        let mut out = Vec::new();
        for &(dim, mean) in dims {
            let mut fixed = vec![0i64; k];
            for v in 0..self.owner.len() {
                if let Some(o) = self.owner[v].filter(|_| self.fixed[v]) {
                    fixed[o.get()] += self.weight(dim, v);
                }
            }
            for t in (0..k).filter(|&t| self.active[t]) {
                if mean > 0.0 && fixed[t] as f64 > self.target(mean, t) * (1.0 + tol) {
                    let dimension = match dim {
                        Dim::Workload => Target::Workload,
                        Dim::Potential => Target::Potential,
                    };
                    out.push(HeldOver {
                        territory: TerritoryIdx::new(t as u32),
                        dimension,
                        above_mean: fixed[t] as f64 / self.target(mean, t) - 1.0,
                    });
                }
            }
        }
        out
    }

    /// Islands whose accounts the territories on them cannot carry within the
    /// tolerance (too heavy), or which cannot feed the territories found only there (too
    /// light), counting the starting plan's territories of each island: Balance adds no
    /// piece across a gap, so these are out of its reach.
    pub(super) fn islands_out_of_reach(&self, dims: &[(Dim, f64)], tol: f64) -> Vec<StopReason> {
        let target = |d: Dim| if d == Dim::Potential { Target::Potential } else { Target::Workload };
        // (territory, island) pairs of the starting plan, and the islands of each territory.
        let mut pairs: Vec<(u32, u32)> = (0..self.original.len())
            .filter_map(|v| {
                let t = self.original[v].filter(|t| self.active[t.get()])?;
                Some((self.adj.island_of(self.adj.site_of(v)) as u32, t.index()))
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut islands_of = vec![0usize; self.active.len()];
        for &(_, t) in &pairs {
            islands_of[t as usize] += 1;
        }
        let mut near = vec![u32::MAX; self.adj.islands()];
        let mut weight = vec![(0i64, 0i64); self.adj.islands()];
        for v in 0..self.owner.len() {
            if self.owner[v].is_some_and(|o| self.active[o.get()]) {
                let i = self.adj.island_of(self.adj.site_of(v));
                near[i] = near[i].min(v as u32);
                weight[i].0 += self.w[v];
                weight[i].1 += self.p[v];
            }
        }
        let mut out = Vec::new();
        for &(dim, mean) in dims {
            if mean <= 0.0 {
                continue;
            }
            for group in pairs.chunk_by(|a, b| a.0 == b.0) {
                let i = group[0].0 as usize;
                let w = if dim == Dim::Potential { weight[i].1 } else { weight[i].0 } as f64;
                let on: Vec<TerritoryIdx> = group.iter().map(|&(_, t)| TerritoryIdx::new(t)).collect();
                let only: Vec<TerritoryIdx> = on.iter().copied().filter(|t| islands_of[t.get()] == 1).collect();
                let goal = |ts: &[TerritoryIdx]| ts.iter().map(|t| self.target(mean, t.get())).sum::<f64>();
                let heavy = w / goal(&on);
                if heavy > 1.0 + tol {
                    out.push(StopReason::Island {
                        near: near[i],
                        territories: on,
                        dimension: target(dim),
                        ratio: heavy,
                    });
                } else if !only.is_empty() && w / goal(&only) < 1.0 - tol {
                    let ratio = w / goal(&only);
                    out.push(StopReason::Island { near: near[i], territories: only, dimension: target(dim), ratio });
                }
            }
        }
        out
    }
}
