"""Configuration: ``[tool.ftscan]`` in ``pyproject.toml`` or a ``.ftscan.toml``, found upward.

Discovery starts at the scanned path and walks up to the repository root; in each folder a
``.ftscan.toml`` wins over ``pyproject.toml``, and a ``pyproject.toml`` without a
``[tool.ftscan]`` table does not count. Unknown keys are errors that name the key.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftscan.errors import FtscanError
from ftscan.lifecycle import ModelEntry, parse_entry
from ftscan.ruleset import RuleError
from ftscan.safefile import UnsafeFile, inside, read_limited

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
FAIL_ON_CHOICES = ("error", "warning", "note", "never")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
KNOWN_KEYS = frozenset(
    {"rules", "exclude", "default-excludes", "fail-on", "max-file-size", "warning-window-days",
     "sinks", "lifecycle"}
)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


class ConfigError(FtscanError):
    """A configuration that cannot be used. The message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Settings from a config file; ``None`` means "not set here"."""

    source: Path | None = None
    rules: tuple[Path, ...] = ()
    """Extra rule files, resolved against the config file's folder."""
    exclude: tuple[str, ...] = ()
    """Gitignore-style patterns, relative to the scan root."""
    default_excludes: bool | None = None
    """Leave out vendored code and build output (``None``: not set here)."""
    fail_on: str | None = None
    max_file_size: int | None = None
    warning_window_days: int | None = None
    sinks: tuple[str, ...] = ()
    """Wrapper functions that take a model: ``call_llm`` (argument 1 or ``model=``),
    ``acme.llm.ask:model_key`` (that keyword), ``ask:2`` (the second argument)."""
    lifecycle: tuple[ModelEntry, ...] = ()
    """Dates of the user's own (a contract, a private deployment), consulted before the shipped
    data."""


def parse_size(text: str | int) -> int:
    """``2MB``, ``512KiB``, ``1048576`` → bytes. Raises ``ValueError``."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise ValueError("a size must be positive")
        return text
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (try 2MB or 500KiB)")
    value = float(match.group(1)) * _UNITS[(match.group(2) or "").lower()]
    if value <= 0:
        raise ValueError("a size must be positive")
    return int(value)


def discover(start: Path, stop: Path | None = None) -> Path | None:
    """The config file that applies to ``start``: the nearest one at or above it."""
    folder = start if start.is_dir() else start.parent
    folder = folder.resolve()
    stop = stop.resolve() if stop is not None else None
    for candidate in [folder, *folder.parents]:
        dedicated = candidate / ".ftscan.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_ftscan_table(pyproject):
            return pyproject
        if candidate == stop:
            break
    return None


def _has_ftscan_table(pyproject: Path) -> bool:
    try:
        return b"[tool.ftscan]" in read_limited(pyproject)
    except (OSError, UnsafeFile):
        return False


def load_config(path: Path, repository: Path | None = None) -> Config:
    """Read and validate a config file. Raises :class:`ConfigError`.

    ``repository``: the config was found in the scanned repository, which ftscan does not
    trust: the file and the rule files it names must lie inside that repository (a config named
    on the command line may name rule files anywhere)."""
    if sys.version_info >= (3, 11):  # imported here: most scans find no config to read
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(read_limited(path, root=repository).decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except UnsafeFile as exc:
        raise ConfigError(f"cannot read config: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: config is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("ftscan", {})
        prefix = "tool.ftscan."
    else:
        table, prefix = data, ""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [{prefix.rstrip('.') or 'ftscan'}] must be a table")
    return _from_table(path, table, prefix, repository)


def _from_table(path: Path, table: Mapping[str, Any], prefix: str,
                repository: Path | None) -> Config:
    for key in table:
        if key not in KNOWN_KEYS:
            hint = f" (known keys: {', '.join(sorted(KNOWN_KEYS))})"
            raise ConfigError(f"{path}: unknown key '{prefix}{key}'{hint}")

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: '{prefix}{key}' must be a list of strings")
        return tuple(value)

    default_excludes = table.get("default-excludes")
    if default_excludes is not None and not isinstance(default_excludes, bool):
        raise ConfigError(f"{path}: '{prefix}default-excludes' must be true or false")
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON_CHOICES:
        raise ConfigError(
            f"{path}: '{prefix}fail-on' must be one of {', '.join(FAIL_ON_CHOICES)}, "
            f"not {fail_on!r}"
        )
    max_size = table.get("max-file-size")
    if max_size is not None:
        try:
            max_size = parse_size(max_size)
        except ValueError as exc:
            raise ConfigError(f"{path}: '{prefix}max-file-size': {exc}") from None
    window = table.get("warning-window-days")
    if window is not None and (not isinstance(window, int) or isinstance(window, bool)
                               or window < 0):
        raise ConfigError(f"{path}: '{prefix}warning-window-days' must be a whole number >= 0")
    sinks = strings("sinks")
    try:
        [parse_sink(sink) for sink in sinks]
    except ValueError as exc:
        raise ConfigError(f"{path}: '{prefix}sinks': {exc}") from None
    lifecycle = table.get("lifecycle", [])
    if not isinstance(lifecycle, list):
        raise ConfigError(f"{path}: '{prefix}lifecycle' must be an array of tables "
                          f"([[{prefix}lifecycle]])")
    try:
        entries = tuple(parse_entry(raw, f"{path}: {prefix}lifecycle[{i}]", str(path))
                        for i, raw in enumerate(lifecycle))
    except RuleError as exc:
        raise ConfigError(str(exc)) from None
    rules = tuple((path.parent / p).resolve() for p in strings("rules"))
    for rule_file in rules:
        if repository is not None and not inside(repository, rule_file):
            raise ConfigError(
                f"{path}: '{prefix}rules' names {rule_file}, outside the repository: a "
                "repository's config may only name rule files inside it (name others with "
                "--config or on the command line)")
    return Config(
        source=path,
        sinks=sinks,
        rules=rules,
        exclude=strings("exclude"),
        default_excludes=default_excludes,
        lifecycle=entries,
        fail_on=fail_on,
        max_file_size=max_size,
        warning_window_days=window,
    )


def parse_sink(text: str) -> tuple[str, str | int]:
    """``call_llm`` → ("call_llm", 0); ``ask:model_key`` → ("ask", "model_key");
    ``ask:2`` → ("ask", 1). Raises ``ValueError``."""
    name, _, param = text.partition(":")
    if not re.fullmatch(r"[A-Za-z_][\w.]*", name):
        raise ValueError(f"not a function name: {text!r}")
    if not param:
        return name, 0
    if param.isdigit() and int(param) >= 1:
        return name, int(param) - 1
    if re.fullmatch(r"[A-Za-z_]\w*", param):
        return name, param
    raise ValueError(f"not a parameter name or 1-based position: {text!r}")
