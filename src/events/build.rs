//! Facts → events. Walks the history's structure once (mainline, pull-request merges, the
//! commits each merge brought in), merges GitHub's pull requests with git's by number, adds
//! docs, resolves every identity, and emits the ledger. O(commits); no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::identity::{IdentityBuilder, RawIdent};
use super::{CommitId, Event, EventKind, Ledger, PullRequest, ReviewState, Source, Target};
use crate::config::Config;
use crate::sources::docs::DocRecord;
use crate::sources::git::{pr_marker, History, MergeStyle, PrMarker, Sig};
use crate::sources::github::model::PullRequestRecord;
use crate::sources::trailers::KNOWN_KEYS;

/// What the ledger is built from.
pub struct Inputs<'a> {
    pub history: &'a History,
    /// Signatures after `.mailmap`, parallel to `history.sigs`.
    pub mailmapped: &'a [Sig],
    pub github: &'a [PullRequestRecord],
    pub docs: Vec<DocRecord>,
    pub config: &'a Config,
}

/// A pull request recognised in git history.
struct GitPr {
    marker: PrMarker,
    /// The mainline commit that merged it (index into history.commits).
    merge: usize,
    /// Commits the merge brought in (indices); for a squash merge, the commit itself.
    commits: Vec<usize>,
}

