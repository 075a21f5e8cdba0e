//! Page assembly: which pages exist, their paths, and the data each template receives.
//! Every URL is made here (from slugs, under the base URL) so templates never build one,
//! and the link checker can hold the whole site to it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{json, Value};

use super::markdown::{self, DocLinks};
use super::svg::{self, Series};
use crate::events::Target;
use crate::snapshot::Community;
use crate::snapshot::{DocSummary, PersonSummary};
use crate::util::slug;
use windows::window_switch;

mod docs;
mod domains;
mod home;
mod lists;
mod network;
mod newcomers;
mod outcomes;
mod people;
mod rhythm;
mod search;
mod windows;

pub use lists::Deferred;

/// One page to render.
pub struct Page {
    /// Relative to the output folder (`people/alice.html`).
    pub path: String,
    pub template: &'static str,
    pub title: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
    /// The page's `<meta name="description">`: one sentence about this page.
    pub description: String,
    pub data: Value,
}

/// Shared lookups: who and what has a page, and where.
struct Ctx<'a> {
    base: &'a str,
    /// Display id → (name, URL).
    people: HashMap<&'a str, (&'a str, String)>,
    /// Doc path → URL.
    doc_urls: BTreeMap<String, String>,
    /// Domain name → its page, relative to the output folder (see [`domain_pages`]).
    domain_pages: HashMap<&'a str, String>,
    has_domains: bool,
    /// `https://github.com/OWNER/NAME/` when the repository is known to be on GitHub.
    github: Option<String>,
}

impl Ctx<'_> {
    fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.base)
    }

    /// A page of the repository on GitHub (`pull/12`, `commit/<sha>`), when it is known.
    fn github(&self, rel: &str) -> Option<String> {
        self.github.as_ref().map(|g| format!("{g}{rel}"))
    }

    /// `{id, name, url}` for a display id (no URL when the person has no page).
    fn person_ref(&self, id: &str) -> Value {
        match self.people.get(id) {
            Some((name, url)) => json!({"id": id, "name": name, "url": url}),
            None => json!({"id": id, "name": id}),
        }
    }

    /// `{name, url}` for a domain: every link to a domain page goes through here.
    fn domain_ref(&self, name: &str) -> Value {
        json!({
            "name": name,
            "url": self.domain_pages.get(name).map(|rel| self.url(rel)),
        })
    }

    fn doc_ref(&self, d: &DocSummary) -> Value {
        json!({
            "title": title_of(d),
            "url": self.doc_urls.get(&d.path),
            "kind": d.kind,
            "date": d.date,
            "domain": d.domain,
        })
    }
}

fn title_of(d: &DocSummary) -> &str {
    if d.title.trim().is_empty() {
        &d.path
    } else {
        &d.title
    }
}

/// The site-wide context every page's layout gets.
pub fn site_context(input: &Community, base: &str) -> Value {
    let c = input;
    json!({
        "name": c.site.title,
        "base": base,
        "absolute": base.starts_with("http://") || base.starts_with("https://"),
        "feed": (base.starts_with("http://") || base.starts_with("https://")) && !c.docs.is_empty(),
        "as_of": c.as_of.get(..10).unwrap_or(&c.as_of),
        "head": c.head.get(..10).unwrap_or(&c.head),
        "has_domains": !c.domains.is_empty(),
        "has_trends": !c.trends.windows.is_empty(),
        "has_rhythm": !c.schedule.slots.is_empty()
            || !c.endorsements.is_empty()
            || !c.network.reverse_mentorship.is_empty(),
    })
}

/// The navigation with the current entry marked.
pub fn nav(site: &Value, current: &str) -> Value {
    let base = site["base"].as_str().unwrap_or("/");
    let mut entries = vec![
        ("home", "Home", String::new()),
        ("people", "People", "people/".into()),
        ("docs", "Knowledge base", "docs/".into()),
        ("network", "Network", "network.html".into()),
    ];
    if site["has_domains"].as_bool() == Some(true) {
        entries.push(("domains", "Domains", "domains/".into()));
    }
    entries.push(("newcomers", "Newcomers", "newcomers.html".into()));
    if site["has_trends"].as_bool() == Some(true) {
        entries.push(("outcomes", "Outcomes", "outcomes.html".into()));
    }
    if site["has_rhythm"].as_bool() == Some(true) {
        entries.push(("rhythm", "Rhythm", "rhythm.html".into()));
    }
    entries.push(("search", "Search", "search.html".into()));
    Value::Array(
        entries
            .into_iter()
            .map(|(key, label, rel)| {
                json!({"label": label, "url": format!("{base}{rel}"), "current": key == current})
            })
            .collect(),
    )
}

