"""Regular expressions that cannot hang a scan.

Built-in patterns (ftscan's rules and parsers) are written for Python's ``re`` with bounded
quantifiers and anchors, and a test runs each of them on adversarial megabytes. Patterns from
users' rule files are another matter: ``(a+)+$`` doubles its time with every character. They
are compiled with RE2 (``google-re2``), whose matching time is linear by construction; a pattern
RE2 cannot take (a backreference, a lookaround) is refused with the reason.

The byte prefilter that decides whether a file is worth parsing runs every rule's patterns and
hints over whole files: it uses RE2 for all of them, built-in ones included, after turning the
lookarounds of the built-in patterns (each a character class at the start or end) into the
equivalent "start of text or a character outside the class": the same files match, in linear
time. Without google-re2 (no wheel for the platform), Python's ``re`` runs the built-in
patterns there instead, and user rules are refused.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any, Protocol


@functools.cache
def _re2() -> Any:
    """The ``re2`` module, imported when first needed (a replayed scan compiles no pattern),
    or ``None`` when google-re2 is not installed."""
    try:
        import re2
    except ImportError:  # pragma: no cover - google-re2 has wheels for the usual platforms
        return None
    return re2


_LEADING_LOOKBEHIND = re.compile(r"^\(\?<!(\[[^\]]*\])\)")
_TRAILING_LOOKAHEAD = re.compile(r"\(\?!(\[[^\]]*\])\)$")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_INNER_LOOKAROUND = re.compile(r"\(\?<?!(?:[^()\\]|\\.)*\)")


class Match(Protocol):
    """What ftscan uses of a match, from ``re`` or RE2."""

    def span(self, group: int = ..., /) -> tuple[int, int]: ...
    def start(self, group: int = ..., /) -> int: ...
    def end(self, group: int = ..., /) -> int: ...
    def group(self, group: int = ..., /) -> Any: ...
    def groupdict(self) -> dict[str, Any]: ...


class Pattern(Protocol):
    """What ftscan uses of a compiled pattern, from ``re`` or RE2."""

    @property
    def pattern(self) -> Any: ...
    def search(self, text: str, pos: int = ..., /) -> Any: ...
    def finditer(self, text: str, /) -> Iterator[Any]: ...


class RegexError(ValueError):
    """A pattern that cannot be used; the message says why."""


def re2_available() -> bool:
    """Is google-re2 installed?"""
    return _re2() is not None


def _options(latin1: bool) -> Any:
    re2 = _re2()
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    if latin1:
        options.encoding = re2.Options.Encoding.LATIN1
    return options


def compile_builtin(text: str) -> Pattern:
    """A built-in pattern (vetted by the test suite) with Python's ``re``, compiled when first
    used (:class:`OnFirstUse`)."""
    return OnFirstUse(text)


class OnFirstUse:
    """A built-in pattern, compiled with Python's ``re`` the first time it runs. A scan loads
    every rule but runs only the patterns of the rules whose keywords a file holds: a
    pre-commit run on one file compiled some forty patterns it never ran, a third of its
    time once Python had started."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, text: str) -> None:
        self.pattern = text
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        """The pattern compiled (once)."""
        if self._compiled is None:
            self._compiled = re.compile(self.pattern)
        return self._compiled

    def search(self, text: str, pos: int = 0, /) -> re.Match[str] | None:
        return self.compiled().search(text, pos)

    def finditer(self, text: str, /) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(text)

    def __repr__(self) -> str:
        return f"OnFirstUse({self.pattern!r})"


def compile_linear(text: str) -> Pattern:
    """A user's pattern with RE2: linear time whatever the pattern. Raises
    :class:`RegexError` when RE2 cannot take it, or is not installed."""
    if _re2() is None:
        raise RegexError("patterns from rule files need google-re2 (pip install google-re2), "
                         "which guarantees they run in linear time")
    try:
        re.compile(text)  # the same syntax errors as built-in patterns, worded by Python
    except re.error as exc:
        raise RegexError(str(exc)) from None
    return compile_re2(text)


def compile_re2(text: str) -> Pattern:
    """``text`` in RE2's own syntax, compiled with RE2. Raises :class:`RegexError`."""
    re2 = _re2()
    if re2 is None:
        raise RegexError("google-re2 is not installed")
    try:
        compiled: Pattern = re2.compile(text, _options(latin1=False))
    except re2.error as exc:
        raise RegexError(f"RE2 cannot run this pattern ({exc}); rule files take RE2 syntax: "
                         "no backreferences or lookarounds") from None
    return compiled


def existence_form(text: str) -> tuple[str, bool]:
    """``text`` for a yes/no search over bytes, and whether it is exact: named groups unnamed,
    and a leading ``(?<![...])`` / trailing ``(?![...])`` turned into "start (end) of text or a
    character outside the class", which RE2 can run and which matches in the same places. A
    negative lookaround elsewhere (``accounts/(?!fireworks/)``, ``(?<!"id": ")``) is dropped:
    the form then matches a little more than the pattern (not exact)."""
    text = _LEADING_LOOKBEHIND.sub(lambda m: f"(?:^|[^{m.group(1)[1:-1]}])", text)
    text = _TRAILING_LOOKAHEAD.sub(lambda m: f"(?:$|[^{m.group(1)[1:-1]}])", text)
    relaxed = _INNER_LOOKAROUND.sub("", text)
    return _NAMED_GROUP.sub("(?:", relaxed), relaxed == text


class AnyOf:
    """Does any of several patterns occur in some bytes? One linear pass of RE2 over them for
    all patterns together. Where RE2's form of a pattern is wider than the pattern (see
    :func:`existence_form`), a yes from RE2 is confirmed with Python's ``re`` (the built-in
    patterns are linear there too). Without RE2, Python's ``re`` runs them all.

    Raises :class:`RegexError` when the patterns cannot run on bytes (a non-ASCII pattern):
    the caller then decides on keywords alone."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self._combined: Any = None
        self._exact = True
        try:
            self._python = [re.compile(p.encode("ascii")) for p in patterns]
            re2 = _re2()
            if re2 is not None:
                forms = [existence_form(p) for p in patterns]
                self._exact = all(exact for _, exact in forms)
                joined = "|".join(f"(?:{form})" for form, _ in forms)
                self._combined = re2.compile(joined.encode("ascii"), _options(latin1=True))
        except (UnicodeEncodeError, re.error) as exc:
            raise RegexError(str(exc)) from None
        except Exception as exc:  # re2.error, when RE2 is there
            raise RegexError(str(exc)) from None

    def search(self, data: bytes) -> bool:
        """Does any pattern match somewhere in ``data``?"""
        if self._combined is not None:
            if self._combined.search(data) is None:
                return False
            if self._exact:
                return True
        return any(p.search(data) is not None for p in self._python)
