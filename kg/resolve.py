"""Resolution across documents: one real person (organization, place) -> one identity.

People: the gazetteer of well-known people first; then East Asian names by their
full folded name (so 'Kim Il' never merges with 'Kim Il Sung'); then other names
by surname with compatible given names or initials ('A. Gromyko' = 'Andrei
Gromyko', never = 'Boris Gromyko'); a bare surname joins only when exactly one
person with that surname is known. Organizations and places by gazetteer slug,
else by their normalized name. The result is deterministic for a set of documents.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from . import names
from .gazetteer import Gazetteer, default_gazetteer
from .records import EntityRecord, ExtractedDocument


@dataclass(slots=True)
class Identity:
    kind: str
    slug: str = ""
    name: str = ""
    forms: Counter = field(default_factory=Counter)
    roles: list[str] = field(default_factory=list)
    cover_names: list[str] = field(default_factory=list)
    gazetteer_id: Optional[str] = None
    entity_type: Optional[str] = None
    members: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, local key)
    preferred: Counter = field(default_factory=Counter)  # each document's preferred form

    def absorb(self, doc_id: str, record: EntityRecord) -> None:
        self.members.append((doc_id, record.key))
        self.preferred[names.display_form(record.name) if self.kind == "person" else record.name] += 1
        for form in record.forms:
            self.forms[names.display_form(form) if self.kind == "person" else form] += 1
        for role in record.roles:
            if role not in self.roles:
                self.roles.append(role)
        for cover in record.cover_names:
            if cover not in self.cover_names:
                self.cover_names.append(cover)
        if record.gazetteer_id and not self.gazetteer_id:
            self.gazetteer_id = record.gazetteer_id
        if record.entity_type and not self.entity_type:
            self.entity_type = record.entity_type

    @property
    def alternate_names(self) -> list[str]:
        return sorted(f for f in self.forms if f != self.name and f.lower() not in names.PRONOUNS)


@dataclass
class Resolution:
    identities: dict[str, Identity]  # by "kind:slug"
    index: dict[tuple[str, str], Identity]  # (doc_id, local key) -> identity
    # (doc_id, meeting index) -> (doc_id, date, ordinal) the meeting's URI is minted from; parallel
    # accounts of one meeting in several documents share the first document's
    meetings: dict[tuple[str, int], tuple[str, Optional[str], int]] = field(default_factory=dict)

    def of(self, doc_id: str, key: str) -> Identity:
        return self.index[(doc_id, key)]

    def meeting_uri(self, minter, doc_id: str, index: int) -> str:
        return minter.meeting(*self.meetings[(doc_id, index)])


def resolve(documents: Iterable[ExtractedDocument], gazetteer: Optional[Gazetteer] = None) -> Resolution:
    """Resolve these documents in memory. A full build resolves block by block into its catalogue instead
    (``kg.catalog.resolve_into``), and the tests hold the two equal."""
    gazetteer = gazetteer or default_gazetteer()
    docs = sorted(documents, key=lambda d: d.doc.doc_id)
    index: dict[tuple[str, str], Identity] = {}
    identities = group([(ed.doc.doc_id, r) for ed in docs for r in (*ed.people, *ed.organizations, *ed.places)],
                       gazetteer, index)
    return Resolution(assign_slugs(identities), index, _meeting_accounts(docs, index))


def group(records: list[tuple[str, EntityRecord]], gazetteer: Gazetteer, index: dict) -> list[Identity]:
    """The identities these (doc_id, record) pairs form, without slugs; fills ``index``. The pairs come in
    document order (by id), and within a document in its order: people, organizations, places.

    Records only ever join others of their block (``block_of``), so grouping each block's records
    alone gives the same identities as grouping the whole corpus: an incremental build relies on it.
    """
    identities: list[Identity] = []
    # organizations and places: by gazetteer slug or normalized name
    simple: dict[tuple[str, str], Identity] = {}
    for doc_id, record in records:
        if record.kind == "person":
            continue
        key = (record.kind, record.gazetteer_id or names.slugify(record.name))
        ident = simple.get(key)
        if ident is None:
            ident = Identity(record.kind)
            simple[key] = ident
            identities.append(ident)
        ident.absorb(doc_id, record)
        index[(doc_id, record.key)] = ident
    for (kind, slug), ident in simple.items():
        entry = gazetteer.get(kind, ident.gazetteer_id) if ident.gazetteer_id else None
        ident.name = entry.name if entry else ident.forms.most_common(1)[0][0]
    identities.extend(_resolve_people([(d, r) for d, r in records if r.kind == "person"], gazetteer, index))
    return identities


def block_of(record: EntityRecord, gazetteer: Optional[Gazetteer] = None) -> Optional[str]:
    """The block a record is resolved in; None for a person whose name cannot be read (never resolved).

    Organizations and places join only records with the same gazetteer entry or normalized name.
    People join only within one surname: the gazetteer entry's when a form is a well-known person's
    (East Asian family names included, since a bare family name looks for full names with it), else
    their own.
    """
    if record.kind != "person":
        return f"{record.kind}:{record.gazetteer_id or names.slugify(record.name)}"
    gazetteer = gazetteer or default_gazetteer()
    entry = _person_entry(gazetteer, record)
    if entry is not None:
        parts = names.name_parts(entry.name)
        return f"person:{parts.surname}" if parts else f"person-entry:{entry.slug}"
    parts = names.name_parts(record.name)
    return f"person:{parts.surname}" if parts else None


def slug_base(ident: Identity) -> str:
    return ident.gazetteer_id or names.slugify(ident.name)


def slug_root(base: str) -> str:
    """Slugs that could collide share a root: 'petrov-2' is both the second 'petrov' and a base of its own,
    and the base 'petrov-2' numbers its own as 'petrov-2-2'."""
    return re.sub(r"(-\d+)+$", "", base)


def slug_order(ident: Identity) -> tuple:
    """Identities with one base are numbered in this order: by kind, gazetteer entry, then their records."""
    return (ident.kind, ident.gazetteer_id or "", sorted(ident.members))


def assign_slugs(identities: Iterable[Identity], taken: Optional[set[str]] = None) -> dict[str, Identity]:
    """Slugs from the names, unique per kind, deterministic; ``taken`` holds 'kind:slug' already in use."""
    by_slug: dict[str, Identity] = {}
    taken = set() if taken is None else taken
    for ident in sorted(identities, key=slug_order):
        ident.slug = free_slug(ident, lambda key: key in by_slug or key in taken)
        by_slug[f"{ident.kind}:{ident.slug}"] = ident
    return by_slug


def free_slug(ident: Identity, used: Callable[[str], bool]) -> str:
    """The first of base, base-2, base-3… that ``used('kind:slug')`` says is free."""
    base = slug_base(ident)
    slug, n = base, 1
    while used(f"{ident.kind}:{slug}"):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _meeting_accounts(docs: list[ExtractedDocument], index) -> dict[tuple[str, int], tuple[str, Optional[str], int]]:
    """Each meeting's URI parts; two documents reporting the same meeting (same day, two or more of the same
    people) share one meeting, so that the documents become parallel accounts of it."""
    local: dict[tuple[str, int], tuple[str, Optional[str], int]] = {}
    by_day: dict[str, list[tuple[tuple[str, int], set[int]]]] = {}
    for ed in docs:
        own = own_meeting_parts(ed.doc.doc_id, [m.date.iso if m.date else None for m in ed.meetings])
        for i, meeting in enumerate(ed.meetings):
            day = meeting.date.iso if meeting.date else None
            local[(ed.doc.doc_id, i)] = own[i]
            if meeting.date and meeting.date.precision == "day":
                people = {id(index[(ed.doc.doc_id, p.person_key)]) for p in meeting.participants
                          if (ed.doc.doc_id, p.person_key) in index}
                by_day.setdefault(day, []).append(((ed.doc.doc_id, i), people))
    return link_accounts(local, by_day)


def own_meeting_parts(doc_id: str, isos: list[Optional[str]]) -> list[tuple[str, Optional[str], int]]:
    """The URI parts of a document's meetings (given by their ISO dates, in order) before parallel accounts in
    other documents are linked to them: the document, the date, and the meeting's ordinal among that date's."""
    seen: dict[str, int] = {}
    out = []
    for iso in isos:
        seen[iso or ""] = seen.get(iso or "", 0) + 1
        out.append((doc_id, iso, seen[iso or ""]))
    return out


def link_accounts(local: dict[tuple[str, int], tuple], by_day: dict[str, list]) -> dict[tuple[str, int], tuple]:
    """Meetings of one day in two documents that share two people are one meeting: minted from the first account.

    ``local`` holds each meeting's own URI parts; ``by_day`` each day's accounts (key, set of people) in
    document order. Days are independent of one another, so an incremental build links only some.
    """
    parent = {key: key for key in local}

    def find(key):
        while parent[key] != key:
            key = parent[key]
        return key

    for accounts in by_day.values():
        for a in range(len(accounts)):
            for b in range(a + 1, len(accounts)):
                (ka, pa), (kb, pb) = accounts[a], accounts[b]
                if ka[0] != kb[0] and len(pa & pb) >= 2:
                    ra, rb = find(ka), find(kb)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    return {key: local[find(key)] for key in local}


def _resolve_people(records: list[tuple[str, EntityRecord]], gazetteer: Gazetteer, index) -> list[Identity]:
    gaz: dict[str, Identity] = {}
    east_asian: dict[str, Identity] = {}
    western: dict[str, list[Identity]] = {}
    bare: list[tuple[str, EntityRecord, names.NameParts]] = []
    out: list[Identity] = []

    def new(record_kind="person") -> Identity:
        ident = Identity(record_kind)
        out.append(ident)
        return ident

    # richest names first so that short forms find them (a stable sort: documents in order among equals)
    records.sort(key=lambda dr: names.richness(dr[1].name), reverse=True)
    for doc_id, record in records:
        entry = _person_entry(gazetteer, record)
        if entry is not None:
            ident = gaz.get(entry.slug)
            if ident is None:
                ident = new()
                ident.gazetteer_id = entry.slug
                ident.name = entry.name
                gaz[entry.slug] = ident
                parts = names.name_parts(entry.name)
                if parts and not parts.east_asian:
                    western.setdefault(parts.surname, []).append(ident)
                elif parts:
                    east_asian[names.name_key(entry.name)] = ident
            ident.absorb(doc_id, record)
            index[(doc_id, record.key)] = ident
            continue
        parts = names.name_parts(record.name)
        if parts is None:
            continue
        if parts.east_asian and parts.given:
            key = names.name_key(record.name)
            ident = east_asian.get(key)
            if ident is None:
                ident = new()
                east_asian[key] = ident
            ident.absorb(doc_id, record)
            index[(doc_id, record.key)] = ident
            continue
        if not parts.given:
            bare.append((doc_id, record, parts))
            continue
        group = western.setdefault(parts.surname, [])
        match = next((i for i in group if _given_fits(i, parts)), None)
        if match is None:
            match = new()
            group.append(match)
        match.absorb(doc_id, record)
        index[(doc_id, record.key)] = match
    # bare surnames: join the one known bearer, else share one surname-only identity
    bare_idents: dict[tuple[str, str], Identity] = {}
    for doc_id, record, parts in bare:
        if parts.east_asian:
            candidates = [i for k, i in east_asian.items() if k.split()[0] == parts.surname]
        else:
            candidates = western.get(parts.surname, [])
        if len(candidates) == 1 and _gazetteer_bearers(gazetteer, parts.surname) <= 1:
            ident = candidates[0]
        else:
            # a bare surname nobody with given names bears: one person within a document, but two documents
            # may mean two people ('Dulles' is John Foster in 1958 and Allen in 1961), so never merged across
            ident = bare_idents.get((parts.surname, doc_id))
            if ident is None:
                ident = new()
                bare_idents[(parts.surname, doc_id)] = ident
        ident.absorb(doc_id, record)
        index[(doc_id, record.key)] = ident
    for ident in out:
        if not ident.name:
            # the fullest of the forms documents prefer; a bracketed variant is never preferred
            ident.name = max(ident.preferred, key=lambda f: (names.richness(f), ident.preferred[f]))
        cover = {names.clean_form(c) for c in ident.cover_names}
        if names.clean_form(ident.name) in cover:
            others = [f for f in ident.forms if names.clean_form(f) not in cover]
            if others:
                ident.name = max(others, key=names.richness)
    return out


def _person_entry(gazetteer: Gazetteer, record: EntityRecord):
    """The well-known person a record names: by its gazetteer id, else by the first of its forms the gazetteer knows."""
    entry = gazetteer.get("person", record.gazetteer_id) if record.gazetteer_id else None
    if entry is None:
        entry = next((gazetteer.lookup("person", f) for f in record.forms if gazetteer.lookup("person", f)), None)
    return entry


_BEARERS: dict[int, dict[str, int]] = {}


def _gazetteer_bearers(gazetteer: Gazetteer, surname: str) -> int:
    """How many well-known people bear this surname: 'Dulles' alone could be John Foster or Allen."""
    table = _BEARERS.get(id(gazetteer))
    if table is None:
        table = {}
        for (kind, _), entry in gazetteer.entries.items():
            parts = names.name_parts(entry.name) if kind == "person" else None
            if parts and not parts.east_asian:
                table[parts.surname] = table.get(parts.surname, 0) + 1
        _BEARERS[id(gazetteer)] = table
    return table.get(surname, 0)


def _given_fits(ident: Identity, parts: names.NameParts) -> bool:
    for form in ident.forms or [ident.name]:
        other = names.name_parts(form)
        if other and other.given and other.surname == parts.surname:
            return names.given_compatible(other.given, parts.given)
    other = names.name_parts(ident.name)
    return bool(other) and names.given_compatible(other.given, parts.given)
