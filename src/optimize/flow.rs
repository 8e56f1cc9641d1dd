//! The flow plan: the graph of territories, and the min-cost flow that decides how much
//! crosses each border (also the border-flow figure of the report).

use super::*;

/// A small flow network for [`State::flows`]: edges with a residual twin each.
pub(super) struct FlowNet {
    pub(super) nodes: usize,
    pub(super) edges: Vec<FlowEdge>,
    pub(super) out: Vec<Vec<usize>>,
}

pub(super) struct FlowEdge {
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) cap: f64,
    pub(super) cost: i64,
    pub(super) flow: f64,
}

impl FlowNet {
    pub(super) fn new(nodes: usize) -> Self {
        FlowNet { nodes, edges: Vec::new(), out: vec![Vec::new(); nodes] }
    }

    /// Adds an edge (at an even index) and its residual twin.
    pub(super) fn add(&mut self, from: usize, to: usize, cap: f64, cost: i64) {
        if cap <= 0.0 {
            return;
        }
        self.out[from].push(self.edges.len());
        self.edges.push(FlowEdge { from, to, cap, cost, flow: 0.0 });
        self.out[to].push(self.edges.len());
        self.edges.push(FlowEdge { from: to, to: from, cap: 0.0, cost: -cost, flow: 0.0 });
    }

    pub(super) fn residual(&self, e: usize) -> f64 {
        let x = &self.edges[e];
        if e.is_multiple_of(2) { x.cap - x.flow } else { self.edges[e - 1].flow }
    }

    /// Augments along cheapest paths while they cost less than nothing, by the
    /// primal–dual method: Dijkstra on costs reduced by node potentials (the first
    /// potentials from one queue-based Bellman–Ford pass, since the source's and
    /// sink's edges cost less than nothing) finds the cheapest path's cost; then a
    /// blocking flow (Dinic: BFS levels, DFS with edge pointers) saturates every
    /// path of that cost at once. The phases number the distinct path costs (a few
    /// tens), not the paths: 10,000 territories take a fraction of a second where one
    /// path a search took minutes. `stop` is asked between phases (Cancel).
    pub(super) fn min_cost_flow(&mut self, s: usize, t: usize, stop: &dyn Fn() -> bool) {
        const INF: i64 = i64::MAX / 4;
        const EPS: f64 = 1e-6;
        let n = self.nodes;
        let mut pot = vec![INF; n];
        pot[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        let mut queued = vec![false; n];
        queued[s] = true;
        let mut relaxations = 0usize;
        while let Some(u) = queue.pop_front() {
            queued[u] = false;
            for &e in &self.out[u] {
                let x = &self.edges[e];
                if self.residual(e) > EPS && pot[u] + x.cost < pot[x.to] {
                    pot[x.to] = pot[u] + x.cost;
                    if !queued[x.to] {
                        queued[x.to] = true;
                        queue.push_back(x.to);
                    }
                }
            }
            relaxations += 1;
            if relaxations.is_multiple_of(1 << 16) && stop() {
                return;
            }
        }
        let unreached = pot.iter().filter(|&&p| p < INF).max().copied().unwrap_or(0);
        for p in &mut pot {
            if *p == INF {
                *p = unreached;
            }
        }
        let mut dist = vec![INF; n];
        let mut level = vec![u32::MAX; n];
        let mut next_edge = vec![0usize; n];
        let (mut adm, mut adm_start) = (Vec::new(), Vec::with_capacity(n + 1));
        for _phase in 0..self.edges.len() + 10 {
            if stop() {
                return;
            }
            // Dijkstra on reduced costs (≥ 0).
            dist.iter_mut().for_each(|d| *d = INF);
            dist[s] = 0;
            let mut heap = BinaryHeap::from([Reverse((0i64, s))]);
            while let Some(Reverse((d, u))) = heap.pop() {
                if d > dist[u] {
                    continue;
                }
                for &e in &self.out[u] {
                    if self.residual(e) <= EPS {
                        continue;
                    }
                    let x = &self.edges[e];
                    let nd = d + (x.cost + pot[u] - pot[x.to]).max(0);
                    if nd < dist[x.to] {
                        dist[x.to] = nd;
                        heap.push(Reverse((nd, x.to)));
                    }
                }
            }
            if dist[t] == INF {
                return;
            }
            let dt = dist[t];
            for v in 0..n {
                pot[v] += dist[v].min(dt);
            }
            // The cheapest path's true cost: stop once it no longer pays.
            if pot[t] - pot[s] >= 0 {
                return;
            }
            // Blocking flows over the edges of reduced cost 0 (the cheapest paths). They
            // are listed once a phase (both ways of each pair: a twin of such an edge
            // costs 0 as well), so that the searches below walk them only.
            adm.clear();
            adm_start.clear();
            for u in 0..n {
                adm_start.push(adm.len());
                adm.extend(self.out[u].iter().copied().filter(|&e| {
                    let x = &self.edges[e];
                    x.cost + pot[u] == pot[x.to]
                }));
            }
            adm_start.push(adm.len());
            let zero = Admissible { start: &adm_start, edges: &adm };
            loop {
                level.iter_mut().for_each(|l| *l = u32::MAX);
                level[s] = 0;
                let mut bfs = std::collections::VecDeque::from([s]);
                while let Some(u) = bfs.pop_front() {
                    for &e in zero.of(u) {
                        let v = self.edges[e].to;
                        if level[v] == u32::MAX && self.residual(e) > EPS {
                            level[v] = level[u] + 1;
                            bfs.push_back(v);
                        }
                    }
                }
                if level[t] == u32::MAX {
                    break;
                }
                next_edge.iter_mut().for_each(|i| *i = 0);
                let mut pushed_any = false;
                loop {
                    let got = self.push(s, t, &level, &mut next_edge, &zero);
                    if got <= EPS {
                        break;
                    }
                    pushed_any = true;
                }
                if !pushed_any {
                    break;
                }
            }
        }
    }

    /// One augmenting path of the blocking flow, by DFS along rising levels over
    /// the phase's edges of reduced cost 0 that have room (iteratively: paths may be
    /// thousands of territories long).
    fn push(&mut self, s: usize, t: usize, level: &[u32], next_edge: &mut [usize], zero: &Admissible<'_>) -> f64 {
        const EPS: f64 = 1e-6;
        let mut path: Vec<usize> = Vec::new();
        let mut u = s;
        loop {
            if u == t {
                let amount = path.iter().fold(f64::INFINITY, |a, &e| a.min(self.residual(e)));
                for &e in &path {
                    if e.is_multiple_of(2) {
                        self.edges[e].flow += amount;
                    } else {
                        self.edges[e - 1].flow -= amount;
                    }
                }
                return amount;
            }
            let mut advanced = false;
            let out = zero.of(u);
            while next_edge[u] < out.len() {
                let e = out[next_edge[u]];
                let v = self.edges[e].to;
                if level[v] == level[u].wrapping_add(1) && self.residual(e) > EPS {
                    path.push(e);
                    u = v;
                    advanced = true;
                    break;
                }
                next_edge[u] += 1;
            }
            if !advanced {
                // A dead end: retreat, and skip the edge that led here.
                let Some(e) = path.pop() else { return 0.0 };
                u = self.edges[e].from;
                next_edge[u] += 1;
            }
        }
    }
}

/// The edges of reduced cost 0 of one phase of [`FlowNet::min_cost_flow`], by node.
struct Admissible<'a> {
    start: &'a [usize],
    edges: &'a [usize],
}

