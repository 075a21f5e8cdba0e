//! The GitHub Actions runner as `cargo guild action` sees it: the `GITHUB_*` environment,
//! the event payload, and the three ways a step talks back (outputs in `GITHUB_OUTPUT`, the
//! Markdown step summary in `GITHUB_STEP_SUMMARY`, workflow commands such as
//! `::warning file=..::` on stdout), each with its own escaping rules.
//!
//! Endpoints and the token are read the way `sync` reads them (`sources::github::client`);
//! the token is kept out of `Debug` and never printed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

use crate::sources::github::client::{token_from_env, Endpoints};

/// What the runner told us.
pub struct RunnerEnv {
    pub event_name: Option<String>,
    pub event_path: Option<PathBuf>,
    /// `owner/name`.
    pub repository: Option<String>,
    pub api_url: String,
    pub graphql_url: Option<String>,
    token: Option<String>,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub server_url: String,
    pub run_id: Option<String>,
}

impl std::fmt::Debug for RunnerEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunnerEnv")
            .field("event_name", &self.event_name)
            .field("repository", &self.repository)
            .field("api_url", &self.api_url)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl RunnerEnv {
    /// Reads the environment (blank variables count as unset).
    pub fn from_env() -> RunnerEnv {
        RunnerEnv {
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            repository: var("GITHUB_REPOSITORY"),
            api_url: Endpoints::from_env().api,
            graphql_url: var("GITHUB_GRAPHQL_URL"),
            token: token_from_env(),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            server_url: var("GITHUB_SERVER_URL")
                .map(|u| u.trim_end_matches('/').to_string())
                .unwrap_or_else(|| "https://github.com".to_string()),
            run_id: var("GITHUB_RUN_ID"),
        }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The run's page, where the step summary is shown.
    pub fn run_url(&self) -> Option<String> {
        Some(format!(
            "{}/{}/actions/runs/{}",
            self.server_url,
            self.repository.as_deref()?,
            self.run_id.as_deref()?
        ))
    }

    /// Reads and parses the event payload.
    pub fn payload(&self) -> anyhow::Result<Value> {
        let event = self.event_name.as_deref().unwrap_or("?");
        let Some(path) = &self.event_path else {
            anyhow::bail!(
                "GITHUB_EVENT_PATH is not set, so the `{event}` event's payload cannot be read\n  \
                 fix: run `cargo guild action` as a step of a GitHub Actions job; to try it locally, \
                 set GITHUB_EVENT_NAME and point GITHUB_EVENT_PATH at a payload JSON file"
            );
        };
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "cannot read the event payload {} (GITHUB_EVENT_PATH)",
                path.display()
            )
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}:{}:{}: the event payload is not valid JSON: {e}\n  fix: GITHUB_EVENT_PATH must point at the JSON file the runner wrote for the event",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if !value.is_object() {
            anyhow::bail!(
                "{}: the event payload is not a JSON object\n  fix: GITHUB_EVENT_PATH must point at the JSON file the runner wrote for the event",
                path.display()
            );
        }
        Ok(value)
    }
}

/// Step outputs, written to `GITHUB_OUTPUT` in the multi-line-safe `name<<DELIMITER` form.
#[derive(Debug, Default)]
pub struct Outputs(pub Vec<(&'static str, String)>);

impl Outputs {
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text appended to `GITHUB_OUTPUT`.
    pub fn to_file_text(&self) -> String {
        let mut out = String::new();
        for (name, value) in &self.0 {
            let delimiter = delimiter_for(value);
            out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
        }
        out
    }

    /// Appends to `path` (the runner collects the file after the step).
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        append(path, &self.to_file_text()).with_context(|| {
            format!(
                "cannot write the step outputs to {} (GITHUB_OUTPUT)",
                path.display()
            )
        })
    }
}

/// A heredoc delimiter that no line of `value` equals.
fn delimiter_for(value: &str) -> String {
    let mut n: u64 = std::process::id() as u64;
    loop {
        let d = format!("ghadelimiter_guild_{n:x}");
        if !value.lines().any(|l| l.trim_end() == d) {
            return d;
        }
        n = n
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    }
}

/// Appends `text` to a file, creating it.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.flush()
}

/// Escapes a workflow command's message: `%`, `\r`, `\n`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: the message's escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::warning file=F,line=L,title=T::MESSAGE`.
pub fn warning_annotation(file: &str, line: usize, title: &str, message: &str) -> String {
    format!(
        "::warning file={},line={line},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

/// `::error::MESSAGE`, an error shown on the run.
pub fn error(message: &str) -> String {
    format!("::error::{}", escape_data(message))
}

/// `::warning::MESSAGE`, a warning shown on the run without a file.
pub fn warning(message: &str) -> String {
    format!("::warning::{}", escape_data(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escapes_follow_githubs_rules() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(
            warning_annotation("docs/a,b.md", 3, "docs: check", "bad\nthing"),
            "::warning file=docs/a%2Cb.md,line=3,title=docs%3A check::bad%0Athing"
        );
        // A hostile message cannot end the command early or start a new one.
        assert!(!warning("x\n::error::y").contains('\n'));
    }

    #[test]
    fn outputs_are_multiline_safe() {
        let mut o = Outputs::default();
        o.set("a", "one\ntwo");
        let d = delimiter_for("");
        o.set("b", format!("x\n{d}\ny"));
        let text = o.to_file_text();
        let lines: Vec<&str> = text.lines().collect();
        let (name, delim) = lines[0].split_once("<<").unwrap();
        assert_eq!(name, "a");
        assert_eq!(&lines[1..3], ["one", "two"]);
        assert_eq!(lines[3], delim);
        let (_, delim_b) = lines[4].split_once("<<").unwrap();
        assert_ne!(
            delim_b, d,
            "the delimiter must differ from every line of the value"
        );
    }
}
