//! Reviewer suggestion: expertise on the changed paths, exclusions, the shadow reviewer,
//! load, `--diff BASE..HEAD`, and `--evaluate` (the replay of history against baselines).

use crate::support::{ids, Repo};

const ALICE: &str = "Alice <alice@example.com>";
const BOB: &str = "Bob <bob@example.com>";
const CAROL: &str = "Carol <carol@example.com>";
const DAVE: &str = "Dave <dave@example.com>";
const ERIN: &str = "Erin <erin@example.com>";
const FRANK: &str = "Frank <frank@example.com>";
const BOT: &str = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>";

/// `n` commits by `who` on `date` with `message`, each changing `path`.
fn commits(repo: &Repo, n: usize, who: &str, date: &str, path: &str, message: &str) {
    for i in 0..n {
        repo.write(path, &format!("{i}: {message}\n"))
            .commit_by(who, date, message);
    }
}

/// `cargo guild suggest-reviewers ARGS --format json`, parsed.
fn suggest(repo: &Repo, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["suggest-reviewers"];
    all.extend(args);
    all.extend(["--format", "json"]);
    repo.run(all).json()
}

/// src/parser/: Alice (many commits), Bob (reviews a lot), Carol (one commit, no review:
/// the learner), Dave (lots, but gone since 2022), Erin (opted out), the bot, and Frank
/// (excluded in guild.yml). Everyone else works elsewhere.
fn parser_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "opt_out: [\"erin@example.com\"]\nreviewers:\n  exclude: [frank]\n",
    );
    repo.write("src/parser/old.rs", "x\n");
    repo.commit_by(DAVE, "2022-01-01", "Dave's parser");
    let (parser, lexer) = ("src/parser/old.rs", "src/parser/lexer.rs");
    commits(
        &repo,
        4,
        DAVE,
        "2022-01-02",
        parser,
        "More of Dave's parser",
    );
    commits(
        &repo,
        3,
        ALICE,
        "2024-03-01",
        lexer,
        &format!("Lexer\n\nReviewed-by: {BOB}"),
    );
    for (who, file) in [(ERIN, "a"), (BOT, "b"), (FRANK, "c"), (CAROL, "d")] {
        repo.write(&format!("src/parser/{file}.rs"), "x\n");
        repo.commit_by(who, "2024-04-01", "Parser bit");
    }
    repo.write("docs/readme.md", "x\n");
    repo.commit_by(BOB, "2024-05-01", "Docs");
    repo
}