/// Unique slugs, in the order given: a second `x` becomes `x-2`, a third `x-3`, skipping any
/// suffix another item already holds (`x`, `x`, `x-2` give `x`, `x-2`, `x-2-2`) and the
/// `reserved` names of the folder's own pages (`index`).
fn unique_slugs<'a>(
    items: impl Iterator<Item = &'a str>,
    fallback: &str,
    reserved: &[&str],
) -> Vec<String> {
    let mut taken: HashSet<String> = reserved.iter().map(|r| r.to_string()).collect();
    items
        .map(|s| {
            let base = slug(s, fallback);
            let mut candidate = base.clone();
            let mut n = 1;
            while taken.contains(&candidate) {
                n += 1;
                candidate = format!("{base}-{n}");
            }
            taken.insert(candidate.clone());
            candidate
        })
        .collect()
}

/// Each domain's page (`domains/<slug>.html`) by name. Names whose slugs collide (`C++` and
/// `C`) get `-2`, `-3`... in sorted-name order, so a domain's URL depends only on the set of
/// names, not on the order the snapshot lists them in. Domain names are unique (they are
/// keys in `guild.yml` or CODEOWNERS patterns, deduplicated by the analysis).
fn domain_pages(domains: &[crate::snapshot::domains::DomainSummary]) -> HashMap<&str, String> {
    let mut names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    names.sort_unstable();
    let slugs = unique_slugs(names.iter().copied(), "domain", &["index"]);
    names
        .into_iter()
        .zip(slugs)
        .map(|(n, s)| (n, format!("domains/{s}.html")))
        .collect()
}

/// What assembly produces: the pages, the search index and notes for the summary.
pub struct Assembled {
    pub pages: Vec<Page>,
    /// Pages whose rows are made as they are rendered ([`Deferred`]).
    pub deferred: Vec<Deferred>,
    /// The search index and its body shards, by path (see [`search::files`]).
    pub search: Vec<(String, Vec<u8>)>,
    /// `people/directory.json`: the directory's rows for the script.
    pub directory: Vec<u8>,
    /// `feed.xml`, an Atom feed of new docs (with an absolute base URL only).
    pub feed: Option<Vec<u8>>,
    /// `rituals.ics`, the rituals' schedule as a calendar (when there are rituals).
    pub calendar: Option<Vec<u8>>,
    pub notes: Vec<String>,
}

