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
    // git itself does not re-hash every object it reads; libgit2 does by default, which
    // costs more than the diff itself here. Objects still come from the repository's own
    // object database, so this only skips a corruption check (`git fsck` does that).
    git2::opts::strict_hash_verification(false);
    // libgit2's object cache costs more than it saves on a one-pass walk (measured: 15%
    // slower, 4x the memory on 100k commits); the trees worth keeping are kept below.
    git2::opts::enable_caching(false);
    let result = diff_parallel(repo, &missing, &mut index);
    git2::opts::enable_caching(true);
    result?;
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

/// Splits the work over the machine's cores (each thread with its own handle on the
/// repository and its own interner), then merges in commit order. Small batches run inline.
fn diff_parallel(
    repo: &Repository,
    missing: &[&super::git::CommitRecord],
    index: &mut PathsIndex,
) -> anyhow::Result<()> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if threads < 2 || missing.len() < 4096 {
        return diff_all(repo, missing, index);
    }
    let path = repo.path().to_path_buf();
    let chunk = missing.len().div_ceil(threads);
    let parts: Vec<anyhow::Result<PathsIndex>> = std::thread::scope(|scope| {
        let handles: Vec<_> = missing
            .chunks(chunk)
            .map(|part| {
                let path = path.clone();
                scope.spawn(move || -> anyhow::Result<PathsIndex> {
                    let repo = Repository::open(&path)
                        .with_context(|| format!("cannot open {}", path.display()))?;
                    let mut local = PathsIndex::default();
                    diff_all(&repo, part, &mut local)?;
                    Ok(local)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a diff thread panicked")))
            })
            .collect()
    });
    for part in parts {
        let part = part?;
        let remap: Vec<u32> = part
            .names
            .iter()
            .map(|n| index.intern(n.as_bytes()))
            .collect();
        let mut ids = Vec::new();
        for (c, local) in part.iter() {
            ids.clear();
            ids.extend(local.iter().map(|&i| remap[i as usize]));
            index.push(*c, &ids);
        }
    }
    Ok(())
}

/// Diffs each commit against its first parent, oldest first, so that a parent's tree id and
/// the trees read for it are still at hand when its child comes.
fn diff_all(
    repo: &Repository,
    missing: &[&super::git::CommitRecord],
    index: &mut PathsIndex,
) -> anyhow::Result<()> {
    let mut ids: Vec<u32> = Vec::new();
    let mut prefix: Vec<u8> = Vec::new();
    let mut differ = Differ {
        repo,
        prev: HashMap::new(),
        cur: HashMap::new(),
    };
    let mut commit_tree: HashMap<[u8; 20], Oid> = HashMap::new();
    let mut tree_of = |id: &[u8; 20]| -> anyhow::Result<Oid> {
        if let Some(t) = commit_tree.get(id) {
            return Ok(*t);
        }
        let oid = Oid::from_bytes(id)?;
        let t = repo
            .find_commit(oid)
            .with_context(|| format!("cannot read commit {oid}"))?
            .tree_id();
        commit_tree.insert(*id, t);
        Ok(t)
    };
    for c in missing.iter().rev() {
        let oid = c.oid();
        let tree = tree_of(&c.id)?;
        let parent = c.parents.first().map(&mut tree_of).transpose()?;
        ids.clear();
        prefix.clear();
        let old = parent.map(|p| differ.old_tree(p)).transpose()?;
        let new = differ.new_tree(tree)?;
        differ
            .diff(old.as_ref(), Some(&new), &mut prefix, &mut |p| {
                ids.push(index.intern(p))
            })
            .with_context(|| format!("cannot diff commit {oid} against its parent"))?;
        index.push(c.id, &ids);
        differ.prev = std::mem::take(&mut differ.cur);
    }
    Ok(())
}

/// Tree diffs that keep the trees read on the new side for the next commit's old side.
struct Differ<'r> {
    repo: &'r Repository,
    prev: HashMap<Oid, git2::Tree<'r>>,
    cur: HashMap<Oid, git2::Tree<'r>>,
}

impl<'r> Differ<'r> {
    fn old_tree(&mut self, id: Oid) -> Result<git2::Tree<'r>, git2::Error> {
        match self.prev.get(&id) {
            Some(t) => Ok(t.clone()),
            None => self.repo.find_tree(id),
        }
    }

    fn new_tree(&mut self, id: Oid) -> Result<git2::Tree<'r>, git2::Error> {
        let t = self.old_tree(id)?;
        self.cur.insert(id, t.clone());
        Ok(t)
    }

    /// The paths that differ between two trees, like `git diff-tree -r --name-only`:
    /// identical subtrees (same id) are skipped without reading them.
    fn diff(
        &mut self,
        old: Option<&git2::Tree<'r>>,
        new: Option<&git2::Tree<'r>>,
        prefix: &mut Vec<u8>,
        out: &mut dyn FnMut(&[u8]),
    ) -> Result<(), git2::Error> {
        let is_tree = |e: &git2::TreeEntry| e.kind() == Some(git2::ObjectType::Tree);
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
            let len = prefix.len();
            match (order, a, b) {
                // Only on one side: everything under it was added or deleted.
                (std::cmp::Ordering::Less, Some(e), _)
                | (std::cmp::Ordering::Greater, _, Some(e)) => {
                    let old_side = order == std::cmp::Ordering::Less;
                    prefix.extend_from_slice(e.name_bytes());
                    if is_tree(&e) {
                        prefix.push(b'/');
                        let t = if old_side {
                            self.old_tree(e.id())?
                        } else {
                            self.new_tree(e.id())?
                        };
                        if old_side {
                            self.diff(Some(&t), None, prefix, out)?;
                        } else {
                            self.diff(None, Some(&t), prefix, out)?;
                        }
                    } else {
                        out(prefix);
                    }
                    if old_side {
                        i += 1;
                    } else {
                        j += 1;
                    }
                }
                (_, Some(a), Some(b)) => {
                    if a.id() != b.id() || a.filemode() != b.filemode() {
                        prefix.extend_from_slice(a.name_bytes());
                        if is_tree(&a) && is_tree(&b) {
                            prefix.push(b'/');
                            let (ta, tb) = (self.old_tree(a.id())?, self.new_tree(b.id())?);
                            self.diff(Some(&ta), Some(&tb), prefix, out)?;
                        } else {
                            out(prefix);
                        }
                    }
                    i += 1;
                    j += 1;
                }
                _ => break,
            }
            prefix.truncate(len);
        }
        Ok(())
    }
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
            let mut differ = Differ {
                repo: &repo,
                prev: HashMap::new(),
                cur: HashMap::new(),
            };
            differ
                .diff(old, Some(new), &mut Vec::new(), &mut |p| {
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
