"""The scan cache: a second scan of an unchanged repository reads nothing and reports the same;
every kind of change is seen; a bad cache is never trusted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, commit, new_git_repo, run_scan, write

import ftscan.cache.store
import ftscan.pipeline.examine
import ftscan.pipeline.reading
from ftscan.api import ScanResult
from ftscan.cache import files as cachefiles
from ftscan.cache.files import _MAGIC, default_cache_dir
from ftscan.cache.store import RACY_SECONDS, ScanCache, _load
from ftscan.cli import main
from ftscan.discovery import FileEntry, IgnoreRules, SkippedEntry, walk
from ftscan.models import Role

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:9xQmT2Lp"
OTHER = "ft:gpt-4.1-2025-04-14:acme:triage:Zq81LmPa"


def _age(root: Path, seconds: int = 3600) -> None:
    """Make every file look written an hour ago: old enough for its signature to be trusted."""
    past = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (past, past))


@pytest.fixture
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder outside the scanned repository (``repo`` is the test's tmp_path)."""
    return tmp_path_factory.mktemp("scan-cache")


def _service(repo: Path) -> Path:
    write(repo, ".env", f"RANKER_MODEL={FT}\n")
    write(repo, "app/worker.py", 'import os\nfrom openai import OpenAI\n\n'
          'MODEL = os.environ["RANKER_MODEL"]\n'
          'OpenAI().chat.completions.create(model=MODEL, messages=[])\n')
    write(repo, "app/settings.py", f'DEFAULT = "{OTHER}"\n')
    for n in range(30):
        write(repo, f"lib/mod{n}.py", f"def f{n}(x):\n    return x + {n}\n")
    _age(repo)
    return repo


def _summary(result: ScanResult) -> list[tuple[object, ...]]:
    return [(f.rule_id, f.role.value, f.location, f.model_id, f.level, f.message, f.fingerprint)
            for f in result.findings]


def _entry(repo: Path, relpath: str) -> FileEntry:
    """The walk's entry for an existing file, as the cache sees it."""
    return next(e for e in walk(repo, [repo / relpath], IgnoreRules(repo), 10**6)
                if isinstance(e, FileEntry))


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(entry: object, binary_ok: bool = False) -> bytes:
        raise AssertionError(f"read {entry}")

    monkeypatch.setattr(ftscan.pipeline.reading, "read_bytes", refuse)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read from now on (their relative paths)."""
    seen: list[str] = []
    original = ftscan.pipeline.reading.read_bytes

    def counted(entry: FileEntry, *args: object, **kwargs: object) -> bytes | SkippedEntry:
        seen.append(entry.relpath)
        return original(entry, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ftscan.pipeline.reading, "read_bytes", counted)
    return seen


def test_second_scan_examines_nothing_and_reports_the_same(
        repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file's facts come from the cache. The alias phase still places each step of a
    flow it reports on its line, so the files the flows run through are read (only those:
    a replayed scan, which keeps the flows, reads none, see test_replay)."""
    _service(repo)
    first = run_scan(repo, cache_dir=cache, jobs=1)
    assert first.summary.files_from_cache == 0
    assert any(f.role is Role.USE for f in first.findings)
    reads = _reads(monkeypatch)
    second = run_scan(repo, cache_dir=cache, jobs=1)
    assert second.summary.files_from_cache == second.summary.files_considered
    assert _summary(second) == _summary(first)
    assert second.diagnostics == first.diagnostics
    on_flows = {step.location.path for f in second.findings for flow in f.flows for step in flow}
    assert reads and set(reads) <= on_flows


