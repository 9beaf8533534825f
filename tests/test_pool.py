"""The query pool: one killable query process answering many queries at once.

What it promises: a query past the timeout is cancelled and reported as such; the other queries the killed
process was running are answered anyway, by its replacement; a process that dies by itself is replaced the
same way; a write runs alone, and every query after it sees it.
"""
from __future__ import annotations

import os
import signal
import threading
import time

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.store import StoreDir
from server.pool import Job, QueryPool, QueryTimeout

from conftest import EXAMPLES

JSON = "application/sparql-results+json"
ASK = "ASK { <urn:test:s> <urn:test:p> <urn:test:o> }"
# slow on the example's few thousand triples, yet finite (about a second): every typed thing with every triple
PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?d ?e ?f }"
# a runaway: every quadruple of triples
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> StoreDir:
    path = tmp_path_factory.mktemp("pool") / "s"
    build([EXAMPLES], path)
    return StoreDir(path)


def _direct(store: StoreDir, query: str) -> int:
    """The count the store itself gives, without the pool."""
    db = ox.Store.read_only(str(store.current.resolve()))
    return int(next(iter(db.query(query, use_default_graph_as_union=True)))["n"].value)


def _count(answer) -> int:
    assert answer.status == 200, answer
    import json

    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def _in_background(pool: QueryPool, query: str) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        started = time.monotonic()
        try:
            outcome["answer"] = pool.run(Job(query, results_format=JSON))
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            outcome["error"] = exc
        outcome["finished"] = time.monotonic()
        outcome["seconds"] = outcome["finished"] - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _wait_until_running(pool: QueryPool, count: int, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        process = pool._process
        if process is not None and len(process.pending) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{count} queries never reached the query process")


def test_queries_run_at_once_in_one_process(store):
    pool = QueryPool(store.current, size=3, timeout=60)
    try:
        threads = [_in_background(pool, PAIRS) for _ in range(3)]
        _wait_until_running(pool, 3)  # all three at once, none waiting for another
        process = pool._process.process
        for thread, _ in threads:
            thread.join(120)
        expected = _direct(store, PAIRS)
        for _, outcome in threads:
            assert _count(outcome["answer"]) == expected
        assert pool._process.process is process  # no restart
    finally:
        pool.close()


def test_a_timeout_cancels_only_the_slow_query_and_the_others_running_beside_it_are_answered(store):
    # how long PAIRS takes here, so that it can be sent to run across the moment the runaway is cancelled
    pool = QueryPool(store.current, size=1, timeout=120)
    try:
        seconds = []
        for _ in range(2):
            started = time.monotonic()
            pool.run(Job(PAIRS, results_format=JSON))
            seconds.append(time.monotonic() - started)
    finally:
        pool.close()
    r = min(seconds)
    timeout = max(4.0, 4 * r)  # PAIRS, sent again at the cancel, still ends well within its own time
    pool = QueryPool(store.current, size=4, timeout=timeout)
    try:
        slow, slow_outcome = _in_background(pool, EXPLOSIVE)
        _wait_until_running(pool, 1)
        sent = time.monotonic()
        killed = pool._process.process
        time.sleep(max(0.0, timeout - r / 2 - (time.monotonic() - sent)))
        # still running when the runaway's time is up: the process is killed under it
        beside, beside_outcome = _in_background(pool, PAIRS)
        _wait_until_running(pool, 2)
        slow.join(60)
        beside.join(60)
        assert isinstance(slow_outcome.get("error"), QueryTimeout), slow_outcome
        assert "timed out" in str(slow_outcome["error"])
        assert not killed.is_alive()
        assert _count(beside_outcome["answer"]) == _direct(store, PAIRS)
        # answered after the cancel, when the killed process could no longer answer: by the fresh one
        assert beside_outcome["finished"] > slow_outcome["finished"]
        assert b"false" in pool.run(Job(ASK, results_format=JSON)).body
    finally:
        pool.close()


def test_a_query_process_that_dies_is_replaced_and_its_queries_are_answered(store):
    pool = QueryPool(store.current, size=2, timeout=60)
    try:
        running, outcome = _in_background(pool, PAIRS)
        _wait_until_running(pool, 1)
        died = pool._process.process
        os.kill(died.pid, signal.SIGKILL)
        running.join(120)
        assert _count(outcome["answer"]) == _direct(store, PAIRS)
        assert pool._process.process is not died and pool._process.process.is_alive()
    finally:
        pool.close()


def test_a_write_runs_alone_after_the_running_queries_and_every_query_after_it_sees_it(store, tmp_path):
    pool = QueryPool(store.current, size=2, timeout=60)
    try:
        assert b"false" in pool.run(Job(ASK, results_format=JSON)).body
        before = _direct(store, PAIRS)
        running, outcome = _in_background(pool, PAIRS)
        _wait_until_running(pool, 1)
        with pool.exclusive():
            assert pool._process is None  # no query process holds the store open during the write
            db = ox.Store(str(store.current.resolve()))
            db.add(ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:p"), ox.NamedNode("urn:test:o")))
            db.flush()
            del db
        running.join(10)
        assert _count(outcome["answer"]) == before  # it ran before the write, not across it
        assert _direct(store, PAIRS) > before
        assert b"true" in pool.run(Job(ASK, results_format=JSON)).body
    finally:
        pool.close()
        db = ox.Store(str(store.current.resolve()))
        db.remove(ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:p"), ox.NamedNode("urn:test:o")))
        db.flush()
        del db


def test_a_query_still_running_when_a_write_stops_waiting_is_run_again_after_it_and_sees_it(store):
    pool = QueryPool(store.current, size=2, timeout=60)
    pool.WRITE_GRACE = -60  # the write does not wait at all: the running query is a straggler at once
    quad = ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:p"), ox.NamedNode("urn:test:o"))
    try:
        before = _direct(store, PAIRS)
        running, outcome = _in_background(pool, PAIRS)
        _wait_until_running(pool, 1)
        with pool.exclusive():
            assert "answer" not in outcome and pool._process is None
            db = ox.Store(str(store.current.resolve()))
            db.add(quad)
            db.flush()
            del db
        running.join(60)
        assert "answer" in outcome, outcome
        # not lost, and not answered from the store as it was before the write
        assert _count(outcome["answer"]) == _direct(store, PAIRS) > before
    finally:
        pool.close()
        db = ox.Store(str(store.current.resolve()))
        db.remove(quad)
        db.flush()
        del db
