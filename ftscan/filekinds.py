"""Which parser reads a file, decided from its name alone (files of a language plug-in,
:mod:`ftscan.languages`, are read by their language)."""

from __future__ import annotations

import enum
import posixpath

from ftscan.comments import CommentSyntax
from ftscan.languages import language_of


class FileKind(enum.Enum):
    """The kinds of file ftscan tells apart."""

    CODE = "code"
    """Source of a language plug-in (:mod:`ftscan.languages`): its language parses it."""
    ENV = "env"
    YAML = "yaml"
    TERRAFORM = "terraform"
    TOML = "toml"
    JSON = "json"
    JSONL = "jsonl"
    DOCKERFILE = "dockerfile"
    SHELL = "shell"
    PROSE = "prose"
    """Markdown, reStructuredText, plain text: every id in them is a mention."""
    DATA = "data"
    """Tables of records (CSV, TSV): evaluation results, logs of runs. An id in a row records
    which model produced it; it is a mention (a results file with 12,000 rows of ids is not
    12,000 places that call a model)."""
    SOURCE = "source"
    """Other code (Go, Java, Ruby, ...): the text pass, with comments as mentions."""
    REPORT = "report"
    """One of ftscan's own reports (told by its content, :func:`ftscan.reporters.is_own_report`,
    never by its name alone: see :func:`may_be_report`): every id in it is a mention."""


_BY_SUFFIX = {
    ".env": FileKind.ENV,
    ".yaml": FileKind.YAML,
    ".yml": FileKind.YAML,
    ".tf": FileKind.TERRAFORM,
    ".tfvars": FileKind.TERRAFORM,
    ".hcl": FileKind.TERRAFORM,
    ".toml": FileKind.TOML,
    ".json": FileKind.JSON,
    ".jsonc": FileKind.SOURCE,
    ".jsonl": FileKind.JSONL,
    ".ndjson": FileKind.JSONL,
    ".dockerfile": FileKind.DOCKERFILE,
    ".containerfile": FileKind.DOCKERFILE,
    ".sh": FileKind.SHELL,
    ".bash": FileKind.SHELL,
    ".zsh": FileKind.SHELL,
    ".ksh": FileKind.SHELL,
    ".md": FileKind.PROSE,
    ".markdown": FileKind.PROSE,
    ".mdx": FileKind.PROSE,
    ".rst": FileKind.PROSE,
    ".txt": FileKind.PROSE,
    ".adoc": FileKind.PROSE,
    ".asciidoc": FileKind.PROSE,
    ".csv": FileKind.DATA,
    ".tsv": FileKind.DATA,
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
_REPORT_KINDS = frozenset({FileKind.JSON, FileKind.PROSE, FileKind.DATA})
_PAGES = (".html", ".htm")
"""Suffixes of a page ``ftscan inventory --format html`` writes."""


def classify(path: str) -> FileKind:
    """The kind of file at ``path`` (a relative posix path), from its name."""
    if language_of(path) is not None:
        return FileKind.CODE
    name = posixpath.basename(path)
    lower = name.lower()
    if lower == ".env" or lower.startswith(".env.") or lower == ".envrc":
        return FileKind.ENV
    if lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "dockerfile-")):
        return FileKind.DOCKERFILE
    if lower.endswith(".tf.json"):
        return FileKind.JSON
    suffix = posixpath.splitext(lower)[1]
    if lower in ("readme", "license", "changelog", "notice", "authors"):
        return FileKind.PROSE
    return _BY_SUFFIX.get(suffix, FileKind.SOURCE)


def may_be_report(path: str, kind: FileKind) -> bool:
    """Could the file at ``path``, of ``kind``, be one of ftscan's reports? JSON, Markdown,
    text, CSV, an HTML page and files of no known kind (``.sarif``, ``.out``, no suffix) can;
    code and configuration (Python, JavaScript, YAML, ``.env``, ...) never are, whatever they
    hold."""
    return kind in _REPORT_KINDS or (kind is FileKind.SOURCE and (
        comment_syntax(path, kind) is None or posixpath.splitext(path.lower())[1] in _PAGES))


def comment_syntax(path: str, kind: FileKind) -> CommentSyntax | None:
    """The comment syntax of a file the text pass reads, when known."""
    if kind in (FileKind.ENV, FileKind.SHELL, FileKind.DOCKERFILE, FileKind.TOML, FileKind.YAML):
        return CommentSyntax.HASH
    if kind is FileKind.TERRAFORM:
        return CommentSyntax.HCL
    if kind in (FileKind.PROSE, FileKind.DATA):
        return None
    name = posixpath.basename(path).lower()
    if name in _HASH_NAMES:
        return CommentSyntax.HASH
    return _COMMENTS_BY_SUFFIX.get(posixpath.splitext(name)[1])
