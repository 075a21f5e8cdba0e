//! `cargo guild sync` against a fake GitHub on 127.0.0.1: pagination and follow-ups,
//! incremental runs, retries, interruptions that resume, bad inputs, the token never shown,
//! and the merge of GitHub's pull requests with git's.

use crate::require;
use crate::support::fake_github::{generate, FakeGithub, FakePr, Fault};
use crate::support::{person, shared_dir, Repo};

const REPO: &str = "octo/demo";
const TOKEN: &str = "ghp_FakeToken0123456789abcdefSECRET";

fn repo() -> Repo {
    let r = Repo::new();
    r.commit_by("Alice <alice@example.com>", "2024-01-01", "Initial commit");
    r
}

fn sync(repo: &Repo, gh: &FakeGithub, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["sync", "--repo", REPO];
    args.extend_from_slice(extra);
    let run = repo.run_env(args, &gh.env_with_token(TOKEN));
    assert_no_token(&run);
    run
}

#[track_caller]
fn assert_no_token(run: &crate::support::Run) {
    assert!(
        !run.stdout().contains(TOKEN) && !run.stderr().contains(TOKEN),
        "the token leaked:\n{}\n{}",
        run.stdout(),
        run.stderr()
    );
}

/// Numbers of the stored pull requests, sorted.
fn stored_numbers(repo: &Repo) -> Vec<u64> {
    let out = repo.git(&[
        "ls-tree",
        "-r",
        "--name-only",
        "refs/guild/history",
        "pulls",
    ]);
    let mut v: Vec<u64> = out
        .lines()
        .filter_map(|l| l.rsplit('/').next()?.strip_suffix(".json")?.parse().ok())
        .collect();
    v.sort();
    v
}

fn stored(repo: &Repo, n: u64) -> serde_json::Value {
    let text = repo.git(&[
        "show",
        &format!("refs/guild/history:pulls/{}/{n}.json", n / 100),
    ]);
    serde_json::from_str(&text).unwrap()
}

fn state(repo: &Repo) -> serde_json::Value {
    serde_json::from_str(&repo.git(&["show", "refs/guild/history:state.json"])).unwrap()
}

fn add_many(gh: &FakeGithub, n: u64) {
    for i in 1..=n {
        let day = format!("2024-{:02}-{:02}", 1 + (i / 28) % 12, 1 + i % 28);
        gh.add_pull(
            REPO,
            FakePr::new(i, "amy", &day)
                .review("bo", "APPROVED", &day)
                .updated(&format!(
                    "2024-12-31T00:{:02}:{:02}Z",
                    (i / 60) % 60,
                    i % 60
                )),
        );
    }
}

#[test]
fn queries_are_valid_against_githubs_schema() {
    let shared = shared_dir();
    let path = shared.map(|s| s.join("github/schema.graphql"));
    require!(
        path.as_ref().is_some_and(|p| p.exists()),
        "../shared/github/schema.graphql"
    );
    let path = path.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let schema = match apollo_compiler::Schema::parse_and_validate(text, &path) {
        Ok(s) => s,
        // GitHub's schema has quirks a strict validator may flag; the types are what matter.
        Err(e) => apollo_compiler::validation::Valid::assume_valid(e.partial),
    };
    let docs = cargo_guild::sources::github::query::documents_for_validation();
    assert!(docs.len() >= 3);
    for (what, doc) in docs {
        if let Err(e) = apollo_compiler::ExecutableDocument::parse_and_validate(
            &schema,
            doc.as_str(),
            "q.graphql",
        ) {
            panic!("the {what} document is not valid against GitHub's schema:\n{e}\n{doc}");
        }
    }
}