/// All pages, the search index, and notes for the build summary.
pub fn assemble(input: &Community, base: &str) -> Assembled {
    let c = input;
    let reserved = people::reserved_names(c.people.len());
    let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
    let person_slugs = unique_slugs(c.people.iter().map(|p| p.id.as_str()), "person", &reserved);
    let doc_names: Vec<String> = c
        .docs
        .iter()
        .map(|d| {
            let p = d.path.strip_suffix(".md").unwrap_or(&d.path);
            p.strip_prefix(input.docs_dir.as_str())
                .map(|r| r.trim_start_matches('/'))
                .unwrap_or(p)
                .to_string()
        })
        .collect();
    let doc_slugs = unique_slugs(doc_names.iter().map(String::as_str), "doc", &["index"]);
    let ctx = Ctx {
        base,
        people: c
            .people
            .iter()
            .zip(&person_slugs)
            .map(|(p, s)| {
                (
                    p.id.as_str(),
                    (p.name.as_str(), format!("{base}people/{s}.html")),
                )
            })
            .collect(),
        doc_urls: c
            .docs
            .iter()
            .zip(&doc_slugs)
            .map(|(d, s)| (d.path.clone(), format!("{base}docs/{s}.html")))
            .collect(),
        domain_pages: domain_pages(&c.domains),
        has_domains: !c.domains.is_empty(),
        github: c
            .site
            .github
            .as_ref()
            .map(|g| format!("https://github.com/{g}/")),
    };
    let mut pages = Vec::new();
    let mut notes = Vec::new();
    let reviews = review_ties(input);
    let refs = tie_refs(&ctx, &reviews);
    let mut deferred = Vec::new();
    home::home(input, &ctx, &mut pages);
    let directory = people::people_directory(input, &ctx, &mut pages);
    // Each person's docs with their role, in doc order.
    let mut roles: HashMap<&str, Vec<(usize, &'static str)>> = HashMap::new();
    for (i, d) in c.docs.iter().enumerate() {
        let mut seen = BTreeSet::new();
        let all = d
            .authors
            .iter()
            .map(|a| (a, "author"))
            .chain(d.facilitator.iter().map(|f| (f, "facilitator")))
            .chain(d.participants.iter().map(|a| (a, "participant")));
        for (who, role) in all {
            if seen.insert(who.as_str()) {
                roles.entry(who.as_str()).or_default().push((i, role));
            }
        }
    }
    for (i, p) in c.people.iter().enumerate() {
        people::person(
            input,
            &ctx,
            p,
            &person_slugs[i],
            &reviews,
            &roles,
            &refs,
            &mut pages,
            &mut deferred,
        );
    }
    docs::docs(input, &ctx, &doc_slugs, &mut pages, &mut notes);
    network::network(input, &ctx, &reviews, &mut pages);
    domains::domains(input, &ctx, &mut pages);
    newcomers::newcomers(input, &ctx, &mut pages);
    outcomes::outcomes(input, &ctx, &mut pages);
    let calendar = rhythm::rhythm(input, &ctx, &mut pages);
    pages.push(Page {
        path: "search.html".into(),
        template: "search.html",
        title: "Search".into(),
        description: format!("Search the people, domains and docs of {}.", c.site.title),
        nav: "search",
        data: json!({"base": base, "people_url": ctx.url("people/"), "docs_url": ctx.url("docs/")}),
    });
    pages.push(Page {
        path: "404.html".into(),
        template: "404.html",
        title: "Page not found".into(),
        description: format!("This page is not part of the {} community site.", c.site.title),
        nav: "",
        data: json!({"people_url": ctx.url("people/"), "docs_url": ctx.url("docs/"), "search_url": ctx.url("search.html")}),
    });
    Assembled {
        pages,
        deferred,
        search: search::files(input, &ctx),
        feed: docs::feed(input, &ctx),
        calendar,
        directory,
        notes,
    }
}

/// Who reviewed whom and how often (display ids, reviewer → author → count).
struct Ties {
    given: BTreeMap<String, BTreeMap<String, u64>>,
    received: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Everyone in a tie as `{id, name, url}` once, and their index: a person page's tie rows
/// point here until they are rendered ([`Deferred`]).
struct TieRefs {
    index: HashMap<String, u32>,
    refs: std::sync::Arc<Vec<Value>>,
}

fn tie_refs(ctx: &Ctx<'_>, ties: &Ties) -> TieRefs {
    let ids: BTreeSet<&str> = [&ties.given, &ties.received]
        .into_iter()
        .flat_map(|m| m.iter())
        .flat_map(|(a, to)| std::iter::once(a.as_str()).chain(to.keys().map(String::as_str)))
        .collect();
    TieRefs {
        index: ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), i as u32))
            .collect(),
        refs: std::sync::Arc::new(ids.iter().map(|id| ctx.person_ref(id)).collect()),
    }
}

/// The network's review ties (co-authoring alone is not a review).
fn review_ties(input: &Community) -> Ties {
    let mut given: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut received: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for e in &input.network.edges {
        if e.kinds.keys().all(|k| k == "co_authored") {
            continue;
        }
        given
            .entry(e.from.clone())
            .or_default()
            .insert(e.to.clone(), e.weight);
        received
            .entry(e.to.clone())
            .or_default()
            .insert(e.from.clone(), e.weight);
    }
    Ties { given, received }
}

fn day(rfc: &Option<String>) -> String {
    rfc.as_deref()
        .and_then(|s| s.get(..10))
        .unwrap_or("")
        .to_string()
}

