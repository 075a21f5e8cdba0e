//! The object reader: packs (index v2, mapped), loose objects and alternates, read without
//! libgit2 and without trusting any of it.
//!
//! libgit2 serialises reads of one pack behind a lock shared by every handle in the process,
//! and on damaged files it can loop forever (a truncated loose object) or crash (a flipped bit
//! in a pack index). This reader maps the pack files itself, checks what it can check cheaply
//! when it opens them (index size and fan-out, the pack's header and its checksum against the
//! index's copy), bounds every offset, size and delta chain, inflates with zlib-rs and
//! resolves deltas with a small per-reader cache of delta bases (the way `git` does). It is
//! `Sync`: each thread takes its own [`Reader`] and none of them lock.
//!
//! A missing object is `Ok(None)`; a damaged one is an error that names the object and the
//! file. What the caller should tell the user about a missing object (a partial clone that
//! left it out, a damaged pack that hides it) is [`Objects::missing_fix`].
//! Replace refs (`refs/replace/`) and grafts (`info/grafts`) are loaded here because git
//! applies them when it reads an object; the history walk asks for them.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use anyhow::Context as _;

/// A SHA-1 object id.
pub type Id = [u8; 20];

/// The four kinds of stored objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl Kind {
    fn from_pack(code: u8) -> Option<Kind> {
        match code {
            1 => Some(Kind::Commit),
            2 => Some(Kind::Tree),
            3 => Some(Kind::Blob),
            4 => Some(Kind::Tag),
            _ => None,
        }
    }

    fn from_name(name: &[u8]) -> Option<Kind> {
        match name {
            b"commit" => Some(Kind::Commit),
            b"tree" => Some(Kind::Tree),
            b"blob" => Some(Kind::Blob),
            b"tag" => Some(Kind::Tag),
            _ => None,
        }
    }
}

const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

/// One pack: its index and its data, both memory-mapped.
struct Pack {
    idx: memmap2::Mmap,
    data: memmap2::Mmap,
    count: usize,
    /// The `.pack` file, for messages.
    path: PathBuf,
}

