//! A fake GitHub, started inside a test on 127.0.0.1 and a free port: a small stateful HTTP
//! server that answers the GraphQL documents `cargo guild sync` sends and the REST endpoints
//! the GitHub Action uses, with payloads shaped like GitHub's, and keeps a log of every
//! request so that tests can count and inspect them.
//!
//! ```ignore
//! let gh = FakeGithub::start();
//! gh.add_pull("octo/demo", FakePr::new(1, "alice", "2024-05-01").review("bob", "APPROVED", "2024-05-02"));
//! gh.require_token("ghp_test");
//! gh.fail_graphql(2, Fault::Status(502));          // the 2nd GraphQL request gets a 502
//! repo.run_env(["sync", "--repo", "octo/demo"], &gh.env_with_token("ghp_test"));
//! assert_eq!(gh.graphql_requests(), 3);
//! ```
//!
//! What it serves:
//! - `POST /graphql`: the sync documents. It reads the variables the client sends (`$owner`,
//!   `$name`, `$first`, `$after` for a page of `pullRequests` ordered by update time, newest
//!   first, with keyset cursors; `$n{i}` plus `${connection}{i}` cursors for the follow-up
//!   aliases `p{i}`), and nested page sizes from the query text (`files(first: 100)`).
//!   `rateLimit` is answered from a budget (`set_rate_limit`), and spent by one per query.
//! - REST: `GET /repos/{o}/{r}`, `GET /repos/{o}/{r}/pulls[?state&sort&direction&per_page&page]`,
//!   `GET /repos/{o}/{r}/pulls/{n}`, `/pulls/{n}/files`, `/pulls/{n}/reviews`,
//!   `GET|POST /repos/{o}/{r}/pulls/{n}/requested_reviewers`,
//!   `GET|POST /repos/{o}/{r}/issues/{n}/comments`, `PATCH /repos/{o}/{r}/issues/comments/{id}`,
//!   `GET /rate_limit`. Lists paginate with `per_page`/`page` and a `Link` header.
//! - Faults injected by a script: statuses (502...), secondary rate limits with `retry-after`,
//!   a spent primary budget, a dropped connection, a malformed body, a slow answer, or any
//!   closure run before answering (e.g. to move a ref mid-sync).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};

/// A review as GitHub lists it.
#[derive(Debug, Clone)]
pub struct FakeReview {
    pub id: u64,
    pub login: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    pub at: i64,
}

/// A commit of a pull request: its git author and the login GitHub linked it to.
#[derive(Debug, Clone)]
pub struct FakeCommit {
    pub name: String,
    pub email: String,
    pub login: Option<String>,
}

/// A comment on an issue or a pull request's conversation.
#[derive(Debug, Clone)]
pub struct FakeComment {
    pub id: u64,
    pub login: String,
    pub body: String,
    pub at: i64,
    pub updated: i64,
}

/// A pull request.
#[derive(Debug, Clone)]
pub struct FakePr {
    pub number: u64,
    pub title: String,
    pub author: Option<String>,
    /// `OPEN`, `CLOSED`, `MERGED`.
    pub state: String,
    pub created: i64,
    pub updated: i64,
    pub merged: Option<i64>,
    pub merged_by: Option<String>,
    pub merge_commit: Option<String>,
    /// The merge commit's author (name, e-mail, login).
    pub merge_author: Option<FakeCommit>,
    pub labels: Vec<String>,
    pub files: Vec<String>,
    /// GitHub stops listing files after this many (3,000 on github.com).
    pub files_listed_max: usize,
    pub reviews: Vec<FakeReview>,
    pub comments: Vec<FakeComment>,
    pub commits: Vec<FakeCommit>,
    pub requested_reviewers: Vec<String>,
}

/// `2024-05-01` or an RFC 3339 time → Unix seconds (noon UTC for a bare date).
pub fn ts(date: &str) -> i64 {
    if date.len() == 10 {
        return chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .expect("YYYY-MM-DD")
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
    }
    chrono::DateTime::parse_from_rfc3339(date)
        .expect("RFC 3339")
        .timestamp()
}

