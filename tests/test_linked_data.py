"""Dereferencing, content negotiation and the explorer pages, with the Flask test client."""
from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from html import unescape as html_unescape

import pytest
import rdflib

from kg.build import build
from server import create_app

from conftest import EXAMPLES, render_doc

BASE = "http://localhost:5000/"
ENTITIES = {
    "document": "/id/document/116026",
    "person": "/id/person/kim-il-sung",
    "organization": "/id/organization/kpa",
    "place": "/id/place/pyongyang",
    "meeting": "/id/meeting/116026-1958-05-27",
    "topic": "/id/topic/arms-supply",
    "topic scheme": "/id/topic/",
    "document type": "/id/doctype/journal",
    "archival reference": "/id/document/116026/reference",
}
RDF = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
       "application/rdf+xml": "xml"}
SUFFIX = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("ld")
    docs = root / "docs"
    docs.mkdir()
    (docs / "116026.txt").write_text((EXAMPLES / "116026.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "hostile.txt").write_text(render_doc(
        title=f"Memorandum of Conversation with Ambassador Ivan {HOSTILE} Petrov",
        body=f"3 March 1961\n\nI received Ambassador Ivan Petrov. Petrov said: {HOSTILE} and <b>bold</b> words.\n"),
        encoding="utf-8")
    report = build([docs], root / "store")
    assert report.ok
    app = create_app(str(root / "store"), workers=1)
    yield app.test_client()
    app.extensions["kg_state"].pool.close()


def graph_of(response, fmt):
    return rdflib.Graph().parse(data=response.get_data(as_text=True), format=fmt)


@pytest.mark.parametrize("kind", list(ENTITIES))
@pytest.mark.parametrize("mime", list(RDF))
def test_every_kind_of_uri_in_every_rdf_format(client, kind, mime):
    path = ENTITIES[kind]
    response = client.get(path, headers={"Accept": mime})
    assert response.status_code == 200, (kind, response.data[:200])
    assert response.mimetype == mime
    assert "Accept" in response.headers.get("Vary", "")
    graph = graph_of(response, RDF[mime])
    subject = rdflib.URIRef(BASE + path.lstrip("/"))
    assert (subject, None, None) in graph


@pytest.mark.parametrize("suffix", list(SUFFIX))
def test_suffixes_give_copyable_data_links(client, suffix):
    response = client.get(ENTITIES["person"] + suffix, headers={"Accept": "text/html"})
    assert response.status_code == 200
    graph = graph_of(response, SUFFIX[suffix])
    assert (rdflib.URIRef(BASE + "id/person/kim-il-sung"), rdflib.URIRef("https://schema.org/name"),
            rdflib.Literal("Kim Il Sung")) in graph


