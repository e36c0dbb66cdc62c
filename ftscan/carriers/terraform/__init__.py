"""Terraform: ``.tf`` modules, ``.tfvars`` assignments and ``.tf.json``, read by the HCL (or
JSON) reader of :mod:`ftscan.parsers`, which names each string by its Terraform address
(``var.ranker``, ``local.model``; ``env MODEL`` in a Lambda or ECS environment).

Linked through each module folder: a variable's default or ``.tfvars`` value and a local are
nodes (``var.x`` → ``local.y``, ``locals { y = var.x }``), an environment map
``variables = { MODEL = var.x }`` binds its variable, and every ``var.x`` / ``local.x`` in a
``.tf`` file outside a comment is a use (a Terraform reference).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from ftscan.bindings import ConfigKey, TfLocal, TfVar
from ftscan.carriers import CarrierBase, ReadText
from ftscan.comments import CommentSyntax, comment_spans
from ftscan.flow.build import Observation, Program
from ftscan.flow.deploy import LIVE_ROLES, definition_node
from ftscan.flow.facts import Span
from ftscan.flow.graph import Hop, Node
from ftscan.models import Detection
from ftscan.textpos import Spans

_SUFFIXES = (".tf", ".tfvars", ".tf.json")
_REF = re.compile(r"(?<![\w.])(var|local)\.([A-Za-z_][\w-]{0,127})")
_BLOCK = re.compile(r"^[ \t]*(locals|variables)[ \t]*=?[ \t]*\{", re.MULTILINE)
_ASSIGN = re.compile(r"^[ \t]*\"?([A-Za-z_][\w-]{0,127})\"?[ \t]*=[ \t]*(var|local)\."
                     r"([A-Za-z_][\w-]{0,127})[ \t]*(?:#[^\n]*|//[^\n]*)?$", re.MULTILINE)
_TFVARS_KEY = re.compile(r"[A-Za-z_][\w-]*")


class Terraform(CarrierBase):
    name = "terraform"

    def recognises(self, relpath: str) -> bool:
        return relpath.lower().endswith(_SUFFIXES)

    def link(self, program: Program, definitions: Sequence[Detection], files: Sequence[str],
             read_text: ReadText) -> None:
        """Follow ``var.x`` and ``local.x`` through each module folder."""
        graph = program.graph
        folders: set[str] = set()
        for index, finding in enumerate(definitions):
            symbol = _symbol(finding) if finding.role in LIVE_ROLES else None
            if symbol is not None:
                node = ("tf", *symbol)
                graph.seed(definition_node(index), ("def", index, None))
                graph.edge(definition_node(index), node)
                folders.add(symbol[0])
        if not folders:
            return
        for path in files:
            folder = posixpath.dirname(path)
            if folder not in folders or not path.endswith(".tf"):
                continue
            text = read_text(path)
            if text is not None:
                _module_links(program, path, folder, text)


def _symbol(finding: Detection) -> tuple[str, str, str] | None:
    """(module folder, "var" | "local", name) bound by a Terraform definition."""
    path = finding.location.path
    folder = posixpath.dirname(path)
    binding = finding.binding
    if isinstance(binding, TfVar):
        return folder, "var", binding.name
    if isinstance(binding, TfLocal):
        return folder, "local", binding.name
    if (path.endswith(".tfvars") and isinstance(binding, ConfigKey)
            and _TFVARS_KEY.fullmatch(binding.path)):
        return folder, "var", binding.path
    return None


def _module_links(program: Program, path: str, folder: str, text: str) -> None:
    """The edges and references of one ``.tf`` file of a module folder."""
    graph = program.graph
    body_end = -1
    for block in _BLOCK.finditer(text):
        if block.start() < body_end:
            continue  # inside the block before (or past an unclosed one): read once
        body_end = _matching_brace(text, block.end() - 1)
        for m in _ASSIGN.finditer(text, block.end(), body_end):
            source: Node = ("tf", folder, m.group(2), m.group(3))
            hop = Hop(path, Span(m.start(1), m.end()), m.group(0).strip())
            if block.group(1) == "locals":
                graph.edge(source, ("tf", folder, "local", m.group(1)), hop)
            else:  # an environment map: the variable is set from the reference
                env_node: Node = ("tfenv", path, m.start(1))
                graph.edge(source, env_node, hop)
                program.bind_env(m.group(1), env_node, path)
    comments = Spans(comment_spans(text, CommentSyntax.HCL))
    for m in _REF.finditer(text):
        if comments.covers(m.start()):
            continue
        observed = ("tfref", path, m.start())
        graph.edge(("tf", folder, m.group(1), m.group(2)), observed)
        program.observations[observed] = Observation(
            path, Span(m.start(), m.end()), f"Terraform reference {m.group(0)}", m.group(0))


def _matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


CARRIER = Terraform()
