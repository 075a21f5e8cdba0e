//! The GraphQL endpoint: the sync documents' pages and follow-ups, shaped like GitHub's.

use super::*;

// ---- GraphQL ------------------------------------------------------------------------------

pub(super) fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn unhex(s: &str) -> Option<String> {
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
pub(super) fn first_of(query: &str, field: &str) -> usize {
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

pub(super) fn conn(items: Vec<Value>, start: usize, first: usize, total: usize) -> Value {
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

pub(super) fn start_of(cursor: Option<&str>) -> usize {
    cursor
        .and_then(unhex)
        .and_then(|c| c.strip_prefix("idx:")?.parse().ok())
        .unwrap_or(0)
}

/// An `Actor` as GraphQL shows it: a bot's login comes without `[bot]`.
pub(super) fn actor(login: &str) -> Value {
    match login.strip_suffix("[bot]") {
        Some(bot) => json!({"__typename": "Bot", "login": bot}),
        None => json!({"__typename": "User", "login": login}),
    }
}

pub(super) fn git_actor(c: &FakeCommit) -> Value {
    json!({"name": c.name, "email": c.email, "user": c.login.as_ref().map(|l| json!({"login": l}))})
}

/// The connections of a pull request, each from its own start, as far as `first` allows.
pub(super) fn connection(pr: &FakePr, field: &str, start: usize, first: usize) -> Value {
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

pub(super) fn pull_node(pr: &FakePr, query: &str) -> Value {
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

pub(super) fn gql_error(data: Value, kind: &str, message: &str) -> Response {
    Response::json(
        200,
        json!({"data": data, "errors": [{"type": kind, "path": ["repository"], "locations": [{"line": 3, "column": 3}], "message": message}]}),
    )
}

pub(super) fn graphql(s: &mut State, req: &Request) -> Response {
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
    if query.contains("viewer") && !query.contains("repository") {
        return Response::json(200, json!({"data": {"viewer": {"login": s.viewer}}}));
    }
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
