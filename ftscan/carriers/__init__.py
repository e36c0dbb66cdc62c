"""Config carriers as plug-ins: the files outside code that carry a model id to the code that
calls it (Terraform, Helm charts, workflows, compose files, Kubernetes manifests, deployment
platforms' files). Each lives in its own folder behind :class:`Carrier`, and this registry is
the only place that lists them.

A carrier tells the scan which files are its own (:meth:`Carrier.recognises`, from the path;
documents it tells by their content through :attr:`Carrier.yaml_shape`), what their strings are
bound to (:meth:`Carrier.parse`, over the reader of the file's format from
:mod:`ftscan.parsers`), what they set from outside the repository
(:meth:`Carrier.outside_env`), and how its names join the value-flow graph
(:meth:`Carrier.link`). An environment variable a carrier binds (a binding
:class:`~ftscan.bindings.EnvVar`) needs no link of its own: every definition bound to one binds
it (:func:`ftscan.flow.deploy.bind_env`). Each file's kind, carrier included, is decided once
(:mod:`ftscan.filekinds`).

Adding a carrier: a folder ``ftscan/carriers/<name>/`` whose ``__init__.py`` defines
``CARRIER`` (a :class:`CarrierBase` with what it does differently), and one line in
:data:`_PLUGINS` (and, for the wheel, the package in ``pyproject.toml``).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from ftscan.parsers import PARSERS, Format, ParsedFile, Parser, yaml_
from ftscan.parsers.yaml_ import PLAIN, YamlShape

if TYPE_CHECKING:
    from ftscan.flow.build import Program
    from ftscan.models import Detection

_PLUGINS: dict[str, str] = {
    "terraform": "ftscan.carriers.terraform",
    "workflows": "ftscan.carriers.workflows",
    "helm": "ftscan.carriers.helm",
    "compose": "ftscan.carriers.compose",
    "kubernetes": "ftscan.carriers.kubernetes",
    "deployenv": "ftscan.carriers.deployenv",
}
"""The registry: carrier name → the module defining its ``CARRIER``. The order is the order in
which they are asked whether a file is theirs (a workflow under ``templates/`` is a workflow)
and in which they link."""

OutsideEnv = tuple[tuple[str, str], ...]
"""Variables set from values kept outside the repository: (variable, where its value comes
from, as reports name it: ``secrets.OPENAI_FT_MODEL``)."""
ReadText = Callable[[str], "str | None"]
"""Reads a file of the scan as text (``None`` when it cannot be read)."""


class Carrier(Protocol):
    """What the scan asks of a carrier plug-in."""

    name: str
    outside: bool
    """Its files may set variables from values outside the repository: each is read whatever
    words it holds, for :meth:`outside_env`."""
    yaml_shape: YamlShape
    """Where its YAML documents set variables and name components, told by their structure
    wherever it appears: every YAML file is read with every carrier's shape (a Kubernetes env
    list in a Helm values file binds its variables as it does in a manifest)."""

    def recognises(self, relpath: str) -> bool:
        """Is the file at ``relpath`` (relative, forward slashes) one of this carrier's? Asked
        only of files no language claims."""

    def parse(self, relpath: str, text: str, read: Parser) -> ParsedFile:
        """The strings of one of its files and what binds them, over ``read`` (the reader of
        the file's format); raises :class:`~ftscan.parsers.base.ParseFailure` when the file
        is not valid."""

    def outside_env(self, data: bytes) -> OutsideEnv:
        """What one of its files sets from outside the repository (asked of every one of its
        files when :attr:`outside` holds, whatever else they hold)."""

    def link(self, program: Program, definitions: Sequence[Detection], files: Sequence[str],
             read_text: ReadText) -> None:
        """Bind its names into the value-flow graph: ``definitions`` are every definition of
        the scan (a node each, :func:`ftscan.flow.deploy.definition_node`), ``files`` its own
        files in the scan."""


class CarrierBase:
    """What a carrier does unless it says otherwise: owns no file by its path, reads its files
    with their format's reader as they are, sets nothing from outside, links nothing beyond
    its variables."""

    name = ""
    outside = False
    yaml_shape = PLAIN

    def recognises(self, relpath: str) -> bool:
        return False

    def parse(self, relpath: str, text: str, read: Parser) -> ParsedFile:
        return read(text)

    def outside_env(self, data: bytes) -> OutsideEnv:
        return ()

    def link(self, program: Program, definitions: Sequence[Detection], files: Sequence[str],
             read_text: ReadText) -> None:
        return None


_loaded: dict[str, Carrier] = {}


def carrier_named(name: str) -> Carrier:
    """The plug-in registered as ``name`` (imported on first use)."""
    carrier = _loaded.get(name)
    if carrier is None:
        carrier = _loaded[name] = importlib.import_module(_PLUGINS[name]).CARRIER
    return carrier


def names() -> tuple[str, ...]:
    """Every registered carrier, in the registry's order."""
    return tuple(_PLUGINS)


def carrier_of(relpath: str) -> str | None:
    """The carrier whose file ``relpath`` is, by its path, if any."""
    for name in _PLUGINS:
        if carrier_named(name).recognises(relpath):
            return name
    return None


@functools.cache
def yaml_shape() -> YamlShape:
    """Every carrier's :attr:`~Carrier.yaml_shape` at once: how every YAML file is read."""
    return functools.reduce(YamlShape.__or__, (carrier_named(n).yaml_shape for n in _PLUGINS))


def reader(carrier: str | None, fmt: Format, relpath: str) -> Parser | None:
    """How a file of format ``fmt`` and ``carrier`` (if any) is read: its carrier's
    :meth:`~Carrier.parse` over the format's reader (YAML's with every carrier's shape,
    :func:`yaml_shape`); ``None`` when the format has no reader (the text pass alone reads
    it)."""
    read: Parser | None
    if fmt is Format.YAML:
        read = functools.partial(yaml_.parse_yaml, shape=yaml_shape())
    else:
        read = PARSERS.get(fmt)
    if read is None or carrier is None:
        return read
    own, format_reader = carrier_named(carrier), read
    return lambda text: own.parse(relpath, text, format_reader)


__all__ = ["Carrier", "CarrierBase", "OutsideEnv", "ReadText", "carrier_named", "carrier_of",
           "names", "reader", "yaml_shape"]
