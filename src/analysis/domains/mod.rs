//! Ownership: which domain each path and each event belongs to, and per domain who knows it.
//!
//! Domains come from `guild.yml` globs, or else from CODEOWNERS (one domain per pattern that
//! names owners; the last matching pattern decides a file's domain, as on GitHub). From the
//! ledger and the changed paths of every commit this module derives, per domain:
//! - **experts**: authorship (1 point per commit) and review (½ for a review, test, help or
//!   mentoring; ¼ for a comment or ack) of work in the domain, each halved for every
//!   [`HALF_LIFE_DAYS`] before the ledger's `as_of`;
//! - the **contributor absence factor**: the fewest people behind more than half of the
//!   domain's work (authored and reviewed events, unweighted);
//! - the **truck factor**: how many active people must leave before more than half of the
//!   domain's files (at HEAD, among those anyone ever worked on) have no active person left
//!   who authored or reviewed a change to them. People removed greedily, most files known
//!   first. People inactive for `reviewers.inactive_days` have already left;
//! - **single points of failure**: files whose only active knower is one person, and the
//!   domain itself when its truck factor is 1;
//! - **inactive CODEOWNERS**: entries deciding the domain's files that name a person with no
//!   activity for `reviewers.inactive_days` (or none at all in this history).
//!
//! No I/O: the changed paths, the files at HEAD and CODEOWNERS come in an [`Ownership`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::EventDomains;
use crate::config::Config;
use crate::events::identity::RawIdent;
use crate::events::{EventKind, Ledger};
use crate::sources::codeowners::{owner_kind, Codeowners, OwnerKind};

/// Expertise halves every this many days before `as_of`.
pub const HALF_LIFE_DAYS: f64 = 365.0;
/// How many experts a domain lists.
pub const TOP_EXPERTS: usize = 5;
/// How many example files a single point of failure lists.
const SAMPLE_FILES: usize = 3;

mod set;
use set::{domains_of_event, path_domains};
pub use set::{event_domains, unknown_repositories, DomainSet, DomainSource, Ownership, WorkPaths};

/// How an event counts towards knowing the work: (authored?, expertise weight).
pub fn role(kind: EventKind) -> Option<(bool, f64)> {
    use EventKind::*;
    match kind {
        Commit | CoAuthored => Some((true, 1.0)),
        Review | Tested | Mentored | Helped => Some((false, 0.5)),
        ReviewComment | Acked => Some((false, 0.25)),
        _ => None,
    }
}

/// `0.5^(age / HALF_LIFE_DAYS)`: 1 at `as_of`, ½ a half-life earlier.
pub fn recency(time: i64, as_of: i64) -> f64 {
    let age_days = (as_of - time).max(0) as f64 / 86_400.0;
    0.5f64.powf(age_days / HALF_LIFE_DAYS)
}

/// The last event of each person (any kind), indexed like `Ledger::people`.
pub fn last_seen(ledger: &Ledger) -> Vec<Option<i64>> {
    let mut out = vec![None::<i64>; ledger.people().len()];
    for e in &ledger.events {
        // A received endorsement is not taking part.
        if !e.kind.is_taking_part() {
            continue;
        }
        let l = &mut out[e.person as usize];
        *l = Some(l.map_or(e.time, |t: i64| t.max(e.time)));
    }
    out
}

/// Whether a person counts as active: seen within `reviewers.inactive_days` of `as_of`.
pub fn is_active(last: Option<i64>, ledger: &Ledger, config: &Config) -> bool {
    let horizon = ledger.as_of - i64::from(config.reviewers.inactive_days) * 86_400;
    last.is_some_and(|t| t >= horizon)
}

/// A person who knows a domain.
#[derive(Debug, Clone, PartialEq)]
pub struct Expert {
    pub person: u32,
    /// Recency-weighted authorship and review.
    pub score: f64,
    /// Authored events (commits, co-authorship) in the domain.
    pub authored: u64,
    /// Review-side events (reviews, comments, acks, tests, help, mentoring) in the domain.
    pub reviewed: u64,
    /// The latest of those.
    pub last: i64,
}

