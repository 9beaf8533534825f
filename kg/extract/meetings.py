"""Meetings reported in a document: who met whom, when, where, for how long.

The body is cut into dated passages (journal entries, or the whole record with its
date from the heading), each passage into meetings at the cues that report one
("I visited", "received a visit from", "had a conversation with", a participants
block, speaker labels). Participants are the author for first-person cues, the
people named in the cue, in the participants block, as speakers, or as present.
"""
from __future__ import annotations

import re
from typing import Optional

from .. import dates
from ..records import EntityRecord, MeetingRecord, Mention, ParsedDocument, Participation, PartialDate, Span
from .lexicon import SPEECH_VERBS, WORD_NUMBERS
from ..frus import participants_lists

_DATE_HEADING_RE = re.compile(
    r"^[ \t]*(?:…|\.\.\.)?(?P<date>\d{1,2}[ \t]+[A-Z][a-z]+\.?(?:[ \t]+\d{4})?|[A-Z][a-z]+\.?[ \t]+\d{1,2}(?:,[ \t]*\d{4})?)"
    r"(?P<rest>,[^\n]{0,60})?[ \t]*$", re.M)

_FIRST_PERSON_CUES = [
    (r"\b(?:I|We)\s+(?:\w+\s+)?(?:visited|called on|paid a visit to)\b", "visit", "visitor"),
    (r"\b(?:I|We)\s+(?:\w+\s+)?(?:received|hosted|met with|met)\b", "conversation", "host"),
    (r"\b(?:I|We)\s+(?:\w+\s+)?(?:had|held)\s+(?:a\s+|an\s+)?(?:\w+\s+)?(?:conversation|talk|talks|meeting|discussion)s?\b", "conversation", "participant"),
    (r"\b(?:I|We)\s+(?:\w+\s+)?(?:participated|took part)\s+in\s+(?:a|the)\s+(?:\w+\s+)?(?:meeting|reception|session|talks)", "meeting", "participant"),
    (r"\b(?:I|We)\s+(?:\w+\s+)?(?:was|were)\s+(?:\w+\s+)?(?:received|invited)\b", "visit", "visitor"),
    (r"\breceived a visit from\b", "visit", "host"),
    (r"\bvisited (?:me|us|the Embassy|our Embassy)\b", "visit", "host"),
    (r"\b(?:my|our) conversation with\b", "conversation", "participant"),
    (r"\b(?:I|We)\s+(?:\w+\s+)?(?:said to|told)\s+(?:the\s+)?[A-Z]", "conversation", "participant"),
    (r"\b(?:In|During) the course of (?:the|our|my) (?:talks|conversation|meeting)\b", "conversation", "participant"),
    (r"\b(?:came|come) to (?:a|the|our) reception\b", "reception", "host"),
    (r"\b(?:the|a) (?:cocktail )?reception\b", "reception", "host"),
]
_THIRD_PERSON_CUES = re.compile(
    r"\b(?:conversation|talks|meeting|negotiations|discussion)s? (?:with|between)\b|\bmet with\b|\breceived\b", re.I)
_PARTICIPANT_BLOCK_RE = re.compile(
    r"^[ \t]*(?P<label>PARTICIPANTS|ALSO PRESENT|PERSONS PRESENT|PRESENT|Participants|Participating|Present|Those present|Attending|Our side|Korean side|Chinese side|"
    r"Soviet side|American side|From Seoul|From Pyongyang|Interpreter|Interpretation and Minutes|Interpretation|"
    r"Recorder|Note-taker|Minutes)(?:[ \t]*:[ \t]*(?P<rest>[^\n]*)|(?P<bare>[ \t]*))$", re.M)
_DURATION_RE = re.compile(
    r"\b(?:lasted|lasting|for|continued for|went on for)\s+(?P<text>(?:more than |about |approximately |over |around |less than |nearly |almost )?"
    r"(?:(?P<num>\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|an?)(?P<half>\s+and\s+(?:a|one)\s+half)?\s+(?P<unit>hours?|minutes?))"
    r"(?:\s+and\s+(?P<num2>\d+|\w+)\s+minutes)?)", re.I)
