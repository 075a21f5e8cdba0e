//! `suggest-reviewers --evaluate`: replays history to measure the suggestion. Every merged
//! pull request (or reviewed commit outside one) with a known reviewer other than its author
//! (a `Review` event: `r=`, `Reviewed-by`, an approving or change-requesting GitHub review)
//! is a case. Its moment is when it was opened (GitHub's `created_at`), or else when its
//! first commit was written: the suggestion is computed from the events before that moment
//! only, for its changed paths and author, and scored by where the actual reviewers rank.
//!
//! One pass: cases in time order, the model reading the events up to each case's moment
//! (`Model::read_before`), so a whole history costs about one suggestion per case.
//! Two baselines are ranked from the same state:
//! - `recent_reviewers`: most reviews in the 90 days before, the author excluded, ties by id;
//! - `path_reviewers`: most earlier reviews of changes to the same files, likewise.
//!
//! Identities are today's table (a person's two addresses are one person throughout).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::model::{Model, PARAMS};
use super::Gate;
use crate::config::Config;
use crate::events::{CommitId, Event, EventKind, Ledger, PrId, ReviewState, Source, Target};
use crate::sources::paths::PathsIndex;
use crate::util::{day, year_month, FnvMap};

/// Top-k accuracy (the share of cases with an actual reviewer among the first k) and mean
/// reciprocal rank (1 / the rank of the best-placed actual reviewer; 0 when not ranked).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    pub evaluated: u64,
    pub top1: f64,
    pub top3: f64,
    pub top5: f64,
    pub mrr: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Baselines {
    pub recent_reviewers: Scores,
    pub path_reviewers: Scores,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearScores {
    pub year: i32,
    #[serde(flatten)]
    pub scores: Scores,
    pub baselines: Baselines,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Cases merged on or after this day (`YYYY-MM-DD`); `None`: all history.
    pub since: Option<String>,
    #[serde(flatten)]
    pub scores: Scores,
    pub baselines: Baselines,
    /// Oldest first, by the year each case was merged.
    pub by_year: Vec<YearScores>,
}

/// Sums before dividing.
#[derive(Default, Clone, Copy)]
struct Tally {
    n: u64,
    hits: [u64; 3],
    rr: f64,
}

impl Tally {
    /// Adds a case whose best actual reviewer ranked at `rank` (0-based), if at all.
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if let Some(r) = rank {
            for (hit, k) in self.hits.iter_mut().zip([1, 3, 5]) {
                if r < k {
                    *hit += 1;
                }
            }
            self.rr += 1.0 / (r + 1) as f64;
        }
    }

    fn scores(&self) -> Scores {
        let share = |x: f64| {
            if self.n == 0 {
                0.0
            } else {
                (x / self.n as f64 * 1000.0).round() / 1000.0
            }
        };
        Scores {
            evaluated: self.n,
            top1: share(self.hits[0] as f64),
            top3: share(self.hits[1] as f64),
            top5: share(self.hits[2] as f64),
            mrr: share(self.rr),
        }
    }
}

/// Model, recent reviewers, path reviewers.
type Tallies = [Tally; 3];

fn report(t: &Tallies) -> (Scores, Baselines) {
    (
        t[0].scores(),
        Baselines {
            recent_reviewers: t[1].scores(),
            path_reviewers: t[2].scores(),
        },
    )
}

/// One evaluated change.
struct Case {
    moment: i64,
    merged: i64,
    authors: Vec<u32>,
    reviewers: BTreeSet<u32>,
    /// Work path ids.
    paths: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Pr(PrId),
    Commit(CommitId),
}

