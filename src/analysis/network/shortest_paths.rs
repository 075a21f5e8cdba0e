//! Betweenness and closeness: one breadth-first search per source (Brandes 2001), level by
//! level in the cheaper direction, with the sources shared out to every core and the
//! dependencies summed as fixed-point integers, so that the numbers do not depend on the
//! threads. Apart from `metrics` because it is the one part tuned for speed, with
//! invariants of its own (see [`Search`]); it walks `metrics`'s compressed adjacency
//! ([`Csr`]), and `metrics` rounds what it returns.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::metrics::Csr;

/// Betweenness and closeness use one thread per this many nodes (up to the core count).
const PARALLEL_THRESHOLD: usize = 50;

/// Betweenness (normalised, endpoints excluded) and closeness (Wasserman–Faust) of an
/// unweighted undirected graph, from one breadth-first search per source (Brandes 2001).
///
/// Why not rustworkx-core's `betweenness_centrality`: on 5,000 people and 50,000 ties it
/// takes about 4 s (it allocates predecessor lists per source and serialises the
/// accumulation behind a lock); this version reuses its buffers, walks a compressed
/// adjacency, searches level by level choosing the cheaper direction (see [`Search`]),
/// and hands the sources out to the machine's cores in blocks from an atomic counter, so a
/// core slowed by other work does not hold the rest up. The unit tests check it against
/// rustworkx-core and `tests/oracle` against networkx.
///
/// The result does not depend on the number of threads or on which thread ran which
/// source: each source's dependencies are added as fixed-point integers (see
/// [`fixed_point_scale`]), and integer sums do not depend on their order.
pub(super) fn paths(g: &Csr) -> (Vec<f64>, Vec<f64>) {
    let threads = crate::util::threads(g.len() / PARALLEL_THRESHOLD + 1);
    paths_on(g, threads)
}

/// [`paths`] on `threads` threads (at least one).
pub(super) fn paths_on(g: &Csr, threads: usize) -> (Vec<f64>, Vec<f64>) {
    let n = g.len();
    let comps = Components::new(g);
    let scale = fixed_point_scale(n);
    let threads = threads.max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut search = Search::new(g, &comps);
        let mut sums = vec![0i64; n];
        let mut closeness = Vec::new();
        loop {
            let start = next.fetch_add(SOURCE_BLOCK, Ordering::Relaxed);
            if start >= n {
                break;
            }
            for s in start..(start + SOURCE_BLOCK).min(n) {
                closeness.push((s, search.run(s, &mut sums, scale)));
            }
        }
        (sums, closeness)
    };
    let parts: Vec<Partial> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        handles
            .into_iter()
            // A panic in a worker is a bug here; surface it rather than return wrong numbers.
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut sums = vec![0i64; n];
    let mut closeness = vec![0.0; n];
    for (part, c) in parts {
        for (x, y) in sums.iter_mut().zip(part) {
            *x += y;
        }
        for (v, value) in c {
            closeness[v] = value;
        }
    }
    // Each pair was counted from both ends: networkx's 2 / ((n-1)(n-2)) times one half.
    let norm = if n > 2 {
        1.0 / ((n - 1) as f64 * (n - 2) as f64)
    } else {
        1.0
    };
    let betweenness = sums.iter().map(|&x| x as f64 / scale * norm).collect();
    (betweenness, closeness)
}

/// One thread's share: fixed-point dependency sums, and the closeness of its sources.
type Partial = (Vec<i64>, Vec<(usize, f64)>);

/// Sources a thread takes from the shared counter at a time: big enough that the counter
/// is not contended, small enough that the threads finish together.
const SOURCE_BLOCK: usize = 16;

/// The factor turning one source's dependency on a node into an `i64` (truncated).
///
/// A node's unnormalised betweenness (pairs counted from both ends) is at most
/// `(n - 1)(n - 2)`, so the largest power of two that keeps that total under 2^62 leaves
/// the sums room and never overflows. Each term is off by less than `1 / scale` (2^-37 for
/// 5,000 people), so a total is off by less than `n / scale`: about 1e-15 once normalised.
fn fixed_point_scale(n: usize) -> f64 {
    let bound = (n.saturating_sub(1) as u128 * n.saturating_sub(2) as u128).max(1);
    let bits = 128 - bound.leading_zeros() as i32;
    2f64.powi(62 - bits)
}

/// Connected components, for the searches: which one each node is in, its members, and
/// the sum of their degrees.
struct Components {
    /// Component of each node.
    of: Vec<u32>,
    /// Members of component `c`: `members[start[c]..start[c + 1]]`.
    members: Vec<u32>,
    start: Vec<usize>,
    /// Sum of the degrees of each component's members.
    degrees: Vec<usize>,
}

