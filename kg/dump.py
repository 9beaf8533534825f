"""The download dump: the whole graph as gzipped N-Quads, a folder of shards beside each database.

Each shard is a series of gzip members (RFC 1952 allows it; gzip, zcat and every gzip library read
it as one stream): the shared graphs (vocabulary, entities, retired URIs, provenance) have a shard
each, and the documents' graphs are cut, in document order, into shards of ``PER_SHARD`` members (more
in a corpus of more than ``PER_SHARD * MAX_SHARDS`` documents).
Concatenated in ``order``, the shards are one gzip stream of the whole graph: that is what the
server sends, and each shard alone is a file a bulk loader can take.

A parts file records which shard holds each member, and where. An incremental build writes again
only the shards whose members changed, and hard-links the others from the previous dump: one
changed document costs one shard, whatever the size of the corpus.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Iterable, Iterator, Optional

import pyoxigraph as ox

LEVEL = 1  # four times faster than the default level, for a file about 15 % larger
PER_SHARD = 64  # documents per shard (about 2 MB: what a one-document change writes again) ...
MAX_SHARDS = 256  # ... up to this many shards: a big corpus gets bigger shards, not thousands of files to list and link
SHARED = ("vocabulary", "entities", "retired")  # before the documents; "provenance" comes after them
_OWN_SHARD = (*SHARED, "provenance")  # graphs with a shard each
PARTS = "parts.json"


def path_for(db_dir: Path) -> Path:
    return db_dir.with_name(db_dir.name + ".dump")


def member(quads: Iterable[ox.Quad] | bytes) -> bytes:
    """One gzip member of N-Quads; mtime 0, so the same quads give the same bytes."""
    data = quads if isinstance(quads, bytes) else ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def files(dump_dir: Path) -> list[Path]:
    """The shards in stream order; empty when the folder holds no finished dump."""
    try:
        parts = json.loads((dump_dir / PARTS).read_text())
    except (OSError, ValueError):
        return []
    return [dump_dir / name for name in parts["order"]]


def stream(shards: list[Path], start: int = 0, end: Optional[int] = None, block: int = 1 << 20) -> Iterator[bytes]:
    """Bytes ``start`` to ``end`` (exclusive; None: to the end) of the shards laid end to end."""
    offset = 0
    for path in shards:
        size = path.stat().st_size
        if end is not None and offset >= end:
            return
        if offset + size > start:
            with open(path, "rb") as f:
                f.seek(max(0, start - offset))
                left = (size if end is None else min(size, end - offset)) - max(0, start - offset)
                while left > 0:
                    data = f.read(min(block, left))
                    if not data:
                        break
                    left -= len(data)
                    yield data
        offset += size


class DumpWriter:
    """Collects named members into a new dump folder; ``finish`` moves it into place.

    A full build adds the shared graphs, then the documents in order, then the provenance. A patch
    (``base``: the previous dump) adds what changed and calls ``reuse`` for the rest, in the same
    order; shards whose members are all reused, unchanged, are hard links to the base's.
    """

    def __init__(self, target: Path, base: Optional[Path] = None, documents: int = 0):
        self.target = target
        self.tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self.base = base if base is not None and (base / PARTS).exists() else None
        base_parts = json.loads((self.base / PARTS).read_text()) if self.base else {}
        self.base_members: dict[str, list] = base_parts.get("members", {})
        self.base_shards: dict[str, list[str]] = {}  # shard -> its members' names, in order
        for name, (shard, _, _) in self.base_members.items():
            self.base_shards.setdefault(shard, []).append(name)
        # shard name -> [(member name, bytes, or None when reused from the base)]
        self.pending: dict[str, Optional[list[tuple[str, Optional[bytes]]]]] = {}  # None: written
        self.order: list[str] = []
        self.members: dict[str, list] = {}
        self._documents = 0
        self.per_shard = max(PER_SHARD, -(-documents // MAX_SHARDS))
        self._last_shard: Optional[str] = None
        self._open: Optional[str] = None  # a full build's shard being filled

    def _shard_for(self, name: str) -> str:
        if name in _OWN_SHARD:
            return f"{name}.nq.gz"
        where = self.base_members.get(name)
        if where is not None:
            return where[0]
        if self.base is not None and self._last_shard is not None:
            return self._last_shard  # a new document joins the shard of the document before it
        shard = f"documents-{self._documents // self.per_shard:06d}.nq.gz"
        self._documents += 1
        return shard

    def _put(self, name: str, data: Optional[bytes]) -> None:
        shard = self._shard_for(name)
        if name not in _OWN_SHARD:
            self._last_shard = shard
        if shard not in self.pending:
            self.pending[shard] = []
            self.order.append(shard)
        self.pending[shard].append((name, data))
        if self.base is None:
            # a full build writes shard after shard: it holds one shard's members at a time
            if self._open is not None and self._open != shard:
                self._write(self._open)
            self._open = shard

    def add(self, name: str, data: bytes) -> None:
        self._put(name, data)

    def reuse(self, name: str) -> bool:
        """Keep the member ``name`` as the base dump has it; False when it has none."""
        if name not in self.base_members:
            return False
        self._put(name, None)
        return True

    def _write(self, shard: str) -> None:
        entries = self.pending[shard]
        self.pending[shard] = None  # written
        base_shard = self.base / shard if self.base else None
        same = base_shard is not None and all(data is None for _, data in entries) and \
            [name for name, _ in entries] == self.base_shards.get(shard)
        if same:
            os.link(base_shard, self.tmp / shard)
            for name, _ in entries:
                self.members[name] = self.base_members[name]
            return
        source = open(base_shard, "rb") if base_shard is not None and base_shard.exists() else None
        try:
            with open(self.tmp / shard, "wb") as out:
                for name, data in entries:
                    if data is None:
                        _, offset, length = self.base_members[name]
                        source.seek(offset)
                        data = source.read(length)
                    self.members[name] = [shard, out.tell(), len(data)]
                    out.write(data)
        finally:
            if source is not None:
                source.close()

    def finish(self) -> Path:
        for shard in self.order:
            if self.pending[shard] is not None:
                self._write(shard)
        # stream order: the shared graphs, the documents' shards in the order first met, the provenance
        head = [f"{n}.nq.gz" for n in SHARED if f"{n}.nq.gz" in self.pending]
        tail = ["provenance.nq.gz"] if "provenance.nq.gz" in self.pending else []
        order = head + [s for s in self.order if s not in head and s not in tail] + tail
        (self.tmp / PARTS).write_text(json.dumps({"order": order, "members": self.members}))
        shutil.rmtree(self.target, ignore_errors=True)
        os.replace(self.tmp, self.target)
        return self.target

    def abandon(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
