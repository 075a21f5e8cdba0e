//! The Outcomes page: each metric of the snapshot's `trends` as an SVG line chart over the
//! windows, with the interventions marked, the newcomer cohorts, and each intervention's
//! before/after table. Present only when the snapshot has trends (`site build` computes
//! them). The charts are drawn here, as inline SVG with the conventions of `svg.rs`: no
//! script, no inline style, a `<title>` and a `<desc>` repeating the numbers.

use std::fmt::Write as _;

use super::*;
use crate::analysis::trends::Trends;

/// The metrics charted, with their headings.
const CHARTS: [(&str, &str); 13] = [
    ("active_people", "Active people"),
    ("newcomers", "Newcomers"),
    (
        "newcomer_return_rate",
        "Newcomers back within 90 days (share)",
    ),
    (
        "median_days_to_first_review",
        "Median days to a newcomer's first review",
    ),
    ("reviews_per_merged_pr", "Reviews per merged pull request"),
    (
        "cross_domain_review_share",
        "Reviews outside the reviewer's domains (share)",
    ),
    ("review_ties", "Review ties"),
    ("density", "Density of the review network"),
    ("transitivity", "Transitivity of the review network"),
    ("brokers", "Knowledge brokers"),
    ("isolates", "Isolated people"),
    ("components", "Separate groups (components)"),
    (
        "median_days_to_reviewer",
        "Median days from first contribution to the reviewer step",
    ),
];

