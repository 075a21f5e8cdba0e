//! `cargo guild reputation`: people ranked by total reputation.

use std::io::Write as _;

use crate::analysis::reputation;
use crate::cli::{GlobalOpts, ReputationArgs, TableFormat};
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot::{self, PersonSummary};

pub fn execute(global: &GlobalOpts, args: ReputationArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let since = super::since(args.filter.since.as_deref())?;
    let ledger = session.ledger()?;
    let domains = super::domains::event_domains(&session, &ledger)?;
    let scores = session.timed("score", || {
        reputation::score_with(&ledger, &session.config, since, domains.as_ref())
    });
    let mut people = session.timed("people", || snapshot::people(&ledger, &scores, since));
    rank(&mut people);
    if let Some(n) = args.filter.top {
        people.truncate(n);
    }
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(&people)?,
        TableFormat::Table | TableFormat::Csv => {
            // Topic merges (git.git's way) are counted apart from pull requests, in a column
            // of their own where the history has any.
            let sets = people.iter().any(|p| p.counts.change_sets > 0);
            let mut head = vec![
                "rank",
                "id",
                "name",
                "total",
                "contributor",
                "reviewer",
                "commits",
                "prs",
            ];
            if sets {
                head.push("change_sets");
            }
            head.extend(["reviews", "last_seen"]);
            let mut t = Table::new(head);
            for (i, p) in people.iter().enumerate() {
                let mut row = vec![
                    (i + 1).to_string(),
                    p.id.clone(),
                    if p.is_bot {
                        format!("{} (bot)", p.name)
                    } else {
                        p.name.clone()
                    },
                    p.reputation.total.to_string(),
                    p.reputation.contributor.to_string(),
                    p.reputation.reviewer.to_string(),
                    p.counts.commits.to_string(),
                    p.counts.prs_merged.to_string(),
                ];
                if sets {
                    row.push(p.counts.change_sets.to_string());
                }
                row.extend([
                    p.counts.reviews_given.to_string(),
                    p.last_seen
                        .as_deref()
                        .map(|s| s[..10].to_string())
                        .unwrap_or_default(),
                ]);
                t.row(row);
            }
            t.write(args.format, &mut out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Highest total first; ties by reviewer score, then id, so the order is stable.
pub fn rank(people: &mut [PersonSummary]) {
    people.sort_by(|a, b| {
        b.reputation
            .total
            .cmp(&a.reputation.total)
            .then_with(|| b.reputation.reviewer.cmp(&a.reputation.reviewer))
            .then_with(|| a.id.cmp(&b.id))
    });
}
