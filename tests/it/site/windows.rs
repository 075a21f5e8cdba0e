//! Time windows in Chromium (issue 14): the directory and the home page re-rank by the last
//! 90 days or the last year, and the network hides ties with no activity in the window.

use super::*;

/// Old and Ann worked together in 2022; New and Rev in the spring of 2024 (the latest
/// activity, so the snapshot's as_of).
fn old_and_new() -> Repo {
    let repo = Repo::new();
    for day in 1..=8 {
        repo.commit_by(
            "Old Timer <old@example.com>",
            &format!("2022-03-{day:02}"),
            &format!("Old change {day}\n\nReviewed-by: Ann Elder <ann@example.com>"),
        );
    }
    for day in 1..=1 {
        repo.commit_by(
            "New Comer <new@example.com>",
            &format!("2024-05-{day:02}"),
            &format!("New change {day}\n\nReviewed-by: Rev Fresh <rev@example.com>"),
        );
    }
    repo
}

/// The snapshot's window scores are the points of the events in each window before as_of:
/// the 2022 work is in no window, the 2024 work in both, and ties carry their last day.
#[test]
fn context_holds_scores_per_window_and_each_ties_last_day() {
    let repo = old_and_new();
    let ctx = repo.run(["context", "--json"]).json();
    assert_eq!(ctx["windows"]["days"], serde_json::json!([90, 365]));
    let scores = ctx["windows"]["scores"].as_object().unwrap();
    let ids: Vec<&str> = scores.keys().map(String::as_str).collect();
    assert_eq!(ids, ["new-comer", "rev-fresh"], "no 2022 work in a window");
    let all_time = |id: &str| crate::support::person(&ctx["people"], id)["reputation"].clone();
    for id in ids {
        let r = all_time(id);
        let want = serde_json::json!([r["total"], r["contributor"], r["reviewer"]]);
        assert_eq!(
            scores[id],
            serde_json::json!([want, want]),
            "{id}: all their points are recent"
        );
    }
    let lasts: Vec<String> = ctx["network"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}>{} {}",
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
                e["last"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        lasts,
        [
            "ann-elder>old-timer 2022-03-08",
            "rev-fresh>new-comer 2024-05-01"
        ]
    );
}

const FIRST_ROWS: &str = "[...document.querySelectorAll('#people-table tbody tr')].slice(0, 2).map(r => r.cells[1].textContent).sort().join(',')";

