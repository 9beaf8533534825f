"""The kg command: query formats, exports, extract, validate, serve's endpoint."""
from __future__ import annotations

import csv
import io
import json

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import main

from conftest import EXAMPLES

COUNT_PEOPLE = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://schema.org/Person> }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "store"
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(path), "-q"])
    assert result.exit_code == 0, result.output
    return str(path)


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result


def test_query_json_csv_tsv_table(store_path):
    out = run("query", COUNT_PEOPLE, "--store", store_path, "--format", "json")
    assert out.exit_code == 0
    n = int(json.loads(out.output)["results"]["bindings"][0]["n"]["value"])
    assert n >= 10
    rows = list(csv.reader(io.StringIO(run("query", COUNT_PEOPLE, "--store", store_path, "--format", "csv").output)))
    assert rows == [["n"], [str(n)]]
    tsv = run("query", COUNT_PEOPLE, "--store", store_path, "--format", "tsv").output.splitlines()
    assert tsv == ["?n", str(n)]
    table = run("query", COUNT_PEOPLE, "--store", store_path).output
    assert "(1 row)" in table and str(n) in table


def test_query_sees_the_union_of_graphs(store_path):
    out = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--store", store_path, "--format", "csv")
    assert int(out.output.splitlines()[1]) > 1000


def test_ask_and_construct(store_path):
    ask = run("query", "ASK { ?p <https://schema.org/name> \"Kim Il Sung\" }", "--store", store_path, "--format", "json")
    assert json.loads(ask.output)["boolean"] is True
    construct = run("query", "CONSTRUCT { ?p <https://schema.org/name> ?n } WHERE { ?p a <https://schema.org/Person> ; <https://schema.org/name> ?n }",
                    "--store", store_path)
    g = rdflib.Graph().parse(data=construct.output, format="turtle")
    assert len(g) >= 10


def test_query_syntax_error_is_a_clear_failure(store_path):
    out = run("query", "SELEC ?x WHERE {", "--store", store_path)
    assert out.exit_code != 0 and "syntax" in out.output.lower()


def test_query_without_a_store_says_so(tmp_path):
    out = run("query", COUNT_PEOPLE, "--store", str(tmp_path / "nothing"))
    assert out.exit_code != 0 and "kg build" in out.output


@pytest.mark.parametrize("fmt,rdflib_format,named", [("nquads", "nquads", True), ("trig", "trig", True),
                                                      ("turtle", "turtle", False)])
def test_export_formats_parse(store_path, tmp_path, fmt, rdflib_format, named):
    target = tmp_path / f"dump.{fmt}"
    out = run("export", "--store", store_path, "--format", fmt, "-o", str(target))
    assert out.exit_code == 0, out.output
    if named:
        ds = rdflib.Dataset()
        ds.parse(target, format=rdflib_format)
        graphs = {str(g.identifier) for g in ds.graphs()}
        assert "http://localhost:5000/graph/document/116026" in graphs
        assert "http://localhost:5000/graph/entities" in graphs
    else:
        g = rdflib.Graph().parse(target, format=rdflib_format)
        assert (rdflib.URIRef("http://localhost:5000/id/document/116026"), None, None) in g


def test_extract_shows_people_and_meetings():
    out = run("extract", str(EXAMPLES / "116026.txt"))
    assert out.exit_code == 0
    assert "Kim Il Sung" in out.output and "1958-05-27" in out.output and "TOP SECRET" in out.output


def test_extract_json():
    out = run("extract", str(EXAMPLES / "116026.txt"), "--json")
    data = json.loads(out.output)
    assert data["doc"]["doc_id"] == "116026"
    assert any(p["name"] == "Kim Il Sung" for p in data["people"])
    assert data["meetings"][0]["date"]["iso"] == "1958-05-27"


def test_extract_bad_file_names_it(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("")
    out = run("extract", str(bad))
    assert out.exit_code != 0 and "bad.txt" in out.output and "empty" in out.output


def test_validate_passes_on_a_built_graph(store_path):
    out = run("validate", "--store", store_path)
    assert out.exit_code == 0, out.output[-2000:]
    assert "conforms" in out.output


def test_validate_fails_on_a_broken_graph(tmp_path):
    import pyoxigraph as ox
    from kg.store import StoreDir

    store = StoreDir(tmp_path / "broken")
    bad = ox.Quad(ox.NamedNode("http://x/doc"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                  ox.NamedNode("https://schema.org/ArchiveComponent"), ox.NamedNode("http://x/g"))
    store.write_new([bad])
    out = run("validate", "--store", str(tmp_path / "broken"))
    assert out.exit_code == 1 and "title" in out.output.lower()


def test_sparql_endpoint_answers(store_path):
    from server import create_app

    client = create_app(store_path).test_client()
    response = client.get("/sparql", query_string={"query": COUNT_PEOPLE},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert int(response.get_json()["results"]["bindings"][0]["n"]["value"]) >= 10
    assert client.get("/sparql", query_string={"query": "SELEC"}).status_code == 400


def test_export_shards_keep_each_graph_whole(store_path, tmp_path):
    import gzip

    out = run("export", "--store", store_path, "--shards", "3", "-o", str(tmp_path / "shards"))
    assert out.exit_code == 0, out.output
    graphs_per_file, total = [], 0
    for path in sorted((tmp_path / "shards").glob("part-*.nq.gz")):
        ds = rdflib.Dataset()
        ds.parse(data=gzip.decompress(path.read_bytes()).decode("utf-8"), format="nquads")
        graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
        graphs_per_file.append(graphs)
        total += sum(len(g) for g in ds.graphs())
    assert len(graphs_per_file) == 3
    assert all(not (a & b) for i, a in enumerate(graphs_per_file) for b in graphs_per_file[i + 1:])
    count = run("query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--store", store_path, "--format", "csv")
    assert total == int(count.output.splitlines()[1])


def test_build_refuses_a_base_that_is_not_an_iri_and_does_not_remember_it(tmp_path):
    path = tmp_path / "kg"
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(path), "--base-uri", "https://ex ample.org/"])
    assert result.exit_code != 0
    assert "--base-uri 'https://ex ample.org/' is not an IRI" in result.output
    assert not (path / "base-uri").exists()


def test_build_with_a_bad_authority_link_names_the_file_and_line_and_keeps_the_graph(tmp_path, monkeypatch):
    from kg.store import StoreDir

    # --gazetteer adds to KG_GAZETTEER for the process: setenv (unlike delenv of an unset one) puts it back after
    monkeypatch.setenv("KG_GAZETTEER", "")
    path = tmp_path / "kg"
    assert CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(path), "-q"]).exit_code == 0
    served = (path / "current").resolve()
    gazetteer = tmp_path / "gazetteer"
    gazetteer.mkdir()
    (gazetteer / "authorities.tsv").write_text("kind\tslug\trelation\turi\tsource\n"
                                               "person\tivan-x\tsameAs\thttps://www.wikidata.org/entity/Q%zz\tchecked\n")
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(path), "--gazetteer", str(gazetteer),
                                       "--full", "-q"])
    assert result.exit_code != 0 and result.exc_info[0] is SystemExit  # a message, not a traceback
    assert "authorities.tsv:2: uri 'https://www.wikidata.org/entity/Q%zz' is not an IRI" in result.output
    assert (path / "current").resolve() == served and StoreDir(path).open() is not None
