"""The OpenAI API calls ftscan makes: the organisation's fine-tuning jobs, fine-tuned models and
checkpoints, and (with an admin key) per-model usage (``../shared/reference/model-ids.md`` §7.1).

- ``GET /fine_tuning/jobs?after=&limit=`` pages through ``{data, has_more}``;
- ``GET /models``: fine-tunes are the ``ft:`` ids (owned by the organisation);
- ``GET /fine_tuning/jobs/{id}/checkpoints``, read only for jobs whose checkpoints code names;
- ``GET /organization/usage/completions`` (admin key) with ``group_by=model`` and daily buckets
  pages through ``{data, has_more, next_page}``: the newest bucket with requests for a model
  is its last inference date (no API says "last used");
- ``GET /files/{id}`` and ``/files/{id}/content`` for ``recipes export``.

A page that fails for good ends that listing; what was read before it is kept and the failure
is recorded in :attr:`ProviderState.errors`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from ftscan.http import Client, HttpError
from ftscan.providers.base import (
    Progress,
    ProviderState,
    RemoteJob,
    RemoteModel,
    epoch_date,
    epoch_time,
    silent,
    text_or_none,
)

NAME = "openai"
PAGE_SIZE = 100
USAGE_DAYS = 90
"""How far back usage is read: past the 60 days of the job-creation rule."""
USAGE_PAGE_DAYS = 31
"""Daily buckets per usage page (the API's limit for ``bucket_width=1d``)."""
MAX_PAGES = 1_000
"""A listing stops here whatever the server says (a server that always has more): 100,000
jobs. It is then incomplete, and says so."""
LISTING_BYTES = 256 * 1024 * 1024
"""Nor does a listing read more than this many bytes in all (a page of 100 jobs is ~100 KB)."""
MAX_RESULT_FILES = 64
"""Result files kept of one job (a job has one)."""
_NOT_FINE_TUNES = ("openai", "system", "openai-internal")


class OpenAIApi:
    """The read-only calls ftscan makes, over one client (and an admin one for usage). It is
    also what ``recipes export`` reads (a :class:`~ftscan.providers.base.RecipeSource`)."""

    provider = NAME

    def __init__(self, client: Client, admin: Client | None = None,
                 progress: Progress = silent) -> None:
        self.client = client
        self.admin = admin
        self.progress = progress

    def jobs(self) -> Iterator[dict[str, Any]]:
        """Every fine-tuning job, newest first, page by page."""
        yield from self._pages("fine_tuning/jobs", "fine-tuning jobs")

    def models(self) -> list[dict[str, Any]]:
        """The models the key can see (one page: the API does not paginate it)."""
        return _items(self.client.get_json("models"), "models")

    def checkpoints(self, job_id: str) -> Iterator[dict[str, Any]]:
        yield from self._pages(f"fine_tuning/jobs/{_segment(job_id)}/checkpoints",
                               "checkpoints")

    def _pages(self, path: str, what: str) -> Iterator[dict[str, Any]]:
        """The items of an ``after``/``has_more`` listing, within :data:`MAX_PAGES` and
        :data:`LISTING_BYTES`."""
        after: str | None = None
        bound = _Bound(self.client)
        while True:
            bound.next_page()
            answer = self.client.get_json(path, {"limit": PAGE_SIZE, "after": after})
            data = _items(answer, path)
            yield from data
            if bound.pages % 5 == 0:
                self.progress(f"openai: {bound.pages} pages of {what} read")
            if not answer.get("has_more") or not data:
                return
            after = str(data[-1].get("id", ""))
            if not after:
                return

    def usage(self, start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, str, int]]:
        """``(day, model, requests)`` for every daily bucket from ``start`` to ``end``
        (admin key)."""
        if self.admin is None:
            return
        begin = dt.datetime.combine(start, dt.time(), tzinfo=dt.timezone.utc)
        finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(),
                                     tzinfo=dt.timezone.utc)
        page_token: str | None = None
        bound = _Bound(self.admin)
        while True:
            bound.next_page()
            answer = self.admin.get_json("organization/usage/completions", {
                "start_time": int(begin.timestamp()), "end_time": int(finish.timestamp()),
                "bucket_width": "1d", "group_by": "model", "limit": USAGE_PAGE_DAYS,
                "page": page_token})
            for bucket in _items(answer, "usage"):
                day = epoch_date(bucket.get("start_time"))
                results = bucket.get("results")
                if day is None or not isinstance(results, list):
                    continue
                for result in results:
                    if not isinstance(result, dict):
                        continue
                    model = text_or_none(result.get("model"))
                    requests = result.get("num_model_requests")
                    if model and isinstance(requests, int) and requests > 0:
                        yield day, model, requests
            self.progress(f"openai: usage page {bound.pages} read")
            page_token = text_or_none(answer.get("next_page"))
            if not answer.get("has_more") or page_token is None:
                return

    @property
    def endpoint(self) -> str:
        return self.client.base_url

    def recipe_jobs(self) -> Iterator[RemoteJob]:
        """Every fine-tuning job, each with its job object, for ``recipes export``."""
        for raw in self.jobs():
            job = job_from(raw, keep_raw=True)
            if job is not None:
                yield job

    def file_info(self, file_id: str) -> dict[str, Any]:
        answer = self.client.get_json(f"files/{_segment(file_id)}")
        return answer if isinstance(answer, dict) else {}

    def download_file(self, file_id: str, target: Path) -> int:
        return self.client.download(f"files/{_segment(file_id)}/content", target)


