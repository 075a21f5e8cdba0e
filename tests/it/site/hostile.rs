//! Hostile histories: names, titles, tags and doc bodies that try to run a script are
//! escaped in the HTML, and Chromium runs none of them.

use super::*;

/// Hostile names, titles, tags and doc bodies: each payload sets a marker if it ever runs.
fn hostile_community() -> Repo {
    let repo = Repo::new();
    repo.commit_by("Alice <alice@example.com>", "2024-01-02", "Initial commit")
        .merge_pr_full(
            1,
            "Eve\" onmouseover=\"window.__pwned=1\" x=\"<eve@example.com>",
            "Alice <alice@example.com>",
            "2024-02-01",
            "<script>window.__pwned=2</script> \"><svg onload=window.__pwned=3>",
            Some("src/a.rs"),
            "Reviewed-by: Alice <alice@example.com>",
        )
        .merge_pr_full(
            2,
            "Mallory' onfocus='window.__pwned=4 <mallory@example.com>",
            "Alice <alice@example.com>",
            "2024-02-03",
            "<img src=x onerror=\"window.__pwned=5\"> javascript:window.__pwned=6",
            Some("src/b.rs"),
            "Reviewed-by: Eve <eve@example.com>",
        );
    repo.write(
        "community/case-rounds/2024-03-01-hostile.md",
        r#"---
title: '<script>window.__pwned=7</script>"><svg onload=window.__pwned=8>'
kind: '"><img src=x onerror=window.__pwned=9>'
date: 2024-03-01
authors: ['"><img src=x onerror=window.__pwned=10>', eve@example.com]
domain: 'javascript:window.__pwned=11'
tags: ['"><svg onload=window.__pwned=12>', '<script>window.__pwned=13</script>']
---
<script>window.__pwned=14</script>

<img src=x onerror="window.__pwned=15">

Inline <b onmouseover="window.__pwned=16">bold</b> and <svg onload="window.__pwned=17"></svg>.

[click](javascript:window.__pwned=18) [data](data:text/html,<script>window.__pwned=19</script>)
[tab](java	script:window.__pwned=20) <javascript:window.__pwned=21>
![pic](javascript:window.__pwned=22) [ok](https://example.org/"onmouseover="window.__pwned=23)
"#,
    )
    .commit_by("Alice <alice@example.com>", "2024-03-02", "Add a doc");
    repo
}

#[test]
fn hostile_input_is_escaped_in_the_html() {
    let repo = hostile_community();
    repo.run(["site", "build", "--out", "site"]).ok();
    for (path, bytes) in site_files(&repo.path().join("site")) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes).to_lowercase();
        // Payloads may show as text (`&lt;script&gt;`); inside real tags nothing may be hostile.
        for tag in real_tags(&html) {
            assert!(!tag.starts_with("script>"), "{path}: {tag}");
            assert!(
                !(tag.starts_with("img") || tag.starts_with("svg onload")),
                "{path}: {tag}"
            );
            assert!(event_handler(tag).is_none(), "{path}: {tag}");
            for bad in [
                "href=\"javascript:",
                "href=\"data:",
                "href=\"java",
                "href=\"vbscript:",
            ] {
                assert!(!tag.contains(bad), "{path}: {tag}");
            }
        }
    }
}

/// The tags of an HTML text: from each `<` to the next `>` (escaped text has no `<`).
fn real_tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<').skip(1).map(|rest| {
        let end = rest.find('>').map_or(rest.len(), |i| i + 1);
        &rest[..end]
    })
}

/// An ` on...=` attribute inside a tag, if any.
fn event_handler(tag: &str) -> Option<&str> {
    let b = tag.as_bytes();
    (1..b.len().saturating_sub(3)).find_map(|i| {
        let ws = b[i - 1].is_ascii_whitespace() || b[i - 1] == b'"' || b[i - 1] == b'/';
        if !ws || &b[i..i + 2] != b"on" {
            return None;
        }
        let name_end = (i + 2..b.len()).find(|&j| !b[j].is_ascii_alphabetic())?;
        (name_end > i + 2 && b[name_end..].iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'='))
            .then(|| &tag[i..name_end])
    })
}

#[test]
fn chromium_runs_no_script_from_a_hostile_history() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = hostile_community();
    let mut s = Browsed::every_page_clean(&chromium.unwrap(), &repo);
    // The search results are built from hostile titles too.
    s.open("/search.html?q=script");
    let n = s.wait_for("document.querySelectorAll('#search-results li').length");
    assert!(n.as_u64().unwrap() >= 1);
    let pwned = s.eval("window.__pwned === undefined");
    assert_eq!(pwned, true);
    assert!(s.problems().is_empty(), "{:#?}", s.problems());
}
