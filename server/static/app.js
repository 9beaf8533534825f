// Small hand-written helpers: search autocomplete, citation copy, evidence highlight, the query page.
(function () {
  "use strict";

  // --- autocomplete ---------------------------------------------------------------
  const box = document.getElementById("search-box");
  const list = document.getElementById("suggestions");
  let active = -1, timer = null, items = [];
  function render(results) {
    list.replaceChildren();
    items = results;
    active = -1;
    results.forEach(function (r) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      const a = document.createElement("a");
      a.href = r.href;
      a.textContent = r.label;           // textContent: names are data, never markup
      const kind = document.createElement("span");
      kind.className = "badge " + r.kind;
      kind.textContent = r.kind;
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
  }
  if (box && list) {
    box.addEventListener("input", function () {
      clearTimeout(timer);
      const q = box.value.trim();
      if (q.length < 2) { render([]); return; }
      timer = setTimeout(function () {
        fetch("/api/suggest?q=" + encodeURIComponent(q)).then(function (r) { return r.json(); }).then(render).catch(function () { render([]); });
      }, 120);
    });
    box.addEventListener("keydown", function (e) {
      const lis = list.querySelectorAll("li");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + lis.length) % Math.max(1, lis.length);
        lis.forEach(function (li, i) { li.classList.toggle("active", i === active); });
      } else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        window.location = items[active].href;
      } else if (e.key === "Escape") { render([]); }
    });
    document.addEventListener("click", function (e) { if (!list.contains(e.target) && e.target !== box) { render([]); } });
  }

  // --- copy the citation -----------------------------------------------------------
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      const text = document.getElementById(button.dataset.copy).textContent;
      if (navigator.clipboard) { navigator.clipboard.writeText(text); }
      button.textContent = "Copied";
    });
  });

  // --- evidence behind a mention, fetched when a reader opens it ------------------------
  document.querySelectorAll("details.evidence[data-iri]").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open || details.dataset.loaded) { return; }
      details.dataset.loaded = "1";
      const list = details.querySelector("ul");
      fetch("/api/evidence?iri=" + encodeURIComponent(details.dataset.iri) + "&doc=" + encodeURIComponent(details.dataset.doc))
        .then(function (r) { return r.json(); })
        .then(function (quotes) {
          quotes.forEach(function (q) {
            const li = document.createElement("li");
            const quote = document.createElement("a");
            quote.className = "passage";
            quote.href = q.passage;
            quote.textContent = "\u201c" + q.exact + "\u201d";
            li.append(quote, " ");
            const a = document.createElement("a");
            a.href = q.href;
            a.textContent = "in the document";
            li.appendChild(a);
            const note = document.createElement("span");
            note.className = "muted";
            note.textContent = " (" + q.method + ", confidence " + q.confidence + ")";
            li.appendChild(note);
            list.appendChild(li);
          });
        });
    });
  });

  // --- evidence: flash the quoted mention when arriving at it --------------------------
  function flash() {
    if (!location.hash) { return; }
    const target = document.getElementById(location.hash.slice(1));
    if (target) { target.classList.add("flash"); target.scrollIntoView({ block: "center" }); }
  }
  window.addEventListener("hashchange", flash);
  flash();

  // --- the query page --------------------------------------------------------------
  const form = document.getElementById("query-form");
  if (!form) { return; }
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  function links() {
    const q = encodeURIComponent(textarea.value);
    document.getElementById("csv").href = "/sparql?format=csv&query=" + q;
    document.getElementById("json").href = "/sparql?format=json&query=" + q;
    document.getElementById("share").href = "/query?query=" + q;
  }
  function cell(term) {
    const td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      const a = document.createElement("a");
      const base = results.dataset.base || "";
      // our own URIs open on this server, wherever it runs
      a.href = base && term.value.indexOf(base) === 0 ? "/" + term.value.slice(base.length) : term.value;
      a.textContent = term.value;
      td.appendChild(a);
    } else { td.textContent = term.value; }
    return td;
  }
  function show(data) {
    results.replaceChildren();
    if (typeof data.boolean === "boolean") { status.textContent = "Answer: " + data.boolean; return; }
    const vars = data.head.vars, rows = data.results.bindings;
    const table = document.createElement("table");
    table.className = "results";
    const head = table.createTHead().insertRow();
    vars.forEach(function (v) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    const body = table.createTBody();
    rows.forEach(function (row) { const tr = body.insertRow(); vars.forEach(function (v) { tr.appendChild(cell(row[v])); }); });
    results.appendChild(table);
    status.textContent = rows.length + " row" + (rows.length === 1 ? "" : "s");
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    links();
    status.textContent = "Running…";
    const started = performance.now();
    fetch("/sparql", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
                       body: "query=" + encodeURIComponent(textarea.value) })
      .then(function (r) { return r.ok ? r.json() : r.text().then(function (t) { throw new Error(t); }); })
      .then(function (data) { show(data); status.textContent += " in " + Math.round(performance.now() - started) + " ms"; })
      .catch(function (err) { results.replaceChildren(); status.textContent = err.message; });
  });
  document.querySelectorAll("button.example").forEach(function (b) {
    b.addEventListener("click", function () { textarea.value = b.dataset.query; links(); form.requestSubmit(); });
  });
  textarea.addEventListener("input", links);
  links();
})();
