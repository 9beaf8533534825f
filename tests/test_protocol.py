"""Conformance of the live SPARQL endpoint with the SPARQL 1.1 Protocol.

Each test named ``test_<case>`` checks the behaviour of the W3C protocol test case ``<case>``
(rdf-tests, sparql/sparql11/protocol/manifest.ttl) against ``kg serve``, rewritten for this
project's data: the example graph built from ``examples/`` stands in for the W3C test data, and
updates go to ``/sparql/update`` with the write token. The W3C cases accept any 2xx/3xx for a
success and any 4xx for an error; where the project's contract is stricter (e.g. 400, 415),
the stricter status is asserted. The remaining tests check the project's own conventions:
content negotiation, the ``format`` parameter, ETags, CORS, the service description
(rdf-tests, sparql/sparql11/service-description), authentication, the read-only mode, the
query timeout and the request size limit.

Two servers are started for this module, each on its own copy of the store: ``server`` with
a write token, ``ro_server`` without one (and with ``--timeout 2``, for the timeout test).
"""
from __future__ import annotations

import re
import threading
import time

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from live_server import (AKG, DOC, DOC_GRAPH, ENTITIES_GRAPH, PROVENANCE_GRAPH, RDF_MEDIA, RESULT_MEDIA,
                         VOCABULARY_GRAPH, LiveServer, form, header_tokens, parse_boolean,
                         parse_rdf, parse_table, server_fixtures)

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(ConjunctiveGraph|default_context).*:DeprecationWarning")  # inside rdflib's parsers

TOKEN = "protocol-test-token-9f2c"
EX = "http://example.org/protocol-test/"
T = "http://example.org/protocol-test#"  # types used by the update tests (absent from the example graph)
DCT = "http://purl.org/dc/terms/"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
NOT_A_GRAPH = "http://example.org/protocol-test/no-such-graph"
FORM = "application/x-www-form-urlencoded"
JSON_ACCEPT = {"Accept": RESULT_MEDIA["json"]}

RDF_TYPES = set(RDF_MEDIA.values())
TABULAR_TYPES = set(RESULT_MEDIA.values())
BOOLEAN_TYPES = {RESULT_MEDIA["json"], RESULT_MEDIA["xml"]}


# --------------------------------------------------------------------------- fixtures


built, facts, server, ro_server = server_fixtures("protocol", TOKEN, ro_timeout=2)


def graph_is_empty(srv: LiveServer, graph: str) -> bool:
    return not srv.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def parser_location(text: str, update: bool = False) -> str:
    """Where pyoxigraph's parser reports the error in ``text`` ("line:column")."""
    try:
        if update:
            ox.Store().update(text)
        else:
            ox.Store().query(text)
    except SyntaxError as exc:
        match = re.search(r"\d+:\d+", str(exc))
        assert match, str(exc)
        return match.group(0)
    raise AssertionError(f"{text!r} parses")


def assert_success(resp) -> None:
    assert 200 <= resp.status < 400, resp


def assert_client_error(resp) -> None:
    assert 400 <= resp.status < 500, resp


# The example graph: the document is in its own named graph, a person is described in the
# entities graph only. Both are true in the union default graph.
def ask_doc_and_entity(facts) -> str:
    return f"ASK {{ <{DOC}> a <{AKG}Document> . <{facts.entity}> a <{facts.entity_type}> }}"


def ask_named_doc_and_entity(facts) -> str:
    return (f"ASK {{ GRAPH ?g1 {{ <{DOC}> a <{AKG}Document> }} "
            f"GRAPH ?g2 {{ <{facts.entity}> a <{facts.entity_type}> }} }}")


# =========================================================================== queries


def test_query_get(server):
    # W3C protocol: query_get
    resp = server.query_get("ASK {}", params=[("default-graph-uri", NOT_A_GRAPH)])
    assert resp.status == 200, resp
    assert resp.media_type in BOOLEAN_TYPES, resp
    assert parse_boolean(resp) is True


def test_query_post_form(server):
    # W3C protocol: query_post_form (dataset in the URL, query in the form body)
    resp = server.request("POST", "/sparql", params=[("default-graph-uri", NOT_A_GRAPH)],
                          body=form([("query", "ASK {}")]), headers={"Content-Type": FORM})
    assert resp.status == 200, resp
    assert resp.media_type in BOOLEAN_TYPES, resp
    assert parse_boolean(resp) is True


def test_query_post_form_dataset_in_form_fields(server, facts):
    # query_dataset_default_graphs_post, with the dataset given as form fields of a form POST
    query = ask_doc_and_entity(facts)
    both = server.request("POST", "/sparql", headers={"Content-Type": FORM, **JSON_ACCEPT}, body=form([
        ("query", query), ("default-graph-uri", DOC_GRAPH), ("default-graph-uri", ENTITIES_GRAPH)]))
    assert both.status == 200, both
    assert parse_boolean(both) is True
    one = server.request("POST", "/sparql", headers={"Content-Type": FORM, **JSON_ACCEPT}, body=form([
        ("query", query), ("default-graph-uri", DOC_GRAPH)]))
    assert one.status == 200, one
    assert parse_boolean(one) is False, "the entities graph is not part of the requested default graph"


def test_query_post_direct(server):
    # W3C protocol: query_post_direct
    resp = server.query_post("ASK {}")
    assert resp.status == 200, resp
    assert resp.media_type in BOOLEAN_TYPES, resp
    assert parse_boolean(resp) is True


