//! Test support: a fluent builder for temporary repositories with commits at pinned dates,
//! and a runner for the real `cargo-guild` binary.

#![allow(dead_code)]

pub mod fake_github;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// A temporary Git repository built commit by commit with the real `git`.
pub struct Repo {
    dir: TempDir,
    /// Environment for every `git` and `cargo-guild` call.
    env: Vec<(String, String)>,
}

/// "Name <email>" or a bare name (e-mail `name@example.com`).
pub fn ident(who: &str) -> (String, String) {
    match (who.rfind('<'), who.ends_with('>')) {
        (Some(i), true) => (
            who[..i].trim().to_string(),
            who[i + 1..who.len() - 1].to_string(),
        ),
        _ => (
            who.to_string(),
            format!("{}@example.com", who.to_lowercase().replace(' ', ".")),
        ),
    }
}

/// `2024-05-01` or a full date → a git date at noon UTC.
fn git_date(date: &str) -> String {
    if date.len() == 10 {
        format!("{date}T12:00:00+00:00")
    } else {
        date.to_string()
    }
}

impl Default for Repo {
    fn default() -> Self {
        Self::new()
    }
}

impl Repo {
    /// An empty repository on branch `main`.
    pub fn new() -> Repo {
        let dir = tempfile::Builder::new()
            .prefix("guild-test")
            .tempdir()
            .expect("tempdir");
        let env = vec![
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            ("GIT_CONFIG_GLOBAL".into(), "/dev/null".into()),
            ("HOME".into(), dir.path().to_string_lossy().into_owned()),
        ];
        let repo = Repo { dir, env };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository and returns its stdout; panics on failure.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_env(args, &[])
    }

