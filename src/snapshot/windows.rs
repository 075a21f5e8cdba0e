//! Reputation over recent time windows (the last 90 days, the last year), beside the
//! all-time scores of [`super::PersonSummary::reputation`], so the site can rank people by
//! what they did lately. A window's score is the points of the events in it, as the
//! all-time scoring gave them (a daily cap spent before the window started stays spent): the
//! same lines `explain` lists, counted from the window's start. It does not rescore.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Display;
use crate::analysis::reputation::{Scores, Side};
use crate::events::Ledger;

/// The windows, in days, each ending at the snapshot's `as_of`.
pub const DAYS: [u32; 2] = [90, 365];

/// Scores per window, compact: one `[total, contributor, reviewer]` per window.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct ScoreWindows {
    /// The windows' lengths in days, each ending at `as_of` (`[90, 365]`); empty in a
    /// snapshot saved before windows existed.
    pub days: Vec<u32>,
    /// Per display id, for people with points in a window only: `[total, contributor,
    /// reviewer]` per window, in the order of `days`. Someone not listed has none.
    pub scores: BTreeMap<String, Vec<[u64; 3]>>,
}

impl ScoreWindows {
    /// A person's `[total, contributor, reviewer]` in window `w` (an index into `days`).
    pub fn of(&self, id: &str, w: usize) -> [u64; 3] {
        self.scores
            .get(id)
            .and_then(|s| s.get(w))
            .copied()
            .unwrap_or_default()
    }
}

/// The windows' scores from the all-time scored lines.
pub fn scores(ledger: &Ledger, display: &Display, scores: &Scores) -> ScoreWindows {
    let starts = DAYS.map(|d| ledger.as_of - i64::from(d) * 86_400);
    let mut per: BTreeMap<u32, Vec<[u64; 3]>> = BTreeMap::new();
    for l in &scores.lines {
        let e = &ledger.events[l.event];
        if l.points == 0 || e.time <= starts[DAYS.len() - 1] {
            continue;
        }
        let s = per
            .entry(e.person)
            .or_insert_with(|| vec![[0; 3]; DAYS.len()]);
        for (w, &start) in starts.iter().enumerate() {
            if e.time > start {
                let p = u64::from(l.points);
                s[w][0] += p;
                s[w][if l.side == Side::Contributor { 1 } else { 2 }] += p;
            }
        }
    }
    ScoreWindows {
        days: DAYS.to_vec(),
        scores: per
            .into_iter()
            .map(|(p, s)| (display.ids[p as usize].clone(), s))
            .collect(),
    }
}
