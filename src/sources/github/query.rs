//! The GraphQL documents `cargo guild sync` sends, and the shapes of their answers.
//!
//! One request carries a page of pull requests (newest update first, many per page, each with
//! the first page of its reviews, files, labels, comments and commits) and, riding along in
//! the same document, the next pages of the nested connections that overflowed on earlier
//! pages (`p0: pullRequest(number: $n0) { files(first: 100, after: $files0) { .. } }`). So a
//! full sync costs about one request per page, and follow-ups only exist for the few pull
//! requests that have more than a page of something.
//!
//! Every document built here is validated against GitHub's public schema in the test suite
//! (`tests/it/sync.rs`), through [`documents_for_validation`]. This module builds text and
//! parses answers; it does no I/O.

use serde::Deserialize;

use super::model::{CommitAuthor, PullRequestRecord, ReviewRecord};

/// Pull requests per page on a full sync.
pub const PAGE_SIZE: u32 = 100;
/// Pull requests in the first page of an incremental sync: usually all there is to see.
pub const FIRST_INCREMENTAL_PAGE: u32 = 25;
/// At most this many pull requests get follow-ups in one request.
pub const MAX_FOLLOWUPS: usize = 30;
/// Paths kept per pull request; GitHub itself lists at most 3,000.
pub const MAX_PATHS: usize = 3000;

/// The fields of a pull request, shared by the page and nothing else.
const PULL_FIELDS: &str = "
fragment GuildPull on PullRequest {
  number
  title
  state
  createdAt
  updatedAt
  mergedAt
  author { __typename login }
  mergedBy { __typename login }
  mergeCommit { oid author { name email user { login } } }
  labels(first: 20) { ...GuildLabels }
  files(first: 100) { ...GuildFiles }
  reviews(first: 50) { ...GuildReviews }
  comments(first: 10) { ...GuildComments }
  commits(first: 50) { ...GuildCommits }
}";

/// A nested connection of a pull request that may need more than one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Connection {
    Labels,
    Files,
    Reviews,
    Comments,
    Commits,
}

impl Connection {
    pub const ALL: [Connection; 5] = [
        Connection::Labels,
        Connection::Files,
        Connection::Reviews,
        Connection::Comments,
        Connection::Commits,
    ];

    /// The field name on `PullRequest`, also the prefix of its cursor variable (`files3`).
    pub fn field(self) -> &'static str {
        match self {
            Connection::Labels => "labels",
            Connection::Files => "files",
            Connection::Reviews => "reviews",
            Connection::Comments => "comments",
            Connection::Commits => "commits",
        }
    }

    fn fragment(self) -> (&'static str, &'static str) {
        match self {
            Connection::Labels => (
                "GuildLabels",
                "fragment GuildLabels on LabelConnection { pageInfo { hasNextPage endCursor } nodes { name } }",
            ),
            Connection::Files => (
                "GuildFiles",
                "fragment GuildFiles on PullRequestChangedFileConnection { totalCount pageInfo { hasNextPage endCursor } nodes { path } }",
            ),
            Connection::Reviews => (
                "GuildReviews",
                "fragment GuildReviews on PullRequestReviewConnection { pageInfo { hasNextPage endCursor } nodes { author { __typename login } state submittedAt } }",
            ),
            Connection::Comments => (
                "GuildComments",
                "fragment GuildComments on IssueCommentConnection { pageInfo { hasNextPage endCursor } nodes { author { __typename login } createdAt } }",
            ),
            Connection::Commits => (
                "GuildCommits",
                "fragment GuildCommits on PullRequestCommitConnection { pageInfo { hasNextPage endCursor } nodes { commit { author { name email user { login } } } } }",
            ),
        }
    }
}

/// The next page of one connection of one pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub number: u64,
    pub connection: Connection,
    pub cursor: String,
}

