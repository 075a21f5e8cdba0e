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
//! (`tests/it/sync.rs`), through [`documents_for_validation`]. This module builds the
//! documents; the shapes of the answers are `answer`, and turning answers into records is
//! `assemble`. None of it does I/O.

mod answer;
mod assemble;

pub use answer::{
    Actor, Answer, Comment, CommitInner, Conn, File, GitActor, Label, MergeCommit, MoreNode,
    PageInfo, PrCommit, PullNode, PullPage, RateLimit, Review,
};
pub use assemble::{cmp_time, Partial};

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
}
