"""People: find name mentions by rule, then group them into one record per real person.

Rules, each with its own method name and confidence (the evidence keeps both):
initials with a surname, a person title before the name, East Asian family name
first, speaker labels, a speech verb after the name, editorial brackets (variants,
completions, cover names), lists under a plural title, the gazetteer of
well-known people, the author in a journal's heading or a telegram's signature,
and the translators in the citation. Surname-only and role references ("the
Military Attaché") are then resolved to a person introduced in the same document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, NamedTuple, Optional

from .. import names
from ..frus import participants_lists
from ..gazetteer import Gazetteer
from ..records import EntityRecord, Mention, ParsedDocument, Span
from ..trie import trie_pattern
from .lexicon import (ADVERBS, DEMONYMS, GIVEN_NAMES, ORG_HEADS, PERSON_TITLES, PLACE_HEADS, PLURAL_TITLES,
                      SPEECH_VERBS, STOPWORDS)

_TOKEN_RE = re.compile(r"[^\s\[\](),;:!?\"“”„«»/…—–]+")
_ABBREV = {"cde.", "cdes.", "com.", "mr.", "mrs.", "ms.", "dr.", "gh.", "st.", "messrs.", "gen.", "col.", "lt."}
_PARTICLES = {"de", "van", "von", "da", "di", "del", "bin", "al", "el", "abu", "ben", "le", "la"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
           "sept", "oct", "nov", "dec"}
# a name followed by these is a collection of papers ('Bruce Diaries', 'Whitman File'), not a person
_RECORD_NOUNS = {"diaries", "diary", "papers", "files", "file", "memcons", "records", "library", "collection",
                 "series", "chronology"}
# capitalized at the start of a telegraphic sentence, these name a body of people: 'Group decided', 'Hosts claimed'
_COLLECTIVE_NOUNS = {"group", "groups", "hosts", "host", "guests", "participants", "delegates", "delegations", "sides",
                     "both", "soviets", "americans", "allies", "members", "officials", "representatives", "ambassadors",
                     "experts", "leaders", "ministers", "germans", "british", "french", "russians", "chinese", "koreans"}
_HEADER_LABELS = {"date", "time", "place", "location", "participants", "participating", "present",
                  "interpreter", "interpretation", "recorder", "minutes", "attachment", "subject", "to", "from",
                  "citation", "summary", "credits", "contents", "note", "background", "our side", "korean side"}


@dataclass
class Token:
    start: int
    end: int
    text: str  # cleaned: trailing period of a sentence, possessive, footnote digits removed
    low: str  # lowercase, without a final period: the form the word lists hold


@dataclass
class Candidate:
    start: int
    end: int
    form: str  # the name as it should be recorded
    method: str
    confidence: float
    role: Optional[str] = None
    alias_of: Optional[str] = None  # another form naming the same person (bracketed variant)
    cover_name: Optional[str] = None


@dataclass
class Cluster:
    forms: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    cover_names: list[str] = field(default_factory=list)
    gazetteer_id: Optional[str] = None
    variants: list[str] = field(default_factory=list)  # bracketed variants: alternate, never preferred
    preferred: Optional[str] = None  # the name a persons list or an office gives: always preferred

    @property
    def best(self) -> str:
        if self.preferred:
            return self.preferred
        primary = [f for f in self.forms if f not in self.variants and f not in self.cover_names] or self.forms
        return max(primary, key=names.richness)

    def add(self, cand: Candidate) -> None:
        if cand.form not in self.forms:
            self.forms.append(cand.form)
        if not any(m.start == cand.start and m.end == cand.end for m in self.mentions):
            self.mentions.append(Mention(cand.start, cand.end, _quote(cand), cand.method, cand.confidence))
        role = clean_role(cand.role)
        if role and role not in self.roles:
            self.roles.append(role)
        if cand.cover_name and cand.cover_name not in self.cover_names:
            self.cover_names.append(cand.cover_name)
        if cand.alias_of and cand.method == "bracket-variant" and cand.form not in self.variants:
            self.variants.append(cand.form)


_TEXT: dict[int, str] = {}


def _quote(cand: Candidate) -> str:
    return cand.form  # replaced by the caller with the exact text at the offsets


_FOOTNOTE_DIGITS_RE = re.compile(r"^(.*?[A-Za-zÀ-ž])(\d{1,2})$")
_DOTTED_INITIALS_RE = re.compile(r"(?:[A-Z][a-z]?\.){2,3}")  # 'A.M.', 'Gh.I.'
_SPACES_RE = re.compile(r"[ \t]+")


class _Word(NamedTuple):
    end: int  # where the cleaned word ends in the raw token
    text: str
    low: str
    capitalized: bool


@lru_cache(maxsize=100_000)  # pure, and asked of every word of every document: the vocabulary repeats
def _clean_word(raw: str) -> Optional[_Word]:
    """The word a raw token stands for: possessive, footnote digits, the period that ends a sentence
    and leading quotes removed (None when nothing is left)."""
    end = len(raw)
    word = raw
    for suffix in ("’s", "'s", "’", "'"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            word = word[: -len(suffix)]
            end -= len(suffix)
            break
    m = _FOOTNOTE_DIGITS_RE.match(word)
    if m and word[:-len(m.group(2))].isupper():
        word = m.group(1)
        end = len(word)
    if word.endswith(".") and not names.is_initial(word) and word.lower() not in _ABBREV and \
            not _DOTTED_INITIALS_RE.fullmatch(word):
        word = word[:-1]
        end -= 1
    word = word.lstrip("'’‘")
    if not word:
        return None
    first = next((c for c in word if c.isalpha()), "")
    capitalized = bool(first) and first.isupper() and not word[0].isdigit()
    return _Word(end, word, word.lower().rstrip("."), capitalized)


def _joinable(text: str, last: Token, prev_raw_end: int, start: int) -> bool:
    """Does a token starting at ``start`` continue the run that ends with ``last``?"""
    if last.end != prev_raw_end:
        return False  # 'Kim,' or 'Kim)' ends the run
    gap = text[prev_raw_end:start]
    return bool(_SPACES_RE.fullmatch(gap)) or (gap == "\n" and names.is_initial(last.text))


def _runs(text: str, start: int, end: int, blocked: list[tuple[int, int]]) -> Iterable[list[Token]]:
    """Maximal sequences of capitalized tokens separated by plain spaces."""
    taken = bytearray(len(text) + 1)  # characters inside blocked spans, for a constant-time overlap test
    for s, e in blocked:
        if e > s:
            taken[max(0, s):min(len(text), e)] = b"\x01" * (min(len(text), e) - max(0, s))
    run: list[Token] = []
    prev_raw_end = 0
    for m in _TOKEN_RE.finditer(text, start, end):
        word = _clean_word(m.group(0))
        if word is None:
            continue
        tok = None
        # most words are lowercase and only end a run: a Token is made for those that may join one
        if word.capitalized or (run and word.low in _PARTICLES):
            tok_end = m.start() + word.end
            tok_start = tok_end - len(word.text)
            if 1 not in taken[tok_start:tok_end]:
                tok = Token(tok_start, tok_end, word.text, word.low)
        if tok is not None:
            if run and not _joinable(text, run[-1], prev_raw_end, m.start()):
                yield run
                run = []
            run.append(tok)
        elif run:
            yield run
            run = []
        prev_raw_end = m.end()
    if run:
        yield run


_DIGIT_RE = re.compile(r"\d")


def _name_like(tok: Token) -> bool:
    low = tok.low
    if low in STOPWORDS or low in DEMONYMS or low in _MONTHS or low in ORG_HEADS or low in PLACE_HEADS:
        return False
    if _DIGIT_RE.search(tok.text) or len(tok.text) == 1 and not tok.text.isalpha():
        return False
    if tok.text.isupper() and len(tok.text.replace(".", "")) <= 5 and not names.is_initial(tok.text) and \
            names.translit_fold(tok.text) not in names.EAST_ASIAN_SURNAMES and "-" not in tok.text:
        return False  # acronyms: USSR, KWP, CC
    return True


def _title_alternation(words) -> str:
    """Every word as written, capitalized or in capitals, as a trie: the patterns below that use it
    end with '$', so only the set of words matters, and a trie is several times faster than a flat
    alternation of hundreds of titles tried at every position of the window."""
    forms = set()
    for w in words:
        forms.add(w)
        forms.add(w[:1].upper() + w[1:])
        forms.add(w.upper())
    return trie_pattern(forms)


_TITLE_ALT = _title_alternation((PERSON_TITLES | names.TITLE_WORDS) - {"party", "state", "member", "first", "second", "third"})
_DEMONYM_ALT = _title_alternation(DEMONYMS | {"us", "u.s."})
_ROLE_RE = re.compile(
    rf"(?:(?:{_DEMONYM_ALT}|{_TITLE_ALT}|[A-Z]{{2,6}}|[1-9](?:st|nd|rd|th))\.?[ \t]+)*(?:{_TITLE_ALT})\.?"
    rf"(?:[ \t]+(?:of|for|to|in)[ \t]+(?:the[ \t]+)?(?:[A-Z][\w'’.-]*[ \t]+){{0,4}}[A-Z][\w'’.-]*)?[ \t]*[,\]]?[ \t]*$")
# 'Secretary of State Rusk': the title's head before 'of', at the end of the text before the title tokens
_TITLE_OF_RE = re.compile(
    rf"(?:^|[ \t(])((?:(?:{_DEMONYM_ALT}|{_TITLE_ALT})\.?[ \t]+)*(?:{_TITLE_ALT})[ \t]+(?:of|for)[ \t]+)$")
_HONORIFICS = {"cde", "cde.", "cdes", "cdes.", "comrade", "comrades", "com", "com.", "mr", "mr.", "mrs", "mrs.",
               "ms", "ms.", "dr", "dr.", "mister", "madame", "sir", "messrs", "messrs."}


def _preceding_role(text: str, start: int, floor: int) -> Optional[str]:
    """The title phrase right before a name: 'Marshal of the Soviet Union', 'Military Attaché'."""
    window = text[max(floor, start - 120):start]
    line_start = window.rfind("\n")
    window = window[line_start + 1:]
    m = _ROLE_RE.search(window)
    if not m:
        return None
    return clean_role(m.group(0))


def clean_role(role: Optional[str]) -> Optional[str]:
    """A role without honorifics ('Cde.' is not an office) and editorial brackets."""
    if not role:
        return None
    words = [w for w in re.sub(r"[\[\]]", " ", role).split() if w.lower() not in _HONORIFICS]
    return " ".join(words).strip(" ,;:") or None


def _followed_by_verb(text: str, end: int) -> bool:
    after = text[end:end + 60]
    m = re.match(r"[ \t]*(?:,[^,]{0,40},[ \t]*)?((?:\w+[ \t]+){0,2}?)(\w+)", after)
    if not m:
        return False
    between = m.group(1).split()
    if any(w.lower() not in ADVERBS for w in between):
        return False
    return m.group(2).lower() in SPEECH_VERBS


def _preceded_by_verb(text: str, start: int) -> bool:
    before = text[max(0, start - 25):start]
    return bool(re.search(r"\b(said|noted|asked|replied|stressed|added|continued|observed|declared)[ \t]+$", before))


def _is_speaker_label(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start]
    if prefix.strip() and not re.fullmatch(r"\s*(?:[A-Z][\w.]*\s+){0,4}\(?", prefix):
        return False
    return bool(re.match(r"\)?[ \t]*:", text[end:end + 4]))


def _east_asian(tokens: list[Token]) -> bool:
    if not 2 <= len(tokens) <= 3:
        return False
    if names.translit_fold(tokens[0].text) not in names.EAST_ASIAN_SURNAMES:
        return False
    for tok in tokens[1:]:
        if names.is_initial(tok.text) or tok.text.endswith("."):
            return False
        if len(tokens) == 3 and "-" not in tok.text and len(tok.text) > 6 and "-" not in tokens[1].text:
            return False  # 'Zhou Enlai Receives': syllables of a given name are short
        bare = tok.text.replace("-", "")
        if not bare.isalpha() or len(bare) > 12 or "-" not in tok.text and len(bare) > 9:
            return False
    return True


def _has_initials(tokens: list[Token]) -> bool:
    if len(tokens) < 2:
        return False
    initials = [names.is_initial(t.text) or _DOTTED_INITIALS_RE.fullmatch(t.text) for t in tokens]
    if all(initials):
        return False
    # initials first ("A. M. Puzanov") or last ("Kryukov M.E.")
    lead = 0
    while lead < len(tokens) and initials[lead]:
        lead += 1
    if lead and all(not i for i in initials[lead:]) and len(tokens) - lead <= 2:
        return True
    return not initials[0] and all(initials[1:])


def _is_title_token(tok: Token) -> bool:
    low = tok.low
    return low in PERSON_TITLES or low in names.TITLE_WORDS or low in ("cde", "cdes", "com")


def _segments(run: list[Token]) -> list[tuple[list[Token], list[Token]]]:
    """Split a capitalized run into (title tokens, name tokens) pairs.

    'Liaoning CPC Provincial First Secretary Huang Daqing' -> [([..., Secretary], [Huang, Daqing])];
    'PAK Seong-cheol Deputy Co-chairman' -> [([], [PAK, Seong-cheol]), ([Deputy, Co-chairman], [])].
    """
    out: list[tuple[list[Token], list[Token]]] = []
    titles: list[Token] = []
    name: list[Token] = []
    for i, tok in enumerate(run):
        initial = names.is_initial(tok.text) or bool(_DOTTED_INITIALS_RE.fullmatch(tok.text))
        nxt = run[i + 1] if i + 1 < len(run) else None
        if initial and nxt is not None or (name and initial):
            name.append(tok)
        elif _is_title_token(tok) and not (name and tok.low in names.EAST_ASIAN_SURNAMES):
            if name:
                out.append((titles, name))
                titles, name = [], []
            titles.append(tok)
        elif tok.low in DEMONYMS and not name:
            titles.append(tok)
        elif _name_like(tok) or (tok.low in _PARTICLES and name) or \
                (name and names.translit_fold(name[0].text) in names.EAST_ASIAN_SURNAMES and tok.text.isalpha()
                 and len(tok.text) <= 6 and tok.low not in STOPWORDS):
            name.append(tok)  # 'KIM IL SUNG': short capitals after a family name are given names
        else:
            if name:
                out.append((titles, name))
            titles, name = [], []
            if tok.low in DEMONYMS or tok.text.isupper():
                titles = [tok]  # 'USSR Ambassador X', 'KPA General X': a qualifier of the title
    if name or titles:
        out.append((titles, name))
    return out


def _candidates_from_run(doc: ParsedDocument, run: list[Token], region: Span, known_people) -> list[Candidate]:
    text = doc.text
    out: list[Candidate] = []
    segments = _segments(run)
    for idx, (title_toks, seg) in enumerate(segments):
        while seg and seg[-1].low in _PARTICLES:
            seg.pop()
        if not seg or len(seg) > 4:
            continue  # long capitalized runs are headings, not names
        if len(seg) == 3 and not _east_asian(seg) and _east_asian(seg[:2]):
            seg = seg[:2]  # 'Zhou Enlai Receives', 'RYU Jang-sik Asistant'
        if _org_follows(text, seg[-1].end):
            continue  # 'Central' in 'Central Committee' names a body, not a person
        if seg[-1].low in _RECORD_NOUNS or (len(seg) == 1 and seg[0].low in _COLLECTIVE_NOUNS):
            continue  # 'Bruce Diaries', 'Group decided', 'Hosts claimed': a collection or a body of people
        start, end = seg[0].start, seg[-1].end
        form = text[start:end]
        lead = text[title_toks[0].start:title_toks[-1].end] if title_toks else None
        before = _preceding_role(text, title_toks[0].start if title_toks else start, region.start)
        if title_toks and before is None:
            # 'Secretary of State Rusk': the title's head stands before 'of'
            om = _TITLE_OF_RE.search(text[max(region.start, title_toks[0].start - 60):title_toks[0].start])
            if om:
                before = om.group(1).strip()
        lead = " ".join(filter(None, [before, lead])) or None
        has_title = bool(lead) and any(w.lower().rstrip(".") in PERSON_TITLES for w in lead.split())
        role = clean_role(lead)
        if has_title and not title_toks and re.search(r"\b[A-Z][\w'’.]*,[ \t]+(?:[A-Z][\w'’.-]*[ \t]+){0,3}[A-Z][\w'’.-]*,[ \t]*$",
                                                     text[max(region.start, start - 80):start]):
            # 'Matilda L. Milne, Chief, Exchange Rates': after 'Name, Title,' comes the office, not a name
            has_title, role = False, None
        if role is None and idx + 1 < len(segments) and not segments[idx + 1][1] and segments[idx + 1][0]:
            role = clean_role(text[segments[idx + 1][0][0].start:segments[idx + 1][0][-1].end])  # 'Lee Hu-rak Co-chairman'
        plural = bool(lead) and any(w.lower().rstrip(".") in PLURAL_TITLES for w in lead.split())
        cand = None
        if _has_initials(seg):
            cand = Candidate(start, end, form, "initials", 0.95, role)
        elif _east_asian(seg):
            cand = Candidate(start, end, _trim_east_asian(form), "east-asian-name", 0.9, role)
            cand.end = start + len(cand.form)
        elif has_title and len(seg) <= 3:
            cand = Candidate(start, end, form, "title", 0.9, role)
        elif _is_speaker_label(text, start, end):
            cand = Candidate(start, end, form, "speaker-label", 0.85, role)
        elif len(seg) <= 3 and (_followed_by_verb(text, end) or _preceded_by_verb(text, start)) and \
                not (len(seg) == 1 and (seg[0].low in PLURAL_TITLES or re.search(r"\b[Tt]he[ \t]+$", text[max(0, start - 5):start]))):
            # ('The Ministers hoped': a plural title or a noun after 'the' is no name)
            cand = Candidate(start, end, form, "speech-verb", 0.75, role)
        elif known_people.lookup("person", form):
            cand = Candidate(start, end, form, "gazetteer", 0.85, role)
        elif len(seg) in (2, 3) and seg[0].text in GIVEN_NAMES and all(_is_name_word(t.text) for t in seg[1:]):
            cand = Candidate(start, end, form, "given-name", 0.8, role)
        elif len(seg) <= 3 and _appositive_title(text, end):
            cand = Candidate(start, end, form, "appositive-title", 0.8, role)
        elif plural or _in_plural_list(text, start, region.start):
            cand = Candidate(start, end, form, "plural-title-list", 0.8, role)
        if cand is not None:
            out.append(cand)
    return out


_NEXT_WORD_RE = re.compile(r"[ \t]+([A-Za-z]+)")


def _org_follows(text: str, end: int) -> bool:
    m = _NEXT_WORD_RE.match(text[end:end + 30])
    return bool(m) and (m.group(1).lower() in ORG_HEADS or m.group(1).lower() in PLACE_HEADS)


def _trim_east_asian(form: str) -> str:
    """'RYU Jang-sik Asistant': a hyphenated Korean given name is complete; a long third word is not part of it."""
    toks = form.split()
    if len(toks) == 3 and "-" in toks[1] and len(toks[2]) > 5:
        return " ".join(toks[:2])
    return form


def _appositive_title(text: str, end: int) -> bool:
    """'Fyodor Kuznetsov, Chief of the GRU', 'Edward Drożniak, ambassador'."""
    m = re.match(r",[ \t]+(?:the[ \t]+|a[ \t]+|then[ \t]+|former[ \t]+)?([\w-]+)", text[end:end + 40])
    return bool(m) and m.group(1).lower() in PERSON_TITLES - {"leader", "assistant", "deputy"}


def _in_plural_list(text: str, start: int, floor: int) -> bool:
    """'Comrades Blas Roca and Machado Ventura', 'Cdes. Khrushchev, Mao Zedong, Ponomarev, and Deng Xiaoping'."""
    window = text[max(floor, start - 100):start]
    return bool(re.search(r"\b(?:Comrades|Cdes\.|Secretaries|Messrs\.)\s+(?:[A-Z][\w'’.-]*\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+))*$",
                          window))


# --- editorial brackets -------------------------------------------------------

_BRACKET_RE = re.compile(r"\[([^\[\]\n]{1,80})\]")


def _bracket_candidates(doc: ParsedDocument, region: Span, blocked) -> tuple[list[Candidate], list[tuple[int, int]]]:
    """Names the editors completed or glossed in brackets, and the spans they cover."""
    text = doc.text
    out: list[Candidate] = []
    covered: list[tuple[int, int]] = []
    for m in _BRACKET_RE.finditer(text, region.start, region.end):
        inner = m.group(1).strip()
        inner_toks = inner.split()
        if not inner_toks:
            continue
        if not all(t[0].isupper() or t.lower() in ("of", "the", "for", "and") for t in inner_toks):
            # "[to be carried out by the Algerian revolutionary leader Ahmed] Ben Bella": keep the name at the end
            last_lower = max(i for i, t in enumerate(inner_toks) if not (t[0].isupper() or t.lower() in ("of", "the", "for", "and")))
            tail = inner_toks[last_lower + 1:]
            if not tail or not re.match(r"[ \t]*[A-Z]", text[m.end():m.end() + 3]):
                continue
            inner_toks = inner_toks[last_lower + 1:]
            inner = " ".join(inner_toks)
        if any(t.lower().strip(".") in _MONTHS or re.search(r"\d", t) for t in inner_toks):
            continue
        before = re.search(r"([A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})[ \t]*$", text[max(region.start, m.start() - 40):m.start()])
        after = re.match(r"[ \t]*([A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,2})", text[m.end():m.end() + 40])
        name_inner = [t for t in inner_toks if t.lower().rstrip(".") not in names.TITLE_WORDS
                      and t.lower() not in DEMONYMS and t.lower() not in ("of", "the", "for", "and", "us", "u.s.")]
        # trailing name tokens of the bracket content ("US Secretary of State Dean" -> "Dean")
        trailing: list[str] = []
        for t in reversed(inner_toks):
            if t.lower().rstrip(".") in names.TITLE_WORDS or t.lower() in DEMONYMS or t.lower() in STOPWORDS \
                    or t in ("US", "U.S."):
                break
            trailing.insert(0, t)
        prev_word = before.group(1).split()[-1] if before else ""
        prev_is_name = bool(before) and before.end() + max(region.start, m.start() - 40) >= m.start() - 1 and \
            prev_word.lower() not in STOPWORDS and prev_word.lower() not in DEMONYMS and \
            prev_word.lower().rstrip(".") not in names.TITLE_WORDS and prev_word.lower() not in _MONTHS
        if prev_is_name and name_inner and len(name_inner) == len(inner_toks):
            b_start = max(region.start, m.start() - 40) + before.start(1)
            prev_form = text[b_start:m.start()].strip()
            prev_toks = prev_form.split()
            # drop leading titles of the previous form ("Premier Zhou")
            while len(prev_toks) > 1 and prev_toks[0].lower().rstrip(".") in names.TITLE_WORDS:
                b_start = text.index(prev_toks[1], b_start)
                prev_toks.pop(0)
            prev_form = " ".join(prev_toks)
            if len(prev_toks) == 1 and names.translit_fold(prev_toks[0]) in names.EAST_ASIAN_SURNAMES and \
                    names.translit_fold(inner_toks[0]) not in names.EAST_ASIAN_SURNAMES and len(inner_toks) <= 2:
                # completion: "Zhou [Enlai]", "Choe [In Din]"
                out.append(Candidate(b_start, m.end(), f"{prev_form} {inner}", "bracket-completion", 0.9))
                covered.append((b_start, m.end()))
                continue
            if len(inner_toks) >= 2 or len(prev_toks) == 1:
                # variant: "Kim Gwang-hyeop [Kim Kwang Hyop]", "Filippov [Stalin]"
                if any(s < m.end() and b_start < e for s, e in blocked):
                    continue
                main = Candidate(b_start, b_start + len(prev_form), prev_form, "bracket-variant", 0.9)
                variant = Candidate(m.start(1), m.end(1) - (len(m.group(1)) - len(m.group(1).rstrip())),
                                    inner, "bracket-variant", 0.9, alias_of=prev_form)
                if len(prev_toks) == 1 and len(inner_toks) == 1 and not _romanization_variant(prev_form, inner):
                    # single names that do not look alike: one is a cover name. A well-known person is the
                    # real one ('Stalin [Kuznetsov]'); otherwise the editors' bracket names the real person
                    # ('Filippov [Stalin]').
                    main.alias_of = inner
                    real_outer = _known_person(prev_form) and not _known_person(inner)
                    cover = inner if real_outer else prev_form
                    main.cover_name = variant.cover_name = cover
                out.extend([main, variant])
                covered.append((b_start, m.end()))
                continue
        if after and trailing and len(trailing) <= 2:
            # completion before a name: "[Stepan] Chervonenko", "[US Secretary of State Dean] Rusk"
            a_start = m.end() + after.start(1)
            first_after = after.group(1).split()[0]
            if first_after.lower() in STOPWORDS or first_after.lower() in DEMONYMS or first_after.lower() in ORG_HEADS:
                continue
            a_end = a_start + len(first_after)
            tail = after.group(1).split()
            if len(tail) > 1 and all(_is_name_word(t) for t in tail[1:]) and len(tail) <= 2:
                a_end = a_start + len(after.group(1))
            surname = text[a_start:a_end]
            surname_clean = names.clean_form(surname)
            g_start = m.start(1) + inner.rfind(trailing[0]) + (len(m.group(1)) - len(m.group(1).lstrip()))
            role_words = inner_toks[: len(inner_toks) - len(trailing)]
            role = " ".join(role_words) if role_words else None
            form = f"{' '.join(trailing)} {surname_clean}"
            out.append(Candidate(g_start, a_end, form, "bracket-completion", 0.9, role))
            covered.append((m.start(), a_end))
            continue
        if after and not trailing and inner_toks and any(t.lower().rstrip(".") in names.TITLE_WORDS for t in inner_toks):
            # "[Japanese Prime Minister] Tanaka", "[Foreign Minister] Pak Heon-yeong"
            a_start = m.end() + after.start(1)
            words = after.group(1).split()
            a_end = a_start + len(words[0])
            if len(words) > 1 and (names.translit_fold(words[0]) in names.EAST_ASIAN_SURNAMES or _is_name_word(words[1])):
                a_end = a_start + len(" ".join(words[:2 if len(words) < 3 or not _is_name_word(words[2]) else 3]))
            if words[0].lower() in STOPWORDS or words[0].lower() in ORG_HEADS:
                continue
            out.append(Candidate(a_start, a_end, text[a_start:a_end], "bracket-title", 0.85, inner))
            covered.append((m.start(), a_end))
            continue
        if not prev_is_name and 2 <= len(inner_toks) <= 3 and len(name_inner) == len(inner_toks) and \
                names.translit_fold(inner_toks[0]) in names.EAST_ASIAN_SURNAMES:
            # a whole name supplied by the editors: "[Han Sin Su]"
            out.append(Candidate(m.start(), m.end(), m.group(0), "bracket-name", 0.75))
            covered.append((m.start(), m.end()))
    return out, covered


def _known_person(form: str) -> bool:
    from ..gazetteer import default_gazetteer

    return default_gazetteer().lookup("person", form) is not None


_UNDER_NAME_RE = re.compile(r",?\s+(?:acting |writing |signing |working )?under the (?:name|pseudonym|cover name|alias)\s+"
                            r"[\"“'‘]?(?P<cover>[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)[\"”'’]?")


def _cover_name_candidates(doc: ParsedDocument, candidates: list[Candidate]) -> list[Candidate]:
    """'Andrei Orlov, acting under the name "Terebin"': the cover name is an alias of that person."""
    out = []
    for cand in candidates:
        m = _UNDER_NAME_RE.match(doc.text, cand.end)
        if m:
            cover = m.group("cover")
            out.append(Candidate(m.start("cover"), m.end("cover"), cover, "cover-name", 0.85,
                                 alias_of=cand.form, cover_name=cover))
    return out


def _is_name_word(word: str) -> bool:
    low = word.lower().rstrip(".,")
    return bool(word[:1].isupper()) and low not in STOPWORDS and low not in ORG_HEADS and low not in DEMONYMS \
        and low not in names.TITLE_WORDS and low not in _MONTHS


def _romanization_variant(a: str, b: str) -> bool:
    fa, fb = names.translit_fold(a), names.translit_fold(b)
    return fa[:1] == fb[:1] or fa[:2] == fb[:2]


# --- authors -----------------------------------------------------------------

_AUTHOR_REGIONS = [
    # "Journal of Soviet Ambassador ... A. M. Puzanov for ...", "From the diary of P. F. YUDIN"
    re.compile(r"\b(?:journal|diary)\s+of\s+(?P<region>[^\n]*(?:\n(?!\n)[^\n]*)?)", re.I),
    # "Telegram, Shtykov to Vyshinskyy", "Cable, Stalin [Kuznetsov] to Mao Zedong"
    re.compile(r"^(?:Telegram|Cable|Ciphered telegram|Letter|Report|Note)(?:\s+from)?,?\s+(?P<region>.{2,60}?)\s+to\b"),
    # "Telegram from Polish Embassy in Washington (Drozniak)"
    re.compile(r"^(?:Telegram|Cable)\s+from\s+[^()]*\((?P<region>[^)]+)\)"),
    # "Memorandum of Conversation between Soviet Ambassador ... A.P. Ratanov and Mengistu"
    re.compile(r"^(?:Memorandum|Record) of (?:a )?[Cc]onversation (?:between|of) (?P<region>.+?)\s+(?:and|with)\s"),
]


_ADDRESSEE_REGIONS = [
    re.compile(r"^(?:Telegram|Cable|Ciphered telegram|Letter|Report|Note)\b[^\n]*?\s+to\s+(?P<region>[^\n\[,]{2,60})"),
    re.compile(r"^[ \t]*To:?[ \t]+(?P<region>[^\n]{2,80})$", re.M),
]


def find_addressees(doc: ParsedDocument) -> list[tuple[int, int, Optional[Span]]]:
    """Where the addressee is named: 'Telegram, Shtykov to Vyshinskyy', a 'To: ...' line of the heading."""
    found = []
    text = doc.text
    regions = [(doc.title_span, _ADDRESSEE_REGIONS[0])] if doc.title_span else []
    if doc.body:
        regions.append((Span(doc.body.start, min(doc.body.end, doc.body.start + 800), ""), _ADDRESSEE_REGIONS[1]))
    for region, pattern in regions:
        m = pattern.search(text, region.start, region.end)
        if not m:
            continue
        s, e = m.start("region"), m.end("region")
        fallback = None
        nm = re.search(r"((?:[A-Z]\.\s?){0,3}[A-Z][\w'’-]+)\.?\s*$", text[s:e])
        if nm and nm.group(1).lower() not in STOPWORDS and nm.group(1).lower() not in ORG_HEADS and \
                nm.group(1).lower().rstrip(".") not in names.TITLE_WORDS and not _names_a_body(text[s:e]):
            fallback = Span(s + nm.start(1), s + nm.end(1), nm.group(1))
        found.append((s, e, fallback))
    return found


def find_authors(doc: ParsedDocument) -> list[tuple[int, int, Optional[Span]]]:
    """Where the author is named: regions of the title and heading, and the signature.

    Each item is (start, end, fallback): the first person found between start and
    end is the author; when none was found there, the fallback span is taken as the name.
    """
    found: list[tuple[int, int, Optional[Span]]] = []
    text = doc.text
    regions = [s for s in (doc.title_span,) if s]
    if doc.body:
        regions.append(Span(doc.body.start, min(doc.body.end, doc.body.start + 800), ""))
    for region in regions:
        chunk = text[region.start:region.end]
        for pattern in _AUTHOR_REGIONS:
            m = pattern.search(chunk)
            if m:
                s, e = region.start + m.start("region"), region.start + m.end("region")
                fallback = None
                nm = re.search(r"((?:[A-Z]\.\s?){1,3}\s*[A-Z][\w'’-]+|[A-Z][\w'’-]+)\s*(?:\[[^\]]*\])?\s*$", text[s:e])
                if nm and nm.group(1).lower() not in STOPWORDS and nm.group(1).lower().rstrip(".") not in names.TITLE_WORDS \
                        and nm.group(1).lower() not in ORG_HEADS and not _names_a_body(text[s:e]):
                    fallback = Span(s + nm.start(1), s + nm.end(1), nm.group(1))
                found.append((s, e, fallback))
                break
    if doc.summary and not found:
        # "Merten summarizes a conversation ...": the catalogue names the writer of a note or report
        m = re.match(r"((?:[A-Z]\.\s?){0,3}[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?)\s+(?:summarizes|reports|describes|recounts|"
                     r"relays|writes|records|notes)\b", text[doc.summary.start:doc.summary.end])
        if m:
            s = doc.summary.start + m.start(1)
            found.append((s, s + len(m.group(1)), Span(s, s + len(m.group(1)), m.group(1))))
    if doc.body:
        found.extend((span.start, span.end, span) for span in _signature(doc))
    return found


def _names_a_body(region: str) -> bool:
    """'the Embassy in Korea': the sender or addressee is an organization, whose last word is no person."""
    return any(w.lower().strip(".,()") in ORG_HEADS for w in region.split())


def _signature(doc: ParsedDocument) -> list[Span]:
    """A name alone at the end of the body: '(A. Gromyko)', '24.III.50 Shtykov', 'Kuznetsov'."""
    text = doc.text
    body = doc.body
    # the parser found the signature (a FRUS record: the name before the Source note)
    signed = [n.span for n in doc.notes if n.kind == "signature" and re.fullmatch(r"[A-Z][\w'’. -]{1,60}", n.span.text)]
    if signed:
        return signed
    lines = list(re.finditer(r"^[^\n]*$", text[body.start:body.end], re.M))
    # skip trailing footnotes and dates
    out: list[Span] = []
    for lm in reversed(lines[-8:]):
        line = lm.group(0).strip()
        if not line or re.match(r"^\[\d+\]", line) or re.fullmatch(r"[\d.\sIVX\[\]]+", line):
            continue
        m = re.fullmatch(r"\(?((?:[A-Z]\.\s?){0,3}[A-Z][\w'’-]+)\)?", line) or \
            re.fullmatch(r"[\d.IVX]+\s+([A-Z][\w'’-]+)", line)
        if m and m.group(1).lower() not in STOPWORDS and m.group(1).lower() not in ORG_HEADS and \
                not line.endswith(":") and len(line) < 40:
            s = body.start + lm.start() + lm.group(0).index(m.group(1))
            out.append(Span(s, s + len(m.group(1)), m.group(1)))
            continue
        break
    return out


# --- the whole pass ----------------------------------------------------------

def find_people(doc: ParsedDocument, blocked: list[tuple[int, int]], gazetteer: Gazetteer):
    """People records of one document, with the keys of its authors, translators and addressees."""
    text = doc.text
    regions = [s for s in (doc.title_span, doc.citation, doc.summary, doc.body) if s]
    candidates: list[Candidate] = []
    covered: list[tuple[int, int]] = []
    for region in regions:
        bc, bcov = _bracket_candidates(doc, region, blocked)
        candidates.extend(bc)
        covered.extend(bcov)
    for region in regions:
        for run in _runs(text, region.start, region.end, blocked + covered):
            candidates.extend(_candidates_from_run(doc, run, region, gazetteer))
    hinted = _hint_candidates(doc)
    listed, listed_offices = _listed_candidates(doc)
    # what the markup and the participants lists say overrides the runs found in the same place
    for hint in hinted:
        # a tagged name in a participants list keeps the role the list gives
        hint.role = next((c.role for c in listed if c.start < hint.end and hint.start < c.end and c.role), None)
    listed = [c for c in listed if not any(h.start < c.end and c.start < h.end for h in hinted)]
    strong = hinted + listed
    candidates = [c for c in candidates if not any(h.start < c.end and c.start < h.end for h in strong)] + strong
    candidates.extend(c for c in _name_list_candidates(doc, regions, blocked)
                      if not any(o.start < c.end and c.start < o.end for o in candidates))
    author_spans: list[Span] = []
    for start, end, fallback in find_authors(doc):
        inside = sorted((c for c in candidates if start <= c.start < end), key=lambda c: c.start)
        if inside:
            author_spans.append(Span(inside[0].start, inside[0].end, inside[0].form))
        elif fallback is not None:
            candidates.append(Candidate(fallback.start, fallback.end, fallback.text, "author", 0.8))
            author_spans.append(fallback)
    for span in _drafters(doc):
        inside = sorted((c for c in candidates if span.start <= c.start < span.end), key=lambda c: c.start)
        if inside:
            inside[0].role = inside[0].role or "drafter"
            author_spans.append(Span(inside[0].start, inside[0].end, inside[0].form))
        else:
            candidates.append(Candidate(span.start, span.end, span.text, "drafter", 0.85, "drafter"))
            author_spans.append(span)
    addressee_spans: list[Span] = []
    for start, end, fallback in find_addressees(doc):
        if any(a.start <= start < a.end for a in author_spans):
            continue
        inside = sorted((c for c in candidates if start <= c.start < end), key=lambda c: c.start)
        if inside:
            addressee_spans.append(Span(inside[0].start, inside[0].end, inside[0].form))
        elif fallback is not None and not any(a < fallback.end and fallback.start < b for a, b in blocked):
            candidates.append(Candidate(fallback.start, fallback.end, fallback.text, "addressee", 0.75, "addressee"))
            addressee_spans.append(fallback)
    translator_spans = doc.translators + doc.obtained_by
    for span in translator_spans:
        candidates = [c for c in candidates if not (c.start < span.end and span.start < c.end)]
        role = "translator" if span in doc.translators else "obtained the document"
        candidates.append(Candidate(span.start, span.end, span.text, "citation", 0.95, role))
    # gazetteer people anywhere (well-known figures named without any cue)
    for region in regions:
        for s, e, entry in gazetteer.find("person", text, region.start, region.end):
            if any(a < e and s < b for a, b in blocked):
                continue
            if not any(c.start < e and s < c.end for c in candidates):
                candidates.append(Candidate(s, e, text[s:e], "gazetteer", 0.85))

    candidates.extend(_cover_name_candidates(doc, candidates))
    clusters = _cluster(candidates)
    _prefer_listed_names(doc, clusters)
    _link_repeats(doc, clusters, regions, blocked + covered)
    _attach_offices(doc, clusters, regions, listed_offices, gazetteer)
    _link_role_references(doc, clusters, regions)

    records: list[EntityRecord] = []
    key_of: dict[int, str] = {}
    for cluster in clusters:
        if not cluster.mentions:
            continue
        best = names.display_form(cluster.best)
        key = "p:" + names.slugify(best)
        while any(r.key == key for r in records):
            key += "+"
        key_of[id(cluster)] = key
        for mention in cluster.mentions:
            mention.text = text[mention.start:mention.end]
        cluster.mentions.sort(key=lambda m: m.start)
        forms = list(dict.fromkeys(names.clean_form(f) for f in cluster.forms if f.lower() not in names.PRONOUNS))
        entry = gazetteer.lookup("person", best) or next((gazetteer.lookup("person", f) for f in forms if gazetteer.lookup("person", f)), None)
        records.append(EntityRecord("person", key, best, forms, cluster.mentions, cluster.roles,
                                    cluster.cover_names, entry.slug if entry else None))

    def keys_for(spans: list[Span]) -> list[str]:
        out = []
        for span in spans:
            for cluster in clusters:
                if any(m.start <= span.start < m.end or span.start <= m.start < span.end for m in cluster.mentions):
                    key = key_of.get(id(cluster))
                    if key and key not in out:
                        out.append(key)
        return out

    return records, keys_for(author_spans), keys_for(doc.translators), keys_for(addressee_spans)


def _cluster(candidates: list[Candidate]) -> list[Cluster]:
    """Group candidates: same name, compatible names, bracket variants."""
    candidates = _dedupe(candidates)
    clusters: list[Cluster] = []
    # fullest forms first so that short forms attach to them
    # cover names right after the full names they belong to, before other bare surnames
    order = sorted(candidates, key=lambda c: (names.richness(c.form)[:1], c.cover_name == c.form, names.richness(c.form)),
                   reverse=True)
    by_form: dict[str, Cluster] = {}
    pending_alias: list[tuple[Candidate, Cluster]] = []
    for cand in order:
        key = names.name_key(cand.form)
        if not key:
            continue
        target = by_form.get(key)
        if target is None and cand.cover_name == cand.form and cand.alias_of:
            # a cover name belongs to the person who used it, never to a namesake found by surname
            target = by_form.get(names.name_key(cand.alias_of))
            if target is None:
                target = Cluster()
                clusters.append(target)
        if target is None:
            has_given = bool(names.name_parts(cand.form) and names.name_parts(cand.form).given)
            matches = [c for c in clusters if any(names.same_person(cand.form, f) for f in c.forms
                                                   if not (has_given and f in c.cover_names))]
            if not matches:
                matches = [c for c in clusters if any(names.near_spelling(cand.form, f) for f in c.forms)]
            if len(matches) == 1 or (matches and names.name_parts(cand.form) and not names.name_parts(cand.form).given):
                target = _nearest(matches, cand)
        if target is None:
            target = Cluster()
            clusters.append(target)
        target.add(cand)
        by_form.setdefault(key, target)
        if cand.alias_of:
            pending_alias.append((cand, target))
    for cand, cluster in pending_alias:
        other = by_form.get(names.name_key(cand.alias_of))
        if other is not None and other is not cluster:
            for mention in other.mentions:
                if mention not in cluster.mentions:
                    cluster.mentions.append(mention)
            for form in other.forms:
                if form not in cluster.forms:
                    cluster.forms.append(form)
            cluster.roles.extend(r for r in other.roles if r not in cluster.roles)
            cluster.cover_names.extend(c for c in other.cover_names if c not in cluster.cover_names)
            cluster.variants.extend(v for v in other.variants if v not in cluster.variants)
            for k, v in list(by_form.items()):
                if v is other:
                    by_form[k] = cluster
            other.mentions, other.forms = [], []
    for cluster in clusters:
        # the cover name is not the person's preferred name
        for cover in cluster.cover_names:
            if len(cluster.forms) > 1 and names.clean_form(cover) == names.clean_form(cluster.best):
                cluster.forms.sort(key=lambda f: f == cover)
    return [c for c in clusters if c.mentions]


def _nearest(matches: list[Cluster], cand: Candidate) -> Cluster:
    """Among clusters a short form could name, the most mentioned, then the nearest before it."""
    def score(cluster: Cluster):
        before = [m.start for m in cluster.mentions if m.start <= cand.start]
        return (len(cluster.mentions), max(before) if before else -1)
    return max(matches, key=score)


def _dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """Overlapping candidates: keep the more confident, then the longer."""
    kept: list[Candidate] = []
    for cand in sorted(candidates, key=lambda c: (-c.confidence, -(c.end - c.start), c.start)):
        if any(k.start < cand.end and cand.start < k.end for k in kept):
            if cand.alias_of or cand.method.startswith("bracket"):
                if any(k.start == cand.start and k.end == cand.end for k in kept):
                    continue
            else:
                continue
        kept.append(cand)
    return kept


def _link_repeats(doc: ParsedDocument, clusters: list[Cluster], regions: list[Span], blocked) -> None:
    """Every further occurrence of a known form or surname is a mention of that person."""
    text = doc.text
    surnames: dict[str, list[Cluster]] = {}
    forms: dict[str, Cluster] = {}
    for cluster in clusters:
        for form in cluster.forms:
            clean = names.clean_form(form)
            toks = names.strip_titles(clean.split())
            if toks:
                forms.setdefault(" ".join(toks), cluster)
            parts = names.name_parts(form)
            if parts is None:
                continue
            sur_tokens = [t for t in toks if names.translit_fold(t) == parts.surname] if not parts.east_asian else toks[:1]
            for tok in sur_tokens:
                if len(tok) > 2 and tok.lower() not in STOPWORDS:
                    surnames.setdefault(tok, [])
                    if cluster not in surnames[tok]:
                        surnames[tok].append(cluster)
                    surnames.setdefault(tok.upper(), surnames[tok])
    if not forms:
        return
    all_forms = sorted(set(forms) | set(surnames), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w'’-])(%s)(?![\w-])" % "|".join(re.escape(f) for f in all_forms))
    taken = [(m.start, m.end) for c in clusters for m in c.mentions] + list(blocked)
    for region in regions:
        for m in pattern.finditer(text, region.start, region.end):
            s, e = m.start(), m.end()
            if any(a < e and s < b for a, b in taken):
                continue
            form = m.group(1)
            if form in forms:
                cluster, method, conf = forms[form], "repeat", 0.85
            else:
                options = surnames.get(form, [])
                if not options:
                    continue
                if len(options) > 1:
                    options = [max(options, key=lambda c: (len(c.mentions), -min(x.start for x in c.mentions)))]
                cluster, method, conf = options[0], "surname", 0.75
                # a bare surname glued to a following capitalized word is a different name
                if re.match(r"[ \t]+[A-Z][a-z]", text[e:e + 3]) and not _followed_by_verb(text, e):
                    continue
            cluster.mentions.append(Mention(s, e, text[s:e], method, conf))
            taken.append((s, e))


_ROLE_REF_RE = re.compile(r"\b[Tt]he\s+((?:[A-Z][\w'’é-]*\s+){0,2}[A-Z][\w'’é-]*)")


def _link_role_references(doc: ParsedDocument, clusters: list[Cluster], regions: list[Span]) -> None:
    """'the Military Attaché' stands for the person introduced with that title earlier."""
    text = doc.text
    by_role: dict[str, list[Cluster]] = {}
    for cluster in clusters:
        for role in cluster.roles:
            words = [w for w in role.split() if w.lower().rstrip(".") not in ("cde", "comrade", "com", "cdes", "comrades")]
            if not words:
                continue
            # the last one or two title words are how the text refers back: "Military Attaché", "Ambassador"
            for n in (2, 1):
                if len(words) >= n and all(w.lower().rstrip(".") in PERSON_TITLES | names.TITLE_WORDS for w in words[-n:]) \
                        and (n > 1 or words[-1].lower().rstrip(".") in PERSON_TITLES):  # 'State', 'Party' alone name no one
                    by_role.setdefault(" ".join(words[-n:]).lower(), []).append(cluster)
    if not by_role:
        return
    taken = [(m.start, m.end) for c in clusters for m in c.mentions]
    # a title alone as a speaker label stands for its holder: "Premier: I have just arrived"
    for region in regions:
        for m in re.finditer(r"^[ \t]*([A-Z][\w'’é-]*(?:[ \t]+[A-Z][\w'’é-]*)?)[ \t]*:", text[region.start:region.end], re.M):
            s, e = region.start + m.start(1), region.start + m.end(1)
            owners = by_role.get(m.group(1).lower())
            if owners and len(set(map(id, owners))) == 1 and not any(a < e and s < b for a, b in taken):
                owners[0].mentions.append(Mention(s, e, text[s:e], "role-speaker-label", 0.7))
                taken.append((s, e))
    for region in regions:
        for m in _ROLE_REF_RE.finditer(text, region.start, region.end):
            phrase = m.group(1).lower()
            owners = by_role.get(phrase)
            if not owners or len(set(map(id, owners))) != 1:
                continue
            s, e = m.start(1), m.end(1)
            if any(a < e and s < b for a, b in taken):
                continue
            owners[0].mentions.append(Mention(s, e, text[s:e], "role-reference", 0.7))
            taken.append((s, e))


# --- FRUS participants lists, lists of names ------------------------------------------

def _listed_candidates(doc: ParsedDocument) -> tuple[list[Candidate], list[tuple[int, str]]]:
    """Names in participants lists, and the offices listed without a name (position, office)."""
    if not doc.body:
        return [], []
    out: list[Candidate] = []
    offices: list[tuple[int, str]] = []
    for _, entries in participants_lists(doc.text, doc.body.start, doc.body.end):
        for entry in entries:
            if entry.name is not None:
                role = clean_role(entry.role) or clean_role(entry.title)
                out.append(Candidate(entry.name.start, entry.name.end, entry.name.text, "participants-list", 0.92, role))
            elif entry.office:
                offices.append((entry.line.start, entry.office))
    return out, offices


# --- lists of bare surnames ---------------------------------------------------------

_NAME_ITEM = r"[A-Z][\w'’-]+(?:[ \t][A-Z][\w'’-]+){0,2}"
_NAME_LIST = rf"{_NAME_ITEM}(?:,[ \t]*{_NAME_ITEM})*(?:,?[ \t]+and[ \t]+{_NAME_ITEM})?"
_LIST_CUES = [
    # 'Delegations of France, Germany, UK, US headed respectively by Laloy, Grewe, Rumboldt, Hillenbrand.'
    re.compile(rf"\b(?:headed|led|chaired)(?:[ \t]+respectively)?[ \t]+by[ \t]+(?P<list>{_NAME_LIST})(?=[.;:)]|$|[ \t]+(?:and|at|in|on|to|who|were)\b)"),
    # 'Dulles, Bruce, McElroy, and other U.S. officials met'
    re.compile(rf"(?P<list>{_NAME_ITEM}(?:,[ \t]*{_NAME_ITEM})+),?[ \t]+and[ \t]+(?:several[ \t]+|many[ \t]+)?other[ \t]+"
               r"(?:[\w.]+[ \t]+){0,2}(?:officials|officers|members|representatives|participants|ministers|leaders|diplomats|"
               r"delegates|advisers|advisors|ambassadors|generals)\b"),
]


def _name_list_candidates(doc: ParsedDocument, regions: list[Span], blocked) -> list[Candidate]:
    text = doc.text
    out: list[Candidate] = []
    for region in regions:
        for pattern in _LIST_CUES:
            for m in pattern.finditer(text, region.start, region.end):
                for item in re.finditer(_NAME_ITEM, m.group("list")):
                    s, e = m.start("list") + item.start(), m.start("list") + item.end()
                    words = item.group(0).split()
                    if any(w.lower() in STOPWORDS or w.lower() in DEMONYMS or w.lower() in ORG_HEADS or
                           w.lower().rstrip(".") in names.TITLE_WORDS or w.lower() in _COLLECTIVE_NOUNS for w in words):
                        continue
                    if any(a < e and s < b for a, b in blocked):
                        continue  # a country or an organization in the list
                    out.append(Candidate(s, e, item.group(0), "name-list", 0.75))
    return out


# --- drafters, markup hints ------------------------------------------------------------

def _drafters(doc: ParsedDocument) -> list[Span]:
    """'Drafted by Weintraub' in a FRUS Source note: the writer of the record."""
    if not doc.citation:
        return []
    from ..frus import parse_source_note

    _, _, found = parse_source_note(doc.citation.text)
    base = doc.citation.start
    return [Span(base + s, base + e, doc.text[base + s:base + e]) for s, e in found]


def _hint_candidates(doc: ParsedDocument) -> list[Candidate]:
    """Names the source markup tags (TEI persName); the persons list's name is the preferred form."""
    out = []
    for hint in doc.hints:
        if hint.kind != "person" or not hint.text.strip():
            continue
        form = hint.name or names.clean_form(hint.text)
        out.append(Candidate(hint.start, hint.end, form, "tei-persName", 0.97 if hint.name else 0.93))
    return out


