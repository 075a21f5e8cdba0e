//! Benchmark: the review network's metrics on 5,000 people and 50,000 review ties
//! (release build). Run with `bench/network.sh` or `cargo bench --bench network`.
//!
//! Two shapes: uniform random ties, and a skewed one where a few people do most reviews
//! (closer to real communities). Prints the best of three runs of every metric together
//! (`analysis::network::metrics`: betweenness, closeness, clustering, components,
//! articulation points), and one run of rustworkx-core's betweenness for comparison.

use std::time::{Duration, Instant};

use cargo_guild::analysis::network::metrics;
use petgraph::graph::{NodeIndex, UnGraph};

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

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

fn best<F: FnMut()>(mut f: F) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let (n, m) = (5_000, 50_000);
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
        // `-- --ours` skips the slow comparison.
        let t = Instant::now();
        if !std::env::args().any(|a| a == "--ours") {
            std::hint::black_box(rustworkx_core::centrality::betweenness_centrality(
                &g, false, true, 50,
            ));
        }
        let bt = t.elapsed();
        let all = best(|| {
            std::hint::black_box(metrics(n, &edges));
        });
        println!(
            "{name:8} {n} people, {m} directed ties ({} undirected): all metrics {:.3} s (rustworkx-core betweenness alone: {:.3} s)",
            pairs.len(),
            all.as_secs_f64(),
            bt.as_secs_f64()
        );
    }
}
