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
    let mut encoder = Encoder::create(dir, file, magic, prefix)?;
    let encoded = postcard::serialize_with_flavor(value, Postcard(&mut encoder));
    if let Err(e) = encoded {
        // The encoder only stops when the file cannot be written: `finish` says why.
        if encoder.failed.is_none() {
            return Err(e.into());
        }
    }
    encoder.finish(stale)
}

/// A cache file being written: `magic` and a prefix, then the value, appended a field at a
/// time, then the checksum ([`Encoder::finish`]). It goes to a temporary file through a
/// 64 KiB buffer, with the checksum kept as it goes: encoding tokio's ledger in memory first
/// grew a buffer to 2 MiB (and copied it on every doubling) at the very end of a run, where
/// its memory peaks. Fields are mostly one to five bytes (postcard's varints, JSON's
/// punctuation), and appending each with a call to `memcpy` was a quarter of the time spent
/// writing tokio's ledger; short ones are copied byte by byte here. Dropped unfinished, it
/// removes the temporary file.
pub struct Encoder {
    buffer: Vec<u8>,
    crc: libdeflater::Crc,
    file: std::fs::File,
    tmp: std::path::PathBuf,
    path: std::path::PathBuf,
    /// The first write that failed: later appends are dropped, `finish` reports it.
    failed: Option<std::io::Error>,
    finished: bool,
}

const BUFFER: usize = 64 << 10;

impl Encoder {
    /// Starts the cache file `file` in `dir` (created if missing) with `magic` and `prefix`.
    pub fn create(dir: &Path, file: &str, magic: &[u8; 8], prefix: &[u8]) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(file);
        // Written to a temporary file and renamed, like `util::write_atomic`, but without
        // waiting for the disk (fsync): a cache cut short by a crash fails its checksum and
        // is rebuilt, so durability would buy nothing here and costs a first run its flushes.
        let tmp = crate::util::temp_beside(dir, file);
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut encoder = Encoder {
            buffer: Vec::with_capacity(BUFFER),
            crc: libdeflater::Crc::new(),
            file,
            tmp,
            path,
            failed: None,
            finished: false,
        };
        encoder.append(magic);
        encoder.append(prefix);
        Ok(encoder)
    }

    #[inline]
    fn append(&mut self, data: &[u8]) {
        if self.buffer.len() + data.len() > BUFFER {
            self.spill();
            if data.len() > BUFFER {
                self.put(data);
                return;
            }
        }
        if data.len() <= 16 {
            for &b in data {
                self.buffer.push(b);
            }
        } else {
            self.buffer.extend_from_slice(data);
        }
    }

    /// Writes the buffer out.
    #[cold]
    fn spill(&mut self) {
        let buffer = std::mem::take(&mut self.buffer);
        self.put(&buffer);
        self.buffer = buffer;
        self.buffer.clear();
    }

    fn put(&mut self, data: &[u8]) {
        self.crc.update(data);
        if self.failed.is_none() {
            if let Err(e) = std::io::Write::write_all(&mut self.file, data) {
                self.failed = Some(e);
            }
        }
    }

    /// Stops postcard at the first failed write (`finish` reports it).
    #[inline]
    fn check(&self) -> postcard::Result<()> {
        match self.failed {
            None => Ok(()),
            Some(_) => Err(postcard::Error::SerializeBufferFull),
        }
    }

    /// Ends the file with its checksum and puts it in place, replacing the one there;
    /// removes the `stale` files of earlier versions.
    pub fn finish(mut self, stale: &[&str]) -> anyhow::Result<()> {
        self.spill();
        let sum = self.crc.sum().to_le_bytes();
        self.put(&sum);
        if let Some(e) = self.failed.take() {
            return Err(e).with_context(|| format!("cannot write {}", self.path.display()));
        }
        std::fs::rename(&self.tmp, &self.path)
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        self.finished = true;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        for old in stale {
            let _ = std::fs::remove_file(dir.join(old));
        }
        Ok(())
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Postcard's view of an [`Encoder`], borrowed so that a failed write's error stays with it.
struct Postcard<'a>(&'a mut Encoder);

impl postcard::ser_flavors::Flavor for Postcard<'_> {
    type Output = ();

    #[inline]
    fn try_push(&mut self, b: u8) -> postcard::Result<()> {
        self.0.append(&[b]);
        self.0.check()
    }

    #[inline]
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.append(data);
        self.0.check()
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

impl std::io::Write for Encoder {
    #[inline]
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.write_all(data)?;
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.append(data);
        match &self.failed {
            None => Ok(()),
            Some(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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

    #[test]
    fn a_cache_larger_than_the_buffer_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        // Small fields crossing the buffer's end many times, and one field larger than it.
        let small: Vec<String> = (0..40_000).map(|i| format!("path/{i}")).collect();
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let value = (small, big, 7u64);
        write_file(dir.path(), "t.bin", b"GUILDT01", b"key", &value, &[]).unwrap();
        let body = read_file(dir.path(), "t.bin", b"GUILDT01").expect("checksum holds");
        assert_eq!(&body[..3], b"key");
        let back: (Vec<String>, Vec<u8>, u64) = postcard::from_bytes(&body[3..]).unwrap();
        assert_eq!(back, value);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["t.bin"], "no temporary file is left");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_failed_write_leaves_the_old_cache_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        write_file(dir.path(), "t.bin", b"GUILDT01", b"", &1u8, &[]).unwrap();
        let before = std::fs::read(dir.path().join("t.bin")).unwrap();
        // The temporary file is a way to a full disk.
        let tmp = crate::util::temp_beside(dir.path(), "t.bin");
        std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
        let value: Vec<u8> = vec![9; 300_000];
        let err = write_file(dir.path(), "t.bin", b"GUILDT01", b"", &value, &[]).unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains("t.bin"), "{message}");
        assert!(message.contains("No space left"), "{message}");
        assert_eq!(std::fs::read(dir.path().join("t.bin")).unwrap(), before);
        assert!(
            std::fs::symlink_metadata(&tmp).is_err(),
            "temporary file removed"
        );
        // The snapshot cache writes JSON through the same encoder: its error is the disk's too.
        std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
        let mut encoder = Encoder::create(dir.path(), "t.bin", b"GUILDT01", b"").unwrap();
        let json = serde_json::to_writer(&mut encoder, &vec!["x"; 100_000]);
        assert!(json.unwrap_err().to_string().contains("No space left"));
        assert!(encoder.finish(&[]).is_err());
        assert_eq!(std::fs::read(dir.path().join("t.bin")).unwrap(), before);
        assert!(
            std::fs::symlink_metadata(&tmp).is_err(),
            "temporary file removed"
        );
    }
}
