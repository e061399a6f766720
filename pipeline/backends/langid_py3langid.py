"""Language ID with py3langid (a fast fork of langid.py): the default, by measurement."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from pipeline.core.errors import MissingDependency
from pipeline.backends.base import detect_each, dist_version
from pipeline.backends.langid_lingua import DEFAULT_LANGUAGES


class Py3LangId:
    """py3langid backend: naive Bayes over byte n-grams, normalized probabilities."""

    name = "py3langid"

    def __init__(self, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> None:
        try:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier
        except ImportError as exc:
            raise MissingDependency("py3langid", 'pip install "py3langid"') from exc
        self._ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        known = set(self._ident.labels)
        self._ident.set_languages([c for c in languages if c in known])
        self._version = dist_version("py3langid")
        # The one-walk path below reads the model's public tables; an older py3langid
        # without them keeps the plain path (`detect` per text).
        self._walk = all(hasattr(self._ident, a) for a in
                         ("tk_nextmove", "tk_output", "tk_row", "nb_ptc", "nb_pc", "nb_classes"))
        self._rowbase = [r << 8 for r in self._ident.tk_row] if self._walk else []

    def version(self) -> str:
        return f"py3langid {self._version}"

    def detect(self, text: str) -> list[tuple[str, float]]:
        out: dict[str, float] = {}
        for code, p in self._ident.rank(text):  # script aliases (sr / srl) share a code
            if p > 0.0 and code not in out:
                out[code] = float(p)
        return list(out.items())[:5]

    def detect_parts(self, parts: list[str], judged: int) -> tuple[
            list[tuple[str, float]], list[list[tuple[str, float]]]]:
        """The ranking of the parts joined by spaces, and of each of the first ``judged``
        parts, from one walk over the text.

        The byte n-gram walk is py3langid's cost; walking the joined text once and cutting
        its features at the part boundaries saves walking the judged parts twice. The
        joined ranking equals ``detect(" ".join(parts))``; a part's features include the
        n-grams that reach back over the space before it.
        """
        import numpy as np

        if not self._walk:
            return detect_each(self, parts, judged)
        ident = self._ident
        upper = " ".join(parts).isupper()  # py3langid lower-cases an all-capital text
        encoded = [unicodedata.normalize("NFC", p.lower() if upper else p).encode(
            "utf8", errors="surrogatepass") for p in parts]
        nextmove, output, rowbase = ident.tk_nextmove, ident.tk_output, self._rowbase
        features: list[int] = []
        append = features.append
        bounds: list[int] = []  # number of features seen at the end of each judged part
        state = 0
        data = b" ".join(encoded)
        # the judged parts one by one (the walk's state carries on), then the rest at once
        rest = sum(len(c) + 1 for c in encoded[:judged]) - 1 if judged else 0  # its space
        chunks = [*encoded[:judged], data[rest:]]
        for k, chunk in enumerate(chunks):
            if k:
                bounds.append(len(features))
            for byte in chunk:
                state = nextmove[rowbase[state] + byte]
                f = output[state]
                if f >= 0:
                    append(f)
        found = np.asarray(features, dtype=np.intp)
        whole = self._ranking(found, len(data))
        starts = [0, *bounds]
        each = [self._ranking(found[starts[k]:bounds[k]], len(encoded[k]))
                for k in range(len(bounds))]
        return whole, each

    def _ranking(self, features: Any, n_bytes: int) -> list[tuple[str, float]]:
        """py3langid's normalized ranking (as ``rank``) of the n-gram features of a text
        (a numpy array of feature ids)."""
        import numpy as np

        ident = self._ident
        if not len(features):
            return []
        idx, counts = np.unique(features, return_counts=True)
        scores = np.log1p(counts.astype(np.float32)) @ ident.nb_ptc[idx] + ident.nb_pc
        scores *= 1.0 / math.sqrt(n_bytes or 1)  # py3langid's length temperature
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        merged: dict[str, float] = {}
        for code, p in zip(ident.nb_classes, scores.tolist()):
            merged[code] = merged.get(code, 0.0) + p  # script aliases share a code
        ranked = sorted(merged.items(), key=lambda kv: kv[1], reverse=True)
        return [(c, float(p)) for c, p in ranked if p > 0.0][:5]
