"""Python string literals through the standard library's ``ast``: the facts the libcst
collector (:mod:`.strings`) gives, for about a tenth of its cost, for modules whose names
need not be followed.

A module holding an id needs libcst's facts only when a name could carry the id somewhere: the
first phase reads it here instead when every id sits in a plain module-level assignment
(``NAME = "ft:…"``, a dict or list of literals) whose names appear nowhere else in the module.
The alias phase then searches the other files for those names, and parses the module in full
only if one names them (:func:`ftscan.flow.phase.resolve_uses`).

The strings must be exactly those libcst gives (same values, spans, kinds, roles, bindings,
templates); a shape where ``ast`` and libcst could differ (a concatenation holding an f-string
or bytes, a string in an f-string's expression that does not read back, operands with
comments or parentheses that belong to an inner ``+``, a lone CR, code ``ast`` rejects) raises
:class:`Unusual`, and the caller parses with libcst. ``bench/compare_literals.py`` checks the
two against each other over whole Python installations.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from ftscan.bindings import Symbol
from ftscan.languages import SourceTests
from ftscan.models import Role
from ftscan.parsers.base import StringFact

PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrifx]")
ENV_READERS = {"getenv", "get", "setdefault"}
_WORD = re.compile(r"\w+")
_VALUE_SHAPES = (ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Dict, ast.List,
                 ast.Tuple, ast.Set, ast.BinOp, ast.UnaryOp, ast.JoinedStr, ast.FormattedValue,
                 ast.Starred, ast.Slice, ast.expr_context, ast.operator, ast.unaryop)
"""What the value of a plain assignment may hold: no call, lambda, comprehension or walrus
(through which a value could reach code elsewhere)."""


class Unusual(Exception):
    """A shape this reader does not model exactly as libcst does."""


@dataclass(frozen=True)
class Literals:
    """A module's strings, and for each the plain module-level assignment holding it."""

    strings: list[StringFact]
    statement_of: list[int | None]
    """Per string: the index in :attr:`statements` of the module-level assignment to plain
    names that holds it, or ``None`` when it sits anywhere else."""
    statements: list[tuple[int, int, ast.Assign | ast.AnnAssign]]
    """Module-level assignments to plain names: their span and the statement (whether its
    value is plain, and which names it mentions, is worked out only for those holding an id:
    a module's other assignments can be tables of thousands of entries)."""
    text: str
    _counts: list[Counter[str]] = field(default_factory=list, compare=False, repr=False)

    def names_only_in(self, statement: int) -> frozenset[str] | None:
        """The names a plain assignment mentions, if none of them appears elsewhere in the
        module's text (as a whole word, in code, strings or comments alike); else ``None``
        (also when the assignment's value is not plain)."""
        start, end, node = self.statements[statement]
        if not _plain_value(node):
            return None
        names = _names(node)
        inside = Counter(_WORD.findall(self.text, start, end))
        everywhere = self._words()
        if any(everywhere[name] != inside[name] for name in names):
            return None
        return names

    def _words(self) -> Counter[str]:
        """How often each word occurs in the module (counted once, on first use)."""
        if not self._counts:
            self._counts.append(Counter(_WORD.findall(self.text)))
        return self._counts[0]


def read_literals(text: str, worth_reading: Callable[[str], bool] | None = None) -> Literals:
    """Every string literal of a module as libcst's collector reports it; raises
    :class:`Unusual` where that cannot be guaranteed, :class:`SyntaxError` (and the other
    errors of :func:`ast.parse`) when ``ast`` cannot read the module.

    With ``worth_reading``, only the module-level statements whose lines it accepts are
    walked (:func:`could_hold`): the strings of the others are left out, so the cost of the
    walk, and the facts kept, follow the statements that may hold an id, not the size of the
    module (a data table of thousands of literals, a test module of a megabyte)."""
    if "\r" in text:
        raise Unusual("a carriage return: lines are counted differently")
    tree = ast.parse(text)
    reader = _Reader(text)
    statements: list[tuple[int, int, ast.Assign | ast.AnnAssign]] = []
    statement_of: list[int | None] = []
    reader.mark_docstring(tree.body, None)
    for statement in tree.body:
        if worth_reading is not None and not worth_reading(reader.lines_of(statement)):
            continue
        before = len(reader.strings)
        reader.visit(statement)
        index = None
        if _to_plain_names(statement):
            index = len(statements)
            start, end = reader.span(statement)
            statements.append((start, end, statement))
        statement_of.extend([index] * (len(reader.strings) - before))
    order = sorted(range(len(reader.strings)),
                   key=lambda i: (reader.strings[i].start, -reader.strings[i].end))
    return Literals([reader.strings[i] for i in order], [statement_of[i] for i in order],
                    statements, text)


