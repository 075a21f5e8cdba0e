//! `cargo guild action` and `action.yml`: real-shaped event payloads, the runner's files
//! (step summary, outputs), workflow commands on stdout, and the composite action's own
//! shell run locally.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use tempfile::TempDir;

use crate::support::fake_github::{FakeGithub, FakePr};
use crate::support::{guild, Repo, Run};

const ALICE: &str = "Alice <1+alice@users.noreply.github.com>";
const BOB: &str = "Bob <2+bob@users.noreply.github.com>";
const CAROL: &str = "Carol <3+carol@users.noreply.github.com>";

/// A history where bob knows `src/` (authored and reviewed), carol has one merged pull
/// request, and alice merges.
fn history() -> Repo {
    let repo = Repo::new();
    repo.write("src/lib.rs", "// lib\n")
        .write("README.md", "# demo\n")
        .commit_by(ALICE, "2024-01-01", "Initial commit")
        .merge_pr_full(
            1,
            BOB,
            ALICE,
            "2024-02-01",
            "Add parser",
            Some("src/lib.rs"),
            "Reviewed-by: Alice <1+alice@users.noreply.github.com>",
        )
        .merge_pr_full(
            2,
            ALICE,
            ALICE,
            "2024-03-01",
            "Speed up parser",
            Some("src/lib.rs"),
            "Reviewed-by: Bob <2+bob@users.noreply.github.com>",
        )
        .merge_pr_full(
            3,
            CAROL,
            ALICE,
            "2024-04-01",
            "Fix typo",
            Some("README.md"),
            "Reviewed-by: Bob <2+bob@users.noreply.github.com>",
        );
    repo
}

/// A pull request by `login` on a branch off main: `files` written in one commit by
/// `author`. Checks out GitHub's merge ref the way `actions/checkout` does on
/// `pull_request` (a merge of head into base, detached). Returns (base, head).
fn open_pr(repo: &Repo, author: &str, files: &[(&str, &str)]) -> (String, String) {
    let base = repo.git(&["rev-parse", "main"]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    for (p, text) in files {
        repo.write(p, text);
    }
    let head = repo.commit_full(author, None, "2024-05-01", "My change");
    repo.git(&["checkout", "-q", "--detach", &base]);
    repo.git_env(
        &[
            "merge",
            "-q",
            "--no-ff",
            "feature",
            "-m",
            &format!("Merge {head} into {base}"),
        ],
        &[
            ("GIT_AUTHOR_NAME", "GitHub".to_string()),
            ("GIT_AUTHOR_EMAIL", "noreply@github.com".to_string()),
            ("GIT_COMMITTER_NAME", "GitHub".to_string()),
            ("GIT_COMMITTER_EMAIL", "noreply@github.com".to_string()),
            ("GIT_AUTHOR_DATE", "2024-05-02T12:00:00+00:00".to_string()),
            (
                "GIT_COMMITTER_DATE",
                "2024-05-02T12:00:00+00:00".to_string(),
            ),
        ],
    );
    (base, head)
}

/// A `pull_request` payload shaped like GitHub's (trimmed to the fields that matter, plus
/// enough of the rest that a parser expecting only those would notice).
fn pr_payload(
    action: &str,
    number: u64,
    title: &str,
    login: &str,
    base: &str,
    head: &str,
) -> Value {
    let user = json!({"login": login, "id": 4242, "type": "User", "site_admin": false,
        "html_url": format!("https://github.com/{login}")});
    let repo = json!({"id": 1, "name": "demo", "full_name": "octo/demo", "private": false,
        "owner": {"login": "octo", "type": "Organization"}, "default_branch": "main",
        "html_url": "https://github.com/octo/demo"});
    json!({
        "action": action,
        "number": number,
        "pull_request": {
            "url": format!("https://api.github.com/repos/octo/demo/pulls/{number}"),
            "id": 1_000_000 + number,
            "html_url": format!("https://github.com/octo/demo/pull/{number}"),
            "number": number,
            "state": "open",
            "locked": false,
            "title": title,
            "user": user,
            "body": "Please review @everyone",
            "created_at": "2024-05-01T12:00:00Z",
            "updated_at": "2024-05-01T12:00:00Z",
            "draft": false,
            "author_association": "FIRST_TIME_CONTRIBUTOR",
            "head": {"label": format!("{login}:feature"), "ref": "feature", "sha": head, "user": user, "repo": repo},
            "base": {"label": "octo:main", "ref": "main", "sha": base, "user": {"login": "octo"}, "repo": repo},
            "merged": false,
            "commits": 1,
            "changed_files": 1
        },
        "repository": repo,
        "sender": user
    })
}

/// The runner's files and environment for one run.
struct Runner {
    dir: TempDir,
    env: Vec<(String, String)>,
}

impl Runner {
    fn new(event: &str, payload: Option<&Value>) -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let mut env = vec![
            ("GITHUB_EVENT_NAME".to_string(), event.to_string()),
            ("GITHUB_REPOSITORY".into(), "octo/demo".into()),
            ("GITHUB_SERVER_URL".into(), "https://github.com".into()),
            ("GITHUB_RUN_ID".into(), "77".into()),
            (
                "GITHUB_STEP_SUMMARY".into(),
                dir.path().join("summary.md").display().to_string(),
            ),
            (
                "GITHUB_OUTPUT".into(),
                dir.path().join("output.txt").display().to_string(),
            ),
            // Nothing may reach the real GitHub from a test.
            ("GITHUB_API_URL".into(), "http://127.0.0.1:9".into()),
            (
                "GITHUB_GRAPHQL_URL".into(),
                "http://127.0.0.1:9/graphql".into(),
            ),
        ];
        if let Some(p) = payload {
            let path = dir.path().join("event.json");
            std::fs::write(&path, serde_json::to_string_pretty(p).unwrap()).unwrap();
            env.push(("GITHUB_EVENT_PATH".into(), path.display().to_string()));
        }
        Runner { dir, env }
    }

    fn set(mut self, k: &str, v: &str) -> Runner {
        self.env.retain(|(key, _)| key != k);
        self.env.push((k.into(), v.into()));
        self
    }

    /// [`Runner::set`] for each pair (a fake GitHub's `env()` or `env_with_token(..)`).
    fn set_all(self, env: Vec<(String, String)>) -> Runner {
        env.iter().fold(self, |r, (k, v)| r.set(k, v))
    }

    /// The event payload this runner was given, to resend or alter.
    fn payload(&self) -> Value {
        let text = std::fs::read_to_string(self.dir.path().join("event.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn run(&self, repo: &Repo, args: &[&str]) -> Run {
        let mut cmd = guild();
        cmd.current_dir(repo.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", repo.path())
            .arg("action")
            .args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        Run(cmd.output().unwrap())
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("summary.md")).unwrap_or_default()
    }

    fn outputs(&self) -> BTreeMap<String, String> {
        parse_outputs(
            &std::fs::read_to_string(self.dir.path().join("output.txt")).unwrap_or_default(),
        )
    }
}

/// Parses `GITHUB_OUTPUT` text: `name=value` lines and `name<<DELIM` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        }
    }
    out
}