# --- offices: 'the Secretary', 'the President', 'the PM' --------------------------------

# how a record names an office without naming its holder, and the office's full name
_OFFICES = {
    "President": "President", "Vice President": "Vice President", "Secretary": "Secretary of State",
    "Secretary of State": "Secretary of State", "Under Secretary": "Under Secretary of State",
    "Prime Minister": "Prime Minister", "PriMin": "Prime Minister", "PM": "Prime Minister", "Premier": "Premier",
    "Chancellor": "Chancellor", "Foreign Minister": "Foreign Minister", "FonMin": "Foreign Minister",
    "King": "King", "Shah": "Shah", "Emperor": "Emperor",
    "DCI": "Director of Central Intelligence", "Director of Central Intelligence": "Director of Central Intelligence",
}
# American offices that name no country: 'Director of Central Intelligence 1953-1961'
_US_OFFICES = {"Secretary of State", "Under Secretary of State", "Director of Central Intelligence"}
_ABBREVIATED = {"PriMin", "PM", "FonMin", "DCI"}
_OFFICE_RE = re.compile(
    r"(?:\b(?P<det>[Tt]he)[ \t]+)?(?<![\w-])(?P<office>Vice President|Secretary of State|Under Secretary|Prime Minister|"
    r"Foreign Minister|Director of Central Intelligence|President|Secretary|PriMin|PM|FonMin|DCI|Premier|Chancellor|King|"
    r"Shah|Emperor)(?![\w-])")
