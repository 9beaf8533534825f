"""The map stage on every core: each document's named graph, its dump member and its side-index rows.

Mapping needs the resolution of the whole corpus, so it runs after resolution, in worker processes
that each receive the resolution once. A worker takes a chunk of document ids, decodes each record
once, and writes the chunk's N-Quads to a file that the main process hands to Oxigraph's bulk
loader, while the workers go on with the next chunks.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pyoxigraph as ox

from . import dump, search_index
from .resolve import Resolution
from .store import StoreDir
from .uris import Minter

CHUNK = 32  # documents per task: about 12 MB of N-Quads, small enough to keep memory flat


@dataclass
class MapContext:
    store_path: str
    resolution: Resolution
    minter: Minter
    version: str
    out_dir: str
    topic_labels: dict[str, str] = field(default_factory=dict)


@dataclass
class MappedChunk:
    index: int
    nquads: Optional[Path]  # None when the chunk held no document
    quads: int
    members: list[tuple[str, bytes]]  # (doc_id, gzip member of its graph) for the dump
    rows: list[search_index.DocumentRows]
    missing: list[str]  # ids whose record vanished


_context: Optional[MapContext] = None


def _init(context: MapContext, worker: bool = True) -> None:
    import gc

    global _context
    _context = context
    if worker:
        gc.freeze()  # the resolution lives as long as the worker: the collector need not walk it again


def map_chunk(task: tuple[int, list[str]]) -> MappedChunk:
    from mappings import map_document

    index, doc_ids = task
    ctx = _context
    store = StoreDir(ctx.store_path)
    target = Path(ctx.out_dir) / f"chunk-{index:06d}.nq"
    count, members, rows, missing = 0, [], [], []
    with open(target, "wb") as out:
        for doc_id in doc_ids:
            ed = store.load_record(doc_id)
            if ed is None:
                missing.append(doc_id)
                continue
            quads = map_document(ed, ctx.resolution, ctx.minter, ctx.version)
            data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
            out.write(data)
            count += len(quads)
            members.append((doc_id, dump.member(data)))
            rows.append(search_index.rows_for(ed, ctx.resolution, ctx.minter, ctx.topic_labels))
    return MappedChunk(index, target if count else None, count, members, rows, missing)


def mapped(doc_ids: list[str], context: MapContext, jobs: int) -> Iterator[MappedChunk]:
    """The chunks in order (so the dump is the same from one build to the next)."""
    tasks = [(i, doc_ids[k:k + CHUNK]) for i, k in enumerate(range(0, len(doc_ids), CHUNK))]
    global _context
    if jobs <= 1 or len(tasks) < 4:
        _init(context, worker=False)
        try:
            yield from map(map_chunk, tasks)
        finally:
            _context = None
        return
    import multiprocessing as mp

    from collections import deque

    with mp.get_context("spawn").Pool(jobs, initializer=_init, initargs=(context,)) as pool:
        # a bounded window of chunks in flight: when loading is slower than mapping, the workers wait
        # instead of piling finished chunks up in this process's memory
        window: deque = deque()
        for task in tasks:
            window.append(pool.apply_async(map_chunk, (task,)))
            if len(window) > 2 * jobs:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def signatures(resolution: Resolution, minter: Minter, content: dict[str, str]) -> dict[str, str]:
    """For each document (id -> content hash), a digest of its content and of all its graph takes from the resolution.

    Resolution is global: a new document can merge two people, or rename one. A document whose
    digest is unchanged maps to the same quads as before, so an incremental build keeps its graph.
    The content hash catches a record saved by a build that then failed.
    """
    used: dict[str, list] = {d: [("content", h)] for d, h in content.items()}
    for (doc_id, key), ident in resolution.index.items():
        if doc_id in used:
            used[doc_id].append((key, ident.kind, ident.slug, ident.name))
    for (doc_id, i), minted in resolution.meetings.items():
        if doc_id in used:
            used[doc_id].append(("meeting", i, *map(str, minted)))
    out = {}
    for doc_id, items in used.items():
        digest = hashlib.sha1(minter.base.encode())
        digest.update(repr(sorted(items, key=repr)).encode())
        out[doc_id] = digest.hexdigest()[:20]
    return out

