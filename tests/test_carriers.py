"""Config carriers as plug-ins (:mod:`ftscan.carriers`), and each file's kind decided once
(:mod:`ftscan.filekinds`): what a user sees when a file's name or content tells its kind, and
what a new carrier costs."""

from __future__ import annotations

import dataclasses
import importlib
import posixpath
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import run_scan, write

import ftscan.carriers
import ftscan.filekinds
from ftscan.bindings import ConfigKey, EnvVar
from ftscan.carriers import CarrierBase, ReadText, carrier_named, names
from ftscan.flow.build import Program
from ftscan.models import Detection, Finding
from ftscan.parsers import ParsedFile, Parser

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-mini-2024-07-18:acme:tagger:EfGh5678"


def _rows(result: object, path: str) -> list[tuple[int, str, str, str | None]]:
    findings: list[Finding] = result.findings  # type: ignore[attr-defined]
    return sorted((f.location.start_line, f.role.value, f.level.label, f.context)
                  for f in findings if f.location.path == path)


# ---------------------------------------------------------------- the registry


@pytest.mark.parametrize("name", names())
def test_each_carrier_lives_in_its_own_folder_under_its_registered_name(name: str) -> None:
    carrier = carrier_named(name)
    assert carrier.name == name
    module = importlib.import_module(f"ftscan.carriers.{name}")
    assert Path(module.__file__).parent.name == name  # type: ignore[arg-type]
    assert module.CARRIER is carrier


@pytest.mark.parametrize("path, carrier", [
    ("infra/main.tf", "terraform"),
    ("infra/prod.tfvars", "terraform"),
    (".github/workflows/deploy.yml", "workflows"),
    ("charts/ranker/Chart.yaml", "helm"),
    ("charts/ranker/values-prod.yaml", "helm"),
    ("charts/ranker/templates/deployment.yaml", "helm"),
    ("web/vercel.json", "deployenv"),
    ("wrangler.toml", "deployenv"),
    ("docker-compose.yml", None),  # compose and Kubernetes are told by content
    ("src/app.py", None),  # a language's file is never a carrier's
])
def test_a_file_belongs_to_one_carrier_by_its_path(path: str, carrier: str | None) -> None:
    assert ftscan.filekinds.kind_of(path).carrier == carrier


# ---------------------------------------------------------------- kinds by name and content


def test_an_env_file_with_a_suffix_after_env_is_an_env_file(repo: Path) -> None:
    """``openai.env.example``: a commented-out line is a mention there, as in ``.env.example``
    (it was an error), and an assignment binds its variable."""
    text = f"OPENAI_MODEL={FT}\n# OPENAI_REFERENCE_MODEL={FT2}\n"
    write(repo, "config/env/openai.env.example", text)
    write(repo, ".env.example", text)
    result = run_scan(repo)
    expected = [(1, "definition", "error", "env OPENAI_MODEL"), (2, "mention", "note", None)]
    assert _rows(result, "config/env/openai.env.example") == expected
    assert _rows(result, ".env.example") == expected


def test_a_backup_of_markdown_is_prose(repo: Path) -> None:
    write(repo, "CLAUDE.md.FULL-BACKUP-20260201", f"# Models\n\nWe call `{FT}` for ranking.\n")
    # not under docs/: an id there is an example whatever kind of file holds it
    write(repo, "notes/notes.md.bak", f"Old model: {FT2}\n")
    result = run_scan(repo)
    assert {f.role.value for f in result.findings} == {"mention"}
    assert {f.location.path for f in result.findings} == {
        "CLAUDE.md.FULL-BACKUP-20260201", "notes/notes.md.bak"}


def test_a_file_of_no_known_name_whose_lines_are_assignments_is_an_env_file(
        repo: Path) -> None:
    """Told by its content: its commented-out line is a mention, and the variable it sets is
    followed to the code that reads it."""
    write(repo, "deploy/openai.example",
          f"# the ranker, fine-tuned\nexport RANKER_MODEL={FT}\n# RANKER_MODEL={FT2}\n")
    write(repo, "app.py", "import os\nfrom openai import OpenAI\n\n"
          "OpenAI().chat.completions.create(model=os.getenv('RANKER_MODEL'), messages=[])\n")
    result = run_scan(repo)
    assert _rows(result, "deploy/openai.example") == [
        (2, "definition", "error", "env RANKER_MODEL"), (3, "mention", "note", None)]
    assert [(f.role.value, f.model_id) for f in result.findings
            if f.location.path == "app.py"] == [("use", FT)]


