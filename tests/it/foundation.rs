//! The foundation: history → ledger → reputation, explain, context, init, and bad input.

use crate::support::{ids, person, Repo};
use serde_json::Value;

#[test]
fn merged_pr_credits_author_merger_and_trailer_reviewer() {
    let repo = Repo::new();
    repo.commit_by(
        "Alice Smith <alice@example.com>",
        "2024-01-01",
        "Initial commit",
    )
    .merge_pr_full(
        1,
        "Bob <bob@example.com>",
        "Alice Smith <alice@example.com>",
        "2024-02-01",
        "Add parser",
        None,
        "Reviewed-by: Carol <carol@example.com>",
    );
    let ctx = repo.run(["context", "--json"]).json();
    let bob = person(&ctx, "bob");
    assert_eq!(bob["counts"]["prs_merged"], 1);
    assert_eq!(bob["counts"]["commits"], 1);
    // 10 for the merged PR + 1 for the commit.
    assert_eq!(bob["reputation"]["contributor"], 11);
    let carol = person(&ctx, "carol");
    assert_eq!(carol["counts"]["reviews_given"], 1);
    // 5 for the review + 5 because it was bob's first contribution.
    assert_eq!(carol["reputation"]["reviewer"], 10);
    let alice = person(&ctx, "alice-smith");
    assert_eq!(
        alice["reputation"]["reviewer"], 2,
        "merging someone else's PR"
    );
    assert_eq!(
        alice["counts"]["commits"], 1,
        "merge commits are not counted as commits"
    );
}

#[test]
fn squash_merge_credits_the_author_and_not_github() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "Initial commit")
        .squash_pr(
            7,
            "Dana <dana@example.com>",
            "2024-01-02",
            "Speed up the lexer",
        );
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(
        ids(&ctx),
        vec!["alice", "dana"],
        "GitHub the committer is nobody"
    );
    let dana = person(&ctx, "dana");
    assert_eq!(dana["counts"]["prs_merged"], 1);
    let explain = repo.run(["explain", "dana", "--format", "json"]).json();
    let pr_line = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rule"] == "pr_merged")
        .unwrap();
    assert_eq!(pr_line["target"]["pr"]["number"], 7);
    assert_eq!(pr_line["title"], "Speed up the lexer");
}

#[test]
fn bors_merge_credits_the_r_equals_reviewer_and_rollups_are_their_own_prs() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "Initial commit");
    // A rollup branch: two rolled-up PRs merged into a branch, then bors merges the rollup.
    repo.git(&["checkout", "-q", "-b", "rollup"]);
    repo.git(&["checkout", "-q", "-b", "pr-5"]);
    repo.commit_by(
        "Erin <5+erin@users.noreply.github.com>",
        "2024-01-02",
        "Fix docs",
    );
    repo.git(&["checkout", "-q", "rollup"]);
    repo.git_env(
        &[
            "merge",
            "-q",
            "--no-ff",
            "pr-5",
            "-m",
            "Rollup merge of #5 - erin:docs, r=carol",
        ],
        &[
            ("GIT_AUTHOR_NAME", "bors".into()),
            ("GIT_AUTHOR_EMAIL", "bors@rust-lang.org".into()),
            ("GIT_COMMITTER_NAME", "bors".into()),
            ("GIT_COMMITTER_EMAIL", "bors@rust-lang.org".into()),
        ],
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.git_env(
        &[
            "merge",
            "-q",
            "--no-ff",
            "rollup",
            "-m",
            "Auto merge of #6 - bors:rollup, r=carol\n\nRollup of 1 pull request",
        ],
        &[
            ("GIT_AUTHOR_NAME", "bors".into()),
            ("GIT_AUTHOR_EMAIL", "bors@rust-lang.org".into()),
            ("GIT_COMMITTER_NAME", "bors".into()),
            ("GIT_COMMITTER_EMAIL", "bors@rust-lang.org".into()),
        ],
    );
    let ctx = repo.run(["context", "--json"]).json();
    let erin = person(&ctx, "erin");
    assert_eq!(
        erin["counts"]["prs_merged"], 1,
        "the rolled-up PR #5 (the rollup #6 itself is bors's)"
    );
    let carol = person(&ctx, "carol");
    assert_eq!(carol["counts"]["reviews_given"], 2, "r=carol on #5 and #6");
    let explain = repo.run(["explain", "carol", "--format", "json"]).json();
    let targets: Vec<&Value> = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == "review")
        .map(|l| &l["target"]["pr"]["number"])
        .collect();
    assert_eq!(targets, vec![5, 6]);
}

