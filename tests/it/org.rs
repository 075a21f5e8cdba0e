//! Organisation scale: `export` writes a repository's ledger, `--ledgers GLOB` runs commands
//! over the union of many (issue 18).

use std::path::Path;

use serde_json::Value;

use crate::require;
use crate::support::Repo;

/// Exports `repo`'s ledger as `name` into `dir/ledgers/name.jsonl`; returns the text.
fn export(repo: &Repo, dir: &Path, name: &str) -> String {
    let out = dir.join("ledgers").join(format!("{name}.jsonl"));
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    repo.run([
        "export",
        "--repository",
        name,
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    std::fs::read_to_string(out).unwrap()
}

fn over(repo: &Repo, dir: &Path, args: &[&str]) -> crate::support::Run {
    let glob = format!("{}/ledgers/*.jsonl", dir.display());
    let mut all = vec!["--ledgers", glob.as_str()];
    all.extend_from_slice(args);
    repo.run_in(dir, all)
}

fn total(people: &Value, field: &str) -> u64 {
    people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["counts"][field].as_u64().unwrap())
        .sum()
}

fn counts(people: &Value, id: &str) -> Value {
    crate::support::person(people, id)["counts"].clone()
}

/// Three repositories sharing people: dana by login (GitHub noreply addresses), erin by
/// e-mail under two names, frank under two e-mails and names joined by an org alias.
fn three() -> (Repo, Repo, Repo) {
    let dana_a = "Dana <101+dana@users.noreply.github.com>";
    let dana_b = "Dana Doe <202+dana@users.noreply.github.com>";
    let a = Repo::new();
    a.commit_by("Erin <erin@corp.example>", "2024-01-02", "init")
        .merge_pr_full(
            1,
            dana_a,
            "Erin <erin@corp.example>",
            "2024-01-05",
            "Add a",
            None,
            "Reviewed-by: Erin <erin@corp.example>",
        )
        .merge_pr(2, dana_a, "Erin <erin@corp.example>", "2024-01-09");
    let b = Repo::new();
    b.commit_by("Frank <frank@home.example>", "2024-02-01", "init")
        .merge_pr_full(
            7,
            dana_b,
            "Frank <frank@home.example>",
            "2024-02-03",
            "Add b",
            None,
            "Reviewed-by: Frank <frank@home.example>",
        )
        .commit_by("Frank <frank@home.example>", "2024-02-04", "tidy");
    let c = Repo::new();
    c.commit_by("F Smith <fsmith@corp.example>", "2024-03-01", "init")
        .merge_pr_full(
            3,
            "Gus <gus@corp.example>",
            "Erin Q <erin@corp.example>",
            "2024-03-02",
            "Add c",
            None,
            "Reviewed-by: F Smith <fsmith@corp.example>",
        )
        .commit_by("Erin Q <erin@corp.example>", "2024-03-03", "fix");
    (a, b, c)
}

#[test]
fn three_repositories_merge_into_one_community_whose_counts_are_the_sums() {
    let (a, b, c) = three();
    let org = tempfile::tempdir().unwrap();
    let mut texts = String::new();
    for (repo, name) in [(&a, "alpha"), (&b, "beta"), (&c, "gamma")] {
        texts.push_str(&export(repo, org.path(), name));
    }
    // Joining is by hashes: no address is ever written.
    for addr in ["corp.example", "home.example", "noreply.github.com"] {
        assert!(!texts.contains(addr), "an e-mail leaked into the export");
    }
    std::fs::write(
        org.path().join("guild.yml"),
        "aliases:\n  frank:\n    - frank@home.example\n    - F Smith <fsmith@corp.example>\nbots: [gus@corp.example]\n",
    )
    .unwrap();
    let each: Vec<Value> = [&a, &b, &c]
        .iter()
        .map(|r| r.run(["reputation", "--format", "json"]).json())
        .collect();
    let run = over(&a, org.path(), &["reputation", "--format", "json"]);
    let merged = run.json();
    let note = run.stderr();
    for name in ["alpha", "beta", "gamma"] {
        assert!(note.contains(name), "the note names {name}: {note}");
    }
    for field in ["commits", "prs_merged", "reviews_given"] {
        let sum: u64 = each.iter().map(|p| total(p, field)).sum();
        assert_eq!(total(&merged, field), sum, "{field} adds up");
    }
    // dana (one login), erin (one e-mail hash), frank (an alias), gus: four people; gus is
    // a bot by the address the organisation lists, though ledgers hold only its hash.
    let ids = crate::support::ids(&merged);
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert_eq!(crate::support::person(&merged, "gus")["is_bot"], true);
    let dana = counts(&merged, "dana");
    assert_eq!(dana["prs_merged"], 3);
    let frank = counts(&merged, "frank");
    let frank_b = counts(&each[1], "frank");
    let fsmith_c = counts(&each[2], "f-smith");
    assert_eq!(
        frank["commits"].as_u64().unwrap(),
        frank_b["commits"].as_u64().unwrap() + fsmith_c["commits"].as_u64().unwrap()
    );
    assert_eq!(frank["reviews_given"], 2);
    let erin = ids.iter().find(|i| i.starts_with("erin")).expect("erin");
    assert_eq!(counts(&merged, erin)["commits"], 2);
    // The other commands take the same road.
    let network = over(&a, org.path(), &["network", "--format", "json"]).json();
    assert!(network.to_string().contains("frank"));
    over(&a, org.path(), &["explain", "frank"]).ok();
    let site = org.path().join("site");
    over(
        &a,
        org.path(),
        &["site", "build", "--out", site.to_str().unwrap()],
    )
    .ok();
    assert!(site.join("index.html").is_file());
}

#[test]
fn one_exported_ledger_gives_the_same_output_as_the_repository() {
    let (a, _, _) = three();
    a.merge_pr_full(4, "Hana <303+hana@users.noreply.github.com>", "Erin <erin@corp.example>", "2024-01-20", "Docs", None, "Co-authored-by: Dana <101+dana@users.noreply.github.com>\nReviewed-by: Dana <101+dana@users.noreply.github.com>");
    let org = tempfile::tempdir().unwrap();
    export(&a, org.path(), "alpha");
    for args in [
        &["reputation", "--format", "json"][..],
        &["network", "--format", "json"],
        &["newcomers", "--format", "json"],
    ] {
        let here = a.run(args).json();
        let there = over(&a, org.path(), args).json();
        assert_eq!(here, there, "{args:?} differs over the exported ledger");
    }
}

#[test]
fn parquet_ledgers_merge_like_json_lines_ones() {
    let (a, b, c) = three();
    let jsonl = tempfile::tempdir().unwrap();
    let parquet = tempfile::tempdir().unwrap();
    std::fs::create_dir(parquet.path().join("ledgers")).unwrap();
    for (repo, name) in [(&a, "alpha"), (&b, "beta"), (&c, "gamma")] {
        export(repo, jsonl.path(), name);
        let out = parquet.path().join(format!("ledgers/{name}.parquet"));
        repo.run([
            "export",
            "--format",
            "parquet",
            "--repository",
            name,
            "--out",
            out.to_str().unwrap(),
        ])
        .ok();
    }
    let glob = format!("{}/ledgers/*.parquet", parquet.path().display());
    for args in [
        &["reputation", "--format", "json"][..],
        &["network", "--format", "json"],
    ] {
        let from_jsonl = over(&a, jsonl.path(), args).json();
        let mut all = vec!["--ledgers", glob.as_str()];
        all.extend_from_slice(args);
        let from_parquet = a.run_in(parquet.path(), all).json();
        assert_eq!(from_jsonl, from_parquet, "{args:?}");
    }
    std::fs::write(
        parquet.path().join("ledgers/bad.parquet"),
        "PAR1 not really",
    )
    .unwrap();
    let err = a
        .run_in(parquet.path(), ["--ledgers", glob.as_str(), "reputation"])
        .fails_with(2);
    assert!(err.contains("bad.parquet") && err.contains("fix:"), "{err}");
}

#[test]
fn bad_ledgers_say_which_file_and_the_fix() {
    let (a, _, _) = three();
    let org = tempfile::tempdir().unwrap();
    let err = over(&a, org.path(), &["reputation"]).fails_with(2);
    assert!(err.contains("matches no file"), "{err}");
    let text = export(&a, org.path(), "alpha");
    let dir = org.path().join("ledgers");
    std::fs::write(dir.join("broken.jsonl"), "{\"table\":\"ledger\",\"schema_version\":1,\"repository\":\"b\",\"head\":\"\",\"as_of\":0,\"generator\":\"x\"}\nnot json\n").unwrap();
    let err = over(&a, org.path(), &["reputation"]).fails_with(2);
    assert!(err.contains("broken.jsonl:2"), "{err}");
    std::fs::remove_file(dir.join("broken.jsonl")).unwrap();
    std::fs::write(
        dir.join("newer.jsonl"),
        text.replacen("\"schema_version\":2", "\"schema_version\":99", 1),
    )
    .unwrap();
    let err = over(&a, org.path(), &["reputation"]).fails_with(2);
    assert!(
        err.contains("newer.jsonl") && err.contains("version 99") && err.contains("upgrade"),
        "{err}"
    );
    std::fs::remove_file(dir.join("newer.jsonl")).unwrap();
    std::fs::write(dir.join("copy.jsonl"), &text).unwrap();
    let err = over(&a, org.path(), &["reputation"]).fails_with(2);
    assert!(
        err.contains("both ledgers of the repository `alpha`"),
        "{err}"
    );
    std::fs::remove_file(dir.join("copy.jsonl")).unwrap();
    // An event naming someone the people table does not list: the file and its line.
    let header = text.lines().next().unwrap().replace("alpha", "gamma");
    let event = text
        .lines()
        .find(|l| l.contains("\"table\":\"event\""))
        .unwrap()
        .replace("\"alpha\"", "\"gamma\"");
    std::fs::write(dir.join("gamma.jsonl"), format!("{header}\n{event}\n")).unwrap();
    let err = over(&a, org.path(), &["reputation"]).fails_with(2);
    assert!(
        err.contains("gamma.jsonl:2") && err.contains("not in the people table"),
        "{err}"
    );
    std::fs::remove_file(dir.join("gamma.jsonl")).unwrap();
    // Commands that need one repository's history say so rather than reading the folder.
    let err = over(&a, org.path(), &["whois", "dana"]).fails_with(2);
    assert!(err.contains("--ledgers"), "{err}");
}

#[test]
fn duckdb_reads_the_exported_ledger_and_its_counts_match() {
    require!(
        crate::support::python_has("duckdb"),
        "DuckDB for Python (`python3 -m pip install duckdb`)"
    );
    let (a, _, _) = three();
    let org = tempfile::tempdir().unwrap();
    export(&a, org.path(), "alpha");
    let parquet = org.path().join("alpha.parquet");
    a.run([
        "export",
        "--format",
        "parquet",
        "--repository",
        "alpha",
        "--out",
        parquet.to_str().unwrap(),
    ])
    .ok();
    let jsonl = org.path().join("ledgers/alpha.jsonl");
    let people = a.run(["reputation", "--format", "json"]).json();
    let mut expected = String::new();
    let mut list: Vec<&Value> = people.as_array().unwrap().iter().collect();
    list.sort_by_key(|p| p["id"].as_str().unwrap().to_string());
    for p in list {
        expected.push_str(&format!(
            "{} {} {}\n",
            p["id"].as_str().unwrap(),
            p["counts"]["commits"],
            p["counts"]["prs_merged"]
        ));
    }
    for source in [
        format!("read_parquet('{}')", parquet.display()),
        format!(
            "read_json_auto('{}', format = 'newline_delimited', union_by_name = true)",
            jsonl.display()
        ),
    ] {
        assert_eq!(duckdb_counts(&source), expected, "{source}");
    }
}

/// Commits and merged pull requests per person, as DuckDB counts them in `source`.
fn duckdb_counts(source: &str) -> String {
    let sql = format!(
        "select person, count(*) filter (where kind = 'commit'), count(*) filter (where kind = 'pr_merged') \
         from {source} where \"table\" = 'event' group by person order by person"
    );
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            &format!("import duckdb\nfor r in duckdb.sql(\"\"\"{sql}\"\"\").fetchall(): print(*r)"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_repository_with_domains_scores_the_same_over_its_exported_ledger() {
    let alice = "Alice <alice@example.com>";
    let bob = "Bob <bob@example.com>";
    let carol = "Carol <carol@example.com>";
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "domains:\n  ui: [\"ui/**\"]\n  db: [\"db/**\"]\n",
    );
    repo.commit_by(alice, "2024-01-01", "Start");
    repo.merge_pr_full(1, carol, alice, "2024-01-02", "DB", Some("db/a.sql"), "");
    let review = "Reviewed-by: Carol <carol@example.com>";
    repo.merge_pr_full(2, bob, alice, "2024-01-03", "UI", Some("ui/a.js"), review);
    repo.merge_pr_full(
        3,
        bob,
        alice,
        "2024-01-04",
        "DB too",
        Some("db/b.sql"),
        review,
    );
    let org = tempfile::tempdir().unwrap();
    let text = export(&repo, org.path(), "alpha");
    assert!(text.contains(r#""domains":["ui"]"#), "{text}");
    for args in [
        &["reputation", "--format", "json"][..],
        &["explain", "carol", "--format", "json"],
        &["network", "--format", "json"],
    ] {
        let here = repo.run(args).json();
        let there = over(&repo, org.path(), args).json();
        assert_eq!(here, there, "{args:?} differs over the exported ledger");
    }
    // The bonus is there, not merely absent on both sides.
    let ex = over(&repo, org.path(), &["explain", "carol", "--format", "json"]).json();
    let bonus = ex["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rule"] == "review_cross_domain")
        .count();
    assert_eq!(bonus, 1, "{ex:#}");
}

#[test]
fn docs_of_one_kind_and_file_name_in_two_repositories_get_two_pages() {
    let doc = |title: &str| {
        format!("---\ntitle: {title}\nkind: retrospective\ndate: 2024-05-01\nauthors: [\"Alice Smith <alice@example.com>\"]\n---\n# {title}\n")
    };
    let org = tempfile::tempdir().unwrap();
    let mut last = None;
    for (name, title) in [("alpha", "Alpha outage"), ("beta", "Beta outage")] {
        let repo = Repo::new();
        repo.write("community/retrospective/2024-05-01-outage.md", &doc(title));
        repo.commit_by("Alice Smith <alice@example.com>", "2024-05-02", "retro");
        export(&repo, org.path(), name);
        last = Some(repo);
    }
    let repo = last.unwrap();
    let ctx = over(&repo, org.path(), &["context", "--json"]).json();
    let mut paths: Vec<&str> = ctx["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "alpha/community/retrospective/2024-05-01-outage.md",
            "beta/community/retrospective/2024-05-01-outage.md"
        ]
    );
    let site = org.path().join("site");
    over(
        &repo,
        org.path(),
        &["site", "build", "--out", site.to_str().unwrap()],
    )
    .ok();
    // One page each, named after the repository, with its own doc.
    for (name, title) in [("alpha", "Alpha outage"), ("beta", "Beta outage")] {
        let page = site.join(format!(
            "docs/{name}-community-retrospective-2024-05-01-outage.html"
        ));
        let html = std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{page:?}: {e}"));
        assert!(html.contains(&format!("<h1>{title}</h1>")), "{html}");
    }
}

/// A repository whose domain `name` is `globs` (in its own guild.yml), with work in and out
/// of it by three people, the last of it on `2024-03-01` (the same `as_of` everywhere, so
/// that recency weighs alike).
fn with_domain(name: &str, globs: &str, inside: &str, outside: &str) -> Repo {
    let alice = "Alice <alice@example.com>";
    let bob = "Bob <bob@example.com>";
    let carol = "Carol <carol@example.com>";
    let review = |who: &str| format!("Reviewed-by: {who}");
    let repo = Repo::new();
    repo.write("guild.yml", &format!("domains:\n  {name}: [{globs}]\n"));
    repo.commit_by(alice, "2024-01-01", "Start");
    let a = format!("{inside}/a.rs");
    let b = format!("{inside}/deep/b.rs");
    let c = format!("{outside}/c.rs");
    repo.merge_pr_full(1, alice, bob, "2024-01-05", "A", Some(&a), &review(bob));
    repo.merge_pr_full(2, bob, alice, "2024-01-20", "B", Some(&b), &review(carol));
    repo.merge_pr_full(3, carol, alice, "2024-02-03", "C", Some(&c), &review(alice));
    repo.merge_pr_full(4, carol, bob, "2024-02-10", "A again", Some(&a), "");
    repo.commit_by(bob, "2024-03-01", "Last");
    repo
}

/// The parts of a domain that do not name files (sample files are `repo/path` in an
/// organisation).
fn domain_facts(domains: &Value, name: &str) -> Value {
    let d = domains
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no domain `{name}` in {domains:#}"));
    serde_json::json!({
        "files": d["files"],
        "work": d["work"],
        "experts": d["experts"],
        "contributor_absence_factor": d["contributor_absence_factor"],
        "truck_factor": d["truck_factor"],
        "spof": d["single_points_of_failure"].as_array().unwrap().iter().map(|s| (s["id"].clone(), s["files"].clone())).collect::<Vec<_>>(),
    })
}

#[test]
fn organisation_domains_over_repositories_name_the_experts_each_repository_does() {
    let alpha = with_domain("sync", "\"src/sync/**\"", "src/sync", "src/other");
    let beta = with_domain("book", "\"**\"", "book", "theme");
    let gamma = with_domain("core", "\"core/\"", "core", "cli");
    let org = tempfile::tempdir().unwrap();
    for (repo, name) in [(&alpha, "alpha"), (&beta, "beta"), (&gamma, "gamma")] {
        let text = export(repo, org.path(), name);
        assert!(
            text.contains(r#""table":"commit""#),
            "no changed paths: {text}"
        );
    }
    std::fs::write(
        org.path().join("guild.yml"),
        "domains:\n  sync: [\"alpha:src/sync/**\"]\n  book: [beta]\n  core: [\"gamma:core/\"]\n",
    )
    .unwrap();
    let merged = over(&alpha, org.path(), &["domains", "--format", "json"]).json();
    let ctx = over(&alpha, org.path(), &["context", "--json"]).json();
    for (repo, name) in [(&alpha, "sync"), (&beta, "book"), (&gamma, "core")] {
        let here = domain_facts(&repo.run(["domains", "--format", "json"]).json(), name);
        assert!(
            !here["experts"].as_array().unwrap().is_empty(),
            "{name}: no experts to compare"
        );
        let there = domain_facts(&merged, name);
        assert_eq!(here, there, "domain `{name}` differs over the organisation");
        // The snapshot's domains section is the same.
        assert_eq!(
            domain_facts(&ctx["domains"], name),
            there,
            "{name} in context"
        );
    }
    // A domain naming a repository no ledger is of is a warning, not an empty silence.
    std::fs::write(
        org.path().join("guild.yml"),
        "domains:\n  sync: [\"alhpa:src/sync/**\"]\n",
    )
    .unwrap();
    let run = over(&alpha, org.path(), &["domains", "--format", "json"]);
    let err = run.stderr();
    assert!(
        err.contains("`alhpa`") && err.contains("no ledger"),
        "{err}"
    );
}

#[test]
fn a_ledger_without_changed_paths_is_read_and_named_with_the_fix() {
    let alpha = with_domain("sync", "\"src/sync/**\"", "src/sync", "src/other");
    let org = tempfile::tempdir().unwrap();
    let text = export(&alpha, org.path(), "alpha");
    // What a version 1 export wrote: no `commit` and `files` rows.
    let old: String = text
        .lines()
        .filter(|l| !l.contains(r#""table":"commit""#) && !l.contains(r#""table":"files""#))
        .map(|l| {
            format!(
                "{}\n",
                l.replacen("\"schema_version\":2", "\"schema_version\":1", 1)
            )
        })
        .collect();
    std::fs::write(org.path().join("ledgers/alpha.jsonl"), old).unwrap();
    std::fs::write(
        org.path().join("guild.yml"),
        "domains:\n  sync: [\"alpha:src/sync/**\"]\n",
    )
    .unwrap();
    let run = over(&alpha, org.path(), &["reputation", "--format", "json"]);
    let err = run.stderr();
    assert!(
        err.contains("alpha.jsonl")
            && err.contains("schema version 1")
            && err.contains("cargo guild export"),
        "{err}"
    );
    // Still read: the same people (their work in no domain).
    let sorted = |v: &Value| {
        let mut ids = crate::support::ids(v);
        ids.sort();
        ids
    };
    assert_eq!(
        sorted(&run.json()),
        sorted(&alpha.run(["reputation", "--format", "json"]).json())
    );
}
