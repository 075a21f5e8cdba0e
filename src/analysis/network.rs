//! The review network: who works on whose contributions, as social network analysis.
//!
//! The graph is directed and weighted: an edge `reviewer → author` for every review-side
//! event ([`EventKind::is_review_side`]) about someone else's work: reviews and review
//! comments, the trailers `Reviewed-by`, `Acked-by`, `Tested-by`, `Helped-by`,
//! `Mentored-by`, merges of someone else's pull request, and `Signed-off-by` by someone other
//! than the author. A sign-off by another person means they applied the patch (the
//! maintainer's "I took this in"), which is the same relation as merging it, so it is an edge.
//! Co-authorship (`Co-authored-by`) joins both ways. Bots and self-loops are left out. The
//! weight of an edge is the number of distinct pieces of work (pull requests, or commits
//! outside any pull request) behind it, so a review plus a merge of one PR counts once.
//!
//! Nodes are the people (bots excluded) with at least one event, so that people with no
//! review tie show up as isolates. Opted-out people are nodes like anyone else: the caller
//! passes display ids, and they appear anonymised.
//!
//! Degrees are directed (in = distinct people who worked on yours, out = distinct people whose
//! work you worked on). Betweenness, closeness, clustering, components and articulation
//! points are computed on the undirected projection (a tie exists if either reviewed the
//! other): knowledge moves both ways in a review, and a person who reviews two teams
//! connects them even though no directed path runs through them. Definitions match
//! networkx's defaults on that projection (`betweenness_centrality` normalised without
//! endpoints, `closeness_centrality` with the Wasserman–Faust correction, `clustering`,
//! `transitivity`); `density` is the directed graph's (`nx.density`). `tests/oracle`
//! checks this against networkx. Articulation points come from rustworkx-core; betweenness
//! and closeness from one Brandes pass per source here (see [`paths`] for why), checked
//! against rustworkx-core in the unit tests.
//!
//! This module does not know about domains beyond [`EventDomains`] (built elsewhere), and
//! does no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use super::EventDomains;
use crate::events::{EventKind, Ledger, Target};

/// People with at least this normalised betweenness are named as knowledge brokers.
pub const BROKER_MIN_BETWEENNESS: f64 = 0.1;
/// A reciprocity ring: each of the pair gives at least this share of their review work to
/// the other...
pub const RING_MIN_SHARE: f64 = 0.8;
/// ...on at least this many pieces of work each way.
pub const RING_MIN_WEIGHT: u64 = 3;
/// Betweenness and closeness use one thread per this many nodes (up to the core count).
const PARALLEL_THRESHOLD: usize = 50;

/// Structural metrics of one node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct NodeMetrics {
    /// Distinct people who worked on this person's work.
    pub in_degree: u64,
    /// Distinct people whose work this person worked on.
    pub out_degree: u64,
    /// Pieces of this person's work others worked on (sum of incoming weights).
    pub weighted_in: u64,
    /// Pieces of others' work this person worked on (sum of outgoing weights).
    pub weighted_out: u64,
    /// `weighted_in + weighted_out`.
    pub weighted_degree: u64,
    /// Normalised betweenness on the undirected projection, in [0, 1].
    pub betweenness: f64,
    /// Closeness (Wasserman–Faust) on the undirected projection, in [0, 1].
    pub closeness: f64,
    /// Local clustering coefficient on the undirected projection, in [0, 1].
    pub clustering: f64,
    /// Component number: 0 is the largest (ties: the one holding the first node).
    pub component: usize,
    /// Removing this person splits their component.
    pub articulation_point: bool,
}

/// Metrics of a whole graph; the pure core, usable on any edge list (benchmarks, oracle).
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Metrics {
    /// Parallel to the nodes `0..n`.
    pub nodes: Vec<NodeMetrics>,
    /// Directed density: distinct directed pairs / (n (n - 1)).
    pub density: f64,
    /// Global clustering (transitivity) of the undirected projection.
    pub transitivity: f64,
    /// Connected components of the undirected projection, isolated nodes included.
    pub components: usize,
    /// Sizes of the components, by component number.
    pub component_sizes: Vec<usize>,
    /// Articulation points, sorted.
    pub articulation_points: Vec<usize>,
}

