"""Python source through libcst: every string literal, with the name it is bound to.

Docstrings are mentions. f-strings, ``+`` concatenations, ``str.format`` and ``%`` formatting
that mix literal text and variables are handed on as templates (``ft:{base}:acme:{suffix}``),
so an id built at run time is reported as *dynamic*. Comments are left to the residual pass,
which reports ids in them as mentions.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from ftscan.bindings import Symbol
from ftscan.childcall import ChildCall, ChildDied
from ftscan.languages.python.cst import OffsetVisitor, node_offsets, traverse
from ftscan.languages.python.facts import FactsCollector
from ftscan.languages.python.literals import ENV_READERS, PERCENT_FIELD
from ftscan.languages.python.nesting import MAX_NESTING, nesting_depth
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact
from ftscan.textpos import LineIndex

TOO_DEEP = (f"code nested more than {MAX_NESTING} levels deep (brackets and chains of "
            "operators, attributes or calls), too deep for the Python parser")


def parse_python(text: str) -> ParsedFile:
    """Parse Python source; raises :class:`ParseFailure` on a syntax error, when the code is
    nested too deeply for the parser to survive it (:mod:`.nesting`), or when the parser
    crashes all the same: it runs in a child process (:mod:`ftscan.childcall`), whose death
    costs this file its parse, and which the file's time budget reaches."""
    if nesting_depth(text) > MAX_NESTING:
        raise ParseFailure(TOO_DEEP)
    try:
        return _PARSER(text)
    except ChildDied as exc:
        raise ParseFailure(f"the Python parser crashed on this file ({exc})") from None


