"""Shared fixtures for the archive-kg unit tests."""
from __future__ import annotations

import codecs
from pathlib import Path
from typing import Callable, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"


_BOMS = {"utf-8": codecs.BOM_UTF8, "utf8": codecs.BOM_UTF8,
         "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def render_doc(
    *,
    date: Optional[str] = "March 3, 1961",
    title: Optional[str] = "Memorandum of Conversation with the Mayor of Ostrava",
    citation: Optional[str] = None,
    summary: Optional[str] = None,
    credits: Optional[str] = None,
    language: Optional[str] = None,
    contents: Optional[str] = "Translation - English",
    body: Optional[str] = None,
    sections: Optional[list[str]] = None,
    leading_blank: bool = True,
) -> str:
    """The text of a document in the Wilson Center export layout.

    Parts given as ``None`` are left out. ``sections`` orders the header sections
    (names: citation, summary, credits, language, contents); by default they come
    in the archive's usual order. ``contents`` is the label under ``Contents:``
    (``""`` writes the ``Contents:`` line with no label); the ``body`` follows it.
    """
    labels = {
        "citation": ("Citation:", citation),
        "summary": ("Summary:", summary),
        "credits": ("Credits:", credits),
        "language": ("Original Language:", language),
        "contents": ("Contents:", contents),
    }
    order = sections or ["citation", "summary", "credits", "language", "contents"]
    chunks: list[str] = []
    if leading_blank:
        chunks.append("")
    if date is not None:
        chunks.append(date)
    if title is not None:
        chunks.append(f"**{title}**")
    for name in order:
        label, value = labels[name]
        if value is None:
            continue
        chunks.append(label)
        if value:
            chunks.append(value)
    if body is not None:
        chunks.append(body)
    return "\n\n".join(chunks) + "\n"


@pytest.fixture
def make_doc(tmp_path: Path) -> Callable[..., Path]:
    """Write a document in the Wilson Center layout to ``tmp_path``; returns its path.

    Keyword parts: ``date``, ``title``, ``citation``, ``summary``, ``credits``,
    ``language``, ``contents``, ``body`` (``None`` leaves a part out), ``sections``
    (order of the header sections), ``name`` (file name), ``newline`` (e.g.
    ``"\\r\\n"``), ``encoding`` (e.g. ``"utf-16"``, ``"latin-1"``), ``bom`` (prefix the
    byte order mark of ``encoding``: UTF-8, UTF-16-LE or UTF-16-BE; ``"utf-16"`` has one anyway).
    """
    counter = {"n": 0}

    def _make(*, name: Optional[str] = None, newline: str = "\n", encoding: str = "utf-8",
              bom: bool = False, **parts) -> Path:
        counter["n"] += 1
        text = render_doc(**parts)
        if newline != "\n":
            text = text.replace("\n", newline)
        data = text.encode(encoding)
        if bom:
            data = _BOMS[encoding.lower().replace("_", "-")] + data
        path = tmp_path / (name or f"doc{counter['n']}.txt")
        path.write_bytes(data)
        return path

    return _make


@pytest.fixture
def shared_corpus() -> Path:
    """The shared corpus next to the repository (``../shared/corpus``), or skip."""
    corpus = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
    if not corpus.is_dir():
        pytest.skip("shared corpus not available")
    return corpus