#[test]
fn identities_merge_through_mailmap_aliases_noreply_and_case() {
    let repo = Repo::new();
    repo.write(
        ".mailmap",
        "Frank Old <frank@example.com> <frank@old.example>\n",
    )
    .write(
        "guild.yml",
        "aliases:\n  gina: [\"Gina Work <gina@corp.example>\", \"gina@home.example\"]\n",
    )
    .commit_by("Frank Old <frank@old.example>", "2024-01-01", "one")
    .commit_by("Frank Old <frank@example.com>", "2024-01-02", "two")
    .commit_by("Gina Work <gina@corp.example>", "2024-01-03", "three")
    .commit_by("Gina <gina@home.example>", "2024-01-04", "four")
    .commit_by(
        "Hank  Hill <123+hank@users.noreply.github.com>",
        "2024-01-05",
        "five",
    )
    .commit_by("hank hill <HANK@example.com>", "2024-01-06", "six")
    .commit_by("Hank Hill <hank@example.com>", "2024-01-07", "seven");
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(ids(&ctx), vec!["frank-old", "gina", "hank"]);
    assert_eq!(person(&ctx, "frank-old")["counts"]["commits"], 2);
    assert_eq!(person(&ctx, "gina")["counts"]["commits"], 2);
    assert_eq!(person(&ctx, "hank")["counts"]["commits"], 3);
    assert_eq!(person(&ctx, "hank")["name"], "Hank Hill");
    let all = repo.run(["context", "--json"]).ok();
    assert!(
        !all.contains('@'),
        "no e-mail address may appear in output:\n{all}"
    );
}

#[test]
fn bots_are_marked_and_earn_nothing_and_self_reviews_count_for_nothing() {
    let repo = Repo::new();
    repo.write("guild.yml", "bots: [\"ci-robot\"]\n")
        .commit_by(
            "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>",
            "2024-01-01",
            "Bump serde",
        )
        .commit_by("ci-robot <ci@example.com>", "2024-01-01", "Regenerate")
        .commit_by(
            "Ivy <ivy@example.com>",
            "2024-01-02",
            "Fix\n\nReviewed-by: Ivy <ivy@example.com>",
        );
    let ctx = repo.run(["context", "--json"]).json();
    let bot = person(&ctx, "dependabot[bot]");
    assert_eq!(bot["is_bot"], true);
    assert_eq!(bot["reputation"]["total"], 0);
    assert_eq!(person(&ctx, "ci-robot")["is_bot"], true);
    let ivy = person(&ctx, "ivy");
    assert_eq!(ivy["counts"]["reviews_given"], 0);
    assert_eq!(ivy["reputation"]["reviewer"], 0);
}

#[test]
fn daily_cap_limits_small_events_and_explain_adds_up() {
    let repo = Repo::new();
    for i in 0..15 {
        repo.commit_by(
            "Jo <jo@example.com>",
            &format!("2024-03-01T{:02}:00:00+00:00", i + 1),
            &format!("tiny {i}"),
        );
    }
    repo.commit_by("Jo <jo@example.com>", "2024-03-02", "next day");
    let ctx = repo.run(["context", "--json"]).json();
    // 10 capped on the first day + 1 on the second.
    assert_eq!(person(&ctx, "jo")["reputation"]["total"], 11);
    assert_eq!(person(&ctx, "jo")["counts"]["commits"], 16);
    let explain = repo.run(["explain", "jo", "--format", "json"]).json();
    let lines = explain["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 16);
    let sum: u64 = lines.iter().map(|l| l["points"].as_u64().unwrap()).sum();
    assert_eq!(sum, explain["reputation"]["total"].as_u64().unwrap());
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["note"] == "daily cap on small events reached")
            .count(),
        5
    );
    let text = repo.run(["explain", "Jo"]).ok();
    assert!(
        text.contains("total 11 = contributor 11 + reviewer 0 (16 lines)"),
        "{text}"
    );
}

