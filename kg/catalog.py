"""The resolution catalogue: how each record was resolved, in one SQLite file beside the database.

A full build resolves the corpus into it block by block (``resolve_into``): the records go in
unresolved, one document at a time, and each block is grouped alone, so that the build never holds
the corpus or its resolution (``write`` stores a resolution made in memory). The mapping workers read from it
the identities of the documents they map, so that none of them holds the whole resolution. An
incremental build works on a copy: it replaces the changed documents' records, groups again only
the blocks they touch (``resolve.block_of``), renumbers the slugs that could collide with the new
ones, and links again the meetings of the days concerned. ``Change`` says what else that moved:
the documents whose graph must be mapped again, and the identities before and after.
"""
from __future__ import annotations

import itertools
import json
import pickle
import sqlite3
from dataclasses import dataclass, field, replace
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple, Optional

from . import resolve as R
from .gazetteer import Gazetteer, default_gazetteer
from .records import EntityRecord, ExtractedDocument
from .resolve import Identity, Resolution
from .store import SQLiteDraft

TABLES = """
CREATE TABLE docs (doc_id TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
-- seq: the record's place in its document (people, then organizations, then places): grouping depends on order;
-- data: what grouping reads of the record (see _encode)
CREATE TABLE records (doc_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, block TEXT, ident TEXT,
                      data BLOB NOT NULL, PRIMARY KEY (doc_id, key));
-- id is 'kind:slug'; data is the pickled identity without its members, which the records table holds
CREATE TABLE identities (id TEXT PRIMARY KEY, kind TEXT NOT NULL, slug TEXT NOT NULL, name TEXT NOT NULL,
                         root TEXT NOT NULL, block TEXT NOT NULL, data BLOB NOT NULL);
-- day: the ISO date of a meeting dated to the day (only those can be parallel accounts), else NULL
CREATE TABLE meetings (doc_id TEXT NOT NULL, idx INTEGER NOT NULL, iso TEXT, day TEXT, minted TEXT NOT NULL,
                       PRIMARY KEY (doc_id, idx));
CREATE TABLE meeting_people (doc_id TEXT NOT NULL, idx INTEGER NOT NULL, key TEXT NOT NULL);
"""
# made once the rows are in when a whole corpus is resolved: an index built at once costs less than kept up
INDEXES = """
CREATE INDEX records_block ON records (block);
CREATE INDEX records_ident ON records (ident);
CREATE INDEX identities_root ON identities (kind, root);
CREATE INDEX identities_block ON identities (block);
CREATE INDEX meetings_day ON meetings (day);
CREATE INDEX meetings_minted ON meetings (minted);
CREATE INDEX meeting_people_record ON meeting_people (doc_id, key);
"""
SCHEMA = TABLES + INDEXES


def path_for(db_dir: Path) -> Path:
    return db_dir.with_name(db_dir.name + ".catalog.sqlite")


def _records(ed: ExtractedDocument):
    return (*ed.people, *ed.organizations, *ed.places)


def _meeting_rows(ed: ExtractedDocument, minted: dict) -> tuple[list, list]:
    doc_id = ed.doc.doc_id
    meetings, people = [], []
    for i, meeting in enumerate(ed.meetings):
        iso = meeting.date.iso if meeting.date else None
        day = iso if meeting.date and meeting.date.precision == "day" else None
        meetings.append((doc_id, i, iso, day, json.dumps(minted[(doc_id, i)])))
        people.extend((doc_id, i, p.person_key) for p in meeting.participants)
    return meetings, people


def _encode(record: EntityRecord) -> bytes:
    """What grouping reads of a record, as a pickled tuple: four times faster to read back than the record."""
    return pickle.dumps((record.kind, record.key, record.name, tuple(record.forms), tuple(record.roles or ()),
                         tuple(record.cover_names or ()), record.gazetteer_id, record.entity_type), pickle.HIGHEST_PROTOCOL)


class _Record(NamedTuple):
    """A record as grouping reads it (the fields of ``EntityRecord`` it uses): made ten times faster."""
    kind: str
    key: str
    name: str
    forms: tuple
    roles: tuple
    cover_names: tuple
    gazetteer_id: Optional[str]
    entity_type: Optional[str]


