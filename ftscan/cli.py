"""The ``ftscan`` command: parses arguments, calls the library, prints, and picks the exit code.

Exit codes: 0 no finding at or above the fail level; 1 findings at or above it; 2 a usage,
config or rule error (one line on stderr, no traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from ftscan import __version__
from ftscan.budget import DEFAULT_FILE_BUDGET_SECONDS
from ftscan.cache.files import default_cache_dir
from ftscan.cache.kept import remembered
from ftscan.collector import set_for_scanning
from ftscan.commandline import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    Date,
    Shard,
    Size,
    cache_dir_for,
    cache_options,
    color_wanted,
    emit,
    history_options,
    history_range,
    run_scan,
    usage_error,
)
from ftscan.config import FAIL_ON_CHOICES
from ftscan.discovery import DEFAULT_EXCLUDES_TEXT
from ftscan.errors import FtscanError
from ftscan.escape import terminal
from ftscan.reporters import (
    INVENTORY_FORMATS,
    SCAN_FORMATS,
    inventory_reporter,
    scan_reporter,
)
from ftscan.result import ScanOptions
from ftscan.ruleset import load_rules
from ftscan.search import ENGINES
from ftscan.shards import in_shard


class _Commands(click.Group):
    """ftscan's commands. Those that call a provider live in :mod:`ftscan.cli_providers`,
    imported (which registers them) only when one of them is asked for or the commands are
    listed: no other run pays for their modules."""

    PROVIDER_COMMANDS = ("reconcile", "recipes")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.PROVIDER_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.PROVIDER_COMMANDS and name not in self.commands:
            from ftscan.cli_providers import COMMANDS

            for command in COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; an :class:`~ftscan.errors.FtscanError` from any of them (a path,
        config, rule, baseline or inventory that cannot be used, a provider that cannot be
        asked) is one line on stderr and exit 2."""
        set_for_scanning()
        try:
            return super().invoke(ctx)
        except FtscanError as exc:
            usage_error(str(exc))


@click.group(cls=_Commands,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="ftscan")
def main() -> None:
    """Find every fine-tuned model a repository depends on, and how long it has left.

    OpenAI stops all new fine-tuning jobs on 2027-01-06, and fine-tuned models stop serving when
    their base model shuts down. ftscan finds the ids wherever they hide.
    """


@main.command("scan", short_help="Find fine-tuned model ids and the code that uses them.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(sorted(SCAN_FORMATS)),
              default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES),
              help="Exit 1 when a finding is at or above this level [default: warning].")
@click.option("--as-of", type=Date(), help="Date for lifecycle verdicts [default: today].")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: .ftscan.toml or [tool.ftscan], found upward).")
@click.option("--no-ignore", is_flag=True,
              help="Also scan files that .gitignore/.ftscanignore would skip (and the default "
                   "excludes).")
@click.option("--no-default-excludes", is_flag=True,
              help=f"Also scan vendored code and build output, left out by default: "
                   f"{DEFAULT_EXCLUDES_TEXT}.")
@click.option("--file-timeout", type=click.FloatRange(min=0, min_open=True),
              default=DEFAULT_FILE_BUDGET_SECONDS, show_default=True, metavar="SECONDS",
              help="Give up a file whose analysis takes longer (reported, the scan goes on).")
@click.option("--max-file-size", type=Size(),
              help="Parse no file larger than this, e.g. 2MB [default: 2MiB]; larger files "
                   "are read in pieces for ids only (only files over 256 MiB are skipped).")
@click.option("--warning-window", "warning_window", type=click.IntRange(min=0),
              help="Days before a shutdown at which findings become errors [default: 90].")
@click.option("--no-aliases", is_flag=True,
              help="Report literal ids only; do not follow names to the code that uses them.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
              help="Accept the findings listed in this baseline file (reported as suppressed).")
@click.option("--baseline-if-present", "optional_baseline",
              type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="The same, when FILE exists, and no baseline when it does not (the "
                   "pre-commit hooks: .ftscan-baseline.json).")
@click.option("--diff-base", metavar="REF",
              help="Report only findings on lines added or changed since the merge base of "
                   "REF and HEAD (names still resolve over the whole repository).")
@click.option("--staged", is_flag=True,
              help="Report only findings on lines added or changed in the git index.")
@click.option("--shard", type=Shard(),
              help="Scan only shard I of N of the repositories found under PATHS (a CI matrix).")
@click.option("--report-only", "--files-only", "files_only", is_flag=True,
              help="Report only on the files named as PATHS, but scan their whole repository "
                   "so names still resolve (pre-commit passes changed files this way). "
                   "--files-only is the old name.")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Worker processes [default: one per core on large scans].")
