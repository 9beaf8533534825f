"""Parse a record of *Foreign Relations of the United States* (FRUS) printed as plain text.

Layout, as the Office of the Historian prints it::

    210. Telegram From the Embassy in the Soviet Union to the Department of State

    Moscow, July 8, 1962, 7 p.m.

    SUBJECT                      (optional block, also ``SUBJECT:``)
    ...
    PARTICIPANTS                 (optional block, also ``PARTICIPANTS:``/``PRESENT``)
    United States:               (groups by government or agency)
    The Secretary
    Mr. Smith—Deputy Director, WE
    ...
    body ...

    McSweeney                    (signature)

    Source: Department of State, Central Files, 411.6141/7-862. Confidential. Drafted by X.

    [Footnote: ...]

The heading's number is dropped from the title; the date and the place of writing come from the
dateline (else from the heading); the classification, the archival reference and the drafter from
the ``Source:`` note. The body is everything after the heading, the footnotes included.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Optional

from dataclasses import dataclass
from functools import lru_cache

from . import dates, names
from .records import ArchivalReference, DocumentNote, ParsedDocument, PartialDate, Span

_HEADING_RE = re.compile(r"^[ \t]*(?P<num>\d{1,4}[a-z]?)\.[ \t]+(?P<title>[A-Z“\"‘'(\[][^\n]*?)[ \t]*$")
_FORM_WORDS = (r"(?:Memorandum|Telegram|Airgram|Letter|Minutes|Notes?|Record|Summary|Paper|Report|Editorial Note|"
               r"Message|Circular|Despatch|Dispatch|Instruction|National Intelligence|Special National|Intelligence|"
               r"Draft|Statement|Transcript|Briefing|Aide-Mémoire|Aide-Memoire|Study|Cable)")
_UNNUMBERED_HEADING_RE = re.compile(rf"^[ \t]*(?P<title>{_FORM_WORDS}\b[^\n]*?)[ \t]*$")
_DATE_PART = (r"(?:undated|(?:[A-Z][a-z]+\.?[ \t]+\d{1,2}(?:[–-]\d{1,2})?,[ \t]*\d{4})|(?:\d{1,2}[ \t]+[A-Z][a-z]+\.?[ \t]+\d{4})"
              r"|(?:[A-Z][a-z]+[ \t]+\d{4}))")
_DATELINE_RE = re.compile(
    rf"^[ \t]*(?:(?P<place>[A-Z][^\n\d]{{0,80}}?),[ \t]*)?(?P<date>{_DATE_PART})(?P<time>,[^\n]{{0,40}})?\.?[ \t]*$")
_SOURCE_RE = re.compile(r"^[ \t]*Source:[ \t]*(?P<note>\S[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*)", re.M)
_FOOTNOTE_RE = re.compile(r"^[ \t]*\[Footnote:", re.M)
CLASSIFICATIONS = ("Top Secret", "Secret", "Confidential", "Limited Official Use", "Official Use Only", "Unclassified")
_CLASSIFICATION_SENTENCE_RE = re.compile(
    r"(?:^|(?<=[.;])\s+)(?P<marking>(?P<level>%s)\b[^.]*)(?:\.|$)" % "|".join(CLASSIFICATIONS))
_DRAFTED_RE = re.compile(
    r"\bDrafted(?: jointly)? by (?P<who>.+?)(?=\s*[;,]?\s+(?:and\s+)?(?:approved|cleared|initialed|revised|concurred|"
    r"transmitted|sent)\b|\s+on\s+(?:[A-Z][a-z]+\.?\s+\d|\d)|\s+in\s+[A-Z]|;|(?<!\b[A-Z])\.(?:\s|$)|$)")
_ORG_WORDS = re.compile(r"\b(?:Embassy|Department|Delegation|Mission|Consulate|Legation|Office|Bureau|Agency|Ministry|"
                        r"Council|Committee|Command|Headquarters|Station|Section|Staff|Secretariat)\b")
_RECORD_GROUP_RE = re.compile(r"^(?:RG|Record Group)\s*\d+\w*$")

# The documentary form, from the start of a FRUS title (the heading without its number).
_FRUS_TYPES = [
    ("memorandum_of_conversation", r"^(?:memorandum|record|notes?|summary|minutes) of (?:a |the )?(?:telephone )?conversations?\b|^memcon\b"),
    ("minutes", r"^(?:(?:summary )?minutes|notes? (?:of|on|taken at) (?:a |the )?(?:\w+ )?meeting|(?:summary )?record of (?:a |the )?(?:\w+ )?"
                r"meeting|memorandum of (?:a |the )?(?:\w+ )?meeting|summary record|transcript)\b"),
    ("record", r"^memorandum for the record\b"),
    ("telegram", r"^(?:(?:circular |niact )?telegram|airgram|cable|message|backchannel message)\b"),
    ("letter", r"^(?:letter|note from|diplomatic note)\b"),
    ("report", r"^(?:memorandum|paper|report|(?:special )?national intelligence|intelligence|study|briefing|despatch|dispatch|"
               r"instruction|draft|statement|aide-m[ée]moire|action memorandum|information memorandum)\b"),
    ("other", r"^editorial note\b"),
]
_BLOCK_LABEL_RE = re.compile(r"^[ \t]*(?:PARTICIPANTS|PRESENT|ALSO PRESENT|Participants|Present)[ \t]*:?[ \t]*$", re.M)


def _line_spans(text: str, start: int = 0, end: Optional[int] = None) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, whitespace trimmed."""
    end = len(text) if end is None else end
    out = []
    for m in re.finditer(r"[^\n]+", text[start:end]):
        s, e = start + m.start(), start + m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


