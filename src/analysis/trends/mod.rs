//! Outcomes over time: the community's numbers per window of days, newcomer cohorts, and
//! before/after a declared intervention with bootstrap confidence intervals.
//!
//! Windows tile history backwards from the latest activity (the last window ends on the
//! ledger's `as_of` day), each `window_days` long. A window's numbers use only what happened
//! up to its end: its own events for activity and its review network, all history up to its
//! end for who is a newcomer, who worked in a domain before and who knows a domain's files.
//! Two numbers follow the window's newcomers forward, because they are about what happened
//! to them afterwards: whether they came back within [`RETURN_DAYS`] (counted only for those
//! whose [`RETURN_DAYS`] have passed by `as_of`) and how long their first review took.
//!
//! The measuring itself lives in `period` (one function for a window, a before/after period
//! and every bootstrap resample, so they agree), per-domain bus factors in `owners`, ladder
//! steps over time in `ladder`, the bootstrap in `compare`. Pure functions of (ledger,
//! config, ownership): no I/O, no clock, no people named (nothing here can leak an e-mail).

mod compare;
mod ladder;
mod owners;
mod period;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analysis::domains::Ownership;
use crate::analysis::EventDomains;
use crate::config::Config;
use crate::events::{EventKind, Ledger, Source};
use crate::util::day;

pub use compare::{Change, Comparison, Span, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED};

/// A newcomer "came back" with a second contribution within this many days.
pub const RETURN_DAYS: i64 = 90;
/// Cohorts count who reached each ladder step this many days after arriving.
pub const COHORT_HORIZONS: [i64; 3] = [90, 180, 365];
const DAY: i64 = 86_400;

/// The snapshot's `trends`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Trends {
    /// Length of each window in days (0: not computed).
    pub window_days: u32,
    /// Where "first review" comes from: `github` (synced reviews) or `git` (the first
    /// review trailer, merge or sign-off by someone else after the first contribution).
    pub first_review_source: String,
    /// The ladder step whose time to reach is `median_days_to_reviewer` (none: no such step).
    pub reviewer_step: Option<String>,
    /// Oldest first.
    pub windows: Vec<Window>,
    /// Newcomers grouped by the window of their first contribution, oldest first.
    pub cohorts: Vec<Cohort>,
    /// One per intervention in `guild.yml` (and `compare --at`), in the order written.
    pub interventions: Vec<Comparison>,
}

/// One window's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Window {
    /// First day (`YYYY-MM-DD`).
    pub from: String,
    /// Last day, included.
    pub to: String,
    #[serde(flatten)]
    pub values: Values,
    /// Per domain (by name): its bus factors at the window's end.
    pub domains: BTreeMap<String, DomainPoint>,
}

/// The metrics of a period. Shares are in [0, 1]; `None` where there is nothing to divide.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Values {
    /// People (bots excluded) with any event in the period.
    pub active_people: u64,
    /// People whose first contribution ever falls in the period.
    pub newcomers: u64,
    /// Share of the period's newcomers with a second contribution within 90 days (only
    /// those whose 90 days have passed).
    pub newcomer_return_rate: Option<f64>,
    /// Median days from a newcomer's first contribution to the first review of their work.
    pub median_days_to_first_review: Option<f64>,
    /// Reviews (and review comments) per merged pull request or change set.
    pub reviews_per_merged_pr: Option<f64>,
    /// Share of reviews in a domain where the reviewer had authored no work before.
    pub cross_domain_review_share: Option<f64>,
    /// Distinct directed review ties (who worked on whose work) in the period.
    pub review_ties: u64,
    /// Directed density of the period's review network.
    pub density: f64,
    /// Transitivity of its undirected projection.
    pub transitivity: f64,
    /// People with betweenness at least `network::BROKER_MIN_BETWEENNESS`.
    pub brokers: u64,
    /// People with no tie, or reviewed by one person and reviewing nobody.
    pub isolates: u64,
    /// Connected components (isolated people included).
    pub components: u64,
    /// Median days from first contribution to reaching the reviewer step, over the people
    /// who reached it in the period (time to proficiency).
    pub median_days_to_reviewer: Option<f64>,
}

