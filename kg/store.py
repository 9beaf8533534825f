"""The load stage: an on-disk Oxigraph store, replaced in one step at the end of a build.

Layout of a store folder::

    kg-store/
      current -> db-20261129T101500Z-1234   (symlink: the graph being served)
      db-.../                               (Oxigraph's RocksDB files)
      records/<doc_id>.json                 (extraction cache: what each document yielded)
      records/<doc_id>.slim                 (the same without text and mentions, for resolution)
      build.lock
"""
from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional

import pyoxigraph as ox

from .records import ExtractedDocument, extracted_from_json


class StoreError(RuntimeError):
    pass


def encode_record(ed: ExtractedDocument) -> tuple[bytes, bytes]:
    """A document's record as cached: the JSON (readable, the source of truth) and the pickled slim copy."""
    return (json.dumps(ed.to_json(), ensure_ascii=False).encode("utf-8"),
            pickle.dumps(ed.slim(), protocol=pickle.HIGHEST_PROTOCOL))


def link_target(link: Path | str) -> str:
    """Where a store's ``current`` link points: the database being served, as a path.

    One ``readlink``: the server asks for every query and page, and resolving each component of the path
    (``realpath``) took several system calls. A build replaces the link itself, never the folders above it.
    """
    try:
        return os.path.join(os.path.dirname(link), os.readlink(link))
    except OSError:  # not a link (or gone): whatever the path resolves to
        return os.path.realpath(link)


