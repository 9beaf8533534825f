"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, GraphDB, Virtuoso, QLever ...) reached over HTTP.

Writes go through the Graph Store HTTP Protocol, one named graph per request (a
PUT replaces a graph in one step on the server); reads through the SPARQL
Protocol. Endpoints default to Oxigraph's layout (``/query``, ``/update``,
``/store``) under the base URL; each can be given in full for other stores.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

import pyoxigraph as ox


class RemoteError(RuntimeError):
    pass


@dataclass
class RemoteStore:
    base: str
    query_url: Optional[str] = None
    update_url: Optional[str] = None
    graph_store_url: Optional[str] = None
    timeout: float = 120.0

    def __post_init__(self):
        base = self.base.rstrip("/")
        self.query_url = self.query_url or base + "/query"
        self.update_url = self.update_url or base + "/update"
        self.graph_store_url = self.graph_store_url or base + "/store"

    def _request(self, url: str, method: str = "GET", body: Optional[bytes] = None, headers: Optional[dict] = None,
                 timeout: Optional[float] = None) -> tuple[int, str, bytes]:
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteError(f"{url}: {getattr(exc, 'reason', exc)}") from None

    def _graph_url(self, graph: str) -> str:
        return f"{self.graph_store_url}?{urllib.parse.urlencode({'graph': graph})}"

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        body = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
        status, _, text = self._request(self._graph_url(graph), "PUT", body, {"Content-Type": "application/n-triples"})
        if status not in (200, 201, 204):
            raise RemoteError(f"PUT graph {graph}: HTTP {status}: {text[:300]!r}")

    def delete_graph(self, graph: str) -> None:
        status, _, text = self._request(self._graph_url(graph), "DELETE")
        if status not in (200, 204, 404):
            raise RemoteError(f"DELETE graph {graph}: HTTP {status}: {text[:300]!r}")

    def query(self, query: str, accept: str, params: Optional[list[tuple[str, str]]] = None,
              timeout: Optional[float] = None) -> tuple[int, str, bytes]:
        body = urllib.parse.urlencode([("query", query), *(params or [])]).encode()
        return self._request(self.query_url, "POST", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                           "Accept": accept}, timeout)

    def graphs(self) -> set[str]:
        status, _, body = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                                     "application/sparql-results+json")
        if status != 200:
            raise RemoteError(f"listing graphs: HTTP {status}: {body[:300]!r}")
        return {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}

    def push(self, quads: Iterable[ox.Quad]) -> tuple[int, int]:
        """Replace every graph the quads fill; drop the document graphs they no longer fill.

        The quads come grouped by graph (the mapping writes one graph at a time).
        Returns (graphs written, graphs removed).
        """
        before = self.graphs()
        written: set[str] = set()
        for graph, triples in _by_graph(quads):
            self.put_graph(graph, triples)
            written.add(graph)
        stale = {g for g in before - written if "/graph/document/" in g}
        for graph in sorted(stale):
            self.delete_graph(graph)
        return len(written), len(stale)


def _by_graph(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, list[ox.Triple]]]:
    """Consecutive quads of one graph, as triples; each graph must come in one run."""
    done: set[str] = set()
    current, triples = None, []
    for quad in quads:
        name = quad.graph_name.value
        if name != current:
            if current is not None:
                done.add(current)
                yield current, triples
            if name in done:
                raise RemoteError(f"graph {name} came in two runs: it would be replaced by its second part")
            current, triples = name, []
        triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    if current is not None:
        yield current, triples
