"""The pipeline end to end: parse -> extract -> resolve -> map -> load."""
from __future__ import annotations

import itertools
import os
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
from . import registry, search_index
from .resolve import resolve
from .search_index import write_index
from .store import StoreDir
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


def slim(ed: ExtractedDocument) -> ExtractedDocument:
    """What resolution and provenance need of a document: its entities and identity, not its text."""
    import dataclasses

    doc = dataclasses.replace(ed.doc, text="", notes=[], warnings=[])
    keep = lambda records: [dataclasses.replace(r, mentions=[]) for r in records]  # noqa: E731
    meetings = [dataclasses.replace(m, topics=[]) for m in ed.meetings]  # dates and participants: for parallel accounts
    return ExtractedDocument(doc=doc, people=keep(ed.people), organizations=keep(ed.organizations),
                             places=keep(ed.places), meetings=meetings, authors=ed.authors,
                             translators=ed.translators, addressees=ed.addressees)


def _ids(entry: dict) -> list[str]:
    """The documents a manifest entry holds: a TEI volume holds several."""
    return entry.get("doc_ids") or [entry["doc_id"]]


def _extract_one(path: str):
    """Worker side of parallel extraction: the file's records, or the problem with the file."""
    try:
        if path.lower().endswith(".xml"):
            from .tei import parse_tei_file
            return path, [extract(doc) for doc in parse_tei_file(Path(path))], None
        return path, [extract_file(Path(path))], None
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
    files = sorted([*here.glob("*.py"), *(here / "extract").glob("*.py"), ontology_path("topics.ttl")])
    for directory in gazetteer_dirs():
        files += sorted(Path(directory).glob("*.tsv"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(paths: Iterable[Path | str], store_path: Path | str, base_uri: Optional[str] = None,
          progress: Optional[Callable[[str], None]] = None, jobs: Optional[int] = None,
          remote=None) -> BuildReport:
    """Add the documents under ``paths`` to the store's graph.

    Only files that changed since they were last built are parsed and extracted again; files that
    disappeared from a folder given in ``paths`` leave the graph. The graph is then made anew from
    every document's record, so the result equals a full rebuild, and swapped in at once.
    """
    report = BuildReport()
    store = StoreDir(store_path)
    minter = Minter(base_uri) if base_uri else Minter()
    started = datetime.now(timezone.utc).replace(microsecond=0)
    say = progress or (lambda message: None)
    default_gazetteer()
    paths = [Path(p) for p in paths]
    with store.lock():
        t0 = time.perf_counter()
        fingerprint = extraction_fingerprint()
        manifest = store.manifest()
        seen: dict[str, str] = {}
        found_paths: set[str] = set()
        hashes: dict[str, str] = {}
        pending: list[str] = []
        for path in discover(paths):
            found_paths.add(str(path))
            try:
                file_hash = store.file_hash(path)
            except OSError as exc:
                report.skipped.append(Problem(str(path), f"cannot read: {exc}"))
                continue
            known = manifest.get(str(path))
            if known and known["hash"] == file_hash and known["fingerprint"] == fingerprint \
                    and all(store.record_path(i).exists() for i in _ids(known)):
                seen.update({i: str(path) for i in _ids(known)})
                report.unchanged.extend(_ids(known))
                continue
            hashes[str(path)] = file_hash
            pending.append(str(path))
        for path, eds, problem in _extracted(pending, jobs or os.cpu_count() or 1):
            if problem is not None:
                report.skipped.append(Problem(path, problem))
                say(f"skipped {path}: {problem}")
                continue
            ids = []
            for ed in eds:
                doc_id = ed.doc.doc_id
                owner = seen.get(doc_id) or next((p for p, m in manifest.items()
                                                  if doc_id in _ids(m) and p != path and Path(p).exists()), None)
                if owner:
                    report.skipped.append(Problem(path, f"document id {doc_id!r} is already used by {owner}"))
                    continue
                seen[doc_id] = path
                for warning in ed.doc.warnings:
                    report.warnings.append(Problem(path, warning))
                store.save_record(ed)
                ids.append(doc_id)
                report.built.append(doc_id)
            for gone in set(_ids(manifest[path])) - set(ids) if path in manifest else ():
                store.drop_record(gone)  # a document no longer in the volume
                report.removed.append(gone)
            if ids:
                manifest[path] = {"doc_id": ids[0], "doc_ids": ids, "hash": hashes[path], "fingerprint": fingerprint}
        # files gone from a folder that was given: their documents leave the graph
        for folder in (p for p in paths if p.is_dir()):
            for known_path, entry in list(manifest.items()):
                inside = Path(known_path).resolve().is_relative_to(folder.resolve())
                if inside and known_path not in found_paths and not Path(known_path).exists():
                    for doc_id in _ids(entry):
                        store.drop_record(doc_id)
                        report.removed.append(doc_id)
                    del manifest[known_path]
        report.seconds["parse+extract"] = time.perf_counter() - t0
        if not report.built and not report.removed and store.exists():
            report.documents_in_store = len(store.record_ids())
            return report  # nothing changed: the graph being served stays exactly as it is
        t1 = time.perf_counter()
        # stream: resolution holds only the entities of each document, mapping loads one document at a time
        light = [slim(ed) for ed in store.load_records()]
        report.documents_in_store = len(light)
        resolution = resolve(light)
        # URIs published before stay resolvable: merged ones redirect, vanished ones say they are gone
        uris = registry.update(registry.load(store.path), registry.minted(store.load_records(), resolution, minter))
        retired = registry.retired_quads(uris, minter)
        report.seconds["resolve"] = time.perf_counter() - t1
        t2 = time.perf_counter()
        counted = _Counter(itertools.chain(quads_for(store.load_records(), minter, started, resolution, light), retired))

        # the side index (search, facets) and the dump are written next to the new database and swapped in with it
        def extras(db_dir: Path) -> None:
            report.seconds["map+load"] = time.perf_counter() - t2
            t3 = time.perf_counter()
            write_index(search_index.path_for(db_dir), store.load_records(), resolution, minter)
            if remote is None:
                write_dump(db_dir)  # a remote store's own dump tools serve big installations better
            report.seconds["index+dump"] = time.perf_counter() - t3

        if remote is None:
            store.write_new(counted, extras=extras)
        else:
            # a remote SPARQL store holds the graph; the folder keeps the cache, the registry and the side index
            report.graphs_written, report.graphs_removed = remote.push(counted)
            store.write_marker(extras=extras)
        registry.save(store.path, uris)
        # only now is the graph up to date with these files: a failed write leaves them to be built again
        store.save_manifest(manifest)
        report.quads = counted.n
    return report


def write_dump(db_dir: Path) -> Path:
    """The whole graph as gzipped N-Quads, for bulk download (served at /dumps/)."""
    import gzip

    target = db_dir.with_name(db_dir.name + ".nq.gz")
    tmp = target.with_suffix(".tmp")
    store = ox.Store.read_only(str(db_dir))
    with gzip.open(tmp, "wb", compresslevel=6) as out:
        store.dump(out, ox.RdfFormat.N_QUADS)
    del store
    tmp.replace(target)
    return target


class _Counter:
    def __init__(self, iterable):
        self.iterable, self.n = iterable, 0

    def __iter__(self):
        for item in self.iterable:
            self.n += 1
            yield item
