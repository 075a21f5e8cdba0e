//! What reviewer suggestion knows at a moment, built by reading the ledger's events in time
//! order: one pass, each event added once. `suggest` reads every event and asks once;
//! `evaluate` asks before each pull request, having read only the events before it.
//!
//! Per person it keeps, each decayed with age so that old work counts less:
//! - **review experience** and **authorship** on every file and folder ([`super::tree`]):
//!   a folder holds the work under it, and counts for a changed file less the further up the
//!   tree it is ([`Params::decay`] per folder);
//! - **the author's usual reviewers**: reviews given to each author's work;
//! - **review activity**: reviews given lately, whatever the paths;
//! - when they were last seen, and how many reviews they gave in the last 30, 90 and 365
//!   days (the current load, and their usual pace).
//!
//! Decay is kept without touching old entries: work at time t adds `2^((t − T0) / half-life)`,
//! and a score is only ever compared with other people's scores at the same moment, where
//! the common factor `2^(−(now − T0) / half-life)` cancels.

use std::collections::VecDeque;

use super::tree::{coefficients, Tree};
use crate::analysis::domains::{role, WorkPaths};
use crate::events::{Event, EventKind, Ledger};
use crate::sources::paths::PathsIndex;
use crate::util::FnvMap;

/// The knobs of the ranking, in one place so that `--evaluate` measures what `suggest` does.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// How much work one folder further up the tree counts (work on the file itself: 1).
    pub decay: f64,
    /// Expertise and usual-reviewer ties halve every this many days.
    pub half_life_days: f64,
    /// Review activity halves every this many days.
    pub activity_half_life_days: f64,
    /// Shares of review experience, authorship, usual reviewer and activity in the score.
    pub weights: [f64; 4],
    /// Reviews beyond both this many and `load_ratio` times one's usual pace in
    /// [`LOAD_DAYS`] days make someone overloaded.
    pub load_floor: f64,
    /// How many times their usual pace someone reviews before counting as overloaded.
    pub load_ratio: f64,
}

/// What `suggest` and `--evaluate` use.
pub const PARAMS: Params = Params {
    decay: 0.5,
    half_life_days: 180.0,
    activity_half_life_days: 30.0,
    weights: [0.2, 0.05, 0.4, 0.35],
    load_floor: 8.0,
    load_ratio: 4.0,
};

/// Reviews in this many days before a moment make up a person's current load.
pub const LOAD_DAYS: i64 = 30;
/// The window of the `recent_reviewers` baseline.
pub const RECENT_DAYS: i64 = 90;
const YEAR_DAYS: i64 = 365;
/// 2005-01-01: decayed masses are relative to it (any fixed date would do).
const T0: i64 = 1_104_537_600;

/// A person's work on one node (a file or the folder holding it).
#[derive(Debug, Default, Clone, Copy)]
pub struct Know {
    /// Decayed authorship and review-side work.
    pub author: f64,
    pub review: f64,
    /// Counts of the same, undecayed.
    pub authored: u32,
    pub reviewed: u32,
    /// The latest of it.
    pub last: i64,
}

/// Reviews given in a sliding window before the moment.
struct Window {
    days: i64,
    queue: VecDeque<(i64, u32)>,
    count: Vec<u32>,
}

impl Window {
    fn new(days: i64, people: usize) -> Self {
        Window {
            days,
            queue: VecDeque::new(),
            count: vec![0; people],
        }
    }

    fn push(&mut self, time: i64, person: u32) {
        self.queue.push_back((time, person));
        self.count[person as usize] += 1;
    }

    fn advance(&mut self, now: i64) {
        let from = now - self.days * 86_400;
        while let Some(&(t, p)) = self.queue.front() {
            if t >= from {
                break;
            }
            self.queue.pop_front();
            self.count[p as usize] -= 1;
        }
    }
}

/// One person's evidence for a change, each part before weighting.
#[derive(Debug, Default, Clone, Copy)]
pub struct Parts {
    pub review: f64,
    pub author: f64,
    pub usual: f64,
    pub activity: f64,
}

impl Parts {
    fn get(&self, i: usize) -> f64 {
        [self.review, self.author, self.usual, self.activity][i]
    }
}

/// A ranked candidate.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    pub person: u32,
    /// The weighted shares × the load factor, in [0, 1].
    pub score: f64,
    pub parts: Parts,
    /// Reviews given in the last [`LOAD_DAYS`] days.
    pub load: u32,
    pub overloaded: bool,
}

