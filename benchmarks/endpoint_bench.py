#!/usr/bin/env python3
"""SPARQL endpoint benchmark: kg serve (production mode) against the Oxigraph server on the same quads.

    python benchmarks/endpoint_bench.py --store STORE        # an existing store
    python benchmarks/endpoint_bench.py --count 1000         # generate + build one first (reused afterwards)

What it does:

- starts `kg serve` in production mode (gunicorn -w 1 --threads 16, KG_TIMEOUT=60, the server's 8 queries at once)
  and, as the reference, `oxigraph serve-read-only --union-default-graph` on the store's
  quads (exported with `kg export --format nquads`, loaded with `oxigraph load`);
- runs a fixed query mix typical of the explorer and of researchers (entity page, incoming
  links of a hub, document page, a person's meetings by date, co-participants, facet counts by
  year and by topic, name search by CONTAINS and by REGEX scan, most frequent meeting pairs,
  ASK, COUNT) at concurrency 1, 4 and 16 against both servers, alternating between them round
  by round (kg then oxigraph, then oxigraph then kg, ...) so machine noise falls on both;
  each cell is bounded by a number of requests and a time cap; for each cell it reports
  throughput, p50/p95/p99, and each server's CPU time per request (all its processes, from
  /proc), which is steadier than throughput on a shared machine and shows where a gap lies;
- compares name search through the explorer's side index (GET /api/suggest) with the SPARQL
  REGEX scan of every name on the same server (target: at least 10x faster), and reports the
  REGEX that stops at its 20th match beside it;
- measures explorer pages (person, document, meeting; Accept: text/html) at concurrency 1
  (target: median under 100 ms).

Fairness: same quads, same query text, same engine version (pyoxigraph and the oxigraph CLI
are both 0.5.x); both see the union of all graphs as the default graph (kg by design,
Oxigraph by --union-default-graph); every request is a GET on a fresh connection asking for
SPARQL JSON; the answers' row counts are compared once per query type. Traffic goes only
to 127.0.0.1.

Writes benchmarks/results/endpoint-<name>.json and prints a table.
"""
from __future__ import annotations

import argparse
import sys
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

SUGGEST_TARGET = 10.0
PAGE_TARGET_MS = 100.0


def sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def regex_escape(text: str) -> str:
    return "".join("\\" + ch if ch in r"\.^$*+?()[]{}|-" else ch for ch in text)


# Each query: a template over {person} (an IRI), {hub} (an IRI), {doc} (an IRI), {needle} (a string literal),
# {needle_regex} (a string literal holding a regex).
QUERIES = {
    "entity": """SELECT ?p ?o ?label WHERE { {person} ?p ?o .
        OPTIONAL { ?o rdfs:label|schema:name|skos:prefLabel ?label } }""",
    "incoming-hub": """SELECT ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p {hub} } GROUP BY ?p ORDER BY DESC(?n)""",
    "document": """SELECT ?p ?o ?label WHERE { {doc} ?p ?o . OPTIONAL { ?o schema:name|rdfs:label ?label } }""",
    "meetings-by-date": """SELECT ?m ?date ?place WHERE { ?m schema:attendee {person} .
        OPTIONAL { ?m schema:startDate ?date } OPTIONAL { ?m schema:location ?place } } ORDER BY ?date""",
    "co-participants": """SELECT ?other ?name (COUNT(DISTINCT ?m) AS ?n) WHERE {
        ?m schema:attendee {person}, ?other . FILTER(?other != {person}) ?other schema:name ?name }
        GROUP BY ?other ?name ORDER BY DESC(?n) LIMIT 50""",
    "facet-year": """SELECT ?year (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a schema:ArchiveComponent ; dcterms:date ?date .
        BIND(SUBSTR(STR(?date), 1, 4) AS ?year) } GROUP BY ?year ORDER BY ?year""",
    "facet-topic": """SELECT ?topic (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a schema:ArchiveComponent ; dcterms:subject ?topic }
        GROUP BY ?topic ORDER BY DESC(?n) LIMIT 50""",
    "name-contains": """SELECT ?e ?name WHERE { ?e a schema:Person ; schema:name ?name .
        FILTER(CONTAINS(LCASE(?name), LCASE({needle}))) } LIMIT 20""",
    "name-regex": """SELECT DISTINCT ?e ?name WHERE { ?e schema:name|schema:alternateName ?name .
        FILTER(REGEX(?name, {needle_regex}, "i")) } LIMIT 20""",
    "meeting-pairs": """SELECT ?a ?b (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m schema:attendee ?a, ?b .
        FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 25""",
    "ask": """ASK { ?m schema:attendee {person} ; schema:startDate ?date }""",
    "count": """SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }""",
}

