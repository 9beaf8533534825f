"""Conformance of the live Graph Store endpoint (``/rdf-graph-store``) with the SPARQL 1.1
Graph Store HTTP Protocol, indirect graph identification (``?graph=IRI`` / ``?default``).

The tests follow the W3C cases of rdf-tests, sparql/sparql11/http-rdf-update/manifest.ttl and
sparql/sparql11/graph-store-protocol/manifest-indirect.ttl (each test names its cases in a
comment), written for this project: each test uses graphs of its own, with its own data, on a
server that has a write token and its own copy of the example store. Where the W3C cases allow
several statuses and the project's contract picks one (PUT: 201 created / 204 replaced,
DELETE: 204), the contract's is asserted.
"""
from __future__ import annotations

import pytest
import rdflib
from rdflib.compare import isomorphic

from live_server import (DOC, DOC_GRAPH, ENTITIES_GRAPH, RDF_MEDIA, LiveServer, encode_params,
                         parse_rdf, server_fixtures)

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(ConjunctiveGraph|default_context).*:DeprecationWarning")  # inside rdflib's parsers

TOKEN = "graph-store-test-token-41d7"
GSP = "/rdf-graph-store"
EX = "http://example.org/gsp/"
TURTLE = {"Content-Type": "text/turtle; charset=utf-8"}
PREFIXES = ("@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n"
            "@prefix vc: <http://www.w3.org/2006/vcard/ns#> .\n"
            "@prefix ex: <http://example.org/gsp/> .\n")


def person(iri: str, full_name: str) -> str:
    """Turtle: a person with a business card carrying a formatted name."""
    return PREFIXES + f"""
<{iri}> a foaf:Person ;
    foaf:businessCard [ a vc:VCard ; vc:fn "{full_name}" ] .
"""


def anonymous_person(given_name: str) -> str:
    return PREFIXES + f"""
[] a foaf:Person ;
   foaf:businessCard [ a vc:VCard ; vc:given-name "{given_name}" ] .
"""


def turtle_graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


# --------------------------------------------------------------------------- fixtures


built, facts, server, ro_server = server_fixtures("graph-store", TOKEN, ro_timeout=30)


def target(graph) -> str:
    """The request path for a graph IRI, or for the default graph when ``graph`` is None."""
    return f"{GSP}?default" if graph is None else f"{GSP}?{encode_params({'graph': graph})}"


def put(srv: LiveServer, graph, body, headers=TURTLE, token="__own__"):
    return srv.request("PUT", target(graph), body=body, headers=headers,
                       token=srv.write_token if token == "__own__" else token)


def post(srv: LiveServer, graph, body, headers=TURTLE, token="__own__"):
    return srv.request("POST", target(graph), body=body, headers=headers,
                       token=srv.write_token if token == "__own__" else token)


def get(srv: LiveServer, graph, accept="text/turtle"):
    return srv.request("GET", target(graph), headers={"Accept": accept} if accept else {})


def delete(srv: LiveServer, graph, token="__own__"):
    return srv.request("DELETE", target(graph), token=srv.write_token if token == "__own__" else token)


def assert_turtle_utf8(resp) -> None:
    assert resp.media_type == "text/turtle", resp
    assert resp.content_type_params.get("charset", "").lower() in ("utf-8", "utf8"), resp


def graph_exists(srv: LiveServer, graph: str) -> bool:
    return srv.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


# =========================================================================== PUT / GET


def test_put_initial_state_then_get(server):
    # W3C: put__initial_state, get_of_put__initial_state (put_get_repeat_indirect, first half)
    g = EX + "person/1.ttl"
    data = person(EX + "person/1", "John Doe")
    resp = put(server, g, data)
    assert resp.status == 201, resp
    resp = get(server, g)
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)
    assert isomorphic(parse_rdf(resp), turtle_graph(data))


def test_put_graph_already_in_store_then_get(server):
    # W3C: put__graph_already_in_store, get_of_put__graph_already_in_store -- PUT replaces
    g = EX + "person/replaced.ttl"
    assert put(server, g, person(EX + "person/1", "John Doe")).status == 201
    data = person(EX + "person/1", "Jane Doe")
    resp = put(server, g, data)
    assert resp.status == 204, resp
    assert resp.body == b""
    resp = get(server, g)
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)
    assert isomorphic(parse_rdf(resp), turtle_graph(data)), "PUT must replace the graph, not merge into it"


