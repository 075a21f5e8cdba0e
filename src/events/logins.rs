//! Logins proven by branch owners in merge subjects (`Merge pull request #N from
//! login/branch`, `Auto merge of #N - login:branch`), weighed over all merges: a login goes to
//! a person only when most of that login's merges are that person's work *and* most of that
//! person's merges carry that login. Never to the repository's owner (a branch pushed to the
//! main repository carries the organisation's name), never to a name that fronts many
//! authors (a company's fork), never to a login that stronger evidence (GitHub data, a
//! noreply address) already gives to someone else. Pure: it reads the structure and the
//! identities found so far, and returns the joins with their evidence.

use std::collections::{BTreeMap, HashMap};

use super::identity::{is_login, Identities, RawIdent};
use super::structure::{main_author, Structure};
use crate::sources::git::{CommitRecord, Sig};

/// A login proven to be a person's, with the evidence.
pub struct Proven {
    /// A commit signature of the person (mailmapped).
    pub sig: RawIdent,
    /// The login, as most often spelled.
    pub login: String,
    /// Merges that carry it (its weight among the person's logins).
    pub uses: u64,
    pub why: String,
}

#[derive(Default)]
struct Tally {
    total: u64,
    by_person: BTreeMap<u32, u64>,
    spellings: BTreeMap<String, u64>,
}

/// Weighs every branch owner against the main author of the merge that carries it.
pub fn prove(
    structure: &Structure,
    commits: &[CommitRecord],
    mailmapped: &[Sig],
    ids: &Identities,
    repo_owner: Option<&str>,
    alias_ids: &std::collections::BTreeSet<String>,
) -> Vec<Proven> {
    let sig_person = ids.people_of(mailmapped);
    let person_of = |s: u32| sig_person[s as usize];
    let mut by_login: BTreeMap<String, Tally> = BTreeMap::new();
    // person → (merges with any branch owner, per login)
    let mut by_person: HashMap<u32, (u64, BTreeMap<String, u64>)> = HashMap::new();
    let mut example_sig: HashMap<u32, u32> = HashMap::new();
    for gp in structure.prs.iter().map(|(_, gp)| gp) {
        let Some(owner) = &gp.marker.branch_owner else {
            continue;
        };
        if !is_login(owner) || repo_owner.is_some_and(|o| o.eq_ignore_ascii_case(owner)) {
            continue;
        }
        let Some(p) = main_author(&gp.commits, commits, person_of) else {
            continue;
        };
        if let Some(&c) = gp
            .commits
            .iter()
            .find(|&&c| commits[c].parents.len() <= 1 && person_of(commits[c].author) == p)
        {
            example_sig.entry(p).or_insert(commits[c].author);
        }
        let key = owner.to_lowercase();
        let t = by_login.entry(key.clone()).or_default();
        t.total += 1;
        *t.by_person.entry(p).or_default() += 1;
        *t.spellings.entry(owner.clone()).or_default() += 1;
        let e = by_person.entry(p).or_default();
        e.0 += 1;
        *e.1.entry(key).or_default() += 1;
    }
    let mut out = Vec::new();
    for (key, t) in by_login {
        let Some((&p, &n)) = t
            .by_person
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        else {
            continue;
        };
        let (mine, _) = &by_person[&p];
        let carried = by_person[&p].1.get(&key).copied().unwrap_or(0);
        let authors = t.by_person.len();
        // Most of the login's merges are this person's, and most of this person's carry it;
        // with three or more authors behind a login, it must be clearly one person's.
        let sound =
            n * 2 > t.total && carried * 2 > *mine && (authors <= 2 || n * 4 >= t.total * 3);
        if !sound {
            continue;
        }
        // Stronger evidence (GitHub data, a noreply address) decides a login's owner; an
        // alias key in guild.yml names the login itself, so the proof joins that person.
        if ids.by_login(&key).is_some_and(|q| q != p) && !alias_ids.contains(&key) {
            continue;
        }
        let Some(&sig) = example_sig.get(&p) else {
            continue;
        };
        let login = t
            .spellings
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(s, _)| s.clone())
            .unwrap_or(key);
        let s = &mailmapped[sig as usize];
        out.push(Proven {
            sig: RawIdent::sig(&s.name, &s.email),
            why: format!(
                "{n} of {} merges from {login}:… are this person's work, and {carried} of this person's {mine} merges with a branch owner carry it",
                t.total
            ),
            login,
            uses: n,
        });
    }
    out
}
