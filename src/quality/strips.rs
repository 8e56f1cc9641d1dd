//! The Delaunay neighbours of many sites, triangulated a strip at a time, so that what
//! a triangulation takes while it is built (about 140 bytes a site in `spade`) is a
//! strip's and not the whole set's: at a million accounts the editor's areas worker
//! held some 150 MB at once for it.
//!
//! The sites are numbered by the bits of their x in the plane ([`super::triangulation`]'s
//! sites), so a run of consecutive sites of one sign of x is a band of x: a *strip*.
//! 1. Each strip is triangulated alone (two at a time). One of its triangles is *final*
//!    when its circumcircle lies strictly between the strips on either side: every site
//!    of the whole set inside the circle's span of x is then in the strip, so the
//!    strip's empty circle is empty of all sites, and the triangle is one of the whole
//!    set's Delaunay triangles. A site all of whose triangles are final has its whole
//!    star: its neighbours are final. The others (near a strip's edge, on its hull, in
//!    sparse land) are *unsure*, and keep what their final triangles gave them.
//! 2. The unsure sites are triangulated together. Every Delaunay triangle that no
//!    strip made final has only unsure corners (a site whose star is all final has no
//!    other triangle) and an empty circle, so it is one of theirs; of their triangles
//!    those whose circumcircle holds no site at all (tested exactly, with `robust`'s
//!    predicates, over buckets of all sites (a regular grid)) are kept, and their hull
//!    edges, which are the whole set's hull edges.
//!
//! Each site so gets every Delaunay neighbour and no other site. (Where four or more
//! sites lie on one empty circle, any diagonal between them is a Delaunay edge; two
//! strips may choose differently, and both are kept. The Voronoi cells do not change:
//! such a neighbour's bisector only touches the cell at a corner.)
//!
//! The strips' rows go straight into the result's one buffer, and the unsure sites'
//! neighbours are merged into it in place ([`add_to_rows`]), so the rows exist once
//! while they are built.

use std::ops::Range;

use rayon::prelude::*;
use robust::{Coord, incircle, orient2d};
use spade::{DelaunayTriangulation, Point2, Triangulation as _};

/// Sites a strip holds: about 9 MB of triangulation while it is built.
pub(super) const STRIP_SITES: usize = 65_536;

/// A point of the plane (x = lon × kx, y = lat), as the one triangulation has it.
fn plane(lon_lat: &[[f64; 2]], kx: f64, s: usize) -> [f64; 2] {
    [lon_lat[s][0] * kx, lon_lat[s][1]]
}

/// What one strip found: the neighbours its final triangles give each of its sites
/// (`start` has one more entry than the strip has sites), and its unsure sites.
struct Found {
    start: Vec<u32>,
    nb: Vec<u32>,
    unsure: Vec<u32>,
}

