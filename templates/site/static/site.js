// cargo guild site: client-side search and the people filter. Progressive enhancement
// only: every page is readable and navigable without this file. Results are built with
// textContent and createElement (never innerHTML), so nothing from the index can run.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var base = document.body.getAttribute("data-base") || "/";

  var filter = document.getElementById("people-filter");
  if (filter) {
    filter.parentNode.hidden = false;
    var rows = document.querySelectorAll("#" + filter.getAttribute("data-filter") + " tbody tr");
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      rows.forEach(function (r) {
        r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  }

  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !list || !status) return;
  var index = null;
  input.value = new URLSearchParams(window.location.search).get("q") || "";

  function run() {
    if (!index) return;
    var q = input.value.trim().toLowerCase();
    var terms = q.split(/\s+/).filter(Boolean);
    list.replaceChildren();
    if (!terms.length) {
      status.textContent = index.length + " people and docs to search.";
      return;
    }
    var hits = index.filter(function (e) {
      var hay = (e.t + " " + e.d).toLowerCase();
      return terms.every(function (t) { return hay.indexOf(t) >= 0; });
    });
    hits.sort(function (a, b) {
      var pa = a.t.toLowerCase().indexOf(q) === 0 ? 0 : 1;
      var pb = b.t.toLowerCase().indexOf(q) === 0 ? 0 : 1;
      return pa - pb || (a.k === b.k ? 0 : a.k === "person" ? -1 : 1);
    });
    hits.slice(0, 50).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = e.u;
      a.textContent = e.t;
      var small = document.createElement("small");
      small.textContent = " " + e.k + " · " + e.d;
      li.appendChild(a);
      li.appendChild(small);
      list.appendChild(li);
    });
    status.textContent = hits.length + (hits.length === 1 ? " result" : " results") +
      (hits.length > 50 ? " (first 50 shown)" : "") + " for \u201c" + input.value.trim() + "\u201d.";
  }

  input.addEventListener("input", run);
  fetch(base + "search-index.json")
    .then(function (r) { return r.json(); })
    .then(function (data) { index = data; run(); })
    .catch(function () { status.textContent = "The search index could not be loaded."; });
})();
