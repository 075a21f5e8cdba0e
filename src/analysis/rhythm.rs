//! Rotation: who facilitates each slot of a ritual (or is on call), fairly and
//! deterministically. Slots run from the ritual's `starts`, one `every` apart. Each slot
//! goes to whoever in the pool has served least (held docs of the ritual's kind, by their
//! `facilitator`, plus earlier slots of the schedule), ties by longest since they last
//! served (never counts as longest), then by id; so over a cycle everyone available serves
//! equally. A slot with a held doc in it is served by that doc's facilitator. People away on
//! the slot's date, opted out, inactive for `reviewers.inactive_days` or bots are skipped for
//! that slot. A first-time facilitator gets a co-facilitator who has served before.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::EventDomains;
use crate::config::rhythm::{self, Ritual};
use crate::config::Config;
use crate::events::Ledger;

/// One slot of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Slot {
    pub ritual: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The day after the slot ends (`YYYY-MM-DD`, exclusive): the next day for a session,
    /// the next slot for an on-call period.
    pub ends: String,
    /// Display id; none when nobody in the pool is available.
    pub facilitator: Option<String>,
    /// A person who has served before, beside a first-timer.
    pub co_facilitator: Option<String>,
    /// An on-call period rather than a session.
    pub on_call: bool,
    /// Served already: a doc of the ritual's kind records it.
    pub held: bool,
}

/// Every ritual's schedule, as the snapshot keeps it: the next slots of each, and what
/// kept a ritual from being scheduled (its pool names nobody, an unknown domain ...).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Schedule {
    /// By ritual (in `guild.yml` order), then date.
    pub slots: Vec<Slot>,
    pub problems: Vec<String>,
}

/// How many slots of each ritual the snapshot keeps.
pub const SNAPSHOT_SLOTS: usize = 8;

/// The next [`SNAPSHOT_SLOTS`] slots of every ritual from the day of the latest activity.
pub fn upcoming(c: &Community<'_>) -> Schedule {
    let from = crate::util::date_of(c.ledger.as_of);
    let mut out = Schedule::default();
    for r in &c.config.rituals {
        match schedule(c, r, from, SNAPSHOT_SLOTS) {
            Ok(slots) => out.slots.extend(slots),
            Err(e) => out.problems.push(format!("{e:#}")),
        }
    }
    out
}

/// What a schedule needs to know of the community, computed once for every ritual.
pub struct Community<'a> {
    pub ledger: &'a Ledger,
    pub config: &'a Config,
    pub domains: Option<&'a EventDomains>,
    /// Ladder step index of each person.
    pub steps: Vec<Option<usize>>,
    /// Display ids of every person.
    pub ids: &'a [String],
}

/// The longest schedule replayed (a daily ritual over 270 years).
const MAX_SLOTS: usize = 100_000;

