//! `cargo guild context --json`: the whole snapshot, as the renderers see it; `--schema`: its
//! JSON Schema. Also home of [`community`], the one road from a repository (or a saved
//! snapshot) to what every rendering command prints.

use crate::cli::{ContextArgs, FromContext, GlobalOpts};
use crate::exit::Outcome;
use crate::snapshot::{Community, Parts};

pub fn execute(global: &GlobalOpts, args: ContextArgs) -> anyhow::Result<Outcome> {
    if args.schema {
        super::print_json(&crate::snapshot::schema())?;
        return Ok(Outcome::Ok);
    }
    let (_, community) = community(global, &FromContext::default(), Parts::ALL)?;
    super::print_json(&community)?;
    Ok(Outcome::Ok)
}

/// The snapshot a command renders: read from `--from-context FILE`, or built from the
/// repository's history with the sections in `parts` (people, activity and docs always).
/// With a history, the session and its ledger come back too, for commands that also need
/// them (to find a person by login, to locate templates).
pub fn community(
    global: &GlobalOpts,
    from: &FromContext,
    parts: Parts,
) -> anyhow::Result<(Option<(super::Session, crate::events::Ledger)>, Community)> {
    community_tuned(global, from, parts, |_, _| Ok(()))
}

/// [`community`] with the configuration adjusted by the command before anything is read
/// (`trends --window`, `compare --at`); `tune` may refuse it (an unknown intervention).
/// A saved snapshot is read as it is.
pub fn community_tuned(
    global: &GlobalOpts,
    from: &FromContext,
    parts: Parts,
    tune: impl FnOnce(&mut crate::config::Config, Option<&std::path::Path>) -> anyhow::Result<()>,
) -> anyhow::Result<(Option<(super::Session, crate::events::Ledger)>, Community)> {
    let (opened, community) = community_with(global, from, parts, tune, false)?;
    Ok((opened.map(|(s, l, _)| (s, l)), community))
}

/// [`community_tuned`] for a command that shows only the snapshot (no session, no ledger
/// after it), handed to `show`: a snapshot built from the same inputs before is loaded from
/// the cache ([`crate::snapshot::cache`]) instead of being built again, and a new one is
/// stored, on the other core while `show` prints it.
pub fn snapshot_only<T>(
    global: &GlobalOpts,
    from: &FromContext,
    parts: Parts,
    tune: impl FnOnce(&mut crate::config::Config, Option<&std::path::Path>) -> anyhow::Result<()>,
    show: impl FnOnce(&Community) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let (opened, community) = community_with(global, from, parts, tune, true)?;
    let Some((session, ledger, Some(key))) = opened else {
        return show(&community);
    };
    let shown = std::thread::scope(|scope| {
        let (dir, community) = (&session.repo.cache_dir, &community);
        let future = (ledger.future, ledger.as_of);
        // A read-only repository simply runs without a cache.
        scope.spawn(move || crate::snapshot::cache::store(dir, &parts, key, future, community));
        show(community)
    });
    // The command has printed the snapshot and the process ends: freeing the ledger piece by
    // piece first (millions of events, every pull request) would only delay the exit.
    std::mem::forget((session, ledger, community));
    shown
}

/// The session and ledger a snapshot was built from, with the snapshot cache's key when
/// the snapshot is to be stored there.
type Opened = Option<(super::Session, crate::events::Ledger, Option<u64>)>;

