//! Time windows on the site (issue 14): all time, the last year, the last 90 days, for the
//! rankings (the people directory, the home page's top people), the activity chart and the
//! network's ties. Without JavaScript all time shows; `site.js` turns the switch on and
//! shows the other windows from the same page and the same `directory.json`.

use super::*;

/// `{name, days, options}` for `partials/windows.html`: the radio group that picks a
/// window (all time first and checked), or `null` when the snapshot has no windows (one
/// saved before they existed).
pub(super) fn window_switch(input: &Community, name: &str) -> Value {
    let days = &input.windows.days;
    if days.is_empty() {
        return Value::Null;
    }
    let mut options = vec![json!({"value": "all", "label": "All time", "checked": true})];
    let mut sorted = days.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    for d in sorted {
        options.push(json!({"value": d.to_string(), "label": window_label(d), "checked": false}));
    }
    json!({
        "name": name,
        "days": days.iter().map(u32::to_string).collect::<Vec<_>>().join(" "),
        "options": options,
    })
}

/// `Last year`, `Last 90 days`.
pub(super) fn window_label(days: u32) -> String {
    match days {
        365 => "Last year".into(),
        d => format!("Last {d} days"),
    }
}

/// The first day of each window (`YYYY-MM-DD`, `as_of` minus its days), by window length:
/// where the network's ties and the charts are cut, to the day.
pub(super) fn window_starts(input: &Community) -> Vec<(u32, String)> {
    let Some(as_of) = crate::util::parse_rfc3339(&input.as_of) else {
        return Vec::new();
    };
    input
        .windows
        .days
        .iter()
        .map(|&d| (d, crate::util::day(as_of - i64::from(d) * 86_400)))
        .collect()
}

/// The home page's most recognised people per window: `[{value, label, top}]`, each `top`
/// the ten humans with the most points in that window (ties as [`crate::snapshot::rank`]).
pub(super) fn top_per_window(input: &Community, ctx: &Ctx<'_>) -> Vec<Value> {
    let c = input;
    c.windows
        .days
        .iter()
        .enumerate()
        .map(|(w, &d)| {
            let mut top: Vec<(&PersonSummary, [u64; 3])> = c
                .people
                .iter()
                .filter(|p| !p.is_bot)
                .map(|p| (p, c.windows.of(&p.id, w)))
                .filter(|(_, s)| s[0] > 0)
                .collect();
            top.sort_by(|(a, x), (b, y)| {
                y[0].cmp(&x[0]).then(y[2].cmp(&x[2])).then(a.id.cmp(&b.id))
            });
            let top: Vec<Value> = top
                .iter()
                .take(10)
                .map(|(p, s)| {
                    let mut r = ctx.person_ref(&p.id);
                    r["total"] = json!(s[0]);
                    r
                })
                .collect();
            json!({"value": d.to_string(), "label": window_label(d), "top": top})
        })
        .collect()
}