pub(super) fn outcomes(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let t = &input.trends;
    if t.windows.is_empty() {
        return;
    }
    let labels: Vec<&str> = t.windows.iter().map(|w| w.to.as_str()).collect();
    // Interventions at the window holding their date.
    let marks: Vec<(usize, &str)> = t
        .interventions
        .iter()
        .filter_map(|c| {
            let i = t
                .windows
                .iter()
                .position(|w| w.from.as_str() <= c.date.as_str() && c.date <= w.to)?;
            Some((i, c.intervention.as_str()))
        })
        .collect();
    let charts: Vec<Value> = CHARTS
        .iter()
        .enumerate()
        .map(|(k, (key, title))| {
            let values: Vec<Option<f64>> = t.windows.iter().map(|w| w.values.list()[k].1).collect();
            json!({
                "id": key,
                "title": title,
                "svg": line_chart(&format!("trend-{key}"), title, &labels, &values, &marks),
            })
        })
        .collect();
    let cohorts = cohort_rows(t);
    let interventions: Vec<Value> = t
        .interventions
        .iter()
        .map(|c| {
            let n = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "–".into());
            json!({
                "name": c.intervention,
                "date": c.date,
                "note": c.note,
                "before": format!("{} to {}", c.before.from, c.before.to),
                "after": format!("{} to {}", c.after.from, c.after.to),
                "metrics": c.metrics.iter().map(|m| json!({
                    "name": m.name,
                    "before": n(m.before),
                    "after": n(m.after),
                    "change": n(m.change),
                    "ci": match (m.ci_low, m.ci_high) {
                        (Some(lo), Some(hi)) => format!("{lo:.3} to {hi:.3}"),
                        _ => "–".into(),
                    },
                    "beyond_noise": m.beyond_noise,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    pages.push(Page {
        path: "outcomes.html".into(),
        template: "outcomes.html",
        title: "Outcomes".into(),
        description: format!(
            "How {} changed over time: participation, reviews and the network per {}-day window, newcomer cohorts and before/after interventions.",
            input.site.title, t.window_days
        ),
        nav: "outcomes",
        data: json!({
            "window_days": t.window_days,
            "charts": charts,
            "cohorts": cohorts,
            "interventions": interventions,
            "newcomers_url": ctx.url("newcomers.html"),
        }),
    });
}

/// The three metrics that changed most between the last two windows (relative to the
/// earlier value; from nothing to something counts most), for the home page.
pub(super) fn moved(input: &Community) -> Value {
    let w = &input.trends.windows;
    let (Some(prev), Some(last)) = (w.len().checked_sub(2).and_then(|i| w.get(i)), w.last()) else {
        return json!([]);
    };
    let mut changes: Vec<(f64, usize, f64, f64)> = prev
        .values
        .list()
        .iter()
        .zip(last.values.list())
        .enumerate()
        .filter_map(|(k, (&(_, a), (_, b)))| {
            let (a, b) = (a?, b?);
            (a != b).then(|| ((b - a).abs() / a.abs().max(1e-9), k, a, b))
        })
        .collect();
    changes.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    json!(changes
        .iter()
        .take(3)
        .map(|&(_, k, a, b)| json!({
            "title": CHARTS[k].1,
            "before": trim(a),
            "after": trim(b),
            "up": b > a,
        }))
        .collect::<Vec<_>>())
}

/// One row per cohort: its window, its newcomers, and per step "90 d / 180 d / 365 d".
fn cohort_rows(t: &Trends) -> Value {
    let rows: Vec<Value> = t
        .cohorts
        .iter()
        .filter(|c| c.newcomers > 0)
        .map(|c| {
            let n = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
            json!({
                "from": c.from,
                "to": c.to,
                "newcomers": c.newcomers,
                "steps": c.steps.iter().map(|s| json!({
                    "step": s.step,
                    "counts": format!("{} / {} / {}", n(s.after_90_days), n(s.after_180_days), n(s.after_365_days)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!(rows)
}

/// A line chart of `values` over `labels` (windows), gaps where a value is missing, dashed
/// markers at `marks` (window index, name). Coloured by `currentColor`, so both themes apply.
fn line_chart(
    id: &str,
    title: &str,
    labels: &[&str],
    values: &[Option<f64>],
    marks: &[(usize, &str)],
) -> String {
    use super::super::markdown::escape;
    let (w, h, left, bottom, top) = (720.0, 200.0, 56.0, 36.0, 14.0);
    let plot_w = w - left - 12.0;
    let plot_h = h - bottom - top;
    let max = values.iter().flatten().copied().fold(0.0f64, f64::max);
    let max = nice_ceiling(max);
    let x = |i: usize| {
        left + if labels.len() > 1 {
            plot_w * i as f64 / (labels.len() - 1) as f64
        } else {
            plot_w / 2.0
        }
    };
    let y = |v: f64| top + plot_h * (1.0 - v / max);
    let desc: Vec<String> = labels
        .iter()
        .zip(values)
        .map(|(l, v)| match v {
            Some(v) => format!("{l}: {}", trim(*v)),
            None => format!("{l}: none"),
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&desc.join(". "))
    );
    for frac in [0.0, 0.5, 1.0] {
        let v = max * frac;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="currentColor" stroke-opacity="0.2"/><text class="axis" x="{}" y="{:.1}" text-anchor="end" fill="currentColor">{}</text>"#,
            w - 12.0,
            left - 6.0,
            y(v) + 4.0,
            trim(v),
            y = y(v),
        );
    }
    // Segments of consecutive windows with a value.
    let mut path = String::new();
    let mut pen_up = true;
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{:.1} {:.1} ",
                    if pen_up { "M" } else { "L" },
                    x(i),
                    y(*v)
                );
                pen_up = false;
            }
            None => pen_up = true,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            s,
            r#"<path class="line" d="{}" fill="none" stroke="currentColor" stroke-width="2"/>"#,
            path.trim_end()
        );
    }
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="currentColor"/>"#,
                x(i),
                y(*v)
            );
        }
    }
    for &(i, name) in marks {
        let _ = write!(
            s,
            r#"<line class="mark" x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{}" stroke="currentColor" stroke-dasharray="4 3"/><text class="axis" x="{:.1}" y="{}" fill="currentColor">{}</text>"#,
            top + plot_h,
            x(i) + 4.0,
            top + 10.0,
            escape(name),
            x = x(i),
        );
    }
    // First and last window's end under the axis.
    if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
        let _ = write!(
            s,
            r#"<text class="axis" x="{left}" y="{}" fill="currentColor">{}</text><text class="axis" x="{}" y="{}" text-anchor="end" fill="currentColor">{}</text>"#,
            h - 12.0,
            escape(first),
            w - 12.0,
            h - 12.0,
            escape(last)
        );
    }
    s.push_str("</svg>");
    s
}

/// A number as short as it can be shown: at most 3 decimals, no trailing zeros.
fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The axis top: the smallest 1, 2, 2.5 or 5 × 10ⁿ at or above `max` (1 for nothing).
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let step = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * step)
        .find(|&t| t >= max)
        .unwrap_or(10.0 * step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(67.0), 100.0);
        assert_eq!(nice_ceiling(41.0), 50.0);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(trim(0.25), "0.25");
        assert_eq!(trim(50.0), "50");
    }

    #[test]
    fn a_chart_has_gaps_markers_and_escaped_text() {
        let svg = line_chart(
            "t",
            "A <title>",
            &["2024-01-01", "2024-04-01", "2024-07-01"],
            &[Some(1.0), None, Some(3.0)],
            &[(1, "pairing & <b>")],
        );
        assert!(
            svg.contains("<title id=\"t-t\">A &lt;title&gt;</title>"),
            "{svg}"
        );
        // Two separate pieces: the pen lifts over the missing window.
        let d = svg.split(" d=\"").nth(1).and_then(|r| r.split('"').next());
        assert_eq!(d.map(|d| d.matches('M').count()), Some(2), "{svg}");
        assert!(svg.contains("stroke-dasharray"), "{svg}");
        assert!(svg.contains("pairing &amp; &lt;b&gt;"), "{svg}");
        assert!(svg.contains("2024-04-01: none"), "{svg}");
        assert!(!svg.contains("style="), "no inline style: {svg}");
    }
}
