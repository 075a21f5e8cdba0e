//! `cargo guild explain PERSON`: every scored line behind a person's reputation, like a
//! reputation history page. The points listed add up exactly to the totals shown.

use std::io::Write as _;

use serde::Serialize;

use crate::analysis::reputation::{self, Score, Side};
use crate::cli::{ExplainArgs, GlobalOpts, TableFormat};
use crate::events::Target;
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot::{Display, ExplainedLine};

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
    points: u32,
    side: Side,
    rule: &'static str,
    target: Target,
    /// Whose work the event was about, if someone else's.
    other: Option<String>,
    title: Option<String>,
    note: Option<&'static str>,
}

pub fn execute(global: &GlobalOpts, args: ExplainArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let since = super::since(args.since.as_deref())?;
    let ledger = session.ledger()?;
    let domains = session.event_domains(&ledger)?;
    let display = Display::new(&ledger);
    let who = display.find(&ledger, &args.person)?;
    let scores = reputation::score_with(&ledger, &session.config, since, domains.as_ref());
    let lines: Vec<ExplainLine> = scores
        .lines
        .iter()
        .filter(|l| ledger.events[l.event].person == who)
        .map(|l| {
            let x = ExplainedLine::new(&ledger, &display, l);
            ExplainLine {
                date: crate::util::day(x.time),
                points: x.points,
                side: x.side,
                rule: x.rule,
                target: x.target,
                other: x.other,
                title: x.title,
                note: x.note,
            }
        })
        .collect();
    let explanation = Explanation {
        id: display.ids[who as usize].clone(),
        name: display.names[who as usize].clone(),
        reputation: scores.totals[who as usize],
        lines,
    };
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(&explanation)?,
        fmt => {
            let mut t = Table::new(["date", "points", "side", "rule", "target", "about", "note"]);
            for l in &explanation.lines {
                let about = match (&l.other, &l.title) {
                    (Some(o), Some(t)) => format!("{o}: {t}"),
                    (Some(o), None) => o.clone(),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                let side = match l.side {
                    Side::Contributor => "contributor",
                    Side::Reviewer => "reviewer",
                };
                t.row(vec![
                    l.date.clone(),
                    format!("+{}", l.points),
                    side.into(),
                    l.rule.into(),
                    l.target.to_string(),
                    about,
                    l.note.unwrap_or("").into(),
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
