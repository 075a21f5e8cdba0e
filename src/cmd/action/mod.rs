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
mod head_docs;
mod on_call;
mod publish;
mod pull_request;
pub mod runner;
mod sticky;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

use crate::cli::{ActionArgs, CommentMode, GlobalOpts};
use crate::cmd::Session;
use crate::events::{EventKind, Ledger, Target};
use crate::exit::Outcome;
use crate::render::comment::{self, Reviewer, Who};
use crate::render::templates::{Escape, Templates};

use crate::sources::github::rest::{Api, ApiError};
use runner::{Outputs, RunnerEnv};

/// What the run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    PullRequest,
    Publish,
}

/// Every output the run sets (empty when it does not apply), as action.yml declares them.
pub const OUTPUTS: &[&str] = &[
    "first-time",
    "suggested-reviewers",
    "requested-reviewers",
    "comment-url",
    "comment-id",
    "docs-findings",
    "site-dir",
];

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
        for name in OUTPUTS {
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
    let result = match mode {
        Mode::PullRequest => pull_request::run(global, &args, &env, &mut report),
        Mode::Publish => publish::run(global, &args, &env, &mut report).map(|()| Outcome::Ok),
    };
    // A failure is shown where people look: an annotation on the run and the summary.
    if let Err(e) = &result {
        let text = format!("{e:#}");
        println!("{}", runner::error(&text));
        report.summary.push_str(&format!(
            "\n## cargo guild failed\n\n{}\n",
            comment::md(&text)
        ));
    }
    report.finish(&env)?;
    result
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
