"""kg.uris.Minter: deterministic, readable URIs from a configurable base."""
from __future__ import annotations

import pytest

from kg.uris import DEFAULT_BASE, Minter, entity_slug

BASE = "https://archive.example.org/kg/"


def test_minting_is_deterministic():
    a, b = Minter(BASE), Minter(BASE)
    assert a.document("116026") == b.document("116026")
    assert a.person("kim-il-sung") == b.person("kim-il-sung")
    assert a.annotation("116026", 10, 20, "x") == b.annotation("116026", 10, 20, "x")
    assert a.extraction("116026", "hash", "0.1") == b.extraction("116026", "hash", "0.1")


@pytest.mark.parametrize("base", ["https://archive.example.org/kg", "https://archive.example.org/kg/"])
def test_base_with_or_without_trailing_slash(base):
    assert Minter(base).document("116026") == "https://archive.example.org/kg/id/document/116026"


def test_hash_base_is_kept():
    assert Minter("https://archive.example.org/kg#").base == "https://archive.example.org/kg#"


def test_default_base():
    assert Minter().document("1") == f"{DEFAULT_BASE}id/document/1"


def test_document_uri():
    assert Minter(BASE).document("116026") == f"{BASE}id/document/116026"


def test_person_uri():
    assert Minter(BASE).person("kim-il-sung") == f"{BASE}id/person/kim-il-sung"


def test_organization_and_place_uris():
    m = Minter(BASE)
    assert m.organization("ussr-embassy") == f"{BASE}id/organization/ussr-embassy"
    assert m.place("pyongyang") == f"{BASE}id/place/pyongyang"


def test_meeting_uri():
    assert Minter(BASE).meeting("116026", "1958-05-27", 1) == f"{BASE}id/meeting/116026-1958-05-27"


def test_second_meeting_on_the_same_day_gets_suffix():
    m = Minter(BASE)
    first = m.meeting("116026", "1958-05-27", 1)
    second = m.meeting("116026", "1958-05-27", 2)
    assert second == f"{BASE}id/meeting/116026-1958-05-27-2"
    assert first != second


def test_undated_meeting():
    assert Minter(BASE).meeting("116026", None, 1) == f"{BASE}id/meeting/116026-undated"


def test_document_graph_and_reference():
    m = Minter(BASE)
    assert m.document_graph("116026") == f"{BASE}graph/document/116026"
    assert m.reference("116026") == f"{BASE}id/document/116026/reference"
    assert m.note("116026", 3) == f"{BASE}id/document/116026/note/3"


def test_doctype_uses_hyphens():
    assert Minter(BASE).doctype("memorandum_of_conversation") == f"{BASE}id/doctype/memorandum-of-conversation"


def test_participation_under_the_meeting():
    m = Minter(BASE)
    meeting = m.meeting("116026", "1958-05-27", 1)
    assert m.participation(meeting, "kim-il-sung") == f"{meeting}/participant/kim-il-sung"


@pytest.mark.parametrize("doc_id, encoded", [
    ("a b", "a%20b"),
    ("a/b", "a%2Fb"),
    ("x?y#z", "x%3Fy%23z"),
    ("doc<1>", "doc%3C1%3E"),
    ("Müller", "M%C3%BCller"),
    ("keep-._~", "keep-._~"),
])
def test_unsafe_characters_in_ids_are_percent_encoded(doc_id, encoded):
    assert Minter(BASE).document(doc_id) == f"{BASE}id/document/{encoded}"


def test_unsafe_characters_in_graph_names_are_percent_encoded():
    assert Minter(BASE).document_graph("a b/c") == f"{BASE}graph/document/a%20b%2Fc"


def test_annotation_differs_for_different_parts():
    m = Minter(BASE)
    assert m.annotation("116026", 1, 5) != m.annotation("116026", 1, 6)
    assert m.annotation("116026", 1, 5).startswith(f"{BASE}id/annotation/116026-")


def test_extraction_changes_with_content_or_version():
    m = Minter(BASE)
    base = m.extraction("116026", "hash-a", "0.1")
    assert m.extraction("116026", "hash-b", "0.1") != base
    assert m.extraction("116026", "hash-a", "0.2") != base


def test_entity_slug():
    assert entity_slug("Kim Il Sung") == "kim-il-sung"


@pytest.mark.parametrize("base", ["http://exa mple.org/", "https://example.org/%zz/", "http://[bad/", "no-scheme/"])
def test_a_base_that_is_not_an_iri_is_refused(base):
    with pytest.raises(ValueError, match="not an IRI"):
        Minter(base)