/// Whether Markdown text would ping someone: `@` followed by a login character.
fn mentions(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for (i, c) in chars.iter().enumerate() {
        if *c == '@' && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric()) {
            // Inside a code span a mention does not ping: count backticks before it.
            let ticks = chars[..i].iter().filter(|c| **c == '`').count();
            if ticks % 2 == 0 {
                out.push(chars[i..].iter().take(20).collect());
            }
        }
    }
    out
}

#[test]
fn unhandled_event_says_so_and_succeeds() {
    let repo = history();
    let r = Runner::new("issues", Some(&json!({"action": "opened"})));
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run
        .stderr()
        .contains("`issues` event is not one it handles"));
    assert!(r.summary().contains("not one it handles"));
    let out = r.outputs();
    assert_eq!(out["first-time"], "");
    assert_eq!(out["site-dir"], "");
}

#[test]
fn missing_or_malformed_payload_is_a_clear_error() {
    let repo = history();
    let r = Runner::new("pull_request", None);
    let err = r.run(&repo, &[]).fails_with(2);
    assert!(err.contains("GITHUB_EVENT_PATH is not set"), "{err}");

    let r = Runner::new("pull_request", None);
    let bad = r.dir.path().join("event.json");
    std::fs::write(&bad, "{\n  \"action\": \"opened\",\n  oops\n}").unwrap();
    let err = r
        .set("GITHUB_EVENT_PATH", bad.to_str().unwrap())
        .run(&repo, &[])
        .fails_with(2);
    assert!(err.contains("event.json:3:"), "{err}");
    assert!(err.contains("not valid JSON"), "{err}");

    let r = Runner::new("pull_request", Some(&json!({"action": "opened"})));
    let err = r.run(&repo, &[]).fails_with(2);
    assert!(err.contains("no `pull_request` object"), "{err}");

    let r = Runner::new("pull_request", Some(&json!({"action": "opened"})));
    let err = r.set("GITHUB_EVENT_NAME", "").run(&repo, &[]).fails_with(2);
    assert!(err.contains("GITHUB_EVENT_NAME is not set"), "{err}");
}

