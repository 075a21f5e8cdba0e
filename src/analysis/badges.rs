//! Badges: bronze, silver and gold tiers that need BOTH a score (reputation points of the
//! qualifying events) and a volume (their number), globally and, when domains are known,
//! per domain. A tier's `earned_at` is the time of the event at which both thresholds were
//! first met, so it never moves when history is re-read.
//!
//! The badges (ids are stable; tiers in `guild.yml`'s `badges`, per badge in `badges.rules`):
//! - `contributor`: merged pull requests, and commits outside any pull request;
//! - `reviewer`: reviews, review comments, `Acked-by`, `Tested-by`, `Helped-by`,
//!   `Mentored-by` given on someone else's work (with the default tiers, bronze is the
//!   "first review" badge: one review);
//! - `mentor`: reviews of a newcomer's first pull request, and `Mentored-by`;
//! - `bridge`: reviews of work in a domain the reviewer had not authored in before, by
//!   someone who had already authored in another domain (needs domains; never per domain);
//! - `reverse_mentor`: reviews of work by someone who joined earlier, in a domain the
//!   reviewer knows better (reverse mentorship; needs domains; never per domain);
//! - `steward`: community docs written;
//! - `retro_writer`: retrospectives written (docs whose `kind` contains `retro`).
//!
//! Only the highest tier earned is listed. Bots earn none. Points come from
//! `analysis::reputation` (all history), so a badge's score adds up with `explain`.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::reputation::Scores;
use super::EventDomains;
use crate::config::Config;
use crate::events::{EventKind, Ledger, Target};
use crate::util::rfc3339;

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
pub enum Tier {
    Bronze,
    Silver,
    Gold,
}

const TIERS: [Tier; 3] = [Tier::Bronze, Tier::Silver, Tier::Gold];

/// One badge a person holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Badge {
    pub id: String,
    pub tier: Tier,
    /// The domain, for per-domain badges.
    pub domain: Option<String>,
    /// When the tier's thresholds were crossed (RFC 3339).
    pub earned_at: String,
    /// Points and events counted so far (as of the ledger's `as_of`).
    pub score: u64,
    pub count: u64,
}

/// Which events count towards each badge.
fn qualifies(
    badge: &str,
    ledger: &Ledger,
    i: usize,
    retro: &HashSet<&str>,
    // Per event, for the badges computed elsewhere (`bridge`, `reverse_mentor`).
    special: &[bool],
) -> bool {
    let e = &ledger.events[i];
    use EventKind::*;
    match badge {
        "contributor" => e.kind == PrMerged || (e.kind == Commit && e.pr.is_none()),
        "reviewer" => matches!(
            e.kind,
            Review | ReviewComment | Acked | Tested | Helped | Mentored
        ),
        "mentor" => {
            e.kind == Mentored
                || (matches!(e.kind, Review | ReviewComment)
                    && e.pr
                        .and_then(|n| ledger.prs.get(&n))
                        .is_some_and(|p| p.newcomer_first))
        }
        "bridge" | "reverse_mentor" => special.get(i).copied().unwrap_or(false),
        "steward" => e.kind == DocWritten,
        "retro_writer" => {
            e.kind == DocWritten
                && matches!(&e.target, Target::Doc(p) if retro.contains(p.as_str()))
        }
        _ => false,
    }
}

/// Reviews that cross into a domain the reviewer had not authored in before (see module docs).
fn cross_domain(ledger: &Ledger, domains: &EventDomains) -> Vec<bool> {
    let mut home: HashMap<u32, HashSet<u16>> = HashMap::new();
    let mut out = vec![false; ledger.events.len()];
    for (i, e) in ledger.events.iter().enumerate() {
        let ds = domains.of_event.get(i).map(Vec::as_slice).unwrap_or(&[]);
        match e.kind {
            EventKind::Review
            | EventKind::ReviewComment
            | EventKind::Acked
            | EventKind::Tested
            | EventKind::Helped
            | EventKind::Mentored => {
                if let Some(h) = home.get(&e.person) {
                    out[i] = !h.is_empty() && ds.iter().any(|d| !h.contains(d));
                }
            }
            EventKind::Commit
            | EventKind::PrMerged
            | EventKind::CoAuthored
            | EventKind::DocWritten => {
                home.entry(e.person).or_default().extend(ds.iter().copied());
            }
            _ => {}
        }
    }
    out
}

/// A person's progress on one badge: score, count, and the highest tier reached with when.
type Progress = (u64, u64, Option<(usize, i64)>);

