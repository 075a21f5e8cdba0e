//! Who is in the history: every identity the inputs mention (signatures, aliases, GitHub
//! data, logins proven by branch owners, trailers, `r=`, doc front matter), collected in the
//! order that makes evidence strongest first, and grouped by `identity`. Also the accounts
//! that are bots by their behaviour. Pure: no I/O.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::build::Inputs;
use super::identity::{Identities, IdentityBuilder, RawIdent};
use super::structure::Structure;
use crate::sources::git::History;

/// Accounts named like bots (`…bot`, `…-bot`) whose commits are all automated changes
/// (dependency bumps, generated updates) are bots, even when `guild.yml` does not say so.
pub fn mark_automated_accounts(ids: &mut Identities, history: &History, sig_person: &[u32]) {
    const AUTOMATED: &[&str] = &[
        "bump ",
        "update ",
        "updated ",
        "chore(deps",
        "build(deps",
        "fix(deps",
        "chore: update",
        "chore: bump",
        "[automated]",
        "automated ",
        "auto-update",
        "sync ",
        "lock file maintenance",
        "pin ",
        "[bot]",
    ];
    let botlike: Vec<bool> = ids
        .people
        .iter()
        .map(|p| {
            !p.is_bot
                && p.logins
                    .iter()
                    .chain(std::iter::once(&p.id))
                    .any(|l| l.to_lowercase().ends_with("bot"))
        })
        .collect();
    if !botlike.contains(&true) {
        return;
    }
    // A summary's leading tags (`[ty] Sync ...`) say where, not what.
    let automated = |summary: &str| {
        let mut s = summary.trim_start();
        while let Some(rest) = s.strip_prefix('[').and_then(|r| r.split_once(']')) {
            s = rest.1.trim_start();
        }
        let s = s.to_lowercase();
        AUTOMATED.iter().any(|a| s.starts_with(a))
    };
    let co_author = crate::sources::trailers::key_index("Co-authored-by").map(|k| k as u8);
    let mut tally: HashMap<u32, (u32, u32)> = HashMap::new();
    for c in &history.commits {
        let author = sig_person[c.author as usize];
        if c.parents.len() > 1 {
            continue;
        }
        if botlike[author as usize] {
            let e = tally.entry(author).or_default();
            e.0 += 1;
            e.1 += u32::from(automated(&c.summary));
        }
        // Named like a bot and only ever a co-author of automated changes (typeshed's sync
        // bot on ruff: `Co-authored-by: typeshedbot <>` on github-actions' commits).
        for (key, value) in &c.trailers {
            if Some(*key) != co_author {
                continue;
            }
            let Some(p) = ids.resolve_mention(value).filter(|&p| botlike[p as usize]) else {
                continue;
            };
            if p == author {
                continue;
            }
            let e = tally.entry(p).or_default();
            e.0 += 1;
            e.1 += u32::from(automated(&c.summary) || ids.people[author as usize].is_bot);
        }
    }
    for (p, (all, automated)) in tally {
        if automated * 10 >= all * 9 {
            let person = &mut ids.people[p as usize];
            person.is_bot = true;
            person.evidence.push(format!(
                "a bot: named like one, and {automated} of the {all} commits it wrote or co-authored are automated changes"
            ));
        }
    }
}

/// The identities known before the merge structure is: commit authors (with how often each
/// wrote), the aliases of the config and GitHub data. [`identities`] goes on from here; the
/// two are apart so that the merge structure can be read on the other core meanwhile.
pub struct Seed {
    builder: IdentityBuilder,
    uses: Vec<u64>,
}

/// [`Seed`] for `inputs`.
pub fn seed(inputs: &Inputs) -> Seed {
    let Inputs {
        history,
        mailmapped,
        github,
        config,
        ..
    } = inputs;
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
    for gh in *github {
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
            b.add(RawIdent::login(login), 1);
        }
    }
    Seed { builder: b, uses }
}

/// Collects every identity the inputs mention and groups them: signatures, aliases and
/// GitHub data first (the [`Seed`]); then the logins that branch owners prove; then the
/// people that trailers, `r=` and docs name (a bare word that already names someone is not a
/// new person).
pub fn identities(inputs: &Inputs, seed: Seed, structure: &Structure) -> Identities {
    let Inputs {
        history,
        mailmapped,
        docs,
        config,
        repo_owner,
        ..
    } = inputs;
    let Seed {
        builder: mut b,
        uses,
    } = seed;

    let commits = &history.commits;
    // Grouping is paid for only where there is something to weigh: merges with a branch owner.
    let owners = structure
        .prs
        .iter()
        .any(|(_, gp)| gp.marker.branch_owner.is_some());
    let proven = if owners {
        let known = b.clone().lookup(config);
        let alias_ids = config
            .aliases
            .keys()
            .map(|k| k.trim().trim_start_matches('@').to_lowercase())
            .collect();
        super::logins::prove(
            structure,
            commits,
            mailmapped,
            &known,
            *repo_owner,
            &alias_ids,
        )
    } else {
        Vec::new()
    };
    for proven in proven {
        let login = b.add(RawIdent::login(&proven.login), proven.uses);
        let person = b.add(proven.sig, 0);
        b.join(person, login, proven.why);
    }

    let mut extra: BTreeMap<RawIdent, u64> = BTreeMap::new();
    for gp in structure.prs.iter().map(|(_, gp)| gp) {
        for r in &gp.marker.reviewers {
            *extra.entry(RawIdent::login(r)).or_default() += 1;
        }
    }
    let mut values: HashSet<&str> = HashSet::new();
    for c in commits {
        for (_, v) in &c.trailers {
            if values.insert(v.as_str()) {
                for ident in RawIdent::parse_many(v) {
                    extra.entry(ident).or_default();
                }
            }
        }
        // Committers appear as mergers of squash merges.
        let s = &mailmapped[c.committer as usize];
        if uses[c.committer as usize] == 0 && !s.email.eq_ignore_ascii_case("noreply@github.com") {
            extra.entry(RawIdent::sig(&s.name, &s.email)).or_default();
        }
    }
    for (ident, n) in extra {
        b.add(ident, n);
    }

    b.join_logins_to_login_shaped_names();
    if docs.is_empty() {
        return b.finish(config);
    }
    let known = b.clone().lookup(config);
    for d in docs {
        for who in d
            .front
            .authors
            .iter()
            .chain(&d.front.facilitator)
            .chain(&d.front.participants)
        {
            if known.resolve_mention(who).is_none() {
                let t = who.trim();
                let ident = if t.starts_with('@') {
                    RawIdent::login(t)
                } else {
                    RawIdent::parse(t)
                };
                b.add(ident, 0);
            }
        }
    }
    b.finish(config)
}
