//! The fast path for selection by polygon: accounts sorted into a uniform grid of
//! square cells in Web Mercator, cells in row-major order, so that every cell — and
//! every run of cells along a row — is one contiguous range of account indices.
//!
//! A query rasterises the polygon onto the grid: cells that no edge touches are
//! entirely inside or entirely outside, decided once by a scanline through their row,
//! and taken whole; only the accounts of the cells an edge crosses are tested, with the
//! same crossing-number arithmetic as [`crate::spatial::crossing_number_contains`],
//! against just the edges that overlap their row. The result is exactly the set the
//! brute-force test gives, as ranges ([`AccountSet`]), in time that grows with the
//! polygon's outline and the accounts near it, not with N.

use geo::{LineString, MultiPolygon, Polygon};
use rayon::prelude::*;

use crate::PARALLEL_MIN;
use crate::model::{AccountSet, Plan};
use crate::spatial::to_mercator;

/// Accounts a cell is sized for, on average.
pub const PER_CELL: usize = 8;

/// Sorts a plan's accounts into grid order (cell by cell, rows of cells in order) and
/// builds the grid over them: O(N). Everything after works on the sorted plan, whose
/// account order is then the one saved and exported.
pub fn sort_plan(plan: Plan) -> (Plan, Grid) {
    let points = mercator_points(plan.accounts.lon(), plan.accounts.lat());
    let (grid, order) = Grid::build(&points, PER_CELL);
    drop(points);
    let p = plan.permuted(&order);
    (p, grid)
}

/// The Web Mercator positions of these (lon, lat), projected on every core.
fn mercator_points(lon: &[f64], lat: &[f64]) -> Vec<[f64; 2]> {
    let n = lon.len().min(lat.len());
    let mut out = vec![[0.0; 2]; n];
    out.par_iter_mut().zip(&lon[..n]).zip(&lat[..n]).with_min_len(PARALLEL_MIN).for_each(|((o, &x), &y)| {
        let (mx, my) = to_mercator(x, y);
        *o = [mx, my];
    });
    out
}

/// Accounts bucketed by cell. Positions are indices in the sorted order.
#[derive(Debug, Clone)]
pub struct Grid {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    /// `cell_start[c]..cell_start[c + 1]` are the positions in cell `c = row * nx + col`.
    cell_start: Vec<u32>,
    /// For dense cells, the index of their sub-grid in `sub_start` (`u32::MAX`: none).
    sub_of: Vec<u32>,
    /// Sub-grids of `SUB × SUB` cells: `SUB * SUB + 1` absolute positions each.
    sub_start: Vec<u32>,
    xs: Vec<f64>,
    ys: Vec<f64>,
}

/// Sub-cells a side in a dense cell.
const SUB: usize = 16;
/// A cell with more accounts than this gets a sub-grid.
const DENSE: u32 = 96;

/// One level of the grid: a rectangle of square cells, row-major, with the start
/// position of each cell's accounts.
#[derive(Clone, Copy)]
struct Level<'a> {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    starts: &'a [u32],
    /// Whether cells may have sub-grids (the top level).
    top: bool,
}

// Cell coordinates: clamped at 0 first, so that the truncating cast is the floor.
impl Level<'_> {
    fn col_of(&self, x: f64) -> usize {
        (((x - self.x0) / self.cell).max(0.0) as usize).min(self.nx - 1)
    }

    fn row_of(&self, y: f64) -> usize {
        (((y - self.y0) / self.cell).max(0.0) as usize).min(self.ny - 1)
    }
}

/// An edge as the crossing-number test pairs its ends.
#[derive(Debug, Clone, Copy)]
struct Edge {
    ax: f64,
    ay: f64,
    bx: f64,
    by: f64,
}

impl Edge {
    /// Toggles parity for (x, y) exactly as `crossing_number_contains` does.
    #[inline]
    fn crosses(&self, x: f64, y: f64) -> bool {
        (self.ay > y) != (self.by > y) && x < (self.bx - self.ax) * (y - self.ay) / (self.by - self.ay) + self.ax
    }
}