_AUXILIARIES = {"had", "has", "have", "would", "will", "then", "also", "again", "later", "was", "were", "is", "did",
                "does", "could", "might", "had", "further", "finally", "first"}
_US_SOURCES_RE = re.compile(r"\b(?:Department of State|National Archives|NARA|White House|(?:Truman|Eisenhower|Kennedy|"
                            r"Johnson|Nixon|Ford|Carter|Reagan|Bush) Library|Central Intelligence Agency|FRUS)\b")


def _office_mentions(doc: ParsedDocument, regions: list[Span], office: str) -> list[tuple[int, int, bool]]:
    """Where the text names the office alone: (start, end, followed by a speech verb)."""
    text = doc.text
    out = []
    for region in regions:
        for m in _OFFICE_RE.finditer(text, region.start, region.end):
            if _OFFICES[m.group("office")] != _OFFICES[office]:
                continue
            if not m.group("det") and m.group("office") not in _ABBREVIATED:
                continue  # 'President Johnson': a title, not the office alone
            after = text[m.end():m.end() + 40]
            if re.match(r"[ \t]+[A-Z][a-z]", after) or re.match(r"[ \t]+of[ \t]+(?!State\b)", after):
                continue  # 'the President Lopez', 'the President of Mexico', 'the Secretary of the CC'
            words = re.findall(r"[\w']+", re.sub(r"^['’]s\b", "", after))
            while words and words[0].lower() in _AUXILIARIES:
                words.pop(0)
            speaks = bool(words) and words[0].lower() in SPEECH_VERBS | {"nodded", "wondered", "agreed", "responded",
                                                                         "gave", "felt", "thought"}
            out.append((m.start("office"), m.end("office"), speaks))
    return sorted(set(out))


