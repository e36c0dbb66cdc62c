"""What is applied after the phases, in the order a scan applies it.

To a repository's detections, once per analysis (what is kept and replayed):
:func:`settle` links training sites and their data files, fills in owners and services, and
marks what an inline ``ftscan: ignore`` comment accepts.

To the findings of this run, after the verdicts: a baseline's accepted findings
(:func:`ftscan.baseline.apply`), and :func:`mark_changed`: which findings sit on lines a change
adds or edits (the GitHub Action's pull request run calls it too).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from ftscan.models import Detection, Diagnostic, Finding
from ftscan.suppress import Markers


def settle(detections: Sequence[Detection], root: Path, markers_of: Callable[[str], Markers],
           ) -> tuple[list[Detection], list[Diagnostic]]:
    """Detections with training sites linked to their data, owners and services filled in,
    and inline suppressions applied; with the problems found on the way (CODEOWNERS lines,
    suppressions without a reason)."""
    from ftscan.ownership import annotate
    from ftscan.suppress import apply_inline
    from ftscan.training.link import link_training

    owned, problems = annotate(link_training(detections), root)
    settled, unexplained = apply_inline(owned, markers_of)
    return settled, [*problems, *unexplained]


def mark_changed(findings: Sequence[Finding], root: Path, base: str | None, staged: bool,
                 max_size: int) -> list[Finding]:
    """Each finding marked ``new`` when it sits on a line added or edited since the merge base
    with ``base`` (or in the index, with ``staged``). Raises
    :class:`~ftscan.gitdiff.DiffError` when git cannot say."""
    from ftscan.gitdiff import changed_lines, in_ftscan_lines, is_changed
    from ftscan.pipeline.reading import text_reader

    changed = in_ftscan_lines(changed_lines(root, base, staged), text_reader(root, max_size))
    return [dataclasses.replace(f, new=is_changed(changed, f.location.path,
                                                  f.location.start_line))
            for f in findings]
