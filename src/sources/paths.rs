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
    let mut ids: Vec<u32> = Vec::new();
    let mut prefix: Vec<u8> = Vec::new();
    for c in missing {
        let oid = c.oid();
        let tree = repo
            .find_commit(oid)
            .and_then(|commit| commit.tree())
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
        ids.clear();
        prefix.clear();
        diff_trees(
            repo,
            parent_tree.as_ref(),
            Some(&tree),
            &mut prefix,
            &mut |p| ids.push(index.intern(p)),
        )
        .with_context(|| format!("cannot diff commit {oid} against its parent"))?;
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

/// How git orders tree entries: by name, a folder's name compared as if it ended in `/`.
fn entry_cmp(a: &git2::TreeEntry, b: &git2::TreeEntry) -> std::cmp::Ordering {
    let key = |e: &git2::TreeEntry| {
        let slash = (e.kind() == Some(git2::ObjectType::Tree)).then_some(b'/');
        e.name_bytes().to_vec().into_iter().chain(slash)
    };
    let (an, bn) = (a.name_bytes(), b.name_bytes());
    // Fast path: names differ before either ends.
    match an.iter().zip(bn).find(|(x, y)| x != y) {
        Some((x, y)) => x.cmp(y),
        None => key(a).cmp(key(b)),
    }
}

/// The paths that differ between two trees, like `git diff-tree -r --name-only`: identical
/// subtrees (same id) are skipped without reading them, which is what makes this fast.
/// A walk of our own rather than `git_diff_tree_to_tree`: only names are needed, so no
/// delta objects, no pathspecs, no flags.
fn diff_trees(
    repo: &Repository,
    old: Option<&git2::Tree>,
    new: Option<&git2::Tree>,
    prefix: &mut Vec<u8>,
    out: &mut dyn FnMut(&[u8]),
) -> Result<(), git2::Error> {
    let is_tree = |e: &git2::TreeEntry| e.kind() == Some(git2::ObjectType::Tree);
    // Everything under one side's entry (added or deleted wholesale).
    fn all(
        repo: &Repository,
        e: &git2::TreeEntry,
        prefix: &mut Vec<u8>,
        out: &mut dyn FnMut(&[u8]),
        old_side: bool,
    ) -> Result<(), git2::Error> {
        let len = prefix.len();
        prefix.extend_from_slice(e.name_bytes());
        if e.kind() == Some(git2::ObjectType::Tree) {
            prefix.push(b'/');
            let t = repo.find_tree(e.id())?;
            if old_side {
                diff_trees(repo, Some(&t), None, prefix, out)?;
            } else {
                diff_trees(repo, None, Some(&t), prefix, out)?;
            }
        } else {
            out(prefix);
        }
        prefix.truncate(len);
        Ok(())
    }
    let (mut i, mut j) = (0, 0);
    let (n_old, n_new) = (old.map_or(0, |t| t.len()), new.map_or(0, |t| t.len()));
    while i < n_old || j < n_new {
        let a = old.and_then(|t| t.get(i));
        let b = new.and_then(|t| t.get(j));
        let order = match (&a, &b) {
            (Some(a), Some(b)) => entry_cmp(a, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => break,
        };
        match (order, a, b) {
            (std::cmp::Ordering::Less, Some(a), _) => {
                all(repo, &a, prefix, out, true)?;
                i += 1;
            }
            (std::cmp::Ordering::Greater, _, Some(b)) => {
                all(repo, &b, prefix, out, false)?;
                j += 1;
            }
            (_, Some(a), Some(b)) => {
                if a.id() != b.id() || a.filemode() != b.filemode() {
                    if is_tree(&a) && is_tree(&b) {
                        let len = prefix.len();
                        prefix.extend_from_slice(a.name_bytes());
                        prefix.push(b'/');
                        let (ta, tb) = (repo.find_tree(a.id())?, repo.find_tree(b.id())?);
                        diff_trees(repo, Some(&ta), Some(&tb), prefix, out)?;
                        prefix.truncate(len);
                    } else {
                        let len = prefix.len();
                        prefix.extend_from_slice(a.name_bytes());
                        out(prefix);
                        prefix.truncate(len);
                    }
                }
                i += 1;
                j += 1;
            }
            _ => break,
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk agrees with libgit2's own tree diff on adds, deletes, edits, nested folders,
    /// a file turned into a folder and mode changes.
    #[test]
    fn tree_walk_matches_libgit2_diff() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = |s: &str| repo.blob(s.as_bytes()).unwrap();
        let build = |files: &[(&str, &str, i32)]| -> Oid {
            // Build nested trees from paths.
            fn insert(
                repo: &Repository,
                base: Option<Oid>,
                parts: &[&str],
                blob: Oid,
                mode: i32,
            ) -> Oid {
                let base = base.map(|b| repo.find_tree(b).unwrap());
                let mut tb = repo.treebuilder(base.as_ref()).unwrap();
                if parts.len() == 1 {
                    tb.insert(parts[0], blob, mode).unwrap();
                } else {
                    let sub = tb
                        .get(parts[0])
                        .unwrap()
                        .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
                        .map(|e| e.id());
                    let id = insert(repo, sub, &parts[1..], blob, mode);
                    tb.insert(parts[0], id, 0o040000).unwrap();
                }
                tb.write().unwrap()
            }
            let mut root: Option<Oid> = None;
            for (path, content, mode) in files {
                let parts: Vec<&str> = path.split('/').collect();
                root = Some(insert(&repo, root, &parts, blob(content), *mode));
            }
            root.unwrap()
        };
        let t1 = build(&[
            ("a.txt", "1", 0o100644),
            ("foo", "file", 0o100644),
            ("foo.c", "c", 0o100644),
            ("src/x.rs", "x", 0o100644),
            ("src/deep/y.rs", "y", 0o100644),
            ("old/z", "z", 0o100644),
            ("run.sh", "sh", 0o100644),
        ]);
        let t2 = build(&[
            ("a.txt", "2", 0o100644),
            ("foo/inside", "now a folder", 0o100644),
            ("foo.c", "c", 0o100644),
            ("src/x.rs", "x", 0o100644),
            ("src/deep/y.rs", "y2", 0o100644),
            ("src/new.rs", "n", 0o100644),
            ("run.sh", "sh", 0o100755),
        ]);
        let (t1, t2) = (repo.find_tree(t1).unwrap(), repo.find_tree(t2).unwrap());
        for (old, new) in [(Some(&t1), &t2), (None, &t2), (Some(&t2), &t1)] {
            let mut ours = Vec::new();
            diff_trees(&repo, old, Some(new), &mut Vec::new(), &mut |p| {
                ours.push(String::from_utf8_lossy(p).into_owned())
            })
            .unwrap();
            ours.sort();
            let diff = repo.diff_tree_to_tree(old, Some(new), None).unwrap();
            let mut theirs: Vec<String> = diff
                .deltas()
                .map(|d| {
                    let f = if d.status() == git2::Delta::Deleted {
                        d.old_file()
                    } else {
                        d.new_file()
                    };
                    f.path().unwrap().to_string_lossy().into_owned()
                })
                .collect();
            theirs.sort();
            theirs.dedup();
            ours.dedup();
            assert_eq!(ours, theirs);
        }
    }
}
