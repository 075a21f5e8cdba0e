//! The knowledge base: the list of docs and a page per doc.

use super::*;

pub(super) fn docs(
    input: &Community,
    ctx: &Ctx<'_>,
    slugs: &[String],
    pages: &mut Vec<Page>,
    notes: &mut Vec<String>,
) {
    let c = input;
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
                    "draft": is_draft(d),
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
        description: format!(
            "{} docs of {}: case rounds, retrospectives, decisions and guides.",
            c.docs.len(),
            c.site.title
        ),
        nav: "docs",
        data: json!({
            "count": c.docs.len(),
            "kinds": groups(&by_kind, &kind_url),
            "domains": groups(&by_domain, &domain_url),
            "tags": groups(&by_tag, &tag_url),
            "latest": list_of(&order[order.len().saturating_sub(30)..]),
            "unreadable": c.site.doc_errors,
        }),
    });
    for (what, map, slugs, dir) in [
        ("Kind", &by_kind, &kind_slugs, "kind"),
        ("Domain", &by_domain, &domain_slugs, "domain"),
        ("Tag", &by_tag, &tag_slugs, "tag"),
    ] {
        for ((name, ids), s) in map.iter().zip(slugs) {
            lists::Paged {
                first: format!("docs/{dir}/{s}.html"),
                template: "doc-list.html",
                title: format!("{what}: {name}"),
                description: format!(
                    "{} docs of {} with the {} {name}, newest first.",
                    ids.len(),
                    c.site.title,
                    what.to_lowercase()
                ),
                nav: "docs",
                data: json!({"what": what, "name": name, "docs_url": ctx.url("docs/")}),
                rows: list_of(ids),
                ctx,
            }
            .pages(pages);
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
        let body = d.body.as_str();
        let (html, toc) = markdown::render_doc(body, title_of(d), &d.path, &links, &mut stats);
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
            description: doc_description(d),
            nav: "docs",
            data: json!({
                "title": title_of(d),
                "draft": is_draft(d),
                // A table of contents when there is something to find in the doc.
                "toc": if toc.len() >= 3 { toc } else { Vec::new() },
                "path": d.path,
                "source_url": ctx.github(&format!("blob/{}/{}", input.head, d.path)),
                "edit_url": input.site.branch.as_deref().and_then(|b| ctx.github(&format!("edit/{b}/{}", d.path))),
                "updated": input.site.doc_updated.get(&d.path),
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

/// A doc whose `status` says it is not finished (`draft`, as `cargo guild new` writes it).
fn is_draft(d: &DocSummary) -> bool {
    d.status
        .as_deref()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("draft"))
}

/// A doc page's description: its kind and date, then the first words of its text.
fn doc_description(d: &DocSummary) -> String {
    let text = markdown::plain_text(&d.body);
    let mut words = String::new();
    for w in text.split_whitespace() {
        if words.len() + w.len() > 150 {
            words.push_str(" …");
            break;
        }
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(w);
    }
    let head = format!("{} {} {}", title_of(d), d.kind, d.date);
    if words.is_empty() {
        head
    } else {
        format!("{head}: {words}")
    }
}

/// `feed.xml`: an Atom feed of the 20 newest docs, when the base URL is absolute (a feed's
/// addresses must be).
pub(super) fn feed(input: &Community, ctx: &Ctx<'_>) -> Option<Vec<u8>> {
    let base = ctx.base;
    if !(base.starts_with("https://") || base.starts_with("http://")) || input.docs.is_empty() {
        return None;
    }
    let esc = markdown::escape;
    let mut newest: Vec<&DocSummary> = input.docs.iter().collect();
    newest.sort_by(|a, b| b.date.cmp(&a.date).then(a.path.cmp(&b.path)));
    newest.truncate(20);
    let stamp = |date: &str| {
        if date.len() == 10 {
            format!("{date}T00:00:00Z")
        } else {
            input.as_of.clone()
        }
    };
    let updated = newest
        .first()
        .map(|d| stamp(&d.date))
        .unwrap_or_else(|| input.as_of.clone());
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>{} knowledge base</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link href=\"{}\"/>\n<updated>{}</updated>\n",
        esc(&input.site.title),
        esc(&ctx.url("docs/")),
        esc(&ctx.url("feed.xml")),
        esc(&ctx.url("docs/")),
        esc(&updated)
    );
    for d in newest {
        let Some(url) = ctx.doc_urls.get(&d.path) else {
            continue;
        };
        let authors: String = d
            .authors
            .iter()
            .map(|a| {
                let name = ctx.people.get(a.as_str()).map_or(a.as_str(), |x| x.0);
                format!("<author><name>{}</name></author>", esc(name))
            })
            .collect();
        xml.push_str(&format!(
            "<entry><title>{}</title><id>{}</id><link href=\"{}\"/><updated>{}</updated>{authors}<summary>{}</summary></entry>\n",
            esc(title_of(d)),
            esc(url),
            esc(url),
            esc(&stamp(&d.date)),
            esc(&doc_description(d))
        ));
    }
    xml.push_str("</feed>\n");
    Some(xml.into_bytes())
}