def test_query_dataset_default_graphs_get(server, facts):
    # W3C protocol: query_dataset_default_graphs_get
    query = ask_doc_and_entity(facts)
    resp = server.query_get(query, params=[("default-graph-uri", DOC_GRAPH), ("default-graph-uri", ENTITIES_GRAPH)])
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True
    # and the default graph really is only what was asked for
    resp = server.query_get(query, params=[("default-graph-uri", DOC_GRAPH)])
    assert resp.status == 200, resp
    assert parse_boolean(resp) is False


def test_query_dataset_default_graphs_post(server, facts):
    # W3C protocol: query_dataset_default_graphs_post
    query = ask_doc_and_entity(facts)
    resp = server.query_post(query, params=[("default-graph-uri", DOC_GRAPH), ("default-graph-uri", ENTITIES_GRAPH)])
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True
    resp = server.query_post(query, params=[("default-graph-uri", ENTITIES_GRAPH)])
    assert resp.status == 200, resp
    assert parse_boolean(resp) is False


def _named_graphs_seen(resp) -> set[str]:
    assert resp.status == 200, resp
    _, rows = parse_table(resp)
    return {row["g"] for row in rows}


def test_query_dataset_named_graphs_post(server, facts):
    # W3C protocol: query_dataset_named_graphs_post
    params = [("named-graph-uri", DOC_GRAPH), ("named-graph-uri", ENTITIES_GRAPH)]
    resp = server.query_post(ask_named_doc_and_entity(facts), params=params)
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True
    seen = server.query_post("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", params=params,
                             headers=JSON_ACCEPT)
    assert _named_graphs_seen(seen) == {DOC_GRAPH, ENTITIES_GRAPH}
    # only named graphs given: the default graph of the dataset is empty (SPARQL 1.1 Query, 13.2)
    empty = server.query_post("ASK { ?s ?p ?o }", params=params)
    assert empty.status == 200, empty
    assert parse_boolean(empty) is False


def test_query_dataset_named_graphs_get(server, facts):
    # W3C protocol: query_dataset_named_graphs_get
    params = [("named-graph-uri", DOC_GRAPH), ("named-graph-uri", ENTITIES_GRAPH)]
    resp = server.query_get(ask_named_doc_and_entity(facts), params=params)
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True
    seen = server.query_get("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", params=params,
                            headers=JSON_ACCEPT)
    assert _named_graphs_seen(seen) == {DOC_GRAPH, ENTITIES_GRAPH}


def test_query_dataset_full(server, facts):
    # W3C protocol: query_dataset_full (default graph and named graphs both given)
    params = [("default-graph-uri", ENTITIES_GRAPH), ("named-graph-uri", DOC_GRAPH),
              ("named-graph-uri", PROVENANCE_GRAPH)]
    query = f"ASK {{ <{facts.entity}> a <{facts.entity_type}> GRAPH ?g1 {{ <{DOC}> a <{AKG}Document> }} }}"
    resp = server.query_post(query, params=params)
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True
    # the document is not in the default graph, and the entities graph is not a named graph
    assert parse_boolean(server.query_post(f"ASK {{ <{DOC}> a <{AKG}Document> }}", params=params)) is False
    seen = server.query_post("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", params=params,
                             headers=JSON_ACCEPT)
    assert _named_graphs_seen(seen) == {DOC_GRAPH, PROVENANCE_GRAPH}


def test_query_multiple_dataset(server, facts):
    # W3C protocol: query_multiple_dataset -- the protocol dataset wins over FROM / FROM NAMED
    params = [("named-graph-uri", DOC_GRAPH), ("named-graph-uri", ENTITIES_GRAPH)]
    query = (f"ASK FROM <{VOCABULARY_GRAPH}> {{ GRAPH ?g1 {{ <{DOC}> a <{AKG}Document> }} "
             f"GRAPH ?g2 {{ <{facts.entity}> a <{facts.entity_type}> }} }}")
    resp = server.query_post(query, params=params)
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True
    # the same with default-graph-uri against FROM
    query = f"ASK FROM <{ENTITIES_GRAPH}> {{ <{DOC}> a <{AKG}Document> }}"
    resp = server.query_post(query, params=[("default-graph-uri", DOC_GRAPH)])
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True


def test_query_from_clause_without_protocol_dataset(server):
    # the query's own FROM / FROM NAMED are used when the request names no dataset
    # (SPARQL 1.1 Protocol 2.1.4; the union default graph only applies when neither names one)
    resp = server.query_post(f"SELECT DISTINCT ?g FROM NAMED <{ENTITIES_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                             headers=JSON_ACCEPT)
    assert _named_graphs_seen(resp) == {ENTITIES_GRAPH}
    resp = server.query_post(f"ASK FROM <{ENTITIES_GRAPH}> {{ <{DOC}> a <{AKG}Document> }}")
    assert resp.status == 200, resp
    assert parse_boolean(resp) is False
    resp = server.query_post(f"ASK FROM <{DOC_GRAPH}> {{ <{DOC}> a <{AKG}Document> }}")
    assert resp.status == 200, resp
    assert parse_boolean(resp) is True


def test_default_graph_is_union_of_all_graphs(ro_server, facts):
    # contract: with no dataset parameter the default graph is the union of all graphs
    assert ro_server.ask(ask_doc_and_entity(facts)) is True
    rows = ro_server.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]) == facts.union_triples


def test_query_content_type_select(server):
    # W3C protocol: query_content_type_select (one of XML, JSON, CSV, TSV)
    resp = server.query_post("SELECT (1 AS ?value) {}", params=[("default-graph-uri", NOT_A_GRAPH)])
    assert resp.status == 200, resp
    assert resp.media_type in TABULAR_TYPES, resp
    variables, rows = parse_table(resp)
    assert variables == ["value"]
    assert rows == [{"value": "1"}]


