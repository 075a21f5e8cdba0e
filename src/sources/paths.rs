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

use std::path::Path;
use std::rc::Rc;

use anyhow::Context as _;
use git2::{Oid, Repository};
use serde::{Deserialize, Serialize};

use super::git::{CommitRecord, History, OidMap};
use super::odb::{hex, Kind, Objects, Reader};
use crate::util::FnvMap;

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

/// Splits the work over the machine's cores: runs of consecutive commits handed out as
/// threads become free (older history has deeper delta chains, so equal halves would leave
/// one core idle), each thread with its own reader and its own interner; then merges in
/// commit order. Small batches run inline.
fn diff_parallel(
    objects: &Objects,
    history: &History,
    missing: &[&CommitRecord],
    index: &mut PathsIndex,
    progress: bool,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let trees: OidMap<[u8; 20]> = history.commits.iter().map(|c| (c.id, c.tree)).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let spinner = Spinner::new(progress);
    if threads < 2 || missing.len() < 256 {
        let mut differ = Differ::new(objects.reader());
        return diff_all(&mut differ, &trees, missing, index, &spinner);
    }
    // Long enough runs that a run's first commit (whose parent's trees are not at hand) is
    // rare, short enough to balance the threads.
    let block = (missing.len() / (threads * 16)).clamp(256, 4096);
    let blocks: Vec<&[&CommitRecord]> = missing.chunks(block).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = || -> anyhow::Result<Vec<(usize, PathsIndex)>> {
        let mut differ = Differ::new(objects.reader());
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(part) = blocks.get(i) else {
                break;
            };
            let mut local = PathsIndex::default();
            if let Err(e) = diff_all(&mut differ, &trees, part, &mut local, &spinner) {
                failed.store(true, Ordering::Relaxed);
                return Err(e);
            }
            done.push((i, local));
            // A run of commits reads its trees once: keep resident only what the next run
            // reads (the delta bases in the readers' caches), like git's pack windows.
            objects.release_pages();
        }
        Ok(done)
    };
    let results: Vec<anyhow::Result<Vec<(usize, PathsIndex)>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a diff thread panicked")))
            })
            .collect()
    });
    let mut parts = Vec::with_capacity(blocks.len());
    for r in results {
        parts.extend(r?);
    }
    parts.sort_unstable_by_key(|(i, _)| *i);
    for (_, part) in parts {
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

/// Diffs each commit against its first parent, oldest first, so that a parent's trees are
/// still at hand when its child comes.
fn diff_all(
    differ: &mut Differ,
    trees: &OidMap<[u8; 20]>,
    missing: &[&CommitRecord],
    index: &mut PathsIndex,
    spinner: &Spinner,
) -> anyhow::Result<()> {
    let mut ids: Vec<u32> = Vec::new();
    let mut prefix: Vec<u8> = Vec::new();
    for c in missing.iter().rev() {
        let parent = match c.parents.first() {
            Some(p) => Some(match trees.get(p) {
                Some(t) => *t,
                // A parent outside the history (cut by a shallow clone): read it.
                None => differ.tree_of_commit(p)?,
            }),
            None => None,
        };
        ids.clear();
        prefix.clear();
        let old = parent.map(|p| differ.tree(&p)).transpose()?;
        let new = differ.tree(&c.tree)?;
        differ
            .diff(
                old.as_ref().map(|t| t.as_slice()),
                Some(&new),
                &mut prefix,
                &mut |p| ids.push(index.intern(p)),
            )
            .with_context(|| format!("cannot diff commit {} against its parent", c.oid()))?;
        index.push(c.id, &ids);
        spinner.tick();
    }
    Ok(())
}

/// A spinner shared by the diff threads: shown once diffing takes a moment and stderr is a
/// terminal (the caller decides), cleared when done.
struct Spinner {
    enabled: bool,
    done: std::sync::atomic::AtomicUsize,
    started: std::time::Instant,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Spinner {
    fn new(enabled: bool) -> Self {
        Spinner {
            enabled,
            done: Default::default(),
            started: std::time::Instant::now(),
            bar: std::sync::OnceLock::new(),
        }
    }

    fn tick(&self) {
        use std::sync::atomic::Ordering;
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled || n % 512 != 0 {
            return;
        }
        if self.bar.get().is_none() && self.started.elapsed().as_millis() < 300 {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::new_spinner().with_elapsed(self.started.elapsed());
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} reading changed paths: {human_pos} commits, {elapsed}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        bar.set_position(n as u64);
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

type RawTree = Rc<Vec<u8>>;

/// Tree diffs over raw tree objects, keeping the trees read last: a commit's trees are
/// its child's old side, and most commits change the same few folders.
struct Differ<'o> {
    reader: Reader<'o>,
    trees: OidMap<RawTree>,
    order: std::collections::VecDeque<[u8; 20]>,
    kept_bytes: usize,
}

/// Bytes of trees kept per thread: the trees of the last few commits are what the next one
/// needs (commits are diffed oldest first), and memory is a target.
const TREES_KEPT_BYTES: usize = 2 << 20;

impl<'o> Differ<'o> {
    fn new(reader: Reader<'o>) -> Self {
        Differ {
            reader,
            trees: OidMap::default(),
            order: std::collections::VecDeque::new(),
            kept_bytes: 0,
        }
    }

    fn read_tree(&mut self, id: &[u8; 20]) -> anyhow::Result<RawTree> {
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

    fn tree_of_commit(&mut self, id: &[u8; 20]) -> anyhow::Result<[u8; 20]> {
        let source = *self.reader.objects().replacement(id).unwrap_or(id);
        match self.reader.read(&source)? {
            Some((Kind::Commit, data)) => super::git::commit_tree(&data).with_context(|| {
                format!(
                    "commit {} is malformed\n  fix: run `git fsck` to see what is damaged",
                    hex(id)
                )
            }),
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

    fn tree(&mut self, id: &[u8; 20]) -> anyhow::Result<RawTree> {
        if let Some(t) = self.trees.get(id) {
            return Ok(t.clone());
        }
        let t = self.read_tree(id)?;
        while self.kept_bytes + t.len() > TREES_KEPT_BYTES {
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
    fn diff(
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
