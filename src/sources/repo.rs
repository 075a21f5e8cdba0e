//! Opening the repository the user pointed at (`-C`, bare or not) and the checks every command
//! needs before it reads history: not a repository, empty, shallow, detached HEAD.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use git2::Repository;

/// An opened repository and where its files live.
pub struct Repo {
    pub git: Repository,
    /// The working tree, or `None` for a bare repository.
    pub workdir: Option<PathBuf>,
    /// The folder for cargo guild's local cache (`.git/guild/`).
    pub cache_dir: PathBuf,
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
        let git = Repository::discover(&start).map_err(|e| {
            anyhow::anyhow!(
                "{} is not inside a Git repository ({})\n  fix: run cargo guild inside a clone, or point at one with `-C <dir>`",
                start.display(),
                e.message()
            )
        })?;
        let workdir = git.workdir().map(Path::to_path_buf);
        let cache_dir = git.path().join("guild");
        Ok(Repo {
            git,
            workdir,
            cache_dir,
        })
    }

    /// The folder that holds `guild.yml` and the docs: the working tree, or for a bare
    /// repository the git directory (whose files are read from HEAD instead).
    pub fn root(&self) -> &Path {
        self.workdir.as_deref().unwrap_or_else(|| self.git.path())
    }

    /// The commit to read history from, after the checks that make its history trustworthy.
    pub fn head_commit(&self) -> anyhow::Result<git2::Oid> {
        if self.git.is_empty().unwrap_or(false) {
            bail!(
                "the repository at {} has no commits yet\n  fix: commit something first; cargo guild reads history",
                self.root().display()
            );
        }
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
        let commit = head.peel_to_commit().with_context(|| {
            format!(
                "HEAD in {} does not point at a commit",
                self.root().display()
            )
        })?;
        Ok(commit.id())
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
        let Ok(head) = self.git.head().and_then(|h| h.peel_to_tree()) else {
            return Ok(None);
        };
        let Ok(entry) = head.get_path(Path::new(name)) else {
            return Ok(None);
        };
        let blob = entry.to_object(&self.git)?.peel_to_blob()?;
        Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
    }
}
