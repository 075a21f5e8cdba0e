//! Reading history: one pass over every commit reachable from HEAD (as git reads it:
//! replace refs and grafts honoured, malformed signatures read as empty), with the object
//! reader of `odb`, keeping only what the ledger needs (ids, parents, interned signatures,
//! times, summary, known trailers). Results are cached under `.git/guild/` keyed by commit id,
//! so a second run reads only what is new. Recognising merges in summaries is
//! `sources::merges`.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use git2::Oid;
use serde::{Deserialize, Serialize};

use super::odb::{hex, Kind, Objects};

use super::trailers;

/// A raw author/committer identity as written in a commit (after `.mailmap`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Sig {
    pub name: String,
    pub email: String,
}

/// One commit, reduced to what cargo guild reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRecord {
    pub id: [u8; 20],
    /// The commit's root tree (what changed paths are diffed from).
    pub tree: [u8; 20],
    pub parents: Vec<[u8; 20]>,
    /// Index into [`History::sigs`].
    pub author: u32,
    pub author_time: i64,
    pub committer: u32,
    pub commit_time: i64,
    pub summary: String,
    /// For merge commits: the first line of the second paragraph (GitHub and bors put the
    /// pull request's title there).
    pub body_title: Option<String>,
    /// (index into `trailers::KNOWN_KEYS`, value)
    pub trailers: Vec<(u8, String)>,
}

impl CommitRecord {
    pub fn oid(&self) -> Oid {
        // A 20-byte array is always a valid SHA-1 object id.
        Oid::from_bytes(&self.id).unwrap_or(Oid::ZERO_SHA1)
    }
    pub fn short_id(&self) -> String {
        let mut s = self.oid().to_string();
        s.truncate(10);
        s
    }
}

/// All commits reachable from `head`, with interned signatures. Signatures are raw (before
/// `.mailmap`); identities are resolved by `events::identity`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    pub head: [u8; 20],
    /// [`Objects::rewrites_key`] when it was read: replace refs and grafts change history.
    pub rewrites: u64,
    pub sigs: Vec<Sig>,
    pub commits: Vec<CommitRecord>,
    /// Read (in part) from the repository and not written to the cache yet: see
    /// [`ReadOptions::store`].
    #[serde(skip)]
    pub unsaved: bool,
    /// Commits of this read that were inflated ahead of the walk (`odb::Ahead`), for `-vv`.
    #[serde(skip)]
    pub read_ahead: usize,
}

impl History {
    /// Map from commit id to index in `commits`.
    pub fn index(&self) -> OidMap<u32> {
        self.commits
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i as u32))
            .collect()
    }
}

/// Object ids are already uniformly distributed: their first eight bytes are a perfect
/// hash, far cheaper than SipHash on 100,000 keys.
#[derive(Default, Clone, Copy)]
pub struct OidHasher(u64);

impl std::hash::Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Arrays hash as their bytes; a length prefix (if any) is mixed in harmlessly.
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(b);
        }
    }
}

pub type OidBuild = std::hash::BuildHasherDefault<OidHasher>;
pub type OidSet = std::collections::HashSet<[u8; 20], OidBuild>;
pub type OidMap<V> = HashMap<[u8; 20], V, OidBuild>;

/// Options for [`read`].
pub struct ReadOptions<'a> {
    pub progress: bool,
    /// Where the cache lives; `None` disables it.
    pub cache: Option<&'a std::path::Path>,
    /// Write the refreshed cache before returning. Without it the caller writes it with
    /// [`store`] when [`History::unsaved`] says so, typically on the other core while it
    /// builds the ledger (on git/git the write is a tenth of a first run).
    pub store: bool,
}

/// Writes the history cache under `dir` (atomically; failures are the caller's to ignore).
pub fn store(dir: &std::path::Path, history: &History) -> anyhow::Result<()> {
    super::cache::store(dir, history)
}