/// The `count` slots of `ritual` on or after `from`.
pub fn schedule(
    c: &Community<'_>,
    ritual: &Ritual,
    from: NaiveDate,
    count: usize,
) -> anyhow::Result<Vec<Slot>> {
    let ledger = c.ledger;
    let pool = pool(c, ritual)?;
    let away = away(c)?;
    let last_seen = super::domains::last_seen(ledger);
    let people = ledger.people();
    let available = |p: u32, day: NaiveDate| {
        let person = &people[p as usize];
        !person.is_bot
            && !person.opted_out
            && super::domains::is_active(last_seen[p as usize], ledger, c.config)
            && !away
                .get(&p)
                .is_some_and(|ps| ps.iter().any(|a| rhythm::is_away(a, day)))
    };
    // Held sessions: docs of the ritual's kind, by date.
    let mut held: Vec<(NaiveDate, u32)> = Vec::new();
    if let (Some(kind), false) = (&ritual.kind, ritual.on_call) {
        for d in &ledger.docs {
            let same = d
                .front
                .kind
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case(kind));
            let date = d.front.date.as_deref().and_then(rhythm::parse_date);
            let who = d
                .front
                .facilitator
                .as_deref()
                .and_then(|f| ledger.identities.resolve_mention(f));
            if let (true, Some(date), Some(who)) = (same, date, who) {
                held.push((date, who));
            }
        }
    }
    held.sort();
    let mut served: HashMap<u32, (u32, Option<NaiveDate>)> = HashMap::new();
    let serve = |served: &mut HashMap<u32, (u32, Option<NaiveDate>)>, p: u32, d: NaiveDate| {
        let e = served.entry(p).or_default();
        e.0 += 1;
        e.1 = Some(e.1.map_or(d, |l: NaiveDate| l.max(d)));
    };
    let every = ritual.every();
    let mut day = ritual.starts();
    // Sessions held before the schedule began count too.
    for &(d, p) in held.iter().filter(|(d, _)| *d < day) {
        serve(&mut served, p, d);
    }
    let mut out = Vec::new();
    for _ in 0..MAX_SLOTS {
        if out.len() >= count {
            break;
        }
        let next = every
            .after(day)
            .ok_or_else(|| anyhow::anyhow!("ritual `{}`: dates run out", ritual.name))?;
        let in_slot: Vec<(NaiveDate, u32)> = held
            .iter()
            .filter(|(d, _)| *d >= day && *d < next)
            .copied()
            .collect();
        let ends = if ritual.on_call {
            next
        } else {
            day.succ_opt().unwrap_or(next)
        }
        .to_string();
        let slot = if let Some(&(_, first)) = in_slot.first() {
            for &(d, p) in &in_slot {
                serve(&mut served, p, d);
            }
            Slot {
                ritual: ritual.name.clone(),
                date: day.to_string(),
                ends: ends.clone(),
                facilitator: Some(c.ids[first as usize].clone()),
                co_facilitator: None,
                on_call: ritual.on_call,
                held: true,
            }
        } else {
            let free: Vec<u32> = pool
                .iter()
                .copied()
                .filter(|&p| available(p, day))
                .collect();
            // Least served, then longest since (never first), then id.
            let order = |p: &u32| {
                let (n, last) = served.get(p).copied().unwrap_or_default();
                (n, last.is_some(), last, c.ids[*p as usize].clone())
            };
            let chosen = free.iter().min_by_key(|p| order(p)).copied();
            let co = chosen
                .filter(|p| !served.contains_key(p))
                .and_then(|first| {
                    free.iter()
                        .filter(|&&p| p != first && served.contains_key(&p))
                        .min_by_key(|p| order(p))
                        .copied()
                });
            if let Some(p) = chosen {
                serve(&mut served, p, day);
            }
            Slot {
                ritual: ritual.name.clone(),
                date: day.to_string(),
                ends,
                facilitator: chosen.map(|p| c.ids[p as usize].clone()),
                co_facilitator: co.map(|p| c.ids[p as usize].clone()),
                on_call: ritual.on_call,
                held: false,
            }
        };
        if day >= from {
            out.push(slot);
        }
        day = next;
    }
    Ok(out)
}

/// Who may serve a ritual, in id order.
fn pool(c: &Community<'_>, ritual: &Ritual) -> anyhow::Result<Vec<u32>> {
    let ledger = c.ledger;
    let mut out: BTreeSet<u32> = BTreeSet::new();
    if let Some(domain) = &ritual.pool.domain {
        let Some(d) = c.domains.filter(|d| d.names.iter().any(|n| n == domain)) else {
            anyhow::bail!(
                "ritual `{}`: `{domain}` is not a domain\n  fix: use a domain of `domains:` in guild.yml (or of CODEOWNERS)",
                ritual.name
            );
        };
        let index = d.names.iter().position(|n| n == domain).unwrap_or(0) as u16;
        for (e, ds) in ledger.events.iter().zip(&d.of_event) {
            let work = e.kind.is_review_side() || e.kind.is_authoring();
            if work && ds.contains(&index) {
                out.insert(e.person);
            }
        }
    }
    if let Some(step) = &ritual.pool.step {
        let at = c
            .config
            .ladder
            .steps
            .iter()
            .position(|s| &s.name == step)
            .unwrap_or(usize::MAX);
        for (p, s) in c.steps.iter().enumerate() {
            if s.is_some_and(|s| s >= at) {
                out.insert(p as u32);
            }
        }
    }
    for who in ritual.pool.people.iter().flatten() {
        match ledger.identities.resolve_mention(who) {
            Some(p) => {
                out.insert(p);
            }
            None => anyhow::bail!(
                "ritual `{}`: `{who}` in its pool is nobody in the history\n  fix: use an id from `cargo guild reputation` (or `cargo guild whois`)",
                ritual.name
            ),
        }
    }
    let mut v: Vec<u32> = out.into_iter().collect();
    v.sort_by(|a, b| c.ids[*a as usize].cmp(&c.ids[*b as usize]));
    Ok(v)
}

/// `away:` by person.
fn away(c: &Community<'_>) -> anyhow::Result<HashMap<u32, Vec<Vec<String>>>> {
    let mut out: HashMap<u32, Vec<Vec<String>>> = HashMap::new();
    for (who, dates) in &c.config.away {
        match c.ledger.identities.resolve_mention(who) {
            Some(p) => out.entry(p).or_default().push(dates.clone()),
            None => anyhow::bail!(
                "away: `{who}` is nobody in the history\n  fix: use an id from `cargo guild reputation` (or `cargo guild whois`)"
            ),
        }
    }
    Ok(out)
}
