"""Mapping: extracted records -> RDF quads, one readable module per kind of thing.

- ``document``: the catalogue record, archival reference, heading and notes
- ``meeting``: events, participation nodes with roles
- ``person``, ``organization``, ``place``: identities in the shared entities graph
- ``topic``: the vocabularies and topic assignments
- ``evidence``: Web Annotations with quote and position selectors
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable, Optional

import pyoxigraph as ox

from kg.gazetteer import RELATIONS, Gazetteer, default_gazetteer, default_positions, load_authorities
from kg.namespaces import akg, dcterms, prov, rdfs, schema, xsd
from kg.records import ExtractedDocument
from kg.resolve import Identity, Resolution
from kg.uris import Minter

from ._rdf import Graph, Term, typed
from .document import document_quads
from .meeting import meeting_quads
from .organization import organization_quads
from .person import person_quads
from .place import place_quads
from .topic import vocabulary_quads

__all__ = ["document_graph", "map_document", "entity_quads", "vocabulary_quads", "provenance_quads", "build_quads",
           "generated_quads"]


def document_graph(ed: ExtractedDocument, res: Resolution, minter: Minter, version: str) -> Graph:
    """The named graph of one document: replaced whole when the document is rebuilt. (The map stage takes
    its N-Quads lines straight to the loader: ``Graph.unique_lines``.)"""
    g = Graph(minter.document_graph(ed.doc.doc_id))
    doc_uri = document_quads(g, minter, ed, res, version)
    meeting_quads(g, minter, ed, res, doc_uri)
    return g


def map_document(ed: ExtractedDocument, res: Resolution, minter: Minter, version: str) -> list[ox.Quad]:
    """The quads of the document's named graph, once each (two records of one entity give one mentions triple)."""
    return list(dict.fromkeys(document_graph(ed, res, minter, version).quads))


def entity_quads(identities: Iterable[Identity], minter: Minter, exists: Callable[[str], bool],
                 gazetteer: Optional[Gazetteer] = None) -> list[ox.Quad]:
    """The descriptions of these identities; ``exists('place:slug')`` says whether a place has an identity,
    since a place is part of another only when both are in the graph."""
    gazetteer = gazetteer or default_gazetteer()
    g = Graph(minter.entities_graph())
    held, links = _positions(), _authority_links()
    for ident in identities:
        if ident.kind == "person":
            person_quads(g, minter.person(ident.slug), ident, held.get(ident.gazetteer_id or "", ()))
        elif ident.kind == "organization":
            organization_quads(g, minter.organization(ident.slug), ident)
        elif ident.kind == "place":
            entry = gazetteer.get("place", ident.gazetteer_id) if ident.gazetteer_id else None
            part_of = entry.part_of if entry and entry.part_of and exists(f"place:{entry.part_of}") else None
            place_quads(g, minter.place(ident.slug), ident, minter, part_of)
        for link in links.get((ident.kind, ident.slug), []):
            # only curated links, each with its source recorded next to it
            uri = {"person": minter.person, "organization": minter.organization, "place": minter.place}[ident.kind](ident.slug)
            g.add(uri, RELATIONS[link.relation], link.uri)
            g.literal(link.uri, dcterms.source, link.source)
    return g.quads


def _positions() -> dict[str, list]:
    held: dict[str, list] = {}
    for position in default_positions():
        held.setdefault(position.person, []).append(position)
    return held


def _authority_links() -> dict[tuple[str, str], list]:
    links: dict[tuple[str, str], list] = {}
    for link in load_authorities():
        links.setdefault((link.kind, link.slug), []).append(link)
    return links


def build_quads(minter: Minter, version: str, started: datetime, ended: Optional[datetime] = None) -> tuple[str, list[ox.Quad]]:
    """The build activity (when, with which version) and the dataset's modification time: its URI and quads."""
    ended = ended or datetime.now(timezone.utc)
    g = Graph(minter.provenance_graph())
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    build = f"{minter.base}id/build/{stamp}"
    g.types(build, akg.Build, prov.Activity)
    g.literal(build, rdfs.label, f"archive-kg build {stamp}")
    g.add(build, prov.startedAtTime, _utc(started))
    g.add(build, prov.endedAtTime, _utc(ended))
    g.add(build, prov.wasAssociatedWith, minter.software())
    g.types(minter.software(), prov.SoftwareAgent, schema.SoftwareApplication)
    g.literal(minter.software(), schema.name, "archive-kg")
    g.literal(minter.software(), rdfs.label, "archive-kg")
    g.literal(minter.software(), schema.softwareVersion, version)
    g.types(minter.dataset(), "http://rdfs.org/ns/void#Dataset")
    g.literal(minter.dataset(), dcterms.title, "archive-kg knowledge graph")
    g.add(minter.dataset(), dcterms.modified, _utc(ended))
    return build, g.quads


def generated_quads(minter: Minter, version: str, build: str, documents: Iterable[tuple[str, str]]) -> list[ox.Quad]:
    """Which build made each document's graph, from which extraction; ``documents`` holds (id, content hash)."""
    g = Graph(minter.provenance_graph())
    for doc_id, content_hash in documents:
        activity = minter.extraction(doc_id, content_hash, version)
        g.add(activity, prov.wasInformedBy, build)
        g.add(minter.document_graph(doc_id), prov.wasGeneratedBy, build)
    return g.quads


def provenance_quads(minter: Minter, version: str, documents: Iterable[tuple[str, str]],
                     started: datetime, ended: Optional[datetime] = None) -> list[ox.Quad]:
    """The build that made the store: when, with which version, from which files (document id, content hash)."""
    build, quads = build_quads(minter, version, started, ended)
    return quads + generated_quads(minter, version, build, documents)


def _utc(moment: datetime) -> Term:
    # the canonical form ('Z', not '+00:00'): Oxigraph stores that form, and the dump must say what the store says
    return typed(moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), xsd.dateTime)
