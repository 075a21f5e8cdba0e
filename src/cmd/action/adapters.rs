//! The Action's seams to the rest of cargo guild: reviewer suggestion, the docs check, sync
//! and the site build, each behind one function with the shape the Action needs. The rest
//! of `cmd::action` only calls these, so that the commands behind them can change without
//! touching the event handling.

use std::path::{Path, PathBuf};

use crate::cli::{GlobalOpts, SyncArgs};
use crate::cmd::Session;
use crate::config::Config;
use crate::events::{EventKind, Ledger};
use crate::render::comment::Finding;
use crate::snapshot::Display;

/// A suggested reviewer, as the Action shows and requests them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedPerson {
    /// The display id (anonymised for opted-out people).
    pub id: String,
    pub name: String,
    /// The login to request a review from, where known.
    pub login: Option<String>,
    pub reason: String,
}

/// Experts, best first, and one learner to shadow them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggested {
    pub reviewers: Vec<SuggestedPerson>,
    pub shadow: Option<SuggestedPerson>,
}

/// Suggests reviewers for a change to `changed` by `author` (a person index, if known).
///
/// Stand-in until `analysis::suggest` lands: ranks people by the reviews and merged pull
/// requests they have in the whole history (not per path), and picks as shadow the
/// contributor with the fewest reviews. Authors, bots, opted-out people and
/// `reviewers.exclude` are never suggested.
pub fn suggest(
    _session: &Session,
    ledger: &Ledger,
    config: &Config,
    changed: &[String],
    author: Option<u32>,
) -> anyhow::Result<Suggested> {
    let _ = changed;
    let people = ledger.people();
    let display = Display::new(ledger);
    let mut reviews = vec![0u64; people.len()];
    let mut merged = vec![0u64; people.len()];
    let mut last = vec![i64::MIN; people.len()];
    for e in &ledger.events {
        let p = e.person as usize;
        match e.kind {
            EventKind::Review => reviews[p] += 1,
            EventKind::PrMerged => merged[p] += 1,
            _ => {}
        }
        last[p] = last[p].max(e.time);
    }
    let excluded = |i: usize| {
        let p = &people[i];
        Some(i as u32) == author
            || p.is_bot
            || p.opted_out
            || config.reviewers.exclude.iter().any(|x| {
                x.eq_ignore_ascii_case(&p.id)
                    || x.eq_ignore_ascii_case(&p.name)
                    || p.login
                        .as_deref()
                        .is_some_and(|l| x.eq_ignore_ascii_case(l))
                    || p.emails.contains(&x.to_lowercase())
            })
            || ledger.as_of.saturating_sub(last[i])
                > i64::from(config.reviewers.inactive_days) * 86_400
    };
    let mut ranked: Vec<usize> = (0..people.len())
        .filter(|&i| !excluded(i) && reviews[i] + merged[i] > 0)
        .collect();
    ranked.sort_by(|&a, &b| {
        (reviews[b] * 2 + merged[b])
            .cmp(&(reviews[a] * 2 + merged[a]))
            .then(people[a].id.cmp(&people[b].id))
    });
    let person = |i: usize, reason: String| SuggestedPerson {
        id: display.ids[i].clone(),
        name: display.names[i].clone(),
        login: people[i].login.clone(),
        reason,
    };
    let plural = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let reviewers: Vec<SuggestedPerson> = ranked
        .iter()
        .take(config.reviewers.count)
        .map(|&i| {
            person(
                i,
                format!(
                    "has reviewed {} and had {} merged here",
                    plural(reviews[i], "change"),
                    plural(merged[i], "pull request")
                ),
            )
        })
        .collect();
    let shadow = if config.reviewers.shadow {
        ranked
            .iter()
            .skip(config.reviewers.count)
            .filter(|&&i| merged[i] > 0)
            .min_by(|&&a, &&b| reviews[a].cmp(&reviews[b]).then(a.cmp(&b)))
            .map(|&i| {
                person(
                    i,
                    format!(
                        "has had {} merged and {} reviewed so far: a chance to learn this area",
                        plural(merged[i], "pull request"),
                        plural(reviews[i], "change")
                    ),
                )
            })
    } else {
        None
    };
    Ok(Suggested { reviewers, shadow })
}

/// Checks the community docs among `files` (paths relative to `root`) with `docs check`'s
/// rules; duplicate ids are found against every doc but reported only on these files.
pub fn docs_check(root: &Path, config: &Config, files: &[PathBuf]) -> Vec<Finding> {
    crate::cmd::docs::docs_check(root, config, Some(files))
        .into_iter()
        .map(|f| Finding {
            path: f.path,
            line: f.line,
            message: f.message,
        })
        .collect()
}

/// Brings GitHub history for `repo` (`owner/name`) into the history ref.
pub fn sync(global: &GlobalOpts, repo: &str) -> anyhow::Result<()> {
    crate::cmd::sync::execute(
        global,
        SyncArgs {
            repo: Some(repo.to_string()),
            full: false,
            since: None,
        },
    )
    .map(|_| ())
}

/// Builds the site into `out`, served under `base_url`; returns `site build`'s one-line
/// summary.
pub fn build_site(global: &GlobalOpts, out: &Path, base_url: &str) -> anyhow::Result<String> {
    crate::cmd::site::build(global, out, base_url)
}
