//! Reading history with git2: one pass over every commit reachable from HEAD, keeping only
//! what the ledger needs (ids, parents, interned signatures, times, summary, known
//! trailers). Results are cached under `.git/guild/` keyed by commit id, so a second run reads
//! only what is new. Recognising merges in summaries is `sources::merges`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use git2::Oid;

use super::odb::Objects;
use serde::{Deserialize, Serialize};

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
    pub sigs: Vec<Sig>,
    pub commits: Vec<CommitRecord>,
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
}

/// Reads the history reachable from `head`, using and refreshing the cache.
pub fn read(objects: &Objects, head: Oid, opts: &ReadOptions) -> anyhow::Result<History> {
    let cached = opts.cache.and_then(super::cache::load);
    if let Some(c) = &cached {
        if c.head == *as_bytes(&head) {
            return Ok(cached.unwrap_or_default());
        }
    }
    let mut walker = Walker::new(opts.progress);
    let mut history = History {
        head: *as_bytes(&head),
        ..Default::default()
    };
    // Our own traversal over raw objects: one read and one parse per commit (a revwalk plus
    // find_commit reads and parses every commit twice and fills libgit2's object cache).
    // libgit2 re-hashes every object it reads by default (SHA-1 with collision detection),
    // which costs more than parsing; git itself does not do this on read either (this only
    // matters for objects the fast reader hands to libgit2).
    git2::opts::strict_hash_verification(false);
    let known: OidSet = cached
        .iter()
        .flat_map(|c| c.commits.iter().map(|r| r.id))
        .collect();
    // A first read inflates and parses every packed commit on all cores up front (reading
    // a commit is what costs; which ones are reachable is then cheap to follow). A later
    // read, after new commits, follows only the new ones.
    let mut parsed = if known.is_empty() {
        parse_packed(objects, &mut walker)
    } else {
        Parsed::default()
    };
    let mut reader = objects.reader();
    let mut seen = OidSet::default();
    let mut stack = vec![history.head];
    while let Some(id) = stack.pop() {
        if known.contains(&id) || !seen.insert(id) {
            continue;
        }
        let record = match parsed.take(&id) {
            Some((part, record)) => {
                walker.adopt(&parsed.parts[part].keys, record, &mut history.sigs)
            }
            None => {
                let oid = Oid::from_bytes(&id)?;
                let data = match reader.read(&id) {
                    Ok(Some((super::odb::Kind::Commit, data))) => data,
                    Ok(Some((kind, _))) => {
                        anyhow::bail!("{oid} is a {kind:?} where a commit was expected")
                    }
                    // A parent missing from a shallow or grafted repository ends that line
                    // of history.
                    Ok(None) if id != history.head => continue,
                    Ok(None) => {
                        anyhow::bail!("cannot find commit {oid} (is the repository corrupt?)")
                    }
                    Err(e) => {
                        return Err(e).with_context(|| {
                            format!("cannot read commit {oid} (is the repository corrupt?)")
                        })
                    }
                };
                let raw =
                    parse_commit(&data).with_context(|| format!("commit {oid} is malformed"))?;
                let (author, committer) = (
                    walker.intern(raw.author.0, raw.author.1, &mut history.sigs),
                    walker.intern(raw.committer.0, raw.committer.1, &mut history.sigs),
                );
                record(id, raw, author, committer)
            }
        };
        stack.extend(record.parents.iter().rev());
        history.commits.push(record);
        if parsed.is_empty() {
            walker.tick(history.commits.len());
        }
    }
    walker.finish();
    if let Some(old) = cached {
        merge_cached(&mut history, old);
    }
    if let Some(dir) = opts.cache {
        // A read-only repository simply runs without a cache.
        let _ = super::cache::store(dir, &history);
    }
    Ok(history)
}

/// Commits parsed ahead of the walk, by several threads: each part has its own signatures
/// (raw name and e-mail bytes; records point into them until the walk adopts them).
#[derive(Default)]
struct Parsed {
    parts: Vec<Part>,
    at: OidMap<(u32, u32)>,
}

