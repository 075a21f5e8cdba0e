//! The ledger cache: the built ledger, stored under `.git/guild/` with a key made of
//! everything it was built from (head commit, configuration, `.mailmap`, synced history ref,
//! docs' names, sizes and times, the program version). A run with no new commits and no
//! change to those inputs skips reading history and building events altogether.

use std::hash::{Hash, Hasher};
use std::path::Path;

use super::Ledger;

const FILE: &str = "ledger-v4.bin";
const MAGIC: &[u8; 8] = b"GUILDL04";

/// A fingerprint of the inputs; equal keys mean the same ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(pub u64);

/// Builds a key from the parts that decide the ledger.
pub struct KeyBuilder(std::collections::hash_map::DefaultHasher);

impl Default for KeyBuilder {
    fn default() -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut h);
        KeyBuilder(h)
    }
}

impl KeyBuilder {
    pub fn add(&mut self, part: impl Hash) -> &mut Self {
        part.hash(&mut self.0);
        self
    }
    /// Names, sizes and modification times of every file below `dir` (sorted).
    pub fn add_tree_stat(&mut self, dir: &Path) -> &mut Self {
        let mut entries: Vec<(String, u64, i128)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| {
                let m = e.metadata().ok()?;
                let t = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as i128);
                Some((e.path().to_string_lossy().into_owned(), m.len(), t))
            })
            .collect();
        entries.sort();
        entries.hash(&mut self.0);
        self
    }
    pub fn finish(&self) -> Key {
        Key(self.0.finish())
    }
}

/// The cached ledger, if its key matches.
pub fn load(dir: &Path, key: Key) -> Option<Ledger> {
    let body = crate::sources::cache::read_file_as(
        dir,
        FILE,
        MAGIC,
        crate::sources::cache::Pages::HugeWhenBig,
    )?;
    let (stored, rest) = body.split_at_checked(8)?;
    if u64::from_le_bytes(stored.try_into().ok()?) != key.0 {
        return None;
    }
    postcard::from_bytes(rest).ok()
}

/// Stores the ledger under `key` (atomically; failures are the caller's to ignore).
pub fn store(dir: &Path, key: Key, ledger: &Ledger) -> anyhow::Result<()> {
    crate::sources::cache::write_file(
        dir,
        FILE,
        MAGIC,
        &key.0.to_le_bytes(),
        ledger,
        &["ledger-v1.bin", "ledger-v2.bin", "ledger-v3.bin"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_round_trips_through_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = crate::analysis::network::test_ledger::ledger(
            &["alice", "bob"],
            &[(1, 0, crate::events::EventKind::PrMerged, None, 7)],
        );
        store(dir.path(), Key(42), &ledger).unwrap();
        let back = load(dir.path(), Key(42)).expect("the cached ledger loads");
        assert_eq!(back.events, ledger.events);
        assert_eq!(back.people(), ledger.people());
        assert!(load(dir.path(), Key(43)).is_none(), "another key is a miss");
    }
}
