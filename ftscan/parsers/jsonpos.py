"""JSON with positions: the stdlib decodes JSON but forgets where each string was.

:func:`json_strings` walks a document that ``json.loads`` has already accepted and yields every
string (keys and values) with its key path and the character span of its source text. Strings
are decoded by the stdlib's own ``scanstring``, so escapes follow the JSON spec exactly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from ftscan.parsers.base import ParseFailure

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


@dataclass(frozen=True)
class JsonString:
    """A string in a JSON document."""

    path: tuple[str | int, ...]
    value: str
    start: int
    """Offset of the opening quote."""
    end: int
    """Offset just past the closing quote."""
    is_key: bool = False


def load_json(text: str) -> Any:
    """``json.loads`` with its error turned into a :class:`ParseFailure` naming the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseFailure(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except RecursionError:
        raise ParseFailure("JSON nested too deeply to read") from None


def json_strings(text: str) -> Iterator[JsonString]:
    """Every string of the (valid) JSON document in ``text``, in document order."""
    out: list[JsonString] = []
    try:
        _value(text, _skip(text, 0), (), out)
    except RecursionError:
        raise ParseFailure("JSON nested too deeply to read") from None
    return iter(out)


def path_text(path: tuple[str | int, ...]) -> str:
    """A key path as a dotted name: ``llm.models[2].name``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _value(text: str, pos: int, path: tuple[str | int, ...], out: list[JsonString]) -> int:
    char = text[pos]
    if char == '"':
        value, end = scanstring(text, pos + 1)
        out.append(JsonString(path, value, pos, end))
        return int(end)
    if char == "{":
        pos = _skip(text, pos + 1)
        if text[pos] == "}":
            return pos + 1
        while True:
            key, end = scanstring(text, pos + 1)
            out.append(JsonString((*path, key), key, pos, end, is_key=True))
            pos = _skip(text, end)
            pos = _skip(text, pos + 1)  # the colon
            pos = _skip(text, _value(text, pos, (*path, key), out))
            if text[pos] == "}":
                return pos + 1
            pos = _skip(text, pos + 1)  # the comma
    if char == "[":
        pos = _skip(text, pos + 1)
        if text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = _skip(text, _value(text, pos, (*path, index), out))
            if text[pos] == "]":
                return pos + 1
            pos = _skip(text, pos + 1)
            index += 1
    match = _SCALAR.match(text, pos)
    if match is None:  # json.loads accepted it, so this is NaN/Infinity
        match = re.compile(r"-?Infinity|NaN").match(text, pos)
        assert match is not None
    return match.end()
