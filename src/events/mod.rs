//! The ledger: one [`Event`] per contribution, from every source, with identities resolved.
//! Git and GitHub describe the same pull requests; `build` merges them so that a pull
//! request, and each review of it, is counted once. Events carry no points: scoring is
//! `analysis::reputation`, a pure function of (events, config).

pub mod build;
pub mod cache;
pub mod exported;
pub mod identity;
pub mod logins;
pub mod merge;
pub mod people;
pub mod structure;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{build, FutureDated, Inputs};
pub use identity::{Identities, Person};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A commit authored (merge commits excluded).
    Commit,
    /// A pull request authored and merged.
    PrMerged,
    /// A topic branch authored and merged (`Merge branch 'ab/topic'`): a change set that is
    /// not a pull request, counted apart from them.
    ChangeSetMerged,
    /// Merged someone else's pull request or topic branch.
    MergedOther,
    /// Co-authored-by on someone else's commit.
    CoAuthored,
    Reported,
    Suggested,
    DocWritten,
    DocFacilitated,
    DocParticipated,
    /// Reviewed someone else's work (Reviewed-by, r=, an approving or change-requesting review).
    Review,
    /// A review that only commented.
    ReviewComment,
    Acked,
    Tested,
    Helped,
    Mentored,
    /// Signed-off-by on someone else's commit.
    SignedOff,
    /// Endorsed for a skill by someone else (`other`), who committed the endorsement file.
    /// Received, not done: it is not taking part (see [`EventKind::is_taking_part`]).
    Endorsed,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Commit => "commit",
            EventKind::PrMerged => "pr_merged",
            EventKind::ChangeSetMerged => "change_set_merged",
            EventKind::MergedOther => "merged_other",
            EventKind::CoAuthored => "co_authored",
            EventKind::Reported => "reported",
            EventKind::Suggested => "suggested",
            EventKind::DocWritten => "doc_written",
            EventKind::DocFacilitated => "doc_facilitated",
            EventKind::DocParticipated => "doc_participated",
            EventKind::Review => "review",
            EventKind::ReviewComment => "review_comment",
            EventKind::Acked => "acked",
            EventKind::Tested => "tested",
            EventKind::Helped => "helped",
            EventKind::Mentored => "mentored",
            EventKind::SignedOff => "signed_off",
            EventKind::Endorsed => "endorsed",
        }
    }

    /// Whether the event is something the person did (everything but a received
    /// endorsement): what first contributions, activity and "last seen" count.
    pub fn is_taking_part(self) -> bool {
        self != EventKind::Endorsed
    }

    /// Authoring: the person wrote the work (alone, with others, or as the pull request or
    /// topic branch merged). What makes someone's own domains (cross-domain reviews) and
    /// their work in a domain.
    pub fn is_authoring(self) -> bool {
        matches!(
            self,
            EventKind::Commit
                | EventKind::CoAuthored
                | EventKind::PrMerged
                | EventKind::ChangeSetMerged
        )
    }

    /// Review-like events: work on someone else's contribution. They make the edges of the
    /// review network and count towards the reviewer score.
    pub fn is_review_side(self) -> bool {
        matches!(
            self,
            EventKind::Review
                | EventKind::ReviewComment
                | EventKind::Acked
                | EventKind::Tested
                | EventKind::Helped
                | EventKind::Mentored
                | EventKind::SignedOff
                | EventKind::MergedOther
        )
    }
}

/// A commit id: 20 bytes in memory and in the caches (no allocation per commit), full
/// lowercase hex in JSON and text. Ordered like its hex.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CommitId(pub [u8; 20]);

impl CommitId {
    /// The first ten hex digits, as commits are shown.
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(10);
        s
    }
}

impl std::fmt::Display for CommitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for CommitId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

impl Serialize for CommitId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            self.0.serialize(s)
        }
    }
}

impl schemars::JsonSchema for CommitId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CommitId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[0-9a-f]{40}$"})
    }
}

impl<'de> Deserialize<'de> for CommitId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            return <[u8; 20]>::deserialize(d).map(CommitId);
        }
        let hex = String::deserialize(d)?;
        git2::Oid::from_str(&hex)
            .ok()
            .filter(|_| hex.len() == 40)
            .and_then(|o| o.as_bytes().try_into().ok())
            .map(CommitId)
            .ok_or_else(|| serde::de::Error::custom(format!("`{hex}` is not a commit id")))
    }
}

/// A pull request: its number and the commit that merged it. Numbers repeat in re-rooted or
/// imported histories (tokio's #131 is two pull requests), so the number alone is not an id.
/// A pull request known only from GitHub and not merged has no merge commit.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub struct PrId {
    pub number: u64,
    pub merge: Option<CommitId>,
    /// Which of the merged ledgers (`--ledgers`) it comes from, 0 in one repository: an
    /// unmerged pull request known only from GitHub is unique per (repository, number).
    /// Not serialised: one repository's ledger (the cache) has only 0, and output names
    /// pull requests by number.
    #[serde(skip)]
    pub repo: u16,
}

