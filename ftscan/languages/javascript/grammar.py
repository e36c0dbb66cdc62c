"""tree-sitter for JavaScript and TypeScript: the grammar a file needs, the code blocks of a
single-file component, character offsets for tree-sitter's byte offsets, and the files that are
not worth a parse tree (minified bundles).

The grammars are the ``tree-sitter-javascript`` and ``tree-sitter-typescript`` wheels; JSX is
part of the JavaScript grammar, TSX has a grammar of its own. Parsing is native and fast; a file
with syntax errors still yields a tree (tree-sitter recovers), and the caller decides whether
what it holds can be trusted.
"""

from __future__ import annotations

import bisect
import functools
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tree_sitter import Language, Node, Parser, Tree

TS_SUFFIXES = (".ts", ".mts", ".cts")
TSX_SUFFIXES = (".tsx",)
COMPONENT_SUFFIXES = (".vue", ".svelte")
"""Single-file components: only their ``<script>`` blocks are code."""
MINIFIED_LINE = 2000
"""A file whose longest line is longer than this, and whose lines average more than
:data:`MINIFIED_AVERAGE` characters, is a bundle or generated code: the text pass reads it."""
MINIFIED_AVERAGE = 300
_SCRIPT_OPEN = re.compile(r"<script\b([^>]{0,500})>", re.IGNORECASE)
_LANG_TS = re.compile(r"""\blang\s*=\s*["']?(ts|tsx|typescript)\b""", re.IGNORECASE)


@functools.lru_cache(maxsize=3)
def _language(name: str) -> Language:
    if name == "javascript":
        import tree_sitter_javascript

        return Language(tree_sitter_javascript.language())
    import tree_sitter_typescript

    if name == "tsx":
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_typescript.language_typescript())


@functools.lru_cache(maxsize=3)
def parser(name: str) -> Parser:
    """A parser for ``javascript``, ``typescript`` or ``tsx`` (one per process and grammar)."""
    return Parser(_language(name))


def grammar_for(relpath: str) -> str:
    """The grammar a file of this name is written in."""
    lower = relpath.lower()
    if lower.endswith(TS_SUFFIXES):
        return "typescript"
    if lower.endswith(TSX_SUFFIXES):
        return "tsx"
    return "javascript"


def parse_tree(grammar: str, source: bytes) -> Tree:
    return parser(grammar).parse(source)


@dataclass(frozen=True)
class CodeBlock:
    """A piece of a file that is code: the whole file, or a component's ``<script>`` block."""

    start: int
    """Character offset of the block in the file."""
    text: str
    grammar: str


def code_blocks(relpath: str, text: str) -> Iterator[CodeBlock]:
    """The code in a file: itself, or each ``<script>`` block of a ``.vue``/``.svelte`` file
    (found with plain string searches: one pass over the text)."""
    if not relpath.lower().endswith(COMPONENT_SUFFIXES):
        yield CodeBlock(0, text, grammar_for(relpath))
        return
    position = 0
    while True:
        opening = _SCRIPT_OPEN.search(text, position)
        if opening is None:
            return
        close = text.find("</script", opening.end())
        end = close if close >= 0 else len(text)
        grammar = "typescript" if _LANG_TS.search(opening.group(1)) else "javascript"
        yield CodeBlock(opening.end(), text[opening.end():end], grammar)
        if close < 0:
            return
        position = close + 8


BUNDLER_MARKERS = ("__webpack_require__", "__commonJS(", "__toESM(", "/******/")
"""What webpack, ncc and esbuild write into a bundle of a program and the packages it uses."""


def is_bundle(text: str) -> bool:
    """A bundle (other people's code inlined with the program's) or a minified file: read
    without a parser, its ids found as the text pass finds them."""
    return is_minified(text) or any(marker in text for marker in BUNDLER_MARKERS)


def is_minified(text: str) -> bool:
    """A bundle or generated file: very long lines, and long on average."""
    if len(text) < 20_000:
        return False
    lines = text.count("\n") + 1
    if len(text) / lines < MINIFIED_AVERAGE:
        return False
    return max(len(line) for line in text.split("\n")) > MINIFIED_LINE


