//! Peer-learning docs: `new` (every kind, hostile input, overrides, custom kinds, broken
//! templates), `docs list`, `docs check` with exact findings, and docs in the snapshot.

use std::path::Path;

use cargo_guild::sources::docs::parse;

use crate::support::{person, Repo};

const KINDS: [&str; 8] = [
    "case-round",
    "decision-walkthrough",
    "hot-seat",
    "learning-circle",
    "micro-teach",
    "problem-based-learning",
    "retrospective",
    "think-pair-share",
];

/// A repository with one commit and a Git identity, ready for `new`.
fn repo_with_identity() -> Repo {
    let repo = Repo::new();
    repo.git(&["config", "user.name", "Alice Smith"]);
    repo.git(&["config", "user.email", "alice@example.com"]);
    repo.commit_by(
        "Alice Smith <alice@example.com>",
        "2024-01-01",
        "Initial commit",
    );
    repo
}

fn read(repo: &Repo, rel: &str) -> String {
    std::fs::read_to_string(repo.path().join(rel)).unwrap()
}

/// Every file under `dir` (relative), sorted; empty when the folder does not exist.
fn files_under(repo: &Repo, dir: &str) -> Vec<String> {
    let base = repo.path().join(dir);
    let mut out: Vec<String> = walkdir::WalkDir::new(&base)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(repo.path())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn new_creates_every_kind_and_front_matter_round_trips() {
    let repo = repo_with_identity();
    let title = r#"He said "ship it": #1 priority - yes, {{no}} \o/"#;
    for (i, kind) in KINDS.iter().enumerate() {
        let date = format!("2024-05-{:02}", i + 1);
        let out = repo
            .run([
                "new",
                kind,
                title,
                "--date",
                &date,
                "--facilitator",
                "Bob: the \"host\"",
                "--participants",
                "Carol,Dan # two",
                "--tags",
                "yes,123,a: b",
            ])
            .ok();
        let rel = format!("community/{kind}/{date}-he-said-ship-it-1-priority-yes-no-o.md");
        assert_eq!(out, format!("{rel}\n"));
        let text = read(&repo, &rel);
        let doc = parse(&rel, &text).unwrap_or_else(|e| panic!("{kind}: {e:?}\n{text}"));
        let f = &doc.front;
        assert_eq!(f.title.as_deref(), Some(title), "{kind}");
        assert_eq!(f.kind.as_deref(), Some(*kind));
        assert_eq!(f.date.as_deref(), Some(date.as_str()));
        assert_eq!(f.authors, ["Alice Smith <alice@example.com>"]);
        assert_eq!(f.facilitator.as_deref(), Some("Bob: the \"host\""));
        assert_eq!(f.participants, ["Carol", "Dan # two"]);
        assert_eq!(f.tags, ["yes", "123", "a: b"]);
        assert_eq!(f.domain, None);
        assert_eq!(f.status.as_deref(), Some("draft"));
        // The body starts with the title and has the kind's sections.
        assert!(doc.body.contains(&format!("# {title}\n")), "{kind}");
        assert!(
            doc.body.matches("\n## ").count() >= 4,
            "{kind}: too few sections"
        );
        assert!(
            !text.contains("description:"),
            "the header comment is not rendered"
        );
    }
    // Sections that make each method work.
    let body = |kind: &str, date: &str| {
        read(
            &repo,
            &format!("community/{kind}/{date}-he-said-ship-it-1-priority-yes-no-o.md"),
        )
    };
    for (kind, date, sections) in [
        (
            "case-round",
            "2024-05-01",
            &[
                "## Context",
                "## Reasoning",
                "## Trade-offs",
                "## Questions raised by peers",
                "## Heuristics worth keeping",
            ][..],
        ),
        (
            "decision-walkthrough",
            "2024-05-02",
            &[
                "## The decision",
                "## Options considered",
                "## Stakeholders",
                "## Risks",
                "## What would change this decision",
            ],
        ),
        (
            "hot-seat",
            "2024-05-03",
            &[
                "## Presenter",
                "## The challenge",
                "## Advice received",
                "## Commitments",
                "## Check-in at the next session",
            ],
        ),
        (
            "learning-circle",
            "2024-05-04",
            &[
                "## Shared objectives",
                "## Evaluation criteria",
                "## What worked",
                "## What failed, and why",
            ],
        ),
        (
            "micro-teach",
            "2024-05-05",
            &[
                "## Topic",
                "## Outline",
                "## Demo",
                "## Takeaways",
                "## Resources",
            ],
        ),
        (
            "problem-based-learning",
            "2024-05-06",
            &[
                "## The problem",
                "## Perspectives by function",
                "## Options and trade-offs",
                "## Solution",
                "## What we learned",
            ],
        ),
        (
            "retrospective",
            "2024-05-07",
            &[
                "## Summary",
                "## Impact",
                "## Timeline",
                "## What worked",
                "## What failed, and why",
                "## Actions",
            ],
        ),
        (
            "think-pair-share",
            "2024-05-08",
            &[
                "## Prompt",
                "## Think: individual notes",
                "## Pair: insights",
                "## Share: group summary",
            ],
        ),
    ] {
        let text = body(kind, date);
        for s in sections {
            assert!(text.contains(&format!("\n{s}\n")), "{kind} lacks {s}");
        }
    }
    // Every scaffold passes the checker as it is: its unfilled sections are warnings only.
    let out = repo.run(["docs", "check"]).ok();
    assert!(!out.is_empty());
    assert!(out.lines().all(|l| l.contains(": warning: ")), "{out}");
}

#[test]
fn new_rejects_bad_titles_kinds_dates_and_domains_and_writes_nothing() {
    let repo = repo_with_identity();
    repo.write(
        "guild.yml",
        "domains:\n  core: [\"src/**\"]\n  docs: [\"docs/**\"]\n",
    );
    let long = "x".repeat(201);
    for (args, expected) in [
        (vec!["retrospective", ""], "the title is empty"),
        (vec!["retrospective", "  \t "], "the title is empty"),
        (vec!["retrospective", "two\nlines"], "control character"),
        (vec!["retrospective", "bell\u{7}"], "control character"),
        (vec!["retrospective", &long], "201 characters long"),
        (vec!["retro", "Title"], "unknown kind `retro`; known kinds: case-round, decision-walkthrough, hot-seat, learning-circle, micro-teach, problem-based-learning, retrospective, think-pair-share"),
        (vec!["../etc", "Title"], "unknown kind `../etc`"),
        (vec!["retrospective", "Title", "--date", "2024-02-30"], "`2024-02-30` is not a valid date"),
        (vec!["retrospective", "Title", "--date", "yesterday"], "`yesterday` is not a valid date"),
        (vec!["retrospective", "Title", "--domain", "web"], "domain `web` is not defined in guild.yml; defined domains: core, docs"),
    ] {
        let mut all = vec!["new"];
        all.extend(args);
        let err = repo.run(&all).fails_with(2);
        assert!(err.contains(expected), "{all:?}: {err}");
    }
    assert_eq!(files_under(&repo, "community"), Vec::<String>::new());
    // A defined domain is accepted.
    let out = repo
        .run([
            "new",
            "micro-teach",
            "Borrowing",
            "--date",
            "2024-05-01",
            "--domain",
            "core",
        ])
        .ok();
    assert_eq!(out, "community/micro-teach/2024-05-01-borrowing.md\n");
}

#[test]
fn slugs_never_escape_the_kind_folder() {
    let repo = repo_with_identity();
    for (title, file) in [
        ("../../etc/passwd", "2024-05-01-etc-passwd.md"),
        ("..", "2024-05-01-doc.md"),
        (
            "Ünïcode Straße 日本",
            "2024-05-01-unicode-strasse-ri-ben.md",
        ),
        ("C:\\Windows\\x", "2024-05-01-c-windows-x.md"),
    ] {
        let out = repo
            .run(["new", "case-round", title, "--date", "2024-05-01"])
            .ok();
        assert_eq!(out, format!("community/case-round/{file}\n"));
        let doc = parse("x", &read(&repo, out.trim())).unwrap();
        assert_eq!(doc.front.title.as_deref(), Some(title));
    }
    assert_eq!(files_under(&repo, "community").len(), 4);
    assert!(!repo.path().join("etc").exists());
}

#[test]
fn new_never_overwrites() {
    let repo = repo_with_identity();
    let args = [
        "new",
        "retrospective",
        "Release outage",
        "--date",
        "2024-05-01",
    ];
    let rel = "community/retrospective/2024-05-01-release-outage.md";
    assert_eq!(repo.run(args).ok(), format!("{rel}\n"));
    repo.write(rel, "edited by hand\n");
    let err = repo.run(args).fails_with(2);
    assert!(
        err.contains(&format!("{rel} already exists; nothing written")),
        "{err}"
    );
    assert_eq!(read(&repo, rel), "edited by hand\n");
    assert_eq!(files_under(&repo, "community"), [rel]);
}

#[test]
fn new_uses_the_configured_docs_folder_and_creates_it() {
    let repo = repo_with_identity();
    repo.write("guild.yml", "docs_dir: knowledge/base\n");
    let out = repo
        .run(["new", "hot-seat", "Scaling reviews", "--date", "2024-05-01"])
        .ok();
    assert_eq!(
        out,
        "knowledge/base/hot-seat/2024-05-01-scaling-reviews.md\n"
    );
    assert!(repo.path().join(out.trim()).is_file());
}

#[test]
fn new_without_git_identity_explains_the_fix() {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-01", "init");
    let err = repo.run(["new", "micro-teach", "Lifetimes"]).fails_with(2);
    assert!(err.contains("no Git identity"), "{err}");
    assert!(err.contains("git config user.name"), "{err}");
    assert_eq!(files_under(&repo, "community"), Vec::<String>::new());
}

#[test]
fn new_default_date_is_today() {
    let repo = repo_with_identity();
    let out = repo.run(["new", "micro-teach", "Lifetimes"]).ok();
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    // Around midnight the test and the binary may see different days.
    let yesterday = (chrono::Local::now() - chrono::Duration::minutes(5))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        out == format!("community/micro-teach/{today}-lifetimes.md\n")
            || out == format!("community/micro-teach/{yesterday}-lifetimes.md\n"),
        "{out}"
    );
}