_ESCAPE = re.compile(r"\\[xuUN0-7]")
"""An escape that can spell any character, a keyword's too."""
_SPELLED_APART = re.compile(r"""\\|["']\s*\+?\s*[rRbBuUfF]{0,2}["']|\{\s*[rRbBuUfF]{0,2}["']""")
"""Where a value can join up text its source spells in pieces: an escape or a line
continuation, literals side by side or joined with ``+``, a literal inside an f-string's
braces."""


def could_hold(source: str, tests: SourceTests) -> bool:
    """May a statement whose source is ``source`` hold a string with an id in its value (or
    the start of one completed at run time)? Yes when a rule's pattern or hint matches the
    source as written, when it holds an escape that can spell anything, or when it holds a
    rule's keyword and spells a value in pieces (:data:`_SPELLED_APART`). A statement that
    merely holds a keyword (``if left:`` holds ``ft:``) is not read."""
    return (tests.holds_id(source) or _ESCAPE.search(source) is not None
            or tests.holds_word(source) and _SPELLED_APART.search(source) is not None)


def _to_plain_names(statement: ast.stmt) -> TypeGuard[ast.Assign | ast.AnnAssign]:
    """An assignment of a value to plain names (``A = B = value``, ``A: T = value``)?"""
    if isinstance(statement, ast.Assign):
        targets: list[ast.expr] = statement.targets
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    else:
        return False
    return all(isinstance(t, ast.Name) for t in targets)


def _plain_value(statement: ast.Assign | ast.AnnAssign) -> bool:
    """Is the assigned value made of literals, names and operators only?"""
    assert statement.value is not None
    return all(isinstance(node, _VALUE_SHAPES) for node in ast.walk(statement.value))


def _names(statement: ast.stmt) -> frozenset[str]:
    names = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return frozenset(names)


