"""The HTML inventory page (``ftscan inventory --format html``), read as people read it: in a
headless Chromium (Debian's package, driven by Playwright; the tests that need it skip where it
is absent), for the sample repository and for a generated sweep of 300 fine-tunes in 40
repositories: no console error and nothing fetched, every id on the page, sorting and filtering
driven through the page, hostile ids shown as text and never run. One browser for the module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sweepgen
from click.testing import CliRunner
from conftest import FIXTURES

from ftscan import inventory as inv
from ftscan.cli import main
from ftscan.lifecycle import load_lifecycle
from ftscan.providers.base import ProviderState, RemoteModel
from ftscan.reconcile.join import reconcile
from ftscan.reporters import inventory_html, inventory_json, inventory_page
from ftscan.ruleset import load_rules

CHROMIUM = os.environ.get("FTSCAN_CHROMIUM") or shutil.which("chromium") \
    or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]
"""What Chromium needs as root in a container, and to try no connection of its own."""
ORPHAN = "ft:gpt-4o-2024-08-06:acme:forgotten:F0001"


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


# --------------------------------------------------------------------------- the pages


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The pages under test: the sample repository's, and the merged sweep's."""
    folder = tmp_path_factory.mktemp("pages")
    sample = folder / "sample-repo"
    shutil.copytree(FIXTURES / "sample-repo", sample)
    (sample / ".git").mkdir()
    _cli("inventory", str(sample), "--format", "json", "--output", str(folder / "sample.json"),
         "--as-of", "2026-11-22", "--no-cache", "--quiet")
    _cli("inventory", "--merge", str(folder / "sample.json"), "--format", "html",
         "--output", str(folder / "sample.html"))
    shards = sweepgen.write(folder / "sweep", sweepgen.sweep())
    _cli("inventory", "--merge", *map(str, shards), "--format", "json",
         "--output", str(folder / "sweep.json"))
    _cli("inventory", "--merge", *map(str, shards), "--format", "html",
         "--output", str(folder / "sweep.html"))
    return {"sample": folder / "sample.html", "sweep": folder / "sweep.html",
            "sample.json": folder / "sample.json", "sweep.json": folder / "sweep.json"}


def _models(pages: dict[str, Path], name: str) -> list[dict[str, Any]]:
    models: list[dict[str, Any]] = json.loads(pages[f"{name}.json"].read_text())["models"]
    return models


def _shown(model: dict[str, Any]) -> str:
    return str(model["modelId"] or (f"set outside the repository: {model['outside']}"
                                    if model["outside"] else model["label"]))


# --------------------------------------------------------------------------- without a browser


def test_the_page_is_one_file_that_fetches_nothing(pages: dict[str, Path]) -> None:
    page = pages["sweep"].read_text(encoding="utf-8")
    assert page.startswith(inventory_html.PAGE_START)
    tags = re.findall(r"<[a-zA-Z][^<>]*>", page)
    assert len(tags) > 1000  # every row's
    assert not [tag for tag in tags if re.search(r"""(?i)\s(?:src|href)\s*=\s*["']?[^"'#]""", tag)]
    assert "@import" not in page and "url(" not in page
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert policy is not None
    assert policy.group(1).startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-inline" not in policy.group(1)


