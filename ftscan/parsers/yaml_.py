"""YAML through PyYAML's composer, which keeps a start and end mark on every node.

Every scalar (keys included) becomes a fact named by its key path, across all documents of a
file, following anchors once. Environment variables get their variable's name as context, in
the shapes a :class:`YamlShape` describes (the carriers, :mod:`ftscan.carriers`, say which:
Kubernetes ``env: [{name, value}]``, docker-compose ``environment:`` as a mapping or a
``KEY=value`` list, GitHub workflow ``env:`` mappings), and in a deployment file the same
written inside a block of text (a workflow step's script writing a manifest through a heredoc,
``KEY=value`` lines of a script). Comments are left to the residual pass (mentions). A Helm
(Go) template is not YAML until rendered: it goes to the text pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from ftscan.bindings import Binding, ConfigKey, EnvVar
from ftscan.comments import CommentSyntax
from ftscan.models import Role
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ENV_ITEM = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)=")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
"""A variable's name, as a line of text in a deployment file sets it (matched whole: the lines
around it are told apart with ``partition`` and ``startswith``, which run in linear time)."""
_GO_TEMPLATE = re.compile(r"\{\{-?\s*(?:[.$]|include|template|if|range|with|end|define|toYaml)")


@dataclass(frozen=True)
class YamlShape:
    """Where a YAML file sets environment variables and names deployment units, told by the
    structure of its documents wherever it appears (a Kubernetes env list is written the same
    way in a manifest, a Helm values file or an Argo workflow)."""

    env_keys: frozenset[str] = frozenset()
    """Keys whose mapping (``KEY: value``) or list of ``KEY=value`` items sets variables."""
    env_entries: bool = False
    """A mapping with a scalar ``name`` and a ``value`` sets the variable ``name`` to its
    ``value`` (Kubernetes ``env:`` entries)."""
    env_data_kinds: frozenset[str] = frozenset()
    """Document kinds (the top-level ``kind``) whose top-level ``data`` mapping sets variables
    (a ConfigMap, consumed through ``envFrom``)."""
    named_kinds: frozenset[str] = frozenset()
    """Document kinds named by their ``metadata.name``: the component of every value in them
    (Kubernetes workloads)."""
    component_keys: frozenset[str] = frozenset()
    """Top-level keys whose entries are components named by their key (compose ``services``)."""

    def __or__(self, other: YamlShape) -> YamlShape:
        return YamlShape(self.env_keys | other.env_keys, self.env_entries or other.env_entries,
                         self.env_data_kinds | other.env_data_kinds,
                         self.named_kinds | other.named_kinds,
                         self.component_keys | other.component_keys)


PLAIN = YamlShape()
"""Key paths alone: no variables, no components."""


def parse_yaml(text: str, shape: YamlShape = PLAIN) -> ParsedFile:
    """Parse every document of a YAML file, seeing variables and components where ``shape``
    says; raises :class:`ParseFailure` when it is not YAML.

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
    walker = _Walker(shape, text)
    for document in documents:
        if document is not None:
            walker.walk(document, (), None, None)
    return ParsedFile(
        strings=walker.out,
        residual_role=Role.DEFINITION,
        residual_kind="YAML text",
        comment_syntax=CommentSyntax.HASH,
    )


def _key(path: tuple[str | int, ...]) -> ConfigKey | None:
    text = _path_text(path)
    return ConfigKey(text) if text else None


