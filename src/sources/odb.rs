//! A read-only object reader for the two loops that read the most objects: every commit (for
//! history) and the trees of every commit (for changed paths).
//!
//! libgit2 serialises reads of one pack behind a lock shared by every handle in the process,
//! so threads reading the same pack wait on each other instead of inflating in parallel. This
//! reader maps the pack files itself (index v2), inflates with zlib-rs, resolves deltas with
//! a small per-reader cache of delta bases (the way `git` does), and is `Sync`: each thread
//! takes its own [`Reader`] and none of them lock. Loose objects are read from their files.
//! Anything else (alternates, an index version it does not know, a pack that changed under
//! it) falls back to libgit2 for that object, so the reader can only be faster, never wrong.

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
}

impl Pack {
    /// Opens `pack-*.idx` and its `.pack`; `None` for anything unexpected (then libgit2
    /// reads those objects).
    fn open(idx_path: &Path) -> Option<Pack> {
        let map = |p: &Path| -> Option<memmap2::Mmap> {
            let file = std::fs::File::open(p).ok()?;
            // SAFETY: git never rewrites a pack or its index in place: a repack writes new
            // files and renames them, so the mapped bytes do not change under us.
            unsafe { memmap2::Mmap::map(&file) }.ok()
        };
        let idx = map(idx_path)?;
        let data = map(&idx_path.with_extension("pack"))?;
        // Index v2: magic, version, 256-entry fan-out, ids, CRCs, offsets, large offsets.
        if idx.len() < 8 + 1024 || idx[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        if data.len() < 32 || &data[..4] != b"PACK" {
            return None;
        }
        let count = be32(&idx, 8 + 255 * 4)? as usize;
        if idx.len() < 8 + 1024 + count * 28 + 40 {
            return None;
        }
        Some(Pack { idx, data, count })
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
        let hi = be32(&self.idx, 8 + first * 4)? as usize;
        let (mut lo, mut hi) = (lo, hi.min(self.count));
        // Compare the first eight bytes as one number: they almost always decide.
        let key = u64::from_be_bytes(id[..8].try_into().ok()?);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let other = self.id(mid);
            let order = u64::from_be_bytes(other[..8].try_into().ok()?)
                .cmp(&key)
                .then_with(|| other[8..].cmp(&id[8..]));
            match order {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.offset(mid),
            }
        }
        None
    }

    /// The entry header at `offset`: (type code, inflated size, header length).
    fn header(&self, offset: u64) -> Option<(u8, usize, usize)> {
        let bytes = self.data.get(offset as usize..)?;
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
            rel = (rel + 1).checked_shl(7)? | (b & 0x7f) as u64;
        }
        Some((entry.checked_sub(rel)?, n))
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// A commit stored in a pack, found without inflating it.
#[derive(Debug, Clone, Copy)]
pub struct PackedCommit {
    pub id: Id,
    pack: u32,
    offset: u64,
}

/// The object store of one repository. Cheap to share across threads.
pub struct Objects {
    packs: Vec<Pack>,
    objects_dir: PathBuf,
    git_dir: PathBuf,
}

impl Objects {
    /// Maps every pack of the repository (packs it cannot read are left to libgit2).
    pub fn open(repo: &git2::Repository) -> Objects {
        let objects_dir = repo.commondir().join("objects");
        let mut idx_files: Vec<PathBuf> = std::fs::read_dir(objects_dir.join("pack"))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .collect();
        idx_files.sort();
        Objects {
            packs: idx_files.iter().filter_map(|p| Pack::open(p)).collect(),
            objects_dir,
            git_dir: repo.path().to_path_buf(),
        }
    }

    fn find(&self, id: &Id) -> Option<(u32, u64)> {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.find(id).map(|o| (i as u32, o)))
    }