/// Builds the ledger.
pub fn build(inputs: Inputs) -> Ledger {
    let Inputs {
        history,
        mailmapped,
        github,
        docs,
        config,
    } = inputs;
    let commits = &history.commits;
    let index = history.index();
    let structure = Structure::read(history, &index);

    // Identities: first without branch hints, then with the hints that prove sound (added
    // to a copy of the same builder, so every identity is collected once).
    let builder = identities(history, mailmapped, github, &docs, &structure, config);
    let hints_free = builder.clone().finish(config);
    let hints = branch_hints(&structure, commits, mailmapped, &hints_free);
    let ids = if hints.is_empty() {
        hints_free
    } else {
        let mut builder = builder;
        for (ident, login) in &hints {
            builder.add(
                RawIdent {
                    login: login.clone(),
                    ..ident.clone()
                },
                0,
            );
        }
        builder.finish(config)
    };
    let sig_person: Vec<u32> = mailmapped
        .iter()
        .map(|s| ids.resolve(&RawIdent::sig(&s.name, &s.email)).unwrap_or(0))
        .collect();
    let resolve = |text: &str| ids.resolve(&RawIdent::parse(text));
    let resolve_login = |login: &str| ids.resolve(&RawIdent::login(login));

    let mut events: Vec<Event> = Vec::with_capacity(commits.len() * 2);
    let mut prs: BTreeMap<u64, PullRequest> = BTreeMap::new();

    // Pull requests from git.
    for gp in structure.prs.values() {
        let m = &commits[gp.merge];
        let author = pr_author(gp, commits, &sig_person);
        let merger = match gp.marker.style {
            MergeStyle::MergeCommit => Some(sig_person[m.author as usize]),
            // A squash merged on the web is committed by "GitHub"; one merged locally by a person.
            MergeStyle::Squash => {
                let c = &mailmapped[m.committer as usize];
                (!c.email.eq_ignore_ascii_case("noreply@github.com"))
                    .then(|| sig_person[m.committer as usize])
            }
            MergeStyle::Bors | MergeStyle::Rollup => None,
        };
        let title = match gp.marker.style {
            MergeStyle::Squash => gp.marker.title.clone(),
            _ => m.body_title.clone().unwrap_or_else(|| m.summary.clone()),
        };
        let mut pr = PullRequest {
            number: gp.marker.number,
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
                    target: Target::Pr(pr.number),
                    pr: Some(pr.number),
                    other: author,
                    source: Source::Git,
                    state: Some(ReviewState::Approved),
                });
            }
        }
        prs.insert(pr.number, pr);
    }

    // Pull requests from GitHub: enrich or add.
    for gh in github {
        let merged_at = gh.merged_at.as_deref().and_then(parse_time);
        let author = gh.author.as_deref().and_then(resolve_login);
        let pr = prs.entry(gh.number).or_insert_with(|| PullRequest {
            number: gh.number,
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
        pr.created_at = parse_time(&gh.created_at);
        pr.first_response_at = gh.first_response_at.as_deref().and_then(parse_time);
        pr.labels = gh.labels.clone();
        pr.paths = gh.paths.clone();
        // One event per reviewer and PR: the strongest verdict, at the first review.
        let mut per_reviewer: BTreeMap<u32, (i64, ReviewState)> = BTreeMap::new();
        for r in &gh.reviews {
            let (Some(login), Some(t)) = (r.author.as_deref(), parse_time(&r.submitted_at)) else {
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
                target: Target::Pr(gh.number),
                pr: Some(gh.number),
                other: None, // filled below once authors are final
                source: Source::Github,
                state: Some(state),
            });
        }
    }

    // Commits and their trailers.
    for (i, c) in commits.iter().enumerate() {
        let author = sig_person[c.author as usize];
        let pr = structure.owner.get(&i).copied();
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
            let Some(person) = resolve(value) else {
                continue;
            };
            if person == author {
                continue; // self-review, self-sign-off: nothing to record
            }
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

    // Merges of someone else's pull request; authors on review events.
    for pr in prs.values_mut() {
        if let (Some(m), Some(t)) = (pr.merged_by, pr.merged_at) {
            if Some(m) != pr.author {
                events.push(Event {
                    time: t,
                    person: m,
                    kind: EventKind::MergedOther,
                    target: Target::Pr(pr.number),
                    pr: Some(pr.number),
                    other: pr.author,
                    source: if pr.from_github {
                        Source::Github
                    } else {
                        Source::Git
                    },
                    state: None,
                });
            }
        }
        if let (Some(a), Some(t)) = (pr.author, pr.merged_at) {
            events.push(Event {
                time: t,
                person: a,
                kind: EventKind::PrMerged,
                target: Target::Pr(pr.number),
                pr: Some(pr.number),
                other: None,
                source: if pr.from_github {
                    Source::Github
                } else {
                    Source::Git
                },
                state: None,
            });
        }
    }
    for e in &mut events {
        if let (Some(n), true) = (e.pr, e.other.is_none() && e.kind.is_review_side()) {
            e.other = prs.get(&n).and_then(|p| p.author);
        }
    }

    // Docs.
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
            if let Some(p) = resolve(who) {
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

    // Self-work is no contribution to someone else; the same work reported twice (a trailer
    // on each commit of a PR, a GitHub review and a Reviewed-by) is one event: keep the first
    // and the strongest kind.
    events.retain(|e| !(e.kind.is_review_side() && e.other == Some(e.person)));
    // A total order before deduplication, so the result never depends on the order in
    // which history was read (fresh walk or cache).
    events.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            // People are sorted by id, so their index orders like their id.
            .then_with(|| a.person.cmp(&b.person))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.target.cmp(&b.target))
            .then_with(|| a.source.cmp(&b.source))
            .then_with(|| a.pr.cmp(&b.pr))
            .then_with(|| a.other.cmp(&b.other))
    });
    dedupe(&mut events);

    // Newcomers' first pull requests: the author's first event belongs to that PR.
    let mut first: HashMap<u32, &Event> = HashMap::new();
    for e in &events {
        if matches!(
            e.kind,
            EventKind::Commit | EventKind::PrMerged | EventKind::DocWritten | EventKind::CoAuthored
        ) || e.kind.is_review_side()
        {
            first.entry(e.person).or_insert(e);
        }
    }
    let first_prs: HashSet<u64> = first
        .values()
        .filter_map(|e| {
            e.pr.filter(|n| prs.get(n).is_some_and(|p| p.author == Some(e.person)))
        })
        .collect();
    let mut reviewers_of: HashMap<u64, BTreeSet<u32>> = HashMap::new();
    for e in &events {
        if let (Some(n), EventKind::Review | EventKind::ReviewComment) = (e.pr, e.kind) {
            reviewers_of.entry(n).or_default().insert(e.person);
        }
    }
    for pr in prs.values_mut() {
        pr.newcomer_first = first_prs.contains(&pr.number);
        let mut reviewers: BTreeSet<u32> = pr.reviewers.drain(..).collect();
        reviewers.extend(reviewers_of.remove(&pr.number).unwrap_or_default());
        if let Some(a) = pr.author {
            reviewers.remove(&a);
        }
        pr.reviewers = reviewers.into_iter().collect();
    }

    let head_time = index
        .get(&history.head)
        .map(|&i| commits[i as usize].commit_time)
        .unwrap_or(0);
    let as_of = events
        .iter()
        .map(|e| e.time)
        .max()
        .unwrap_or(0)
        .max(head_time);
    Ledger {
        identities: ids,
        events,
        prs,
        head: git2::Oid::from_bytes(&history.head)
            .map(|o| o.to_string())
            .unwrap_or_default(),
        as_of,
        docs,
    }
}

