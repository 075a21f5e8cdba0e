//! The paths each commit changed, for ownership and reviewer suggestion. Computed only when a
//! command needs them (domains, suggestions, the cross-domain bonus) and cached under
//! `.git/guild/` keyed by commit id, so a second run reads the cache and a run after new
//! commits diffs only those.
//!
//! One tree-to-tree diff over raw tree objects per non-merge commit against its first parent
//! (the empty tree for a root commit): no content diff, no rename detection, the same set of
//! paths as `git log --no-renames --name-only`. Runs of commits are handed to the cores as
//! they become free. Merge commits get no paths of their own: the commits they bring in
//! carry the work. Paths are interned: most commits touch files that other commits touched.
//!
//! This module reads; which domain a path belongs to is `analysis::domains`.
//!
//! Here: the index, its cache and the entry points. The diff of two raw trees is `tree`;
//! handing runs of commits to the cores is `parallel`.

use std::path::Path;

use anyhow::Context as _;
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::git::{CommitRecord, History, OidMap};
use super::odb::Objects;
use crate::util::FnvMap;

mod parallel;
mod tree;

use parallel::diff_parallel;
use tree::Differ;

const FILE: &str = "paths-v3.bin";
const MAGIC: &[u8; 8] = b"GUILDP03";

/// Changed paths per commit, interned.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PathsIndex {
    /// The head whose whole history has paths here (so a run at the same head needs no
    /// history to know that the cache is complete).
    head: [u8; 20],
    /// Every path seen, in first-seen order; ids below point here.
    pub names: Vec<String>,
    /// Commits with known paths (non-merge commits), parallel to `spans`.
    commits: Vec<[u8; 20]>,
    /// `flat[spans[i].0 .. spans[i].1]` are the path ids of `commits[i]`.
    spans: Vec<(u32, u32)>,
    flat: Vec<u32>,
    #[serde(skip)]
    by_commit: OidMap<u32>,
    #[serde(skip)]
    by_name: FnvMap<String, u32>,
}

impl PathsIndex {
    /// The path ids a commit changed; empty for merges and unknown commits.
    pub fn of_commit(&self, id: &[u8; 20]) -> &[u32] {
        match self.by_commit.get(id) {
            Some(&i) => {
                let (a, b) = self.spans[i as usize];
                &self.flat[a as usize..b as usize]
            }
            None => &[],
        }
    }

    /// The id of a path, if any commit changed it.
    pub fn id_of(&self, path: &str) -> Option<u32> {
        self.by_name.get(path).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many commits have paths recorded.
    pub fn len(&self) -> usize {
        self.commits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.commits.is_empty()
    }

    /// Iterates over (commit id, path ids).
    pub fn iter(&self) -> impl Iterator<Item = (&[u8; 20], &[u32])> {
        self.commits
            .iter()
            .zip(&self.spans)
            .map(|(c, &(a, b))| (c, &self.flat[a as usize..b as usize]))
    }

    fn intern(&mut self, path: &[u8]) -> u32 {
        // Paths are bytes in git; non-UTF-8 names are shown lossily (rare, and only shown).
        let s = String::from_utf8_lossy(path);
        if let Some(&i) = self.by_name.get(s.as_ref()) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.clone().into_owned());
        self.by_name.insert(s.into_owned(), i);
        i
    }

    /// Records the paths a commit changed, from elsewhere than a diff (an exported ledger);
    /// a commit already recorded keeps its paths.
    pub fn add<'p>(&mut self, commit: [u8; 20], paths: impl IntoIterator<Item = &'p str>) {
        if self.by_commit.contains_key(&commit) {
            return;
        }
        let ids: Vec<u32> = paths
            .into_iter()
            .map(|p| self.intern(p.as_bytes()))
            .collect();
        self.push(commit, &ids);
    }

    /// Appends the commits of `part` (diffed oldest first) newest first, numbering the paths
    /// new here as they are first seen from its newest commit on. Runs of commits appended
    /// newest run first number every path as one pass over the history would, whichever
    /// thread diffed what: the cache is the same bytes on any number of cores.
    pub(super) fn append_newest_first(&mut self, part: &PathsIndex) {
        let mut remap = vec![u32::MAX; part.names.len()];
        let mut ids = Vec::new();
        for (k, commit) in part.commits.iter().enumerate().rev() {
            let (a, b) = part.spans[k];
            ids.clear();
            for &local in &part.flat[a as usize..b as usize] {
                let global = &mut remap[local as usize];
                if *global == u32::MAX {
                    *global = self.intern(part.names[local as usize].as_bytes());
                }
                ids.push(*global);
            }
            self.push(*commit, &ids);
        }
    }

    fn push(&mut self, commit: [u8; 20], ids: &[u32]) {
        let a = self.flat.len() as u32;
        self.flat.extend_from_slice(ids);
        self.by_commit.insert(commit, self.commits.len() as u32);
        self.commits.push(commit);
        self.spans.push((a, self.flat.len() as u32));
    }

    fn rebuild_maps(&mut self) {
        self.by_commit = self
            .commits
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i as u32))
            .collect();
        self.by_name = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
    }

    /// Keeps only the commits in `keep` (after a force-push dropped some), so the cache does
    /// not grow without bound. Path names are kept: they are shared and cheap.
    fn retain(&mut self, keep: impl Fn(&[u8; 20]) -> bool) {
        let mut out = PathsIndex {
            names: std::mem::take(&mut self.names),
            ..Default::default()
        };
        for (c, ids) in self.iter() {
            if keep(c) {
                out.push(*c, ids);
            }
        }
        out.by_name = std::mem::take(&mut self.by_name);
        *self = out;
    }
}

