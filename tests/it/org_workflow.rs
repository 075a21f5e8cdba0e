//! examples/guild-org.yml run locally over three repositories, as a runner would run it:
//! each job's steps in order, `run:` scripts with bash and the env the workflow sets, the
//! `uses:` steps played by the test (checkout clones from a local "server", the cache is a
//! map from key to file, artifacts a folder). `cargo` is a stand-in that runs the test
//! binary for `cargo guild` and does nothing for `cargo install`; the GitHub API is the fake
//! one on 127.0.0.1.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::Repo;

fn workflow() -> (String, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/guild-org.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let wf = cargo_guild::config::yaml::value_from_str(&text, &path, 0).unwrap();
    (text, wf)
}

/// `${{ a }}` replaced by `ctx["a"]` (unknown expressions fail the test).
fn expand(text: &str, ctx: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}").expect("closed expression") + at;
        let expr = rest[at + 3..end].trim();
        out.push_str(
            ctx.get(expr)
                .unwrap_or_else(|| panic!("the test does not know `{expr}`")),
        );
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The one form of `if:` the workflow uses: `steps.x.outputs.y != 'true'`.
fn condition(cond: &str, ctx: &BTreeMap<String, String>) -> bool {
    let (left, right) = cond.split_once("!=").expect("an `!=` condition");
    let value = ctx.get(left.trim()).cloned().unwrap_or_default();
    value != right.trim().trim_matches('\'')
}

struct World {
    root: tempfile::TempDir,
    /// Cache key → the cached file's bytes.
    cache: BTreeMap<String, Vec<u8>>,
    /// Every `cargo` call, one line each.
    log: PathBuf,
    github: crate::support::fake_github::FakeGithub,
}

