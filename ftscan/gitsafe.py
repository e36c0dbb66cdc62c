"""The one way ftscan runs git: on a repository it does not trust, without running its code.

A repository's own configuration can make git run commands: ``core.fsmonitor`` on every command
that looks at the work tree, ``filter.<driver>.clean`` / ``.process`` when a file's content is
compared with the index, ``diff.<driver>.textconv`` and ``diff.external`` in diffs, hooks when
the index is written. A scan of a pull request from a fork or of an unpacked archive must not run
any of them. Every git command ftscan runs goes through :func:`git_command`, which:

- overrides every such setting on the command line (``-c`` wins over the repository's config):
  ``core.fsmonitor=false``, ``core.hooksPath`` pointing nowhere, ``diff.external`` empty, and for
  each filter driver the repository's config names, an empty ``clean``, ``smudge`` and
  ``process`` and ``required=false`` (git then copies content as it is);
- pins the work tree to the scanned root (a repository's ``core.worktree`` cannot point git
  elsewhere) and ignores repository locations inherited from the environment (a git hook's
  ``GIT_DIR``);
- takes no optional lock (``--no-optional-locks``: no opportunistic index refresh) and runs
  no command that writes the index (the diff is plumbing, :mod:`ftscan.gitdiff`), so no hook
  such as ``post-index-change`` can fire either; never asks for credentials, never pages;
- runs with a time limit, since a repository's config can ``include.path`` a file that never
  ends (``/dev/zero``).

Diffs add ``--no-textconv --no-ext-diff`` themselves (see :mod:`ftscan.gitdiff`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

GIT_TIMEOUT_SECONDS = 120.0
"""Longest any one git command may run (listing a huge monorepo takes seconds)."""
_CONFIG_TIMEOUT_SECONDS = 20.0
_LOCATION_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX", "GIT_CEILING_DIRECTORIES",
    "GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS", "GIT_PAGER", "PAGER", "GIT_EDITOR", "GIT_SSH",
    "GIT_SSH_COMMAND", "GIT_ASKPASS", "SSH_ASKPASS", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT", "GIT_TRACE", "GIT_TRACE2", "GIT_TRACE2_EVENT", "GIT_TRACE2_PERF",
)
_ALWAYS = (
    "core.fsmonitor=false",
    f"core.hooksPath={os.devnull}",
    "diff.external=",
    "core.pager=cat",
    "core.askPass=",
    "credential.helper=",
    "protocol.allow=never",
)
_FILTER_KEYS = ("clean", "smudge", "process")
_CHECKOUT_KEYS = frozenset({"core.autocrlf", "core.eol", "core.attributesfile",
                            "core.checkroundtripencoding"})


@dataclass(frozen=True)
class _RepositoryConfig:
    overrides: tuple[str, ...]
    """``-c`` settings that empty every filter driver the repository defines."""
    checkout: tuple[str, ...]
    """The settings that decide the bytes git writes into the work tree (``name\nvalue``)."""


_config_by_root: dict[str, tuple[object, _RepositoryConfig]] = {}


class GitUnavailable(Exception):
    """git is not installed, or did not answer in time."""


def git_environment() -> dict[str, str]:
    """The environment every git command runs with."""
    env = {k: v for k, v in os.environ.items()
           if k not in _LOCATION_VARIABLES and not k.startswith("GIT_CONFIG_KEY_")
           and not k.startswith("GIT_CONFIG_VALUE_")}
    env.update(GIT_OPTIONAL_LOCKS="0", LC_ALL="C", GIT_TERMINAL_PROMPT="0",
               GIT_NO_REPLACE_OBJECTS="1")
    return env


def git_command(root: Path, args: Sequence[str]) -> list[str]:
    """The argument vector that runs ``git args`` safely in the work tree at ``root``."""
    settings = [item for setting in (*_ALWAYS, *_filter_overrides(root))
                for item in ("-c", setting)]
    return ["git", "--no-pager", "--no-optional-locks", "-C", str(root), f"--work-tree={root}",
            *settings, *args]


def run_git(root: Path, args: Sequence[str], timeout: float = GIT_TIMEOUT_SECONDS,
            ) -> subprocess.CompletedProcess[bytes]:
    """Run ``git args`` safely (see the module docstring) and return what it printed.

    Raises :class:`GitUnavailable` when git is missing or runs out of time."""
    try:
        return subprocess.run(git_command(root, args), stdin=subprocess.DEVNULL,
                              capture_output=True, env=git_environment(), timeout=timeout,
                              check=False)
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git {args[0]} did not finish within {timeout:.0f} s") from None


def start_git(root: Path, args: Sequence[str], stdin: IO[bytes] | None = None,
              ) -> subprocess.Popen[bytes]:
    """Start ``git args`` safely, its output on a pipe (the caller waits with a timeout);
    ``stdin``: a file to read its input from (``cat-file --batch``). Raises ``OSError`` when
    git cannot be started, :class:`GitUnavailable` when the repository's config cannot be read
    in time."""
    return subprocess.Popen(git_command(root, args),
                            stdin=subprocess.DEVNULL if stdin is None else stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=git_environment())


def _filter_overrides(root: Path) -> tuple[str, ...]:
    """Empty commands for every filter driver the repository's config defines.

    git has no switch that turns content filters off, but a ``-c`` setting beats the
    repository's own, and an empty command means "no filter"."""
    return _config(root).overrides


