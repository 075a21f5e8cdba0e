//! The community's rhythm page: who facilitates each ritual next (or is on call), with the
//! schedule as an iCalendar file to subscribe to, the skills people endorsed each other
//! for, and reverse mentorship (later joiners who know a domain better reviewing earlier
//! members). Everything from the snapshot (`schedule`, `endorsements`,
//! `network.reverse_mentorship`).

use super::*;

/// The calendar file written beside the page.
pub(super) const CALENDAR: &str = "rituals.ics";

/// The page, when the snapshot has any of the three; and the calendar's bytes.
pub(super) fn rhythm(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) -> Option<Vec<u8>> {
    let c = input;
    let has = !c.schedule.slots.is_empty()
        || !c.endorsements.is_empty()
        || !c.network.reverse_mentorship.is_empty();
    if !has {
        return None;
    }
    let who = |id: &Option<String>| id.as_deref().map(|i| ctx.person_ref(i));
    let slots: Vec<Value> = c
        .schedule
        .slots
        .iter()
        .map(|s| {
            json!({
                "ritual": s.ritual,
                "date": s.date,
                "ends": s.ends,
                "facilitator": who(&s.facilitator),
                "co_facilitator": who(&s.co_facilitator),
                "on_call": s.on_call,
                "held": s.held,
            })
        })
        .collect();
    // Skills: skill → endorsed people, each with their endorsers.
    let mut skills: BTreeMap<String, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for e in &c.endorsements {
        skills
            .entry(e.skill.to_lowercase())
            .or_default()
            .entry(e.person.as_str())
            .or_default()
            .push(e.by.as_str());
    }
    let skills: Vec<Value> = skills
        .iter()
        .map(|(skill, people)| {
            json!({
                "skill": skill,
                "people": people.iter().map(|(p, by)| {
                    let mut r = ctx.person_ref(p);
                    r["by"] = json!(by.iter().map(|b| ctx.person_ref(b)).collect::<Vec<_>>());
                    r
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut reverse: Vec<&crate::analysis::network::reverse::ReverseTie> =
        c.network.reverse_mentorship.iter().collect();
    reverse.sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.mentor.cmp(&b.mentor)));
    let reverse: Vec<Value> = reverse
        .iter()
        .take(MAX_REVERSE)
        .map(|t| {
            json!({
                "mentor": ctx.person_ref(&t.mentor),
                "mentee": ctx.person_ref(&t.mentee),
                "domain": ctx.domain_ref(&t.domain),
                "reviews": t.reviews,
            })
        })
        .collect();
    pages.push(Page {
        path: "rhythm.html".into(),
        template: "rhythm.html",
        title: "Rhythm".into(),
        description: format!(
            "Who facilitates the rituals of {} next, the skills people endorse each other for, and reverse mentorship.",
            c.site.title
        ),
        nav: "rhythm",
        data: json!({
            "slots": slots,
            "calendar_url": (!c.schedule.slots.is_empty()).then(|| ctx.url(CALENDAR)),
            "skills": skills,
            "reverse": reverse,
            "reverse_total": c.network.reverse_mentorship.len(),
        }),
    });
    (!c.schedule.slots.is_empty()).then(|| {
        let name_of = |id: &str| {
            c.people
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        crate::render::ics::calendar(&c.site.title, &c.schedule.slots, &name_of, &c.as_of)
            .into_bytes()
    })
}

/// The most reverse-mentorship ties listed (most reviews first).
const MAX_REVERSE: usize = 50;
