"""The graph in a remote SPARQL store: `kg build --store-url` and `kg serve --store-url` against a real
`oxigraph serve` process that the test starts and stops."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.remote import RemoteStore
from server import create_app

from conftest import EXAMPLES, render_doc
from live_server import free_port

BASE = "http://localhost:5000/"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    binary = shutil.which("oxigraph")
    assert binary, "the 'oxigraph' command is missing: install the test extras (pip install -e '.[test]')"
    root = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(root / "db"), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2)
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "oxigraph serve did not start"
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


def remote_ask(url: str, query: str) -> bool:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url + "/query", data=data, headers={"Accept": "application/sparql-results+json"})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())["boolean"]


def test_build_writes_one_graph_per_document_to_the_remote_store(oxigraph, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(EXAMPLES / "116026.txt", docs / "116026.txt")
    (docs / "memo.txt").write_text(render_doc(title="Memorandum of Conversation with Ambassador Ivan Kovalenko",
                                              body="12 March 1961\n\nI received Ambassador Ivan Kovalenko.\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(docs), "--store", str(tmp_path / "cache"), "--store-url", oxigraph, "-q"])
    assert result.exit_code == 0, result.output
    graphs = RemoteStore(oxigraph).graphs()
    assert {BASE + "graph/document/116026", BASE + "graph/document/memo", BASE + "graph/entities"} <= graphs
    assert remote_ask(oxigraph, 'ASK { ?p <https://schema.org/name> "Kim Il Sung" }')
    # a removed document's graph is dropped from the remote store; a changed one is replaced whole
    (docs / "memo.txt").unlink()
    text = (docs / "116026.txt").read_text(encoding="utf-8").replace("Nam Il", "Ri Ju-yeon")
    (docs / "116026.txt").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(docs), "--store", str(tmp_path / "cache"), "--store-url", oxigraph, "-q"])
    assert result.exit_code == 0, result.output
    graphs = RemoteStore(oxigraph).graphs()
    assert BASE + "graph/document/memo" not in graphs
    assert remote_ask(oxigraph, 'ASK { ?p <https://schema.org/name> "Ri Ju-yeon" }')
    assert not remote_ask(oxigraph, 'ASK { GRAPH <%sgraph/document/116026> { ?s ?p "Nam Il" } }' % BASE)

    # the explorer and the endpoint served from the remote store
    app = create_app(str(tmp_path / "cache"), store_url=oxigraph)
    client = app.test_client()
    answer = client.get("/sparql", query_string={"query": 'ASK { ?p <https://schema.org/name> "Ri Ju-yeon" }'},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and answer.get_json()["boolean"] is True
    page = client.get("/id/person/kim-il-sung", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Kim Il Sung" in page.get_data(as_text=True)
    data = client.get("/id/document/116026.ttl")
    assert data.status_code == 200 and b"TOP SECRET" in data.data
    assert client.get("/rdf-graph-store", query_string={"graph": BASE + "graph/entities"},
                      headers={"Accept": "application/n-triples"}).status_code == 200
    assert client.get("/api/suggest", query_string={"q": "kim"}).get_json()
    # writes are the remote store's business
    assert client.post("/sparql/update", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer x"}).status_code == 403
    assert remote_ask(oxigraph, "ASK { ?s ?p ?o }")


def test_an_unreachable_store_is_a_clear_error_and_keeps_the_cache(tmp_path):
    port = free_port()
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "--store", str(tmp_path / "cache"),
                                       "--store-url", f"http://127.0.0.1:{port}", "-q"])
    assert result.exit_code != 0 and "remote store" in result.output and f"127.0.0.1:{port}" in result.output
    assert (tmp_path / "cache" / "records" / "116026.json").exists()
    # the failed write is not forgotten: the next build writes the graph
    from kg.store import StoreDir

    assert StoreDir(tmp_path / "cache").manifest() == {}