def checkout_settings(root: Path) -> tuple[str, ...]:
    """The settings of the repository's config (with the user's and the system's) that decide
    the bytes git writes into the work tree for a blob: line endings (``core.autocrlf``,
    ``core.eol``), encodings, filter drivers, the user's attributes file. Each is
    ``name\nvalue``, as ``git config --list`` prints it."""
    return _config(root).checkout


def _config(root: Path) -> _RepositoryConfig:
    """What ftscan needs of the repository's config, asked of git itself (``git config
    --list``, which runs nothing) once per repository and process, and again when the
    repository's config file changes (a long-lived process scanning it twice)."""
    key = str(root)
    seen = _config_signature(root)
    known = _config_by_root.get(key)
    if known is not None and known[0] == seen:
        return known[1]
    drivers: set[str] = set()
    checkout: list[str] = []
    try:
        listed = subprocess.run(
            ["git", "--no-pager", "-C", key, "config", "--null", "--list", "--includes"],
            stdin=subprocess.DEVNULL, capture_output=True, env=git_environment(),
            timeout=_CONFIG_TIMEOUT_SECONDS, check=False)
        output = listed.stdout
    except OSError:
        output = b""
    except subprocess.TimeoutExpired:
        raise GitUnavailable("git config did not finish (a config include that never "
                             "ends?)") from None
    for record in output.split(b"\0"):
        name = record.partition(b"\n")[0].decode("utf-8", "replace")
        section, _, rest = name.partition(".")
        driver, _, setting = rest.rpartition(".")
        if section.lower() == "filter" and driver and setting.lower() in (*_FILTER_KEYS,
                                                                          "required"):
            drivers.add(driver)
        if section.lower() == "filter" or name.lower() in _CHECKOUT_KEYS:
            checkout.append(record.decode("utf-8", "surrogateescape"))
    overrides = tuple(
        setting for driver in sorted(drivers)
        for setting in (*(f"filter.{driver}.{k}=" for k in _FILTER_KEYS),
                        f"filter.{driver}.required=false"))
    config = _RepositoryConfig(overrides, tuple(checkout))
    _config_by_root[key] = (seen, config)
    return config


def _config_signature(root: Path) -> object:
    """What tells that the repository's own config file changed: its ``stat`` data."""
    try:
        info = os.stat(root / ".git" / "config")
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino)
