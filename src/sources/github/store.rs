//! Synced history stored in the repository's own object database under a ref
//! (`refs/guild/history` by default): a chain of commits whose tree holds one JSON file per
//! pull request, sharded by hundreds (`pulls/12/1234.json`, so that a page of changes rewrites
//! a few small trees rather than one tree of every pull request), and `state.json` (the sync
//! cursor, see [`SyncState`]). Pushable and fetchable like a branch; the working tree and the
//! index are never touched.
//!
//! [`load`] reads it for the ledger; [`Writer`] is how `cargo guild sync` adds to it: each
//! [`Writer::commit`] writes blobs and trees, then moves the ref with a compare-and-swap
//! against the commit it last saw, so two concurrent syncs (or a fetch into the ref) can
//! never silently drop each other's work.

use std::collections::BTreeMap;

use anyhow::Context as _;
use git2::{ErrorCode, ObjectType, Oid, Repository, Tree};
use serde::{Deserialize, Serialize};

use super::model::PullRequestRecord;

/// Where a sync stands, stored as `state.json` beside the pull requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncState {
    /// The layout version of the stored tree.
    pub version: u32,
    /// `owner/name` of the repository the pull requests come from.
    pub repository: String,
    /// The newest `updatedAt` seen by the last complete pass: every pull request updated
    /// after it is unknown, every other one is stored as it was then.
    pub synced_through: Option<String>,
    /// The oldest `updatedAt` a pass was asked to reach (`--since`); none: all history.
    pub since: Option<String>,
    /// An unfinished pass, to resume after an interruption.
    pub pass: Option<Pass>,
}

/// A pass over the pull requests, newest update first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pass {
    /// The page cursor after which everything is still to fetch (none: from the top).
    pub after: Option<String>,
    /// Stop at pull requests updated before this (none: go to the end).
    pub stop_below: Option<String>,
    /// The newest `updatedAt` this pass has seen: `synced_through` once it completes.
    pub newest: Option<String>,
}

/// The layout version this build writes.
pub const VERSION: u32 = 1;

/// The stored file of a pull request.
pub fn pull_path(number: u64) -> (String, String) {
    ((number / 100).to_string(), format!("{number}.json"))
}

/// Reads every stored pull request, sorted by number. No ref: nothing synced yet.
pub fn load(repo: &Repository, refname: &str) -> anyhow::Result<Vec<PullRequestRecord>> {
    let Some(tree) = root_tree(repo, refname)? else {
        return Ok(Vec::new());
    };
    let Some(pulls) = subtree(repo, &tree, "pulls")
        .with_context(|| format!("{refname}:pulls is not a folder"))?
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(pulls.len() * 50);
    let mut read_blob = |name: &str, entry: &git2::TreeEntry| -> anyhow::Result<()> {
        let blob = entry.to_object(repo)?.peel_to_blob()?;
        let pr: PullRequestRecord = serde_json::from_slice(blob.content()).with_context(|| {
            format!("{refname}:pulls/{name} is not a pull request record; run `cargo guild sync --full` to rewrite it")
        })?;
        out.push(pr);
        Ok(())
    };
    for entry in pulls.iter() {
        let name = entry.name().unwrap_or("?").to_string();
        match entry.kind() {
            // The first layout had no shards; still readable.
            Some(ObjectType::Blob) => read_blob(&name, &entry)?,
            Some(ObjectType::Tree) => {
                let shard = entry.to_object(repo)?.peel_to_tree()?;
                for e in shard.iter() {
                    if e.kind() == Some(ObjectType::Blob) {
                        let path = format!("{name}/{}", e.name().unwrap_or("?"));
                        read_blob(&path, &e)?;
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|p| p.number);
    out.dedup_by_key(|p| p.number);
    Ok(out)
}

/// Reads `state.json` (default when nothing was synced).
pub fn read_state(repo: &Repository, refname: &str) -> anyhow::Result<SyncState> {
    let Some(tree) = root_tree(repo, refname)? else {
        return Ok(SyncState::default());
    };
    let Some(entry) = tree.get_name("state.json") else {
        return Ok(SyncState::default());
    };
    let blob = entry.to_object(repo)?.peel_to_blob()?;
    serde_json::from_slice(blob.content()).with_context(|| {
        format!(
            "{refname}:state.json is not a sync state; run `cargo guild sync --full` to rewrite it"
        )
    })
}

fn root_tree<'r>(repo: &'r Repository, refname: &str) -> anyhow::Result<Option<Tree<'r>>> {
    let reference = match repo.find_reference(refname) {
        Ok(r) => r,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {refname}")),
    };
    let tree = reference.peel_to_tree().with_context(|| {
        format!(
            "{refname} does not point at a commit with a tree; was it written by cargo guild sync?"
        )
    })?;
    Ok(Some(tree))
}

fn subtree<'r>(
    repo: &'r Repository,
    tree: &Tree<'r>,
    name: &str,
) -> Result<Option<Tree<'r>>, git2::Error> {
    match tree.get_name(name) {
        Some(e) => Ok(Some(e.to_object(repo)?.peel_to_tree()?)),
        None => Ok(None),
    }
}

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{refname} was moved by someone else while syncing (expected {expected}, found {found}); nothing was overwritten and the stored history is intact. Run `cargo guild sync` again to continue on top of it")]
    Moved {
        refname: String,
        expected: String,
        found: String,
    },
}

