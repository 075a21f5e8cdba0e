//! Reverse mentorship: a review where the reviewer joined the community later than the
//! author (by first contribution) but knows the change's domain better (the recency-weighted
//! expertise of `analysis::domains`: authored and reviewed work there). Juniors who know the
//! new tools teach seniors; this finds where it happens. Needs domains; bots never count.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::EventDomains;
use crate::analysis::domains::{recency, role};
use crate::events::{first_contributions, EventKind, Ledger, Target};

/// A reverse-mentorship tie, as the snapshot lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ReverseTie {
    /// The reviewer (display id): joined later, knows the domain better.
    pub mentor: String,
    /// The author whose work was reviewed.
    pub mentee: String,
    pub domain: String,
    /// Distinct pieces of work reviewed so.
    pub reviews: u64,
}

/// Which events are reverse mentorship (parallel to `ledger.events`): the domain the reviewer
/// knows better. Worked out once per `domains` (which were made from `ledger`).
pub fn per_event<'d>(ledger: &Ledger, domains: &'d EventDomains) -> &'d [Option<u16>] {
    domains.reverse.get_or_init(|| work_out(ledger, domains))
}

fn work_out(ledger: &Ledger, domains: &EventDomains) -> Vec<Option<u16>> {
    let people = ledger.people();
    // Expertise per (domain, person), as `domains` scores it.
    let mut score: HashMap<(u16, u32), f64> = HashMap::new();
    for (i, e) in ledger.events.iter().enumerate() {
        let Some((_, weight)) = role(e.kind) else {
            continue;
        };
        let r = recency(e.time, ledger.as_of);
        for &d in domains.of_event.get(i).into_iter().flatten() {
            *score.entry((d, e.person)).or_default() += weight * r;
        }
    }
    let first = first_contributions(&ledger.events, people.len());
    let joined = |p: u32| first[p as usize].map(|i| ledger.events[i].time);
    let mut out = vec![None; ledger.events.len()];
    for (i, e) in ledger.events.iter().enumerate() {
        if !matches!(e.kind, EventKind::Review | EventKind::ReviewComment) {
            continue;
        }
        let Some(author) = e.other.filter(|&o| o != e.person) else {
            continue;
        };
        if people[e.person as usize].is_bot || people[author as usize].is_bot {
            continue;
        }
        let (Some(a), Some(b)) = (joined(e.person), joined(author)) else {
            continue;
        };
        if a <= b {
            continue;
        }
        let s = |d: u16, p: u32| score.get(&(d, p)).copied().unwrap_or(0.0);
        out[i] = domains
            .of_event
            .get(i)
            .into_iter()
            .flatten()
            .copied()
            .find(|&d| s(d, e.person) > s(d, author));
    }
    out
}

/// The ties: (mentor, mentee, domain) with how many pieces of work, sorted by mentor, mentee,
/// domain.
pub fn ties(ledger: &Ledger, domains: &EventDomains, ids: &[String]) -> Vec<ReverseTie> {
    let mut work: BTreeMap<(u32, u32, u16), BTreeSet<Target>> = BTreeMap::new();
    for (i, &d) in per_event(ledger, domains).iter().enumerate() {
        let (Some(d), e) = (d, &ledger.events[i]) else {
            continue;
        };
        let Some(author) = e.other else { continue };
        let piece = e.pr.map(Target::Pr).unwrap_or_else(|| e.target.clone());
        work.entry((e.person, author, d)).or_default().insert(piece);
    }
    let mut out: Vec<ReverseTie> = work
        .into_iter()
        .map(|((m, a, d), w)| ReverseTie {
            mentor: ids[m as usize].clone(),
            mentee: ids[a as usize].clone(),
            domain: domains.names.get(d as usize).cloned().unwrap_or_default(),
            reviews: w.len() as u64,
        })
        .collect();
    out.sort_by(|x, y| (&x.mentor, &x.mentee, &x.domain).cmp(&(&y.mentor, &y.mentee, &y.domain)));
    out
}