/// Every month from the first to the last of `months` (`YYYY-MM`), gaps filled.
fn month_range(first: &str, last: &str) -> Vec<String> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        Some((m.get(..4)?.parse().ok()?, m.get(5..7)?.parse().ok()?))
    };
    let (Some((mut y, mut m)), Some((ly, lm))) = (parse(first), parse(last)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while (y, m) <= (ly, lm) && out.len() < 1200 {
        out.push(format!("{y:04}-{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    out
}

/// Human names for the reputation rules.
fn rule_label(rule: &str) -> &str {
    match rule {
        "commit" => "commit",
        "pr_merged" => "merged pull request",
        "co_authored" => "co-authored",
        "reported" => "reported",
        "suggested" => "suggested",
        "doc_written" => "doc written",
        "doc_facilitated" => "session facilitated",
        "doc_participated" => "session attended",
        "review" => "review",
        "review_newcomer" => "reviewed a newcomer's first PR",
        "review_comment" => "review comment",
        "acked" => "acked",
        "tested" => "tested",
        "helped" => "helped",
        "mentored" => "mentored",
        "signed_off" => "signed off",
        "merged_other" => "merged someone's PR",
        other => other,
    }
}

/// Human names for the badges of `analysis::badges`.
fn badge_name(id: &str) -> String {
    match id {
        "contributor" => "Contributor".into(),
        "reviewer" => "Reviewer".into(),
        "mentor" => "Mentor".into(),
        "bridge" => "Bridge builder".into(),
        "reverse_mentor" => "Reverse mentor".into(),
        "steward" => "Steward".into(),
        "retro_writer" => "Retro writer".into(),
        other => {
            let words = other.replace('_', " ");
            let mut c = words.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

fn badge_view(b: &crate::analysis::badges::Badge) -> Value {
    json!({
        "id": b.id,
        "name": badge_name(&b.id),
        "tier": b.tier,
        "domain": b.domain,
        "earned_at": b.earned_at.get(..10).unwrap_or(&b.earned_at),
        "detail": format!(
            "{} {}, {} points",
            b.count,
            if b.count == 1 { "event" } else { "events" },
            b.score
        ),
    })
}

/// `n` of a ladder requirement in words: `5 merged PRs`, `1 review given`, `30 days active`.
fn requirement(what: &str, n: u64) -> String {
    let (one, many) = match what {
        "commits" => ("commit", "commits"),
        "prs_merged" => ("merged PR", "merged PRs"),
        "reviews_given" => ("review given", "reviews given"),
        "docs_written" => ("doc written", "docs written"),
        "active_days" => ("day active", "days active"),
        "score" => ("reputation point", "reputation points"),
        other => (other, other),
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the next step still needs: `4 more merged PRs (1 of 5)`.
fn missing_text(m: &crate::analysis::newcomers::Missing) -> String {
    let short = requirement(&m.what, m.need.saturating_sub(m.have));
    let (n, rest) = short.split_once(' ').unwrap_or((&short, ""));
    format!("{n} more {rest} ({} of {})", m.have, m.need)
}

/// The requirements of a configured step in words (empty: none).
fn requirements_of(r: &crate::config::Requirements) -> Vec<String> {
    r.set()
        .into_iter()
        .map(|(w, n)| requirement(w, n))
        .collect()
}

fn ladder_view(input: &Community, l: &crate::analysis::newcomers::LadderStatus) -> Value {
    let description = |name: &Option<String>| {
        name.as_deref().and_then(|n| {
            input
                .newcomers
                .steps
                .iter()
                .find(|s| s.step == n)
                .map(|s| s.description.clone())
                .filter(|d| !d.trim().is_empty())
        })
    };
    json!({
        "step": l.step,
        "step_description": description(&l.step),
        "next": l.next,
        "next_description": description(&l.next),
        "missing": l.missing.iter().map(missing_text).collect::<Vec<_>>(),
    })
}

/// Days as a short phrase: `same day`, `1 day`, `2.5 days`.
fn days_text(d: f64) -> String {
    if d < 0.05 {
        "same day".into()
    } else if (d - 1.0).abs() < 0.05 {
        "1 day".into()
    } else if d < 10.0 {
        format!("{:.1} days", d)
    } else {
        format!("{:.0} days", d)
    }
}

#[cfg(test)]
mod tests {
    use super::unique_slugs;

    #[test]
    fn unique_slugs_never_hand_out_a_taken_or_reserved_name() {
        let got = unique_slugs(
            ["C", "C++", "c-2", "Index", "c"].into_iter(),
            "x",
            &["index"],
        );
        assert_eq!(got, ["c", "c-2", "c-2-2", "index-2", "c-3"]);
    }
}
