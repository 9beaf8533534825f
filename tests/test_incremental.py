"""Incremental builds patch a copy of the served graph; the result must equal a full rebuild.

Equal means: the same quads (but for the build history in graph/provenance and graph/retired),
the same side index (search and facets), and a dump that holds exactly the store's quads.
"""
from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import dump, search_index
from kg.build import build
from kg.store import StoreDir

from conftest import render_doc

HISTORY = ("graph/provenance", "graph/retired")


def _write(docs: Path, name: str, title: str, body: str) -> None:
    (docs / f"{name}.txt").write_text(render_doc(title=title, body=body), encoding="utf-8")


def _corpus(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a", "Memorandum of Conversation with Ambassador Ivan Kovalenko",
           "3 March 1961\n\nI received Ambassador Ivan Kovalenko at his request. Kovalenko said the plan was good.\n")
    _write(docs, "b", "Memorandum of Conversation with Ambassador I. Kovalenko",
           "4 March 1961\n\nI received Ambassador I. Kovalenko. Kovalenko spoke of trade with Poland.\n")
    _write(docs, "c", "Memorandum of Conversation with Comrade Petrenko",
           "5 March 1961\n\nI received Comrade Pavel Petrenko. Petrenko spoke of the harvest.\n")
    for i in range(3):
        _write(docs, f"other{i}", f"Record of Conversation with Minister Oleg Zorin, number {i}",
               f"1{i} April 1961\n\nI visited Minister Oleg Zorin. Zorin spoke of Hungary.\n")
    return docs


def _change_c(docs: Path, subject: str = "the grain") -> None:
    _write(docs, "c", "Memorandum of Conversation with Comrade Petrenko",
           f"5 March 1961\n\nI received Comrade Pavel Petrenko. Petrenko spoke of {subject}.\n")


def _failing_build(docs: Path, store: Path, monkeypatch) -> None:
    """A build that fails as it writes the side index (after records were saved), as a full disk would make it."""
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(search_index.IndexWriter, "finish", broken)
        patch.setattr(search_index.IndexPatch, "finish_names", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            build([docs], store)


def _quads(store_path: Path, *skip: str) -> set[str]:
    return {str(q) for q in StoreDir(store_path).open() if not any(g in str(q.graph_name) for g in skip)}


def _index(store_path: Path) -> dict[str, list]:
    db = sqlite3.connect(search_index.path_for(StoreDir(store_path).current.resolve()))
    tables = {"documents": "SELECT * FROM documents", "facets": "SELECT * FROM facets",
              "names": "SELECT iri, kind, label, forms, weight FROM names",
              "texts": "SELECT iri, title, body FROM texts"}
    out = {name: sorted(db.execute(sql).fetchall(), key=repr) for name, sql in tables.items()}
    # the texts must be searchable by their text, not only present
    out["match"] = sorted(db.execute("SELECT iri FROM texts WHERE texts MATCH 'harvest OR trade'").fetchall())
    db.close()
    return out


def _dump_quads(store_path: Path) -> set[str]:
    """The quads of the dump as the server sends it: its shards laid end to end, one gzip stream."""
    shards = dump.files(dump.path_for(StoreDir(store_path).current.resolve()))
    data = gzip.decompress(b"".join(dump.stream(shards)))
    quads = [str(q) for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)]
    assert len(quads) == len(set(quads))  # no graph is in two shards
    return set(quads)


def test_a_change_that_renames_a_person_elsewhere_patches_both_documents(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "inc")
    before = _quads(tmp_path / "inc")
    # 'Ivan Kovalenko' leaves a: the person of b is now known only as 'I. Kovalenko', so b's graph changes too
    _write(docs, "a", "Memorandum of Conversation with Ambassador Ivan Sorokin",
           "3 March 1961\n\nI received Ambassador Ivan Sorokin at his request. Sorokin said the plan was good.\n")
    report = build([docs], tmp_path / "inc")
    assert report.built == ["a"]
    assert report.incremental is not None and report.incremental >= 1
    build([docs], tmp_path / "full", incremental=False)
    assert _quads(tmp_path / "inc", *HISTORY) == _quads(tmp_path / "full", *HISTORY)
    assert _quads(tmp_path / "inc", *HISTORY) != {q for q in before if not any(g in q for g in HISTORY)}
    assert _index(tmp_path / "inc") == _index(tmp_path / "full")
    assert _dump_quads(tmp_path / "inc") == _quads(tmp_path / "inc")