/// Appends `s..e`, merging it into the last range when they touch.
fn push_range(out: &mut Vec<(u32, u32)>, s: u32, e: u32) {
    if s < e {
        match out.last_mut() {
            Some(r) if r.1 == s => r.1 = e,
            _ => out.push((s, e)),
        }
    }
}

fn edges_of(p: &Polygon<f64>, out: &mut Vec<Edge>) {
    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
        push_ring_edges(ring, out);
    }
}

fn push_ring_edges(ring: &LineString<f64>, out: &mut Vec<Edge>) {
    out.extend(crate::spatial::ring_edges(ring).map(|(a, b)| Edge { ax: a.x, ay: a.y, bx: b.x, by: b.y }));
}

impl Grid {
    /// Sorts positions (Web Mercator metres, in account order) into a grid of about
    /// `per_cell` accounts a cell on average. Returns the grid and the order: the
    /// account index at each sorted position.
    pub fn build(points: &[[f64; 2]], per_cell: usize) -> (Grid, Vec<u32>) {
        let n = points.len();
        // Large inputs are split over the cores: chunks of the points, then halves of
        // the cells (each half of the output is written by one task).
        let two = n >= 100_000;
        let empty = ([f64::MAX; 2], [f64::MIN; 2]);
        let (mut lo, mut hi) = points
            .par_iter()
            .with_min_len(PARALLEL_MIN)
            .fold_with(empty, |(lo, hi), p| ([lo[0].min(p[0]), lo[1].min(p[1])], [hi[0].max(p[0]), hi[1].max(p[1])]))
            .reduce(
                || empty,
                |(lo, hi), (lo2, hi2)| ([lo[0].min(lo2[0]), lo[1].min(lo2[1])], [hi[0].max(hi2[0]), hi[1].max(hi2[1])]),
            );
        if n == 0 {
            lo = [0.0; 2];
            hi = [1.0; 2];
        }
        let w = (hi[0] - lo[0]).max(1.0);
        let h = (hi[1] - lo[1]).max(1.0);
        let cells_wanted = (n / per_cell.max(1)).clamp(1, 1 << 20) as f64;
        let mut cell = (w * h / cells_wanted).sqrt().max(1.0);
        // At most 2048 cells a side.
        cell = cell.max(w.max(h) / 2048.0);
        let nx = ((w / cell).floor() as usize + 1).min(4096);
        let ny = ((h / cell).floor() as usize + 1).min(4096);
        let mut grid = Grid {
            x0: lo[0],
            y0: lo[1],
            cell,
            nx,
            ny,
            cell_start: vec![0; nx * ny + 1],
            sub_of: Vec::new(),
            sub_start: Vec::new(),
            xs: vec![],
            ys: vec![],
        };
        // Counting sort by cell: O(N), stable, so equal cells keep account order. The
        // points travel with their index, so that what follows reads them in order.
        let mut cells = vec![0u32; n];
        {
            let g = &grid;
            cells.par_iter_mut().zip(points).with_min_len(PARALLEL_MIN).for_each(|(o, p)| {
                *o = g.cell_of(p[0], p[1]) as u32;
            });
        }
        for &c in &cells {
            grid.cell_start[c as usize + 1] += 1;
        }
        for c in 0..nx * ny {
            grid.cell_start[c + 1] += grid.cell_start[c];
        }
        let mut order = vec![0u32; n];
        let mut sorted = vec![[0.0f64; 2]; n];
        // The cells are split where half the accounts are: each thread scatters the
        // accounts of its cells into its half of the output, then orders its dense cells.
        let mid_cell =
            if two { grid.cell_start.partition_point(|&s| (s as usize) < n / 2).min(nx * ny) } else { nx * ny };
        let mid = grid.cell_start[mid_cell] as usize;
        let subs = {
            let (oa, ob) = order.split_at_mut(mid);
            let (sa, sb) = sorted.split_at_mut(mid);
            let (g, cells) = (&grid, &cells);
            let mut a = || g.scatter_cells(0..mid_cell, cells, points, oa, sa);
            let mut b = || g.scatter_cells(mid_cell..nx * ny, cells, points, ob, sb);
            let (sub_a, sub_b) = if two { rayon::join(a, b) } else { (a(), b()) };
            [sub_a, sub_b]
        };
        drop(cells);
        grid.sub_of = vec![u32::MAX; nx * ny];
        for (c, starts) in subs.into_iter().flatten() {
            grid.sub_of[c] = (grid.sub_start.len() / (SUB * SUB + 1)) as u32;
            grid.sub_start.extend(starts);
        }
        let xs = || sorted.iter().map(|p| p[0]).collect();
        let ys = || sorted.iter().map(|p| p[1]).collect();
        let (xs, ys) = if two { rayon::join(xs, ys) } else { (xs(), ys()) };
        grid.xs = xs;
        grid.ys = ys;
        (grid, order)
    }

