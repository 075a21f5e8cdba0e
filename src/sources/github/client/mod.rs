//! Talking to GitHub's GraphQL API through octocrab: where (the endpoints from
//! `GITHUB_API_URL` / `GITHUB_GRAPHQL_URL`, the repository from `--repo` or a remote URL),
//! with what (the token from `GITHUB_TOKEN` / `GH_TOKEN`), and how politely: every request
//! reads the rate-limit budget, backs off on secondary rate limits (`retry-after`) and on 5xx
//! or dropped connections with bounded retries, shrinks the page when GitHub times out, and
//! gives up with a typed [`ClientError`] the caller can turn into a resumable stop.
//!
//! The token is handed to octocrab (which marks the header sensitive) and otherwise only kept
//! to scrub it from any text that could reach the user ([`redact`]). Nothing here writes to
//! the repository; `cmd::sync` decides what to store.
//!
//! The where and the with what (repository, endpoints, token, redaction) are `endpoints`,
//! re-exported here; listening for Ctrl-C and SIGTERM is `interrupts`. This file is the how.

use std::time::Duration;

use octocrab::Octocrab;

use super::query::{self, Answer, FollowUp, RateLimit};

mod endpoints;
mod interrupts;

pub(crate) use endpoints::split_url;
pub use endpoints::{redact, token_from_env, Endpoints, Slug, DEFAULT_API_URL};
use interrupts::Interrupts;

/// Retries of one request after a 5xx, a dropped connection or a secondary rate limit.
const MAX_RETRIES: u32 = 4;
/// A `retry-after` longer than this is not waited for: the sync stops, resumable.
const MAX_WAIT_SECS: u64 = 120;
/// The smallest page the client shrinks to when GitHub times out.
const MIN_PAGE: u32 = 10;

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("GitHub rejected the request as unauthenticated (401: {message}). {hint}")]
    Unauthorized { message: String, hint: String },
    #[error("GitHub refused access (403: {0}). Check that the token may read this repository's pull requests (a fine-grained token needs \"Pull requests: read\"; a classic one `repo`, or `public_repo` for public repositories)")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("GitHub's rate limit is spent{}", .reset_at.as_deref().map(|r| format!(" (it resets at {r})")).unwrap_or_default())]
    RateLimited { reset_at: Option<String> },
    #[error("GitHub is unavailable after {attempts} attempts: {last}")]
    Unavailable { attempts: u32, last: String },
    #[error("GitHub sent a malformed answer: {0}")]
    Malformed(String),
    #[error("GitHub answered with an error: {0}")]
    Graphql(String),
    #[error("interrupted")]
    Interrupted,
}

/// What one attempt came to.
enum Attempt {
    Done(Answer),
    /// Worth another try, after waiting this long.
    Retry {
        wait: Duration,
        reason: String,
        shrink: bool,
    },
    Fail(ClientError),
}

/// A GraphQL client for one repository.
pub struct Client {
    crab: Octocrab,
    /// The GraphQL endpoint's path (relative, so that octocrab sends the token with it).
    path: String,
    pub slug: Slug,
    token: Option<String>,
    /// Requests sent, retries included.
    pub requests: u32,
    /// The budget as of the last answer.
    pub rate: Option<RateLimit>,
    /// The largest page GitHub has managed so far (shrinks on timeouts).
    pub max_page: u32,
    /// Retries that happened (for the summary).
    pub retries: u32,
    backoff: Duration,
    interrupts: Interrupts,
}