def _decode(data: bytes) -> _Record:
    return _Record._make(pickle.loads(data))


def _identity_row(key: str, ident: Identity, block: str) -> tuple:
    data = pickle.dumps(replace(ident, members=[]), protocol=pickle.HIGHEST_PROTOCOL)
    return (key, ident.kind, ident.slug, ident.name, R.slug_root(R.slug_base(ident)), block, data)


def write(target: Path, documents: Iterable[ExtractedDocument], resolution: Resolution,
          gazetteer: Optional[Gazetteer] = None) -> None:
    """The catalogue of a whole resolution, written to ``target`` in one go."""
    gazetteer = gazetteer or default_gazetteer()
    draft = SQLiteDraft(target, schema=SCHEMA)
    db = draft.db
    try:
        key_of = {id(ident): key for key, ident in resolution.identities.items()}
        block_of_ident: dict[str, str] = {}
        for ed in documents:
            doc_id = ed.doc.doc_id
            db.execute("INSERT INTO docs VALUES (?, ?)", (doc_id, ed.doc.content_hash))
            rows = []
            for seq, record in enumerate(_records(ed)):
                ident = resolution.index.get((doc_id, record.key))
                block = R.block_of(record, gazetteer) if ident is not None else None
                ident_key = key_of[id(ident)] if ident is not None else None
                if ident_key is not None:
                    block_of_ident.setdefault(ident_key, block)
                rows.append((doc_id, record.key, seq, block, ident_key, _encode(record)))
            db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", rows)
            meetings, people = _meeting_rows(ed, resolution.meetings)
            db.executemany("INSERT INTO meetings VALUES (?, ?, ?, ?, ?)", meetings)
            db.executemany("INSERT INTO meeting_people VALUES (?, ?, ?)", people)
        db.executemany("INSERT INTO identities VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [_identity_row(key, ident, block_of_ident[key]) for key, ident in resolution.identities.items()
                        if key in block_of_ident])
    except BaseException:
        draft.abandon()
        raise
    draft.finish()


_STAGING = """
-- each identity as grouped in its block, before it has a slug; tid numbers it for now
CREATE TEMP TABLE grouped (tid INTEGER PRIMARY KEY, kind TEXT, root TEXT, gaz TEXT, first_doc TEXT, first_key TEXT,
                           block TEXT, data BLOB);
CREATE TEMP TABLE assigned (doc_id TEXT, key TEXT, tid INTEGER, PRIMARY KEY (doc_id, key)) WITHOUT ROWID;
CREATE TEMP TABLE named (tid INTEGER PRIMARY KEY, id TEXT NOT NULL, slug TEXT NOT NULL, name TEXT NOT NULL,
                         data BLOB NOT NULL);
"""


def resolve_into(target: Path, documents: Iterable[ExtractedDocument], gazetteer: Optional[Gazetteer] = None) -> list[str]:
    """Resolve a whole corpus into a new catalogue at ``target``: what ``write(target, docs, resolve(docs))``
    writes, but holding one document, then one block, at a time. Returns the ids of the documents written.

    Records only join others of their block (``resolve.block_of``), slugs only collide within one slug root
    (``resolve.slug_root``) and meetings are only linked within one day, so each of the three is done one
    group at a time, in the order a resolution of the whole corpus takes them.
    """
    gazetteer = gazetteer or default_gazetteer()
    draft = SQLiteDraft(target, schema=TABLES)
    db = draft.db
    try:
        db.executescript(_STAGING)
        doc_ids = []
        for ed in documents:
            doc_id = ed.doc.doc_id
            db.execute("INSERT INTO docs VALUES (?, ?)", (doc_id, ed.doc.content_hash))
            db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, NULL, ?)",
                           [(doc_id, r.key, seq, R.block_of(r, gazetteer), _encode(r)) for seq, r in enumerate(_records(ed))])
            own = R.own_meeting_parts(doc_id, [m.date.iso if m.date else None for m in ed.meetings])
            meetings, people = _meeting_rows(ed, {(doc_id, i): parts for i, parts in enumerate(own)})
            db.executemany("INSERT INTO meetings VALUES (?, ?, ?, ?, ?)", meetings)
            db.executemany("INSERT INTO meeting_people VALUES (?, ?, ?)", people)
            doc_ids.append(doc_id)
        _group_blocks(db, gazetteer)
        _number_identities(db)
        _link_days(db)
        db.executescript("DROP TABLE grouped; DROP TABLE assigned; DROP TABLE named;" + INDEXES)
    except BaseException:
        draft.abandon()
        raise
    draft.finish()
    return doc_ids


