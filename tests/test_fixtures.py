"""The fixture repositories, checked both ways against the markers written into them:
everything marked is found, nothing unmarked is reported, and look-alikes stay silent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, run_scan
from expectations import Expected, read_markers

from ftscan.ruleset import load_rules

FIXTURE_REPOS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _found(root: Path) -> set[Expected]:
    result = run_scan(root)
    prefix = root.relative_to(result.root).as_posix() + "/"
    return {
        Expected(f.location.path.removeprefix(prefix), f.location.start_line, f.rule_id,
                 f.role.value)
        for f in result.findings
    }


@pytest.mark.parametrize("fixture", FIXTURE_REPOS, ids=lambda p: p.name)
def test_every_marked_finding_is_reported_and_nothing_else(fixture: Path) -> None:
    expected, _ = read_markers(fixture, _files(fixture))
    found = _found(fixture)
    assert sorted(expected - found, key=str) == [], "marked but not reported"
    assert sorted(found - expected, key=str) == [], "reported but not marked"


@pytest.mark.parametrize("fixture", FIXTURE_REPOS, ids=lambda p: p.name)
def test_lookalikes_marked_ok_stay_silent(fixture: Path) -> None:
    _, forbidden = read_markers(fixture, _files(fixture))
    found = {(f.path, f.line, f.rule) for f in _found(fixture)}
    assert {(f.path, f.line, f.rule) for f in forbidden} & found == set()


def test_lookalike_fixture_yields_nothing() -> None:
    result = run_scan(FIXTURES / "lookalikes")
    assert result.findings == ()
    # the look-alikes are real tests: each file holds a rule keyword, so only the patterns
    # themselves keep it silent
    rules = load_rules()
    files = _files(FIXTURES / "lookalikes")
    assert len(files) >= 5
    assert all(rules.might_match(f.read_bytes()) for f in files)


def test_every_rule_has_positive_and_negative_fixture_markers() -> None:
    expected: set[Expected] = set()
    forbidden = set()
    for fixture in FIXTURE_REPOS:
        e, f = read_markers(fixture, _files(fixture))
        expected |= e
        forbidden |= f
    rules = {r.id for r in load_rules().rules}
    assert rules - {e.rule for e in expected} == set(), "rules without a positive fixture"
    assert rules - {f.rule for f in forbidden} == set(), "rules without a negative fixture"


def test_ignored_files_exist_but_are_not_reported() -> None:
    sample = FIXTURES / "sample-repo"
    ignored = [
        "services/ranker/build/leaked.env",  # root .gitignore: build/
        "services/ranker/dev.local.env",  # nested .gitignore: *.local.env
        "vendor/sdk/examples.py",  # .ftscanignore: vendor/
    ]
    for rel in ignored:
        assert (sample / rel).is_file(), f"fixture file missing: {rel}"
        assert "ft:gpt-4o-mini" in (sample / rel).read_text()
    reported = {f.location.path for f in run_scan(sample).findings}
    assert not any(path.endswith(tuple(ignored)) for path in reported)
    unignored = {f.location.path for f in run_scan(sample, use_ignore_files=False).findings}
    assert all(any(path.endswith(rel) for path in unignored) for rel in ignored[:2])


def test_sample_repo_covers_every_file_kind() -> None:
    result = run_scan(FIXTURES / "sample-repo")
    suffixes = {os.path.splitext(f.location.path)[1] or os.path.basename(f.location.path)
                for f in result.findings}
    for kind in [".py", ".ipynb", ".env", ".example", ".yaml", ".yml", ".tf", ".tfvars",
                 ".toml", ".json", ".jsonl", "Dockerfile", ".sh", ".ts", ".md"]:
        assert kind in suffixes, kind