/// Replays history from the first event and measures every case merged on or after `since`.
pub fn evaluate(
    ledger: &Ledger,
    paths: &PathsIndex,
    config: &Config,
    since: Option<i64>,
) -> Evaluation {
    let mut model = Model::new(ledger, paths, PARAMS);
    let cases = cases(ledger, &model, since);
    let gate = Gate::new(ledger, config);
    let mut all: Tallies = Default::default();
    let mut years: BTreeMap<i32, Tallies> = BTreeMap::new();
    for case in &cases {
        model.read_before(case.moment);
        let chains: Vec<Vec<u32>> = case
            .paths
            .iter()
            .map(|&id| model.chain_of(id).to_vec())
            .collect();
        let suggested: Vec<u32> = model
            .rank(&chains, &case.authors, |p| {
                gate.why_not(&model, case.moment, &case.authors, p)
                    .is_none()
            })
            .iter()
            .map(|r| r.person)
            .collect();
        let recent = by_count(
            model
                .recent_reviews()
                .iter()
                .enumerate()
                .map(|(p, &n)| (p as u32, n)),
            &case.authors,
        );
        let mut on_files: FnvMap<u32, u32> = FnvMap::default();
        for chain in &chains {
            // A path's own node is the first of its chain.
            for (p, k) in chain.first().map(|&n| model.on(n)).into_iter().flatten() {
                *on_files.entry(p).or_default() += k.reviewed;
            }
        }
        let path = by_count(on_files.into_iter(), &case.authors);
        let year = years.entry(year_month(case.merged).0).or_default();
        for (i, ranking) in [suggested, recent, path].iter().enumerate() {
            let rank = ranking.iter().position(|p| case.reviewers.contains(p));
            all[i].add(rank);
            year[i].add(rank);
        }
    }
    let (scores, baselines) = report(&all);
    Evaluation {
        since: since.map(day),
        scores,
        baselines,
        by_year: years
            .iter()
            .map(|(&year, t)| {
                let (scores, baselines) = report(t);
                YearScores {
                    year,
                    scores,
                    baselines,
                }
            })
            .collect(),
    }
}

/// People with a positive count, most first, ties by id, the authors left out.
fn by_count(counts: impl Iterator<Item = (u32, u32)>, authors: &[u32]) -> Vec<u32> {
    let mut v: Vec<(u32, u32)> = counts
        .filter(|&(p, n)| n > 0 && !authors.contains(&p))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v.into_iter().map(|(p, _)| p).collect()
}

/// Every reviewed change merged on or after `since`, in the order of their moments.
fn cases(ledger: &Ledger, model: &Model, since: Option<i64>) -> Vec<Case> {
    let people = ledger.people();
    let mut written: FnvMap<CommitId, (i64, u32)> = FnvMap::default();
    let mut reviewers: BTreeMap<Key, BTreeSet<u32>> = BTreeMap::new();
    for e in &ledger.events {
        match (e.kind, &e.target) {
            (EventKind::Commit, Target::Commit(c)) => {
                written.insert(*c, (e.time, e.person));
            }
            (EventKind::Review, target)
                if e.state != Some(ReviewState::Commented) && !people[e.person as usize].is_bot =>
            {
                let key = match (e.pr, target) {
                    (Some(id), _) => Key::Pr(id),
                    (None, Target::Commit(c)) => Key::Commit(*c),
                    _ => continue,
                };
                reviewers.entry(key).or_default().insert(e.person);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (key, mut who) in reviewers {
        let case = match key {
            Key::Pr(id) => {
                let Some(pr) = ledger.prs.get(&id) else {
                    continue;
                };
                let Some(merged) = pr.merged_at else { continue };
                let first_commit = pr
                    .commits
                    .iter()
                    .filter_map(|c| written.get(c).map(|w| w.0))
                    .min();
                let moment = pr.created_at.or(first_commit).unwrap_or(merged).min(merged);
                let probe = Event {
                    time: merged,
                    person: 0,
                    kind: EventKind::PrMerged,
                    target: Target::Pr(id),
                    pr: Some(id),
                    other: None,
                    source: Source::Git,
                    state: None,
                };
                Case {
                    moment,
                    merged,
                    authors: pr.author.into_iter().collect(),
                    reviewers: BTreeSet::new(),
                    paths: model.work().of_event(&probe).to_vec(),
                }
            }
            Key::Commit(c) => {
                let Some(&(time, author)) = written.get(&c) else {
                    continue;
                };
                let probe = Event {
                    time,
                    person: author,
                    kind: EventKind::Commit,
                    target: Target::Commit(c),
                    pr: None,
                    other: None,
                    source: Source::Git,
                    state: None,
                };
                Case {
                    moment: time,
                    merged: time,
                    authors: vec![author],
                    reviewers: BTreeSet::new(),
                    paths: model.work().of_event(&probe).to_vec(),
                }
            }
        };
        if since.is_some_and(|s| case.merged < s) {
            continue;
        }
        who.retain(|p| !case.authors.contains(p));
        if who.is_empty() {
            continue;
        }
        out.push(Case {
            reviewers: who,
            ..case
        });
    }
    out.sort_by_key(|c| (c.moment, c.merged));
    out
}
