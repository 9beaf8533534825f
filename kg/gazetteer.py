"""The gazetteer: places, organizations and well-known people with their name variants.

Plain TSV files (``kg/data/gazetteer/*.tsv``) that a user extends without touching
code; extra folders with files of the same names are added with ``kg build
--gazetteer DIR`` or the ``KG_GAZETTEER`` environment variable (``:``-separated).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .trie import FormMatcher
from .uris import iri_problem

DATA_DIR = Path(__file__).parent / "data" / "gazetteer"
FILES = {"place": "places.tsv", "organization": "organizations.tsv", "person": "people.tsv"}


class GazetteerError(ValueError):
    pass


@dataclass
class Entry:
    kind: str
    slug: str
    name: str
    aliases: list[str] = field(default_factory=list)
    type: str = ""
    part_of: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def forms(self) -> list[str]:
        return [self.name, *self.aliases]


def tsv_rows(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data line of a tab-separated file with a header; '#' lines are comments."""
    header: Optional[list[str]] = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if header is None:
            header = cells
            if header[:len(required)] != required:
                raise GazetteerError(f"{path}:{number}: header must start with {'<TAB>'.join(required)!r}")
            continue
        yield number, dict(zip(header, cells))


def read_tsv(path: Path, kind: str) -> Iterator[Entry]:
    for number, row in tsv_rows(path, ["slug", "name"]):
        if not row.get("slug") or not row.get("name"):
            raise GazetteerError(f"{path}:{number}: a row needs a slug and a name")
        aliases = [a.strip() for a in row.get("aliases", "").split("|") if a.strip()]
        yield Entry(kind, row["slug"], row["name"], aliases, row.get("type", ""), row.get("part_of", ""),
                    {k: v for k, v in row.items() if k not in ("slug", "name", "aliases", "type", "part_of")})


class Gazetteer:
    def __init__(self, entries: Iterable[Entry]):
        self.entries: dict[tuple[str, str], Entry] = {}
        for entry in entries:
            # later files (user extensions) override and extend the bundled ones
            key = (entry.kind, entry.slug)
            if key in self.entries:
                old = self.entries[key]
                entry.aliases = list(dict.fromkeys([*old.aliases, *entry.aliases]))
            self.entries[key] = entry
        self._by_form: dict[str, dict[str, Entry]] = {k: {} for k in FILES}
        self._folded: dict[str, dict[str, Entry]] = {k: {} for k in FILES}
        for entry in self.entries.values():
            for form in entry.forms:
                self._by_form[entry.kind].setdefault(form, entry)
                self._folded[entry.kind].setdefault(fold(form), entry)
        self._matcher: Optional[FormMatcher] = None
        self._recent_scans: dict[tuple, list[tuple[int, int, Entry]]] = {}

    def get(self, kind: str, slug: str) -> Optional[Entry]:
        return self.entries.get((kind, slug))

    def lookup(self, kind: str, form: str) -> Optional[Entry]:
        return self._by_form[kind].get(form) or self._folded[kind].get(fold(form))

    def lookup_place(self, form: str) -> Optional[Entry]:
        return self.lookup("place", form)

    @property
    def matcher(self) -> FormMatcher:
        """Every form of every kind, longest first, on word boundaries: a form may not follow a word
        character, a hyphen or an apostrophe, nor run on into a word character, a hyphen or an
        apostrophe followed by a letter ('Korea' is not found in "Korea's", "Korea-wide" or "Koreans")."""
        if self._matcher is None:
            self._matcher = FormMatcher(self._by_form, before=r"[\w'’-]", after=r"[\w-]|['’]\w")
        return self._matcher

    _RECENT_SCANS = 32

    def find(self, kind: str, text: str, start: int = 0, end: Optional[int] = None) -> Iterator[tuple[int, int, Entry]]:
        """(start, end, entry) for every form of that kind in ``text[start:end]``.

        The hits of the last few scans are kept: extraction scans the same regions of a document
        twice, for places and organizations before and after its people are known. One scan finds
        every kind, and all are kept, for places and organizations are looked for in the same regions.
        """
        end = len(text) if end is None else end
        hits = self._recent_scans.get((kind, text, start, end))
        if hits is None:
            for each_kind, spans in self.matcher.find(text, start, end).items():
                by_form = self._by_form[each_kind]
                if len(self._recent_scans) >= self._RECENT_SCANS:
                    del self._recent_scans[next(iter(self._recent_scans))]  # the oldest
                # a match is one of the forms as written
                self._recent_scans[(each_kind, text, start, end)] = [(s, e, by_form[text[s:e]]) for s, e in spans]
            hits = self._recent_scans[(kind, text, start, end)]
        return iter(hits)


