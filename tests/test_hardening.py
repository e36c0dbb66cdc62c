"""Hardening: each way a repository ftscan does not trust could hang, crash or mislead a scan,
one test each (the end-to-end attack is tests/test_attack.py)."""

from __future__ import annotations

import codecs
import contextlib
import importlib
import json
import os
import pkgutil
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, commit, git, new_git_repo, run_scan, write

import ftscan
from ftscan.cli import main
from ftscan.discovery import FileEntry, SkippedEntry
from ftscan.regex import AnyOf
from ftscan.ruleset import RuleError, load_rules

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4.1-mini-2025-04-14:acme:other:Oth12345"
MEGABYTE = 1 << 20


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --------------------------------------------------------------------------- linear patterns


def _builtin_patterns() -> dict[str, re.Pattern[str] | re.Pattern[bytes]]:
    """Every compiled pattern at module level in ftscan, and every rule's patterns and dynamic
    patterns as ``find`` runs them (hints run only inside the RE2 prefilter)."""
    found: dict[str, re.Pattern[str] | re.Pattern[bytes]] = {}
    for module_info in pkgutil.walk_packages(ftscan.__path__, "ftscan."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            values = value.items() if isinstance(value, dict) else [(None, value)]
            for key, item in values:
                if isinstance(item, re.Pattern):
                    found[f"{module_info.name}.{name}" + (f"[{key}]" if key else "")] = item
    for rule in load_rules():
        for kind in ("patterns", "dynamic"):
            for i, pattern in enumerate(getattr(rule, kind)):
                found[f"{rule.id}.{kind}[{i}]"] = pattern
    return found


def _literals(pattern: str) -> set[str]:
    """Literal pieces of a pattern (``ft:``, ``:bedrock:``): repeated, they make the inputs a
    pattern has to work hardest on."""
    pieces = re.findall(r"(?:[A-Za-z0-9_:/.\-]|\\[.\-/{}])+", pattern)
    return {p.replace("\\", "") for p in pieces if len(p) >= 2}


ADVERSARIAL_UNITS = ("a", " ", ":", "ft:", "ft:a:", '"', "'", "\\\"", "{", "${", "%", "\n",
                     "a\n", " \n", "-->", "/*", "`", "=", "x=", "[", "\\", "a.ft-",
                     "0", "1:1 ", "- name: A\n", "locals {\n", "ftscan: ignore[", "@@ -1 +1 @@\n",
                     "\r", "aaaa:", "a-a-", ".a")


def _run_over(pattern: re.Pattern[str] | re.Pattern[bytes], unit: str, size: int) -> float:
    """Seconds ``pattern`` takes to find every match in ``size`` characters of ``unit``."""
    text = (unit * (size // len(unit) + 1))[:size]
    data = text.encode("latin-1", "replace") if isinstance(pattern.pattern, bytes) else text
    started = time.perf_counter()
    for _ in pattern.finditer(data):  # type: ignore[arg-type]
        pass
    return time.perf_counter() - started


@pytest.mark.slow
def test_every_builtin_pattern_runs_in_linear_time_on_adversarial_megabytes() -> None:
    """Each pattern against a megabyte of its worst inputs (repetitions of what it looks for):
    under a second each. A quadratic pattern takes minutes on these.

    Every (pattern, input) pair is first timed on 64 KiB, where a super-linear pattern already
    stands out as the slowest of its inputs; the three slowest inputs of each pattern then run
    on the full megabyte."""
    slow = []
    for name, pattern in _builtin_patterns().items():
        source = pattern.pattern if isinstance(pattern.pattern, str) else \
            pattern.pattern.decode("latin-1")
        units = {*ADVERSARIAL_UNITS, *_literals(source)}
        screened = sorted(units, key=lambda unit: -_run_over(pattern, unit, 64 * 1024))
        for unit in screened[:3]:
            elapsed = _run_over(pattern, unit, MEGABYTE)
            if elapsed > 1.0:
                slow.append((name, unit, round(elapsed, 2)))
    assert slow == []


@pytest.mark.parametrize("unit", ["ft:", "ft:a:", "arn:aws:bedrock:us-east-1:318271560946:",
                                  ".ft-", "a.ft-", "accounts/a/models/", '"ft:', "ft:{"])
def test_the_scan_entry_points_are_linear_on_adversarial_megabytes(unit: str) -> None:
    """What a file meets on its way through: the byte prefilter (hints included, in RE2),
    the id search and the dynamic-id search. Eight times the input costs about eight times
    the time (a quadratic search costs 64 times); and a megabyte stays within seconds. The
    ratio, the better of two runs each, holds on a loaded machine where a bare bound flakes."""
    rules = load_rules()

    def cost(size: int) -> float:
        text = (unit * (size // len(unit) + 1))[:size]
        best = []
        for call in (lambda: rules.is_candidate(text.encode()), lambda: rules.find(text),
                     lambda: rules.find_dynamic(text + "{x}")):
            runs = []
            for _ in range(2):
                started = time.perf_counter()
                call()
                runs.append(time.perf_counter() - started)
            best.append(min(runs))
        return sum(best)

    small, large = cost(MEGABYTE // 8), cost(MEGABYTE)
    assert large < 5.0, unit
    assert large < 20 * max(small, 0.005), (unit, small, large)


def _acme_rule(keyword: str, pattern: str) -> str:
    """A user's rule file of one rule, ACME001, with one keyword and one pattern."""
    return f"""rules:
  - id: ACME001
    name: acme
    provider: acme
    title: t
    description: d
    help: h
    keywords: ["{keyword}"]
    patterns: ['{pattern}']
"""


def test_rule_files_patterns_run_in_re2(tmp_path: Path) -> None:
    """A user's rule runs with RE2: ``(a+)+$`` is linear there (it doubles per character in
    Python's ``re``); what RE2 cannot run is refused with the reason."""
    good = write(tmp_path, "good.yaml", _acme_rule(keyword="a", pattern="(a+)+$"))
    rules = load_rules([good])
    started = time.perf_counter()
    assert rules.find("a" * 50_000 + "b") == []
    assert rules.is_candidate(b"a" * 50_000 + b"b") is False
    assert time.perf_counter() - started < 1.0
    bad = write(tmp_path, "bad.yaml", _acme_rule(keyword="a", pattern="(?<!x)a"))
    with pytest.raises(RuleError, match="RE2 cannot run this pattern"):
        load_rules([bad])


def test_the_prefilter_relaxes_only_what_re2_cannot_run() -> None:
    checker = AnyOf([r"(?<![a-z])accounts/(?!fireworks/)[a-z]+/models/x(?![a-z])"])
    assert checker.search(b"accounts/acme/models/x")
    assert not checker.search(b"accounts/fireworks/models/x")
    assert not checker.search(b"xaccounts/acme/models/x")


# --------------------------------------------------------------------------- one file's budget


def test_a_file_over_its_time_budget_is_searched_for_ids_without_a_parser(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The analysis of one file never ends: it is given up on, the scan goes on, and the ids
    in it are still found (in its bytes, without a parser): a file the budget runs out on
    must not hide a new id among decoys."""
    from ftscan.pipeline import examine

    real = examine.analyse_text

    def slow_for_one(path, text, kind, ctx, **options):  # noqa: ANN001, ANN003, ANN202
        if path == "slow.env":
            while True:
                time.sleep(0.01)
        return real(path, text, kind, ctx, **options)

    monkeypatch.setattr(examine, "analyse_text", slow_for_one)
    write(repo, "slow.env", "# decoys\n" * 3 + f"MODEL={FT}\n")
    write(repo, "fine.env", f"MODEL={FT2}\n")
    started = time.monotonic()
    result = run_scan(repo, file_budget=0.3)
    assert time.monotonic() - started < 5
    assert [(f.location.path, f.location.start_line, f.model_id, f.role.value)
            for f in result.findings] == [("fine.env", 1, FT2, "definition"),
                                          ("slow.env", 4, FT, "definition")]
    (problem,) = [d for d in result.diagnostics if d.path == "slow.env"]
    assert problem.message.startswith("gave up after 0.3 s on its analysis; its bytes were "
                                      "searched for ids alone, without a parser")


def test_a_file_whose_ids_cannot_be_searched_in_time_fails_the_run(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The search of a given-up file's bytes outlasts its budget too (or a file over the size
    limit, read for ids only, does): ids in it may go unreported, so the run fails at any
    fail level but never, with an error naming the file."""
    from ftscan.pipeline import examine, largefile

    def endless(*args: object, **options: object) -> None:
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(largefile, "scan_large", endless)
    monkeypatch.setattr(examine, "analyse_text", endless)
    write(repo, "slow.env", f"MODEL={FT}\n")
    write(repo, "big.csv", f"{FT}\n" * 2000)
    for fail_on, code in (("error", 1), ("never", 0)):
        started = time.monotonic()
        result = CliRunner().invoke(main, ["scan", str(repo), "--no-cache", "--fail-on",
                                           fail_on, "--file-timeout", "0.3",
                                           "--max-file-size", "10KB", "--format", "json"])
        assert time.monotonic() - started < 10
        assert result.exit_code == code
        report = json.loads(result.stdout)
        assert report["findings"] == [] and report["summary"]["skipped"] == {"unsearched": 2}
        assert report["failed"] is (code == 1)
        assert sorted(line.split(":")[1].strip() for line in result.stderr.splitlines()
                      if "error: skipped" in line) == ["big.csv", "slow.env"]


def test_a_budget_that_runs_out_as_its_block_ends_leaves_later_budgets_working() -> None:
    """A timer that fires just as the block finishes (here: budgets far shorter than the
    work) must not leave a budget armed: that would switch off every later budget, and the
    next endless file would hang the scan (a tiny ``--file-timeout`` once did exactly that)."""
    from ftscan import budget

    def brief_work() -> None:
        with contextlib.suppress(budget.OverBudget), budget.time_budget(1e-6):
            sum(range(200))

    for _ in range(2000):
        brief_work()
    assert budget._armed == []
    started = time.monotonic()
    with pytest.raises(budget.OverBudget), budget.time_budget(0.2):
        while True:
            time.sleep(0.01)
    assert time.monotonic() - started < 2


def test_an_unexpected_error_in_one_file_is_a_diagnostic(repo: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from ftscan.pipeline import examine

    real = examine.analyse_text

    def broken_for_one(path, text, kind, ctx, **options):  # noqa: ANN001, ANN003, ANN202
        if path == "bad.env":
            raise KeyError("a bug")
        return real(path, text, kind, ctx, **options)

    monkeypatch.setattr(examine, "analyse_text", broken_for_one)
    write(repo, "bad.env", f"MODEL={FT}\n")
    write(repo, "fine.env", f"MODEL={FT2}\n")
    result = run_scan(repo)
    assert [f.location.path for f in result.findings] == ["fine.env"]
    (problem,) = [d for d in result.diagnostics if d.path == "bad.env"]
    assert "ftscan failed on this file (KeyError" in problem.message
    assert problem.severity.value == "error"


def test_a_worker_that_dies_costs_one_file_not_the_scan(repo: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A native parser crashing takes its worker process down; the files it held are read
    again one by one and only the one that kills a worker again is lost."""
    from ftscan.pipeline import examine

    real = examine.analyse_text

    def crash_for_one(path, text, kind, ctx, **options):  # noqa: ANN001, ANN003, ANN202
        if path == "crash.env":
            os.kill(os.getpid(), 9)
        return real(path, text, kind, ctx, **options)

    monkeypatch.setattr(examine, "analyse_text", crash_for_one)
    for i in range(80):
        write(repo, f"svc{i:02d}.env", f"MODEL={FT}\n")
    write(repo, "crash.env", f"MODEL={FT2}\n")
    result = run_scan(repo, jobs=2)
    assert len(result.findings) == 80 and FT2 not in {f.model_id for f in result.findings}
    (problem,) = [d for d in result.diagnostics if d.path == "crash.env"]
    assert "a parser crashed on this file" in problem.message


# --------------------------------------------------------------------------- native code


def test_a_huge_periodic_identifier_never_reaches_a_search_automaton(repo: Path) -> None:
    """A 200 KB name ``abab...`` bound to an id: the automata that find names in files (built
    in native code, quadratic in a periodic word's length: minutes, where no budget reaches)
    are built from its first bytes; the use is still found, among enough files for a search
    engine to run."""
    name = "ab" * 100_000
    write(repo, "models.py", f'{name} = "{FT}"\n')
    write(repo, "app.py", f"from models import {name}\nclient.responses.create(model={name})\n")
    for i in range(250):
        write(repo, f"pkg/m{i}.py", f"from models import X{i}\n")
    started = time.monotonic()
    result = run_scan(repo)
    assert time.monotonic() - started < 20  # minutes before the words were cut
    assert [(f.location.path, f.role.value) for f in result.findings] == [
        ("app.py", "use"), ("models.py", "definition")]


def test_words_that_nest_cost_the_search_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names a repository chose (``a``, ``aa``, ... up to 256 bytes, in every letter) are made
    fewer before a search engine is asked for them: by one pass over each word, never by every
    nested occurrence (eight seconds for these 6,000 words, and more with more letters)."""
    import ftscan.search.words as words

    reported = []
    real = words.BytesAhoCorasick

    class Counted:
        def __init__(self, patterns: list[bytes], **options: object) -> None:
            self.automaton = real(patterns, **options)  # type: ignore[arg-type]

        def find_matches_as_indexes(self, data: bytes, **options: object) -> list[object]:
            found = self.automaton.find_matches_as_indexes(data, **options)  # type: ignore[arg-type]
            reported.append(len(found))
            return found

    monkeypatch.setattr(words, "BytesAhoCorasick", Counted)
    letters = "abcdefghijklmnopqrst"
    nested = [(c * n).encode() for c in letters for n in range(1, 257)]
    assert words.innermost_words(nested) == sorted(c.encode() for c in letters)
    assert sum(reported) <= 2 * sum(len(w) for w in nested)  # 5.6 million before


def test_a_rule_file_with_an_overlong_keyword_is_a_config_error(repo: Path) -> None:
    """A rule file the repository's config names, with a 50 KB keyword: one line, exit 2, at
    once (building the prefilter's automaton from it took minutes)."""
    write(repo, "rules/acme.yaml", _acme_rule(keyword="ab" * 25_000, pattern="acme-ft/[a-z]+"))
    write(repo, ".ftscan.toml", 'rules = ["rules/acme.yaml"]\n')
    write(repo, "a.env", f"MODEL={FT}\n")
    started = time.monotonic()
    code, _, stderr = _cli("scan", str(repo), "--no-cache")
    assert code == 2
    assert "rule ACME001: field 'keywords[0]' is 50000 characters long" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 10


def test_the_javascript_name_search_is_linear_in_a_long_line(repo: Path) -> None:
    """A 360 KB line holding the module's word 51,000 times and the name once: each line is
    looked at once (once per occurrence took 70 s), and the import is still found."""
    write(repo, "models.js", f'export const MODEL = "{FT}";\n')
    write(repo, "app.js", 'import { MODEL } from "./models";\n'
          "client.responses.create({ model: MODEL });\n")
    write(repo, "big.js", 'const s = "' + "models " * 51_000 + '"; // MODEL\n')
    started = time.monotonic()
    result = run_scan(repo)
    assert time.monotonic() - started < 20
    assert [(f.location.path, f.role.value) for f in result.findings] == [
        ("app.js", "use"), ("models.js", "definition")]


def test_the_name_search_keeps_to_the_size_limit_and_the_file_budget(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The alias phase's search reads no file over the size limit, and a file whose search
    outlasts its budget is given up on (and parsed, as if it named the names) instead of
    holding the scan."""
    from ftscan.languages import javascript

    real = javascript.JavaScriptLanguage.mentions
    searched = []

    def slow_for_one(self, text, query):  # noqa: ANN001, ANN202
        searched.append(text[:40])
        if "slow" in text:
            time.sleep(30)
        return real(self, text, query)

    monkeypatch.setattr(javascript.JavaScriptLanguage, "mentions", slow_for_one)
    write(repo, "models.js", f'export const MODEL = "{FT}";\n')
    write(repo, "slow.js", 'import { MODEL } from "./models"; // slow\n'
          "client.responses.create({ model: MODEL });\n")
    write(repo, "large.js", 'import { MODEL } from "./models"; // large\n'
          "client.responses.create({ model: MODEL });\n" + "// padding\n" * 100_000)
    started = time.monotonic()
    result = run_scan(repo, file_budget=0.5, max_file_size=100_000)
    assert time.monotonic() - started < 10
    assert not [text for text in searched if "large" in text]
    uses = [f.location.path for f in result.findings if f.role.value == "use"]
    assert uses == ["slow.js"]


PARSER_BOMBS = {
    "unary.py": "x = " + "-" * 20_000 + "1\n",
    "attribute.py": "x = a" + ".b" * 10_000 + "\n",
    "not.py": "x = " + "not " * 5_000 + "y\n",
    "plus.py": "x = " + " + ".join(["a"] * 10_000) + "\n",
    # written so that no lexical count sees the chain: the parser's child process catches it
    "hidden.py": "x = (" + "not\n" * 20_000 + "y)\n",
}


def test_python_the_parser_cannot_survive_costs_one_file_in_a_small_repository(
        repo: Path) -> None:
    """Chains of unary operators, attributes, ``not`` and ``+`` (libcst crashes the process
    on them, or takes seconds per thousand terms) go to the text pass before libcst sees them;
    a chain no count catches crashes only the parser's child process. In a repository small
    enough to be scanned in one process, the scan (run as its own process here: a crash
    would end the test run) reports every file's id."""
    for i, (name, bomb) in enumerate(PARSER_BOMBS.items()):
        model = f"ft:gpt-4o-mini-2024-07-18:acme:bomb-{i}:Bomb{i:04d}"
        write(repo, name, bomb + f"MODEL = '{model}'\nclient.create(model=MODEL)\n")
    write(repo, "fine.py", f"MODEL = '{FT}'\nclient.create(model=MODEL)\n")
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "ftscan", "scan", str(repo), "--no-cache",
                          "--format", "json"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr[-2000:]
    assert time.monotonic() - started < 60
    report = json.loads(run.stdout)
    defined = {f["path"] for f in report["findings"] if f["role"] == "definition"}
    assert defined == {*PARSER_BOMBS, "fine.py"}
    assert report["summary"]["parseFallbacks"] == len(PARSER_BOMBS)
    problems = {d["path"]: d["message"] for d in report["diagnostics"]}
    assert all("too deep for the Python parser" in problems[name]
               for name in PARSER_BOMBS if name != "hidden.py")
    assert "the Python parser crashed on this file" in problems["hidden.py"]


@pytest.mark.parametrize("shape", [
    "(" * 500 + "1" + ")" * 500, "-" * 500 + "1", "~" * 500 + "1", "not " * 500 + "y",
    "a" + ".b" * 500, "f" + "()" * 500, "a" + "[0]" * 500, " + ".join(["a"] * 500),
    " and ".join(["a"] * 500), " ** ".join(["a"] * 500), "lambda: " * 500 + "1",
    "1 if a else " * 500 + "1", "(a\n" + "+ a\n" * 500 + ")",
])
def test_every_kind_of_nesting_is_counted_before_the_python_parser(shape: str) -> None:
    """Each way an expression nests as deep as it is long, as libcst's parser recurses
    into it, is counted; code as written by people stays far below the limit."""
    from ftscan.languages.python.nesting import MAX_NESTING, nesting_depth

    assert nesting_depth(f"x = {shape}\n") > MAX_NESTING
    for source in (REPO / "ftscan").rglob("*.py"):
        assert nesting_depth(source.read_text(encoding="utf-8")) < MAX_NESTING / 4, source


def _segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_child_call_survives_its_childs_crash_and_is_reached_by_the_budget() -> None:
    """The parser's child process: a crash in it is an exception here, and the next call
    gets a new child; a call that outlasts the file's budget is interrupted (the child
    killed), where native code in this process could not be."""
    from ftscan.budget import OverBudget, time_budget
    from ftscan.childcall import ChildCall, ChildDied

    crashing = ChildCall(_segfault)
    with pytest.raises(ChildDied, match="SIGSEGV"):
        crashing()
    sleeping = ChildCall(_sleep)
    assert sleeping(0) == 0
    started = time.monotonic()
    with pytest.raises(OverBudget), time_budget(0.2):
        sleeping(30)
    assert time.monotonic() - started < 5
    assert sleeping(0.01) == 0.01  # a new child
    sleeping.stop()


def test_deeply_nested_python_falls_back_to_the_text_pass(repo: Path) -> None:
    write(repo, "deep.py", "x = " + "[" * 1500 + "]" * 1500 + f"\nMODEL = '{FT}'\n")
    result = run_scan(repo)
    assert [f.model_id for f in result.findings] == [FT]
    assert result.summary.parse_fallbacks == 1
    assert any("too deep for the Python parser" in d.message for d in result.diagnostics)


# --------------------------------------------------------------------------- input files


def test_a_file_swapped_for_a_fifo_after_the_walk_is_not_read(tmp_path: Path) -> None:
    from ftscan.pipeline.reading import read_bytes

    path = write(tmp_path, "model.env", f"MODEL={FT}\n")
    entry = FileEntry(str(path), "model.env", path.stat().st_size)
    path.unlink()
    os.mkfifo(path)
    started = time.monotonic()
    skipped = read_bytes(entry, max_size=1000)
    assert isinstance(skipped, SkippedEntry) and skipped.reason == "special"
    path.unlink()
    os.symlink("/dev/zero", path)
    skipped = read_bytes(entry, max_size=1000)
    assert isinstance(skipped, SkippedEntry) and skipped.reason == "special"
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("git_repository", [False, True])
def test_symlink_loops_are_reported_as_loops(tmp_path: Path, git_repository: bool) -> None:
    """A loop is no missing file: the message says which it is, in the walk, in git's listing
    and for a path named on the command line."""
    repo = new_git_repo(tmp_path / "repo") if git_repository else tmp_path / "repo"
    write(repo, "real.env", f"MODEL={FT}\n")
    os.symlink("b.env", repo / "a.env")
    os.symlink("a.env", repo / "b.env")
    os.symlink("self", repo / "self")
    os.symlink("gone.env", repo / "broken.env")
    if git_repository:
        commit(repo, "loops")
    code, stdout, stderr = _cli("scan", str(repo), "--format", "json", "--no-cache")
    assert code == 1, stderr
    messages = {d["path"]: d["message"] for d in json.loads(stdout)["diagnostics"]}
    for loop in ("a.env", "b.env", "self"):
        assert "symlink loop" in messages[loop] and "does not exist" not in messages[loop]
    assert "does not exist" in messages["broken.env"]
    code, _, stderr = _cli("scan", str(repo / "self" / "x.env"))
    assert code == 2 and "symlink loop" in stderr and "does not exist" not in stderr, stderr


def test_a_fifo_git_assumes_unchanged_never_reaches_the_search_engine(tmp_path: Path) -> None:
    """git vouches for a regular file at a path marked assume-unchanged, but a FIFO stands
    there: ripgrep (which opens what it is named blocking) is never named it, so no batch
    waits for its time limit (60 s each), and the scan's own reader says what it is."""
    repo = new_git_repo(tmp_path / "repo")
    for i in range(250):
        write(repo, f"src/f{i}.txt", f"x = {i}\n")
    write(repo, "model.env", f"MODEL={FT}\n")
    write(repo, "pipe.txt", "hello\n")
    commit(repo, "base")
    subprocess.run(["git", "-C", str(repo), "update-index", "--assume-unchanged", "pipe.txt"],
                   check=True)
    (repo / "pipe.txt").unlink()
    os.mkfifo(repo / "pipe.txt")
    started = time.monotonic()
    result = run_scan(repo, search_engine="ripgrep")
    assert time.monotonic() - started < 30
    assert [f.location.path for f in result.findings] == ["model.env"]
    assert result.summary.skipped == {"special": 1}


def test_suppressions_count_lines_as_findings_do(repo: Path) -> None:
    """A form feed or U+2028 is no line break for findings, so not for suppressions either;
    a lone CR is one for both."""
    write(repo, "a.py", f'X = 1  # \f section\nY = "\u2028"\nM = "{FT}"  # ftscan: ignore[FT001] '
          "sandbox only\n")
    write(repo, "b.env", f"# ftscan: ignore[FT001] old\rM={FT2}\r")
    result = run_scan(repo)
    assert {(f.location.path, f.location.start_line, f.suppression is not None)
            for f in result.findings} == {("a.py", 3, True), ("b.env", 2, True)}


def test_ignore_and_codeowners_lines_pathspec_refuses_are_one_warning(repo: Path) -> None:
    write(repo, "CODEOWNERS", "docs/bad\\\n* @acme/all\n")
    write(repo, ".ftscan.toml", 'exclude = ["tmp/", "broken\\\\"]\n')
    write(repo, "tmp/a.env", f"MODEL={FT}\n")
    write(repo, "a.env", f"MODEL={FT}\n")
    result = run_scan(repo)
    assert [(f.location.path, f.owners) for f in result.findings] == [("a.env", ("@acme/all",))]
    assert any(d.path == "exclude" and d.line == 2 for d in result.diagnostics)


def _reports(repo: Path, folder: Path) -> dict[str, Path]:
    """Every kind of file ftscan writes, for ``repo``, written into ``folder``."""
    written = {}
    for fmt in ("text", "json", "sarif", "csv", "markdown"):
        written[f"scan-{fmt}"] = folder / f"report.{fmt}"
        _cli("scan", str(repo), "--format", fmt, "-o", str(written[f"scan-{fmt}"]),
             "--no-cache", "--quiet")
    for fmt in ("json", "csv", "markdown"):
        written[f"inventory-{fmt}"] = folder / f"inventory.{fmt}"
        _cli("inventory", str(repo), "--format", fmt, "-o", str(written[f"inventory-{fmt}"]),
             "--quiet", "--no-cache")
    written["baseline"] = folder / "baseline.json"
    _cli("baseline", "create", str(repo), "-o", str(written["baseline"]))
    assert all(path.is_file() for path in written.values())
    return written


def test_only_the_files_a_run_writes_are_left_out_and_a_report_elsewhere_is_a_mention(
        repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A run leaves out the report it writes (and the baseline it uses) where it writes it;
    a copy of any report elsewhere is scanned, each id in it a mention at note level that
    says it is an ftscan report: dressing a file up as a report hides nothing."""
    write(repo, "a.env", f"MODEL={FT}\n")
    reports = _reports(repo, tmp_path_factory.mktemp("reports"))
    for name, path in reports.items():
        shutil.copy(path, repo / f"copy-of-{name}.txt" if name.endswith(("text", "csv"))
                    else repo / f"copy-of-{name}{path.suffix}")
    result = run_scan(repo)
    by_path = {f.location.path: f for f in result.findings}
    assert set(by_path) == {"a.env", *(f"copy-of-{name}.txt" if name.endswith(("text", "csv"))
                                       else f"copy-of-{name}{path.suffix}"
                                       for name, path in reports.items())}
    for path, finding in by_path.items():
        if path != "a.env":
            assert (finding.role.value, finding.level.label) == ("mention", "note"), path
            assert "ftscan report" in finding.message, path
    assert by_path["a.env"].level.label == "error" and not result.summary.skipped
    # written into the tree, each file is left out of the run that writes it, and only there
    for fmt in ("text", "json", "sarif", "csv", "markdown"):
        target = repo / f"out.{fmt}"
        for _ in range(2):
            code, _, _ = _cli("scan", str(repo), "--format", fmt, "-o", str(target),
                              "--quiet")
            assert code == 1
        assert "a.env" in target.read_text() and f"out.{fmt}" not in target.read_text()
        target.unlink()
    for _ in range(2):
        _cli("scan", str(repo), "--format", "json", "-o", str(repo / "r.json"))
    assert json.loads((repo / "r.json").read_text())["summary"]["skipped"] == {
        "ftscan-report": 1}
    (repo / "r.json").unlink()
    # a symlink planted at the output path is replaced: what it points to is still scanned
    os.symlink("a.env", repo / "ftscan.json")
    code, _, _ = _cli("scan", str(repo), "--format", "json", "-o", str(repo / "ftscan.json"))
    assert code == 1 and not (repo / "ftscan.json").is_symlink()
    assert "a.env" in {f["path"] for f in json.loads((repo / "ftscan.json").read_text())[
        "findings"]}
    (repo / "ftscan.json").unlink()
    baseline = repo / ".ftscan-baseline.json"
    shutil.copy(reports["baseline"], baseline)
    accepted = run_scan(repo, baseline=baseline)
    assert ".ftscan-baseline.json" not in {f.location.path for f in accepted.findings}
    assert ".ftscan-baseline.json" in {f.location.path for f in run_scan(repo).findings}


@pytest.mark.parametrize("name", ["settings.py", "config.yaml", "prod.env", "app.js",
                                  "deploy.sh", "main.tf"])
def test_code_and_configuration_are_never_taken_for_a_report(
        name: str, repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Whatever a file of code or configuration holds (a report's exact bytes, a signed
    Markdown footer, a baseline's keys), its ids are what its kind makes them."""
    write(repo, "a.env", f"MODEL={FT2}\n")
    reports = _reports(repo, tmp_path_factory.mktemp("reports"))
    (repo / "a.env").unlink()
    for kind, path in reports.items():
        write(repo, f"{kind}/{name}", path.read_bytes())
    result = run_scan(repo, follow_aliases=False)
    found = {f.location.path.partition("/")[0] for f in result.findings
             if f.model_id == FT2 and f.role.value != "mention"}
    assert found == set(reports), sorted(set(reports) - found)
    assert "ftscan-report" not in result.summary.skipped


def test_a_configuration_json_with_a_baselines_keys_is_scanned(repo: Path) -> None:
    write(repo, "config.json", json.dumps({"tool": "ftscan", "version": 1, "entries": [],
                                           "model": FT}))
    result = run_scan(repo)
    assert [(f.location.path, f.role.value, f.level.label) for f in result.findings] == [
        ("config.json", "definition", "error")]


def test_reports_get_the_permissions_the_umask_gives(repo: Path) -> None:
    tmp_path = repo
    write(repo, "a.env", f"MODEL={FT}\n")
    old = os.umask(0o027)
    try:
        _cli("scan", str(repo), "-o", str(tmp_path / "report.txt"), "--quiet")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.txt").stat().st_mode) == 0o640


def test_a_killed_writes_leftover_is_removed_by_the_next_write(tmp_path: Path) -> None:
    """A write killed before its rename leaves its 12 MB temporary file; the next write of the
    same report removes it, and leaves alone the temporary file of a writer still at work and
    those of other files."""
    from ftscan.atomic import write_atomic

    report = tmp_path / "report.sarif"
    killed = subprocess.run([sys.executable, "-c", (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from ftscan.atomic import write_atomic\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "write_atomic(Path(sys.argv[1]), b'x' * (12 << 20))\n"), str(report)],
        capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr
    (leftover,) = tmp_path.iterdir()
    assert leftover.name.startswith(".report.sarif.") and leftover.stat().st_size == 12 << 20
    at_work = tmp_path / f".report.sarif.{os.getpid()}-another.tmp"
    at_work.write_text("a writer still running")
    dead = leftover.name.split(".")[3].partition("-")[0]
    other = tmp_path / f".other.sarif.{dead}-x.tmp"
    other.write_text("another file's leftover")
    write_atomic(report, "complete")
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, at_work.name,
                                                          "report.sarif"]
    assert report.read_text() == "complete"


# --------------------------------------------------------------------------- git


def test_diff_aware_runs_see_files_whose_names_git_quotes(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "repo")
    write(repo, "old.env", f"M={FT}\n")
    base = commit(repo, "base")
    names = ["café.env", 'quote"d.env', "back\\slash.env", "tab\there.env", "ünï/cödé.env"]
    for name in names:
        write(repo, name, f"M={FT2}\n")
    commit(repo, "change")
    code, stdout, stderr = _cli("scan", str(repo), "--diff-base", base, "--format", "json")
    assert code == 1, stderr
    assert sorted(f["path"] for f in json.loads(stdout)["findings"]) == sorted(names)


def test_diff_base_does_not_rewrite_the_index(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "repo")
    write(repo, "a.env", f"M={FT}\n")
    write(repo, "b.env", f"M={FT}\n")
    base = commit(repo, "base")
    write(repo, "a.env", f"M={FT2}\n")
    os.utime(repo / "a.env", (0, 0))  # stat data git would refresh into the index
    os.utime(repo / "b.env", (0, 0))  # touched, content unchanged: a porcelain diff refreshes
    index = repo / ".git" / "index"
    before = (index.read_bytes(), index.stat().st_mtime_ns)
    _cli("scan", str(repo), "--diff-base", base)
    _cli("scan", str(repo), "--staged")
    assert (index.read_bytes(), index.stat().st_mtime_ns) == before


def test_diff_base_sees_ids_added_where_git_would_show_no_hunk(tmp_path: Path) -> None:
    """Files .gitattributes marks as binary (``-diff``), and a symlink replaced by a regular
    file (a type change), still have their added lines: each id on them is new."""
    repo = new_git_repo(tmp_path / "repo")
    write(repo, ".gitattributes", "*.env -diff\n")
    write(repo, "config.env", f"OLD={FT}\n")
    write(repo, "target.txt", "nothing\n")
    os.symlink("target.txt", repo / "linked.env")
    base = commit(repo, "base")
    write(repo, "config.env", f"OLD={FT}\nNEW={FT2}\n")
    (repo / "linked.env").unlink()
    write(repo, "linked.env", f"SWAPPED={FT2}\n")
    for committed in (False, True):
        if committed:
            commit(repo, "the change")
        code, stdout, stderr = _cli("scan", str(repo), "--diff-base", base, "--format", "json",
                                    "--no-cache")
        assert code == 1, stderr
        assert sorted((f["path"], f["startLine"]) for f in json.loads(stdout)["findings"]) == [
            ("config.env", 2), ("linked.env", 1)]


def test_an_added_line_that_looks_like_a_diff_header_moves_no_hunk(tmp_path: Path) -> None:
    """``++ b/x`` added to a file is ``+++ b/x`` in the diff: it must not make git's later
    hunks of the file count for another one."""
    repo = new_git_repo(tmp_path / "repo")
    write(repo, "decoy.env", f"OLD={FT}\n")
    write(repo, "notes.sh", "# one\n" + "#\n" * 20 + "# two\n")
    base = commit(repo, "base")
    write(repo, "notes.sh", "# one\n++ b/decoy.env\n" + "#\n" * 20 + f"export M={FT2}\n")
    code, stdout, stderr = _cli("scan", str(repo), "--diff-base", base, "--format", "json",
                                "--no-cache")
    assert code == 1, stderr
    assert [(f["path"], f["startLine"]) for f in json.loads(stdout)["findings"]] == [
        ("notes.sh", 23)]


def test_staged_runs_see_what_git_would_show_no_hunk_for(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "repo")
    write(repo, ".gitattributes", "*.env binary\n")
    write(repo, "config.env", f"OLD={FT}\n")
    commit(repo, "base")
    write(repo, "config.env", f"OLD={FT}\nNEW={FT2}\n")
    subprocess.run(["git", "-C", str(repo), "add", "config.env"], check=True)
    code, stdout, stderr = _cli("scan", str(repo), "--staged", "--format", "json")
    assert code == 1, stderr
    assert [(f["path"], f["startLine"]) for f in json.loads(stdout)["findings"]] == [
        ("config.env", 2)]


def test_files_git_is_told_not_to_look_at_are_scanned_as_they_are_on_disk(
        tmp_path: Path) -> None:
    """A skip-worktree file present on disk (kept local on purpose) and an edit to an
    assume-unchanged file are part of the work tree: neither the listing, nor the scan cache,
    nor the replay of the last scan may stand in for the bytes on disk."""
    repo = new_git_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    write(repo, "local.env", "M=placeholder\n")
    write(repo, "assumed.env", f"M={FT}\n")
    commit(repo, "base")
    subprocess.run(["git", "-C", str(repo), "update-index", "--skip-worktree", "local.env"],
                   check=True)
    subprocess.run(["git", "-C", str(repo), "update-index", "--assume-unchanged",
                    "assumed.env"], check=True)
    write(repo, "local.env", f"M={FT2}\n")
    assert {(f.location.path, f.model_id) for f in run_scan(repo, cache_dir=cache).findings
            } == {("local.env", FT2), ("assumed.env", FT)}
    write(repo, "assumed.env", f"MODEL={FT2}\n")
    past = time.time() - 60  # settled: a scan of it may be recorded for replay
    for name in ("local.env", "assumed.env"):
        os.utime(repo / name, (past, past))
    assert {(f.location.path, f.model_id) for f in run_scan(repo, cache_dir=cache).findings
            } == {("local.env", FT2), ("assumed.env", FT2)}
    write(repo, "assumed.env", f"MODEL={FT}\n")  # the same size and time as before
    os.utime(repo / "assumed.env", (past, past))
    assert {(f.location.path, f.model_id) for f in run_scan(repo, cache_dir=cache).findings
            } == {("local.env", FT2), ("assumed.env", FT)}


def test_a_file_git_checks_out_as_utf16_is_read_as_text(tmp_path: Path) -> None:
    """``working-tree-encoding`` makes git write UTF-16 (without a byte order mark for
    UTF-16LE/BE) into the work tree while the blob, and the review, hold UTF-8: the file is
    read, its ids where the review shows them."""
    repo = new_git_repo(tmp_path / "repo")
    write(repo, ".gitattributes", "le.env working-tree-encoding=UTF-16LE\n"
          "be.env working-tree-encoding=UTF-16BE\n")
    for name, codec in (("le.env", "utf-16-le"), ("be.env", "utf-16-be")):
        write(repo, name, f"# café\nMODEL={FT}\n".encode(codec))
    commit(repo, "utf-16 in the work tree")
    assert git(repo, "show", "HEAD:le.env") == f"# café\nMODEL={FT}\n"
    result = run_scan(repo)
    assert sorted((f.location.path, f.location.start_line, f.location.start_column)
                  for f in result.findings) == [("be.env", 2, 7), ("le.env", 2, 7)]
    assert not result.summary.skipped


def test_the_cache_is_keyed_by_what_decides_the_bytes_on_disk(tmp_path: Path) -> None:
    """git vouches for a file by the id of its blob, but checks it out through the
    repository's attributes and config: when they change, a file checked out again under the
    same blob id holds other bytes, and what the cache kept for the old ones is not used."""
    repo = new_git_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    write(repo, ".gitattributes", "model.env working-tree-encoding=UTF-32LE\n")
    write(repo, "model.env", f"MODEL={FT}\n".encode("utf-32-le"))
    commit(repo, "utf-32 in the work tree")
    first = run_scan(repo, cache_dir=cache)
    assert not first.findings and first.summary.skipped == {"binary": 1}  # as git takes it
    write(repo, ".gitattributes", "")
    git(repo, "commit", "-q", "-m", "plain UTF-8 from now on", ".gitattributes")
    (repo / "model.env").unlink()
    git(repo, "checkout", "--", "model.env")  # the same blob, now UTF-8 on disk
    assert git(repo, "status", "--porcelain") == ""
    assert [(f.location.path, f.model_id) for f in run_scan(repo, cache_dir=cache).findings
            ] == [("model.env", FT)]


def test_the_cache_is_keyed_by_the_filters_a_checkout_runs(tmp_path: Path) -> None:
    """A file kept encrypted in the repository (a clean/smudge filter, as git-crypt does) is
    the same blob locked and unlocked: the ids the unlocked file shows are found, never
    hidden by what was kept for the locked one. ftscan itself never runs the filter."""
    repo = new_git_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    write(repo, ".gitattributes", "secret.env filter=rot13\n")
    write(repo, "secret.env", codecs.encode(f"MODEL={FT}\n", "rot13"))
    commit(repo, "locked")  # no filter configured yet: the blob is what the disk holds
    assert run_scan(repo, cache_dir=cache).findings == ()
    git(repo, "config", "filter.rot13.smudge", "tr A-Za-z N-ZA-Mn-za-m")
    git(repo, "config", "filter.rot13.clean", "tr A-Za-z N-ZA-Mn-za-m")
    (repo / "secret.env").unlink()
    git(repo, "checkout", "--", "secret.env")  # unlocked: the same blob, readable on disk
    assert git(repo, "status", "--porcelain") == ""
    assert [(f.location.path, f.model_id) for f in run_scan(repo, cache_dir=cache).findings
            ] == [("secret.env", FT)]


def test_tracked_files_are_scanned_whatever_gitignore_says(tmp_path: Path) -> None:
    repo = new_git_repo(tmp_path / "repo")
    write(repo, ".env", f"MODEL={FT}\n")
    commit(repo, "a committed .env")
    write(repo, ".gitignore", ".env\n*.local\n")
    write(repo, "untracked.local", f"MODEL={FT2}\n")
    commit(repo, "ignore it now")
    result = run_scan(repo)
    assert [f.location.path for f in result.findings] == [".env"]


# --------------------------------------------------------------------------- reports and sweeps


def test_bare_urls_from_a_provider_make_no_link_in_markdown() -> None:
    """A provider's error message or note lands in the Markdown of ``ftscan reconcile``:
    GitHub's autolinker must find no URL in it (nor may one point a reader elsewhere)."""
    import datetime as dt

    from markdown_it import MarkdownIt

    from ftscan.reconcile.model import (
        Category,
        ProviderCheck,
        Reconciliation,
        Remote,
        RemoteState,
    )
    from ftscan.reporters.reconciled import markdown_detail, markdown_section

    check = ProviderCheck("openai", "https://api.openai.com/v1", 1, 1, 90,
                          "see https://evil.example/usage", ("HTTP 500: visit www.evil.example",))
    remote = Remote(RemoteState.EXISTS, Category.ORPHAN, note="moved to HTTPS://evil.example/x")
    text = "\n".join([*markdown_section(Reconciliation(dt.date(2026, 11, 22), (check,), ())),
                      *markdown_detail(remote, 90)])
    html = MarkdownIt("commonmark").render(text)
    outside_code = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    assert "evil.example" in outside_code
    assert re.search(r"(?i)(?:https?|ftp)://[^\s<]|www\.[^\s<]", outside_code) is None, html


def test_a_named_path_is_scanned_even_where_ignore_rules_leave_it_out(repo: Path) -> None:
    write(repo, ".gitignore", "vendor/\n")
    write(repo, "vendor/sdk/client.env", f"MODEL={FT}\n")
    write(repo, "vendor/sdk/dist/bundle.min.js", f"m='{FT2}'\n")
    assert run_scan(repo).findings == ()
    result = run_scan(repo / "vendor")
    assert [f.location.path for f in result.findings] == ["vendor/sdk/client.env"]


def test_vendored_code_and_bundles_are_left_out_by_default(repo: Path) -> None:
    for rel in ["node_modules/openai/a.js", "third_party/x.py", "web/app.min.js",
                "web/app.js.map", "dist/index.js", "src/app.js"]:
        write(repo, rel, f"const m = '{FT}';\n")
    assert [f.location.path for f in run_scan(repo).findings] == ["src/app.js"]
    everything = run_scan(repo, default_excludes=False)
    assert len(everything.findings) == 6
    write(repo, ".ftscan.toml", "default-excludes = false\n")
    assert len(run_scan(repo).findings) == 6


@pytest.mark.parametrize(("pattern", "path", "owned"), [
    ("docs/*", "docs/a.md", True),
    ("docs/*", "docs/a/b.md", False),  # GitHub: * does not cross folders
    ("/docs/", "docs/a/b.md", True),
    ("docs/", "src/docs/a.md", True),  # unanchored folder: anywhere
    ("/build/logs/", "build/logs/x/y.log", True),
    ("*.js", "src/deep/a.js", True),
    ("**/logs", "a/b/logs/x.txt", True),
    ("apps/**/x.md", "apps/a/b/x.md", True),
    ("apps/\\ space/", "apps/ space/f.txt", True),
    ("/script.sh", "sub/script.sh", False),
])
def test_codeowners_patterns_follow_githubs_rules(pattern: str, path: str, owned: bool) -> None:
    from ftscan.ownership import parse_codeowners

    owners = parse_codeowners(f"{pattern} @acme/team\n")
    assert not owners.problems
    assert (owners.owners_of(path) == ("@acme/team",)) is owned


def test_merge_takes_the_documented_form_and_keeps_each_sites_repository(
        tmp_path: Path) -> None:
    outputs = []
    for name in ("svc-a", "svc-b"):
        repo = new_git_repo(tmp_path / name)
        write(repo, "cfg/.env", f"MODEL={FT}\n")
        out = tmp_path / f"{name}.json"
        assert _cli("inventory", str(repo), "--format", "json", "-o", str(out),
                    "--quiet", "--no-cache")[0] == 0
        outputs.append(str(out))
    code, stdout, stderr = _cli("inventory", "--merge", *outputs, "--format", "json")
    assert code == 0, stderr
    (row,) = json.loads(stdout)["models"]
    assert row["definitions"] == [
        {"repository": "svc-a", "path": "cfg/.env", "line": 1},
        {"repository": "svc-b", "path": "cfg/.env", "line": 1}]
    code, markdown, _ = _cli("inventory", "--merge", *outputs, "--format", "markdown")
    assert "`svc-a/cfg/.env:1`" in markdown and "`svc-b/cfg/.env:1`" in markdown


def test_a_sarif_log_over_githubs_limit_is_capped_with_a_warning() -> None:
    from ftscan.models import Finding, Level, Lifecycle, Location, Role, Status
    from ftscan.reporters.sarif_limits import MAX_RESULTS
    from ftscan.reporters.sarif_run import capped

    def finding(i: int, level: Level) -> Finding:
        return Finding(rule_id="FT001", level=level, role=Role.DEFINITION, message="m",
                       location=Location(f"f{i}.env", 1, 1, 1, 2), model_id=FT,
                       provider="openai", base_model=None, lifecycle=Lifecycle(Status.UNKNOWN),
                       kind="k")

    findings = [finding(i, Level.NOTE if i % 2 else Level.ERROR) for i in range(MAX_RESULTS + 7)]
    kept, notes = capped(findings)
    assert len(kept) == MAX_RESULTS and sum(f.level is Level.ERROR for f in kept) == (
        MAX_RESULTS + 8) // 2
    assert "7 of 25007 results were left out" in notes[0].message.text


def test_the_action_has_a_category_and_comments_only_where_it_may() -> None:
    import yaml

    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert "category" in action["inputs"]
    steps = {step["name"]: step for step in action["runs"]["steps"]}
    upload = steps["Upload SARIF to code scanning"]
    assert upload["with"]["category"] == "${{ inputs.category }}"
    comment = steps["Comment on the pull request"]
    assert "head.repo.full_name == github.repository" in comment["if"]


def test_the_action_driver_refuses_pull_request_target(tmp_path: Path,
                                                       _private_cache: Path) -> None:
    """On pull_request_target a fork's pull request runs with the base repository's token and
    scopes: ftscan github scans nothing, so nothing learnt from the fork's files can be cached,
    uploaded or posted under the base branch's name."""
    from ftscan import github

    repo = new_git_repo(tmp_path / "svc")
    write(repo, "a.env", f"M={FT}\n")
    base = commit(repo, "base")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": base},
                                                  "head": {"repo": {"full_name": "fork/svc"}}}}))
    runner = tmp_path / "runner"
    runner.mkdir()
    outputs = runner / "outputs"
    env = {"GITHUB_WORKSPACE": str(repo), "RUNNER_TEMP": str(runner),
           "GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(runner / "summary"),
           "FTSCAN_COMMENT": "true"}
    lines: list[str] = []
    assert github.run(env, lines) == 2
    (line,) = lines
    assert line.startswith("::error title=ftscan::ftscan does not run on pull_request_target")
    assert sorted(p.name for p in runner.iterdir()) == []  # no SARIF, comment, outputs
    assert list(_private_cache.iterdir()) == []  # nothing learnt to save


# --------------------------------------------------------------------------- newcomers


def test_python_m_pytest_works_from_a_fresh_clone(tmp_path: Path) -> None:
    """The source tree has no ftscan/rules (the wheel maps the top-level rules/ there): from a
    checkout, the rules are found in rules/ itself."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    shutil.copytree(REPO / "ftscan", clone / "ftscan", dirs_exist_ok=True)  # this tree's code
    shutil.copytree(REPO / "rules", clone / "rules", dirs_exist_ok=True)
    shutil.copytree(REPO / "tests", clone / "tests", dirs_exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_rules.py"], cwd=clone, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    probe = subprocess.run([sys.executable, "-c", "import ftscan.ruleset as r; "
                            "print(r.__file__, r.data_folder())"], cwd=clone,
                           capture_output=True, text=True, check=True)
    assert probe.stdout.split() == [str(clone / "ftscan" / "ruleset.py"), str(clone / "rules")]


def test_the_command_line_explains_itself(repo: Path, tmp_path: Path) -> None:
    assert _cli("-V")[1].startswith("ftscan, version ")
    help_text = _cli("--help")[1]
    assert "..." not in help_text.split("Commands:")[1]
    assert "``" not in _cli("shard", "--help")[1]
    scan_help = _cli("scan", "--help")[1]
    assert "--report-only" in scan_help and "node_modules/" in scan_help
    write(repo, "a.env", f"MODEL={FT}\n")
    code, stdout, stderr = _cli("scan", str(repo), "-o", str(tmp_path / "r.txt"))
    assert code == 1 and stdout == ""
    assert re.search(r"r\.txt: 1 finding \(1 error\) in 1 file read", stderr)
    text = (tmp_path / "r.txt").read_text()
    assert "ftscan: ignore[FT001]" in text and "ftscan baseline create" in text
    assert _cli("scan", "--report-only", str(repo / "a.env"))[0] == 1


def test_retired_models_say_how_long_ago(repo: Path) -> None:
    write(repo, "a.env", "MODEL=davinci:ft-personal:speechgen-2023-01-30-01-35-08\n")
    code, stdout, _ = _cli("scan", str(repo), "--as-of", "2026-11-28")
    assert "shut down 2024-01-04, 1,059 days ago" in stdout
    assert "-1059" not in stdout


def test_the_inventory_uses_the_configured_warning_window(repo: Path) -> None:
    write(repo, ".ftscan.toml", "warning-window-days = 10\n")
    write(repo, "a.env", f"MODEL={FT}\n")
    code, stdout, _ = _cli("inventory", str(repo), "--format", "json", "--as-of", "2026-11-22")
    (row,) = json.loads(stdout)["models"]
    assert (row["status"], json.loads(stdout)["warningWindowDays"]) == ("active", 10)


def test_a_cached_scan_reads_no_file_again_for_suppressions(
        repo: Path, tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in (("a.env", f"MODEL={FT}  # ftscan: ignore[FT001] sandbox\n"),
                       ("b.env", f"MODEL={FT2}\n")):
        os.utime(write(repo, name, text), (time.time() - 60, time.time() - 60))
    cache = tmp_path_factory.mktemp("cache")
    first = run_scan(repo, cache_dir=cache)
    from ftscan.pipeline import reading

    reads: list[str] = []
    real = reading.read_bytes

    def counting(entry, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        reads.append(entry.relpath)
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(reading, "read_bytes", counting)
    second = run_scan(repo, cache_dir=cache)
    assert reads == []
    assert [f.suppression for f in second.findings] == [f.suppression for f in first.findings]
    assert second.findings[0].suppression is not None


def test_errors_quoting_the_tree_cannot_issue_workflow_commands(
        repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule file's unknown key lands in an error message: ftscan github prints it on
    stderr in a GitHub Actions log, where a line starting with :: would be a command."""
    write(repo, "rules.yaml", 'rules:\n  - id: X001\n    "x\\n::add-mask::secret\\u001b[2J": 1\n')
    write(repo, ".ftscan.toml", 'rules = ["rules.yaml"]\n')
    monkeypatch.setenv("GITHUB_WORKSPACE", str(repo))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    result = CliRunner().invoke(main, ["github"])
    assert result.exit_code == 2
    assert not any(line.startswith("::") for line in result.stderr.splitlines())
    assert "\x1b" not in result.stderr and "\\n::add-mask::" in result.stderr


def test_an_output_that_is_a_device_or_a_fifo_is_written_to_not_replaced(
        tmp_path: Path) -> None:
    """``--output /dev/null`` as root renamed a temporary file over the device: /dev/null
    became a regular file for the whole machine. A path that is no regular file is written to
    as it is (a FIFO here: the same path, without touching the machine's devices)."""
    import threading

    from ftscan.atomic import write_atomic

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, "the report\n")
    reader.join(timeout=10)
    assert received == [b"the report\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["report.fifo"]  # no temporary file left
