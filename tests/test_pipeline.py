"""The whole pipeline on the founding document, asserted through SPARQL on the built store."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.namespaces import sparql_prefixes
from kg.store import StoreDir

from conftest import EXAMPLES, render_doc

BASE = "http://localhost:5000/"
DOC = f"<{BASE}id/document/116026>"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "kg"
    report = build([EXAMPLES], path)
    assert report.ok and report.built == ["116026"]
    return StoreDir(path).open()


def rows(store, query: str) -> list[dict]:
    result = store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in result]


def values(store, query: str) -> set[str]:
    return {next(iter(r.values())) for r in rows(store, query)}


def test_catalogue_metadata(store):
    (row,) = rows(store, f"""SELECT ?id ?date ?dt ?title WHERE {{ {DOC} a schema:ArchiveComponent ;
        dcterms:identifier ?id ; dcterms:date ?date ; dcterms:title ?title . BIND(DATATYPE(?date) AS ?dt) }}""")
    assert row["id"] == "116026"
    assert row["date"] == "1958-05-27"
    assert row["dt"] == "http://www.w3.org/2001/XMLSchema#date"
    assert row["title"].startswith("Journal of Soviet Ambassador in the DPRK A. M. Puzanov")


def test_translator_funder_language(store):
    assert values(store, f"SELECT ?n WHERE {{ {DOC} schema:translator/schema:name ?n }}") == {"Gary Goldberg"}
    assert values(store, f"SELECT ?n WHERE {{ {DOC} schema:funder/schema:name ?n }}") == {"ROK Ministry of Unification"}
    (lang,) = rows(store, f"SELECT ?l ?label WHERE {{ {DOC} dcterms:language ?l . ?l rdfs:label ?label }}")
    assert lang["label"] == "Russian" and lang["l"].endswith("/ru")


def test_archival_reference_classification_place(store):
    (ref,) = rows(store, f"""SELECT ?repo ?fond ?opis ?delo WHERE {{ {DOC} akg:archivalReference ?r .
        ?r akg:repository ?repo ; akg:fond ?fond ; akg:opis ?opis ; akg:delo ?delo }}""")
    assert ref == {"repo": "AVPRF", "fond": "0102", "opis": "14", "delo": "6"}
    assert values(store, f"SELECT ?c WHERE {{ {DOC} akg:securityClassification ?c }}") == {"TOP SECRET"}
    assert values(store, f"SELECT ?n WHERE {{ {DOC} akg:placeWritten/schema:name ?n }}") == {"Pyongyang"}


def test_one_meeting_with_its_participants(store):
    meetings = rows(store, f"""SELECT ?m ?date ?minutes ?text WHERE {{ ?m a schema:Event ; schema:subjectOf {DOC} ;
        schema:startDate ?date ; akg:durationMinutes ?minutes ; akg:durationText ?text }}""")
    assert len(meetings) == 1
    meeting = meetings[0]
    assert meeting["date"] == "1958-05-27"
    assert float(meeting["minutes"]) >= 90 and "more than" in meeting["text"]
    forms: dict[str, set[str]] = {}
    for r in rows(store, f"""SELECT ?a ?n WHERE {{ <{meeting['m']}> schema:attendee ?a .
                             ?a schema:name|schema:alternateName ?n }}"""):
        forms.setdefault(r["a"], set()).add(r["n"])
    expected = ["A. M. Puzanov", "A. A. D'yakonov", "Kim Il Sung", "Nam Il", "Kim Gwang-hyeop"]
    assert len(forms) == len(expected)
    for name in expected:
        assert sum(name in f for f in forms.values()) == 1, name


def test_bracketed_variant_is_one_person(store):
    people = rows(store, """SELECT ?p ?alt WHERE { ?p a schema:Person ; schema:name "Kim Gwang-hyeop" ;
        schema:alternateName ?alt }""")
    assert {r["alt"] for r in people} >= {"Kim Kwang Hyop"}
    assert len({r["p"] for r in people}) == 1
    assert not values(store, 'SELECT ?p WHERE { ?p schema:name "Kim Kwang Hyop" }')


def test_mentions_of_people_only_named(store):
    mentioned = values(store, f"SELECT ?n WHERE {{ {DOC} schema:mentions/(schema:name|schema:alternateName) ?n }}")
    for name in ("Peng Dehuai", "N. S. Khrushchev", "Malinovsky", "Samsonov", "N. Torbenkov"):
        assert name in mentioned


def test_topics(store):
    labels = values(store, f"SELECT ?l WHERE {{ {DOC} dcterms:subject/skos:prefLabel ?l }}")
    assert {"military intelligence", "defence planning", "arms supply"} <= labels
    assert values(store, f"SELECT ?s WHERE {{ {DOC} dcterms:subject/skos:inScheme ?s }}") == {f"{BASE}id/topic/"}


def test_every_evidence_quote_is_the_text_at_its_offsets(store):
    (text,) = values(store, f"SELECT ?t WHERE {{ {DOC} akg:bodyText ?t }}")
    annotations = rows(store, f"""SELECT ?a ?exact ?start ?end WHERE {{ ?a a oa:Annotation ; oa:hasTarget ?t .
        ?t oa:hasSource {DOC} ; oa:hasSelector ?q, ?p . ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }}""")
    assert len(annotations) > 50
    for a in annotations:
        assert text[int(a["start"]):int(a["end"])] == a["exact"], a["a"]


def test_annotations_of_one_span_share_one_passage(store):
    targets = rows(store, f"""SELECT ?t (COUNT(DISTINCT ?a) AS ?n) (COUNT(DISTINCT ?q) AS ?quotes)
        (COUNT(DISTINCT ?p) AS ?positions) (COUNT(DISTINCT ?start) AS ?starts) WHERE {{
        ?a oa:hasTarget ?t . ?t oa:hasSource {DOC} ; oa:hasSelector ?q, ?p .
        ?q a oa:TextQuoteSelector . ?p a oa:TextPositionSelector ; oa:start ?start }} GROUP BY ?t""")
    assert all((t["quotes"], t["positions"], t["starts"]) == ("1", "1", "1") for t in targets)
    shared = [t for t in targets if int(t["n"]) > 1]
    # the founding document names meeting participants that are also counted as its mentions
    assert shared, "no span is quoted for two facts"
    spans = rows(store, f"""SELECT DISTINCT ?start ?end WHERE {{ ?t oa:hasSource {DOC} ; oa:hasSelector ?p .
        ?p oa:start ?start ; oa:end ?end }}""")
    assert len(spans) == len(targets)
    for t in targets:
        assert t["t"].startswith(f"{BASE}id/document/116026/passage/")


def test_every_mention_and_participation_has_evidence(store):
    missing = rows(store, f"""SELECT ?e WHERE {{ {DOC} schema:mentions ?e .
        FILTER NOT EXISTS {{ ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSource {DOC} }} }}""")
    assert missing == []
    missing = rows(store, """SELECT ?part WHERE { ?m akg:hasParticipation ?part .
        FILTER NOT EXISTS { ?a oa:hasBody ?part } }""")
    assert missing == []


def test_named_graph_per_document_and_provenance(store):
    graphs = values(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert f"{BASE}graph/document/116026" in graphs
    assert {f"{BASE}graph/entities", f"{BASE}graph/vocabulary", f"{BASE}graph/provenance"} <= graphs
    (prov,) = rows(store, f"""SELECT ?build ?time ?version WHERE {{ <{BASE}graph/document/116026> prov:wasGeneratedBy ?build .
        ?build prov:endedAtTime ?time ; prov:wasAssociatedWith/schema:softwareVersion ?version }}""")
    assert prov["version"]
    assert values(store, f"SELECT ?f WHERE {{ {DOC} akg:sourceFile ?f }}") == {str(EXAMPLES / "116026.txt")}


def _dump(path: Path, *skip_graphs: str) -> set[str]:
    store = StoreDir(path).open()
    return {str(q) for q in store if not any(g in str(q.graph_name) for g in skip_graphs)}


def test_rebuild_gives_the_same_graph(tmp_path):
    build([EXAMPLES], tmp_path / "a")
    build([EXAMPLES], tmp_path / "b")
    build([EXAMPLES], tmp_path / "a")  # rebuilding in place as well
    assert _dump(tmp_path / "a", "graph/provenance") == _dump(tmp_path / "b", "graph/provenance")


def test_rebuilt_document_replaces_its_graph(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "116026.txt", docs / "116026.txt")
    store_path = tmp_path / "store"
    build([docs], store_path)
    text = (docs / "116026.txt").read_text(encoding="utf-8").replace("Nam Il", "Ri Ju-yeon")
    (docs / "116026.txt").write_text(text, encoding="utf-8")
    build([docs], store_path)
    store = StoreDir(store_path).open()
    names = values(store, "SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n }")
    assert "Ri Ju-yeon" in names and "Nam Il" not in names


def test_build_adds_documents_to_an_existing_store(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "memo.txt").write_text(render_doc(
        title="Memorandum of Conversation with Ambassador Ivan Kovalenko",
        body="12 March 1961\n\nI received Ambassador Ivan Kovalenko at his request. Kovalenko said that the harvest was good.\n"),
        encoding="utf-8")
    store_path = tmp_path / "store"
    build([EXAMPLES], store_path)
    build([other], store_path)
    store = StoreDir(store_path).open()
    ids = values(store, "SELECT ?id WHERE { ?d a akg:Document ; dcterms:identifier ?id }")
    assert ids == {"116026", "memo"}


def test_bad_files_are_reported_and_skipped(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "116026.txt", docs / "good.txt")
    (docs / "empty.txt").write_text("")
    (docs / "binary.txt").write_bytes(b"\x00\x01\x02\x03binary")
    (docs / "notitle.txt").write_text("May 1, 1960\n\nJust some text without a title.\n")
    result = CliRunner().invoke(main, ["build", str(docs), "--store", str(tmp_path / "store"), "-q"])
    assert result.exit_code == 1
    out = result.output
    assert "empty.txt" in out and "empty" in out.split("empty.txt", 1)[1].splitlines()[0]
    assert "binary.txt" in out and "binary" in out.split("binary.txt", 1)[1].splitlines()[0]
    assert "notitle.txt" in out and "title" in out.split("notitle.txt", 1)[1].splitlines()[0]
    assert "built 1 document(s), 0 unchanged, 0 removed, skipped 3" in out
    store = StoreDir(tmp_path / "store").open()
    assert values(store, "SELECT ?id WHERE { ?d a akg:Document ; dcterms:identifier ?id }") == {"116026"}


def test_a_failed_build_leaves_the_previous_graph(tmp_path):
    store_path = tmp_path / "store"
    build([EXAMPLES], store_path)
    before = _dump(store_path, "graph/provenance")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.txt").write_text("**unterminated title\n")
    result = CliRunner().invoke(main, ["build", str(bad), "--store", str(store_path), "-q"])
    assert result.exit_code == 1 and "broken.txt" in result.output
    assert _dump(store_path, "graph/provenance") == before


def test_base_uri_is_configurable_and_remembered(tmp_path):
    store_path = tmp_path / "store"
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(EXAMPLES), "--store", str(store_path), "--base-uri",
                                "https://archive.example.org/", "-q"]).exit_code == 0
    assert runner.invoke(main, ["build", str(EXAMPLES), "--store", str(store_path), "-q"]).exit_code == 0
    store = StoreDir(store_path).open()
    assert values(store, "SELECT ?d WHERE { ?d a akg:Document }") == {"https://archive.example.org/id/document/116026"}


def _corpus(tmp_path, names=("a", "b", "c")):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, name in enumerate(names):
        (docs / f"{name}.txt").write_text(render_doc(
            title=f"Memorandum of Conversation with Ambassador Ivan Kovalenko, number {i}",
            body=f"1{i} March 1961\n\nI received Ambassador Ivan Kovalenko at his request. Kovalenko said that plan {i} was good.\n"),
            encoding="utf-8")
    return docs


def test_incremental_rebuild_processes_only_what_changed(tmp_path):
    docs = _corpus(tmp_path)
    store_path = tmp_path / "store"
    first = build([docs], store_path)
    assert sorted(first.built) == ["a", "b", "c"]
    again = build([docs], store_path)
    assert again.built == [] and sorted(again.unchanged) == ["a", "b", "c"]
    (docs / "b.txt").write_text((docs / "b.txt").read_text(encoding="utf-8").replace("plan 1", "plan 99"), encoding="utf-8")
    (docs / "c.txt").unlink()
    (docs / "d.txt").write_text((docs / "a.txt").read_text(encoding="utf-8").replace("number 0", "number 3"), encoding="utf-8")
    changed = build([docs], store_path)
    assert sorted(changed.built) == ["b", "d"] and changed.removed == ["c"] and sorted(changed.unchanged) == ["a"]
    store = StoreDir(store_path).open()
    ids = values(store, "SELECT ?id WHERE { ?d a akg:Document ; dcterms:identifier ?id }")
    assert ids == {"a", "b", "d"}


def test_incremental_result_equals_a_full_rebuild(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "incremental")
    (docs / "a.txt").write_text((docs / "a.txt").read_text(encoding="utf-8").replace("Ivan Kovalenko", "Ivan Sorokin"),
                                encoding="utf-8")
    (docs / "c.txt").unlink()
    build([docs], tmp_path / "incremental")
    build([docs], tmp_path / "full")
    # the same graph, but for the history only the incremental store has: builds, and URIs it retired
    assert _dump(tmp_path / "incremental", "graph/provenance", "graph/retired") == \
        _dump(tmp_path / "full", "graph/provenance", "graph/retired")


def test_published_uris_never_break(tmp_path):
    from kg import registry

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "one.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Ivanov",
        body="3 March 1961\n\nI received Comrade Ivanov. Ivanov said the plan was ready.\n"), encoding="utf-8")
    (docs / "two.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Petrenko",
        body="4 March 1961\n\nI received Comrade Petrenko. Petrenko said the plan was late.\n"), encoding="utf-8")
    store_path = tmp_path / "store"
    build([docs], store_path)
    assert registry.load(store_path)["http://localhost:5000/id/person/ivanov"]["status"] == "live"
    # a new reading shows Ivanov is Pavel Ivanov (a fuller name takes over the URI); Petrenko's document goes
    (docs / "one.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Pavel Ivanov",
        body="3 March 1961\n\nI received Comrade Pavel Ivanov. Ivanov said the plan was ready.\n"), encoding="utf-8")
    (docs / "two.txt").unlink()
    build([docs], store_path)
    entries = registry.load(store_path)
    assert entries["http://localhost:5000/id/person/ivanov"] == {
        **entries["http://localhost:5000/id/person/ivanov"], "status": "replaced",
        "replaced_by": "http://localhost:5000/id/person/pavel-ivanov"}
    assert entries["http://localhost:5000/id/person/petrenko"]["status"] == "gone"
    assert entries["http://localhost:5000/id/document/two"]["status"] == "gone"
    store = StoreDir(store_path).open()
    assert values(store, "SELECT ?n WHERE { <http://localhost:5000/id/person/ivanov> dcterms:isReplacedBy ?n }") == \
        {"http://localhost:5000/id/person/pavel-ivanov"}

    from server import create_app

    app = create_app(str(store_path), workers=1)
    try:
        client = app.test_client()
        moved = client.get("/id/person/ivanov", headers={"Accept": "text/turtle"})
        assert moved.status_code == 301 and moved.headers["Location"].endswith("/id/person/pavel-ivanov")
        assert client.get("/id/person/ivanov.ttl").headers["Location"].endswith("/id/person/pavel-ivanov.ttl")
        assert client.get("/id/person/petrenko", headers={"Accept": "text/html"}).status_code == 410
        assert client.get("/id/document/two", headers={"Accept": "text/turtle"}).status_code == 410
        assert client.get("/id/person/pavel-ivanov", headers={"Accept": "text/turtle"}).status_code == 200
        assert client.get("/id/person/never-existed", headers={"Accept": "text/turtle"}).status_code == 404
    finally:
        app.extensions["kg_state"].pool.close()


def test_a_full_build_that_fails_leaves_the_uri_registry_as_it_was(tmp_path, monkeypatch):
    from kg import registry, search_index

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "one.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Ivanov",
        body="3 March 1961\n\nI received Comrade Ivanov. Ivanov said the plan was ready.\n"), encoding="utf-8")
    store_path = tmp_path / "store"
    build([docs], store_path)
    before = registry.load(store_path)
    (docs / "one.txt").write_text(render_doc(title="Memorandum of Conversation with Comrade Pavel Ivanov",
        body="3 March 1961\n\nI received Comrade Pavel Ivanov. Ivanov said the plan was ready.\n"), encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(search_index.IndexWriter, "finish", broken)  # after the registry's draft was written
        with pytest.raises(RuntimeError, match="disk full"):
            build([docs], store_path, incremental=False)
    assert registry.load(store_path) == before
    assert not list(store_path.glob("*.draft"))
    build([docs], store_path)
    assert registry.load(store_path)["http://localhost:5000/id/person/ivanov"]["status"] == "replaced"


def test_parallel_accounts_become_one_meeting_with_both_reports(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "soviet.txt").write_text(render_doc(
        title="Journal of Soviet Ambassador V. K. Morozov for 3 March 1961",
        body="3 March 1961\n\nI visited Ri Hyon-u together with Counselor B. N. Sokolov. Ri Hyon-u said the harvest was good.\n"),
        encoding="utf-8")
    (docs / "korean.txt").write_text(render_doc(
        title="Record of Conversation between Ri Hyon-u and Ambassador V. K. Morozov",
        body="Time: 3 March 1961\n\nParticipants: Ri Hyon-u, V. K. Morozov\n\nRi Hyon-u: The harvest is good.\n\nV. K. Morozov: Good.\n"),
        encoding="utf-8")
    build([docs], tmp_path / "store")
    store = StoreDir(tmp_path / "store").open()
    rows_ = rows(store, "SELECT ?m (COUNT(DISTINCT ?d) AS ?n) WHERE { ?m a schema:Event ; schema:subjectOf ?d } GROUP BY ?m")
    assert [int(r["n"]) for r in rows_] == [2]
    meeting = rows_[0]["m"]
    del store

    from server import create_app

    app = create_app(str(tmp_path / "store"), workers=1)
    try:
        html = app.test_client().get(meeting[len(BASE) - 1:], headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "Accounts side by side" in html and "/id/document/soviet" in html and "/id/document/korean" in html
    finally:
        app.extensions["kg_state"].pool.close()


def test_a_full_build_opens_its_store_with_few_open_files_and_puts_the_file_limit_back(tmp_path, monkeypatch):
    resource = pytest.importorskip("resource")  # the limit is only lowered where the platform has one
    import pyoxigraph as ox

    from kg import build as build_module

    limits_at_open = []
    real_store = ox.Store

    def store_seeing_the_limit(*args, **kwargs):
        limits_at_open.append(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        return real_store(*args, **kwargs)

    before = resource.getrlimit(resource.RLIMIT_NOFILE)
    monkeypatch.setattr(build_module.ox, "Store", store_seeing_the_limit)
    report = build([EXAMPLES], tmp_path / "kg", incremental=False)
    assert report.ok
    assert build_module.BUILD_OPEN_FILES + build_module._OXIGRAPH_FD_RESERVE in limits_at_open
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before
    # put back after a failed open too
    (tmp_path / "a-file").write_text("not a database")
    with pytest.raises(OSError):
        build_module._open_for_build(tmp_path / "a-file")
    assert resource.getrlimit(resource.RLIMIT_NOFILE) == before


def test_a_document_link_rdf_cannot_hold_is_kept_as_text_not_as_a_link(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, url in (("good", "https://digitalarchive.example.org/document/900123"),
                      ("bad", "https://digitalarchive.example.org/document/%zz900124")):
        (docs / f"{name}.txt").write_text(render_doc(
            citation=f"Wilson Center Digital Archive, AVPRF fond 0415, opis 7, delo 21. <{url}>",
            body="12 March 1961\n\nI received Ambassador Ivan Kovalenko at his request.\n"), encoding="utf-8")
    report = build([docs], tmp_path / "kg")
    assert report.ok and sorted(report.built) == ["900123", "bad"]  # the good link's number names its document
    store = StoreDir(tmp_path / "kg").open()
    import pyoxigraph as ox

    result = store.query(sparql_prefixes() + "SELECT ?id ?url ?from WHERE { ?d dcterms:identifier ?id ; schema:url ?url "
                         "OPTIONAL { ?d prov:wasDerivedFrom ?from } }", use_default_graph_as_union=True)
    by_id = {r["id"].value: (r["url"], r["from"]) for r in result}
    good_url, good_from = by_id["900123"]
    assert isinstance(good_url, ox.NamedNode) and good_from == good_url
    bad_url, bad_from = by_id["bad"]
    assert isinstance(bad_url, ox.Literal) and bad_url.value.endswith("%zz900124") and bad_from is None


def test_build_report_splits_the_worker_stages(tmp_path):
    bad = tmp_path / "docs" / "broken.txt"
    bad.parent.mkdir()
    bad.write_bytes(b"\xff\xfe not text")
    shutil.copy(EXAMPLES / "116026.txt", tmp_path / "docs" / "116026.txt")
    report = build([tmp_path / "docs"], tmp_path / "store")
    assert report.built == ["116026"] and [p.path for p in report.skipped] == [str(bad)]
    assert set(report.cpu_seconds) == {"parse", "extract", "map"}
    assert all(seconds > 0 for seconds in report.cpu_seconds.values())
    # extraction is the heavy part of a document's first stage
    assert report.cpu_seconds["extract"] > report.cpu_seconds["parse"]