def match_dateline(line: str) -> Optional[re.Match]:
    m = _DATELINE_RE.match(line)
    if m is None:
        return None
    place = m.group("place")
    if place and (len(place.split()) > 8 or re.search(r"[.:;!?]\s", place)):
        return None
    return m


def looks_like_frus(text: str) -> bool:
    """A numbered FRUS heading followed by a dateline or a ``Source:`` note (or an unnumbered
    heading naming the documentary form, with both)."""
    lines = _line_spans(text)
    if not lines:
        return False
    first = text[lines[0][0]:lines[0][1]]
    following = [text[s:e] for s, e in lines[1:4]]
    has_dateline = any(match_dateline(line) for line in following)
    has_source = bool(_SOURCE_RE.search(text))
    if _HEADING_RE.match(first):
        return has_dateline or has_source
    if _UNNUMBERED_HEADING_RE.match(first):
        return has_dateline and has_source
    return False


def frus_doc_type(title: str, has_participants: bool = False) -> Optional[str]:
    low = title.lower().strip()
    for doc_type, pattern in _FRUS_TYPES:
        if re.search(pattern, low):
            if doc_type == "record":
                # a memorandum for the record that lists those present records a meeting
                return "minutes" if has_participants else "report"
            return doc_type
    return None


def parse_source_note(note: str) -> tuple[Optional[ArchivalReference], Optional[str], list[tuple[int, int]]]:
    """The archival reference, the classification and the drafters (offsets in ``note``) of a Source note.

    'Department of State, Central Files, 411.6141/7-862. Confidential. Drafted by X.' ->
    repository 'Department of State', series (opis) 'Central Files', file (delo) '411.6141/7-862';
    a record group ('RG 59') is kept as the fond; 'Confidential'.
    """
    classification = None
    cm = _CLASSIFICATION_SENTENCE_RE.search(note)
    if cm:
        classification = cm.group("level")
        ref_text = note[:cm.start("marking")]
    else:
        # the reference is the first sentence ('Vol. III' and 'No. 5' do not end it)
        sm = re.search(r"(?<!\bVol)(?<!\bNo)(?<!\bpp)(?<!\bp)(?<!\b[A-Z])\.(?:\s+(?=[A-Z])|\s*$)", note)
        ref_text = note[:sm.start()] if sm else note
    ref_text = ref_text.strip().rstrip(".;, ").strip()
    reference = None
    if ref_text and not re.match(r"(?:Printed|Reprinted|Drafted|No (?:classification|drafting))\b", ref_text):
        chunks = [c.strip() for c in re.split(r",\s+", ref_text) if c.strip()]
        reference = ArchivalReference(text=ref_text, repository=chunks[0])
        rest = chunks[1:]
        if rest and _RECORD_GROUP_RE.match(rest[0]):
            reference.fond = rest.pop(0)
        if len(rest) >= 2 or (rest and re.search(r"\d", rest[-1]) and not re.match(r"[A-Z][a-z]+ (?:Files?|Papers)\b", rest[-1])):
            reference.delo = rest.pop()
        if rest:
            reference.opis = ", ".join(rest)
    drafters: list[tuple[int, int]] = []
    for dm in _DRAFTED_RE.finditer(note):
        who_start = dm.start("who")
        for part in re.finditer(r"[^,;]+?(?=\s*(?:,|;|\band\b|$))", dm.group("who")):
            s, e = who_start + part.start(), who_start + part.end()
            while s < e and not note[s].isalnum():
                s += 1
            while e > s and not (note[e - 1].isalnum() or note[e - 1] == "."):
                e -= 1
            chunk = note[s:e]
            chunk = re.sub(r"^and\s+", "", chunk)
            s = e - len(chunk)
            if chunk and chunk[0].isupper() and not re.search(r"\d", chunk):
                drafters.append((s, e))
    return reference, classification, drafters


