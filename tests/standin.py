"""A stand-in for the providers' APIs, served on 127.0.0.1 by the tests: a real HTTP server
that implements the endpoints ``ftscan reconcile`` and ``ftscan recipes export`` call, with
their pagination, their authentication, errors and rate limits, so the client is tested over
real sockets (never against a real provider, and with no mock of the HTTP client).

- OpenAI under ``/v1``: ``fine_tuning/jobs`` (``after``/``limit``, ``has_more``),
  ``fine_tuning/jobs/{id}/checkpoints``, ``models``, ``organization/usage/completions`` (admin
  key only; daily buckets, ``page``/``next_page``), ``files/{id}`` and ``files/{id}/content``.
- Azure OpenAI: ``/openai/models?api-version=`` with an ``api-key`` header.
- Mistral under ``/mistral/v1``: ``models``.

:class:`World` holds what the organisation has; :attr:`World.faults` scripts failures: a list
of answers (status, headers) to give, in turn, to requests whose path starts with a prefix,
before answering normally. Hostile servers for the client's bounds: :attr:`World.drips` (an
answer a byte at a time) and :attr:`World.endless_jobs` (a job listing that always has more).
"""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

API_KEY = "sk-standin-project-key-0123456789"
ADMIN_KEY = "sk-admin-standin-key-9876543210"
AZURE_KEY = "azure-standin-key-abcdef"
MISTRAL_KEY = "mistral-standin-key-123456"


@dataclass
class Fault:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"error": {"message": "stand-in fault"}}'
    times: int = 1
    """How many requests it answers (``-1``: every one)."""
    skip: int = 0
    """How many matching requests pass untouched before it answers."""


@dataclass
class Drip:
    """An answer sent one byte every ``interval`` seconds, in its headers or in its body, for
    ``seconds`` at most; whether the client stayed to the end is recorded."""

    interval: float
    where: str = "body"
    seconds: float = 10.0
    sent: int = 0
    finished: bool = False


