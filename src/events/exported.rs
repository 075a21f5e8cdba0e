//! The exported ledger (`cargo guild export`): the rows one repository's resolved ledger is
//! written as, so that an organisation can merge many of them (`events::merge`) or query
//! them with DuckDB, BigQuery or Spark. One row per event, person, pull request,
//! endorsement, doc and domain, each tagged with its `table`; the first row is the header.
//! People carry salted SHA-256 hashes of their e-mails (for joining across repositories),
//! never the e-mails. Turning a ledger into rows is here (pure); writing them is
//! `cmd::export`, reading them back `sources::ledgers`.

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::{CommitId, Event, EventKind, Ledger, PrId, ReviewState, Source, Target};

/// Bumped when a field changes meaning or disappears, or a table is added (a reader that
/// does not know a table cannot read the file). Version 2 added `commit` (the paths each
/// commit changed) and `files` (the files at HEAD), for domains over an organisation.
pub const SCHEMA_VERSION: u32 = 2;

/// The first version whose ledgers carry changed paths (`commit` and `files` rows).
pub const PATHS_SINCE: u32 = 2;

/// The salt of e-mail hashes: fixed, so that ledgers exported anywhere join on the same
/// hash. It keeps the hashes from matching plain SHA-256 lookup tables of addresses; it does
/// not make a known address unguessable.
pub const EMAIL_SALT: &str = "cargo-guild/ledger/v1:";

