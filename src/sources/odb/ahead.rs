//! Commits inflated ahead of a history walk, on another core.
//!
//! Inflating is two thirds of a walk, and a walk cannot inflate two commits at once: it
//! learns the next ones from the parents of the last. But `git pack-objects` stores commits
//! in about the order a walk visits them (tokio: 4,555 of 4,625 steps go forward in the
//! pack), and the pack's reverse index (`.rev`, written by git since 2.41) says where each
//! entry starts. So while the walk reads one commit, [`Ahead::run`] inflates the next few
//! commits in pack order after it, and the walk takes them ([`super::Reader::read_after`])
//! instead of inflating them itself; whatever is not there (a delta, a commit elsewhere, a pack
//! without a reverse index) it reads as before.
//!
//! The walk never waits for the read-ahead, and the read-ahead never waits for the walk
//! longer than a short sleep: neither can hang the other. What it inflated is keyed by the
//! entry's offset and checked like any read (zlib checksum, exact size, a commit), so a
//! damaged reverse index only wastes time.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::{Id, Objects};

/// Entries in pack order after the walk's position that are read ahead, at most.
const LOOKAHEAD: usize = 32;
/// The walk has not read from the pack yet.
const NOWHERE: usize = usize::MAX;
/// How often (in commits read ahead) the read-ahead checks that the walk takes most of them.
const CHECK: usize = 256;

/// The read-ahead shared by its thread and the walk.
pub struct Ahead {
    /// The pack read ahead in (the one holding the first commit).
    pack: AtomicUsize,
    /// The walk's place in pack order (the entry it read last).
    walk: AtomicUsize,
    done: AtomicBool,
    /// Commits the walk took from the read-ahead, and commits read ahead.
    taken: AtomicUsize,
    /// Inflated commits by offset, not yet taken.
    ready: Mutex<crate::util::FnvMap<u64, Vec<u8>>>,
}

impl Default for Ahead {
    fn default() -> Self {
        Ahead {
            pack: AtomicUsize::new(NOWHERE),
            walk: AtomicUsize::new(NOWHERE),
            done: AtomicBool::new(false),
            taken: AtomicUsize::new(0),
            ready: Mutex::new(Default::default()),
        }
    }
}

impl Ahead {
    /// Reads ahead of the walk that starts at commit `start`, until the walk ends (the
    /// thread's work). Returns at once when the pack has no reverse index.
    pub fn run(&self, objects: &Objects, start: &Id) {
        let Some((pack, offset)) = objects.find(start) else {
            return;
        };
        let Some(p) = objects.packs.get(pack as usize) else {
            return;
        };
        let Some(first) = p.rev_position(offset, None) else {
            return;
        };
        self.pack.store(pack as usize, Ordering::Release);
        self.walk.store(first, Ordering::Release);
        let mut reader = objects.reader();
        let (mut next, mut last, mut made) = (first + 2, first, 0usize);
        while !self.done.load(Ordering::Acquire) {
            let walk = self.walk.load(Ordering::Acquire);
            // Every other entry, starting two in front of the walk (the next one it reads
            // itself: both would inflate it at once), at most LOOKAHEAD entries in front; and
            // from there again when the walk goes back (to an older branch).
            if walk < last || next < walk.saturating_add(2) {
                next = walk.saturating_add(2);
            }
            last = walk;
            if next > walk.saturating_add(LOOKAHEAD) || next >= p.count {
                std::thread::sleep(std::time::Duration::from_micros(50));
                continue;
            }
            let k = next;
            next += 2;
            let Some(at) = p.rev_offset(k) else {
                continue;
            };
            let Some(data) = reader.inflate_commit(pack, at) else {
                continue;
            };
            let Ok(mut ready) = self.ready.lock() else {
                return;
            };
            // What the walk passed by (a commit it does not reach) is dropped.
            if ready.len() >= 2 * LOOKAHEAD {
                let behind = p.rev_offset(walk).unwrap_or(0);
                ready.retain(|&o, _| o > behind);
            }
            ready.insert(at, data);
            drop(ready);
            made += 1;
            // A pack in another order than the walk's (git/git's merges jump between
            // branches): most of what is read ahead is read again by the walk. Give up.
            if made % CHECK == 0 && self.taken.load(Ordering::Acquire) * 2 < made {
                self.pack.store(NOWHERE, Ordering::Release);
                return;
            }
        }
    }

    /// How many commits the walk took from the read-ahead.
    pub fn taken(&self) -> usize {
        self.taken.load(Ordering::Acquire)
    }

    /// Ends the read-ahead (the walk is done).
    fn stop(&self) {
        self.done.store(true, Ordering::Release);
    }

    /// Ends the read-ahead when dropped: the walk holds it, so that however the walk ends
    /// (an error, a panic), the read-ahead thread does too.
    pub fn stop_when_dropped(&self) -> StopWhenDropped<'_> {
        StopWhenDropped(self)
    }

    /// The commit at `offset` in `pack`, if it was read ahead; says where the walk is.
    pub(super) fn take(&self, objects: &Objects, pack: u32, offset: u64) -> Option<Vec<u8>> {
        if self.pack.load(Ordering::Acquire) != pack as usize {
            return None;
        }
        let found = self.ready.lock().ok()?.remove(&offset);
        let p = objects.packs.get(pack as usize)?;
        let near = Some(self.walk.load(Ordering::Acquire)).filter(|&k| k != NOWHERE);
        if let Some(k) = p.rev_position(offset, near) {
            self.walk.store(k, Ordering::Release);
        }
        if found.is_some() {
            self.taken.fetch_add(1, Ordering::Release);
        }
        found
    }
}

/// See [`Ahead::stop_when_dropped`].
pub struct StopWhenDropped<'a>(&'a Ahead);

impl Drop for StopWhenDropped<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}
