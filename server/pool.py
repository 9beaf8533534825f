"""Queries in worker processes that can be killed.

pyoxigraph has no query timeout or cancellation, so each query runs in one of a
few worker processes holding the store open read-only. A query past the timeout
gets its worker killed and replaced: the client is told it timed out, and the
other workers keep serving. Writes pause the pool: every worker closes the
store, the write runs alone, and fresh workers reopen it.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

from kg.namespaces import sparql_tokens
from pathlib import Path
from typing import Iterator, Optional


class QueryTimeout(RuntimeError):
    pass


class PoolBusy(RuntimeError):
    pass


class WorkerCrashed(RuntimeError):
    pass


@dataclass
class Job:
    query: str
    default_graphs: Optional[list[str]] = None  # None: the union of all graphs
    named_graphs: Optional[list[str]] = None
    results_format: Optional[str] = None  # media type chosen for SELECT/ASK, None if nothing acceptable
    graph_format: Optional[str] = None  # media type chosen for CONSTRUCT/DESCRIBE
    base_iri: Optional[str] = None


@dataclass
class Answer:
    status: int
    content_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def _serve(conn, store_link: str) -> None:
    """The worker process: open the store read-only, answer jobs until told to stop."""
    import pyoxigraph as ox

    from .formats import RESULT_FORMATS, RDF_FORMATS

    opened_path = None
    store = None
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            target = os.path.realpath(store_link)
            if target != opened_path:
                store = None
                store = ox.Store.read_only(target)
                opened_path = target
            kwargs = {"base_iri": job.base_iri} if job.base_iri else {}
            if job.default_graphs is None:
                # no dataset in the request: the query's own FROM wins, else the union of all graphs
                if not names_its_dataset(job.query):
                    kwargs["use_default_graph_as_union"] = True
            else:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            if job.named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
            result = store.query(job.query, **kwargs)
            if isinstance(result, ox.QueryTriples):
                if job.graph_format is None:
                    conn.send(Answer(406, body=b"No acceptable RDF format for a CONSTRUCT or DESCRIBE result\n"))
                    continue
                body = result.serialize(format=RDF_FORMATS[job.graph_format])
                conn.send(Answer(200, _with_charset(job.graph_format), body))
            else:
                if job.results_format is None:
                    conn.send(Answer(406, body=b"No acceptable format for SELECT or ASK results\n"))
                    continue
                body = result.serialize(format=RESULT_FORMATS[job.results_format])
                conn.send(Answer(200, _with_charset(job.results_format), body))
        except SyntaxError as exc:
            conn.send(Answer(400, body=f"SPARQL syntax error: {exc}\n".encode()))
        except (ValueError, OSError) as exc:
            conn.send(Answer(400, body=f"Query error: {exc}\n".encode()))
        except Exception as exc:  # noqa: BLE001 - the worker must answer, whatever happened
            conn.send(Answer(500, body=f"Query failed: {type(exc).__name__}: {exc}\n".encode()))


def names_its_dataset(query: str) -> bool:
    """Does the query have a FROM or FROM NAMED clause (outside strings, IRIs, comments and groups)?"""
    return any(depth == 0 and token.upper() == "FROM" for token, depth, _ in sparql_tokens(query))


def _with_charset(media_type: str) -> str:
    from .formats import is_text

    return f"{media_type}; charset=utf-8" if is_text(media_type) else media_type


class _Worker:
    def __init__(self, ctx, store_link: str, epoch: int = 0):
        self.epoch = epoch  # the pool's epoch when it opened the store: a write since makes its view stale
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, store_link), daemon=True)
        self.process.start()
        child.close()

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.process.join(2)
            if self.process.is_alive():
                self.process.kill()
        self.process.join(2)
        self.conn.close()


class QueryPool:
    def __init__(self, store_link: Path | str, size: int = 2, timeout: float = 30.0):
        self.store_link = str(store_link)
        self.size = max(1, size)
        self.timeout = timeout
        self._ctx = mp.get_context("spawn")  # no fork of a threaded web server
        self._idle: "queue.Queue[_Worker]" = queue.Queue()
        self._gate = threading.Condition()
        self._paused = False
        self._active = 0
        self._epoch = 0  # one more at each exclusive write
        for _ in range(self.size):
            self._idle.put(self._new_worker())

    def _new_worker(self) -> _Worker:
        return _Worker(self._ctx, self.store_link, self._epoch)

    def _give_back(self, worker: _Worker) -> None:
        """Back to the idle workers, unless a write happened while it was busy: its view of the store is from
        before the write, and the write has already put fresh workers in the pool."""
        if worker.epoch == self._epoch:
            self._idle.put(worker)
        else:
            worker.stop(kill=True)

    def run(self, job: Job) -> Answer:
        with self._gate:
            while self._paused:
                self._gate.wait()
            self._active += 1
        try:
            try:
                worker = self._idle.get(timeout=self.timeout)
            except queue.Empty:
                raise PoolBusy(f"all {self.size} query workers stayed busy for {self.timeout:g} s") from None
            deadline = time.monotonic() + self.timeout
            try:
                worker.conn.send(job)
                while worker.process.is_alive():
                    if worker.conn.poll(min(0.5, max(0.0, deadline - time.monotonic()))):
                        answer = worker.conn.recv()
                        self._give_back(worker)
                        return answer
                    if time.monotonic() >= deadline:
                        break
            except (EOFError, BrokenPipeError, OSError):
                pass
            # too slow, or dead: kill it and put a fresh worker in its place
            crashed = not worker.process.is_alive()
            worker.stop(kill=True)
            if worker.epoch == self._epoch:
                self._idle.put(self._new_worker())
            if crashed:
                raise WorkerCrashed("the query worker stopped unexpectedly; the query was not answered")
            raise QueryTimeout(f"Query timed out after {self.timeout:g} seconds and was cancelled")
        finally:
            with self._gate:
                self._active -= 1
                self._gate.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Stop every worker (they close the store), run a write alone, then start fresh workers."""
        with self._gate:
            while self._paused:
                self._gate.wait()
            self._paused = True
            self._epoch += 1  # a query still running past the wait below gives its worker up when it ends
            deadline = time.monotonic() + self.timeout + 5
            while self._active and time.monotonic() < deadline:
                self._gate.wait(0.1)
        workers = []
        while len(workers) < self.size:
            try:
                workers.append(self._idle.get(timeout=1))
            except queue.Empty:
                break
        for worker in workers:
            worker.stop()
        try:
            yield
        finally:
            for _ in range(self.size):
                self._idle.put(self._new_worker())
            with self._gate:
                self._paused = False
                self._gate.notify_all()

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                break


