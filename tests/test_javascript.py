"""The JavaScript/TypeScript plug-in: strings and their names, the module resolution bundlers
and TypeScript use, and names followed to the calls that take a model.

``uses(repo)`` scans and returns (path, line, rule) of every use; ``rows(repo)`` every
finding as (path, line, role, context)."""

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


def rows(repo: Path) -> list[tuple[str, int, str, str | None]]:
    result = run_scan(repo)
    assert not result.diagnostics, [d.render() for d in result.diagnostics]
    return [(f.location.path, f.location.start_line, f.role.value, f.context)
            for f in result.findings]


# ---------------------------------------------------------------- strings


def test_strings_get_the_names_javascript_gives_them(repo: Path) -> None:
    _write(repo, "models.ts", f'''\
        export const MODELS = {{ cloud: {{ primary: "{FT}" }} }} as const;
        const TUNED = process.env.TUNED_MODEL ?? '{FT}';
        client.chat.completions.create({{ model: "{FT}", messages: [] }});
        class Ranker {{ model = `{FT}`; }}
        const list = ["gpt-4o", "{FT}"];
        // the old one: {FT}
        /** JSDoc: {FT} */
        const re = /ft:gpt/;
    ''')
    assert rows(repo) == [
        ("models.ts", 1, "definition", "MODELS.cloud.primary"),
        ("models.ts", 2, "definition", "default of env TUNED_MODEL"),
        ("models.ts", 3, "definition", "model:"),
        ("models.ts", 4, "definition", "model"),
        ("models.ts", 5, "definition", "list[1]"),
        ("models.ts", 6, "mention", None),
        ("models.ts", 7, "mention", None),
    ]


def test_template_literals_and_concatenation_are_dynamic_ids(repo: Path) -> None:
    _write(repo, "ids.js", '''\
        const a = `ft:gpt-4o-mini-2024-07-18:acme:${suffix}:${job}`;
        const b = "ft:gpt-4o-mini-2024-07-18:acme:" + suffix + ":" + job;
        const c = `plain ${x}`;
    ''')
    found = [(r[1], r[2]) for r in rows(repo)]
    assert found == [(1, "dynamic"), (2, "dynamic")]


def test_jsx_text_is_a_mention_and_look_alikes_are_silent(repo: Path) -> None:
    _write(repo, "page.jsx", f'''\
        const Box = styled.div`margin-left: 4px;`;
        const PRICES = {{ "ft:gpt-3.5-turbo": 3.0 }};
        const isFt = (m) => m.startsWith("ft:");
        export default () => <p>Served by {FT}</p>;
    ''')
    assert [(r[1], r[2]) for r in rows(repo)] == [(4, "mention")]


def test_vue_and_svelte_script_blocks_are_code(repo: Path) -> None:
    _write(repo, "Chat.vue", f'''\
        <template><p>{{{{ model }}}}</p></template>
        <script setup lang="ts">
        const model: string = "{FT}";
        await client.chat.completions.create({{ model, messages: [] }});
        </script>
    ''')
    _write(repo, "Chat.svelte", f'''\
        <script>
          const model = "{FT2}";
          openai.chat.completions.create({{ model: model, messages: [] }});
        </script>
        <p>{{model}}</p>
    ''')
    assert uses(repo) == [("Chat.svelte", 3, "FT001"), ("Chat.vue", 4, "FT001")]


def test_a_file_the_grammar_cannot_read_falls_back_to_the_text_pass(repo: Path) -> None:
    write(repo, "broken.js", f'const m = "{FT}";\nfunction (( {{\n')
    result = run_scan(repo)
    assert [f.role.value for f in result.findings] == ["definition"]
    (diagnostic,) = result.diagnostics
    assert diagnostic.path == "broken.js" and "text pass" in diagnostic.message


