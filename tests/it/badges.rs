//! Badges: tiers need both score and count, `earned_at` is when both were first met.

use serde_json::json;

use crate::support::{person, Repo};

#[test]
fn tiers_need_score_and_count_and_date_when_crossed() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "badges:
  rules:
    reviewer:
      bronze: { score: 5, count: 1 }
      silver: { score: 10, count: 3 }
      gold: { score: 1000, count: 4 }
",
    );
    repo.commit_by("Rev", "2024-01-01", "Initial commit");
    for (n, date) in [(1, "2024-02-01"), (2, "2024-02-02"), (3, "2024-02-03")] {
        repo.merge_pr_full(
            n,
            &format!("Au{n}"),
            &format!("Au{n}"),
            date,
            "Work",
            None,
            "Reviewed-by: Rev <rev@example.com>",
        );
    }
    let ctx = repo.run(["context", "--json"]).json();
    let badges = &person(&ctx, "rev")["badges"];
    // Three reviews of newcomers' first PRs: 10 points each. Silver needs 3 reviews, so it
    // is earned on the third one even though the score was enough after the first; gold's
    // score is out of reach.
    let reviewer = badges
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "reviewer")
        .unwrap();
    assert_eq!(
        reviewer,
        &json!({"id": "reviewer", "tier": "silver", "domain": null,
                "earned_at": "2024-02-03T12:00:00Z", "score": 30, "count": 3})
    );
    // Reviewing newcomers' first pull requests: the mentor badge, default tiers (bronze:
    // 5 points and 1 event).
    let mentor = badges
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "mentor")
        .unwrap();
    assert_eq!(mentor["tier"], "bronze");
    assert_eq!(mentor["earned_at"], "2024-02-01T12:00:00Z");
    // Authors earned contributor bronze with their one merged pull request.
    assert_eq!(
        person(&ctx, "au1")["badges"],
        json!([{"id": "contributor", "tier": "bronze", "domain": null,
                "earned_at": "2024-02-01T12:00:00Z", "score": 10, "count": 1}])
    );
}

#[test]
fn docs_make_stewards_and_retro_writers() {
    let repo = Repo::new();
    repo.write(
        "community/retros/2024-03-01-outage.md",
        "---\ntitle: Outage\nkind: retrospective\ndate: 2024-03-01\nauthors: [Sam]\n---\nWhat happened.\n",
    );
    repo.write(
        "community/cases/2024-03-05-parser.md",
        "---\ntitle: Parser\nkind: case-round\ndate: 2024-03-05\nauthors: [Sam]\n---\nThe case.\n",
    );
    repo.commit_by("Sam", "2024-03-06", "Docs");
    let ctx = repo.run(["context", "--json"]).json();
    let badges = person(&ctx, "sam")["badges"].as_array().unwrap().clone();
    let get = |id: &str| badges.iter().find(|b| b["id"] == id).cloned();
    let retro = get("retro_writer").expect("retro writer badge");
    assert_eq!(retro["earned_at"], "2024-03-01T00:00:00Z");
    assert_eq!(retro["count"], 1);
    let steward = get("steward").expect("steward badge");
    assert_eq!(steward["count"], 2);
    assert_eq!(steward["score"], 30);
    assert_eq!(steward["tier"], "bronze");
}

#[test]
fn unknown_badge_in_rules_is_an_error_with_location() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "badges:\n  rules:\n    revewer:\n      bronze: { score: 1, count: 1 }\n",
    );
    repo.commit_by("Ann", "2024-01-01", "Initial commit");
    let err = repo.run(["network"]).fails_with(2);
    assert!(err.contains("guild.yml:3:5"), "{err}");
    assert!(err.contains("unknown badge `revewer`"), "{err}");
    assert!(err.contains("reviewer"), "{err}");
}
