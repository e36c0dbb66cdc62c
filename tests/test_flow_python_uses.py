"""Python use sites, round two: shapes of real code the resolver missed (or reported where no
model is called), each written here from scratch. ``uses(repo)`` scans and returns (path,
line) of every use; ``reached(repo)`` maps each use line to the ids (or the outside value)
that reach it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import run_scan, write

from ftscan.models import Role

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"


def _write(repo: Path, rel: str, source: str) -> None:
    write(repo, rel, textwrap.dedent(source))


def uses(repo: Path) -> list[tuple[str, int]]:
    result = run_scan(repo)
    return sorted((f.location.path, f.location.start_line) for f in result.findings
                  if f.role is Role.USE)


def reached(repo: Path) -> dict[tuple[str, int], set[str]]:
    """Each use → the ids that reach it, or what holds the value set outside."""
    result = run_scan(repo)
    return {(f.location.path, f.location.start_line): set(f.model_ids) or {str(f.outside)}
            for f in result.findings if f.role is Role.USE}


# ---------------------------------------------------------------- code that never runs


def test_code_after_an_early_return_calls_no_model(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        MODELS = ["{FT}"]

        def run():
            print(MODELS)
            return
            for model in MODELS:
                client.chat.completions.create(model=model, messages=[])

        def live():
            for model in MODELS:
                client.chat.completions.create(model=model, messages=[])
                continue
                client.responses.create(model=model, input="never")
    ''')
    assert uses(repo) == [("app.py", 11)]


# ---------------------------------------------------------------- values through built-ins


def test_ordered_dicts_copies_and_string_clean_ups_keep_the_model(repo: Path) -> None:
    _write(repo, "models.py", f'''\
        import copy
        from collections import OrderedDict

        GROUPS = OrderedDict({{"ranker": ["{FT}"]}})
        TAGGERS = copy.deepcopy({{"tagger": "openai/{FT2}"}})
    ''')
    _write(repo, "run.py", '''\
        from models import GROUPS, TAGGERS

        for model in GROUPS["ranker"]:
            client.chat.completions.create(model=model, messages=[])
        name = TAGGERS["tagger"].replace("openai/", "").removeprefix("openai/")
        client.chat.completions.create(model=name, messages=[])
    ''')
    assert reached(repo) == {("run.py", 4): {FT}, ("run.py", 6): {FT2}}


def test_a_prefix_put_on_the_model_keeps_it(repo: Path) -> None:
    _write(repo, "registry.py", f'''\
        MODELS = {{"ranker": ["{FT}"], "tagger": ["{FT2}"]}}

        def inspect_ids(models=MODELS):
            for group, ids in models.items():
                for model_id in ids:
                    yield "openai/" + model_id
    ''')
    _write(repo, "run.py", '''\
        from registry import MODELS, inspect_ids

        def ask(model, prompt):
            return client.chat.completions.create(model=f"openai/{model}", messages=prompt)

        for name in MODELS["ranker"]:
            ask(name, [])
        litellm.completion(model=list(inspect_ids())[0], messages=[])
        client.chat.completions.create(model="openai/%s" % MODELS["tagger"][0], messages=[])
        client.chat.completions.create(model=f"ft:gpt-4o-mini:{ORG}::AbCd1234", messages=[])
    ''')
    # the wrapper's call and its model call; the generator's ids; the %-format; and not the
    # template that writes an id out (a definition, not a use)
    assert reached(repo) == {("run.py", 4): {FT}, ("run.py", 7): {FT},
                             ("run.py", 8): {FT, FT2}, ("run.py", 9): {FT2}}


# ---------------------------------------------------------------- object state


def test_a_property_returns_what_its_method_returns(repo: Path) -> None:
    _write(repo, "runner.py", '''\
        class Wrapper:
            def __init__(self, model):
                self.model = model

        class Runner:
            def __init__(self, model):
                self.wrapper = Wrapper(model)

            @property
            def model(self):
                return self.wrapper.model

            def get_text(self, messages):
                return client.chat.completions.create(model=self.model, messages=messages)
    ''')
    _write(repo, "run.py", f'''\
        from runner import Runner

        Runner("{FT}").get_text([])
    ''')
    # the model call, and the calls that hand the id to the objects that keep it for it
    assert uses(repo) == [("run.py", 3), ("runner.py", 7), ("runner.py", 14)]


def test_an_object_called_runs_its_call_method(repo: Path) -> None:
    _write(repo, "api.py", '''\
        async def _complete(*, client, model, prompt):
            return await client.chat.completions.create(model=model, messages=prompt)

        class OpenAIAPI:
            def __init__(self, client=None):
                self.client = client

            async def __call__(self, model, prompt):
                model = model.replace("openai/", "")
                return await _complete(client=self.client, model=model, prompt=prompt)

        def build_api(model):
            return OpenAIAPI()

        async def get_response(model, prompt):
            api = build_api(model)
            return await api(model, prompt)
    ''')
    _write(repo, "run.py", f'''\
        from api import get_response

        TARGET = "{FT}"
        get_response(TARGET, "hi")
    ''')
    assert uses(repo) == [("api.py", 2), ("api.py", 10), ("api.py", 17), ("run.py", 4)]


# ---------------------------------------------------------------- calls made for the code


def test_a_function_run_in_a_thread_is_called_with_the_arguments_after_it(repo: Path) -> None:
    _write(repo, "rag.py", '''\
        class Pipeline:
            def call_gpt(self, prompt, model_name=None):
                return client.chat.completions.create(model=model_name, messages=prompt)

        rag = Pipeline()
    ''')
    _write(repo, "bot.py", f'''\
        import asyncio
        import os
        from concurrent.futures import ThreadPoolExecutor
        from rag import rag

        async def reply(prompt):
            model = os.getenv("FINE_TUNED_MODEL")
            await asyncio.to_thread(rag.call_gpt, prompt, model)
            await asyncio.get_running_loop().run_in_executor(None, rag.call_gpt, prompt,
                                                             "{FT}")
            ThreadPoolExecutor().submit(rag.call_gpt, prompt, model_name="{FT2}")
    ''')
    assert reached(repo) == {("rag.py", 3): {FT, FT2},
                             ("bot.py", 8): {"env FINE_TUNED_MODEL"},
                             ("bot.py", 10): {FT}, ("bot.py", 11): {FT2}}


# ---------------------------------------------------------------- models made outside


def test_a_jobs_model_read_by_key_or_from_a_checkpoint_is_set_outside(repo: Path) -> None:
    _write(repo, "app.py", '''\
        import argparse
        import openai

        def generate(model_name=None, prompt=None):
            return openai.Completion.create(model=model_name, prompt=prompt)

        def latest(manager, experiment):
            checkpoint = manager.get_latest_checkpoint(experiment)
            client.chat.completions.create(model=checkpoint.fine_tuned_model_checkpoint,
                                           messages=[])

        model = openai.FineTune.retrieve(id=JOB)["fine_tuned_model"]
        generate(model, prompt="hi")
        state = load_state()
        client.chat.completions.create(model=state.get("fine_tuned_model"), messages=[])

        parser = argparse.ArgumentParser()
        parser.add_argument("--fine_tuned_model_id")
        parser.add_argument("--model")
        args = parser.parse_args()
        generate(args.fine_tuned_model_id, "hi")
        generate(args.model, "hi")
    ''')
    found = reached(repo)
    assert {line for _, line in found} == {5, 9, 13, 15, 21}
    assert found[("app.py", 21)] == {"command-line option --fine_tuned_model_id"}
    assert "fine_tuned_model_checkpoint" in next(iter(found[("app.py", 9)]))


def test_the_provider_api_answered_by_the_repositorys_own_facade_is_the_use(repo: Path) -> None:
    """An SDK's own client mimics the provider's (``client.chat.completions.create``, each
    step a property returning the client): the call spelled like the provider's API is where
    the model goes; what the facade does inside is the SDK's, not another use per method."""
    _write(repo, "sdk.py", '''\
        class Client:
            def __init__(self, create_fn):
                self.create_fn = create_fn

            @property
            def chat(self):
                return self

            @property
            def completions(self):
                return self

            def create(self, messages, **kwargs):
                return self.create_fn(messages=messages, **kwargs)

        def distil(client, model):
            return client.chat.completions.create(model=model, messages=[])
    ''')
    _write(repo, "example.py", f'''\
        from sdk import Client, distil

        distil(Client(openai_create), "{FT}")
    ''')
    assert uses(repo) == [("example.py", 3), ("sdk.py", 17)]