#[test]
fn full_sync_pages_through_everything_and_completes_overflowing_connections() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 230);
    // Newest update first: #230 is on page 1, #5 on page 3.
    let mut big = gh.pull(REPO, 230).unwrap();
    big.files = (0..150).map(|i| format!("src/f{i}.rs")).collect();
    gh.add_pull(REPO, big);
    let mut busy = gh.pull(REPO, 5).unwrap();
    for i in 0..119 {
        busy = busy.review(&format!("r{i}"), "COMMENTED", "2024-06-01");
    }
    busy = busy.updated("2024-12-31T00:00:05Z");
    gh.add_pull(REPO, busy);
    let head = repo.git(&["rev-parse", "HEAD"]);

    let out = sync(&repo, &gh, &[]).ok();
    assert!(
        out.contains("230 pull requests fetched (230 new, 0 updated)"),
        "{out}"
    );
    // page 1; page 2 + #230's files; page 3; #5's reviews.
    assert_eq!(gh.graphql_requests(), 4, "{out}");
    assert!(out.contains("4 requests"), "{out}");
    assert_eq!(stored_numbers(&repo), (1..=230).collect::<Vec<_>>());
    assert_eq!(stored(&repo, 230)["paths"].as_array().unwrap().len(), 150);
    assert_eq!(stored(&repo, 5)["reviews"].as_array().unwrap().len(), 120);
    assert_eq!(stored(&repo, 17)["reviews"][0]["author"], "bo");
    assert_eq!(stored(&repo, 17)["author"], "amy");
    // The follow-up rode along with page 2, as one document.
    let second = gh.requests()[1].json();
    assert!(second["query"]
        .as_str()
        .unwrap()
        .contains("p0: pullRequest"));
    assert_eq!(second["variables"]["n0"], 230);
    // Working tree, index and HEAD untouched; the state says the pass is complete.
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    let st = state(&repo);
    assert_eq!(st["repository"], REPO);
    assert!(st["pass"].is_null());
    assert!(st["synced_through"]
        .as_str()
        .unwrap()
        .starts_with("2024-12-31"));
    // Every request carried the token, as a bearer token.
    assert!(gh
        .requests()
        .iter()
        .all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
}

#[test]
fn incremental_sync_costs_one_request_when_nothing_changed_and_one_per_page_of_changes() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 120);
    sync(&repo, &gh, &[]).ok();
    let first_head = repo.git(&["rev-parse", "refs/guild/history"]);

    gh.clear_log();
    let out = sync(&repo, &gh, &[]).ok();
    assert_eq!(gh.graphql_requests(), 1, "nothing new: {out}");
    assert!(out.contains("(0 new, 0 updated)"), "{out}");
    assert_eq!(
        repo.git(&["rev-parse", "refs/guild/history"]),
        first_head,
        "nothing changed, no commit"
    );

    // Three new pull requests and a new review on an old one.
    gh.add_pull(REPO, FakePr::new(121, "cy", "2025-01-02"));
    gh.add_pull(REPO, FakePr::new(122, "cy", "2025-01-03"));
    gh.add_pull(REPO, FakePr::new(123, "dee", "2025-01-04"));
    let old = gh
        .pull(REPO, 7)
        .unwrap()
        .review("cy", "CHANGES_REQUESTED", "2025-01-05");
    gh.add_pull(REPO, old);
    gh.clear_log();
    let out = sync(&repo, &gh, &[]).ok();
    assert_eq!(gh.graphql_requests(), 1, "{out}");
    assert!(out.contains("(3 new, 1 updated)"), "{out}");
    let reviews = stored(&repo, 7)["reviews"].clone();
    assert_eq!(reviews.as_array().unwrap().len(), 2);
    assert_eq!(reviews[1]["state"], "CHANGES_REQUESTED");
    assert_eq!(stored_numbers(&repo).len(), 123);
}

#[test]
fn a_502_and_a_secondary_rate_limit_mid_sync_are_retried() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 250);
    gh.fail_graphql(2, Fault::Status(502));
    gh.fail_graphql(4, Fault::SecondaryRateLimit { retry_after: 1 });
    let out = sync(&repo, &gh, &[]).ok();
    assert_eq!(stored_numbers(&repo), (1..=250).collect::<Vec<_>>());
    let log = gh.requests();
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses[1], 502);
    assert_eq!(statuses[3], 403);
    // After a 502 (GitHub's "too slow"), pages shrink to half.
    assert_eq!(log[0].json()["variables"]["first"], 100);
    assert_eq!(log[2].json()["variables"]["first"], 50);
    // 100 + 50 + 50 + 50 = 250: four pages, plus two retries.
    assert_eq!(gh.graphql_requests(), 6, "{out}");
    assert!(out.contains("(2 retried)"), "{out}");
}