def read_state(api: OpenAIApi, today: dt.date,
               checkpoint_ids: Collection[str] = ()) -> ProviderState:
    """What the organisation has: jobs, fine-tuned models, the checkpoints code names, and
    (with an admin key) the last day each model served requests."""
    state = ProviderState(NAME, api.client.base_url)
    try:
        for raw in api.jobs():
            job = job_from(raw)
            if job is not None:
                state.jobs.append(job)
    except HttpError as exc:
        if exc.status in (401, 403) and not state.jobs:
            state.errors.append(str(exc))  # the key is wrong: asking more tells nothing new
            return state
        state.errors.append(f"fine-tuning jobs: {exc} ({len(state.jobs)} read before it)")
    api.progress(f"openai: {len(state.jobs)} fine-tuning jobs")
    try:
        for raw in api.models():
            model = _model_from(raw)
            if model is not None:
                state.models[model.model_id] = model
    except HttpError as exc:
        state.errors.append(f"models: {exc}")
    jobs_of = {j.fine_tuned_model: j for j in state.jobs if j.fine_tuned_model}
    for model_id, model in list(state.models.items()):
        job = jobs_of.get(model_id)
        if job is not None and model.job_id is None:
            state.models[model_id] = RemoteModel(
                NAME, model_id, model.base_model or job.base_model, model.owner,
                model.created, job_id=job.job_id, retires=model.retires)
    _read_checkpoints(api, state, checkpoint_ids)
    _read_usage(api, state, today)
    return state


