//! The working state of both jobs: owners, loads and centre sums per territory, and the
//! one move that keeps them all up to date.

use super::*;

/// The working state: owners, loads and centre sums, with the moves it allows.
pub(super) struct State<'a> {
    pub(super) adj: &'a Adjacency,
    pub(super) pos: Vec<[f64; 3]>,
    pub(super) w: Vec<i64>,
    pub(super) p: Vec<i64>,
    /// Each account's territory, as in [`Plan::assignment`].
    pub(super) owner: Vec<Option<TerritoryIdx>>,
    pub(super) original: Vec<Option<TerritoryIdx>>,
    pub(super) fixed: Vec<bool>,
    /// Territories that may give and receive.
    pub(super) active: Vec<bool>,
    /// Each territory's capacity ([`Territory::capacity`]): its target is the mean per
    /// unit of capacity times this ([`State::target`]).
    pub(super) capacity: Vec<f64>,
    pub(super) load_w: Vec<i64>,
    pub(super) load_p: Vec<i64>,
    pub(super) sum: Vec<[f64; 3]>,
    pub(super) count: Vec<u64>,
    /// Moved so far relative to `original`: accounts, workload, potential.
    pub(super) moved: (i64, i64, i64),
    pub(super) totals: (i64, i64, i64),
    pub(super) budget: Budget,
    pub(super) budget_hit: bool,
    pub(super) seed: u64,
    /// Accounts by (territory, island).
    pub(super) island_count: PairTable<u32>,
    /// Whether a territory may reach onto another island.
    pub(super) jumps: Jumps,
    /// (territory, island) pairs of the starting plan, for [`Jumps::Back`].
    pub(super) was_on: ahash::AHashSet<(u32, u32)>,
    /// A rep's home that stands for a territory's centre (Redraw around homes).
    pub(super) home: Vec<Option<[f64; 3]>>,
    /// Borders (from, to) where a planned flow could not move anything.
    pub(super) blocked: ahash::AHashSet<(u32, u32)>,
    /// Cancel, checked inside the long loops too.
    pub(super) progress: Option<&'a Progress>,
    /// With travel on: what an account's workload adds in each territory.
    pub(super) travel: Option<TravelState>,
    /// The territories the run's means are taken over (live, and in its region).
    pub(super) scope: Vec<bool>,
}

/// Travel in the optimizer: an account's workload in territory `t` is its visits plus
/// its drive from `t`'s start ([`crate::model::Travel::leg_between`], the editor's own
/// definition), so that loads here are the panel's.
pub(super) struct TravelState {
    pub(super) travel: crate::model::Travel,
    pub(super) units: Vec<[f64; 3]>,
    pub(super) visits: Vec<u32>,
    /// Each territory's start (home, or stored centre) as a unit vector.
    pub(super) anchor: Vec<Option<[f64; 3]>>,
}

/// A value per (territory, island): dense while the table is small, a hash map once
/// territories × islands would be large (10,000 territories over scattered accounts
/// have thousands of islands), so that memory follows what is present.
pub(super) struct PairTable<T: Copy> {
    pub(super) cols: usize,
    pub(super) dense: Vec<T>,
    pub(super) sparse: ahash::AHashMap<(u32, u32), T>,
    pub(super) default: T,
}

impl<T: Copy> PairTable<T> {
    /// Dense up to this many cells.
    const DENSE_MAX: usize = 1 << 22;

    pub(super) fn new(rows: usize, cols: usize, default: T) -> Self {
        let cells = rows.saturating_mul(cols);
        let dense = if cells <= Self::DENSE_MAX { vec![default; cells] } else { Vec::new() };
        PairTable { cols, dense, sparse: ahash::AHashMap::new(), default }
    }

    pub(super) fn get(&self, row: usize, col: usize) -> T {
        if self.dense.is_empty() {
            self.sparse.get(&(row as u32, col as u32)).copied().unwrap_or(self.default)
        } else {
            self.dense[row * self.cols + col]
        }
    }

    pub(super) fn get_mut(&mut self, row: usize, col: usize) -> &mut T {
        if self.dense.is_empty() {
            self.sparse.entry((row as u32, col as u32)).or_insert(self.default)
        } else {
            &mut self.dense[row * self.cols + col]
        }
    }
}

