//! The newcomers page: recent first contributions, mentors available, the ladder.

use super::*;

pub(super) fn newcomers(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let mentors: Vec<Value> = input
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
    let n = &input.newcomers;
    let steps: Vec<Value> = n
        .steps
        .iter()
        .map(|s| {
            json!({
                "name": s.step,
                "description": s.description,
                "requires": requirements_of(&s.requires),
                "people": s.people,
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
        description: format!(
            "How to start contributing to {}: the contributor ladder, mentors available and recent newcomers.",
            input.site.title
        ),
        nav: "newcomers",
        data: json!({
            "steps": steps,
            "window_days": n.ladder_window_days,
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