impl Pack {
    /// Opens `pack-*.idx` and its `.pack`, checking what is cheap to check: a damaged pair is
    /// refused with the reason, never read half-way.
    fn open(idx_path: &Path) -> Result<Pack, String> {
        let pack_path = idx_path.with_extension("pack");
        let map = |p: &Path| -> Result<memmap2::Mmap, String> {
            let file = std::fs::File::open(p).map_err(|e| format!("cannot open it ({e})"))?;
            // SAFETY: git never rewrites a pack or its index in place: a repack writes new
            // files and renames them, so the mapped bytes do not change under us.
            unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("cannot map it ({e})"))
        };
        let idx = map(idx_path)?;
        let data = map(&pack_path)?;
        // Index v2: magic, version, 256-entry fan-out, ids, CRCs, offsets, large offsets,
        // then the pack's checksum and the index's own.
        if idx.len() < 8 + 1024 + 40 {
            return Err("its index is truncated".into());
        }
        if idx[..4] != [0xff, b't', b'O', b'c'] {
            return Err("its index has version 1, which is not supported \
                        (fix: rewrite it with `git repack -a -d`)"
                .into());
        }
        if idx[4..8] != [0, 0, 0, 2] {
            return Err("its index has a version this reader does not know".into());
        }
        let mut last = 0;
        for i in 0..256 {
            let n = be32(&idx, 8 + i * 4).unwrap_or(u32::MAX);
            if n < last {
                return Err("its index is damaged (the fan-out table is not sorted)".into());
            }
            last = n;
        }
        let count = last as usize;
        let fixed = 8 + 1024 + count * 28 + 40;
        if idx.len() < fixed || (idx.len() - fixed) % 8 != 0 {
            return Err("its index is truncated or damaged (wrong size)".into());
        }
        if data.len() < 32 || &data[..4] != b"PACK" || be32(&data, 8) != Some(count as u32) {
            return Err("the pack is damaged or does not match its index".into());
        }
        let sum = &idx[idx.len() - 40..idx.len() - 20];
        if &data[data.len() - 20..] != sum {
            return Err(
                "the pack is truncated or does not match its index (checksums differ)".into(),
            );
        }
        Ok(Pack {
            idx,
            data,
            count,
            path: pack_path,
        })
    }

    fn id(&self, i: usize) -> &[u8] {
        let at = 8 + 1024 + i * 20;
        &self.idx[at..at + 20]
    }

    fn offset(&self, i: usize) -> Option<u64> {
        let at = 8 + 1024 + self.count * 24 + i * 4;
        let small = be32(&self.idx, at)?;
        if small & 0x8000_0000 == 0 {
            return Some(small as u64);
        }
        let at = 8 + 1024 + self.count * 28 + (small & 0x7fff_ffff) as usize * 8;
        let bytes = self.idx.get(at..at + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }

    /// Where `id` is stored in this pack.
    fn find(&self, id: &Id) -> Option<u64> {
        let first = id[0] as usize;
        let lo = if first == 0 {
            0
        } else {
            be32(&self.idx, 8 + (first - 1) * 4)? as usize
        };
        let hi = (be32(&self.idx, 8 + first * 4)? as usize).min(self.count);
        if lo >= hi {
            return None;
        }
        // Ids are uniformly distributed: the bytes after the first tell where in the fan-out
        // bucket the id should be. Guess there, widen a window until it holds the id's place,
        // then bisect the window: a few neighbouring probes instead of a score of scattered
        // cache and TLB misses per lookup in a large index (a first run looks up every commit
        // and every tree it reads).
        let key = u64::from_be_bytes(id[1..9].try_into().ok()?);
        let guess = lo + ((key as u128 * (hi - lo) as u128) >> 64) as usize;
        let below = |i: usize| self.id(i) < &id[..];
        let mut step = 16;
        let (mut a, mut b) = (guess.saturating_sub(step).max(lo), (guess + step).min(hi));
        while a > lo && !below(a) {
            step *= 4;
            a = guess.saturating_sub(step).max(lo);
        }
        while b < hi && below(b - 1) {
            step *= 4;
            b = (guess + step).min(hi);
        }
        // Every id before `a` is smaller than `id`, and none from `b` on is.
        while a < b {
            let mid = (a + b) / 2;
            match self.id(mid).cmp(&id[..]) {
                std::cmp::Ordering::Less => a = mid + 1,
                std::cmp::Ordering::Greater => b = mid,
                std::cmp::Ordering::Equal => return self.offset(mid),
            }
        }
        None
    }

    /// The entry header at `offset`: (type code, inflated size, header length).
    fn header(&self, offset: u64) -> Option<(u8, usize, usize)> {
        // The last 20 bytes are the checksum: no entry starts there.
        let end = self.data.len().checked_sub(20)?;
        let bytes = self.data.get(offset as usize..end)?;
        let mut b = *bytes.first()?;
        let code = (b >> 4) & 7;
        let mut size = (b & 15) as usize;
        let mut shift = 4;
        let mut n = 1;
        while b & 0x80 != 0 {
            b = *bytes.get(n)?;
            n += 1;
            if shift > 60 {
                return None;
            }
            size |= ((b & 0x7f) as usize) << shift;
            shift += 7;
        }
        Some((code, size, n))
    }

    /// The base of the offset delta whose base reference starts at `at`, and its length.
    fn ofs_base(&self, entry: u64, at: usize) -> Option<(u64, usize)> {
        let bytes = self.data.get(at..)?;
        let mut b = *bytes.first()?;
        let mut rel = (b & 0x7f) as u64;
        let mut n = 1;
        while b & 0x80 != 0 {
            b = *bytes.get(n)?;
            n += 1;
            // Nine bytes already exceed any pack; more is damage (and would overflow).
            if n > 9 {
                return None;
            }
            rel = (rel.checked_add(1)? << 7) | (b & 0x7f) as u64;
        }
        // A base always comes before its delta (and rel = 0 would be a cycle).
        (rel > 0).then_some(())?;
        Some((entry.checked_sub(rel)?, n))
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The object store of one repository. Cheap to share across threads.
pub struct Objects {
    packs: Vec<Pack>,
    /// The repository's `objects/` and those of its alternates, searched for loose objects.
    dirs: Vec<PathBuf>,
    /// Packs that could not be opened, with why: the objects in them are missing.
    damaged: Vec<(PathBuf, String)>,
    /// Whether this is a partial clone (objects left out on purpose, fetched by git on use).
    partial: bool,
    /// `refs/replace/*`: commit id → the object git reads in its place.
    replace: super::git::OidMap<Id>,
    /// `info/grafts`: commit id → the parents git gives it instead of its own.
    grafts: super::git::OidMap<Vec<Id>>,
}

impl Objects {
    /// Maps every pack of the repository and its alternates, and loads replace refs and
    /// grafts (as git does, unless `GIT_NO_REPLACE_OBJECTS` is set).
    pub fn open(repo: &git2::Repository) -> Objects {
        let objects_dir = repo.commondir().join("objects");
        let mut dirs = vec![objects_dir.clone()];
        let mut at = 0;
        // Alternates may chain; git stops at five levels.
        while at < dirs.len() && dirs.len() < 6 {
            let dir = dirs[at].clone();
            at += 1;
            let Ok(list) = std::fs::read_to_string(dir.join("info/alternates")) else {
                continue;
            };
            for line in list.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let alt = dir.join(line);
                if !dirs.contains(&alt) {
                    dirs.push(alt);
                }
            }
        }
        let mut packs = Vec::new();
        let mut damaged = Vec::new();
        let mut partial = false;
        for dir in &dirs {
            let mut idx_files: Vec<PathBuf> = std::fs::read_dir(dir.join("pack"))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            idx_files.sort();
            for idx in idx_files {
                partial |= idx.with_extension("promisor").exists();
                match Pack::open(&idx) {
                    Ok(p) => packs.push(p),
                    Err(why) => damaged.push((idx, why)),
                }
            }
        }
        let config = repo.config().ok();
        let flag = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
        partial |= flag("extensions.partialclone").is_some();
        let (replace, grafts) = if std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_some() {
            Default::default()
        } else {
            (
                replace_refs(repo),
                grafts(&repo.commondir().join("info/grafts")),
            )
        };
        Objects {
            packs,
            dirs,
            damaged,
            partial,
            replace,
            grafts,
        }
    }

    /// Where `id` is stored: every pack that has it (a damaged copy may have a good twin).
    fn find_all<'s>(&'s self, id: &'s Id) -> impl Iterator<Item = (u32, u64)> + 's {
        self.packs
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.find(id).map(|o| (i as u32, o)))
    }

    fn find(&self, id: &Id) -> Option<(u32, u64)> {
        self.find_all(id).next()
    }

    /// Takes the pages of the mapped packs out of this process's resident memory. They
    /// stay in the page cache: a later read maps them back in (a minor fault), so this costs
    /// little and keeps memory in proportion to what is being read, not to what was read
    /// (a first run passes over hundreds of megabytes of pack once).
    pub fn release_pages(&self) {
        for p in &self.packs {
            for map in [&p.idx, &p.data] {
                // SAFETY: the maps are read-only views of files git never rewrites in place
                // (see `Pack::open`): dropping their pages only makes the next access read
                // the same bytes from the page cache again.
                let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
            }
        }
    }

    /// A reader for one thread.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            objects: self,
            inflater: flate2::Decompress::new(true),
            cache: vec![None; CACHE_SLOTS],
            cached_bytes: 0,
            hand: 0,
        }
    }

    /// How many objects the packs hold: a bound on the number of commits, for reserving a
    /// list of them that never has to grow (and copy itself). Only the part that is written
    /// to takes memory.
    pub fn packed_objects(&self) -> usize {
        self.packs.iter().map(|p| p.count).sum()
    }

    /// The object git reads in place of commit `id` (`git replace`), if any.
    pub fn replacement(&self, id: &Id) -> Option<&Id> {
        self.replace.get(id)
    }

    /// The parents `info/grafts` gives commit `id`, if any.
    pub fn graft(&self, id: &Id) -> Option<&[Id]> {
        self.grafts.get(id).map(Vec::as_slice)
    }

    /// A fingerprint of the replace refs and grafts: history read under other ones differs.
    pub fn rewrites_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        if self.replace.is_empty() && self.grafts.is_empty() {
            return 0;
        }
        let mut all: Vec<(&Id, Vec<Id>)> = self
            .replace
            .iter()
            .map(|(k, v)| (k, vec![*v]))
            .chain(self.grafts.iter().map(|(k, v)| (k, v.clone())))
            .collect();
        all.sort();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        all.hash(&mut h);
        h.finish() | 1
    }

    /// What to tell the user when object `id` is missing: why it may be, and the fix.
    pub fn missing_fix(&self) -> String {
        if let Some((idx, why)) = self.damaged.first() {
            return format!(
                "{} cannot be used: {why}\n  fix: run `git fsck` to see what is damaged; \
                 then restore the pack from another clone (`git fetch --refetch`) or clone again",
                idx.display()
            );
        }
        if self.partial {
            return "this is a partial clone, which leaves objects out until git fetches them\n  \
                    fix: fetch everything with `git fetch --refetch --no-filter` \
                    (or clone without `--filter`)"
                .to_string();
        }
        "the repository is damaged\n  fix: run `git fsck` to see what is missing; \
         `git fetch --refetch` fetches every object again"
            .to_string()
    }
}