impl<'a> State<'a> {
    pub(super) fn new(
        plan: &Plan,
        adj: &'a Adjacency,
        owner: Vec<Option<TerritoryIdx>>,
        fixed: Vec<bool>,
        active: Vec<bool>,
        seed: u64,
    ) -> Self {
        let k = active.len();
        let pos: Vec<[f64; 3]> = plan.accounts.positions().map(quality::unit_vector).collect();
        let w: Vec<i64> = (0..plan.accounts.len()).map(|i| plan.accounts.workload(i).0).collect();
        let p: Vec<i64> = plan.accounts.potential().iter().map(|c| c.0).collect();
        let capacity = (0..k).map(|t| plan.territories.get(t).map_or(1.0, |x| x.capacity)).collect();
        let travel = plan.travel.map(|travel| TravelState {
            travel,
            units: plan.accounts.positions().map(crate::model::unit).collect(),
            visits: plan.accounts.visits_per_year().to_vec(),
            anchor: (0..k)
                .map(|t| plan.territories.get(t).and_then(crate::model::anchor).map(crate::model::unit))
                .collect(),
        });
        let mut s = State {
            travel,
            scope: Vec::new(),
            adj,
            capacity,
            totals: (plan.accounts.len() as i64, w.iter().sum(), p.iter().sum()),
            pos,
            w,
            p,
            original: owner.clone(),
            owner,
            fixed,
            active,
            load_w: vec![0; k],
            load_p: vec![0; k],
            sum: vec![[0.0; 3]; k],
            count: vec![0; k],
            moved: (0, 0, 0),
            budget: Budget::default(),
            budget_hit: false,
            seed,
            island_count: PairTable::new(0, 0, 0),
            jumps: Jumps::Never,
            was_on: ahash::AHashSet::new(),
            home: Vec::new(),
            blocked: ahash::AHashSet::new(),
            progress: None,
        };
        s.recount();
        s
    }

    pub(super) fn cancelled(&self) -> bool {
        self.progress.is_some_and(Progress::is_cancelled)
    }

    pub(super) fn recount(&mut self) {
        let k = self.active.len();
        self.load_w = vec![0; k];
        self.load_p = vec![0; k];
        self.sum = vec![[0.0; 3]; k];
        self.count = vec![0; k];
        let islands = self.adj.islands();
        self.island_count = PairTable::new(k, islands, 0);
        for v in 0..self.owner.len() {
            if let Some(o) = self.owner[v].map(TerritoryIdx::get) {
                *self.island_count.get_mut(o, self.adj.island_of(self.adj.site_of(v))) += 1;
                self.load_w[o] += self.w[v] + self.trip(v, o);
                self.load_p[o] += self.p[v];
                for d in 0..3 {
                    self.sum[o][d] += self.pos[v][d];
                }
                self.count[o] += 1;
            }
        }
    }

    /// Territory `t`'s target when the mean per unit of capacity is `mean`.
    #[inline]
    pub(super) fn target(&self, mean: f64, t: usize) -> f64 {
        mean * self.capacity[t]
    }

    /// The load of `dim` per unit of capacity over the territories `keep` picks: what
    /// a territory of capacity 1.0 should carry (the mean when all capacities are 1.0).
    pub(super) fn mean_per_capacity(&self, dim: Dim, keep: impl Fn(usize) -> bool) -> f64 {
        let (load, cap) = (0..self.active.len())
            .filter(|&t| keep(t))
            .fold((0.0, 0.0), |(l, c), t| (l + self.load(dim, t) as f64, c + self.capacity[t]));
        if cap > 0.0 { load / cap } else { 0.0 }
    }

    pub(super) fn load(&self, dim: Dim, t: usize) -> i64 {
        match dim {
            Dim::Workload => self.load_w[t],
            Dim::Potential => self.load_p[t],
        }
    }

    /// Account `v`'s travel minutes in territory `t` (0 with travel off).
    #[inline]
    pub(super) fn trip(&self, v: usize, t: usize) -> i64 {
        match &self.travel {
            Some(ts) => ts
                .anchor
                .get(t)
                .copied()
                .flatten()
                .map_or(0, |a| ts.travel.leg_between(ts.visits[v], &ts.units[v], &a).minutes),
            None => 0,
        }
    }

