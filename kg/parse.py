"""Parse a document: recognise its layout, then read it into a ``ParsedDocument``.

Layouts (``detect_layout``):

- ``wilson``: the Wilson Center Digital Archive export. A date line, the title in
  ``**bold**``, then the sections ``Citation:``, ``Summary:``, ``Credits:``,
  ``Original Language:``, ``Contents:`` (any may be missing, order may vary), then the
  body with its heading block (classification, copy number, issuing body, outgoing
  number, stamps, place, journal period). Read here.
- ``frus``: a FRUS record as printed (numbered heading, dateline, ``Source:`` note);
  read by ``kg.frus``.
- ``tei``: TEI XML (a FRUS volume or one ``<div type="document">``); read by ``kg.tei``.
- ``plain``: none of these. The title is the first line and the date the first one in
  the text, with a warning.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Optional

from . import dates
from .records import ArchivalReference, DocumentNote, ParsedDocument, PartialDate, Span


class ParseError(ValueError):
    """The file is not a document this parser can read; the message says why."""

    def __init__(self, path: str, reason: str, line: Optional[int] = None):
        self.path, self.reason, self.line = path, reason, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")


SECTION_LABELS = ("Citation", "Summary", "Credits", "Original Language", "Contents")
_SECTION_RE = re.compile(r"^(%s):[ \t]*$" % "|".join(SECTION_LABELS), re.M)
_CONTENTS_LABEL_RE = re.compile(
    r"^(?:Translation\s*-\s*\w+|Original\s*-\s*\w+|(?:English|Russian|Chinese|Korean|German)"
    r"(?:\s+(?:HTML|Translation|Transcription|PDF))?|Transcript\s*-\s*\w+)$", re.I)
_URL_RE = re.compile(r"<?(https?://[^\s>]+?)>?(?=[\s.]*$|\s)", re.M)
_DOCNUM_RE = re.compile(r"/document/(\d+)")

MAX_BYTES = 20 * 1024 * 1024


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes, refused with the reason when it is too big or empty (every input layout)."""
    raw = Path(path).read_bytes()
    if len(raw) > limit:
        raise ParseError(str(path), f"file is {len(raw) // (1024 * 1024)} MB, over the {limit // (1024 * 1024)} MB limit")
    if not raw.strip():
        raise ParseError(str(path), "file is empty")
    return raw


