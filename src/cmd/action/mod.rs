//! `cargo guild action`: what the GitHub Action runs. It reads the runner's environment and
//! the event payload and does what fits the event:
//!
//! - `pull_request` / `pull_request_target`: the changed paths (from git when the base and
//!   head commits are in the clone, else from the API), whether the author is a first-time
//!   contributor (from the stored history: no paging through pull requests), suggested
//!   reviewers plus a shadow (requested through the API only with `--request-reviewers`),
//!   the docs check on changed community docs, and one sticky comment found by
//!   [`comment::MARKER`]: created once, edited only when its body changed.
//! - `push` to the default branch, `schedule`, `workflow_dispatch`: sync (with a token),
//!   push the history refs back to `origin`, build the site.
//! - Always: a Markdown step summary, step outputs (`first-time`, `suggested-reviewers`,
//!   `comment-url`, `site-dir`), `::warning` annotations for docs findings.
//!
//! A token that may not write (a pull request from a fork) is not a failure: the run warns
//! and puts everything in the step summary. Nothing here computes a score or a suggestion;
//! `adapters` is the seam to the analysis, the docs check, sync and the site.

pub mod adapters;

pub mod runner;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

use crate::cli::{ActionArgs, GlobalOpts};
use crate::cmd::Session;
use crate::events::{EventKind, Ledger, Target};
use crate::exit::Outcome;
use crate::render::comment::{self, Reviewer, Who};
use crate::render::templates::{Escape, Templates};

use crate::sources::github::rest::{self as api, Api, ApiError};
use runner::{Outputs, RunnerEnv};

/// What the run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    PullRequest,
    Publish,
}

/// What the run reports back to the runner, whatever happens.
#[derive(Default)]
struct Report {
    outputs: Outputs,
    summary: String,
    warnings: Vec<String>,
}

impl Report {
    fn warn(&mut self, message: impl Into<String>) {
        let m = message.into();
        println!("{}", runner::warning(&m));
        self.warnings.push(m);
    }

    /// Says why the run does nothing (stderr and the summary).
    fn nothing_to_do(&mut self, msg: &str) {
        eprintln!("cargo guild action: {msg}");
        self.summary = format!("## cargo guild\n\n{}\n", comment::md(msg));
    }

    /// Writes the summary and the outputs (or prints the summary when not on a runner).
    fn finish(mut self, env: &RunnerEnv) -> anyhow::Result<()> {
        for name in [
            "first-time",
            "suggested-reviewers",
            "comment-url",
            "site-dir",
        ] {
            if self.outputs.get(name).is_none() {
                self.outputs.set(name, "");
            }
        }
        if !self.warnings.is_empty() {
            let mut w = String::from("\n> [!WARNING]\n");
            for m in &self.warnings {
                w.push_str(&format!("> {}\n", comment::md(m)));
            }
            self.summary.push_str(&w);
        }
        match &env.step_summary {
            Some(path) => {
                runner::append(path, &format!("{}\n", self.summary)).with_context(|| {
                    format!(
                        "cannot write the step summary {} (GITHUB_STEP_SUMMARY)",
                        path.display()
                    )
                })?
            }
            None => println!("{}", self.summary),
        }
        if let Some(path) = &env.output {
            self.outputs.write(path)?;
        }
        Ok(())
    }
}

