//! The community site: `site build` and `site serve`, checked on disk, over HTTP, and in
//! real headless Chromium (skipped locally when Chromium is missing, required under CI).

mod cdp;
mod interrupt;
mod network_tools;
mod scale;
mod search;
mod windows;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{guild, Repo};

/// A small community: four people, reviews by trailer, a newcomer, two docs linking each
/// other, and an opted-out person.
fn community() -> Repo {
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "name: Demo guild\nopt_out:\n  - olga@example.com\n",
    )
    .commit_by(
        "Alice Smith <alice@example.com>",
        "2024-01-02",
        "Initial commit",
    )
    .merge_pr_full(
        1,
        "Bob <bob@example.com>",
        "Alice Smith <alice@example.com>",
        "2024-02-01",
        "Add the parser",
        Some("src/parser.rs"),
        "Reviewed-by: Carol <carol@example.com>",
    )
    .merge_pr_full(
        2,
        "Carol <carol@example.com>",
        "Alice Smith <alice@example.com>",
        "2024-03-05",
        "Faster lexer",
        Some("src/lexer.rs"),
        "Reviewed-by: Bob <bob@example.com>\nReviewed-by: Olga Hidden <olga@example.com>",
    )
    .merge_pr_full(
        3,
        "Olga Hidden <olga@example.com>",
        "Alice Smith <alice@example.com>",
        "2024-04-10",
        "Docs for the lexer",
        Some("docs/lexer.md"),
        "Reviewed-by: Alice Smith <alice@example.com>",
    );
    repo.write(
        "community/case-rounds/2024-04-01-parser-bug.md",
        "---\ntitle: The parser bug\nkind: case-round\ndate: 2024-04-01\nauthors: [bob@example.com]\nfacilitator: alice@example.com\nparticipants: [carol@example.com]\ndomain: parsing\ntags: [parser, bugs]\n---\n# What happened\n\nThe parser *lost* a token. See the [retro](../retrospectives/2024-04-20-release.md).\n",
    )
    .write(
        "community/retrospectives/2024-04-20-release.md",
        "---\ntitle: Release retrospective\nkind: retrospective\ndate: 2024-04-20\nauthors: [carol@example.com]\ntags: [release]\n---\nWe shipped. Back to the [case round](../case-rounds/2024-04-01-parser-bug.md#what-happened).\n",
    )
    .commit_by("Carol <carol@example.com>", "2024-04-21", "Add docs");
    repo
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `<main>` element of a page: what snapshot tests pin.
fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    html[start..end].to_string()
}