# the control characters (Unicode category Cc: U+0000-001F, U+007F-009F) but for tab, newline, CR and form feed;
# one regex scan instead of a category look-up per character
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def read_text(path: Path) -> str:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Latin-1/CP1252."""
    raw = read_bytes(path)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    elif b"\x00" in raw[:4096]:
        raise ParseError(str(path), "file looks binary (contains NUL bytes), not a text document")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    control = len(_CONTROL_RE.findall(text[:4096]))
    if control > 8:
        raise ParseError(str(path), "file looks binary (control characters), not a text document")
    return text


def normalize_text(text: str) -> str:
    """The stored form: BOM dropped, newlines unified, Unicode NFC. Nothing else changes."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _span(text: str, start: int, end: int) -> Span:
    """A span with surrounding whitespace trimmed."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


def _first_paragraph(text: str, start: int, end: int) -> Optional[Span]:
    span = _span(text, start, end)
    if not span.text:
        return None
    cut = re.search(r"\n[ \t]*\n", span.text)
    return _span(text, span.start, span.start + cut.start()) if cut else span


def parse_file(path: Path | str, doc_id: Optional[str] = None) -> ParsedDocument:
    """One document. A TEI file (``.xml``) must hold exactly one; ``kg.tei.parse_tei_file`` reads a volume."""
    path = Path(path)
    if path.suffix.lower() == ".xml":
        from .tei import parse_tei_file

        docs = parse_tei_file(path)
        if len(docs) != 1:
            raise ParseError(str(path), f"TEI file holds {len(docs)} documents; read it with kg.tei.parse_tei_file")
        return docs[0]
    return parse_text(read_text(path), str(path), doc_id)


def _is_date_line(line: str) -> bool:
    """A line that is only a date ('May 1, 1960', '1961'): the first line of the Wilson Center layout."""
    line = line.strip()
    if re.fullmatch(r"(?:1[89]|20)\d\d", line):
        return True
    for s, e, _ in dates.find_dates(line):
        return len(re.sub(r"[\s.,]", "", line[:s] + line[e:])) == 0
    return False


def detect_layout(text: str) -> str:
    """'wilson', 'frus', 'tei' or 'plain' (no layout recognised), for a normalized text."""
    head = text.lstrip()[:400]
    if head.startswith("<") and re.match(r"<(?:\?xml|TEI|tei:|div|!--)", head):
        return "tei"
    if "**" in text:
        return "wilson"
    first = re.search(r"^.*\S.*$", text, re.M)
    if first and _is_date_line(first.group(0)):
        return "wilson"  # the date line of the Wilson Center layout (its title may be missing)
    from .frus import looks_like_frus

    if looks_like_frus(text):
        return "frus"
    if _SECTION_RE.search(text):
        return "wilson"
    return "plain"


def parse_text(raw: str, source_path: str = "<text>", doc_id: Optional[str] = None) -> ParsedDocument:
    text = normalize_text(raw)
    if not text.strip():
        raise ParseError(source_path, "file is empty")
    layout = detect_layout(text)
    if layout == "frus":
        from .frus import parse_frus

        return parse_frus(text, source_path, doc_id)
    if layout == "tei":
        from .tei import parse_tei_text

        docs = parse_tei_text(text, source_path)
        if len(docs) != 1:
            raise ParseError(source_path, f"TEI text holds {len(docs)} documents; read it with kg.tei.parse_tei_text")
        return docs[0]
    if layout == "plain":
        return parse_plain(text, source_path, doc_id)
    return _parse_wilson(text, source_path, doc_id)


def parse_plain(text: str, source_path: str = "<text>", doc_id: Optional[str] = None) -> ParsedDocument:
    """A text in no layout we know: title from the first line, date from the text, and a warning."""
    first = re.search(r"^.*\S.*$", text, re.M)
    title_span = _span(text, first.start(), first.end())
    if len(title_span.text) > 200:
        # a first line that is a whole paragraph: its first sentence, else its first 200 characters
        cut = re.search(r"[.!?](?=\s)", title_span.text[:200])
        end = title_span.start + (cut.end() if cut else (title_span.text.rfind(" ", 0, 200) if " " in title_span.text[:200] else 200))
        title_span = _span(text, title_span.start, max(end, title_span.start + 1))
    title = re.sub(r"\s+", " ", title_span.text)
    body: Optional[Span] = _span(text, title_span.end, len(text))
    warnings = ["no recognised layout (neither the Wilson Center export nor a FRUS record): "
                "the title is the first line and the date the first one in the text"]
    date = None
    errors: list[str] = []
    for _, _, found in dates.find_dates(text[:5000], None, errors):
        if found.precision in ("day", "month"):
            date = found
            break
    if date is None:
        warnings.append("no date found in the text")
    if not body.text:
        warnings.append("document has no body text")
        body = None
    doc = ParsedDocument(
        source_path=source_path,
        doc_id=doc_id or Path(source_path).stem,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=title,
        title_span=title_span,
        date=date,
        body=body,
        warnings=warnings,
    )
    _parse_heading(doc)
    doc.doc_type = document_type(title, doc.body_text[:400])
    return doc


def _parse_wilson(text: str, source_path: str, doc_id: Optional[str]) -> ParsedDocument:
    warnings: list[str] = []

    title_m = re.search(r"\*\*(.+?)\*\*", text, re.S)
    if title_m is None or not title_m.group(1).strip():
        first = next((m for m in re.finditer(r"^.*\S.*$", text, re.M)), None)
        if "**" in text:
            line = text.count("\n", 0, text.index("**")) + 1
            raise ParseError(source_path, "title opened with ** but never closed", line)
        raise ParseError(source_path, "no title: expected the title in **bold** after the date line",
                         text.count("\n", 0, first.start()) + 1 if first else None)
    title_span = _span(text, title_m.start(1), title_m.end(1))
    title = re.sub(r"\s+", " ", title_span.text)

    header_date: Optional[PartialDate] = None
    date_line = text[:title_m.start()].strip()
    if date_line:
        try:
            header_date = dates.parse_date(date_line)
        except dates.InvalidDate as exc:
            warnings.append(f"line {text.count(chr(10), 0, title_m.start())}: date line {date_line!r}: {exc}")

    # Sections: each label on its own line, content until the next label.
    labels = [m for m in _SECTION_RE.finditer(text, title_m.end())]
    sections: dict[str, tuple[int, int]] = {}
    body_start = title_m.end()
    for i, m in enumerate(labels):
        name = m.group(1)
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        if name in sections:
            continue
        sections[name] = (m.end(), end)

    def section(name: str) -> Optional[Span]:
        if name not in sections:
            return None
        start, end = sections[name]
        if name == "Contents":
            return None
        # header sections hold one paragraph (summary may hold several until the next label)
        return _span(text, start, end) if name in ("Summary", "Citation") else _first_paragraph(text, start, end)

    citation = section("Citation")
    summary = section("Summary")
    credits = section("Credits")
    language = section("Original Language")
    contents_label = None
    if "Contents" in sections:
        start, end = sections["Contents"]
        first = _first_paragraph(text, start, end)
        if first and _CONTENTS_LABEL_RE.match(first.text):
            contents_label = first.text
            body_start = first.end
        else:
            body_start = start
    elif labels:
        # no Contents: the body starts after the last section's first paragraph
        last = labels[-1]
        para = _first_paragraph(text, last.end(), len(text))
        body_start = para.end if para else last.end()
        warnings.append("no 'Contents:' section; body taken to start after the last header section")
    body = _span(text, body_start, len(text))
    if not body.text:
        warnings.append("document has no body text")

    source_url, number = None, None
    for candidate in (citation,):
        if candidate:
            um = _URL_RE.search(candidate.text)
            if um:
                source_url = um.group(1).rstrip(".,")
                nm = _DOCNUM_RE.search(source_url)
                number = nm.group(1) if nm else None
    if doc_id is None:
        doc_id = number or Path(source_path).stem

    doc = ParsedDocument(
        source_path=source_path,
        doc_id=doc_id,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=title,
        title_span=title_span,
        date=header_date,
        citation=citation,
        summary=summary,
        credits=credits,
        original_language=language.text if language else None,
        contents_label=contents_label,
        body=body,
        source_url=source_url,
        warnings=warnings,
    )
    if citation:
        _parse_citation(doc, citation)
    if credits:
        doc.funders = parse_funders(credits.text)
    _parse_heading(doc)
    if doc.archival_reference is None or doc.archival_reference.is_empty():
        _reference_from_body(doc)
    doc.doc_type = document_type(title, doc.body_text[:400])
    if doc.date is None:
        # fall back to the first full date in the title or the body heading
        for source in (title, doc.body_text[:600]):
            found = next(dates.find_dates(source), None)
            if found:
                doc.date = found[2]
                break
    return doc


# --- citation ---------------------------------------------------------------

_PERSON_LIST = r"([A-Z][^.;]*?(?:\.[ ]?[A-Z][^.;]*?)*)"
_TRANSLATED_RE = re.compile(
    r"(?:[Oo]btained and )?[Tt]ranslated(?: for (?P<proj>[A-Z][\w-]+))?(?: from \w+)? by "
    r"(?P<who>.+?)(?:(?<![A-Z])\.\s|\.$|;|$)")
_OBTAINED_RE = re.compile(r"[Oo]btained(?: for (?P<proj>[A-Z][\w-]+))? by (?P<who>.+?)(?= and (?:translated|obtained)|(?<![A-Z])\.\s|\.$|;|$)")

_REF_PATTERNS = {
    "fond": r"(?:\b[Ff]ond|\b[Ff]\.)\s*(?P<v>[0-9][0-9a-zA-Z]*)",
    "opis": r"(?:\b[Oo]pis|\b[Oo]p\.|\bO\.)\s*(?P<v>[0-9][0-9a-zA-Z]*)",
    "delo": r"(?:\b[Dd]elo|\bD\.|\bd\.)\s*(?P<v>[0-9][0-9a-zA-Z]*)",
    "papka": r"(?:\b[Pp]apka|\bP\.)\s*(?P<v>[0-9][0-9a-zA-Z]*)",
    "pages": r"(?:\b[Ll]isty?|\bLl?\.|\bll\.|\bpp?\.|\b[Ss]heets?)\s*(?P<v>[0-9][0-9\-–, ]*[0-9]|[0-9]+)",
}
_REPOSITORIES = ["AVPRF", "APRF", "RGANI", "RGASPI", "TsKhSD", "TsAMO", "GARF", "RGAE", "SAPMO-BA", "SAPMO",
                 "PolA AA", "PRC FMA", "AAN", "MOL", "NARA", "BStU", "AMZV", "ANIC", "AMVnR",
                 "Romanian National Central Historical Archives", "South Korean Foreign Ministry Archive"]


def parse_reference(text: str) -> ArchivalReference:
    ref = ArchivalReference(text=text.strip())
    repos = [r for r in _REPOSITORIES if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(r), text)]
    # 'SAPMO' inside 'SAPMO-BA' is the same archive
    repos = [r for r in repos if not any(r != o and r in o for o in repos)]
    if repos:
        ref.repository = "; ".join(sorted(repos, key=text.find))
    for field_name, pattern in _REF_PATTERNS.items():
        m = re.search(pattern, text)
        if m:
            setattr(ref, field_name, m.group("v").strip(" ,"))
    return ref


def _parse_citation(doc: ParsedDocument, citation: Span) -> None:
    text = citation.text
    for m in _TRANSLATED_RE.finditer(text):
        if m.group("proj"):
            doc.translation_project = m.group("proj")
        start = citation.start + m.start("who")
        for name_start, name_end in _split_names(text, m.start("who"), m.end("who")):
            doc.translators.append(Span(citation.start + name_start, citation.start + name_end,
                                        text[name_start:name_end]))
        del start
    for m in _OBTAINED_RE.finditer(text):
        if m.group(0).lower().startswith("obtained and translated"):
            continue
        if m.group("proj") and not doc.translation_project:
            doc.translation_project = m.group("proj")
        for name_start, name_end in _split_names(text, m.start("who"), m.end("who")):
            doc.obtained_by.append(Span(citation.start + name_start, citation.start + name_end,
                                        text[name_start:name_end]))
    # the archival reference: what follows the archive's name, else the whole citation
    ref_text = text
    m = re.search(r"(?:Digital Archive|Program Digital Archive),\s*(.+)", text)
    if m:
        ref_text = m.group(1)
    ref_text = re.split(r"\b(?:translated|obtained|reprinted)\b|<?https?://", ref_text, flags=re.I)[0].strip(" .,;")
    ref = parse_reference(ref_text)
    if not ref.is_empty():
        doc.archival_reference = ref


def _split_names(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Offsets of each name in 'A, B and C'."""
    out = []
    pos = start
    for part in re.split(r",\s*|\s+and\s+", text[start:end]):
        idx = text.find(part, pos, end)
        if idx < 0:
            continue
        s, e = idx, idx + len(part)
        pos = e
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not (text[e - 1].isalnum() or text[e - 1] == "."):
            e -= 1
        if e > s and text[s].isupper():
            out.append((s, e))
    return out


