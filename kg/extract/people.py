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
from typing import Iterable, Optional

from .. import names
from ..gazetteer import Gazetteer
from ..records import EntityRecord, Mention, ParsedDocument, Span
from .lexicon import (ADVERBS, DEMONYMS, GIVEN_NAMES, ORG_HEADS, PERSON_TITLES, PLACE_HEADS, PLURAL_TITLES,
                      SPEECH_VERBS, STOPWORDS)

_TOKEN_RE = re.compile(r"[^\s\[\](),;:!?\"“”„«»/…—–]+")
_ABBREV = {"cde.", "cdes.", "com.", "mr.", "mrs.", "ms.", "dr.", "gh.", "st.", "messrs.", "gen.", "col.", "lt."}
_PARTICLES = {"de", "van", "von", "da", "di", "del", "bin", "al", "el", "abu", "ben", "le", "la"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
           "sept", "oct", "nov", "dec"}
_HEADER_LABELS = {"date", "time", "place", "location", "participants", "participating", "present",
                  "interpreter", "interpretation", "recorder", "minutes", "attachment", "subject", "to", "from",
                  "citation", "summary", "credits", "contents", "note", "background", "our side", "korean side"}


@dataclass
class Token:
    start: int
    end: int
    text: str  # cleaned: trailing period of a sentence, possessive, footnote digits removed

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")


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

    @property
    def best(self) -> str:
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


def _clean_token(text: str, start: int, raw: str) -> Optional[Token]:
    end = start + len(raw)
    word = raw
    for suffix in ("’s", "'s", "’", "'"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            word = word[: -len(suffix)]
            end -= len(suffix)
            break
    m = re.match(r"^(.*?[A-Za-zÀ-ž])(\d{1,2})$", word)
    if m and word[:-len(m.group(2))].isupper():
        word = m.group(1)
        end = start + len(word)
    if word.endswith(".") and not names.is_initial(word) and word.lower() not in _ABBREV and \
            not re.fullmatch(r"(?:[A-Z][a-z]?\.){2,3}", word):
        word = word[:-1]
        end -= 1
    word = word.lstrip("'’‘")
    if not word:
        return None
    return Token(end - len(word), end, word)


def _is_cap(tok: Token) -> bool:
    first = next((c for c in tok.text if c.isalpha()), "")
    return bool(first) and first.isupper() and not tok.text[0].isdigit()


def _runs(text: str, start: int, end: int, blocked: list[tuple[int, int]]) -> Iterable[list[Token]]:
    """Maximal sequences of capitalized tokens separated by plain spaces."""
    run: list[Token] = []
    prev_raw_end = None
    for m in _TOKEN_RE.finditer(text, start, end):
        tok = _clean_token(text, m.start(), m.group(0))
        if tok is None:
            continue
        is_blocked = any(s < tok.end and tok.start < e for s, e in blocked)
        joinable = False
        if run and prev_raw_end is not None:
            gap = text[prev_raw_end:m.start()]
            last = run[-1]
            if re.fullmatch(r"[ \t]+", gap) and last.end == prev_raw_end:
                joinable = True
            elif gap == "\n" and names.is_initial(last.text) and last.end == prev_raw_end:
                joinable = True
        if not is_blocked and (_is_cap(tok) or (run and tok.low in _PARTICLES)):
            if run and not joinable:
                yield run
                run = []
            run.append(tok)
        else:
            if run:
                yield run
            run = []
        prev_raw_end = m.end()
    if run:
        yield run


def _name_like(tok: Token) -> bool:
    low = tok.low
    if low in STOPWORDS or low in DEMONYMS or low in _MONTHS or low in ORG_HEADS or low in PLACE_HEADS:
        return False
    if re.search(r"\d", tok.text) or len(tok.text) == 1 and not tok.text.isalpha():
        return False
    if tok.text.isupper() and len(tok.text.replace(".", "")) <= 5 and not names.is_initial(tok.text) and \
            names.translit_fold(tok.text) not in names.EAST_ASIAN_SURNAMES and "-" not in tok.text:
        return False  # acronyms: USSR, KWP, CC
    return True


def _title_alternation(words) -> str:
    forms = set()
    for w in words:
        forms.add(re.escape(w))
        forms.add(re.escape(w[:1].upper() + w[1:]))
        forms.add(re.escape(w.upper()))
    return "|".join(sorted(forms, key=len, reverse=True))


_TITLE_ALT = _title_alternation((PERSON_TITLES | names.TITLE_WORDS) - {"party", "state", "member", "first", "second", "third"})
_DEMONYM_ALT = _title_alternation(DEMONYMS | {"us", "u.s."})
_ROLE_RE = re.compile(
    rf"(?:(?:{_DEMONYM_ALT}|{_TITLE_ALT}|[A-Z]{{2,6}}|[1-9](?:st|nd|rd|th))\.?[ \t]+)*(?:{_TITLE_ALT})\.?"
    rf"(?:[ \t]+(?:of|for|to|in)[ \t]+(?:the[ \t]+)?(?:[A-Z][\w'’.-]*[ \t]+){{0,4}}[A-Z][\w'’.-]*)?[ \t]*[,\]]?[ \t]*$")
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
    initials = [names.is_initial(t.text) or re.fullmatch(r"(?:[A-Z][a-z]?\.){2,3}", t.text) for t in tokens]
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
        initial = names.is_initial(tok.text) or bool(re.fullmatch(r"(?:[A-Z][a-z]?\.){2,3}", tok.text))
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
        start, end = seg[0].start, seg[-1].end
        form = text[start:end]
        lead = text[title_toks[0].start:title_toks[-1].end] if title_toks else None
        before = _preceding_role(text, title_toks[0].start if title_toks else start, region.start)
        lead = " ".join(filter(None, [before, lead])) or None
        has_title = bool(lead) and any(w.lower().rstrip(".") in PERSON_TITLES for w in lead.split())
        role = clean_role(lead)
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
        elif len(seg) <= 3 and (_followed_by_verb(text, end) or _preceded_by_verb(text, start)):
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


def _org_follows(text: str, end: int) -> bool:
    m = re.match(r"[ \t]+([A-Za-z]+)", text[end:end + 30])
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
                nm.group(1).lower().rstrip(".") not in names.TITLE_WORDS:
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
                        and nm.group(1).lower() not in ORG_HEADS:
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


def _signature(doc: ParsedDocument) -> list[Span]:
    """A name alone at the end of the body: '(A. Gromyko)', '24.III.50 Shtykov', 'Kuznetsov'."""
    text = doc.text
    body = doc.body
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
    author_spans: list[Span] = []
    for start, end, fallback in find_authors(doc):
        inside = sorted((c for c in candidates if start <= c.start < end), key=lambda c: c.start)
        if inside:
            author_spans.append(Span(inside[0].start, inside[0].end, inside[0].form))
        elif fallback is not None:
            candidates.append(Candidate(fallback.start, fallback.end, fallback.text, "author", 0.8))
            author_spans.append(fallback)
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
    _link_repeats(doc, clusters, regions, blocked + covered)
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
                if len(words) >= n and all(w.lower().rstrip(".") in PERSON_TITLES | names.TITLE_WORDS for w in words[-n:]):
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