#[test]
fn newcomer_bonus_only_for_the_first_pr_and_explain_sums_for_reviewers() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "init");
    repo.merge_pr_full(
        1,
        "Ned <ned@example.com>",
        "Alice <alice@example.com>",
        "2024-01-02",
        "First",
        None,
        "Reviewed-by: Alice <alice@example.com>",
    );
    repo.merge_pr_full(
        2,
        "Ned <ned@example.com>",
        "Alice <alice@example.com>",
        "2024-01-03",
        "Second",
        None,
        "Reviewed-by: Alice <alice@example.com>",
    );
    let explain = repo.run(["explain", "alice", "--format", "json"]).json();
    let rules: Vec<(&str, u64)> = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["side"] == "reviewer")
        .map(|l| {
            (
                l["rule"].as_str().unwrap(),
                l["target"]["pr"]["number"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("merged_other", 1),
            ("review", 1),
            ("review_newcomer", 1),
            ("merged_other", 2),
            ("review", 2)
        ]
    );
    let sum: u64 = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["points"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, explain["reputation"]["total"].as_u64().unwrap());
}

#[test]
fn reputation_ranks_filters_and_formats() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2023-01-01", "old work")
        .merge_pr(
            1,
            "Bob <bob@example.com>",
            "Alice <alice@example.com>",
            "2024-06-01",
        )
        .merge_pr(
            2,
            "Bob <bob@example.com>",
            "Alice <alice@example.com>",
            "2024-06-02",
        );
    let all = repo.run(["reputation", "--format", "json"]).json();
    let order: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, vec!["bob", "alice"]);
    let top = repo
        .run(["reputation", "--format", "json", "--top", "1"])
        .json();
    assert_eq!(top.as_array().unwrap().len(), 1);
    let since = repo
        .run(["reputation", "--format", "json", "--since", "2024-01-01"])
        .json();
    assert_eq!(
        person(&since, "alice")["reputation"]["total"],
        4,
        "the 2023 commit is before --since"
    );
    let csv = repo.run(["reputation", "--format", "csv"]).ok();
    assert!(
        csv.starts_with(
            "rank,id,name,total,contributor,reviewer,commits,prs,reviews,last_seen\n1,bob,Bob,22,"
        ),
        "{csv}"
    );
    let table = repo.run(["reputation"]).ok();
    assert!(
        table.lines().next().unwrap().starts_with("rank  id"),
        "{table}"
    );
    let bad = repo
        .run(["reputation", "--since", "yesterday"])
        .fails_with(2);
    assert!(
        bad.contains("`yesterday` is not a date") && bad.contains("YYYY-MM-DD"),
        "{bad}"
    );
}

#[test]
fn output_is_byte_identical_across_runs_and_with_or_without_cache() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "init");
    for n in 1..6 {
        repo.merge_pr_full(
            n,
            &format!("P{n} <p{n}@example.com>"),
            "Alice <alice@example.com>",
            &format!("2024-02-0{n}"),
            "t",
            None,
            "Acked-by: Zed <zed@example.com>",
        );
    }
    // A cache file an earlier version left behind is removed, not kept forever.
    std::fs::create_dir_all(repo.path().join(".git/guild")).unwrap();
    std::fs::write(repo.path().join(".git/guild/history-v1.bin"), "old").unwrap();
    let first = repo.run(["context", "--json"]).ok();
    assert!(
        repo.path().join(".git/guild/history-v3.bin").exists(),
        "the cache is written"
    );
    assert!(!repo.path().join(".git/guild/history-v1.bin").exists());
    let cached = repo.run(["context", "--json"]).ok();
    std::fs::remove_dir_all(repo.path().join(".git/guild")).unwrap();
    let fresh = repo.run(["context", "--json"]).ok();
    assert_eq!(first, cached);
    assert_eq!(first, fresh);
}