def test_a_minified_bundle_is_read_as_text(repo: Path) -> None:
    body = ";".join(f"var a{i}=b{i}(c{i})" for i in range(4000))
    write(repo, "static/app.bundle.js", f'{body};var m="{FT}";client.create({{model:m}})\n')
    result = run_scan(repo)
    assert [f.role.value for f in result.findings] == ["definition"]
    assert result.summary.modules_followed == {}


# ---------------------------------------------------------------- names


def test_esm_imports_exports_and_reexports(repo: Path) -> None:
    _write(repo, "src/models/ids.ts", f'export const RANKER = "{FT}";\n')
    _write(repo, "src/models/index.ts", '''\
        export * from "./ids";
        export { RANKER as DEFAULT_MODEL } from "./ids";
        import { RANKER } from "./ids";
        export default RANKER;
    ''')
    _write(repo, "src/a.ts", '''\
        import { RANKER } from "./models";
        client.chat.completions.create({ model: RANKER, messages: [] });
    ''')
    _write(repo, "src/b.ts", '''\
        import chosen, { DEFAULT_MODEL } from "./models/index.js";
        client.responses.create({ model: chosen, input: "x" });
        client.responses.create({ model: DEFAULT_MODEL, input: "x" });
    ''')
    _write(repo, "src/c.ts", '''\
        import * as models from "./models/ids";
        client.responses.create({ model: models.RANKER, input: "x" });
    ''')
    assert uses(repo) == [("src/a.ts", 2, "FT001"), ("src/b.ts", 2, "FT001"),
                          ("src/b.ts", 3, "FT001"), ("src/c.ts", 2, "FT001")]


def test_commonjs_require_and_module_exports(repo: Path) -> None:
    _write(repo, "lib/config.js", f'''\
        module.exports = {{ model: "{FT}", other: "gpt-4o" }};
        exports.tagger = "{FT2}";
    ''')
    _write(repo, "lib/app.js", '''\
        const config = require("./config");
        const { tagger } = require("./config.js");
        openai.createChatCompletion({ model: config.model, messages: [] });
        openai.createChatCompletion({ model: config.other, messages: [] });
        openai.createCompletion({ model: tagger, prompt: "x" });
    ''')
    assert uses(repo) == [("lib/app.js", 3, "FT001"), ("lib/app.js", 5, "FT001")]


def test_a_json_model_table_imported_by_code(repo: Path) -> None:
    write(repo, "data/models.json", f'{{"chat": {{"primary": "{FT}"}}, "list": ["{FT2}"]}}\n')
    _write(repo, "app.mjs", '''\
        import models from "./data/models.json" with { type: "json" };
        const table = require("./data/models.json");
        await client.responses.create({ model: models.chat.primary, input: "x" });
        await client.responses.create({ model: table.list[0], input: "x" });
    ''')
    result = run_scan(repo)
    found = {f.location.start_line: f.model_ids for f in result.findings if f.role is Role.USE}
    assert found == {3: (FT,), 4: (FT2,)}


def test_tsconfig_path_aliases_with_comments_and_workspace_packages(repo: Path) -> None:
    write(repo, "pnpm-workspace.yaml", 'packages: ["apps/*", "packages/*"]\n')
    write(repo, "packages/models/package.json",
          '{"name": "@acme/models", "exports": {".": {"import": "./src/index.ts"}}}\n')
    _write(repo, "packages/models/src/index.ts", f'export const SUPPORT = "{FT}";\n')
    _write(repo, "packages/models/src/extra.ts", f'export const EXTRA = "{FT2}";\n')
    _write(repo, "apps/web/tsconfig.json", '''\
        {
          // comments and trailing commas, as TypeScript allows
          "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["./src/*"], }, },
        }
    ''')
    _write(repo, "apps/web/src/lib/model.ts", '''\
        import { SUPPORT } from "@acme/models";
        import { EXTRA } from "@acme/models/extra";
        export const CHOSEN = SUPPORT;
        export const SECOND = EXTRA;
    ''')
    _write(repo, "apps/web/src/app/route.ts", '''\
        import { CHOSEN, SECOND } from "@/lib/model";
        export const POST = () => openai.chat.completions.create({ model: CHOSEN, messages: [] });
        export const GET = () => openai.chat.completions.create({ model: SECOND, messages: [] });
    ''')
    assert uses(repo) == [("apps/web/src/app/route.ts", 2, "FT001"),
                          ("apps/web/src/app/route.ts", 3, "FT001")]


