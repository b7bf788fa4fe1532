"""CPU seconds that the parsers and the tokenizer `check` is built on take inside one cold check.

    python bench/library_floor.py CORPUS        (prints JSON; bench/check_speed.py runs it)

Runs `check` in one process (no pool, no cache) with the library calls timed where the
loader and the rules make them: markdown-it-py's block and inline parsers, tiktoken's
encoder (and loading it), tree-sitter's parsers, PyYAML's C loader, and scikit-learn's
import and TF-IDF for the corpus rules. Code-block parses that run in a forked child
(the few the loader isolates) are not counted, so the sum is a lower bound: a `check` that
parses each body once with markdown-it-py, counts the tokens its budgets need with
tiktoken, and parses code blocks, frontmatter and the corpus TF-IDF with these libraries
spends at least this much CPU on the corpus, and on N cores a cold run takes at least the
sum divided by N (before Python starts and imports anything).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections import Counter

clock: Counter[str] = Counter()
now = time.process_time


def timed(owner: object, name: str, label: str) -> None:
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = now()
        try:
            return original(*args, **kwargs)
        finally:
            clock[label] += now() - start

    setattr(owner, name, wrapper)


class _TimedParser:
    """tree-sitter's Parser is a C type whose methods cannot be replaced: wrap the object."""

    def __init__(self, parser):
        self.parser = parser

    def parse(self, data):
        start = now()
        try:
            return self.parser.parse(data)
        finally:
            clock["tree-sitter"] += now() - start


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    import markdown_it
    import markdown_it.parser_inline
    import tiktoken

    from skillreducer import tokens
    from skillreducer.config import Config
    from skillreducer.discover import discover
    from skillreducer.lint.runner import lint_roots
    from skillreducer.load import code, frontmatter

    timed(markdown_it.MarkdownIt, "parse", "markdown-it-py")
    timed(markdown_it.parser_inline.ParserInline, "parse", "markdown-it-py")
    timed(tiktoken.Encoding, "encode_ordinary", "tiktoken")
    timed(tokens, "_encoding", "tiktoken")  # the first call loads the encoding
    parser_of = code._parser
    code._parser = lambda grammar: _TimedParser(parser_of(grammar))

    class TimedLoader(frontmatter._Loader):
        def get_single_node(self):
            start = now()
            try:
                return super().get_single_node()
            finally:
                clock["PyYAML"] += now() - start

        def construct_document(self, node):
            start = now()
            try:
                return super().construct_document(node)
            finally:
                clock["PyYAML"] += now() - start

    frontmatter._Loader = TimedLoader

    # Imported here, not by the corpus rule during the check, so the import is timed.
    start = now()
    importlib.import_module("sklearn.feature_extraction.text")
    imported = now() - start
    clock["scikit-learn"] += imported
    from sklearn.feature_extraction.text import TfidfVectorizer

    timed(TfidfVectorizer, "fit_transform", "scikit-learn")

    roots = [str(root) for root in discover([sys.argv[1]])]
    start = now()
    lint_roots(roots, Config(), jobs=1, cache_dir=None)
    whole = now() - start + imported
    print(json.dumps({"libraries": dict(clock.most_common()), "check": whole}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
