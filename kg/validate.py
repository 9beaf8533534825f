"""SHACL validation of the whole graph (union of named graphs) with pyshacl."""
from __future__ import annotations

import io

import rdflib

from ontology import path as ontology_path

from .store import StoreDir


def validate_store(store_path: str) -> tuple[bool, str]:
    import pyoxigraph as ox
    from pyshacl import validate

    store = StoreDir(store_path).open()
    buffer = io.BytesIO()
    # the union of the named graphs, as one graph: shapes see every description of a node
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    ox.serialize(triples, buffer, ox.RdfFormat.N_TRIPLES)
    data = rdflib.Graph()
    data.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    shapes = rdflib.Graph()
    shapes.parse(ontology_path("shapes.ttl"), format="turtle")
    conforms, _graph, text = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    summary = f"{len(data)} triples checked against {ontology_path('shapes.ttl').name}: " + \
              ("conforms" if conforms else "VIOLATIONS found")
    return conforms, (summary + "\n" if conforms else text + "\n" + summary + "\n")
