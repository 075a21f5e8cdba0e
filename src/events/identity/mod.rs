//! Who is who. Many raw names, e-mails and logins become one person through `.mailmap`
//! (applied by the caller), aliases in `guild.yml`, GitHub noreply addresses, logins linked
//! by GitHub data or proven by branch owners in merge subjects (`events::logins`), and
//! case/whitespace differences. Logins compare case-insensitively. A person's id is their
//! most used login where one is known (the others stay as aliases), otherwise a stable slug
//! of their canonical name. Every join is recorded with the evidence behind it, for
//! `cargo guild whois`.
//! This module only groups identities; it never reads history itself.
//!
//! Here: raw identities and the keys they are joined by, and the resolved [`Identities`]
//! with their lookups. The grouping itself, with its evidence, is `builder`.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

mod builder;
#[cfg(test)]
mod tests;

pub use builder::IdentityBuilder;

/// Logins and names that are always bots, in addition to anything ending in `[bot]` and the
/// `bots:` of `guild.yml`: merge bots, dependency updaters and well-known app accounts.
pub const BUILTIN_BOTS: &[&str] = &[
    "dependabot",
    "dependabot-preview",
    "renovate",
    "renovate-bot",
    "github-actions",
    "github-merge-queue",
    "bors",
    "bors-servo",
    "homu",
    "mergify",
    "rust-highfive",
    "rustbot",
    "rust-timer",
    "rust-log-analyzer",
    "pre-commit-ci",
    "greenkeeper",
    "imgbot",
    "allcontributors",
    "codecov",
    "snyk-bot",
    "web-flow",
];
/// Names too generic to merge people on.
const GENERIC_NAMES: &[&str] = &[
    "", "github", "root", "unknown", "user", "admin", "ubuntu", "none", "nobody",
];
/// E-mails too generic to merge people on.
const GENERIC_EMAILS: &[&str] = &[
    "noreply@github.com",
    "none@none",
    "root@localhost",
    "nobody@nowhere",
];

/// A raw identity as seen in one place: a commit signature, a trailer, a login.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RawIdent {
    pub name: String,
    pub email: String,
    pub login: String,
}

impl RawIdent {
    pub fn sig(name: &str, email: &str) -> Self {
        RawIdent {
            name: name.trim().to_string(),
            email: email.trim().to_string(),
            login: String::new(),
        }
    }
    pub fn login(login: &str) -> Self {
        RawIdent {
            login: login.trim().trim_start_matches('@').to_string(),
            ..Default::default()
        }
    }
    /// Parses `Name <email>`, `<email>`, `email@host`, `@login` or a bare name.
    pub fn parse(text: &str) -> Self {
        let t = text.trim();
        if let (Some(open), true) = (t.rfind('<'), t.ends_with('>')) {
            return RawIdent::sig(&t[..open], &t[open + 1..t.len() - 1]);
        }
        if let Some(login) = t.strip_prefix('@') {
            return RawIdent::login(login);
        }
        if t.contains('@') && !t.contains(' ') {
            return RawIdent::sig("", t);
        }
        // `Jeff King peff@peff.net`: an address written without its brackets is still an
        // address, never part of a name (names are shown; addresses never are).
        if let Some(addr) = t
            .split_whitespace()
            .find(|w| w.contains('@') && w.contains('.') && !w.starts_with('@'))
        {
            let name: Vec<&str> = t.split_whitespace().filter(|w| *w != addr).collect();
            let addr = addr.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | ';'));
            return RawIdent::sig(&name.join(" "), addr);
        }
        RawIdent::sig(t, "")
    }

    /// Every person a trailer value names: `A <a@x>, B <b@x>` is two people, `A <a@x> and
    /// B <b@x>` too. A value with at most one `<...>` is one person (a name may hold a comma:
    /// `Doe, Jane <jane@x>`).
    pub fn parse_many(text: &str) -> Vec<RawIdent> {
        let t = text.trim();
        if t.matches('<').count() <= 1 {
            return vec![RawIdent::parse(t)];
        }
        let mut out = Vec::new();
        let mut rest = t;
        while let Some(close) = rest.find('>') {
            let part = rest[..=close]
                .trim()
                .trim_start_matches([',', ';'])
                .trim()
                .trim_start_matches("and ")
                .trim();
            if !part.is_empty() {
                out.push(RawIdent::parse(part));
            }
            rest = &rest[close + 1..];
        }
        let tail = rest.trim().trim_start_matches([',', ';']).trim();
        if !tail.is_empty() {
            out.push(RawIdent::parse(tail));
        }
        out
    }

    fn keys(&self) -> Vec<String> {
        let mut keys = Vec::with_capacity(3);
        let email = self.email.to_lowercase();
        if email.contains('@') && !GENERIC_EMAILS.contains(&email.as_str()) {
            keys.push(format!("e:{email}"));
        }
        if let Some(login) = self.effective_login() {
            keys.push(format!("l:{}", login.to_lowercase()));
        }
        let name = normalize_name(&self.name);
        if !GENERIC_NAMES.contains(&name.as_str()) {
            keys.push(format!("n:{name}"));
        }
        keys
    }
    /// The login, given or read from a GitHub noreply address.
    fn effective_login(&self) -> Option<String> {
        if !self.login.is_empty() {
            return Some(self.login.clone());
        }
        noreply_login(&self.email)
    }
}