impl World {
    fn new() -> World {
        let root = tempfile::tempdir().unwrap();
        let bin = root.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let cargo = bin.join("cargo");
        std::fs::write(
            &cargo,
            "#!/bin/sh\necho \"$*\" >> \"$CARGO_LOG\"\ncase \"$1\" in\n  install) exit 0 ;;\n  guild) exec \"$GUILD_BIN\" \"$@\" ;;\nesac\nexit 2\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::create_dir_all(root.path().join("server/acme")).unwrap();
        std::fs::create_dir_all(root.path().join("artifacts")).unwrap();
        let log = root.path().join("cargo.log");
        World {
            root,
            cache: BTreeMap::new(),
            log,
            github: crate::support::fake_github::FakeGithub::start(),
        }
    }

    fn publish(&self, name: &str, repo: &Repo) {
        std::os::unix::fs::symlink(repo.path(), self.root.path().join("server/acme").join(name))
            .unwrap();
    }

    fn cargo_calls(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Runs job `name` in `work` with the expression values `ctx`; panics on a failed step.
    fn job(&mut self, wf: &Value, name: &str, work: &Path, mut ctx: BTreeMap<String, String>) {
        let bin = self.root.path().join("bin");
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        for (k, v) in wf["env"].as_object().unwrap() {
            ctx.insert(format!("env.{k}"), v.as_str().unwrap().to_string());
        }
        let mut saves: Vec<(String, PathBuf)> = Vec::new();
        for (i, step) in wf["jobs"][name]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            if let Some(cond) = step["if"].as_str() {
                if !condition(cond, &ctx) {
                    continue;
                }
            }
            let with = |k: &str| expand(step["with"][k].as_str().unwrap_or_default(), &ctx);
            let uses = step["uses"].as_str().unwrap_or_default();
            let id = step["id"].as_str().unwrap_or_default().to_string();
            let mut outputs: Vec<(String, String)> = Vec::new();
            if uses.starts_with("actions/cache@") {
                let (key, file) = (with("key"), work.join(with("path")));
                let hit = self.cache.get(&key);
                if let Some(bytes) = hit {
                    std::fs::write(&file, bytes).unwrap();
                }
                outputs.push(("cache-hit".into(), hit.is_some().to_string()));
                saves.push((key, file));
            } else if uses.starts_with("actions/checkout@") && name == "export" {
                let from = self.root.path().join("server").join(with("repository"));
                let to = work.join(with("path"));
                let ok = Command::new("git")
                    .args(["clone", "-q"])
                    .arg(&from)
                    .arg(&to)
                    .status()
                    .unwrap();
                assert!(ok.success());
                let ok = Command::new("git")
                    .arg("-C")
                    .arg(&to)
                    .args(["checkout", "-q", &with("ref")])
                    .status()
                    .unwrap();
                assert!(ok.success());
            } else if uses.starts_with("actions/upload-artifact@") {
                let file = work.join(with("path"));
                let to = self
                    .root
                    .path()
                    .join("artifacts")
                    .join(file.file_name().unwrap());
                std::fs::copy(&file, to).unwrap();
            } else if uses.starts_with("actions/download-artifact@") {
                let to = work.join(with("path"));
                std::fs::create_dir_all(&to).unwrap();
                for f in std::fs::read_dir(self.root.path().join("artifacts")).unwrap() {
                    let f = f.unwrap().path();
                    std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
                }
            } else if uses.starts_with("actions/upload-pages-artifact@") {
                assert!(work.join(with("path")).join("index.html").is_file());
            } else if let Some(script) = step["run"].as_str() {
                assert!(!script.contains("${{"), "an expression in run: {script}");
                let out_file = work.join(format!("{name}-{i}-output.txt"));
                std::fs::write(&out_file, "").unwrap();
                let dir = match step["working-directory"].as_str() {
                    Some(d) => work.join(d),
                    None => work.to_path_buf(),
                };
                let mut cmd = Command::new("bash");
                cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
                    .current_dir(dir)
                    .env_clear()
                    .env("PATH", &path)
                    .env("HOME", work)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .env("GIT_CONFIG_GLOBAL", "/dev/null")
                    .env("GITHUB_OUTPUT", &out_file)
                    .env("CARGO_LOG", &self.log)
                    .env("GUILD_BIN", env!("CARGO_BIN_EXE_cargo-guild"))
                    .envs(self.github.env());
                for (k, v) in wf["env"].as_object().unwrap() {
                    cmd.env(k, v.as_str().unwrap());
                }
                for (k, v) in step["env"].as_object().into_iter().flatten() {
                    cmd.env(k, expand(v.as_str().unwrap(), &ctx));
                }
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{name}: step {i} failed:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                let text = std::fs::read_to_string(&out_file).unwrap();
                for line in text.lines() {
                    if let Some((k, v)) = line.split_once('=') {
                        outputs.push((k.to_string(), v.to_string()));
                    }
                }
            }
            for (k, v) in outputs {
                ctx.insert(format!("steps.{id}.outputs.{k}"), v);
            }
        }
        // The cache's post step: a missed key is saved.
        for (key, file) in saves {
            self.cache
                .entry(key)
                .or_insert_with(|| std::fs::read(&file).unwrap());
        }
    }

    /// The export job for `repo` (one matrix entry), in a fresh runner folder.
    fn export(&mut self, wf: &Value, repo: &str) {
        let work = self
            .root
            .path()
            .join(format!("runner-{repo}-{}", self.cache.len()));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap();
        let ctx = BTreeMap::from([
            ("matrix.repo".to_string(), repo.to_string()),
            ("github.repository_owner".to_string(), "acme".to_string()),
            (
                "github.server_url".to_string(),
                self.root.path().join("server").display().to_string(),
            ),
            ("secrets.GUILD_ORG_TOKEN".to_string(), String::new()),
        ]);
        self.job(wf, "export", &work, ctx);
    }
}

fn repo(author: &str, reviewer: &str) -> Repo {
    let r = Repo::new();
    r.commit_by(author, "2024-01-02", "init").merge_pr_full(
        1,
        author,
        reviewer,
        "2024-01-05",
        "First",
        Some("src/a.rs"),
        &format!("Reviewed-by: {reviewer}"),
    );
    r
}

#[test]
fn the_organisation_workflow_runs_over_three_repositories_and_reuses_unchanged_ledgers() {
    let (text, wf) = workflow();
    let mut world = World::new();
    let repos = [
        (
            "alpha",
            repo("Ann <ann@corp.example>", "Bo <bo@corp.example>"),
        ),
        (
            "beta",
            repo("Cy <cy@corp.example>", "Ann <ann@corp.example>"),
        ),
        (
            "gamma",
            repo("Di <di@corp.example>", "Cy <cy@corp.example>"),
        ),
    ];
    for (name, r) in &repos {
        world.publish(name, r);
    }
    for (name, _) in &repos {
        world.export(&wf, name);
    }
    let exports = |w: &World| {
        w.cargo_calls()
            .iter()
            .filter(|c| c.contains(" export "))
            .count()
    };
    assert_eq!(exports(&world), 3, "{:?}", world.cargo_calls());
    // Keyed on each repository's HEAD and the cargo guild version.
    for (name, r) in &repos {
        let head = r.git(&["rev-parse", "HEAD"]);
        let key = format!(
            "guild-ledger-{name}-{}-{}",
            head.trim(),
            wf["env"]["GUILD_TAG"].as_str().unwrap()
        );
        assert!(
            world.cache.contains_key(&key),
            "{key} not in {:?}",
            world.cache.keys()
        );
    }
    // The reduce: the site over the three ledgers, with the organisation's guild.yml.
    let org = world.root.path().join("org");
    std::fs::create_dir_all(&org).unwrap();
    std::fs::write(org.join("guild.yml"), "name: Acme\n").unwrap();
    world.job(&wf, "site", &org, BTreeMap::new());
    let index = std::fs::read_to_string(org.join("_site/search-index.json")).unwrap();
    for who in ["Ann", "Bo", "Cy", "Di"] {
        assert!(index.contains(who), "{who} is not on the site");
    }
    // A second run: nothing changed, nothing is exported again; then beta gets a commit.
    for (name, _) in &repos {
        world.export(&wf, name);
    }
    assert_eq!(
        exports(&world),
        3,
        "an unchanged repository was exported again"
    );
    repos[1]
        .1
        .commit_by("Cy <cy@corp.example>", "2024-02-01", "more");
    for (name, _) in &repos {
        world.export(&wf, name);
    }
    let calls = world.cargo_calls();
    assert_eq!(exports(&world), 4, "{calls:?}");
    assert!(calls.last().unwrap().contains("beta"), "{calls:?}");
    // Every action pinned to a full commit with its version beside it.
    for line in text.lines().filter(|l| l.contains("uses:")) {
        let pin = line.split('@').nth(1).unwrap_or_default();
        let sha = pin.split_whitespace().next().unwrap_or_default();
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) && pin.contains("# "),
            "not pinned to a commit with a version comment: {line}"
        );
    }
    // Least privilege: nothing by default, each job its own.
    assert_eq!(wf["permissions"], serde_json::json!({}));
    for (job, spec) in wf["jobs"].as_object().unwrap() {
        assert!(
            spec["permissions"].is_object(),
            "job {job} declares no permissions"
        );
    }
    assert_eq!(wf["jobs"]["export"]["permissions"], serde_json::json!({}));
}
