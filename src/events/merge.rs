//! Many exported ledgers (`events::exported`) become one [`Ledger`], so that every command
//! runs over an organisation through the usual road (`snapshot::build`). People are joined
//! across repositories with the same [`IdentityBuilder`] a single repository uses, on logins,
//! e-mail hashes, names and the organisation's aliases (whose e-mails are hashed the same
//! way first); the organisation's bots and opt-outs apply on top of each repository's own.
//! A pull request stays one per repository: merged ones are told apart by their merge
//! commit. Pure: reading the files is `sources::ledgers`.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::exported::Exported;
use super::identity::{IdentityBuilder, RawIdent};
use super::{Endorsement, Event, FutureDated, Ledger, PullRequest, Target};
use crate::config::Config;

/// The domain of an e-mail hash: `<hash>@sha256.invalid` joins like an address would.
const HASHED: &str = "@sha256.invalid";

/// The organisation's configuration with every e-mail in aliases, opt-outs and bots
/// replaced by its hash, so that it matches the hashed people of the ledgers.
pub fn hash_config_emails(config: &Config) -> Config {
    let hash = |text: &str| -> String {
        let ident = RawIdent::parse(text);
        if ident.email.is_empty() {
            return text.to_string();
        }
        let addr = format!("{}{HASHED}", super::exported::email_hash(&ident.email));
        match ident.name.is_empty() {
            true => addr,
            false => format!("{} <{addr}>", ident.name),
        }
    };
    let mut c = config.clone();
    for names in c.aliases.values_mut() {
        for n in names.iter_mut() {
            *n = hash(n);
        }
    }
    for o in c.opt_out.iter_mut() {
        *o = hash(o);
    }
    // A bot listed by its address (`bots: [ci@corp.example]`) is matched by its hash.
    for b in c.bots.iter_mut() {
        if b.contains('@') && b.contains('.') && !b.contains(' ') {
            *b = format!("{}{HASHED}", super::exported::email_hash(b));
        }
    }
    c
}

/// A path in the organisation, `repository/path` (a doc's, a changed file's): two
/// repositories' docs of one kind and file name (`docs/adr/0001-x.md`) stay two docs, with
/// two pages on the site (links between a repository's own docs still resolve, being
/// relative), and domains defined by the organisation (`repo:glob`) match it.
fn qualified(ledger: &Exported, path: &str) -> String {
    format!("{}/{path}", ledger.repository)
}

/// The paths every ledger's commits changed and the files at HEAD, qualified
/// ([`qualified`]), for domains the organisation defines. A commit in two ledgers (a fork)
/// keeps the paths of the first.
/// They move out of the ledgers.
pub fn paths(ledgers: &mut [Exported]) -> (crate::sources::paths::PathsIndex, Vec<String>) {
    let mut index = crate::sources::paths::PathsIndex::default();
    let mut files = Vec::new();
    for l in ledgers {
        let changed = std::mem::take(&mut l.changed);
        for (commit, ids) in changed.iter() {
            let names: Vec<String> = ids.iter().map(|&i| qualified(l, changed.name(i))).collect();
            index.add(*commit, names.iter().map(String::as_str));
        }
        files.extend(
            std::mem::take(&mut l.head_files)
                .iter()
                .map(|f| qualified(l, f)),
        );
    }
    files.sort();
    (index, files)
}