class Offsets:
    """Character offsets for tree-sitter's byte offsets into the UTF-8 encoding of a text.

    Only the characters outside ASCII are remembered (their byte offsets and how many bytes
    past one each takes), so an ASCII file costs nothing and a conversion is a bisection."""

    def __init__(self, text: str, data: bytes, base: int = 0) -> None:
        self.base = base
        self._starts: list[int] = []
        self._extra: list[int] = []
        if len(data) != len(text):
            extra = 0
            byte = 0
            for char in text:
                size = len(char.encode("utf-8", "surrogatepass"))
                if size > 1:
                    extra += size - 1
                    self._starts.append(byte)
                    self._extra.append(extra)
                byte += size

    def char(self, byte: int) -> int:
        """The character offset (in the whole file) of ``byte``."""
        if not self._starts:
            return self.base + byte
        i = bisect.bisect_left(self._starts, byte) - 1
        return self.base + byte - (self._extra[i] if i >= 0 else 0)


def node_text(node: Node, source: bytes) -> str:
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v",
                   "0": "\0", "\n": "", "\r\n": ""}


def unescape(sequence: str) -> str:
    """The character a JavaScript escape sequence (``\\n``, ``\\x41``, ``\\u{1F600}``) stands
    for; an unknown one stands for the character after the backslash, as in JavaScript."""
    body = sequence[1:]
    if body in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[body]
    try:
        if body.startswith("x") and len(body) == 3:
            return chr(int(body[1:], 16))
        if body.startswith("u{") and body.endswith("}"):
            return chr(int(body[2:-1], 16))
        if body.startswith("u") and len(body) == 5:
            return chr(int(body[1:], 16))
    except ValueError:
        pass
    return body[:1]


def string_value(node: Node, source: bytes) -> str | None:
    """The value of a ``string`` node (fragments joined, escapes resolved)."""
    if node.type != "string":
        return None
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(node_text(child, source))
        elif child.type == "escape_sequence":
            parts.append(unescape(node_text(child, source)))
    return "".join(parts)


def template_parts(node: Node, source: bytes) -> tuple[str, bool]:
    """A template literal as a template (``ft:{base}:acme``) and whether it has any
    substitution."""
    parts = []
    dynamic = False
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(node_text(child, source))
        elif child.type == "escape_sequence":
            parts.append(unescape(node_text(child, source)))
        elif child.type == "template_substitution":
            dynamic = True
            inner = node_text(child, source)[2:-1].strip()
            parts.append("{" + inner + "}")
    return "".join(parts), dynamic


def literal_data(node: Node, source: bytes) -> Any:
    """A JSON-like value written as a JavaScript literal (``tsconfig.json`` allows comments
    and trailing commas, which the JavaScript grammar reads): objects, arrays, strings,
    numbers, booleans, ``null``; anything else is ``None``."""
    kind = node.type
    if kind == "parenthesized_expression" and node.named_children:
        return literal_data(node.named_children[-1], source)
    if kind == "object":
        out: dict[str, Any] = {}
        for pair in node.named_children:
            if pair.type != "pair":
                continue
            key = pair.child_by_field_name("key")
            value = pair.child_by_field_name("value")
            if key is None or value is None:
                continue
            name = string_value(key, source) if key.type == "string" else node_text(key, source)
            if name is not None:
                out[name] = literal_data(value, source)
        return out
    if kind == "array":
        return [literal_data(c, source) for c in node.named_children if c.type != "comment"]
    if kind == "string":
        return string_value(node, source)
    if kind in ("true", "false"):
        return kind == "true"
    if kind == "number":
        try:
            return float(node_text(node, source))
        except ValueError:
            return None
    return None


def read_jsonc(text: str) -> Any:
    """A JSON-with-comments document (``tsconfig.json``, ``jsconfig.json``), read with the
    JavaScript grammar; ``None`` when it is not one."""
    source = ("(" + text + "\n)").encode("utf-8", "surrogatepass")
    tree = parse_tree("javascript", source)
    root = tree.root_node
    statements = [c for c in root.named_children if c.type != "comment"]
    if len(statements) != 1 or statements[0].type != "expression_statement":
        return None
    expression = statements[0].named_children[0] if statements[0].named_children else None
    return literal_data(expression, source) if expression is not None else None


def package_words(relpath: str) -> tuple[str, ...]:
    """The words an import of the module at ``relpath`` names: the file's stem, or its
    folder's name for an ``index`` file."""
    folder, base = posixpath.split(relpath)
    stem = base.split(".", 1)[0]
    if stem == "index" and folder:
        stem = posixpath.basename(folder)
    return (stem,) if stem else ()
