"""A first SPARQL endpoint: GET and POST queries, JSON/XML/CSV/TSV results.

The full SPARQL 1.1 Protocol (dataset parameters, negotiation, service
description, updates, timeouts) is tracked in its own issue.
"""
from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

bp = Blueprint("sparql", __name__)

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
               "application/rdf+xml": ox.RdfFormat.RDF_XML}


def _store() -> ox.Store:
    return current_app.extensions["kg_store"].open(read_only=True)


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        query = request.get_data(as_text=True)
    else:
        query = request.values.get("query")
    if not query:
        return Response("Missing 'query' parameter\n", status=400, mimetype="text/plain")
    try:
        result = _store().query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        return Response(f"SPARQL syntax error: {exc}\n", status=400, mimetype="text/plain")
    accept = request.accept_mimetypes
    if isinstance(result, ox.QueryTriples):
        mime = accept.best_match(list(GRAPH_TYPES), default="text/turtle")
        return Response(result.serialize(format=GRAPH_TYPES[mime]), mimetype=mime)
    mime = accept.best_match(list(RESULT_TYPES), default="application/sparql-results+json")
    body = result.serialize(format=RESULT_TYPES[mime])
    return Response(body, mimetype=mime)
