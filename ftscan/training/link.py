"""Job-creation sites and the training files they name, linked after the scan: a site's
``training_file`` that is a path of the repository (as written, relative to the script's
folder, or a file name found once) gets the data file, and the data file its sites."""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Sequence

from ftscan.models import Detection, Role


def link_training(findings: Sequence[Detection]) -> list[Detection]:
    """``findings`` with sites and training-data files pointing at each other."""
    data = {f.location.path: f for f in findings if f.role is Role.TRAINING_DATA}
    if not data:
        return list(findings)
    by_name: dict[str, list[str]] = {}
    for path in data:
        by_name.setdefault(posixpath.basename(path), []).append(path)
    users: dict[str, list[str]] = {}
    out: list[Detection] = []
    for finding in findings:
        site = finding.training
        if finding.role is not Role.TRAINING or site is None:
            out.append(finding)
            continue
        linked = tuple(dict.fromkeys(
            path for named in (site.training_file, site.validation_file) if named
            for path in _resolve(named, finding.location.path, data, by_name)))
        if linked:
            finding = dataclasses.replace(finding, training=dataclasses.replace(
                site, data_files=linked))
            for path in linked:
                users.setdefault(path, []).append(
                    f"{finding.location.path}:{finding.location.start_line}")
        out.append(finding)
    return [dataclasses.replace(f, training_data=dataclasses.replace(
        f.training_data, used_by=tuple(users[f.location.path])))
        if f.role is Role.TRAINING_DATA and f.training_data is not None
        and f.location.path in users else f for f in out]


def _resolve(named: str, site_path: str, data: dict[str, Detection],
             by_name: dict[str, list[str]]) -> list[str]:
    if named.startswith(("file-", "s3://", "gs://", "env ", "http")):
        return []
    cleaned = posixpath.normpath(named.replace("\\", "/")).lstrip("/")
    if cleaned.startswith("./"):
        cleaned = cleaned[2:]
    for candidate in (cleaned, posixpath.normpath(posixpath.join(
            posixpath.dirname(site_path), cleaned))):
        if candidate in data:
            return [candidate]
    same_name = by_name.get(posixpath.basename(cleaned), [])
    return same_name if len(same_name) == 1 else []
