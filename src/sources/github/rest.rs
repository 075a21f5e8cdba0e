//! The one GitHub REST client (the few calls the Action makes), through octocrab: a pull request's changed files,
//! its conversation comments (list, create, update) and review requests.
//!
//! Reads are retried on 5xx and dropped connections; writes are not (a retried POST could
//! post a second comment). A 403 on a write is its own error, [`ApiError::Forbidden`], so
//! that the caller can fall back to the step summary (a pull request from a fork gets a
//! read-only token). The token goes to octocrab, which marks the header sensitive, and is
//! scrubbed from any message that could reach the user.

use std::time::Duration;

use octocrab::Octocrab;
use serde_json::{json, Value};

/// GitHub's largest page.
const PER_PAGE: usize = 100;
/// GitHub lists at most 3,000 files of a pull request (30 pages).
const MAX_FILE_PAGES: usize = 30;
/// A conversation longer than this many pages of comments is not searched further.
const MAX_COMMENT_PAGES: usize = 50;
const READ_RETRIES: u32 = 2;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The token may not do this (403, or 404 on a write to a repository it cannot write).
    #[error("GitHub refused to {what} (403: {message})")]
    Forbidden { what: String, message: String },
    #[error("GitHub could not {what} ({status}: {message})")]
    Status {
        what: String,
        status: u16,
        message: String,
    },
    #[error("cannot reach GitHub to {what}: {message}")]
    Network { what: String, message: String },
    #[error("GitHub sent an unexpected answer when asked to {what}: {message}")]
    Malformed { what: String, message: String },
}

/// A conversation comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub html_url: String,
    pub login: String,
    /// `User` or `Bot`.
    pub user_type: String,
}

impl Comment {
    fn from_json(v: &Value) -> Option<Comment> {
        Some(Comment {
            id: v.get("id")?.as_u64()?,
            body: v
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            html_url: v
                .get("html_url")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            login: v
                .pointer("/user/login")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            user_type: v
                .pointer("/user/type")
                .and_then(Value::as_str)
                .unwrap_or("User")
                .to_string(),
        })
    }
}

/// A REST client for one repository.
pub struct Api {
    rt: tokio::runtime::Runtime,
    crab: Octocrab,
    /// The API's path prefix (`/api/v3` on GitHub Enterprise, empty on github.com).
    prefix: String,
    /// `owner/name`.
    repo: String,
    token: Option<String>,
    /// Requests sent.
    pub requests: u32,
}

impl Api {
    pub fn new(api_url: &str, repo: &str, token: Option<&str>) -> anyhow::Result<Api> {
        let (base, prefix) = crate::sources::github::client::split_url(api_url).ok_or_else(|| {
            anyhow::anyhow!(
                "GITHUB_API_URL `{api_url}` is not an http(s) URL\n  fix: unset it for github.com, or set it to your GitHub Enterprise API, e.g. https://github.example.com/api/v3"
            )
        })?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start the HTTP runtime: {e}"))?;
        let crab = rt.block_on(async {
            let mut builder = Octocrab::builder()
                .base_uri(base.as_str())
                .map_err(|e| anyhow::anyhow!("bad GITHUB_API_URL `{api_url}`: {e}"))?
                .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
                .set_connect_timeout(Some(Duration::from_secs(15)))
                .set_read_timeout(Some(Duration::from_secs(60)));
            if let Some(t) = token {
                builder = builder.personal_token(t.to_string());
            }
            builder
                .build()
                .map_err(|e| anyhow::anyhow!("cannot set up the HTTP client: {e}"))
        })?;
        Ok(Api {
            rt,
            crab,
            prefix: prefix.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            token: token.map(str::to_string),
            requests: 0,
        })
    }

    fn scrub(&self, text: &str) -> String {
        crate::sources::github::client::redact(text, self.token.as_deref())
    }

