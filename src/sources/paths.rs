//! The paths each commit changed, for ownership and reviewer suggestion. Computed only when a
//! command needs them (domains, suggestions, the cross-domain bonus) and cached under
//! `.git/guild/` keyed by commit id, so a second run reads the cache and a run after new
//! commits diffs only those.
//!
//! One libgit2 tree-to-tree diff per non-merge commit against its first parent (the empty
//! tree for a root commit): no content diff, no rename detection, the same set of paths as
//! `git log --name-only`. Merge commits get no paths of their own: the commits they bring in
//! carry the work. Paths are interned: most commits touch files that other commits touched.
//!
//! This module reads; which domain a path belongs to is `analysis::domains`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context as _;
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::git::History;

const FILE: &str = "paths-v1.bin";
const MAGIC: &[u8; 8] = b"GUILDP01";

/// Changed paths per commit, interned.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PathsIndex {
    /// Every path seen, in first-seen order; ids below point here.
    pub names: Vec<String>,
    /// Commits with known paths (non-merge commits), parallel to `spans`.
    commits: Vec<[u8; 20]>,
    /// `flat[spans[i].0 .. spans[i].1]` are the path ids of `commits[i]`.
    spans: Vec<(u32, u32)>,
    flat: Vec<u32>,
    #[serde(skip)]
    by_commit: HashMap<[u8; 20], u32>,
    #[serde(skip)]
    by_name: HashMap<String, u32>,
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

    /// The same, for a commit id written in hex.
    pub fn of_hex(&self, hex: &str) -> &[u32] {
        match Oid::from_str(hex) {
            Ok(oid) => match <&[u8; 20]>::try_from(oid.as_bytes()) {
                Ok(id) => self.of_commit(id),
                Err(_) => &[],
            },
            Err(_) => &[],
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
}

/// The changed paths of every non-merge commit in `history`, from the cache where possible.
pub fn read(
    repo: &Repository,
    history: &History,
    opts: &ReadOptions,
) -> anyhow::Result<PathsIndex> {
    let mut index = opts.cache.and_then(load).unwrap_or_default();
    index.rebuild_maps();
    let missing: Vec<&super::git::CommitRecord> = history
        .commits
        .iter()
        .filter(|c| c.parents.len() <= 1 && !index.by_commit.contains_key(&c.id))
        .collect();
    if missing.is_empty() {
        return Ok(index);
    }
    let mut opts_diff = git2::DiffOptions::new();
    opts_diff
        .skip_binary_check(true)
        .ignore_submodules(false)
        .include_typechange(true);
    let mut ids: Vec<u32> = Vec::new();
    for c in missing {
        let oid = c.oid();
        let commit = repo
            .find_commit(oid)
            .with_context(|| format!("cannot read commit {oid}"))?;
        let tree = commit
            .tree()
            .with_context(|| format!("cannot read the tree of commit {oid}"))?;
        let parent_tree = match c.parents.first() {
            Some(p) => {
                let p = Oid::from_bytes(p).with_context(|| format!("bad parent of {oid}"))?;
                Some(
                    repo.find_commit(p)
                        .and_then(|pc| pc.tree())
                        .with_context(|| format!("cannot read the parent tree of {oid}"))?,
                )
            }
            None => None,
        };
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts_diff))
            .with_context(|| format!("cannot diff commit {oid} against its parent"))?;
        ids.clear();
        for delta in diff.deltas() {
            let file = if delta.status() == git2::Delta::Deleted {
                delta.old_file()
            } else {
                delta.new_file()
            };
            if let Some(p) = file.path_bytes() {
                ids.push(index.intern(p));
            }
        }
        index.push(c.id, &ids);
    }
    if let Some(dir) = opts.cache {
        if index.len() > history.commits.len() {
            let known: std::collections::HashSet<[u8; 20]> =
                history.commits.iter().map(|c| c.id).collect();
            index.retain(|c| known.contains(c));
        }
        // A read-only repository simply runs without a cache.
        let _ = store(dir, &index);
    }
    Ok(index)
}

fn load(dir: &Path) -> Option<PathsIndex> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    postcard::from_bytes(body).ok()
}

fn store(dir: &Path, index: &PathsIndex) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend(postcard::to_stdvec(index)?);
    crate::util::write_atomic(&dir.join(FILE), &bytes)
}

/// Every file path in the tree of `commit` (blobs and submodules), sorted.
pub fn tree_files(repo: &Repository, commit: Oid) -> anyhow::Result<Vec<String>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .with_context(|| format!("cannot read the tree of {commit}"))?;
    let mut out = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() != Some(git2::ObjectType::Tree) {
            out.push(format!(
                "{dir}{}",
                String::from_utf8_lossy(entry.name_bytes())
            ));
        }
        git2::TreeWalkResult::Ok
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