def test_query_content_type_ask(server):
    # W3C protocol: query_content_type_ask (one of XML, JSON)
    resp = server.query_post("ASK {}", params=[("default-graph-uri", NOT_A_GRAPH)])
    assert resp.status == 200, resp
    assert resp.media_type in BOOLEAN_TYPES, resp
    assert parse_boolean(resp) is True


def test_query_content_type_describe(server, facts):
    # W3C protocol: query_content_type_describe (an RDF format)
    resp = server.query_post("DESCRIBE <http://example.org/>", params=[("default-graph-uri", NOT_A_GRAPH)])
    assert resp.status == 200, resp
    assert resp.media_type in RDF_TYPES, resp
    assert len(parse_rdf(resp)) == 0
    # and a resource of the example graph
    resp = server.query_post(f"DESCRIBE <{DOC}>")
    assert resp.status == 200, resp
    assert resp.media_type in RDF_TYPES, resp
    graph = parse_rdf(resp)
    assert (rdflib.URIRef(DOC), rdflib.URIRef(DCT + "title"), rdflib.Literal(facts.doc_title)) in graph


def test_query_content_type_construct(server):
    # W3C protocol: query_content_type_construct (an RDF format)
    resp = server.query_post("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}",
                             params=[("default-graph-uri", NOT_A_GRAPH)])
    assert resp.status == 200, resp
    assert resp.media_type in RDF_TYPES, resp
    graph = parse_rdf(resp)
    assert set(graph) == {(rdflib.URIRef("http://example.org/s"), rdflib.URIRef("http://example.org/p"),
                           rdflib.Literal(1))}


# =========================================================================== updates


def test_update_post_form(server):
    # W3C protocol: update_post_form (an INSERT DATA instead of CLEAR ALL, so it can be checked)
    g = EX + "update-post-form"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> \"form\" }} }}"
    resp = server.request("POST", "/sparql/update", body=form([("update", update)]),
                          headers={"Content-Type": FORM}, token=TOKEN)
    assert resp.status in (200, 204), resp
    assert server.ask(f"ASK {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> \"form\" }} }}")


def test_update_post_direct(server):
    # W3C protocol: update_post_direct
    g = EX + "update-post-direct"
    resp = server.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> \"direct\" }} }}")
    assert resp.status in (200, 204), resp
    assert server.ask(f"ASK {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> \"direct\" }} }}")
    # and a DELETE DATA by the same route takes it out again
    resp = server.update(f"DELETE DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> \"direct\" }} }}")
    assert resp.status in (200, 204), resp
    assert graph_is_empty(server, g)


def _seed(prefix: str, names=("data1", "data2", "data3")) -> str:
    """INSERT DATA putting <prefix/dataN> a t:Doc into graph <prefix/dataN>."""
    parts = " ".join(f"GRAPH <{prefix}{n}> {{ <{prefix}{n}> a <{T}Doc> }}" for n in names)
    return f"INSERT DATA {{ {parts} }}"


def test_update_dataset_default_graph(server):
    # W3C protocol: update_dataset_default_graph (using-graph-uri)
    p = EX + "udg/"
    update = (f"{_seed(p, ('data1', 'data2'))} ;\n"
              f"INSERT {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }} WHERE {{ ?s a <{T}Doc> }}")
    resp = server.update(update, params=[("using-graph-uri", p + "data1")])
    assert resp.status in (200, 204), resp
    rows = server.select(f"SELECT ?s WHERE {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }}")
    assert {r["s"] for r in rows} == {p + "data1"}


def test_update_dataset_default_graphs(server):
    # W3C protocol: update_dataset_default_graphs (using-graph-uri twice)
    p = EX + "udgs/"
    update = (f"{_seed(p)} ;\n"
              f"INSERT {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }} WHERE {{ ?s a <{T}Doc> }}")
    resp = server.update(update, params=[("using-graph-uri", p + "data1"), ("using-graph-uri", p + "data2")])
    assert resp.status in (200, 204), resp
    rows = server.select(f"SELECT ?s WHERE {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }}")
    assert {r["s"] for r in rows} == {p + "data1", p + "data2"}


def test_update_dataset_named_graphs(server):
    # W3C protocol: update_dataset_named_graphs (using-named-graph-uri twice)
    p = EX + "udng/"
    update = (f"{_seed(p)} ;\n"
              f"INSERT {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }} WHERE {{ GRAPH ?g {{ ?s a <{T}Doc> }} }}")
    resp = server.update(update, params=[("using-named-graph-uri", p + "data1"),
                                         ("using-named-graph-uri", p + "data2")])
    assert resp.status in (200, 204), resp
    rows = server.select(f"SELECT ?s WHERE {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }}")
    assert {r["s"] for r in rows} == {p + "data1", p + "data2"}


def test_update_dataset_full(server):
    # W3C protocol: update_dataset_full (using-graph-uri and using-named-graph-uri)
    p = EX + "udf/"
    update = (f"{_seed(p)} ;\n"
              f"INSERT {{ GRAPH <{p}out> {{ ?s <{T}in> ?in }} }} WHERE {{\n"
              f"  {{ GRAPH ?g {{ ?s a <{T}Doc> }} BIND(STR(?g) AS ?in) }}\n"
              f"  UNION\n"
              f"  {{ ?s a <{T}Doc> BIND(\"default\" AS ?in) }}\n"
              f"}}")
    resp = server.update(update, params=[("using-graph-uri", p + "data1"), ("using-named-graph-uri", p + "data2")])
    assert resp.status in (200, 204), resp
    rows = server.select(f"SELECT ?s ?in WHERE {{ GRAPH <{p}out> {{ ?s <{T}in> ?in }} }}")
    assert {(r["s"], r["in"]) for r in rows} == {(p + "data1", "default"), (p + "data2", p + "data2")}