/// Unix seconds → GitHub's time format.
pub fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl FakePr {
    /// An open pull request by `author`, created and last updated on `date`.
    pub fn new(number: u64, author: &str, date: &str) -> FakePr {
        let t = ts(date);
        FakePr {
            number,
            title: format!("Change number {number}"),
            author: Some(author.to_string()),
            state: "OPEN".into(),
            created: t,
            updated: t,
            merged: None,
            merged_by: None,
            merge_commit: None,
            merge_author: None,
            labels: Vec::new(),
            files: Vec::new(),
            files_listed_max: 3000,
            reviews: Vec::new(),
            comments: Vec::new(),
            commits: Vec::new(),
            requested_reviewers: Vec::new(),
        }
    }
    pub fn title(mut self, t: &str) -> Self {
        self.title = t.into();
        self
    }
    /// Marks it merged by `merger` on `date` (also its last update).
    pub fn merged(mut self, merger: &str, date: &str) -> Self {
        let t = ts(date);
        self.state = "MERGED".into();
        self.merged = Some(t);
        self.merged_by = Some(merger.into());
        self.updated = self.updated.max(t);
        self
    }
    pub fn merge_commit(mut self, oid: &str, name: &str, email: &str, login: &str) -> Self {
        self.merge_commit = Some(oid.into());
        self.merge_author = Some(FakeCommit {
            name: name.into(),
            email: email.into(),
            login: Some(login.into()),
        });
        self
    }
    pub fn closed(mut self, date: &str) -> Self {
        self.state = "CLOSED".into();
        self.updated = self.updated.max(ts(date));
        self
    }
    pub fn review(mut self, login: &str, state: &str, date: &str) -> Self {
        let t = ts(date);
        self.reviews.push(FakeReview {
            id: 1000 + self.reviews.len() as u64,
            login: login.into(),
            state: state.into(),
            at: t,
        });
        self.updated = self.updated.max(t);
        self
    }
    pub fn comment(mut self, login: &str, date: &str) -> Self {
        let t = ts(date);
        self.comments.push(FakeComment {
            id: 5000 + self.comments.len() as u64,
            login: login.into(),
            body: "Thanks!".into(),
            at: t,
            updated: t,
        });
        self.updated = self.updated.max(t);
        self
    }
    pub fn label(mut self, l: &str) -> Self {
        self.labels.push(l.into());
        self
    }
    pub fn file(mut self, p: &str) -> Self {
        self.files.push(p.into());
        self
    }
    pub fn commit(mut self, name: &str, email: &str, login: Option<&str>) -> Self {
        self.commits.push(FakeCommit {
            name: name.into(),
            email: email.into(),
            login: login.map(Into::into),
        });
        self
    }
    /// Sets the last update time.
    pub fn updated(mut self, date: &str) -> Self {
        self.updated = ts(date);
        self
    }
}

/// A repository on the fake server.
#[derive(Debug, Clone, Default)]
pub struct FakeRepo {
    pub pulls: BTreeMap<u64, FakePr>,
    /// File texts by (commit, path), for the contents API.
    pub files: BTreeMap<(String, String), String>,
    /// Comments on issues without a pull request (pull requests keep theirs).
    pub issue_comments: BTreeMap<u64, Vec<FakeComment>>,
    pub private: bool,
}

/// What to do instead of (or before) answering normally.
pub enum Fault {
    /// Answer with this status and a GitHub-like error body.
    Status(u16),
    /// 403 with `retry-after` and GitHub's secondary-rate-limit message.
    SecondaryRateLimit { retry_after: u64 },
    /// 429 without `retry-after`.
    TooManyRequests,
    /// The primary budget is spent: 403 with `x-ratelimit-remaining: 0`.
    PrimaryRateLimit,
    /// Close the connection without answering.
    Drop,
    /// Answer 200 with this body.
    Body(String),
    /// Wait, then answer normally.
    Delay(Duration),
    /// Run a closure, then answer normally.
    Run(Box<dyn FnOnce() + Send>),
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// 1-based, over all requests.
    pub index: usize,
    /// 1-based among GraphQL requests (0 for REST).
    pub graphql_index: usize,
    pub method: String,
    /// The path without the query string.
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The status answered (0: dropped).
    pub status: u16,
}

