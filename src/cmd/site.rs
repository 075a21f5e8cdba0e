//! `cargo guild site build [--out DIR] [--base-url URL]` and `cargo guild site serve
//! [--port P]`: the static community site. This module only glues: it gets the snapshot
//! (from history, or `--from-context`) and hands it to `render::site`, which owns pages,
//! templates, links and the atomic write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::cli::{FromContext, GlobalOpts, SiteCommand};
use crate::exit::Outcome;
use crate::render::site::{self, secs, Options};
use crate::snapshot;

pub fn execute(global: &GlobalOpts, args: SiteCommand) -> anyhow::Result<Outcome> {
    match args {
        SiteCommand::Build(a) => {
            let out = out_dir(global, &a.out);
            let summary = build_with(global, &out, a.base_url.as_deref(), &a.context)?;
            if !global.quiet {
                eprintln!("{summary}");
            }
            Ok(Outcome::Ok)
        }
        SiteCommand::Serve(a) => serve(global, &out_dir(global, &a.out), a.port),
    }
}

/// A relative `--out` is relative to the repository given with `-C`, like git's `-C`.
fn out_dir(global: &GlobalOpts, out: &Path) -> PathBuf {
    match &global.dir {
        Some(d) if out.is_relative() => d.join(out),
        _ => out.to_path_buf(),
    }
}

/// Builds the site into `out` under `base_url` and returns the one-line summary (see
/// [`build_with`]).
pub fn build(
    global: &GlobalOpts,
    out: &Path,
    base_url: &str,
    from: &FromContext,
) -> anyhow::Result<String> {
    build_with(global, out, Some(base_url), from)
}

/// Builds the site into `out` and returns the one-line summary: from the repository's
/// history, or from a saved snapshot (`from`) with the repository's templates if there is one.
/// Without `base_url`, the snapshot's (`site.base_url` in guild.yml), else `/`.
pub fn build_with(
    global: &GlobalOpts,
    out: &Path,
    base_url: Option<&str>,
    from: &FromContext,
) -> anyhow::Result<String> {
    let start = Instant::now();
    let (session, community) = super::context::community(global, from, snapshot::Parts::SITE)?;
    let analysis = start.elapsed();
    let root = match &session {
        Some((s, _)) => Some(s.repo.root().to_path_buf()),
        None => git2::Repository::discover(global.dir.as_deref().unwrap_or(Path::new(".")))
            .ok()
            .and_then(|r| r.workdir().map(Path::to_path_buf)),
    };
    let opts = Options {
        base_url: site::normalise_base(
            base_url
                .or(community.site.base_url.as_deref())
                .unwrap_or("/"),
        ),
        templates: root.map(|r| r.join(".guild/templates/site")),
    };
    let built = site::build(&community, &opts)?;
    let t = Instant::now();
    site::write(&built, out)?;
    let write = t.elapsed();
    if !global.quiet {
        for n in &built.notes {
            eprintln!("note: {n}");
        }
    }
    // A doc that cannot be read is listed on the knowledge base's page; say so here too,
    // where `docs check` would (file:line: message).
    for e in &community.site.doc_errors {
        eprintln!(
            "warning: {}:{}: {} (listed as unreadable on the site; `cargo guild docs check` checks every doc)",
            e.path, e.line, e.message
        );
    }
    let mut phases = vec![("analysis", analysis)];
    phases.extend(built.phases.iter().copied());
    phases.push(("write", write));
    let phases: Vec<String> = phases
        .iter()
        .map(|(name, d)| format!("{name} {}", secs(*d)))
        .collect();
    Ok(format!(
        "site: {} pages, {} people, {} docs in {} ({}) -> {}",
        built.pages,
        community.people.len(),
        community.docs.len(),
        secs(start.elapsed()),
        phases.join(", "),
        out.display()
    ))
}

fn serve(global: &GlobalOpts, out: &Path, port: u16) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let root = session.repo.root().to_path_buf();
    let mut watched = vec![
        root.join(&session.config.docs_dir),
        root.join(".guild/templates/site"),
    ];
    watched.push(
        session
            .config_path
            .clone()
            .unwrap_or_else(|| root.join(crate::config::FILE_NAME)),
    );
    drop(session);
    let summary = build(global, out, "/", &FromContext::default())?;
    eprintln!("{summary}");
    let port = site::serve::start(out.to_path_buf(), port)?;
    // Tests and scripts read this line for the port.
    eprintln!("serving http://127.0.0.1:{port}/ (Ctrl-C to stop; rebuilding when docs or guild.yml change)");
    site::serve::watch(&watched, Duration::from_millis(300), || {
        match build(global, out, "/", &FromContext::default()) {
            Ok(s) => eprintln!("rebuilt: {s}"),
            // A failed rebuild keeps the previous site served; say why and keep watching.
            Err(e) => eprintln!("error: rebuild failed, still serving the previous site: {e:#}"),
        }
    })
}