impl std::fmt::Display for PrId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.number)
    }
}

/// What an event is about.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A pull request.
    Pr(PrId),
    /// A commit.
    Commit(CommitId),
    /// A doc path.
    Doc(String),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Pr(n) => write!(f, "{n}"),
            Target::Commit(c) => write!(f, "{}", c.short()),
            Target::Doc(p) => write!(f, "{p}"),
        }
    }
}

/// Where an event was learned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Git,
    Github,
    Docs,
}

/// A review's verdict, where known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Commented,
    ChangesRequested,
    Approved,
}

/// One contribution by one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unix seconds.
    pub time: i64,
    /// Index into `Ledger::people`.
    pub person: u32,
    pub kind: EventKind,
    pub target: Target,
    /// The pull request the event belongs to, if any (also for commits inside one).
    pub pr: Option<PrId>,
    /// Whose work it was about (the author of the reviewed PR or commit).
    pub other: Option<u32>,
    pub source: Source,
    pub state: Option<ReviewState>,
}

impl Event {
    /// The ledger's total order: time, person (people are sorted by id, so their index
    /// orders like their id), kind, target, source, pull request, other person, review
    /// state. A ledger built from history and one merged from exported ledgers sort the same
    /// way. Every field counts, so events that compare equal are the same event, and an
    /// unstable sort (which needs no scratch copy: 120 MB on a million commits) gives the
    /// same ledger as a stable one, whatever order the events came in.
    pub fn ledger_order(a: &Event, b: &Event) -> std::cmp::Ordering {
        a.time
            .cmp(&b.time)
            .then_with(|| a.person.cmp(&b.person))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.target.cmp(&b.target))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.pr.cmp(&b.pr))
            .then_with(|| a.other.cmp(&b.other))
            .then_with(|| a.state.cmp(&b.state))
    }
}

/// A pull request as the ledger knows it (from git, GitHub or both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    /// The commit that merged it, where known (with the number, its identity).
    pub merge_commit: Option<CommitId>,
    pub title: String,
    pub author: Option<u32>,
    pub merged_at: Option<i64>,
    pub created_at: Option<i64>,
    pub merged_by: Option<u32>,
    /// Reviewers (people other than the author), sorted.
    pub reviewers: Vec<u32>,
    pub first_response_at: Option<i64>,
    pub labels: Vec<String>,
    /// Changed paths where known (GitHub data); git-only PRs get theirs from diffs on demand.
    pub paths: Vec<String>,
    /// Commits that the merge brought in.
    pub commits: Vec<CommitId>,
    pub from_git: bool,
    pub from_github: bool,
    /// The author's first contribution of any kind.
    pub newcomer_first: bool,
}

/// Everything the analysis reads. Serialisable for the ledger cache only (it holds people's
/// e-mails for lookups): output goes through `snapshot`, never through this type.
#[derive(Serialize, Deserialize)]
pub struct Ledger {
    pub identities: Identities,
    /// Sorted by (time, person id, kind, target).
    pub events: Vec<Event>,
    pub prs: BTreeMap<PrId, PullRequest>,
    /// The commit history was read from (hex).
    pub head: String,
    /// The reference "now": HEAD's commit date (deterministic, unlike the wall clock).
    pub as_of: i64,
    /// Events dated after HEAD's commit, clamped to it (reported once per run).
    pub future: FutureDated,
    /// Not cached: re-read on every run (bodies are needed by the site).
    #[serde(skip)]
    pub docs: Vec<crate::sources::docs::DocRecord>,
    /// Endorsements that count (self-endorsements and repeats left out), oldest first.
    pub endorsements: Vec<Endorsement>,
}

/// One endorsement that counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsement {
    pub person: u32,
    /// The author of the commit that added the file.
    pub by: u32,
    pub skill: String,
    pub note: Option<String>,
    pub at: i64,
    pub path: String,
}

impl Ledger {
    pub fn people(&self) -> &[Person] {
        &self.identities.people
    }
}

/// Each person's first contribution: the index of their first event of any kind (a review,
/// a report, a doc or a commit: all of it is taking part), over all history. The one
/// definition that newcomers, first pull requests and the Action's first-timer share.
/// `events` must be sorted by time, as a ledger's are.
pub fn first_contributions(events: &[Event], people: usize) -> Vec<Option<usize>> {
    let mut first = vec![None; people];
    for (i, e) in events.iter().enumerate() {
        if e.kind.is_taking_part() {
            first[e.person as usize].get_or_insert(i);
        }
    }
    first
}
