//! The network picture's tools in Chromium (issue 14): zoom and pan by buttons and keys, a
//! person's own ties highlighted, a domain filter, nothing sideways on a phone, and the
//! static picture untouched without JavaScript.

use super::*;

#[test]
fn chromium_the_network_picture_zooms_pans_and_highlights_ties() {
    let chromium = cdp::chromium();
    crate::require!(chromium.is_some(), "chromium (apt-get install chromium)");
    let repo = community();
    repo.run(["site", "build", "--out", "site"]).ok();
    let Browsed { server, tab, mut b } = Browsed::new(&chromium.unwrap(), &repo);
    let url = format!("http://127.0.0.1:{}/network.html", server.port);
    b.navigate(&tab, &url);
    b.wait_for(&tab, "!!document.querySelector('.net-tools')");
    let view = "document.querySelector('svg.network').getAttribute('viewBox')";
    let home = b.eval(&tab, view);
    let width = |b: &mut cdp::Browser| -> f64 {
        b.eval(&tab, &format!("Number({view}.split(' ')[2])"))
            .as_f64()
            .unwrap()
    };
    let full = width(&mut b);
    b.eval(&tab, "document.querySelector('[data-net=in]').click()");
    let zoomed = width(&mut b);
    assert!(zoomed < full, "zoom in shrinks the view: {zoomed} < {full}");
    assert_eq!(
        b.eval(&tab, "document.querySelector('.net-zoom').textContent"),
        "150%"
    );
    // Keys on the focused picture pan it.
    let x = format!("Number({view}.split(' ')[0])");
    let before = b.eval(&tab, &x).as_f64().unwrap();
    b.eval(
        &tab,
        "document.querySelector('figure.network').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}))",
    );
    assert!(
        b.eval(&tab, &x).as_f64().unwrap() > before,
        "ArrowRight pans"
    );
    b.eval(
        &tab,
        "document.querySelector('figure.network').dispatchEvent(new KeyboardEvent('keydown', {key: '-', bubbles: true}))",
    );
    assert_eq!(
        b.eval(&tab, view),
        home,
        "zoomed back out to the whole picture"
    );
    b.eval(&tab, "document.querySelector('[data-net=in]').click()");
    b.eval(&tab, "document.querySelector('[data-net=reset]').click()");
    assert_eq!(b.eval(&tab, view), home, "reset");
    // A person chosen from the list: exactly their lines are highlighted.
    let highlighted = b.eval(
        &tab,
        "(() => { const s = document.querySelector('[data-net=person]');
          s.selectedIndex = 1; s.dispatchEvent(new Event('change'));
          const i = Number(s.value);
          const c = document.querySelectorAll('svg.network .nodes circle')[i];
          const key = (x, y) => x + ',' + y;
          const me = key(c.getAttribute('cx'), c.getAttribute('cy'));
          const mine = [...document.querySelectorAll('svg.network .edges line')].filter(l =>
            key(l.getAttribute('x1'), l.getAttribute('y1')) === me ||
            key(l.getAttribute('x2'), l.getAttribute('y2')) === me).length;
          const on = document.querySelectorAll('svg.network .edges line.on').length;
          return [mine, on, document.querySelector('svg.network').classList.contains('focus')]; })()",
    );
    let mine = highlighted[0].as_u64().unwrap();
    assert!(mine > 0, "{highlighted}");
    assert_eq!(highlighted[1].as_u64().unwrap(), mine, "{highlighted}");
    assert_eq!(highlighted[2], true);
    assert!(b.problems(&tab).is_empty(), "{:#?}", b.problems(&tab));
    // A phone: the tools wrap, nothing scrolls sideways.
    b.call(
        Some(&tab),
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": true}),
    );
    b.navigate(&tab, &url);
    b.wait_for(&tab, "!!document.querySelector('.net-tools')");
    let w = b.eval(&tab, "document.documentElement.scrollWidth");
    assert!(w.as_u64().unwrap() <= 390, "network page is {w}px wide");
    // Without JavaScript: the static picture, no tools.
    b.call(
        Some(&tab),
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({"value": true}),
    );
    b.navigate(&tab, &url);
    assert_eq!(
        b.eval(&tab, "document.querySelectorAll('.net-tools').length"),
        0
    );
    assert_eq!(b.eval(&tab, view), home);
}
