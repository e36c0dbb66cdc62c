"""A file of the repository as bytes and as text: read safely (without blocking, never past
the size limit, only a regular file), told binary or text the way git tells it, and decoded.

Every read of a scanned file goes through here: the first phase, the files over the size limit
read in pieces (:mod:`ftscan.pipeline.largefile`), the alias phase and suppression comments
(:func:`text_reader`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG

from ftscan.discovery import FileEntry, SkippedEntry, irregular

BINARY_SNIFF_BYTES = 8000
"""The first bytes that decide whether a file is text (as git decides it)."""


def text_reader(root: Path, max_size: int) -> Callable[[str], str | None]:
    """Reads a file of the repository again, as text (``None`` if it cannot be read or is over
    the size limit): for the alias phase and for suppression comments."""

    def read_text(relpath: str) -> str | None:
        data = read_bytes(FileEntry(str(root / relpath), relpath, 0))
        if isinstance(data, SkippedEntry) or len(data) > max_size:
            return None
        return decode(data)[0]

    return read_text


def read_bytes(entry: FileEntry, binary_ok: bool = False, max_size: int | None = None,
               ) -> bytes | SkippedEntry:
    """A file's bytes, or why it is skipped (unreadable, or binary unless ``binary_ok``; for
    an entry nobody has looked at on disk yet, not a regular file or over ``max_size``)."""
    try:
        data = _read_file(entry, max_size)
    except OSError as exc:
        return SkippedEntry(entry.relpath, "unreadable", f"cannot read: {exc.strerror or exc}")
    if isinstance(data, SkippedEntry):
        return data
    if not binary_ok:
        text = as_text(data)
        return binary(entry.relpath) if text is None else text[0]
    return data


OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
               | getattr(os, "O_NOCTTY", 0))


def _read_file(entry: FileEntry, max_size: int | None) -> bytes | SkippedEntry:
    """The whole file, with plain system calls: ``open()`` builds a buffered file object per
    call, which costs more than reading a typical source file (0.44 s vs 0.28 s for 38,000
    files).

    What the walk saw may have changed since (a file swapped for a FIFO, a symlink to
    ``/dev/zero``): the file is opened without blocking and the open file says what it is, so
    only a regular file is read, and never past the size limit."""
    fd = os.open(entry.path, OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not S_ISREG(info.st_mode) or max_size is not None and info.st_size > max_size:
            return irregular(entry.relpath, info, max_size or info.st_size)
        limit = max_size if max_size is not None else max(info.st_size, entry.size)
        first = os.read(fd, info.st_size + 1)
        if len(first) <= info.st_size:
            return first
        chunks = [first]  # it grew while we read: to the limit, not beyond
        read = len(first)
        while read <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - read))):
            chunks.append(chunk)
            read += len(chunk)
        if read > limit:
            return SkippedEntry(entry.relpath, "too-large",
                                f"grew past the limit of {limit} bytes while read")
        return b"".join(chunks)
    finally:
        os.close(fd)


_BOMS = ((b"\xff\xfe\x00\x00", None), (b"\x00\x00\xfe\xff", None),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
"""Byte order marks: UTF-16 text is read (transcoded); UTF-32 is binary, as git, GitHub and
ripgrep take it (a search engine would not see its words, so neither does the scan)."""
_TEXT_BEFORE_NUL = 256
"""A file whose first NUL comes after this many bytes of clean text is text with a stray NUL
(a log, a dump), not a binary format: binary formats put theirs in the first few bytes."""
_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_TEXT_CONTROLS = re.compile(_CONTROLS.pattern.decode())
_UNITS_PER_NUL = 64
"""UTF-16 text without a byte order mark has a NUL in the high byte of every ASCII character
(a newline, at least); fewer than one in this many code units is no such text."""


def text_encoding(data: bytes) -> str | None:
    """How to read a file that starts with ``data`` (its first :data:`BINARY_SNIFF_BYTES`
    decide): ``utf-8``, a UTF-16 codec, or ``None`` for a binary file. A NUL makes a file
    binary (as git decides), unless its NULs are UTF-16's (a byte order mark, or every NUL on
    the same side of its code unit and the text clean: what git's ``working-tree-encoding``
    checks out) or clean UTF-8 text comes before the first of them."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    first_nul = data.find(b"\x00", 0, BINARY_SNIFF_BYTES)
    if first_nul < 0:  # most files: nothing is copied
        return "utf-8"
    head = data[:BINARY_SNIFF_BYTES]
    codec = _utf16_by_its_nuls(head)
    if codec is not None:
        return codec
    before = head[:first_nul]
    if first_nul >= _TEXT_BEFORE_NUL and _CONTROLS.search(before) is None:
        try:
            before.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "utf-8"
    return None


def _utf16_by_its_nuls(head: bytes) -> str | None:
    """The UTF-16 codec of text without a byte order mark, told by where its NULs are."""
    units = len(head) // 2
    for codec, high in (("utf-16-le", 1), ("utf-16-be", 0)):
        nuls = head[high:units * 2:2].count(0)
        if nuls and nuls * _UNITS_PER_NUL >= units and \
                head[1 - high:units * 2:2].count(0) == 0:
            text = head[:units * 2].decode(codec, errors="replace")
            return None if _TEXT_CONTROLS.search(text) else codec
    return None


def as_text(data: bytes) -> tuple[bytes, str | None] | None:
    """The bytes to read as UTF-8 text and a note worth telling the user, or ``None`` for a
    binary file (:func:`text_encoding`). UTF-16 text is transcoded, so the byte prefilter
    sees its characters."""
    encoding = text_encoding(data)
    if encoding is None:
        return None
    if encoding != "utf-8":
        return data.decode(encoding, errors="replace").encode("utf-8", errors="replace"), None
    first_nul = data.find(b"\x00", 0, BINARY_SNIFF_BYTES)
    if first_nul < 0:
        return data, None
    return data, (f"holds NUL bytes (the first at offset {first_nul}) after a text start; "
                  "read as text")


def binary(relpath: str) -> SkippedEntry:
    return SkippedEntry(relpath, "binary", "binary file (NUL bytes)")


def decode(data: bytes) -> tuple[str, str | None]:
    """Text, and a problem to report when the bytes are not valid UTF-8."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return (
            data.decode("utf-8", errors="replace"),
            f"not valid UTF-8 (first bad byte at offset {exc.start}); "
            "read with the bad bytes replaced",
        )
