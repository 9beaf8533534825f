"""The pipeline end to end: parse -> extract -> resolve -> map -> load."""
from __future__ import annotations

import itertools
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import pyoxigraph as ox

from . import __version__
from .extract import extract
from .gazetteer import default_gazetteer
from .parse import ParseError, parse_file
from .records import ExtractedDocument
from . import dump, mapstage, registry, search_index
from .resolve import resolve
from .search_index import write_index
from .store import StoreDir, encode_record
from .uris import Minter


@dataclass
class Problem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    documents_in_store: int = 0
    graphs_written: int = 0
    graphs_removed: int = 0
    quads: int = 0
    incremental: Optional[int] = None  # documents whose graph was replaced in place, when the build was incremental
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.skipped


def discover(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every .txt and .xml (TEI) file under the paths, in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".xml"))
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")


def extract_file(path: Path) -> ExtractedDocument:
    return extract(parse_file(path))


def quads_for(documents: Iterable[ExtractedDocument], minter: Minter, started: datetime, resolution,
              slim: list[ExtractedDocument]) -> Iterator[ox.Quad]:
    """Every quad of the graph; ``documents`` is consumed once, one document at a time."""
    from mappings import map_document, map_entities, provenance_quads, vocabulary_quads

    yield from vocabulary_quads(minter)
    yield from map_entities(resolution, minter)
    for ed in documents:
        yield from map_document(ed, resolution, minter, __version__)
    yield from provenance_quads(minter, __version__, slim, started)


def _ids(entry: dict) -> list[str]:
    """The documents a manifest entry holds: a TEI volume holds several."""
    return entry.get("doc_ids") or [entry["doc_id"]]


@dataclass
class _Encoded:
    """One extracted document as a worker hands it over: its id, its warnings, its record encoded."""
    doc_id: str
    warnings: list[str]
    record: bytes
    slim: bytes


def _encoded(ed: ExtractedDocument) -> _Encoded:
    return _Encoded(ed.doc.doc_id, list(ed.doc.warnings), *encode_record(ed))


def _extract_one(path: str):
    """Worker side of parallel extraction: the file's encoded records, or the problem with the file."""
    try:
        if path.lower().endswith(".xml"):
            from .tei import parse_tei_file
            return path, [_encoded(extract(doc)) for doc in parse_tei_file(Path(path))], None
        return path, [_encoded(extract_file(Path(path)))], None
    except ParseError as exc:
        return path, None, exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"
    except (OSError, UnicodeError) as exc:
        return path, None, f"cannot read: {exc}"


def _extracted(paths: list[str], jobs: int) -> Iterator[tuple]:
    """Extraction of many files on every core (order kept), or in this process for a few."""
    if jobs <= 1 or len(paths) < 32:
        yield from map(_extract_one, paths)
        return
    import multiprocessing as mp

    with mp.get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap(_extract_one, paths, chunksize=8)