/// Rounds to 6 decimals: floating-point sums may differ in the last bits with the order
/// they are taken in (which code path, which build), and output must not.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Computes every metric of a directed weighted graph with `n` nodes. `edges` are distinct
/// `(from, to, weight)` with `from != to` (duplicates and self-loops are ignored).
pub fn metrics(n: usize, edges: &[(usize, usize, u64)]) -> Metrics {
    let mut nodes = vec![NodeMetrics::default(); n];
    let mut pairs: HashSet<(usize, usize)> = HashSet::with_capacity(edges.len());
    for &(a, b, w) in edges {
        if a == b || a >= n || b >= n || !pairs.insert((a, b)) {
            continue;
        }
        nodes[a].out_degree += 1;
        nodes[a].weighted_out += w;
        nodes[b].in_degree += 1;
        nodes[b].weighted_in += w;
    }
    for m in &mut nodes {
        m.weighted_degree = m.weighted_in + m.weighted_out;
    }
    let undirected = projection(n, edges);
    let mut g: UnGraph<(), ()> = UnGraph::with_capacity(n, undirected.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b) in &undirected {
        g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
    }

    let mut articulation: Vec<usize> = rustworkx_core::connectivity::articulation_points(&g, None)
        .into_iter()
        .map(|i| i.index())
        .collect();
    articulation.sort_unstable();

    let csr = Csr::new(n, &undirected);
    let (betweenness, closeness) = paths(&csr);

    // Local clustering: triangles through a node over the possible pairs of neighbours.
    // Each triangle is found once, from its lowest-ranked corner (rank = degree, then
    // index), which keeps hubs cheap.
    let rank = |v: usize| (csr.degree(v), v);
    let mut mark = vec![usize::MAX; n];
    let mut tri = vec![0u64; n];
    for v in 0..n {
        let higher: Vec<usize> = csr
            .neighbours(v)
            .iter()
            .map(|&u| u as usize)
            .filter(|&u| rank(u) > rank(v))
            .collect();
        for &u in &higher {
            mark[u] = v;
        }
        for &u in &higher {
            for &w in csr.neighbours(u) {
                let w = w as usize;
                if mark[w] == v && rank(w) > rank(u) {
                    tri[v] += 1;
                    tri[u] += 1;
                    tri[w] += 1;
                }
            }
        }
    }
    let (mut triangles_total, mut triples_total) = (0u64, 0u64);
    for v in 0..n {
        let d = csr.degree(v) as u64;
        let possible = d * d.saturating_sub(1) / 2;
        nodes[v].clustering = if possible == 0 {
            0.0
        } else {
            round6(tri[v] as f64 / possible as f64)
        };
        triangles_total += tri[v];
        triples_total += possible;
    }

    // Components, numbered largest first (ties: lowest first node), so numbers are stable.
    let mut comp = vec![usize::MAX; n];
    let mut comps: Vec<Vec<usize>> = Vec::new();
    for s in 0..n {
        if comp[s] != usize::MAX {
            continue;
        }
        let id = comps.len();
        let mut members = vec![s];
        comp[s] = id;
        let mut i = 0;
        while i < members.len() {
            let v = members[i];
            i += 1;
            for &u in csr.neighbours(v) {
                let u = u as usize;
                if comp[u] == usize::MAX {
                    comp[u] = id;
                    members.push(u);
                }
            }
        }
        comps.push(members);
    }
    let mut order: Vec<usize> = (0..comps.len()).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(comps[c].len()), c));
    let mut renumber = vec![0; comps.len()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new;
    }
    for (v, m) in nodes.iter_mut().enumerate() {
        m.component = renumber[comp[v]];
        m.betweenness = round6(betweenness[v]);
        m.closeness = round6(closeness[v]);
    }
    for &a in &articulation {
        nodes[a].articulation_point = true;
    }
    let density = if n < 2 {
        0.0
    } else {
        round6(pairs.len() as f64 / (n as f64 * (n as f64 - 1.0)))
    };
    Metrics {
        nodes,
        density,
        transitivity: if triples_total == 0 {
            0.0
        } else {
            round6(triangles_total as f64 / triples_total as f64)
        },
        components: comps.len(),
        component_sizes: order.iter().map(|&c| comps[c].len()).collect(),
        articulation_points: articulation,
    }
}