#[test]
fn list_shows_kinds_with_descriptions_including_custom_ones() {
    let repo = repo_with_identity();
    repo.write(
        ".guild/templates/pairing.md.hbs",
        "{{!-- description: Two people, one keyboard, notes for everyone. --}}\n---\ntitle: {{yaml.title}}\nkind: {{yaml.kind}}\ndate: {{yaml.date}}\nauthors: {{yaml.authors}}\n---\n# {{title}}\n",
    );
    repo.write(
        ".guild/templates/retrospective.md.hbs",
        "---\ntitle: {{yaml.title}}\nkind: {{yaml.kind}}\ndate: {{yaml.date}}\nauthors: {{yaml.authors}}\n---\n## Our own retro\n",
    );
    repo.write(".guild/templates/undescribed.md.hbs", "x");
    let out = repo.run(["new", "--list"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11, "{out}");
    assert!(lines[0].starts_with("kind"), "{out}");
    let row = |kind: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(&format!("{kind} ")))
            .unwrap_or_else(|| panic!("no {kind} in\n{out}"))
    };
    assert!(row("case-round").contains("built-in"));
    assert!(row("case-round").contains("An expert narrates a real decision"));
    assert!(row("pairing").contains("custom"));
    assert!(row("pairing").ends_with("Two people, one keyboard, notes for everyone."));
    // An override without its own description keeps the built-in one.
    assert!(row("retrospective").contains("override"));
    assert!(row("retrospective").contains("blameless"));
    assert!(row("undescribed").contains("(no description"));
    for kind in KINDS {
        row(kind);
    }
}

