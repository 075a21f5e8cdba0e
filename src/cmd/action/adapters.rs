//! The Action's seams to the rest of cargo guild: reviewer suggestion, the docs check, sync
//! and the site build, each behind one function with the shape the Action needs. The rest
//! of `cmd::action` only calls these, so that the commands behind them can change without
//! touching the event handling.

use std::path::{Path, PathBuf};

use crate::cli::{GlobalOpts, SyncArgs};
use crate::cmd::Session;
use crate::config::Config;
use crate::events::Ledger;
use crate::render::comment::Finding;

/// A suggested reviewer, as the Action shows and requests them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestedPerson {
    /// The display id (anonymised for opted-out people).
    pub id: String,
    pub name: String,
    /// The login to request a review from, where known.
    pub login: Option<String>,
    pub reason: String,
}

/// Experts, best first, and one learner to shadow them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggested {
    pub reviewers: Vec<SuggestedPerson>,
    pub shadow: Option<SuggestedPerson>,
}

/// Suggests reviewers for a change to `changed` by `authors` (person indices) with
/// `analysis::suggest`: expertise near the changed paths × recency ÷ current load, plus one
/// learner as shadow. Authors, bots, opted-out people, `reviewers.exclude` and inactive
/// people are never suggested.
pub fn suggest(
    session: &Session,
    ledger: &Ledger,
    config: &Config,
    changed: &[String],
    authors: &[u32],
) -> anyhow::Result<Suggested> {
    let index = session.paths()?;
    let found = crate::analysis::suggest::suggest(ledger, &index, config, changed, authors);
    let person = |s: crate::analysis::suggest::Suggestion| SuggestedPerson {
        id: s.id,
        name: s.name,
        login: s.login,
        reason: s.reason,
    };
    Ok(Suggested {
        reviewers: found.reviewers.into_iter().map(person).collect(),
        shadow: found.shadow.map(person),
    })
}

/// Checks the community docs among `files` (paths relative to `root`) with `docs check`'s
/// rules; duplicate ids are found against every doc but reported only on these files.
pub fn docs_check(root: &Path, config: &Config, files: &[PathBuf]) -> Vec<Finding> {
    crate::sources::docs::check::docs_check(root, config, Some(files))
        .into_iter()
        .map(|f| Finding {
            warning: f.level == crate::sources::docs::check::Level::Warning,
            path: f.path,
            line: f.line,
            message: f.message,
        })
        .collect()
}

/// Brings GitHub history for `repo` (`owner/name`) into the history ref.
pub fn sync(global: &GlobalOpts, repo: &str) -> anyhow::Result<()> {
    crate::cmd::sync::execute(
        global,
        SyncArgs {
            repo: Some(repo.to_string()),
            full: false,
            since: None,
        },
    )
    .map(|_| ())
}

/// Builds the site into `out`, served under `base_url`; returns `site build`'s one-line
/// summary.
pub fn build_site(global: &GlobalOpts, out: &Path, base_url: &str) -> anyhow::Result<String> {
    crate::cmd::site::build(global, out, base_url, &Default::default())
}
