"""Where the comments are in a file that ftscan does not parse fully.

An id inside a comment is a *mention*: nothing calls it. A small lexer that knows each comment
syntax and skips over quoted strings (so ``"http://..."`` is not a comment) finds the comment
spans; it is used for the text pass and for the parts of a file a parser leaves over.
"""

from __future__ import annotations

import enum
import re


class CommentSyntax(enum.Enum):
    """The comment syntaxes ftscan knows."""

    HASH = "hash"
    """``#`` to end of line (shell, YAML, TOML, Ruby, Dockerfile, env files)."""
    SLASH = "slash"
    """``//`` to end of line and ``/* ... */`` (C family, JS/TS, Go, Java, Rust, ...)."""
    HCL = "hcl"
    """``#``, ``//`` and ``/* ... */`` (Terraform)."""
    DASH = "dash"
    """``--`` to end of line (SQL, Lua, Haskell)."""
    HTML = "html"
    """``<!-- ... -->`` (HTML, XML, Markdown)."""
    CSS = "css"
    """``/* ... */`` only."""


# A string left open runs to the end of its line (JS template literals: to the end of the text),
# as a lexer recovering from the error would read it: a failed match at every quote of a long
# line would make the lexer quadratic.
_STRINGS = (r'"(?:\\.|[^"\\\r\n])*(?:"|(?=[\r\n])|\Z)'
            r"|'(?:\\.|[^'\\\r\n])*(?:'|(?=[\r\n])|\Z)")
# Lines end at \n, \r\n or a lone \r (old Mac files), as everywhere in ftscan.
_COMMENT_PATTERNS = {
    CommentSyntax.HASH: r"(?P<c>#[^\r\n]*)",
    CommentSyntax.SLASH: r"(?P<c>//[^\r\n]*|/\*.*?(?:\*/|\Z))|`(?:\\.|[^`\\])*(?:`|\Z)",
    CommentSyntax.HCL: r"(?P<c>#[^\r\n]*|//[^\r\n]*|/\*.*?(?:\*/|\Z))",
    CommentSyntax.DASH: r"(?P<c>--[^\r\n]*)",
    CommentSyntax.HTML: r"(?P<c><!--.*?(?:-->|\Z))",
    CommentSyntax.CSS: r"(?P<c>/\*.*?(?:\*/|\Z))",
}
_LEXERS = {
    syntax: re.compile(
        pattern if syntax is CommentSyntax.HTML else f"{_STRINGS}|{pattern}", re.DOTALL
    )
    for syntax, pattern in _COMMENT_PATTERNS.items()
}


def comment_spans(text: str, syntax: CommentSyntax) -> list[tuple[int, int]]:
    """The (start, end) offsets of every comment in ``text``, in order."""
    return [m.span("c") for m in _LEXERS[syntax].finditer(text) if m.group("c") is not None]
