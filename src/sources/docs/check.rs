//! The checks that keep the knowledge base healthy: required front matter, known kinds,
//! titles, dates, domains, unique ids and links that resolve. [`docs_check`] is what
//! `cargo guild docs check` and the GitHub Action run on the docs a pull request changes.
//! Reading and parsing docs is the parent module; findings are facts about files, never
//! scores.
//!
//! A doc's **id** is `<kind>/<file stem>` in lowercase, e.g.
//! `retrospective/2024-05-01-release-outage`. It is what the site uses for URLs, so two docs
//! with the same id (the same kind and file name in two folders, or names that differ only
//! in case and collide on macOS and Windows) are a finding.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::DocRecord;
use crate::config::Config;

/// The kinds with a built-in template under `templates/docs/` (kept in sync by a test).
pub const BUILTIN_KINDS: &[&str] = &[
    "case-round",
    "decision-walkthrough",
    "hot-seat",
    "learning-circle",
    "micro-teach",
    "problem-based-learning",
    "retrospective",
    "think-pair-share",
];

/// Front-matter fields every doc must have.
pub const REQUIRED: &[&str] = &["title", "kind", "date", "authors"];

/// The longest title accepted (characters).
pub const MAX_TITLE: usize = 200;

/// How serious a finding is: errors fail `docs check` (exit 1), warnings are only printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    #[default]
    Error,
    /// Something a reader would notice but the site renders fine (an unfilled template
    /// section), so it must not block a pull request.
    Warning,
}

/// One problem found in a doc: `path:line: message` (`path:line: warning: message`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    /// 1-based line in the file.
    pub line: usize,
    pub message: String,
    pub level: Level,
}

impl Finding {
    pub fn is_warning(&self) -> bool {
        self.level == Level::Warning
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = if self.is_warning() { "warning: " } else { "" };
        write!(f, "{}:{}: {level}{}", self.path, self.line, self.message)
    }
}

/// Checks the docs under `root/<docs_dir>` (all of them, or only `files`), sorted by path,
/// line and message. `files` may be absolute or relative to `root`; entries that are not
/// Markdown files under the docs folder are ignored, so a caller can pass every changed
/// path of a pull request. A listed file that does not exist is a finding. Duplicate ids are
/// found against every doc, but reported only on the selected files.
pub fn docs_check(root: &Path, config: &Config, files: Option<&[PathBuf]>) -> Vec<Finding> {
    let kinds = known_kinds(root);
    let (all, errors) = super::load(root, &config.docs_dir);
    let selected: Option<BTreeSet<String>> = files.map(|fs| {
        fs.iter()
            .filter_map(|f| doc_path(root, config, f))
            .collect()
    });
    let wanted = |p: &str| selected.as_ref().map_or(true, |s| s.contains(p));
    let mut findings = Vec::new();
    if let Some(sel) = &selected {
        let present: BTreeSet<&str> = all
            .iter()
            .map(|d| d.path.as_str())
            .chain(errors.iter().map(|e| e.path.as_str()))
            .collect();
        for p in sel.iter().filter(|p| !present.contains(p.as_str())) {
            findings.push(Finding {
                path: p.clone(),
                line: 1,
                message: "cannot read: the file does not exist".into(),
                level: Level::Error,
            });
        }
    }
    for e in errors.iter().filter(|e| wanted(&e.path)) {
        findings.push(Finding {
            path: e.path.clone(),
            line: e.line,
            message: e.message.clone(),
            level: Level::Error,
        });
    }
    for d in all.iter().filter(|d| wanted(&d.path)) {
        findings.extend(check_doc(d, &kinds, config));
        findings.extend(check_links(root, d));
        findings.extend(super::unfilled::check_unfilled(d));
    }
    let mut by_id: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for d in &all {
        if let Some(id) = d.id() {
            by_id.entry(id).or_default().push(&d.path);
        }
    }
    for (id, paths) in by_id.iter().filter(|(_, p)| p.len() > 1) {
        for p in paths.iter().filter(|p| wanted(p)) {
            let others: Vec<&str> = paths.iter().copied().filter(|o| o != p).collect();
            findings.push(Finding {
                path: p.to_string(),
                line: 1,
                message: format!(
                    "duplicate id `{id}`: also used by {}; rename one of the files",
                    others.join(", ")
                ),
                level: Level::Error,
            });
        }
    }
    findings.sort();
    findings.dedup();
    findings
}

