//! Diffing many commits: runs of consecutive commits handed to the cores as they become
//! free, each thread with its own reader and interner, merged back in commit order; and the
//! spinner they share. How one commit is diffed is `tree`; what the paths are kept in is
//! the parent module's index.

use anyhow::Context as _;

use super::tree::Differ;
use super::PathsIndex;
use crate::sources::git::{CommitRecord, History, OidMap};
use crate::sources::odb::Objects;

/// Splits the work over the machine's cores: runs of consecutive commits handed out as
/// threads become free (older history has deeper delta chains, so equal halves would leave
/// one core idle), each thread with its own reader and its own interner; then merges in
/// commit order. Small batches run inline.
pub(super) fn diff_parallel(
    objects: &Objects,
    history: &History,
    missing: &[&CommitRecord],
    index: &mut PathsIndex,
    progress: bool,
) -> anyhow::Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let trees: OidMap<[u8; 20]> = history.commits.iter().map(|c| (c.id, c.tree)).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let spinner = Spinner::new(progress);
    if threads < 2 || missing.len() < 256 {
        let mut differ = Differ::new(objects.reader());
        let mut local = PathsIndex::default();
        diff_all(&mut differ, &trees, missing, &mut local, &spinner)?;
        index.append_newest_first(&local);
        return Ok(());
    }
    // Long enough runs that a run's first commit (whose parent's trees are not at hand) is
    // rare, short enough to balance the threads.
    let block = (missing.len() / (threads * 16)).clamp(256, 4096);
    let blocks: Vec<&[&CommitRecord]> = missing.chunks(block).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // Runs finish out of order; each is merged into the index as soon as the runs before it
    // are, so that only the few waiting runs are held twice, not every run until the end.
    let merged = std::sync::Mutex::new(InOrder {
        next: 0,
        waiting: std::collections::BTreeMap::new(),
        index,
    });
    let work = || -> anyhow::Result<()> {
        let mut differ = Differ::new(objects.reader());
        while !failed.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(part) = blocks.get(i) else {
                break;
            };
            let mut local = PathsIndex::default();
            if let Err(e) = diff_all(&mut differ, &trees, part, &mut local, &spinner) {
                failed.store(true, Ordering::Relaxed);
                return Err(e);
            }
            merged
                .lock()
                .map_err(|_| anyhow::anyhow!("a diff thread panicked"))?
                .add(i, local);
            // A run of commits reads its trees once: keep resident only what the next run
            // reads (the delta bases in the readers' caches), like git's pack windows.
            objects.release_pages();
        }
        Ok(())
    };
    let results: Vec<anyhow::Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a diff thread panicked")))
            })
            .collect()
    });
    for r in results {
        r?;
    }
    let merged = merged
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a diff thread panicked"))?;
    anyhow::ensure!(
        merged.waiting.is_empty() && merged.next == blocks.len(),
        "changed paths: a run of commits was not merged"
    );
    Ok(())
}

/// The runs of commits diffed so far, merged into the index in commit order.
struct InOrder<'a> {
    /// The run merged next.
    next: usize,
    /// Runs done before the ones ahead of them.
    waiting: std::collections::BTreeMap<usize, PathsIndex>,
    index: &'a mut PathsIndex,
}

impl InOrder<'_> {
    fn add(&mut self, i: usize, part: PathsIndex) {
        self.waiting.insert(i, part);
        while let Some(part) = self.waiting.remove(&self.next) {
            self.index.append_newest_first(&part);
            self.next += 1;
        }
    }
}

/// Commits diffed between two releases of the packs' pages ([`Objects::release_data_pages`]):
/// one per 2 MiB of packs, from 8 to 64. Each read maps 64 KiB of pack around it, so what
/// stays resident grows with the commits diffed since the last release; releasing costs the
/// faults that map pages back, more of them the larger the packs. Measured (21-31 runs each,
/// `domains`): mdBook (18 MiB of pack) peaks at 15.4 MiB with 64, 14.7 with 16, 14.3 with 8
/// (git's 14.4) for 5-7 ms more of about 40, and is 25% slower with 4; tokio (55 MiB) 28.6
/// MiB with 64, 27.5 with 32 at 2% more time, 23% more with 8; git/git 8% slower with 8.
fn release_every(objects: &Objects) -> usize {
    (objects.packed_bytes() >> 21).clamp(8, 64)
}

/// Diffs each commit against its first parent, oldest first, so that a parent's trees are
/// still at hand when its child comes.
fn diff_all(
    differ: &mut Differ,
    trees: &OidMap<[u8; 20]>,
    missing: &[&CommitRecord],
    index: &mut PathsIndex,
    spinner: &Spinner,
) -> anyhow::Result<()> {
    let mut ids: Vec<u32> = Vec::new();
    let mut prefix: Vec<u8> = Vec::new();
    let every = release_every(differ.objects());
    for (n, c) in missing.iter().rev().enumerate() {
        if n % every == every - 1 {
            differ.objects().release_data_pages();
        }
        let parent = match c.parents.first() {
            Some(p) => Some(match trees.get(p) {
                Some(t) => *t,
                // A parent outside the history (cut by a shallow clone): read it.
                None => differ.tree_of_commit(p)?,
            }),
            None => None,
        };
        ids.clear();
        prefix.clear();
        let old = parent.map(|p| differ.tree(&p)).transpose()?;
        let new = differ.tree(&c.tree)?;
        differ
            .diff(
                old.as_ref().map(|t| t.as_slice()),
                Some(&new),
                &mut prefix,
                &mut |p| ids.push(index.intern(p)),
            )
            .with_context(|| format!("cannot diff commit {} against its parent", c.oid()))?;
        index.push(c.id, &ids);
        spinner.tick();
    }
    Ok(())
}

/// A spinner shared by the diff threads: shown once diffing takes a moment and stderr is a
/// terminal (the caller decides), cleared when done.
struct Spinner {
    enabled: bool,
    done: std::sync::atomic::AtomicUsize,
    started: std::time::Instant,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Spinner {
    fn new(enabled: bool) -> Self {
        Spinner {
            enabled,
            done: Default::default(),
            started: std::time::Instant::now(),
            bar: std::sync::OnceLock::new(),
        }
    }

    fn tick(&self) {
        use std::sync::atomic::Ordering;
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if !self.enabled || n % 512 != 0 {
            return;
        }
        if self.bar.get().is_none() && self.started.elapsed().as_millis() < 300 {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::new_spinner().with_elapsed(self.started.elapsed());
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} reading changed paths: {human_pos} commits, {elapsed}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        bar.set_position(n as u64);
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
