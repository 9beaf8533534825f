"""Queries in a query process that can be killed.

pyoxigraph has no query timeout or cancellation, so queries run in a separate
process that holds the store open read-only and answers many queries at once,
each in its own thread. Threads share one store, so its block cache and the
work of reading a block serve every query running at the moment. On two cores,
sixteen concurrent copies of a heavy query (COUNT of everything; the most
frequent meeting pairs) took 28 % and 44 % less time as threads of one process
than in two single-query processes (README, "Serving").

A query past the timeout gets the process killed and replaced: the client is
told it timed out, and the other queries the process was running are sent again
to its replacement (they only read, so running one twice is safe), keeping their
own deadlines. A process that dies by itself is replaced the same way; a query
that was running in two processes that died is answered as crashed. Writes
pause the pool: the process stops, the write runs alone, and a fresh process
reopens the store.
"""
from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pyoxigraph as ox

from kg.namespaces import sparql_tokens
from kg.store import link_target


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


def _serve(conn, store_link: str, threads: int) -> None:
    """The query process: answer (number, job) messages in ``threads`` threads until told to stop."""
    opened = {"path": None, "store": None}
    open_lock, send_lock = threading.Lock(), threading.Lock()

    def current_store():
        # a build swaps the served database behind the link: open the new one at the next query
        target = link_target(store_link)
        with open_lock:
            if target != opened["path"]:
                opened["store"] = None
                opened["store"] = ox.Store.read_only(target)
                opened["path"] = target
            return opened["store"]

    receive_lock, stopping = threading.Lock(), threading.Event()

    def answer_jobs() -> None:
        # each thread takes the next message itself: no hand-off between a reader and the thread that answers
        while True:
            with receive_lock:
                if stopping.is_set():
                    return
                try:
                    message = conn.recv()
                except EOFError:
                    message = None
                if message is None:
                    stopping.set()
                    return
            number, job = message
            try:
                answer = _answer(current_store(), job)
            except Exception as exc:  # noqa: BLE001 - the process must answer, whatever happened
                answer = Answer(500, body=f"Query failed: {type(exc).__name__}: {exc}\n".encode())
            with send_lock:
                conn.send((number, answer))

    workers = [threading.Thread(target=answer_jobs, name=f"kg-query-{i}") for i in range(max(1, threads))]
    for worker in workers:
        worker.start()
    for worker in workers:  # after a stop, the running queries end before the process does
        worker.join()


def _answer(store: ox.Store, job: Job) -> Answer:
    """One query's answer, errors included, as the protocol reports them."""
    from .formats import RESULT_FORMATS, RDF_FORMATS

    try:
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
                return Answer(406, body=b"No acceptable RDF format for a CONSTRUCT or DESCRIBE result\n")
            return Answer(200, _with_charset(job.graph_format), result.serialize(format=RDF_FORMATS[job.graph_format]))
        if job.results_format is None:
            return Answer(406, body=b"No acceptable format for SELECT or ASK results\n")
        body = result.serialize(format=RESULT_FORMATS[job.results_format])
        return Answer(200, _with_charset(job.results_format), body)
    except SyntaxError as exc:
        return Answer(400, body=f"SPARQL syntax error: {exc}\n".encode())
    except (ValueError, OSError) as exc:
        return Answer(400, body=f"Query error: {exc}\n".encode())


def names_its_dataset(query: str) -> bool:
    """Does the query have a FROM or FROM NAMED clause (outside strings, IRIs, comments and groups)?"""
    return any(depth == 0 and token.upper() == "FROM" for token, depth, _ in sparql_tokens(query))


def _with_charset(media_type: str) -> str:
    from .formats import is_text

    return f"{media_type}; charset=utf-8" if is_text(media_type) else media_type


class _Pending:
    """A query sent to the query process, waiting for its answer."""

    def __init__(self, job: Job, deadline: float):
        self.job, self.deadline = job, deadline
        self.number = 0
        self.crashes = 0  # query processes that died while running it
        self.done = threading.Event()
        self.answer: Optional[Answer] = None
        self.error: Optional[Exception] = None

    def finish(self, answer: Optional[Answer] = None, error: Optional[Exception] = None) -> None:
        self.answer, self.error = answer, error
        self.done.set()


class _QueryProcess:
    def __init__(self, ctx, store_link: str, threads: int, on_answer, on_exit):
        self.pending: dict[int, _Pending] = {}
        self.retired = False  # set when the pool kills or stops it: its end is then no crash
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, store_link, threads), daemon=True)
        self.process.start()
        child.close()
        self._send_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, args=(on_answer, on_exit), daemon=True,
                                       name="kg-query-answers")
        self.reader.start()

    def send(self, pending: _Pending) -> None:
        with self._send_lock:
            self.conn.send((pending.number, pending.job))

    def _read(self, on_answer, on_exit) -> None:
        while True:
            try:
                number, answer = self.conn.recv()
            except (EOFError, OSError, TypeError, ValueError):
                on_exit(self)
                return
            on_answer(self, number, answer)

    def stop(self, kill: bool = False) -> None:
        self.retired = True
        if not kill:
            try:
                with self._send_lock:
                    self.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2)
        if threading.current_thread() is not self.reader:
            self.reader.join(2)
        self.conn.close()


