//! The HTTP side: reading a request off a socket, answering it, and routing it.

use super::*;

// ---- HTTP ---------------------------------------------------------------------------------

pub(super) struct Request {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
}

pub(super) struct Response {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Response {
    pub(super) fn json(status: u16, body: Value) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
        }
    }
    /// Bytes as they are (a release download).
    pub(super) fn bytes(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("x-content".into(), "octet-stream".into())],
            body,
        }
    }
    pub(super) fn header(mut self, k: &str, v: impl ToString) -> Response {
        self.headers.push((k.into(), v.to_string()));
        self
    }
}

pub(super) fn read_request(conn: &TcpStream) -> std::io::Result<Option<Request>> {
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

pub(super) fn serve(mut conn: TcpStream, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
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
            body: b.into(),
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
    conn.write_all(&response.body)?;
    conn.flush()
}

/// The token a request carries, if any.
pub(super) fn token_of(req: &Request) -> Option<String> {
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

pub(super) fn handle(s: &mut State, req: &Request, is_graphql: bool) -> Response {
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
    if let Some(bytes) = s.assets.get(&req.path) {
        return Response::bytes(200, bytes.clone());
    }
    rest(s, req)
}