/// Betweenness of every node, normalised as in [`metrics`] (which returns the same numbers):
/// the same code path without the other metrics, so that it can be timed alone.
/// Closeness comes out of the same breadth-first searches at the cost of one sum per
/// source, so it is computed and dropped.
pub fn betweenness(n: usize, edges: &[(usize, usize, u64)]) -> Vec<f64> {
    let csr = Csr::new(n, &projection(n, edges));
    paths(&csr).0.into_iter().map(round6).collect()
}

/// The undirected projection of `edges`: distinct pairs `(a, b)` with `a < b < n`, sorted.
/// Node ids are `u32` here and in [`Csr`] (half the memory traffic of `usize`): a review
/// network has far fewer than 4 billion people or ties.
fn projection(n: usize, edges: &[(usize, usize, u64)]) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = edges
        .iter()
        .filter(|&&(a, b, _)| a != b && a < n && b < n)
        .map(|&(a, b, _)| (a.min(b) as u32, a.max(b) as u32))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Compressed adjacency of the undirected projection: neighbours of `v` are
/// `targets[offsets[v]..offsets[v + 1]]`, ascending. Cache-friendly for the n breadth-first
/// searches.
struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Csr {
    /// From sorted distinct pairs `(a, b)`, `a < b < n` (see [`projection`]).
    fn new(n: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut offsets = vec![0u32; n + 1];
        for &(a, b) in pairs {
            offsets[a as usize + 1] += 1;
            offsets[b as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        // Pairs are sorted, so each list fills in ascending order: first the smaller
        // neighbours (pairs `(a, v)`), then the larger ones (pairs `(v, b)`).
        let mut next: Vec<u32> = offsets[..n].to_vec();
        let mut targets = vec![0u32; pairs.len() * 2];
        for &(a, b) in pairs {
            targets[next[a as usize] as usize] = b;
            next[a as usize] += 1;
            targets[next[b as usize] as usize] = a;
            next[b as usize] += 1;
        }
        Csr { offsets, targets }
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn degree(&self, v: usize) -> usize {
        (self.offsets[v + 1] - self.offsets[v]) as usize
    }

    fn neighbours(&self, v: usize) -> &[u32] {
        &self.targets[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }
}

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
fn paths(g: &Csr) -> (Vec<f64>, Vec<f64>) {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(g.len() / PARALLEL_THRESHOLD + 1);
    paths_on(g, threads)
}

/// [`paths`] on `threads` threads (at least one).
fn paths_on(g: &Csr, threads: usize) -> (Vec<f64>, Vec<f64>) {
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

/// One person in the network, with their metrics.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct PersonNode {
    pub name: String,
    #[serde(flatten)]
    pub metrics: NodeMetrics,
}

/// A directed edge: `from` worked on `to`'s work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Distinct pieces of work (pull requests, or commits outside one).
    pub weight: u64,
    /// Events behind the edge, per kind.
    pub kinds: BTreeMap<String, u64>,
}

/// A knowledge broker: someone many shortest paths between others run through.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Broker {
    pub id: String,
    pub betweenness: f64,
    /// Removing them would split the network.
    pub articulation_point: bool,
    /// Domains of the work on their ties (empty without domains).
    pub domains: Vec<String>,
    /// Their ties span two domains or more.
    pub between_domains: bool,
}

/// Why someone is on the edge of the network.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IsolateKind {
    /// No review tie at all: nobody worked on their work and they worked on nobody's.
    NoTies,
    /// Their work was only ever reviewed by one person, and they review nobody.
    SingleReviewer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Isolate {
    pub id: String,
    pub kind: IsolateKind,
    /// The one reviewer, for `single_reviewer`.
    pub reviewer: Option<String>,
}

/// Two people who give almost all their review work to each other.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Ring {
    /// The pair, sorted.
    pub people: [String; 2],
    /// Pieces of work each way: first → second, second → first.
    pub weights: [u64; 2],
    /// Share of each one's outgoing review work that goes to the other.
    pub shares: [f64; 2],
}

/// The snapshot's `network`: metrics, edges and named findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Network {
    /// Keyed by display id.
    pub people: BTreeMap<String, PersonNode>,
    /// Sorted by (from, to).
    pub edges: Vec<Edge>,
    pub density: f64,
    pub transitivity: f64,
    pub components: usize,
    pub largest_component: usize,
    pub articulation_points: Vec<String>,
    /// Highest betweenness first.
    pub brokers: Vec<Broker>,
    /// Sorted by id.
    pub isolates: Vec<Isolate>,
    /// Components of two people or more that are not the largest one: teams with no tie
    /// to the rest. Each sorted; biggest first.
    pub isolated_groups: Vec<Vec<String>>,
    pub reciprocity_rings: Vec<Ring>,
}

