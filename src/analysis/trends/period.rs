//! Measuring a period: what one pass over the ledger knows about every event and person
//! ([`Facts`]), the units a period is made of ([`Period`]: its pieces of work with their
//! events, its newcomers, the people who reached the reviewer step in it), and the one
//! function that turns a choice of those units into [`Values`]. A window, a before/after
//! period and every bootstrap resample go through [`Facts::measure`], so they agree.

use std::collections::HashMap;

use super::{is_merge, is_review, median, round4, Cohort, CohortStep, Values, DAY, RETURN_DAYS};
use crate::analysis::network::{metrics, BROKER_MIN_BETWEENNESS};
use crate::analysis::EventDomains;
use crate::config::Config;
use crate::events::{EventKind, Ledger, Target};

/// Per event and per person, everything a period's numbers need, from one pass.
pub(super) struct Facts<'a> {
    ledger: &'a Ledger,
    /// Per event: its piece of work (a pull request, or its own target), numbered.
    work: Vec<u32>,
    /// Per person: the index of their first event.
    first: Vec<Option<usize>>,
    /// Per person: when their work was first reviewed by someone else (not a bot).
    first_review: Vec<Option<i64>>,
    /// Per person: their first event about another piece of work than the first one.
    second: Vec<Option<i64>>,
    /// Per event: for a review of work in a domain, whether the reviewer had authored no
    /// work in one of its domains before.
    cross: Vec<Option<bool>>,
    /// Per person, per ladder step: when they reached it.
    reached: Vec<Vec<Option<i64>>>,
    /// The step `median_days_to_reviewer` is about.
    reviewer_step: Option<usize>,
}

/// A period's units: pieces of work (each with its events in the period), newcomers, and
/// people who reached the reviewer step in it. The bootstrap resamples each list.
pub(super) struct Period {
    pub works: Vec<Vec<usize>>,
    pub newcomers: Vec<u32>,
    pub reached: Vec<u32>,
}

/// Which units to measure, by index into a [`Period`]'s lists (repeats allowed).
pub(super) struct Pick {
    pub works: Vec<usize>,
    pub newcomers: Vec<usize>,
    pub reached: Vec<usize>,
}

impl Period {
    /// Every unit once: the observed period.
    pub fn all(&self) -> Pick {
        Pick {
            works: (0..self.works.len()).collect(),
            newcomers: (0..self.newcomers.len()).collect(),
            reached: (0..self.reached.len()).collect(),
        }
    }
}

