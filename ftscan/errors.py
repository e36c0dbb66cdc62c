"""The one base of every error that stops an ftscan command before or instead of its work.

A usage, configuration, rule, baseline, inventory or provider problem raises a subclass of
:class:`FtscanError` from the module that found it; the CLI catches the base, prints its
message on one line and exits 2. Problems with one file of a scanned repository are never
errors: they are diagnostics, and the scan goes on.
"""

from __future__ import annotations


class FtscanError(Exception):
    """A command cannot do its work; the message says why, in one line naming the culprit."""
