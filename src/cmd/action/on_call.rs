//! Who is on call for a pull request: the on-call rituals of `guild.yml` (`cargo guild
//! rotate`) whose pool is a domain the pull request changes, or any on-call ritual without a
//! domain pool; the person whose slot covers the day of the latest activity. The author is
//! never named as their own on-call expert.

use crate::config::rhythm::Every;
use crate::render::comment::{Reviewer, Who};

/// (ritual, the on-call person's display id) for the changed paths.
pub fn on_call(
    session: &crate::cmd::Session,
    ledger: &crate::events::Ledger,
    changed: &[String],
    author: Option<u32>,
) -> anyhow::Result<Vec<Reviewer>> {
    let touched = session.domains_of_paths(changed)?;
    let rituals: Vec<&crate::config::rhythm::Ritual> = session
        .config
        .rituals
        .iter()
        .filter(|r| r.on_call)
        .filter(|r| r.pool.domain.as_ref().map_or(true, |d| touched.contains(d)))
        .collect();
    if rituals.is_empty() {
        return Ok(Vec::new());
    }
    let today = crate::util::date_of(ledger.as_of);
    // A slot covering today starts at most one period before it.
    let from: Vec<_> = rituals
        .iter()
        .map(|&r| {
            let back = match r.every() {
                Every::Days(n) => today - chrono::Days::new(u64::from(n)),
                Every::Months(n) => today
                    .checked_sub_months(chrono::Months::new(n))
                    .unwrap_or(today),
            };
            (r, back)
        })
        .collect();
    let today = today.to_string();
    let display = crate::snapshot::Display::new(ledger);
    let mut out = Vec::new();
    let slots = super::super::rotate::from_history(session, ledger, &from, 3)?;
    for r in rituals {
        let Some(slot) = slots
            .iter()
            .find(|s| s.ritual == r.name && s.date <= today && today < s.ends)
        else {
            continue;
        };
        let Some(id) = &slot.facilitator else {
            continue;
        };
        let Some(p) = display.ids.iter().position(|x| x == id) else {
            continue;
        };
        if Some(p as u32) == author {
            continue;
        }
        let person = &ledger.people()[p];
        out.push(Reviewer {
            who: Who {
                login: person.login.clone(),
                name: display.names[p].clone(),
            },
            reason: format!("on call for {} until {}", r.name, slot.ends),
        });
    }
    Ok(out)
}
