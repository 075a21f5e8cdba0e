//! The pack format: an index (version 2) and its pack, memory-mapped and checked when they
//! are opened, the header of an entry, the base of an offset delta, and git's delta
//! encoding. Bytes in, bounded reads out: every offset, size and varint is checked here, so
//! that a damaged file is a `None`, never a panic. Which pack to read and what a damaged
//! one means for the user is the store's business (the parent module); inflating and
//! caching belong to the reader.

use std::path::{Path, PathBuf};

use super::Id;

pub(super) const OFS_DELTA: u8 = 6;
pub(super) const REF_DELTA: u8 = 7;

/// One pack: its index and its data, both memory-mapped.
pub(super) struct Pack {
    pub(super) idx: memmap2::Mmap,
    pub(super) data: memmap2::Mmap,
    pub(super) count: usize,
    /// The `.pack` file, for messages.
    pub(super) path: PathBuf,
    /// The reverse index (`pack-*.rev`, which git writes beside the index since 2.41): the
    /// entries in the order they lie in the pack. Only a guide for reading ahead (see
    /// `ahead`), so a damaged one costs time, never a wrong answer.
    rev: Option<memmap2::Mmap>,
}

impl Pack {
    /// Opens `pack-*.idx` and its `.pack`, checking what is cheap to check: a damaged pair is
    /// refused with the reason, never read half-way.
    pub(super) fn open(idx_path: &Path) -> Result<Pack, String> {
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
        // RIDX, version 1, SHA-1, an index position per entry, then two checksums.
        let rev = map(&idx_path.with_extension("rev")).ok().filter(|r| {
            r.len() == 12 + count * 4 + 40
                && r[..4] == *b"RIDX"
                && be32(r, 4) == Some(1)
                && be32(r, 8) == Some(1)
        });
        Ok(Pack {
            idx,
            data,
            count,
            path: pack_path,
            rev,
        })
    }

    fn id(&self, i: usize) -> &[u8] {
        let at = 8 + 1024 + i * 20;
        &self.idx[at..at + 20]
    }

    pub(super) fn offset(&self, i: usize) -> Option<u64> {
        let at = 8 + 1024 + self.count * 24 + i * 4;
        let small = be32(&self.idx, at)?;
        if small & 0x8000_0000 == 0 {
            return Some(small as u64);
        }
        let at = 8 + 1024 + self.count * 28 + (small & 0x7fff_ffff) as usize * 8;
        let bytes = self.idx.get(at..at + 8)?;
        Some(u64::from_be_bytes(bytes.try_into().ok()?))
    }

    /// The offset of the `k`-th entry in pack order, if the pack has a reverse index.
    pub(super) fn rev_offset(&self, k: usize) -> Option<u64> {
        let i = be32(self.rev.as_ref()?, 12 + k.checked_mul(4)?)? as usize;
        (k < self.count && i < self.count).then(|| self.offset(i))?
    }

    /// The place in pack order of the entry at `offset`, looked for just after `near` first
    /// (a walk reads entries nearly in pack order), then by bisection.
    pub(super) fn rev_position(&self, offset: u64, near: Option<usize>) -> Option<usize> {
        if let Some(k) = near {
            for k in k + 1..(k + 5).min(self.count) {
                if self.rev_offset(k)? == offset {
                    return Some(k);
                }
            }
        }
        let (mut a, mut b) = (0, self.count);
        while a < b {
            let mid = (a + b) / 2;
            match self.rev_offset(mid)?.cmp(&offset) {
                std::cmp::Ordering::Less => a = mid + 1,
                std::cmp::Ordering::Greater => b = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Where `id` is stored in this pack.
    pub(super) fn find(&self, id: &Id) -> Option<u64> {
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
        // Compared as a number first: the first eight bytes nearly always differ, and a
        // call to memcmp per probe was a tenth of a million-commit walk.
        let cmp = |i: usize| {
            let other = self.id(i);
            let prefix = u64::from_be_bytes(other[..8].try_into().unwrap_or_default());
            prefix
                .cmp(&u64::from_be_bytes(id[..8].try_into().unwrap_or_default()))
                .then_with(|| other[8..].cmp(&id[8..]))
        };
        let below = |i: usize| cmp(i) == std::cmp::Ordering::Less;
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
            match cmp(mid) {
                std::cmp::Ordering::Less => a = mid + 1,
                std::cmp::Ordering::Greater => b = mid,
                std::cmp::Ordering::Equal => return self.offset(mid),
            }
        }
        None
    }

    /// The entry header at `offset`: (type code, inflated size, header length).
    pub(super) fn header(&self, offset: u64) -> Option<(u8, usize, usize)> {
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
    pub(super) fn ofs_base(&self, entry: u64, at: usize) -> Option<(u64, usize)> {
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

/// Applies a git delta (source size, target size, then copy and insert instructions).
pub(super) fn apply_delta(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
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