/// `refs/replace/<id>` → the replacement's id.
fn replace_refs(repo: &git2::Repository) -> super::git::OidMap<Id> {
    let mut out = super::git::OidMap::default();
    let Ok(refs) = repo.references_glob("refs/replace/*") else {
        return out;
    };
    for r in refs.flatten() {
        let (Ok(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        let Some(from) = name
            .strip_prefix("refs/replace/")
            .and_then(|h| super::git::parse_hex(h.as_bytes()))
        else {
            continue;
        };
        if let Ok(to) = target.as_bytes().try_into() {
            out.insert(from, to);
        }
    }
    out
}

/// `info/grafts`: one commit per line, followed by the parents git should give it.
fn grafts(path: &Path) -> super::git::OidMap<Vec<Id>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Default::default();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut ids = l
                .split_whitespace()
                .map(|h| super::git::parse_hex(h.as_bytes()));
            let commit = ids.next()??;
            let parents: Option<Vec<Id>> = ids.collect();
            Some((commit, parents?))
        })
        .collect()
}

/// Spare output room for zlib's fast loop (a match is at most 258 bytes).
const INFLATE_ROOM: usize = 320;

/// Longer delta chains than this are treated as corrupt (git's default maximum is 50).
const MAX_CHAIN: u32 = 10_000;
/// Delta bases kept per reader: direct-mapped slots and a byte budget, like git's
/// `core.deltaBaseCacheLimit`.
const CACHE_SLOTS: usize = 4096;
/// With eviction, 8 MiB per thread does what 24 MiB without did (git.git, changed paths:
/// the same CPU time within noise, 190 MB of peak memory instead of 300 MB).
const CACHE_BYTES: usize = 8 << 20;
const CACHE_MAX_OBJECT: usize = 1 << 20;

