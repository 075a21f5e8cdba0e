//! `action.yml` itself: its inputs, the composite steps run locally, and the workflows.

use super::*;

// ---- action.yml ------------------------------------------------------------------------------

pub(super) fn action_yml() -> (String, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let value = cargo_guild::config::yaml::value_from_str(&text, &path, 0).unwrap();
    (text, value)
}

/// Every `${{ ... }}` expression in a text.
pub(super) fn expressions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${{") {
        let Some(j) = rest[i..].find("}}") else { break };
        out.push(rest[i + 3..i + j].trim().to_string());
        rest = &rest[i + j + 2..];
    }
    out
}

/// `inputs.name` references in an expression (also `inputs['name']`-free by construction).
pub(super) fn input_refs(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("inputs.") {
        let name: String = rest[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        out.push(name);
        rest = &rest[i + 7..];
    }
    out
}

#[test]
fn action_yml_declares_every_input_it_uses_and_never_interpolates_into_run() {
    let (text, action) = action_yml();
    assert_eq!(action["runs"]["using"], "composite");
    let declared: Vec<String> = action["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for want in [
        "command",
        "token",
        "request-reviewers",
        "site-dir",
        "config",
        "version",
    ] {
        assert!(
            declared.iter().any(|d| d == want),
            "input {want} is not declared"
        );
    }
    assert_eq!(action["inputs"]["token"]["default"], "${{ github.token }}");
    let used: Vec<String> = expressions(&text)
        .iter()
        .flat_map(|e| input_refs(e))
        .collect();
    assert!(!used.is_empty());
    for u in &used {
        assert!(declared.contains(u), "inputs.{u} is used but not declared");
    }
    for d in &declared {
        assert!(used.contains(d), "input {d} is declared but never used");
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    let mut runs = 0;
    for step in steps {
        if let Some(run) = step.get("run").and_then(Value::as_str) {
            runs += 1;
            assert!(
                !run.contains("${{"),
                "a run: script interpolates an expression (script injection): {run}"
            );
            assert_eq!(step["shell"], "bash");
        }
    }
    assert!(runs >= 2);
    for (name, out) in action["outputs"].as_object().unwrap() {
        let v = out["value"].as_str().unwrap();
        assert_eq!(v, format!("${{{{ steps.run.outputs.{name} }}}}"));
    }
}

/// Evaluates the few expressions action.yml uses in `env:`, the way the runner would.
pub(super) fn eval(expr: &str, ctx: &BTreeMap<String, String>) -> String {
    ctx.get(expr)
        .cloned()
        .unwrap_or_else(|| panic!("the test does not know the expression `{expr}`"))
}

/// Runs the composite action's `run:` steps with bash, as the runner would: the step's
/// `env:` evaluated, the job's environment, a fresh GITHUB_OUTPUT per step whose outputs
/// feed `steps.<id>.outputs.*`. `uses:` steps (the cache) are skipped. The install step is
/// pointed at the test binary through CARGO_GUILD_BIN, the documented override.
pub(super) fn run_action(
    repo: &Repo,
    inputs: &[(&str, &str)],
    job_env: &[(String, String)],
    work: &Path,
) -> (i32, String, BTreeMap<String, String>) {
    let steps = Steps {
        binary: true,
        ..Steps::default()
    };
    let (code, stdout, outputs) = steps.run(repo, inputs, job_env, work);
    assert_eq!(code, 0, "a step failed:\n{stdout}");
    (code, stdout, outputs)
}

/// How [`run_action`] runs the steps.
#[derive(Default)]
pub(super) struct Steps {
    /// Set CARGO_GUILD_BIN to the test binary.
    pub binary: bool,
    /// Expression values to use instead of the defaults (`github.action_path`, ...).
    pub context: Vec<(&'static str, String)>,
    /// Stop after the step with this id.
    pub until: Option<&'static str>,
}

impl Steps {
    /// Runs until a step fails or `until`; returns (the last exit code, stdout and stderr
    /// of every step run, the action's outputs).
    pub(super) fn run(
        &self,
        repo: &Repo,
        inputs: &[(&str, &str)],
        job_env: &[(String, String)],
        work: &Path,
    ) -> (i32, String, BTreeMap<String, String>) {
        let (_, action) = action_yml();
        let mut ctx: BTreeMap<String, String> = BTreeMap::new();
        for (name, spec) in action["inputs"].as_object().unwrap() {
            let default = spec["default"].as_str().unwrap_or("").to_string();
            ctx.insert(format!("inputs.{name}"), default);
        }
        ctx.insert("github.token".into(), "".into());
        for (k, v) in inputs {
            ctx.insert(format!("inputs.{k}"), v.to_string());
        }
        // The token input's default is itself an expression.
        let token = ctx["inputs.token"].clone();
        if token.starts_with("${{") {
            let inner = expressions(&token).remove(0);
            ctx.insert("inputs.token".into(), eval(&inner, &ctx));
        }
        ctx.insert("github.action_repository".into(), "".into());
        ctx.insert(
            "github.action_path".into(),
            env!("CARGO_MANIFEST_DIR").to_string(),
        );
        for (k, v) in &self.context {
            ctx.insert(k.to_string(), v.clone());
        }
        let mut stdout = String::new();
        let mut code = 0;
        for (i, step) in action["runs"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            let Some(script) = step.get("run").and_then(Value::as_str) else {
                continue;
            };
            let out_file = work.join(format!("step-{i}-output.txt"));
            std::fs::write(&out_file, "").unwrap();
            let script_file = work.join(format!("step-{i}.sh"));
            std::fs::write(&script_file, script).unwrap();
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script_file)
                .current_dir(repo.path())
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("HOME", repo.path())
                .env("RUNNER_TEMP", work);
            if self.binary {
                cmd.env("CARGO_GUILD_BIN", env!("CARGO_BIN_EXE_cargo-guild"));
            }
            for (k, v) in job_env {
                cmd.env(k, v);
            }
            cmd.env("GITHUB_OUTPUT", &out_file);
            if let Some(env) = step.get("env").and_then(Value::as_object) {
                for (k, v) in env {
                    let v = v.as_str().unwrap_or_default();
                    let value = match expressions(v).first() {
                        Some(e) => eval(e, &ctx),
                        None => v.to_string(),
                    };
                    cmd.env(k, value);
                }
            }
            let out = cmd.output().unwrap();
            stdout.push_str(&String::from_utf8_lossy(&out.stdout));
            stdout.push_str(&String::from_utf8_lossy(&out.stderr));
            code = out.status.code().unwrap_or(-1);
            if code != 0 {
                break;
            }
            let id = step.get("id").and_then(Value::as_str);
            if let Some(id) = id {
                for (k, v) in parse_outputs(&std::fs::read_to_string(&out_file).unwrap()) {
                    ctx.insert(format!("steps.{id}.outputs.{k}"), v);
                }
            }
            if id.is_some() && id == self.until {
                break;
            }
        }
        // The action's outputs, mapped as action.yml maps them.
        let mut outputs = BTreeMap::new();
        for (name, spec) in action["outputs"].as_object().unwrap() {
            let e = expressions(spec["value"].as_str().unwrap()).remove(0);
            outputs.insert(name.clone(), ctx.get(&e).cloned().unwrap_or_default());
        }
        (code, stdout, outputs)
    }
}

#[test]
fn action_steps_run_locally_with_the_built_binary() {
    let repo = history();
    let (gh, r) = fake_pr(&repo, "Faster", "opened");
    let work = tempfile::tempdir().unwrap();
    // The job's environment as the runner sets it; the token comes from the `token` input
    // (the step's env), not from the job.
    let job_env: Vec<(String, String)> = r
        .env
        .iter()
        .filter(|(k, _)| k != "GITHUB_OUTPUT" && k != "GITHUB_TOKEN")
        .cloned()
        .collect();
    let (code, stdout, outputs) = run_action(
        &repo,
        &[("token", TOKEN), ("request-reviewers", "true")],
        &job_env,
        work.path(),
    );
    assert_eq!(code, 0);
    assert!(
        stdout.contains("cargo-guild"),
        "the install step prints the version: {stdout}"
    );
    assert_eq!(outputs["first-time"], "true", "{outputs:?}");
    assert!(
        outputs["suggested-reviewers"].contains("bob"),
        "{outputs:?}"
    );
    let comments = gh.comments("octo/demo", 7);
    assert_eq!(comments.len(), 1);
    assert!(outputs["comment-url"].ends_with(&format!("#issuecomment-{}", comments[0].id)));
    assert!(gh
        .pull("octo/demo", 7)
        .unwrap()
        .requested_reviewers
        .contains(&"bob".to_string()));
    assert!(r.summary().contains("## cargo guild: pull request #7"));

    // `request-reviewers: "false"` (the default) reaches the binary as off.
    gh.clear_log();
    let (_, _, outputs) = run_action(&repo, &[("token", TOKEN)], &job_env, work.path());
    assert_eq!(gh.count("POST", "/requested_reviewers"), 0);
    assert_eq!(
        outputs["comment-url"],
        format!(
            "https://github.com/octo/demo/pull/7#issuecomment-{}",
            comments[0].id
        )
    );

    // `command: publish` on a manual run builds the site into `site-dir`.
    let job_env: Vec<(String, String)> = job_env
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "GITHUB_EVENT_NAME" => (k, "workflow_dispatch".to_string()),
            _ => (k, v),
        })
        .collect();
    let (_, _, outputs) = run_action(
        &repo,
        &[("command", "publish"), ("site-dir", "public site")],
        &job_env,
        work.path(),
    );
    let site = repo.path().join("public site");
    assert!(site.join("index.html").is_file());
    assert_eq!(
        Path::new(&outputs["site-dir"]),
        site.canonicalize().unwrap().as_path()
    );
}

