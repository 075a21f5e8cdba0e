//! The snapshot cache: a command that shows only the snapshot (`reputation`, `network`,
//! `newcomers`, `trends`, `compare`) stores what it built under `.git/guild/`, keyed by
//! everything the snapshot is a function of ([`crate::session::Session::snapshot_key`]: the
//! ledger's inputs, the CODEOWNERS file, the `origin` remote, the sections asked for, the
//! program version). When nothing changed, the next run loads it instead of the ledger: on a
//! million commits that is what makes a second run a small fraction of the first (loading
//! and scoring a 140 MB ledger took 1.2 s). One file per set of sections; JSON inside, as
//! `context --json` writes it, with the usual checksum.

use std::path::Path;

use super::Community;
use crate::events::FutureDated;

const MAGIC: &[u8; 8] = b"GUILDS01";
/// Files kept at most: one per set of sections a command asks for.
const KEEP: usize = 8;

/// The file for the sections `parts` (its `Debug` text, hashed).
fn file(parts: &super::Parts) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{parts:?}").hash(&mut h);
    format!("snapshot-{:016x}.bin", h.finish())
}

/// What the ledger said beside the snapshot: its events dated after HEAD, and HEAD's date
/// (for the warning a run prints about them).
pub type Future = (FutureDated, i64);

/// The snapshot of `parts` stored under `key`, with [`Future`], if it is there, intact and
/// of that key.
pub fn load(dir: &Path, parts: &super::Parts, key: u64) -> Option<(Future, Community)> {
    let body = crate::sources::cache::read_file_as(
        dir,
        &file(parts),
        MAGIC,
        crate::sources::cache::Pages::HugeWhenBig,
    )?;
    let (stored, rest) = body.split_at_checked(8)?;
    if u64::from_le_bytes(stored.try_into().ok()?) != key {
        return None;
    }
    let (future, community): (Future, Community) = serde_json::from_slice(rest).ok()?;
    (community.schema_version == super::SCHEMA_VERSION).then_some((future, community))
}

/// Stores the snapshot of `parts` under `key`, and removes the oldest snapshot files beyond
/// [`KEEP`] (failures are the caller's to ignore).
pub fn store(
    dir: &Path,
    parts: &super::Parts,
    key: u64,
    future: Future,
    community: &Community,
) -> anyhow::Result<()> {
    let mut encoder =
        crate::sources::cache::Encoder::create(dir, &file(parts), MAGIC, &key.to_le_bytes())?;
    serde_json::to_writer(&mut encoder, &(future, community))?;
    encoder.finish(&[])?;
    let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("snapshot-") && name.ends_with(".bin")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort();
    let extra = files.len().saturating_sub(KEEP);
    for (_, path) in files.into_iter().take(extra) {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}
