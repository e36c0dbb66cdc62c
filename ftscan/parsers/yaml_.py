"""YAML through PyYAML's composer, which keeps a start and end mark on every node.

Every scalar (keys included) becomes a fact named by its key path, across all documents of a
file, following anchors once. Environment variables get their variable's name as context, in
the shapes deployment files use: Kubernetes ``env: [{name, value}]``, docker-compose
``environment:`` as a mapping or a ``KEY=value`` list, GitHub workflow ``env:`` mappings.
Comments are left to the residual pass (mentions). Text that is not YAML, such as a Helm
template, raises :class:`ParseFailure` and goes through the text pass instead.
"""

from __future__ import annotations

import re

import yaml

from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENV_KEYS = {"env", "environment", "variables"}
_ENV_ITEM = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=")
_GO_TEMPLATE = re.compile(r"\{\{-?\s*(?:[.$]|include|template|if|range|with|end|define|toYaml)")


def parse_yaml(text: str) -> ParsedFile:
    """Parse every document of a YAML file; raises :class:`ParseFailure` when it is not YAML.

    A Helm (Go) template is not YAML until rendered, even where PyYAML would accept it, so it
    goes straight to the text pass."""
    if "{{" in text and _GO_TEMPLATE.search(text):
        return ParsedFile(
            residual_role=Role.DEFINITION,
            residual_kind="Helm template text",
            comment_syntax=CommentSyntax.HASH,
        )
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ParseFailure(f"invalid YAML: {exc.problem or exc.context}", line) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ParseFailure(f"invalid YAML: {exc}") from None
    strings: list[StringFact] = []
    visited: set[tuple[int, bool]] = set()
    for document in documents:
        if document is not None:
            _walk(document, (), strings, visited, env_context=None)
    return ParsedFile(
        strings=strings,
        residual_role=Role.DEFINITION,
        residual_kind="YAML text",
        comment_syntax=CommentSyntax.HASH,
    )


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _scalar(node: yaml.ScalarNode, kind: str, context: str | None) -> StringFact:
    return StringFact(
        value=str(node.value),
        start=node.start_mark.index,
        end=node.end_mark.index,
        kind=kind,
        context=context,
    )


def _walk(
    node: yaml.Node,
    path: tuple[str | int, ...],
    out: list[StringFact],
    visited: set[tuple[int, bool]],
    env_context: str | None,
    env_map: bool = False,
) -> None:
    # An anchored node is reached once per alias. Visiting it again is only worth it when the
    # new path names environment variables and the old did not (a compose ``<<:`` merge), so
    # each node is walked at most twice: no blow-up from nested aliases, no loop on recursion.
    under_env = env_context is not None or (bool(path) and path[-1] in _ENV_KEYS)
    if (id(node), under_env) in visited:
        return
    visited.add((id(node), under_env))
    if isinstance(node, yaml.ScalarNode):
        out.append(_scalar(node, "YAML value", env_context or _path_text(path) or None))
    elif isinstance(node, yaml.MappingNode):
        _walk_mapping(node, path, out, visited, env_context, env_map)
    elif isinstance(node, yaml.SequenceNode):
        _walk_sequence(node, path, out, visited)


def _walk_mapping(
    node: yaml.MappingNode,
    path: tuple[str | int, ...],
    out: list[StringFact],
    visited: set[tuple[int, bool]],
    env_context: str | None,
    env_map: bool = False,
) -> None:
    """``env_map``: this mapping's keys are environment variables (a ConfigMap's ``data``)."""
    parent = path[-1] if path else None
    is_env_map = isinstance(parent, str) and parent in _ENV_KEYS
    is_env_map = is_env_map or env_map
    pairs = {
        k.value: v for k, v in node.value
        if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
    }
    # Kubernetes: env: [{name: X, value: Y}]
    k8s_env = isinstance(pairs.get("name"), yaml.ScalarNode) and "value" in pairs
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode):
            key = str(key_node.value)
            out.append(_scalar(key_node, "YAML key", _path_text((*path, key))))
        else:
            key = "?"
            _walk(key_node, (*path, key), out, visited, None)
        if key == "<<":  # a merge key: the merged mapping's entries belong here
            _walk(value_node, path, out, visited, env_context)
            continue
        context = None
        if is_env_map:
            context = f"env {key}"
        elif k8s_env and key == "value":
            context = f"env {pairs['name'].value}"
        # a ConfigMap's data reaches containers as env vars (envFrom, configMapKeyRef)
        data_of_configmap = (not path and key == "data" and
                             getattr(pairs.get("kind"), "value", None) == "ConfigMap")
        _walk(value_node, (*path, key), out, visited, context, data_of_configmap)


def _walk_sequence(
    node: yaml.SequenceNode,
    path: tuple[str | int, ...],
    out: list[StringFact],
    visited: set[tuple[int, bool]],
) -> None:
    parent = path[-1] if path else None
    for index, item in enumerate(node.value):
        context = None
        if parent in _ENV_KEYS and isinstance(item, yaml.ScalarNode):
            match = _ENV_ITEM.match(str(item.value))
            context = f"env {match.group(1)}" if match else None
        _walk(item, (*path, index), out, visited, context)
