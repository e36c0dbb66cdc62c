"""How a JavaScript or TypeScript import names a file of the repository.

Relative specifiers (``./models``, ``../lib/models.js``) are tried as written, with each of the
extensions a bundler or TypeScript tries, and as a folder's ``index`` file; a ``.js``
specifier in TypeScript source names the ``.ts`` file beside it. Bare specifiers are looked up
in the ``paths`` aliases of the nearest ``tsconfig.json`` / ``jsconfig.json`` (``@/lib/models``),
under its ``baseUrl``, and among the packages of the repository's workspaces (a
``package.json`` whose ``name`` is ``@acme/models``: its ``exports``, ``module``, ``main`` or
``types`` entry, else ``index``, ``src/index``). Anything else is a package from the registry
and not followed.

Configuration files are read once per scan (:meth:`Project.load`), with the JavaScript grammar
for the comments and trailing commas ``tsconfig.json`` allows.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ftscan.languages.javascript.grammar import read_jsonc

CODE_EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue",
                   ".svelte")
DATA_EXTENSIONS = (".json",)
_JS_TO_TS = {".js": (".ts", ".tsx"), ".jsx": (".tsx",), ".mjs": (".mts",), ".cjs": (".cts",)}
_CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
MAX_CONFIG_BYTES = 1 << 20


@dataclass
class _Aliases:
    """One ``tsconfig.json``: where its ``baseUrl`` points and its ``paths``."""

    base: str
    paths: list[tuple[str, bool, list[str]]] = field(default_factory=list)
    """(prefix, ends with ``*``, targets with ``*``)."""
    base_url: bool = False
    """``baseUrl`` is set (here or in a config it extends): bare specifiers are looked up
    under :attr:`base`, even where it is the config's own folder (``"baseUrl": "./"``)."""


