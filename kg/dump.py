"""The download dump: the whole graph as gzipped N-Quads, written beside each database.

The file is a series of gzip members (RFC 1952 allows it; gzip, zcat and every gzip library read
it as one stream): one for the shared graphs and one per document. A small parts file records
where each member lies, so an incremental build copies the members of unchanged documents as they
are and compresses only what changed.
"""
from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Iterable, Optional

import pyoxigraph as ox

LEVEL = 1  # four times faster than the default level, for a file about 15 % larger


def path_for(db_dir: Path) -> Path:
    return db_dir.with_name(db_dir.name + ".nq.gz")


def parts_path(dump: Path) -> Path:
    return dump.with_name(dump.name + ".parts.json")


def member(quads: Iterable[ox.Quad] | bytes) -> bytes:
    """One gzip member of N-Quads; mtime 0, so the same quads give the same bytes."""
    data = quads if isinstance(quads, bytes) else ox.serialize(list(quads), format=ox.RdfFormat.N_QUADS)
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


class DumpWriter:
    """Appends named members to a temporary file; ``finish`` moves it and its parts file into place."""

    def __init__(self, target: Path, base: Optional[Path] = None):
        self.target = target
        self.tmp = target.with_name(target.name + ".tmp")
        self.out = open(self.tmp, "wb")
        self.parts: dict[str, list[int]] = {}
        self.base = base if base is not None and base.exists() and parts_path(base).exists() else None
        self.base_parts = json.loads(parts_path(self.base).read_text()) if self.base else {}
        self.base_file = open(self.base, "rb") if self.base else None

    def add(self, name: str, data: bytes) -> None:
        self.parts[name] = [self.out.tell(), len(data)]
        self.out.write(data)

    def reuse(self, name: str) -> bool:
        """Copy the member ``name`` from the base dump; False when it has none."""
        where = self.base_parts.get(name)
        if where is None or self.base_file is None:
            return False
        self.base_file.seek(where[0])
        self.add(name, self.base_file.read(where[1]))
        return True

    def finish(self) -> Path:
        self.out.close()
        if self.base_file:
            self.base_file.close()
        parts = parts_path(self.target)
        parts.with_name(parts.name + ".tmp").write_text(json.dumps(self.parts))
        os.replace(self.tmp, self.target)
        os.replace(parts.with_name(parts.name + ".tmp"), parts)
        return self.target

    def abandon(self) -> None:
        self.out.close()
        if self.base_file:
            self.base_file.close()
        self.tmp.unlink(missing_ok=True)
