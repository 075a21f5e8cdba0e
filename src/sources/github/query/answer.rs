//! The shapes of GitHub's answers to the documents built in the parent module, read with
//! serde: a page of pull requests, the follow-up pages (`p0`, `p1`, ...) and the rate-limit
//! budget. Only shapes and [`Answer::parse`]; what the fields mean for a pull request is
//! `assemble`.

use serde::Deserialize;

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
    pub(super) fn next(&self) -> Option<String> {
        self.page_info
            .has_next_page
            .then(|| self.page_info.end_cursor.clone())
            .flatten()
    }
    pub(super) fn items(self) -> impl Iterator<Item = T> {
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
