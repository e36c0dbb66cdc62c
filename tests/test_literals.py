"""The ``ast`` reader of Python literals gives exactly the strings of the libcst collector, or
steps aside; modules whose ids cannot flow anywhere are read with it alone, and scans find
the same whatever reads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from conftest import FIXTURES, run_scan, write

from ftscan.languages import language_named
from ftscan.languages.python import PythonLanguage
from ftscan.languages.python.literals import Unusual, fstring_template, one_literal, read_literals
from ftscan.languages.python.strings import parse_python
from ftscan.models import Role
from ftscan.parsers.base import StringFact

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"

SHAPES = {
    "assignments and classes": f'''"""Module docstring with {FT}."""
MODEL = "{FT}"
MODEL_B: str = b"{FT}"
class Config:
    """Class docstring."""
    name = "{FT}"
    def method(self):
        """Method docstring."""
        self.model = "{FT}"
        return {{"k": {{"inner": "{FT}"}}, 1: "x"}}
class OneLine: "not a docstring to libcst"
settings["key"] = "{FT}"
''',
    "calls": f'''import os
value = os.getenv("MODEL", "{FT}")
other = os.environ.get("MODEL", default="{FT}")
client.create(model="{FT}", temperature=0)
cfg.setdefault("k", "{FT}")
print("{{}}:{{}}".format(a, b), "%s-%d" % (a, 1), "plain %% text" % ())
''',
    "f-strings": '''x = f"ft:{base!r:>{width}}:acme:{name}"
y = f'{d["key"]}-{n=}-{a != b}-{{literal}}'
z = rf"\\d{x}"
w = f"""multi
line {value}"""
''',
    "concatenations": f'''a = "ft:" + base + ":acme:" + suffix
b = ("ft:" + base)
c = "x" + ( name ) + "y"
d = b"bytes" + other
e = "{FT}" + "!"
f = "ab" "cd"
g = prefix + f"{{x}}:tail"
h = f"ft:{{base}}" ":acme"  # an f-string concatenated: each piece on its own
j = "a" f"{{b}}" "c" "d"  # ... but the plain ones after the last f-string as one
i = ("a"  # why
     f"{{d['k']}}" "c")
''',
    "non-ASCII columns": f'''café = "é"; model = "{FT}"
日本 = {{"ключ": "{FT}"}}
''',
}


def _order(fact: StringFact) -> tuple[int, int, str]:
    return (fact.start, -fact.end, fact.kind)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_ast_reader_gives_the_strings_libcst_gives(shape: str) -> None:
    text = SHAPES[shape]
    expected = parse_python(text).strings
    got = read_literals(text).strings
    assert sorted(got, key=_order) == sorted(expected, key=_order)


@pytest.mark.parametrize("text", [
    'x = b"a" b"b"\n',  # bytes concatenated: libcst reports the pieces
    'x = ("a" + b) + c\n',  # a parenthesis that belongs to the inner +
    'x = "a" + (b  # why\n     )\n',
    'x = "a" + foo(\n    b)\n',  # libcst writes the operand again, re-indented
    'obj[\n    key] = "v"\n',
    'x = "a\\r"\rb = 1\n',
])
def test_shapes_libcst_reads_differently_are_left_to_it(text: str) -> None:
    with pytest.raises(Unusual):
        read_literals(text)


def test_one_literal_tells_a_token_from_a_concatenation() -> None:
    assert one_literal('"a\\"b"') and one_literal("'''x'y'''") and one_literal('rb"\\\\"')
    assert not one_literal('"a" "b"') and not one_literal("'a'\n'b'") and not one_literal("x")


def test_fstring_templates_keep_the_text_and_reduce_fields() -> None:
    assert fstring_template("ft:{base!r:>{w}}x{{y}}{ a + b }{c=}{d[':']}") == (
        "ft:{base}x{{y}}{a + b}{c}{d[':']}")
    with pytest.raises(Unusual):
        fstring_template("{unterminated")


def _lean(text: str, path: str = "models.py") -> frozenset[str] | None:
    plugin = language_named("python")
    assert isinstance(plugin, PythonLanguage)
    lean = plugin.parse_lean(path, text, lambda fact: "ft:" in fact.value)
    return None if lean is None else lean.names


def test_a_module_whose_ids_cannot_flow_is_read_for_its_strings_alone() -> None:
    assert _lean(f'"""Doc."""\nimport json\nMODEL = "{FT}"\n') == {"MODEL"}
    assert _lean(f'MODELS = {{"a": ["{FT}", BASE]}}\n') == {"MODELS", "BASE"}
    assert _lean('"""Only a look-alike: ft:x."""\nX = 1\n') == frozenset()


@pytest.mark.parametrize("text", [
    f'MODEL = "{FT}"\nclient.create(model=MODEL)\n',  # the name is used in the module
    f'def pick():\n    return "{FT}"\n',  # inside a function
    f'MODEL = choose("{FT}")\n',  # through a call
    f'import os\nMODEL = os.environ.get("M", "{FT}")\n',  # reads the environment
    f'MODEL = "{FT}"\n__all__ = ["MODEL"]\n',  # named again, in a string
    f'if True:\n    MODEL = "{FT}"\n',
    f'MODEL = "{FT}"\n' + 'x = "a" + (b  # why\n     )\n',  # a shape left to libcst
])
def test_a_module_whose_ids_may_flow_is_parsed_in_full(text: str) -> None:
    assert _lean(text) is None


def test_a_notebook_is_never_read_lean() -> None:
    assert _lean(f'MODEL = "{FT}"\n', path="a.ipynb") is None


def _scan(root: Path, monkeypatch: pytest.MonkeyPatch, lean: bool) -> tuple[list[tuple], int]:
    if not lean:
        monkeypatch.setattr(PythonLanguage, "parse_lean", lambda *args: None)
    result = run_scan(root, cache_dir=None)
    monkeypatch.undo()
    findings = sorted((f.rule_id, f.role.value, f.location.path, f.location.start_line,
                       f.location.start_column, f.model_id, f.context, f.kind, f.fingerprint)
                      for f in result.findings)
    return findings, result.summary.modules_followed.get("python", 0)


@pytest.mark.parametrize("fixture", ["lean-repo", "sample-repo", "alias-repo",
                                     "training-repo", "lookalikes"])
def test_scans_find_the_same_whether_modules_are_read_lean_or_not(
        fixture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    root = FIXTURES / fixture
    assert _scan(root, monkeypatch, lean=True)[0] == _scan(root, monkeypatch, lean=False)[0]


def test_a_module_nothing_imports_is_never_parsed_in_full(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """lean-repo's registry/archive.py and registry/flags.py (which reads the environment,
    but no variable the repository binds): their ids are reported, libcst never reads them."""
    findings, followed = _scan(FIXTURES / "lean-repo", monkeypatch, lean=True)
    for module in ("registry/archive.py", "registry/flags.py"):
        assert any(f[2].endswith(module) and f[1] == "definition" for f in findings)
    assert followed == 4  # rank, triage, the registry they import, shadow (reads SHADOW_MODEL)
    assert _scan(FIXTURES / "lean-repo", monkeypatch, lean=False)[1] == 6


def test_a_lean_module_whose_name_another_module_imports_is_followed(repo: Path) -> None:
    write(repo, "config/models.py", f'"""Models."""\nRANKER = "{FT}"\n')
    write(repo, "app.py", "from config.models import RANKER\n"
          "client.responses.create(model=RANKER, input='')\n")
    write(repo, "other.py", "RANKER = 'unrelated'\n")  # names it, imports nothing from it
    result = run_scan(repo)
    uses = [f for f in result.findings if f.role is Role.USE]
    assert [(u.location.path, u.model_id) for u in uses] == [("app.py", FT)]
    definition = next(f for f in result.findings if f.role is Role.DEFINITION)
    assert dataclasses.asdict(definition)["context"] == "RANKER"


def test_lean_modules_names_are_searched_with_the_first_rounds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether another file imports a lean module's names is asked in the first round's
    search (one pass of the search engine over the files of code, not one more)."""
    import ftscan.pipeline.aliases
    import ftscan.pipeline.phases

    asked: list[set[str]] = []
    make = ftscan.pipeline.aliases.name_search

    def counting(*args: object) -> object:
        search = make(*args)  # type: ignore[arg-type]

        def counted(paths: object, queries: list[tuple[str, object, str]]) -> object:
            asked.append({name for name, _, _ in queries})
            return search(paths, queries)  # type: ignore[arg-type]

        return counted

    monkeypatch.setattr(ftscan.pipeline.phases, "name_search", counting)
    result = run_scan(FIXTURES / "lean-repo", cache_dir=None)
    assert {"OLD_RANKER", "CANARY"} <= asked[0]  # names bound by lean modules
    assert {"FALLBACK", "model"} <= asked[0]  # names the first round follows
    assert len(asked) == 2  # the second: RANKER, exported by a module parsed in round one
    assert any(f.role is Role.USE for f in result.findings)


def test_a_cached_scan_still_follows_a_lean_module(tmp_path: Path) -> None:
    """The names of a module read lean are kept in the cache: after an edit elsewhere, the
    uses are found again from the cached strings."""
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "lean-repo", repo)
    (repo / ".git").mkdir()
    cache = tmp_path / "cache"
    first = run_scan(repo, cache_dir=cache)
    with (repo / "app" / "rank.py").open("a") as handle:
        handle.write("# edited\n")
    second = run_scan(repo, cache_dir=cache)
    assert second.summary.files_from_cache > 0

    def uses(result: object) -> list[tuple[str, int]]:
        return sorted((f.location.path, f.location.start_line)
                      for f in result.findings if f.role is Role.USE)  # type: ignore[attr-defined]

    assert uses(first) == uses(second) == [("app/rank.py", 9), ("app/shadow.py", 9),
                                           ("app/shadow.py", 10), ("app/triage.py", 8)]
