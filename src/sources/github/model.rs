//! The stored shape of synced pull-request history. Stable and serde-friendly: it is what
//! lives under `refs/guild/history` and what `events::build` reads.

use serde::{Deserialize, Serialize};

/// One pull request as GitHub reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PullRequestRecord {
    pub number: u64,
    pub title: String,
    /// Author login (`None` for deleted accounts, "ghost").
    pub author: Option<String>,
    /// `OPEN`, `CLOSED` or `MERGED`.
    pub state: String,
    /// RFC 3339 timestamps.
    pub created_at: String,
    pub updated_at: String,
    pub merged_at: Option<String>,
    pub merged_by: Option<String>,
    /// The merge commit's id, when merged.
    pub merge_commit: Option<String>,
    pub labels: Vec<String>,
    /// Changed paths (may be cut by the API for huge PRs; see `paths_truncated`).
    pub paths: Vec<String>,
    pub paths_truncated: bool,
    pub reviews: Vec<ReviewRecord>,
    /// The first comment or review by someone other than the author.
    pub first_response_at: Option<String>,
    /// The person behind that first response.
    pub first_responder: Option<String>,
    /// Commit authors as GitHub linked them: (name, e-mail, login).
    pub commit_authors: Vec<CommitAuthor>,
    /// The merge commit's author as GitHub linked it (for a merge made on github.com, the
    /// person who merged): links the merger's git identity to their login.
    pub merge_commit_author: Option<CommitAuthor>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewRecord {
    pub author: Option<String>,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`.
    pub state: String,
    pub submitted_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommitAuthor {
    pub name: String,
    pub email: String,
    pub login: Option<String>,
}
