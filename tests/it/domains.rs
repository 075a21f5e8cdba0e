//! Domains, bus factors, single points of failure, CODEOWNERS and the cross-domain bonus,
//! on hand-built histories whose answers are known.

use crate::support::{ids, person, Repo};

const ALICE: &str = "Alice <alice@example.com>";
const BOB: &str = "Bob <bob@example.com>";
const CAROL: &str = "Carol <carol@example.com>";
const DAVE: &str = "Dave <dave@example.com>";

fn domain<'a>(list: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    list.as_array()
        .expect("domains array")
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no domain {name} in {list:#}"))
}

/// parser/ written by Alice alone; net/ by three people, each a third of the files.
fn two_domains() -> Repo {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "domains:\n  parser: [\"src/parser/**\"]\n  net: [\"src/net/\"]\n",
    );
    repo.write("src/parser/a.rs", "a\n")
        .write("src/parser/b.rs", "b\n")
        .write("src/parser/c.rs", "c\n");
    repo.commit_by(ALICE, "2024-01-01", "Parser");
    repo.write("src/parser/b.rs", "b2\n");
    repo.commit_by(ALICE, "2024-01-02", "Parser again");
    for (i, who) in [ALICE, BOB, CAROL].iter().enumerate() {
        repo.write(&format!("src/net/f{i}.rs"), "x\n");
        repo.commit_by(who, "2024-01-03", "Net part");
    }
    repo
}

#[test]
fn domain_owned_by_one_person_has_truck_factor_one_and_a_single_point_of_failure() {
    let repo = two_domains();
    let d = repo.run(["domains", "--format", "json"]).json();
    let parser = domain(&d, "parser");
    assert_eq!(parser["files"], 3);
    assert_eq!(parser["truck_factor"], 1);
    assert_eq!(parser["contributor_absence_factor"], 1);
    assert_eq!(ids(&parser["experts"]), ["alice"]);
    assert_eq!(parser["experts"][0]["authored"], 2);
    let spof = &parser["single_points_of_failure"];
    assert_eq!(ids(spof), ["alice"]);
    assert_eq!(spof[0]["whole_domain"], true);
    assert_eq!(spof[0]["files"], 3);
    assert_eq!(
        spof[0]["sample_files"],
        serde_json::json!(["src/parser/a.rs", "src/parser/b.rs", "src/parser/c.rs"])
    );
    let table = repo.run(["domains"]).ok();
    assert!(
        table.contains("parser: hangs on alice (truck factor 1)"),
        "{table}"
    );
}

#[test]
fn domain_shared_by_three_needs_two_to_leave() {
    let repo = two_domains();
    let d = repo.run(["domains", "--format", "json"]).json();
    let net = domain(&d, "net");
    assert_eq!(net["files"], 3);
    // Each knows one file of three: two must leave before more than half is orphaned.
    assert_eq!(net["truck_factor"], 2);
    // One commit each: more than half of 3 needs two people.
    assert_eq!(net["contributor_absence_factor"], 2);
    assert_eq!(ids(&net["experts"]), ["alice", "bob", "carol"]);
    let spof = &net["single_points_of_failure"];
    assert_eq!(ids(spof), ["alice", "bob", "carol"], "one file each");
    assert!(spof
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["whole_domain"] == false));
    // The snapshot carries the same array.
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(domain(&ctx["domains"], "net")["truck_factor"], 2);
}

#[test]
fn reviewers_count_as_knowers() {
    let repo = Repo::new();
    repo.write("guild.yml", "domains:\n  core: [\"core/**\"]\n");
    repo.commit_by(ALICE, "2024-01-01", "Start");
    for n in 1..=2 {
        repo.merge_pr_full(
            n,
            ALICE,
            BOB,
            "2024-02-01",
            "Core work",
            Some(&format!("core/f{n}.rs")),
            "Reviewed-by: Carol <carol@example.com>",
        );
    }
    let d = repo.run(["domains", "--format", "json"]).json();
    let core = domain(&d, "core");
    // Alice wrote both files, Carol reviewed both: one leaving orphans nothing.
    assert_eq!(core["truck_factor"], 2);
    assert_eq!(ids(&core["experts"]), ["alice", "carol"]);
    assert_eq!(core["experts"][1]["reviewed"], 2);
    assert_eq!(
        core["single_points_of_failure"],
        serde_json::json!([]),
        "no file hangs on one person"
    );
}