def parse_frus(text: str, source_path: str = "<text>", doc_id: Optional[str] = None) -> ParsedDocument:
    """``text`` is already normalized (``kg.parse.normalize_text``)."""
    warnings: list[str] = []
    lines = _line_spans(text)
    hs, he = lines[0]
    heading = text[hs:he]
    m = _HEADING_RE.match(heading)
    number = None
    if m:
        number = m.group("num")
        title_start, title_end = hs + m.start("title"), hs + m.end("title")
    else:
        title_start, title_end = hs, he
    rest_lines = lines[1:]
    # a heading printed over two lines: the next line follows without a blank line and is no dateline
    if rest_lines and "\n\n" not in text[he:rest_lines[0][0]] and rest_lines[0][1] - rest_lines[0][0] < 150 and \
            not match_dateline(text[rest_lines[0][0]:rest_lines[0][1]]) and \
            not re.match(r"(?:SUBJECT|PARTICIPANTS|PRESENT|Source:)", text[rest_lines[0][0]:rest_lines[0][1]]):
        title_end = rest_lines[0][1]
        rest_lines = rest_lines[1:]
    title_span = _span(text, title_start, title_end)
    title = re.sub(r"\s+", " ", title_span.text)
    body = _span(text, title_end, len(text))

    # the dateline: the first line after the heading
    date: Optional[PartialDate] = None
    place_written: Optional[Span] = None
    for ls, le in rest_lines[:2]:
        dm = match_dateline(text[ls:le])
        if dm is None:
            continue
        if dm.group("place"):
            place_written = Span(ls + dm.start("place"), ls + dm.end("place"), dm.group("place"))
        if dm.group("date") != "undated":
            try:
                date = dates.parse_date(dm.group("date"))
            except dates.InvalidDate as exc:
                warnings.append(f"dateline {text[ls:le]!r}: {exc}")
        break
    heading_date = None
    try:
        heading_date = next((d for _, _, d in dates.find_dates(title) if d.precision == "day"), None)
    except dates.InvalidDate:
        heading_date = None
    if date is None and heading_date is not None:
        date = heading_date
    elif date is not None and heading_date is not None and heading_date.iso != date.iso:
        warnings.append(f"the heading's date {heading_date.text!r} differs from the dateline's {date.text!r}; "
                        "the dateline's is used")
    if place_written is None:
        # 'Memorandum of a Conversation, Department of State, Washington, January 17, 1957'
        pm = re.search(r",[ \t]*([A-Z][\w.'’ -]{1,40}?),[ \t]*" + _DATE_PART, title_span.text)
        if pm:
            s = title_span.start + pm.start(1)
            place_written = Span(s, s + len(pm.group(1)), pm.group(1))
    if date is None:
        found = next(iter(dates.find_dates(body.text)), None)
        if found and found[2].precision in ("day", "month"):
            date = found[2]
            warnings.append(f"no dateline; the date is the first one in the text ({found[2].text!r})")
        else:
            warnings.append("no dateline and no date in the heading: the document is undated")

    if doc_id is None:
        doc_id = Path(source_path).stem if source_path and not source_path.startswith("<") else (number or "document")

    doc = ParsedDocument(
        source_path=source_path,
        doc_id=doc_id,
        text=text,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=title,
        title_span=title_span,
        date=date,
        body=body if body.text else None,
        place_written=place_written,
        original_language="English",
        warnings=warnings,
    )
    if not body.text:
        warnings.append("document has no body text")

    sm = _SOURCE_RE.search(text, title_end)
    if sm:
        doc.citation = _span(text, sm.start("note"), sm.end("note"))
        reference, classification, _ = parse_source_note(doc.citation.text)
        doc.archival_reference = reference
        doc.classification = classification
        lm = re.search(r"\btranslat\w*(?: \w+)? from (?:the )?([A-Z][a-z]+)|\b(?:[Oo]fficial |[Uu]nofficial |[Ii]nformal )?"
                       r"[Tt]ranslation\b", doc.citation.text)
        if lm:
            # a translation: the original language is the one the note names, if any
            doc.original_language = lm.group(1)
    _signature_note(doc, sm.start() if sm else None)
    has_participants = bool(_BLOCK_LABEL_RE.search(text, title_end, title_end + 3000))
    doc.doc_type = frus_doc_type(title, has_participants) or _generic_type(title, doc.body_text[:400])
    im = re.search(r"\bFrom\s+(?:the\s+)?(?P<org>[A-Z].*)\s+to\s+(?:the\s+)?[A-Z].*$", title_span.text, re.S)
    if im and _ORG_WORDS.search(im.group("org")) and "(" not in im.group("org"):
        s = title_span.start + im.start("org")
        doc.issuing_body = Span(s, s + len(im.group("org")), im.group("org"))
    if doc.doc_type == "telegram" and doc.body:
        # the telegram's own number opens its text: '56.', '645. Ref: ...', 'Secto 4.'
        first_para = next(iter(_paragraphs_after_dateline(doc)), None)
        if first_para:
            nm = re.match(r"((?:[A-Z][a-z]+[ \t])?\d{1,5})\.[ \t]", text[first_para[0]:first_para[1]])
            if nm:
                doc.outgoing_number = nm.group(1)
    return doc


