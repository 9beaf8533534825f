"""Place identities -> the entities graph."""
from __future__ import annotations

from kg.namespaces import akg, rdfs, schema
from kg.resolve import Identity
from kg.uris import Minter

from ._rdf import Graph


def place_quads(g: Graph, uri: str, ident: Identity, minter: Minter, part_of: str | None = None) -> None:
    g.types(uri, akg.Place, schema.Place)
    g.literal(uri, schema.name, ident.name)
    g.literal(uri, rdfs.label, ident.name)
    for form in ident.alternate_names:
        g.literal(uri, schema.alternateName, form)
    g.literal(uri, schema.additionalType, ident.entity_type)
    if part_of:
        g.add(uri, schema.containedInPlace, minter.place(part_of))
