"""Helpers for the live-server conformance tests (SPARQL Protocol, Graph Store Protocol).

* :func:`build_store` runs the real pipeline over ``examples/`` into a folder and
  :func:`store_facts` reads back a few facts the tests check answers against;
* :func:`copy_store` gives each server its own copy, so writes never leak;
* :class:`LiveServer` starts ``python -m kg.cli serve ...`` on a free port, waits
  until ``GET /sparql`` answers, and stops it again;
* :class:`LiveServer.request` is a small HTTP client on :mod:`http.client` (which,
  unlike :mod:`urllib.request`, never adds a ``Content-Type`` of its own, so the
  tests can send a body with no media type at all).
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union
from urllib.parse import quote, urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost:5000/"
DOC_ID = "116026"
DOC = f"{BASE}id/document/{DOC_ID}"
DOC_GRAPH = f"{BASE}graph/document/{DOC_ID}"
ENTITIES_GRAPH = f"{BASE}graph/entities"
VOCABULARY_GRAPH = f"{BASE}graph/vocabulary"
PROVENANCE_GRAPH = f"{BASE}graph/provenance"
AKG = "https://w3id.org/archive-kg/ontology#"
SCHEMA = "https://schema.org/"

Params = Union[Mapping[str, str], Sequence[tuple[str, str]], None]


# --------------------------------------------------------------------------- store


def build_store(store_dir: Path) -> Path:
    """Build the example graph with the real pipeline (``kg.build.build``) from the repo root."""
    from kg.build import build

    previous = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        report = build([Path("examples")], store_dir)
    finally:
        os.chdir(previous)
    if not report.ok or not report.built:
        raise RuntimeError(f"building the example store failed: skipped={report.skipped}")
    return Path(store_dir)


def copy_store(src: Path, dst: Path) -> Path:
    """A private copy of a store folder (its ``current`` link is relative, so it stays valid)."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


@dataclass
class StoreFacts:
    """What the built graph holds, read with pyoxigraph before any server opens it."""

    union_triples: int  # distinct triples in the union of all graphs
    graph_sizes: dict[str, int]  # named graph IRI -> number of triples
    doc_title: str  # dcterms:title of the example document
    entity: str  # a person that is described in the entities graph only
    entity_type: str  # a type of that person, asserted in the entities graph


def store_facts(store_dir: Path) -> StoreFacts:
    from kg.store import StoreDir

    store = StoreDir(store_dir).open(read_only=True)
    try:
        union = store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
        union_triples = int(next(iter(union))["n"].value)
        sizes = {}
        for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            sizes[row["g"].value] = int(row["n"].value)
        title = next(iter(store.query(
            f"SELECT ?t WHERE {{ GRAPH <{DOC_GRAPH}> {{ <{DOC}> <http://purl.org/dc/terms/title> ?t }} }}")))["t"].value
        rows = list(store.query(f"""
            SELECT ?e ?t WHERE {{
              GRAPH <{ENTITIES_GRAPH}> {{ ?e a ?t . FILTER(?t = <{SCHEMA}Person>) }}
              FILTER NOT EXISTS {{ GRAPH ?other {{ ?e ?p ?o }} FILTER(?other != <{ENTITIES_GRAPH}>) }}
            }} ORDER BY ?e LIMIT 1"""))
        if not rows:
            raise RuntimeError("the example graph has no person described in the entities graph only")
        entity, entity_type = rows[0]["e"].value, rows[0]["t"].value
    finally:
        del store
    return StoreFacts(union_triples, sizes, title, entity, entity_type)


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    request_line: str = ""
    request_headers: dict = field(default_factory=dict)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self.headers.get(name, default)

    def header_all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []

    @property
    def media_type(self) -> str:
        """The media type of ``Content-Type`` in lower case, without parameters."""
        value = self.header("Content-Type") or ""
        return value.split(";")[0].strip().lower()

    @property
    def content_type_params(self) -> dict[str, str]:
        value = self.header("Content-Type") or ""
        params = {}
        for part in value.split(";")[1:]:
            if "=" in part:
                key, _, val = part.partition("=")
                params[key.strip().lower()] = val.strip().strip('"')
        return params

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        body = self.text
        if len(body) > 1500:
            body = body[:1500] + f"... [{len(self.body)} bytes]"
        head = "\n".join(f"  {k}: {v}" for k, v in self.headers.items())
        return f"<{self.request_line} -> {self.status}\n{head}\n  body: {body!r}>"


def encode_params(params: Params) -> str:
    if not params:
        return ""
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    return urlencode(items, quote_via=quote, safe="")


def form(params: Params) -> bytes:
    """An ``application/x-www-form-urlencoded`` body."""
    return encode_params(params).encode("ascii")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerStartError(RuntimeError):
    pass


