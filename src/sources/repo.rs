//! Opening the repository the user pointed at (`-C`, bare or not) and the checks every command
//! needs before it reads history: not a repository (or one owned by another user, or a SHA-256
//! one), empty, shallow, detached HEAD.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use git2::Repository;

use super::odb::{hex, Kind, Objects, Reader};

/// An opened repository and where its files live.
pub struct Repo {
    pub git: Repository,
    /// The working tree, or `None` for a bare repository.
    pub workdir: Option<PathBuf>,
    /// The folder for cargo guild's local cache (`.git/guild/`).
    pub cache_dir: PathBuf,
    /// The object store, opened once (see [`Repo::objects`]).
    objects: std::cell::OnceCell<Objects>,
}

impl Repo {
    /// Opens the repository containing `dir` (or the current directory).
    pub fn open(dir: Option<&Path>) -> anyhow::Result<Repo> {
        let start = match dir {
            Some(d) => d.to_path_buf(),
            None => std::env::current_dir().context("cannot read the current directory")?,
        };
        if !start.exists() {
            bail!(
                "{} does not exist\n  fix: pass an existing folder to `-C`",
                start.display()
            );
        }
        let git = Repository::discover(&start).map_err(|e| open_error(&start, &e))?;
        let workdir = git.workdir().map(Path::to_path_buf);
        let cache_dir = git.path().join("guild");
        Ok(Repo {
            git,
            workdir,
            cache_dir,
            objects: std::cell::OnceCell::new(),
        })
    }

    /// The object store (packs, their indexes, replace refs and grafts), opened on first use
    /// and then shared: a bare repository's `guild.yml`, `.mailmap` and four places for
    /// CODEOWNERS are read from HEAD before the history is, and opening the store for each
    /// was a tenth of a millisecond apiece.
    pub fn objects(&self) -> &Objects {
        self.objects.get_or_init(|| Objects::open(&self.git))
    }

    /// The folder that holds `guild.yml` and the docs: the working tree, or for a bare
    /// repository the git directory (whose files are read from HEAD instead).
    pub fn root(&self) -> &Path {
        self.workdir.as_deref().unwrap_or_else(|| self.git.path())
    }

    /// The commit to read history from, after the checks that make its history trustworthy.
    pub fn head_commit(&self) -> anyhow::Result<git2::Oid> {
        // An empty repository is told apart by its unborn HEAD below, not by libgit2's
        // `is_empty`, which lists every reference (and parses packed-refs) to find out.
        if self.git.is_shallow() {
            bail!(
                "the repository at {} is a shallow clone: its history is cut, so every count would be wrong\n  \
                 fix: fetch the whole history with `git fetch --unshallow` (in GitHub Actions: `actions/checkout` with `fetch-depth: 0`)",
                self.root().display()
            );
        }
        let head = self.git.head().map_err(|e| {
            if e.code() == git2::ErrorCode::UnbornBranch {
                return anyhow::anyhow!(
                    "the repository at {} has no commits yet\n  fix: commit something first; cargo guild reads history",
                    self.root().display()
                );
            }
            anyhow::anyhow!(
                "cannot resolve HEAD in {} ({})\n  fix: check out a branch, e.g. `git switch main`",
                self.root().display(),
                e.message()
            )
        })?;
        // Only the reference is resolved here; the commit itself is read (and a damaged one
        // reported, naming the object) by the history walk, which reads commits the way git
        // does (libgit2 refuses a commit with a malformed author line; git does not).
        head.resolve()
            .ok()
            .and_then(|r| r.target())
            .with_context(|| {
                format!(
                    "HEAD in {} does not point at a commit\n  fix: check out a branch, e.g. `git switch main`",
                    self.root().display()
                )
            })
    }

    /// Whether HEAD is detached (history is then read from the detached commit).
    pub fn head_detached(&self) -> bool {
        self.git.head_detached().unwrap_or(false)
    }

