//! Attribution on the shapes real histories have: merge-queue merges, pull-request numbers
//! that repeat, maintainers' fix-ups on contributors' branches, bors with `r=`, branches
//! pushed to an organisation's repository, git.git's topic merges, trailers naming several
//! people, clocks set wrong, conflicting aliases, and `whois`. Each fixture is small, with
//! a known answer taken from the real repository it imitates.

use serde_json::Value;

use crate::support::{ids, person, Repo};

fn people(ctx: &Value) -> Vec<String> {
    ids(ctx)
}

/// cargo since December 2024: GitHub's merge queue writes two-parent merges titled
/// `Title (#N)`, authored by the maintainer who queued them.
#[test]
fn merge_queue_merges_are_pull_requests_of_the_branch_author() {
    let repo = Repo::new();
    repo.commit_by("Ed Page <eopage@example.com>", "2025-01-01", "Initial")
        .merge_side(
            &[
                (
                    "Jacob <jacob@example.com>",
                    "2025-01-02",
                    "simplify SourceID Hash",
                ),
                (
                    "Jacob <jacob@example.com>",
                    "2025-01-03",
                    "make stable_hash not depend on hash",
                ),
            ],
            "Ed Page <eopage@example.com>",
            "2025-01-05",
            "simplify SourceID Hash (#14800)\n\n### What does this PR try to resolve?\n",
        );
    let ctx = repo.run(["context", "--json"]).json();
    let jacob = person(&ctx, "jacob");
    assert_eq!(jacob["counts"]["prs_merged"], 1, "{jacob:#}");
    let ed = person(&ctx, "ed-page");
    assert_eq!(ed["counts"]["prs_merged"], 0);
    let explain = repo.run(["explain", "ed-page", "--format", "json"]).json();
    let merged: Vec<&Value> = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == "merged_other")
        .collect();
    assert_eq!(merged.len(), 1, "{explain:#}");
    assert_eq!(merged[0]["target"]["pr"]["number"], 14800);
    assert_eq!(merged[0]["title"], "simplify SourceID Hash");
    let activity = ctx["activity"].as_array().unwrap();
    let jan = activity.iter().find(|m| m["month"] == "2025-01").unwrap();
    assert_eq!(jan["prs_merged"], 1, "the month is not empty");
}

/// tokio's history was re-rooted from older repositories: #131 is sfackler's in 2016 and
/// Carl's in 2018. Both are pull requests.
#[test]
fn a_repeated_pull_request_number_is_two_pull_requests() {
    let repo = Repo::new();
    repo.commit_by("Carl Lerche <me@carllerche.com>", "2016-01-01", "Initial")
        .merge_pr(
            131,
            "Steven Fackler <sfackler@example.com>",
            "Carl Lerche <me@carllerche.com>",
            "2016-05-01",
        )
        .merge_pr(
            131,
            "Carl Lerche <me@carllerche.com>",
            "Carl Lerche <me@carllerche.com>",
            "2018-05-01",
        );
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(person(&ctx, "steven-fackler")["counts"]["prs_merged"], 1);
    assert_eq!(person(&ctx, "carl-lerche")["counts"]["prs_merged"], 1);
    let explain = repo
        .run(["explain", "carl-lerche", "--format", "json"])
        .json();
    let merges: Vec<&Value> = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == "pr_merged" || l["rule"] == "merged_other")
        .map(|l| &l["target"]["pr"]["merge"])
        .collect();
    assert_eq!(merges.len(), 2, "{explain:#}");
    assert_ne!(
        merges[0], merges[1],
        "each is identified by its own merge commit"
    );
}

/// mdBook, cargo: a maintainer pushes a fix-up on top of a newcomer's branch. The newcomer
/// stays the author, and the branch owner's login is the newcomer's, never the
/// maintainer's (the maintainer's own login is proven by the maintainer's own merges).
#[test]
fn a_fix_up_tip_takes_neither_the_authorship_nor_the_login() {
    let repo = Repo::new();
    let eric = "Eric Huss <eric@example.com>";
    repo.commit_by(eric, "2020-01-01", "Initial");
    for n in 1..=3 {
        repo.merge_side(
            &[(eric, "2020-02-01", "work")],
            eric,
            "2020-02-02",
            &format!("Merge pull request #{n} from ehuss/work-{n}\n\nWork {n}"),
        );
    }
    repo.merge_side(
        &[
            ("Chris <chris@example.com>", "2020-03-01", "Add a feature"),
            (eric, "2020-03-02", "Fix up the tests"),
        ],
        eric,
        "2020-03-03",
        "Merge pull request #4 from cN3rd/feature\n\nAdd a feature",
    );
    let ctx = repo.run(["context", "--json"]).json();
    let eric = person(&ctx, "ehuss");
    assert_eq!(eric["name"], "Eric Huss");
    assert_eq!(eric["counts"]["prs_merged"], 3);
    let chris = person(&ctx, "cN3rd");
    assert_eq!(chris["name"], "Chris");
    assert_eq!(chris["counts"]["prs_merged"], 1);
    assert_eq!(people(&ctx).len(), 2, "{:?}", people(&ctx));
}

