"""Typed records passed between the pipeline stages.

parse -> ParsedDocument; extract -> ExtractedDocument; resolve -> Identity maps;
map -> quads. Offsets are always character offsets into ``ParsedDocument.text``,
the normalized full text of the file that is stored in the graph.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from typing import Optional


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as archives give it: day, month or year precision."""

    iso: str  # "1958-05-27", "1958-05" or "1958"
    precision: str  # "day" | "month" | "year"
    text: str = ""  # as written

    @property
    def year(self) -> int:
        return int(self.iso[:4])


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class ArchivalReference:
    repository: Optional[str] = None
    fond: Optional[str] = None
    opis: Optional[str] = None
    delo: Optional[str] = None
    papka: Optional[str] = None
    pages: Optional[str] = None
    text: Optional[str] = None

    def is_empty(self) -> bool:
        return not any((self.repository, self.fond, self.opis, self.delo, self.papka, self.pages))


@dataclass(slots=True)
class DocumentNote:
    """A stamp, handwritten note, distribution list or signature on the document."""

    kind: str  # stamp | handwriting | distribution | signature
    span: Span


@dataclass(slots=True)
class MarkupHint:
    """A name the source markup tags (TEI ``<persName>``): strong evidence, though the markup can err.

    ``corresp`` is the persons-list id the tag points to (``p_RD1``), ``name`` the name that list
    gives for it ("Dean Rusk"); both are None for a tag without a usable ``@corresp``.
    """

    start: int
    end: int
    text: str
    corresp: Optional[str] = None
    name: Optional[str] = None
    kind: str = "person"


@dataclass(slots=True)
class ParsedDocument:
    source_path: str
    doc_id: str
    text: str  # full normalized text; every offset points into it
    content_hash: str
    title: str
    title_span: Optional[Span] = None
    date: Optional[PartialDate] = None
    citation: Optional[Span] = None
    summary: Optional[Span] = None
    credits: Optional[Span] = None
    original_language: Optional[str] = None
    contents_label: Optional[str] = None
    body: Optional[Span] = None
    source_url: Optional[str] = None
    translators: list[Span] = field(default_factory=list)
    obtained_by: list[Span] = field(default_factory=list)
    translation_project: Optional[str] = None
    funders: list[str] = field(default_factory=list)
    archival_reference: Optional[ArchivalReference] = None
    classification: Optional[str] = None
    copy_number: Optional[str] = None
    issuing_body: Optional[Span] = None
    outgoing_number: Optional[str] = None
    outgoing_date: Optional[PartialDate] = None
    place_written: Optional[Span] = None
    journal_period: Optional[str] = None
    notes: list[DocumentNote] = field(default_factory=list)
    doc_type: str = "other"
    warnings: list[str] = field(default_factory=list)
    hints: list[MarkupHint] = field(default_factory=list)  # names tagged in the source markup (TEI)

    @property
    def body_text(self) -> str:
        return self.text[self.body.start:self.body.end] if self.body else ""


@dataclass(slots=True)
class Mention:
    """One occurrence of an entity in the text, with the rule that found it."""

    start: int
    end: int
    text: str
    method: str
    confidence: float