/// `sha256(EMAIL_SALT + lowercased, trimmed e-mail)` in lowercase hex.
pub fn email_hash(email: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(EMAIL_SALT.as_bytes());
    h.update(email.trim().to_lowercase().as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// One line of an exported ledger.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "table", rename_all = "snake_case")]
pub enum Row {
    Ledger(Header),
    Person(PersonRow),
    Event(EventRow),
    PullRequest(PrRow),
    Endorsement(EndorsementRow),
    Doc(DocRow),
    Domain(DomainRow),
    Commit(CommitRow),
    Files(FilesRow),
}

/// The first row: what the file is and where it comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub schema_version: u32,
    /// The repository's name (`--repository`, else the folder or the GitHub slug's name).
    pub repository: String,
    /// The commit the history was read from.
    pub head: String,
    /// HEAD's commit date, Unix seconds: how old the ledger is.
    pub as_of: i64,
    /// The cargo guild that wrote it.
    pub generator: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PersonRow {
    pub repository: String,
    /// The person's id in this repository (unique here, not across repositories).
    pub id: String,
    pub name: String,
    /// Names as written, with how often each was seen, most used first.
    pub names: Vec<(String, u64)>,
    /// Logins, most used first.
    pub logins: Vec<String>,
    /// [`email_hash`] of each e-mail, sorted.
    pub email_hashes: Vec<String>,
    pub is_bot: bool,
    pub opted_out: bool,
    /// Events of the person in this ledger (weighs the id's choice when merging).
    pub events: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventRow {
    pub repository: String,
    /// Unix seconds.
    pub time: i64,
    pub kind: EventKind,
    pub person: String,
    /// Whose work it was about.
    pub other: Option<String>,
    pub source: Source,
    pub state: Option<ReviewState>,
    /// The pull request the event belongs to (number and merge commit), if any.
    pub pr_number: Option<u64>,
    pub pr_merge: Option<CommitId>,
    /// What the event is about: `pr`, `commit` or `doc`, with its key below.
    pub target: String,
    pub target_pr_number: Option<u64>,
    pub target_pr_merge: Option<CommitId>,
    pub target_commit: Option<CommitId>,
    pub target_doc: Option<String>,
    /// The domains of the work (empty without domains).
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrRow {
    pub repository: String,
    pub number: u64,
    pub merge_commit: Option<CommitId>,
    pub title: String,
    pub author: Option<String>,
    pub merged_at: Option<i64>,
    pub created_at: Option<i64>,
    pub merged_by: Option<String>,
    pub reviewers: Vec<String>,
    pub first_response_at: Option<i64>,
    pub labels: Vec<String>,
    pub paths: Vec<String>,
    pub commits: Vec<CommitId>,
    pub from_git: bool,
    pub from_github: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndorsementRow {
    pub repository: String,
    pub person: String,
    pub by: String,
    pub skill: String,
    pub note: Option<String>,
    pub at: i64,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocRow {
    pub repository: String,
    pub path: String,
    pub front: crate::sources::docs::FrontMatter,
    pub body: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainRow {
    pub repository: String,
    pub name: String,
    /// Events whose work falls in the domain.
    pub events: u64,
}

/// The paths one commit changed (non-merge commits; merges get none, as in
/// `sources::paths`), for domains defined by the organisation (`repo:glob`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitRow {
    pub repository: String,
    pub commit: CommitId,
    pub paths: Vec<String>,
}

/// The files at HEAD, sorted: the domains' truck factor counts them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FilesRow {
    pub repository: String,
    pub paths: Vec<String>,
}

/// What the repository's tree says besides the ledger: the paths each commit changed and
/// the files at HEAD.
pub struct Paths<'a> {
    pub changed: &'a crate::sources::paths::PathsIndex,
    pub head_files: &'a [String],
}

/// The rows of `ledger`, header first; `domains` are the domains of its events, if any.
pub fn rows(
    ledger: &Ledger,
    repository: &str,
    domains: Option<&crate::analysis::EventDomains>,
    paths: &Paths<'_>,
) -> Vec<Row> {
    let repo = || repository.to_string();
    let people = ledger.people();
    let id = |i: u32| people[i as usize].id.clone();
    let mut out = vec![Row::Ledger(Header {
        schema_version: SCHEMA_VERSION,
        repository: repo(),
        head: ledger.head.clone(),
        as_of: ledger.as_of,
        generator: format!("cargo-guild {}", env!("CARGO_PKG_VERSION")),
    })];
    let mut events_of = vec![0u64; people.len()];
    for e in &ledger.events {
        events_of[e.person as usize] += 1;
    }
    for (i, p) in people.iter().enumerate() {
        let mut email_hashes: Vec<String> = p.emails.iter().map(|e| email_hash(e)).collect();
        email_hashes.sort();
        out.push(Row::Person(PersonRow {
            repository: repo(),
            id: p.id.clone(),
            name: p.name.clone(),
            names: p.names.clone(),
            logins: p.logins.clone(),
            email_hashes,
            is_bot: p.is_bot,
            opted_out: p.opted_out,
            events: events_of[i],
        }));
    }
    let mut domain_events = vec![0u64; domains.map_or(0, |d| d.names.len())];
    for (i, e) in ledger.events.iter().enumerate() {
        let of = domains.and_then(|d| d.of_event.get(i));
        let names: Vec<String> = of
            .into_iter()
            .flatten()
            .filter_map(|&d| {
                domain_events[d as usize] += 1;
                domains.and_then(|ds| ds.names.get(d as usize)).cloned()
            })
            .collect();
        let (target, t_pr, t_commit, t_doc) = match &e.target {
            Target::Pr(p) => ("pr", Some(*p), None, None),
            Target::Commit(c) => ("commit", None, Some(*c), None),
            Target::Doc(d) => ("doc", None, None, Some(d.clone())),
        };
        out.push(Row::Event(EventRow {
            repository: repo(),
            time: e.time,
            kind: e.kind,
            person: id(e.person),
            other: e.other.map(id),
            source: e.source,
            state: e.state,
            pr_number: e.pr.map(|p| p.number),
            pr_merge: e.pr.and_then(|p| p.merge),
            target: target.into(),
            target_pr_number: t_pr.map(|p| p.number),
            target_pr_merge: t_pr.and_then(|p| p.merge),
            target_commit: t_commit,
            target_doc: t_doc,
            domains: names,
        }));
    }
    for pr in ledger.prs.values() {
        out.push(Row::PullRequest(PrRow {
            repository: repo(),
            number: pr.number,
            merge_commit: pr.merge_commit,
            title: pr.title.clone(),
            author: pr.author.map(id),
            merged_at: pr.merged_at,
            created_at: pr.created_at,
            merged_by: pr.merged_by.map(id),
            reviewers: pr.reviewers.iter().map(|&r| id(r)).collect(),
            first_response_at: pr.first_response_at,
            labels: pr.labels.clone(),
            paths: pr.paths.clone(),
            commits: pr.commits.clone(),
            from_git: pr.from_git,
            from_github: pr.from_github,
        }));
    }
    for e in &ledger.endorsements {
        out.push(Row::Endorsement(EndorsementRow {
            repository: repo(),
            person: id(e.person),
            by: id(e.by),
            skill: e.skill.clone(),
            note: e.note.clone(),
            at: e.at,
            path: e.path.clone(),
        }));
    }
    let mut docs: Vec<&crate::sources::docs::DocRecord> = ledger.docs.iter().collect();
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    for d in docs {
        out.push(Row::Doc(DocRow {
            repository: repo(),
            path: d.path.clone(),
            front: d.front.clone(),
            body: d.body.clone(),
        }));
    }
    // Only the commits the ledger names: a history's other commits earn nothing.
    let mut named: Vec<&CommitId> = ledger
        .events
        .iter()
        .filter_map(|e| match &e.target {
            Target::Commit(c) => Some(c),
            _ => None,
        })
        .chain(ledger.prs.values().flat_map(|p| &p.commits))
        .collect();
    named.sort_unstable_by_key(|c| c.0);
    named.dedup();
    for c in named {
        let ids = paths.changed.of_commit(&c.0);
        if !ids.is_empty() {
            out.push(Row::Commit(CommitRow {
                repository: repo(),
                commit: *c,
                paths: ids
                    .iter()
                    .map(|&i| paths.changed.name(i).to_string())
                    .collect(),
            }));
        }
    }
    out.push(Row::Files(FilesRow {
        repository: repo(),
        paths: paths.head_files.to_vec(),
    }));
    if let Some(ds) = domains {
        for (name, events) in ds.names.iter().zip(domain_events) {
            out.push(Row::Domain(DomainRow {
                repository: repo(),
                name: name.clone(),
                events,
            }));
        }
    }
    out
}

/// One exported ledger read back: its header and its rows by table. Events, the bulk of a
/// ledger, are kept compact as they are read (people and domains as indices, the row's text
/// dropped), so that memory grows with people and ties rather than with rows.
#[derive(Debug, Default)]
pub struct Exported {
    /// Where it was read from, for messages.
    pub file: String,
    pub repository: String,
    pub head: String,
    pub as_of: i64,
    pub people: Vec<PersonRow>,
    /// Each event, its `person` and `other` indices into `people`, its pull requests with
    /// `repo` 0, and its domains as indices into `domain_names`.
    pub events: Vec<(Event, Vec<u16>)>,
    /// The names of the domains events fall in, in the order first seen.
    pub domain_names: Vec<String>,
    pub prs: Vec<PrRow>,
    pub endorsements: Vec<EndorsementRow>,
    pub docs: Vec<DocRow>,
    pub domains: Vec<DomainRow>,
    /// The schema version of the file (from its header).
    pub schema_version: u32,
    /// The paths each commit changed (schema version 2 on), unqualified.
    pub changed: crate::sources::paths::PathsIndex,
    /// The files at HEAD (schema version 2 on).
    pub head_files: Vec<String>,
    /// A person's index in `people`, by id (for events as they are read).
    person_index: std::collections::HashMap<String, u32>,
}

impl Exported {
    /// Files a row under its table (the header sets the repository, head and date). An
    /// event must name people listed before it (`rows` writes people first); an event
    /// whose target is missing is skipped. The error names the unknown id.
    pub fn push(&mut self, row: Row) -> Result<(), String> {
        match row {
            Row::Ledger(h) => {
                self.schema_version = h.schema_version;
                self.repository = h.repository;
                self.head = h.head;
                self.as_of = h.as_of;
            }
            Row::Person(p) => {
                let i = u32::try_from(self.people.len()).unwrap_or(u32::MAX);
                self.person_index.insert(p.id.clone(), i);
                self.people.push(p);
            }
            Row::Event(e) => {
                let who = |id: &str| {
                    self.person_index.get(id).copied().ok_or_else(|| {
                        format!(
                            "`{id}` is named by an event but is not in the people table before it"
                        )
                    })
                };
                let person = who(&e.person)?;
                let other = e.other.as_deref().map(who).transpose()?;
                let target = match e.target.as_str() {
                    "pr" => pr_id(e.target_pr_number, e.target_pr_merge, 0).map(Target::Pr),
                    "commit" => e.target_commit.map(Target::Commit),
                    _ => e.target_doc.map(Target::Doc),
                };
                let Some(target) = target else {
                    return Ok(());
                };
                let mut domains: Vec<u16> = Vec::with_capacity(e.domains.len());
                for d in e.domains {
                    let at = match self.domain_names.iter().position(|n| *n == d) {
                        Some(at) => at,
                        None => {
                            self.domain_names.push(d);
                            self.domain_names.len() - 1
                        }
                    };
                    domains.push(u16::try_from(at).unwrap_or(u16::MAX));
                }
                self.events.push((
                    Event {
                        time: e.time,
                        person,
                        kind: e.kind,
                        target,
                        pr: pr_id(e.pr_number, e.pr_merge, 0),
                        other,
                        source: e.source,
                        state: e.state,
                    },
                    domains,
                ));
            }
            Row::PullRequest(p) => self.prs.push(p),
            Row::Endorsement(e) => self.endorsements.push(e),
            Row::Doc(d) => self.docs.push(d),
            Row::Domain(d) => self.domains.push(d),
            Row::Commit(c) => self
                .changed
                .add(c.commit.0, c.paths.iter().map(String::as_str)),
            Row::Files(f) => self.head_files = f.paths,
        }
        Ok(())
    }

    /// Done reading: the index by id is not needed any more.
    pub fn finish(&mut self) {
        self.person_index = Default::default();
        self.events.shrink_to_fit();
    }
}

/// A pull request's id from its exported columns, in the `repo`-th merged ledger.
pub(crate) fn pr_id(number: Option<u64>, merge: Option<CommitId>, repo: u16) -> Option<PrId> {
    number.map(|number| PrId {
        number,
        merge,
        repo,
    })
}
