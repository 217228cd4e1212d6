"""Read a dashboards file: YAML in, a validated DashboardsFile out, or one error naming file and line.

The YAML is composed into nodes once and built from them, so every pydantic error's location
(('dashboards', 0, 'panels', 1, 'thresholds'), say) can be walked through the same nodes to
the line it came from. An error names the dashboard and panel as a person finds them: by name
or title, and panels counted from 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from live.dashboards.model import DashboardsFile

MAX_SHOWN = 10
# Aliases let a small file stand for a huge tree; validating that would hold the server up.
MAX_VALUES = 1_000_000
_MERGE_KEY = "<<"


class DashboardsError(ValueError):
    """A dashboards file that cannot be used; each line of the message names its file and line."""

    def __init__(self, message: str, *, source: str, line: int | None = None) -> None:
        super().__init__(message)
        self.source = source
        self.line = line


def _problem(source: str, line: int | None, message: str) -> DashboardsError:
    where = source if line is None else f"{source}, line {line}"
    return DashboardsError(f"{where}: {message}", source=source, line=line)


def _yaml_problem(error: yaml.YAMLError, text: str, source: str) -> DashboardsError:
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML refuses: it has a position, not a mark
        line = text.count("\n", 0, error.position) + 1
        return _problem(source, line, f"not valid YAML: character U+{error.character:04X} is not allowed")
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    parts = [getattr(error, "context", None), getattr(error, "problem", None)]
    said = "; ".join(part for part in parts if part) or str(error)
    if mark is None:
        return _problem(source, None, f"not valid YAML: {said}")
    line = mark.line + 1
    message = f"{source}, line {line}, column {mark.column + 1}: not valid YAML: {said}"
    return DashboardsError(message, source=source, line=line)


def _check_nodes(root: Node, source: str) -> None:
    """Refuse a mapping that repeats a key (YAML would keep the last silently) and a tree too big to expand."""
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        if id(node) in sizes:  # an alias: the same node again, counted as often as it is used
            return sizes[id(node)]
        sizes[id(node)] = 1  # a recursive alias (&a [*a]) counts once rather than forever
        total = 1
        if isinstance(node, MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value != _MERGE_KEY:
                    if key.value in seen:
                        raise _problem(source, key.start_mark.line + 1, f"key {key.value!r} is given twice")
                    seen.add(key.value)
                total += size(key) + size(value)
        elif isinstance(node, SequenceNode):
            total += sum(size(item) for item in node.value)
        sizes[id(node)] = total
        if total > MAX_VALUES:
            raise _problem(source, node.start_mark.line + 1, f"the file expands to over {MAX_VALUES} values")
        return total

    size(root)


def _load(text: str, source: str) -> tuple[Any, Node | None]:
    """Return the YAML's data and the node tree it was built from, as yaml.safe_load reads it."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return None, None
            _check_nodes(root, source)
            return loader.construct_document(root), root
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        raise _yaml_problem(error, text, source) from None
    except RecursionError:
        raise _problem(source, None, "the YAML is nested too deeply") from None


def _node_at(root: Node, loc: Sequence[str | int]) -> tuple[Node, int]:
    """Return the deepest node on a pydantic location, and its line: a field's key's, or a list item's."""
    node, line = root, root.start_mark.line
    for part in loc:
        child: Node | None = None
        if isinstance(node, MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value == part:
                    child, line = value, key.start_mark.line
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line
        if child is None:
            break
        node = child
    return node, line + 1


def _item(data: Any, key: str, index: Any) -> Any:
    items = data.get(key) if isinstance(data, dict) else None
    return items[index] if isinstance(items, list) and isinstance(index, int) and 0 <= index < len(items) else None


def _named(what: str, index: int, entry: Any, key: str) -> str:
    """Return 'dashboard 'ops'' or 'panel 2 ('CPU')': a name when it has one, a number from 1 otherwise."""
    name = entry.get(key) if isinstance(entry, dict) else None
    if what == "dashboard" and isinstance(name, str) and name:
        return f"dashboard {name!r}"
    return f"{what} {index + 1}" + (f" ({name!r})" if isinstance(name, str) and name else "")


def _field(loc: Sequence[str | int]) -> str:
    """Return "field 'thresholds', item 2, 'color'" for ('thresholds', 1, 'color')."""
    parts = [f"item {part + 1}" if isinstance(part, int) else repr(part) for part in loc]
    return f"field {parts[0]}" + "".join(f", {part}" for part in parts[1:])


def _fields_at(loc: Sequence[str | int]) -> tuple[str, ...]:
    """Return the fields allowed where an unknown one was found, following the models along loc."""
    model: Any = DashboardsFile
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        model = next(iter(getattr(annotation, "__args__", ())), None)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return ()
    return tuple(model.model_fields)


def _message(error: Any, node: Node) -> str:
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        allowed = _fields_at(error["loc"])
        return "unknown field" + (f"; allowed here: {', '.join(allowed)}" if allowed else "")
    if error["type"] == "string_type" and isinstance(node, ScalarNode) and not node.style:
        # YAML reads 2024, 1.5, yes and no, unquoted, as numbers and booleans.
        return f"{message}: put {node.value!r} in quotes for YAML to read it as text"
    return message


def _describe(error: dict[str, Any], data: Any, root: Node, source: str) -> tuple[int, str]:
    """Return an error's line and its text: where (dashboard, panel, field) and what."""
    loc: list[str | int] = list(error["loc"])
    where: list[str] = []
    rest = loc
    if loc[:1] == ["dashboards"] and len(loc) >= 2 and isinstance(loc[1], int):
        dashboard = _item(data, "dashboards", loc[1])
        where.append(_named("dashboard", loc[1], dashboard, "name"))
        rest = loc[2:]
        if rest[:1] == ["panels"] and len(rest) >= 2 and isinstance(rest[1], int):
            where.append(_named("panel", rest[1], _item(dashboard, "panels", rest[1]), "title"))
            rest = rest[2:]
    if rest:
        where.append(_field(rest))
    node, line = _node_at(root, loc)
    return line, (", ".join(where) + ": " if where else "") + _message(error, node)


def parse_dashboards(text: str, source: str = "<dashboards>") -> DashboardsFile:
    """Return the dashboards a file's text defines, or raise one DashboardsError listing what is wrong."""
    data, root = _load(text, source)
    if root is None or data is None:  # an empty file, or only comments, or a bare '---'
        return DashboardsFile(dashboards=[])
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        message = f"the top level must be a mapping with a 'dashboards' list, got {got}"
        raise _problem(source, root.start_mark.line + 1, message)
    try:
        return DashboardsFile.model_validate(data)
    except ValidationError as invalid:
        described = [_describe(error, data, root, source) for error in invalid.errors(include_url=False)]
    lines = [f"{source}, line {line}: {said}" for line, said in described[:MAX_SHOWN]]
    if len(described) > MAX_SHOWN:
        lines.append(f"... and {len(described) - MAX_SHOWN} more")
    raise DashboardsError("\n".join(lines), source=source, line=described[0][0])


def read_dashboards(path: Path) -> DashboardsFile:
    """Return the dashboards a file defines, or raise DashboardsError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DashboardsError(f"{path}: cannot read the dashboards file: {error}", source=str(path)) from None
    return parse_dashboards(text, path.name)
