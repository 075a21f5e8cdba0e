//! Search over a sharded index in Chromium (issue 14): people and titles load with the
//! page, doc bodies in shards fetched only for the words a query has.

use super::*;

/// 30 docs, each body with 200 words of its own (`w<doc>x<n>`, so the bodies' words fill
/// several shards), and one word, "zebrafinch", in one doc's body and another doc's title.
fn sharded_community() -> Repo {
    let repo = community();
    for d in 0..30 {
        let mut body: Vec<String> = (0..200).map(|n| format!("w{d:02}x{n:03}")).collect();
        if d == 7 {
            body.insert(100, "zebrafinch".into());
            body.push("We watched a zebrafinch learn its song from a tutor.".into());
        }
        let title = if d == 3 {
            "The zebrafinch method".to_string()
        } else {
            format!("Notes {d}")
        };
        repo.write(
            &format!("community/guides/2024-03-{:02}-notes-{d}.md", d + 1),
            &format!(
                "---\ntitle: {title}\nkind: guide\ndate: 2024-03-{:02}\nauthors: [bob@example.com]\n---\n{}\n",
                d + 1,
                body.join(" ")
            ),
        );
    }
    repo.commit_by("Bob <bob@example.com>", "2024-04-30", "Notes");
    repo
}

#[test]
fn chromium_search_finds_a_body_word_in_its_shard_with_a_snippet_ranked_below_titles() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = sharded_community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let site = repo.path().join("site");
    let shards = std::fs::read_dir(site.join("search")).unwrap().count();
    assert!(shards >= 3, "the bodies fill several shards: {shards}");
    let index = read(&site.join("search-index.json"));
    assert!(!index.contains("zebrafinch learn"), "no body text up front");
    let Browsed { server, tab, mut b } = Browsed::new(&chromium.unwrap(), &repo);
    b.navigate(
        &tab,
        &format!("http://127.0.0.1:{}/search.html?q=zebrafinch", server.port),
    );
    let results = b.wait_for(
        &tab,
        "document.querySelectorAll('#search-results a').length === 2 && [...document.querySelectorAll('#search-results a')].map(a => a.textContent + ' ' + a.pathname).join('\\n')",
    );
    // The title match first, then the doc whose body has the word.
    assert_eq!(
        results.as_str().unwrap(),
        "The zebrafinch method /docs/guides-2024-03-04-notes-3.html\nNotes 7 /docs/guides-2024-03-08-notes-7.html"
    );
    let snippet = b.wait_for(
        &tab,
        "(document.querySelector('#search-results li:nth-child(2) .snippet mark') || {}).textContent === 'zebrafinch' && document.querySelector('#search-results li:nth-child(2) .snippet').textContent",
    );
    assert!(
        snippet
            .as_str()
            .unwrap()
            .contains("w07x099 zebrafinch w07x100"),
        "{snippet}"
    );
    // One shard was fetched for the one word, not the whole index.
    let fetched = b.eval(
        &tab,
        "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.startsWith('/search/')).join(' ')",
    );
    assert_eq!(
        fetched.as_str().unwrap().split(' ').count(),
        1,
        "{fetched} of {shards}"
    );
    // A word start: "zebraf" finds the same two; a word in no doc finds nothing.
    b.navigate(
        &tab,
        &format!("http://127.0.0.1:{}/search.html?q=w29x10", server.port),
    );
    let results = b.wait_for(
        &tab,
        "document.getElementById('search-status').textContent.includes('result') && [...document.querySelectorAll('#search-results a')].map(a => a.textContent).join(',')",
    );
    assert_eq!(results, "Notes 29", "a word start in the last docs' shard");
    assert!(b.problems(&tab).is_empty(), "{:#?}", b.problems(&tab));
}