_TIME_RANGE_RE = re.compile(r"\b(?P<a>\d{1,2})[:.](?P<am>\d{2})\s*[-–]\s*(?P<b>\d{1,2})[:.](?P<bm>\d{2})\b")
_SPEAKER_RE = re.compile(
    r"^[ \t]*(?!(?:Date|Time|Place|Location|Participants|Participating|Present|Interpret\w*|Recorder|Minutes|"
    r"Attachment|Subject|To|From|Our side|Korean side|Chinese side|Archival Signature|Source|Note|Background|"
    r"Citation|Summary|Credits|Contents|Original Language)\b)"
    r"(?:(?:North|South|Premier|Chairman|President|Comrade|Cde\.)[ \t]*)?\(?"
    r"(?P<name>[A-Z][^\n:()]{1,60}?)\)?[ \t]*:", re.M)
_PRESENT_RE = re.compile(r"\b(?:were|was) (?:also )?present\b|\bin the presence of\b|\btook part\b|\battended\b|\bjoined\b", re.I)
_SPEECH_RE = re.compile(
    r"\b(said|noted|stated|asked|replied|answered|stressed|emphasized|remarked|added|informed|told|declared|expressed|"
    r"agreed|proposed|spoke|pointed out|explained|suggested|observed|responded|welcomed|thanked|promised|"
    r"raised|touched|requested|asserted|mentioned|continued|underlined|recalled|confirmed|objected|insisted|"
    r"reacted|directed attention|began|opened|greeted|accepted|reminded|conveyed|transmitted)\b")
# between a name and its verb: "[Iudin]", "(head of the 1st department)", ", in his turn,", "then"
# the per-mention tests of _participants, compiled once
_REPORTED_SPEECH_RE = re.compile(r"\b(?:that|about|whether|how)\b")
_SPEECH_BEFORE_RE = re.compile(r"\b(said|noted|asked|replied|stressed|observed|added)\s+$")
_PLANNED_RE = re.compile(r"\b(will|would|planned|to take part)\b")
_AND_SUBJECT_RE = re.compile(r"[ \t]+and[ \t]+([^\n]{1,40}?)[ \t]+(?:then[ \t]+)?(\w+)")
_SPEECH_LEAD_RE = re.compile(r"(?:[ \t]*\[[^\]\n]*\])?(?:[ \t]*\([^)\n]{1,80}\))?(?:[ \t]*,[^,\n]{1,40},)?[ \t]+"
                             r"(?:(?:then|also|again|further|in his turn|in turn|immediately|once again)[ \t]+)?")
_PLACE_CUE_RE = re.compile(r"\b(?:at|in) (?:the )?(?P<place>airport|[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,4}|our Embassy|the Embassy)")


def _duration(text: str) -> tuple[Optional[str], Optional[float], Optional[Span]]:
    m = _DURATION_RE.search(text)
    if m:
        num = m.group("num").lower()
        value = float(WORD_NUMBERS.get(num, num)) if num in WORD_NUMBERS or re.fullmatch(r"[\d.]+", num) else None
        if value is None:
            return m.group("text"), None, Span(m.start("text"), m.end("text"), m.group("text"))
        if m.group("half"):
            value += 0.5
        minutes = value * 60 if m.group("unit").lower().startswith("hour") else value
        if m.group("num2"):
            extra = m.group("num2").lower()
            minutes += float(WORD_NUMBERS.get(extra, extra)) if extra in WORD_NUMBERS or extra.isdigit() else 0
        return m.group("text"), minutes, Span(m.start("text"), m.end("text"), m.group("text"))
    m = _TIME_RANGE_RE.search(text)
    if m:
        a = int(m.group("a")) * 60 + int(m.group("am"))
        b = int(m.group("b")) * 60 + int(m.group("bm"))
        if b > a:
            return m.group(0), float(b - a), Span(m.start(), m.end(), m.group(0))
    return None, None, None


def _passages(doc: ParsedDocument) -> list[tuple[Span, Optional[PartialDate]]]:
    """Dated passages of the body: journal entries, else the whole body."""
    body = doc.body
    if not body:
        return []
    text = doc.text
    year = doc.date.year if doc.date else None
    headings = []
    for m in _DATE_HEADING_RE.finditer(text, body.start, body.end):
        try:
            date = dates.parse_date(m.group("date"), year)
        except dates.InvalidDate:
            continue
        if date is None or date.precision != "day":
            continue
        headings.append((m.start(), m.end(), date))
    # keep headings followed by prose (not the outgoing-number date of the heading block)
    entries = []
    for i, (s, e, date) in enumerate(headings):
        nxt = headings[i + 1][0] if i + 1 < len(headings) else body.end
        chunk = text[e:nxt]
        if re.search(r"[a-z][^\n]{40,}[.!?…](?:[\s\"”’]|$)", chunk):
            entries.append((s, nxt, date))
    if entries:
        return [(Span(s, e, ""), d) for s, e, d in entries]
    return [(Span(body.start, body.end, ""), None)]