def _group_blocks(db: sqlite3.Connection, gazetteer: Gazetteer) -> None:
    rows = db.execute("SELECT block, doc_id, key, data FROM records WHERE block IS NOT NULL "
                      "ORDER BY block, doc_id, seq")
    for block, in_block in itertools.groupby(rows, key=itemgetter(0)):
        index: dict[tuple[str, str], Identity] = {}
        grouped = R.group([(doc_id, _decode(data)) for _, doc_id, _, data in in_block], gazetteer, index)
        tids = {}
        for ident in grouped:
            first_doc, first_key = min(ident.members)
            data = pickle.dumps(replace(ident, members=[]), protocol=pickle.HIGHEST_PROTOCOL)
            tids[id(ident)] = db.execute("INSERT INTO grouped VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)",
                                         (ident.kind, R.slug_root(R.slug_base(ident)), ident.gazetteer_id or "",
                                          first_doc, first_key, block, data)).lastrowid
        db.executemany("INSERT INTO assigned VALUES (?, ?, ?)", [(d, k, tids[id(i)]) for (d, k), i in index.items()])


# the order identities of one slug base are numbered in (``resolve.slug_order``): an identity's first record
# decides, since no two identities share a record
_SLUG_ORDER = "kind, gaz, first_doc, first_key"


def _number_identities(db: sqlite3.Connection) -> None:
    rows = db.execute(f"SELECT tid, kind, root, data FROM grouped ORDER BY kind, root, {_SLUG_ORDER}")
    for _, colliding in itertools.groupby(rows, key=itemgetter(1, 2)):
        used: set[str] = set()
        named = []
        for tid, _, _, data in colliding:
            ident = pickle.loads(data)
            ident.slug = R.free_slug(ident, used.__contains__)
            key = f"{ident.kind}:{ident.slug}"
            used.add(key)
            named.append((tid, key, ident.slug, ident.name, pickle.dumps(ident, protocol=pickle.HIGHEST_PROTOCOL)))
        db.executemany("INSERT INTO named VALUES (?, ?, ?, ?, ?)", named)
    # written in numbering order, which is the order ``Resolved.identities`` gives them back in
    db.execute("INSERT INTO identities SELECT n.id, g.kind, n.slug, n.name, g.root, g.block, n.data "
               "FROM grouped g JOIN named n USING (tid) "
               f"ORDER BY {', '.join('g.' + c.strip() for c in _SLUG_ORDER.split(','))}")
    db.execute("UPDATE records SET ident = n.id FROM assigned a JOIN named n ON n.tid = a.tid "
               "WHERE records.doc_id = a.doc_id AND records.key = a.key")


def _link_days(db: sqlite3.Connection) -> None:
    """Parallel accounts, day by day (``resolve.link_accounts``): only meetings with two known people can link."""
    rows = db.execute(
        "SELECT m.day, m.doc_id, m.idx, m.minted, r.ident FROM meetings m "
        "JOIN meeting_people p ON p.doc_id = m.doc_id AND p.idx = m.idx "
        "JOIN records r ON r.doc_id = p.doc_id AND r.key = p.key "
        "WHERE m.day IS NOT NULL AND r.ident IS NOT NULL ORDER BY m.day, m.doc_id, m.idx")
    linked = []
    for day, of_day in itertools.groupby(rows, key=itemgetter(0)):
        local, accounts = {}, []
        for meeting, people in itertools.groupby(of_day, key=itemgetter(1, 2)):
            people = list(people)
            local[meeting] = tuple(json.loads(people[0][3]))
            accounts.append((meeting, {row[4] for row in people}))
        for (doc_id, idx), minted in R.link_accounts(local, {day: accounts}).items():
            if minted != local[(doc_id, idx)]:
                linked.append((json.dumps(list(minted)), doc_id, idx))
    db.executemany("UPDATE meetings SET minted = ? WHERE doc_id = ? AND idx = ?", linked)


