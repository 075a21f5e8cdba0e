//! Facts → events. Reads the history's structure once (`structure`: mainline, pull-request
//! and topic merges, the commits each brought in), resolves every identity (`identity`,
//! collected by `people`, with logins proven by `logins`), merges GitHub's pull requests with git's (by merge
//! commit, then by number), adds docs, and emits the ledger. "Now" is HEAD's commit date:
//! anything dated later is clamped to it and counted. O(commits); no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::identity::RawIdent;
use super::structure::{main_author, Structure};
use super::{CommitId, Event, EventKind, Ledger, PrId, PullRequest, ReviewState, Source, Target};
use crate::config::Config;
use crate::sources::docs::DocRecord;
use crate::sources::git::{History, Sig};
use crate::sources::github::model::PullRequestRecord;
use crate::sources::merges::MergeStyle;
use crate::sources::trailers::KNOWN_KEYS;
use crate::util::parse_rfc3339;

/// What the ledger is built from.
pub struct Inputs<'a> {
    pub history: &'a History,
    /// Signatures after `.mailmap`, parallel to `history.sigs`.
    pub mailmapped: &'a [Sig],
    pub github: &'a [PullRequestRecord],
    pub docs: Vec<DocRecord>,
    /// Endorsement files at HEAD, each with the commit that added it.
    pub endorsements: &'a [crate::sources::endorsements::EndorsementRecord],
    pub config: &'a Config,
    /// The repository's owner on GitHub (from `origin` or `github:` in `guild.yml`): a branch
    /// owner with this name is the organisation, never a person.
    pub repo_owner: Option<&'a str>,
}

