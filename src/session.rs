//! The session: what one run of a command opens once and computes only when asked: the
//! repository, `guild.yml`, the object store, the history (cached), the ledger (cached),
//! the changed paths, and the domains with their ownership. Commands open it, ask for what
//! they need, and hand it to `snapshot`. It reads and caches; it never scores or renders.

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::analysis::domains::{self, DomainSet, Ownership};
use crate::cli::{ColorChoice, GlobalOpts};
use crate::config::Config;
use crate::events::{self, Ledger};
use crate::sources::codeowners::{self, Codeowners};
use crate::sources::git::{self, Sig};
use crate::sources::odb::Objects;
use crate::sources::paths::{self, PathsIndex};
use crate::sources::repo::Repo;

/// The repository, its configuration and what every command may need from them.
pub struct Session {
    pub global: GlobalOpts,
    pub repo: Repo,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// The history reachable from HEAD, read once (see [`Session::history`]).
    history: std::cell::OnceCell<git::History>,
    /// Changed paths read alongside the ledger, waiting for [`Session::paths`].
    paths: std::cell::RefCell<Option<PathsIndex>>,
    /// The domains and CODEOWNERS, read once (see `domains::domain_set`).
    domains: std::cell::OnceCell<DomainSource>,
    /// [`Session::ledger_key`], worked out once: the snapshot cache's key is made from it
    /// before the ledger is looked up (it walks the docs folder).
    ledger_key: std::cell::OnceCell<events::cache::Key>,
    /// `.mailmap`, read once (see [`Session::mailmap`]).
    mailmap: std::cell::OnceCell<crate::sources::mailmap::Loaded>,
    /// Docs whose front matter could not be read, from the last [`Session::ledger`].
    doc_errors: std::cell::RefCell<Vec<crate::sources::docs::DocError>>,
}

