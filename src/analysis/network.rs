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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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

/// Rounds to 6 decimals: the parallel sums of betweenness may differ in the last bits from
/// run to run, and output must not.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Computes every metric of a directed weighted graph with `n` nodes. `edges` are distinct
/// `(from, to, weight)` with `from != to` (duplicates and self-loops are ignored).
pub fn metrics(n: usize, edges: &[(usize, usize, u64)]) -> Metrics {
    let mut nodes = vec![NodeMetrics::default(); n];
    let mut pairs: HashSet<(usize, usize)> = HashSet::with_capacity(edges.len());
    let mut undirected: BTreeSet<(usize, usize)> = BTreeSet::new();
    for &(a, b, w) in edges {
        if a == b || a >= n || b >= n || !pairs.insert((a, b)) {
            continue;
        }
        nodes[a].out_degree += 1;
        nodes[a].weighted_out += w;
        nodes[b].in_degree += 1;
        nodes[b].weighted_in += w;
        undirected.insert((a.min(b), a.max(b)));
    }
    for m in &mut nodes {
        m.weighted_degree = m.weighted_in + m.weighted_out;
    }
    let mut g: UnGraph<(), ()> = UnGraph::with_capacity(n, undirected.len());
    for _ in 0..n {
        g.add_node(());
    }
    for &(a, b) in &undirected {
        g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    }

    let mut articulation: Vec<usize> = rustworkx_core::connectivity::articulation_points(&g, None)
        .into_iter()
        .map(|i| i.index())
        .collect();
    articulation.sort_unstable();

    // Adjacency, sorted, for paths, clustering and components.
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &undirected {
        adj[a].push(b);
        adj[b].push(a);
    }
    for l in &mut adj {
        l.sort_unstable();
    }
    let csr = Csr::new(&adj);
    let (betweenness, closeness) = paths(&csr);

    // Local clustering: triangles through a node over the possible pairs of neighbours.
    // Each triangle is found once, from its lowest-ranked corner (rank = degree, then
    // index), which keeps hubs cheap.
    let rank = |v: usize| (adj[v].len(), v);
    let mut mark = vec![usize::MAX; n];
    let mut tri = vec![0u64; n];
    for v in 0..n {
        let higher: Vec<usize> = adj[v]
            .iter()
            .copied()
            .filter(|&u| rank(u) > rank(v))
            .collect();
        for &u in &higher {
            mark[u] = v;
        }
        for &u in &higher {
            for &w in &adj[u] {
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
        let d = adj[v].len() as u64;
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
            for &u in &adj[v] {
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

/// Compressed adjacency of the undirected projection: neighbours of `v` are
/// `targets[offsets[v]..offsets[v + 1]]`. Cache-friendly for the n breadth-first searches.
struct Csr {
    offsets: Vec<u32>,
    targets: Vec<u32>,
}

impl Csr {
    fn new(adj: &[Vec<usize>]) -> Csr {
        let mut offsets = Vec::with_capacity(adj.len() + 1);
        let mut targets = Vec::with_capacity(adj.iter().map(Vec::len).sum());
        offsets.push(0);
        for l in adj {
            targets.extend(l.iter().map(|&u| u as u32));
            offsets.push(targets.len() as u32);
        }
        Csr { offsets, targets }
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn neighbours(&self, v: usize) -> &[u32] {
        &self.targets[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }
}

/// Betweenness (normalised, endpoints excluded) and closeness (Wasserman–Faust) of an
/// unweighted undirected graph, from one breadth-first search per source (Brandes 2001).
///
/// Why not rustworkx-core's `betweenness_centrality`: on 5,000 people and 50,000 ties it
/// takes about 10 s (it allocates predecessor lists per source and serialises the
/// accumulation behind a lock); this version reuses its buffers, walks a compressed
/// adjacency, finds successors by distance instead of storing predecessors, and splits the
/// sources over the machine's cores. The unit tests check it against rustworkx-core and
/// `tests/oracle` against networkx.
fn paths(g: &Csr) -> (Vec<f64>, Vec<f64>) {
    let n = g.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n / PARALLEL_THRESHOLD + 1)
        .max(1);
    let chunk = n.div_ceil(threads).max(1);
    let mut closeness = vec![0.0; n];
    let mut betweenness = vec![0.0; n];
    let parts: Vec<Dependencies> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let end = (start + chunk).min(n);
                scope.spawn(move || brandes(g, start..end))
            })
            .collect();
        handles
            .into_iter()
            // A panic in a worker is a bug here; surface it rather than return wrong numbers.
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    // Summed in source order, so the result does not depend on thread timing.
    for (b, c) in parts {
        for (x, y) in betweenness.iter_mut().zip(b) {
            *x += y;
        }
        for (v, value) in c {
            closeness[v] = value;
        }
    }
    if n > 2 {
        // Each pair was counted from both ends: networkx's 2 / ((n-1)(n-2)) times one half.
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for x in &mut betweenness {
            *x *= scale;
        }
    }
    (betweenness, closeness)
}

/// Betweenness dependencies summed over some sources, and those sources' closeness.
type Dependencies = (Vec<f64>, Vec<(usize, f64)>);

/// Dependencies accumulated from the sources in `sources`, and their closeness.
///
/// Two savings over the textbook loop, both exact: the shortest-path DAG is recorded as a
/// flat list of (predecessor, node) pairs, so the backward pass touches only DAG edges;
/// and once every node of the source's component has been found, the search turns
/// bottom-up (as in direction-optimising BFS): the few nodes still beyond the frontier
/// look for their predecessors, instead of the big frontier scanning all its neighbours.
fn brandes(g: &Csr, sources: std::ops::Range<usize>) -> Dependencies {
    let n = g.len();
    let comp = component_sizes(g);
    let mut bc = vec![0.0; n];
    let mut closeness = Vec::with_capacity(sources.len());
    let mut dist = vec![u32::MAX; n];
    let mut sigma = vec![0.0f64; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    let mut dag: Vec<(u32, u32)> = Vec::new();
    let mut scanned = vec![false; n];
    for s in sources {
        order.clear();
        dag.clear();
        dist[s] = 0;
        sigma[s] = 1.0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() && order.len() < comp[s] {
            let v = order[head] as usize;
            let dv = dist[v];
            head += 1;
            for &w in g.neighbours(v) {
                let wi = w as usize;
                if dist[wi] == u32::MAX {
                    dist[wi] = dv + 1;
                    order.push(w);
                }
                if dist[wi] == dv + 1 {
                    sigma[wi] += sigma[v];
                    dag.push((v as u32, w));
                }
            }
        }
        // Every node is found: distances are final. Instead of scanning the rest of the
        // frontier's (many) neighbours, let each deeper node find its unscanned
        // predecessors, in BFS order so that their path counts are complete.
        if head < order.len() {
            for &v in &order[..head] {
                scanned[v as usize] = true;
            }
            let d0 = dist[order[head] as usize];
            for &w in &order[head..] {
                let w = w as usize;
                let dw = dist[w];
                if dw <= d0 {
                    continue;
                }
                for &u in g.neighbours(w) {
                    let ui = u as usize;
                    if dist[ui] + 1 == dw && !scanned[ui] {
                        sigma[w] += sigma[ui];
                        dag.push((u, w as u32));
                    }
                }
            }
            for &v in &order[..head] {
                scanned[v as usize] = false;
            }
        }
        let reached = order.len();
        let dist_sum: u64 = order.iter().map(|&v| u64::from(dist[v as usize])).sum();
        closeness.push((
            s,
            if reached <= 1 || dist_sum == 0 {
                0.0
            } else {
                let r = (reached - 1) as f64;
                (r / dist_sum as f64) * (r / (n - 1) as f64)
            },
        ));
        // Pairs were recorded in BFS order: backwards, a node's dependency is complete
        // before it is passed on to its predecessors.
        for &(v, w) in dag.iter().rev() {
            let (v, w) = (v as usize, w as usize);
            delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
        }
        for &v in &order {
            let v = v as usize;
            if v != s {
                bc[v] += delta[v];
            }
            dist[v] = u32::MAX;
            sigma[v] = 0.0;
            delta[v] = 0.0;
        }
    }
    (bc, closeness)
}

/// For each node, the size of its connected component.
fn component_sizes(g: &Csr) -> Vec<usize> {
    let n = g.len();
    let mut comp = vec![usize::MAX; n];
    let mut sizes = Vec::new();
    let mut stack = Vec::new();
    for s in 0..n {
        if comp[s] != usize::MAX {
            continue;
        }
        let id = sizes.len();
        comp[s] = id;
        stack.push(s);
        let mut size = 0;
        while let Some(v) = stack.pop() {
            size += 1;
            for &w in g.neighbours(v) {
                if comp[w as usize] == usize::MAX {
                    comp[w as usize] = id;
                    stack.push(w as usize);
                }
            }
        }
        sizes.push(size);
    }
    comp.into_iter().map(|c| sizes[c]).collect()
}

/// One person in the network, with their metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonNode {
    pub name: String,
    #[serde(flatten)]
    pub metrics: NodeMetrics,
}

/// A directed edge: `from` worked on `to`'s work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Distinct pieces of work (pull requests, or commits outside one).
    pub weight: u64,
    /// Events behind the edge, per kind.
    pub kinds: BTreeMap<&'static str, u64>,
}

/// A knowledge broker: someone many shortest paths between others run through.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IsolateKind {
    /// No review tie at all: nobody worked on their work and they worked on nobody's.
    NoTies,
    /// Their work was only ever reviewed by one person, and they review nobody.
    SingleReviewer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Isolate {
    pub id: String,
    pub kind: IsolateKind,
    /// The one reviewer, for `single_reviewer`.
    pub reviewer: Option<String>,
}

/// Two people who give almost all their review work to each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ring {
    /// The pair, sorted.
    pub people: [String; 2],
    /// Pieces of work each way: first → second, second → first.
    pub weights: [u64; 2],
    /// Share of each one's outgoing review work that goes to the other.
    pub shares: [f64; 2],
}

/// The snapshot's `network`: metrics, edges and named findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
            kinds: d.kinds.clone(),
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
    use crate::events::{Event, EventKind, Ledger, Source, Target};

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
                target: Target::Pr(pr),
                pr: Some(pr),
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

    #[test]
    fn paths_agree_with_rustworkx_on_random_graphs() {
        let mut x = 0x9e3779b97f4a7c15u64;
        let mut below = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        // Sizes on both sides of the threading threshold, with isolated nodes.
        for (n, m) in [(12usize, 15usize), (60, 120), (130, 260)] {
            let mut edges = BTreeSet::new();
            for _ in 0..m {
                let (a, b) = (below(n as u64) as usize, below(n as u64) as usize);
                if a != b {
                    edges.insert((a.min(b), a.max(b)));
                }
            }
            let mut g: UnGraph<(), ()> = UnGraph::default();
            let mut adj = vec![Vec::new(); n];
            for _ in 0..n {
                g.add_node(());
            }
            for &(a, b) in &edges {
                g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
                adj[a].push(b);
                adj[b].push(a);
            }
            let (bc, cl) = paths(&Csr::new(&adj));
            let rb = rustworkx_core::centrality::betweenness_centrality(&g, false, true, 1000);
            let rc = rustworkx_core::centrality::closeness_centrality(&g, true, 1000);
            for v in 0..n {
                assert!(
                    (bc[v] - rb[v].unwrap()).abs() < 1e-9,
                    "betweenness of {v} in n={n}"
                );
                assert!(
                    (cl[v] - rc[v].unwrap()).abs() < 1e-9,
                    "closeness of {v} in n={n}"
                );
            }
        }
    }
}
