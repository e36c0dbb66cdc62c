"""Docker Compose files: ``environment:`` as a mapping or a list of ``KEY=value`` sets each
service's variables, and every value under ``services.<name>`` belongs to that service.

Told by their content, not their name (``docker-compose.yml``, ``compose.prod.yaml``,
``deploy/stack.yml`` alike): the YAML reader applies this shape to every YAML document.
"""

from __future__ import annotations

from ftscan.carriers import CarrierBase
from ftscan.parsers.yaml_ import YamlShape


class Compose(CarrierBase):
    name = "compose"
    yaml_shape = YamlShape(env_keys=frozenset({"environment"}),
                           component_keys=frozenset({"services"}))


CARRIER = Compose()