/// Reads the history reachable from `head`, using and refreshing the cache.
///
/// Only reachable commits are read, the way `git log` reads them: the cost and the memory
/// follow the history, not the size of the packs. The walk (find, inflate, follow the
/// parents) runs on its own thread, handing raw commits in walk order to this one, which
/// parses them (signatures, summary, trailers): two cores, and the same result as reading
/// one commit after the other.
pub fn read(objects: &Objects, head: Oid, opts: &ReadOptions) -> anyhow::Result<History> {
    let rewrites = objects.rewrites_key();
    let cached = opts
        .cache
        .and_then(super::cache::load)
        .filter(|c| c.rewrites == rewrites);
    if let Some(c) = &cached {
        if c.head == *as_bytes(&head) {
            return Ok(cached.unwrap_or_default());
        }
    }
    let mut walker = Walker::new(opts.progress);
    let mut history = History {
        head: *as_bytes(&head),
        rewrites,
        ..Default::default()
    };
    let known: OidSet = cached
        .iter()
        .flat_map(|c| c.commits.iter().map(|r| r.id))
        .collect();
    let start = peel_to_commit(objects, history.head)?;
    if known.is_empty() {
        // Growing a list of a million records by doubling copied it over and over, and had
        // the kernel zero every new copy: a fifth of a first run at that size.
        // Commits are rarely more than a third of the objects (a tenth to a fiftieth in
        // real clones); a reservation the system refuses is only a missed shortcut.
        let _ = history.commits.try_reserve(objects.packed_objects() / 3);
    }
    let (tx, rx) = std::sync::mpsc::sync_channel::<anyhow::Result<Vec<Walked>>>(16);
    // Commits inflated in pack order ahead of the walk, on a third thread (`odb::Ahead`):
    // the walk itself is mostly inflating. Not for a few new commits over a cached history.
    let ahead = super::odb::Ahead::default();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (ahead, known) = (&ahead, &known);
        if known.is_empty() {
            let first = *objects.replacement(&start).unwrap_or(&start);
            std::thread::Builder::new()
                .name("guild-ahead".into())
                .spawn_scoped(scope, move || ahead.run(objects, &first))
                .context("cannot start the thread that reads history ahead")?;
        }
        std::thread::Builder::new()
            .name("guild-walk".into())
            .spawn_scoped(scope, move || {
                let _stop = ahead.stop_when_dropped();
                walk(objects, start, known, ahead, tx);
            })
            .context("cannot start the thread that walks history")?;
        for batch in rx {
            for w in batch? {
                let oid = Oid::from_bytes(&w.id)?;
                let mut raw =
                    parse_commit(&w.data).with_context(|| format!("commit {oid} is malformed"))?;
                if let Some(parents) = objects.graft(&w.id) {
                    raw.parents = parents.to_vec();
                }
                let (author, committer) = (
                    walker.intern(raw.author.0, raw.author.1, &mut history.sigs),
                    walker.intern(raw.committer.0, raw.committer.1, &mut history.sigs),
                );
                history.commits.push(record(w.id, raw, author, committer));
                walker.tick(history.commits.len());
            }
        }
        Ok(())
    })?;
    walker.finish();
    history.read_ahead = ahead.taken();
    // The commits' pages are read; what comes next (changed paths) reads trees. The
    // batches of raw commits the walk handed over are freed: back to the system with them.
    objects.release_pages();
    crate::util::return_freed_memory();
    if let Some(old) = cached {
        merge_cached(&mut history, old);
    }
    match opts.cache {
        // A read-only repository simply runs without a cache.
        Some(dir) if opts.store => {
            let _ = store(dir, &history);
        }
        Some(_) => history.unsaved = true,
        None => {}
    }
    Ok(history)
}

/// A commit found by the walk: its id and its raw bytes (the replacement's under `git
/// replace`).
struct Walked {
    id: [u8; 20],
    data: Vec<u8>,
}

/// Commits handed from the walk to the parser at a time.
const BATCH: usize = 256;