#[test]
fn chromium_window_switch_reranks_the_directory_and_the_home_page() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = old_and_new();
    repo.run(["site", "build", "--out", "site"]).ok();
    let Browsed { server, tab, mut b } = Browsed::new(&chromium.unwrap(), &repo);
    let url = |p: &str| format!("http://127.0.0.1:{}{p}", server.port);
    b.navigate(&tab, &url("/people/"));
    b.wait_for(
        &tab,
        "document.getElementById('people-table').dataset.ready === '1'",
    );
    assert_eq!(b.eval(&tab, FIRST_ROWS), "ann-elder,old-timer", "all time");
    // The switch is a labelled radio group; choosing a window re-ranks everyone.
    assert_eq!(
        b.eval(
            &tab,
            "[...document.querySelectorAll('fieldset.window-switch label')].map(l => l.textContent.trim() + (l.querySelector('input').checked ? '*' : '')).join('|')"
        ),
        "All time*|Last year|Last 90 days"
    );
    b.eval(
        &tab,
        "document.querySelector('fieldset.window-switch input[value=\"90\"]').click()",
    );
    assert_eq!(
        b.eval(&tab, FIRST_ROWS),
        "new-comer,rev-fresh",
        "last 90 days"
    );
    assert_eq!(b.eval(&tab, "location.search"), "?window=90");
    // Old Timer has no points in the window: a zero, at the bottom.
    assert_eq!(
        b.eval(&tab, "[...document.querySelectorAll('#people-table tbody tr')].find(r => r.cells[1].textContent === 'old-timer').cells[2].textContent"),
        "0"
    );
    // The window survives a reload (it is in the address).
    b.navigate(&tab, &url("/people/?window=90"));
    b.wait_for(
        &tab,
        "document.getElementById('people-table').dataset.ready === '1'",
    );
    assert_eq!(b.eval(&tab, FIRST_ROWS), "new-comer,rev-fresh");
    assert_eq!(
        b.eval(
            &tab,
            "document.querySelector('fieldset.window-switch input[value=\"90\"]').checked"
        ),
        true
    );
    // The home page: the most recognised, all time, then over the last year.
    let top = "[...document.querySelectorAll('ol.ranked')].filter(o => !o.hidden).map(o => [...o.querySelectorAll('a')].map(a => a.textContent).slice(0, 2).sort().join(',')).join(';')";
    b.navigate(&tab, &url("/"));
    b.wait_for(
        &tab,
        "!document.querySelector('fieldset.window-switch').hidden",
    );
    assert_eq!(b.eval(&tab, top), "Ann Elder,Old Timer");
    b.eval(
        &tab,
        "document.querySelector('fieldset.window-switch input[value=\"365\"]').click()",
    );
    assert_eq!(b.eval(&tab, top), "New Comer,Rev Fresh");
    // Every switch on the page moves together, and the chart follows.
    assert_eq!(
        b.eval(&tab, "[...document.querySelectorAll('fieldset.window-switch input:checked')].map(i => i.value).join(',')"),
        "365,365"
    );
    assert_eq!(
        b.eval(&tab, "[...document.querySelectorAll('figure[data-window]')].filter(f => !f.hidden).map(f => f.dataset.window).join(',')"),
        "365"
    );
    assert!(b.problems(&tab).is_empty(), "{:#?}", b.problems(&tab));
    // Without JavaScript: all time, and no switch that would do nothing.
    b.call(
        Some(&tab),
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({"value": true}),
    );
    b.navigate(&tab, &url("/"));
    assert_eq!(b.eval(&tab, top), "Ann Elder,Old Timer");
    assert_eq!(
        b.eval(&tab, "[...document.querySelectorAll('fieldset.window-switch')].filter(f => f.offsetParent).length"),
        0
    );
}

#[test]
fn chromium_network_time_filter_hides_ties_with_no_activity_in_the_window() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = old_and_new();
    repo.run(["site", "build", "--out", "site"]).ok();
    let Browsed { server, tab, mut b } = Browsed::new(&chromium.unwrap(), &repo);
    b.navigate(
        &tab,
        &format!("http://127.0.0.1:{}/network.html", server.port),
    );
    b.wait_for(&tab, "!!document.querySelector('[data-net=time]')");
    let shown = "[...document.querySelectorAll('svg.network .edges line')].filter(l => getComputedStyle(l).display !== 'none').length";
    assert_eq!(b.eval(&tab, shown), 2, "both ties, all time");
    let pick = |b: &mut cdp::Browser, v: &str| {
        b.eval(
            &tab,
            &format!("(s => {{ s.value = '{v}'; s.dispatchEvent(new Event('change')); }})(document.querySelector('[data-net=time]'))"),
        );
    };
    pick(&mut b, "90");
    assert_eq!(
        b.eval(&tab, shown),
        1,
        "only the 2024 tie in the last 90 days"
    );
    pick(&mut b, "365");
    assert_eq!(b.eval(&tab, shown), 1);
    pick(&mut b, "");
    assert_eq!(b.eval(&tab, shown), 2);
    assert_eq!(
        b.eval(&tab, "document.querySelector('[data-net=time]').closest('label').textContent.startsWith('Ties active')"),
        true,
        "the filter is labelled"
    );
    assert!(b.problems(&tab).is_empty(), "{:#?}", b.problems(&tab));
}