#[test]
fn without_a_token_everything_goes_to_the_summary_and_outputs() {
    let repo = history();
    let (base, head) = open_pr(
        &repo,
        "Dave <4+dave@users.noreply.github.com>",
        &[("src/lib.rs", "// lib v2\n")],
    );
    let r = Runner::new(
        "pull_request",
        Some(&pr_payload(
            "opened",
            7,
            "Make the parser faster",
            "dave",
            &base,
            &head,
        )),
    );
    let stdout = r.run(&repo, &[]).ok();
    // The warning is a workflow command on stdout.
    assert!(stdout.contains("::warning::no token"), "{stdout}");
    let out = r.outputs();
    assert_eq!(
        out["first-time"], "true",
        "dave's own commit is part of this pull request"
    );
    assert!(
        out["suggested-reviewers"].split(',').any(|l| l == "bob"),
        "{out:?}"
    );
    assert!(!out["suggested-reviewers"].split(',').any(|l| l == "dave"));
    assert_eq!(out["comment-url"], "");
    let summary = r.summary();
    assert!(
        summary.contains("## cargo guild: pull request #7"),
        "{summary}"
    );
    assert!(summary.contains("### Welcome, `dave`!"), "{summary}");
    assert!(summary.contains("| `bob` |"), "{summary}");
    assert!(summary.contains("no token"), "{summary}");
}

#[test]
fn returning_contributors_are_not_welcomed_as_first_timers() {
    let repo = history();
    let (base, head) = open_pr(&repo, CAROL, &[("README.md", "# demo v2\n")]);
    let r = Runner::new(
        "pull_request",
        Some(&pr_payload("opened", 8, "Docs", "carol", &base, &head)),
    );
    r.run(&repo, &[]).ok();
    assert_eq!(r.outputs()["first-time"], "false");
    assert!(!r.summary().contains("Welcome"), "{}", r.summary());
    // Case does not matter for logins.
    let r = Runner::new(
        "pull_request",
        Some(&pr_payload("opened", 8, "Docs", "Carol", &base, &head)),
    );
    r.run(&repo, &[]).ok();
    assert_eq!(r.outputs()["first-time"], "false");
}

#[test]
fn first_time_is_decided_from_synced_history_too() {
    // erin never committed: she only reviewed on GitHub. After `sync`, she is not new.
    let repo = history();
    let gh = github_with_pr3_reviewed_by("erin");
    let mut sync = guild();
    sync.current_dir(repo.path())
        .env("HOME", repo.path())
        .args(["sync", "--repo", "octo/demo"]);
    for (k, v) in gh.env_with_token(TOKEN) {
        sync.env(k, v);
    }
    Run(sync.output().unwrap()).ok();
    let (base, head) = open_pr(&repo, "Erin <erin@example.com>", &[("README.md", "x\n")]);
    gh.clear_log();
    for (login, first) in [("erin", "false"), ("frank", "true")] {
        let r = Runner::new(
            "pull_request",
            Some(&pr_payload("opened", 12, "Docs", login, &base, &head)),
        )
        .set_all(gh.env());
        r.run(&repo, &[]).ok();
        assert_eq!(r.outputs()["first-time"], first, "{login}");
    }
    // Only the stored history was read: no request at all (no paging through pull requests;
    // the changed paths came from git).
    assert!(
        gh.requests().is_empty(),
        "{:?}",
        gh.requests().iter().map(|r| &r.path).collect::<Vec<_>>()
    );
}

#[test]
fn docs_findings_become_annotations_and_part_of_the_report() {
    let repo = history();
    let (base, head) = open_pr(
        &repo,
        CAROL,
        &[(
            "community/case-rounds/2024-05-01-parser, part 1.md",
            "---\ntitle: Parser\nkind: case-round\n---\nBody\n",
        )],
    );
    let r = Runner::new(
        "pull_request",
        Some(&pr_payload(
            "opened",
            9,
            "A case round",
            "carol",
            &base,
            &head,
        )),
    );
    let run = r.run(&repo, &[]);
    let stdout = run.ok();
    if std::env::var("GUILD_SHOW").is_ok() {
        eprintln!("{stdout}\n{}", r.summary());
    }
    let annotation = stdout
        .lines()
        .find(|l| l.starts_with("::warning file="))
        .unwrap_or_else(|| panic!("no annotation in:\n{stdout}"));
    // `,` in the file name is escaped, so it cannot end the property early.
    assert!(
        annotation.starts_with(
            "::warning file=community/case-rounds/2024-05-01-parser%2C part 1.md,line="
        ),
        "{annotation}"
    );
    assert!(
        annotation.contains("title=cargo guild docs check::"),
        "{annotation}"
    );
    let summary = r.summary();
    assert!(summary.contains("### Community docs"), "{summary}");
    assert!(
        summary.contains(
            "- community/case-rounds/2024-05-01-parser, part 1.md:1: missing required field \\`date\\`"
        ),
        "{summary}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("::warning file=")
            && l.ends_with("::missing required field `authors`")),
        "{stdout}"
    );
}