    /// Gives territory `t` a start (a unit vector) and recounts the loads.
    /// With travel on, each live territory that `which` picks and that has no rep's
    /// home starts its drives from its accounts' centre now, as the editor's Recentre
    /// sets it ([`crate::metrics::Totals::center_lon_lat`] of the current owners),
    /// stored in `territories` so that Apply keeps what was balanced: Balance does this
    /// first, Redraw once its territories are drawn. O(N).
    pub(super) fn recentre(
        &mut self,
        accounts: &crate::model::Accounts,
        territories: &mut [Territory],
        which: impl Fn(usize) -> bool,
    ) {
        if self.travel.is_none() {
            return;
        }
        let m = Metrics::of_assignment(accounts, territories.len(), &self.owner);
        for (t, tt) in territories.iter_mut().enumerate() {
            if tt.alive
                && tt.rep_home.is_none()
                && which(t)
                && let Some(c) = m.territories.get(t).and_then(crate::metrics::Totals::center_lon_lat)
            {
                tt.centre = Some(c);
                self.set_anchor(t, Some(crate::model::unit(c)));
            }
        }
        self.recount();
    }

    pub(super) fn set_anchor(&mut self, t: usize, anchor: Option<[f64; 3]>) {
        if let Some(ts) = &mut self.travel {
            if ts.anchor.len() <= t {
                ts.anchor.resize(t + 1, None);
            }
            ts.anchor[t] = anchor;
        }
    }

    /// Account `v`'s weight where it is now (with travel, its workload there).
    pub(super) fn weight(&self, dim: Dim, v: usize) -> i64 {
        match dim {
            Dim::Workload => self.w[v] + self.owner[v].map_or(0, |o| self.trip(v, o.get())),
            Dim::Potential => self.p[v],
        }
    }

    /// The territory's centre: its accounts' mean, or its rep's home when it is grown
    /// around one (so that polish and balance keep it around the home).
    pub(super) fn centre(&self, t: usize) -> [f64; 3] {
        if let Some(h) = self.home.get(t).copied().flatten() {
            return h;
        }
        let s = self.sum[t];
        let n = (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).sqrt();
        if n > 0.0 { [s[0] / n, s[1] / n, s[2] / n] } else { [0.0, 0.0, 1.0] }
    }

    pub(super) fn within_budget(&self, v: usize, to: TerritoryIdx) -> bool {
        let b = self.budget;
        if b.accounts.is_none() && b.workload.is_none() && b.potential.is_none() {
            return true;
        }
        let (mut n, mut w, mut p) = self.moved;
        let was = self.owner[v] != self.original[v];
        let will = Some(to) != self.original[v];
        let d = i64::from(will) - i64::from(was);
        n += d;
        w += d * self.w[v];
        p += d * self.p[v];
        let ok = |x: i64, t: i64, lim: Option<f64>| lim.is_none_or(|l| t <= 0 || x as f64 <= l * t as f64 + 1e-9);
        ok(n, self.totals.0, b.accounts) && ok(w, self.totals.1, b.workload) && ok(p, self.totals.2, b.potential)
    }

    /// Moves account `v` to `to`, keeping loads, centre sums, island counts and what
    /// moved up to date: O(1).
    pub(super) fn do_move(&mut self, v: usize, to: TerritoryIdx) {
        let from = self.owner[v];
        let was = from != self.original[v];
        let will = Some(to) != self.original[v];
        let d = i64::from(will) - i64::from(was);
        self.moved.0 += d;
        self.moved.1 += d * self.w[v];
        self.moved.2 += d * self.p[v];
        if let Some(f) = from.map(TerritoryIdx::get) {
            self.load_w[f] -= self.w[v] + self.trip(v, f);
            self.load_p[f] -= self.p[v];
            for dd in 0..3 {
                self.sum[f][dd] -= self.pos[v][dd];
            }
            self.count[f] -= 1;
            *self.island_count.get_mut(f, self.adj.island_of(self.adj.site_of(v))) -= 1;
        }
        let t = to.get();
        self.load_w[t] += self.w[v] + self.trip(v, t);
        self.load_p[t] += self.p[v];
        for dd in 0..3 {
            self.sum[t][dd] += self.pos[v][dd];
        }
        self.count[t] += 1;
        *self.island_count.get_mut(t, self.adj.island_of(self.adj.site_of(v))) += 1;
        self.owner[v] = Some(to);
    }

    pub(super) fn can_move(&self, v: usize) -> bool {
        // Optimizers move assigned accounts only; an inactive territory (locked, or
        // one the run was told to keep) holds its accounts.
        let o = self.owner[v];
        o.is_some() && crate::model::may_move(self.fixed[v], o, |t| !self.active[t.get()])
    }

    pub(super) fn into_assignment(self) -> Vec<Option<TerritoryIdx>> {
        self.owner
    }
}
