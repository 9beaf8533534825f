"""URI minting: every URI the build creates comes from here.

Deterministic and readable, from a configurable base: never random, never a
counter that shifts when files are added.
"""
from __future__ import annotations

import hashlib
from typing import Optional
from urllib.parse import quote, unquote

import pyoxigraph as ox

from .names import slugify

DEFAULT_BASE = "http://localhost:5000/"


def iri_problem(value: str) -> Optional[str]:
    """Why ``value`` is not an absolute IRI that RDF can hold (Oxigraph's own check), or None if it is one.
    For IRIs from outside (a base URI, a document's link, a curated authority): the build loads its N-Quads
    without checking them again, so they are checked when they come in."""
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        return str(exc)
    return None


class Minter:
    def __init__(self, base: str = DEFAULT_BASE):
        if not base.endswith(("/", "#")):
            base += "/"
        problem = iri_problem(base)
        if problem:
            raise ValueError(f"the base URI {base!r} is not an IRI: {problem}")
        self.base = base

    def _id(self, kind: str, local: str) -> str:
        return f"{self.base}id/{kind}/{quote(local, safe='-._~')}"

    def document(self, doc_id: str) -> str:
        return self._id("document", doc_id)

    def document_graph(self, doc_id: str) -> str:
        return f"{self.base}graph/document/{quote(doc_id, safe='-._~')}"

    def entities_graph(self) -> str:
        return f"{self.base}graph/entities"

    def vocabulary_graph(self) -> str:
        return f"{self.base}graph/vocabulary"

    def provenance_graph(self) -> str:
        return f"{self.base}graph/provenance"

    def retired_graph(self) -> str:
        return self.base + "graph/retired"

    def reference(self, doc_id: str) -> str:
        return self.document(doc_id) + "/reference"

    def note(self, doc_id: str, index: int) -> str:
        return self.document(doc_id) + f"/note/{index}"

    def passage(self, doc_id: str, start: int, end: int) -> str:
        """The span ``start:end`` of a document's text: the target every annotation quoting it shares."""
        return self.document(doc_id) + f"/passage/{start}-{end}"

    def person(self, slug: str) -> str:
        return self._id("person", slug)

    def organization(self, slug: str) -> str:
        return self._id("organization", slug)

    def place(self, slug: str) -> str:
        return self._id("place", slug)

    def entity(self, key: str) -> str:
        """The URI of the identity 'kind:slug' (person, organization or place)."""
        kind, slug = key.split(":", 1)
        return self._id(kind, slug)

    def entity_key(self, uri: str) -> Optional[str]:
        """The inverse of ``entity``: 'kind:slug' for a person, organization or place URI, else None."""
        for kind in ("person", "organization", "place"):
            prefix = self._id(kind, "")
            if uri.startswith(prefix) and "/" not in uri[len(prefix):]:
                return f"{kind}:{unquote(uri[len(prefix):])}"
        return None

    def topic(self, slug: str) -> str:
        return self._id("topic", slug)

    def topic_scheme(self) -> str:
        return f"{self.base}id/topic/"

    def doctype(self, slug: str) -> str:
        return self._id("doctype", slug.replace("_", "-"))

    def doctype_scheme(self) -> str:
        return f"{self.base}id/doctype/"

    def language(self, code: str) -> str:
        # ISO 639-1/2 codes, as the Library of Congress publishes them
        return f"http://id.loc.gov/vocabulary/iso639-1/{code}"

    def meeting(self, doc_id: str, date_iso: str | None, ordinal: int) -> str:
        local = f"{doc_id}-{date_iso or 'undated'}"
        if ordinal > 1:
            local += f"-{ordinal}"
        return self._id("meeting", local)

    def participation(self, meeting_uri: str, person_slug: str) -> str:
        return f"{meeting_uri}/participant/{quote(person_slug, safe='-._~')}"

    def annotation(self, doc_id: str, *parts: object) -> str:
        digest = hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]
        return self._id("annotation", f"{doc_id}-{digest}")

    def extraction(self, doc_id: str, content_hash: str, version: str) -> str:
        digest = hashlib.sha1(f"{content_hash}|{version}".encode()).hexdigest()[:12]
        return self._id("extraction", f"{doc_id}-{digest}")

    def software(self) -> str:
        return f"{self.base}id/software/archive-kg"

    def dataset(self) -> str:
        return f"{self.base}id/dataset"


def entity_slug(name: str) -> str:
    return slugify(name)