impl Client {
    /// Builds the client; must run inside a tokio runtime (octocrab's requirement).
    pub fn new(endpoints: &Endpoints, slug: Slug, token: Option<String>) -> anyhow::Result<Client> {
        let (base, path) = split_url(&endpoints.graphql).ok_or_else(|| {
            anyhow::anyhow!(
                "GITHUB_GRAPHQL_URL `{}` is not an http(s) URL",
                endpoints.graphql
            )
        })?;
        let path = if path.is_empty() {
            "/".to_string()
        } else {
            path
        };
        let mut builder = Octocrab::builder()
            .base_uri(base.as_str())
            .map_err(|e| anyhow::anyhow!("bad GraphQL URL `{}`: {e}", endpoints.graphql))?
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .set_connect_timeout(Some(Duration::from_secs(15)))
            .set_read_timeout(Some(Duration::from_secs(90)));
        if let Some(t) = &token {
            builder = builder.personal_token(t.clone());
        }
        let crab = builder
            .build()
            .map_err(|e| anyhow::anyhow!("cannot set up the HTTP client: {e}"))?;
        // A knob for tests and benchmarks against a local fake server: the base of the
        // exponential backoff after a 5xx or a dropped connection.
        let backoff_ms = std::env::var("GUILD_SYNC_BACKOFF_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000);
        Ok(Client {
            crab,
            path,
            slug,
            token,
            requests: 0,
            rate: None,
            max_page: query::PAGE_SIZE,
            retries: 0,
            backoff: Duration::from_millis(backoff_ms),
            interrupts: Interrupts::new(),
        })
    }

    /// Whether the client sends a token.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Sends a page request (`page`: size and cursor) and/or follow-ups, with retries.
    pub async fn fetch(
        &mut self,
        page: Option<(u32, Option<&str>)>,
        followups: &[FollowUp],
    ) -> Result<Answer, ClientError> {
        let mut first = page.map(|(f, _)| f.min(self.max_page));
        let mut last = String::new();
        for attempt in 0..=MAX_RETRIES {
            if let Some(rate) = &self.rate {
                if rate.remaining < rate.cost.max(1) {
                    return Err(ClientError::RateLimited {
                        reset_at: Some(rate.reset_at.clone()),
                    });
                }
            }
            let page_now = page.map(|(_, after)| (first.unwrap_or(query::PAGE_SIZE), after));
            let body = serde_json::json!({
                "query": query::document(page.is_some(), followups),
                "variables": query::variables(&self.slug.owner, &self.slug.name, page_now, followups),
            });
            match self.attempt(&body, attempt).await {
                Attempt::Done(answer) => {
                    if let Some(r) = &answer.rate_limit {
                        self.rate = Some(r.clone());
                    }
                    return Ok(answer);
                }
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry {
                    wait,
                    reason,
                    shrink,
                } => {
                    last = reason;
                    if attempt == MAX_RETRIES {
                        break;
                    }
                    if shrink {
                        if let Some(f) = first.as_mut() {
                            *f = (*f / 2).max(MIN_PAGE);
                            self.max_page = *f;
                        }
                    }
                    self.retries += 1;
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = self.interrupts.recv() => return Err(ClientError::Interrupted),
                    }
                }
            }
        }
        Err(ClientError::Unavailable {
            attempts: MAX_RETRIES + 1,
            last: self.scrub(&last),
        })
    }

    fn scrub(&self, text: &str) -> String {
        redact(text, self.token.as_deref())
    }

    fn backoff(&self, attempt: u32) -> Duration {
        (self.backoff * 2u32.saturating_pow(attempt.min(5))).min(Duration::from_secs(30))
    }