/// Each site's Delaunay neighbours (ascending, as `start` and `nb` rows), the sites
/// `strip` at a time; `None` when the strips cannot be made (a strip the triangulation
/// merged points of, strips whose spans of x overlap), for the caller to triangulate
/// the whole set at once.
pub(super) fn neighbours(lon_lat: &[[f64; 2]], kx: f64, strip: usize) -> Option<(Vec<u32>, Vec<u32>)> {
    let n = lon_lat.len();
    // Sites with x ≥ +0 come first (x ascending), then those below (x descending).
    let (mut negative, mut hi) = (0, n);
    while negative < hi {
        let mid = (negative + hi) / 2;
        if (plane(lon_lat, kx, mid)[0] + 0.0).is_sign_negative() {
            hi = mid;
        } else {
            negative = mid + 1;
        }
    }
    let strip = strip.max(3);
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for whole in [0..negative, negative..n] {
        let pieces = whole.len().div_ceil(strip);
        for i in 0..pieces {
            let (a, b) = (whole.start + i * whole.len() / pieces, whole.start + (i + 1) * whole.len() / pieces);
            ranges.push(a..b);
        }
    }
    // Each strip's span of x, and the nearest x outside it on either side.
    let span = |r: &Range<usize>| {
        r.clone().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            let x = plane(lon_lat, kx, s)[0];
            (lo.min(x), hi.max(x))
        })
    };
    let spans: Vec<(f64, f64)> = ranges.iter().map(span).collect();
    let mut by_x: Vec<usize> = (0..ranges.len()).collect();
    by_x.sort_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0));
    let mut limits = vec![(f64::NEG_INFINITY, f64::INFINITY); ranges.len()];
    for w in by_x.windows(2) {
        let (a, b) = (w[0], w[1]);
        if spans[a].1 > spans[b].0 {
            return None;
        }
        limits[a].1 = spans[b].0;
        limits[b].0 = spans[a].1;
    }
    // 1. The strips, two at a time (what one holds while it is built is the point).
    // The strips are consecutive runs of sites, so their rows, appended in turn, are the
    // rows of all sites; the buffer is sized for a planar graph's at most 6 directed
    // edges a site (a strip's triangulation is one), so it never moves while it fills.
    let (mut start, mut nb) = (Vec::with_capacity(n + 1), Vec::with_capacity(6 * n));
    start.push(0u32);
    let mut unsure: Vec<u32> = Vec::new();
    for pair in ranges.chunks(2).zip(limits.chunks(2)) {
        let done: Vec<Option<Found>> = pair
            .0
            .par_iter()
            .zip(pair.1.par_iter())
            .map(|(r, &(left, right))| triangulate_strip(lon_lat, kx, r.clone(), left, right))
            .collect();
        for f in done {
            let f = f?;
            let base = nb.len() as u32;
            start.extend(f.start[1..].iter().map(|&e| base + e));
            nb.extend_from_slice(&f.nb);
            unsure.extend_from_slice(&f.unsure);
        }
    }
    // 2. The unsure sites, together.
    let mut extra = unsure_neighbours(lon_lat, kx, &unsure)?;
    drop(unsure);
    extra.sort_unstable();
    extra.dedup();
    add_to_rows(&mut start, &mut nb, &extra);
    drop(extra);
    // Both ends of an edge must list it (they do, but where cocircular sites let two
    // triangulations choose different diagonals).
    let row = |s: usize| &nb[start[s] as usize..start[s + 1] as usize];
    let mut missing: Vec<(u32, u32)> = (0..n)
        .into_par_iter()
        .flat_map_iter(|s| {
            row(s)
                .iter()
                .filter(move |&&q| row(q as usize).binary_search(&(s as u32)).is_err())
                .map(move |&q| (q, s as u32))
        })
        .collect();
    if missing.is_empty() {
        return Some((start, nb));
    }
    missing.sort_unstable();
    let (mut start2, mut nb2) = (Vec::with_capacity(n + 1), Vec::with_capacity(nb.len() + missing.len()));
    start2.push(0u32);
    let mut at = 0;
    for s in 0..n {
        nb2.extend_from_slice(&nb[start[s] as usize..start[s + 1] as usize]);
        while missing.get(at).is_some_and(|m| m.0 as usize == s) {
            nb2.push(missing[at].1);
            at += 1;
        }
        let from = start2[s] as usize;
        nb2[from..].sort_unstable();
        start2.push(nb2.len() as u32);
    }
    Some((start2, nb2))
}

/// Adds to each row of (`start`, `nb`) the neighbours `extra` lists for it (pairs of
/// (site, neighbour), ascending), and leaves each row ascending without repeats. In
/// place: the rows are sorted, their new lengths counted, and each row merged with its
/// extras from the last row back, so the buffer is copied only when it lacks room.
pub(super) fn add_to_rows(start: &mut Vec<u32>, nb: &mut Vec<u32>, extra: &[(u32, u32)]) {
    let n = start.len() - 1;
    sort_rows(start, nb);
    if extra.is_empty() {
        return;
    }
    // Each row's extras, and the new row ends.
    let extras_of = |s: usize, from: usize| {
        let to = from + extra[from..].iter().take_while(|e| e.0 as usize == s).count();
        &extra[from..to]
    };
    let mut end = Vec::with_capacity(n + 1);
    end.push(0u32);
    let mut at = 0;
    for s in 0..n {
        let (row, more) = (&nb[start[s] as usize..start[s + 1] as usize], extras_of(s, at));
        at += more.len();
        let added = more.iter().filter(|e| row.binary_search(&e.1).is_err()).count();
        end.push(end[s] + (row.len() + added) as u32);
    }
    nb.resize(end[n] as usize, 0);
    // From the last row back: a row's new place never starts before its old one, and
    // within a row the merge writes at or after where it reads.
    for s in (0..n).rev() {
        let first = at - extra[..at].iter().rev().take_while(|e| e.0 as usize == s).count();
        let more = &extra[first..at];
        at = first;
        let (from, mut r, mut w) = (start[s] as usize, start[s + 1] as usize, end[s + 1] as usize);
        let mut e = more.len();
        while w > end[s] as usize {
            let take_row = e == 0 || (r > from && nb[r - 1] >= more[e - 1].1);
            w -= 1;
            if take_row {
                if e > 0 && nb[r - 1] == more[e - 1].1 {
                    e -= 1;
                }
                r -= 1;
                nb[w] = nb[r];
            } else {
                e -= 1;
                nb[w] = more[e].1;
            }
        }
    }
    *start = end;
}

