"""The side index: SQLite FTS5 for name and text search, and facet tables for browsing.

Oxigraph has no text index, so the build writes this file beside each database
(``db-….search.sqlite``); it is swapped in together with the graph. It holds
only what the graph holds: entity names and variants, document titles and text,
and one row per (document, facet value) for counted browsing.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Iterable

from .records import ExtractedDocument
from .resolve import Resolution
from .uris import Minter

SCHEMA = """
CREATE VIRTUAL TABLE names USING fts5(iri UNINDEXED, kind UNINDEXED, label UNINDEXED, forms, weight UNINDEXED,
                                      tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE texts USING fts5(iri UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE documents (iri TEXT PRIMARY KEY, title TEXT, date TEXT, year INTEGER, doc_type TEXT, issuer TEXT);
CREATE TABLE facets (doc TEXT, facet TEXT, value TEXT, label TEXT);
CREATE INDEX facets_by_value ON facets (facet, value, doc);
CREATE INDEX facets_by_doc ON facets (doc, facet, value);
"""


def path_for(db_dir: Path) -> Path:
    return db_dir.with_name(db_dir.name + ".search.sqlite")


def write_index(target: Path, documents: Iterable[ExtractedDocument], resolution: Resolution, minter: Minter) -> None:
    tmp = target.with_suffix(".tmp")
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    db.executescript(SCHEMA)
    uri_of = {"person": minter.person, "organization": minter.organization, "place": minter.place}
    weights: dict[str, int] = {}
    from .extract.topics import load_concepts

    topic_labels = {c.slug: c.label for c in load_concepts()}
    for ed in documents:
        doc = ed.doc
        doc_iri = minter.document(doc.doc_id)
        year = int(doc.date.iso[:4]) if doc.date else None
        issuer = doc.issuing_body.text if doc.issuing_body else None
        db.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                   (doc_iri, doc.title, doc.date.iso if doc.date else None, year, doc.doc_type, issuer))
        db.execute("INSERT INTO texts VALUES (?, ?, ?)", (doc_iri, doc.title, doc.text))
        rows = [(doc_iri, "type", doc.doc_type, doc.doc_type.replace("_", " "))]
        if year:
            rows.append((doc_iri, "year", str(year), str(year)))
        for group, kind in ((ed.people, "person"), (ed.organizations, "organization"), (ed.places, "place")):
            for record in group:
                ident = resolution.of(doc.doc_id, record.key)
                iri = uri_of[kind](ident.slug)
                weights[iri] = weights.get(iri, 0) + 1
                rows.append((doc_iri, kind, iri, ident.name))
        if doc.issuing_body:
            for record in ed.organizations:
                if any(doc.issuing_body.start <= m.start < doc.issuing_body.end for m in record.mentions):
                    ident = resolution.of(doc.doc_id, record.key)
                    rows.append((doc_iri, "issuer", uri_of["organization"](ident.slug), ident.name))
                    break
        for topic in ed.topics:
            rows.append((doc_iri, "topic", minter.topic(topic.concept), topic_labels.get(topic.concept, topic.concept)))
        db.executemany("INSERT INTO facets VALUES (?, ?, ?, ?)", rows)
    for ident in resolution.identities.values():
        iri = uri_of[ident.kind](ident.slug)
        names = " | ".join([ident.name, *ident.alternate_names])
        db.execute("INSERT INTO names VALUES (?, ?, ?, ?, ?)", (iri, ident.kind, ident.name, names, weights.get(iri, 0)))
    db.commit()
    db.close()
    tmp.replace(target)
