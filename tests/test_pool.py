"""The query pool: killable worker processes, and writes that no worker may outlive with a stale view."""
from __future__ import annotations

import pyoxigraph as ox

from kg.build import build
from kg.store import StoreDir
from server.pool import Job, QueryPool

from conftest import EXAMPLES

ASK = "ASK { <urn:test:s> <urn:test:p> <urn:test:o> }"


def test_a_worker_busy_during_a_write_is_not_used_again(tmp_path):
    build([EXAMPLES], tmp_path / "s")
    store = StoreDir(tmp_path / "s")
    pool = QueryPool(store.current, size=1, timeout=5)
    try:
        assert pool.run(Job(ASK, results_format="application/sparql-results+json")).body.find(b"false") >= 0
        # a query still running when the write starts (past the pool's wait for it): its worker read the store
        # before the write
        straggler = pool._idle.get()
        with pool.exclusive():
            db = ox.Store(str(store.current.resolve()))
            db.add(ox.Quad(ox.NamedNode("urn:test:s"), ox.NamedNode("urn:test:p"), ox.NamedNode("urn:test:o")))
            db.flush()
            del db
        pool._give_back(straggler)  # its query ends
        assert not straggler.process.is_alive()
        assert pool._idle.qsize() == 1  # the fresh worker only
        assert b"true" in pool.run(Job(ASK, results_format="application/sparql-results+json")).body
    finally:
        pool.close()