/// Walks the commits reachable from `start` depth-first, parents in order, skipping those in
/// `known` (and what is reachable only through them), and sends them in batches. Stops at the
/// first error (sent on) or when the receiver is gone.
fn walk(
    objects: &Objects,
    start: [u8; 20],
    known: &OidSet,
    ahead: &super::odb::Ahead,
    tx: std::sync::mpsc::SyncSender<anyhow::Result<Vec<Walked>>>,
) {
    let mut reader = objects.reader();
    let mut seen = OidSet::default();
    // (commit, the child that named it as a parent), for messages.
    let mut stack: Vec<([u8; 20], Option<[u8; 20]>)> = vec![(start, None)];
    let mut batch = Vec::with_capacity(BATCH);
    while let Some((id, child)) = stack.pop() {
        if known.contains(&id) || !seen.insert(id) {
            continue;
        }
        let source = *objects.replacement(&id).unwrap_or(&id);
        let step = read_commit(&mut reader, objects, &source, child, ahead).and_then(|data| {
            let parents = match objects.graft(&id) {
                Some(p) => p.to_vec(),
                None => commit_parents(&data).with_context(|| {
                    format!(
                        "commit {} is malformed (no `tree` line, or a bad `parent` line)\n  \
                         fix: run `git fsck` to see what is damaged",
                        hex(&source)
                    )
                })?,
            };
            Ok((data, parents))
        });
        let (data, parents) = match step {
            Ok(found) => found,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        stack.extend(parents.iter().rev().map(|p| (*p, Some(id))));
        batch.push(Walked { id, data });
        if batch.len() == BATCH && tx.send(Ok(std::mem::take(&mut batch))).is_err() {
            return;
        }
    }
    let _ = tx.send(Ok(batch));
}

/// The raw bytes of commit `id`, or an error that says what is wrong and how to fix it.
fn read_commit(
    reader: &mut super::odb::Reader,
    objects: &Objects,
    id: &[u8; 20],
    child: Option<[u8; 20]>,
    ahead: &super::odb::Ahead,
) -> anyhow::Result<Vec<u8>> {
    let named = || match child {
        Some(c) => format!("commit {} (a parent of {})", hex(id), hex(&c)),
        None => format!("commit {}", hex(id)),
    };
    match reader
        .read_after(id, ahead)
        .with_context(|| format!("cannot read {}", named()))?
    {
        Some((Kind::Commit, data)) => Ok(Rc::try_unwrap(data).unwrap_or_else(|d| d.to_vec())),
        Some((kind, _)) => anyhow::bail!(
            "{} is a {} where a commit was expected\n  fix: run `git fsck` to see what is damaged",
            named(),
            format!("{kind:?}").to_lowercase()
        ),
        None => anyhow::bail!("cannot find {}: {}", named(), objects.missing_fix()),
    }
}

/// The commit `id` names: itself, or the commit an annotated tag (or a chain of them) points at.
fn peel_to_commit(objects: &Objects, id: [u8; 20]) -> anyhow::Result<[u8; 20]> {
    let mut reader = objects.reader();
    let mut at = id;
    for _ in 0..16 {
        match reader
            .read(&at)
            .with_context(|| format!("cannot read HEAD ({})", hex(&at)))?
        {
            Some((Kind::Tag, data)) => {
                at = data
                    .strip_prefix(b"object ")
                    .and_then(parse_hex)
                    .with_context(|| format!("tag {} is malformed", hex(&at)))?;
            }
            Some(_) => return Ok(at),
            None => anyhow::bail!(
                "cannot find HEAD's commit {}: {}",
                hex(&at),
                objects.missing_fix()
            ),
        }
    }
    anyhow::bail!("HEAD ({}) is a chain of tags too long to follow", hex(&id))
}

/// Appends the cached commits that are still reachable from the new head (a force-push can
/// drop some), re-interning their signatures.
fn merge_cached(history: &mut History, old: History) {
    let mut sig_index: HashMap<Sig, u32> = history
        .sigs
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, s)| (s, i as u32))
        .collect();
    let mut remap = Vec::with_capacity(old.sigs.len());
    for s in old.sigs {
        let next = history.sigs.len() as u32;
        let i = *sig_index.entry(s.clone()).or_insert_with(|| {
            history.sigs.push(s);
            next
        });
        remap.push(i);
    }
    let mut all = std::mem::take(&mut history.commits);
    all.extend(old.commits.into_iter().map(|mut c| {
        c.author = remap[c.author as usize];
        c.committer = remap[c.committer as usize];
        c
    }));
    // Keep only what is reachable from the new head.
    let index: OidMap<usize> = all.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut keep = vec![false; all.len()];
    let mut stack: Vec<usize> = index.get(&history.head).copied().into_iter().collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut keep[i], true) {
            continue;
        }
        stack.extend(all[i].parents.iter().filter_map(|p| index.get(p).copied()));
    }
    history.commits = all
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect();
}

fn as_bytes(oid: &Oid) -> &[u8; 20] {
    // git2 object ids are SHA-1 (20 bytes) in every repository libgit2 opens by default.
    oid.as_bytes().try_into().unwrap_or(&[0; 20])
}

