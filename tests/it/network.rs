//! The review network: hand-built histories with known answers (a star, a bridge person
//! between two teams, a ring, a newcomer reviewed by one mentor, a reciprocity ring), the
//! DOT and GraphML renderings, and networkx as an independent oracle.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::require;
use crate::support::Repo;

/// `hub` merges one pull request from each of four people.
fn star() -> Repo {
    let repo = Repo::new();
    repo.commit_by("Hub", "2024-01-01", "Initial commit");
    for (i, who) in ["Ann", "Ben", "Cat", "Dan"].iter().enumerate() {
        repo.merge_pr(i as u64 + 1, who, "Hub", &format!("2024-02-0{}", i + 1));
    }
    repo
}

/// Two teams of three who merge each other's work in a circle, and Xen, whose work a1
/// merged and who merged b1's work: the only tie between the teams.
fn bridge() -> Repo {
    let repo = Repo::new();
    repo.commit_by("A1", "2024-01-01", "Initial commit");
    let mut n = 0;
    let mut pr = |author: &str, merger: &str| {
        n += 1;
        repo.merge_pr(n, author, merger, &format!("2024-02-{:02}", n));
    };
    pr("A2", "A1");
    pr("A3", "A2");
    pr("A1", "A3");
    pr("B2", "B1");
    pr("B3", "B2");
    pr("B1", "B3");
    pr("Xen", "A1");
    pr("B1", "Xen");
    repo
}

fn network(repo: &Repo) -> Value {
    repo.run(["network", "--format", "json"]).json()
}

#[track_caller]
fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-6, "expected {expected}, got {a}");
}

#[test]
fn star_hub_is_the_only_broker_and_leaves_hang_on_it() {
    let repo = star();
    let net = network(&repo);
    let hub = &net["people"]["hub"];
    assert_eq!(hub["out_degree"], 4);
    assert_eq!(hub["in_degree"], 0);
    assert_eq!(hub["weighted_degree"], 4);
    close(&hub["betweenness"], 1.0);
    close(&hub["closeness"], 1.0);
    close(&hub["clustering"], 0.0);
    assert_eq!(hub["articulation_point"], true);
    for leaf in ["ann", "ben", "cat", "dan"] {
        let p = &net["people"][leaf];
        assert_eq!(p["in_degree"], 1, "{leaf}");
        assert_eq!(p["out_degree"], 0, "{leaf}");
        close(&p["betweenness"], 0.0);
        close(&p["closeness"], 4.0 / 7.0);
        assert_eq!(p["component"], 0);
    }
    close(&net["density"], 4.0 / 20.0);
    close(&net["transitivity"], 0.0);
    assert_eq!(net["components"], 1);
    assert_eq!(net["largest_component"], 5);
    assert_eq!(net["articulation_points"], json!(["hub"]));
    assert_eq!(net["brokers"].as_array().unwrap().len(), 1);
    assert_eq!(net["brokers"][0]["id"], "hub");
    assert_eq!(net["brokers"][0]["between_domains"], false);
    let isolates = net["isolates"].as_array().unwrap();
    assert_eq!(isolates.len(), 4);
    for i in isolates {
        assert_eq!(i["kind"], "single_reviewer");
        assert_eq!(i["reviewer"], "hub");
    }
    assert_eq!(net["edges"][0]["from"], "hub");
    assert_eq!(net["edges"][0]["to"], "ann");
    assert_eq!(net["edges"][0]["weight"], 1);
    assert_eq!(net["edges"][0]["kinds"]["merged_other"], 1);
    assert_eq!(net["isolated_groups"], json!([]));
    assert_eq!(net["reciprocity_rings"], json!([]));
}