#[test]
fn hostile_titles_and_names_stay_inert() {
    let repo = history();
    // A git-only contributor (no login) whose name is hostile, and who knows src/.
    repo.merge_pr_full(
        4,
        "<img src=x onerror=alert(1)> @alice | [x](http://e) <eve@example.com>",
        ALICE,
        "2024-04-15",
        "Refactor",
        Some("src/lib.rs"),
        "Reviewed-by: <img src=x onerror=alert(1)> @alice | [x](http://e) <eve@example.com>",
    );
    let (base, head) = open_pr(
        &repo,
        "Mallory <5+mallory@users.noreply.github.com>",
        &[("src/lib.rs", "x\n")],
    );
    let title = "@octo/core </sub><script>alert(1)</script> **x** | y\n### Injected\n- [ ] <!--";
    let r = Runner::new(
        "pull_request",
        Some(&pr_payload("opened", 10, title, "mallory", &base, &head)),
    );
    r.run(&repo, &[]).ok();
    let summary = r.summary();
    if std::env::var("GUILD_SHOW").is_ok() {
        eprintln!("{summary}");
    }
    assert!(
        mentions(&summary).is_empty(),
        "mentions: {:?}\n{summary}",
        mentions(&summary)
    );
    for raw in ["<script", "<img", "</sub><", "<!--"] {
        assert!(!summary.contains(raw), "raw `{raw}` in:\n{summary}");
    }
    assert!(!summary.contains("\n### Injected"), "{summary}");
    // The table keeps two cells per row whatever the names hold.
    for line in summary.lines().filter(|l| l.starts_with('|')) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 3, "broken table row: {line}");
    }
}

#[test]
fn closed_pull_requests_are_left_alone() {
    let repo = history();
    let r = Runner::new(
        "pull_request",
        Some(&pr_payload(
            "closed", 3, "Fix typo", "carol", "0000", "1111",
        )),
    );
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(r.summary().contains("closed"));
}

// ---- against the fake GitHub ----------------------------------------------------------------

const TOKEN: &str = "ghs_fake_token_0123456789";

/// The fake server with pull request 7 by dave (changing `src/lib.rs`) and a runner aimed at it.
fn fake_pr(repo: &Repo, title: &str, action: &str) -> (FakeGithub, Runner) {
    let (base, head) = open_pr(
        repo,
        "Dave <4+dave@users.noreply.github.com>",
        &[("src/lib.rs", "// lib v2\n")],
    );
    let gh = FakeGithub::start();
    gh.add_pull(
        "octo/demo",
        FakePr::new(7, "dave", "2024-05-01")
            .title(title)
            .file("src/lib.rs"),
    );
    gh.require_token(TOKEN);
    let r = runner_for(&gh, pr_payload(action, 7, title, "dave", &base, &head));
    (gh, r)
}

fn runner_for(gh: &FakeGithub, payload: Value) -> Runner {
    Runner::new("pull_request", Some(&payload)).set_all(gh.env_with_token(TOKEN))
}

/// The fake server (token required) with pull request 3 by carol, merged by alice,
/// approved by `reviewer`.
fn github_with_pr3_reviewed_by(reviewer: &str) -> FakeGithub {
    let gh = FakeGithub::start();
    gh.add_pull(
        "octo/demo",
        FakePr::new(3, "carol", "2024-04-01")
            .merged("alice", "2024-04-01")
            .review(reviewer, "APPROVED", "2024-04-01")
            .file("README.md"),
    );
    gh.require_token(TOKEN);
    gh
}

/// Changes pull request 7 of `octo/demo` on the fake server.
fn edit_pr7(gh: &FakeGithub, f: impl FnOnce(&mut FakePr)) {
    gh.with(|s| {
        f(s.repos
            .get_mut("octo/demo")
            .unwrap()
            .pulls
            .get_mut(&7)
            .unwrap())
    });
}