fn community_with(
    global: &GlobalOpts,
    from: &FromContext,
    parts: Parts,
    tune: impl FnOnce(&mut crate::config::Config, Option<&std::path::Path>) -> anyhow::Result<()>,
    reuse: bool,
) -> anyhow::Result<(Opened, Community)> {
    if let Some(path) = &from.from_context {
        return Ok((None, crate::snapshot::load(path)?));
    }
    if let Some(pattern) = &global.ledgers {
        return Ok((None, organisation(global, pattern, parts, tune)?));
    }
    let mut session = super::Session::open(global)?;
    tune(&mut session.config, session.config_path.as_deref())?;
    let cached = if reuse {
        let key = session.snapshot_key(&parts)?;
        let dir = &session.repo.cache_dir;
        if let Some(((future, as_of), community)) = session.timed("load the snapshot cache", || {
            crate::snapshot::cache::load(dir, &parts, key)
        }) {
            session.warn_future_dated(future, as_of);
            return Ok((None, community));
        }
        Some(key)
    } else {
        None
    };
    let (ledger, unsaved) = session.ledger_unsaved()?;
    // Only the domains section counts the files at HEAD.
    let ownership = if parts.domains {
        session.ownership()?
    } else {
        session.ownership_for_events()?
    };
    session.forget_history();
    // A freshly built ledger is written to the cache on the other core meanwhile.
    let cache = &session.repo.cache_dir;
    let mut community = std::thread::scope(|scope| {
        if let Some(key) = unsaved {
            let ledger = &ledger;
            scope.spawn(move || crate::session::store_ledger(cache, key, ledger));
        }
        session.timed("snapshot", || {
            crate::snapshot::build(&ledger, &session.config, ownership.as_ref(), parts)
        })
    });
    let mut origin = session.origin();
    // When each doc last changed: for the site's doc pages (the whole snapshot only).
    // (The site asks for fewer lines, but for these too.)
    let whole = Parts {
        lines: crate::snapshot::Lines::All,
        ..parts
    } == Parts::ALL;
    if whole {
        let paths: Vec<String> = ledger.docs.iter().map(|d| d.path.clone()).collect();
        let head = session.repo.head_commit()?;
        origin.doc_updated = session
            .timed("docs' last changes", || {
                crate::sources::docs::history::last_changes(
                    &session.repo.git,
                    head,
                    &session.config.docs_dir,
                    &paths,
                )
            })
            .into_iter()
            .map(|(p, t)| (p, crate::util::day(t)))
            .collect();
    }
    community.site =
        crate::snapshot::site::info(&ledger, &session.config, &origin, &session.doc_errors());
    Ok((Some((session, ledger, cached)), community))
}

/// The snapshot over the union of the exported ledgers `pattern` matches, with the
/// organisation's configuration (`--config`, else `guild.yml` in `-C DIR` or here).
fn organisation(
    global: &GlobalOpts,
    pattern: &str,
    parts: Parts,
    tune: impl FnOnce(&mut crate::config::Config, Option<&std::path::Path>) -> anyhow::Result<()>,
) -> anyhow::Result<Community> {
    use anyhow::Context as _;
    let path = match &global.config {
        Some(p) => Some(p.clone()),
        None => Some(
            global
                .dir
                .clone()
                .unwrap_or_default()
                .join(crate::config::FILE_NAME),
        )
        .filter(|p| p.is_file()),
    };
    let mut config = match &path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the configuration {}", p.display()))?;
            crate::config::Config::parse(&text, p)?
        }
        None => crate::config::Config::default(),
    };
    tune(&mut config, path.as_deref())?;
    let mut ledgers = crate::sources::ledgers::load_all(pattern)?;
    if !global.quiet {
        let now = chrono::Utc::now().timestamp();
        eprintln!(
            "note: {}",
            crate::sources::ledgers::describe(
                &ledgers,
                now,
                if global.verbose > 0 { usize::MAX } else { 10 },
            )
        );
    }
    let ownership = org_ownership(global, &mut ledgers, &config)?;
    let (ledger, domains) = crate::events::merge::merge(&mut ledgers, &config);
    // The rows are in the ledger now: free them before the analysis allocates its own.
    drop(ledgers);
    // The organisation's domains, if it defines any, else each repository's as exported
    // (those give the cross-domain bonus only: their paths are not the organisation's).
    Ok(crate::snapshot::build_with(
        &ledger,
        &config,
        ownership.as_ref(),
        domains.as_ref(),
        parts,
    ))
}

/// The organisation's domains (`repo:glob` and whole repositories in its `guild.yml`) over
/// the paths the ledgers carry; `None` when it defines none. Warns about a domain naming a
/// repository no ledger has and about ledgers too old to carry paths.
fn org_ownership(
    global: &GlobalOpts,
    ledgers: &mut [crate::events::exported::Exported],
    config: &crate::config::Config,
) -> anyhow::Result<Option<crate::analysis::domains::Ownership>> {
    use crate::analysis::domains::{unknown_repositories, DomainSet, Ownership};
    let Some(set) = DomainSet::from_org_config(&config.domains)? else {
        return Ok(None);
    };
    if !global.quiet {
        let names: Vec<String> = ledgers.iter().map(|l| l.repository.clone()).collect();
        for (domain, repo) in unknown_repositories(&config.domains, &names) {
            eprintln!(
                "warning: domain `{domain}` names the repository `{repo}`, which no ledger is of (a domain is `repo:glob` or a whole `repo`)"
            );
        }
    }
    for l in ledgers.iter() {
        if l.schema_version < crate::events::exported::PATHS_SINCE {
            eprintln!(
                "warning: {} (`{}`) is a ledger of schema version {}, which carries no changed paths: its work is in no domain\n  fix: export it again with `cargo guild export`",
                l.file, l.repository, l.schema_version
            );
        }
    }
    let (paths, head_files) = crate::events::merge::paths(ledgers);
    Ok(Some(Ownership {
        set,
        paths,
        head_files,
        codeowners: None,
    }))
}
