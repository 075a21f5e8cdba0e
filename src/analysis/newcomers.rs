//! Newcomers and the contributor ladder: how people move from the edge to the core.
//!
//! - A person's first contribution is their first event of any kind over all history (not a
//!   time window), so someone who commented for a year before their first commit is no
//!   newcomer when that commit lands.
//! - Time to first review: from the first contribution to the first review-side event on
//!   their work by someone else ([`EventKind::is_review_side`], the same relation as the
//!   review network's edges): a review or review comment, `Reviewed-by`, `Acked-by`,
//!   `Tested-by`, `Helped-by`, `Mentored-by`, and also a merge or a `Signed-off-by` by
//!   someone else, because in history without reviews that is the only trace of someone
//!   having looked at the work. Bots do not count.
//! - A second contribution is any later event about another piece of work (another pull
//!   request, or a commit or doc outside the first one).
//! - Mentors are the people who reviewed their work, with the number of distinct pieces of
//!   work (pull requests, or commits outside one) they reviewed, most first.
//! - The ladder (`guild.yml`'s `ladder`): counts of commits, merged pull requests, reviews
//!   given, docs written and reputation are taken over `window_days` before the ledger's
//!   `as_of` (0 = all history); `active_days` is the span between a person's first and last
//!   activity over all history (tenure is not a rolling quantity). Steps are cumulative: a
//!   person stands on the highest step such that it and every step below are met.
//!
//! Bots have no record and no step. No I/O; "now" is `ledger.as_of`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::reputation;
use crate::config::{Config, Requirements};
use crate::events::{Event, EventKind, Ledger, Target};
use crate::util::rfc3339;

/// A requirement of the next step that is not met yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Missing {
    /// The requirement's key in `guild.yml` (`prs_merged`, `reviews_given`, ...).
    pub what: String,
    pub have: u64,
    pub need: u64,
}

/// Where a person stands on the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct LadderStatus {
    /// The current step (none when even the first step's requirements are not met).
    pub step: Option<String>,
    /// Its position, 0 = the first step.
    pub index: Option<usize>,
    /// The next step, if any.
    pub next: Option<String>,
    /// What the next step still needs.
    pub missing: Vec<Missing>,
}

/// What the ladder counts for one person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LadderCounts {
    pub commits: u64,
    pub prs_merged: u64,
    pub reviews_given: u64,
    pub docs_written: u64,
    pub active_days: u64,
    pub score: u64,
}

impl LadderCounts {
    /// Counts one event of `kind` (other kinds count for nothing here).
    pub fn add(&mut self, kind: EventKind) {
        match kind {
            EventKind::Commit => self.commits += 1,
            // A merged topic branch is a merged change, like a pull request.
            EventKind::PrMerged | EventKind::ChangeSetMerged => self.prs_merged += 1,
            EventKind::Review | EventKind::ReviewComment => self.reviews_given += 1,
            EventKind::DocWritten => self.docs_written += 1,
            _ => {}
        }
    }

    /// Whether every requirement set in `r` is met.
    pub fn meets(&self, r: &Requirements) -> bool {
        self.check(r).is_empty()
    }

    /// (key, have, need) for every requirement set in `r`, in a fixed order.
    fn check(&self, r: &Requirements) -> Vec<Missing> {
        [
            ("commits", self.commits, r.commits),
            ("prs_merged", self.prs_merged, r.prs_merged),
            ("reviews_given", self.reviews_given, r.reviews_given),
            ("docs_written", self.docs_written, r.docs_written),
            ("active_days", self.active_days, r.active_days),
            ("score", self.score, r.score),
        ]
        .into_iter()
        .filter_map(|(what, have, need)| {
            need.filter(|&n| have < n).map(|need| Missing {
                what: what.to_string(),
                have,
                need,
            })
        })
        .collect()
    }
}