def _generic_type(title: str, head: str) -> str:
    from .parse import document_type

    return document_type(title, head)


def _paragraphs_after_dateline(doc: ParsedDocument) -> list[tuple[int, int]]:
    text = doc.text
    out = []
    for m in re.finditer(r"\S[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*", text[doc.body.start:doc.body.end]):
        s, e = doc.body.start + m.start(), doc.body.start + m.end()
        if match_dateline(text[s:e].strip()) or re.match(r"(?:SUBJECT|PARTICIPANTS|PRESENT)\b", text[s:e]):
            continue
        out.append((s, e))
    return out


def _signature_note(doc: ParsedDocument, source_start: Optional[int]) -> None:
    """The signature: a short name line right before the Source note (or the footnotes, or the end)."""
    text = doc.text
    if not doc.body:
        return
    end = source_start
    if end is None:
        fm = _FOOTNOTE_RE.search(text, doc.body.start)
        end = fm.start() if fm else doc.body.end
    lines = _line_spans(text, doc.body.start, end)
    if len(lines) < 2:
        return
    s, e = lines[-1]
    line = text[s:e]
    if len(line) <= 60 and re.fullmatch(r"(?:(?:[A-Z]\.[ \t]?){1,3}[ \t]*)?[A-Z][\w'’.-]+(?:[ \t]+(?:[A-Z][\w'’.-]*|de|von|van|del))"
                                        r"{0,3}(?:,[ \t]*Jr\.?)?", line) and not line.isupper() \
            and not match_dateline(line):
        doc.notes.append(DocumentNote("signature", Span(s, e, line)))


