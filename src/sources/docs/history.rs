//! When each doc last changed, from history: the newest commit reachable from HEAD whose
//! first parent has a different version of the file (only commits that change the docs
//! folder are diffed). A doc not committed yet has no date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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
    let entry = |c: &git2::Commit, p: &Path| -> Option<git2::Oid> {
        c.tree().ok()?.get_path(p).ok().map(|e| e.id())
    };
    let Ok(mut walk) = git.revwalk() else {
        return out;
    };
    if walk.set_sorting(git2::Sort::TIME).is_err() || walk.push(head).is_err() {
        return out;
    }
    for oid in walk.flatten() {
        let Ok(c) = git.find_commit(oid) else { break };
        let parent = c.parent(0).ok();
        let here = entry(&c, dir);
        if here.is_none() || parent.as_ref().and_then(|p| entry(p, dir)) == here {
            continue;
        }
        let changed: Vec<&str> = left
            .iter()
            .copied()
            .filter(|p| {
                let p = Path::new(p);
                let now = entry(&c, p);
                now.is_some() && parent.as_ref().and_then(|q| entry(q, p)) != now
            })
            .collect();
        for p in changed {
            out.insert(p.to_string(), c.time().seconds());
            left.remove(p);
        }
        if left.is_empty() {
            break;
        }
    }
    out
}
