"""Reading the small files a scanned repository uses to describe itself (its config, rule files,
CODEOWNERS, ignore files, component manifests) without letting it point ftscan elsewhere.

Such a file must be a regular file inside the repository (a symlink may lead only to another
place inside it), no larger than a limit, and is opened without blocking: a FIFO, ``/dev/zero``
or a symlink to ``/etc/shadow`` planted under a config's name is refused with a reason, never
read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SMALL_FILE_LIMIT = 1024 * 1024
"""Config, rule, CODEOWNERS and ignore files larger than this are refused."""
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class UnsafeFile(Exception):
    """A file ftscan will not read; the message says why."""


def inside(root: Path, path: Path) -> bool:
    """Does ``path``, with every symlink followed, lie inside ``root``?"""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return False


def read_limited(path: Path, limit: int = SMALL_FILE_LIMIT, root: Path | None = None) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes (inside ``root`` when
    given). Raises :class:`UnsafeFile` with the reason, or ``OSError``."""
    if root is not None and not inside(root, path):
        raise UnsafeFile(f"{path} lies outside the repository {root}")
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(f"{path} is not a regular file")
        if info.st_size > limit:
            raise UnsafeFile(f"{path} is {info.st_size} bytes, over the limit of {limit}")
        data = os.read(fd, limit + 1)
        if len(data) > limit:
            raise UnsafeFile(f"{path} is over the limit of {limit} bytes")
        return data
    finally:
        os.close(fd)


def read_text_limited(path: Path, limit: int = SMALL_FILE_LIMIT, root: Path | None = None,
                      ) -> str:
    """:func:`read_limited`, decoded as UTF-8 with bad bytes replaced."""
    return read_limited(path, limit, root).decode("utf-8", errors="replace")
