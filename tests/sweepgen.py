"""A generated organisation: the JSON inventories of a sweep of many repositories, made in
memory (nothing large is committed), for the HTML page's tests and its screenshot
(``bench/render_html_report.py``).

Deterministic: the same arguments give the same inventories. A few rows carry hostile text
(an id, an owner, a service and a path that are markup or would end a script block), as a
repository can hold.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ftscan import inventory as inv
from ftscan.reporters import inventory_json

AS_OF = dt.date(2026, 11, 22)
JOB_CREATION_ENDS = dt.date(2027, 1, 6)
BASES = (  # base model, provider, shutdown date (None: no date published)
    ("gpt-4o-mini-2024-07-18", "openai", "2027-01-14"),
    ("gpt-4o-2024-08-06", "openai", "2027-01-14"),
    ("gpt-4.1-mini-2025-04-14", "openai", "2027-10-14"),
    ("gpt-4.1-2025-04-14", "openai", "2027-10-14"),
    ("gpt-3.5-turbo-0125", "openai", "2026-10-23"),
    ("gpt-35-turbo-0613", "azure-openai", "2025-02-13"),
    ("gpt-4o-mini-2024-07-18", "azure-openai", "2027-04-01"),
    ("open-mistral-7b", "mistral", None),
    ("amazon.titan-text-express-v1", "bedrock", None),
    ("davinci-002", "openai", "2026-12-11"),
)
TEAMS = tuple(f"@acme/team-{n:02d}" for n in range(14))
HOSTILE_ID = "ft:gpt-4o-mini-2024-07-18:acme:<img src=x onerror=window.__pwned=1>:Xq9"
HOSTILE_SCRIPT = "ft:gpt-4o-2024-08-06:acme:</script><script>window.__pwned=2</script>:Zz1"
HOSTILE_OWNER = "@acme/<b onmouseover=window.__pwned=3>ops</b>"
HOSTILE_PATH = "src/</script><img src=x onerror=window.__pwned=4>.py"


def repository_name(index: int) -> str:
    return f"acme-service-{index:02d}"


def sweep(repositories: int = 40, fine_tunes: int = 300) -> list[inv.Inventory]:
    """One inventory per repository, ``fine_tunes`` ids spread across them; two of the ids,
    an owner and a path are hostile (in the first repositories)."""
    inventories = [inv.Inventory(AS_OF, 90, repositories={repository_name(i)},
                                 job_creation_ends=JOB_CREATION_ENDS)
                   for i in range(repositories)]
    for number in range(fine_tunes):
        inventory = inventories[number % repositories]
        repo = repository_name(number % repositories)
        row = _fine_tune(number, repo)
        inventory.rows[row.key] = row
    pipeline = inv.Row(
        model_id="", provider="openai", base_model="gpt-4o-mini-2024-07-18", org=None,
        suffix="nightly", rule_id="FT-TRAIN", dynamic=False,
        shutdown_date=JOB_CREATION_ENDS.isoformat(), next_step=None, kind="training",
        label="training pipeline for gpt-4o-mini-2024-07-18, suffix nightly (ml/train.py:12)",
        owners={TEAMS[0]}, repositories={repository_name(0)},
        recipe_sites={inv.Site(repository_name(0), "ml/train.py", 12)},
        recipe_note="no fine-tuned id of this repository matches its suffix and base")
    inventories[0].rows[pipeline.key] = pipeline
    return inventories


def _fine_tune(number: int, repo: str) -> inv.Row:
    base, provider, shutdown = BASES[(number * number + 3 * number) % 37 % len(BASES)]
    suffix = f"{('router', 'ranker', 'triage', 'summary', 'tagger')[number % 5]}-v{number}"
    model_id = {
        "openai": f"ft:{base}:acme:{suffix}:J{number:05d}x",
        "azure-openai": f"{base}.ft-{number:032x}",
        "mistral": f"ft:{base}:a1b2c3d4:20240514:{number:08x}",
        "bedrock": f"arn:aws:bedrock:us-east-1:123456789012:custom-model/{base}:0:8k/"
                   f"m{number:011d}",
    }[provider]
    team = TEAMS[(number * 5) % len(TEAMS)]
    owners = set() if number % 23 == 0 else {team} | (
        {TEAMS[(number + 3) % len(TEAMS)]} if number % 11 == 0 else set())
    service = f"{repo}-{('api', 'worker', 'batch')[number % 3]}"
    path = f"services/{service}/settings.py"
    if number == 1:
        model_id, owners = HOSTILE_ID, {HOSTILE_OWNER}
    if number == 2:
        model_id, path = HOSTILE_SCRIPT, HOSTILE_PATH
    row = inv.Row(
        model_id=model_id, provider=provider, base_model=base,
        org="acme" if provider == "openai" else None, suffix=suffix, rule_id="FT001",
        dynamic=False, shutdown_date=shutdown,
        dateless_status="deprecated" if shutdown is None and provider == "mistral" else None,
        next_step="Move to a supported base and retrain.", owners=owners, services={service},
        repositories={repo}, definitions={inv.Site(repo, path, 10 + number % 40)},
        uses={inv.Site(repo, f"services/{service}/client.py", 20 + n) for n in range(number % 5)},
        names={f"env {suffix.upper().replace('-', '_')}_MODEL"})
    if number % 4 == 0:
        row.recipe_sites = {inv.Site(repo, "ml/finetune.py", 30)}
        row.training_files = {f"ml/data/{suffix}.jsonl"}
    else:
        row.recipe_note = "not in this repository: export it from the provider"
    return row


def write(folder: Path, inventories: list[inv.Inventory]) -> list[Path]:
    """Each inventory as the JSON ``ftscan inventory --format json`` writes."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, inventory in enumerate(inventories):
        path = folder / f"inventory-{index:02d}.json"
        path.write_text(inventory_json.render(inventory), encoding="utf-8")
        paths.append(path)
    return paths