#[test]
fn suggests_experts_excluding_author_bots_opt_outs_config_and_inactive_with_a_shadow() {
    let repo = parser_repo();
    let s = suggest(
        &repo,
        &["--paths", "src/parser/lexer.rs", "--author", "alice"],
    );
    assert_eq!(s["authors"], serde_json::json!(["alice"]));
    assert_eq!(s["area"], "src/parser/");
    // Bob reviewed three lexer changes of Alice's: the only expert left.
    // Carol wrote one file in the same folder and reviewed nothing: the learner.
    assert_eq!(ids(&s["reviewers"]), ["bob", "carol"]);
    let bob = &s["reviewers"][0];
    assert_eq!(bob["reviewed"], 3);
    assert!(
        bob["reason"].as_str().unwrap().starts_with(
            "reviewed 3 changes in src/parser/, has reviewed alice's work before, \
                 last 2024-03-01"
        ),
        "{bob:#}"
    );
    let mut left_out: Vec<(String, String)> = s["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    left_out.sort();
    let ids_left: Vec<&str> = left_out.iter().map(|(i, _)| i.as_str()).collect();
    assert_eq!(ids_left.len(), 4, "{left_out:?}");
    assert!(left_out.contains(&("alice".into(), "author of the change".into())));
    assert!(left_out.contains(&("dave".into(), "inactive".into())));
    assert!(left_out.contains(&("frank".into(), "in reviewers.exclude".into())));
    assert!(left_out.iter().any(|(_, r)| r == "bot"));
    let out = serde_json::to_string(&s).unwrap();
    assert!(!out.contains("erin"), "opted-out people are never named");

    // With one reviewer, Carol becomes the shadow reviewer.
    let one = [
        "--paths",
        "src/parser/lexer.rs",
        "--author",
        "alice",
        "--count",
        "1",
    ];
    let s = suggest(&repo, &one);
    assert_eq!(ids(&s["reviewers"]), ["bob"]);
    assert_eq!(s["shadow"]["id"], "carol");
    assert!(s["shadow"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("learner: reviewed 0 and wrote 1 change in src/parser/"));
    let table = repo.run(["suggest-reviewers"].iter().chain(&one)).ok();
    assert!(table.contains("shadow    carol"), "{table}");
    // The table sums up who was left out; -v names them.
    assert!(
        table.contains(
            "left out among those who worked here: 1 author of the change, 1 bot, \
             1 in reviewers.exclude, 1 inactive (-v lists them)"
        ),
        "{table}"
    );
    assert!(!table.contains("left out: dave"), "{table}");
    let verbose = repo
        .run(["-v", "suggest-reviewers"].iter().chain(&one))
        .ok();
    assert!(verbose.contains("left out: dave (inactive)"), "{verbose}");
}

/// Reviewed commits: `n` changes by `author` to `path`, one a day from `first`, each with
/// `Reviewed-by: reviewer`.
fn reviewed(repo: &Repo, n: u32, author: &str, reviewer: &str, first: &str, path: &str) {
    let start = chrono::NaiveDate::parse_from_str(first, "%Y-%m-%d").unwrap();
    for i in 0..n {
        let date = (start + chrono::Days::new(u64::from(i))).to_string();
        repo.write(path, &format!("{date} {i}\n")).commit_by(
            author,
            &date,
            &format!("Change {path}\n\nReviewed-by: {reviewer}"),
        );
    }
}

/// The right reviewer is known: core/engine.rs was reviewed only by Bob lately, Dave
/// reviewed it more but went away in 2021, Carol reviews as much as Bob but elsewhere.
#[test]
fn the_files_only_reviewer_ranks_first_and_one_who_went_away_is_left_out() {
    let repo = Repo::new();
    reviewed(&repo, 6, ALICE, DAVE, "2021-01-01", "core/engine.rs");
    reviewed(&repo, 3, ALICE, BOB, "2024-04-01", "core/engine.rs");
    reviewed(&repo, 3, ERIN, CAROL, "2024-04-01", "web/app.js");
    // A newcomer's change: no usual reviewers to lean on.
    let s = suggest(&repo, &["--paths", "core/engine.rs"]);
    assert_eq!(ids(&s["reviewers"]), ["bob", "carol"]);
    assert_eq!(s["reviewers"][0]["reviewed"], 3);
    assert!(s["reviewers"][0]["score"].as_f64() > s["reviewers"][1]["score"].as_f64());
    assert_eq!(s["left_out"], serde_json::json!({"inactive": 1}));
    assert_eq!(s["excluded"][0]["id"], "dave");
}

/// `away:` in guild.yml: on the day, the file's reviewer is left out (and said so).
#[test]
fn someone_away_is_left_out_while_away() {
    let repo = Repo::new();
    reviewed(&repo, 3, ALICE, BOB, "2024-04-01", "core/engine.rs");
    reviewed(&repo, 3, ERIN, CAROL, "2024-04-01", "web/app.js");
    repo.write("guild.yml", "away:\n  bob: [2024-04-02, 2024-04-10]\n");
    let s = suggest(&repo, &["--paths", "core/engine.rs"]);
    assert_eq!(ids(&s["reviewers"]), ["carol", "alice"]);
    assert_eq!(s["left_out"], serde_json::json!({"away": 1}));
    assert_eq!(s["excluded"][0]["id"], "bob");
    repo.write("guild.yml", "away:\n  bob: [2024-03-01, 2024-04-02]\n");
    let s = suggest(&repo, &["--paths", "core/engine.rs"]);
    assert_eq!(ids(&s["reviewers"]), ["bob", "carol"], "back on the 3rd");
}

/// Bob and Erin know core/ equally and both review Alice; Erin is suddenly swamped (20
/// reviews in the last month, against about two a month before): Bob comes first.
#[test]
fn an_overloaded_expert_ranks_below_one_with_room() {
    let repo = Repo::new();
    reviewed(&repo, 3, ALICE, BOB, "2024-02-01", "core/a.rs");
    reviewed(&repo, 3, ALICE, ERIN, "2024-02-10", "core/b.rs");
    reviewed(&repo, 20, CAROL, ERIN, "2024-06-01", "web/x.js");
    let s = suggest(&repo, &["--paths", "core/c.rs", "--author", "alice"]);
    assert_eq!(ids(&s["reviewers"]), ["bob", "erin"]);
    let erin = &s["reviewers"][1];
    assert_eq!(erin["recent_reviews"], 20);
    assert!(
        erin["reason"]
            .as_str()
            .unwrap()
            .ends_with("20 reviews (more than usual) in the last 30 days"),
        "{erin:#}"
    );
    // Without the pile-up Erin, the more recent and busier reviewer, would come first.
    let calm = Repo::new();
    reviewed(&calm, 3, ALICE, BOB, "2024-02-01", "core/a.rs");
    reviewed(&calm, 3, ALICE, ERIN, "2024-02-10", "core/b.rs");
    reviewed(&calm, 3, CAROL, ERIN, "2024-06-01", "web/x.js");
    let s = suggest(&calm, &["--paths", "core/c.rs", "--author", "alice"]);
    assert_eq!(ids(&s["reviewers"]), ["erin", "bob"]);
}

#[test]
fn diff_range_gives_paths_and_authors() {
    let repo = Repo::new();
    repo.write("lib/a.rs", "x\n")
        .commit_by(ALICE, "2024-01-01", "A")
        .write("lib/b.rs", "x\n")
        .commit_by(BOB, "2024-01-02", "B");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("lib/a.rs", "changed\n");
    repo.commit_by(ALICE, "2024-01-03", "Change A");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("other.txt", "x\n");
    repo.commit_by(CAROL, "2024-01-04", "Unrelated on main");
    let s = suggest(&repo, &["--diff", "main..feature"]);
    // Only what the branch changed since the merge base, not main's own change.
    assert_eq!(s["changed_paths"], serde_json::json!(["lib/a.rs"]));
    assert_eq!(s["authors"], serde_json::json!(["alice"]));
    assert_eq!(ids(&s["reviewers"]), ["bob"]);
    let err = repo
        .run(["suggest-reviewers", "--diff", "main..nope"])
        .fails_with(2);
    assert!(err.contains("cannot resolve `nope`"), "{err}");
}

/// `suggest-reviewers --evaluate ARGS --format json`, parsed.
fn evaluate(repo: &Repo, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["suggest-reviewers", "--evaluate", "--format", "json"];
    all.extend(args);
    repo.run(all).json()
}

/// Dave reviews Grace's web/ in December; from January Bob reviews each of Alice's four
/// core/ changes. Known answers for the four 2024 cases: the first has no one who knows
/// core/ yet (a miss for all); then Bob, with the file's reviews and Alice's usual
/// reviewer, comes first, while `recent_reviewers` puts Dave (ten reviews) before him.
fn replay_repo() -> Repo {
    let repo = Repo::new();
    reviewed(
        &repo,
        10,
        "Grace <grace@example.com>",
        DAVE,
        "2023-12-01",
        "web/x.js",
    );
    reviewed(&repo, 4, ALICE, BOB, "2024-01-01", "core/a.rs");
    repo
}

fn scores(v: &serde_json::Value) -> [f64; 4] {
    ["top1", "top3", "top5", "mrr"].map(|k| v[k].as_f64().unwrap())
}

#[test]
fn evaluation_replays_each_case_with_known_answers_and_json_shape() {
    let repo = replay_repo();
    let e = evaluate(&repo, &["--since", "2024-01-01"]);
    let mut keys: Vec<&str> = e.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "baselines",
            "by_year",
            "evaluated",
            "mrr",
            "since",
            "top1",
            "top3",
            "top5"
        ]
    );
    assert_eq!(e["since"], "2024-01-01");
    assert_eq!(e["evaluated"], 4, "only the cases merged since 2024: {e:#}");
    assert_eq!(scores(&e), [0.75, 0.75, 0.75, 0.75]);
    let recent = &e["baselines"]["recent_reviewers"];
    assert_eq!(recent["evaluated"], 4);
    assert_eq!(
        scores(recent),
        [0.0, 0.75, 0.75, 0.375],
        "Dave first, Bob second"
    );
    assert_eq!(scores(&e["baselines"]["path_reviewers"]), [0.75; 4]);
    let years = e["by_year"].as_array().unwrap();
    assert_eq!(years.len(), 1);
    assert_eq!(years[0]["year"], 2024);
    assert_eq!(years[0]["evaluated"], 4);
    assert_eq!(years[0]["baselines"]["recent_reviewers"], *recent);

    // All history: December's cases too (the first has no one before it).
    let all = evaluate(&repo, &[]);
    assert_eq!(all["since"], serde_json::Value::Null);
    assert_eq!(all["evaluated"], 14);
    assert_eq!(all["by_year"][0]["year"], 2023);
    assert_eq!(all["by_year"][0]["evaluated"], 10);
    assert_eq!(all["by_year"][0]["top1"], 0.9);

    let table = repo
        .run(["suggest-reviewers", "--evaluate", "--since", "2024-01-01"])
        .ok();
    assert!(
        table.starts_with("4 reviewed changes merged since 2024-01-01"),
        "{table}"
    );
    assert!(table.contains("all   suggestion"), "{table}");
    assert!(table.contains("2024  recent_reviewers"), "{table}");
}