#[test]
fn an_interrupted_sync_resumes_where_it_stopped_without_duplicates() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 250);
    // The network goes away after two pages.
    gh.fail_graphql_from(3, || Fault::Drop);
    let err = sync(&repo, &gh, &[]).fails_with(2);
    assert!(
        err.contains("200 pull requests saved under refs/guild/history"),
        "{err}"
    );
    assert!(
        err.contains("run `cargo guild sync` again to resume"),
        "{err}"
    );
    assert_eq!(stored_numbers(&repo).len(), 200);
    assert!(state(&repo)["pass"]["after"].is_string());

    gh.clear_faults();
    gh.clear_log();
    let out = sync(&repo, &gh, &[]).ok();
    // The rest of the old pass, then one request for what changed meanwhile.
    assert_eq!(gh.graphql_requests(), 2, "{out}");
    assert!(out.contains("(50 new, 0 updated)"), "{out}");
    assert_eq!(stored_numbers(&repo), (1..=250).collect::<Vec<_>>());
    assert!(state(&repo)["pass"].is_null());
    // One review each, as on GitHub.
    assert_eq!(stored(&repo, 100)["reviews"].as_array().unwrap().len(), 1);
}

#[test]
fn a_killed_sync_loses_nothing_committed_and_the_next_run_finishes() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 250);
    gh.fail_graphql(3, Fault::Delay(std::time::Duration::from_secs(20)));
    let mut cmd = repo.command(["sync", "--repo", REPO]);
    cmd.envs(gh.env_with_token(TOKEN))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while gh.graphql_requests() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the sync never got to page 3"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert_eq!(stored_numbers(&repo).len(), 200);

    gh.clear_faults();
    sync(&repo, &gh, &[]).ok();
    assert_eq!(stored_numbers(&repo), (1..=250).collect::<Vec<_>>());
}

#[test]
fn ctrl_c_stops_after_saving_and_says_how_to_resume() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 250);
    gh.fail_graphql(2, Fault::Delay(std::time::Duration::from_secs(20)));
    let mut cmd = repo.command(["sync", "--repo", REPO]);
    cmd.envs(gh.env_with_token(TOKEN))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    while gh.graphql_requests() < 2 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let ok = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let run = crate::support::Run(child.wait_with_output().unwrap());
    let err = run.fails_with(2);
    assert!(
        err.contains("interrupted; 100 pull requests saved"),
        "{err}"
    );
    assert_no_token(&run);
    assert_eq!(stored_numbers(&repo).len(), 100);
}

#[test]
fn a_spent_rate_limit_stops_cleanly_and_the_next_run_resumes() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 250);
    gh.set_rate_limit(2);
    let err = sync(&repo, &gh, &[]).fails_with(2);
    assert!(err.contains("rate limit is spent"), "{err}");
    assert!(err.contains("resets at 2030-01-01T12:00:00Z"), "{err}");
    assert!(err.contains("200 pull requests saved"), "{err}");
    assert_eq!(
        gh.graphql_requests(),
        2,
        "no request is sent without budget"
    );

    gh.set_rate_limit(100);
    sync(&repo, &gh, &[]).ok();
    assert_eq!(stored_numbers(&repo), (1..=250).collect::<Vec<_>>());
}

#[test]
fn since_limits_the_first_sync_to_recent_updates() {
    let repo = repo();
    let gh = FakeGithub::start();
    gh.add_pull(REPO, FakePr::new(1, "amy", "2023-05-01"));
    gh.add_pull(REPO, FakePr::new(2, "amy", "2024-05-01"));
    gh.add_pull(REPO, FakePr::new(3, "amy", "2024-06-01"));
    let out = sync(&repo, &gh, &["--since", "2024-01-01"]).ok();
    assert!(out.contains("2 pull requests fetched"), "{out}");
    assert_eq!(stored_numbers(&repo), vec![2, 3]);
    let err = sync(&repo, &gh, &["--since", "May 2024"]).fails_with(2);
    assert!(err.contains("--since"), "{err}");
}

#[test]
fn full_sync_refetches_everything() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 30);
    sync(&repo, &gh, &[]).ok();
    gh.clear_log();
    let out = sync(&repo, &gh, &["--full"]).ok();
    assert!(
        out.contains("30 pull requests fetched (0 new, 0 updated)"),
        "{out}"
    );
    assert_eq!(gh.graphql_requests(), 1);
}

