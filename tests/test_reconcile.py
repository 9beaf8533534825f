"""The W3C Entity Reconciliation API at /reconcile (the protocol OpenRefine speaks, version 0.2).

Runs against the example graph built from ``examples/`` with the real pipeline, through the
Flask test client (no live server).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO_ROOT

BASE = "http://localhost:5000/"
PERSON = "https://schema.org/Person"
ORGANIZATION = "https://schema.org/Organization"
PLACE = "https://schema.org/Place"
KIM_IL_SUNG = BASE + "id/person/kim-il-sung"
KIM_GWANG_HYEOP = BASE + "id/person/kim-gwang-hyeop"
DYAKONOV = BASE + "id/person/a-a-dyakonov"
PUZANOV = BASE + "id/person/alexander-puzanov"
PYONGYANG = BASE + "id/place/pyongyang"
KPA = BASE + "id/organization/kpa"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from kg.build import build
    from server import create_app

    store = tmp_path_factory.mktemp("reconcile") / "store"
    previous = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        report = build([Path(EXAMPLES.name)], store)
    finally:
        os.chdir(previous)
    assert report.ok and report.built
    app = create_app(str(store), workers=1)
    yield app
    app.extensions["kg_state"].pool.close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def ask(client, queries: dict, method: str = "GET"):
    payload = {"queries": json.dumps(queries)}
    if method == "GET":
        response = client.get("/reconcile", query_string=payload)
    else:
        response = client.post("/reconcile", data=payload)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    return response.get_json()


def one(client, query: str, **options) -> list[dict]:
    return ask(client, {"q0": {"query": query, **options}})["q0"]["result"]


# --------------------------------------------------------------------------- the graph itself


def test_example_graph_has_the_entities_the_tests_use(app):
    """A quick look at the store, so a change in the example data shows up here and not as odd failures."""
    from server.state import iri

    with app.app_context():
        state = app.extensions["kg_state"]
        rows = state.select("SELECT ?name ?alt WHERE { ?e schema:name ?name OPTIONAL { ?e schema:alternateName ?alt } }",
                            e=iri(KIM_GWANG_HYEOP))
        assert {r["name"]["value"] for r in rows} == {"Kim Gwang-hyeop"}
        assert {r["alt"]["value"] for r in rows} == {"Kim Kwang Hyop"}
        rows = state.select("SELECT ?e WHERE { ?e a ?t ; schema:name ?name }", t=iri(PERSON), name="A. A. D'yakonov")
        assert [r["e"]["value"] for r in rows] == [DYAKONOV]
        rows = state.select("SELECT ?alt WHERE { ?e schema:alternateName ?alt }", e=iri(PUZANOV))
        assert [r["alt"]["value"] for r in rows] == ["A. M. Puzanov"]
        for entity, kind in [(KIM_IL_SUNG, PERSON), (PYONGYANG, PLACE), (KPA, ORGANIZATION),
                             (BASE + "id/place/moscow", PLACE), (BASE + "id/person/nam-il", PERSON)]:
            assert state.ask("ASK { ?e a ?t }", e=iri(entity), t=iri(kind)), entity


# --------------------------------------------------------------------------- manifest


def test_manifest(client):
    response = client.get("/reconcile")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    m = response.get_json()
    assert m["versions"] == ["0.2"]
    assert m["name"] == "archive-kg reconciliation"
    assert m["identifierSpace"] == BASE + "id/"
    assert m["schemaSpace"] == "https://w3id.org/archive-kg/ontology#"
    assert m["defaultTypes"] == [{"id": PERSON, "name": "Person"}, {"id": ORGANIZATION, "name": "Organization"},
                                 {"id": PLACE, "name": "Place"}]
    assert m["view"] == {"url": "{{id}}"}
    assert m["preview"]["url"].endswith("/reconcile/preview?id={{id}}")
    assert (m["preview"]["width"], m["preview"]["height"]) == (400, 100)
    entity = m["suggest"]["entity"]
    assert entity["service_url"].endswith("/reconcile") and entity["service_path"] == "/suggest/entity"
    assert "${id}" in entity["flyout_service_path"]


def test_manifest_jsonp(client):
    response = client.get("/reconcile", query_string={"callback": "jQuery12_34.cb$"})
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    body = response.data.decode()
    m = re.fullmatch(r"/\*\*/jQuery12_34\.cb\$\((.*)\);", body, re.S)
    assert m, body[:200]
    assert json.loads(m.group(1))["versions"] == ["0.2"]


@pytest.mark.parametrize("callback", ["alert(1)//", "a b", "1abc", "<script>", "x;y", "a" * 200])
def test_jsonp_callback_must_be_an_identifier(client, callback):
    response = client.get("/reconcile", query_string={"callback": callback})
    assert response.status_code == 400
    assert response.mimetype == "application/json"  # never run as script
    assert "callback" in response.get_json()["error"]


def test_options_preflight(client):
    response = client.options("/reconcile")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


# --------------------------------------------------------------------------- matching


def test_exact_match_folds_case(client):
    result = one(client, "KIM IL SUNG")
    top = result[0]
    assert top["id"] == KIM_IL_SUNG
    assert top["name"] == "Kim Il Sung"
    assert top["score"] == 100
    assert top["match"] is True
    assert top["type"] == [{"id": PERSON, "name": "Person"}]
    assert isinstance(top["description"], str)
    assert all(c["score"] < 100 and c["match"] is False for c in result[1:])


def test_alternate_name_matches_exactly(client):
    top = one(client, "Kim Kwang Hyop")[0]
    assert top["id"] == KIM_GWANG_HYEOP
    assert top["name"] == "Kim Gwang-hyeop"  # the preferred name, not the form that matched
    assert (top["score"], top["match"]) == (100, True)


def test_transliteration_is_folded(client):
    result = one(client, "Dyakonov")
    assert result[0]["id"] == DYAKONOV
    assert result[0]["name"] == "A. A. D'yakonov"
    assert 50 <= result[0]["score"] < 100 and result[0]["match"] is False
    assert one(client, "A. A. Dyakonov")[0]["score"] == 100


def test_initials_against_full_given_names(client):
    result = one(client, "A. Puzanov")
    top = result[0]
    assert top["id"] == PUZANOV
    assert 80 <= top["score"] < 100
    assert top["match"] is False
    assert "Ambassador" in top["description"]


def test_title_is_ignored(client):
    top = one(client, "Comrade Nam Il")[0]
    assert top["id"] == BASE + "id/person/nam-il" and top["score"] == 100


def test_bare_family_name_is_ambiguous(client):
    result = one(client, "Kim", type=PERSON)
    ids = [c["id"] for c in result]
    assert set(ids) == {KIM_IL_SUNG, KIM_GWANG_HYEOP}
    assert all(c["match"] is False and c["score"] < 100 for c in result)


def test_organization_and_place_names(client):
    top = one(client, "korean peoples army")[0]
    assert (top["id"], top["score"], top["match"]) == (KPA, 100, True)
    assert top["type"] == [{"id": ORGANIZATION, "name": "Organization"}]
    assert one(client, "KPA")[0]["id"] == KPA
    top = one(client, "Pyongyang", type=PLACE)[0]
    assert (top["id"], top["match"]) == (PYONGYANG, True)
    near = one(client, "Pyong Yang")[0]  # a spelling variant: similar, not exact
    assert near["id"] == PYONGYANG and 50 <= near["score"] < 100 and near["match"] is False


def test_results_are_sorted_by_score(client):
    for query in ["Kim Il", "Soviet", "Korea", "Puzanov"]:
        scores = [c["score"] for c in one(client, query, limit=20)]
        assert scores == sorted(scores, reverse=True), query
        assert all(0 <= s <= 100 for s in scores)


# --------------------------------------------------------------------------- type, limit, batches


def test_type_filter(client):
    assert all(c["score"] < 100 and not c["match"] for c in one(client, "Pyongyang", type=PERSON))
    assert all(c["type"][0]["id"] == PERSON for c in one(client, "Pyongyang", type=PERSON, limit=20))
    assert one(client, "Moscow", type=PLACE)[0]["id"] == BASE + "id/place/moscow"
    assert all(c["score"] < 100 for c in one(client, "Moscow", type=ORGANIZATION))
    # short forms of the type and a list of types are understood; an unknown type matches nothing
    assert one(client, "Pyongyang", type="Place")[0]["id"] == PYONGYANG
    assert one(client, "Pyongyang", type=[PERSON, PLACE])[0]["id"] == PYONGYANG
    assert one(client, "Pyongyang", type="http://example.org/Unknown") == []


def test_without_type_all_three_types_are_searched(client):
    kinds = {c["type"][0]["id"] for q in ["Kim Il Sung", "Korean People's Army", "Moscow"] for c in one(client, q)[:1]}
    assert kinds == {PERSON, ORGANIZATION, PLACE}


def test_limit(client):
    assert len(one(client, "Soviet", limit=20)) > 1
    assert len(one(client, "Soviet", limit=1)) == 1
    assert len(one(client, "Kim", limit=1)) == 1
    assert one(client, "Kim", limit=0) == []
    assert len(one(client, "a", limit=3)) <= 3
    response = client.get("/reconcile", query_string={"queries": json.dumps({"q0": {"query": "x", "limit": "many"}})})
    assert response.status_code == 400 and "limit" in response.get_json()["error"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_several_queries_in_one_request(client, method):
    answer = ask(client, {
        "q0": {"query": "KIM IL SUNG", "type": PERSON},
        "q1": {"query": "Pyongyang"},
        "q2": {"query": "Korean People's Army", "type": ORGANIZATION, "limit": 1},
        "q3": {"query": "zzzzqqqq"},
    }, method)
    assert set(answer) == {"q0", "q1", "q2", "q3"}
    assert answer["q0"]["result"][0]["id"] == KIM_IL_SUNG
    assert answer["q1"]["result"][0]["id"] == PYONGYANG
    assert [c["id"] for c in answer["q2"]["result"]] == [KPA]
    assert answer["q3"] == {"result": []}


def test_post_form_with_jsonp(client):
    response = client.post("/reconcile", data={"queries": json.dumps({"q0": {"query": "Nam Il"}}), "callback": "cb"})
    assert response.status_code == 200 and response.mimetype == "application/javascript"
    body = response.data.decode()
    assert body.startswith("/**/cb(") and body.endswith(");")
    assert json.loads(body[len("/**/cb("):-2])["q0"]["result"][0]["id"] == BASE + "id/person/nam-il"


def test_get_queries_with_jsonp(client):
    response = client.get("/reconcile", query_string={"queries": json.dumps({"q0": {"query": "Moscow"}}),
                                                      "callback": "cb"})
    assert response.status_code == 200
    assert json.loads(response.data.decode()[len("/**/cb("):-2])["q0"]["result"][0]["id"] == BASE + "id/place/moscow"


def test_json_body(client):
    response = client.post("/reconcile", json={"queries": {"q0": {"query": "Kim Il Sung"}}})
    assert response.status_code == 200
    assert response.get_json()["q0"]["result"][0]["id"] == KIM_IL_SUNG
    response = client.post("/reconcile", json={"q7": {"query": "Moscow"}})  # the batch itself as the body
    assert response.get_json()["q7"]["result"][0]["id"] == BASE + "id/place/moscow"
    # the newer draft: a list of queries in, a list of candidate lists out, in order
    response = client.post("/reconcile", json={"queries": [{"query": "Nam Il"}, {"query": "Pyongyang", "type": PLACE}]})
    results = response.get_json()["results"]
    assert [r["candidates"][0]["id"] for r in results] == [BASE + "id/person/nam-il", PYONGYANG]
    response = client.post("/reconcile", json={"queries": [
        {"conditions": [{"matchType": "name", "propertyValue": "Kim Kwang Hyop"}]}]})
    assert response.get_json()["results"][0]["candidates"][0]["id"] == KIM_GWANG_HYEOP


def test_single_query_parameter(client):
    response = client.get("/reconcile", query_string={"query": "KIM IL SUNG"})
    assert response.status_code == 200
    assert response.get_json()["result"][0]["id"] == KIM_IL_SUNG
    response = client.get("/reconcile", query_string={"query": json.dumps({"query": "Pyongyang", "type": PERSON})})
    assert all(c["type"][0]["id"] == PERSON for c in response.get_json()["result"])
    response = client.post("/reconcile", data={"query": "Moscow"})
    assert response.get_json()["result"][0]["id"] == BASE + "id/place/moscow"


def test_properties_are_accepted(client):
    result = one(client, "Puzanov", properties=[{"pid": "https://w3id.org/archive-kg/ontology#roleDescription",
                                                 "v": "Ambassador"}, {"pid": "unknown", "v": {"id": "x"}}])
    assert result[0]["id"] == PUZANOV
    plain = one(client, "Puzanov")[0]["score"]
    assert plain < result[0]["score"] < 100


# --------------------------------------------------------------------------- hostile and broken input


HOSTILE = [
    'Kim" } UNION { ?s ?p ?o } #',
    "Kim' } UNION { ?s ?p ?o }",
    '} UNION { GRAPH ?g { ?s ?p ?o } } #',
    '"""\\" ; DROP ALL ; <http://x> {',
    "<script>alert(1)</script>",
    "\x00\n\t{{id}}${id}",
    "",
    "   ",
    "x" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_query_strings(client, text):
    answer = ask(client, {"q0": {"query": text, "type": PERSON}, "q1": {"query": text}})
    for key in ("q0", "q1"):
        for candidate in answer[key]["result"]:
            assert candidate["id"].startswith(BASE + "id/")
            assert 0 <= candidate["score"] < 100 or candidate["id"] in (KIM_IL_SUNG, KIM_GWANG_HYEOP)
    # an injection into a UNION would answer every node; a name match answers a few entities
    assert len(answer["q1"]["result"]) <= 5
    response = client.get("/reconcile", query_string={"query": text})
    assert response.status_code == 200


