"""The resolver's work grows with the facts, never with the paths between them.

Each pathological shape is built at two sizes, n and 4n; the resolver's step counter (what the
fixpoint did: edges added, values moved along them, rules run) must grow at most about 4x.
The old resolver enumerated paths: six re-assignments of one name at module level took it
more than ten minutes on a real repository."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES, run_scan, write

from ftscan.api import ScanResult
from ftscan.models import Role

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
GROWTH = 4.6
"""Steps at 4n over steps at n: linear work gives 4 plus a little for constant costs."""


def _ids(n: int) -> list[str]:
    return [f"ft:gpt-4o-mini-2024-07-18:acme:m{i}:AbCd{i:04d}" for i in range(n)]


def reassignments(repo: Path, n: int) -> None:
    lines = ["import pandas as pd", "final_df = pd.DataFrame()"]
    lines += ["final_df = final_df.dropna()"] * n  # the shape that hung the old resolver
    lines += [f'm = "{FT}"'] + ["m = m.strip()"] * n
    lines += ["client.responses.create(model=m, input=final_df)"]
    write(repo, "analysis.py", "\n".join(lines) + "\n")


def registry(repo: Path, n: int) -> None:
    entries = ",\n".join(f'    "k{i}": ["{model}", "gpt-4o"]' for i, model in enumerate(_ids(n)))
    write(repo, "models.py", f"MODELS = {{\n{entries}\n}}\n")
    write(repo, "run.py", "from models import MODELS\nfor key, values in MODELS.items():\n"
          "    for m in values:\n        client.responses.create(model=m, input=key)\n")


def registry_run_time_key(repo: Path, n: int) -> None:
    entries = ",\n".join(f'    "k{i}": "{model}"' for i, model in enumerate(_ids(n)))
    write(repo, "models.py", f"MODELS = {{\n{entries}\n}}\n")
    write(repo, "run.py", "import sys\nfrom models import MODELS\n\n"
          "def ask(task):\n    return client.responses.create(model=MODELS[task], input='')\n\n"
          "ask(sys.argv[1])\n")


def settings_fields(repo: Path, n: int) -> None:
    fields = "\n".join(f'    model_{i}: str = "{model}"' for i, model in enumerate(_ids(n)))
    write(repo, "settings.py", "from pydantic_settings import BaseSettings\n\n"
          f"class Settings(BaseSettings):\n{fields}\n\nsettings = Settings()\n")
    calls = "\n".join(f"client.responses.create(model=settings.model_{i}, input='')"
                       for i in range(n))
    write(repo, "run.py", f"from settings import settings\n{calls}\n")


def import_chain(repo: Path, n: int) -> None:
    write(repo, "m0.py", f'X = "{FT}"\n')
    for i in range(1, n):
        write(repo, f"m{i}.py", f"from m{i - 1} import X\n")
    write(repo, "use.py", f"from m{n - 1} import X\nclient.responses.create(model=X, input='')\n")


def mutual_recursion(repo: Path, n: int) -> None:
    functions = [f"def f{i}(depth, model):\n"
                 f"    return model if depth == 0 else f{(i + 1) % n}(depth - 1, model)\n"
                 for i in range(n)]
    functions.append("def call(model):\n    return client.responses.create(model=f0(9, model),"
                     " input='')\n")
    functions.append(f'call("{FT}")\n')
    write(repo, "rec.py", "\n".join(functions))


def name_in_many_files(repo: Path, n: int) -> None:
    write(repo, ".env", f"MODEL={FT}\n")
    for i in range(n):
        write(repo, f"app/worker_{i}.py", "import os\nMODEL = os.getenv('MODEL')\n"
              "client.responses.create(model=MODEL, input='')\n")


def deploy_script_variables(repo: Path, n: int) -> None:
    entries = "".join(f"          - name: MODEL_{i}\n            value: {model}\n"
                      for i, model in enumerate(_ids(n)))
    write(repo, ".github/workflows/deploy.yml", "jobs:\n  deploy:\n    steps:\n      - run: |\n"
          f"          cat > app.yaml << EOF\n          env:\n{entries}          EOF\n")
    for i in range(n):
        write(repo, f"app/worker_{i}.py", f"import os\nMODEL = os.getenv('MODEL_{i}')\n"
              "client.responses.create(model=MODEL, input='')\n")


def env_wrapper_everywhere(repo: Path, n: int) -> None:
    write(repo, ".env", f"MODEL={FT}\n")
    write(repo, "src/env.js", "export function getRequired(name) { return process.env[name]; }\n")
    for i in range(n):
        write(repo, f"src/worker_{i}.js", 'import { getRequired } from "./env";\n'
              'const m = getRequired("MODEL");\n'
              "client.chat.completions.create({ model: m, messages: [] });\n")


def table_read_everywhere(repo: Path, n: int) -> None:
    write(repo, "src/status.js", "const job = await client.fineTuning.jobs.retrieve(id);\n"
          'await db.from("settings").upsert({ key: "model", value: job.fine_tuned_model });\n')
    for i in range(n):
        write(repo, f"src/reader_{i}.js",
              'const { data } = await db.from("settings").select("value").single();\n'
              "client.chat.completions.create({ model: data.value, messages: [] });\n")


def env_object_everywhere(repo: Path, n: int) -> None:
    write(repo, ".env", f"MODEL={FT}\n")
    write(repo, "src/env.js", "const schema = z.object({ MODEL: z.string() });\n"
          "export const env = schema.parse(process.env);\n")
    for i in range(n):
        write(repo, f"src/reader_{i}.js", 'import { env } from "./env";\n'
              "client.chat.completions.create({ model: env.MODEL, messages: [] });\n")


SHAPES: dict[str, tuple[Callable[[Path, int], None], int, Callable[[ScanResult, int], None]]]
SHAPES = {}


def _one_use(result: ScanResult, n: int) -> None:
    assert len([f for f in result.findings if f.role is Role.USE]) == 1


def _call_and_model_call(result: ScanResult, n: int) -> None:
    # the model call, and the call passing the fine-tune to the function that makes it (the
    # recursive calls only hand it back: returns go back to their own call)
    assert len([f for f in result.findings if f.role is Role.USE]) == 2


def _one_use_each(result: ScanResult, n: int) -> None:
    assert len([f for f in result.findings if f.role is Role.USE]) == n


def _uses_everywhere(result: ScanResult, n: int) -> None:
    # one use per worker: the env read, and the sink reached through it
    assert len([f for f in result.findings if f.role is Role.USE]) == 2 * n


SHAPES = {
    "500 re-assignments of one name": (reassignments, 125, _one_use),
    "a 2,000-entry registry of lists": (registry, 500, _one_use),
    "a 2,000-key registry read with a run-time key": (registry_run_time_key, 500, _one_use),
    "1,000 settings fields": (settings_fields, 250, _one_use_each),
    "a 200-module import chain": (import_chain, 50, _one_use),
    "mutual recursion": (mutual_recursion, 50, _call_and_model_call),
    "a name bound in 1,000 files": (name_in_many_files, 250, _uses_everywhere),
    "an env wrapper called in 1,000 files": (env_wrapper_everywhere, 250, _uses_everywhere),
    "a deploy script setting 1,000 variables": (deploy_script_variables, 250,
                                                _uses_everywhere),
    "a table read back in 1,000 files": (table_read_everywhere, 250, _one_use_each),
    "a validated env object read in 1,000 files": (env_object_everywhere, 250, _one_use_each),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_resolver_steps_grow_linearly(shape: str, tmp_path: Path) -> None:
    build, n, check = SHAPES[shape]
    steps = []
    for size in (n, 4 * n):
        repo = tmp_path / str(size)
        (repo / ".git").mkdir(parents=True)
        build(repo, size)
        result = run_scan(repo)
        check(result, size)
        steps.append(result.summary.resolver_steps)
    assert steps[0] > 0
    assert steps[1] <= GROWTH * steps[0], f"{shape}: {steps[0]} steps at n, {steps[1]} at 4n"


def test_a_library_submodule_reached_by_attribute_is_not_parsed_for_nothing(repo: Path) -> None:
    """``importlib.util.find_spec(...)`` in a module holding an id: the submodule holds no
    id and gets none, so it is not parsed (a vendored library of large modules would be read
    for nothing); a submodule that does hold one is followed as before."""
    write(repo, "importlib/__init__.py", "")
    write(repo, "importlib/util.py", "def find_spec(name):\n    return None\n" * 200)
    write(repo, "models.py", "import importlib.util\n"
          "MODEL = 'ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4'\n"
          "importlib.util.find_spec('x')\nprint(MODEL)\n")  # MODEL used: models.py parsed
    write(repo, "pkg/__init__.py", "")
    write(repo, "pkg/sub.py", "OTHER = 'ft:gpt-4.1-2025-04-14:acme-corp:triage:Q2w3E4r5'\n")
    write(repo, "app.py", "import pkg.sub\nfrom openai import OpenAI\n\n"
          "OpenAI().chat.completions.create(model=pkg.sub.OTHER, messages=[])\n")
    result = run_scan(repo)
    assert result.summary.modules_followed == {"python": 3}  # models, pkg/sub, app
    uses = [f for f in result.findings if f.role.value == "use"]
    assert [(u.location.path, u.model_id) for u in uses] == [
        ("app.py", "ft:gpt-4.1-2025-04-14:acme-corp:triage:Q2w3E4r5")]


def test_readers_of_a_variable_set_to_nothing_of_interest_are_not_parsed(repo: Path) -> None:
    """A module holding an id also sets ``SHELL``: the files reading ``SHELL`` are not parsed
    for it; a variable set to the id still leads to its reader."""
    write(repo, "models.py", "import os\n"
          "MODEL = 'ft:gpt-4o-mini-2024-07-18:acme-corp:ranker:9xQz2Lm4'\n"
          "os.environ['SHELL'] = '/bin/sh'\n"
          "os.environ['RANKER'] = MODEL\n")
    write(repo, "shell.py", "import os\nprint(os.environ['SHELL'])\n")
    write(repo, "app.py", "import os\nfrom openai import OpenAI\n\n"
          "OpenAI().chat.completions.create(model=os.environ['RANKER'], messages=[])\n")
    result = run_scan(repo)
    assert result.summary.modules_followed == {"python": 2}  # models, app: not shell.py
    uses = [f for f in result.findings if f.role.value == "use"]
    assert [u.location.path for u in uses] == ["app.py"]


def test_the_name_search_reads_each_file_a_bounded_number_of_times(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chain of one-line modules needs a round per link; each round used to search every
    file not read yet (a chain of 2,000 modules: 80 s). The files the alias phase's search
    reads (for names, or for its index of import lines) must grow linearly with the chain."""
    from ftscan.pipeline import examine

    reads = [0]

    def counted(function: Callable[..., object]) -> Callable[..., object]:
        def read(*args: object) -> object:
            reads[0] += 1
            return function(*args)
        return read

    monkeypatch.setattr(examine, "names_in", counted(examine.names_in))
    if hasattr(examine, "import_words_in"):
        monkeypatch.setattr(examine, "import_words_in", counted(examine.import_words_in))
    counts = []
    for size in (50, 200):
        repo = tmp_path / str(size)
        (repo / ".git").mkdir(parents=True)
        import_chain(repo, size)
        reads[0] = 0
        result = run_scan(repo, search_engine="python")
        _one_use(result, size)
        counts.append(reads[0])
    assert counts[1] <= GROWTH * counts[0], f"{counts[0]} files read at n, {counts[1]} at 4n"