def _country_forms(doc: ParsedDocument, gazetteer: Gazetteer) -> list[list[str]]:
    """The names of the country the record was written in, then of the United States for American records."""
    out: list[list[str]] = []
    if doc.place_written:
        place = gazetteer.lookup_place(doc.place_written.text.split(",")[0].strip())
        if place is not None:
            country = place if place.type == "country" else gazetteer.get("place", place.part_of) if place.part_of else None
            if country is not None:
                out.append(country.forms)
    return out


def office_holder(gazetteer: Gazetteer, office: str, countries: list[list[str]], year: int):
    """The one person who held this office in this country and year: the positions file first, then the
    offices and years the people gazetteer's descriptions give."""
    from ..gazetteer import default_positions

    for forms in countries:
        country = next((gazetteer.lookup_place(f) for f in forms if gazetteer.lookup_place(f)), None)
        held = {p.person for p in default_positions() if country is not None and p.country == country.slug
                and p.office.lower() == office.lower() and p.start <= year <= p.end}
        if len(held) == 1:
            entry = gazetteer.get("person", held.pop())
            if entry is not None:
                return entry
        elif len(held) > 1:
            return None  # two holders that year (a change of office): the year does not tell
    for forms in countries:
        country = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        bare = f"|{re.escape(office)}" if office in _US_OFFICES and "United States" in forms else ""
        pattern = re.compile(rf"^(?:(?:{country})[ \t]+{re.escape(office)}|{re.escape(office)}[ \t]+of[ \t]+(?:the[ \t]+)?(?:{country}){bare})$")
        found = []
        for entry in gazetteer.entries.values():
            if entry.kind != "person":
                continue
            for clause in (entry.extra.get("description") or "").split(";"):
                cm = re.match(r"\s*(?P<office>.+?)\s+(?P<y1>\d{4})(?:\s*[-–]\s*(?P<y2>\d{4}))?(?:\s+and\s+.*)?\s*$", clause)
                if cm and pattern.match(cm.group("office").strip()) and \
                        int(cm.group("y1")) <= year <= int(cm.group("y2") or cm.group("y1")):
                    found.append(entry)
                    break
        if len(found) == 1:
            return found[0]
        if found:
            return None  # two holders that year: the date does not tell
    return None


