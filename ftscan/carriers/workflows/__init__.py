"""CI workflows: GitHub Actions' ``.github/workflows/*.yml`` (their ``env:`` mappings, and
GitLab's and Azure Pipelines' ``variables:`` wherever they are, bind variables in the YAML
reader), and the secrets a workflow sets variables from.

``OPENAI_MODEL: ${{ secrets.OPENAI_FT_MODEL }}`` holds no id, but says the variable is set from
a secret named like a fine-tune: code that reads it and calls a model uses a fine-tune whose id
lives outside the repository (:attr:`ftscan.flow.build.Program.outside_env`). So every workflow
is read for these, whatever else it holds.
"""

from __future__ import annotations

import re

from ftscan.carriers import CarrierBase, OutsideEnv
from ftscan.flow.names import is_fine_tune_name
from ftscan.parsers.yaml_ import YamlShape

_FOLDER = ".github/workflows/"
_SECRET = re.compile(
    rb"""^[ \t]{0,40}-?[ \t]{0,8}["']?([A-Za-z_][A-Za-z0-9_]{0,127})["']?[ \t]{0,8}:[ \t]{0,8}"""
    rb"""["']?\$\{\{[ \t]{0,8}(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]{0,127})[ \t]{0,8}\}\}""",
    re.MULTILINE)


class Workflows(CarrierBase):
    name = "workflows"
    outside = True
    yaml_shape = YamlShape(env_keys=frozenset({"env", "variables"}))

    def recognises(self, relpath: str) -> bool:
        return relpath.startswith(_FOLDER) and relpath.endswith((".yml", ".yaml"))

    def outside_env(self, data: bytes) -> OutsideEnv:
        """``NAME: ${{ secrets.X }}`` entries where the variable or the secret is named like a
        fine-tune: (variable, ``secrets.X``). Other secrets are none of ftscan's business (and
        their names never leave the scan)."""
        if b"${{" not in data:
            return ()
        found = []
        for m in _SECRET.finditer(data):
            var = m.group(1).decode()
            secret = f"{m.group(2).decode()}.{m.group(3).decode()}"
            if is_fine_tune_name(var) or is_fine_tune_name(m.group(3).decode()):
                found.append((var, secret))
        return tuple(dict.fromkeys(found))


CARRIER = Workflows()