/// History and changed paths read the same whether objects are loose, packed with deltas
/// (read on several threads), or both; commits in the pack that HEAD cannot reach (a deleted
/// branch) are not counted.
#[test]
fn packed_loose_and_mixed_objects_read_the_same() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "domains:\n  core: [\"src/core/\"]\n  web: [\"src/web/\"]\n",
    );
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "init");
    for n in 1..40u64 {
        let dir = if n % 2 == 0 { "core" } else { "web" };
        repo.write(
            &format!("src/{dir}/f{}.rs", n % 5),
            &"line\n".repeat(n as usize * 3),
        );
        repo.merge_pr_full(
            n,
            &format!("P{} <p{}@example.com>", n % 7, n % 7),
            "Alice <alice@example.com>",
            &format!("2024-02-{:02}", 1 + n % 28),
            "t",
            None,
            "Reviewed-by: Zed <zed@example.com>",
        );
    }
    repo.git(&["checkout", "-q", "-b", "gone"]);
    repo.commit_by("Ghost <ghost@example.com>", "2024-03-01", "never merged");
    repo.git(&["checkout", "-q", "-"]);
    repo.git(&["branch", "-q", "-D", "gone"]);
    let read = || {
        std::fs::remove_dir_all(repo.path().join(".git/guild")).ok();
        (
            repo.run(["context", "--json"]).ok(),
            repo.run(["domains", "--format", "json"]).ok(),
        )
    };
    let loose = read();
    assert!(!loose.0.contains("ghost"));
    assert!(loose.1.contains("\"core\""));
    repo.git(&["gc", "-q", "--aggressive"]);
    assert!(
        repo.path()
            .join(".git/objects/pack")
            .read_dir()
            .unwrap()
            .count()
            >= 2
    );
    assert_eq!(read(), loose, "packed");
    repo.write("src/core/new.rs", "new\n");
    repo.commit_by(
        "Bob <bob@example.com>",
        "2024-04-01",
        "loose on top of a pack",
    );
    let mixed = read();
    assert!(mixed.0.contains("\"bob\""));
    repo.git(&["gc", "-q"]);
    assert_eq!(read(), mixed, "packed again");
}

#[test]
fn cache_follows_new_commits_and_rewritten_history() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    let base = repo.git(&["rev-parse", "HEAD"]);
    repo.commit_by("Bob <bob@example.com>", "2024-01-02", "two");
    assert_eq!(
        ids(&repo.run(["context", "--json"]).json()),
        vec!["alice", "bob"]
    );
    repo.commit_by("Carl <carl@example.com>", "2024-01-03", "three");
    assert_eq!(
        ids(&repo.run(["context", "--json"]).json()),
        vec!["alice", "bob", "carl"]
    );
    // A rewrite drops bob's and carl's commits: they must disappear.
    repo.git(&["reset", "-q", "--hard", &base]);
    repo.commit_by("Dora <dora@example.com>", "2024-01-04", "four");
    assert_eq!(
        ids(&repo.run(["context", "--json"]).json()),
        vec!["alice", "dora"]
    );
}

#[test]
fn works_as_cargo_subcommand_and_on_a_bare_repository_with_dash_c() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    // cargo runs `cargo-guild guild ...`
    let out = repo.run(["guild", "reputation", "--format", "json"]).json();
    assert_eq!(out[0]["id"], "alice");
    let bare = tempfile::tempdir().unwrap();
    let bare_path = bare.path().join("b.git");
    repo.git(&["clone", "-q", "--bare", ".", bare_path.to_str().unwrap()]);
    let elsewhere = tempfile::tempdir().unwrap();
    let out = repo
        .run_in(
            elsewhere.path(),
            [
                "-C",
                bare_path.to_str().unwrap(),
                "reputation",
                "--format",
                "json",
            ],
        )
        .json();
    assert_eq!(out[0]["id"], "alice");
}

#[test]
fn init_writes_a_commented_config_that_loads_and_refuses_to_overwrite() {
    let repo = Repo::new();
    repo.write("src/lib.rs", "")
        .write("docs/a.md", "")
        .commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    let out = repo.run(["init"]).ok();
    assert!(out.contains("guild.yml"), "{out}");
    let text = std::fs::read_to_string(repo.path().join("guild.yml")).unwrap();
    assert!(text.contains("# Points per event"), "commented");
    assert!(
        text.contains("\"src\": [\"src/**\"]") && text.contains("\"docs\": [\"docs/**\"]"),
        "domains from folders:\n{text}"
    );
    repo.run(["reputation"]).ok();
    let err = repo.run(["init"]).fails_with(2);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    repo.run(["init", "--force"]).ok();
}

