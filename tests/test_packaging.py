"""The wheel holds every package, the rule data and the report schema."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

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


def test_the_wheel_ships_the_rule_data_and_the_report_schema() -> None:
    """The wheel maps the top-level rules/ folder to ftscan.rules with its YAML as package
    data, and ships the schemas. Checked on the packaging configuration, and on what pip
    installed when it installed a wheel (its RECORD; an editable install lists no data
    files): ``python -m pytest`` imports the source tree's ftscan, which has no ftscan.rules,
    so the imported package cannot tell."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert setuptools["package-dir"]["ftscan.rules"] == "rules"
    assert "ftscan.rules" in setuptools["packages"]
    assert "*.yaml" in setuptools["package-data"]["ftscan.rules"]
    assert "schemas/*.json" in setuptools["package-data"]["ftscan"]
    assert {"openai.yaml", "lifecycle.yaml"} <= {p.name for p in (REPO / "rules").glob("*.yaml")}
    assert (REPO / "ftscan" / "schemas" / "report-v1.schema.json").is_file()
    for distribution in importlib.metadata.distributions(name="ftscan"):
        installed = {path.as_posix() for path in distribution.files or ()}
        if "ftscan/__init__.py" in installed and "RECORD" in {
                Path(p).name for p in installed}:  # a wheel install, not the checkout's build
            assert {"ftscan/rules/openai.yaml", "ftscan/rules/lifecycle.yaml",
                    "ftscan/schemas/report-v1.schema.json"} <= installed


def test_every_data_file_of_the_package_is_listed_for_the_wheel() -> None:
    """A file the code reads at run time (a schema, sinks, the HTML page's template, style and
    script) ships only if a package-data pattern names it."""
    import fnmatch

    listed = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    patterns = [f"{package.replace('.', '/')}/{pattern}" for package, globs in listed.items()
                for pattern in globs]
    data = [path.relative_to(REPO).as_posix() for path in (REPO / "ftscan").rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc")]
    assert "ftscan/reporters/html/report.js" in data
    assert [path for path in data if not any(fnmatch.fnmatch(path, p) for p in patterns)] == []