def test_no_cache_leaves_nothing_behind(repo: Path, cache: Path) -> None:
    _service(repo)
    uncached = run_scan(repo)
    assert uncached.summary.files_from_cache == 0
    cached = run_scan(repo, cache_dir=cache)
    assert _summary(cached) == _summary(uncached)
    result = CliRunner().invoke(main, ["scan", str(repo), "--no-cache", "--cache-dir",
                                       str(cache / "unused"), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output
    assert not (cache / "unused").exists()


def test_an_edited_file_is_read_again(repo: Path, cache: Path) -> None:
    _service(repo)
    run_scan(repo, cache_dir=cache)
    write(repo, "lib/mod3.py", f'def f3(x):\n    return "{OTHER}"\n')
    result = run_scan(repo, cache_dir=cache)
    assert ("lib/mod3.py", OTHER) in {(f.location.path, f.model_id) for f in result.findings}
    assert result.summary.files_from_cache == result.summary.files_considered - 1


def test_same_size_same_mtime_edit_is_still_seen(repo: Path, cache: Path) -> None:
    """A tool that restores the mtime (tar, rsync -t) cannot hide an edit: the signature holds
    the ctime and inode too, which no one can set back."""
    _service(repo)
    run_scan(repo, cache_dir=cache)
    path = repo / "app" / "settings.py"
    before = path.stat()
    path.write_text(f'DEFAULT = "{OTHER.replace("Zq81LmPa", "Yy72KnOb")}"\n')
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    result = run_scan(repo, cache_dir=cache)
    assert "ft:gpt-4.1-2025-04-14:acme:triage:Yy72KnOb" in {f.model_id for f in result.findings}


def test_touched_but_unchanged_files_are_not_parsed_again(
        repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _service(repo)
    first = run_scan(repo, cache_dir=cache, jobs=1)
    _age(repo, seconds=1800)  # every signature changes, no content does (a fresh checkout)

    def refuse(*args: object) -> object:
        raise AssertionError("parsed again")

    monkeypatch.setattr(ftscan.pipeline.examine, "analyse_text", refuse)
    second = run_scan(repo, cache_dir=cache, jobs=1)
    assert _summary(second) == _summary(first)
    # the parsed files were hashed and found unchanged; the rest were examined again, which
    # costs no more than hashing them
    assert second.summary.files_from_cache >= first.summary.files_with_candidates > 0


def test_files_written_during_a_scan_are_verified_next_time(repo: Path, cache: Path) -> None:
    """A file modified within the timestamp granularity of the scan that cached it could
    change again unseen: its signature is not trusted, its content is compared."""
    unit = ScanCache(cache / "c", "key", str(repo))
    now = time.time_ns()
    assert unit._trusted((1, now, now, 1)) == ()
    assert unit._trusted((1, now - (RACY_SECONDS + 1) * 10**9, now, 1)) != ()
    write(repo, "a.py", f'M = "{FT}"\n')  # written now: racy
    run_scan(repo, cache_dir=cache)
    write(repo, "a.py", f'M = "{OTHER}"\n')
    result = run_scan(repo, cache_dir=cache)
    assert {f.model_id for f in result.findings} == {OTHER}


def test_a_variable_bound_later_reaches_code_the_cache_already_knows(
        repo: Path, cache: Path) -> None:
    """Which Python files the alias phase parses depends on the variables config binds, so a
    new binding must re-examine code whose bytes did not change."""
    _service(repo)
    write(repo, "app/triage.py", 'import os\nfrom openai import OpenAI\n\n'
          'OpenAI().chat.completions.create(model=os.getenv("TRIAGE_MODEL"), messages=[])\n')
    _age(repo)
    before = run_scan(repo, cache_dir=cache)
    assert not any(f.location.path == "app/triage.py" for f in before.findings)
    write(repo, "deploy/.env.production", f"TRIAGE_MODEL={OTHER}\n")
    after = run_scan(repo, cache_dir=cache)
    uncached = run_scan(repo)
    assert _summary(after) == _summary(uncached)
    assert any(f.location.path == "app/triage.py" and f.role is Role.USE
               for f in after.findings)


def test_cached_findings_are_dated_for_the_day_of_the_scan(repo: Path, cache: Path) -> None:
    _service(repo)
    run_scan(repo, cache_dir=cache, as_of=dt.date(2026, 6, 1))
    for day in (dt.date(2026, 12, 20), dt.date(2027, 2, 1)):
        cached = run_scan(repo, cache_dir=cache, as_of=day)
        assert cached.summary.files_from_cache == cached.summary.files_considered
        assert _summary(cached) == _summary(run_scan(repo, as_of=day))
    late = run_scan(repo, cache_dir=cache, as_of=dt.date(2027, 2, 1))
    assert any("shut down on 2027-01-14" in f.message for f in late.findings)


def test_other_rules_mean_another_cache(repo: Path, cache: Path) -> None:
    _service(repo)
    run_scan(repo, cache_dir=cache)
    write(repo, "app/acme.py", 'M = "acme-model-1234"\n')
    _age(repo)
    rules = write(cache.parent / f"{cache.name}-rules", "extra.yaml", _EXTRA_RULE)
    result = run_scan(repo, cache_dir=cache, extra_rule_files=(rules,))
    assert result.summary.files_from_cache == 0
    assert "ACME001" in {f.rule_id for f in result.findings}


_EXTRA_RULE = """\
rules:
  - id: ACME001
    name: acme-model
    provider: acme
    title: Acme internal model
    description: An Acme model id.
    help: Move off it.
    level: warning
    precision: high
    tags: [acme]
    keywords: ["acme-model-"]
    precedence: 50
    patterns: ['acme-model-[0-9]{4}']
    examples:
      positive: ['acme-model-1234']
      negative: ['acme-model-12']
"""


@pytest.mark.parametrize("content", [
    b"",
    b"not a cache at all",
    _MAGIC + b"\x80\x05garbage",
    _MAGIC + pickle.dumps(({"format": 1}, [], {"a.py": "not a row"})),
])
def test_a_corrupt_cache_is_ignored_and_rebuilt(repo: Path, cache: Path,
                                                content: bytes) -> None:
    _service(repo)
    clean = run_scan(repo, cache_dir=cache)
    (target,) = cache.iterdir()
    target.write_bytes(content)
    result = run_scan(repo, cache_dir=cache)
    assert _summary(result) == _summary(clean)
    assert result.summary.files_from_cache == 0
    if content:
        assert any("ignored and rebuilt" in d.message for d in result.diagnostics)
    again = run_scan(repo, cache_dir=cache)
    assert again.summary.files_from_cache == again.summary.files_considered


class _Exploit:
    def __reduce__(self) -> tuple[object, ...]:
        return (os.system, ("touch /tmp/ftscan-cache-exploit",))


def test_a_cache_that_would_run_code_is_refused(repo: Path, cache: Path) -> None:
    _service(repo)
    run_scan(repo, cache_dir=cache)
    (target,) = cache.iterdir()
    marker = Path("/tmp/ftscan-cache-exploit")
    marker.unlink(missing_ok=True)
    target.write_bytes(_MAGIC + pickle.dumps(({"format": 1}, [], {"a.py": _Exploit()})))
    result = run_scan(repo, cache_dir=cache)
    assert not marker.exists()
    assert any("refused posix.system" in d.message or "refused os.system" in d.message
               for d in result.diagnostics)


def test_an_unwritable_cache_costs_a_note_not_the_scan(repo: Path, cache: Path) -> None:
    _service(repo)
    blocker = write(cache, "blocker", "a file where the cache folder should be")
    result = run_scan(repo, cache_dir=blocker / "cache")
    assert _summary(result) == _summary(run_scan(repo))
    about_cache = [d.message for d in result.diagnostics if "the cache" in d.message]
    assert len(about_cache) == 1 and about_cache[0].startswith("cannot write the cache")


def test_cache_folder_follows_the_platform_conventions(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("FTSCAN_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("FTSCAN_CACHE_DIR")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "ftscan"


def test_cli_uses_the_cache_by_default(repo: Path, _private_cache: Path) -> None:
    _service(repo)
    args = ["scan", str(repo), "--format", "json", "--as-of", AS_OF.isoformat()]
    first = CliRunner().invoke(main, args)
    assert list(_private_cache.iterdir()), "no cache written"
    second = CliRunner().invoke(main, args)
    assert first.exit_code == second.exit_code == 1
    assert json.loads(first.output)["summary"]["filesFromCache"] == 0
    summary = json.loads(second.output)["summary"]
    assert summary["filesFromCache"] == summary["filesConsidered"] == 33
    assert json.loads(first.output)["findings"] == json.loads(second.output)["findings"]


def test_findings_in_cached_files_keep_every_field(repo: Path, cache: Path) -> None:
    _service(repo)
    first = run_scan(repo, cache_dir=cache)
    second = run_scan(repo, cache_dir=cache)
    assert [dataclasses.asdict(f) for f in second.findings] == \
        [dataclasses.asdict(f) for f in first.findings]


def test_caches_of_repositories_not_scanned_for_a_month_are_dropped(repo: Path,
                                                                    cache: Path) -> None:
    _service(repo)
    stale = write(cache, "ftscan-0123456789abcdef01234567.cache", b"ftscan-cache\nold one")
    crashed = write(cache, ".ftscan-0123456789abcdef01234567.cache.x1y2z3.tmp", b"half")
    report = write(cache, "ftscan-0123456789abcdef01234567.sarif", b"ftscan-cache\nold SARIF")
    crashed_report = write(cache, ".ftscan-0123456789abcdef01234567.csv.x1y2z3.tmp", b"half")
    recent = write(cache, "ftscan-76543210fedcba9876543210.cache", b"ftscan-cache\nrecent")
    month_ago = time.time() - 40 * 86400
    for path in (stale, crashed, report, crashed_report):
        os.utime(path, (month_ago, month_ago))
    run_scan(repo, cache_dir=cache)
    assert not stale.exists() and not crashed.exists() and recent.exists()
    assert not report.exists() and not crashed_report.exists()  # kept reports go too
    (own,) = [p for p in cache.iterdir() if p != recent]
    os.utime(own, (month_ago, month_ago))
    run_scan(repo, cache_dir=cache)  # nothing changed: the cache is marked used, not rewritten
    assert own.exists() and own.stat().st_mtime > month_ago + 86400


def test_remembered_name_search_answers_start_afresh_past_their_limit(repo: Path,
                                                                      cache: Path) -> None:
    from ftscan.cache.store import MAX_QUESTIONS

    write(repo, "a.py", "print(1)\n")
    _age(repo)  # a trusted signature: the reopened cache keeps the row as it is
    unit, _ = ScanCache.open(cache, repo, "key")
    entry = _entry(repo, "a.py")
    unit.store(entry, None)
    queries = [(f"NAME_{n}", frozenset(), "python") for n in range(MAX_QUESTIONS + 1)]
    unit.remember("a.py", queries, [n % 2 == 0 for n in range(len(queries))])
    assert unit.known_answers(["a.py"], queries[:2]) == (
        {queries[0]: {"a.py"}, queries[1]: set()}, [])
    assert unit.save() is None
    reopened, problem = ScanCache.open(cache, repo, "key")
    assert problem is None
    # its table was over the limit: nothing is remembered, so the file is read again
    assert reopened.known_answers(["a.py"], queries[:1]) == ({queries[0]: set()}, ["a.py"])
    reopened.partition([entry])
    assert reopened.save() is None
    _, saved_questions, _ = _load(reopened.path.read_bytes())
    assert saved_questions == []  # the reset was saved, not redone on every load


def test_the_summary_line_says_how_much_came_from_the_cache(repo: Path, cache: Path) -> None:
    _service(repo)
    args = ["scan", str(repo), "--cache-dir", str(cache), "--as-of", AS_OF.isoformat()]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert "from the cache" not in first.output
    assert "in 33 files read (33 unchanged, from the cache)" in second.output


def test_a_cache_others_could_have_written_is_not_trusted(repo: Path, cache: Path) -> None:
    """A cache folder in a shared place must not let another user hide a finding."""
    _service(repo)
    run_scan(repo, cache_dir=cache)
    (target,) = cache.iterdir()
    target.chmod(0o666)
    result = run_scan(repo, cache_dir=cache)
    assert result.summary.files_from_cache == 0
    assert any("is writable by other users; ignored and rebuilt" in d.message
               for d in result.diagnostics)
    again = run_scan(repo, cache_dir=cache)  # rebuilt with safe permissions
    assert again.summary.files_from_cache == again.summary.files_considered


def test_pruning_touches_nothing_but_ftscan_caches(repo: Path, tmp_path: Path) -> None:
    """--cache-dir /tmp must not sweep /tmp: only files named and shaped like ftscan's own
    caches are deleted, however old the others are."""
    _service(repo)
    shared = tmp_path / "shared-tmp"
    month_ago = time.time() - 40 * 86400
    others = [
        write(shared, "0123456789abcdef01234567.cache", "an old cache of another tool"),
        write(shared, "ftscan-0123456789abcdef01234567.cache", "named like ours, not ours"),
        write(shared, "ftscan-0123456789abcdef01234567.sarif", "a report named like ours"),
        write(shared, "session.tmp", "someone's temporary file"),
        write(shared, "build.log", "a log"),
    ]
    (shared / "ftscan-0123456789abcdef0123ffff.cache").mkdir()
    for path in others:
        os.utime(path, (month_ago, month_ago))
    run_scan(repo, cache_dir=shared)
    assert all(path.exists() for path in others)
    assert (shared / "ftscan-0123456789abcdef0123ffff.cache").is_dir()


def test_modules_reached_by_name_are_parsed_once_while_unchanged(
        repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The alias phase parses the modules a name leads to (here app.py, which imports the
    constant): the next scan takes their facts from the cache, and parses a module again
    only once it changed. A pre-commit run must not pay for a large imported module (a
    vendored os.py) on every commit."""
    write(repo, "config/.env", "RANKER_MODEL=ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4\n")
    write(repo, "settings.py", "import os\nMODEL = os.environ['RANKER_MODEL']\n")
    write(repo, "app.py", "from openai import OpenAI\nfrom settings import MODEL\n\n"
          "OpenAI().chat.completions.create(model=MODEL, messages=[])\n")
    _age(repo)
    parsed: list[str] = []
    real = ftscan.pipeline.examine.module_of

    def counting(entry: FileEntry, *limits: object) -> object:
        parsed.append(entry.relpath)
        return real(entry, *limits)

    monkeypatch.setattr(ftscan.pipeline.examine, "module_of", counting)
    first = run_scan(repo, cache_dir=cache)
    assert "app.py" in parsed
    uses = [f for f in first.findings if f.role is Role.USE]
    assert "app.py" in [f.location.path for f in uses]
    parsed.clear()
    second = run_scan(repo, cache_dir=cache)
    assert parsed == []
    assert second.findings == first.findings
    write(repo, "app.py", "from openai import OpenAI\nfrom settings import MODEL\n\n\n"
          "OpenAI().chat.completions.create(model=MODEL, messages=[])\n")
    _age(repo)
    third = run_scan(repo, cache_dir=cache)
    assert parsed == ["app.py"]
    assert [f.location.start_line for f in third.findings
            if f.role is Role.USE and f.location.path == "app.py"] == [5]


def test_a_library_reinstalled_at_the_same_version_keeps_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CI installs ftscan's libraries afresh on every run (new mtimes): a cache restored from
    an earlier run must stay valid, and an upgrade must still drop it."""
    site = tmp_path / "site-packages"
    package = site / "fakeparser"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VERSION = 1\n")
    (site / "Fake.Parser-1.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(site))
    before = cachefiles._installed("fakeparser", "fake_parser")
    assert before.endswith(":1.0")
    os.utime(package / "__init__.py", ns=(1, 10**18))  # reinstalled: same bytes, new mtime
    cachefiles._versions.cache_clear()
    assert cachefiles._installed("fakeparser", "fake_parser") == before
    (site / "Fake.Parser-1.0.dist-info").rename(site / "fake_parser-1.1.dist-info")
    cachefiles._versions.cache_clear()
    assert cachefiles._installed("fakeparser", "fake_parser").endswith(":1.1")
    (site / "fake_parser-1.1.dist-info").rmdir()  # no metadata: any reinstall counts
    cachefiles._versions.cache_clear()
    assert cachefiles._installed("fakeparser", "fake_parser").endswith(f":{10**18}")


def test_a_new_variable_is_looked_for_only_in_the_files_that_name_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit that binds a new variable (a line in a ``.env``) must test every cached file
    that reads the environment for it: the search engine narrows that to the files holding
    the name; the others are answered from the cache, and the findings are a fresh scan's."""
    root = new_git_repo(tmp_path / "svc")  # committed: the cache knows the files by blob id
    write(root, "config/.env", f"RANKER_MODEL={FT}\n")
    for n in range(240):
        write(root, f"lib/m{n}.py", f"import os\nSETTING_{n} = os.environ.get('SETTING_{n}')\n")
    write(root, "app/tagger.py", "import os\nTAGGER = os.environ['TAGGER_MODEL']\n")
    commit(root, "start")
    cache = tmp_path / "cache"
    run_scan(root, cache_dir=cache, jobs=1, search_engine="ripgrep")
    write(root, "config/.env", f"RANKER_MODEL={FT}\nTAGGER_MODEL={OTHER}\n")
    examined: list[str] = []
    real = ftscan.pipeline.examine.examine

    def counting(entry: FileEntry, *args: object, **kwargs: object) -> object:
        examined.append(entry.relpath)
        return real(entry, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ftscan.pipeline.examine, "examine", counting)
    again = run_scan(root, cache_dir=cache, jobs=1, search_engine="ripgrep")
    assert sorted(examined) == ["app/tagger.py", "config/.env"]
    fresh = run_scan(root, jobs=1, search_engine="ripgrep")
    assert again.findings == fresh.findings
    assert ("app/tagger.py", Role.USE) in {(f.location.path, f.role) for f in again.findings}
    examined.clear()
    run_scan(root, cache_dir=cache, jobs=1, search_engine="ripgrep")
    assert examined == ["config/.env"]  # what was learnt is kept; only the fresh edit is read


def test_the_cache_key_names_every_library_and_data_file_that_decides_facts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A grammar upgrade or an edited sinks table changes what a file of code yields: the
    facts cached under the old key must not be replayed."""
    package = tmp_path / "ftscan"
    shutil.copytree(cachefiles.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = cachefiles.cache_key("rules", package)
    sinks = package / "languages" / "javascript" / "sinks.yaml"
    sinks.write_text(sinks.read_text(encoding="utf-8") + "# one more sink\n", encoding="utf-8")
    assert cachefiles.cache_key("rules", package) != before
    current = cachefiles.cache_key("rules")
    real = cachefiles._installed
    for library in ("tree_sitter", "tree_sitter_javascript", "tree_sitter_typescript", "re2",
                    "libcst", "codeowners"):
        with monkeypatch.context() as patched:
            patched.setattr(cachefiles, "_installed", lambda module, dist, library=library:
                            real(module, dist) + ("+1" if module == library else ""))
            assert cachefiles.cache_key("rules") != current, library


def _edit_aged(repo: Path, relpath: str, text: str) -> None:
    """Edit one file, and make it look written an hour ago (the others keep their stat data)."""
    write(repo, relpath, text)
    past = time.time() - 3600
    os.utime(repo / relpath, (past, past))


def test_a_scan_that_changed_a_few_files_writes_only_those(
        repo: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pre-commit run, or CI on a small commit, does not rewrite the whole cache: the entries
    it changed go to a journal, which the next scan applies."""
    _service(repo)
    run_scan(repo, cache_dir=cache)
    run_scan(repo, cache_dir=cache)  # the alias phase's answers for every file, kept
    (kept,) = cache.glob("*.cache")
    whole = kept.read_bytes()
    _edit_aged(repo, "lib/mod3.py", "def f3(x):\n    return x * 3\n")
    run_scan(repo, cache_dir=cache)
    assert kept.read_bytes() == whole
    assert len(list(cache.glob("*.journal"))) == 1
    again = run_scan(repo, cache_dir=cache)
    assert again.summary.files_from_cache == again.summary.files_considered  # mod3 included
    assert _summary(again) == _summary(run_scan(repo))
    monkeypatch.setattr(ftscan.cache.store, "JOURNAL_LIMIT", 0)
    _edit_aged(repo, "lib/mod4.py", "def f4(x):\n    return x\n")
    run_scan(repo, cache_dir=cache)  # past the limit: written whole, the journal dropped
    assert kept.read_bytes() != whole
    assert not list(cache.glob("*.journal"))


@pytest.mark.parametrize("forged", ["another cache's", "writable by others", "trusted"])
def test_a_journal_is_applied_only_to_its_own_cache(repo: Path, cache: Path,
                                                    forged: str) -> None:
    """A journal that claims the file holding an id yields nothing: applied only when it
    follows this cache file and no one else could have written it."""
    _service(repo)
    run_scan(repo, cache_dir=cache)
    run_scan(repo, cache_dir=cache)
    _edit_aged(repo, "app/settings.py", f'DEFAULT = "{OTHER}"  # reviewed\n')
    run_scan(repo, cache_dir=cache)
    (journal,) = cache.glob("*.journal")
    head, questions, changed, dropped = cachefiles.load_private(journal)
    signature = changed["app/settings.py"][0]
    changed["app/settings.py"] = (signature, b"", None, 0, 0)
    if forged == "another cache's":
        head = dict(head, base="0" * 16)
    assert cachefiles.dump_private(journal, (head, questions, changed, dropped)) is None
    if forged == "writable by others":
        journal.chmod(0o666)
    result = run_scan(repo, cache_dir=cache)
    found = ("app/settings.py", OTHER) in {(f.location.path, f.model_id)
                                           for f in result.findings}
    assert found == (forged != "trusted")
