"""The resolution catalogue: an incremental update must leave what a full resolution writes.

Records are invented here, chosen to touch every way one document can move another: a second
bearer of a surname (a bare surname no longer joins), a new full name that a bare surname joins,
slugs numbered again when a namesake appears, and meetings of one day that become parallel
accounts when two of their people are found to be the same.
"""
from __future__ import annotations

import dataclasses
import pickle
import random
import sqlite3
from pathlib import Path

import pytest

from kg import catalog
from kg.records import EntityRecord, ExtractedDocument, MeetingRecord, ParsedDocument, Participation, PartialDate, Span
from kg.resolve import block_of, resolve


def _doc(doc_id: str, people=(), orgs=(), places=(), meetings=()) -> ExtractedDocument:
    def records(kind, names):
        prefix = {"person": "p", "organization": "o", "place": "l"}[kind]
        return [EntityRecord(kind, f"{prefix}{i}", name, forms=[name]) for i, name in enumerate(names)]

    ed = ExtractedDocument(ParsedDocument("", doc_id, "", f"hash-{doc_id}", f"Document {doc_id}"),
                           people=records("person", people), organizations=records("organization", orgs),
                           places=records("place", places))
    for day, who in meetings:
        ed.meetings.append(MeetingRecord(PartialDate(day, "day" if len(day) == 10 else "month"), Span(0, 0, ""),
                                         participants=[Participation(f"p{i}", "participant", None) for i in who]))
    return ed


CORPUS = {
    "d01": _doc("d01", ["Ivan Petrov", "Andrei Gromyko", "Kim Il Sung"], ["Central Committee"], ["Moscow"],
                [("1961-03-03", [0, 1])]),
    "d02": _doc("d02", ["Petrov", "Gromyko"], ["Central Committee"], ["Moscow", "Pyongyang"],
                [("1961-03-03", [0, 1])]),
    "d03": _doc("d03", ["Boris Petrov", "A. Gromyko", "Kim"], [], ["Pyongyang"], [("1961-03", [0, 2])]),
    "d04": _doc("d04", ["Kim Il", "Zhou Enlai", "Pavel Ivanov"], ["Ministry of Foreign Affairs"], [],
                [("1961-03-04", [0, 1]), ("1961-03-04", [1, 2])]),
    "d05": _doc("d05", ["Ivanov", "Zhou Enlai", "Kim Il"], [], ["Beijing"], [("1961-03-04", [0, 1, 2])]),
    "d06": _doc("d06", ["Ivanov"], ["Ministry of Foreign Affairs"], ["Moscow"]),
    "d07": _doc("d07", ["Sergei Ivanov", "P. Ivanov"], [], [], [("1961-03-04", [0, 1])]),
    "d08": _doc("d08", ["Dulles", "Petrov"], ["State Department"], ["Washington"]),
}


def _full(path: Path, docs: dict) -> Path:
    eds = [docs[d] for d in sorted(docs)]
    catalog.write(path, eds, resolve(eds))
    return path


def _contents(path: Path):
    db = sqlite3.connect(path)
    try:
        return (sorted(db.execute("SELECT doc_id, key, seq, block, ident FROM records")),
                sorted((i, n, root, b, repr(catalog._described(pickle.loads(d))))
                       for i, n, root, b, d in db.execute("SELECT id, name, root, block, data FROM identities")),
                sorted(db.execute("SELECT doc_id, idx, iso, day, minted FROM meetings")),
                sorted(db.execute("SELECT * FROM meeting_people")),
                sorted(db.execute("SELECT * FROM docs")))
    finally:
        db.close()


def _update(tmp_path: Path, start: dict, changed: dict) -> catalog.Change:
    cat = catalog.Catalog(tmp_path / "patched.sqlite", base=_full(tmp_path / "start.sqlite", start))
    change = cat.update(changed)
    cat.finish()
    return change


def test_blocks_hold_every_merge():
    """Grouping each block alone gives the identities the whole corpus gives."""
    eds = [CORPUS[d] for d in sorted(CORPUS)]
    whole = resolve(eds)
    for ident in whole.identities.values():
        assert len({block_of(next(r for r in CORPUS[d].people + CORPUS[d].organizations + CORPUS[d].places
                                  if r.key == k)) for d, k in ident.members}) == 1, ident.name


@pytest.mark.parametrize("doc_id", sorted(CORPUS))
def test_adding_a_document_equals_a_full_resolution(tmp_path, doc_id):
    start = {d: ed for d, ed in CORPUS.items() if d != doc_id}
    change = _update(tmp_path, start, {doc_id: CORPUS[doc_id]})
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", CORPUS))
    assert doc_id in change.documents


@pytest.mark.parametrize("doc_id", sorted(CORPUS))
def test_removing_a_document_equals_a_full_resolution(tmp_path, doc_id):
    rest = {d: ed for d, ed in CORPUS.items() if d != doc_id}
    change = _update(tmp_path, CORPUS, {doc_id: None})
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", rest))
    assert change.removed == {doc_id} and doc_id not in change.documents