/// cargo's bors era: `Auto merge of #N - login:branch, r=reviewer`. The reviewer named by
/// `r=` is the same person as the author of their own pull requests, whatever the case.
#[test]
fn bors_reviewers_are_the_same_people_as_the_authors() {
    let repo = Repo::new();
    let alex = "Alex Crichton <alex@example.com>";
    let jacob = "Eh2406 <jacob@example.com>";
    repo.commit_by(alex, "2018-01-01", "Initial");
    for n in 1..=2 {
        repo.merge_side(
            &[(alex, "2018-02-01", "speed")],
            "bors <bors@rust-lang.org>",
            "2018-02-02",
            &format!("Auto merge of #{n} - alexcrichton:speed-{n}, r=Eh2406\n\nSpeed {n}"),
        );
    }
    repo.merge_side(
        &[(jacob, "2018-03-01", "resolver")],
        "bors <bors@rust-lang.org>",
        "2018-03-02",
        "Auto merge of #3 - eh2406:resolver, r=alexcrichton\n\nResolver",
    );
    let ctx = repo.run(["context", "--json"]).json();
    let list = people(&ctx);
    // Ids sort as strings: upper case first.
    assert_eq!(list, vec!["Eh2406", "alexcrichton"], "{list:?}");
    let alex = person(&ctx, "alexcrichton");
    assert_eq!(alex["counts"]["prs_merged"], 2);
    assert_eq!(alex["counts"]["reviews_given"], 1);
    let jacob = person(&ctx, "Eh2406");
    assert_eq!(jacob["counts"]["prs_merged"], 1);
    assert_eq!(jacob["counts"]["reviews_given"], 2);
}

/// tokio: branches pushed to the main repository carry the organisation's name; a company's
/// fork carries one name for many authors. Neither is anybody's login.
#[test]
fn organisation_and_company_branches_never_become_logins() {
    let repo = Repo::new();
    let carl = "Carl Lerche <me@carllerche.com>";
    repo.commit_by(carl, "2018-01-01", "Initial");
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/tokio-rs/tokio.git",
    ]);
    for n in 1..=3 {
        repo.merge_side(
            &[(carl, "2018-02-01", "work")],
            carl,
            "2018-02-02",
            &format!("Merge pull request #{n} from tokio-rs/carl-{n}\n\nWork"),
        );
    }
    for (n, who) in [
        (4, "Ann <ann@acme.example>"),
        (5, "Ben <ben@acme.example>"),
        (6, "Cy <cy@acme.example>"),
    ] {
        repo.merge_side(
            &[(who, "2018-03-01", "acme work")],
            carl,
            "2018-03-02",
            &format!("Merge pull request #{n} from acme/fix-{n}\n\nAcme"),
        );
    }
    let ctx = repo.run(["context", "--json"]).json();
    let list = people(&ctx);
    assert!(list.contains(&"carl-lerche".to_string()), "{list:?}");
    assert!(
        !list.iter().any(|i| i == "tokio-rs" || i == "acme"),
        "{list:?}"
    );
    assert_eq!(person(&ctx, "carl-lerche")["counts"]["prs_merged"], 3);

    // Without a GitHub remote, `github:` in guild.yml names the owner.
    repo.git(&["remote", "remove", "origin"]);
    repo.write("guild.yml", "github: tokio-rs/tokio\n");
    let ctx = repo.run(["context", "--json"]).json();
    assert!(!people(&ctx).contains(&"tokio-rs".to_string()));
}

