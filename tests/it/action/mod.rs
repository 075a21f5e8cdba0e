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

pub(super) const ALICE: &str = "Alice <1+alice@users.noreply.github.com>";
pub(super) const BOB: &str = "Bob <2+bob@users.noreply.github.com>";
pub(super) const CAROL: &str = "Carol <3+carol@users.noreply.github.com>";

/// A history where bob knows `src/` (authored and reviewed), carol has one merged pull
/// request, and alice merges.
pub(super) fn history() -> Repo {
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
pub(super) fn open_pr(repo: &Repo, author: &str, files: &[(&str, &str)]) -> (String, String) {
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
pub(super) fn pr_payload(
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
pub(super) struct Runner {
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
pub(super) fn parse_outputs(text: &str) -> BTreeMap<String, String> {
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
pub(super) fn mentions(text: &str) -> Vec<String> {
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

// ---- against the fake GitHub ----------------------------------------------------------------

pub(super) const TOKEN: &str = "ghs_fake_token_0123456789";

/// The fake server with pull request 7 by dave (changing `src/lib.rs`) and a runner aimed at it.
pub(super) fn fake_pr(repo: &Repo, title: &str, action: &str) -> (FakeGithub, Runner) {
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

pub(super) fn runner_for(gh: &FakeGithub, payload: Value) -> Runner {
    Runner::new("pull_request", Some(&payload)).set_all(gh.env_with_token(TOKEN))
}

/// The fake server (token required) with pull request 3 by carol, merged by alice,
/// approved by `reviewer`.
pub(super) fn github_with_pr3_reviewed_by(reviewer: &str) -> FakeGithub {
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
pub(super) fn edit_pr7(gh: &FakeGithub, f: impl FnOnce(&mut FakePr)) {
    gh.with(|s| {
        f(s.repos
            .get_mut("octo/demo")
            .unwrap()
            .pulls
            .get_mut(&7)
            .unwrap())
    });
}

mod action_yml;
mod install;
mod publish;
mod pull_request;
mod security;
