"""kg.trie.FormMatcher finds exactly what the regexes it replaced found.

The gazetteer and the topic labels were matched with one regex of every form, factored as a trie:
``REFERENCE`` and ``LABEL_REFERENCE`` below are those regexes, written out as they were. Every case
compares the matcher with them over every ``(start, end)`` of a short invented text, so a drift in
the semantics (order, overlaps, lookarounds, bounds, case) fails here.
"""
from __future__ import annotations

import re

import pytest

from kg.gazetteer import Gazetteer, Entry
from kg.trie import FormMatcher, trie_pattern

GAZ_BEFORE, GAZ_AFTER = r"[\w'’-]", r"[\w-]|['’]\w"
LABEL_BEFORE = LABEL_AFTER = r"[\w-]"


def reference(forms) -> re.Pattern:
    return re.compile(r"(?<![\w'’-])(?:%s)(?![\w-]|['’]\w)" % trie_pattern(forms))


def label_reference(labels) -> re.Pattern:
    return re.compile(r"(?<![\w-])(%s)(?![\w-])" % trie_pattern({l.lower() for l in labels}, ignore_case=True), re.I)


def spans(pattern: re.Pattern, text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text, start, end)]


def assert_same(matcher: FormMatcher, patterns: dict[str, re.Pattern], text: str) -> None:
    """Same spans as each kind's regex for the whole text and for every region of it (bounds included)."""
    assert matcher.find(text) == {kind: spans(p, text, 0, len(text)) for kind, p in patterns.items()}
    for start in range(len(text) + 1):
        for end in range(start, len(text) + 1):
            want = {kind: spans(p, text, start, end) for kind, p in patterns.items()}
            assert matcher.find(text, start, end) == want, (text, start, end)


def gazetteer_case(forms, text, other_kind=()):
    kinds = {"k": forms, "other": other_kind}
    assert_same(FormMatcher(kinds, GAZ_BEFORE, GAZ_AFTER), {k: reference(f) for k, f in kinds.items()}, text)


def label_case(labels, text):
    assert_same(FormMatcher({"label": labels}, LABEL_BEFORE, LABEL_AFTER, ignore_case=True),
                {"label": label_reference(labels)}, text)


FORMS = ["North Korea", "Korea", "North", "Korea Bay", "Bay", "Kim", "Kim Il", "Kim Il Sung",
         "U.S.", "U.S", "U.S.S.R.", "VKP(b)", "CC VKP(b)", "(PRC) Foreign Ministry", "'Two Chinas'", "Foreign Ministry"]


@pytest.mark.parametrize("text", [
    "North Korea Bay, North Koreans, Korea Bay.",          # overlapping forms: leftmost, then longest
    "Kim Il Sungism; Kim Il Sung's; Kim-Il; Kim Il-",      # the longest fails the lookahead, a shorter one does not
    "Kim Il Sung’s Kim Il’ Kim Il' Kim Il'x",              # apostrophes after a form, either kind
    "the U.S. and U.S.S.R. and U.S's and U.Sx and U.S.-",  # punctuation inside and at the end of forms
    "the (PRC) Foreign Ministry, CC VKP(b) and VKP(b)s",   # forms starting or ending with punctuation
    "x(PRC) Foreign Ministry; 'Two Chinas' or ''Two Chinas'",
    "-Korea 'Korea ’Korea _Korea Korea_ 2Korea Korea2",    # what may not stand before or after a form
])
def test_gazetteer_forms_as_the_regex(text):
    gazetteer_case(FORMS, text)


def test_kinds_are_found_independently():
    # one scan for all kinds, but a match of one kind does not hide a form of another
    text = "North Korea Bay, (PRC) Foreign Ministry, Kim Il Sung's U.S. visit"
    gazetteer_case(FORMS, text, other_kind=["Korea Bay", "Korea", "PRC", "Foreign", "Il Sung", "U"])
    gazetteer_case(["Korea"], text, other_kind=FORMS)