class Resolved:
    """A whole catalogue read back by a full build, one row at a time: what publishing the resolution needs
    (identities, their records, documents and meetings) without holding it."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def close(self) -> None:
        self.db.close()

    def identities(self) -> Iterator[Identity]:
        """Every identity, without its members, in the order slugs were given (``resolve.slug_order``)."""
        return (pickle.loads(data) for data, in self.db.execute("SELECT data FROM identities ORDER BY rowid"))

    def has_identity(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM identities WHERE id = ?", (key,)).fetchone() is not None

    def with_members(self) -> Iterator[tuple[Identity, list[tuple[str, str]]]]:
        """Every identity (in the order of ``identities``) with its records' (doc_id, key), sorted."""
        members = itertools.groupby(self.db.execute(
            "SELECT i.rowid, r.doc_id, r.key FROM records r JOIN identities i ON i.id = r.ident ORDER BY i.rowid, r.doc_id, r.key"),
            key=itemgetter(0))
        pending = next(members, None)
        for rowid, data in self.db.execute("SELECT rowid, data FROM identities ORDER BY rowid"):
            held = []
            if pending is not None and pending[0] == rowid:
                held = [(doc_id, key) for _, doc_id, key in pending[1]]
                pending = next(members, None)
            yield pickle.loads(data), held

    def documents(self) -> Iterator[tuple[str, str]]:
        """Every document's id and content hash, by id."""
        return iter(self.db.execute("SELECT doc_id, content_hash FROM docs ORDER BY doc_id"))

    def meetings(self) -> Iterator[tuple[tuple, list[tuple[str, str]]]]:
        """Every meeting's minted URI parts with its accounts' (doc_id, ISO date or ''), sorted; in the order their
        documents report them (a meeting is minted from its first account)."""
        rows = self.db.execute(
            "SELECT m.minted, m.doc_id, m.iso FROM meetings m JOIN (SELECT minted, MIN(idx) AS first FROM meetings "
            "WHERE doc_id = json_extract(minted, '$[0]') GROUP BY minted) f ON f.minted = m.minted "
            "ORDER BY json_extract(m.minted, '$[0]'), f.first, m.minted")
        for minted, accounts in itertools.groupby(rows, key=itemgetter(0)):
            yield tuple(json.loads(minted)), sorted((doc_id, iso or "") for _, doc_id, iso in accounts)


@dataclass(slots=True)
class _Named:
    """What mapping asks of an identity: its kind, slug and name."""
    kind: str
    slug: str
    name: str


