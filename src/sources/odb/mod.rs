//! The object reader: packs (index v2, mapped), loose objects and alternates, read without
//! libgit2 and without trusting any of it.
//!
//! libgit2 serialises reads of one pack behind a lock shared by every handle in the process,
//! and on damaged files it can loop forever (a truncated loose object) or crash (a flipped bit
//! in a pack index). This reader maps the pack files itself, checks what it can check cheaply
//! when it opens them (index size and fan-out, the pack's header and its checksum against the
//! index's copy), bounds every offset, size and delta chain, inflates with libdeflate (packed
//! objects, whose size is known) or zlib-rs (loose ones) and resolves deltas with a small
//! per-reader cache of delta bases (the way `git` does). It is `Sync`: each thread takes its
//! own [`Reader`] and none of them lock.
//!
//! A missing object is `Ok(None)`; a damaged one is an error that names the object and the
//! file. What the caller should tell the user about a missing object (a partial clone that
//! left it out, a damaged pack that hides it) is [`Objects::missing_fix`].
//! Replace refs (`refs/replace/`) and grafts (`info/grafts`) are loaded here because git
//! applies them when it reads an object; the history walk asks for them.
//!
//! The store ([`Objects`], shared by every thread) is here; the pack format (an index, its
//! entries, git's delta encoding) is `pack`, and one thread's reads (its inflater, its cache
//! of delta bases, loose objects) are `reader`.

use std::path::{Path, PathBuf};

mod ahead;
mod pack;
mod reader;
#[cfg(test)]
mod tests;

pub use ahead::Ahead;
use pack::Pack;
pub use reader::Reader;

/// A SHA-1 object id.
pub type Id = [u8; 20];

/// The four kinds of stored objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl Kind {
    fn from_pack(code: u8) -> Option<Kind> {
        match code {
            1 => Some(Kind::Commit),
            2 => Some(Kind::Tree),
            3 => Some(Kind::Blob),
            4 => Some(Kind::Tag),
            _ => None,
        }
    }

    fn from_name(name: &[u8]) -> Option<Kind> {
        match name {
            b"commit" => Some(Kind::Commit),
            b"tree" => Some(Kind::Tree),
            b"blob" => Some(Kind::Blob),
            b"tag" => Some(Kind::Tag),
            _ => None,
        }
    }
}

/// The object store of one repository. Cheap to share across threads.
pub struct Objects {
    packs: Vec<Pack>,
    /// The repository's `objects/` and those of its alternates, searched for loose objects.
    dirs: Vec<PathBuf>,
    /// Packs that could not be opened, with why: the objects in them are missing.
    damaged: Vec<(PathBuf, String)>,
    /// Whether this is a partial clone (objects left out on purpose, fetched by git on use).
    partial: bool,
    /// `refs/replace/*`: commit id → the object git reads in its place.
    replace: super::git::OidMap<Id>,
    /// `info/grafts`: commit id → the parents git gives it instead of its own.
    grafts: super::git::OidMap<Vec<Id>>,
}

