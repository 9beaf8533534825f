"""Topics from the SKOS scheme in ``ontology/topics.ttl``, matched by their labels.

A concept is assigned when its preferred or alternative labels occur in the text
(a single-word label must occur twice), or, for relations between two countries,
when every country it involves is mentioned. The score grows with the number of
occurrences; the evidence keeps each matched phrase.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from ..records import EntityRecord, Mention, TopicAssignment
from ..trie import FormMatcher

AKG = "https://w3id.org/archive-kg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


@dataclass(frozen=True)
class Concept:
    slug: str
    label: str
    labels: tuple[str, ...]
    places: tuple[str, ...]


@lru_cache(maxsize=1)
def load_concepts() -> tuple[Concept, ...]:
    import pyoxigraph as ox

    from ontology import path as ontology_path

    base = "http://topic.invalid/"
    store = ox.Store()
    with open(ontology_path("topics.ttl"), "rb") as f:
        store.load(f, ox.RdfFormat.TURTLE, base_iri=base)
    concepts: dict[str, dict] = {}
    query = f"""SELECT ?c ?p ?o WHERE {{ ?c a <{SKOS}Concept> ; ?p ?o .
              FILTER(?p IN (<{SKOS}prefLabel>, <{SKOS}altLabel>, <{AKG}involvesPlace>)) }}"""
    for row in store.query(query):
        slug = row["c"].value[len(base):]
        c = concepts.setdefault(slug, {"label": slug, "labels": [], "places": []})
        p, o = row["p"].value, row["o"].value
        if p.endswith("prefLabel"):
            c["label"] = o
            c["labels"].insert(0, o)
        elif p.endswith("altLabel"):
            c["labels"].append(o)
        else:
            c["places"].append(o)
    return tuple(Concept(slug, c["label"], tuple(dict.fromkeys(c["labels"])), tuple(sorted(set(c["places"]))))
                 for slug, c in sorted(concepts.items()))


@lru_cache(maxsize=1)
def _label_matcher() -> tuple[FormMatcher, dict[str, list[str]]]:
    """Every label, in any case, as a whole word (hyphenated words are whole); and the concepts of each lowercased label."""
    owners: dict[str, list[str]] = {}
    for concept in load_concepts():
        for label in concept.labels:
            owners.setdefault(label.lower(), []).append(concept.slug)
    return FormMatcher({"label": owners}, before=r"[\w-]", after=r"[\w-]", ignore_case=True), owners


def assign_topics(text: str, start: int, end: int, places: Iterable[EntityRecord] = (),
                  limit: int = 12) -> list[TopicAssignment]:
    matcher, owners = _label_matcher()
    hits: dict[str, list[Mention]] = {}
    for s, e in matcher.find(text, start, end)["label"]:
        found = text[s:e]
        for slug in owners.get(found.lower(), []):
            hits.setdefault(slug, []).append(Mention(s, e, found, "topic-label", 0.7))
    out: list[TopicAssignment] = []
    for slug, mentions in hits.items():
        distinct_multiword = any(" " in m.text or "-" in m.text for m in mentions)
        if not distinct_multiword and len(mentions) < 2:
            continue
        score = round(1 - math.exp(-len(mentions) / 2), 3)
        out.append(TopicAssignment(slug, score, mentions[:5]))
    # relations between countries: every country involved must be mentioned in the span
    mentioned: dict[str, list[Mention]] = {}
    for place in places:
        slug = place.gazetteer_id
        inside = [m for m in place.mentions if start <= m.start < end]
        if slug and inside:
            mentioned[slug] = inside
    for concept in load_concepts():
        if len(concept.places) >= 2 and all(p in mentioned for p in concept.places):
            if any(t.concept == concept.slug for t in out):
                continue
            count = min(len(mentioned[p]) for p in concept.places)
            evidence = [Mention(m.start, m.end, m.text, "topic-countries", 0.6) for p in concept.places for m in mentioned[p][:2]]
            out.append(TopicAssignment(concept.slug, round(0.5 * (1 - math.exp(-count / 2)), 3), evidence))
    out.sort(key=lambda t: (-t.score, t.concept))
    return out[:limit]