impl Admissible<'_> {
    fn of(&self, u: usize) -> &[usize] {
        &self.edges[self.start[u]..self.start[u + 1]]
    }
}

/// The territories of a flow plan, each after every territory that sends to it (ties
/// by index); what a cycle leaves (a min-cost flow has none) follows in index order.
pub(super) fn sources_first(k: usize, flows: &[(usize, usize, f64)]) -> Vec<usize> {
    let mut indegree = vec![0usize; k];
    let mut used = vec![false; k];
    for &(a, b, _) in flows {
        indegree[b] += 1;
        used[a] = true;
        used[b] = true;
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..k).filter(|&t| used[t] && indegree[t] == 0).map(Reverse).collect();
    let mut order = Vec::new();
    let mut placed = vec![false; k];
    while let Some(Reverse(t)) = ready.pop() {
        order.push(t);
        placed[t] = true;
        for &(_, b, _) in flows_from(flows, t) {
            indegree[b] -= 1;
            if indegree[b] == 0 {
                ready.push(Reverse(b));
            }
        }
    }
    order.extend((0..k).filter(|&t| used[t] && !placed[t]));
    order
}

/// The flows out of territory `t`, from a flow plan sorted by (from, to) as
/// [`State::flows`] returns it: O(log flows), so that ordering and realising a plan
/// stays O(flows log flows) at 10,000 territories.
pub(super) fn flows_from(flows: &[(usize, usize, f64)], t: usize) -> &[(usize, usize, f64)] {
    let start = flows.partition_point(|f| f.0 < t);
    let end = start + flows[start..].partition_point(|f| f.0 == t);
    &flows[start..end]
}