def test_random_changes_equal_a_full_resolution(tmp_path):
    rng = random.Random(7)
    ids = sorted(CORPUS)
    for trial in range(12):
        picked = rng.sample(ids, rng.choice([1, 2, 3]))
        donors = rng.sample(ids, len(picked))
        # each picked document takes another's people, places and meetings (or leaves, now and then)
        changed = {d: None if rng.random() < 0.2 else dataclasses.replace(
            CORPUS[o], doc=dataclasses.replace(CORPUS[d].doc, content_hash=f"changed-{trial}")) for d, o in zip(picked, donors)}
        final = {d: ed for d, ed in {**CORPUS, **changed}.items() if ed is not None}
        _update(tmp_path, CORPUS, changed)
        assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / f"full-{trial}.sqlite", final)), picked


def _numbered(path: Path) -> list[str]:
    """The identities in the order they were numbered (the order a full build publishes them in)."""
    db = sqlite3.connect(path)
    try:
        return [i for i, in db.execute("SELECT id FROM identities ORDER BY rowid")]
    finally:
        db.close()


def test_resolving_block_by_block_equals_resolving_the_whole_corpus(tmp_path):
    """A full build resolves into the catalogue one block at a time: the same identities, slugs, records and
    parallel accounts as a resolution made in memory, for the corpus and for random parts of it."""
    rng = random.Random(11)
    # slug roots that collide across blocks: 'Petrov' twice (two bearers), 'Petrov 2' (another block)
    extra = {"d10": _doc("d10", ["Petrov", "Petrov 2"]), "d11": _doc("d11", ["Petrov"], [], [], [("1961-03-04", [0])])}
    corpora = [CORPUS, {**CORPUS, **extra}] + [
        {d: ed for d, ed in {**CORPUS, **extra}.items() if d in rng.sample(sorted({**CORPUS, **extra}), 6)} for _ in range(8)]
    for n, corpus in enumerate(corpora):
        streamed = tmp_path / f"streamed-{n}.sqlite"
        written = catalog.resolve_into(streamed, (corpus[d] for d in sorted(corpus, reverse=True)))
        assert written == sorted(corpus, reverse=True)
        reference = _full(tmp_path / f"full-{n}.sqlite", corpus)
        assert _contents(streamed) == _contents(reference), sorted(corpus)
        assert _numbered(streamed) == _numbered(reference)
    assert "person:petrov-2-2" in _numbered(tmp_path / "streamed-1.sqlite")


def test_a_catalogue_is_read_back_with_every_identitys_records_and_every_meetings_accounts(tmp_path):
    catalog.resolve_into(tmp_path / "c.sqlite", CORPUS.values())
    whole = resolve([CORPUS[d] for d in sorted(CORPUS)])
    resolved = catalog.Resolved(tmp_path / "c.sqlite")
    try:
        members = {f"{i.kind}:{i.slug}": m for i, m in resolved.with_members()}
        documents = list(resolved.documents())
        meetings = dict(resolved.meetings())
    finally:
        resolved.close()
    assert members == {key: sorted(i.members) for key, i in whole.identities.items()}
    assert documents == [(d, f"hash-{d}") for d in sorted(CORPUS)]
    accounts: dict[tuple, list] = {}
    for (doc_id, i), minted in whole.meetings.items():
        accounts.setdefault(minted, []).append((doc_id, CORPUS[doc_id].meetings[i].date.iso))
    assert meetings == {minted: sorted(a) for minted, a in accounts.items()}
    # d05's meeting of 4 March is a parallel account of d04's first (Zhou Enlai and Kim Il in both)
    assert meetings[("d04", "1961-03-04", 1)] == [("d04", "1961-03-04"), ("d05", "1961-03-04")]


def test_a_new_full_name_moves_the_documents_a_bare_surname_joins(tmp_path):
    start = {d: CORPUS[d] for d in ("d01", "d06")}  # 'Ivanov' alone, a person of his own
    change = _update(tmp_path, start, {"d00": _doc("d00", ["Pavel Ivanov"])})
    # the bare 'Ivanov' of d06 now joins Pavel Ivanov, the one bearer: d06 names another URI and is mapped again
    assert "d06" in change.documents and "d01" not in change.documents
    assert any(key.startswith("person:ivanov") for key in change.before)


def test_a_slug_given_up_in_one_block_goes_to_its_namesake_in_another(tmp_path):
    two_petrovs = {"d04": _doc("d04", ["Ivan Petrov"]), "d05": _doc("d05", ["Boris Petrov"])}
    # two bare 'Petrov' (two bearers known: neither joins) are 'petrov' and 'petrov-2'; 'Petrov 2', a name
    # of another block ('2' reads as its surname), then has to be 'petrov-2-2'
    start = {**two_petrovs, "d1": _doc("d1", ["Petrov"]), "d2": _doc("d2", ["Petrov"]), "d3": _doc("d3", ["Petrov 2"])}
    change = _update(tmp_path, start, {"d2": None})
    rest = {d: ed for d, ed in start.items() if d != "d2"}
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", rest))
    # with d2 gone, 'Petrov 2' takes 'petrov-2': d3 is mapped again though nothing in it changed
    assert "person:petrov-2-2" in change.before and change.after["person:petrov-2"].name == "Petrov 2"
    assert "d3" in change.documents


