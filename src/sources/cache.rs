//! The local caches under `.git/guild/`: each one file, written atomically, ending in a
//! CRC-32 of everything before it. A cache that cannot be read, is of another version or
//! fails its checksum is ignored (and rebuilt), never trusted half-way: a flipped bit must not
//! turn into a wrong answer or a panic. This file holds the history cache and the format they
//! all share.

use std::path::Path;

use anyhow::Context as _;

use super::git::History;

const FILE: &str = "history-v3.bin";
const MAGIC: &[u8; 8] = b"GUILDH03";

pub fn load(dir: &Path) -> Option<History> {
    let history: History = postcard::from_bytes(&read_file(dir, FILE, MAGIC)?).ok()?;
    // Whole but inconsistent (only a bug could write that): refused rather than indexed
    // out of bounds later.
    let sigs = history.sigs.len() as u32;
    history
        .commits
        .iter()
        .all(|c| c.author < sigs && c.committer < sigs)
        .then_some(history)
}

pub fn store(dir: &Path, history: &History) -> anyhow::Result<()> {
    write_file(
        dir,
        FILE,
        MAGIC,
        &[],
        history,
        &["history-v1.bin", "history-v2.bin"],
    )
}

/// The bytes between `magic` and the checksum in the cache file `file`, if it is there, of
/// this version and intact.
pub fn read_file(dir: &Path, file: &str, magic: &[u8; 8]) -> Option<Vec<u8>> {
    read_file_as(dir, file, magic, Pages::Small)
}

/// The pages a cache is loaded into.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pages {
    /// What the process has: small pages, unless something asked for huge ones.
    Small,
    /// Huge pages for a file of 1 MiB or more ([`super::odb::prefer_huge_pages`]): a cache
    /// the command only loads and prints (the ledger, the snapshot) rebuilds its objects
    /// faster on them. Not for one the run goes on to build from (history, changed paths):
    /// building the ledger on huge pages zeroed memory for a third of the time.
    HugeWhenBig,
}

/// [`read_file`], into the `pages` asked for.
pub fn read_file_as(dir: &Path, file: &str, magic: &[u8; 8], pages: Pages) -> Option<Vec<u8>> {
    let mut f = std::fs::File::open(dir.join(file)).ok()?;
    let len = f.metadata().ok()?.len() as usize;
    if pages == Pages::HugeWhenBig && len >= 1 << 20 {
        super::odb::prefer_huge_pages();
    }
    let mut bytes = Vec::with_capacity(len);
    std::io::Read::read_to_end(&mut f, &mut bytes).ok()?;
    if !bytes.starts_with(magic) || bytes.len() < magic.len() + 4 {
        return None;
    }
    let sum = bytes.split_off(bytes.len() - 4);
    if crc32(&bytes).to_le_bytes() != sum.as_slice() {
        return None;
    }
    Some(bytes.split_off(magic.len()))
}

/// Writes one cache file atomically (never half-written under its name): `magic`,
/// `prefix`, `value`, then the checksum. Removes
/// the files that earlier versions of the same cache left (`stale`), which nothing reads any
/// more.
pub fn write_file<T: serde::Serialize>(
    dir: &Path,
    file: &str,
    magic: &[u8; 8],
    prefix: &[u8],
    value: &T,
    stale: &[&str],
) -> anyhow::Result<()> {
    let bytes = postcard::serialize_with_flavor(value, Encoder::new(magic, prefix))?;
    write_encoded(dir, file, bytes, stale)
}

/// A cache file being encoded: `magic` and a prefix, then the value, appended a field at a
/// time. Fields are mostly one to five bytes (postcard's varints, JSON's punctuation), and
/// appending each with a call to `memcpy` was a quarter of the time spent writing tokio's
/// ledger; short ones are copied byte by byte here.
pub struct Encoder(Vec<u8>);

impl Encoder {
    pub fn new(magic: &[u8; 8], prefix: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(64 << 10);
        bytes.extend_from_slice(magic);
        bytes.extend_from_slice(prefix);
        Encoder(bytes)
    }

    #[inline]
    fn append(&mut self, data: &[u8]) {
        if data.len() <= 16 {
            self.0.reserve(data.len());
            for &b in data {
                self.0.push(b);
            }
        } else {
            self.0.extend_from_slice(data);
        }
    }

    /// The bytes so far (magic, prefix and body).
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl postcard::ser_flavors::Flavor for Encoder {
    type Output = Vec<u8>;

    #[inline]
    fn try_push(&mut self, b: u8) -> postcard::Result<()> {
        self.0.push(b);
        Ok(())
    }

    #[inline]
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.append(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<Vec<u8>> {
        Ok(self.0)
    }
}

impl std::io::Write for Encoder {
    #[inline]
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.append(data);
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.append(data);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes `bytes` (an [`Encoder`]'s: magic, prefix, body) with its checksum as the cache
/// file `file`, atomically, and removes the `stale` files of earlier versions.
pub fn write_encoded(
    dir: &Path,
    file: &str,
    mut bytes: Vec<u8>,
    stale: &[&str],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let sum = crc32(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    // Written to a temporary file and renamed, like `util::write_atomic`, but without
    // waiting for the disk (fsync): a cache cut short by a crash fails its checksum and is
    // rebuilt, so durability would buy nothing here and costs a first run its flushes.
    let path = dir.join(file);
    let tmp = dir.join(format!(".{file}.tmp-{}", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, &path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    for old in stale {
        let _ = std::fs::remove_file(dir.join(old));
    }
    Ok(())
}

/// CRC-32 catches every flipped bit and every burst of up to 32 bits, at memory speed.
/// libdeflate's, which uses the CPU's carry-less multiply: zlib-rs's portable one was a sixth
/// of writing tokio's ledger cache. The same CRC-32 (a test compares them).
fn crc32(bytes: &[u8]) -> u32 {
    libdeflater::crc32(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_is_the_usual_crc32() {
        let bytes: Vec<u8> = (0..100_003u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for part in [&bytes[..0], &bytes[..1], &bytes[..4096], &bytes[..]] {
            let mut usual = flate2::Crc::new();
            usual.update(part);
            assert_eq!(crc32(part), usual.sum());
        }
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn every_flipped_bit_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let value = (42u64, "a value".to_string(), vec![1u32, 2, 3]);
        write_file(dir.path(), "t.bin", b"GUILDT01", b"key", &value, &[]).unwrap();
        let good = std::fs::read(dir.path().join("t.bin")).unwrap();
        let body = read_file(dir.path(), "t.bin", b"GUILDT01").unwrap();
        assert_eq!(&body[..3], b"key");
        for bit in 0..good.len() * 8 {
            let mut bad = good.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            std::fs::write(dir.path().join("t.bin"), &bad).unwrap();
            assert_eq!(
                read_file(dir.path(), "t.bin", b"GUILDT01"),
                None,
                "bit {bit}"
            );
        }
        std::fs::write(dir.path().join("t.bin"), &good[..good.len() - 1]).unwrap();
        assert_eq!(read_file(dir.path(), "t.bin", b"GUILDT01"), None);
    }
}
