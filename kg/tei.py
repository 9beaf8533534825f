"""Read FRUS documents encoded in TEI XML: a whole volume, or one ``<div type="document">``.

Each ``<div type="document">`` becomes one ``ParsedDocument``. Its text is derived from the
markup in the layout of a printed FRUS record (``kg.frus``): the heading, the dateline, the
``SUBJECT`` and ``PARTICIPANTS`` lists one item a line, the paragraphs, the signature, then the
``Source:`` note and the other notes as ``[Footnote: ...]``. The derived text is then read by
``kg.frus.parse_frus``, and the markup adds what it knows better:

- the dateline's ``<placeName>`` is the place of writing;
- the dateline's ``<date when="...">`` is the date when the text gives none; when the two
  contradict, the text's date is kept and a warning says so;
- every ``<persName>`` becomes a ``MarkupHint`` with its ``@corresp`` target and the name the
  volume's persons list (``<list type="persons">``) gives for it. A target whose name does not fit
  the tagged text (the markup has errors) is dropped, with a warning.

Every offset points into ``doc.text``: ``doc.text[h.start:h.end] == h.text`` for every hint.
Only the standard library's ``xml.etree.ElementTree`` is used.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import names
from .extract.lexicon import GIVEN_NAMES
from .parse import ParseError, read_bytes
from .records import MarkupHint, ParsedDocument, PartialDate, Span

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
MAX_BYTES = 200 * 1024 * 1024  # a whole FRUS volume
# prefixes FRUS files use; declared for fragments cut out of a volume
_FRAGMENT_NAMESPACES = {
    "frus": "http://history.state.gov/frus/ns/1.0",
    "xi": "http://www.w3.org/2001/XInclude",
    "xlink": "http://www.w3.org/1999/xlink",
    "tei": "http://www.tei-c.org/ns/1.0",
}
_INLINE_SKIP = {"pb", "milestone", "anchor", "index", "fw", "cb", "gap"}
_BLOCKS = {"p", "ab", "opener", "closer", "dateline", "salute", "signed", "postscript", "byline", "docAuthor",
           "epigraph", "trailer", "label", "lg", "sp", "speaker", "argument"}
_CONTAINERS = {"div", "attachment", "body", "back", "front", "floatingText", "text", "group"}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# titles and ranks a persons list puts among the given names: 'Twining, General Nathan F.', 'Caccia, Sir Harold'
_RANKS = names.TITLE_WORDS | {"brigadier", "rear", "fleet", "air", "sergeant", "commodore", "ambassador", "hon", "rev"}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(el: ET.Element, name: str) -> Optional[str]:
    """An attribute by local name, whatever its namespace."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


# --- reading the XML -----------------------------------------------------------

def parse_tei_file(path: Path | str) -> list[ParsedDocument]:
    """Every ``<div type="document">`` of a TEI file, in document order."""
    path = Path(path)
    raw = read_bytes(path, MAX_BYTES)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(str(path), f"TEI file is not UTF-8: {exc}") from None
    return parse_tei_text(text, str(path))


def parse_tei_text(xml_text: str, source_path: str = "<tei>") -> list[ParsedDocument]:
    root = _parse_xml(xml_text, source_path)
    persons = persons_list(root)
    divs = [el for el in root.iter() if _local(el.tag) == "div" and el.get("type") == "document"]
    if not divs:
        raise ParseError(source_path, 'no <div type="document"> in the TEI')
    volume = _volume_id(root, source_path)
    return [_document(div, persons, volume, source_path) for div in divs]


