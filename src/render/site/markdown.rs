//! Markdown bodies of the knowledge base, rendered to HTML that cannot run anything.
//!
//! Doc bodies come from contributors and are hostile by default. pulldown-cmark escapes
//! text and attributes; on top of that this module:
//! - turns raw HTML (blocks and inline) into text, so `<script>` shows as code;
//! - keeps links only to `http:`, `https:`, `mailto:`, fragments, and other docs of the
//!   knowledge base (relative `.md` links are rewritten to their page); any other scheme
//!   (`javascript:`, `data:`, `vbscript:`...) or an unresolved relative link becomes plain text;
//! - turns images into links to the image, so a page never makes a request to another host
//!   (and never loads a file the site does not have).
//!
//! It does not check external links: they are not requests, and the build is offline.

use std::collections::BTreeMap;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// How a relative link to a doc is turned into a page URL.
pub struct DocLinks<'a> {
    /// Doc path (relative to the repository root, `/` separators) → page URL.
    pub pages: &'a BTreeMap<String, String>,
}

/// What rendering found, for the build's notes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Links dropped to text (unsafe scheme or nowhere to go).
    pub links_dropped: usize,
    /// Raw HTML fragments shown as text.
    pub raw_html: usize,
}

const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_FOOTNOTES);

/// Renders a doc's body as its page shows it: what [`render`] does, after dropping what a
/// template leaves for the writer and a reader should not see: HTML comments (a template's
/// `<!-- guidance -->`), a first `# Title` that repeats the page's title, list items and
/// table rows left empty. Other level-1 headings become level 2 (the page's title is the
/// one `<h1>`).
pub fn render_doc(
    body: &str,
    title: &str,
    doc_path: &str,
    links: &DocLinks<'_>,
    stats: &mut Stats,
) -> (String, Vec<TocEntry>) {
    let mut events = tidy(Parser::new_ext(body, OPTIONS).collect(), title);
    let toc = anchor_headings(&mut events);
    (
        render_events(events, doc_path, links, stats, body.len()),
        toc,
    )
}

/// A heading of a doc, for its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TocEntry {
    /// 2 or 3 (a body's `#` is shown as level 2).
    pub level: u8,
    pub text: String,
    /// The heading's `id` (`#what-happened`).
    pub id: String,
}

