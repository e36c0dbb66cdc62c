"""YAML through libyaml's C loader when PyYAML was built with it (about 10x faster than the
pure-Python loader), else the pure-Python one: the same safe subset, the same errors."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load``, fast."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


def safe_load_all(text: str) -> list[Any]:
    """``yaml.safe_load_all``, fast (every document, read at once)."""
    return list(yaml.load_all(text, Loader=SafeLoader))  # noqa: S506 - a safe loader
