//! `cargo guild rotate`: a fair, deterministic rotation that skips people who are away,
//! opted out or inactive, pairs a first-time facilitator with someone who has served, counts
//! held sessions, and exports a calendar that a real iCalendar parser reads.

use std::process::Command;

use serde_json::Value;

use crate::require;
use crate::support::Repo;

const RITUALS: &str = "opt_out: [dave]\naway:\n  carol: [2024-01-08, 2024-01-10]\nrituals:\n  - name: micro-teach\n    kind: micro-teach\n    every: 1 week\n    starts: 2024-01-01\n    pool: { people: [alice, bob, carol, dave, erin] }\n";

/// alice, bob, carol and dave active around the new year; erin last seen two years before;
/// bob facilitated a micro-teach before the schedule began.
fn community(config: &str) -> Repo {
    let repo = Repo::new();
    repo.write("guild.yml", config)
        .write(
            "community/micro-teach/2023-12-01-lifetimes.md",
            "---\ntitle: Lifetimes\nkind: micro-teach\ndate: 2023-12-01\nauthors: [bob]\nfacilitator: bob\n---\nNotes.\n",
        )
        .commit_by("Erin <erin@example.com>", "2021-12-01", "Old work");
    for (i, who) in [
        "Alice <alice@example.com>",
        "Bob <bob@example.com>",
        "Carol <carol@example.com>",
        "Dave <dave@example.com>",
    ]
    .iter()
    .enumerate()
    {
        repo.write(&format!("src/{i}.rs"), "x\n")
            .commit_by(who, &format!("2023-12-2{i}"), "Work");
    }
    repo
}