def test_bounds_as_finditer():
    # the lookbehind sees before start; the text ends at end, so the lookahead sees nothing from there
    text = "Koreans; xKorea; Korea's; North Korea"
    gazetteer_case(FORMS, text)
    matcher = FormMatcher({"k": FORMS}, GAZ_BEFORE, GAZ_AFTER)
    assert matcher.find(text, 0, 5)["k"] == [(0, 5)]        # "Korea" cut out of "Koreans"
    assert matcher.find(text, 10, 15)["k"] == []            # "Korea" after an "x" before start
    assert matcher.find(text, 17, 23)["k"] == [(17, 22)]    # "Korea'" with the "s" cut off
    assert matcher.find(text, 26, 33)["k"] == [(26, 31)]    # "North" of "North Korea" cut short
    assert matcher.find(text, -5, 10_000) == matcher.find(text)  # clamped as by re


def test_no_forms_and_empty_forms():
    gazetteer_case([], "Korea")
    gazetteer_case(["", "Korea"], "Korea, ")


LABELS = ["Trade", "Trade Zone", "anti-party group", "Party", "Free Trade Zone", "Sino-Soviet split",
          "Women’s organization", '"two chinas"', "kk", "Οδος", "ÉTÉ"]


@pytest.mark.parametrize("text", [
    "TRADE zone, free trade ZONE and a trade-zone; Anti-Party Group's anti-party groups",
    "The sino-soviet SPLIT; WOMEN’S ORGANIZATION; \"Two Chinas\" x\"two chinas\"",
    "été ÉTÉ Été éTé",
    "ΟΔΟΣ οδος ΟΔΟΣΑ",                                  # final sigma: str.lower() and re differ inside a word
])
def test_labels_ignore_case_as_the_regex(text):
    label_case(LABELS, text)


@pytest.mark.parametrize("text", [
    "PARTY İn Trade",          # 'İ' lowercases to two characters
    "Tradeſ; ſino-ſoviet split; Party",  # re.IGNORECASE takes 'ſ' for 's'
    "Sıno-Soviet split, trade",  # and 'ı' for 'i'
    "\u212a\u212a and KK",     # the Kelvin sign lowercases to 'k'
    "οδοσ ΟΔΟς οδος",          # 'σ' and 'ς' are one letter to re
])
def test_labels_with_the_characters_where_lower_and_ignorecase_differ(text):
    label_case(LABELS, text)
    label_case(LABELS + ["ſilk road", "οδοσ"], text)  # forms holding them too


def test_plain_texts_do_not_compile_the_regex():
    matcher = FormMatcher({"label": LABELS}, LABEL_BEFORE, LABEL_AFTER, ignore_case=True)
    assert matcher.find("Free trade zone, TRADE, party")["label"] == [(0, 15), (17, 22), (24, 29)]
    assert matcher.find("Free trade zone", -3, 99)["label"] == [(0, 15)]  # bounds clamped as by re
    assert not matcher._regexes  # the point of the matcher: no big compile in a new process
    assert matcher.find("İ trade")["label"] == [(2, 7)]
    assert "label" in matcher._regexes


def test_lowercasing_agrees_with_re_one_character_at_a_time():
    """What the case-insensitive matcher assumes of Python's Unicode tables: lowercasing one character gives
    re's own lowercase of it, keeps it a word character or not, and does not change it again; 'İ' alone
    lowercases to two characters, which the matcher checks."""
    _sre = pytest.importorskip("_sre")
    word = re.compile(r"\w").match
    odd = []
    for code in range(0x110000):
        ch = chr(code)
        low = ch.lower()
        if low != ch and (len(low) != 1 or ord(low) != _sre.unicode_tolower(code)
                          or bool(word(ch)) != bool(word(low)) or low.lower() != low):
            odd.append(ch)
    assert odd == ["İ"]


def test_gazetteer_find_uses_the_matcher():
    entries = [Entry("place", "nk", "North Korea", ["DPRK", "D.P.R.K."]), Entry("place", "k", "Korea")]
    g = Gazetteer(entries)
    text = "The D.P.R.K., North Korea's army, Koreans and Korea."
    got = [(text[s:e], entry.slug) for s, e, entry in g.find("place", text)]
    assert got == [("D.P.R.K.", "nk"), ("Korea", "k")]
    assert not g.matcher._regexes