pub struct Model<'a> {
    ledger: &'a Ledger,
    pub params: Params,
    work: WorkPaths<'a>,
    pub tree: Tree,
    /// Per work path id, its chain of nodes (computed on first use).
    chains: Vec<Option<Vec<u32>>>,
    /// Per node: person → their work there.
    nodes: Vec<FnvMap<u32, Know>>,
    /// Author → reviewer → decayed reviews of the author's work.
    pairs: FnvMap<u32, FnvMap<u32, f64>>,
    activity: Vec<f64>,
    last: Vec<Option<i64>>,
    load: Window,
    recent: Window,
    year: Window,
    /// Marks to count a node once per event.
    stamp: Vec<u32>,
    generation: u32,
    /// The next ledger event to read.
    next: usize,
}

impl<'a> Model<'a> {
    pub fn new(ledger: &'a Ledger, paths: &'a PathsIndex, params: Params) -> Self {
        let people = ledger.people().len();
        let work = WorkPaths::new(ledger, paths);
        Model {
            ledger,
            params,
            chains: vec![None; work.len()],
            work,
            tree: Tree::default(),
            nodes: Vec::new(),
            pairs: FnvMap::default(),
            activity: vec![0.0; people],
            last: vec![None; people],
            load: Window::new(LOAD_DAYS, people),
            recent: Window::new(RECENT_DAYS, people),
            year: Window::new(YEAR_DAYS, people),
            stamp: Vec::new(),
            generation: 0,
            next: 0,
        }
    }

