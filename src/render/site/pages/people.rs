//! The people directory (one copy, paged) and each person's page.

use super::*;

/// The people directory: one copy of everyone, sorted by reputation, on numbered pages
/// (`people/index.html`, `people/page-2.html`...) that work without JavaScript, and the same
/// rows once more as `people/directory.json`, from which the script sorts, filters and pages
/// in the browser. Person pages share the folder, so their slugs avoid the page names.
pub(super) fn people_directory(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) -> Vec<u8> {
    let c = input;
    let mut list: Vec<&PersonSummary> = c.people.iter().collect();
    list.sort_by_key(|p| p.rank);
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
    // One array per person, in rank order: [id, name, page, bot, total, contributor,
    // reviewer, merged PRs, reviews, last active, windows], windows being
    // [total, contributor, reviewer] per time window (`window_switch`), or 0 for none.
    let prefix = ctx.url("people/");
    let json_rows: Vec<Value> = list
        .iter()
        .map(|p| {
            let page = ctx
                .people
                .get(p.id.as_str())
                .and_then(|x| x.1.strip_prefix(prefix.as_str()))
                .and_then(|u| u.strip_suffix(".html"));
            json!([
                p.id,
                p.name,
                page,
                u8::from(p.is_bot),
                p.reputation.total,
                p.reputation.contributor,
                p.reputation.reviewer,
                p.counts.prs_merged,
                p.counts.reviews_given,
                day(&p.last_seen),
                c.windows.scores.get(&p.id).map_or(json!(0), |w| json!(w)),
            ])
        })
        .collect();
    lists::Paged {
        first: "people/index.html".into(),
        template: "people.html",
        title: "People".into(),
        description: format!(
            "The {} people of {}, ranked by reputation: merged pull requests, reviews and last activity.",
            c.people.len(),
            c.site.title
        ),
        nav: "people",
        data: json!({
            "json_url": ctx.url("people/directory.json"),
            "windows": window_switch(c, "people"),
        }),
        rows,
        ctx,
    }
    .pages(pages);
    serde_json::to_vec(&json_rows).unwrap_or_default()
}

/// The names person pages must not take in `people/`: the directory's own pages.
pub(super) fn reserved_names(people: usize) -> Vec<String> {
    let mut names = vec!["index".to_string(), "directory".to_string()];
    for n in 2..=lists::page_count(people) {
        let file = lists::page_file("people/index.html", n);
        names.push(file["people/".len()..file.len() - ".html".len()].to_string());
    }
    names
}

/// The most lines a person page lists (newest first); `cargo guild explain` has them all.
const MAX_LINES: usize = crate::snapshot::PERSON_PAGE_LINES;

