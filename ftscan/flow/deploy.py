"""Names bound outside code, as the value-flow graph sees them: each definition a name binds is
a node holding its definition; environment variables are bound here, for every file that binds
one (a ``.env``, a manifest, a workflow, a Dockerfile, a deployment platform's file, PM2's
``ecosystem.config.js``). The carriers (:mod:`ftscan.carriers`) link their other names
(Terraform variables and locals, Helm values) with the same nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

from ftscan.bindings import EnvVar
from ftscan.flow.build import Program
from ftscan.flow.graph import Node
from ftscan.models import Detection, Role

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