/// `init` turned CODEOWNERS' `net/` (a `net` folder anywhere) into `net/**` (only at the
/// root): it now writes the pattern, which `guild.yml` reads with CODEOWNERS' own rules.
#[test]
fn init_proposes_globs_that_mean_what_codeowners_means() {
    let repo = Repo::new();
    repo.write(
        ".github/CODEOWNERS",
        "# owners\n*       @org/all\n/parser/ @alice\nnet/   @bob @carol\n",
    )
    .write("parser/p.rs", "x\n")
    .write("net/a.rs", "x\n")
    .write("lib/net/b.rs", "x\n")
    .commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    let from_codeowners = repo.run(["domains", "--format", "json"]).json();
    repo.run(["init"]).ok();
    let text = std::fs::read_to_string(repo.path().join("guild.yml")).unwrap();
    assert!(
        text.contains("\"parser\": [\"/parser/\"]") && text.contains("\"net\": [\"net/\"]"),
        "{text}"
    );
    let from_config = repo.run(["domains", "--format", "json"]).json();
    let files = |d: &serde_json::Value, name: &str| {
        d.as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .map(|x| x["files"].clone())
            .unwrap_or_else(|| panic!("no domain {name} in {d:#}"))
    };
    assert_eq!(files(&from_codeowners, "net/"), 2, "net/ anywhere");
    assert_eq!(
        files(&from_config, "net"),
        2,
        "the same files through guild.yml"
    );
    assert_eq!(files(&from_config, "parser"), 1);
}

#[test]
fn bad_config_names_file_line_column_and_key() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    repo.write(
        "guild.yml",
        "name: x\nreputation:\n  daily_cap: 5\n  wieghts: {}\n",
    );
    let err = repo.run(["reputation"]).fails_with(2);
    assert!(
        err.contains("guild.yml:4:3") && err.contains("unknown field `wieghts`"),
        "{err}"
    );
    repo.write("guild.yml", "name: [unclosed\n");
    let err = repo.run(["reputation"]).fails_with(2);
    assert!(
        err.contains("guild.yml:2:1") || err.contains("guild.yml:1:"),
        "{err}"
    );
    repo.write("guild.yml", "reputation:\n  daily_cap: lots\n");
    let err = repo.run(["reputation"]).fails_with(2);
    assert!(
        err.contains("guild.yml:2:14") && err.contains("daily_cap"),
        "{err}"
    );
}

#[test]
fn not_a_repository_and_empty_repository_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::new();
    let err = repo.run_in(dir.path(), ["reputation"]).fails_with(2);
    assert!(
        err.contains("is not inside a Git repository") && err.contains("-C"),
        "{err}"
    );
    let err = repo.run(["reputation"]).fails_with(2);
    assert!(err.contains("has no commits yet"), "{err}");
    let err = repo
        .run(["-C", "/definitely/not/here", "reputation"])
        .fails_with(2);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn shallow_clone_says_history_is_cut_and_how_to_fetch_it() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one")
        .commit_by("Bob <bob@example.com>", "2024-01-02", "two");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.path().display());
    let clone = dir.path().join("shallow");
    repo.git(&["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()]);
    let err = repo.run_in(&clone, ["reputation"]).fails_with(2);
    assert!(
        err.contains("shallow clone")
            && err.contains("git fetch --unshallow")
            && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

#[test]
fn detached_head_reads_history_from_the_detached_commit() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.commit_by("Bob <bob@example.com>", "2024-01-02", "two");
    repo.git(&["checkout", "-q", "--detach", &first]);
    assert_eq!(ids(&repo.run(["context", "--json"]).json()), vec!["alice"]);
}

#[test]
fn invalid_utf8_and_huge_messages_do_not_break_a_run() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    // A commit object with a Latin-1 name and message, written by hand.
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let parent = repo.git(&["rev-parse", "HEAD"]);
    let mut raw = format!("tree {tree}\nparent {parent}\nauthor Jos").into_bytes();
    raw.extend_from_slice(b"\xe9 <jose@example.com> 1704153600 +0000\ncommitter Jos\xe9 <jose@example.com> 1704153600 +0000\n\nCaf\xe9 \xff\xfe fix\n");
    let tmp = repo.path().join("raw-commit");
    std::fs::write(&tmp, &raw).unwrap();
    let oid = repo.git(&[
        "hash-object",
        "-t",
        "commit",
        "-w",
        "--literally",
        tmp.to_str().unwrap(),
    ]);
    std::fs::remove_file(&tmp).unwrap();
    repo.git(&["update-ref", "refs/heads/main", &oid]);
    let huge = format!(
        "Huge\n\n{}\n\nReviewed-by: Alice <alice@example.com>",
        "x".repeat(2_000_000)
    );
    repo.commit_by("Kim <kim@example.com>", "2024-01-03", &huge);
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(ids(&ctx), vec!["alice", "jos", "kim"]);
    assert_eq!(person(&ctx, "jos")["name"], "Jos\u{fffd}");
    assert_eq!(
        person(&ctx, "alice")["counts"]["reviews_given"],
        1,
        "trailers after a huge body are still read"
    );
}

#[test]
fn explain_unknown_person_suggests_ids() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    let err = repo.run(["explain", "alicia"]).fails_with(2);
    assert!(
        err.contains("no person matches `alicia`") && err.contains("closest: alice"),
        "{err}"
    );
}

