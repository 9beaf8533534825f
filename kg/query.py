"""Queries and exports against the on-disk store (the CLI's read side)."""
from __future__ import annotations

import io
from typing import BinaryIO

import pyoxigraph as ox

from .store import StoreDir, StoreError


class QueryError(ValueError):
    pass


FORMATS = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def run_query(store_path: str, sparql: str, fmt: str = "table") -> str:
    try:
        store = StoreDir(store_path).open()
    except StoreError as exc:
        raise QueryError(str(exc)) from None
    try:
        result = store.query(sparql, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        if fmt in FORMATS:
            return result.serialize(format=FORMATS[fmt]).decode("utf-8")
        return f"{str(bool(result)).lower()}\n"
    if isinstance(result, ox.QueryTriples):
        buffer = io.BytesIO()
        ox.serialize(result, buffer, ox.RdfFormat.TURTLE)
        return buffer.getvalue().decode("utf-8")
    if fmt in FORMATS:
        return result.serialize(format=FORMATS[fmt]).decode("utf-8")
    return _table(result)


def _cell(term) -> str:
    if term is None:
        return ""
    return term.value


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(row[name]) for name in names] for row in solutions]
    widths = [min(60, max([len(n), *(len(r[i]) for r in rows)])) for i, n in enumerate(names)]
    def line(cells):
        return " | ".join(c[:60].ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def export_graph(store_path: str, fmt: str, out: BinaryIO) -> None:
    store = StoreDir(store_path).open()
    if fmt == "turtle":
        # Turtle has no named graphs: the union of all graphs, as one
        triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        ox.serialize(triples, out, ox.RdfFormat.TURTLE)
        return
    rdf_format = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[fmt]
    store.dump(out, rdf_format)


def export_shards(store_path: str, folder, shards: int):
    """The graph as ``shards`` gzipped N-Quads files; a named graph never spans two files."""
    import gzip
    import zlib
    from pathlib import Path

    store = StoreDir(store_path).open()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"part-{i:04d}.nq.gz" for i in range(shards)]
    outs = [gzip.open(p, "wb") for p in paths]
    counts = [0] * shards
    try:
        for quad in store:
            # the shard of a quad is that of its graph, stable across runs
            i = zlib.crc32(str(quad.graph_name).encode()) % shards
            outs[i].write(f"{quad} .\n".encode("utf-8"))
            counts[i] += 1
    finally:
        for out in outs:
            out.close()
    return list(zip(paths, counts))
