//! `cargo guild rotate`: who facilitates each ritual next (or is on call). The upcoming
//! schedule is a section of the snapshot (so `--from-context` renders it); another start
//! date or more slots than the snapshot keeps are computed from the history by the same
//! `analysis::rhythm`.

use std::io::Write as _;

use crate::analysis::rhythm::{self, Slot};
use crate::cli::{GlobalOpts, RotateArgs, RotateFormat};
use crate::config::rhythm::parse_date;
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot::{Display, Parts};

pub fn execute(global: &GlobalOpts, args: RotateArgs) -> anyhow::Result<Outcome> {
    let from =
        match &args.from {
            Some(d) => Some(parse_date(d).ok_or_else(|| {
                anyhow::anyhow!("--from {d}: not a date\n  fix: write YYYY-MM-DD")
            })?),
            None => None,
        };
    let parts = Parts {
        schedule: true,
        ..Parts::PEOPLE
    };
    let (opened, community) = super::context::community(global, &args.context, parts)?;
    let from_snapshot = from.is_none() && args.count <= rhythm::SNAPSHOT_SLOTS;
    if !from_snapshot && opened.is_none() {
        anyhow::bail!(
            "--from and --count over {} need the history, which a saved snapshot does not hold\n  fix: run without --from-context, in the repository",
            rhythm::SNAPSHOT_SLOTS
        );
    }
    // The rituals asked for, by name, as the snapshot or guild.yml lists them.
    let known: Vec<String> = match &opened {
        Some((s, _)) => s.config.rituals.iter().map(|r| r.name.clone()).collect(),
        None => {
            let mut v: Vec<String> = Vec::new();
            for s in &community.schedule.slots {
                if !v.contains(&s.ritual) {
                    v.push(s.ritual.clone());
                }
            }
            v
        }
    };
    if known.is_empty() && community.schedule.problems.is_empty() {
        anyhow::bail!(
            "no rituals to schedule\n  fix: add `rituals:` to guild.yml, e.g.\n    rituals:\n      - name: micro-teach\n        kind: micro-teach\n        every: 2 weeks\n        starts: 2026-01-05\n        pool: {{ step: contributor }}"
        );
    }
    if let Some(r) = &args.ritual {
        if !known.iter().any(|k| k.eq_ignore_ascii_case(r)) {
            anyhow::bail!(
                "no ritual named `{r}`\n  fix: use one of {}",
                known.join(", ")
            );
        }
    }
    let wanted = |name: &str| {
        args.ritual
            .as_deref()
            .map_or(true, |r| r.eq_ignore_ascii_case(name))
    };
    let slots: Vec<Slot> = if from_snapshot {
        if let Some(p) = community.schedule.problems.first() {
            anyhow::bail!("{p}");
        }
        let mut per: std::collections::HashMap<&str, usize> = Default::default();
        community
            .schedule
            .slots
            .iter()
            .filter(|s| wanted(&s.ritual))
            .filter(|s| {
                let n = per.entry(s.ritual.as_str()).or_default();
                *n += 1;
                *n <= args.count
            })
            .cloned()
            .collect()
    } else {
        let (session, ledger) = opened.as_ref().expect("checked above");
        let from = from.unwrap_or_else(|| crate::util::date_of(ledger.as_of));
        let rituals: Vec<_> = session
            .config
            .rituals
            .iter()
            .filter(|r| wanted(&r.name))
            .map(|r| (r, from))
            .collect();
        from_history(session, ledger, &rituals, args.count)?
    };
    let name_of = |id: &str| {
        community
            .people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut out = super::stdout();
    match args.format {
        RotateFormat::Json => super::print_json(&slots)?,
        RotateFormat::Ics => {
            let name = &community.name;
            write!(
                out,
                "{}",
                crate::render::ics::calendar(name, &slots, &name_of, &community.as_of)
            )?;
        }
        RotateFormat::Table => {
            let mut t = Table::new(["ritual", "date", "facilitator", "co-facilitator", "note"]);
            let who = |id: &Option<String>| {
                id.as_deref()
                    .map(|i| format!("{} ({i})", name_of(i)))
                    .unwrap_or_else(|| "-".into())
            };
            for s in &slots {
                let note = match (s.held, s.on_call, s.facilitator.is_none()) {
                    (_, _, true) => "nobody in the pool is available",
                    (true, _, _) => "held",
                    (false, true, _) => "on call",
                    _ => "",
                };
                t.row(vec![
                    s.ritual.clone(),
                    s.date.clone(),
                    who(&s.facilitator),
                    who(&s.co_facilitator),
                    note.into(),
                ]);
            }
            t.write_text(&mut out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// The `count` slots of each ritual from its date, computed from the history: the
/// domains, ladder and display ids are worked out once for all of them.
pub fn from_history(
    session: &super::Session,
    ledger: &crate::events::Ledger,
    rituals: &[(&crate::config::rhythm::Ritual, chrono::NaiveDate)],
    count: usize,
) -> anyhow::Result<Vec<Slot>> {
    let domains = session.event_domains(ledger)?;
    let display = Display::new(ledger);
    let steps = crate::analysis::newcomers::ladder(ledger, &session.config, domains.as_ref())
        .iter()
        .map(|l| l.as_ref().and_then(|l| l.index))
        .collect();
    let c = rhythm::Community {
        ledger,
        config: &session.config,
        domains: domains.as_ref(),
        steps,
        ids: &display.ids,
    };
    let mut out = Vec::new();
    for (r, from) in rituals {
        out.extend(rhythm::schedule(&c, r, *from, count)?);
    }
    Ok(out)
}
