//! The REST endpoints the Action uses: pulls, files, reviews, comments, review requests.

use super::*;

pub(super) fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// A page of a list, with GitHub's `Link` header.
pub(super) fn list(req: &Request, items: Vec<Value>) -> Response {
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

pub(super) fn user(login: &str) -> Value {
    json!({"login": login, "id": login.len() as u64 * 1000 + login.bytes().map(u64::from).sum::<u64>(), "type": if login.ends_with("[bot]") { "Bot" } else { "User" }})
}

pub(super) fn rest_comment(c: &FakeComment, repo: &str, issue: u64) -> Value {
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

pub(super) fn rest_pull(p: &FakePr, repo: &str) -> Value {
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

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn not_found() -> Response {
    Response::json(
        404,
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
    )
}

pub(super) fn rest(s: &mut State, req: &Request) -> Response {
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
    let (viewer, race) = (s.viewer.clone(), s.race_on_create);
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
            *next_id += 2;
            let now = chrono::Utc::now().timestamp();
            let c = FakeComment {
                id: *next_id,
                login: viewer.clone(),
                body: text.into(),
                at: now,
                updated: now,
            };
            let json = rest_comment(&c, &slug, n);
            let list = match repo.pulls.get_mut(&n) {
                Some(p) => &mut p.comments,
                None => repo.issue_comments.entry(n).or_default(),
            };
            if race {
                // The other run got there first: its comment has the lower id.
                list.push(FakeComment {
                    id: *next_id - 1,
                    body: format!("{text}\n<!-- the other run -->"),
                    ..c.clone()
                });
            }
            list.push(c);
            Response::json(201, json)
        }
        ("DELETE", ["issues", "comments", _]) => {
            let id = num(5).unwrap_or(0);
            let lists = repo
                .pulls
                .values_mut()
                .map(|p| &mut p.comments)
                .chain(repo.issue_comments.values_mut());
            for list in lists {
                if let Some(i) = list.iter().position(|c| c.id == id) {
                    list.remove(i);
                    return Response::json(204, Value::Null);
                }
            }
            not_found()
        }
        ("GET", ["contents", ..]) => {
            let path = parts[4..].join("/");
            let path = percent_decode(&path);
            let at = query_param(&req.query, "ref").unwrap_or("main").to_string();
            match repo.files.get(&(at, path.clone())) {
                Some(text) => {
                    use base64::Engine as _;
                    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
                    // GitHub wraps the base64 at 60 columns.
                    let wrapped: Vec<String> = b64
                        .as_bytes()
                        .chunks(60)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect();
                    Response::json(
                        200,
                        json!({"type": "file", "encoding": "base64", "path": path, "content": wrapped.join("\n")}),
                    )
                }
                None => not_found(),
            }
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