#[test]
fn sticky_comment_is_created_once_left_alone_then_edited_in_place() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Make the parser faster", "opened");
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(!run.stdout().contains(TOKEN) && !run.stderr().contains(TOKEN));
    let comments = gh.comments("octo/demo", 7);
    assert_eq!(comments.len(), 1);
    assert!(comments[0]
        .body
        .starts_with("<!-- cargo-guild:pr-comment -->\n"));
    assert!(comments[0].body.contains("### Welcome, `dave`!"));
    assert_eq!(gh.count("POST", "/issues/7/comments"), 1);
    let url = r.outputs()["comment-url"].clone();
    assert_eq!(
        url,
        format!(
            "https://github.com/octo/demo/pull/7#issuecomment-{}",
            comments[0].id
        )
    );

    // The same input again: the comment is found and left alone.
    gh.clear_log();
    let r2 = runner_for(&gh, r.payload());
    r2.run(&repo, &[]).ok();
    assert_eq!(
        gh.count("PATCH", ""),
        0,
        "an unchanged comment must not be rewritten"
    );
    assert_eq!(gh.count("POST", ""), 0);
    assert_eq!(gh.comments("octo/demo", 7).len(), 1);
    assert_eq!(r2.outputs()["comment-url"], url);

    // A new title changes the body: edited in place, never a second comment.
    gh.clear_log();
    let mut payload = r.payload();
    payload["action"] = json!("edited");
    payload["pull_request"]["title"] = json!("Make the parser much faster");
    let r3 = runner_for(&gh, payload);
    r3.run(&repo, &[]).ok();
    assert_eq!(
        gh.count("PATCH", &format!("/issues/comments/{}", comments[0].id)),
        1
    );
    assert_eq!(gh.count("POST", ""), 0);
    let after = gh.comments("octo/demo", 7);
    assert_eq!(after.len(), 1);
    assert!(after[0].body.contains("much faster"));
    assert_eq!(r3.outputs()["comment-url"], url);
    assert!(
        r3.summary()
            .contains(&format!("The [pull request's comment]({url}) is updated.")),
        "{}",
        r3.summary()
    );
}

#[test]
fn a_copied_marker_in_someone_elses_comment_is_not_taken_over() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    // mallory quotes the marker in a comment of her own, before the action ever ran.
    edit_pr7(&gh, |pr| {
        pr.comments.push(crate::support::fake_github::FakeComment {
            id: 1,
            login: "mallory".into(),
            body: "<!-- cargo-guild:pr-comment -->\nmine".into(),
            at: 0,
            updated: 0,
        });
    });
    r.run(&repo, &[]).ok();
    // A person's comment is only used when there is no bot comment: here it is the only
    // one, so it is edited (with a bot token GitHub would refuse, and the run falls back).
    let comments = gh.comments("octo/demo", 7);
    assert_eq!(comments.len(), 1, "never a duplicate");
    // Once a bot comment exists, it wins over the copied marker.
    edit_pr7(&gh, |pr| {
        pr.comments[0].body = "<!-- cargo-guild:pr-comment -->\nmine".into();
        pr.comments.push(crate::support::fake_github::FakeComment {
            id: 2,
            login: "github-actions[bot]".into(),
            body: "<!-- cargo-guild:pr-comment -->\nold".into(),
            at: 1,
            updated: 1,
        });
    });
    gh.clear_log();
    r.run(&repo, &[]).ok();
    assert_eq!(gh.count("PATCH", "/issues/comments/2"), 1);
    assert_eq!(gh.count("PATCH", "/issues/comments/1"), 0);
}

#[test]
fn reviewers_are_requested_only_when_enabled() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    r.run(&repo, &[]).ok();
    assert_eq!(gh.count("POST", "/requested_reviewers"), 0);
    assert!(gh
        .pull("octo/demo", 7)
        .unwrap()
        .requested_reviewers
        .is_empty());
    assert!(gh.comments("octo/demo", 7)[0]
        .body
        .contains("no review was requested"));

    let r = r.set("GUILD_REQUEST_REVIEWERS", "true");
    gh.clear_log();
    r.run(&repo, &[]).ok();
    assert_eq!(gh.count("POST", "/pulls/7/requested_reviewers"), 1);
    let requested = gh.pull("octo/demo", 7).unwrap().requested_reviewers;
    assert!(requested.contains(&"bob".to_string()), "{requested:?}");
    assert!(!requested.contains(&"dave".to_string()), "never the author");
    let body = &gh.comments("octo/demo", 7)[0].body;
    assert!(
        body.contains("Reviews were requested through GitHub"),
        "{body}"
    );
    // The comment names reviewers without pinging them.
    assert!(mentions(body).is_empty(), "{body}");

    // A new push does not request (and notify) them again.
    let r = r.set("GUILD_REQUEST_REVIEWERS", "false");
    let mut payload = r.payload();
    payload["action"] = json!("synchronize");
    let r = runner_for(&gh, payload).set("GUILD_REQUEST_REVIEWERS", "1");
    gh.clear_log();
    r.run(&repo, &[]).ok();
    assert_eq!(gh.count("POST", "/requested_reviewers"), 0);
    assert_eq!(
        gh.count("PATCH", ""),
        0,
        "the comment still says they were requested"
    );
}

