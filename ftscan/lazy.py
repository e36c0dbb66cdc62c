"""Functions imported on first call, so that a run imports only the modules it uses."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def on_first_call(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for ``module.name`` that imports it when first called (a scan answered from
    the cache never pays for importing libcst, lark or the SARIF object model)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = name
    return call
