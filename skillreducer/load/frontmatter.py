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


# Node properties as written: an optional anchor, then the tag (either order is legal).
_PROPERTIES = re.compile(r"(?:&[^\s,\[\]{}]+\s+)?(![^\s,\[\]{}]*)")


def _explicit_tags(node: yaml.Node, source: str, first_line: int) -> list[YamlTag]:
    found: list[YamlTag] = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        match = _PROPERTIES.match(source, current.start_mark.index)
        if match:
            at = match.start(1)
            line = first_line + source.count("\n", 0, at)
            found.append(YamlTag(match.group(1), line, at - source.rfind("\n", 0, at)))
        if isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                stack.extend((k, v))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda t: (t.line, t.column))


_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


def _line_mapper(source: str, first_line: int):
    """YAML line index -> file line. YAML 1.1 also breaks lines at NEL, LS and PS, which
    editors do not: without this every mark after one would be a line late."""
    if not _YAML_ONLY_BREAKS.search(source):
        return lambda yaml_line: first_line + yaml_line
    file_lines = [first_line]
    line = first_line
    for char in re.finditer("[\n\x85\u2028\u2029]", source):
        if char.group() == "\n":
            line += 1
        file_lines.append(line)
    return lambda yaml_line: file_lines[min(max(yaml_line, 0), len(file_lines) - 1)]


def parse(source: str, start_line: int, end_line: int, limits: dict[str, Any]) -> Frontmatter:
    first_line = start_line + 1
    base = dict(present=True, source=source, start_line=start_line, end_line=end_line)
    if end_line == 0:
        return Frontmatter(**base, error="frontmatter opened with '---' is never closed", error_line=start_line)
    if len(source.encode("utf-8", "surrogatepass")) > limits["max_frontmatter_bytes"]:
        return Frontmatter(**base, error=f"frontmatter is larger than {limits['max_frontmatter_bytes']} bytes; not parsed", error_line=first_line)
    file_line = _line_mapper(source, first_line)
    found: dict[str, Any] = {}
    loader = None
    try:
        loader = _Loader(source)
        node = loader.get_single_node()
        if node is None:
            return Frontmatter(**base, data=MappingProxyType({}))
        if _expanded_size(node, limits["max_yaml_nodes"]) > limits["max_yaml_nodes"]:
            return Frontmatter(**base, error=f"aliases expand to more than {limits['max_yaml_nodes']} nodes (alias bomb); not loaded", error_line=first_line)
        found["tags"] = tuple(_explicit_tags(node, source, first_line))
        if not isinstance(node, yaml.MappingNode):
            return Frontmatter(**base, **found, error="frontmatter is not a mapping of keys to values", error_line=file_line(node.start_mark.line))
        found.update(_keys(node, file_line))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = file_line(mark.line) if mark else first_line
        message = error.problem or error.context or "invalid YAML"
        return Frontmatter(**base, **found, error=f"invalid YAML: {message}", error_line=line)
    except yaml.reader.ReaderError as error:
        # A character YAML refuses (a control character, say): locate it by value.
        character = chr(error.character) if isinstance(error.character, int) else str(error.character)
        at = source.find(character)
        line = first_line + source.count("\n", 0, at) if at >= 0 else first_line
        code = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(character)
        return Frontmatter(**base, **found, error=f"invalid YAML: unacceptable character {code}: {error.reason}", error_line=line)
    except yaml.YAMLError as error:
        return Frontmatter(**base, **found, error=f"invalid YAML: {str(error).splitlines()[0] if str(error) else 'parse error'}", error_line=first_line)
    except (RecursionError, ValueError, OverflowError, MemoryError) as error:
        reason = "nesting too deep" if isinstance(error, RecursionError) else str(error) or type(error).__name__
        return Frontmatter(**base, **found, error=f"frontmatter not loaded: {reason}", error_line=first_line)
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        return Frontmatter(**base, **found, error="frontmatter is not a mapping of keys to values", error_line=first_line)
    return Frontmatter(**base, **found, data=MappingProxyType(data))


def _keys(node: yaml.MappingNode, file_line) -> dict[str, Any]:
    key_order: list[str] = []
    key_lines: dict[str, int] = {}
    styles: dict[str, str] = {}
    duplicates: list[tuple[str, int]] = []
    for key_node, value_node in node.value:
        key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else repr(key_node.value)
        line = file_line(key_node.start_mark.line)
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
