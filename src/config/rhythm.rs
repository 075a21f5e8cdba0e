//! The community's rhythm in `guild.yml`: `rituals` (sessions with a rotating facilitator,
//! or an on-call expert) and `away` (who is unavailable when). Shapes and dates are checked
//! here, with the place in the file; who the people are is checked against the history
//! when a schedule is made (`analysis::rhythm`).

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A recurring ritual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ritual {
    pub name: String,
    /// The doc kind its sessions are written up as (`micro-teach`): held sessions are the
    /// docs of that kind, their `facilitator` counts as having served.
    #[serde(default)]
    pub kind: Option<String>,
    /// An expert on call who answers questions for the period, not a session.
    #[serde(default)]
    pub on_call: bool,
    /// `N day(s)`, `N week(s)` or `N month(s)`.
    pub every: String,
    /// The first slot, `YYYY-MM-DD`.
    pub starts: String,
    pub pool: Pool,
}

/// Who may serve: exactly one of the three.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Pool {
    /// Everyone who has authored or reviewed work in this domain.
    pub domain: Option<String>,
    /// Everyone at this ladder step or above.
    pub step: Option<String>,
    /// These people (ids, logins or names).
    pub people: Option<Vec<String>>,
}

/// How often a ritual comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Days(u32),
    Months(u32),
}

impl Every {
    pub fn parse(text: &str) -> Option<Every> {
        let mut words = text.split_whitespace();
        let n: u32 = words.next()?.parse().ok().filter(|&n| n > 0 && n <= 1000)?;
        let unit = words.next()?.to_ascii_lowercase();
        if words.next().is_some() {
            return None;
        }
        match unit.trim_end_matches('s') {
            "day" => Some(Every::Days(n)),
            "week" => Some(Every::Days(n * 7)),
            "month" => Some(Every::Months(n)),
            _ => None,
        }
    }

    /// The date one period after `d` (months keep the day, clamped to the month's end).
    pub fn after(self, d: NaiveDate) -> Option<NaiveDate> {
        match self {
            Every::Days(n) => d.checked_add_days(chrono::Days::new(u64::from(n))),
            Every::Months(n) => d.checked_add_months(Months::new(n)),
        }
    }
}

impl Ritual {
    pub fn every(&self) -> Every {
        Every::parse(&self.every).unwrap_or(Every::Days(7))
    }

    pub fn starts(&self) -> NaiveDate {
        parse_date(&self.starts).unwrap_or_default()
    }
}

/// `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Checks `rituals` and `away`; `at(needle)` says where a value is written.
pub fn validate(
    rituals: &[Ritual],
    away: &BTreeMap<String, Vec<String>>,
    steps: &[String],
    at: &dyn Fn(&str) -> String,
) -> anyhow::Result<()> {
    let mut names = std::collections::BTreeSet::new();
    for r in rituals {
        if r.name.trim().is_empty() {
            anyhow::bail!("{}: a ritual needs a `name`", at("rituals"));
        }
        if !names.insert(r.name.to_lowercase()) {
            anyhow::bail!("{}: ritual `{}` appears twice", at(&r.name), r.name);
        }
        if Every::parse(&r.every).is_none() {
            anyhow::bail!(
                "{}: ritual `{}`: `every: {}` is not a period\n  fix: write `N days`, `N weeks` or `N months`, e.g. `every: 2 weeks`",
                at(&r.every),
                r.name,
                r.every
            );
        }
        if parse_date(&r.starts).is_none() {
            anyhow::bail!(
                "{}: ritual `{}`: `starts: {}` is not a date\n  fix: write YYYY-MM-DD",
                at(&r.starts),
                r.name,
                r.starts
            );
        }
        let set = [
            r.pool.domain.is_some(),
            r.pool.step.is_some(),
            r.pool.people.is_some(),
        ];
        if set.iter().filter(|&&b| b).count() != 1 {
            anyhow::bail!(
                "{}: ritual `{}`: `pool` needs exactly one of `domain`, `step` or `people`\n  fix: e.g. `pool: {{ domain: parser }}`",
                at(&r.name),
                r.name
            );
        }
        if let Some(s) = &r.pool.step {
            if !steps.iter().any(|x| x == s) {
                anyhow::bail!(
                    "{}: ritual `{}`: `{s}` is not a ladder step\n  fix: use one of {}",
                    at(s),
                    r.name,
                    steps.join(", ")
                );
            }
        }
        if !r.on_call && r.kind.as_deref().map_or(true, |k| k.trim().is_empty()) {
            anyhow::bail!(
                "{}: ritual `{}` needs a `kind` (the doc kind its sessions are written up as), or `on_call: true`",
                at(&r.name),
                r.name
            );
        }
    }
    for (who, dates) in away {
        let ok = dates.len() == 2
            && match (parse_date(&dates[0]), parse_date(&dates[1])) {
                (Some(a), Some(b)) => a <= b,
                _ => false,
            };
        if !ok {
            anyhow::bail!(
                "{}: `away` of `{who}` must be two dates, first to last inclusive\n  fix: e.g. `{who}: [2026-01-01, 2026-02-01]`",
                at(who)
            );
        }
    }
    Ok(())
}

/// Whether `date` falls in one of `who`'s away periods (validated already).
pub fn is_away(periods: &[String], date: NaiveDate) -> bool {
    match (
        periods.first().and_then(|d| parse_date(d)),
        periods.get(1).and_then(|d| parse_date(d)),
    ) {
        (Some(a), Some(b)) => a <= date && date <= b,
        _ => false,
    }
}