impl<'a> Facts<'a> {
    pub fn new(ledger: &'a Ledger, config: &Config, domains: Option<&EventDomains>) -> Facts<'a> {
        let people = ledger.people();
        let n = people.len();
        let first = crate::events::first_contributions(&ledger.events, n);
        let mut ids: HashMap<Target, u32> = HashMap::new();
        let mut work = Vec::with_capacity(ledger.events.len());
        let mut second: Vec<Option<i64>> = vec![None; n];
        let mut first_review: Vec<Option<i64>> = vec![None; n];
        let mut cross = vec![None; ledger.events.len()];
        let mut authored: crate::util::FnvSet<(u32, u16)> = Default::default();
        let empty: &[u16] = &[];
        for (i, e) in ledger.events.iter().enumerate() {
            let key = match e.pr {
                Some(n) => Target::Pr(n),
                None => e.target.clone(),
            };
            let next = ids.len() as u32;
            let w = *ids.entry(key).or_insert(next);
            work.push(w);
            let p = e.person as usize;
            if let Some(f) = first[p] {
                if f != i && second[p].is_none() && work[f] != w {
                    second[p] = Some(e.time);
                }
            }
            if let Some(o) = e.other {
                if e.kind.is_review_side() && o != e.person && !people[p].is_bot {
                    first_review[o as usize].get_or_insert(e.time);
                }
            }
            // The same rule as the reputation's cross-domain bonus.
            let ds = domains
                .and_then(|d| d.of_event.get(i))
                .map(Vec::as_slice)
                .unwrap_or(empty);
            if is_review(e.kind) && !ds.is_empty() && !people[p].is_bot {
                cross[i] = Some(ds.iter().any(|&d| !authored.contains(&(e.person, d))));
            }
            if e.kind.is_authoring() {
                authored.extend(ds.iter().map(|&d| (e.person, d)));
            }
        }
        Facts {
            ledger,
            work,
            first,
            first_review,
            second,
            cross,
            reached: super::ladder::reached(ledger, config, domains),
            reviewer_step: super::ladder::reviewer_step(config),
        }
    }

    pub fn reviewer_step_name(&self, config: &Config) -> Option<String> {
        self.reviewer_step
            .and_then(|i| config.ladder.steps.get(i))
            .map(|s| s.name.clone())
    }

    fn is_bot(&self, p: u32) -> bool {
        self.ledger.people()[p as usize].is_bot
    }

    fn first_time(&self, p: u32) -> Option<i64> {
        self.first[p as usize].map(|f| self.ledger.events[f].time)
    }

    /// The events in `[from, to)` (events are sorted by time).
    fn range(&self, from: i64, to: i64) -> std::ops::Range<usize> {
        let ev = &self.ledger.events;
        ev.partition_point(|e| e.time < from)..ev.partition_point(|e| e.time < to)
    }

    /// The units of `[from, to)`.
    pub fn period(&self, from: i64, to: i64) -> Period {
        let range = self.range(from, to);
        let mut slot: HashMap<u32, usize> = HashMap::new();
        let mut works: Vec<Vec<usize>> = Vec::new();
        let mut newcomers = Vec::new();
        for i in range {
            let w = self.work[i];
            let s = *slot.entry(w).or_insert_with(|| {
                works.push(Vec::new());
                works.len() - 1
            });
            works[s].push(i);
            let p = self.ledger.events[i].person;
            if self.first[p as usize] == Some(i) && !self.is_bot(p) {
                newcomers.push(p);
            }
        }
        let reached = self.reviewer_step.map_or_else(Vec::new, |s| {
            (0..self.reached.len() as u32)
                .filter(|&p| {
                    !self.is_bot(p)
                        && self.reached[p as usize][s].is_some_and(|t| t >= from && t < to)
                })
                .collect()
        });
        Period {
            works,
            newcomers,
            reached,
        }
    }

    /// The metrics of the units `pick` chooses from `period`.
    pub fn measure(&self, period: &Period, pick: &Pick) -> Values {
        let events = &self.ledger.events;
        let mut nodes: Vec<u32> = Vec::new();
        let mut newcomers: Vec<u32> = Vec::new();
        let (mut reviews, mut merges) = (0u64, 0u64);
        let (mut cross, mut in_domain) = (0u64, 0u64);
        let mut ties: Vec<(u32, u32)> = Vec::new();
        for &w in &pick.works {
            for &i in &period.works[w] {
                let e = &events[i];
                if self.is_bot(e.person) {
                    continue;
                }
                nodes.push(e.person);
                if self.first[e.person as usize] == Some(i) {
                    newcomers.push(e.person);
                }
                reviews += u64::from(is_review(e.kind));
                merges += u64::from(is_merge(e.kind));
                if let Some(c) = self.cross[i] {
                    in_domain += 1;
                    cross += u64::from(c);
                }
                // The review network's edges (see `analysis::network`): review-side work on
                // someone else's contribution, co-authorship both ways, no bots.
                let co = e.kind == EventKind::CoAuthored;
                let Some(o) = e.other.filter(|&o| o != e.person && !self.is_bot(o)) else {
                    continue;
                };
                if e.kind.is_review_side() {
                    ties.push((e.person, o));
                } else if co {
                    ties.push((e.person, o));
                    ties.push((o, e.person));
                }
                nodes.push(o);
            }
        }
        nodes.sort_unstable();
        nodes.dedup();
        newcomers.sort_unstable();
        newcomers.dedup();
        ties.sort_unstable();
        ties.dedup();
        let node = |p: u32| nodes.binary_search(&p).unwrap_or(0);
        let edges: Vec<(usize, usize, u64)> =
            ties.iter().map(|&(a, b)| (node(a), node(b), 1)).collect();
        let m = metrics(nodes.len(), &edges);
        let brokers = m
            .nodes
            .iter()
            .filter(|n| n.betweenness >= BROKER_MIN_BETWEENNESS)
            .count();
        let isolates = m
            .nodes
            .iter()
            .filter(|n| n.out_degree == 0 && n.in_degree <= 1)
            .count();
        // People only met as the author of reviewed work are in the network, not "active".
        let active_people = pick
            .works
            .iter()
            .flat_map(|&w| period.works[w].iter().map(|&i| events[i].person))
            .filter(|&p| !self.is_bot(p))
            .collect::<std::collections::BTreeSet<u32>>()
            .len();

        let ratio = |a: u64, b: u64| (b > 0).then(|| round4(a as f64 / b as f64));
        let as_of = self.ledger.as_of;
        let (mut judged, mut returned) = (0u64, 0u64);
        let mut to_review: Vec<f64> = Vec::new();
        for &k in &pick.newcomers {
            let p = period.newcomers[k];
            let Some(f) = self.first_time(p) else {
                continue;
            };
            if f + RETURN_DAYS * DAY <= as_of {
                judged += 1;
                returned +=
                    u64::from(self.second[p as usize].is_some_and(|s| s - f <= RETURN_DAYS * DAY));
            }
            if let Some(r) = self.first_review[p as usize] {
                to_review.push((r - f).max(0) as f64 / DAY as f64);
            }
        }
        let mut to_reviewer: Vec<f64> = pick
            .reached
            .iter()
            .filter_map(|&k| {
                let p = period.reached[k];
                let at = self.reached[p as usize][self.reviewer_step?]?;
                Some((at - self.first_time(p)?).max(0) as f64 / DAY as f64)
            })
            .collect();
        Values {
            active_people: active_people as u64,
            newcomers: newcomers.len() as u64,
            newcomer_return_rate: ratio(returned, judged),
            median_days_to_first_review: median(&mut to_review),
            reviews_per_merged_pr: ratio(reviews, merges),
            cross_domain_review_share: ratio(cross, in_domain),
            review_ties: ties.len() as u64,
            density: round4(m.density),
            transitivity: round4(m.transitivity),
            brokers: brokers as u64,
            isolates: isolates as u64,
            components: if nodes.is_empty() {
                0
            } else {
                m.components as u64
            },
            median_days_to_reviewer: median(&mut to_reviewer),
        }
    }

    /// The newcomers of `[from, to)` and how many reached each ladder step within each
    /// horizon; a horizon not yet over for the whole cohort by `end` is `None`.
    pub fn cohort(&self, config: &Config, from: i64, to: i64, end: i64) -> Cohort {
        let people = self.period(from, to).newcomers;
        let steps = config
            .ladder
            .steps
            .iter()
            .enumerate()
            .map(|(s, step)| {
                let within = |days: i64| -> Option<u64> {
                    (to + days * DAY <= end).then(|| {
                        people
                            .iter()
                            .filter(|&&p| {
                                let f = self.first_time(p).unwrap_or(i64::MAX);
                                self.reached[p as usize][s].is_some_and(|t| t - f <= days * DAY)
                            })
                            .count() as u64
                    })
                };
                let [a, b, c] = super::COHORT_HORIZONS;
                CohortStep {
                    step: step.name.clone(),
                    after_90_days: within(a),
                    after_180_days: within(b),
                    after_365_days: within(c),
                }
            })
            .collect();
        Cohort {
            from: crate::util::day(from),
            to: crate::util::day(to - 1),
            newcomers: people.len() as u64,
            steps,
        }
    }
}
