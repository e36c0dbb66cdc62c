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
