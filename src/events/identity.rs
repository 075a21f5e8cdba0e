//! Who is who. Many raw names, e-mails and logins become one person through `.mailmap`
//! (applied by the caller), aliases in `guild.yml`, GitHub noreply addresses, logins linked
//! by GitHub data or proven by branch owners in merge subjects (`events::logins`), and
//! case/whitespace differences. Logins compare case-insensitively. A person's id is their
//! most used login where one is known (the others stay as aliases), otherwise a stable slug
//! of their canonical name. Every join is recorded with the evidence behind it, for
//! `cargo guild whois`.
//! This module only groups identities; it never reads history itself.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::config::Config;

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

/// Collects raw identities, then groups them into people.
#[derive(Default, Clone)]
pub struct IdentityBuilder {
    parent: Vec<usize>,
    idents: Vec<RawIdent>,
    /// Occurrences, for choosing the canonical name and the main login.
    weight: Vec<u64>,
    by_key: HashMap<String, usize>,
    by_ident: HashMap<RawIdent, usize>,
    /// node → preferred id (alias keys from the config).
    preferred: HashMap<usize, String>,
    /// Joins between groups, with the evidence (node, node, why).
    joins: Vec<(usize, usize, String)>,
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
                Some(&other) => {
                    let why = match key.split_at(2) {
                        ("e:", _) => "the same e-mail address".to_string(),
                        ("l:", l) if ident.login.is_empty() => {
                            format!("GitHub noreply address of login {l}")
                        }
                        ("l:", l) => format!("login {l}"),
                        (_, n) => format!("the same name \"{n}\" (case and spaces ignored)"),
                    };
                    self.join(n, other, why);
                }
                None => {
                    self.by_key.insert(key, n);
                }
            }
        }
        self.by_ident.insert(ident.clone(), n);
        self.idents.push(ident);
        n
    }

    /// Joins the groups of two nodes, recording why.
    pub fn join(&mut self, a: usize, b: usize, why: String) {
        if self.find(a) != self.find(b) {
            self.joins.push((a, b, why));
            self.union(a, b);
        }
    }

    /// Adds the aliases of the config: each key is a person's id (a login, preferably).
    /// An e-mail, login or name listed under two ids is an error (`Config::validate` says
    /// where); here every alias simply joins its id.
    pub fn add_aliases(&mut self, config: &Config) {
        for (id, names) in &config.aliases {
            let root = self.add(RawIdent::login(id), 0);
            self.preferred.insert(root, id.clone());
            for name in names {
                let mut ident = RawIdent::parse(name);
                let why = format!("alias in guild.yml under `{id}`");
                // A bare word in an alias list may be a name or a login: link both.
                if ident.email.is_empty() && ident.login.is_empty() && !ident.name.contains(' ') {
                    let n = self.add(RawIdent::login(&ident.name), 0);
                    self.join(root, n, why.clone());
                }
                if ident.name.is_empty() && ident.email.is_empty() && ident.login.is_empty() {
                    continue;
                }
                ident.name = ident.name.trim().to_string();
                let n = self.add(ident, 0);
                self.join(root, n, why);
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

    /// A short, e-mail-free description of an identity, for evidence lines.
    fn describe(&self, n: usize) -> String {
        let i = &self.idents[n];
        if !i.login.is_empty() {
            format!("login {}", i.login)
        } else if !i.name.is_empty() {
            format!("\"{}\"", i.name)
        } else if let Some(l) = noreply_login(&i.email) {
            format!("noreply address of {l}")
        } else {
            "an e-mail address".to_string()
        }
    }

    /// Joins a login known only as a login (`r=llogiq`, a reviewer in GitHub data) to the
    /// one person whose commits are signed with exactly that name ("llogiq"), when that person
    /// has no login of their own: people who sign with their login are that login.
    pub fn join_logins_to_login_shaped_names(&mut self) {
        let n = self.idents.len();
        let mut has_sig = vec![false; n];
        let mut logins: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];
        for i in 0..n {
            let r = self.find(i);
            let ident = &self.idents[i];
            has_sig[r] |= !ident.email.is_empty();
            if let Some(l) = ident.effective_login() {
                logins[r].insert(l.to_lowercase());
            }
        }
        let mut joins = Vec::new();
        for i in 0..n {
            let ident = &self.idents[i];
            if ident.login.is_empty() || !ident.name.is_empty() || !ident.email.is_empty() {
                continue;
            }
            let login = ident.login.clone();
            let r = self.find(i);
            if has_sig[r] || login.len() < 3 {
                continue;
            }
            let Some(&m) = self.by_key.get(&format!("n:{}", normalize_name(&login))) else {
                continue;
            };
            let rm = self.find(m);
            if rm != r && has_sig[rm] && logins[rm].is_empty() {
                joins.push((
                    m,
                    i,
                    format!(
                        "the name \"{}\" signed on this person's commits is the login {}",
                        self.idents[m].name, login
                    ),
                ));
            }
        }
        for (m, i, why) in joins {
            self.join(m, i, why);
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
        let mut joins_of: HashMap<usize, Vec<String>> = HashMap::new();
        for (a, b, why) in std::mem::take(&mut self.joins) {
            let root = self.find(a);
            let line = format!("{} joined {}: {why}", self.describe(b), self.describe(a));
            joins_of.entry(root).or_default().push(line);
        }
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
            // lowercased login → (uses, spelling → uses)
            let mut logins: BTreeMap<String, (u64, BTreeMap<String, u64>)> = BTreeMap::new();
            let mut emails = BTreeSet::new();
            for &m in &members {
                let ident = &self.idents[m];
                let w = self.weight[m].max(1);
                // Names are shown: an address someone typed into theirs is left out.
                let shown: Vec<&str> = ident
                    .name
                    .split_whitespace()
                    .filter(|w| !(w.contains('@') && w.contains('.')))
                    .collect();
                if !shown.is_empty() {
                    *names.entry(shown.join(" ")).or_default() += w;
                }
                if let Some(l) = ident.effective_login() {
                    let e = logins.entry(l.to_lowercase()).or_default();
                    e.0 += w;
                    *e.1.entry(l).or_default() += w;
                }
                if !ident.email.is_empty() {
                    emails.insert(ident.email.to_lowercase());
                }
            }
            // Each login as most often spelled; the most used login first (ties by name).
            let mut ranked: Vec<(u64, String)> = logins
                .values()
                .map(|(uses, spellings)| {
                    let spelled = spellings
                        .iter()
                        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                        .map(|(s, _)| s.clone())
                        .unwrap_or_default();
                    (*uses, spelled)
                })
                .collect();
            ranked.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase()))
            });
            let mut evidence = joins_of.remove(&root).unwrap_or_default();
            evidence.sort();
            evidence.dedup();
            let pref = preferred.get(&root).cloned();
            let login = pref.clone().or_else(|| ranked.first().map(|r| r.1.clone()));
            let mut all_logins: Vec<String> = ranked.iter().map(|r| r.1.clone()).collect();
            if let Some(p) = &pref {
                all_logins.retain(|l| !l.eq_ignore_ascii_case(p));
                all_logins.insert(0, p.clone());
            }
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
            evidence.push(match (&pref, ranked.first()) {
                (Some(p), _) => format!("id {p}: the alias key in guild.yml"),
                (None, Some((uses, l))) if ranked.len() > 1 => format!(
                    "id {l}: the most used of {} logins ({uses} uses)",
                    ranked.len()
                ),
                (None, Some(_)) => format!("id {id}: the only login known"),
                (None, None) => format!("id {id}: no login known, so the slug of the name"),
            });
            let lower_names: BTreeSet<String> = names.keys().map(|n| n.to_lowercase()).collect();
            let is_bot = lower_names
                .iter()
                .chain(logins.keys())
                .any(|n| n.ends_with("[bot]") || bots.contains(n))
                || emails
                    .iter()
                    .any(|e| e.contains("[bot]@") || bots.contains(e));
            let opted_out = opt_out.iter().any(|o| {
                (!o.email.is_empty() && emails.contains(&o.email.to_lowercase()))
                    || (!o.name.is_empty()
                        && (lower_names.contains(&normalize_name(&o.name))
                            || logins.contains_key(&o.name.to_lowercase())
                            || id.eq_ignore_ascii_case(&o.name)))
                    || (!o.login.is_empty() && logins.contains_key(&o.login.to_lowercase()))
            });
            let mut names: Vec<(String, u64)> = names.into_iter().collect();
            names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            people.push((
                Person {
                    id,
                    name,
                    login,
                    logins: all_logins,
                    is_bot,
                    opted_out,
                    emails,
                    names,
                    evidence,
                },
                members,
            ));
        }
        // Unique ids (case-insensitively): sort by (id, name, first member) and suffix
        // collisions with -2, -3...
        people.sort_by(|a, b| {
            a.0.id
                .to_lowercase()
                .cmp(&b.0.id.to_lowercase())
                // A login is the id's owner; a slug of a name gives way to it.
                .then_with(|| b.0.login.is_some().cmp(&a.0.login.is_some()))
                .then_with(|| a.0.id.cmp(&b.0.id))
                .then_with(|| a.0.name.cmp(&b.0.name))
                .then_with(|| a.1.cmp(&b.1))
        });
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (p, _) in &mut people {
            let c = seen.entry(p.id.to_lowercase()).or_insert(0);
            *c += 1;
            if *c > 1 {
                p.evidence.push(format!(
                    "id {}-{c}: another person already has the id {}",
                    p.id, p.id
                ));
                p.id = format!("{}-{}", p.id, c);
            }
        }
        // Suffixed ids must keep the order by id that events rely on.
        people.sort_by(|a, b| a.0.id.cmp(&b.0.id).then_with(|| a.1.cmp(&b.1)));
        let mut node_person = vec![0u32; n];
        for (i, (_, members)) in people.iter().enumerate() {
            for &m in members {
                node_person[m] = i as u32;
            }
        }
        let by_id = people
            .iter()
            .enumerate()
            .map(|(i, (p, _))| (p.id.to_lowercase(), i as u32))
            .collect();
        Identities {
            people: people.into_iter().map(|(p, _)| p).collect(),
            node_person,
            by_ident: self.by_ident,
            by_key: self.by_key,
            by_id,
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
    /// Lowercased id → person.
    by_id: HashMap<String, u32>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noreply_addresses_give_logins() {
        assert_eq!(
            noreply_login("123+Alice@users.noreply.github.com").as_deref(),
            Some("Alice")
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
        let a = ids.resolve_mention("alice@example.com").unwrap();
        assert_eq!(ids.person(a).id, "alice");
        assert_eq!(ids.person(a).name, "Alice Smith");
        assert_eq!(ids.person(ids.resolve_mention("Bob").unwrap()).id, "bob");
    }

    #[test]
    fn a_trailer_value_names_each_person_once() {
        let many = RawIdent::parse_many("Bob <bob@example.com>, Carol <carol@example.com>");
        assert_eq!(
            many,
            vec![
                RawIdent::sig("Bob", "bob@example.com"),
                RawIdent::sig("Carol", "carol@example.com")
            ]
        );
        let and = RawIdent::parse_many("Bob <bob@example.com> and Carol <carol@example.com>");
        assert_eq!(and.len(), 2);
        assert_eq!(and[1].name, "Carol");
        // A comma inside one person's name is not two people.
        assert_eq!(
            RawIdent::parse_many("Doe, Jane <jane@example.com>"),
            vec![RawIdent::sig("Doe, Jane", "jane@example.com")]
        );
    }

    #[test]
    fn the_most_used_login_is_the_id_and_logins_ignore_case() {
        let mut b = IdentityBuilder::new();
        let sig = b.add(RawIdent::sig("Rustin", "r@example.com"), 10);
        let old = b.add(RawIdent::login("hi-rustin"), 6);
        let new = b.add(RawIdent::login("Rustin170506"), 4);
        b.join(sig, old, "test".into());
        b.join(sig, new, "test".into());
        b.add(RawIdent::login("HI-RUSTIN"), 1);
        let ids = b.finish(&Config::default());
        assert_eq!(ids.people.len(), 1);
        let p = &ids.people[0];
        assert_eq!(p.id, "hi-rustin");
        assert_eq!(p.logins, vec!["hi-rustin", "Rustin170506"]);
        assert_eq!(ids.by_login("rustin170506"), Some(0));
        assert_eq!(ids.resolve_mention("@Hi-Rustin"), Some(0));
    }

    #[test]
    fn names_differing_only_by_latin_accents_are_one_key_and_other_scripts_stay() {
        assert_eq!(
            normalize_name("Carlo Marcelo Arenas  Belón"),
            normalize_name("carlo marcelo arenas belon")
        );
        assert_eq!(
            normalize_name("Jelmer Vernooĳ"),
            normalize_name("Jelmer Vernooij")
        );
        assert_ne!(normalize_name("许杰友"), normalize_name("Xu Jie You"));
        assert_eq!(
            normalize_name("W. Trevor King"),
            normalize_name("W Trevor King")
        );
    }

    #[test]
    fn an_address_without_brackets_never_stays_in_a_name() {
        assert_eq!(
            RawIdent::parse("Jeff King peff@peff.net"),
            RawIdent::sig("Jeff King", "peff@peff.net")
        );
        assert_eq!(
            RawIdent::parse("Jeff King (peff@peff.net)"),
            RawIdent::sig("Jeff King", "peff@peff.net")
        );
    }
}
