"""Names bound outside Python: environment variables, Terraform variables and locals, Helm values.

Definitions already carry the name that binds them (their ``context``): ``env RANKER_MODEL`` from
a ``.env``, a manifest, a workflow or a Dockerfile; ``var.x.default``, ``local.x`` or a
``.tfvars`` key; a key path in a chart's ``values.yaml``. This module turns those into bindings,
follows Terraform references (``var.x`` → ``local.y`` → a Lambda environment) and Helm
references (``.Values.a.b``, and ``env:`` entries that render one) in the text of ``.tf`` files
and chart templates, and reports each reference as a use.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ftscan.aliases.graph import EnvBindings, Hop, Origin, union
from ftscan.comments import CommentSyntax, comment_spans
from ftscan.models import Finding, Location, Role
from ftscan.textpos import LineIndex

_TF_REF = re.compile(r"(?<![\w.])(var|local)\.([A-Za-z_][\w-]*)")
_TF_BLOCK = re.compile(r"^[ \t]*(locals|variables)[ \t]*=?[ \t]*\{", re.MULTILINE)
_TF_ASSIGN = re.compile(r"^[ \t]*\"?([A-Za-z_][\w-]*)\"?[ \t]*=[ \t]*(var|local)\.([A-Za-z_][\w-]*)"
                        r"[ \t]*(?:#.*|//.*)?$", re.MULTILINE)
_HELM_REF = re.compile(r"\.Values((?:\.[A-Za-z0-9_-]+)+)")
_HELM_ENV = re.compile(
    r"-[ \t]*name:[ \t]*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?[ \t]*\n"
    r"(?:[ \t]*#[^\n]*\n){0,3}"
    r"[ \t]*value:[^\n]*?\.Values((?:\.[A-Za-z0-9_-]+)+)"
)


@dataclass(frozen=True)
class UseSite:
    """A place that reads a name bound to a model id, not yet turned into a finding."""

    path: str
    location: Location
    origins: tuple[Origin, ...]
    kind: str
    context: str
    note: str | None = None
    """A sentence worth adding to the message (a misleading literal default, say)."""


@dataclass
class DeployLinks:
    """Bindings and uses found in deployment files."""

    uses: list[UseSite] = field(default_factory=list)


def is_python_path(path: str) -> bool:
    """Python sources and notebooks bind their names through the Python resolver instead."""
    return path.endswith((".py", ".pyi", ".ipynb"))


def add_env_definitions(env: EnvBindings, definitions: list[Finding]) -> None:
    """Every definition whose context names an environment variable binds it."""
    for finding in definitions:
        context = finding.context or ""
        if context.startswith("env ") and not is_python_path(finding.location.path):
            env.add(context[4:], Origin(finding))


# --------------------------------------------------------------------------- Terraform


def _tf_symbol(finding: Finding) -> tuple[str, str, str] | None:
    """(module folder, "var" | "local", name) bound by a Terraform definition."""
    path = finding.location.path
    folder = posixpath.dirname(path)
    context = finding.context or ""
    if path.endswith(".tfvars") and re.fullmatch(r"[A-Za-z_][\w-]*", context):
        return folder, "var", context
    match = re.fullmatch(r"var\.([A-Za-z_][\w-]*)\.default", context)
    if match:
        return folder, "var", match.group(1)
    match = re.fullmatch(r"local\.([A-Za-z_][\w-]*)", context)
    if match:
        return folder, "local", match.group(1)
    return None


def terraform_links(
    definitions: list[Finding],
    read_text: Callable[[str], str | None],
    tf_files: list[str],
    env: EnvBindings,
    links: DeployLinks,
) -> None:
    """Follow ``var.x`` and ``local.x`` through each Terraform module folder."""
    bound: dict[tuple[str, str, str], list[Origin]] = {}
    for finding in definitions:
        if finding.role is not Role.MENTION:
            symbol = _tf_symbol(finding)
            if symbol is not None:
                bound.setdefault(symbol, []).append(Origin(finding))
    if not bound:
        return
    folders = {folder for folder, _, _ in bound}
    files = [p for p in tf_files if posixpath.dirname(p) in folders and p.endswith(".tf")]
    texts = {p: t for p in files if (t := read_text(p)) is not None}
    # locals and environment maps that merely copy another reference: bind them too
    for _ in range(3):  # chains of locals, a few deep
        grew = False
        for path, text in texts.items():
            folder = posixpath.dirname(path)
            index = LineIndex(text)
            body_end = -1
            for block in _TF_BLOCK.finditer(text):
                if block.start() < body_end:
                    continue  # inside the block before (or past an unclosed one): read once
                body_end = _matching_brace(text, block.end() - 1)
                for m in _TF_ASSIGN.finditer(text, block.end(), body_end):
                    source = bound.get((folder, m.group(2), m.group(3))) or []
                    if not source:
                        continue
                    line, col = index.position(m.start(1))
                    hop = Hop(Location(path, line, col, line, col + len(m.group(0).strip())),
                              m.group(0).strip())
                    origins = [o.through(hop) for o in source]
                    if block.group(1) == "locals":
                        key = (folder, "local", m.group(1))
                        before = len(bound.get(key, []))
                        bound[key] = union([bound.get(key, []), origins])
                        grew = grew or len(bound[key]) > before
                    else:
                        for origin in origins:
                            env.add(m.group(1), origin)
        if not grew:
            break
    for path, text in texts.items():
        folder = posixpath.dirname(path)
        comments = comment_spans(text, CommentSyntax.HCL)
        index = LineIndex(text)
        for m in _TF_REF.finditer(text):
            found = bound.get((folder, m.group(1), m.group(2)))
            if not found or any(s <= m.start() < e for s, e in comments):
                continue
            line, col = index.position(m.start())
            location = Location(path, line, col, line, col + len(m.group(0)))
            links.uses.append(UseSite(path, location, tuple(found),
                                      f"Terraform reference {m.group(0)}", m.group(0)))


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


def helm_links(
    definitions: list[Finding],
    read_text: Callable[[str], str | None],
    chart_dirs: set[str],
    template_files: list[str],
    env: EnvBindings,
    links: DeployLinks,
) -> None:
    """Values in a chart's ``values*.yaml`` → ``.Values.x`` in its templates (and the ``env:``
    entries they render)."""
    bound: dict[tuple[str, str], list[Origin]] = {}
    for finding in definitions:
        path = finding.location.path
        folder, name = posixpath.split(path)
        if (folder in chart_dirs and name.startswith("values") and name.endswith((".yaml", ".yml"))
                and finding.context and finding.role is not Role.MENTION):
            bound.setdefault((folder, finding.context), []).append(Origin(finding))
    if not bound:
        return
    for path in template_files:
        chart = _chart_of(path, chart_dirs)
        if chart is None or not any(c == chart for c, _ in bound):
            continue
        text = read_text(path)
        if text is None:
            continue
        index = LineIndex(text)
        for m in _HELM_ENV.finditer(text):
            origins = bound.get((chart, m.group(2).lstrip(".")))
            if origins:
                line, col = index.position(m.start(2) - len(".Values"))
                hop = Hop(Location(path, line, col, line, col + len(m.group(2)) + 7),
                          f"rendered into env {m.group(1)} by .Values{m.group(2)}")
                for origin in origins:
                    env.add(m.group(1), origin.through(hop))
        for m in _HELM_REF.finditer(text):
            origins = bound.get((chart, m.group(1).lstrip(".")))
            if origins:
                line, col = index.position(m.start())
                location = Location(path, line, col, line, col + len(m.group(0)))
                links.uses.append(UseSite(path, location, tuple(origins),
                                          f"Helm reference {m.group(0)}", m.group(0)))


def _chart_of(path: str, chart_dirs: set[str]) -> str | None:
    folder = posixpath.dirname(path)
    while folder:
        if folder in chart_dirs:
            return folder
        folder = posixpath.dirname(folder)
    return None
