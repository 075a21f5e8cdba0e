//! What a security reviewer asks of the Action on pull requests: who counts as a first-timer
//! when the history ref is missing, that a pull request cannot make its own authors its
//! reviewers, that review requests are claimed only when GitHub confirms them, and that on
//! `pull_request_target` the pull request's docs are read through the API, never checked out.

use super::*;

#[test]
fn a_returning_contributor_without_the_history_ref_is_not_welcomed_as_a_first_timer() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    // dave is unknown to this clone's history (no `refs/guild/*` fetched), but GitHub says
    // he has had work merged.
    let mut payload = r.payload();
    payload["pull_request"]["author_association"] = json!("CONTRIBUTOR");
    let r = runner_for(&gh, payload);
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(r.outputs()["first-time"], "false");
    assert!(!gh.comments("octo/demo", 7)[0].body.contains("Welcome"));
    // A first-time contributor by GitHub's word and the history's is welcomed.
    let (gh, r) = fake_pr(&history(), "Faster", "opened");
    r.run(&repo, &[]).ok();
    assert_eq!(r.outputs()["first-time"], "true");
    assert!(gh.comments("octo/demo", 7)[0].body.contains("Welcome"));
}

#[test]
fn the_pull_requests_own_commit_authors_are_never_its_reviewers() {
    let repo = history();
    // dave opens a pull request whose commit says bob wrote it, co-authored by carol:
    // bob knows src/ best and would otherwise be the first suggestion.
    let base = repo.git(&["rev-parse", "main"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("src/lib.rs", "// lib v3\n");
    let head = repo.commit_full(
        BOB,
        None,
        "2024-05-01",
        "Borrowed change\n\nCo-authored-by: Carol <3+carol@users.noreply.github.com>",
    );
    repo.git(&["checkout", "-q", "--detach", &base]);
    let github = [
        ("GIT_AUTHOR_NAME", "GitHub".to_string()),
        ("GIT_AUTHOR_EMAIL", "noreply@github.com".to_string()),
        ("GIT_COMMITTER_NAME", "GitHub".to_string()),
        ("GIT_COMMITTER_EMAIL", "noreply@github.com".to_string()),
        ("GIT_AUTHOR_DATE", "2024-05-02T12:00:00+00:00".to_string()),
        (
            "GIT_COMMITTER_DATE",
            "2024-05-02T12:00:00+00:00".to_string(),
        ),
    ];
    repo.git_env(
        &["merge", "-q", "--no-ff", "feature", "-m", "Merge"],
        &github,
    );
    let gh = FakeGithub::start();
    gh.add_pull(
        "octo/demo",
        FakePr::new(7, "dave", "2024-05-01").file("src/lib.rs"),
    );
    gh.require_token(TOKEN);
    let r = runner_for(
        &gh,
        pr_payload("opened", 7, "Borrowed", "dave", &base, &head),
    );
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let suggested = r.outputs()["suggested-reviewers"].clone();
    assert!(
        !suggested.is_empty(),
        "someone is suggested: {}",
        r.summary()
    );
    assert!(
        !suggested.split(',').any(|s| s == "bob" || s == "carol"),
        "the pull request's own authors: {suggested}"
    );
    // With dave's own commit instead, bob is the expert suggested for src/lib.rs.
    let other = history();
    let (_gh, r) = fake_pr(&other, "Faster", "opened");
    r.run(&other, &[]).ok();
    assert!(r.outputs()["suggested-reviewers"]
        .split(',')
        .any(|s| s == "bob"));
}

#[test]
fn review_requests_are_claimed_only_when_github_lists_them() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "synchronize");
    let r = r.set("GUILD_REQUEST_REVIEWERS", "true");
    // A later push: nobody is asked again, and nobody was asked before.
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(gh.count("POST", "/requested_reviewers"), 0);
    assert_eq!(gh.count("GET", "/requested_reviewers"), 1);
    assert_eq!(r.outputs()["requested-reviewers"], "");
    assert!(gh.comments("octo/demo", 7)[0]
        .body
        .contains("no review was requested"));
    // Once GitHub lists bob, the comment says so.
    edit_pr7(&gh, |pr| pr.requested_reviewers.push("bob".into()));
    r.run(&repo, &[]).ok();
    assert_eq!(r.outputs()["requested-reviewers"], "bob");
    assert!(!gh.comments("octo/demo", 7)[0]
        .body
        .contains("no review was requested"));
}

const BAD_DOC: &str =
    "---\nkind: retrospective\ndate: 2024-05-01\nauthors: [dave]\n---\nNo title.\n";

#[test]
fn on_pull_request_target_the_docs_are_read_through_the_api_never_checked_out() {
    let repo = history();
    let base = repo.git(&["rev-parse", "main"]);
    // The head commit is not in the clone: the job checked out the base only.
    let head = "c0ffee".repeat(6) + "c0ff";
    let doc = "community/retrospectives/2024-05-01-outage.md";
    let gh = FakeGithub::start();
    gh.add_pull(
        "octo/demo",
        FakePr::new(7, "dave", "2024-05-01")
            .file(doc)
            .file("src/lib.rs"),
    );
    gh.with(|s| {
        s.repos
            .get_mut("octo/demo")
            .unwrap()
            .files
            .insert((head.clone(), doc.to_string()), BAD_DOC.to_string());
    });
    gh.require_token(TOKEN);
    let r = Runner::new(
        "pull_request_target",
        Some(&pr_payload(
            "opened",
            7,
            "Outage notes",
            "dave",
            &base,
            &head,
        )),
    )
    .set_all(gh.env_with_token(TOKEN));
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert_eq!(gh.count("GET", "/pulls/7/files"), 1, "paths from the API");
    assert_eq!(
        gh.count(
            "GET",
            "/contents/community/retrospectives/2024-05-01-outage.md"
        ),
        1
    );
    assert_eq!(r.outputs()["docs-findings"], "1", "{}", run.stdout());
    assert!(
        run.stdout()
            .contains(&format!("::warning file={doc},line="))
            && run.stdout().contains("title"),
        "{}",
        run.stdout()
    );
    assert!(
        !repo.path().join(doc).exists(),
        "the pull request's file is never written into the checkout"
    );
    // Asked to fail on findings, the step fails (exit 1), with the comment still written.
    let r = r.set("GUILD_FAIL_ON_DOCS_FINDINGS", "true");
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(gh.comments("octo/demo", 7).len(), 1);
}

#[test]
fn a_failed_run_says_so_in_an_annotation_and_the_summary() {
    let repo = history();
    let r = Runner::new("pull_request", Some(&json!({"action": "opened"})));
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 2);
    assert!(
        run.stdout().contains("::error::") && run.stdout().contains("pull_request"),
        "{}",
        run.stdout()
    );
    assert!(
        r.summary().contains("cargo guild failed"),
        "{}",
        r.summary()
    );
}
