"""Following names from definitions in config to the code that calls the model."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA, FIXTURES, run_scan, write

from ftscan.api import ScanResult
from ftscan.models import Finding, Role
from ftscan.reporters import sarif as sarif_report

ALIAS = FIXTURES / "alias-repo"
PROD = "ft:gpt-4o-mini-2024-07-18:acme:ranker-prod:Prd12345"
STAGING = "ft:gpt-4o-mini-2024-07-18:acme:ranker-staging:Stg12345"


@pytest.fixture(scope="module")
def alias() -> ScanResult:
    return run_scan(ALIAS)


def _use(result: ScanResult, path_end: str, line: int) -> Finding:
    (found,) = [f for f in result.findings if f.role is Role.USE
                and f.location.path.endswith(path_end) and f.location.start_line == line]
    return found


def test_a_use_reached_by_staging_and_production_lists_both(alias: ScanResult) -> None:
    use = _use(alias, "ranker/clients/llm.py", 22)
    assert set(use.model_ids) == {PROD, STAGING}
    assert "reaches 2 model ids" in use.message
    assert use.kind == "passed as model= of client.chat.completions.create"
    defined = {(s.location.path.rsplit("/", 2)[-1], s.location.start_line)
               for s in use.definitions}
    assert defined == {(".env", 3), ("ranker.yaml", 14)}


def test_the_chain_runs_from_definition_through_each_hop_to_the_use(alias: ScanResult) -> None:
    use = _use(alias, "ranker/clients/llm.py", 22)
    flow = next(f for f in use.flows if f[0].location.path.endswith("/.env"))
    steps = [(s.location.path.rsplit("/", 1)[-1], s.location.start_line) for s in flow]
    assert steps == [(".env", 3), ("config.py", 6), ("llm.py", 11), ("llm.py", 22)]
    assert "reads env RANKER_MODEL" in flow[1].message
    assert flow[2].message == "from ..config import MODELS, RANKER_MODEL"


def test_a_binding_only_in_another_service_is_low_confidence(alias: ScanResult) -> None:
    use = _use(alias, "billing/billing/config.py", 16)
    assert use.confidence == "low"
    assert "set only in fixtures/alias-repo/services/ranker, another service" in use.message
    own = _use(alias, "ranker/ranker/config.py", 6)
    assert own.confidence == "high"


def test_same_named_constant_elsewhere_and_plain_env_values_are_not_uses(
    alias: ScanResult,
) -> None:
    billing = [f for f in alias.findings if f.location.path.endswith("billing/config.py")]
    assert [f.location.start_line for f in billing] == [16]
    assert not any("PLAIN_MODEL" in (f.context or "") for f in alias.findings)


def test_settings_fields_read_their_env_var_with_prefix_and_alias(alias: ScanResult) -> None:
    summarizer = _use(alias, "ranker/settings.py", 12)
    tagger = _use(alias, "ranker/settings.py", 13)
    assert summarizer.context == "env SUMMARIZER_MODEL"  # Field(alias=...)
    assert tagger.context == "env ACME_TAGGER_MODEL"  # env_prefix + field name
    assert "default" not in summarizer.model_id


def test_sarif_links_definitions_and_shows_the_flow(alias: ScanResult) -> None:
    log = json.loads(sarif_report.render(alias))
    jsonschema.Draft7Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
                               ).validate(log)
    results = [r for r in log["runs"][0]["results"] if r["properties"]["role"] == "use"
               and "ftscan/outside" not in r["properties"]]
    assert results
    for result in results:
        related = result["relatedLocations"]
        assert [r["id"] for r in related] == list(range(1, len(related) + 1))
        for r in related:
            assert f"]({r['id']})" in result["message"]["text"]
        threads = result["codeFlows"][0]["threadFlows"]
        for thread in threads:
            first, last = thread["locations"][0], thread["locations"][-1]
            assert first["location"]["message"]["text"].startswith("defined: ")
            assert last["location"]["physicalLocation"] == (
                result["locations"][0]["physicalLocation"])


def test_only_files_holding_a_bound_name_are_parsed(repo: Path) -> None:
    write(repo, ".env", "RANKER_MODEL=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    write(repo, "app/config.py", 'import os\nRANKER = os.getenv("RANKER_MODEL")\n')
    write(repo, "app/use.py",
          "from app.config import RANKER\nclient.chat.completions.create(model=RANKER)\n")
    for i in range(30):
        write(repo, f"app/other_{i}.py",
              f"def f{i}(model):\n    return client.chat.completions.create(model=model)\n")
    result = run_scan(repo)
    uses = sorted((f.location.path, f.location.start_line) for f in result.findings
                  if f.role is Role.USE)
    assert uses == [("app/config.py", 2), ("app/use.py", 2)]
    assert result.summary.modules_followed == {"python": 2}


def test_cycles_and_star_imports_do_not_hang(repo: Path) -> None:
    write(repo, ".env", "M=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    write(repo, "a.py",
          "from b import Y as X\nimport os\nZ = os.getenv('M')\n"
          "client.chat.completions.create(model=X)\n")
    write(repo, "b.py",
          "from a import X as Y\nfrom c import *\nclient.chat.completions.create(model=Y)\n")
    write(repo, "c.py", "from a import *\nclient.chat.completions.create(model=Z)\n")
    result = run_scan(repo)
    uses = sorted((f.location.path, f.location.start_line) for f in result.findings
                  if f.role is Role.USE)
    assert uses == [("a.py", 3), ("c.py", 2)]


def test_unparsable_module_reached_by_name_is_reported(repo: Path) -> None:
    write(repo, ".env", "M=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    write(repo, "broken.py", "import os\nX = os.getenv('M')\ndef (:\n")
    write(repo, "good.py", "import os\nX = os.getenv('M')\n")
    result = run_scan(repo)
    assert [f.location.path for f in result.findings if f.role is Role.USE] == ["good.py"]
    assert any(d.path == "broken.py" and "syntax error" in d.message for d in result.diagnostics)


def test_use_level_follows_the_most_urgent_model(repo: Path) -> None:
    write(repo, ".env", "M=ft:gpt-3.5-turbo-0125:acme:old:AbCd1234\n")
    write(repo, "deploy.yaml",
          "env:\n  - name: M\n    value: ft:gpt-4o-2024-08-06:acme:new:EfGh5678\n")
    write(repo, "app.py", "import os\nclient.chat.completions.create(model=os.getenv('M'))\n")
    (use,) = [f for f in run_scan(repo).findings if f.role is Role.USE]
    assert use.model_id == "ft:gpt-3.5-turbo-0125:acme:old:AbCd1234"  # already retired
    assert use.lifecycle.status.value == "retired" and use.level.label == "error"
    assert use.model_ids[1] == "ft:gpt-4o-2024-08-06:acme:new:EfGh5678"


def test_a_plain_literal_default_is_called_out(alias: ScanResult) -> None:
    use = _use(alias, "ranker/ranker/config.py", 6)
    assert 'The default here, "gpt-4o-mini", is not what runs where RANKER_MODEL is set' in (
        use.message)


def test_computed_env_names_are_counted_not_followed(repo: Path) -> None:
    write(repo, ".env", "M=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    write(repo, "app.py", "import os\nname = 'M'\nX = os.getenv(name)\nY = os.getenv('M')\n")
    result = run_scan(repo)
    assert [f.location.start_line for f in result.findings if f.role is Role.USE] == [4]
    assert result.summary.unresolved["dynamicEnvNames"] == 1


def test_settings_field_named_only_implicitly_is_found(repo: Path) -> None:
    write(repo, ".env", "ACME_RANKER_MODEL=ft:gpt-4o-mini-2024-07-18:acme:x:AbCd1234\n")
    write(repo, "settings.py", """\
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACME_")
    ranker_model: str = "gpt-4o-mini"
""")
    write(repo, "app.py", "from settings import Settings\n"
          "client.chat.completions.create(model=Settings().ranker_model)\n")
    uses = sorted((f.location.path, f.location.start_line) for f in run_scan(repo).findings
                  if f.role is Role.USE)
    assert uses == [("app.py", 2), ("settings.py", 6)]