def test_update_dataset_as_form_fields(server):
    # update_dataset_default_graph with the update and using-graph-uri as form fields
    p = EX + "udform/"
    update = (f"{_seed(p, ('data1', 'data2'))} ;\n"
              f"INSERT {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }} WHERE {{ ?s a <{T}Doc> }}")
    resp = server.request("POST", "/sparql/update", headers={"Content-Type": FORM}, token=TOKEN,
                          body=form([("update", update), ("using-graph-uri", p + "data2")]))
    assert resp.status in (200, 204), resp
    rows = server.select(f"SELECT ?s WHERE {{ GRAPH <{p}out> {{ ?s a <{T}Marked> }} }}")
    assert {r["s"] for r in rows} == {p + "data2"}


def test_update_base_uri(server):
    # W3C protocol: update_base_uri -- a relative IRI is resolved against a base the service chooses
    g = EX + "base-test"
    update = (f"CLEAR SILENT GRAPH <{g}> ;\n"
              f"INSERT DATA {{ GRAPH <{g}> {{ <http://example.org/s> <http://example.org/p> <test> }} }}")
    resp = server.update(update)
    assert resp.status in (200, 204), resp
    assert server.ask(f"ASK {{ GRAPH <{g}> {{ <http://example.org/s> <http://example.org/p> ?o "
                      f"FILTER(isIRI(?o) && STR(?o) != \"test\" && STRENDS(STR(?o), \"test\")) }} }}")


# =========================================================================== bad requests


def test_bad_query_method(server):
    # W3C protocol: bad_query_method (PUT is not a query operation)
    resp = server.request("PUT", "/sparql", params=[("query", "ASK {}"), ("default-graph-uri", NOT_A_GRAPH)],
                          headers={"Content-Type": FORM})
    assert_client_error(resp)
    resp = server.request("DELETE", "/sparql", params=[("query", "ASK {}")])
    assert_client_error(resp)


def test_bad_multiple_queries(server):
    # W3C protocol: bad_multiple_queries (contract: 400)
    resp = server.request("GET", "/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert resp.status == 400, resp
    resp = server.request("POST", "/sparql", headers={"Content-Type": FORM},
                          body=form([("query", "ASK {}"), ("query", "SELECT * {}")]))
    assert resp.status == 400, resp


def test_bad_query_and_update_together(server):
    # contract: both query and update -> 400, and the update is not run
    g = EX + "query-and-update"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    resp = server.request("GET", "/sparql", params=[("query", "ASK {}"), ("update", update)], token=TOKEN)
    assert resp.status == 400, resp
    resp = server.request("POST", "/sparql", headers={"Content-Type": FORM}, token=TOKEN,
                          body=form([("query", "ASK {}"), ("update", update)]))
    assert resp.status == 400, resp
    assert graph_is_empty(server, g)


def test_bad_query_and_update_together_at_update_endpoint(server):
    # contract: both query and update -> 400, here sent to the update endpoint
    g = EX + "query-and-update-2"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    resp = server.request("POST", "/sparql/update", headers={"Content-Type": FORM}, token=TOKEN,
                          body=form([("query", "ASK {}"), ("update", update)]))
    assert resp.status == 400, resp
    assert graph_is_empty(server, g)


def test_bad_query_wrong_media_type(server):
    # W3C protocol: bad_query_wrong_media_type (contract: 415)
    resp = server.request("POST", "/sparql", body="ASK {}", headers={"Content-Type": "text/plain"})
    assert resp.status == 415, resp


def test_bad_query_missing_form_type(server):
    # W3C protocol: bad_query_missing_form_type (a form body sent without any Content-Type)
    resp = server.request("POST", "/sparql", body="query=ASK%20%7B%7D")
    assert "Content-Type" not in resp.request_headers
    assert_client_error(resp)


def test_bad_query_missing_direct_type(server):
    # W3C protocol: bad_query_missing_direct_type (a query body sent without any Content-Type)
    resp = server.request("POST", "/sparql", body="ASK {}")
    assert_client_error(resp)


def test_bad_query_non_utf8(server):
    # W3C protocol: bad_query_non_utf8 (contract: 400 or 415)
    resp = server.request("POST", "/sparql", body="ASK {}".encode("utf-16"),
                          headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert resp.status in (400, 415), resp
    resp = server.request("POST", "/sparql", body=form([("query", "ASK {}")]),
                          headers={"Content-Type": f"{FORM}; charset=ISO-8859-1"})
    assert resp.status in (400, 415), resp


def test_bad_query_syntax(server):
    # W3C protocol: bad_query_syntax (contract: 400 with the parser's message)
    where = parser_location("ASK {")
    resp = server.query_get("ASK {")
    assert resp.status == 400, resp
    assert where in resp.text, f"the parser's position {where} is not in the answer: {resp!r}"
    query = "SELECT ?x WHERE { ?x ?y }"
    where = parser_location(query)
    resp = server.query_post(query)
    assert resp.status == 400, resp
    assert where in resp.text, f"the parser's position {where} is not in the answer: {resp!r}"


def test_bad_update_get(server):
    # W3C protocol: bad_update_get (contract: 405 or 400, never executed)
    g = EX + "update-by-get"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    resp = server.request("GET", "/sparql/update", params=[("update", update)], token=TOKEN)
    assert resp.status in (400, 405), resp
    resp = server.request("GET", "/sparql", params=[("update", update)], token=TOKEN)
    assert_client_error(resp)
    assert graph_is_empty(server, g)


def test_bad_multiple_updates(server):
    # W3C protocol: bad_multiple_updates
    g1, g2 = EX + "two-updates-1", EX + "two-updates-2"
    resp = server.request("POST", "/sparql/update", headers={"Content-Type": FORM}, token=TOKEN, body=form([
        ("update", f"INSERT DATA {{ GRAPH <{g1}> {{ <{EX}s> <{EX}p> 1 }} }}"),
        ("update", f"INSERT DATA {{ GRAPH <{g2}> {{ <{EX}s> <{EX}p> 2 }} }}")]))
    assert_client_error(resp)
    assert graph_is_empty(server, g1) and graph_is_empty(server, g2)


def test_bad_update_wrong_media_type(server):
    # W3C protocol: bad_update_wrong_media_type (contract: 415 for a wrong media type on POST)
    g = EX + "update-text-plain"
    resp = server.request("POST", "/sparql/update", body=f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}",
                          headers={"Content-Type": "text/plain"}, token=TOKEN)
    assert resp.status == 415, resp
    assert graph_is_empty(server, g)


def test_bad_update_missing_form_type(server):
    # W3C protocol: bad_update_missing_form_type
    g = EX + "update-no-type"
    body = form([("update", f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}")])
    resp = server.request("POST", "/sparql/update", body=body, token=TOKEN)
    assert_client_error(resp)
    assert graph_is_empty(server, g)


def test_bad_update_non_utf8(server):
    # W3C protocol: bad_update_non_utf8 (contract: 400 or 415)
    g = EX + "update-utf16"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    resp = server.request("POST", "/sparql/update", body=update.encode("utf-16"), token=TOKEN,
                          headers={"Content-Type": "application/sparql-update; charset=UTF-16"})
    assert resp.status in (400, 415), resp
    assert graph_is_empty(server, g)


def test_bad_update_syntax(server):
    # W3C protocol: bad_update_syntax (contract: 400 with the parser's message)
    where = parser_location("CLEAR XYZ", update=True)
    resp = server.request("POST", "/sparql/update", body=form([("update", "CLEAR XYZ")]),
                          headers={"Content-Type": FORM}, token=TOKEN)
    assert resp.status == 400, resp
    assert where in resp.text, f"the parser's position {where} is not in the answer: {resp!r}"


def test_bad_update_dataset_conflict(server):
    # W3C protocol: bad_update_dataset_conflict (using-named-graph-uri together with WITH)
    g = EX + "conflict"
    seed = server.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}bill> <{EX}givenName> 'Bill' }} }}")
    assert seed.status in (200, 204), seed
    update = (f"WITH <{g}> DELETE {{ ?person <{EX}givenName> 'Bill' }} "
              f"INSERT {{ ?person <{EX}givenName> 'William' }} WHERE {{ ?person <{EX}givenName> 'Bill' }}")
    resp = server.update(update, params=[("using-named-graph-uri", EX + "people")])
    assert_client_error(resp)
    assert server.ask(f"ASK {{ GRAPH <{g}> {{ <{EX}bill> <{EX}givenName> 'Bill' }} }}")
    assert not server.ask(f"ASK {{ GRAPH <{g}> {{ <{EX}bill> <{EX}givenName> 'William' }} }}")


