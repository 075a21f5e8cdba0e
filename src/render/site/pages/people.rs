//! The people directory (one page per order) and each person's page.

use super::*;

/// The people directory's pages (file under `people/`, sort key, label): person pages share
/// the folder, so their slugs avoid these names.
pub(super) const PEOPLE_LISTS: [(&str, &str, &str); 4] = [
    ("index.html", "reputation", "Reputation"),
    ("by-name.html", "name", "Name"),
    ("by-reviews.html", "reviews", "Reviews given"),
    ("by-recent.html", "recent", "Last active"),
];

pub(super) fn people_directory(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let c = input;
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

/// The most lines a person page lists (newest first); `cargo guild explain` has them all.
const MAX_LINES: usize = 200;

#[allow(clippy::too_many_arguments)]
pub(super) fn person(
    input: &Community,
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
                "rule": rule_label(&l.rule),
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
            let mut r = ctx.doc_ref(&input.docs[i]);
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
