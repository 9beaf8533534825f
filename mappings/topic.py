"""The controlled vocabularies (ontology, topic scheme, document types) -> the vocabulary graph,
and topic assignments -> dcterms:subject / schema:about with evidence."""
from __future__ import annotations

import pyoxigraph as ox

from kg.namespaces import oa
from kg.records import TopicAssignment
from kg.uris import Minter
from ontology import path as ontology_path

from ._rdf import Graph
from .evidence import annotate


def vocabulary_quads(minter: Minter) -> list[ox.Quad]:
    """The ontology and the SKOS schemes; blank nodes get stable skolem IRIs so rebuilds are identical."""
    graph = ox.NamedNode(minter.vocabulary_graph())
    out: list[ox.Quad] = []
    for name, base in (("archive-kg.ttl", None), ("topics.ttl", minter.topic_scheme()),
                       ("document-types.ttl", minter.doctype_scheme())):
        skolem: dict[str, ox.NamedNode] = {}

        def stable(term):
            if isinstance(term, ox.BlankNode):
                if term.value not in skolem:
                    skolem[term.value] = ox.NamedNode(f"{minter.base}.well-known/genid/{name.split('.')[0]}-{len(skolem) + 1}")
                return skolem[term.value]
            return term

        with open(ontology_path(name), "rb") as f:
            for triple in ox.parse(f, ox.RdfFormat.TURTLE, base_iri=base or "https://w3id.org/archive-kg/ontology"):
                out.append(ox.Quad(stable(triple.subject), triple.predicate, stable(triple.object), graph))
    return out


def topic_links(g: Graph, minter: Minter, doc_id: str, doc_uri: str, text: str, subject: str,
                topics: list[TopicAssignment], predicate: str) -> None:
    for assignment in topics:
        concept = minter.topic(assignment.concept)
        g.add(subject, predicate, concept)
        for mention in assignment.evidence[:3]:
            ann = annotate(g, minter, doc_id, doc_uri, text, mention, concept, "classifying", assignment.score, subject)
            # the scope says which document or meeting the topic was assigned to
            g.add(ann, oa.hasScope, subject)


