"""How deep the Python parser would have to go: every kind of nesting, counted before libcst
sees the code.

libcst's native parser recurses once per level of an expression, and not only per bracket: a
chain of operators (``a + a + ...``, ``- - - 1``, ``not not x``, ``a and a and ...``), of
attributes, calls and subscripts (``a.b.c...``, ``f()()...``, ``a[0][0]...``), of lambdas and of
conditional expressions nests the tree as deep as it is long. Tens of kilobytes of any of them
crash the process (a stack overflow no ``except`` catches), and well before that the parse
takes time quadratic in the chain (5,000 terms of ``+``: 6 s) in native code, where no time
budget reaches. Real code nests a few dozen levels at most; deeper code goes to the text pass.

The count is lexical and cheap (about 20 MB/s, a percent of libcst's own time): strings and
comments are cut out, keyword operators become ``~`` and every name, number and blank is
dropped, at C speed; what is left (operators, brackets, separators, line ends) is walked once.
Each bracket and each operator of a chain adds a level; a comma, a semicolon, an ``=`` or a line
end outside brackets starts the chain of its bracket again; a closed bracket is one term of the
chain around it. Comparisons are not counted (libcst reads any number of them flat).
"""

from __future__ import annotations

import re
import string

MAX_NESTING = 400
"""Levels of brackets and operator chains the parser is given at most: no real code comes near
(the deepest module of a large site-packages: 164, a ``+`` of 164 calls), while libcst crashes
at about 1,300 brackets or 10,000 ``and``, and takes a second for 1,000 subscripts in a row."""

_NOT_CODE = re.compile(r"""
    '''[^'\\]*(?:(?:\\(?:.|\Z)|'(?!''))[^'\\]*)*(?:'''|\Z)
  | \"\"\"[^"\\]*(?:(?:\\(?:.|\Z)|"(?!""))[^"\\]*)*(?:\"\"\"|\Z)
  | '[^'\\\n]*(?:\\.[^'\\\n]*)*'?
  | "[^"\\\n]*(?:\\.[^"\\\n]*)*"?
  | \#[^\n]*
  | \\\n
""", re.VERBOSE | re.DOTALL)
"""Strings (a prefix is dropped with the names; an escape may be a line continuation),
comments and line continuations. A string matches from its quote whatever follows (to its
line's end, or the text's, when it is never closed): no quote is looked at twice, however many
a hostile file holds."""
_KEYWORD_OPERATORS = ("not", "and", "or", "await", "if", "else")
"""Operators spelled as words, counted where blanks surround them (a chain of them is
written so); ``lambda`` wherever it occurs."""
_DROPPED = str.maketrans("", "", string.ascii_letters + string.digits + "_ \t\r\f\\'\"$?!`")
_TOKENS = re.compile(r"""
    (?P<skip>==|!=|<=|>=|->|:=|\*\*=|//=|<<=|>>=|[-+*/%@&|^<>:]=|[<>:])
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<separator>[,;=])
  | (?P<operator>\*\*|//|<<|>>|[-+*/%@&|^~.])
  | (?P<newline>\n)
""", re.VERBOSE)


def nesting_depth(text: str, limit: int = MAX_NESTING) -> int:
    """How deep ``text``'s deepest expression nests (brackets and operator chains together),
    counted up to just past ``limit``: linear in the text."""
    deepest = depth = 0
    opened: list[int] = []  # the depth before each bracket still open
    for token in _TOKENS.finditer(_operators(text)):
        kind = token.lastgroup
        if kind == "operator" or kind == "open":
            if kind == "open":
                opened.append(depth)
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif kind == "close":
            depth = opened.pop() + 1 if opened else 0
        elif kind == "separator" or kind == "newline" and not opened:
            depth = opened[-1] + 1 if opened else 0
    return deepest


def _operators(text: str) -> str:
    """``text`` without strings, comments, names, numbers and blanks, its keyword operators
    turned into ``~``."""
    code = _NOT_CODE.sub(" ", text).replace("lambda", " ~ ")
    for word in _KEYWORD_OPERATORS:
        spaced = f" {word} "
        # twice: a replaced word takes the blank the next one of a chain starts with
        code = code.replace(spaced, " ~ ").replace(spaced, " ~ ")
    return code.translate(_DROPPED)