/// A person that files (or the whole domain) hang on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePoint {
    pub person: u32,
    /// Files whose only active knower is this person.
    pub files: usize,
    /// The domain's truck factor is 1 and this is the person.
    pub whole_domain: bool,
    /// A few of those files, sorted.
    pub sample: Vec<String>,
}

/// An owner named in CODEOWNERS as written, resolved where possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    /// A person of the ledger.
    Person(u32),
    /// A login no one in this history has.
    Login(String),
    /// An e-mail no one in this history has (never shown).
    Email,
}

/// A CODEOWNERS entry naming someone inactive for long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InactiveOwner {
    pub owner: Owner,
    /// The CODEOWNERS file and line.
    pub file: String,
    pub line: usize,
    pub pattern: String,
    /// Last activity; `None`: never seen in this history.
    pub last_seen: Option<i64>,
}

/// One domain's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainReport {
    pub name: String,
    /// Files at HEAD in the domain.
    pub files: usize,
    /// Authored and review-side events about the domain's work.
    pub work: u64,
    /// Best first (at most [`TOP_EXPERTS`]).
    pub experts: Vec<Expert>,
    pub contributor_absence_factor: usize,
    pub truck_factor: usize,
    /// Most files first.
    pub single_points_of_failure: Vec<SinglePoint>,
    pub inactive_owners: Vec<InactiveOwner>,
}

/// Domains and the event → domain mapping, computed together.
pub struct Analysis {
    pub source: DomainSource,
    pub event_domains: EventDomains,
    pub domains: Vec<DomainReport>,
}

#[derive(Default, Clone)]
struct Acc {
    score: f64,
    authored: u64,
    reviewed: u64,
    last: i64,
}

/// The whole ownership analysis.
pub fn analyse(ledger: &Ledger, config: &Config, own: &Ownership) -> Analysis {
    let work = WorkPaths::new(ledger, &own.paths);
    let per_path = path_domains(&own.set, &work);
    let ed = domains_of_event(ledger, &own.set, &work, &per_path);
    let people = ledger.people();
    let n_domains = own.set.names.len();
    let last = last_seen(ledger);
    let active: Vec<bool> = last.iter().map(|&l| is_active(l, ledger, config)).collect();

    // Experts and work per domain.
    let mut acc: Vec<BTreeMap<u32, Acc>> = vec![BTreeMap::new(); n_domains];
    for (i, e) in ledger.events.iter().enumerate() {
        let Some((authored, weight)) = role(e.kind) else {
            continue;
        };
        if people[e.person as usize].is_bot {
            continue;
        }
        let r = recency(e.time, ledger.as_of);
        for &d in &ed.of_event[i] {
            let a = acc[d as usize].entry(e.person).or_default();
            a.score += weight * r;
            if authored {
                a.authored += 1;
            } else {
                a.reviewed += 1;
            }
            a.last = a.last.max(e.time);
        }
    }

    // Files at HEAD per domain and who knows each.
    let mut domain_files: Vec<Vec<usize>> = vec![Vec::new(); n_domains];
    let mut slot: HashMap<u32, usize> = HashMap::new();
    for (f, name) in own.head_files.iter().enumerate() {
        let ds = own.set.of_path(name);
        if ds.is_empty() {
            continue;
        }
        for d in ds {
            domain_files[d as usize].push(f);
        }
        if let Some(id) = work.id_of(name) {
            slot.insert(id, f);
        }
    }
    let mut knowers: Vec<Vec<u32>> = vec![Vec::new(); own.head_files.len()];
    if !slot.is_empty() {
        for e in &ledger.events {
            if role(e.kind).is_none() || people[e.person as usize].is_bot {
                continue;
            }
            for p in work.of_event(e) {
                if let Some(&f) = slot.get(p) {
                    knowers[f].push(e.person);
                }
            }
        }
        for k in &mut knowers {
            k.sort_unstable();
            k.dedup();
        }
    }

    let domains = (0..n_domains)
        .map(|d| {
            let people_acc = &acc[d];
            let mut experts: Vec<Expert> = people_acc
                .iter()
                .map(|(&p, a)| Expert {
                    person: p,
                    score: a.score,
                    authored: a.authored,
                    reviewed: a.reviewed,
                    last: a.last,
                })
                .collect();
            experts.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
            experts.truncate(TOP_EXPERTS);
            let mut counts: Vec<u64> = people_acc
                .values()
                .map(|a| a.authored + a.reviewed)
                .collect();
            counts.sort_unstable_by(|a, b| b.cmp(a));
            let work_total: u64 = counts.iter().sum();
            let caf = absence_factor(&counts);
            let (truck_factor, spof) =
                truck_factor(&domain_files[d], &knowers, &active, &own.head_files);
            DomainReport {
                name: own.set.names[d].clone(),
                files: domain_files[d].len(),
                work: work_total,
                experts,
                contributor_absence_factor: caf,
                truck_factor,
                single_points_of_failure: spof,
                inactive_owners: Vec::new(),
            }
        })
        .collect::<Vec<_>>();
    let mut domains = domains;
    if let Some(co) = &own.codeowners {
        inactive_owners(ledger, config, own, co, &last, &mut domains);
    }
    Analysis {
        source: own.set.source,
        event_domains: ed,
        domains,
    }
}