#[test]
fn a_read_only_token_falls_back_to_the_summary() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    gh.read_only_token(TOKEN);
    let r = r.set("GUILD_REQUEST_REVIEWERS", "true");
    let stdout = r.run(&repo, &[]).ok();
    assert!(stdout.contains("::warning::the token may not"), "{stdout}");
    assert!(gh.comments("octo/demo", 7).is_empty());
    let summary = r.summary();
    assert!(summary.contains("### Suggested reviewers"), "{summary}");
    assert!(summary.contains("read-only token"), "{summary}");
    let out = r.outputs();
    assert_eq!(out["comment-url"], "");
    assert_eq!(out["first-time"], "true");
    assert!(out["suggested-reviewers"].contains("bob"));
}

#[test]
fn api_errors_are_clear_and_leave_no_partial_comment() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    gh.script(|req| {
        (req.method == "POST" && req.path.ends_with("/comments"))
            .then_some(crate::support::fake_github::Fault::Status(500))
    });
    let err = r.run(&repo, &[]).fails_with(2);
    assert!(err.contains("comment on pull request #7"), "{err}");
    assert!(err.contains("500"), "{err}");
    assert!(!err.contains(TOKEN));
    assert!(gh.comments("octo/demo", 7).is_empty());

    // A wrong token: 401, said plainly.
    let r = r.set("GITHUB_TOKEN", "ghs_wrong_token_xyz");
    let err = r.run(&repo, &[]).fails_with(2);
    assert!(err.contains("401"), "{err}");
    assert!(!err.contains("ghs_wrong_token_xyz"), "{err}");
}

#[test]
fn changed_paths_come_from_the_api_when_the_commits_are_not_in_the_clone() {
    // pull_request_target checks out the base: the head commit is not in the clone.
    let repo = history();
    let gh = FakeGithub::start();
    gh.add_pull(
        "octo/demo",
        FakePr::new(11, "dave", "2024-05-01")
            .file("src/lib.rs")
            .file("community/case-rounds/2024-05-01-new.md"),
    );
    gh.require_token(TOKEN);
    let base = repo.git(&["rev-parse", "HEAD"]);
    let payload = pr_payload("opened", 11, "Faster", "dave", &base, &"e".repeat(40));
    let r = runner_for(&gh, payload).set("GITHUB_EVENT_NAME", "pull_request_target");
    r.run(&repo, &[]).ok();
    assert_eq!(gh.count("GET", "/pulls/11/files"), 1);
    let body = &gh.comments("octo/demo", 11)[0].body;
    assert!(body.contains("2 changed path(s)"), "{body}");
    assert!(body.contains("`bob`"), "{body}");
}

#[test]
fn long_comments_are_cut_to_githubs_limit_with_a_link_to_the_run() {
    let repo = history();
    // A community template (overriding the built-in one) that says far too much.
    repo.write(
        ".guild/templates/comment.md.hbs",
        &format!(
            "Hello {{{{title}}}}\n{}",
            "A line of a very long report.\n".repeat(3000)
        ),
    );
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    r.run(&repo, &[]).ok();
    let body = &gh.comments("octo/demo", 7)[0].body;
    assert!(body.len() <= 65_536, "{}", body.len());
    assert!(body.starts_with("<!-- cargo-guild:pr-comment -->\nHello Faster\n"));
    assert!(
        body.trim_end()
            .ends_with("(https://github.com/octo/demo/actions/runs/77)."),
        "{}",
        &body[body.len() - 200..]
    );
    // The summary keeps everything.
    assert!(r.summary().len() > 65_536);
}

// ---- publishing -----------------------------------------------------------------------------

fn push_payload(git_ref: &str, after: &str) -> Value {
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

// ---- action.yml ------------------------------------------------------------------------------

fn action_yml() -> (String, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let value = cargo_guild::config::yaml::value_from_str(&text, &path, 0).unwrap();
    (text, value)
}

/// Every `${{ ... }}` expression in a text.
fn expressions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        let Some(j) = rest[i..].find("}}") else { break };
        out.push(rest[i + 3..i + j].trim().to_string());
        rest = &rest[i + j + 2..];
    }
    out
}

