//! Page assembly: which pages exist, their paths, and the data each template receives.
//! Every URL is made here (from slugs, under the base URL) so templates never build one,
//! and the link checker can hold the whole site to it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde_json::{json, Value};

use super::markdown::{self, DocLinks};
use super::svg::{self, Series};
use super::Input;
use crate::events::Target;
use crate::snapshot::{DocSummary, PersonSummary};
use crate::util::slug;

/// One page to render.
pub struct Page {
    /// Relative to the output folder (`people/alice.html`).
    pub path: String,
    pub template: &'static str,
    pub title: String,
    /// Which navigation entry is current.
    pub nav: &'static str,
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
}

impl Ctx<'_> {
    fn url(&self, rel: &str) -> String {
        format!("{}{rel}", self.base)
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
pub fn site_context(input: &Input<'_>, base: &str) -> Value {
    let c = input.community;
    json!({
        "name": c.name,
        "base": base,
        "as_of": c.as_of.get(..10).unwrap_or(&c.as_of),
        "head": c.head.get(..10).unwrap_or(&c.head),
        "has_domains": !c.domains.is_empty(),
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
    pub search: Vec<u8>,
    pub notes: Vec<String>,
}

/// All pages, the search index, and notes for the build summary.
pub fn assemble(input: &Input<'_>, base: &str) -> Assembled {
    let c = input.community;
    let directory: Vec<&str> = PEOPLE_LISTS
        .iter()
        .filter_map(|(file, _, _)| file.strip_suffix(".html"))
        .collect();
    let person_slugs = unique_slugs(c.people.iter().map(|p| p.id.as_str()), "person", &directory);
    let doc_names: Vec<String> = c
        .docs
        .iter()
        .map(|d| {
            let p = d.path.strip_suffix(".md").unwrap_or(&d.path);
            p.strip_prefix(input.docs_dir)
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
    };
    let mut pages = Vec::new();
    let mut notes = Vec::new();
    let reviews = review_ties(input);
    home(input, &ctx, &mut pages);
    people_directory(input, &ctx, &mut pages);
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
        person(
            input,
            &ctx,
            p,
            &person_slugs[i],
            &reviews,
            &roles,
            &mut pages,
        );
    }
    docs(input, &ctx, &doc_slugs, &mut pages, &mut notes);
    network(input, &ctx, &reviews, &mut pages);
    domains(input, &ctx, &mut pages);
    newcomers(input, &ctx, &mut pages);
    pages.push(Page {
        path: "search.html".into(),
        template: "search.html",
        title: "Search".into(),
        nav: "search",
        data: json!({"base": base, "people_url": ctx.url("people/"), "docs_url": ctx.url("docs/")}),
    });
    Assembled {
        pages,
        search: search_index(input, &ctx),
        notes,
    }
}

/// Who reviewed whom and how often (display ids, reviewer → author → count).
struct Ties {
    given: BTreeMap<String, BTreeMap<String, u64>>,
    received: BTreeMap<String, BTreeMap<String, u64>>,
}

fn review_ties(input: &Input<'_>) -> Ties {
    let mut given: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut received: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (id, lines) in &input.lines {
        for l in lines {
            // One tie per reviewed event; the newcomer bonus is a second line of the same one.
            if l.side != crate::analysis::reputation::Side::Reviewer || l.rule == "review_newcomer"
            {
                continue;
            }
            if let Some(o) = l.other.as_ref().filter(|o| *o != id) {
                *given
                    .entry(id.clone())
                    .or_default()
                    .entry(o.clone())
                    .or_default() += 1;
                *received
                    .entry(o.clone())
                    .or_default()
                    .entry(id.clone())
                    .or_default() += 1;
            }
        }
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

fn home(input: &Input<'_>, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let c = input.community;
    let as_of_day = c.as_of.get(..10).unwrap_or("");
    let humans = || c.people.iter().filter(|p| !p.is_bot);
    let active = c.pulse.active_90_days;
    let newcomers = c.pulse.newcomers_this_quarter;
    let quarter_start = &c.pulse.quarter_start;
    let prs: u64 = c.activity.iter().map(|m| m.prs_merged).sum();
    let reviews: u64 = c.activity.iter().map(|m| m.reviews).sum();
    let chart = activity_chart(input);
    let mut top: Vec<&PersonSummary> = humans().filter(|p| p.reputation.total > 0).collect();
    top.sort_by_key(|p| p.rank);
    let top: Vec<Value> = top
        .iter()
        .take(10)
        .map(|p| {
            let mut r = ctx.person_ref(&p.id);
            r["total"] = json!(p.reputation.total);
            r
        })
        .collect();
    let mut latest: Vec<&DocSummary> = c.docs.iter().collect();
    latest.sort_by(|a, b| b.date.cmp(&a.date).then(a.path.cmp(&b.path)));
    let latest: Vec<Value> = latest.iter().take(8).map(|d| ctx.doc_ref(d)).collect();
    let net = &c.network;
    let brokers: Vec<Value> = net.brokers.iter().map(|b| ctx.person_ref(&b.id)).collect();
    let isolates: Vec<Value> = net.isolates.iter().map(|i| ctx.person_ref(&i.id)).collect();
    let cut_points: Vec<Value> = net
        .articulation_points
        .iter()
        .map(|x| ctx.person_ref(x))
        .collect();
    let fragile: Vec<Value> = c
        .domains
        .iter()
        .filter(|d| d.truck_factor <= 1)
        .map(|d| {
            let mut r = ctx.domain_ref(&d.name);
            r["truck_factor"] = json!(d.truck_factor);
            r
        })
        .collect();
    pages.push(Page {
        path: "index.html".into(),
        template: "home.html",
        title: c.name.clone(),
        nav: "home",
        data: json!({
            "name": c.name,
            "as_of": as_of_day,
            "active": active,
            "newcomers": newcomers,
            "quarter_start": quarter_start,
            "people": c.people.len(),
            "docs": c.docs.len(),
            "prs": prs,
            "reviews": reviews,
            "chart": chart,
            "top": top,
            "latest": latest,
            "network": !net.people.is_empty(),
            "brokers": brokers,
            "isolates": isolates,
            "cut_points": cut_points,
            "density": format!("{:.3}", net.density),
            "groups": net.components,
            "largest": net.largest_component,
            "fragile": fragile,
            "has_domains": ctx.has_domains,
            "people_url": ctx.url("people/"),
            "docs_url": ctx.url("docs/"),
            "network_url": ctx.url("network.html"),
            "newcomers_url": ctx.url("newcomers.html"),
        }),
    });
}

/// Merged PRs and reviews per month, the last 24 months with activity.
fn activity_chart(input: &Input<'_>) -> String {
    let a = &input.community.activity;
    let (Some(first), Some(last)) = (a.first(), a.last()) else {
        return String::new();
    };
    let mut months = month_range(&first.month, &last.month);
    if months.len() > 24 {
        months.drain(..months.len() - 24);
    }
    let by: HashMap<&str, &crate::snapshot::MonthActivity> =
        a.iter().map(|m| (m.month.as_str(), m)).collect();
    let get = |f: fn(&crate::snapshot::MonthActivity) -> u64| -> Vec<u64> {
        months
            .iter()
            .map(|m| by.get(m.as_str()).map_or(0, |x| f(x)))
            .collect()
    };
    svg::bars(
        "activity",
        "Merged pull requests and reviews per month",
        &months,
        &[
            Series {
                label: "merged PRs",
                class: "s0",
                values: get(|m| m.prs_merged),
            },
            Series {
                label: "reviews",
                class: "s1",
                values: get(|m| m.reviews),
            },
        ],
    )
}

/// The people directory's pages (file under `people/`, sort key, label): person pages share
/// the folder, so their slugs avoid these names.
const PEOPLE_LISTS: [(&str, &str, &str); 4] = [
    ("index.html", "reputation", "Reputation"),
    ("by-name.html", "name", "Name"),
    ("by-reviews.html", "reviews", "Reviews given"),
    ("by-recent.html", "recent", "Last active"),
];

fn people_directory(input: &Input<'_>, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let c = input.community;
    let sorts = PEOPLE_LISTS;
    for (file, key, label) in sorts {
        let mut list: Vec<&PersonSummary> = c.people.iter().collect();
        match key {
            "reputation" => list.sort_by_key(|p| p.rank),
            "name" => list.sort_by(|a, b| {
                a.name
                    .to_lowercase()
                    .cmp(&b.name.to_lowercase())
                    .then(a.id.cmp(&b.id))
            }),
            "reviews" => list.sort_by(|a, b| {
                b.counts
                    .reviews_given
                    .cmp(&a.counts.reviews_given)
                    .then(a.id.cmp(&b.id))
            }),
            _ => list.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.id.cmp(&b.id))),
        }
        let rows: Vec<Value> = list
            .iter()
            .map(|p| {
                json!({
                    "id": p.id,
                    "name": p.name,
                    "url": ctx.people.get(p.id.as_str()).map(|x| &x.1),
                    "bot": p.is_bot,
                    "total": p.reputation.total,
                    "contributor": p.reputation.contributor,
                    "reviewer": p.reputation.reviewer,
                    "prs": p.counts.prs_merged,
                    "reviews": p.counts.reviews_given,
                    "last_seen": day(&p.last_seen),
                })
            })
            .collect();
        let sort_links: Vec<Value> = sorts
            .iter()
            .map(|(f, k, l)| {
                let rel = if *f == "index.html" {
                    "people/".to_string()
                } else {
                    format!("people/{f}")
                };
                json!({"label": l, "url": ctx.url(&rel), "current": *k == key})
            })
            .collect();
        pages.push(Page {
            path: format!("people/{file}"),
            template: "people.html",
            title: format!("People by {}", label.to_lowercase()),
            nav: "people",
            data: json!({"people": rows, "count": rows.len(), "sorts": sort_links, "sorted_by": label}),
        });
    }
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

fn ladder_view(input: &Input<'_>, l: &crate::analysis::newcomers::LadderStatus) -> Value {
    let description = |name: &Option<String>| {
        name.as_deref().and_then(|n| {
            input
                .ladder
                .steps
                .iter()
                .find(|s| s.name == n)
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

/// The most lines a person page lists (newest first); `cargo guild explain` has them all.
const MAX_LINES: usize = 200;

#[allow(clippy::too_many_arguments)]
fn person(
    input: &Input<'_>,
    ctx: &Ctx<'_>,
    p: &PersonSummary,
    page_slug: &str,
    ties: &Ties,
    roles: &HashMap<&str, Vec<(usize, &'static str)>>,
    pages: &mut Vec<Page>,
) {
    let badges: Vec<Value> = p.badges.iter().map(badge_view).collect();
    let ladder = p.ladder.as_ref().map(|l| ladder_view(input, l));
    let lines = input
        .lines
        .get(&p.id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut per_month: BTreeMap<String, u64> = BTreeMap::new();
    for l in lines {
        if l.rule != "review_newcomer" {
            *per_month
                .entry(crate::util::day(l.time)[..7].to_string())
                .or_default() += 1;
        }
    }
    let chart = match (per_month.keys().next(), per_month.keys().next_back()) {
        (Some(f), Some(l)) => {
            let mut months = month_range(f, l);
            if months.len() > 36 {
                months.drain(..months.len() - 36);
            }
            let values = months
                .iter()
                .map(|m| per_month.get(m).copied().unwrap_or(0))
                .collect();
            svg::bars(
                "person-activity",
                &format!("Contributions of {} per month", p.name),
                &months,
                &[Series {
                    label: "contributions",
                    class: "s0",
                    values,
                }],
            )
        }
        _ => String::new(),
    };
    let shown: Vec<Value> = lines
        .iter()
        .rev()
        .take(MAX_LINES)
        .map(|l| {
            let (target, url) = match &l.target {
                Target::Pr(n) => (n.to_string(), None),
                Target::Commit(c) => (c.short(), None),
                Target::Doc(path) => (path.clone(), ctx.doc_urls.get(path).cloned()),
            };
            json!({
                "date": crate::util::day(l.time),
                "points": l.points,
                "rule": rule_label(l.rule),
                "side": if l.side == crate::analysis::reputation::Side::Reviewer { "reviewer" } else { "contributor" },
                "target": target,
                "target_url": url,
                "other": l.other.as_deref().map(|o| ctx.person_ref(o)),
                "title": l.title,
                "note": l.note,
            })
        })
        .collect();
    let ties_of = |m: &BTreeMap<String, BTreeMap<String, u64>>| -> Vec<Value> {
        let mut v: Vec<(&String, &u64)> = m.get(&p.id).into_iter().flatten().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.into_iter()
            .map(|(id, n)| {
                let mut r = ctx.person_ref(id);
                r["count"] = json!(n);
                r
            })
            .collect()
    };
    let domains: Vec<Value> = input
        .community
        .domains
        .iter()
        .filter(|d| d.experts.iter().any(|e| e.id == p.id))
        .map(|d| ctx.domain_ref(&d.name))
        .collect();
    let docs: Vec<Value> = roles
        .get(p.id.as_str())
        .into_iter()
        .flatten()
        .map(|&(i, role)| {
            let mut r = ctx.doc_ref(&input.community.docs[i]);
            r["role"] = json!(role);
            r
        })
        .collect();
    pages.push(Page {
        path: format!("people/{page_slug}.html"),
        template: "person.html",
        title: p.name.clone(),
        nav: "people",
        data: json!({
            "id": p.id,
            "name": p.name,
            "bot": p.is_bot,
            "first_seen": day(&p.first_seen),
            "last_seen": day(&p.last_seen),
            "counts": p.counts,
            "reputation": p.reputation,
            "breakdown": p.breakdown.iter().map(|r| json!({"rule": rule_label(&r.rule), "count": r.count, "points": r.points})).collect::<Vec<_>>(),
            "badges": badges,
            "ladder": ladder,
            "domains": domains,
            "reviewed": ties_of(&ties.given),
            "reviewed_by": ties_of(&ties.received),
            "chart": chart,
            "lines": shown,
            "lines_total": lines.len(),
            "lines_cut": lines.len() > MAX_LINES,
            "docs": docs,
        }),
    });
}

fn docs(
    input: &Input<'_>,
    ctx: &Ctx<'_>,
    slugs: &[String],
    pages: &mut Vec<Page>,
    notes: &mut Vec<String>,
) {
    let c = input.community;
    let bodies: HashMap<&str, &str> = input
        .docs
        .iter()
        .map(|d| (d.path.as_str(), d.body.as_str()))
        .collect();
    // Groups: kind, domain, tag → doc indices, each sorted by (date, path).
    let mut by_kind: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_domain: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut by_tag: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut order: Vec<usize> = (0..c.docs.len()).collect();
    order.sort_by(|&a, &b| {
        (&c.docs[a].date, &c.docs[a].path).cmp(&(&c.docs[b].date, &c.docs[b].path))
    });
    for &i in &order {
        let d = &c.docs[i];
        let kind = if d.kind.trim().is_empty() {
            "other"
        } else {
            d.kind.as_str()
        };
        by_kind.entry(kind).or_default().push(i);
        if let Some(dom) = d.domain.as_deref().filter(|s| !s.trim().is_empty()) {
            by_domain.entry(dom).or_default().push(i);
        }
        for t in d.tags.iter().filter(|t| !t.trim().is_empty()) {
            by_tag.entry(t.as_str()).or_default().push(i);
        }
    }
    let group_slugs = |m: &BTreeMap<&str, Vec<usize>>, fallback: &str| -> Vec<String> {
        unique_slugs(m.keys().copied(), fallback, &[])
    };
    let kind_slugs = group_slugs(&by_kind, "kind");
    let domain_slugs = group_slugs(&by_domain, "domain");
    let tag_slugs = group_slugs(&by_tag, "tag");
    let kind_url: HashMap<&str, String> = by_kind
        .keys()
        .zip(&kind_slugs)
        .map(|(k, s)| (*k, ctx.url(&format!("docs/kind/{s}.html"))))
        .collect();
    let domain_url: HashMap<&str, String> = by_domain
        .keys()
        .zip(&domain_slugs)
        .map(|(k, s)| (*k, ctx.url(&format!("docs/domain/{s}.html"))))
        .collect();
    let tag_url: HashMap<&str, String> = by_tag
        .keys()
        .zip(&tag_slugs)
        .map(|(k, s)| (*k, ctx.url(&format!("docs/tag/{s}.html"))))
        .collect();
    let list_of = |ids: &[usize]| -> Vec<Value> {
        ids.iter()
            .rev()
            .map(|&i| {
                let d = &c.docs[i];
                json!({
                    "title": title_of(d),
                    "url": ctx.doc_urls.get(&d.path),
                    "date": d.date,
                    "kind": d.kind,
                    "authors": d.authors.iter().map(|a| ctx.person_ref(a)).collect::<Vec<_>>(),
                })
            })
            .collect()
    };
    let groups = |m: &BTreeMap<&str, Vec<usize>>, urls: &HashMap<&str, String>| -> Vec<Value> {
        m.iter()
            .map(|(k, v)| json!({"name": k, "url": urls.get(k), "count": v.len()}))
            .collect()
    };
    pages.push(Page {
        path: "docs/index.html".into(),
        template: "docs.html",
        title: "Knowledge base".into(),
        nav: "docs",
        data: json!({
            "count": c.docs.len(),
            "kinds": groups(&by_kind, &kind_url),
            "domains": groups(&by_domain, &domain_url),
            "tags": groups(&by_tag, &tag_url),
            "latest": list_of(&order[order.len().saturating_sub(30)..]),
        }),
    });
    for (what, map, slugs, dir) in [
        ("Kind", &by_kind, &kind_slugs, "kind"),
        ("Domain", &by_domain, &domain_slugs, "domain"),
        ("Tag", &by_tag, &tag_slugs, "tag"),
    ] {
        for ((name, ids), s) in map.iter().zip(slugs) {
            pages.push(Page {
                path: format!("docs/{dir}/{s}.html"),
                template: "doc-list.html",
                title: format!("{what}: {name}"),
                nav: "docs",
                data: json!({"what": what, "name": name, "docs": list_of(ids), "count": ids.len(), "docs_url": ctx.url("docs/")}),
            });
        }
    }
    // Prev/next within the doc's kind, in date order.
    let mut neighbours: HashMap<usize, (Option<usize>, Option<usize>)> = HashMap::new();
    for ids in by_kind.values() {
        for (k, &i) in ids.iter().enumerate() {
            let prev = k.checked_sub(1).map(|j| ids[j]);
            neighbours.insert(i, (prev, ids.get(k + 1).copied()));
        }
    }
    let links = DocLinks {
        pages: &ctx.doc_urls,
    };
    let mut stats = markdown::Stats::default();
    for (i, d) in c.docs.iter().enumerate() {
        let body = bodies.get(d.path.as_str()).copied().unwrap_or("");
        let html = markdown::render(body, &d.path, &links, &mut stats);
        let (prev, next) = neighbours.get(&i).copied().unwrap_or((None, None));
        let kind = if d.kind.trim().is_empty() {
            "other"
        } else {
            d.kind.as_str()
        };
        pages.push(Page {
            path: format!("docs/{}.html", slugs[i]),
            template: "doc.html",
            title: title_of(d).to_string(),
            nav: "docs",
            data: json!({
                "title": title_of(d),
                "path": d.path,
                "date": d.date,
                "kind": {"name": kind, "url": kind_url.get(kind)},
                "domain": d.domain.as_deref().filter(|s| !s.trim().is_empty()).map(|x| json!({"name": x, "url": domain_url.get(x)})),
                "tags": d.tags.iter().filter(|t| !t.trim().is_empty()).map(|t| json!({"name": t, "url": tag_url.get(t.as_str())})).collect::<Vec<_>>(),
                "authors": d.authors.iter().map(|a| ctx.person_ref(a)).collect::<Vec<_>>(),
                "facilitator": d.facilitator.as_deref().map(|a| ctx.person_ref(a)),
                "participants": d.participants.iter().map(|a| ctx.person_ref(a)).collect::<Vec<_>>(),
                "body": html,
                "prev": prev.map(|j| ctx.doc_ref(&c.docs[j])),
                "next": next.map(|j| ctx.doc_ref(&c.docs[j])),
            }),
        });
    }
    if stats.links_dropped > 0 {
        notes.push(format!(
            "{} link(s) in doc bodies shown as text (unsafe scheme or no page to point to)",
            stats.links_dropped
        ));
    }
    if stats.raw_html > 0 {
        notes.push(format!(
            "{} raw HTML fragment(s) in doc bodies shown as text",
            stats.raw_html
        ));
    }
}

/// How many people the network drawing shows (the table lists everyone).
const MAX_NODES: usize = 120;

fn network(input: &Input<'_>, ctx: &Ctx<'_>, ties: &Ties, pages: &mut Vec<Page>) {
    let c = input.community;
    let rep: HashMap<&str, u64> = c
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.reputation.total))
        .collect();
    // Undirected weights between display ids: the network analysis's edges when there
    // are any, else the review ties of the reputation lines.
    let mut directed: Vec<(&str, &str, u64)> = c
        .network
        .edges
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str(), e.weight))
        .collect();
    if directed.is_empty() {
        for (a, m) in &ties.given {
            for (b, n) in m {
                directed.push((a.as_str(), b.as_str(), *n));
            }
        }
    }
    let mut pair: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (a, b, n) in directed.into_iter().filter(|(a, b, _)| a != b) {
        let key = if a < b { (a, b) } else { (b, a) };
        *pair.entry(key).or_default() += n;
    }
    let mut connected: BTreeSet<&str> = BTreeSet::new();
    for (a, b) in pair.keys() {
        connected.insert(a);
        connected.insert(b);
    }
    let mut chosen: Vec<&str> = connected.iter().copied().collect();
    chosen.sort_by(|a, b| {
        rep.get(b)
            .unwrap_or(&0)
            .cmp(rep.get(a).unwrap_or(&0))
            .then(a.cmp(b))
    });
    chosen.truncate(MAX_NODES);
    chosen.sort();
    let index: HashMap<&str, usize> = chosen.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let brokers: BTreeSet<&str> = c.network.brokers.iter().map(|b| b.id.as_str()).collect();
    let domain_of = primary_domains(input);
    let nodes: Vec<svg::Node> = chosen
        .iter()
        .map(|id| {
            let (name, url) = ctx.people.get(id).cloned().unwrap_or((id, String::new()));
            svg::Node {
                label: name.to_string(),
                url,
                weight: *rep.get(id).unwrap_or(&0) as f64,
                class: domain_of
                    .get(*id)
                    .map(|(_, k)| format!("d{}", k % 8))
                    .unwrap_or_else(|| "dn".into()),
                broker: brokers.contains(*id),
            }
        })
        .collect();
    let edges: Vec<(usize, usize, f64)> = pair
        .iter()
        .filter_map(|((a, b), n)| Some((*index.get(a)?, *index.get(b)?, *n as f64)))
        .collect();
    let drawing = if nodes.is_empty() {
        String::new()
    } else {
        svg::network("The review network", &nodes, &edges)
    };
    let mut legend: Vec<(usize, &str)> =
        domain_of.values().map(|(n, k)| (*k, n.as_str())).collect();
    legend.sort();
    legend.dedup();
    let legend: Vec<Value> = legend
        .iter()
        .map(|(k, n)| json!({"name": n, "class": format!("d{}", k % 8)}))
        .collect();
    // The metrics table: the network analysis's numbers when present, else review counts.
    let n = &c.network;
    let (columns, rows) = if n.people.is_empty() {
        let columns = vec![
            "reviews given".to_string(),
            "reviews received".into(),
            "people reviewed".into(),
            "reviewed by".into(),
        ];
        let rows = connected
            .iter()
            .map(|id| {
                let g = ties.given.get(*id);
                let r = ties.received.get(*id);
                let mut row = ctx.person_ref(id);
                row["values"] = json!([
                    g.map_or(0, |m| m.values().sum::<u64>()),
                    r.map_or(0, |m| m.values().sum::<u64>()),
                    g.map_or(0, |m| m.len()),
                    r.map_or(0, |m| m.len()),
                ]);
                row
            })
            .collect();
        (columns, rows)
    } else {
        metrics_table(ctx, &n.people)
    };
    let isolates: Vec<Value> = if n.people.is_empty() {
        c.people
            .iter()
            .filter(|p| !p.is_bot && !connected.contains(p.id.as_str()))
            .map(|p| ctx.person_ref(&p.id))
            .collect()
    } else {
        n.isolates
            .iter()
            .map(|i| {
                let mut r = ctx.person_ref(&i.id);
                r["reviewer"] = json!(i.reviewer.as_deref().map(|x| ctx.person_ref(x)));
                r
            })
            .collect()
    };
    let brokers_shown: Vec<Value> = n
        .brokers
        .iter()
        .map(|b| {
            let mut r = ctx.person_ref(&b.id);
            r["betweenness"] = json!(format!("{:.3}", b.betweenness));
            r["cut"] = json!(b.articulation_point);
            r["domains"] = json!(b.domains);
            r
        })
        .collect();
    let summary = json!({
        "people": n.people.len(),
        "ties": n.edges.len(),
        "density": format!("{:.3}", n.density),
        "transitivity": format!("{:.3}", n.transitivity),
        "components": n.components,
        "largest": n.largest_component,
        "cut_points": n.articulation_points.iter().map(|x| ctx.person_ref(x)).collect::<Vec<_>>(),
        "groups": n.isolated_groups.iter().map(|g| g.iter().map(|x| ctx.person_ref(x)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "rings": n.reciprocity_rings.iter().map(|r| json!({
            "a": ctx.person_ref(&r.people[0]),
            "b": ctx.person_ref(&r.people[1]),
            "ab": r.weights[0],
            "ba": r.weights[1],
        })).collect::<Vec<_>>(),
    });
    pages.push(Page {
        path: "network.html".into(),
        template: "network.html",
        title: "Review network".into(),
        nav: "network",
        data: json!({
            "svg": drawing,
            "shown": nodes.len(),
            "connected": connected.len(),
            "cut": connected.len() > nodes.len(),
            "legend": legend,
            "columns": columns,
            "rows": rows,
            "has_metrics": !n.people.is_empty(),
            "brokers": brokers_shown,
            "isolates": isolates,
            "summary": summary,
        }),
    });
}

/// Each person's main domain (the first domain listing them as an expert), with the
/// domain's index for a colour.
fn primary_domains(input: &Input<'_>) -> BTreeMap<String, (String, usize)> {
    let mut out = BTreeMap::new();
    for (k, d) in input.community.domains.iter().enumerate() {
        for e in &d.experts {
            out.entry(e.id.clone())
                .or_insert_with(|| (d.name.clone(), k));
        }
    }
    out
}

/// The network analysis's metrics per person, most connected first (ties by id).
fn metrics_table(
    ctx: &Ctx<'_>,
    people: &BTreeMap<String, crate::analysis::network::PersonNode>,
) -> (Vec<String>, Vec<Value>) {
    let columns = [
        "reviewers",
        "reviewed",
        "work reviewed",
        "reviews given",
        "betweenness",
        "closeness",
        "clustering",
        "cut point",
    ];
    let mut list: Vec<(&String, &crate::analysis::network::NodeMetrics)> =
        people.iter().map(|(id, p)| (id, &p.metrics)).collect();
    list.sort_by(|a, b| {
        b.1.weighted_degree
            .cmp(&a.1.weighted_degree)
            .then(a.0.cmp(b.0))
    });
    let rows = list
        .into_iter()
        .map(|(id, m)| {
            let mut row = ctx.person_ref(id);
            row["values"] = json!([
                m.in_degree,
                m.out_degree,
                m.weighted_in,
                m.weighted_out,
                format!("{:.3}", m.betweenness),
                format!("{:.3}", m.closeness),
                format!("{:.3}", m.clustering),
                if m.articulation_point { "yes" } else { "" },
            ]);
            row
        })
        .collect();
    (columns.iter().map(|c| c.to_string()).collect(), rows)
}

fn domains(input: &Input<'_>, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let list = &input.community.domains;
    if list.is_empty() {
        return;
    }
    let mut rows = Vec::new();
    for d in list {
        let domain = ctx.domain_ref(&d.name);
        let Some(path) = ctx.domain_pages.get(d.name.as_str()) else {
            continue; // Invariant: `domain_pages` has every domain of the snapshot.
        };
        let experts: Vec<Value> = d.experts.iter().map(|e| ctx.person_ref(&e.id)).collect();
        // Each expert's numbers next to their link.
        let expert_rows: Vec<Value> = experts
            .iter()
            .zip(&d.experts)
            .map(|(r, e)| {
                let mut r = r.clone();
                r["score"] = json!(format!("{:.2}", e.score));
                r["authored"] = json!(e.authored);
                r["reviewed"] = json!(e.reviewed);
                r["last_active"] = json!(e.last_active);
                r
            })
            .collect();
        let spof: Vec<Value> = d
            .single_points_of_failure
            .iter()
            .map(|x| {
                let mut r = ctx.person_ref(&x.id);
                r["files"] = json!(x.files);
                r["whole_domain"] = json!(x.whole_domain);
                r["sample"] = json!(x.sample_files);
                r
            })
            .collect();
        let inactive: Vec<Value> = d
            .inactive_owners
            .iter()
            .map(|o| {
                json!({
                    "owner": ctx.person_ref(&o.owner),
                    "file": o.file,
                    "line": o.line,
                    "pattern": o.pattern,
                    "last_seen": o.last_seen,
                })
            })
            .collect();
        let docs: Vec<Value> = input
            .community
            .docs
            .iter()
            .filter(|doc| doc.domain.as_deref() == Some(d.name.as_str()))
            .map(|doc| ctx.doc_ref(doc))
            .collect();
        rows.push(json!({
            "name": d.name,
            "url": domain["url"],
            "files": d.files,
            "truck_factor": d.truck_factor,
            "contributor_absence_factor": d.contributor_absence_factor,
            "spof": spof.len(),
            "experts": experts.iter().take(3).cloned().collect::<Vec<_>>(),
        }));
        pages.push(Page {
            path: path.clone(),
            template: "domain.html",
            title: format!("Domain: {}", d.name),
            nav: "domains",
            data: json!({
                "name": d.name,
                "source": d.source,
                "files": d.files,
                "work": d.work,
                "experts": expert_rows,
                "truck_factor": d.truck_factor,
                "contributor_absence_factor": d.contributor_absence_factor,
                "spof": spof,
                "inactive": inactive,
                "docs": docs,
                "index_url": ctx.url("domains/"),
            }),
        });
    }
    pages.push(Page {
        path: "domains/index.html".into(),
        template: "domains.html",
        title: "Domains".into(),
        nav: "domains",
        data: json!({"domains": rows}),
    });
}

fn newcomers(input: &Input<'_>, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let mentors: Vec<Value> = input
        .community
        .domains
        .iter()
        .map(|d| {
            let mut r = ctx.domain_ref(&d.name);
            r["mentors"] = json!(d
                .experts
                .iter()
                .take(3)
                .map(|e| ctx.person_ref(&e.id))
                .collect::<Vec<_>>());
            r
        })
        .collect();
    let mut guides: Vec<&DocSummary> = input
        .community
        .docs
        .iter()
        .filter(|d| {
            let k = d.kind.to_lowercase();
            k.contains("onboard") || k.contains("guide") || k.contains("how")
        })
        .collect();
    guides.sort_by(|a, b| b.date.cmp(&a.date).then(a.path.cmp(&b.path)));
    let guides: Vec<Value> = guides
        .into_iter()
        .take(MAX_GUIDES)
        .map(|d| ctx.doc_ref(d))
        .collect();
    let n = &input.community.newcomers;
    let on_step: HashMap<&str, u64> = n
        .steps
        .iter()
        .map(|s| (s.step.as_str(), s.people))
        .collect();
    let steps: Vec<Value> = input
        .ladder
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "description": s.description,
                "requires": requirements_of(&s.requires),
                "people": on_step.get(s.name.as_str()).copied().unwrap_or(0),
            })
        })
        .collect();
    let recent: Vec<Value> = n
        .people
        .iter()
        .take(MAX_NEWCOMERS)
        .map(|x| {
            let mut r = ctx.person_ref(&x.id);
            r["first"] = json!(x.first_contribution.get(..10).unwrap_or(""));
            r["first_kind"] = json!(rule_label(&x.first_kind));
            r["first_work"] = json!(x.first_work);
            r["to_review"] = json!(x.days_to_first_review.map(days_text));
            r["mentors"] = json!(x
                .mentors
                .iter()
                .take(MENTORS_PER_NEWCOMER)
                .map(|m| ctx.person_ref(&m.id))
                .collect::<Vec<_>>());
            r["more_mentors"] = json!(x.mentors.len().saturating_sub(MENTORS_PER_NEWCOMER));
            r["returned"] = json!(x.returned);
            r["step"] = json!(x.ladder.as_ref().and_then(|l| l.step.clone()));
            r
        })
        .collect();
    let available: Vec<Value> = input
        .community
        .pulse
        .available_mentors
        .iter()
        .take(MAX_MENTORS)
        .map(|m| {
            let mut r = ctx.person_ref(&m.id);
            r["newcomers"] = json!(m.newcomers);
            r["reviews"] = json!(m.reviews);
            r
        })
        .collect();
    pages.push(Page {
        path: "newcomers.html".into(),
        template: "newcomers.html",
        title: "Newcomers".into(),
        nav: "newcomers",
        data: json!({
            "steps": steps,
            "window_days": input.ladder.window_days,
            "recent": recent,
            "recent_cut": n.people.len() > MAX_NEWCOMERS,
            "shown": recent.len(),
            "total": n.total,
            "returned": n.returned,
            "median": n.median_days_to_first_review.map(days_text),
            "available": available,
            "mentors": mentors,
            "guides": guides,
            "docs_url": ctx.url("docs/"),
            "people_url": ctx.url("people/"),
        }),
    });
}

/// How many newcomers the newcomers' page lists.
const MAX_NEWCOMERS: usize = crate::analysis::pulse::RECENT_NEWCOMERS;
/// How many mentors it suggests.
const MAX_MENTORS: usize = 12;
/// How many of a newcomer's mentors (most reviews first) its row names.
const MENTORS_PER_NEWCOMER: usize = 3;
/// How many guides it lists (newest first).
const MAX_GUIDES: usize = 10;

/// The search index: one short record per person and doc (`t` title, `u` URL, `k` kind,
/// `d` detail), small enough to fetch once.
fn search_index(input: &Input<'_>, ctx: &Ctx<'_>) -> Vec<u8> {
    let c = input.community;
    let mut items = Vec::with_capacity(c.people.len() + c.docs.len());
    for p in &c.people {
        items.push(json!({"t": p.name, "u": ctx.people.get(p.id.as_str()).map(|x| &x.1), "k": "person", "d": p.id}));
    }
    for d in &c.docs {
        let mut detail = format!("{} {}", d.kind, d.date);
        for t in &d.tags {
            detail.push(' ');
            detail.push_str(t);
        }
        items.push(
            json!({"t": title_of(d), "u": ctx.doc_urls.get(&d.path), "k": "doc", "d": detail}),
        );
    }
    serde_json::to_vec(&items).unwrap_or_default()
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