def _parse_xml(xml_text: str, source_path: str) -> ET.Element:
    xml_text = xml_text.lstrip("\ufeff")
    try:
        return ET.fromstring(xml_text)
    except ET.ParseError as first:
        # a <div> cut out of a volume: its prefixes (frus:) are declared on the volume's root
        body = re.sub(r"^\s*<\?xml[^>]*\?>", "", xml_text)
        body = re.sub(r"^\s*<!DOCTYPE[^>]*>", "", body)
        declared = " ".join(f'xmlns:{p}="{uri}"' for p, uri in _FRAGMENT_NAMESPACES.items())
        try:
            wrapper = ET.fromstring(f"<fragment {declared}>{body}</fragment>")
        except ET.ParseError:
            line = first.position[0] if getattr(first, "position", None) else None
            raise ParseError(source_path, f"not well-formed XML: {first}", line) from None
        children = list(wrapper)
        return children[0] if len(children) == 1 else wrapper


def _volume_id(root: ET.Element, source_path: str) -> str:
    if _local(root.tag) == "TEI" and root.get(XML_ID):
        return root.get(XML_ID)
    for el in root.iter():
        if _local(el.tag) == "idno" and el.get("type") == "frus" and (el.text or "").strip():
            return el.text.strip()
    return Path(source_path).stem if not source_path.startswith("<") else "tei"


@dataclass
class Person:
    id: str
    name: str  # display form: 'Dean Rusk', 'Kim Hyon-chol', 'Llewellyn E. Thompson, Jr.'
    surnames: list[str]  # folded tokens of the family name: ['castro', 'ruz']
    entry: str  # the whole list item


def persons_list(root: ET.Element) -> dict[str, Person]:
    """The volume's persons list: id -> Person ('Rusk, Dean, Secretary of State' -> 'Dean Rusk')."""
    out: dict[str, Person] = {}
    for lst in root.iter():
        if _local(lst.tag) != "list" or lst.get("type") != "persons":
            continue
        for item in lst.iter():
            if _local(item.tag) != "item":
                continue
            pers = next((c for c in item.iter() if _local(c.tag) == "persName"), None)
            pid = item.get(XML_ID) or (pers.get(XML_ID) if pers is not None else None)
            if not pid:
                continue
            entry = _squash("".join(item.itertext()))
            listed = _squash("".join(pers.itertext())) if pers is not None else _name_part(entry)
            display, surnames = display_name(listed)
            if display:
                out[pid] = Person(pid, display, surnames, entry)
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _name_part(entry: str) -> str:
    """'Rusk, Dean, Secretary of State' -> 'Rusk, Dean'; 'Pak Chong-hui (Pak Chung-hui), President' -> 'Pak Chong-hui'."""
    entry = re.sub(r"\s*\([^)]*\)", "", entry)
    parts = [p.strip() for p in entry.split(",")]
    if len(parts) >= 2 and len(parts[0].split()) <= 3 and len(parts[1].split()) <= 4 and \
            all(w[:1].isupper() for w in parts[1].split()):
        keep = parts[:2]
        if len(parts) >= 3 and parts[2].lower() in _SUFFIXES:
            keep.append(parts[2])
        return ", ".join(keep)
    return parts[0]


def display_name(listed: str) -> tuple[str, list[str]]:
    """'Thompson, Llewellyn E., Jr.' -> ('Llewellyn E. Thompson, Jr.', ['thompson']);
    'Kim, Hyon-chol' -> ('Kim Hyon-chol', ['kim']); 'Twining, General Nathan F.' -> ('Nathan F. Twining', ...)."""
    listed = re.sub(r"\s*\([^)]*\)", "", listed).strip().rstrip(",")
    parts = [p.strip() for p in listed.split(",") if p.strip()]
    if not parts:
        return "", []
    if len(parts) == 1:
        toks = parts[0].split()
        east = bool(toks) and names.translit_fold(toks[0]) in names.EAST_ASIAN_SURNAMES
        return parts[0], [names.translit_fold(toks[0] if east else toks[-1])] if toks else []
    surname = parts[0]
    given_toks = [t for t in parts[1].split() if t.lower().rstrip(".") not in _RANKS]
    suffix = next((p for p in parts[2:] if p.lower() in _SUFFIXES), None)
    given = " ".join(given_toks)
    surnames = [names.translit_fold(t) for t in surname.split()]
    # 'Kim, Hyon-chol', 'Pyun, Yung Tai', 'Chang, Myon': an East Asian family name stays first
    east = len(surname.split()) == 1 and names.translit_fold(surname) in names.EAST_ASIAN_SURNAMES and \
        bool(given_toks) and len(given_toks) <= 2 and not any("." in t for t in given_toks) and \
        given_toks[0] not in GIVEN_NAMES
    if not given:
        display = surname
    elif east:
        display = f"{surname} {given}"
    else:
        display = f"{given} {surname}"
    if suffix:
        display += f", {suffix}"
    return display, surnames


