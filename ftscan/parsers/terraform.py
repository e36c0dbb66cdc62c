"""Terraform (``.tf``, ``.tfvars``, ``.hcl``) through python-hcl2's lark parse tree.

The tree keeps every token's offset, so each string, heredoc and interpolation is located
exactly. Strings are named by Terraform address: ``var.ranker`` for a variable default,
``local.model``, ``aws_lambda_function.digest.environment.variables.MODEL``; Lambda and ECS
environment maps name their variable (``env MODEL``). A string with ``${...}`` interpolation is a
template (``ft:${var.base}:acme::${var.job}`` is a dynamic id). Comments are mentions.
"""

from __future__ import annotations

import hcl2
from lark import Token, Tree
from lark.exceptions import LarkError

from ftscan.bindings import Binding, ConfigKey, EnvVar, TfLocal, TfVar
from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def parse_terraform(text: str) -> ParsedFile:
    """Parse HCL; raises :class:`ParseFailure` when the file is not valid HCL."""
    try:
        tree = hcl2.parses_to_tree(text)
    except LarkError as exc:
        line = getattr(exc, "line", None)
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParseFailure(
            f"invalid HCL: {first}", line if isinstance(line, int) else None
        ) from None
    except (RecursionError, ValueError) as exc:
        raise ParseFailure(f"invalid HCL: {exc}") from None
    walker = _Walker(text)
    walker.walk(tree, scope="", path=(), env=None)
    return ParsedFile(
        strings=walker.strings,
        residual_role=Role.MENTION,
        residual_kind="Terraform comment",
        comment_syntax=CommentSyntax.HCL,
    )


def _name(node: Tree | Token | None) -> str | None:
    """The plain name of an ``identifier`` tree, or of a string without interpolation."""
    if isinstance(node, Tree):
        if node.data == "identifier":
            return str(node.children[0])
        if node.data == "string":
            parts = [c for c in node.children if isinstance(c, Tree) and c.data == "string_part"]
            if all(isinstance(p.children[0], Token) for p in parts):
                return "".join(str(p.children[0]) for p in parts)
        if node.data in ("expr_term", "object_elem_key") and node.children:
            return _name(node.children[0])
    return None


def _address(kind: str, labels: list[str], scope: str) -> str:
    if kind == "variable" and labels:
        return f"var.{labels[0]}"
    if kind == "locals":
        return "local"
    if kind == "resource" and len(labels) >= 2:
        return f"{labels[0]}.{labels[1]}"
    if kind in ("data", "module", "output", "provider") and labels:
        return ".".join([kind, *labels])
    return ".".join(p for p in [scope, kind, *labels] if p)


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.strings: list[StringFact] = []
        self.component: str | None = None
        """The address of the top-level resource, data source or module being walked."""

    def walk(self, node: Tree | Token, scope: str, path: tuple[str, ...],
             env: EnvVar | None) -> None:
        if isinstance(node, Token):
            if node.type.startswith("HEREDOC"):
                self._add(node.start_pos or 0, node.end_pos or 0, str(node), "Terraform heredoc",
                          env or _binding(scope, path), template="${" in str(node))
            return
        data = node.data
        if data == "block":
            names = [c for c in node.children if isinstance(c, Tree) and c.data in
                     ("identifier", "string")]
            kind = _name(names[0]) or "block" if names else "block"
            labels = [_name(n) or "?" for n in names[1:]]
            inner = _address(kind, labels, scope) if not scope else ".".join([scope, kind])
            if not scope and kind in ("resource", "data", "module"):
                self.component = inner
            for child in node.children:
                if isinstance(child, Tree) and child.data == "body":
                    self.walk(child, inner, (), None)
            if not scope:
                self.component = None
        elif data == "attribute":
            name = _name(node.children[0]) or "?"
            for child in node.children[1:]:
                self.walk(child, scope, (*path, name), env)
        elif data == "object":
            self._object(node, scope, path)
        elif data == "string":
            self._string(node, env or _binding(scope, path))
        else:
            for child in node.children:
                self.walk(child, scope, path, env)

    def _object(self, node: Tree, scope: str, path: tuple[str, ...]) -> None:
        elements = [c for c in node.children if isinstance(c, Tree) and c.data == "object_elem"]
        keyed = {}
        for element in elements:
            key = _name(element.children[0]) or "?"
            keyed[key] = element.children[-1]
        env_name = _name(keyed["name"]) if "name" in keyed and "value" in keyed else None
        is_env_map = bool(path) and path[-1] in ("variables", "environment")
        for element in elements:
            key = _name(element.children[0]) or "?"
            if key == "?":
                self.walk(element.children[0], scope, path, None)
            env = None
            if env_name and key == "value":
                env = EnvVar(env_name)
            elif is_env_map:
                env = EnvVar(key)
            self.walk(element.children[-1], scope, (*path, key), env)

    def _string(self, node: Tree, context: Binding | None) -> None:
        tokens = [c for c in node.children if isinstance(c, Token)]
        if not tokens:
            return
        start, end = tokens[0].start_pos or 0, tokens[-1].end_pos or 0
        parts: list[str] = []
        template = False
        for part in node.children:
            if not (isinstance(part, Tree) and part.data == "string_part"):
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                parts.append(_unescape(str(inner)))
            else:  # an interpolation: keep its source text as the placeholder
                template = True
                tokens_inside = list(inner.scan_values(lambda v: isinstance(v, Token)))
                if tokens_inside:
                    first, last = tokens_inside[0], tokens_inside[-1]
                    code = self.text[first.start_pos:last.end_pos].strip("${} ")
                    parts.append("{" + code + "}")
                else:
                    parts.append("{}")
        self._add(start, end, "".join(parts), "Terraform string", context, template)
        # interpolations may hold strings of their own
        for part in node.children:
            if isinstance(part, Tree) and part.data == "string_part":
                for child in part.children:
                    if isinstance(child, Tree):
                        self.walk(child, "", (), None)

    def _add(self, start: int, end: int, value: str, kind: str, context: Binding | None,
             template: bool = False) -> None:
        self.strings.append(StringFact(value=value, start=start, end=end, kind=kind,
                                       binding=context, template=template,
                                       component=self.component))


def _binding(scope: str, path: tuple[str, ...]) -> Binding | None:
    """What a string at ``scope`` (a block address) and attribute ``path`` binds: a variable's
    default, a local, or a key path (a ``.tfvars`` assignment is a variable: the alias phase
    knows the file's name)."""
    if scope.startswith("var.") and path == ("default",):
        return TfVar(scope[4:])
    if scope == "local" and len(path) == 1:
        return TfLocal(path[0])
    text = ".".join(p for p in [scope, *path] if p)
    return ConfigKey(text) if text else None


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw
    out, i = [], 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            out.append(_ESCAPES.get(raw[i + 1], raw[i + 1]))
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)
