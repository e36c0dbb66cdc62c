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
from ftscan.models import Detection
from ftscan.parsers import ParsedFile, Parser

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-mini-2024-07-18:acme:tagger:EfGh5678"


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


# ---------------------------------------------------------------- kinds decided once


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