def test_update_sent_to_query_endpoint_is_refused(server):
    # contract: an update sent to /sparql is a 4xx and is never executed
    g = EX + "update-at-query-endpoint"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    resp = server.request("POST", "/sparql", body=form([("update", update)]), headers={"Content-Type": FORM},
                          token=TOKEN)
    assert_client_error(resp)
    resp = server.request("POST", "/sparql", body=update, headers={"Content-Type": "application/sparql-update"},
                          token=TOKEN)
    assert_client_error(resp)
    # an update in the query parameter is a syntax error, not an update
    resp = server.query_post(update, token=TOKEN)
    assert_client_error(resp)
    assert graph_is_empty(server, g)


# =========================================================================== authentication


def test_update_without_token_is_401(server):
    g = EX + "no-token"
    resp = server.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}", token=None)
    assert resp.status == 401, resp
    challenge = resp.header("WWW-Authenticate")
    assert challenge and challenge.lower().startswith("bearer"), resp
    resp = server.request("POST", "/sparql/update", headers={"Content-Type": FORM},
                          body=form([("update", f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 2 }} }}")]))
    assert resp.status == 401, resp
    assert graph_is_empty(server, g)


def test_update_with_wrong_token_is_403(server):
    g = EX + "wrong-token"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    resp = server.update(update, token=TOKEN + "x")
    assert resp.status == 403, resp
    resp = server.update(update, token=TOKEN[:-1])
    assert resp.status == 403, resp
    # the token in another scheme, or bare, is not a Bearer token
    resp = server.update(update, token=None, headers={"Authorization": f"Basic {TOKEN}"})
    assert resp.status in (401, 403), resp
    resp = server.update(update, token=None, headers={"Authorization": TOKEN})
    assert resp.status in (401, 403), resp
    assert graph_is_empty(server, g)


def test_queries_need_no_token(server):
    resp = server.query_get("ASK {}")
    assert resp.status == 200, resp


# =========================================================================== negotiation


def test_default_format_select_and_ask_is_json(server):
    for accept in (None, "*/*"):
        headers = {"Accept": accept} if accept else {}
        for query in ("SELECT (1 AS ?x) {}", "ASK {}"):
            resp = server.query_get(query, headers=headers)
            assert resp.status == 200, resp
            assert resp.media_type == RESULT_MEDIA["json"], resp
            resp.json()


def test_default_format_construct_and_describe_is_turtle(server):
    for accept in (None, "*/*"):
        headers = {"Accept": accept} if accept else {}
        for query in ("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}",
                      f"DESCRIBE <{DOC}>"):
            resp = server.query_get(query, headers=headers)
            assert resp.status == 200, resp
            assert resp.media_type == "text/turtle", resp
            assert len(parse_rdf(resp)) >= 1


