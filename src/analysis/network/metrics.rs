//! The metrics of a graph, with networkx's definitions on the undirected projection:
//! degrees, betweenness and closeness (computed in `shortest_paths`), local clustering,
//! transitivity, components and articulation points (rustworkx-core); and the compressed
//! adjacency ([`Csr`]) they all walk. Pure graph algorithms: who the nodes are is the
//! parent module's business.

use std::collections::HashSet;

use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use super::shortest_paths::paths;

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
pub(super) fn round6(x: f64) -> f64 {
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
pub(super) fn projection(n: usize, edges: &[(usize, usize, u64)]) -> Vec<(u32, u32)> {
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
pub(super) struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Csr {
    /// From sorted distinct pairs `(a, b)`, `a < b < n` (see [`projection`]).
    pub(super) fn new(n: usize, pairs: &[(u32, u32)]) -> Csr {
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

    pub(super) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(super) fn degree(&self, v: usize) -> usize {
        (self.offsets[v + 1] - self.offsets[v]) as usize
    }

    pub(super) fn neighbours(&self, v: usize) -> &[u32] {
        &self.targets[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }
}
