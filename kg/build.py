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
from . import catalog, dump, mapstage, registry, search_index
from .namespaces import PREFIXES
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
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each stage
    # CPU seconds of the work that runs in worker processes (parse, extract, map), summed over them: where the
    # time of the combined stages parse+extract and map+load goes (on several cores they add up to more than
    # their stage's wall time)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def add_cpu(self, stage: str, seconds: float) -> None:
        self.cpu_seconds[stage] = self.cpu_seconds.get(stage, 0.0) + seconds

    @property
    def ok(self) -> bool:
        return not self.skipped


def discover(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every .txt and .xml (TEI) file under the paths, in a stable order."""
    return map(Path, _discovered(paths))


def _discovered(paths: Iterable[Path | str]) -> Iterator[str]:
    """``discover`` as strings: a build checks every file at every run, and 15,000 Path objects cost 0.2 s."""
    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            # in the order of Path objects (component by component), without making 15,000 of them to sort
            yield from sorted(_documents_under(path), key=lambda p: p.split(os.sep))
        elif os.path.exists(path):
            yield str(Path(path))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")


def _documents_under(folder: str) -> Iterator[str]:
    """The .txt and .xml files in a folder tree (not through links to folders, as ``Path.rglob``). A directory
    entry says whether it is a folder without a stat call, which makes this several times faster than
    ``rglob`` plus ``is_file`` on a big corpus: it runs at every build, even when nothing changed."""
    folders = [folder]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue  # unreadable, as rglob skips it
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif os.path.splitext(entry.name)[1].lower() in (".txt", ".xml") and entry.is_file():
                yield entry.path


def extract_file(path: Path) -> ExtractedDocument:
    return extract(parse_file(path))


def quads_for(documents: Iterable[tuple[ExtractedDocument, object]], identities: Iterable, exists: Callable[[str], bool],
              minter: Minter, started: datetime, hashes: list[tuple[str, str]]) -> Iterator[ox.Quad]:
    """Every quad of the graph: ``documents`` (each record with a resolution that covers it) and ``identities``
    are consumed once, one at a time; ``exists('kind:slug')`` says whether an identity is in the graph."""
    from mappings import entity_quads, map_document, provenance_quads, vocabulary_quads

    yield from vocabulary_quads(minter)
    yield from entity_quads(identities, minter, exists)
    for ed, resolution in documents:
        yield from map_document(ed, resolution, minter, __version__)
    yield from provenance_quads(minter, __version__, hashes, started)


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
    """Worker side of parallel extraction: (path, the file's encoded records or None, the problem with the file
    or None, CPU seconds spent parsing and extracting)."""
    started = time.process_time()
    parsed: Optional[float] = None  # when parsing ended
    encoded, problem = None, None
    try:
        if path.lower().endswith(".xml"):
            from .tei import parse_tei_file
            docs = parse_tei_file(Path(path))
        else:
            docs = [parse_file(Path(path))]
        parsed = time.process_time()
        encoded = [_encoded(extract(doc)) for doc in docs]
    except ParseError as exc:
        problem = exc.reason if exc.line is None else f"line {exc.line}: {exc.reason}"
    except (OSError, UnicodeError) as exc:
        problem = f"cannot read: {exc}"
    ended = time.process_time()
    parsed = ended if parsed is None else parsed
    return path, encoded, problem, (parsed - started, ended - parsed)


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
    later = {"build.py", "catalog.py", "cli.py", "dump.py", "evaluate.py", "mapstage.py", "query.py", "registry.py", "remote.py",
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
    files = [here / name for name in ("catalog.py", "dump.py", "mapstage.py", "namespaces.py", "registry.py", "resolve.py",
                                      "search_index.py", "uris.py")]
    files += sorted((here.parent / "mappings").glob("*.py")) + sorted(Path(ontology_path("topics.ttl")).parent.glob("*.ttl"))
    digest = hashlib.sha1(extraction_fingerprint().encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(paths: Iterable[Path | str], store_path: Path | str, base_uri: Optional[str] = None,
          progress: Optional[Callable[[str], None]] = None, jobs: Optional[int] = None,
          remote=None, incremental: bool = True, checksum: bool = False) -> BuildReport:
    """Add the documents under ``paths`` to the store's graph.

    Only files that changed since they were last built are parsed and extracted again; files that
    disappeared from a folder given in ``paths`` leave the graph. When few documents changed, only
    the identities they touch are resolved again and a copy of the served graph is patched; else
    every document's record is resolved and the graph is made anew. Either way the result equals a
    full rebuild, and it replaces the served graph in one step.
    """
    import gc

    # a build holds hundreds of thousands of small long-lived objects (records, identities) and makes
    # few reference cycles: the cyclic collector would walk them again and again (five times the cost
    # of decoding the records at 15,000 documents), so it waits until the build is over
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(paths, store_path, base_uri, progress, jobs, remote, incremental, checksum)
    finally:
        if enabled:
            gc.enable()


def _build(paths, store_path, base_uri, progress, jobs, remote, incremental, checksum) -> BuildReport:
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
        ahead = store.records_ahead()  # a build that failed may have left records the manifest does not know
        for path in _discovered(paths):
            found_paths.add(path)
            known = manifest.get(path)
            try:
                stat = os.stat(path)
                stats[path] = (stat.st_size, stat.st_mtime_ns)
                # same size and modification time: unchanged, as make and rsync judge; else (or when asked to
                # judge by content: a copy that kept the times) compare content
                same_stat = not checksum and bool(known) and [known.get("size"), known.get("mtime_ns")] == list(stats[path])
                file_hash = known["hash"] if same_stat else store.file_hash(path)
            except OSError as exc:
                report.skipped.append(Problem(path, f"cannot read: {exc}"))
                continue
            if known and known["hash"] == file_hash and known["fingerprint"] == fingerprint \
                    and all(store.record_name(i) in cached for i in _ids(known)) \
                    and (ahead is None or (ahead and path not in ahead)):
                seen.update({i: path for i in _ids(known)})
                report.unchanged.extend(_ids(known))
                if not same_stat:  # touched, not changed: remember the new time so it is not read again
                    known["size"], known["mtime_ns"] = stats[path]
                    restated = True
                continue
            hashes[path] = file_hash
            pending.append(path)
        # ids held by files that are not extracted again; a changed file may give its ids up to another
        owners = {doc_id: p for doc_id, p in owners.items() if p not in hashes}
        was_dirty = ahead is not None
        if pending:
            say(f"extracting {len(pending)} file(s) ({len(report.unchanged)} document(s) unchanged)")
            store.mark_dirty(pending)  # until the graph has them, the records saved below are ahead of it
        for done, (path, encoded, problem, (parse_cpu, extract_cpu)) in enumerate(
                _extracted(pending, jobs or os.cpu_count() or 1), 1):
            if done % 1000 == 0:
                say(f"  extracted {done}/{len(pending)}")
            report.add_cpu("parse", parse_cpu)
            report.add_cpu("extract", extract_cpu)
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
        if not report.built and not report.removed and store.exists() and _same_graph_code(store, minter) \
                and not was_dirty:
            report.documents_in_store = len(store.record_ids())
            if restated:
                store.save_manifest(manifest)
            return report  # nothing changed: the graph being served stays exactly as it is
        jobs = jobs or os.cpu_count() or 1
        # few documents changed: patch a copy of the served graph (a build that failed after saving records
        # leaves them ahead of the graph, and only a full build knows which)
        patch = _Patch.open(store, minter, report, started, say) if remote is None and incremental and not was_dirty else None
        if patch is None or not patch.apply({**{d: store.load_slim(d) for d in report.built},
                                             **{d: None for d in report.removed}}, jobs):
            _full(store, minter, report, started, say, jobs, remote)
        # only now is the graph up to date with these files: a failed write leaves them to be built again
        store.save_manifest(manifest)
        store.mark_clean()
    return report


def _full(store: StoreDir, minter: Minter, report: BuildReport, started, say, jobs: int, remote) -> None:
    """Resolve every document's record into a new catalogue and write the whole graph anew."""
    if remote is not None:
        _push_remote(store, remote, report, minter, started, say)
    else:
        _Graphs(store, minter, started, report, say).write_all(jobs)


def _resolve_all(store: StoreDir, catalogue: Path, minter: Minter, report: BuildReport, say) -> tuple:
    """Resolve the slim records into ``catalogue`` one document at a time; then the URI registry after this build,
    written to a draft, and the quads that retire the URIs no longer minted: (draft, quads)."""
    t1 = time.perf_counter()
    ids = store.record_ids()
    say(f"resolving identities across {len(ids)} document(s)")
    report.documents_in_store = len(catalog.resolve_into(catalogue, filter(None, map(store.load_slim, ids))))
    # URIs published before stay resolvable: merged ones redirect, vanished ones say they are gone. The
    # registry is read row by row and the new one written to a draft now: the build does not hold either
    resolved, published = catalog.Resolved(catalogue), registry.Published(store.path)
    try:
        draft = registry.Draft(store.path, registry.minted(resolved.with_members(), (d for d, _ in resolved.documents()),
                                                           resolved.meetings(), minter), published)
    finally:
        published.close()
        resolved.close()
    try:
        retired = registry.retired_quads(draft.retired(), minter)
    except BaseException:
        draft.abandon()
        raise
    report.seconds["resolve"] = time.perf_counter() - t1
    return draft, retired


def _resolved_records(store: StoreDir, catalogue: Path, doc_ids: list[str]) -> Iterator[tuple[ExtractedDocument, object]]:
    """Each document's full record with the part of the resolution that maps it, read for 500 documents at a time."""
    for start in range(0, len(doc_ids), 500):
        part = doc_ids[start:start + 500]
        resolution = catalog.resolution_for(catalogue, part)
        for doc_id in part:
            record = store.load_record(doc_id)
            if record is not None:
                yield record, resolution


def _same_graph_code(store: StoreDir, minter: Minter) -> bool:
    """Was the served graph made with this base URI and this mapping code? (Unknown for a remote store: yes.)"""
    state = _Graphs.load_state(store.current.resolve())
    if state is None:
        return (store.current.resolve() / "REMOTE").exists()
    return state.get("base") == minter.base and state.get("graph") == graph_fingerprint()


def _push_remote(store: StoreDir, remote, report: BuildReport, minter: Minter, started, say) -> None:
    """A remote SPARQL store holds the graph; the folder keeps the cache, the registry and the side index."""
    catalogue = store.path / "remote.catalog.sqlite"  # only while this build runs: a remote build is always full
    draft = None
    try:
        draft, retired = _resolve_all(store, catalogue, minter, report, say)
        t2 = time.perf_counter()
        resolved = catalog.Resolved(catalogue)
        try:
            hashes = list(resolved.documents())
            doc_ids = [doc_id for doc_id, _ in hashes]
            counted = _Counter(itertools.chain(quads_for(_resolved_records(store, catalogue, doc_ids), resolved.identities(),
                                                         resolved.has_identity, minter, started, hashes), retired))
            report.graphs_written, report.graphs_removed = remote.push(counted)
            report.quads = counted.n

            def extras(db_dir: Path) -> None:
                report.seconds["map+load"] = time.perf_counter() - t2
                t3 = time.perf_counter()
                write_index(search_index.path_for(db_dir), _resolved_records(store, catalogue, doc_ids),
                            resolved.identities(), minter)
                report.seconds["index"] = time.perf_counter() - t3

            store.write_marker(extras=extras)
        finally:
            resolved.close()
    except BaseException:
        if draft is not None:
            draft.abandon()
        raise
    finally:
        catalogue.unlink(missing_ok=True)
    draft.install()


# N-Quads mapped ahead of the loader, at most (plus the chunks in flight): Oxigraph's bulk loader
# parses and sorts on every core, so it runs alone rather than beside the mapping workers (measured
# at 3,750 documents: 114 s of loading instead of 165 s), and this bounds the disk the wave takes
WAVE_BYTES = 512 * 1024 * 1024


def _release_freed_memory() -> None:
    """Hand the heap pages that earlier stages freed back to the system (glibc's ``malloc_trim``; elsewhere
    nothing). Resolving and extracting free far more than they keep, and without this the loading stage would
    run on top of their high-water mark, which grows with the corpus."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


# table files a full build's store keeps open. Oxigraph sizes RocksDB's table cache from the process's file limit
# when it opens a store (the limit less its reserve), and here that limit is 20,000: every table file a build writes stayed
# open with its index and filter blocks in memory. Measured on the 15,000-document graph's 235 chunks, loaded one
# call each: the loading process grew 111 -> 169 MB with every file open and 108 -> 137 MB with 64, in the same time
# (369 s against 371 s), and the final optimize took 219 s against 254 s (one run each).
BUILD_OPEN_FILES = 64
_OXIGRAPH_FD_RESERVE = 48  # descriptors Oxigraph leaves to the rest of the process (DEFAULT_FD_RESERVE)


def _open_for_build(path: Path) -> ox.Store:
    """A new store for a full build, opened with at most ``BUILD_OPEN_FILES`` table files open. The process's
    file limit is lowered only while the store opens (Oxigraph reads it then) and is put back at once."""
    try:
        import resource
    except ImportError:  # not a Unix: Oxigraph picks its own figure there
        return ox.Store(str(path))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = BUILD_OPEN_FILES + _OXIGRAPH_FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft <= wanted:
        return ox.Store(str(path))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    try:
        return ox.Store(str(path))
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _write_shared(path: Path, dumper: dump.DumpWriter, graphs: dict[str, Callable[[], Iterable[ox.Quad]]]) -> int:
    """Write these graphs, made one at a time and each without duplicates, to one N-Quads file and each to
    its member of the dump; the quads written."""
    written = 0
    with open(path, "wb") as out:
        for name, make in graphs.items():
            graph_quads = list(dict.fromkeys(make()))
            data = ox.serialize(graph_quads, format=ox.RdfFormat.N_QUADS)
            out.write(data)
            dumper.add(name, dump.member(data))
            written += len(graph_quads)
    return written


def _bulk_load_mapped(db: ox.Store, path: Path) -> None:
    """Bulk-load one N-Quads file that this build serialized itself. Oxigraph's ``lenient`` skips checking its
    IRIs again: the minted ones are the base plus percent-encoded segments, and every IRI from outside (the base,
    a document's link, a curated authority) was checked by Oxigraph's own rules when it came in
    (``uris.iri_problem``). Measured on 40 chunks of the 15,000-document graph: the calls take 15 % less time,
    and with the compaction that follows 4 % less."""
    db.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)


def _load_wave(db: ox.Store, chunk_files: list[Path]) -> float:
    """Bulk-load these N-Quads files (mapped chunks, and in the first wave the shared graphs) one after another
    (one call each: a call holds up to a million quads in memory, so larger calls cost memory, and they do not
    spare the compaction that follows); the seconds it took."""
    started = time.perf_counter()
    for path in chunk_files:
        _bulk_load_mapped(db, path)
        path.unlink()
    return time.perf_counter() - started


class _Graphs:
    """Writes the whole graph of a local store anew, with its resolution catalogue, side index and dump."""

    STATE = ".build-state.json"  # beside each database: how it was built (base URI, mapping code, quads)

    def __init__(self, store: StoreDir, minter: Minter, started, report: BuildReport,
                 say: Callable[[str], None] = lambda message: None):
        self.store, self.minter, self.started, self.report, self.say = store, minter, started, report, say
        self.quads = 0

    def context(self, catalogue: Path, out_dir: Path, build: str) -> mapstage.MapContext:
        return mapstage.MapContext(str(self.store.path), str(catalogue), self.minter, __version__, str(out_dir), build,
                                   search_index.topic_labels())

    def write_all(self, jobs: int) -> None:
        """Resolve into the new database's catalogue, then map the documents on every core and bulk-load the
        mapped chunks in waves."""
        from mappings import build_quads, entity_quads, vocabulary_quads

        report = self.report
        target = self.store.new_db_dir()
        work = target.with_name(target.name + ".work")
        work.mkdir()
        db = _open_for_build(target)
        index = search_index.IndexWriter(search_index.path_for(target))
        draft = dumper = resolved = None
        loading, quads = 0.0, 0
        try:
            catalogue = catalog.path_for(target)
            draft, retired = _resolve_all(self.store, catalogue, self.minter, report, self.say)
            t2 = time.perf_counter()
            resolved = catalog.Resolved(catalogue)
            doc_ids = [doc_id for doc_id, _ in resolved.documents()]
            dumper = dump.DumpWriter(dump.path_for(target), documents=len(doc_ids))
            build, provenance = build_quads(self.minter, __version__, self.started)
            # the graphs every document shares go to the first wave as a file, like the mapped chunks: put in
            # with bulk_extend, they stayed in this process's memory through the whole load (53 MB of it at
            # 15,000 documents)
            shared_file = work / "shared.nq"
            quads += _write_shared(shared_file, dumper, {
                "vocabulary": lambda: vocabulary_quads(self.minter),
                "entities": lambda: entity_quads(resolved.identities(), self.minter, resolved.has_identity),
                "retired": lambda: retired})
            del retired
            wave, wave_bytes = [shared_file], shared_file.stat().st_size
            _release_freed_memory()
            self.say(f"mapping and loading {len(doc_ids)} document graph(s)")
            for chunk in mapstage.mapped(doc_ids, self.context(catalogue, work, build), jobs):
                if chunk.nquads is not None:
                    wave.append(chunk.nquads)
                    wave_bytes += chunk.nquads.stat().st_size
                for doc_id, member in chunk.members:
                    dumper.add(doc_id, member)
                for rows in chunk.rows:
                    index.add(rows)
                quads += chunk.quads
                report.add_cpu("map", chunk.cpu_seconds)
                if wave_bytes >= WAVE_BYTES:
                    loading += _load_wave(db, wave)
                    self.say(f"  loaded {min(len(doc_ids), (chunk.index + 1) * mapstage.CHUNK)}/{len(doc_ids)}")
                    wave, wave_bytes = [], 0
            loading += _load_wave(db, wave)
            db.bulk_extend(provenance)
            dumper.add("provenance", dump.member(provenance))
            t = time.perf_counter()
            db.optimize()
            db.flush()
            loading += time.perf_counter() - t
            del db
            report.seconds["map+load"] = time.perf_counter() - t2
            report.seconds["load"] = loading
            self.quads = quads + len(provenance)
            t3 = time.perf_counter()
            index.finish(resolved.identities(), self.minter)
            resolved.close()
            dumper.finish()
            _save_state(target, self.minter, self.quads, len(doc_ids), self.store.writes())
            report.seconds["index+dump"] = time.perf_counter() - t3
        except BaseException:
            if resolved is not None:
                resolved.close()
            if draft is not None:
                draft.abandon()
            _abandon(self.store, target, index, dumper)
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        report.quads = self.quads
        self.store.swap(target)
        draft.install()

    @classmethod
    def load_state(cls, db_dir: Path) -> Optional[dict]:
        path = db_dir.with_name(db_dir.name + cls.STATE)
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None


def _save_state(db_dir: Path, minter: Minter, quads: int, documents: int, writes: int) -> None:
    """Written once the database is closed: ``files`` is what the build left in its folder."""
    path = db_dir.with_name(db_dir.name + _Graphs.STATE)
    path.write_text(json.dumps({"base": minter.base, "graph": graph_fingerprint(), "quads": quads,
                                "documents": documents, "writes": writes, "files": _db_files(db_dir)}))


def _db_files(db_dir: Path) -> dict[str, int]:
    """A database's files and their sizes, but its info logs. Reading (the server, a backup) leaves them as they
    are; whatever opens the database for writing changes them (a new write-ahead log and manifest at least)."""
    return {e.name: e.stat().st_size for e in os.scandir(db_dir) if not e.name.startswith("LOG")}


def _abandon(store: StoreDir, target: Path, *drafts) -> None:
    """After a failure: nothing of this build stays beside the served graph (its side files' drafts, its database)."""
    for draft in drafts:
        if draft is not None:
            draft.abandon()
    store.discard(target)
    store.empty_trash()


def _patch_limit(documents: int) -> int:
    """Past a twentieth of the corpus, writing the whole graph with the bulk loader is faster than patching."""
    return max(64, documents // 20)


class _Patch:
    """Applies a few changed documents to a copy of the graph being served; the result equals a full build.

    The copy is a RocksDB checkpoint (hard links), so it costs no time whatever the graph's size. The
    resolution catalogue says which documents' graphs must be mapped again (those that changed, and
    those where a person is now named or numbered otherwise) and which entity descriptions changed.
    The catalogue is copied and patched; the side index is patched in place, in a transaction committed
    once the new graph is served; the dump's shards that did not change are hard links to the previous
    ones; the URI registry is updated for the URIs concerned only.
    """

    def __init__(self, store: StoreDir, minter: Minter, report: BuildReport, started, say, previous: Path, state: dict):
        self.store, self.minter, self.report, self.started, self.say = store, minter, report, started, say
        self.previous, self.state = previous, state

    @classmethod
    def open(cls, store: StoreDir, minter: Minter, report: BuildReport, started, say) -> Optional["_Patch"]:
        """None when the served graph cannot be patched: made with another base URI or other mapping code,
        written to by the server since (any graph may differ), or something beside it is missing."""
        previous = store.current.resolve() if store.exists() else None
        state = _Graphs.load_state(previous) if previous else None
        if state is None or state.get("base") != minter.base or "documents" not in state \
                or state.get("graph") != graph_fingerprint() or state.get("writes", 0) != store.writes():
            return None
        base_dump = dump.path_for(previous)
        if not all(p.exists() for p in (base_dump / dump.PARTS, search_index.path_for(previous),
                                         catalog.path_for(previous))) \
                or not search_index.matches(search_index.path_for(previous), previous):
            return None
        return cls(store, minter, report, started, say, previous, state)

    def apply(self, changed: dict, jobs: int) -> bool:
        """Patch the graph for these changed (slim record) or removed (None) documents; False when a full
        build is the better way."""
        if len(changed) > _patch_limit(self.state["documents"]):
            return False
        report, minter, t1 = self.report, self.minter, time.perf_counter()
        target = self.store.new_db_dir()
        cat = catalog.Catalog(catalog.path_for(target), base=catalog.path_for(self.previous))
        index = dumper = None
        try:
            hashes_before = cat.content_hashes(changed)
            change = cat.update(changed)
            doc_ids = cat.doc_ids()
            affected, gone = sorted(change.documents), sorted(change.removed)
            if len(affected) + len(gone) > _patch_limit(len(doc_ids)):
                cat.abandon()
                return False
            cat.db.commit()  # the mapping workers read it
            report.documents_in_store = len(doc_ids)
            report.seconds["resolve"] = time.perf_counter() - t1
            self.say(f"updating the served graph in place: {len(affected) + len(gone)} document graph(s) to replace")
            t2 = time.perf_counter()
            ox.Store.read_only(str(self.previous)).backup(str(target))
            db = ox.Store(str(target))
            index = search_index.IndexPatch(search_index.path_for(target), base=search_index.path_for(self.previous))
            dumper = dump.DumpWriter(dump.path_for(target), base=dump.path_for(self.previous))
            quads = self.state["quads"]  # kept up to date here: counting a big store takes seconds
            if self.state.get("files") != _db_files(self.previous):
                # opened for writing since its build, and not by the server (that would have been counted)
                self._clear_foreign(db, doc_ids, gone)
            for doc_id in (*affected, *gone):
                graph = ox.NamedNode(minter.document_graph(doc_id))
                quads -= sum(1 for _ in db.quads_for_pattern(None, None, None, graph))
                db.remove_graph(graph)
                index.remove(minter.document(doc_id))
            from mappings import build_quads
            build, build_record = build_quads(minter, __version__, self.started)
            quads += self._provenance(db, cat, affected, gone, hashes_before, build_record)
            work = target.with_name(target.name + ".work")
            work.mkdir()
            fresh = {}
            try:
                context = mapstage.MapContext(str(self.store.path), str(cat.tmp), minter, __version__, str(work), build,
                                              search_index.topic_labels())
                for chunk in mapstage.mapped(affected, context, 1 if len(affected) < 128 else jobs):
                    if chunk.nquads is not None:
                        _bulk_load_mapped(db, chunk.nquads)
                    quads += chunk.quads
                    self.report.add_cpu("map", chunk.cpu_seconds)
                    fresh.update(chunk.members)
                    for rows in chunk.rows:
                        index.add(rows)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            entities = self._entities(db, cat, change)
            registry_changes, retired = self._registry(db, cat, change, set(gone))
            quads += entities + retired
            # the dump: members of what did not change are copied as they are
            for name, moved in (("vocabulary", False), ("entities", bool(entities)), ("retired", bool(retired))):
                if moved or not dumper.reuse(name):
                    graph = {"vocabulary": minter.vocabulary_graph(), "entities": minter.entities_graph(),
                             "retired": minter.retired_graph()}[name]
                    dumper.add(name, dump.member(db.quads_for_pattern(None, None, None, ox.NamedNode(graph))))
            for doc_id in doc_ids:
                if doc_id in fresh:
                    dumper.add(doc_id, fresh[doc_id])
                elif not dumper.reuse(doc_id):
                    raise RuntimeError(f"the dump of {self.previous.name} lacks document {doc_id}")
            dumper.add("provenance", dump.member(self._build_records(db)))
            db.flush()
            del db
            report.seconds["map+load"] = time.perf_counter() - t2
            t3 = time.perf_counter()
            index.finish_names(cat, minter, _iris(minter, change))
            dumper.finish()
            cat.finish()
            _save_state(target, minter, quads, len(doc_ids), self.store.writes())
            report.seconds["index+dump"] = time.perf_counter() - t3
        except BaseException:
            _abandon(self.store, target, cat, index, dumper)
            raise
        report.incremental = len(affected) + len(gone)
        report.quads = quads
        self.store.swap(target)
        index.commit()  # the index's changes become visible with the graph they describe
        registry.save_changes(self.store.path, registry_changes)
        return True

    def _clear_foreign(self, db: ox.Store, doc_ids: list[str], gone: list[str]) -> None:
        """What a server write added is not the build's: a full build would not have it either (and it is not in
        the count, which is of what builds wrote)."""
        minter = self.minter
        made = {minter.document_graph(d) for d in (*doc_ids, *gone)} | {
            minter.vocabulary_graph(), minter.entities_graph(), minter.retired_graph(), minter.provenance_graph()}
        for graph in [g for g in db.named_graphs() if g.value not in made]:
            db.remove_graph(graph)
        db.clear_graph(ox.DefaultGraph())

    def _provenance(self, db: ox.Store, cat, affected: list[str], gone: list[str], hashes_before: dict,
                    build_record: list[ox.Quad]) -> int:
        """This build's activity (``build_record``) replaces the record of which build generated the graphs it
        replaces (the mapping adds the new record); builds that no longer generated any graph leave. The change in
        quads."""
        minter, graph = self.minter, ox.NamedNode(self.minter.provenance_graph())
        generated = ox.NamedNode(PREFIXES["prov"] + "wasGeneratedBy")
        hashes_now = cat.content_hashes(affected)
        stale: list[ox.Quad] = []
        for doc_id in (*affected, *gone):
            stale += db.quads_for_pattern(ox.NamedNode(minter.document_graph(doc_id)), None, None, graph)
            content = hashes_before.get(doc_id) or hashes_now.get(doc_id)
            stale += db.quads_for_pattern(ox.NamedNode(minter.extraction(doc_id, content, __version__)), None, None, graph)
        stale += db.quads_for_pattern(ox.NamedNode(minter.dataset()), ox.NamedNode(PREFIXES["dcterms"] + "modified"),
                                      None, graph)
        for quad in stale:
            db.remove(quad)
        builds = {q.subject for q in db.quads_for_pattern(None, ox.NamedNode(PREFIXES["rdf"] + "type"),
                                                           ox.NamedNode(PREFIXES["akg"] + "Build"), graph)}
        for build in builds:
            if next(iter(db.quads_for_pattern(None, generated, build, graph)), None) is None:
                done = list(db.quads_for_pattern(build, None, None, graph))
                stale += done
                for quad in done:
                    db.remove(quad)
        fresh = [q for q in dict.fromkeys(build_record) if q not in db]
        db.extend(fresh)
        return len(fresh) - len(stale)

    def _build_records(self, db: ox.Store) -> list[ox.Quad]:
        """The provenance graph but for what each document's graph says of itself (in the document's dump
        member): the builds, the software and the dataset."""
        minter, graph = self.minter, ox.NamedNode(self.minter.provenance_graph())
        subjects = {q.subject for q in db.quads_for_pattern(None, ox.NamedNode(PREFIXES["rdf"] + "type"),
                                                             ox.NamedNode(PREFIXES["akg"] + "Build"), graph)}
        subjects |= {ox.NamedNode(minter.software()), ox.NamedNode(minter.dataset())}
        return [q for s in sorted(subjects, key=str) for q in db.quads_for_pattern(s, None, None, graph)]

    def _entities(self, db: ox.Store, cat, change) -> int:
        """The descriptions of the identities that changed, replaced quad by quad; the change in quads."""
        from mappings import entity_quads

        before, after = dict(change.before), dict(change.after)

        def existed(key: str) -> bool:
            return key in change.before or (key not in change.after and cat.has_identity(key))

        # a place is part of another only while both have an identity: the parts of a place that came or went
        gazetteer = default_gazetteer()
        for key in {k for k in set(change.before) ^ set(change.after) if k.startswith("place:")}:
            parts = [e for (kind, _), e in gazetteer.entries.items() if kind == "place" and e.part_of == key.split(":", 1)[1]]
            for entry in parts:
                part = f"place:{entry.slug}"
                ident = after.get(part) or cat.identity(part)
                if ident is not None and part not in before and part not in after:
                    before[part] = after[part] = ident
        old = set(entity_quads(before.values(), self.minter, existed))
        new = set(entity_quads(after.values(), self.minter, cat.has_identity))
        for quad in old - new:
            db.remove(quad)
        db.extend(new - old)
        return len(new - old) - len(old - new)

    def _registry(self, db: ox.Store, cat, change, gone: set[str]) -> tuple[dict, int]:
        """The URI registry's entries for the URIs this patch minted again or no longer mints, and the retired
        graph with them: the entries that change (written after the swap) and the change in quads."""
        minter = self.minter
        current: dict[str, dict] = {}
        for ident in change.after.values():
            current[minter.entity(f"{ident.kind}:{ident.slug}")] = {
                "kind": ident.kind, "name": ident.name, "members": sorted(map(list, ident.members))}
        vanished = {minter.entity(key) for key in change.before}
        for doc_id in change.documents:
            current[minter.document(doc_id)] = {"kind": "document", "members": [[doc_id, ""]]}
        vanished |= {minter.document(d) for d in gone}
        for minted in set(change.meetings_before.values()) | set(change.meetings_after.values()):
            accounts = cat.meeting_accounts(minted)
            if accounts:
                current[minter.meeting(*minted)] = {"kind": "meeting", "members": [list(a) for a in accounts]}
            else:
                vanished.add(minter.meeting(*minted))
        published = registry.Published(self.store.path)
        try:
            changes = registry.patch(published, current, vanished - set(current))
            old = set(registry.retired_quads(((u, published[u]) for u in changes if u in published), minter))
        finally:
            published.close()
        new = set(registry.retired_quads(changes.items(), minter))
        for quad in old - new:
            db.remove(quad)
        db.extend(new - old)
        return changes, len(new - old) - len(old - new)


def _iris(minter: Minter, change) -> list[str]:
    """The URIs of the identities a patch changed, before and after."""
    return [minter.entity(key) for key in (*change.before, *change.after)]


class _Counter:
    def __init__(self, iterable):
        self.iterable, self.n = iterable, 0

    def __iter__(self):
        for item in self.iterable:
            self.n += 1
            yield item