    async fn attempt(&mut self, body: &serde_json::Value, attempt: u32) -> Attempt {
        self.requests += 1;
        let sent = tokio::select! {
            r = self.crab._post(self.path.as_str(), Some(body)) => r,
            _ = self.interrupts.recv() => return Attempt::Fail(ClientError::Interrupted),
        };
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Retry {
                    wait: self.backoff(attempt),
                    reason: self.scrub(&format!("network error: {}", error_text(&e))),
                    shrink: false,
                }
            }
        };
        let status = response.status().as_u16();
        let header = |k: &str| {
            response
                .headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let retry_after = header("retry-after").and_then(|v| v.parse::<u64>().ok());
        let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse::<i64>().ok());
        let reset = header("x-ratelimit-reset")
            .and_then(|v| v.parse::<i64>().ok())
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let text = tokio::select! {
            r = self.crab.body_to_string(response) => r,
            _ = self.interrupts.recv() => return Attempt::Fail(ClientError::Interrupted),
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                return Attempt::Retry {
                    wait: self.backoff(attempt),
                    reason: self.scrub(&format!(
                        "the connection broke while reading the answer: {}",
                        error_text(&e)
                    )),
                    shrink: false,
                }
            }
        };
        let message = || self.scrub(&api_message(&text));
        match status {
            200..=299 => self.parse(&text, attempt),
            401 => Attempt::Fail(ClientError::Unauthorized {
                message: message(),
                hint: if self.token.is_some() {
                    "The token in GITHUB_TOKEN (or GH_TOKEN) is wrong, expired or revoked: create a new one (gh auth token, or Settings → Developer settings → Personal access tokens)".into()
                } else {
                    "No token was given: set GITHUB_TOKEN or GH_TOKEN (e.g. `export GITHUB_TOKEN=$(gh auth token)`, or in a workflow `env: GITHUB_TOKEN: ${{ github.token }}`); GitHub's GraphQL API wants one even for public repositories".into()
                },
            }),
            403 | 429 => {
                if let Some(secs) = retry_after {
                    if secs > MAX_WAIT_SECS {
                        return Attempt::Fail(ClientError::RateLimited {
                            reset_at: Some(
                                (chrono::Utc::now() + chrono::Duration::seconds(secs as i64))
                                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                            ),
                        });
                    }
                    return Attempt::Retry {
                        wait: Duration::from_secs(secs),
                        reason: format!("secondary rate limit ({status}, retry-after {secs}s)"),
                        shrink: false,
                    };
                }
                if remaining == Some(0) {
                    return Attempt::Fail(ClientError::RateLimited { reset_at: reset });
                }
                let m = message();
                if status == 429 || m.to_lowercase().contains("secondary rate limit") {
                    // GitHub's advice without a retry-after: wait at least a minute.
                    return Attempt::Retry {
                        wait: Duration::from_secs(60).min(self.backoff(attempt + 6)),
                        reason: format!("secondary rate limit ({status})"),
                        shrink: false,
                    };
                }
                Attempt::Fail(ClientError::Forbidden(m))
            }
            404 => Attempt::Fail(ClientError::NotFound(format!(
                "the GraphQL endpoint was not found (404: {}); check GITHUB_GRAPHQL_URL / GITHUB_API_URL",
                message()
            ))),
            500..=599 => Attempt::Retry {
                wait: self.backoff(attempt),
                reason: format!("{status} from GitHub: {}", message()),
                // 502 and 504 are how GitHub says a query took too long.
                shrink: matches!(status, 502 | 504),
            },
            _ => Attempt::Fail(ClientError::Malformed(format!(
                "unexpected status {status}: {}",
                message()
            ))),
        }
    }

    fn parse(&self, text: &str, attempt: u32) -> Attempt {
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                return Attempt::Fail(ClientError::Malformed(format!(
                    "not JSON ({e}): {}",
                    self.scrub(&excerpt(text))
                )))
            }
        };
        let errors: Vec<&serde_json::Value> = value
            .get("errors")
            .and_then(|e| e.as_array())
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        let kind = |t: &str| {
            errors
                .iter()
                .find(|e| e.get("type").and_then(|v| v.as_str()) == Some(t))
                .map(|e| self.scrub(e.get("message").and_then(|m| m.as_str()).unwrap_or(t)))
        };
        if kind("RATE_LIMITED").is_some() {
            return Attempt::Fail(ClientError::RateLimited {
                reset_at: self.rate.as_ref().map(|r| r.reset_at.clone()),
            });
        }
        let data = value.get("data").filter(|d| !d.is_null());
        let repo_missing = data
            .and_then(|d| d.get("repository"))
            .map_or(true, |r| r.is_null());
        if let Some(m) = kind("NOT_FOUND").filter(|_| repo_missing) {
            return Attempt::Fail(ClientError::NotFound(format!(
                "repository {} not found ({m}); check --repo, or if it is private, that the token can see it",
                self.slug
            )));
        }
        if !errors.is_empty() && data.is_none() {
            let m = errors
                .iter()
                .filter_map(|e| e.get("message").and_then(|m| m.as_str()))
                .collect::<Vec<_>>()
                .join("; ");
            let m = self.scrub(&m);
            let lower = m.to_lowercase();
            if lower.contains("timeout") || lower.contains("something went wrong") {
                return Attempt::Retry {
                    wait: self.backoff(attempt),
                    reason: format!("GitHub timed out: {m}"),
                    shrink: true,
                };
            }
            return Attempt::Fail(ClientError::Graphql(m));
        }
        let Some(data) = data else {
            return Attempt::Fail(ClientError::Malformed(format!(
                "no `data` in: {}",
                self.scrub(&excerpt(text))
            )));
        };
        match Answer::parse(data) {
            Ok(Some(a)) => Attempt::Done(a),
            Ok(None) => Attempt::Fail(ClientError::NotFound(format!(
                "repository {} not found, or the token cannot see it",
                self.slug
            ))),
            Err(e) => Attempt::Fail(ClientError::Malformed(format!(
                "unexpected shape ({e}): {}",
                self.scrub(&excerpt(text))
            ))),
        }
    }
}

/// The `message` of a REST-style error body, or the start of the body.
fn api_message(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| excerpt(text))
}

fn excerpt(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return "(empty body)".into();
    }
    let mut end = t.len().min(200);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    let more = if end < t.len() { "…" } else { "" };
    format!("{}{more}", &t[..end])
}

/// An octocrab error with its causes, on one line.
fn error_text(e: &octocrab::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
