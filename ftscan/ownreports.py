"""Recognise ftscan's own files (reports, inventories, baselines), so one written into the tree
is not scanned next time.

``ftscan scan . --format sarif --output ftscan.sarif`` leaves a file full of model ids in the
repository; scanning it again would report every id twice. Each format starts with a mark
ftscan writes near the top, which is all this looks at.
"""

from __future__ import annotations

import re

_MARKS = re.compile(
    rb'\A\s*\{\s*"version": 1,\s*"tool": \{\s*"name": "ftscan"'  # JSON report
    rb'|\A\s*\{\s*"\$schema": "[^"]*sarif[^"]*",\s*"version": "2\.1\.0",\s*"runs": \[\s*\{'
    rb'\s*"tool": \{\s*"driver": \{\s*"name": "ftscan"'  # SARIF, as ftscan orders it
    rb"|\A## ftscan: fine-tuned model references"  # Markdown
    rb'|\A\s*\{\s*"version": 1,\s*"tool": "ftscan",\s*"entries"'  # a baseline
    rb'|\A\s*\{\s*"version": 1,\s*"kind": "ftscan-inventory"'  # a JSON inventory
    rb"|\A(?:<!-- ftscan:inventory -->\n)?## Fine-tuned model inventory"  # Markdown inventory
    rb"|\AmodelId,provider,baseModel,org,suffix,status,"  # a CSV inventory
    rb"|\Alevel,ruleId,role,modelId,provider,baseModel,"  # CSV
)


def is_own_report(data: bytes) -> bool:
    """Does ``data`` look like a report ftscan wrote?"""
    return _MARKS.match(data[:400]) is not None
