"""Real clients against a running `kg serve`: SPARQLWrapper, rdflib, curl, and the README's examples."""
from __future__ import annotations

import csv
import io
import re
import subprocess

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from live_server import REPO_ROOT, LiveServer, build_store

PEOPLE = """PREFIX schema: <https://schema.org/>
SELECT ?name WHERE { ?m a schema:Event ; schema:attendee/schema:name ?name } ORDER BY ?name"""
GRAPH = """PREFIX schema: <https://schema.org/>
CONSTRUCT { ?p schema:name ?n } WHERE { ?p a schema:Person ; schema:name ?n }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("clients")
    store = build_store(root / "store")
    live = LiveServer(store, root / "logs").start()
    yield live
    live.stop()


def wrapper(server, query, fmt):
    sw = SPARQLWrapper(server.base_url + "/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw.query()


def test_sparqlwrapper_select_json(server):
    rows = wrapper(server, PEOPLE, JSON).convert()["results"]["bindings"]
    assert len(rows) == 5 and "Kim Il Sung" in {r["name"]["value"] for r in rows}


def test_sparqlwrapper_select_xml(server):
    doc = wrapper(server, PEOPLE, XML).convert()
    literals = [e.firstChild.data for e in doc.getElementsByTagName("literal")]
    assert len(literals) == 5 and "Nam Il" in literals


@pytest.mark.parametrize("fmt,delimiter", [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_select_csv_tsv(server, fmt, delimiter):
    raw = wrapper(server, PEOPLE, fmt).convert()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8")), delimiter=delimiter))
    assert len(rows) == 6 and rows[0][0] in ("name", "?name")


def test_sparqlwrapper_ask(server):
    assert wrapper(server, "ASK { ?s a <https://schema.org/Event> }", JSON).convert()["boolean"] is True
    doc = wrapper(server, "ASK { ?s a <http://example.org/Nothing> }", XML).convert()
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "false"


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(server, fmt):
    graph = wrapper(server, GRAPH, fmt).convert()
    if not isinstance(graph, rdflib.Graph):
        graph = rdflib.Graph().parse(data=graph, format={TURTLE: "turtle", N3: "n3", JSONLD: "json-ld"}.get(fmt, "xml"))
    assert len(graph) >= 10
    assert rdflib.Literal("Kim Il Sung") in set(graph.objects())


def test_sparqlwrapper_describe(server):
    sw = SPARQLWrapper(server.base_url + "/sparql")
    sw.setQuery("DESCRIBE <http://localhost:5000/id/document/116026>")
    sw.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=sw.query().convert(), format="turtle")
    assert (rdflib.URIRef("http://localhost:5000/id/document/116026"), None, None) in graph


def test_rdflib_sparqlstore(server):
    graph = rdflib.Graph(store=SPARQLStore(server.base_url + "/sparql"))
    rows = list(graph.query(PEOPLE))
    assert [str(r[0]) for r in rows] == sorted(str(r[0]) for r in rows) and len(rows) == 5


def test_rdflib_federated_service_query(server):
    local = rdflib.Graph()
    local.add((rdflib.URIRef("http://example.org/my-note"), rdflib.URIRef("http://example.org/about"),
               rdflib.Literal("Kim Il Sung")))
    query = f"""PREFIX schema: <https://schema.org/>
    SELECT ?note ?person WHERE {{
      ?note <http://example.org/about> ?name .
      SERVICE <{server.base_url}/sparql> {{ ?person a schema:Person ; schema:name ?name }}
    }}"""
    rows = list(local.query(query))
    assert len(rows) == 1
    assert str(rows[0][1]) == "http://localhost:5000/id/person/kim-il-sung"


def _readme_section(title: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 3)
    return text[start:end if end > 0 else len(text)]


def test_readme_curl_examples_run(server):
    section = _readme_section("SPARQL endpoint")
    commands = [line for line in re.findall(r"```sh\n(.*?)```", section, re.S)[0].splitlines() if line.startswith("curl")]
    assert len(commands) >= 4
    for command in commands:
        command = re.sub(r"http://localhost:5000(?=/sparql|/rdf-graph-store)", server.base_url, command)
        done = subprocess.run(["bash", "-c", command + " -f -S"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip(), command
    # the first example is CSV of the meeting's attendees
    first = subprocess.run(["bash", "-c", re.sub(r"http://localhost:5000(?=/sparql)", server.base_url, commands[0])],
                           capture_output=True, text=True, timeout=60).stdout
    assert "Kim Il Sung" in first and first.splitlines()[0] == "name"


def test_readme_python_example_runs(server):
    section = _readme_section("SPARQL endpoint")
    code = re.sub(r"http://localhost:5000(?=/sparql)", server.base_url, re.findall(r"```python\n(.*?)```", section, re.S)[0])
    done = subprocess.run(["python", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^1958-05-27 1$", done.stdout, re.M)