def test_env_reads_of_every_runtime(repo: Path) -> None:
    write(repo, ".env", f"A_MODEL={FT}\nB_MODEL={FT}\nC_MODEL={FT}\nD_MODEL={FT}\n"
          f"E_MODEL={FT}\nF_MODEL={FT}\n")
    _write(repo, "env.ts", '''\
        const { A_MODEL, B_MODEL: renamed = "gpt-4o" } = process.env;
        const c = import.meta.env.C_MODEL;
        const d = Deno.env.get("D_MODEL");
        const e = Bun.env.E_MODEL;
        const f = process.env["F_MODEL"];
        for (const m of [A_MODEL, renamed, c, d, e, f]) {
          await client.responses.create({ model: m, input: "x" });
        }
    ''')
    result = run_scan(repo)
    sink = [f for f in result.findings if f.role is Role.USE and f.location.start_line == 7]
    assert len(sink) == 1
    reads = {f.location.start_line for f in result.findings if f.role is Role.USE
             and f.kind.startswith("environment read")}
    assert reads == {1, 2, 3, 4, 5}


def test_pm2_and_vercel_files_bind_environment_variables(repo: Path) -> None:
    _write(repo, "ecosystem.config.js", f'''\
        module.exports = {{ apps: [{{ name: "api", env_production: {{ TUNED: "{FT}" }} }}] }};
    ''')
    write(repo, "vercel.json", f'{{"env": {{"TAGGER": "{FT2}"}}}}\n')
    _write(repo, "server.js", '''\
        openai.chat.completions.create({ model: process.env.TUNED, messages: [] });
        openai.chat.completions.create({ model: process.env.TAGGER, messages: [] });
    ''')
    result = run_scan(repo)
    found = {f.location.start_line: f.model_ids for f in result.findings if f.role is Role.USE}
    assert found == {1: (FT,), 2: (FT2,)}


def test_classes_constructor_parameters_and_functions(repo: Path) -> None:
    _write(repo, "assistant.ts", f'''\
        export class Assistant {{
          constructor(private readonly model: string = "gpt-4o") {{}}
          ask(prompt: string) {{
            return this.client.chat.completions.create({{ model: this.model, messages: [] }});
          }}
        }}
        function make(model = "gpt-4o") {{ return new Assistant(model); }}
        make("{FT}").ask("hi");
        const ask = async ({{ model, prompt }}) =>
          openai.responses.create({{ model, input: prompt }});
        ask({{ model: "{FT2}", prompt: "x" }});
    ''')
    result = run_scan(repo)
    found = {f.location.start_line: f.model_ids for f in result.findings if f.role is Role.USE}
    # each model call, and each call of the repository's functions that passes a fine-tune on
    assert found == {4: (FT,), 7: (FT,), 8: (FT,), 10: (FT2,), 11: (FT2,)}


def test_options_objects_spread_and_passed_by_name(repo: Path) -> None:
    _write(repo, "opts.js", f'''\
        const base = {{ model: "{FT}", temperature: 0 }};
        openai.chat.completions.create({{ ...base, messages: [] }});
        const params = {{ model: "{FT2}", messages: [] }};
        openai.chat.completions.create(params);
        fetch(url, {{ method: "POST", body: JSON.stringify({{ ...params }}) }});
    ''')
    assert uses(repo) == [("opts.js", 2, "FT001"), ("opts.js", 4, "FT001"),
                          ("opts.js", 5, "FT001")]


