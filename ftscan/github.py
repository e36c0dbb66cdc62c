"""The GitHub Action's logic, in Python so it is tested: ``ftscan github`` reads the action's
inputs from ``FTSCAN_*`` environment variables and GitHub's own variables, scans, and writes
what the workflow needs.

- SARIF of the whole repository (code scanning filters pull request display to the diff itself,
  and matches alerts against the base branch by fingerprint, so a partial upload would be
  wrong);
- the *new* findings: on ``pull_request`` (``diff-only``), those on lines the pull request adds
  or changes, names still resolved over the whole repository; minus baseline and inline
  suppressions;
- ``::error``/``::warning``/``::notice`` annotations for new findings, escaped as the actions
  toolkit escapes them, at most 10 per level (GitHub drops the rest), then one notice;
- the inventory of what the pull request adds, in the job summary and in a comment file (with
  a marker, so the action updates one comment instead of adding one per push);
- step outputs ``findings``, ``new-findings``, ``sarif-file``, ``inventory-file``,
  ``comment-file``; and exit code 1 when a new finding is at or above ``fail-on``, after
  everything is written;
- nothing at all on ``pull_request_target`` (exit 2, :data:`PULL_REQUEST_TARGET` says why).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from ftscan import inventory as inv
from ftscan.api import scan
from ftscan.atomic import write_atomic
from ftscan.baseline import BaselineError
from ftscan.baseline import load as load_baseline
from ftscan.cache.files import default_cache_dir
from ftscan.escape import terminal
from ftscan.gitdiff import DiffError
from ftscan.models import Finding, Level
from ftscan.pipeline.post import mark_changed
from ftscan.reporters import inventory_markdown, sarif
from ftscan.reporters.inventory_markdown import COMMENT_MARKER
from ftscan.reporters.text import summary_line
from ftscan.result import ScanOptions

ANNOTATIONS_PER_LEVEL = 10
SUMMARY_LIMIT = 1024 * 1024
"""Bytes GitHub accepts in one step's job summary (a larger one fails the step)."""
COMMENT_LIMIT = 65_536
"""Characters GitHub accepts in an issue or pull request comment (counted here in UTF-8 bytes,
never fewer than the characters, so the comment fits however GitHub counts)."""
_COMMANDS = {Level.ERROR: "error", Level.WARNING: "warning", Level.NOTE: "notice"}
PULL_REQUEST_TARGET = (
    "ftscan does not run on pull_request_target: that event runs with the base repository's "
    "write token, cache scope and code scanning ref, so what ftscan learnt from a pull "
    "request's code would be saved and uploaded as the base branch's. Run it on pull_request: "
    "a fork's pull request is scanned with a read-only token, annotations and the job summary "
    "included.")
"""Why ``ftscan github`` refuses ``pull_request_target`` (exit 2), the event that gives a fork's
pull request the base repository's token and scopes."""