def test_the_data_block_holds_the_inventory_and_no_text_can_end_it(
        pages: dict[str, Path]) -> None:
    page = pages["sweep"].read_text(encoding="utf-8")
    opening = f'<script type="application/json" id="{inventory_html.DATA_ID}">'
    block = page.split(opening, 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    embedded = json.loads(block)
    assert embedded == json.loads(pages["sweep.json"].read_text())
    assert sweepgen.HOSTILE_SCRIPT in {m["modelId"] for m in embedded["models"]}
    # the hostile text is on the page only escaped
    assert "<img" not in page and "<b " not in page and page.count("</script>") == 2


def test_the_format_recognises_its_pages() -> None:
    sweep = inv.merge(sweepgen.sweep(4, 12))
    page = inventory_html.render(sweep).encode()
    assert inventory_html.recognises(page)
    assert not inventory_html.recognises(page.replace(b'"kind":', b'"sort":'))
    assert not inventory_html.recognises(inventory_json.render(sweep).encode())


def test_a_deadline_names_its_largest_groups_and_counts_the_rest() -> None:
    inventory = inv.Inventory(sweepgen.AS_OF, 90)
    for number, base in enumerate(["a", "b", "b", "c", "c", "c", "d", "e", "e"]):
        model_id = f"ft:{base}:acme:s{number}:x"
        inventory.rows[model_id] = inv.Row(
            model_id=model_id, provider="openai", base_model=base, org="acme", suffix=None,
            rule_id="FT001", dynamic=False, shutdown_date="2027-02-01", next_step=None,
            definitions={inv.Site("r", "a.py", 1)})
    (deadline,) = inventory_page.headline(inventory).deadlines
    assert (deadline.date, deadline.days) == (dt.date(2027, 2, 1), 71)
    assert deadline.what == ("3 fine-tunes of c shut down; 2 fine-tunes of b shut down; "
                             "2 fine-tunes of e shut down; 2 more fine-tunes of 2 other base "
                             "models")


def test_a_row_lists_every_use_and_its_first_mentions() -> None:
    """A results file that names an id a thousand times would make the page megabytes of
    mentions: a row lists the first few and counts the rest (the embedded JSON has them all);
    definitions and uses are listed whole."""
    inventory = inv.Inventory(sweepgen.AS_OF, 90, repositories={"r"})
    row = inv.Row(model_id="ft:gpt-4o-2024-08-06:acme:s:x", provider="openai",
                  base_model="gpt-4o-2024-08-06", org="acme", suffix="s", rule_id="FT001",
                  dynamic=False, shutdown_date="2027-01-14", next_step=None,
                  uses={inv.Site("r", "app.py", n) for n in range(1, 41)},
                  mentions={inv.Site("r", "results.csv", n) for n in range(1, 1001)})
    inventory.rows[row.key] = row
    page = inventory_html.render(inventory)
    assert page.count("<code>app.py:") == 40
    assert page.count("<code>results.csv:") == inventory_page.MAX_MENTIONS
    assert f"and {1000 - inventory_page.MAX_MENTIONS} more, not listed here" in page
    assert len(json.loads(page.split('id="ftscan-inventory">')[1].split("</script>")[0])[
        "models"][0]["mentions"]) == 1000


def test_an_id_that_is_only_an_example_shows_as_one(pages: dict[str, Path]) -> None:
    """An id quoted only as an example (a placeholder, or in tests, docs and examples) is no
    model about to shut down: its status in the page's table is 'example', as in the Markdown
    inventory; every other row keeps its own."""
    page = pages["sample"].read_text()
    bodies = page.split('<tbody id="row-')[1:]
    models = _models(pages, "sample")
    assert len(bodies) == len(models)
    statuses = [body.split('<span class="status s-', 1)[1].split('"', 1)[0] for body in bodies]
    assert statuses == ["example" if m["examples"] and not m["definitions"] else m["status"]
                        for m in models]
    assert statuses.count("example") == 3


def _reconciled(tmp_path: Path) -> tuple[inv.Inventory, Path]:
    """The sweep reconciled against an OpenAI organisation that serves a few of its fine-tunes
    (two called lately, the others not in 90 days) and one no code names, written as
    ``ftscan reconcile --format json`` writes it."""
    sweep = inv.merge(sweepgen.sweep(4, 20))
    openai = [row.model_id for row in sweep.sorted_rows()
              if row.provider == "openai" and row.kind == "model"]
    served, called = openai[:6], openai[:2]
    state = ProviderState("openai", "https://api.openai.com/v1", usage_days=90,
                          last_used={model_id: dt.date(2026, 11, 20) for model_id in called})
    state.models = {model_id: RemoteModel("openai", model_id, None, "acme", dt.date(2025, 3, 1))
                    for model_id in [*served, ORPHAN]}
    result = reconcile(sweep, [state], load_lifecycle(), load_rules(), sweepgen.AS_OF)
    path = tmp_path / "reconciled.json"
    path.write_text(inventory_json.render(result), encoding="utf-8")
    return result, path


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (the system's: Playwright downloads none)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Page:
    """A page open in the browser, with what went wrong on it: console errors and warnings,
    uncaught exceptions, and any request but the page's own."""

    def __init__(self, browser: Any, path: Path, anchor: str = "") -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.problems: list[str] = []
        self.page.on("console", lambda message: self.problems.append(
            f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("request", lambda request: self.problems.append(
            f"request: {request.url}") if request.url.split("#")[0] != path.as_uri() else None)
        self.page.goto(path.as_uri() + anchor)

    def shown_rows(self) -> list[int]:
        """The indexes of the table's rows on screen, top to bottom."""
        rows: list[int] = self.page.eval_on_selector_all(
            "#models tbody:not([hidden])", "bodies => bodies.map(b => Number(b.dataset.row))")
        return rows

    def text(self, selector: str) -> str:
        return str(self.page.text_content(selector))

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def sweep_page(browser: Any, pages: dict[str, Path]) -> Iterator[Page]:
    page = Page(browser, pages["sweep"])
    yield page
    assert page.problems == []
    page.close()


@pytest.mark.parametrize("name", ["sample", "sweep"])
def test_every_row_is_on_the_page_as_text_and_nothing_goes_wrong(
        browser: Any, pages: dict[str, Path], name: str) -> None:
    page = Page(browser, pages[name])
    models = _models(pages, name)
    assert len(models) == (27 if name == "sample" else 301)  # 300 fine-tunes and a pipeline
    cells = page.page.eval_on_selector_all(
        "#models tbody", "bodies => bodies.map(b => b.querySelector('td.model').textContent)")
    assert len(cells) == len(models)
    for cell, model in zip(cells, models, strict=True):
        assert _shown(model) in cell
    assert page.shown_rows() == list(range(len(models)))
    assert page.problems == []
    page.close()


def test_the_headline_counts_the_sweep(sweep_page: Page, pages: dict[str, Path]) -> None:
    models = _models(pages, "sweep")
    tunes = [m for m in models if m["kind"] == "model"]
    assert sweep_page.text("#found .big") == str(len(tunes)) == "300"
    retired = sum(1 for m in tunes if m["status"] == "retired")
    assert f"{retired} shut down already" in sweep_page.text("#found")
    # the next deadline: davinci-002's shutdown, 19 days after the sweep's date
    soonest = min(m["daysLeft"] for m in tunes if m["daysLeft"] is not None
                  and m["daysLeft"] >= 0)
    assert sweep_page.text("#deadline .big") == str(soonest) == "19"
    davinci = sum(1 for m in tunes if m["baseModel"] == "davinci-002")
    assert f"2026-12-11: {davinci} fine-tunes of davinci-002 shut down." in sweep_page.text(
        "#deadline")
    assert "Then 2027-01-06 (45 days): OpenAI ends fine-tuning job creation." in \
        sweep_page.text("#deadline")
    without = sum(1 for m in tunes if not m["recipe"]["trainingFiles"])
    assert sweep_page.text("#no-data .big") == str(without) == "225"
    assert not sweep_page.page.query_selector("#unused")  # not reconciled


def test_a_row_opens_to_its_sites(sweep_page: Page, pages: dict[str, Path]) -> None:
    models = _models(pages, "sweep")
    index = next(i for i, m in enumerate(models) if len(m["uses"]) > 1 and m["recipe"]["sites"])
    sites = f"#row-{index} tr.sites"
    assert not sweep_page.page.is_visible(sites)
    sweep_page.page.click(f"#row-{index} button.open")
    assert sweep_page.page.is_visible(sites)
    text = sweep_page.text(sites)
    model = models[index]
    for site in [*model["definitions"], *model["uses"], *model["recipe"]["sites"]]:
        assert f"{site['repository']}/{site['path']}:{site['line']}" in text
    assert model["recipe"]["trainingFiles"][0] in text
    assert "Used at" in text and "Trained by" in text and "Training data" in text
    sweep_page.page.click(f"#row-{index} button.open")
    assert not sweep_page.page.is_visible(sites)


def test_sorting_by_a_column_header(sweep_page: Page, pages: dict[str, Path]) -> None:
    models = _models(pages, "sweep")

    def days(i: int) -> float:
        left = models[i]["daysLeft"]
        return float("inf") if left is None else left

    def by(value: Any, descending: bool = False) -> list[int]:
        """Ties in the inventory's order either way (a stable sort keeps them so)."""
        return sorted(range(len(models)), key=value, reverse=descending)

    sweep_page.page.click("th[data-sort=shutdown] button")
    assert sweep_page.shown_rows() == by(days)
    assert sweep_page.page.get_attribute("th[data-sort=shutdown]", "aria-sort") == "ascending"
    sweep_page.page.click("th[data-sort=shutdown] button")
    assert sweep_page.shown_rows() == by(days, descending=True)
    sweep_page.page.click("th[data-sort=model] button")
    assert sweep_page.shown_rows() == by(lambda i: _shown(models[i]).lower())
    sweep_page.page.click("th[data-sort=uses] button")
    assert sweep_page.shown_rows() == by(lambda i: len(models[i]["uses"]))


def test_filtering_by_team_service_provider_status_and_repository(
        sweep_page: Page, pages: dict[str, Path]) -> None:
    models = _models(pages, "sweep")
    page = sweep_page.page

    def where(test: Any) -> list[int]:
        return [i for i, model in enumerate(models) if test(model)]

    team = sweepgen.TEAMS[3]
    page.select_option("#filter-team", label=team)
    assert sweep_page.shown_rows() == where(lambda m: team in m["owners"])
    assert 10 < len(sweep_page.shown_rows()) < 60
    page.select_option("#filter-status", label="retiring")
    assert sweep_page.shown_rows() == where(
        lambda m: team in m["owners"] and m["status"] == "retiring")
    assert sweep_page.text("#shown").startswith(f"Showing {len(sweep_page.shown_rows())} of 301")
    page.click("#filter-reset")
    assert sweep_page.shown_rows() == list(range(len(models)))
    repository = sweepgen.repository_name(7)
    page.select_option("#filter-repository", label=repository)
    assert sweep_page.shown_rows() == where(lambda m: repository in m["repositories"])
    page.select_option("#filter-repository", label="all (40)")
    page.select_option("#filter-service", label=f"{repository}-worker")
    assert sweep_page.shown_rows() == where(lambda m: f"{repository}-worker" in m["services"])
    page.click("#filter-reset")
    page.select_option("#filter-provider", label="mistral")
    assert sweep_page.shown_rows() == where(lambda m: m["provider"] == "mistral")
    page.select_option("#filter-team", label="(no owner)")
    assert sweep_page.shown_rows() == where(
        lambda m: m["provider"] == "mistral" and not m["owners"])
    page.click("#filter-reset")
    page.fill("#filter-text", "ml/data/router")
    assert sweep_page.shown_rows() == where(
        lambda m: any("ml/data/router" in f for f in m["recipe"]["trainingFiles"]))


def test_the_status_filter_tells_examples_apart(browser: Any, pages: dict[str, Path]) -> None:
    page = Page(browser, pages["sample"])
    models = _models(pages, "sample")
    page.page.select_option("#filter-status", label="example")
    assert page.shown_rows() == [i for i, m in enumerate(models)
                                 if m["examples"] and not m["definitions"]]
    page.page.select_option("#filter-status", label="retiring")
    assert page.shown_rows() == [i for i, m in enumerate(models) if m["status"] == "retiring"
                                 and not (m["examples"] and not m["definitions"])]
    assert page.problems == []
    page.close()


def test_a_team_link_opens_the_inventory_filtered_to_the_team(
        browser: Any, pages: dict[str, Path]) -> None:
    models = _models(pages, "sweep")
    team = sweepgen.TEAMS[5]
    page = Page(browser, pages["sweep"], "#team-acme-team-05")
    assert page.shown_rows() == [i for i, m in enumerate(models) if team in m["owners"]]
    assert page.text("#team-acme-team-05 h3").startswith(team)
    assert page.page.evaluate("window.scrollY") > 1000  # at the team's section
    page.page.click("#team-acme-team-05 ul a >> nth=0")  # a row of its list
    first = page.shown_rows()[0]
    assert page.page.is_visible(f"#row-{first} tr.sites")
    assert page.problems == []
    page.close()


def test_the_timeline_groups_300_fine_tunes(sweep_page: Page, pages: dict[str, Path]) -> None:
    models = _models(pages, "sweep")
    page = sweep_page.page
    lanes = page.eval_on_selector_all("#chart .group-name", "names => names.length")
    counts = page.eval_on_selector_all("#chart .marker text",
                                       "marks => marks.map(m => Number(m.textContent))")
    bases = {m["baseModel"] for m in models if m["kind"] == "model"}
    assert lanes == len(bases) == 9
    assert sum(counts) == 300 and len(counts) <= 2 * len(bases)  # a dot per base and date
    page.check("input[name=group][value=team]")
    lanes = page.eval_on_selector_all("#chart .group-name", "names => names.length")
    owners = {o for m in models if m["kind"] == "model" for o in m["owners"] or [""]}
    assert lanes == len(owners) == 16  # 14 teams, a hostile owner, no owner
    page.click("#chart .group-name >> nth=0")
    first_team = page.eval_on_selector("#filter-team", "s => s.selectedOptions[0].textContent")
    assert sweep_page.shown_rows() == [i for i, m in enumerate(models)
                                       if first_team in (m["owners"] or ["(no owner)"])]


def test_hostile_ids_owners_and_paths_are_text_and_run_nothing(
        sweep_page: Page, pages: dict[str, Path]) -> None:
    page = sweep_page.page
    models = _models(pages, "sweep")
    index = next(i for i, m in enumerate(models) if m["modelId"] == sweepgen.HOSTILE_SCRIPT)
    page.click(f"#row-{index} button.open")
    page.hover(f"#row-{index} td.model")
    assert sweepgen.HOSTILE_PATH in sweep_page.text(f"#row-{index} tr.sites")
    table = sweep_page.text("#models")
    assert sweepgen.HOSTILE_ID in table and sweepgen.HOSTILE_OWNER in table
    teams = page.eval_on_selector_all("#filter-team option", "o => o.map(x => x.textContent)")
    assert sweepgen.HOSTILE_OWNER in teams
    page.select_option("#filter-team", label=sweepgen.HOSTILE_OWNER)
    assert [models[i]["modelId"] for i in sweep_page.shown_rows()] == [sweepgen.HOSTILE_ID]
    assert page.evaluate("window.__pwned") is None
    assert page.eval_on_selector_all("img, b", "e => e.length") == 0
    assert page.eval_on_selector_all("script", "e => e.length") == 2


def test_the_policy_stops_markup_that_got_in_anyway(
        browser: Any, pages: dict[str, Path]) -> None:
    """Were markup ever to get into the page, its handlers would still not run."""
    page = Page(browser, pages["sample"])
    page.page.evaluate("""() => new Promise(done => {
        document.addEventListener('securitypolicyviolation', done, {once: true});
        document.body.insertAdjacentHTML('beforeend',
            '<img src="x" onerror="window.__ran = 1"><a id="go" onclick="window.__ran = 2">x</a>');
        document.getElementById('go').click();
    })""")
    assert page.page.evaluate("window.__ran") is None
    assert any("Content Security Policy" in problem for problem in page.problems)
    page.close()


def test_a_reconciled_sweep_shows_the_provider_columns(
        browser: Any, tmp_path: Path) -> None:
    _, reconciled = _reconciled(tmp_path)
    path = tmp_path / "page.html"
    _cli("inventory", "--merge", str(reconciled), "--format", "html", "--output", str(path))
    page = Page(browser, path)
    assert page.text("th[data-sort=remote]") == "At the provider"
    # 6 fine-tunes and an orphan served, 2 of them called in the last 90 days
    assert page.text("#unused .big") == "5"
    assert "1 orphan" in page.text("#unused")
    page.page.select_option("#filter-remote", label="orphan")
    models = json.loads(reconciled.read_text())["models"]
    assert [models[i]["modelId"] for i in page.shown_rows()] == [ORPHAN]
    assert "exists, orphan, last used not in the last 90 days" in page.text("#models")
    assert page.problems == []
    page.close()


def test_long_names_wrap_and_the_table_fits_the_page(browser: Any, tmp_path: Path) -> None:
    """A data file's path or a service's name without a space wraps: the table stays as wide
    as the page (the real-world set had rows 1,600 pixels wide)."""
    inventory = inv.merge(sweepgen.sweep(2, 6))
    path = "data/" + "very_long_folder_name_" * 8 + "train.jsonl"
    row = inv.Row(model_id="", provider="any", base_model=None, org=None, suffix=None,
                  rule_id="FT-DATA", dynamic=False, shutdown_date=None, next_step=None,
                  kind="training-data", label=f"training data {path} (openai-chat, 12 examples)",
                  services={"service_" * 12}, repositories={sweepgen.repository_name(0)},
                  training_files={path})
    inventory.rows[row.key] = row
    page_file = tmp_path / "page.html"
    page_file.write_text(inventory_html.render(inventory), encoding="utf-8")
    page = Page(browser, page_file)
    index = next(int(i) for i in page.page.eval_on_selector_all(
        "#models tbody", "b => b.map(x => x.dataset.row)")
        if path in page.text(f"#row-{i} td.model"))
    page.page.click(f"#row-{index} button.open")
    table, room = page.page.evaluate(
        "() => [document.getElementById('models').offsetWidth,"
        " document.querySelector('#inventory').clientWidth]")
    assert table <= room
    assert page.problems == []
    page.close()
