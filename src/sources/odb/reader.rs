//! One thread's reads: a packed object with its deltas applied (through a small cache of
//! delta bases, the way `git` keeps one), or a loose object. A [`Reader`] is not shared: it
//! owns its inflater and its cache, so threads never lock; what they share is the store,
//! [`Objects`] (the parent module). The bytes of a pack entry are read by `pack`.

use std::rc::Rc;

use anyhow::Context as _;

use super::pack::{apply_delta, OFS_DELTA, REF_DELTA};
use super::{hex, Ahead, Id, Kind, Objects};

/// Longer delta chains than this are treated as corrupt (git's default maximum is 50).
const MAX_CHAIN: u32 = 10_000;
/// Delta bases kept per reader: direct-mapped slots and a byte budget, like git's
/// `core.deltaBaseCacheLimit`.
const CACHE_SLOTS: usize = 4096;
// Their byte budget is [`Objects::delta_cache_bytes`]: with eviction, 8 MiB per thread
// does on git.git what 24 MiB without did (the same CPU time, 190 MB of peak memory instead
// of 300 MB).
const CACHE_MAX_OBJECT: usize = 1 << 20;

type Cached = (u32, u64, Kind, Rc<Vec<u8>>);

/// Reads objects for one thread.
pub struct Reader<'a> {
    objects: &'a Objects,
    inflater: libdeflater::Decompressor,
    cache: Vec<Option<Cached>>,
    cached_bytes: usize,
    /// [`Objects::delta_cache_bytes`].
    cache_budget: usize,
    /// Where eviction resumes (see [`Reader::keep`]).
    hand: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `objects` with an empty cache (see [`Objects::reader`]).
    pub(super) fn new(objects: &'a Objects) -> Reader<'a> {
        Reader {
            objects,
            inflater: libdeflater::Decompressor::new(),
            cache: vec![None; CACHE_SLOTS],
            cached_bytes: 0,
            cache_budget: objects.delta_cache_bytes(),
            hand: 0,
        }
    }

    /// The store this reader reads.
    pub fn objects(&self) -> &'a Objects {
        self.objects
    }

    /// The object `id`, `Ok(None)` when the repository does not have it, an error naming the
    /// object and the file when its only copies are damaged. The bytes may be shared with the
    /// reader's cache of delta bases.
    pub fn read(&mut self, id: &Id) -> anyhow::Result<Option<(Kind, Rc<Vec<u8>>)>> {
        self.read_or_take(id, None)
    }

    /// [`Reader::read`] for a history walk: a commit that `ahead` inflated already is taken
    /// from it (found by the same index lookup), and `ahead` learns where the walk is.
    pub fn read_after(
        &mut self,
        id: &Id,
        ahead: &Ahead,
    ) -> anyhow::Result<Option<(Kind, Rc<Vec<u8>>)>> {
        self.read_or_take(id, Some(ahead))
    }

    fn read_or_take(
        &mut self,
        id: &Id,
        ahead: Option<&Ahead>,
    ) -> anyhow::Result<Option<(Kind, Rc<Vec<u8>>)>> {
        let mut damaged = None;
        for (pack, offset) in self.objects.find_all(id) {
            // Only whole commits are read ahead, checked like any read.
            if let Some(data) = ahead.and_then(|a| a.take(self.objects, pack, offset)) {
                return Ok(Some((Kind::Commit, Rc::new(data))));
            }
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
        while self.cached_bytes > 0 && self.cached_bytes + data.len() > self.cache_budget {
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
        let mut out = vec![0u8; size];
        let n = self.inflater.zlib_decompress(input, &mut out).ok()?;
        (n == size).then_some(out)
    }

    /// The entry at `offset` in `pack`, inflated, if it is a whole commit (not a delta).
    pub(super) fn inflate_commit(&mut self, pack: u32, offset: u64) -> Option<Vec<u8>> {
        let (code, size, n) = self.objects.packs.get(pack as usize)?.header(offset)?;
        (Kind::from_pack(code) == Some(Kind::Commit))
            .then(|| self.inflate(pack, offset as usize + n, size))?
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