pub use crate::sources::github::is_login;

/// `123+login@users.noreply.github.com` or `login@users.noreply.github.com` → `login`
/// (as spelled in the address).
pub fn noreply_login(email: &str) -> Option<String> {
    let e = email.trim();
    let cut = e.len().checked_sub("@users.noreply.github.com".len())?;
    if !e.is_char_boundary(cut) || !e[cut..].eq_ignore_ascii_case("@users.noreply.github.com") {
        return None;
    }
    let local = &e[..cut];
    let login = local.split_once('+').map(|(_, l)| l).unwrap_or(local);
    (!login.is_empty()).then(|| login.to_string())
}

/// The key a name is compared by: case, spacing, initials' full stops ("W. Trevor King") and
/// accents on Latin letters ignored
/// ("Carlo Marcelo Arenas Belón" is "Carlo Marcelo Arenas Belon"; "Vernooĳ" is "Vernooij").
/// Other scripts are kept as written: transliterating them would join different people.
fn normalize_name(name: &str) -> String {
    let mut plain = String::with_capacity(name.len());
    for c in name.chars() {
        let latin =
            ('\u{00C0}'..='\u{024F}').contains(&c) || ('\u{1E00}'..='\u{1EFF}').contains(&c);
        match deunicode::deunicode_char(c).filter(|_| latin) {
            Some(ascii) => plain.push_str(ascii),
            None if c == '.' => plain.push(' '),
            None => plain.push(c),
        }
    }
    plain
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One resolved person. Never printed as is (it holds e-mails): renderers use the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// The main login (the id's), where one is known.
    pub login: Option<String>,
    /// Every login joined into this person, most used first.
    pub logins: Vec<String>,
    pub is_bot: bool,
    pub opted_out: bool,
    /// Lowercased e-mails: used to answer queries, never printed.
    pub emails: BTreeSet<String>,
    /// Names as written, with how often each was seen.
    pub names: Vec<(String, u64)>,
    /// Why the identities above are one person, and how the id was chosen (no e-mails).
    pub evidence: Vec<String>,
}

/// The resolved people and how to find them.
#[derive(Serialize, Deserialize)]
pub struct Identities {
    /// Sorted by id.
    pub people: Vec<Person>,
    node_person: Vec<u32>,
    #[serde(serialize_with = "in_key_order")]
    by_ident: HashMap<RawIdent, usize>,
    #[serde(serialize_with = "in_key_order")]
    by_key: HashMap<String, usize>,
    /// Lowercased id → person.
    #[serde(serialize_with = "in_key_order")]
    by_id: HashMap<String, u32>,
}

/// A map written in its keys' order rather than the hash table's, which differs from run to
/// run: the same history gives the same ledger cache, byte for byte. The format is serde's map,
/// so caches written in hash order still load.
fn in_key_order<K: Ord + Serialize, V: Serialize, S: serde::Serializer>(
    map: &HashMap<K, V>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    serializer.collect_map(entries)
}

impl Identities {
    /// The person behind an identity that was added to the builder (or shares a key with one).
    pub fn resolve(&self, ident: &RawIdent) -> Option<u32> {
        if let Some(&n) = self.by_ident.get(ident) {
            return Some(self.node_person[n]);
        }
        ident
            .keys()
            .iter()
            .find_map(|k| self.by_key.get(k))
            .map(|&n| self.node_person[n])
    }

    /// The person behind each commit signature, parallel to `sigs` (resolved once per
    /// signature, not once per commit).
    pub fn people_of(&self, sigs: &[crate::sources::git::Sig]) -> Vec<u32> {
        sigs.iter()
            .map(|s| self.resolve(&RawIdent::sig(&s.name, &s.email)).unwrap_or(0))
            .collect()
    }

    /// The person a login names (case-insensitive).
    pub fn by_login(&self, login: &str) -> Option<u32> {
        let l = login.trim().trim_start_matches('@').to_lowercase();
        self.by_key
            .get(&format!("l:{l}"))
            .map(|&n| self.node_person[n])
    }

    /// The person a mention names, as people write them in front matter, CODEOWNERS, `r=`,
    /// aliases and on the command line: an id, `@login` or login, `Name <email>`, an e-mail, or a name. A bare
    /// word is tried as an id, then a login, then a name, so that `alice-ryhl` in front
    /// matter is the person whose id it is, never a new one.
    pub fn resolve_mention(&self, text: &str) -> Option<u32> {
        let t = text.trim();
        if t.contains('<') || (t.contains('@') && !t.starts_with('@')) {
            return self.resolve(&RawIdent::parse(t));
        }
        let word = t.trim_start_matches('@');
        if word.is_empty() {
            return None;
        }
        if !word.contains(char::is_whitespace) {
            if let Some(&p) = self.by_id.get(&word.to_lowercase()) {
                return Some(p);
            }
            if let Some(p) = self.by_login(word) {
                return Some(p);
            }
        }
        self.resolve(&RawIdent::sig(word, ""))
    }

    pub fn person(&self, i: u32) -> &Person {
        &self.people[i as usize]
    }
}
