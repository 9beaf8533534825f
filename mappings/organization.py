"""Organization identities -> the entities graph."""
from __future__ import annotations

from kg.namespaces import akg, rdfs, schema

from kg.resolve import Identity

from ._rdf import Graph

ORG = "http://www.w3.org/ns/org#Organization"


def organization_quads(g: Graph, uri: str, ident: Identity) -> None:
    g.types(uri, akg.Organization, schema.Organization, ORG)
    g.literal(uri, schema.name, ident.name)
    g.literal(uri, rdfs.label, ident.name)
    for form in ident.alternate_names:
        g.literal(uri, schema.alternateName, form)
    g.literal(uri, schema.additionalType, ident.entity_type)