# --- rendering the text ----------------------------------------------------------

@dataclass
class _Rendered:
    text: str
    persons: list[tuple[int, int, Optional[str]]] = field(default_factory=list)  # (start, end, corresp)
    place: Optional[tuple[int, int]] = None
    dates: list[tuple[int, int, dict]] = field(default_factory=list)


class _Writer:
    """Collects text with whitespace folded (one space, no space at line starts) and tracks offsets."""

    def __init__(self):
        self.parts: list[str] = []
        self.n = 0
        self.space = False
        self.persons: list[tuple[int, int, Optional[str]]] = []
        self.place: Optional[tuple[int, int]] = None
        self.dates: list[tuple[int, int, dict]] = []

    @property
    def value(self) -> str:
        return "".join(self.parts)

    def _emit(self, s: str) -> None:
        if s:
            self.parts.append(s)
            self.n += len(s)

    def _at_line_start(self) -> bool:
        return self.n == 0 or self.parts[-1].endswith("\n")

    def write(self, s: Optional[str]) -> None:
        if not s:
            return
        for piece in re.split(r"(\s+)", s):
            if not piece:
                continue
            if piece.isspace():
                if not self._at_line_start():
                    self.space = True
            else:
                if self.space:
                    self._emit(" ")
                self.space = False
                self._emit(piece)

    def newline(self, blank: bool = False) -> None:
        self.space = False
        if self.n == 0:
            return
        tail = self.value[-2:]
        have = len(tail) - len(tail.rstrip("\n"))
        want = 2 if blank else 1
        if have < want:
            self._emit("\n" * (want - have))

    def trim_span(self, start: int, end: int) -> tuple[int, int]:
        text = self.value
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return start, end

    def append(self, prefix: str, other: "_Writer", suffix: str) -> None:
        """Another writer's text as a block of this one, its marks shifted."""
        body = other.value.strip()
        if not body:
            return
        lead = len(other.value) - len(other.value.lstrip())
        self.newline(blank=True)
        base = self.n + len(prefix) - lead
        self._emit(prefix + body + suffix)
        self.persons.extend((s + base, e + base, c) for s, e, c in other.persons)
        self.dates.extend((s + base, e + base, a) for s, e, a in other.dates)


