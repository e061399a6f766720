"""Names read from overlapping encoder windows: each window's labels as the most probable
sequence in which a name's inside labels follow its beginning (`bio_viterbi`), and each name
taken whole from the window that reads it farthest from a cut (`stitch`)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _window_spans(labels: np.ndarray, piece_start: np.ndarray,
                  names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Token spans ``[s, e)`` and type of one window's BIO labels (``I-X`` after another
    type, or at a piece start, opens a name, as `decode` reads them)."""
    out: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for t, lab in enumerate(labels):
        name = names[int(lab)]
        if name == "O":
            cur = None
            continue
        prefix, kind = name.split("-", 1)
        if prefix == "I" and cur is not None and cur[2] == kind and not piece_start[t]:
            cur[1] = t + 1
            continue
        cur = [t, t + 1, kind]
        out.append(cur)  # type: ignore[arg-type]
    return [(int(s), int(e), k) for s, e, k in out]


def bio_viterbi(probs: np.ndarray, names: tuple[str, ...], piece_start: np.ndarray
                ) -> np.ndarray:
    """The most probable label sequence of one window (``probs``: tokens x labels) in which
    every ``I-X`` follows a ``B-X`` or ``I-X`` of the same piece.

    A per-token argmax can read "Kementerian Perindustrian, Perdagangan, dan Sumber Daya"
    as ``I I O I I``: a comma the model doubted cuts the name, and "dan Sumber Daya" comes
    out as a name of its own. The decoder instead weighs the whole name (the comma inside
    it) against a new name that starts with "dan" (``B`` there), and takes the likelier.
    Names that are not ``O``, ``B-X`` or ``I-X`` leave the argmax as it is.
    """
    n, k = probs.shape
    parts = [nm.split("-", 1) if nm != "O" else ["O", ""] for nm in names]
    if n == 0 or any(len(p) != 2 or p[0] not in ("O", "B", "I") for p in parts):
        return probs.argmax(axis=1)  # untyped "B"/"I", or another scheme
    inside = np.array([p[0] == "I" for p in parts])
    # follow[i, j]: label j may come right after label i
    follow = np.array([[not inside[j] or (parts[i][0] in ("B", "I") and parts[i][1] == parts[j][1])
                        for j in range(k)] for i in range(k)])
    best = probs.argmax(axis=1)
    if not (inside[best] & piece_start).any() and follow[best[:-1], best[1:]].all():
        return best  # the argmax breaks no rule, so nothing scores higher: most windows
    step = np.where(follow, 0.0, -np.inf)
    fresh = np.where(inside, -np.inf, 0.0)  # at a piece start no name goes on
    logp = np.log(np.maximum(probs, 1e-12))
    score = logp[0] + (fresh if piece_start[0] else 0.0)
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + (fresh[None, :] if piece_start[t] else step)
        back[t] = cand.argmax(axis=0)
        score = cand[back[t], np.arange(k)] + logp[t]
    out = np.empty(n, dtype=np.int64)
    out[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        out[t - 1] = back[t, out[t]]
    return out


def stitch(windows: list[tuple[int, int]], rows: list[np.ndarray], piece_start: np.ndarray,
           names: tuple[str, ...], constrained: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-token label ids and probabilities of a text read in overlapping ``windows``,
    ``rows[w]`` being window ``w``'s per-token label probabilities.

    Names are taken whole from one window, never pieced together from two. Each window's
    names are decoded in that window; where names read by different windows overlap, the
    overlapping stretch is decided by the window that holds all of it farthest from a cut
    edge (a window edge at a piece boundary, or at the text's ends, is not a cut), and it
    gives all the names in that stretch, or none where it reads none (a name read only
    near a cut edge is dropped when the window holding it best reads none). Each window is
    read by its per-token argmax, or with ``constrained`` by `bio_viterbi`.
    """
    n = len(piece_start)
    o = names.index("O")
    labels = np.full(n, o, dtype=np.int64)
    probs = np.zeros(n, dtype=np.float64)
    read = [bio_viterbi(r, names, piece_start[a:b]) if constrained else r.argmax(axis=1)
            for r, (a, b) in zip(rows, windows)]
    spans: list[tuple[int, int, int, str]] = []  # (start, end, window, type), absolute
    for w, (a, b) in enumerate(windows):
        spans.extend((s + a, e + a, w, kind)
                     for s, e, kind in _window_spans(read[w], piece_start[a:b], names))
    spans.sort()

    def room(w: int, s: int, e: int) -> int:
        """How far ``[s, e)`` lies from window ``w``'s cut edges (negative: outside it)."""
        a, b = windows[w]
        if s < a or e > b:
            return min(s - a, b - e)
        left = s - a if a > 0 and not piece_start[a] else n + s - a
        right = b - e if b < n and not piece_start[b] else n + b - e
        return min(left, right)

    def take(chosen: list[tuple[int, int, int, str]]) -> None:
        for s, e, w, kind in chosen:
            at = np.arange(s, e) - windows[w][0]
            probs[s:e] = rows[w][at, read[w][at]]
            labels[s] = names.index("B-" + kind)
            labels[s + 1:e] = names.index("I-" + kind)

    i = 0
    while i < len(spans):  # stretches of overlapping names
        j, end = i + 1, spans[i][1]
        while j < len(spans) and spans[j][0] < end:
            end = max(end, spans[j][1])
            j += 1
        group, start = spans[i:j], spans[i][0]
        i = j
        # the windows that may hold the stretch lie next to those that read its names
        near = range(max(0, min(sp[2] for sp in group) - 2),
                     min(len(windows), max(sp[2] for sp in group) + 3))
        best = max(near, key=lambda w: (room(w, start, end), -w))
        if room(best, start, end) >= 0:
            take([sp for sp in group if sp[2] == best])
            continue
        # a stretch longer than any window (chained readings): each name by its own room
        kept: list[tuple[int, int, int, str]] = []
        for sp in sorted(group, key=lambda sp: (-room(sp[2], sp[0], sp[1]), sp[2], sp[0])):
            if all(sp[1] <= k[0] or k[1] <= sp[0] for k in kept):
                kept.append(sp)
        take(kept)
    return labels, probs