/// Sorts each row of (`start`, `nb`) ascending, in parallel over blocks of rows.
fn sort_rows(start: &[u32], nb: &mut [u32]) {
    let n = start.len() - 1;
    let block = 4_096;
    let mut blocks: Vec<(usize, &mut [u32])> = Vec::with_capacity(n.div_ceil(block));
    let mut rest = &mut nb[..start[n] as usize];
    for b in (0..n).step_by(block) {
        let e = (b + block).min(n);
        let (here, tail) = rest.split_at_mut((start[e] - start[b]) as usize);
        blocks.push((b, here));
        rest = tail;
    }
    blocks.into_par_iter().for_each(|(b, rows)| {
        let base = start[b] as usize;
        for s in b..(b + block).min(n) {
            rows[start[s] as usize - base..start[s + 1] as usize - base].sort_unstable();
        }
    });
}

/// Triangulates the strip `range` whose neighbouring strips' nearest sites lie at x =
/// `left` and x = `right` (infinite where there is none).
fn triangulate_strip(lon_lat: &[[f64; 2]], kx: f64, range: Range<usize>, left: f64, right: f64) -> Option<Found> {
    let first = range.start;
    let points: Vec<Point2<f64>> = range
        .clone()
        .map(|s| {
            let [x, y] = plane(lon_lat, kx, s);
            Point2::new(x, y)
        })
        .collect();
    // `bulk_load_stable` keeps the order: vertex i is site first + i.
    let t = DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(points).ok()?;
    if t.num_vertices() != range.len() {
        return None;
    }
    let final_face: Vec<bool> = t
        .all_faces()
        .map(|f| {
            f.as_inner().is_some_and(|f| {
                let [a, b, c] = f.positions();
                circumcircle([a.x, a.y], [b.x, b.y], [c.x, c.y]).is_some_and(|(centre, r)| {
                    // A margin far above the rounding of the centre and the radius.
                    let r = r * (1.0 + 1e-4) + 1e-9;
                    centre[0] - r > left && centre[0] + r < right
                })
            })
        })
        .collect();
    let mut found = Found { start: Vec::with_capacity(range.len() + 1), nb: Vec::new(), unsure: Vec::new() };
    found.start.push(0);
    for v in t.vertices() {
        let mut sure = true;
        for e in v.out_edges() {
            let (here, there) = (final_face[e.face().fix().index()], final_face[e.rev().face().fix().index()]);
            sure &= here;
            if here || there {
                found.nb.push((first + e.to().fix().index()) as u32);
            }
        }
        found.start.push(found.nb.len() as u32);
        if !sure {
            found.unsure.push((first + v.fix().index()) as u32);
        }
    }
    Some(found)
}

/// The neighbours the unsure sites' own triangulation adds, as (site, neighbour) both
/// ways: its triangles whose circumcircle holds no site, and its hull.
fn unsure_neighbours(lon_lat: &[[f64; 2]], kx: f64, unsure: &[u32]) -> Option<Vec<(u32, u32)>> {
    if unsure.len() < 2 {
        return Some(Vec::new());
    }
    let points: Vec<Point2<f64>> = unsure
        .iter()
        .map(|&s| {
            let [x, y] = plane(lon_lat, kx, s as usize);
            Point2::new(x, y)
        })
        .collect();
    let t = DelaunayTriangulation::<Point2<f64>>::bulk_load_stable(points).ok()?;
    if t.num_vertices() != unsure.len() {
        return None;
    }
    let site = |v: usize| unsure[v];
    let triangles: Vec<[u32; 3]> = t.inner_faces().map(|f| f.vertices().map(|v| site(v.fix().index()))).collect();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for e in t.directed_edges().filter(|e| e.is_outer_edge()) {
        let (a, b) = (site(e.from().fix().index()), site(e.to().fix().index()));
        out.extend([(a, b), (b, a)]);
    }
    drop(t);
    let buckets = Buckets::new(lon_lat, kx);
    out.par_extend(
        triangles
            .par_iter()
            .filter(|tri| buckets.empty_circle(lon_lat, kx, **tri))
            .flat_map_iter(|&[a, b, c]| [(a, b), (b, a), (b, c), (c, b), (c, a), (a, c)]),
    );
    Some(out)
}

