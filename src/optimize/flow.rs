//! The flow plan: the graph of territories, and the min-cost flow that decides how much
//! crosses each border (also the border-flow figure of the report).

use super::*;

/// A small flow network for [`State::flows`]: edges, each with a residual twin.
///
/// Built by [`FlowNet::add`]; [`FlowNet::min_cost_flow`] then lays the directed edges
/// out by tail node (compressed rows: each node's edges contiguous, in the order they
/// were added), with head and cost beside each, so the searches read memory in
/// sequence; capacity and flow stay per edge pair, so the arithmetic is that of one
/// `cap − flow` per forward edge and `flow` per twin, whatever the layout.
pub(super) struct FlowNet {
    nodes: usize,
    /// Per pair, in the order added: tail, head, capacity, cost, flow.
    from: Vec<u32>,
    to: Vec<u32>,
    cap: Vec<f64>,
    cost: Vec<i64>,
    pub(super) flow: Vec<f64>,
}

/// The directed edges by tail node: edge `e` is pair `e / 2`, forward when even.
struct Rows {
    start: Vec<u32>,
    /// Per row slot: the directed edge, its head and its cost.
    edge: Vec<u32>,
    head: Vec<u32>,
    cost: Vec<i64>,
}

impl Rows {
    fn of(u: usize, start: &[u32]) -> std::ops::Range<usize> {
        start[u] as usize..start[u + 1] as usize
    }
}

impl FlowNet {
    pub(super) fn new(nodes: usize) -> Self {
        FlowNet { nodes, from: Vec::new(), to: Vec::new(), cap: Vec::new(), cost: Vec::new(), flow: Vec::new() }
    }

    /// Number of edge pairs.
    pub(super) fn pairs(&self) -> usize {
        self.from.len()
    }

    /// Tail and head of a pair's forward edge.
    pub(super) fn ends(&self, pair: usize) -> (usize, usize) {
        (self.from[pair] as usize, self.to[pair] as usize)
    }

    /// Adds an edge and its residual twin.
    pub(super) fn add(&mut self, from: usize, to: usize, cap: f64, cost: i64) {
        if cap <= 0.0 {
            return;
        }
        self.from.push(from as u32);
        self.to.push(to as u32);
        self.cap.push(cap);
        self.cost.push(cost);
        self.flow.push(0.0);
    }

    /// Room left on directed edge `e`.
    fn residual(&self, e: u32) -> f64 {
        let p = (e / 2) as usize;
        if e.is_multiple_of(2) { self.cap[p] - self.flow[p] } else { self.flow[p] }
    }

    /// Sends `amount` along directed edge `e`.
    fn send(&mut self, e: u32, amount: f64) {
        let p = (e / 2) as usize;
        if e.is_multiple_of(2) {
            self.flow[p] += amount;
        } else {
            self.flow[p] -= amount;
        }
    }