def _parse_here(text: str) -> ParsedFile:
    """:func:`parse_python`'s work, in the child process."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ParseFailure(f"Python syntax error: {exc.message}", exc.raw_line) from None
    except (RecursionError, ValueError) as exc:  # pathological nesting, odd encodings
        raise ParseFailure(f"cannot parse Python: {exc}") from None
    index = LineIndex(text)
    try:
        offsets = node_offsets(module)
        strings = _StringCollector(module, index, offsets)
        facts = FactsCollector(module, index, offsets)
        traverse(module, [strings, facts])
    except RecursionError:  # a chain of hundreds of `a + b + ...` nests that deep
        raise ParseFailure("Python code nested too deeply to follow") from None
    return ParsedFile(
        strings=strings.strings,
        residual_role=Role.MENTION,
        residual_kind="Python comment",
        module=facts.finish(),
    )


_PARSER = ChildCall(_parse_here)


class _StringCollector(OffsetVisitor):
    def __init__(self, module: cst.Module, index: LineIndex,
                 offsets: dict[cst.CSTNode, tuple[int, int]]) -> None:
        super().__init__(module, index, offsets)
        self.strings: list[StringFact] = []
        self._context: dict[int, str] = {}
        self._docstrings: set[int] = set()
        self._handled: set[int] = set()
        self._class_stack: list[str] = []

    # ----------------------------------------------------------------- naming what binds a value

    def _bind(self, node: cst.CSTNode | None, name: str | None) -> None:
        if node is not None and name:
            self._context[id(node)] = name

    def _target_name(self, target: cst.BaseExpression) -> str | None:
        if isinstance(target, (cst.Name, cst.Attribute)):
            name = self.module.code_for_node(target)
            if isinstance(target, cst.Name) and self._class_stack:
                return f"{self._class_stack[-1]}.{name}"
            return name
        if isinstance(target, cst.Subscript):
            return self.module.code_for_node(target)
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._bind(node.value, self._target_name(node.targets[0].target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.value, self._target_name(node.target))

    def visit_Dict(self, node: cst.Dict) -> None:
        owner = self._context.get(id(node))
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = element.key.evaluated_value
                if isinstance(key, str):
                    self._bind(element.value, f'{owner or ""}[{key!r}]'.replace("'", '"'))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.value if isinstance(func, cst.Name) else (
            func.attr.value if isinstance(func, cst.Attribute) else None
        )
        if name in ENV_READERS and len(node.args) >= 2 and not node.args[0].keyword:
            key = node.args[0].value
            if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
                self._bind(node.args[1].value, f"default of env {key.evaluated_value}")
        for arg in node.args:
            if arg.keyword is not None:
                self._bind(arg.value, f"{arg.keyword.value}=")
        # "ft:{}:{}".format(a, b)
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            literal = func.value
            if isinstance(literal, cst.SimpleString) and isinstance(literal.evaluated_value, str):
                self._handled.add(id(literal))
                self._add(node, literal.evaluated_value, "str.format() template", template=True)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._class_stack.append(node.name.value)
        self._mark_docstring(node.body)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._class_stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._mark_docstring(node.body)

    def visit_Module(self, node: cst.Module) -> None:
        self._mark_docstring(node)

    def _mark_docstring(self, body: cst.BaseSuite | cst.Module) -> None:
        statements: Sequence[cst.CSTNode] = getattr(body, "body", ())
        if not statements or not isinstance(statements[0], cst.SimpleStatementLine):
            return
        first = statements[0].body[0] if statements[0].body else None
        if isinstance(first, cst.Expr) and isinstance(
            first.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            self._docstrings.add(id(first.value))

    # ----------------------------------------------------------------- the strings themselves

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if id(node) in self._handled:
            return
        value = node.evaluated_value
        if isinstance(value, bytes):
            self._add(node, value.decode("utf-8", errors="replace"), "Python bytes literal")
        elif isinstance(value, str):
            self._add(node, value, "Python string literal")

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if id(node) in self._handled:
            return
        value = node.evaluated_value
        if isinstance(value, str):
            self._add(node, value, "Python string literal")
            self._handle_pieces(node)
        # else it holds an f-string: its pieces are visited one by one

    def _handle_pieces(self, node: cst.BaseExpression) -> None:
        """The pieces of a concatenation already reported as one string are not reported
        again when the traversal reaches them (a batched visitor cannot skip children)."""
        if isinstance(node, cst.ConcatenatedString):
            self._handled.add(id(node))
            self._handle_pieces(node.left)
            self._handle_pieces(node.right)
        else:
            self._handled.add(id(node))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if id(node) not in self._handled:
            self._add(node, self._fstring_template(node), "f-string", template=True)
        # strings nested in the expressions are literals of their own

    def _fstring_template(self, node: cst.FormattedString) -> str:
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression):
                parts.append("{" + self.module.code_for_node(part.expression) + "}")
        return "".join(parts)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if id(node) in self._handled:
            return
        if isinstance(node.operator, cst.Add):
            operands = self._flatten_add(node)
            if not any(isinstance(o, (cst.SimpleString, cst.FormattedString)) for o in operands):
                return
            parts = []
            for operand in operands:
                if isinstance(operand, cst.SimpleString) and isinstance(
                    operand.evaluated_value, str
                ):
                    parts.append(operand.evaluated_value)
                    self._handled.add(id(operand))
                elif isinstance(operand, cst.FormattedString):
                    parts.append(self._fstring_template(operand))
                    self._handled.add(id(operand))
                else:
                    parts.append("{" + self.module.code_for_node(operand) + "}")
            template = "".join(parts)
            has_variable = "{" in template and not all(
                isinstance(o, cst.SimpleString) for o in operands
            )
            self._add(node, template, "string concatenation", template=has_variable)
        elif isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString):
            value = node.left.evaluated_value
            if isinstance(value, str) and PERCENT_FIELD.search(value):
                self._handled.add(id(node.left))
                template = PERCENT_FIELD.sub("{}", value)
                self._add(node, template, "%-format template", template=True)

    def _flatten_add(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            self._handled.add(id(node))
            return [*self._flatten_add(node.left), *self._flatten_add(node.right)]
        return [node]

    def _add(self, node: cst.CSTNode, value: str, kind: str, template: bool = False) -> None:
        span = self._span(node)
        start, end = span.start, span.end
        role = Role.DEFINITION
        if id(node) in self._docstrings:
            role, kind = Role.MENTION, "Python docstring"
        self.strings.append(
            StringFact(
                value=value,
                start=start,
                end=end,
                kind=kind,
                role=role,
                binding=Symbol(name) if (name := self._context.get(id(node))) else None,
                template=template,
            )
        )