/// Builds the ledger.
pub fn build(inputs: Inputs) -> Ledger {
    let commits = &inputs.history.commits;
    let history = inputs.history;
    let index = history.index();
    // The merge structure on the other core while the first identities are collected.
    let (structure, seed) = std::thread::scope(|scope| {
        let structure = scope.spawn(|| Structure::read(history, &index));
        let seed = super::people::seed(&inputs);
        let structure = structure
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (structure, seed)
    });
    let mut ids = super::people::identities(&inputs, seed, &structure);
    let Inputs {
        mailmapped,
        github,
        docs,
        endorsements,
        ..
    } = inputs;
    let sig_person = ids.people_of(mailmapped);
    super::people::mark_automated_accounts(&mut ids, history, &sig_person);
    let person_of = |s: u32| sig_person[s as usize];
    let resolve_login = |login: &str| ids.by_login(login);

    let mut events: Vec<Event> = Vec::with_capacity(commits.len() * 2);
    // Pull requests from git, in the order of their ids (built whole at the end: faster
    // than inserting half a million of them one by one).
    let mut from_git: Vec<(PrId, PullRequest)> = Vec::with_capacity(structure.prs.len());
    for &(id, ref gp) in &structure.prs {
        let m = &commits[gp.merge];
        let author = match gp.marker.style {
            MergeStyle::Squash => Some(person_of(m.author)),
            _ => main_author(&gp.commits, commits, person_of),
        };
        let merger = match gp.marker.style {
            MergeStyle::MergeCommit | MergeStyle::MergeQueue => Some(person_of(m.author)),
            // A squash merged on the web is committed by "GitHub"; one merged locally by a person.
            MergeStyle::Squash => {
                let c = &mailmapped[m.committer as usize];
                (!c.email.eq_ignore_ascii_case("noreply@github.com"))
                    .then(|| person_of(m.committer))
            }
            MergeStyle::Bors | MergeStyle::Rollup => None,
        };
        let title = match gp.marker.style {
            MergeStyle::Squash | MergeStyle::MergeQueue => gp.marker.title.clone(),
            _ => m.body_title.clone().unwrap_or_else(|| m.summary.clone()),
        };
        let mut pr = PullRequest {
            number: id.number,
            merge_commit: id.merge,
            title,
            author,
            merged_at: Some(m.commit_time),
            merged_by: merger,
            commits: gp
                .commits
                .iter()
                .map(|&c| CommitId(commits[c].id))
                .collect(),
            from_git: true,
            ..Default::default()
        };
        for login in &gp.marker.reviewers {
            if let Some(r) = resolve_login(login) {
                pr.reviewers.push(r);
                events.push(Event {
                    time: m.commit_time,
                    person: r,
                    kind: EventKind::Review,
                    target: Target::Pr(id),
                    pr: Some(id),
                    other: author,
                    source: Source::Git,
                    state: Some(ReviewState::Approved),
                });
            }
        }
        from_git.push((id, pr));
    }
    let mut prs: BTreeMap<PrId, PullRequest> = from_git.into_iter().collect();

    // Pull requests from GitHub: enrich the ones git knows, or add.
    from_github(github, &mut prs, &mut events, &resolve_login);

    // Commits and their trailers (a trailer may name several people). The same values recur
    // thousands of times (a maintainer's sign-off): each is parsed and resolved once.
    let mut named: crate::util::FnvMap<&str, Vec<u32>> = Default::default();
    for (i, c) in commits.iter().enumerate() {
        let author = person_of(c.author);
        let pr = structure.owner(i);
        let hex = CommitId(c.id);
        if c.parents.len() <= 1 {
            events.push(Event {
                time: c.author_time,
                person: author,
                kind: EventKind::Commit,
                target: Target::Commit(hex),
                pr,
                other: None,
                source: Source::Git,
                state: None,
            });
        }
        for (key, value) in &c.trailers {
            let kind = match KNOWN_KEYS.get(*key as usize).copied() {
                Some("Reviewed-by") => EventKind::Review,
                Some("Acked-by") => EventKind::Acked,
                Some("Tested-by") => EventKind::Tested,
                Some("Reported-by") => EventKind::Reported,
                Some("Suggested-by") => EventKind::Suggested,
                Some("Helped-by") => EventKind::Helped,
                Some("Mentored-by") => EventKind::Mentored,
                Some("Co-authored-by") => EventKind::CoAuthored,
                Some("Signed-off-by") => EventKind::SignedOff,
                _ => continue,
            };
            let people = named.entry(value.as_str()).or_insert_with(|| {
                RawIdent::parse_many(value)
                    .iter()
                    .filter_map(|ident| ids.resolve(ident))
                    .collect()
            });
            for &person in people.iter() {
                if person == author {
                    continue; // self-review, self-sign-off: nothing to record
                }
                // Work on a pull request is about the pull request; otherwise about the commit.
                let target = match pr {
                    Some(n) if kind != EventKind::CoAuthored => Target::Pr(n),
                    _ => Target::Commit(hex),
                };
                events.push(Event {
                    time: c.author_time.max(c.commit_time),
                    person,
                    kind,
                    target,
                    pr,
                    other: Some(author),
                    source: Source::Git,
                    state: (kind == EventKind::Review).then_some(ReviewState::Approved),
                });
            }
        }
    }

    // Topic merges: a change set for its main author, a merge for whoever merged it.
    for cs in &structure.change_sets {
        let m = &commits[cs.merge];
        let Some(author) = main_author(&cs.commits, commits, person_of) else {
            continue;
        };
        let target = Target::Commit(CommitId(m.id));
        events.push(Event {
            time: m.commit_time,
            person: author,
            kind: EventKind::ChangeSetMerged,
            target: target.clone(),
            pr: None,
            other: None,
            source: Source::Git,
            state: None,
        });
        let merger = person_of(m.author);
        if merger != author {
            events.push(Event {
                time: m.commit_time,
                person: merger,
                kind: EventKind::MergedOther,
                target,
                pr: None,
                other: Some(author),
                source: Source::Git,
                state: None,
            });
        }
    }

    // Merges of someone else's pull request; authors on review events.
    for (&id, pr) in prs.iter_mut() {
        let source = if pr.from_github {
            Source::Github
        } else {
            Source::Git
        };
        if let (Some(m), Some(t)) = (pr.merged_by, pr.merged_at) {
            if Some(m) != pr.author {
                events.push(Event {
                    time: t,
                    person: m,
                    kind: EventKind::MergedOther,
                    target: Target::Pr(id),
                    pr: Some(id),
                    other: pr.author,
                    source,
                    state: None,
                });
            }
        }
        if let (Some(a), Some(t)) = (pr.author, pr.merged_at) {
            events.push(Event {
                time: t,
                person: a,
                kind: EventKind::PrMerged,
                target: Target::Pr(id),
                pr: Some(id),
                other: None,
                source,
                state: None,
            });
        }
    }
    for e in &mut events {
        if let (Some(n), true) = (e.pr, e.other.is_none() && e.kind.is_review_side()) {
            e.other = prs.get(&n).and_then(|p| p.author);
        }
    }
    // The merge structure (a pull request per commit) and the parsed trailers are done with:
    // freed before sorting and deduplicating, the peak of a first run on big histories.
    drop(named);
    drop(structure);

    // Docs: people named as ids, logins, names or `Name <email>`.
    for d in &docs {
        let Some(date) = d
            .front
            .date
            .as_deref()
            .and_then(|s| crate::util::parse_date(s).ok())
        else {
            continue;
        };
        let target = Target::Doc(d.path.clone());
        let mut push = |who: &str, kind| {
            if let Some(p) = ids.resolve_mention(who) {
                events.push(Event {
                    time: date,
                    person: p,
                    kind,
                    target: target.clone(),
                    pr: None,
                    other: None,
                    source: Source::Docs,
                    state: None,
                });
            }
        };
        for a in &d.front.authors {
            push(a, EventKind::DocWritten);
        }
        if let Some(f) = &d.front.facilitator {
            push(f, EventKind::DocFacilitated);
        }
        for p in &d.front.participants {
            push(p, EventKind::DocParticipated);
        }
    }

    // Endorsements: the endorser is the author of the commit that added the file. One per
    // (endorser, person, skill), the earliest; never oneself; bots endorse no one.
    let mut endorsed: Vec<super::Endorsement> = Vec::new();
    let mut seen_endorsement: BTreeSet<(u32, u32, String)> = BTreeSet::new();
    let mut records: Vec<&crate::sources::endorsements::EndorsementRecord> =
        endorsements.iter().collect();
    records.sort_by(|a, b| (a.at, &a.path).cmp(&(b.at, &b.path)));
    for r in records {
        let by = index
            .get(&r.added_by.0)
            .map(|&i| sig_person[commits[i as usize].author as usize]);
        let person = ids.resolve_mention(&r.person);
        let (Some(by), Some(person)) = (by, person) else {
            continue;
        };
        if by == person
            || ids.people[by as usize].is_bot
            || !seen_endorsement.insert((by, person, r.skill.to_lowercase()))
        {
            continue;
        }
        events.push(Event {
            time: r.at,
            person,
            kind: EventKind::Endorsed,
            target: Target::Doc(r.path.clone()),
            pr: None,
            other: Some(by),
            source: Source::Git,
            state: None,
        });
        endorsed.push(super::Endorsement {
            person,
            by,
            skill: r.skill.clone(),
            note: r.note.clone(),
            at: r.at,
            path: r.path.clone(),
        });
    }

    // "Now" is HEAD's commit date: a clock set wrong on one machine (a commit dated 2100, a
    // doc dated 9999-12-31) must not make everyone else look inactive.
    let head_time = index
        .get(&history.head)
        .map(|&i| commits[i as usize].commit_time)
        .unwrap_or(0);
    let as_of = if head_time > 0 {
        head_time
    } else {
        events.iter().map(|e| e.time).max().unwrap_or(0)
    };
    let mut future = FutureDated::default();
    for e in &mut events {
        if e.time > as_of {
            future.events += 1;
            future.latest = future.latest.max(e.time);
            e.time = as_of;
        }
    }
    for pr in prs.values_mut() {
        for t in [
            &mut pr.merged_at,
            &mut pr.created_at,
            &mut pr.first_response_at,
        ]
        .into_iter()
        .flatten()
        {
            *t = (*t).min(as_of);
        }
    }

    // Self-work is no contribution to someone else; the same work reported twice (a trailer
    // on each commit of a PR, a GitHub review and a Reviewed-by) is one event: keep the first
    // and the strongest kind.
    events.retain(|e| !(e.kind.is_review_side() && e.other == Some(e.person)));
    // A total order before deduplication, so the result never depends on the order in
    // which history was read (fresh walk or cache).
    events.sort_unstable_by(Event::ledger_order);
    dedupe(&mut events);

    // Newcomers' first pull requests: the author's first contribution belongs to that PR.
    // (Keyed by reference into the events: half a million pull requests' ids, not copied.)
    let first_prs: crate::util::FnvSet<&PrId> =
        super::first_contributions(&events, ids.people.len())
            .into_iter()
            .flatten()
            .filter_map(|i| {
                let e = &events[i];
                e.pr.as_ref()
                    .filter(|n| prs.get(n).is_some_and(|p| p.author == Some(e.person)))
            })
            .collect();
    let mut reviewers_of: crate::util::FnvMap<&PrId, Vec<u32>> = Default::default();
    for e in &events {
        if let (Some(n), EventKind::Review | EventKind::ReviewComment) = (&e.pr, e.kind) {
            reviewers_of.entry(n).or_default().push(e.person);
        }
    }
    for (id, pr) in prs.iter_mut() {
        pr.newcomer_first = first_prs.contains(id);
        pr.reviewers
            .extend(reviewers_of.remove(id).unwrap_or_default());
        pr.reviewers.sort_unstable();
        pr.reviewers.dedup();
        if let Some(a) = pr.author {
            pr.reviewers.retain(|&r| r != a);
        }
    }

    Ledger {
        identities: ids,
        events,
        prs,
        head: git2::Oid::from_bytes(&history.head)
            .map(|o| o.to_string())
            .unwrap_or_default(),
        as_of,
        future,
        docs,
        endorsements: endorsed,
    }
}

