"""The calls a training rule names (its ``calls:``), read once per rule.

An entry is either the last parts of a dotted callee (``fine_tuning.jobs.create`` matches
``client.fine_tuning.jobs.create(...)``), or a method of an object a class builds, with the
positional parameters of each: ``OpenAIFinetuneEngine(base_model, data_path).finetune`` matches
``engine.finetune()`` where ``engine = OpenAIFinetuneEngine("gpt-4o-mini", "data.jsonl")``, and
``OpenAIFinetuneEngine(...).finetune()``. A library engine like that creates the job inside
its method, from what its constructor was given; the site is the method call.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class CallSpec:
    """One entry of a rule's ``calls:``."""

    callee: str
    """The last parts of the dotted callee (for a built object's method, the method)."""
    builder: str | None = None
    """The class whose instance the method is called on."""
    builder_params: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    """Names of the positional parameters, in order."""

    @property
    def plain(self) -> str | None:
        """The callee as a text search finds it in a comment (entries without a builder)."""
        return None if self.builder else self.callee

    def names_callee(self, callee: str) -> bool:
        """Is a call of ``callee`` (dotted, as written) one of this plain entry's?"""
        return callee == self.callee or callee.endswith("." + self.callee)


@functools.lru_cache(maxsize=64)
def call_specs(entries: tuple[str, ...]) -> tuple[CallSpec, ...]:
    """A rule's ``calls:`` read."""
    return tuple(_spec(entry.strip()) for entry in entries)


def _spec(entry: str) -> CallSpec:
    builder, built = None, ""
    head, dot, rest = entry.partition(").")
    if dot and "(" in head:  # Class(params).method(params)
        builder, _, built = head.partition("(")
        entry = rest
    callee, _, params = entry.partition("(")
    return CallSpec(callee.strip(), builder.strip() if builder else None, _names(built),
                    _names(params.rstrip(")")))


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())
