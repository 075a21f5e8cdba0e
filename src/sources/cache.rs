//! The local cache of read history under `.git/guild/`: one file, written atomically,
//! keyed by the head commit id inside it. A cache that cannot be read is ignored (and
//! rebuilt), never trusted half-way.

use std::path::Path;

use super::git::History;

const FILE: &str = "history-v2.bin";
const MAGIC: &[u8; 8] = b"GUILDH02";

pub fn load(dir: &Path) -> Option<History> {
    postcard::from_bytes(&read_file(dir, FILE, MAGIC)?).ok()
}

pub fn store(dir: &Path, history: &History) -> anyhow::Result<()> {
    write_file(dir, FILE, MAGIC, &[], history, &["history-v1.bin"])
}

/// The bytes after `magic` in the cache file `file`, if it is there and of this version.
pub fn read_file(dir: &Path, file: &str, magic: &[u8; 8]) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(dir.join(file)).ok()?;
    bytes
        .starts_with(magic)
        .then(|| bytes.split_off(magic.len()))
}

/// Writes one cache file atomically: `magic`, `prefix`, then `value`. Removes the files that
/// earlier versions of the same cache left (`stale`), which nothing reads any more.
pub fn write_file<T: serde::Serialize>(
    dir: &Path,
    file: &str,
    magic: &[u8; 8],
    prefix: &[u8],
    value: &T,
    stale: &[&str],
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = magic.to_vec();
    bytes.extend_from_slice(prefix);
    bytes.extend(postcard::to_stdvec(value)?);
    crate::util::write_atomic(&dir.join(file), &bytes)?;
    for old in stale {
        let _ = std::fs::remove_file(dir.join(old));
    }
    Ok(())
}
