//! Reviewer suggestion: who knows the changed files, reviews, is around and has room.
//!
//! The evidence (`model`) is read from the ledger in time order. For each candidate it has
//! four parts, each turned into a share of all candidates' evidence of that kind, then
//! weighted:
//! - **review experience** on the changed files (0.2): reviews of earlier changes to them,
//!   and less for changes elsewhere in their folder, less again a folder further up (×½ per
//!   folder: [`tree`]), averaged over the changed files;
//! - **authorship** there, counted the same way (0.05): a pull request counts once, not per
//!   commit;
//! - **the author's usual reviewers** (0.4): reviews given to this author's earlier work;
//! - **review activity** (0.35): reviews given lately, whatever the paths.
//!
//! Expertise and usual-reviewer ties halve every 180 days, activity every 30 days. The
//! score is lowered for someone **overloaded**: more reviews in the last [`LOAD_DAYS`] days
//! than both 8 and four times their usual pace. The author(s), bots, opted-out people,
//! `reviewers.exclude`, people `away:` (guild.yml) at the moment and people not seen for
//! `reviewers.inactive_days` are never suggested. With `reviewers.shadow`, one learner comes
//! on top: someone who knows the area and has reviewed fewer than [`LEARNER_MAX_REVIEWS`]
//! changes there.
//!
//! [`evaluate`] replays history to measure all this against simple baselines; the weights
//! were chosen there, on the histories of three repositories (see the README).
//!
//! Pure: the GitHub Action calls [`suggest`] with the pull request's paths and author.

use std::collections::BTreeMap;

use serde::Serialize;

mod evaluate;
mod model;
mod tree;

pub use evaluate::{evaluate, Baselines, Evaluation, Scores, YearScores};
pub use model::LOAD_DAYS;
use model::{Model, Ranked, PARAMS};
use tree::common_folder;

use crate::config::Config;
use crate::events::{EventKind, Ledger};
use crate::snapshot::Display;
use crate::sources::paths::PathsIndex;
use crate::util::day;

/// A learner has reviewed fewer than this many changes in the area.
pub const LEARNER_MAX_REVIEWS: u32 = 3;

/// The answer, ready to print or to post.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    /// The reference date (the latest activity), `YYYY-MM-DD`.
    pub as_of: String,
    pub changed_paths: Vec<String>,
    /// The folder the changed paths share, e.g. `src/parser/` (empty: the repository root).
    pub area: String,
    /// The author(s) of the change, as display ids.
    pub authors: Vec<String>,
    /// Best first.
    pub reviewers: Vec<Suggestion>,
    /// A learner to review alongside, when `reviewers.shadow`.
    pub shadow: Option<Suggestion>,
    /// People who worked on these paths but were left out, and why (opted-out people are
    /// not listed), by id.
    pub excluded: Vec<Excluded>,
    /// How many were left out for each reason (opted-out people not counted).
    pub left_out: BTreeMap<&'static str, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub name: String,
    /// The GitHub login to request a review from, where known.
    pub login: Option<String>,
    /// Out of 100: the weighted shares of the evidence, lowered when overloaded.
    pub score: f64,
    /// Changes authored in the area (a pull request counts once).
    pub authored: u64,
    /// Changes reviewed in the area.
    pub reviewed: u64,
    /// `YYYY-MM-DD` of the latest work in the area (or anywhere, if none there).
    pub last_active: String,
    /// Reviews given in the last [`LOAD_DAYS`] days.
    pub recent_reviews: u64,
    /// Why, in a sentence.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    pub id: String,
    pub reason: &'static str,
}

/// Who may be suggested at a moment, and why not.
struct Gate<'a> {
    ledger: &'a Ledger,
    excluded_by_config: Vec<u32>,
    inactive_days: i64,
    /// `away:` periods by person, as [first day's start, last day's end) in Unix seconds.
    /// Names that are nobody here are skipped (`rotate` reports them).
    away: Vec<(u32, i64, i64)>,
}

impl<'a> Gate<'a> {
    fn new(ledger: &'a Ledger, config: &Config) -> Self {
        Gate {
            ledger,
            excluded_by_config: config
                .reviewers
                .exclude
                .iter()
                .filter_map(|x| ledger.identities.resolve_mention(x))
                .collect(),
            inactive_days: i64::from(config.reviewers.inactive_days),
            away: config
                .away
                .iter()
                .filter_map(|(who, dates)| {
                    let p = ledger.identities.resolve_mention(who)?;
                    let day = |i: usize| {
                        let d = crate::config::rhythm::parse_date(dates.get(i)?)?;
                        Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
                    };
                    Some((p, day(0)?, day(1)? + 86_400))
                })
                .collect(),
        }
    }