#[test]
fn bad_inputs_fail_clearly_and_never_show_the_token() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 3);
    gh.require_token(TOKEN);
    sync(&repo, &gh, &[]).ok();
    let before = repo.git(&["rev-parse", "refs/guild/history"]);

    // No token at all.
    let err = repo
        .run_env(["sync", "--repo", REPO], &gh.env())
        .fails_with(2);
    assert!(
        err.contains("GITHUB_TOKEN") && err.contains("GH_TOKEN"),
        "{err}"
    );

    // A wrong token: the wrong one is not shown either.
    let wrong = "ghp_WrongToken999999999999";
    let mut env = gh.env();
    env.push(("GH_TOKEN".into(), wrong.into()));
    let run = repo.run_env(["sync", "--repo", REPO], &env);
    let err = run.fails_with(2);
    assert!(
        err.contains("401") && err.contains("wrong, expired or revoked"),
        "{err}"
    );
    assert!(!err.contains(wrong) && !run.stdout().contains(wrong));

    // Another repository into the same ref: refused before any request.
    let err = repo
        .run_env(["sync", "--repo", "octo/other"], &gh.env_with_token(TOKEN))
        .fails_with(2);
    assert!(
        err.contains("holds the pull requests of octo/demo"),
        "{err}"
    );

    // A repository that does not exist (or is private).
    let err = self::repo()
        .run_env(["sync", "--repo", "octo/nope"], &gh.env_with_token(TOKEN))
        .fails_with(2);
    assert!(err.contains("octo/nope not found"), "{err}");

    // Malformed answers, two of them echoing the token back.
    assert_eq!(gh.graphql_requests(), 4);
    gh.fail_graphql(5, Fault::Body("<html>502 Bad Gateway</html>".into()));
    let err = sync(&repo, &gh, &[]).fails_with(2);
    assert!(err.contains("malformed answer"), "{err}");
    gh.fail_graphql(
        6,
        Fault::Body(format!("{{\"data\": {{\"oops\": \"{TOKEN}\"}}")),
    );
    let err = sync(&repo, &gh, &[]).fails_with(2);
    assert!(
        err.contains("malformed answer") && err.contains("***"),
        "{err}"
    );
    gh.fail_graphql(
        7,
        Fault::Body(format!(
            "{{\"errors\": [{{\"message\": \"token {TOKEN} is odd\"}}]}}"
        )),
    );
    let err = sync(&repo, &gh, &[]).fails_with(2);
    assert!(err.contains("token *** is odd"), "{err}");

    // A bad --repo, and --offline.
    let err = repo
        .run_env(["sync", "--repo", "not-a-slug"], &gh.env_with_token(TOKEN))
        .fails_with(2);
    assert!(err.contains("OWNER/NAME"), "{err}");
    let err = repo
        .run_env(
            ["--offline", "sync", "--repo", REPO],
            &gh.env_with_token(TOKEN),
        )
        .fails_with(2);
    assert!(err.contains("--offline"), "{err}");
    assert_eq!(repo.git(&["rev-parse", "refs/guild/history"]), before);
    assert_eq!(stored_numbers(&repo), vec![1, 2, 3], "history intact");
}

#[test]
fn the_repository_comes_from_a_github_origin_and_other_remotes_are_refused() {
    let repo = repo();
    repo.git(&["remote", "add", "origin", "git@gitlab.com:octo/demo.git"]);
    // github.com's default endpoints: refused before any request.
    let run = repo.run_env(["sync"], &[("GITHUB_TOKEN".into(), TOKEN.into())]);
    let err = run.fails_with(2);
    assert!(err.contains("not on GitHub but on gitlab.com"), "{err}");
    assert!(
        err.contains("--repo") && err.contains("GITHUB_API_URL"),
        "{err}"
    );
    assert_no_token(&run);

    // A GitHub remote (with credentials in the URL, which are never shown).
    repo.git(&[
        "remote",
        "set-url",
        "origin",
        "https://someone:hunter2@github.com/octo/demo.git",
    ]);
    let gh = FakeGithub::start();
    gh.add_pull(REPO, FakePr::new(1, "amy", "2024-02-02"));
    let run = repo.run_env(["sync"], &gh.env_with_token(TOKEN));
    let out = run.ok();
    assert!(
        out.contains("synced octo/demo: 1 pull request fetched"),
        "{out}"
    );
    assert!(!out.contains("hunter2") && !run.stderr().contains("hunter2"));

    // No origin, no --repo.
    repo.git(&["remote", "remove", "origin"]);
    let err = repo
        .run_env(["sync"], &gh.env_with_token(TOKEN))
        .fails_with(2);
    assert!(err.contains("no `origin` remote"), "{err}");
}