@dataclass(slots=True)
class EntityRecord:
    """A person, organization or place as seen in one document."""

    kind: str  # person | organization | place
    key: str  # document-local key
    name: str  # preferred form in this document
    forms: list[str] = field(default_factory=list)  # every surface form (names only)
    mentions: list[Mention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    cover_names: list[str] = field(default_factory=list)
    gazetteer_id: Optional[str] = None  # slug in the gazetteer when known
    entity_type: Optional[str] = None  # country, city, ministry ...


@dataclass(slots=True)
class Participation:
    person_key: str
    role: str
    evidence: Mention


@dataclass(slots=True)
class TopicAssignment:
    concept: str  # slug in the topic scheme
    score: float
    evidence: list[Mention] = field(default_factory=list)


@dataclass(slots=True)
class MeetingRecord:
    date: Optional[PartialDate]
    span: Span  # the passage that reports the meeting
    kind: str = "conversation"
    place_key: Optional[str] = None
    place_text: Optional[str] = None
    participants: list[Participation] = field(default_factory=list)
    duration_text: Optional[str] = None
    duration_minutes: Optional[float] = None
    initiated_by: Optional[str] = None
    topics: list[TopicAssignment] = field(default_factory=list)
    method: str = ""


@dataclass(slots=True)
class ExtractedDocument:
    doc: ParsedDocument
    people: list[EntityRecord] = field(default_factory=list)
    organizations: list[EntityRecord] = field(default_factory=list)
    places: list[EntityRecord] = field(default_factory=list)
    meetings: list[MeetingRecord] = field(default_factory=list)
    topics: list[TopicAssignment] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # person keys
    translators: list[str] = field(default_factory=list)  # person keys
    addressees: list[str] = field(default_factory=list)

    def entity(self, key: str) -> Optional[EntityRecord]:
        for group in (self.people, self.organizations, self.places):
            for record in group:
                if record.key == key:
                    return record
        return None

    def to_json(self) -> dict:
        """Plain dicts and lists, as ``dataclasses.asdict`` gives them (``extracted_from_json`` reads them back)."""
        return _plain(self)

    def share_strings(self) -> "ExtractedDocument":
        """Intern the names and keys of a slim record: a corpus repeats the same few thousand names
        in every document, and resolution holds every document's record at once (33 -> 14 KB each)."""
        intern = sys.intern
        for group in (self.people, self.organizations, self.places):
            for r in group:
                r.key, r.name, r.kind = intern(r.key), intern(r.name), intern(r.kind)
                r.forms = [intern(f) for f in r.forms]
                if r.gazetteer_id:
                    r.gazetteer_id = intern(r.gazetteer_id)
        return self

    def slim(self) -> "ExtractedDocument":
        """What resolution, the URI registry and provenance need: entities and identity, not text or mentions."""
        import dataclasses

        # what is kept is decoded for every document at every build: identity only, no text, no spans
        d = self.doc
        doc = ParsedDocument(d.source_path, d.doc_id, "", d.content_hash, d.title, date=d.date, doc_type=d.doc_type)
        # empty tuples, not lists: one shared object instead of one list per record
        keep = lambda records: [dataclasses.replace(r, mentions=(), roles=r.roles or (),  # noqa: E731
                                                    cover_names=r.cover_names or ()) for r in records]
        # dates and participants, for parallel accounts of one meeting
        meetings = [dataclasses.replace(m, span=Span(m.span.start, m.span.end, ""), topics=[],
                                        participants=[Participation(p.person_key, p.role, None) for p in m.participants])
                    for m in self.meetings]
        return ExtractedDocument(doc=doc, people=keep(self.people), organizations=keep(self.organizations),
                                 places=keep(self.places), meetings=meetings, authors=self.authors,
                                 translators=self.translators, addressees=self.addressees)


_FIELD_NAMES: dict = {}


def _plain(value):
    """``value`` with every dataclass in it turned into a dict and every tuple into a list: the JSON that
    ``dataclasses.asdict`` gives for our records, at a third of its cost (it deep-copies every leaf). Every
    document's record is encoded when it is extracted: measured on 600 documents, 1.0-1.3 ms each against
    2.1-4.3 ms, where extracting one takes about 19 ms."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}


_DECODERS: dict = {}


def _decoder(tp):
    """A function that rebuilds a value of type ``tp`` from ``asdict`` output, made once per type from its hints:
    the map stage decodes every record of the corpus, and reading the hints at each value cost half of it."""
    import dataclasses
    import typing

    if tp in _DECODERS:
        return _DECODERS[tp]
    origin = typing.get_origin(tp)
    if origin is typing.Union or str(origin) == "types.UnionType":
        inner = _decoder([a for a in typing.get_args(tp) if a is not type(None)][0])
        decode = (lambda value: None if value is None else inner(value)) if inner is not None else None
    elif origin is list:
        (item,) = typing.get_args(tp)
        inner = _decoder(item)
        decode = (lambda value: None if value is None else [inner(v) for v in value]) if inner is not None else \
            (lambda value: None if value is None else list(value))
    elif dataclasses.is_dataclass(tp):
        _DECODERS[tp] = None  # a placeholder while its fields are read (none of ours refers to itself)
        hints = typing.get_type_hints(tp)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(tp)]

        def decode(value, tp=tp, fields=fields):
            if value is None:
                return None
            return tp(**{name: (inner(value[name]) if inner is not None else value[name])
                         for name, inner in fields if name in value})
    else:
        decode = None  # a plain value: kept as it is
    _DECODERS[tp] = decode
    return decode


def _decode(tp, value):
    """Rebuild a dataclass tree from ``asdict`` output, guided by the type hints."""
    decode = _decoder(tp)
    return value if decode is None else decode(value)


def extracted_from_json(data: dict) -> ExtractedDocument:
    return _decode(ExtractedDocument, data)
