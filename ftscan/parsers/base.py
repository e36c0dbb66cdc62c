"""What a parser hands the scanner: the strings a file holds, where they are, what binds them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ftscan.bindings import Binding
from ftscan.comments import CommentSyntax
from ftscan.flow.facts import ModuleFacts
from ftscan.models import Role


@dataclass(frozen=True)
class StringFact:
    """A string value a parser found, with the span of its source text in the file.

    ``value`` is the decoded string (escapes resolved, pieces joined); ``start``/``end`` are
    character offsets of the literal in the file. An id found in ``value`` is located in the
    source span when it appears there verbatim, and otherwise at ``start`` (an implicitly
    concatenated string is reported where it begins).
    """

    value: str
    start: int
    end: int
    kind: str
    """What holds the value, in words: ``Python string literal``, ``YAML value``, ..."""
    role: Role = Role.DEFINITION
    binding: Binding | None = None
    """The name the value is bound to: an env var, a constant, a config key path."""
    template: bool = False
    """``value`` is a run-time template whose variable parts read ``{...}``."""
    component: str | None = None
    """The deployment unit holding the value: a Kubernetes workload, a compose service, a
    Terraform resource address."""

    @property
    def context(self) -> str | None:
        """The binding as reports show it."""
        return self.binding.display() if self.binding is not None else None


@dataclass
class ParsedFile:
    """The facts a parser found in one file.

    Ids found *outside* every string fact (the "residual": comments, prose, text a parser does
    not model) get ``residual_role``, except inside a comment of ``comment_syntax``, where they
    are mentions.
    """

    strings: list[StringFact] = field(default_factory=list)
    residual_role: Role = Role.DEFINITION
    residual_kind: str = "text"
    comment_syntax: CommentSyntax | None = None
    residual_binding: Callable[[int], Binding | None] | None = None
    """Names what binds an id found by the residual pass at a given offset (TOML keys)."""
    module: ModuleFacts | None = None
    """For source code of a language plug-in: what the module binds, imports and calls (for
    following names to the code that uses them)."""
    notes: list[tuple[int | None, str]] = field(default_factory=list)
    """Problems worth telling the user that did not stop the parse: (line, message)."""


class ParseFailure(Exception):
    """The file is not valid in its format; the scanner falls back to the text pass."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