/// Options for [`read`].
pub struct ReadOptions<'a> {
    /// Where the cache lives; `None` disables it.
    pub cache: Option<&'a Path>,
    /// Show a spinner on stderr once diffing takes a moment.
    pub progress: bool,
}

/// The changed paths of every non-merge commit in `history`, from the cache where possible.
pub fn read(
    objects: &Objects,
    history: &History,
    opts: &ReadOptions,
) -> anyhow::Result<PathsIndex> {
    let mut index = opts.cache.and_then(load).unwrap_or_default();
    index.rebuild_maps();
    let missing: Vec<&CommitRecord> = history
        .commits
        .iter()
        .filter(|c| c.parents.len() <= 1 && !index.by_commit.contains_key(&c.id))
        .collect();
    if missing.is_empty() && index.head == history.head {
        return Ok(index);
    }
    diff_parallel(objects, history, &missing, &mut index, opts.progress)?;
    if let Some(dir) = opts.cache {
        if index.len() > history.commits.len() {
            let known: std::collections::HashSet<[u8; 20]> =
                history.commits.iter().map(|c| c.id).collect();
            index.retain(|c| known.contains(c));
        }
        index.head = history.head;
        // A read-only repository simply runs without a cache.
        let _ = store(dir, &index);
    }
    index.head = history.head;
    Ok(index)
}

/// The cached paths, if they cover the whole history of `head` (no history needed).
pub fn load_complete(dir: &Path, head: &[u8; 20]) -> Option<PathsIndex> {
    let mut index = load(dir).filter(|i| i.head == *head)?;
    index.rebuild_maps();
    Some(index)
}

fn load(dir: &Path) -> Option<PathsIndex> {
    let index: PathsIndex =
        postcard::from_bytes(&super::cache::read_file(dir, FILE, MAGIC)?).ok()?;
    // The checksum caught damage; this catches a cache that is whole but inconsistent, which
    // would otherwise index out of bounds.
    let names = index.names.len();
    let flat = index.flat.len();
    let consistent = index.commits.len() == index.spans.len()
        && index
            .spans
            .iter()
            .all(|&(a, b)| a <= b && b as usize <= flat)
        && index.flat.iter().all(|&i| (i as usize) < names);
    consistent.then_some(index)
}

fn store(dir: &Path, index: &PathsIndex) -> anyhow::Result<()> {
    super::cache::write_file(
        dir,
        FILE,
        MAGIC,
        &[],
        index,
        &["paths-v1.bin", "paths-v2.bin"],
    )
}

/// Every file path in the tree of `commit` (blobs and submodules), sorted.
pub fn tree_files(objects: &Objects, commit: Oid) -> anyhow::Result<Vec<String>> {
    let id: [u8; 20] = commit.as_bytes().try_into()?;
    let mut differ = Differ::new(objects.reader());
    let root = differ.tree_of_commit(&id)?;
    let tree = differ.read_tree(&root)?;
    let mut out = Vec::new();
    let mut prefix = Vec::new();
    differ
        .diff(None, Some(&tree), &mut prefix, &mut |p| {
            out.push(String::from_utf8_lossy(p).into_owned())
        })
        .with_context(|| format!("cannot list the files of {commit}"))?;
    out.sort();
    Ok(out)
}

/// The paths changed by a range `BASE..HEAD` (or `BASE...HEAD`): HEAD's tree against the
/// merge base of BASE and HEAD, the way a pull request's diff is shown. Also returns the
/// commits in the range (reachable from HEAD, not from BASE), oldest last.
pub fn range(repo: &Repository, spec: &str) -> anyhow::Result<(Vec<String>, Vec<Oid>)> {
    let (base, head) = spec
        .split_once("...")
        .or_else(|| spec.split_once(".."))
        .filter(|(b, h)| !b.is_empty() && !h.is_empty())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "`{spec}` is not a range\n  fix: write it as BASE..HEAD, e.g. `--diff origin/main..HEAD`"
            )
        })?;
    let resolve = |rev: &str| -> anyhow::Result<Oid> {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot resolve `{rev}` in --diff {spec} ({})\n  fix: name a branch, tag or commit that exists (fetch it first if it is remote)",
                    e.message()
                )
            })
    };
    let (b, h) = (resolve(base)?, resolve(head)?);
    let merge_base = repo.merge_base(b, h).unwrap_or(b);
    let old = repo.find_commit(merge_base).and_then(|c| c.tree())?;
    let new = repo.find_commit(h).and_then(|c| c.tree())?;
    let diff = repo
        .diff_tree_to_tree(Some(&old), Some(&new), None)
        .with_context(|| format!("cannot diff {spec}"))?;
    let mut paths: Vec<String> = diff
        .deltas()
        .filter_map(|d| {
            let f = if d.status() == git2::Delta::Deleted {
                d.old_file()
            } else {
                d.new_file()
            };
            f.path_bytes()
                .map(|p| String::from_utf8_lossy(p).into_owned())
        })
        .collect();
    paths.sort();
    paths.dedup();
    let mut walk = repo.revwalk()?;
    walk.push(h)?;
    walk.hide(b)?;
    let commits = walk.collect::<Result<Vec<Oid>, _>>()?;
    Ok((paths, commits))
}