def test_ai_sdk_providers_and_langchain(repo: Path) -> None:
    _write(repo, "ai.ts", f'''\
        import {{ openai, createOpenAI }} from "@ai-sdk/openai";
        import {{ ChatOpenAI }} from "@langchain/openai";
        const TUNED = "{FT}";
        generateText({{ model: openai(TUNED), prompt: "x" }});
        const gateway = createOpenAI({{ baseURL: "https://gw" }});
        generateText({{ model: gateway(TUNED), prompt: "x" }});
        new ChatOpenAI({{ modelName: TUNED }});
        new AzureOpenAI({{ deployment: TUNED }});
    ''')
    assert uses(repo) == [("ai.ts", 4, "FT001"), ("ai.ts", 6, "FT001"), ("ai.ts", 7, "FT001"),
                          ("ai.ts", 8, "FT001")]


def test_outside_values_in_javascript(repo: Path) -> None:
    _write(repo, "latest.mjs", '''\
        const { FINE_TUNED_MODEL, OPENAI_MODEL } = process.env;
        const job = await client.fineTuning.jobs.retrieve(id);
        await client.chat.completions.create({ model: job.fine_tuned_model, messages: [] });
        await client.chat.completions.create({ model: FINE_TUNED_MODEL, messages: [] });
        await client.chat.completions.create({ model: OPENAI_MODEL, messages: [] });
        await client.models.del(job.fine_tuned_model);
    ''')
    assert uses(repo) == [("latest.mjs", 3, "FT100"), ("latest.mjs", 4, "FT100")]


def test_a_file_without_candidates_or_bound_names_is_never_parsed(repo: Path) -> None:
    write(repo, ".env", f"MODEL={FT}\n")
    _write(repo, "uses.js", "client.create({ model: process.env.MODEL });\n")
    for i in range(20):
        _write(repo, f"ui/button{i}.tsx", "export const Button = () => <button>ok</button>;\n")
    result = run_scan(repo)
    assert result.summary.modules_followed == {"javascript": 1}
    assert uses(repo) == [("uses.js", 1, "FT001")]


def test_a_validated_env_object(repo: Path) -> None:
    """t3-env style: ``env.X`` reads what ``runtimeEnv`` maps from ``process.env``."""
    write(repo, ".env", f"SUPPORT_MODEL={FT}\n")
    _write(repo, "src/env.ts", '''\
        import { createEnv } from "@t3-oss/env-nextjs";
        import { z } from "zod";
        export const env = createEnv({
          server: { SUPPORT_MODEL: z.string() },
          runtimeEnv: { SUPPORT_MODEL: process.env.SUPPORT_MODEL },
        });
    ''')
    _write(repo, "src/chat.ts", '''\
        import { env } from "./env";
        openai.chat.completions.create({ model: env.SUPPORT_MODEL, messages: [] });
    ''')
    assert ("src/chat.ts", 2, "FT001") in uses(repo)


# ---------------------------------------------------------------- shapes of real code


def test_a_default_in_a_destructuring_pattern_is_a_value_the_name_takes(repo: Path) -> None:
    _write(repo, "service.js", f'''\
        class Service {{
          async chat(messages, options = {{}}) {{
            const {{ model = "{FT}", maxTokens = 10 }} = options;
            return openai.chat.completions.create({{ model, messages }});
          }}
        }}
        function tag({{ model: chosen = "{FT2}" }} = {{}}) {{
          return openai.chat.completions.create({{ model: chosen, messages: [] }});
        }}
    ''')
    result = run_scan(repo)
    found = {f.location.start_line: f.model_ids for f in result.findings if f.role is Role.USE}
    assert found == {4: (FT,), 8: (FT2,)}