/// Turns commits into records, interning signatures, with a progress bar once a run takes a
/// moment.
struct Walker {
    sig_index: HashMap<(Vec<u8>, Vec<u8>), u32>,
    progress: bool,
    started: Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Walker {
    fn new(progress: bool) -> Self {
        Walker {
            sig_index: HashMap::new(),
            progress,
            started: Instant::now(),
            bar: None,
        }
    }

    fn intern(&mut self, name: &[u8], email: &[u8], sigs: &mut Vec<Sig>) -> u32 {
        if let Some(&i) = self.sig_index.get(&(name, email) as &dyn SigKey) {
            return i;
        }
        let i = sigs.len() as u32;
        sigs.push(Sig {
            name: String::from_utf8_lossy(name).trim().to_string(),
            email: String::from_utf8_lossy(email).trim().to_string(),
        });
        self.sig_index.insert((name.to_vec(), email.to_vec()), i);
        i
    }

    fn tick(&mut self, n: usize) {
        if n % 1024 == 0 {
            self.tick_to(n);
        }
    }

    fn tick_to(&mut self, n: usize) {
        if !self.progress {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() > Duration::from_millis(300) {
            let bar = indicatif::ProgressBar::new_spinner().with_elapsed(self.started.elapsed());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} reading history: {human_pos} commits, {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(n as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// One commit's record, its signatures already interned.
fn record(id: [u8; 20], c: RawCommit, author: u32, committer: u32) -> CommitRecord {
    let merge = c.parents.len() > 1;
    CommitRecord {
        id,
        tree: c.tree,
        author,
        author_time: c.author.2,
        committer,
        commit_time: c.committer.2,
        summary: trailers::summary(c.message),
        body_title: if merge {
            trailers::body_title(c.message)
        } else {
            None
        },
        trailers: trailers::parse(c.message)
            .into_iter()
            .map(|(k, v)| (k as u8, v))
            .collect(),
        parents: c.parents,
    }
}

/// A commit object's fields, borrowed from its raw bytes.
struct RawCommit<'a> {
    tree: [u8; 20],
    parents: Vec<[u8; 20]>,
    /// (name, e-mail, Unix time)
    author: (&'a [u8], &'a [u8], i64),
    committer: (&'a [u8], &'a [u8], i64),
    message: &'a [u8],
}

/// The parents of a raw commit, from its first lines (`tree`, then `parent`s); `None` when
/// those are not there, the only damage git refuses in a commit too.
fn commit_parents(data: &[u8]) -> Option<Vec<[u8; 20]>> {
    let mut lines = data.split(|&b| b == b'\n');
    commit_tree(lines.next()?)?;
    let mut parents = Vec::with_capacity(2);
    for line in lines {
        match line.strip_prefix(b"parent ") {
            Some(hex) => parents.push(parse_hex(hex)?),
            None => break,
        }
    }
    Some(parents)
}

/// Parses a raw commit object (`tree`, `parent`*, `author`, `committer`, other headers,
/// a blank line, the message). Returns `None` when the tree is missing; malformed
/// signatures are read as empty ones, as git reads them.
fn parse_commit(data: &[u8]) -> Option<RawCommit<'_>> {
    let mut tree = None;
    let mut parents = Vec::with_capacity(2);
    let mut author = None;
    let mut committer = None;
    let mut pos = 0;
    while pos < data.len() {
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i);
        let line = &data[pos..end];
        pos = end + 1;
        if line.is_empty() {
            break;
        }
        if line.starts_with(b"tree ") {
            tree = Some(commit_tree(line)?);
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(parse_hex(hex)?);
        } else if let Some(sig) = line.strip_prefix(b"author ") {
            author = parse_sig(sig);
        } else if let Some(sig) = line.strip_prefix(b"committer ") {
            committer = parse_sig(sig);
        }
    }
    // Like git, a missing or malformed signature is read as an empty one, not an error.
    let author = author.or(committer).unwrap_or((b"", b"", 0));
    Some(RawCommit {
        tree: tree?,
        parents,
        author,
        committer: committer.unwrap_or(author),
        message: data.get(pos..).unwrap_or(&[]),
    })
}

/// The root tree of a raw commit object (its first header).
pub(super) fn commit_tree(data: &[u8]) -> Option<[u8; 20]> {
    parse_hex(data.strip_prefix(b"tree ")?)
}

pub(super) fn parse_hex(hex: &[u8]) -> Option<[u8; 20]> {
    if hex.len() < 40 {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, byte) in out.iter_mut().enumerate() {
        let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
        *byte = digit(hex[2 * i])? << 4 | digit(hex[2 * i + 1])?;
    }
    Some(out)
}

/// `Name <email> 1700000000 +0100` → (name, email, time). A signature without a
/// parsable time gets 0 rather than failing the whole run.
fn parse_sig(sig: &[u8]) -> Option<(&[u8], &[u8], i64)> {
    let close = sig.iter().rposition(|&b| b == b'>')?;
    let open = sig[..close].iter().rposition(|&b| b == b'<')?;
    let name = sig[..open].trim_ascii();
    let email = &sig[open + 1..close];
    let time = std::str::from_utf8(&sig[close + 1..])
        .ok()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    Some((name, email, time))
}

/// Lets the signature map be probed with borrowed slices (no allocation per commit).
trait SigKey {
    fn key(&self) -> (&[u8], &[u8]);
}
impl SigKey for (Vec<u8>, Vec<u8>) {
    fn key(&self) -> (&[u8], &[u8]) {
        (&self.0, &self.1)
    }
}
impl SigKey for (&[u8], &[u8]) {
    fn key(&self) -> (&[u8], &[u8]) {
        (self.0, self.1)
    }
}
impl<'a> std::borrow::Borrow<dyn SigKey + 'a> for (Vec<u8>, Vec<u8>) {
    fn borrow(&self) -> &(dyn SigKey + 'a) {
        self
    }
}
impl PartialEq for dyn SigKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for dyn SigKey + '_ {}
impl std::hash::Hash for dyn SigKey + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state)
    }
}