/// What one commit changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Adds pull requests to the history ref, one compare-and-swap commit at a time.
pub struct Writer<'r> {
    repo: &'r Repository,
    refname: String,
    /// The commit the ref pointed at when last seen (none: no ref yet).
    head: Option<Oid>,
}

impl<'r> Writer<'r> {
    /// Starts from where the ref is now.
    pub fn open(repo: &'r Repository, refname: &str) -> anyhow::Result<Writer<'r>> {
        let head = match repo.find_reference(refname) {
            Ok(r) => Some(
                r.peel_to_commit()
                    .with_context(|| format!("{refname} does not point at a commit"))?
                    .id(),
            ),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("cannot read {refname}")),
        };
        Ok(Writer {
            repo,
            refname: refname.to_string(),
            head,
        })
    }

    /// The commit the ref points at (as far as this writer knows).
    pub fn head(&self) -> Option<Oid> {
        self.head
    }

    /// Writes `records` (replacing stored ones with the same number) and `state`, commits,
    /// and moves the ref if it still points where this writer last saw it. With `reset`, the
    /// stored pull requests are dropped first (a sync of another repository). Nothing changed:
    /// no commit.
    pub fn commit(
        &mut self,
        records: &[PullRequestRecord],
        state: &SyncState,
        message: &str,
        reset: bool,
    ) -> anyhow::Result<Written> {
        let repo = self.repo;
        let old_root = match self.head {
            Some(h) => Some(repo.find_commit(h)?.tree()?),
            None => None,
        };
        let old_pulls = match (&old_root, reset) {
            (Some(t), false) => subtree(repo, t, "pulls")?,
            _ => None,
        };
        let mut shards: BTreeMap<String, Vec<&PullRequestRecord>> = BTreeMap::new();
        for r in records {
            shards.entry(pull_path(r.number).0).or_default().push(r);
        }
        let mut written = Written::default();
        let mut pulls = repo.treebuilder(old_pulls.as_ref())?;
        for (shard, recs) in shards {
            let old_shard = match &old_pulls {
                Some(p) => subtree(repo, p, &shard)?,
                None => None,
            };
            let mut tb = repo.treebuilder(old_shard.as_ref())?;
            for r in recs {
                let mut json = serde_json::to_vec_pretty(r)?;
                json.push(b'\n');
                let blob = repo.blob(&json)?;
                let name = pull_path(r.number).1;
                match tb.get(&name)?.map(|e| e.id()) {
                    None => written.new += 1,
                    Some(old) if old == blob => written.unchanged += 1,
                    Some(_) => written.updated += 1,
                }
                tb.insert(&name, blob, 0o100644)?;
            }
            pulls.insert(&shard, tb.write()?, 0o040000)?;
        }
        let mut root = repo.treebuilder(old_root.as_ref())?;
        root.insert("pulls", pulls.write()?, 0o040000)?;
        let mut json = serde_json::to_vec_pretty(state)?;
        json.push(b'\n');
        root.insert("state.json", repo.blob(&json)?, 0o100644)?;
        let tree_id = root.write()?;
        if old_root.as_ref().map(|t| t.id()) == Some(tree_id) {
            return Ok(written);
        }
        let tree = repo.find_tree(tree_id)?;
        let sig = git2::Signature::now("cargo guild", "sync@cargo-guild.invalid")?;
        let parent = match self.head {
            Some(h) => Some(repo.find_commit(h)?),
            None => None,
        };
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        // Not `repo.commit(Some(refname), ..)`: that would move the ref without the check.
        let commit = repo.commit(None, &sig, &sig, message, &tree, &parents)?;
        self.swap(commit, message)?;
        Ok(written)
    }

    /// Moves the ref from `self.head` to `new`, or fails with [`StoreError::Moved`].
    fn swap(&mut self, new: Oid, message: &str) -> anyhow::Result<()> {
        let result = match self.head {
            Some(old) => self
                .repo
                .reference_matching(&self.refname, new, true, old, message)
                .map(|_| ()),
            None => self
                .repo
                .reference(&self.refname, new, false, message)
                .map(|_| ()),
        };
        match result {
            Ok(()) => {
                self.head = Some(new);
                Ok(())
            }
            Err(e) => {
                let found = match self.repo.find_reference(&self.refname) {
                    Ok(r) => r.target().map(|o| o.to_string()).unwrap_or_default(),
                    Err(_) => "no ref".to_string(),
                };
                let expected = self
                    .head
                    .map(|o| o.to_string())
                    .unwrap_or_else(|| "no ref".into());
                if found != expected || matches!(e.code(), ErrorCode::Modified | ErrorCode::Exists)
                {
                    return Err(StoreError::Moved {
                        refname: self.refname.clone(),
                        expected,
                        found,
                    }
                    .into());
                }
                Err(e).with_context(|| format!("cannot update {}", self.refname))
            }
        }
    }
}