/// The replay must not peek: Carol reviewing core/a.rs for Alice all through 2025 would make
/// her the answer for 2024 if those reviews were read early. 2024 scores must not move.
#[test]
fn evaluation_never_uses_what_happened_after_the_case() {
    let repo = replay_repo();
    let before = evaluate(&repo, &[]);
    reviewed(&repo, 12, ALICE, CAROL, "2025-03-01", "core/a.rs");
    let after = evaluate(&repo, &[]);
    assert_eq!(after["evaluated"], 26);
    let year = |e: &serde_json::Value, y: i64| {
        e["by_year"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["year"] == y)
            .cloned()
            .unwrap()
    };
    assert_eq!(year(&before, 2024), year(&after, 2024));
    assert_eq!(year(&before, 2023), year(&after, 2023));
    // In 2025 Carol's first case is a miss (Bob was Alice's reviewer until then); after it
    // she is known on the file.
    assert_eq!(year(&after, 2025)["evaluated"], 12);
    assert!(year(&after, 2025)["top1"].as_f64().unwrap() > 0.5);
}

/// A pull request is one case however many reviewed commits it has; its reviewers come from
/// its trailers, its moment is its first commit.
#[test]
fn evaluation_counts_a_pull_request_once() {
    let repo = Repo::new();
    reviewed(&repo, 2, ALICE, BOB, "2024-01-01", "core/a.rs");
    repo.write("core/a.rs", "pr\n");
    repo.merge_pr_full(
        7,
        ALICE,
        CAROL,
        "2024-02-01",
        "Faster core",
        Some("core/a.rs"),
        &format!("Reviewed-by: {BOB}"),
    );
    let e = evaluate(&repo, &["--since", "2024-02-01"]);
    assert_eq!(e["evaluated"], 1, "{e:#}");
    assert_eq!(e["top1"], 1.0);
}