/// Pull requests from GitHub: each enriches the one git knows (by merge commit, else the
/// newest one with that number merged after GitHub's was opened) or is added, with one
/// review event per reviewer. Without synced data there is nothing to match.
fn from_github(
    github: &[PullRequestRecord],
    prs: &mut BTreeMap<PrId, PullRequest>,
    events: &mut Vec<Event>,
    resolve_login: &impl Fn(&str) -> Option<u32>,
) {
    if github.is_empty() {
        return;
    }
    let by_merge: HashMap<CommitId, PrId> = prs
        .keys()
        .filter_map(|k| k.merge.map(|m| (m, *k)))
        .collect();
    let mut by_number: HashMap<u64, Vec<PrId>> = HashMap::new();
    for k in prs.keys() {
        by_number.entry(k.number).or_default().push(*k);
    }
    for list in by_number.values_mut() {
        list.sort_by_key(|k| std::cmp::Reverse(prs[k].merged_at));
    }
    let mut matched: HashSet<PrId> = HashSet::new();
    for gh in github {
        let merge_commit = gh.merge_commit.as_deref().and_then(parse_commit_id);
        let created = parse_rfc3339(&gh.created_at);
        let key = merge_commit
            .and_then(|c| by_merge.get(&c).copied())
            .or_else(|| {
                by_number.get(&gh.number).and_then(|list| {
                    list.iter()
                        .find(|k| {
                            !matched.contains(k)
                                && created
                                    .map_or(true, |t| prs[k].merged_at.map_or(true, |m| m >= t))
                        })
                        .copied()
                })
            })
            .unwrap_or(PrId {
                number: gh.number,
                merge: merge_commit,
                repo: 0,
            });
        if !matched.insert(key) {
            continue; // the same pull request synced twice
        }
        let merged_at = gh.merged_at.as_deref().and_then(parse_rfc3339);
        let author = gh.author.as_deref().and_then(resolve_login);
        let pr = prs.entry(key).or_insert_with(|| PullRequest {
            number: gh.number,
            merge_commit: key.merge,
            ..Default::default()
        });
        pr.from_github = true;
        if !gh.title.is_empty() {
            pr.title = gh.title.clone();
        }
        if author.is_some() {
            pr.author = author;
        }
        if gh.state == "MERGED" || merged_at.is_some() {
            pr.merged_at = merged_at.or(pr.merged_at);
            if let Some(m) = gh.merged_by.as_deref().and_then(resolve_login) {
                pr.merged_by = Some(m);
            }
        }
        // GitHub reporting it open or closed does not undo a merge that git proves: the
        // synced record is older than the merge (synced before it happened) or the pull
        // request was merged outside GitHub. A GitHub-only one has no merge to undo.
        // (A regression test guards this: `stale_github_state_does_not_undo_a_git_merge`.)
        pr.created_at = created;
        pr.first_response_at = gh.first_response_at.as_deref().and_then(parse_rfc3339);
        pr.labels = gh.labels.clone();
        pr.paths = gh.paths.clone();
        // One event per reviewer and PR: the strongest verdict, at the first review.
        let mut per_reviewer: BTreeMap<u32, (i64, ReviewState)> = BTreeMap::new();
        for r in &gh.reviews {
            let (Some(login), Some(t)) = (r.author.as_deref(), parse_rfc3339(&r.submitted_at))
            else {
                continue;
            };
            let Some(p) = resolve_login(login) else {
                continue;
            };
            let state = match r.state.as_str() {
                "APPROVED" => ReviewState::Approved,
                "CHANGES_REQUESTED" => ReviewState::ChangesRequested,
                "COMMENTED" | "DISMISSED" => ReviewState::Commented,
                _ => continue,
            };
            let e = per_reviewer.entry(p).or_insert((t, state));
            e.0 = e.0.min(t);
            e.1 = e.1.max(state);
        }
        for (p, (t, state)) in per_reviewer {
            events.push(Event {
                time: t,
                person: p,
                kind: if state == ReviewState::Commented {
                    EventKind::ReviewComment
                } else {
                    EventKind::Review
                },
                target: Target::Pr(key),
                pr: Some(key),
                other: None, // filled below once authors are final
                source: Source::Github,
                state: Some(state),
            });
        }
    }
}