def parse_funders(credits: str) -> list[str]:
    m = re.search(r"support from\s+(.+)", credits, re.S)
    if not m:
        return []
    out = []
    for part in re.split(r",\s*|;\s*|\s+and\s+(?=the\s|[A-Z])", m.group(1).strip().rstrip(".")):
        part = re.sub(r"^(?:and\s+)?(?:the\s+)?", "", part.strip())
        if part and part[0].isupper():
            out.append(part)
    # "John D. and Catherine T. MacArthur Foundation" must stay whole
    merged: list[str] = []
    for part in out:
        if merged and not re.search(r"\b(Foundation|Ministry|University|Corporation|Institute|Fund|Center|Council|Endowment|Trust|Program|Project)\b|\)$", merged[-1]):
            merged[-1] = merged[-1] + " and " + part
        else:
            merged.append(part)
    return merged


# --- body heading -----------------------------------------------------------

_CLASSIFICATION_RE = re.compile(
    r"^\W*((?:Strictly |Top |TOP |STRICTLY )?(?:secret|SECRET|Secret|CONFIDENTIAL|Confidential|"
    r"Eyes Only|EYES ONLY|Personal|PERSONAL)(?: and (?:Personal|PERSONAL))?)\b[.,]?", re.M)
_CLASSIFICATION_IN_LINE_RE = re.compile(r"\b(Top Secret|TOP SECRET|Strictly [Ss]ecret|STRICTLY SECRET)\b")
_COPY_RE = re.compile(r"\bCopy\s*(?:N[°ºo]\.?|No\.?|Nr\.?|#)?\s*(\d+)", re.I)
_NUMBER_LINE_RE = re.compile(r"^\s*(?:N[°º]|No\.|№)\s*(\d[\w/-]*)\s*$", re.M)
_PERIOD_RE = re.compile(r"(?:during\s+|for\s+)?the\s+period\s+(?:from\s+)?(.+?\d{4})", re.S)
_BRACKET_NOTE_RE = re.compile(r"\[(?P<kind>[^\[\]:]{0,60}?(?:stamp|handwrit\w*|signature|resolution|distribution)[^\[\]:\n]*?)(?::|\])", re.I)
_ISSUER_RE = re.compile(
    r"^(?:[A-Z][\w.'’-]*[ \t]+){0,4}(?:EMBASSY|Embassy|MINISTRY|Ministry|COMMITTEE|Committee|CONSULATE|Consulate)\b[^\n]{0,60}$",
    re.M)