class _Reader:
    """One pass over the tree in the manner of :class:`.strings._StringCollector`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.strings: list[StringFact] = []
        self._lines = text.split("\n")
        starts = [0]
        for line in self._lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self._starts = starts
        self._encoded: dict[int, bytes] = {}
        self._context: dict[int, str] = {}
        self._docstrings: set[int] = set()
        self._handled: set[int] = set()
        self._class_stack: list[str] = []

    # ----------------------------------------------------------------- positions

    def offset(self, line: int, column: int) -> int:
        """The character offset of ``ast``'s (1-based line, UTF-8 byte column)."""
        text = self._lines[line - 1]
        if column and not text.isascii():
            encoded = self._encoded.get(line)
            if encoded is None:
                encoded = self._encoded[line] = text.encode("utf-8", "surrogatepass")
            column = len(encoded[:column].decode("utf-8", "surrogatepass"))
        return self._starts[line - 1] + column

    def span(self, node: ast.AST) -> tuple[int, int]:
        end_line, end_col = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        return (self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
                self.offset(end_line, end_col))

    def lines_of(self, statement: ast.stmt) -> str:
        """The whole lines a statement spans, its decorators included."""
        first = min([statement.lineno, *(d.lineno for d in
                                         getattr(statement, "decorator_list", ()))])
        last = statement.end_lineno or statement.lineno
        end = self._starts[last] if last < len(self._starts) else len(self.text)
        return self.text[self._starts[first - 1]:end]

    def source(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def single(self, node: ast.AST) -> bool:
        """Is the literal one token (not an implicit concatenation)?"""
        return one_literal(self.source(node))

    # ----------------------------------------------------------------- the walk

    def visit(self, node: ast.AST) -> None:
        kind = type(node)
        if kind is ast.Constant:
            self._constant(node)  # type: ignore[arg-type]
            return
        if kind is ast.JoinedStr:
            self._fstring(node)  # type: ignore[arg-type]
            return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node)
        if kind is ast.ClassDef:
            self._class_stack.append(node.name)  # type: ignore[attr-defined]
            try:
                self._children(node)
            finally:
                self._class_stack.pop()
            return
        self._children(node)

    def _children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    # ----------------------------------------------------------------- naming what binds

    def _bind(self, node: ast.AST | None, name: str | None) -> None:
        if node is not None and name:
            self._context[id(node)] = name

    def _target_name(self, target: ast.expr) -> str | None:
        if isinstance(target, (ast.Name, ast.Attribute, ast.Subscript)) and (
                target.lineno != target.end_lineno):
            raise Unusual("a target over several lines")
        if isinstance(target, (ast.Name, ast.Attribute)):
            name = self.source(target)
            if isinstance(target, ast.Name) and self._class_stack:
                return f"{self._class_stack[-1]}.{name}"
            return name
        if isinstance(target, ast.Subscript):
            return self.source(target)
        return None

    def _assign(self, node: ast.Assign) -> None:
        if len(node.targets) == 1:
            self._bind(node.value, self._target_name(node.targets[0]))

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self._bind(node.value, self._target_name(node.target))

    def _dict(self, node: ast.Dict) -> None:
        owner = self._context.get(id(node))
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if not self.single(key):
                    raise Unusual("a dict key made of several literals")
                self._bind(value, f'{owner or ""}[{key.value!r}]'.replace("'", '"'))

    def _call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else None)
        arguments: list[ast.expr | ast.keyword] = sorted(
            [*node.args, *node.keywords], key=lambda a: (a.lineno, a.col_offset))
        if name in ENV_READERS and len(arguments) >= 2 and not (
                isinstance(arguments[0], ast.keyword) and arguments[0].arg is not None):
            key = _argument_value(arguments[0])
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and (
                    self.single(key)):
                self._bind(_argument_value(arguments[1]), f"default of env {key.value}")
        for keyword in node.keywords:
            if keyword.arg is not None:
                self._bind(keyword.value, f"{keyword.arg}=")
        if isinstance(func, ast.Attribute) and func.attr == "format":
            literal = func.value
            if (isinstance(literal, ast.Constant) and isinstance(literal.value, str)
                    and self.single(literal)):
                self._handled.add(id(literal))
                self._add(node, literal.value, "str.format() template", template=True)

    def mark_docstring(self, body: list[ast.stmt], owner: ast.AST | None) -> None:
        if not body or not isinstance(body[0], ast.Expr):
            return
        first = body[0].value
        if not (isinstance(first, ast.Constant) and isinstance(first.value, (str, bytes))):
            return
        if owner is not None:  # `class A: "doc"` on one line is no docstring to libcst
            at = self.span(body[0])[0] - 1
            while at >= 0 and self.text[at] in " \t\f":
                at -= 1
            if at >= 0 and self.text[at] == ":":
                return
        self._docstrings.add(id(first))

    def _definition(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.mark_docstring(node.body, node)

    # ----------------------------------------------------------------- the strings

    def _constant(self, node: ast.Constant) -> None:
        value = node.value
        if not isinstance(value, (str, bytes)) or id(node) in self._handled:
            return
        if isinstance(value, bytes):
            if not self.single(node):
                raise Unusual("bytes literals concatenated")
            self._add(node, value.decode("utf-8", errors="replace"), "Python bytes literal")
        else:
            self._add(node, value, "Python string literal")

    def _fstring(self, node: ast.JoinedStr) -> None:
        if not self.single(node):
            self._pieces(node)
        elif id(node) not in self._handled:
            self._add(node, self._template(node), "f-string", template=True)
        for part in node.values:  # strings nested in the expressions are literals too
            if isinstance(part, ast.FormattedValue):
                for inner in ast.walk(part):
                    if isinstance(inner, ast.JoinedStr) and inner is not part.format_spec:
                        raise Unusual("an f-string inside an f-string")
                self._nested(part.value)
                if part.format_spec is not None:
                    for inner in ast.walk(part.format_spec):
                        if isinstance(inner, ast.FormattedValue):
                            self._nested(inner.value)

    def _pieces(self, node: ast.JoinedStr) -> None:
        """An f-string concatenated with other literals: libcst cannot give the whole a
        value, and reports each piece on its own (unbound: only the whole was assigned)."""
        start, end = self.span(node)
        source = self.text[start:end]
        tokens = literal_tokens(source)
        formatted = [_is_fstring(source[a:b]) for a, b in tokens]
        last = max(i for i, f in enumerate(formatted) if f)
        # libcst nests a concatenation to the right: (p0, (p1, (p2, ...))); the plain
        # literals after the last f-string form one string of their own
        pieces = [*tokens[:last + 1]]
        if last + 1 < len(tokens):
            pieces.append((tokens[last + 1][0], tokens[-1][1]))
        for piece_start, piece_end in pieces:
            piece = source[piece_start:piece_end]
            span = (start + piece_start, start + piece_end)
            if _is_fstring(piece):
                self._add_at(span, self._template_of(piece), "f-string", template=True)
                continue
            value = ast.literal_eval(piece)
            if not isinstance(value, str):
                raise Unusual("bytes in an f-string concatenation")
            self._add_at(span, value, "Python string literal")

    def _nested(self, expression: ast.expr) -> None:
        """An expression inside an f-string: ``ast`` in Python 3.11 places it right unless
        it spans lines; every literal in it is checked to read back as its value."""
        if expression.lineno != expression.end_lineno:
            raise Unusual("a multi-line expression in an f-string")
        for inner in ast.walk(expression):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, (str, bytes)):
                source = self.source(inner)
                try:
                    same = one_literal(source) and ast.literal_eval(source) == inner.value
                except (ValueError, SyntaxError):
                    same = False
                if not same:
                    raise Unusual("a literal in an f-string that does not read back")
        self.visit(expression)

    def _template(self, node: ast.JoinedStr) -> str:
        """libcst's template of an f-string: its text as written, each replacement field
        reduced to ``{expression}``."""
        return self._template_of(self.source(node))

    @staticmethod
    def _template_of(source: str) -> str:
        prefix = len(source) - len(source.lstrip("rRbBuUfF"))
        quote = 3 if source[prefix:prefix + 3] in ('"""', "'''") else 1
        body = source[prefix + quote:len(source) - quote]
        if "\\N{" in body and "r" not in source[:prefix].lower():
            raise Unusual("a named escape in an f-string")
        return fstring_template(body)

    def _binary(self, node: ast.BinOp) -> None:
        if id(node) in self._handled:
            return
        if isinstance(node.op, ast.Add):
            operands = self._flatten_add(node)
            kinds = [self._literal_kind(o) for o in operands]
            if not any(k in ("simple", "fstring") for k in kinds):
                return
            codes = self._operand_codes(node, operands)
            parts = []
            for operand, kind, code in zip(operands, kinds, codes, strict=True):
                if kind == "simple" and isinstance(operand.value, str):  # type: ignore[attr-defined]
                    parts.append(operand.value)  # type: ignore[attr-defined]
                    self._handled.add(id(operand))
                elif kind == "fstring":
                    parts.append(self._template(operand))  # type: ignore[arg-type]
                    self._handled.add(id(operand))
                else:
                    parts.append("{" + code + "}")
            template = "".join(parts)
            has_variable = "{" in template and not all(k == "simple" for k in kinds)
            self._add(node, template, "string concatenation", template=has_variable)
        elif isinstance(node.op, ast.Mod) and self._literal_kind(node.left) == "simple":
            value = node.left.value  # type: ignore[attr-defined]
            if isinstance(value, str) and PERCENT_FIELD.search(value):
                self._handled.add(id(node.left))
                self._add(node, PERCENT_FIELD.sub("{}", value), "%-format template",
                          template=True)

    def _literal_kind(self, node: ast.expr) -> str | None:
        """libcst's node type for a literal: ``simple`` (one string or bytes token),
        ``fstring`` (one f-string token), else ``None``."""
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            return "simple" if self.single(node) else None
        if isinstance(node, ast.JoinedStr):
            return "fstring" if self.single(node) else None
        return None

    def _flatten_add(self, node: ast.expr) -> list[ast.expr]:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            self._handled.add(id(node))
            return [*self._flatten_add(node.left), *self._flatten_add(node.right)]
        return [node]

    def _operand_codes(self, chain: ast.BinOp, operands: list[ast.expr]) -> list[str]:
        """Each operand's code as libcst gives it: with its own parentheses, without the
        spaces around the ``+``. Parentheses that could belong to an inner ``+`` (or a
        comment between operands) are left to libcst."""
        start, end = self.span(chain)
        spans = [self.span(o) for o in operands]
        edges = [start, *(e for _, e in spans)]
        gaps = []
        for (operand_start, _), previous_end in zip(spans, edges, strict=False):
            gaps.append(self.text[previous_end:operand_start])
        gaps.append(self.text[spans[-1][1]:end])
        for gap in gaps[1:-1]:
            if gap.count("+") != 1 or gap.replace("+", "").strip(" \t\n\f()"):
                raise Unusual("a comment or line continuation between operands")
        codes = []
        for i, (operand_start, operand_end) in enumerate(spans):
            before = gaps[i] if i == 0 else gaps[i].partition("+")[2]
            after = gaps[i + 1] if i == len(spans) - 1 else gaps[i + 1].partition("+")[0]
            code = (before + self.text[operand_start:operand_end] + after).strip()
            if code.count("(") != code.count(")") or code.startswith(")") or code.endswith("("):
                raise Unusual("parentheses around part of a concatenation")
            if "\n" in code:  # libcst writes it again, indented as if at the module's level
                raise Unusual("an operand over several lines")
            codes.append(code)
        return codes

    def _add(self, node: ast.AST, value: str, kind: str, template: bool = False) -> None:
        role = Role.DEFINITION
        if id(node) in self._docstrings:
            role, kind = Role.MENTION, "Python docstring"
        name = self._context.get(id(node))
        self._add_at(self.span(node), value, kind, template, role,
                     Symbol(name) if name else None)

    def _add_at(self, span: tuple[int, int], value: str, kind: str, template: bool = False,
                role: Role = Role.DEFINITION, binding: Symbol | None = None) -> None:
        self.strings.append(StringFact(value=value, start=span[0], end=span[1], kind=kind,
                                       role=role, binding=binding, template=template))


