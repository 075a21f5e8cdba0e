//! Outcomes over time on generated histories whose answers are known: two teams that start
//! reviewing each other's work on a date, newcomers who stop coming back, and a flat
//! history where nothing may be flagged. Histories of hundreds of squash-merged pull
//! requests are written by one `git fast-import` (a process per commit would take minutes).

use std::io::Write as _;

use serde_json::Value;

use crate::support::{ident, Repo};

const DAY: i64 = 86_400;

/// Unix seconds of `YYYY-MM-DD` at noon UTC.
fn noon(date: &str) -> i64 {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("a date");
    d.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
}

/// A squash-merged pull request (`Title (#N)` committed by GitHub) touching one file, with
/// a `Reviewed-by` trailer per reviewer.
struct Pr {
    author: String,
    time: i64,
    path: String,
    reviewers: Vec<String>,
}

/// Writes `guild.yml` and the pull requests, in time order, as the history of `main`.
fn history(config: &str, prs: &mut [Pr]) -> Repo {
    prs.sort_by_key(|p| p.time);
    let repo = Repo::new();
    let mut s: Vec<u8> = Vec::new();
    let first = prs.first().map_or(0, |p| p.time) - DAY;
    let blob = |path: &str, content: &str, s: &mut Vec<u8>| {
        write!(
            s,
            "M 644 inline {path}\ndata {}\n{content}\n",
            content.len()
        )
        .unwrap();
    };
    let data = "Set up\n";
    write!(
        s,
        "commit refs/heads/main\nauthor Founder <founder@example.com> {first} +0000\ncommitter Founder <founder@example.com> {first} +0000\ndata {}\n{data}\n",
        data.len()
    )
    .unwrap();
    blob("guild.yml", config, &mut s);
    for (n, pr) in prs.iter().enumerate() {
        let (name, email) = ident(&pr.author);
        let mut msg = format!("Change {} (#{})\n", n + 1, n + 1);
        if !pr.reviewers.is_empty() {
            msg.push('\n');
            for r in &pr.reviewers {
                let (rn, re) = ident(r);
                msg.push_str(&format!("Reviewed-by: {rn} <{re}>\n"));
            }
        }
        write!(
            s,
            "\ncommit refs/heads/main\nauthor {name} <{email}> {t} +0000\ncommitter GitHub <noreply@github.com> {t} +0000\ndata {}\n{msg}\n",
            msg.len(),
            t = pr.time
        )
        .unwrap();
        blob(&pr.path, &format!("{n}\n"), &mut s);
    }
    s.extend_from_slice(b"\ndone\n");
    repo.fast_import(&s);
    repo.git(&["reset", "-q", "--hard"]);
    repo
}

fn metric<'a>(compare: &'a Value, name: &str) -> &'a Value {
    compare["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no metric {name} in {compare:#}"))
}