def _matching_bracket(text: str, start: int, limit: int) -> int:
    """Index after the bracket that closes the one at ``start`` (tolerates no close)."""
    depth = 0
    for i in range(start, min(limit, len(text))):
        if text[i] == "[":
            depth += 1
        elif text[i] == "]":
            depth -= 1
            if depth == 0:
                return i + 1
    # unterminated: the note runs to the end of its paragraph
    m = re.compile(r"\n\s*\n").search(text, start, limit)
    return m.start() if m else min(limit, len(text))


def _parse_heading(doc: ParsedDocument) -> None:
    if not doc.body:
        return
    text = doc.text
    body = doc.body
    # the heading block: up to the first long prose paragraph
    head_end = body.end
    for m in re.finditer(r"[^\n]{160,}", text[body.start:body.end]):
        head_end = body.start + m.start()
        break
    head = text[body.start:head_end]

    for m in _BRACKET_NOTE_RE.finditer(text, body.start, body.end):
        start = m.start()
        if any(n.span.start <= start < n.span.end for n in doc.notes):
            continue
        end = _matching_bracket(text, start, body.end)
        kind_words = m.group("kind").lower()
        kind = ("stamp" if "stamp" in kind_words else "handwriting" if "handwrit" in kind_words
                else "signature" if "signature" in kind_words else "distribution" if "distribution" in kind_words
                else "stamp")
        doc.notes.append(DocumentNote(kind, Span(start, end, text[start:end])))

    m = _CLASSIFICATION_IN_LINE_RE.search(head) or _CLASSIFICATION_RE.search(head)
    if m:
        value = m.group(1).strip().rstrip(".")
        doc.classification = value.upper() if value.isupper() else value[0].upper() + value[1:]
    else:
        m2 = re.search(r"^(vvs|VVS|VS|GVS)\b", head, re.M)
        if m2:
            doc.classification = m2.group(1)
    m = _COPY_RE.search(head)
    if m:
        doc.copy_number = m.group(1)
    m = _NUMBER_LINE_RE.search(head)
    if m:
        doc.outgoing_number = m.group(1)
        after = head[m.end():m.end() + 60]
        found = next(dates.find_dates(after), None)
        if found and after[:found[0]].strip() == "":
            doc.outgoing_date = found[2]
    m = _ISSUER_RE.search(head)
    if m:
        doc.issuing_body = _span(text, body.start + m.start(), body.start + m.end())
    m = _PERIOD_RE.search(head)
    if m:
        doc.journal_period = re.sub(r"\s+", " ", m.group(1))
    # place of writing: a short line that is a capitalized place name, optionally with a date
    for lm in re.finditer(r"^(?:From )?([A-Z][a-zA-Z'.\- ]{2,30}?)(?:,\s*(?:\d|[A-Z][a-z]+ \d).*)?\.?[ \t]*$", head, re.M):
        candidate = lm.group(1).strip()
        if candidate.upper() == candidate or len(candidate.split()) > 3:
            continue
        if re.match(r"(?:Copy|Secret|Top|Strictly|Appendix|Contents|Translation|Ciphered|Political|Office|"
                    r"Foreign|Date|Time|Place|Location|Participants|To|From|Our|Record|Memorandum|Journal|Note|Dear|"
                    r"Attachment|Minutes|Background|Summary|English|Incoming|Outgoing|N o t e)\b", candidate):
            continue
        if _looks_like_city(candidate):
            s = body.start + lm.start(1)
            doc.place_written = Span(s, s + len(candidate), candidate)
            break