    pub fn work(&self) -> &WorkPaths<'a> {
        &self.work
    }

    /// Reads every event dated before `now` not read yet, and moves the windows to `now`.
    pub fn read_before(&mut self, now: i64) {
        let events = &self.ledger.events;
        while self.next < events.len() && events[self.next].time < now {
            self.read(self.next);
            self.next += 1;
        }
        self.advance(now);
    }

    /// Reads every event (for a suggestion at the ledger's `as_of`).
    pub fn read_all(&mut self) {
        while self.next < self.ledger.events.len() {
            self.read(self.next);
            self.next += 1;
        }
        self.advance(self.ledger.as_of);
    }

    fn advance(&mut self, now: i64) {
        self.load.advance(now);
        self.recent.advance(now);
        self.year.advance(now);
    }

    fn mass(&self, time: i64, half_life_days: f64) -> f64 {
        2f64.powf((time - T0) as f64 / 86_400.0 / half_life_days)
    }

    fn read(&mut self, i: usize) {
        let e: &'a Event = &self.ledger.events[i];
        let p = e.person;
        let seen = &mut self.last[p as usize];
        *seen = Some(seen.map_or(e.time, |t| t.max(e.time)));
        let expertise = self.mass(e.time, self.params.half_life_days);
        if matches!(e.kind, EventKind::Review | EventKind::ReviewComment) {
            self.load.push(e.time, p);
            self.recent.push(e.time, p);
            self.year.push(e.time, p);
            self.activity[p as usize] += self.mass(e.time, self.params.activity_half_life_days);
            if let Some(a) = e.other.filter(|&a| a != p) {
                *self.pairs.entry(a).or_default().entry(p).or_default() += expertise;
            }
        }
        let Some((authored, weight)) = counted(e) else {
            return;
        };
        let ids = self.work.of_event(e).to_vec();
        if ids.is_empty() {
            return;
        }
        self.generation += 1;
        let generation = self.generation;
        let add = expertise * weight;
        for id in ids {
            let len = self.chain_of(id).len();
            for k in 0..len {
                let n = self.chains[id as usize].as_ref().map_or(0, |c| c[k]) as usize;
                if self.stamp.len() <= n {
                    self.stamp.resize(n + 1, 0);
                    self.nodes.resize_with(n + 1, FnvMap::default);
                }
                if self.stamp[n] == generation {
                    break; // this folder and those above are counted for this event
                }
                self.stamp[n] = generation;
                let know = self.nodes[n].entry(p).or_default();
                if authored {
                    know.author += add;
                    know.authored += 1;
                } else {
                    know.review += add;
                    know.reviewed += 1;
                }
                know.last = know.last.max(e.time);
            }
        }
    }

    /// The chain of nodes of a work path id.
    pub fn chain_of(&mut self, id: u32) -> &[u32] {
        if self.chains[id as usize].is_none() {
            let chain = self.tree.chain(self.work.name(id));
            self.chains[id as usize] = Some(chain);
        }
        self.chains[id as usize].as_deref().unwrap_or(&[])
    }

    /// Who worked on a node, and how.
    pub fn on(&self, node: u32) -> impl Iterator<Item = (u32, &Know)> {
        self.nodes
            .get(node as usize)
            .into_iter()
            .flat_map(|m| m.iter().map(|(&p, k)| (p, k)))
    }

    /// One person's work on a node.
    pub fn know(&self, node: u32, person: u32) -> Option<&Know> {
        self.nodes.get(node as usize).and_then(|m| m.get(&person))
    }

    /// When a person was last seen (any event read so far).
    pub fn last_seen(&self, person: u32) -> Option<i64> {
        self.last[person as usize]
    }

    /// Reviews given in the last [`RECENT_DAYS`] days, per person.
    pub fn recent_reviews(&self) -> &[u32] {
        &self.recent.count
    }

    /// Ranks everyone `eligible` for a change whose paths have `chains`, by `authors`; only
    /// people with some evidence are ranked, best first, ties by id.
    pub fn rank(
        &self,
        chains: &[Vec<u32>],
        authors: &[u32],
        eligible: impl Fn(u32) -> bool,
    ) -> Vec<Ranked> {
        let mut coef: FnvMap<u32, f64> = FnvMap::default();
        let share = 1.0 / chains.len().max(1) as f64;
        for chain in chains {
            for (&n, c) in chain
                .iter()
                .zip(coefficients(chain.len(), self.params.decay))
            {
                *coef.entry(n).or_default() += c * share;
            }
        }
        let mut parts: FnvMap<u32, Parts> = FnvMap::default();
        for (&n, &c) in &coef {
            for (p, k) in self.on(n) {
                let e = parts.entry(p).or_default();
                e.review += c * k.review;
                e.author += c * k.author;
            }
        }
        for a in authors {
            for (&p, &m) in self.pairs.get(a).into_iter().flatten() {
                parts.entry(p).or_default().usual += m;
            }
        }
        for (p, &a) in self.activity.iter().enumerate() {
            if a > 0.0 {
                parts.entry(p as u32).or_default().activity = a;
            }
        }
        parts.retain(|&p, _| !authors.contains(&p) && eligible(p));
        let mut sums = [0.0; 4];
        for x in parts.values() {
            for (i, s) in sums.iter_mut().enumerate() {
                *s += x.get(i);
            }
        }
        let w = self.params.weights;
        let mut out: Vec<Ranked> = parts
            .into_iter()
            .map(|(person, x)| {
                let sh = |i: usize| {
                    if sums[i] > 0.0 {
                        x.get(i) / sums[i]
                    } else {
                        0.0
                    }
                };
                let share: f64 = (0..4).map(|i| w[i] * sh(i)).sum();
                let load = self.load.count[person as usize];
                let factor = self.load_factor(person);
                Ranked {
                    person,
                    score: share * factor,
                    parts: x,
                    load,
                    overloaded: factor < 1.0,
                }
            })
            .filter(|r| r.score > 0.0)
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
        out
    }

    /// 1, or less for someone reviewing far more than usual right now: their reviews in the
    /// last [`LOAD_DAYS`] days beyond both `load_floor` and `load_ratio` times their usual
    /// pace (the last year's reviews spread evenly), each excess review weighing as much as a
    /// usual month. A steady busy reviewer is not overloaded; a sudden pile-up is.
    fn load_factor(&self, person: u32) -> f64 {
        let now = f64::from(self.load.count[person as usize]);
        let usual = f64::from(self.year.count[person as usize]) * LOAD_DAYS as f64 / 365.0;
        let excess = now - (self.params.load_ratio * usual).max(self.params.load_floor);
        if excess <= 0.0 {
            1.0
        } else {
            1.0 / (1.0 + excess / usual.max(1.0))
        }
    }
}

/// Whether an event counts as knowing its paths, and as what: (authored?, weight). A pull
/// request's authorship counts once for the pull request (through its paths), not once
/// per commit in it; a commit outside any pull request counts on its own.
fn counted(e: &Event) -> Option<(bool, f64)> {
    match e.kind {
        EventKind::PrMerged => Some((true, 1.0)),
        EventKind::Commit if e.pr.is_some() => None,
        kind => role(kind).map(|(authored, w)| (authored, if authored { w } else { 2.0 * w })),
    }
}