@pytest.mark.parametrize("fixture", ["alias-repo", "js-repo", "lean-repo", "sample-repo"])
def test_searching_only_the_importers_changes_no_finding(
        fixture: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index of import lines narrows a round's search, never its answer: the fixtures
    give the same findings with it used from the first round."""
    from ftscan.flow import phase

    expected = run_scan(FIXTURES / fixture, cache_dir=None).findings
    monkeypatch.setattr(phase, "INDEX_FROM_ROUND", 1)
    assert run_scan(FIXTURES / fixture, cache_dir=None).findings == expected


@pytest.mark.parametrize(("language", "text", "words"), [
    ("python", "from models import X\n", {"models"}),
    ("python", "import acme.models as m\nm.X\n", {"models"}),
    ("python", "from .models import (\n    X,\n)\n", {"models"}),
    ("javascript", 'import { X } from "./models";\n', {"models"}),
    ("javascript", 'const { X } = require("../lib/models.js");\n', {"models"}),
    ("javascript", 'export { X } from "@acme/models";\n', {"@acme/models", "models"}),
    ("javascript", "import X from './my-models'\n", {"my-models"}),
])
def test_a_file_naming_a_module_holds_its_words_on_its_import_lines(
        language: str, text: str, words: set[str]) -> None:
    """What the index relies on: where a language says a text imports a module's word, every
    token of that word is among the text's import-line words."""
    from ftscan.languages import language_named, tokens

    plugin = language_named(language)
    query = ("X", frozenset(words), language)
    assert plugin.mentions(text, query)
    imported = plugin.import_words(text)
    assert any(tokens(word) <= imported for word in words)