def _heading_date(doc: ParsedDocument) -> Optional[PartialDate]:
    """The meeting date a record gives in its heading: 'Date and Time:', 'Time:', a dateline, the title."""
    text = doc.text
    year = doc.date.year if doc.date else None
    head = text[doc.body.start:min(doc.body.end, doc.body.start + 1500)] if doc.body else ""
    m = re.search(r"(?:Date(?: and Time)?|Time)\s*:\s*\n?\s*([^\n]+)", head)
    if m:
        try:
            found = next(dates.find_dates(m.group(1), year), None)
        except dates.InvalidDate:
            found = None
        if found:
            return found[2]
    # "on 18 October 1972" in the title
    for source in (doc.title, head[:600]):
        m = re.search(r"\b(?:on|of)\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\s+\d{1,2},\s*\d{4})", source)
        if m:
            try:
                d = dates.parse_date(m.group(1), year)
            except dates.InvalidDate:
                d = None
            if d:
                return d
    for s, e, d in dates.find_dates(head[:700], year):
        if d.precision == "day":
            return d
    return doc.date


def _people_in(span_start: int, span_end: int, people: list[EntityRecord]) -> list[tuple[EntityRecord, Mention]]:
    out = []
    for person in people:
        for m in person.mentions:
            if span_start <= m.start < span_end:
                out.append((person, m))
    out.sort(key=lambda pm: pm[1].start)
    return out


_BOUNDARY_RE = re.compile(r"[.!?…]['’\"”]?\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n")
_ABBREVIATIONS = {"cde", "cdes", "com", "mr", "mrs", "ms", "dr", "gen", "col", "lt", "st", "no", "nº", "n°", "gh",
                  "messrs", "u.s", "u.n", "vs", "p", "pp", "ll", "op", "f", "d", "l",
                  "jan", "feb", "aug", "sept", "sep", "oct", "nov", "dec"}  # 'Dec. 13' ends no sentence


_LAST_WORD_RE = re.compile(r"([\w.]+)$")


def _is_boundary(text: str, m: re.Match) -> bool:
    if m.group(0) == "\n":
        return True
    word = _LAST_WORD_RE.search(text[max(0, m.start() - 12):m.start()])
    if word is None:
        return True
    w = word.group(1).lower()
    return not (len(w.rstrip(".")) == 1 and w.rstrip(".").isalpha() or w.rstrip(".") in _ABBREVIATIONS)


