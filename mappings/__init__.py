"""Mapping: extracted records -> RDF quads, one readable module per kind of thing.

- ``document``: the catalogue record, archival reference, heading and notes
- ``meeting``: events, participation nodes with roles
- ``person``, ``organization``, ``place``: identities in the shared entities graph
- ``topic``: the vocabularies and topic assignments
- ``evidence``: Web Annotations with quote and position selectors
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

import pyoxigraph as ox

from kg.gazetteer import RELATIONS, Gazetteer, default_gazetteer, default_positions, load_authorities
from kg.namespaces import akg, dcterms, prov, rdfs, schema, xsd
from kg.records import ExtractedDocument
from kg.resolve import Resolution
from kg.uris import Minter

from ._rdf import Graph, typed
from .document import document_quads
from .meeting import meeting_quads
from .organization import organization_quads
from .person import person_quads
from .place import place_quads
from .topic import vocabulary_quads

__all__ = ["map_document", "map_entities", "vocabulary_quads", "provenance_quads"]


def map_document(ed: ExtractedDocument, res: Resolution, minter: Minter, version: str) -> list[ox.Quad]:
    """The named graph of one document: replaced whole when the document is rebuilt."""
    g = Graph(minter.document_graph(ed.doc.doc_id))
    doc_uri = document_quads(g, minter, ed, res, version)
    meeting_quads(g, minter, ed, res, doc_uri)
    return list(dict.fromkeys(g.quads))  # a graph is a set: two records of one entity give one mentions triple


def map_entities(res: Resolution, minter: Minter, gazetteer: Optional[Gazetteer] = None) -> list[ox.Quad]:
    """People, organizations and places, one description each, in the entities graph."""
    gazetteer = gazetteer or default_gazetteer()
    g = Graph(minter.entities_graph())
    held: dict[str, list] = {}
    for position in default_positions():
        held.setdefault(position.person, []).append(position)
    links: dict[tuple[str, str], list] = {}
    for link in load_authorities():
        links.setdefault((link.kind, link.slug), []).append(link)
    for ident in res.identities.values():
        if ident.kind == "person":
            person_quads(g, minter.person(ident.slug), ident, held.get(ident.gazetteer_id or "", ()))
        elif ident.kind == "organization":
            organization_quads(g, minter.organization(ident.slug), ident)
        elif ident.kind == "place":
            entry = gazetteer.get("place", ident.gazetteer_id) if ident.gazetteer_id else None
            part_of = entry.part_of if entry and entry.part_of and f"place:{entry.part_of}" in res.identities else None
            place_quads(g, minter.place(ident.slug), ident, minter, part_of)
        for link in links.get((ident.kind, ident.slug), []):
            # only curated links, each with its source recorded next to it
            uri = {"person": minter.person, "organization": minter.organization, "place": minter.place}[ident.kind](ident.slug)
            g.add(uri, RELATIONS[link.relation], link.uri)
            g.literal(link.uri, dcterms.source, link.source)
    return g.quads


def provenance_quads(minter: Minter, version: str, documents: list[ExtractedDocument],
                     started: datetime, ended: Optional[datetime] = None) -> list[ox.Quad]:
    """The build that made the store: when, with which version, from which files."""
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
    for ed in documents:
        activity = minter.extraction(ed.doc.doc_id, ed.doc.content_hash, version)
        g.add(activity, prov.wasInformedBy, build)
        g.add(minter.document_graph(ed.doc.doc_id), prov.wasGeneratedBy, build)
    g.types(minter.dataset(), "http://rdfs.org/ns/void#Dataset")
    g.literal(minter.dataset(), dcterms.title, "archive-kg knowledge graph")
    g.add(minter.dataset(), dcterms.modified, _utc(ended))
    return g.quads


def _utc(moment: datetime) -> "ox.Literal":
    # the canonical form ('Z', not '+00:00'): Oxigraph stores that form, and the dump must say what the store says
    return typed(moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), xsd.dateTime)
