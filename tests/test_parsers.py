"""Each file kind's parser, one behaviour per test: what is found, where, with which role and
name. ``findings(name, source)`` scans one file and returns (line, col, rule, role, context)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import run_scan, write

from ftscan.reporters import sarif as sarif_report

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"
Row = tuple[int, int, str, str, "str | None"]


@pytest.fixture
def findings(repo: Path):  # noqa: ANN201
    def scan_one(name: str, source: str) -> list[Row]:
        write(repo, name, textwrap.dedent(source))
        result = run_scan(repo)
        assert not result.diagnostics, [d.render() for d in result.diagnostics]
        return [
            (f.location.start_line, f.location.start_column, f.rule_id, f.role.value, f.context)
            for f in result.findings
        ]

    return scan_one


# ---------------------------------------------------------------- Python


def test_python_literals_and_their_names(findings) -> None:  # noqa: ANN001
    rows = findings("app.py", f'''\
        import os
        A = "{FT}"
        B = os.getenv("MODEL", "{FT}")
        C = {{"ranker": "{FT}"}}
        class Cfg:
            model: str = "{FT}"
        client.create(model="{FT}")
    ''')
    assert rows == [
        (2, 6, "FT001", "definition", "A"),
        (3, 25, "FT001", "definition", "default of env MODEL"),
        (4, 17, "FT001", "definition", 'C["ranker"]'),
        (6, 19, "FT001", "definition", "Cfg.model"),
        (7, 22, "FT001", "definition", "model="),
    ]


def test_python_docstrings_and_comments_are_mentions(findings) -> None:  # noqa: ANN001
    rows = findings("app.py", f'''\
        """Uses {FT}."""
        def f():
            """Also {FT}."""
            return 1  # was {FT}
    ''')
    assert [(r[0], r[3]) for r in rows] == [(1, "mention"), (3, "mention"), (4, "mention")]


def test_python_implicit_concatenation_reports_where_the_string_begins(findings) -> None:  # noqa: ANN001
    rows = findings("app.py", '''\
        M = (
            "ft:gpt-4o-mini-2024-07-18:acme:"
            "ranker:AbCd1234"
        )
    ''')
    assert rows == [(2, 5, "FT001", "definition", "M")]


@pytest.mark.parametrize(
    "expression",
    [
        'f"ft:{base}:acme:{suffix}:{job}"',
        '"ft:" + base + ":acme::" + job',
        '"ft:{}:acme::{}".format(base, job)',
        '"ft:%s:acme::%s" % (base, job)',
        'f"openai/ft:{base}:acme::{job}"',
    ],
)
def test_python_ids_built_at_run_time_are_dynamic(findings, expression: str) -> None:  # noqa: ANN001
    rows = findings("app.py", f"M = {expression}\n")
    assert [(r[0], r[2], r[3]) for r in rows] == [(1, "FT001", "dynamic")]


@pytest.mark.parametrize(
    "source",
    [
        'ok = m.startswith("ft:")\n',
        'p = "ft:" in m\n',
        'label = f"left: {x}"\n',
        'family = m.split(":")[1]\n',
    ],
)
def test_python_lookalikes_are_silent(findings, source: str) -> None:  # noqa: ANN001
    assert findings("app.py", source) == []


def test_python_bytes_literal_is_a_definition(findings) -> None:  # noqa: ANN001
    rows = findings("app.py", f'BODY = b"{{\\"model\\": \\"{FT}\\"}}"\n')
    assert rows == [(1, 24, "FT001", "definition", "BODY")]


def test_python_literal_concatenation_is_a_definition(findings) -> None:  # noqa: ANN001
    rows = findings("app.py", 'M = "ft:gpt-4o-mini-2024-07-18:" + "acme:ranker:AbCd1234"\n')
    assert rows == [(1, 5, "FT001", "definition", "M")]


# ---------------------------------------------------------------- notebooks


def test_notebook_findings_land_on_the_raw_line_and_column(repo: Path) -> None:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"Old: {FT}\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["%matplotlib inline\n", "x = 1\n", f'MODEL = "café {FT}"\n']},
    ]
    text = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                      indent=1, ensure_ascii=False)
    write(repo, "eval.ipynb", text)
    result = run_scan(repo)
    rows = {(f.location.start_line, f.role.value) for f in result.findings}
    lines = text.splitlines()
    code_line = next(i for i, line in enumerate(lines, 1) if "MODEL" in line)
    md_line = next(i for i, line in enumerate(lines, 1) if "Old:" in line)
    assert rows == {(code_line, "definition"), (md_line, "mention")}
    code = next(f for f in result.findings if f.role.value == "definition")
    assert lines[code_line - 1][code.location.start_column - 1:].startswith(FT)


# ---------------------------------------------------------------- env, shell, Dockerfile


def test_env_file_forms(findings) -> None:  # noqa: ANN001
    rows = findings(".env.production", f"""\
        A={FT}
        export B="{FT}" # trailing comment
        C='{FT}'
        # D={FT}
        E=plain
    """)
    assert rows == [
        (1, 3, "FT001", "definition", "env A"),
        (2, 11, "FT001", "definition", "env B"),
        (3, 4, "FT001", "definition", "env C"),
        (4, 5, "FT001", "mention", None),
    ]


def test_dockerfile_env_arg_and_commands(findings) -> None:  # noqa: ANN001
    rows = findings("Dockerfile", f"""\
        FROM python:3.12
        ARG MODEL={FT}
        ENV LEGACY {FT}
        ENV A=1 \\
            B="{FT}"
        # {FT}
        CMD ["serve", "--model", "{FT}"]
    """)
    assert rows == [
        (2, 11, "FT001", "definition", "env MODEL"),
        (3, 12, "FT001", "definition", "env LEGACY"),
        (5, 8, "FT001", "definition", "env B"),
        (6, 3, "FT001", "mention", None),
        (7, 27, "FT001", "definition", None),
    ]


# ---------------------------------------------------------------- YAML


def test_yaml_multi_document_anchors_and_env_names(findings) -> None:  # noqa: ANN001
    rows = findings("deploy.yaml", f"""\
        x: 1
        ---
        base: &model "{FT}"
        services:
          api:
            environment:
              - RANKER={FT}
          worker:
            environment:
              MODEL: *model
        # {FT}
    """)
    assert rows == [
        (3, 15, "FT001", "definition", "env MODEL"),
        (7, 16, "FT001", "definition", "env RANKER"),
        (11, 3, "FT001", "mention", None),
    ]


def test_kubernetes_env_list_is_named_by_variable(findings) -> None:  # noqa: ANN001
    rows = findings("k8s.yml", f"""\
        env:
          - name: RANKER_MODEL
            value: {FT}
    """)
    assert rows == [(3, 12, "FT001", "definition", "env RANKER_MODEL")]


def test_variables_a_workflow_script_sets_are_named_by_variable(findings) -> None:  # noqa: ANN001
    """A step's script writing a container's configuration through a heredoc, or setting a
    variable, binds it as a manifest or a script does; other lines keep the step's key."""
    rows = findings(".github/workflows/deploy.yml", f"""\
        jobs:
          deploy:
            steps:
              - run: |
                  cat > app.yaml << EOF
                  containers:
                    - env:
                        - name: RANKER_MODEL
                          value: "{FT}"
                  EOF
                  export SCORER_MODEL={FT}
                  echo {FT}
    """)
    assert rows == [(9, 27, "FT001", "definition", "env RANKER_MODEL"),
                    (11, 31, "FT001", "definition", "env SCORER_MODEL"),
                    (12, 16, "FT001", "definition", "jobs.deploy.steps[0].run")]