#[test]
fn bridge_person_between_two_teams_is_the_top_broker() {
    let repo = bridge();
    let net = network(&repo);
    let p = &net["people"];
    // Xen lies on all 9 shortest paths between the teams, of C(6, 2) = 15 pairs.
    close(&p["xen"]["betweenness"], 0.6);
    // a1 connects a2 and a3 to Xen and team B: 2 × 4 = 8 pairs.
    close(&p["a1"]["betweenness"], 8.0 / 15.0);
    close(&p["b1"]["betweenness"], 8.0 / 15.0);
    close(&p["a2"]["betweenness"], 0.0);
    close(&p["xen"]["clustering"], 0.0);
    close(&p["a1"]["clustering"], 1.0 / 3.0);
    close(&p["a2"]["clustering"], 1.0);
    // Distances from Xen: 1, 1, 2, 2, 2, 2 → 6 / 10.
    close(&p["xen"]["closeness"], 0.6);
    assert_eq!(p["xen"]["in_degree"], 1);
    assert_eq!(p["xen"]["out_degree"], 1);
    // Two triangles: 6 closed of 11 connected triples.
    close(&net["transitivity"], 6.0 / 11.0);
    assert_eq!(net["articulation_points"], json!(["a1", "b1", "xen"]));
    let brokers: Vec<&str> = net["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(brokers, ["xen", "a1", "b1"]);
    assert_eq!(net["isolates"], json!([]));
    assert_eq!(net["components"], 1);

    let table = repo.run(["network"]).ok();
    assert!(table.contains("knowledge brokers"), "{table}");
    assert!(table.contains("xen  0.600 (articulation point)"), "{table}");
}

#[test]
fn separate_teams_and_people_without_ties_are_named() {
    let repo = Repo::new();
    repo.commit_by("Solo", "2024-01-01", "Initial commit");
    repo.merge_pr(1, "Ann", "Ben", "2024-02-01")
        .merge_pr(2, "Ben", "Ann", "2024-02-02")
        .merge_pr(3, "Cat", "Dan", "2024-02-03")
        .merge_pr(4, "Dan", "Eve", "2024-02-04")
        .merge_pr(5, "Eve", "Cat", "2024-02-05");
    let net = network(&repo);
    assert_eq!(net["components"], 3);
    assert_eq!(net["largest_component"], 3);
    assert_eq!(net["people"]["cat"]["component"], 0);
    assert_eq!(net["people"]["ann"]["component"], 1);
    assert_eq!(net["people"]["solo"]["component"], 2);
    assert_eq!(net["isolated_groups"], json!([["ann", "ben"]]));
    assert_eq!(
        net["isolates"],
        json!([{"id": "solo", "kind": "no_ties", "reviewer": null}])
    );
}

#[test]
fn pairs_who_review_only_each_other_are_a_reciprocity_ring() {
    let repo = Repo::new();
    repo.commit_by("Ann", "2024-01-01", "Initial commit");
    let mut n = 0;
    for _ in 0..3 {
        n += 1;
        repo.merge_pr(n, "Ann", "Ben", &format!("2024-02-{n:02}"));
        n += 1;
        repo.merge_pr(n, "Ben", "Ann", &format!("2024-02-{n:02}"));
    }
    // Cat reviews Ann once: Ann's outgoing work still all goes to Ben.
    n += 1;
    repo.merge_pr(n, "Ann", "Cat", &format!("2024-02-{n:02}"));
    let net = network(&repo);
    assert_eq!(
        net["reciprocity_rings"],
        json!([{"people": ["ann", "ben"], "weights": [3, 3], "shares": [1.0, 1.0]}])
    );
}

#[test]
fn trailers_coauthors_bots_and_opt_outs_shape_the_edges() {
    let repo = Repo::new();
    repo.write("guild.yml", "opt_out: [\"Olga\"]\nbots: [\"Robo\"]\n");
    repo.commit_by("Ann", "2024-01-01", "Initial commit");
    repo.commit_by(
        "Ben",
        "2024-01-02",
        "Fix\n\nReviewed-by: Ann <ann@example.com>\nAcked-by: Olga <olga@example.com>\nTested-by: Robo <robo@example.com>\nCo-authored-by: Cat <cat@example.com>\nSigned-off-by: Ben <ben@example.com>",
    );
    let net = network(&repo);
    let edges: Vec<(String, String, u64)> = net["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
                e["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    let s = |a: &str, b: &str| (a.to_string(), b.to_string(), 1);
    // Sorted by (from, to); co-authorship both ways; the bot and the self sign-off nowhere;
    // the opted-out person under their anonymous id.
    assert_eq!(
        edges,
        vec![
            s("ann", "ben"),
            s("anonymous-1", "ben"),
            s("ben", "cat"),
            s("cat", "ben"),
        ]
    );
    assert!(net["people"].get("robo").is_none());
    assert!(net["people"].get("olga").is_none());
    assert_eq!(net["people"]["anonymous-1"]["name"], "Anonymous");
}

#[test]
fn newcomer_reviewed_by_one_mentor_hangs_on_that_mentor() {
    let repo = Repo::new();
    repo.commit_by("Mia", "2024-01-01", "Initial commit");
    repo.merge_pr_full(
        1,
        "Noa",
        "Mia",
        "2024-03-01",
        "First fix",
        Some("src/a.rs"),
        "Reviewed-by: Mia <mia@example.com>",
    );
    let net = network(&repo);
    assert_eq!(
        net["isolates"],
        json!([{"id": "noa", "kind": "single_reviewer", "reviewer": "mia"}])
    );
    // A review and a merge of the same pull request are one piece of work.
    assert_eq!(net["edges"][0]["weight"], 1);
    assert_eq!(net["edges"][0]["kinds"]["review"], 1);
    assert_eq!(net["edges"][0]["kinds"]["merged_other"], 1);
}

#[test]
fn dot_and_graphml_escape_hostile_names() {
    let repo = Repo::new();
    // Git drops `<` and `>` from names; quotes, ampersands and backslashes stay.
    let evil = "Ev\"il & 'Q\\ Name";
    repo.commit_by("Ann", "2024-01-01", "Initial commit");
    repo.commit_by(
        &format!("{evil} <evil@example.com>"),
        "2024-02-01",
        "Fix\n\nReviewed-by: Ann <ann@example.com>",
    );
    let dot = repo.run(["network", "--format", "dot"]).ok();
    assert!(dot.starts_with("digraph review_network {"), "{dot}");
    assert!(dot.contains(r#"label="Ev\"il & 'Q\\ Name""#), "{dot}");
    let graphml = repo.run(["network", "--format", "graphml"]).ok();
    assert!(
        graphml.contains("<data key=\"label\">Ev&quot;il &amp; &#39;Q\\ Name</data>"),
        "{graphml}"
    );
    require!(
        crate::support::python_has("networkx"),
        "python3 with networkx (pip install networkx)"
    );
    let file = repo.path().join("net.graphml");
    std::fs::write(&file, &graphml).unwrap();
    let parsed = python(&["--graphml", file.to_str().unwrap()], "");
    assert_eq!(parsed["nodes"], 2);
    assert_eq!(parsed["edges"], 1);
    assert_eq!(parsed["directed"], true);
    let evil_id = net_id(&repo, evil);
    assert_eq!(parsed["labels"][evil_id.as_str()], evil);

    require!(which("dot"), "Graphviz (apt install graphviz)");
    {
        let mut child = Command::new("dot")
            .args(["-Tsvg"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "Graphviz rejected the DOT: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The display id of the person named `name`.
fn net_id(repo: &Repo, name: &str) -> String {
    let net = network(repo);
    net["people"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, p)| p["name"] == name)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no {name} in {net:#}"))
}

fn which(program: &str) -> bool {
    Command::new(program)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn oracle_script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/network_oracle.py")
}

/// Runs the oracle with `args`, feeding `input`; returns its JSON.
fn python(args: &[&str], input: &str) -> Value {
    let mut child = Command::new("python3")
        .arg(oracle_script())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle prints JSON")
}

/// Every metric of `net` (our JSON) equals networkx's on the same nodes and edges.
#[track_caller]
fn agrees_with_networkx(what: &str, net: &Value) {
    let want = python(&[], &net.to_string());
    for key in ["density", "transitivity"] {
        let (a, b) = (net[key].as_f64().unwrap(), want[key].as_f64().unwrap());
        assert!((a - b).abs() < 1e-5, "{what}: {key} {a} vs networkx {b}");
    }
    for key in ["components", "largest_component", "articulation_points"] {
        assert_eq!(net[key], want[key], "{what}: {key}");
    }
    let people = want["people"].as_object().unwrap();
    assert_eq!(people.len(), net["people"].as_object().unwrap().len());
    for (id, w) in people {
        let ours = &net["people"][id];
        for (k, v) in w.as_object().unwrap() {
            match v {
                Value::Number(n) => {
                    let (a, b) = (ours[k].as_f64().unwrap(), n.as_f64().unwrap());
                    assert!(
                        (a - b).abs() < 1e-5,
                        "{what}: {id}.{k} = {a}, networkx says {b}"
                    );
                }
                other => assert_eq!(&ours[k], other, "{what}: {id}.{k}"),
            }
        }
    }
}

use cargo_guild::util::XorShift as Rng;

#[test]
fn metrics_agree_with_networkx() {
    require!(
        crate::support::python_has("networkx"),
        "python3 with networkx (pip install networkx)"
    );
    agrees_with_networkx("star", &network(&star()));
    agrees_with_networkx("bridge", &network(&bridge()));

    // A ring of five: each merges the next one's work.
    let ring = Repo::new();
    ring.commit_by("P0", "2024-01-01", "Initial commit");
    for i in 0..5 {
        ring.merge_pr(
            i + 1,
            &format!("P{}", (i + 1) % 5),
            &format!("P{i}"),
            &format!("2024-02-0{}", i + 1),
        );
    }
    let net = network(&ring);
    close(&net["people"]["p0"]["betweenness"], 1.0 / 6.0);
    agrees_with_networkx("ring", &net);

    // A random history: 12 people, 30 pull requests, random mergers and trailer reviewers.
    let random = Repo::new();
    random.commit_by("R0", "2024-01-01", "Initial commit");
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for n in 1..=30u64 {
        let author = rng.below(12);
        let merger = rng.below(12);
        let reviewer = rng.below(12);
        random.merge_pr_full(
            n,
            &format!("R{author}"),
            &format!("R{merger}"),
            &format!("2024-03-{:02}", n % 28 + 1),
            &format!("Change {n}"),
            None,
            &format!("Reviewed-by: R{reviewer} <r{reviewer}@example.com>"),
        );
    }
    agrees_with_networkx("random history", &network(&random));

    // Bigger random graphs straight through the library, with isolated nodes and
    // several components.
    for (seed, n, m) in [(1u64, 40usize, 60usize), (7, 80, 300), (42, 150, 400)] {
        let mut rng = Rng(seed.wrapping_mul(0x2545f4914f6cdd1d) | 1);
        let mut edges = Vec::new();
        for _ in 0..m {
            let (a, b) = (rng.below(n as u64) as usize, rng.below(n as u64) as usize);
            if a != b {
                edges.push((a, b, 1 + rng.below(3)));
            }
        }
        edges.sort();
        edges.dedup_by_key(|e| (e.0, e.1));
        let metrics = cargo_guild::analysis::network::metrics(n, &edges);
        let id = |i: usize| format!("n{i:03}");
        let people: serde_json::Map<String, Value> = metrics
            .nodes
            .iter()
            .enumerate()
            .map(|(i, m)| (id(i), serde_json::to_value(m).unwrap()))
            .collect();
        let doc = json!({
            "people": people,
            "edges": edges.iter().map(|&(a, b, w)| json!({"from": id(a), "to": id(b), "weight": w})).collect::<Vec<_>>(),
            "density": metrics.density,
            "transitivity": metrics.transitivity,
            "components": metrics.components,
            "largest_component": metrics.component_sizes[0],
            "articulation_points": metrics.articulation_points.iter().map(|&a| id(a)).collect::<Vec<_>>(),
        });
        agrees_with_networkx(&format!("random graph seed {seed}"), &doc);
    }
}

/// `network --format json` passed no domains, so its brokers were never "between domains"
/// while the snapshot's were: both now come from the one snapshot.
#[test]
fn network_json_equals_the_snapshots_network_with_domains() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "domains:\n  alpha: [\"a/**\"]\n  beta: [\"b/**\"]\n",
    )
    .commit_by("A1", "2024-01-01", "Initial commit");
    let mut n = 0;
    let mut pr = |author: &str, merger: &str, path: &str| {
        n += 1;
        repo.merge_pr_full(
            n,
            author,
            merger,
            &format!("2024-02-{n:02}"),
            &format!("Change {n}"),
            Some(path),
            "",
        );
    };
    pr("A2", "A1", "a/x.rs");
    pr("A1", "A2", "a/y.rs");
    pr("B2", "B1", "b/x.rs");
    pr("B1", "B2", "b/y.rs");
    pr("Xen", "A1", "a/z.rs");
    pr("B1", "Xen", "b/z.rs");
    let net = network(&repo);
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(net, ctx["network"]);
    let xen = net["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "xen")
        .expect("xen is a broker");
    assert_eq!(xen["between_domains"], true, "{xen:#}");
}

/// A junior who joined later but knows the ui code best reviews a senior's ui change:
/// reverse mentorship, with its badge. The senior reviewing the junior is not, nor is a
/// later joiner who does not know the domain better.
#[test]
fn reverse_mentorship_is_a_later_joiner_who_knows_the_domain_better() {
    let repo = crate::support::Repo::new();
    repo.write(
        "guild.yml",
        "domains:\n  ui: [\"ui/**\"]\n  core: [\"core/**\"]\n",
    )
    .write("core/a.rs", "a\n")
    .commit_by("Sam Senior <sam@example.com>", "2023-01-01", "Core");
    for i in 0..6 {
        repo.write(&format!("ui/{i}.rs"), "x\n").commit_by(
            "Jo Junior <jo@example.com>",
            &format!("2024-01-0{}", i + 1),
            "UI work",
        );
    }
    repo.write("core/b.rs", "b\n")
        .commit_by("Cy Core <cy@example.com>", "2024-01-08", "Core too");
    repo.merge_pr_full(
        1,
        "Sam Senior <sam@example.com>",
        "Sam Senior <sam@example.com>",
        "2024-02-01",
        "Sam touches the ui",
        Some("ui/0.rs"),
        "Reviewed-by: Jo Junior <jo@example.com>",
    )
    .merge_pr_full(
        2,
        "Jo Junior <jo@example.com>",
        "Sam Senior <sam@example.com>",
        "2024-02-02",
        "Jo touches core",
        Some("core/a.rs"),
        "Reviewed-by: Sam Senior <sam@example.com>",
    )
    .merge_pr_full(
        3,
        "Sam Senior <sam@example.com>",
        "Sam Senior <sam@example.com>",
        "2024-02-03",
        "Sam touches ui again",
        Some("ui/1.rs"),
        "Reviewed-by: Cy Core <cy@example.com>",
    );
    let net = repo.run(["network", "--format", "json"]).json();
    assert_eq!(
        net["reverse_mentorship"],
        serde_json::json!([{"mentor": "jo-junior", "mentee": "sam-senior", "domain": "ui", "reviews": 1}]),
        "{}",
        net["reverse_mentorship"]
    );
    let people = repo.run(["reputation", "--format", "json"]).json();
    let badges = |id: &str| -> Vec<String> {
        crate::support::person(&people, id)["badges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(badges("jo-junior").contains(&"reverse_mentor".to_string()));
    assert!(!badges("sam-senior").contains(&"reverse_mentor".to_string()));
    assert!(!badges("cy-core").contains(&"reverse_mentor".to_string()));
    let text = repo.run(["network"]).ok();
    assert!(text.contains("jo-junior → sam-senior in ui"), "{text}");
}