@pytest.mark.parametrize("accept, expected", [
    ("application/sparql-results+json;q=0.5, application/sparql-results+xml;q=0.9", "xml"),
    ("text/csv;q=0.2, text/tab-separated-values;q=0.8, application/sparql-results+json;q=0.1", "tsv"),
    ("application/sparql-results+xml;q=0.1, text/csv", "csv"),
    ("text/html, application/sparql-results+json;q=0.5", "json"),
    ("application/sparql-results+json;q=0, application/sparql-results+xml;q=0.2", "xml"),
    ("text/*;q=0.5, application/sparql-results+json;q=0.4", None),  # csv or tsv
])
def test_negotiation_q_values_select(server, accept, expected):
    resp = server.query_get("SELECT (\"x\" AS ?v) {}", headers={"Accept": accept})
    assert resp.status == 200, resp
    if expected is None:
        assert resp.media_type in (RESULT_MEDIA["csv"], RESULT_MEDIA["tsv"]), resp
    else:
        assert resp.media_type == RESULT_MEDIA[expected], resp
    assert parse_table(resp)[1] == [{"v": "x"}]


@pytest.mark.parametrize("accept, expected", [
    ("application/n-triples;q=0.3, application/rdf+xml;q=0.8, text/turtle;q=0.5", "rdfxml"),
    ("application/ld+json, text/turtle;q=0.9", "jsonld"),
    ("text/html;q=1.0, application/n-triples;q=0.1", "ntriples"),
    ("text/turtle;q=0, application/n-quads;q=0.4", "nquads"),
])
def test_negotiation_q_values_construct(server, accept, expected):
    resp = server.query_get("CONSTRUCT { <http://example.org/s> <http://example.org/p> \"o\" } WHERE {}",
                            headers={"Accept": accept})
    assert resp.status == 200, resp
    assert resp.media_type == RDF_MEDIA[expected], resp
    assert set(parse_rdf(resp)) == {(rdflib.URIRef("http://example.org/s"), rdflib.URIRef("http://example.org/p"),
                                     rdflib.Literal("o"))}


SELECT_FOR_FORMATS = "SELECT ?v WHERE { VALUES ?v { \"Attaché\" <http://example.org/x> } } ORDER BY ?v"


@pytest.mark.parametrize("fmt", list(RESULT_MEDIA) + list(RESULT_MEDIA.values()))
def test_format_parameter_select(server, fmt):
    expected = RESULT_MEDIA.get(fmt, fmt)
    resp = server.query_get(SELECT_FOR_FORMATS, params=[("format", fmt)])
    assert resp.status == 200, resp
    assert resp.media_type == expected, resp
    variables, rows = parse_table(resp)
    assert variables == ["v"]
    assert sorted(r["v"] for r in rows) == sorted(["Attaché", "http://example.org/x"])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_format_parameter_ask(server, fmt):
    resp = server.query_post("ASK { FILTER(false) }", params=[("format", fmt)])
    assert resp.status == 200, resp
    assert resp.media_type == RESULT_MEDIA[fmt], resp
    assert parse_boolean(resp) is False


def test_format_parameter_in_form_post(server):
    resp = server.request("POST", "/sparql", headers={"Content-Type": FORM},
                          body=form([("query", "SELECT (1 AS ?v) {}"), ("format", "csv")]))
    assert resp.status == 200, resp
    assert resp.media_type == "text/csv", resp
    assert parse_table(resp)[1] == [{"v": "1"}]


CONSTRUCT_FOR_FORMATS = ("CONSTRUCT { <http://example.org/s> <http://example.org/p> ?o } "
                         "WHERE { VALUES ?o { 1 \"Attaché\" <http://example.org/o> } }")


@pytest.mark.parametrize("fmt", list(RDF_MEDIA) + list(RDF_MEDIA.values()))
def test_format_parameter_construct(server, fmt):
    expected = RDF_MEDIA.get(fmt, fmt)
    resp = server.query_get(CONSTRUCT_FOR_FORMATS, params=[("format", fmt)])
    assert resp.status == 200, resp
    assert resp.media_type == expected, resp
    s, p = rdflib.URIRef("http://example.org/s"), rdflib.URIRef("http://example.org/p")
    assert set(parse_rdf(resp)) == {(s, p, rdflib.Literal(1)), (s, p, rdflib.Literal("Attaché")),
                                    (s, p, rdflib.URIRef("http://example.org/o"))}


def test_format_parameter_describe(server, facts):
    resp = server.query_get(f"DESCRIBE <{DOC}>", params=[("format", "ntriples")])
    assert resp.status == 200, resp
    assert resp.media_type == "application/n-triples", resp
    assert (rdflib.URIRef(DOC), rdflib.URIRef(DCT + "title"), rdflib.Literal(facts.doc_title)) in parse_rdf(resp)


def test_not_acceptable_406(server):
    cases = [
        ("SELECT (1 AS ?x) {}", "image/png"),
        ("SELECT (1 AS ?x) {}", "text/turtle"),
        ("ASK {}", "application/rdf+xml"),
        ("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}", RESULT_MEDIA["json"]),
        (f"DESCRIBE <{DOC}>", "text/csv"),
        ("SELECT (1 AS ?x) {}", "application/sparql-results+json;q=0"),
    ]
    for query, accept in cases:
        resp = server.query_get(query, headers={"Accept": accept})
        assert resp.status == 406, resp


