"""Media types, format names and content negotiation for the SPARQL endpoint and linked data."""
from __future__ import annotations

from functools import lru_cache
from typing import Optional, Sequence

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
# formats for a graph (no named graphs), in the order we prefer them
GRAPH_ONLY = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]

ALIASES = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle", "ntriples": "application/n-triples", "nt": "application/n-triples",
    "n-triples": "application/n-triples", "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml", "rdf+xml": "application/rdf+xml", "owl": "application/rdf+xml",
    "n3": "text/turtle",  # a Turtle document is valid N3
    "trig": "application/trig", "nquads": "application/n-quads", "nq": "application/n-quads", "n-quads": "application/n-quads",
}
# media types clients send for the same thing
SYNONYMS = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml",
            "text/xml": "application/sparql-results+xml", "text/plain": "application/n-triples",
            "application/x-turtle": "text/turtle", "application/turtle": "text/turtle", "application/json+ld": "application/ld+json",
            "text/n3": "text/turtle", "text/rdf+n3": "text/turtle", "application/n3": "text/turtle"}

# request bodies the Graph Store accepts
PARSE_FORMATS = {**{k: v for k, v in RDF_FORMATS.items()}, "application/x-turtle": ox.RdfFormat.TURTLE,
                 "text/plain": ox.RdfFormat.N_TRIPLES, "application/xml": ox.RdfFormat.RDF_XML,
                 "text/n3": ox.RdfFormat.N3}


def is_text(media_type: str) -> bool:
    return media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "json", "trig", "n-triples", "n-quads"))


def from_format_parameter(value: str) -> Optional[str]:
    value = value.strip().lower()
    if value in ALIASES:
        return ALIASES[value]
    if value in RESULT_FORMATS or value in RDF_FORMATS:
        return value
    return SYNONYMS.get(value)


def negotiate(accept_header: Optional[str], offered: Sequence[str], default: str) -> Optional[str]:
    """The best offered media type for an Accept header (q-values honoured); None if nothing is acceptable."""
    return _negotiate(accept_header or "", tuple(offered), default)


@lru_cache(maxsize=1024)
def _negotiate(accept_header: str, offered: tuple[str, ...], default: str) -> Optional[str]:
    # clients send the same few Accept headers again and again: parse and weigh each once (bounded by the cache)
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept or not accept.values():
        return default
    best, best_q = None, 0.0
    for candidate in offered:
        q = accept.quality(candidate)
        for synonym, canonical in SYNONYMS.items():
            if canonical == candidate and synonym in accept.values():
                q = max(q, accept.quality(synonym))
        # prefer the default on ties (*/*), then the order given
        if q > best_q or (q == best_q and q > 0 and candidate == default):
            best, best_q = candidate, q
    return best
