"""The side index: SQLite FTS5 for name and text search, and facet tables for browsing.

Oxigraph has no text index, so the build writes this file beside each database
(``db-….search.sqlite``); it is swapped in together with the graph. It holds
only what the graph holds: entity names and variants, document titles and text,
and one row per (document, facet value) for counted browsing.

A full build writes a new file. A patch does not copy it (400 MB at 15,000 documents): the new
database's index is a symbolic link to the previous one's file, which the patch changes in one
transaction committed once the new graph is served (``IndexPatch``). The file records which
database it matches (table ``lineage``), so that a patch whose commit never happened is noticed.
"""
from __future__ import annotations

import os
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .records import ExtractedDocument
from .resolve import Identity, Resolution
from .store import SQLiteDraft
from .uris import Minter

ENTITY_FACETS = ("person", "organization", "place")  # the facets whose values are entities with a name

SCHEMA = """
CREATE VIRTUAL TABLE names USING fts5(iri UNINDEXED, kind UNINDEXED, label UNINDEXED, forms, weight UNINDEXED,
                                      tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE texts USING fts5(iri UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE documents (iri TEXT PRIMARY KEY, title TEXT, date TEXT, year INTEGER, doc_type TEXT, issuer TEXT);
CREATE TABLE facets (doc TEXT, facet TEXT, value TEXT, label TEXT);
CREATE INDEX facets_by_value ON facets (facet, value, doc);
CREATE INDEX facets_by_doc ON facets (doc, facet, value);
CREATE TABLE lineage (db TEXT NOT NULL);
"""


def path_for(db_dir: Path) -> Path:
    return db_dir.with_name(db_dir.name + ".search.sqlite")


@dataclass
class DocumentRows:
    """What one document puts in the side index: computed where the document is mapped (see kg.mapstage)."""
    iri: str
    document: tuple
    text: tuple
    facets: list[tuple]


def rows_for(ed: ExtractedDocument, resolution: Resolution, minter: Minter, topic_labels: dict[str, str]) -> DocumentRows:
    doc = ed.doc
    doc_iri = minter.document(doc.doc_id)
    year = int(doc.date.iso[:4]) if doc.date else None
    issuer = doc.issuing_body.text if doc.issuing_body else None
    uri_of = {"person": minter.person, "organization": minter.organization, "place": minter.place}
    facets = [(doc_iri, "type", doc.doc_type, doc.doc_type.replace("_", " "))]
    if year:
        facets.append((doc_iri, "year", str(year), str(year)))
    for group, kind in ((ed.people, "person"), (ed.organizations, "organization"), (ed.places, "place")):
        for record in group:
            ident = resolution.of(doc.doc_id, record.key)
            facets.append((doc_iri, kind, uri_of[kind](ident.slug), ident.name))
    if doc.issuing_body:
        for record in ed.organizations:
            if any(doc.issuing_body.start <= m.start < doc.issuing_body.end for m in record.mentions):
                ident = resolution.of(doc.doc_id, record.key)
                facets.append((doc_iri, "issuer", uri_of["organization"](ident.slug), ident.name))
                break
    for topic in ed.topics:
        facets.append((doc_iri, "topic", minter.topic(topic.concept), topic_labels.get(topic.concept, topic.concept)))
    return DocumentRows(doc_iri, (doc_iri, doc.title, doc.date.iso if doc.date else None, year, doc.doc_type, issuer),
                        (doc.title, doc.text), facets)


def topic_labels() -> dict[str, str]:
    from .extract.topics import load_concepts

    return {c.slug: c.label for c in load_concepts()}


class IndexWriter:
    """Writes a side index into a temporary file and moves it into place on ``finish``."""

    def __init__(self, target: Path):
        self.draft = SQLiteDraft(target, schema=SCHEMA)
        self.db = self.draft.db

    def add(self, rows: DocumentRows) -> None:
        cursor = self.db.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)", rows.document)
        # the text row shares the document's rowid, so a document is removed without scanning the texts
        self.db.execute("INSERT INTO texts (rowid, iri, title, body) VALUES (?, ?, ?, ?)",
                        (cursor.lastrowid, rows.iri, *rows.text))
        self.db.executemany("INSERT INTO facets VALUES (?, ?, ?, ?)", rows.facets)

    def remove(self, doc_iri: str) -> None:
        row = self.db.execute("SELECT rowid FROM documents WHERE iri = ?", (doc_iri,)).fetchone()
        if row is None:
            return
        self.db.execute("DELETE FROM texts WHERE rowid = ?", row)
        self.db.execute("DELETE FROM documents WHERE rowid = ?", row)
        self.db.execute("DELETE FROM facets WHERE doc = ?", (doc_iri,))

    def _done(self) -> None:
        self.db.execute("DELETE FROM lineage")
        self.db.execute("INSERT INTO lineage VALUES (?)", (_db_name(self.draft.target),))
        self.draft.finish()

    def finish(self, identities: Iterable[Identity], minter: Minter) -> None:
        """Entity names, weighted by how many documents name them, then the file is moved into place."""
        weights = dict(self.db.execute(f"SELECT value, COUNT(*) FROM facets WHERE facet IN {ENTITY_FACETS} GROUP BY value"))
        self.db.execute("DELETE FROM names")
        rows = []
        for ident in identities:
            iri = minter.entity(f"{ident.kind}:{ident.slug}")
            rows.append(_name_row(iri, ident, weights.get(iri, 0)))
        self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", rows)
        self._done()

    def abandon(self) -> None:
        self.draft.abandon()