class StoreDir:
    def __init__(self, path: Path | str):
        self.path = Path(path)

    @property
    def current(self) -> Path:
        return self.path / "current"

    @property
    def records_dir(self) -> Path:
        return self.path / "records"

    def exists(self) -> bool:
        return self.current.exists()

    def open(self, read_only: bool = True) -> ox.Store:
        if not self.exists():
            raise StoreError(f"{self.path}: no graph built here yet (run 'kg build PATH --store {self.path}')")
        target = self.current.resolve()
        return ox.Store.read_only(str(target)) if read_only else ox.Store(str(target))

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "build.lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"{self.path}: another build is running on this store") from None
            yield

    # --- extraction cache ---------------------------------------------------
    @staticmethod
    def record_name(doc_id: str) -> str:
        return doc_id.replace("/", "_") + ".json"

    def record_path(self, doc_id: str) -> Path:
        return self.records_dir / self.record_name(doc_id)

    def save_record(self, ed: ExtractedDocument) -> None:
        self.save_encoded(ed.doc.doc_id, *encode_record(ed))

    def save_encoded(self, doc_id: str, record: bytes, slim: bytes) -> None:
        """Store what ``encode_record`` made (extraction workers encode, so the main process only writes)."""
        self.records_dir.mkdir(parents=True, exist_ok=True)
        path = self.record_path(doc_id)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_bytes(record)
        os.replace(tmp, path)
        # written after the record: a slim copy older than its record is not used (see load_slim)
        slim_path = self.slim_path(doc_id)
        slim_path.with_suffix(".slimtmp").write_bytes(slim)
        os.replace(slim_path.with_suffix(".slimtmp"), slim_path)

    def slim_path(self, doc_id: str) -> Path:
        return self.record_path(doc_id).with_suffix(".slim")

    def load_slim(self, doc_id: str) -> ExtractedDocument | None:
        """The slim record (our own cache, written by ``save_record``), decoded ten times faster than the JSON."""
        slim = self.slim_path(doc_id)
        try:
            if slim.stat().st_mtime_ns >= self.record_path(doc_id).stat().st_mtime_ns:
                return pickle.loads(slim.read_bytes()).share_strings()
        except Exception:  # noqa: BLE001 - a cache written by other code: the JSON record is the truth
            pass
        record = self.load_record(doc_id)
        return record.slim().share_strings() if record is not None else None

    def load_record(self, doc_id: str) -> ExtractedDocument | None:
        path = self.record_path(doc_id)
        if not path.exists():
            return None
        return extracted_from_json(json.loads(path.read_text(encoding="utf-8")))

    def drop_record(self, doc_id: str) -> None:
        self.record_path(doc_id).unlink(missing_ok=True)
        self.slim_path(doc_id).unlink(missing_ok=True)

    # which file made which document, and from what content: for incremental builds
    def manifest(self) -> dict:
        path = self.path / "manifest.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def save_manifest(self, manifest: dict) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / "manifest.json.tmp"
        # no indent: json's fast (C) encoder then writes it, 0.05 s instead of 0.7 s at 15,000 files
        tmp.write_text(json.dumps(manifest, sort_keys=True, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path / "manifest.json")

    @staticmethod
    def file_hash(path: Path) -> str:
        import hashlib

        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    def record_ids(self) -> list[str]:
        if not self.records_dir.exists():
            return []
        return sorted(p.stem for p in self.records_dir.glob("*.json"))

    def load_records(self) -> Iterator[ExtractedDocument]:
        for doc_id in self.record_ids():
            record = self.load_record(doc_id)
            if record is not None:
                yield record

    @property
    def _dirty_marker(self) -> Path:
        return self.path / "records-ahead"

    def mark_dirty(self, paths: Iterable[str]) -> None:
        """The records of these files are about to change: until ``mark_clean``, the cache may hold records that
        neither the graph nor the manifest knows (the marker lists the files, added to by each failed build)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self._dirty_marker, "a", encoding="utf-8") as marker:
            marker.write("".join(f"{path}\n" for path in paths))
            marker.flush()
            os.fsync(marker.fileno())

    def mark_clean(self) -> None:
        self._dirty_marker.unlink(missing_ok=True)

    def records_ahead(self) -> Optional[set[str]]:
        """None, or the files whose records a build saved before it failed: their records may be ahead of the
        graph and of the manifest, so they are extracted again. An empty set: the marker does not say (it was
        written before the files were listed), so every file is."""
        try:
            return {line for line in self._dirty_marker.read_text(encoding="utf-8").splitlines() if line}
        except FileNotFoundError:
            return None

    # --- the graph ----------------------------------------------------------
    def write_new(self, quads: Iterable[ox.Quad], extras=None) -> Path:
        """Bulk-load quads into a fresh database and make it current in one rename (the one before is kept).

        ``extras(db_dir)`` writes the files that belong with this database (side index, dump) before the swap.
        """
        target = self.new_db_dir()
        store = ox.Store(str(target))
        # in slices: the bulk loader holds what it is given in memory, so memory stays flat as corpora grow
        batch: list[ox.Quad] = []
        for quad in quads:
            batch.append(quad)
            if len(batch) >= 200_000:
                store.bulk_extend(batch)
                batch = []
        if batch:
            store.bulk_extend(batch)
        store.optimize()
        store.flush()
        del store
        if extras is not None:
            extras(target)
        self.swap(target)
        return target

    def writes(self) -> int:
        """How many writes the server has made to the graph (its 'generation' marker; see server/state.py)."""
        try:
            return int((self.path / "generation").read_text().strip() or 0)
        except (OSError, ValueError):
            return 0

    def new_db_dir(self) -> Path:
        """A fresh, unused path for the next database (not yet created)."""
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self.path / f"db-{stamp}-{os.getpid()}-{time.time_ns() % 10**9:09d}"
        while target.exists() or target.with_name(target.name + ".work").exists():
            target = target.with_name(target.name + "x")
        return target

    def write_marker(self, extras=None) -> Path:
        """For a graph kept in a remote store: an empty folder standing for this build, with its side files."""
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        target = self.path / f"db-{stamp}-{os.getpid()}-{time.time_ns() % 10**9:09d}-remote"
        target.mkdir()
        (target / "REMOTE").write_text("The graph of this build is in a remote SPARQL store.\n")
        if extras is not None:
            extras(target)
        self.swap(target)
        return target

    def swap(self, target: Path) -> None:
        previous = self.current.resolve() if self.current.is_symlink() else None
        link = self.path / f".current-{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(target.name, link)
        os.replace(link, self.current)  # atomic: readers see the old or the new graph, never half
        # keep the previous database: a running server may still be reading it until it reopens the new one
        keep = {target.resolve(), previous}
        for old in self.path.glob("db-*"):
            # databases only: their side files and folders ('db-….dump') go with them
            if old.is_dir() and "." not in old.name and old.resolve() not in keep:
                self.discard(old)
        self.empty_trash()
        # side files whose database is gone, kept while a newer database's index linked to them
        from .search_index import linked_files

        linked = linked_files(self.path)
        for side in self.path.glob("db-*.search.sqlite*"):
            if not (self.path / side.name.split(".", 1)[0]).exists() and not _linked(side, linked):
                side.unlink(missing_ok=True)

    TRASH = ".trash"  # discarded databases wait here for a background process to delete them

    def discard(self, db_dir: Path) -> None:
        """Take away a database that is not served, with its side index, dump, build state and work folder (but
        an index file that a kept database's index links to: see ``kg.search_index.IndexPatch``).

        They are moved into ``.trash`` (a rename: instant) for ``empty_trash`` to delete, since deleting the
        gigabytes of a big database takes seconds that a build should not wait for."""
        from .search_index import linked_files

        linked = linked_files(db_dir.parent, but=db_dir.name)
        bin_ = self.path / self.TRASH / f"{db_dir.name}-{os.getpid()}-{time.time_ns() % 10**9:09d}"
        bin_.mkdir(parents=True)
        for doomed in [db_dir, *db_dir.parent.glob(db_dir.name + ".*")]:
            if doomed.is_symlink():
                doomed.unlink()
            elif doomed.exists() and (doomed.is_dir() or not _linked(doomed, linked)):
                os.replace(doomed, bin_ / doomed.name)

    def empty_trash(self, wait: bool = False) -> None:
        """Delete what ``discard`` put aside, in a process of its own (``wait``: here, before returning)."""
        trash = self.path / self.TRASH
        # the folders there now, not the trash itself: a later discard may be moving a database into it
        doomed = [str(p) for p in trash.iterdir()] if trash.exists() else []
        if not doomed:
            return
        if wait:
            for folder in doomed:
                shutil.rmtree(folder, ignore_errors=True)
            return
        import subprocess
        import sys

        # only what was discarded is deleted there, so two of these running at once do no harm
        subprocess.Popen([sys.executable, "-c", "import shutil, sys\nfor p in sys.argv[1:]: shutil.rmtree(p, True)",
                          *doomed], start_new_session=True, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)


def _linked(side: Path, linked: set[Path]) -> bool:
    """Is this side file an index file that a kept database's index links to, or that file's journal?"""
    return side.resolve() in linked or side.with_name(side.name.removesuffix("-journal")).resolve() in linked


class SQLiteDraft:
    """A SQLite file written beside a new database (side index, resolution catalogue): made in a temporary
    file, from a copy of ``base`` or anew with ``schema``; ``finish`` moves it into place, ``abandon`` removes it."""

    def __init__(self, target: Path, base: Optional[Path] = None, schema: str = ""):
        self.target = target
        self.tmp = target.with_suffix(".tmp")
        self.tmp.unlink(missing_ok=True)
        if base is not None:
            shutil.copyfile(base, self.tmp)
        self.db = sqlite3.connect(self.tmp)
        self.db.execute("PRAGMA synchronous = OFF")  # the file is only used once finished and renamed
        if base is None and schema:
            self.db.executescript(schema)

    def finish(self) -> None:
        self.db.commit()
        self.db.close()
        self.tmp.replace(self.target)

    def abandon(self) -> None:
        self.db.close()
        self.tmp.unlink(missing_ok=True)
