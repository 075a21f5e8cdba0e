//! `cargo guild suggest-reviewers (--paths P... | --diff BASE..HEAD)`: reviewers for a change,
//! each with a reason, plus one learner as shadow reviewer; `--evaluate [--since DATE]`
//! replays history and reports how good the suggestions would have been. The ranking and
//! the replay are `analysis::suggest`; this module gathers the changed paths and the author.

use std::io::Write as _;

use crate::analysis::suggest::{self, Evaluation, Scores, Suggestions};
use crate::cli::{GlobalOpts, SuggestReviewersArgs, TableFormat};
use crate::events::identity::RawIdent;
use crate::exit::Outcome;
use crate::render::table::{sanitize, Table};
use crate::sources::paths;

use super::Session;

pub fn execute(global: &GlobalOpts, args: SuggestReviewersArgs) -> anyhow::Result<Outcome> {
    let mut session = Session::open(global)?;
    if args.evaluate {
        return evaluate(&session, &args);
    }
    if let Some(n) = args.count {
        session.config.reviewers.count = n;
    }
    let ledger = session.ledger()?;
    let git = &session.repo.git;
    let (changed, range_commits) = match &args.diff {
        Some(spec) => paths::range(git, spec)?,
        None => (
            args.paths
                .iter()
                .map(|p| normalize(p))
                .filter(|p| !p.is_empty())
                .collect(),
            Vec::new(),
        ),
    };
    if changed.is_empty() {
        session.note("the change touches no paths: nothing to suggest reviewers for");
    }
    let mut authors: Vec<u32> = Vec::new();
    match &args.author {
        Some(who) => match ledger.identities.resolve_mention(who) {
            Some(p) => authors.push(p),
            None => session.note(format_args!(
                "`{who}` has no history here (a first contribution?): no one to leave out"
            )),
        },
        None => {
            // Without --author, whoever wrote the commits in the range is the author.
            let mailmap = crate::sources::mailmap::Mailmap::load(&session.repo)?.map;
            for oid in &range_commits {
                let Ok(c) = git.find_commit(*oid) else {
                    continue;
                };
                let sig = c.author();
                let (name, email) = mailmap.map(
                    &String::from_utf8_lossy(sig.name_bytes()),
                    &String::from_utf8_lossy(sig.email_bytes()),
                );
                let ident = RawIdent::sig(&name, &email);
                if let Some(p) = ledger.identities.resolve(&ident) {
                    if !authors.contains(&p) {
                        authors.push(p);
                    }
                }
            }
            authors.sort_unstable();
        }
    }
    let index = session.paths()?;
    let result = suggest::suggest(&ledger, &index, &session.config, &changed, &authors);
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(&result)?,
        TableFormat::Csv => table(&result).write_csv(&mut out)?,
        TableFormat::Table => {
            if result.reviewers.is_empty() && result.shadow.is_none() {
                writeln!(
                    out,
                    "no one active has worked near these paths yet: ask in the community channel"
                )?;
            } else {
                table(&result).write_text(&mut out)?;
            }
            if global.verbose > 0 {
                for e in &result.excluded {
                    writeln!(out, "left out: {} ({})", sanitize(&e.id), e.reason)?;
                }
            } else if !result.left_out.is_empty() {
                let counts: Vec<String> = result
                    .left_out
                    .iter()
                    .map(|(reason, n)| format!("{n} {reason}"))
                    .collect();
                writeln!(
                    out,
                    "left out among those who worked here: {} (-v lists them)",
                    counts.join(", ")
                )?;
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// `./src/x.rs` and `/src/x.rs` → `src/x.rs`; Windows separators → `/`.
fn normalize(p: &str) -> String {
    let p = p.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.trim_start_matches('/').to_string()
}

fn table(s: &Suggestions) -> Table {
    let mut t = Table::new(["role", "id", "name", "score", "reason"]);
    let rows = s
        .reviewers
        .iter()
        .map(|r| ("reviewer", r))
        .chain(s.shadow.iter().map(|r| ("shadow", r)));
    for (role, r) in rows {
        t.row(vec![
            role.into(),
            r.id.clone(),
            r.name.clone(),
            format!("{:.2}", r.score),
            r.reason.clone(),
        ]);
    }
    t
}

/// `--evaluate`: the replay, as a table (overall, then per year) or JSON.
fn evaluate(session: &Session, args: &SuggestReviewersArgs) -> anyhow::Result<Outcome> {
    let since = super::since(args.since.as_deref())?;
    let ledger = session.ledger()?;
    let index = session.paths()?;
    let result = suggest::evaluate(&ledger, &index, &session.config, since);
    if result.scores.evaluated == 0 {
        session.note(
            "no merged pull request or commit here names a reviewer other than its author \
             (`r=`, `Reviewed-by`, or synced GitHub reviews): nothing to evaluate",
        );
    }
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(&result)?,
        TableFormat::Csv => evaluation_table(&result).write_csv(&mut out)?,
        TableFormat::Table => {
            writeln!(
                out,
                "{} reviewed changes{}, each suggested from what happened before it",
                result.scores.evaluated,
                match &result.since {
                    Some(d) => format!(" merged since {d}"),
                    None => String::new(),
                }
            )?;
            evaluation_table(&result).write_text(&mut out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn evaluation_table(e: &Evaluation) -> Table {
    let mut t = Table::new(["year", "ranking", "cases", "top1", "top3", "top5", "mrr"]);
    let mut rows = |year: String, s: &Scores, b: &suggest::Baselines| {
        for (name, s) in [
            ("suggestion", s),
            ("recent_reviewers", &b.recent_reviewers),
            ("path_reviewers", &b.path_reviewers),
        ] {
            t.row(vec![
                year.clone(),
                name.into(),
                s.evaluated.to_string(),
                format!("{:.3}", s.top1),
                format!("{:.3}", s.top3),
                format!("{:.3}", s.top5),
                format!("{:.3}", s.mrr),
            ]);
        }
    };
    rows("all".into(), &e.scores, &e.baselines);
    for y in &e.by_year {
        rows(y.year.to_string(), &y.scores, &y.baselines);
    }
    t
}
