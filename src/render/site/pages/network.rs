//! The review network page: the drawing, brokers, isolates and every metric.

use super::*;

/// How many people the network drawing shows (the table lists everyone).
const MAX_NODES: usize = 120;

/// How many of them are named in the drawing: the most central, so labels stay readable.
const MAX_LABELS: usize = 16;

/// The rows of the metrics table on the network page itself; all of them are on
/// [`METRICS`] and its pages.
const METRICS_SHOWN: usize = 25;

/// The whole list of isolates, paged.
pub(super) const ISOLATES: &str = "network/isolates.html";

/// The whole metrics table, paged.
const METRICS: &str = "network/metrics.html";

/// Each tie's (both directions') classes for the network's time filter: `t` when its last
/// activity is known, and `r<days>` for each window it had activity in (`r90 r365`).
fn tie_recency(input: &Community) -> HashMap<(&str, &str), String> {
    let starts = windows::window_starts(input);
    let mut last: HashMap<(&str, &str), &str> = HashMap::new();
    for e in &input.network.edges {
        let Some(day) = e.last.as_deref() else {
            continue;
        };
        let (a, b) = (e.from.as_str(), e.to.as_str());
        let key = if a < b { (a, b) } else { (b, a) };
        let l = last.entry(key).or_insert(day);
        *l = (*l).max(day);
    }
    last.into_iter()
        .map(|(k, day)| {
            let mut class = "t".to_string();
            for (d, start) in &starts {
                if day >= start.as_str() {
                    class.push_str(&format!(" r{d}"));
                }
            }
            (k, class)
        })
        .collect()
}

pub(super) fn network(input: &Community, ctx: &Ctx<'_>, ties: &Ties, pages: &mut Vec<Page>) {
    let c = input;
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
    let recency = tie_recency(input);
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
    // Named in the drawing: the most central (betweenness, then reputation).
    let central = |id: &str| {
        c.network
            .people
            .get(id)
            .map_or(0.0, |p| p.metrics.betweenness)
    };
    let mut by_centrality: Vec<&str> = chosen.clone();
    by_centrality.sort_by(|a, b| {
        central(b)
            .total_cmp(&central(a))
            .then(rep.get(b).unwrap_or(&0).cmp(rep.get(a).unwrap_or(&0)))
            .then(a.cmp(b))
    });
    let label_rank: HashMap<&str, usize> = by_centrality
        .iter()
        .take(MAX_LABELS)
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let nodes: Vec<svg::Node> = chosen
        .iter()
        .map(|id| {
            let name = ctx.people.get(id).map_or(*id, |x| x.0);
            svg::Node {
                label: name.to_string(),
                label_rank: label_rank.get(id).copied(),
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
    let classes: Vec<String> = pair
        .keys()
        .filter(|(a, b)| index.contains_key(a) && index.contains_key(b))
        .map(|k| recency.get(k).cloned().unwrap_or_default())
        .collect();
    let drawing = if nodes.is_empty() {
        String::new()
    } else {
        svg::network("The review network", &nodes, &edges, &classes)
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
    let isolate_rows: Vec<Value> = if n.people.is_empty() {
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
    let isolates = lists::preview(isolate_rows.clone(), Some(ctx.url(ISOLATES)));
    if isolate_rows.len() > lists::PREVIEW {
        lists::Paged {
            first: ISOLATES.into(),
            template: "people-list.html",
            title: "Isolates".into(),
            description: format!(
                "The {} people at the edge of the {} review network.",
                isolate_rows.len(),
                c.site.title
            ),
            nav: "network",
            data: json!({
                "lead": "People at the edge: nobody worked on their work and they worked on nobody's, or only one person ever reviewed them.",
                "back": {"name": "Review network", "url": ctx.url("network.html")},
            }),
            rows: isolate_rows,
            ctx,
        }
        .pages(pages);
    }
    let all_rows = rows.len();
    if all_rows > METRICS_SHOWN {
        lists::Paged {
            first: METRICS.into(),
            template: "metrics.html",
            title: "Network metrics".into(),
            description: format!(
                "Review network metrics of everyone in {}: reviewers, reviews, betweenness, closeness, clustering.",
                c.site.title
            ),
            nav: "network",
            data: json!({"columns": columns, "back": {"name": "Review network", "url": ctx.url("network.html")}}),
            rows: rows.clone(),
            ctx,
        }
        .pages(pages);
    }
    let rows: Vec<Value> = rows.into_iter().take(METRICS_SHOWN).collect();
    pages.push(Page {
        path: "network.html".into(),
        template: "network.html",
        title: "Review network".into(),
        description: format!(
            "Who reviews whom in {}: {} people, {} review ties, knowledge brokers and isolates.",
            input.site.title,
            n.people.len(),
            n.edges.len()
        ),
        nav: "network",
        data: json!({
            "svg": drawing,
            "shown": nodes.len(),
            "connected": connected.len(),
            "cut": connected.len() > nodes.len(),
            "legend": legend,
            "columns": columns,
            "rows": rows,
            "all_rows": all_rows,
            "rows_shown": METRICS_SHOWN.min(all_rows),
            "metrics_url": (all_rows > METRICS_SHOWN).then(|| ctx.url(METRICS)),
            "has_metrics": !n.people.is_empty(),
            "brokers": brokers_shown,
            "isolates": isolates,
            "summary": summary,
        }),
    });
}

/// Each person's main domain (the first domain listing them as an expert), with the
/// domain's index for a colour.
fn primary_domains(input: &Community) -> BTreeMap<String, (String, usize)> {
    let mut out = BTreeMap::new();
    for (k, d) in input.domains.iter().enumerate() {
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