/// git.git and Linux: topic branches merged by the maintainer. Each is a change set for its
/// main author (not a pull request) and a merge for the maintainer; a sync of `master` is
/// neither.
#[test]
fn topic_merges_are_change_sets_apart_from_pull_requests() {
    let repo = Repo::new();
    let junio = "Junio C Hamano <gitster@example.com>";
    let peff = "Jeff King <peff@example.com>";
    repo.commit_by(junio, "2020-01-01", "Initial")
        .merge_side(
            &[
                (peff, "2020-01-02", "pack-objects: one\n\nSigned-off-by: Jeff King <peff@example.com>\nSigned-off-by: Junio C Hamano <gitster@example.com>"),
                (peff, "2020-01-03", "pack-objects: two"),
                ("Taylor Blau <me@ttaylorr.example>", "2020-01-03", "pack-objects: three"),
            ],
            junio,
            "2020-01-10",
            "Merge branch 'jk/pack-objects'\n\n* jk/pack-objects:\n  pack-objects: one\n",
        )
        .merge_side(
            &[(junio, "2020-01-11", "sync")],
            junio,
            "2020-01-12",
            "Merge branch 'master' of github.com:git/git",
        );
    let ctx = repo.run(["context", "--json"]).json();
    let peff = person(&ctx, "jeff-king");
    assert_eq!(peff["counts"]["change_sets"], 1, "{peff:#}");
    assert_eq!(peff["counts"]["prs_merged"], 0);
    let junio = person(&ctx, "junio-c-hamano");
    assert_eq!(
        junio["counts"]["change_sets"], 0,
        "a sync of master is no change set"
    );
    let explain = repo
        .run(["explain", "junio-c-hamano", "--format", "json"])
        .json();
    let merged = explain["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == "merged_other")
        .count();
    assert_eq!(merged, 1, "{explain:#}");
    let table = repo.run(["reputation"]).ok();
    assert!(
        table.lines().next().unwrap().contains("change_sets"),
        "{table}"
    );
}

/// A trailer may name several people, with their e-mails: each is a person, and no e-mail
/// reaches any output.
#[test]
fn a_trailer_naming_several_people_credits_each_and_shows_no_email() {
    let repo = Repo::new();
    repo.commit_by("Ann <ann@example.com>", "2024-01-01", "Initial")
        .commit_by(
            "Ann <ann@example.com>",
            "2024-01-02",
            "Fix\n\nReviewed-by: Bob <bob@example.com>, Carol <carol@example.com>",
        );
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(people(&ctx), vec!["ann", "bob", "carol"]);
    assert_eq!(person(&ctx, "bob")["counts"]["reviews_given"], 1);
    assert_eq!(person(&ctx, "carol")["counts"]["reviews_given"], 1);
    for args in [
        vec!["context", "--json"],
        vec!["reputation"],
        vec!["whois", "carol"],
        vec!["whois", "bob", "--format", "json"],
    ] {
        let out = repo.run(&args).ok();
        assert!(!out.contains("@example.com"), "{args:?}: {out}");
    }
}

/// libgit2's signature constructor trims a trailing `"` or `;` from names: names are kept
/// exactly as written, through `.mailmap` too.
#[test]
fn names_keep_every_character_through_mailmap() {
    let repo = Repo::new();
    repo.write(
        ".mailmap",
        "Dwayne \"The Rock\" <rock@example.com> <dj@example.com>\n",
    )
    .commit_by("DJ <dj@example.com>", "2024-01-02", "two");
    // git itself trims such names when it commits; other tools (and old gits) do not.
    let tree = repo.git(&["rev-parse", "HEAD^{tree}"]);
    let parent = repo.git(&["rev-parse", "HEAD"]);
    let raw = format!(
        "tree {}\nparent {}\nauthor Zed; <zed@example.com> 1704110400 +0000\ncommitter Zed; <zed@example.com> 1704110400 +0000\n\none\n",
        tree.trim(),
        parent.trim()
    );
    let msg = repo.path().join(".git/RAW_COMMIT");
    std::fs::write(&msg, raw).unwrap();
    let id = repo.git(&["hash-object", "-t", "commit", "-w", msg.to_str().unwrap()]);
    repo.git(&["update-ref", "refs/heads/main", id.trim()]);
    let ctx = repo.run(["context", "--json"]).json();
    let names: Vec<&str> = ctx["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Zed;"), "{names:?}");
    assert!(names.contains(&"Dwayne \"The Rock\""), "{names:?}");
}

/// git ignores a `.mailmap` that is a symbolic link in the working tree; so do we.
#[cfg(unix)]
#[test]
fn a_symlinked_mailmap_is_ignored_like_git_does() {
    let repo = Repo::new();
    repo.write("elsewhere", "Mapped <mapped@example.com> <a@example.com>\n");
    std::os::unix::fs::symlink("elsewhere", repo.path().join(".mailmap")).unwrap();
    repo.commit_by("A <a@example.com>", "2024-01-01", "one");
    let run = repo.run(["context", "--json"]);
    let ctx = run.json();
    assert_eq!(people(&ctx), vec!["a"]);
    assert!(run.stderr().contains("symbolic link"), "{}", run.stderr());
}

