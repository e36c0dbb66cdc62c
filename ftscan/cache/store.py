"""The scan cache: what each file's bytes yielded, kept between runs so unchanged files are
neither read nor parsed again.

One file per repository under the user cache directory (``$FTSCAN_CACHE_DIR``, else
``$XDG_CACHE_HOME/ftscan``, ``~/.cache/ftscan``, ``~/Library/Caches/ftscan`` or
``%LOCALAPPDATA%\\ftscan\\Cache``), never inside the repository. Each entry holds a file's
:class:`~ftscan.pipeline.examine.FileFacts` and the stat signature (size, mtime, ctime, inode)
seen when it was read; the facts of a file that had to be parsed are keyed by the first 16 bytes
of its content's SHA-256 as well:

- an unchanged signature is trusted without reading the file, as git trusts its index; a file
  modified within two seconds of the scan that cached it is re-read next time (a timestamp
  that coarse cannot tell two writes apart), so a quick edit is never missed;
- a changed signature means the file is read again: a parsed file is hashed first, and with
  the same digest its facts are reused; any other file is simply examined again, which costs
  no more than hashing it would.

A scan that changed a few entries (a pre-commit run, CI on a small commit) writes only those to
a *journal* beside the cache file, which the next scan applies on loading: rewriting the whole
file cost a third of a second in a 2,600-file application. Past :data:`JOURNAL_LIMIT` entries
the file is written whole again and the journal dropped. A journal is tied to the cache file it
follows (a token in both headers): one that does not match, or cannot be trusted, is ignored,
which is always safe, since every entry says which bytes it was read from.

The whole cache is dropped when its *key* differs: ftscan's own code, the rules, the versions
of the parsing libraries and of Python, and in a git repository what decides the bytes git
checks a blob out as (:mod:`ftscan.checkout`: a file known by its blob id must hold the bytes
its facts were read from). Findings are kept as made on the day they were cached
and re-dated on use (days left change daily, the bytes do not). A cache that cannot be read,
is not a cache or holds anything but ftscan's own data is ignored and rebuilt, never trusted:
it is read with an unpickler that refuses every class outside ftscan's data model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ftscan.cache.files import (
    CACHE_FORMAT,
    RACY_SECONDS,
    _foreign,
    _prune,
    cache_file,
    dump_private,
    load_private,
    unpickle,
)
from ftscan.discovery import FileEntry, Signature
from ftscan.flow.facts import ModuleFacts
from ftscan.languages import NameQuery
from ftscan.pipeline.examine import FileFacts

_NOT_REMEMBERED = frozenset({"unreadable", "failed", "unsearched"})
MAX_QUESTIONS = 256
"""Name-search questions remembered per repository; past this, answers start afresh."""
JOURNAL_LIMIT = 512
"""Entries changed since the cache file was written that its journal holds at most (and no
more than a quarter of the file's): past this the file is written whole again."""

_Row = tuple[Signature, bytes, FileFacts | None, int, int]
"""One file: the stat signature its facts were read under (empty when it must not be
trusted), its content digest, its facts (``None`` for the common case of a file that yielded
nothing: relpath and digest say it all) and the alias phase's name-search answers for this
content, as two bit masks over the cache's table of questions: those asked, and those answered
yes. Plain tuples of ints: 40,000 of them load in a blink, dataclasses and dicts do not."""


class ScanCache:
    """The cache of one repository, loaded at the start of a scan and saved at its end."""

    def __init__(self, path: Path, key: str, root: str,
                 rows: dict[str, _Row] | None = None, queries: list[NameQuery] | None = None,
                 written: _Written | None = None) -> None:
        self.path = path
        self.key = key
        self.root = root
        self._old = rows or {}
        self._queries = queries or []
        self._written = written
        """What the cache file itself holds (without its journal), when it was loaded."""
        if len(self._queries) > MAX_QUESTIONS:  # start the answers afresh, not a growing mask
            self._queries = []
            self._old = {k: (r[0], r[1], r[2], 0, 0) for k, r in self._old.items()}
        self._bits = {query: 1 << i for i, query in enumerate(self._queries)}
        self._new: dict[str, _Row] = {}
        self._started_ns = time.time_ns()
        self._changed = len(queries or ()) > MAX_QUESTIONS  # save the reset, not redo it

    @classmethod
    def open(cls, cache_dir: Path, root: Path, key: str) -> tuple[ScanCache, str | None]:
        """The cache for ``root``, and a problem to report when an existing one was unusable
        (it is then rebuilt). A cache made for other code or rules is dropped silently."""
        where = str(root.resolve())
        path = cache_file(cache_dir, root, ".cache")
        empty = cls(path, key, where)
        try:
            data = path.read_bytes()
            foreign = _foreign(path)
        except (FileNotFoundError, NotADirectoryError):  # no cache yet (saving will say why)
            return empty, None
        except OSError as exc:
            return empty, f"cannot read the cache {path}: {exc.strerror or exc}; rebuilt"
        if foreign:
            return empty, f"the cache {path} {foreign}; ignored and rebuilt"
        try:
            header, queries, rows = _load(data)
        except Exception as exc:  # anything at all: the cache is only ever an optimisation
            return empty, (f"the cache {path} is unreadable ({type(exc).__name__}: {exc}); "
                           "ignored and rebuilt")
        identity = _identity(key, where)
        if {k: header.get(k) for k in identity} != identity:  # _load made sure of a dict
            return empty, None
        token = header.get("token")
        written = _Written(token, rows, tuple(queries)) if isinstance(token, str) else None
        if written is not None:
            rows, queries = written.journalled(_journal_file(path), identity, queries)
        return cls(path, key, where, rows, queries, written), None
    # ------------------------------------------------------------------ lookups

    def partition(self, entries: Sequence[FileEntry],
                  ) -> tuple[int, list[tuple[int, FileFacts]], list[tuple[int, bytes | None]]]:
        """Split ``entries`` by what the cache knows, in one tight loop (it runs once per file
        of the largest repositories on every scan):

        - how many are unchanged and yielded nothing (nothing more to do for them);
        - (index, facts) of those unchanged that yielded something;
        - (index, digest or None) of the rest, to be read: the digest is the cached one for
          the path, to compare with (a touched file whose content did not change).

        Unchanged files are carried into the new cache as they are."""
        old, new = self._old, self._new
        plain = 0
        hits: list[tuple[int, FileFacts]] = []
        misses: list[tuple[int, bytes | None]] = []
        for index, entry in enumerate(entries):
            row = old.get(entry.relpath)
            if row is None:
                misses.append((index, None))
            elif row[0] and row[0] == entry.signature:
                new[entry.relpath] = row
                if row[2] is None:
                    plain += 1
                else:
                    hits.append((index, row[2]))
            else:
                misses.append((index, row[1] or None))
        return plain, hits, misses

    def refresh(self, relpath: str, facts: FileFacts) -> None:
        """New facts for a file :meth:`partition` answered for (its bytes unchanged, learnt
        more about them), keeping its signature, digest and the alias phase's answers."""
        row = self._new.get(relpath)
        if row is not None:
            self._new[relpath] = (row[0], row[1], facts, row[3], row[4])
            self._changed = True

    def cached_facts(self, relpath: str) -> FileFacts | None:
        """The facts cached for ``relpath``, whatever its signature."""
        row = self._old.get(relpath)
        return _facts(relpath, row) if row is not None else None

    @property
    def empty(self) -> bool:
        """Did the cache know nothing when the scan began (a first scan, or a dropped cache)?"""
        return not self._old

    def module_facts(self, entry: FileEntry) -> ModuleFacts | None:
        """The facts of a module the alias phase parsed in an earlier scan, when its content
        is the one this scan has (its signature unchanged)."""
        row = self._new.get(entry.relpath) or self._old.get(entry.relpath)
        if row is None or not row[0] or row[0] != entry.signature or row[2] is None:
            return None
        module = row[2].module
        return module if isinstance(module, ModuleFacts) else None

    def keep_module(self, entry: FileEntry, module: ModuleFacts) -> None:
        """Remember the facts the alias phase parsed for ``entry`` (a module reached by name,
        which the first phase did not parse), so that the next scan does not parse it again
        while its content is unchanged."""
        row = self._new.get(entry.relpath)
        if row is None or not row[0] or row[0] != entry.signature:
            return
        facts = row[2] or FileFacts(entry.relpath, row[1])
        if facts.module is not None or facts.skipped is not None:
            return
        self._new[entry.relpath] = (row[0], row[1], dataclasses.replace(facts, module=module),
                                    row[3], row[4])
        self._changed = True

    def keep(self, entry: FileEntry) -> None:
        """Carry the cached facts of ``entry`` (a touched file whose content did not change)
        into the new cache, under its new signature."""
        row = self._old.get(entry.relpath)
        if row is None:
            return
        trusted = self._trusted(entry.signature)
        if trusted != row[0]:
            self._changed = True
            row = (trusted, row[1], row[2], row[3], row[4])
        self._new[entry.relpath] = row

    def store(self, entry: FileEntry, facts: FileFacts | None) -> None:
        """Remember what ``entry`` yielded (``None``: nothing). Files that could not be read, ran
        out of time or made ftscan fail are not remembered: the next scan tries them again."""
        self._changed = True
        if facts is None:
            self._new[entry.relpath] = (self._trusted(entry.signature), b"", None, 0, 0)
        elif facts.skipped is None or facts.skipped.reason not in _NOT_REMEMBERED:
            self._new[entry.relpath] = (self._trusted(entry.signature), facts.digest, facts,
                                        0, 0)

    # ------------------------------------------------------------------ the alias phase's answers

    def known_answers(self, paths: Sequence[str], queries: Sequence[NameQuery],
                      ) -> tuple[dict[NameQuery, set[str]], list[str]]:
        """For each query, the files known to name it, and the files the cache cannot answer
        for (content changed, or some question never asked). Two bit operations per file."""
        known: dict[NameQuery, set[str]] = {query: set() for query in queries}
        bits = []
        wanted = 0
        for query in queries:
            bit = self._bits.get(query)
            if bit is None:
                return known, list(paths)
            bits.append((query, bit))
            wanted |= bit
        rows = self._new
        unknown: list[str] = []
        for path in paths:
            row = rows.get(path)
            if row is None or row[3] & wanted != wanted:
                unknown.append(path)
            elif row[4] & wanted:
                for query, bit in bits:
                    if row[4] & bit:
                        known[query].add(path)
        return known, unknown

    def remember(self, relpath: str, queries: Sequence[NameQuery], found: Sequence[bool],
                 ) -> None:
        """Keep the answers for the file's current content."""
        row = self._new.get(relpath)
        if row is None:
            return
        asked, yes = row[3], row[4]
        for query, answer in zip(queries, found, strict=True):
            bit = self._bits.get(query)
            if bit is None:
                bit = self._bits[query] = 1 << len(self._queries)
                self._queries.append(query)
            asked |= bit
            yes = yes | bit if answer else yes & ~bit
        self._new[relpath] = (row[0], row[1], row[2], asked, yes)
        self._changed = True

    def _trusted(self, signature: Signature) -> Signature:
        """The signature to store, or ``()`` when the file changed too recently to tell. A
        blob id is trusted as it is: git has verified a racily clean file by content."""
        if len(signature) == 1:
            return signature
        if len(signature) < 2 or signature[1] >= self._started_ns - RACY_SECONDS * 10**9:
            return ()
        return signature

    # ------------------------------------------------------------------ saving

    def save(self) -> str | None:
        """Write the cache for the files this scan saw (atomically), or only mark it used when
        nothing changed; then drop the caches of repositories not scanned for
        :data:`UNUSED_DAYS` days. Returns a problem when it could not be written (the scan's
        results are not affected)."""
        if not self._changed and self._new.keys() == self._old.keys():
            for used in (self.path, _journal_file(self.path)):
                with contextlib.suppress(OSError):
                    os.utime(used)
            _prune(self.path.parent, keep=self.path)
            return None
        problem = self._write()
        _prune(self.path.parent, keep=self.path)
        return problem

    def _write(self) -> str | None:
        identity = _identity(self.key, self.root)
        journal = _journal_file(self.path)
        written = self._written
        if written is not None and tuple(self._queries[:len(written.questions)]) == \
                written.questions:
            changed = {path: row for path, row in self._new.items()
                       if written.rows.get(path) is not row}
            dropped = [path for path in written.rows if path not in self._new]
            if len(changed) + len(dropped) <= min(JOURNAL_LIMIT, len(written.rows) // 4 + 1):
                problem = dump_private(journal, (dict(identity, base=written.token),
                                                 self._queries, changed, dropped))
                if problem is None:
                    with contextlib.suppress(OSError):
                        os.utime(self.path)  # in use: not pruned
                    return None
        with contextlib.suppress(OSError):
            journal.unlink()
        return dump_private(self.path, (dict(identity, token=secrets.token_hex(8)),
                                        self._queries, self._new))


def _identity(key: str, root: str) -> dict[str, Any]:
    """What a cache file's header (and its journal's) says it is: the format, the key and the
    repository; a file's header adds its token, a journal's the token of the file it follows."""
    return {"format": CACHE_FORMAT, "key": key, "root": root}


@dataclasses.dataclass(frozen=True)
class _Written:
    """What a cache file holds, as loaded: its token, its entries and its questions (before
    its journal is applied: the next journal holds what differs from them)."""

    token: str
    rows: dict[str, _Row]
    questions: tuple[NameQuery, ...]

    def journalled(self, journal: Path, identity: dict[str, Any], queries: list[NameQuery],
                   ) -> tuple[dict[str, _Row], list[NameQuery]]:
        """The entries and questions with the journal applied, when it follows this file
        and can be trusted; else the file's own."""
        stored = load_private(journal)
        try:
            if not isinstance(stored, tuple) or len(stored) != 4:
                raise ValueError("not a journal")
            head, asked, changed, dropped = stored
            _check(asked, changed)
            if (head != dict(identity, base=self.token) or asked[:len(queries)] != queries
                    or not isinstance(dropped, list)
                    or not all(isinstance(path, str) for path in dropped)):
                raise ValueError("another cache's journal")
        except ValueError:
            return self.rows, queries
        rows = {**self.rows, **changed}
        for path in dropped:
            rows.pop(path, None)
        return rows, asked


def _journal_file(cache: Path) -> Path:
    return cache.with_suffix(".journal")


def _facts(relpath: str, row: _Row) -> FileFacts:
    return row[2] if row[2] is not None else FileFacts(relpath, row[1])


def _load(data: bytes) -> tuple[dict[str, Any], list[NameQuery], dict[str, _Row]]:
    header, queries, rows = unpickle(data)
    if not isinstance(header, dict):
        raise ValueError("unexpected content")
    _check(queries, rows)
    return header, queries, rows


def _check(queries: Any, rows: Any) -> None:
    """Raise ``ValueError`` unless ``queries`` and ``rows`` are a cache's questions and entries."""
    if not isinstance(rows, dict) or not all(
        type(row) is tuple and len(row) == 5 and type(row[0]) is tuple
        and type(row[1]) is bytes and (row[2] is None or type(row[2]) is FileFacts)
        and type(row[3]) is int and type(row[4]) is int
        for row in rows.values()
    ) or not isinstance(queries, list) or not all(
        type(q) is tuple and len(q) == 3 and type(q[0]) is str and type(q[1]) is frozenset
        and type(q[2]) is str
        for q in queries
    ):
        raise ValueError("unexpected content")
