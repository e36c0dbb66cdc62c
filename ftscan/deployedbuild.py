"""Build output that is the code a package runs: a committed ``dist/`` folder is left out of a
scan by default (it is built from sources the scan reads anyway), except where it is the only
copy of the code.

A build-output folder is the package's deployed code when the ``package.json`` beside it names a
file inside it as what runs (``main``, ``module``, ``bin``, ``exports``, or a script such as
``node dist/server.js``) and nothing beside it is what it is built from: no ``src/`` or ``lib/``
folder, no ``tsconfig.json``, no bundler configuration (whose output is a bundle of other
people's code too). Bundles and minified files inside such a folder are still read without a
parser (see :func:`ftscan.languages.javascript.grammar.is_bundle`).

The ``package.json`` is read as every small file a repository describes itself with
(:mod:`ftscan.safefile`): inside the repository, bounded, never a FIFO.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ftscan.safefile import UnsafeFile, read_limited

BUILD_FOLDERS = frozenset({"dist"})
"""Default-excluded folders that may hold a package's deployed code."""
SOURCES = ("src", "lib", "source", "tsconfig.json", "webpack.config.js", "webpack.config.ts",
           "rollup.config.js", "rollup.config.mjs", "rollup.config.ts", "vite.config.js",
           "vite.config.ts", "esbuild.config.js", "esbuild.config.mjs", "tsup.config.ts")
"""Names beside ``package.json`` that say the build output is built here (from sources the
scan reads, or into a bundle)."""
_FIELDS = ("main", "module", "bin", "exports")
_SCRIPT_PATH = re.compile(r"[A-Za-z0-9_./@-]{1,300}")


def is_deployed_build(root: Path, folder: str) -> bool:
    """Is the build-output folder ``folder`` (relative to ``root``) the code its package runs,
    with no sources beside it?"""
    parent, name = posixpath.split(folder)
    if name not in BUILD_FOLDERS:
        return False
    base = root / parent if parent else root
    if any((base / source).exists() for source in SOURCES):
        return False
    try:
        manifest = json.loads(read_limited(base / "package.json", root=root))
    except (OSError, UnsafeFile, ValueError, RecursionError):
        return False
    if not isinstance(manifest, dict):
        return False
    return any(_inside(path, name) for path in _run_paths(manifest))


def _run_paths(manifest: dict[str, Any]) -> Iterator[str]:
    """The files ``package.json`` says run: its entry fields, and the paths its scripts name."""
    for field in _FIELDS:
        yield from _strings(manifest.get(field), depth=0)
    scripts = manifest.get("scripts")
    if isinstance(scripts, dict):
        for command in scripts.values():
            if isinstance(command, str):
                yield from _SCRIPT_PATH.findall(command[:2000])


def _strings(value: Any, depth: int) -> Iterator[str]:
    """Every string in a field (``bin`` and ``exports`` nest them), a few levels deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and depth < 4:
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, list) and depth < 4:
        for item in value:
            yield from _strings(item, depth + 1)


def _inside(path: str, folder: str) -> bool:
    path = path[2:] if path.startswith("./") else path
    return path.startswith(folder + "/")
