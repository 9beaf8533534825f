"""Dates as archival documents write them, normalized to ISO with a precision.

One place for every date pattern the parser and the extractor need.
"""
from __future__ import annotations

import calendar
import re
from typing import Iterator, Optional

from .records import PartialDate

MONTHS = {
    name.lower(): i for i, name in enumerate(calendar.month_name) if name
}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8,
         "IX": 9, "X": 10, "XI": 11, "XII": 12}

_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
             r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_YEAR = r"(?:1[89]\d\d|20\d\d)"

# Order matters: the most specific patterns first.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})(?:\s*/\s*\d{{1,2}})?\s+(?P<m>{_MONTH_RE})\s*,?\s+(?P<y>{_YEAR})\b", re.I)),
    ("mdy", re.compile(rf"\b(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,\s*(?P<y>{_YEAR})\b", re.I)),
    ("roman", re.compile(r"\b(?P<d>\d{1,2})\.(?P<m>X{0,1}(?:IX|IV|V?I{0,3}))\.(?P<y>\d{2}(?:\d{2})?)\b")),
    ("ymd", re.compile(rf"\b(?P<y>{_YEAR})\.(?P<m>\d{{1,2}})\.(?P<d>\d{{1,2}})\b")),
    ("numeric", re.compile(rf"\b(?P<a>\d{{1,2}})\.(?P<b>\d{{1,2}})\.(?P<y>{_YEAR})\b")),
    ("my", re.compile(rf"\b(?P<m>{_MONTH_RE})\s+(?P<y>{_YEAR})\b", re.I)),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_RE})(?![\w])", re.I)),
    ("md", re.compile(rf"\b(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*,?\s*{_YEAR})", re.I)),
]


class InvalidDate(ValueError):
    """A date that looks like a date but does not exist (31 February)."""


def _make(y: int, m: Optional[int], d: Optional[int], text: str) -> PartialDate:
    if m is None:
        return PartialDate(f"{y:04d}", "year", text)
    if not 1 <= m <= 12:
        raise InvalidDate(f"month {m} does not exist in {text!r}")
    if d is None:
        return PartialDate(f"{y:04d}-{m:02d}", "month", text)
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        raise InvalidDate(f"day {d} does not exist in {calendar.month_name[m]} {y} ({text!r})")
    return PartialDate(f"{y:04d}-{m:02d}-{d:02d}", "day", text)


def _year(value: str) -> int:
    y = int(value)
    return 1900 + y if y < 100 else y


def _from_match(kind: str, m: re.Match, default_year: Optional[int]) -> Optional[PartialDate]:
    text = m.group(0)
    g = m.groupdict()
    if kind in ("dmy", "mdy"):
        return _make(int(g["y"]), MONTHS[g["m"].rstrip(".").lower()], int(g["d"]), text)
    if kind == "roman":
        if g["m"] not in ROMAN:
            return None
        return _make(_year(g["y"]), ROMAN[g["m"]], int(g["d"]), text)
    if kind == "ymd":
        return _make(int(g["y"]), int(g["m"]), int(g["d"]), text)
    if kind == "numeric":
        a, b = int(g["a"]), int(g["b"])
        # European day.month unless the first number cannot be a day of that form
        day, month = (b, a) if b > 12 else (a, b)
        return _make(int(g["y"]), month, day, text)
    if kind == "my":
        return _make(int(g["y"]), MONTHS[g["m"].rstrip(".").lower()], None, text)
    if kind in ("dm", "md"):
        if default_year is None:
            return None
        return _make(default_year, MONTHS[g["m"].rstrip(".").lower()], int(g["d"]), text)
    return None


def find_dates(text: str, default_year: Optional[int] = None,
               errors: Optional[list[str]] = None) -> Iterator[tuple[int, int, PartialDate]]:
    """Every date in ``text`` with its offsets, the longest reading winning.

    Dates without a year take ``default_year`` (the document's year); dates that
    do not exist are skipped and reported in ``errors``.
    """
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, PartialDate]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            try:
                date = _from_match(kind, m, default_year)
            except InvalidDate as exc:
                if errors is not None:
                    errors.append(str(exc))
                taken.append((m.start(), m.end()))
                continue
            if date is not None:
                taken.append((m.start(), m.end()))
                found.append((m.start(), m.end(), date))
    found.sort(key=lambda item: item[0])
    return iter(found)


def parse_date(text: str, default_year: Optional[int] = None) -> Optional[PartialDate]:
    """The first date in ``text``; a bare year counts. Raises InvalidDate."""
    errors: list[str] = []
    for _, _, date in find_dates(text, default_year, errors):
        return date
    if errors:
        raise InvalidDate(errors[0])
    m = re.search(rf"\b({_YEAR})\b", text)
    if m:
        return PartialDate(m.group(1), "year", m.group(0))
    return None


def xsd_datatype(date: PartialDate) -> str:
    return {"day": "date", "month": "gYearMonth", "year": "gYear"}[date.precision]


def bounds(date: PartialDate) -> tuple[str, str]:
    """Earliest and latest day the partial date may stand for."""
    if date.precision == "day":
        return date.iso, date.iso
    y = int(date.iso[:4])
    if date.precision == "month":
        m = int(date.iso[5:7])
        return f"{y:04d}-{m:02d}-01", f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"
    return f"{y:04d}-01-01", f"{y:04d}-12-31"