impl Session {
    /// Opens the repository and reads `guild.yml` (defaults when there is none).
    pub fn open(global: &GlobalOpts) -> anyhow::Result<Session> {
        if let Some(pattern) = &global.ledgers {
            // Only commands that render the snapshot run over many ledgers.
            anyhow::bail!(
                "this command needs one repository's history and does not run over --ledgers '{pattern}' (yet)\n  fix: run it in a repository without --ledgers; over ledgers, run reputation, explain, network, domains, newcomers, trends, paths, rotate, context or site build (without --since)"
            );
        }
        let repo = Repo::open(global.dir.as_deref())?;
        let (config, config_path) = match &global.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the configuration {}", path.display()))?;
                (Config::parse(&text, path)?, Some(path.clone()))
            }
            None => {
                let path = repo.root().join(crate::config::FILE_NAME);
                match repo.read_root_file(crate::config::FILE_NAME)? {
                    Some(text) => (Config::parse(&text, &path)?, Some(path)),
                    None => (Config::default(), None),
                }
            }
        };
        Ok(Session {
            global: global.clone(),
            repo,
            config,
            config_path,
            history: std::cell::OnceCell::new(),
            paths: std::cell::RefCell::new(None),
            domains: std::cell::OnceCell::new(),
            ledger_key: std::cell::OnceCell::new(),
            mailmap: std::cell::OnceCell::new(),
            doc_errors: Default::default(),
        })
    }

    /// Whether to draw progress bars: stderr is a terminal and the user did not ask for quiet.
    pub fn progress(&self) -> bool {
        !self.global.quiet
            && self.global.color != ColorChoice::Never
            && std::io::stderr().is_terminal()
    }

    /// Runs one phase of the work; with `-vv`, says on stderr how long it took.
    pub fn timed<T>(&self, phase: &str, f: impl FnOnce() -> T) -> T {
        let start = std::time::Instant::now();
        let out = f();
        self.took(phase, start.elapsed());
        out
    }

    /// With `-vv`, says on stderr how long a phase took.
    fn took(&self, phase: &str, elapsed: std::time::Duration) {
        if self.global.verbose > 1 {
            let at = crate::exit::STARTED.get().map(|t| t.elapsed());
            eprintln!(
                "timing: {phase}: {:.3}s (done at {:.3}s)",
                elapsed.as_secs_f64(),
                at.unwrap_or_default().as_secs_f64()
            );
        }
    }

    /// Prints a note to stderr unless `-q`.
    pub fn note(&self, msg: impl std::fmt::Display) {
        if !self.global.quiet {
            eprintln!("note: {msg}");
        }
    }

    /// Reads history (cached), synced GitHub data and docs, and builds the ledger. When
    /// nothing it depends on changed since the last run, the cached ledger is used instead.
    pub fn ledger(&self) -> anyhow::Result<Ledger> {
        let (ledger, unsaved) = self.ledger_unsaved()?;
        if let Some(key) = unsaved {
            self.timed("store the ledger cache", || {
                store_ledger(&self.repo.cache_dir, key, &ledger)
            });
        }
        Ok(ledger)
    }

    /// [`Session::ledger`], leaving a freshly built ledger's cache for the caller to write
    /// with [`store_ledger`] (under the key returned), on another core while it works on the
    /// ledger: on git/git the write takes a twentieth of a first run.
    pub fn ledger_unsaved(&self) -> anyhow::Result<(Ledger, Option<events::cache::Key>)> {
        let head = self.repo.head_commit()?;
        if self.repo.head_detached() && self.global.verbose > 0 {
            self.note(format_args!(
                "HEAD is detached at {head:.10}; reading history from there"
            ));
        }
        let (docs, errors) = self.timed("read docs", || match &self.repo.workdir {
            Some(wd) => crate::sources::docs::load(wd, &self.config.docs_dir),
            None => (Vec::new(), Vec::new()),
        });
        *self.doc_errors.borrow_mut() = errors;
        let mailmap = self.mailmap()?;
        let owner = self.repo_owner();
        let key = self.timed("ledger cache key", || {
            self.ledger_key(head, &mailmap.texts, owner.as_deref())
        })?;
        if let Some(mut ledger) = self.timed("load the ledger cache", || {
            events::cache::load(&self.repo.cache_dir, key)
        }) {
            ledger.docs = docs;
            self.warn_future(&ledger);
            return Ok((ledger, None));
        }
        let history = self.read_history(false)?;
        let mailmapped: Vec<Sig> = history
            .sigs
            .iter()
            .map(|s| {
                let (name, email) = mailmap.map.map(&s.name, &s.email);
                Sig { name, email }
            })
            .collect();
        let github = crate::sources::github::store::load(&self.repo.git, &self.config.history_ref)?;
        // Endorsements are read with libgit2, which refuses some damage our own reader
        // reads past (a malformed author line): then there are none, and the note says why.
        let (endorsements, skipped) = self
            .timed("read endorsements", || {
                crate::sources::endorsements::read(&self.repo, &self.config.docs_dir, head)
            })
            .unwrap_or_else(|e| {
                (
                    Vec::new(),
                    vec![format!("cannot be read ({e}); none counted")],
                )
            });
        for why in &skipped {
            self.note(format_args!("endorsements: {why}"));
        }
        let build = || {
            self.timed("build the ledger", || {
                events::build(events::Inputs {
                    history,
                    mailmapped: &mailmapped,
                    github: &github,
                    docs,
                    endorsements: &endorsements,
                    config: &self.config,
                    repo_owner: owner.as_deref(),
                })
            })
        };
        // With domains, nearly every command also needs the paths each commit changed:
        // diff them on the other cores while this one builds the ledger.
        let ledger = if self.paths.borrow().is_none() && self.has_domains()? {
            let objects = self.objects();
            let cache = self.repo.cache_dir.clone();
            let progress = self.progress();
            let (ledger, paths) = std::thread::scope(|scope| {
                store_history(scope, &self.repo.cache_dir, history);
                let paths = scope.spawn(|| {
                    let start = std::time::Instant::now();
                    let opts = paths::ReadOptions {
                        cache: Some(&cache),
                        progress,
                    };
                    (paths::read(objects, history, &opts), start.elapsed())
                });
                let ledger = build();
                // What building it freed goes back now, while the diffs go on.
                crate::util::return_freed_memory();
                (ledger, paths.join())
            });
            let (paths, took) =
                paths.map_err(|_| anyhow::anyhow!("reading changed paths failed unexpectedly"))?;
            self.took("read changed paths (alongside)", took);
            *self.paths.borrow_mut() = Some(paths?);
            ledger
        } else {
            std::thread::scope(|scope| {
                store_history(scope, &self.repo.cache_dir, history);
                build()
            })
        };
        // The readers' threads are gone and what they freed (inflated trees, delta bases,
        // batches of commits) sits in their pages: hand it back to the system now rather
        // than after mimalloc's delay, before the snapshot allocates afresh. That is where
        // a first run's memory peaked.
        crate::util::return_freed_memory();
        self.warn_future(&ledger);
        Ok((ledger, Some(key)))
    }

    /// Says once, on stderr, that events dated after HEAD were counted at HEAD's date.
    fn warn_future(&self, ledger: &Ledger) {
        self.warn_future_dated(ledger.future, ledger.as_of);
    }

    /// Docs whose front matter could not be read (by the last [`Session::ledger`]).
    pub fn doc_errors(&self) -> Vec<crate::sources::docs::DocError> {
        self.doc_errors.borrow().clone()
    }

    /// Where the repository lives: its GitHub remote and its folder's name.
    pub fn origin(&self) -> crate::snapshot::site::Origin {
        use crate::sources::github::client::Slug;
        let github_remote = self
            .repo
            .git
            .find_remote("origin")
            .ok()
            .and_then(|r| Slug::from_remote_url(r.url().ok()?))
            .filter(|(host, _)| host == "github.com")
            .map(|(_, slug)| slug.to_string());
        let git = &self.repo.git;
        let branch = git
            .find_reference("refs/remotes/origin/HEAD")
            .ok()
            .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
            .and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_string))
            .or_else(|| {
                let head = git.head().ok()?;
                head.is_branch()
                    .then(|| head.shorthand().ok().map(str::to_string))?
            });
        crate::snapshot::site::Origin {
            github_remote,
            folder: crate::snapshot::site::folder_name(self.repo.root()),
            branch,
            doc_updated: Default::default(),
        }
    }

    /// The repository's owner on GitHub: `github:` in `guild.yml`, else the `origin` remote.
    pub fn repo_owner(&self) -> Option<String> {
        use crate::sources::github::client::Slug;
        if let Some(slug) = self.config.github.as_deref().and_then(Slug::parse) {
            return Some(slug.owner);
        }
        let remote = self.repo.git.find_remote("origin").ok()?;
        let (host, slug) = Slug::from_remote_url(remote.url().ok()?)?;
        (host == "github.com" || host.ends_with(".github.com") || host == "ssh.github.com")
            .then_some(slug.owner)
    }

    /// The repository's object store (packs mapped once for every reader).
    pub fn objects(&self) -> &Objects {
        self.repo.objects()
    }

    /// The history reachable from HEAD (from the cache when it is current), read once.
    pub fn history(&self) -> anyhow::Result<&git::History> {
        self.read_history(true)
    }

    /// [`Session::history`]; without `store`, a history read from the repository is left for
    /// the caller to write to the cache ([`git::History::unsaved`]).
    fn read_history(&self, store: bool) -> anyhow::Result<&git::History> {
        if let Some(h) = self.history.get() {
            return Ok(h);
        }
        let head = self.repo.head_commit()?;
        let history = self.timed("read history", || {
            git::read(
                self.objects(),
                head,
                &git::ReadOptions {
                    progress: self.progress(),
                    cache: Some(&self.repo.cache_dir),
                    store,
                },
            )
        })?;
        if self.global.verbose > 1 && history.read_ahead > 0 {
            eprintln!(
                "timing: read history: {} of {} commits inflated ahead of the walk",
                history.read_ahead,
                history.commits.len()
            );
        }
        Ok(self.history.get_or_init(|| history))
    }

    /// Frees the history once the ledger and the changed paths are made: the analyses read
    /// neither (on a million commits it is a third of the memory at the run's peak). A later
    /// need reads it again, from the cache.
    pub fn forget_history(&mut self) {
        self.history.take();
    }

    /// The paths every commit changed (from the cache, or read alongside the ledger).
    pub fn paths(&self) -> anyhow::Result<PathsIndex> {
        if let Some(p) = self.paths.borrow_mut().take() {
            return Ok(p);
        }
        let head = self.repo.head_commit()?;
        let head: [u8; 20] = head.as_bytes().try_into()?;
        if let Some(p) = paths::load_complete(&self.repo.cache_dir, &head) {
            return Ok(p);
        }
        let history = self.history()?;
        self.timed("read changed paths", || {
            paths::read(
                self.objects(),
                history,
                &paths::ReadOptions {
                    cache: Some(&self.repo.cache_dir),
                    progress: self.progress(),
                },
            )
        })
    }

    /// `.mailmap` (and `mailmap.file`, `mailmap.blob`), read once; the lines it skips are
    /// noted on stderr then, whether or not the ledger or the snapshot comes from a cache.
    fn mailmap(&self) -> anyhow::Result<&crate::sources::mailmap::Loaded> {
        if let Some(m) = self.mailmap.get() {
            return Ok(m);
        }
        let loaded = crate::sources::mailmap::Mailmap::load(&self.repo)?;
        for why in &loaded.skipped {
            self.note(format_args!("mailmap: {why}"));
        }
        Ok(self.mailmap.get_or_init(|| loaded))
    }

    /// Everything a snapshot of `parts` is a function of ([`crate::snapshot::cache`]): the
    /// ledger's inputs (HEAD, replace refs and grafts, `.mailmap`, the owner, `guild.yml`, the
    /// synced history, the docs' names, sizes and times, the program version), the CODEOWNERS
    /// file, the `origin` remote and branch, and the sections asked for.
    pub fn snapshot_key(&self, parts: &crate::snapshot::Parts) -> anyhow::Result<u64> {
        let head = self.repo.head_commit()?;
        let mailmap = self.mailmap()?;
        let owner = self.repo_owner();
        let ledger = self.ledger_key(head, &mailmap.texts, owner.as_deref())?;
        let mut key = events::cache::KeyBuilder::default();
        key.add(ledger.0)
            .add(format!("{parts:?}"))
            .add(format!("{:?}", self.origin()))
            .add(format!("{:?}", self.domain_set()?.1));
        Ok(key.finish().0)
    }

    /// Says once, on stderr, that events dated after HEAD were counted at HEAD's date (for a
    /// snapshot loaded from the cache, with the ledger's numbers stored beside it).
    pub fn warn_future_dated(&self, f: events::FutureDated, as_of: i64) {
        if f.events > 0 && !self.global.quiet {
            eprintln!(
                "warning: {} event(s) are dated after HEAD's commit (the latest {}); they are counted at {}, HEAD's date\n  fix: nothing to do unless a clock was wrong; a doc's `date:` can be corrected in its front matter",
                f.events,
                crate::util::day(f.latest),
                crate::util::day(as_of)
            );
        }
    }

    /// Everything the ledger is a function of.
    fn ledger_key(
        &self,
        head: git2::Oid,
        mailmap: &[String],
        owner: Option<&str>,
    ) -> anyhow::Result<events::cache::Key> {
        if let Some(key) = self.ledger_key.get() {
            return Ok(*key);
        }
        let mut key = events::cache::KeyBuilder::default();
        key.add(head.as_bytes());
        key.add(self.objects().rewrites_key());
        key.add(mailmap);
        key.add(owner);
        key.add(serde_json::to_string(&self.config)?);
        key.add(
            self.repo
                .git
                .refname_to_id(&self.config.history_ref)
                .ok()
                .map(|o| o.to_string()),
        );
        if let Some(wd) = &self.repo.workdir {
            key.add_tree_stat(&wd.join(&self.config.docs_dir));
        }
        Ok(*self.ledger_key.get_or_init(|| key.finish()))
    }
}