impl Objects {
    /// Maps every pack of the repository and its alternates, and loads replace refs and
    /// grafts (as git does, unless `GIT_NO_REPLACE_OBJECTS` is set).
    pub fn open(repo: &git2::Repository) -> Objects {
        let objects_dir = repo.commondir().join("objects");
        let mut dirs = vec![objects_dir.clone()];
        let mut at = 0;
        // Alternates may chain; git stops at five levels.
        while at < dirs.len() && dirs.len() < 6 {
            let dir = dirs[at].clone();
            at += 1;
            let Ok(list) = std::fs::read_to_string(dir.join("info/alternates")) else {
                continue;
            };
            for line in list.lines().map(str::trim) {
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let alt = dir.join(line);
                if !dirs.contains(&alt) {
                    dirs.push(alt);
                }
            }
        }
        let mut packs = Vec::new();
        let mut damaged = Vec::new();
        let mut partial = false;
        for dir in &dirs {
            let mut idx_files: Vec<PathBuf> = std::fs::read_dir(dir.join("pack"))
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "idx"))
                .collect();
            idx_files.sort();
            for idx in idx_files {
                partial |= idx.with_extension("promisor").exists();
                match Pack::open(&idx) {
                    Ok(p) => packs.push(p),
                    Err(why) => damaged.push((idx, why)),
                }
            }
        }
        let config = repo.config().ok();
        let flag = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
        partial |= flag("extensions.partialclone").is_some();
        let (replace, grafts) = if std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_some() {
            Default::default()
        } else {
            (
                replace_refs(repo),
                grafts(&repo.commondir().join("info/grafts")),
            )
        };
        Objects {
            packs,
            dirs,
            damaged,
            partial,
            replace,
            grafts,
        }
    }

    /// Where `id` is stored: every pack that has it (a damaged copy may have a good twin).
    fn find_all<'s>(&'s self, id: &'s Id) -> impl Iterator<Item = (u32, u64)> + 's {
        self.packs
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.find(id).map(|o| (i as u32, o)))
    }

    fn find(&self, id: &Id) -> Option<(u32, u64)> {
        self.find_all(id).next()
    }

    /// Takes the pages of the mapped packs out of this process's resident memory. They
    /// stay in the page cache: a later read maps them back in (a minor fault), so this costs
    /// little and keeps memory in proportion to what is being read, not to what was read
    /// (a first run passes over hundreds of megabytes of pack once).
    pub fn release_pages(&self) {
        for p in &self.packs {
            dont_need(&p.idx);
            dont_need(&p.data);
        }
    }

    /// [`Objects::release_pages`] for the packs' data only, not their indexes: every read
    /// looks objects up in the index again at once, but a diff reads each tree's bytes once.
    pub fn release_data_pages(&self) {
        for p in &self.packs {
            dont_need(&p.data);
        }
    }

    /// A reader for one thread.
    pub fn reader(&self) -> Reader<'_> {
        Reader::new(self)
    }

    /// How many objects the packs hold: a bound on the number of commits, for reserving a
    /// list of them that never has to grow (and copy itself). Only the part that is written
    /// to takes memory.
    pub fn packed_objects(&self) -> usize {
        self.packs.iter().map(|p| p.count).sum()
    }

    /// The bytes of all packs: what the caches of delta bases and trees are sized by.
    pub fn packed_bytes(&self) -> usize {
        self.packs.iter().map(|p| p.data.len()).sum()
    }

    /// How much a reader keeps of delta bases: a 64th of the packs, from 256 KiB to 8 MiB.
    /// What a cache must hold to spare re-inflating grows with the packs' delta chains: git/git
    /// (a 500 MB pack) diffs its trees in 1.9 s with 8 MiB per thread, in 6.8 s with 256 KiB;
    /// tokio's (58 MB) is as fast with 900 KB, and its `domains` peaks 8 MB lower, cargo's 22
    /// MB lower.
    pub fn delta_cache_bytes(&self) -> usize {
        (self.packed_bytes() / 64).clamp(256 << 10, 8 << 20)
    }

    /// The object git reads in place of commit `id` (`git replace`), if any.
    pub fn replacement(&self, id: &Id) -> Option<&Id> {
        self.replace.get(id)
    }

    /// The parents `info/grafts` gives commit `id`, if any.
    pub fn graft(&self, id: &Id) -> Option<&[Id]> {
        self.grafts.get(id).map(Vec::as_slice)
    }

    /// A fingerprint of the replace refs and grafts: history read under other ones differs.
    pub fn rewrites_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        if self.replace.is_empty() && self.grafts.is_empty() {
            return 0;
        }
        let mut all: Vec<(&Id, Vec<Id>)> = self
            .replace
            .iter()
            .map(|(k, v)| (k, vec![*v]))
            .chain(self.grafts.iter().map(|(k, v)| (k, v.clone())))
            .collect();
        all.sort();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        all.hash(&mut h);
        h.finish() | 1
    }

    /// What to tell the user when object `id` is missing: why it may be, and the fix.
    pub fn missing_fix(&self) -> String {
        if let Some((idx, why)) = self.damaged.first() {
            return format!(
                "{} cannot be used: {why}\n  fix: run `git fsck` to see what is damaged; \
                 then restore the pack from another clone (`git fetch --refetch`) or clone again",
                idx.display()
            );
        }
        if self.partial {
            return "this is a partial clone, which leaves objects out until git fetches them\n  \
                    fix: fetch everything with `git fetch --refetch --no-filter` \
                    (or clone without `--filter`)"
                .to_string();
        }
        "the repository is damaged\n  fix: run `git fsck` to see what is missing; \
         `git fetch --refetch` fetches every object again"
            .to_string()
    }
}

