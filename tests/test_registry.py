"""The URI registry of a full build is settled in SQLite: it must give every URI the fate the in-memory rules give."""
from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from kg import registry

BASE = "http://example.org/id/"


def _person(name: str, *members: tuple[str, str]) -> tuple[str, dict]:
    slug = name.lower().replace(" ", "-")
    return BASE + "person/" + slug, {"kind": "person", "name": name, "members": sorted(map(list, members))}


def _entries(path: Path) -> dict[str, tuple]:
    db = sqlite3.connect(path)
    try:
        return {uri: (status, replaced_by, entry) for uri, status, replaced_by, entry in db.execute("SELECT * FROM entries")}
    finally:
        db.close()


def _expected(published: registry.Published, current: dict[str, dict]) -> dict[str, dict]:
    """The registry after a full build, by the rules applied to dicts (as a patch applies them)."""
    minted = registry._Minted(current)
    out = registry._live(current)
    for uri, old in published.items():
        if uri not in current:
            out[uri] = registry._fate(old, published, minted.__contains__, minted)
    return out


def _build(store: Path, minted: list[tuple[str, dict]]) -> dict[str, dict]:
    """A full build's registry step: the draft settled against what was published, then installed."""
    published = registry.Published(store)
    try:
        expected = _expected(published, dict(minted))
        draft = registry.Draft(store, iter(minted), published)
    finally:
        published.close()
    draft.install()
    return expected


def test_a_full_builds_registry_gives_each_uri_the_fate_the_rules_give(tmp_path):
    first = [_person("Ivan Petrov", ("d1", "p0"), ("d2", "p0")), _person("Petrov", ("d3", "p0")),
             _person("Andrei Gromyko", ("d1", "p1")), _person("Gromyko", ("d4", "p0")),
             _person("Kim", ("d5", "p0"), ("d6", "p0")),
             (BASE + "document/d1", {"kind": "document", "members": [["d1", ""]]}),
             (BASE + "meeting/d1-1961-03-03-1", {"kind": "meeting", "members": [["d1", "1961-03-03"], ["d2", "1961-03-03"]]})]
    _build(tmp_path, first)
    # 'Petrov' of d3 joins Ivan Petrov; 'Gromyko' of d4 is gone from the records but d4 now names 'A. Gromyko'
    # (a compatible name in the same document); Kim's documents went; d1's meeting is now minted from d2
    second = [_person("Ivan Petrov", ("d1", "p0"), ("d2", "p0"), ("d3", "p0")),
              _person("Andrei Gromyko", ("d1", "p1")), _person("A. Gromyko", ("d4", "p3")),
              (BASE + "document/d1", {"kind": "document", "members": [["d1", ""]]}),
              (BASE + "meeting/d2-1961-03-03-1", {"kind": "meeting", "members": [["d1", "1961-03-03"], ["d2", "1961-03-03"]]})]
    expected = _build(tmp_path, second)
    got = {uri: registry.lookup(tmp_path, uri) for uri in _entries(tmp_path / registry.FILE)}
    assert got == expected
    assert got[BASE + "person/petrov"] == {"kind": "person", "status": "replaced", "replaced_by": BASE + "person/ivan-petrov",
                                           "members": [["d3", "p0"]], "name": "Petrov"}
    assert got[BASE + "person/gromyko"]["replaced_by"] == BASE + "person/a.-gromyko"
    assert got[BASE + "person/kim"]["status"] == "gone"
    assert got[BASE + "meeting/d1-1961-03-03-1"]["replaced_by"] == BASE + "meeting/d2-1961-03-03-1"
    draft_retired = dict(registry.Draft(tmp_path, iter(second), registry.Published(tmp_path)).retired())
    assert set(draft_retired) == {uri for uri, e in expected.items() if e["status"] != "live"}


# small batches: the draft is written in several batches, flushed by their records as well as by their entries
@pytest.mark.parametrize("members_per_batch", [registry.MEMBERS_PER_BATCH, 2])
def test_random_histories_give_the_same_registry_in_sqlite_and_in_memory(tmp_path, monkeypatch, members_per_batch):
    monkeypatch.setattr(registry, "MEMBERS_PER_BATCH", members_per_batch)
    rng = random.Random(3)
    names = ["Ivan Petrov", "Petrov", "Boris Petrov", "I. Petrov", "Andrei Gromyko", "Gromyko", "Kim Il Sung", "Kim"]
    docs = [f"d{i}" for i in range(12)]
    for generation in range(6):
        minted: dict[str, dict] = {}
        for doc in docs:
            for key in rng.sample(["p0", "p1", "p2"], rng.randint(0, 3)):
                uri, entry = _person(rng.choice(names), (doc, key))
                if uri in minted:
                    minted[uri]["members"] = sorted(minted[uri]["members"] + entry["members"])
                else:
                    minted[uri] = entry
        expected = _build(tmp_path, list(minted.items()))
        got = {uri: registry.lookup(tmp_path, uri) for uri in _entries(tmp_path / registry.FILE)}
        assert got == expected, generation
