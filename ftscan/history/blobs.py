"""The bytes of a repository's blobs, straight from its object store: ``git cat-file
--batch-check`` for their sizes, then ``git cat-file --batch`` for the contents, streamed.

No blob is checked out and none goes through a filter or textconv: the bytes are what was
committed (git applies nothing unless asked with ``--filters`` or ``--textconv``, and
:mod:`ftscan.gitsafe` empties every filter the repository's config defines besides). A blob
larger than the scan's size limit is handed on in pieces, never whole.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from ftscan.gitsafe import GitUnavailable, start_git
from ftscan.pipeline.largefile import PIECE

MISSING = -1
"""The size of a blob the repository does not have."""


class Body:
    """A blob's bytes, as they come through the pipe: read whole or in pieces, once."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self.size = size
        self._stream = stream
        self._left = size

    def whole(self) -> bytes:
        """Every byte (for a blob under the size limit)."""
        data = self._stream.read(self._left)
        self._left -= len(data)
        return data

    def pieces(self) -> Iterator[bytes]:
        """The bytes in pieces of :data:`~ftscan.pipeline.largefile.PIECE` bytes at most."""
        while self._left > 0:
            piece = self._stream.read(min(PIECE, self._left))
            if not piece:
                return
            self._left -= len(piece)
            yield piece

    def drain(self) -> None:
        """Skip whatever was not read (the reader gave up on the blob)."""
        for _ in self.pieces():
            pass


def sizes(root: Path, objects: Sequence[str]) -> dict[str, tuple[str, int]]:
    """Each object's type (``blob``, ``tree``) and size in bytes (``missing`` and
    :data:`MISSING` when the repository lacks it)."""
    found: dict[str, tuple[str, int]] = {}
    with _batch(root, "--batch-check=%(objectname) %(objecttype) %(objectsize)",
                objects) as stream:
        for line in stream:
            sha, kind, size = (line.decode("ascii", "replace").split() + ["", ""])[:3]
            found[sha] = (kind, int(size)) if size.isdigit() else ("missing", MISSING)
    return found


def contents(root: Path, blobs: Sequence[str]) -> Iterator[tuple[str, Body]]:
    """Each blob with its bytes, in the order asked. The caller reads each body as far as it
    wants before asking for the next; what it leaves is skipped."""
    with _batch(root, "--batch", blobs) as stream:
        for _ in blobs:
            header = stream.readline()
            if not header:
                raise GitUnavailable("git cat-file stopped before every blob was read")
            blob, _, rest = header.decode("ascii", "replace").strip().partition(" ")
            kind, _, size = rest.partition(" ")
            if kind != "blob" or not size.isdigit():  # missing: nothing follows the header
                yield blob, Body(stream, 0)
                continue
            body = Body(stream, int(size))
            yield blob, body
            body.drain()
            stream.read(1)  # the newline after the content


class _batch:  # noqa: N801 - used as a context manager, like open()
    """``git cat-file ARG`` running with ``blobs`` on its input, its output as the context's
    value. The input is a temporary file, not a pipe fed by a thread: a thread running while
    blobs are analysed would keep :mod:`ftscan.childcall` from forking its parser's child."""

    def __init__(self, root: Path, argument: str, blobs: Iterable[str]) -> None:
        with tempfile.TemporaryFile() as ids:
            ids.writelines(blob.encode("ascii") + b"\n" for blob in blobs)
            ids.seek(0)
            try:
                self._process = start_git(root, ["cat-file", argument], stdin=ids)
            except OSError as exc:
                raise GitUnavailable(f"git cannot be started: {exc.strerror or exc}") from None

    def __enter__(self) -> IO[bytes]:
        assert self._process.stdout is not None
        return self._process.stdout

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        try:
            self._process.wait(timeout=None if kind is None else 0)
        except subprocess.TimeoutExpired:  # the reader gave up: no need to hear the rest
            self._process.kill()
        assert self._process.stdout is not None
        self._process.stdout.close()
        self._process.wait()
