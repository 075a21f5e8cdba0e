//! Reputation: explainable points per event. Every point comes from one [`Line`] naming the
//! event and the rule, so `explain` can list them and they add up exactly to the total.
//!
//! Rules (weights in `guild.yml`, see `config::Weights`):
//! - contributor side: merged PRs, commits, co-authorship, reports and suggestions, docs;
//! - reviewer side: reviews of someone else's work (plus a bonus for a newcomer's first PR),
//!   acks, tests, help, mentoring, sign-offs and merges of someone else's PR;
//! - "small" events (commits, acks, comments, sign-offs, merges, co-authorship, reports,
//!   suggestions, taking part in a session) share a daily cap per person, so that many tiny
//!   commits cannot outweigh one reviewed pull request;
//! - self-review earns nothing (the ledger drops it), bots earn nothing;
//! - when domains exist, a review of work in a domain where the reviewer had authored
//!   nothing before earns the `review_cross_domain` bonus as its own line (once per review).

use serde::Serialize;

use super::EventDomains;
use crate::config::Config;
use crate::events::{EventKind, Ledger};

/// Which score a line counts towards.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Contributor,
    Reviewer,
}

/// One scored line: an event, the rule applied and the points it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// Index into `Ledger::events`.
    pub event: usize,
    pub rule: &'static str,
    pub side: Side,
    pub points: u32,
    /// Why the points differ from the rule's weight (cap, bot), if they do.
    pub note: Option<&'static str>,
}

/// A person's totals.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Score {
    pub total: u64,
    pub contributor: u64,
    pub reviewer: u64,
}

/// All lines and per-person totals.
pub struct Scores {
    pub lines: Vec<Line>,
    /// Indexed like `Ledger::people`.
    pub totals: Vec<Score>,
}

/// The rule for an event kind: (rule name, weight, side, small).
pub fn rule(kind: EventKind, config: &Config) -> (&'static str, u32, Side, bool) {
    let w = &config.reputation.weights;
    use EventKind::*;
    use Side::*;
    match kind {
        Commit => ("commit", w.commit, Contributor, true),
        PrMerged => ("pr_merged", w.pr_merged, Contributor, false),
        ChangeSetMerged => ("change_set_merged", w.change_set_merged, Contributor, false),
        CoAuthored => ("co_authored", w.co_authored, Contributor, true),
        Reported => ("reported", w.reported, Contributor, true),
        Suggested => ("suggested", w.suggested, Contributor, true),
        DocWritten => ("doc_written", w.doc_written, Contributor, false),
        DocFacilitated => ("doc_facilitated", w.doc_facilitated, Contributor, false),
        DocParticipated => ("doc_participated", w.doc_participated, Contributor, true),
        Review => ("review", w.review, Reviewer, false),
        ReviewComment => ("review_comment", w.review_comment, Reviewer, true),
        Acked => ("acked", w.acked, Reviewer, true),
        Tested => ("tested", w.tested, Reviewer, false),
        Helped => ("helped", w.helped, Reviewer, false),
        Mentored => ("mentored", w.mentored, Reviewer, false),
        SignedOff => ("signed_off", w.signed_off, Reviewer, true),
        MergedOther => ("merged_other", w.merged_other, Reviewer, true),
        Endorsed => ("endorsed", w.endorsed, Contributor, true),
    }
}

/// Scores every event at or after `since` (Unix seconds), without domains.
pub fn score(ledger: &Ledger, config: &Config, since: Option<i64>) -> Scores {
    score_with(ledger, config, since, None)
}

/// Scores every event at or after `since`; with `domains`, reviews across domains earn the
/// `review_cross_domain` bonus.
pub fn score_with(
    ledger: &Ledger,
    config: &Config,
    since: Option<i64>,
    domains: Option<&EventDomains>,
) -> Scores {
    let people = ledger.people();
    let mut totals = vec![Score::default(); people.len()];
    let mut lines = Vec::with_capacity(ledger.events.len());
    // (person, day) → small points used. The ledger's events are sorted by time, so once a
    // later day starts the earlier days are done: the map then only ever holds one day
    // (a map over all days is large enough that looking up in it was most of the time).
    let mut used: crate::util::FnvMap<(u32, i64), u32> = Default::default();
    let sorted = ledger.events.windows(2).all(|w| w[0].time <= w[1].time);
    let mut today = i64::MIN;
    let cap = config.reputation.daily_cap;
    // (person, domain) pairs with authored work so far, over all history (not only `since`).
    let mut authored: crate::util::FnvSet<(u32, u16)> = Default::default();
    let empty: &[u16] = &[];
    for (i, e) in ledger.events.iter().enumerate() {
        let event_domains = domains
            .and_then(|d| d.of_event.get(i))
            .map(Vec::as_slice)
            .unwrap_or(empty);
        let cross_domain = e.kind == EventKind::Review
            && event_domains
                .iter()
                .any(|&d| !authored.contains(&(e.person, d)));
        if e.kind.is_authoring() {
            authored.extend(event_domains.iter().map(|&d| (e.person, d)));
        }
        if since.is_some_and(|s| e.time < s) {
            continue;
        }
        let (name, weight, side, small) = rule(e.kind, config);
        let bot = people[e.person as usize].is_bot;
        let mut push = |rule: &'static str, side: Side, weight: u32, small: bool| {
            let (points, note) = if bot {
                (0, Some("bots earn nothing"))
            } else if small {
                let day = crate::util::day_number(e.time);
                if sorted && day > today {
                    used.clear();
                    today = day;
                }
                let u = used.entry((e.person, day)).or_insert(0);
                let p = weight.min(cap.saturating_sub(*u));
                *u += p;
                (
                    p,
                    (p < weight).then_some("daily cap on small events reached"),
                )
            } else {
                (weight, None)
            };
            let t = &mut totals[e.person as usize];
            t.total += u64::from(points);
            match side {
                Side::Contributor => t.contributor += u64::from(points),
                Side::Reviewer => t.reviewer += u64::from(points),
            }
            lines.push(Line {
                event: i,
                rule,
                side,
                points,
                note,
            });
        };
        push(name, side, weight, small);
        if e.kind == EventKind::Review
            && e.pr
                .and_then(|n| ledger.prs.get(&n))
                .is_some_and(|p| p.newcomer_first)
        {
            push(
                "review_newcomer",
                Side::Reviewer,
                config.reputation.weights.review_newcomer,
                false,
            );
        }
        if cross_domain {
            push(
                "review_cross_domain",
                Side::Reviewer,
                config.reputation.weights.review_cross_domain,
                false,
            );
        }
    }
    Scores { lines, totals }
}
