"""The mapping writes N-Quads lines itself; they must be byte for byte what Oxigraph writes for the same quads."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from mappings._rdf import Graph, count, decimal, lit, typed

G, S, P = "http://example.org/graph/1", "http://example.org/id/é/1", "http://example.org/p"
XSD = "http://www.w3.org/2001/XMLSchema#"

TEXTS = ["plain", "", 'a "quoted" word', "back\\slash", "line\nbreak\r\ttab", "\b\f\x00\x01\x1f\x7f",
         "\ufffe\uffff\ufeff\u2028", "Пхеньян 平壤 Bình Nhưỡng 😀", "ends with a backslash \\"]


def _oxigraph(subject, predicate, obj) -> bytes:
    return ox.serialize([ox.Quad(ox.NamedNode(subject), ox.NamedNode(predicate), obj, ox.NamedNode(G))],
                        format=ox.RdfFormat.N_QUADS)


@pytest.mark.parametrize("text", TEXTS)
def test_literals_are_written_as_oxigraph_writes_them(text):
    g = Graph(G)
    g.add(S, P, lit(text))
    g.add(S, P, lit(text, "EN-gb"))
    g.add(S, P, typed(text, XSD + "token"))
    g.add(S, P, typed(text, XSD + "string"))  # the plain literal again: a graph is a set
    expected = (_oxigraph(S, P, ox.Literal(text)) + _oxigraph(S, P, ox.Literal(text, language="en-gb"))
                + _oxigraph(S, P, ox.Literal(text, datatype=ox.NamedNode(XSD + "token"))))
    assert g.nquads() == expected and g.lines[3] == g.lines[0]
    assert list(dict.fromkeys(g.quads)) == list(ox.parse(expected, format=ox.RdfFormat.N_QUADS))


def test_every_code_point_is_escaped_as_oxigraph_escapes_it():
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    g = Graph(G)
    g.add(S, P, lit(text))
    assert g.nquads() == _oxigraph(S, P, ox.Literal(text))


def test_numbers_iris_and_objects_given_as_pyoxigraph_terms():
    g = Graph(G)
    g.add(S, P, decimal(0.6321))
    g.add(S, P, decimal(90.0))
    g.add(S, P, count(7))
    g.add(ox.NamedNode(S), P, ox.NamedNode("http://example.org/o"))
    g.add(S, P, ox.Literal("x", language="ru"))
    g.add(S, P, "http://example.org/o")  # a plain string object is an IRI
    g.add(S, P, "http://example.org/o")  # a repeat: kept by .quads, once in nquads()
    expected = b"".join([_oxigraph(S, P, ox.Literal("0.632", datatype=ox.NamedNode(XSD + "decimal"))),
                         _oxigraph(S, P, ox.Literal("90", datatype=ox.NamedNode(XSD + "decimal"))),
                         _oxigraph(S, P, ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))),
                         _oxigraph(S, P, ox.NamedNode("http://example.org/o")),
                         _oxigraph(S, P, ox.Literal("x", language="ru"))])
    assert g.nquads() == expected
    assert len(g.quads) == 7 and len(set(g.quads)) == 5


@pytest.mark.parametrize("bad", ["http://example.org/a b", "http://example.org/<x>", 'http://example.org/"', "no-scheme",
                                 "http://example.org/{x}", "http://example.org/a\\b", "http://example.org/\n"])
def test_an_iri_n_quads_cannot_hold_is_refused_when_added(bad):
    g = Graph(G)
    with pytest.raises(ValueError, match="not an IRI"):
        g.add(bad, P, lit("x"))
    with pytest.raises(ValueError, match="not an IRI"):
        g.add(S, P, bad)
    assert g.lines == []
