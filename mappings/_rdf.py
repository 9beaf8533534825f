"""Small constructors for RDF terms, and the graph the mapping modules fill, shared by them all.

A graph is collected as N-Quads lines, written exactly as Oxigraph writes them, not as pyoxigraph
objects: pyoxigraph takes about 15 µs to build a ``Quad`` whose object is a literal (it tries the
other kinds of term first), and a document graph holds two thousand quads, half of them with a
literal. Mapping then cost more CPU than Oxigraph's bulk loader. ``Graph.nquads`` gives the lines
for the loader and the dump; ``Graph.quads`` parses them for callers that need objects.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Iterable, Optional

import pyoxigraph as ox

from kg.namespaces import rdf, xsd

RDF_TYPE = ox.NamedNode(rdf.type)

# what Oxigraph escapes in a literal, and how (checked against ox.serialize in tests/test_mapping_terms.py)
_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"}
_ESCAPES.update({c: "\\u%04X" % c for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF) if c not in _ESCAPES})
_NEEDS_ESCAPE = re.compile("[\x00-\x1f\"\\\\\x7f\ufffe\uffff]")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class Term(str):
    """An RDF term written in N-Triples syntax: ``<iri>``, ``"text"``, ``"text"@en``, ``"1"^^<datatype>``."""


def _quoted(value: str) -> str:
    if _NEEDS_ESCAPE.search(value):
        value = value.translate(_ESCAPES)
    return f'"{value}"'


def _iri(value: str) -> str:
    """``<value>``; an IRI that N-Quads cannot hold is refused here, as ``ox.NamedNode`` would refuse it."""
    if _NOT_IN_IRI.search(value) or ":" not in value:
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def iri(value: str) -> Term:
    return Term(_iri(value))


def lit(value: str, lang: Optional[str] = None) -> Term:
    if lang:
        return Term(str(ox.Literal(value, language=lang)))  # Oxigraph checks and normalizes the tag
    return Term(_quoted(value))


def typed(value: object, datatype: str) -> Term:
    if datatype == xsd.string:
        return Term(_quoted(str(value)))
    return Term(f"{_quoted(str(value))}^^{_iri(datatype)}")


@lru_cache(maxsize=4096)  # confidences and scores take few values, and every annotation has them
def decimal(value: float) -> Term:
    """xsd:decimal in plain notation ('90', '0.632'), never '9E+1'."""
    return typed(format(Decimal(str(round(value, 3))).normalize(), "f"), xsd.decimal)


_INTEGER = _iri(xsd.integer)


def count(value: int) -> Term:
    # Oxigraph stores integer-derived datatypes as xsd:integer; say so rather than pretend
    return Term(f'"{int(value)}"^^{_INTEGER}')


class Graph:
    """Collects the quads of one named graph, as N-Quads lines."""

    def __init__(self, graph_iri: str):
        self.tail = f" {_iri(graph_iri)} .\n"
        self.lines: list[str] = []
        self._iris: dict[str, str] = {}  # each subject or object IRI is checked once
        self.passages: set[tuple[int, int]] = set()  # the text spans whose target is written (mappings.evidence)

    def node(self, value: str | ox.NamedNode) -> str:
        """An IRI as N-Quads writes it (``<…>``), checked the first time the graph meets it."""
        if isinstance(value, ox.NamedNode):
            value = value.value
        written = self._iris.get(value)
        if written is None:
            written = self._iris[value] = _iri(value)
        return written

    def add(self, s: str | ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal | Term | str) -> None:
        if type(o) is Term:
            obj = o
        elif isinstance(o, ox.Literal):
            obj = str(o)
        else:
            obj = self.node(o)
        self.lines.append(f"{self.node(s)} {self.node(p)} {obj}{self.tail}")

    def types(self, s: str, *classes: str) -> None:
        for cls in classes:
            self.add(s, rdf.type, cls)

    def literal(self, s: str, p: str, value: Optional[str], lang: Optional[str] = None) -> None:
        if value:
            self.add(s, p, lit(value, lang))

    def links(self, s: str, p: str, objects: Iterable[str]) -> None:
        for o in dict.fromkeys(objects):
            self.add(s, p, o)

    def unique_lines(self) -> list[str]:
        """The lines once each, in the order first added: a graph is a set."""
        return list(dict.fromkeys(self.lines))

    def nquads(self) -> bytes:
        return "".join(self.unique_lines()).encode()

    @property
    def quads(self) -> list[ox.Quad]:
        """The quads as pyoxigraph objects (repeats kept, as added)."""
        if not self.lines:
            return []
        return list(ox.parse("".join(self.lines), format=ox.RdfFormat.N_QUADS))