def one_literal(source: str) -> bool:
    """Is ``source`` one string literal token (not an implicit concatenation of several)?"""
    return _literal_end(source, 0) == len(source)


def literal_tokens(source: str) -> list[tuple[int, int]]:
    """The (start, end) of each literal of an implicit concatenation, as written: between
    them only spaces, line breaks, comments and line continuations."""
    tokens = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char in " \t\f\n" or source.startswith("\\\n", i):
            i += 1 if char != "\\" else 2
            continue
        if char == "#":
            newline = source.find("\n", i)
            i = n if newline < 0 else newline
            continue
        end = _literal_end(source, i)
        if end is None:
            raise Unusual("an f-string concatenation this reader cannot split")
        tokens.append((i, end))
        i = end
    return tokens


def _is_fstring(token: str) -> bool:
    prefix = len(token) - len(token.lstrip("rRbBuUfF"))
    return "f" in token[:prefix].lower()


def _literal_end(source: str, start: int) -> int | None:
    """Where the string literal token starting at ``start`` ends, or ``None``."""
    i = start
    while i < len(source) and i - start < 3 and source[i] in "rRbBuUfF":
        i += 1
    if i - start > 2:
        return None
    quote = source[i:i + 3] if source[i:i + 3] in ('"""', "'''") else source[i:i + 1]
    if quote not in ('"', "'", '"""', "'''"):
        return None
    i, n = i + len(quote), len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if source.startswith(quote, i):
            return i + len(quote)
        if char == "\n" and len(quote) == 1:
            return None
        i += 1
    return None


