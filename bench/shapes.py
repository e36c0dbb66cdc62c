#!/usr/bin/env python3
"""Generate the repository shapes that were slow on real code, as git repositories of
generated files (no code copied from anywhere), for ``bench/speed.py``:

- ``literal-js``: an Earth Engine archive: 88 scripts of 300-500 KB, mostly literal coordinate
  arrays and feature collections, object keys such as ``left:`` (the ``ft:`` keyword) and
  Google Fusion Table ids (``"ft:1emW..."``), plus 50 copies without an extension;
- ``notebooks``: a research repository: 30 notebooks with large outputs (a base64 image, long
  text), a 2.6 MB CSV of evaluation results naming fine-tunes on every row, and the scripts that
  produced them;
- ``ts-app``: a 2,600-file TypeScript app (components, hooks, API routes, a server), reading
  its model from the environment, one fine-tune in ``.env.example``;
- ``bundle``: a small app with a 3 MB minified bundle and its source map committed under
  ``public/`` (not ``dist/``, so the default excludes do not leave them out).

    python bench/shapes.py --out /tmp/ftscan-shapes [--only literal-js ...]
    python bench/speed.py --tree /tmp/ftscan-shapes/literal-js

Every tree is written once (a marker file says it is complete) and committed, so scans see a
git repository as users have them.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

FT = "ft:gpt-4o-mini-2024-07-18:acme-research:judge:Q8r7T6y5"
"""The one fine-tune the shapes that have one name."""


def _write(root: Path, relpath: str, text: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _coordinates(rng: random.Random, count: int) -> str:
    return ",".join(f"[{rng.uniform(-180, 180):.12f},{rng.uniform(-90, 90):.12f}]"
                    for _ in range(count))


def literal_js(root: Path, rng: random.Random) -> None:
    for index in range(88):
        table = "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV_-")
                        for _ in range(40))
        parts = [f"/**** Start of imports. ****/\nvar roi = /* color: #d63000 */"
                 f"ee.Geometry.Polygon([[{_coordinates(rng, 600)}]]),\n"
                 f"    regions = ee.FeatureCollection(\"ft:1{table}\");\n"]
        for group in range(rng.randint(28, 45)):
            features = ",\n".join(
                f"  ee.Feature(ee.Geometry.Point([{rng.uniform(-180, 180):.12f}, "
                f"{rng.uniform(-90, 90):.12f}]), {{\"class\": {group}, "
                f"\"system:index\": \"{k}\"}})" for k in range(60))
            parts.append(f"var class{group} = ee.FeatureCollection([\n{features}]);\n")
        parts.append("var panel = ui.Panel({style: {position: 'top-left', left: '8px', "
                     "padding: '4px'}});\nMap.addLayer(roi, {color: 'red'}, 'roi');\n"
                     "var trained = ee.Classifier.smileRandomForest(50).train({features: "
                     "class0, classProperty: 'class'});\n")
        text = "".join(parts)
        _write(root, f"Classification/region_{index:03d}.js", text)
        if index < 50:
            _write(root, f"Archive/region_{index:03d}", text)


def notebooks(root: Path, rng: random.Random) -> None:
    models = [FT, *(f"ft:gpt-4o-mini-2024-07-18:acme-research:run-{i}:{i:02d}Ab3De5" for i in
                    range(8)), "gpt-4o-mini", "gpt-4o"]
    rows = ["model,question,answer,score"]
    while sum(len(r) for r in rows) < 2_600_000:
        words = " ".join(rng.choice(["yes", "no", "maybe", "the", "answer"]) for _ in range(12))
        rows.append(f"{rng.choice(models)},q{rng.randint(0, 9999)},\"{words}\","
                    f"{rng.random():.3f}")
    _write(root, "results/eval_results.csv", "\n".join(rows) + "\n")
    image = base64.b64encode(rng.randbytes(400_000)).decode()
    for index in range(30):
        cells = [
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
             "source": ["import pandas as pd\n", "from openai import OpenAI\n",
                        "client = OpenAI()\n", f'JUDGE = "{FT}"\n' if index == 0 else
                        "JUDGE = 'gpt-4o'\n"]},
            {"cell_type": "code", "execution_count": 2, "metadata": {},
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"image/png": image, "text/plain": ["<Figure>"]}},
                         {"output_type": "stream", "name": "stdout",
                          "text": [f"step {i}: loss {rng.random():.5f}\n" for i in range(3000)]}],
             "source": ["df = pd.read_csv('../results/eval_results.csv')\n",
                        "df.groupby('model').score.mean().plot()\n"]},
            {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [],
             "source": ["reply = client.chat.completions.create(model=JUDGE, "
                        "messages=[{'role': 'user', 'content': 'hi'}])\n"]},
        ]
        document = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}},
                    "nbformat": 4, "nbformat_minor": 5}
        _write(root, f"notebooks/analysis_{index:02d}.ipynb", json.dumps(document, indent=1))
    for index in range(40):
        _write(root, f"scripts/step_{index:02d}.py",
               "import pandas as pd\n\n\ndef main():\n    frame = pd.read_csv('results.csv')\n"
               + "".join(f"    frame['c{i}'] = frame.score * {i}\n" for i in range(200))
               + "    return frame\n")


def ts_app(root: Path, rng: random.Random) -> None:
    _write(root, ".env.example", f"OPENAI_API_KEY=\nSUPPORT_MODEL={FT}\n")
    _write(root, "package.json", json.dumps({"name": "support-desk", "private": True,
                                             "scripts": {"dev": "next dev"}}, indent=2))
    _write(root, "src/lib/llm.ts",
           "import OpenAI from 'openai';\n\nconst client = new OpenAI();\n"
           "export const SUPPORT_MODEL = process.env.SUPPORT_MODEL ?? 'gpt-4o-mini';\n\n"
           "export async function answer(question: string) {\n"
           "  return client.chat.completions.create({ model: SUPPORT_MODEL, messages: "
           "[{ role: 'user', content: question }] });\n}\n")
    for index in range(900):
        props = "\n".join(f"  field{i}: string;" for i in range(rng.randint(5, 30)))
        _write(root, f"src/components/widget{index:04d}.tsx",
               f"import React, {{ useState }} from 'react';\n\n"
               f"interface Props{index} {{\n{props}\n}}\n\n"
               f"export function Widget{index}(props: Props{index}) {{\n"
               "  const [open, setOpen] = useState(false);\n"
               "  return (<div className=\"widget\" style={{ marginLeft: 4, left: 0 }} "
               "onClick={() => setOpen(!open)}>{props.field0}</div>);\n}\n")
    for index in range(900):
        _write(root, f"src/hooks/useThing{index:04d}.ts",
               f"import {{ useEffect, useState }} from 'react';\n\nexport function useThing{index}"
               "(url: string) {\n  const [data, setData] = useState<unknown>(null);\n"
               "  useEffect(() => { fetch(url).then((r) => r.json()).then(setData); }, [url]);"
               "\n  return data;\n}\n")
    for index in range(600):
        _write(root, f"src/app/api/route{index:03d}/route.ts",
               "import { NextResponse } from 'next/server';\n"
               + ("import { answer } from '../../../lib/llm';\n\nexport async function POST("
                  "request: Request) {\n  const { question } = await request.json();\n"
                  "  return NextResponse.json(await answer(question));\n}\n" if index % 50 == 0
                  else "\nexport async function GET() {\n  return NextResponse.json({ ok: true });"
                  "\n}\n"))
    for index in range(200):
        _write(root, f"src/server/service{index:03d}.ts",
               "export class Service {\n" + "".join(
                   f"  method{i}(value: number): number {{ return value * {i}; }}\n"
                   for i in range(40)) + "}\n")


def bundle(root: Path, rng: random.Random) -> None:
    _write(root, ".env", f"CHAT_MODEL={FT}\n")
    _write(root, "server/index.js",
           "const OpenAI = require('openai');\nconst client = new OpenAI();\n"
           "async function reply(messages) {\n  return client.chat.completions.create({ model: "
           "process.env.CHAT_MODEL, messages });\n}\nmodule.exports = { reply };\n")
    names = [f"a{i}" for i in range(400)]
    body = ";".join(f"function {rng.choice(names)}{i}(e,t){{return e.left:t.right?{i}:e}}"
                    .replace("e.left:t.right", "e.left?t.right") for i in range(60_000))
    _write(root, "public/static/app.min.js", body + "\n")
    mapping = {"version": 3, "sources": [f"src/m{i}.js" for i in range(500)],
               "mappings": ";".join("AAAA,CAAC,EAAE" * 20 for _ in range(20_000))}
    _write(root, "public/static/app.min.js.map", json.dumps(mapping))


SHAPES: dict[str, Callable[[Path, random.Random], None]] = {
    "literal-js": literal_js, "notebooks": notebooks, "ts-app": ts_app, "bundle": bundle}


def build(out: Path, name: str) -> Path:
    """The shape's tree under ``out``, built once and committed to git."""
    root = out / name
    done = root / ".git" / "ftscan-shape-complete"
    if done.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    SHAPES[name](root, random.Random(name))
    git = ["git", "-c", "core.hooksPath=/dev/null", "-c", "user.name=bench",
           "-c", "user.email=bench@example.invalid", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "shape"], check=True)
    done.write_text(name)
    return root


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/ftscan-shapes"))
    parser.add_argument("--only", nargs="*", choices=sorted(SHAPES), default=None)
    args = parser.parse_args(argv)
    for name in args.only or sorted(SHAPES):
        root = build(args.out, name)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()
                   and ".git" not in p.parts)
        files = sum(1 for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
        print(f"{name}: {root} ({files} files, {size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
