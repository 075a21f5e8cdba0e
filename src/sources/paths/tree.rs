//! The diff of two raw tree objects, the way `git diff-tree -r --name-only` does it:
//! entries compared in git's order, identical subtrees skipped without being read, and the
//! trees read last kept for the next commit. Separate from the index because it is the one
//! part that parses object bytes; which commits to diff, and where the paths go, is the
//! parent module's and `parallel`'s.

use std::rc::Rc;

use anyhow::Context as _;

use crate::sources::git::OidMap;
use crate::sources::odb::{hex, Kind, Reader};

/// One entry of a raw tree object: `<mode> <name>\0<20-byte id>`.
struct Entry<'a> {
    /// The whole entry: equal bytes mean an unchanged entry, the common case.
    raw: &'a [u8],
    mode: &'a [u8],
    name: &'a [u8],
    id: &'a [u8; 20],
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == b"40000" || self.mode == b"040000"
    }
}

/// The entries of a raw tree, in stored order, without allocating. A malformed tree ends
/// early with `malformed` set.
struct Entries<'a> {
    rest: &'a [u8],
    malformed: bool,
}

impl<'a> Entries<'a> {
    fn new(tree: Option<&'a [u8]>) -> Self {
        Entries {
            rest: tree.unwrap_or(&[]),
            malformed: false,
        }
    }

    fn parse(&mut self) -> Option<Entry<'a>> {
        let rest = self.rest;
        let space = memchr::memchr(b' ', rest)?;
        let nul = space + memchr::memchr(0, &rest[space..])?;
        let id = rest.get(nul + 1..nul + 21)?.try_into().ok()?;
        self.rest = &rest[nul + 21..];
        Some(Entry {
            raw: &rest[..nul + 21],
            mode: &rest[..space],
            name: &rest[space + 1..nul],
            id,
        })
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let e = self.parse();
        if e.is_none() {
            self.malformed = true;
            self.rest = &[];
        }
        e
    }
}

/// How git orders tree entries: by name, a folder's name compared as if it ended in `/`.
fn entry_cmp(a: &Entry, b: &Entry) -> std::cmp::Ordering {
    fn key<'e>(e: &Entry<'e>) -> impl Iterator<Item = u8> + 'e {
        let slash = e.is_tree().then_some(b'/');
        e.name.iter().copied().chain(slash)
    }
    // Fast path: names differ before either ends.
    match a.name.iter().zip(b.name).find(|(x, y)| x != y) {
        Some((x, y)) => x.cmp(y),
        None => key(a).cmp(key(b)),
    }
}

type RawTree = Rc<Vec<u8>>;

/// Tree diffs over raw tree objects, keeping the trees read last: a commit's trees are
/// its child's old side, and most commits change the same few folders.
pub(super) struct Differ<'o> {
    reader: Reader<'o>,
    trees: OidMap<RawTree>,
    order: std::collections::VecDeque<[u8; 20]>,
    kept_bytes: usize,
    /// [`trees_kept_bytes`].
    budget: usize,
}

/// Bytes of trees kept per thread: the trees of the last few commits are what the next one
/// needs (commits are diffed oldest first), and memory is a target. A quarter of the delta
/// cache's budget (so from 64 KiB to 2 MiB): bigger repositories have bigger trees.
fn trees_kept_bytes(objects: &crate::sources::odb::Objects) -> usize {
    objects.delta_cache_bytes() / 4
}

impl<'o> Differ<'o> {
    pub(super) fn new(reader: Reader<'o>) -> Self {
        Differ {
            budget: trees_kept_bytes(reader.objects()),
            reader,
            trees: OidMap::default(),
            order: std::collections::VecDeque::new(),
            kept_bytes: 0,
        }
    }