    /// A reader for one thread.
    pub fn reader(&self) -> Reader<'_> {
        Reader {
            objects: self,
            inflater: flate2::Decompress::new(true),
            cache: vec![None; CACHE_SLOTS],
            cached_bytes: 0,
            fallback: None,
        }
    }

    /// Every commit stored in the packs, each once, read from the entry headers alone (no
    /// inflating): what a first read of the whole history splits across threads.
    pub fn packed_commits(&self) -> Vec<PackedCommit> {
        let mut out = Vec::new();
        let mut seen = super::git::OidSet::default();
        for (pi, pack) in self.packs.iter().enumerate() {
            let mut entries: Vec<(u64, u32)> = (0..pack.count)
                .filter_map(|i| pack.offset(i).map(|o| (o, i as u32)))
                .collect();
            entries.sort_unstable();
            // The kind of every entry in offset order; an offset delta's base comes earlier.
            let mut kinds: Vec<u8> = Vec::with_capacity(entries.len());
            for &(offset, i) in &entries {
                let kind = match pack.header(offset) {
                    Some((OFS_DELTA, _, n)) => pack
                        .ofs_base(offset, offset as usize + n)
                        .and_then(|(base, _)| entries.binary_search_by_key(&base, |e| e.0).ok())
                        .and_then(|at| kinds.get(at).copied())
                        .unwrap_or(0),
                    Some((REF_DELTA, _, _)) => self.kind_at(pi as u32, offset, 0).unwrap_or(0),
                    Some((code, _, _)) => code,
                    None => 0,
                };
                kinds.push(kind);
                if kind == 1 {
                    let id: Id = match pack.id(i as usize).try_into() {
                        Ok(id) => id,
                        Err(_) => continue,
                    };
                    if seen.insert(id) {
                        out.push(PackedCommit {
                            id,
                            pack: pi as u32,
                            offset,
                        });
                    }
                }
            }
        }
        out
    }

    /// The type code of the object at `offset`, following delta bases through headers only.
    fn kind_at(&self, pack: u32, offset: u64, depth: u32) -> Option<u8> {
        if depth > MAX_CHAIN {
            return None;
        }
        let p = self.packs.get(pack as usize)?;
        match p.header(offset)? {
            (OFS_DELTA, _, n) => {
                let (base, _) = p.ofs_base(offset, offset as usize + n)?;
                self.kind_at(pack, base, depth + 1)
            }
            (REF_DELTA, _, n) => {
                let at = offset as usize + n;
                let base: Id = p.data.get(at..at + 20)?.try_into().ok()?;
                let (bp, bo) = self.find(&base)?;
                self.kind_at(bp, bo, depth + 1)
            }
            (code, _, _) => Some(code),
        }
    }
}

/// Longer delta chains than this are treated as corrupt (git's default maximum is 50).
const MAX_CHAIN: u32 = 10_000;
/// Delta bases kept per reader: direct-mapped slots and a byte budget, like git's
/// `core.deltaBaseCacheLimit`.
const CACHE_SLOTS: usize = 4096;
const CACHE_BYTES: usize = 24 << 20;
const CACHE_MAX_OBJECT: usize = 1 << 20;

type Cached = (u32, u64, Kind, Rc<Vec<u8>>);

/// Reads objects for one thread.
pub struct Reader<'a> {
    objects: &'a Objects,
    inflater: flate2::Decompress,
    cache: Vec<Option<Cached>>,
    cached_bytes: usize,
    fallback: Option<git2::Repository>,
}

