"""Helm charts: a folder with a ``Chart.yaml``, its ``values*.yaml`` (read by the YAML reader,
each value named by its key path) and its templates (``templates/*.yaml``, ``*.tpl``: Go
templates, read by the text pass).

Linked through each chart: a key path of a values file is a node; ``.Values.a.b`` in one of the
chart's templates is a use (a Helm reference), and an ``env:`` entry whose value renders one
(``- name: MODEL`` / ``value: {{ .Values.a.b }}``) binds its variable.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence

from ftscan.bindings import ConfigKey
from ftscan.carriers import CarrierBase, ReadText
from ftscan.flow.build import Observation, Program
from ftscan.flow.deploy import LIVE_ROLES, definition_node
from ftscan.flow.facts import Span
from ftscan.flow.graph import Hop
from ftscan.models import Detection

_CHART = "Chart.yaml"
_REF = re.compile(r"\.Values((?:\.[A-Za-z0-9_-]{1,128}){1,32})")
_ENV = re.compile(
    r"-[ \t]*name:[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_]{0,127})[\"']?[ \t]*\n"
    r"(?:[ \t]*#[^\n]*\n){0,3}"
    r"[ \t]*value:[^\n]{0,200}?\.Values((?:\.[A-Za-z0-9_-]{1,128}){1,32})"
)


def _is_template(relpath: str) -> bool:
    return "/templates/" in relpath and relpath.endswith((".yaml", ".yml", ".tpl"))


def _is_values(name: str) -> bool:
    """Is a file named ``name`` a chart's values (``values.yaml``, ``values-prod.yaml``)?"""
    return name.startswith("values") and name.endswith((".yaml", ".yml"))


class Helm(CarrierBase):
    name = "helm"

    def recognises(self, relpath: str) -> bool:
        name = relpath.rpartition("/")[2]
        return name == _CHART or _is_values(name) or _is_template(relpath)

    def link(self, program: Program, definitions: Sequence[Detection], files: Sequence[str],
             read_text: ReadText) -> None:
        """Values in a chart's ``values*.yaml`` → ``.Values.x`` in its templates (and the
        ``env:`` entries they render)."""
        graph = program.graph
        chart_dirs = {posixpath.dirname(p) for p in files if posixpath.basename(p) == _CHART}
        charts: set[str] = set()
        for index, finding in enumerate(definitions):
            folder, name = posixpath.split(finding.location.path)
            if (folder in chart_dirs and _is_values(name)
                    and isinstance(finding.binding, ConfigKey) and finding.role in LIVE_ROLES):
                graph.seed(definition_node(index), ("def", index, None))
                graph.edge(definition_node(index), ("helm", folder, finding.binding.path))
                charts.add(folder)
        if not charts:
            return
        for path in files:
            chart = _chart_of(path, chart_dirs) if _is_template(path) else None
            if chart is None or chart not in charts:
                continue
            text = read_text(path)
            if text is not None:
                _template_links(program, path, chart, text)


def _template_links(program: Program, path: str, chart: str, text: str) -> None:
    """The env bindings and references of one template of ``chart``."""
    graph = program.graph
    for m in _ENV.finditer(text):
        key = m.group(2).lstrip(".")
        hop = Hop(path, Span(m.start(2) - len(".Values"), m.end(2)),
                  f"rendered into env {m.group(1)} by .Values{m.group(2)}")
        node = ("helmenv", path, m.start())
        graph.edge(("helm", chart, key), node, hop)
        program.bind_env(m.group(1), node, path)
    for m in _REF.finditer(text):
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


CARRIER = Helm()
