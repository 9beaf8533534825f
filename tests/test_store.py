"""kg.store.StoreDir: the on-disk graph, its swap, its lock and the record cache."""
from __future__ import annotations

import os
import time

import pyoxigraph as ox
import pytest

from kg import store as store_module
from kg.records import (ArchivalReference, DocumentNote, EntityRecord, ExtractedDocument, MeetingRecord,
                        Mention, ParsedDocument, PartialDate, Participation, Span, TopicAssignment)
from kg.store import StoreDir, StoreError

G = ox.NamedNode("http://example.org/graph/test")
P = ox.NamedNode("http://example.org/p")


def quad(subject: str, value: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"http://example.org/{subject}"), P, ox.Literal(value), G)


def values(store_dir: StoreDir) -> set[str]:
    store = store_dir.open()
    try:
        return {q.object.value for q in store}
    finally:
        del store


@pytest.fixture
def distinct_stamps(monkeypatch):
    """Each build gets its own timestamp, as builds a second apart would."""
    counter = iter(range(10_000))
    monkeypatch.setattr(store_module.time, "strftime",
                        lambda fmt, *args: f"20000101T0000{next(counter):02d}Z")


# --- the graph ---------------------------------------------------------------

def test_write_new_makes_current_a_symlink_to_a_db_folder(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    target = sd.write_new([quad("a", "one")])
    assert sd.current.is_symlink()
    assert sd.current.resolve() == target.resolve()
    assert target.is_dir() and target.name.startswith("db-")
    assert not os.path.isabs(os.readlink(sd.current))  # relative: the folder can be moved


def test_link_target_follows_the_link_through_a_swap(tmp_path, distinct_stamps):
    moved = tmp_path / "elsewhere"
    sd = StoreDir(tmp_path / "kg-store")
    first = sd.write_new([quad("a", "one")])
    assert os.path.samefile(store_module.link_target(sd.current), first)
    second = sd.write_new([quad("b", "two")])
    assert os.path.samefile(store_module.link_target(sd.current), second)
    # reached through a linked folder, the target is still found beside the link
    moved.symlink_to(sd.path, target_is_directory=True)
    assert os.path.samefile(store_module.link_target(moved / "current"), second)
    # not a link: the path itself
    assert store_module.link_target(second) == os.path.realpath(second)


def test_written_quads_can_be_read_back(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    sd.write_new([quad("a", "one"), quad("b", "two")])
    assert values(sd) == {"one", "two"}


def test_a_write_replaces_the_graph_and_keeps_only_the_one_before(tmp_path, distinct_stamps):
    sd = StoreDir(tmp_path / "kg-store")
    first = sd.write_new([quad("a", "one")])
    second = sd.write_new([quad("b", "two")])
    assert first != second
    assert sd.current.resolve() == second.resolve()
    assert values(sd) == {"two"}
    # the previous database stays for servers still reading it; older ones go
    assert first.exists()
    third = sd.write_new([quad("c", "three")])
    assert values(sd) == {"three"}
    assert sorted(p.name for p in sd.path.iterdir() if p.name.startswith("db-")) == sorted([second.name, third.name])


def test_a_replaced_database_is_deleted_after_the_swap_not_during_it(tmp_path, distinct_stamps, monkeypatch):
    """The swap moves the database it drops into the trash; a process of its own deletes it there."""
    sd = StoreDir(tmp_path / "kg-store")
    first = sd.write_new([quad("a", "one")])
    (first.with_name(first.name + ".dump")).mkdir()
    sd.write_new([quad("b", "two")])
    started = []
    monkeypatch.setattr(StoreDir, "empty_trash", lambda self, wait=False: started.append(wait))
    sd.write_new([quad("c", "three")])
    assert not first.exists() and not first.with_name(first.name + ".dump").exists()
    trashed = sorted(p.name for p in (sd.path / StoreDir.TRASH).rglob("*") if p.parent.parent.name == StoreDir.TRASH)
    assert trashed == sorted([first.name, first.name + ".dump"])
    assert started == [False]
    monkeypatch.undo()
    sd.empty_trash()
    deadline = time.monotonic() + 60  # not a speed target: how long a busy machine may take to start the process
    while list((sd.path / StoreDir.TRASH).iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list((sd.path / StoreDir.TRASH).iterdir()) == []
    assert values(sd) == {"three"}


def test_back_to_back_writes_do_not_mix_graphs(tmp_path, monkeypatch):
    """Two builds in one process within the same second must still give a fresh graph."""
    monkeypatch.setattr(store_module.time, "strftime", lambda fmt, *args: "20000101T000000Z")
    sd = StoreDir(tmp_path / "kg-store")
    sd.write_new([quad("a", "one")])
    sd.write_new([quad("b", "two")])
    assert values(sd) == {"two"}


def test_no_temporary_link_left_behind(tmp_path, distinct_stamps):
    sd = StoreDir(tmp_path / "kg-store")
    sd.write_new([quad("a", "one")])
    sd.write_new([quad("b", "two")])
    assert [p.name for p in sd.path.iterdir() if p.name.startswith(".current")] == []


def test_exists_only_after_a_build(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    assert not sd.exists()
    sd.write_new([quad("a", "one")])
    assert sd.exists()


def test_opening_a_store_never_built_raises_helpful_error(tmp_path):
    path = tmp_path / "never-built"
    with pytest.raises(StoreError) as info:
        StoreDir(path).open()
    message = str(info.value)
    assert str(path) in message
    assert "kg build" in message


def test_opening_an_empty_folder_raises(tmp_path):
    (tmp_path / "empty-store").mkdir()
    with pytest.raises(StoreError, match="no graph built"):
        StoreDir(tmp_path / "empty-store").open()


# --- the lock ----------------------------------------------------------------

def test_second_lock_while_first_is_held_raises(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    with sd.lock():
        with pytest.raises(StoreError, match="another build"):
            with sd.lock():
                pass


def test_lock_from_another_store_object_on_same_folder_raises(tmp_path):
    with StoreDir(tmp_path / "kg-store").lock():
        with pytest.raises(StoreError):
            with StoreDir(tmp_path / "kg-store").lock():
                pass


def test_lock_is_released_after_use(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    with sd.lock():
        pass
    with sd.lock():
        pass  # no error


def test_lock_is_released_after_an_exception(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    with pytest.raises(RuntimeError):
        with sd.lock():
            raise RuntimeError("build failed")
    with sd.lock():
        pass


def test_locks_on_different_stores_are_independent(tmp_path):
    with StoreDir(tmp_path / "one").lock():
        with StoreDir(tmp_path / "two").lock():
            pass


# --- the record cache --------------------------------------------------------

def small_record(doc_id: str = "900777") -> ExtractedDocument:
    text = "**Note**\n\nAmbassador I. Marek met Mayor Petra Holm in Novy Brod on 2 March."
    doc = ParsedDocument(
        source_path="/docs/note.txt", doc_id=doc_id, text=text, content_hash="0" * 64, title="Note",
        title_span=Span(2, 6, "Note"), date=PartialDate("1961-03", "month", "March 1961"),
        body=Span(10, len(text), text[10:]), translators=[Span(0, 2, "**")],
        archival_reference=ArchivalReference(repository="AVPRF", fond="0415", opis="7", delo="21", text="x"),
        classification="Secret", notes=[DocumentNote("stamp", Span(0, 2, "**"))],
        funders=["Korea Foundation"], doc_type="memorandum_of_conversation", warnings=["a warning"])
    marek = Mention(21, 29, "I. Marek", "title-pattern", 0.9)
    holm = Mention(40, 50, "Petra Holm", "title-pattern", 0.8)
    return ExtractedDocument(
        doc=doc,
        people=[EntityRecord("person", "p1", "I. Marek", ["I. Marek"], [marek], ["ambassador"]),
                EntityRecord("person", "p2", "Petra Holm", ["Petra Holm"], [holm], ["mayor"])],
        places=[EntityRecord("place", "pl1", "Novy Brod", gazetteer_id="novy-brod", entity_type="city")],
        meetings=[MeetingRecord(PartialDate("1961-03-02", "day", "2 March"), Span(10, len(text), text[10:]),
                                place_key="pl1", participants=[Participation("p1", "host", marek),
                                                               Participation("p2", "guest", holm)],
                                duration_minutes=45.0, topics=[TopicAssignment("agriculture", 0.7, [marek])],
                                method="rule")],
        topics=[TopicAssignment("agriculture", 0.7, [marek])],
        authors=["p1"],
    )


def test_record_round_trip(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    record = small_record()
    sd.save_record(record)
    assert sd.load_record("900777") == record


def test_record_round_trip_keeps_nested_types(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    sd.save_record(small_record())
    back = sd.load_record("900777")
    assert isinstance(back.doc.date, PartialDate)
    assert isinstance(back.meetings[0].participants[0].evidence, Mention)
    assert isinstance(back.doc.notes[0].span, Span)


def test_record_json_is_what_dataclasses_asdict_gives():
    import dataclasses
    import json

    for record in (small_record(), small_record().slim()):  # the slim copy holds tuples, not lists
        assert json.dumps(record.to_json(), sort_keys=True) == json.dumps(dataclasses.asdict(record), sort_keys=True)


def test_load_missing_record_is_none(tmp_path):
    assert StoreDir(tmp_path / "kg-store").load_record("nope") is None


def test_record_ids_and_load_records(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    assert sd.record_ids() == []
    sd.save_record(small_record("900002"))
    sd.save_record(small_record("900001"))
    assert sd.record_ids() == ["900001", "900002"]
    assert [r.doc.doc_id for r in sd.load_records()] == ["900001", "900002"]


def test_saving_a_record_again_overwrites_it(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    record = small_record()
    sd.save_record(record)
    record.authors = ["p2"]
    sd.save_record(record)
    assert sd.load_record("900777").authors == ["p2"]
    assert not list(sd.records_dir.glob("*.tmp"))


def test_record_with_slash_in_id_stays_in_records_folder(tmp_path):
    sd = StoreDir(tmp_path / "kg-store")
    sd.save_record(small_record("a/b"))
    assert sd.record_path("a/b").parent == sd.records_dir
    assert sd.load_record("a/b").doc.doc_id == "a/b"
