"""Reading back a JSON file that ftscan wrote and a user hands in again (an inventory to merge,
one to reconcile): the document, then each field with the type it must have.

The file may have been edited, cut short or replaced by anything: every problem is a
``ValueError`` whose message is one line naming the field (``models[3].uses[0].line``), never
a ``KeyError``, ``AttributeError`` or ``RecursionError`` from deep inside a reader.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal, overload


def read_json(path: Path) -> Any:
    """The document in ``path``: an ``OSError`` when it cannot be read, a ``ValueError`` saying
    why when it is not JSON (nesting too deep for the parser included)."""
    data = path.read_bytes()
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not JSON: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    except RecursionError:
        raise ValueError("not JSON ftscan writes: nested too deeply") from None


class Fields:
    """One JSON object, each field taken with the type it must have."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise ValueError(f"{where} is not an object")
        self.value: dict[str, Any] = value
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    @overload
    def text(self, key: str, required: Literal[True]) -> str: ...

    @overload
    def text(self, key: str, required: bool = False) -> str | None: ...

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.value.get(key)
        if value is None and required:
            raise ValueError(f"{self._name(key)} is missing")
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{self._name(key)} is not a string")
        return value

    @overload
    def date(self, key: str, required: Literal[True]) -> dt.date: ...

    @overload
    def date(self, key: str, required: bool = False) -> dt.date | None: ...

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.text(key, required)
        try:
            return None if value is None else dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{self._name(key)} is not a date (YYYY-MM-DD)") from None

    def number(self, key: str, default: int) -> int:
        value = self.value.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{self._name(key)} is not a whole number")
        return value

    def flag(self, key: str) -> bool:
        value = self.value.get(key, False)
        if not isinstance(value, bool):
            raise ValueError(f"{self._name(key)} is not true or false")
        return value

    def items(self, key: str, required: bool = False) -> list[tuple[str, Any]]:
        """The entries of the list at ``key`` (absent: none, unless ``required``), each with its
        name."""
        if required and key not in self.value:
            raise ValueError(f"{self._name(key)} is missing")
        value = self.value.get(key, [])
        if not isinstance(value, list):
            raise ValueError(f"{self._name(key)} is not a list")
        return [(f"{self._name(key)}[{index}]", item) for index, item in enumerate(value)]

    def texts(self, key: str) -> set[str]:
        found = set()
        for where, item in self.items(key):
            if not isinstance(item, str):
                raise ValueError(f"{where} is not a string")
            found.add(item)
        return found

    def objects(self, key: str, required: bool = False) -> list[Fields]:
        return [Fields(item, where) for where, item in self.items(key, required)]

    def object(self, key: str) -> Fields:
        """The object at ``key`` (absent or null: an empty one)."""
        value = self.value.get(key)
        return Fields({} if value is None else value, self._name(key))