/// `inputs.name` references in an expression (also `inputs['name']`-free by construction).
fn input_refs(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("inputs.") {
        let name: String = rest[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        out.push(name);
        rest = &rest[i + 7..];
    }
    out
}

#[test]
fn action_yml_declares_every_input_it_uses_and_never_interpolates_into_run() {
    let (text, action) = action_yml();
    assert_eq!(action["runs"]["using"], "composite");
    let declared: Vec<String> = action["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for want in [
        "command",
        "token",
        "request-reviewers",
        "site-dir",
        "config",
        "version",
    ] {
        assert!(
            declared.iter().any(|d| d == want),
            "input {want} is not declared"
        );
    }
    assert_eq!(action["inputs"]["token"]["default"], "${{ github.token }}");
    let used: Vec<String> = expressions(&text)
        .iter()
        .flat_map(|e| input_refs(e))
        .collect();
    assert!(!used.is_empty());
    for u in &used {
        assert!(declared.contains(u), "inputs.{u} is used but not declared");
    }
    for d in &declared {
        assert!(used.contains(d), "input {d} is declared but never used");
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let mut runs = 0;
    for step in steps {
        if let Some(run) = step.get("run").and_then(Value::as_str) {
            runs += 1;
            assert!(
                !run.contains("${{"),
                "a run: script interpolates an expression (script injection): {run}"
            );
            assert_eq!(step["shell"], "bash");
        }
    }
    assert!(runs >= 2);
    for (name, out) in action["outputs"].as_object().unwrap() {
        let v = out["value"].as_str().unwrap();
        assert_eq!(v, format!("${{{{ steps.run.outputs.{name} }}}}"));
    }
}

/// Evaluates the few expressions action.yml uses in `env:`, the way the runner would.
fn eval(expr: &str, ctx: &BTreeMap<String, String>) -> String {
    ctx.get(expr)
        .cloned()
        .unwrap_or_else(|| panic!("the test does not know the expression `{expr}`"))
}

/// Runs the composite action's `run:` steps with bash, as the runner would: the step's
/// `env:` evaluated, the job's environment, a fresh GITHUB_OUTPUT per step whose outputs
/// feed `steps.<id>.outputs.*`. `uses:` steps (the cache) are skipped. The install step is
/// pointed at the test binary through CARGO_GUILD_BIN, the documented override.
fn run_action(
    repo: &Repo,
    inputs: &[(&str, &str)],
    job_env: &[(String, String)],
    work: &Path,
) -> (i32, String, BTreeMap<String, String>) {
    let (_, action) = action_yml();
    let mut ctx: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_object().unwrap() {
        let default = spec["default"].as_str().unwrap_or("").to_string();
        ctx.insert(format!("inputs.{name}"), default);
    }
    ctx.insert("github.token".into(), "".into());
    for (k, v) in inputs {
        ctx.insert(format!("inputs.{k}"), v.to_string());
    }
    // The token input's default is itself an expression.
    let token = ctx["inputs.token"].clone();
    if token.starts_with("${{") {
        let inner = expressions(&token).remove(0);
        ctx.insert("inputs.token".into(), eval(&inner, &ctx));
    }
    ctx.insert("github.action_repository".into(), "".into());
    ctx.insert(
        "github.action_path".into(),
        env!("CARGO_MANIFEST_DIR").to_string(),
    );
    let mut stdout = String::new();
    let mut code = 0;
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let Some(script) = step.get("run").and_then(Value::as_str) else {
            continue;
        };
        let out_file = work.join(format!("step-{i}-output.txt"));
        std::fs::write(&out_file, "").unwrap();
        let script_file = work.join(format!("step-{i}.sh"));
        std::fs::write(&script_file, script).unwrap();
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .current_dir(repo.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("HOME", repo.path())
            .env("RUNNER_TEMP", work)
            .env("CARGO_GUILD_BIN", env!("CARGO_BIN_EXE_cargo-guild"));
        for (k, v) in job_env {
            cmd.env(k, v);
        }
        cmd.env("GITHUB_OUTPUT", &out_file);
        if let Some(env) = step.get("env").and_then(Value::as_object) {
            for (k, v) in env {
                let v = v.as_str().unwrap_or_default();
                let value = match expressions(v).first() {
                    Some(e) => eval(e, &ctx),
                    None => v.to_string(),
                };
                cmd.env(k, value);
            }
        }
        let out = cmd.output().unwrap();
        stdout.push_str(&String::from_utf8_lossy(&out.stdout));
        code = out.status.code().unwrap_or(-1);
        assert!(
            code == 0,
            "step {i} failed ({code}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(id) = step.get("id").and_then(Value::as_str) {
            for (k, v) in parse_outputs(&std::fs::read_to_string(&out_file).unwrap()) {
                ctx.insert(format!("steps.{id}.outputs.{k}"), v);
            }
        }
    }
    // The action's outputs, mapped as action.yml maps them.
    let mut outputs = BTreeMap::new();
    for (name, spec) in action["outputs"].as_object().unwrap() {
        let e = expressions(spec["value"].as_str().unwrap()).remove(0);
        outputs.insert(name.clone(), ctx.get(&e).cloned().unwrap_or_default());
    }
    (code, stdout, outputs)
}

#[test]
fn action_steps_run_locally_with_the_built_binary() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    let work = tempfile::tempdir().unwrap();
    // The job's environment as the runner sets it; the token comes from the `token` input
    // (the step's env), not from the job.
    let job_env: Vec<(String, String)> = r
        .env
        .iter()
        .filter(|(k, _)| k != "GITHUB_OUTPUT" && k != "GITHUB_TOKEN")
        .cloned()
        .collect();
    let (code, stdout, outputs) = run_action(
        &repo,
        &[("token", TOKEN), ("request-reviewers", "true")],
        &job_env,
        work.path(),
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("cargo-guild"),
        "the install step prints the version: {stdout}"
    );
    assert_eq!(outputs["first-time"], "true", "{outputs:?}");
    assert!(
        outputs["suggested-reviewers"].contains("bob"),
        "{outputs:?}"
    );
    let comments = gh.comments("octo/demo", 7);
    assert_eq!(comments.len(), 1);
    assert!(outputs["comment-url"].ends_with(&format!("#issuecomment-{}", comments[0].id)));
    assert!(gh
        .pull("octo/demo", 7)
        .unwrap()
        .requested_reviewers
        .contains(&"bob".to_string()));
    assert!(r.summary().contains("## cargo guild: pull request #7"));

    // `request-reviewers: "false"` (the default) reaches the binary as off.
    gh.clear_log();
    let (_, _, outputs) = run_action(&repo, &[("token", TOKEN)], &job_env, work.path());
    assert_eq!(gh.count("POST", "/requested_reviewers"), 0);
    assert_eq!(
        outputs["comment-url"],
        format!(
            "https://github.com/octo/demo/pull/7#issuecomment-{}",
            comments[0].id
        )
    );

    // `command: publish` on a manual run builds the site into `site-dir`.
    let job_env: Vec<(String, String)> = job_env
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "GITHUB_EVENT_NAME" => (k, "workflow_dispatch".to_string()),
            _ => (k, v),
        })
        .collect();
    let (_, _, outputs) = run_action(
        &repo,
        &[("command", "publish"), ("site-dir", "public site")],
        &job_env,
        work.path(),
    );
    let site = repo.path().join("public site");
    assert!(site.join("index.html").is_file());
    assert_eq!(
        Path::new(&outputs["site-dir"]),
        site.canonicalize().unwrap().as_path()
    );
}

