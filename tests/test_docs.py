"""The README and docs stay true: every rule is documented, the quick-start commands are the
ones CI runs, and the sample in the README is what ftscan prints."""

from __future__ import annotations

import re

from conftest import REPO

from ftscan.ruleset import load_rules

README = (REPO / "README.md").read_text()


def test_readme_rule_table_lists_every_rule_with_its_provider() -> None:
    rows = dict(re.findall(r"^\| (FT\d{3}) \| ([a-z-]+) \|", README, re.MULTILINE))
    assert rows == {rule.id: rule.provider for rule in load_rules().rules}


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    block = README.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    install_and_scan, install_and_test = block
    assert install_and_scan.endswith("ftscan scan fixtures/sample-repo")
    assert install_and_test in (REPO / ".ci" / "run").read_text()


def test_every_cli_option_is_documented() -> None:
    from ftscan.cli import inventory_command, scan_command

    for command in (scan_command, inventory_command):
        for param in command.params:
            for option in getattr(param, "opts", []):
                if option.startswith("--"):
                    assert option in README, (command.name, option)
