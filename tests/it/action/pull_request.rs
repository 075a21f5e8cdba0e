//! The Action on a pull request: the report, first-timers, docs findings, the sticky comment, reviewer requests, locally and against the fake GitHub.

use super::*;

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
fn unfilled_template_sections_are_warnings_that_never_fail_the_check() {
    let repo = history();
    let (base, head) = open_pr(
        &repo,
        CAROL,
        &[(
            "community/case-round/2024-05-01-parser.md",
            "---\ntitle: Parser\nkind: case-round\ndate: 2024-05-01\nauthors: [Carol]\n---\n\n## The case\n\n<!-- What happened? -->\n",
        )],
    );
    let payload = pr_payload("opened", 9, "A case round", "carol", &base, &head);
    let r = Runner::new("pull_request", Some(&payload));
    let run = r.run(&repo, &["--fail-on-docs-findings"]);
    let stdout = run.ok();
    assert!(
        stdout.lines().any(|l| l
            .starts_with("::warning file=community/case-round/2024-05-01-parser.md,line=8")
            && l.contains("::the section `The case` is unfilled")),
        "{stdout}"
    );
    let summary = r.summary();
    assert!(
        summary.contains("2024-05-01-parser.md:8: warning: the section \\`The case\\` is unfilled"),
        "{summary}"
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
    assert_eq!(gh.count("POST", "/comments"), 0);
    assert_eq!(gh.comments("octo/demo", 7).len(), 1);
    assert_eq!(r2.outputs()["comment-url"], url);
    assert_eq!(r2.outputs()["comment-id"], comments[0].id.to_string());

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
    assert_eq!(gh.count("POST", "/comments"), 0);
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

fn marker_comment(id: u64, login: &str, body: &str) -> crate::support::fake_github::FakeComment {
    crate::support::fake_github::FakeComment {
        id,
        login: login.into(),
        body: format!("<!-- cargo-guild:pr-comment -->\n{body}"),
        at: id as i64,
        updated: id as i64,
    }
}

#[test]
fn a_marker_comment_by_another_user_or_app_is_left_untouched() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    // mallory quotes the marker, and another app's bot does too, before the action ran.
    edit_pr7(&gh, |pr| {
        pr.comments.push(marker_comment(1, "mallory", "mine"));
        pr.comments
            .push(marker_comment(2, "other-app[bot]", "theirs"));
    });
    r.run(&repo, &[]).ok();
    let comments = gh.comments("octo/demo", 7);
    assert_eq!(comments.len(), 3, "ours is a new comment");
    assert!(comments[0].body.ends_with("mine") && comments[1].body.ends_with("theirs"));
    assert_eq!(comments[2].login, "github-actions[bot]");
    assert_eq!(gh.count("PATCH", ""), 0, "nobody else's comment is edited");
    assert_eq!(gh.count("DELETE", ""), 0, "nor deleted");
    // The next run finds ours, not theirs.
    gh.clear_log();
    let mut payload = r.payload();
    payload["pull_request"]["title"] = json!("Much faster");
    runner_for(&gh, payload).run(&repo, &[]).ok();
    assert_eq!(
        gh.count("PATCH", &format!("/issues/comments/{}", comments[2].id)),
        1
    );
    assert_eq!(gh.count("PATCH", ""), 1);
    // A personal token acts as its user: that user's comments are ours, not the bot's.
    gh.with(|s| s.viewer = "guild-bot-user".into());
    gh.clear_log();
    r.run(&repo, &[]).ok();
    assert_eq!(gh.count("PATCH", ""), 0);
    assert_eq!(gh.count("POST", "/issues/7/comments"), 1);
}

#[test]
fn runs_at_the_same_time_leave_one_comment() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    // Another run creates its comment between our listing and our creating.
    gh.with(|s| s.race_on_create = true);
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let comments = gh.comments("octo/demo", 7);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        !comments[0].body.contains("the other run"),
        "the oldest comment is kept, with this run's body"
    );
    assert_eq!(r.outputs()["comment-id"], comments[0].id.to_string());
    // Duplicates left by earlier races are cleaned up too; the oldest stays.
    gh.with(|s| s.race_on_create = false);
    edit_pr7(&gh, |pr| {
        pr.comments
            .push(marker_comment(5, "github-actions[bot]", "older"));
    });
    let mut payload = r.payload();
    payload["action"] = json!("edited");
    runner_for(&gh, payload).run(&repo, &[]).ok();
    let after = gh.comments("octo/demo", 7);
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0].id, 5);
    assert!(after[0].body.contains("Welcome"));
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

/// The on-call expert for the area a pull request changes is named in the comment (from
/// `rituals` with `on_call: true`); a ritual for another domain is not.
#[test]
fn the_comment_names_who_is_on_call_for_the_changed_area() {
    let repo = history();
    repo.write(
        "guild.yml",
        "domains:\n  core: [\"src/**\"]\n  docs: [\"README.md\"]\nrituals:\n  - name: core-on-call\n    on_call: true\n    every: 1 week\n    starts: 2024-01-01\n    pool: { people: [bob] }\n  - name: docs-on-call\n    on_call: true\n    every: 1 week\n    starts: 2024-01-01\n    pool: { domain: docs }\n",
    )
    .commit_by(ALICE, "2024-04-02", "Rituals");
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    let run = r.run(&repo, &[]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let body = &gh.comments("octo/demo", 7)[0].body;
    assert!(body.contains("### On call"), "{body}");
    assert!(
        body.contains("`bob`: on call for core-on-call until 2024-05-"),
        "{body}"
    );
    assert!(!body.contains("docs-on-call"), "{body}");
}
