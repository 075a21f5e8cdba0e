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

// ---- HTTP ---------------------------------------------------------------------------------

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn json(status: u16, body: Value) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }
    fn header(mut self, k: &str, v: impl ToString) -> Response {
        self.headers.push((k.into(), v.to_string()));
        self
    }
}

fn read_request(conn: &TcpStream) -> std::io::Result<Option<Request>> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 {
            break;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    Ok(Some(Request {
        method,
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

fn serve(mut conn: TcpStream, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let Some(req) = read_request(&conn)? else {
        return Ok(());
    };
    let is_graphql = req.method == "POST" && req.path.ends_with("/graphql");
    // Log, and pick a fault, under the lock; act outside it.
    let (index, fault) = {
        let mut s = state.lock().unwrap();
        let graphql_index = if is_graphql {
            s.log.iter().filter(|r| r.graphql_index > 0).count() + 1
        } else {
            0
        };
        let logged = Logged {
            index: s.log.len() + 1,
            graphql_index,
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body: req.body.clone(),
            status: 0,
        };
        let mut fault = None;
        for script in s.scripts.iter_mut() {
            if let Some(f) = script(&logged) {
                fault = Some(f);
                break;
            }
        }
        s.log.push(logged);
        (s.log.len() - 1, fault)
    };
    let response = match fault {
        Some(Fault::Drop) => return Ok(()),
        Some(Fault::Delay(d)) => {
            std::thread::sleep(d);
            None
        }
        Some(Fault::Run(f)) => {
            f();
            None
        }
        Some(Fault::Status(code)) => Some(Response::json(
            code,
            json!({"message": format!("fake error {code}"), "documentation_url": "https://docs.github.com/rest"}),
        )),
        Some(Fault::SecondaryRateLimit { retry_after }) => Some(
            Response::json(403, json!({
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
            }))
            .header("retry-after", retry_after),
        ),
        Some(Fault::TooManyRequests) => Some(Response::json(
            429,
            json!({"message": "Too many requests"}),
        )),
        Some(Fault::PrimaryRateLimit) => {
            let reset = state.lock().unwrap().rate_reset;
            Some(
                Response::json(403, json!({"message": "API rate limit exceeded for user ID 1."}))
                    .header("x-ratelimit-remaining", 0)
                    .header("x-ratelimit-reset", reset),
            )
        }
        Some(Fault::Body(b)) => Some(Response {
            status: 200,
            headers: Vec::new(),
            body: b,
        }),
        None => None,
    };
    let response = match response {
        Some(r) => r,
        None => {
            let mut s = state.lock().unwrap();
            handle(&mut s, &req, is_graphql)
        }
    };
    state.lock().unwrap().log[index].status = response.status;
    let reason = match response.status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n",
        response.status,
        response.body.len()
    );
    for (k, v) in &response.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    conn.write_all(out.as_bytes())?;
    conn.write_all(response.body.as_bytes())?;
    conn.flush()
}

/// The token a request carries, if any.
fn token_of(req: &Request) -> Option<String> {
    let h = req
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))?
        .1
        .clone();
    let (scheme, t) = h.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
        .then(|| t.trim().to_string())
}

fn handle(s: &mut State, req: &Request, is_graphql: bool) -> Response {
    let given = token_of(req);
    match (&s.token, &given) {
        (Some(want), Some(got)) if want != got => {
            return Response::json(
                401,
                json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/graphql", "status": "401"}),
            )
        }
        (_, None) if s.require_auth => {
            return Response::json(
                401,
                json!({"message": "This endpoint requires you to be authenticated.", "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"}),
            )
        }
        _ => {}
    }
    if is_graphql {
        return graphql(s, req);
    }
    rest(s, req)
}

// ---- GraphQL ------------------------------------------------------------------------------

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if s.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// `files(first: 100` in the query text → 100.
fn first_of(query: &str, field: &str) -> usize {
    let key = format!("{field}(first: ");
    query
        .find(&key)
        .and_then(|i| {
            let rest = &query[i + key.len()..];
            let end = rest.find(|c: char| !c.is_ascii_digit())?;
            rest[..end].parse().ok()
        })
        .unwrap_or(100)
}

fn conn(items: Vec<Value>, start: usize, first: usize, total: usize) -> Value {
    let end = (start + first).min(items.len());
    let nodes: Vec<Value> = items[start.min(end)..end].to_vec();
    json!({
        "totalCount": total,
        "pageInfo": {
            "hasNextPage": end < items.len(),
            "endCursor": if end > start { Value::from(hex(&format!("idx:{end}"))) } else { Value::Null },
        },
        "nodes": nodes,
    })
}

fn start_of(cursor: Option<&str>) -> usize {
    cursor
        .and_then(unhex)
        .and_then(|c| c.strip_prefix("idx:")?.parse().ok())
        .unwrap_or(0)
}

/// An `Actor` as GraphQL shows it: a bot's login comes without `[bot]`.
fn actor(login: &str) -> Value {
    match login.strip_suffix("[bot]") {
        Some(bot) => json!({"__typename": "Bot", "login": bot}),
        None => json!({"__typename": "User", "login": login}),
    }
}

fn git_actor(c: &FakeCommit) -> Value {
    json!({"name": c.name, "email": c.email, "user": c.login.as_ref().map(|l| json!({"login": l}))})
}

/// The connections of a pull request, each from its own start, as far as `first` allows.
fn connection(pr: &FakePr, field: &str, start: usize, first: usize) -> Value {
    match field {
        "labels" => conn(
            pr.labels.iter().map(|l| json!({"name": l})).collect(),
            start,
            first,
            pr.labels.len(),
        ),
        "files" => {
            let listed: Vec<Value> = pr
                .files
                .iter()
                .take(pr.files_listed_max)
                .map(|p| json!({"path": p}))
                .collect();
            conn(listed, start, first, pr.files.len())
        }
        "reviews" => conn(
            pr.reviews
                .iter()
                .map(|r| {
                    json!({
                        "author": actor(&r.login),
                        "state": r.state,
                        "submittedAt": if r.state == "PENDING" { Value::Null } else { iso(r.at).into() },
                    })
                })
                .collect(),
            start,
            first,
            pr.reviews.len(),
        ),
        "comments" => conn(
            pr.comments
                .iter()
                .map(|c| json!({"author": actor(&c.login), "createdAt": iso(c.at)}))
                .collect(),
            start,
            first,
            pr.comments.len(),
        ),
        "commits" => conn(
            pr.commits
                .iter()
                .map(|c| json!({"commit": {"author": git_actor(c)}}))
                .collect(),
            start,
            first,
            pr.commits.len(),
        ),
        _ => Value::Null,
    }
}

const CONNECTIONS: [&str; 5] = ["labels", "files", "reviews", "comments", "commits"];

fn pull_node(pr: &FakePr, query: &str) -> Value {
    let mut v = json!({
        "number": pr.number,
        "title": pr.title,
        "state": pr.state,
        "createdAt": iso(pr.created),
        "updatedAt": iso(pr.updated),
        "mergedAt": pr.merged.map(iso),
        "author": pr.author.as_deref().map(actor),
        "mergedBy": pr.merged_by.as_deref().map(actor),
        "mergeCommit": pr.merge_commit.as_ref().map(|oid| json!({
            "oid": oid,
            "author": pr.merge_author.as_ref().map(git_actor),
        })),
    });
    for field in CONNECTIONS {
        v[field] = connection(pr, field, 0, first_of(query, field));
    }
    v
}

fn gql_error(data: Value, kind: &str, message: &str) -> Response {
    Response::json(
        200,
        json!({"data": data, "errors": [{"type": kind, "path": ["repository"], "locations": [{"line": 3, "column": 3}], "message": message}]}),
    )
}

fn graphql(s: &mut State, req: &Request) -> Response {
    let Ok(body) = serde_json::from_str::<Value>(&req.body) else {
        return Response::json(400, json!({"message": "Problems parsing JSON"}));
    };
    let query = body["query"].as_str().unwrap_or("");
    let vars = &body["variables"];
    let rate = |s: &State| json!({"cost": 1, "limit": s.rate_limit, "remaining": s.rate_remaining, "resetAt": iso(s.rate_reset)});
    if s.rate_remaining < 1 {
        return gql_error(
            Value::Null,
            "RATE_LIMITED",
            "API rate limit exceeded for user ID 1.",
        )
        .header("x-ratelimit-remaining", 0)
        .header("x-ratelimit-reset", s.rate_reset);
    }
    s.rate_remaining -= 1;
    let owner = vars["owner"].as_str().unwrap_or("");
    let name = vars["name"].as_str().unwrap_or("");
    let key = format!("{owner}/{name}").to_lowercase();
    let repo = match s.repos.get(&key) {
        Some(r) if !(r.private && s.token.is_none()) => r,
        _ => {
            return gql_error(
                json!({"rateLimit": rate(s), "repository": null}),
                "NOT_FOUND",
                &format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
            )
        }
    };
    let mut repository = serde_json::Map::new();
    if query.contains("pullRequests(") {
        let first = vars["first"].as_u64().unwrap_or(0) as usize;
        if !(1..=100).contains(&first) {
            return Response::json(
                200,
                json!({"errors": [{"type": "ARGUMENT_LIMIT", "message": format!("Requesting {first} records on the `pullRequests` connection exceeds the `first` limit of 100 records.")}]}),
            );
        }
        let mut order: Vec<&FakePr> = repo.pulls.values().collect();
        order.sort_by(|a, b| b.updated.cmp(&a.updated).then(b.number.cmp(&a.number)));
        // Keyset cursor: (updatedAt, number) of the last item seen.
        let after = vars["after"].as_str().and_then(unhex).and_then(|c| {
            let rest = c.strip_prefix("cursor:v2:")?;
            let (u, n) = rest.split_once(':')?;
            Some((u.parse::<i64>().ok()?, n.parse::<u64>().ok()?))
        });
        let rest: Vec<&FakePr> = order
            .iter()
            .copied()
            .filter(|p| match after {
                Some((u, n)) => (p.updated, p.number) < (u, n),
                None => true,
            })
            .collect();
        let page: Vec<&FakePr> = rest.iter().copied().take(first).collect();
        let end = page
            .last()
            .map(|p| Value::from(hex(&format!("cursor:v2:{}:{}", p.updated, p.number))))
            .unwrap_or(Value::Null);
        repository.insert(
            "pullRequests".into(),
            json!({
                "totalCount": repo.pulls.len(),
                "pageInfo": {"hasNextPage": rest.len() > page.len(), "endCursor": end},
                "nodes": page.iter().map(|p| pull_node(p, query)).collect::<Vec<_>>(),
            }),
        );
    }
    for i in 0.. {
        let Some(n) = vars.get(format!("n{i}")).and_then(|v| v.as_u64()) else {
            break;
        };
        let Some(pr) = repo.pulls.get(&n) else {
            repository.insert(format!("p{i}"), Value::Null);
            continue;
        };
        let mut v = json!({"number": n});
        for field in CONNECTIONS {
            if let Some(cursor) = vars.get(format!("{field}{i}")) {
                v[field] = connection(pr, field, start_of(cursor.as_str()), 100);
            }
        }
        repository.insert(format!("p{i}"), v);
    }
    Response::json(
        200,
        json!({"data": {"rateLimit": rate(s), "repository": Value::Object(repository)}}),
    )
    .header("x-ratelimit-remaining", s.rate_remaining)
    .header("x-ratelimit-reset", s.rate_reset)
}

// ---- REST ---------------------------------------------------------------------------------

fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// A page of a list, with GitHub's `Link` header.
fn list(req: &Request, items: Vec<Value>) -> Response {
    let per_page: usize = query_param(&req.query, "per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = query_param(&req.query, "page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let start = (page - 1) * per_page;
    let chunk: Vec<Value> = items.iter().skip(start).take(per_page).cloned().collect();
    let last = items.len().div_ceil(per_page).max(1);
    let mut r = Response::json(200, Value::Array(chunk));
    if last > 1 {
        let link = |p: usize, rel: &str| {
            format!(
                "<http://fake{}?per_page={per_page}&page={p}>; rel=\"{rel}\"",
                req.path
            )
        };
        let mut links = Vec::new();
        if page < last {
            links.push(link(page + 1, "next"));
            links.push(link(last, "last"));
        }
        if page > 1 {
            links.push(link(1, "first"));
            links.push(link(page - 1, "prev"));
        }
        r = r.header("link", links.join(", "));
    }
    r
}

fn user(login: &str) -> Value {
    json!({"login": login, "id": login.len() as u64 * 1000 + login.bytes().map(u64::from).sum::<u64>(), "type": if login.ends_with("[bot]") { "Bot" } else { "User" }})
}

fn rest_comment(c: &FakeComment, repo: &str, issue: u64) -> Value {
    json!({
        "id": c.id,
        "node_id": format!("IC_{}", c.id),
        "url": format!("https://api.github.com/repos/{repo}/issues/comments/{}", c.id),
        "html_url": format!("https://github.com/{repo}/pull/{issue}#issuecomment-{}", c.id),
        "issue_url": format!("https://api.github.com/repos/{repo}/issues/{issue}"),
        "body": c.body,
        "user": user(&c.login),
        "created_at": iso(c.at),
        "updated_at": iso(c.updated),
        "author_association": "MEMBER",
    })
}

fn rest_pull(p: &FakePr, repo: &str) -> Value {
    json!({
        "number": p.number,
        "id": p.number * 7 + 100,
        "url": format!("https://api.github.com/repos/{repo}/pulls/{}", p.number),
        "html_url": format!("https://github.com/{repo}/pull/{}", p.number),
        "title": p.title,
        "state": if p.state == "OPEN" { "open" } else { "closed" },
        "user": p.author.as_deref().map(user),
        "created_at": iso(p.created),
        "updated_at": iso(p.updated),
        "closed_at": (p.state != "OPEN").then(|| iso(p.merged.unwrap_or(p.updated))),
        "merged_at": p.merged.map(iso),
        "merge_commit_sha": p.merge_commit,
        "labels": p.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
        "requested_reviewers": p.requested_reviewers.iter().map(|l| user(l)).collect::<Vec<_>>(),
        "draft": false,
        "head": {"ref": format!("pr-{}", p.number), "sha": "0".repeat(40)},
        "base": {"ref": "main", "sha": "1".repeat(40)},
    })
}

fn not_found() -> Response {
    Response::json(
        404,
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
    )
}

fn rest(s: &mut State, req: &Request) -> Response {
    let parts: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::Null);
    if parts == ["rate_limit"] {
        return Response::json(
            200,
            json!({"resources": {"core": {"limit": 5000, "remaining": 4999, "reset": s.rate_reset, "used": 1},
                                 "graphql": {"limit": s.rate_limit, "remaining": s.rate_remaining, "reset": s.rate_reset, "used": s.rate_limit - s.rate_remaining}}}),
        );
    }
    if parts.len() < 3 || parts[0] != "repos" {
        return not_found();
    }
    let slug = format!("{}/{}", parts[1], parts[2]);
    let key = slug.to_lowercase();
    let next_id = &mut s.next_id;
    let Some(repo) = s.repos.get_mut(&key) else {
        return not_found();
    };
    let num = |i: usize| parts.get(i).and_then(|p| p.parse::<u64>().ok());
    match (req.method.as_str(), &parts[3..]) {
        ("GET", []) => Response::json(
            200,
            json!({"full_name": slug, "name": parts[2], "owner": user(parts[1]), "private": repo.private, "default_branch": "main"}),
        ),
        ("GET", ["pulls"]) => {
            let state = query_param(&req.query, "state").unwrap_or("open");
            let mut pulls: Vec<&FakePr> = repo
                .pulls
                .values()
                .filter(|p| state == "all" || (state == "open") == (p.state == "OPEN"))
                .collect();
            match query_param(&req.query, "sort") {
                Some("updated") => pulls.sort_by_key(|p| std::cmp::Reverse(p.updated)),
                _ => pulls.sort_by_key(|p| std::cmp::Reverse(p.created)),
            }
            if query_param(&req.query, "direction") == Some("asc") {
                pulls.reverse();
            }
            list(req, pulls.iter().map(|p| rest_pull(p, &slug)).collect())
        }
        ("GET", ["pulls", _]) => match num(4).and_then(|n| repo.pulls.get(&n)) {
            Some(p) => Response::json(200, rest_pull(p, &slug)),
            None => not_found(),
        },
        ("GET", ["pulls", _, "files"]) => match num(4).and_then(|n| repo.pulls.get(&n)) {
            Some(p) => list(
                req,
                p.files
                    .iter()
                    .map(|f| json!({"sha": "2".repeat(40), "filename": f, "status": "modified", "additions": 1, "deletions": 0, "changes": 1}))
                    .collect(),
            ),
            None => not_found(),
        },
        ("GET", ["pulls", _, "reviews"]) => match num(4).and_then(|n| repo.pulls.get(&n)) {
            Some(p) => list(
                req,
                p.reviews
                    .iter()
                    .map(|r| json!({"id": r.id, "user": user(&r.login), "state": r.state, "submitted_at": (r.state != "PENDING").then(|| iso(r.at)), "body": ""}))
                    .collect(),
            ),
            None => not_found(),
        },
        ("GET", ["pulls", _, "requested_reviewers"]) => {
            match num(4).and_then(|n| repo.pulls.get(&n)) {
                Some(p) => Response::json(
                    200,
                    json!({"users": p.requested_reviewers.iter().map(|l| user(l)).collect::<Vec<_>>(), "teams": []}),
                ),
                None => not_found(),
            }
        }
        ("POST", ["pulls", _, "requested_reviewers"]) => {
            match num(4).and_then(|n| repo.pulls.get_mut(&n)) {
                Some(p) => {
                    let asked: Vec<String> = body["reviewers"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    if asked.iter().any(|r| Some(r) == p.author.as_ref()) {
                        return Response::json(
                            422,
                            json!({"message": "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the repository."}),
                        );
                    }
                    for r in asked {
                        if !p.requested_reviewers.contains(&r) {
                            p.requested_reviewers.push(r);
                        }
                    }
                    Response::json(201, rest_pull(p, &slug))
                }
                None => not_found(),
            }
        }
        ("GET", ["issues", _, "comments"]) => {
            let n = num(4).unwrap_or(0);
            let comments = match repo.pulls.get(&n) {
                Some(p) => p.comments.clone(),
                None => repo.issue_comments.get(&n).cloned().unwrap_or_default(),
            };
            list(
                req,
                comments.iter().map(|c| rest_comment(c, &slug, n)).collect(),
            )
        }
        ("POST", ["issues", _, "comments"]) => {
            let n = num(4).unwrap_or(0);
            let Some(text) = body["body"].as_str() else {
                return Response::json(422, json!({"message": "Invalid request.\n\n\"body\" wasn't supplied."}));
            };
            *next_id += 1;
            let now = chrono::Utc::now().timestamp();
            let c = FakeComment {
                id: *next_id,
                login: "github-actions[bot]".into(),
                body: text.into(),
                at: now,
                updated: now,
            };
            let json = rest_comment(&c, &slug, n);
            match repo.pulls.get_mut(&n) {
                Some(p) => p.comments.push(c),
                None => repo.issue_comments.entry(n).or_default().push(c),
            }
            Response::json(201, json)
        }
        ("PATCH", ["issues", "comments", _]) => {
            let id = num(5).unwrap_or(0);
            let Some(text) = body["body"].as_str() else {
                return Response::json(422, json!({"message": "Invalid request."}));
            };
            let now = chrono::Utc::now().timestamp();
            let all = repo
                .pulls
                .iter_mut()
                .flat_map(|(n, p)| p.comments.iter_mut().map(move |c| (*n, c)))
                .chain(
                    repo.issue_comments
                        .iter_mut()
                        .flat_map(|(n, cs)| cs.iter_mut().map(move |c| (*n, c))),
                );
            for (n, c) in all {
                if c.id == id {
                    c.body = text.into();
                    c.updated = now;
                    return Response::json(200, rest_comment(c, &slug, n));
                }
            }
            not_found()
        }
        _ => not_found(),
    }
}

// ---- generated data -------------------------------------------------------------------------

/// A deterministic pseudo-random source (no dependency, stable across platforms).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// `n` merged pull requests shaped like a busy project's: 40 people, 1-3 reviews each,
/// a few files, a commit or two; about 2% with more than 100 files, 1% with more than 50
/// reviews, 2% with more than 50 commits (these need follow-up pages). Numbers 1..=n,
/// one every few hours from 2020-01-01.
pub fn generate(n: u64, seed: u64) -> Vec<FakePr> {
    let mut rng = Lcg::new(seed);
    let people: Vec<String> = (0..40).map(|i| format!("dev{i:02}")).collect();
    let start = ts("2020-01-01");
    (1..=n)
        .map(|number| {
            let t = start + number as i64 * 3 * 3600 + rng.below(3600) as i64;
            let author = &people[rng.below(people.len() as u64) as usize];
            let mut pr = FakePr::new(number, author, "2020-01-01");
            pr.created = t;
            pr.updated = t;
            let files = match rng.below(100) {
                0..=1 => 101 + rng.below(300) as usize,
                _ => 1 + rng.below(8) as usize,
            };
            pr.files = (0..files)
                .map(|f| format!("src/m{}/f{f}.rs", rng.below(12)))
                .collect();
            let reviews = match rng.below(100) {
                0 => 51 + rng.below(30) as usize,
                _ => 1 + rng.below(3) as usize,
            };
            for r in 0..reviews {
                let who = &people[rng.below(people.len() as u64) as usize];
                let state = ["APPROVED", "COMMENTED", "CHANGES_REQUESTED"][rng.below(3) as usize];
                pr.reviews.push(FakeReview {
                    id: number * 100 + r as u64,
                    login: who.clone(),
                    state: state.into(),
                    at: t + 600 + r as i64 * 60,
                });
            }
            let commits = match rng.below(100) {
                0..=1 => 51 + rng.below(60) as usize,
                _ => 1 + rng.below(3) as usize,
            };
            pr.commits = (0..commits)
                .map(|_| FakeCommit {
                    name: format!("Dev {author}"),
                    email: format!("{author}@example.com"),
                    login: Some(author.clone()),
                })
                .collect();
            if rng.below(4) == 0 {
                pr.labels.push("bug".into());
            }
            let merger = &people[rng.below(people.len() as u64) as usize];
            let merged_at = t + 7200;
            pr.state = "MERGED".into();
            pr.merged = Some(merged_at);
            pr.merged_by = Some(merger.clone());
            pr.updated = merged_at;
            pr
        })
        .collect()
}

// ---- the GitHub Action's needs ---------------------------------------------------------------

impl FakeGithub {
    /// Makes `token` read-only, like the token of a pull request from a fork: it may read,
    /// but every write (POST, PATCH, PUT, DELETE) gets GitHub's 403.
    pub fn read_only_token(&self, token: &str) {
        let token = token.to_string();
        self.script(move |r| {
            let theirs = r
                .header("authorization")
                .and_then(|h| h.split_once(' '))
                .map(|(_, t)| t.trim() == token)
                .unwrap_or(false);
            (theirs && r.method != "GET" && r.graphql_index == 0).then(|| Fault::Status(403))
        });
    }

    /// Requests with this method whose path ends with `suffix`, so far.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.with(|s| {
            s.log
                .iter()
                .filter(|r| r.method == method && r.path.ends_with(suffix))
                .count()
        })
    }

    /// The conversation comments of pull request `number` as stored now.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<FakeComment> {
        self.pull(repo, number)
            .map(|p| p.comments)
            .unwrap_or_default()
    }
}
