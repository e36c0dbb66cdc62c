"""What every provider in the registry (ftscan/providers/) promises, checked the same way for
each against the stand-in server (tests/standin.py): the variables it reads are the ones it
documents, a missing one is a one-line error naming it, and its state is read from the
stand-in. A provider added to the registry is held to all of it; and nothing outside its own
folder names it.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import standin
from click.testing import CliRunner
from standin import World

from ftscan.cli import main
from ftscan.lifecycle import load_lifecycle
from ftscan.providers import PROVIDERS, exporting_recipes
from ftscan.providers.base import Provider, ProviderError, Session

TODAY = dt.date(2026, 11, 28)
FINE_TUNES = {
    "openai": "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234",
    "azure-openai": "gpt-4o-mini-2024-07-18.ft-7f3a9c1e5b2d4f6a8c0e2b4d6f8a1c3e",
    "mistral": "ft:open-mistral-7b:587a6b29:20240514:7e773925",
}
"""The one fine-tune each provider's stand-in lists, beside base models it must leave out."""
QUICK = {"sleep": lambda _seconds: None, "retries": 0, "timeout": 5.0}
PACKAGE = Path(__file__).resolve().parent.parent / "ftscan"


def organisation() -> World:
    created = int(dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc).timestamp())
    return World(
        jobs=[standin.job(0, "gpt-4o-mini-2024-07-18", "triage", FINE_TUNES["openai"],
                          dt.date(2026, 3, 1), training="file-train")],
        models=[standin.model("gpt-4o-mini-2024-07-18", dt.date(2024, 7, 18), "system"),
                standin.model(FINE_TUNES["openai"], dt.date(2026, 3, 1))],
        usage={TODAY - dt.timedelta(days=3): {FINE_TUNES["openai"]: 5}},
        files={"file-train": b'{"messages": []}\n'},
        azure_models=[{"id": "gpt-4o-mini-2024-07-18", "status": "succeeded"},
                      {"id": FINE_TUNES["azure-openai"], "model": "gpt-4o-mini-2024-07-18",
                       "fine_tune": "ftjob-az1", "created_at": created}],
        mistral_models=[{"id": "mistral-large-latest", "type": "base"},
                        {"id": FINE_TUNES["mistral"], "type": "fine-tuned",
                         "root": "open-mistral-7b", "job": "job-m1", "created": created}])


@pytest.fixture
def org() -> Iterator[tuple[World, str]]:
    world = organisation()
    with standin.serve(world) as url:
        yield world, url


class Recording(dict[str, str]):
    """An environment that remembers every variable asked of it, set or not."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.asked: set[str] = set()

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(name)
        return super().get(name, default)

    def __getitem__(self, name: str) -> str:
        self.asked.add(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        self.asked.add(str(name))
        return super().__contains__(name)


every_provider = pytest.mark.parametrize("provider", PROVIDERS, ids=lambda p: p.name)


@every_provider
def test_every_variable_it_reads_is_documented(provider: Provider) -> None:
    documented = [variable.name for variable in provider.environment]
    assert len(documented) == len(set(documented))
    assert all(variable.purpose.strip() for variable in provider.environment)
    assert provider.key_variable in documented
    environ = Recording(standin.environment(provider.name, "http://127.0.0.1:9"))
    provider.access(environ)
    assert provider.key_variable in environ.asked
    assert environ.asked <= set(documented), environ.asked - set(documented)


def _refusal(provider: Provider, environ: dict[str, str]) -> str | None:
    try:
        provider.access(environ)
    except ProviderError as exc:
        return str(exc)
    return None


@every_provider
def test_a_missing_variable_is_one_line_that_names_it(provider: Provider) -> None:
    full = standin.environment(provider.name, "http://127.0.0.1:9")
    refusals = {name: _refusal(provider, {k: v for k, v in full.items() if k != name})
                for name in full}
    assert refusals[provider.key_variable] is not None
    for name, message in refusals.items():
        if message is not None:
            assert "\n" not in message and message.startswith(f"{provider.name}: set {name} ")
            assert not any(value in message for value in full.values())


@every_provider
def test_the_command_says_which_variable_to_set(provider: Provider) -> None:
    nothing_set = {v.name: None for p in PROVIDERS for v in p.environment}
    result = CliRunner().invoke(main, ["reconcile", "--provider", provider.name],
                                env=nothing_set)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"ftscan: error: {provider.name}: set ")


@every_provider
def test_its_state_is_read_from_the_standin(provider: Provider,
                                            org: tuple[World, str]) -> None:
    world, url = org
    environ = standin.environment(provider.name, url)
    access = provider.access(environ)
    said: list[str] = []
    state = provider.read_state(access, Session(QUICK, said.append), TODAY,
                                [FINE_TUNES[provider.name] + ":ckpt-step-1"])
    assert state.errors == []
    assert (state.provider, state.endpoint) == (provider.name, access.base_url)
    assert set(state.models) == {FINE_TUNES[provider.name]}  # base models left out
    assert {m.provider for m in state.models.values()} == {provider.name}
    assert world.seen, "the stand-in was not asked"
    keys = [value for name, value in environ.items() if "KEY" in name]
    assert not any(key in path for key in keys for path in world.seen)
    answer = provider.eligibility(state, load_lifecycle(), TODAY)
    assert answer.provider == provider.name and answer.answer in ("yes", "no", "unknown")


@pytest.mark.parametrize("provider", exporting_recipes(), ids=lambda p: p.name)
def test_an_exporter_lists_its_recipes_from_the_standin(provider: Provider,
                                                        org: tuple[World, str],
                                                        tmp_path: Path) -> None:
    _, url = org
    assert provider.recipes is not None
    source = provider.recipes(provider.access(standin.environment(provider.name, url)),
                              Session(QUICK))
    (job,) = source.recipe_jobs()
    assert (source.provider, job.fine_tuned_model) == (provider.name, FINE_TUNES[provider.name])
    assert job.raw["id"] == job.job_id
    assert job.training_file is not None
    assert source.download_file(job.training_file, tmp_path / "train") > 0


# ---------------------------------------------------------------- what derives from the registry


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