@click.option("--search", "search_engine", type=click.Choice(ENGINES), default="auto",
              show_default=True,
              help="What finds the files worth reading: ripgrep (rg beside ftscan or on PATH; "
                   "pip install 'ftscan[fast]'), or python (every file read in Python). The "
                   "findings are the same; auto uses ripgrep when installed.")
@history_options
@cache_options
@click.option("--quiet", "-q", is_flag=True, help="Print no diagnostics, only the report.")
@click.option("--verbose", "-v", is_flag=True, help="Also print informational diagnostics.")
def scan_command(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    fail_on: str | None,
    as_of: dt.date | None,
    config_file: Path | None,
    no_ignore: bool,
    no_default_excludes: bool,
    file_timeout: float,
    max_file_size: int | None,
    warning_window: int | None,
    no_aliases: bool,
    baseline: Path | None,
    optional_baseline: Path | None,
    diff_base: str | None,
    staged: bool,
    shard: tuple[int, int] | None,
    files_only: bool,
    jobs: int | None,
    search_engine: str,
    history: bool,
    since: str | None,
    branches: str | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Scan PATHS (default: the current folder) for fine-tuned model ids."""
    if diff_base and staged:
        usage_error("--diff-base and --staged cannot be combined")
    if baseline and optional_baseline:
        usage_error("--baseline and --baseline-if-present cannot be combined")
    if optional_baseline is not None and optional_baseline.exists():
        baseline = optional_baseline
    if files_only and not paths:
        sys.exit(EXIT_CLEAN)  # pre-commit with no matching files
    options = ScanOptions(
        paths=paths or (Path("."),),
        as_of=as_of,
        config_file=config_file,
        use_ignore_files=not no_ignore,
        default_excludes=False if no_default_excludes else None,
        file_budget=file_timeout,
        max_file_size=max_file_size,
        warning_window_days=warning_window,
        fail_on=fail_on,
        follow_aliases=not no_aliases,
        baseline=baseline,
        diff_base=diff_base,
        staged=staged,
        shard=shard,
        own_files=(output,) if output is not None else (),
        files_only=files_only,
        jobs=jobs,
        search_engine=search_engine,
        cache_dir=cache_dir_for(no_cache, cache_dir),
        history=history_range(history, since, branches),
    )
    result = run_scan(options, quiet=quiet, verbose=verbose)
    color = output is None and color_wanted()
    emit(remembered(result, output_format, options.cache_dir,
                     lambda r: scan_reporter(output_format).render(r, color)), output)
    if output is not None and not quiet:  # the report went to a file: say what it holds
        from ftscan.reporters.text import summary_line

        click.echo(f"ftscan: {terminal(str(output))}: {summary_line(result)}", err=True)
    sys.exit(EXIT_FINDINGS if result.failed() else EXIT_CLEAN)


@main.command("inventory", short_help="One row per model id: lifecycle, owners, every site.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(list(INVENTORY_FORMATS)),
              default="markdown", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the inventory to FILE (atomically) instead of stdout.")
@click.option("--as-of", type=Date(), help="Date for lifecycle verdicts [default: today].")
@click.option("--merge", "merge_files", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="Merge JSON inventories (of several repositories) instead of scanning: "
                   "--merge a.json b.json ... (the files after it are inventories too).")
@click.option("--redact-org", is_flag=True,
              help="Hide the org wherever an id holds it (OpenAI org, also in legacy ids and "
                   "run-time templates; Mistral workspace, Fireworks account, Vertex project, "
                   "AWS account).")
@click.option("--max-size", type=Size(), metavar="SIZE",
              help="Markdown only: at most SIZE bytes, e.g. 1MiB for $GITHUB_STEP_SUMMARY "
                   "(GitHub's limit): the details, then the least urgent rows are left out, "
                   "and a last line says how many.")
@click.option("--shard", type=Shard(),
              help="Only shard I of N of the repositories found under PATHS (a CI matrix).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: .ftscan.toml or [tool.ftscan], found upward).")
@click.option("--no-ignore", is_flag=True,
              help="Also scan files that .gitignore/.ftscanignore would skip.")
@history_options
@cache_options
@click.option("--quiet", "-q", is_flag=True, help="Print no diagnostics, only the inventory.")
def inventory_command(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    as_of: dt.date | None,
    merge_files: tuple[Path, ...],
    redact_org: bool,
    max_size: int | None,
    shard: tuple[int, int] | None,
    config_file: Path | None,
    no_ignore: bool,
    history: bool,
    since: str | None,
    branches: str | None,
    no_cache: bool,
    cache_dir: Path | None,
    quiet: bool,
) -> None:
    """One row per fine-tuned model id: base model, lifecycle, owners, services and every site.

    Scans PATHS (default: the current folder), or with --merge joins JSON inventories written
    by earlier runs (one per repository or CI shard)."""
    from ftscan import inventory as inv

    if max_size is not None and output_format != "markdown":
        usage_error("--max-size applies to --format markdown")
    if merge_files:  # --merge a.json b.json: the files after the first come in as PATHS
        merge_files = (*merge_files, *paths)
        result = inv.merge([inv.load(p) for p in merge_files], as_of)
    else:
        options = ScanOptions(paths=paths or (Path("."),), as_of=as_of,
                              config_file=config_file, use_ignore_files=not no_ignore,
                              shard=shard, cache_dir=cache_dir_for(no_cache, cache_dir),
                              own_files=(output,) if output is not None else (),
                              history=history_range(history, since, branches))
        result = inv.build(run_scan(options, quiet=quiet, verbose=False))
    if redact_org:
        result = inv.redact(result)
    if max_size is not None:
        from ftscan.reporters.inventory_markdown import render_within

        emit(render_within(result, max_size, size=lambda text: len(text.encode("utf-8"))),
             output)
    else:
        emit(inventory_reporter(output_format).render(result), output)


@main.group("baseline", short_help="Accept today's findings so only new ones fail.")
def baseline_group() -> None:
    """Accept today's findings so that only new ones fail (a reviewed, stable file)."""


def _baseline_options(function: Callable[..., None]) -> Callable[..., None]:
    """The arguments both baseline commands take."""
    function = click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
                            default=Path(".ftscan-baseline.json"), show_default=True,
                            help="The baseline file.")(function)
    function = click.option("--config", "config_file",
                            type=click.Path(path_type=Path, dir_okay=False),
                            help="Config file.")(function)
    return click.argument("paths", nargs=-1, type=click.Path(path_type=Path))(function)