class _Renderer:
    def __init__(self):
        self.main = _Writer()
        self.source: list[_Writer] = []
        self.notes: list[_Writer] = []

    def render(self, div: ET.Element) -> _Rendered:
        w = self.main
        head_done = False
        for child in div:
            name = _local(child.tag)
            if name == "head" and not head_done:
                w.newline(blank=True)
                number = div.get("n")
                head_text = _squash("".join(t for t in _texts_outside_notes(child)))
                if number and not re.match(r"\d", head_text):
                    w.write(f"{number}. ")
                self.inline(child, w)
                w.newline(blank=True)
                head_done = True
            else:
                self.block(child, w)
            w.write(child.tail)
        w.newline(blank=True)
        for note in self.source:
            w.append("" if note.value.lstrip().startswith("Source:") else "Source: ", note, "")
        for note in self.notes:
            w.append("[Footnote: ", note, "]")
        text = w.value.rstrip() + "\n"
        return _Rendered(text, w.persons, w.place, w.dates)

    def block(self, el: ET.Element, w: _Writer, in_list: bool = False) -> None:
        name = _local(el.tag)
        if not isinstance(el.tag, str):
            return
        if name == "note":
            self.note(el)
            return
        if name in _INLINE_SKIP:
            return
        if name == "list":
            w.newline(blank=not in_list)
            w.write(el.text)
            for child in el:
                cname = _local(child.tag)
                if cname in ("head", "item", "label"):
                    w.newline()
                    self.item(child, w)
                    w.newline()
                elif cname == "lb":
                    pass
                else:
                    self.block(child, w, in_list=True)
                w.write(child.tail)
            w.newline(blank=not in_list)
            return
        if name == "table":
            w.newline(blank=not in_list)
            for row in el.iter():
                if _local(row.tag) == "row":
                    w.newline()
                    for i, cell in enumerate(c for c in row if _local(c.tag) == "cell"):
                        if i:
                            w.write(" | ")
                        self.inline(cell, w)
                    w.newline()
            w.newline(blank=not in_list)
            return
        if name in _CONTAINERS or name == "head":
            w.newline(blank=not in_list)
            if name == "head":
                self.inline(el, w)
                w.newline(blank=not in_list)
                return
            w.write(el.text)
            for child in el:
                self.block(child, w, in_list)
                w.write(child.tail)
            w.newline(blank=not in_list)
            return
        if name in ("opener", "closer"):
            # their parts (dateline, salute, signed) stand on lines of their own
            w.newline(blank=not in_list)
            w.write(el.text)
            for child in el:
                if _local(child.tag) in _BLOCKS:
                    w.newline()
                    self.inline(child, w, context=_local(child.tag))
                    w.newline()
                else:
                    self.inline_child(child, w, context=name)
                w.write(child.tail)
            w.newline(blank=not in_list)
            return
        if name in _BLOCKS or name in ("quote", "item"):
            w.newline(blank=not in_list)
            self.inline(el, w, context=name)
            w.newline(blank=not in_list)
            return
        self.inline_child(el, w)

    def item(self, el: ET.Element, w: _Writer) -> None:
        """A list item on a line of its own; a list inside it gives lines of its own."""
        w.write(el.text)
        for child in el:
            if _local(child.tag) in ("list", "table"):
                self.block(child, w, in_list=True)
            elif _local(child.tag) == "lb":
                w.write(" ")
            else:
                self.inline_child(child, w)
            w.write(child.tail)

    def inline(self, el: ET.Element, w: _Writer, context: str = "") -> None:
        w.write(el.text)
        for child in el:
            self.inline_child(child, w, context)
            w.write(child.tail)

    def inline_child(self, el: ET.Element, w: _Writer, context: str = "") -> None:
        if not isinstance(el.tag, str):
            return
        name = _local(el.tag)
        if name == "note":
            self.note(el)
            return
        if name in _INLINE_SKIP:
            return
        if name == "lb":
            w.write(" ")
            return
        if name in ("list", "table") or name in _CONTAINERS:
            self.block(el, w, in_list=True)
            return
        if name == "choice":
            preferred = [c for c in el if _local(c.tag) in ("corr", "expan", "reg")] or list(el)[:1]
            for c in preferred:
                self.inline(c, w, context)
            return
        start = w.n + (1 if w.space else 0)
        self.inline(el, w, "dateline" if name == "dateline" else context)
        s, e = w.trim_span(start, w.n) if w.n > start else (start, start)
        if e <= s:
            return
        if name == "persName":
            w.persons.append((s, e, el.get("corresp")))
        elif name == "placeName" and context == "dateline" and w.place is None:
            w.place = (s, e)
        elif name == "date" and context == "dateline":
            w.dates.append((s, e, {k: _attr(el, k) for k in ("when", "from", "notBefore", "to", "notAfter")}))

    def note(self, el: ET.Element) -> None:
        sub = _Writer()
        self.inline(el, sub)
        (self.source if el.get("type") == "source" else self.notes).append(sub)


def _texts_outside_notes(el: ET.Element):
    if el.text:
        yield el.text
    for child in el:
        if _local(child.tag) != "note":
            yield from _texts_outside_notes(child)
        if child.tail:
            yield child.tail