# Queries run at once. On two cores, 8 and 16 gave the same throughput under 16 clients (README, "Serving");
# fewer bounds the memory that many large concurrent answers can take.
DEFAULT_QUERIES_AT_ONCE = 8


class QueryPool:
    """Run queries in a killable query process, at most ``size`` at once, each within ``timeout`` seconds."""

    # how much longer than a query's timeout a write waits for the running queries to end: a query may have
    # waited for a free slot first, and one still running after that is sent again once the write is done
    WRITE_GRACE = 5.0

    def __init__(self, store_link: Path | str, size: int = DEFAULT_QUERIES_AT_ONCE, timeout: float = 30.0):
        self.store_link = str(store_link)
        self.size = max(1, size)
        self.timeout = timeout
        self._ctx = mp.get_context("spawn")  # no fork of a threaded web server
        self._slots = threading.BoundedSemaphore(self.size)
        self._lock = threading.RLock()  # the process, the numbering and every pending map
        self._numbers = itertools.count(1)
        self._orphans: list[_Pending] = []  # running when their process ended, sent again to the next one
        self._gate = threading.Condition()
        self._paused = False
        self._active = 0
        self._process: Optional[_QueryProcess] = None
        self._start()

    def _start(self) -> None:
        with self._lock:
            self._process = _QueryProcess(self._ctx, self.store_link, self.size, self._on_answer, self._on_exit)
            orphans, self._orphans = self._orphans, []
            for pending in orphans:
                self._send(pending)

    def _send(self, pending: _Pending) -> None:
        process = self._process
        pending.number = next(self._numbers)
        process.pending[pending.number] = pending
        try:
            process.send(pending)
        except (BrokenPipeError, OSError):
            pass  # the process is gone; its reader reports the end and the query is sent again

    def _detach(self, process: _QueryProcess) -> list[_Pending]:
        """Take a process out of service (call with the lock held; stop it after releasing the lock, as its
        reader takes the lock when the process ends). Returns what it was running; the caller decides its fate."""
        process.retired = True
        if self._process is process:
            self._process = None
        running = list(process.pending.values())
        process.pending.clear()
        return running

    def _on_answer(self, process: _QueryProcess, number: int, answer: Answer) -> None:
        with self._lock:
            pending = process.pending.pop(number, None)
        if pending is not None:
            pending.finish(answer)

    def _on_exit(self, process: _QueryProcess) -> None:
        """The reader saw its process end. If the pool did not end it, it crashed: replace it."""
        with self._lock:
            if process.retired:
                return
            for pending in self._detach(process):
                pending.crashes += 1
                if pending.crashes > 1:
                    pending.finish(error=WorkerCrashed("the query process stopped unexpectedly, twice, while "
                                                       "running this query; it was not answered"))
                else:
                    self._orphans.append(pending)
            if not self._paused:
                self._start()
        process.stop(kill=True)

    def run(self, job: Job) -> Answer:
        with self._gate:
            while self._paused:
                self._gate.wait()
            self._active += 1
        try:
            if not self._slots.acquire(timeout=self.timeout):
                raise PoolBusy(f"{self.size} queries stayed running for {self.timeout:g} s")
            try:
                return self._run(job)
            finally:
                self._slots.release()
        finally:
            with self._gate:
                self._active -= 1
                self._gate.notify_all()

    def _run(self, job: Job) -> Answer:
        pending = _Pending(job, time.monotonic() + self.timeout)
        with self._lock:
            if self._process is None:
                self._orphans.append(pending)  # a write is running: sent when the fresh process starts
            else:
                self._send(pending)
        if not pending.done.wait(max(0.0, pending.deadline - time.monotonic())):
            too_slow = None
            with self._lock:
                if not pending.done.is_set():  # (else it was answered just now)
                    process = self._process
                    if process is not None and process.pending.get(pending.number) is pending:
                        # end the process; the other queries it was running go to a fresh one
                        self._orphans.extend(p for p in self._detach(process) if p is not pending)
                        if not self._paused:
                            self._start()
                        too_slow = process
                    elif pending in self._orphans:
                        self._orphans.remove(pending)
            if not pending.done.is_set():
                if too_slow is not None:
                    too_slow.stop(kill=True)
                raise QueryTimeout(f"Query timed out after {self.timeout:g} seconds and was cancelled")
        if pending.error is not None:
            raise pending.error
        return pending.answer

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Stop the query process (it closes the store), run a write alone, then start a fresh one.

        A query still running past the wait is sent again to the fresh process, which sees the write."""
        with self._gate:
            while self._paused:
                self._gate.wait()
            self._paused = True
            deadline = time.monotonic() + self.timeout + self.WRITE_GRACE
            while self._active and time.monotonic() < deadline:
                self._gate.wait(0.1)
        try:
            with self._lock:
                process = self._process
                stragglers = self._detach(process) if process is not None else []
                self._orphans.extend(stragglers)
            if process is not None:
                process.stop(kill=bool(stragglers))
            yield
        finally:
            self._start()
            with self._gate:
                self._paused = False
                self._gate.notify_all()

    def close(self) -> None:
        with self._lock:
            process = self._process
            if process is not None:
                self._detach(process)
        if process is not None:
            process.stop()


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