def test_put_default_graph_then_get(server, facts):
    # W3C: put__default_graph, get_of_put__default_graph (put_get_default)
    resp = put(server, None, anonymous_person("Alice"))
    assert resp.status in (200, 201, 204), resp
    resp = get(server, None)
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)
    ask = """PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX vc: <http://www.w3.org/2006/vcard/ns#>
             ASK { ?p a foaf:Person ; foaf:businessCard [ a vc:VCard ; vc:given-name "%s" ] }"""
    assert parse_rdf(resp).query(ask % "Alice").askAnswer
    # a second PUT replaces what the first put into the default graph ...
    resp = put(server, None, anonymous_person("Bob"))
    assert resp.status in (200, 201, 204), resp
    content = parse_rdf(get(server, None))
    assert content.query(ask % "Bob").askAnswer
    assert not content.query(ask % "Alice").askAnswer
    # ... and leaves the named graphs alone
    resp = get(server, DOC_GRAPH, accept="application/n-triples")
    assert resp.status == 200, resp
    assert len(parse_rdf(resp)) == facts.graph_sizes[DOC_GRAPH]


@pytest.mark.parametrize("media", ["application/n-triples", "application/rdf+xml", "application/ld+json"])
def test_put_in_other_rdf_syntaxes(server, media):
    g = EX + "syntax/" + media.split("/")[1]
    data = turtle_graph(person(EX + "person/syntax", "Sam Syntax") + f'<{EX}person/syntax> ex:note "ünïcödé" .')
    fmt = {"application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[media]
    body = data.serialize(format=fmt)
    resp = put(server, g, body, headers={"Content-Type": media})
    assert resp.status == 201, resp
    resp = get(server, g)
    assert resp.status == 200, resp
    assert isomorphic(parse_rdf(resp), data)


@pytest.mark.parametrize("accept", [RDF_MEDIA[k] for k in ("turtle", "ntriples", "jsonld", "rdfxml")])
def test_get_existing_graph_negotiated(server, facts, accept):
    # GET of a graph of the example store, in each graph syntax (the dataset syntaxes TriG and
    # N-Quads are not required for a single graph)
    resp = get(server, DOC_GRAPH, accept=accept)
    assert resp.status == 200, resp
    assert resp.media_type == accept, resp
    graph = parse_rdf(resp)
    assert len(graph) == facts.graph_sizes[DOC_GRAPH]
    assert (rdflib.URIRef(DOC), rdflib.RDF.type, None) in graph


def test_get_default_accept_is_turtle(server):
    resp = get(server, ENTITIES_GRAPH, accept=None)
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)
    resp = get(server, ENTITIES_GRAPH, accept="*/*")
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)


def test_get_nonexistent_graph_404(server):
    # W3C: get_of_delete__existing_graph (a graph that is not there)
    resp = get(server, EX + "never-created")
    assert resp.status == 404, resp


def test_reads_need_no_token(server):
    resp = server.request("GET", GSP, params={"graph": ENTITIES_GRAPH})
    assert resp.status == 200, resp


# =========================================================================== HEAD


def _split_raw(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def test_head_on_an_existing_graph(server):
    # W3C: head_on_an_existing_graph (head_existing_indirect)
    g = EX + "person/head.ttl"
    assert put(server, g, person(EX + "person/head", "Hedda Head")).status == 201
    resp = server.request("HEAD", GSP, params={"graph": g}, headers={"Accept": "text/turtle"})
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)
    full = get(server, g)
    assert resp.header("Content-Type") == full.header("Content-Type")
    if resp.header("Content-Length") is not None and full.header("Content-Length") is not None:
        assert resp.header("Content-Length") == full.header("Content-Length")
    # nothing follows the header of a HEAD answer on the wire
    status, headers, body = _split_raw(server.raw_request("HEAD", target(g), {"Accept": "text/turtle"}))
    assert status == 200
    assert headers.get("content-type", "").startswith("text/turtle")
    assert body == b"", f"HEAD answered with a body: {body[:200]!r}"


def test_head_on_a_nonexisting_graph(server):
    # W3C: head_on_a_nonexisting_graph (head_non_existing_indirect)
    resp = server.request("HEAD", GSP, params={"graph": EX + "person/4.ttl"}, headers={"Accept": "text/turtle"})
    assert resp.status == 404, resp


# =========================================================================== DELETE


def test_delete_existing_graph_then_get_then_delete_again(server):
    # W3C: delete__existing_graph, get_of_delete__existing_graph, delete__nonexistent_graph
    # (put_delete_get_delete_indirect)
    g = EX + "person/2.ttl"
    assert put(server, g, anonymous_person("Alice")).status == 201
    resp = delete(server, g)
    assert resp.status == 204, resp
    resp = get(server, g)
    assert resp.status == 404, resp
    assert not graph_exists(server, g)
    resp = delete(server, g)
    assert resp.status == 404, resp


