//! Grouping raw identities into people: a union-find over the identities added, joined on
//! shared keys, config aliases and proven logins, each join kept with its evidence; then
//! [`IdentityBuilder::finish`] picks each person's id, name and logins and marks bots and
//! opt-outs. Deciding who is one person is here; finding a person in the result,
//! [`Identities`], is the parent module's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{noreply_login, normalize_name, Identities, Person, RawIdent, BUILTIN_BOTS};
use crate::config::Config;

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
    pub fn finish(self, config: &Config) -> Identities {
        self.group(config, true)
    }

    /// [`IdentityBuilder::finish`] without the evidence lines: the same people, numbered the
    /// same way, to look people up while the builder is still in use (a fifth of tokio's
    /// ledger build went into evidence nobody read).
    pub fn lookup(self, config: &Config) -> Identities {
        self.group(config, false)
    }

    fn group(mut self, config: &Config, with_evidence: bool) -> Identities {
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
        let joins = std::mem::take(&mut self.joins);
        for (a, b, why) in joins.into_iter().filter(|_| with_evidence) {
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
        // Each with its id lowercased, the key ids are made unique by.
        let mut people: Vec<(String, Person, Vec<usize>)> = Vec::with_capacity(groups.len());
        for (root, members) in groups {
            let mut names: BTreeMap<String, u64> = BTreeMap::new();
            // lowercased login → (uses, spelling → uses)
            let mut logins: BTreeMap<String, (u64, BTreeMap<String, u64>)> = BTreeMap::new();
            let mut emails = BTreeSet::new();
            for &m in &members {
                let ident = &self.idents[m];
                let w = self.weight[m].max(1);
                if let Some(shown) = shown_name(&ident.name) {
                    match names.get_mut(shown.as_ref()) {
                        Some(uses) => *uses += w,
                        None => {
                            names.insert(shown.into_owned(), w);
                        }
                    }
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
            if with_evidence {
                evidence.push(match (&pref, ranked.first()) {
                    (Some(p), _) => format!("id {p}: the alias key in guild.yml"),
                    (None, Some((uses, l))) if ranked.len() > 1 => format!(
                        "id {l}: the most used of {} logins ({uses} uses)",
                        ranked.len()
                    ),
                    (None, Some(_)) => format!("id {id}: the only login known"),
                    (None, None) => format!("id {id}: no login known, so the slug of the name"),
                });
            }
            let lower_names: Vec<String> = names.keys().map(|n| n.to_lowercase()).collect();
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
                id.to_lowercase(),
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
        // collisions with -2, -3... (members tell any two people apart: a total order).
        people.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                // A login is the id's owner; a slug of a name gives way to it.
                .then_with(|| b.1.login.is_some().cmp(&a.1.login.is_some()))
                .then_with(|| a.1.id.cmp(&b.1.id))
                .then_with(|| a.1.name.cmp(&b.1.name))
                .then_with(|| a.2.cmp(&b.2))
        });
        // Equal ids are neighbours now: the n-th of a run gets "-n".
        let mut run = 0u32;
        for i in 0..people.len() {
            run = if i > 0 && people[i].0 == people[i - 1].0 {
                run + 1
            } else {
                1
            };
            if run > 1 {
                let p = &mut people[i].1;
                if with_evidence {
                    p.evidence.push(format!(
                        "id {}-{run}: another person already has the id {}",
                        p.id, p.id
                    ));
                }
                p.id = format!("{}-{}", p.id, run);
            }
        }
        // Suffixed ids must keep the order by id that events rely on.
        people.sort_unstable_by(|a, b| a.1.id.cmp(&b.1.id).then_with(|| a.2.cmp(&b.2)));
        let mut node_person = vec![0u32; n];
        for (i, (_, _, members)) in people.iter().enumerate() {
            for &m in members {
                node_person[m] = i as u32;
            }
        }
        let by_id = people
            .iter()
            .enumerate()
            .map(|(i, (_, p, _))| (p.id.to_lowercase(), i as u32))
            .collect();
        Identities {
            people: people.into_iter().map(|(_, p, _)| p).collect(),
            node_person,
            by_ident: self.by_ident,
            by_key: self.by_key,
            by_id,
        }
    }
}

/// A name as shown: its words, with any address someone typed into it left out (names are
/// shown; addresses never are). Most names are shown as they are, without a copy.
fn shown_name(name: &str) -> Option<std::borrow::Cow<'_, str>> {
    // Words apart by single spaces, no other whitespace and no address: shown as it is.
    let plain = name
        .split(' ')
        .all(|w| !w.is_empty() && !w.contains(char::is_whitespace));
    if plain && !name.contains('@') {
        return Some(std::borrow::Cow::Borrowed(name));
    }
    let shown: Vec<&str> = name
        .split_whitespace()
        .filter(|w| !(w.contains('@') && w.contains('.')))
        .collect();
    (!shown.is_empty()).then(|| std::borrow::Cow::Owned(shown.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::shown_name;

    #[test]
    fn names_are_shown_without_addresses_and_with_single_spaces() {
        for (name, shown) in [
            ("Alice Ryhl", Some("Alice Ryhl")),
            ("  Alice \t Ryhl ", Some("Alice Ryhl")),
            ("Jeff King peff@peff.net", Some("Jeff King")),
            ("@alice", Some("@alice")),
            ("a@b.c", None),
            ("", None),
            (" \n", None),
            ("Zoë\u{00a0}Doe", Some("Zoë Doe")),
        ] {
            assert_eq!(shown_name(name).as_deref(), shown, "{name:?}");
        }
    }
}