    pub fn git_env(&self, args: &[&str], extra: &[(&str, String)]) -> String {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(self.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Feeds `stream` to `git fast-import` (a process per commit would take minutes for
    /// the hundreds a test needs); panics on failure.
    pub fn fast_import(&self, stream: &[u8]) {
        use std::io::Write as _;
        let mut cmd = Command::new("git");
        cmd.args(["fast-import", "--quiet"])
            .current_dir(self.path())
            .stdin(std::process::Stdio::piped());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("git fast-import runs");
        child.stdin.take().unwrap().write_all(stream).unwrap();
        assert!(child.wait().unwrap().success(), "git fast-import failed");
    }

    /// Writes a file (creating folders) in the working tree.
    pub fn write(&self, path: &str, content: &str) -> &Self {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }

    /// Commits everything in the working tree (empty commits allowed) as `author` at `date`;
    /// the committer is the author unless `committer` is given.
    pub fn commit_full(
        &self,
        author: &str,
        committer: Option<&str>,
        date: &str,
        message: &str,
    ) -> String {
        let (an, ae) = ident(author);
        let (cn, ce) = committer.map(ident).unwrap_or((an.clone(), ae.clone()));
        let d = git_date(date);
        self.git(&["add", "-A"]);
        // Through a file: a message may be longer than an argument can be.
        let msg_file = self.path().join(".git/GUILD_TEST_MSG");
        std::fs::write(&msg_file, message).unwrap();
        self.git_env(
            &[
                "commit",
                "-q",
                "--allow-empty",
                "--no-verify",
                "--cleanup=verbatim",
                "-F",
                msg_file.to_str().unwrap(),
            ],
            &[
                ("GIT_AUTHOR_NAME", an),
                ("GIT_AUTHOR_EMAIL", ae),
                ("GIT_AUTHOR_DATE", d.clone()),
                ("GIT_COMMITTER_NAME", cn),
                ("GIT_COMMITTER_EMAIL", ce),
                ("GIT_COMMITTER_DATE", d),
            ],
        );
        self.git(&["rev-parse", "HEAD"])
    }

    /// Commits as `author` at `date`.
    pub fn commit_by(&self, author: &str, date: &str, message: &str) -> &Self {
        self.commit_full(author, None, date, message);
        self
    }

    /// A GitHub-style merged pull request: a branch with one commit by `author` (touching
    /// `path` when given), merged with `--no-ff` by `merger` as
    /// `Merge pull request #N from <owner>/pr-N` with the title in the body.
    #[allow(clippy::too_many_arguments)] // a test builder reads best with the PR's facts in a row
    pub fn merge_pr_full(
        &self,
        number: u64,
        author: &str,
        merger: &str,
        date: &str,
        title: &str,
        path: Option<&str>,
        trailers: &str,
    ) -> &Self {
        let branch = format!("pr-{number}");
        let owner = ident(author).0.to_lowercase().replace(' ', "-");
        self.git(&["checkout", "-q", "-b", &branch]);
        if let Some(p) = path {
            let full = self.path().join(p);
            let old = std::fs::read_to_string(&full).unwrap_or_default();
            self.write(p, &format!("{old}change for #{number}\n"));
        }
        let msg = if trailers.is_empty() {
            title.to_string()
        } else {
            format!("{title}\n\n{trailers}")
        };
        self.commit_by(author, date, &msg);
        self.git(&["checkout", "-q", "main"]);
        self.merge_branch(
            &branch,
            merger,
            date,
            &format!("Merge pull request #{number} from {owner}/{branch}\n\n{title}"),
        )
    }

    /// A branch of commits `(author, date, message)` merged with `--no-ff` by `merger` at
    /// `date` with the merge message `message` (any shape: `Title (#N)` from a merge queue,
    /// `Merge branch 'ab/topic'`, `Auto merge of #N - login:branch, r=x`...).
    pub fn merge_side(
        &self,
        side: &[(&str, &str, &str)],
        merger: &str,
        date: &str,
        message: &str,
    ) -> &Self {
        self.git(&["checkout", "-q", "-b", "side"]);
        for (author, d, msg) in side {
            self.commit_by(author, d, msg);
        }
        self.git(&["checkout", "-q", "main"]);
        self.merge_branch("side", merger, date, message)
    }

    /// Merges `branch` into `main` with `--no-ff` as `merger` at `date`, then deletes it.
    fn merge_branch(&self, branch: &str, merger: &str, date: &str, message: &str) -> &Self {
        let (mn, me) = ident(merger);
        let d = git_date(date);
        self.git_env(
            &["merge", "-q", "--no-ff", branch, "-m", message],
            &[
                ("GIT_AUTHOR_NAME", mn.clone()),
                ("GIT_AUTHOR_EMAIL", me.clone()),
                ("GIT_AUTHOR_DATE", d.clone()),
                ("GIT_COMMITTER_NAME", mn),
                ("GIT_COMMITTER_EMAIL", me),
                ("GIT_COMMITTER_DATE", d),
            ],
        );
        self.git(&["branch", "-q", "-D", branch]);
        self
    }

    /// `merge_pr_full` with no path and no trailers.
    pub fn merge_pr(&self, number: u64, author: &str, merger: &str, date: &str) -> &Self {
        self.merge_pr_full(
            number,
            author,
            merger,
            date,
            &format!("Change number {number}"),
            None,
            "",
        )
    }

    /// A squash-merged pull request made on the web: `Title (#N)` by `author`, committed by GitHub.
    pub fn squash_pr(&self, number: u64, author: &str, date: &str, title: &str) -> &Self {
        self.commit_full(
            author,
            Some("GitHub <noreply@github.com>"),
            date,
            &format!("{title} (#{number})"),
        );
        self
    }

    /// Runs the real binary in the repository.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_in(self.path(), args)
    }

    /// Runs the real binary in the repository with extra environment variables.
    pub fn run_env<I, S>(&self, args: I, env: &[(String, String)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().map(|(k, v)| (k, v)));
        Run(cmd.output().expect("cargo-guild runs"))
    }

    /// The real binary, set up to run in the repository (for tests that spawn and kill it).
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.prepared(&[], self.path(), args)
    }

    /// [`guild_under`] `wrapper` with `args`, in `dir`, with the repository's environment.
    fn prepared<I, S>(&self, wrapper: &[&str], dir: &Path, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = guild_under(wrapper);
        cmd.args(args).current_dir(dir);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the real binary in the repository, started by `wrapper` (see [`guild_under`]).
    pub fn run_under<I, S>(&self, wrapper: &[&str], args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_with(wrapper, self.path(), args)
    }

    /// Runs the real binary in `dir`.
    pub fn run_in<I, S>(&self, dir: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_with(&[], dir, args)
    }

    fn run_with<I, S>(&self, wrapper: &[&str], dir: &Path, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Run(self
            .prepared(wrapper, dir, args)
            .output()
            .expect("cargo-guild runs"))
    }
}

/// The binary under test, with an environment free of the runner's GitHub variables.
pub fn guild() -> Command {
    guild_under(&[])
}

/// [`guild`] started by another program (`wrapper`, e.g. `["taskset", "-c", "0"]`), which is
/// given the binary and then its arguments.
pub fn guild_under(wrapper: &[&str]) -> Command {
    let bin = env!("CARGO_BIN_EXE_cargo-guild");
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut cmd = Command::new(program);
            cmd.args(args).arg(bin);
            cmd
        }
        None => Command::new(bin),
    };
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k == "GH_TOKEN" || k.starts_with("GUILD_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The result of a run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts exit 0 and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self.stdout()
    }
    /// Asserts exit 0 and parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok()).expect("stdout is JSON")
    }
    /// Asserts the exit code and returns stderr.
    #[track_caller]
    pub fn fails_with(&self, code: i32) -> String {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        assert!(
            !self.stderr().contains("panicked"),
            "panicked:\n{}",
            self.stderr()
        );
        self.stderr()
    }
}

/// The `id`s of a JSON array of people (or rows), or of the `people` of a snapshot, in order.
#[track_caller]
pub fn ids(list: &serde_json::Value) -> Vec<String> {
    list.get("people")
        .unwrap_or(list)
        .as_array()
        .expect("an array of objects with an id")
        .iter()
        .map(|x| x["id"].as_str().expect("id").to_string())
        .collect()
}

/// The person with `id` in a `context --json` or `reputation --format json` document.
#[track_caller]
pub fn person<'a>(people: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    let list = people.get("people").unwrap_or(people);
    list.as_array()
        .expect("people array")
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no person {id} in {list:#}"))
}

/// Where `../shared` is, if present (a user's clone has none).
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.exists().then_some(p)
}

/// Skips a test locally when a required resource is missing, but fails under `CI=true`.
#[macro_export]
macro_rules! require {
    ($cond:expr, $what:expr) => {
        if !$cond {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("required under CI=true: {}", $what);
            }
            eprintln!("skipped: {} is not available here", $what);
            return;
        }
    };
}

/// Whether `python3` can import `module` (the real parsers the tests check output with).
pub fn python_has(module: &str) -> bool {
    Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Validates `dir/file` against `dir/schema.json` with Python's `jsonschema` (draft
/// 2020-12), after checking the schema itself.
pub fn validate_with_schema(dir: &Path, file: &str) -> std::process::Output {
    Command::new("python3")
        .current_dir(dir)
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open('schema.json'))\n\
             jsonschema.Draft202012Validator.check_schema(schema)\n\
             jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[1])))",
            file,
        ])
        .output()
        .unwrap()
}