/// Takes the pages of `map` out of this process's resident memory.
fn dont_need(map: &memmap2::Mmap) {
    // SAFETY: the maps are read-only views of files git never rewrites in place (see
    // `Pack::open`): dropping their pages only makes the next access read the same bytes
    // from the page cache again.
    let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
}

/// `refs/replace/<id>` → the replacement's id.
fn replace_refs(repo: &git2::Repository) -> super::git::OidMap<Id> {
    let mut out = super::git::OidMap::default();
    if !may_have_replace_refs(repo.commondir()) {
        return out;
    }
    let Ok(refs) = repo.references_glob("refs/replace/*") else {
        return out;
    };
    for r in refs.flatten() {
        let (Ok(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        let Some(from) = name
            .strip_prefix("refs/replace/")
            .and_then(|h| super::git::parse_hex(h.as_bytes()))
        else {
            continue;
        };
        if let Ok(to) = target.as_bytes().try_into() {
            out.insert(from, to);
        }
    }
    out
}

/// Whether `refs/replace/` may hold anything: a loose ref under it, or one in
/// `packed-refs`. Almost no repository has any, and asking libgit2 to list them sorts every
/// packed ref first (tokio's 32 KB of tags: a twentieth of a run that loads its caches).
fn may_have_replace_refs(common: &Path) -> bool {
    let loose = std::fs::read_dir(common.join("refs/replace"))
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    loose
        || std::fs::read(common.join("packed-refs"))
            .map(|packed| memchr::memmem::find(&packed, b" refs/replace/").is_some())
            // Unreadable: let libgit2 say what it can.
            .unwrap_or_else(|e| e.kind() != std::io::ErrorKind::NotFound)
}

/// `info/grafts`: one commit per line, followed by the parents git should give it.
fn grafts(path: &Path) -> super::git::OidMap<Vec<Id>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Default::default();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut ids = l
                .split_whitespace()
                .map(|h| super::git::parse_hex(h.as_bytes()));
            let commit = ids.next()??;
            let parents: Option<Vec<Id>> = ids.collect();
            Some((commit, parents?))
        })
        .collect()
}

/// Asks the kernel for no transparent huge pages in this process from now on. A first read
/// of history allocates and frees a great deal once; with huge pages (which mimalloc asks
/// for) every fresh 2 MiB region is zeroed whole on its first touch, again after each purge:
/// on a million commits that was a fifth of the run (2.5 s of system time against 1.6 s,
/// 10.1 s against 8.8 s in all), and on a small history the first three of them were a fifth
/// of its memory. The binary calls this before anything is allocated.
pub fn prefer_small_pages() {
    set_thp_disabled(true);
}

/// Undoes [`prefer_small_pages`] for a run that loads a big cache: rebuilding hundreds of
/// thousands of small objects at once is faster with huge pages (git.git's ledger cache, 6
/// MB: `explain` in 0.10 s instead of 0.15 s).
pub fn prefer_huge_pages() {
    set_thp_disabled(false);
}

fn set_thp_disabled(disabled: bool) {
    #[cfg(target_os = "linux")]
    {
        const PR_SET_THP_DISABLE: i32 = 41;
        extern "C" {
            fn prctl(option: i32, ...) -> i32;
        }
        // SAFETY: prctl(PR_SET_THP_DISABLE, 0 or 1, 0, 0, 0) only sets a flag on this
        // process, applied at later page faults; a kernel without it returns an error, which
        // changes nothing.
        unsafe { prctl(PR_SET_THP_DISABLE, disabled as u64, 0u64, 0u64, 0u64) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = disabled;
}

/// An object id in hex, as git writes it.
pub fn hex(id: &Id) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}
