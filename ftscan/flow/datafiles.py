"""Data files that code imports as modules: ``import models from "./models.json"``,
``require("./models.json")``.

The first phase found the ids in such a file with the key path that holds each
(:class:`~ftscan.bindings.ConfigKey`: ``models.primary``, ``[0].model``); here they become a
tree of objects whose fields hold the definitions, exported as the module's ``default`` (and,
as bundlers allow, each top-level key by name), so ``models.primary`` in code reaches the id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ftscan.bindings import ConfigKey
from ftscan.flow.build import ANY, Program, key_field
from ftscan.flow.graph import Node, Value
from ftscan.models import Detection, Role

_TOKEN = re.compile(r"\[(\d+|\*)\]|\.?([^.\[\]]+)")
_LIVE = (Role.DEFINITION, Role.DYNAMIC, Role.EXAMPLE)


def key_tokens(path: str) -> list[str | None]:
    """``a.b[0].c`` → ``["a", "b", None, "c"]`` (``None``: any element)."""
    return [None if m.group(1) is not None else m.group(2) for m in _TOKEN.finditer(path)]


def data_loader(definitions: Sequence[Detection]) -> Callable[[Program, str], None]:
    """What :meth:`Program.data_module` runs for a data file: its definitions as objects."""
    by_path: dict[str, list[int]] = {}
    for index, finding in enumerate(definitions):
        if isinstance(finding.binding, ConfigKey) and finding.role in _LIVE:
            by_path.setdefault(finding.location.path, []).append(index)

    def load(program: Program, path: str) -> None:
        graph = program.graph
        root: Value = ("obj", "dict", path, "data")
        graph.seed(program.export_node(path, "default"), root)
        for index in by_path.get(path, []):
            binding = definitions[index].binding
            assert isinstance(binding, ConfigKey)
            tokens = key_tokens(binding.path)
            if not tokens:
                continue
            source: Node = ("def", index)
            graph.seed(source, ("def", index, None))
            owner = root
            prefix = ""
            for position, token in enumerate(tokens):
                last = position == len(tokens) - 1
                prefix += f".{token}" if token is not None else "[*]"
                field = ("field", owner, key_field(token) if token is not None else ANY)
                if token is not None:
                    program.register_dict(owner, [token])
                if position == 0 and token is not None:
                    target: Node = program.export_node(path, token)
                else:
                    target = field
                if last:
                    graph.edge(source, target)
                    graph.edge(source, ("field", owner, ANY))
                    if target != field:
                        graph.edge(source, field)
                    break
                child: Value = ("obj", "dict", path, "data", prefix)
                graph.seed(field, child)
                graph.seed(("field", owner, ANY), child)
                if target != field:
                    graph.seed(target, child)
                owner = child

    return load