def test_helm_template_goes_to_the_text_pass_quietly(findings) -> None:  # noqa: ANN001
    rows = findings("templates/d.yaml", f"""\
        value: {{{{ .Values.model | default "{FT}" }}}}
        # {{{{/* {FT} */}}}}
    """)
    assert [(r[0], r[3]) for r in rows] == [(1, "definition"), (2, "mention")]


# ---------------------------------------------------------------- Terraform, TOML, JSON


def test_terraform_strings_heredocs_and_addresses(findings) -> None:  # noqa: ANN001
    rows = findings("main.tf", f'''\
        variable "model" {{
          default = "{FT}"
        }}
        resource "aws_lambda_function" "digest" {{
          environment {{
            variables = {{
              MODEL = "{FT}"
            }}
          }}
        }}
        locals {{
          built = "ft:${{var.base}}:acme::${{var.job}}"
          doc = <<EOT
        uses {FT}
        EOT
        }}
        // {FT}
    ''')
    assert rows == [
        (2, 14, "FT001", "definition", "var.model.default"),
        (7, 16, "FT001", "definition", "env MODEL"),
        (12, 11, "FT001", "dynamic", "local.built"),
        (14, 6, "FT001", "definition", "local.doc"),
        (17, 4, "FT001", "mention", None),
    ]


def test_terraform_ecs_container_environment(findings) -> None:  # noqa: ANN001
    rows = findings("ecs.tf", f'''\
        resource "aws_ecs_task_definition" "api" {{
          container_definitions = jsonencode([{{
            name        = "api"
            environment = [{{ name = "RANKER_MODEL", value = "{FT}" }}]
          }}])
        }}
    ''')
    assert rows == [(4, 54, "FT001", "definition", "env RANKER_MODEL")]