    /// Scatters the accounts of the cells in `range` into `order` and `sorted`, which
    /// start at the range's first position, then sorts each dense cell by sub-cell,
    /// row-major. Returns the dense cells with their sub-cell starts (absolute).
    fn scatter_cells(
        &self,
        range: std::ops::Range<usize>,
        cells: &[u32],
        points: &[[f64; 2]],
        order: &mut [u32],
        sorted: &mut [[f64; 2]],
    ) -> Vec<(usize, Vec<u32>)> {
        let base = self.cell_start[range.start];
        let mut next: Vec<u32> = self.cell_start[range.clone()].iter().map(|s| s - base).collect();
        let (lo, hi) = (range.start as u32, range.end as u32);
        for (i, &c) in cells.iter().enumerate() {
            if c >= lo && c < hi {
                let slot = &mut next[(c - lo) as usize];
                order[*slot as usize] = i as u32;
                sorted[*slot as usize] = points[i];
                *slot += 1;
            }
        }
        let sub = self.cell / SUB as f64;
        let mut out = Vec::new();
        let mut keys: Vec<u16> = Vec::new();
        let (mut tmp_order, mut tmp_pts): (Vec<u32>, Vec<[f64; 2]>) = (Vec::new(), Vec::new());
        for c in range {
            let (s, e) = ((self.cell_start[c] - base) as usize, (self.cell_start[c + 1] - base) as usize);
            if (e - s) as u32 <= DENSE {
                continue;
            }
            let (cx0, cy0) = (self.x0 + (c % self.nx) as f64 * self.cell, self.y0 + (c / self.nx) as f64 * self.cell);
            keys.clear();
            keys.extend(sorted[s..e].iter().map(|p| {
                let col = (((p[0] - cx0) / sub).max(0.0) as usize).min(SUB - 1);
                let row = (((p[1] - cy0) / sub).max(0.0) as usize).min(SUB - 1);
                (row * SUB + col) as u16
            }));
            let mut counts = [0u32; SUB * SUB + 1];
            for &k in &keys {
                counts[k as usize + 1] += 1;
            }
            for k in 0..SUB * SUB {
                counts[k + 1] += counts[k];
            }
            let mut next = counts;
            tmp_order.clear();
            tmp_order.resize(e - s, 0);
            tmp_pts.clear();
            tmp_pts.resize(e - s, [0.0; 2]);
            for (j, &k) in keys.iter().enumerate() {
                let at = next[k as usize] as usize;
                tmp_order[at] = order[s + j];
                tmp_pts[at] = sorted[s + j];
                next[k as usize] += 1;
            }
            order[s..e].copy_from_slice(&tmp_order);
            sorted[s..e].copy_from_slice(&tmp_pts);
            let abs = self.cell_start[c];
            out.push((c, counts.iter().map(|&k| abs + k).collect()));
        }
        out
    }

