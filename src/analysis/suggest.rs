//! Reviewer suggestion: who knows the changed paths, recently, and has room to review.
//!
//! score = expertise × 1 / (1 + reviews given in the last [`LOAD_DAYS`] days), where
//! expertise sums, over every authored or reviewed piece of work, its weight (see
//! `domains::role`) × its closeness to the change × its recency (`domains::recency`).
//! Closeness of a touched path to a changed path: 1 for the same file, ½ for the same
//! folder (or below it), halved again for every folder further up; nothing when the two
//! share no folder (for files at the root: other root files count ½).
//!
//! The author(s), bots, opted-out people, `reviewers.exclude` and people inactive for more
//! than `reviewers.inactive_days` are never suggested. With `reviewers.shadow`, one learner
//! comes on top: someone close to the area (authored or reviewed nearby) who has reviewed
//! fewer than [`LEARNER_MAX_REVIEWS`] changes there, so knowledge spreads.
//!
//! Pure: the GitHub Action calls [`suggest`] with the pull request's paths and author.

use std::collections::BTreeMap;

use serde::Serialize;

use super::domains::{is_active, last_seen, recency, role, WorkPaths};
use crate::config::Config;
use crate::events::{EventKind, Ledger};
use crate::snapshot::Display;
use crate::sources::paths::PathsIndex;
use crate::util::day;

/// Reviews in this many days before `as_of` make up a person's current load.
pub const LOAD_DAYS: i64 = 30;
/// A learner has reviewed fewer than this many changes near the area.
pub const LEARNER_MAX_REVIEWS: u64 = 3;

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
    /// People who know the area but were left out, and why (opted-out people are not listed).
    pub excluded: Vec<Excluded>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub name: String,
    /// The GitHub login to request a review from, where known.
    pub login: Option<String>,
    /// Expertise / (1 + load), two decimals.
    pub score: f64,
    /// Commits written near the changed paths.
    pub authored: u64,
    /// Changes reviewed near the changed paths.
    pub reviewed: u64,
    /// `YYYY-MM-DD` of the latest work near the changed paths.
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

#[derive(Default, Clone)]
struct Acc {
    expertise: f64,
    authored: u64,
    reviewed: u64,
    last: i64,
}

/// Splits a path into its folders and file name (`src/a/b.rs` → ([src, a], b.rs)); a
/// trailing `/` names a folder (empty file name).
fn split(path: &str) -> (Vec<&str>, &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or("");
    parts.retain(|p| !p.is_empty() && *p != ".");
    (parts, file)
}

/// How close a touched path is to a changed one (1, ½, ¼, ... or 0).
fn closeness(changed: &(Vec<&str>, &str), touched: &str) -> f64 {
    let (dirs, file) = split(touched);
    if !changed.1.is_empty() && dirs == changed.0 && file == changed.1 {
        return 1.0;
    }
    let d = changed.0.len();
    let k = changed
        .0
        .iter()
        .zip(&dirs)
        .take_while(|(a, b)| a == b)
        .count();
    if d == 0 {
        return if dirs.is_empty() { 0.5 } else { 0.0 };
    }
    if k == 0 {
        return 0.0;
    }
    0.5f64.powi((1 + d - k) as i32)
}