pub fn execute(global: &GlobalOpts, args: ActionArgs) -> anyhow::Result<Outcome> {
    let env = RunnerEnv::from_env();
    let mode = match args.command.as_str() {
        "pull-request" => Mode::PullRequest,
        "publish" => Mode::Publish,
        "auto" | "" => match env.event_name.as_deref() {
            Some("pull_request" | "pull_request_target") => Mode::PullRequest,
            Some("push" | "schedule" | "workflow_dispatch") => Mode::Publish,
            Some(other) => {
                let mut report = Report::default();
                report.nothing_to_do(&format!(
                    "the `{other}` event is not one it handles \
                     (pull_request, pull_request_target, push, schedule, workflow_dispatch); nothing to do"
                ));
                report.finish(&env)?;
                return Ok(Outcome::Ok);
            }
            None => anyhow::bail!(
                "GITHUB_EVENT_NAME is not set, so there is no event to act on\n  \
                 fix: run `cargo guild action` as a step of a GitHub Actions job; to try it locally, \
                 set GITHUB_EVENT_NAME and GITHUB_EVENT_PATH (a payload JSON file)"
            ),
        },
        other => anyhow::bail!(
            "`--command {other}` is not a command of the action\n  fix: use `auto` (pick from the event), `pull-request` or `publish`"
        ),
    };
    let mut report = Report::default();
    match mode {
        Mode::PullRequest => pull_request(global, &args, &env, &mut report)?,
        Mode::Publish => publish(global, &args, &env, &mut report)?,
    }
    report.finish(&env)?;
    Ok(Outcome::Ok)
}

// ---- pull requests -------------------------------------------------------------------------

/// The pull request as the payload describes it.
struct PrEvent {
    number: u64,
    title: String,
    author: Option<String>,
    base_sha: Option<String>,
    head_sha: Option<String>,
    action: Option<String>,
    draft: bool,
}

