//! `cargo guild docs list|check`: the knowledge base as a table, and its checks. Reading
//! and parsing docs is `sources::docs`, checking them `sources::docs::check` (which the
//! GitHub Action calls too); scaffolding them is `cmd::new`.
//!
//! Both subcommands read the working tree only (docs are files you edit): in a bare
//! repository they fail with a clear message rather than reading HEAD.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::cli::{DocsCheckArgs, DocsCommand, DocsListArgs, GlobalOpts, TableFormat};
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::sources::docs;
use crate::sources::docs::check::{doc_path, docs_check};

pub fn execute(global: &GlobalOpts, command: DocsCommand) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let root = session
        .repo
        .workdir
        .clone()
        .ok_or_else(|| bare_error(session.repo.root()))?;
    match command {
        DocsCommand::List(args) => list(&session, &root, args),
        DocsCommand::Check(args) => check(&session, &root, args),
    }
}

fn bare_error(root: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{} is a bare repository: docs are read from (and written to) a working tree\n  \
         fix: run this in a clone with a checkout",
        root.display()
    )
}

fn list(session: &super::Session, root: &Path, args: DocsListArgs) -> anyhow::Result<Outcome> {
    // Names go through the ledger so that opted-out people stay anonymous; a repository
    // without commits has no history to resolve against, so its docs are listed as written.
    let unborn = matches!(
        session.repo.git.head(),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch
    );
    let summaries = if unborn {
        let (docs, _) = docs::load(root, &session.config.docs_dir);
        docs.iter().map(crate::snapshot::DocSummary::raw).collect()
    } else {
        let ledger = session.ledger()?;
        crate::snapshot::docs(&ledger)
    };
    let (_, errors) = docs::load(root, &session.config.docs_dir);
    if !errors.is_empty() {
        session.note(format_args!(
            "{} doc(s) could not be parsed and are not listed; run `cargo guild docs check`",
            errors.len()
        ));
    }
    let rows: Vec<_> = summaries
        .into_iter()
        .filter(|d| args.kind.as_ref().map_or(true, |k| &d.kind == k))
        .filter(|d| {
            args.domain
                .as_ref()
                .map_or(true, |k| d.domain.as_ref() == Some(k))
        })
        .collect();
    let mut out = super::stdout();
    match args.format {
        TableFormat::Json => super::print_json(&rows)?,
        TableFormat::Table | TableFormat::Csv => {
            let mut t = Table::new(["date", "kind", "domain", "title", "authors", "path"]);
            for d in &rows {
                t.row(vec![
                    d.date.clone(),
                    d.kind.clone(),
                    d.domain.clone().unwrap_or_default(),
                    d.title.clone(),
                    d.authors.join(", "),
                    d.path.clone(),
                ]);
            }
            t.write(args.format, &mut out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

fn check(session: &super::Session, root: &Path, args: DocsCheckArgs) -> anyhow::Result<Outcome> {
    let files = if args.files.is_empty() {
        None
    } else {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let mut files = Vec::new();
        for f in args.files {
            let abs = if f.is_absolute() { f } else { cwd.join(f) };
            match doc_path(root, &session.config, &abs) {
                Some(_) => files.push(abs),
                None => session.note(format_args!(
                    "{} is not a Markdown file under `{}/`: skipped",
                    abs.display(),
                    session.config.docs_dir
                )),
            }
        }
        Some(files)
    };
    let findings = docs_check(root, &session.config, files.as_deref());
    let mut out = super::stdout();
    for f in &findings {
        writeln!(out, "{f}")?;
    }
    out.flush()?;
    let warnings = findings.iter().filter(|f| f.is_warning()).count();
    let errors = findings.len() - warnings;
    if warnings > 0 {
        session.note(format_args!(
            "{warnings} warning(s): unfilled template sections"
        ));
    }
    // Warnings are printed, never fail: exit 1 is for errors.
    if errors == 0 {
        Ok(Outcome::Ok)
    } else {
        session.note(format_args!("{errors} problem(s) found"));
        Ok(Outcome::Findings)
    }
}
