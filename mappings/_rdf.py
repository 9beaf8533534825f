"""Small constructors for pyoxigraph terms, shared by the mapping modules."""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Optional

import pyoxigraph as ox

from kg.namespaces import xsd, rdf

RDF_TYPE = ox.NamedNode(rdf.type)


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def lit(value: str, lang: Optional[str] = None) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(datatype))


def decimal(value: float) -> ox.Literal:
    """xsd:decimal in plain notation ('90', '0.632'), never '9E+1'."""
    return typed(format(Decimal(str(round(value, 3))).normalize(), "f"), xsd.decimal)


def count(value: int) -> ox.Literal:
    # Oxigraph stores integer-derived datatypes as xsd:integer; say so rather than pretend
    return typed(int(value), xsd.integer)


class Graph:
    """Collects quads for one named graph."""

    def __init__(self, graph_iri: str):
        self.graph = ox.NamedNode(graph_iri)
        self.quads: list[ox.Quad] = []

    def add(self, s: str | ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal | str) -> None:
        subject = s if isinstance(s, ox.NamedNode) else ox.NamedNode(s)
        obj = o if isinstance(o, (ox.NamedNode, ox.Literal)) else ox.NamedNode(o)
        self.quads.append(ox.Quad(subject, ox.NamedNode(p), obj, self.graph))

    def types(self, s: str, *classes: str) -> None:
        for cls in classes:
            self.add(s, rdf.type, cls)

    def literal(self, s: str, p: str, value: Optional[str], lang: Optional[str] = None) -> None:
        if value:
            self.add(s, p, lit(value, lang))

    def links(self, s: str, p: str, objects: Iterable[str]) -> None:
        for o in dict.fromkeys(objects):
            self.add(s, p, o)