#[test]
fn a_ref_moved_by_someone_else_mid_sync_is_never_overwritten() {
    let repo = repo();
    let gh = FakeGithub::start();
    add_many(&gh, 250);
    // While page 2 is being fetched, another sync (here: git) moves the ref.
    let path = repo.path().to_path_buf();
    let head = repo.git(&["rev-parse", "HEAD"]);
    gh.fail_graphql(
        2,
        Fault::Run(Box::new(move || {
            let ok = std::process::Command::new("git")
                .args(["update-ref", "refs/guild/history", &head])
                .current_dir(&path)
                .status()
                .unwrap()
                .success();
            assert!(ok);
        })),
    );
    let err = sync(&repo, &gh, &[]).fails_with(2);
    assert!(err.contains("was moved by someone else"), "{err}");
    assert!(err.contains("nothing was overwritten"), "{err}");
    assert_eq!(
        repo.git(&["rev-parse", "refs/guild/history"]),
        repo.git(&["rev-parse", "HEAD"]),
        "the other writer's value stands"
    );
}

/// tokio's history was re-rooted: git has two #131. GitHub knows only today's, and its
/// review belongs to that one (found by its merge commit), never to the 2016 one.
#[test]
fn a_synced_pull_request_joins_the_git_one_with_its_merge_commit_not_its_number() {
    let repo = repo();
    repo.merge_pr(
        131,
        "Steven <steven@example.com>",
        "Alice <alice@example.com>",
        "2016-05-01",
    );
    repo.merge_pr(
        131,
        "Carl <carl@example.com>",
        "Alice <alice@example.com>",
        "2018-05-01",
    );
    let merge = repo.git(&["rev-parse", "HEAD"]);
    let gh = FakeGithub::start();
    gh.add_pull(
        REPO,
        FakePr::new(131, "carllerche", "2018-04-20")
            .title("Carl's change")
            .commit("Carl", "carl@example.com", Some("carllerche"))
            .review("dana", "APPROVED", "2018-04-30T10:00:00Z")
            .merged("alice", "2018-05-01")
            .merge_commit(merge.trim(), "Alice", "alice@example.com", "alice"),
    );
    sync(&repo, &gh, &[]).ok();
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(person(&ctx, "carllerche")["counts"]["prs_merged"], 1);
    assert_eq!(person(&ctx, "steven")["counts"]["prs_merged"], 1);
    let explain = repo.run(["explain", "dana", "--format", "json"]).json();
    let reviewed: Vec<&serde_json::Value> = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == "review")
        .collect();
    assert_eq!(reviewed.len(), 1, "{explain:#}");
    assert_eq!(reviewed[0]["target"]["pr"]["merge"], merge.trim());
    assert_eq!(reviewed[0]["other"], "carllerche");
}

