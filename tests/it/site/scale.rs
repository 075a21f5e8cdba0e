//! The site at real scale (issue 14): long lists paged, the directory stored once and sorted
//! in the browser yet usable without JavaScript, pages that fit a phone, ranked search,
//! docs rendered without template leftovers, metadata, and an `--out` that deletes nothing
//! it did not write.

use super::*;

/// `n` people, each with one commit (none reviews anyone: all are isolates), written with
/// one `git fast-import` so that hundreds of people cost a fraction of a second.
fn crowd(n: usize) -> Repo {
    let repo = Repo::new();
    let mut stream = String::new();
    for i in 0..n {
        let t = 1_704_153_600 + i as i64 * 3600;
        let msg = format!("Change {i}\n");
        let file = format!("file {i}\n");
        stream.push_str(&format!(
            "commit refs/heads/main\nauthor Person {i:03} <p{i:03}@example.com> {t} +0000\ncommitter Person {i:03} <p{i:03}@example.com> {t} +0000\ndata {}\n{msg}M 644 inline f{i}.txt\ndata {}\n{file}\n",
            msg.len(),
            file.len()
        ));
    }
    repo.fast_import(stream.as_bytes());
    repo.git(&["reset", "-q", "--hard", "main"]);
    repo
}

fn rows(html: &str) -> usize {
    let body = &html[html.find("<tbody>").expect("a table")..];
    body[..body.find("</tbody>").unwrap()]
        .matches("<tr>")
        .count()
}

