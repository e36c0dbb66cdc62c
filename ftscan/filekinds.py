"""What kind of file a file is, decided once per file: how its text is read (its
:class:`~ftscan.parsers.Format`), the language plug-in (:mod:`ftscan.languages`) or the carrier
(:mod:`ftscan.carriers`) whose file it is, and its comment syntax.

:func:`kind_of` decides from the path when the file enters the scan
(:attr:`ftscan.discovery.FileEntry.kind` carries the answer); :meth:`FileKind.with_content`
refines it once the bytes are read, for a file its name does not tell.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass

from ftscan.carriers import carrier_of
from ftscan.comments import CommentSyntax
from ftscan.languages import language_of
from ftscan.parsers import Format


@dataclass(frozen=True)
class FileKind:
    """A file's kind (one shared instance per kind: :func:`kind_of`)."""

    format: Format
    language: str | None = None
    """The language plug-in whose file it is (then :attr:`format` is ``CODE``)."""
    carrier: str | None = None
    """The carrier plug-in whose file it is, by its path."""
    comments: CommentSyntax | None = None
    """The comment syntax of its text, when known (comments hold mentions)."""
    page: bool = False
    """Named as a page ``ftscan inventory --format html`` writes (``.html``, ``.htm``): markup
    with comments, yet possibly one of ftscan's reports."""

    @property
    def may_be_report(self) -> bool:
        """Could the file be one of ftscan's reports? JSON, Markdown, text, CSV, an HTML page
        and files of no known kind (``.sarif``, ``.out``, no suffix) can; code and
        configuration (Python, JavaScript, YAML, ``.env``, ...) never are, whatever they hold."""
        return self.format in _REPORT_FORMATS or self.page or (self.format is Format.SOURCE
                                                               and self.comments is None)

    @property
    def unknown(self) -> bool:
        """Its path says nothing about it: the text pass would read it, every id in it a
        definition."""
        return (self.format is Format.SOURCE and self.comments is None
                and self.carrier is None)

    def with_content(self, data: bytes) -> FileKind:
        """The kind, told by the file's bytes too: a file of unknown kind whose lines are all
        ``KEY=value`` assignments and ``#`` comments is an env file
        (``config/openai.example``), its commented-out lines mentions."""
        if self.unknown and _env_like(data):
            return _kind(Format.ENV, None, None, CommentSyntax.HASH)
        return self

    def as_report(self) -> FileKind:
        """The kind of one of ftscan's own reports (told by its content)."""
        return _kind(Format.REPORT, None, None, None)


_BY_SUFFIX = {
    ".env": Format.ENV,
    ".yaml": Format.YAML,
    ".yml": Format.YAML,
    ".tf": Format.HCL,
    ".tfvars": Format.HCL,
    ".hcl": Format.HCL,
    ".toml": Format.TOML,
    ".json": Format.JSON,
    ".jsonc": Format.SOURCE,
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".dockerfile": Format.DOCKERFILE,
    ".containerfile": Format.DOCKERFILE,
    ".sh": Format.SHELL,
    ".bash": Format.SHELL,
    ".zsh": Format.SHELL,
    ".ksh": Format.SHELL,
    ".md": Format.PROSE,
    ".markdown": Format.PROSE,
    ".mdx": Format.PROSE,
    ".rst": Format.PROSE,
    ".txt": Format.PROSE,
    ".adoc": Format.PROSE,
    ".asciidoc": Format.PROSE,
    ".csv": Format.DATA,
    ".tsv": Format.DATA,
}

_SOURCE_COMMENTS = {
    CommentSyntax.SLASH: (
        ".js .jsx .mjs .cjs .ts .tsx .mts .cts .go .java .kt .kts .scala .groovy .gradle .c .h "
        ".cc .cpp .cxx .hpp .cs .fs .rs .swift .dart .php .jsonc .proto .zig .vue .svelte .bal"
    ),
    CommentSyntax.HASH: (
        ".rb .pl .pm .r .ps1 .psm1 .cfg .conf .ini .properties .tfstate .nix .cmake .mk .jl "
        ".ex .exs .cr .coffee .fish .awk"
    ),
    CommentSyntax.DASH: ".sql .lua .hs .elm .ada .vhd",
    CommentSyntax.HTML: ".html .htm .xml .xhtml .svg .jinja .j2 .jsp .erb",
    CommentSyntax.CSS: ".css .scss .sass .less",
}
_COMMENTS_BY_SUFFIX = {
    suffix: syntax for syntax, suffixes in _SOURCE_COMMENTS.items() for suffix in suffixes.split()
}
_HASH_NAMES = {"makefile", "gemfile", "rakefile", "procfile", "vagrantfile", "brewfile"}
_PROSE_NAMES = {"readme", "license", "changelog", "notice", "authors"}
_HASH_FORMATS = frozenset({Format.ENV, Format.SHELL, Format.DOCKERFILE, Format.TOML,
                           Format.YAML})
