// cargo guild site: client-side search, the people directory's sorting, filtering and
// paging, and the network picture's zoom, pan and highlights. Progressive enhancement only: every page is readable and navigable without this
// file (the directory's numbered pages, the header's search form). Everything shown is
// built with textContent and createElement (never innerHTML), so nothing from the data can
// run.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var base = document.body.getAttribute("data-base") || "/";

  // Words as the index has them: lowercase runs of letters and digits.
  function words(s) {
    return s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // ---- Time windows: radio groups (all time, last year, last 90 days) that show the
  // elements marked data-window="<value>" of the chosen window and hide the others. Every
  // switch on a page moves together; the directory re-scores from its one copy of the data.
  var switches = Array.prototype.slice.call(document.querySelectorAll("fieldset.window-switch"));
  var onWindow = [];
  function setWindow(value) {
    document.querySelectorAll("[data-window]").forEach(function (e) {
      e.hidden = e.getAttribute("data-window") !== value;
    });
    switches.forEach(function (fs) {
      fs.querySelectorAll("input[type=radio]").forEach(function (r) { r.checked = r.value === value; });
    });
    onWindow.forEach(function (f) { f(value); });
  }
  switches.forEach(function (fs) {
    fs.hidden = false;
    fs.addEventListener("change", function (e) {
      if (e.target && e.target.type === "radio" && e.target.checked) setWindow(e.target.value);
    });
  });

  // ---- The people directory: one copy of everyone (directory.json), sorted and paged here.
  var table = document.getElementById("people-table");
  if (table && table.getAttribute("data-directory")) {
    var PER = 100;
    var COLS = { name: 1, id: 0, total: 4, contributor: 5, reviewer: 6, prs: 7, reviews: 8, last_seen: 9 };
    var params = new URLSearchParams(window.location.search);
    var winBox = document.querySelector("fieldset.window-switch");
    var days = winBox ? winBox.getAttribute("data-days").split(" ") : [];
    // The filter and the switch take their place at once (appearing later would move the
    // table under the reader), usable once the directory is here.
    if (winBox) winBox.disabled = true;
    var state = {
      win: days.indexOf(params.get("window") || "") >= 0 ? params.get("window") : "all",
      sort: COLS.hasOwnProperty(params.get("sort")) ? params.get("sort") : "total",
      asc: params.get("order") === "asc",
      page: parseInt(params.get("page") || table.getAttribute("data-page") || "1", 10) || 1,
      q: "",
    };
    var rows = null;
    var tbody = table.tBodies[0];
    var pagerBox = document.getElementById("people-pager");
    var filter = document.getElementById("people-filter");
    if (filter) { filter.parentNode.hidden = false; filter.disabled = true; }
    var heads = table.querySelectorAll("th[data-sort]");

    var sortButtons = [];
    heads.forEach(function (th) {
      var key = th.getAttribute("data-sort");
      var b = el("button", th.textContent, "sort");
      b.type = "button";
      b.setAttribute("data-sort", key);
      b.addEventListener("click", function () {
        if (state.sort === key) state.asc = !state.asc;
        else { state.sort = key; state.asc = key === "name" || key === "id"; }
        state.page = 1;
        render();
      });
      th.replaceChildren(b);
      sortButtons.push(th);
    });

    // A row's field; reputation (fields 4 to 6) in the chosen window: row[10] holds
    // [total, contributor, reviewer] per window of data-days, 0 when none.
    function field(r, i) {
      if (state.win === "all" || i < 4 || i > 6) return r[i];
      var w = days.indexOf(state.win);
      return r[10] && r[10][w] ? r[10][w][i - 4] : 0;
    }

    function compare(a, b) {
      var i = COLS[state.sort];
      var x = field(a, i), y = field(b, i);
      var c = typeof x === "string" ? x.toLowerCase().localeCompare(y.toLowerCase()) : x - y;
      if (!state.asc) c = -c;
      return c || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
    }

    function render() {
      var q = state.q.trim().toLowerCase();
      var list = rows.filter(function (r) {
        return !q || r[1].toLowerCase().indexOf(q) >= 0 || r[0].toLowerCase().indexOf(q) >= 0;
      });
      list.sort(compare);
      var pages = Math.max(1, Math.ceil(list.length / PER));
      state.page = Math.min(Math.max(1, state.page), pages);
      var shown = list.slice((state.page - 1) * PER, state.page * PER);
      tbody.replaceChildren.apply(tbody, shown.map(function (r) {
        var tr = el("tr");
        var name = el("td");
        var a = el("a", r[1]);
        a.href = base + "people/" + r[2] + ".html";
        name.appendChild(a);
        if (r[3]) { name.appendChild(document.createTextNode(" ")); name.appendChild(el("span", "bot", "tag")); }
        tr.appendChild(name);
        var id = el("td", undefined, "opt");
        id.appendChild(el("code", r[0]));
        tr.appendChild(id);
        [[4, "num"], [5, "num opt"], [6, "num opt"], [7, "num"], [8, "num"], [9, "opt"]].forEach(function (c) {
          tr.appendChild(el("td", String(field(r, c[0])), c[1]));
        });
        return tr;
      }));
      sortButtons.forEach(function (th) {
        var key = th.getAttribute("data-sort");
        if (key === state.sort) th.setAttribute("aria-sort", state.asc ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      var nav = el("nav", undefined, "pager");
      nav.setAttribute("aria-label", "Pages");
      function go(label, page, rel) {
        var b = el("button", label);
        b.type = "button";
        b.setAttribute("data-page", String(page));
        if (rel) b.setAttribute("data-rel", rel);
        b.addEventListener("click", function () { state.page = page; render(); table.scrollIntoView(); });
        return b;
      }
      if (state.page > 1) nav.appendChild(go("← Previous", state.page - 1, "prev"));
      var status = el("span", "Page " + state.page + " of " + pages + " · " + list.length +
        (list.length === 1 ? " person" : " people"), "page-status");
      status.setAttribute("role", "status");
      nav.appendChild(status);
      if (state.page < pages) nav.appendChild(go("Next →", state.page + 1, "next"));
      pagerBox.replaceChildren(nav);
      var p = new URLSearchParams();
      if (state.win !== "all") p.set("window", state.win);
      if (state.sort !== "total") p.set("sort", state.sort);
      if (state.asc !== (state.sort === "name" || state.sort === "id")) p.set("order", state.asc ? "asc" : "desc");
      if (state.page > 1) p.set("page", String(state.page));
      var qs = p.toString();
      history.replaceState(null, "", base + "people/" + (qs ? "?" + qs : ""));
    }

    fetch(table.getAttribute("data-directory"))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        rows = data;
        table.setAttribute("data-ready", "1");
        if (filter) {
          filter.disabled = false;
          filter.addEventListener("input", function () { state.q = filter.value; state.page = 1; render(); });
        }
        onWindow.push(function (value) { state.win = value; state.page = 1; render(); });
        if (winBox) winBox.disabled = false;
        if (state.win !== "all") setWindow(state.win);
        else render();
      })
      .catch(function () { /* the static page stays as it is */ });
  }

  // ---- The network picture: zoom and pan (buttons and keys), a person's own ties, a
  // domain filter. The drawing itself is static; this only moves the viewBox and sets
  // classes. Lines are matched to circles by their end points, which the build writes with
  // the same coordinates.
  var fig = document.querySelector("figure.network");
  var net = fig && fig.querySelector("svg.network");
  if (net) networkTools(fig, net);

  function networkTools(fig, svg) {
    var home = svg.getAttribute("viewBox");
    var box = home.split(/\s+/).map(Number);
    var W = box[2], H = box[3];
    var view = { x: 0, y: 0, k: 1 };
    var bar = el("div", undefined, "net-tools");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Network picture");
    var level = el("span", "100%", "net-zoom");
    level.setAttribute("aria-live", "polite");
    function apply() {
      var w = W / view.k, h = H / view.k;
      view.x = Math.min(Math.max(0, view.x), W - w);
      view.y = Math.min(Math.max(0, view.y), H - h);
      svg.setAttribute("viewBox", view.k === 1 ? home :
        [view.x, view.y, w, h].map(function (v) { return v.toFixed(1); }).join(" "));
      level.textContent = Math.round(view.k * 100) + "%";
    }
    function zoom(f) {
      var cx = view.x + W / view.k / 2, cy = view.y + H / view.k / 2;
      view.k = Math.min(8, Math.max(1, view.k * f));
      view.x = cx - W / view.k / 2;
      view.y = cy - H / view.k / 2;
      apply();
    }
    function pan(dx, dy) {
      view.x += dx * W / view.k / 5;
      view.y += dy * H / view.k / 5;
      apply();
    }
    function button(text, label, key, act) {
      var b = el("button", text);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.setAttribute("data-net", key);
      b.addEventListener("click", act);
      bar.appendChild(b);
    }
    button("+", "Zoom in", "in", function () { zoom(1.5); });
    button("\u2212", "Zoom out", "out", function () { zoom(1 / 1.5); });
    button("Reset", "Reset the view", "reset", function () { view = { x: 0, y: 0, k: 1 }; apply(); });
    bar.appendChild(level);

    // Keys on the focused picture: + and - zoom, arrows pan, 0 resets.
    fig.tabIndex = 0;
    fig.setAttribute("aria-keyshortcuts", "+ - 0 ArrowUp ArrowDown ArrowLeft ArrowRight");
    fig.addEventListener("keydown", function (e) {
      var k = e.key, done = true;
      if (k === "+" || k === "=") zoom(1.5);
      else if (k === "-" || k === "_") zoom(1 / 1.5);
      else if (k === "0") { view = { x: 0, y: 0, k: 1 }; apply(); }
      else if (k === "ArrowLeft") pan(-1, 0);
      else if (k === "ArrowRight") pan(1, 0);
      else if (k === "ArrowUp") pan(0, -1);
      else if (k === "ArrowDown") pan(0, 1);
      else done = false;
      if (done) e.preventDefault();
    });

    var circles = Array.prototype.slice.call(svg.querySelectorAll(".nodes circle"));
    var lines = Array.prototype.slice.call(svg.querySelectorAll(".edges line"));
    var at = {};
    circles.forEach(function (c, i) { at[c.getAttribute("cx") + "," + c.getAttribute("cy")] = i; });
    var ends = lines.map(function (l) {
      return [at[l.getAttribute("x1") + "," + l.getAttribute("y1")],
              at[l.getAttribute("x2") + "," + l.getAttribute("y2")]];
    });
    function choice(label, first, options, onChange) {
      var wrap = el("label", label + " ");
      var s = el("select");
      s.appendChild(el("option", first)).value = "";
      options.forEach(function (o) { s.appendChild(el("option", o[1])).value = o[0]; });
      s.addEventListener("change", function () { onChange(s.value); });
      wrap.appendChild(s);
      bar.appendChild(wrap);
      return s;
    }
    var people = circles.map(function (c, i) {
      var t = c.querySelector("title");
      return [String(i), (t ? t.textContent : "").replace(/ \(knowledge broker\)$/, "")];
    }).sort(function (a, b) { return a[1].localeCompare(b[1]); });
    var who = choice("Ties of", "everyone", people, function (v) {
      var i = v === "" ? -1 : Number(v);
      svg.classList.toggle("focus", i >= 0);
      circles.forEach(function (c, j) { c.classList.toggle("on", j === i); });
      lines.forEach(function (l, j) {
        var on = i >= 0 && (ends[j][0] === i || ends[j][1] === i);
        l.classList.toggle("on", on);
        if (on) circles[ends[j][0] === i ? ends[j][1] : ends[j][0]].classList.add("on");
      });
    });
    who.setAttribute("data-net", "person");
    var legend = fig.parentNode.querySelectorAll(".legend li");
    if (legend.length) {
      var domains = Array.prototype.map.call(legend, function (li) {
        var sw = li.querySelector(".swatch");
        var cls = sw ? sw.className.replace("swatch", "").trim() : "";
        return [cls, li.textContent.trim()];
      });
      choice("Domain", "all", domains, function (v) {
        svg.classList.toggle("filter", v !== "");
        circles.forEach(function (c) { c.classList.toggle("in", v !== "" && c.classList.contains(v)); });
      }).setAttribute("data-net", "domain");
    }
    // The time filter: ties with no activity in the window hidden (lines carry r90, r365
    // when they had some in those windows, t when their last activity is known at all).
    if (svg.querySelector(".edges line.t")) {
      choice("Ties active", "all time", [["365", "in the last year"], ["90", "in the last 90 days"]], function (v) {
        svg.classList.remove("t90", "t365");
        if (v) svg.classList.add("t" + v);
      }).setAttribute("data-net", "time");
    }
    fig.insertBefore(bar, svg);
  }

  // ---- Search: word-start matches over names, ids, logins, domains, titles, kinds and tags
  // (search-index.json, loaded with the page) and doc bodies (search/<key>.json, one shard
  // per two-letter word start, fetched only when a query word needs it).
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) return;
  var index = null;
  input.value = new URLSearchParams(window.location.search).get("q") || "";

  // An ASCII title's slug, as the build shortens doc pages with it.
  function slug(t) {
    var s = t.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return s.length > 80 ? s.slice(0, 80).replace(/-+$/, "") : s;
  }

  // Items: people first, then docs.
  // The index stores people and docs as columns; rows again.
  function unpack(cols) {
    return cols[0].map(function (_, i) { return cols.map(function (c) { return c[i]; }); });
  }
  // Reads the items in slices of 2,000 people and docs, yielding between them so the page
  // stays responsive (10,000 docs would otherwise block it for a long task); then calls
  // done. Items are [kind, title, page, detail(), lowercase title, name words].
  function load(data, done) {
    var idx = { items: [], shards: data.shards, text: {} };
    var people = unpack(data.people), docs = unpack(data.docs), cache = {};
    idx.docs0 = people.length;
    // An item's name words as one string, " w1 w2 ... ": a query word starts a word where
    // " " + it occurs, and is a whole word where " " + it + " " does (one indexOf per item
    // and query word; a word → items map built here was the page's longest task).
    function key(list) {
      return " " + list.map(function (s) {
        return cache[s] || (cache[s] = words(s || "").join(" "));
      }).filter(Boolean).join(" ") + " ";
    }
    function person(p) {
      var doms = p[4].map(function (d) { return data.domains[d]; });
      idx.items.push([0, p[0], p[2] || p[1], function () {
        return p[1] + (p[3] ? " \u00b7 @" + p[3] : "") + (doms.length ? " \u00b7 " + doms.join(", ") : "");
      }, p[0].toLowerCase(), key([p[0], p[1], p[3]].concat(doms))]);
    }
    function doc(d) {
      var kind = data.kinds[d[2]], dom = d[3] >= 0 ? data.domains[d[3]] : "";
      var tags = d[4].map(function (t) { return data.tags[t]; });
      var page = d[1].slice(-1) !== "*" ? d[1] :
        (d[1].length > 1 ? d[1].slice(0, -1) + "-" : "") + slug(d[0]);
      idx.items.push([1, d[0], page, function () {
        var date = d[5] || (page.match(/\d{4}-\d\d-\d\d/) || [""])[0];
        return kind + " \u00b7 " + date + (dom ? " \u00b7 " + dom : "") +
          tags.map(function (t) { return " #" + t; }).join("");
      }, d[0].toLowerCase(), key([d[0], kind, dom].concat(tags))]);
    }
    var i = 0, n = people.length + docs.length;
    (function slice() {
      for (var end = Math.min(n, i + 2000); i < end; i++) {
        if (i < people.length) person(people[i]);
        else doc(docs[i - people.length]);
      }
      if (i < n) setTimeout(slice, 0);
      else done(idx);
    })();
  }

  // Code point order, as the build sorts words (plain < compares UTF-16 units).
  function before(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      if (x[i] !== y[i]) return x[i].codePointAt(0) < y[i].codePointAt(0);
    }
    return x.length < y.length;
  }
  var shards = {};
  function shard(n) {
    if (!shards[n]) {
      shards[n] = fetch(base + "search/" + n + ".json")
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (map) {
          for (var w in map) {
            var ids = [], x = 0;
            map[w].forEach(function (d) { x += d; ids.push(index.docs0 + x); });
            index.text[w] = ids;
          }
        })
        .catch(function () { /* that shard's words are not found */ });
    }
    return shards[n];
  }
  // The shards that may hold words starting with a query word: shard n holds the words
  // from firsts[n] up to firsts[n + 1]. One-letter words match names and titles only.
  function needed(terms) {
    var out = [], f = index.shards;
    terms.forEach(function (t) {
      if (Array.from(t).length < 2) return;
      for (var n = 0; n < f.length; n++) {
        // Words from t up to the last one starting with t, against [firsts[n], firsts[n + 1]).
        var endsBefore = n + 1 < f.length && !before(t, f[n + 1]);
        var startsAfter = before(t, f[n]) && f[n].lastIndexOf(t, 0) !== 0;
        if (!endsBefore && !startsAfter && out.indexOf(n) < 0) out.push(n);
      }
    });
    return out;
  }

  // Each term's best match per item: a whole word of a name or title 8, its start 5, a
  // whole word of the text 2, its start 1. An item must match every term.
  function search(q) {
    var terms = words(q);
    if (!terms.length) return { top: [], count: 0 };
    var items = index.items, n = items.length, total = null;
    terms.forEach(function (t) {
      var best = new Uint8Array(n), start = " " + t, word = start + " ";
      for (var i = 0; i < n; i++) {
        var k = items[i][5];
        if (k.indexOf(start) >= 0) best[i] = k.indexOf(word) >= 0 ? 8 : 5;
      }
      for (var w in index.text) {
        if (w.lastIndexOf(t, 0) !== 0) continue;
        var sc = w === t ? 2 : 1, ids = index.text[w];
        for (var j = 0; j < ids.length; j++) if (best[ids[j]] < sc) best[ids[j]] = sc;
      }
      if (total === null) total = Uint16Array.from(best);
      else for (var m = 0; m < n; m++) total[m] = total[m] && best[m] ? total[m] + best[m] : 0;
    });
    var whole = q.trim().toLowerCase();
    // Only the first SHOWN are ranked in full: with 10,000 docs matching, sorting all of
    // them was a long task. The rest are counted.
    var top = [], count = 0;
    for (var id = 0; id < n; id++) {
      if (!total[id]) continue;
      var it = items[id];
      var score = total[id];
      if (it[4] === whole) score += 20;
      else if (it[4].lastIndexOf(whole, 0) === 0) score += 10;
      var h = { item: it, score: score };
      count++;
      if (top.length === SHOWN && rank(h, top[SHOWN - 1]) >= 0) continue;
      var lo = 0, hi = top.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (rank(top[mid], h) <= 0) lo = mid + 1; else hi = mid; }
      top.splice(lo, 0, h);
      if (top.length > SHOWN) top.pop();
    }
    return { top: top, count: count };
  }

  // Higher score first; ties: people before docs, then by lowercase title (a plain
  // comparison: a locale-aware one made thousands of hits a long task).
  function rank(a, b) {
    return b.score - a.score || a.item[0] - b.item[0] ||
      (a.item[4] < b.item[4] ? -1 : a.item[4] > b.item[4] ? 1 : 0);
  }
  var SHOWN = 50;

  function run() {
    if (!index) return;
    var q = input.value.trim();
    if (!words(q).length) {
      list.replaceChildren();
      status.textContent = index.items.length + " people and docs to search.";
      return;
    }
    Promise.all(needed(words(q)).map(shard)).then(function () {
      if (input.value.trim() === q) show(q);
    });
  }

  function show(q) {
    list.replaceChildren();
    var found = search(q);
    var shownDocs = 0;
    found.top.forEach(function (h) {
      var li = el("li");
      var a = el("a", h.item[1]);
      a.href = base + (h.item[0] === 0 ? "people/" : "docs/") + h.item[2] + ".html";
      li.appendChild(a);
      li.appendChild(el("small", " " + (h.item[0] === 0 ? "person" : "doc") + " \u00b7 " + h.item[3]()));
      list.appendChild(li);
      // The snippet's place is kept from the start, so nothing moves when it comes.
      if (h.item[0] === 1 && shownDocs++ < SNIPPETS) {
        var p = li.appendChild(el("p", undefined, "snippet"));
        snippet(p, a.href, words(q), q);
      }
    });
    status.textContent = found.count + (found.count === 1 ? " result" : " results") +
      (found.count > SHOWN ? " (first " + SHOWN + " shown)" : "") + " for \u201c" + q + "\u201d.";
  }

  // Snippets: the doc's own page is read (once) and the sentence around the first word
  // starting with a query term is shown with the term marked, so the index holds no text.
  var SNIPPETS = 10;
  var pages = {};
  function snippet(p, url, terms, q) {
    if (!pages[url]) {
      pages[url] = fetch(url)
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var body = new DOMParser().parseFromString(html, "text/html").querySelector("article.doc .body");
          return body ? body.textContent.replace(/\s+/g, " ").trim() : "";
        })
        .catch(function () { return ""; });
    }
    pages[url].then(function (text) {
      if (!text || input.value.trim() !== q || !p.isConnected) return;
      var lower = text.toLowerCase(), at = -1, len = 0;
      terms.forEach(function (t) {
        var re = new RegExp("(^|[^\\p{L}\\p{N}])" + t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
        var m = re.exec(lower);
        if (m && (at < 0 || m.index + m[1].length < at)) { at = m.index + m[1].length; len = t.length; }
      });
      if (at < 0) return;
      var from = Math.max(0, text.lastIndexOf(" ", Math.max(0, at - 70)));
      var to = text.indexOf(" ", Math.min(text.length, at + len + 90));
      if (to < 0) to = text.length;
      p.appendChild(document.createTextNode((from > 0 ? "\u2026" : "") + text.slice(from, at).replace(/^ /, "")));
      p.appendChild(el("mark", text.slice(at, at + len)));
      p.appendChild(document.createTextNode(text.slice(at + len, to) + (to < text.length ? "\u2026" : "")));
    });
  }

  input.addEventListener("input", run);
  fetch(base + "search-index.json")
    .then(function (r) { return r.json(); })
    .then(function (data) { load(data, function (idx) { index = idx; run(); }); })
    .catch(function () { status.textContent = "The search index could not be loaded."; });
})();
