//! Reviewer suggestion: expertise near the changed paths, exclusions, the shadow reviewer,
//! and `--diff BASE..HEAD`.

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
    // Bob reviewed three lexer changes (½ each × closeness 1): the only expert left.
    // Carol wrote one file in the same folder (1 × ½) and reviewed nothing: the learner.
    assert_eq!(ids(&s["reviewers"]), ["bob", "carol"]);
    let bob = &s["reviewers"][0];
    assert_eq!(bob["reviewed"], 3);
    assert!(
        bob["reason"]
            .as_str()
            .unwrap()
            .starts_with("reviewed 3 changes in or near src/parser/, last 2024-03-01"),
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
        .starts_with("learner: wrote 1 commit in or near src/parser/, reviewed 0 changes"));
    let table = repo.run(["suggest-reviewers"].iter().chain(&one)).ok();
    assert!(table.contains("shadow    carol"), "{table}");
}

#[test]
fn current_review_load_lowers_the_rank() {
    let repo = Repo::new();
    // Alice and Bob wrote the same amount in core/; Bob also reviewed a lot elsewhere lately.
    repo.write("core/a.rs", "x\n")
        .commit_by(ALICE, "2024-05-01", "A")
        .write("core/b.rs", "x\n")
        .commit_by(BOB, "2024-05-01", "B");
    let reviewed = format!("Web\n\nReviewed-by: {BOB}");
    commits(&repo, 4, CAROL, "2024-05-20", "web/x.js", &reviewed);
    let s = suggest(&repo, &["--paths", "core/c.rs", "--count", "2"]);
    assert_eq!(ids(&s["reviewers"]), ["alice", "bob"]);
    assert_eq!(s["reviewers"][1]["recent_reviews"], 4);
    assert!(s["reviewers"][1]["reason"]
        .as_str()
        .unwrap()
        .ends_with("4 reviews in the last 30 days"));
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
