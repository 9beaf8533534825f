"""Finding many literal forms at once: gazetteer names, topic labels, titles.

``FormMatcher`` finds thousands of forms (gazetteer names, topic labels) in a text exactly as one
regex alternation of them would, without compiling that regex: the compile took about a second in
every new process, far more than the matching of one document.

``trie_pattern`` writes such an alternation, factored as a trie. Python's ``re`` tries the
alternatives of ``a|b|c...`` one by one at each position; sharing prefixes (``Kim (?:Il(?: Sung)?|Du-bong)``)
lets the engine drop a branch at the first differing character. Longest forms still win, as with an
alternation sorted by length. ``kg.extract.people`` uses it for its lists of titles, and
``FormMatcher`` for the rare text it leaves to the regex.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional


def trie_pattern(words: Iterable[str], ignore_case: bool = False) -> str:
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in (word.lower() if ignore_case else word):
            node = node.setdefault(ch, {})
        node[""] = True
    return _emit(trie) or r"(?!x)x"


def _emit(node: dict) -> str:
    ends_here = "" in node
    branches = []
    # branches differ in their first character, so their order does not matter; the optional
    # tail below is greedy, so the longest form is tried first
    for ch in sorted(k for k in node if k):
        branches.append(re.escape(ch) + _emit(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return "(?:" + body + ")?"
    return body


_FIRST_RE = re.compile(r"\w+|\W")  # a form's first token: its first word, or its first character if not a word character
_TOKEN_RE = re.compile(r"\w+|\W\w*")  # the next tokens: a word, or another character and the word after it
_WORD_RE = re.compile(r"\w")


class FormMatcher:
    """For each kind of forms, the spans that
    ``re.compile(f"(?<!{before})(?:{trie_pattern(forms)})(?!{after})").finditer(text, start, end)`` gives,
    found without compiling those regexes, and in one pass for all kinds.

    The regex takes the leftmost place where the lookbehind holds and some form is written, there the
    longest form whose end the lookahead accepts (the trie is greedy and backtracks to shorter forms),
    and goes on after it. So does this, with the forms cut into tokens: ``Kim Il-sung`` is ``Kim``,
    `` Il``, ``-sung``; ``(PRC) Army`` is ``(``, ``PRC``, ``)``, `` Army``. A small regex finds the places
    where the lookbehind holds and the first token of some form is written; from there a trie of the
    tokens of the forms is followed along the text, token by token, and of the forms ending on the way
    the longest the lookahead accepts is the match. Comparing whole tokens is exact because ``after``
    refuses a word character: no form can end inside a word of the text, unless the word is cut at
    ``end``, and the tokens are cut there too. ``before`` is a character class and ``after`` a pattern;
    they see the text as ``finditer`` does: before ``start``, but nothing from ``end`` on.

    With ``ignore_case`` the text is compared lowercased, as ``re.IGNORECASE`` compares it, except for a
    few characters: ``str.lower()`` makes 'İ' two characters where the regex takes it for 'i', and the
    regex also takes 'ſ' for 's', 'ı' for 'i', 'ς' for 'σ' and a few more (``re._casefix``). A text in
    which such a character could matter is left to the regex, compiled then and only then.
    """

    def __init__(self, forms: dict[str, Iterable[str]], before: str, after: str, ignore_case: bool = False):
        self.ignore_case = ignore_case
        self._flags = re.IGNORECASE if ignore_case else 0
        self._before, self._after = before, after
        self.forms = {kind: sorted({f.lower() if ignore_case else f for f in kind_forms if f})
                      for kind, kind_forms in forms.items()}
        # first token -> [(kind, trie node after it)]; a node maps the next token to a node, and holds ""
        # where a form ends
        self._first: dict[str, list[tuple[str, dict]]] = {}
        for kind, kind_forms in self.forms.items():
            trie: dict = {}
            for form in kind_forms:
                first = _FIRST_RE.match(form).group()
                node = trie.setdefault(first, {})
                for token in _TOKEN_RE.findall(form, len(first)):
                    node = node.setdefault(token, {})
                node[""] = True
            for first, node in trie.items():
                self._first.setdefault(first, []).append((kind, node))
        words: dict[str, list[str]] = {}  # first words by their first character
        for first in self._first:
            if _WORD_RE.match(first):
                words.setdefault(first[0], []).append(first)
        # every word starting with a character that starts many first words; the words themselves for
        # the other characters: few gazetteer names start lowercase, and stopping at every lowercase word
        # of the text would cost more than the scan
        many = {ch for ch, firsts in words.items() if len(firsts) > 3}
        few = sorted(first for ch, firsts in words.items() if ch not in many for first in firsts)
        others = {first for first in self._first if not _WORD_RE.match(first)}
        starts = [f"[{_char_class(many)}]\\w*"] if many else []
        if few:
            starts.append(f"(?:{'|'.join(map(re.escape, few))})(?!\\w)")
        if others:
            starts.append(f"[{_char_class(others)}]")
        # no IGNORECASE: with ignore_case this reads the lowercased text
        self._starts = re.compile(f"(?<!{before})(?:{'|'.join(starts) or '(?!x)x'})")
        self._refused = re.compile(after, self._flags)
        # the lowercase characters that re.IGNORECASE also takes for a character of some form
        alphabet = set("".join(f for kind_forms in self.forms.values() for f in kind_forms))
        self._twins = "".join(sorted(lower for lower, twins in _ignorecase_twins().items()
                                     if not alphabet.isdisjoint(twins))) if ignore_case else ""
        self._regexes: dict[str, re.Pattern] = {}

    def regex(self, kind: str) -> re.Pattern:
        """The regex this matcher stands for, compiled on first use (slow: a second for thousands of forms)."""
        if kind not in self._regexes:
            self._regexes[kind] = re.compile(
                f"(?<!{self._before})(?:{trie_pattern(self.forms[kind])})(?!{self._after})", self._flags)
        return self._regexes[kind]

    def find(self, text: str, start: int = 0, end: Optional[int] = None) -> dict[str, list[tuple[int, int]]]:
        """For each kind, (start, end) of every match in ``text[start:end]``, as ``regex(kind).finditer(text, start, end)``."""
        # re clamps pos and endpos to the string
        start = min(max(start, 0), len(text))
        end = len(text) if end is None else min(max(end, 0), len(text))
        found: dict[str, list[tuple[int, int]]] = {kind: [] for kind in self.forms}
        subject, offset = text, 0  # the text the forms are looked for in, and where it starts in text
        if self.ignore_case:
            # lowercased from one character before start on, for the lookbehind: lowercasing changes
            # no character into or out of a word character, a hyphen or an apostrophe
            offset = max(start - 1, 0)
            subject = text[offset:end].lower()
            if len(subject) != end - offset or any(ch in subject for ch in self._twins):
                # str.lower() and re.IGNORECASE could disagree here: let the regexes decide
                for kind in self.forms:
                    found[kind] = [m.span() for m in self.regex(kind).finditer(text, start, end)]
                return found
        first_tokens, token, refused = self._first, _TOKEN_RE.match, self._refused
        stop = end - offset
        resume = dict.fromkeys(self.forms, 0)  # per kind, where its last match ended
        for m in self._starts.finditer(subject, start - offset, stop):
            kinds = first_tokens.get(m.group())
            if kinds is None:  # no form starts with that token
                continue
            i, after_first = m.span()
            for kind, node in kinds:
                if i < resume[kind]:  # inside the previous match
                    continue
                at, ends = after_first, []
                while True:  # along the trie as far as the text follows it
                    if "" in node:
                        ends.append(at)
                        if len(node) == 1:  # no longer form
                            break
                    t = token(subject, at, stop)
                    node = node.get(t.group()) if t else None
                    if node is None:
                        break
                    at = t.end()
                for e in reversed(ends):  # the longest form the lookahead accepts
                    if not refused.match(text, e + offset, end):
                        found[kind].append((i + offset, e + offset))
                        resume[kind] = e
                        break
        return found


def _char_class(chars: Iterable[str]) -> str:
    return "".join(re.escape(ch) for ch in sorted(chars))


def _ignorecase_twins() -> dict[str, str]:
    """For each lowercase character, the other lowercase characters re.IGNORECASE takes for it: the table
    ``re`` itself compiles with (its location moved in Python 3.11)."""
    try:
        from re._casefix import _EXTRA_CASES as table
    except ImportError:  # Python 3.10
        from sre_compile import _ignorecase_fixes as table  # type: ignore[no-redef]
    return {chr(lower): "".join(map(chr, twins)) for lower, twins in table.items()}