def _argument_value(argument: ast.expr | ast.keyword) -> ast.expr:
    if isinstance(argument, ast.keyword):
        return argument.value
    if isinstance(argument, ast.Starred):
        return argument.value
    return argument


_HANDLERS: dict[type[ast.AST], Callable[[_Reader, Any], None]] = {
    ast.Assign: _Reader._assign,
    ast.AnnAssign: _Reader._ann_assign,
    ast.Dict: _Reader._dict,
    ast.Call: _Reader._call,
    ast.BinOp: _Reader._binary,
    ast.FunctionDef: _Reader._definition,
    ast.AsyncFunctionDef: _Reader._definition,
    ast.ClassDef: _Reader._definition,
}


def fstring_template(body: str) -> str:
    """An f-string's body (between its quotes) with every replacement field reduced to
    ``{expression}``: the conversion, the format spec and a self-documenting ``=`` dropped,
    the text between fields kept as written (``{{`` included)."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        if char == "{" and body.startswith("{{", i):
            out.append("{{")
            i += 2
            continue
        if char != "{":
            out.append(char)
            i += 1
            continue
        start, depth, i = i + 1, 0, i + 1
        expression_end = -1
        while i < n:
            char = body[i]
            if char in "'\"":
                closing = body.find(char, i + 1)
                if closing < 0:
                    raise Unusual("an unterminated string in an f-string")
                i = closing + 1
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and expression_end < 0 and _ends_expression(body, i):
                expression_end = i
            if expression_end >= 0 and char in "!:=" and i == expression_end:
                i += 1
                # the rest of the field: a conversion, a spec with nested fields
                nested = 0
                while i < n and not (body[i] == "}" and nested == 0):
                    if body[i] == "{":
                        nested += 1
                    elif body[i] == "}":
                        nested -= 1
                    i += 1
                break
            i += 1
        if i >= n:
            raise Unusual("an unterminated replacement field")
        end = expression_end if expression_end >= 0 else i
        out.append("{" + body[start:end].strip() + "}")
        i += 1
    return "".join(out)


def _ends_expression(body: str, i: int) -> bool:
    """Does the character at ``i`` (outside brackets) end a field's expression: a
    conversion's ``!``, a spec's ``:``, or a self-documenting ``=``?"""
    char = body[i]
    if char == "!":
        return not body.startswith("!=", i)
    if char == ":":
        return True
    if char != "=" or body[i - 1] in "=!<>:" or body.startswith("==", i):
        return False
    after = i + 1
    while after < len(body) and body[after] in " \t\n":
        after += 1
    return after < len(body) and body[after] in "}!:"