def test_maps_and_sets_hold_what_is_put_in_them(repo: Path) -> None:
    _write(repo, "trainer.js", f'''\
        class Trainer {{
          constructor() {{ this.tuned = new Map(); }}
          async check(id) {{
            const job = await this.openai.fineTuning.jobs.retrieve(id);
            this.tuned.set(job.metadata.kind, job.fine_tuned_model);
          }}
          async answer(kind) {{
            const model = this.tuned.get(kind) || "gpt-4o";
            return this.openai.chat.completions.create({{ model, messages: [] }});
          }}
        }}
        const table = new Map([["tagger", "{FT}"]]);
        const allowed = new Set(["{FT2}"]);
        for (const m of allowed) openai.chat.completions.create({{ model: m, messages: [] }});
        openai.chat.completions.create({{ model: table.get(key), messages: [] }});
    ''')
    result = run_scan(repo)
    found = {f.location.start_line: (f.rule_id, f.model_ids)
             for f in result.findings if f.role is Role.USE}
    assert found == {9: ("FT100", ()), 14: ("FT001", (FT2,)), 15: ("FT001", (FT,))}


def test_env_reads_through_a_wrapper_a_constant_name_or_a_config_service(repo: Path) -> None:
    """``getRequired("X")`` reads env X where the repository's ``getRequired(name)`` returns
    ``process.env[name]``; ``process.env[KEY]`` with a constant ``KEY``; NestJS's
    ``configService.get("X")``. The caller of the wrapper reads no env itself: the name it
    passes, named like a fine-tune, is reason enough to read it."""
    write(repo, ".env", f"OPENAI_MODEL={FT}\n")
    _write(repo, "src/utils/env.ts", '''\
        export function getRequired(name: string): string {
          const value = process.env[name];
          if (!value) throw new Error(`Missing ${name}`);
          return value;
        }
    ''')
    _write(repo, "src/reply.ts", '''\
        import { getRequired } from "./utils/env";
        const model = useFineTune ? getRequired("FINE_TUNED_MODEL_NAME") : "gpt-4o";
        await openai.chat.completions.create({ model, messages: [] });
    ''')
    _write(repo, "src/generic.ts", '''\
        import { getRequired } from "./utils/env";
        const KEY = "OPENAI_MODEL";
        await openai.chat.completions.create({ model: getRequired("OPENAI_MODEL"), messages: [] });
        await openai.chat.completions.create({ model: process.env[KEY], messages: [] });
        const fromConfig = this.configService.get<string>("OPENAI_MODEL");
        await openai.chat.completions.create({ model: fromConfig, messages: [] });
    ''')
    result = run_scan(repo)
    found = {(f.location.path, f.location.start_line): (f.rule_id, f.model_ids)
             for f in result.findings if f.role is Role.USE}
    assert found == {("src/reply.ts", 3): ("FT100", ()),
                     ("src/generic.ts", 3): ("FT001", (FT,)),
                     ("src/generic.ts", 4): ("FT001", (FT,)),
                     ("src/generic.ts", 5): ("FT001", (FT,)),
                     ("src/generic.ts", 6): ("FT001", (FT,))}


def test_a_wrapper_is_followed_only_into_files_that_name_a_variable_that_matters(
        repo: Path) -> None:
    """Libraries are full of ``getEnvironmentVariable(name)`` helpers: in a ``node_modules``
    tree, 37 modules that import one were parsed and followed for nothing. A call reads a
    variable through such a wrapper only when it names it: files that name none the scan
    binds, and none named like a fine-tune, are not read; the others are, and report."""
    write(repo, ".env", f"OPENAI_MODEL={FT}\n")
    _write(repo, "src/utils/env.ts", '''\
        export function getRequired(name: string): string {
          return process.env[name] ?? "";
        }
    ''')
    _write(repo, "src/generic.ts", '''\
        import { getRequired } from "./utils/env";
        await openai.chat.completions.create({ model: getRequired("OPENAI_MODEL"), messages: [] });
    ''')
    _write(repo, "src/reply.ts", '''\
        import { getRequired } from "./utils/env";
        await openai.chat.completions.create({ model: getRequired("ACME_FT_MODEL"), messages: [] });
    ''')
    for n in range(20):
        _write(repo, f"src/log_{n}.ts", f'''\
            import {{ getRequired }} from "./utils/env";
            export const level{n} = getRequired("LOG_LEVEL_{n}") || "info";
        ''')
    result = run_scan(repo)
    found = {(f.location.path, f.location.start_line): f.rule_id
             for f in result.findings if f.role is Role.USE}
    assert found == {("src/generic.ts", 2): "FT001", ("src/reply.ts", 2): "FT100"}
    assert result.summary.modules_followed["javascript"] <= 3  # the wrapper, the two callers


