"""What every format ftscan writes shares."""

from __future__ import annotations

TOOL_NAME = "ftscan"
"""The name every report, inventory and baseline gives the tool that wrote it."""
