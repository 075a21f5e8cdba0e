//! The static community site: pages assembled from the snapshot, rendered through the
//! Handlebars templates of `templates/site/` (overridable from `.guild/templates/site/`),
//! charts and the network drawn as SVG, a JSON search index, internal links checked, and
//! the whole tree written atomically.
//!
//! What it reads: the [`Community`] snapshot only, typed throughout (a section such as
//! `domains` renders when it is not empty), so `site build --from-context` gives the same
//! site. What it does not do: read history, compute scores, or touch the network; every page is built in memory first and nothing is
//! written unless the whole site (links included) is good.

mod interrupt;
mod links;
pub mod markdown;
mod pages;
#[cfg(test)]
mod scale_tests;
#[cfg(test)]
mod tests;
mod write;

pub use links::check_links;
pub use write::{write, MARKER};
pub mod serve;
pub mod svg;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::render::templates::{Escape, Templates};
use crate::snapshot::Community;

/// How to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// URL prefix of every internal link, normalised to end with `/`.
    pub base_url: String,
    /// `.guild/templates/site` of the repository.
    pub templates: Option<PathBuf>,
}

/// A built site, in memory.
pub struct Site {
    /// Path relative to the output folder → bytes, sorted.
    pub files: BTreeMap<String, Vec<u8>>,
    pub pages: usize,
    pub phases: Vec<(&'static str, Duration)>,
    /// Things a maintainer may want to know (links dropped from doc bodies...).
    pub notes: Vec<String>,
}

const CSS: &str = include_str!("../../../templates/site/static/site.css");
const JS: &str = include_str!("../../../templates/site/static/site.js");
const FAVICON: &str = include_str!("../../../templates/site/static/favicon.svg");

/// Normalises `--base-url`: `proj` → `/proj/`, `https://x.io/p` → `https://x.io/p/`.
pub fn normalise_base(base: &str) -> String {
    let b = base.trim();
    let mut s = if b.starts_with("http://") || b.starts_with("https://") || b.starts_with('/') {
        b.to_string()
    } else {
        format!("/{b}")
    };
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// Deferred pages rendered at once: enough to keep every core busy, few enough that their
/// rows stay small.
const DEFERRED_BATCH: usize = 1024;

/// Builds every page in memory and checks the internal links.
pub fn build(input: &Community, opts: &Options) -> anyhow::Result<Site> {
    let mut phases = Vec::new();
    let t = Instant::now();
    let templates = Templates::load("site", opts.templates.as_deref(), true, Escape::Html)?;
    let static_file = |name: &str, embedded: &str| -> anyhow::Result<Vec<u8>> {
        match opts.templates.as_ref().map(|d| d.join("static").join(name)) {
            Some(p) if p.is_file() => {
                std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))
            }
            _ => Ok(embedded.as_bytes().to_vec()),
        }
    };
    let pages::Assembled {
        pages: list,
        deferred,
        search,
        directory,
        feed,
        calendar,
        mut notes,
    } = pages::assemble(input, &opts.base_url);
    phases.push(("assemble", t.elapsed()));

    let t = Instant::now();
    let rendered = render_all(&templates, &list, input, &opts.base_url)?;
    drop(list);
    let mut files: BTreeMap<String, Vec<u8>> = rendered.into_iter().collect();
    // Pages of long lists get their rows a batch at a time, so that only one batch of rows
    // is ever held (see `pages::Deferred`).
    let mut deferred = deferred.into_iter().peekable();
    while deferred.peek().is_some() {
        let batch: Vec<pages::Page> = deferred
            .by_ref()
            .take(DEFERRED_BATCH)
            .map(pages::Deferred::page)
            .collect();
        files.extend(render_all(&templates, &batch, input, &opts.base_url)?);
    }
    let pages = files.len();
    files.insert("site.css".into(), static_file("site.css", CSS)?);
    files.insert("site.js".into(), static_file("site.js", JS)?);
    files.insert("favicon.svg".into(), static_file("favicon.svg", FAVICON)?);
    files.extend(search);
    files.insert("people/directory.json".into(), directory);
    if let Some(feed) = feed {
        files.insert("feed.xml".into(), feed);
    }
    if let Some(ics) = calendar {
        files.insert("rituals.ics".into(), ics);
    }
    // A sitemap lists full addresses: only with an absolute base URL (`site.base_url`).
    if let Some(xml) = sitemap(&files, &opts.base_url) {
        files.insert("sitemap.xml".into(), xml.into_bytes());
    }
    // GitHub Pages would otherwise run Jekyll over the site.
    files.insert(".nojekyll".into(), Vec::new());
    let marker = write::marker_text(files.keys());
    files.insert(MARKER.into(), marker);
    phases.push(("render", t.elapsed()));

    let t = Instant::now();
    check_links(&files, &opts.base_url)?;
    phases.push(("links", t.elapsed()));
    notes.sort();
    Ok(Site {
        files,
        pages,
        phases,
        notes,
    })
}

/// Renders each page's template and wraps it in `layout.html`, on every core.
fn render_all(
    templates: &Templates,
    list: &[pages::Page],
    input: &Community,
    base: &str,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let threads = crate::util::threads(8);
    let chunk = list.len().div_ceil(threads).max(1);
    let site = pages::site_context(input, base);
    std::thread::scope(|s| {
        let handles: Vec<_> = list
            .chunks(chunk)
            .map(|pages| {
                let site = &site;
                s.spawn(move || -> anyhow::Result<Vec<(String, Vec<u8>)>> {
                    let mut out = Vec::with_capacity(pages.len());
                    for p in pages {
                        let body = templates
                            .render(p.template, &p.data)
                            .with_context(|| format!("while rendering {}", p.path))?;
                        let page = serde_json::json!({
                            "site": site,
                            "title": p.title,
                            "description": p.description,
                            "canonical": site["absolute"].as_bool().unwrap_or(false).then(|| format!("{base}{}", p.path.strip_suffix("index.html").unwrap_or(&p.path))),
                            "home": p.path == "index.html",
                            "nav": pages::nav(site, p.nav),
                            "body": body,
                            "base": base,
                            "search": p.path == "search.html",
                        });
                        let html = templates
                            .render("layout.html", &page)
                            .with_context(|| format!("while rendering {}", p.path))?;
                        out.push((p.path.clone(), html.into_bytes()));
                    }
                    Ok(out)
                })
            })
            .collect();
        let mut all = Vec::with_capacity(list.len());
        for h in handles {
            match h.join() {
                Ok(r) => all.extend(r?),
                Err(_) => anyhow::bail!("a page-rendering thread panicked"),
            }
        }
        Ok(all)
    })
}

/// `sitemap.xml` (every page but the 404), when the base URL is absolute: a sitemap lists
/// full addresses only.
fn sitemap(files: &BTreeMap<String, Vec<u8>>, base: &str) -> Option<String> {
    if !(base.starts_with("https://") || base.starts_with("http://")) {
        return None;
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in files
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html")
    {
        let rel = path.strip_suffix("index.html").unwrap_or(path);
        xml.push_str("<url><loc>");
        xml.push_str(&markdown::escape(&format!("{base}{rel}")));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    Some(xml)
}

/// `1.23s` / `45ms`.
pub fn secs(d: Duration) -> String {
    if d.as_millis() >= 1000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}