/// The graph of a ledger before metrics: nodes (ledger person indices) and weighted edges.
pub struct Graph {
    /// Ledger person index of each node, ascending.
    pub people: Vec<u32>,
    /// (from node, to node) → (distinct work, kinds, domains touched).
    edges: BTreeMap<(usize, usize), EdgeData>,
}

#[derive(Default)]
struct EdgeData {
    work: HashSet<Target>,
    kinds: BTreeMap<&'static str, u64>,
    domains: BTreeSet<u16>,
}

impl Graph {
    /// Builds the graph from the ledger (see the module docs for what makes an edge).
    pub fn from_ledger(ledger: &Ledger, domains: Option<&EventDomains>) -> Graph {
        let people = ledger.people();
        let mut active = vec![false; people.len()];
        for e in &ledger.events {
            active[e.person as usize] = true;
        }
        let nodes: Vec<u32> = (0..people.len() as u32)
            .filter(|&p| active[p as usize] && !people[p as usize].is_bot)
            .collect();
        let mut node_of: HashMap<u32, usize> = HashMap::with_capacity(nodes.len());
        for (i, &p) in nodes.iter().enumerate() {
            node_of.insert(p, i);
        }
        let mut edges: BTreeMap<(usize, usize), EdgeData> = BTreeMap::new();
        for (i, e) in ledger.events.iter().enumerate() {
            let co = e.kind == EventKind::CoAuthored;
            if !(e.kind.is_review_side() || co) {
                continue;
            }
            let Some(other) = e.other else { continue };
            let (Some(&a), Some(&b)) = (node_of.get(&e.person), node_of.get(&other)) else {
                continue; // a bot on either end
            };
            if a == b {
                continue;
            }
            let work = match e.pr {
                Some(n) => Target::Pr(n),
                None => e.target.clone(),
            };
            let ds = domains.and_then(|d| d.of_event.get(i));
            let both = [(a, b), (b, a)];
            for &(x, y) in if co { &both[..] } else { &both[..1] } {
                let d = edges.entry((x, y)).or_default();
                d.work.insert(work.clone());
                *d.kinds.entry(e.kind.as_str()).or_default() += 1;
                if let Some(ds) = ds {
                    d.domains.extend(ds.iter().copied());
                }
            }
        }
        Graph {
            people: nodes,
            edges,
        }
    }

    /// `(from, to, weight)` for [`metrics`].
    pub fn edge_list(&self) -> Vec<(usize, usize, u64)> {
        self.edges
            .iter()
            .map(|(&(a, b), d)| (a, b, d.work.len() as u64))
            .collect()
    }
}