fn dedupe(events: &mut Vec<Event>) {
    // Events arrive totally ordered (earliest first), so the first of a kind is kept; a
    // Review and a ReviewComment on the same PR by the same person collapse into the Review.
    let mut best: HashMap<(u32, EventKind, Target), usize> = HashMap::new();
    let mut keep = vec![true; events.len()];
    for (i, e) in events.iter().enumerate() {
        let kind = if e.kind == EventKind::ReviewComment {
            EventKind::Review
        } else {
            e.kind
        };
        if e.kind == EventKind::Commit {
            continue;
        }
        match best.get(&(e.person, kind, e.target.clone())) {
            None => {
                best.insert((e.person, kind, e.target.clone()), i);
            }
            Some(&j) => {
                let (a, b) = (&events[j], e);
                let b_better = b.kind == EventKind::Review && a.kind == EventKind::ReviewComment;
                if b_better {
                    keep[j] = false;
                    best.insert((e.person, kind, e.target.clone()), i);
                } else {
                    keep[i] = false;
                }
            }
        }
    }
    let mut k = keep.into_iter();
    events.retain(|_| k.next().unwrap_or(true));
}

/// The PR's author: who wrote most of the commits it brought in (ties: the branch tip's
/// author). For a squash merge, the commit's author.
fn pr_author(
    gp: &GitPr,
    commits: &[crate::sources::git::CommitRecord],
    sig_person: &[u32],
) -> Option<u32> {
    if gp.marker.style == MergeStyle::Squash {
        return Some(sig_person[commits[gp.merge].author as usize]);
    }
    let mut counts: BTreeMap<u32, (usize, usize)> = BTreeMap::new();
    for (order, &c) in gp.commits.iter().enumerate() {
        if commits[c].parents.len() > 1 {
            continue;
        }
        let e = counts
            .entry(sig_person[commits[c].author as usize])
            .or_insert((0, usize::MAX));
        e.0 += 1;
        e.1 = e.1.min(order);
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then_with(|| b.1 .1.cmp(&a.1 .1)))
        .map(|(p, _)| p)
}

fn parse_time(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp())
}

/// The shape of history: which commits are mainline, which are pull-request merges, and which
/// commits each merge brought in.
struct Structure {
    prs: BTreeMap<u64, GitPr>,
    /// commit index → the PR that brought it in.
    owner: HashMap<usize, u64>,
}

impl Structure {
    fn read(history: &History, index: &crate::sources::git::OidMap<u32>) -> Structure {
        let commits = &history.commits;
        let parents = |i: usize| {
            commits[i]
                .parents
                .iter()
                .filter_map(|p| index.get(p).map(|&j| j as usize))
        };
        // The first-parent line from HEAD, oldest first.
        let mut mainline = Vec::new();
        let mut cur = index.get(&history.head).map(|&i| i as usize);
        while let Some(i) = cur {
            mainline.push(i);
            cur = commits[i]
                .parents
                .first()
                .and_then(|p| index.get(p))
                .map(|&j| j as usize);
        }
        mainline.reverse();
        let mut claimed = vec![false; commits.len()];
        for &i in &mainline {
            claimed[i] = true;
        }
        let mut prs: BTreeMap<u64, GitPr> = BTreeMap::new();
        let mut owner: HashMap<usize, u64> = HashMap::new();
        let mut stack: Vec<(usize, Option<u64>)> = Vec::new();
        for &m in &mainline {
            let c = &commits[m];
            let is_merge = c.parents.len() > 1;
            let marker = pr_marker(&c.summary, is_merge)
                .filter(|mk| mk.style != MergeStyle::Rollup || is_merge);
            let number = marker.as_ref().map(|mk| mk.number);
            if let Some(mk) = marker {
                if mk.style == MergeStyle::Squash {
                    owner.insert(m, mk.number);
                }
                prs.entry(mk.number).or_insert(GitPr {
                    marker: mk,
                    merge: m,
                    commits: if is_merge { vec![] } else { vec![m] },
                });
            }
            // Everything the merge brought in, newest first; nested rollup merges claim
            // their own side.
            stack.extend(parents(m).skip(1).map(|p| (p, number)));
            while let Some((i, pr)) = stack.pop() {
                if std::mem::replace(&mut claimed[i], true) {
                    continue;
                }
                let ci = &commits[i];
                let rollup = (ci.parents.len() > 1)
                    .then(|| pr_marker(&ci.summary, true))
                    .flatten()
                    .filter(|mk| mk.style == MergeStyle::Rollup && !prs.contains_key(&mk.number));
                let mut own = pr;
                if let Some(mk) = rollup {
                    let n = mk.number;
                    prs.insert(
                        n,
                        GitPr {
                            marker: mk,
                            merge: m,
                            commits: vec![],
                        },
                    );
                    stack.extend(parents(i).take(1).map(|p| (p, pr)));
                    stack.extend(parents(i).skip(1).map(|p| (p, Some(n))));
                    own = Some(n);
                } else {
                    stack.extend(parents(i).map(|p| (p, pr)));
                }
                if let Some(n) = own {
                    owner.insert(i, n);
                    if let Some(gp) = prs.get_mut(&n) {
                        gp.commits.push(i);
                    }
                }
            }
        }
        Structure { prs, owner }
    }
}