# ---------------------------------------------------------------- the same answer every time


def test_which_values_a_full_node_keeps_does_not_depend_on_the_hash_seed(repo: Path) -> None:
    """More ids reach the model call than a node holds: the ones it keeps are the same in
    every process (the order rules ran in followed the order of a set of objects, which
    Python's hash seed decides, and a repository's uses changed from one scan to the next)."""
    from ftscan.flow.graph import VALUE_LIMIT

    groups, size = 40, VALUE_LIMIT // 30  # 40 lists whose ids together overflow a node
    lines = ["GROUPS = ["]
    for g in range(groups):
        ids = ", ".join(f'"ft:gpt-4o-mini-2024-07-18:acme:g{g}m{i}:AbCd{i:04d}"'
                        for i in range(size))
        lines.append(f"    [{ids}],")
    lines += ["]", "for group in GROUPS:", "    for m in group:",
              "        client.chat.completions.create(model=m, messages=[])"]
    write(repo, "app.py", "\n".join(lines) + "\n")
    kept = []
    for seed in ("1", "2", "3"):
        out = subprocess.run(
            [sys.executable, "-m", "ftscan", "scan", str(repo), "--format", "json",
             "--no-cache", "--fail-on", "never"], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        (use,) = [f for f in json.loads(out)["findings"] if f["role"] == "use"]
        kept.append(sorted(use["modelIds"]))
    assert len(kept[0]) <= VALUE_LIMIT
    assert kept[0] == kept[1] == kept[2]


def test_functions_that_call_each_other_are_answered_whatever_is_asked_first(
        repo: Path) -> None:
    """``p`` passes the model to ``q``, which passes it back to ``p``, which calls the model.
    Asked about ``p`` first, the walk of ``q`` took ``p``'s answer while ``p`` was still being
    walked (no) and kept it: ``q(FT)`` and the call of ``q`` inside ``p`` were never uses."""
    _write(repo, "a_main.py", f'''\
        from lib import p, q

        p("{FT}")
        q("{FT}")
    ''')
    _write(repo, "lib.py", '''\
        def p(m):
            q(m)
            client.chat.completions.create(model=m, messages=[])

        def q(m):
            p(m)
    ''')
    assert uses(repo) == [("a_main.py", 3), ("a_main.py", 4), ("lib.py", 2), ("lib.py", 3),
                          ("lib.py", 6)]


# ---------------------------------------------------------------- libraries' objects


def test_a_librarys_state_and_callables_carry_the_model(repo: Path) -> None:
    _write(repo, "engines.py", f'''\
        from langchain_openai import ChatOpenAI
        from langchain_google_vertexai import VertexAI

        ENGINES = {{
            "tuned": {{"constructor": ChatOpenAI, "params": {{"model": "{FT}"}}}},
            "vertex": {{"constructor": VertexAI, "params": {{"model_name": "gemini-pro"}}}},
        }}

        def get_llm(name):
            config = ENGINES[name]
            constructor = config["constructor"]
            return constructor(**config["params"])
    ''')
    _write(repo, "check.py", '''\
        import streamlit as st

        def check(job):
            st.session_state.tuned_model = job.fine_tuned_model
    ''')
    _write(repo, "app.py", '''\
        import streamlit as st
        from inference import ask

        ask(st.session_state.tuned_model, "hi")
    ''')
    _write(repo, "inference.py", '''\
        def ask(model, question):
            return client.chat.completions.create(model=model, messages=[question])
    ''')
    found = reached(repo)
    assert found[("engines.py", 12)] == {FT}
    assert found[("app.py", 4)] == found[("inference.py", 2)] == {
        "a fine-tuning job's result, job.fine_tuned_model"}


# ---------------------------------------------------------------- collections filled at run time


def test_a_defaultdict_filled_under_run_time_keys_is_read_by_any_key(repo: Path) -> None:
    _write(repo, "build.py", '''\
        from collections import defaultdict

        def build_models(configs, runner):
            models = defaultdict(list)
            for config in configs:
                checkpoint = runner.get_latest_checkpoint(config.id)
                models[config.dataset].append(checkpoint.fine_tuned_model_checkpoint)
            models["gpt-4o"].append("gpt-4o")
            return models

        def by_org(groups):
            orgs = defaultdict(lambda: defaultdict(list))
            for group, ids in groups.items():
                for model_id in ids:
                    orgs[model_id.split(":")[2]][group].append(model_id)
            return orgs
    ''')
    _write(repo, "eval.py", f'''\
        from build import build_models, by_org

        red = build_models(CONFIGS, RUNNER)["sys-red"][0]
        client.chat.completions.create(model=red, messages=[])
        for group, ids in by_org({{"tuned": ["{FT}"]}})["acme"].items():
            for model_id in ids:
                client.chat.completions.create(model=model_id, messages=[])
    ''')
    found = reached(repo)
    assert "fine_tuned_model_checkpoint" in next(iter(found[("eval.py", 4)]))
    assert found[("eval.py", 7)] == {FT}


def test_an_evaluation_over_a_list_of_models_uses_each(repo: Path) -> None:
    _write(repo, "registry.py", f'''\
        MODELS = {{"ranker": ["{FT}"], "tagger": ["{FT2}"], "base": ["gpt-4o"]}}

        def inspect_ids(models=MODELS):
            for ids in models.values():
                for model_id in ids:
                    yield "openai/" + model_id
    ''')
    _write(repo, "run.py", '''\
        from inspect_ai import eval_set
        from strong_reject.generate import generate_to_dataset
        from registry import MODELS, inspect_ids

        def evaluate(groups, task):
            for group, ids in groups.items():
                eval_set(tasks=[task], model=[f"openai/{m}" for m in ids], log_dir="logs")

        eval_set(model=list(inspect_ids()), tasks=TASKS, log_dir="logs")
        evaluate({"tuned": MODELS["ranker"]}, TASK)
        for model_id in MODELS["tagger"]:
            generate_to_dataset(DATASET, [model_id], target_column="prompt")
        print([f"openai/{m}" for m in MODELS["ranker"]])
    ''')
    assert reached(repo) == {("run.py", 7): {FT}, ("run.py", 9): {FT, FT2},
                             ("run.py", 10): {FT}, ("run.py", 12): {FT2}}


# ---------------------------------------------------------------- configuration read at run time


def test_a_configuration_file_loaded_at_run_time_holds_its_ids(repo: Path) -> None:
    write(repo, "data/finetuning/state.json", f'{{"job_id": "ftjob-1", '
                                              f'"fine_tuned_model": "{FT}"}}\n')
    write(repo, "backend/config/settings.yaml", f"openai:\n  model_name: {FT2}\n")
    write(repo, "backend/config/other.toml", f'[llm]\nmodel = "{FT2}"\n')
    _write(repo, "backend/scripts/tune.py", '''\
        import json
        import os
        import tomllib
        from pathlib import Path
        from omegaconf import OmegaConf

        class Tuner:
            def __init__(self):
                self.state_file = Path("./data/finetuning/state.json")

            def load_state(self):
                with open(self.state_file) as f:
                    return json.load(f)

            def test(self):
                model_id = self.load_state().get("fine_tuned_model")
                client.chat.completions.create(model=model_id, messages=[])

        config = OmegaConf.load(Path(__file__).parent.parent / "config" / "settings.yaml")
        client.chat.completions.create(model=config.openai.model_name, messages=[])
        with open(os.path.join(BASE, "config", "other.toml"), "rb") as f:
            llm = tomllib.load(f)["llm"]
        client.chat.completions.create(model=llm["model"], messages=[])
        other = json.loads(Path("elsewhere.json").read_text())
        client.chat.completions.create(model=other["model"], messages=[])
    ''')
    assert reached(repo) == {("backend/scripts/tune.py", 17): {FT},
                             ("backend/scripts/tune.py", 20): {FT2},
                             ("backend/scripts/tune.py", 23): {FT2}}


def test_a_module_that_only_loads_a_configuration_file_is_read(repo: Path) -> None:
    write(repo, "config/models.yaml", f"ranker: {FT}\n")
    _write(repo, "app/run.py", '''\
        import yaml

        with open("config/models.yaml") as f:
            MODELS = yaml.safe_load(f)
        client.chat.completions.create(model=MODELS["ranker"], messages=[])
    ''')
    assert reached(repo) == {("app/run.py", 5): {FT}}


# ---------------------------------------------------------------- values checked against a list


def test_a_value_checked_against_an_allow_list_is_one_of_its_models(repo: Path) -> None:
    _write(repo, "config.py", f'''\
        ALLOWED_OPENAI = ["gpt-4o", "{FT}"]
        ALLOWED_STREAM = ["gpt-4o"]
    ''')
    _write(repo, "routes.py", '''\
        from config import ALLOWED_OPENAI, ALLOWED_STREAM
        from services import complete, stream

        def chat(body):
            if body.model in ALLOWED_OPENAI:
                return complete(body.model, body.text)
            return None

        def chat_stream(model, text):
            if model in ALLOWED_STREAM and model in ALLOWED_OPENAI:
                return stream(model, text)
            return ChatOpenAI(model=model)
    ''')
    _write(repo, "services.py", '''\
        def complete(model, text):
            return client.chat.completions.create(model=model, messages=[text])

        def stream(model, text):
            return client.chat.completions.create(model=model, messages=[text], stream=True)
    ''')
    assert uses(repo) == [("routes.py", 6), ("services.py", 2)]


def test_a_registry_whose_entries_hold_the_models_deep_down_is_followed(repo: Path) -> None:
    _write(repo, "llm/engines.py", f'''\
        from langchain_openai import ChatOpenAI
        from langchain_anthropic import ChatAnthropic

        ENGINES = {{
            "tuned": {{"constructor": ChatOpenAI, "params": {{"model": "{FT}"}}}},
            "claude": {{"constructor": ChatAnthropic, "params": {{"model": "claude-3"}}}},
        }}
    ''')
    _write(repo, "llm/models.py", '''\
        from llm.engines import ENGINES

        def get_llm(name):
            config = ENGINES[name]
            constructor = config["constructor"]
            return constructor(**config["params"])
    ''')
    result = run_scan(repo)
    (use,) = [f for f in result.findings if f.role is Role.USE]
    assert (use.location.path, use.location.start_line, use.model_ids) == (
        "llm/models.py", 6, (FT,))
    assert "of constructor" in use.message


def test_a_function_returning_a_record_of_the_jobs_model_leads_to_its_callers(
        repo: Path) -> None:
    _write(repo, "src/check.py", '''\
        def describe(job):
            return {"Status": job.status, "Fine Tuned Model": job.fine_tuned_model}

        def progress(job_id):
            return describe(client.fine_tuning.jobs.retrieve(job_id))
    ''')
    _write(repo, "app.py", '''\
        from src.check import progress

        info = progress(JOB_ID)
        client.chat.completions.create(model=info["Fine Tuned Model"], messages=[])
    ''')
    assert reached(repo) == {("app.py", 4): {"a fine-tuning job's result, job.fine_tuned_model"}}


def test_a_jobs_model_saved_to_a_file_is_used_where_the_file_is_read_back(repo: Path) -> None:
    _write(repo, "tune.py", '''\
        import json
        from pathlib import Path

        class Tuner:
            data_dir = Path("data/tuning")

            def save(self, model_id, job_id):
                models_file = self.data_dir / "tuned_models.json"
                with open(models_file) as f:
                    models = json.load(f)
                models.append({"model_id": model_id, "job_id": job_id})
                with open(models_file, "w") as f:
                    json.dump(models, f)

            def wait(self, job):
                self.save(job.fine_tuned_model, job.id)
    ''')
    _write(repo, "evaluate.py", '''\
        import json
        from pathlib import Path

        def evaluate(model_id):
            return client.chat.completions.create(model=model_id, messages=[])

        with open(Path("data/tuning/tuned_models.json")) as f:
            latest = json.load(f)[-1]["model_id"]
        evaluate(latest)
    ''')
    # the model call and the call handing it the saved model; saving it is no use
    assert uses(repo) == [("evaluate.py", 5), ("evaluate.py", 9)]


def test_a_request_body_built_beforehand_uses_the_model_where_it_puts_it_in(
        repo: Path) -> None:
    _write(repo, "analyzer.py", f'''\
        import requests

        class Analyzer:
            def __init__(self, model="{FT}"):
                self.model = model

            def analyze(self, text):
                payload = {{
                    "model": self.model,
                    "messages": [{{"role": "user", "content": text}}],
                }}
                headers = {{"Authorization": "Bearer x"}}
                return requests.post(URL, json=payload, headers=headers)

            def retried(self, text):
                payload = {{"model": self.model, "messages": [text]}}

                def attempt():
                    return requests.post(URL, json=payload)
                return breaker.call(attempt)

        def body(model):
            return {{"model": model, "messages": []}}

        def send(model):
            data = body(model)
            return requests.post(URL, json=data)

        send("{FT}")
    ''')
    # where the request's function (or the closure's) builds the body, the line writing the
    # model; where a helper builds it, the request
    assert uses(repo) == [("analyzer.py", 9), ("analyzer.py", 16), ("analyzer.py", 27),
                          ("analyzer.py", 29)]


def test_a_file_is_named_by_its_path_not_by_the_mode_or_a_folder(repo: Path) -> None:
    """``open(path, "w")`` does not write a file named ``w``, and ``os.path.join(out,
    "insights", name)`` no file named ``insights``: a module naming ``w`` or ``insights``
    is no reader of what was written (every module with the word was read)."""
    _write(repo, "save.py", '''\
        import json
        import os

        def save(job, name):
            with open(os.path.join(OUT, "insights", name), "w") as f:
                json.dump({"model": job.fine_tuned_model}, f)
    ''')
    _write(repo, "insights.py", '''\
        import json

        def read(path):
            with open(path, "r") as f:
                return json.load(f)

        insights = read("x")
        client.chat.completions.create(model=insights["model"], messages=[])
    ''')
    result = run_scan(repo)
    assert result.summary.modules_followed == {"python": 1}


def test_data_above_data_makes_readers_worth_reading_only_where_registries_nest(
        repo: Path) -> None:
    """Python registries nest (ENGINES → entry → params → model) and their readers are read;
    a JavaScript module's export object holds everything the application has, and reading
    every importer of anything above the model took a repository from 100 modules to 600."""
    write(repo, "engines.py", f'ENGINES = {{"tuned": {{"params": {{"model": "{FT}"}}}}}}\n')
    write(repo, "use_engines.py", "from engines import ENGINES\nprint(ENGINES)\n")
    write(repo, "config.js",
          f'export const app = {{ services: {{ llm: {{ model: "{FT}" }} }} }};\n')
    write(repo, "use_config.js", 'import { app } from "./config";\nconsole.log(app);\n')
    result = run_scan(repo)
    assert result.summary.modules_followed == {"python": 2, "javascript": 1}


def test_a_variable_a_deploy_workflow_writes_into_a_manifest_reaches_its_readers(
        repo: Path) -> None:
    _write(repo, ".github/workflows/deploy.yml", f'''\
        jobs:
          deploy:
            steps:
              - run: |
                  cat > app.yaml << EOF
                  env:
                    - name: OPENAI_MODEL
                      value: "{FT}"
                  EOF
    ''')
    _write(repo, "bot.py", '''\
        import asyncio, os
        from openai import OpenAI

        def call_gpt(prompt, model_name=None):
            return OpenAI().chat.completions.create(model=model_name, messages=[prompt])

        async def answer(prompt):
            model = os.getenv("OPENAI_MODEL")
            return await asyncio.to_thread(call_gpt, prompt, model)
    ''')
    assert uses(repo) == [("bot.py", 5), ("bot.py", 8), ("bot.py", 9)]


def test_an_evaluation_librarys_api_object_is_called_with_the_model(repo: Path) -> None:
    _write(repo, "evals.py", f'''\
        from tiny_eval.inference.runner import build_inference_api

        async def ask(model, prompt):
            api = build_inference_api(model)
            return await api(model, prompt, params)

        async def main():
            await ask("{FT}", "hi")
            api = build_inference_api("{FT}")
            print(api.name, api)
    ''')
    assert uses(repo) == [("evals.py", 5), ("evals.py", 8)]


def test_a_librarys_model_call_named_by_its_module_is_a_use(repo: Path) -> None:
    """The sink table names tiny_eval's ``inference.get_response`` by its module: the function
    imported from there is a model call, a function of that name elsewhere is not."""
    _write(repo, "evals.py", f'''\
        from tiny_eval.inference import get_response
        from helpers import get_response as helper_response

        async def numbers(model):
            return await get_response(model, "Think of a number")

        async def main():
            await numbers("{FT}")
            await helper_response("{FT2}", "Think of a number")
    ''')
    _write(repo, "helpers.py", '''\
        def get_response(model, prompt):
            print(model, prompt)
    ''')
    assert uses(repo) == [("evals.py", 5), ("evals.py", 8)]


def test_a_job_trained_on_a_fine_tune_set_outside_is_no_use(repo: Path) -> None:
    """A job started from a fine-tune the environment names trains on it (a training site):
    only the call that asks the model is a use."""
    _write(repo, "dpo.py", '''\
        import os
        from openai import OpenAI

        client = OpenAI()
        sft_model = os.getenv("FINE_TUNED_MODEL_ID")
        job = client.fine_tuning.jobs.create(training_file="file-abc", model=sft_model)
        client.chat.completions.create(model=sft_model, messages=[])
    ''')
    assert uses(repo) == [("dpo.py", 7)]


def test_an_env_read_only_compared_or_tested_is_no_use(repo: Path) -> None:
    """A read whose value goes nowhere (a comparison, a test) is a check of the setting; a
    read whose value is kept or passed on is where the code takes the fine-tune."""
    _write(repo, ".env", f"FINE_TUNED_MODEL_ID={FT}\n")
    _write(repo, "app.py", '''\
        import os
        from openai import OpenAI

        if not os.getenv("FINE_TUNED_MODEL_ID", "").startswith("ft:"):
            raise SystemExit("not a fine-tune")
        model = os.getenv("FINE_TUNED_MODEL_ID")
        OpenAI().chat.completions.create(model=model, messages=[])
    ''')
    _write(repo, "health.js", '''\
        const models = await openai.models.list();
        const found = models.data.find((m) => m.id === process.env.FINE_TUNED_MODEL_ID);
        const ready = process.env.FINE_TUNED_MODEL_ID && found;
    ''')
    assert uses(repo) == [("app.py", 6), ("app.py", 7)]
