//! Endorsements are git-native: a file per endorsement, credited to the author of the
//! commit that added it (never to a name written in it); self-endorsements and repeats do
//! not count; an uncommitted file does not count; a received endorsement is not taking part.

use serde_json::{json, Value};

use crate::support::Repo;

const ALICE: &str = "Alice <alice@example.com>";
const BOB: &str = "Bob <bob@example.com>";
const MALLORY: &str = "Mallory <mallory@example.com>";

fn community() -> Repo {
    let repo = Repo::new();
    repo.write("a.rs", "a\n")
        .commit_by(ALICE, "2024-01-01", "A");
    repo.write("b.rs", "b\n").commit_by(BOB, "2024-01-02", "B");
    repo.write("m.rs", "m\n")
        .commit_by(MALLORY, "2024-01-03", "M");
    repo
}

fn endorsements(repo: &Repo) -> Vec<Value> {
    repo.run(["context", "--json"]).json()["endorsements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| json!({"person": e["person"], "skill": e["skill"].as_str().unwrap().to_lowercase(), "by": e["by"]}))
        .collect()
}

#[test]
fn the_committer_endorses_whatever_the_file_says() {
    let repo = community();
    repo.git(&["config", "user.name", "Alice"]);
    repo.git(&["config", "user.email", "alice@example.com"]);
    let path = repo
        .run([
            "endorse",
            "bob",
            "--skill",
            "async Rust",
            "--note",
            "taught me pinning",
        ])
        .ok();
    assert_eq!(
        path.trim(),
        "community/endorsements/bob/alice-async-rust.yml"
    );
    // Written but not committed: it does not count yet.
    assert!(endorsements(&repo).is_empty());
    repo.commit_by(ALICE, "2024-02-01", "Endorse bob");
    assert_eq!(
        endorsements(&repo),
        [json!({"person": "bob", "skill": "async rust", "by": "alice"})]
    );
    let lines = repo.run(["explain", "bob", "--format", "json"]).json();
    assert!(
        lines["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rule"] == "endorsed" && l["other"] == "alice"),
        "{lines}"
    );
    // mallory writes an endorsement "by alice" and commits it: it is mallory's.
    repo.write(
        "community/endorsements/bob/alice-testing.yml",
        "skill: testing\nby: alice\nperson: bob\n",
    )
    .commit_by(MALLORY, "2024-02-02", "Endorse bob as alice");
    // and edits alice's file: the endorser stays alice.
    repo.write(
        "community/endorsements/bob/alice-async-rust.yml",
        "skill: async Rust\nnote: edited by mallory\n",
    )
    .commit_by(MALLORY, "2024-02-03", "Edit");
    assert_eq!(
        endorsements(&repo),
        [
            json!({"person": "bob", "skill": "async rust", "by": "alice"}),
            json!({"person": "bob", "skill": "testing", "by": "mallory"}),
        ]
    );
}

#[test]
fn self_endorsements_and_repeats_do_not_count_and_a_pair_counts_once_each() {
    let repo = community();
    repo.write("community/endorsements/bob/bob-rust.yml", "skill: rust\n")
        .commit_by(BOB, "2024-02-01", "Self");
    repo.write("community/endorsements/bob/alice-rust.yml", "skill: rust\n")
        .write(
            "community/endorsements/bob/alice-rust-again.yml",
            "skill: Rust\n",
        )
        .commit_by(ALICE, "2024-02-02", "Alice endorses bob twice");
    repo.write("community/endorsements/alice/bob-rust.yml", "skill: rust\n")
        .commit_by(BOB, "2024-02-03", "Bob endorses alice back");
    assert_eq!(
        endorsements(&repo),
        [
            json!({"person": "alice", "skill": "rust", "by": "bob"}),
            // Two files for one skill (any case) count once.
            json!({"person": "bob", "skill": "rust", "by": "alice"}),
        ]
    );
    // Being endorsed is not taking part: bob's last activity is still his own commit.
    let people = repo.run(["reputation", "--format", "json"]).json();
    let bob = crate::support::person(&people, "bob");
    assert_eq!(
        bob["last_seen"].as_str().unwrap().get(..10),
        Some("2024-02-03")
    );
    let err = {
        repo.git(&["config", "user.name", "Bob"]);
        repo.git(&["config", "user.email", "bob@example.com"]);
        repo.run(["endorse", "bob", "--skill", "x"]).fails_with(2)
    };
    assert!(err.contains("cannot endorse yourself"), "{err}");
}
