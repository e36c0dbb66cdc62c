"""What a scan hands to a parser, counted: files whose candidates are all look-alikes are never
parsed, and a big file is read only where its candidates sit. Counts and sizes, not wall
clocks (a loaded machine breaks those)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import run_scan, write
from ftscan.pipeline import examine

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbC12345"

LOOKALIKES = {
    # tests of a model's kind, a price table's keys: "ft:" is never completed into an id
    "route.py": 'def route(model):\n    if model.startswith("ft:"):\n        return "tuned"\n'
                '    return "ft:" in model and "base"\n',
    "prices.py": 'PRICES = {"ft:gpt-3.5-turbo:": 0.012, "ft:gpt-4o-mini:": 0.0003}\n',
    "route.js": "export const tuned = (m) => m.startsWith('ft:') || m.includes(\"ft:\");\n",
    "route.ts": "export function tuned(m: string): boolean { return m.startsWith('ft:'); }\n",
    "lib/Check.java": 'class Check { boolean tuned(String m) { return m.startsWith("ft:"); } }\n',
    "config.yaml": 'tuned_prefix: "ft:"\nazure_marker: ".ft-"\n',
    "check.ipynb": json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                          "source": ['tuned = [m for m in ids if m.startswith("ft:")]']}],
                               "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
}


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Files handed to a parser in this process (the first phase's analysis and the parse of a
    module's facts), by path."""
    counted: Counter[str] = Counter()
    analyse, module_facts = examine.analyse_text, examine.parse_module_facts

    def counting_analyse(path, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        counted[path] += 1
        return analyse(path, text, *args, **kwargs)

    def counting_module_facts(relpath, text):  # noqa: ANN001, ANN202
        counted[relpath] += 1
        return module_facts(relpath, text)

    monkeypatch.setattr(examine, "analyse_text", counting_analyse)
    monkeypatch.setattr(examine, "parse_module_facts", counting_module_facts)
    return counted


def test_a_file_of_look_alikes_is_never_parsed(repo: Path, parses: Counter[str]) -> None:
    """``model.startswith("ft:")``, ``"ft:" in name``, a price table keyed by ``ft:base:``:
    no string a rule's pattern accepts, nothing that completes an id at run time. The byte
    prefilter settles such files in every language; they reach no parser, while a file
    building an id at run time beside them still does, and is still reported."""
    for rel, text in LOOKALIKES.items():
        write(repo, rel, text)
    write(repo, "build.py", 'def model(base, job):\n    return "ft:" + base + ":acme:ranker:" + job\n')
    write(repo, "use.js", f"const MODEL = '{FT}';\n")
    result = run_scan(repo, jobs=1)
    assert not set(parses) & set(LOOKALIKES), parses
    assert parses["build.py"] and parses["use.js"]
    assert sorted((f.location.path, f.role.value) for f in result.findings) == [
        ("build.py", "dynamic"), ("use.js", "definition")]
