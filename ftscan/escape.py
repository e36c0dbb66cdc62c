"""Text from a scanned repository, made safe for where ftscan prints it.

Paths, ids, config keys, owners and parser messages all come from the tree being scanned, which
ftscan does not trust. Each output kind has one function here, and every reporter uses it:

- :func:`terminal`: control characters (a newline that would start a ``::error`` workflow
  command in GitHub Actions, an escape sequence that would drive a TTY), C1 controls, bidi
  overrides and lone surrogates become visible escapes (``\\n``, ``\\x1b``, ``\\u202e``);
- :func:`md_text` and :func:`md_code`: Markdown for pull request comments and job summaries:
  no heading, link, image, HTML tag or ``@`` mention can be formed (nor a bare URL GitHub would
  turn into a link), and a code span cannot be closed early;
- :func:`html_text`: text inside HTML elements of a Markdown document (``<summary>``);
- :func:`csv_cell`: a spreadsheet cell that cannot start a formula, with control characters
  shown as :func:`terminal` shows them (a CSV is read in terminals too).
"""

from __future__ import annotations

import html
import re

_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\x1b": "\\x1b", "\x00": "\\0"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp):(?=//)|www(?=\.)")
"""Where GitHub's autolinker starts a link in plain text (``https://``, ``http://``,
``ftp://``, ``www.``; an e-mail address or ``mailto:`` needs an ``@``, broken already)."""
WORD_JOINER = "\u2060"
"""Invisible, and breaks what follows ``@`` off it: GitHub pings nobody; nor does it link a
``www.`` or ``https://`` it splits."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_SURROGATE = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """``text`` with lone surrogates (a JSON ``"\\ud800"``, a Python ``"\\udc00"``) replaced by
    U+FFFD: they cannot be encoded, so no report could be written with them."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def terminal(text: str) -> str:
    """``text`` with every character that could control a terminal or a log shown as an
    escape; tabs are kept."""
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


def md_text(text: object) -> str:
    """Plain text inside Markdown: it renders as the characters it holds, and nothing else."""
    escaped = html.escape(terminal(str(text)), quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    return _unlinked(escaped)


def md_code(text: object, in_table: bool = True) -> str:
    """``text`` as a code span that nothing inside it can close: the fence is one backtick
    longer than the longest run of backticks in the text. Inside a table cell a ``|`` is
    escaped (GitHub reads ``\\|`` as a pipe even in code)."""
    value = terminal(str(text))
    if in_table:
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith(("`", " ")) or value.endswith(("`", " ")) or not value:
        value = f" {value} "
    return f"{fence}{value}{fence}"


def html_text(text: object) -> str:
    """Text inside an HTML element of a Markdown document (where Markdown is not read)."""
    escaped = html.escape(terminal(str(text)), quote=True)
    return _unlinked(escaped)


def _unlinked(text: str) -> str:
    """``text`` with a word joiner where GitHub would start a mention or a link by itself."""
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return _MENTION.sub("@" + WORD_JOINER, text)


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one that would start a formula (``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, as OWASP advises;
    control characters (an escape sequence in a file name) are shown as escapes, as in the
    terminal. Numbers are left as they are."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else terminal(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text
