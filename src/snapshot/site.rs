//! What the site needs besides the numbers: its title, where it is served, the GitHub
//! repository to link commits, pull requests and profiles to, each person's login, whether
//! reviews were synced, and the docs that could not be read. Assembled here (from the
//! configuration, the remote and the ledger) so that a saved snapshot renders the same
//! site; the renderer decides nothing of it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Display;
use crate::config::Config;
use crate::events::Ledger;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default)]
pub struct SiteInfo {
    /// `site.title` in `guild.yml`, else `name`, else the repository's name.
    pub title: String,
    /// `site.base_url` in `guild.yml` (`--base-url` wins over it).
    pub base_url: Option<String>,
    /// `OWNER/NAME` on GitHub: `github:` in `guild.yml`, else the `origin` remote's.
    pub github: Option<String>,
    /// Display id → GitHub login, for people whose login is known (never opted-out people).
    pub logins: BTreeMap<String, String>,
    /// Whether any pull request came from synced GitHub data: without it, reviews are only
    /// what trailers and `r=` record, and the site says so.
    pub synced: bool,
    /// Docs whose front matter could not be read (what `docs check` reports), by path.
    pub doc_errors: Vec<DocProblem>,
    /// The branch "edit this page" links point at (none: no such links).
    #[serde(default)]
    pub branch: Option<String>,
    /// Each doc's last change in history (`YYYY-MM-DD`), by path; uncommitted docs absent.
    #[serde(default)]
    pub doc_updated: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DocProblem {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// Where the repository lives, as the session knows it (none from a saved snapshot).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// `OWNER/NAME` read from the `origin` remote when it is on GitHub.
    pub github_remote: Option<String>,
    /// The repository folder's name (`cargo` for `/tmp/cargo.git`).
    pub folder: Option<String>,
    /// The default branch (`origin/HEAD`), else the branch checked out: for "edit" links.
    pub branch: Option<String>,
    /// Each doc's last change in history, `YYYY-MM-DD`, by path.
    pub doc_updated: BTreeMap<String, String>,
}

/// The site section of the snapshot.
pub fn info(
    ledger: &Ledger,
    config: &Config,
    origin: &Origin,
    doc_errors: &[crate::sources::docs::DocError],
) -> SiteInfo {
    let github = config
        .github
        .as_deref()
        .and_then(crate::sources::github::client::Slug::parse)
        .map(|s| s.to_string())
        .or(origin.github_remote.clone());
    let repo_name = github
        .as_deref()
        .and_then(|g| g.split_once('/'))
        .map(|(_, n)| n.to_string())
        .or(origin.folder.clone());
    let title = [config.site.title.clone(), config.name.clone(), repo_name]
        .into_iter()
        .flatten()
        .map(|t| t.trim().to_string())
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| "community".into());
    let display = Display::new(ledger);
    let logins = ledger
        .people()
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.opted_out && !p.is_bot)
        .filter_map(|(i, p)| Some((display.ids[i].clone(), p.login.clone()?)))
        .collect();
    let mut doc_errors: Vec<DocProblem> = doc_errors
        .iter()
        .map(|e| DocProblem {
            path: e.path.clone(),
            line: e.line,
            message: e.message.clone(),
        })
        .collect();
    doc_errors.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    SiteInfo {
        title,
        base_url: config.site.base_url.clone(),
        github,
        logins,
        synced: ledger.prs.values().any(|p| p.from_github),
        doc_errors,
        branch: origin.branch.clone(),
        doc_updated: origin.doc_updated.clone(),
    }
}

/// The folder name of a repository path, without `.git` (`/tmp/cargo.git` → `cargo`,
/// `/src/tokio/.git` → `tokio`).
pub fn folder_name(path: &std::path::Path) -> Option<String> {
    let mut p = path;
    if p.file_name().is_some_and(|n| n == ".git") {
        p = p.parent()?;
    }
    let name = p.file_name()?.to_string_lossy();
    let name = name.strip_suffix(".git").unwrap_or(&name);
    (!name.is_empty()).then(|| name.to_string())
}