type Cached = (u32, u64, Kind, Rc<Vec<u8>>);

/// Reads objects for one thread.
pub struct Reader<'a> {
    objects: &'a Objects,
    inflater: flate2::Decompress,
    cache: Vec<Option<Cached>>,
    cached_bytes: usize,
    /// Where eviction resumes (see [`Reader::keep`]).
    hand: usize,
}

impl<'a> Reader<'a> {
    /// The store this reader reads.
    pub fn objects(&self) -> &'a Objects {
        self.objects
    }

    /// The object `id`, `Ok(None)` when the repository does not have it, an error naming the
    /// object and the file when its only copies are damaged. The bytes may be shared with the
    /// reader's cache of delta bases.
    pub fn read(&mut self, id: &Id) -> anyhow::Result<Option<(Kind, Rc<Vec<u8>>)>> {
        let mut damaged = None;
        for (pack, offset) in self.objects.find_all(id) {
            match self.read_packed(pack, offset) {
                Some(found) => return Ok(Some(found)),
                None => damaged = damaged.or(Some(pack)),
            }
        }
        if let Some((kind, data)) = self.read_loose(id)? {
            return Ok(Some((kind, Rc::new(data))));
        }
        if let Some(pack) = damaged {
            let path = &self.objects.packs[pack as usize].path;
            anyhow::bail!(
                "object {} in {} cannot be read: the pack is damaged\n  fix: run `git fsck` to see \
                 what is damaged; then restore the pack from another clone (`git fetch --refetch`) \
                 or clone again",
                hex(id),
                path.display()
            );
        }
        Ok(None)
    }

    fn slot(pack: u32, offset: u64) -> usize {
        let h = (offset ^ ((pack as u64) << 40)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 52) as usize % CACHE_SLOTS
    }

    fn cached(&self, pack: u32, offset: u64) -> Option<(Kind, Rc<Vec<u8>>)> {
        match &self.cache[Self::slot(pack, offset)] {
            Some((p, o, k, data)) if *p == pack && *o == offset => Some((*k, data.clone())),
            _ => None,
        }
    }

    fn keep(&mut self, pack: u32, offset: u64, kind: Kind, data: Rc<Vec<u8>>) {
        if data.len() > CACHE_MAX_OBJECT {
            return;
        }
        let at = Self::slot(pack, offset);
        if let Some((_, _, _, old)) = self.cache[at].take() {
            self.cached_bytes -= old.len();
        }
        // Over budget, the oldest entries go first (a clock hand sweeping the slots): what
        // the walk reads next is near what it read last, not what it read at the start.
        while self.cached_bytes > 0 && self.cached_bytes + data.len() > CACHE_BYTES {
            self.hand = (self.hand + 1) % CACHE_SLOTS;
            if let Some((_, _, _, old)) = self.cache[self.hand].take() {
                self.cached_bytes -= old.len();
            }
        }
        self.cached_bytes += data.len();
        self.cache[at] = Some((pack, offset, kind, data));
    }

    /// Inflates exactly `size` bytes from the zlib stream at `at`.
    fn inflate(&mut self, pack: u32, at: usize, size: usize) -> Option<Vec<u8>> {
        let input = self.objects.packs.get(pack as usize)?.data.get(at..)?;
        // A damaged size must not ask for more memory than the input can inflate to
        // (deflate expands at most 1032 times).
        if size > input.len().saturating_mul(1032).saturating_add(64) {
            return None;
        }
        self.inflater.reset(true);
        // Room beyond the end lets zlib decode with its fast loop to the last byte (it needs
        // 258 bytes of room for that); exactly `size` sends small objects (commits) down the
        // slow path nearly whole.
        let mut out = Vec::with_capacity(size + INFLATE_ROOM);
        let status = self
            .inflater
            .decompress_vec(input, &mut out, flate2::FlushDecompress::Finish)
            .ok()?;
        (status == flate2::Status::StreamEnd && out.len() == size).then_some(out)
    }

    /// The object at `offset` in `pack`, with its deltas applied; `None` when something is
    /// not as expected (a damaged pack).
    fn read_packed(&mut self, pack: u32, offset: u64) -> Option<(Kind, Rc<Vec<u8>>)> {
        if let Some(hit) = self.cached(pack, offset) {
            return Some(hit);
        }
        // Walk down to a base (a whole object or one in the cache), then apply the deltas
        // back up, keeping each intermediate result: it is the next one's base.
        let mut chain: Vec<(u32, u64, usize, usize)> = Vec::new();
        let (mut p, mut off) = (pack, offset);
        let (kind, base) = loop {
            if !chain.is_empty() {
                if let Some(hit) = self.cached(p, off) {
                    break hit;
                }
            }
            if chain.len() as u32 > MAX_CHAIN {
                return None;
            }
            let packref = self.objects.packs.get(p as usize)?;
            let (code, size, n) = packref.header(off)?;
            let at = off as usize + n;
            match code {
                OFS_DELTA => {
                    let (base, len) = packref.ofs_base(off, at)?;
                    chain.push((p, off, at + len, size));
                    off = base;
                }
                REF_DELTA => {
                    let base: Id = packref.data.get(at..at + 20)?.try_into().ok()?;
                    chain.push((p, off, at + 20, size));
                    (p, off) = self.objects.find(&base)?;
                }
                code => {
                    let kind = Kind::from_pack(code)?;
                    let data = self.inflate(p, at, size)?;
                    let data = Rc::new(data);
                    if chain.is_empty() {
                        return Some((kind, data));
                    }
                    self.keep(p, off, kind, data.clone());
                    break (kind, data);
                }
            }
        };
        let mut current = base;
        while let Some((p, off, at, size)) = chain.pop() {
            let delta = self.inflate(p, at, size)?;
            current = Rc::new(apply_delta(&current, &delta)?);
            if chain.is_empty() {
                return Some((kind, current));
            }
            self.keep(p, off, kind, current.clone());
        }
        None
    }

    /// A loose object: `Ok(None)` when there is no such file, an error when it is damaged
    /// (truncated, not zlib, a header that does not match).
    fn read_loose(&mut self, id: &Id) -> anyhow::Result<Option<(Kind, Vec<u8>)>> {
        let hex = hex(id);
        for dir in &self.objects.dirs {
            let path = dir.join(&hex[..2]).join(&hex[2..]);
            let file = match std::fs::read(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
            };
            return match parse_loose(&file) {
                Some(found) => Ok(Some(found)),
                None => anyhow::bail!(
                    "object {hex} is damaged: {} is truncated or not a git object\n  fix: run \
                     `git fsck` to see what is damaged; then delete the file and fetch it again \
                     (`git fetch --refetch`), or restore it from another clone",
                    path.display()
                ),
            };
        }
        Ok(None)
    }
}