def escape_data(text: str) -> str:
    """Escape a workflow command's message (``@actions/core`` ``escapeData``), after every
    control character of the text has been made visible (:func:`ftscan.escape.terminal`)."""
    return terminal(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property (``@actions/core`` ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """One workflow command for a finding (start line only: it attaches to the diff)."""
    loc = finding.location
    title = f"{finding.rule_id} {finding.role.value}: {terminal(finding.shown_id)}"
    return (f"::{_COMMANDS[finding.level]} file={escape_property(loc.path)},"
            f"line={loc.start_line},"
            f"col={loc.start_column},title={escape_property(title)}::"
            f"{escape_data(finding.message)}")


def annotation_lines(findings: list[Finding]) -> list[str]:
    """At most :data:`ANNOTATIONS_PER_LEVEL` per level, most severe first, then a notice."""
    lines: list[str] = []
    left = 0
    for level in sorted(Level, reverse=True):
        of_level = [f for f in findings if f.level is level]
        lines += [annotation(f) for f in of_level[:ANNOTATIONS_PER_LEVEL]]
        left += max(0, len(of_level) - ANNOTATIONS_PER_LEVEL)
    if left:
        lines.append(f"::notice title=ftscan::{left} more findings are not annotated; see the "
                     "job summary or code scanning")
    return lines


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    return default


def _event(env: Mapping[str, str]) -> dict[str, object]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def run(env: Mapping[str, str], out: list[str]) -> int:
    """Do the action's work; ``out`` collects the lines for stdout. Returns the exit code."""
    if env.get("GITHUB_EVENT_NAME") == "pull_request_target":
        out.append(f"::error title=ftscan::{escape_data(PULL_REQUEST_TARGET)}")
        return 2
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    # never write into the scanned tree: RUNNER_TEMP on a runner, the system temp elsewhere
    temp = Path(env.get("RUNNER_TEMP") or tempfile.gettempdir())
    target = Path(env.get("FTSCAN_PATH") or ".")
    if not target.is_absolute():
        target = workspace / target
    fail_on = env.get("FTSCAN_FAIL_ON") or "error"
    baseline, baseline_problem = _baseline(env, workspace, out)
    sarif_file = Path(env.get("FTSCAN_SARIF_FILE") or temp / "ftscan.sarif")
    inventory_file = temp / "ftscan-inventory.md"
    comment_file = temp / "ftscan-comment.md"
    is_pr = env.get("GITHUB_EVENT_NAME") == "pull_request"
    diff_only = _flag(env, "FTSCAN_DIFF_ONLY", default=is_pr)

    result = scan(ScanOptions(
        paths=(target,), fail_on=fail_on, baseline=baseline,
        own_files=(sarif_file, inventory_file, comment_file),
        cache_dir=default_cache_dir(),
    ))
    active = [f for f in result.findings if f.suppression is None]
    new = active
    scope = "in the repository"
    if diff_only:
        base = _base_sha(env)
        if base is None:
            out.append("::notice title=ftscan::no pull request base found; every finding "
                       "counts as new")
        else:
            try:
                marked = mark_changed(active, result.root, base, False,
                                      result.settings.max_file_size)
            except DiffError as exc:
                out.append(f"::warning title=ftscan::{escape_data(str(exc))}; every finding "
                           "counts as new")
            else:
                new = [f for f in marked if f.new]
                scope = "on lines this pull request adds or changes"
    # code scanning needs the whole repository in every upload (a partial one would close the
    # alerts it leaves out); which results this pull request adds is a property of each
    fresh = {(f.fingerprint, f.location) for f in new}
    marked_all = tuple(replace(f, new=(f.fingerprint, f.location) in fresh)
                       for f in result.findings)
    write_atomic(sarif_file, sarif.render(replace(result, all_findings=marked_all)))
    out.extend(annotation_lines(new))

    added = replace(result, findings=tuple(new))
    inventory = inv.build(added)
    headline = (f"ftscan: {len(new)} new finding{'s' if len(new) != 1 else ''} {scope} "
                f"({len(active)} in the repository, "
                f"{len(result.findings) - len(active)} suppressed).")
    links = _Links(env)
    write_atomic(inventory_file, inventory_markdown.render_within(inventory, intro=headline))
    if _flag(env, "FTSCAN_SUMMARY", default=True):
        _append(env.get("GITHUB_STEP_SUMMARY"), inventory_markdown.render_within(
            inventory, SUMMARY_LIMIT, links.left_out("a job summary", "1 MiB", summary=False),
            size=_utf8_size, intro=headline))
    comment = _flag(env, "FTSCAN_COMMENT", default=False) and is_pr
    if comment:
        # a comment only when the pull request adds something; else the step updates the
        # comment of an earlier push, if any, to say so, and posts none
        body = inventory_markdown.render_within(
            inventory, COMMENT_LIMIT - len(COMMENT_MARKER) - 1,
            links.left_out("a comment", "65,536 characters", summary=True), size=_utf8_size,
            intro=headline) if new else f"{headline}\n"
        write_atomic(comment_file, f"{COMMENT_MARKER}\n{body}")
    _append(env.get("GITHUB_OUTPUT"), "".join(
        f"{key}={value}\n" for key, value in (
            ("findings", len(active)),
            ("new-findings", len(new)),
            ("sarif-file", sarif_file),
            ("inventory-file", inventory_file),
            ("comment-file", comment_file if comment else ""),
            ("comment-mode", ("post" if new else "update-only") if comment else ""),
        )
    ))
    out.append(f"ftscan: {terminal(summary_line(result))}")  # shows whether the cache served
    out.append(headline)
    if baseline_problem:
        return 2
    return 1 if added.failed(fail_on) else 0


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def _baseline(env: Mapping[str, str], workspace: Path, out: list[str],
              ) -> tuple[Path | None, bool]:
    """The baseline to use, and whether it was unusable. A baseline that does not exist (yet)
    is a warning and the scan goes on without it; one that cannot be read is an error the run
    ends with (exit 2), once the SARIF, annotations and summary are written."""
    name = env.get("FTSCAN_BASELINE")
    if not name:
        return None, False
    path = workspace / name
    if not path.exists():
        out.append(f"::warning title=ftscan::{escape_data(name)}: baseline file does not "
                   "exist, so every finding counts (create it with: ftscan baseline create)")
        return None, False
    try:
        load_baseline(path)
    except BaselineError as exc:
        out.append(f"::error title=ftscan::{escape_data(str(exc))}")
        return None, True
    return path, False


class _Links:
    """Where the whole report is, from the runner's variables: the run's page (whose job
    summary has the whole inventory) and code scanning (the pull request's alerts)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        server = env.get("GITHUB_SERVER_URL") or "https://github.com"
        repository = env.get("GITHUB_REPOSITORY", "")
        run = env.get("GITHUB_RUN_ID", "")
        self.run = f"{server}/{repository}/actions/runs/{run}" if repository and run else None
        pull = _event(env).get("pull_request")
        number = pull.get("number") if isinstance(pull, dict) else None
        query = f"?query=is%3Aopen+pr%3A{number}" if isinstance(number, int) else ""
        self.alerts = f"{server}/{repository}/security/code-scanning{query}" \
            if repository else None

    def left_out(self, what: str, limit: str, summary: bool) -> Callable[[int, int], str]:
        """The last line of a report cut to fit ``what``: what was left out, and where to
        look (with ``summary``, also the run's job summary, which holds more)."""
        def alerts(name: str) -> str:
            return f"[{name}]({self.alerts}) has every finding." if self.alerts \
                else f"{name} has every finding."

        where = alerts("Code scanning")
        if summary:
            run = f"[this run]({self.run})" if self.run else "this run"
            where = f"The job summary of {run} has more of the inventory; " \
                    f"{alerts('code scanning')}"

        def note(rows: int, details: int) -> str:
            parts = ([f"{rows:,} more model id{'s' if rows != 1 else ''}"] if rows else []) + (
                [f"the details of {details:,}"] if details else [])
            return (f"_Not shown here, to stay within GitHub's limit for {what} ({limit}): "
                    f"{' and '.join(parts)}. {where}_")
        return note


def _base_sha(env: Mapping[str, str]) -> str | None:
    explicit = env.get("FTSCAN_BASE_REF")
    if explicit:
        return explicit
    pull = _event(env).get("pull_request")
    if isinstance(pull, dict):
        base = pull.get("base")
        if isinstance(base, dict) and isinstance(base.get("sha"), str):
            return str(base["sha"])
    return None


def main() -> int:
    """Entry point of ``ftscan github``."""
    lines: list[str] = []
    code = run(os.environ, lines)
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return code