    /// Sends one request; returns the status and the body parsed as JSON (null if empty).
    fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<(u16, Value), ApiError> {
        let uri = format!("{}{}", self.prefix, path);
        self.requests += 1;
        let crab = &self.crab;
        let result = self.rt.block_on(async {
            let response = match method {
                "GET" => crab._get(uri.as_str()).await,
                "POST" => crab._post(uri.as_str(), body).await,
                "PATCH" => crab._patch(uri.as_str(), body).await,
                "DELETE" => crab._delete(uri.as_str(), body).await,
                _ => unreachable!("only GET, POST, PATCH and DELETE are sent"),
            }?;
            let status = response.status().as_u16();
            let text = crab.body_to_string(response).await?;
            Ok::<_, octocrab::Error>((status, text))
        });
        let (status, text) = result.map_err(|e| ApiError::Network {
            what: what.to_string(),
            message: self.scrub(&error_text(&e)),
        })?;
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) if (200..300).contains(&status) => {
                    return Err(ApiError::Malformed {
                        what: what.to_string(),
                        message: format!("not JSON ({e})"),
                    })
                }
                Err(_) => json!({ "message": excerpt(&text) }),
            }
        };
        if (200..300).contains(&status) {
            return Ok((status, value));
        }
        let message = self.scrub(
            value
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message"),
        );
        // A rate limit is a 403 too, but not a lack of permission.
        Err(
            if status == 403 && !message.to_lowercase().contains("rate limit") {
                ApiError::Forbidden {
                    what: what.to_string(),
                    message,
                }
            } else {
                ApiError::Status {
                    what: what.to_string(),
                    status,
                    message,
                }
            },
        )
    }

    /// A GET with retries on 5xx and network errors.
    fn get(&mut self, path: &str, what: &str) -> Result<Value, ApiError> {
        let mut attempt = 0;
        loop {
            match self.send("GET", path, None, what) {
                Ok((_, v)) => return Ok(v),
                Err(e) => {
                    let retry = match &e {
                        ApiError::Status { status, .. } => *status >= 500,
                        ApiError::Network { .. } => true,
                        _ => false,
                    };
                    if !retry || attempt >= READ_RETRIES {
                        return Err(e);
                    }
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
                }
            }
        }
    }

    /// Pages of a list endpoint until a short page (or `max_pages`).
    fn list(&mut self, path: &str, what: &str, max_pages: usize) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        for page in 1..=max_pages {
            let v = self.get(&format!("{path}{sep}per_page={PER_PAGE}&page={page}"), what)?;
            let Value::Array(items) = v else {
                return Err(ApiError::Malformed {
                    what: what.to_string(),
                    message: "expected a list".into(),
                });
            };
            let n = items.len();
            out.extend(items);
            if n < PER_PAGE {
                break;
            }
        }
        Ok(out)
    }

    /// The paths a pull request changes (renamed files: both names).
    pub fn pr_files(&mut self, number: u64) -> Result<Vec<String>, ApiError> {
        let what = format!("list the files of pull request #{number}");
        let items = self.list(
            &format!("/repos/{}/pulls/{number}/files", self.repo),
            &what,
            MAX_FILE_PAGES,
        )?;
        let mut paths = Vec::new();
        for f in &items {
            for key in ["filename", "previous_filename"] {
                if let Some(p) = f.get(key).and_then(Value::as_str) {
                    paths.push(p.to_string());
                }
            }
        }
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Every conversation comment of issue or pull request `number`, oldest first.
    pub fn comments(&mut self, number: u64) -> Result<Vec<Comment>, ApiError> {
        let what = format!("list the comments of pull request #{number}");
        let items = self.list(
            &format!("/repos/{}/issues/{number}/comments", self.repo),
            &what,
            MAX_COMMENT_PAGES,
        )?;
        Ok(items.iter().filter_map(Comment::from_json).collect())
    }

    pub fn create_comment(&mut self, number: u64, body: &str) -> Result<Comment, ApiError> {
        let what = format!("comment on pull request #{number}");
        let (_, v) = self.send(
            "POST",
            &format!("/repos/{}/issues/{number}/comments", self.repo),
            Some(&json!({ "body": body })),
            &what,
        )?;
        Comment::from_json(&v).ok_or(ApiError::Malformed {
            what,
            message: "no comment id in the answer".into(),
        })
    }

    pub fn update_comment(&mut self, id: u64, body: &str) -> Result<Comment, ApiError> {
        let what = format!("update comment {id}");
        let (_, v) = self.send(
            "PATCH",
            &format!("/repos/{}/issues/comments/{id}", self.repo),
            Some(&json!({ "body": body })),
            &what,
        )?;
        Comment::from_json(&v).ok_or(ApiError::Malformed {
            what,
            message: "no comment id in the answer".into(),
        })
    }

    pub fn delete_comment(&mut self, id: u64) -> Result<(), ApiError> {
        let what = format!("delete comment {id}");
        self.send(
            "DELETE",
            &format!("/repos/{}/issues/comments/{id}", self.repo),
            None,
            &what,
        )?;
        Ok(())
    }

    /// Requests reviews; returns who GitHub says is requested now (lowercase logins).
    pub fn request_reviewers(
        &mut self,
        number: u64,
        logins: &[String],
    ) -> Result<Vec<String>, ApiError> {
        let what = format!("request reviews on pull request #{number}");
        let (_, v) = self.send(
            "POST",
            &format!("/repos/{}/pulls/{number}/requested_reviewers", self.repo),
            Some(&json!({ "reviewers": logins })),
            &what,
        )?;
        Ok(logins_of(v.get("requested_reviewers")))
    }

    /// Who is requested to review now (lowercase logins; teams left out).
    pub fn requested_reviewers(&mut self, number: u64) -> Result<Vec<String>, ApiError> {
        let what = format!("list the requested reviewers of pull request #{number}");
        let v = self.get(
            &format!("/repos/{}/pulls/{number}/requested_reviewers", self.repo),
            &what,
        )?;
        Ok(logins_of(v.get("users")))
    }

    /// The login the token acts as (GraphQL `viewer`, which installation tokens may ask,
    /// unlike `GET /user`): `github-actions[bot]` for the default token, `<app>[bot]` for an
    /// app's, the user's for a personal token.
    pub fn viewer(&mut self) -> Result<String, ApiError> {
        let what = "ask GitHub who the token is";
        let path = match self.prefix.strip_suffix("/v3") {
            Some(base) => format!("{base}/graphql"),
            None => "/graphql".to_string(),
        };
        let uri_prefix = std::mem::take(&mut self.prefix);
        let sent = self.send(
            "POST",
            &path,
            Some(&json!({ "query": "query { viewer { login } }" })),
            what,
        );
        self.prefix = uri_prefix;
        let (_, v) = sent?;
        v.pointer("/data/viewer/login")
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ApiError::Malformed {
                what: what.to_string(),
                message: "no `data.viewer.login` in the answer".into(),
            })
    }

    /// A file's text at a commit (`None` when it is not there), through the API: for
    /// `pull_request_target`, where the pull request's files are never checked out.
    pub fn file_at(&mut self, path: &str, sha: &str) -> Result<Option<String>, ApiError> {
        use base64::Engine as _;
        let what = format!("read {path} at {sha:.10}");
        let encoded: String = path
            .split('/')
            .map(percent_encode)
            .collect::<Vec<_>>()
            .join("/");
        let v = match self.get(
            &format!("/repos/{}/contents/{encoded}?ref={sha}", self.repo),
            &what,
        ) {
            Ok(v) => v,
            Err(ApiError::Status { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let malformed = |message: &str| ApiError::Malformed {
            what: what.clone(),
            message: message.to_string(),
        };
        let content = v
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("no `content` (a folder, or a file over 1 MB)"))?;
        let clean: String = content.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(clean)
            .map_err(|e| malformed(&format!("`content` is not base64: {e}")))?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| malformed("the file is not UTF-8 text"))
    }
}

/// Lowercase logins of a list of users (absent: none).
fn logins_of(users: Option<&Value>) -> Vec<String> {
    users
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|u| u.get("login").and_then(Value::as_str))
        .map(str::to_lowercase)
        .collect()
}

/// A path segment for a URL: unreserved characters as they are, the rest `%XX`.
fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn excerpt(text: &str) -> String {
    let t = text.trim();
    let mut end = t.len().min(200);
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    t[..end].to_string()
}

/// An octocrab error with its causes, on one line.
fn error_text(e: &octocrab::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        // hyper repeats its causes in its own message; keep each once.
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
