"""Parse fenced code blocks with tree-sitter and locate syntax errors."""

from __future__ import annotations

import functools
import importlib
import math
import os
import pickle
import re
import select
import signal
import time

from skillreducer.model import SyntaxIssue

# fence info word -> grammar name
ALIASES = {
    "python": "python", "py": "python", "python3": "python",
    "bash": "bash", "sh": "bash", "shell": "bash", "zsh": "bash",
    "javascript": "javascript", "js": "javascript", "jsx": "javascript", "mjs": "javascript", "cjs": "javascript", "node": "javascript",
    "typescript": "typescript", "ts": "typescript", "tsx": "tsx",
    "json": "json",
    "yaml": "yaml", "yml": "yaml",
}

# grammar name -> (module, function returning the language pointer)
_GRAMMARS = {
    "python": ("tree_sitter_python", "language"),
    "bash": ("tree_sitter_bash", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "json": ("tree_sitter_json", "language"),
    "yaml": ("tree_sitter_yaml", "language"),
}

MAX_ISSUES = 3

# tree-sitter-yaml 0.7 overflows its scanner state at about 254 nested block levels and
# crashes the process (SIGSEGV). Each level needs one more column of indentation or of
# indicators ("- ", "? ", ": ") before the node, so a block whose lines all keep that
# prefix under this many columns is safe.
_YAML_SAFE_COLUMN = 200
_YAML_PREFIX = re.compile(r"[ \t]+|[-?:](?=[ \t]|$)|[&!][^ \t]*")


def language_of(info: str) -> str:
    word = info.strip().split(None, 1)[0] if info.strip() else ""
    return word.strip("{}.").split(",", 1)[0].lower()


@functools.cache
def _parser(grammar: str):
    # Imported lazily: each grammar costs ~15 ms to import and most skills use one or two.
    from tree_sitter import Language, Parser

    module_name, function = _GRAMMARS[grammar]
    module = importlib.import_module(module_name)
    return Parser(Language(getattr(module, function)()))


def grammar_for(language: str) -> str | None:
    return ALIASES.get(language)


def unsafe_to_parse(grammar: str, code: str) -> bool:
    """True when the grammar is known to crash on this code (never parse it then)."""
    if grammar != "yaml":
        return False
    for line in code.split("\n"):
        if len(line) < _YAML_SAFE_COLUMN:
            continue
        position = 0
        while position < _YAML_SAFE_COLUMN:
            match = _YAML_PREFIX.match(line, position)
            if not match:
                break
            position = match.end()
        if position >= _YAML_SAFE_COLUMN:
            return True
    return False


def syntax_issues(grammar: str, code: str, first_line: int) -> tuple[SyntaxIssue, ...]:
    """Up to MAX_ISSUES syntax errors, located in file lines (first_line = line of code row 0).

    Columns are 1-based characters of the code row (tree-sitter counts bytes)."""
    if unsafe_to_parse(grammar, code):
        return ()
    data = code.encode("utf-8", "surrogatepass")
    tree = _parser(grammar).parse(data)
    return _issues(tree, data, first_line)


def isolated_syntax_issues(grammar: str, code: str, first_line: int, seconds: float, memory_bytes: int) -> tuple[SyntaxIssue, ...] | None:
    """syntax_issues in a forked child with an alarm and an address-space limit; None when
    it gave up. tree-sitter's error recovery is superlinear on runs of operators (10 KB
    of `/*` in a python block takes 6 s and 4.7 GB) and py-tree-sitter has no timeout."""
    if not hasattr(os, "fork"):
        return None
    # Imported here, before the fork, so that each child does not load them again (~1 ms).
    import faulthandler
    import resource

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: parse, send the result, exit without cleanup
        try:
            os.close(read_fd)
            faulthandler.disable()  # tree-sitter may die of the memory limit: that is expected here

            resource.setrlimit(resource.RLIMIT_AS, (_address_space() + memory_bytes,) * 2)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.alarm(max(1, math.ceil(seconds)))
            payload = pickle.dumps(syntax_issues(grammar, code, first_line))
            while payload:
                payload = payload[os.write(write_fd, payload) :]
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds + 1
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                return None
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # the child died (alarm, memory limit) before it finished writing
        return None


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _issues(tree, data: bytes, first_line: int) -> tuple[SyntaxIssue, ...]:
    root = tree.root_node
    if not root.has_error:
        return ()
    rows: list[bytes] | None = None
    issues: list[SyntaxIssue] = []
    stack = [root]
    while stack and len(issues) < MAX_ISSUES:
        node = stack.pop()
        if not (node.is_missing or node.is_error):
            if node.has_error:
                stack.extend(reversed(node.children))
            continue
        row, byte_column = node.start_point
        if rows is None:
            rows = data.split(b"\n")
        if row > 0 and row == len(rows) - 1 and not rows[row]:
            # Past the final newline is the closing fence: point at the end of the last code row.
            row -= 1
            byte_column = len(rows[row])
        column = len(rows[row][:byte_column].decode("utf-8", "replace")) + 1 if row < len(rows) else byte_column + 1
        if node.is_missing:
            message = f"missing {node.type!r}"
        else:
            snippet = data[node.start_byte : node.end_byte].decode("utf-8", "replace").strip().split("\n", 1)[0][:40]
            message = f"unexpected {snippet!r}" if snippet else "syntax error"
        issues.append(SyntaxIssue(first_line + row, column, message))
    return tuple(issues)