/// The domains (from `guild.yml`, else CODEOWNERS) and the CODEOWNERS file, if any.
pub(crate) type DomainSource = (Option<DomainSet>, Option<Codeowners>);

impl Session {
    /// [`DomainSource`], read and compiled once per session (the ledger asks first, to know
    /// whether to diff paths; the analyses ask again); CODEOWNERS lines it skips are noted
    /// once.
    fn domain_set(&self) -> anyhow::Result<&DomainSource> {
        if let Some(d) = self.domains.get() {
            return Ok(d);
        }
        let co = codeowners::load(&self.repo)?;
        if let Some(co) = &co {
            for (line, msg) in &co.errors {
                self.note(format_args!("{}:{line}: {msg} (line skipped)", co.file));
            }
        }
        let set = match DomainSet::from_config(&self.config.domains)? {
            Some(s) => Some(s),
            None => co.as_ref().and_then(DomainSet::from_codeowners),
        };
        Ok(self.domains.get_or_init(|| (set, co)))
    }

    /// The names of the domains `paths` fall in (none without domains).
    pub fn domains_of_paths(
        &self,
        paths: &[String],
    ) -> anyhow::Result<std::collections::BTreeSet<String>> {
        let mut out = std::collections::BTreeSet::new();
        if let Some(set) = &self.domain_set()?.0 {
            for p in paths {
                for d in set.of_path(p) {
                    out.extend(set.names.get(d as usize).cloned());
                }
            }
        }
        Ok(out)
    }

