"""Words one edit apart, found without comparing every pair: a misspelled place in a
document ("Kazakhtan", `pipeline.ner.place_index`) and a misspelled key across a corpus
(`pipeline.corpus.link`).

Each word is indexed under itself and every string one deletion away. Two words share such
a string exactly when one is the other with a letter inserted or deleted, or with one letter
deleted and one inserted anywhere: a substitution, or a letter moved ("Kazahkstan"). So
`DeletionIndex.near` finds those candidates in time linear in the query's length, and
`one_edit` keeps the strict ones where a caller wants only those.
"""

from __future__ import annotations

from collections.abc import Iterable


def deletions(word: str) -> set[str]:
    """``word`` and every string one deletion away from it."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


class DeletionIndex:
    """``words`` indexed by their `deletions`."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by_variant: dict[str, list[str]] = {}
        for word in words:
            for variant in deletions(word):
                self._by_variant.setdefault(variant, []).append(word)

    def near(self, word: str) -> set[str]:
        """The indexed words that share a deletion with ``word`` (``word`` itself too, if
        indexed): those one insertion or deletion away, and those with one letter deleted
        and one inserted (substituted or moved)."""
        return {w for variant in deletions(word) for w in self._by_variant.get(variant, ())}


def one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are one insertion, deletion or substitution apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]
