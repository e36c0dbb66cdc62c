"""Files over ``--max-file-size``: read in pieces through the id rules, never loaded whole.

The size limit protects the parsers (a parse tree of a 50 MB file costs gigabytes), not the
search for ids: a 3 MB OpenAPI spec or a 200 MB eval CSV full of fine-tuned ids is exactly what
an inventory needs. Such a file is read one megabyte at a time with an overlap (an id cut by a
piece boundary is whole in the next piece), decoded incrementally (UTF-8, or UTF-16 as
:func:`ftscan.pipeline.reading.text_encoding` tells), and matched against the rules' patterns
with no parser: every id is a definition (a mention in prose files), located by counting lines as
the pieces go by. Memory stays at a couple of pieces whatever the size;
files over :data:`STREAM_LIMIT` are skipped.
"""

from __future__ import annotations

import codecs
import dataclasses
import itertools
import os
import stat
from collections import Counter
from collections.abc import Iterable, Iterator

from ftscan.budget import OverBudget, time_budget
from ftscan.discovery import STREAM_LIMIT, FileEntry
from ftscan.examplepaths import is_example_path
from ftscan.fingerprint import streamed_line_hashes
from ftscan.models import Detection, Location, Role
from ftscan.parsers import Format
from ftscan.pipeline.analysis import AnalysisContext, FileAnalysis, effective_role, make_detection
from ftscan.pipeline.folding import Folder, is_table
from ftscan.pipeline.reading import OPEN_FLAGS, text_encoding


class BinaryFile(Exception):
    """The file is binary (NUL bytes at its start): nothing to read."""


PIECE = 1 << 20
OVERLAP = 1024
"""More than the longest id any rule matches."""


LARGE = "text of a large file (read without a parser)"
GIVEN_UP = "text of a file given up on (read without a parser)"