def _bare_office(role: str) -> str:
    """'US Secretary of State' -> 'secretary of state'; 'First Secretary, Spanish Embassy' -> 'first secretary'."""
    words = role.split(",")[0].lower().split()
    while words and (words[0] in DEMONYMS or words[0] in ("us", "u.s.", "the")):
        words.pop(0)
    return " ".join(words)


def _attach_offices(doc: ParsedDocument, clusters: list[Cluster], regions: list[Span], listed: list[tuple[int, str]],
                    gazetteer: Gazetteer) -> None:
    """An office named without its holder ('the Secretary', 'The President said', 'the PM') is a person.

    Offices listed in a participants list, or named at least twice and once as the subject of a speech
    verb, when no person in the document bears that title. The holder is found by office and date in the
    gazetteer (the country of the place of writing; the Secretary of State of an American record);
    otherwise the person keeps the office as name.
    """
    text = doc.text
    offices = {}
    for pos, office in listed:
        key = _OFFICES.get(office)
        if key:
            offices.setdefault(key, office)
    for m in _OFFICE_RE.finditer(text, doc.body.start if doc.body else 0, doc.body.end if doc.body else 0):
        offices.setdefault(_OFFICES[m.group("office")], m.group("office"))
    taken = [(m.start, m.end) for c in clusters for m in c.mentions]
    american = bool(doc.citation and _US_SOURCES_RE.search(doc.citation.text)) or \
        bool(doc.title and _US_SOURCES_RE.search(doc.title))
    for full, office in offices.items():
        short = full.split(" of ")[0].lower()
        # a person the text introduces with this title ('Secretary of State Rusk', 'President Johnson')
        holders = [c for c in clusters if any(_bare_office(r) in (full.lower(), short) for r in c.roles if r)]
        if len(holders) > 1:
            continue  # 'President Johnson' and 'President Lopez Mateos': the office alone names neither
        mentions = [(s, e, speaks) for s, e, speaks in _office_mentions(doc, regions, office)
                    if not any(a < e and s < b for a, b in taken)]
        listed_here = any(_OFFICES.get(o) == full for _, o in listed)
        if not mentions:
            continue
        if holders:
            for s, e, _ in mentions:
                holders[0].mentions.append(Mention(s, e, text[s:e], "role-reference", 0.7))
            continue
        holder = None
        if doc.date is not None:
            countries = _country_forms(doc, gazetteer)
            if full in _US_OFFICES:
                # 'the Secretary' of an American record is the US Secretary of State
                us = gazetteer.get("place", "united-states")
                countries = [us.forms] if us is not None and (american or us.forms in countries) else []
            holder = office_holder(gazetteer, full, countries, doc.date.year)
        target = None
        if holder is not None:
            target = next((c for c in clusters if c.gazetteer_id == holder.slug or
                           any(names.same_person(f, h) for f in c.forms for h in holder.forms)), None)
        # a person of its own: an office listed among the participants, or named twice and speaking once;
        # once is enough when its holder is named in the document
        if target is None and not (listed_here or (len(mentions) >= 2 and any(sp for _, _, sp in mentions))):
            continue
        if target is None:
            target = Cluster()
            clusters.append(target)
            if holder is not None:
                target.forms.append(holder.name)
            else:
                target.forms.append(f"the {office}")
        if holder is not None:
            target.preferred = holder.name
            target.gazetteer_id = holder.slug
        method = "office-and-date" if holder is not None else "office"
        for s, e, _ in mentions:
            target.mentions.append(Mention(s, e, text[s:e], method, 0.7))
        if full not in target.roles:
            target.roles.append(full)


def _prefer_listed_names(doc: ParsedDocument, clusters: list[Cluster]) -> None:
    """A person the markup links to the persons list is named as that list names them; the tagged
    text stays one of the forms, so that its other occurrences are found too."""
    text = doc.text
    for hint in doc.hints:
        if not hint.name:
            continue
        for cluster in clusters:
            if any(m.start == hint.start and m.end == hint.end for m in cluster.mentions):
                if cluster.preferred and cluster.preferred != hint.name:
                    break  # two list entries for one cluster: the markup contradicts itself, keep the first
                cluster.preferred = hint.name
                tagged = names.clean_form(text[hint.start:hint.end])
                if tagged and tagged not in cluster.forms and tagged.lower() not in names.PRONOUNS:
                    cluster.forms.append(tagged)
                break