impl Values {
    /// Every metric by name, in the order of the struct (what `compare` and tables list).
    pub fn list(&self) -> [(&'static str, Option<f64>); 13] {
        [
            ("active_people", Some(self.active_people as f64)),
            ("newcomers", Some(self.newcomers as f64)),
            ("newcomer_return_rate", self.newcomer_return_rate),
            (
                "median_days_to_first_review",
                self.median_days_to_first_review,
            ),
            ("reviews_per_merged_pr", self.reviews_per_merged_pr),
            ("cross_domain_review_share", self.cross_domain_review_share),
            ("review_ties", Some(self.review_ties as f64)),
            ("density", Some(self.density)),
            ("transitivity", Some(self.transitivity)),
            ("brokers", Some(self.brokers as f64)),
            ("isolates", Some(self.isolates as f64)),
            ("components", Some(self.components as f64)),
            ("median_days_to_reviewer", self.median_days_to_reviewer),
        ]
    }
}

/// A domain's bus factors at a moment, from all history up to it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct DomainPoint {
    /// Active people who must leave before most of the domain's files worked on so far have
    /// no active person left who knows them.
    pub truck_factor: u64,
    /// The fewest people behind more than half of the domain's work so far.
    pub contributor_absence_factor: u64,
}

/// Newcomers who arrived in one window and how far up the ladder they got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Cohort {
    pub from: String,
    pub to: String,
    pub newcomers: u64,
    /// In ladder order.
    pub steps: Vec<CohortStep>,
}

/// How many of a cohort reached a step within 90, 180 and 365 days of arriving; `None`
/// until that many days have passed since the cohort's last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CohortStep {
    pub step: String,
    pub after_90_days: Option<u64>,
    pub after_180_days: Option<u64>,
    pub after_365_days: Option<u64>,
}

/// Rounds to 4 decimals, so output does not depend on the order sums were taken in.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The median of `xs` (sorted in place), rounded; `None` when empty.
pub(crate) fn median(xs: &mut [f64]) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let l = xs.len();
    match l {
        0 => None,
        _ if l % 2 == 1 => Some(round4(xs[l / 2])),
        _ => Some(round4((xs[l / 2 - 1] + xs[l / 2]) / 2.0)),
    }
}