/// Gives every heading an id from its text (unique in the doc, never one the page's layout
/// uses) and returns the level-2 and level-3 ones for a table of contents.
fn anchor_headings(events: &mut [Event<'_>]) -> Vec<TocEntry> {
    use pulldown_cmark::HeadingLevel;
    let mut taken: std::collections::HashSet<String> = ["main", "site-q", "q", "toc-h"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut toc = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for i in 0..events.len() {
        match &events[i] {
            Event::Start(Tag::Heading { .. }) => open = Some((i, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = open.as_mut() {
                    text.push_str(t);
                }
            }
            Event::End(TagEnd::Heading(level)) => {
                let level = *level;
                let Some((at, text)) = open.take() else {
                    continue;
                };
                let base = crate::util::slug(&text, "section");
                let mut id = base.clone();
                let mut n = 1;
                while !taken.insert(id.clone()) {
                    n += 1;
                    id = format!("{base}-{n}");
                }
                if let Event::Start(Tag::Heading {
                    level: l,
                    classes,
                    attrs,
                    ..
                }) = &events[at]
                {
                    events[at] = Event::Start(Tag::Heading {
                        level: *l,
                        id: Some(id.clone().into()),
                        classes: classes.clone(),
                        attrs: attrs.clone(),
                    });
                }
                let level = match level {
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => continue,
                };
                toc.push(TocEntry {
                    level,
                    text: text.trim().to_string(),
                    id,
                });
            }
            _ => {}
        }
    }
    toc
}

/// Renders `body` (the doc at `doc_path`) to safe HTML.
pub fn render(body: &str, doc_path: &str, links: &DocLinks<'_>, stats: &mut Stats) -> String {
    render_events(
        Parser::new_ext(body, OPTIONS).collect(),
        doc_path,
        links,
        stats,
        body.len(),
    )
}

/// The text of a Markdown body, without markup or HTML comments: for descriptions and
/// the search index.
pub fn plain_text(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for ev in tidy(Parser::new_ext(body, OPTIONS).collect(), "") {
        match ev {
            Event::Text(t) | Event::Code(t) => {
                out.push_str(&t);
                out.push(' ');
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out
}

fn is_comment(html: &str) -> bool {
    html.trim_start().starts_with("<!--")
}

/// HTML with its comments removed (`<!-- a -->b` → `b`; an unclosed comment runs to the end).
fn strip_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i + 4..].find("-->") {
            Some(j) => rest = &rest[i + 4 + j + 3..],
            None => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// Whether an event shows something to a reader.
fn shows(ev: &Event<'_>) -> bool {
    match ev {
        Event::Text(t) => !t.trim().is_empty(),
        Event::Code(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_)
        | Event::FootnoteReference(_)
        | Event::Rule
        | Event::TaskListMarker(true) => true,
        Event::Html(h) | Event::InlineHtml(h) => !h.trim().is_empty(),
        Event::Start(Tag::Image { .. }) | Event::Start(Tag::CodeBlock(_)) => true,
        _ => false,
    }
}

/// The cleaning of [`render_doc`], on parser events.
fn tidy<'a>(events: Vec<Event<'a>>, title: &str) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::with_capacity(events.len());
    // Where each open item, list, table row and table started in `out`.
    let mut open: Vec<usize> = Vec::new();
    let mut in_comment = false;
    let mut html_block: Option<(usize, String)> = None;
    let mut first_heading = true;
    let mut drop_heading: Option<usize> = None;
    let wanted = title.trim().to_lowercase();
    for ev in events {
        // An HTML block: gathered, then kept without its comments (or dropped if that is all).
        if let Some((_, text)) = html_block.as_mut() {
            match ev {
                Event::Html(h) | Event::Text(h) => {
                    text.push_str(&h);
                    continue;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    let (at, text) = html_block.take().unwrap_or_default();
                    let kept = strip_comments(&text);
                    if !kept.trim().is_empty() {
                        out.truncate(at);
                        out.push(Event::Start(Tag::HtmlBlock));
                        out.push(Event::Html(kept.into()));
                        out.push(Event::End(TagEnd::HtmlBlock));
                    }
                    continue;
                }
                _ => {}
            }
        }
        // An inline comment, possibly over several events.
        if in_comment {
            if let Event::InlineHtml(h) | Event::Text(h) = &ev {
                if h.contains("-->") {
                    in_comment = false;
                }
            }
            continue;
        }
        match &ev {
            Event::Start(Tag::HtmlBlock) => {
                html_block = Some((out.len(), String::new()));
                continue;
            }
            Event::InlineHtml(h) if is_comment(h) => {
                in_comment = !h.contains("-->");
                continue;
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let first = std::mem::replace(&mut first_heading, false);
                if first && *level == pulldown_cmark::HeadingLevel::H1 && !wanted.is_empty() {
                    drop_heading = Some(out.len());
                }
            }
            _ => {}
        }
        match ev {
            Event::Start(Tag::Heading {
                level: pulldown_cmark::HeadingLevel::H1,
                id,
                classes,
                attrs,
            }) => out.push(Event::Start(Tag::Heading {
                level: pulldown_cmark::HeadingLevel::H2,
                id,
                classes,
                attrs,
            })),
            Event::End(TagEnd::Heading(level)) => {
                if let Some(at) = drop_heading.take() {
                    let text: String = out[at..]
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    if text.trim().to_lowercase() == wanted {
                        out.truncate(at);
                        continue;
                    }
                }
                let level = if level == pulldown_cmark::HeadingLevel::H1 {
                    pulldown_cmark::HeadingLevel::H2
                } else {
                    level
                };
                out.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Item)
            | Event::Start(Tag::List(_))
            | Event::Start(Tag::TableRow)
            | Event::Start(Tag::Table(_)) => {
                open.push(out.len());
                out.push(ev);
            }
            Event::End(TagEnd::Item) | Event::End(TagEnd::TableRow) => {
                let at = open.pop().unwrap_or(0);
                if out[at..].iter().any(shows) {
                    out.push(ev);
                } else {
                    out.truncate(at);
                }
            }
            Event::End(TagEnd::List(_)) => {
                let at = open.pop().unwrap_or(0);
                if out[at..]
                    .iter()
                    .any(|e| matches!(e, Event::Start(Tag::Item)))
                {
                    out.push(ev);
                } else {
                    out.truncate(at);
                }
            }
            Event::End(TagEnd::Table) => {
                // Kept when a row is left besides the header.
                let at = open.pop().unwrap_or(0);
                if out[at..]
                    .iter()
                    .any(|e| matches!(e, Event::Start(Tag::TableRow)))
                {
                    out.push(ev);
                } else {
                    out.truncate(at);
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn render_events(
    raw: Vec<Event<'_>>,
    doc_path: &str,
    links: &DocLinks<'_>,
    stats: &mut Stats,
    size: usize,
) -> String {
    // For each open link or image: whether its start was kept (so its end must be too),
    // and whether it was an image (whose end closes a link).
    let mut open: Vec<bool> = Vec::new();
    let events = raw.into_iter().filter_map(|ev| match ev {
        Event::Html(html) | Event::InlineHtml(html) => {
            stats.raw_html += 1;
            Some(Event::Text(html))
        }
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented))),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::CodeBlock)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        })
        | Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => match safe_url(&dest_url, doc_path, links) {
            Some(url) => {
                open.push(true);
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url: url.into(),
                    title,
                    id,
                }))
            }
            None => {
                stats.links_dropped += 1;
                open.push(false);
                None
            }
        },
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            if open.pop().unwrap_or(false) {
                Some(Event::End(TagEnd::Link))
            } else {
                None
            }
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(size + size / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// The URL's scheme, lowercased, as a browser would read it (ASCII whitespace and control
/// characters inside a URL are ignored by browsers: `java\tscript:` is `javascript:`).
pub fn scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let end = cleaned.find([':', '/', '?', '#'])?;
    cleaned[end..]
        .starts_with(':')
        .then(|| cleaned[..end].to_ascii_lowercase())
}

/// The URL to link to, or `None` to drop the link and keep its text.
fn safe_url(url: &str, doc_path: &str, links: &DocLinks<'_>) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some(s) = scheme(url) {
        return matches!(s.as_str(), "http" | "https" | "mailto").then(|| url.to_string());
    }
    if url.starts_with('#') {
        return Some(url.to_string());
    }
    if url.starts_with("//") {
        // Protocol-relative: another host. A link, not a request; keep it explicit.
        return Some(format!("https:{url}"));
    }
    // A relative link: to another doc of the knowledge base, or nothing we publish.
    let (path, frag) = match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let target = resolve(doc_path, path)?;
    links.pages.get(&target).map(|page| format!("{page}{frag}"))
}

/// Resolves `rel` against the folder of `from` (both relative to the repository root);
/// a leading `/` means the repository root. `None` when it climbs above the root.
fn resolve(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = from.split('/').collect();
        p.pop();
        p
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Escapes text for HTML content and quoted attributes (the one escaping, `render::escape_xml`).
pub fn escape(s: &str) -> String {
    crate::render::escape_xml(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(body: &str) -> String {
        let mut pages = BTreeMap::new();
        pages.insert(
            "community/cases/2024-01-01-other.md".to_string(),
            "/docs/other.html".to_string(),
        );
        let links = DocLinks { pages: &pages };
        render(
            body,
            "community/cases/2024-02-02-this.md",
            &links,
            &mut Stats::default(),
        )
    }

    #[test]
    fn raw_html_becomes_text() {
        let html = md("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(2)> there");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_schemes_are_dropped() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "javascript&#58;alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
        ] {
            let html = md(&format!("[click]({url}) and <{url}>"));
            assert!(!html.contains("href"), "{url}: {html}");
            assert!(html.contains("click"), "{url}: {html}");
        }
    }

    #[test]
    fn images_become_links_and_doc_links_resolve() {
        let html = md("![alt](https://cdn.example/x.png) [o](../cases/2024-01-01-other.md#s) [n](missing.md) [w](https://example.org/\"onmouseover=x)");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"<a href="https://cdn.example/x.png">alt</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="/docs/other.html#s">o</a>"#),
            "{html}"
        );
        assert!(!html.contains("missing.md"), "{html}");
        assert!(!html.contains("\"onmouseover"), "{html}");
    }

    #[test]
    fn schemes_are_read_like_a_browser() {
        assert_eq!(scheme(" JAVASCRIPT:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("a/b:c"), None);
        assert_eq!(scheme("#x:y"), None);
    }
}