def _sentence_bounds(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """The sentence around ``pos``; initials and 'Cde.' do not end a sentence."""
    # search a little past pos: the lookahead must see the capital that starts the sentence
    before = [m for m in _BOUNDARY_RE.finditer(text, max(lo, pos - 600), min(hi, pos + 3)) if m.end() <= pos]
    # the last boundary before pos: tested from the nearest back, not all of them
    start = next((m.end() for m in reversed(before) if _is_boundary(text, m)), lo)
    end = hi
    for m in _BOUNDARY_RE.finditer(text, pos, min(hi, pos + 800)):
        if _is_boundary(text, m):
            end = m.start() + 1
            break
    return max(lo, start), min(hi, end)


_GENRE_TITLE_RE = re.compile(r"\b(conversations?|talks|negotiations|meeting|discussion|reception|minutes|transcript)\b", re.I)


def find_meetings(doc: ParsedDocument, people: list[EntityRecord], places: list[EntityRecord],
                  authors: list[str], meeting_genre: bool) -> list[MeetingRecord]:
    """Meetings of the body, then those only the catalogue summary reports."""
    text = doc.text
    by_key = {p.key: p for p in people}
    author = by_key.get(authors[0]) if authors else None
    meeting_genre = meeting_genre or bool(_GENRE_TITLE_RE.search(doc.title))
    meetings: list[MeetingRecord] = []
    passages = _passages(doc)
    journal_mode = bool(passages) and passages[0][1] is not None
    for passage, date in passages:
        if date is None:
            date = _heading_date(doc)
        cuts = _meeting_cuts(text, passage)
        if meeting_genre and not journal_mode:
            # a record of one conversation: first-person cues deeper in the text report other, earlier events
            early = [c for c in cuts if c[0] - passage.start < 600]
            kind, role = (early[0][1], early[0][2]) if early else ("conversation", "participant")
            cuts = [(passage.start, kind, role, "record")]
        elif not cuts and (meeting_genre or _has_speakers(text, passage)):
            cuts = [(passage.start, "conversation", "participant", "record")]
        for i, (cut, kind, author_role, method) in enumerate(cuts):
            end = cuts[i + 1][0] if i + 1 < len(cuts) else passage.end
            start = passage.start if method == "record" else _sentence_bounds(text, cut, passage.start, end)[0]
            meeting = MeetingRecord(date=date, span=Span(start, end, ""), kind=kind, method=method)
            _participants(doc, meeting, people, author, author_role, cut, passage)
            if len({p.person_key for p in meeting.participants}) < 2:
                continue
            meeting.duration_text, meeting.duration_minutes, _ = _duration(text[start:end])
            if meeting.duration_text is None and method == "record":
                meeting.duration_text, meeting.duration_minutes, _ = _duration(text[doc.body.start:doc.body.start + 1500])
            _place(doc, meeting, places)
            meetings.append(meeting)
    meetings = _merge_same_day(meetings)
    meetings.extend(_reported_meetings(doc, people, places, meetings))
    meetings.extend(_summary_meetings(doc, people, author, meetings))
    return meetings


_REPORTED_RE = re.compile(
    r"\b(?:told (?:him|her)|met with|met|(?:had|held) (?:a |an )?(?:\w+ )?(?:conversation|conversations|talks|meeting|negotiations|discussion) with|"
    r"(?:to|would|will) meet(?: with)?|(?:talks|negotiations|conversation|meeting) between|were talking to|was talking to)\b")


def _reported_meetings(doc: ParsedDocument, people: list[EntityRecord], places: list[EntityRecord],
                       found: list[MeetingRecord]) -> list[MeetingRecord]:
    """Meetings the text reports in the third person: 'X met with Y', 'talks between X and Y'."""
    if not doc.body:
        return []
    text = doc.text
    year = doc.date.year if doc.date else None
    known = [{p.person_key for p in m.participants} for m in found]
    out: list[MeetingRecord] = []
    for m in _REPORTED_RE.finditer(text, doc.body.start, doc.body.end):
        s, e = _sentence_bounds(text, m.start(), doc.body.start, doc.body.end)
        cue = m.group(0)
        told = cue.startswith("told")
        obj_start = m.end()
        # 'met many prominent Soviets including Khrushchev': the names come after 'including'
        inc = re.match(r"[ \t]+(?:[\w'’-]+[ \t]+){0,4}?(?:including|among them|notably|such as)\b", text[m.end():e])
        if inc and not told:
            obj_start = m.end() + inc.end()
        obj_end = _object_end(text, obj_start, e)
        between = cue.endswith("between")
        subject = [(p, x) for p, x in _people_in(max(s, m.start() - 150), m.start(), people)]
        objects = [(p, x) for p, x in _people_in(obj_start, obj_end, people)]
        # 'Moore reports Mikoyan told him July 5': the teller and the one named before him met
        chosen = subject[-2:] if told else objects if between else subject[-1:] + objects
        if told and not next(dates.find_dates(text[m.end():e], year), None):
            continue  # without a date, 'X told him' reports what was said, not a meeting
        if cue.startswith("met") and len({p.key for p, _ in chosen}) < 2 and e < doc.body.end:
            # 'Working group met today ... . Delegations ... headed respectively by A, B, C.'
            s2, e2 = _sentence_bounds(text, e + 1, doc.body.start, doc.body.end)
            hm = re.search(r"\b(?:headed|led|chaired)\b(?:[ \t]+respectively)?[ \t]+by\b", text[s2:e2])
            if hm and s2 >= e:
                chosen = subject[-1:] + _people_in(s2 + hm.end(), e2, people)
                e = e2
        keys = list(dict.fromkeys(p.key for p, _ in chosen))
        if len(keys) < 2 or any(len(set(keys) & k) >= min(2, len(keys)) for k in known):
            continue
        date = None
        try:
            date = next((d for _, _, d in dates.find_dates(text[s:e], year)), None)
        except dates.InvalidDate:
            date = None
        meeting = MeetingRecord(date=date, span=Span(s, e, ""), kind="conversation", method="reported")
        for person, mention in chosen:
            if all(p.person_key != person.key for p in meeting.participants):
                meeting.participants.append(Participation(person.key, "participant", Mention(
                    mention.start, mention.end, text[mention.start:mention.end], "reported-meeting", 0.6)))
        for place in places:
            if any(s <= x.start < e for x in place.mentions) and place.entity_type == "city":
                meeting.place_key = place.key
                break
        out.append(meeting)
        known.append(set(keys))
    return out


_BETWEEN_RE = re.compile(r"\b(?:[Cc]onversations?|[Tt]alks|[Nn]egotiations|[Dd]iscussion|[Mm]eeting)\s+(?:between|of|with)\s+"
                         r"([^\n]{3,160}?)(?=,|\s+on\s|\s+in\s|\s+at\s|$|\n)", re.M)
_SUMMARY_CUE_RE = re.compile(
    r"\b(?:conversation|talks|meeting|meets|met|discuss(?:es|ed)?|receives|received|visits|visited)\b", re.I)


def _summary_meetings(doc: ParsedDocument, people: list[EntityRecord], author: Optional[EntityRecord],
                      found: list[MeetingRecord]) -> list[MeetingRecord]:
    """A conversation the (cut) body no longer holds but the catalogue summary reports."""
    if not doc.summary:
        return []
    text = doc.text
    out: list[MeetingRecord] = []
    known = [{p.person_key for p in m.participants} for m in found]
    for sm in re.finditer(r"[^.]+(?:\.|$)", text[doc.summary.start:doc.summary.end]):
        s, e = doc.summary.start + sm.start(), doc.summary.start + sm.end()
        if not _SUMMARY_CUE_RE.search(text[s:e]):
            continue
        cue = _SUMMARY_CUE_RE.search(text[s:e])
        cue_start, cue_end = s + cue.start(), s + cue.end()
        obj_end = _object_end(text, cue_end, e)
        # the subject before the cue and the names the cue takes; not everyone the sentence names
        subject_start = max(s, cue_start - 120)
        present = [(p, m) for p, m in _people_in(s, e, people)
                   if subject_start <= m.start < cue_start or cue_end <= m.start < obj_end]
        keys = list(dict.fromkeys(p.key for p, _ in present))
        # the same meeting as one already found shares two of its people (the author alone is not enough)
        if len(keys) < 2 or any(len(set(keys) & k) >= min(2, len(keys)) for k in known):
            continue
        meeting = MeetingRecord(date=doc.date, span=Span(s, e, ""), kind="conversation", method="summary")
        for person, mention in present:
            if all(p.person_key != person.key for p in meeting.participants):
                meeting.participants.append(Participation(person.key, "participant", Mention(
                    mention.start, mention.end, text[mention.start:mention.end], "summary", 0.6)))
        out.append(meeting)
        known.append(set(keys))
    return out


def _merge_same_day(meetings: list[MeetingRecord]) -> list[MeetingRecord]:
    """Two cuts of one passage that share the date and most participants are one meeting."""
    out: list[MeetingRecord] = []
    for m in meetings:
        prev = out[-1] if out else None
        if prev and prev.date == m.date:
            a = {p.person_key for p in prev.participants}
            b = {p.person_key for p in m.participants}
            if b <= a or (len(a & b) >= max(2, min(len(a), len(b)) - 0) and len(b - a) <= 1 and m.kind == prev.kind):
                prev.span = Span(prev.span.start, m.span.end, "")
                for part in m.participants:
                    if part.person_key not in a:
                        prev.participants.append(part)
                continue
        out.append(m)
    return out


def _has_speakers(text: str, passage: Span) -> bool:
    return len(list(_SPEAKER_RE.finditer(text, passage.start, passage.end))) >= 2


def _meeting_cuts(text: str, passage: Span) -> list[tuple[int, str, str, str]]:
    cuts: list[tuple[int, str, str, str]] = []
    for pattern, kind, role in _FIRST_PERSON_CUES:
        for m in re.finditer(pattern, text[passage.start:passage.end]):
            pos = passage.start + m.start()
            # only the first cue of a paragraph starts a meeting
            para = text.rfind("\n\n", passage.start, pos)
            para = passage.start if para < 0 else para
            if any(para <= c[0] < pos + 1 or abs(c[0] - pos) < 200 for c in cuts):
                continue
            cuts.append((pos, kind, role, "first-person-cue"))
    m = _PARTICIPANT_BLOCK_RE.search(text, passage.start, passage.end)
    if m and not any(c[0] <= m.start() for c in cuts):
        cuts.append((passage.start, "conversation", "participant", "record"))
    cuts.sort()
    return cuts


def _participants(doc: ParsedDocument, meeting: MeetingRecord, people: list[EntityRecord],
                  author: Optional[EntityRecord], author_role: str, cue_pos: int, passage: Span) -> None:
    text = doc.text
    span = meeting.span
    added: dict[str, Participation] = {}

    def add(person: EntityRecord, role: str, mention: Mention, method: str, confidence: float):
        if person.key in added:
            return
        evidence = Mention(mention.start, mention.end, text[mention.start:mention.end], method, confidence)
        added[person.key] = Participation(person.key, role, evidence)

    # FRUS participants lists (label in capitals): one person a line, grouped by government or agency,
    # each with the role the list gives ('Mr. Robertson—Assistant Secretary ...', 'The Secretary')
    listed_blocks = participants_lists(text, span.start, span.end)
    for _, entries in listed_blocks:
        for entry in entries:
            where = entry.name or entry.line
            role = entry.role or entry.office or "participant"
            if entry.group:
                role = f"{role} ({entry.group})"
            for person, mention in _people_in(where.start, where.end, people):
                if mention.end <= where.end:
                    add(person, role, mention, "participants-list", 0.9)
                    break
    # the author, for first-person reports and records written by a participant
    if author is not None and meeting.method in ("first-person-cue", "record"):
        if meeting.method == "record":
            # the writer took part when the narrative says "I informed ...", "We received ..." (not in a quote)
            m = re.search(r"\b(I|We|we)\s+(?:\w+\s+)?(%s)\b" % "|".join(sorted(SPEECH_VERBS)), text[span.start:span.end])
        else:
            m = re.search(r"\b(I|We|we|me|us|our|Our)\b", text[span.start:span.end])
        if m:
            s = span.start + m.start(1)
            add(author, author_role, Mention(s, s + len(m.group(1)), m.group(1), "", 0), "author-first-person", 0.8)
        elif meeting.method == "record" and doc.doc_type in ("journal", "memorandum_of_conversation"):
            first = author.mentions[0]
            add(author, "author", first, "author-of-record", 0.6)
    # everyone a sentence says the meeting was with: "The final meeting ... was with Comrade F. Castro ... together with ..."
    for wm in re.finditer(r"\b(?:meeting|conversation|talks|reception)\b[^.\n]{0,60}?\bwas with\b", text[span.start:span.end]):
        s, e = _sentence_bounds(text, span.start + wm.start(), span.start, span.end)
        for person, mention in _people_in(s, e, people):
            add(person, "participant", mention, "meeting-with", 0.75)
    # the people the cue names ("I visited Kim Il Sung together with ...", "X visited me")
    if meeting.method == "first-person-cue":
        s, e = _sentence_bounds(text, cue_pos, passage.start, span.end)
        cue = re.match(r"[^\n]*?\b(?:visited|called on|paid a visit to|received|hosted|met with|met|conversation with|said to|told|"
                       r"talks with|visit from|reception|meeting|participated in|took part in)\b"
                       r"(?:[^.\n]{0,30}?\b(?:meeting|reception|talks|session)\b)?", text[cue_pos:e])
        cue_end = cue_pos + cue.end() if cue else cue_pos
        obj_end = _object_end(text, cue_end, e)
        led = re.search(r"\bdelegation\b[^.;]{0,60}?\b(?:headed|led) by\b", text[cue_end:e])
        for person, mention in _people_in(s, e, people):
            inside_object = cue_end <= mention.start < obj_end
            delegation_head = led is not None and cue_end + led.end() <= mention.start < cue_end + led.end() + 40
            subject_of_cue = mention.start < cue_pos and author_role == "host"
            if not (inside_object or subject_of_cue or delegation_head):
                continue
            role = "host" if author_role == "visitor" else "visitor" if author_role == "host" else "participant"
            if re.search(r"together with|accompanied by|with me", text[cue_end:mention.start]):
                role = "delegation member"
            add(person, role, mention, "meeting-cue", 0.85)
    # participants blocks and heading lists
    for bm in _PARTICIPANT_BLOCK_RE.finditer(text, span.start, span.end):
        if any(block.start == bm.start() for block, _ in listed_blocks):
            continue
        label = bm.group("label").lower()
        role = ("interpreter" if "interpret" in label else "note-taker" if label in ("recorder", "note-taker", "minutes")
                else "participant")
        block_end = _block_end(text, bm.end(), span.end)
        if role in ("interpreter", "note-taker"):
            # 'Interpreter: X' names one or two people: the line itself, or the paragraph after the label
            if (bm.group("rest") or "").strip():
                block_end = bm.end()
            else:
                para = re.search(r"\S[^\n]*(?:\n(?![ \t]*\n)[^\n]*)*", text[bm.end():block_end])
                block_end = bm.end() + para.end() if para else bm.end()
        rest_start = bm.start("rest") if bm.group("rest") is not None else bm.end()
        for person, mention in _people_in(rest_start, block_end, people):
            if _listed_name(text, mention):
                add(person, role, mention, "participants-block", 0.9)
    # the lines of the heading between the title and the first speaker that list people and little else
    if meeting.method == "record":
        first_speaker = _SPEAKER_RE.search(text, span.start, span.end)
        head_end = first_speaker.start() if first_speaker else min(span.end, span.start + 600)
        by_line: dict[int, list[tuple[EntityRecord, Mention]]] = {}
        for person, mention in _people_in(span.start, head_end, people):
            by_line.setdefault(text.rfind("\n", 0, mention.start) + 1, []).append((person, mention))
        for line_start, found in by_line.items():
            line_end = text.find("\n", line_start)
            line = text[line_start:line_end if line_end >= 0 else len(text)]
            rest = line
            for _, mention in found:
                rest = rest.replace(text[mention.start:mention.end], " ")
            lowercase_words = re.findall(r"\b[a-z][a-z'’-]+\b", re.sub(r"\([^)]*\)", " ", rest))
            if len({p.key for p, _ in found}) >= 2 and len(lowercase_words) <= 3 and len(line) < 200:
                for person, mention in found:
                    if _listed_name(text, mention):
                        add(person, "participant", mention, "heading-list", 0.75)
    # the record's title or heading names who talked: "Conversation between Premier Zhou Enlai and Premier Kim Il Sung"
    if meeting.method == "record":
        heads = [doc.title_span] if doc.title_span else []
        heads.append(Span(span.start, min(span.end, span.start + 400), ""))
        for head in heads:
            for tm in _BETWEEN_RE.finditer(text, head.start, head.end):
                for person, mention in _people_in(tm.start(1), tm.end(1), people):
                    add(person, "participant", mention, "record-title", 0.8)
    # speaker labels
    for sm in _SPEAKER_RE.finditer(text, span.start, span.end):
        for person, mention in _people_in(sm.start(), sm.end(), people):
            add(person, "speaker", mention, "speaker-label", 0.9)
    # subjects of speech verbs and people said to be present (not inside reported speech)
    for person, mention in _people_in(span.start, span.end, people):
        s, e = _sentence_bounds(text, mention.start, span.start, span.end)
        if _REPORTED_SPEECH_RE.search(text[s:mention.start]):
            continue
        after = text[mention.end:mention.end + 50]
        lead = _SPEECH_LEAD_RE.match(after)
        if lead and _SPEECH_RE.match(after[lead.end():]):
            add(person, "speaker", mention, "speech-verb", 0.8)
            continue
        before = text[max(span.start, mention.start - 30):mention.start]
        if _SPEECH_BEFORE_RE.search(before):
            add(person, "speaker", mention, "speech-verb", 0.75)
            continue
        sentence = text[s:e]
        if _PRESENT_RE.search(sentence) and not _PLANNED_RE.search(sentence):
            # only names in the subject of "X and Y were present"
            pm = _PRESENT_RE.search(sentence)
            if mention.start < s + pm.start() or "presence of" in pm.group(0):
                add(person, "present", mention, "present", 0.8)
    # "X and Y told about ...": the second subject speaks too
    for person, mention in _people_in(span.start, span.end, people):
        if person.key in added:
            continue
        after = text[mention.end:mention.end + 80]
        m = _AND_SUBJECT_RE.match(after)
        if m and _SPEECH_RE.match(m.group(2)):
            add(person, "speaker", mention, "speech-verb", 0.7)
    meeting.participants = list(added.values())
    if author is not None and author_role in ("visitor", "host") and author.key in added:
        if author_role == "visitor":
            meeting.initiated_by = author.key
        else:
            others = [p.person_key for p in meeting.participants if p.role == "visitor"]
            meeting.initiated_by = others[0] if others else None


_OBJECT_GLUE = {"and", "with", "visit", "visits", "a", "courtesy", "call", "together", "accompanied", "by", "as", "well", "of", "the", "to", "in", "a", "an",
                "from", "at", "on", "his", "her", "their", "our", "also", "comrade", "comrades"}


def _object_end(text: str, start: int, limit: int) -> int:
    """Where the names a cue verb takes end: at the first lowercase word that is not glue ('transmitted')."""
    for m in re.finditer(r"[^\s,;:()\[\]]+", text[start:limit]):
        word = m.group(0)
        if word[0].islower() and word.lower() not in _OBJECT_GLUE:
            return start + m.start()
        if word.endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+|Cde\.|Cdes\.|Com\.|Mr\.|Dr\.", word):
            return start + m.end()
    return limit


def _listed_name(text: str, mention: Mention) -> bool:
    """A name in a list, not a role mentioned inside a description ('(Special Assistant to the President)')."""
    if mention.method in ("role-reference", "role-speaker-label"):
        return False
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[line_start:mention.start]
    return before.count("(") <= before.count(")")


def _block_end(text: str, pos: int, limit: int) -> int:
    """A participants block runs until a blank line followed by prose or another label."""
    end = pos
    for line in re.finditer(r"[^\n]*\n?", text[pos:limit]):
        content = line.group(0).strip()
        if content and _PARTICIPANT_BLOCK_RE.match(content) and line.start() > 0:
            break  # the next label ('Interpreter:') starts a block of its own
        if content and (len(content) > 200 or _SPEAKER_RE.match(content) and ":" in content[:40]
                        and not re.match(r"(Our side|Korean side|Chinese side|From \w+)", content)):
            break
        end = pos + line.end()
        if line.group(0) == "":
            break
    return end


def _place(doc: ParsedDocument, meeting: MeetingRecord, places: list[EntityRecord]) -> None:
    text = doc.text
    span = meeting.span
    head = text[span.start:min(span.end, span.start + 700)]
    m = re.search(r"(?:Location|Place)\s*:\s*([^\n]+)", head)
    if m:
        meeting.place_text = m.group(1).strip()
    else:
        s, e = _sentence_bounds(text, span.start + 1, span.start, span.end)
        sentence = text[s:e]
        m = re.search(r"\bat the (airport|[A-Z][\w ]{2,40}?(?:Palace|Building|Station|Embassy|Hall|Residence))", sentence)
        if m:
            meeting.place_text = m.group(1)
        else:
            m = re.search(r"\bin the (Presidential Palace|[A-Z][\w ]{2,40}?(?:Palace|Building|Station|Embassy|Hall|Residence))", text[doc.title_span.start:doc.title_span.end] + " " + sentence) if doc.title_span else None
            if m:
                meeting.place_text = m.group(1)
    # a known place named in the heading/cue: the most specific one mentioned there
    candidates = []
    for place in places:
        for mention in place.mentions:
            if span.start <= mention.start < span.start + 400:
                candidates.append((mention.start, place))
    if meeting.place_text:
        for place in places:
            if any(f in meeting.place_text for f in place.forms):
                meeting.place_key = place.key
                break
    if meeting.place_key is None and meeting.method == "record":
        dateline = re.search(r"^([A-Z][a-z]+),\s[^\n]*\d{4}", text[span.start:span.start + 600], re.M)
        if dateline:
            for place in places:
                if dateline.group(1) in place.forms:
                    meeting.place_key = place.key
