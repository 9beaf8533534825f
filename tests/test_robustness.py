"""Bad input never crashes the parser or the extractor, and every offset stays inside the text."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import build
from kg.extract import extract
from kg.parse import ParseError, parse_text
from kg.store import StoreDir

from conftest import EXAMPLES, REPO_ROOT, render_doc

NAMEISH = st.sampled_from(["Kim Il Sung", "A. M. Puzanov", "Cde. Ivanov", "[Kim Kwang Hyop]", "Filippov [Stalin]",
                           "USSR", "the DPRK", "Military Attaché", "I visited", "27 May 1958", "31 February 1958",
                           "Participants:", "Zhou Enlai:", "[handwriting:", "]", "[[", "**", "Nº 5", "\r\n", "\n\n",
                           "Pak Seong-cheol", "visited me", "lasted two hours", "(", ")", "“", "’s", "\ufeff", "\x00"])
TEXT = st.lists(st.one_of(st.text(max_size=30), NAMEISH), max_size=40).map(" ".join)


def _check_offsets(ed):
    text = ed.doc.text
    n = len(text)
    spans = [m for group in (ed.people, ed.organizations, ed.places) for r in group for m in r.mentions]
    spans += [p.evidence for m in ed.meetings for p in m.participants]
    spans += [e for t in ed.topics for e in t.evidence] + [e for m in ed.meetings for t in m.topics for e in t.evidence]
    for m in spans:
        assert 0 <= m.start <= m.end <= n
        assert text[m.start:m.end] == m.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=TEXT, title=st.one_of(st.none(), TEXT), summary=st.one_of(st.none(), TEXT))
def test_parser_and_extractor_never_crash_on_arbitrary_documents(body, title, summary):
    raw = render_doc(title=title, summary=summary, body=body)
    try:
        doc = parse_text(raw, "fuzz.txt")
    except ParseError as exc:
        assert "fuzz.txt" in str(exc)
        return
    _check_offsets(extract(doc))


@settings(max_examples=150, deadline=None)
@given(raw=st.text(max_size=400))
def test_arbitrary_text_is_parsed_or_refused_with_a_reason(raw):
    try:
        doc = parse_text(raw, "any.txt")
    except ParseError as exc:
        assert str(exc).startswith("any.txt") and exc.reason
        return
    _check_offsets(extract(doc))


def test_a_build_killed_midway_leaves_the_previous_graph(tmp_path):
    store_path = tmp_path / "store"
    build([EXAMPLES], store_path)
    before = {str(q) for q in StoreDir(store_path).open() if "provenance" not in str(q.graph_name)}
    docs = tmp_path / "many"
    docs.mkdir()
    text = (EXAMPLES / "116026.txt").read_text(encoding="utf-8")
    for i in range(60):
        (docs / f"doc{i:03d}.txt").write_text(text.replace("116026", f"9{i:05d}").replace("Nam Il", f"Ri Ju-{i}"),
                                              encoding="utf-8")
    for delay in (0.3, 1.5, 3.0):
        proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(docs), "--store", str(store_path), "-q"],
                                cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        served = StoreDir(store_path).open()
        after = {str(q) for q in served if "provenance" not in str(q.graph_name)}
        # either the old graph, whole, or (if the build got to its swap) a whole new one that still holds it
        assert after == before or before - {q for q in before if "graph/entities" in q or "graph/retired" in q} <= after
        del served
    # the store still builds afterwards, and then holds everything
    report = build([EXAMPLES, docs], store_path)
    assert report.ok and report.documents_in_store == 61


def test_bad_inputs_each_get_one_message_and_the_rest_builds(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text((EXAMPLES / "116026.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (docs / "latin1.txt").write_bytes(render_doc(title="Note on Gheorghiu-Dej and Kádár", body="Kádár said yes.\n").encode("latin-1"))
    (docs / "utf16.txt").write_bytes(render_doc(title="Note on a visit", body="Cde. Ivanov said yes.\n").encode("utf-16"))
    (docs / "huge.txt").write_bytes(b"x" * (21 * 1024 * 1024))
    (docs / "notitle.txt").write_text("May 1, 1960\n\nCitation:\n\nNothing.\n", encoding="utf-8")
    (docs / "badtitle.txt").write_text("May 1, 1960\n\n**Unterminated title\n\nBody.\n", encoding="utf-8")
    (docs / "baddate.txt").write_text(render_doc(date="February 31, 1958", title="Note with an impossible date",
                                                 body="Cde. Ivanov said yes.\n"), encoding="utf-8")
    (docs / "odd.txt").write_text(render_doc(title="Odd order", body="Cde. Ivanov said [[nested [brackets]] yes.\n",
                                             summary="A summary.", citation="A citation.", sections=["summary", "contents", "citation"]),
                                  encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(docs), "--store", str(tmp_path / "store")])
    assert result.exit_code == 1
    out = result.output
    for name, words in {"empty.txt": "empty", "binary.txt": "binary", "huge.txt": "MB", "notitle.txt": "title",
                        "badtitle.txt": "never closed"}.items():
        line = next(line for line in out.splitlines() if name in line and line.startswith("error"))
        assert words in line, line
    assert any("baddate.txt" in line and "February" in line for line in out.splitlines() if line.startswith("warning"))
    assert "skipped 5" in out and "built 5 document(s)" in out


def test_a_running_server_serves_the_old_graph_during_a_rebuild_and_the_new_one_after(tmp_path):
    import json
    import threading

    from live_server import LiveServer

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "116026.txt").write_text((EXAMPLES / "116026.txt").read_text(encoding="utf-8"), encoding="utf-8")
    store_path = tmp_path / "store"
    build([docs], store_path)
    server = LiveServer(store_path, tmp_path / "logs").start()
    query = "ASK { ?p <https://schema.org/name> \"Ri Ju-yeon\" }"
    try:
        def ask():
            response = server.request("GET", "/sparql", params={"query": query, "format": "json"})
            assert response.status == 200, response
            return json.loads(response.body)["boolean"]

        assert ask() is False
        (docs / "116026.txt").write_text((docs / "116026.txt").read_text(encoding="utf-8").replace("Nam Il", "Ri Ju-yeon"),
                                         encoding="utf-8")
        answers, errors = [], []

        def keep_asking():
            for _ in range(40):
                try:
                    answers.append(ask())
                except AssertionError as exc:  # any failed request during the rebuild
                    errors.append(exc)
                time.sleep(0.05)

        reader = threading.Thread(target=keep_asking)
        reader.start()
        build([docs], store_path)
        reader.join()
        assert errors == []
        assert ask() is True  # the new graph, without a restart
        # answers during the rebuild were the old graph, then the new one: never a mix going back
        assert answers == sorted(answers)
    finally:
        server.stop()