_NAME_PARTICLES = {"de", "del", "della", "der", "da", "di", "du", "la", "le", "van", "von", "bin", "al", "el", "y"}


# --- participants lists -------------------------------------------------------

PARTICIPANTS_LABEL_RE = re.compile(
    r"^[ \t]*(?P<label>PARTICIPANTS|ALSO PRESENT|PERSONS PRESENT|PRESENT|ATTENDEES|ATTENDANCE)[ \t]*:?[ \t]*(?P<rest>[^\n]*)$", re.M)
_ARTICLE_OR_HONORIFIC_RE = re.compile(r"(?:(?:The|the|Mr\.?|Mrs\.?|Miss|Ms\.?|Dr\.?|Messrs\.?|Sir|Lord|Mme\.?|Madame|Mister)[ \t]+)+")
_ROLE_SEPARATOR_RE = re.compile(r"[ \t]*(?:—|–|--|[ \t]-[ \t]|,[ \t])[ \t]*")


@lru_cache(maxsize=1)
def _lexicon():
    """The extractor's word lists (imported late: kg.extract imports this module)."""
    from .extract import lexicon

    titles = (lexicon.PERSON_TITLES | names.TITLE_WORDS | {"under", "acting", "executive", "special", "assistant", "deputy"}) \
        - {"party", "member", "candidate", "official", "officer", "correspondent", "journalist", "leader", "first",
           "second", "third"}
    return lexicon, titles


@dataclass
class ListedParticipant:
    """One line of a participants list: 'Mr. Robertson—Assistant Secretary for Far Eastern Affairs'."""

    line: Span
    name: Optional[Span] = None  # the name, honorifics and titles before it left out
    title: Optional[str] = None  # titles before the name: 'Ambassador', 'General'
    role: Optional[str] = None  # written after a dash or comma: 'Assistant Secretary for Far Eastern Affairs'
    office: Optional[str] = None  # a line that names only an office: 'The Secretary' -> 'Secretary'
    group: Optional[str] = None  # the government or agency the list groups it under: 'United States', 'Treasury'


def participants_lists(text: str, start: int, end: int) -> list[tuple[Span, list[ListedParticipant]]]:
    """The participants lists (label in capitals: ``PARTICIPANTS``, ``PRESENT``) between start and end."""
    out = []
    for m in PARTICIPANTS_LABEL_RE.finditer(text, start, end):
        entries: list[ListedParticipant] = []
        group: Optional[str] = None
        block_end = m.end()
        lines: list[tuple[int, int]] = []
        rest = m.group("rest")
        if rest.strip():
            for part in re.finditer(r"[^;]+", rest):
                s, e = m.start("rest") + part.start(), m.start("rest") + part.end()
                lines.append((s, e))
        pos = m.end() + 1
        blank = False
        while pos < end:
            nl = text.find("\n", pos, end)
            line_end = end if nl < 0 else nl
            content = text[pos:line_end].strip()
            if not content:
                blank = True
            elif PARTICIPANTS_LABEL_RE.match(text, pos) or re.match(r"(?:SUBJECT|Source:|\[Footnote)", content) or \
                    not _list_like(content) or (blank and lines and not _entry_like(content)):
                break
            else:
                lines.append((pos, line_end))
                blank = False
            pos = line_end + 1
        for s, e in lines:
            s, e = _trim(text, s, e)
            if e <= s:
                continue
            block_end = max(block_end, e)
            entry = _listed(text, s, e)
            if entry is None:
                label = text[s:e].rstrip(":").strip()
                if label and len(label.split()) <= 6:
                    group = label
                continue
            entry.group = group
            entries.append(entry)
        out.append((Span(m.start(), block_end, text[m.start():block_end]), entries))
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in ";"):
        e -= 1
    return s, e