def test_removed_and_added_documents_update_graph_index_and_dump(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "inc")
    (docs / "c.txt").unlink()
    _write(docs, "d", "Memorandum of Conversation with Comrade Pavel Petrenko",
           "6 March 1961\n\nI received Comrade Pavel Petrenko. Petrenko spoke of the harvest in Hungary.\n")
    report = build([docs], tmp_path / "inc")
    assert report.removed == ["c"] and report.built == ["d"] and report.incremental is not None
    build([docs], tmp_path / "full", incremental=False)
    assert _quads(tmp_path / "inc", *HISTORY) == _quads(tmp_path / "full", *HISTORY)
    assert _index(tmp_path / "inc") == _index(tmp_path / "full")
    assert _dump_quads(tmp_path / "inc") == _quads(tmp_path / "inc")
    assert not any("/document/c>" in q for q in _quads(tmp_path / "inc", *HISTORY))  # retired: it answers 410


def test_a_full_build_loaded_in_many_waves_by_worker_processes_is_the_same_graph(tmp_path, monkeypatch):
    import kg.build as kb
    from kg import mapstage

    docs = _corpus(tmp_path)
    build([docs], tmp_path / "one", jobs=1)
    waves: list[int] = []
    load_wave = kb._load_wave

    def counted(db, chunk_files):
        waves.append(len(chunk_files))
        return load_wave(db, chunk_files)

    monkeypatch.setattr(mapstage, "CHUNK", 1)  # one document per chunk: six chunks, enough for a pool
    monkeypatch.setattr(kb, "WAVE_BYTES", 1)  # every chunk is a wave of its own
    monkeypatch.setattr(kb, "_load_wave", counted)
    build([docs], tmp_path / "many", jobs=2)
    # the file of the shared graphs (vocabulary, entities) goes in the first wave, then one chunk per wave
    assert sum(waves) == 7 and len([w for w in waves if w]) == 6
    assert _quads(tmp_path / "many", *HISTORY) == _quads(tmp_path / "one", *HISTORY)
    assert _index(tmp_path / "many") == _index(tmp_path / "one")
    assert _dump_quads(tmp_path / "many") == _quads(tmp_path / "many")
    assert not list((tmp_path / "many").glob("*.work"))  # no chunk file is left behind