/// Analyses the ledger's review network. `ids` and `names` are the display ids and names of
/// every ledger person (opted-out people anonymised); `domains`, when known, lets brokers be
/// marked as bridges between domains.
pub fn analyse(
    ledger: &Ledger,
    domains: Option<&EventDomains>,
    ids: &[String],
    names: &[String],
) -> Network {
    let graph = Graph::from_ledger(ledger, domains);
    let edge_list = graph.edge_list();
    let m = metrics(graph.people.len(), &edge_list);
    let id = |node: usize| ids[graph.people[node] as usize].clone();

    let people: BTreeMap<String, PersonNode> = m
        .nodes
        .iter()
        .enumerate()
        .map(|(i, nm)| {
            (
                id(i),
                PersonNode {
                    name: names[graph.people[i] as usize].clone(),
                    metrics: nm.clone(),
                },
            )
        })
        .collect();
    let mut edges: Vec<Edge> = graph
        .edges
        .iter()
        .map(|(&(a, b), d)| Edge {
            from: id(a),
            to: id(b),
            weight: d.work.len() as u64,
            kinds: d.kinds.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        })
        .collect();
    edges.sort_by(|x, y| (&x.from, &x.to).cmp(&(&y.from, &y.to)));

    // Domains per node: of the work on any of their ties.
    let mut node_domains: Vec<BTreeSet<u16>> = vec![BTreeSet::new(); graph.people.len()];
    for (&(a, b), d) in &graph.edges {
        node_domains[a].extend(d.domains.iter().copied());
        node_domains[b].extend(d.domains.iter().copied());
    }
    let domain_name = |d: u16| {
        domains
            .and_then(|ds| ds.names.get(d as usize))
            .cloned()
            .unwrap_or_default()
    };
    let mut brokers: Vec<Broker> = m
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, nm)| nm.betweenness >= BROKER_MIN_BETWEENNESS)
        .map(|(i, nm)| {
            let ds: Vec<String> = node_domains[i].iter().map(|&d| domain_name(d)).collect();
            Broker {
                id: id(i),
                betweenness: nm.betweenness,
                articulation_point: nm.articulation_point,
                between_domains: ds.len() >= 2,
                domains: ds,
            }
        })
        .collect();
    brokers.sort_by(|a, b| {
        b.betweenness
            .total_cmp(&a.betweenness)
            .then_with(|| a.id.cmp(&b.id))
    });

    // The one reviewer of people reviewed by exactly one person.
    let mut reviewer_of: Vec<Option<usize>> = vec![None; m.nodes.len()];
    for &(a, b, _) in &edge_list {
        reviewer_of[b] = Some(a);
    }
    let mut isolates: Vec<Isolate> = Vec::new();
    for (i, nm) in m.nodes.iter().enumerate() {
        if nm.in_degree == 0 && nm.out_degree == 0 {
            isolates.push(Isolate {
                id: id(i),
                kind: IsolateKind::NoTies,
                reviewer: None,
            });
        } else if nm.in_degree == 1 && nm.out_degree == 0 {
            isolates.push(Isolate {
                id: id(i),
                kind: IsolateKind::SingleReviewer,
                reviewer: reviewer_of[i].map(id),
            });
        }
    }
    isolates.sort_by(|a, b| a.id.cmp(&b.id));

    let mut groups: Vec<Vec<String>> = vec![Vec::new(); m.components];
    for (i, nm) in m.nodes.iter().enumerate() {
        groups[nm.component].push(id(i));
    }
    let isolated_groups: Vec<Vec<String>> = groups
        .into_iter()
        .skip(1)
        .filter(|g| g.len() >= 2)
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();

    let weight: HashMap<(usize, usize), u64> =
        edge_list.iter().map(|&(a, b, w)| ((a, b), w)).collect();
    let mut rings: Vec<Ring> = Vec::new();
    for &(a, b, w_ab) in &edge_list {
        if a > b {
            continue;
        }
        let Some(&w_ba) = weight.get(&(b, a)) else {
            continue;
        };
        if w_ab.min(w_ba) < RING_MIN_WEIGHT {
            continue;
        }
        let share_ab = w_ab as f64 / m.nodes[a].weighted_out as f64;
        let share_ba = w_ba as f64 / m.nodes[b].weighted_out as f64;
        if share_ab >= RING_MIN_SHARE && share_ba >= RING_MIN_SHARE {
            let (ia, ib) = (id(a), id(b));
            let swap = ia > ib;
            let (p, w, s) = if swap {
                ([ib, ia], [w_ba, w_ab], [share_ba, share_ab])
            } else {
                ([ia, ib], [w_ab, w_ba], [share_ab, share_ba])
            };
            rings.push(Ring {
                people: p,
                weights: w,
                shares: [round6(s[0]), round6(s[1])],
            });
        }
    }
    rings.sort_by(|x, y| x.people.cmp(&y.people));

    let mut articulation_points: Vec<String> =
        m.articulation_points.iter().map(|&a| id(a)).collect();
    articulation_points.sort();
    Network {
        people,
        edges,
        density: m.density,
        transitivity: m.transitivity,
        components: m.components,
        largest_component: m.component_sizes.first().copied().unwrap_or(0),
        articulation_points,
        brokers,
        isolates,
        isolated_groups,
        reciprocity_rings: rings,
    }
}

