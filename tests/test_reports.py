"""Reports: SARIF valid against the schema GitHub uses, JSON valid against ftscan's own schema,
and CSV, Markdown and text that say the same thing."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA, FIXTURES, run_scan, write

from ftscan.api import ScanResult
from ftscan.fingerprint import line_hashes
from ftscan.reporters import sarif as sarif_report
from ftscan.reporters import scan_reporter

SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
REPORT_SCHEMA = json.loads(
    (DATA.parent.parent / "ftscan" / "schemas" / "report-v1.schema.json").read_text()
)


@pytest.fixture(scope="module")
def sample() -> ScanResult:
    return run_scan(FIXTURES / "sample-repo")


@pytest.fixture(scope="module")
def sarif(sample: ScanResult) -> dict:
    return json.loads(sarif_report.render(sample))


def test_sarif_is_valid_against_the_schema(sarif: dict) -> None:
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(sarif)


def test_clean_scan_gives_valid_sarif_with_empty_results() -> None:
    log = json.loads(sarif_report.render(run_scan(FIXTURES / "lookalikes")))
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_rules_carry_full_metadata(sarif: dict, sample: ScanResult) -> None:
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in sample.settings.rules.rules]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert rule["properties"]["precision"] in ("very-high", "high", "medium", "low")
        assert 0 < len(rule["properties"]["tags"]) <= 20


def _sections(markdown: str) -> dict[str, str]:
    """The text under each heading of a Markdown page, by the anchor GitHub gives the heading
    (lower case, punctuation other than ``-`` and ``_`` dropped, spaces as ``-``)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    sections: dict[str, str] = {}
    anchor = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            title = tokens[i + 1].content.strip().lower()
            anchor = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            sections[anchor] = ""
        elif token.type == "inline" and anchor and tokens[i - 1].type != "heading_open":
            sections[anchor] += " " + token.content
    return sections


def test_every_builtin_rule_links_to_its_section_of_the_rules_page(sarif: dict,
                                                                   sample: ScanResult) -> None:
    """helpUri is the rule id's anchor on docs/rules.md, a section that says what the rule
    finds (its title and description)."""
    sections = _sections((DATA.parent.parent / "docs" / "rules.md").read_text())
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(sample.settings.rules.rules) > 20
    for descriptor, rule in zip(rules, sample.settings.rules.rules, strict=True):
        page, _, anchor = descriptor["helpUri"].partition("#")
        assert page == "https://github.com/ftscan/ftscan/blob/main/docs/rules.md"
        assert anchor in sections, rule.id
        text = " ".join(sections[anchor].split())
        assert rule.title in text and " ".join(rule.description.split()) in text, rule.id


def test_a_rule_of_the_users_own_has_no_help_link(tmp_path: Path) -> None:
    write(tmp_path, ".git/HEAD", "")
    write(tmp_path, "pyproject.toml", '[tool.ftscan]\nrules = ["acme.yaml"]\n')
    write(tmp_path, "acme.yaml", """rules:
  - id: ACME001
    name: acme-registry-model
    provider: acme
    title: Acme model-registry fine-tune
    description: A fine-tuned model in Acme's model registry.
    help: Move it.
    keywords: ["acme-ft/"]
    patterns: ['acme-ft/(?P<base>[a-z0-9-]+)/(?P<id>[0-9a-f]{8})']
""")
    log = json.loads(sarif_report.render(run_scan(tmp_path)))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert "helpUri" not in rules["ACME001"] and "helpUri" in rules["FT001"]


def test_sarif_results_point_at_the_right_place(sarif: dict, sample: ScanResult) -> None:
    (run,) = sarif["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(sample.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith("/") and "\\" not in uri
        text = (sample.root / uri).read_text(encoding="utf-8")
        region = location["region"]
        line = text.splitlines()[region["startLine"] - 1]
        props = result["properties"]
        if region["startLine"] == region["endLine"] and props["role"] in ("definition",
                                                                          "mention"):
            assert line[region["startColumn"] - 1:region["endColumn"] - 1] == props["modelId"]
        assert result["partialFingerprints"]["primaryLocationLineHash"] == (
            line_hashes(text)[region["startLine"]]
        )
        assert len(result["fingerprints"]["ftscan/v1"]) == 32
        for key in ("modelId", "provider", "baseModel", "role", "shutdownDate", "daysLeft",
                    "status"):
            assert key in props
        assert props["modelId"] in result["message"]["text"]


def test_sarif_is_deterministic(sample: ScanResult) -> None:
    again = run_scan(FIXTURES / "sample-repo")
    assert sarif_report.render(sample) == sarif_report.render(again)


def test_sarif_level_follows_the_lifecycle(sarif: dict) -> None:
    by_id = {}
    for result in sarif["runs"][0]["results"]:
        by_id.setdefault((result["properties"]["modelId"], result["properties"]["role"]),
                         result)
    retired = by_id[("ft:gpt-3.5-turbo-0125:acme-support:legacy-router:8S542QSs", "definition")]
    assert retired["level"] == "error"
    assert retired["properties"]["status"] == "retired"
    assert "already fail" in retired["message"]["text"]
    mention = by_id[("ft:gpt-3.5-turbo-0125:acme-support:legacy-router:8S542QSs", "mention")]
    assert mention["level"] == "note"


def test_json_report_is_valid_and_complete(sample: ScanResult) -> None:
    report = json.loads(scan_reporter("json").render(sample))
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(report)
    assert report["summary"]["findings"] == len(sample.findings) == len(report["findings"])
    assert report["summary"]["findingsByLevel"]["error"] == sum(
        1 for f in report["findings"] if f["level"] == "error")
    assert report["asOf"] == "2026-11-22"
    ranker = next(f for f in report["findings"] if f["path"].endswith("deploy/k8s/ranker.yaml"))
    assert ranker["context"] == "env RANKER_MODEL"
    assert ranker["baseModel"] == "gpt-4o-mini-2024-07-18"
    assert ranker["daysLeft"] == 53 and ranker["shutdownDate"] == "2027-01-14"
    assert ranker["parts"]["suffix"] == "ranker-v3"


def test_csv_has_one_row_per_finding(sample: ScanResult) -> None:
    rows = list(csv.DictReader(io.StringIO(scan_reporter("csv").render(sample))))
    assert len(rows) == len(sample.findings)
    assert {r["modelId"] for r in rows} == {f.model_id for f in sample.findings}


def test_markdown_is_a_table_with_every_finding(sample: ScanResult) -> None:
    text = scan_reporter("markdown").render(sample)
    table_rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(table_rows) == len(sample.findings)


def test_text_groups_by_file_and_ends_with_a_summary(sample: ScanResult) -> None:
    text = scan_reporter("text").render(sample)
    assert "fixtures/sample-repo/infra/main.tf\n" in text
    assert "\x1b[" not in text
    *_, summary, advice = text.rstrip().splitlines()
    assert summary.startswith(f"{len(sample.findings)} findings (")
    assert advice.startswith("To accept a finding") and "ftscan baseline create" in advice
    assert "\x1b[" in scan_reporter("text").render(sample, color=True)
