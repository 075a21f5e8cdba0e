//! The ladder over time: when each person reached each step, replaying their counts event
//! by event. A step is reached when it and every step below are met, as in
//! `analysis::newcomers::ladder`, with counts over all history up to that moment (the
//! ladder's rolling `window_days` is about standing now, not about when a step was first
//! reached, so it is not replayed). Counts only grow, so a step once reached stays reached.

use crate::analysis::newcomers::LadderCounts;
use crate::analysis::{reputation, EventDomains};
use crate::config::Config;
use crate::events::Ledger;

/// The step whose time to reach is "time to proficiency": the one named `reviewer`, else
/// the first that asks for reviews given.
pub(super) fn reviewer_step(config: &Config) -> Option<usize> {
    let steps = &config.ladder.steps;
    steps
        .iter()
        .position(|s| s.name.eq_ignore_ascii_case("reviewer"))
        .or_else(|| {
            steps
                .iter()
                .position(|s| s.requires.reviews_given.is_some())
        })
}

/// Per person (indexed like `Ledger::people`), per step: when they reached it. Bots reach
/// nothing.
pub(super) fn reached(
    ledger: &Ledger,
    config: &Config,
    domains: Option<&EventDomains>,
) -> Vec<Vec<Option<i64>>> {
    let steps = &config.ladder.steps;
    let people = ledger.people();
    let mut out = vec![vec![None; steps.len()]; people.len()];
    if steps.is_empty() {
        return out;
    }
    // Points per event, only when a step asks for a score (scoring is not free).
    let points: Vec<u32> = if steps.iter().any(|s| s.requires.score.is_some()) {
        let mut p = vec![0u32; ledger.events.len()];
        for l in reputation::score_with(ledger, config, None, domains).lines {
            p[l.event] += l.points;
        }
        p
    } else {
        Vec::new()
    };
    let mut counts = vec![LadderCounts::default(); people.len()];
    // Per person: their first event, for active days.
    let mut first: Vec<Option<i64>> = vec![None; people.len()];
    // Per person: how many steps are reached so far (steps are reached in order).
    let mut level = vec![0usize; people.len()];
    for (i, e) in ledger.events.iter().enumerate() {
        let p = e.person as usize;
        // A received endorsement is not taking part (as in `newcomers`): it starts no clock.
        if people[p].is_bot || !e.kind.is_taking_part() {
            continue;
        }
        let c = &mut counts[p];
        let since = *first[p].get_or_insert(e.time);
        c.active_days = ((e.time - since) / 86_400) as u64;
        c.add(e.kind);
        c.score += u64::from(points.get(i).copied().unwrap_or(0));
        while level[p] < steps.len() && c.meets(&steps[level[p]].requires) {
            out[p][level[p]] = Some(e.time);
            level[p] += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::network::test_ledger::ledger;
    use crate::config::{LadderConfig, LadderStep, Requirements};
    use crate::events::EventKind::{Commit, Endorsed};

    /// A step asking for 10 active days: Ann is endorsed on day 1 and commits on days 5 and
    /// 12. Her active days run from her first commit, as the profile's ladder counts them:
    /// seven, so the step is not reached; counted from the endorsement it would be (11).
    #[test]
    fn a_received_endorsement_starts_no_active_days() {
        let l = ledger(
            &["ann", "ben"],
            &[
                (1, 0, Endorsed, Some(1), 1),
                (5, 0, Commit, None, 2),
                (12, 0, Commit, None, 3),
            ],
        );
        let config = Config {
            ladder: LadderConfig {
                window_days: 0,
                steps: vec![LadderStep {
                    name: "regular".into(),
                    description: String::new(),
                    requires: Requirements {
                        active_days: Some(10),
                        ..Default::default()
                    },
                }],
            },
            ..Config::default()
        };
        assert_eq!(reached(&l, &config, None)[0], vec![None]);
        let counts = crate::analysis::newcomers::ladder_counts(&l, &config, None);
        assert_eq!(counts[0].active_days, 7);
    }
}
