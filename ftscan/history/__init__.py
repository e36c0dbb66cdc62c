"""``ftscan scan --history``: fine-tuned ids that live only in past commits (a committed
``.env`` later deleted, a route whose id was replaced, an example removed). Those fine-tunes
may still exist and still be billed.

:mod:`ftscan.history.scan` reads each distinct blob of the history once and folds what the
tree no longer holds into one detection per id and path (:attr:`~ftscan.models.Detection.history`
says where and when it was seen); :func:`judged` makes them findings: the verdicts of the scan,
at note level (no code of the tree calls them), with the commits in their message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ftscan.models import Detection, Finding, Level
from ftscan.verdicts import Verdicts, history_phrase


def judged(verdicts: Verdicts, detections: Iterable[Detection]) -> list[Finding]:
    """Each history detection judged like any other, then made a note that says when it was
    seen."""
    findings = []
    for finding in verdicts.judge_all(detections):
        assert finding.history is not None
        findings.append(dataclasses.replace(
            finding, level=Level.NOTE,
            message=f"{finding.message} Only in the repository's history: "
                    f"{history_phrase(finding.history)}."))
    return findings