def _path_text(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Walker:
    """Walks the nodes of one file, naming each scalar by key path, env var and component."""

    def __init__(self, shape: YamlShape, text: str) -> None:
        self.shape = shape
        self.text = text
        self.sets_variables = bool(shape.env_keys) or shape.env_entries
        """A deployment file: its blocks of text may set variables too."""
        self.out: list[StringFact] = []
        # An anchored node is reached once per alias. Visiting it again is only worth it when
        # the new path names environment variables and the old did not (a compose ``<<:``
        # merge), so each node is walked at most twice: no blow-up from nested aliases, no
        # loop on a recursive one.
        self.visited: set[tuple[int, bool]] = set()

    def scalar(self, node: yaml.ScalarNode, kind: str, binding: Binding | None,
               component: str | None) -> None:
        self.out.append(StringFact(
            value=str(node.value),
            start=node.start_mark.index,
            end=node.end_mark.index,
            kind=kind,
            binding=binding,
            component=component,
        ))

    def walk(self, node: yaml.Node, path: tuple[str | int, ...], env_context: EnvVar | None,
             component: str | None, env_map: bool = False) -> None:
        """``env_map``: a mapping whose keys are environment variables (ConfigMap ``data``)."""
        under_env = env_context is not None or (bool(path) and path[-1] in self.shape.env_keys)
        if (id(node), under_env) in self.visited:
            return
        self.visited.add((id(node), under_env))
        if isinstance(node, yaml.ScalarNode):
            self.scalar(node, "YAML value", env_context or _key(path), component)
            if node.style in ("|", ">") and env_context is None and self.sets_variables:
                self.text_block(node, component)
        elif isinstance(node, yaml.MappingNode):
            self.mapping(node, path, env_context, component, env_map)
        elif isinstance(node, yaml.SequenceNode):
            self.sequence(node, path, component)

    def text_block(self, node: yaml.ScalarNode, component: str | None) -> None:
        """The variables a block of text sets the way deployment files do: a script's
        ``KEY=value`` lines and a manifest's ``- name: KEY`` / ``value: ...`` entries (a
        workflow step writing a container's configuration through a heredoc). A line setting
        one is found in the file after the last one found, as a block keeps its lines."""
        raw_at, end = node.start_mark.index, node.end_mark.index
        name: str | None = None
        for line in str(node.value).splitlines():
            written = line.strip()
            setting = _script_setting(written)
            if name is not None and written.startswith("value:"):
                setting = (name, written[len("value:"):].strip())
            name = _manifest_name(written)
            if setting is None or not setting[1]:
                continue
            found = self.text.find(line, raw_at, end)
            if found < 0:  # not kept as written: nothing more is located
                return
            raw_at = found + len(line)
            variable, value = setting
            at = found + len(line.rstrip()) - len(value)
            if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'":
                value, at = value[1:-1], at + 1
            self.out.append(StringFact(value=value, start=at, end=at + len(value),
                                       kind="YAML value", binding=EnvVar(variable),
                                       component=component))

    def mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...],
                env_context: EnvVar | None, component: str | None, env_map: bool) -> None:
        shape = self.shape
        parent = path[-1] if path else None
        is_env_map = env_map or (isinstance(parent, str) and parent in shape.env_keys)
        pairs = {
            k.value: v for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
        }
        if not path:
            component = _named(node, pairs, shape.named_kinds) or component
        # Kubernetes: env: [{name: X, value: Y}]
        env_entry = (shape.env_entries and isinstance(pairs.get("name"), yaml.ScalarNode)
                     and "value" in pairs)
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = str(key_node.value)
                self.scalar(key_node, "YAML key", _key((*path, key)), component)
            else:
                key = "?"
                self.walk(key_node, (*path, key), None, component)
            if key == "<<":  # a merge key: the merged mapping's entries belong here
                self.walk(value_node, path, env_context, component)
                continue
            context = None
            if is_env_map:
                context = EnvVar(key)
            elif env_entry and key == "value":
                context = EnvVar(str(pairs["name"].value))
            # a ConfigMap's data reaches containers as env vars (envFrom, configMapKeyRef)
            env_data = (not path and key == "data" and
                        getattr(pairs.get("kind"), "value", None) in shape.env_data_kinds)
            # docker-compose: services.<name>
            inner = key if len(path) == 1 and path[0] in shape.component_keys else component
            self.walk(value_node, (*path, key), context, inner, env_data)

    def sequence(self, node: yaml.SequenceNode, path: tuple[str | int, ...],
                 component: str | None) -> None:
        parent = path[-1] if path else None
        for index, item in enumerate(node.value):
            context = None
            if parent in self.shape.env_keys and isinstance(item, yaml.ScalarNode):
                match = _ENV_ITEM.match(str(item.value))
                context = EnvVar(match.group(1)) if match else None
            self.walk(item, (*path, index), context, component)


def _script_setting(written: str) -> tuple[str, str] | None:
    """``(variable, value)`` of a script line ``[export ]KEY=value`` (a value without spaces:
    ``KEY=value command`` sets it for one command only)."""
    assignment = written[len("export "):].lstrip() if written.startswith("export ") else written
    variable, equals, value = assignment.partition("=")
    if not equals or not _VARIABLE.fullmatch(variable) or any(c.isspace() for c in value):
        return None
    return variable, value


def _manifest_name(written: str) -> str | None:
    """The variable a manifest's env entry names on this line (``- name: KEY``), if any."""
    if not written.startswith("-"):
        return None
    entry = written[1:].lstrip()
    if not entry.startswith("name:"):
        return None
    name = entry[len("name:"):].strip().strip("\"'")
    return name if _VARIABLE.fullmatch(name) else None


def _named(node: yaml.MappingNode, pairs: dict[str, yaml.ScalarNode],
           kinds: frozenset[str]) -> str | None:
    """``metadata.name`` of a document whose ``kind`` is one of ``kinds``."""
    kind = pairs.get("kind")
    if not isinstance(kind, yaml.ScalarNode) or kind.value not in kinds:
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "metadata" and isinstance(
            value, yaml.MappingNode
        ):
            for k, v in value.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "name" and isinstance(
                    v, yaml.ScalarNode
                ):
                    return str(v.value)
    return None
