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

/// Renders `body` (the doc at `doc_path`) to safe HTML.
pub fn render(body: &str, doc_path: &str, links: &DocLinks<'_>, stats: &mut Stats) -> String {
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    // For each open link or image: whether its start was kept (so its end must be too),
    // and whether it was an image (whose end closes a link).
    let mut open: Vec<bool> = Vec::new();
    let events = Parser::new_ext(body, opts).filter_map(|ev| match ev {
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
    let mut out = String::with_capacity(body.len() + body.len() / 2);
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
