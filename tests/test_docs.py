"""The README and docs stay true: every rule is documented, the quick-start commands are the
ones CI runs, and the sample in the README is what ftscan prints."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner
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


README_DATE = re.findall(r"; as of (\d{4}-\d\d-\d\d)\.\n", README)[0]
"""The day the README's sample outputs were made on (its sample's summary line says)."""
_COMMAND_BLOCKS = re.findall(r"```text\n\$ ftscan (.+?)\n(.*?)```", README, re.DOTALL)


@pytest.mark.parametrize(("command", "shown"), _COMMAND_BLOCKS,
                         ids=[command for command, _ in _COMMAND_BLOCKS])
def test_the_readmes_command_outputs_are_what_ftscan_prints(command: str, shown: str,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    """Each ``$ ftscan ...`` block, run from the repository on the README's date: its lines
    are the output's, those between two ``...`` lines one after the other, in order."""
    from ftscan.cli import main

    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, [*shlex.split(command), "--as-of", README_DATE])
    assert result.exit_code in (0, 1), result.output
    printed = result.stdout.splitlines()
    at = 0
    for part in shown.split("...\n"):
        lines = part.splitlines()
        found = next((i for i in range(at, len(printed) - len(lines) + 1)
                      if printed[i:i + len(lines)] == lines), None)
        assert found is not None, f"not printed (in this order): {lines}"
        at = found + len(lines)
    assert len(_COMMAND_BLOCKS) >= 2


def test_the_help_of_max_file_size_says_larger_files_are_read_in_pieces() -> None:
    from ftscan.cli import main

    text = " ".join(CliRunner().invoke(main, ["scan", "--help"]).stdout.split())
    help_text = text.split("--max-file-size SIZE", 1)[1].split(" --", 1)[0]
    assert "read in pieces" in help_text and "Skip" not in help_text, help_text


def test_recipes_export_help_lists_only_the_providers_that_export() -> None:
    """``recipes export --help`` names the variables of the providers it can export from,
    and no other provider's."""
    from ftscan.cli import main
    from ftscan.providers import PROVIDERS

    text = CliRunner().invoke(main, ["recipes", "export", "--help"]).stdout
    assert len(PROVIDERS) > 1
    for provider in PROVIDERS:
        names = [variable.name for variable in provider.environment]
        if provider.recipes is not None:
            assert all(name in text for name in names), provider.name
        else:
            assert not any(name in text for name in names), provider.name