def test_a_module_that_reads_variables_by_key_but_for_no_caller_is_not_followed(
        repo: Path) -> None:
    """``process.env[key]`` in a loop over keys (Next.js's build and config, 140 KB modules)
    looks like a wrapper in the bytes, but no caller can name a variable through it: once
    parsed, it is dropped unless it names a variable the scan binds."""
    write(repo, ".env", f"OPENAI_MODEL={FT}\n")
    _write(repo, "src/config.ts", '''\
        const defaults: Record<string, string> = { LOG_LEVEL: "info", PORT: "3000" };
        export const config: Record<string, string> = {};
        for (const key of Object.keys(defaults)) {
          config[key] = process.env[key] ?? defaults[key];
        }
    ''')
    _write(repo, "src/reply.ts", '''\
        await openai.chat.completions.create({ model: process.env.OPENAI_MODEL, messages: [] });
    ''')
    result = run_scan(repo)
    found = {(f.location.path, f.location.start_line) for f in result.findings
             if f.role is Role.USE}
    assert found == {("src/reply.ts", 1)}
    assert result.summary.modules_followed["javascript"] == 1


def test_requests_that_name_the_model_in_their_url_body_or_a_proxy_payload(repo: Path) -> None:
    legacy = "davinci:ft-personal-2023-06-22-00-43-09"
    _write(repo, "bot.js", f'''\
        async function story() {{
          const url = "https://api.openai.com/v1/engines/{legacy}/completions";
          return axios.post(url, {{ prompt: "x", max_tokens: 50 }}, {{ headers }});
        }}
        function payload({{ model, prompt }}) {{
          return {{ model, messages: [{{ role: "user", content: prompt }}], temperature: 0 }};
        }}
        async function post({{ model, prompt, fetchImpl = globalThis.fetch }}) {{
          return fetchImpl(`${{base}}/chat/completions`, {{
            method: "POST",
            body: JSON.stringify(payload({{ model, prompt }})),
          }});
        }}
        const TUNED = "{FT}";
        post({{ model: TUNED, prompt: "hi" }});
        async function viaProxy(modelOverride) {{
          await fetch("/.netlify/functions/openaiProxy", {{
            method: "POST",
            body: JSON.stringify({{ endpoint: "chat/completions",
                                   payload: {{ model: modelOverride, messages }} }}),
          }});
        }}
        viaProxy("{FT2}");
        logger.info({{ model: TUNED, body: JSON.stringify({{ model: TUNED }}) }});
        fetch(url, {{ method: "POST", body: JSON.stringify({{ meta: {{ model: TUNED }} }}) }});
    ''')
    result = run_scan(repo)
    found = {f.location.start_line: f.model_ids for f in result.findings if f.role is Role.USE}
    assert found == {3: (legacy,), 11: (FT,), 15: (FT,), 20: (FT2,), 23: (FT2,)}