#[test]
fn overrides_and_custom_kinds_are_used_and_checked() {
    let repo = repo_with_identity();
    repo.write(
        ".guild/templates/retrospective.md.hbs",
        "---\ntitle: {{yaml.title}}\nkind: {{yaml.kind}}\ndate: {{yaml.date}}\nauthors: {{yaml.authors}}\nteam: platform\n---\n\n# {{title}}\n\n## Our own retro format\n",
    );
    repo.write(
        ".guild/templates/pairing.md.hbs",
        "{{!-- description: Pairing notes. --}}\n---\ntitle: {{yaml.title}}\nkind: {{yaml.kind}}\ndate: {{yaml.date}}\nauthors: {{yaml.authors}}\ntags: {{yaml.tags}}\n---\n\n# {{title}}\n\n## What we paired on\n",
    );
    let rel = repo
        .run(["new", "retrospective", "Outage", "--date", "2024-05-01"])
        .ok();
    let text = read(&repo, rel.trim());
    assert!(text.contains("## Our own retro format"), "{text}");
    assert!(text.contains("team: platform"), "{text}");
    let rel = repo
        .run([
            "new",
            "pairing",
            "Borrow checker",
            "--date",
            "2024-05-02",
            "--tags",
            "rust",
        ])
        .ok();
    assert_eq!(rel, "community/pairing/2024-05-02-borrow-checker.md\n");
    let doc = parse("x", &read(&repo, rel.trim())).unwrap();
    assert_eq!(doc.front.kind.as_deref(), Some("pairing"));
    assert_eq!(doc.front.tags, ["rust"]);
    // The custom kind is known to the checker.
    let out = repo.run(["docs", "check"]).ok();
    assert!(out.lines().all(|l| l.contains(": warning: ")), "{out}");
}

