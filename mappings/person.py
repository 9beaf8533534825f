"""Person identities -> the entities graph: types, preferred and alternate names, roles."""
from __future__ import annotations

from kg.namespaces import akg, dcterms, foaf, rdfs, schema, xsd
from kg.resolve import Identity

from ._rdf import Graph, typed


ORG = "http://www.w3.org/ns/org#"


def person_quads(g: Graph, uri: str, ident: Identity, positions=()) -> None:
    g.types(uri, akg.Person, schema.Person, foaf.Person)
    g.literal(uri, schema.name, ident.name)
    g.literal(uri, rdfs.label, ident.name)
    for form in ident.alternate_names:
        g.literal(uri, schema.alternateName, form)
    for role in ident.roles:
        g.literal(uri, akg.roleDescription, role)
    for cover in ident.cover_names:
        g.literal(uri, akg.coverName, cover)
    # offices held, as dated positions (W3C org:Membership), each with its source
    for i, position in enumerate(positions, 1):
        node = f"{uri}/position/{i}"
        g.add(uri, ORG + "hasMembership", node)
        g.types(node, ORG + "Membership")
        g.add(node, ORG + "member", uri)
        g.literal(node, schema.roleName, position.office)
        g.literal(node, rdfs.label, f"{position.office}, {position.start}–{position.end}")
        g.add(node, schema.startDate, typed(str(position.start), xsd.gYear))
        g.add(node, schema.endDate, typed(str(position.end), xsd.gYear))
        g.literal(node, dcterms.source, position.source)