def test_a_fine_tune_stored_in_a_table_and_read_back(repo: Path) -> None:
    """A job's ``fine_tuned_model`` written to a Supabase table or a MongoDB collection, read
    back elsewhere and passed to a model: a use of a fine-tune set outside the repository. A
    new fine-tuning job started from it is a training site, not a use."""
    _write(repo, "functions/status.js", '''\
        const job = await openai.fineTuning.jobs.retrieve(jobId);
        await supabase.from("app_settings")
          .upsert({ key: "active_model", value: job.fine_tuned_model }, { onConflict: "key" });
        await db.collection("config").updateOne(
          { key: "latest" }, { $set: { modelId: job.fine_tuned_model } }, { upsert: true });
        await supabase.from("bot_models")
          .insert([{ bot_id: id, open_ai_id: job.fine_tuned_model }]);
    ''')
    _write(repo, "db/models.ts", '''\
        export const fetchBotModel = async (id: string) => {
          const { data } = await supabase.from("bot_models").select("*").eq("id", id).single();
          return data;
        };
    ''')
    _write(repo, "functions/report.js", '''\
        import { fetchBotModel } from "../db/models";
        async function activeModel() {
          const { data } = await supabase.from("app_settings").select("value").single();
          return data?.value || null;
        }
        async function latest() {
          const settings = client.db("reports").collection("config");
          const config = await settings.findOne({ key: "latest" });
          return config?.modelId || "gpt-4o";
        }
        await openai.chat.completions.create({ model: await activeModel(), messages: [] });
        await openai.chat.completions.create({ model: await latest(), messages: [] });
        const bot = await fetchBotModel(botId);
        await openai.chat.completions.create({ model: bot.open_ai_id, messages: [] });
        await openai.chat.completions.create({ model: (await latest()).name, messages: [] });
        await openai.fineTuning.jobs.create({ model: await activeModel(), training_file: f });
    ''')
    result = run_scan(repo)
    found = {(f.location.path, f.location.start_line): f.outside
             for f in result.findings if f.role is Role.USE}
    assert set(found) == {("functions/report.js", 11), ("functions/report.js", 12),
                          ("functions/report.js", 14)}
    assert found[("functions/report.js", 11)] == (
        "a fine-tuning job's result, job.fine_tuned_model, stored in app_settings and read back")
    assert "stored in config" in str(found[("functions/report.js", 12)])
    assert "stored in bot_models" in str(found[("functions/report.js", 14)])


def test_a_constructor_parameter_typed_with_a_class_gets_an_injected_instance(
        repo: Path) -> None:
    """NestJS and Angular inject a constructor's class-typed parameters; ``baseUrl: "./"``
    makes ``src/...`` a path from the root."""
    write(repo, "tsconfig.json", '{"compilerOptions": {"baseUrl": "./"}}\n')
    _write(repo, "src/shared/openai.service.ts", '''\
        @Injectable()
        export class OpenaiService {
          async query(prompt: string, settings?: { tunedModel?: string }) {
            const model = settings?.tunedModel ?? "gpt-4o";
            return this.client.chat.completions.create({ messages: [], model });
          }
        }
    ''')
    _write(repo, "src/tasks/task.service.ts", f'''\
        import {{ OpenaiService }} from "src/shared/openai.service";
        @Injectable()
        export class TaskService {{
          private readonly validator = "{FT}";
          constructor(private readonly openai: OpenaiService, unused: SomeInterface) {{}}
          run() {{
            return this.openai.query("x", {{ tunedModel: this.validator }});
          }}
        }}
    ''')
    assert uses(repo) == [("src/shared/openai.service.ts", 5, "FT001"),
                          ("src/tasks/task.service.ts", 7, "FT001")]


def test_ft_and_one_placeholder_is_no_model_id(repo: Path) -> None:
    """``ft:${this.model}`` (a label, a cache key) has no id's shape; a template with the
    id's separators is a dynamic id."""
    _write(repo, "label.ts", '''\
        const label = `ft:${this.model}`;
        const key = "ft:" + name;
        const id = `ft:${base}:acme:${suffix}:${job}`;
    ''')
    assert [(r[1], r[2]) for r in rows(repo)] == [(3, "dynamic")]


