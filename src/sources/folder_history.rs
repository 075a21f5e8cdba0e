//! The commits that change one folder: every commit reachable from HEAD, newest first,
//! whose version of the folder differs from its first parent's. Only those are looked into,
//! so asking about a few files under `community/` costs one tree lookup per commit. Used for
//! when each doc last changed and for who added each endorsement.

use std::path::Path;

/// The id of `path` in `commit`'s tree, if it is there.
pub fn entry_at(commit: &git2::Commit, path: &Path) -> Option<git2::Oid> {
    commit.tree().ok()?.get_path(path).ok().map(|e| e.id())
}

/// Calls `visit(commit, parents)` for each commit that changes `dir` (present in the
/// commit, and different from the first parent's), newest first; `visit` returns `false`
/// to stop.
pub fn changes(
    git: &git2::Repository,
    head: git2::Oid,
    dir: &Path,
    mut visit: impl FnMut(&git2::Commit, &[git2::Commit]) -> bool,
) -> Result<(), git2::Error> {
    let mut walk = git.revwalk()?;
    walk.set_sorting(git2::Sort::TIME)?;
    walk.push(head)?;
    for oid in walk {
        let c = git.find_commit(oid?)?;
        let here = entry_at(&c, dir);
        if here.is_none() {
            continue;
        }
        let parents: Vec<git2::Commit> = c.parents().collect();
        if parents.first().and_then(|p| entry_at(p, dir)) == here {
            continue;
        }
        if !visit(&c, &parents) {
            break;
        }
    }
    Ok(())
}
