//! The reputation history in the snapshot: every scored line, as `explain` lists it and the
//! site's person pages show it, with people by display id so a saved snapshot needs nothing
//! else to render them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Display;
use crate::analysis::reputation::{self, Scores};
use crate::events::Ledger;

/// One scored line as every renderer shows it: people by display id, the pull request's
/// title where there is one. `explain` and the site's person pages both list these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ScoredLine {
    /// Unix seconds.
    pub time: i64,
    pub points: u32,
    pub rule: String,
    pub side: reputation::Side,
    pub target: crate::events::Target,
    /// Whose work it was about, if someone else's.
    pub other: Option<String>,
    pub title: Option<String>,
    /// Why the points differ from the rule's weight (cap, bot), if they do.
    pub note: Option<String>,
}

impl ScoredLine {
    pub fn new(ledger: &Ledger, display: &Display, line: &reputation::Line) -> ScoredLine {
        let e = &ledger.events[line.event];
        ScoredLine {
            time: e.time,
            points: line.points,
            rule: line.rule.to_string(),
            side: line.side,
            target: e.target.clone(),
            other: e
                .other
                .filter(|&o| o != e.person)
                .map(|o| display.ids[o as usize].clone()),
            title: e
                .pr
                .and_then(|n| ledger.prs.get(&n))
                .map(|p| p.title.clone())
                .filter(|t| !t.is_empty()),
            note: line.note.map(str::to_string),
        }
    }
}

/// Every scored line, per display id, in time order.
pub(super) fn all(
    ledger: &Ledger,
    display: &Display,
    scores: &Scores,
) -> BTreeMap<String, Vec<ScoredLine>> {
    let mut out: BTreeMap<String, Vec<ScoredLine>> = BTreeMap::new();
    for l in &scores.lines {
        let e = &ledger.events[l.event];
        out.entry(display.ids[e.person as usize].clone())
            .or_default()
            .push(ScoredLine::new(ledger, display, l));
    }
    out
}