fn slots(repo: &Repo, args: &[&str]) -> Vec<(String, String, Option<String>)> {
    let mut all = vec!["rotate", "--format", "json"];
    all.extend(args);
    repo.run(all)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["date"].as_str().unwrap().to_string(),
                s["facilitator"].as_str().unwrap_or("-").to_string(),
                s["co_facilitator"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn the_rotation_is_fair_skips_who_cannot_serve_and_pairs_first_timers() {
    let repo = community(RITUALS);
    let got = slots(&repo, &["--from", "2024-01-01", "--count", "6"]);
    let want = [
        // Nobody but bob has served: alice (never, first by id), with bob beside her.
        ("2024-01-01", "alice", Some("bob")),
        // carol is away; bob served longer ago than alice.
        ("2024-01-08", "bob", None),
        // carol's first time, with the one who served longest ago of those who have.
        ("2024-01-15", "carol", Some("alice")),
        ("2024-01-22", "alice", None),
        ("2024-01-29", "carol", None),
        // Two each over the cycle (bob's held session counted).
        ("2024-02-05", "bob", None),
    ];
    let got: Vec<(&str, &str, Option<&str>)> = got
        .iter()
        .map(|(d, f, c)| (d.as_str(), f.as_str(), c.as_deref()))
        .collect();
    assert_eq!(got, want.to_vec());
    // dave opted out and erin has been inactive for two years: never in the schedule.
    let text = repo
        .run(["rotate", "--from", "2024-01-01", "--count", "20"])
        .ok();
    assert!(!text.contains("dave") && !text.contains("erin"), "{text}");
    // Deterministic: the same history gives the same schedule.
    assert_eq!(
        repo.run(["rotate", "--from", "2024-01-01", "--format", "json"])
            .ok(),
        repo.run(["rotate", "--from", "2024-01-01", "--format", "json"])
            .ok()
    );
}

#[test]
fn a_held_session_counts_for_its_facilitator() {
    let repo = community(RITUALS);
    // carol writes up the first session herself: that slot is hers, and alice is next.
    repo.write(
        "community/micro-teach/2024-01-02-traits.md",
        "---\ntitle: Traits\nkind: micro-teach\ndate: 2024-01-02\nauthors: [carol]\nfacilitator: carol\n---\nNotes.\n",
    )
    .commit_by("Carol <carol@example.com>", "2023-12-30", "Traits notes");
    let json = repo
        .run([
            "rotate",
            "--from",
            "2024-01-01",
            "--count",
            "2",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(json[0]["facilitator"], "carol");
    assert_eq!(json[0]["held"], true);
    assert_eq!(json[1]["facilitator"], "alice");
}

#[test]
fn the_calendar_parses_with_stable_uids() {
    let repo = community(RITUALS);
    let ics = repo
        .run([
            "rotate",
            "--from",
            "2024-01-01",
            "--count",
            "4",
            "--format",
            "ics",
        ])
        .ok();
    assert!(ics.contains("\r\n"), "CRLF line ends");
    require!(
        crate::support::python_has("icalendar"),
        "python3 with icalendar (pip install icalendar)"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rituals.ics");
    std::fs::write(&path, &ics).unwrap();
    let script = r#"
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
print(json.dumps([{"uid": str(e["UID"]), "start": e.decoded("DTSTART").isoformat(),
                   "end": e.decoded("DTEND").isoformat(), "summary": str(e["SUMMARY"])}
                  for e in cal.walk("VEVENT")]))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let events: Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 4);
    assert_eq!(events[0]["start"], "2024-01-01");
    assert_eq!(events[0]["end"], "2024-01-02");
    assert!(events[0]["summary"].as_str().unwrap().contains("Alice"));
    let uids: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), 4, "one UID per slot");
    // A later run over more history keeps the same UIDs for the same slots.
    repo.write("src/x.rs", "y\n")
        .commit_by("Alice <alice@example.com>", "2023-12-31", "More");
    let again = repo
        .run([
            "rotate",
            "--from",
            "2024-01-01",
            "--count",
            "4",
            "--format",
            "ics",
        ])
        .ok();
    for uid in &uids {
        assert!(again.contains(uid), "{uid} kept");
    }
}

#[test]
fn the_upcoming_schedule_renders_the_same_from_a_saved_snapshot() {
    let repo = community(RITUALS);
    let saved = repo.path().join("ctx.json");
    std::fs::write(&saved, repo.run(["context", "--json"]).ok()).unwrap();
    let saved = saved.to_str().unwrap();
    for fmt in ["table", "json", "ics"] {
        let direct = repo.run(["rotate", "--format", fmt]).ok();
        let from = repo
            .run(["rotate", "--format", fmt, "--from-context", saved])
            .ok();
        assert_eq!(direct, from, "{fmt}");
    }
    let err = repo
        .run(["rotate", "--from", "2024-01-01", "--from-context", saved])
        .fails_with(2);
    assert!(err.contains("need the history"), "{err}");
}

#[test]
fn bad_rituals_are_refused_with_where_and_how_to_fix() {
    let repo = community(&RITUALS.replace("every: 1 week", "every: fortnightly"));
    let err = repo.run(["rotate"]).fails_with(2);
    assert!(
        err.contains("guild.yml:7:") && err.contains("N weeks"),
        "{err}"
    );
    let repo = community(&RITUALS.replace(
        "pool: { people: [alice, bob, carol, dave, erin] }",
        "pool: { people: [alice, zed] }",
    ));
    let err = repo.run(["rotate"]).fails_with(2);
    assert!(
        err.contains("`zed`") && err.contains("nobody in the history"),
        "{err}"
    );
    let repo = community(&RITUALS.replace(
        "pool: { people: [alice, bob, carol, dave, erin] }",
        "pool: { step: contributor, domain: x }",
    ));
    let err = repo.run(["rotate"]).fails_with(2);
    assert!(err.contains("exactly one"), "{err}");
    let repo = community("");
    let err = repo.run(["rotate"]).fails_with(2);
    assert!(err.contains("no rituals"), "{err}");
}

#[test]
fn a_new_session_doc_on_a_slot_names_its_scheduled_facilitator() {
    let repo = community(RITUALS);
    repo.git(&["config", "user.name", "Alice"]);
    repo.git(&["config", "user.email", "alice@example.com"]);
    repo.run(["new", "micro-teach", "Borrowing", "--date", "2024-01-15"])
        .ok();
    let path = repo
        .path()
        .join("community/micro-teach/2024-01-15-borrowing.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("facilitator: \"carol\""), "{text}");
    // Off the schedule, or with --facilitator, nothing is filled in for you.
    repo.run(["new", "micro-teach", "Slices", "--date", "2024-01-16"])
        .ok();
    let text = std::fs::read_to_string(
        repo.path()
            .join("community/micro-teach/2024-01-16-slices.md"),
    )
    .unwrap();
    assert!(text.contains("facilitator: \"\""), "{text}");
}

/// The site shows the rhythm: the schedule (with its calendar file), endorsed skills on a
/// profile, and a domain's learning path.
#[test]
fn the_site_shows_the_schedule_endorsements_and_learning_paths() {
    let repo = community(&format!("{RITUALS}domains:\n  core: [\"src/**\"]\n"));
    repo.write("community/endorsements/bob/alice-lifetimes.yml", "skill: lifetimes\n")
        .write(
            "community/micro-teach/2023-12-02-borrowck.md",
            "---\ntitle: Borrow checking\nkind: micro-teach\ndate: 2023-12-02\nauthors: [alice]\ndomain: core\n---\nNotes.\n",
        )
        .commit_by("Alice <alice@example.com>", "2023-12-29", "Endorse bob");
    let out = tempfile::tempdir().unwrap();
    repo.run(["site", "build", "--out", out.path().to_str().unwrap()])
        .ok();
    let page = |p: &str| std::fs::read_to_string(out.path().join(p)).unwrap();
    let rhythm = page("rhythm.html");
    assert!(
        rhythm.contains("micro-teach") && rhythm.contains("Subscribe to the calendar"),
        "{rhythm}"
    );
    assert!(rhythm.contains("lifetimes"), "endorsed skills listed");
    let ics = page("rituals.ics");
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("BEGIN:VEVENT"));
    assert!(
        page("index.html").contains("rhythm.html"),
        "in the navigation"
    );
    let bob = page("people/bob.html");
    assert!(
        bob.contains("Endorsed for") && bob.contains("lifetimes"),
        "{bob}"
    );
    let core = page("domains/core.html");
    assert!(
        core.contains("Learning path") && core.contains("Borrow checking"),
        "{core}"
    );
}
