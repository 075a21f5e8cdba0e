//! The reputation history in the snapshot: every scored line, as `explain` lists it and the
//! site's person pages show it, with people by display id so a saved snapshot needs nothing
//! else to render them. It also owns how many lines a section holds ([`Lines`]): the site
//! shows only each person's newest lines and a chart per month, so it does not hold every
//! line of a two-million-event organisation (issue 18) — its memory grows with people, not
//! with events.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Display;
use crate::analysis::reputation::{self, Scores};
use crate::events::Ledger;

/// The most lines a person page lists (newest first); `cargo guild explain` has them all.
pub const PERSON_PAGE_LINES: usize = 60;

/// The rule whose lines the activity chart leaves out: a bonus on top of a review line, so
/// counting it would count that review twice.
const BONUS_RULE: &str = "review_newcomer";

/// How many scored lines the snapshot's `lines` holds per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// None (the section is empty).
    None,
    /// The newest N per person, with every line counted in `line_months` (the site).
    Newest(usize),
    /// Every line (`explain`, `context --json`).
    All,
}

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

/// Per display id: scored lines per month (`YYYY-MM`), the newcomer-review bonus left out.
pub type LineMonths = BTreeMap<String, BTreeMap<String, u64>>;

/// The scored lines `which` asks for, per display id in time order, and every line counted
/// per month (both empty for [`Lines::None`]).
pub(super) fn lines(
    ledger: &Ledger,
    display: &Display,
    scores: &Scores,
    which: Lines,
) -> (BTreeMap<String, Vec<ScoredLine>>, LineMonths) {
    let keep = match which {
        Lines::None => return Default::default(),
        Lines::Newest(n) => n,
        Lines::All => usize::MAX,
    };
    let people = display.ids.len();
    // Lines are in time order: a person's newest `keep` are those past their count - keep.
    let mut total = vec![0usize; people];
    let mut months: Vec<BTreeMap<(i32, u32), u64>> = vec![BTreeMap::new(); people];
    for l in &scores.lines {
        let e = &ledger.events[l.event];
        total[e.person as usize] += 1;
        if l.rule != BONUS_RULE {
            *months[e.person as usize]
                .entry(crate::util::year_month(e.time))
                .or_default() += 1;
        }
    }
    let mut seen = vec![0usize; people];
    let mut out: Vec<Vec<ScoredLine>> = vec![Vec::new(); people];
    for l in &scores.lines {
        let p = ledger.events[l.event].person as usize;
        seen[p] += 1;
        if total[p] - (seen[p] - 1) <= keep {
            out[p].push(ScoredLine::new(ledger, display, l));
        }
    }
    let lines = out
        .into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(p, v)| (display.ids[p].clone(), v))
        .collect();
    let months = months
        .into_iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .map(|(p, m)| {
            let m = m
                .into_iter()
                .map(|((y, mo), n)| (format!("{y:04}-{mo:02}"), n))
                .collect();
            (display.ids[p].clone(), m)
        })
        .collect();
    (lines, months)
}

/// A person's scored lines per month: from `line_months`, or counted from every line where
/// a saved snapshot has none (one written before `line_months` existed).
pub fn months_of(community: &super::Community, id: &str) -> BTreeMap<String, u64> {
    if let Some(m) = community.line_months.get(id) {
        return m.clone();
    }
    let mut out = BTreeMap::new();
    if community.line_months.is_empty() {
        for l in community.lines.get(id).into_iter().flatten() {
            if l.rule != BONUS_RULE {
                *out.entry(crate::util::day(l.time)[..7].to_string())
                    .or_default() += 1;
            }
        }
    }
    out
}