/// The trends of a ledger: windows of `window_days` (90 if 0), cohorts, and a comparison
/// per intervention of `config.interventions`. `ownership` and `domains` (the
/// domains of each event) give the per-domain numbers and the cross-domain share.
pub fn analyse(
    ledger: &Ledger,
    config: &Config,
    window_days: u32,
    ownership: Option<&Ownership>,
    domains: Option<&EventDomains>,
) -> Trends {
    let window_days = match window_days {
        0 => crate::config::TRENDS_WINDOW_DAYS,
        d => d,
    };
    let len = i64::from(window_days) * DAY;
    let facts = period::Facts::new(ledger, config, domains);
    let first_review_source = if ledger
        .events
        .iter()
        .any(|e| e.source == Source::Github && e.kind.is_review_side())
    {
        "github"
    } else {
        "git"
    };
    let mut trends = Trends {
        window_days,
        first_review_source: first_review_source.into(),
        reviewer_step: facts.reviewer_step_name(config),
        ..Default::default()
    };
    let Some(first) = ledger.events.first().map(|e| e.time) else {
        return trends;
    };
    // Windows end with the day of the latest activity, [from, to) in seconds.
    let end = (ledger.as_of.div_euclid(DAY) + 1) * DAY;
    let start = first.div_euclid(DAY) * DAY;
    let count = (end - start + len - 1) / len;
    let spans: Vec<(i64, i64)> = (0..count)
        .map(|k| (end - (count - k) * len, end - (count - k - 1) * len))
        .collect();

    // Interventions: before [at - len, at), after [at, at + len) cut at the end of history.
    let planned: Vec<(&crate::config::Intervention, i64)> = config
        .interventions
        .iter()
        .filter_map(|i| crate::util::parse_date(&i.date).ok().map(|at| (i, at)))
        .collect();
    // Bus factors at every moment anything is measured, in one pass.
    let mut cuts: Vec<i64> = spans.iter().map(|s| s.1).collect();
    for &(_, at) in &planned {
        cuts.push(at);
        cuts.push((at + len).min(end));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let points = ownership
        .zip(domains)
        .map(|(own, ed)| owners::at_times(ledger, config, own, ed, &cuts))
        .unwrap_or_default();
    let point_at = |t: i64| -> BTreeMap<String, DomainPoint> {
        cuts.binary_search(&t)
            .ok()
            .and_then(|i| points.get(i).cloned())
            .unwrap_or_default()
    };

    trends.windows = spans
        .iter()
        .map(|&(from, to)| {
            let p = facts.period(from, to);
            Window {
                from: day(from),
                to: day(to - 1),
                values: facts.measure(&p, &p.all()),
                domains: point_at(to),
            }
        })
        .collect();
    trends.cohorts = spans
        .iter()
        .map(|&(from, to)| facts.cohort(config, from, to, end))
        .collect();
    trends.interventions = planned
        .iter()
        .map(|&(i, at)| {
            compare::compare(
                &facts,
                compare::Plan {
                    name: &i.name,
                    note: i.note.as_deref(),
                    window_days,
                    at,
                    end,
                },
                (point_at(at), point_at((at + len).min(end))),
            )
        })
        .collect();
    trends
}

/// Whether an event is a review for the per-PR ratio (reviews and review comments: the
/// same as a person's `reviews_given`).
fn is_review(kind: EventKind) -> bool {
    matches!(kind, EventKind::Review | EventKind::ReviewComment)
}

/// Whether an event is a merged pull request or change set.
fn is_merge(kind: EventKind) -> bool {
    matches!(kind, EventKind::PrMerged | EventKind::ChangeSetMerged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::network::test_ledger::ledger;
    use crate::events::EventKind::*;

    #[test]
    fn medians_of_odd_even_and_no_values() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    /// A configuration with the interventions `(name, date)`.
    fn config(interventions: &[(&str, &str)]) -> Config {
        Config {
            interventions: interventions
                .iter()
                .map(|(n, d)| crate::config::Intervention {
                    name: n.to_string(),
                    date: d.to_string(),
                    note: None,
                })
                .collect(),
            ..Config::default()
        }
    }

    #[test]
    fn windows_tile_back_from_the_last_day_and_see_only_their_own_ties() {
        // a and b review each other on days 1-9; c and d on days 11-19.
        let mut events = Vec::new();
        for d in 1..10 {
            events.push((d, 0, PrMerged, None, d as u64));
            events.push((d, 1, Review, Some(0), d as u64));
        }
        for d in 11..20 {
            events.push((d, 2, PrMerged, None, d as u64));
            events.push((d, 3, Review, Some(2), d as u64));
        }
        let l = ledger(&["a", "b", "c", "d"], &events);
        let t = analyse(&l, &config(&[]), 10, None, None);
        assert_eq!(t.window_days, 10);
        let spans: Vec<(&str, &str)> = t
            .windows
            .iter()
            .map(|w| (w.from.as_str(), w.to.as_str()))
            .collect();
        assert_eq!(
            spans,
            [("1970-01-01", "1970-01-10"), ("1970-01-11", "1970-01-20")]
        );
        for w in &t.windows {
            assert_eq!(w.values.active_people, 2);
            assert_eq!(w.values.newcomers, 2);
            assert_eq!(w.values.review_ties, 1);
            assert_eq!(w.values.components, 1);
            assert_eq!(w.values.density, 0.5);
            assert_eq!(w.values.reviews_per_merged_pr, Some(1.0));
        }
    }

    #[test]
    fn the_bootstrap_is_deterministic_and_a_steady_history_is_not_flagged() {
        let mut events = Vec::new();
        for d in 1..60 {
            let (a, b) = ((d % 3) as u32, ((d + 1) % 3) as u32);
            events.push((d, a, PrMerged, None, d as u64));
            events.push((d, b, Review, Some(a), d as u64));
        }
        let l = ledger(&["a", "b", "c"], &events);
        let c = config(&[("steady", "1970-01-31")]);
        let one = analyse(&l, &c, 27, None, None);
        let two = analyse(&l, &c, 27, None, None);
        assert_eq!(one, two);
        let cmp = &one.interventions[0];
        assert_eq!(cmp.before.from, "1970-01-04");
        assert_eq!(cmp.after.to, "1970-02-26");
        assert!(cmp.metrics.iter().all(|m| !m.beyond_noise), "{cmp:#?}");
        let ties = cmp
            .metrics
            .iter()
            .find(|m| m.name == "review_ties")
            .unwrap();
        assert_eq!((ties.before, ties.after), (Some(3.0), Some(3.0)));
    }
}