_LEADING_THE_RE = re.compile(r"^the\s+")
_SPACES_DOTS_RE = re.compile(r"[\s.]+")


@lru_cache(maxsize=100_000)  # pure, and asked of every candidate name of every document
def fold(form: str) -> str:
    """Case- and punctuation-insensitive key for a gazetteer form."""
    form = form.lower().replace("’", "'")
    form = _LEADING_THE_RE.sub("", form)
    return _SPACES_DOTS_RE.sub(" ", form).strip()


def gazetteer_dirs(extra: Iterable[Path | str] = ()) -> list[Path]:
    dirs = [DATA_DIR]
    env = os.environ.get("KG_GAZETTEER", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs += [Path(p) for p in extra]
    return dirs


def load_gazetteer(extra: Iterable[Path | str] = ()) -> Gazetteer:
    entries: list[Entry] = []
    for directory in gazetteer_dirs(extra):
        if not directory.is_dir():
            raise GazetteerError(f"{directory}: gazetteer folder does not exist")
        for kind, filename in FILES.items():
            path = directory / filename
            if path.exists():
                entries.extend(read_tsv(path, kind))
    return Gazetteer(entries)


@dataclass(frozen=True)
class AuthorityLink:
    kind: str
    slug: str
    relation: str  # sameAs | closeMatch | exactMatch
    uri: str
    source: str


RELATIONS = {"sameAs": "http://www.w3.org/2002/07/owl#sameAs",
             "closeMatch": "http://www.w3.org/2004/02/skos/core#closeMatch",
             "exactMatch": "http://www.w3.org/2004/02/skos/core#exactMatch"}


def read_authorities(path: Path) -> list[AuthorityLink]:
    """The curated links to outside authorities; a row without a source is an error, never a guess."""
    links: list[AuthorityLink] = []
    for number, row in tsv_rows(path, ["kind", "slug", "relation", "uri", "source"]):
        if row.get("kind") not in FILES:
            raise GazetteerError(f"{path}:{number}: kind must be one of {', '.join(FILES)}")
        if row.get("relation") not in RELATIONS:
            raise GazetteerError(f"{path}:{number}: relation must be one of {', '.join(RELATIONS)}")
        if not re.match(r"https?://\S+$", row.get("uri", "")):
            raise GazetteerError(f"{path}:{number}: uri must be an http(s) URI")
        if problem := iri_problem(row["uri"]):
            raise GazetteerError(f"{path}:{number}: uri {row['uri']!r} is not an IRI: {problem}")
        if not row.get("source") or not row.get("slug"):
            raise GazetteerError(f"{path}:{number}: every link needs a slug and must name its source")
        links.append(AuthorityLink(row["kind"], row["slug"], row["relation"], row["uri"], row["source"]))
    return links


def load_authorities(extra: Iterable[Path | str] = ()) -> list[AuthorityLink]:
    links: list[AuthorityLink] = []
    for directory in gazetteer_dirs(extra):
        path = Path(directory) / "authorities.tsv"
        if path.exists():
            links.extend(read_authorities(path))
    return links


@dataclass(frozen=True)
class Position:
    person: str  # people.tsv slug
    office: str
    country: str  # places.tsv slug
    start: int
    end: int
    source: str


def read_positions(path: Path) -> list[Position]:
    """Who held which office from when to when; every line names the source to check it against."""
    out = []
    for number, row in tsv_rows(path, ["person", "office", "country", "start", "end", "source"]):
        try:
            start, end = int(row["start"]), int(row["end"])
        except (KeyError, ValueError):
            raise GazetteerError(f"{path}:{number}: start and end must be years") from None
        if not row.get("person") or not row.get("office") or not row.get("source") or end < start:
            raise GazetteerError(f"{path}:{number}: a position needs a person, an office, years in order and a source")
        out.append(Position(row["person"], row["office"], row.get("country", ""), start, end, row["source"]))
    return out


@lru_cache(maxsize=1)
def default_positions() -> tuple[Position, ...]:
    positions: list[Position] = []
    for directory in gazetteer_dirs():
        path = Path(directory) / "positions.tsv"
        if path.exists():
            positions.extend(read_positions(path))
    return tuple(positions)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()