#[allow(clippy::too_many_arguments)]
pub(super) fn person(
    input: &Community,
    ctx: &Ctx<'_>,
    p: &PersonSummary,
    page_slug: &str,
    ties: &Ties,
    roles: &HashMap<&str, Vec<(usize, &'static str)>>,
    refs: &TieRefs,
    pages: &mut Vec<Page>,
    deferred: &mut Vec<lists::Deferred>,
) {
    let badges: Vec<Value> = p.badges.iter().map(badge_view).collect();
    let ladder = p.ladder.as_ref().map(|l| ladder_view(input, l));
    let lines = input
        .lines
        .get(&p.id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    // Counted over every line, also where the snapshot holds only the newest: the
    // breakdown has one count per line.
    let per_month = crate::snapshot::months_of(input, &p.id);
    let total = p.breakdown.iter().map(|r| r.count as usize).sum::<usize>();
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
                Target::Pr(n) => (n.to_string(), ctx.github(&format!("pull/{}", n.number))),
                Target::Commit(c) => (c.short(), ctx.github(&format!("commit/{c}"))),
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
    // A person's ties as (index into `refs`, count), most first.
    let ties_of = |m: &BTreeMap<String, BTreeMap<String, u64>>| -> Vec<(u32, u64)> {
        let mut v: Vec<(&String, &u64)> = m.get(&p.id).into_iter().flatten().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.into_iter()
            .map(|(id, n)| (refs.index.get(id.as_str()).copied().unwrap_or(u32::MAX), *n))
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
    // Long lists of ties get pages of their own under `people/<slug>/`.
    let mut tie_list = |rows: Vec<(u32, u64)>, file: &str, title: String| -> Value {
        let first = format!("people/{page_slug}/{file}.html");
        let url = (rows.len() > lists::PREVIEW).then(|| ctx.url(&first));
        let count = rows.len();
        let shown = lists::Deferred::rows(&refs.refs, &rows[..count.min(lists::PREVIEW)]);
        if url.is_some() {
            lists::Paged {
                first,
                template: "people-list.html",
                description: title.clone(),
                title,
                nav: "people",
                data: json!({"back": {"name": p.name, "url": ctx.people.get(p.id.as_str()).map(|x| &x.1)}}),
                rows: Vec::new(),
                ctx,
            }
            .deferred(&refs.refs, rows, deferred);
        }
        lists::preview_of(count, shown, url)
    };
    let reviewed_preview = tie_list(
        ties_of(&ties.given),
        "reviewed",
        format!("Whose work {} reviewed", p.name),
    );
    let reviewed_by_preview = tie_list(
        ties_of(&ties.received),
        "reviewed-by",
        format!("Who reviewed the work of {}", p.name),
    );
    let description = format!(
        "{}: {} reputation points, {} merged pull requests, {} reviews given{}.",
        p.name,
        p.reputation.total,
        p.counts.prs_merged,
        p.counts.reviews_given,
        match (p.first_seen.is_some(), p.last_seen.is_some()) {
            (true, true) => format!(", active {} to {}", day(&p.first_seen), day(&p.last_seen)),
            _ => String::new(),
        }
    );
    pages.push(Page {
        path: format!("people/{page_slug}.html"),
        template: "person.html",
        description,
        title: p.name.clone(),
        nav: "people",
        data: json!({
            "id": p.id,
            "name": p.name,
            "bot": p.is_bot,
            "profile": input.site.logins.get(&p.id).filter(|_| input.site.github.is_some()).map(|l| json!({"login": l, "url": format!("https://github.com/{l}")})),
            "first_seen": day(&p.first_seen),
            "last_seen": day(&p.last_seen),
            "counts": p.counts,
            "reputation": p.reputation,
            "breakdown": p.breakdown.iter().map(|r| json!({"rule": rule_label(&r.rule), "count": r.count, "points": r.points})).collect::<Vec<_>>(),
            "badges": badges,
            "ladder": ladder,
            "domains": domains,
            "reviewed": reviewed_preview,
            "reviewed_by": reviewed_by_preview,
            "chart": chart,
            "lines": shown,
            "lines_total": total,
            "lines_shown": MAX_LINES.min(total),
            "lines_cut": total > MAX_LINES,
            "docs": docs,
            "rhythm": person_rhythm(input, ctx, &p.id),
        }),
    });
}

/// A person's endorsed skills, reverse mentorship and next steps, for their page.
fn person_rhythm(input: &Community, ctx: &Ctx<'_>, id: &str) -> Value {
    let mut skills: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in input.endorsements.iter().filter(|e| e.person == id) {
        skills
            .entry(e.skill.to_lowercase())
            .or_default()
            .push(ctx.person_ref(&e.by));
    }
    let skills: Vec<Value> = skills
        .into_iter()
        .map(|(skill, by)| json!({"skill": skill, "by": by}))
        .collect();
    let reverse: Vec<Value> = input
        .network
        .reverse_mentorship
        .iter()
        .filter(|t| t.mentor == id)
        .take(10)
        .map(|t| json!({"mentee": ctx.person_ref(&t.mentee), "domain": ctx.domain_ref(&t.domain), "reviews": t.reviews}))
        .collect();
    let next = crate::analysis::paths::next_steps(input, id).map(|n| {
        json!({
            "next": n.next,
            "missing": n.missing,
            "pair_with": n.pair_with.iter().take(3).map(|p| json!({
                "with": ctx.person_ref(&p.with),
                "domain": ctx.domain_ref(&p.domain),
                "files": p.files,
                "sample": p.sample_files.first(),
            })).collect::<Vec<_>>(),
        })
    });
    let has_next = next.as_ref().is_some_and(|n| {
        n["next"].is_string() || n["pair_with"].as_array().is_some_and(|a| !a.is_empty())
    });
    json!({
        "skills": skills,
        "reverse": reverse,
        "next": next.filter(|_| has_next),
    })
}
