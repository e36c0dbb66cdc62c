"""Which files may import a module: the words of every file's import lines, indexed once.

The alias phase follows names round after round: a module's export is searched for in the
files not read yet, the files importing it are parsed, and what they export in turn is searched
for in the next round. Searched for in every remaining file, the rounds cost the files times
the rounds (a chain of 2,000 one-line modules: 80 s). From a few rounds on, the phase reads
each remaining file's import lines once (:meth:`~ftscan.languages.Language.import_words`) and
looks a query whose module it knows (an export, a data file) up here: only the files whose
import lines hold every word of one of the module's words are searched, so a round costs what
its new names turn up.
"""

from __future__ import annotations

from collections.abc import Sequence

from ftscan.languages import tokens


class ImportIndex:
    """Import-line words → the files holding them, for one language's files."""

    def __init__(self, paths: Sequence[str], words: Sequence[frozenset[str] | None]) -> None:
        self._files: dict[str, set[str]] = {}
        self._unread: set[str] = set()
        """Files whose import lines could not be read: they may import anything."""
        for path, found in zip(paths, words, strict=True):
            if found is None:
                self._unread.add(path)
                continue
            for word in found:
                self._files.setdefault(word, set()).add(path)

    def importers(self, module_words: frozenset[str]) -> set[str] | None:
        """The files that may import a module known by one of ``module_words``; ``None``
        when the index cannot tell (no words, or a word without a token: any file may name
        it)."""
        if not module_words:
            return None
        found = set(self._unread)
        for word in module_words:
            parts = tokens(word)
            if not parts:
                return None
            holders = [self._files.get(part, set()) for part in parts]
            found |= set.intersection(*holders)
        return found