    fn top(&self) -> Level<'_> {
        Level {
            x0: self.x0,
            y0: self.y0,
            cell: self.cell,
            nx: self.nx,
            ny: self.ny,
            starts: &self.cell_start,
            top: true,
        }
    }

    fn col_of(&self, x: f64) -> usize {
        (((x - self.x0) / self.cell).max(0.0) as usize).min(self.nx - 1)
    }

    fn row_of(&self, y: f64) -> usize {
        (((y - self.y0) / self.cell).max(0.0) as usize).min(self.ny - 1)
    }

    fn cell_of(&self, x: f64, y: f64) -> usize {
        self.row_of(y) * self.nx + self.col_of(x)
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.xs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.xs.is_empty()
    }

    /// Web Mercator x of each account, in sorted order.
    pub fn xs(&self) -> &[f64] {
        &self.xs
    }

    /// Web Mercator y of each account, in sorted order.
    pub fn ys(&self) -> &[f64] {
        &self.ys
    }

    /// The accounts of every cell that meets the rectangle `lo..hi` (a superset of the
    /// accounts inside it), as ranges, one per row of cells: O(rows), for drawing what
    /// is in view without visiting the rest.
    pub fn ranges_in_rect(&self, lo: [f64; 2], hi: [f64; 2]) -> impl Iterator<Item = (u32, u32)> + '_ {
        let gx1 = self.x0 + self.nx as f64 * self.cell;
        let gy1 = self.y0 + self.ny as f64 * self.cell;
        let empty = self.is_empty() || hi[0] < self.x0 || hi[1] < self.y0 || lo[0] > gx1 || lo[1] > gy1;
        let lv = self.top();
        let (c0, c1) = (lv.col_of(lo[0]), lv.col_of(hi[0]));
        let (r0, r1) = if empty { (1, 0) } else { (lv.row_of(lo[1]), lv.row_of(hi[1])) };
        (r0..=r1).map(move |r| (self.cell_start[r * self.nx + c0], self.cell_start[r * self.nx + c1 + 1]))
    }

    /// The account nearest to a Web Mercator point within `max_dist` metres (of several
    /// at the same distance, the first): the accounts of the cells that meet the square
    /// around the point, one by one (the hover and the Click tool).
    pub fn nearest(&self, x: f64, y: f64, max_dist: f64) -> Option<u32> {
        let limit = max_dist * max_dist;
        let mut best: Option<(f64, u32)> = None;
        for (s, e) in self.ranges_in_rect([x - max_dist, y - max_dist], [x + max_dist, y + max_dist]) {
            for i in s..e {
                let d2 = (self.xs[i as usize] - x).powi(2) + (self.ys[i as usize] - y).powi(2);
                if d2 <= limit && best.is_none_or(|(b, j)| d2 < b || (d2 == b && i < j)) {
                    best = Some((d2, i));
                }
            }
        }
        best.map(|(_, i)| i)
    }

    /// The accounts inside a multipolygon given in lon/lat degrees (a state or county
    /// of the basemap), tested in lon/lat with edges straight in it, as GeoJSON has
    /// them; `lonlat` gives account `i`'s (lon, lat). The candidates are the cells
    /// that meet the polygon's box (widened by a metre, so that rounding in the
    /// projection drops none).
    pub fn select_lonlat(&self, mp: &MultiPolygon<f64>, lonlat: impl Fn(usize) -> (f64, f64)) -> AccountSet {
        let Some((lo, hi)) = crate::spatial::bbox(mp) else { return AccountSet::default() };
        let (x0, y0) = to_mercator(lo.x, lo.y);
        let (x1, y1) = to_mercator(hi.x, hi.y);
        let index = crate::spatial::PolygonIndex::new(mp);
        let mut out = Vec::new();
        for (s, e) in self.ranges_in_rect([x0 - 1.0, y0 - 1.0], [x1 + 1.0, y1 + 1.0]) {
            out.extend((s..e).filter(|&i| {
                let (lon, lat) = lonlat(i as usize);
                index.contains(lon, lat)
            }));
        }
        AccountSet::from_indices(out)
    }

    /// Like [`Grid::ranges_in_rect`], with each row's Web Mercator y extent.
    pub fn row_bands_in_rect(&self, lo: [f64; 2], hi: [f64; 2]) -> impl Iterator<Item = ((u32, u32), f64, f64)> + '_ {
        let lv = self.top();
        let r0 = if self.is_empty() { 0 } else { lv.row_of(lo[1]) };
        self.ranges_in_rect(lo, hi).enumerate().map(move |(k, range)| {
            let y_lo = self.y0 + (r0 + k) as f64 * self.cell;
            (range, y_lo, y_lo + self.cell)
        })
    }

    /// Cell size in metres, and the grid's dimensions in cells.
    pub fn shape(&self) -> (f64, usize, usize) {
        (self.cell, self.nx, self.ny)
    }

    /// The accounts inside any polygon of `mp` (Web Mercator, edges straight in it).
    pub fn select(&self, mp: &MultiPolygon<f64>) -> AccountSet {
        let mut out = AccountSet::default();
        for p in &mp.0 {
            let one = self.select_polygon(p);
            out = if out.is_empty() { one } else { out.union(&one) };
        }
        out
    }

    /// The accounts inside one polygon (exterior and holes, even–odd).
    pub fn select_polygon(&self, p: &Polygon<f64>) -> AccountSet {
        let mut edges = Vec::new();
        edges_of(p, &mut edges);
        if edges.is_empty() || self.is_empty() {
            return AccountSet::default();
        }
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for e in &edges {
            lo = [lo[0].min(e.ax), lo[1].min(e.ay)];
            hi = [hi[0].max(e.ax), hi[1].max(e.ay)];
        }
        let gx1 = self.x0 + self.nx as f64 * self.cell;
        let gy1 = self.y0 + self.ny as f64 * self.cell;
        if hi[0] < self.x0 || hi[1] < self.y0 || lo[0] > gx1 || lo[1] > gy1 {
            return AccountSet::default();
        }
        let lv = self.top();
        let ids: Vec<u32> = (0..edges.len() as u32).collect();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let (c0, c1) = (lv.col_of(lo[0]), lv.col_of(hi[0]));
        let (r0, r1) = (lv.row_of(lo[1]), lv.row_of(hi[1]));
        self.scan(&lv, &edges, &ids, (r0, r1, c0, c1), &mut ranges);
        AccountSet::from_sorted_ranges(ranges)
    }

    /// Classifies the cells `rows × cols` of a level against the edges `ids` (every
    /// edge that overlaps this part of the level), appending the selected positions.
    fn scan(
        &self,
        lv: &Level<'_>,
        edges: &[Edge],
        ids: &[u32],
        span: (usize, usize, usize, usize),
        out: &mut Vec<(u32, u32)>,
    ) {
        let (r0, r1, c0, c1) = span;
        let rows = r1 - r0 + 1;
        let cols = c1 - c0 + 1;
        // Bucket the edges by the rows their y-extent overlaps (closed intervals).
        let row_span = |e: &Edge| {
            let (ylo, yhi) = (e.ay.min(e.by), e.ay.max(e.by));
            let gy1 = lv.y0 + lv.ny as f64 * lv.cell;
            if yhi < lv.y0 || ylo > gy1 {
                return None;
            }
            let (a, b) = (lv.row_of(ylo).max(r0), lv.row_of(yhi).min(r1));
            (a <= b).then_some((a, b))
        };
        let mut count = vec![0u32; rows + 1];
        for &k in ids {
            if let Some((a, b)) = row_span(&edges[k as usize]) {
                for r in a..=b {
                    count[r - r0 + 1] += 1;
                }
            }
        }
        for r in 0..rows {
            count[r + 1] += count[r];
        }
        let mut fill = count.clone();
        let mut bucket = vec![0u32; count[rows] as usize];
        for &k in ids {
            if let Some((a, b)) = row_span(&edges[k as usize]) {
                for r in a..=b {
                    bucket[fill[r - r0] as usize] = k;
                    fill[r - r0] += 1;
                }
            }
        }

        let eps = lv.cell * 1e-6;
        let mut boundary = vec![false; cols];
        let mut crossings: Vec<f64> = Vec::new();
        for r in r0..=r1 {
            let row_edges = &bucket[count[r - r0] as usize..count[r - r0 + 1] as usize];
            let y_lo = lv.y0 + r as f64 * lv.cell;
            let y_hi = y_lo + lv.cell;
            // Mark the cells any edge touches in this row.
            boundary.iter_mut().for_each(|b| *b = false);
            for &k in row_edges {
                let e = &edges[k as usize];
                let (xa, xb) = if e.ay == e.by {
                    (e.ax.min(e.bx), e.ax.max(e.bx))
                } else {
                    // The edge's x over the row's clipped y-extent.
                    let t = |y: f64| e.ax + (e.bx - e.ax) * ((y - e.ay) / (e.by - e.ay));
                    let ys = (e.ay.min(e.by).max(y_lo), e.ay.max(e.by).min(y_hi));
                    let (p, q) = (t(ys.0), t(ys.1));
                    (p.min(q), p.max(q))
                };
                let gx1 = lv.x0 + lv.nx as f64 * lv.cell;
                if xb + eps < lv.x0 || xa - eps > gx1 {
                    continue;
                }
                let a = lv.col_of(xa - eps).max(c0);
                let b = lv.col_of(xb + eps).min(c1);
                if a <= b {
                    boundary[a - c0..=b - c0].iter_mut().for_each(|m| *m = true);
                }
            }
            // Scanline through the row's centre: the parity of cells no edge touches.
            let yc = y_lo + lv.cell / 2.0;
            crossings.clear();
            for &k in row_edges {
                let e = &edges[k as usize];
                if (e.ay > yc) != (e.by > yc) {
                    crossings.push((e.bx - e.ax) * (yc - e.ay) / (e.by - e.ay) + e.ax);
                }
            }
            crossings.sort_unstable_by(f64::total_cmp);
            let mut k = 0;
            let row_base = r * lv.nx;
            for c in c0..=c1 {
                let cell = row_base + c;
                let (s, e) = (lv.starts[cell], lv.starts[cell + 1]);
                if s == e {
                    continue;
                }
                if boundary[c - c0] {
                    let sub = if lv.top { self.sub_of[cell] } else { u32::MAX };
                    if sub != u32::MAX {
                        // A dense cell on the outline: the same, one level finer.
                        let base = sub as usize * (SUB * SUB + 1);
                        let sl = Level {
                            x0: lv.x0 + c as f64 * lv.cell,
                            y0: y_lo,
                            cell: lv.cell / SUB as f64,
                            nx: SUB,
                            ny: SUB,
                            starts: &self.sub_start[base..base + SUB * SUB + 1],
                            top: false,
                        };
                        self.scan(&sl, edges, row_edges, (0, SUB - 1, 0, SUB - 1), out);
                        continue;
                    }
                    for pos in s..e {
                        let (x, y) = (self.xs[pos as usize], self.ys[pos as usize]);
                        let mut inside = false;
                        for &k in row_edges {
                            if edges[k as usize].crosses(x, y) {
                                inside = !inside;
                            }
                        }
                        if inside {
                            push_range(out, pos, pos + 1);
                        }
                    }
                } else {
                    let xc = lv.x0 + (c as f64 + 0.5) * lv.cell;
                    while k < crossings.len() && crossings[k] <= xc {
                        k += 1;
                    }
                    // Crossings to the right of the centre: odd means inside.
                    if (crossings.len() - k) % 2 == 1 {
                        push_range(out, s, e);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
