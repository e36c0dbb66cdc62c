"""``ftscan recipes export``: save each fine-tune's recipe while the provider still has it.

For every fine-tuning job chosen, its metadata (base, suffix, method, hyperparameters, status,
result files: the job object as the API gives it) goes to ``jobs/{job}.json`` and the content
of its training and validation files to ``files/{file}``; ``manifest.json`` lists them with
their sizes and SHA-256. After 2027-01-06 a fine-tune can only be rebuilt elsewhere, from these.

The export is resumable and careful with what is already there:

- the manifest is rewritten (atomically) after every job, so an interrupted export keeps
  everything finished before the interruption;
- a file the manifest lists with a matching size and digest is not downloaded again;
- downloads go to ``*.part`` and are renamed into place only when complete;
- an existing file with different content is never overwritten: the export says so and goes
  on (move the old file away to refresh it);
- nothing is written through a symbolic link, and what is written is readable by its owner
  only (training data often holds customer text).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftscan import __version__
from ftscan.atomic import write_atomic
from ftscan.errors import FtscanError
from ftscan.http import HttpError
from ftscan.providers.base import Progress, RecipeSource, RemoteJob, silent

MANIFEST = "manifest.json"
EXPORT_SECONDS = 6 * 3600.0
"""The time one export gives its requests: a run stopped there is resumed by the next."""
MANIFEST_VERSION = 1
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ExportError(FtscanError):
    """The export cannot start (its folder is unusable); one line for the user."""


@dataclass
class ExportResult:
    """What an export did: jobs saved, files downloaded or already there, and problems."""

    folder: Path
    jobs: int = 0
    downloaded: int = 0
    reused: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    """Requests that failed for good, and files not overwritten; the rest went on."""

    @property
    def complete(self) -> bool:
        return not self.errors


def inside_work_tree(folder: Path) -> Path | None:
    """The git working tree ``folder`` would be in, if any (training data written there is one
    ``git add .`` away from being committed)."""
    here = folder.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def export_recipes(source: RecipeSource, folder: Path, models: Collection[str] = (),
                   jobs: Collection[str] = (), every_job: bool = False,
                   progress: Progress = silent) -> ExportResult:
    """Export the recipes of the jobs chosen: those that made one of ``models``, those named
    in ``jobs``, or (neither given) every job that made a model (``every_job``: every job,
    failed and cancelled ones too)."""
    _prepare(folder)
    result = ExportResult(folder)
    manifest = _read_manifest(folder, source)
    chosen: list[RemoteJob] = []  # with their job objects; the others are only counted
    listed = 0
    try:
        for job in source.recipe_jobs():
            listed += 1
            if _wanted(job, models, jobs, every_job):
                chosen.append(job)
    except HttpError as exc:
        result.errors.append(f"fine-tuning jobs: {exc} ({listed} read before it)")
    missing = set(models) - {j.fine_tuned_model for j in chosen} if models else set()
    missing |= set(jobs) - {j.job_id for j in chosen}
    result.errors += [f"{name}: no fine-tuning job of this organisation made or is it"
                      for name in sorted(missing)]
    progress(f"{source.provider}: exporting {len(chosen)} of {listed} fine-tuning jobs to "
             f"{folder}")
    for number, job in enumerate(chosen, 1):
        entry = _export_job(source, folder, job, manifest["jobs"].get(job.job_id, {}), result)
        manifest["jobs"][job.job_id] = entry
        result.jobs += 1
        _write_manifest(folder, manifest)
        progress(f"{source.provider}: {number}/{len(chosen)} {job.job_id} saved")
    manifest["errors"] = list(result.errors)
    _write_manifest(folder, manifest)
    return result


def _wanted(job: RemoteJob, models: Collection[str], jobs: Collection[str],
            every_job: bool) -> bool:
    if models or jobs:
        return job.fine_tuned_model in models or job.job_id in jobs
    return every_job or job.fine_tuned_model is not None


def _export_job(source: RecipeSource, folder: Path, job: RemoteJob, before: dict[str, Any],
                result: ExportResult) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "jobId": job.job_id, "fineTunedModel": job.fine_tuned_model,
        "baseModel": job.base_model, "suffix": job.suffix, "method": job.method,
        "status": job.status, "resultFiles": list(job.result_files),
        "metadata": f"jobs/{_name(job.job_id)}.json",
    }
    metadata = json.dumps(dict(job.raw), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    _write_new(folder / entry["metadata"], metadata.encode("utf-8"), result)
    for role, file_id in (("trainingFile", job.training_file),
                          ("validationFile", job.validation_file)):
        if file_id is None:
            entry[role] = None
            continue
        entry[role] = _export_file(source, folder, file_id, before.get(role) or {}, result)
    return entry


def _export_file(source: RecipeSource, folder: Path, file_id: str, before: dict[str, Any],
                 result: ExportResult) -> dict[str, Any]:
    """One training or validation file: reused when the manifest vouches for the copy on
    disk, else downloaded (next to it, then moved into place if nothing differs)."""
    relative = f"files/{_name(file_id)}"
    target = folder / relative
    entry: dict[str, Any] = {"id": file_id, "path": relative}
    if target.is_file() and not target.is_symlink() and before.get("sha256"):
        size, digest = _digest(target)
        if size == before.get("bytes") and digest == before["sha256"]:
            result.reused += 1
            return {**before, **entry}
    try:
        info = source.file_info(file_id)
        entry["filename"] = info.get("filename") if isinstance(info.get("filename"), str) \
            else None
        fresh = target.with_name(target.name + ".download")
        size = source.download_file(file_id, fresh)
    except HttpError as exc:
        result.errors.append(f"{file_id}: {exc}")
        return {**entry, "error": str(exc)}
    with contextlib.suppress(OSError):
        fresh.chmod(0o600)  # training data: the user's eyes only, like the manifest
    size, digest = _digest(fresh)
    if target.exists() or target.is_symlink():
        same = target.is_file() and not target.is_symlink() and _digest(target) == (size, digest)
        fresh.unlink()
        if not same:
            result.errors.append(f"{relative} exists with different content: not overwritten "
                                 "(move it away to export it again)")
            return {**entry, "error": "exists with different content"}
    else:
        os.replace(fresh, target)
        result.downloaded += 1
        result.bytes += size
    return {**entry, "bytes": size, "sha256": digest}


def _write_new(target: Path, data: bytes, result: ExportResult) -> None:
    """Write ``data`` unless ``target`` already holds something else."""
    if target.is_symlink():
        result.errors.append(f"{target}: a symbolic link: not written through")
        return
    if target.exists():
        if target.read_bytes() != data:
            result.errors.append(f"{target.name} exists with different content (the job "
                                 "changed since): not overwritten")
        return
    write_atomic(target, data, private=True)


def _prepare(folder: Path) -> None:
    for sub in ("", "jobs", "files"):
        path = folder / sub if sub else folder
        if path.is_symlink():
            raise ExportError(f"{path} is a symbolic link: choose a real folder")
        try:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create {path}: {exc.strerror or exc}") from None
        for pattern in ("*.part", "*.download") if sub == "files" else ():
            for stale in path.glob(pattern):
                stale.unlink(missing_ok=True)  # a download cut short by an earlier run


def _read_manifest(folder: Path, source: RecipeSource) -> dict[str, Any]:
    path = folder / MANIFEST
    fresh = {"version": MANIFEST_VERSION, "kind": "ftscan-recipes", "provider": source.provider,
             "endpoint": source.endpoint, "tool": {"name": "ftscan", "version": __version__},
             "exportedAt": dt.date.today().isoformat(), "jobs": {}, "errors": []}
    if not path.is_file():
        return fresh
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExportError(f"{path}: not an ftscan recipes manifest ({exc}); move it away "
                          "or export to another folder") from None
    if not isinstance(data, dict) or data.get("kind") != "ftscan-recipes" or not isinstance(
            data.get("jobs"), dict):
        raise ExportError(f"{path}: not an ftscan recipes manifest; move it away or export "
                          "to another folder")
    return {**fresh, "jobs": data["jobs"]}


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    write_atomic(folder / MANIFEST,
                 json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                 private=True)


def _digest(path: Path) -> tuple[int, str]:
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
            size += len(chunk)
    return size, hasher.hexdigest()


def _name(identifier: str) -> str:
    """An id from the API as a file name: it must be one, or it is hashed into one."""
    if _SAFE_NAME.match(identifier):
        return identifier
    return "id-" + hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:32]