# Not in the mix: the REGEX scan that gives what suggest gives, the best matches, for which every name must be
# tested (sorted here: "name-regex" in the mix stops at its 20th match, in storage order, unranked).
SCANS = {"name-regex-sorted": """SELECT DISTINCT ?e ?name WHERE { ?e schema:name|schema:alternateName ?name .
        FILTER(REGEX(?name, {needle_regex}, "i")) } ORDER BY ?name LIMIT 20"""}


class Params:
    """The i-th request's values: cycles through the discovered persons, hubs, documents and names."""

    def __init__(self, found: dict):
        self.persons = [p["iri"] for p in found["persons"]]
        self.hubs = [p["iri"] for p in found["hubs"]]
        self.docs = found["documents"]
        self.needles = found["needles"]

    def query(self, name: str, i: int) -> str:
        needle = self.needles[i % len(self.needles)]
        text = QUERIES.get(name) or SCANS[name]
        for key, value in (("{person}", f"<{self.persons[i % len(self.persons)]}>"),
                           ("{hub}", f"<{self.hubs[i % len(self.hubs)]}>"),
                           ("{doc}", f"<{self.docs[i % len(self.docs)]}>"),
                           ("{needle_regex}", sparql_string("^" + regex_escape(needle))),
                           ("{needle}", sparql_string(needle))):
            text = text.replace(key, value)
        return C.PREFIXES + text


def one_request(server: C.Server, path: str, headers: dict) -> tuple[float, int, int | None]:
    try:
        status, body, secs = C.http_get(server.port, path, headers)
    except OSError:
        return 0.0, 0, None
    return secs, status, C.result_size(body) if status == 200 and headers.get("Accept", "").startswith("application/sparql") else None