def scan_large(entry: FileEntry, context: AnalysisContext, kind: str = LARGE,
               ) -> FileAnalysis | None:
    """Every id in the file, found piece by piece (see the module docstring), described as
    found in ``kind`` of text; ``None`` when the file is no regular file or over
    :data:`STREAM_LIMIT`. Also the search of a file whose analysis was given up on
    (:data:`GIVEN_UP`): the parsers' time is not spent again."""
    fd = os.open(entry.path, OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > STREAM_LIMIT:
            return None
        return search_pieces(entry.relpath, iter(lambda: os.read(fd, PIECE), b""), context,
                             entry.kind.format, kind)
    finally:
        os.close(fd)


def search_pieces(relpath: str, pieces: Iterable[bytes], context: AnalysisContext,
                  file_format: Format, kind: str = LARGE) -> FileAnalysis:
    """Every id in the bytes of the file at ``relpath`` (of ``file_format``) that come in
    ``pieces`` (of up to :data:`PIECE` bytes each, in order; the file on disk, or a blob of
    the repository's history streamed from git), as :func:`scan_large` finds them. Raises
    :class:`BinaryFile` when the first piece tells a binary file."""
    role = Role.MENTION if file_format in (Format.PROSE, Format.DATA) else Role.DEFINITION
    illustrative = is_example_path(relpath)
    analysis = FileAnalysis()
    folder = Folder() if is_table(file_format) else None
    occurrences: Counter[tuple[str, str]] = Counter()
    carried = ""  # the end of the previous piece, searched again with the next
    carried_at = 0  # the file's character offset of ``carried``
    line, line_start = 1, 0  # line number and character offset where ``carried`` begins
    reported_to = 0  # character offset up to which matches were reported
    tail = b""  # the end of the bytes read before, for keywords cut by a boundary
    pending = False  # a match was held back for this piece
    for chunk, decoded, utf8 in _decoded(relpath, pieces):
        text = carried + decoded
        held_back = len(text)  # where the first match left for the next piece starts
        # UTF-16 is prefiltered as the UTF-8 of its text, which holds the carried end
        window = tail + chunk if utf8 else text.encode("utf-8", errors="replace")
        tail = window[-4 * OVERLAP:]
        # the byte prefilter (keywords, then the rules' patterns in RE2: both linear, C
        # speed) before any regex on text; the window holds all of ``text`` that no held
        # back match forces a look at (the carried end is under OVERLAP characters)
        if (pending or context.rules.is_candidate(window)) and \
                context.rules.might_match_text(text):
            counted_to, lines_before = 0, 0  # matches come in order: count lines once
            for match in context.rules.find(text):
                start = carried_at + match.start
                if start < reported_to:
                    continue  # seen already
                if chunk and match.end > len(text) - OVERLAP:
                    held_back = min(held_back, match.start)
                    continue  # may run on into the next piece: searched again there
                lines_before += text.count("\n", counted_to, match.start)
                counted_to = match.start
                at_line = line + lines_before
                last_break = text.rfind("\n", 0, match.start)
                column = (match.start - last_break if last_break >= 0
                          else start - line_start + 1)
                key = (match.rule.id, match.model_id)
                location = Location(relpath, at_line, column, at_line,
                                    column + match.end - match.start)
                detection = make_detection(
                    match, effective_role(match, role, illustrative), kind, None, location,
                    occurrence=occurrences[key])
                if folder is not None:
                    folder.add(detection)
                else:
                    analysis.findings.append(detection)
                occurrences[key] += 1
                reported_to = carried_at + match.end
        if not chunk:
            break
        pending = held_back < len(text)
        # the next piece starts with the overlap, and with every match held back whole
        cut = min(max(len(text) - OVERLAP, 0), held_back)
        line += text.count("\n", 0, cut)
        last_break = text.rfind("\n", 0, cut)
        if last_break >= 0:
            line_start = carried_at + last_break + 1
        carried, carried_at = text[cut:], carried_at + cut
    if folder is not None:
        analysis.findings = folder.detections()
    return analysis


def _decoded(relpath: str, pieces: Iterable[bytes]) -> Iterator[tuple[bytes, str, bool]]:
    """Each piece's bytes (an empty piece last), its text (decoded incrementally, UTF-8 or
    UTF-16 as the first piece tells, bad bytes replaced) and whether it is UTF-8.
    :class:`BinaryFile` when the file starts binary."""
    decoder: codecs.IncrementalDecoder | None = None  # for the encoding of the first piece
    utf8 = True
    for chunk in itertools.chain(pieces, (b"",)):  # an empty piece ends the file
        if decoder is None:
            encoding = text_encoding(chunk)
            if encoding is None:
                raise BinaryFile(relpath)
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            utf8 = encoding == "utf-8"
        yield chunk, decoder.decode(chunk, final=not chunk), utf8


def _text(entry: FileEntry) -> Iterator[str]:
    """The file's text, a piece at a time (the file is closed when the reader stops)."""
    fd = os.open(entry.path, OPEN_FLAGS)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            yield from (text for _, text, _ in _decoded(
                entry.relpath, iter(lambda: os.read(fd, PIECE), b"")))
    finally:
        os.close(fd)


def with_line_hashes(entry: FileEntry, detections: list[Detection], budget: float | None,
                     ) -> list[Detection]:
    """``detections`` of a file read in pieces with GitHub's line hashes, from the file read
    in pieces again (:func:`ftscan.fingerprint.streamed_line_hashes`) within ``budget``
    seconds: when that runs out, or the file cannot be read again, they keep none (GitHub's
    upload computes them where it can read the file)."""
    if not detections:
        return detections
    try:
        with time_budget(budget):
            hashes = streamed_line_hashes(lambda: _text(entry),
                                          {d.location.start_line for d in detections})
    except (OverBudget, OSError, BinaryFile):
        return detections
    return [dataclasses.replace(d, line_hash=hashes.get(d.location.start_line))
            for d in detections]
