"""A regex for many literal alternatives, factored as a trie.

Python's ``re`` tries the alternatives of ``a|b|c...`` one by one at each position;
thousands of gazetteer forms or topic labels make that slow. Sharing prefixes
(``Kim (?:Il(?: Sung)?|Du-bong)``) lets the engine drop a branch at the first
differing character. Longest forms still win, as with an alternation sorted by length.
"""
from __future__ import annotations

import re
from typing import Iterable


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