def test_hostile_query_does_not_change_the_graph(client):
    before = ask(client, {"q0": {"query": "Kim Il Sung"}})
    ask(client, {"q0": {"query": 'x" } ; DELETE WHERE { ?s ?p ?o } ; SELECT * WHERE { "'}})
    assert ask(client, {"q0": {"query": "Kim Il Sung"}}) == before


@pytest.mark.parametrize("queries", ["{bad", "{'q0': {'query': 'x'}}", "", "[1, 2", '{"q0": "Kim"'])
def test_bad_json_is_a_400(client, queries):
    for response in (client.get("/reconcile", query_string={"queries": queries}),
                     client.post("/reconcile", data={"queries": queries})):
        assert response.status_code == 400
        assert response.mimetype == "application/json"
        assert "not valid JSON" in response.get_json()["error"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_bad_json_body_is_a_400(client):
    response = client.post("/reconcile", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.get_json()["error"]


@pytest.mark.parametrize("queries", [[1], {"q0": 5}, {"q0": {"query": 5}}, {"q0": {"query": "x", "properties": "p"}},
                                     "just a string", 42])
def test_wrong_shapes_are_a_400(client, queries):
    response = client.get("/reconcile", query_string={"queries": json.dumps(queries)})
    assert response.status_code == 400
    assert response.get_json()["error"]


# --------------------------------------------------------------------------- preview, suggest, flyout


def test_preview_card(client):
    response = client.get("/reconcile/preview", query_string={"id": PUZANOV})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.data.decode()
    assert "Alexander Puzanov" in page
    assert "Person" in page
    assert "Soviet Ambassador in the DPRK" in page
    assert "1 document" in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_preview_escapes_names(client):
    page = client.get("/reconcile/preview", query_string={"id": BASE + "id/person/a-a-dyakonov"}).data.decode()
    assert "D&#x27;yakonov" in page and "D'yakonov" not in page


def test_preview_escapes_the_id(client):
    response = client.get("/reconcile/preview", query_string={"id": '<script>alert("x")</script>'})
    assert response.status_code == 404
    page = response.data.decode()
    assert "&lt;script&gt;" in page
    assert "<script>" not in page
    assert client.get("/reconcile/preview").status_code == 400


def test_suggest_entity(client):
    result = client.get("/reconcile/suggest/entity", query_string={"prefix": "kim"}).get_json()["result"]
    assert {r["id"] for r in result} == {KIM_IL_SUNG, KIM_GWANG_HYEOP}
    assert all(set(r) >= {"id", "name", "description"} for r in result)
    result = client.get("/reconcile/suggest/entity", query_string={"prefix": "pyong", "type": PLACE}).get_json()["result"]
    assert [r["id"] for r in result] == [PYONGYANG]
    assert client.get("/reconcile/suggest/entity", query_string={"prefix": "pyong", "type": PERSON}).get_json() == {"result": []}
    assert client.get("/reconcile/suggest/entity", query_string={"prefix": ""}).get_json() == {"result": []}
    response = client.get("/reconcile/suggest/entity", query_string={"prefix": "kim", "callback": "cb"})
    assert response.data.startswith(b"/**/cb(")


def test_suggest_type_and_flyout(client):
    result = client.get("/reconcile/suggest/type", query_string={"prefix": "pl"}).get_json()["result"]
    assert result == [{"id": PLACE, "name": "Place"}]
    flyout = client.get("/reconcile/flyout/entity", query_string={"id": KIM_IL_SUNG}).get_json()
    assert flyout["id"] == KIM_IL_SUNG and "Kim Il Sung" in flyout["html"]
    assert client.get("/reconcile/flyout/entity", query_string={"id": "nope"}).status_code == 404


# --------------------------------------------------------------------------- the index follows the graph


def test_index_is_rebuilt_after_a_write(app, tmp_path):
    """The name index is cached per graph generation: an update shows up in the next answer."""
    import shutil

    from server import create_app

    store = tmp_path / "store"
    shutil.copytree(app.config["STORE_PATH"], store, symlinks=True)
    writable = create_app(str(store), workers=1, write_token="reconcile-test-token")
    try:
        c = writable.test_client()
        assert all(r["score"] < 100 for r in one(c, "Vasily Zaitsev"))
        update = ('PREFIX schema: <https://schema.org/> INSERT DATA { GRAPH <http://localhost:5000/graph/entities> { '
                  '<http://localhost:5000/id/person/vasily-zaitsev> a schema:Person ; schema:name "Vasily Zaitsev" } }')
        response = c.post("/sparql/update", data={"update": update},
                          headers={"Authorization": "Bearer reconcile-test-token"})
        assert response.status_code == 204, response.data
        top = one(c, "Vasily Zaitsev")[0]
        assert (top["id"], top["score"], top["match"]) == (BASE + "id/person/vasily-zaitsev", 100, True)
    finally:
        writable.extensions["kg_state"].pool.close()