#[test]
fn broken_templates_name_the_file_and_line_and_write_nothing() {
    let repo = repo_with_identity();
    // A syntax error on line 4.
    repo.write(
        ".guild/templates/broken.md.hbs",
        "---\ntitle: {{yaml.title}}\n---\n{{#if title}}\nno end\n",
    );
    let err = repo
        .run(["new", "broken", "X", "--date", "2024-05-01"])
        .fails_with(2);
    assert!(err.contains(".guild/templates/broken.md.hbs:"), "{err}");
    assert!(err.contains("template error"), "{err}");
    std::fs::remove_file(repo.path().join(".guild/templates/broken.md.hbs")).unwrap();

    // A render error (a helper that does not exist) on line 3.
    repo.write(
        ".guild/templates/nohelper.md.hbs",
        "---\ntitle: {{yaml.title}}\n{{shout title}}\n---\n",
    );
    let err = repo
        .run(["new", "nohelper", "X", "--date", "2024-05-01"])
        .fails_with(2);
    assert!(err.contains(".guild/templates/nohelper.md.hbs:3"), "{err}");
    std::fs::remove_file(repo.path().join(".guild/templates/nohelper.md.hbs")).unwrap();

    // Renders, but without front matter.
    repo.write(".guild/templates/bare.md.hbs", "# {{title}}\n");
    let err = repo
        .run(["new", "bare", "X", "--date", "2024-05-01"])
        .fails_with(2);
    assert!(
        err.contains(".guild/templates/bare.md.hbs: the rendered doc is broken"),
        "{err}"
    );
    assert!(err.contains("no front matter"), "{err}");

    // Renders front matter with the values unquoted: YAML breaks on a hostile title.
    repo.write(
        ".guild/templates/unquoted.md.hbs",
        "---\ntitle: {{title}}\nkind: {{yaml.kind}}\ndate: {{yaml.date}}\nauthors: {{yaml.authors}}\n---\n",
    );
    let err = repo
        .run(["new", "unquoted", "a: b: c", "--date", "2024-05-01"])
        .fails_with(2);
    assert!(
        err.contains(".guild/templates/unquoted.md.hbs: the rendered doc is broken at its line 2"),
        "{err}"
    );

    // Forgets a required field.
    repo.write(
        ".guild/templates/noauthor.md.hbs",
        "---\ntitle: {{yaml.title}}\nkind: {{yaml.kind}}\ndate: {{yaml.date}}\n---\n",
    );
    let err = repo
        .run(["new", "noauthor", "X", "--date", "2024-05-01"])
        .fails_with(2);
    assert!(err.contains("missing required field `authors`"), "{err}");

    assert_eq!(files_under(&repo, "community"), Vec::<String>::new());
}