impl<'a> State<'a> {
    /// The neighbours of each active territory, with the cost of crossing: 1 for a
    /// shared border, 3 for a jump to another island (when allowed).
    pub(super) fn territory_graph(&self) -> Vec<Vec<(usize, i64)>> {
        let k = self.active.len();
        // Sparse: a territory borders a handful of others, whatever their number.
        let mut cost: ahash::AHashMap<(u32, u32), i64> = ahash::AHashMap::new();
        for s in 0..self.adj.sites() {
            if s % 65_536 == 0 && self.cancelled() {
                return vec![Vec::new(); k];
            }
            for &a in self.adj.accounts_at(s) {
                let Some(oa) = self.owner[a as usize].filter(|t| self.active[t.get()]) else { continue };
                let mut mark = |ob: Option<TerritoryIdx>, c: i64| {
                    if let Some(ob) = ob
                        && ob != oa
                        && self.active[ob.get()]
                    {
                        for (x, y) in [(oa.index(), ob.index()), (ob.index(), oa.index())] {
                            let e = cost.entry((x, y)).or_insert(0);
                            if *e == 0 || c < *e {
                                *e = c;
                            }
                        }
                    }
                };
                for &b in self.adj.accounts_at(s) {
                    mark(self.owner[b as usize], 1);
                }
                for &n in self.adj.neighbours(s) {
                    if n as usize > s {
                        for &b in self.adj.accounts_at(n as usize) {
                            mark(self.owner[b as usize], 1);
                        }
                    }
                }
                if self.jumps != Jumps::Never {
                    let island = self.adj.island_of(s);
                    for &n in self.adj.far_neighbours(s) {
                        for &b in self.adj.accounts_at(n as usize) {
                            if let Some(ob) = self.owner[b as usize]
                                && self.may_jump(ob.get(), island)
                            {
                                let c = cost.entry((oa.index(), ob.index())).or_insert(0);
                                if *c == 0 {
                                    *c = 3;
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut graph: Vec<Vec<(usize, i64)>> = vec![Vec::new(); k];
        for (&(a, b), &c) in &cost {
            if c > 0 && !self.blocked.contains(&(a, b)) {
                graph[a as usize].push((b as usize, c));
            }
        }
        // The map's order is arbitrary: sorted, the same input gives the same flows.
        for g in &mut graph {
            g.sort_unstable();
        }
        graph
    }

    /// The flow plan: (from, to, amount) per border, bringing the loads into [lo, hi]
    /// with the least workload × borders crossed. `graph[a]` lists (b, cost) of a's
    /// neighbours. A min-cost flow, solved by successive shortest paths (Bellman–Ford)
    /// on the territories plus a source and a sink: what must leave (above `hi`) and
    /// what must arrive (below `lo`) sit on edges of cost −M, so they are routed
    /// first and, where possible, straight to each other; what may leave or arrive
    /// within [lo, hi] costs 0; crossing a border costs its cost.
    pub(super) fn flows(
        &self,
        dim: Dim,
        graph: &[Vec<(usize, i64)>],
        bounds: &[(f64, f64)],
    ) -> Vec<(usize, usize, f64)> {
        let k = self.active.len();
        let (src, snk) = (k, k + 1);
        let mut net = FlowNet::new(k + 2);
        let must: i64 = 1 << 40;
        let mut any_must = false;
        for (t, &(lo, hi)) in bounds.iter().enumerate() {
            if !self.active[t] {
                continue;
            }
            let l = self.load(dim, t) as f64;
            let (min_in, max_in) = (lo - l, hi - l);
            if max_in < 0.0 {
                net.add(src, t, -max_in, -must);
                net.add(src, t, max_in - min_in, 0);
                any_must = true;
            } else if min_in > 0.0 {
                net.add(t, snk, min_in, -must);
                net.add(t, snk, max_in - min_in, 0);
                any_must = true;
            } else {
                net.add(src, t, -min_in, 0);
                net.add(t, snk, max_in, 0);
            }
        }
        if !any_must {
            return Vec::new();
        }
        let border_edges = net.edges.len();
        for (a, nbs) in graph.iter().enumerate() {
            for &(b, c) in nbs {
                net.add(a, b, f64::INFINITY, c);
            }
        }
        net.min_cost_flow(src, snk, &|| self.cancelled());
        let mut by_pair: ahash::AHashMap<(usize, usize), f64> = ahash::AHashMap::new();
        for e in net.edges[border_edges..].iter().step_by(2) {
            if e.flow != 0.0 {
                *by_pair.entry((e.from, e.to)).or_insert(0.0) += e.flow;
            }
        }
        let mut out: Vec<(usize, usize, f64)> = by_pair
            .iter()
            .filter_map(|(&(a, b), &f)| {
                // Opposite flows cancel.
                let f = f - by_pair.get(&(b, a)).copied().unwrap_or(0.0);
                (f > 0.5).then_some((a, b, f))
            })
            .collect();
        out.sort_unstable_by_key(|&(a, b, _)| (a, b));
        out
    }
}
