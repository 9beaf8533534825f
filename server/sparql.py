"""The SPARQL 1.1 Protocol: queries at /sparql, updates at /sparql/update, the service description.

Queries run in the query pool (a killable process, for timeouts). With no dataset in the
request, the default graph is the union of all graphs.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from kg.namespaces import PREFIXES, sparql_tokens

from .auth import require_token, write_allowed
from .formats import GRAPH_ONLY, RDF_FORMATS, RESULT_FORMATS, from_format_parameter, negotiate
from .pool import Job, PoolBusy, QueryTimeout, WorkerCrashed
from .state import state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
RESULT_OFFERS = tuple(RESULT_FORMATS)
GRAPH_OFFERS = (*GRAPH_ONLY, "application/trig", "application/n-quads")
# the same on every answer: any web page may query the endpoint (it is public and read-only)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, Authorization, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Content-Type, Vary",
    "Access-Control-Max-Age": "86400",
}


def _text(message: str, status: int, **headers) -> Response:
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain", headers=headers)


class ProtocolError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@bp.errorhandler(ProtocolError)
def _protocol_error(exc: ProtocolError):
    return _text(str(exc), exc.status)


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        raise ProtocolError(f"Unsupported charset {charset!r}: requests must be UTF-8", 415)


def _params() -> dict[str, list[str]]:
    """Parameters of the URL and, for a form POST, of the body (all values, repeated ones kept)."""
    params: dict[str, list[str]] = {k: request.args.getlist(k) for k in request.args}
    if request.method == "POST" and request.mimetype == FORM:
        _check_charset()
        raw = request.get_data()
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("The form body is not valid UTF-8", 400) from None
        for key, values in parse_qs(body, keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    return params


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(f"The request has {len(values)} '{name}' parameters; exactly one is allowed")
    return values[0] if values else None


def _absolute(iris: list[str], what: str) -> list[str]:
    for iri in iris:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", iri):
            raise ProtocolError(f"{what} {iri!r} is not an absolute IRI")
    return iris


def _query_text(params) -> str | None:
    if request.method == "POST" and request.mimetype == "application/sparql-query":
        _check_charset()
        if "query" in params:
            raise ProtocolError("A direct POST carries the query in its body, not in a 'query' parameter")
        try:
            return request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("The query is not valid UTF-8") from None
    return _single(params, "query")


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def query_endpoint():
    if request.method == "OPTIONS":
        return Response(status=204)
    if request.method == "POST" and request.mimetype not in (FORM, "application/sparql-query"):
        if request.mimetype == "application/sparql-update":
            raise ProtocolError("Updates are not accepted here: send them to /sparql/update", 415)
        raise ProtocolError(f"Unsupported media type {request.mimetype or '(none)'!r}: use {FORM} or application/sparql-query", 415)
    params = _params()
    if "update" in params:
        raise ProtocolError("This is the query endpoint: an update is never run here (use POST /sparql/update)")
    query = _query_text(params)
    if query is None:
        if request.method == "GET" and not params:
            return service_description()
        raise ProtocolError("Missing 'query' parameter")
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if len(query) > limit:
        raise ProtocolError(f"The query is {len(query)} characters long, over the limit of {limit}", 413)
    default_graphs = _absolute(params.get("default-graph-uri", []), "default-graph-uri")
    named_graphs = _absolute(params.get("named-graph-uri", []), "named-graph-uri")

    # some clients (SPARQLWrapper) repeat 'format' or add 'output': the first one we know wins
    fmt = next((f for f in params.get("format", []) + params.get("output", []) if from_format_parameter(f)),
               (params.get("format") or [None])[0])
    if fmt:
        chosen = from_format_parameter(fmt)
        if chosen is None:
            raise ProtocolError(f"Unknown format {fmt!r}", 406)
        results_format = chosen if chosen in RESULT_FORMATS else None
        graph_format = chosen if chosen in RDF_FORMATS else None
    else:
        accept = request.headers.get("Accept")
        results_format = negotiate(accept, RESULT_OFFERS, "application/sparql-results+json")
        graph_format = negotiate(accept, GRAPH_OFFERS, "text/turtle")

    etag = None
    if request.method == "GET":
        etag = hashlib.sha1("|".join([state().generation(), query, repr(default_graphs), repr(named_graphs),
                                      str(results_format), str(graph_format)]).encode()).hexdigest()
        if etag in request.if_none_match:
            return Response(status=304, headers={"ETag": f'"{etag}"', "Vary": "Accept"})

    # a dataset in the request replaces the default (the union of all graphs); what it leaves out is empty
    given = bool(default_graphs or named_graphs)
    job = Job(query, default_graphs if given else None, named_graphs if given else None, results_format, graph_format)
    try:
        answer = state().pool.run(job)
    except QueryTimeout as exc:
        return _text(f"{exc}. Narrow the query (LIMIT, more specific patterns) or ask the operator for a longer --timeout.", 503)
    except PoolBusy as exc:
        return _text(f"The server is busy: {exc}. Try again shortly.", 503, **{"Retry-After": "5"})
    except WorkerCrashed as exc:
        return _text(f"Query failed: {exc}", 500)
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    if answer.status == 200 and etag:
        response.headers["ETag"] = f'"{etag}"'
        response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.after_request
def _cors_and_vary(response: Response) -> Response:
    response.headers.update(CORS_HEADERS)
    response.vary.add("Accept")
    return response


# --- updates ------------------------------------------------------------------------------

@bp.route("/sparql/update", methods=["GET", "POST", "OPTIONS"])
def update_endpoint():
    if request.method == "OPTIONS":
        return Response(status=204)
    if request.method == "GET":
        return _text("Updates must be sent by POST (an update by GET is never run)", 405, Allow="POST, OPTIONS")
    return _run_update()


@require_token
def _run_update():
    if request.mimetype == "application/sparql-update":
        _check_charset()
        params = {k: request.args.getlist(k) for k in request.args}
        if "update" in params:
            raise ProtocolError("A direct POST carries the update in its body, not in an 'update' parameter")
        try:
            update = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("The update is not valid UTF-8") from None
    elif request.mimetype == FORM:
        params = _params()
        if "query" in params:
            raise ProtocolError("A request carries either 'query' or 'update', not both")
        update = _single(params, "update")
        if update is None:
            raise ProtocolError("Missing 'update' parameter")
    else:
        raise ProtocolError(f"Unsupported media type {request.mimetype or '(none)'!r}: use {FORM} or application/sparql-update", 415)
    using = _absolute(params.get("using-graph-uri", []), "using-graph-uri")
    using_named = _absolute(params.get("using-named-graph-uri", []), "using-named-graph-uri")
    if using or using_named:
        update = with_using(update, using, using_named)
    try:
        state().write(lambda store: store.update(update, base_iri=request.base_url))
    except SyntaxError as exc:
        raise ProtocolError(f"SPARQL syntax error: {exc}") from None
    except (ValueError, OSError) as exc:
        raise ProtocolError(f"Update failed: {exc}") from None
    return Response(status=204)


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The protocol's using-graph-uri: add USING / USING NAMED to every DELETE/INSERT ... WHERE operation.

    An operation that names its own dataset (USING or WITH) conflicts with the request: 400.
    """
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    out, pos, in_modify = [], 0, False
    for token, depth, offset in sparql_tokens(update):
        if token == ";" and depth == 0:
            in_modify = False
        elif depth == 0 and token[:1].isalpha():
            word = token.upper()
            if word in ("DELETE", "INSERT"):
                in_modify = True
            elif word in ("USING", "WITH"):
                raise ProtocolError("The update names its own dataset (USING/WITH) and the request gives using-graph-uri: "
                                    "the two conflict")
            elif word == "WHERE" and in_modify:
                out.append(update[pos:offset] + clause)
                pos = offset
                in_modify = False
    out.append(update[pos:])
    return "".join(out)


