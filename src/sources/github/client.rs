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

use std::time::Duration;

use octocrab::Octocrab;

use super::query::{self, Answer, FollowUp, RateLimit};

/// github.com's endpoints.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Retries of one request after a 5xx, a dropped connection or a secondary rate limit.
const MAX_RETRIES: u32 = 4;
/// A `retry-after` longer than this is not waited for: the sync stops, resumable.
const MAX_WAIT_SECS: u64 = 120;
/// The smallest page the client shrinks to when GitHub times out.
const MIN_PAGE: u32 = 10;

/// `owner/name` of a GitHub repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Slug {
    /// Parses `OWNER/NAME`.
    pub fn parse(text: &str) -> Option<Slug> {
        let (owner, name) = text.trim().split_once('/')?;
        let name = name.strip_suffix(".git").unwrap_or(name);
        let ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        (ok(owner) && ok(name)).then(|| Slug {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    /// Reads a remote URL: `https://host/owner/name(.git)`, `git@host:owner/name.git`,
    /// `ssh://git@host[:port]/owner/name.git`, `git://host/owner/name`. Returns the host too.
    pub fn from_remote_url(url: &str) -> Option<(String, Slug)> {
        let url = url.trim().trim_end_matches('/');
        let (host, path) = if let Some((_, rest)) = url.split_once("://") {
            let (authority, path) = rest.split_once('/')?;
            // user@host:port — drop the user and the port. Any credentials in the URL are
            // dropped here and never printed.
            let host = authority.rsplit('@').next()?;
            let host = host.split(':').next()?;
            (host.to_string(), path)
        } else {
            // scp-like: [user@]host:owner/name.git
            let (authority, path) = url.split_once(':')?;
            let host = authority.rsplit('@').next()?;
            (host.to_string(), path)
        };
        Some((host.to_lowercase(), Slug::parse(path)?))
    }
}

/// The API endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub api: String,
    pub graphql: String,
    /// Whether the API was pointed elsewhere than github.com (GitHub Enterprise, a test).
    pub custom: bool,
}

impl Endpoints {
    /// From `GITHUB_API_URL` and `GITHUB_GRAPHQL_URL`, as GitHub Actions sets them. Without
    /// a GraphQL URL, it is derived from the API URL (`/api/v3` → `/api/graphql` on
    /// GitHub Enterprise, `/graphql` under it otherwise).
    pub fn from_env() -> Endpoints {
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|v| v.trim().trim_end_matches('/').to_string())
                .filter(|v| !v.is_empty())
        };
        let api_env = var("GITHUB_API_URL");
        let custom = api_env.as_deref().is_some_and(|a| a != DEFAULT_API_URL);
        let api = api_env.unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let graphql = var("GITHUB_GRAPHQL_URL").unwrap_or_else(|| match api.strip_suffix("/v3") {
            Some(base) => format!("{base}/graphql"),
            None => format!("{api}/graphql"),
        });
        Endpoints {
            api,
            graphql,
            custom,
        }
    }
}

/// The token from `GITHUB_TOKEN`, else `GH_TOKEN` (blank counts as unset).
pub fn token_from_env() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"].iter().find_map(|k| {
        std::env::var(k)
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// Replaces every occurrence of the token in `text`.
pub fn redact(text: &str, token: Option<&str>) -> String {
    match token {
        Some(t) if t.len() >= 4 => text.replace(t, "***"),
        _ => text.to_string(),
    }
}

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

/// `https://host:port/path` → (`https://host:port`, `/path`); the path is empty when the URL
/// has none (a REST prefix), and `None` for anything but http(s). Shared by sync and the
/// Action's REST client.
pub(crate) fn split_url(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    (!authority.is_empty()).then(|| (format!("{scheme}://{authority}"), path.to_string()))
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

/// Ctrl-C and SIGTERM, noticed between and during requests rather than killing the process
/// halfway through a write (the store commits between requests, so stopping there is safe).
struct Interrupts {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn new() -> Interrupts {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Interrupts {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Interrupts {}
    }

    /// Resolves when an interrupt arrives (never, if none can be listened for).
    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            let int = async {
                match self.int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let term = async {
                match self.term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = int => {}
                _ = term => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_of_every_shape_give_owner_and_name() {
        for url in [
            "https://github.com/rust-lang/cargo.git",
            "https://github.com/rust-lang/cargo",
            "https://user:secret@github.com/rust-lang/cargo.git/",
            "git@github.com:rust-lang/cargo.git",
            "ssh://git@github.com:22/rust-lang/cargo.git",
            "git://github.com/rust-lang/cargo",
        ] {
            let (host, slug) = Slug::from_remote_url(url).unwrap_or_else(|| panic!("{url}"));
            assert_eq!(host, "github.com", "{url}");
            assert_eq!(slug.to_string(), "rust-lang/cargo", "{url}");
        }
        let (host, _) = Slug::from_remote_url("git@gitlab.com:a/b.git").unwrap();
        assert_eq!(host, "gitlab.com");
        assert_eq!(Slug::from_remote_url("/srv/git/project"), None);
        assert_eq!(Slug::parse("a/b/c"), None);
    }

    #[test]
    fn graphql_url_splits_into_base_and_path() {
        assert_eq!(
            split_url("https://ghe.example.com/api/graphql"),
            Some(("https://ghe.example.com".into(), "/api/graphql".into()))
        );
        assert_eq!(
            split_url("http://127.0.0.1:8080"),
            Some(("http://127.0.0.1:8080".into(), "".into()))
        );
        assert_eq!(split_url("ftp://x/y"), None);
    }

    #[test]
    fn redaction_removes_every_copy_of_the_token() {
        assert_eq!(
            redact("a ghp_SECRET b ghp_SECRET", Some("ghp_SECRET")),
            "a *** b ***"
        );
    }
}