#[test]
fn people_inactive_for_long_no_longer_count_as_knowers() {
    let repo = Repo::new();
    repo.write("guild.yml", "domains:\n  old: [\"old/**\"]\n");
    repo.write("old/a.rs", "a\n").write("old/b.rs", "b\n");
    repo.commit_by(DAVE, "2020-01-01", "Old code");
    repo.write("other.txt", "x\n");
    repo.commit_by(ALICE, "2024-01-01", "Elsewhere");
    let d = repo.run(["domains", "--format", "json"]).json();
    let old = domain(&d, "old");
    assert_eq!(old["truck_factor"], 0, "no one active knows old/");
    assert_eq!(ids(&old["experts"]), ["dave"]);
    let table = repo.run(["domains"]).ok();
    assert!(
        table.contains("old: most files have no active person left"),
        "{table}"
    );
}

#[test]
fn codeowners_last_match_wins_and_empty_owners_mean_unowned() {
    let repo = Repo::new();
    repo.write(
        ".github/CODEOWNERS",
        "# comment\n*.rs @alice\n/src/net/ @bob\n/src/net/vendor/\n",
    );
    repo.write("src/lib.rs", "x\n")
        .write("src/net/a.rs", "x\n")
        .write("src/net/vendor/v.rs", "x\n");
    repo.commit_by(ALICE, "2024-01-01", "Start");
    repo.write("src/net/a.rs", "y\n")
        .write("src/net/vendor/v.rs", "y\n");
    repo.commit_by(BOB, "2024-01-02", "Net");
    let d = repo.run(["domains", "--format", "json"]).json();
    let names: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["*.rs", "/src/net/"],
        "the empty-owner line is no domain"
    );
    // `/src/net/` comes after `*.rs`, so it wins for src/net/a.rs; vendor/ is unowned.
    assert_eq!(domain(&d, "*.rs")["files"], 1);
    assert_eq!(domain(&d, "/src/net/")["files"], 1);
    assert_eq!(domain(&d, "/src/net/")["source"], "CODEOWNERS");
}

#[test]
fn codeowners_naming_an_inactive_person_is_flagged() {
    let repo = Repo::new();
    repo.write(
        "CODEOWNERS",
        "/src/ @dave @alice @acme/core\n/docs/ ghost@example.com\n",
    );
    repo.write("src/a.rs", "x\n").write("docs/d.md", "x\n");
    repo.commit_by(DAVE, "2021-01-01", "Dave's code");
    repo.write("src/a.rs", "y\n");
    repo.commit_by(ALICE, "2024-01-01", "Alice's change");
    let d = repo.run(["domains", "--format", "json"]).json();
    let src = domain(&d, "/src/");
    let flagged = src["inactive_owners"].as_array().unwrap();
    assert_eq!(
        flagged.len(),
        1,
        "{flagged:#?}: alice is active, teams are not people"
    );
    assert_eq!(flagged[0]["owner"], "dave");
    assert_eq!(flagged[0]["line"], 1);
    assert_eq!(flagged[0]["file"], "CODEOWNERS");
    assert_eq!(flagged[0]["last_seen"], "2021-01-01");
    let docs = domain(&d, "/docs/");
    assert_eq!(docs["inactive_owners"][0]["owner"], "(an e-mail address)");
    assert_eq!(
        docs["inactive_owners"][0]["last_seen"],
        serde_json::Value::Null
    );
    let out = repo.run(["context", "--json"]).ok();
    assert!(!out.contains("ghost@example.com"), "never print e-mails");
    let table = repo.run(["domains"]).ok();
    assert!(
        table.contains("CODEOWNERS:1: `/src/` names dave, inactive since 2021-01-01"),
        "{table}"
    );
}

#[test]
fn no_domains_means_no_diffing_and_an_empty_list() {
    let repo = Repo::new();
    repo.commit_by(ALICE, "2024-01-01", "Start");
    let d = repo.run(["domains", "--format", "json"]).json();
    assert_eq!(d, serde_json::json!([]));
    assert!(
        !repo.path().join(".git/guild/paths-v3.bin").exists(),
        "changed paths are computed only when needed"
    );
}

