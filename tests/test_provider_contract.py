"""What every provider in the registry (ftscan/providers/) promises. What the commands say
about providers follows from the registry, and nothing outside a provider's own folder names it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftscan.cli import main
from ftscan.providers import PROVIDERS, exporting_recipes
from ftscan.providers.base import Provider

PACKAGE = Path(__file__).resolve().parent.parent / "ftscan"


def _help_variables(*command: str) -> tuple[set[str], str]:
    text = CliRunner().invoke(main, [*command, "--help"]).output
    return set(re.findall(r"^ +([A-Z][A-Z0-9_]+): ", text, re.MULTILINE)), text


@pytest.mark.parametrize(("command", "providers"), [
    (("reconcile",), PROVIDERS),
    (("recipes", "export"), exporting_recipes()),
], ids=["reconcile", "recipes export"])
def test_help_lists_the_variables_of_the_providers_the_command_asks(
        command: tuple[str, ...], providers: tuple[Provider, ...]) -> None:
    listed, text = _help_variables(*command)
    assert listed == {v.name for p in providers for v in p.environment}
    offered = re.search(r"--provider \[([^\]]+)\]", text)
    assert offered is not None and offered.group(1).split("|") == [p.name for p in providers]


CONSUMERS = sorted([*(PACKAGE / "reconcile").glob("*.py"), PACKAGE / "cli_providers.py",
                    PACKAGE / "recipes.py",
                    *(p for p in (PACKAGE / "providers").glob("*.py") if p.name != "__init__.py")])
"""The modules that use providers without being one (the registry, ``providers/__init__.py``,
names their folders)."""


@pytest.mark.parametrize("module", CONSUMERS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_provider_is_named_outside_its_own_folder(module: Path) -> None:
    """Adding or changing a provider touches its folder and the registry, nothing else: no
    string in these modules (docstrings aside) names a provider or one of its variables."""
    words = {p.name for p in PROVIDERS} | {v.name for p in PROVIDERS for v in p.environment}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(words))) + r")(?![\w-])")
    tree = ast.parse(module.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    named = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and id(node) not in docstrings and pattern.search(node.value)]
    assert named == []