/// One commit dated 2099 must not move "now": everyone else would look inactive.
#[test]
fn a_commit_from_the_future_is_clamped_to_heads_date_and_reported() {
    let repo = Repo::new();
    repo.commit_by("Ann <ann@example.com>", "2099-01-01", "clock set wrong")
        .commit_by("Bob <bob@example.com>", "2024-06-01", "today");
    // HEAD is committed on 2024-06-01 (the builder commits at the author date).
    let run = repo.run(["context", "--json"]);
    let ctx = run.json();
    assert!(
        ctx["as_of"].as_str().unwrap().starts_with("2024-06-01"),
        "{}",
        ctx["as_of"]
    );
    let stderr = run.stderr();
    assert_eq!(stderr.matches("dated after HEAD").count(), 1, "{stderr}");
    assert!(stderr.contains("2099-01-01"), "{stderr}");
    assert!(person(&ctx, "ann")["last_seen"]
        .as_str()
        .unwrap()
        .starts_with("2024-06-01"));
}

/// One e-mail under two alias ids is an error that says where, without the e-mail.
#[test]
fn an_email_under_two_aliases_is_an_error_with_its_position() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "aliases:\n  alice:\n    - alice@example.com\n  bob:\n    - bob@example.com\n    - alice@example.com\n",
    )
    .commit_by("Alice <alice@example.com>", "2024-01-01", "one");
    let err = repo.run(["reputation"]).fails_with(2);
    assert!(err.contains("guild.yml:6:7"), "{err}");
    assert!(err.contains("`alice` and `bob`"), "{err}");
    assert!(!err.contains("alice@example.com"), "{err}");
}

/// `alice-ryhl` in front matter is the person whose login it is, never a new `alice-ryhl-2`.
#[test]
fn front_matter_names_people_by_id_or_login_without_ghosts() {
    let repo = Repo::new();
    repo.write(
        "community/retrospectives/2024-02-01-outage.md",
        "---\ntitle: Outage\nkind: retrospective\ndate: 2024-02-01\nauthors: [Alice-Ryhl, carl-lerche]\n---\nWhat happened.\n",
    )
    .commit_by(
        "Alice Ryhl <12345+alice-ryhl@users.noreply.github.com>",
        "2024-01-01",
        "one",
    )
    .commit_by("Carl Lerche <me@carllerche.com>", "2024-01-02", "two");
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(people(&ctx), vec!["alice-ryhl", "carl-lerche"]);
    assert_eq!(person(&ctx, "alice-ryhl")["counts"]["docs_written"], 1);
    assert_eq!(person(&ctx, "carl-lerche")["counts"]["docs_written"], 1);
}

/// `whois` shows the evidence behind each join; `--suspects` lists likely duplicates left
/// apart, ready to paste as aliases.
#[test]
fn whois_explains_joins_and_suspects_are_ready_to_paste() {
    let repo = Repo::new();
    let eric = "Eric Huss <eric@example.com>";
    repo.commit_by(eric, "2020-01-01", "Initial");
    for n in 1..=2 {
        repo.merge_side(
            &[(eric, "2020-02-01", "work")],
            eric,
            "2020-02-02",
            &format!("Merge pull request #{n} from ehuss/w{n}\n\nWork"),
        );
    }
    repo.commit_by(
        "Huss Eric <eric@laptop.example>",
        "2020-03-01",
        "from the laptop",
    )
    .commit_by("Zhigulin Pavel <pz@example.com>", "2020-03-02", "one")
    .commit_by("Pavel Zhigulin <pavel@other.example>", "2020-03-03", "two");
    let w = repo.run(["whois", "ehuss", "--format", "json"]).json();
    assert_eq!(w["id"], "ehuss");
    assert_eq!(w["logins"], serde_json::json!(["ehuss"]));
    assert_eq!(w["emails"], 1);
    let evidence = w["evidence"].to_string();
    assert!(evidence.contains("2 of 2 merges from ehuss"), "{evidence}");
    assert!(!evidence.contains("@"), "{evidence}");

    let s = repo.run(["whois", "--suspects", "--format", "json"]).json();
    let pairs: Vec<(String, String)> = s
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["keep"].as_str().unwrap().into(),
                x["other"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&("ehuss".into(), "huss-eric".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("pavel-zhigulin".into(), "zhigulin-pavel".into()))
            || pairs.contains(&("zhigulin-pavel".into(), "pavel-zhigulin".into())),
        "{pairs:?}"
    );
    let table = repo.run(["whois", "--suspects"]).ok();
    assert!(table.contains("aliases:\n  ehuss: [Huss Eric]"), "{table}");
    // Pasting it joins them.
    repo.write("guild.yml", "aliases:\n  ehuss: [Huss Eric]\n");
    let ctx = repo.run(["context", "--json"]).json();
    assert!(!people(&ctx).contains(&"huss-eric".to_string()));
    let w = repo.run(["whois", "ehuss", "--format", "json"]).json();
    assert_eq!(w["emails"], 2);
    assert!(
        w["evidence"].to_string().contains("alias in guild.yml"),
        "{w:#}"
    );
}