/// Events dated after HEAD's commit, clamped to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FutureDated {
    pub events: u64,
    /// The latest of their dates (Unix seconds), before clamping.
    pub latest: i64,
}

fn parse_commit_id(hex: &str) -> Option<CommitId> {
    let oid = git2::Oid::from_str(hex).ok().filter(|_| hex.len() == 40)?;
    oid.as_bytes().try_into().ok().map(CommitId)
}

fn dedupe(events: &mut Vec<Event>) {
    use std::collections::hash_map::Entry;
    // Events arrive totally ordered (earliest first), so the first of a kind is kept; a
    // Review and a ReviewComment on the same PR by the same person collapse into the Review.
    // (Keyed by reference, with FNV: no copy of a target, no SipHash, per event.)
    let mut best: crate::util::FnvMap<(u32, EventKind, &Target), usize> = Default::default();
    let mut keep = vec![true; events.len()];
    for (i, e) in events.iter().enumerate() {
        if e.kind == EventKind::Commit {
            continue;
        }
        let kind = if e.kind == EventKind::ReviewComment {
            EventKind::Review
        } else {
            e.kind
        };
        match best.entry((e.person, kind, &e.target)) {
            Entry::Vacant(v) => {
                v.insert(i);
            }
            Entry::Occupied(mut o) => {
                let j = *o.get();
                let b_better =
                    e.kind == EventKind::Review && events[j].kind == EventKind::ReviewComment;
                if b_better {
                    keep[j] = false;
                    o.insert(i);
                } else {
                    keep[i] = false;
                }
            }
        }
    }
    drop(best);
    let mut k = keep.into_iter();
    events.retain(|_| k.next().unwrap_or(true));
}