    /// Why `p` may not review a change by `authors` at `now`; `None`: they may.
    fn why_not(&self, model: &Model, now: i64, authors: &[u32], p: u32) -> Option<&'static str> {
        let person = &self.ledger.people()[p as usize];
        if authors.contains(&p) {
            Some("author of the change")
        } else if person.is_bot {
            Some("bot")
        } else if person.opted_out {
            Some("opted out")
        } else if self.excluded_by_config.contains(&p) {
            Some("in reviewers.exclude")
        } else if self
            .away
            .iter()
            .any(|&(q, from, to)| q == p && from <= now && now < to)
        {
            Some("away")
        } else if !model
            .last_seen(p)
            .is_some_and(|t| t >= now - self.inactive_days * 86_400)
        {
            Some("inactive")
        } else {
            None
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Suggests reviewers for a change to `changed_paths` by `authors` (person indices).
pub fn suggest(
    ledger: &Ledger,
    paths: &PathsIndex,
    config: &Config,
    changed_paths: &[String],
    authors: &[u32],
) -> Suggestions {
    let people = ledger.people();
    let display = Display::new(ledger);
    let mut model = Model::new(ledger, paths, PARAMS);
    model.read_all();
    let now = ledger.as_of;
    let chains: Vec<Vec<u32>> = changed_paths.iter().map(|p| model.tree.chain(p)).collect();
    let gate = Gate::new(ledger, config);
    // Where the counts in the reasons are taken: the folder the changed paths share, or
    // else each top-level folder they are in (summed: a change touching two of them counts
    // in each).
    let area = common_folder(changed_paths);
    let mut area_nodes: Vec<u32> = if area.is_empty() {
        chains.iter().filter_map(|c| c.last().copied()).collect()
    } else {
        model.tree.folder(&area).into_iter().collect()
    };
    area_nodes.sort_unstable();
    area_nodes.dedup();
    let place = if !area.is_empty() {
        format!("in {area}")
    } else {
        let mut names: Vec<&str> = area_nodes
            .iter()
            .map(|&n| match model.tree.name(n) {
                "" => "the top level",
                name => name,
            })
            .collect();
        names.sort_unstable();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("in {} and {last}", rest.join(", ")),
            _ => format!("in {}", names.join("")),
        }
    };
    let in_area = |p: u32| -> model::Know {
        let mut sum = model::Know::default();
        for &n in &area_nodes {
            if let Some(k) = model.know(n, p) {
                sum.authored += k.authored;
                sum.reviewed += k.reviewed;
                sum.last = sum.last.max(k.last);
            }
        }
        sum
    };

    // Everyone who worked in the area but may not review, and why.
    let mut excluded = Vec::new();
    let mut left_out: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut knowers: Vec<u32> = area_nodes
        .iter()
        .flat_map(|&n| model.on(n).map(|(p, _)| p))
        .collect();
    knowers.sort_unstable();
    knowers.dedup();
    for &p in &knowers {
        let Some(reason) = gate.why_not(&model, now, authors, p) else {
            continue;
        };
        if people[p as usize].opted_out {
            continue;
        }
        *left_out.entry(reason).or_default() += 1;
        excluded.push(Excluded {
            id: display.ids[p as usize].clone(),
            reason,
        });
    }

    let ranked = model.rank(&chains, authors, |p| {
        gate.why_not(&model, now, authors, p).is_none()
    });
    let author_ids: Vec<String> = authors
        .iter()
        .map(|&a| display.ids[a as usize].clone())
        .collect();
    let reviews_known = ledger
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Review | EventKind::ReviewComment));
    let make = |r: &Ranked, learner: bool| {
        let know = in_area(r.person);
        let mut parts = Vec::new();
        let (reviewed, wrote) = (u64::from(know.reviewed), u64::from(know.authored));
        let changes = |n| if n == 1 { "change" } else { "changes" };
        match (reviewed > 0 || learner, wrote > 0) {
            (true, true) => parts.push(format!(
                "reviewed {reviewed} and wrote {wrote} {} {place}",
                changes(wrote)
            )),
            (true, false) => {
                parts.push(format!("reviewed {reviewed} {} {place}", changes(reviewed)))
            }
            (false, true) => parts.push(format!("wrote {wrote} {} {place}", changes(wrote))),
            (false, false) => {}
        }
        if r.parts.usual > 0.0 && !author_ids.is_empty() {
            parts.push(format!(
                "has reviewed {}'s work before",
                author_ids.join(", ")
            ));
        }
        if parts.is_empty() {
            parts.push("an active reviewer".to_string());
        }
        let last = if know.last > 0 {
            know.last
        } else {
            model.last_seen(r.person).unwrap_or(0)
        };
        let busy = if r.overloaded {
            " (more than usual)"
        } else {
            ""
        };
        // A review count only where the history records reviews: "0 reviews" would be
        // wrong about a maintainer whose reviews live only on GitHub, before `sync`.
        let load = if reviews_known {
            format!(
                "; {}{busy} in the last {LOAD_DAYS} days",
                plural(u64::from(r.load), "review", "reviews")
            )
        } else {
            String::new()
        };
        let reason = format!(
            "{}{}, last {}{load}",
            if learner { "learner: " } else { "" },
            parts.join(", "),
            day(last),
        );
        Suggestion {
            id: display.ids[r.person as usize].clone(),
            name: display.names[r.person as usize].clone(),
            login: people[r.person as usize].login.clone(),
            score: (r.score * 10_000.0).round() / 100.0,
            authored: u64::from(know.authored),
            reviewed: u64::from(know.reviewed),
            last_active: day(last),
            recent_reviews: u64::from(r.load),
            reason,
        }
    };
    let count = config.reviewers.count;
    let reviewers: Vec<Suggestion> = ranked.iter().take(count).map(|r| make(r, false)).collect();
    let shadow = if config.reviewers.shadow {
        ranked
            .iter()
            .skip(count)
            .filter(|r| r.parts.review + r.parts.author > 0.0)
            .filter(|r| in_area(r.person).reviewed < LEARNER_MAX_REVIEWS)
            .max_by(|x, y| {
                (x.parts.review + x.parts.author)
                    .total_cmp(&(y.parts.review + y.parts.author))
                    .then(y.person.cmp(&x.person))
            })
            .map(|r| make(r, true))
    } else {
        None
    };
    Suggestions {
        as_of: day(now),
        changed_paths: changed_paths.to_vec(),
        area,
        authors: author_ids,
        reviewers,
        shadow,
        excluded,
        left_out,
    }
}