#[test]
fn opted_out_people_are_anonymised_everywhere() {
    let repo = Repo::new();
    repo.write("guild.yml", "opt_out: [\"olga@example.com\"]\n")
        .commit_by("Olga Private <olga@example.com>", "2024-01-01", "one")
        .commit_by(
            "Pat <pat@example.com>",
            "2024-01-02",
            "two\n\nReviewed-by: Olga Private <olga@example.com>",
        );
    let out = repo.run(["context", "--json"]).ok();
    assert!(!out.contains("Olga") && !out.contains("olga"), "{out}");
    let ctx: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(person(&ctx, "anonymous-1")["name"], "Anonymous");
    let table = repo.run(["reputation"]).ok();
    assert!(!table.contains("Olga"), "{table}");
    let err = repo.run(["explain", "Olga Private"]).fails_with(2);
    assert!(err.contains("no person matches"), "{err}");
}

#[test]
fn cached_ledger_follows_changes_to_config_mailmap_and_docs() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "one")
        .commit_by("Al <al@old.example>", "2024-01-02", "two");
    let before = repo.run(["context", "--json"]).json();
    assert_eq!(person(&before, "alice")["reputation"]["total"], 1);
    assert!(repo.path().join(".git/guild/ledger-v4.bin").exists());
    repo.write("guild.yml", "reputation:\n  weights:\n    commit: 4\n");
    assert_eq!(
        person(&repo.run(["context", "--json"]).json(), "alice")["reputation"]["total"],
        4,
        "config change"
    );
    repo.write(
        ".mailmap",
        "Alice <alice@example.com> Al <al@old.example>\n",
    );
    assert_eq!(
        person(&repo.run(["context", "--json"]).json(), "alice")["counts"]["commits"],
        2,
        ".mailmap change"
    );
    repo.write(
        "community/retrospective/2024-01-03-outage.md",
        "---\ntitle: Outage\nkind: retrospective\ndate: 2024-01-03\nauthors: [Alice]\n---\n\nBody\n",
    );
    let after = repo.run(["context", "--json"]).json();
    assert_eq!(
        person(&after, "alice")["counts"]["docs_written"],
        1,
        "new doc"
    );
}

/// `cargo guild context --json | head` must not end in "error: Broken pipe", exit 2: a
/// reader that stops early is success, for JSON as for tables.
#[test]
fn json_into_a_closed_pipe_exits_zero() {
    let repo = Repo::new();
    // Output well beyond any buffer (a pipe's, our own 64 KB): 400 people in one commit.
    let trailers: Vec<String> = (1..=400)
        .map(|i| format!("Co-authored-by: Person {i} <p{i}@example.com>"))
        .collect();
    repo.commit_by(
        "Ann <ann@example.com>",
        "2024-01-01",
        &format!("work\n\n{}", trailers.join("\n")),
    );
    for args in [
        vec!["context", "--json"],
        vec!["reputation", "--format", "json"],
        vec!["reputation"],
    ] {
        let mut child = repo
            .command(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the program writes: every write then fails with EPIPE.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}