class _Bound:
    """How far one listing got; past :data:`MAX_PAGES` or :data:`LISTING_BYTES` it is ended
    with an :class:`HttpError` (what was read is kept, the listing is marked incomplete)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.pages = 0
        self.start = client.bytes_read

    def next_page(self) -> None:
        read = self.client.bytes_read - self.start
        if self.pages >= MAX_PAGES or read > LISTING_BYTES:
            raise HttpError(f"listing stopped after {self.pages} pages ({read:,} bytes): "
                            f"ftscan reads at most {MAX_PAGES} pages or {LISTING_BYTES:,} bytes "
                            "of one listing")
        self.pages += 1


def job_from(raw: Any, keep_raw: bool = False) -> RemoteJob | None:
    """A job record from the API's job object (``None`` for something that is not one), with
    the object itself only when ``keep_raw`` (a long listing keeps only what it needs)."""
    if not isinstance(raw, dict) or not text_or_none(raw.get("id")):
        return None
    method = raw.get("method")
    method_type = text_or_none(method.get("type")) if isinstance(method, dict) else None
    results = raw.get("result_files")
    return RemoteJob(
        provider=NAME, job_id=str(raw["id"]), base_model=text_or_none(raw.get("model")),
        fine_tuned_model=text_or_none(raw.get("fine_tuned_model")),
        status=text_or_none(raw.get("status")) or "unknown",
        created=epoch_time(raw.get("created_at")),
        organization=text_or_none(raw.get("organization_id")),
        training_file=text_or_none(raw.get("training_file")),
        validation_file=text_or_none(raw.get("validation_file")),
        suffix=text_or_none(raw.get("user_provided_suffix")) or text_or_none(raw.get("suffix")),
        method=method_type,
        result_files=tuple(r for r in map(text_or_none, results[:MAX_RESULT_FILES]) if r)
        if isinstance(results, list) else (),
        raw=raw if keep_raw else {})


def _model_from(raw: Any) -> RemoteModel | None:
    if not isinstance(raw, dict):
        return None
    model_id = text_or_none(raw.get("id"))
    owner = text_or_none(raw.get("owned_by"))
    if model_id is None or not (model_id.startswith("ft:") or (
            owner is not None and not owner.startswith(_NOT_FINE_TUNES))):
        return None
    shutdown = text_or_none(raw.get("shutdown_date"))
    try:
        retires = dt.date.fromisoformat(shutdown[:10]) if shutdown else None
    except ValueError:
        retires = None
    return RemoteModel(NAME, model_id, base_of(model_id), owner,
                       epoch_date(raw.get("created")), retires=retires)


def base_of(model_id: str) -> str | None:
    """``ft:{base}:{org}:...`` → base."""
    if model_id.startswith("ft:"):
        return model_id.split(":")[1] or None
    return None


def _read_checkpoints(api: OpenAIApi, state: ProviderState,
                      checkpoint_ids: Collection[str]) -> None:
    """Checkpoints of the jobs whose checkpoint ids code names (one listing per such job,
    not one per job of the organisation)."""
    wanted = {c.rsplit(":ckpt-step-", 1)[0] for c in checkpoint_ids if ":ckpt-step-" in c}
    for job in state.jobs:
        if job.fine_tuned_model not in wanted:
            continue
        try:
            for raw in api.checkpoints(job.job_id):
                name = text_or_none(raw.get("fine_tuned_model_checkpoint"))
                if name:
                    state.checkpoints.add(name)
        except HttpError as exc:
            state.errors.append(f"checkpoints of {job.job_id}: {exc}")


def _read_usage(api: OpenAIApi, state: ProviderState, today: dt.date) -> None:
    if api.admin is None:
        state.usage_note = ("last use unknown: set OPENAI_ADMIN_KEY (an organisation admin "
                            "key) to read the usage API")
        return
    last: dict[str, dt.date] = {}
    try:
        for day, model, _requests in api.usage(today - dt.timedelta(days=USAGE_DAYS), today):
            if day > last.get(model, dt.date.min):
                last[model] = day
    except HttpError as exc:
        state.errors.append(f"usage: {exc}")
        state.usage_note = "usage read in part: last-use dates may be too old"
    state.last_used = last
    state.usage_days = USAGE_DAYS
    if not any(m.startswith("ft:") for m in last):
        state.usage_note = (
            f"the usage API named no fine-tuned model in the last {USAGE_DAYS} days: either "
            "none served requests, or usage does not report fine-tunes by id")


def _items(answer: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise HttpError(f"{what}: the answer has no data list")
    return [item for item in answer["data"] if isinstance(item, dict)]


def _segment(value: str) -> str:
    """An id as one URL path segment (an id from an API is never trusted to be a path)."""
    from urllib.parse import quote

    return quote(value, safe="")