# --- one document -------------------------------------------------------------------

def _document(div: ET.Element, persons: dict[str, Person], volume: str, source_path: str) -> ParsedDocument:
    from .frus import parse_frus

    rendered = _Renderer().render(div)
    text = rendered.text
    div_id = div.get(XML_ID) or (f"d{div.get('n')}" if div.get("n") else None)
    stem = Path(source_path).stem
    if div_id is None:
        doc_id = stem
    elif stem.endswith(f"-{div_id}"):
        doc_id = stem  # a single document cut out of its volume, named after it
    else:
        doc_id = f"{volume}-{div_id}"
    doc = parse_frus(text, source_path, doc_id)
    where = f"<div xml:id={div_id!r}>" if div_id else "<div>"
    if rendered.place:
        s, e = rendered.place
        doc.place_written = Span(s, e, text[s:e])
    markup_date = None
    for s, e, attrs in rendered.dates:
        iso = attrs.get("when") or attrs.get("from") or attrs.get("notBefore")
        markup_date = _partial(iso, text[s:e])
        if markup_date:
            break
    if markup_date is None:
        markup_date = _partial(_attr(div, "doc-dateTime-min"), "")
        if markup_date and markup_date.iso != (_partial(_attr(div, "doc-dateTime-max"), "") or markup_date).iso:
            markup_date = None  # a range of days: the markup does not give one date
    if markup_date is not None:
        if doc.date is None:
            doc.date = markup_date
            doc.warnings = [w for w in doc.warnings if not w.startswith("no dateline")]
        elif not (doc.date.iso.startswith(markup_date.iso) or markup_date.iso.startswith(doc.date.iso)):
            doc.warnings.append(f"{where}: the markup's date ({markup_date.iso}) contradicts the text's "
                                f"{doc.date.text!r} ({doc.date.iso}); the text's date is used")
    doc.hints = _hints(text, rendered.persons, persons, doc.warnings, where)
    return doc


def _partial(iso: Optional[str], text: str) -> Optional[PartialDate]:
    if not iso:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso)
    if not m:
        return None
    y, mo, d = m.groups()
    if d:
        return PartialDate(f"{y}-{mo}-{d}", "day", text)
    if mo:
        return PartialDate(f"{y}-{mo}", "month", text)
    return PartialDate(y, "year", text)


def _hints(text: str, tagged: list[tuple[int, int, Optional[str]]], persons: dict[str, Person],
           warnings: list[str], where: str) -> list[MarkupHint]:
    out: list[MarkupHint] = []
    for s, e, corresp in tagged:
        # 'Milne—FN': the tag took in the office symbol after the name
        cut = re.search(r"\s*(?:—|–|--|,|;)", text[s:e])
        if cut and cut.start() > 0:
            e = s + cut.start()
        if e <= s:
            continue
        tagged_text = text[s:e]
        pid = corresp.lstrip("#").split()[0] if corresp and corresp.strip("# ") else None
        name = None
        if pid:
            person = persons.get(pid)
            if person is not None:
                if fits(tagged_text, person):
                    name = person.name
                else:
                    warnings.append(f"{where}: persName {tagged_text!r} points to {pid} ({person.entry[:60]}), "
                                    "whose name does not fit; the link is ignored")
                    pid = None
        out.append(MarkupHint(s, e, tagged_text, pid, name))
    return out


def fits(tagged: str, person: Person) -> bool:
    """Can the tagged text name this listed person? Its surname must be one of the listed family names."""
    toks = names.strip_titles(names.clean_form(tagged).split())
    toks = [t for t in toks if t.lower() not in ("the", "of")]
    if not toks:
        return True  # 'the Secretary': nothing to contradict
    folded = [names.translit_fold(t.rstrip(".,")) for t in toks]
    if any(f in person.surnames for f in folded):
        return True
    listed = names.name_parts(person.name)
    return bool(listed) and names.same_person(tagged, person.name)