fn pr_event(payload: &Value, env: &RunnerEnv) -> anyhow::Result<PrEvent> {
    let path = env
        .event_path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let Some(pr) = payload.get("pull_request").filter(|p| p.is_object()) else {
        anyhow::bail!(
            "{path}: the event payload has no `pull_request` object\n  fix: run the pull-request command on `pull_request` or `pull_request_target` events (or pass `--command auto`)"
        );
    };
    let number = pr
        .get("number")
        .and_then(Value::as_u64)
        .or_else(|| payload.get("number").and_then(Value::as_u64))
        .ok_or_else(|| {
            anyhow::anyhow!("{path}: `pull_request.number` is missing or not a number")
        })?;
    let s = |p: &str| pr.pointer(p).and_then(Value::as_str).map(str::to_string);
    Ok(PrEvent {
        number,
        title: s("/title").unwrap_or_default(),
        author: s("/user/login"),
        base_sha: s("/base/sha"),
        head_sha: s("/head/sha"),
        action: payload
            .get("action")
            .and_then(Value::as_str)
            .map(str::to_string),
        draft: pr.get("draft").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// `owner/name` from `GITHUB_REPOSITORY`, else the payload.
fn repository(env: &RunnerEnv, payload: &Value) -> Option<String> {
    env.repository.clone().or_else(|| {
        payload
            .pointer("/repository/full_name")
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}

fn pull_request(
    global: &GlobalOpts,
    args: &ActionArgs,
    env: &RunnerEnv,
    report: &mut Report,
) -> anyhow::Result<()> {
    let payload = env.payload()?;
    let pr = pr_event(&payload, env)?;
    if pr.action.as_deref() == Some("closed") {
        report.nothing_to_do(&format!(
            "pull request #{} was closed: nothing to do",
            pr.number
        ));
        return Ok(());
    }
    let repo_slug = repository(env, &payload);
    let session = Session::open(global)?;
    let ledger = session.ledger()?;
    let token = env.token().filter(|_| !global.offline);
    let mut api = match &repo_slug {
        Some(slug) if !global.offline => Some(Api::new(&env.api_url, slug, token)?),
        _ => None,
    };

    // Changed paths: git when both ends are here (no API call), else the API.
    let local = local_range(&session.repo.git, &pr);
    let changed: Vec<String> = match (&local, api.as_mut()) {
        (Some(range), _) => range.paths.clone(),
        (None, Some(api)) => api
            .pr_files(pr.number)
            .map_err(|e| anyhow::anyhow!("{e}\n  fix: check GITHUB_API_URL and that the token may read pull requests (`pull-requests: read`); or check out with `fetch-depth: 0` so that the base and head commits are in the clone"))?,
        (None, None) => anyhow::bail!(
            "cannot find the changed paths of pull request #{}: its base and head commits are not in the clone and there is no API to ask ({})\n  \
             fix: check out with `actions/checkout` and `fetch-depth: 0`, or set GITHUB_REPOSITORY and drop `--offline`",
            pr.number,
            if global.offline { "--offline" } else { "GITHUB_REPOSITORY is not set" }
        ),
    };

    // First-time contributor: no contribution of the author in the stored history, apart
    // from this pull request's own commits (the merge ref checked out on `pull_request`
    // contains them).
    let own_commits: BTreeSet<String> = local.map(|r| r.commits).unwrap_or_default();
    let author_idx = pr.author.as_deref().and_then(|a| find_person(&ledger, a));
    let author_is_bot = pr.author.as_deref().is_some_and(|a| a.ends_with("[bot]"))
        || author_idx.is_some_and(|i| ledger.people()[i as usize].is_bot);
    let first_time = !author_is_bot
        && match author_idx {
            None => true,
            Some(i) => !has_prior_contribution(&ledger, i, pr.number, &own_commits),
        };

    let suggested = adapters::suggest(&session, &ledger, &session.config, &changed, author_idx)?;

    // Docs check on the community docs this pull request changes.
    let docs_dir = session.config.docs_dir.trim_end_matches('/').to_string();
    let root = session.repo.root().to_path_buf();
    let changed_docs: Vec<PathBuf> = changed
        .iter()
        .filter(|p| p.starts_with(&format!("{docs_dir}/")) && p.ends_with(".md"))
        .filter(|p| root.join(p).is_file())
        .map(PathBuf::from)
        .collect();
    let target_event = env.event_name.as_deref() == Some("pull_request_target");
    let findings = if target_event || changed_docs.is_empty() {
        if target_event && !changed_docs.is_empty() {
            report.warn(
                "docs are not checked on pull_request_target (the pull request's files are not checked out there); check them in a pull_request workflow",
            );
        }
        Vec::new()
    } else {
        adapters::docs_check(&root, &session.config, &changed_docs)
    };
    for f in &findings {
        println!(
            "{}",
            runner::warning_annotation(&f.path, f.line, "cargo guild docs check", &f.message)
        );
    }

    // Review requests first, so that the comment can say whether they were made.
    let mut logins: Vec<String> = suggested
        .reviewers
        .iter()
        .chain(suggested.shadow.iter())
        .filter_map(|s| s.login.clone())
        .filter(|l| {
            comment::is_login(l)
                && !pr
                    .author
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(l))
        })
        .collect();
    logins.dedup();
    let mut read_only = false;
    let mut requested = false;
    let want_requests = args.request_reviewers && !logins.is_empty();
    if want_requests {
        match (&mut api, token) {
            (Some(api), Some(_)) => {
                // Re-requesting on every push would notify people again: only when the pull
                // request opens (or leaves draft); later runs keep saying they were asked.
                let later = matches!(pr.action.as_deref(), Some("synchronize" | "edited"));
                if pr.draft {
                    requested = false;
                } else if later {
                    requested = true;
                } else {
                    match api.request_reviewers(pr.number, &logins) {
                        Ok(()) => requested = true,
                        Err(ApiError::Forbidden { .. }) => read_only = true,
                        Err(ApiError::Status { status: 422, message, .. }) => report.warn(format!(
                            "GitHub did not accept the review requests ({message}); reviewers must be collaborators of the repository"
                        )),
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            _ => report.warn("no token: reviewers were not requested"),
        }
    }

    let templates = Templates::load(
        "",
        Some(&root.join(".guild/templates")),
        false,
        Escape::None,
    )?;
    let author_who = pr.author.as_deref().and_then(|login| {
        let opted_out = author_idx.is_some_and(|i| ledger.people()[i as usize].opted_out)
            || session
                .config
                .opt_out
                .iter()
                .any(|o| o.eq_ignore_ascii_case(login));
        (!opted_out).then(|| Who {
            login: Some(login.to_string()),
            name: login.to_string(),
        })
    });
    let to_reviewer = |s: &adapters::SuggestedPerson| Reviewer {
        who: Who {
            login: s.login.clone(),
            name: if s.name.is_empty() {
                s.id.clone()
            } else {
                s.name.clone()
            },
        },
        reason: s.reason.clone(),
    };
    let input = comment::Input {
        community: session.config.name.clone(),
        number: pr.number,
        title: pr.title.clone(),
        author: author_who,
        first_time,
        ladder: session
            .config
            .ladder
            .steps
            .iter()
            .map(|s| (s.name.clone(), s.description.clone()))
            .collect(),
        docs_dir: docs_dir.clone(),
        reviewers: suggested.reviewers.iter().map(to_reviewer).collect(),
        shadow: suggested.shadow.as_ref().map(to_reviewer),
        requested,
        changed_paths: changed.len(),
        docs_checked: if target_event { 0 } else { changed_docs.len() },
        findings: findings.clone(),
    };
    let full = comment::render(&templates, &input)?;
    let body = comment::truncate(&full, env.run_url().as_deref());

    let mut comment_url = String::new();
    let mut comment_state = "not posted";
    if read_only {
        report.warn(
            "the token may not write to this pull request (a pull request from a fork gets a read-only token): the report is in this step summary instead of a comment",
        );
    } else {
        match (&mut api, token) {
            (Some(api), Some(_)) => match upsert_comment(api, pr.number, &body) {
                Ok((c, state)) => {
                    comment_url = c.html_url;
                    comment_state = state;
                }
                Err(ApiError::Forbidden { .. }) => {
                    report.warn(
                        "the token may not comment on this pull request (a pull request from a fork gets a read-only token): the report is in this step summary instead",
                    );
                }
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "the comment on pull request #{} was not written",
                        pr.number
                    )))
                }
            },
            _ => report.warn(
                "no token (GITHUB_TOKEN): the report is in this step summary instead of a comment",
            ),
        }
    }
    if !global.quiet {
        eprintln!(
            "cargo guild action: pull request #{}: {} changed path(s), first-time: {first_time}, comment {comment_state}",
            pr.number,
            changed.len()
        );
    }

    let suggested_ids: Vec<String> = suggested
        .reviewers
        .iter()
        .chain(suggested.shadow.iter())
        .map(|s| s.login.clone().unwrap_or_else(|| s.id.clone()))
        .collect();
    report.outputs.set("first-time", first_time.to_string());
    report
        .outputs
        .set("suggested-reviewers", suggested_ids.join(","));
    report.outputs.set("comment-url", comment_url.clone());
    let comment_line = if comment_url.is_empty() {
        String::new()
    } else {
        format!(
            "The [pull request's comment]({}) is {comment_state}.\n\n",
            comment::url_in_link(&comment_url)
        )
    };
    report.summary = format!(
        "## cargo guild: pull request #{}\n\n{comment_line}{}\n",
        pr.number,
        full.strip_prefix(comment::MARKER)
            .unwrap_or(&full)
            .trim_start()
    );
    Ok(())
}

/// Finds the sticky comment and creates or updates it; an identical one is left alone.
fn upsert_comment(
    api: &mut Api,
    number: u64,
    body: &str,
) -> Result<(api::Comment, &'static str), ApiError> {
    let comments = api.comments(number)?;
    let ours: Vec<&api::Comment> = comments
        .iter()
        .filter(|c| c.body.trim_start().starts_with(comment::MARKER))
        .collect();
    // Prefer a bot's comment (the Actions token's own) over a person's that copies the marker.
    let existing = ours
        .iter()
        .find(|c| c.user_type == "Bot")
        .or_else(|| ours.first())
        .copied();
    match existing {
        // GitHub may hand a body back with CRLF line ends.
        Some(c) if c.body.replace("\r\n", "\n").trim_end() == body.trim_end() => {
            Ok((c.clone(), "unchanged"))
        }
        Some(c) => Ok((api.update_comment(c.id, body)?, "updated")),
        None => Ok((api.create_comment(number, body)?, "created")),
    }
}

/// The pull request's paths and commits, when both ends are in the clone.
struct LocalRange {
    paths: Vec<String>,
    commits: BTreeSet<String>,
}

/// Paths changed between the merge base of base and head, and head (GitHub's three-dot
/// diff), and the commits head adds.
fn local_range(git: &git2::Repository, pr: &PrEvent) -> Option<LocalRange> {
    let base = git2::Oid::from_str(pr.base_sha.as_deref()?).ok()?;
    let head = git2::Oid::from_str(pr.head_sha.as_deref()?).ok()?;
    let head_commit = git.find_commit(head).ok()?;
    git.find_commit(base).ok()?;
    let merge_base = git.merge_base(base, head).ok()?;
    let old_tree = git.find_commit(merge_base).ok()?.tree().ok()?;
    let new_tree = head_commit.tree().ok()?;
    let diff = git
        .diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)
        .ok()?;
    let mut paths = BTreeSet::new();
    for d in diff.deltas() {
        for f in [d.old_file(), d.new_file()] {
            if let Some(p) = f.path() {
                paths.insert(p.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut walk = git.revwalk().ok()?;
    walk.push(head).ok()?;
    walk.hide(base).ok()?;
    let commits = walk.filter_map(Result::ok).map(|o| o.to_string()).collect();
    Some(LocalRange {
        paths: paths.into_iter().collect(),
        commits,
    })
}

/// The person with this GitHub login (any of their logins, or their id), case-insensitively.
fn find_person(ledger: &Ledger, login: &str) -> Option<u32> {
    ledger
        .identities
        .by_login(login)
        .or_else(|| ledger.identities.resolve_mention(login))
}

/// Whether person `who` contributed anything before this pull request: any event of any kind
/// outside it (the same "first contribution" as `events::first_contributions`).
fn has_prior_contribution(
    ledger: &Ledger,
    who: u32,
    number: u64,
    own_commits: &BTreeSet<String>,
) -> bool {
    ledger.events.iter().any(|e| {
        e.person == who
            // This pull request is open: it has no merge commit yet (an older one with the
            // same number, in a re-rooted history, is prior work).
            && e.pr.map_or(true, |p| p.number != number || p.merge.is_some())
            && !matches!(&e.target, Target::Pr(p) if p.number == number && p.merge.is_none())
            && !(matches!(e.kind, EventKind::Commit | EventKind::CoAuthored)
                && matches!(&e.target, Target::Commit(c) if own_commits.contains(&c.to_string())))
    })
}

// ---- publishing ------------------------------------------------------------------------------

fn publish(
    global: &GlobalOpts,
    args: &ActionArgs,
    env: &RunnerEnv,
    report: &mut Report,
) -> anyhow::Result<()> {
    let event = env.event_name.clone().unwrap_or_default();
    let payload = match env.event_path {
        Some(_) => env.payload()?,
        None if event == "push" => env.payload()?,
        None => Value::Null,
    };
    if event == "push" {
        let pushed = payload.get("ref").and_then(Value::as_str).unwrap_or("");
        let default = payload
            .pointer("/repository/default_branch")
            .and_then(Value::as_str);
        if let Some(default) = default {
            if pushed != format!("refs/heads/{default}") {
                report.nothing_to_do(&format!(
                    "a push to `{pushed}`, not to the default branch `{default}`: nothing to publish"
                ));
                return Ok(());
            }
        }
    }
    let session = Session::open(global)?;
    let repo_slug = repository(env, &payload);
    let mut lines = Vec::new();

    match (env.token().filter(|_| !global.offline), &repo_slug) {
        (Some(_), Some(slug)) => {
            match fetch_history(&session).and_then(|()| adapters::sync(global, slug)) {
                Ok(()) => {
                    lines.push(format!("Synced pull requests of {}.", comment::md(slug)));
                    match push_history(&session, env.token()) {
                        Ok(Some(msg)) => lines.push(comment::md(&msg)),
                        Ok(None) => {}
                        Err(e) => report.warn(format!("the history refs were not pushed: {e:#}")),
                    }
                }
                Err(e) => report.warn(format!(
                    "sync failed, so the site is built from git history only: {e:#}"
                )),
            }
        }
        (None, _) => {
            lines.push("No token: sync skipped; the site is built from git history.".into())
        }
        (_, None) => lines.push("GITHUB_REPOSITORY is not set: sync skipped.".into()),
    }

    let out = if args.site_dir.is_absolute() {
        args.site_dir.clone()
    } else {
        std::env::current_dir()
            .context("cannot read the current directory")?
            .join(&args.site_dir)
    };
    let base_url = site_base_url(&session.config, repo_slug.as_deref());
    let built = adapters::build_site(global, &out, &base_url)
        .with_context(|| format!("cannot build the site into {}", out.display()))?;
    if !global.quiet {
        eprintln!("cargo guild action: {built}");
    }
    let pages = count_pages(&out);
    lines.push(format!(
        "Built the site ({pages} page(s), base URL {}) into {}.",
        comment::md(&base_url),
        comment::md(&out.display().to_string())
    ));
    report.outputs.set("site-dir", out.display().to_string());
    report.summary = format!("## cargo guild: publish\n\n{}\n", lines.join("\n\n"));
    Ok(())
}

/// The URL path the site is served under: `site.base_url`, else `/` for a
/// `<owner>.github.io` repository and `/<name>/` for project pages.
fn site_base_url(config: &crate::config::Config, slug: Option<&str>) -> String {
    if let Some(b) = &config.site.base_url {
        return b.clone();
    }
    match slug.and_then(|s| s.split_once('/')) {
        Some((_, name)) if !name.to_lowercase().ends_with(".github.io") => format!("/{name}/"),
        _ => "/".into(),
    }
}

fn count_pages(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .count()
}

/// Fetches `refs/guild/*` from `origin` (which `actions/checkout` does not fetch), so that
/// sync continues the stored history instead of starting over. Nothing there is fine.
fn fetch_history(session: &Session) -> anyhow::Result<()> {
    if session.repo.git.find_remote("origin").is_err() {
        return Ok(());
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(session.repo.root())
        .args(["fetch", "--quiet", "origin", "+refs/guild/*:refs/guild/*"])
        .output()
        .context("cannot run `git fetch` (is git installed?)")?;
    if !out.status.success() {
        anyhow::bail!(
            "`git fetch origin refs/guild/*` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Pushes `refs/guild/*` to `origin` with the credentials `actions/checkout` left in the
/// clone. `Ok(None)` when there is nothing to push or no `origin`.
fn push_history(session: &Session, token: Option<&str>) -> anyhow::Result<Option<String>> {
    let git = &session.repo.git;
    let has_refs = git
        .references_glob("refs/guild/*")
        .map(|mut r| r.next().is_some())
        .unwrap_or(false);
    if !has_refs || git.find_remote("origin").is_err() {
        return Ok(None);
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(session.repo.root())
        .args(["push", "--quiet", "origin", "refs/guild/*:refs/guild/*"])
        .output()
        .context("cannot run `git push` (is git installed?)")?;
    let scrub =
        |s: &[u8]| crate::sources::github::client::redact(String::from_utf8_lossy(s).trim(), token);
    if !out.status.success() {
        anyhow::bail!(
            "`git push origin refs/guild/*` failed: {}\n  fix: give the job `contents: write` and keep `actions/checkout`'s credentials (persist-credentials: true)",
            scrub(&out.stderr)
        );
    }
    Ok(Some("Pushed refs/guild/* to origin.".into()))
}