def test_meetings_of_one_day_link_across_documents(tmp_path):
    start = {d: CORPUS[d] for d in ("d04", "d07")}
    change = _update(tmp_path, start, {"d05": CORPUS["d05"]})
    db = sqlite3.connect(tmp_path / "patched.sqlite")
    minted = dict(((d, i), m) for d, i, m in db.execute("SELECT doc_id, idx, minted FROM meetings"))
    db.close()
    # d05's meeting shares Zhou Enlai and Kim Il with d04's first one: one meeting, minted from d04
    assert minted[("d05", 0)] == minted[("d04", 0)]
    assert ("d05", 0) in change.meetings_after


def test_an_edit_that_names_no_one_new_regroups_nothing(tmp_path):
    edited = dataclasses.replace(CORPUS["d01"], doc=dataclasses.replace(CORPUS["d01"].doc, content_hash="edited"))
    change = _update(tmp_path, CORPUS, {"d01": edited})
    assert change.before == {} and change.after == {}
    assert change.documents == {"d01"}
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", {**CORPUS, "d01": edited}))


def _update_watching_groups(tmp_path: Path, monkeypatch, start: dict, changed: dict) -> tuple[catalog.Change, list]:
    """``_update``, and the names of the organizations whose records the update grouped again."""
    from kg import resolve as R

    base = _full(tmp_path / "start.sqlite", start)
    grouped: list[str] = []
    real = R.group
    monkeypatch.setattr(R, "group", lambda records, *a: grouped.extend(r.name for _, r in records if r.kind == "organization")
                        or real(records, *a))
    cat = catalog.Catalog(tmp_path / "patched.sqlite", base=base)
    change = cat.update(changed)
    cat.finish()
    monkeypatch.setattr(R, "group", real)
    return change, grouped


def test_a_body_named_by_one_more_document_takes_it_in_without_its_block_grouped_again(tmp_path, monkeypatch):
    added = {**CORPUS, "d09": _doc("d09", ["Ivan Petrov"], ["Central Committee", "State Department"], ["Moscow"])}
    change, grouped = _update_watching_groups(tmp_path, monkeypatch, CORPUS, {"d09": added["d09"]})
    assert grouped == []  # neither body's block was read again
    assert {"organization:central-committee", "organization:state-department"} <= set(change.after)
    assert ("d09", "o0") in change.after["organization:central-committee"].members
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", added))


def test_a_body_named_first_by_a_new_document_is_grouped_again(tmp_path, monkeypatch):
    """Identities of one slug base are numbered by their first member: a new first member regroups the block."""
    added = {**CORPUS, "d00": _doc("d00", [], ["Central Committee"])}
    _, grouped = _update_watching_groups(tmp_path, monkeypatch, CORPUS, {"d00": added["d00"]})
    assert "Central Committee" in grouped
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", added))


def test_a_body_whose_name_a_new_document_could_change_is_grouped_again(tmp_path, monkeypatch):
    """Two forms as frequent as each other: the one seen first names the body, which only a regroup knows."""
    d09 = _doc("d09", [], ["State Department"])
    d09.organizations[0] = dataclasses.replace(d09.organizations[0], forms=["Department of State"])
    added = {**CORPUS, "d09": d09}
    _, grouped = _update_watching_groups(tmp_path, monkeypatch, CORPUS, {"d09": d09})
    assert "State Department" in grouped
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", added))


def test_records_that_only_move_within_their_document_group_nothing_again(tmp_path, monkeypatch):
    """d01 names one more body: its place comes one record later, and Moscow's block is not read again."""
    from kg import resolve as R

    changed = {**CORPUS, "d01": _doc("d01", ["Ivan Petrov", "Andrei Gromyko", "Kim Il Sung"],
                                     ["Central Committee", "State Department"], ["Moscow"], [("1961-03-03", [0, 1])])}
    places: list[str] = []
    real = R.group
    base = _full(tmp_path / "start.sqlite", CORPUS)
    monkeypatch.setattr(R, "group", lambda records, *a: places.extend(r.name for _, r in records if r.kind == "place")
                        or real(records, *a))
    cat = catalog.Catalog(tmp_path / "patched.sqlite", base=base)
    cat.update({"d01": changed["d01"]})
    cat.finish()
    monkeypatch.setattr(R, "group", real)
    assert places == []
    assert _contents(tmp_path / "patched.sqlite") == _contents(_full(tmp_path / "full.sqlite", changed))