/// Inflates a whole loose object and splits off its `<kind> <size>\0` header.
fn parse_loose(file: &[u8]) -> Option<(Kind, Vec<u8>)> {
    let mut z = flate2::Decompress::new(true);
    let mut raw = Vec::with_capacity(file.len() * 3 + 64);
    loop {
        if raw.len() == raw.capacity() {
            raw.reserve(raw.capacity().max(4096));
        }
        let before = (z.total_in(), z.total_out());
        let input = file.get(z.total_in() as usize..)?;
        let status = z
            .decompress_vec(input, &mut raw, flate2::FlushDecompress::Finish)
            .ok()?;
        if status == flate2::Status::StreamEnd {
            break;
        }
        // No progress with room to write: the stream is cut short.
        if (z.total_in(), z.total_out()) == before {
            return None;
        }
    }
    let nul = raw.iter().position(|&b| b == 0)?;
    let (head, _) = raw.split_at(nul);
    let space = head.iter().position(|&b| b == b' ')?;
    let kind = Kind::from_name(&head[..space])?;
    let size: usize = std::str::from_utf8(&head[space + 1..]).ok()?.parse().ok()?;
    let data = raw.split_off(nul + 1);
    (data.len() == size).then_some((kind, data))
}

/// Asks the kernel for no transparent huge pages in this process from now on. A first read
/// of history allocates and frees a great deal once; with huge pages (which mimalloc asks
/// for) every fresh 2 MiB region is zeroed whole on its first touch, again after each purge:
/// on a million commits that was a fifth of the run (2.5 s of system time against 1.6 s,
/// 10.1 s against 8.8 s in all). Only a run that reads history calls this: loading the
/// caches (a second run) is faster with huge pages.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    {
        const PR_SET_THP_DISABLE: i32 = 41;
        extern "C" {
            fn prctl(option: i32, ...) -> i32;
        }
        // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) only sets a flag on this process,
        // applied at later page faults; a kernel without it returns an error, which changes
        // nothing.
        unsafe { prctl(PR_SET_THP_DISABLE, 1u64, 0u64, 0u64, 0u64) };
    }
}

