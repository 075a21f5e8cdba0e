//! Who is who. Many raw names, e-mails and logins become one person through `.mailmap`
//! (applied by the caller), aliases in `guild.yml`, GitHub noreply addresses, logins linked
//! by GitHub data, and case/whitespace differences. A person's id is their GitHub login
//! where known, otherwise a stable slug of their canonical name.
//! This module only groups identities; it never reads history itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::config::Config;

/// Logins and names that are always bots, in addition to anything ending in `[bot]`.
const BUILTIN_BOTS: &[&str] = &[
    "dependabot",
    "renovate",
    "renovate-bot",
    "github-actions",
    "bors",
    "homu",
    "bors-servo",
    "mergify",
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
        RawIdent::sig(t, "")
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

/// `123+login@users.noreply.github.com` or `login@users.noreply.github.com` → `login`.
pub fn noreply_login(email: &str) -> Option<String> {
    let local = email
        .trim()
        .to_lowercase()
        .strip_suffix("@users.noreply.github.com")?
        .to_string();
    let login = local
        .split_once('+')
        .map(|(_, l)| l.to_string())
        .unwrap_or(local);
    (!login.is_empty()).then_some(login)
}

fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One resolved person. Never printed as is (it holds e-mails): renderers use the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub login: Option<String>,
    pub is_bot: bool,
    pub opted_out: bool,
    /// Lowercased e-mails: used to answer queries, never printed.
    pub emails: BTreeSet<String>,
}

/// Collects raw identities, then groups them into people.
#[derive(Default, Clone)]
pub struct IdentityBuilder {
    parent: Vec<usize>,
    idents: Vec<RawIdent>,
    /// Occurrences, for choosing the canonical name.
    weight: Vec<u64>,
    by_key: HashMap<String, usize>,
    by_ident: HashMap<RawIdent, usize>,
    /// node → preferred id (alias keys from the config).
    preferred: HashMap<usize, String>,
}

impl IdentityBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an identity seen `weight` times; returns its node.
    pub fn add(&mut self, ident: RawIdent, weight: u64) -> usize {
        if let Some(&n) = self.by_ident.get(&ident) {
            self.weight[n] += weight;
            return n;
        }
        let n = self.idents.len();
        self.parent.push(n);
        self.weight.push(weight);
        for key in ident.keys() {
            match self.by_key.get(&key) {
                Some(&other) => self.union(n, other),
                None => {
                    self.by_key.insert(key, n);
                }
            }
        }
        self.by_ident.insert(ident.clone(), n);
        self.idents.push(ident);
        n
    }

    /// Adds the aliases of the config: each key is a person's id (a login, preferably).
    pub fn add_aliases(&mut self, config: &Config) {
        for (id, names) in &config.aliases {
            let root = self.add(RawIdent::login(id), 0);
            self.preferred.insert(root, id.clone());
            for name in names {
                let mut ident = RawIdent::parse(name);
                // A bare word in an alias list may be a name or a login: link both.
                if ident.email.is_empty() && ident.login.is_empty() && !ident.name.contains(' ') {
                    let n = self.add(RawIdent::login(&ident.name), 0);
                    self.union(root, n);
                }
                if ident.name.is_empty() && ident.email.is_empty() && ident.login.is_empty() {
                    continue;
                }
                ident.name = ident.name.trim().to_string();
                let n = self.add(ident, 0);
                self.union(root, n);
            }
        }
    }

    fn find(&mut self, mut n: usize) -> usize {
        while self.parent[n] != n {
            self.parent[n] = self.parent[self.parent[n]];
            n = self.parent[n];
        }
        n
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Keep the smaller root: deterministic for a given insertion order.
            let (keep, drop) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[drop] = keep;
        }
    }

    /// Groups everything added into people.
    pub fn finish(mut self, config: &Config) -> Identities {
        let n = self.idents.len();
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in 0..n {
            let r = self.find(i);
            groups.entry(r).or_default().push(i);
        }
        let preferred: HashMap<usize, String> = self
            .preferred
            .clone()
            .into_iter()
            .map(|(node, id)| (self.find(node), id))
            .collect();
        let bots: BTreeSet<String> = config
            .bots
            .iter()
            .map(|b| b.trim().to_lowercase())
            .chain(BUILTIN_BOTS.iter().map(|b| b.to_string()))
            .collect();
        let opt_out: Vec<RawIdent> = config.opt_out.iter().map(|o| RawIdent::parse(o)).collect();

        // Build people with a provisional id; then make ids unique in a stable order.
        let mut people: Vec<(Person, Vec<usize>)> = Vec::new();
        for (root, members) in groups {
            let mut names: BTreeMap<String, u64> = BTreeMap::new();
            let mut logins: BTreeSet<String> = BTreeSet::new();
            let mut emails = BTreeSet::new();
            for &m in &members {
                let ident = &self.idents[m];
                if !ident.name.is_empty() {
                    *names
                        .entry(ident.name.split_whitespace().collect::<Vec<_>>().join(" "))
                        .or_default() += self.weight[m].max(1);
                }
                if let Some(l) = ident.effective_login() {
                    logins.insert(l);
                }
                if !ident.email.is_empty() {
                    emails.insert(ident.email.to_lowercase());
                }
            }
            let login = preferred
                .get(&root)
                .cloned()
                .or_else(|| logins.iter().next().cloned());
            // The most used spelling of the name; ties broken alphabetically.
            let name = names
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(n, _)| n.clone())
                .or_else(|| login.clone())
                .or_else(|| {
                    emails
                        .iter()
                        .next()
                        .map(|e| e.split('@').next().unwrap_or("someone").to_string())
                })
                .unwrap_or_else(|| "someone".into());
            let id = login
                .clone()
                .unwrap_or_else(|| crate::util::slug(&name, "someone"));
            let lower_names: BTreeSet<String> = names.keys().map(|n| n.to_lowercase()).collect();
            let lower_logins: BTreeSet<String> = logins.iter().map(|l| l.to_lowercase()).collect();
            let is_bot = lower_names
                .iter()
                .chain(&lower_logins)
                .any(|n| n.ends_with("[bot]") || bots.contains(n))
                || emails
                    .iter()
                    .any(|e| e.contains("[bot]@") || bots.contains(e));
            let opted_out = opt_out.iter().any(|o| {
                (!o.email.is_empty() && emails.contains(&o.email.to_lowercase()))
                    || (!o.name.is_empty()
                        && (lower_names.contains(&normalize_name(&o.name))
                            || lower_logins.contains(&o.name.to_lowercase())
                            || id.eq_ignore_ascii_case(&o.name)))
                    || (!o.login.is_empty() && lower_logins.contains(&o.login.to_lowercase()))
            });
            people.push((
                Person {
                    id,
                    name,
                    login,
                    is_bot,
                    opted_out,
                    emails,
                },
                members,
            ));
        }
        // Unique ids: sort by (id, name, first member) and suffix collisions with -2, -3...
        people.sort_by(|a, b| {
            a.0.id
                .cmp(&b.0.id)
                .then_with(|| a.0.name.cmp(&b.0.name))
                .then_with(|| a.1.cmp(&b.1))
        });
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (p, _) in &mut people {
            let c = seen.entry(p.id.clone()).or_insert(0);
            *c += 1;
            if *c > 1 {
                p.id = format!("{}-{}", p.id, c);
            }
        }
        let mut node_person = vec![0u32; n];
        for (i, (_, members)) in people.iter().enumerate() {
            for &m in members {
                node_person[m] = i as u32;
            }
        }
        let by_ident = self.by_ident;
        let by_key = self.by_key;
        Identities {
            people: people.into_iter().map(|(p, _)| p).collect(),
            node_person,
            by_ident,
            by_key,
        }
    }
}

