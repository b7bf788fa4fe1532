"""Parse fenced code blocks with tree-sitter and locate syntax errors."""

from __future__ import annotations

import functools
import importlib

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


def syntax_issues(grammar: str, code: str, first_line: int) -> tuple[SyntaxIssue, ...]:
    """Up to MAX_ISSUES syntax errors, located in file lines (first_line = line of code row 0)."""
    tree = _parser(grammar).parse(code.encode("utf-8", "surrogatepass"))
    root = tree.root_node
    if not root.has_error:
        return ()
    issues: list[SyntaxIssue] = []
    stack = [root]
    while stack and len(issues) < MAX_ISSUES:
        node = stack.pop()
        if node.is_missing:
            issues.append(SyntaxIssue(first_line + node.start_point[0], node.start_point[1] + 1, f"missing {node.type!r}"))
        elif node.is_error:
            snippet = code.encode("utf-8", "surrogatepass")[node.start_byte : node.end_byte].decode("utf-8", "replace")
            snippet = snippet.strip().split("\n", 1)[0][:40]
            issues.append(SyntaxIssue(first_line + node.start_point[0], node.start_point[1] + 1, f"unexpected {snippet!r}" if snippet else "syntax error"))
        elif node.has_error:
            stack.extend(reversed(node.children))
    return tuple(issues)