class RemotePool:
    """The same interface as QueryPool, answered by a remote SPARQL store (the store enforces its own limits)."""

    def __init__(self, remote, timeout: float = 30.0):
        self.remote = remote
        self.timeout = timeout
        self.size = 1

    def run(self, job: Job) -> Answer:
        from kg.remote import RemoteError

        accept = ", ".join(f for f in (job.results_format, job.graph_format and f"{job.graph_format};q=0.9") if f)
        if not accept:
            return Answer(406, body=b"No acceptable format\n")
        params = [("default-graph-uri", g) for g in job.default_graphs or []] + \
                 [("named-graph-uri", g) for g in job.named_graphs or []]
        try:
            status, content_type, body = self.remote.query(job.query, accept, params, timeout=self.timeout)
        except RemoteError as exc:
            if "timed out" in str(exc).lower():
                raise QueryTimeout(f"Query timed out after {self.timeout:g} seconds at the remote store") from None
            return Answer(502, body=f"The remote store did not answer: {exc}\n".encode())
        if status == 200:
            return Answer(200, content_type or "application/octet-stream", body)
        return Answer(400 if status == 400 else 502, body=body or f"Remote store: HTTP {status}\n".encode())

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        raise PermissionError("writes go to the remote store itself, not through this server")

    def close(self) -> None:
        pass


# functions whose value differs at each evaluation: a query using them is never answered from the cache
_FRESH_EACH_TIME = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)


class CachedPool:
    """A query pool with a result cache in front: an answer is reused until the graph changes.

    The key holds the graph's generation (a new build or any write changes it), the query text,
    the dataset and the chosen formats, so a cached answer is exactly what the engine would give
    now. Explorer pages ask the same questions for every visitor (labels, facet counts), and
    researchers re-run queries while they refine them. Only successful answers up to a sixteenth
    of the budget are kept; the least recently used go first. ``max_bytes = 0`` turns it off.
    """

    def __init__(self, pool, generation, max_bytes: int):
        self.pool, self.generation, self.max_bytes = pool, generation, max_bytes
        self._entries: "OrderedDict[tuple, Answer]" = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def size(self) -> int:
        return self.pool.size

    @property
    def timeout(self) -> float:
        return self.pool.timeout

    def run(self, job: Job) -> Answer:
        if self.max_bytes <= 0 or _FRESH_EACH_TIME.search(job.query):
            return self.pool.run(job)
        key = (self.generation(), job.query, None if job.default_graphs is None else tuple(job.default_graphs),
               None if job.named_graphs is None else tuple(job.named_graphs), job.results_format,
               job.graph_format, job.base_iri)
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return answer
            self.misses += 1
        answer = self.pool.run(job)
        if answer.status == 200 and len(answer.body) <= self.max_bytes // 16:
            with self._lock:
                if key not in self._entries:
                    self._entries[key] = answer
                    self._bytes += len(answer.body)
                    while self._bytes > self.max_bytes:
                        _, old = self._entries.popitem(last=False)
                        self._bytes -= len(old.body)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self.pool.exclusive():
            yield
        self.clear()

    def close(self) -> None:
        self.pool.close()
