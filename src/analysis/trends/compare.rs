//! Before/after an intervention: every metric in the window before its date and the window
//! after, the change, and a 95% bootstrap confidence interval of the change.
//!
//! The bootstrap resamples the units each metric is made of, with replacement and
//! independently on each side: pieces of work (pull requests, or commits and docs outside
//! one) for activity and network metrics, newcomers for the return rate and the time to a
//! first review, people who reached the reviewer step for the time to proficiency. Counts of
//! distinct people or ties shrink under resampling (a repeated piece of work adds nobody),
//! so each interval is the resampled changes' 2.5th and 97.5th percentiles after shifting
//! them to centre on the observed change. A change is `beyond_noise` when its interval
//! leaves out zero. The seed is fixed, so the same history prints the same intervals.
//!
//! This says what was different after the date, not why: other things change at the same
//! time, and the output never says "caused".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::period::{Facts, Period, Pick};
use super::{round4, DomainPoint, Values, DAY};
use crate::util::{day, XorShift};

/// Resamples per comparison.
pub const BOOTSTRAP_RESAMPLES: usize = 400;
/// The bootstrap's fixed seed: the same history always gives the same intervals.
pub const BOOTSTRAP_SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// A period's first and last day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Span {
    pub from: String,
    pub to: String,
}

/// One metric before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Change {
    /// A metric of the trends' windows, or `truck_factor:DOMAIN` and
    /// `contributor_absence_factor:DOMAIN`.
    pub name: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// `after - before`.
    pub change: Option<f64>,
    /// The 95% bootstrap interval of the change (none for bus factors, which are states of
    /// all history rather than samples, and where a side has nothing to measure).
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// The interval leaves out zero: the change is larger than its noise.
    pub beyond_noise: bool,
}

/// An intervention's before/after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Comparison {
    /// Its name in `guild.yml` (the date, for `compare --at`).
    pub intervention: String,
    /// `YYYY-MM-DD`: the first day after.
    pub date: String,
    pub note: Option<String>,
    pub window_days: u32,
    pub before: Span,
    /// Cut short at the day of the latest activity.
    pub after: Span,
    /// In the order of the trends' metrics, then bus factors by domain.
    pub metrics: Vec<Change>,
}

/// What to compare.
pub(super) struct Plan<'a> {
    pub name: &'a str,
    pub note: Option<&'a str>,
    pub window_days: u32,
    /// The first second after.
    pub at: i64,
    /// The end of history (exclusive).
    pub end: i64,
}

/// Units chosen at random, with replacement, as many as there are.
fn resample(rng: &mut XorShift, n: usize) -> Vec<usize> {
    (0..n).map(|_| rng.below(n as u64) as usize).collect()
}

fn pick(rng: &mut XorShift, p: &Period) -> Pick {
    Pick {
        works: resample(rng, p.works.len()),
        newcomers: resample(rng, p.newcomers.len()),
        reached: resample(rng, p.reached.len()),
    }
}

/// The `q` quantile of sorted `xs` (nearest rank).
fn quantile(xs: &[f64], q: f64) -> f64 {
    let i = ((xs.len() as f64 - 1.0) * q).round() as usize;
    xs[i.min(xs.len() - 1)]
}

/// Each resample's change per metric (`None` where a side had nothing to measure).
fn bootstrap(facts: &Facts, before: &Period, after: &Period) -> Vec<Vec<Option<f64>>> {
    let one = |b: usize| {
        // Every resample has its own stream, so threads do not change a single number.
        let mut rng = XorShift(BOOTSTRAP_SEED ^ (b as u64 + 1).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let x = facts.measure(before, &pick(&mut rng, before));
        let y = facts.measure(after, &pick(&mut rng, after));
        x.list()
            .iter()
            .zip(y.list())
            .map(|(&(_, x), (_, y))| Some(y? - x?))
            .collect::<Vec<_>>()
    };
    let threads = crate::util::threads(8);
    let per = BOOTSTRAP_RESAMPLES.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let one = &one;
                s.spawn(move || {
                    (t * per..((t + 1) * per).min(BOOTSTRAP_RESAMPLES))
                        .map(one)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Compares the window before `plan.at` with the window after it. `domains` are the bus
/// factors at the end of each window.
pub(super) fn compare(
    facts: &Facts,
    plan: Plan,
    domains: (BTreeMap<String, DomainPoint>, BTreeMap<String, DomainPoint>),
) -> Comparison {
    let len = i64::from(plan.window_days) * DAY;
    let (b0, a1) = (plan.at - len, (plan.at + len).min(plan.end).max(plan.at));
    let before = facts.period(b0, plan.at);
    let after = facts.period(plan.at, a1);
    let (x, y): (Values, Values) = (
        facts.measure(&before, &before.all()),
        facts.measure(&after, &after.all()),
    );
    let runs = if before.works.is_empty() || after.works.is_empty() {
        Vec::new()
    } else {
        bootstrap(facts, &before, &after)
    };
    let mut metrics: Vec<Change> = x
        .list()
        .iter()
        .zip(y.list())
        .enumerate()
        .map(|(m, ((name, x), (_, y)))| {
            let change = x.zip(y).map(|(x, y)| round4(y - x));
            let mut diffs: Vec<f64> = runs.iter().filter_map(|r| r[m]).collect();
            // Too few resamples where both sides exist: no interval.
            let ci = change
                .filter(|_| diffs.len() * 2 >= BOOTSTRAP_RESAMPLES)
                .map(|c| {
                    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
                    for d in &mut diffs {
                        *d += c - mean;
                    }
                    diffs.sort_by(f64::total_cmp);
                    (
                        round4(quantile(&diffs, 0.025)),
                        round4(quantile(&diffs, 0.975)),
                    )
                });
            Change {
                name: name.to_string(),
                before: *x,
                after: y,
                change,
                ci_low: ci.map(|c| c.0),
                ci_high: ci.map(|c| c.1),
                beyond_noise: ci.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0),
            }
        })
        .collect();
    let (db, da) = domains;
    for (name, b) in &db {
        let a = da.get(name).copied().unwrap_or_default();
        for (what, x, y) in [
            ("truck_factor", b.truck_factor, a.truck_factor),
            (
                "contributor_absence_factor",
                b.contributor_absence_factor,
                a.contributor_absence_factor,
            ),
        ] {
            metrics.push(Change {
                name: format!("{what}:{name}"),
                before: Some(x as f64),
                after: Some(y as f64),
                change: Some(y as f64 - x as f64),
                ci_low: None,
                ci_high: None,
                beyond_noise: false,
            });
        }
    }
    Comparison {
        intervention: plan.name.to_string(),
        date: day(plan.at),
        note: plan.note.map(str::to_string),
        window_days: plan.window_days,
        before: Span {
            from: day(b0),
            to: day(plan.at - 1),
        },
        after: Span {
            from: day(plan.at),
            to: day((a1 - 1).max(plan.at)),
        },
        metrics,
    }
}