    /// The directed edges by tail, each node's in the order added (a counting sort).
    fn rows(&self) -> Rows {
        let n = self.nodes;
        let tail = |e: usize| if e.is_multiple_of(2) { self.from[e / 2] } else { self.to[e / 2] };
        let edges = 2 * self.pairs();
        let mut start = vec![0u32; n + 1];
        for e in 0..edges {
            start[tail(e) as usize + 1] += 1;
        }
        for u in 0..n {
            start[u + 1] += start[u];
        }
        let mut fill = start.clone();
        let (mut edge, mut head, mut cost) = (vec![0u32; edges], vec![0u32; edges], vec![0i64; edges]);
        for e in 0..edges {
            let (p, t) = (e / 2, tail(e) as usize);
            let i = fill[t] as usize;
            fill[t] += 1;
            edge[i] = e as u32;
            (head[i], cost[i]) =
                if e.is_multiple_of(2) { (self.to[p], self.cost[p]) } else { (self.from[p], -self.cost[p]) };
        }
        Rows { start, edge, head, cost }
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
        let rows = self.rows();
        let mut pot = vec![INF; n];
        pot[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        let mut queued = vec![false; n];
        queued[s] = true;
        let mut relaxations = 0usize;
        while let Some(u) = queue.pop_front() {
            queued[u] = false;
            for i in Rows::of(u, &rows.start) {
                let v = rows.head[i] as usize;
                if self.residual(rows.edge[i]) > EPS && pot[u] + rows.cost[i] < pot[v] {
                    pot[v] = pot[u] + rows.cost[i];
                    if !queued[v] {
                        queued[v] = true;
                        queue.push_back(v);
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
        for _phase in 0..rows.edge.len() + 10 {
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
                // Every node not settled yet ends at least as far as the sink, and
                // gets the sink's distance below: the search may stop here.
                if u == t {
                    break;
                }
                for i in Rows::of(u, &rows.start) {
                    if self.residual(rows.edge[i]) <= EPS {
                        continue;
                    }
                    let v = rows.head[i] as usize;
                    let nd = d + (rows.cost[i] + pot[u] - pot[v]).max(0);
                    if nd < dist[v] {
                        dist[v] = nd;
                        heap.push(Reverse((nd, v)));
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
            // costs 0 as well), as row slots, so that the searches below walk them only.
            adm.clear();
            adm_start.clear();
            for u in 0..n {
                adm_start.push(adm.len() as u32);
                let pu = pot[u];
                adm.extend(
                    Rows::of(u, &rows.start)
                        .filter(|&i| rows.cost[i] + pu == pot[rows.head[i] as usize])
                        .map(|i| i as u32),
                );
            }
            adm_start.push(adm.len() as u32);
            let zero = Admissible { start: &adm_start, slots: &adm };
            loop {
                level.iter_mut().for_each(|l| *l = u32::MAX);
                level[s] = 0;
                let mut bfs = std::collections::VecDeque::from([s]);
                while let Some(u) = bfs.pop_front() {
                    // Past the sink's level nothing leads to it: levels end there.
                    if level[u] >= level[t] {
                        break;
                    }
                    for &i in zero.of(u) {
                        let v = rows.head[i as usize] as usize;
                        if level[v] == u32::MAX && self.residual(rows.edge[i as usize]) > EPS {
                            level[v] = level[u] + 1;
                            bfs.push_back(v);
                        }
                    }
                }
                if level[t] == u32::MAX {
                    break;
                }
                next_edge.iter_mut().for_each(|i| *i = 0);
                if !self.blocking_flow(s, t, &level, &mut next_edge, &zero, &rows) {
                    break;
                }
            }
        }
    }

    /// A blocking flow: augmenting paths by DFS along rising levels over the phase's
    /// edges of reduced cost 0 that have room, with edge pointers (iteratively: paths
    /// may be thousands of territories long). After each augmentation the search goes
    /// on from the tail of the first edge it filled, which is where a new search from
    /// the source would arrive along the same pointers. Returns whether it pushed.
    fn blocking_flow(
        &mut self,
        s: usize,
        t: usize,
        level: &[u32],
        next_edge: &mut [usize],
        zero: &Admissible<'_>,
        rows: &Rows,
    ) -> bool {
        const EPS: f64 = 1e-6;
        // The path as row slots, each with the node it leaves from.
        let mut path: Vec<(u32, usize)> = Vec::new();
        let mut pushed = false;
        let mut u = s;
        loop {
            if u == t {
                let room = |i: u32| self.residual(rows.edge[i as usize]);
                let amount = path.iter().fold(f64::INFINITY, |a, &(i, _)| a.min(room(i)));
                for &(i, _) in &path {
                    self.send(rows.edge[i as usize], amount);
                }
                pushed = true;
                let full = path.iter().position(|&(i, _)| self.residual(rows.edge[i as usize]) <= EPS);
                let Some(j) = full else { return pushed };
                u = path[j].1;
                path.truncate(j);
                continue;
            }
            let mut advanced = false;
            let out = zero.of(u);
            while next_edge[u] < out.len() {
                let i = out[next_edge[u]];
                let v = rows.head[i as usize] as usize;
                if level[v] == level[u].wrapping_add(1) && self.residual(rows.edge[i as usize]) > EPS {
                    path.push((i, u));
                    u = v;
                    advanced = true;
                    break;
                }
                next_edge[u] += 1;
            }
            if !advanced {
                // A dead end: retreat, and skip the edge that led here.
                let Some((_, from)) = path.pop() else { return pushed };
                u = from;
                next_edge[u] += 1;
            }
        }
    }
}

/// The row slots of the edges of reduced cost 0 of one phase of
/// [`FlowNet::min_cost_flow`], by node.
struct Admissible<'a> {
    start: &'a [u32],
    slots: &'a [u32],
}

impl Admissible<'_> {
    fn of(&self, u: usize) -> &[u32] {
        &self.slots[self.start[u] as usize..self.start[u + 1] as usize]
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
    /// neighbours. A min-cost flow ([`FlowNet::min_cost_flow`]) on the territories plus
    /// a source and a sink: what must leave (above `hi`) and
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
        let border_pairs = net.pairs();
        for (a, nbs) in graph.iter().enumerate() {
            for &(b, c) in nbs {
                net.add(a, b, f64::INFINITY, c);
            }
        }
        net.min_cost_flow(src, snk, &|| self.cancelled());
        let mut by_pair: ahash::AHashMap<(usize, usize), f64> = ahash::AHashMap::new();
        for p in border_pairs..net.pairs() {
            if net.flow[p] != 0.0 {
                *by_pair.entry(net.ends(p)).or_insert(0.0) += net.flow[p];
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::FlowNet;

    /// The least cost of any flow from `s` to `t` (no amount required), by the textbook
    /// method: augment one Bellman–Ford cheapest path at a time, while it costs less than
    /// nothing, on integer capacities.
    fn least_cost(n: usize, edges: &[(usize, usize, i64, i64)], s: usize, t: usize) -> i64 {
        // Residual edges: (from, to, room, cost), each with its twin at index ^ 1.
        let mut r: Vec<(usize, usize, i64, i64)> = Vec::new();
        for &(a, b, cap, cost) in edges {
            r.push((a, b, cap, cost));
            r.push((b, a, 0, -cost));
        }
        let mut total = 0;
        loop {
            let mut dist = vec![i64::MAX; n];
            let mut via = vec![usize::MAX; n];
            dist[s] = 0;
            for _ in 0..n {
                for (i, &(a, b, room, cost)) in r.iter().enumerate() {
                    if room > 0 && dist[a] != i64::MAX && dist[a] + cost < dist[b] {
                        dist[b] = dist[a] + cost;
                        via[b] = i;
                    }
                }
            }
            if dist[t] == i64::MAX || dist[t] >= 0 {
                return total;
            }
            let mut amount = i64::MAX;
            let mut v = t;
            while v != s {
                amount = amount.min(r[via[v]].2);
                v = r[via[v]].0;
            }
            let mut v = t;
            while v != s {
                let i = via[v];
                r[i].2 -= amount;
                r[i ^ 1].2 += amount;
                v = r[i].0;
            }
            total += amount * dist[t];
        }
    }

    /// Networks shaped as [`super::State::flows`] builds them: from the source and to
    /// the sink, edges that cost less than nothing (what must move) or nothing; between
    /// the others, edges of cost 1 to 3 without a negative cycle among them.
    fn network() -> impl Strategy<Value = (usize, Vec<(usize, usize, i64, i64)>)> {
        (3usize..9).prop_flat_map(|k| {
            let ends = prop::collection::vec((0..k, 1i64..20, prop::bool::ANY, prop::bool::ANY), 1..2 * k);
            let borders = prop::collection::vec((0..k, 0..k, 1i64..30, 1i64..4), 0..4 * k);
            (Just(k), ends, borders).prop_map(|(k, ends, borders)| {
                let (s, t) = (k, k + 1);
                let mut edges = Vec::new();
                for (v, cap, into, must) in ends {
                    let cost = if must { -1000 } else { 0 };
                    edges.push(if into { (s, v, cap, cost) } else { (v, t, cap, cost) });
                }
                edges.extend(borders.into_iter().filter(|(a, b, _, _)| a != b));
                (k + 2, edges)
            })
        })
    }

    proptest! {
        /// The primal–dual flow is feasible (within capacities, conserved at every
        /// territory) and costs what the textbook method finds least.
        #[test]
        fn min_cost_flow_is_feasible_and_least((n, edges) in network()) {
            let (s, t) = (n - 2, n - 1);
            let mut net = FlowNet::new(n);
            for &(a, b, cap, cost) in &edges {
                net.add(a, b, cap as f64, cost);
            }
            net.min_cost_flow(s, t, &|| false);
            let mut balance = vec![0.0f64; n];
            let mut cost = 0.0;
            for (p, &(a, b, cap, c)) in edges.iter().enumerate() {
                let f = net.flow[p];
                prop_assert!((-1e-6..=cap as f64 + 1e-6).contains(&f), "edge {p}: {f} of {cap}");
                balance[a] -= f;
                balance[b] += f;
                cost += f * c as f64;
            }
            for (v, &b) in balance.iter().enumerate().take(n - 2) {
                prop_assert!(b.abs() < 1e-6, "node {v} keeps {b}");
            }
            prop_assert!((cost - least_cost(n, &edges, s, t) as f64).abs() < 1e-6, "cost {cost}");
        }
    }
}
