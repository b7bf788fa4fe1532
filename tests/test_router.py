"""Routers: ranking, determinism, the embedding disk cache, unseen terms, kinds, lazy imports.

The semantic tests load the real bundled model (a few seconds, once per process)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from skillreducer import resources
from skillreducer.route.router import (
    Candidate,
    HybridRouter,
    LexicalRouter,
    SemanticRouter,
    default_router_kind,
    make_router,
)

POOL = [
    Candidate("pdf", "pdf", "Extract text and tables from PDF files, fill PDF forms, and merge or split documents with pypdf and pdfplumber. Use when the user works with .pdf files or asks to combine, split, rotate or OCR PDFs."),
    Candidate("docx", "docx", "Create and edit Word documents (.docx): tracked changes, comments, headers, tables of contents and styles via python-docx. Use when the user asks to draft, redline or format a Word document."),
    Candidate("xlsx", "xlsx", "Build and analyse Excel spreadsheets (.xlsx, .csv): formulas, pivot tables, charts and conditional formatting with openpyxl and pandas. Use when the user asks for a spreadsheet, a budget model or data in cells."),
    Candidate("pptx", "pptx", "Create and edit PowerPoint presentations (.pptx): slide layouts, speaker notes, charts and themes with python-pptx. Use when the user asks for slides, a deck or a presentation."),
    Candidate("k8s-deploy", "k8s-deploy", "Deploy services to Kubernetes (k8s) with Helm charts and kubectl rollouts. Use when the user asks to ship a container image to a cluster or roll back a release."),
    Candidate("commit-messages", "commit-messages", "Write conventional commit messages from a staged git diff: type, scope, summary line and body. Use when the user asks for a commit message or to describe their changes."),
]
REQUESTS = {
    "Pull the tables out of invoice.pdf and merge it with the other two PDFs": "pdf",
    "Redline this contract in Word and leave comments for legal": "docx",
    "Add a pivot table and a chart of monthly revenue to budget.xlsx": "xlsx",
    "Turn these meeting notes into a ten-slide deck with speaker notes": "pptx",
    "Roll out the new container image to the staging k8s cluster with helm": "k8s-deploy",
    "Write a commit message for my staged changes": "commit-messages",
}
PROBES = list(REQUESTS)
# What reduce fits the lexical router on: the corpus checked against plus the skill's own text.
VOCABULARY = [c.text for c in POOL] + ["Merge PDFs: combine several PDF documents into one file, keeping bookmarks."]


def _routers(kind: str, cache_dir):
    return make_router(kind, VOCABULARY, cache_dir)


@pytest.mark.parametrize("kind", ["lexical", "semantic", "hybrid"])
def test_each_request_routes_to_its_skill(kind, tmp_path):
    router = _routers(kind, tmp_path)
    scores = router.scores(PROBES, POOL)
    assert scores.shape == (len(PROBES), len(POOL)) and router.name == kind
    assert [POOL[i].key for i in scores.argmax(axis=1)] == [REQUESTS[p] for p in PROBES]


@pytest.mark.parametrize("kind", ["lexical", "semantic", "hybrid"])
def test_scores_are_deterministic(kind, tmp_path):
    first = _routers(kind, None)
    scores = first.scores(PROBES, POOL)
    assert np.array_equal(first.scores(PROBES, POOL), scores)
    assert np.array_equal(_routers(kind, None).scores(PROBES, POOL), scores)
    # A pair's score does not depend on the rest of the pool (the oracle scores the
    # skill alone and its rivals together), beyond float64 rounding.
    assert np.allclose(first.scores(PROBES, POOL[:1])[:, 0], scores[:, 0], rtol=0, atol=1e-12)
    assert np.allclose(first.scores(PROBES[2:3], POOL)[0], scores[2], rtol=0, atol=1e-12)


def test_candidate_text_reads_the_name_as_words():
    assert Candidate("k", "pdf-form-filler", "Fills PDF forms.").text == "pdf form filler: Fills PDF forms."


def test_semantic_vectors_come_back_from_disk(tmp_path):
    import torch

    threads = torch.get_num_threads()
    first = SemanticRouter(tmp_path)
    scores = first.scores(PROBES, POOL)
    assert first.encoded == len(PROBES) + len(POOL)
    first.scores(PROBES, POOL)
    assert first.encoded == len(PROBES) + len(POOL)  # warm: nothing re-encoded

    second = SemanticRouter(tmp_path)
    assert np.array_equal(second.scores(PROBES, POOL), scores)
    assert second.encoded == 0  # every vector read from disk
    changed = [*POOL[:-1], Candidate("commit-messages", "commit-messages", "Writes commit messages.")]
    second.scores(PROBES, changed)
    assert second.encoded == 1  # only the changed description

    # Each text is encoded alone, so a fresh vector equals the cached one bit for bit.
    assert np.array_equal(SemanticRouter(None).scores(PROBES, POOL), scores)
    assert torch.get_num_threads() == threads  # encoding on one thread gives the others back


def test_corrupt_cache_files_are_ignored_and_rewritten(tmp_path, capsys):
    scores = SemanticRouter(tmp_path).scores(PROBES, POOL)
    files = sorted(p for p in (tmp_path / "embeddings").rglob("*") if p.is_file())
    assert len(files) == len(PROBES) + len(POOL) and not any(p.name.startswith(".tmp-") for p in files)
    files[0].write_bytes(b"")  # empty
    files[1].write_bytes(files[1].read_bytes()[:-7])  # truncated
    altered = bytearray(files[2].read_bytes())
    altered[40] ^= 0xFF  # one flipped byte in the vector
    files[2].write_bytes(bytes(altered))
    files[3].write_bytes(files[4].read_bytes())  # another text's vector under this name
    files[5].unlink()
    files[5].mkdir()  # not even a file
    files[6].write_bytes(b"\x00" * 10_000_000)  # big garbage

    reader = SemanticRouter(tmp_path)
    assert np.array_equal(reader.scores(PROBES, POOL), scores)
    assert reader.encoded == 6
    # The five files were rewritten; the folder in the way stays, and is said once per router.
    again = SemanticRouter(tmp_path)
    assert np.array_equal(again.scores(PROBES, POOL), scores)
    assert again.encoded == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("cannot write") == 2


def test_unwritable_cache_is_reported_once_and_routing_goes_on(tmp_path, capsys):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    router = SemanticRouter(blocked)
    assert np.array_equal(router.scores(PROBES, POOL), SemanticRouter(None).scores(PROBES, POOL))
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "cannot write" in captured.err


def test_lexical_unseen_terms_neither_match_nor_dilute():
    router = LexicalRouter(VOCABULARY)
    # A probe of words never seen at fit time is a zero vector: 0 against everyone.
    assert np.array_equal(router.scores(["zorblax quuxifier"], POOL), np.zeros((1, len(POOL))))
    # An unseen word added to a description changes nothing: vectors cover known terms only.
    plain = router.scores(PROBES, POOL)
    padded = [Candidate(c.key, c.name, c.description + " zorblax quuxifier") for c in POOL]
    assert np.array_equal(router.scores(PROBES, padded), plain)
    # The same word, once in the vocabulary, counts.
    fitted = LexicalRouter([*VOCABULARY, "zorblax reports"])
    assert fitted.scores(["zorblax"], padded).min() > 0


def test_lexical_tokens_keep_identifiers():
    router = LexicalRouter(VOCABULARY)
    for probe, key in [("pdfplumber", "pdf"), ("k8s", "k8s-deploy"), ("an xlsx", "xlsx"), (".docx", "docx")]:
        row = router.scores([probe], POOL)[0]
        assert [POOL[i].key for i in np.flatnonzero(row > 0)] == [key], probe
    # Hyphens split: "python" also matches python-docx, the bigram only python-pptx.
    row = router.scores(["python-pptx"], POOL)[0]
    assert [POOL[i].key for i in np.flatnonzero(row > 0)] == ["docx", "pptx"] and POOL[row.argmax()].key == "pptx"


def test_lexical_stop_words_carry_no_signal():
    router = LexicalRouter(VOCABULARY)
    assert np.array_equal(router.scores(["use it when the user asks"], POOL), np.zeros((1, len(POOL))))


def test_hybrid_weighs_the_two_cosines(tmp_path):
    lexical, semantic = LexicalRouter(VOCABULARY), SemanticRouter(tmp_path)
    hybrid = HybridRouter(lexical, semantic)
    weight = resources.limits()["route"]["hybrid_semantic_weight"]
    assert hybrid.semantic_weight == weight and 0 < weight < 1
    expected = weight * semantic.scores(PROBES, POOL) + (1 - weight) * lexical.scores(PROBES, POOL)
    assert np.array_equal(hybrid.scores(PROBES, POOL), expected)
    assert np.array_equal(HybridRouter(lexical, semantic, 1.0).scores(PROBES, POOL), semantic.scores(PROBES, POOL))
    with pytest.raises(ValueError, match="between 0 and 1"):
        HybridRouter(lexical, semantic, 1.5)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown router kind 'bm25'; choose from lexical, semantic, hybrid"):
        make_router("bm25", VOCABULARY, None)
    with pytest.raises(ValueError, match="no words to route by"):
        LexicalRouter(["the and of", ""])
    with pytest.raises(TypeError, match="not one string"):
        LexicalRouter(VOCABULARY).scores("merge these PDFs", POOL)
    assert LexicalRouter(VOCABULARY).scores([], POOL).shape == (0, len(POOL))
    assert LexicalRouter(VOCABULARY).scores(PROBES, []).shape == (len(PROBES), 0)


def test_make_router_builds_each_kind(tmp_path):
    assert isinstance(make_router("lexical", VOCABULARY, None), LexicalRouter)
    assert isinstance(make_router("semantic", VOCABULARY, tmp_path), SemanticRouter)
    assert isinstance(make_router("hybrid", VOCABULARY, tmp_path), HybridRouter)


def _python(code: str) -> str:
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_default_router_kind():
    assert default_router_kind() == "hybrid"  # the dev venv has the semantic extra
    # Without it (an import of sentence_transformers that fails, as when not installed):
    without = _python(
        "import sys; sys.modules['sentence_transformers'] = None\n"
        "from skillreducer.route.router import default_router_kind, make_router\n"
        "print(default_router_kind())\n"
        "try:\n    make_router('hybrid', ['pdf files'], None)\nexcept ImportError as error:\n    print(error)\n"
    )
    assert without.splitlines() == ["lexical", "the semantic router needs the semantic extra: pip install 'skillreducer[semantic]'"]


def test_importing_the_router_loads_no_model_library():
    loaded = _python(
        "import sys, skillreducer.route.router\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'sklearn') if m in sys.modules))"
    )
    assert loaded == "[]"
