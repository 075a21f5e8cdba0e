//! `cargo guild whois PERSON`: every name and login joined into a person, the evidence that
//! joined each, and the rule that made the id; `--suspects`: people who are likely one but
//! were left apart, ready to paste as `aliases`. E-mail addresses are counted, never shown.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;

use serde::Serialize;

use crate::cli::{GlobalOpts, TableFormat, WhoisArgs};
use crate::config::yaml;
use crate::events::Ledger;
use crate::exit::Outcome;
use crate::render::table::Table;
use crate::snapshot::Display;

#[derive(Serialize)]
struct Whois {
    id: String,
    name: String,
    logins: Vec<String>,
    names: Vec<NameUse>,
    /// How many e-mail addresses (never the addresses themselves).
    emails: usize,
    is_bot: bool,
    evidence: Vec<String>,
}

#[derive(Serialize)]
struct NameUse {
    name: String,
    uses: u64,
}

/// Two people who are likely one.
#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Suspect {
    /// The id to keep (the one with a login, or the more active).
    pub keep: String,
    /// The other person's id.
    pub other: String,
    /// What to list under `keep` in `aliases` (a login or a name, never an e-mail).
    pub alias: String,
    pub why: String,
}

pub fn execute(global: &GlobalOpts, args: WhoisArgs) -> anyhow::Result<Outcome> {
    let session = super::Session::open(global)?;
    let ledger = session.ledger()?;
    let display = Display::new(&ledger);
    let mut out = super::stdout();
    if args.suspects {
        let list = suspects(&ledger);
        match args.format {
            TableFormat::Json => super::print_json(&list)?,
            TableFormat::Table | TableFormat::Csv => {
                let mut t = Table::new(["keep", "other", "alias", "why"]);
                for s in &list {
                    t.row(vec![
                        s.keep.clone(),
                        s.other.clone(),
                        s.alias.clone(),
                        s.why.clone(),
                    ]);
                }
                t.write(args.format, &mut out)?;
                if args.format == TableFormat::Table && !list.is_empty() {
                    writeln!(out, "\nto join them, add to guild.yml:\naliases:")?;
                    let mut by_keep: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
                    for s in &list {
                        by_keep.entry(&s.keep).or_default().insert(&s.alias);
                    }
                    for (keep, aliases) in by_keep {
                        let list: Vec<String> = aliases.iter().map(|a| yaml::scalar(a)).collect();
                        writeln!(out, "  {}: [{}]", yaml::scalar(keep), list.join(", "))?;
                    }
                }
            }
        }
        out.flush()?;
        return Ok(Outcome::Ok);
    }
    let Some(query) = args.person.as_deref() else {
        anyhow::bail!(
            "say who: `cargo guild whois PERSON` (an id, login, name or e-mail), or `cargo guild whois --suspects`"
        );
    };
    let i = display.find(&ledger, query)?;
    let p = ledger.identities.person(i);
    let w = Whois {
        id: p.id.clone(),
        name: p.name.clone(),
        logins: p.logins.clone(),
        names: p
            .names
            .iter()
            .map(|(name, uses)| NameUse {
                name: name.clone(),
                uses: *uses,
            })
            .collect(),
        emails: p.emails.len(),
        is_bot: p.is_bot,
        evidence: p.evidence.clone(),
    };
    match args.format {
        TableFormat::Json => super::print_json(&w)?,
        TableFormat::Table | TableFormat::Csv => {
            let mut t = Table::new(["what", "value", "evidence"]);
            t.row(vec!["id".into(), w.id.clone(), String::new()]);
            for n in &w.names {
                t.row(vec![
                    "name".into(),
                    n.name.clone(),
                    format!("{} use(s)", n.uses),
                ]);
            }
            for l in &w.logins {
                t.row(vec!["login".into(), l.clone(), String::new()]);
            }
            t.row(vec![
                "e-mails".into(),
                w.emails.to_string(),
                "addresses are never shown".into(),
            ]);
            if w.is_bot {
                t.row(vec!["bot".into(), "yes".into(), String::new()]);
            }
            for e in &w.evidence {
                t.row(vec!["joined".into(), String::new(), e.clone()]);
            }
            t.write(args.format, &mut out)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Ok)
}

/// Letters and digits only, lowercase, transliterated: "Ævar Arnfjörð" → "aevararnfjord"
/// (the words of the name's slug, run together).
fn compact(s: &str) -> String {
    crate::util::slug(s, "").replace('-', "")
}

/// The words of a name's slug, sorted ("Huss Eric" = "Eric Huss").
fn words(s: &str) -> String {
    let slug = crate::util::slug(s, "");
    let mut w: Vec<&str> = slug.split('-').filter(|w| !w.is_empty()).collect();
    w.sort_unstable();
    w.join(" ")
}

/// E-mail user names too common to say anything about who someone is.
const GENERIC_USERS: &[&str] = &[
    "me",
    "mail",
    "email",
    "info",
    "git",
    "github",
    "dev",
    "code",
    "contact",
    "hello",
    "hi",
    "admin",
    "root",
    "user",
    "noreply",
    "no-reply",
    "work",
    "personal",
    "public",
    "oss",
    "opensource",
    "support",
    "team",
    "test",
];

/// Likely duplicates left apart: the same name written differently (accents, order,
/// punctuation), a login-shaped name equal to someone's login or id, the same user name in
/// e-mail addresses at different hosts, and ids that differ only by a `-2` suffix.
pub fn suspects(ledger: &Ledger) -> Vec<Suspect> {
    let people = ledger.people();
    // Keys → people; a key shared by two or more people makes them suspects.
    let mut keys: BTreeMap<(u8, String), BTreeSet<u32>> = BTreeMap::new();
    for (i, p) in people.iter().enumerate() {
        if p.is_bot || p.opted_out {
            continue;
        }
        let i = i as u32;
        let mut add = |kind: u8, k: String| {
            if k.len() >= 4 {
                keys.entry((kind, k)).or_default().insert(i);
            }
        };
        for (name, _) in &p.names {
            add(0, compact(name));
            add(1, words(name));
        }
        for l in &p.logins {
            add(0, compact(l));
        }
        add(0, compact(&p.id));
        if let Some((base, n)) = p.id.rsplit_once('-') {
            if n.parse::<u32>().is_ok() {
                add(0, compact(base));
            }
        }
        for e in &p.emails {
            if let Some((user, host)) = e.split_once('@') {
                // A bare first name ("david", "michael") is shared by strangers: only user
                // names with a separator or a digit, or long ones, say who someone is.
                let distinctive = user.len() >= 10
                    || (user.len() >= 6
                        && user.contains(|c: char| ".-_".contains(c) || c.is_ascii_digit()));
                if !host.ends_with("users.noreply.github.com")
                    && !GENERIC_USERS.contains(&user)
                    && distinctive
                {
                    add(2, compact(user));
                }
            }
        }
    }
    let weight = |i: u32| -> (bool, u64) {
        let p = &people[i as usize];
        (p.login.is_some(), p.names.iter().map(|n| n.1).sum())
    };
    let mut pairs: BTreeMap<(u32, u32), &'static str> = BTreeMap::new();
    for ((kind, _), who) in &keys {
        if who.len() < 2 || who.len() > 5 {
            continue; // a key shared by many people is a common name, not a duplicate
        }
        let who: Vec<u32> = who.iter().copied().collect();
        for (x, &a) in who.iter().enumerate() {
            for &b in &who[x + 1..] {
                let why = match kind {
                    0 => "the same name or login, written differently",
                    1 => "the same words in their names, in another order",
                    _ => "the same user name in their e-mail addresses",
                };
                pairs.entry((a, b)).or_insert(why);
            }
        }
    }
    let mut out: Vec<Suspect> = pairs
        .into_iter()
        .map(|((a, b), why)| {
            let (keep, other) = if weight(a) >= weight(b) {
                (a, b)
            } else {
                (b, a)
            };
            let o = &people[other as usize];
            Suspect {
                keep: people[keep as usize].id.clone(),
                other: o.id.clone(),
                alias: o.login.clone().unwrap_or_else(|| o.name.clone()),
                why: why.to_string(),
            }
        })
        .collect();
    out.sort();
    out
}