def test_format_parameter_and_quality_values(client):
    assert client.get(ENTITIES["place"] + "?format=ttl").mimetype == "text/turtle"
    assert client.get(ENTITIES["place"] + "?format=jsonld").mimetype == "application/ld+json"
    response = client.get(ENTITIES["place"], headers={"Accept": "text/html;q=0.5, text/turtle;q=0.9"})
    assert response.mimetype == "text/turtle"
    response = client.get(ENTITIES["place"], headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    assert client.get(ENTITIES["place"], headers={"Accept": "image/png"}).status_code == 406


def test_description_includes_labels_of_what_it_links_to(client):
    graph = graph_of(client.get(ENTITIES["meeting"], headers={"Accept": "text/turtle"}), "turtle")
    attendees = set(graph.objects(rdflib.URIRef(BASE + "id/meeting/116026-1958-05-27"), rdflib.URIRef("https://schema.org/attendee")))
    assert attendees
    for person in attendees:
        assert any(True for _ in graph.objects(person, rdflib.RDFS.label)) or \
            any(True for _ in graph.objects(person, rdflib.URIRef("https://schema.org/name")))


def test_html_page_has_canonical_alternates_and_jsonld(client):
    response = client.get(ENTITIES["person"], headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert f'<link rel="canonical" href="{BASE}id/person/kim-il-sung">' in html
    assert 'type="text/turtle"' in response.headers["Link"] and 'rel="alternate"' in response.headers["Link"]
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert data["@id"] == BASE + "id/person/kim-il-sung" and data["name"] == "Kim Il Sung"


def test_unknown_uri_is_404_without_a_stack_trace(client):
    response = client.get("/id/person/nobody-at-all", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_document_page_highlights_mentions_and_links_entities(client):
    html = client.get(ENTITIES["document"], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'class="mention person"' in html and 'href="/id/person/kim-il-sung"' in html
    assert "TOP SECRET" in html and "AVPRF" in html and "1958-05-27" in html
    assert 'href="/id/meeting/116026-1958-05-27"' in html


def test_person_page_timeline_network_and_evidence(client):
    html = client.get(ENTITIES["person"], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'class="timeline"' in html and "1958-05-27" in html
    assert "<svg class=\"network\"" in html and "Nam Il" in html
    assert f'data-doc="{BASE}id/document/116026"' in html  # evidence is fetched when a reader opens it
    quotes = client.get("/api/evidence", query_string={"iri": BASE + "id/person/kim-il-sung",
                                                       "doc": BASE + "id/document/116026"}).get_json()
    assert quotes and all(q["href"].startswith("/id/document/116026#m") for q in quotes)
    assert {q["exact"] for q in quotes} >= {"Kim Il Sung"}
    assert all(re.fullmatch(r"/id/document/116026/passage/\d+-\d+", q["passage"]) for q in quotes)
    assert client.get("/api/evidence", query_string={"iri": 'x" } UNION {', "doc": "y"}).status_code == 400


def _shared_passage(client) -> dict:
    """A passage of the founding document that two annotations quote, with what the store says of it."""
    query = """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?t ?exact ?start ?end (COUNT(DISTINCT ?a) AS ?n) (SAMPLE(?a) AS ?one) WHERE {
        ?a oa:hasTarget ?t . ?t oa:hasSelector ?q, ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }
        GROUP BY ?t ?exact ?start ?end HAVING (COUNT(DISTINCT ?a) > 1) ORDER BY ?t LIMIT 1"""
    (row,) = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"}).get_json()["results"]["bindings"]
    return {k: v["value"] for k, v in row.items()}


def test_passage_page_shows_the_quote_in_context_and_what_it_is_evidence_for(client):
    passage = _shared_passage(client)
    path = passage["t"][len(BASE) - 1:]
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Quoted passage" in html
    assert f"<mark>{passage['exact']}</mark>" in html
    assert f'href="/id/document/116026#m{passage["start"]}-{passage["end"]}"' in html
    rows = re.findall(r'<tr( class="current")?>\s*<td><a href="([^"]+)"', html)
    assert len(rows) == int(passage["n"]) and not any(current for current, _ in rows)
    # the data behind the page: the passage, its document and both selectors
    graph = graph_of(client.get(path, headers={"Accept": "text/turtle"}), "turtle")
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    subject = rdflib.URIRef(passage["t"])
    assert graph.value(subject, oa.hasSource) == rdflib.URIRef(BASE + "id/document/116026")
    assert set(graph.objects(subject, oa.hasSelector)) == {rdflib.URIRef(passage["t"] + "/quote"),
                                                            rdflib.URIRef(passage["t"] + "/position")}


def test_evidence_links_are_named_by_their_quotes(client):
    html = client.get(ENTITIES["document"], headers={"Accept": "text/html"}).get_data(as_text=True)
    incoming = html[html.index('class="incoming"'):]
    # passages (oa:hasSource) and topic annotations (oa:hasScope) link here: each is shown by what it quotes
    passages = re.findall(r'href="/id/document/116026/passage/(\d+)-(\d+)">“([^”<]+)”</a>', incoming)
    annotations = re.findall(r'href="/id/annotation/116026-[0-9a-f]+">“([^”<]+)”</a>', incoming)
    assert passages and annotations
    text = client.get("/sparql", query_string={"query": "SELECT ?t WHERE { <%sid/document/116026> "
                                               "<https://w3id.org/archive-kg/ontology#bodyText> ?t }" % BASE},
                      headers={"Accept": "application/sparql-results+json"}).get_json()["results"]["bindings"][0]["t"]["value"]
    for start, end, quote in passages:
        assert html_unescape(quote) == text[int(start):int(end)]


def test_annotation_page_marks_itself_among_the_passage_evidence(client):
    passage = _shared_passage(client)
    html = client.get(passage["one"][len(BASE) - 1:], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Evidence annotation" in html and f"<mark>{passage['exact']}</mark>" in html
    assert html.count('<tr class="current">') == 1 and "this one" in html
    assert f'href="{passage["t"][len(BASE) - 1:]}"' in html  # to the passage on its own


def test_document_text_and_names_are_escaped(client):
    page = client.get("/id/document/hostile", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert HOSTILE not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;" in page
    search = client.get("/search", query_string={"q": "Petrov"}).get_data(as_text=True)
    assert HOSTILE not in search


def test_void_lists_real_resources(client):
    graph = graph_of(client.get("/.well-known/void", headers={"Accept": "text/turtle"}), "turtle")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    (dataset,) = set(graph.subjects(rdflib.RDF.type, void.Dataset))
    assert int(next(graph.objects(dataset, void.triples))) > 1000
    assert str(next(graph.objects(dataset, void.sparqlEndpoint))).endswith("/sparql")
    examples = list(graph.objects(dataset, void.exampleResource))
    assert examples
    for example in examples:
        path = str(example)[len(BASE) - 1:]
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200
    dump = str(next(graph.objects(dataset, void.dataDump)))
    body = client.get(dump[dump.index("/dumps/"):]).data
    ds = rdflib.Dataset()
    ds.parse(data=gzip.decompress(body).decode("utf-8"), format="nquads")
    assert len(ds) > 1000 or sum(len(g) for g in ds.graphs()) > 1000


def test_sitemap_lists_entity_pages_that_answer(client):
    root = ET.fromstring(client.get("/sitemap.xml").data)
    locations = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert BASE + "id/document/116026" in locations and BASE + "id/person/kim-il-sung" in locations
    for loc in locations[:25]:
        assert client.get(loc[len(BASE) - 1:], headers={"Accept": "text/html"}).status_code == 200


def test_ontology_is_documented_and_served_as_turtle(client):
    html = client.get("/ontology", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "akg:Meeting" in html and "akg:securityClassification" in html
    graph = graph_of(client.get("/ontology", headers={"Accept": "text/turtle"}), "turtle")
    assert (rdflib.URIRef("https://w3id.org/archive-kg/ontology#Meeting"), rdflib.RDF.type, rdflib.OWL.Class) in graph


def test_search_and_autocomplete(client):
    suggestions = client.get("/api/suggest", query_string={"q": "kim il"}).get_json()
    assert suggestions[0]["label"] == "Kim Il Sung" or "Kim Il Sung" in [s["label"] for s in suggestions]
    assert all(s["href"].startswith("/id/") for s in suggestions)
    html = client.get("/search", query_string={"q": "Kim Kwang Hyop"}).get_data(as_text=True)
    assert "Kim Gwang-hyeop" in html  # found by an alternate name
    html = client.get("/search", query_string={"q": "gas masks"}).get_data(as_text=True)
    assert "/id/document/116026" in html and "<mark>" in html


@pytest.mark.parametrize("q", ['"', "}", "a OR b", "NEAR(", "*", "kim\" } UNION { ?s ?p ?o", "\n"])
def test_search_survives_hostile_input(client, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert client.get("/api/suggest", query_string={"q": q}).status_code == 200


def test_browse_facets_count_and_filter(client):
    html = client.get("/browse").get_data(as_text=True)
    assert "2 documents" in html
    html = client.get("/browse", query_string={"type": "journal"}).get_data(as_text=True)
    assert "1 document" in html and "Journal of Soviet Ambassador" in html


def test_query_page_has_examples_and_the_endpoint(client):
    html = client.get("/query").get_data(as_text=True)
    assert "People Kim Il Sung met" in html and "Meetings per year" in html and 'action="/sparql"' in html


def test_incoming_links_are_grouped_with_counts(client):
    html = client.get(ENTITIES["person"], headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "What links here" in html and "schema:attendee" in html and "schema:mentions" in html


@pytest.mark.parametrize("segment", ['x" } UNION { ?s ?p ?o', "x%3E%20%7D", "a\nb", "%00", "}", "<script>", "..%2F..%2Fetc%2Fpasswd"])
def test_hostile_path_segments_never_reach_sparql(client, segment):
    response = client.get("/id/person/" + segment, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_the_dump_is_one_gzip_stream_that_can_be_resumed(client):
    whole = client.get("/dumps/archive-kg.nq.gz")
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    body, etag = whole.data, whole.headers["ETag"]
    assert int(whole.headers["Content-Length"]) == len(body)
    head = client.head("/dumps/archive-kg.nq.gz")
    assert head.status_code == 200 and head.data == b"" and head.headers["Content-Length"] == str(len(body))
    # a download cut short resumes where it stopped, as long as the dump is the same one
    part = client.get("/dumps/archive-kg.nq.gz", headers={"Range": f"bytes={len(body) // 3}-", "If-Range": etag})
    assert part.status_code == 206 and part.data == body[len(body) // 3:]
    assert part.headers["Content-Range"] == f"bytes {len(body) // 3}-{len(body) - 1}/{len(body)}"
    middle = client.get("/dumps/archive-kg.nq.gz", headers={"Range": "bytes=100-199"})
    assert middle.status_code == 206 and middle.data == body[100:200]
    stale = client.get("/dumps/archive-kg.nq.gz", headers={"Range": "bytes=100-", "If-Range": '"another-build"'})
    assert stale.status_code == 200 and stale.data == body
    assert client.get("/dumps/archive-kg.nq.gz", headers={"Range": f"bytes={len(body) + 10}-"}).status_code == 416
    assert client.get("/dumps/archive-kg.nq.gz", headers={"If-None-Match": etag}).status_code == 304
    # the parts, laid end to end in the order the page lists them, are the whole dump
    page = client.get("/dumps/").get_data(as_text=True)
    parts = re.findall(r'href="/dumps/parts/([^"]+)"', page)
    assert parts and b"".join(client.get(f"/dumps/parts/{name}").data for name in parts) == body
    assert client.get("/dumps/parts/parts.json").status_code == 404
    assert client.get("/dumps/parts/..%2Fparts.json").status_code == 404


@pytest.mark.parametrize("path", ["/static/../../../../etc/passwd", "/static/..%2F..%2Fkg%2Fcli.py", "/dumps/../manifest.json",
                                  "/dumps/..%2Fmanifest.json", "/dumps/archive-kg.nq.gz/../../base-uri",
                                  "/dumps/parts/../../manifest.json", "/dumps/parts/..%2F..%2Fmanifest.json"])
def test_path_traversal_fails(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert b"root:" not in response.data and b"doc_id" not in response.data
