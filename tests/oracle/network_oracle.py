#!/usr/bin/env python3
"""Independent oracle for `cargo guild network`: recomputes every metric with networkx.

Reads a network document on stdin, in the shape of `cargo guild network --format json`
(only `people` keys and `edges` with `from`, `to`, `weight` are used), and prints JSON:
per person the metrics, and the community-level numbers. Definitions, as documented in
src/analysis/network.rs: degrees on the directed graph, everything else on its undirected
projection with networkx's defaults.

With `--graphml FILE`, instead parses FILE with networkx's GraphML reader and prints its
node and edge counts and node labels (checks that the file is valid GraphML).
"""
import json
import sys

import networkx as nx


def oracle(doc):
    d = nx.DiGraph()
    d.add_nodes_from(sorted(doc["people"]))
    for e in doc["edges"]:
        d.add_edge(e["from"], e["to"], weight=e["weight"])
    u = d.to_undirected()
    bet = nx.betweenness_centrality(u, normalized=True, endpoints=False)
    clo = nx.closeness_centrality(u, wf_improved=True)
    clu = nx.clustering(u)
    aps = sorted(nx.articulation_points(u))
    comps = sorted(nx.connected_components(u), key=len, reverse=True)
    people = {}
    for n in d.nodes:
        people[n] = {
            "in_degree": d.in_degree(n),
            "out_degree": d.out_degree(n),
            "weighted_in": d.in_degree(n, weight="weight"),
            "weighted_out": d.out_degree(n, weight="weight"),
            "weighted_degree": d.degree(n, weight="weight"),
            "betweenness": bet[n],
            "closeness": clo[n],
            "clustering": clu[n],
            "articulation_point": n in aps,
        }
    return {
        "people": people,
        "density": nx.density(d),
        "transitivity": nx.transitivity(u),
        "components": nx.number_connected_components(u),
        "largest_component": len(comps[0]) if comps else 0,
        "articulation_points": aps,
    }


def graphml(path):
    g = nx.read_graphml(path)
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "directed": g.is_directed(),
        "labels": {n: a.get("label") for n, a in g.nodes(data=True)},
        "weights": {f"{a}->{b}": w.get("weight") for a, b, w in g.edges(data=True)},
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--graphml":
        print(json.dumps(graphml(sys.argv[2]), sort_keys=True))
    else:
        print(json.dumps(oracle(json.load(sys.stdin)), sort_keys=True))
