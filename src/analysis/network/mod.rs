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
//! and closeness from one Brandes pass per source (`shortest_paths`), checked
//! against rustworkx-core in the unit tests.
//!
//! This module does not know about domains beyond [`EventDomains`] (built elsewhere), and
//! does no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
mod metrics;
pub mod reverse;
mod shortest_paths;
use metrics::round6;
pub use metrics::{betweenness, metrics, Metrics, NodeMetrics};

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
    /// The day of the latest of those events (`YYYY-MM-DD`): the site's time filter hides
    /// ties with none in a window. Absent in snapshots saved before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
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
    /// Reviews by someone who joined later but knows the domain better (needs domains).
    pub reverse_mentorship: Vec<reverse::ReverseTie>,
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
    /// The time of the latest event.
    last: i64,
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
                d.last = d.last.max(e.time);
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
            last: Some(crate::util::day(d.last)),
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
        reverse_mentorship: domains
            .map(|d| reverse::ties(ledger, d, ids))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
pub(crate) mod test_ledger;
#[cfg(test)]
mod tests;