/// CODEOWNERS names people by login (in any case): an owner whose login the history proves
/// is the active person behind it, not "never seen in this history".
#[test]
fn codeowners_logins_resolve_through_proven_logins() {
    let repo = Repo::new();
    let eric = "Eric Huss <eric@example.com>";
    repo.write("CODEOWNERS", "/src/ @EHuss\n")
        .write("src/a.rs", "x\n")
        .commit_by(eric, "2024-01-01", "Initial");
    repo.merge_side(
        &[(eric, "2024-02-01", "work")],
        eric,
        "2024-02-02",
        "Merge pull request #1 from ehuss/w\n\nWork",
    );
    let d = repo.run(["domains", "--format", "json"]).json();
    let src = d
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "/src/")
        .expect("the /src/ domain");
    assert_eq!(src["inactive_owners"], serde_json::json!([]), "{src:#}");
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(people(&ctx), vec!["ehuss"]);
}

/// rust-clippy: Andre Bogus signs most commits "llogiq", and reviews as `r=llogiq`; his
/// branches were pushed to the project's own repository, so no branch owner proves the login.
/// A login known only as a login joins the one person who signs with exactly that name.
#[test]
fn a_reviewer_login_joins_the_person_who_signs_with_it() {
    let repo = Repo::new();
    repo.commit_by("llogiq <bogusandre@example.com>", "2016-01-01", "Initial")
        .commit_by("Andre Bogus <bogusandre@example.com>", "2016-01-02", "more")
        .merge_side(
            &[("Oli <oli@example.com>", "2016-02-01", "a lint")],
            "bors <bors@rust-lang.org>",
            "2016-02-02",
            "Auto merge of #5 - oli-obk:lint, r=llogiq\n\nA lint",
        );
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(
        people(&ctx),
        vec!["llogiq", "oli-obk"],
        "{:?}",
        people(&ctx)
    );
    let llogiq = person(&ctx, "llogiq");
    assert_eq!(llogiq["counts"]["commits"], 2);
    assert_eq!(llogiq["counts"]["reviews_given"], 1);
    let w = repo.run(["whois", "llogiq", "--format", "json"]).json();
    assert!(
        w["evidence"]
            .to_string()
            .contains("signed on this person's commits is the login"),
        "{w:#}"
    );
}

/// `mailmap.file` naming a device (or a pipe) is not read forever: it is skipped with a note.
#[cfg(unix)]
#[test]
fn a_mailmap_that_is_not_a_file_is_skipped_not_read_forever() {
    let repo = Repo::new();
    repo.commit_by("A <a@example.com>", "2024-01-01", "one");
    repo.git(&["config", "mailmap.file", "/dev/zero"]);
    let run = repo.run(["reputation"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stderr().contains("is not a file"), "{}", run.stderr());
}

/// ruff's typeshed sync: `github-actions[bot]` commits `[ty] Sync vendored typeshed stubs`
/// with `Co-authored-by: typeshedbot <>`. A co-author named like a bot, on automated
/// changes only, is a bot too; a person co-authoring real work is not.
#[test]
fn a_co_author_named_like_a_bot_on_automated_changes_is_a_bot() {
    let repo = crate::support::Repo::new();
    repo.commit_by("Ann <ann@example.com>", "2024-01-01", "Start");
    for i in 0..3 {
        repo.write(&format!("stubs/{i}.pyi"), "x\n").commit_by(
            "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>",
            &format!("2024-01-0{}", i + 2),
            "[ty] Sync vendored typeshed stubs\n\nCo-authored-by: typeshedbot <>",
        );
    }
    repo.write("src/a.rs", "a\n").commit_by(
        "Ann <ann@example.com>",
        "2024-01-09",
        "Real work\n\nCo-authored-by: Sam Abbot <sam@example.com>",
    );
    let people = repo.run(["reputation", "--format", "json"]).json();
    let ids: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["is_bot"] == false)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"typeshedbot"), "{ids:?}");
    assert!(
        ids.contains(&"sam-abbot"),
        "a person named like a bot, on real work: {ids:?}"
    );
}
