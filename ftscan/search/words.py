"""The words a search automaton is built from: cut short, since native automata build in
time quadratic in a long periodic word (both search engines and the alias phase's own
automaton take their words from here)."""

from __future__ import annotations

from collections.abc import Iterable

MAX_WORD_BYTES = 256
"""Bytes of a word a search automaton is built from, at most. Words come from the scanned
files (the names the alias phase follows), and the automata of native search code build in time
quadratic in a periodic word's length (a 200 KB identifier ``abab...`` takes minutes, where no
time budget can stop it). A word's first bytes occur wherever the word does, so a search for
them names every file holding the word (and perhaps a few more, which are tested in full)."""


def search_words(words: Iterable[bytes]) -> list[bytes]:
    """``words`` as a search automaton takes them: each cut to :data:`MAX_WORD_BYTES` (at a
    character boundary), without duplicates, sorted."""
    return sorted({word[:MAX_WORD_BYTES].decode("utf-8", "ignore").encode("utf-8")
                   if len(word) > MAX_WORD_BYTES else word for word in words})