/// Ladder counts per person (indexed like `Ledger::people`). With `domains`, the score
/// includes the cross-domain review bonus, exactly as the person's profile shows it.
pub fn ladder_counts(
    ledger: &Ledger,
    config: &Config,
    domains: Option<&super::EventDomains>,
) -> Vec<LadderCounts> {
    let since = (config.ladder.window_days > 0)
        .then(|| ledger.as_of - i64::from(config.ladder.window_days) * 86_400);
    let scores = reputation::score_with(ledger, config, since, domains);
    let n = ledger.people().len();
    let mut out = vec![LadderCounts::default(); n];
    let mut span: Vec<Option<(i64, i64)>> = vec![None; n];
    for e in &ledger.events {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        let p = e.person as usize;
        span[p] = Some(span[p].map_or((e.time, e.time), |(f, l)| (f.min(e.time), l.max(e.time))));
        if since.is_some_and(|s| e.time < s) {
            continue;
        }
        out[p].add(e.kind);
    }
    for (p, c) in out.iter_mut().enumerate() {
        c.score = scores.totals[p].total;
        c.active_days = span[p].map_or(0, |(f, l)| ((l - f) / 86_400) as u64);
    }
    out
}

/// Each person's step (None for bots, people with no event, or an empty ladder).
pub fn ladder(
    ledger: &Ledger,
    config: &Config,
    domains: Option<&super::EventDomains>,
) -> Vec<Option<LadderStatus>> {
    let counts = ladder_counts(ledger, config, domains);
    let mut active = vec![false; ledger.people().len()];
    for e in &ledger.events {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        active[e.person as usize] = true;
    }
    let steps = &config.ladder.steps;
    ledger
        .people()
        .iter()
        .enumerate()
        .map(|(p, person)| {
            if person.is_bot || !active[p] || steps.is_empty() {
                return None;
            }
            let c = &counts[p];
            let mut index = None;
            let mut missing = Vec::new();
            for (i, s) in steps.iter().enumerate() {
                let m = c.check(&s.requires);
                if m.is_empty() {
                    index = Some(i);
                } else {
                    missing = m;
                    break;
                }
            }
            let next_index = index.map_or(0, |i| i + 1);
            Some(LadderStatus {
                step: index.map(|i| steps[i].name.clone()),
                index,
                next: steps.get(next_index).map(|s| s.name.clone()),
                missing,
            })
        })
        .collect()
}

/// A reviewer of a newcomer's work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Mentor {
    pub id: String,
    /// Distinct pieces of the newcomer's work they reviewed.
    pub reviews: u64,
}

/// One person's arrival.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Newcomer {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub first_contribution: String,
    /// The kind of the first event (`commit`, `pr_merged`, `review`, ...).
    pub first_kind: String,
    /// What it was about: `#12`, a short commit id or a doc path.
    pub first_work: String,
    pub first_review_at: Option<String>,
    /// Days from the first contribution to the first review of their work (2 decimals).
    pub days_to_first_review: Option<f64>,
    pub second_contribution_at: Option<String>,
    /// A second contribution followed.
    pub returned: bool,
    /// Who reviewed their work, most reviews first.
    pub mentors: Vec<Mentor>,
    pub ladder: Option<LadderStatus>,
}

/// People per ladder step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct StepCount {
    pub step: String,
    /// The step as `guild.yml` describes it.
    pub description: String,
    /// What reaching it takes (absent: no minimum).
    pub requires: crate::config::Requirements,
    pub people: u64,
}

/// The snapshot's `newcomers`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Newcomers {
    /// Newest first contribution first (ties by id).
    pub people: Vec<Newcomer>,
    /// Over the people whose work has been reviewed.
    pub median_days_to_first_review: Option<f64>,
    /// People who made a second contribution, of all people.
    pub returned: u64,
    pub total: u64,
    /// The window the ladder's counts are taken over (0 = all history).
    pub ladder_window_days: u32,
    /// How many people stand on each step, in ladder order.
    pub steps: Vec<StepCount>,
}

