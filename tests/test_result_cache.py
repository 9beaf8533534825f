"""The query result cache: a repeated query is answered from memory, never with an answer the graph has outgrown."""
from __future__ import annotations

import json
import urllib.parse

import pytest

from kg.build import build
from server import create_app

from conftest import EXAMPLES, render_doc

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def _count(client) -> int:
    response = client.get("/sparql?query=" + urllib.parse.quote(COUNT), headers=JSON)
    assert response.status_code == 200
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture()
def built(tmp_path):
    build([EXAMPLES], tmp_path / "store")
    return tmp_path / "store"


def test_a_repeated_query_is_answered_from_the_cache(built):
    app = create_app(str(built), workers=1)
    pool = app.extensions["kg_state"].pool
    client = app.test_client()
    first = _count(client)
    hits = pool.hits
    assert _count(client) == first
    assert pool.hits == hits + 1
    # another format of the same query is another answer
    csv = client.get("/sparql?query=" + urllib.parse.quote(COUNT), headers={"Accept": "text/csv"})
    assert csv.status_code == 200 and csv.data.decode().splitlines()[1] == str(first)
    assert pool.hits == hits + 1


def test_a_write_is_seen_by_the_next_query(built):
    app = create_app(str(built), workers=1, write_token="secret")
    client = app.test_client()
    before = _count(client)
    response = client.post("/sparql/update", data={"update": "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"},
                           headers={"Authorization": "Bearer secret"})
    assert response.status_code in (200, 204)
    assert _count(client) == before + 1


def test_a_new_build_is_seen_by_the_next_query(built, tmp_path):
    app = create_app(str(built), workers=1)
    client = app.test_client()
    before = _count(client)
    docs = tmp_path / "more"
    docs.mkdir()
    (docs / "extra.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Petrenko",
                                               body="5 March 1961\n\nI received Comrade Pavel Petrenko.\n"),
                                    encoding="utf-8")
    build([EXAMPLES, docs], built)
    assert _count(client) > before


def test_the_cache_can_be_turned_off(built):
    app = create_app(str(built), workers=1, cache_mb=0)
    pool = app.extensions["kg_state"].pool
    client = app.test_client()
    _count(client)
    _count(client)
    assert pool.hits == 0 and pool.misses == 0


def test_search_sees_a_new_build(built, tmp_path):
    app = create_app(str(built), workers=1)
    client = app.test_client()
    assert json.loads(client.get("/api/suggest?q=Petrenk").data) == []
    docs = tmp_path / "more"
    docs.mkdir()
    (docs / "extra.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Petrenko",
                                               body="5 March 1961\n\nI received Comrade Pavel Petrenko.\n"),
                                    encoding="utf-8")
    build([EXAMPLES, docs], built)
    labels = [hit["label"] for hit in json.loads(client.get("/api/suggest?q=Petrenk").data)]
    assert "Pavel Petrenko" in labels


def test_queries_whose_answer_changes_each_time_are_not_cached(built):
    app = create_app(str(built), workers=1)
    pool = app.extensions["kg_state"].pool
    client = app.test_client()
    query = urllib.parse.quote("SELECT (STRUUID() AS ?u) WHERE {}")
    first = client.get("/sparql?query=" + query, headers=JSON).data
    second = client.get("/sparql?query=" + query, headers=JSON).data
    assert first != second and pool.hits == 0


def test_a_request_finds_the_graph_being_served_once(built, monkeypatch):
    """The ETag and the cached answer of one request come from one reading of the graph's generation (a build
    that swaps in between must not give an old answer a new ETag), and a page does not resolve the store's
    link for each of its links and queries."""
    from server.state import AppState

    app = create_app(str(built), workers=1)
    client = app.test_client()
    calls = []
    real = AppState._generation
    monkeypatch.setattr(AppState, "_generation", lambda self: calls.append(1) or real(self))
    assert _count(client) > 0
    assert len(calls) == 1
    calls.clear()
    assert client.get("/id/document/116026", headers={"Accept": "text/html"}).status_code == 200
    assert len(calls) == 1
