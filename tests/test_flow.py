"""Values through the code real repositories write: helper functions, collections, loops,
``**kwargs``, decorators, ``getattr``, job results and env vars set outside the repository.

Each case is a shape ftscan missed on a public repository (bench/realworld/), written here
from scratch. ``uses(repo)`` scans and returns (path, line, rule) of every use."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import run_scan, write

from ftscan.models import Role

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"
FT2 = "ft:gpt-4o-2024-08-06:acme:tagger:EfGh5678"


def _write(repo: Path, rel: str, source: str) -> None:
    write(repo, rel, textwrap.dedent(source))


def uses(repo: Path, **options: object) -> list[tuple[str, int, str]]:
    result = run_scan(repo, **options)
    return sorted((f.location.path, f.location.start_line, f.rule_id) for f in result.findings
                  if f.role is Role.USE)


# ---------------------------------------------------------------- functions


def test_a_helper_between_the_registry_and_the_call(repo: Path) -> None:
    _write(repo, "registry.py", f'''\
        MODELS = {{"ranker": ["{FT}"], "tagger": ["{FT2}"]}}
    ''')
    _write(repo, "helpers.py", '''\
        def get_model_ids(table):
            ids = []
            for values in table.values():
                for value in values:
                    ids.append(value)
            return ids
    ''')
    _write(repo, "run.py", '''\
        from helpers import get_model_ids
        from registry import MODELS

        for model in list(get_model_ids(MODELS)):
            client.chat.completions.create(model=model, messages=[])
    ''')
    result = run_scan(repo)
    (use,) = [f for f in result.findings if f.role is Role.USE]
    assert (use.location.path, use.location.start_line) == ("run.py", 5)
    assert set(use.model_ids) == {FT, FT2}


def test_a_parameter_takes_the_value_of_every_call(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        RANKER = "{FT}"

        def ask(prompt, model="gpt-4o-mini"):
            return client.responses.create(model=model, input=prompt)

        def ask_kw(prompt, *, model):
            return client.responses.create(model=model, input=prompt)

        ask("hi", RANKER)
        ask_kw("hi", model=RANKER)
        ask("plain")
    ''')
    # where each function calls the model, and each call passing it the fine-tune
    assert uses(repo) == [("app.py", 4, "FT001"), ("app.py", 7, "FT001"),
                          ("app.py", 9, "FT001"), ("app.py", 10, "FT001")]


def test_a_returned_value_reaches_the_caller(repo: Path) -> None:
    _write(repo, "models.py", f'''\
        def pick(kind):
            if kind == "rank":
                return "{FT}"
            return "gpt-4o-mini"
    ''')
    _write(repo, "use.py", '''\
        from models import pick
        client.responses.create(model=pick("rank"), input="x")
    ''')
    assert uses(repo) == [("use.py", 2, "FT001")]


def test_mutual_recursion_terminates_and_links(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        def even(n, model):
            return model if n == 0 else odd(n - 1, model)

        def odd(n, model):
            return client.responses.create(model=even(n - 1, model), input="x")

        odd(3, "{FT}")
    ''')
    # the model call, and each call that passes the fine-tune on to it (even's own return
    # hands it back to odd, which calls the model)
    assert uses(repo) == [("app.py", 2, "FT001"), ("app.py", 5, "FT001"),
                          ("app.py", 7, "FT001")]


def test_methods_and_instance_attributes(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        class Ranker:
            def __init__(self, model):
                self.model = model

            def rank(self, text):
                return client.responses.create(model=self.model, input=text)

        Ranker("{FT}").rank("x")
    ''')
    # the model call, and the constructor call whose argument the instance keeps for it
    assert uses(repo) == [("app.py", 6, "FT001"), ("app.py", 8, "FT001")]


# ---------------------------------------------------------------- collections


def test_loops_and_comprehensions_over_a_registry(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        MODELS = {{"rank": ["{FT}", "gpt-4o"], "tag": ("{FT2}",)}}

        for m in MODELS["rank"]:
            client.responses.create(model=m, input="x")

        chosen = [m for m in MODELS["tag"] if m]
        client.responses.create(model=chosen[0], input="x")

        for key, values in MODELS.items():
            client.responses.create(model=values[0], input="x")
    ''')
    found = run_scan(repo).findings
    by_line = {f.location.start_line: set(f.model_ids) for f in found if f.role is Role.USE}
    assert by_line == {4: {FT}, 7: {FT2}, 10: {FT, FT2}}


def test_keyword_arguments_from_a_dict(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        params = {{"model": "{FT}", "temperature": 0}}
        client.chat.completions.create(**params, messages=[])
        other = dict(temperature=0)
        client.chat.completions.create(**other, model="gpt-4o")
    ''')
    assert uses(repo) == [("app.py", 2, "FT001")]


def test_kwargs_collected_by_a_wrapper(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        def call(prompt, **kwargs):
            return client.chat.completions.create(messages=[prompt], **kwargs)

        call("hi", model="{FT}")
    ''')
    assert uses(repo) == [("app.py", 2, "FT001")]


def test_getattr_with_a_literal_name(repo: Path) -> None:
    _write(repo, "settings.py", f'''\
        class Settings:
            MODEL = "{FT}"

        settings = Settings()
    ''')
    _write(repo, "app.py", '''\
        from settings import settings
        client.responses.create(model=getattr(settings, "MODEL"), input="x")
        client.responses.create(model=getattr(settings, "OTHER", "gpt-4o"), input="x")
    ''')
    assert uses(repo) == [("app.py", 2, "FT001")]


def test_a_decorator_argument_and_legacy_engine(repo: Path) -> None:
    _write(repo, "app.py", f'''\
        import openai
        STUDENT = "{FT}"

        @instructions.distil(model=STUDENT)
        def fn(x):
            return x

        openai.Completion.create(engine=STUDENT, prompt="x")
    ''')
    assert uses(repo) == [("app.py", 4, "FT001"), ("app.py", 8, "FT001")]


# ---------------------------------------------------------------- values set outside


def test_an_env_var_named_like_a_fine_tune_and_set_outside(repo: Path) -> None:
    _write(repo, "app.py", '''\
        import os
        TUNED = os.getenv("OPENAI_FINETUNED_MODEL")
        PLAIN = os.getenv("OPENAI_MODEL", "gpt-4o-mini")
        client.chat.completions.create(model=TUNED, messages=[])
        client.chat.completions.create(model=PLAIN, messages=[])
    ''')
    result = run_scan(repo)
    (use,) = [f for f in result.findings if f.role is Role.USE]
    assert (use.rule_id, use.location.start_line, use.model_id) == ("FT100", 4, "")
    assert use.outside == "env OPENAI_FINETUNED_MODEL" and use.confidence == "low"
    assert "comes from outside this repository (environment, secret store)" in use.message


def test_a_fine_tune_env_var_bound_in_the_repository_is_followed_instead(repo: Path) -> None:
    write(repo, ".env", f"OPENAI_FINETUNED_MODEL={FT}\n")
    _write(repo, "app.py", '''\
        import os
        client.chat.completions.create(model=os.getenv("OPENAI_FINETUNED_MODEL"), messages=[])
    ''')
    assert uses(repo) == [("app.py", 2, "FT001")]


def test_the_result_of_a_fine_tuning_job(repo: Path) -> None:
    _write(repo, "train.py", '''\
        job = client.fine_tuning.jobs.retrieve("ftjob-abc")
        print(job.fine_tuned_model)
        reply = client.chat.completions.create(
            model=client.fine_tuning.jobs.retrieve("ftjob-abc").fine_tuned_model, messages=[])
    ''')
    result = run_scan(repo)
    (use,) = [f for f in result.findings if f.role is Role.USE]
    assert (use.rule_id, use.location.start_line) == ("FT100", 4)
    assert use.outside is not None and "fine-tuning job" in use.outside


def test_a_workflow_secret_named_like_a_fine_tune(repo: Path) -> None:
    write(repo, ".github/workflows/deploy.yml", textwrap.dedent('''\
        on: push
        jobs:
          run:
            runs-on: ubuntu-latest
            env:
              CHAT_MODEL: ${{ secrets.OPENAI_FT_MODEL }}
              API_KEY: ${{ secrets.OPENAI_API_KEY }}
            steps:
              - run: python app.py
    '''))
    _write(repo, "app.py", '''\
        import os
        client.chat.completions.create(model=os.environ["CHAT_MODEL"], messages=[])
        client.chat.completions.create(model=os.environ["API_KEY"], messages=[])
    ''')
    result = run_scan(repo)
    (use,) = [f for f in result.findings if f.role is Role.USE]
    assert (use.rule_id, use.location.start_line) == ("FT100", 2)
    assert use.outside == "secrets.OPENAI_FT_MODEL"


def test_outside_uses_need_alias_resolution(repo: Path) -> None:
    _write(repo, "app.py", '''\
        import os
        client.chat.completions.create(model=os.getenv("FINE_TUNED_MODEL"), messages=[])
    ''')
    assert uses(repo) == [("app.py", 2, "FT100")]
    assert uses(repo, follow_aliases=False) == []


def test_outside_uses_have_their_own_inventory_rows(repo: Path) -> None:
    from ftscan.inventory import build
    from ftscan.reporters.inventory_csv import render as to_csv

    _write(repo, "app.py", '''\
        import os
        client.chat.completions.create(model=os.getenv("FINE_TUNED_MODEL"), messages=[])
        client.chat.completions.create(model=os.getenv("FINE_TUNED_MODEL"), messages=[])
    ''')
    inventory = build(run_scan(repo))
    (row,) = inventory.rows.values()
    assert row.shown == "set outside the repository: env FINE_TUNED_MODEL"
    assert [s.line for s in sorted(row.uses)] == [2, 3]
    assert "env FINE_TUNED_MODEL" in to_csv(inventory).splitlines()[1]


# ---------------------------------------------------------------- bounds


def test_a_name_holding_more_values_than_the_limit_is_truncated_not_hung(repo: Path) -> None:
    from ftscan.flow.graph import VALUE_LIMIT

    ids = [f"ft:gpt-4o-mini-2024-07-18:acme:m{i}:AbCd{i:04d}" for i in range(VALUE_LIMIT + 40)]
    body = ",\n".join(f'    "{model}"' for model in ids)
    write(repo, "app.py", f"MODELS = [\n{body}\n]\nfor m in MODELS:\n"
          "    client.responses.create(model=m, input='x')\n")
    result = run_scan(repo)
    (use,) = [f for f in result.findings if f.role is Role.USE]
    assert 0 < len(use.model_ids) <= VALUE_LIMIT
    assert result.summary.unresolved["truncated"] >= 1


def test_a_wrapper_taking_model_in_kwargs_is_used_where_it_is_called_and_calls_the_model(
        repo: Path) -> None:
    _write(repo, "app.py", f'''\
        def complete(*, client, **kwargs):
            return client.chat.completions.create(**kwargs)

        class Wrapper:
            def __init__(self, model):
                self.model = model

            def ask(self, prompt):
                return complete(client=c, model=self.model, messages=[prompt])

        Wrapper("{FT}").ask("x")
    ''')
    assert uses(repo) == [("app.py", 2, "FT001"), ("app.py", 9, "FT001"),
                          ("app.py", 11, "FT001")]


def test_deleting_a_job_result_is_not_a_use(repo: Path) -> None:
    _write(repo, "cleanup.py", '''\
        job = client.fine_tuning.jobs.retrieve("ftjob-abc")
        client.models.delete(job.fine_tuned_model)
        client.models.retrieve(job.fine_tuned_model)
    ''')
    assert uses(repo) == []


def test_a_registry_passed_to_an_object_made_in_a_module_not_read_yet(repo: Path) -> None:
    """A research repository's shape: scripts import a registry and hand it to an object a
    factory classmethod of another module makes; that module imports a runner from a third.
    Neither names the registry, so only the call leads there."""
    _write(repo, "models.py", f'''\
        MODELS = {{"base": ["gpt-4o"], "tuned": ["{FT}", "{FT2}"]}}
    ''')
    _write(repo, "question.py", '''\
        from runner import Runner

        class Question:
            @classmethod
            def create(cls, name):
                return cls(name)

            def __init__(self, name):
                self.name = name

            def get_df(self, model_groups):
                models = [m for group in model_groups.values() for m in group]
                todo = [m for i, m in enumerate(models) if i >= 0]
                return [Runner(model).ask(self.name) for model in todo]
    ''')
    _write(repo, "runner.py", '''\
        class Runner:
            def __init__(self, model):
                self.model = model

            def ask(self, text):
                return client.chat.completions.create(model=self.model, messages=[text])
    ''')
    _write(repo, "scripts/eval.py", '''\
        from models import MODELS
        from question import Question

        q = Question.create("wish")
        for name, group in zip(["x"], [MODELS]):
            q.get_df(group)
    ''')
    result = run_scan(repo)
    by_place = {(f.location.path, f.location.start_line): f for f in result.findings
                if f.role is Role.USE}
    # the model call, the script's call handing the registry to the code that makes it, and
    # that code handing each id to the runner it constructs
    assert set(by_place) == {("runner.py", 6), ("scripts/eval.py", 6), ("question.py", 14)}
    for use in by_place.values():
        assert set(use.model_ids) == {FT, FT2}
