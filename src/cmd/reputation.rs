//! `cargo guild reputation`: people ranked by total reputation.

use std::io::Write as _;

use crate::analysis::reputation;
use crate::cli::{GlobalOpts, ReputationArgs, TableFormat};
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot;

pub fn execute(global: &GlobalOpts, args: ReputationArgs) -> anyhow::Result<Outcome> {
    match super::since(args.filter.since.as_deref())? {
        // Scores since a date are not in the snapshot: they need the events.
        Some(since) => {
            if args.context.from_context.is_some() {
                anyhow::bail!(
                    "--since needs the history, which a saved snapshot does not hold\n  fix: run without --from-context, in the repository"
                );
            }
            let session = super::Session::open(global)?;
            let ledger = session.ledger()?;
            let domains = session.event_domains(&ledger)?;
            let scores = session.timed("score", || {
                reputation::score_with(&ledger, &session.config, Some(since), domains.as_ref())
            });
            let people = snapshot::people(&ledger, &scores, Some(since));
            show(people.iter().collect(), &args)
        }
        None => super::context::snapshot_only(
            global,
            &args.context,
            crate::snapshot::Parts::PEOPLE,
            |_, _| Ok(()),
            |community| show(community.people.iter().collect(), &args),
        ),
    }
}

/// Prints `people` ranked, the top `--top` of them, in the format asked for.
fn show(
    mut people: Vec<&snapshot::PersonSummary>,
    args: &ReputationArgs,
) -> anyhow::Result<Outcome> {
    people.sort_by_key(|p| p.rank);
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
            for p in &people {
                let mut row = vec![
                    p.rank.to_string(),
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