impl Components {
    fn new(g: &Csr) -> Components {
        let n = g.len();
        let mut of = vec![u32::MAX; n];
        let mut members = Vec::with_capacity(n);
        let mut start = vec![0];
        let mut degrees = Vec::new();
        for s in 0..n {
            if of[s] != u32::MAX {
                continue;
            }
            let id = degrees.len() as u32;
            of[s] = id;
            let first = members.len();
            members.push(s as u32);
            let mut i = first;
            let mut degree = 0;
            while i < members.len() {
                let v = members[i] as usize;
                i += 1;
                degree += g.degree(v);
                for &w in g.neighbours(v) {
                    if of[w as usize] == u32::MAX {
                        of[w as usize] = id;
                        members.push(w);
                    }
                }
            }
            start.push(members.len());
            degrees.push(degree);
        }
        Components {
            of,
            members,
            start,
            degrees,
        }
    }

    fn members(&self, c: usize) -> &[u32] {
        &self.members[self.start[c]..self.start[c + 1]]
    }
}

/// One thread's buffers for Brandes' algorithm, reused from source to source (they are
/// reset only where a search touched them).
///
/// Each search runs level by level, and each level is expanded in the cheaper of two
/// directions (as in direction-optimising BFS, Beamer et al. 2012): top-down, the frontier
/// scans its neighbours for new nodes; bottom-up, once the frontier's ties outnumber those
/// of the nodes not yet found, each unfound node scans its own neighbours for parents on
/// the frontier. Both give the same distances and path counts (sigma), and on a graph of
/// few hops, where most nodes are found in one or two big levels, bottom-up skips most of
/// the ties. The backward pass needs no predecessor lists: between two levels, the ties
/// from one to the next are found by scanning whichever level has fewer ties.
///
/// The inner loops compare no distances: they rely on values being zero where they must
/// not count. A node's neighbours are at most one level away, so an unfound node's
/// neighbours are on the frontier, unfound (sigma still 0) or found in the same step (their
/// sigma is written only after the step); a node's children are the only neighbours with a
/// non-zero `coef` while its level is worked out (`coef` is set one level at a time and
/// cleared after use); and stray additions only land on values already used, which are
/// cleared at the end.
struct Search<'g> {
    g: &'g Csr,
    comps: &'g Components,
    /// Distance from the source; `u32::MAX` when not (yet) found.
    dist: Vec<u32>,
    /// Shortest paths from the source; 0 when not found.
    sigma: Vec<f64>,
    /// Paths arriving at a node during the current step, before they become its sigma.
    incoming: Vec<f64>,
    /// Sum of the children's `coef` (then Brandes' delta once times sigma).
    delta: Vec<f64>,
    /// `(1 + delta) / sigma`, what a node passes to each parent per path from the source;
    /// non-zero only on the level being passed up.
    coef: Vec<f64>,
    /// Nodes found, level by level: level `d` is `order[level[d]..level[d + 1]]`. One
    /// slot longer than the graph: the top-down step writes every neighbour to the next
    /// free slot and only counts it as found if it was new, which needs no branch.
    order: Vec<u32>,
    level: Vec<usize>,
    /// Sum of the degrees of each level's nodes.
    level_degrees: Vec<usize>,
    /// Nodes of the source's component not found yet (bottom-up levels only).
    unfound: Vec<u32>,
}

