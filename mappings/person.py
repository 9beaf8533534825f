"""Person identities -> the entities graph: types, preferred and alternate names, roles."""
from __future__ import annotations

from kg.namespaces import akg, foaf, rdfs, schema
from kg.resolve import Identity

from ._rdf import Graph


def person_quads(g: Graph, uri: str, ident: Identity) -> None:
    g.types(uri, akg.Person, schema.Person, foaf.Person)
    g.literal(uri, schema.name, ident.name)
    g.literal(uri, rdfs.label, ident.name)
    for form in ident.alternate_names:
        g.literal(uri, schema.alternateName, form)
    for role in ident.roles:
        g.literal(uri, akg.roleDescription, role)
    for cover in ident.cover_names:
        g.literal(uri, akg.coverName, cover)