/// `uses: owner/repo@<40 hex>` for every action outside this repository.
fn assert_pinned(name: &str, text: &str) {
    for line in text.lines() {
        let Some(rest) = line
            .trim_start()
            .trim_start_matches("- ")
            .strip_prefix("uses:")
        else {
            continue;
        };
        let target = rest.split_whitespace().next().unwrap_or("");
        if target.starts_with("./") {
            continue;
        }
        let sha = target.rsplit_once('@').map(|(_, s)| s).unwrap_or("");
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{name}: `{target}` is not pinned to a commit"
        );
        assert!(
            line.contains("# v") || line.contains("# stable"),
            "{name}: `{line}` has no version comment"
        );
    }
}

/// The pull-request workflow's own `run:` step fetches the synced history that
/// actions/checkout leaves behind, so first-timers are judged with it.
#[test]
fn the_pull_request_workflow_fetches_the_synced_history() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    let text = std::fs::read_to_string(dir.join("guild-pr.yml")).unwrap();
    let wf =
        cargo_guild::config::yaml::value_from_str(&text, Path::new("guild-pr.yml"), 0).unwrap();
    let step = wf["jobs"]["guild"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains("refs/guild")))
        .expect("a step fetches refs/guild/*")
        .clone();
    // "GitHub": a bare repository with a synced history ref; the job's clone lacks it.
    let server = tempfile::tempdir().unwrap();
    let origin = history();
    origin.git(&["update-ref", "refs/guild/history", "HEAD"]);
    let bare = server.path().join("octo").join("demo");
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    let ok = Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(origin.path())
        .arg(&bare)
        .status()
        .unwrap();
    assert!(ok.success());
    Command::new("git")
        .arg("-C")
        .arg(&bare)
        .args(["fetch", "-q"])
        .arg(origin.path())
        .arg("refs/guild/*:refs/guild/*")
        .status()
        .unwrap();
    let job = history();
    assert!(job.git(&["for-each-ref", "refs/guild"]).trim().is_empty());
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
        .arg(step["run"].as_str().unwrap())
        .current_dir(job.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GH_TOKEN", "ghs_fake")
        .env("SERVER", server.path())
        .env("REPO", "octo/demo")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!job.git(&["for-each-ref", "refs/guild"]).trim().is_empty());
}