    /// Reads a file at the repository root: from the working tree, or from HEAD's tree in a
    /// bare repository. `Ok(None)` when it does not exist.
    pub fn read_root_file(&self, name: &str) -> anyhow::Result<Option<String>> {
        if let Some(wd) = &self.workdir {
            let path = wd.join(name);
            return match std::fs::read_to_string(&path) {
                Ok(t) => Ok(Some(t)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
            };
        }
        let Ok(head) = self.head_commit() else {
            return Ok(None);
        };
        let head: [u8; 20] = head.as_bytes().try_into()?;
        let objects = self.objects();
        let mut reader = objects.reader();
        let Some(id) = self.entry_in(&mut reader, &head, name)? else {
            return Ok(None);
        };
        match reader.read(&id)? {
            Some((Kind::Blob, data)) => Ok(Some(String::from_utf8_lossy(&data).into_owned())),
            Some(_) => Ok(None),
            None => bail!(
                "cannot read `{name}` at HEAD in {}: blob {} is missing: {}",
                self.root().display(),
                hex(&id),
                objects.missing_fix()
            ),
        }
    }

    /// The id of what `path` (`a/b/c`) names in the tree of `commit`, HEAD's (its messages
    /// say HEAD), `Ok(None)` when nothing does. Read with cargo guild's own reader: libgit2 can crash or hang on damaged packs,
    /// and maps the packs a second time.
    pub fn entry_at(&self, commit: &[u8; 20], path: &str) -> anyhow::Result<Option<[u8; 20]>> {
        self.entry_in(&mut self.objects().reader(), commit, path)
    }

    /// [`Repo::entry_at`] with the caller's reader (which then reads what the entry names).
    fn entry_in(
        &self,
        reader: &mut Reader<'_>,
        commit: &[u8; 20],
        path: &str,
    ) -> anyhow::Result<Option<[u8; 20]>> {
        let objects = reader.objects();
        let mut at = match reader.read(commit)? {
            Some((Kind::Commit, data)) => super::git::commit_tree(&data),
            _ => None,
        };
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let Some(id) = at else {
                return Ok(None);
            };
            let data = match reader.read(&id)? {
                Some((Kind::Tree, data)) => data,
                Some(_) => return Ok(None),
                None => bail!(
                    "cannot read `{path}` at HEAD ({}) in {}: tree {} is missing: {}",
                    hex(commit),
                    self.root().display(),
                    hex(&id),
                    objects.missing_fix()
                ),
            };
            at = tree_entry(&data, part.as_bytes());
        }
        Ok(at)
    }
}

/// The id of the entry `name` in a raw tree object.
fn tree_entry(tree: &[u8], name: &[u8]) -> Option<[u8; 20]> {
    let mut rest = tree;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let nul = space + rest[space..].iter().position(|&b| b == 0)?;
        let id = rest.get(nul + 1..nul + 21)?.try_into().ok()?;
        if &rest[space + 1..nul] == name {
            return Some(id);
        }
        rest = &rest[nul + 21..];
    }
    None
}

/// Why libgit2 could not open a repository, in words that lead to the fix.
fn open_error(start: &Path, e: &git2::Error) -> anyhow::Error {
    if e.code() == git2::ErrorCode::Owner {
        // libgit2 names the folder git wants in `safe.directory`: "repository path '…' is …".
        let path = e
            .message()
            .split('\'')
            .nth(1)
            .map(str::to_string)
            .unwrap_or_else(|| start.display().to_string());
        return anyhow::anyhow!(
            "the repository at {path} is owned by another user, so git does not trust it (git's `safe.directory`)\n  \
             fix: if you trust it, run `git config --global --add safe.directory {path}`"
        );
    }
    if e.message().contains("objectformat") || object_format(start).as_deref() == Some("sha256") {
        return anyhow::anyhow!(
            "the repository at {} uses SHA-256 object ids: SHA-256 repositories are not supported yet\n  \
             fix: run cargo guild on a SHA-1 clone of it",
            start.display()
        );
    }
    anyhow::anyhow!(
        "{} is not inside a Git repository ({})\n  fix: run cargo guild inside a clone, or point at one with `-C <dir>`",
        start.display(),
        e.message()
    )
}

/// `extensions.objectFormat` of the repository around `start`, read from its config file
/// directly (libgit2 refuses to open what it does not support, so it cannot tell us).
fn object_format(start: &Path) -> Option<String> {
    for dir in start.ancestors() {
        for git_dir in [dir.join(".git"), dir.to_path_buf()] {
            let Ok(config) = std::fs::read_to_string(git_dir.join("config")) else {
                continue;
            };
            if !git_dir.join("HEAD").exists() {
                continue;
            }
            return config.lines().find_map(|l| {
                let l = l.trim().to_ascii_lowercase();
                let (k, v) = l.split_once('=')?;
                (k.trim() == "objectformat").then(|| v.trim().to_string())
            });
        }
    }
    None
}