class LiveServer:
    """One ``kg serve`` process on 127.0.0.1 and a free port."""

    def __init__(self, store: Path, logs: Path, *, write_token: Optional[str] = None, timeout: float = 30,
                 workers: int = 2, extra_args: Iterable[str] = ()):
        self.store = Path(store)
        self.logs = Path(logs)
        self.write_token = write_token
        self.timeout = timeout
        self.workers = workers
        self.extra_args = list(extra_args)
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None

    # -- lifecycle -----------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, port: int) -> list[str]:
        cmd = [sys.executable, "-m", "kg.cli", "serve", "--store", str(self.store), "--host", "127.0.0.1",
               "--port", str(port), "--timeout", str(self.timeout), "--workers", str(self.workers)]
        if self.write_token is not None:
            cmd += ["--write-token", self.write_token]
        return cmd + self.extra_args

    def stderr_text(self) -> str:
        path = self.logs / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, ready_within: float = 20.0, attempts: int = 3) -> "LiveServer":
        self.logs.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.pop("KG_WRITE_TOKEN", None)  # the token comes from the command line only (or not at all)
        last_error = ""
        for _ in range(attempts):
            self.port = free_port()
            with open(self.logs / "stdout.log", "wb") as out, open(self.logs / "stderr.log", "wb") as err:
                self.proc = subprocess.Popen(self.command(self.port), cwd=REPO_ROOT, env=env, stdout=out,
                                             stderr=err, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + ready_within
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    self.request("GET", "/sparql", timeout=2)
                    return self
                except (OSError, http.client.HTTPException):
                    time.sleep(0.2)
            code = self.proc.poll()
            self.stop()
            last_error = (f"`{' '.join(self.command(self.port))}` "
                          + (f"exited with status {code}" if code is not None
                             else f"did not answer GET /sparql within {ready_within:.0f} s")
                          + f"\n--- server stderr ---\n{self.stderr_text()}")
            if "address already in use" not in last_error.lower():
                break
        raise ServerStartError(last_error)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------
    def request(self, method: str, path: str, *, params: Params = None, body: Union[bytes, str, None] = None,
                headers: Optional[Mapping[str, str]] = None, timeout: float = 60,
                token: Optional[str] = None) -> Response:
        """Send one request; ``path`` may already carry a raw query string, ``params`` are appended.

        ``token`` adds ``Authorization: Bearer <token>``. No header is added that is not asked for
        (``http.client`` only adds Host, Accept-Encoding: identity and Content-Length).
        """
        query = encode_params(params)
        if query:
            path = path + ("&" if "?" in path else "?") + query
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = dict(headers or {})
        if token is not None:
            hdrs["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            try:
                conn.request(method, path, body=body, headers=hdrs)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer (e.g. 413) and close before it has read the whole body
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, resp.headers, data, f"{method} {path[:300]}", hdrs)
        finally:
            conn.close()

    def raw_request(self, method: str, path: str, headers: Optional[Mapping[str, str]] = None,
                    timeout: float = 30) -> bytes:
        """Everything the server sends back for one request, read off the socket until it closes.

        For checks ``http.client`` hides, e.g. that a HEAD answer carries no body.
        """
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        chunks = []
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(data)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    # shorthands --------------------------------------------------------------
    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def query_get(self, query: str, params: Params = None, **kw) -> Response:
        extra = list(params.items()) if isinstance(params, Mapping) else list(params or [])
        return self.request("GET", "/sparql", params=[("query", query), *extra], **kw)

    def query_post(self, query: str, params: Params = None, headers: Optional[Mapping[str, str]] = None,
                   **kw) -> Response:
        hdrs = {"Content-Type": "application/sparql-query", **(headers or {})}
        return self.request("POST", "/sparql", params=params, body=query, headers=hdrs, **kw)

    def update(self, update: str, params: Params = None, token: Optional[str] = "__own__",
               headers: Optional[Mapping[str, str]] = None, **kw) -> Response:
        """A direct POST of an update to ``/sparql/update`` (with the server's own token by default)."""
        if token == "__own__":
            token = self.write_token
        hdrs = {"Content-Type": "application/sparql-update", **(headers or {})}
        return self.request("POST", "/sparql/update", params=params, body=update, headers=hdrs, token=token, **kw)

    def ask(self, query: str, params: Params = None) -> bool:
        """Run an ASK by direct POST and return its boolean (the request must succeed)."""
        resp = self.query_post(query, params=params, headers={"Accept": "application/sparql-results+json"})
        if resp.status != 200:
            raise AssertionError(f"ASK failed: {resp!r}")
        return bool(resp.json()["boolean"])

    def select(self, query: str, params: Params = None) -> list[dict]:
        """Run a SELECT by direct POST; rows of {variable: value} (the request must succeed)."""
        resp = self.query_post(query, params=params, headers={"Accept": "application/sparql-results+json"})
        if resp.status != 200:
            raise AssertionError(f"SELECT failed: {resp!r}")
        return [{k: v["value"] for k, v in b.items()} for b in resp.json()["results"]["bindings"]]


def start_server(tmp_root: Path, name: str, base_store: Path, **kw) -> LiveServer:
    """Copy ``base_store`` to ``tmp_root/name/store`` and start a server on the copy."""
    store = copy_store(base_store, tmp_root / name / "store")
    return LiveServer(store, tmp_root / name / "logs", **kw).start()


# --------------------------------------------------------------------------- parsing answers

RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
RDF_MEDIA = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "trig": "application/trig",
    "nquads": "application/n-quads",
}
RDFLIB_FORMAT = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def parse_rdf(resp: Response):
    """The triples of an RDF answer (all graphs merged) as an rdflib Graph, by its Content-Type."""
    import rdflib

    fmt = RDFLIB_FORMAT.get(resp.media_type)
    if fmt is None:
        raise AssertionError(f"not an RDF media type: {resp.header('Content-Type')!r}")
    dataset = rdflib.Dataset()
    dataset.parse(data=resp.body, format=fmt, publicID="http://example.invalid/base/")
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def parse_boolean(resp: Response) -> bool:
    """The answer of an ASK in SPARQL JSON or XML results."""
    import xml.etree.ElementTree as ET

    if resp.media_type == RESULT_MEDIA["json"]:
        value = resp.json()["boolean"]
        assert isinstance(value, bool), resp
        return value
    if resp.media_type == RESULT_MEDIA["xml"]:
        node = ET.fromstring(resp.body).find(f"{RESULTS_NS}boolean")
        assert node is not None, resp
        return node.text.strip() == "true"
    raise AssertionError(f"not a boolean result format: {resp!r}")