def _list_like(line: str) -> bool:
    """A line of a list, not the prose after it."""
    if len(line) > 140:
        return False
    words = line.split()
    return not (line.endswith(".") and len(words) > 8 and not names.is_initial(words[-1]))


def _entry_like(line: str) -> bool:
    return bool(_ARTICLE_OR_HONORIFIC_RE.match(line)) or line.endswith(":") or bool(_ROLE_SEPARATOR_RE.search(line))


def _listed(text: str, s: int, e: int) -> Optional[ListedParticipant]:
    """A participant line, or None for a group label ('Treasury', 'United States:')."""
    lexicon, list_titles = _lexicon()
    line = text[s:e]
    fm = re.search(r"(?<=[A-Za-z.)])\d{1,2}$", line)  # a footnote number glued to the line
    if fm:
        e -= len(fm.group(0))
        line = text[s:e]
    if line.endswith(":"):
        return None
    sep = _ROLE_SEPARATOR_RE.search(line)
    left_end = s + sep.start() if sep else e
    role = text[s + sep.end():e].strip() if sep else None
    pos = s
    hm = _ARTICLE_OR_HONORIFIC_RE.match(text, s, left_end)
    honorific = False
    if hm:
        honorific = any(w.lower() not in ("the",) for w in hm.group(0).split())
        pos = hm.end()
    toks = [(m.start() + pos, m.end() + pos, m.group(0)) for m in re.finditer(r"\S+", text[pos:left_end])]
    if not toks:
        return None
    k = 0
    while k < len(toks) and (toks[k][2].lower().rstrip(".,") in list_titles or
                             (k > 0 and toks[k][2] in ("of", "for") and k + 1 < len(toks)
                              and toks[k + 1][2].lower().rstrip(".,") in list_titles)):
        k += 1
    titles = " ".join(t[2] for t in toks[:k]) or None
    if k == len(toks):
        if honorific and k:
            k -= 1  # 'Mr. King': after an honorific the last word is the name
            titles = " ".join(t[2] for t in toks[:k]) or None
        elif hm or sep:
            # 'The Secretary', 'The Under Secretary': an office, not a name
            return ListedParticipant(Span(s, e, text[s:e]), office=titles, role=role)
        else:
            return None
    name_toks = toks[k:]
    if not 1 <= len(name_toks) <= 6:
        return None
    for _, _, tok in name_toks:
        low = tok.lower().rstrip(".,")
        if low in _NAME_PARTICLES:
            continue
        if not tok[:1].isupper() or re.search(r"\d", tok) or low in lexicon.STOPWORDS or low in lexicon.ORG_HEADS \
                or low in lexicon.PLACE_HEADS or low in lexicon.DEMONYMS:
            return None
    if not (honorific or titles or (sep and len(name_toks) >= 2) or name_toks[0][2] in lexicon.GIVEN_NAMES
            or any(names.is_initial(t[2]) for t in name_toks[:-1])):
        return None  # 'Treasury', 'Korean Government': a group label
    if len(name_toks) == 1 and name_toks[0][2].isupper() and not honorific and not titles:
        return None  # 'ICA', 'CIA'
    ns, ne = name_toks[0][0], name_toks[-1][1]
    return ListedParticipant(Span(s, e, text[s:e]), Span(ns, ne, text[ns:ne]), titles, role)
