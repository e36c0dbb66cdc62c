"""Names that say a value is a fine-tuned model.

A read of ``OPENAI_FINETUNED_MODEL`` that reaches ``model=`` is a use of a fine-tune even when no
file of the repository holds the id: the value is set in the deploy platform or a secret store.
These names are how the alias phase tells such a read from a plain ``OPENAI_MODEL``.
"""

from __future__ import annotations

import re

FINE_TUNE_NAME = re.compile(
    r"FINE_?TUNED?|FINETUNED?|(?:^|_)FT(?:_|$)|FT_?MODEL|TUNED_?MODEL", re.IGNORECASE)
"""An environment variable or secret named like a fine-tuned model's."""

_FINE_TUNE_WORD = re.compile(
    rb"(?i:fine_?tuned?|finetuned?|ft_?model|tuned_?model|_ft_|\bft_)")
ENV_READ_WINDOW = 80
"""Bytes after an env read in which the variable's name must stand (``os.getenv("X"``)."""


def reads_fine_tune_env(data: bytes, readers: tuple[bytes, ...]) -> bool:
    """Does ``data`` read an environment variable named like a fine-tune: one of ``readers``
    (``getenv``, ``process.env``) followed on its line by such a name? Each reader occurrence
    is found at C speed and only a short window after it is searched: linear in the bytes."""
    for reader in readers:
        at = data.find(reader)
        while at >= 0:
            start = at + len(reader)
            window = data[start:start + ENV_READ_WINDOW]
            line_end = window.find(b"\n")
            if line_end >= 0:
                window = window[:line_end]
            if _FINE_TUNE_WORD.search(window) is not None:
                return True
            at = data.find(reader, start)
    return False


FINE_TUNE_NAME_IN_TEXT = re.compile(
    r"fine_?tuned?|finetuned?|ft_?model|tuned_?model|(?:\b|_)ft(?:_|\b)", re.IGNORECASE)
"""Where text may spell a name :data:`FINE_TUNE_NAME` accepts: each such name written in it
holds a match (its first and last characters stand at word boundaries)."""


def is_fine_tune_name(name: str) -> bool:
    """Is ``name`` (an env var, a secret) named like a fine-tuned model?"""
    return FINE_TUNE_NAME.search(name) is not None