/// The resolved people and how to find them.
#[derive(Serialize, Deserialize)]
pub struct Identities {
    /// Sorted by id.
    pub people: Vec<Person>,
    node_person: Vec<u32>,
    by_ident: HashMap<RawIdent, usize>,
    by_key: HashMap<String, usize>,
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

    /// Finds a person from what a user typed: id, login, name or e-mail (case-insensitive).
    pub fn lookup(&self, query: &str) -> Option<u32> {
        let q = query.trim();
        if let Some(i) = self
            .people
            .iter()
            .position(|p| p.id.eq_ignore_ascii_case(q))
        {
            return Some(i as u32);
        }
        self.resolve(&RawIdent::parse(q))
            .or_else(|| self.resolve(&RawIdent::login(q)))
    }

    pub fn person(&self, i: u32) -> &Person {
        &self.people[i as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noreply_addresses_give_logins() {
        assert_eq!(
            noreply_login("123+Alice@users.noreply.github.com").as_deref(),
            Some("alice")
        );
        assert_eq!(
            noreply_login("bob@users.noreply.github.com").as_deref(),
            Some("bob")
        );
        assert_eq!(noreply_login("bob@example.com"), None);
    }

    #[test]
    fn case_whitespace_email_and_noreply_merge_into_one_person() {
        let config = Config::default();
        let mut b = IdentityBuilder::new();
        b.add(RawIdent::sig("Alice  Smith", "alice@example.com"), 3);
        b.add(RawIdent::sig("alice smith", "ALICE@example.com"), 1);
        b.add(
            RawIdent::sig("Alice Smith", "123+alice@users.noreply.github.com"),
            1,
        );
        b.add(RawIdent::sig("Bob", "bob@example.com"), 1);
        let ids = b.finish(&config);
        assert_eq!(ids.people.len(), 2);
        let a = ids.lookup("alice@example.com").unwrap();
        assert_eq!(ids.person(a).id, "alice");
        assert_eq!(ids.person(a).name, "Alice Smith");
        assert_eq!(ids.person(ids.lookup("Bob").unwrap()).id, "bob");
    }
}
