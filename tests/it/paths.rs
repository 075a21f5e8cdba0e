//! `cargo guild paths`: a domain's docs in reading order with whom to ask, and a person's
//! next steps, including the single point of failure they are closest to removing.

use crate::support::Repo;

fn doc(kind: &str, date: &str, title: &str) -> String {
    format!("---\ntitle: {title}\nkind: {kind}\ndate: {date}\nauthors: [alice]\ndomain: net\n---\nBody.\n")
}

/// alice knows src/net/a.rs, bob alone knows src/net/b.rs; three docs about `net`.
fn community(extra: &str) -> Repo {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        &format!("domains:\n  net: [\"src/net/**\"]\n  ui: [\"src/ui/**\"]\n{extra}"),
    )
    .write(
        "community/retrospectives/2024-01-01-outage.md",
        &doc("retrospective", "2024-01-01", "Outage"),
    )
    .write(
        "community/micro-teach/2024-02-01-sockets.md",
        &doc("micro-teach", "2024-02-01", "Sockets"),
    )
    .write(
        "community/case-rounds/2024-01-15-timeouts.md",
        &doc("case-round", "2024-01-15", "Timeouts"),
    )
    .write("src/net/a.rs", "a\n")
    .commit_by("Alice <alice@example.com>", "2024-01-01", "Net a");
    repo.write("src/net/a.rs", "a2\n").commit_by(
        "Alice <alice@example.com>",
        "2024-01-10",
        "Net a again",
    );
    repo.write("src/net/b.rs", "b\n")
        .commit_by("Bob <bob@example.com>", "2024-01-20", "Net b");
    repo
}

#[test]
fn a_domain_path_reads_in_kind_order_and_names_whom_to_ask() {
    let repo = community("");
    let json = repo.run(["paths", "--format", "json"]).json();
    let net = json
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["domain"] == "net")
        .unwrap();
    assert_eq!(
        net["docs"],
        serde_json::json!([
            "community/micro-teach/2024-02-01-sockets.md",
            "community/case-rounds/2024-01-15-timeouts.md",
            "community/retrospectives/2024-01-01-outage.md"
        ]),
        "micro-teach, then case round, then retrospective, whatever the dates"
    );
    assert_eq!(net["ask"][0], "alice", "the domain's best expert first");
    // A domain's own order from guild.yml wins.
    let repo = community("learning_paths:\n  net: [retrospective, micro-teach]\n");
    let json = repo
        .run(["paths", "--domain", "net", "--format", "json"])
        .json();
    assert_eq!(
        json[0]["docs"][0],
        "community/retrospectives/2024-01-01-outage.md"
    );
    assert_eq!(
        json[0]["docs"][2],
        "community/case-rounds/2024-01-15-timeouts.md"
    );
    let err = community("learning_paths:\n  nett: [retrospective]\n")
        .run(["paths"])
        .fails_with(2);
    assert!(
        err.contains("guild.yml:5:3") && err.contains("`nett`"),
        "{err}"
    );
}

#[test]
fn a_persons_next_steps_turn_a_single_point_of_failure_into_a_plan() {
    let repo = community("");
    let json = repo.run(["paths", "alice", "--format", "json"]).json();
    let pair = &json["pair_with"][0];
    assert_eq!(pair["domain"], "net");
    assert_eq!(pair["with"], "bob");
    assert_eq!(pair["sample_files"][0], "src/net/b.rs");
    assert_eq!(json["read"][0]["domain"], "net");
    let text = repo.run(["paths", "alice"]).ok();
    assert!(text.contains("pair with bob on net"), "{text}");
    assert!(text.contains("read (net): Sockets"), "{text}");
    // From a saved snapshot, the same bytes.
    let saved = repo.path().join("ctx.json");
    std::fs::write(&saved, repo.run(["context", "--json"]).ok()).unwrap();
    for args in [
        vec!["paths"],
        vec!["paths", "alice"],
        vec!["paths", "bob", "--format", "json"],
    ] {
        let direct = repo.run(args.iter()).ok();
        let mut with = args.clone();
        with.extend(["--from-context", saved.to_str().unwrap()]);
        assert_eq!(direct, repo.run(with.iter()).ok(), "{args:?}");
    }
    let err = repo.run(["paths", "--domain", "db"]).fails_with(2);
    assert!(
        err.contains("not a domain") && err.contains("net, ui"),
        "{err}"
    );
}