    /// Whether the repository has domains (so commands will need changed paths).
    fn has_domains(&self) -> anyhow::Result<bool> {
        Ok(self.domain_set()?.0.is_some())
    }

    /// Domains with the changed paths of every commit and the files at HEAD, or `None` when
    /// there are no domains: then nothing is diffed at all.
    pub fn ownership(&self) -> anyhow::Result<Option<Ownership>> {
        self.ownership_with(true)
    }

    /// [`Session::ownership`] without the files at HEAD (only the domains section counts
    /// them): enough for the domains of events.
    pub fn ownership_for_events(&self) -> anyhow::Result<Option<Ownership>> {
        self.ownership_with(false)
    }

    fn ownership_with(&self, head_files: bool) -> anyhow::Result<Option<Ownership>> {
        let (Some(set), co) = self.domain_set()? else {
            return Ok(None);
        };
        let paths = self.paths()?;
        let head_files = if head_files {
            paths::tree_files(self.objects(), self.repo.head_commit()?)?
        } else {
            Vec::new()
        };
        Ok(Some(Ownership {
            set: set.clone(),
            paths,
            head_files,
            codeowners: co.clone(),
        }))
    }

    /// The domain of every event, or `None` without domains (for the cross-domain bonus).
    pub fn event_domains(
        &self,
        ledger: &Ledger,
    ) -> anyhow::Result<Option<crate::analysis::EventDomains>> {
        let ownership = self.ownership_for_events()?;
        Ok(self.timed("domains of events", || {
            ownership.map(|o| domains::event_domains(ledger, &o))
        }))
    }
}

/// Writes the history cache on another thread of `scope` when the history was read without
/// writing it ([`git::History::unsaved`]): the ledger is built meanwhile.
fn store_history<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    cache: &'env std::path::Path,
    history: &'env git::History,
) {
    if history.unsaved {
        // A read-only repository simply runs without a cache.
        scope.spawn(move || {
            let _ = git::store(cache, history);
        });
    }
}

/// Writes the ledger cache under `key` in the cache folder `dir`.
pub fn store_ledger(dir: &std::path::Path, key: events::cache::Key, ledger: &Ledger) {
    // A read-only repository simply runs without a cache.
    let _ = events::cache::store(dir, key, ledger);
}
