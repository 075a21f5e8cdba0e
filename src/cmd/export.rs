//! `cargo guild export`: the repository's resolved ledger as rows (`events::exported`), for
//! `--ledgers` across an organisation or for DuckDB, BigQuery and Spark. Options → session →
//! ledger (with the domains of its events and the paths each commit changed) → one JSON line
//! per row.

use anyhow::Context as _;

use crate::cli::{ExportArgs, ExportFormat, GlobalOpts};
use crate::exit::Outcome;

pub fn execute(global: &GlobalOpts, args: ExportArgs) -> anyhow::Result<Outcome> {
    if global.ledgers.is_some() {
        anyhow::bail!(
            "`export` writes one repository's ledger; it does not run over --ledgers\n  fix: run it in each repository, without --ledgers"
        );
    }
    let session = super::Session::open(global)?;
    let ledger = session.ledger()?;
    let domains = session.event_domains(&ledger)?;
    let repository = match args.repository {
        Some(r) => r,
        None => repository_name(&session),
    };
    // The paths each commit changed and the files at HEAD: for domains that the
    // organisation defines over repositories (`repo:glob`).
    let changed = session.paths()?;
    let head_files =
        crate::sources::paths::tree_files(session.objects(), session.repo.head_commit()?)?;
    let paths = crate::events::exported::Paths {
        changed: &changed,
        head_files: &head_files,
    };
    let rows = session.timed("export rows", || {
        crate::events::exported::rows(&ledger, &repository, domains.as_ref(), &paths)
    });
    let write = |out: &mut (dyn std::io::Write + Send)| -> anyhow::Result<()> {
        match args.format {
            ExportFormat::Parquet => crate::render::parquet::write(&rows, &mut *out)?,
            ExportFormat::Jsonl => {
                for row in &rows {
                    serde_json::to_writer(&mut *out, row)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        out.flush()?;
        Ok(())
    };
    match &args.out {
        Some(path) => {
            // Written beside and renamed: a reader never sees half a ledger.
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => std::path::Path::new("."),
            };
            let mut tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| format!("cannot write the ledger {}", path.display()))?;
            {
                let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
                write(&mut buf)
                    .with_context(|| format!("cannot write the ledger {}", path.display()))?;
            }
            // Shared like any file the user writes (a temporary file is private).
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                let _ = tmp
                    .as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644));
            }
            tmp.persist(path)
                .with_context(|| format!("cannot write the ledger {}", path.display()))?;
            session.note(format_args!(
                "{} rows of `{repository}` ({} events, {} people) -> {}",
                rows.len(),
                ledger.events.len(),
                ledger.people().len(),
                path.display()
            ));
        }
        None if args.format == ExportFormat::Parquet => {
            anyhow::bail!("Parquet is written to a file\n  fix: add `--out FILE.parquet`")
        }
        None => write(&mut std::io::BufWriter::new(std::io::stdout()))?,
    }
    Ok(Outcome::Ok)
}

/// The GitHub slug's name (`github:` or the `origin` remote), else the repository's folder.
fn repository_name(session: &super::Session) -> String {
    use crate::sources::github::client::Slug;
    let from_slug = session
        .config
        .github
        .as_deref()
        .and_then(Slug::parse)
        .or_else(|| {
            let remote = session.repo.git.find_remote("origin").ok()?;
            Slug::from_remote_url(remote.url().ok()?).map(|(_, s)| s)
        })
        .map(|s| s.name);
    from_slug.unwrap_or_else(|| {
        session
            .repo
            .root()
            .file_name()
            .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
            .unwrap_or_else(|| "repository".into())
    })
}