def resolution_for(path: Path, doc_ids: list[str]) -> Resolution:
    """The part of the resolution that mapping these documents needs."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        index: dict[tuple[str, str], _Named] = {}
        meetings: dict[tuple[str, int], tuple] = {}
        named: dict[str, _Named] = {}
        for start in range(0, len(doc_ids), 500):
            part = doc_ids[start:start + 500]
            marks = ",".join("?" * len(part))
            for doc_id, key, ident, kind, slug, name in db.execute(
                    f"SELECT r.doc_id, r.key, r.ident, i.kind, i.slug, i.name FROM records r "
                    f"JOIN identities i ON i.id = r.ident WHERE r.doc_id IN ({marks})", part):
                entry = named.get(ident)
                if entry is None:
                    entry = named[ident] = _Named(kind, slug, name)
                index[(doc_id, key)] = entry
            for doc_id, idx, minted in db.execute(
                    f"SELECT doc_id, idx, minted FROM meetings WHERE doc_id IN ({marks})", part):
                meetings[(doc_id, idx)] = tuple(json.loads(minted))
        return Resolution({}, index, meetings)
    finally:
        db.close()


@dataclass
class Change:
    """What an incremental resolution moved."""
    documents: set[str] = field(default_factory=set)  # documents to map again: changed, or resolved otherwise
    removed: set[str] = field(default_factory=set)
    before: dict[str, Identity] = field(default_factory=dict)  # 'kind:slug' -> identity (with members) as it was
    after: dict[str, Identity] = field(default_factory=dict)  # 'kind:slug' -> identity (with members) as it is now
    meetings_before: dict[tuple[str, int], tuple] = field(default_factory=dict)  # minted URI parts as they were
    meetings_after: dict[tuple[str, int], tuple] = field(default_factory=dict)


class Catalog:
    """A catalogue opened for an incremental update (a copy of the served graph's, until ``finish``)."""

    def __init__(self, target: Path, base: Path):
        self.draft = SQLiteDraft(target, base)
        self.db, self.tmp = self.draft.db, self.draft.tmp
        for table in ("changed (doc_id TEXT PRIMARY KEY)", "touched (doc_id TEXT, key TEXT)",
                      "blocks (block TEXT PRIMARY KEY)", "roots (kind TEXT, root TEXT)", "wanted (id TEXT PRIMARY KEY)"):
            self.db.execute(f"CREATE TEMP TABLE {table}")

    def finish(self) -> None:
        self.draft.finish()

    def abandon(self) -> None:
        self.draft.abandon()

    def doc_ids(self) -> list[str]:
        return [d for d, in self.db.execute("SELECT doc_id FROM docs ORDER BY doc_id")]

    def content_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        return {d: self._one("SELECT content_hash FROM docs WHERE doc_id = ?", d) for d in doc_ids}

    def identity(self, key: str) -> Optional[Identity]:
        """The identity 'kind:slug' (without its members), or None."""
        data = self._one("SELECT data FROM identities WHERE id = ?", key)
        return pickle.loads(data) if data is not None else None

    def has_identity(self, key: str) -> bool:
        return self._one("SELECT 1 FROM identities WHERE id = ?", key) is not None

    def meeting_accounts(self, minted: tuple) -> list[tuple[str, str]]:
        """(doc_id, ISO date) of every account of the meeting minted from these parts."""
        return sorted((d, iso or "") for d, iso in self.db.execute(
            "SELECT doc_id, iso FROM meetings WHERE minted = ?", (json.dumps(list(minted)),)))

    def _one(self, sql: str, *args):
        row = self.db.execute(sql, args).fetchone()
        return row[0] if row else None

    def _in_blocks(self, blocks: set[str]) -> str:
        self.db.execute("DELETE FROM blocks")
        self.db.executemany("INSERT INTO blocks VALUES (?)", [(b,) for b in blocks])
        return "block IN (SELECT block FROM blocks)"

    def _members(self, identities: dict[str, Identity]) -> None:
        """Fill in the members of these identities (loaded without them)."""
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT INTO wanted VALUES (?)", [(k,) for k in identities])
        for doc_id, key, ident in self.db.execute(
                "SELECT doc_id, key, ident FROM records WHERE ident IN (SELECT id FROM wanted) ORDER BY doc_id, seq"):
            identities[ident].members.append((doc_id, key))

    def update(self, changed: dict[str, Optional[ExtractedDocument]], gazetteer: Optional[Gazetteer] = None) -> Change:
        """Resolve again after these documents changed (a slim record) or left (None)."""
        gazetteer = gazetteer or default_gazetteer()
        db, change = self.db, Change()
        ids = sorted(changed)
        db.executemany("INSERT INTO changed VALUES (?)", [(d,) for d in ids])
        in_changed = "doc_id IN (SELECT doc_id FROM changed)"
        change.documents = {d for d, ed in changed.items() if ed is not None}
        change.removed = {d for d in ids if changed[d] is None}

        # the blocks touched: those where the changed documents' records differ, before and after (a block
        # groups exactly as before when its records are the same: an edit that names no one new touches none)
        old_rows = db.execute(f"SELECT doc_id, key, seq, block, ident, data FROM records WHERE {in_changed}").fetchall()
        new_rows = [(ed.doc.doc_id, record.key, seq, R.block_of(record, gazetteer), _encode(record))
                    for ed in changed.values() if ed is not None for seq, record in enumerate(_records(ed))]
        old_by_block, new_by_block = _by_block(row[:4] + row[5:] for row in old_rows), _by_block(new_rows)
        blocks = {b for b in old_by_block.keys() | new_by_block.keys() if old_by_block.get(b) != new_by_block.get(b)}
        kept = {(d, k): i for d, k, _, b, i, _ in old_rows if b is not None and b not in blocks}
        for block in sorted(b for b in blocks if b not in old_by_block):
            absorbed = self._absorb(block, new_by_block[block], gazetteer)
            if absorbed is not None:
                old, new = absorbed
                blocks.discard(block)
                kept.update({(d, k): f"{new.kind}:{new.slug}" for d, k, _, _ in new_by_block[block]})
                change.before[f"{old.kind}:{old.slug}"], change.after[f"{new.kind}:{new.slug}"] = old, new
        new_rows = [(d, k, seq, b, kept.get((d, k)), data) for d, k, seq, b, data in new_rows]
        in_blocks = self._in_blocks(blocks)
        before = {key: pickle.loads(data) for key, data in db.execute(f"SELECT id, data FROM identities WHERE {in_blocks}")}
        old_days = {day for day, in db.execute(f"SELECT day FROM meetings WHERE {in_changed} AND day IS NOT NULL")}
        change.meetings_before = {(d, i): tuple(json.loads(m)) for d, i, m in db.execute(
            f"SELECT doc_id, idx, minted FROM meetings WHERE {in_changed}")}

        # the changed documents' rows replaced
        for table in ("docs", "records", "meetings", "meeting_people"):
            db.execute(f"DELETE FROM {table} WHERE {in_changed}")
        for ed in (e for e in changed.values() if e is not None):
            db.execute("INSERT INTO docs VALUES (?, ?)", (ed.doc.doc_id, ed.doc.content_hash))
            meetings, people = _meeting_rows(ed, {(ed.doc.doc_id, i): [] for i in range(len(ed.meetings))})
            db.executemany("INSERT INTO meetings VALUES (?, ?, ?, ?, ?)", meetings)
            db.executemany("INSERT INTO meeting_people VALUES (?, ?, ?)", people)
        db.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", new_rows)

        # one pass over the touched blocks' records, in the order a full build takes them: the records to
        # group again, and the identity each had (the changed documents' old records had theirs too)
        old_ident = {(d, k): i for d, k, _, b, i, _ in old_rows if i is not None and b in blocks}
        rows = db.execute(f"SELECT doc_id, key, ident, data FROM records WHERE {in_blocks} ORDER BY doc_id, seq").fetchall()
        old_ident.update({(doc_id, key): ident for doc_id, key, ident, _ in rows if ident is not None})
        for member, ident in old_ident.items():
            before[ident].members.append(member)
        index: dict[tuple[str, str], Identity] = {}
        grouped = R.group([(doc_id, _decode(data)) for doc_id, _, _, data in rows], gazetteer, index)
        del rows

        # slugs: every identity whose slug could collide with one of the regrouped is numbered again with them
        roots = {(i.kind, R.slug_root(R.slug_base(i))) for i in (*before.values(), *grouped)}
        db.execute("DELETE FROM roots")
        db.executemany("INSERT INTO roots VALUES (?, ?)", sorted(roots))
        neighbours = {key: pickle.loads(data) for key, data in db.execute(
            f"SELECT id, data FROM identities WHERE (kind, root) IN (SELECT kind, root FROM roots) AND NOT {in_blocks}")}
        self._members(neighbours)
        as_they_were = {key: replace(ident) for key, ident in neighbours.items()}
        R.assign_slugs([*grouped, *neighbours.values()])
        moved = {old: f"{i.kind}:{i.slug}" for old, i in neighbours.items() if f"{i.kind}:{i.slug}" != old}

        # what moved: identities whose slug, name, description or members changed
        after = {f"{i.kind}:{i.slug}": i for i in grouped}
        for key in set(before) | set(after):
            old, new = before.get(key), after.get(key)
            if old is None or new is None or _described(old) != _described(new) or set(old.members) != set(new.members):
                if old is not None:
                    change.before[key] = old
                if new is not None:
                    change.after[key] = new
        for old, new in moved.items():
            change.before[old] = as_they_were[old]
            change.after[new] = neighbours[old]

        # identities rows: those that changed, or were renumbered, are written anew
        db.executemany("DELETE FROM identities WHERE id = ?", [(key,) for key in change.before])
        blocks_of = {key: self._one("SELECT block FROM records WHERE doc_id = ? AND key = ?", *ident.members[0])
                     for key, ident in change.after.items()}
        db.executemany("INSERT INTO identities VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [_identity_row(key, ident, blocks_of[key]) for key, ident in change.after.items()])
        # records point at their identity again; the renumbered neighbours' records go through a name no
        # identity has, since one may take the slug another gives up
        new_ident = {m: f"{i.kind}:{i.slug}" for m, i in index.items()}
        db.executemany("UPDATE records SET ident = ? WHERE ident = ?", [("\0" + old, old) for old in moved])
        db.executemany("UPDATE records SET ident = ? WHERE doc_id = ? AND key = ?",
                       [(ident, d, k) for (d, k), ident in new_ident.items()
                        if old_ident.get((d, k)) != ident or d in changed])
        db.executemany("UPDATE records SET ident = ? WHERE ident = ?", [(new, "\0" + old) for old, new in moved.items()])

        # the records now named otherwise (another URI, another name), and the documents they are in
        touched = set()
        for member, ident in new_ident.items():
            old = old_ident.get(member)
            if old != ident or before[old].name != after[ident].name:
                touched.add(member)
        touched |= {m for m in old_ident if m not in new_ident}
        for old in moved:
            touched |= set(neighbours[old].members)
        change.documents |= {d for d, _ in touched} - change.removed

        # meetings of the days concerned are linked again, as a full build links them
        db.execute("DELETE FROM touched")
        db.executemany("INSERT INTO touched VALUES (?, ?)", sorted(touched))
        days = old_days | {day for day, in db.execute(f"SELECT day FROM meetings WHERE {in_changed} AND day IS NOT NULL")}
        days |= {day for day, in db.execute(
            # CROSS JOIN keeps the few touched records as the outer loop: left to itself, with no statistics, SQLite
            # scanned every meeting of the corpus (0.17 s at 15,000 documents)
            "SELECT DISTINCT m.day FROM touched t CROSS JOIN meeting_people p ON p.doc_id = t.doc_id AND p.key = t.key "
            "CROSS JOIN meetings m ON m.doc_id = p.doc_id AND m.idx = p.idx WHERE m.day IS NOT NULL")}
        self._link_meetings(change, ids, days)
        return change

    def _absorb(self, block: str, rows: set, gazetteer: Gazetteer) -> Optional[tuple[Identity, Identity]]:
        """An organization's or place's block that only gains records (a document names it that did not): its one
        identity takes them in, without the block's other records being read and grouped again (thousands,
        for a body most documents name). (identity before, identity after), both with their members; None
        when the result could differ from grouping the block again, which the caller then does."""
        if not block.startswith(("organization:", "place:")):
            return None
        found = self.db.execute("SELECT id, data FROM identities WHERE block = ?", (block,)).fetchall()
        if len(found) != 1:
            return None
        key, data = found[0]
        old = pickle.loads(data)
        first = self.db.execute("SELECT doc_id, key FROM records WHERE ident = ? ORDER BY doc_id, key LIMIT 1",
                                (key,)).fetchone()
        records = sorted((doc_id, rkey, seq, _Record._make(values)) for doc_id, rkey, seq, values in rows)
        for doc_id, rkey, _, record in records:
            # what grouping takes from the first record that has it, or in first-seen order, must not change;
            # nor may the identity's first member, by which identities of one slug base are numbered
            if not set(record.roles) <= set(old.roles) or not set(record.cover_names) <= set(old.cover_names) \
                    or record.gazetteer_id not in (None, old.gazetteer_id) \
                    or record.entity_type not in (None, old.entity_type) or first is None or (doc_id, rkey) < tuple(first):
                return None
        new = replace(old, forms=old.forms.copy(), preferred=old.preferred.copy(), roles=list(old.roles),
                      cover_names=list(old.cover_names), members=[])
        for doc_id, rkey, _, record in records:
            new.absorb(doc_id, record)
        entry = gazetteer.get(new.kind, new.gazetteer_id) if new.gazetteer_id else None
        if entry is None:
            # the most frequent form names it: the order forms were first seen in only breaks ties, so none may
            # be left, and the name must stay (a new name would rename it in every document)
            top = new.forms.most_common(2)
            if len(top) == 2 and top[0][1] == top[1][1] or top[0][0] != old.name:
                return None
        before = {key: old}
        self._members(before)
        new.members = sorted([*old.members, *new.members], key=lambda m: m[0])  # document order
        return old, new  # its row is written again with the other identities that changed

    def _link_meetings(self, change: Change, ids: list[str], days: set[str]) -> None:
        """Mint again the meetings of the changed documents and every meeting on the days concerned."""
        db = self.db
        docs = set(ids) | {d for day in days for d, in db.execute("SELECT doc_id FROM meetings WHERE day = ?", (day,))}
        local: dict[tuple[str, int], tuple] = {}
        by_day: dict[str, list] = {}
        for doc_id in sorted(docs):
            rows = db.execute("SELECT idx, iso, day FROM meetings WHERE doc_id = ? ORDER BY idx", (doc_id,)).fetchall()
            own = R.own_meeting_parts(doc_id, [iso for _, iso, _ in rows])
            for (idx, iso, day), parts in zip(rows, own):
                local[(doc_id, idx)] = parts
                if day in days:
                    people = {i for i, in db.execute(
                        "SELECT r.ident FROM meeting_people p JOIN records r ON r.doc_id = p.doc_id AND r.key = p.key "
                        "WHERE p.doc_id = ? AND p.idx = ? AND r.ident IS NOT NULL", (doc_id, idx))}
                    by_day.setdefault(day, []).append(((doc_id, idx), people))
        minted = R.link_accounts(local, by_day)
        changed = set(ids)
        redo = {key for accounts in by_day.values() for key, _ in accounts} | {k for k in local if k[0] in changed}
        for doc_id, idx in sorted(redo):
            old = json.loads(self._one("SELECT minted FROM meetings WHERE doc_id = ? AND idx = ?", doc_id, idx))
            new = minted[(doc_id, idx)]
            if tuple(old) != new:
                db.execute("UPDATE meetings SET minted = ? WHERE doc_id = ? AND idx = ?", (json.dumps(list(new)), doc_id, idx))
                if old:
                    change.meetings_before.setdefault((doc_id, idx), tuple(old))
                change.meetings_after[(doc_id, idx)] = new
                change.documents.add(doc_id)


def _by_block(rows) -> dict[str, set]:
    """(doc_id, key, seq, block, data) rows as {block: {(doc_id, key, rank, record values)}}: what grouping a
    block reads of these records.

    Grouping takes a block's records in document order, and within a document in their order, so a record's
    rank among its document's records in the block counts, not its place among all the document's records
    (a new organization shifts the places after it). And records are compared by what they hold, not by
    their bytes: pickle writes a string that one record holds twice (a name that is also a form) once or
    twice depending on whether it is one object or two."""
    ordered: dict[tuple[str, str], list] = {}
    for doc_id, key, seq, block, data in rows:
        if block is not None:
            ordered.setdefault((block, doc_id), []).append((seq, key, data))
    out: dict[str, set] = {}
    for (block, doc_id), records in ordered.items():
        for rank, (_, key, data) in enumerate(sorted(records)):
            out.setdefault(block, set()).add((doc_id, key, rank, tuple(_decode(data))))
    return out


def _described(ident: Identity) -> tuple:
    return (ident.kind, ident.slug, ident.name, sorted(ident.forms.items()), ident.roles, ident.cover_names,
            ident.gazetteer_id, ident.entity_type)