# =========================================================================== POST


def test_post_existing_graph_then_get(server):
    # W3C: post__existing_graph, get_of_post__existing_graph -- POST merges
    g = EX + "person/merge.ttl"
    first = person(EX + "person/1", "Jane Doe")
    assert put(server, g, first).status == 201
    addition = PREFIXES + f'<{EX}person/1> foaf:name "Jane Doe" .'
    resp = post(server, g, addition)
    assert resp.status in (200, 204), resp
    resp = get(server, g)
    assert resp.status == 200, resp
    assert_turtle_utf8(resp)
    assert isomorphic(parse_rdf(resp), turtle_graph(first + addition.replace(PREFIXES, "")))


def _multipart(boundary: str, parts: list[tuple[str, str, str]]) -> bytes:
    chunks = []
    for name, media, text in parts:
        chunks.append(f"--{boundary}\r\n"
                      f'Content-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                      f"Content-Type: {media}\r\n\r\n{text}\r\n")
    chunks.append(f"--{boundary}--\r\n")
    return "".join(chunks).encode("utf-8")


def test_post_multipart_formdata_then_get(server):
    # W3C: post__multipart_formdata, get_of_post__multipart_formdata (post_get_post_get_indirect)
    g = EX + "person/multipart.ttl"
    first = person(EX + "person/1", "Jane Doe")
    resp = post(server, g, first)
    assert resp.status in (201, 204), resp
    family = PREFIXES + f'<{EX}person/1> foaf:familyName "Doe" .\n'
    given = f'<{EX}person/1> <http://xmlns.com/foaf/0.1/givenName> "Jane" .\n'
    boundary = "kg-test-5c1d0e"
    body = _multipart(boundary, [("family.ttl", "text/turtle; charset=utf-8", family),
                                 ("given.nt", "application/n-triples", given)])
    resp = post(server, g, body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.status in (200, 204), resp
    resp = get(server, g)
    assert resp.status == 200, resp
    expected = turtle_graph(first + family.replace(PREFIXES, "") + given)
    assert isomorphic(parse_rdf(resp), expected)


def test_post_create_new_graph_then_get(server):
    # W3C: post__create__new_graph, get_of_post__create__new_graph (with ?graph=, contract: 201 or 204)
    g = EX + "person/posted-new.ttl"
    data = anonymous_person("Alice")
    resp = post(server, g, data)
    assert resp.status in (201, 204), resp
    resp = get(server, g)
    assert resp.status == 200, resp
    assert isomorphic(parse_rdf(resp), turtle_graph(data))
    # get_of_post__after_noop: an empty POST changes nothing
    resp = post(server, g, PREFIXES)
    assert resp.status in (200, 204), resp
    assert isomorphic(parse_rdf(get(server, g)), turtle_graph(data))


# =========================================================================== graph IRIs


def test_graph_iri_percent_encoding(server):
    # W3C: put_get_uri_pct_encoded_indirect, put_get_uri_pct_encoded_twice -- the query string is
    # percent-decoded once: %31 is "1", %2531 is the three characters "%31"
    one, pct = EX + "pct/1.ttl", EX + "pct/%31.ttl"
    data_one = person(EX + "person/pct-1", "John Doe")
    data_pct = person(EX + "person/pct-2", "Jane Doe")
    resp = server.request("PUT", f"{GSP}?graph=http://example.org/gsp/pct/%31.ttl", body=data_one,
                          headers=TURTLE, token=TOKEN)
    assert resp.status == 201, resp
    resp = server.request("PUT", f"{GSP}?graph=http://example.org/gsp/pct/%2531.ttl", body=data_pct,
                          headers=TURTLE, token=TOKEN)
    assert resp.status == 201, resp
    for spelling, expected in [("http%3A%2F%2Fexample.org%2Fgsp%2Fpct%2F1.ttl", data_one),
                               ("http://example.org/gsp/pct/1.ttl", data_one),
                               ("http://example.org/gsp/pct/%31.ttl", data_one),
                               ("http://example.org/gsp/pct/%2531.ttl", data_pct)]:
        resp = server.request("GET", f"{GSP}?graph={spelling}", headers={"Accept": "text/turtle"})
        assert resp.status == 200, resp
        assert isomorphic(parse_rdf(resp), turtle_graph(expected)), spelling
    assert graph_exists(server, one) and graph_exists(server, pct)


def test_relative_graph_iri_400(server):
    # graph IRIs in the query string must be absolute
    g = "person/1.ttl"
    for method, body in [("PUT", person(EX + "person/rel", "R")), ("POST", person(EX + "person/rel", "R")),
                         ("GET", None), ("DELETE", None)]:
        resp = server.request(method, GSP, params={"graph": g}, body=body,
                              headers=TURTLE if body else {}, token=TOKEN)
        assert resp.status == 400, resp


def test_graph_and_default_together_400(server):
    for method, body in [("GET", None), ("PUT", anonymous_person("X")), ("DELETE", None)]:
        resp = server.request(method, target(EX + "both") + "&default", body=body,
                              headers=TURTLE if body else {}, token=TOKEN)
        assert resp.status == 400, resp
    assert not graph_exists(server, EX + "both")


def test_unsupported_media_type_415(server):
    g = EX + "unsupported"
    for media in ("application/x-not-rdf", "image/png", "application/sparql-update"):
        resp = put(server, g, f"<{EX}s> <{EX}p> <{EX}o> .", headers={"Content-Type": media})
        assert resp.status == 415, resp
        resp = post(server, g, f"<{EX}s> <{EX}p> <{EX}o> .", headers={"Content-Type": media})
        assert resp.status == 415, resp
    assert get(server, g).status == 404


def test_malformed_rdf_400(server):
    g = EX + "malformed"
    resp = put(server, g, "<http://example.org/s> <http://example.org/p> .")
    assert resp.status == 400, resp
    assert get(server, g).status == 404
    # a failed PUT leaves an existing graph as it was
    good = person(EX + "person/kept", "Kept")
    assert put(server, g, good).status == 201
    resp = put(server, g, PREFIXES + "ex:s ex:p")
    assert resp.status == 400, resp
    assert isomorphic(parse_rdf(get(server, g)), turtle_graph(good))


def test_graph_store_writes_are_seen_by_sparql(server):
    g = EX + "seen-by-sparql"
    assert put(server, g, person(EX + "person/seen", "Seen")).status == 201
    assert server.ask(f"ASK {{ GRAPH <{g}> {{ <{EX}person/seen> a <http://xmlns.com/foaf/0.1/Person> }} }}")
    assert server.ask(f"ASK {{ <{EX}person/seen> a <http://xmlns.com/foaf/0.1/Person> }}")  # union default graph
    assert delete(server, g).status == 204
    assert not graph_exists(server, g)


# =========================================================================== authorisation


def test_graph_store_writes_need_the_token(server):
    g = EX + "auth"
    data = person(EX + "person/auth", "Auth")
    for method in ("PUT", "POST"):
        resp = server.request(method, GSP, params={"graph": g}, body=data, headers=TURTLE)
        assert resp.status == 401, resp
        challenge = resp.header("WWW-Authenticate")
        assert challenge and challenge.lower().startswith("bearer"), resp
        resp = server.request(method, GSP, params={"graph": g}, body=data, headers=TURTLE, token=TOKEN + "-wrong")
        assert resp.status == 403, resp
    assert get(server, g).status == 404
    # DELETE of an existing graph without / with a wrong token
    assert put(server, g, data).status == 201
    assert server.request("DELETE", GSP, params={"graph": g}).status == 401
    assert server.request("DELETE", GSP, params={"graph": g}, token="nope").status == 403
    resp = get(server, g)
    assert resp.status == 200, resp
    assert isomorphic(parse_rdf(resp), turtle_graph(data))


def test_read_only_server_refuses_graph_store_writes(ro_server, facts):
    g = EX + "read-only"
    data = person(EX + "person/ro", "Read Only")
    for method in ("PUT", "POST"):
        for token in (None, TOKEN, "whatever"):
            resp = ro_server.request(method, GSP, params={"graph": g}, body=data, headers=TURTLE, token=token)
            assert resp.status in (403, 404), resp
    resp = ro_server.request("PUT", target(None), body=data, headers=TURTLE, token=TOKEN)
    assert resp.status in (403, 404), resp
    resp = ro_server.request("DELETE", GSP, params={"graph": DOC_GRAPH}, token=TOKEN)
    assert resp.status in (403, 404), resp
    assert get(ro_server, g).status == 404
    resp = get(ro_server, DOC_GRAPH, accept="application/n-triples")
    assert resp.status == 200, resp
    assert len(parse_rdf(resp)) == facts.graph_sizes[DOC_GRAPH]
