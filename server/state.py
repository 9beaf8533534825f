"""What the running app shares: the store folder, the query pool, and figures cached per build."""
from __future__ import annotations

import os
import threading
from typing import Callable

import pyoxigraph as ox
from flask import current_app

from kg.store import StoreDir, link_target

from .pool import CachedPool, QueryPool


class AppState:
    def __init__(self, store: StoreDir, workers: int, timeout: float, remote=None, cache_bytes: int = 0):
        from .pool import RemotePool

        self.store = store
        self.remote = remote
        if remote:
            self.pool = RemotePool(remote, timeout)  # others may write to a remote store: nothing is cached
        else:
            self.pool = CachedPool(QueryPool(store.current, workers, timeout), self.generation, cache_bytes)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._cache: dict[str, object] = {}

    @property
    def base(self) -> str:
        """The base the store was built with (its URIs resolve under it); read once per build."""
        return _once_per_request("base", self._base)

    def _base(self) -> str:
        from kg.uris import DEFAULT_BASE

        target = link_target(self.store.current)
        if self._cache.get("base-for") != target:
            marker = self.store.path / "base-uri"
            base = marker.read_text().strip() if marker.exists() else DEFAULT_BASE
            self._cache["base"] = base if base.endswith("/") else base + "/"
            self._cache["base-for"] = target
        return self._cache["base"]

    def db_dir(self):
        """The database being served (the same one for the whole of a request)."""
        from pathlib import Path

        return _once_per_request("db_dir", lambda: Path(link_target(self.store.current)))

    def dump_files(self):
        """The shards of the dump made with the graph being served, in stream order (kg.dump); [] when none."""
        from kg import dump

        return dump.files(dump.path_for(self.db_dir()))

    def retired(self, iri: str):
        """What the URI registry says of a URI that is no longer minted: None, or its entry."""
        from kg import registry

        entry = registry.lookup(self.store.path, iri)
        return entry if entry and entry["status"] != "live" else None

    def search_db(self):
        """A read-only connection to the side index of the graph being served, one per thread.

        Opening one costs more than most searches (SQLite reads the schema), so each thread keeps
        its own until a build swaps in another index.
        """
        import sqlite3

        from kg.search_index import path_for

        path = path_for(self.db_dir())
        held = getattr(self._local, "search", None)
        if held is not None and held[0] == path:
            return held[1]
        if not path.exists():
            return None
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._local.search = (path, connection)
        return connection

    def generation(self) -> str:
        """Changes whenever the graph may have changed: a new build or a write."""
        return _once_per_request("generation", self._generation)

    def _generation(self) -> str:
        target = link_target(self.store.current)
        try:
            with open(self.store.path / "generation", "rb") as marker:
                written = marker.read().strip().decode() or "0"
        except FileNotFoundError:
            written = "0"
        return f"{os.path.basename(target)}:{written}"

    def _cached(self, key: str, compute: Callable[[], object]):
        full = f"{self.generation()}|{key}"
        if full not in self._cache:
            if len(self._cache) > 64:
                for key in [k for k in self._cache if "|" in k]:
                    del self._cache[key]
            self._cache[full] = compute()
        return self._cache[full]

    def _run(self, query: str, bindings: dict) -> dict:
        import json

        from kg.namespaces import sparql_prefixes, with_values

        from .pool import Job

        specs = {name: (value if isinstance(value, tuple) else ("literal", str(value))) for name, value in bindings.items()}
        answer = self.pool.run(Job(with_values(sparql_prefixes() + query, specs),
                                   results_format="application/sparql-results+json"))
        if answer.status != 200:
            raise RuntimeError(answer.body.decode("utf-8", "replace"))
        return json.loads(answer.body)

    def select(self, query: str, **bindings) -> list[dict]:
        """Rows of a SELECT run in the pool, with values bound by an escaped VALUES block.

        ``bindings``: variable name -> an IRI (``iri(...)``) or a string (a plain literal).
        Each row maps variable -> {'type', 'value', ...} as in SPARQL JSON results.
        """
        return self._run(query, bindings)["results"]["bindings"]

    def ask(self, query: str, **bindings) -> bool:
        return bool(self._run(query, bindings)["boolean"])

    def read_store(self) -> ox.Store:
        return self.store.open(read_only=True)

    def graph_triples(self, graph) -> list[ox.Triple] | None:
        """The triples of a named graph (or the default graph), None when there is no such graph."""
        if self.remote is None:
            store = self.read_store()
            if not isinstance(graph, ox.DefaultGraph) and not store.contains_named_graph(graph):
                return None
            return [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
        from kg.namespaces import iri_term

        from .pool import Job

        pattern = "?s ?p ?o" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {iri_term(graph.value)} {{ ?s ?p ?o }}"
        answer = self.pool.run(Job(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}", graph_format="application/n-triples"))
        if answer.status != 200:
            raise RuntimeError(answer.body.decode("utf-8", "replace"))
        triples = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        return triples or (None if not isinstance(graph, ox.DefaultGraph) else [])

    def triple_count(self) -> int:
        def count():
            result = self.pool.run(_count_job())
            return int(result.body.decode().splitlines()[1]) if result.status == 200 else 0
        return self._cached("triples", count)

    def named_graph_counts(self) -> list[tuple[str, int]]:
        """Named graphs other than the per-document ones, with their sizes (documents are many)."""
        def compute():
            query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                     "FILTER(!CONTAINS(STR(?g), '/graph/document/')) } GROUP BY ?g ORDER BY ?g")
            from .pool import Job
            answer = self.pool.run(Job(query, results_format="text/tab-separated-values"))
            out = []
            for line in answer.body.decode().splitlines()[1:]:
                g, n = line.split("\t")
                out.append((g.strip("<>"), int(n.split("^^")[0].strip('"'))))
            return out
        return self._cached("graphs", compute)

    def write(self, action: Callable[[ox.Store], None]) -> None:
        """Run a write alone: queries pause, the store opens read-write, then a fresh query process reopens it."""
        with self._write_lock, self.pool.exclusive():
            store = self.store.open(read_only=False)
            try:
                action(store)
                store.flush()
            finally:
                del store
            marker = self.store.path / "generation"
            current = int(marker.read_text()) if marker.exists() else 0
            marker.write_text(str(current + 1))
            _forget_per_request("generation")  # this request changed it


def _once_per_request(name: str, compute: Callable[[], object]):
    """The first answer within a request. The graph being served must not change halfway through a page or
    between a query's ETag and its answer; and finding it resolves the store's link (several system calls),
    which a page with a hundred links and a dozen queries would otherwise do each time."""
    from flask import g, has_request_context

    if not has_request_context():
        return compute()
    key = f"kg_{name}"
    if key not in g:
        setattr(g, key, compute())
    return getattr(g, key)


def _forget_per_request(name: str) -> None:
    from flask import g, has_request_context

    if has_request_context():
        g.pop(f"kg_{name}", None)


def _count_job():
    from .pool import Job

    return Job("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", results_format="text/csv")


def state() -> AppState:
    return current_app.extensions["kg_state"]


def iri(value: str) -> tuple:
    """A binding for :meth:`AppState.select` that is an IRI, not a string."""
    return ("iri", value)