/// Builds one request: a page of pull requests (when `page`), plus follow-ups.
/// Variables: `$owner`, `$name`, and with a page `$first`, `$after`; per follow-up group `i`,
/// `$n{i}` (the number) and `${field}{i}` (the cursor), as [`variables`] fills them.
pub fn document(page: bool, followups: &[FollowUp]) -> String {
    let groups = group(followups);
    let mut vars = vec!["$owner: String!".to_string(), "$name: String!".to_string()];
    if page {
        vars.push("$first: Int!".into());
        vars.push("$after: String".into());
    }
    let mut body = String::new();
    let mut used: Vec<Connection> = Vec::new();
    if page {
        body.push_str(
            "    pullRequests(first: $first, after: $after, orderBy: {field: UPDATED_AT, direction: DESC}) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { ...GuildPull }\n    }\n",
        );
        used.extend(Connection::ALL);
    }
    for (i, (number, conns)) in groups.iter().enumerate() {
        let _ = number;
        vars.push(format!("$n{i}: Int!"));
        body.push_str(&format!(
            "    p{i}: pullRequest(number: $n{i}) {{\n      number\n"
        ));
        for (c, _) in conns {
            let f = c.field();
            vars.push(format!("${f}{i}: String"));
            body.push_str(&format!(
                "      {f}(first: 100, after: ${f}{i}) {{ ...{} }}\n",
                c.fragment().0
            ));
            used.push(*c);
        }
        body.push_str("    }\n");
    }
    used.sort();
    used.dedup();
    let mut doc = format!(
        "query GuildSync({}) {{\n  rateLimit {{ cost remaining resetAt }}\n  repository(owner: $owner, name: $name) {{\n{body}  }}\n}}\n",
        vars.join(", ")
    );
    if page {
        doc.push_str(PULL_FIELDS.trim_start());
        doc.push('\n');
    }
    for c in used {
        doc.push_str(c.fragment().1);
        doc.push('\n');
    }
    doc
}

/// The variables for [`document`] with the same arguments.
pub fn variables(
    owner: &str,
    name: &str,
    page: Option<(u32, Option<&str>)>,
    followups: &[FollowUp],
) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    v.insert("owner".into(), owner.into());
    v.insert("name".into(), name.into());
    if let Some((first, after)) = page {
        v.insert("first".into(), first.into());
        v.insert("after".into(), after.map(Into::into).unwrap_or_default());
    }
    for (i, (number, conns)) in group(followups).iter().enumerate() {
        v.insert(format!("n{i}"), (*number).into());
        for (c, cursor) in conns {
            v.insert(format!("{}{i}", c.field()), cursor.as_str().into());
        }
    }
    serde_json::Value::Object(v)
}

/// Follow-ups grouped by pull request, in a stable order.
fn group(followups: &[FollowUp]) -> Vec<(u64, Vec<(Connection, String)>)> {
    let mut out: Vec<(u64, Vec<(Connection, String)>)> = Vec::new();
    for f in followups {
        match out.iter_mut().find(|(n, _)| *n == f.number) {
            Some((_, conns)) => {
                if !conns.iter().any(|(c, _)| *c == f.connection) {
                    conns.push((f.connection, f.cursor.clone()));
                }
            }
            None => out.push((f.number, vec![(f.connection, f.cursor.clone())])),
        }
    }
    out
}

/// Every shape of document the client can send, for validation against the schema.
pub fn documents_for_validation() -> Vec<(String, String)> {
    let all: Vec<FollowUp> = Connection::ALL
        .iter()
        .enumerate()
        .map(|(i, &c)| FollowUp {
            number: 1 + (i as u64 % 2),
            connection: c,
            cursor: "Y3Vyc29yOjE=".into(),
        })
        .collect();
    vec![
        ("page".into(), document(true, &[])),
        ("page with follow-ups".into(), document(true, &all)),
        ("follow-ups only".into(), document(false, &all)),
        ("one follow-up".into(), document(false, &all[1..2])),
    ]
}

// ---- answers ----------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A connection page. Nodes may be null (GitHub nulls what it cannot show).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conn<T> {
    #[serde(default)]
    pub total_count: Option<u64>,
    pub page_info: PageInfo,
    #[serde(default = "Vec::new")]
    pub nodes: Vec<Option<T>>,
}

