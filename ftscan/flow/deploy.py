"""Names bound outside code: environment variables, Terraform variables and locals, Helm values.

Definitions carry the name that binds them (:mod:`ftscan.bindings`): an environment variable
from a ``.env``, a manifest, a workflow or a Dockerfile; a Terraform variable or local; a key
path in a chart's ``values.yaml``. This module adds them to the value-flow graph: each binding
is a node holding its definition; Terraform references (``var.x`` → ``local.y`` → a Lambda
environment) and Helm references (``.Values.a.b``, and the ``env:`` entries that render one) are
edges found in the text of ``.tf`` files and chart templates, and each reference is an
observation (a use).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence

from ftscan.bindings import ConfigKey, EnvVar, TfLocal, TfVar
from ftscan.comments import CommentSyntax, comment_spans
from ftscan.flow.build import Observation, Program
from ftscan.flow.facts import Span
from ftscan.flow.graph import Hop, Node
from ftscan.models import Detection, Role
from ftscan.textpos import Spans

_TF_REF = re.compile(r"(?<![\w.])(var|local)\.([A-Za-z_][\w-]{0,127})")
_TF_BLOCK = re.compile(r"^[ \t]*(locals|variables)[ \t]*=?[ \t]*\{", re.MULTILINE)
_TF_ASSIGN = re.compile(r"^[ \t]*\"?([A-Za-z_][\w-]{0,127})\"?[ \t]*=[ \t]*(var|local)\."
                        r"([A-Za-z_][\w-]{0,127})[ \t]*(?:#[^\n]*|//[^\n]*)?$", re.MULTILINE)
_HELM_REF = re.compile(r"\.Values((?:\.[A-Za-z0-9_-]{1,128}){1,32})")
_HELM_ENV = re.compile(
    r"-[ \t]*name:[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_]{0,127})[\"']?[ \t]*\n"
    r"(?:[ \t]*#[^\n]*\n){0,3}"
    r"[ \t]*value:[^\n]{0,200}?\.Values((?:\.[A-Za-z0-9_-]{1,128}){1,32})"
)
LIVE_ROLES = (Role.DEFINITION, Role.DYNAMIC, Role.EXAMPLE)
"""Roles whose ids something reads (a mention binds nothing)."""


def definition_node(index: int) -> Node:
    """The node where definition ``index`` is seeded, when a name binds it."""
    return ("def", index)


def bind_env(program: Program, definitions: Sequence[Detection]) -> None:
    """Every definition bound to an environment variable binds it: a ``.env``, a manifest, a
    workflow, a Dockerfile, and deployment files written in code (PM2's
    ``ecosystem.config.js``; a code language's own writes, ``os.environ["X"] = v``, are
    facts of its module instead)."""
    for index, finding in enumerate(definitions):
        if isinstance(finding.binding, EnvVar) and finding.role in LIVE_ROLES:
            node = definition_node(index)
            program.graph.seed(node, ("def", index, None))
            program.bind_env(finding.binding.name, node, finding.location.path)


# --------------------------------------------------------------------------- Terraform


def _tf_symbol(finding: Detection) -> tuple[str, str, str] | None:
    """(module folder, "var" | "local", name) bound by a Terraform definition."""
    path = finding.location.path
    folder = posixpath.dirname(path)
    binding = finding.binding
    if isinstance(binding, TfVar):
        return folder, "var", binding.name
    if isinstance(binding, TfLocal):
        return folder, "local", binding.name
    if (path.endswith(".tfvars") and isinstance(binding, ConfigKey)
            and re.fullmatch(r"[A-Za-z_][\w-]*", binding.path)):
        return folder, "var", binding.path
    return None


def terraform_links(program: Program, definitions: Sequence[Detection],
                    read_text: Callable[[str], str | None], tf_files: Sequence[str]) -> None:
    """Follow ``var.x`` and ``local.x`` through each Terraform module folder."""
    graph = program.graph
    folders: set[str] = set()
    for index, finding in enumerate(definitions):
        symbol = _tf_symbol(finding) if finding.role in LIVE_ROLES else None
        if symbol is not None:
            node = ("tf", *symbol)
            graph.seed(definition_node(index), ("def", index, None))
            graph.edge(definition_node(index), node)
            folders.add(symbol[0])
    if not folders:
        return
    for path in tf_files:
        folder = posixpath.dirname(path)
        if folder not in folders or not path.endswith(".tf"):
            continue
        text = read_text(path)
        if text is None:
            continue
        body_end = -1
        for block in _TF_BLOCK.finditer(text):
            if block.start() < body_end:
                continue  # inside the block before (or past an unclosed one): read once
            body_end = _matching_brace(text, block.end() - 1)
            for m in _TF_ASSIGN.finditer(text, block.end(), body_end):
                source: Node = ("tf", folder, m.group(2), m.group(3))
                hop = Hop(path, Span(m.start(1), m.end()), m.group(0).strip())
                if block.group(1) == "locals":
                    graph.edge(source, ("tf", folder, "local", m.group(1)), hop)
                else:  # an environment map: the variable is set from the reference
                    env_node: Node = ("tfenv", path, m.start(1))
                    graph.edge(source, env_node, hop)
                    program.bind_env(m.group(1), env_node, path)
        comments = Spans(comment_spans(text, CommentSyntax.HCL))
        for m in _TF_REF.finditer(text):
            if comments.covers(m.start()):
                continue
            observed = ("tfref", path, m.start())
            graph.edge(("tf", folder, m.group(1), m.group(2)), observed)
            program.observations[observed] = Observation(
                path, Span(m.start(), m.end()), f"Terraform reference {m.group(0)}",
                m.group(0))


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


# --------------------------------------------------------------------------- Helm


def helm_links(program: Program, definitions: Sequence[Detection],
               read_text: Callable[[str], str | None], chart_dirs: set[str],
               template_files: Sequence[str]) -> None:
    """Values in a chart's ``values*.yaml`` → ``.Values.x`` in its templates (and the ``env:``
    entries they render)."""
    graph = program.graph
    charts: set[str] = set()
    for index, finding in enumerate(definitions):
        path = finding.location.path
        folder, name = posixpath.split(path)
        if (folder in chart_dirs and name.startswith("values") and name.endswith((".yaml", ".yml"))
                and isinstance(finding.binding, ConfigKey) and finding.role in LIVE_ROLES):
            graph.seed(definition_node(index), ("def", index, None))
            graph.edge(definition_node(index), ("helm", folder, finding.binding.path))
            charts.add(folder)
    if not charts:
        return
    for path in template_files:
        chart = _chart_of(path, chart_dirs)
        if chart is None or chart not in charts:
            continue
        text = read_text(path)
        if text is None:
            continue
        for m in _HELM_ENV.finditer(text):
            key = m.group(2).lstrip(".")
            hop = Hop(path, Span(m.start(2) - len(".Values"), m.end(2)),
                      f"rendered into env {m.group(1)} by .Values{m.group(2)}")
            node = ("helmenv", path, m.start())
            graph.edge(("helm", chart, key), node, hop)
            program.bind_env(m.group(1), node, path)
        for m in _HELM_REF.finditer(text):
            observed = ("helmref", path, m.start())
            graph.edge(("helm", chart, m.group(1).lstrip(".")), observed)
            program.observations[observed] = Observation(
                path, Span(m.start(), m.end()), f"Helm reference {m.group(0)}", m.group(0))


def _chart_of(path: str, chart_dirs: set[str]) -> str | None:
    folder = posixpath.dirname(path)
    while folder:
        if folder in chart_dirs:
            return folder
        folder = posixpath.dirname(folder)
    return None
