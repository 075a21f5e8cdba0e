//! How people are shown and found: display ids and names (opted-out people anonymised),
//! and finding the person a user named, in a history or in a saved snapshot.

use super::{Community, PersonSummary};
use crate::events::Ledger;

/// How a person is shown: opted-out people become `anonymous-N`, numbered in id order.
pub struct Display {
    pub ids: Vec<String>,
    pub names: Vec<String>,
}

impl Display {
    pub fn new(ledger: &Ledger) -> Display {
        let mut n = 0;
        let mut ids = Vec::new();
        let mut names = Vec::new();
        for p in ledger.people() {
            if p.opted_out {
                n += 1;
                ids.push(format!("anonymous-{n}"));
                names.push("Anonymous".to_string());
            } else {
                ids.push(p.id.clone());
                names.push(p.name.clone());
            }
        }
        Display { ids, names }
    }

    /// The person a user named (id, login, name or e-mail), never an opted-out one by
    /// anything but their display id; a clear error with the closest ids otherwise.
    pub fn find(&self, ledger: &Ledger, query: &str) -> anyhow::Result<u32> {
        let found = self
            .ids
            .iter()
            .position(|id| id.eq_ignore_ascii_case(query.trim()))
            .map(|i| i as u32)
            .or_else(|| {
                ledger
                    .identities
                    .resolve_mention(query)
                    .filter(|&i| !ledger.identities.person(i).opted_out)
            });
        found.ok_or_else(|| no_such_person(self.ids.iter().map(String::as_str), query))
    }
}

impl Community {
    /// The person a user named in a saved snapshot, which keeps display ids and names only
    /// (logins and e-mails need the history): by id, else by a name only one person has.
    pub fn find(&self, query: &str) -> anyhow::Result<&PersonSummary> {
        let q = query.trim();
        let by_id = self.people.iter().find(|p| p.id.eq_ignore_ascii_case(q));
        let by_name = || {
            let mut named = self
                .people
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case(q));
            named.next().filter(|_| named.next().is_none())
        };
        by_id
            .or_else(by_name)
            .ok_or_else(|| no_such_person(self.people.iter().map(|p| p.id.as_str()), query))
    }
}

/// "No person matches", with the five closest ids.
fn no_such_person<'a>(ids: impl Iterator<Item = &'a str>, query: &str) -> anyhow::Error {
    let mut known: Vec<&str> = ids.collect();
    known.sort_by_key(|id| strsim(id, query));
    known.truncate(5);
    anyhow::anyhow!(
        "no person matches `{query}`\n  fix: use an id from `cargo guild reputation` (closest: {})",
        known.join(", ")
    )
}

/// Edit distance, case-insensitive (for "did you mean").
fn strsim(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (
        a.to_lowercase().chars().collect(),
        b.to_lowercase().chars().collect(),
    );
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