#[derive(Default)]
struct Part {
    keys: Vec<(Vec<u8>, Vec<u8>)>,
    records: Vec<Option<CommitRecord>>,
}

impl Parsed {
    fn is_empty(&self) -> bool {
        self.at.is_empty()
    }

    fn take(&mut self, id: &[u8; 20]) -> Option<(usize, CommitRecord)> {
        let &(part, i) = self.at.get(id)?;
        let record = self.parts[part as usize].records[i as usize].take()?;
        Some((part as usize, record))
    }
}

/// Reads and parses every packed commit, blocks of them handed out to one thread per core.
/// Commits that cannot be read or parsed are left out: the walk reads them again and says
/// what is wrong only if they are reachable.
fn parse_packed(objects: &Objects, walker: &mut Walker) -> Parsed {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let commits = objects.packed_commits();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    // Blocks small enough to balance the threads, large enough to keep a thread in one
    // stretch of the pack.
    let block = (commits.len() / (threads * 8)).clamp(16, 512);
    let next = AtomicUsize::new(0);
    let work = |tick: &mut dyn FnMut(usize)| -> Part {
        let mut reader = objects.reader();
        let mut part = Part::default();
        let mut index: HashMap<(Vec<u8>, Vec<u8>), u32> = HashMap::new();
        let mut intern = |name: &[u8], email: &[u8], keys: &mut Vec<(Vec<u8>, Vec<u8>)>| {
            if let Some(&i) = index.get(&(name, email) as &dyn SigKey) {
                return i;
            }
            let i = keys.len() as u32;
            keys.push((name.to_vec(), email.to_vec()));
            index.insert((name.to_vec(), email.to_vec()), i);
            i
        };
        loop {
            let start = next.fetch_add(block, Ordering::Relaxed);
            if start >= commits.len() {
                break part;
            }
            for c in &commits[start..(start + block).min(commits.len())] {
                let Ok(Some(data)) = reader.read_commit(c) else {
                    continue;
                };
                let Some(raw) = parse_commit(&data) else {
                    continue;
                };
                let author = intern(raw.author.0, raw.author.1, &mut part.keys);
                let committer = intern(raw.committer.0, raw.committer.1, &mut part.keys);
                part.records
                    .push(Some(record(c.id, raw, author, committer)));
            }
            tick(start + block);
        }
    };
    let parts: Vec<Part> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|_| scope.spawn(|| work(&mut |_| ())))
            .collect();
        // This thread works too, and draws the progress bar.
        let mine = work(&mut |n| walker.tick_to(n));
        std::iter::once(mine)
            .chain(others.into_iter().filter_map(|h| h.join().ok()))
            .collect()
    });
    let mut at = OidMap::default();
    for (p, part) in parts.iter().enumerate() {
        for (i, r) in part.records.iter().enumerate() {
            if let Some(r) = r {
                at.insert(r.id, (p as u32, i as u32));
            }
        }
    }
    Parsed { parts, at }
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

    /// Takes a record parsed ahead with signatures of its own part, interning them here in
    /// walk order (so the result is the same as a walk that parsed as it went).
    fn adopt(
        &mut self,
        keys: &[(Vec<u8>, Vec<u8>)],
        mut r: CommitRecord,
        sigs: &mut Vec<Sig>,
    ) -> CommitRecord {
        let (a, c) = (&keys[r.author as usize], &keys[r.committer as usize]);
        r.author = self.intern(&a.0, &a.1, sigs);
        r.committer = self.intern(&c.0, &c.1, sigs);
        r
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

/// Parses a raw commit object (`tree`, `parent`*, `author`, `committer`, other headers,
/// a blank line, the message). Returns `None` when a required header is missing.
fn parse_commit(data: &[u8]) -> Option<RawCommit<'_>> {
    let mut tree = None;
    let mut parents = Vec::with_capacity(2);
    let mut author = None;
    let mut committer = None;
    let mut pos = 0;
    while pos < data.len() {
        let end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| pos + i);
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
    let author = author.or(committer)?;
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

fn parse_hex(hex: &[u8]) -> Option<[u8; 20]> {
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