/// Badges per person (indexed like `Ledger::people`), sorted by (domain, id).
pub fn award(
    ledger: &Ledger,
    config: &Config,
    scores: &Scores,
    domains: Option<&EventDomains>,
) -> Vec<Vec<Badge>> {
    let people = ledger.people();
    let mut points = vec![0u64; ledger.events.len()];
    for l in &scores.lines {
        points[l.event] += u64::from(l.points);
    }
    let retro: HashSet<&str> = ledger
        .docs
        .iter()
        .filter(|d| {
            d.front
                .kind
                .as_deref()
                .is_some_and(|k| k.to_ascii_lowercase().contains("retro"))
        })
        .map(|d| d.path.as_str())
        .collect();
    let bridge = domains.map(|d| cross_domain(ledger, d)).unwrap_or_default();
    let reverse: Vec<bool> = domains
        .map(|d| {
            super::network::reverse::per_event(ledger, d)
                .iter()
                .map(Option::is_some)
                .collect()
        })
        .unwrap_or_default();

    // Scopes: the whole history, then each domain.
    let mut scopes: Vec<Option<u16>> = vec![None];
    if let (Some(d), true) = (domains, config.badges.per_domain) {
        scopes.extend((0..d.names.len() as u16).map(Some));
    }
    let mut out: Vec<Vec<Badge>> = vec![Vec::new(); people.len()];
    for scope in scopes {
        for &badge in crate::config::BadgesConfig::IDS {
            if matches!(badge, "bridge" | "reverse_mentor")
                && (scope.is_some() || domains.is_none())
            {
                continue;
            }
            let rules: Vec<_> = (0..3).map(|t| config.badges.tier_rule(badge, t)).collect();
            let mut state: HashMap<u32, Progress> = HashMap::new();
            for (i, e) in ledger.events.iter().enumerate() {
                let special = match badge {
                    "bridge" => &bridge,
                    _ => &reverse,
                };
                if people[e.person as usize].is_bot || !qualifies(badge, ledger, i, &retro, special)
                {
                    continue;
                }
                if let Some(d) = scope {
                    let in_domain = domains
                        .and_then(|ds| ds.of_event.get(i))
                        .is_some_and(|ds| ds.contains(&d));
                    if !in_domain {
                        continue;
                    }
                }
                let s = state.entry(e.person).or_insert((0, 0, None));
                s.0 += points[i];
                s.1 += 1;
                let from = s.2.map_or(0, |(t, _)| t + 1);
                for (t, r) in rules.iter().enumerate().skip(from) {
                    if s.0 >= u64::from(r.score) && s.1 >= u64::from(r.count) {
                        s.2 = Some((t, e.time));
                    } else {
                        break;
                    }
                }
            }
            for (p, (score, count, reached)) in state {
                if let Some((t, when)) = reached {
                    out[p as usize].push(Badge {
                        id: badge.to_string(),
                        tier: TIERS[t],
                        domain: scope
                            .and_then(|d| domains.and_then(|ds| ds.names.get(d as usize)).cloned()),
                        earned_at: rfc3339(when),
                        score,
                        count,
                    });
                }
            }
        }
    }
    for b in &mut out {
        b.sort_by(|x, y| (&x.domain, &x.id).cmp(&(&y.domain, &y.id)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::network::test_ledger::ledger;
    use crate::analysis::reputation;
    use crate::events::EventKind::*;

    #[test]
    fn bridge_and_per_domain_badges_need_domains() {
        // x authors in core (PR 1), reviews b's docs work (PR 2), then a's core work (PR 3).
        let l = ledger(
            &["a", "b", "x"],
            &[
                (1, 2, PrMerged, None, 1),
                (2, 1, PrMerged, None, 2),
                (2, 2, Review, Some(1), 2),
                (3, 0, PrMerged, None, 3),
                (3, 2, Review, Some(0), 3),
            ],
        );
        let config = Config::default();
        let scores = reputation::score(&l, &config, None);
        let without = award(&l, &config, &scores, None);
        assert!(without[2]
            .iter()
            .all(|b| b.domain.is_none() && b.id != "bridge"));
        let domains = EventDomains::new(
            vec!["core".into(), "docs".into()],
            vec![vec![0], vec![1], vec![1], vec![0], vec![0]],
        );
        let with = award(&l, &config, &scores, Some(&domains));
        let x: Vec<(&str, Option<&str>, Tier, &str, u64)> = with[2]
            .iter()
            .map(|b| {
                (
                    b.id.as_str(),
                    b.domain.as_deref(),
                    b.tier,
                    &b.earned_at[..10],
                    b.count,
                )
            })
            .collect();
        assert_eq!(
            x,
            vec![
                ("bridge", None, Tier::Bronze, "1970-01-03", 1),
                ("contributor", None, Tier::Bronze, "1970-01-02", 1),
                ("reviewer", None, Tier::Bronze, "1970-01-03", 2),
                ("contributor", Some("core"), Tier::Bronze, "1970-01-02", 1),
                ("reviewer", Some("core"), Tier::Bronze, "1970-01-04", 1),
                ("reviewer", Some("docs"), Tier::Bronze, "1970-01-03", 1),
            ]
        );
        let mut no_per_domain = config.clone();
        no_per_domain.badges.per_domain = false;
        let global = award(&l, &no_per_domain, &scores, Some(&domains));
        assert!(global[2].iter().all(|b| b.domain.is_none()));
        assert!(global[2].iter().any(|b| b.id == "bridge"));
    }
}