@dataclass
class Project:
    """What the scan's configuration files say about module names."""

    files: frozenset[str] = frozenset()
    """Every file of the scan (code, JSON)."""
    aliases: dict[str, _Aliases] = field(default_factory=dict)
    """Folder of a tsconfig → its aliases."""
    packages: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """Workspace package name → (its folder, its entry files as written)."""

    @classmethod
    def load(cls, paths: Iterable[str], read: Callable[[str], str | None]) -> Project:
        files = frozenset(paths)
        project = cls(files)
        for path in sorted(files):
            name = posixpath.basename(path)
            if name in _CONFIG_NAMES:
                project._tsconfig(path, read)
            elif name == "package.json":
                project._package(path, read)
        return project

    def _tsconfig(self, path: str, read: Callable[[str], str | None], depth: int = 0) -> None:
        data = _read_config(path, read, jsonc=True)
        if not isinstance(data, dict):
            return
        folder = posixpath.dirname(path)
        options = data.get("compilerOptions")
        if not isinstance(options, dict):
            options = {}
        extends = data.get("extends")
        if depth < 3 and isinstance(extends, str) and extends.startswith("."):
            parent = posixpath.normpath(posixpath.join(folder, extends))
            if not parent.endswith(".json"):
                parent += ".json"
            if parent in self.files and posixpath.dirname(parent) not in self.aliases:
                self._tsconfig(parent, read, depth + 1)
            inherited = self.aliases.get(posixpath.dirname(parent))
        else:
            inherited = None
        base_url = options.get("baseUrl")
        base = posixpath.normpath(posixpath.join(folder, base_url)) if isinstance(
            base_url, str) else (inherited.base if inherited else folder)
        aliases = _Aliases(_clean(base), base_url=isinstance(base_url, str) or (
            inherited is not None and inherited.base_url))
        paths = options.get("paths")
        if isinstance(paths, dict):
            for pattern, targets in paths.items():
                if not isinstance(pattern, str) or not isinstance(targets, list):
                    continue
                wildcard = pattern.endswith("*")
                aliases.paths.append((pattern.rstrip("*"), wildcard,
                                      [t for t in targets if isinstance(t, str)]))
        elif inherited is not None:
            aliases.paths = inherited.paths
        self.aliases[folder] = aliases

    def _package(self, path: str, read: Callable[[str], str | None]) -> None:
        data = _read_config(path, read, jsonc=False)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return
        entries = [*_export_entries(data.get("exports"))]
        entries += [data[k] for k in ("module", "main", "types", "typings", "source")
                    if isinstance(data.get(k), str)]
        self.packages.setdefault(data["name"], (posixpath.dirname(path), entries))

    # ------------------------------------------------------------------ resolving

    def resolve(self, importer: str, specifier: str) -> list[str]:
        """The repository file ``specifier`` names in ``importer``, as a one-element list
        (empty for a package from the registry or a file that is not there)."""
        if specifier.startswith("."):
            base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
            return self._candidate(_clean(base))
        aliases = self._nearest_aliases(importer)
        if aliases is not None:
            for prefix, wildcard, targets in aliases.paths:
                if (wildcard and specifier.startswith(prefix)) or specifier == prefix:
                    rest = specifier[len(prefix):] if wildcard else ""
                    for target in targets:
                        mapped = target.replace("*", rest, 1) if wildcard else target
                        found = self._candidate(_clean(posixpath.normpath(
                            posixpath.join(aliases.base, mapped))))
                        if found:
                            return found
            if aliases.base_url or aliases.paths:
                found = self._candidate(_clean(posixpath.normpath(
                    posixpath.join(aliases.base, specifier))))
                if found:
                    return found
        return self._package_file(specifier)

    def _nearest_aliases(self, importer: str) -> _Aliases | None:
        """The aliases of the config nearest ``importer`` (in its folder or above)."""
        folder = posixpath.dirname(importer)
        while folder not in self.aliases:
            if not folder:
                return None
            folder = posixpath.dirname(folder)
        return self.aliases[folder]

    def _package_file(self, specifier: str) -> list[str]:
        name = specifier
        rest = ""
        while name not in self.packages:
            if "/" not in name:
                return []
            name, _, tail = name.rpartition("/")
            rest = f"{tail}/{rest}" if rest else tail
        folder, entries = self.packages[name]
        if rest:
            for base in (posixpath.join(folder, rest), posixpath.join(folder, "src", rest)):
                found = self._candidate(_clean(base))
                if found:
                    return found
            return []
        for entry in entries:
            found = self._candidate(_clean(posixpath.normpath(posixpath.join(folder, entry))))
            if found:
                return found
        for base in ("index", "src/index"):
            found = self._candidate(_clean(posixpath.join(folder, base)))
            if found:
                return found
        return []

    def _candidate(self, base: str) -> list[str]:
        """``base`` as a file, with an extension, or as a folder's ``index`` file."""
        files = self.files
        if base in files and base.endswith((*CODE_EXTENSIONS, *DATA_EXTENSIONS)):
            return [base]
        stem, ext = posixpath.splitext(base)
        for alternative in _JS_TO_TS.get(ext, ()):
            if stem + alternative in files:
                return [stem + alternative]
        for extension in (*CODE_EXTENSIONS, *DATA_EXTENSIONS):
            if base + extension in files:
                return [base + extension]
        for extension in CODE_EXTENSIONS:
            index = posixpath.join(base, "index" + extension) if base else "index" + extension
            if index in files:
                return [index]
        return []

    def package_names_of(self, path: str) -> list[str]:
        """The workspace packages whose entry ``path`` is (importers name the package)."""
        names = []
        for name, (folder, _entries) in self.packages.items():
            if path.startswith(folder + "/" if folder else "") and \
                    self._package_file(name) == [path]:
                names.append(name)
        return names


def _clean(path: str) -> str:
    path = path.lstrip("/")
    return "" if path == "." else path


def _export_entries(exports: Any) -> list[str]:
    """The entry files an ``exports`` field names for ``.`` (``import``, ``default``, ...)."""
    if isinstance(exports, str):
        return [exports]
    if isinstance(exports, dict):
        main = exports.get(".", exports if not any(k.startswith(".") for k in exports) else None)
        if isinstance(main, str):
            return [main]
        if isinstance(main, dict):
            return [v for k in ("import", "module", "default", "require", "types", "node")
                    for v in [main.get(k)] if isinstance(v, str)]
    return []


def _read_config(path: str, read: Callable[[str], str | None], jsonc: bool) -> Any:
    text = read(path)
    if text is None or len(text) > MAX_CONFIG_BYTES:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return read_jsonc(text) if jsonc else None

