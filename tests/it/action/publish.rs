//! Publishing on the default branch: the site build, its output, the history refs pushed to origin.

use super::*;

// ---- publishing -----------------------------------------------------------------------------

pub(super) fn push_payload(git_ref: &str, after: &str) -> Value {
    json!({
        "ref": git_ref,
        "before": "0".repeat(40),
        "after": after,
        "created": false,
        "deleted": false,
        "forced": false,
        "commits": [],
        "head_commit": {"id": after, "message": "Merge pull request #3"},
        "repository": {"id": 1, "name": "demo", "full_name": "octo/demo", "default_branch": "main",
                       "owner": {"login": "octo", "name": "octo"}},
        "pusher": {"name": "alice", "email": "alice@example.com"},
        "sender": {"login": "alice", "type": "User"}
    })
}

#[test]
fn pushes_to_other_branches_publish_nothing() {
    let repo = history();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let r = Runner::new("push", Some(&push_payload("refs/heads/feature", &head)));
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains("not to the default branch `main`"),
        "{}",
        run.stderr()
    );
    assert_eq!(r.outputs()["site-dir"], "");
    assert!(!repo.path().join("_site").exists());
}

#[test]
fn publishing_builds_the_site_and_sets_the_output() {
    let repo = history();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let r = Runner::new("push", Some(&push_payload("refs/heads/main", &head)));
    let run = r.run(&repo, &["--site-dir", "_site"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let site = repo.path().join("_site");
    assert!(site.join("index.html").is_file());
    let out = r.outputs();
    assert_eq!(
        Path::new(&out["site-dir"]),
        site.canonicalize().unwrap().as_path()
    );
    let summary = r.summary();
    assert!(summary.contains("## cargo guild: publish"), "{summary}");
    assert!(summary.contains("No token: sync skipped"), "{summary}");
    // The same with `schedule` and `workflow_dispatch` (payloads without a ref).
    for event in ["schedule", "workflow_dispatch"] {
        let r = Runner::new(
            event,
            Some(&json!({"schedule": "17 4 * * *", "repository": {"full_name": "octo/demo"}})),
        );
        r.run(&repo, &["--site-dir", "_site2"]).ok();
        assert!(repo.path().join("_site2/index.html").is_file(), "{event}");
    }
}

#[test]
fn publishing_syncs_and_pushes_the_history_refs_to_origin() {
    let repo = history();
    let origin = tempfile::tempdir().unwrap();
    Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(origin.path())
        .status()
        .unwrap();
    repo.git(&["remote", "add", "origin", origin.path().to_str().unwrap()]);
    repo.git(&["push", "-q", "origin", "main"]);
    let gh = github_with_pr3_reviewed_by("bob");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let r = Runner::new("push", Some(&push_payload("refs/heads/main", &head)))
        .set_all(gh.env_with_token(TOKEN));
    let run = r.run(&repo, &["--site-dir", "_site"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(!run.stdout().contains(TOKEN) && !run.stderr().contains(TOKEN));
    let remote = Command::new("git")
        .arg("-C")
        .arg(origin.path())
        .args(["for-each-ref", "--format=%(refname)", "refs/guild/"])
        .output()
        .unwrap();
    let refs = String::from_utf8_lossy(&remote.stdout);
    assert!(refs.contains("refs/guild/history"), "origin has: {refs}");
    assert!(
        r.summary().contains("Pushed refs/guild/\\* to origin."),
        "{}",
        r.summary()
    );
    assert!(repo.path().join("_site/index.html").is_file());
}