/// The piece of work an event is about: its pull request if any, else its target.
fn work(e: &Event) -> Target {
    match e.pr {
        Some(n) => Target::Pr(n),
        None => e.target.clone(),
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// First contributions, first reviews, mentors and ladder steps. `ladder` is [`ladder`]'s
/// result (computed once by the caller, who also shows it per person); `ids` and `names` are
/// the display ids and names of every ledger person.
pub fn analyse(
    ledger: &Ledger,
    config: &Config,
    ladder: &[Option<LadderStatus>],
    ids: &[String],
    names: &[String],
) -> Newcomers {
    let people = ledger.people();
    let n = people.len();
    let first = crate::events::first_contributions(&ledger.events, n);
    let mut second: Vec<Option<i64>> = vec![None; n];
    let mut first_review: Vec<Option<i64>> = vec![None; n];
    let mut mentors: Vec<HashMap<u32, HashSet<Target>>> = vec![HashMap::new(); n];
    // Events are sorted by time, so the first seen is the first.
    for (i, e) in ledger.events.iter().enumerate() {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        let p = e.person as usize;
        if let Some(f) = first[p] {
            if f != i && second[p].is_none() && work(&ledger.events[f]) != work(e) {
                second[p] = Some(e.time);
            }
        }
        if let Some(o) = e.other {
            if e.kind.is_review_side() && o != e.person && !people[p].is_bot {
                let o = o as usize;
                first_review[o] = Some(first_review[o].map_or(e.time, |t| t.min(e.time)));
                mentors[o].entry(e.person).or_default().insert(work(e));
            }
        }
    }
    let mut out: Vec<(i64, Newcomer)> = Vec::new();
    for p in 0..n {
        let (Some(f), false) = (first[p], people[p].is_bot) else {
            continue;
        };
        let fe = &ledger.events[f];
        let mut ms: Vec<Mentor> = mentors[p]
            .iter()
            .map(|(&m, w)| Mentor {
                id: ids[m as usize].clone(),
                reviews: w.len() as u64,
            })
            .collect();
        ms.sort_by(|a, b| b.reviews.cmp(&a.reviews).then_with(|| a.id.cmp(&b.id)));
        out.push((
            fe.time,
            Newcomer {
                id: ids[p].clone(),
                name: names[p].clone(),
                first_contribution: rfc3339(fe.time),
                first_kind: fe.kind.as_str().to_string(),
                first_work: work(fe).to_string(),
                first_review_at: first_review[p].map(rfc3339),
                days_to_first_review: first_review[p]
                    .map(|t| round2((t - fe.time).max(0) as f64 / 86_400.0)),
                second_contribution_at: second[p].map(rfc3339),
                returned: second[p].is_some(),
                mentors: ms,
                ladder: ladder[p].clone(),
            },
        ));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    let people: Vec<Newcomer> = out.into_iter().map(|(_, r)| r).collect();
    let mut days: Vec<f64> = people
        .iter()
        .filter_map(|r| r.days_to_first_review)
        .collect();
    days.sort_by(f64::total_cmp);
    let median = match days.len() {
        0 => None,
        l if l % 2 == 1 => Some(days[l / 2]),
        l => Some(round2((days[l / 2 - 1] + days[l / 2]) / 2.0)),
    };
    let mut per_step: BTreeMap<usize, u64> = BTreeMap::new();
    for r in &people {
        if let Some(i) = r.ladder.as_ref().and_then(|l| l.index) {
            *per_step.entry(i).or_default() += 1;
        }
    }
    Newcomers {
        returned: people.iter().filter(|r| r.returned).count() as u64,
        total: people.len() as u64,
        median_days_to_first_review: median,
        ladder_window_days: config.ladder.window_days,
        steps: config
            .ladder
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepCount {
                step: s.name.clone(),
                description: s.description.clone(),
                requires: s.requires.clone(),
                people: per_step.get(&i).copied().unwrap_or(0),
            })
            .collect(),
        people,
    }
}