impl Reader<'_> {
    /// The object `id`, or `None` when the repository does not have it. The bytes may be
    /// shared with the reader's cache of delta bases.
    pub fn read(&mut self, id: &Id) -> anyhow::Result<Option<(Kind, Rc<Vec<u8>>)>> {
        if let Some((pack, offset)) = self.objects.find(id) {
            if let Some(found) = self.read_packed(pack, offset) {
                return Ok(Some(found));
            }
        }
        if let Some((kind, data)) = self.read_loose(id) {
            return Ok(Some((kind, Rc::new(data))));
        }
        Ok(self.read_fallback(id)?.map(|(k, d)| (k, Rc::new(d))))
    }

    /// A packed commit found by [`Objects::packed_commits`].
    pub fn read_commit(&mut self, c: &PackedCommit) -> anyhow::Result<Option<Rc<Vec<u8>>>> {
        if let Some((Kind::Commit, data)) = self.read_packed(c.pack, c.offset) {
            return Ok(Some(data));
        }
        Ok(match self.read(&c.id)? {
            Some((Kind::Commit, data)) => Some(data),
            _ => None,
        })
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
        let slot = &mut self.cache[Self::slot(pack, offset)];
        if let Some((_, _, _, old)) = slot.take() {
            self.cached_bytes -= old.len();
        }
        if self.cached_bytes + data.len() <= CACHE_BYTES {
            self.cached_bytes += data.len();
            *slot = Some((pack, offset, kind, data));
        }
    }

    /// Inflates exactly `size` bytes from the zlib stream at `at`.
    fn inflate(&mut self, pack: u32, at: usize, size: usize) -> Option<Vec<u8>> {
        let input = self.objects.packs.get(pack as usize)?.data.get(at..)?;
        self.inflater.reset(true);
        let mut out = Vec::with_capacity(size + 1);
        let status = self
            .inflater
            .decompress_vec(input, &mut out, flate2::FlushDecompress::Finish)
            .ok()?;
        (status == flate2::Status::StreamEnd && out.len() == size).then_some(out)
    }

    /// The object at `offset` in `pack`, with its deltas applied; `None` when something is
    /// not as expected (the caller then asks libgit2).
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

    fn read_loose(&mut self, id: &Id) -> Option<(Kind, Vec<u8>)> {
        use std::io::Read as _;
        let hex = hex(id);
        let path = self.objects.objects_dir.join(&hex[..2]).join(&hex[2..]);
        let file = std::fs::read(path).ok()?;
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(file.as_slice())
            .read_to_end(&mut raw)
            .ok()?;
        let nul = raw.iter().position(|&b| b == 0)?;
        let (head, _) = raw.split_at(nul);
        let space = head.iter().position(|&b| b == b' ')?;
        let kind = Kind::from_name(&head[..space])?;
        let size: usize = std::str::from_utf8(&head[space + 1..]).ok()?.parse().ok()?;
        let data = raw.split_off(nul + 1);
        (data.len() == size).then_some((kind, data))
    }

    fn read_fallback(&mut self, id: &Id) -> anyhow::Result<Option<(Kind, Vec<u8>)>> {
        if self.fallback.is_none() {
            let path = &self.objects.git_dir;
            self.fallback = Some(
                git2::Repository::open(path)
                    .with_context(|| format!("cannot open {}", path.display()))?,
            );
        }
        let Some(repo) = &self.fallback else {
            return Ok(None);
        };
        let oid = git2::Oid::from_bytes(id)?;
        let odb = repo.odb()?;
        let object = match odb.read(oid) {
            Ok(o) => o,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read object {oid}")),
        };
        let kind = match object.kind() {
            git2::ObjectType::Commit => Kind::Commit,
            git2::ObjectType::Tree => Kind::Tree,
            git2::ObjectType::Blob => Kind::Blob,
            git2::ObjectType::Tag => Kind::Tag,
            other => anyhow::bail!("object {oid} has an unexpected type {}", other.str()),
        };
        Ok(Some((kind, object.data().to_vec())))
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
    /// exactly as libgit2 reads it, and every packed commit is found from headers alone.
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
        let commits = objects.packed_commits();
        assert_eq!(commits.len(), 41);
        for c in &commits {
            let data = reader.read_commit(c).unwrap().unwrap();
            assert!(data.starts_with(b"tree "));
        }
        assert!(reader.read(&[7; 20]).unwrap().is_none());
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
    }
}