/// The union of `ledgers` as one ledger, resolved with the organisation's `config`, and the
/// domains of its events as each repository exported them (joined by name; `None` when no
/// ledger has any), for the cross-domain review bonus.
pub fn merge(
    ledgers: &mut [Exported],
    config: &Config,
) -> (Ledger, Option<crate::analysis::EventDomains>) {
    // The events move into the merged ledger one repository at a time, never copied whole.
    let mut moved: Vec<Vec<(Event, Vec<u16>)>> = ledgers
        .iter_mut()
        .map(|l| std::mem::take(&mut l.events))
        .collect();
    let ledgers: &[Exported] = ledgers;
    let config = hash_config_emails(config);
    let mut b = IdentityBuilder::new();
    // Each repository's person, by (ledger, id): the identity that stands for them.
    let mut anchor: HashMap<(usize, &str), RawIdent> = HashMap::new();
    for (l, ledger) in ledgers.iter().enumerate() {
        for p in &ledger.people {
            let mut idents: Vec<(RawIdent, u64)> = Vec::new();
            // The main login weighs what the person did, so it stays the id.
            for (k, login) in p.logins.iter().enumerate() {
                let w = if k == 0 { p.events.max(1) * 2 } else { 1 };
                idents.push((RawIdent::login(login), w));
            }
            for (name, uses) in &p.names {
                idents.push((RawIdent::sig(name, ""), *uses));
            }
            if p.names.is_empty() {
                idents.push((RawIdent::sig(&p.name, ""), 1));
            }
            for h in &p.email_hashes {
                idents.push((RawIdent::sig("", &format!("{h}{HASHED}")), 1));
            }
            let mut first = None;
            for (ident, w) in idents {
                let n = b.add(ident.clone(), w);
                match first {
                    None => {
                        first = Some(n);
                        anchor.insert((l, p.id.as_str()), ident);
                    }
                    Some(f) => b.join(
                        f,
                        n,
                        format!("one person in the ledger of {}", ledger.repository),
                    ),
                }
            }
        }
    }
    b.add_aliases(&config);
    let mut identities = b.finish(&config);
    let person_of = |l: usize, id: &str| -> Option<u32> {
        anchor
            .get(&(l, id))
            .and_then(|ident| identities.resolve(ident))
    };
    // Resolved once per (ledger, id): events name people by id.
    let mut index: Vec<HashMap<&str, u32>> = Vec::with_capacity(ledgers.len());
    let mut repo_flags: Vec<(u32, bool, bool)> = Vec::new();
    for (l, ledger) in ledgers.iter().enumerate() {
        let mut m = HashMap::new();
        for p in &ledger.people {
            if let Some(i) = person_of(l, &p.id) {
                m.insert(p.id.as_str(), i);
                repo_flags.push((i, p.is_bot, p.opted_out));
            }
        }
        index.push(m);
    }
    // A bot or an opt-out in any repository stays one in the organisation.
    for (i, bot, out) in repo_flags {
        let p = &mut identities.people[i as usize];
        p.is_bot |= bot;
        p.opted_out |= out;
    }
    // `sources::ledgers` refuses a ledger whose rows name someone not in its people table,
    // so every id is found; 0 only keeps a hand-made ledger from panicking.
    let who = |l: usize, id: &str| index[l].get(id).copied().unwrap_or(0);

    // Domain names, sorted, over all ledgers: an event's domains index them.
    let names: Vec<String> = ledgers
        .iter()
        .flat_map(|l| l.domain_names.iter())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .cloned()
        .collect();
    let name_index: HashMap<&str, u16> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), u16::try_from(i).unwrap_or(u16::MAX)))
        .collect();
    let mut events: Vec<(Event, Vec<u16>)> = Vec::with_capacity(moved.iter().map(Vec::len).sum());
    let mut prs: BTreeMap<super::PrId, PullRequest> = BTreeMap::new();
    let mut endorsements = Vec::new();
    let mut docs = Vec::new();
    for (l, ledger) in ledgers.iter().enumerate() {
        // Pull requests are told apart by repository; more ledgers than ids share the last.
        let repo = u16::try_from(l).unwrap_or(u16::MAX);
        // The organisation's person of each of the ledger's people, by index.
        let local: Vec<u32> = ledger.people.iter().map(|p| who(l, &p.id)).collect();
        let global = |i: u32| local.get(i as usize).copied().unwrap_or(0);
        let domain_of: Vec<u16> = ledger
            .domain_names
            .iter()
            .map(|n| name_index.get(n.as_str()).copied().unwrap_or(u16::MAX))
            .collect();
        let with_repo = |p: super::PrId| super::PrId { repo, ..p };
        for (e, of) in std::mem::take(&mut moved[l]) {
            let target = match e.target {
                Target::Pr(p) => Target::Pr(with_repo(p)),
                Target::Doc(d) => Target::Doc(qualified(ledger, &d)),
                t => t,
            };
            let mut of: Vec<u16> = of
                .iter()
                .filter_map(|&d| domain_of.get(d as usize).copied())
                .collect();
            of.sort_unstable();
            of.dedup();
            events.push((
                Event {
                    time: e.time,
                    person: global(e.person),
                    kind: e.kind,
                    target,
                    pr: e.pr.map(with_repo),
                    other: e.other.map(global),
                    source: e.source,
                    state: e.state,
                },
                of,
            ));
        }
        for p in &ledger.prs {
            let id = super::PrId {
                number: p.number,
                merge: p.merge_commit,
                repo,
            };
            prs.insert(
                id,
                PullRequest {
                    number: p.number,
                    merge_commit: p.merge_commit,
                    title: p.title.clone(),
                    author: p.author.as_deref().map(|a| who(l, a)),
                    merged_at: p.merged_at,
                    created_at: p.created_at,
                    merged_by: p.merged_by.as_deref().map(|a| who(l, a)),
                    reviewers: p.reviewers.iter().map(|r| who(l, r)).collect(),
                    first_response_at: p.first_response_at,
                    labels: p.labels.clone(),
                    paths: p.paths.iter().map(|x| qualified(ledger, x)).collect(),
                    commits: p.commits.clone(),
                    from_git: p.from_git,
                    from_github: p.from_github,
                    newcomer_first: false,
                },
            );
        }
        for e in &ledger.endorsements {
            endorsements.push(Endorsement {
                person: who(l, &e.person),
                by: who(l, &e.by),
                skill: e.skill.clone(),
                note: e.note.clone(),
                at: e.at,
                path: e.path.clone(),
            });
        }
        for d in &ledger.docs {
            docs.push(crate::sources::docs::DocRecord {
                path: qualified(ledger, &d.path),
                front: d.front.clone(),
                body: d.body.clone(),
                body_line: 1,
                key_lines: Default::default(),
            });
        }
    }
    // The order `events::build` gives (people are sorted by id, so indices order by id).
    events.sort_by(|(a, _), (b, _)| Event::ledger_order(a, b));
    let (events, of_event): (Vec<Event>, Vec<Vec<u16>>) = events.into_iter().unzip();
    let domains =
        (!names.is_empty()).then_some(crate::analysis::EventDomains::new(names, of_event));
    endorsements.sort_by_key(|e| e.at);
    // Reviewers joined into one person may now review themselves: drop them, and re-find
    // newcomers' first pull requests over the whole organisation.
    for pr in prs.values_mut() {
        pr.reviewers.sort_unstable();
        pr.reviewers.dedup();
        if let Some(a) = pr.author {
            pr.reviewers.retain(|&r| r != a);
        }
    }
    let first_prs: HashSet<super::PrId> =
        super::first_contributions(&events, identities.people.len())
            .into_iter()
            .flatten()
            .filter_map(|i| {
                let e = &events[i];
                e.pr.filter(|n| prs.get(n).is_some_and(|p| p.author == Some(e.person)))
            })
            .collect();
    for (id, pr) in prs.iter_mut() {
        pr.newcomer_first = first_prs.contains(id);
    }
    let mut heads: Vec<String> = ledgers
        .iter()
        .map(|l| format!("{}@{:.10}", l.repository, l.head))
        .collect();
    heads.sort();
    let ledger = Ledger {
        identities,
        events,
        prs,
        head: heads.join(","),
        as_of: ledgers.iter().map(|l| l.as_of).max().unwrap_or(0),
        future: FutureDated::default(),
        docs,
        endorsements,
    };
    (ledger, domains)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::exported::{EventRow, PersonRow, PrRow, Row};
    use crate::events::{EventKind, Source};

    /// A ledger where `author` opened pull request #7 (unmerged, from GitHub only) and
    /// `reviewer` reviewed it.
    fn open_pr(repository: &str, author: &str, reviewer: &str) -> Exported {
        let person = |id: &str| PersonRow {
            repository: repository.into(),
            id: id.into(),
            name: id.into(),
            names: vec![(id.into(), 1)],
            logins: vec![id.into()],
            email_hashes: vec![],
            is_bot: false,
            opted_out: false,
            events: 1,
        };
        let mut ledger = Exported::default();
        ledger.file = format!("{repository}.jsonl");
        ledger.repository = repository.into();
        ledger.head = "0".repeat(40);
        ledger.as_of = 1_700_000_000;
        ledger.prs = vec![PrRow {
            repository: repository.into(),
            number: 7,
            merge_commit: None,
            title: format!("#7 of {repository}"),
            author: Some(author.into()),
            merged_at: None,
            created_at: Some(1_699_000_000),
            merged_by: None,
            reviewers: vec![reviewer.into()],
            first_response_at: None,
            labels: vec![],
            paths: vec![],
            commits: vec![],
            from_git: false,
            from_github: true,
        }];
        for row in [Row::Person(person(author)), Row::Person(person(reviewer))] {
            ledger.push(row).unwrap();
        }
        ledger
            .push(Row::Event(EventRow {
                repository: repository.into(),
                time: 1_700_000_000,
                kind: EventKind::Review,
                person: reviewer.into(),
                other: Some(author.into()),
                source: Source::Github,
                state: None,
                pr_number: Some(7),
                pr_merge: None,
                target: "pr".into(),
                target_pr_number: Some(7),
                target_pr_merge: None,
                target_commit: None,
                target_doc: None,
                domains: vec![],
            }))
            .unwrap();
        ledger.finish();
        ledger
    }

    #[test]
    fn unmerged_pull_requests_with_one_number_in_two_repositories_stay_two() {
        let mut ledgers = [open_pr("alpha", "ann", "bo"), open_pr("beta", "cy", "di")];
        let (ledger, _) = merge(&mut ledgers, &Config::default());
        assert_eq!(ledger.prs.len(), 2, "{:#?}", ledger.prs);
        let titles: Vec<&str> = ledger.prs.values().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, ["#7 of alpha", "#7 of beta"]);
        // Each review points at its own repository's pull request and author.
        for e in &ledger.events {
            let Some(pr) = e.pr else { panic!("{e:?}") };
            let pr = &ledger.prs[&pr];
            assert_eq!(pr.author, e.other);
            assert_eq!(pr.reviewers, [e.person]);
        }
    }
}