/// zizmor, a real auditor of GitHub Actions, finds nothing of medium severity or more, in
/// the workflows, the action and the organisation's example workflow.
#[test]
fn zizmor_finds_nothing_in_the_workflows_or_the_action() {
    let have = Command::new("zizmor")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    crate::require!(have, "zizmor (pip install zizmor)");
    let out = Command::new("zizmor")
        .args([
            "--offline",
            "--min-severity",
            "medium",
            "--format",
            "plain",
            ".",
            "examples/guild-org.yml",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "zizmor found:\n{text}");
    assert!(text.contains("No findings"), "{text}");
    assert!(text.contains("examples/guild-org.yml"), "{text}");
}

/// The repository's own workflows: parse, least privilege, no expression inside `run:`.
#[test]
fn workflows_parse_declare_permissions_and_keep_expressions_out_of_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    for name in ["guild-pr.yml", "guild-pages.yml", "release.yml"] {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let wf = cargo_guild::config::yaml::value_from_str(&text, &path, 0).unwrap();
        assert_eq!(
            wf["permissions"],
            json!({}),
            "{name}: no permission by default"
        );
        for (job, spec) in wf["jobs"].as_object().unwrap() {
            assert!(
                spec["permissions"].is_object(),
                "{name}: job {job} must declare its permissions"
            );
            for step in spec["steps"].as_array().unwrap() {
                if let Some(run) = step["run"].as_str() {
                    assert!(
                        !run.contains("${{"),
                        "{name}: {job}: expression in run: {run}"
                    );
                }
            }
        }
    }
    let pr_text = std::fs::read_to_string(dir.join("guild-pr.yml")).unwrap();
    let pr =
        cargo_guild::config::yaml::value_from_str(&pr_text, Path::new("guild-pr.yml"), 0).unwrap();
    assert!(
        pr["on"]["pull_request_target"].is_object(),
        "forks get the comment"
    );
    assert_eq!(pr["jobs"]["guild"]["permissions"]["pull-requests"], "write");
    assert_eq!(pr["jobs"]["guild"]["permissions"]["contents"], "read");
    // The pull request's code is never checked out or run with the write token.
    let checkout = &pr["jobs"]["guild"]["steps"][0];
    assert!(checkout["uses"]
        .as_str()
        .unwrap()
        .starts_with("actions/checkout@"));
    assert!(
        checkout["with"].get("ref").is_none(),
        "the base is checked out"
    );
    assert_eq!(checkout["with"]["persist-credentials"], json!(false));
    for bad in [
        "head.sha",
        "head.ref",
        "head_ref",
        "merge_commit_sha",
        "refs/pull/",
    ] {
        assert!(!pr_text.contains(bad), "guild-pr.yml mentions {bad}");
    }
    assert!(pr["concurrency"]["group"]
        .as_str()
        .unwrap()
        .contains("github.event.pull_request.number"));
    // Every `uses:` of another repository is pinned to a full commit.
    for name in ["guild-pr.yml", "guild-pages.yml", "release.yml", "ci.yml"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        assert_pinned(name, &text);
    }
    assert_pinned("action.yml", &action_yml().0);
    let pages = std::fs::read_to_string(dir.join("guild-pages.yml")).unwrap();
    let pages =
        cargo_guild::config::yaml::value_from_str(&pages, Path::new("guild-pages.yml"), 0).unwrap();
    assert_eq!(pages["jobs"]["deploy"]["permissions"]["pages"], "write");
    assert_eq!(pages["jobs"]["deploy"]["permissions"]["id-token"], "write");
    assert_eq!(pages["jobs"]["build"]["permissions"]["contents"], "write");
    assert!(pages["jobs"]["build"]["permissions"].get("pages").is_none());
}
