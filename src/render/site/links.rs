//! The internal link check: every link of every page that points inside the site must name
//! a file of the site, or the build fails (nothing is written).

use std::collections::BTreeMap;

use super::markdown;

/// Every `href="..."` and `src="..."` of every page that points inside the site must name
/// a file of the site. External links (with a scheme) are not checked: the build is offline.
pub fn check_links(files: &BTreeMap<String, Vec<u8>>, base: &str) -> anyhow::Result<()> {
    let pages: Vec<(&String, &Vec<u8>)> =
        files.iter().filter(|(p, _)| p.ends_with(".html")).collect();
    let threads = crate::util::threads(8);
    let chunk = pages.len().div_ceil(threads).max(1);
    let mut broken: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = pages
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut broken = Vec::new();
                    for (path, bytes) in part {
                        check_page(
                            path,
                            &String::from_utf8_lossy(bytes),
                            base,
                            files,
                            &mut broken,
                        );
                    }
                    broken
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec!["(a link-checking thread panicked)".into()])
            })
            .collect()
    });
    broken.sort();
    if broken.is_empty() {
        return Ok(());
    }
    let n = broken.len();
    broken.truncate(20);
    anyhow::bail!(
        "{n} broken internal link(s):\n  {}\n  fix: correct the link in the template (or the override under .guild/templates/site/)",
        broken.join("\n  ")
    )
}

fn check_page(
    path: &str,
    html: &str,
    base: &str,
    files: &BTreeMap<String, Vec<u8>>,
    broken: &mut Vec<String>,
) {
    // One pass over the page: every `="` preceded by one of the URL attributes.
    let mut rest = html;
    while let Some(i) = rest.find("=\"") {
        let before = &rest[..i];
        rest = &rest[i + 2..];
        if !(before.ends_with(" href") || before.ends_with(" src") || before.ends_with(" action")) {
            continue;
        }
        let Some(end) = rest.find('"') else { break };
        let link = decode_attr(&rest[..end]);
        rest = &rest[end..];
        if let Some(problem) = check_one(&link, base, files) {
            broken.push(format!("{path}: {link} ({problem})"));
        }
    }
}

fn decode_attr(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x3D;", "=")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .into()
}

fn check_one(link: &str, base: &str, files: &BTreeMap<String, Vec<u8>>) -> Option<&'static str> {
    if link.starts_with('#') || link.starts_with("//") {
        return None;
    }
    let rel = match link.strip_prefix(base) {
        Some(r) => r,
        None if markdown::scheme(link).is_some() => return None,
        None => return Some("not under the base URL"),
    };
    let rel = rel.split(['#', '?']).next().unwrap_or("");
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    (!files.contains_key(&file)).then_some("no such page")
}

#[cfg(test)]
mod tests {
    use super::super::normalise_base;
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn broken_internal_link_names_page_and_link() {
        let f = files(&[
            (
                "index.html",
                r#"<a href="/p/people/">x</a><a href="/p/nope.html#x">y</a><a href="https://e.org">z</a>"#,
            ),
            ("people/index.html", ""),
        ]);
        let err = check_links(&f, "/p/").unwrap_err().to_string();
        assert!(err.contains("index.html: /p/nope.html#x"), "{err}");
        assert!(!err.contains("people"), "{err}");
        let ok = files(&[("index.html", r#"<a href="/p/">x</a>"#)]);
        check_links(&ok, "/p/").unwrap();
        let outside = files(&[("index.html", r#"<a href="/elsewhere/">x</a>"#)]);
        assert!(check_links(&outside, "/p/").is_err());
    }

    #[test]
    fn base_urls_are_normalised() {
        assert_eq!(normalise_base("/"), "/");
        assert_eq!(normalise_base("proj"), "/proj/");
        assert_eq!(normalise_base("/proj"), "/proj/");
        assert_eq!(normalise_base("https://x.io/p"), "https://x.io/p/");
    }
}
