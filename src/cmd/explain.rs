//! `cargo guild explain PERSON`: every scored line behind a person's reputation, like a
//! reputation history page, read from the snapshot's `lines`. The points listed add up
//! exactly to the totals shown.

use std::io::Write as _;

use serde::Serialize;

use crate::analysis::reputation::{self, Score, Side};
use crate::cli::{ExplainArgs, GlobalOpts, TableFormat};
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot::{Display, Parts, ScoredLine};

#[derive(Serialize)]
struct Explanation {
    id: String,
    name: String,
    reputation: Score,
    lines: Vec<ExplainLine>,
}

#[derive(Serialize)]
struct ExplainLine {
    date: String,
    #[serde(flatten)]
    line: ScoredLine,
}

pub fn execute(global: &GlobalOpts, args: ExplainArgs) -> anyhow::Result<Outcome> {
    let explanation = match super::since(args.since.as_deref())? {
        Some(since) => since_date(global, &args, since)?,
        None => {
            let (session, community) = super::context::community(
                global,
                &args.context,
                Parts {
                    lines: crate::snapshot::Lines::All,
                    ..Parts::PEOPLE
                },
            )?;
            // With the history, people are found by login and e-mail too.
            let id = match &session {
                Some((_, ledger)) => {
                    let display = Display::new(ledger);
                    display.ids[display.find(ledger, &args.person)? as usize].clone()
                }
                None => community.find(&args.person)?.id.clone(),
            };
            let mut community = community;
            let p = community
                .people
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| anyhow::anyhow!("`{id}` is not in the snapshot"))?;
            Explanation {
                id: p.id.clone(),
                name: p.name.clone(),
                reputation: p.reputation,
                lines: community
                    .lines
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(dated)
                    .collect(),
            }
        }
    };
    write(args.format, &explanation)
}

/// Lines since a date are not in the snapshot: they need the events.
fn since_date(global: &GlobalOpts, args: &ExplainArgs, since: i64) -> anyhow::Result<Explanation> {
    if args.context.from_context.is_some() {
        anyhow::bail!(
            "--since needs the history, which a saved snapshot does not hold\n  fix: run without --from-context, in the repository"
        );
    }
    let session = super::Session::open(global)?;
    let ledger = session.ledger()?;
    let domains = session.event_domains(&ledger)?;
    let display = Display::new(&ledger);
    let who = display.find(&ledger, &args.person)?;
    let scores = reputation::score_with(&ledger, &session.config, Some(since), domains.as_ref());
    Ok(Explanation {
        id: display.ids[who as usize].clone(),
        name: display.names[who as usize].clone(),
        reputation: scores.totals[who as usize],
        lines: scores
            .lines
            .iter()
            .filter(|l| ledger.events[l.event].person == who)
            .map(|l| dated(ScoredLine::new(&ledger, &display, l)))
            .collect(),
    })
}

fn dated(line: ScoredLine) -> ExplainLine {
    ExplainLine {
        date: crate::util::day(line.time),
        line,
    }
}

fn write(format: TableFormat, explanation: &Explanation) -> anyhow::Result<Outcome> {
    let mut out = super::stdout();
    match format {
        TableFormat::Json => super::print_json(explanation)?,
        fmt => {
            let mut t = Table::new(["date", "points", "side", "rule", "target", "about", "note"]);
            for l in &explanation.lines {
                let ScoredLine {
                    other, title, side, ..
                } = &l.line;
                let about = match (other, title) {
                    (Some(o), Some(t)) => format!("{o}: {t}"),
                    (Some(o), None) => o.clone(),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                let side = match side {
                    Side::Contributor => "contributor",
                    Side::Reviewer => "reviewer",
                };
                t.row(vec![
                    l.date.clone(),
                    format!("+{}", l.line.points),
                    side.into(),
                    l.line.rule.clone(),
                    l.line.target.to_string(),
                    about,
                    l.line.note.clone().unwrap_or_default(),
                ]);
            }
            if fmt == TableFormat::Csv {
                t.write_csv(&mut out)?;
            } else {
                let r = explanation.reputation;
                writeln!(
                    out,
                    "{} ({})",
                    crate::render::table::sanitize(&explanation.name),
                    explanation.id
                )?;
                t.write_text(&mut out)?;
                writeln!(
                    out,
                    "total {} = contributor {} + reviewer {} ({} lines)",
                    r.total,
                    r.contributor,
                    r.reviewer,
                    explanation.lines.len()
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
