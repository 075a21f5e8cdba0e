//! Assembling pull request records from answers: a [`Partial`] starts from a page node,
//! takes the follow-up pages of its connections as they arrive, and finishes sorted and
//! deduplicated, with the first response worked out. Kept apart from the answer shapes
//! because this is where GitHub's data is interpreted (pending reviews dropped, bots'
//! comments not a response, the file list capped).

use super::answer::{
    Actor, Comment, Conn, File, GitActor, Label, MoreNode, PrCommit, PullNode, Review,
};
use super::{Connection, FollowUp, MAX_PATHS};
use crate::sources::github::model::{CommitAuthor, PullRequestRecord, ReviewRecord};

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

fn is_bot(login: &str) -> bool {
    login.ends_with("[bot]")
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
