"""Name normalization: the one place that decides when two name forms are the same.

Used by the extractor (within a document), the resolver (across documents), the
URI minting (slugs) and the evaluation (matching against gold).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

# Family names that come first (Korean, Chinese, Vietnamese romanizations).
EAST_ASIAN_SURNAMES = frozenset("""
kim pak park lee li ri yi rhee choe choi chang jang jeong jung jong chong kang han ryu yu yun yoon seo so suh
heo ho hur nam mun moon hong hwang song oh o cho jo shin sin baek paek ahn an im lim kwon ko go chung chun roh
no noh jeon chon cha chae min bae pae yeo won gil ju chu ma myung
zhou chou mao chen ch'en zhang liu zhu chu deng teng peng huang jiang chiang wang zhao chao yang wu sun hu guo
kuo he gao kao lin luo lo zheng cheng liang xie hsieh tang xu hsu feng cao ts'ao dong tung xiao hsiao tian
t'ian pan yuan cai ts'ai jiao ge qiao ye xi bo tan wei shen su lu yao gu qian ren lei kong ji geng ke qi
kang ruan lai fu shi tao yan fan du zeng hao bai xiong meng qin sheng rao
nguyen pham tran le vo hoang phan vu dang bui do ngo duong ly truong dinh lam mai trinh ha
""".split())

TITLE_WORDS = frozenset("""
comrade comrades cde cdes com mr mrs ms miss dr mister madame sir lord
premier vice deputy first second third chairman chairwoman president ambassador minister foreign prime
defense defence secretary general marshal military attaché attache counselor counsellor adviser advisor
director chief head commander governor consul chargé charge d'affaires envoy emissary secretary-general
co-chairman vice-premier vice-chairman vice-president king queen prince emperor shah colonel lieutenant
major captain admiral senator professor academician counselor-emissary director-general generalissimo
chancellor comrade-in-arms party state leader representative spokesman assistant officer official
delegate correspondent journalist interpreter translator member candidate politburo presidium
""".split())

PRONOUNS = frozenset({"i", "me", "my", "we", "us", "our", "myself", "ourselves"})


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)  # pure, and called for every token and pair
def translit_fold(token: str) -> str:
    """Fold transliteration variants of one lowercase token (D'yakonov = Dyakonov, Iudin = Yudin)."""
    t = strip_accents(token.lower()).replace("’", "").replace("'", "").replace("ł", "l")
    t = re.sub(r"[^a-z0-9-]", "", t)
    t = re.sub(r"^iu", "yu", t)
    t = re.sub(r"^ia", "ya", t)
    t = t.replace("yy", "y").replace("iy", "y").replace("ii", "i").replace("kh", "h").replace("-", "")
    return t


@lru_cache(maxsize=200_000)  # pure, and called for every token and pair
def clean_form(form: str) -> str:
    """A surface form made comparable: brackets and footnote digits removed, spaces folded."""
    form = form.replace("’", "'")
    form = re.sub(r"[\[\]]", " ", form)
    form = re.sub(r"(?<=[A-Za-zÀ-ž])\d+\b", "", form)  # DROŻNIAK2 -> DROŻNIAK
    form = re.sub(r"'s\b", "", form)
    form = re.sub(r"\s+", " ", form)
    return form.strip(" ,.:;")


_GLUED_INITIAL_RE = re.compile(r"\b([A-Z][a-z]?)\.(?=[A-Z])")
_SPACES_RE = re.compile(r"\s+")


def tokens(form: str) -> list[str]:
    """Name tokens: initials split ('A.M.' -> 'A.', 'M.'), titles kept."""
    form = clean_form(form)
    form = _GLUED_INITIAL_RE.sub(r"\1. ", form)
    return [t for t in _SPACES_RE.split(form) if t]


_NOT_INITIALS = {"No.", "Nr.", "St.", "Mr.", "Dr.", "Co.", "Jr.", "Sr.", "Ms.", "Op.", "Ll.", "Pp.", "Vs."}
_INITIAL_RE = re.compile(r"[A-ZÀ-Ž][a-z]?\.|[A-Z]")


def is_initial(token: str) -> bool:
    """'A.', 'Gh.' (Romanian), a bare capital; not abbreviations such as 'No.' or 'Dr.'."""
    return token not in _NOT_INITIALS and bool(_INITIAL_RE.fullmatch(token))


def smart_title(token: str) -> str:
    """KIM -> Kim, SEONG-CHEOL -> Seong-cheol, D'YAKONOV -> D'yakonov, Dean -> Dean."""
    if not token.isupper() or len(token) <= 1 or is_initial(token) or re.fullmatch(r"[A-Z](?:\.[A-Z])*\.?", token):
        return token
    return token[0] + token[1:].lower()


@lru_cache(maxsize=200_000)  # pure, and asked of every form of every record at each resolution
def display_form(form: str) -> str:
    """A readable form: all-capital names in mixed case, footnote digits dropped.

    Leading initials are spaced ('A.M. Puzanov' -> 'A. M. Puzanov'); trailing ones stay as
    written ('Kryukov M.E.').
    """
    words = clean_form(form).split()
    last = words[-1] if words else ""
    if len(words) >= 2 and ("." in last or len(last) == 1) and re.fullmatch(r"(?:[A-Z][a-z]?\.?)+", last) \
            and not is_initial(words[0]):
        words[-1] = words[-1].rstrip(".") + "."
        return " ".join(smart_title(t) for t in words)
    return " ".join(smart_title(t) for t in tokens(form))


@dataclass(frozen=True)
class NameParts:
    surname: str  # folded
    given: tuple[str, ...]  # folded given names or initials (single letters)
    east_asian: bool

    @property
    def initials(self) -> tuple[str, ...]:
        return tuple(g[0] for g in self.given)


def strip_titles(toks: list[str]) -> list[str]:
    i = 0
    while i < len(toks) - 1 and toks[i].lower().rstrip(".") in TITLE_WORDS:
        i += 1
    return toks[i:]


@lru_cache(maxsize=200_000)  # pure, and called for every token and pair
def name_parts(form: str) -> Optional[NameParts]:
    toks = strip_titles(tokens(form))
    toks = [t for t in toks if t.lower() not in ("of", "the")]
    if not toks:
        return None
    first = translit_fold(toks[0])
    if first in EAST_ASIAN_SURNAMES and len(toks) >= 2 and not any(is_initial(t) for t in toks):
        given = tuple(translit_fold(t) for t in toks[1:])
        return NameParts(first, given, True)
    if len(toks) == 1 and first in EAST_ASIAN_SURNAMES:
        return NameParts(first, (), True)
    # surname-first with trailing initials: "Kryukov M.E."
    if len(toks) >= 2 and all(is_initial(t) for t in toks[1:]) and not is_initial(toks[0]):
        return NameParts(translit_fold(toks[0]), tuple(translit_fold(t) for t in toks[1:]), False)
    surname_tokens = [toks[-1]]
    # particles belong to the surname: "Ben Bella", "de Gaulle", "Gheorghiu-Dej"
    j = len(toks) - 2
    while j >= 0 and toks[j].lower() in ("ben", "de", "van", "von", "da", "di", "del", "la", "le", "bin", "al", "el", "abu"):
        surname_tokens.insert(0, toks[j])
        j -= 1
    given = tuple(translit_fold(t) for t in toks[: j + 1])
    return NameParts("".join(translit_fold(t) for t in surname_tokens), given, False)


# One given name in the forms translations use (folded): 'I. V. Stalin' is Iosif, and Iosif is Joseph.
_GIVEN_EQUIVALENTS = [
    {"iosif", "josif", "joseph", "josef", "jozef"}, {"aleksandr", "alexander", "alexandr", "aleksander"},
    {"andrei", "andrey", "andrej"}, {"aleksei", "alexei", "alexey", "aleksey"}, {"nikolai", "nikolay", "nicolae"},
    {"fyodor", "fedor", "feodor"}, {"pyotr", "petr"}, {"yevgeny", "evgeny", "evgenii", "yevgeni"},
    {"georgy", "georgii", "georgi"}, {"grigory", "grigorii"}, {"vasily", "vasilii", "vasili"},
    {"dmitry", "dmitri", "dmitrii"}, {"yuri", "yury", "iurii"}, {"vyacheslav", "viacheslav"},
]
_EQUIVALENT = {name: frozenset(group) for group in _GIVEN_EQUIVALENTS for name in group}


def _given_match(x: str, y: str) -> bool:
    xs, ys = _EQUIVALENT.get(x, {x}), _EQUIVALENT.get(y, {y})
    if len(x) == 1 or len(y) == 1:
        initial, full = (x, ys) if len(x) == 1 else (y, xs)
        return any(f[0] == initial[0] for f in full)
    return bool(xs & ys)


def given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """'a m' ~ 'aleksandr m'; 'n' ~ 'nikita s'; 'i v' ~ 'joseph'; 'aleksandr' !~ 'andrei'."""
    return all(_given_match(x, y) for x, y in zip(a, b))


@lru_cache(maxsize=200_000)  # pure, and called for every token and pair
def same_person(a: str, b: str) -> bool:
    """Could the two forms name one person? Surname must agree; given names must not clash."""
    pa, pb = name_parts(a), name_parts(b)
    if pa is None or pb is None:
        return False
    if pa.east_asian or pb.east_asian:
        if pa.surname != pb.surname:
            return False
        if not pa.given or not pb.given:
            return True  # a bare family name may stand for the full name
        return "".join(pa.given) == "".join(pb.given)
    if pa.surname != pb.surname:
        return False
    return given_compatible(pa.given, pb.given)


@lru_cache(maxsize=200_000)  # pure, and called for every token and pair
def name_key(form: str) -> str:
    """Exact comparison key: case, accents, brackets, transliteration folded."""
    parts = name_parts(form)
    if parts is None:
        return ""
    return " ".join([*parts.given, parts.surname]) if not parts.east_asian else " ".join([parts.surname, *parts.given])


@lru_cache(maxsize=200_000)  # pure, and called for every token and pair
def richness(form: str) -> tuple:
    """Prefer forms with more given-name information, full names over initials, mixed case."""
    parts = name_parts(form)
    toks = strip_titles(tokens(form))
    if parts is None:
        return (0, 0, 0, 0)
    full_given = sum(1 for g in parts.given if len(g) > 1)
    mixed = 0 if clean_form(form).isupper() else 1
    bracket = 0 if "[" in form else 1
    return (len(parts.given) + full_given, mixed, bracket, -len(toks), form)


def slugify(text: str) -> str:
    text = strip_accents(text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss")).lower().replace("’", "").replace("'", "")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "unnamed"


def _edit_distance_at_most_one(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = j = edits = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            i += 1
            j += 1
            continue
        edits += 1
        if edits > 1:
            return False
        if len(a) == len(b):
            i += 1
        j += 1
    return edits + (len(b) - j) <= 1


def near_spelling(a: str, b: str) -> bool:
    """A one-letter misspelling of a long surname ('Chervoenko' for 'Chervonenko'); within one document only."""
    pa, pb = name_parts(a), name_parts(b)
    if pa is None or pb is None or pa.east_asian or pb.east_asian:
        return False
    if len(pa.surname) < 7 or pa.surname == pb.surname:
        return False
    return _edit_distance_at_most_one(pa.surname, pb.surname) and given_compatible(pa.given, pb.given)