/// The folder all changed paths share, with a trailing `/` (empty: the root).
fn common_folder(paths: &[String]) -> String {
    let mut common: Option<Vec<&str>> = None;
    for p in paths {
        let (dirs, _) = split(p);
        common = Some(match common {
            None => dirs,
            Some(c) => c
                .iter()
                .zip(&dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    match common {
        Some(c) if !c.is_empty() => format!("{}/", c.join("/")),
        _ => String::new(),
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
    let work = WorkPaths::new(ledger, paths);
    let changed: Vec<(Vec<&str>, &str)> = changed_paths.iter().map(|p| split(p)).collect();
    let near: Vec<f64> = (0..work.len() as u32)
        .map(|id| {
            let name = work.name(id);
            changed
                .iter()
                .map(|c| closeness(c, name))
                .fold(0.0, f64::max)
        })
        .collect();

    let mut acc: BTreeMap<u32, Acc> = BTreeMap::new();
    let mut load: BTreeMap<u32, u64> = BTreeMap::new();
    let load_from = ledger.as_of - LOAD_DAYS * 86_400;
    for e in &ledger.events {
        if matches!(e.kind, EventKind::Review | EventKind::ReviewComment) && e.time >= load_from {
            *load.entry(e.person).or_default() += 1;
        }
        let Some((authored, weight)) = role(e.kind) else {
            continue;
        };
        let closeness = work
            .of_event(e)
            .iter()
            .map(|&p| near[p as usize])
            .fold(0.0, f64::max);
        if closeness <= 0.0 {
            continue;
        }
        let a = acc.entry(e.person).or_default();
        a.expertise += weight * closeness * recency(e.time, ledger.as_of);
        if authored {
            a.authored += 1;
        } else {
            a.reviewed += 1;
        }
        a.last = a.last.max(e.time);
    }

    let last = last_seen(ledger);
    let excluded_by_config: Vec<u32> = config
        .reviewers
        .exclude
        .iter()
        .filter_map(|x| ledger.identities.resolve_mention(x))
        .collect();
    let why_not = |p: u32| -> Option<&'static str> {
        let person = &people[p as usize];
        if authors.contains(&p) {
            Some("author of the change")
        } else if person.is_bot {
            Some("bot")
        } else if person.opted_out {
            Some("opted out")
        } else if excluded_by_config.contains(&p) {
            Some("in reviewers.exclude")
        } else if !is_active(last[p as usize], ledger, config) {
            Some("inactive")
        } else {
            None
        }
    };
    let area = common_folder(changed_paths);
    let place = if area.is_empty() {
        "near the changed paths".to_string()
    } else {
        format!("in or near {area}")
    };
    let make = |p: u32, a: &Acc, score: f64, learner: bool| {
        let recent = load.get(&p).copied().unwrap_or(0);
        let mut reason = if learner {
            "learner: ".to_string()
        } else {
            String::new()
        };
        let mut parts = Vec::new();
        if a.authored > 0 {
            parts.push(format!(
                "wrote {} {place}",
                plural(a.authored, "commit", "commits")
            ));
        }
        if a.reviewed > 0 || learner {
            parts.push(format!(
                "reviewed {} {place}",
                plural(a.reviewed, "change", "changes")
            ));
        }
        reason.push_str(&parts.join(", "));
        reason.push_str(&format!(
            ", last {}; {} in the last {LOAD_DAYS} days",
            day(a.last),
            plural(recent, "review", "reviews")
        ));
        Suggestion {
            id: display.ids[p as usize].clone(),
            name: display.names[p as usize].clone(),
            login: people[p as usize].login.clone(),
            score: (score * 100.0).round() / 100.0,
            authored: a.authored,
            reviewed: a.reviewed,
            last_active: day(a.last),
            recent_reviews: recent,
            reason,
        }
    };

    let mut excluded = Vec::new();
    let mut ranked: Vec<(u32, &Acc, f64)> = Vec::new();
    for (&p, a) in &acc {
        match why_not(p) {
            Some(reason) => {
                if !people[p as usize].opted_out {
                    excluded.push(Excluded {
                        id: display.ids[p as usize].clone(),
                        reason,
                    });
                }
            }
            None => {
                let l = load.get(&p).copied().unwrap_or(0);
                ranked.push((p, a, a.expertise / (1.0 + l as f64)));
            }
        }
    }
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let count = config.reviewers.count;
    let reviewers: Vec<Suggestion> = ranked
        .iter()
        .take(count)
        .map(|&(p, a, s)| make(p, a, s, false))
        .collect();
    let shadow = if config.reviewers.shadow {
        ranked
            .iter()
            .skip(count)
            .filter(|(_, a, _)| a.reviewed < LEARNER_MAX_REVIEWS)
            .max_by(|x, y| x.1.expertise.total_cmp(&y.1.expertise).then(y.0.cmp(&x.0)))
            .map(|&(p, a, s)| make(p, a, s, true))
    } else {
        None
    };
    Suggestions {
        as_of: day(ledger.as_of),
        changed_paths: changed_paths.to_vec(),
        area,
        authors: authors
            .iter()
            .map(|&a| display.ids[a as usize].clone())
            .collect(),
        reviewers,
        shadow,
        excluded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeness_halves_per_folder_up() {
        let c = split("src/parser/lexer.rs");
        assert_eq!(closeness(&c, "src/parser/lexer.rs"), 1.0);
        assert_eq!(closeness(&c, "src/parser/ast.rs"), 0.5);
        assert_eq!(closeness(&c, "src/parser/sub/x.rs"), 0.5);
        assert_eq!(closeness(&c, "src/main.rs"), 0.25);
        assert_eq!(closeness(&c, "docs/x.md"), 0.0);
        let root = split("README.md");
        assert_eq!(closeness(&root, "LICENSE"), 0.5);
        assert_eq!(closeness(&root, "src/x.rs"), 0.0);
    }

    #[test]
    fn common_folder_of_paths() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(common_folder(&v(&["src/a/x.rs", "src/a/b/y.rs"])), "src/a/");
        assert_eq!(common_folder(&v(&["src/a/x.rs", "docs/y.md"])), "");
    }
}
