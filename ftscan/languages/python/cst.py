"""libcst, fast: node offsets in one code generation pass, and a traversal that reads the
dataclass fields instead of rebuilding every node (libcst's own visitor does, in case the
visitor is a transformer). The string collector and the facts collector run together in one
traversal of each module."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from ftscan.flow.facts import Span
from ftscan.textpos import LineIndex


class _OffsetCodegenState(CodegenState):
    """libcst's code generation, counting characters instead of keeping the code.

    libcst's ``PositionProvider`` tracks (line, column) through the same pass by splitting every
    token on newlines and building two position objects per node; a running character count
    gives the same places (the generated code is the source, character for character) at a
    fraction of the cost. Spans are syntactic, as ``PositionProvider``'s are: a node's own
    leading whitespace and comments are not part of it."""

    def __init__(self, module: cst.Module, spans: dict[cst.CSTNode, tuple[int, int]]) -> None:
        super().__init__(default_indent=module.default_indent,
                         default_newline=module.default_newline)
        self.offset = 0
        self.spans = spans
        self.starts: list[int] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.offset += len(token)

    def add_token(self, value: str) -> None:
        self.offset += len(value)

    def pop_trailing_newline(self) -> None:
        pass  # only at the very end of the module: no node starts after it

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.offset)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:  # a syntactic position recorded inside wins
            self.spans[node] = (start, self.offset)

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *,
                                  start_node: cst.CSTNode | None = None,
                                  end_node: cst.CSTNode | None = None) -> Iterator[None]:
        start = self.offset
        try:
            yield
        finally:
            end = self.offset
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


def node_offsets(module: cst.Module) -> dict[cst.CSTNode, tuple[int, int]]:
    """Each node's (start, end) character offsets in the module's code."""
    spans: dict[cst.CSTNode, tuple[int, int]] = {}
    module._codegen(_OffsetCodegenState(module, spans))
    return spans


# Fields that hold only whitespace, comments and punctuation: never anything a visitor here
# looks at, and a good half of every tree.
_LAYOUT_FIELDS = frozenset({
    "lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer", "comma",
    "semicolon", "trailing_whitespace", "newline", "equal", "colon", "dot", "lbracket",
    "rbracket", "lbrace", "rbrace", "star", "operator", "asynchronous", "first_colon",
    "second_colon", "relative", "leading_whitespace",
})
# Nodes whose fields are not declared in the order their parts are written: visited in source
# order all the same, so that what visitors record comes out in the order of the text.
_SOURCE_ORDER = {
    "Arg": ("keyword", "value"),
    "FunctionDef": ("decorators", "name", "type_parameters", "params", "returns", "body"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "IfExp": ("body", "test", "orelse"),
    "MatchCase": ("pattern", "guard", "body"),
    "TypeAlias": ("name", "type_parameters", "value"),
    "Parameters": ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params",
                   "star_kwarg"),
}
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        names = [f.name for f in dataclasses.fields(kind)
                 if f.name not in _LAYOUT_FIELDS and not f.name.startswith("whitespace")]
        first = [n for n in _SOURCE_ORDER.get(kind.__name__, ()) if n in names]
        fields = _CHILD_FIELDS[kind] = (*first, *(n for n in names if n not in first))
    return fields


def traverse(module: cst.Module, visitors: Sequence[OffsetVisitor]) -> None:
    """Call each visitor's ``visit_<Node>`` on every node, parents before children, and its
    ``leave_<Node>`` after them, in one pass for all visitors.

    libcst's own traversal rebuilds every node it passes (a visitor could be a transformer) and
    calls a hook per attribute; reading the dataclass fields is several times faster. Fields
    of layout only (whitespace, brackets, commas) are not entered."""
    visits: dict[type[cst.CSTNode], tuple[Callable[[Any], None], ...]] = {}
    leaves: dict[type[cst.CSTNode], tuple[Callable[[Any], None], ...]] = {}

    def methods(table: dict[type[cst.CSTNode], tuple[Callable[[Any], None], ...]],
                prefix: str, kind: type[cst.CSTNode]) -> tuple[Callable[[Any], None], ...]:
        found = table.get(kind)
        if found is None:
            name = prefix + kind.__name__
            found = table[kind] = tuple(
                method for visitor in visitors
                if (method := getattr(visitor, name, None)) is not None)
        return found

    node_type = cst.CSTNode

    def walk(node: cst.CSTNode) -> None:
        kind = type(node)
        for method in visits.get(kind) or methods(visits, "visit_", kind):
            method(node)
        for name in _CHILD_FIELDS.get(kind) or _child_fields(kind):
            value = getattr(node, name)
            if isinstance(value, node_type):
                walk(value)
            elif isinstance(value, (tuple, list)):
                for item in value:
                    if isinstance(item, node_type):
                        walk(item)
        for method in leaves.get(kind) or methods(leaves, "leave_", kind):
            method(node)

    walk(module)


class OffsetVisitor:
    """A visitor (see :func:`traverse`) that knows each node's character offsets in the
    module's text. The Python parser runs its string collector and the facts collector in one
    traversal of the tree."""

    def __init__(self, module: cst.Module, index: LineIndex,
                 offsets: dict[cst.CSTNode, tuple[int, int]]) -> None:
        self.module = module
        self.index = index
        self._offsets = offsets

    def _span(self, node: cst.CSTNode) -> Span:
        start, end = self._offsets[node]
        return Span(start, end)