/// The centre and radius of the circle through three points; `None` when they are
/// on one line.
fn circumcircle(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> Option<([f64; 2], f64)> {
    let (bx, by, cx, cy) = (b[0] - a[0], b[1] - a[1], c[0] - a[0], c[1] - a[1]);
    let d = 2.0 * (bx * cy - by * cx);
    let (b2, c2) = (bx * bx + by * by, cx * cx + cy * cy);
    let (ux, uy) = ((cy * b2 - by * c2) / d, (bx * c2 - cx * b2) / d);
    let r = (ux * ux + uy * uy).sqrt();
    (d != 0.0 && r.is_finite()).then_some(([a[0] + ux, a[1] + uy], r))
}

/// All sites by cell of a regular grid over the plane, about two a cell, to find
/// whether a circle holds any.
struct Buckets {
    origin: [f64; 2],
    cell: [f64; 2],
    size: [usize; 2],
    start: Vec<u32>,
    sites: Vec<u32>,
}

impl Buckets {
    fn new(lon_lat: &[[f64; 2]], kx: f64) -> Buckets {
        let n = lon_lat.len();
        let (lo, hi) = (0..n).fold(([f64::MAX; 2], [f64::MIN; 2]), |(lo, hi), s| {
            let p = plane(lon_lat, kx, s);
            ([lo[0].min(p[0]), lo[1].min(p[1])], [hi[0].max(p[0]), hi[1].max(p[1])])
        });
        let (w, h) = ((hi[0] - lo[0]).max(1e-9), (hi[1] - lo[1]).max(1e-9));
        let cells = (n / 2).max(1) as f64;
        let nx = ((cells * w / h).sqrt().ceil() as usize).clamp(1, 4096);
        let ny = ((cells / nx as f64).ceil() as usize).clamp(1, 4096);
        let cell = [w / nx as f64, h / ny as f64];
        let mut b = Buckets { origin: lo, cell, size: [nx, ny], start: vec![0; nx * ny + 1], sites: vec![0; n] };
        let cell_of: Vec<u32> = (0..n).map(|s| b.cell_of(plane(lon_lat, kx, s)) as u32).collect();
        for &c in &cell_of {
            b.start[c as usize + 1] += 1;
        }
        for i in 0..nx * ny {
            b.start[i + 1] += b.start[i];
        }
        let mut next = b.start.clone();
        for (s, &c) in cell_of.iter().enumerate() {
            b.sites[next[c as usize] as usize] = s as u32;
            next[c as usize] += 1;
        }
        b
    }

    fn cell_of(&self, p: [f64; 2]) -> usize {
        let i = (((p[0] - self.origin[0]) / self.cell[0]) as usize).min(self.size[0] - 1);
        let j = (((p[1] - self.origin[1]) / self.cell[1]) as usize).min(self.size[1] - 1);
        j * self.size[0] + i
    }

    /// Whether no site lies strictly inside the circle through the three sites (exact).
    fn empty_circle(&self, lon_lat: &[[f64; 2]], kx: f64, [a, b, c]: [u32; 3]) -> bool {
        let at = |s: u32| {
            let [x, y] = plane(lon_lat, kx, s as usize);
            Coord { x, y }
        };
        let (pa, pb, pc) = (at(a), at(b), at(c));
        let turn = orient2d(pa, pb, pc);
        if turn == 0.0 {
            return false;
        }
        let Some((centre, r)) = circumcircle([pa.x, pa.y], [pb.x, pb.y], [pc.x, pc.y]) else { return false };
        // The rows and columns of cells the circle can reach, widened far beyond the
        // rounding of its centre and radius (the test itself is exact).
        let r = r * (1.0 + 1e-4) + 1e-9;
        let [nx, ny] = self.size;
        let row = |y: f64| ((y - self.origin[1]) / self.cell[1]).floor();
        let col = |x: f64| ((x - self.origin[0]) / self.cell[0]).floor();
        let (j0, j1) = (row(centre[1] - r).max(0.0), row(centre[1] + r).min(ny as f64 - 1.0));
        if j0 > j1 {
            return true;
        }
        for j in j0 as usize..=j1 as usize {
            let (y0, y1) = (self.origin[1] + j as f64 * self.cell[1], self.origin[1] + (j + 1) as f64 * self.cell[1]);
            let dy = if centre[1] < y0 {
                y0 - centre[1]
            } else if centre[1] > y1 {
                centre[1] - y1
            } else {
                0.0
            };
            if dy > r {
                continue;
            }
            let w = (r * r - dy * dy).sqrt();
            let (i0, i1) = (col(centre[0] - w).max(0.0), col(centre[0] + w).min(nx as f64 - 1.0));
            if i0 > i1 {
                continue;
            }
            let cells = j * nx + i0 as usize..=j * nx + i1 as usize;
            let sites = &self.sites[self.start[*cells.start()] as usize..self.start[*cells.end() + 1] as usize];
            for &s in sites {
                if s != a && s != b && s != c && incircle(pa, pb, pc, at(s)) * turn > 0.0 {
                    return false;
                }
            }
        }
        true
    }
}