def test_charset_on_text_formats(server):
    for query, accept in [(SELECT_FOR_FORMATS, "text/csv"), (SELECT_FOR_FORMATS, "text/tab-separated-values"),
                          (CONSTRUCT_FOR_FORMATS, "text/turtle")]:
        resp = server.query_get(query, headers={"Accept": accept})
        assert resp.status == 200, resp
        assert resp.media_type == accept, resp
        assert resp.content_type_params.get("charset", "").lower() in ("utf-8", "utf8"), resp
        assert "Attaché" in resp.body.decode("utf-8")


def test_vary_accept_on_query_responses(server):
    answers = [
        server.query_get("SELECT (1 AS ?x) {}"),
        server.query_get("ASK {}", headers={"Accept": RESULT_MEDIA["xml"]}),
        server.query_get("SELECT (1 AS ?x) {}", params=[("format", "csv")]),
        server.query_post("SELECT (1 AS ?x) {}"),
        server.query_post("CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}"),
        server.request("POST", "/sparql", headers={"Content-Type": FORM}, body=form([("query", f"DESCRIBE <{DOC}>")])),
    ]
    for resp in answers:
        assert resp.status == 200, resp
        vary = header_tokens(resp, "Vary")
        assert "accept" in vary or "*" in vary, resp


# =========================================================================== ETag / 304


def test_etag_same_for_same_query(server):
    query = f"SELECT ?t WHERE {{ <{DOC}> <{DCT}title> ?t }}"
    first, second = server.query_get(query), server.query_get(query)
    assert first.status == second.status == 200, (first, second)
    assert first.header("ETag"), first
    assert first.header("ETag") == second.header("ETag")


def test_etag_differs_for_different_queries(server):
    a = server.query_get("SELECT (1 AS ?x) {}")
    b = server.query_get("SELECT (2 AS ?x) {}")
    assert a.header("ETag") and b.header("ETag"), (a, b)
    assert a.header("ETag") != b.header("ETag")


def test_if_none_match_304(server):
    query = f"SELECT ?t WHERE {{ <{DOC}> <{DCT}title> ?t }}"
    first = server.query_get(query)
    etag = first.header("ETag")
    assert first.status == 200 and etag, first
    again = server.query_get(query, headers={"If-None-Match": etag})
    assert again.status == 304, again
    assert again.body == b""
    other = server.query_get(query, headers={"If-None-Match": '"not-the-etag"'})
    assert other.status == 200, other
    assert parse_table(other)[1] == parse_table(first)[1]


def test_if_none_match_star(server):
    # If-None-Match: * matches any current representation (RFC 9110, 13.1.2)
    resp = server.query_get("SELECT (1 AS ?x) {}", headers={"If-None-Match": "*"})
    assert resp.status == 304, resp


def test_etag_differs_per_representation(server):
    # a 304 must never let a cache serve JSON to a client that asked for XML
    query = "SELECT (1 AS ?x) {}"
    as_json = server.query_get(query, params=[("format", "json")])
    as_xml = server.query_get(query, params=[("format", "xml")])
    assert as_json.header("ETag") and as_xml.header("ETag"), (as_json, as_xml)
    assert as_json.header("ETag") != as_xml.header("ETag")
    resp = server.query_get(query, headers={"Accept": RESULT_MEDIA["xml"], "If-None-Match": as_json.header("ETag")})
    assert resp.status == 200, resp
    assert resp.media_type == RESULT_MEDIA["xml"], resp


# =========================================================================== CORS


def test_cors_on_query_responses(server):
    origin = {"Origin": "http://elsewhere.example"}
    for resp in (server.query_get("ASK {}", headers=origin), server.query_post("ASK {}", headers=origin),
                 server.query_get("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", headers=origin)):
        assert resp.status == 200, resp
        assert resp.header("Access-Control-Allow-Origin") == "*", resp


def test_cors_preflight(server):
    resp = server.request("OPTIONS", "/sparql", headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Content-Type"})
    assert resp.status in (200, 204), resp
    assert resp.header("Access-Control-Allow-Origin") in ("*", "http://elsewhere.example"), resp
    methods = header_tokens(resp, "Access-Control-Allow-Methods")
    assert {"get", "post"} <= methods or "*" in methods, resp
    allowed = header_tokens(resp, "Access-Control-Allow-Headers")
    assert "content-type" in allowed or "*" in allowed, resp


# =========================================================================== service description


def service_description(srv: LiveServer, accept=None) -> tuple:
    resp = srv.get("/sparql", headers={"Accept": accept} if accept else {})
    assert resp.status == 200, resp
    graph = parse_rdf(resp)
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1, f"expected one sd:Service, found {services}: {resp!r}"
    return resp, graph, services[0]


def test_sd_returns_rdf(ro_server):
    # W3C service description: returns-rdf (Turtle by default)
    resp, graph, _ = service_description(ro_server)
    assert resp.media_type == "text/turtle", resp
    assert len(graph) > 0


def test_sd_has_endpoint_triple(ro_server, server):
    # W3C service description: has-endpoint-triple (sd:endpoint is the URL the description came from)
    for srv in (ro_server, server):
        _, graph, service = service_description(srv)
        endpoints = set(graph.objects(service, SD.endpoint))
        assert endpoints == {rdflib.URIRef(srv.base_url + "/sparql")}, endpoints


def test_sd_conforms_to_schema(ro_server):
    # W3C service description: conforms-to-schema (the terms are used with their domains and ranges)
    _, graph, service = service_description(ro_server)
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}, languages
    for prop in (SD.endpoint, SD.resultFormat, SD.feature, SD.inputFormat):
        for obj in graph.objects(service, prop):
            assert isinstance(obj, rdflib.URIRef), (prop, obj)
    datasets = list(graph.objects(service, SD.defaultDataset))
    assert len(datasets) == 1, datasets
    dataset = datasets[0]
    assert isinstance(dataset, (rdflib.URIRef, rdflib.BNode))
    default_graphs = list(graph.objects(dataset, SD.defaultGraph))
    assert len(default_graphs) == 1, default_graphs
    triples = list(graph.objects(default_graphs[0], VOID.triples))
    assert len(triples) == 1 and isinstance(triples[0], rdflib.Literal), triples
    assert triples[0].datatype == XSD.integer, triples[0]
    for named in graph.objects(dataset, SD.namedGraph):
        assert list(graph.objects(named, SD.name)), f"sd:NamedGraph {named} has no sd:name"