/// The root-relative `/` path of `file` if it is a Markdown file under the docs folder.
pub fn doc_path(root: &Path, config: &Config, file: &Path) -> Option<String> {
    let rel = match file.strip_prefix(root) {
        Ok(r) => r.to_path_buf(),
        Err(_) if file.is_absolute() => {
            let root = root.canonicalize().ok()?;
            // The file may not exist (deleted): canonicalise its folder instead.
            let parent = file.parent()?.canonicalize().ok()?;
            parent
                .join(file.file_name()?)
                .strip_prefix(&root)
                .ok()?
                .to_path_buf()
        }
        Err(_) => file.to_path_buf(),
    };
    let rel = normalize(&rel)?;
    let docs_dir = normalize(Path::new(&config.docs_dir))?;
    (rel.starts_with(&docs_dir) && rel.extension().is_some_and(|e| e == "md"))
        .then(|| rel.to_string_lossy().replace('\\', "/"))
}

/// Lexical normalisation (`.` dropped, `..` applied); `None` if it climbs above the start.
fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Built-in kinds and the community's own (`.guild/templates/<kind>.md.hbs`), sorted.
/// Reads file names only, so a broken custom template does not hide every kind.
pub fn known_kinds(root: &Path) -> BTreeSet<String> {
    let mut kinds: BTreeSet<String> = BUILTIN_KINDS.iter().map(|k| k.to_string()).collect();
    if let Ok(entries) = std::fs::read_dir(root.join(".guild/templates")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(kind) = name.strip_suffix(".md.hbs") {
                if is_kind_name(kind) && e.path().is_file() {
                    kinds.insert(kind.to_string());
                }
            }
        }
    }
    kinds
}

/// Top-level templates in `.guild/templates/` that are not doc kinds (the pull-request
/// comment of the GitHub Action lives there too).
const NOT_KINDS: &[&str] = &["comment"];

/// A kind is a folder name too: lowercase ASCII letters, digits and inner `-`.
pub fn is_kind_name(kind: &str) -> bool {
    !kind.is_empty()
        && !NOT_KINDS.contains(&kind)
        && kind.len() <= 64
        && kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !kind.starts_with('-')
        && !kind.ends_with('-')
}

/// Why a title is not acceptable, if it is not.
pub fn title_problem(title: &str) -> Option<String> {
    if title.trim().is_empty() {
        return Some("the title is empty".into());
    }
    if let Some(c) = title.chars().find(|c| c.is_control()) {
        return Some(format!(
            "the title contains a control character ({c:?}): titles are one line of text"
        ));
    }
    let n = title.chars().count();
    (n > MAX_TITLE).then(|| format!("the title is {n} characters long; keep it under {MAX_TITLE}"))
}

/// Parses a strict `YYYY-MM-DD` date (zero-padded, a real day).
pub fn valid_date(s: &str) -> Option<chrono::NaiveDate> {
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    (d.format("%Y-%m-%d").to_string() == s).then_some(d)
}

/// The domain rule shared with `new`: when `guild.yml` defines domains, a doc's domain must
/// be one of them; without domains any domain is accepted.
pub fn domain_problem(domain: &str, config: &Config) -> Option<String> {
    if config.domains.is_empty() || config.domains.contains_key(domain) {
        return None;
    }
    let known: Vec<&str> = config.domains.keys().map(String::as_str).collect();
    Some(format!(
        "domain `{domain}` is not defined in guild.yml; defined domains: {}",
        known.join(", ")
    ))
}

