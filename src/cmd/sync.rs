//! `cargo guild sync`: options → session → `sources::github::sync::run` → the summary line.
//! The algorithm (passes, resuming, storing) is `sources::github::sync`.
use anyhow::{bail, Context as _};

use crate::cli::{GlobalOpts, SyncArgs};
use crate::cmd::Session;
use crate::exit::Outcome;
use crate::sources::github::client::{redact, token_from_env, Endpoints, Slug};
use crate::sources::github::sync;

pub fn execute(global: &GlobalOpts, args: SyncArgs) -> anyhow::Result<Outcome> {
    if global.offline {
        bail!(
            "`cargo guild sync` needs the network to talk to GitHub, and --offline forbids it\n  fix: run it without --offline (every other command works offline on what was synced)"
        );
    }
    let session = Session::open(global)?;
    let endpoints = Endpoints::from_env();
    let slug = resolve_slug(&session, args.repo.as_deref(), &endpoints)?;
    let since = args
        .since
        .as_deref()
        .map(|d| {
            crate::util::parse_date(d)
                .context("in --since")
                .map(crate::util::rfc3339)
        })
        .transpose()?;
    let token = token_from_env();
    if token.is_none() {
        session.note(
            "no GitHub token in GITHUB_TOKEN or GH_TOKEN; trying without one (GitHub's GraphQL API usually refuses that: `export GITHUB_TOKEN=$(gh auth token)`)",
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let opts = sync::Options {
        refname: &session.config.history_ref,
        full: args.full,
        since,
        progress: session.progress(),
    };
    let note = |m: std::fmt::Arguments| session.note(m);
    let result = runtime.block_on(sync::run(
        &session.repo.git,
        &endpoints,
        slug,
        token.clone(),
        &opts,
        &note,
    ));
    // The token must never reach the terminal, whatever an error carries.
    match result {
        Ok(summary) => {
            println!("{summary}");
            Ok(Outcome::Ok)
        }
        Err(e) => Err(anyhow::anyhow!(redact(&format!("{e:#}"), token.as_deref()))),
    }
}

/// `--repo`, else the `origin` remote's GitHub URL.
fn resolve_slug(
    session: &Session,
    repo: Option<&str>,
    endpoints: &Endpoints,
) -> anyhow::Result<Slug> {
    if let Some(r) = repo {
        return Slug::parse(r).ok_or_else(|| {
            anyhow::anyhow!("--repo `{r}` is not OWNER/NAME\n  fix: e.g. `--repo rust-lang/cargo`")
        });
    }
    let remote = session.repo.git.find_remote("origin").map_err(|_| {
        anyhow::anyhow!(
            "no --repo given and this repository has no `origin` remote\n  fix: pass --repo OWNER/NAME"
        )
    })?;
    let url = remote.url().unwrap_or_default().to_string();
    let shown = without_credentials(&url);
    let (host, slug) = Slug::from_remote_url(&url).ok_or_else(|| {
        anyhow::anyhow!(
            "cannot read OWNER/NAME from the `origin` remote ({shown})\n  fix: pass --repo OWNER/NAME"
        )
    })?;
    if host != "github.com" && host != "www.github.com" && !endpoints.custom {
        bail!(
            "the `origin` remote ({shown}) is not on GitHub but on {host}\n  fix: pass --repo OWNER/NAME for a repository on github.com, or set GITHUB_API_URL (and GITHUB_GRAPHQL_URL) to your GitHub Enterprise server"
        );
    }
    Ok(slug)
}

/// A URL with any `user:password@` removed, for messages.
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('/') {
            Some((authority, path)) => {
                let host = authority.rsplit('@').next().unwrap_or(authority);
                format!("{scheme}://{host}/{path}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}
