"""The registry of published URIs: once a build has published a URI, it never breaks.

Kept with the store (``uri-registry.sqlite``, one row per URI). When a later build no longer
mints a URI, the registry says what became of it: merged into another entity (the server answers
``301`` to the survivor and the graph says ``dcterms:isReplacedBy``), or gone (``410 Gone``),
never a silent ``404``. An incremental build reads and writes only the rows it concerns; a full
build writes a new registry beside it and settles each old URI's fate there, holding neither.
"""
from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import pyoxigraph as ox

from .namespaces import PREFIXES
from .resolve import Identity
from .uris import Minter

FILE = "uri-registry.sqlite"
LEGACY_FILE = "uri-registry.json"  # what stores kept before: read once, then replaced
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (uri TEXT PRIMARY KEY, status TEXT NOT NULL, replaced_by TEXT, entry TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_replaced_by ON entries (replaced_by);
"""


def _connect(store_dir: Path) -> sqlite3.Connection:
    db = sqlite3.connect(Path(store_dir) / FILE)
    db.executescript(SCHEMA)
    legacy = Path(store_dir) / LEGACY_FILE
    if legacy.exists():
        with db:
            db.execute("DELETE FROM entries")
            _write(db, json.loads(legacy.read_text(encoding="utf-8")))
        legacy.unlink()
    return db


def _write(db: sqlite3.Connection, entries: dict[str, dict]) -> None:
    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                   [(uri, e["status"], e.get("replaced_by"), json.dumps(e, separators=(",", ":")))
                    for uri, e in entries.items()])


def load(store_dir: Path) -> dict:
    """Every entry: for a full build, which decides the fate of every URI it no longer mints."""
    if not (Path(store_dir) / FILE).exists() and not (Path(store_dir) / LEGACY_FILE).exists():
        return {}
    db = _connect(store_dir)
    try:
        return {uri: json.loads(entry) for uri, entry in db.execute("SELECT uri, entry FROM entries")}
    finally:
        db.close()


def save_changes(store_dir: Path, changes: dict[str, dict]) -> None:
    """Write these entries (after an incremental build), in one transaction."""
    db = _connect(store_dir)
    try:
        with db:
            _write(db, changes)
    finally:
        db.close()


def lookup(store_dir: Path, uri: str) -> Optional[dict]:
    """One URI's entry, or None: what the server asks of a URI it does not find in the graph."""
    path = Path(store_dir) / FILE
    if not path.exists():
        legacy = Path(store_dir) / LEGACY_FILE  # a store no build has touched since the registry moved
        return json.loads(legacy.read_text(encoding="utf-8")).get(uri) if legacy.exists() else None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT entry FROM entries WHERE uri = ?", (uri,)).fetchone()
        return json.loads(row[0]) if row else None
    finally:
        db.close()


class Published(Mapping):
    """The registry as a mapping read row by row: an incremental build asks for a few URIs only."""

    def __init__(self, store_dir: Path):
        self.db = _connect(store_dir)

    def __getitem__(self, uri: str) -> dict:
        row = self.db.execute("SELECT entry FROM entries WHERE uri = ?", (uri,)).fetchone()
        if row is None:
            raise KeyError(uri)
        return json.loads(row[0])

    def __iter__(self) -> Iterator[str]:
        return (uri for uri, in self.db.execute("SELECT uri FROM entries"))

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def __contains__(self, uri) -> bool:
        return self.db.execute("SELECT 1 FROM entries WHERE uri = ?", (uri,)).fetchone() is not None

    def items(self) -> Iterator[tuple[str, dict]]:
        """Every entry, read as it goes: a full build decides every URI's fate without holding them all."""
        return ((uri, json.loads(entry)) for uri, entry in self.db.execute("SELECT uri, entry FROM entries"))

    def pointing_at(self, uris: set[str]) -> set[str]:
        """The URIs recorded as replaced by one of these."""
        return {uri for target in uris for uri, in self.db.execute(
            "SELECT uri FROM entries WHERE replaced_by = ? AND status = 'replaced'", (target,))}

    def close(self) -> None:
        self.db.close()


class Draft:
    """A full build's registry, written beside the one in use as soon as it is known, so that the build does not
    hold it in memory while it writes the graph; it takes the old one's place once the new graph is served.

    The URIs this build mints go in first; then each URI published before and no longer minted is given
    its fate, looked up in the draft (``_MintedTable``): neither registry is held in memory."""

    def __init__(self, store_dir: Path, minted_now: Iterable[tuple[str, dict]], published: Mapping):
        self.path = Path(store_dir) / (FILE + ".draft")
        self.path.unlink(missing_ok=True)
        db = sqlite3.connect(self.path)
        try:
            db.executescript(SCHEMA)
            with db:
                current = _MintedTable(db, minted_now)
                fates = {}
                for uri, old in published.items():
                    if uri not in current:
                        fates[uri] = _fate(old, published, current.__contains__, current)
                        if len(fates) >= 1000:
                            _write(db, fates)
                            fates = {}
                _write(db, fates)
        except BaseException:
            db.close()
            self.path.unlink(missing_ok=True)
            raise
        db.close()

    def retired(self) -> Iterator[tuple[str, dict]]:
        """The entries of URIs no longer minted (replaced or gone), by URI."""
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            yield from ((uri, json.loads(entry)) for uri, entry in
                        db.execute("SELECT uri, entry FROM entries WHERE status != 'live' ORDER BY uri"))
        finally:
            db.close()

    def install(self) -> None:
        os.replace(self.path, self.path.with_name(FILE))

    def abandon(self) -> None:
        self.path.unlink(missing_ok=True)


MEMBERS_PER_BATCH = 20_000  # records of minted URIs written to the draft at once


class _MintedTable:
    """The URIs a full build mints, written live into the draft, with a table of what each stands for: what
    ``_fate`` asks of them, answered by SQLite. (A patch's few are a ``_Minted`` dict.)"""

    def __init__(self, db: sqlite3.Connection, minted_now: Iterable[tuple[str, dict]]):
        self.db = db
        db.execute("CREATE TEMP TABLE members (kind TEXT NOT NULL, doc TEXT NOT NULL, key TEXT NOT NULL, uri TEXT NOT NULL)")
        db.execute("CREATE TEMP TABLE wanted_docs (doc TEXT PRIMARY KEY)")
        batch: list[tuple[str, dict]] = []
        held = 0
        for uri, entry in minted_now:
            batch.append((uri, entry))
            held += len(entry["members"])
            # the most named people come first and each holds a record per mention: counted in entries alone,
            # the first batch held 250,000 records at 15,000 documents (64,000 at 3,750), a peak that grew
            # with the corpus
            if len(batch) == 1000 or held >= MEMBERS_PER_BATCH:
                self._add(batch)
                batch, held = [], 0
        self._add(batch)
        db.execute("CREATE INDEX temp.members_of ON members (kind, doc, key)")

    def _add(self, batch: list[tuple[str, dict]]) -> None:
        _write(self.db, _live(dict(batch)))
        self.db.executemany("INSERT INTO members VALUES (?, ?, ?, ?)",
                            [(e["kind"], m[0], m[1], uri) for uri, e in batch for m in e["members"]])

    def __contains__(self, uri: str) -> bool:
        return self.db.execute("SELECT 1 FROM entries WHERE uri = ? AND status = 'live'", (uri,)).fetchone() is not None

    def owner(self, kind: str, member: list) -> Optional[str]:
        # two meetings of one document and date stand for the same (doc_id, date): the last minted holds it, as in
        # ``_Minted``'s dict
        row = self.db.execute("SELECT uri FROM members WHERE kind = ? AND doc = ? AND key = ? ORDER BY rowid DESC LIMIT 1",
                              (kind, *member)).fetchone()
        return row[0] if row else None

    def sharing(self, kind: str, docs: set[str]) -> Iterator[tuple[str, dict, int]]:
        self.db.execute("DELETE FROM wanted_docs")
        self.db.executemany("INSERT INTO wanted_docs VALUES (?)", [(d,) for d in docs])
        for uri, entry, shared in self.db.execute(
                "SELECT e.uri, e.entry, COUNT(DISTINCT m.doc) FROM members m JOIN entries e ON e.uri = m.uri "
                "WHERE m.kind = ? AND m.doc IN (SELECT doc FROM wanted_docs) GROUP BY e.uri ORDER BY MIN(e.rowid)",
                (kind,)).fetchall():
            yield uri, json.loads(entry), shared


class _Minted:
    """The URIs a patch mints again, held in a dict: what ``_fate`` asks of them."""

    def __init__(self, current: dict[str, dict]):
        self.current = current
        self.owners = {(entry["kind"], *member): uri for uri, entry in current.items() for member in entry["members"]}

    def __contains__(self, uri: str) -> bool:
        return uri in self.current

    def owner(self, kind: str, member: list) -> Optional[str]:
        return self.owners.get((kind, *member))

    def sharing(self, kind: str, docs: set[str]) -> Iterator[tuple[str, dict, int]]:
        """(uri, entry, documents shared) of the minted URIs of this kind whose records are in these documents,
        in the order they were minted."""
        for uri, entry in self.current.items():
            if entry["kind"] == kind:
                shared = {m[0] for m in entry["members"]} & docs
                if shared:
                    yield uri, entry, len(shared)


def minted(identities: Iterable[tuple[Identity, list[tuple[str, str]]]], doc_ids: Iterable[str],
           meetings: Iterable[tuple[tuple, list[tuple[str, str]]]], minter: Minter) -> Iterator[tuple[str, dict]]:
    """Every entity, document and meeting URI this build publishes, with what it stands for: from each
    identity with its records' (doc_id, key), each document, and each meeting's minted URI parts with its
    accounts' (doc_id, ISO date), as ``kg.catalog.Resolved`` gives them."""
    for ident, members in identities:
        yield minter.entity(f"{ident.kind}:{ident.slug}"), {"kind": ident.kind, "name": ident.name,
                                                             "members": sorted(map(list, members))}
    for doc_id in doc_ids:
        yield minter.document(doc_id), {"kind": "document", "members": [[doc_id, ""]]}
    for parts, accounts in meetings:
        yield minter.meeting(*parts), {"kind": "meeting", "members": sorted(map(list, accounts))}


def patch(registry: Published, current: dict[str, dict], vanished: set[str]) -> dict[str, dict]:
    """The registry's changes after a build that minted again only some URIs (``current``) and no longer mints
    ``vanished``: the entries that change (to be written with ``save_changes``).

    What a vanished URI stood for went to URIs minted again in the same build, since an entity's
    records only ever join others of its block (see ``kg.resolve.block_of``).
    """
    changes = _live(current)
    new = _Overlay(changes, registry)
    minted_again = _Minted(current)
    # what pointed at a URI that vanished must find its new heir, as must the vanished URIs themselves
    again = set(vanished) | registry.pointing_at(vanished)
    for uri in sorted(again - set(current)):
        if uri in registry:
            changes[uri] = _fate(registry[uri], registry, lambda u: u in new and new[u]["status"] == "live", minted_again)
    return {uri: e for uri, e in changes.items() if registry.get(uri) != e}


class _Overlay(Mapping):
    """The registry as it will be: these changes over the entries as they were."""

    def __init__(self, changes: dict, base: Mapping):
        self.changes, self.base = changes, base

    def __getitem__(self, uri: str) -> dict:
        return self.changes[uri] if uri in self.changes else self.base[uri]

    def __contains__(self, uri) -> bool:
        return uri in self.changes or uri in self.base

    def __iter__(self):
        raise NotImplementedError("an overlay is only looked into")

    def __len__(self) -> int:
        raise NotImplementedError("an overlay is only looked into")


def _live(current: dict[str, dict]) -> dict:
    return {uri: {"kind": e["kind"], "status": "live", "members": e["members"], **({"name": e["name"]} if "name" in e else {})}
            for uri, e in current.items()}


def _fate(old: dict, registry: Mapping, live: Callable[[str], bool], current) -> dict:
    """What became of a URI no longer minted: replaced by the live URI that took most of what it stood for, or gone.
    ``registry`` holds the entries as they were; ``current`` (a ``_Minted`` or ``_MintedTable``) what this build mints."""
    if old["status"] == "replaced" and live(old.get("replaced_by")):
        return old
    # where did the things it stood for go? the URI that took most of them survives it
    heirs = Counter(heir for heir in (current.owner(old["kind"], m) for m in old.get("members", [])) if heir is not None)
    if old["status"] == "replaced":
        target = old.get("replaced_by")
        while target in registry and registry[target]["status"] == "replaced" and target not in current:
            target = registry[target].get("replaced_by")  # follow a chain of merges to the live end
        if target in current:
            return {**old, "replaced_by": target}
    if not heirs and old.get("name"):
        # the same documents now name it otherwise ('Ivanov' became 'Pavel Ivanov'): a compatible name there
        for candidate, entry, shared in current.sharing(old["kind"], {m[0] for m in old.get("members", [])}):
            if _same(old, entry):
                heirs[candidate] = shared
    if heirs:
        return {"kind": old["kind"], "status": "replaced", "replaced_by": heirs.most_common(1)[0][0],
                "members": old.get("members", []), **({"name": old["name"]} if "name" in old else {})}
    return {"kind": old["kind"], "status": "gone", "members": old.get("members", [])}


def _same(old: dict, entry: dict) -> bool:
    from . import names

    if old["kind"] == "person":
        return names.same_person(old["name"], entry.get("name", ""))
    return names.slugify(old["name"]) == names.slugify(entry.get("name", ""))


def retired_quads(entries: Iterable[tuple[str, dict]], minter: Minter) -> list[ox.Quad]:
    """The retired graph of these (uri, entry) pairs: what was replaced says by what, and all are deprecated."""
    graph = ox.NamedNode(minter.retired_graph())
    replaced = ox.NamedNode(PREFIXES["dcterms"] + "isReplacedBy")
    deprecated = ox.NamedNode(PREFIXES["owl"] + "deprecated")
    true = ox.Literal("true", datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean"))
    out = []
    for uri, entry in sorted(entries):
        if entry["status"] == "replaced":
            out.append(ox.Quad(ox.NamedNode(uri), replaced, ox.NamedNode(entry["replaced_by"]), graph))
            out.append(ox.Quad(ox.NamedNode(uri), deprecated, true, graph))
        elif entry["status"] == "gone":
            out.append(ox.Quad(ox.NamedNode(uri), deprecated, true, graph))
    return out