impl<'g> Search<'g> {
    fn new(g: &'g Csr, comps: &'g Components) -> Search<'g> {
        let n = g.len();
        Search {
            g,
            comps,
            dist: vec![u32::MAX; n],
            sigma: vec![0.0; n],
            incoming: vec![0.0; n],
            delta: vec![0.0; n],
            coef: vec![0.0; n],
            order: vec![0; n + 1],
            level: Vec::new(),
            level_degrees: Vec::new(),
            unfound: Vec::new(),
        }
    }

    /// Adds the dependencies of source `s` to `sums` (times `scale`, see
    /// [`fixed_point_scale`]) and returns the closeness of `s`.
    fn run(&mut self, s: usize, sums: &mut [i64], scale: f64) -> f64 {
        let Search {
            g,
            comps,
            dist,
            sigma,
            incoming,
            delta,
            coef,
            order,
            level,
            level_degrees,
            unfound,
        } = self;
        let (g, comps) = (*g, *comps);
        // Plain slices: their bounds stay in registers.
        let (dist, sigma, incoming, delta, coef, order) = (
            &mut dist[..],
            &mut sigma[..],
            &mut incoming[..],
            &mut delta[..],
            &mut coef[..],
            &mut order[..],
        );
        let degrees =
            |nodes: &[u32]| -> usize { nodes.iter().map(|&v| g.degree(v as usize)).sum() };
        let c = comps.of[s] as usize;
        let size = comps.members(c).len();
        level.clear();
        level.extend([0, 1]);
        dist[s] = 0;
        sigma[s] = 1.0;
        order[0] = s as u32;
        let mut found = 1;
        // Sum of degrees per level, then of the nodes not found yet.
        level_degrees.clear();
        level_degrees.push(g.degree(s));
        let mut unfound_degrees = comps.degrees[c] - g.degree(s);
        let mut bottom_up = false;
        let mut d = 0u32;
        while found < size {
            let (lo, hi) = (level[d as usize], found);
            let next = d + 1;
            if !bottom_up && level_degrees[d as usize] > unfound_degrees {
                bottom_up = true;
                unfound.clear();
                unfound.extend(
                    comps
                        .members(c)
                        .iter()
                        .filter(|&&v| dist[v as usize] == u32::MAX),
                );
            }
            if bottom_up {
                let mut kept = 0;
                for i in 0..unfound.len() {
                    let u = unfound[i];
                    // Only parents on the frontier have paths yet (see the type's docs).
                    let paths: f64 = g
                        .neighbours(u as usize)
                        .iter()
                        .map(|&x| sigma[x as usize])
                        .sum();
                    if paths > 0.0 {
                        dist[u as usize] = next;
                        incoming[u as usize] = paths;
                        order[found] = u;
                        found += 1;
                    } else {
                        unfound[kept] = u;
                        kept += 1;
                    }
                }
                unfound.truncate(kept);
            } else {
                for i in lo..hi {
                    let v = order[i] as usize;
                    let paths = sigma[v];
                    for &w in g.neighbours(v) {
                        // Every neighbour is at most one level deeper than `v`, so `min`
                        // finds the new ones; they are kept by moving past the slot. All
                        // neighbours get the paths: only the new ones' will be read.
                        let w = w as usize;
                        let was = dist[w];
                        dist[w] = was.min(next);
                        order[found] = w as u32;
                        found += usize::from(was == u32::MAX);
                        incoming[w] += paths;
                    }
                }
            }
            for &w in &order[hi..found] {
                sigma[w as usize] = incoming[w as usize];
            }
            let new = degrees(&order[hi..found]);
            level_degrees.push(new);
            unfound_degrees -= new;
            level.push(found);
            d = next;
        }

        // Closeness (Wasserman–Faust): reached nodes over the distances to them, scaled by
        // the share of the graph reached.
        let levels = level.len() - 1;
        let dist_sum: u64 = (1..levels)
            .map(|d| d as u64 * (level[d + 1] - level[d]) as u64)
            .sum();
        let n = g.len();
        let closeness = if found <= 1 || dist_sum == 0 {
            0.0
        } else {
            let r = (found - 1) as f64;
            (r / dist_sum as f64) * (r / (n - 1) as f64)
        };

        // Backward, deepest level first. The deepest nodes depend on nobody (delta = 0);
        // a node's delta is sigma times the sum of its children's coef; the source's own
        // is never needed.
        let deepest = levels - 1;
        for &w in &order[level[deepest]..found] {
            coef[w as usize] = 1.0 / sigma[w as usize];
        }
        for d in (1..deepest).rev() {
            let here = &order[level[d]..level[d + 1]];
            let below = &order[level[d + 1]..level[d + 2]];
            if level_degrees[d] <= level_degrees[d + 1] {
                for &v in here {
                    delta[v as usize] = g
                        .neighbours(v as usize)
                        .iter()
                        .map(|&w| coef[w as usize])
                        .sum();
                }
            } else {
                // Also adds to the deeper neighbours' delta, which is used up already.
                for &w in below {
                    let c = coef[w as usize];
                    for &v in g.neighbours(w as usize) {
                        delta[v as usize] += c;
                    }
                }
            }
            for &w in below {
                coef[w as usize] = 0.0;
            }
            for &v in here {
                let v = v as usize;
                let dv = delta[v] * sigma[v];
                coef[v] = (1.0 + dv) / sigma[v];
                // Truncation toward zero: the fixed-point term (see `fixed_point_scale`).
                sums[v] += (dv * scale) as i64;
            }
        }
        for &v in &order[..found] {
            let v = v as usize;
            dist[v] = u32::MAX;
            sigma[v] = 0.0;
            incoming[v] = 0.0;
            delta[v] = 0.0;
            coef[v] = 0.0;
        }
        closeness
    }
}
