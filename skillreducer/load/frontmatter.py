"""Split the YAML frontmatter off SKILL.md and parse it safely.

Safe loading only (no tags executed), alias expansion bounded, nesting bounded, and
every key, duplicate and explicit tag located on its line.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

import yaml

from skillreducer.model import Frontmatter, YamlTag

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"^---[ \t]*$")
_END = re.compile(r"^(---|\.\.\.)[ \t]*$")
_STYLE = {None: "plain", "": "plain", "'": "single", '"': "double", "|": "literal", ">": "folded"}


def split(lines: list[str]) -> tuple[int, int]:
    """(opening line, closing line) of the frontmatter, 1-based; (0, 0) if none, (1, 0) if unclosed."""
    if not lines or not _FENCE.match(lines[0]):
        return 0, 0
    for index in range(1, len(lines)):
        if _END.match(lines[index]):
            return 1, index + 1
    return 1, 0


def _expanded_size(node: yaml.Node, limit: int) -> int:
    """Node count with aliases expanded (memoised on the composed graph, cycles refused)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(current: yaml.Node) -> int:
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ValueError("recursive alias")
        active.add(key)
        total = 1
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                total += size(k) + size(v)
        elif isinstance(current, yaml.SequenceNode):
            for item in current.value:
                total += size(item)
        active.discard(key)
        sizes[key] = min(total, limit + 1)
        return sizes[key]

    return size(node)


def _explicit_tags(node: yaml.Node, source: str, first_line: int) -> list[YamlTag]:
    found: list[YamlTag] = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        index = current.start_mark.index
        if 0 <= index < len(source) and source[index] == "!":
            tag = source[index:].split(None, 1)[0] if source[index:].strip() else "!"
            found.append(YamlTag(tag, first_line + current.start_mark.line, current.start_mark.column + 1))
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                stack.extend((k, v))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda t: (t.line, t.column))


def parse(source: str, start_line: int, end_line: int, limits: dict[str, Any]) -> Frontmatter:
    first_line = start_line + 1
    base = dict(present=True, source=source, start_line=start_line, end_line=end_line)
    if end_line == 0:
        return Frontmatter(**base, error="frontmatter opened with '---' is never closed", error_line=start_line)
    if len(source.encode("utf-8", "surrogatepass")) > limits["max_frontmatter_bytes"]:
        return Frontmatter(**base, error=f"frontmatter is larger than {limits['max_frontmatter_bytes']} bytes; not parsed", error_line=first_line)
    loader = _Loader(source)
    found: dict[str, Any] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return Frontmatter(**base, data=MappingProxyType({}))
        if _expanded_size(node, limits["max_yaml_nodes"]) > limits["max_yaml_nodes"]:
            return Frontmatter(**base, error=f"aliases expand to more than {limits['max_yaml_nodes']} nodes (alias bomb); not loaded", error_line=first_line)
        found["tags"] = tuple(_explicit_tags(node, source, first_line))
        if not isinstance(node, yaml.MappingNode):
            return Frontmatter(**base, **found, error="frontmatter is not a mapping of keys to values", error_line=first_line + node.start_mark.line)
        found.update(_keys(node, first_line))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        message = error.problem or error.context or "invalid YAML"
        return Frontmatter(**base, **found, error=f"invalid YAML: {message}", error_line=line)
    except yaml.YAMLError as error:
        return Frontmatter(**base, **found, error=f"invalid YAML: {error}", error_line=first_line)
    except (RecursionError, ValueError) as error:
        reason = "nesting too deep" if isinstance(error, RecursionError) else str(error)
        return Frontmatter(**base, **found, error=f"frontmatter not loaded: {reason}", error_line=first_line)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return Frontmatter(**base, **found, error="frontmatter is not a mapping of keys to values", error_line=first_line)
    return Frontmatter(**base, **found, data=MappingProxyType(data))


def _keys(node: yaml.MappingNode, first_line: int) -> dict[str, Any]:
    key_order: list[str] = []
    key_lines: dict[str, int] = {}
    styles: dict[str, str] = {}
    duplicates: list[tuple[str, int]] = []
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
        line = first_line + key_node.start_mark.line
        if key in key_lines:
            duplicates.append((key, line))
            continue
        key_order.append(key)
        key_lines[key] = line
        if isinstance(value_node, yaml.ScalarNode):
            styles[key] = _STYLE.get(value_node.style, "plain")
        else:
            styles[key] = "mapping" if isinstance(value_node, yaml.MappingNode) else "sequence"
    return dict(
        duplicate_keys=tuple(duplicates),
        key_order=tuple(key_order),
        key_lines=MappingProxyType(key_lines),
        styles=MappingProxyType(styles),
    )
