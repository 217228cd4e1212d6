"""Series selectors: a name or glob, then an optional Prometheus-style label filter (pure).

`host.*{dc="eu-*",role="db"}` picks every series whose name matches the glob `host.*` and
whose labels include dc and role with values matching theirs. Globs are fnmatch's, case
sensitive (`*`, `?`, `[abc]`, `[!abc]`); the name ends at the first `{` outside brackets, so
`[{]` matches a literal `{`. Values are double-quoted with `\\"` and `\\\\` escapes.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_NAME_CHARS = 200  # as a series name (live.validation)
_GLOB_CHARS = frozenset("*?[")
_BARE_KEY = re.compile(r'[^\s=!~,{}"\\]+')
_CONTROL = re.compile("[\x00-\x1f\x7f]")


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob as fnmatch.fnmatchcase reads it."""
    return re.compile(fnmatch.translate(pattern))


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector: its text, its name glob and its label filter as (label, value glob) pairs."""

    text: str
    name: str
    labels: tuple[tuple[str, str], ...] = ()
    _name: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _labels: tuple[tuple[str, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_name", _glob(self.name))
        object.__setattr__(self, "_labels", tuple((key, _glob(value)) for key, value in self.labels))

    def __str__(self) -> str:
        return self.text

    @property
    def exact(self) -> str | None:
        """Return the one name this selector can match, or None when its name is a glob."""
        return None if _GLOB_CHARS.intersection(self.name) else self.name

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        """Return whether a series of this name and labels is selected."""
        if self._name.match(name) is None:
            return False
        for key, pattern in self._labels:
            value = labels.get(key)
            if value is None or pattern.match(value) is None:
                return False
        return True


def _name_end(text: str) -> int:
    """Return where the name glob ends: the first '{' outside a [...] class, as fnmatch reads classes."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "{":
            return i
        if char == "[":
            j = i + 1
            if j < len(text) and text[j] == "!":
                j += 1
            if j < len(text) and text[j] == "]":  # a ']' first in a class is a member, not its end
                j += 1
            close = text.find("]", j)
            if close != -1:  # an unclosed '[' is a literal '[' to fnmatch
                i = close
        i += 1
    return len(text)


def _quoted(text: str, start: int, what: str, whole: str) -> tuple[str, int]:
    """Read a double-quoted string whose opening quote is at start; return it and the index after it."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "\\":
            escaped = text[i + 1 : i + 2]
            if escaped not in ('"', "\\"):
                raise ValueError(f"unknown escape '\\{escaped}' in {what} in {whole!r}; only \\\" and \\\\ are escapes")
            out.append(escaped)
            i += 2
        else:
            out.append(char)
            i += 1
    raise ValueError(f"unclosed quote in {what} in {whole!r}")


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _label_filter(text: str, whole: str) -> tuple[tuple[str, str], ...]:
    """Parse what follows the name, from its '{' to its '}'."""
    pairs: dict[str, str] = {}
    i = _skip_spaces(text, 1)
    while True:
        if i >= len(text):
            raise ValueError(f"unclosed '{{' in {whole!r}")
        if text[i] == "}":
            break
        if text[i] == '"':
            key, i = _quoted(text, i, "a label name", whole)
        else:
            bare = _BARE_KEY.match(text, i)
            if bare is None:
                raise ValueError(f"expected a label name at {text[i]!r} in {whole!r}")
            key, i = bare.group(), bare.end()
        if not key:
            raise ValueError(f"empty label name in {whole!r}")
        if key in pairs:
            raise ValueError(f"label filter {key!r} is given twice in {whole!r}")
        i = _skip_spaces(text, i)
        operator = text[i : i + 2]
        if operator in ("!=", "=~", "!~"):
            raise ValueError(f"label filter {key!r} uses {operator!r}: only '=' is supported (values may be globs)")
        if not text.startswith("=", i):
            raise ValueError(f"label filter {key!r} needs '=' and a quoted value in {whole!r}")
        i = _skip_spaces(text, i + 1)
        if not text.startswith('"', i):
            raise ValueError(f"label filter {key!r} needs a quoted value in {whole!r}")
        pairs[key], i = _quoted(text, i, f"label filter {key!r}", whole)
        if not pairs[key]:
            raise ValueError(f"label filter {key!r} has an empty value in {whole!r}; label values are never empty")
        i = _skip_spaces(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_spaces(text, i + 1)  # a trailing ',' before '}' is allowed, as in PromQL
        elif i < len(text) and text[i] != "}":
            raise ValueError(f"expected ',' or '}}' after label filter {key!r} in {whole!r}")
    if text[i + 1 :].strip():
        raise ValueError(f"unexpected text {text[i + 1 :].strip()!r} after '}}' in {whole!r}")
    return tuple(pairs.items())


def parse_selector(text: str) -> Selector:
    """Parse a selector, or raise ValueError saying what is wrong with it."""
    if not isinstance(text, str):
        raise ValueError(f"a selector must be a string, got {type(text).__name__}")
    if _CONTROL.search(text):
        raise ValueError(f"a selector must not contain control characters, got {text!r}")
    stripped = text.strip()
    end = _name_end(stripped)
    name = stripped[:end].rstrip()
    if not name:
        raise ValueError(f"empty name in selector {text!r}")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"the name in a selector must be at most {MAX_NAME_CHARS} characters, got {len(name)}")
    labels = _label_filter(stripped[end:], text) if end < len(stripped) else ()
    return Selector(stripped, name, labels)