fn flagged(compare: &Value) -> Vec<String> {
    compare["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["beyond_noise"] == true)
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect()
}

const TEAM_A: [&str; 4] = ["Ann", "Abe", "Ada", "Amy"];
const TEAM_B: [&str; 4] = ["Ben", "Bea", "Bob", "Bud"];
const TEAMS_YML: &str = "domains:\n  parser: [\"parser/**\"]\n  backend: [\"backend/**\"]\ninterventions:\n  - name: cross-team masterminds\n    date: 2024-07-01\n    note: monthly hot seats mixing the parser and backend teams\n";

/// Two teams of four, one pull request per team a day from 2024-01-01 to 2024-10-31, each
/// reviewed by the next teammate. From 2024-07-01 Ann also reviews two in three of the
/// backend team's pull requests, and Ben the parser team's.
fn two_teams() -> Repo {
    let mut prs = Vec::new();
    let start = noon("2024-01-01");
    let at = noon("2024-07-01");
    for d in 0..305i64 {
        let t = start + d * DAY;
        for (team, dir, bridge) in [(TEAM_A, "parser", "Ben"), (TEAM_B, "backend", "Ann")] {
            let k = d as usize % 4;
            let mut reviewers = vec![team[(k + 1) % 4].to_string()];
            if t >= at && d % 3 != 0 {
                reviewers.push(bridge.to_string());
            }
            prs.push(Pr {
                author: team[k].to_string(),
                time: t,
                path: format!("{dir}/f{k}.rs"),
                reviewers,
            });
        }
    }
    history(TEAMS_YML, &mut prs)
}

#[test]
fn teams_that_start_reviewing_each_other_show_in_the_network_and_compare_flags_it() {
    let repo = two_teams();
    let c = repo
        .run([
            "compare",
            "--intervention",
            "cross-team masterminds",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(c["intervention"], "cross-team masterminds");
    assert_eq!(c["before"]["from"], "2024-04-02");
    assert_eq!(c["before"]["to"], "2024-06-30");
    assert_eq!(c["after"]["from"], "2024-07-01");
    assert_eq!(c["after"]["to"], "2024-09-28");
    // Within each team: 4 × 1 ties out of 8 × 7 before; then Ann → 4 and Ben → 4 more.
    let density = metric(&c, "density");
    assert_eq!(density["before"], 0.1429, "{density}");
    assert_eq!(density["after"], 0.2857, "{density}");
    assert_eq!(density["beyond_noise"], true, "{density}");
    let cross = metric(&c, "cross_domain_review_share");
    assert_eq!(cross["before"], 0.0);
    assert!(cross["after"].as_f64().unwrap() > 0.2, "{cross}");
    assert_eq!(cross["beyond_noise"], true, "{cross}");
    let brokers = metric(&c, "brokers");
    assert_eq!(brokers["before"], 0.0, "two separate rings have no brokers");
    assert!(brokers["after"].as_f64().unwrap() >= 2.0, "{brokers}");
    assert_eq!(brokers["beyond_noise"], true, "{brokers}");
    let components = metric(&c, "components");
    assert_eq!(
        (&components["before"], &components["after"]),
        (&2.0.into(), &1.0.into())
    );
    // The same people were active throughout: not flagged.
    assert_eq!(metric(&c, "active_people")["beyond_noise"], false);
    assert_eq!(metric(&c, "active_people")["change"], 0.0);
    // Bus factors come without an interval: they are states of all history, not samples.
    let tf = metric(&c, "truck_factor:parser");
    assert!(
        tf["ci_low"].is_null() && tf["beyond_noise"] == false,
        "{tf}"
    );

    // The trends show the same turn: the last window before is split, the first after is one.
    let w = repo.run(["trends", "--format", "json"]).json();
    let windows = w.as_array().unwrap();
    let window_at = |day: &str| {
        windows
            .iter()
            .find(|x| x["from"].as_str().unwrap() <= day && x["to"].as_str().unwrap() >= day)
            .unwrap_or_else(|| panic!("no window holds {day}"))
    };
    let before = window_at("2024-04-15");
    let after = window_at("2024-09-15");
    assert_eq!(before["components"], 2, "{before}");
    assert_eq!(after["components"], 1, "{after}");
    assert!(after["density"].as_f64() > before["density"].as_f64());
    assert_eq!(before["cross_domain_review_share"], 0.0);
    assert!(after["cross_domain_review_share"].as_f64().unwrap() > 0.0);
    assert_eq!(before["domains"]["parser"]["contributor_absence_factor"], 2);

    // The table says before/after, never that the intervention caused anything.
    let table = repo
        .run(["compare", "--intervention", "Cross-Team Masterminds"])
        .ok();
    assert!(table.contains("before 2024-04-02 to 2024-06-30"), "{table}");
    assert!(table.contains("density"), "{table}");
    assert!(!table.to_lowercase().contains("caused"), "{table}");
    assert!(!table.contains('@'), "no e-mail addresses: {table}");
}

/// A core of three reviewing each other daily through 2024; one newcomer a week, each
/// reviewed by the core. Until 2024-05-31 every newcomer comes back two weeks later with
/// a second pull request; from 2024-06-01 none does.
fn newcomers_stop_returning() -> Repo {
    let core = ["Cat", "Cid", "Col"];
    let mut prs = Vec::new();
    let start = noon("2024-01-01");
    let stop = noon("2024-06-01");
    for d in 0..366i64 {
        let k = d as usize % 3;
        prs.push(Pr {
            author: core[k].into(),
            time: start + d * DAY,
            path: "src/core.rs".into(),
            reviewers: vec![core[(k + 1) % 3].into()],
        });
    }
    for w in 0..40i64 {
        let t = start + w * 7 * DAY + 3 * 3600;
        let who = format!("New{w:02}");
        let pr = |time: i64| Pr {
            author: who.clone(),
            time,
            path: format!("src/n{w}.rs"),
            reviewers: vec![core[w as usize % 3].into()],
        };
        prs.push(pr(t));
        if t < stop {
            prs.push(pr(t + 14 * DAY));
        }
    }
    history("", &mut prs)
}

#[test]
fn newcomers_who_stop_coming_back_lower_the_return_rate() {
    let repo = newcomers_stop_returning();
    let w = repo
        .run(["trends", "--window", "60", "--format", "json"])
        .json();
    let rates: Vec<(String, Value)> = w
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["from"].as_str().unwrap().to_string(),
                x["newcomer_return_rate"].clone(),
            )
        })
        .collect();
    // Windows wholly before the stop: everyone came back; wholly after (and judged): nobody.
    for (from, rate) in &rates {
        if from.as_str() >= "2024-01-01" && from.as_str() < "2024-03-31" {
            assert_eq!(rate, &Value::from(1.0), "{rates:?}");
        }
        if from.as_str() >= "2024-06-01" && from.as_str() < "2024-09-01" {
            assert_eq!(rate, &Value::from(0.0), "{rates:?}");
        }
    }
    // The last 90 days' newcomers cannot be judged yet.
    assert!(rates.last().unwrap().1.is_null(), "{rates:?}");
    let c = repo
        .run([
            "compare",
            "--at",
            "2024-06-01",
            "--window",
            "60",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(c["intervention"], "2024-06-01");
    let rate = metric(&c, "newcomer_return_rate");
    assert_eq!(rate["before"], 1.0);
    assert_eq!(rate["after"], 0.0);
    assert_eq!(rate["change"], -1.0);
    assert_eq!(rate["beyond_noise"], true, "{rate}");
    // Newcomers kept arriving at the same pace.
    assert_eq!(metric(&c, "newcomers")["beyond_noise"], false);

    // Cohorts: each window's arrivals and how far they got.
    let cohorts = repo
        .run(["trends", "--cohorts", "--window", "60", "--format", "json"])
        .json();
    // The first whole window of arrivals (the first one also holds the founders).
    let first = &cohorts[1];
    assert_eq!(first["from"], "2024-01-07");
    assert_eq!(first["newcomers"], 9, "{first}");
    let contributor = first["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "contributor")
        .unwrap();
    assert_eq!(contributor["after_90_days"], first["newcomers"], "{first}");
    let last = cohorts.as_array().unwrap().last().unwrap();
    assert!(
        last["steps"][0]["after_90_days"].is_null(),
        "not over yet: {last}"
    );
}

/// The same week every week: six people, each authoring and reviewing in a fixed rotation.
fn flat() -> Repo {
    let people = ["Pat", "Pia", "Pol", "Pam", "Pip", "Poe"];
    let mut prs = Vec::new();
    let start = noon("2024-01-01");
    for d in 0..360i64 {
        for j in 0..2usize {
            let k = (d as usize * 2 + j) % 6;
            prs.push(Pr {
                author: people[k].into(),
                time: start + d * DAY + j as i64 * 3600,
                path: format!("src/{k}.rs"),
                reviewers: vec![people[(k + 1 + j) % 6].into()],
            });
        }
    }
    history(
        "interventions:\n  - name: new label\n    date: 2024-07-01\n",
        &mut prs,
    )
}

#[test]
fn a_flat_history_has_nothing_beyond_noise() {
    let repo = flat();
    let c = repo
        .run(["compare", "--intervention", "new label", "--format", "json"])
        .json();
    assert_eq!(flagged(&c), Vec::<String>::new(), "{c:#}");
    assert_eq!(metric(&c, "density")["change"], 0.0);
    assert_eq!(metric(&c, "review_ties")["change"], 0.0);
    let table = repo.run(["compare", "--intervention", "new label"]).ok();
    assert!(table.contains("larger than their noise"), "{table}");
    assert!(table.contains(": none"), "{table}");
}

#[test]
fn trends_and_compare_render_the_same_from_a_saved_snapshot() {
    let repo = two_teams();
    let saved = repo.path().join("saved-context.json");
    let context = repo.run(["context", "--json"]).ok();
    std::fs::write(&saved, &context).unwrap();
    let snapshot: Value = serde_json::from_str(&context).unwrap();
    assert_eq!(snapshot["trends"]["window_days"], 90);
    assert_eq!(
        snapshot["trends"]["interventions"][0]["intervention"],
        "cross-team masterminds"
    );
    let saved = saved.to_str().unwrap();
    let commands: &[&[&str]] = &[
        &["trends"],
        &["trends", "--format", "json"],
        &["trends", "--format", "csv"],
        &["trends", "--since", "2024-06-01"],
        &["trends", "--cohorts"],
        &["trends", "--cohorts", "--format", "json"],
        &["compare", "--intervention", "cross-team masterminds"],
        &[
            "compare",
            "--intervention",
            "cross-team masterminds",
            "--format",
            "json",
        ],
        &[
            "compare",
            "--intervention",
            "cross-team masterminds",
            "--format",
            "csv",
        ],
        &["compare", "--at", "2024-07-01"],
    ];
    for args in commands {
        let direct = repo.run(args.iter()).ok();
        assert!(!direct.trim().is_empty(), "{args:?} printed nothing");
        let mut with: Vec<&str> = args.to_vec();
        with.extend(["--from-context", saved]);
        let from_snapshot = repo.run(with.iter()).ok();
        assert_eq!(
            direct, from_snapshot,
            "{args:?} differs from the saved snapshot"
        );
    }
    // Other commands do not pay for the trends.
    let json = repo.run(["network", "--format", "json"]).ok();
    assert!(!json.contains("window_days"));
    // What a saved snapshot cannot answer is refused with the fix.
    let err = repo
        .run(["trends", "--window", "30", "--from-context", saved])
        .fails_with(2);
    assert!(
        err.contains("90-day windows") && err.contains("fix:"),
        "{err}"
    );
    let err = repo
        .run(["compare", "--at", "2024-08-01", "--from-context", saved])
        .fails_with(2);
    assert!(err.contains("fix:"), "{err}");
}

#[test]
fn the_json_has_the_documented_shape() {
    let repo = two_teams();
    let w = repo.run(["trends", "--format", "json"]).json();
    let keys = [
        "from",
        "to",
        "active_people",
        "newcomers",
        "newcomer_return_rate",
        "median_days_to_first_review",
        "reviews_per_merged_pr",
        "cross_domain_review_share",
        "review_ties",
        "density",
        "transitivity",
        "brokers",
        "isolates",
        "components",
        "median_days_to_reviewer",
        "domains",
    ];
    for window in w.as_array().unwrap() {
        let obj = window.as_object().unwrap();
        for k in keys {
            assert!(obj.contains_key(k), "{k} missing in {window}");
        }
        for d in ["parser", "backend"] {
            assert!(window["domains"][d]["truck_factor"].is_u64(), "{window}");
        }
    }
    // Windows tile history back from the last day, 90 days each.
    let last = w.as_array().unwrap().last().unwrap();
    assert_eq!(last["to"], "2024-10-31");
    assert_eq!(last["from"], "2024-08-03");
    let c = repo
        .run(["compare", "--at", "2024-07-01", "--format", "json"])
        .json();
    for k in ["intervention", "before", "after", "metrics"] {
        assert!(c.get(k).is_some(), "{k} missing in {c}");
    }
    for m in c["metrics"].as_array().unwrap() {
        for k in [
            "name",
            "before",
            "after",
            "change",
            "ci_low",
            "ci_high",
            "beyond_noise",
        ] {
            assert!(m.get(k).is_some(), "{k} missing in {m}");
        }
        if let (Some(lo), Some(hi), Some(ch)) = (
            m["ci_low"].as_f64(),
            m["ci_high"].as_f64(),
            m["change"].as_f64(),
        ) {
            assert!(lo <= ch + 1e-9 && ch <= hi + 1e-9, "{m}");
        }
    }
    // Deterministic: the fixed seed gives the same intervals twice.
    let again = repo
        .run(["compare", "--at", "2024-07-01", "--format", "json"])
        .json();
    assert_eq!(c, again);
}

#[test]
fn bad_input_is_refused_with_the_fix() {
    let repo = two_teams();
    let err = repo
        .run(["compare", "--intervention", "hackathon"])
        .fails_with(2);
    assert!(
        err.contains("no intervention named `hackathon`")
            && err.contains("cross-team masterminds")
            && err.contains("fix:"),
        "{err}"
    );
    let err = repo.run(["compare", "--at", "2024-13-45"]).fails_with(2);
    assert!(err.contains("--at") && err.contains("YYYY-MM-DD"), "{err}");
    let err = repo.run(["trends", "--window", "0"]).fails_with(2);
    assert!(
        err.contains("--window") && err.contains("try --window 90"),
        "{err}"
    );
    let err = repo.run(["compare", "--at", "2030-01-01"]).fails_with(2);
    assert!(
        err.contains("nothing happened") && err.contains("fix:"),
        "{err}"
    );
    repo.run(["compare"]).fails_with(2);
    let err = repo.run(["trends", "--since", "yesterday"]).fails_with(2);
    assert!(err.contains("YYYY-MM-DD"), "{err}");

    // A date in guild.yml that is not one: where it is written, and the fix.
    repo.write(
        "guild.yml",
        "interventions:\n  - name: pairing\n    date: 2024-02-30\n",
    );
    let err = repo.run(["trends"]).fails_with(2);
    assert!(
        err.contains("guild.yml:3:") && err.contains("pairing") && err.contains("fix:"),
        "{err}"
    );
}

#[test]
fn the_published_schema_accepts_trends_with_an_intervention() {
    let repo = two_teams();
    let schema = repo.run(["context", "--schema"]).ok();
    crate::require!(
        crate::support::python_has("jsonschema"),
        "python3 with jsonschema (pip install jsonschema)"
    );
    let dir = repo.path();
    std::fs::write(dir.join("schema.json"), schema).unwrap();
    let mut ctx = repo.run(["context", "--json"]).json();
    assert!(!ctx["trends"]["interventions"][0]["metrics"]
        .as_array()
        .unwrap()
        .is_empty());
    std::fs::write(dir.join("ctx.json"), ctx.to_string()).unwrap();
    ctx["trends"]["windows"][0]["density"] = Value::from("dense");
    std::fs::write(dir.join("broken.json"), ctx.to_string()).unwrap();
    let check = |file: &str| crate::support::validate_with_schema(dir, file);
    let ok = check("ctx.json");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        !check("broken.json").status.success(),
        "a string density must not validate"
    );
}

#[test]
fn the_site_charts_every_metric_with_the_intervention_marked() {
    let repo = two_teams();
    let out = repo.path().join("site-out");
    repo.run(["site", "build", "--out", out.to_str().unwrap()])
        .ok();
    let page = std::fs::read_to_string(out.join("outcomes.html")).expect("an Outcomes page");
    let main = page.split("<main").nth(1).expect("a <main> element");
    assert_eq!(
        main.matches("<svg class=\"chart\"").count(),
        13,
        "a chart per metric"
    );
    assert!(
        main.contains("stroke-dasharray"),
        "the intervention is marked"
    );
    assert!(main.contains("Before and after: cross-team masterminds (2024-07-01)"));
    assert!(main.contains("monthly hot seats"));
    assert!(main.contains("Newcomer cohorts"));
    assert!(!main.to_lowercase().contains("caused"));
    assert!(!page.contains("@example.com"), "no e-mail addresses");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("outcomes.html\">Outcomes</a>"),
        "in the navigation"
    );
    // The last window is all after the masterminds began, the one before only half.
    let moved = home
        .split("id=\"moved-h\"")
        .nth(1)
        .expect("what moved, on the home page");
    assert!(moved.contains("Reviews outside the reviewer"), "{moved}");
}
