"""Names that say a value is a fine-tuned model, and the secrets a workflow sets variables from.

A read of ``OPENAI_FINETUNED_MODEL`` that reaches ``model=`` is a use of a fine-tune even when no
file of the repository holds the id: the value is set in the deploy platform or a secret store.
These names are how the alias phase tells such a read from a plain ``OPENAI_MODEL``.
"""

from __future__ import annotations

import re

FINE_TUNE_NAME = re.compile(
    r"FINE_?TUNED?|FINETUNED?|(?:^|_)FT(?:_|$)|FT_?MODEL|TUNED_?MODEL", re.IGNORECASE)
"""An environment variable or secret named like a fine-tuned model's."""

_WORKFLOW_SECRET = re.compile(
    rb"""^[ \t]{0,40}-?[ \t]{0,8}["']?([A-Za-z_][A-Za-z0-9_]{0,127})["']?[ \t]{0,8}:[ \t]{0,8}"""
    rb"""["']?\$\{\{[ \t]{0,8}(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]{0,127})[ \t]{0,8}\}\}""",
    re.MULTILINE)


_FINE_TUNE_WORD = re.compile(
    rb"(?i:fine_?tuned?|finetuned?|ft_?model|tuned_?model|_ft_|\bft_)")
ENV_READ_WINDOW = 60
"""Bytes before a fine-tune-like word in which an env read must start (``os.getenv("``)."""


def reads_fine_tune_env(data: bytes, readers: tuple[bytes, ...]) -> bool:
    """Does ``data`` read an environment variable named like a fine-tune: one of ``readers``
    (``getenv``, ``process.env``) shortly before such a name, on its line? One pass for the
    names, then a fixed window before each: linear in the bytes."""
    for match in _FINE_TUNE_WORD.finditer(data):
        start = max(0, match.start() - ENV_READ_WINDOW)
        window = data[start:match.start()]
        line_start = window.rfind(b"\n")
        if line_start >= 0:
            window = window[line_start + 1:]
        if any(reader in window for reader in readers):
            return True
    return False


def is_fine_tune_name(name: str) -> bool:
    """Is ``name`` (an env var, a secret) named like a fine-tuned model?"""
    return FINE_TUNE_NAME.search(name) is not None


def is_workflow(relpath: str) -> bool:
    """A GitHub Actions workflow file."""
    return relpath.startswith(".github/workflows/") and relpath.endswith((".yml", ".yaml"))


def workflow_secret_env(data: bytes) -> tuple[tuple[str, str], ...]:
    """``NAME: ${{ secrets.X }}`` entries of a workflow where the variable or the secret is
    named like a fine-tune: (variable, ``secrets.X``). Other secrets are none of ftscan's
    business (and their names never leave the scan)."""
    found = []
    for m in _WORKFLOW_SECRET.finditer(data):
        var = m.group(1).decode()
        secret = f"{m.group(2).decode()}.{m.group(3).decode()}"
        if is_fine_tune_name(var) or is_fine_tune_name(m.group(3).decode()):
            found.append((var, secret))
    return tuple(dict.fromkeys(found))