def test_toml_key_paths(findings) -> None:  # noqa: ANN001
    rows = findings("pyproject.toml", f"""\
        [tool.llm]
        ranker = "{FT}"  # {FT}
        [tool.llm.models]
        "tagger" = "{FT}"
    """)
    assert rows == [
        (2, 11, "FT001", "definition", "tool.llm.ranker"),
        (2, 62, "FT001", "mention", None),
        (4, 13, "FT001", "definition", "tool.llm.models.tagger"),
    ]


def test_json_positions_survive_escapes(findings) -> None:  # noqa: ANN001
    rows = findings("c.json", '{"a\\"b": {"list": ["\\u00e9", "' + FT + '"]}}\n')
    assert rows == [(1, 31, "FT001", "definition", 'a"b.list[1]')]


def test_text_pass_knows_comment_syntax(findings) -> None:  # noqa: ANN001
    rows = findings("client.go", f"""\
        // {FT}
        var url = "http://x//y"
        var m = "{FT}"
        /* {FT}
        */
    """)
    assert [(r[0], r[3]) for r in rows] == [(1, "mention"), (3, "definition"), (4, "mention")]


def test_rows_of_a_results_table_are_one_mention_per_id(repo: Path) -> None:
    """An evaluation results CSV (found with 12,645 rows of ids in a research repository)
    records which model answered; it is not 12,645 places that call a model, nor 12,645 notes:
    one finding per id per table, counting the lines that hold it and naming the first few, in
    a table read whole, read in pieces, or a JSONL of requests."""
    rows = "\n".join(f"q{i},{FT if i % 3 else FT2},0.{i % 10}" for i in range(300))
    write(repo, "results/eval.csv", f"question,model,score\n{rows}\n")
    write(repo, "results/big.tsv", "model\tscore\n" + f"{FT}\t1\n" * 2000)
    write(repo, "batch/requests.jsonl", "".join(
        f'{{"custom_id": "r{i}", "body": {{"model": "{FT}"}}}}\n' for i in range(50)))
    result = run_scan(repo, max_file_size=10_000)  # the TSV is read in pieces
    found = {(f.location.path, f.model_id, f.role.value, f.location.start_line,
              f.lines.count if f.lines else 1, f.lines.first if f.lines else ())
             for f in result.findings}
    assert found == {
        ("results/eval.csv", FT2, "mention", 2, 100, (2, 5, 8, 11, 14)),
        ("results/eval.csv", FT, "mention", 3, 200, (3, 4, 6, 7, 9)),
        ("results/big.tsv", FT, "mention", 2, 2000, (2, 3, 4, 5, 6)),
        ("batch/requests.jsonl", FT, "definition", 1, 50, (1, 2, 3, 4, 5))}
    (big,) = [f for f in result.findings if f.location.path == "results/big.tsv"]
    assert "and on 1,999 more lines of this file (lines 2, 3, 4, 5, 6, ...)" in big.message
    report = json.loads(sarif_report.render(result))
    assert {r["properties"]["ftscan/lines"]["count"]
            for r in report["runs"][0]["results"]} == {100, 200, 2000, 50}


_ORDER_PROBE = '''\
@decorator("a")
def f(x: "b" = "c", *, y="d") -> "e":
    return "f" if "g" else "h"


call(key="i", other="j")
try:
    pass
except Error("k") as err:
    pass
match v:
    case "l" if "m":
        pass
type Alias[T: "n"] = list["o"]
'''


def test_python_strings_come_out_in_source_order() -> None:
    """ftscan walks libcst trees itself, field by field: the nodes whose fields are declared
    out of source order (decorators, return annotations, keyword arguments, conditional
    expressions, except clauses, match guards) must still be visited in the order written."""
    from ftscan.languages.python.strings import parse_python

    strings = [fact.value for fact in parse_python(_ORDER_PROBE).strings]
    assert strings == list("abcdefghijklmno")


def test_python_offsets_match_libcst_positions() -> None:
    """The character-counting codegen gives every node the span libcst's PositionProvider
    gives it (but for the module itself, which may end one phantom newline later)."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from ftscan.languages.python.cst import node_offsets
    from ftscan.textpos import LineIndex

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    sources = [*fixtures.rglob("*.py"), Path(textwrap.__file__), Path(json.__file__)]
    checked = 0
    for path in sources:
        text = path.read_text(encoding="utf-8")
        module = cst.parse_module(text)
        index = LineIndex(text)
        positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        offsets = node_offsets(module)
        for node, pos in positions.items():
            if isinstance(node, cst.Module):
                continue
            expected = (index.offset(pos.start.line, pos.start.column),
                        index.offset(pos.end.line, pos.end.column))
            assert offsets[node] == expected, (path, type(node).__name__)
            checked += 1
    assert checked > 5000
