//! When each doc last changed, from history: the newest commit reachable from HEAD whose
//! first parent has a different version of the file (only commits that change the docs
//! folder are looked into: `folder_history`). A doc not committed yet has no date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::sources::folder_history::entry_at;

/// Path → commit time (Unix seconds) of the last change, for the `wanted` paths.
pub fn last_changes(
    git: &git2::Repository,
    head: git2::Oid,
    docs_dir: &str,
    wanted: &[String],
) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    let mut left: BTreeSet<&str> = wanted.iter().map(String::as_str).collect();
    if left.is_empty() {
        return out;
    }
    let dir = Path::new(docs_dir.trim_end_matches('/'));
    // A history libgit2 cannot walk (damage our own reader reads past) leaves dates unknown.
    let _ = crate::sources::folder_history::changes(git, head, dir, |c, parents| {
        let parent = parents.first();
        let changed: Vec<&str> = left
            .iter()
            .copied()
            .filter(|p| {
                let p = Path::new(p);
                let now = entry_at(c, p);
                now.is_some() && parent.and_then(|q| entry_at(q, p)) != now
            })
            .collect();
        for p in changed {
            out.insert(p.to_string(), c.time().seconds());
            left.remove(p);
        }
        !left.is_empty()
    });
    out
}
