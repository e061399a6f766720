"""Language ID with py3langid (a fast fork of langid.py): the default, by measurement."""

from __future__ import annotations

from ..errors import MissingDependency
from .base import dist_version
from .langid_lingua import DEFAULT_LANGUAGES


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

    def version(self) -> str:
        return f"py3langid {self._version}"

    def detect(self, text: str) -> list[tuple[str, float]]:
        out: dict[str, float] = {}
        for code, p in self._ident.rank(text):  # script aliases (sr / srl) share a code
            if p > 0.0 and code not in out:
                out[code] = float(p)
        return list(out.items())[:5]
