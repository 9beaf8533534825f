"""The shared development corpus (skipped when ../shared is absent)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.evaluate import evaluate


@pytest.fixture(scope="module")
def corpus_store(shared_corpus_module, tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "store"
    report = build([shared_corpus_module / "docs"], path)
    return report, path


@pytest.fixture(scope="module")
def shared_corpus_module():
    from conftest import REPO_ROOT

    root = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
    if not (root / "docs").is_dir():
        pytest.skip("shared corpus not available")
    return root


def test_all_documents_build(corpus_store, shared_corpus_module):
    report, _ = corpus_store
    files = sorted(p.stem for p in (shared_corpus_module / "docs").glob("*.txt"))
    assert report.skipped == []
    assert len(report.built) == len(files) == 21


def test_the_built_corpus_validates(corpus_store):
    _, path = corpus_store
    result = CliRunner().invoke(main, ["validate", "--store", str(path)])
    assert result.exit_code == 0, result.output[-3000:]


def test_eval_scores_every_category(shared_corpus_module):
    result = evaluate(shared_corpus_module / "docs", shared_corpus_module / "gold")
    assert result["built"] == 21
    for category in ("people", "meetings", "participants", "places", "organizations"):
        score = result["scores"][category]
        assert 0.0 <= score["f1"] <= 1.0 and score["gold"] > 0
    assert result["cross_document"]["gold_people_in_several_documents"] > 0
