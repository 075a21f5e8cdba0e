//! The community site: `site build` and `site serve`, checked on disk, over HTTP, and in
//! real headless Chromium (skipped locally when Chromium is missing, required under CI).

mod cdp;
mod hostile;
mod interrupt;
mod network_tools;
mod pages;
mod scale;
mod search;
mod served;
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
        let mut s = Browsed::new(chromium, repo);
        let problems = visit_all(&mut s.b, &s.tab, s.server.port, &repo.path().join("site"));
        assert!(problems.is_empty(), "{problems:#?}");
        s
    }

    /// Serves `repo`'s built site and opens a tab in a fresh Chromium. Destructure it as
    /// `Browsed { server, tab, mut b }` so that the browser still goes first on drop.
    fn new(chromium: &Path, repo: &Repo) -> Browsed {
        let server = serve(repo);
        let mut b = cdp::Browser::launch(chromium);
        let tab = b.new_page();
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