def test_a_file_of_no_known_name_with_other_lines_stays_text(repo: Path) -> None:
    write(repo, "deploy/notes.example", f"RANKER_MODEL={FT}\nrun the ranker with it\n")
    write(repo, "deploy/settings.py.example", f'RANKER_MODEL = "{FT2}"\n')  # code, not env
    result = run_scan(repo)
    assert [(f.role.value, f.kind, f.context) for f in result.findings] == [
        ("definition", "text", None)] * 2


def test_each_file_s_kind_is_decided_once_per_scan(repo: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file's kind is worked out once, from its path, and carried with it: through the
    first phase, its analysis, and the alias phase's parse of the modules it reaches."""
    decided: Counter[str] = Counter()
    real = ftscan.filekinds.kind_of

    def counting(relpath: str) -> ftscan.filekinds.FileKind:
        decided[relpath] += 1
        return real(relpath)

    monkeypatch.setattr(ftscan.filekinds, "kind_of", counting)
    write(repo, ".env", f"RANKER_MODEL={FT}\n")
    write(repo, ".github/workflows/ci.yml",
          "jobs:\n  t:\n    env:\n      TAGGER_MODEL: ${{ secrets.OPENAI_FT_MODEL }}\n")
    write(repo, "charts/r/Chart.yaml", "name: r\n")
    write(repo, "charts/r/values.yaml", f"model: {FT2}\n")
    write(repo, "charts/r/templates/d.yaml", "env:\n  - name: M\n    value: {{ .Values.model }}\n")
    write(repo, "infra/main.tf", f'variable "m" {{\n  default = "{FT}"\n}}\n')
    write(repo, "app/models.py", "import os\nRANKER = os.getenv('RANKER_MODEL')\n")
    write(repo, "app/main.py", "from openai import OpenAI\nfrom app.models import RANKER\n\n"
          "OpenAI().chat.completions.create(model=RANKER, messages=[])\n")
    result = run_scan(repo)
    assert any(f.location.path == "app/main.py" for f in result.findings)  # followed
    assert set(decided) == {str(p.relative_to(repo)) for p in repo.rglob("*")
                            if p.is_file() and ".git" not in p.parts}
    assert set(decided.values()) == {1}


# ---------------------------------------------------------------- adding a carrier


_APP_ENGINE_ENV = re.compile(r"env_variables\.([A-Za-z_][A-Za-z0-9_]*)")


class AppEngine(CarrierBase):
    """Google App Engine's ``app.yaml``: its ``env_variables`` are the service's environment.
    A carrier written here, as a new one would be in its own folder, to show what adding one
    takes: this class and one registry line."""

    name = "appengine"

    def recognises(self, relpath: str) -> bool:
        return posixpath.basename(relpath) == "app.yaml"

    def parse(self, relpath: str, text: str, read: Parser) -> ParsedFile:
        parsed = read(text)
        strings = []
        for fact in parsed.strings:
            key = _APP_ENGINE_ENV.fullmatch(fact.context or "")
            if key and isinstance(fact.binding, ConfigKey):
                fact = dataclasses.replace(fact, binding=EnvVar(key.group(1)))
            strings.append(fact)
        return dataclasses.replace(parsed, strings=strings)

    def link(self, program: Program, definitions: Sequence[Detection], files: Sequence[str],
             read_text: ReadText) -> None:
        linked.extend(files)


CARRIER = AppEngine()
linked: list[str] = []


def test_a_new_carrier_needs_its_module_and_one_registry_line(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(repo, "svc/app.yaml", f"runtime: python312\nenv_variables:\n  RANKER_MODEL: {FT}\n")
    write(repo, "svc/main.py", "import os\nfrom openai import OpenAI\n\n"
          "OpenAI().chat.completions.create(model=os.environ['RANKER_MODEL'], messages=[])\n")
    before = run_scan(repo)
    assert not [f for f in before.findings if f.role.value == "use"]

    monkeypatch.setitem(ftscan.carriers._PLUGINS, "appengine", __name__)
    linked.clear()
    after = run_scan(repo)
    assert [(f.context, f.role.value) for f in after.findings
            if f.location.path == "svc/app.yaml"] == [("env RANKER_MODEL", "definition")]
    assert [(f.location.path, f.role.value) for f in after.findings
            if f.role.value == "use"] == [("svc/main.py", "use")]
    assert linked == ["svc/app.yaml"]