_REPORT_FORMATS = frozenset({Format.JSON, Format.PROSE, Format.DATA})
_PAGES = (".html", ".htm")
"""Suffixes of a page ``ftscan inventory --format html`` writes."""


def kind_of(relpath: str) -> FileKind:
    """The kind of the file at ``relpath`` (a relative posix path), from its path."""
    named = _by_name(relpath.rpartition("/")[2])
    if named.language is not None:
        return named
    carrier = carrier_of(relpath)
    return named if carrier is None else _kind(named.format, None, carrier, named.comments,
                                               named.page)


_NAMED: dict[str, FileKind] = {}
"""File name → its kind, for the names seen already (``__init__.py``, ``package.json``)."""


def _by_name(name: str) -> FileKind:
    """The kind a file name says, carrier aside."""
    known = _NAMED.get(name)
    if known is not None:
        return known
    if len(_NAMED) >= 1 << 16:
        _NAMED.clear()
    language = language_of(name)
    lower = name.lower()
    suffix = posixpath.splitext(lower)[1]
    if language is not None:
        kind = _kind(Format.CODE, language, None, _COMMENTS_BY_SUFFIX.get(suffix))
    else:
        fmt, comments = _format_and_comments(lower, suffix)
        kind = _kind(fmt, None, None, comments, suffix in _PAGES)
    _NAMED[name] = kind
    return kind


def _format_and_comments(lower: str, suffix: str) -> tuple[Format, CommentSyntax | None]:
    """The format and comment syntax a file name (lower-cased) says."""
    fmt = _format(lower, suffix)
    if fmt in _HASH_FORMATS:
        comments: CommentSyntax | None = CommentSyntax.HASH
    elif fmt is Format.HCL:
        comments = CommentSyntax.HCL
    elif fmt is Format.SOURCE:
        comments = (CommentSyntax.HASH if lower in _HASH_NAMES
                    else _COMMENTS_BY_SUFFIX.get(suffix))
        if comments is None and suffix:
            fmt, comments = _inner(lower[:-len(suffix)])
    else:
        comments = None
    return fmt, comments


def _inner(stem: str) -> tuple[Format, CommentSyntax | None]:
    """The format and comments of a file named ``stem`` plus a suffix of no known kind: an env
    file or prose when ``stem`` names one (``openai.env``, ``env``, ``CLAUDE.md``), else a file
    of unknown kind."""
    inner = Format.ENV if stem == "env" else _format(stem, posixpath.splitext(stem)[1])
    if inner is Format.ENV:
        return inner, CommentSyntax.HASH
    if inner is Format.PROSE:
        return inner, None
    return Format.SOURCE, None


def _format(lower: str, suffix: str) -> Format:
    """The format a file name (lower-cased) says."""
    if lower in (".env", ".envrc") or lower.startswith(".env."):
        return Format.ENV
    if lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "dockerfile-")):
        return Format.DOCKERFILE
    if lower.endswith(".tf.json"):
        return Format.JSON
    if lower in _PROSE_NAMES:
        return Format.PROSE
    return _BY_SUFFIX.get(suffix, Format.SOURCE)


@functools.cache
def _kind(fmt: Format, language: str | None, carrier: str | None,
          comments: CommentSyntax | None, page: bool = False) -> FileKind:
    return FileKind(fmt, language, carrier, comments, page)


_KEY = re.compile(rb"[A-Za-z_][A-Za-z0-9_.]*")


def _env_like(data: bytes) -> bool:
    """Are the non-blank lines of ``data`` all ``KEY=value`` assignments (``export`` allowed,
    no blank before the ``=``: code writes ``KEY = value``) and ``#`` comments, with at least
    one assignment?"""
    assigned = False
    for line in data.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            continue
        key, equals, _ = stripped.partition(b"=")
        if key.startswith((b"export ", b"export\t")):
            key = key[len(b"export"):].lstrip()
        if not equals or _KEY.fullmatch(key) is None:
            return False
        assigned = True
    return assigned