def test_a_full_build_is_taken_when_asked_or_when_the_base_changes(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    _change_c(docs)
    assert build([docs], tmp_path / "s", incremental=False).incremental is None
    # another base URI changes every URI: nothing of the old graph can be kept
    report = build([docs], tmp_path / "s", base_uri="https://archive.example.org/")
    assert report.incremental is None
    assert all("localhost" not in q for q in _quads(tmp_path / "s", *HISTORY))


def test_an_incremental_build_that_fails_leaves_the_served_graph_whole(tmp_path, monkeypatch):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    served = StoreDir(tmp_path / "s").current.resolve()
    before = _quads(tmp_path / "s")
    _change_c(docs)
    _failing_build(docs, tmp_path / "s", monkeypatch)
    assert StoreDir(tmp_path / "s").current.resolve() == served
    assert _quads(tmp_path / "s") == before
    # nothing of the failed build is left beside the served database and its own files
    assert all(p.name.startswith(served.name) for p in (tmp_path / "s").glob("db-*"))
    assert build([docs], tmp_path / "s").built == ["c"]  # the failed file is built again next time


def test_the_same_folder_named_another_way_is_the_same_files(tmp_path, monkeypatch):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    monkeypatch.chdir(tmp_path)
    report = build([Path("docs")], tmp_path / "s")
    assert report.skipped == [] and report.built == [] and len(report.unchanged) == 6


def test_a_missing_dump_or_index_beside_the_graph_means_a_full_build(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    served = StoreDir(tmp_path / "s").current.resolve()
    shutil.rmtree(dump.path_for(served))
    _change_c(docs)
    report = build([docs], tmp_path / "s")
    assert report.built == ["c"] and report.incremental is None
    assert _dump_quads(tmp_path / "s") == _quads(tmp_path / "s")


def test_the_quad_count_of_an_incremental_build_is_the_store_s(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    (docs / "c.txt").unlink()
    _write(docs, "a", "Memorandum of Conversation with Ambassador Ivan Sorokin",
           "3 March 1961\n\nI received Ambassador Ivan Sorokin at his request. Sorokin spoke of Hungary.\n")
    report = build([docs], tmp_path / "s")
    assert report.incremental is not None
    assert report.quads == len(_quads(tmp_path / "s"))


CITATION = ('"Memo", 1961, History and Public Policy Program Digital Archive, '
            'https://digitalarchive.wilsoncenter.org/document/{n}')


def _cited(path: Path, n: int, who: str) -> None:
    """A document whose id comes from its citation, not from its file name."""
    path.write_text(render_doc(title=f"Memorandum {n} about {who}", citation=CITATION.format(n=n),
                               body=f"1 May 1961\n\nI visited Minister Oleg {who}.\n"), encoding="utf-8")


def test_a_renamed_file_keeps_its_document(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    _cited(docs / "x.txt", 123456, "Zorin")
    build([docs], tmp_path / "s")
    (docs / "x.txt").rename(docs / "y.txt")
    report = build([docs], tmp_path / "s")
    assert report.removed == [] and StoreDir(tmp_path / "s").record_ids() == ["123456"]
    assert any("/document/123456>" in q for q in _quads(tmp_path / "s", *HISTORY))


def test_two_files_that_trade_documents_keep_both(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    _cited(docs / "a.txt", 111, "Zorin")
    _cited(docs / "b.txt", 222, "Gromov")
    build([docs], tmp_path / "s")
    _cited(docs / "a.txt", 222, "Gromov")
    _cited(docs / "b.txt", 111, "Zorin")
    report = build([docs], tmp_path / "s")
    assert report.skipped == [] and sorted(report.built) == ["111", "222"]
    assert StoreDir(tmp_path / "s").record_ids() == ["111", "222"]


def test_a_folder_named_with_dot_dot_is_the_same_folder(tmp_path):
    docs = _corpus(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    build([docs], tmp_path / "s")
    report = build([tmp_path / "elsewhere" / ".." / "docs"], tmp_path / "s")
    assert report.skipped == [] and report.built == []


def test_records_saved_by_a_failed_build_reach_the_graph_later(tmp_path, monkeypatch):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "inc")
    _change_c(docs)
    _failing_build(docs, tmp_path / "inc", monkeypatch)
    # the record of c is saved, but its graph never was; another folder's build must still bring it in
    other = tmp_path / "other"
    other.mkdir()
    _write(other, "e", "Memorandum of Conversation with Comrade Ivan Lebedev",
           "7 March 1961\n\nI received Comrade Ivan Lebedev. Lebedev spoke of Poland.\n")
    build([docs, other], tmp_path / "inc")
    build([docs, other], tmp_path / "full", incremental=False)
    assert _quads(tmp_path / "inc", *HISTORY) == _quads(tmp_path / "full", *HISTORY)


def test_other_mapping_code_means_a_full_build(tmp_path, monkeypatch):
    import kg.build as kb

    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    monkeypatch.setattr(kb, "graph_fingerprint", lambda: "a newer mapping")
    report = build([docs], tmp_path / "s")  # no file changed, yet the graph must be made again
    assert report.built == [] and report.quads > 0 and report.incremental is None
    _change_c(docs)
    assert build([docs], tmp_path / "s").incremental is not None  # the same code again: in place


def test_server_writes_leave_with_any_build(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "inc")
    db = StoreDir(tmp_path / "inc").open(read_only=False)
    db.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o"), ox.NamedNode("urn:x:user")))
    db.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o")))
    db.flush()
    del db
    _change_c(docs)
    report = build([docs], tmp_path / "inc")
    assert report.incremental is not None
    assert not any("urn:x:" in q for q in _quads(tmp_path / "inc"))
    assert report.quads == len(_quads(tmp_path / "inc"))


def test_a_patch_looks_for_graphs_no_build_wrote_only_when_the_database_was_opened_for_writing(tmp_path, monkeypatch):
    """Listing every named graph costs a third of a second at 15,000 documents: a patch does it only when something
    other than a build or the server (whose writes are counted) opened the database for writing."""
    from kg import build as kg_build

    scans = []
    real = kg_build._Patch._clear_foreign
    monkeypatch.setattr(kg_build._Patch, "_clear_foreign", lambda self, *a: scans.append(1) or real(self, *a))
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    _change_c(docs)
    assert build([docs], tmp_path / "s").incremental is not None and scans == []
    StoreDir(tmp_path / "s").open(read_only=True).query("ASK { ?s ?p ?o }")  # reading changes nothing
    _change_c(docs, "the harvest")
    assert build([docs], tmp_path / "s").incremental is not None and scans == []
    db = StoreDir(tmp_path / "s").open(read_only=False)
    del db  # opened for writing, nothing written: looked at anyway
    _change_c(docs, "the weather")
    assert build([docs], tmp_path / "s").incremental is not None and scans == [1]


def test_a_server_write_into_a_document_graph_means_a_full_build(tmp_path):
    from server import create_app

    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    app = create_app(str(tmp_path / "s"), workers=1, write_token="secret")
    response = app.test_client().post(
        "/sparql/update", headers={"Authorization": "Bearer secret"},
        data={"update": "INSERT DATA { GRAPH <http://localhost:5000/graph/document/a> { <urn:x:s> <urn:x:p> 'o' } }"})
    assert response.status_code in (200, 204)
    _change_c(docs)
    report = build([docs], tmp_path / "s")
    assert report.incremental is None  # document a was not rebuilt, yet its graph had changed: all is made anew
    assert not any("urn:x:" in q for q in _quads(tmp_path / "s"))
    _change_c(docs, "the harvest")
    assert build([docs], tmp_path / "s").incremental is not None  # no write since: in place again


def test_a_copy_that_kept_its_times_is_seen_with_checksum(tmp_path):
    """Files are judged by size and modification time, as make and rsync judge them; an edit of the same size
    whose times were put back (cp -p, rsync -t) goes unseen, unless the build is asked to read every file."""
    import os

    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    path = docs / "c.txt"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("harvest", "weather"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert build([docs], tmp_path / "s").built == []
    report = build([docs], tmp_path / "s", checksum=True)
    assert report.built == ["c"]
    assert any("weather" in q for q in _quads(tmp_path / "s"))


def test_an_incremental_build_keeps_the_uri_registry_a_full_build_keeps(tmp_path):
    """Same history, same registry: the URIs a patch no longer mints are replaced or gone as after a full build,
    and the retired graph says so."""
    from kg import registry

    docs = _corpus(tmp_path)
    for store in ("inc", "full"):
        build([docs], tmp_path / store)
    # 'Ivan Kovalenko' leaves a: b's 'I. Kovalenko' is a person of his own now, and c leaves altogether
    _write(docs, "a", "Memorandum of Conversation with Ambassador Ivan Sorokin",
           "3 March 1961\n\nI received Ambassador Ivan Sorokin at his request. Sorokin said the plan was good.\n")
    (docs / "c.txt").unlink()
    assert build([docs], tmp_path / "inc").incremental is not None
    build([docs], tmp_path / "full", incremental=False)
    patched, full = registry.load(tmp_path / "inc"), registry.load(tmp_path / "full")
    assert patched == full
    assert patched["http://localhost:5000/id/document/c"]["status"] == "gone"
    assert any(e["status"] == "replaced" for e in patched.values())
    assert _quads(tmp_path / "inc", "graph/provenance") == _quads(tmp_path / "full", "graph/provenance")


def test_a_store_with_the_old_json_registry_keeps_its_history(tmp_path):
    import json

    from kg import registry

    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    entries = registry.load(tmp_path / "s")
    gone = "http://localhost:5000/id/person/someone-long-gone"
    entries[gone] = {"kind": "person", "status": "gone", "members": [["x", "person-1"]]}
    (tmp_path / "s" / registry.FILE).unlink()
    (tmp_path / "s" / registry.LEGACY_FILE).write_text(json.dumps(entries), encoding="utf-8")
    assert registry.lookup(tmp_path / "s", gone)["status"] == "gone"  # a server before the next build
    _change_c(docs)
    build([docs], tmp_path / "s")
    assert not (tmp_path / "s" / registry.LEGACY_FILE).exists()
    assert registry.lookup(tmp_path / "s", gone)["status"] == "gone"


def test_a_patch_writes_again_only_the_dump_shards_that_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(dump, "PER_SHARD", 2)  # six documents: three shards of documents
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    before = dump.files(dump.path_for(StoreDir(tmp_path / "s").current.resolve()))
    assert len([p for p in before if p.name.startswith("documents-")]) == 3
    _change_c(docs)  # c is in the second shard (a, b | c, other0 | other1, other2)
    assert build([docs], tmp_path / "s").incremental is not None
    after = dump.files(dump.path_for(StoreDir(tmp_path / "s").current.resolve()))
    assert [p.name for p in after] == [p.name for p in before]
    kept = {p.name for p, q in zip(before, after) if p.stat().st_ino == q.stat().st_ino}
    assert "documents-000000.nq.gz" in kept and "documents-000002.nq.gz" in kept and "vocabulary.nq.gz" in kept
    assert "documents-000001.nq.gz" not in kept and "provenance.nq.gz" not in kept
    assert _dump_quads(tmp_path / "s") == _quads(tmp_path / "s")
    # a new document joins the shard of the one before it; a removed one leaves its shard
    (docs / "other1.txt").unlink()
    _write(docs, "b2", "Memorandum of Conversation with Comrade Petrenko",
           "7 March 1961\n\nI received Comrade Pavel Petrenko again.\n")
    assert build([docs], tmp_path / "s").incremental is not None
    assert _dump_quads(tmp_path / "s") == _quads(tmp_path / "s")
    build([docs], tmp_path / "full", incremental=False)
    assert {q for q in _dump_quads(tmp_path / "s") if not any(g in q for g in HISTORY)} == \
        _quads(tmp_path / "full", *HISTORY)


def _index_files(store_path: Path) -> tuple[list[str], list[str]]:
    """The side index files beside the databases: (real files, links)."""
    paths = sorted(store_path.glob("db-*.search.sqlite*"))
    return [p.name for p in paths if not p.is_symlink()], [p.name for p in paths if p.is_symlink()]


def test_patches_change_the_side_index_in_place_and_leave_no_file_behind(tmp_path):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    (first,), _ = _index_files(tmp_path / "s")
    for n, subject in enumerate(("the grain", "the harvest in Hungary", "trade with Poland"), 1):
        _change_c(docs, subject)
        assert build([docs], tmp_path / "s").incremental is not None
        build([docs], tmp_path / f"full-{n}", incremental=False)
        assert _index(tmp_path / "s") == _index(tmp_path / f"full-{n}")
        # one file, kept after the database that wrote it is gone; the served database and the one
        # before it link to it
        real, links = _index_files(tmp_path / "s")
        assert real == [first] and len(links) == min(n, 2)
    for subject in ("peace", "war"):
        _change_c(docs, subject)
        build([docs], tmp_path / "s", incremental=False)
    real, links = _index_files(tmp_path / "s")
    assert first not in real and links == [] and len(real) == 2  # the served database's and the previous one's


def test_a_failed_patch_leaves_the_side_index_as_it_was(tmp_path, monkeypatch):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    before = _index(tmp_path / "s")
    _change_c(docs)
    _failing_build(docs, tmp_path / "s", monkeypatch)
    assert _index(tmp_path / "s") == before
    assert _index_files(tmp_path / "s")[1] == []


def test_a_patch_killed_after_the_swap_is_made_whole_by_the_next_build(tmp_path, monkeypatch):
    docs = _corpus(tmp_path)
    build([docs], tmp_path / "s")
    _change_c(docs)

    def killed(index):
        index.db.close()  # what the process dying does: the transaction is never committed
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(search_index.IndexPatch, "commit", killed)
        with pytest.raises(RuntimeError, match="killed"):
            build([docs], tmp_path / "s")
    # the new graph is served, its index is not: the next build sees it and builds everything again
    assert not search_index.matches(search_index.path_for(StoreDir(tmp_path / "s").current.resolve()),
                                    StoreDir(tmp_path / "s").current.resolve())
    # c back as it was before the failed build (as the manifest knows it): its record is still the failed
    # build's, so it is extracted again all the same
    _change_c(docs, "the harvest")
    report = build([docs], tmp_path / "s")
    assert report.incremental is None and report.built == ["c"]
    build([docs], tmp_path / "full", incremental=False)
    assert _index(tmp_path / "s") == _index(tmp_path / "full")