/// The fewest people (largest counts first) whose work is more than half of the total.
pub fn absence_factor(counts_desc: &[u64]) -> usize {
    let total: u64 = counts_desc.iter().sum();
    let mut sum = 0;
    for (i, c) in counts_desc.iter().enumerate() {
        sum += c;
        if sum * 2 > total {
            return i + 1;
        }
    }
    0
}

/// Truck factor over a domain's files and the single points of failure. `files` index
/// `knowers` (sorted people per file) and `names`; `active` is indexed by person.
pub fn truck_factor(
    files: &[usize],
    knowers: &[Vec<u32>],
    active: &[bool],
    names: &[String],
) -> (usize, Vec<SinglePoint>) {
    // Only files someone ever worked on: the others say nothing about who knows what.
    let known: Vec<(usize, Vec<u32>)> = files
        .iter()
        .filter(|&&f| !knowers[f].is_empty())
        .map(|&f| {
            (
                f,
                knowers[f]
                    .iter()
                    .copied()
                    .filter(|&p| active[p as usize])
                    .collect(),
            )
        })
        .collect();
    let n = known.len();
    if n == 0 {
        return (0, Vec::new());
    }
    let mut files_of: BTreeMap<u32, usize> = BTreeMap::new();
    for (_, ks) in &known {
        for &p in ks {
            *files_of.entry(p).or_default() += 1;
        }
    }
    let mut order: Vec<(u32, usize)> = files_of.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut left: Vec<usize> = known.iter().map(|(_, ks)| ks.len()).collect();
    let mut orphans = left.iter().filter(|&&l| l == 0).count();
    let mut removed = 0;
    let mut first = None;
    let mut it = order.iter();
    while orphans * 2 <= n {
        let Some(&(p, _)) = it.next() else {
            break;
        };
        first.get_or_insert(p);
        removed += 1;
        for (i, (_, ks)) in known.iter().enumerate() {
            if ks.binary_search(&p).is_ok() {
                left[i] -= 1;
                if left[i] == 0 {
                    orphans += 1;
                }
            }
        }
    }
    let mut single: BTreeMap<u32, Vec<&str>> = BTreeMap::new();
    for (f, ks) in &known {
        if let [p] = ks.as_slice() {
            single.entry(*p).or_default().push(&names[*f]);
        }
    }
    let whole = (removed == 1).then_some(first).flatten();
    if let Some(p) = whole {
        single.entry(p).or_default();
    }
    let mut spof: Vec<SinglePoint> = single
        .into_iter()
        .map(|(p, mut fs)| {
            fs.sort_unstable();
            SinglePoint {
                person: p,
                files: fs.len(),
                whole_domain: whole == Some(p),
                sample: fs
                    .iter()
                    .take(SAMPLE_FILES)
                    .map(|s| s.to_string())
                    .collect(),
            }
        })
        .collect();
    spof.sort_by(|a, b| {
        b.whole_domain
            .cmp(&a.whole_domain)
            .then(b.files.cmp(&a.files))
            .then(a.person.cmp(&b.person))
    });
    (removed, spof)
}

