//! `cargo guild domains`: per domain its experts, contributor absence factor, truck factor,
//! the files and domains that hang on one person, and CODEOWNERS entries naming people
//! inactive for long. Also home of [`ownership`], which gathers what ownership analysis
//! reads (changed paths, files at HEAD, CODEOWNERS) for every command that needs domains.

use std::io::Write as _;

use crate::analysis::domains::{self, DomainSet, Ownership};
use crate::cli::{DomainsArgs, GlobalOpts, TableFormat};
use crate::exit::Outcome;
use crate::render::table::{sanitize, Table};
use crate::snapshot::domains::DomainSummary;
use crate::snapshot::Display;
use crate::sources::codeowners::{self, Codeowners};
use crate::sources::paths;

use super::Session;

/// The domains (from `guild.yml`, else CODEOWNERS) and the CODEOWNERS file, if any.
pub(super) type DomainSource = (Option<DomainSet>, Option<Codeowners>);

/// [`DomainSource`], read and compiled once per session (the ledger asks first, to know
/// whether to diff paths; the analyses ask again); CODEOWNERS lines it skips are noted once.
fn domain_set(session: &Session) -> anyhow::Result<&DomainSource> {
    if let Some(d) = session.domains.get() {
        return Ok(d);
    }
    let co = codeowners::load(&session.repo)?;
    if let Some(co) = &co {
        for (line, msg) in &co.errors {
            session.note(format_args!("{}:{line}: {msg} (line skipped)", co.file));
        }
    }
    let set = match DomainSet::from_config(&session.config.domains)? {
        Some(s) => Some(s),
        None => co.as_ref().and_then(DomainSet::from_codeowners),
    };
    Ok(session.domains.get_or_init(|| (set, co)))
}

/// Whether the repository has domains (so commands will need changed paths).
pub fn has_domains(session: &Session) -> anyhow::Result<bool> {
    Ok(domain_set(session)?.0.is_some())
}

/// Domains with the changed paths of every commit, or `None` when there are no domains:
/// then nothing is diffed at all.
pub fn ownership(session: &Session) -> anyhow::Result<Option<Ownership>> {
    ownership_with(session, true)
}

/// [`ownership`], with the files at HEAD only when `head_files` (only the analysis of
/// domains counts files).
fn ownership_with(session: &Session, head_files: bool) -> anyhow::Result<Option<Ownership>> {
    let (Some(set), co) = domain_set(session)? else {
        return Ok(None);
    };
    let paths = session.paths()?;
    let head_files = if head_files {
        paths::tree_files(session.objects(), session.repo.head_commit()?)?
    } else {
        Vec::new()
    };
    Ok(Some(Ownership {
        set: set.clone(),
        paths,
        head_files,
        codeowners: co.clone(),
    }))
}

/// The domain of every event, or `None` without domains (for the cross-domain bonus).
pub fn event_domains(
    session: &Session,
    ledger: &crate::events::Ledger,
) -> anyhow::Result<Option<crate::analysis::EventDomains>> {
    let ownership = ownership_with(session, false)?;
    Ok(session.timed("domains of events", || {
        ownership.map(|o| domains::event_domains(ledger, &o))
    }))
}

pub fn execute(global: &GlobalOpts, args: DomainsArgs) -> anyhow::Result<Outcome> {
    let session = Session::open(global)?;
    let ledger = session.ledger()?;
    let summaries = match ownership(&session)? {
        Some(own) => {
            let analysis = session.timed("analyse domains", || {
                domains::analyse(&ledger, &session.config, &own)
            });
            crate::snapshot::domains::summarize(&analysis, &Display::new(&ledger))
        }
        None => {
            session.note(
                "no domains: add `domains:` with path globs to guild.yml, or a CODEOWNERS file",
            );
            Vec::new()
        }
    };
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