@dataclass
class World:
    """The organisation as the stand-in providers see it."""

    jobs: list[dict[str, Any]] = field(default_factory=list)
    """Newest first, as the API lists them."""
    models: list[dict[str, Any]] = field(default_factory=list)
    checkpoints: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    usage: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    """Requests per model per day."""
    files: dict[str, bytes] = field(default_factory=dict)
    azure_models: list[dict[str, Any]] = field(default_factory=list)
    mistral_models: list[dict[str, Any]] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    """Every request path (with its query), in order."""
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    cut_after: dict[str, int] = field(default_factory=dict)
    """File ids whose content download drops the connection after this many bytes."""
    drips: dict[str, Drip] = field(default_factory=dict)
    """Paths (prefixes) answered by dripping."""
    endless_jobs: int = 0
    """When set, ``fine_tuning/jobs`` lists new jobs forever (up to 40 pages), each carrying
    this many bytes of metadata."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fault_for(self, path: str) -> Fault | None:
        with self.lock:
            for prefix, queue in self.faults.items():
                if path.startswith(prefix) and queue:
                    fault = queue[0]
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            queue.pop(0)
                    return fault
        return None


class _Handler(http.server.BaseHTTPRequestHandler):
    world: World
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        parsed = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
        world = self.world
        with world.lock:
            world.seen.append(self.path)
            world.headers_seen.append(dict(self.headers.items()))
        fault = world.fault_for(parsed.path)
        if fault is not None:
            return self._send(fault.status, fault.body, fault.headers)
        drip = next((d for prefix, d in world.drips.items() if parsed.path.startswith(prefix)),
                    None)
        if drip is not None:
            return self._drip(drip)
        path = parsed.path
        if path.startswith("/openai/"):
            return self._azure(path, query)
        if path.startswith("/mistral/v1/"):
            return self._mistral(path)
        if not path.startswith("/v1/"):
            return self._json(404, {"error": {"message": f"no route {path}"}})
        route = path[len("/v1/"):]
        admin = route.startswith("organization/")
        if not self._authorised(ADMIN_KEY if admin else API_KEY, admin):
            return None
        if route == "fine_tuning/jobs" and world.endless_jobs:
            return self._json(200, _endless_page(query, world.endless_jobs))
        if route == "fine_tuning/jobs":
            return self._json(200, _page_after(world.jobs, query))
        if route.startswith("fine_tuning/jobs/") and route.endswith("/checkpoints"):
            job = urllib.parse.unquote(route.split("/")[2])
            if job not in {j["id"] for j in world.jobs}:
                return self._json(404, {"error": {"message": f"no job {job}"}})
            return self._json(200, _page_after(world.checkpoints.get(job, []), query))
        if route == "models":
            return self._json(200, {"object": "list", "data": world.models})
        if route == "organization/usage/completions":
            return self._json(200, _usage_page(world.usage, query))
        if route.startswith("files/"):
            return self._file(urllib.parse.unquote(route[len("files/"):]))
        return self._json(404, {"error": {"message": f"no route {path}"}})

    # ------------------------------------------------------------------ providers

    def _azure(self, path: str, query: dict[str, str]) -> None:
        if self.headers.get("api-key") != AZURE_KEY:
            return self._json(401, {"error": {"code": "401", "message": "Access denied"}})
        if "api-version" not in query:
            return self._json(400, {"error": {"message": "api-version is required"}})
        if path == "/openai/models":
            return self._json(200, {"data": self.world.azure_models, "object": "list"})
        return self._json(404, {"error": {"message": "no route"}})

    def _mistral(self, path: str) -> None:
        if self.headers.get("Authorization") != f"Bearer {MISTRAL_KEY}":
            return self._json(401, {"detail": "Unauthorized"})
        if path == "/mistral/v1/models":
            return self._json(200, {"object": "list", "data": self.world.mistral_models})
        return self._json(404, {"detail": "Not Found"})

    def _authorised(self, key: str, admin: bool) -> bool:
        given = self.headers.get("Authorization", "")
        if given == f"Bearer {key}":
            return True
        if admin and given == f"Bearer {API_KEY}":
            self._json(403, {"error": {"message": "You have insufficient permissions for this "
                                                  "operation. Missing scopes: api.usage.read"}})
        else:
            self._json(401, {"error": {"message": "Incorrect API key provided: sk-stan*****"}})
        return False

    def _file(self, rest: str) -> None:
        file_id, _, content = rest.partition("/")
        data = self.world.files.get(file_id)
        if data is None:
            return self._json(404, {"error": {"message": f"No such File object: {file_id}"}})
        if not content:
            return self._json(200, {"id": file_id, "object": "file", "bytes": len(data),
                                    "filename": f"{file_id}.jsonl", "purpose": "fine-tune"})
        cut = self.world.cut_after.get(file_id)
        if cut is not None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:cut])
            self.wfile.flush()
            self.close_connection = True
            return None
        return self._send(200, data, {"Content-Type": "application/octet-stream"})

    def _drip(self, drip: Drip) -> None:
        payload = b'{"object": "list", "data": [], "has_more": false}'
        count = int(drip.seconds / drip.interval)
        if drip.where == "headers":
            first = b"HTTP/1.1 200 OK\r\nX-Slow: "
            rest = b"a" * count + b"\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload
        else:
            first = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (count + len(payload))
            rest = b" " * count + payload
        self.close_connection = True
        try:
            self.wfile.write(first)
            for index in range(len(rest)):
                time.sleep(drip.interval if index < count else 0)
                self.wfile.write(rest[index:index + 1])
                drip.sent += 1
        except OSError:
            return  # the client hung up
        drip.finished = True

    # ------------------------------------------------------------------ answers

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _page_after(items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
    """``after``/``limit`` pagination as OpenAI's list endpoints do it."""
    limit = min(int(query.get("limit", 20)), 100)
    start = 0
    if "after" in query:
        ids = [i["id"] for i in items]
        start = ids.index(query["after"]) + 1 if query["after"] in ids else len(items)
    page = items[start:start + limit]
    return {"object": "list", "data": page, "has_more": start + limit < len(items)}