impl Logged {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The GraphQL body as JSON (null for REST).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

type Script = Box<dyn FnMut(&Logged) -> Option<Fault> + Send>;

/// The server's state, shared with the test.
pub struct State {
    pub repos: BTreeMap<String, FakeRepo>,
    /// When set, every request must carry it (`Authorization: Bearer|token <t>`), else 401.
    pub token: Option<String>,
    /// When set, requests without any token are refused with 401 (as github.com's GraphQL).
    pub require_auth: bool,
    pub log: Vec<Logged>,
    pub rate_limit: i64,
    pub rate_remaining: i64,
    pub rate_reset: i64,
    scripts: Vec<Script>,
    next_id: u64,
    /// Who the token is (GraphQL `viewer`), and who writes the comments it creates.
    pub viewer: String,
    /// When set, creating a comment also slips in a copy of it by the same writer with a
    /// lower id, as a second run of the Action at the same moment would.
    pub race_on_create: bool,
    /// Files served as they are (release downloads), by path.
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// The running server; stops when dropped.
pub struct FakeGithub {
    addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGithub {
    /// Starts a server on 127.0.0.1 and a free port.
    pub fn start() -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            repos: BTreeMap::new(),
            token: None,
            require_auth: false,
            log: Vec::new(),
            rate_limit: 5000,
            rate_remaining: 5000,
            rate_reset: ts("2030-01-01"),
            scripts: Vec::new(),
            next_id: 900_000,
            viewer: "github-actions[bot]".into(),
            race_on_create: false,
            assets: BTreeMap::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &st);
                });
            }
        });
        FakeGithub {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The environment pointing the binary at this server (no token).
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("GITHUB_API_URL".into(), self.url()),
            (
                "GITHUB_GRAPHQL_URL".into(),
                format!("{}/graphql", self.url()),
            ),
            // Keep retries quick against a local server.
            ("GUILD_SYNC_BACKOFF_MS".into(), "20".into()),
        ]
    }

    /// `env()` plus `GITHUB_TOKEN`.
    pub fn env_with_token(&self, token: &str) -> Vec<(String, String)> {
        let mut e = self.env();
        e.push(("GITHUB_TOKEN".into(), token.into()));
        e
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Adds (or replaces) a pull request, creating the repository if needed.
    pub fn add_pull(&self, repo: &str, pr: FakePr) {
        self.with(|s| {
            s.repos
                .entry(repo.to_lowercase())
                .or_default()
                .pulls
                .insert(pr.number, pr);
        });
    }

    /// Creates an empty repository.
    pub fn add_repo(&self, repo: &str) {
        self.with(|s| {
            s.repos.entry(repo.to_lowercase()).or_default();
        });
    }

    /// A pull request as stored now.
    pub fn pull(&self, repo: &str, number: u64) -> Option<FakePr> {
        self.with(|s| {
            s.repos
                .get(&repo.to_lowercase())?
                .pulls
                .get(&number)
                .cloned()
        })
    }

    /// Accept only this token.
    pub fn require_token(&self, token: &str) {
        self.with(|s| {
            s.token = Some(token.into());
            s.require_auth = true;
        });
    }

    /// Sets the GraphQL budget (points left; one per query).
    pub fn set_rate_limit(&self, remaining: i64) {
        self.with(|s| s.rate_remaining = remaining);
    }

    /// Adds a script consulted for every request, before answering; the first script that
    /// returns a fault wins.
    pub fn script(&self, f: impl FnMut(&Logged) -> Option<Fault> + Send + 'static) {
        self.with(|s| s.scripts.push(Box::new(f)));
    }

    /// The `n`th GraphQL request (1-based, retries count) gets `fault`, once.
    pub fn fail_graphql(&self, n: usize, fault: Fault) {
        let mut fault = Some(fault);
        self.script(move |r| {
            if r.graphql_index == n {
                fault.take()
            } else {
                None
            }
        });
    }

    /// Every GraphQL request from the `n`th on gets a fault made by `make`.
    pub fn fail_graphql_from(&self, n: usize, make: impl Fn() -> Fault + Send + 'static) {
        self.script(move |r| (r.graphql_index >= n).then(&make));
    }

    /// Removes every script.
    pub fn clear_faults(&self) {
        self.with(|s| s.scripts.clear());
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.with(|s| s.log.clone())
    }

    /// GraphQL requests so far.
    pub fn graphql_requests(&self) -> usize {
        self.with(|s| s.log.iter().filter(|r| r.graphql_index > 0).count())
    }

    /// Forgets the log (the counters restart at 1).
    pub fn clear_log(&self) {
        self.with(|s| s.log.clear());
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

mod data;
mod graphql;
mod http;
mod rest;

pub use data::*;
use graphql::*;
use http::*;
use rest::*;
