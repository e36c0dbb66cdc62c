"""What a scan hands to a parser, counted: files whose candidates are all look-alikes are never
parsed, and a big file is read only where its candidates sit. Counts and sizes, not wall
clocks (a loaded machine breaks those)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import run_scan, write

from ftscan.languages.python import PythonLanguage
from ftscan.pipeline import examine
from ftscan.result import ScanResult

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
    # another SDK's jobs.create: Mistral's job call only beside Mistral's SDK
    "batch.py": 'job = client.batch.jobs.create(name="nightly", image=IMAGE)\n',
    "batch.ts": "const job = await run.jobs.create({ name: 'nightly' });\n",
    "check.ipynb": json.dumps({"cells": [{
        "cell_type": "code", "metadata": {}, "outputs": [],
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
    no string a rule's pattern accepts, nothing that completes an id at run time; another
    SDK's ``jobs.create`` without Mistral's SDK beside it. The byte prefilter settles such
    files in every language; they reach no parser, while a file building an id at run time
    and a Mistral job beside them still do, and are still reported."""
    for rel, text in LOOKALIKES.items():
        write(repo, rel, text)
    write(repo, "build.py",
          'def model(base, job):\n    return "ft:" + base + ":acme:ranker:" + job\n')
    write(repo, "use.js", f"const MODEL = '{FT}';\n")
    write(repo, "tune.py", "from mistralai import Mistral\n\nclient = Mistral()\n"
          'job = client.fine_tuning.jobs.create(model="open-mistral-7b", training_files=[f])\n')
    result = run_scan(repo, jobs=1)
    assert not set(parses) & set(LOOKALIKES), parses
    assert parses["build.py"] and parses["use.js"] and parses["tune.py"]
    assert sorted((f.location.path, f.role.value, f.rule_id) for f in result.findings) == [
        ("build.py", "dynamic", "FT001"), ("tune.py", "training", "FT203"),
        ("use.js", "definition", "FT001")]


def _table(rows: int) -> str:
    return "TABLE = [\n" + "".join(f"    ('row{i}', {i}.5, 'x'),\n" for i in range(rows)) + "]\n"


def test_a_big_module_is_read_only_where_an_id_may_sit(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module holding a table of thousands of literals and one id: the statements that
    cannot hold an id are not walked (the strings kept are the id's, not the table's 4,000),
    and a shape the standard library's reading leaves to libcst elsewhere in the module (a
    parenthesis inside a concatenation, in a function whose ``if left:`` merely holds the
    keyword ``ft:``) no longer sends the whole module to libcst. An id spelled with an escape
    is still read, as libcst reads it."""
    from ftscan.languages.python import strings
    from ftscan.pipeline import analysis

    full_parses: list[int] = []
    real_parse = strings.parse_python
    monkeypatch.setattr(strings, "parse_python",
                        lambda text: full_parses.append(len(text)) or real_parse(text))
    kept: list[int] = []
    real_lean = analysis._lean

    def lean(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = real_lean(*args, **kwargs)
        kept.append(-1 if found is None else len(found.parsed.strings))
        return found

    monkeypatch.setattr(analysis, "_lean", lean)
    escaped = FT.replace(":", "\\x3a", 1)
    write(repo, "data.py", '"""Rows."""\nimport json\n' + _table(2_000)
          + 'def label(left):\n    if left:\n        return "a" + (left  # why\n    )\n'
          + f'MODEL = "{FT}"\nOTHER = "{escaped}"\n')
    found = _findings(run_scan(repo, jobs=1, cache_dir=None))
    assert full_parses == [] and kept == [2]  # MODEL's and OTHER's strings
    assert [f[:5] for f in found] == [
        (2_009, FT, "definition", "Python string literal", "MODEL"),
        (2_010, FT, "definition", "Python string literal", "OTHER")]
    monkeypatch.setattr(PythonLanguage, "parse_lean", lambda *args: None)  # libcst reads all
    assert _findings(run_scan(repo, jobs=1, cache_dir=None)) == found
    assert len(full_parses) == 1


def _findings(result: ScanResult) -> list[tuple[object, ...]]:
    return [(f.location.start_line, f.model_id, f.role.value, f.kind, f.context,
             f.location.start_column, f.location.end_column, f.fingerprint)
            for f in result.findings]


def test_rules_compile_only_the_patterns_a_file_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the catalogue compiles no pattern; finding the ids of a text compiles those of
    the rules whose keywords it holds, once (a pre-commit run reads one file)."""
    import re

    from ftscan import regex
    from ftscan.ruleset import load_rules

    compiled: list[str] = []
    real = re.compile

    def counting(pattern, flags=0):  # noqa: ANN001, ANN202
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(regex.re, "compile", counting)
    rules = load_rules()
    patterns = {p.pattern for r in rules for p in (*r.patterns, *r.dynamic, *r.hints)}
    assert len(patterns) > 20 and not patterns & set(compiled)
    for _ in range(2):
        assert [m.model_id for m in rules.find(f"MODEL = '{FT}'")] == [FT]
    wanted = {p.pattern for r in rules if "ft:" in r.keywords for p in r.patterns}
    assert sorted(p for p in compiled if p in patterns) == sorted(wanted)
