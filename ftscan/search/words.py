"""The words a search automaton is built from: cut short, since native automata build in
time quadratic in a long periodic word (both search engines and the alias phase's own
automaton take their words from here), and made fewer without naming fewer files (an automaton
of many words is slower)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from ahocorasick_rs import MATCHKIND_LEFTMOST_FIRST, MATCHKIND_STANDARD, BytesAhoCorasick

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


def innermost_words(words: Sequence[bytes]) -> list[bytes]:
    """Those of ``words`` that hold no other of them: a file holds one of ``words`` exactly
    when it holds one of these. Another word in a word lies in the word without its first
    byte or without its last: one non-overlapping pass of an automaton over all the words
    finds it there. Linear in the words' length, whatever their number (a pass reporting
    every nested occurrence is quadratic for words a scanned repository chose: the names the
    alias phase follows, ``a``, ``aa``, ...)."""
    unique = sorted(set(words))
    if len(unique) < 2:
        return unique
    automaton = BytesAhoCorasick(unique, matchkind=MATCHKIND_STANDARD)
    return [word for word in unique
            if not automaton.find_matches_as_indexes(word[1:])
            and not automaton.find_matches_as_indexes(word[:-1])]


def shared_pieces(words: Sequence[bytes], length: int) -> set[bytes]:
    """A piece of ``length`` bytes of each word (the word itself when shorter), the piece most
    of the words hold: every word holds one of the pieces returned, and words that share a
    piece are represented by it once."""
    pieces = [{word} if len(word) <= length else
              {word[i:i + length] for i in range(len(word) - length + 1)} for word in words]
    counts = Counter(piece for held in pieces for piece in held)
    return {max(held, key=lambda piece: (counts[piece], piece)) for held in pieces}


_AUTOMATA: dict[frozenset[str], BytesAhoCorasick] = {}


def holds_any(names: frozenset[str], data: bytes) -> bool:
    """Does ``data`` hold any of ``names``? One pass of an automaton over the bytes
    (leftmost-first: the fast mode, which reports a match whenever any name occurs), built
    from the names cut short (:func:`search_words`: a name cut to its first bytes is held
    wherever it is) once per process and set of names."""
    automaton = _AUTOMATA.get(names)
    if automaton is None:
        if len(_AUTOMATA) > 16:
            _AUTOMATA.clear()
        words = search_words(name.encode() for name in names if name)
        automaton = _AUTOMATA[names] = BytesAhoCorasick(
            words or [b"\x00"], matchkind=MATCHKIND_LEFTMOST_FIRST)
    return bool(automaton.find_matches_as_indexes(data))