#[test]
fn evaluation_refuses_bad_input_clearly() {
    let repo = replay_repo();
    let err = repo
        .run(["suggest-reviewers", "--evaluate", "--since", "last week"])
        .fails_with(2);
    assert!(err.contains("`last week` is not a date"), "{err}");
    let err = repo
        .run(["suggest-reviewers", "--evaluate", "--paths", "a.rs"])
        .fails_with(2);
    assert!(err.contains("cannot be used with"), "{err}");
    let err = repo
        .run(["suggest-reviewers", "--since", "2024-01-01"])
        .fails_with(2);
    assert!(err.contains("--evaluate"), "{err}");
    // A history without reviewers: nothing to evaluate, said plainly, not an error.
    let plain = Repo::new();
    plain
        .write("a.rs", "x\n")
        .commit_by(ALICE, "2024-01-01", "A");
    let run = plain.run(["suggest-reviewers", "--evaluate", "--format", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(
        run.stderr().contains("nothing to evaluate"),
        "{}",
        run.stderr()
    );
    assert_eq!(run.json()["evaluated"], 0);
}

/// Synced GitHub reviews are cases too: approving and change-requesting reviewers are the
/// answer (a comment-only review is not), and a case's moment is when it was opened, so
/// its own reviews are never read before it.
#[test]
fn evaluation_reads_synced_reviews_from_when_each_pull_request_was_opened() {
    use crate::support::fake_github::{FakeGithub, FakePr};
    let repo = Repo::new();
    repo.commit_by(ALICE, "2024-06-01", "Initial commit");
    let gh = FakeGithub::start();
    let pr = |n: u64, opened: &str, merged: &str| {
        FakePr::new(n, "amy", opened)
            .merged("amy", merged)
            .file("core/a.rs")
    };
    gh.add_pull(
        "octo/demo",
        pr(1, "2024-01-01", "2024-01-03").review("bo", "APPROVED", "2024-01-02"),
    );
    gh.add_pull(
        "octo/demo",
        pr(2, "2024-01-05", "2024-01-07")
            .review("cy", "COMMENTED", "2024-01-05")
            .review("bo", "APPROVED", "2024-01-06"),
    );
    // Opened before #2's reviews were given: only #1's review by bo is known then.
    gh.add_pull(
        "octo/demo",
        pr(3, "2024-01-04", "2024-01-09").review("cy", "CHANGES_REQUESTED", "2024-01-08"),
    );
    // Only commented on: no known reviewer, not a case.
    gh.add_pull(
        "octo/demo",
        pr(4, "2024-01-10", "2024-01-11").review("cy", "COMMENTED", "2024-01-10"),
    );
    let run = repo.run_env(
        ["sync", "--repo", "octo/demo"],
        &gh.env_with_token("ghp_FakeToken0123456789abcdef"),
    );
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let e = evaluate(&repo, &[]);
    // #1: nobody before it, a miss. #3 (opened 01-04): bo is the only one known, cy not
    // ranked, a miss. #2 (opened 01-05): bo first, a hit.
    assert_eq!(e["evaluated"], 3, "{e:#}");
    assert_eq!(scores(&e), [0.333, 0.333, 0.333, 0.333]);
}

/// tokio's shape: squash merges and no review trailers, so until `sync` the history holds no
/// review at all. A reason then says nothing about reviews: "0 reviews in the last 30 days"
/// would be wrong about maintainers who review every day on GitHub. One recorded review
/// brings the count back.
#[test]
fn without_any_recorded_review_a_reason_counts_no_reviews() {
    let repo = Repo::new();
    commits(&repo, 3, ALICE, "2024-02-01", "core/a.rs", "Core work");
    commits(&repo, 2, BOB, "2024-03-01", "core/b.rs", "More core work");
    let s = suggest(&repo, &["--paths", "core/c.rs"]);
    let reasons: Vec<&str> = s["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{s:#}");
    for r in &reasons {
        assert!(r.contains("wrote") && !r.contains("review"), "{r}");
    }
    commits(
        &repo,
        1,
        CAROL,
        "2024-03-02",
        "web/x.js",
        &format!("Web\n\nReviewed-by: {BOB}"),
    );
    let s = suggest(&repo, &["--paths", "core/c.rs"]);
    let bob = s["reviewers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "bob")
        .expect("bob is suggested");
    assert!(
        bob["reason"]
            .as_str()
            .unwrap()
            .ends_with("in the last 30 days"),
        "{bob:#}"
    );
}
