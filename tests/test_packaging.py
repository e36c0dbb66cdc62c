"""The wheel holds every package, the rule data and the report schema."""

from __future__ import annotations

import sys

from conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_every_python_package_is_listed_for_the_wheel() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "ftscan").rglob("__init__.py")
    }
    assert on_disk <= listed, f"missing from [tool.setuptools] packages: {on_disk - listed}"


def test_installed_package_ships_rules_and_schema() -> None:
    from importlib import resources

    rules = resources.files("ftscan.rules")
    names = {entry.name for entry in rules.iterdir()}
    assert {"openai.yaml", "lifecycle.yaml"} <= names
    schema = resources.files("ftscan") / "schemas" / "report-v1.schema.json"
    assert schema.is_file()
