//! The network's analyses on hand-built graphs and ledgers, and the shortest-path code
//! against rustworkx-core: random graphs, awkward shapes, and any number of threads.

use super::metrics::{projection, Csr};
use super::shortest_paths::{paths, paths_on};
use super::*;
use petgraph::graph::{NodeIndex, UnGraph};

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
    let domains = EventDomains::new(
        vec!["core".into(), "docs".into()],
        vec![
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
    );
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
