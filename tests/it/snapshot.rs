//! The snapshot is the contract: every rendering command gives the same bytes from a saved
//! `context --json` as from the history, the JSON Schema it publishes accepts what it emits
//! (checked by Python's `jsonschema`, a real validator), and the context of a fixture is
//! pinned.

use crate::require;
use crate::support::Repo;

/// Domains, merged pull requests with reviews across domains, a newcomer, a doc.
fn community() -> Repo {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "name: Demo\ndomains:\n  parser: [\"src/parser/**\"]\n  docs: [\"docs/**\"]\n",
    )
    .write(
        "community/retrospectives/2024-03-01-outage.md",
        "---\ntitle: Outage\nkind: retrospective\ndate: 2024-03-01\nauthors: [alice]\n---\nWhat happened.\n",
    )
    .commit_by("Alice <alice@example.com>", "2024-01-01", "Initial commit");
    repo.merge_pr_full(
        1,
        "Bob <bob@example.com>",
        "Alice <alice@example.com>",
        "2024-01-10",
        "Parse more",
        Some("src/parser/a.rs"),
        "Reviewed-by: Carol <carol@example.com>",
    )
    .merge_pr_full(
        2,
        "Carol <carol@example.com>",
        "Alice <alice@example.com>",
        "2024-02-01",
        "Document it",
        Some("docs/guide.md"),
        "Reviewed-by: Bob <bob@example.com>",
    )
    .merge_pr_full(
        3,
        "Dan <dan@example.com>",
        "Bob <bob@example.com>",
        "2024-02-20",
        "First fix",
        Some("src/parser/b.rs"),
        "Reviewed-by: Alice <alice@example.com>",
    );
    repo
}

#[test]
fn every_format_renders_the_same_from_a_saved_snapshot() {
    let repo = community();
    let saved = repo.path().join("saved-context.json");
    std::fs::write(&saved, repo.run(["context", "--json"]).ok()).unwrap();
    let saved = saved.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &["reputation"],
        &["reputation", "--format", "json"],
        &["reputation", "--format", "csv"],
        &["reputation", "--top", "2"],
        &["network"],
        &["network", "--format", "json"],
        &["network", "--format", "dot"],
        &["network", "--format", "graphml"],
        &["domains"],
        &["domains", "--format", "json"],
        &["domains", "--format", "csv"],
        &["newcomers"],
        &["newcomers", "--format", "json"],
        &["newcomers", "--format", "csv"],
        &["explain", "bob"],
        &["explain", "Carol", "--format", "json"],
        &["explain", "dan", "--format", "csv"],
    ];
    for args in commands {
        let direct = repo.run(args.iter()).ok();
        assert!(!direct.trim().is_empty(), "{args:?} printed nothing");
        // From elsewhere, with no repository at all: only the snapshot is read.
        let elsewhere = tempfile::tempdir().unwrap();
        let mut with = args.to_vec();
        with.extend(["--from-context", saved]);
        let from = repo.run_in(elsewhere.path(), with.iter()).ok();
        assert_eq!(direct, from, "{args:?}");
    }
    // The site: the same files, byte for byte.
    let direct = tempfile::tempdir().unwrap();
    let from = tempfile::tempdir().unwrap();
    repo.run(["site", "build", "--out", direct.path().to_str().unwrap()])
        .ok();
    let elsewhere = tempfile::tempdir().unwrap();
    repo.run_in(
        elsewhere.path(),
        [
            "site",
            "build",
            "--out",
            from.path().to_str().unwrap(),
            "--from-context",
            saved,
        ],
    )
    .ok();
    let (a, b) = (tree(direct.path()), tree(from.path()));
    assert!(
        a.contains_key("people/bob.html") && a.len() > 10,
        "{:?}",
        a.keys()
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same pages"
    );
    for (path, bytes) in &a {
        assert!(b[path] == *bytes, "{path} differs from a saved snapshot");
    }
    // What a snapshot cannot answer is said, not guessed.
    let err = repo
        .run([
            "reputation",
            "--since",
            "2024-02-01",
            "--from-context",
            saved,
        ])
        .fails_with(2);
    assert!(err.contains("--since needs the history"), "{err}");
    let err = repo
        .run([
            "explain",
            "bob",
            "--since",
            "2024-02-01",
            "--from-context",
            saved,
        ])
        .fails_with(2);
    assert!(err.contains("--since needs the history"), "{err}");
    // A snapshot keeps display ids and names, not logins or e-mails.
    let err = repo
        .run(["explain", "bob@example.com", "--from-context", saved])
        .fails_with(2);
    assert!(
        err.contains("no person matches") && err.contains("bob"),
        "{err}"
    );
}

#[test]
fn a_bad_snapshot_says_where_and_how_to_fix_it() {
    let repo = community();
    let bad = repo.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"schema_version\": 3,\n  \"name\": 3\n}\n").unwrap();
    let err = repo
        .run(["reputation", "--from-context", bad.to_str().unwrap()])
        .fails_with(2);
    assert!(err.contains("bad.json:3:"), "{err}");
    assert!(err.contains("cargo guild context --json > FILE"), "{err}");
    // Never a hang on something that is not a file.
    let err = repo
        .run(["reputation", "--from-context", "/dev/zero"])
        .fails_with(2);
    assert!(err.contains("is not a file"), "{err}");
    std::fs::write(&bad, "{\"schema_version\": 1}").unwrap();
    let err = repo
        .run(["network", "--from-context", bad.to_str().unwrap()])
        .fails_with(2);
    assert!(err.contains("schema version 1"), "{err}");
}

/// Every file under `dir`, by relative path.
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn the_published_schema_accepts_every_snapshot_and_rejects_a_broken_one() {
    let repo = community();
    let schema = repo.run(["context", "--schema"]).json();
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "draft 2020-12"
    );
    require!(
        crate::support::python_has("jsonschema"),
        "python3 with jsonschema (pip install jsonschema)"
    );
    let dir = repo.path();
    std::fs::write(dir.join("schema.json"), schema.to_string()).unwrap();
    std::fs::write(dir.join("ctx.json"), repo.run(["context", "--json"]).ok()).unwrap();
    let mut broken = repo.run(["context", "--json"]).json();
    broken["people"][0]["rank"] = serde_json::json!("first");
    std::fs::write(dir.join("broken.json"), broken.to_string()).unwrap();
    let check = |file: &str| crate::support::validate_with_schema(dir, file);
    let ok = check("ctx.json");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let bad = check("broken.json");
    assert!(!bad.status.success(), "a string rank must not validate");
}

#[test]
fn the_context_of_a_fixture_is_pinned() {
    let repo = community();
    let mut ctx = repo.run(["context", "--json"]).json();
    // The head commit id depends only on the fixture, but keep the pin readable.
    ctx["head"] = serde_json::json!("<head>");
    insta::assert_json_snapshot!("context_of_the_fixture", ctx);
}
