"""The byte search on ripgrep: ``rg --files-with-matches --fixed-strings`` over the scan's own
list of files.

ripgrep reads the files the scan listed (named one by one, so which files are searched is the
scan's decision, not ripgrep's ignore rules), in as many processes as there are cores (each
multi-threaded; two processes beat one on 2 cores, measured). It transcodes UTF-16 files with a
byte order mark, as ftscan's reader does; UTF-16 without one (which ftscan's reader tells by its
NULs) is found by looking for pieces of the ASCII words with NULs between their characters too
(:func:`patterns`); ``--text`` makes it search binary-looking files to the end, so it never
names fewer files than Python's own test would. It runs with no configuration file of its
own (``--no-config``), never follows a preprocessor, and has a time limit: a batch that fails
(an unreadable file makes ``rg`` exit 2) or runs out of time is answered with all of its
files, which the scan then reads itself.

``rg`` opens the files it is named with a blocking ``open``: a FIFO would hold a whole batch
until the time limit. Files the scan's listing has just seen as regular files (git compared
them with its index; the walk, or the listing of the files git does not vouch for, looked at
them on disk) are named as they are: only a file swapped for a FIFO since can hold its batch,
until the time limit answers for it (looking at 38,000 files again cost 0.14 s, more than a
third of the search itself). Any other file is looked at just before the search, and only
regular files are named; the others are answered "may hold", so that the scan's own reader,
which opens without blocking, says what they are.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from stat import S_ISREG

from ftscan.cores import available_cores
from ftscan.search.words import innermost_words, search_words, shared_pieces

ARGUMENT_BYTES = 512 * 1024
"""Bytes of file names per ``rg`` process (well under Linux's 2 MiB for arguments and
environment together)."""
SECONDS_PER_BATCH = 60.0
SECONDS_PER_FILE = 0.002
UTF16_GRAM_CHARACTERS = 4
"""Characters of the pieces words are searched for by in UTF-16 (:func:`patterns`): long
enough to be rare in binary files (7 bytes with the NULs), short enough to be shared."""


class Ripgrep:
    """:class:`ftscan.search.ByteSearch` on ripgrep."""

    name = "ripgrep"

    def __init__(self, executable: str) -> None:
        self.executable = executable

    def containing(self, root: str, relpaths: Sequence[str], words: Sequence[bytes],
                   listed: bool = False) -> set[str]:
        regular, special = (list(relpaths), []) if listed else _regular_files(root, relpaths)
        if not regular:
            return set(special)
        if not words or any(b"\n" in w or b"\r" in w or not w for w in words):
            return set(relpaths)  # one word per line: cannot ask, so everything may hold one
        with tempfile.NamedTemporaryFile("wb", prefix="ftscan-words-", suffix=".txt") as held:
            held.write(b"\n".join(patterns(words)) + b"\n")
            held.flush()
            command = [self.executable, "--no-config", "--files-with-matches", "--null",
                       "--fixed-strings", "--case-sensitive", "--text", "--no-messages",
                       "--color", "never", "--file", held.name, "--"]
            return self._run(root, command, _batches(regular, available_cores())) | set(special)

    def _run(self, root: str, command: list[str], batches: list[list[str]]) -> set[str]:
        """Run the batches, one ``rg`` per core at a time; collect the files they name."""
        found: set[str] = set()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RIPGREP")}
        waiting = list(reversed(batches))
        running: list[tuple[subprocess.Popen[bytes], list[str]]] = []
        while waiting or running:
            while waiting and len(running) < available_cores():
                batch = waiting.pop()
                running.append((subprocess.Popen(
                    [*command, *map(os.fsencode, batch)], cwd=root, env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL), batch))
            process, batch = running.pop(0)
            found.update(_answer(process, batch))
        return found


def patterns(words: Sequence[bytes]) -> list[bytes]:
    """What ``rg`` is asked for to find the files holding any of ``words``, in as few
    patterns as name them all: rg's search slows down past some 64 patterns (from 0.66 to 1.4
    CPU seconds over the 1 GB benchmark tree with ftscan's 58 words and their UTF-16 forms).

    - As UTF-8: the words that hold no other word (a file holding ``fineTuning.jobs.create``
      holds ``jobs.create``), so exactly the same files are named.
    - As UTF-16 without a byte order mark (NULs between the characters of an ASCII word), for
      the rare files of that encoding: one :data:`UTF16_GRAM_CHARACTERS`-character piece of
      each word, the piece most words share, so that a few pieces stand for all the words. A
      file holding a word holds each of its pieces, so it is named; a few more files may be
      (binary ones, mostly: a font or an executable whose UTF-16 strings hold a piece), which
      the scan reads and tests itself, and counts as binary."""
    plain = innermost_words(search_words(words))
    ascii_words = [word for word in plain if word.isascii()]
    return sorted({*plain, *(_as_utf16(piece) for piece in shared_pieces(
        ascii_words, UTF16_GRAM_CHARACTERS))})


def _as_utf16(word: bytes) -> bytes:
    """An ASCII word as it appears inside UTF-16 text, little- or big-endian: NULs between its
    characters."""
    return b"\x00".join(word[i:i + 1] for i in range(len(word)))


def _regular_files(root: str, relpaths: Sequence[str]) -> tuple[list[str], list[str]]:
    """``relpaths`` split into the regular files under ``root`` as they are now (symlinks
    followed) and the rest (FIFOs, devices, folders, files gone)."""
    regular: list[str] = []
    special: list[str] = []
    for path in relpaths:
        try:
            is_regular = S_ISREG(os.stat(os.path.join(root, path)).st_mode)
        except (OSError, ValueError):
            is_regular = False
        (regular if is_regular else special).append(path)
    return regular, special


def _answer(process: subprocess.Popen[bytes], batch: list[str]) -> set[str] | list[str]:
    """The files one ``rg`` named, or its whole batch when it failed or ran out of time."""
    try:
        out, _ = process.communicate(timeout=SECONDS_PER_BATCH + SECONDS_PER_FILE * len(batch))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return batch
    if process.returncode not in (0, 1):
        return batch  # some file could not be read: the scan reads them and says which
    return {os.fsdecode(name) for name in out.split(b"\0") if name}


def _batches(relpaths: Sequence[str], processes: int) -> list[list[str]]:
    """``relpaths`` in at least ``processes`` batches, none over :data:`ARGUMENT_BYTES`."""
    total = sum(len(p) + 1 for p in relpaths)
    limit = min(ARGUMENT_BYTES, total // max(1, processes) + 1)
    batches: list[list[str]] = []
    batch: list[str] = []
    size = 0
    for path in relpaths:
        cost = len(path.encode("utf-8", "surrogateescape")) + 1
        if batch and size + cost > limit:
            batches.append(batch)
            batch, size = [], 0
        batch.append(path)
        size += cost
    if batch:
        batches.append(batch)
    return batches
