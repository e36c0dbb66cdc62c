"""The commands that call a provider: ``ftscan reconcile`` and ``ftscan recipes export``.

They are the only commands that use the network, and only because they exist to: each reads
keys from the environment variables the providers' SDKs read (listed in ``--help``), sends them
only in request headers, and never prints or writes them. :mod:`ftscan.cli` adds
:data:`COMMANDS` to its group when one of them is asked for.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ftscan.commandline import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_USAGE,
    Date,
    cache_dir_for,
    cache_options,
    emit,
    history_options,
    history_range,
    run_scan,
    usage_error,
)
from ftscan.escape import terminal
from ftscan.providers import NAMES, PROVIDERS, exporting_recipes, provider_named
from ftscan.providers.base import Progress, Provider, Session
from ftscan.reporters import INVENTORY_FORMATS, inventory_reporter
from ftscan.result import ScanOptions

_EXPORTERS = exporting_recipes()


def _environment_help(providers: Sequence[Provider]) -> str:
    """The variables ``providers`` read, for the ``--help`` of a command that asks them."""
    lines = ["\b", "Environment (keys are sent only in request headers, never shown):"]
    for provider in providers:
        lines.append(f"  {provider.name}:")
        lines += [f"    {name}: {what}" for name, what in provider.environment]
    return "\n".join(lines)


def _progress(quiet: bool) -> Progress:
    def say(message: str) -> None:
        if not quiet:
            click.echo(f"ftscan: {terminal(message)}", err=True)
    return say


@click.command("reconcile", short_help="Put the code's fine-tunes beside the provider's.",
              epilog=_environment_help(PROVIDERS))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--from", "from_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Reconcile this JSON inventory or JSON scan report instead of scanning.")
@click.option("--provider", "providers", multiple=True, type=click.Choice(NAMES),
              help="Ask this provider (repeatable) [default: every provider whose key is set].")
@click.option("--format", "output_format", type=click.Choice(list(INVENTORY_FORMATS)),
              default="markdown", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the result to FILE (atomically) instead of stdout.")
@click.option("--as-of", type=Date(), help="Date for lifecycle verdicts [default: today].")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: .ftscan.toml or [tool.ftscan], found upward).")
@history_options
@cache_options
@click.option("--quiet", "-q", is_flag=True, help="Print no progress or diagnostics.")
def reconcile_command(paths: tuple[Path, ...], from_file: Path | None,
                      providers: tuple[str, ...], output_format: str, output: Path | None,
                      as_of: dt.date | None, config_file: Path | None, history: bool,
                      since: str | None, branches: str | None, no_cache: bool,
                      cache_dir: Path | None, quiet: bool) -> None:
    """Put the fine-tunes the code references beside the ones the providers say exist.

    For every id: exists, archived, deleted or missing at the provider; its owner, creation
    date and (with an OpenAI admin key) last use; whether code references it. Fine-tunes no
    scanned code uses are orphans; ids code uses that the provider does not serve are dead
    references. Also says whether the organisation can still create fine-tuning jobs.

    Reads PATHS (default: the current folder) by scanning them, or --from an inventory or
    scan report. Only GET requests are sent, to the providers' APIs. With --history (or an
    inventory or report made with it), an orphan whose id is in the repository's history is
    said to be removed from code, and on which day.

    Exit status: 0 nothing dead, 1 dead references found, 2 a usage error or a provider that
    could not be read completely (the report is still written, marked incomplete).
    """
    from ftscan import inventory as inv
    from ftscan.config import load_config
    from ftscan.lifecycle import load_lifecycle
    from ftscan.reconcile import fetch, inputs, join
    from ftscan.ruleset import load_rules

    today = as_of or dt.date.today()
    asked = fetch.providers_to_ask(providers, os.environ)
    if from_file is not None:
        if paths:
            usage_error("give PATHS to scan or --from FILE, not both")
        inventory = inputs.load_input(from_file)
    else:
        options = ScanOptions(paths=paths or (Path("."),), as_of=as_of,
                              config_file=config_file, cache_dir=cache_dir_for(no_cache, cache_dir),
                              history=history_range(history, since, branches))
        inventory = inv.build(run_scan(options, quiet=quiet, verbose=False))
    config = load_config(config_file) if config_file else None
    table = load_lifecycle()
    if config is not None:
        table = table.with_overrides(config.lifecycle)
    rules = load_rules(config.rules if config else ())
    checkpoints = [r.model_id for r in inventory.rows.values() if ":ckpt-step-" in r.model_id]
    states = fetch.read_providers(asked, os.environ, today, checkpoints,
                                  progress=_progress(quiet))
    result = join.reconcile(inventory, states, table, rules, today)
    emit(inventory_reporter(output_format).render(result), output)
    reconciliation = result.reconciliation
    assert reconciliation is not None
    for check in reconciliation.providers:
        for error in check.errors:
            click.echo(f"ftscan: {check.provider}: incomplete: {terminal(error)}", err=True)
    if not reconciliation.complete:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if reconciliation.counts.get("dead-reference") else EXIT_CLEAN)


@click.group("recipes", short_help="Save fine-tuning recipes from the provider.")
def recipes_group() -> None:
    """Save each fine-tune's recipe (job metadata, training and validation files) while the
    provider still has it: after 2027-01-06 a fine-tune can only be rebuilt elsewhere."""


@recipes_group.command("export", epilog=_environment_help(_EXPORTERS))
@click.option("--provider", type=click.Choice([p.name for p in _EXPORTERS]),
              default=_EXPORTERS[0].name, show_default=True,
              help="The provider to export from.")
@click.option("--out", "folder", required=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="The folder to write to (created; an earlier export there is resumed).")
@click.option("--model", "models", multiple=True, metavar="ID",
              help="Only the job that made this fine-tuned model (repeatable).")
@click.option("--job", "jobs", multiple=True, metavar="JOB_ID",
              help="Only this fine-tuning job (repeatable).")
@click.option("--all-jobs", is_flag=True,
              help="Every job, failed and cancelled ones too [default: jobs that made a model].")
@click.option("--inside-repo", is_flag=True,
              help="Allow writing inside a git working tree (refused by default: training "
                   "data there is one 'git add' away from a commit).")
@click.option("--quiet", "-q", is_flag=True, help="Print no progress.")
def recipes_export(provider: str, folder: Path, models: tuple[str, ...], jobs: tuple[str, ...],
                   all_jobs: bool, inside_repo: bool, quiet: bool) -> None:
    """Write each fine-tuning job's metadata (base, suffix, method, hyperparameters, status,
    result files) and the content of its training and validation files to --out, with a
    manifest (sizes, SHA-256). Resumable: run it again after an interruption and only what is
    missing is downloaded. Never overwrites a file whose content differs.

    Exit status: 0 everything saved, 2 a usage error or something not saved (listed on stderr
    and in the manifest).
    """
    from ftscan.recipes import EXPORT_SECONDS, export_recipes, inside_work_tree
    from ftscan.reconcile.fetch import client_options

    tree = inside_work_tree(folder)
    if tree is not None and not inside_repo:
        usage_error(f"{folder} is inside the git working tree {tree}: training data written "
                     "there is one 'git add' away from a commit; choose a folder outside it "
                     "(or pass --inside-repo)")
    exporter = provider_named(provider)
    access = exporter.access(os.environ)
    say = _progress(quiet)
    assert exporter.recipes is not None  # --provider offers only the providers that export
    source = exporter.recipes(access, Session(client_options(EXPORT_SECONDS), say))
    result = export_recipes(source, folder, models, jobs, all_jobs, say)
    for error in result.errors:
        click.echo(f"ftscan: not saved: {terminal(error)}", err=True)
    if not quiet:
        click.echo(f"ftscan: {terminal(str(folder))}: {result.jobs} jobs, {result.downloaded} "
                   f"files downloaded ({result.bytes:,} bytes), {result.reused} already there"
                   + ("" if result.complete else f", {len(result.errors)} not saved"), err=True)
    sys.exit(EXIT_CLEAN if result.complete else EXIT_USAGE)


COMMANDS = (reconcile_command, recipes_group)
"""The commands this module adds to ``ftscan``."""
