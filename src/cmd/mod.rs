//! One module per subcommand, each with one entry point `execute`. [`Session`] is what they
//! share: the opened repository, the configuration, and (only when asked) the ledger.

pub mod action;
pub mod context;
pub mod docs;
pub mod domains;
pub mod explain;
pub mod init;
pub mod network;
pub mod new;
pub mod newcomers;
pub mod reputation;
pub mod site;
pub mod suggest_reviewers;
pub mod sync;

use std::io::IsTerminal as _;
use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{Cli, ColorChoice, Command, GlobalOpts};
use crate::config::Config;
use crate::events::{self, Ledger};
use crate::exit::Outcome;
use crate::sources::git::{self, Sig};
use crate::sources::odb::Objects;
use crate::sources::paths::{self, PathsIndex};
use crate::sources::repo::Repo;

/// Dispatches to the subcommand.
pub fn execute(cli: Cli) -> anyhow::Result<Outcome> {
    let g = cli.global;
    match cli.command {
        Command::Init(a) => init::execute(&g, a),
        Command::Reputation(a) => reputation::execute(&g, a),
        Command::Explain(a) => explain::execute(&g, a),
        Command::Context(a) => context::execute(&g, a),
        Command::Network(a) => network::execute(&g, a),
        Command::Domains(a) => domains::execute(&g, a),
        Command::Newcomers(a) => newcomers::execute(&g, a),
        Command::SuggestReviewers(a) => suggest_reviewers::execute(&g, a),
        Command::Sync(a) => sync::execute(&g, a),
        Command::New(a) => new::execute(&g, a),
        Command::Docs(a) => docs::execute(&g, a),
        Command::Site(a) => site::execute(&g, a),
        Command::Action(a) => action::execute(&g, a),
    }
}

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
    /// The object store, opened once (see [`Session::objects`]).
    objects: std::cell::OnceCell<Objects>,
    /// The domains and CODEOWNERS, read once (see `domains::domain_set`).
    domains: std::cell::OnceCell<domains::DomainSource>,
}

impl Session {
    /// Opens the repository and reads `guild.yml` (defaults when there is none).
    pub fn open(global: &GlobalOpts) -> anyhow::Result<Session> {
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
            objects: std::cell::OnceCell::new(),
            domains: std::cell::OnceCell::new(),
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
            eprintln!("timing: {phase}: {:.3}s", elapsed.as_secs_f64());
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
        let head = self.repo.head_commit()?;
        if self.repo.head_detached() && self.global.verbose > 0 {
            self.note(format_args!(
                "HEAD is detached at {head:.10}; reading history from there"
            ));
        }
        let (docs, _errors) = self.timed("read docs", || match &self.repo.workdir {
            Some(wd) => crate::sources::docs::load(wd, &self.config.docs_dir),
            None => (Vec::new(), Vec::new()),
        });
        let key = self.timed("ledger cache key", || self.ledger_key(head))?;
        if let Some(mut ledger) = self.timed("load the ledger cache", || {
            events::cache::load(&self.repo.cache_dir, key)
        }) {
            ledger.docs = docs;
            return Ok(ledger);
        }
        let history = self.history()?;
        let mailmapped = mailmap(&self.repo.git, &history.sigs);
        let github = crate::sources::github::store::load(&self.repo.git, &self.config.history_ref)?;
        let build = || {
            self.timed("build the ledger", || {
                events::build(events::Inputs {
                    history,
                    mailmapped: &mailmapped,
                    github: &github,
                    docs,
                    config: &self.config,
                })
            })
        };
        // With domains, nearly every command also needs the paths each commit changed:
        // diff them on the other cores while this one builds the ledger.
        let ledger = if self.paths.borrow().is_none() && domains::has_domains(self)? {
            let objects = self.objects();
            let cache = self.repo.cache_dir.clone();
            let progress = self.progress();
            let (ledger, paths) = std::thread::scope(|scope| {
                let paths = scope.spawn(|| {
                    let start = std::time::Instant::now();
                    let opts = paths::ReadOptions {
                        cache: Some(&cache),
                        progress,
                    };
                    (paths::read(objects, history, &opts), start.elapsed())
                });
                let ledger = build();
                (ledger, paths.join())
            });
            let (paths, took) =
                paths.map_err(|_| anyhow::anyhow!("reading changed paths failed unexpectedly"))?;
            self.took("read changed paths (alongside)", took);
            *self.paths.borrow_mut() = Some(paths?);
            ledger
        } else {
            build()
        };
        // A read-only repository simply runs without a cache.
        let _ = events::cache::store(&self.repo.cache_dir, key, &ledger);
        Ok(ledger)
    }

    /// The repository's object store (packs mapped once for every reader).
    pub fn objects(&self) -> &Objects {
        self.objects.get_or_init(|| Objects::open(&self.repo.git))
    }

    /// The history reachable from HEAD (from the cache when it is current), read once.
    pub fn history(&self) -> anyhow::Result<&git::History> {
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
                },
            )
        })?;
        Ok(self.history.get_or_init(|| history))
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

    /// Everything the ledger is a function of.
    fn ledger_key(&self, head: git2::Oid) -> anyhow::Result<events::cache::Key> {
        let mut key = events::cache::KeyBuilder::default();
        key.add(head.as_bytes());
        key.add(self.objects().rewrites_key());
        key.add(serde_json::to_string(&self.config)?);
        key.add(
            self.repo
                .git
                .refname_to_id(&self.config.history_ref)
                .ok()
                .map(|o| o.to_string()),
        );
        key.add(self.repo.read_root_file(".mailmap")?);
        if let Some(wd) = &self.repo.workdir {
            key.add_tree_stat(&wd.join(&self.config.docs_dir));
        }
        Ok(key.finish())
    }
}

/// Applies `.mailmap` (libgit2 reads it from the working tree, or HEAD in a bare repository).
fn mailmap(repo: &git2::Repository, sigs: &[Sig]) -> Vec<Sig> {
    let Ok(map) = repo.mailmap() else {
        return sigs.to_vec();
    };
    sigs.iter()
        .map(|s| {
            git2::Signature::now(&s.name, &s.email)
                .ok()
                .and_then(|sig| map.resolve_signature(&sig).ok())
                .map(|r| Sig {
                    name: String::from_utf8_lossy(r.name_bytes()).into_owned(),
                    email: String::from_utf8_lossy(r.email_bytes()).into_owned(),
                })
                .unwrap_or_else(|| s.clone())
        })
        .collect()
}

/// Parses `--since` into Unix seconds.
pub fn since(s: Option<&str>) -> anyhow::Result<Option<i64>> {
    s.map(|d| crate::util::parse_date(d).context("in --since"))
        .transpose()
}

/// Standard output, buffered: a locked stdout alone flushes at every newline, one system
/// call per line of a table or of pretty JSON. Callers flush at the end.
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock())
}

/// Writes JSON (pretty, trailing newline) to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}