/// Resolves a CODEOWNERS owner to a person through the one identity table: any of a
/// person's logins (case-insensitive), their id, or an e-mail of theirs.
pub fn resolve_owner(ledger: &Ledger, owner: &str) -> Option<u32> {
    let ids = &ledger.identities;
    match owner_kind(owner) {
        OwnerKind::Team => None,
        OwnerKind::Login => {
            let login = owner.trim_start_matches('@');
            ids.by_login(login).or_else(|| ids.resolve_mention(login))
        }
        OwnerKind::Email => ids.resolve(&RawIdent::parse(owner)),
    }
}

fn inactive_owners(
    ledger: &Ledger,
    config: &Config,
    own: &Ownership,
    co: &Codeowners,
    last: &[Option<i64>],
    domains: &mut [DomainReport],
) {
    // The rules deciding each domain's files (for CODEOWNERS domains: its own rules).
    let mut rules_of: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); domains.len()];
    for f in &own.head_files {
        let Some(r) = co.rule_for(f) else { continue };
        for d in own.set.of_path(f) {
            rules_of[d as usize].insert(r);
        }
    }
    let mut verdict: HashMap<&str, Option<(Owner, Option<i64>)>> = HashMap::new();
    for (d, rules) in rules_of.iter().enumerate() {
        for &r in rules {
            let rule = &co.rules[r];
            for o in &rule.owners {
                let v = verdict.entry(o.as_str()).or_insert_with(|| {
                    if owner_kind(o) == OwnerKind::Team {
                        return None;
                    }
                    match resolve_owner(ledger, o) {
                        Some(p) => {
                            let seen = last[p as usize];
                            (!is_active(seen, ledger, config)).then_some((Owner::Person(p), seen))
                        }
                        None => Some((
                            match owner_kind(o) {
                                OwnerKind::Email => Owner::Email,
                                _ => Owner::Login(o.clone()),
                            },
                            None,
                        )),
                    }
                });
                if let Some((owner, seen)) = v {
                    domains[d].inactive_owners.push(InactiveOwner {
                        owner: owner.clone(),
                        file: co.file.clone(),
                        line: rule.line,
                        pattern: rule.pattern.clone(),
                        last_seen: *seen,
                    });
                }
            }
        }
        domains[d]
            .inactive_owners
            .sort_by(|a, b| a.line.cmp(&b.line).then(a.owner.cmp(&b.owner)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absence_factor_is_the_fewest_people_behind_more_than_half() {
        assert_eq!(absence_factor(&[]), 0);
        assert_eq!(absence_factor(&[10]), 1);
        assert_eq!(
            absence_factor(&[5, 5]),
            2,
            "exactly half is not more than half"
        );
        assert_eq!(absence_factor(&[6, 5]), 1);
        assert_eq!(absence_factor(&[3, 3, 3]), 2);
    }

    #[test]
    fn truck_factor_counts_active_knowers_only() {
        let names: Vec<String> = (0..4).map(|i| format!("f{i}")).collect();
        let files = [0, 1, 2, 3];
        // p0 knows everything; p1 knows one file; p2 is inactive and knows all.
        let knowers = vec![vec![0, 2], vec![0, 2], vec![0, 2], vec![0, 1, 2]];
        let active = [true, true, false];
        let (tf, spof) = truck_factor(&files, &knowers, &active, &names);
        assert_eq!(tf, 1, "without p0, 3 of 4 files have no active knower");
        assert_eq!(spof.len(), 1);
        assert_eq!(spof[0].person, 0);
        assert!(spof[0].whole_domain);
        assert_eq!(spof[0].files, 3);
        assert_eq!(spof[0].sample, ["f0", "f1", "f2"]);
        // Exactly half orphaned is not most: p1 must leave too.
        let knowers = vec![vec![0], vec![0], vec![0, 1], vec![0, 1]];
        assert_eq!(truck_factor(&files, &knowers, &active, &names).0, 2);
    }

    #[test]
    fn recency_halves_every_half_life() {
        let day = 86_400;
        assert!((recency(0, 0) - 1.0).abs() < 1e-12);
        assert!((recency(0, 365 * day) - 0.5).abs() < 1e-12);
    }
}
