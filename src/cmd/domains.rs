//! `cargo guild domains`: per domain its experts, contributor absence factor, truck factor,
//! the files and domains that hang on one person, and CODEOWNERS entries naming people
//! inactive for long. The numbers are the snapshot's.

use std::io::Write as _;

use crate::cli::{DomainsArgs, GlobalOpts, TableFormat};
use crate::exit::Outcome;
use crate::render::table::{sanitize, Table};
use crate::snapshot::domains::DomainSummary;

pub fn execute(global: &GlobalOpts, args: DomainsArgs) -> anyhow::Result<Outcome> {
    let (session, community) = super::context::community(
        global,
        &args.context,
        crate::snapshot::Parts {
            domains: true,
            ..crate::snapshot::Parts::PEOPLE
        },
    )?;
    let summaries = community.domains;
    if let (Some((session, _)), true) = (&session, summaries.is_empty()) {
        session
            .note("no domains: add `domains:` with path globs to guild.yml, or a CODEOWNERS file");
    }
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(&summaries)?,
        TableFormat::Csv => table(&summaries).write_csv(&mut out)?,
        TableFormat::Table => {
            table(&summaries).write_text(&mut out)?;
            let findings = findings(&summaries);
            if !findings.is_empty() {
                writeln!(out)?;
                for f in findings {
                    writeln!(out, "{}", sanitize(&f))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn table(summaries: &[DomainSummary]) -> Table {
    let mut t = Table::new([
        "domain",
        "files",
        "work",
        "truck_factor",
        "absence_factor",
        "experts",
        "single_points_of_failure",
    ]);
    for d in summaries {
        t.row(vec![
            d.name.clone(),
            d.files.to_string(),
            d.work.to_string(),
            d.truck_factor.to_string(),
            d.contributor_absence_factor.to_string(),
            d.experts
                .iter()
                .take(3)
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            d.single_points_of_failure
                .iter()
                .map(|s| format!("{} ({})", s.id, s.files))
                .collect::<Vec<_>>()
                .join(" "),
        ]);
    }
    t
}

/// One sentence per finding, for the terminal.
fn findings(summaries: &[DomainSummary]) -> Vec<String> {
    let mut out = Vec::new();
    for d in summaries {
        for s in &d.single_points_of_failure {
            if s.whole_domain {
                out.push(format!("{}: hangs on {} (truck factor 1)", d.name, s.id));
            }
            if s.files > 0 {
                out.push(format!(
                    "{}: {} file{} known only by {} (e.g. {})",
                    d.name,
                    s.files,
                    if s.files == 1 { "" } else { "s" },
                    s.id,
                    s.sample_files.join(", ")
                ));
            }
        }
        if d.truck_factor == 0 && d.files > 0 && d.work > 0 {
            out.push(format!(
                "{}: most files have no active person left who worked on them",
                d.name
            ));
        }
        for o in &d.inactive_owners {
            out.push(format!(
                "{}:{}: `{}` names {}, {}",
                o.file,
                o.line,
                o.pattern,
                o.owner,
                match &o.last_seen {
                    Some(day) => format!("inactive since {day}"),
                    None => "never seen in this history".into(),
                }
            ));
        }
    }
    out
}
