//! The community's pulse as of HEAD: who was active in the last 90 days, who arrived this
//! calendar quarter, and which of the recent newcomers' reviewers are still around to mentor.
//! Computed here once and carried by the snapshot, so the site's home and newcomers pages
//! (and anything else) read the same numbers instead of counting on their own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::newcomers::Newcomers;
use crate::events::Ledger;

/// "Active" means an event in this many days before HEAD's date.
pub const ACTIVE_DAYS: i64 = 90;
/// How many of the newest newcomers count as "recent".
pub const RECENT_NEWCOMERS: usize = 30;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pulse {
    /// People (bots left out) with an event in the 90 days up to HEAD's date.
    pub active_90_days: u64,
    /// The first day of HEAD's calendar quarter, `YYYY-MM-DD`.
    pub quarter_start: String,
    /// People (bots left out) whose first contribution is in that quarter.
    pub newcomers_this_quarter: u64,
    /// Reviewers of the recent newcomers' work who are still active, most newcomers helped
    /// first (then most reviews, then id).
    pub available_mentors: Vec<AvailableMentor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AvailableMentor {
    /// Display id.
    pub id: String,
    /// Recent newcomers whose work they reviewed.
    pub newcomers: u64,
    /// Their reviews of that work.
    pub reviews: u64,
}

/// The pulse of `ledger`; `ids` are display ids, `newcomers` the newcomers analysis.
pub fn analyse(ledger: &Ledger, ids: &[String], newcomers: &Newcomers) -> Pulse {
    let people = ledger.people();
    let mut span: Vec<Option<(i64, i64)>> = vec![None; people.len()];
    for e in &ledger.events {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        let s = &mut span[e.person as usize];
        *s = Some(s.map_or((e.time, e.time), |(f, l)| (f.min(e.time), l.max(e.time))));
    }
    let since = ledger.as_of - ACTIVE_DAYS * 86_400;
    let quarter_start = quarter_start(ledger.as_of);
    let quarter_from = crate::util::parse_date(&quarter_start).unwrap_or(i64::MAX);
    let mut active = vec![false; people.len()];
    let (mut active_90_days, mut newcomers_this_quarter) = (0, 0);
    for (i, s) in span.iter().enumerate() {
        let Some((first, last)) = *s else { continue };
        if people[i].is_bot {
            continue;
        }
        if last >= since {
            active[i] = true;
            active_90_days += 1;
        }
        if first >= quarter_from {
            newcomers_this_quarter += 1;
        }
    }
    let active_ids: std::collections::HashSet<&str> = ids
        .iter()
        .zip(&active)
        .filter(|(_, a)| **a)
        .map(|(id, _)| id.as_str())
        .collect();
    let mut helped: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for x in newcomers.people.iter().take(RECENT_NEWCOMERS) {
        for m in x
            .mentors
            .iter()
            .filter(|m| active_ids.contains(m.id.as_str()))
        {
            let e = helped.entry(m.id.as_str()).or_default();
            e.0 += 1;
            e.1 += m.reviews;
        }
    }
    let mut available: Vec<(&str, (u64, u64))> = helped.into_iter().collect();
    available.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    Pulse {
        active_90_days,
        quarter_start,
        newcomers_this_quarter,
        available_mentors: available
            .into_iter()
            .map(|(id, (newcomers, reviews))| AvailableMentor {
                id: id.to_string(),
                newcomers,
                reviews,
            })
            .collect(),
    }
}

/// `YYYY-MM-01` of the calendar quarter that holds `t`.
fn quarter_start(t: i64) -> String {
    let day = crate::util::day(t);
    match (
        day.get(..4),
        day.get(5..7).and_then(|m| m.parse::<u32>().ok()),
    ) {
        (Some(y), Some(m)) => format!("{y}-{:02}-01", (m - 1) / 3 * 3 + 1),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quarters_start_on_the_first_of_january_april_july_october() {
        let t = |d: &str| crate::util::parse_date(d).unwrap();
        assert_eq!(super::quarter_start(t("2024-01-01")), "2024-01-01");
        assert_eq!(super::quarter_start(t("2024-03-31")), "2024-01-01");
        assert_eq!(super::quarter_start(t("2024-05-15")), "2024-04-01");
        assert_eq!(super::quarter_start(t("2024-12-31")), "2024-10-01");
    }
}
