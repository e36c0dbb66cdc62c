"""Kubernetes manifests: a container's ``env:`` entries (``- name: MODEL`` / ``value: ...``)
set variables, a ConfigMap's ``data`` too (containers read it through ``envFrom``), and every
value of a workload belongs to it (its ``metadata.name``).

Told by their content, not their name: the YAML reader applies this shape to every YAML
document, and an env list of ``name``/``value`` entries binds wherever it is written (a Helm
values file's ``extraEnv``, an Argo workflow's container).
"""

from __future__ import annotations

from ftscan.carriers import CarrierBase
from ftscan.parsers.yaml_ import YamlShape

_WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod",
                        "ReplicaSet", "ConfigMap", "Secret", "Service", "Rollout"})
"""Kinds of objects named by their ``metadata.name``."""


class Kubernetes(CarrierBase):
    name = "kubernetes"
    yaml_shape = YamlShape(env_entries=True, env_data_kinds=frozenset({"ConfigMap"}),
                           named_kinds=_WORKLOADS)


CARRIER = Kubernetes()