/// Hand-built ledgers for unit tests of the analyses.
#[cfg(test)]
pub(crate) mod test_ledger {
    use crate::config::Config;
    use crate::events::identity::{IdentityBuilder, RawIdent};
    use crate::events::{Event, EventKind, Ledger, PrId, Source, Target};

    /// People `logins` (ids sort as given when they are in order) and events
    /// `(day, person, kind, other, pr)`; a pull request's events target it.
    pub fn ledger(logins: &[&str], events: &[(i64, u32, EventKind, Option<u32>, u64)]) -> Ledger {
        let mut b = IdentityBuilder::new();
        for l in logins {
            b.add(RawIdent::login(l), 1);
        }
        let identities = b.finish(&Config::default());
        let events: Vec<Event> = events
            .iter()
            .map(|&(day, person, kind, other, pr)| Event {
                time: day * 86_400,
                person,
                kind,
                target: Target::Pr(PrId {
                    number: pr,
                    merge: None,
                }),
                pr: Some(PrId {
                    number: pr,
                    merge: None,
                }),
                other,
                source: Source::Git,
                state: None,
            })
            .collect();
        Ledger {
            identities,
            as_of: events.iter().map(|e| e.time).max().unwrap_or(0),
            events,
            prs: Default::default(),
            head: String::new(),
            future: Default::default(),
            docs: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_center_carries_every_path() {
        // 0 reviews 1..=4.
        let m = metrics(5, &[(0, 1, 1), (0, 2, 2), (0, 3, 1), (0, 4, 1)]);
        assert_eq!(m.nodes[0].out_degree, 4);
        assert_eq!(m.nodes[0].weighted_out, 5);
        assert_eq!(m.nodes[0].betweenness, 1.0);
        assert_eq!(m.nodes[0].closeness, 1.0);
        assert_eq!(m.nodes[1].betweenness, 0.0);
        assert_eq!(m.nodes[1].closeness, round6(4.0 / 7.0));
        assert_eq!(m.nodes[0].clustering, 0.0);
        assert_eq!(m.transitivity, 0.0);
        assert_eq!(m.components, 1);
        assert_eq!(m.articulation_points, vec![0]);
        assert_eq!(m.density, 0.2);
    }

    #[test]
    fn triangle_is_fully_clustered() {
        let m = metrics(4, &[(0, 1, 1), (1, 2, 1), (2, 0, 1), (0, 2, 1)]);
        assert_eq!(m.nodes[0].clustering, 1.0);
        assert_eq!(m.transitivity, 1.0);
        assert_eq!(m.components, 2);
        assert_eq!(m.component_sizes, vec![3, 1]);
        assert_eq!(m.nodes[3].component, 1);
        assert!(m.articulation_points.is_empty());
    }

    #[test]
    fn broker_between_domains_is_marked_only_with_domains() {
        use crate::events::EventKind::*;
        // a1, a2 work in core (PRs 1, 2); b1, b2 in docs (PRs 3, 4); x reviews a1 and b1.
        let ledger = test_ledger::ledger(
            &["a1", "a2", "b1", "b2", "x"],
            &[
                (1, 0, PrMerged, None, 1),
                (1, 1, Review, Some(0), 1),
                (2, 1, PrMerged, None, 2),
                (2, 0, Review, Some(1), 2),
                (3, 2, PrMerged, None, 3),
                (3, 3, Review, Some(2), 3),
                (4, 3, PrMerged, None, 4),
                (4, 2, Review, Some(3), 4),
                (5, 4, Review, Some(0), 1),
                (6, 4, Review, Some(2), 3),
            ],
        );
        assert_eq!(ledger.people()[4].id, "x");
        let ids: Vec<String> = ledger.people().iter().map(|p| p.id.clone()).collect();
        let plain = analyse(&ledger, None, &ids, &ids);
        let x = plain.brokers.iter().find(|b| b.id == "x").unwrap();
        assert!(!x.between_domains);
        assert!(x.domains.is_empty());
        let domains = EventDomains {
            names: vec!["core".into(), "docs".into()],
            of_event: vec![
                vec![0],
                vec![0],
                vec![0],
                vec![0],
                vec![1],
                vec![1],
                vec![1],
                vec![1],
                vec![0],
                vec![1],
            ],
        };
        let net = analyse(&ledger, Some(&domains), &ids, &ids);
        // 2 × 2 pairs across the teams out of C(4, 2) = 6, plus none inside: 4 / 6.
        assert_eq!(net.brokers[0].id, "x");
        assert_eq!(net.brokers[0].betweenness, round6(4.0 / 6.0));
        assert!(net.brokers[0].between_domains);
        assert_eq!(net.brokers[0].domains, vec!["core", "docs"]);
        let a1 = net.brokers.iter().find(|b| b.id == "a1").unwrap();
        assert!(!a1.between_domains, "a1's ties are all in core");
        // The numbers themselves do not depend on domains.
        assert_eq!(plain.people, net.people);
    }

    /// Undirected pairs `(a, b)`, `a < b < n`, sorted and distinct.
    fn pairs(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Vec<(u32, u32)> {
        let list: Vec<(usize, usize, u64)> = edges.into_iter().map(|(a, b)| (a, b, 1)).collect();
        projection(n, &list)
    }

    /// Asserts that [`paths`] agrees with rustworkx-core on the graph.
    fn agrees_with_rustworkx(what: &str, n: usize, pairs: &[(u32, u32)]) {
        let mut g: UnGraph<(), ()> = UnGraph::default();
        for _ in 0..n {
            g.add_node(());
        }
        for &(a, b) in pairs {
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
        }
        let (bc, cl) = paths(&Csr::new(n, pairs));
        let rb = rustworkx_core::centrality::betweenness_centrality(&g, false, true, 1000);
        let rc = rustworkx_core::centrality::closeness_centrality(&g, true, 1000);
        for v in 0..n {
            let (b, c) = (rb[v].unwrap_or(0.0), rc[v].unwrap_or(0.0));
            assert!(
                (bc[v] - b).abs() < 1e-9,
                "{what}: betweenness of {v}: {} vs {b}",
                bc[v]
            );
            assert!(
                (cl[v] - c).abs() < 1e-9,
                "{what}: closeness of {v}: {} vs {c}",
                cl[v]
            );
        }
    }

    /// The shared generator, in `usize`.
    struct Rng(crate::util::XorShift);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0.below(n as u64) as usize
        }
    }

    #[test]
    fn paths_agree_with_rustworkx_on_random_graphs() {
        let mut rng = Rng(crate::util::XorShift(0x9e3779b97f4a7c15));
        // Sizes on both sides of the threading threshold, with isolated nodes; sparse
        // graphs (long, thin levels: top-down steps) and dense ones (one or two big levels:
        // bottom-up steps, and backward steps scanning the deeper level).
        for (n, m) in [
            (12, 15),
            (60, 120),
            (130, 260),
            (60, 900),
            (300, 3000),
            (400, 1200),
        ] {
            let edges: Vec<(usize, usize)> = (0..m).map(|_| (rng.below(n), rng.below(n))).collect();
            agrees_with_rustworkx(&format!("uniform n={n} m={m}"), n, &pairs(n, edges));
        }
        // Skewed: a few hubs take most ties, many people hang on one or two.
        for (n, m) in [(200, 600), (500, 2500)] {
            let edges: Vec<(usize, usize)> = (0..m)
                .map(|_| {
                    let r = rng.below(n);
                    (rng.below(r + 1), rng.below(n))
                })
                .collect();
            agrees_with_rustworkx(&format!("skewed n={n} m={m}"), n, &pairs(n, edges));
        }
    }

    #[test]
    fn paths_agree_with_rustworkx_on_shapes() {
        // A clique of 30 with a path of 10 hanging off it and a separate star of 6: big
        // levels next to long thin ones, two components and an isolate.
        let mut edges = Vec::new();
        for a in 0..30 {
            for b in a + 1..30 {
                edges.push((a, b));
            }
        }
        for v in 30..40 {
            edges.push((v - 1, v));
        }
        for leaf in 41..46 {
            edges.push((40, leaf));
        }
        agrees_with_rustworkx("lollipop and star", 47, &pairs(47, edges));
        // A complete bipartite graph: every level but the source's is one side.
        let k: Vec<(usize, usize)> = (0..8).flat_map(|a| (8..20).map(move |b| (a, b))).collect();
        agrees_with_rustworkx("K(8,12)", 20, &pairs(20, k));
        // A grid: many shortest paths per pair.
        let mut grid = Vec::new();
        for r in 0..9 {
            for c in 0..9 {
                if c < 8 {
                    grid.push((r * 9 + c, r * 9 + c + 1));
                }
                if r < 8 {
                    grid.push((r * 9 + c, (r + 1) * 9 + c));
                }
            }
        }
        agrees_with_rustworkx("9x9 grid", 81, &pairs(81, grid));
    }

    #[test]
    fn tiny_graphs_have_no_paths_through_anyone() {
        for n in 0..3 {
            let (bc, cl) = paths(&Csr::new(n, &[]));
            assert_eq!(bc, vec![0.0; n]);
            assert_eq!(cl, vec![0.0; n]);
        }
        // Two people with one tie: each is at distance 1 from the other, nobody between.
        let (bc, cl) = paths(&Csr::new(2, &[(0, 1)]));
        assert_eq!(bc, vec![0.0, 0.0]);
        assert_eq!(cl, vec![1.0, 1.0]);
        let m = metrics(1, &[]);
        assert_eq!(m.nodes[0].betweenness, 0.0);
        assert_eq!(m.nodes[0].closeness, 0.0);
        assert_eq!(m.components, 1);
    }

    #[test]
    fn threads_do_not_change_a_single_bit() {
        let mut rng = Rng(crate::util::XorShift(7));
        let n = 700;
        let edges: Vec<(usize, usize)> = (0..3000).map(|_| (rng.below(n), rng.below(n))).collect();
        let g = Csr::new(n, &pairs(n, edges));
        let one = paths_on(&g, 1);
        for threads in [2, 3, 8] {
            let many = paths_on(&g, threads);
            let bits = |x: &[f64]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(
                bits(&one.0),
                bits(&many.0),
                "betweenness on {threads} threads"
            );
            assert_eq!(
                bits(&one.1),
                bits(&many.1),
                "closeness on {threads} threads"
            );
        }
    }

    #[test]
    fn betweenness_alone_is_what_metrics_reports() {
        let mut rng = Rng(crate::util::XorShift(11));
        let n = 150;
        let edges: Vec<(usize, usize, u64)> = (0..600)
            .map(|_| (rng.below(n), rng.below(n), 1 + rng.below(3) as u64))
            .collect();
        let all = metrics(n, &edges);
        let alone = betweenness(n, &edges);
        let from_all: Vec<f64> = all.nodes.iter().map(|m| m.betweenness).collect();
        assert_eq!(alone, from_all);
        assert!(alone.iter().any(|&b| b > 0.0));
    }
}