#[test]
fn synced_reviews_merge_with_git_history_into_one_pull_request() {
    let repo = repo();
    repo.merge_pr_full(
        1,
        "Bob <bob@example.com>",
        "Alice <alice@example.com>",
        "2024-02-01",
        "Add parser",
        Some("src/parser.rs"),
        "",
    );
    repo.merge_pr(
        2,
        "Bob <bob@example.com>",
        "Alice <alice@example.com>",
        "2024-03-01",
    );
    let merge1 = repo.git(&["rev-parse", "HEAD~1"]);
    let gh = FakeGithub::start();
    gh.add_pull(
        REPO,
        FakePr::new(1, "bobby", "2024-01-30")
            .title("Add a parser")
            .commit("Bob", "bob@example.com", Some("bobby"))
            .comment("bobby", "2024-01-30T13:00:00Z")
            .comment("erin", "2024-01-31")
            .review("carol", "APPROVED", "2024-01-31T15:00:00Z")
            .review("dave", "COMMENTED", "2024-01-31T16:00:00Z")
            .review("dave", "COMMENTED", "2024-01-31T17:00:00Z")
            .review("bobby", "COMMENTED", "2024-01-31T18:00:00Z")
            .review("dependabot[bot]", "APPROVED", "2024-01-31T19:00:00Z")
            .label("parser")
            .file("src/parser.rs")
            .merged("al", "2024-02-01")
            .merge_commit(&merge1, "Alice", "alice@example.com", "al"),
    );
    // Synced before #2 was merged: GitHub's record still says open.
    gh.add_pull(
        REPO,
        FakePr::new(2, "bobby", "2024-02-20")
            .commit("Bob", "bob@example.com", Some("bobby"))
            .review("carol", "CHANGES_REQUESTED", "2024-02-21"),
    );
    sync(&repo, &gh, &[]).ok();
    let pr1 = stored(&repo, 1);
    assert_eq!(
        pr1["first_responder"], "erin",
        "the author's own comment is no response"
    );
    assert_eq!(pr1["merge_commit_author"]["login"], "al");

    let ctx = repo.run(["context", "--json"]).json();
    let bob = person(&ctx, "bobby");
    assert_eq!(
        bob["name"], "Bob",
        "git's Bob and GitHub's bobby are one person"
    );
    assert_eq!(
        bob["counts"]["prs_merged"], 2,
        "each PR once, not once per source"
    );
    let al = person(&ctx, "al");
    assert_eq!(al["name"], "Alice");
    assert_eq!(al["counts"]["commits"], 1);
    // Merging #1 and #2: 2 points each.
    assert_eq!(al["reputation"]["reviewer"], 4);
    let carol = person(&ctx, "carol");
    assert_eq!(carol["counts"]["reviews_given"], 2);
    // #1 was bobby's first contribution: 5 + 5; #2: 5.
    assert_eq!(carol["reputation"]["reviewer"], 15);
    let dave = person(&ctx, "dave");
    assert_eq!(
        dave["reputation"]["reviewer"], 1,
        "two comments on one PR: one event"
    );
    let people: Vec<&str> = ctx["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(!people.contains(&"bob"), "no second Bob: {people:?}");
    assert!(!people.contains(&"alice"), "no second Alice: {people:?}");
    let bot = person(&ctx, "dependabot[bot]");
    assert_eq!(bot["is_bot"], true);
    assert_eq!(bot["reputation"]["total"], 0);

    let explain = repo.run(["explain", "carol", "--format", "json"]).json();
    let lines = explain["lines"].as_array().unwrap();
    let rules: Vec<(&str, &serde_json::Value)> = lines
        .iter()
        .map(|l| (l["rule"].as_str().unwrap(), &l["target"]["pr"]["number"]))
        .collect();
    assert!(
        rules.contains(&("review", &serde_json::json!(1))),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("review_newcomer", &serde_json::json!(1))),
        "{rules:?}"
    );
    assert!(
        rules.contains(&("review", &serde_json::json!(2))),
        "{rules:?}"
    );

    let rep = repo.run(["reputation", "--format", "json"]).json();
    assert_eq!(
        person(&rep, "carol")["reputation"]["reviewer"],
        15,
        "{rep:#}"
    );
}

/// The benchmark behind the README's numbers (`bench/sync.sh`): 5,000 pull requests with
/// reviews, some overflowing their first page of files, reviews or commits.
#[test]
#[ignore = "benchmark: run through bench/sync.sh"]
fn bench_sync_request_counts() {
    let repo = repo();
    let gh = FakeGithub::start();
    let n = std::env::var("GUILD_BENCH_PRS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    for pr in generate(n, 7) {
        gh.add_pull(REPO, pr);
    }
    let t = std::time::Instant::now();
    let out = sync(&repo, &gh, &[]).ok();
    let full = gh.graphql_requests();
    let full_time = t.elapsed();
    assert_eq!(stored_numbers(&repo).len() as u64, n);

    gh.clear_log();
    sync(&repo, &gh, &[]).ok();
    let nothing = gh.graphql_requests();

    let mut more = generate(n + 40, 8).split_off(n as usize);
    for pr in more.iter_mut() {
        pr.updated += 100 * 86_400 * 365;
    }
    for pr in more {
        gh.add_pull(REPO, pr);
    }
    gh.clear_log();
    sync(&repo, &gh, &[]).ok();
    let forty = gh.graphql_requests();

    let mut changed = generate(n + 300, 9).split_off(n as usize);
    for pr in changed.iter_mut() {
        pr.updated += 101 * 86_400 * 365;
    }
    for pr in changed {
        gh.add_pull(REPO, pr);
    }
    gh.clear_log();
    sync(&repo, &gh, &[]).ok();
    let three_hundred = gh.graphql_requests();

    println!("{out}");
    println!("full sync of {n} PRs: {full} requests ({full_time:.1?})");
    println!("incremental, nothing new: {nothing} request(s)");
    println!("incremental, 40 new PRs: {forty} request(s)");
    println!("incremental, 300 changed PRs (260 new): {three_hundred} request(s)");
    if n == 5000 {
        assert!(full <= 120, "{full} requests");
    }
    assert!(nothing <= 2);
}
