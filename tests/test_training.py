"""Fine-tuning pipelines: job-creation sites in code, commands and resources, what each says
about the job, training data files, the links between them, their dates, and recipes in the
inventory. Each shape here was seen in public repositories (bench/realworld/), written anew."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
import time
from pathlib import Path

import jsonschema
import pytest
from conftest import DATA, run_scan, write

from ftscan import inventory as inv
from ftscan.models import Finding, Level, Role
from ftscan.reporters import inventory_csv, inventory_json, inventory_markdown
from ftscan.reporters import sarif as sarif_report

FT = "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234"


def _write(repo: Path, rel: str, source: str) -> None:
    write(repo, rel, textwrap.dedent(source))


def sites(repo: Path, **options: object) -> list[Finding]:
    return [f for f in run_scan(repo, **options).findings if f.role is Role.TRAINING]


def _chat(count: int) -> str:
    return "".join(json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                            {"role": "assistant", "content": "a"}]}) + "\n"
                   for i in range(count))


# ---------------------------------------------------------------- what a call says


def test_the_arguments_are_followed_through_the_module(repo: Path) -> None:
    _write(repo, "train.py", '''\
        import os
        from pathlib import Path
        BASE = "gpt-4o-mini-2024-07-18"
        DATA = os.path.join("data", "train.jsonl")
        upload = client.files.create(file=Path(DATA).open("rb"), purpose="fine-tune")
        params = {"model": BASE, "suffix": "triage", "validation_file": "file-val1"}
        client.fine_tuning.jobs.create(training_file=upload.id, **params,
                                       method={"type": "dpo"})
    ''')
    (site,) = [f.training for f in sites(repo)]
    assert site is not None
    assert (site.base_model, site.training_file, site.validation_file, site.suffix,
            site.method, site.hidden) == (
        "gpt-4o-mini-2024-07-18", "data/train.jsonl", "file-val1", "triage", "dpo", False)


def test_arguments_passed_in_a_way_not_followed_are_said_to_be_hidden(repo: Path) -> None:
    _write(repo, "train.py", '''\
        def start(params):
            return client.fine_tuning.jobs.create(**params)
    ''')
    (finding,) = sites(repo)
    assert finding.training is not None and finding.training.hidden
    assert "passed in a way not followed" in finding.message


def test_javascript_options_objects_and_uploads(repo: Path) -> None:
    _write(repo, "ft.mjs", '''\
        const file = await openai.files.create({ file: fs.createReadStream("data/t.jsonl"),
                                                 purpose: "fine-tune" });
        const options = { training_file: file.id, model: "gpt-4o-2024-08-06", suffix: "js" };
        await openai.fineTuning.jobs.create(options);
    ''')
    (site,) = [f.training for f in sites(repo)]
    assert site is not None
    assert (site.training_file, site.base_model, site.suffix) == (
        "data/t.jsonl", "gpt-4o-2024-08-06", "js")


def test_a_wrapper_named_after_the_sdk_method_is_one_job_not_two(repo: Path) -> None:
    _write(repo, "ft.js", '''\
        const { openai } = require("./api.js");
        async function createFineTune() {
          return openai.createFineTune({ training_file: "file-abc", model: "davinci" });
        }
        createFineTune();
    ''')
    _write(repo, "run.js", '''\
        const { createFineTune } = require("./helpers");
        createFineTune();
    ''')
    assert [(f.location.path, f.location.start_line, f.training and f.training.call)
            for f in sites(repo)] == [
        ("ft.js", 3, "openai.createFineTune")]


def test_posts_to_the_endpoint_in_code(repo: Path) -> None:
    _write(repo, "rest.py", '''\
        URL = "https://api.openai.com/v1/fine_tuning/jobs"
        requests.post(URL, json={"model": "gpt-4o-mini-2024-07-18", "training_file": "file-1"})
        requests.get(URL)
        requests.post(URL + "/ftjob-1/cancel")
    ''')
    _write(repo, "node.js", '''\
        https.request({ hostname: "api.openai.com", path: "/v1/fine_tuning/jobs",
                        method: "POST" });
        fetch("https://api.openai.com/v1/fine_tuning/jobs", { method: "GET" });
    ''')
    found = sorted((f.location.path, f.location.start_line) for f in sites(repo))
    assert found == [("node.js", 1), ("rest.py", 2)]


def test_curl_http_files_and_clis(repo: Path) -> None:
    _write(repo, "ci.sh", '''\
        curl -s \\
          https://api.openai.com/v1/fine_tuning/jobs \\
          -X POST -H "Content-Type: application/json" \\
          --data @job.json
        curl https://api.openai.com/v1/fine_tuning/jobs -H "Authorization: Bearer x"
        openai api fine_tuning.jobs.create -t file-9 -m gpt-4o-mini-2024-07-18 --suffix cli
        openai api fine_tuning.jobs.list
    ''')
    _write(repo, "api.rest", '''\
        POST https://api.openai.com/v1/fine_tuning/jobs
        Content-Type: application/json

        {"model": "gpt-4.1-2025-04-14", "training_file": "file-r"}

        GET https://api.openai.com/v1/fine_tuning/jobs
    ''')
    found = {(f.location.path, f.location.start_line): f.training for f in sites(repo)}
    assert sorted(found) == [("api.rest", 1), ("ci.sh", 2), ("ci.sh", 6)]
    cli = found[("ci.sh", 6)]
    assert cli is not None and (cli.training_file, cli.base_model, cli.suffix) == (
        "file-9", "gpt-4o-mini-2024-07-18", "cli")
    rest = found[("api.rest", 1)]
    assert rest is not None and rest.base_model == "gpt-4.1-2025-04-14"


def test_posts_to_a_base_url_held_elsewhere(repo: Path) -> None:
    _write(repo, "client.py", '''\
        class Client:
            def create(self, job):
                return requests.post(f"{self.base_url}/fine_tuning/jobs", json=job)
            def again(self, job):
                return requests.post(self.base_url + "/fine_tuning/jobs", json=job)
            def listed(self):
                return requests.get(f"{self.base_url}/fine_tuning/jobs")
            def cancel(self, job_id):
                return requests.post(f"{self.base_url}/fine_tuning/jobs/{job_id}/cancel")
            def own_route(self):
                return requests.post("/fine_tuning/jobs")
    ''')
    assert sorted(f.location.start_line for f in sites(repo)) == [3, 5]


def test_rest_in_languages_without_a_parser(repo: Path) -> None:
    _write(repo, "jobs.go", '''\
        const jobsURL = "https://api.openai.com/v1/fine_tuning/jobs"
        func create() {
        \treq, _ := http.NewRequest(http.MethodPost, jobsURL, body)
        \tlisted, _ := http.NewRequest(http.MethodGet, jobsURL, nil)
        \tmore, _ := http.NewRequest(http.MethodPost, jobsURL+"/"+id+"/cancel", nil)
        }
    ''')
    _write(repo, "Jobs.java", '''\
        HttpRequest.newBuilder()
            .uri(URI.create(base + "/fine_tuning/jobs"))
            .POST(BodyPublishers.ofString(json))
            .build();
    ''')
    _write(repo, "ft.bal", '''\
        json job = check openai->post("/fine_tuning/jobs", payload);
        json jobs = check openai->get("/fine_tuning/jobs");
        app.post("/fine_tuning/jobs", handler);
    ''')
    assert sorted((f.location.path, f.location.start_line) for f in sites(repo)) == [
        ("Jobs.java", 2), ("ft.bal", 1), ("jobs.go", 3)]


def test_the_host_tells_providers_that_share_a_path(repo: Path) -> None:
    _write(repo, "hosts.sh", '''\
        curl https://api.mistral.ai/v1/fine_tuning/jobs -d @job.json
        curl https://api.together.xyz/v1/fine-tunes -d @job.json
        curl https://api.openai.com/v1/fine-tunes -d @job.json
        curl "$AZURE_ENDPOINT/openai/fine_tuning/jobs?api-version=2024-10-21" -d @job.json
    ''')
    assert [(f.location.start_line, f.rule_id, f.provider) for f in sites(repo)] == [
        (1, "FT203", "mistral"), (2, "FT206", "together"), (3, "FT208", "openai"),
        (4, "FT202", "azure-openai")]


def test_a_megabyte_line_of_endpoints_is_read_in_bounded_steps(repo: Path) -> None:
    """A minified line holding the endpoint 50,000 times: each is read within a window of its
    own, not the whole line each time (which took minutes)."""
    line = 'x.post("https://api.openai.com/v1/fine_tuning/jobs");' * 20_000
    write(repo, "bundle.go", line + "\n")
    started = time.perf_counter()
    found = sites(repo)
    assert time.perf_counter() - started < 60
    assert [f.location.start_line for f in found] == [1]  # one site per line


# ------------------------------------------------------- runbooks, library engines, Terraform


def test_runbook_commands_in_markdown_shell_blocks_are_sites_prose_is_not(repo: Path) -> None:
    _write(repo, "RUNBOOK.md", '''\
        Run `openai api fine_tunes.create -t data.jsonl -m curie` to retrain.

        ```bash
        openai api fine_tuning.jobs.create -t file-rb -m gpt-4o-mini-2024-07-18 --suffix rb
        ```

        ```python
        client.fine_tuning.jobs.create(training_file="file-x", model="gpt-4o-mini-2024-07-18")
        ```

        ```
        openai api fine_tuning.jobs.create -t file-plain -m gpt-4o-mini-2024-07-18
        ```
    ''')
    (site,) = sites(repo)
    assert site.location.start_line == 4 and site.training is not None
    assert (site.training.training_file, site.training.suffix) == ("file-rb", "rb")


def test_a_runbook_command_warns_where_a_script_would_fail_the_build(repo: Path) -> None:
    """Job creation ends within the warning window: a script that creates a job is an error,
    the same command in a Markdown runbook a warning (a person runs it; no build or service
    fails), and its message says where it is."""
    command = "openai api fine_tuning.jobs.create -t 'my data.jsonl' -m gpt-4o-mini-2024-07-18"
    _write(repo, "RUNBOOK.md", f"```sh\n{command}\n```\n")
    _write(repo, "retrain.sh", command + "\n")
    report = run_scan(repo, as_of=dt.date(2026, 12, 20))
    levels = {f.location.path: f.level for f in report.findings if f.training is not None}
    assert levels == {"RUNBOOK.md": Level.WARNING, "retrain.sh": Level.ERROR}
    (runbook,) = [f for f in report.findings if f.location.path == "RUNBOOK.md"]
    assert "in a runbook creates a fine-tuning job" in runbook.message
    assert "training file my data.jsonl" in runbook.message


def test_notebook_shell_lines_are_sites_where_the_notebook_holds_them(repo: Path) -> None:
    cells = [{"cell_type": "markdown", "metadata": {},
              "source": ["openai api fine_tunes.create -t prose.jsonl -m curie"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["import os\n",
                         "!openai api fine_tunes.create -t \"a b.jsonl\" -m curie\n"]}]
    write(repo, "nb.ipynb", json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                        "nbformat_minor": 5}, indent=1))
    (site,) = sites(repo)
    line = (repo / "nb.ipynb").read_text().splitlines()[site.location.start_line - 1]
    assert "!openai api fine_tunes.create" in line and site.training is not None
    assert (site.training.base_model, site.training.training_file) == ("curie", "a b.jsonl")


def test_library_engines_create_the_job_from_their_constructor(repo: Path) -> None:
    _write(repo, "tune.py", '''\
        from llama_index.finetuning import OpenAIFinetuneEngine, MistralAIFinetuneEngine
        engine = OpenAIFinetuneEngine("gpt-4o-mini-2024-07-18", "data/events.jsonl")
        engine.finetune()
        MistralAIFinetuneEngine("open-mistral-7b", "data/m.jsonl", "data/v.jsonl").finetune()
        other = Trainer("gpt-4o")
        other.finetune()
    ''')
    found = [(f.location.start_line, f.rule_id, f.training and (
        f.training.base_model, f.training.training_file, f.training.validation_file))
        for f in sites(repo)]
    assert found == [
        (3, "FT201", ("gpt-4o-mini-2024-07-18", "data/events.jsonl", None)),
        (4, "FT203", ("open-mistral-7b", "data/m.jsonl", "data/v.jsonl"))]


def test_terraform_job_names_the_file_its_upload_resource_reads(repo: Path) -> None:
    write(repo, "data/train.jsonl", _chat(2))
    _write(repo, "infra/main.tf", '''\
        resource "openai_file" "train" {
          filepath = "../data/train.jsonl"
        }
        resource "openai_finetuning_job" "job" {
          training_file                  = openai_file.train.id
          validation_file                = openai_file.missing.id
          model                          = "gpt-4.1-nano-2025-04-14"
        }
    ''')
    (site,) = sites(repo)
    assert site.training is not None
    assert (site.location.start_line, site.training.base_model, site.training.training_file,
            site.training.validation_file, site.training.data_files) == (
        4, "gpt-4.1-nano-2025-04-14", "../data/train.jsonl", "openai_file.missing.id",
        ("data/train.jsonl",))


def test_same_api_shape_other_providers(repo: Path) -> None:
    _write(repo, "azure.py", '''\
        client = AzureOpenAI()
        client.fine_tuning.jobs.create(training_file="f", model="gpt-4.1-2025-04-14")
    ''')
    _write(repo, "mistral.py", '''\
        from mistralai.client import MistralClient
        client.jobs.create(model="open-mistral-7b", training_files=["f"])
    ''')
    _write(repo, "plain.py", '''\
        client.jobs.create(model="x")
    ''')
    found = sorted((f.location.path, f.rule_id, f.provider) for f in sites(repo))
    assert found == [("azure.py", "FT202", "azure-openai"), ("mistral.py", "FT203", "mistral")]


def test_commented_out_calls_are_mentions_and_reads_are_nothing(repo: Path) -> None:
    _write(repo, "jobs.py", '''\
        # client.fine_tuning.jobs.create(training_file="file-old", model="gpt-3.5-turbo")
        print(client.fine_tuning.jobs.retrieve("ftjob-abc").status)
        client.fine_tuning.jobs.list()
        log("fine_tuning.jobs.create succeeded")
    ''')
    _write(repo, "guide.js", '''\
        /* createFineTune.js: update the file id, then run the createFineTune script
           (node createFineTune.js) and wait for it */
        // await openai.createFineTune({ training_file: "file-1", model: "davinci" })
    ''')
    result = run_scan(repo)
    assert [(f.location.path, f.location.start_line, f.role.value, f.level.label)
            for f in result.findings] == [
        ("guide.js", 3, "mention", "note"), ("jobs.py", 1, "mention", "note")]


# ---------------------------------------------------------------- dates and levels


def test_levels_follow_when_each_provider_ends_job_creation(repo: Path) -> None:
    _write(repo, "a.py", 'client.fine_tuning.jobs.create(model="gpt-4o-mini-2024-07-18")\n')
    _write(repo, "b.py", 'openai.FineTune.create(model="davinci", training_file="f")\n')
    _write(repo, "c.py", 'from mistralai import Mistral\n'
           'client.fine_tuning.jobs.create(model="open-mistral-7b")\n')
    _write(repo, "d.py", 'bedrock.create_model_customization_job(baseModelIdentifier="x")\n')
    levels = {f.location.path: (f.level.label, f.lifecycle.status.value)
              for f in sites(repo, as_of=dt.date(2026, 8, 1))}
    assert levels == {"a.py": ("warning", "active"), "b.py": ("error", "retired"),
                      "c.py": ("warning", "deprecated"), "d.py": ("note", "unknown")}
    (late,) = [f for f in sites(repo, as_of=dt.date(2027, 1, 7)) if f.location.path == "a.py"]
    assert late.level.label == "error" and "job creation ended on 2027-01-06" in late.message


# ---------------------------------------------------------------- training data


@pytest.mark.parametrize(("record", "expected"), [
    ({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"},
                   {"role": "assistant", "content": "a"}]}, "OpenAI chat"),
    ({"messages": [{"role": "user", "content": "u"}], "tools": []}, "OpenAI chat with tools"),
    ({"input": {"messages": []}, "preferred_output": [], "non_preferred_output": []},
     "OpenAI preference (DPO)"),
    ({"prompt": "p", "completion": "c"}, "prompt/completion"),
    ({"contents": [{"role": "user", "parts": [{"text": "t"}]}]}, "Gemini contents"),
    ({"schemaVersion": "bedrock-conversation-2024", "messages": []}, "Bedrock conversation"),
    ({"model": "gpt-4o", "prompt_tokens": 3, "score": 1}, None),
    ({"question": "q", "answer": "a", "messages_count": 2}, None),
])
def test_training_formats_are_told_by_their_records(repo: Path, record: dict,
                                                    expected: str | None) -> None:
    write(repo, "data/set.jsonl", (json.dumps(record) + "\n") * 5)
    found = [f.training_data for f in run_scan(repo).findings if f.training_data]
    assert [d.format for d in found] == ([expected] if expected else [])


def test_a_json_array_and_a_malformed_line(repo: Path) -> None:
    records = [{"prompt": "p", "completion": "c"}] * 7
    write(repo, "data/array.json", json.dumps(records))
    write(repo, "data/broken.jsonl", _chat(3) + "{not json\n" + _chat(6))
    result = run_scan(repo)
    counts = {f.location.path: f.training_data.examples for f in result.findings
              if f.training_data}
    assert counts == {"data/array.json": 7, "data/broken.jsonl": 10}
    assert [(d.path, d.line) for d in result.diagnostics] == [("data/broken.jsonl", 4)]


def test_a_huge_training_file_is_sampled_and_counted_in_pieces(repo: Path) -> None:
    write(repo, "data/big.jsonl", _chat(20_000))
    (finding,) = run_scan(repo, max_file_size=100_000).findings
    assert finding.training_data is not None
    assert (finding.training_data.examples, finding.training_data.sampled) == (20_000, 20)


def test_sites_and_the_data_they_name_are_linked(repo: Path) -> None:
    write(repo, "ml/data/train.jsonl", _chat(4))
    _write(repo, "ml/train.py", '''\
        upload = client.files.create(file=open("data/train.jsonl", "rb"))
        client.fine_tuning.jobs.create(training_file=upload.id, model="gpt-4o-mini-2024-07-18")
    ''')
    result = run_scan(repo)
    site = next(f for f in result.findings if f.role is Role.TRAINING)
    data = next(f for f in result.findings if f.role is Role.TRAINING_DATA)
    assert site.training is not None and site.training.data_files == ("ml/data/train.jsonl",)
    assert data.training_data is not None and data.training_data.used_by == ("ml/train.py:2",)


# ---------------------------------------------------------------- recipes and reports


def test_recipes_in_the_inventory(repo: Path) -> None:
    write(repo, "data/train.jsonl", _chat(3))
    write(repo, ".env", f"TRIAGE={FT}\nOLD=ft:gpt-4o-mini-2024-07-18:acme:gone:Zz998877\n"
          "PLAIN=ft:gpt-4.1-2025-04-14:acme::Pp112233\n")
    _write(repo, "train.py", '''\
        client.fine_tuning.jobs.create(training_file="data/train.jsonl", suffix="triage",
                                       model="gpt-4o-mini-2024-07-18")
        client.fine_tuning.jobs.create(training_file="file-2", model="gpt-4.1-2025-04-14")
        client.fine_tuning.jobs.create(training_file="file-3", model="gpt-4o", suffix="other")
    ''')
    built = inv.build(run_scan(repo))
    rows = {r.key: r for r in built.rows.values()}
    triage = rows[FT]
    assert [s.line for s in triage.recipe_sites] == [1]
    assert triage.training_files == {"data/train.jsonl"}
    assert "export it from the provider" in (rows["ft:gpt-4o-mini-2024-07-18:acme:gone:Zz998877"]
                                             .recipe_note or "")
    assert "probably" in (rows["ft:gpt-4.1-2025-04-14:acme::Pp112233"].recipe_note or "")
    own = [r for r in built.rows.values() if r.kind == "training"]
    assert [r.suffix for r in own] == ["other"]
    document = json.loads(inventory_json.render(built))
    schema = json.loads((Path(inv.__file__).parent / "schemas" / "inventory-v3.schema.json")
                        .read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    merged = inv.merge([inv.load(_saved(repo, document))])
    assert {s.line for s in merged.rows[FT].recipe_sites} == {1}
    table = inventory_markdown.render(built)
    assert "not in repo" in table and "1 pipeline" in table
    assert "trained by train.py:1" in inventory_csv.render(built)


def _saved(repo: Path, document: dict) -> Path:
    path = repo.parent / "inventory.json"
    path.write_text(json.dumps(document))
    return path


def test_reports_with_the_new_roles_are_schema_valid(repo: Path) -> None:
    write(repo, "data/train.jsonl", _chat(2))
    _write(repo, "train.py", 'client.fine_tuning.jobs.create(training_file="data/train.jsonl")\n')
    result = run_scan(repo)
    sarif = json.loads(sarif_report.render(result))
    jsonschema.Draft7Validator(json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
                               ).validate(sarif)
    roles = {r["properties"]["role"] for r in sarif["runs"][0]["results"]}
    assert roles == {"training", "training-data"}
    from ftscan.reporters import json_

    report = json.loads(json_.render(result))
    schema = json.loads((Path(inv.__file__).parent / "schemas" / "report-v1.schema.json")
                        .read_text())
    jsonschema.Draft202012Validator(schema).validate(report)
    site = next(f for f in report["findings"] if f["role"] == "training")
    assert site["training"]["dataFiles"] == ["data/train.jsonl"]