@baseline_group.command("create")
@_baseline_options
def baseline_create(paths: tuple[Path, ...], output: Path, config_file: Path | None) -> None:
    """Write a baseline accepting every current finding of PATHS (default: .)."""
    from ftscan import baseline as bl

    if output.exists():
        usage_error(f"{output} exists; use 'ftscan baseline update' to refresh it")
    result = run_scan(ScanOptions(paths=paths or (Path("."),), config_file=config_file,
                                  cache_dir=default_cache_dir(), own_files=(output,)),
                      quiet=False, verbose=False)
    emit(bl.create(result.findings), output)
    click.echo(f"ftscan: {output}: {len(result.findings)} findings accepted", err=True)


@baseline_group.command("update")
@_baseline_options
def baseline_update(paths: tuple[Path, ...], output: Path, config_file: Path | None) -> None:
    """Refresh a baseline: add new findings, drop entries that no longer match, keep the
    reasons and owners written into it."""
    from ftscan import baseline as bl

    old = bl.load(output)
    result = run_scan(ScanOptions(paths=paths or (Path("."),), config_file=config_file,
                                  cache_dir=default_cache_dir(), own_files=(output,)),
                      quiet=False, verbose=False)
    text, added, dropped = bl.update(old, result.findings)
    emit(text, output)
    click.echo(f"ftscan: {output}: {added} added, {dropped} no longer matching removed", err=True)


@main.command("github", short_help="The GitHub Action's driver (see action.yml).")
def github_command() -> None:
    """Run as the GitHub Action does: inputs from FTSCAN_* variables, GitHub's own GITHUB_*
    variables for the event, outputs and job summary. See action.yml."""
    from ftscan import github

    sys.exit(github.main())


@main.command("shard", short_help="Print the repository names in shard I of N.")
@click.argument("shard", type=Shard())
@click.argument("names", nargs=-1)
def shard_command(shard: tuple[int, int], names: tuple[str, ...]) -> None:
    """Print the repository NAMES (or lines of stdin) that belong to SHARD (I/N), so a CI job
    clones only its slice; --shard on scan and inventory splits the same way."""
    items = names or tuple(line.strip() for line in sys.stdin if line.strip())
    for name in items:
        if in_shard(name, shard):
            click.echo(name)


