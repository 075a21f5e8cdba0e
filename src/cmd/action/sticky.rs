//! The one sticky comment per pull request. A comment is ours only when it starts with
//! [`comment::MARKER`] **and** was written by the token's own identity (GraphQL `viewer`:
//! `github-actions[bot]` for the default token): a person or another app pasting the marker
//! cannot get their comment edited, nor hide ours. Two runs at once may both create one;
//! each run then keeps the oldest of ours and deletes the others, so one comment remains.

use crate::cli::CommentMode;
use crate::render::comment;
use crate::sources::github::rest::{Api, ApiError, Comment};

/// Who the default `GITHUB_TOKEN` comments as.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// Creates, updates or keeps the sticky comment as `mode` says; returns it and what was
/// done (`created`, `updated`, `unchanged`, `kept`).
pub fn upsert(
    api: &mut Api,
    number: u64,
    body: &str,
    mode: CommentMode,
) -> Result<(Comment, &'static str), ApiError> {
    // An installation token that may not ask is the Actions token.
    let me = api.viewer().unwrap_or_else(|_| ACTIONS_BOT.to_string());
    let mut ours = ours(api.comments(number)?, &me);
    let result = match ours.first() {
        Some(c) if same(&c.body, body) => (c.clone(), "unchanged"),
        Some(c) if mode == CommentMode::Create => (c.clone(), "kept"),
        Some(c) => (api.update_comment(c.id, body)?, "updated"),
        None => {
            let created = api.create_comment(number, body)?;
            // A run at the same time may have created one too: the oldest stays.
            ours = self::ours(api.comments(number)?, &me);
            match ours.first() {
                Some(oldest) if oldest.id != created.id => {
                    let kept = if same(&oldest.body, body) {
                        oldest.clone()
                    } else {
                        api.update_comment(oldest.id, body)?
                    };
                    (kept, "updated")
                }
                _ => (created, "created"),
            }
        }
    };
    // Duplicates (from runs at the same time) go; a comment already gone is fine.
    for extra in ours.iter().filter(|c| c.id != result.0.id) {
        match api.delete_comment(extra.id) {
            Ok(()) | Err(ApiError::Status { status: 404, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(result)
}

/// Our marker comments, oldest first.
fn ours(comments: Vec<Comment>, me: &str) -> Vec<Comment> {
    let mut ours: Vec<Comment> = comments
        .into_iter()
        .filter(|c| c.body.trim_start().starts_with(comment::MARKER))
        .filter(|c| c.login.eq_ignore_ascii_case(me))
        .collect();
    ours.sort_by_key(|c| c.id);
    ours
}

/// GitHub may hand a body back with CRLF line ends.
fn same(stored: &str, body: &str) -> bool {
    stored.replace("\r\n", "\n").trim_end() == body.trim_end()
}