const GOOD: &str = "---
title: \"Release outage\"
kind: retrospective
date: 2024-05-01
authors: [\"Alice Smith <alice@example.com>\"]
domain: core
---

# Release outage

See [the case](../case-round/2024-04-01-ok.md#context), [the spec](https://example.com/x),
[above](#summary), [root file](/guild.yml) and ![logo](img/logo%20v2.png).

[ref]: ../case-round/2024-04-01-ok.md
Uses a [reference][ref] and <https://example.com/auto>.
";

const OK: &str = "---
title: Ok
kind: case-round
date: 2024-04-01
authors: Alice Smith
---
# Ok
";

/// A repository with one good doc, one good case round, and the given extra files.
fn docs_repo(extra: &[(&str, &str)]) -> Repo {
    let repo = Repo::new();
    repo.write("guild.yml", "domains:\n  core: [\"src/**\"]\n");
    repo.write("community/retrospective/2024-05-01-good.md", GOOD);
    repo.write("community/retrospective/img/logo v2.png", "png");
    repo.write("community/case-round/2024-04-01-ok.md", OK);
    for (path, text) in extra {
        repo.write(path, text);
    }
    repo.commit_by("Alice Smith <alice@example.com>", "2024-01-01", "docs");
    repo
}

#[test]
fn docs_check_passes_good_docs() {
    let repo = docs_repo(&[]);
    assert_eq!(repo.run(["docs", "check"]).ok(), "");
}

#[test]
fn docs_check_warns_about_unfilled_template_sections_without_failing() {
    let unfilled = "---\ntitle: Outage\nkind: retrospective\ndate: 2024-05-02\nauthors: [Alice]\n---\n\n## Summary\n\n<!-- Two or three sentences. -->\n\n## Impact\n\n<!-- Who? -->\n\nBuilds were red for a day.\n\n-\n\n## Actions\n\n<!-- Owned and dated. -->\n\n| Action | Owner |\n|--------|-------|\n|        |       |\n";
    let repo = docs_repo(&[("community/retrospective/2024-05-02-outage.md", unfilled)]);
    let run = repo.run(["docs", "check"]);
    assert_eq!(
        run.ok(),
        "\
community/retrospective/2024-05-02-outage.md:8: warning: the section `Summary` is unfilled: it holds only the template's guidance; write it or remove the heading
community/retrospective/2024-05-02-outage.md:18: warning: an empty list item left from the template: fill it in or remove it
community/retrospective/2024-05-02-outage.md:20: warning: the section `Actions` is unfilled: it holds only the template's guidance; write it or remove the heading
"
    );
    assert!(run.stderr().contains("3 warning(s)"), "{}", run.stderr());
    // With an error next to the warnings, the exit code is 1 and both are printed.
    repo.write(
        "community/retrospective/2024-05-03-undated.md",
        "---\ntitle: Undated\nkind: retrospective\nauthors: [Alice]\n---\n\nText.\n",
    );
    let run = repo.run(["docs", "check"]);
    run.fails_with(1);
    let out = run.stdout();
    assert!(out.contains("2024-05-02-outage.md:8: warning: "), "{out}");
    assert!(
        out.contains("2024-05-03-undated.md:1: missing required field `date`"),
        "{out}"
    );
}

#[test]
fn docs_check_reports_every_problem_with_its_line() {
    let repo = docs_repo(&[
        (
            "community/retrospective/2024-05-02-links.md",
            "---\ntitle: Links\nkind: retrospective\ndate: 2024-05-02\nauthors: [Alice]\n---\n\nA [missing](../nope.md) link.\n\n![image](img/none.png)\n\n[escape](../../../../etc/passwd)\n",
        ),
        (
            "community/retrospective/2024-05-03-no-front.md",
            "# Just a heading\n",
        ),
        (
            "community/retrospective/2024-05-04-unclosed.md",
            "---\ntitle: Unclosed\n\n# Body\n",
        ),
        (
            "community/retrospective/2024-05-05-bad-yaml.md",
            "---\ntitle: Bad\nkind: retrospective\nauthors: [Alice\ndate: 2024-05-05\n---\n",
        ),
        (
            "community/retrospective/2024-05-06-fields.md",
            "---\ntitle: Fields\nkind: retro\ndate: 2024-13-01\ndomain: nope\n---\n",
        ),
        (
            "community/retrospective/Bad Name.md",
            "---\ntitle: Bad name\nkind: retrospective\ndate: 2024-05-07\nauthors: [Alice]\n---\n",
        ),
        (
            "community/retrospective/2024-05-08-moved.md",
            "---\ntitle: Moved\nkind: retrospective\ndate: 2024-05-09\nauthors: [Alice]\n---\n",
        ),
        (
            "community/retrospective/2024-06-01-twin.md",
            "---\ntitle: Twin\nkind: retrospective\ndate: 2024-06-01\nauthors: [Alice]\n---\n",
        ),
        (
            "community/archive/2024-06-01-twin.md",
            "---\ntitle: Twin\nkind: retrospective\ndate: 2024-06-01\nauthors: [Alice]\n---\n",
        ),
    ]);
    let run = repo.run(["docs", "check"]);
    run.fails_with(1);
    let expected = "\
community/archive/2024-06-01-twin.md:1: duplicate id `retrospective/2024-06-01-twin`: also used by community/retrospective/2024-06-01-twin.md; rename one of the files
community/retrospective/2024-05-02-links.md:8: broken link `../nope.md`: community/nope.md does not exist
community/retrospective/2024-05-02-links.md:10: broken link `img/none.png`: community/retrospective/img/none.png does not exist
community/retrospective/2024-05-02-links.md:12: link `../../../../etc/passwd` points outside the repository
community/retrospective/2024-05-03-no-front.md:1: no front matter: the file must start with a `---` line
community/retrospective/2024-05-04-unclosed.md:1: front matter is not closed: did you forget the closing `---` line?
community/retrospective/2024-05-05-bad-yaml.md:5: front matter is not valid YAML: did not find expected ',' or ']'
community/retrospective/2024-05-06-fields.md:1: missing required field `authors`
community/retrospective/2024-05-06-fields.md:3: unknown kind `retro`; known kinds: case-round, decision-walkthrough, hot-seat, learning-circle, micro-teach, problem-based-learning, retrospective, think-pair-share (or add .guild/templates/retro.md.hbs)
community/retrospective/2024-05-06-fields.md:4: `date` is not a valid date (`2024-13-01`): write it as YYYY-MM-DD, e.g. 2024-05-01
community/retrospective/2024-05-06-fields.md:5: domain `nope` is not defined in guild.yml; defined domains: core
community/retrospective/2024-05-08-moved.md:1: the file name starts with 2024-05-08 but `date` is 2024-05-09; rename the file or fix the date
community/retrospective/2024-06-01-twin.md:1: duplicate id `retrospective/2024-06-01-twin`: also used by community/archive/2024-06-01-twin.md; rename one of the files
community/retrospective/Bad Name.md:1: the file name must be `YYYY-MM-DD-slug.md` (e.g. `2024-05-07-bad-name.md`)
";
    assert_eq!(run.stdout(), expected);

    // Only the files asked for (paths relative to the current directory, others skipped).
    let run = repo.run_in(
        &repo.path().join("community"),
        [
            "docs",
            "check",
            "retrospective/2024-05-08-moved.md",
            "retrospective/2024-06-01-twin.md",
            "retrospective/2024-05-01-good.md",
            "../guild.yml",
            "retrospective/2024-05-30-deleted.md",
        ],
    );
    run.fails_with(1);
    assert_eq!(
        run.stdout(),
        "\
community/retrospective/2024-05-08-moved.md:1: the file name starts with 2024-05-08 but `date` is 2024-05-09; rename the file or fix the date
community/retrospective/2024-05-30-deleted.md:1: cannot read: the file does not exist
community/retrospective/2024-06-01-twin.md:1: duplicate id `retrospective/2024-06-01-twin`: also used by community/archive/2024-06-01-twin.md; rename one of the files
"
    );
    assert!(run
        .stderr()
        .contains("guild.yml is not a Markdown file under `community/`: skipped"));
    assert_eq!(
        repo.run([
            "docs",
            "check",
            "community/retrospective/2024-05-01-good.md"
        ])
        .ok(),
        ""
    );
}

#[test]
fn docs_check_library_function_matches_the_command() {
    let repo = docs_repo(&[(
        "community/case-round/2024-04-02-bad.md",
        "---\ntitle: Bad\nkind: case-round\ndate: 2024-04-02\n---\n[x](missing.md)\n",
    )]);
    let config = cargo_guild::config::Config::parse(
        &read(&repo, "guild.yml"),
        &repo.path().join("guild.yml"),
    )
    .unwrap();
    let findings = cargo_guild::sources::docs::check::docs_check(repo.path(), &config, None);
    let lines: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "community/case-round/2024-04-02-bad.md:1: missing required field `authors`",
            "community/case-round/2024-04-02-bad.md:6: broken link `missing.md`: community/case-round/missing.md does not exist",
        ]
    );
    let only_good = cargo_guild::sources::docs::check::docs_check(
        repo.path(),
        &config,
        Some(&[repo.path().join("community/case-round/2024-04-01-ok.md")]),
    );
    assert_eq!(only_good, []);
}

#[test]
fn docs_list_filters_and_formats() {
    let repo = docs_repo(&[]);
    let out = repo.run(["docs", "list"]).ok();
    assert_eq!(
        out,
        "\
date        kind           domain  title           authors      path
2024-04-01  case-round             Ok              alice-smith  community/case-round/2024-04-01-ok.md
2024-05-01  retrospective  core    Release outage  alice-smith  community/retrospective/2024-05-01-good.md
"
    );
    let json = repo
        .run([
            "docs",
            "list",
            "--kind",
            "retrospective",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], "retrospective/2024-05-01-good");
    assert_eq!(json[0]["title"], "Release outage");
    assert_eq!(json[0]["domain"], "core");
    assert_eq!(json[0]["authors"][0], "alice-smith");
    let csv = repo
        .run(["docs", "list", "--domain", "core", "--format", "csv"])
        .ok();
    assert_eq!(
        csv,
        "date,kind,domain,title,authors,path\n2024-05-01,retrospective,core,Release outage,alice-smith,community/retrospective/2024-05-01-good.md\n"
    );
    assert_eq!(
        repo.run(["docs", "list", "--kind", "hot-seat"]).ok(),
        "date  kind  domain  title  authors  path\n"
    );
}

#[test]
fn docs_work_before_the_first_commit() {
    let repo = Repo::new();
    repo.git(&["config", "user.name", "Alice Smith"]);
    let rel = repo
        .run([
            "new",
            "learning-circle",
            "Async Rust",
            "--date",
            "2024-05-01",
        ])
        .ok();
    assert_eq!(rel, "community/learning-circle/2024-05-01-async-rust.md\n");
    // Without an e-mail the author is the name alone.
    let doc = parse("x", &read(&repo, rel.trim())).unwrap();
    assert_eq!(doc.front.authors, ["Alice Smith"]);
    // No history to resolve names against: listed as written.
    let json = repo.run(["docs", "list", "--format", "json"]).json();
    assert_eq!(json[0]["authors"][0], "Alice Smith");
    repo.write(
        "community/learning-circle/2024-05-02-list.md",
        "---\n- a\n---\n",
    );
    let run = repo.run(["docs", "check"]);
    run.fails_with(1);
    // The scaffold's unfilled sections are warnings; the one error is the list.
    let errors: Vec<String> = run
        .stdout()
        .lines()
        .filter(|l| !l.contains(": warning: "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        errors.concat(),
        "community/learning-circle/2024-05-02-list.md:2: front matter must be `key: value` lines (a YAML mapping), e.g. `title: \"...\"`\n"
    );
}

#[test]
fn docs_feed_the_ledger_and_the_snapshot() {
    let repo = repo_with_identity();
    repo.write("guild.yml", "opt_out: [\"Dan\"]\n");
    repo.commit_by("Bob <bob@example.com>", "2024-01-02", "bob's work");
    let rel = repo
        .run([
            "new",
            "case-round",
            "Choosing a parser",
            "--date",
            "2024-03-01",
            "--facilitator",
            "Bob <bob@example.com>",
            "--participants",
            "Carol,Dan",
            "--tags",
            "parsing",
        ])
        .ok();
    let ctx = repo.run(["context", "--json"]).json();
    let alice = person(&ctx, "alice-smith");
    assert_eq!(alice["counts"]["docs_written"], 1);
    let rule = |p: &serde_json::Value, r: &str| {
        p["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["rule"] == r)
            .map(|b| b["points"].as_u64().unwrap())
    };
    assert_eq!(rule(alice, "doc_written"), Some(15));
    assert_eq!(rule(person(&ctx, "bob"), "doc_facilitated"), Some(5));
    assert_eq!(rule(person(&ctx, "carol"), "doc_participated"), Some(2));
    let docs = ctx["docs"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d["path"], rel.trim());
    assert_eq!(d["id"], "case-round/2024-03-01-choosing-a-parser");
    assert_eq!(d["title"], "Choosing a parser");
    assert_eq!(d["kind"], "case-round");
    assert_eq!(d["date"], "2024-03-01");
    assert_eq!(d["domain"], serde_json::Value::Null);
    assert_eq!(d["tags"], serde_json::json!(["parsing"]));
    assert_eq!(d["authors"], serde_json::json!(["alice-smith"]));
    assert_eq!(d["facilitator"], "bob");
    // Dan opted out: anonymous in the snapshot, and no e-mail anywhere.
    assert_eq!(
        d["participants"],
        serde_json::json!(["carol", "anonymous-1"])
    );
    assert_eq!(d["status"], "draft");
    assert!(!serde_json::to_string(&ctx)
        .unwrap()
        .contains("@example.com"));
}

#[test]
fn bare_repositories_need_a_working_tree() {
    let repo = docs_repo(&[]);
    let bare = tempfile::tempdir().unwrap();
    let bare_path = bare.path().join("b.git");
    repo.git(&["clone", "-q", "--bare", ".", bare_path.to_str().unwrap()]);
    let dir: &Path = &bare_path;
    for args in [
        vec!["new", "micro-teach", "X"],
        vec!["docs", "check"],
        vec!["docs", "list"],
    ] {
        let err = repo.run_in(dir, &args).fails_with(2);
        assert!(err.contains("is a bare repository"), "{args:?}: {err}");
        assert!(err.contains("fix: run"), "{err}");
    }
}

#[test]
fn an_overridden_pr_comment_template_is_not_a_doc_kind() {
    let repo = Repo::new();
    repo.write(".guild/templates/comment.md.hbs", "Hello {{title}}\n")
        .commit_by("Alice <alice@example.com>", "2024-01-01", "init");
    let list = repo.run(["new", "--list"]).ok();
    assert!(!list.lines().any(|l| l.starts_with("comment")), "{list}");
    let err = repo
        .run(["new", "comment", "Hi", "--date", "2024-01-02"])
        .fails_with(2);
    assert!(err.contains("unknown kind `comment`"), "{err}");
}
