//! The local cache of read history under `.git/guild/`: one file, written atomically,
//! keyed by the head commit id inside it. A cache that cannot be read is ignored (and
//! rebuilt), never trusted half-way.

use std::path::Path;

use super::git::History;

const FILE: &str = "history-v2.bin";
const MAGIC: &[u8; 8] = b"GUILDH02";

pub fn load(dir: &Path) -> Option<History> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let body = bytes.strip_prefix(MAGIC.as_slice())?;
    postcard::from_bytes(body).ok()
}

pub fn store(dir: &Path, history: &History) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend(postcard::to_stdvec(history)?);
    crate::util::write_atomic(&dir.join(FILE), &bytes)
}
