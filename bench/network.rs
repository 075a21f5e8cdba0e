//! Benchmark: the review network's metrics on 5,000 people and 50,000 review ties
//! (release build). Run with `bench/network.sh` or `cargo bench --bench network`.
//!
//! Two shapes: uniform random ties, and a skewed one where a few people do most reviews
//! (closer to real communities). Prints, best of three runs each, betweenness alone
//! (`analysis::network::betweenness`, the code path `metrics` uses) and every metric
//! together (`analysis::network::metrics`: betweenness, closeness, clustering, components,
//! articulation points), and one run of rustworkx-core's betweenness for comparison.
//!
//! Options after `--`: `--ours` skips rustworkx-core (slow); `--size PEOPLE TIES` changes
//! the graph (e.g. a small one under `valgrind --tool=callgrind`); `--runs N` (default 3).

use std::time::{Duration, Instant};

use cargo_guild::analysis::network::{betweenness, metrics};
use petgraph::graph::{NodeIndex, UnGraph};

use cargo_guild::util::XorShift as Rng;

fn graph(n: usize, m: usize, skewed: bool) -> Vec<(usize, usize, u64)> {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut seen = std::collections::HashSet::new();
    let mut edges = Vec::with_capacity(m);
    while edges.len() < m {
        let pick = |rng: &mut Rng| {
            if skewed {
                // Rank-biased: low indices are picked far more often.
                let r = rng.below(n as u64);
                rng.below(r + 1) as usize
            } else {
                rng.below(n as u64) as usize
            }
        };
        let a = pick(&mut rng);
        let b = rng.below(n as u64) as usize;
        if a != b && seen.insert((a, b)) {
            edges.push((a, b, 1 + rng.below(5)));
        }
    }
    edges
}

fn best<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let after = |flag: &str, i: usize| -> Option<usize> {
        let at = args.iter().position(|a| a == flag)?;
        args.get(at + 1 + i)?.parse().ok()
    };
    let (n, m) = (
        after("--size", 0).unwrap_or(5_000),
        after("--size", 1).unwrap_or(50_000),
    );
    let runs = after("--runs", 0).unwrap_or(3).max(1);
    let ours_only = args.iter().any(|a| a == "--ours");
    for (name, skewed) in [("uniform", false), ("skewed", true)] {
        let edges = graph(n, m, skewed);
        let mut g: UnGraph<(), ()> = UnGraph::default();
        for _ in 0..n {
            g.add_node(());
        }
        let mut pairs: Vec<(usize, usize)> = edges
            .iter()
            .map(|&(a, b, _)| (a.min(b), a.max(b)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for &(a, b) in &pairs {
            g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        }
        let between = best(runs, || {
            std::hint::black_box(betweenness(n, &edges));
        });
        let all = best(runs, || {
            std::hint::black_box(metrics(n, &edges));
        });
        let theirs = if ours_only {
            String::new()
        } else {
            let t = Instant::now();
            std::hint::black_box(rustworkx_core::centrality::betweenness_centrality(
                &g, false, true, 50,
            ));
            format!(
                " (rustworkx-core betweenness: {:.3} s)",
                t.elapsed().as_secs_f64()
            )
        };
        println!(
            "{name:8} {n} people, {m} directed ties ({} undirected): betweenness {:.3} s, all metrics {:.3} s{theirs}",
            pairs.len(),
            between.as_secs_f64(),
            all.as_secs_f64(),
        );
    }
}