def extraction_fingerprint() -> str:
    """Changes whenever extraction could give another result: the code, the gazetteers, the topic scheme."""
    import hashlib

    from ontology import path as ontology_path
    from .gazetteer import gazetteer_dirs

    digest = hashlib.sha1(__version__.encode())
    here = Path(__file__).parent
    # every module but those that only run after extraction: editing these must not re-extract a corpus
    later = {"build.py", "cli.py", "dump.py", "evaluate.py", "mapstage.py", "query.py", "registry.py", "remote.py",
             "resolve.py", "search_index.py", "store.py", "uris.py"}
    modules = [p for p in here.glob("*.py") if p.name not in later]
    files = sorted([*modules, *(here / "extract").glob("*.py"), ontology_path("topics.ttl")])
    for directory in gazetteer_dirs():
        files += sorted(Path(directory).glob("*.tsv"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def graph_fingerprint() -> str:
    """Changes whenever the same records could map to another graph: resolution, URIs, mappings, ontology."""
    import hashlib

    from ontology import path as ontology_path

    here = Path(__file__).parent
    files = [here / name for name in ("dump.py", "mapstage.py", "namespaces.py", "registry.py", "resolve.py",
                                      "search_index.py", "uris.py")]
    files += sorted((here.parent / "mappings").glob("*.py")) + sorted(Path(ontology_path("topics.ttl")).parent.glob("*.ttl"))
    digest = hashlib.sha1(extraction_fingerprint().encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(paths: Iterable[Path | str], store_path: Path | str, base_uri: Optional[str] = None,
          progress: Optional[Callable[[str], None]] = None, jobs: Optional[int] = None,
          remote=None, incremental: bool = True) -> BuildReport:
    """Add the documents under ``paths`` to the store's graph.

    Only files that changed since they were last built are parsed and extracted again; files that
    disappeared from a folder given in ``paths`` leave the graph. Identities are then resolved over
    every document's record; when few documents are touched the served graph is patched (a copy of
    it), else the graph is made anew. Either way the result equals a full rebuild, and it replaces
    the served graph in one step.
    """
    import gc

    # a build holds hundreds of thousands of small long-lived objects (records, identities) and makes
    # few reference cycles: the cyclic collector would walk them again and again (five times the cost
    # of decoding the records at 15,000 documents), so it waits until the build is over
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(paths, store_path, base_uri, progress, jobs, remote, incremental)
    finally:
        if enabled:
            gc.enable()


def _build(paths, store_path, base_uri, progress, jobs, remote, incremental) -> BuildReport:
    report = BuildReport()
    store = StoreDir(store_path)
    minter = Minter(base_uri) if base_uri else Minter()
    started = datetime.now(timezone.utc).replace(microsecond=0)
    say = progress or (lambda message: None)
    default_gazetteer()
    # the manifest knows files by absolute, normalized path ('..' folded), whatever the cwd
    paths = [Path(os.path.abspath(p)) for p in paths]
    with store.lock():
        t0 = time.perf_counter()
        fingerprint = extraction_fingerprint()
        manifest = {os.path.abspath(k): entry for k, entry in store.manifest().items()}
        seen: dict[str, str] = {}
        found_paths: set[str] = set()
        hashes: dict[str, str] = {}
        pending: list[str] = []
        owners = {doc_id: p for p, entry in manifest.items() for doc_id in _ids(entry)}
        cached = {e.name for e in os.scandir(store.records_dir)} if store.records_dir.exists() else set()
        stats: dict[str, tuple[int, int]] = {}
        restated = False
        for path in discover(paths):
            found_paths.add(str(path))
            known = manifest.get(str(path))
            try:
                stat = path.stat()
                stats[str(path)] = (stat.st_size, stat.st_mtime_ns)
                # same size and modification time: unchanged, as make and rsync judge; else compare content
                same_stat = bool(known) and [known.get("size"), known.get("mtime_ns")] == list(stats[str(path)])
                file_hash = known["hash"] if same_stat else store.file_hash(path)
            except OSError as exc:
                report.skipped.append(Problem(str(path), f"cannot read: {exc}"))
                continue
            if known and known["hash"] == file_hash and known["fingerprint"] == fingerprint \
                    and all(store.record_path(i).name in cached for i in _ids(known)):
                seen.update({i: str(path) for i in _ids(known)})
                report.unchanged.extend(_ids(known))
                if not same_stat:  # touched, not changed: remember the new time so it is not read again
                    known["size"], known["mtime_ns"] = stats[str(path)]
                    restated = True
                continue
            hashes[str(path)] = file_hash
            pending.append(str(path))
        # ids held by files that are not extracted again; a changed file may give its ids up to another
        owners = {doc_id: p for doc_id, p in owners.items() if p not in hashes}
        if pending:
            say(f"extracting {len(pending)} file(s) ({len(report.unchanged)} document(s) unchanged)")
        for done, (path, encoded, problem) in enumerate(_extracted(pending, jobs or os.cpu_count() or 1), 1):
            if done % 1000 == 0:
                say(f"  extracted {done}/{len(pending)}")
            if problem is not None:
                report.skipped.append(Problem(path, problem))
                say(f"skipped {path}: {problem}")
                continue
            ids = []
            for ed in encoded:
                doc_id = ed.doc_id
                owner = seen.get(doc_id)
                if owner is None and owners.get(doc_id, path) != path and Path(owners[doc_id]).exists():
                    owner = owners[doc_id]
                if owner:
                    report.skipped.append(Problem(path, f"document id {doc_id!r} is already used by {owner}"))
                    continue
                seen[doc_id] = path
                for warning in ed.warnings:
                    report.warnings.append(Problem(path, warning))
                store.save_encoded(doc_id, ed.record, ed.slim)
                ids.append(doc_id)
                report.built.append(doc_id)
            for gone in set(_ids(manifest[path])) - set(ids) if path in manifest else ():
                if seen.get(gone, path) != path:
                    continue  # another file holds that document now
                store.drop_record(gone)  # a document no longer in the volume
                report.removed.append(gone)
            if ids:
                size, mtime_ns = stats[path]
                manifest[path] = {"doc_id": ids[0], "doc_ids": ids, "hash": hashes[path], "fingerprint": fingerprint,
                                  "size": size, "mtime_ns": mtime_ns}
                owners.update({doc_id: path for doc_id in ids})
        # files gone from a folder that was given: their documents leave the graph
        for folder in (p.resolve() for p in paths if p.is_dir()):
            for known_path, entry in list(manifest.items()):
                if known_path in found_paths:
                    continue
                if Path(known_path).resolve().is_relative_to(folder) and not Path(known_path).exists():
                    for doc_id in _ids(entry):
                        if doc_id in seen:
                            continue  # the document moved to another file, which holds it now
                        store.drop_record(doc_id)
                        report.removed.append(doc_id)
                    del manifest[known_path]
        report.seconds["parse+extract"] = time.perf_counter() - t0
        if not report.built and not report.removed and store.exists() and _same_graph_code(store, minter):
            report.documents_in_store = len(store.record_ids())
            if restated:
                store.save_manifest(manifest)
            return report  # nothing changed: the graph being served stays exactly as it is
        t1 = time.perf_counter()
        doc_ids = store.record_ids()
        light = [r for r in map(store.load_slim, doc_ids) if r is not None]
        report.documents_in_store = len(light)
        say(f"resolving identities across {len(light)} document(s)")
        resolution = resolve(light)
        # URIs published before stay resolvable: merged ones redirect, vanished ones say they are gone
        published = registry.load(store.path)
        uris = registry.update(published, registry.minted(light, resolution, minter))
        registry_changed = uris != published
        del published
        report.seconds["resolve"] = time.perf_counter() - t1
        if remote is not None:
            _push_remote(store, remote, report, light, resolution, minter, started, uris)
        else:
            graphs = _Graphs(store, minter, resolution, uris, light, started, report, say)
            del light  # the graphs took what they need of it; mapping can reuse the memory
            changed = set(report.built) | set(report.removed)
            if not (incremental and graphs.update(changed, jobs or os.cpu_count() or 1)):
                graphs.write_all(jobs or os.cpu_count() or 1)
        if registry_changed:
            registry.save(store.path, uris)
        # only now is the graph up to date with these files: a failed write leaves them to be built again
        store.save_manifest(manifest)
    return report


def _same_graph_code(store: StoreDir, minter: Minter) -> bool:
    """Was the served graph made with this base URI and this mapping code? (Unknown for a remote store: yes.)"""
    state = _Graphs.load_state(store.current.resolve())
    if state is None:
        return (store.current.resolve() / "REMOTE").exists()
    return state.get("base") == minter.base and state.get("graph") == graph_fingerprint()


def _push_remote(store, remote, report, light, resolution, minter, started, uris) -> None:
    """A remote SPARQL store holds the graph; the folder keeps the cache, the registry and the side index."""
    t2 = time.perf_counter()
    counted = _Counter(itertools.chain(quads_for(store.load_records(), minter, started, resolution, light),
                                       registry.retired_quads(uris, minter)))
    report.graphs_written, report.graphs_removed = remote.push(counted)
    report.quads = counted.n

    def extras(db_dir: Path) -> None:
        report.seconds["map+load"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        write_index(search_index.path_for(db_dir), store.load_records(), resolution, minter)
        report.seconds["index"] = time.perf_counter() - t3

    store.write_marker(extras=extras)


class _Graphs:
    """Writes the graph of a local store: all of it, or only what changed since the graph being served."""

    STATE = ".build-state.json"  # beside each database: the base URI and each document's resolution digest

    def __init__(self, store: StoreDir, minter: Minter, resolution, uris: dict, light: list, started, report,
                 say: Callable[[str], None] = lambda message: None):
        self.store, self.minter, self.resolution, self.uris, self.say = store, minter, resolution, uris, say
        self.light, self.started, self.report = light, started, report
        self._shared: Optional[dict] = None
        self.doc_ids = [ed.doc.doc_id for ed in light]
        self.signatures = mapstage.signatures(resolution, minter, {ed.doc.doc_id: ed.doc.content_hash for ed in light})

    def shared_quads(self) -> dict[str, list[ox.Quad]]:
        """The graphs that are not one document's: vocabulary, entities, retired URIs, provenance."""
        from mappings import map_entities, provenance_quads, vocabulary_quads

        if self._shared is None:
            self._shared = {"vocabulary": vocabulary_quads(self.minter),
                            "entities": map_entities(self.resolution, self.minter),
                            "retired": registry.retired_quads(self.uris, self.minter),
                            "provenance": provenance_quads(self.minter, __version__, self.light, self.started)}
            self.light = None  # what provenance needed of the records is in its quads now
        return dict(self._shared)

    def context(self, out_dir: Path) -> mapstage.MapContext:
        return mapstage.MapContext(str(self.store.path), self.resolution, self.minter, __version__, str(out_dir),
                                   search_index.topic_labels())

    def write_all(self, jobs: int) -> None:
        """Map every document on every core and bulk-load the chunks as they come."""
        report, t2 = self.report, time.perf_counter()
        target = self.store.new_db_dir()
        work = target.with_name(target.name + ".work")
        work.mkdir()
        db = ox.Store(str(target))
        index = search_index.IndexWriter(search_index.path_for(target))
        dumper = dump.DumpWriter(dump.path_for(target))
        loading, quads = 0.0, 0
        try:
            shared = self.shared_quads()
            provenance = shared.pop("provenance")
            head = list(dict.fromkeys(q for graph in shared.values() for q in graph))
            provenance = list(dict.fromkeys(provenance))
            db.bulk_extend(head)
            dumper.add("shared", dump.member(head))
            self.say(f"mapping and loading {len(self.doc_ids)} document graph(s)")
            step = max(1000, len(self.doc_ids) // 10)
            for chunk in mapstage.mapped(self.doc_ids, self.context(work), jobs):
                if (chunk.index + 1) * mapstage.CHUNK // step > chunk.index * mapstage.CHUNK // step:
                    self.say(f"  loaded {min(len(self.doc_ids), (chunk.index + 1) * mapstage.CHUNK)}/{len(self.doc_ids)}")
                if chunk.nquads is not None:
                    t = time.perf_counter()
                    db.bulk_load(path=str(chunk.nquads), format=ox.RdfFormat.N_QUADS)
                    loading += time.perf_counter() - t
                    chunk.nquads.unlink()
                for doc_id, member in chunk.members:
                    dumper.add(doc_id, member)
                for rows in chunk.rows:
                    index.add(rows)
                quads += chunk.quads
            db.bulk_extend(provenance)
            dumper.add("provenance", dump.member(provenance))
            t = time.perf_counter()
            db.optimize()
            db.flush()
            loading += time.perf_counter() - t
            del db
            report.seconds["map+load"] = time.perf_counter() - t2
            report.seconds["load"] = loading
            self.quads = quads + len(head) + len(provenance)
            self._finish(target, index, dumper)
        except BaseException:
            self._abandon(target, index, dumper)
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        report.quads = self.quads
        self.store.swap(target)

    def update(self, changed: set[str], jobs: int) -> bool:
        """Apply only what changed to a copy of the graph being served; False when a full write is the better way.

        The copy is a RocksDB checkpoint (hard links), so it costs no time whatever the graph's size.
        Documents whose record or resolution digest changed get their graph replaced; the shared
        graphs are compared quad by quad; the side index and the dump are copied and patched.
        """
        report, t2 = self.report, time.perf_counter()
        previous = self.store.current.resolve() if self.store.exists() else None
        state = self.load_state(previous) if previous else None
        if state is None or state.get("base") != self.minter.base or "quads" not in state \
                or state.get("graph") != graph_fingerprint() or state.get("writes", 0) != self.store.writes():
            # another base URI or other mapping code: every graph may differ; a server write since: any graph may
            return False
        base_dump, base_index = dump.path_for(previous), search_index.path_for(previous)
        if not (base_dump.exists() and dump.parts_path(base_dump).exists() and base_index.exists()):
            return False  # something beside the served graph is missing: write everything anew
        old = state["signatures"]
        affected = [d for d in self.doc_ids if d in changed or old.get(d) != self.signatures[d]]
        gone = [d for d in old if d not in self.signatures]
        if len(affected) + len(gone) > max(64, len(self.doc_ids) // 20):
            return False  # past a twentieth of the corpus the bulk loader is faster
        self.say(f"updating the served graph in place: {len(affected) + len(gone)} document graph(s) to replace")
        target = self.store.new_db_dir()
        ox.Store.read_only(str(previous)).backup(str(target))
        db = ox.Store(str(target))
        index = search_index.IndexWriter(search_index.path_for(target), base=base_index)
        dumper = dump.DumpWriter(dump.path_for(target), base=base_dump)
        try:
            quads = state["quads"]  # kept up to date here: counting a big store takes seconds
            # what a server write added is not the build's: a full build would not have it either
            made = {self.minter.document_graph(d) for d in self.doc_ids} | {
                self.minter.vocabulary_graph(), self.minter.entities_graph(), self.minter.retired_graph(),
                self.minter.provenance_graph()} | {self.minter.document_graph(d) for d in gone}
            # (not in the count, which is of what builds wrote)
            for graph in [g for g in db.named_graphs() if g.value not in made]:
                db.remove_graph(graph)
            db.clear_graph(ox.DefaultGraph())
            for doc_id in [*affected, *gone]:
                graph = ox.NamedNode(self.minter.document_graph(doc_id))
                quads -= sum(1 for _ in db.quads_for_pattern(None, None, None, graph))
                db.remove_graph(graph)
                index.remove(self.minter.document(doc_id))
            work = target.with_name(target.name + ".work")
            work.mkdir()
            try:
                fresh = {}
                for chunk in mapstage.mapped(affected, self.context(work), 1 if len(affected) < 128 else jobs):
                    if chunk.nquads is not None:
                        db.bulk_load(path=str(chunk.nquads), format=ox.RdfFormat.N_QUADS)
                    quads += chunk.quads
                    fresh.update(chunk.members)
                    for rows in chunk.rows:
                        index.add(rows)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            shared = self.shared_quads()
            graph_of = {"vocabulary": self.minter.vocabulary_graph(), "entities": self.minter.entities_graph(),
                        "retired": self.minter.retired_graph(), "provenance": self.minter.provenance_graph()}
            for name, graph_quads in shared.items():
                graph = ox.NamedNode(graph_of[name])
                before = set(db.quads_for_pattern(None, None, None, graph))
                after = set(graph_quads)
                for quad in before - after:
                    db.remove(quad)
                db.extend(after - before)
                quads += len(after - before) - len(before - after)
            provenance = shared.pop("provenance")
            dumper.add("shared", dump.member([q for graph in shared.values() for q in graph]))
            for doc_id in self.doc_ids:
                if doc_id in fresh:
                    dumper.add(doc_id, fresh[doc_id])
                elif not dumper.reuse(doc_id):
                    raise RuntimeError(f"the dump of {previous.name} lacks document {doc_id}")
            dumper.add("provenance", dump.member(provenance))
            db.flush()
            del db
            self.quads = quads
            report.seconds["map+load"] = time.perf_counter() - t2
            self._finish(target, index, dumper)
        except BaseException:
            self._abandon(target, index, dumper)
            raise
        report.incremental = len(affected) + len(gone)
        report.quads = self.quads
        self.store.swap(target)
        return True

    def _finish(self, target: Path, index: search_index.IndexWriter, dumper: dump.DumpWriter) -> None:
        """Move the side index and the dump into place beside the new database, and record how it was built."""
        t3 = time.perf_counter()
        index.finish(self.resolution, self.minter)
        dumper.finish()
        self._save_state(target)
        self.report.seconds["index+dump"] = time.perf_counter() - t3

    def _abandon(self, target: Path, index: search_index.IndexWriter, dumper: dump.DumpWriter) -> None:
        """After a failure: nothing of this build stays beside the served graph."""
        index.abandon()
        dumper.abandon()
        self.store.discard(target)

    def _save_state(self, db_dir: Path) -> None:
        path = db_dir.with_name(db_dir.name + self.STATE)
        path.write_text(json.dumps({"base": self.minter.base, "graph": graph_fingerprint(), "quads": self.quads,
                                    "writes": self.store.writes(), "signatures": self.signatures}))

    @classmethod
    def load_state(cls, db_dir: Path) -> Optional[dict]:
        path = db_dir.with_name(db_dir.name + cls.STATE)
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None


class _Counter:
    def __init__(self, iterable):
        self.iterable, self.n = iterable, 0

    def __iter__(self):
        for item in self.iterable:
            self.n += 1
            yield item
