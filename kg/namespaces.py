"""SPARQL/Turtle prefixes: the one place they are declared."""
from __future__ import annotations

AKG = "https://w3id.org/archive-kg/ontology#"

PREFIXES = {
    "akg": AKG,
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rico": "https://www.ica.org/standards/RiC/ontology#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
}


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a query; all of them when no names are given."""
    chosen = names or tuple(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)


class _NS:
    def __init__(self, base: str):
        self._base = base

    def __getattr__(self, name: str) -> str:
        return self._base + name

    def __getitem__(self, name: str) -> str:
        return self._base + name


akg = _NS(AKG)
schema = _NS(PREFIXES["schema"])
dcterms = _NS(PREFIXES["dcterms"])
skos = _NS(PREFIXES["skos"])
oa = _NS(PREFIXES["oa"])
prov = _NS(PREFIXES["prov"])
rdf = _NS(PREFIXES["rdf"])
rdfs = _NS(PREFIXES["rdfs"])
xsd = _NS(PREFIXES["xsd"])
owl = _NS(PREFIXES["owl"])
rico = _NS(PREFIXES["rico"])
crm = _NS(PREFIXES["crm"])
foaf = _NS(PREFIXES["foaf"])