def _tsv_value(cell: str) -> str:
    """The lexical value of a term written the TSV way (<iri>, "literal"@lang / ^^<dt>, bare numbers)."""
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    if cell.startswith('"'):
        end = cell.rfind('"')
        raw = cell[1:end]
        return (raw.replace('\\"', '"').replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r")
                .replace("\\\\", "\\"))
    if cell.startswith("_:"):
        return cell
    return cell


def parse_table(resp: Response) -> tuple[list[str], list[dict[str, str]]]:
    """Variables and rows ({variable: lexical value}) of a SELECT answer in any of the 4 formats."""
    import csv
    import io
    import xml.etree.ElementTree as ET

    mt = resp.media_type
    if mt == RESULT_MEDIA["json"]:
        data = resp.json()
        rows = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
        return list(data["head"]["vars"]), rows
    if mt == RESULT_MEDIA["xml"]:
        root = ET.fromstring(resp.body)
        variables = [v.get("name") for v in root.iter(f"{RESULTS_NS}variable")]
        rows = []
        for result in root.iter(f"{RESULTS_NS}result"):
            row = {}
            for binding in result.findall(f"{RESULTS_NS}binding"):
                term = next(iter(binding))
                row[binding.get("name")] = term.text or ""
            rows.append(row)
        return variables, rows
    text = resp.body.decode("utf-8")
    if mt == RESULT_MEDIA["csv"]:
        reader = csv.reader(io.StringIO(text, newline=""))
        table = list(reader)
        variables = table[0]
        return variables, [{k: v for k, v in zip(variables, row) if v != ""} for row in table[1:]]
    if mt == RESULT_MEDIA["tsv"]:
        lines = [line for line in text.split("\n")]
        if lines and lines[-1] == "":
            lines.pop()
        variables = [v[1:] if v.startswith("?") else v for v in lines[0].rstrip("\r").split("\t")]
        rows = []
        for line in lines[1:]:
            cells = line.rstrip("\r").split("\t")
            rows.append({k: _tsv_value(v) for k, v in zip(variables, cells) if v != ""})
        return variables, rows
    raise AssertionError(f"not a tabular result format: {resp!r}")


def header_tokens(resp: Response, name: str) -> set[str]:
    """The comma-separated tokens of a header (all occurrences), lower-cased."""
    tokens = set()
    for value in resp.header_all(name):
        tokens.update(t.strip().lower() for t in value.split(",") if t.strip())
    return tokens


# --------------------------------------------------------------------------- fixtures


def server_fixtures(name: str, token: str, ro_timeout: float):
    """The module fixtures of a live-server suite: ``built`` (root, store, facts), ``facts``, a read-write
    ``server`` that accepts ``token`` and a read-only ``ro_server``, each server on its own copy of the store.

    Use as ``built, facts, server, ro_server = server_fixtures(...)`` at module level, so pytest finds them.
    """
    import pytest

    @pytest.fixture(scope="module")
    def built(tmp_path_factory):
        root = tmp_path_factory.mktemp(name)
        base = build_store(root / "base-store")
        return root, base, store_facts(base)

    @pytest.fixture(scope="module")
    def facts(built):
        return built[2]

    @pytest.fixture(scope="module")
    def server(built):
        root, base, _ = built
        srv = start_server(root, "rw", base, write_token=token, timeout=30)
        yield srv
        srv.stop()

    @pytest.fixture(scope="module")
    def ro_server(built):
        root, base, _ = built
        srv = start_server(root, "ro", base, timeout=ro_timeout)
        yield srv
        srv.stop()

    return built, facts, server, ro_server