#[test]
fn long_lists_are_counts_linking_to_their_own_paged_pages() {
    let repo = crowd(250);
    repo.run(["site", "build", "--out", "site"]).ok();
    let site = repo.path().join("site");
    // The directory: one copy, 100 a page, ranked; no page per sort order any more.
    assert_eq!(rows(&read(&site.join("people/index.html"))), 100);
    assert_eq!(rows(&read(&site.join("people/page-2.html"))), 100);
    assert_eq!(rows(&read(&site.join("people/page-3.html"))), 50);
    assert!(!site.join("people/page-4.html").exists());
    assert!(!site.join("people/by-name.html").exists());
    // Every page, the paged ones included, has a heading that says what it is.
    for p in walkdir(&site) {
        if p.extension().is_some_and(|e| e == "html") {
            let html = read(&p);
            assert!(
                html.contains("<h1>") && !html.contains("<h1></h1>"),
                "{}",
                p.display()
            );
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&site.join("people/directory.json"))).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 250);
    let first = read(&site.join("people/index.html"));
    assert!(
        first.contains(r#"<a rel="next" href="/people/page-2.html">"#),
        "pager"
    );
    // The home page counts the isolates and links to their pages instead of listing 250.
    let home = read(&site.join("index.html"));
    let isolates = &home[home.find("<dt>Isolates</dt>").expect("isolates")..];
    let isolates = &isolates[..isolates.find("</dd>").unwrap()];
    assert!(isolates.contains("<strong>250</strong>"), "{isolates}");
    assert_eq!(
        isolates.matches("<a ").count(),
        11,
        "ten names and the link"
    );
    assert!(isolates.contains(r#"<a href="/network/isolates.html">and 240 more</a>"#));
    assert!(read(&site.join("network/isolates-3.html")).contains("<h1>Isolates (page 3 of 3)</h1>"));
    assert_eq!(
        read(&site.join("network/isolates-3.html"))
            .matches("/people/")
            .count(),
        50 + 1,
        "the last page's 50 people and the people directory's nav link"
    );
}

/// A person who reviewed many others: the person page names the ten most frequent and
/// links to the whole list.
#[test]
fn a_reviewers_page_caps_who_they_reviewed_and_links_the_rest() {
    let repo = Repo::new();
    repo.commit_by("Rita <rita@example.com>", "2024-01-01", "Start");
    for i in 0..14 {
        repo.commit_by(
            &format!("Author {i:02} <a{i:02}@example.com>"),
            &format!("2024-02-{:02}", i + 1),
            &format!("Change {i}\n\nReviewed-by: Rita <rita@example.com>"),
        );
    }
    repo.run(["site", "build", "--out", "site"]).ok();
    let rita = read(&repo.path().join("site/people/rita.html"));
    let reviewed = &rita[rita.find("id=\"reviewed-h\"").unwrap()..];
    let reviewed = &reviewed[..reviewed.find("</section>").unwrap()];
    assert_eq!(reviewed.matches("<li>").count(), 10, "{reviewed}");
    assert!(
        reviewed.contains(r#"<a href="/people/rita/reviewed.html">All 14</a>"#),
        "{reviewed}"
    );
    let all = read(&repo.path().join("site/people/rita/reviewed.html"));
    assert!(all.contains("<h1>Whose work Rita reviewed</h1>"), "{all}");
    assert_eq!(main_of(&all).matches("<li>").count(), 14);
}

#[test]
fn docs_render_without_template_leftovers_and_unreadable_docs_are_listed() {
    let repo = super::community();
    repo.write(
        "community/retrospectives/2024-05-01-outage.md",
        "---\ntitle: \"Release outage\"\nkind: retrospective\ndate: 2024-05-01\nauthors: [bob@example.com]\nstatus: draft\n---\n\n# Release outage\n\n## Summary\n\n<!-- Two or three sentences: what happened. -->\n\nThe build broke for `src/very/long/path/that/does/not/fit/on/a/phone/screen/at/all/mod.rs`.\n\n## What worked\n\n<!-- What helped us?\n     Keep doing these. -->\n\n-\n\n## Actions\n\n| Action | Owner |\n|--------|-------|\n|        |       |\n\n# Follow-up\n\nInline <!-- hidden --> text.\n",
    )
    .write(
        "community/case-rounds/2024-05-02-broken.md",
        "---\ntitle: [unclosed\nkind: case-round\n---\nBody\n",
    )
    .commit_by("Bob <bob@example.com>", "2024-05-02", "Docs");
    let run = repo.run(["site", "build", "--out", "site"]);
    run.ok();
    let err = run.stderr();
    assert!(
        err.contains("warning: community/case-rounds/2024-05-02-broken.md:2:"),
        "{err}"
    );
    let page = read(
        &repo
            .path()
            .join("site/docs/retrospectives-2024-05-01-outage.html"),
    );
    let main = main_of(&page);
    assert_eq!(main.matches("Release outage").count(), 1, "{main}");
    assert!(
        !main.contains("Two or three") && !main.contains("hidden") && !main.contains("&lt;!--")
    );
    assert!(
        !main.contains("<li></li>") && !main.contains("<table"),
        "{main}"
    );
    assert!(
        main.contains(r#"<h2 id="follow-up">Follow-up</h2>"#),
        "h1 in a body becomes h2: {main}"
    );
    // Four headings: a table of contents links them.
    assert!(
        main.contains(r##"<li class="toc-2"><a href="#what-worked">What worked</a></li>"##),
        "{main}"
    );
    assert!(main.contains(r#"<span class="tag draft">draft</span>"#));
    assert!(main.contains("Inline  text."), "{main}");
    let index = read(&repo.path().join("site/docs/index.html"));
    assert!(
        index.contains("<code>community/case-rounds/2024-05-02-broken.md:2</code>"),
        "{index}"
    );
}

#[test]
fn title_base_url_sitemap_404_and_github_links_come_from_the_snapshot() {
    let repo = super::community();
    repo.write(
        "guild.yml",
        "opt_out:\n  - olga@example.com\ngithub: acme/widgets\nsite:\n  title: Widget makers\n  base_url: https://acme.example/widgets/\n",
    )
    .commit_by(
        "Bob <12345+bobby@users.noreply.github.com>",
        "2024-04-22",
        "Config",
    );
    repo.run(["site", "build", "--out", "site"]).ok();
    let site = repo.path().join("site");
    let home = read(&site.join("index.html"));
    assert!(
        home.contains("<title>Widget makers community</title>"),
        "{home}"
    );
    assert!(
        home.contains(r#"<link rel="stylesheet" href="https://acme.example/widgets/site.css">"#)
    );
    assert!(home.contains(r#"<meta name="description" content="Widget makers: "#));
    let sitemap = read(&site.join("sitemap.xml"));
    assert!(
        sitemap.contains("<loc>https://acme.example/widgets/people/bob.html</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("404"));
    // An Atom feed of new docs, linked from every page.
    let feed = read(&site.join("feed.xml"));
    assert!(
        feed.contains("<entry><title>Release retrospective</title><id>https://acme.example/widgets/docs/retrospectives-2024-04-20-release.html</id>"),
        "{feed}"
    );
    assert!(home.contains(r#"<link rel="alternate" type="application/atom+xml" title="New docs" href="https://acme.example/widgets/feed.xml">"#));
    assert!(read(&site.join("404.html")).contains("Page not found"));
    let bob = read(&site.join("people/bob.html"));
    assert!(
        bob.contains(r#"href="https://github.com/acme/widgets/pull/1""#),
        "{bob}"
    );
    assert!(bob.contains(r#"<a href="https://github.com/bob">@bob on GitHub</a>"#));
    // Every page has its own description and title.
    let mut titles = std::collections::BTreeSet::new();
    for p in walkdir(&site)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(p);
        assert!(
            html.contains("<meta name=\"description\" content=\""),
            "{}",
            p.display()
        );
        let t = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
        assert!(titles.insert(t.to_string()), "{} repeats {t}", p.display());
    }
    // Without site.title or name, the repository's name (not "community").
    let plain = super::community();
    plain
        .write("guild.yml", "github: acme/gadgets\n")
        .commit_by("Bob <bob@example.com>", "2024-04-22", "Config");
    plain.run(["site", "build", "--out", "site"]).ok();
    let home = read(&plain.path().join("site/index.html"));
    assert!(home.contains("<title>gadgets community</title>"));
    assert!(home.contains("<h1>gadgets</h1>"), "the page's heading too");
}

#[test]
fn out_refuses_a_folder_with_files_it_did_not_write() {
    let repo = super::community();
    repo.run(["site", "build", "--out", "site"]).ok();
    // A gh-pages clone: .git inside the site folder.
    std::fs::create_dir_all(repo.path().join("site/.git")).unwrap();
    std::fs::write(
        repo.path().join("site/.git/HEAD"),
        "ref: refs/heads/gh-pages\n",
    )
    .unwrap();
    let err = repo.run(["site", "build", "--out", "site"]).fails_with(2);
    assert!(err.contains("holds .git"), "{err}");
    assert!(repo.path().join("site/.git/HEAD").is_file());
    std::fs::remove_dir_all(repo.path().join("site/.git")).unwrap();
    // A file someone added by hand.
    std::fs::write(repo.path().join("site/CNAME"), "widgets.example\n").unwrap();
    let err = repo.run(["site", "build", "--out", "site"]).fails_with(2);
    assert!(err.contains("did not write: CNAME"), "{err}");
    assert!(repo.path().join("site/CNAME").is_file());
    std::fs::remove_file(repo.path().join("site/CNAME")).unwrap();
    // A temporary folder an interrupted build left behind is cleaned up by the next build.
    let stale = repo.path().join(".site.tmp-999999999");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(
        stale.join(".guild-site"),
        "generated by cargo guild site build\n",
    )
    .unwrap();
    repo.run(["site", "build", "--out", "site"]).ok();
    assert!(!stale.exists());
}

#[test]
fn reviews_are_not_drawn_at_zero_when_history_has_none() {
    let repo = Repo::new();
    repo.commit_by("Ann <ann@example.com>", "2024-01-01", "One")
        .commit_by("Ben <ben@example.com>", "2024-02-01", "Two");
    repo.run(["site", "build", "--out", "site"]).ok();
    let home = read(&repo.path().join("site/index.html"));
    assert!(
        !home.contains("reviews</title>") && !home.contains("<strong>0</strong> reviews"),
        "{home}"
    );
    assert!(home.contains("run <code>cargo guild sync</code>"), "{home}");
}

fn search_community() -> Repo {
    let repo = super::community();
    repo.write(
        "community/case-rounds/2024-05-03-scheduler.md",
        "---\ntitle: Work stealing in the scheduler\nkind: case-round\ndate: 2024-05-03\nauthors: [carol@example.com]\n---\nWe checked it with loom, the model checker, before the parser changes landed.\n",
    )
    .commit_by("Daniel Bloom <dan@example.com>", "2024-05-03", "Scheduler notes");
    repo
}

#[test]
fn chromium_search_matches_word_starts_over_names_and_bodies_ranked() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = search_community();
    let mut s = Browsed::every_page_clean(&chromium.unwrap(), &repo);
    // "loom" is a word of a doc's body; "Bloom" does not start with it.
    s.open("/search.html?q=loom");
    let results = s.wait_for(SEARCH_RESULTS);
    assert_eq!(
        results.as_str().unwrap(),
        "Work stealing in the scheduler /docs/case-rounds-2024-05-03-scheduler.html"
    );
    // A body match shows where it is, the term marked.
    let snippet = s.wait_for(
        "(document.querySelector('#search-results .snippet mark') || {}).textContent === 'loom' && document.querySelector('#search-results .snippet').textContent",
    );
    assert_eq!(
        snippet.as_str().unwrap(),
        "We checked it with loom, the model checker, before the parser changes landed."
    );
    // A title match ranks above a body match: "parser" is in one title and another body.
    s.open("/search.html?q=parser");
    let results = s.wait_for(SEARCH_RESULTS);
    let lines: Vec<&str> = results.as_str().unwrap().lines().collect();
    assert_eq!(
        lines,
        [
            "The parser bug /docs/case-rounds-2024-04-01-parser-bug.html",
            "Work stealing in the scheduler /docs/case-rounds-2024-05-03-scheduler.html"
        ]
    );
    // Ids and word starts of names: "blo" finds Daniel Bloom.
    s.open("/search.html?q=blo");
    let results = s.wait_for(SEARCH_RESULTS);
    assert!(results
        .as_str()
        .unwrap()
        .starts_with("Daniel Bloom /people/daniel-bloom.html"));
    assert!(s.problems().is_empty(), "{:#?}", s.problems());
}

#[test]
fn chromium_directory_sorts_and_pages_in_the_browser_and_without_javascript() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = crowd(230);
    let Browsed { server, tab, mut b } = Browsed::new(&chromium.unwrap(), &repo);
    let url = |p: &str| format!("http://127.0.0.1:{}{p}", server.port);
    let first_ids = "[...document.querySelectorAll('#people-table tbody tr')].slice(0, 2).map(r => r.cells[1].textContent).join(',')";
    let count = "document.querySelectorAll('#people-table tbody tr').length";
    // With JavaScript: sort by name (ascending), then go to the last page.
    b.navigate(&tab, &url("/people/"));
    b.wait_for(
        &tab,
        "document.getElementById('people-table').dataset.ready === '1'",
    );
    b.eval(
        &tab,
        "document.querySelector('th[data-sort=\"name\"] button').click()",
    );
    assert_eq!(b.eval(&tab, first_ids), "person-000,person-001");
    assert_eq!(
        b.eval(
            &tab,
            "document.querySelector('th[data-sort=\"name\"]').getAttribute('aria-sort')"
        ),
        "ascending"
    );
    b.eval(
        &tab,
        "document.querySelector('th[data-sort=\"name\"] button').click()",
    );
    assert_eq!(
        b.eval(&tab, first_ids),
        "person-229,person-228",
        "descending on a second click"
    );
    b.eval(
        &tab,
        "document.querySelector('#people-pager button[data-rel=next]').click()",
    );
    b.eval(
        &tab,
        "document.querySelector('#people-pager button[data-rel=next]').click()",
    );
    assert_eq!(b.eval(&tab, count), 30);
    assert_eq!(
        b.eval(&tab, "location.search"),
        "?sort=name&order=desc&page=3"
    );
    // The filter searches everyone, not just the page shown.
    b.eval(&tab, "document.getElementById('people-filter').focus()");
    b.type_text(&tab, "person-007");
    b.wait_for(&tab, &format!("{first_ids} === 'person-007'"));
    // Without JavaScript: the static pages, ranked, linked by the pager.
    b.call(
        Some(&tab),
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({"value": true}),
    );
    b.navigate(&tab, &url("/people/"));
    assert_eq!(b.eval(&tab, count), 100);
    let next = b.eval(&tab, "document.querySelector('.pager a[rel=next]').href");
    b.navigate(&tab, next.as_str().unwrap());
    assert_eq!(b.eval(&tab, "location.pathname"), "/people/page-2.html");
    assert_eq!(b.eval(&tab, count), 100);
    assert!(b.problems(&tab).is_empty(), "{:#?}", b.problems(&tab));
}

#[test]
fn chromium_no_page_scrolls_sideways_on_a_phone() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = search_community();
    repo.write(
        "community/retrospectives/2024-05-04-paths.md",
        "---\ntitle: AVeryLongTitleWithoutAnySpaceThatWouldPushThePageSidewaysOnAPhone\nkind: retrospective\ndate: 2024-05-04\nauthors: [bob@example.com]\ntags: [averylongtagwithoutspacesthatkeepsgoingandgoing]\n---\nSee `src/very/long/path/that/does/not/fit/on/a/phone/screen/at/all/mod.rs` and https://example.org/a/very/long/url/that/does/not/fit/on/a/phone/screen/at/all.\n\n```\nfn a_long_code_line_that_does_not_fit_on_a_phone_screen_either_but_scrolls_in_its_box() {}\n```\n",
    )
    .commit_by("Bob <bob@example.com>", "2024-05-04", "Paths");
    repo.run(["site", "build", "--out", "site"]).ok();
    let Browsed { server, tab, mut b } = Browsed::new(&chromium.unwrap(), &repo);
    b.call(
        Some(&tab),
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
    );
    let mut wide = Vec::new();
    for p in walkdir(&repo.path().join("site")) {
        if p.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let rel = p
            .strip_prefix(repo.path().join("site"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        b.navigate(&tab, &format!("http://127.0.0.1:{}/{rel}", server.port));
        let w = b.eval(&tab, "document.documentElement.scrollWidth");
        if w.as_u64().unwrap() > 390 {
            wide.push(format!("{rel}: {w}px"));
        }
    }
    assert!(wide.is_empty(), "pages wider than the phone: {wide:#?}");
}

#[test]
fn the_network_picture_names_few_has_no_links_and_no_label_overlaps() {
    let repo = super::community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let net = read(&repo.path().join("site/network.html"));
    let svg = &net[net.find("<svg class=\"network\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(!svg.contains("<a "), "no links inside role=img");
    let labels = svg.matches("<text ").count();
    assert!((1..=16).contains(&labels), "{labels}");
}