fn site_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir(dir)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn build_writes_every_page_and_a_one_line_summary() {
    let repo = community();
    let run = repo.run(["site", "build", "--out", "out/site"]);
    run.ok();
    let summary = run.stderr();
    assert_eq!(summary.lines().count(), 1, "{summary}");
    assert!(summary.starts_with("site: "), "{summary}");
    for phase in ["analysis", "assemble", "render", "links", "write"] {
        assert!(summary.contains(phase), "{phase} missing: {summary}");
    }
    let out = repo.path().join("out/site");
    for page in [
        "index.html",
        "people/index.html",
        "people/directory.json",
        "404.html",
        "people/bob.html",
        "people/anonymous-1.html",
        "docs/index.html",
        "docs/case-rounds-2024-04-01-parser-bug.html",
        "docs/kind/case-round.html",
        "docs/tag/parser.html",
        "docs/domain/parsing.html",
        "network.html",
        "newcomers.html",
        "search.html",
        "search-index.json",
        "site.css",
        "site.js",
        "favicon.svg",
    ] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
    let pages = walkdir(&out)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .count();
    assert!(
        summary.contains(&format!("site: {pages} pages")),
        "{summary} vs {pages}"
    );
    // The doc links to the other doc's page, and prev/next stays within a kind.
    let doc = read(&out.join("docs/case-rounds-2024-04-01-parser-bug.html"));
    assert!(doc.contains(r#"<a href="/docs/retrospectives-2024-04-20-release.html">retro</a>"#));
    assert!(doc.contains("<em>lost</em>"));
    assert!(
        doc.contains(r#"<a href="/people/bob.html">Bob</a>"#),
        "author linked"
    );
    // Every page has the strict policy and the landmarks.
    for p in walkdir(&out)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(p);
        assert!(html.contains("script-src 'self'"), "{}", p.display());
        assert!(html.contains("<main id=\"main\">") && html.contains("<nav aria-label=\"Main\">"));
        assert!(
            !html.contains("<script>"),
            "no inline script in {}",
            p.display()
        );
    }
}

#[test]
fn person_page_shows_breakdown_reviews_and_explain_lines() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let carol = read(&repo.path().join("site/people/carol.html"));
    let ctx = repo.run(["context", "--json"]).json();
    let c = crate::support::person(&ctx, "carol");
    // Every rule of the snapshot's breakdown is on the page with its points.
    for r in c["breakdown"].as_array().unwrap() {
        let points = r["points"].as_u64().unwrap();
        assert!(
            carol.contains(&format!("<td class=\"num\">{points}</td>")),
            "{r}"
        );
    }
    assert!(carol.contains(&format!(
        "<strong>{}</strong> reputation",
        c["reputation"]["total"]
    )));
    // Carol reviewed Bob's PR #1; Bob and the anonymous person reviewed Carol's #2.
    let reviewed = &carol[carol.find("id=\"reviewed-h\"").unwrap()..];
    let reviewed = &reviewed[..reviewed.find("</section>").unwrap()];
    assert!(
        reviewed.contains(r#"<a href="/people/bob.html">Bob</a>"#),
        "{reviewed}"
    );
    let by = &carol[carol.find("id=\"reviewed-by-h\"").unwrap()..];
    let by = &by[..by.find("</section>").unwrap()];
    assert!(
        by.contains("/people/bob.html") && by.contains("/people/anonymous-1.html"),
        "{by}"
    );
    assert!(
        carol.contains("Faster lexer"),
        "explain lines carry PR titles"
    );
    // The ladder reads as a sentence with what is missing, from guild.yml's default steps:
    // Carol has one merged PR and one review; `reviewer` needs five of each.
    assert!(
        carol.contains("Step: <strong>contributor</strong> → next: <strong>reviewer</strong>"),
        "ladder step"
    );
    assert!(
        carol.contains("<li>4 more merged PRs (1 of 5)</li><li>4 more reviews given (1 of 5)</li>")
    );
    // Badges by their human names, earned on a day.
    assert!(
        carol.contains("<strong>Retro writer</strong>") && carol.contains("earned 2024-04-20<")
    );
    insta::assert_snapshot!("person_carol_main", main_of(&carol));
}

#[test]
fn newcomers_page_lists_the_ladder_newcomers_and_their_mentors() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let page = read(&repo.path().join("site/newcomers.html"));
    // The configured steps with their requirements.
    assert!(
        page.contains("<strong>reviewer</strong> — Reviews others&#x27; work regularly.<br><small>5 merged PRs, 5 reviews given, 30 days active"),
        "{page}"
    );
    // Bob's first contribution (PR #1, 2024-02-01) was reviewed by Carol the same day.
    let row = page
        .split("<tr>")
        .find(|r| r.contains(r#"<a href="/people/bob.html">Bob</a></th>"#))
        .expect("a row for Bob");
    assert!(row.contains("<td>2024-02-01 "), "{row}");
    assert!(
        row.contains(r#"<a href="/people/carol.html">Carol</a>"#),
        "{row}"
    );
    // Mentors available: Carol reviewed a newcomer's work.
    let available = &page[page.find("id=\"available-h\"").expect("mentors available")..];
    assert!(available.contains("/people/carol.html"));
    insta::assert_snapshot!("newcomers_main", main_of(&page));
}

#[test]
fn opted_out_people_are_anonymous_everywhere() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let files = site_files(&repo.path().join("site"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("Olga") && !text.contains("olga"),
            "{path} names the opted-out person"
        );
    }
    assert!(files.iter().any(|(p, _)| p == "people/anonymous-1.html"));
}

#[test]
fn pages_are_pinned_and_builds_are_deterministic() {
    let repo = community();
    repo.run(["site", "build", "--out", "a"]).ok();
    repo.run(["site", "build", "--out", "b"]).ok();
    let (a, b) = (
        site_files(&repo.path().join("a")),
        site_files(&repo.path().join("b")),
    );
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{pa} differs between two builds");
    }
    let out = repo.path().join("a");
    insta::assert_snapshot!("home_main", main_of(&read(&out.join("index.html"))));
    insta::assert_snapshot!(
        "doc_main",
        main_of(&read(
            &out.join("docs/retrospectives-2024-04-20-release.html")
        ))
    );
    insta::assert_snapshot!(
        "people_main",
        main_of(&read(&out.join("people/index.html")))
    );
}

#[test]
fn base_url_prefixes_every_internal_link() {
    let repo = community();
    repo.run(["site", "build", "--out", "site", "--base-url", "/demo"])
        .ok();
    let home = read(&repo.path().join("site/index.html"));
    assert!(home.contains(r#"href="/demo/site.css""#), "{home}");
    assert!(home.contains(r#"href="/demo/people/""#));
    for p in walkdir(&repo.path().join("site")) {
        if p.extension().is_some_and(|e| e == "html") {
            let html = read(&p);
            assert!(
                !html.contains("href=\"/people") && !html.contains("href=\"/docs"),
                "{} has a link outside /demo/",
                p.display()
            );
        }
    }
    // The index stores pages without the base (the script adds it).
    let index: serde_json::Value =
        serde_json::from_str(&read(&repo.path().join("site/search-index.json"))).unwrap();
    assert!(
        index["people"][0]
            .as_array()
            .unwrap()
            .contains(&"Bob".into()),
        "{index}"
    );
    assert!(!index.to_string().contains("/demo"), "{index}");
    assert!(
        home.contains("data-base=\"/demo/\""),
        "the script reads addresses from the base"
    );
}

#[test]
fn broken_internal_link_fails_the_build_and_keeps_the_previous_site() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let before = site_files(&repo.path().join("site"));
    repo.write(
        ".guild/templates/site/newcomers.html.hbs",
        "<h1>Newcomers</h1><a href=\"{{docs_url}}nowhere.html\">start</a>\n",
    );
    let err = repo.run(["site", "build", "--out", "site"]).fails_with(2);
    assert!(err.contains("broken internal link"), "{err}");
    assert!(err.contains("newcomers.html: /docs/nowhere.html"), "{err}");
    assert_eq!(
        site_files(&repo.path().join("site")),
        before,
        "previous site kept"
    );
    let leftovers: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-") || n.contains(".old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn template_override_is_used_and_out_must_be_a_site() {
    let repo = community();
    repo.write(
        ".guild/templates/site/newcomers.html.hbs",
        "<h1>Welcome aboard</h1><p><a href=\"{{people_url}}\">people</a></p>\n",
    );
    repo.run(["site", "build", "--out", "site"]).ok();
    assert!(read(&repo.path().join("site/newcomers.html")).contains("Welcome aboard"));
    // A folder that is not a generated site is never replaced.
    let err = repo
        .run(["site", "build", "--out", "community"])
        .fails_with(2);
    assert!(err.contains("not a site built by cargo guild"), "{err}");
    assert!(repo
        .path()
        .join("community/case-rounds/2024-04-01-parser-bug.md")
        .is_file());
}

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

/// A running `site serve`, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(repo: &Repo) -> Server {
    let mut child = guild()
        .args(["site", "serve", "--port", "0", "--out", "site"])
        .current_dir(repo.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("site serve starts");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("serving http://127.0.0.1:") {
                let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                let _ = tx.send(port);
            }
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("site serve prints its address");
    Server { child, port }
}

fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let code = text[9..12].parse().unwrap();
    (code, text)
}

#[test]
fn serve_answers_on_loopback_and_rebuilds_when_a_doc_changes() {
    let repo = community();
    let server = serve(&repo);
    let (code, page) = get(server.port, "/docs/retrospectives-2024-04-20-release.html");
    assert_eq!(code, 200);
    assert!(page.contains("Release retrospective"));
    assert_eq!(get(server.port, "/people/").0, 200);
    assert_eq!(get(server.port, "/nope.html").0, 404);
    assert_eq!(get(server.port, "/../guild.yml").0, 404);
    let doc = "community/retrospectives/2024-04-20-release.md";
    let text = read(&repo.path().join(doc)).replace("Release retrospective", "Launch retro");
    repo.write(doc, &text);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, page) = get(server.port, "/docs/retrospectives-2024-04-20-release.html");
        if page.contains("Launch retro") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no rebuild after the doc changed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Visits every page of the served site; returns the problems seen, by page.
fn visit_all(b: &mut cdp::Browser, tab: &str, port: u16, root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut pages: Vec<String> = walkdir(root)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in pages {
        let before = b.problems(tab).len();
        b.navigate(tab, &format!("http://127.0.0.1:{port}/{page}"));
        let checks = b.eval(
            tab,
            r#"JSON.stringify({
                pwned: window.__pwned === undefined ? null : window.__pwned,
                handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
                scripts: [...document.scripts].map(s => s.src).filter(s => !s.endsWith('/site.js')),
                links: [...document.querySelectorAll('a[href]')].map(a => new URL(a.getAttribute('href'), location.href).protocol).filter(p => !['http:', 'https:', 'mailto:'].includes(p)),
                main: !!document.querySelector('main'),
            })"#,
        );
        let v: serde_json::Value = serde_json::from_str(checks.as_str().unwrap()).unwrap();
        if !v["pwned"].is_null() {
            problems.push(format!("{page}: a payload ran ({})", v["pwned"]));
        }
        for k in ["handlers", "scripts", "links"] {
            if !v[k].as_array().unwrap().is_empty() {
                problems.push(format!("{page}: {k} {}", v[k]));
            }
        }
        if v["main"] != true {
            problems.push(format!("{page}: no <main>"));
        }
        for p in b.problems(tab).into_iter().skip(before) {
            problems.push(format!("{page}: {p}"));
        }
    }
    problems
}

/// `site serve` of a repository open in headless Chromium.
struct Browsed {
    // Declared before `server`, so the browser goes first on drop.
    b: cdp::Browser,
    tab: String,
    server: Server,
}

impl Browsed {
    /// Serves `repo`, then visits every page once and asserts no console error or failed
    /// request on any.
    fn every_page_clean(chromium: &Path, repo: &Repo) -> Browsed {
        let server = serve(repo);
        let mut b = cdp::Browser::launch(chromium);
        let tab = b.new_page();
        let problems = visit_all(&mut b, &tab, server.port, &repo.path().join("site"));
        assert!(problems.is_empty(), "{problems:#?}");
        Browsed { b, tab, server }
    }

    /// Navigates to `path` (`/search.html?q=x`) on the server.
    fn open(&mut self, path: &str) {
        let url = format!("http://127.0.0.1:{}{path}", self.server.port);
        self.b.navigate(&self.tab, &url);
    }

    fn eval(&mut self, expr: &str) -> serde_json::Value {
        self.b.eval(&self.tab, expr)
    }

    fn wait_for(&mut self, expr: &str) -> serde_json::Value {
        self.b.wait_for(&self.tab, expr)
    }

    fn type_text(&mut self, text: &str) {
        self.b.type_text(&self.tab, text);
    }

    /// Console errors and failed requests seen on the tab so far.
    fn problems(&self) -> Vec<String> {
        self.b.problems(&self.tab)
    }
}

/// The search page's results, one `text pathname` a line.
const SEARCH_RESULTS: &str = "[...document.querySelectorAll('#search-results a')].map(a => a.textContent + ' ' + a.pathname).join('\\n')";

#[test]
fn chromium_loads_every_page_cleanly_and_search_finds_people_and_docs() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = community();
    let mut s = Browsed::every_page_clean(&chromium.unwrap(), &repo);

    // Search: type a query into the search page and read the results.
    s.open("/search.html");
    s.wait_for("document.getElementById('search-status').textContent.includes('to search')");
    s.eval("document.getElementById('q').focus()");
    s.type_text("caro");
    let results = s.wait_for(SEARCH_RESULTS);
    assert!(
        results
            .as_str()
            .unwrap()
            .contains("Carol /people/carol.html"),
        "{results}"
    );
    // `?q=` from the header's search box works too, and finds docs.
    s.open("/search.html?q=parser+bug");
    let results = s.wait_for(SEARCH_RESULTS);
    assert_eq!(
        results.as_str().unwrap(),
        "The parser bug /docs/case-rounds-2024-04-01-parser-bug.html"
    );
    // The people filter keeps the rows that match.
    s.open("/people/");
    s.wait_for("document.getElementById('people-table').dataset.ready === '1'");
    s.eval("document.getElementById('people-filter').focus()");
    s.type_text("bob");
    s.wait_for(
        "[...document.querySelectorAll('#people-table tbody tr')].map(r => r.cells[1].textContent).join(',') === 'bob'",
    );

    // A profile shows its breakdown and its badges (when the snapshot has any).
    s.open("/people/carol.html");
    let ctx = repo.run(["context", "--json"]).json();
    let carol = crate::support::person(&ctx, "carol");
    let points = s.eval(
        "[...document.querySelectorAll('table.breakdown tbody tr')].map(r => r.cells[2].textContent).join(',')",
    );
    let expected: Vec<String> = carol["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["points"].to_string())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(points.as_str().unwrap(), expected.join(","));
    let badges_h = s.eval("document.getElementById('badges-h').textContent");
    assert_eq!(badges_h, "Badges");
    let expected: Vec<String> = carol
        .get("badges")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
        .map(|x| x["tier"].as_str().unwrap_or("").to_string())
        .collect();
    let shown =
        s.eval("[...document.querySelectorAll('.badges .tier')].map(t => t.textContent).join(',')");
    assert_eq!(shown.as_str().unwrap(), expected.join(","));
    let problems = s.problems();
    assert!(problems.is_empty(), "{problems:#?}");
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

#[test]
fn network_page_shows_the_network_metrics_per_person() {
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let page = read(&repo.path().join("site/network.html"));
    let ctx = repo.run(["context", "--json"]).json();
    let bob = &ctx["network"]["people"]["bob"];
    // Bob's row: reviewers, reviewed, work reviewed, reviews given, then three decimals.
    let row = page
        .split("<tr>")
        .find(|r| r.contains(r#"<a href="/people/bob.html">Bob</a></th>"#))
        .expect("a metrics row for Bob");
    let expected = format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.3}</td>",
        bob["in_degree"], bob["out_degree"], bob["weighted_in"], bob["weighted_out"],
        bob["betweenness"].as_f64().unwrap()
    );
    assert!(row.contains(&expected), "{row}\nexpected {expected}");
    assert!(page.contains(&format!(
        "<strong>{:.3}</strong> density",
        ctx["network"]["density"].as_f64().unwrap()
    )));
}

#[test]
fn domain_pages_show_experts_and_truck_factor_from_guild_yml_domains() {
    let repo = community();
    repo.write(
        "guild.yml",
        "name: Demo guild\nopt_out:\n  - olga@example.com\ndomains:\n  parsing: [\"src/parser.rs\"]\n  lexing: [\"src/lexer.rs\"]\n  ops: [\"ops/**\"]\n",
    )
    .commit_by("Carol <carol@example.com>", "2024-04-21", "Domains")
    // Only Alice ever touched ops/: that domain hangs on her.
    .write("ops/deploy.sh", "echo deploy\n")
    .commit_by("Alice Smith <alice@example.com>", "2024-04-21", "Deploy script");
    repo.run(["site", "build", "--out", "site"]).ok();
    let ctx = repo.run(["context", "--json"]).json();
    let parsing = ctx["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "parsing")
        .expect("the parsing domain");
    let page = read(&repo.path().join("site/domains/parsing.html"));
    let expert = &parsing["experts"][0];
    // Bob wrote src/parser.rs (PR #1): he is its first expert, with his numbers.
    assert_eq!(expert["id"], "bob");
    let row = page
        .split("<tr>")
        .find(|r| r.contains(r#"<a href="/people/bob.html">Bob</a></th>"#))
        .expect("an expert row for Bob");
    assert!(
        row.contains(&format!(
            "<td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>",
            expert["score"].as_f64().unwrap(),
            expert["authored"],
            expert["reviewed"],
            expert["last_active"].as_str().unwrap()
        )),
        "{row}"
    );
    assert!(page.contains(&format!(
        "<strong>{}</strong> truck factor",
        parsing["truck_factor"]
    )));
    let index = read(&repo.path().join("site/domains/index.html"));
    assert!(index.contains(r#"<a href="/domains/parsing.html">parsing</a>"#));
    assert!(index.contains(r#"<a href="/domains/lexing.html">lexing</a>"#));
    // The home page names the domains at risk (truck factor 0 or 1), and only those.
    let home = read(&repo.path().join("site/index.html"));
    let health = &home[home.find("Domains at risk").expect("domains at risk")..];
    let health = &health[..health.find("</dd>").unwrap()];
    assert!(
        health.contains(r#"<a href="/domains/ops.html">ops</a> <small>(truck factor 1)</small>"#),
        "{health}"
    );
    for d in ctx["domains"].as_array().unwrap() {
        let shown = format!(
            r#"<a href="/domains/{0}.html">{0}</a> <small>(truck factor {1})</small>"#,
            d["name"].as_str().unwrap(),
            d["truck_factor"]
        );
        assert_eq!(
            health.contains(&shown),
            d["truck_factor"].as_u64().unwrap() <= 1,
            "{health}"
        );
    }
    // Bob's page links his domain.
    let bob = read(&repo.path().join("site/people/bob.html"));
    assert!(bob.contains(r#"<a href="/domains/parsing.html">parsing</a>"#));
}

#[test]
fn domains_whose_names_slug_alike_get_their_own_pages_and_links() {
    // `C++` and `C` both slug to `c`, and `Index` to the domain list's own `index`: each
    // must get its own page, suffixed in sorted-name order (`C` < `C++`), and every link
    // to a domain must point to that domain's page.
    let repo = Repo::new();
    repo.write(
        "guild.yml",
        "name: Demo guild\ndomains:\n  \"C++\": [\"cpp/**\"]\n  \"C\": [\"c/**\"]\n  \"Index\": [\"idx/**\"]\n",
    )
    .commit_by("Alice <alice@example.com>", "2024-01-02", "Initial commit")
    .write("cpp/a.cpp", "int main() {}\n")
    .commit_by("Bob <bob@example.com>", "2024-02-01", "C++ code")
    .write("c/a.c", "int main(void) {}\n")
    .commit_by("Carol <carol@example.com>", "2024-02-02", "C code")
    .write("idx/a.txt", "index\n")
    .commit_by("Dan <dan@example.com>", "2024-02-03", "Index");
    repo.run(["site", "build", "--out", "site"]).ok();
    let ctx = repo.run(["context", "--json"]).json();
    let expert_of = |name: &str| {
        let d = ctx["domains"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("domain {name}"));
        d["experts"][0]["id"].as_str().unwrap().to_string()
    };
    assert_eq!(expert_of("C"), "carol");
    assert_eq!(expert_of("C++"), "bob");
    assert_eq!(expert_of("Index"), "dan");

    let site = repo.path().join("site");
    for (file, name, expert) in [
        ("c.html", "C", "carol"),
        ("c-2.html", "C++", "bob"),
        ("index-2.html", "Index", "dan"),
    ] {
        let page = read(&site.join("domains").join(file));
        assert!(page.contains(&format!("<h1>Domain: {name}</h1>")), "{file}");
        assert!(
            page.contains(&format!(r#"href="/people/{expert}.html""#)),
            "{file} lists its expert {expert}"
        );
    }
    let index = read(&site.join("domains/index.html"));
    assert!(
        index.contains("<h1>Domains</h1>"),
        "the list keeps its own page"
    );
    let link = |file: &str, name: &str| format!(r#"<a href="/domains/{file}">{name}</a>"#);
    for (file, name) in [
        ("c.html", "C"),
        ("c-2.html", "C++"),
        ("index-2.html", "Index"),
    ] {
        assert!(index.contains(&link(file, name)), "domain list: {name}");
    }
    // Each expert's page, the home page's domains at risk and the newcomers' mentors per
    // domain all link the same pages.
    let carol = read(&site.join("people/carol.html"));
    let bob = read(&site.join("people/bob.html"));
    assert!(carol.contains(&link("c.html", "C")) && !carol.contains("/domains/c-2.html"));
    assert!(bob.contains(&link("c-2.html", "C++")) && !bob.contains("/domains/c.html"));
    let home = read(&site.join("index.html"));
    let newcomers = read(&site.join("newcomers.html"));
    for page in [&home, &newcomers] {
        for (file, name) in [
            ("c.html", "C"),
            ("c-2.html", "C++"),
            ("index-2.html", "Index"),
        ] {
            assert!(page.contains(&link(file, name)), "{name}");
        }
    }
}

/// The site ranked tied people by id, the terminal by reviewer score first: both now read
/// the one ranking in the snapshot (`rank`).
#[test]
fn site_and_terminal_rank_tied_people_the_same_way() {
    let repo = Repo::new();
    repo.commit_by("Adam <adam@example.com>", "2024-01-01", "one")
        .commit_by("Adam <adam@example.com>", "2024-01-02", "two")
        .commit_by(
            "Carl <carl@example.com>",
            "2024-01-03",
            "three\n\nAcked-by: Zoe <zoe@example.com>",
        );
    // Adam: 2 (contributor). Zoe: 2 (reviewer). Carl: 1.
    let rep = repo.run(["reputation", "--format", "json"]).json();
    let order: Vec<&str> = rep
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["zoe", "adam", "carl"],
        "ties by reviewer score, then id"
    );
    assert_eq!(rep[0]["rank"], 1);
    repo.run(["site", "build", "--out", "site"]).ok();
    let html = std::fs::read_to_string(repo.path().join("site/people/index.html")).unwrap();
    let at = |id: &str| {
        html.find(&format!("/people/{id}.html"))
            .unwrap_or_else(|| panic!("{id} in the directory"))
    };
    assert!(at("zoe") < at("adam") && at("adam") < at("carl"), "{html}");
}
