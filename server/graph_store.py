"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store (?graph=IRI or ?default).

Reads are open; writes need the token. Status codes follow the specification:
201 when a graph is created, 204 when it is replaced or changed, 404 for a graph
that does not exist, 400 for a relative IRI, 415 for an RDF syntax we cannot read.
"""
from __future__ import annotations

import re
import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, request

from .auth import require_token
from .formats import GRAPH_ONLY, PARSE_FORMATS, RDF_FORMATS, from_format_parameter, negotiate
from .state import state

bp = Blueprint("graph_store", __name__)


def _text(message: str, status: int, **headers) -> Response:
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain", headers=headers)


def _target():
    """The graph the request names, or an error response."""
    graph = request.args.get("graph")
    default = "default" in request.args
    if graph is not None and default:
        return None, _text("Give either ?graph=IRI or ?default, not both", 400)
    if default:
        return ox.DefaultGraph(), None
    if graph is None:
        return None, None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", graph):
        return None, _text(f"Graph IRI {graph!r} is not absolute", 400)
    return ox.NamedNode(graph), None


@bp.after_request
def _cors(response: Response) -> Response:
    # reads are open to any origin, as for the query endpoint; writes still need the token
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _exists(store: ox.Store, graph) -> bool:
    if isinstance(graph, ox.DefaultGraph):
        return True
    return store.contains_named_graph(graph)


@bp.route("/rdf-graph-store", methods=["GET", "HEAD"])
def read_graph():
    graph, error = _target()
    if error:
        return error
    if graph is None:
        return _text("Name a graph: ?graph=IRI or ?default", 400)
    fmt = request.args.get("format")
    mime = from_format_parameter(fmt) if fmt else negotiate(request.headers.get("Accept"), GRAPH_ONLY, "text/turtle")
    if mime not in GRAPH_ONLY:
        return _text("No acceptable RDF format: Turtle, N-Triples, JSON-LD or RDF/XML", 406)
    triples = state().graph_triples(graph)
    if triples is None:
        return _text(f"No graph {graph}", 404)
    body = ox.serialize(triples, format=RDF_FORMATS[mime])
    response = Response(body if request.method == "GET" else b"", content_type=f"{mime}; charset=utf-8")
    response.headers["Content-Length"] = str(len(body))
    response.vary.add("Accept")
    return response


def _parse_body() -> list[ox.Triple]:
    """Triples of the request body, or of each file of a multipart/form-data request."""
    parts: list[tuple[str, bytes]] = []
    if request.mimetype == "multipart/form-data":
        for storage in request.files.values():
            parts.append((storage.mimetype or "", storage.read()))
        if not parts:
            raise _Unreadable("The multipart request carries no file", 400)
    else:
        parts.append((request.mimetype, request.get_data()))
    triples: list[ox.Triple] = []
    for mime, data in parts:
        if mime not in PARSE_FORMATS:
            raise _Unreadable(f"Unsupported RDF media type {mime or '(none)'!r}", 415)
        try:
            for item in ox.parse(data, format=PARSE_FORMATS[mime], base_iri=request.base_url):
                triples.append(ox.Triple(item.subject, item.predicate, item.object) if isinstance(item, ox.Quad) else item)
        except SyntaxError as exc:
            raise _Unreadable(f"The {mime} body does not parse: {exc}", 400) from None
    return triples


class _Unreadable(Exception):
    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


@bp.route("/rdf-graph-store", methods=["PUT", "POST", "DELETE"])
@require_token
def write_graph():
    graph, error = _target()
    if error:
        return error
    if graph is None and request.method != "POST":
        return _text("Name a graph: ?graph=IRI or ?default", 400)
    triples = []
    if request.method in ("PUT", "POST"):
        try:
            triples = _parse_body()
        except _Unreadable as exc:
            return _text(str(exc), exc.status)
    created_iri = None
    if graph is None:
        # POST to the store itself: a new graph with a fresh IRI (these graphs are the user's, not the build's)
        created_iri = request.url_root.rstrip("/") + f"/graph/uploaded/{uuid.uuid4()}"
        graph = ox.NamedNode(created_iri)
    outcome = {}

    def apply(store: ox.Store) -> None:
        existed = _exists(store, graph) and (not isinstance(graph, ox.DefaultGraph) or
                                             next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None)
        outcome["existed"] = existed
        if request.method == "DELETE":
            if existed:
                if isinstance(graph, ox.DefaultGraph):
                    store.clear_graph(graph)
                else:
                    store.remove_graph(graph)
            return
        if request.method == "PUT" and existed:
            store.clear_graph(graph)
        if not isinstance(graph, ox.DefaultGraph):
            store.add_graph(graph)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)

    state().write(apply)
    if request.method == "DELETE":
        return Response(status=204) if outcome["existed"] else _text(f"No graph {graph}", 404)
    if created_iri:
        return Response(status=201, headers={"Location": created_iri})
    return Response(status=204 if outcome["existed"] else 201)