impl<T> Conn<T> {
    fn next(&self) -> Option<String> {
        self.page_info
            .has_next_page
            .then(|| self.page_info.end_cursor.clone())
            .flatten()
    }
    fn items(self) -> impl Iterator<Item = T> {
        self.nodes.into_iter().flatten()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Actor {
    pub login: String,
    #[serde(rename = "__typename", default)]
    pub typename: Option<String>,
}

impl Actor {
    /// The login as the rest of cargo guild knows it: GraphQL gives a bot's login without
    /// the `[bot]` that git and REST show (`dependabot` vs `dependabot[bot]`); put it back so
    /// that bots are recognised as bots.
    pub fn name(self) -> String {
        if self.typename.as_deref() == Some("Bot") && !self.login.ends_with("[bot]") {
            format!("{}[bot]", self.login)
        } else {
            self.login
        }
    }
}

fn is_bot(login: &str) -> bool {
    login.ends_with("[bot]")
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitActor {
    pub name: Option<String>,
    pub email: Option<String>,
    pub user: Option<Actor>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct File {
    pub path: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub author: Option<Actor>,
    pub state: String,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    pub author: Option<Actor>,
    pub created_at: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PrCommit {
    pub commit: CommitInner,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommitInner {
    pub author: Option<GitActor>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MergeCommit {
    pub oid: String,
    pub author: Option<GitActor>,
}

/// A pull request as the page returns it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullNode {
    pub number: u64,
    pub title: String,
    pub state: String,
    pub created_at: String,
    pub updated_at: String,
    pub merged_at: Option<String>,
    pub author: Option<Actor>,
    pub merged_by: Option<Actor>,
    pub merge_commit: Option<MergeCommit>,
    pub labels: Option<Conn<Label>>,
    pub files: Option<Conn<File>>,
    pub reviews: Option<Conn<Review>>,
    pub comments: Option<Conn<Comment>>,
    pub commits: Option<Conn<PrCommit>>,
}

/// A follow-up answer: the pull request's number and the connections that were asked for.
#[derive(Debug, Clone, Deserialize)]
pub struct MoreNode {
    pub number: u64,
    pub labels: Option<Conn<Label>>,
    pub files: Option<Conn<File>>,
    pub reviews: Option<Conn<Review>>,
    pub comments: Option<Conn<Comment>>,
    pub commits: Option<Conn<PrCommit>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullPage {
    pub total_count: u64,
    pub page_info: PageInfo,
    pub nodes: Vec<Option<PullNode>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub cost: i64,
    pub remaining: i64,
    pub reset_at: String,
}

/// The `data` of one answer, split into the page and the follow-ups (`p0`, `p1`, ...).
#[derive(Debug, Clone)]
pub struct Answer {
    pub rate_limit: Option<RateLimit>,
    pub page: Option<PullPage>,
    pub more: Vec<MoreNode>,
}

impl Answer {
    /// Reads `data`. `Ok(None)` when the repository is null (not found or not visible).
    pub fn parse(data: &serde_json::Value) -> Result<Option<Answer>, serde_json::Error> {
        let rate_limit = match data.get("rateLimit") {
            Some(v) if !v.is_null() => Some(RateLimit::deserialize(v)?),
            _ => None,
        };
        let Some(repo) = data.get("repository").filter(|r| !r.is_null()) else {
            return Ok(None);
        };
        let page = match repo.get("pullRequests") {
            Some(v) if !v.is_null() => Some(PullPage::deserialize(v)?),
            _ => None,
        };
        let mut more = Vec::new();
        if let Some(obj) = repo.as_object() {
            let mut keys: Vec<(usize, &String)> = obj
                .keys()
                .filter_map(|k| Some((k.strip_prefix('p')?.parse::<usize>().ok()?, k)))
                .collect();
            keys.sort();
            for (_, k) in keys {
                if !obj[k].is_null() {
                    more.push(MoreNode::deserialize(&obj[k])?);
                }
            }
        }
        Ok(Some(Answer {
            rate_limit,
            page,
            more,
        }))
    }
}

// ---- assembling records -----------------------------------------------------------------

/// A pull request being assembled: the record so far and what is still to fetch.
#[derive(Debug, Clone)]
pub struct Partial {
    pub record: PullRequestRecord,
    /// Non-author comments' times seen so far (for the first response).
    first_comment: Option<(String, String)>,
    /// Connections with more pages: the cursor of the next one.
    pub pending: Vec<(Connection, String)>,
}

impl Partial {
    /// Starts from a page node.
    pub fn from_node(node: PullNode) -> Partial {
        let record = PullRequestRecord {
            number: node.number,
            title: node.title,
            author: node.author.map(Actor::name),
            state: node.state,
            created_at: node.created_at,
            updated_at: node.updated_at,
            merged_at: node.merged_at,
            merged_by: node.merged_by.map(Actor::name),
            merge_commit: node.merge_commit.as_ref().map(|m| m.oid.clone()),
            merge_commit_author: node
                .merge_commit
                .and_then(|m| m.author)
                .and_then(commit_author),
            ..Default::default()
        };
        let mut p = Partial {
            record,
            first_comment: None,
            pending: Vec::new(),
        };
        p.add(
            node.labels,
            node.files,
            node.reviews,
            node.comments,
            node.commits,
        );
        p
    }

    /// Adds a follow-up answer.
    pub fn merge(&mut self, more: MoreNode) {
        self.add(
            more.labels,
            more.files,
            more.reviews,
            more.comments,
            more.commits,
        );
    }

    fn add(
        &mut self,
        labels: Option<Conn<Label>>,
        files: Option<Conn<File>>,
        reviews: Option<Conn<Review>>,
        comments: Option<Conn<Comment>>,
        commits: Option<Conn<PrCommit>>,
    ) {
        let mut pending = Vec::new();
        let r = &mut self.record;
        if let Some(c) = labels {
            let next = c.next();
            r.labels.extend(c.items().map(|l| l.name));
            pending.extend(next.map(|n| (Connection::Labels, n)));
        }
        if let Some(c) = files {
            let next = c.next();
            let total = c.total_count;
            r.paths.extend(c.items().map(|f| f.path));
            if r.paths.len() >= MAX_PATHS {
                r.paths.truncate(MAX_PATHS);
                r.paths_truncated = true;
            } else if let Some(n) = next {
                pending.push((Connection::Files, n));
            } else if total.is_some_and(|t| t as usize > r.paths.len()) {
                // GitHub stops listing files of huge pull requests.
                r.paths_truncated = true;
            }
        }
        if let Some(c) = reviews {
            let next = c.next();
            r.reviews.extend(c.items().filter_map(|rv| {
                // A pending review has no submission time and is only visible to its author.
                Some(ReviewRecord {
                    author: rv.author.map(Actor::name),
                    submitted_at: rv.submitted_at?,
                    state: rv.state,
                })
                .filter(|rv| rv.state != "PENDING")
            }));
            pending.extend(next.map(|n| (Connection::Reviews, n)));
        }
        if let Some(c) = comments {
            let next = c.next();
            let author = r.author.clone();
            if self.first_comment.is_none() {
                self.first_comment = c
                    .items()
                    .filter_map(|cm| Some((cm.author?.name(), cm.created_at)))
                    .find(|(login, _)| Some(login) != author.as_ref() && !is_bot(login));
            }
            // Comments only matter until someone else's first one is found.
            if self.first_comment.is_none() {
                pending.extend(next.map(|n| (Connection::Comments, n)));
            }
        }
        if let Some(c) = commits {
            let next = c.next();
            for a in c
                .items()
                .filter_map(|pc| pc.commit.author.and_then(commit_author))
            {
                if !r.commit_authors.contains(&a) {
                    r.commit_authors.push(a);
                }
            }
            pending.extend(next.map(|n| (Connection::Commits, n)));
        }
        self.pending = pending;
    }

    /// Whether every connection is complete.
    pub fn is_complete(&self) -> bool {
        self.pending.is_empty()
    }

    /// The follow-ups still needed.
    pub fn followups(&self) -> impl Iterator<Item = FollowUp> + '_ {
        self.pending.iter().map(|(c, cursor)| FollowUp {
            number: self.record.number,
            connection: *c,
            cursor: cursor.clone(),
        })
    }

    /// The finished record: sorted, deduplicated, with its first response.
    pub fn finish(mut self) -> PullRequestRecord {
        let r = &mut self.record;
        r.labels.sort();
        r.labels.dedup();
        r.paths.sort();
        r.paths.dedup();
        r.reviews.sort_by(|a, b| {
            a.submitted_at
                .cmp(&b.submitted_at)
                .then_with(|| a.author.cmp(&b.author))
        });
        let author = r.author.clone();
        let first_review = r
            .reviews
            .iter()
            .filter(|rv| rv.author.is_some() && rv.author != author)
            .filter(|rv| !rv.author.as_deref().is_some_and(is_bot))
            .filter_map(|rv| Some((rv.author.clone()?, rv.submitted_at.clone())))
            .min_by(|a, b| cmp_time(&a.1, &b.1));
        let first = [self.first_comment.take(), first_review]
            .into_iter()
            .flatten()
            .min_by(|a, b| cmp_time(&a.1, &b.1));
        if let Some((who, at)) = first {
            r.first_responder = Some(who);
            r.first_response_at = Some(at);
        }
        self.record
    }
}

fn commit_author(a: GitActor) -> Option<CommitAuthor> {
    let author = CommitAuthor {
        name: a.name.unwrap_or_default(),
        email: a.email.unwrap_or_default(),
        login: a.user.map(|u| u.login),
    };
    (!author.name.is_empty() || !author.email.is_empty()).then_some(author)
}

/// Compares two RFC 3339 times (falls back to text order for unparsable ones).
pub fn cmp_time(a: &str, b: &str) -> std::cmp::Ordering {
    match (crate::util::parse_rfc3339(a), crate::util::parse_rfc3339(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_are_grouped_per_pull_request_with_numbered_variables() {
        let f = |n, c| FollowUp {
            number: n,
            connection: c,
            cursor: format!("c{n}"),
        };
        let fs = [
            f(7, Connection::Files),
            f(9, Connection::Reviews),
            f(7, Connection::Commits),
        ];
        let doc = document(false, &fs);
        assert!(doc.contains("p0: pullRequest(number: $n0)"));
        assert!(doc.contains("files(first: 100, after: $files0)"));
        assert!(doc.contains("commits(first: 100, after: $commits0)"));
        assert!(doc.contains("reviews(first: 100, after: $reviews1)"));
        assert!(!doc.contains("GuildPull"), "no page, no page fragment");
        let v = variables("o", "r", None, &fs);
        assert_eq!(v["n0"], 7);
        assert_eq!(v["n1"], 9);
        assert_eq!(v["files0"], "c7");
        assert_eq!(v["reviews1"], "c9");
    }

    #[test]
    fn first_response_is_the_earliest_non_author_comment_or_review() {
        let data = serde_json::json!({
            "number": 3, "title": "t", "state": "OPEN",
            "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-01-05T00:00:00Z",
            "author": {"login": "amy"},
            "reviews": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [
                {"author": {"login": "amy"}, "state": "COMMENTED", "submittedAt": "2024-01-01T01:00:00Z"},
                {"author": {"login": "bo"}, "state": "APPROVED", "submittedAt": "2024-01-03T00:00:00Z"},
                {"author": {"login": "cy"}, "state": "PENDING", "submittedAt": null}
            ]},
            "comments": {"pageInfo": {"hasNextPage": true, "endCursor": "x"}, "nodes": [
                {"author": {"login": "amy"}, "createdAt": "2024-01-01T02:00:00Z"},
                {"author": {"login": "di"}, "createdAt": "2024-01-02T00:00:00Z"}
            ]}
        });
        let p = Partial::from_node(serde_json::from_value(data).unwrap());
        assert!(
            p.is_complete(),
            "a found first response needs no more comments"
        );
        let r = p.finish();
        assert_eq!(r.first_responder.as_deref(), Some("di"));
        assert_eq!(r.first_response_at.as_deref(), Some("2024-01-02T00:00:00Z"));
        assert_eq!(r.reviews.len(), 2, "pending reviews are dropped");
    }
}