def _endless_page(query: dict[str, str], padding: int) -> dict[str, Any]:
    """A page of 100 new jobs after ``after``, each with ``padding`` bytes of metadata; "more"
    until the 40th page (a bound the client must reach long before)."""
    start = int(query.get("after", "ftjob-0").rpartition("-")[2]) + 1
    jobs = []
    for index in range(start, start + 100):
        made = job(index, "gpt-4o-mini-2024-07-18", f"s{index}", None, dt.date(2026, 1, 1),
                   status="failed")
        made["metadata"] = {"note": "x" * padding}
        jobs.append(made)
    return {"object": "list", "data": jobs, "has_more": start < 40 * 100}


def _usage_page(usage: dict[dt.date, dict[str, int]], query: dict[str, str]) -> dict[str, Any]:
    """Daily buckets from ``start_time`` to ``end_time``, ``limit`` buckets a page."""
    if query.get("bucket_width") != "1d" or query.get("group_by") != "model":
        return {"error": {"message": "the stand-in serves bucket_width=1d, group_by=model"}}
    start = dt.datetime.fromtimestamp(int(query["start_time"]), dt.timezone.utc).date()
    end = dt.datetime.fromtimestamp(int(query.get("end_time", query["start_time"])),
                                    dt.timezone.utc).date()
    days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
    offset = int(query.get("page") or 0)
    limit = min(int(query.get("limit", 7)), 31)
    buckets = []
    for day in days[offset:offset + limit]:
        begin = int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp())
        buckets.append({"object": "bucket", "start_time": begin, "end_time": begin + 86400,
                        "results": [{"object": "organization.usage.completions.result",
                                     "model": model, "num_model_requests": count,
                                     "input_tokens": count * 10, "output_tokens": count * 5}
                                    for model, count in sorted(usage.get(day, {}).items())]})
    more = offset + limit < len(days)
    return {"object": "page", "data": buckets, "has_more": more,
            "next_page": str(offset + limit) if more else None}


@contextmanager
def serve(world: World) -> Iterator[str]:
    """Serve ``world`` on 127.0.0.1; yields the base URL (``http://127.0.0.1:PORT``)."""
    handler = type("Handler", (_Handler,), {"world": world})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def environment(provider: str, url: str) -> dict[str, str]:
    """The variables that send ``provider`` (its name in the rules) to the stand-in served at
    ``url``, with the stand-in's keys. A provider added to ftscan gets its routes above and its
    line here; the contract tests (tests/test_provider_contract.py) fail until it has them."""
    return {
        "openai": {"OPENAI_API_KEY": API_KEY, "OPENAI_ADMIN_KEY": ADMIN_KEY,
                   "OPENAI_BASE_URL": f"{url}/v1"},
        "azure-openai": {"AZURE_OPENAI_ENDPOINT": url, "AZURE_OPENAI_API_KEY": AZURE_KEY},
        "mistral": {"MISTRAL_API_KEY": MISTRAL_KEY, "MISTRAL_BASE_URL": f"{url}/mistral/v1"},
    }[provider]


def job(index: int, base: str, suffix: str, model: str | None, created: dt.date,
        status: str = "succeeded", training: str | None = None,
        validation: str | None = None) -> dict[str, Any]:
    """A fine-tuning job object as the API returns it."""
    stamp = int(dt.datetime.combine(created, dt.time(), dt.timezone.utc).timestamp())
    return {"object": "fine_tuning.job", "id": f"ftjob-{index:05d}", "model": base,
            "fine_tuned_model": model, "status": status, "created_at": stamp,
            "finished_at": stamp + 3600, "organization_id": "org-standin",
            "training_file": training or f"file-train{index:05d}",
            "validation_file": validation, "trained_tokens": 1000,
            "user_provided_suffix": suffix, "result_files": [f"file-result{index:05d}"],
            "method": {"type": "supervised",
                       "supervised": {"hyperparameters": {"n_epochs": 3}}},
            "hyperparameters": {"n_epochs": 3}, "metadata": None}


def model(model_id: str, created: dt.date, owner: str = "org-standin") -> dict[str, Any]:
    stamp = int(dt.datetime.combine(created, dt.time(), dt.timezone.utc).timestamp())
    return {"id": model_id, "object": "model", "created": stamp, "owned_by": owner}