def _db_name(index_path: Path) -> str:
    """The database an index path belongs to ('db-X' for 'db-X.search.sqlite')."""
    return index_path.name[:-len(".search.sqlite")]


def matches(index_path: Path, db_dir: Path) -> bool:
    """Does this index hold what the database holds? (False after a patch that swapped in its graph but died
    before its index's transaction was committed; and for an index written before the lineage was kept.)"""
    try:
        db = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        try:
            row = db.execute("SELECT db FROM lineage").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == db_dir.name


def linked_files(store_dir: Path, but: str = "") -> set[Path]:
    """The index files that a database's index links to (but database ``but``'s): they stay while a link does."""
    out = set()
    for link in Path(store_dir).glob("db-*.search.sqlite"):
        if link.is_symlink() and link.name != f"{but}.search.sqlite":
            out.add((link.parent / os.readlink(link)).resolve())
    return out


class IndexPatch(IndexWriter):
    """A patch's side index: the served index's file, changed in place.

    ``target`` (the new database's index path) becomes a link to that file. The changes stay in one open
    transaction, invisible to the server's readers, until ``commit`` after the new graph is swapped in;
    ``abandon`` rolls them back and removes the link.
    """

    def __init__(self, target: Path, base: Path):
        self.target = target
        real = base.resolve()
        target.unlink(missing_ok=True)
        os.symlink(real.name, target)  # the same folder: a relative link survives the store being moved
        self.db = sqlite3.connect(target, isolation_level=None)
        # pages stay in memory until the commit: a page spilled to the file early would lock the readers out
        self.db.execute("PRAGMA cache_size = -262144")
        self.db.execute("BEGIN IMMEDIATE")
        # facet rows per entity IRI that the patch added less those it removed (every entity the removed and the
        # added documents name is a key)
        self.weight_change: Counter[str] = Counter()

    def add(self, rows: DocumentRows) -> None:
        super().add(rows)
        self.weight_change.update(value for _, facet, value, _ in rows.facets if facet in ENTITY_FACETS)

    def remove(self, doc_iri: str) -> None:
        self.weight_change.subtract(dict(self.db.execute(
            f"SELECT value, COUNT(*) FROM facets WHERE doc = ? AND facet IN {ENTITY_FACETS} GROUP BY value", (doc_iri,))))
        super().remove(doc_iri)

    def finish_names(self, catalogue, minter: Minter, iris: Iterable[str]) -> None:
        """After the patch's documents were removed and added: the names made anew of these entities and of every
        entity the removed or added documents name (their name or weight may have changed). ``catalogue`` is the
        patched ``kg.catalog.Catalog``.

        An entity that had a name keeps its weight plus what this patch's facets changed; only a new one is
        counted in the facets, since counting a much-named person's thousands of rows costs a patch tenths of a
        second when the index is not in memory."""
        iris = sorted(set(iris) | set(self.weight_change))
        self.db.execute("CREATE TEMP TABLE gone_names (iri TEXT PRIMARY KEY)")
        self.db.executemany("INSERT INTO gone_names VALUES (?)", [(iri,) for iri in iris])
        weights = dict(self.db.execute("SELECT iri, weight FROM names WHERE iri IN (SELECT iri FROM gone_names)"))
        self.db.execute("DELETE FROM names WHERE iri IN (SELECT iri FROM gone_names)")
        rows = []
        for iri in iris:
            key = minter.entity_key(iri)
            ident = catalogue.identity(key) if key else None
            if ident is None:
                continue
            if iri in weights:
                weight = int(weights[iri]) + self.weight_change[iri]
            else:
                weight, = self.db.execute("SELECT COUNT(*) FROM facets WHERE facet = ? AND value = ?",
                                          (ident.kind, iri)).fetchone()
            rows.append(_name_row(iri, ident, weight))
        self.db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?)", rows)
        self._done()

    def _done(self) -> None:
        self.db.execute("DELETE FROM lineage")
        self.db.execute("INSERT INTO lineage VALUES (?)", (_db_name(self.target),))

    def commit(self) -> None:
        self.db.execute("COMMIT")
        self.db.close()

    def abandon(self) -> None:
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            self.db.close()
        finally:
            self.target.unlink(missing_ok=True)


def _name_row(iri: str, ident, weight: int) -> tuple:
    """A names row: an entity's label, every form it is known by, and how many documents name it."""
    return (iri, ident.kind, ident.name, " | ".join([ident.name, *ident.alternate_names]), weight)


def write_index(target: Path, documents: Iterable[tuple[ExtractedDocument, Resolution]], identities: Iterable[Identity],
                minter: Minter) -> None:
    """The side index of these documents (each with a resolution that covers it) and identities, in one go."""
    writer = IndexWriter(target)
    labels = topic_labels()
    for ed, resolution in documents:
        writer.add(rows_for(ed, resolution, minter, labels))
    writer.finish(identities, minter)
