//! `cargo guild paths [PERSON] [--domain D]`: learning paths, rendered from the snapshot's
//! `paths`, `domains`, `docs` and people (so `--from-context` gives the same output).

use std::io::Write as _;

use crate::analysis::paths::{self, DomainPath};
use crate::cli::{GlobalOpts, PathsArgs, TableFormat};
use crate::exit::Outcome;
use crate::render::table::{sanitize, Table};
use crate::snapshot::{Display, Parts};

/// The most pairings the text lists (largest first).
const MAX_PAIRS: usize = 5;

pub fn execute(global: &GlobalOpts, args: PathsArgs) -> anyhow::Result<Outcome> {
    let parts = Parts {
        domains: true,
        schedule: true,
        ..Parts::PEOPLE
    };
    let (opened, community) = super::context::community(global, &args.context, parts)?;
    if let Some(d) = &args.domain {
        if !community.domains.iter().any(|x| &x.name == d) {
            let names: Vec<&str> = community.domains.iter().map(|x| x.name.as_str()).collect();
            anyhow::bail!(
                "`{d}` is not a domain\n  fix: use one of {}",
                if names.is_empty() {
                    "(none: define `domains:` in guild.yml)".to_string()
                } else {
                    names.join(", ")
                }
            );
        }
    }
    let in_domain = |p: &DomainPath| args.domain.as_deref().map_or(true, |d| p.domain == d);
    let title_of = |path: &str| {
        community
            .docs
            .iter()
            .find(|d| d.path == path)
            .map(|d| format!("{} ({}, {})", d.title, d.kind, d.date))
            .unwrap_or_else(|| path.to_string())
    };
    let mut out = super::stdout();
    match &args.person {
        None if community.domains.is_empty() && args.format != TableFormat::Json => {
            writeln!(
                out,
                "no domains, so no learning paths: define `domains:` in guild.yml (or a CODEOWNERS file); `cargo guild paths PERSON` still shows a person's next ladder step"
            )?;
        }
        None => {
            let list: Vec<&DomainPath> = community.paths.iter().filter(|p| in_domain(p)).collect();
            match args.format {
                TableFormat::Json => super::print_json(&list)?,
                fmt => {
                    let mut t = Table::new(["domain", "step", "read", "path", "ask"]);
                    for p in &list {
                        let ask = p.ask.join(", ");
                        if p.docs.is_empty() {
                            t.row(vec![
                                p.domain.clone(),
                                "-".into(),
                                "no docs yet".into(),
                                String::new(),
                                ask.clone(),
                            ]);
                        }
                        for (i, d) in p.docs.iter().enumerate() {
                            t.row(vec![
                                p.domain.clone(),
                                (i + 1).to_string(),
                                title_of(d),
                                d.clone(),
                                if i == 0 { ask.clone() } else { String::new() },
                            ]);
                        }
                    }
                    if fmt == TableFormat::Csv {
                        t.write_csv(&mut out)?;
                    } else {
                        t.write_text(&mut out)?;
                    }
                }
            }
        }
        Some(query) => {
            // With the history, a person may be named by login or name too.
            let id = match &opened {
                Some((_, ledger)) => {
                    let display = Display::new(ledger);
                    display.ids[display.find(ledger, query)? as usize].clone()
                }
                None => community.find(query)?.id.clone(),
            };
            let mut steps = paths::next_steps(&community, &id)
                .ok_or_else(|| anyhow::anyhow!("`{id}` is not in the snapshot"))?;
            steps.read.retain(|p| in_domain(p));
            steps
                .pair_with
                .retain(|p| args.domain.as_deref().map_or(true, |d| p.domain == d));
            match args.format {
                TableFormat::Json => super::print_json(&steps)?,
                _ => {
                    writeln!(out, "{} ({})", sanitize(&steps.name), steps.id)?;
                    match (&steps.step, &steps.next) {
                        (s, Some(n)) => writeln!(
                            out,
                            "ladder: {} → next: {n} (still needs {})",
                            s.as_deref().unwrap_or("not on the ladder yet"),
                            if steps.missing.is_empty() {
                                "nothing".to_string()
                            } else {
                                steps.missing.join(", ")
                            }
                        )?,
                        (Some(s), None) => writeln!(out, "ladder: {s} (the top step)")?,
                        (None, None) => writeln!(out, "ladder: none defined")?,
                    }
                    for p in steps.pair_with.iter().take(MAX_PAIRS) {
                        writeln!(
                            out,
                            "pair with {} on {} ({} file(s) only they know, e.g. {}): review their next change there",
                            p.with,
                            p.domain,
                            p.files,
                            p.sample_files.first().map(|s| sanitize(s)).unwrap_or_default()
                        )?;
                    }
                    if steps.pair_with.len() > MAX_PAIRS {
                        writeln!(
                            out,
                            "... and {} more places to pair (--format json lists them all)",
                            steps.pair_with.len() - MAX_PAIRS
                        )?;
                    }
                    for p in &steps.read {
                        for d in &p.docs {
                            writeln!(out, "read ({}): {}", p.domain, sanitize(&title_of(d)))?;
                        }
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
