//! The home page: the community's pulse, activity, top people, latest docs, findings.

use super::*;

pub(super) fn home(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let c = input;
    let as_of_day = c.as_of.get(..10).unwrap_or("");
    let humans = || c.people.iter().filter(|p| !p.is_bot);
    let active = c.pulse.active_90_days;
    let newcomers = c.pulse.newcomers_this_quarter;
    let quarter_start = &c.pulse.quarter_start;
    let prs: u64 = c.activity.iter().map(|m| m.prs_merged).sum();
    let reviews: u64 = c.activity.iter().map(|m| m.reviews).sum();
    let (chart, reviews_hint) = activity_chart(input, None, "activity");
    // The same chart over each time window, shown by the window switch.
    let charts: Vec<Value> = windows::window_starts(input)
        .iter()
        .map(|(d, start)| {
            let (svg, hint) =
                activity_chart(input, Some(&start[..7]), &format!("activity-{d}"));
            let first = c.activity.first().map_or("", |m| m.month.as_str());
            json!({"value": d.to_string(), "chart": svg, "since": first.max(&start[..7]), "hint": hint})
        })
        .collect();
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
    // Long lists are a count and a few names, with a link to the whole list.
    let brokers = lists::preview(
        net.brokers.iter().map(|b| ctx.person_ref(&b.id)).collect(),
        Some(ctx.url("network.html#brokers-h")),
    );
    let isolates = lists::preview(
        net.isolates.iter().map(|i| ctx.person_ref(&i.id)).collect(),
        Some(ctx.url(network::ISOLATES)),
    );
    let cut_points = lists::preview(
        net.articulation_points
            .iter()
            .map(|x| ctx.person_ref(x))
            .collect(),
        Some(ctx.url("network.html#sum-h")),
    );
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
        title: c.site.title.clone(),
        description: format!(
            "{}: {} active members in the last 90 days, {} people, {} merged pull requests, {} docs in the knowledge base.",
            c.site.title,
            active,
            c.people.len(),
            prs,
            c.docs.len()
        ),
        nav: "home",
        data: json!({
            "name": c.site.title,
            "as_of": as_of_day,
            "active": active,
            "newcomers": newcomers,
            "quarter_start": quarter_start,
            "people": c.people.len(),
            "docs": c.docs.len(),
            "prs": prs,
            "reviews": reviews,
            "chart": chart,
            "since": c.activity.first().map(|m| m.month.as_str()),
            "charts": charts,
            "windows": windows::window_switch(c, "home"),
            "top_switch": {"windows": windows::window_switch(c, "home-top")},
            "top_windows": windows::top_per_window(c, ctx),
            "reviews_known": reviews > 0 || c.site.synced,
            "reviews_hint": reviews_hint,
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
            "moved": super::outcomes::moved(c),
            "outcomes_url": ctx.url("outcomes.html"),
            "window_days": c.trends.window_days,
        }),
    });
}

/// Merged PRs and reviews per month, every month with activity (or those from the month
/// `from`, `YYYY-MM`, on), the chart's SVG id `id`. Reviews are drawn
/// only where the history records any: without synced GitHub data, reviews are what
/// trailers and `r=` say, and months after the last one are unknown rather than zero (the
/// hint says how to get them).
fn activity_chart(input: &Community, from: Option<&str>, id: &str) -> (String, Option<String>) {
    let a = &input.activity;
    let (Some(first), Some(last)) = (a.first(), a.last()) else {
        return (String::new(), None);
    };
    let first = from.map_or(first.month.as_str(), |f| f.max(first.month.as_str()));
    let months = month_range(first, &last.month);
    let by: HashMap<&str, &crate::snapshot::MonthActivity> =
        a.iter().map(|m| (m.month.as_str(), m)).collect();
    let get = |f: fn(&crate::snapshot::MonthActivity) -> u64| -> Vec<u64> {
        months
            .iter()
            .map(|m| by.get(m.as_str()).map_or(0, |x| f(x)))
            .collect()
    };
    let mut reviews = get(|m| m.reviews);
    let last_review = reviews.iter().rposition(|&r| r > 0);
    let mut hint = None;
    if !input.site.synced {
        match last_review {
            None => {
                hint = Some(
                    "No reviews are recorded in this history (no Reviewed-by trailers, no r= in merges)"
                        .to_string(),
                );
                reviews.clear();
            }
            Some(i) if i + 1 < months.len() => {
                hint = Some(format!("The history records no review after {}", months[i]));
                reviews.truncate(i + 1);
            }
            Some(_) => {}
        }
    }
    let mut series = vec![Series {
        label: "merged PRs",
        class: "s0",
        values: get(|m| m.prs_merged),
    }];
    if !reviews.is_empty() {
        series.push(Series {
            label: "reviews",
            class: "s1",
            values: reviews,
        });
    }
    let title = if series.len() == 2 {
        "Merged pull requests and reviews per month"
    } else {
        "Merged pull requests per month"
    };
    (svg::bars(id, title, &months, &series), hint)
}