#[test]
fn changed_paths_are_cached_and_extended_incrementally() {
    let repo = two_domains();
    repo.run(["domains", "--format", "json"]).ok();
    let cache = repo.path().join(".git/guild/paths-v3.bin");
    assert!(cache.exists());
    repo.write("src/parser/d.rs", "d\n");
    repo.commit_by(DAVE, "2024-01-04", "More parser");
    let d = repo.run(["domains", "--format", "json"]).json();
    let parser = domain(&d, "parser");
    assert_eq!(parser["files"], 4);
    assert_eq!(ids(&parser["experts"]), ["alice", "dave"]);
    // A corrupt cache is ignored and rebuilt, never trusted.
    std::fs::write(&cache, b"garbage").unwrap();
    let again = repo.run(["domains", "--format", "json"]).json();
    assert_eq!(again, d);
}

#[test]
fn cross_domain_review_earns_the_bonus_in_explain() {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "domains:\n  ui: [\"ui/**\"]\n  db: [\"db/**\"]\n",
    );
    repo.commit_by(ALICE, "2024-01-01", "Start");
    // Carol writes db code, then reviews Bob's ui change (new domain for her) and later
    // another db change (her own domain).
    repo.merge_pr_full(1, CAROL, ALICE, "2024-01-02", "DB", Some("db/a.sql"), "");
    repo.merge_pr_full(
        2,
        BOB,
        ALICE,
        "2024-01-03",
        "UI",
        Some("ui/a.js"),
        "Reviewed-by: Carol <carol@example.com>",
    );
    repo.merge_pr_full(
        3,
        BOB,
        ALICE,
        "2024-01-04",
        "DB too",
        Some("db/b.sql"),
        "Reviewed-by: Carol <carol@example.com>",
    );
    let ex = repo.run(["explain", "carol", "--format", "json"]).json();
    let lines = ex["lines"].as_array().unwrap();
    let bonus: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["rule"] == "review_cross_domain")
        .collect();
    assert_eq!(bonus.len(), 1, "{lines:#?}");
    assert_eq!(bonus[0]["target"]["pr"]["number"], 2);
    assert_eq!(bonus[0]["points"], 2);
    let sum: u64 = lines.iter().map(|l| l["points"].as_u64().unwrap()).sum();
    assert_eq!(
        sum,
        ex["reputation"]["total"].as_u64().unwrap(),
        "lines add up"
    );
    // The ladder counts the score the profile shows, bonus included: a step that needs
    // exactly Carol's total is reached (it was not, when the ladder scored without domains).
    let total = ex["reputation"]["total"].as_u64().unwrap();
    repo.write(
        "guild.yml",
        &format!(
            "domains:\n  ui: [\"ui/**\"]\n  db: [\"db/**\"]\nladder:\n  steps:\n    - name: steward\n      description: scores\n      requires: {{ score: {total} }}\n"
        ),
    );
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(person(&ctx, "carol")["reputation"]["total"], total);
    assert_eq!(
        person(&ctx, "carol")["ladder"]["step"],
        "steward",
        "{ctx:#}"
    );
    let newcomers = repo.run(["newcomers", "--format", "json"]).json();
    let carol = newcomers["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "carol")
        .unwrap();
    assert_eq!(carol["ladder"]["step"], "steward", "{carol:#}");
    // Without domains there is no such line.
    repo.write("guild.yml", "");
    let ex = repo.run(["explain", "carol", "--format", "json"]).json();
    assert!(ex["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["rule"] != "review_cross_domain"));
}

/// Enough commits for several runs on every core (runs finish out of order and are merged in
/// order; the packs' pages are released as it goes): every commit's changed paths are
/// `git log --no-renames --name-only`'s, and paths are numbered in the same order on every run
/// (the cache's bytes do not depend on which thread was faster, nor on the number of cores).
#[test]
fn many_runs_of_commits_give_git_logs_paths_in_history_order() {
    use cargo_guild::sources::{git, odb::Objects, paths};
    use std::collections::{BTreeMap, BTreeSet};

    let repo = Repo::new();
    let mut stream = String::new();
    for i in 0..1500u32 {
        let mut files = vec![format!("src/m{}/f{}.rs", i % 7, i % 23)];
        if i % 5 == 0 {
            files.push(format!("docs/{}/d{}.md", i % 3, i % 11));
        }
        // The newest run is the slowest to diff: it finishes after the run behind it.
        if i >= 1250 {
            files.extend((0..60).map(|k| format!("big/b{}/{k}.txt", i % 4)));
        }
        stream += &format!(
            "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata 3\nc{}\n",
            1_500_000_000 + i * 60,
            i % 10
        );
        for f in &files {
            stream += &format!("M 100644 inline {f}\ndata 9\n{i:08}\n");
        }
        if i % 97 == 96 {
            stream += &format!("D src/m{}\n", (i / 97) % 7);
        }
        stream += "\n";
    }
    repo.fast_import(stream.as_bytes());

    let git_repo = git2::Repository::open(repo.path()).unwrap();
    let objects = Objects::open(&git_repo);
    let head = git_repo.refname_to_id("refs/heads/main").unwrap();
    let read = git::ReadOptions {
        progress: false,
        cache: None,
        store: false,
    };
    let history = git::read(&objects, head, &read).unwrap();
    let read = paths::ReadOptions {
        cache: None,
        progress: false,
    };
    let index = paths::read(&objects, &history, &read).unwrap();

    let log = repo.git(&["log", "--no-renames", "--name-only", "--format=%x00%H"]);
    let mut expected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for block in log.split('\0').skip(1) {
        let mut lines = block.lines().filter(|l| !l.is_empty());
        let id = lines.next().unwrap().to_string();
        expected.insert(id, lines.map(str::to_string).collect());
    }
    assert_eq!(expected.len(), 1500);
    assert_eq!(index.len(), 1500);
    for c in &history.commits {
        let ours: BTreeSet<String> = index
            .of_commit(&c.id)
            .iter()
            .map(|&i| index.name(i).to_string())
            .collect();
        assert_eq!(
            Some(&ours),
            expected.get(&c.oid().to_string()),
            "{}",
            c.oid()
        );
    }
    // Paths are numbered in one order, whichever thread finishes first and however many
    // cores there are: first seen from the newest commit on.
    let mut seen = Vec::new();
    for c in &history.commits {
        for &i in index.of_commit(&c.id) {
            if !seen.contains(&i) {
                seen.push(i);
            }
        }
    }
    assert_eq!(seen, (0..index.names.len() as u32).collect::<Vec<_>>());
}

/// The changed-paths cache is the same bytes on one core as on several: runs of commits
/// diffed on two threads number their paths as one pass over the history does.
#[test]
fn the_changed_paths_cache_is_the_same_on_one_core_as_on_two() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    crate::require!(cores > 1, "a second core");
    let taskset = std::process::Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    crate::require!(taskset, "taskset (util-linux)");

    let repo = Repo::new();
    let mut stream = String::new();
    for i in 0..900u32 {
        stream += &format!(
            "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata 3\nc{}\n",
            1_500_000_000 + i * 60,
            i % 10
        );
        // Paths first seen all along the history, in every run of commits.
        for f in [
            format!("src/m{}/f{}.rs", i % 13, i % 29),
            format!("p{i}.txt"),
        ] {
            stream += &format!("M 100644 inline {f}\ndata 9\n{i:08}\n");
        }
        stream += "\n";
    }
    repo.fast_import(stream.as_bytes());
    repo.write("guild.yml", "domains:\n  src: [\"src/\"]\n");

    let cache = || {
        let dir = repo.path().join(".git/guild");
        let name = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("paths-")
            })
            .expect("a changed-paths cache");
        let bytes = std::fs::read(&name).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        bytes
    };
    let two = repo.run(["domains", "--format", "json"]).ok();
    let on_two = cache();
    let one = repo
        .run_under(&["taskset", "-c", "0"], ["domains", "--format", "json"])
        .ok();
    assert_eq!(one, two);
    assert!(
        cache() == on_two,
        "the cache differs between one core and two"
    );
}