@main.command("merge-sarif", short_help="Join ftscan SARIF files into one run.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path,
                                                                   dir_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the merged SARIF to FILE (atomically) instead of stdout.")
def merge_sarif_command(files: tuple[Path, ...], output: Path | None) -> None:
    """Join ftscan SARIF files (one per shard) into one run, as code scanning requires."""
    from ftscan.sarifmerge import merge_sarif

    emit(merge_sarif(files), output)


@main.group("lifecycle", invoke_without_command=True,
            short_help="Show the shutdown dates in use; update them from a feed.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Include the lifecycle entries of this config.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def lifecycle_group(ctx: click.Context, config_file: Path | None, output_format: str) -> None:
    """Print the lifecycle table in use, in the order entries are consulted: your config's
    entries, your override file (written by 'ftscan lifecycle update'), the shipped data.
    Every entry names its source."""
    if ctx.invoked_subcommand is not None:
        return
    from ftscan import lifecycle_feed
    from ftscan.config import load_config
    from ftscan.lifecycle import load_lifecycle

    table = load_lifecycle()
    if config_file is not None:
        table = table.with_overrides(load_config(config_file).lifecycle)
    rows = list(lifecycle_feed.table_rows(table))
    training = list(lifecycle_feed.training_rows(table))
    if output_format == "json":
        events = [{"date": e.date.isoformat(), "provider": e.provider, "change": e.change,
                   "source": e.source} for e in table.events]
        click.echo(json.dumps({"version": table.version, "models": rows,
                               "jobCreation": training, "events": events}, indent=2))
        return
    click.echo("Models (a fine-tune serves until its base model shuts down):")
    _echo_lifecycle_rows(rows)
    click.echo("Fine-tuning job creation (a pipeline fails after this date):")
    _echo_lifecycle_rows(training)
    if table.events:
        click.echo("Events:")
    for event in table.events:
        click.echo(f"  {event.provider:<17} {event.date.isoformat():<11} {terminal(event.change)}")


def _echo_lifecycle_rows(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        when = row["shutdown"] or row["status"]
        covers = ", ".join(row["covers"])
        rules = f" (rules {', '.join(row['rules'])})" if row["rules"] else ""
        click.echo(f"  {row['provider']:<17} {when:<11} {terminal(covers)}{rules}")
        click.echo(f"  {'':<17} {'':<11} source: {terminal(row['source'])} "
                   f"({terminal(row['origin'])}"
                   + (f", checked {row['checked']}" if row["checked"] else "") + ")")


@lifecycle_group.command("update")
@click.option("--from", "source", required=True, metavar="FILE_OR_URL",
              help="A deprecations feed (deprecations.info data.json format); a URL is fetched "
                   "(the only network use), a file is read.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the overrides [default: the user override file that every "
                   "scan reads, e.g. ~/.config/ftscan/lifecycle.yaml; $FTSCAN_LIFECYCLE_FILE].")
def lifecycle_update(source: str, output: Path | None) -> None:
    """Write lifecycle overrides from a deprecations feed, for the providers ftscan knows."""
    from ftscan import lifecycle_feed
    from ftscan.lifecycle import user_override_file

    today = dt.date.today()
    update = lifecycle_feed.convert(lifecycle_feed.read_feed(source), source, today)
    target = output or user_override_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        usage_error(f"cannot create {target.parent}: {exc.strerror or exc}")
    emit(lifecycle_feed.render(update, source, today), target)
    skipped = sum(update.skipped.values())
    click.echo(f"ftscan: {terminal(str(target))}: {len(update.entries)} lifecycle entries "
               f"written" + (f", {skipped} skipped: " + "; ".join(
                   f"{n} {terminal(why)}" for why, n in update.skipped.most_common(5))
                   if skipped else ""), err=True)


@main.command("rules", short_help="List the rules.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Include the extra rule files this config names.")
def rules_command(config_file: Path | None) -> None:
    """List the rules: id, provider, default level and what each finds."""
    from ftscan.config import load_config

    extra = load_config(config_file).rules if config_file else ()
    rules = load_rules(extra)
    width = max(len(r.provider) for r in rules.rules)
    for rule in rules.rules:
        click.echo(f"{rule.id}  {rule.provider:<{width}}  {rule.level.label:<7}  {rule.title}")


def run() -> NoReturn:
    """The ``ftscan`` console script: :func:`main`, then an exit that skips tearing down the
    interpreter. Freeing every object of a large scan one by one costs a cached scan of a big
    repository 30-50 ms for nothing (mypy exits the same way). Reports are written and closed
    by then; standard streams are flushed here."""
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader went away (``ftscan scan | head``): the report was cut short
        code = code or 1
    os._exit(code or 0)