# --- service description --------------------------------------------------------------------

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"


def service_description() -> Response:
    offered = ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"]
    fmt = request.args.get("format")
    mime = from_format_parameter(fmt) if fmt else negotiate(request.headers.get("Accept"), offered, "text/turtle")
    if mime not in offered:
        return _text("No acceptable format for the service description (Turtle, RDF/XML, JSON-LD, N-Triples)", 406)
    endpoint = request.url_root.rstrip("/") + "/sparql"
    s = state()
    n = lambda v: ox.NamedNode(v)  # noqa: E731
    svc, dataset, graph = n(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(svc, n(PREFIXES["rdf"] + "type"), n(SD + "Service")),
        ox.Triple(svc, n(SD + "endpoint"), svc),
        ox.Triple(svc, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(svc, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(svc, n(SD + "defaultEntailmentRegime"), n("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(svc, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, n(PREFIXES["rdf"] + "type"), n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), graph),
        ox.Triple(graph, n(PREFIXES["rdf"] + "type"), n(SD + "Graph")),
        ox.Triple(graph, n(PREFIXES["void"] + "triples"), ox.Literal(str(s.triple_count()), datatype=n(PREFIXES["xsd"] + "integer"))),
        ox.Triple(dataset, n("http://purl.org/dc/terms/title"), ox.Literal("archive-kg knowledge graph")),
    ]
    if write_allowed():
        triples.append(ox.Triple(svc, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"):
        triples.append(ox.Triple(svc, n(SD + "resultFormat"), n(FORMATS_NS + name)))
    for graph_iri, count in s.named_graph_counts():
        node = ox.BlankNode(f"g{abs(hash(graph_iri))}")
        triples += [ox.Triple(dataset, n(SD + "namedGraph"), node), ox.Triple(node, n(SD + "name"), n(graph_iri)),
                    ox.Triple(node, n(PREFIXES["void"] + "triples"),
                              ox.Literal(str(count), datatype=n(PREFIXES["xsd"] + "integer")))]
    body = ox.serialize(triples, format=RDF_FORMATS[mime],
                        prefixes={"sd": SD, "void": PREFIXES["void"], "formats": FORMATS_NS})
    return Response(body, content_type=f"{mime}; charset=utf-8")
