//! The domains: experts, bus factors and single points of failure per domain.

use super::*;

pub(super) fn domains(input: &Community, ctx: &Ctx<'_>, pages: &mut Vec<Page>) {
    let list = &input.domains;
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
            description: format!(
                "Who knows the {} domain of {}: {} experts, truck factor {}, {} single points of failure.",
                d.name,
                input.site.title,
                d.experts.len(),
                d.truck_factor,
                d.single_points_of_failure.len()
            ),
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
                "path": input.paths.iter().find(|x| x.domain == d.name).map(|x| json!({
                    "docs": x.docs.iter().filter_map(|p| input.docs.iter().find(|doc| &doc.path == p)).map(|doc| ctx.doc_ref(doc)).collect::<Vec<_>>(),
                    "ask": x.ask.iter().map(|a| ctx.person_ref(a)).collect::<Vec<_>>(),
                })),
                "index_url": ctx.url("domains/"),
            }),
        });
    }
    pages.push(Page {
        path: "domains/index.html".into(),
        template: "domains.html",
        title: "Domains".into(),
        description: format!(
            "The {} domains of {} with their experts, truck factors and single points of failure.",
            input.domains.len(),
            input.site.title
        ),
        nav: "domains",
        data: json!({"domains": rows}),
    });
}