/// The front-matter and file-name checks of one parsed doc (not links, not ids).
pub fn check_doc(d: &DocRecord, kinds: &BTreeSet<String>, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |line: usize, message: String| {
        out.push(Finding {
            path: d.path.clone(),
            line,
            message,
            level: Level::Error,
        })
    };
    let f = &d.front;
    let present = [
        f.title.is_some(),
        f.kind.is_some(),
        f.date.is_some(),
        !f.authors.is_empty(),
    ];
    for (field, ok) in REQUIRED.iter().zip(present) {
        if !ok {
            add(
                d.line_of(field),
                format!("missing required field `{field}`"),
            );
        }
    }
    if let Some(problem) = f.title.as_deref().and_then(title_problem) {
        add(d.line_of("title"), problem);
    }
    if let Some(kind) = &f.kind {
        if !kinds.contains(kind) {
            let known: Vec<&str> = kinds.iter().map(String::as_str).collect();
            add(
                d.line_of("kind"),
                format!(
                    "unknown kind `{kind}`; known kinds: {} (or add .guild/templates/{kind}.md.hbs)",
                    known.join(", ")
                ),
            );
        }
    }
    let date = f.date.as_deref().and_then(valid_date);
    if let (Some(s), None) = (&f.date, date) {
        add(
            d.line_of("date"),
            format!("`date` is not a valid date (`{s}`): write it as YYYY-MM-DD, e.g. 2024-05-01"),
        );
    }
    if let Some(problem) = f.domain.as_deref().and_then(|x| domain_problem(x, config)) {
        add(d.line_of("domain"), problem);
    }
    let stem = Path::new(&d.path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match (stem.get(..10).and_then(valid_date), stem.get(10..)) {
        (Some(file_date), Some(rest)) if rest.len() > 1 && rest.starts_with('-') => {
            let slug = &rest[1..];
            if let Some(date) = date.filter(|d| *d != file_date) {
                add(
                    1,
                    format!(
                        "the file name starts with {file_date} but `date` is {date}; rename the file or fix the date"
                    ),
                );
            }
            if crate::util::slug(slug, "") != slug {
                add(
                    1,
                    format!(
                        "`{slug}` in the file name is not a safe slug: use lowercase letters, digits and `-` (e.g. `{}`)",
                        crate::util::slug(slug, "doc")
                    ),
                );
            }
        }
        _ => add(
            1,
            format!(
                "the file name must be `YYYY-MM-DD-slug.md` (e.g. `{}-{}.md`)",
                f.date
                    .as_deref()
                    .filter(|s| valid_date(s).is_some())
                    .unwrap_or("2024-05-01"),
                crate::util::slug(f.title.as_deref().unwrap_or(&stem), "doc")
            ),
        ),
    }
    out
}

/// Relative links and images in the body that do not resolve to a file in the repository.
/// External URLs (any `scheme:`), protocol-relative `//host` links and `#anchor`-only links
/// are not checked; `/path` is relative to the repository root.
pub fn check_links(root: &Path, d: &DocRecord) -> Vec<Finding> {
    use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
    let mut out = Vec::new();
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let doc_dir = Path::new(&d.path).parent().unwrap_or(Path::new(""));
    for (event, range) in Parser::new_ext(&d.body, options).into_offset_iter() {
        let (link_type, dest) = match &event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            })
            | Event::Start(Tag::Image {
                link_type,
                dest_url,
                ..
            }) => (*link_type, dest_url.to_string()),
            _ => continue,
        };
        if matches!(link_type, LinkType::Email | LinkType::Autolink) {
            continue;
        }
        let Some(target) = local_target(&dest) else {
            continue;
        };
        let line = d.body_line + d.body[..range.start].matches('\n').count();
        let joined = if let Some(abs) = target.strip_prefix('/') {
            PathBuf::from(abs)
        } else {
            doc_dir.join(&target)
        };
        let message = match normalize(&joined) {
            None => format!("link `{dest}` points outside the repository"),
            Some(p) if !root.join(&p).exists() => format!(
                "broken link `{dest}`: {} does not exist",
                p.to_string_lossy().replace('\\', "/")
            ),
            Some(_) => continue,
        };
        out.push(Finding {
            path: d.path.clone(),
            line,
            message,
            level: Level::Error,
        });
    }
    out
}

/// The local path a link points at (fragment and query removed, percent-decoded), or
/// `None` for external, anchor-only or empty links.
fn local_target(dest: &str) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") {
        return None;
    }
    // `scheme:` (http:, mailto:, ...): letters first, then letters, digits, `+.-`.
    if let Some(colon) = dest.find(':') {
        let scheme = &dest[..colon];
        if !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        {
            return None;
        }
    }
    let path = dest.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    Some(percent_decode(path))
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                // Two hex digits make one byte: h, l < 16.
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_kinds_match_the_embedded_templates() {
        let t = crate::render::templates::Templates::load(
            "docs",
            None,
            false,
            crate::render::templates::Escape::None,
        )
        .unwrap();
        let names: Vec<String> = t
            .names()
            .filter_map(|n| n.strip_suffix(".md"))
            .map(String::from)
            .collect();
        assert_eq!(names, BUILTIN_KINDS);
    }

    #[test]
    fn local_targets() {
        assert_eq!(local_target("https://x.org/a"), None);
        assert_eq!(local_target("mailto:a@b"), None);
        assert_eq!(local_target("#top"), None);
        assert_eq!(local_target("//cdn/x"), None);
        assert_eq!(local_target("../a%20b.md#s").as_deref(), Some("../a b.md"));
        assert_eq!(local_target("x.md?raw=1").as_deref(), Some("x.md"));
    }

    #[test]
    fn dates_are_strict() {
        assert!(valid_date("2024-05-01").is_some());
        assert!(valid_date("2024-5-1").is_none());
        assert!(valid_date("2024-02-30").is_none());
    }
}