def _looks_like_city(name: str) -> bool:
    from .gazetteer import default_gazetteer

    entry = default_gazetteer().lookup_place(name)
    return entry is not None and entry.type in ("city", "other")


def _reference_from_body(doc: ParsedDocument) -> None:
    text = doc.body_text
    m = re.search(r"(?:Archival Signature:|\[handwritten:\s*)\s*([^\]\n]*(?:AVPRF|APRF|SAPMO|RGANI|F\.)[^\]\n]*)", text)
    if m is None:
        m = re.search(r"^((?:RGANI|APRF|AVPRF|RGASPI|GARF)\b[^\n]+)$", text, re.M)
    if m:
        ref_text = m.group(1)
        ref = parse_reference(ref_text.replace("Collection", "Fond").replace("Inventory", "Opis")
                              .replace("File", "Delo"))
        ref.text = ref_text.strip()
        if not ref.is_empty():
            doc.archival_reference = ref


_TYPE_RULES = [
    ("journal", r"\b(journal|diary)\b"),
    ("memorandum_of_conversation", r"\b(memorandum of (a )?conversation|record of (a )?conversation|note on a conversation|conversation (with|between|of)|memorandum)\b"),
    ("minutes", r"\b(minutes|transcript|protocol|discussion between|stenogram)\b"),
    ("telegram", r"\b(telegram|ciphergram|ciphered telegram)\b"),
    ("cable", r"\bcable\b"),
    ("letter", r"\bletter\b"),
    ("report", r"\b(report|information)\b"),
    ("memorandum_of_conversation", r"\b(conversation|talks|meeting)\b"),
]


def document_type(title: str, body_head: str = "") -> str:
    """The documentary form, from the title first and then the body's heading."""
    for source in (title, body_head):
        lowered = source.lower()
        for doc_type, pattern in _TYPE_RULES:
            if re.search(pattern, lowered):
                return doc_type
    return "other"
