//! Newcomers and the ladder: first contributions over all history, first reviews, mentors,
//! second contributions, and a ladder progression checked at each stage.

use serde_json::{json, Value};

use crate::support::{person, Repo};

fn newcomer<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

#[test]
fn newcomer_reviewed_by_one_mentor_then_returns() {
    let repo = Repo::new();
    repo.commit_by("Mia", "2024-01-01", "Initial commit");
    // Noa's first pull request: committed on 2024-03-01, reviewed (the trailer was added
    // when the commit was rewritten) and merged on 2024-03-04.
    let at = |who: &str, date: &str| {
        let (name, email) = crate::support::ident(who);
        let d = format!("{date}T12:00:00+00:00");
        vec![
            ("GIT_AUTHOR_NAME", name.clone()),
            ("GIT_AUTHOR_EMAIL", email.clone()),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_AUTHOR_DATE", d.clone()),
            ("GIT_COMMITTER_DATE", d),
        ]
    };
    let mut noa = at("Noa", "2024-03-01");
    noa[5].1 = "2024-03-04T12:00:00+00:00".into();
    repo.git(&["checkout", "-q", "-b", "pr-1"]);
    repo.git_env(
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "First fix\n\nReviewed-by: Mia <mia@example.com>",
        ],
        &noa,
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.git_env(
        &[
            "merge",
            "-q",
            "--no-ff",
            "pr-1",
            "-m",
            "Merge pull request #1 from noa/pr-1\n\nFirst fix",
        ],
        &at("Mia", "2024-03-04"),
    );
    let report = repo.run(["newcomers", "--format", "json"]).json();
    let noa = newcomer(&report, "noa");
    assert_eq!(noa["first_contribution"], "2024-03-01T12:00:00Z");
    assert_eq!(noa["first_kind"], "commit");
    assert_eq!(noa["first_work"], "#1");
    assert_eq!(noa["first_review_at"], "2024-03-04T12:00:00Z");
    assert_eq!(noa["days_to_first_review"], 3.0);
    assert_eq!(noa["returned"], false);
    assert_eq!(noa["mentors"], json!([{"id": "mia", "reviews": 1}]));
    // Mia came back (she reviewed after her first commit); Noa has not yet.
    assert_eq!(report["returned"], 1);
    assert_eq!(report["total"], 2);
    // Newest first: Noa arrived after Mia.
    assert_eq!(report["people"][0]["id"], "noa");
    assert_eq!(report["people"][1]["id"], "mia");
    assert_eq!(report["median_days_to_first_review"], 3.0);

    repo.merge_pr(2, "Noa", "Mia", "2024-04-01");
    let report = repo.run(["newcomers", "--format", "json"]).json();
    let noa = newcomer(&report, "noa");
    assert_eq!(noa["returned"], true);
    assert_eq!(noa["second_contribution_at"], "2024-04-01T12:00:00Z");
    // The first contribution is over all history: a later pull request changes nothing.
    assert_eq!(noa["first_contribution"], "2024-03-01T12:00:00Z");
    assert_eq!(report["returned"], 2);

    let table = repo.run(["newcomers"]).ok();
    assert!(table.lines().next().unwrap().starts_with("id"), "{table}");
    assert!(
        table.contains("came back for a second contribution"),
        "{table}"
    );
    let csv = repo.run(["newcomers", "--format", "csv"]).ok();
    assert!(
        csv.starts_with("id,first,kind,work,days_to_review"),
        "{csv}"
    );
}

const LADDER: &str = "ladder:
  window_days: 0
  steps:
    - name: observer
    - name: contributor
      requires: { prs_merged: 1 }
    - name: reviewer
      requires: { prs_merged: 2, reviews_given: 1 }
    - name: maintainer
      requires: { prs_merged: 3, reviews_given: 2, active_days: 30 }
";

#[test]
fn ladder_progression_step_by_step() {
    let repo = Repo::new();
    repo.write("guild.yml", LADDER);
    repo.commit_by("Lee", "2024-01-01", "Initial commit");
    let step = |repo: &Repo| {
        let ctx = repo.run(["context", "--json"]).json();
        person(&ctx, "lee")["ladder"].clone()
    };
    assert_eq!(
        step(&repo),
        json!({"step": "observer", "index": 0, "next": "contributor",
               "missing": [{"what": "prs_merged", "have": 0, "need": 1}]})
    );
    repo.merge_pr(1, "Lee", "Max", "2024-01-10");
    assert_eq!(
        step(&repo),
        json!({"step": "contributor", "index": 1, "next": "reviewer",
               "missing": [{"what": "prs_merged", "have": 1, "need": 2},
                           {"what": "reviews_given", "have": 0, "need": 1}]})
    );
    repo.merge_pr(2, "Lee", "Max", "2024-01-11");
    repo.merge_pr_full(
        3,
        "Max",
        "Max",
        "2024-01-12",
        "Max's work",
        None,
        "Reviewed-by: Lee <lee@example.com>",
    );
    assert_eq!(
        step(&repo),
        json!({"step": "reviewer", "index": 2, "next": "maintainer",
               "missing": [{"what": "prs_merged", "have": 2, "need": 3},
                           {"what": "reviews_given", "have": 1, "need": 2},
                           {"what": "active_days", "have": 11, "need": 30}]})
    );
    repo.merge_pr(4, "Lee", "Max", "2024-02-15");
    repo.merge_pr_full(
        5,
        "Max",
        "Max",
        "2024-02-16",
        "More",
        None,
        "Reviewed-by: Lee <lee@example.com>",
    );
    assert_eq!(
        step(&repo),
        json!({"step": "maintainer", "index": 3, "next": null, "missing": []})
    );
    let report = repo.run(["newcomers", "--format", "json"]).json();
    assert_eq!(newcomer(&report, "lee")["ladder"]["step"], "maintainer");
    let counts: Vec<Value> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({"step": s["step"], "people": s["people"]}))
        .collect();
    assert_eq!(
        counts,
        [
            json!({"step": "observer", "people": 0}),
            json!({"step": "contributor", "people": 1}),
            json!({"step": "reviewer", "people": 0}),
            json!({"step": "maintainer", "people": 1}),
        ]
    );
    // Each step carries what reaching it takes, so a saved snapshot can show the ladder.
    assert_eq!(report["steps"][3]["requires"]["prs_merged"], 3);
    assert_eq!(report["steps"][3]["requires"]["active_days"], 30);
    assert_eq!(report["steps"][0]["requires"]["commits"], Value::Null);
}

#[test]
fn ladder_counts_only_the_rolling_window() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        &LADDER.replace("window_days: 0", "window_days: 30"),
    );
    repo.commit_by("Old", "2023-01-01", "Initial commit");
    repo.merge_pr(1, "Old", "Kim", "2023-01-02");
    repo.merge_pr(2, "Kim", "Old", "2024-06-01");
    let ctx = repo.run(["context", "--json"]).json();
    // Old's merged pull request is more than 30 days before the latest activity.
    assert_eq!(person(&ctx, "old")["ladder"]["step"], "observer");
    assert_eq!(person(&ctx, "kim")["ladder"]["step"], "contributor");
    assert_eq!(ctx["newcomers"]["ladder_window_days"], 30);
}
