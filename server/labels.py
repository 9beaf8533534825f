"""Label lookup, the one place: skos:prefLabel > rdfs:label > schema:name > dcterms:title > for evidence, the
quoted text (of a passage, or of an annotation's passage) > the IRI's last part."""
from __future__ import annotations

from urllib.parse import unquote

from kg.namespaces import iri_term

from .state import state

_ORDER = {"http://www.w3.org/2004/02/skos/core#prefLabel": 0, "http://www.w3.org/2000/01/rdf-schema#label": 1,
          "https://schema.org/name": 2, "http://purl.org/dc/terms/title": 3,
          "http://www.w3.org/ns/oa#exact": 4, "http://www.w3.org/ns/oa#hasTarget": 5}
_QUOTED_FROM = 4  # labels from this rank on are quotes, shown in quotation marks


def fallback(iri: str) -> str:
    tail = iri.rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return unquote(tail).replace("-", " ") or iri


def labels(iris) -> dict[str, str]:
    """Labels for many IRIs in one query (English or untagged labels first)."""
    iris = [i for i in dict.fromkeys(iris) if i]
    out: dict[str, str] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        # one branch per label property: index lookups, not a scan of every property of each subject.
        # DISTINCT: a label stated in many graphs (a language's, in every document's graph) comes once
        # per graph from the union of graphs, a thousand rows for one label
        rows = state().select(
            "SELECT DISTINCT ?s ?p ?l WHERE { VALUES ?s { %s } "
            "{ ?s skos:prefLabel ?l BIND(skos:prefLabel AS ?p) } UNION { ?s rdfs:label ?l BIND(rdfs:label AS ?p) } "
            "UNION { ?s schema:name ?l BIND(schema:name AS ?p) } UNION { ?s dcterms:title ?l BIND(dcterms:title AS ?p) } "
            # evidence has no label of its own: a passage is named by its quote, an annotation by its passage's
            "UNION { ?s oa:hasSelector/oa:exact ?l BIND(oa:exact AS ?p) } "
            "UNION { ?s oa:hasTarget/oa:hasSelector/oa:exact ?l BIND(oa:hasTarget AS ?p) } "
            "FILTER(LANG(?l) = '' || LANGMATCHES(LANG(?l), 'en')) }" % " ".join(iri_term(i) for i in chunk))
        best: dict[str, tuple[int, str]] = {}
        for row in rows:
            s, p, label = row["s"]["value"], row["p"]["value"], row["l"]["value"]
            rank = _ORDER.get(p, 9)
            if s not in best or rank < best[s][0] or (rank == best[s][0] and label < best[s][1]):
                best[s] = (rank, label)
        out.update({s: f"“{label}”" if rank >= _QUOTED_FROM else label for s, (rank, label) in best.items()})
    for iri in iris:
        out.setdefault(iri, fallback(iri))
    return out


def label(iri: str) -> str:
    return labels([iri])[iri]