/// An object id in hex, as git writes it.
pub fn hex(id: &Id) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// Applies a git delta (source size, target size, then copy and insert instructions).
fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
    fn varint(d: &[u8], pos: &mut usize) -> Option<usize> {
        let mut v = 0usize;
        let mut shift = 0;
        loop {
            let b = *d.get(*pos)?;
            *pos += 1;
            v |= ((b & 0x7f) as usize).checked_shl(shift)?;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
    }
    let mut pos = 0;
    if varint(delta, &mut pos)? != base.len() {
        return None;
    }
    let size = varint(delta, &mut pos)?;
    // Each instruction yields at most 64 KiB: a larger size than that is damage, and must
    // not be allocated.
    if size / 0x10000 > delta.len() {
        return None;
    }
    let mut out = Vec::with_capacity(size);
    while pos < delta.len() {
        let cmd = delta[pos];
        pos += 1;
        if cmd & 0x80 != 0 {
            let mut arg = |bits: u8, count: usize| -> Option<usize> {
                let mut v = 0usize;
                for i in 0..count {
                    if bits & (1 << i) != 0 {
                        v |= (*delta.get(pos)? as usize) << (8 * i);
                        pos += 1;
                    }
                }
                Some(v)
            };
            let offset = arg(cmd & 0x0f, 4)?;
            let len = match arg((cmd >> 4) & 0x07, 3)? {
                0 => 0x10000,
                n => n,
            };
            out.extend_from_slice(base.get(offset..offset.checked_add(len)?)?);
        } else if cmd != 0 {
            let len = cmd as usize;
            out.extend_from_slice(delta.get(pos..pos + len)?);
            pos += len;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object of a repository with packed (deltified) and loose objects reads back
    /// exactly as libgit2 reads it.
    #[test]
    fn reads_what_libgit2_reads() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let st = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
                .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
                .output()
                .unwrap();
            assert!(st.status.success(), "{:?}", st);
        };
        git(&["init", "-q"]);
        git(&["config", "user.name", "T"]);
        git(&["config", "user.email", "t@x"]);
        let mut text = String::new();
        for i in 0..60 {
            // A growing file makes blob and tree deltas; folders make nested trees.
            text.push_str(&format!("line {i} {}\n", "x".repeat(i % 7)));
            std::fs::create_dir_all(dir.path().join(format!("d{}", i % 3))).unwrap();
            std::fs::write(dir.path().join(format!("d{}/f.txt", i % 3)), &text).unwrap();
            git(&["add", "-A"]);
            git(&["commit", "-q", "-m", &format!("commit {i}")]);
            if i == 40 {
                git(&["gc", "-q", "--aggressive"]);
            }
        }
        let repo = git2::Repository::open(dir.path()).unwrap();
        let objects = Objects::open(&repo);
        assert_eq!(objects.packs.len(), 1);
        let pack = &objects.packs[0];
        let deltas = (0..pack.count)
            .filter(|&i| pack.header(pack.offset(i).unwrap()).unwrap().0 == OFS_DELTA)
            .count();
        assert!(
            deltas > 20,
            "only {deltas} deltas: the test would not test them"
        );
        let odb = repo.odb().unwrap();
        let mut all = Vec::new();
        odb.foreach(|oid| {
            all.push(*oid);
            true
        })
        .unwrap();
        let mut reader = objects.reader();
        let (mut packed, mut loose) = (0, 0);
        for oid in &all {
            let id: Id = oid.as_bytes().try_into().unwrap();
            if objects.find(&id).is_some() {
                packed += 1;
            } else {
                loose += 1;
            }
            let (kind, data) = reader.read(&id).unwrap().unwrap();
            let theirs = odb.read(*oid).unwrap();
            assert_eq!(data.as_slice(), theirs.data(), "{oid}");
            assert_eq!(format!("{kind:?}").to_lowercase(), theirs.kind().str());
        }
        assert!(packed > 100 && loose > 10, "{packed} packed, {loose} loose");
        assert!(reader.read(&[7; 20]).unwrap().is_none());
    }

    /// Flipped bits anywhere in a pack's data (the index still matching) are read as damage
    /// or, where zlib cannot tell, as other bytes: never a panic, never a hang.
    #[test]
    fn flipped_bits_in_pack_data_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z")
                .env("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z")
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout).unwrap()
        };
        git(&["init", "-q"]);
        git(&["config", "user.name", "T"]);
        git(&["config", "user.email", "t@x"]);
        let mut text = String::new();
        for i in 0..30 {
            text.push_str(&format!("line {i}\n"));
            std::fs::write(dir.path().join("f.txt"), &text).unwrap();
            git(&["add", "-A"]);
            git(&["commit", "-q", "-m", &format!("commit {i}")]);
        }
        git(&["gc", "-q", "--aggressive"]);
        let ids: Vec<Id> = git(&["rev-list", "--objects", "--all"])
            .lines()
            .map(|l| super::super::git::parse_hex(l.as_bytes()).unwrap())
            .collect();
        let pack_dir = dir.path().join(".git/objects/pack");
        let pack = std::fs::read_dir(&pack_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "pack"))
            .unwrap();
        let good = std::fs::read(&pack).unwrap();
        let mut perms = std::fs::metadata(&pack).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)] // a test file in a temporary folder
        perms.set_readonly(false);
        std::fs::set_permissions(&pack, perms).unwrap();
        let repo = git2::Repository::open(dir.path()).unwrap();
        // Past the 12-byte header, short of the 20-byte checksum (which the index repeats).
        for at in (12..good.len() - 20).step_by(7) {
            for bit in [0x01, 0x80] {
                let mut bad = good.clone();
                bad[at] ^= bit;
                std::fs::write(&pack, &bad).unwrap();
                let objects = Objects::open(&repo);
                let mut reader = objects.reader();
                for id in &ids {
                    let _ = reader.read(id);
                }
            }
        }
    }

    #[test]
    fn a_cut_loose_object_is_refused_not_looped_on() {
        use std::io::Write as _;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(b"blob 11\0hello world").unwrap();
        let whole = z.finish().unwrap();
        assert_eq!(
            parse_loose(&whole),
            Some((Kind::Blob, b"hello world".to_vec()))
        );
        for cut in 0..whole.len() {
            assert_eq!(parse_loose(&whole[..cut]), None, "cut at {cut}");
        }
        assert_eq!(parse_loose(b"not zlib at all"), None);
    }

    #[test]
    fn bad_deltas_are_refused_not_panicked_on() {
        assert_eq!(
            apply_delta(b"abc", &[3, 3, 0x91, 0, 3]),
            Some(b"abc".to_vec())
        );
        assert_eq!(apply_delta(b"abc", &[3, 2, 0x91, 0, 3]), None);
        assert_eq!(apply_delta(b"abc", &[3, 9, 0x91, 2, 9]), None);
        assert_eq!(apply_delta(b"abc", &[3, 1, 0]), None);
        assert_eq!(apply_delta(b"abc", &[4, 1, 1, b'x']), None);
        assert_eq!(
            apply_delta(b"", &[0, 2, 2, b'h', b'i']),
            Some(b"hi".to_vec())
        );
        assert_eq!(apply_delta(b"", &[0, 5, 5, b'h']), None);
        // A huge target size is refused before anything is allocated.
        assert_eq!(
            apply_delta(b"", &[0, 0xff, 0xff, 0xff, 0xff, 0x7f, 1]),
            None
        );
    }
}