def test_sd_describes_the_service(ro_server, server, facts):
    # contract: query language (and update when writes are on), result formats, union default graph,
    # the default graph with its number of triples
    _, graph, service = service_description(ro_server)
    assert SD.SPARQL11Query in set(graph.objects(service, SD.supportedLanguage))
    assert SD.SPARQL11Update not in set(graph.objects(service, SD.supportedLanguage))
    formats = set(graph.objects(service, SD.resultFormat))
    assert {FORMATS.SPARQL_Results_JSON, FORMATS.SPARQL_Results_XML, FORMATS.SPARQL_Results_CSV,
            FORMATS.SPARQL_Results_TSV, FORMATS.Turtle} <= formats, formats
    assert SD.UnionDefaultGraph in set(graph.objects(service, SD.feature))
    dataset = graph.value(service, SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    assert int(graph.value(default_graph, VOID.triples)) == facts.union_triples
    _, graph, service = service_description(server)
    assert {SD.SPARQL11Query, SD.SPARQL11Update} <= set(graph.objects(service, SD.supportedLanguage))


@pytest.mark.parametrize("accept", ["application/rdf+xml", "application/ld+json"])
def test_sd_other_formats(ro_server, accept):
    _, turtle, _ = service_description(ro_server)
    resp, graph, _ = service_description(ro_server, accept=accept)
    assert resp.media_type == accept, resp
    assert isomorphic(graph, turtle), "the description differs between Turtle and " + accept


# =========================================================================== read-only server


def test_read_only_server_refuses_updates(ro_server, facts):
    g = EX + "read-only"
    update = f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> 1 }} }}"
    for token in (None, TOKEN, "anything"):
        resp = ro_server.update(update, token=token)
        assert resp.status in (403, 404), resp
    resp = ro_server.request("POST", "/sparql/update", headers={"Content-Type": FORM}, token=TOKEN,
                             body=form([("update", f"DROP GRAPH <{DOC_GRAPH}>")]))
    assert resp.status in (403, 404), resp
    assert graph_is_empty(ro_server, g)
    rows = ro_server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DOC_GRAPH}> {{ ?s ?p ?o }} }}")
    assert int(rows[0]["n"]) == facts.graph_sizes[DOC_GRAPH]


def test_read_only_server_refuses_graph_store_writes(ro_server, facts):
    g = EX + "read-only-gsp"
    turtle = f"<{EX}s> <{EX}p> 1 ."
    ttl = {"Content-Type": "text/turtle"}
    for method in ("PUT", "POST"):
        for token in (None, TOKEN):
            resp = ro_server.request(method, "/rdf-graph-store", params={"graph": g}, body=turtle, headers=ttl,
                                     token=token)
            assert resp.status in (403, 404), resp
    resp = ro_server.request("DELETE", "/rdf-graph-store", params={"graph": DOC_GRAPH}, token=TOKEN)
    assert resp.status in (403, 404), resp
    assert graph_is_empty(ro_server, g)
    rows = ro_server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DOC_GRAPH}> {{ ?s ?p ?o }} }}")
    assert int(rows[0]["n"]) == facts.graph_sizes[DOC_GRAPH]


# =========================================================================== limits


def test_request_too_large_413(server):
    # contract: a query over the configured size (default 1 MB) -> 413 (a URL that long may also be a 414)
    padding = " " * (2 * 1024 * 1024)
    resp = server.query_post("ASK {}" + padding)
    assert resp.status == 413, resp
    resp = server.request("POST", "/sparql", headers={"Content-Type": FORM},
                          body=form([("query", "ASK {}" + padding)]))
    assert resp.status == 413, resp
    resp = server.request("GET", "/sparql", params=[("query", "ASK {}" + " " * (1024 * 1024 + 10))])
    assert resp.status in (413, 414), resp
    # and the server goes on answering
    assert server.ask("ASK {}") is True


EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_timeout_while_another_client_is_served(ro_server, facts):
    # contract: a query longer than --timeout (2 s here) answers 503 (or 500) saying it timed out,
    # never a partial result; other queries are answered meanwhile and afterwards.
    outcome = {}

    def run_slow():
        try:
            outcome["resp"] = ro_server.query_get(EXPLOSIVE, timeout=120)
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc

    slow = threading.Thread(target=run_slow, daemon=True)
    slow.start()
    time.sleep(0.5)  # let the slow query reach the server
    served_meanwhile = []
    for _ in range(3):
        resp = ro_server.query_get(f"ASK {{ <{DOC}> a <{AKG}Document> }}", timeout=60)
        served_meanwhile.append(resp)
    slow.join(timeout=120)
    assert not slow.is_alive(), "the explosive query never came back (no timeout)"
    assert "error" not in outcome, outcome.get("error")
    resp = outcome["resp"]
    assert resp.status in (500, 503), resp
    assert re.search(r"time\s*d?\s*out|timeout", resp.text, re.IGNORECASE), resp
    assert '"bindings"' not in resp.text and "<results" not in resp.text, resp
    for other in served_meanwhile:
        assert other.status == 200, other
        assert parse_boolean(other) is True
    # and afterwards
    rows = ro_server.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]) == facts.union_triples
