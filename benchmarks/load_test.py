#!/usr/bin/env python3
"""Load test of `kg serve` in production mode: concurrent clients mixing explorer pages and SPARQL.

    python benchmarks/load_test.py --store STORE --clients 16 --seconds 60
    python benchmarks/load_test.py --count 1000 --clients 16 --seconds 60   # generate + build first (reused)

Starts the server as the README says for production (gunicorn -w 1 --threads 16,
KG_WORKERS=2, KG_TIMEOUT=60) on 127.0.0.1, then runs ``--clients`` threads for ``--seconds``
(bounded: no request starts after the deadline; each has a 90 s client timeout). Each client
follows its own seeded sequence over this mix:

    home 8 %, person page 18 %, document page 18 %, meeting page 10 %, search 10 %,
    browse 8 % (with and without facets), /api/suggest 8 %, SPARQL queries 20 %
    (entity, meetings of a person, co-participants, facet by year, ASK)

It reports throughput, p50/p95/p99 per kind and overall, and the error count: any answer
that is not 2xx/3xx, and any connection error or timeout. The test passes only with zero
errors. Writes benchmarks/results/load.json.
"""
from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

MIX = [("home", 8), ("person", 18), ("document", 18), ("meeting", 10), ("search", 10), ("browse", 8),
       ("suggest", 8), ("sparql", 20)]
SPARQL = {
    "entity": "SELECT ?p ?o WHERE { <{person}> ?p ?o } LIMIT 500",
    "meetings": "SELECT ?m ?date WHERE { ?m schema:attendee <{person}> . OPTIONAL { ?m schema:startDate ?date } } ORDER BY ?date",
    "co-participants": """SELECT ?other (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m schema:attendee <{person}>, ?other
        FILTER(?other != <{person}>) } GROUP BY ?other ORDER BY DESC(?n) LIMIT 20""",
    "facet-year": """SELECT ?year (COUNT(?d) AS ?n) WHERE { ?d a schema:ArchiveComponent ; dcterms:date ?date
        BIND(SUBSTR(STR(?date), 1, 4) AS ?year) } GROUP BY ?year ORDER BY ?year""",
    "ask": "ASK { ?m schema:attendee <{person}> }",
}


def build_request(rng: random.Random, found: dict) -> tuple[str, str, dict]:
    kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
    html = {"Accept": "text/html"}
    persons = [p["iri"] for p in found["hubs"]] + [p["iri"] for p in found["persons"]]
    if kind == "home":
        return kind, "/", html
    if kind == "person":
        return kind, C.local_path(rng.choice(persons)), html
    if kind == "document":
        return kind, C.local_path(rng.choice(found["documents"])), html
    if kind == "meeting":
        return kind, C.local_path(rng.choice(found["meetings"])), html
    if kind == "search":
        return kind, "/search?" + urllib.parse.urlencode({"q": rng.choice(found["needles"])}), html
    if kind == "browse":
        facet = rng.choice(["", "year=1958", "type=journal", "year=1962&type=telegram", "page=2"])
        return kind, "/browse" + (f"?{facet}" if facet else ""), html
    if kind == "suggest":
        needle = rng.choice(found["needles"])
        return kind, "/api/suggest?" + urllib.parse.urlencode({"q": needle[:rng.randint(2, len(needle))]}), \
            {"Accept": "application/json"}
    name = rng.choice(list(SPARQL))
    query = C.PREFIXES + SPARQL[name].replace("{person}", rng.choice(persons))
    return f"sparql:{name}", C.sparql_path("/sparql", query), {"Accept": "application/sparql-results+json"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--store", type=Path, help="a built store")
    src.add_argument("--count", type=int, help="generate and build this many documents first (under benchmarks/.work, reused)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration (default 60)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' sequences and of the generator (default 1)")
    parser.add_argument("--kg-workers", type=int, default=None,
                        help="KG_WORKERS of the server: queries run at once (default: the server's, 8)")
    parser.add_argument("--output", type=Path, default=C.RESULTS_DIR / "load.json", help="result file")
    args = parser.parse_args(argv)
    if args.kg_workers is None:
        args.kg_workers = C.default_kg_workers()

    store = C.ensure_store(args.count, args.seed) if args.count else args.store
    if not (store / "current").exists():
        raise SystemExit(f"{store}: no graph built there")
    info = C.machine_info()
    server = C.start_kg(store, C.free_port(), C.WORK_DIR / "logs", workers=args.kg_workers)
    lat: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    error_samples: list[str] = []
    lock = threading.Lock()
    try:
        server.wait_ready()
        found = C.discover(server.port, server.endpoint)
        print(f"kg on :{server.port}: {found['documents_total']} documents; {args.clients} clients for {args.seconds:g} s",
              flush=True)
        deadline = time.monotonic() + args.seconds

        def client(n: int) -> None:
            rng = random.Random(args.seed * 1000 + n)
            while time.monotonic() < deadline:
                kind, path, headers = build_request(rng, found)
                try:
                    status, body, secs = C.http_get(server.port, path, headers, timeout=90)
                    problem = None if 200 <= status < 400 else f"{kind} {path[:120]} -> {status}: {body[:160]!r}"
                except OSError as exc:
                    status, secs, problem = 0, None, f"{kind} {path[:120]} -> {type(exc).__name__}: {exc}"
                with lock:
                    statuses[kind][status] += 1
                    if problem is None:
                        lat[kind].append(secs)
                    elif len(error_samples) < 20:
                        error_samples.append(problem)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + 120)
        wall = time.perf_counter() - t0
        rss = server.rss_mb()
    finally:
        server.stop()

    total = sum(sum(c.values()) for c in statuses.values())
    ok = sum(len(v) for v in lat.values())
    errors = total - ok
    rows, per_kind = [], {}
    for kind in sorted(statuses):
        s = C.summarize_ms(lat[kind])
        err = sum(statuses[kind].values()) - len(lat[kind])
        per_kind[kind] = {**s, "errors": err, "statuses": {str(k): v for k, v in statuses[kind].items()}}
        rows.append([kind, str(sum(statuses[kind].values())), s["p50"], s["p95"], s["p99"], s["max"], str(err)])
    overall = C.summarize_ms([x for v in lat.values() for x in v])
    rows.append(["ALL", str(total), overall["p50"], overall["p95"], overall["p99"], overall["max"], str(errors)])
    print(f"\n== Load test: {args.clients} clients, {wall:.1f} s, kg serve (gunicorn -w 1 --threads 16, KG_WORKERS={args.kg_workers})")
    C.print_table(["kind", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors"], rows)
    throughput = round(ok / wall, 2)
    result = C.verdict(errors == 0, "PASS", "FAIL")
    print(f"\nthroughput {throughput} req/s; errors {errors}: {result}; server memory at the end {rss} MB")
    for sample in error_samples[:10]:
        print("  error:", sample)
    data = {"benchmark": "load", "command": "python benchmarks/load_test.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "machine": info, "loadavg_at_end": list(__import__("os").getloadavg()), "store": str(store),
            "clients": args.clients, "seconds": round(wall, 1), "requests": total, "answered": ok, "errors": errors,
            "throughput_rps": throughput, "overall_ms": overall, "per_kind": per_kind, "error_samples": error_samples,
            "server_rss_mb": rss, "result": result, "documents": found["documents_total"]}
    C.write_json(args.output, data)
    print(f"wrote {args.output}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