def run_cell(pool: ThreadPoolExecutor, servers: list[C.Server], make, conc: int, n_requests: int,
             cell_seconds: float) -> dict:
    """Alternate batches of ``2*conc`` requests between the servers until each did n_requests or one hit the cap."""
    stats = {s.name: {"lat": [], "statuses": Counter(), "wall": 0.0, "cpu": 0.0, "done": 0} for s in servers}
    batch = max(3, 2 * conc)
    rnd = 0
    while True:
        order = servers if rnd % 2 == 0 else list(reversed(servers))
        for s in order:
            st = stats[s.name]
            k = min(batch, n_requests - st["done"])
            if k <= 0:
                continue
            jobs = [make(s, st["done"] + j) for j in range(k)]
            cpu0, t0 = C.tree_cpu_seconds(s.proc.pid), time.perf_counter()
            results = list(pool.map(lambda job, s=s: one_request(s, *job), jobs))
            st["wall"] += time.perf_counter() - t0
            st["cpu"] += C.tree_cpu_seconds(s.proc.pid) - cpu0
            st["done"] += k
            for secs, status, _ in results:
                st["statuses"][status] += 1
                if status == 200:
                    st["lat"].append(secs)
        rnd += 1
        if all(st["done"] >= n_requests for st in stats.values()) or any(st["wall"] >= cell_seconds for st in stats.values()):
            break
    out = {}
    for name, st in stats.items():
        ok = len(st["lat"])
        out[name] = {**C.summarize_ms(st["lat"]), "requests": st["done"], "errors": st["done"] - ok,
                     "statuses": {str(k): v for k, v in st["statuses"].items()},
                     "throughput_rps": round(ok / st["wall"], 2) if st["wall"] else None, "wall_s": round(st["wall"], 2),
                     # the server's own CPU (all its processes) per request: less noisy than throughput on a
                     # shared machine, and it shows where a gap comes from
                     "cpu_ms_per_request": round(1000 * st["cpu"] / st["done"], 2) if st["done"] else None}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--store", type=Path, help="a built store (kg build ... --store STORE)")
    src.add_argument("--count", type=int, help="generate and build this many documents first (under benchmarks/.work, reused)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed with --count (default 1)")
    parser.add_argument("--name", help="name of the result file (default: the store's folder name or corpus-<count>)")
    parser.add_argument("--concurrency", default="1,4,16", help="client concurrency levels (default 1,4,16)")
    parser.add_argument("--requests", type=int, default=30,
                        help="requests per server per cell; at concurrency c at least 6*c (default 30)")
    parser.add_argument("--cell-seconds", type=float, default=8.0,
                        help="time cap per server per cell: the cell stops after the round in which one server passed it (default 8)")
    parser.add_argument("--queries", help="comma-separated subset of: " + ", ".join(QUERIES))
    parser.add_argument("--mix-only", action="store_true",
                        help="time only the mix (the judged figure), not each query type alone")
    parser.add_argument("--page-requests", type=int, default=24, help="explorer page requests per page type (default 24)")
    parser.add_argument("--kg-workers", type=int, default=None,
                        help="KG_WORKERS of the kg server: queries run at once (default: the server's, 8)")
    parser.add_argument("--kg-cache-mb", type=float, default=None,
                        help="KG_CACHE_MB of the kg server: its result cache (default: the server's, 64; 0 turns it off)")
    args = parser.parse_args(argv)
    if args.kg_workers is None:
        args.kg_workers = C.default_kg_workers()

    if args.count:
        store = C.ensure_store(args.count, args.seed)
        name = args.name or f"corpus-{args.count}"
    else:
        store = args.store
        if not (store / "current").exists():
            raise SystemExit(f"{store}: no graph built there (kg build DIR --store {store})")
        name = args.name or store.resolve().name
    info = C.machine_info()
    print(f"machine: {info['nproc']} cores ({info['cpu']}), load average {info['loadavg_at_start']}")
    ox_dir, ox_info = C.ensure_oxigraph_copy(store, name)
    log_dir = C.WORK_DIR / "logs"
    kg = C.start_kg(store, C.free_port(), log_dir, workers=args.kg_workers, cache_mb=args.kg_cache_mb)
    ox = C.start_oxigraph(ox_dir, C.free_port(), log_dir)
    servers = [kg, ox]
    t_start = time.perf_counter()
    try:
        for s in servers:
            s.wait_ready()
        print(f"kg on :{kg.port} (gunicorn, {args.kg_workers} queries at once), oxigraph on :{ox.port}")
        found = C.discover(kg.port, kg.endpoint)
        params = Params(found)
        print(f"{found['documents_total']} documents; hubs: " + ", ".join(f"{h['name']} ({h['documents']} docs)" for h in found["hubs"]))
        names = [q for q in (args.queries.split(",") if args.queries else QUERIES)]
        accept = {"Accept": "application/sparql-results+json"}

        # warm-up, and the same answers from both
        same = {}
        for q in names:
            sizes = {}
            for s in servers:
                secs, status, size = one_request(s, C.sparql_path(s.endpoint, params.query(q, 0)), accept)
                sizes[s.name] = size if status == 200 else f"HTTP {status}"
            same[q] = {"rows": sizes, "same": sizes["kg"] == sizes["oxigraph"]}
            if not same[q]["same"]:
                print(f"  warning: {q}: kg gave {sizes['kg']}, oxigraph {sizes['oxigraph']}")

        levels = [int(c) for c in args.concurrency.split(",")]
        cells = {}
        # each cell takes values no cell used before (the warm-up took the first): a query with a person or a
        # document in it is then new to the server's result cache, as it would be for a stranger's query;
        # only the queries without values (facets, pairs, count) repeat, as they do for every visitor
        next_value = {q: 1 for q in ["mix", *names]}
        with ThreadPoolExecutor(max(levels)) as pool:
            for conc in levels:
                # the mix: every query type in turn (request i: type i % k, values i // k from this cell's first)
                for q in ["mix"] + ([] if args.mix_only else names):
                    n = max(args.requests, 6 * conc) * (len(names) if q == "mix" else 1)
                    first = next_value[q]
                    if q == "mix":
                        make = lambda s, i, first=first: (C.sparql_path(s.endpoint, params.query(  # noqa: E731
                            names[i % len(names)], len(params.persons) // 2 + first + i // len(names))), accept)
                    else:
                        make = lambda s, i, q=q, first=first: (C.sparql_path(s.endpoint, params.query(q, first + i)), accept)  # noqa: E731
                    cell = run_cell(pool, servers, make, conc, n, args.cell_seconds * (3 if q == "mix" else 1))
                    done = max(cell[s.name]["requests"] for s in servers)
                    next_value[q] += done // len(names) + 1 if q == "mix" else done
                    k, o = cell["kg"], cell["oxigraph"]
                    cell["ratio_throughput_kg_over_ox"] = round(k["throughput_rps"] / o["throughput_rps"], 3) \
                        if k["throughput_rps"] and o["throughput_rps"] else None
                    cell["ratio_p50_kg_over_ox"] = round(k["p50"] / o["p50"], 2) if k["p50"] and o["p50"] else None
                    cell["ratio_cpu_kg_over_ox"] = round(k["cpu_ms_per_request"] / o["cpu_ms_per_request"], 3) \
                        if k["cpu_ms_per_request"] and o["cpu_ms_per_request"] else None
                    cells[f"{q}@{conc}"] = {"query": q, "concurrency": conc, **cell}
                    print(f"  c={conc:<2} {q:<17} kg {C.fmt(k['throughput_rps'])} req/s p50 {C.fmt(k['p50'])} ms"
                          f" | oxigraph {C.fmt(o['throughput_rps'])} req/s p50 {C.fmt(o['p50'])} ms"
                          f" | CPU/request kg {C.fmt(k['cpu_ms_per_request'], 2)} ms, oxigraph {C.fmt(o['cpu_ms_per_request'], 2)} ms"
                          f" | errors {k['errors']}/{o['errors']}", flush=True)

            # side index against the SPARQL scan, on the kg server; the same needles
            suggest, regex, regex_first, regex_ox = [], [], [], []
            for i in range(max(10, args.page_requests)):
                needle = params.needles[i % len(params.needles)]
                for lat, s, path, h in (
                        (suggest, kg, "/api/suggest?" + urllib.parse.urlencode({"q": needle}), {"Accept": "application/json"}),
                        # a comment makes each scan's text new, so the result cache cannot answer it
                        (regex, kg, C.sparql_path(kg.endpoint, params.query("name-regex-sorted", i) + f"\n# probe {i}"), accept),
                        (regex_first, kg, C.sparql_path(kg.endpoint, params.query("name-regex", i) + f"\n# probe {i}"), accept),
                        (regex_ox, ox, C.sparql_path(ox.endpoint, params.query("name-regex-sorted", i) + f"\n# probe {i}"), accept)):
                    secs, status, _ = one_request(s, path, h)
                    if status == 200:
                        lat.append(secs)
            sug = {"suggest_kg": C.summarize_ms(suggest), "regex_kg": C.summarize_ms(regex),
                   "regex_first_20_kg": C.summarize_ms(regex_first), "regex_oxigraph": C.summarize_ms(regex_ox)}
            if sug["suggest_kg"]["p50"] and sug["regex_kg"]["p50"]:
                sug["speedup_p50"] = round(sug["regex_kg"]["p50"] / sug["suggest_kg"]["p50"], 1)
            if sug["suggest_kg"]["p50"] and sug["regex_first_20_kg"]["p50"]:
                sug["speedup_p50_first_20"] = round(sug["regex_first_20_kg"]["p50"] / sug["suggest_kg"]["p50"], 1)

            # explorer pages, one at a time
            pages = {}
            html = {"Accept": "text/html"}
            kinds = {"person": [p["iri"] for p in found["hubs"]] + [p["iri"] for p in found["persons"]],
                     "document": found["documents"], "meeting": found["meetings"]}
            extra = {"home": ["/"], "search": ["/search?" + urllib.parse.urlencode({"q": n}) for n in params.needles],
                     "browse": ["/browse", "/browse?year=1961", "/browse?type=journal"]}
            for kind, iris in {**kinds, **extra}.items():
                paths = [C.local_path(i) for i in iris] if kind in kinds else iris
                lat, errors = [], 0
                for i in range(args.page_requests):
                    secs, status, _ = one_request(kg, paths[i % len(paths)], html)
                    if status == 200:
                        lat.append(secs)
                    else:
                        errors += 1
                pages[kind] = {**C.summarize_ms(lat), "errors": errors}
        rss = {s.name: s.rss_mb() for s in servers}
    finally:
        for s in servers:
            s.stop()

    # report
    print(f"\n== SPARQL query mix: kg (gunicorn, KG_WORKERS={args.kg_workers}) vs oxigraph serve-read-only, same quads")
    rows = []
    for key, c in cells.items():
        k, o = c["kg"], c["oxigraph"]
        rows.append([c["query"], str(c["concurrency"]), k["throughput_rps"], k["p50"], k["p95"], k["p99"],
                     o["throughput_rps"], o["p50"], o["p95"], o["p99"],
                     C.fmt(c["ratio_throughput_kg_over_ox"], 2), k["cpu_ms_per_request"], o["cpu_ms_per_request"],
                     f"{k['errors']}/{o['errors']}"])
    C.print_table(["query", "c", "kg req/s", "kg p50", "kg p95", "kg p99", "ox req/s", "ox p50", "ox p95", "ox p99",
                   "kg/ox req/s", "kg CPU", "ox CPU", "errors kg/ox"], rows)
    print("(latencies in ms; throughput counts answered requests over the time the batches took; CPU: ms of the "
          "server's processes per request)")
    print("\n== Name search on kg: side index (/api/suggest) vs SPARQL REGEX scan")
    C.print_table(["what", "n", "p50 ms", "p95 ms", "max ms"],
                  [[k, str(v["n"]), v["p50"], v["p95"], v["max"]] for k, v in sug.items() if isinstance(v, dict)])
    speed = sug.get("speedup_p50")
    sug["verdict"] = (f"{C.verdict(speed is not None and speed >= SUGGEST_TARGET)} (suggest is {speed}x faster at the "
                      f"median than the REGEX scan of every name; target ≥ {SUGGEST_TARGET:g}x; against the REGEX that "
                      f"stops at its 20th match, unranked: {sug.get('speedup_p50_first_20')}x, not judged)")
    print(sug["verdict"])
    print("\n== Explorer pages on kg (Accept: text/html, one at a time)")
    C.print_table(["page", "n", "p50 ms", "p95 ms", "max ms", "errors"],
                  [[k, str(v["n"]), v["p50"], v["p95"], v["max"], str(v["errors"])] for k, v in pages.items()])
    targeted = {k: pages[k] for k in ("person", "document", "meeting")}
    page_ok = all(v["p50"] is not None and v["p50"] < PAGE_TARGET_MS and not v["errors"] for v in targeted.values())
    worst = max((v["p50"] or 0) for v in targeted.values())
    page_verdict = (f"{C.verdict(page_ok)} (worst median of person/document/meeting pages {worst:.0f} ms; "
                    f"target < {PAGE_TARGET_MS:g} ms)")
    print(page_verdict)
    print(f"\nserver memory at the end: kg {rss['kg']} MB (gunicorn + query process), oxigraph {rss['oxigraph']} MB")
    data = {"benchmark": "endpoint", "command": "python benchmarks/endpoint_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": info, "loadavg_at_end": list(__import__("os").getloadavg()),
            "seconds": round(time.perf_counter() - t_start, 1), "store": str(store), "oxigraph_copy": ox_info,
            "kg_server": {"workers": args.kg_workers, "threads": 16, "timeout": 60,
                          "cache_mb": args.kg_cache_mb if args.kg_cache_mb is not None else "default (64)"},
            "settings": {"concurrency": levels, "requests": args.requests, "cell_seconds": args.cell_seconds},
            "discovered": found, "same_answers": same, "cells": cells, "suggest_vs_regex": sug,
            "pages": pages, "pages_verdict": page_verdict, "server_rss_mb": rss}
    out = C.RESULTS_DIR / f"endpoint-{name}.json"
    C.write_json(out, data)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