/// The repository's own workflows: parse, least privilege, no expression inside `run:`.
#[test]
fn workflows_parse_declare_permissions_and_keep_expressions_out_of_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    for name in ["guild-pr.yml", "guild-pages.yml", "release.yml"] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let wf = cargo_guild::config::yaml::value_from_str(&text, &path, 0).unwrap();
        assert_eq!(
            wf["permissions"],
            json!({}),
            "{name}: no permission by default"
        );
        for (job, spec) in wf["jobs"].as_object().unwrap() {
            assert!(
                spec["permissions"].is_object(),
                "{name}: job {job} must declare its permissions"
            );
            for step in spec["steps"].as_array().unwrap() {
                if let Some(run) = step["run"].as_str() {
                    assert!(
                        !run.contains("${{"),
                        "{name}: {job}: expression in run: {run}"
                    );
                }
            }
        }
    }
    let pr = std::fs::read_to_string(dir.join("guild-pr.yml")).unwrap();
    let pr = cargo_guild::config::yaml::value_from_str(&pr, Path::new("guild-pr.yml"), 0).unwrap();
    assert!(
        pr["on"]["pull_request"].is_object(),
        "pull_request, not pull_request_target"
    );
    assert_eq!(pr["jobs"]["guild"]["permissions"]["pull-requests"], "write");
    assert_eq!(pr["jobs"]["guild"]["permissions"]["contents"], "read");
    let pages = std::fs::read_to_string(dir.join("guild-pages.yml")).unwrap();
    let pages =
        cargo_guild::config::yaml::value_from_str(&pages, Path::new("guild-pages.yml"), 0).unwrap();
    assert_eq!(pages["jobs"]["deploy"]["permissions"]["pages"], "write");
    assert_eq!(pages["jobs"]["deploy"]["permissions"]["id-token"], "write");
    assert_eq!(pages["jobs"]["build"]["permissions"]["contents"], "write");
    assert!(pages["jobs"]["build"]["permissions"].get("pages").is_none());
}