    /// The store this differ reads.
    pub(super) fn objects(&self) -> &'o crate::sources::odb::Objects {
        self.reader.objects()
    }

    pub(super) fn read_tree(&mut self, id: &[u8; 20]) -> anyhow::Result<RawTree> {
        match self.reader.read(id)? {
            Some((Kind::Tree, data)) => Ok(data),
            Some((kind, _)) => anyhow::bail!("{} is a {kind:?} where a tree was expected", hex(id)),
            None => anyhow::bail!(
                "cannot find tree {}: {}",
                hex(id),
                self.reader.objects().missing_fix()
            ),
        }
    }

    pub(super) fn tree_of_commit(&mut self, id: &[u8; 20]) -> anyhow::Result<[u8; 20]> {
        let source = *self.reader.objects().replacement(id).unwrap_or(id);
        match self.reader.read(&source)? {
            Some((Kind::Commit, data)) => {
                crate::sources::git::commit_tree(&data).with_context(|| {
                    format!(
                        "commit {} is malformed\n  fix: run `git fsck` to see what is damaged",
                        hex(id)
                    )
                })
            }
            Some((kind, _)) => {
                anyhow::bail!("{} is a {kind:?} where a commit was expected", hex(id))
            }
            None => anyhow::bail!(
                "cannot find commit {}: {}",
                hex(id),
                self.reader.objects().missing_fix()
            ),
        }
    }

    pub(super) fn tree(&mut self, id: &[u8; 20]) -> anyhow::Result<RawTree> {
        if let Some(t) = self.trees.get(id) {
            return Ok(t.clone());
        }
        let t = self.read_tree(id)?;
        while self.kept_bytes + t.len() > self.budget {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(old) = self.trees.remove(&old) {
                self.kept_bytes -= old.len();
            }
        }
        self.kept_bytes += t.len();
        self.order.push_back(*id);
        self.trees.insert(*id, t.clone());
        Ok(t)
    }

    /// The paths that differ between two trees, like `git diff-tree -r --name-only`:
    /// identical subtrees (same id) are skipped without reading them.
    pub(super) fn diff(
        &mut self,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
        prefix: &mut Vec<u8>,
        out: &mut dyn FnMut(&[u8]),
    ) -> anyhow::Result<()> {
        use std::cmp::Ordering;
        let (mut ia, mut ib) = (Entries::new(old), Entries::new(new));
        let (mut x, mut y) = (ia.next(), ib.next());
        while x.is_some() || y.is_some() {
            if let (Some(a), Some(b)) = (&x, &y) {
                if a.raw == b.raw {
                    x = ia.next();
                    y = ib.next();
                    continue;
                }
            }
            let order = match (&x, &y) {
                (Some(x), Some(y)) => entry_cmp(x, y),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let len = prefix.len();
            match (order, &x, &y) {
                // Only on one side: everything under it was added or deleted.
                (Ordering::Less, Some(e), _) | (Ordering::Greater, _, Some(e)) => {
                    let old_side = order == Ordering::Less;
                    prefix.extend_from_slice(e.name);
                    if e.is_tree() {
                        prefix.push(b'/');
                        let t = self.tree(e.id)?;
                        if old_side {
                            self.diff(Some(&t), None, prefix, out)?;
                        } else {
                            self.diff(None, Some(&t), prefix, out)?;
                        }
                    } else {
                        out(prefix);
                    }
                    if old_side {
                        x = ia.next();
                    } else {
                        y = ib.next();
                    }
                }
                (_, Some(a), Some(b)) => {
                    if a.id != b.id || a.mode != b.mode {
                        prefix.extend_from_slice(a.name);
                        if a.is_tree() && b.is_tree() {
                            prefix.push(b'/');
                            let (ta, tb) = (self.tree(a.id)?, self.tree(b.id)?);
                            self.diff(Some(&ta), Some(&tb), prefix, out)?;
                        } else {
                            out(prefix);
                        }
                    }
                    x = ia.next();
                    y = ib.next();
                }
                _ => break,
            }
            prefix.truncate(len);
        }
        if ia.malformed || ib.malformed {
            anyhow::bail!(
                "a tree under `{}` is malformed (is the repository corrupt?)",
                String::from_utf8_lossy(prefix)
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use git2::{Oid, Repository};

    use crate::sources::odb::Objects;

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
        let objects = Objects::open(&repo);
        let raw = |t: Oid| -> Vec<u8> {
            let id: [u8; 20] = t.as_bytes().try_into().unwrap();
            objects.reader().read(&id).unwrap().unwrap().1.to_vec()
        };
        let (r1, r2) = (raw(t1), raw(t2));
        let (t1, t2) = (repo.find_tree(t1).unwrap(), repo.find_tree(t2).unwrap());
        for ((old, new), (raw_old, raw_new)) in [
            ((Some(&t1), &t2), (Some(&r1), &r2)),
            ((None, &t2), (None, &r2)),
            ((Some(&t2), &t1), (Some(&r2), &r1)),
        ] {
            let mut ours = Vec::new();
            let mut differ = Differ::new(objects.reader());
            differ
                .diff(
                    raw_old.map(|r| r.as_slice()),
                    Some(raw_new),
                    &mut Vec::new(),
                    &mut |p| ours.push(String::from_utf8_lossy(p).into_owned()),
                )
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