def test_an_id_whose_last_part_awaits_the_real_one_is_an_example_that_is_followed(
        repo: Path) -> None:
    """``ft:...:jtbd-statements:id`` in a config module the code calls the model with: the
    fine-tune's slot, an example until the real id is filled in, and its uses."""
    _write(repo, "src/config/models.ts", '''\
        export const fineTunedModels = {
          statements: "ft:gpt-4.1-2025-04-14:personal:jtbd-statements:id",
        };
    ''')
    _write(repo, "src/service.ts", '''\
        import { fineTunedModels } from "./config/models";
        openai.chat.completions.create({ model: fineTunedModels.statements, messages: [] });
    ''')
    assert [(r[0], r[1], r[2]) for r in rows(repo)] == [
        ("src/config/models.ts", 2, "example"), ("src/service.ts", 2, "use")]


def test_the_environment_passed_whole_and_validated_by_a_schema(repo: Path) -> None:
    """``env = envSchema.parse(process.env)`` (zod), ``cleanEnv(process.env, ...)``
    (envalid), a function defaulting a parameter to ``process.env``: their fields are env
    reads."""
    write(repo, ".env", f"OPENAI_MODEL={FT}\nREFERENCE_MODEL={FT2}\n")
    _write(repo, "src/env.ts", '''\
        import { z } from "zod";
        const envSchema = z.object({ OPENAI_MODEL: z.string() });
        export const env = envSchema.parse(process.env);
        export const checked = envSchema.safeParse(process.env);
    ''')
    _write(repo, "src/chat.ts", '''\
        import { env, checked } from "./env";
        openai.chat.completions.create({ model: env.OPENAI_MODEL, messages: [] });
        openai.chat.completions.create({ model: checked.data.OPENAI_MODEL, messages: [] });
        openai.chat.completions.create({ model: env.OTHER_MODEL, messages: [] });
    ''')
    _write(repo, "src/bridge.mjs", '''\
        export function readConfig(env = process.env) {
          return { reference: env.REFERENCE_MODEL || "gpt-4o" };
        }
        const config = readConfig();
        openai.chat.completions.create({ model: config.reference, messages: [] });
    ''')
    result = run_scan(repo)
    found = {(f.location.path, f.location.start_line): f.model_ids
             for f in result.findings if f.role is Role.USE}
    assert found == {("src/chat.ts", 2): (FT,), ("src/chat.ts", 3): (FT,),
                     ("src/bridge.mjs", 5): (FT2,)}


def test_a_committed_dist_that_is_the_code_a_package_runs_is_read(repo: Path) -> None:
    """``dist/`` is build output, left out, unless its ``package.json`` runs a file in it and
    no sources beside it build it; a bundle in it is read without a parser."""
    write(repo, "package.json", '{"name": "bot", "main": "dist/index.js",'
          ' "scripts": {"start": "node dist/index.js"}}\n')
    _write(repo, "dist/index.js", f'''\
        "use strict";
        const MODEL = "{FT}";
        async function reply(messages) {{
          return openai.chat.completions.create({{ model: MODEL, messages }});
        }}
    ''')
    _write(repo, "dist/vendor.js", f'''\
        /******/ (() => {{ var __webpack_modules__ = {{}};
        function __webpack_require__(id) {{ return __webpack_modules__[id]; }}
        const M = "{FT2}"; client.chat.completions.create({{ model: M, messages: [] }});
        }})();
    ''')
    write(repo, "web/package.json", '{"name": "web", "main": "dist/index.js"}\n')
    write(repo, "web/tsconfig.json", '{"compilerOptions": {"outDir": "dist"}}\n')
    _write(repo, "web/dist/index.js", f'const COPY = "{FT}";\n')
    _write(repo, "tools/dist/run.js", f'const OTHER = "{FT2}";\n')
    assert [(r[0], r[1], r[2]) for r in rows(repo)] == [
        ("dist/index.js", 2, "definition"), ("dist/index.js", 4, "use"),
        ("dist/vendor.js", 3, "definition")]
