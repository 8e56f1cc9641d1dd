//! The rules that keep territories in one piece: which account may leave (the local
//! ring test, the bounded cut-off search), which may join (touching, jumps between
//! islands), and making a redrawn territory whole.

use super::*;

/// Passes of [`make_whole`]: a pass moves every stray piece at once; a piece moved into a
/// neighbour that was itself stray moves again in the next, so a few passes settle it.
const WHOLE_PASSES: usize = 20;

/// Whether a territory may take a first account on an island where it has none, across
/// the gap (a Delaunay edge longer than 150 km).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Jumps {
    Never,
    /// Only onto islands where it had accounts in the starting plan (Balance).
    Back,
    /// Onto any island (Redraw, which draws the pieces anew).
    Anywhere,
}

/// Moves every piece but the largest (by workload) of each active territory, whole, to
/// the lightest active territory whose main piece it touches (any it touches if none).
pub(super) fn make_whole(st: &mut State, progress: Option<&Progress>) -> Result<(), OptimizeError> {
    let n = st.owner.len();
    for _ in 0..WHOLE_PASSES {
        if progress.is_some_and(Progress::is_cancelled) {
            return Err(OptimizeError::Cancelled);
        }
        let comp = quality::components(&st.owner, st.adj);
        // Workload per component, and the largest component of each territory.
        let mut comp_w = vec![0i64; n];
        for (c, w) in comp.iter().zip(&st.w) {
            if let Some(c) = c {
                comp_w[*c as usize] += w + 1;
            }
        }
        let k = st.active.len();
        // The largest piece of each territory on each island: a territory may reach
        // several islands, in one piece on each.
        let islands = st.adj.islands();
        let mut main = PairTable::new(k, islands, (i64::MIN, u32::MAX));
        for (v, (&c, &g)) in comp.iter().zip(&st.owner).enumerate() {
            if let (Some(c), Some(g)) = (c, g) {
                let m = main.get_mut(g.get(), st.adj.island_of(st.adj.site_of(v)));
                let cand = (comp_w[c as usize], c);
                if cand.0 > m.0 || (cand.0 == m.0 && cand.1 < m.1) {
                    *m = cand;
                }
            }
        }
        // For every stray component: the territories it touches.
        let mut border: std::collections::BTreeMap<u32, Vec<TerritoryIdx>> = std::collections::BTreeMap::new();
        let mut border_stray: std::collections::BTreeMap<u32, Vec<TerritoryIdx>> = std::collections::BTreeMap::new();
        let mut members: std::collections::BTreeMap<u32, Vec<u32>> = std::collections::BTreeMap::new();
        let mut stuck: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
        for v in 0..n {
            let (Some(c), Some(g)) = (comp[v], st.owner[v]) else { continue };
            if c == main.get(g.get(), st.adj.island_of(st.adj.site_of(v))).1 || !st.active[g.get()] {
                continue;
            }
            if st.fixed[v] {
                stuck.insert(c);
            }
            members.entry(c).or_default().push(v as u32);
            let s = st.adj.site_of(v);
            let near = std::iter::once(s as u32).chain(st.adj.neighbours(s).iter().copied());
            for nb in near {
                for &u in st.adj.accounts_at(nb as usize) {
                    if let Some(o) = st.owner[u as usize]
                        && o != g
                        && st.active[o.get()]
                    {
                        // Contacts with the neighbour's main piece count first: joined
                        // to it, the piece is whole there (two stray pieces that touch
                        // would otherwise trade it back and forth).
                        let main_of_o = main.get(o.get(), st.adj.island_of(nb as usize)).1;
                        let to_main = comp[u as usize] == Some(main_of_o);
                        let slot = if to_main { &mut border } else { &mut border_stray };
                        slot.entry(c).or_default().push(o);
                    }
                }
            }
        }
        let mut changed = false;
        for (c, vs) in &members {
            if stuck.contains(c) {
                continue;
            }
            let Some(mut b) = border.get(c).or_else(|| border_stray.get(c)).cloned() else { continue };
            b.sort_unstable();
            // The lightest of the territories it touches takes it (the imbalance this
            // makes, Balance must undo at a cost in compactness).
            b.dedup();
            if let Some(best) = b.iter().copied().min_by_key(|&t| (st.load_w[t.get()], t)) {
                for &v in vs {
                    st.do_move(v as usize, best);
                }
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(())
}

impl<'a> State<'a> {
    pub(super) fn has_in(&self, site: usize, t: TerritoryIdx) -> bool {
        self.adj.accounts_at(site).iter().any(|&a| self.owner[a as usize] == Some(t))
    }

    /// Whether account `v` may join territory `t` without making a new piece: it
    /// shares a position with or neighbours an account of `t`, or (when jumps between
    /// islands are allowed) `t` has nothing on v's island yet and is a Delaunay
    /// neighbour across the gap.
    pub(super) fn touches(&self, v: usize, t: TerritoryIdx) -> bool {
        let s = self.adj.site_of(v);
        if self.adj.accounts_at(s).iter().any(|&a| a as usize != v && self.owner[a as usize] == Some(t))
            || self.adj.neighbours(s).iter().any(|&n| self.has_in(n as usize, t))
        {
            return true;
        }
        self.may_jump(t.get(), self.adj.island_of(s))
            && self.adj.far_neighbours(s).iter().any(|&n| self.has_in(n as usize, t))
    }

    /// Whether territory `t` may take a first account on `island`, across the gap.
    pub(super) fn may_jump(&self, t: usize, island: usize) -> bool {
        self.island_count.get(t, island) == 0
            && match self.jumps {
                Jumps::Never => false,
                Jumps::Back => self.was_on.contains(&(t as u32, island as u32)),
                Jumps::Anywhere => true,
            }
    }

    /// Whether `v` can leave its territory without splitting it (a sufficient test).
    pub(super) fn removable(&self, v: usize) -> bool {
        let Some(a) = self.owner[v] else { return true };
        let s = self.adj.site_of(v);
        if self.adj.accounts_at(s).iter().any(|&u| u as usize != v && self.owner[u as usize] == Some(a)) {
            return true;
        }
        let ring = self.adj.neighbours(s);
        let n = ring.len();
        let member: Vec<bool> = ring.iter().map(|&r| self.has_in(r as usize, a)).collect();
        let members = member.iter().filter(|&&m| m).count();
        if members <= 1 {
            return true;
        }
        // Count chains: a member starts one unless its predecessor is a linked member.
        let mut starts = 0;
        for j in 0..n {
            if !member[j] {
                continue;
            }
            let i = (j + n - 1) % n;
            if !(member[i] && self.adj.linked(ring[i] as usize, ring[j] as usize)) {
                starts += 1;
            }
        }
        starts <= 1
    }

    /// The accounts of v's territory that would lose their link to the rest of it if
    /// `v` left, when they are few (at most `cap`) and the rest is one large part;
    /// `None` when v's leaving would split the territory into large parts.
    pub(super) fn cut_off(&self, v: usize, cap: usize) -> Option<Vec<usize>> {
        let a = self.owner[v];
        let neighbours_in_a = |u: usize, out: &mut Vec<usize>| {
            let s = self.adj.site_of(u);
            for n in std::iter::once(s as u32).chain(self.adj.neighbours(s).iter().copied()) {
                for &w in self.adj.accounts_at(n as usize) {
                    let w = w as usize;
                    if w != v && w != u && self.owner[w] == a {
                        out.push(w);
                    }
                }
            }
        };
        let mut starts = Vec::new();
        neighbours_in_a(v, &mut starts);
        // Part id of each account reached; a part that grows past `cap` is large.
        let mut part_of: ahash::AHashMap<usize, usize> = ahash::AHashMap::new();
        let mut large: Vec<bool> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut next = Vec::new();
        for &s0 in &starts {
            if part_of.contains_key(&s0) {
                continue;
            }
            let id = large.len();
            large.push(false);
            members.push(vec![s0]);
            part_of.insert(s0, id);
            let mut queue = vec![s0];
            while let Some(u) = queue.pop() {
                next.clear();
                neighbours_in_a(u, &mut next);
                for &w in &next {
                    match part_of.get(&w) {
                        Some(&p) if p != id => {
                            // Joined an earlier part: this one is that part.
                            large[p] |= large[id];
                            large[id] = false;
                            for m in std::mem::take(&mut members[id]) {
                                part_of.insert(m, p);
                                members[p].push(m);
                            }
                            queue.clear();
                            break;
                        }
                        Some(_) => {}
                        None => {
                            part_of.insert(w, id);
                            members[id].push(w);
                            if members[id].len() > cap {
                                large[id] = true;
                                queue.clear();
                                break;
                            }
                            queue.push(w);
                        }
                    }
                }
                if members[id].is_empty() || large[id] {
                    break;
                }
            }
        }
        let big: Vec<usize> = (0..large.len()).filter(|&p| large[p]).collect();
        if big.len() != 1 {
            return None;
        }
        let cut: Vec<usize> =
            (0..large.len()).filter(|&p| !large[p]).flat_map(|p| members[p].iter().copied()).collect();
        Some(cut)
    }
}