/// Branch owners (`Merge pull request #N from alice/...`) that are logins of the PR author:
/// only a hint that names exactly one author across all merges (an organisation's name
/// appears with many authors), for an author without a known login.
fn branch_hints(
    structure: &Structure,
    commits: &[crate::sources::git::CommitRecord],
    mailmapped: &[Sig],
    ids: &super::Identities,
) -> Vec<(RawIdent, String)> {
    let sig_person = |s: u32| {
        let s = &mailmapped[s as usize];
        ids.resolve(&RawIdent::sig(&s.name, &s.email))
    };
    let mut authors_by_hint: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut example_sig: HashMap<u32, u32> = HashMap::new();
    for gp in structure.prs.values() {
        let Some(hint) = &gp.marker.branch_owner else {
            continue;
        };
        let Some(&tip) = gp.commits.iter().find(|&&c| commits[c].parents.len() <= 1) else {
            continue;
        };
        let Some(p) = sig_person(commits[tip].author) else {
            continue;
        };
        authors_by_hint
            .entry(hint.to_lowercase())
            .or_default()
            .insert(p);
        example_sig.entry(p).or_insert(commits[tip].author);
    }
    let mut out = Vec::new();
    let mut taken: BTreeSet<u32> = BTreeSet::new();
    for (hint, authors) in authors_by_hint {
        if authors.len() != 1 {
            continue;
        }
        let p = *authors.iter().next().unwrap_or(&0);
        let person = ids.person(p);
        let login_taken = ids.lookup(&format!("@{hint}")).is_some_and(|q| q != p);
        if person.login.is_some() || login_taken || !taken.insert(p) {
            continue;
        }
        let s = &mailmapped[example_sig[&p] as usize];
        out.push((RawIdent::sig(&s.name, &s.email), hint));
    }
    out
}

/// Collects every identity the inputs mention and groups them.
fn identities(
    history: &History,
    mailmapped: &[Sig],
    github: &[PullRequestRecord],
    docs: &[DocRecord],
    structure: &Structure,
    config: &Config,
) -> IdentityBuilder {
    let mut b = IdentityBuilder::new();
    let mut uses = vec![0u64; mailmapped.len()];
    for c in &history.commits {
        uses[c.author as usize] += 1;
    }
    // Commit authors first, in a stable order, so that ids do not depend on walk order.
    let mut order: Vec<usize> = (0..mailmapped.len()).collect();
    order.sort_by(|&a, &b| mailmapped[a].cmp(&mailmapped[b]));
    for i in order {
        if uses[i] > 0 {
            b.add(
                RawIdent::sig(&mailmapped[i].name, &mailmapped[i].email),
                uses[i],
            );
        }
    }
    b.add_aliases(config);

    for gh in github {
        for a in gh.commit_authors.iter().chain(&gh.merge_commit_author) {
            b.add(
                RawIdent {
                    name: a.name.clone(),
                    email: a.email.clone(),
                    login: a.login.clone().unwrap_or_default(),
                },
                0,
            );
        }
        for login in gh
            .author
            .iter()
            .chain(&gh.merged_by)
            .chain(gh.reviews.iter().filter_map(|r| r.author.as_ref()))
        {
            b.add(RawIdent::login(login), 0);
        }
    }
    let mut extra: BTreeSet<RawIdent> = BTreeSet::new();
    for c in &history.commits {
        for (_, v) in &c.trailers {
            extra.insert(RawIdent::parse(v));
        }
        // Committers appear as mergers of squash merges.
        let s = &mailmapped[c.committer as usize];
        if uses[c.committer as usize] == 0 && !s.email.eq_ignore_ascii_case("noreply@github.com") {
            extra.insert(RawIdent::sig(&s.name, &s.email));
        }
    }
    for gp in structure.prs.values() {
        for r in &gp.marker.reviewers {
            extra.insert(RawIdent::login(r));
        }
    }
    for d in docs {
        for who in d
            .front
            .authors
            .iter()
            .chain(&d.front.facilitator)
            .chain(&d.front.participants)
        {
            extra.insert(RawIdent::parse(who));
        }
    }
    for e in extra {
        b.add(e, 0);
    }
    b
}
